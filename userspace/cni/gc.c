// SPDX-License-Identifier: GPL-2.0
/*
 * GC (spec 1.1.0): delete every attachment of this network that is not in
 * the runtime's list of valid ones.  The host ends say which network and
 * attachment they belong to in their alias (veth.c), so no state is
 * needed; so do lock files a run that died left behind.  Then
 * IPAM collects its own garbage from the same list.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "rtnl.h"

struct gc {
	const struct cni_run *run;
	json_t *valid;
	char prefix[300];		/* "podnet:NETWORK:" */
	char (*stale)[IFNAMSIZ];	/* host ends to delete */
	char (*stale_id)[256];
	size_t n, cap;
	int err;
};

static bool is_valid(json_t *valid, const char *id, const char *ifname)
{
	json_t *it;
	size_t i;

	json_array_foreach(valid, i, it) {
		json_t *c = json_object_get(it, "containerID"), *f = json_object_get(it, "ifname");

		if (json_is_string(c) && !strcmp(json_string_value(c), id) &&
		    (!ifname || (json_is_string(f) && !strcmp(json_string_value(f), ifname))))
			return true;
	}
	return false;
}

static int link_cb(const struct pn_link *l, void *data)
{
	struct gc *g = data;
	char id[256], *ifname;
	void *p;

	if (strcmp(l->kind, "veth") || strncmp(l->alias, g->prefix, strlen(g->prefix)))
		return 0;
	snprintf(id, sizeof(id), "%s", l->alias + strlen(g->prefix));
	ifname = strchr(id, ':');
	if (!ifname)
		return 0;
	*ifname++ = '\0';
	if (is_valid(g->valid, id, ifname))
		return 0;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		p = realloc(g->stale, g->cap * sizeof(*g->stale));
		if (!p)
			goto nomem;
		g->stale = p;
		p = realloc(g->stale_id, g->cap * sizeof(*g->stale_id));
		if (!p)
			goto nomem;
		g->stale_id = p;
	}
	snprintf(g->stale[g->n], IFNAMSIZ, "%s", l->name);
	snprintf(g->stale_id[g->n], sizeof(g->stale_id[0]), "%s", id);
	g->n++;
	return 0;
nomem:
	g->err = ENOMEM;
	return 1;
}

/* Lock files of runs that died, of containers the runtime no longer knows. */
static void gc_locks(const struct cni_run *run, json_t *valid)
{
	const char *dir = run->conf.runtime_dir;
	struct cni_err ignore;
	struct dirent *d;
	char id[256];
	size_t len;
	DIR *dp;
	int fd;

	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		len = strlen(d->d_name);
		if (len <= 5 || len - 5 >= sizeof(id) || strcmp(d->d_name + len - 5, ".lock"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(len - 5), d->d_name);
		if (is_valid(valid, id, NULL))
			continue;
		fd = cni_lock(dir, id, &ignore);
		if (fd >= 0)
			cni_unlock(fd, dir, id);
	}
	closedir(dp);
}

int cni_cmd_gc(struct cni_run *run)
{
	struct cni_err *e = &run->err, err2;
	struct gc g = { .run = run };
	struct pn_nl_err ne;
	struct pn_genl rt;
	json_t *out;
	size_t i;
	int ret = 0, fd;

	g.valid = json_object_get(run->conf.root, "cni.dev/valid-attachments");
	if (!g.valid)
		g.valid = json_object_get(run->conf.root, "cni.dev/attachments");
	if (!json_is_array(g.valid))
		return cni_fail(e, CNI_ERR_CONFIG,
				"GC needs cni.dev/valid-attachments, an array of {containerID, ifname}");
	snprintf(g.prefix, sizeof(g.prefix), CNI_ALIAS_PREFIX "%s:", run->conf.name);

	if (pn_rtnl_open(&rt, &ne) < 0)
		return cni_fail(e, CNI_ERR_NETLINK, "cannot open rtnetlink: %s", strerror(ne.err));
	if (pn_rtnl_link_dump(&rt, link_cb, &g, &ne) < 0 || g.err)
		ret = cni_fail(e, CNI_ERR_NETLINK, "cannot list links: %s",
			       strerror(g.err ? g.err : ne.err));
	pn_genl_close(&rt);

	/* Each under its container's lock: a DEL of it may be running. */
	for (i = 0; ret == 0 && i < g.n; i++) {
		fd = cni_lock(run->conf.runtime_dir, g.stale_id[i], e);
		if (fd < 0) {
			ret = -1;
			break;
		}
		if (cni_veth_teardown(g.stale[i], &err2) < 0) {
			*e = err2;
			ret = -1;
		}
		cni_unlock(fd, run->conf.runtime_dir, g.stale_id[i]);
	}
	free(g.stale);
	free(g.stale_id);
	if (ret < 0)
		return -1;
	gc_locks(run, g.valid);
	if (cni_ipam_exec(run, "GC", &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}
