// SPDX-License-Identifier: GPL-2.0
/*
 * What podnetd reads of a Node object: its name, spec.podCIDRs (or the
 * older single spec.podCIDR) and its underlay addresses: per family, the
 * PD_ANNOT_UNDERLAY annotation ("ADDR" or "ADDR4,ADDR6"), else flannel's
 * public-ip(v6), else the first InternalIP in status.addresses.  A Node
 * flanneld runs on (backend-type vxlan) also gives its VTEP's MAC, which
 * becomes the peer's inner destination MAC, as flannel's own FDB would.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agent.h"

static int fam_idx(int family)
{
	return family == AF_INET ? 0 : 1;
}

static int add_cidr(struct pd_node *n, const char *s, char *err, size_t errlen)
{
	char why[PN_ERRLEN];
	struct pn_prefix p;
	size_t i;

	if (pn_parse_prefix(s, &p, why, sizeof(why)))
		return pn_errf(err, errlen, "node %s: spec.podCIDRs: %s", n->name, why);
	for (i = 0; i < n->n_cidrs; i++)
		if (!pn_prefix_cmp(&n->cidrs[i], &p))
			return 0;
	if (n->n_cidrs == PD_MAX_CIDRS)
		return pn_errf(err, errlen, "node %s: more than %d pod CIDRs", n->name,
			       PD_MAX_CIDRS);
	n->cidrs[n->n_cidrs++] = p;
	return 0;
}

static int set_ip(struct pd_node *n, const char *s, enum pd_ip_source src, char *err,
		  size_t errlen)
{
	static const char *const what[] = {
		[PD_IP_INTERNAL] = "InternalIP",
		[PD_IP_FLANNEL] = "annotation " PD_FLANNEL "public-ip",
		[PD_IP_ANNOTATED] = "annotation " PD_ANNOT_UNDERLAY,
	};
	char why[PN_ERRLEN];
	struct pn_addr a;
	int i;

	if (pn_parse_remote(s, &a, why, sizeof(why)))
		return pn_errf(err, errlen, "node %s: %s: %s", n->name, what[src], why);
	i = fam_idx(a.family);
	/* A stronger source wins; within one, the first address counts. */
	if (n->has_ip[i] && n->ip_source[i] >= src)
		return 0;
	n->ip[i] = a;
	n->has_ip[i] = true;
	n->ip_source[i] = (uint8_t)src;
	return 0;
}

/* flannel's backend-data: {"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}. */
static int set_mac(struct pd_node *n, const char *data, int i, char *err, size_t errlen)
{
	json_t *j = json_loads(data, 0, NULL);
	const char *mac = json_string_value(json_object_get(j, "VtepMAC"));
	char why[PN_ERRLEN];
	int ret = 0;

	if (!mac)
		ret = pn_errf(err, errlen, "node %s: annotation %s has no VtepMAC", n->name,
			      i ? PD_FLANNEL_DATA6 : PD_FLANNEL_DATA);
	else if (pn_parse_mac(mac, n->mac[i], why, sizeof(why)))
		ret = pn_errf(err, errlen, "node %s: VtepMAC: %s", n->name, why);
	else
		n->has_mac[i] = true;
	json_decref(j);
	return ret;
}

static void flannel(struct pd_node *n, json_t *ann, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(ann, PD_FLANNEL_TYPE));
	const char *ip4 = json_string_value(json_object_get(ann, PD_FLANNEL_IP));
	const char *ip6 = json_string_value(json_object_get(ann, PD_FLANNEL_IP6));
	const char *d4 = json_string_value(json_object_get(ann, PD_FLANNEL_DATA));
	const char *d6 = json_string_value(json_object_get(ann, PD_FLANNEL_DATA6));

	if (!type || strcmp(type, "vxlan"))
		return;		/* another backend: nothing podnet can talk to */
	if (ip4 && *ip4)
		set_ip(n, ip4, PD_IP_FLANNEL, err, errlen);
	if (ip6 && *ip6)
		set_ip(n, ip6, PD_IP_FLANNEL, err, errlen);
	if (d4 && *d4)
		set_mac(n, d4, 0, err, errlen);
	if (d6 && *d6)
		set_mac(n, d6, 1, err, errlen);
}

/*
 * Errors in single fields are reported in @err (the last one) but do not
 * fail the parse: a Node with a bad annotation still has its other fields.
 * Returns -1 only for an object that is not a Node (no name).
 */
int pd_node_parse(json_t *obj, struct pd_node *n, char *err, size_t errlen)
{
	json_t *meta = json_object_get(obj, "metadata");
	json_t *spec = json_object_get(obj, "spec");
	json_t *addrs = json_object_get(json_object_get(obj, "status"), "addresses");
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *rv = json_string_value(json_object_get(meta, "resourceVersion"));
	json_t *annots = json_object_get(meta, "annotations");
	const char *ann = json_string_value(json_object_get(annots, PD_ANNOT_UNDERLAY));
	json_t *cidrs = json_object_get(spec, "podCIDRs"), *v;
	size_t i;

	memset(n, 0, sizeof(*n));
	err[0] = '\0';
	if (!name || !*name)
		return pn_errf(err, errlen, "an object without metadata.name");
	n->name = strdup(name);
	n->rv = strdup(rv ? rv : "");
	if (!n->name || !n->rv) {
		pd_node_free(n);
		return pn_errf(err, errlen, "out of memory");
	}
	if (json_is_array(cidrs) && json_array_size(cidrs)) {
		json_array_foreach(cidrs, i, v)
			if (json_is_string(v))
				add_cidr(n, json_string_value(v), err, errlen);
	} else if (json_is_string(json_object_get(spec, "podCIDR"))) {
		add_cidr(n, json_string_value(json_object_get(spec, "podCIDR")), err, errlen);
	}
	if (ann) {
		char *copy = strdup(ann), *tok, *save = NULL;

		for (tok = copy ? strtok_r(copy, ", ", &save) : NULL; tok;
		     tok = strtok_r(NULL, ", ", &save))
			set_ip(n, tok, PD_IP_ANNOTATED, err, errlen);
		free(copy);
	}
	flannel(n, annots, err, errlen);
	json_array_foreach(addrs, i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *addr = json_string_value(json_object_get(v, "address"));

		if (type && addr && !strcmp(type, "InternalIP"))
			set_ip(n, addr, PD_IP_INTERNAL, err, errlen);
	}
	return 0;
}

void pd_node_free(struct pd_node *n)
{
	free(n->name);
	free(n->rv);
	n->name = n->rv = NULL;
}

const struct pn_addr *pd_node_remote(const struct pd_node *n, int family)
{
	int i = fam_idx(family);

	if (n->has_ip[i])
		return &n->ip[i];
	if (n->has_ip[!i])
		return &n->ip[!i];
	return NULL;
}

const uint8_t *pd_node_mac(const struct pd_node *n, int family)
{
	const struct pn_addr *r = pd_node_remote(n, family);
	int i = r ? fam_idx(r->family) : 0;

	return r && n->has_mac[i] ? n->mac[i] : NULL;
}

bool pd_node_same_peer(const struct pd_node *a, const struct pd_node *b)
{
	size_t i;
	int f;

	if (a->n_cidrs != b->n_cidrs)
		return false;
	for (i = 0; i < a->n_cidrs; i++)
		if (pn_prefix_cmp(&a->cidrs[i], &b->cidrs[i]))
			return false;
	for (f = 0; f < 2; f++) {
		if (a->has_ip[f] != b->has_ip[f] || (a->has_ip[f] && !pn_addr_equal(&a->ip[f], &b->ip[f])))
			return false;
		if (a->has_mac[f] != b->has_mac[f] ||
		    (a->has_mac[f] && memcmp(a->mac[f], b->mac[f], PN_MAC_LEN)))
			return false;
	}
	return true;
}

void pd_node_cidrs_str(const struct pd_node *n, char *buf, size_t len)
{
	char p[PN_PREFIX_STRLEN];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n->n_cidrs && off < len; i++) {
		pn_prefix_str(&n->cidrs[i], p, sizeof(p));
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", p);
	}
	if (!n->n_cidrs)
		snprintf(buf, len, "none");
}
