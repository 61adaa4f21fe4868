// SPDX-License-Identifier: GPL-2.0
/*
 * From Nodes to the peer table, and from one table to the next.
 *
 * A peer is an underlay address; it owns the pod CIDRs of every Node that
 * has that address (normally one).  The kernel refuses a prefix owned by
 * two peers, so a CIDR claimed by two Nodes goes to the Node whose name
 * sorts first and the conflict is logged: the same answer on every node.
 *
 * `applied` mirrors what was programmed.  A change is sent as the
 * requests that turn applied into desired, each about one peer: first
 * NEW_PEER with NLM_F_REPLACE for every peer that is new, gains prefixes
 * or changes its MAC (a prefix that moves between peers moves atomically,
 * with no window in which it is unrouted), then DEL_PEER for what is left
 * over.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agent.h"

void pd_table_init(struct pd_table *t, const char *self, int family)
{
	memset(t, 0, sizeof(*t));
	t->self = strdup(self);
	t->family = family;
}

void pd_peers_free(struct pn_peer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pn_peer_free(&v[i]);
	free(v);
}

void pd_table_clear_nodes(struct pd_table *t)
{
	size_t i;

	for (i = 0; i < t->n_nodes; i++)
		pd_node_free(&t->nodes[i]);
	t->n_nodes = 0;
}

void pd_table_free(struct pd_table *t)
{
	pd_table_clear_nodes(t);
	free(t->nodes);
	pd_peers_free(t->applied, t->n_applied);
	free(t->self);
	memset(t, 0, sizeof(*t));
}

/* Index of @name, or where it would go (*found false). */
static size_t node_find(const struct pd_table *t, const char *name, bool *found)
{
	size_t lo = 0, hi = t->n_nodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->nodes[mid].name, name);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const struct pd_node *pd_table_node(const struct pd_table *t, const char *name)
{
	bool found;
	size_t i = node_find(t, name, &found);

	return found ? &t->nodes[i] : NULL;
}

int pd_table_set_node(struct pd_table *t, struct pd_node *n)
{
	bool found;
	size_t i = node_find(t, n->name, &found);

	if (found) {
		pd_node_free(&t->nodes[i]);
		t->nodes[i] = *n;
		return 0;
	}
	if (t->n_nodes == t->cap_nodes) {
		size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 64;
		struct pd_node *v = realloc(t->nodes, cap * sizeof(*v));

		if (!v)
			return -1;
		t->nodes = v;
		t->cap_nodes = cap;
	}
	memmove(&t->nodes[i + 1], &t->nodes[i], (t->n_nodes - i) * sizeof(*n));
	t->nodes[i] = *n;
	t->n_nodes++;
	return 0;
}

void pd_table_del_node(struct pd_table *t, const char *name)
{
	bool found;
	size_t i = node_find(t, name, &found);

	if (!found)
		return;
	pd_node_free(&t->nodes[i]);
	memmove(&t->nodes[i], &t->nodes[i + 1], (t->n_nodes - i - 1) * sizeof(*t->nodes));
	t->n_nodes--;
}

/* --- the desired table ---------------------------------------------------- */

static const struct pn_peer *peer_find(const struct pn_peer *v, size_t n,
				       const struct pn_addr *a);

struct claim {
	struct pn_prefix p;
	const struct pn_addr *remote;
	size_t node;		/* index: name order */
};

int pd_addr_cmp(const struct pn_addr *a, const struct pn_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->b, b->b, pn_addr_len(a));
}

static int claim_by_prefix(const void *x, const void *y)
{
	const struct claim *a = x, *b = y;
	int c = pn_prefix_cmp(&a->p, &b->p);

	return c ? c : (a->node > b->node) - (a->node < b->node);
}

static int claim_by_remote(const void *x, const void *y)
{
	const struct claim *a = x, *b = y;
	int c = pd_addr_cmp(a->remote, b->remote);

	return c ? c : pn_prefix_cmp(&a->p, &b->p);
}

int pd_table_desired(struct pd_table *t, struct pn_peer **out, size_t *n_out)
{
	struct claim *c = NULL;
	struct pn_peer *peers = NULL;
	size_t i, j, n = 0, np = 0, total = 0;

	*out = NULL;
	*n_out = 0;
	for (i = 0; i < t->n_nodes; i++)
		total += t->nodes[i].n_cidrs;
	if (!total)
		return 0;
	c = calloc(total, sizeof(*c));
	if (!c)
		return -1;
	for (i = 0; i < t->n_nodes; i++) {
		const struct pd_node *nd = &t->nodes[i];
		const struct pn_addr *r = pd_node_remote(nd, t->family);

		if (!r || !strcmp(nd->name, t->self))
			continue;
		for (j = 0; j < nd->n_cidrs; j++)
			c[n++] = (struct claim){ .p = nd->cidrs[j], .remote = r, .node = i };
	}
	qsort(c, n, sizeof(*c), claim_by_prefix);
	for (i = 0, j = 0; i < n; i++) {
		if (j && !pn_prefix_cmp(&c[j - 1].p, &c[i].p)) {
			char p[PN_PREFIX_STRLEN];

			t->conflicts++;
			pd_log("pod CIDR %s is claimed by nodes %s and %s: %s keeps it",
			       pn_prefix_str(&c[i].p, p, sizeof(p)), t->nodes[c[j - 1].node].name,
			       t->nodes[c[i].node].name, t->nodes[c[j - 1].node].name);
			continue;
		}
		c[j++] = c[i];
	}
	n = j;
	qsort(c, n, sizeof(*c), claim_by_remote);
	peers = calloc(n ? n : 1, sizeof(*peers));
	if (!peers)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!np || pd_addr_cmp(&peers[np - 1].remote, c[i].remote)) {
			peers[np].remote = *c[i].remote;
			peers[np].has_remote = true;
			np++;
		}
		if (pn_peer_add_prefix(&peers[np - 1], &c[i].p))
			goto fail;
	}
	free(c);
	/* A peer's inner MAC: that of the first Node (by name) with one. */
	for (i = 0; i < t->n_nodes; i++) {
		const struct pd_node *nd = &t->nodes[i];
		const struct pn_addr *r = pd_node_remote(nd, t->family);
		const uint8_t *mac = pd_node_mac(nd, t->family);
		struct pn_peer *p;

		if (!mac || !strcmp(nd->name, t->self))
			continue;
		p = (struct pn_peer *)peer_find(peers, np, r);
		if (p && !p->has_mac) {
			memcpy(p->mac, mac, PN_MAC_LEN);
			p->has_mac = true;
		}
	}
	*out = peers;
	*n_out = np;
	return 0;
fail:
	free(c);
	pd_peers_free(peers, np);
	return -1;
}

static void set_applied(struct pd_table *t, struct pn_peer *v, size_t n)
{
	pd_peers_free(t->applied, t->n_applied);
	t->applied = v;
	t->n_applied = n;
}

int pd_table_sync_full(struct pd_table *t, const struct pd_kernel_ops *ops, void *data)
{
	struct pn_peer *d;
	size_t n;

	if (pd_table_desired(t, &d, &n))
		return -1;
	t->writes++;
	if (ops->replace(d, n, data)) {
		t->synced = false;
		pd_peers_free(d, n);
		return -1;
	}
	set_applied(t, d, n);
	t->synced = true;
	return 0;
}

/* --- from applied to desired ---------------------------------------------- */

static const struct pn_peer *peer_find(const struct pn_peer *v, size_t n, const struct pn_addr *a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pd_addr_cmp(&v[mid].remote, a);

		if (!c)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

long pd_table_peer_index(const struct pd_table *t, const struct pn_addr *remote)
{
	const struct pn_peer *p = peer_find(t->applied, t->n_applied, remote);

	return p ? p - t->applied : -1;
}

static int prefix_qcmp(const void *x, const void *y)
{
	return pn_prefix_cmp(x, y);
}

static int peer_qcmp(const void *x, const void *y)
{
	return pd_addr_cmp(&((const struct pn_peer *)x)->remote, &((const struct pn_peer *)y)->remote);
}

/* Prefixes are kept sorted in every peer table.c builds. */
static bool has_prefix(const struct pn_prefix *v, size_t n, const struct pn_prefix *p)
{
	return n && bsearch(p, v, n, sizeof(*v), prefix_qcmp);
}

/* Is @a one of @r[0..nr) (or is there no @r: every remote counts)? */
static bool in_set(const struct pn_addr *a, const struct pn_addr *r, size_t nr)
{
	size_t i;

	if (!r)
		return true;
	for (i = 0; i < nr; i++)
		if (pn_addr_equal(a, &r[i]))
			return true;
	return false;
}

/*
 * Send what turns applied into @d for the peers whose remote is in @r
 * (every peer if @r is NULL): @d holds the desired peers of those remotes,
 * sorted by remote, and applied takes them over on success.
 */
static int apply(struct pd_table *t, const struct pd_kernel_ops *ops, void *data,
		 struct pn_peer *d, size_t nd, const struct pn_addr *r, size_t nr)
{
	struct pn_prefix *all = NULL;
	struct pn_peer *v = NULL;
	size_t i, j, k, n_all = 0;
	int ret = -1;

	for (i = 0; i < nd; i++)
		n_all += d[i].n_prefixes;
	all = malloc((n_all ? n_all : 1) * sizeof(*all));
	if (!all)
		goto out;
	for (i = 0, n_all = 0; i < nd; i++) {
		memcpy(all + n_all, d[i].prefixes, d[i].n_prefixes * sizeof(*all));
		n_all += d[i].n_prefixes;
	}
	qsort(all, n_all, sizeof(*all), prefix_qcmp);

	/* New peers, new prefixes and new MACs first: NLM_F_REPLACE moves prefixes. */
	for (i = 0; i < nd; i++) {
		const struct pn_peer *a = peer_find(t->applied, t->n_applied, &d[i].remote);
		struct pn_peer add = { .remote = d[i].remote, .has_remote = true };
		int e = 0;

		for (j = 0; j < d[i].n_prefixes && !e; j++)
			if (!a || !has_prefix(a->prefixes, a->n_prefixes, &d[i].prefixes[j]))
				e = pn_peer_add_prefix(&add, &d[i].prefixes[j]);
		/* A new MAC, or none any more (all-zero removes it). */
		if (!a ? d[i].has_mac : (a->has_mac != d[i].has_mac ||
					 memcmp(a->mac, d[i].mac, PN_MAC_LEN))) {
			add.has_mac = true;
			memcpy(add.mac, d[i].mac, PN_MAC_LEN);
		}
		if (!e && (add.n_prefixes || add.has_mac)) {
			t->writes++;
			e = ops->add(&add, data);
		}
		pn_peer_free(&add);
		if (e)
			goto out;
	}
	/* Then what no Node claims any more (a prefix in @d moved already). */
	for (i = 0; i < t->n_applied; i++) {
		const struct pn_peer *a = &t->applied[i];
		struct pn_peer del = { .remote = a->remote, .has_remote = true };
		int e = 0;

		if (!in_set(&a->remote, r, nr))
			continue;
		if (peer_find(d, nd, &a->remote)) {
			for (j = 0; j < a->n_prefixes && !e; j++)
				if (!has_prefix(all, n_all, &a->prefixes[j]))
					e = pn_peer_add_prefix(&del, &a->prefixes[j]);
			if (!e && del.n_prefixes) {
				t->writes++;
				e = ops->del(&del, data);
			}
		} else {
			t->writes++;
			e = ops->del(&del, data);
		}
		pn_peer_free(&del);
		if (e)
			goto out;
	}

	if (!r) {
		set_applied(t, d, nd);
		ret = 0;
		goto out_kept;
	}
	/* Merge: applied without the remotes of @r, and @d, both sorted. */
	v = calloc(t->n_applied + nd + 1, sizeof(*v));
	if (!v)
		goto out;
	for (i = 0, j = 0, k = 0; i < t->n_applied || j < nd;) {
		if (i < t->n_applied && in_set(&t->applied[i].remote, r, nr)) {
			pn_peer_free(&t->applied[i++]);
		} else if (j >= nd || (i < t->n_applied &&
				       pd_addr_cmp(&t->applied[i].remote, &d[j].remote) < 0)) {
			v[k++] = t->applied[i++];
		} else {
			v[k++] = d[j++];
		}
	}
	free(t->applied);
	free(d);
	t->applied = v;
	t->n_applied = k;
	ret = 0;
	goto out_kept;
out:
	t->synced = false;
	pd_peers_free(d, nd);
out_kept:
	free(all);
	return ret;
}

int pd_table_sync_delta(struct pd_table *t, const struct pd_kernel_ops *ops, void *data)
{
	struct pn_peer *d;
	size_t nd;

	if (!t->synced)
		return pd_table_sync_full(t, ops, data);
	if (pd_table_desired(t, &d, &nd)) {
		t->synced = false;
		return -1;
	}
	return apply(t, ops, data, d, nd, NULL, 0);
}

/* --- one Node's change, without recomputing the whole table ---------------- */

static bool has_cidr(const struct pd_node *n, const struct pn_prefix *p)
{
	size_t i;

	for (i = 0; i < n->n_cidrs; i++)
		if (!pn_prefix_cmp(&n->cidrs[i], p))
			return true;
	return false;
}

/* The Node a prefix goes to: the first by name that claims it (as desired()). */
static const struct pd_node *winner(const struct pd_table *t, const struct pn_prefix *p)
{
	size_t i;

	for (i = 0; i < t->n_nodes; i++) {
		const struct pd_node *n = &t->nodes[i];

		if (pd_node_remote(n, t->family) && strcmp(n->name, t->self) && has_cidr(n, p))
			return n;
	}
	return NULL;
}

#define CHANGE_MAX	(4 * PD_MAX_CIDRS + 2)

static void add_remote(struct pn_addr *r, size_t *nr, const struct pn_addr *a)
{
	if (a && !in_set(a, r, *nr) && *nr < CHANGE_MAX)
		r[(*nr)++] = *a;
}

/* The desired peer of remote @r, as pd_table_desired() would make it. */
static int desired_peer(struct pd_table *t, const struct pn_addr *r, struct pn_peer *p)
{
	size_t i, j;

	memset(p, 0, sizeof(*p));
	p->remote = *r;
	p->has_remote = true;
	for (i = 0; i < t->n_nodes; i++) {
		const struct pd_node *n = &t->nodes[i];
		const struct pn_addr *nr = pd_node_remote(n, t->family);
		const uint8_t *mac;

		if (!nr || !pn_addr_equal(nr, r) || !strcmp(n->name, t->self))
			continue;
		for (j = 0; j < n->n_cidrs; j++)
			if (winner(t, &n->cidrs[j]) == n &&
			    pn_peer_add_prefix(p, &n->cidrs[j]))
				return -1;
		mac = pd_node_mac(n, t->family);
		if (mac && !p->has_mac) {
			memcpy(p->mac, mac, PN_MAC_LEN);
			p->has_mac = true;
		}
	}
	if (p->n_prefixes)
		qsort(p->prefixes, p->n_prefixes, sizeof(*p->prefixes), prefix_qcmp);
	return 0;
}

int pd_table_sync_node(struct pd_table *t, const struct pd_kernel_ops *ops, void *data,
		       const struct pd_node *before, const char *name)
{
	const struct pd_node *cur = pd_table_node(t, name);
	struct pn_addr r[CHANGE_MAX];
	struct pn_prefix p[2 * PD_MAX_CIDRS];
	struct pn_peer d[CHANGE_MAX], *dv;
	size_t nr = 0, np = 0, nd = 0, i, k;
	const struct pd_node *w;

	if (!t->synced || !strcmp(name, t->self))
		return t->synced ? 0 : pd_table_sync_full(t, ops, data);
	/* The prefixes that may change hands, and every remote they touch. */
	for (i = 0; before && i < before->n_cidrs; i++)
		p[np++] = before->cidrs[i];
	for (i = 0; cur && i < cur->n_cidrs; i++)
		if (!before || !has_cidr(before, &cur->cidrs[i]))
			p[np++] = cur->cidrs[i];
	if (before)
		add_remote(r, &nr, pd_node_remote(before, t->family));
	if (cur)
		add_remote(r, &nr, pd_node_remote(cur, t->family));
	for (i = 0; i < np; i++) {
		w = winner(t, &p[i]);
		if (w)
			add_remote(r, &nr, pd_node_remote(w, t->family));
		for (k = 0; k < t->n_applied; k++)
			if (has_prefix(t->applied[k].prefixes, t->applied[k].n_prefixes, &p[i]))
				add_remote(r, &nr, &t->applied[k].remote);
		if (cur && w && w != cur && has_cidr(cur, &p[i])) {
			char s[PN_PREFIX_STRLEN];

			t->conflicts++;
			pd_log("pod CIDR %s is claimed by nodes %s and %s: %s keeps it",
			       pn_prefix_str(&p[i], s, sizeof(s)), w->name, cur->name, w->name);
		}
	}
	for (i = 0; i < nr; i++) {
		if (desired_peer(t, &r[i], &d[nd])) {
			pn_peer_free(&d[nd]);
			for (k = 0; k < nd; k++)
				pn_peer_free(&d[k]);
			t->synced = false;
			return -1;
		}
		if (d[nd].n_prefixes)
			nd++;
		else
			pn_peer_free(&d[nd]);
	}
	/* apply() wants them sorted by remote, in an array it may keep. */
	dv = calloc(nd ? nd : 1, sizeof(*dv));
	if (!dv) {
		for (k = 0; k < nd; k++)
			pn_peer_free(&d[k]);
		t->synced = false;
		return -1;
	}
	memcpy(dv, d, nd * sizeof(*dv));
	qsort(dv, nd, sizeof(*dv), peer_qcmp);
	return apply(t, ops, data, dv, nd, r, nr);
}
