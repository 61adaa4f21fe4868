// SPDX-License-Identifier: GPL-2.0
/*
 * CHECK: is the attachment still what ADD made of it (prevResult)?  IPAM
 * checks its part first; then one link get and one address and route
 * dump per namespace and family, no more.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"
#include "rtnl.h"

struct want {
	const struct cni_result *r;
	uint32_t ifindex;
	unsigned int found;		/* bit i: ips[i] (or its route) seen */
	unsigned int gw_found;		/* bit 0: route to 169.254.1.1, 1: v4 default, 2: v6 */
};

static bool is_host_prefix(const struct pn_addr *a, uint8_t len)
{
	return len == pn_addr_bits(a->family);
}

static int addr_cb(const struct pn_ifaddr *a, void *data)
{
	struct want *w = data;
	unsigned int i;

	for (i = 0; i < w->r->n_ips; i++)
		if (pn_addr_equal(&a->addr, &w->r->ips[i].addr) && is_host_prefix(&a->addr, a->len))
			w->found |= 1U << i;
	return 0;
}

static int host_route_cb(const struct pn_route *rt, void *data)
{
	struct want *w = data;
	unsigned int i;

	for (i = 0; i < w->r->n_ips; i++)
		if (rt->oif == w->ifindex && !rt->has_gw &&
		    is_host_prefix(&rt->dst.addr, rt->dst.len) &&
		    pn_addr_equal(&rt->dst.addr, &w->r->ips[i].addr))
			w->found |= 1U << i;
	return 0;
}

static int pod_route_cb(const struct pn_route *rt, void *data)
{
	struct want *w = data;
	struct pn_addr gw;

	/* (Any interface's: the pod's first podnet interface has them.) */
	memset(&gw, 0, sizeof(gw));
	gw.family = rt->dst.addr.family;
	inet_pton(gw.family, gw.family == AF_INET ? CNI_GW4 : CNI_GW6, gw.b);
	if (gw.family == AF_INET && rt->dst.len == 32 && !rt->has_gw &&
	    pn_addr_equal(&rt->dst.addr, &gw))
		w->gw_found |= 1;
	if (rt->dst.len == 0 && rt->has_gw && pn_addr_equal(&rt->gw, &gw))
		w->gw_found |= gw.family == AF_INET ? 2 : 4;
	return 0;
}

static int missing_ip(const struct want *w, const char *where, struct cni_err *e)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < w->r->n_ips; i++)
		if (!(w->found & (1U << i)))
			return cni_fail(e, CNI_ERR_NETLINK, "%s %s", where,
					pn_addr_str(&w->r->ips[i].addr, a, sizeof(a)));
	return 0;
}

/* One end: there, a veth, up, the MTU and MAC of prevResult. */
static int check_link(struct pn_genl *rt, const char *name, const char *where,
		      const uint8_t mac[PN_MAC_LEN], uint32_t mtu, struct pn_link *l,
		      struct cni_err *e)
{
	struct pn_nl_err ne;
	char m1[PN_MAC_STRLEN], m2[PN_MAC_STRLEN];

	if (pn_rtnl_link_get(rt, name, l, &ne) < 0)
		return cni_fail(e, CNI_ERR_NETLINK, "interface %s is missing %s", name, where);
	if (strcmp(l->kind, "veth"))
		return cni_fail(e, CNI_ERR_NETLINK, "interface %s %s is not a veth (kind %s)", name,
				where, l->kind[0] ? l->kind : "none");
	if (!(l->flags & IFF_UP))
		return cni_fail(e, CNI_ERR_NETLINK, "interface %s %s is down", name, where);
	if (l->mtu != mtu)
		return cni_fail(e, CNI_ERR_NETLINK, "interface %s %s has MTU %u, not %u", name,
				where, l->mtu, mtu);
	if (memcmp(l->mac, mac, PN_MAC_LEN))
		return cni_fail(e, CNI_ERR_NETLINK, "interface %s %s has MAC %s, prevResult says %s",
				name, where, pn_mac_str(l->mac, m1, sizeof(m1)),
				pn_mac_str(mac, m2, sizeof(m2)));
	return 0;
}

static int check_pod(struct pn_genl *rt, const struct cni_result *r, struct cni_err *e)
{
	struct want w = { .r = r };
	struct pn_nl_err ne;
	struct pn_link l;
	int fam;

	if (check_link(rt, r->pod_if, "in the pod", r->pod_mac, r->mtu, &l, e) < 0)
		return -1;
	w.ifindex = l.ifindex;
	if (pn_rtnl_addr_dump(rt, AF_UNSPEC, l.ifindex, addr_cb, &w, &ne) < 0)
		return cni_fail(e, CNI_ERR_NETLINK, "cannot list the pod's addresses: %s",
				strerror(ne.err));
	if (missing_ip(&w, "the pod's interface lacks its address", e) < 0)
		return -1;
	for (fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0)
		if (cni_result_has_family(r, fam) &&
		    pn_rtnl_route_dump(rt, fam, pod_route_cb, &w, &ne) < 0)
			return cni_fail(e, CNI_ERR_NETLINK, "cannot list the pod's routes: %s",
					strerror(ne.err));
	if (cni_result_has_family(r, AF_INET) && !(w.gw_found & 1))
		return cni_fail(e, CNI_ERR_NETLINK, "the pod has no route to %s", CNI_GW4);
	if (cni_result_has_family(r, AF_INET) && !(w.gw_found & 2))
		return cni_fail(e, CNI_ERR_NETLINK, "the pod has no default route via %s", CNI_GW4);
	if (cni_result_has_family(r, AF_INET6) && !(w.gw_found & 4))
		return cni_fail(e, CNI_ERR_NETLINK, "the pod has no default route via %s", CNI_GW6);
	return 0;
}

static int check_host(struct pn_genl *rt, const struct cni_result *r, struct cni_err *e)
{
	struct want w = { .r = r };
	struct pn_nl_err ne;
	struct pn_link l;
	int fam;

	if (check_link(rt, r->host_if, "on the host", r->host_mac, r->mtu, &l, e) < 0)
		return -1;
	w.ifindex = l.ifindex;
	for (fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0)
		if (cni_result_has_family(r, fam) &&
		    pn_rtnl_route_dump(rt, fam, host_route_cb, &w, &ne) < 0)
			return cni_fail(e, CNI_ERR_NETLINK, "cannot list the host's routes: %s",
					strerror(ne.err));
	return missing_ip(&w, "the host has no route via its veth to", e);
}

static int check_dataplane(const struct cni_run *run, const struct cni_result *r, int netns,
			   struct cni_err *e)
{
	struct pn_genl host = { 0 }, pod = { 0 };
	struct pn_nl_err ne;
	int host_ns, ret = -1;

	host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host_ns < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot open the host's netns: %s", strerror(errno));
	if (pn_rtnl_open(&host, &ne) < 0) {
		cni_fail(e, CNI_ERR_NETLINK, "cannot open rtnetlink: %s", strerror(ne.err));
		goto out;
	}
	if (check_host(&host, r, e) < 0 || cni_netns_enter(netns, run->env.netns, e) < 0)
		goto out;
	if (pn_rtnl_open(&pod, &ne) < 0)
		cni_fail(e, CNI_ERR_NETLINK, "cannot open rtnetlink in the pod: %s",
			 strerror(ne.err));
	else
		ret = check_pod(&pod, r, e);
	if (cni_netns_enter(host_ns, "the host's netns", e) < 0) {
		fprintf(stderr, "podnet: %s\n", e->msg);
		_exit(2);
	}
out:
	pn_genl_close(&pod);
	pn_genl_close(&host);
	close(host_ns);
	return ret;
}

int cni_cmd_check(struct cni_run *run)
{
	struct cni_err *e = &run->err;
	struct cni_result r = { 0 };
	json_t *prev = run->conf.prev_result, *out;
	int netns, lock, pod, ret = -1;

	if (!prev)
		return cni_fail(e, CNI_ERR_CONFIG, "CHECK needs the prevResult of ADD");
	cni_host_ifname(run->env.containerid, run->env.ifname, r.host_if);
	snprintf(r.pod_if, sizeof(r.pod_if), "%s", run->env.ifname);
	r.netns = run->env.netns;
	pod = cni_result_find_if(prev, r.pod_if, r.netns, r.pod_mac);
	if (cni_result_find_if(prev, r.host_if, NULL, r.host_mac) < 0 || pod < 0)
		return cni_fail(e, CNI_ERR_CONFIG,
				"prevResult does not list interfaces %s and %s (in %s) with their MACs",
				r.host_if, r.pod_if, r.netns);
	/* Only the pod end's addresses: a chain may have added others. */
	if (cni_result_parse_ips(prev, &r, "prevResult", CNI_ERR_CONFIG, pod, e) < 0)
		goto out_free;
	netns = cni_netns_open(run->env.netns, e);
	if (netns < 0)
		goto out_free;
	lock = cni_lock(run->conf.runtime_dir, run->env.containerid, e);
	if (lock < 0)
		goto out_netns;
	if (cni_pod_mtu(&run->conf, &r.mtu, e) == 0 &&
	    cni_ipam_exec(run, "CHECK", &out, e) == 0) {
		json_decref(out);
		ret = check_dataplane(run, &r, netns, e);
	}
	cni_unlock(lock, run->conf.runtime_dir, run->env.containerid);
out_netns:
	close(netns);
out_free:
	cni_result_free(&r);
	return ret;
}
