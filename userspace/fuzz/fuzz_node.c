// SPDX-License-Identifier: GPL-2.0
/*
 * agent/nodes.c: pd_node_parse on any bytes decoded as JSON (a Node, or
 * a list's "items" array of them), then the Nodes into podnetd's table
 * (agent/table.c) and the desired peer table computed and synced
 * against a kernel that accepts everything: what the list/watch loop does
 * with what the API server sends.
 */

#include "agent.h"
#include "fuzz.h"

static int ok_replace(const struct pn_peer *p, size_t n, void *data)
{
	(void)p;
	(void)n;
	(void)data;
	return 0;
}

static int ok_one(const struct pn_peer *p, void *data)
{
	(void)data;
	FUZZ_ASSERT(p->has_remote);
	return 0;
}

static const struct pd_kernel_ops ops = { ok_replace, ok_one, ok_one };

static void one(struct pd_table *t, json_t *obj)
{
	char err[PD_ERRLEN], buf[PD_MAX_CIDRS * PN_PREFIX_STRLEN];
	struct pd_node n;

	memset(err, 'x', sizeof(err));
	if (pd_node_parse(obj, &n, err, sizeof(err)) < 0) {
		fuzz_check_err(err, sizeof(err));
		return;
	}
	FUZZ_ASSERT(n.name && *n.name && n.rv);
	FUZZ_ASSERT(n.n_cidrs <= PD_MAX_CIDRS);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
	pd_node_cidrs_str(&n, buf, sizeof(buf));
	pd_node_remote(&n, AF_INET);
	pd_node_remote(&n, AF_INET6);
	if (pd_table_set_node(t, &n) < 0)
		pd_node_free(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_peer *d;
	struct pd_table t;
	json_error_t je;
	json_t *root, *items, *v;
	size_t i, n;

	root = json_loadb((const char *)data, size, 0, &je);
	if (!root)
		return 0;
	pd_table_init(&t, "self", AF_INET);
	items = json_object_get(root, "items");
	if (json_is_array(items))
		json_array_foreach(items, i, v)
			one(&t, v);
	else
		one(&t, root);
	if (pd_table_desired(&t, &d, &n) == 0) {
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(d[i].has_remote && d[i].n_prefixes > 0);
		pd_peers_free(d, n);
	}
	pd_table_sync_full(&t, &ops, NULL);
	if (json_is_array(items) && json_array_size(items)) {
		/* A watch event for the first Node again, then the delta. */
		one(&t, json_array_get(items, 0));
		pd_table_sync_delta(&t, &ops, NULL);
		const char *name = json_string_value(json_object_get(
			json_object_get(json_array_get(items, 0), "metadata"), "name"));

		pd_table_del_node(&t, name ? name : "x");
		pd_table_sync_delta(&t, &ops, NULL);
	}
	pd_table_free(&t);
	json_decref(root);
	return 0;
}
