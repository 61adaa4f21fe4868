// SPDX-License-Identifier: GPL-2.0
/*
 * The routed veth (the Calico pattern).  The pod end, CNI_IFNAME, has the
 * pod's addresses as host prefixes (/32, /128) and only two kinds of
 * route: 169.254.1.1 on the link, and default routes via 169.254.1.1 and
 * via fe80::1.  The host end, named from the container ID and ifname so
 * that DEL finds it without state, has 169.254.1.1/32 and fe80::1/64
 * (so the pod's gateways answer at once, proxy ARP/NDP on as well) and
 * the host routes to the pod's addresses.  Everything hangs off the
 * host end: deleting it deletes the pod end and the host routes, which is
 * all DEL has to do, netns or not.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"
#include "rtnl.h"

void cni_host_ifname(const char *containerid, const char *ifname, char out[IFNAMSIZ])
{
	/* FNV-1a, 64 bits, of "ID\0IFNAME"; 48 of them in the name. */
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *s[2] = { containerid, ifname };
	int i;

	for (i = 0; i < 2; i++) {
		const unsigned char *p = (const unsigned char *)s[i];

		do {
			h ^= *p;
			h *= 0x100000001b3ULL;
		} while (*p++);
	}
	snprintf(out, IFNAMSIZ, "pn%012llx", (unsigned long long)(h >> 16));
}

void cni_host_alias(const char *network, const char *containerid, const char *ifname,
		    char *out, size_t len)
{
	snprintf(out, len, CNI_ALIAS_PREFIX "%s:%s:%s", network, containerid, ifname);
}

static int nl_fail(struct cni_err *e, const struct pn_nl_err *ne, const char *fmt,
		   const char *arg)
{
	char what[128];

	snprintf(what, sizeof(what), fmt, arg);
	return cni_fail(e, CNI_ERR_NETLINK, "%s: %s", what,
			ne->msg[0] ? ne->msg : strerror(ne->err));
}

int cni_pod_mtu(const struct cni_conf *c, uint32_t *mtu, struct cni_err *e)
{
	struct pn_nl_err ne;
	struct pn_genl rt;
	struct pn_link l;
	int ret;

	if (c->mtu) {
		*mtu = c->mtu;
		return 0;
	}
	if (pn_rtnl_open(&rt, &ne) < 0)
		return nl_fail(e, &ne, "%s", "rtnetlink");
	ret = pn_rtnl_link_get(&rt, c->device, &l, &ne);
	pn_genl_close(&rt);
	if (ret < 0 && ne.err == ENODEV)
		return cni_fail(e, CNI_ERR_AGAIN,
				"device %s does not exist (yet), and the config sets no mtu",
				c->device);
	if (ret < 0)
		return nl_fail(e, &ne, "cannot read device %s", c->device);
	*mtu = l.mtu;
	return 0;
}

static void gateway(int family, struct pn_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	inet_pton(family, family == AF_INET ? CNI_GW4 : CNI_GW6, a->b);
}

static void host_prefix(const struct pn_addr *a, struct pn_prefix *p)
{
	p->addr = *a;
	p->len = (uint8_t)pn_addr_bits(a->family);
}

static int default_cb(const struct pn_route *r, void *data)
{
	if (r->dst.len)
		return 0;
	*(bool *)data = true;
	return 1;
}

/*
 * Has the pod a default route of @family already?  A fresh one has not; a
 * pod with a second podnet interface (another network) has the first's,
 * and keeps it: its routes go with the first interface only.
 */
static int has_default(struct pn_genl *rt, int family, bool *yes, struct cni_err *e)
{
	struct pn_nl_err ne;

	*yes = false;
	if (pn_rtnl_route_dump(rt, family, default_cb, yes, &ne) < 0)
		return nl_fail(e, &ne, "%s", "cannot list the pod's routes");
	return 0;
}

/* In the pod's namespace: sysctls, addresses, up, routes. */
static int pod_side(struct pn_genl *rt, struct cni_result *r, struct cni_err *e)
{
	struct pn_route route;
	struct pn_nl_err ne;
	struct pn_link l;
	char sysctl[128];
	unsigned int i;
	bool v4 = cni_result_has_family(r, AF_INET), v6 = cni_result_has_family(r, AF_INET6);
	bool def4 = false, def6 = false;

	if (pn_rtnl_link_get(rt, r->pod_if, &l, &ne) < 0)
		return nl_fail(e, &ne, "cannot find %s in the pod", r->pod_if);
	memcpy(r->pod_mac, l.mac, PN_MAC_LEN);
	snprintf(sysctl, sizeof(sysctl), "ipv6/conf/%s/accept_dad", r->pod_if);
	if (v6 && cni_sysctl(sysctl, "0", e) < 0)
		return -1;
	for (i = 0; i < r->n_ips; i++)
		if (pn_rtnl_addr_add(rt, l.ifindex, &r->ips[i].addr,
				     (uint8_t)pn_addr_bits(r->ips[i].addr.family), &ne) < 0)
			return nl_fail(e, &ne, "cannot add the pod's address on %s", r->pod_if);
	if (pn_rtnl_link_up(rt, l.ifindex, NULL, &ne) < 0)
		return nl_fail(e, &ne, "cannot bring %s up", r->pod_if);

	memset(&route, 0, sizeof(route));
	route.oif = l.ifindex;
	if ((v4 && has_default(rt, AF_INET, &def4, e) < 0) ||
	    (v6 && has_default(rt, AF_INET6, &def6, e) < 0))
		return -1;
	if (v4 && !def4) {
		gateway(AF_INET, &route.dst.addr);
		route.dst.len = 32;
		if (pn_rtnl_route_add(rt, &route, &ne) < 0)
			return nl_fail(e, &ne, "cannot add the route to %s in the pod", CNI_GW4);
		memset(&route.dst, 0, sizeof(route.dst));
		route.dst.addr.family = AF_INET;
		gateway(AF_INET, &route.gw);
		route.has_gw = true;
		if (pn_rtnl_route_add(rt, &route, &ne) < 0)
			return nl_fail(e, &ne, "cannot add the default route via %s in the pod",
				       CNI_GW4);
	}
	if (v6 && !def6) {
		memset(&route.dst, 0, sizeof(route.dst));
		route.dst.addr.family = AF_INET6;
		gateway(AF_INET6, &route.gw);
		route.has_gw = true;
		if (pn_rtnl_route_add(rt, &route, &ne) < 0)
			return nl_fail(e, &ne, "cannot add the default route via %s in the pod",
				       CNI_GW6);
	}
	return 0;
}

/* The host end, created: sysctls, gateway addresses, alias, up. */
static int host_side(const struct cni_run *run, struct pn_genl *rt, struct cni_result *r,
		     uint32_t ifindex, struct cni_err *e)
{
	const char *h = r->host_if;
	struct pn_addr gw;
	struct pn_nl_err ne;
	char path[128], alias[256];

	snprintf(path, sizeof(path), "ipv4/conf/%s/proxy_arp", h);
	if (cni_result_has_family(r, AF_INET) && cni_sysctl(path, "1", e) < 0)
		return -1;
	if (cni_result_has_family(r, AF_INET6)) {
		snprintf(path, sizeof(path), "ipv6/conf/%s/proxy_ndp", h);
		if (cni_sysctl(path, "1", e) < 0)
			return -1;
		snprintf(path, sizeof(path), "ipv6/conf/%s/accept_dad", h);
		if (cni_sysctl(path, "0", e) < 0)
			return -1;
	}
	if (cni_result_has_family(r, AF_INET)) {
		gateway(AF_INET, &gw);
		if (pn_rtnl_addr_add(rt, ifindex, &gw, 32, &ne) < 0)
			return nl_fail(e, &ne, "cannot add %s to the host end", CNI_GW4);
	}
	if (cni_result_has_family(r, AF_INET6)) {
		gateway(AF_INET6, &gw);
		if (pn_rtnl_addr_add(rt, ifindex, &gw, 64, &ne) < 0)
			return nl_fail(e, &ne, "cannot add %s to the host end", CNI_GW6);
	}
	cni_host_alias(run->conf.name, run->env.containerid, run->env.ifname, alias,
		       sizeof(alias));
	if (pn_rtnl_link_up(rt, ifindex, alias, &ne) < 0)
		return nl_fail(e, &ne, "cannot bring %s up", h);
	return 0;
}

static int host_routes(struct pn_genl *rt, const struct cni_result *r, uint32_t ifindex,
		       struct cni_err *e)
{
	struct pn_route route = { .oif = ifindex };
	struct pn_nl_err ne;
	char a[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < r->n_ips; i++) {
		host_prefix(&r->ips[i].addr, &route.dst);
		if (pn_rtnl_route_add(rt, &route, &ne) < 0)
			return nl_fail(e, &ne, "cannot add the host route to %s",
				       pn_addr_str(&r->ips[i].addr, a, sizeof(a)));
	}
	return 0;
}

/* EEXIST on creation: say which end is in the way. */
static int exists_fail(struct pn_genl *rt, const struct cni_result *r, struct cni_err *e)
{
	struct pn_nl_err ne;
	struct pn_link l;

	if (pn_rtnl_link_get(rt, r->host_if, &l, &ne) == 0)
		return cni_fail(e, CNI_ERR_NETLINK,
				"host interface %s already exists (%s): an earlier ADD of this container and interface was not deleted",
				r->host_if, l.alias[0] ? l.alias : "no alias");
	return cni_fail(e, CNI_ERR_NETLINK, "interface %s already exists in %s", r->pod_if,
			r->netns);
}

int cni_veth_unused(const struct cni_run *run, struct cni_err *e)
{
	struct cni_result r = { 0 };
	struct pn_nl_err ne;
	struct pn_genl rt;
	struct pn_link l;
	int ret;

	cni_host_ifname(run->env.containerid, run->env.ifname, r.host_if);
	if (pn_rtnl_open(&rt, &ne) < 0)
		return nl_fail(e, &ne, "%s", "rtnetlink");
	if (pn_rtnl_link_get(&rt, r.host_if, &l, &ne) == 0)
		ret = exists_fail(&rt, &r, e);
	else if (ne.err == ENODEV)
		ret = 0;
	else
		ret = nl_fail(e, &ne, "cannot read %s", r.host_if);
	pn_genl_close(&rt);
	return ret;
}

int cni_veth_setup(const struct cni_run *run, struct cni_result *r, int netns_fd,
		   struct cni_err *e)
{
	struct pn_genl host = { 0 }, pod = { 0 };
	struct pn_nl_err ne;
	struct pn_link l = { 0 };
	int host_ns, ret = -1;

	cni_host_ifname(run->env.containerid, run->env.ifname, r->host_if);
	snprintf(r->pod_if, sizeof(r->pod_if), "%s", run->env.ifname);
	r->netns = run->env.netns;
	host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host_ns < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot open the host's netns: %s", strerror(errno));
	if (pn_rtnl_open(&host, &ne) < 0) {
		nl_fail(e, &ne, "%s", "rtnetlink");
		goto out;
	}
	if (pn_rtnl_veth_add(&host, r->host_if, r->pod_if, netns_fd, r->mtu, &ne) < 0) {
		if (ne.err == EEXIST)
			exists_fail(&host, r, e);
		else
			nl_fail(e, &ne, "cannot create veth %s", r->host_if);
		goto out;
	}
	/* From here on, a failure deletes the pair (undo). */
	if (pn_rtnl_link_get(&host, r->host_if, &l, &ne) < 0) {
		nl_fail(e, &ne, "cannot find %s after creating it", r->host_if);
		goto undo;
	}
	memcpy(r->host_mac, l.mac, PN_MAC_LEN);
	if (host_side(run, &host, r, l.ifindex, e) < 0)
		goto undo;

	if (cni_netns_enter(netns_fd, run->env.netns, e) < 0)
		goto undo;
	if (pn_rtnl_open(&pod, &ne) < 0)
		nl_fail(e, &ne, "%s", "rtnetlink in the pod");
	else
		ret = pod_side(&pod, r, e);
	if (cni_netns_enter(host_ns, "the host's netns", e) < 0) {
		/* Can't happen short of a kernel bug; better dead than wrong. */
		fprintf(stderr, "podnet: %s\n", e->msg);
		_exit(2);
	}
	if (ret < 0)
		goto undo;
	ret = host_routes(&host, r, l.ifindex, e);
	if (ret == 0)
		goto out;
undo:
	ret = -1;
	if (l.ifindex)
		pn_rtnl_link_del(&host, l.ifindex, NULL, &ne);
	else
		pn_rtnl_link_del(&host, 0, r->host_if, &ne);
out:
	pn_genl_close(&pod);
	pn_genl_close(&host);
	close(host_ns);
	return ret;
}

int cni_veth_teardown(const char *host_if, struct cni_err *e)
{
	struct pn_genl rt;
	struct pn_nl_err ne;
	struct pn_link l;
	int ret = 0;

	if (pn_rtnl_open(&rt, &ne) < 0)
		return nl_fail(e, &ne, "%s", "rtnetlink");
	if (pn_rtnl_link_get(&rt, host_if, &l, &ne) < 0) {
		if (ne.err != ENODEV)
			ret = nl_fail(e, &ne, "cannot read %s", host_if);
	} else if (strcmp(l.kind, "veth")) {
		/* (No alias check: an ADD that died before setting it left a veth.) */
		ret = cni_fail(e, CNI_ERR_NETLINK, "%s is not a veth (kind %s): not deleting it",
			       host_if, l.kind[0] ? l.kind : "none");
	} else if (pn_rtnl_link_del(&rt, l.ifindex, NULL, &ne) < 0 && ne.err != ENODEV) {
		ret = nl_fail(e, &ne, "cannot delete %s", host_if);
	}
	pn_genl_close(&rt);
	return ret;
}
