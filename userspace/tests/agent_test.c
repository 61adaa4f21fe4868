// SPDX-License-Identifier: GPL-2.0
/*
 * podnetd without a kernel or an API server: what a Node object yields,
 * which requests a change of Nodes turns into (recorded in place of the
 * kernel's; the VM suite runs the real ones), and kubeconfig files.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "unit.h"

/* --- Node objects ------------------------------------------------------------ */

static json_t *node_json(const char *name, const char *cidrs, const char *ip4, const char *ip6,
			 const char *annot)
{
	json_t *spec = json_object(), *addrs = json_array(), *meta, *arr = json_array();
	char *copy = strdup(cidrs), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	free(copy);
	json_object_set_new(spec, "podCIDRs", arr);
	json_array_append_new(addrs, json_pack("{s:s,s:s}", "type", "Hostname", "address", name));
	if (ip4)
		json_array_append_new(addrs, json_pack("{s:s,s:s}", "type", "InternalIP",
						       "address", ip4));
	if (ip6)
		json_array_append_new(addrs, json_pack("{s:s,s:s}", "type", "InternalIP",
						       "address", ip6));
	meta = json_pack("{s:s,s:s}", "name", name, "resourceVersion", "7");
	if (annot)
		json_object_set_new(meta, "annotations",
				    json_pack("{s:s}", PD_ANNOT_UNDERLAY, annot));
	return json_pack("{s:s,s:o,s:o,s:{s:o}}", "kind", "Node", "metadata", meta, "spec", spec,
			 "status", "addresses", addrs);
}

static void parse(json_t *j, struct pd_node *n, const char *want_err)
{
	char err[PD_ERRLEN];

	assert_int_equal(pd_node_parse(j, n, err, sizeof(err)), 0);
	assert_string_equal(err, want_err);
	json_decref(j);
}

static void addr_is(const struct pn_addr *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(a);
	assert_string_equal(pn_addr_str(a, buf, sizeof(buf)), s);
}

static void test_node_parse(void **state)
{
	char cidrs[256], err[PD_ERRLEN];
	struct pd_node n;
	json_t *j;

	(void)state;
	parse(node_json("b", "10.244.2.0/24,fd10:2::/64", "192.168.99.2", "fd00:99::2", NULL), &n, "");
	assert_string_equal(n.name, "b");
	assert_string_equal(n.rv, "7");
	pd_node_cidrs_str(&n, cidrs, sizeof(cidrs));
	assert_string_equal(cidrs, "10.244.2.0/24,fd10:2::/64");
	addr_is(pd_node_remote(&n, AF_INET), "192.168.99.2");
	addr_is(pd_node_remote(&n, AF_INET6), "fd00:99::2");
	pd_node_free(&n);

	/* IPv4 preferred but absent: the IPv6 address serves. */
	parse(node_json("c", "10.244.3.0/24", NULL, "fd00:99::3", NULL), &n, "");
	addr_is(pd_node_remote(&n, AF_INET), "fd00:99::3");
	pd_node_free(&n);

	/* The annotation wins over InternalIP, per family. */
	parse(node_json("d", "10.244.4.0/24", "192.168.99.4", "fd00:99::4", "10.0.0.4"), &n, "");
	addr_is(pd_node_remote(&n, AF_INET), "10.0.0.4");
	addr_is(pd_node_remote(&n, AF_INET6), "fd00:99::4");
	pd_node_free(&n);

	/* Bad fields are named and skipped; the rest of the Node counts. */
	parse(node_json("e", "10.244.5.1/24,10.245.5.0/24", "192.168.99.5", NULL, NULL), &n,
	      "node e: spec.podCIDRs: invalid prefix \"10.244.5.1/24\": host bits set (did you mean 10.244.5.0/24?)");
	assert_int_equal(n.n_cidrs, 1);
	pd_node_free(&n);
	parse(node_json("f", "10.244.6.0/24", "192.168.99.6", NULL, "nonsense"), &n,
	      "node f: annotation podnet.io/underlay-ip: invalid remote \"nonsense\": not an IPv4 or IPv6 address");
	addr_is(pd_node_remote(&n, AF_INET), "192.168.99.6");
	pd_node_free(&n);

	/* The older single spec.podCIDR. */
	j = json_pack("{s:{s:s},s:{s:s}}", "metadata", "name", "g", "spec", "podCIDR", "10.244.7.0/24");
	parse(j, &n, "");
	assert_int_equal(n.n_cidrs, 1);
	assert_null(pd_node_remote(&n, AF_INET));
	pd_node_free(&n);

	j = json_pack("{s:{}}", "metadata");
	assert_int_equal(pd_node_parse(j, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "an object without metadata.name");
	json_decref(j);
}

/* --- the table: requests recorded instead of sent ------------------------------ */

struct rec {
	char log[4096];
	int fail_at;		/* fail the request with this number (1-based), 0: none */
	int n;
};

static void rec_peer(struct rec *r, const char *op, const struct pn_peer *p)
{
	char a[INET6_ADDRSTRLEN], pf[PN_PREFIX_STRLEN];
	size_t i, len = strlen(r->log);

	len += (size_t)snprintf(r->log + len, sizeof(r->log) - len, "%s %s", op,
				pn_addr_str(&p->remote, a, sizeof(a)));
	for (i = 0; i < p->n_prefixes; i++)
		len += (size_t)snprintf(r->log + len, sizeof(r->log) - len, " %s",
					pn_prefix_str(&p->prefixes[i], pf, sizeof(pf)));
	if (p->has_mac)
		len += (size_t)snprintf(r->log + len, sizeof(r->log) - len, " mac %s",
					pn_mac_str(p->mac, pf, sizeof(pf)));
	snprintf(r->log + len, sizeof(r->log) - len, ";");
}

static int rec_replace(const struct pn_peer *peers, size_t n, void *data)
{
	struct rec *r = data;
	size_t i;

	strcat(r->log, "replace{");
	for (i = 0; i < n; i++)
		rec_peer(r, "", &peers[i]);
	strcat(r->log, "}");
	return ++r->n == r->fail_at ? -1 : 0;
}

static int rec_add(const struct pn_peer *p, void *data)
{
	struct rec *r = data;

	rec_peer(r, "add", p);
	return ++r->n == r->fail_at ? -1 : 0;
}

static int rec_del(const struct pn_peer *p, void *data)
{
	struct rec *r = data;

	rec_peer(r, "del", p);
	return ++r->n == r->fail_at ? -1 : 0;
}

static const struct pd_kernel_ops rec_ops = { rec_replace, rec_add, rec_del };

static void set(struct pd_table *t, const char *name, const char *cidrs, const char *ip4)
{
	struct pd_node n;

	parse(node_json(name, cidrs, ip4, NULL, NULL), &n, "");
	assert_int_equal(pd_table_set_node(t, &n), 0);
}

static void delta_is(struct pd_table *t, struct rec *r, const char *want)
{
	r->log[0] = '\0';
	assert_int_equal(pd_table_sync_delta(t, &rec_ops, r), 0);
	assert_string_equal(r->log, want);
}

static void test_table_sync(void **state)
{
	struct rec r = { 0 };
	struct pd_table t;

	(void)state;
	pd_table_init(&t, "a", AF_INET);
	set(&t, "c", "10.244.3.0/24,fd10:3::/64", "192.168.99.3");
	set(&t, "a", "10.244.1.0/24", "192.168.99.1");	/* ourselves: no peer */
	set(&t, "b", "10.244.2.0/24", "192.168.99.2");
	set(&t, "x", "10.244.9.0/24", NULL);		/* no address: no peer */
	assert_int_equal(pd_table_sync_full(&t, &rec_ops, &r), 0);
	assert_string_equal(r.log,
			    "replace{ 192.168.99.2 10.244.2.0/24; 192.168.99.3 10.244.3.0/24 fd10:3::/64;}");
	assert_true(t.synced);
	assert_int_equal(t.writes, 1);

	/* Nothing changed: nothing sent. */
	delta_is(&t, &r, "");
	assert_int_equal(t.writes, 1);

	/* A new Node: one request. */
	set(&t, "d", "10.244.4.0/24", "192.168.99.4");
	delta_is(&t, &r, "add 192.168.99.4 10.244.4.0/24;");
	/* A Node gone: one request for the whole peer. */
	pd_table_del_node(&t, "b");
	delta_is(&t, &r, "del 192.168.99.2;");
	/* A new address: the prefixes move to the new peer, then the old goes. */
	set(&t, "c", "10.244.3.0/24,fd10:3::/64", "192.168.99.33");
	delta_is(&t, &r, "add 192.168.99.33 10.244.3.0/24 fd10:3::/64;del 192.168.99.3;");
	/* A CIDR less: only that prefix. */
	set(&t, "c", "10.244.3.0/24", "192.168.99.33");
	delta_is(&t, &r, "del 192.168.99.33 fd10:3::/64;");
	/* A CIDR more: only that prefix. */
	set(&t, "c", "10.244.3.0/24,10.244.30.0/24", "192.168.99.33");
	delta_is(&t, &r, "add 192.168.99.33 10.244.30.0/24;");
	/* A CIDR moving from one Node to another (both in one sync). */
	set(&t, "c", "10.244.3.0/24", "192.168.99.33");
	set(&t, "d", "10.244.4.0/24,10.244.30.0/24", "192.168.99.4");
	delta_is(&t, &r, "add 192.168.99.4 10.244.30.0/24;");
	assert_int_equal(t.writes, 8);
	pd_table_free(&t);
}

static void test_table_conflict_and_failure(void **state)
{
	struct rec r = { 0 };
	struct pd_table t;

	(void)state;
	pd_table_init(&t, "self", AF_INET);
	/* Two Nodes claim one CIDR: the name that sorts first keeps it. */
	set(&t, "n2", "10.244.2.0/24", "192.168.99.2");
	set(&t, "n1", "10.244.2.0/24,10.244.1.0/24", "192.168.99.1");
	assert_int_equal(pd_table_sync_full(&t, &rec_ops, &r), 0);
	assert_string_equal(r.log, "replace{ 192.168.99.1 10.244.1.0/24 10.244.2.0/24;}");
	assert_int_equal(t.conflicts, 1);
	/* Two Nodes with one address form one peer. */
	set(&t, "n2", "10.244.3.0/24", "192.168.99.1");
	delta_is(&t, &r, "add 192.168.99.1 10.244.3.0/24;");

	/* A refused request: unsynced, and the next sync replaces it all. */
	r.n = 0;
	r.fail_at = 1;
	r.log[0] = '\0';
	set(&t, "n3", "10.244.4.0/24", "192.168.99.3");
	assert_int_equal(pd_table_sync_delta(&t, &rec_ops, &r), -1);
	assert_false(t.synced);
	r.fail_at = 0;
	delta_is(&t, &r,
		 "replace{ 192.168.99.1 10.244.1.0/24 10.244.2.0/24 10.244.3.0/24; 192.168.99.3 10.244.4.0/24;}");
	assert_true(t.synced);
	pd_table_free(&t);
}

/* A Node as flanneld annotates it (vxlan backend). */
static json_t *flannel_node(const char *name, const char *cidr, const char *internal,
			    const char *public, const char *mac)
{
	json_t *j = node_json(name, cidr, internal, NULL, NULL);
	json_t *meta = json_object_get(j, "metadata");
	char data[96];

	snprintf(data, sizeof(data), "{\"VNI\":1,\"VtepMAC\":\"%s\"}", mac);
	json_object_set_new(meta, "annotations",
			    json_pack("{s:s,s:s,s:s,s:s}", PD_FLANNEL_TYPE, "vxlan",
				      PD_FLANNEL_DATA, data, PD_FLANNEL_IP, public,
				      PD_FLANNEL "kube-subnet-manager", "true"));
	return j;
}

static void test_flannel_nodes(void **state)
{
	char mac[PN_MAC_STRLEN];
	struct rec r = { 0 };
	struct pd_table t;
	struct pd_node n;
	json_t *j;

	(void)state;
	/* flannel's public-ip beats InternalIP; its VtepMAC is the peer's MAC. */
	parse(flannel_node("f1", "10.244.1.0/24", "192.168.99.1", "10.0.0.1", "0e:00:00:00:00:01"),
	      &n, "");
	addr_is(pd_node_remote(&n, AF_INET), "10.0.0.1");
	assert_non_null(pd_node_mac(&n, AF_INET));
	assert_string_equal(pn_mac_str(pd_node_mac(&n, AF_INET), mac, sizeof(mac)),
			    "0e:00:00:00:00:01");
	pd_node_free(&n);
	/* Another backend: its annotations mean nothing here. */
	j = flannel_node("f2", "10.244.2.0/24", "192.168.99.2", "10.0.0.2", "0e:00:00:00:00:02");
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    PD_FLANNEL_TYPE, json_string("host-gw"));
	parse(j, &n, "");
	addr_is(pd_node_remote(&n, AF_INET), "192.168.99.2");
	assert_null(pd_node_mac(&n, AF_INET));
	pd_node_free(&n);
	/* A broken backend-data is named; the address still counts. */
	j = flannel_node("f3", "10.244.3.0/24", "192.168.99.3", "10.0.0.3", "0e:00:00:00:00:03");
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    PD_FLANNEL_DATA, json_string("{\"VNI\":1}"));
	parse(j, &n, "node f3: annotation flannel.alpha.coreos.com/backend-data has no VtepMAC");
	addr_is(pd_node_remote(&n, AF_INET), "10.0.0.3");
	pd_node_free(&n);

	/* In the table: the MAC goes with the peer, and changes of it alone are sent. */
	pd_table_init(&t, "self", AF_INET);
	parse(flannel_node("f1", "10.244.1.0/24", "192.168.99.1", "10.0.0.1", "0e:00:00:00:00:01"),
	      &n, "");
	assert_int_equal(pd_table_set_node(&t, &n), 0);
	assert_int_equal(pd_table_sync_full(&t, &rec_ops, &r), 0);
	assert_string_equal(r.log, "replace{ 10.0.0.1 10.244.1.0/24 mac 0e:00:00:00:00:01;}");
	parse(flannel_node("f1", "10.244.1.0/24", "192.168.99.1", "10.0.0.1", "0e:00:00:00:00:11"),
	      &n, "");
	assert_int_equal(pd_table_set_node(&t, &n), 0);
	delta_is(&t, &r, "add 10.0.0.1 mac 0e:00:00:00:00:11;");
	/* flanneld gone from that Node: back to its InternalIP, no MAC. */
	set(&t, "f1", "10.244.1.0/24", "192.168.99.1");
	delta_is(&t, &r, "add 192.168.99.1 10.244.1.0/24;del 10.0.0.1;");
	pd_table_free(&t);
}

/* The patch of @node for @s, as podnetd sends it; "" if none. */
static void patch_is(json_t *node, const struct pd_flannel_self *s, const char *want)
{
	json_t *p = pd_flannel_patch(node, s);
	char *text = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	assert_string_equal(text ? text : "", want);
	free(text);
	json_decref(p);
}

static void test_flannel_publish(void **state)
{
	struct pd_flannel_self s = { .vni = 1, .mac = { 0x0e, 0, 0, 0, 0, 0x01 } };
	char buf[PN_MAC_STRLEN], data[64];
	uint8_t mac[PN_MAC_LEN], again[PN_MAC_LEN];
	struct pd_node n;
	json_t *j;

	(void)state;
	/* A node that ran flanneld: its own VtepMAC, for the device's family. */
	parse(flannel_node("f1", "10.244.1.0/24", "192.168.99.1", "10.0.0.1", "0e:00:00:00:00:01"),
	      &n, "");
	assert_true(pd_vtep_mac(&n, AF_INET, n.name, mac));
	assert_string_equal(pn_mac_str(mac, buf, sizeof(buf)), "0e:00:00:00:00:01");
	/* None for IPv6: derived from the name, as for a Node without any. */
	assert_false(pd_vtep_mac(&n, AF_INET6, n.name, mac));
	pd_node_free(&n);
	/* Derived: sha256(name)'s first bytes, locally administered unicast, stable. */
	assert_false(pd_vtep_mac(NULL, AF_INET, "node1", mac));
	assert_string_equal(pn_mac_str(mac, buf, sizeof(buf)), "ca:12:f3:1b:8c:bf");
	assert_false(pd_vtep_mac(NULL, AF_INET, "node1", again));
	assert_memory_equal(mac, again, PN_MAC_LEN);
	assert_false(pd_vtep_mac(NULL, AF_INET, "node3", mac));
	assert_string_equal(pn_mac_str(mac, buf, sizeof(buf)), "3a:5b:b1:c6:e7:b7");

	pd_flannel_backend_data(1, s.mac, data, sizeof(data));
	assert_string_equal(data, "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:01\"}");

	/* A Node without annotations gets all four. */
	assert_int_equal(pn_parse_remote("10.0.0.1", &s.public_ip, buf, sizeof(buf)), 0);
	j = node_json("f1", "10.244.1.0/24", "192.168.99.1", NULL, NULL);
	patch_is(j, &s, "{\"metadata\":{\"annotations\":{"
		 "\"flannel.alpha.coreos.com/backend-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"0e:00:00:00:00:01\\\"}\","
		 "\"flannel.alpha.coreos.com/backend-type\":\"vxlan\","
		 "\"flannel.alpha.coreos.com/kube-subnet-manager\":\"true\","
		 "\"flannel.alpha.coreos.com/public-ip\":\"10.0.0.1\"}}}");
	json_decref(j);
	/* One that says it all (as flanneld left it): nothing to send. */
	j = flannel_node("f1", "10.244.1.0/24", "192.168.99.1", "10.0.0.1", "0e:00:00:00:00:01");
	patch_is(j, &s, "");
	/* Only what differs: another MAC, another VNI. */
	s.mac[5] = 0x11;
	patch_is(j, &s, "{\"metadata\":{\"annotations\":{"
		 "\"flannel.alpha.coreos.com/backend-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"0e:00:00:00:00:11\\\"}\"}}}");
	s.mac[5] = 0x01;
	s.vni = 7;
	patch_is(j, &s, "{\"metadata\":{\"annotations\":{"
		 "\"flannel.alpha.coreos.com/backend-data\":\"{\\\"VNI\\\":7,\\\"VtepMAC\\\":\\\"0e:00:00:00:00:01\\\"}\"}}}");
	s.vni = 1;
	/* An IPv6 underlay: flannel's v6 annotations; the IPv4 ones stay. */
	assert_int_equal(pn_parse_remote("fd00:99::1", &s.public_ip, buf, sizeof(buf)), 0);
	patch_is(j, &s, "{\"metadata\":{\"annotations\":{"
		 "\"flannel.alpha.coreos.com/backend-v6-data\":\"{\\\"VNI\\\":1,\\\"VtepMAC\\\":\\\"0e:00:00:00:00:01\\\"}\","
		 "\"flannel.alpha.coreos.com/public-ipv6\":\"fd00:99::1\"}}}");
	json_decref(j);
}

/* --- the incremental sync against a model of the kernel's table ------------- */

struct model {
	struct pn_peer v[16];
	size_t n;
};

static struct pn_peer *model_peer(struct model *m, const struct pn_addr *a, bool create)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (pn_addr_equal(&m->v[i].remote, a))
			return &m->v[i];
	if (!create)
		return NULL;
	assert_true(m->n < 16);
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	m->v[m->n].remote = *a;
	m->v[m->n].has_remote = true;
	return &m->v[m->n++];
}

static bool peer_drop_prefix(struct pn_peer *p, const struct pn_prefix *x)
{
	size_t i;

	for (i = 0; i < p->n_prefixes; i++)
		if (!pn_prefix_cmp(&p->prefixes[i], x)) {
			p->prefixes[i] = p->prefixes[--p->n_prefixes];
			return true;
		}
	return false;
}

/* NEW_PEER with NLM_F_REPLACE, as the UAPI header describes it. */
static int model_add(const struct pn_peer *p, void *data)
{
	struct model *m = data;
	struct pn_peer *mp = model_peer(m, &p->remote, true);
	static const uint8_t zero[PN_MAC_LEN];
	size_t i, j;

	if (p->has_mac) {
		memcpy(mp->mac, p->mac, PN_MAC_LEN);
		mp->has_mac = memcmp(p->mac, zero, PN_MAC_LEN) != 0;
	}
	for (i = 0; i < p->n_prefixes; i++) {
		for (j = 0; j < m->n; j++)
			peer_drop_prefix(&m->v[j], &p->prefixes[i]);
		assert_int_equal(pn_peer_add_prefix(mp, &p->prefixes[i]), 0);
	}
	return 0;
}

/* DEL_PEER: the peer must exist, and each prefix named be its own. */
static int model_del(const struct pn_peer *p, void *data)
{
	struct model *m = data;
	struct pn_peer *mp = model_peer(m, &p->remote, false);
	size_t i;

	if (!mp)
		fail_msg("DEL_PEER of a peer that does not exist");
	if (!p->n_prefixes) {
		pn_peer_free(mp);
		*mp = m->v[--m->n];
		return 0;
	}
	for (i = 0; i < p->n_prefixes; i++)
		if (!peer_drop_prefix(mp, &p->prefixes[i]))
			fail_msg("DEL_PEER of a prefix the peer does not own");
	return 0;
}

static int model_replace(const struct pn_peer *peers, size_t n, void *data)
{
	struct model *m = data;
	size_t i, j;

	for (i = 0; i < m->n; i++)
		pn_peer_free(&m->v[i]);
	m->n = 0;
	for (i = 0; i < n; i++) {
		struct pn_peer *mp = model_peer(m, &peers[i].remote, true);

		mp->has_mac = peers[i].has_mac;
		memcpy(mp->mac, peers[i].mac, PN_MAC_LEN);
		for (j = 0; j < peers[i].n_prefixes; j++)
			assert_int_equal(pn_peer_add_prefix(mp, &peers[i].prefixes[j]), 0);
	}
	return 0;
}

static const struct pd_kernel_ops model_ops = { model_replace, model_add, model_del };

/* "REMOTE P,P mac M" per peer with a prefix, sorted: tables compared as text. */
static void table_text(const struct pn_peer *v, size_t n, char *out, size_t len)
{
	char lines[16][512], a[INET6_ADDRSTRLEN], pf[PN_PREFIX_STRLEN];
	struct pn_prefix sorted[64];
	size_t i, j, k = 0, off = 0;

	for (i = 0; i < n; i++) {
		size_t o;

		if (!v[i].n_prefixes)
			continue;	/* the kernel keeps an emptied peer; it routes nothing */
		assert_true(v[i].n_prefixes <= 64);
		memcpy(sorted, v[i].prefixes, v[i].n_prefixes * sizeof(*sorted));
		qsort(sorted, v[i].n_prefixes, sizeof(*sorted),
		      (int (*)(const void *, const void *))pn_prefix_cmp);
		o = (size_t)snprintf(lines[k], sizeof(lines[k]), "%s",
				     pn_addr_str(&v[i].remote, a, sizeof(a)));
		for (j = 0; j < v[i].n_prefixes; j++)
			o += (size_t)snprintf(lines[k] + o, sizeof(lines[k]) - o, " %s",
					      pn_prefix_str(&sorted[j], pf, sizeof(pf)));
		if (v[i].has_mac)
			snprintf(lines[k] + o, sizeof(lines[k]) - o, " mac %s",
				 pn_mac_str(v[i].mac, pf, sizeof(pf)));
		k++;
	}
	qsort(lines, k, sizeof(lines[0]), (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (i = 0; i < k; i++)
		off += (size_t)snprintf(out + off, len - off, "%s;", lines[i]);
}

static void random_node(struct pd_node *n, unsigned int *seed)
{
	static const uint8_t macs[2][PN_MAC_LEN] = {
		{ 0x0e, 0, 0, 0, 0, 1 }, { 0x0e, 0, 0, 0, 0, 2 },
	};
	char name[8], why[PN_ERRLEN];
	size_t i, want = (size_t)(rand_r(seed) % 3);
	int r = rand_r(seed) % 5, f;

	memset(n, 0, sizeof(*n));
	snprintf(name, sizeof(name), "n%d", rand_r(seed) % 8);
	n->name = strdup(name);
	n->rv = strdup("1");
	for (i = 0; i < want; i++) {
		char c[32];
		struct pn_prefix p;
		size_t j;
		bool dup = false;

		snprintf(c, sizeof(c), "10.244.%d.0/24", rand_r(seed) % 6);
		assert_int_equal(pn_parse_prefix(c, &p, why, sizeof(why)), 0);
		for (j = 0; j < n->n_cidrs; j++)
			dup |= !pn_prefix_cmp(&n->cidrs[j], &p);
		if (!dup)
			n->cidrs[n->n_cidrs++] = p;
	}
	if (r < 4) {	/* four underlay addresses, or none */
		char ip[32];

		snprintf(ip, sizeof(ip), "192.168.99.%d", r + 1);
		assert_int_equal(pn_parse_remote(ip, &n->ip[0], why, sizeof(why)), 0);
		n->has_ip[0] = true;
		n->ip_source[0] = PD_IP_INTERNAL;
	}
	f = rand_r(seed) % 3;
	if (f < 2) {
		memcpy(n->mac[0], macs[f], PN_MAC_LEN);
		n->has_mac[0] = true;
	}
}

static void test_incremental_random(void **state)
{
	char want[4096], have[4096], kern[4096];
	struct model m = { .n = 0 };
	unsigned int seed = 42;
	struct pd_table t;
	struct pn_peer *d;
	size_t nd, i, step;

	(void)state;
	pd_table_init(&t, "n5", AF_INET);
	assert_int_equal(pd_table_sync_full(&t, &model_ops, &m), 0);
	for (step = 0; step < 3000; step++) {
		struct pd_node n, before;
		const struct pd_node *old;
		char name[8];
		bool had;

		random_node(&n, &seed);
		snprintf(name, sizeof(name), "%s", n.name);
		old = pd_table_node(&t, name);
		had = old != NULL;
		if (had) {
			before = *old;
			before.name = before.rv = NULL;
		}
		if (rand_r(&seed) % 4 == 0) {
			pd_node_free(&n);
			pd_table_del_node(&t, name);
		} else {
			assert_int_equal(pd_table_set_node(&t, &n), 0);
		}
		assert_int_equal(pd_table_sync_node(&t, &model_ops, &m, had ? &before : NULL, name), 0);
		assert_true(t.synced);
		assert_int_equal(pd_table_desired(&t, &d, &nd), 0);
		table_text(d, nd, want, sizeof(want));
		table_text(t.applied, t.n_applied, have, sizeof(have));
		table_text(m.v, m.n, kern, sizeof(kern));
		pd_peers_free(d, nd);
		if (strcmp(want, have) || strcmp(want, kern))
			fail_msg("step %zu (%s): desired %s\napplied %s\nkernel %s", step, name, want,
				 have, kern);
	}
	for (i = 0; i < m.n; i++)
		pn_peer_free(&m.v[i]);
	pd_table_free(&t);
}

/* --- kubeconfig ------------------------------------------------------------------ */

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_kubeconfig(void **state)
{
	char dir[] = "/tmp/pd-kc-XXXXXX", err[PD_ERRLEN], *p, *tok, *ca;
	struct kube_conf c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* "-----BEGIN" in base64 is LS0tLS1CRUdJTg== */
	p = write_tmp(dir, "a.yaml",
		      "apiVersion: v1\nkind: Config\ncurrent-context: ctx\n"
		      "contexts:\n- name: other\n  context: {cluster: nope, user: nope}\n"
		      "- name: ctx\n  context:\n    cluster: c1\n    user: u1\n"
		      "clusters:\n- name: c1\n  cluster:\n    server: https://10.0.2.2:6443/\n"
		      "    certificate-authority-data: LS0tLS1CRUdJTg==\n"
		      "users:\n- name: u1\n  user:\n    token: abc.def\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), 0);
	assert_string_equal(c.server, "https://10.0.2.2:6443");
	assert_int_equal(c.ca_len, 10);
	assert_memory_equal(c.ca_data, "-----BEGIN", 10);
	assert_string_equal(c.token, "abc.def");
	kube_conf_free(&c);
	unlink(p);
	free(p);

	/* A relative tokenFile and certificate-authority: next to the file. */
	ca = write_tmp(dir, "ca.crt", "-----BEGIN CERTIFICATE-----\n");
	tok = write_tmp(dir, "token", "  tok-1\n");
	p = write_tmp(dir, "b.yaml",
		      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
		      "clusters: [{name: c, cluster: {server: 'https://h:1', certificate-authority: ca.crt}}]\n"
		      "users: [{name: u, user: {tokenFile: token}}]\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), 0);
	assert_string_equal(c.token, "tok-1");
	assert_non_null(strstr(c.ca_file, "/pd-kc-"));
	assert_string_equal(strrchr(c.ca_file, '/'), "/ca.crt");
	/* Read once, checked (lib/file.c), and given to curl as it was read. */
	assert_int_equal(c.ca_len, 28);
	assert_memory_equal(c.ca_data, "-----BEGIN CERTIFICATE-----\n", 28);
	/* Rotation: a new file content is picked up. */
	assert_int_equal(kube_conf_refresh_token(&c, false, err, sizeof(err)), 0);
	unlink(tok);
	free(tok);
	tok = write_tmp(dir, "token", "tok-2\n");
	assert_int_equal(kube_conf_refresh_token(&c, true, err, sizeof(err)), 1);
	assert_string_equal(c.token, "tok-2");
	/* A token others can write is refused when it is read again. */
	assert_int_equal(chmod(tok, 0666), 0);
	assert_int_equal(kube_conf_refresh_token(&c, true, err, sizeof(err)), -1);
	assert_contains(err, "/token is world-writable (mode 0666): refusing it");
	assert_int_equal(chmod(tok, 0644), 0);
	kube_conf_free(&c);
	/* So are a kubeconfig and a certificate-authority others can write. */
	assert_int_equal(chmod(ca, 0664), 0);
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "/ca.crt is group-writable (mode 0664): refusing it");
	assert_int_equal(chmod(p, 0646), 0);
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "/b.yaml is world-writable (mode 0646): refusing it");
	unlink(p);
	free(p);
	unlink(ca);
	free(ca);

	p = write_tmp(dir, "c.yaml", "current-context: x\ncontexts: []\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "current-context \"x\" is not in contexts");
	unlink(p);
	free(p);
	p = write_tmp(dir, "d.yaml",
		      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
		      "clusters: [{name: c, cluster: {server: 'http://h:1'}}]\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "server must be an https:// URL (it is http://h:1)");
	unlink(p);
	free(p);
	p = write_tmp(dir, "e.yaml",
		      "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
		      "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n"
		      "users: [{name: u, user: {exec: {command: aws}}}]\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "exec and auth-provider credentials are not supported");
	unlink(p);
	free(p);
	p = write_tmp(dir, "f.yaml", "a: [unclosed\n");
	assert_int_equal(kube_conf_load_file(&c, p, err, sizeof(err)), -1);
	assert_contains(err, "f.yaml:2:1: ");
	unlink(p);
	free(p);
	unlink(tok);
	free(tok);
	rmdir(dir);
}

const struct CMUnitTest agent_tests[] = {
	cmocka_unit_test(test_node_parse),
	cmocka_unit_test(test_table_sync),
	cmocka_unit_test(test_table_conflict_and_failure),
	cmocka_unit_test(test_flannel_nodes),
	cmocka_unit_test(test_flannel_publish),
	cmocka_unit_test(test_incremental_random),
	cmocka_unit_test(test_kubeconfig),
};
const size_t agent_count = COUNT(agent_tests);
