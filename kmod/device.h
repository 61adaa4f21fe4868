/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_DEVICE_H
#define _PODNET_DEVICE_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/socket.h>
#include <net/gro_cells.h>
#include <uapi/linux/podnet.h>

struct pn_table;
struct pn_stats;
struct pn_sock;

/*
 * Link configuration from the IFLA_PODNET_* attributes (see the UAPI
 * header).  The first block is fixed once the device exists.  The second
 * may be rewritten by changelink under RTNL while the datapath runs, which
 * reads each field with READ_ONCE().
 */
struct pn_config {
	u32 vni;
	u16 port;
	u8 encap;
	bool has_local;
	bool has_local6;
	__be32 local;
	struct in6_addr local6;
	int link;
	/* VTEP MAC: the inner Ethernet source of the VXLAN encapsulation. */
	u8 mac[ETH_ALEN];

	u8 ttl;
	u8 tos;
	bool ttl_inherit;
	bool tos_inherit;
	bool udp_csum;
	bool src_valid;
	bool dst_valid;
	u16 srcport_min;
	u16 srcport_max;
};

/*
 * One podnet link.  Lives in netdev_priv(); freed with the net_device by
 * the core (needs_free_netdev), after pn_device_destruct().
 */
struct pn_device {
	struct net_device *dev;

	/* Peer table (peertable.c).  @lock serializes every change of
	 * @table, @generation and the replace being built; readers of @table
	 * use RCU.
	 */
	struct pn_table __rcu *table;
	struct mutex lock;
	u32 generation;
	struct pn_table *staging;
	struct net *staging_net;
	u32 staging_portid;
	/* In the list of all podnet devices, for the socket release notifier
	 * that drops abandoned replaces.
	 */
	struct list_head list;
	/* Counters of traffic that belongs to no peer. */
	struct pn_stats __percpu *stats;

	/* Datapath (socket.c, send.c, receive.c). */
	struct pn_config cfg;
	/* The netns of the UDP sockets, where the device was created; it stays
	 * if the device moves.  Not refcounted: that netns' exit deletes the
	 * device first (socket.c).
	 */
	struct net *net;
	struct list_head net_node;	/* pn_net.devices, under RTNL */
	/* Set while the device is up; RCU for the datapath, RTNL to change. */
	struct pn_sock __rcu *sock4;
	struct pn_sock __rcu *sock6;
	struct hlist_node vni_node4;	/* in sock4's VNI hash */
	struct hlist_node vni_node6;
	struct gro_cells gro_cells;
};

/* Bytes the device's encapsulation puts in front of an inner packet. */
static inline unsigned int pn_encap_overhead(const struct pn_config *cfg,
					     int family)
{
	if (cfg->encap == PODNET_ENCAP_GPE)
		return family == AF_INET ? PODNET_GPE_OVERHEAD_IPV4 :
					   PODNET_GPE_OVERHEAD_IPV6;
	return family == AF_INET ? PODNET_VXLAN_OVERHEAD_IPV4 :
				   PODNET_VXLAN_OVERHEAD_IPV6;
}

int pn_device_fill_config(struct sk_buff *skb, const struct pn_device *pn);

int pn_device_init(void);
void pn_device_uninit(void);

#endif /* _PODNET_DEVICE_H */
