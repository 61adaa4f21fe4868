// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink: links, addresses and routes, on lib/nl.c's request loop.
 */

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/podnet.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl.h"

#define RTNL_BUF	4096

int pn_rtnl_open(struct pn_genl *rt, struct pn_nl_err *e)
{
	int one = 1;

	memset(rt, 0, sizeof(*rt));
	snprintf(rt->name, sizeof(rt->name), "rtnetlink");
	rt->rxbuf = malloc(PN_NL_RXBUF);
	rt->rxlen = PN_NL_RXBUF;
	rt->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!rt->rxbuf || !rt->nl) {
		pn_nl_err_set(e, errno, "cannot open an rtnetlink socket: %s", strerror(errno));
		goto err;
	}
	if (mnl_socket_bind(rt->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		pn_nl_err_set(e, errno, "cannot bind the rtnetlink socket: %s", strerror(errno));
		goto err;
	}
	rt->portid = mnl_socket_get_portid(rt->nl);
	mnl_socket_setsockopt(rt->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(rt->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
err:
	pn_genl_close(rt);
	return -1;
}

static struct nlmsghdr *rt_msg(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, RTNL_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

/* --- links ---------------------------------------------------------------- */

/* A podnet device's VNI and VTEP MAC, from its IFLA_INFO_DATA. */
static void podnet_info(const struct nlattr *data, struct pn_link *l)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, data) {
		if (mnl_attr_get_type(a) == IFLA_PODNET_VNI &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			l->vni = mnl_attr_get_u32(a);
			l->has_vni = true;
		} else if (mnl_attr_get_type(a) == IFLA_PODNET_MAC &&
			   mnl_attr_get_payload_len(a) == PN_MAC_LEN) {
			memcpy(l->vtep_mac, mnl_attr_get_payload(a), PN_MAC_LEN);
			l->has_vtep_mac = true;
		}
	}
}

static void link_info(const struct nlattr *li, struct pn_link *l)
{
	const struct nlattr *a, *data = NULL;

	mnl_attr_for_each_nested(a, li) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
		    mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
			snprintf(l->kind, sizeof(l->kind), "%.*s",
				 (int)strnlen(mnl_attr_get_str(a), mnl_attr_get_payload_len(a)),
				 mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
			data = a;
	}
	if (data && !strcmp(l->kind, "podnet"))
		podnet_info(data, l);
}

static int link_parse(const struct nlmsghdr *nlh, struct pn_link *l)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(l, 0, sizeof(*l));
	l->ifindex = (uint32_t)ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		size_t plen = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_IFALIAS:
			snprintf(l->alias, sizeof(l->alias), "%.*s",
				 (int)strnlen(mnl_attr_get_str(a), plen), mnl_attr_get_str(a));
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			l->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (plen == PN_MAC_LEN) {
				memcpy(l->mac, mnl_attr_get_payload(a), PN_MAC_LEN);
				l->has_mac = true;
			}
			break;
		case IFLA_LINKINFO:
			link_info(a, l);
			break;
		}
	}
	return 0;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	return link_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int pn_rtnl_link_get(struct pn_genl *rt, const char *name, struct pn_link *l,
		     struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	/* The reply comes before the ack: pn_genl_request() adds NLM_F_ACK. */
	memset(l, 0, sizeof(*l));
	if (pn_genl_request(rt, nlh, link_get_cb, l, e) < 0)
		return -1;
	if (!l->ifindex) {
		pn_nl_err_set(e, ENODEV, "no reply for link %s", name);
		return -1;
	}
	return 0;
}

struct link_dump {
	int (*cb)(const struct pn_link *l, void *data);
	void *data;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;
	struct pn_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (link_parse(nlh, &l) < 0)
		return MNL_CB_ERROR;
	return d->cb(&l, d->data) ? MNL_CB_STOP : MNL_CB_OK;
}

int pn_rtnl_link_dump(struct pn_genl *rt, int (*cb)(const struct pn_link *l, void *data),
		      void *data, struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_dump d = { .cb = cb, .data = data };

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return pn_genl_request(rt, nlh, link_dump_cb, &d, e);
}

int pn_rtnl_veth_add(struct pn_genl *rt, const char *name, const char *peer,
		     int peer_netns_fd, uint32_t mtu, struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo, *data, *peer_nest;
	struct ifinfomsg *pifi;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's attributes. */
	peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer_nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

int pn_rtnl_podnet_add(struct pn_genl *rt, const char *name, const struct pn_podnet_link *p,
		       struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo, *data;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "podnet");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_PODNET_VNI, p->vni);
	mnl_attr_put_u16(nlh, IFLA_PODNET_PORT, p->port);
	if (p->has_local)
		mnl_attr_put(nlh, p->local.family == AF_INET ? IFLA_PODNET_LOCAL : IFLA_PODNET_LOCAL6,
			     pn_addr_len(&p->local), p->local.b);
	if (p->link)
		mnl_attr_put_u32(nlh, IFLA_PODNET_LINK, p->link);
	if (p->has_mac)
		mnl_attr_put(nlh, IFLA_PODNET_MAC, PN_MAC_LEN, p->mac);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

int pn_rtnl_link_up(struct pn_genl *rt, uint32_t ifindex, const char *alias,
		    struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (alias)
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

int pn_rtnl_link_del(struct pn_genl *rt, uint32_t ifindex, const char *name,
		     struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	if (!ifindex)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

/* --- addresses ------------------------------------------------------------ */

int pn_rtnl_addr_add(struct pn_genl *rt, uint32_t ifindex, const struct pn_addr *a,
		     uint8_t len, struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = len;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (a->family == AF_INET6) {
		if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
			ifa->ifa_scope = RT_SCOPE_LINK;
		ifa->ifa_flags = IFA_F_NODAD;
	}
	mnl_attr_put(nlh, IFA_LOCAL, pn_addr_len(a), a->b);
	mnl_attr_put(nlh, IFA_ADDRESS, pn_addr_len(a), a->b);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

struct addr_dump {
	uint32_t ifindex;
	int (*cb)(const struct pn_ifaddr *a, void *data);
	void *data;
};

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_dump *d = data;
	struct pn_ifaddr out = { .ifindex = ifa->ifa_index };
	const struct nlattr *a;
	bool have = false;

	if (nlh->nlmsg_type != RTM_NEWADDR || (d->ifindex && ifa->ifa_index != d->ifindex))
		return MNL_CB_OK;
	out.len = ifa->ifa_prefixlen;
	out.scope = ifa->ifa_scope;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		/* IFA_LOCAL is this end on point-to-point links; IFA_ADDRESS else. */
		int t = mnl_attr_get_type(a);

		if ((t == IFA_LOCAL || (t == IFA_ADDRESS && !have)) &&
		    pn_addr_from_bytes(&out.addr, mnl_attr_get_payload(a),
				       mnl_attr_get_payload_len(a)) == 0)
			have = true;
	}
	if (!have)
		return MNL_CB_OK;
	return d->cb(&out, d->data) ? MNL_CB_STOP : MNL_CB_OK;
}

int pn_rtnl_addr_dump(struct pn_genl *rt, int family, uint32_t ifindex,
		      int (*cb)(const struct pn_ifaddr *a, void *data), void *data,
		      struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct addr_dump d = { .ifindex = ifindex, .cb = cb, .data = data };

	ifa->ifa_family = (uint8_t)family;
	return pn_genl_request(rt, nlh, addr_dump_cb, &d, e);
}

/* --- routes --------------------------------------------------------------- */

static int route_new(struct pn_genl *rt, const struct pn_route *r, uint16_t flags,
		     struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWROUTE, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	const struct pn_addr *dst = &r->dst.addr;

	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = dst->family == AF_INET && !r->has_gw ? RT_SCOPE_LINK
							       : RT_SCOPE_UNIVERSE;
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, pn_addr_len(dst), dst->b);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, pn_addr_len(&r->gw), r->gw.b);
	mnl_attr_put_u32(nlh, RTA_OIF, r->oif);
	return pn_genl_request(rt, nlh, NULL, NULL, e);
}

int pn_rtnl_route_add(struct pn_genl *rt, const struct pn_route *r, struct pn_nl_err *e)
{
	return route_new(rt, r, NLM_F_CREATE | NLM_F_EXCL, e);
}

int pn_rtnl_route_replace(struct pn_genl *rt, const struct pn_route *r, struct pn_nl_err *e)
{
	return route_new(rt, r, NLM_F_CREATE | NLM_F_REPLACE, e);
}

struct route_dump {
	int family;
	int (*cb)(const struct pn_route *r, void *data);
	void *data;
};

static int route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_dump *d = data;
	struct pn_route r;
	const struct nlattr *a;
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != d->family ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	table = rtm->rtm_table;
	r.dst.addr.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	r.gw.family = rtm->rtm_family;
	r.scope = rtm->rtm_scope;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		const void *p = mnl_attr_get_payload(a);
		size_t plen = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				table = mnl_attr_get_u32(a);
			break;
		case RTA_DST:
			if (pn_addr_from_bytes(&r.dst.addr, p, plen) < 0)
				return MNL_CB_ERROR;
			break;
		case RTA_GATEWAY:
			if (pn_addr_from_bytes(&r.gw, p, plen) < 0)
				return MNL_CB_ERROR;
			r.has_gw = true;
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				r.oif = mnl_attr_get_u32(a);
			break;
		}
	}
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	r.table = RT_TABLE_MAIN;
	return d->cb(&r, d->data) ? MNL_CB_STOP : MNL_CB_OK;
}

int pn_rtnl_route_dump(struct pn_genl *rt, int family,
		       int (*cb)(const struct pn_route *r, void *data), void *data,
		       struct pn_nl_err *e)
{
	char buf[RTNL_BUF];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_dump d = { .family = family, .cb = cb, .data = data };

	rtm->rtm_family = (uint8_t)family;
	return pn_genl_request(rt, nlh, route_dump_cb, &d, e);
}
