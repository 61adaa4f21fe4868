/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink requests the CNI plugin and podnetd need: links (veth
 * pairs, podnet devices, up, alias, delete, get and dump), addresses and
 * routes.
 *
 * A socket answers for the network namespace it was opened in, whatever
 * namespace the caller is in later: open one per namespace (setns() to
 * it, pn_rtnl_open(), setns() back).  The socket is a struct pn_genl of
 * lib/nl.h with no family resolved: its request and ack handling, extended
 * acks included, is not specific to generic netlink.
 */
#ifndef PN_RTNL_H
#define PN_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "nl.h"

int pn_rtnl_open(struct pn_genl *rt, struct pn_nl_err *e);

struct pn_link {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	char kind[16];			/* IFLA_INFO_KIND, "" if none */
	char alias[256];		/* IFLA_IFALIAS, "" if none */
	uint32_t mtu;
	unsigned int flags;		/* IFF_* */
	uint8_t mac[PN_MAC_LEN];
	bool has_mac;
	/* A podnet device's (IFLA_INFO_DATA): VNI and VTEP MAC. */
	uint32_t vni;
	bool has_vni;
	uint8_t vtep_mac[PN_MAC_LEN];
	bool has_vtep_mac;
};

/* @name's link; -1 with e->err ENODEV if there is none. */
int pn_rtnl_link_get(struct pn_genl *rt, const char *name, struct pn_link *l,
		     struct pn_nl_err *e);

/* Every link of the namespace to @cb; a non-zero return stops the dump. */
int pn_rtnl_link_dump(struct pn_genl *rt, int (*cb)(const struct pn_link *l, void *data),
		      void *data, struct pn_nl_err *e);

/*
 * A veth pair: @name here, @peer in the namespace @peer_netns_fd (-1: this
 * one), both with @mtu (0: the kernel's default).  Both ends stay down.
 */
int pn_rtnl_veth_add(struct pn_genl *rt, const char *name, const char *peer,
		     int peer_netns_fd, uint32_t mtu, struct pn_nl_err *e);

/*
 * A podnet device (IFLA_PODNET_*): VNI, port, LOCAL or LOCAL6, LINK (0:
 * none), MAC (the kernel picks a random one without).
 */
struct pn_podnet_link {
	uint32_t vni;
	uint16_t port;
	struct pn_addr local;
	bool has_local;
	uint32_t link;
	uint8_t mac[PN_MAC_LEN];
	bool has_mac;
};

int pn_rtnl_podnet_add(struct pn_genl *rt, const char *name, const struct pn_podnet_link *p,
		       struct pn_nl_err *e);

/* Bring @ifindex up, setting its alias first if @alias is not NULL. */
int pn_rtnl_link_up(struct pn_genl *rt, uint32_t ifindex, const char *alias,
		    struct pn_nl_err *e);

/* Delete the link @ifindex (0: by @name); ENODEV if it is gone. */
int pn_rtnl_link_del(struct pn_genl *rt, uint32_t ifindex, const char *name,
		     struct pn_nl_err *e);

/* @a/@len on @ifindex; IPv6 addresses without DAD (IFA_F_NODAD). */
int pn_rtnl_addr_add(struct pn_genl *rt, uint32_t ifindex, const struct pn_addr *a,
		     uint8_t len, struct pn_nl_err *e);

struct pn_ifaddr {
	uint32_t ifindex;
	struct pn_addr addr;		/* IFA_ADDRESS */
	uint8_t len;
	uint8_t scope;
};

/* Every address of @family (AF_UNSPEC: both) on @ifindex (0: all) to @cb. */
int pn_rtnl_addr_dump(struct pn_genl *rt, int family, uint32_t ifindex,
		      int (*cb)(const struct pn_ifaddr *a, void *data), void *data,
		      struct pn_nl_err *e);

/*
 * A route in the main table: to @dst (a prefix, 0.0.0.0/0 for default)
 * out of @oif, through @gw if has_gw.  Scope link for an IPv4 route with
 * no gateway, universe otherwise.
 */
struct pn_route {
	struct pn_prefix dst;
	struct pn_addr gw;
	bool has_gw;
	uint32_t oif;
	uint8_t scope;			/* dumps only */
	uint8_t table;			/* dumps only */
};

int pn_rtnl_route_add(struct pn_genl *rt, const struct pn_route *r, struct pn_nl_err *e);
/* The same, replacing a route to the same destination (NLM_F_REPLACE). */
int pn_rtnl_route_replace(struct pn_genl *rt, const struct pn_route *r, struct pn_nl_err *e);

/* Every route of @family in the main table to @cb. */
int pn_rtnl_route_dump(struct pn_genl *rt, int family,
		       int (*cb)(const struct pn_route *r, void *data), void *data,
		       struct pn_nl_err *e);

#endif
