/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_SOCKET_H
#define _PODNET_SOCKET_H

#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/rculist.h>
#include <linux/u64_stats_sync.h>
#include <net/sock.h>

struct pn_device;
struct pn_config;

/* Drops on a socket before any device is known (see receive.c). */
enum pn_sock_drop {
	PN_SOCK_DROP_MALFORMED,		/* truncated, bad flags or reserved bits */
	PN_SOCK_DROP_BAD_VNI,		/* no device with that VNI on the socket */
	PN_SOCK_DROP_MAX
};

struct pn_sock_stats {
	u64_stats_t drops[PN_SOCK_DROP_MAX];
	struct u64_stats_sync syncp;
};

#define PN_VNI_HASH_BITS	4

/*
 * A kernel UDP tunnel socket, shared by every device created in its netns
 * that binds the same family, local address and port; the devices on it
 * are told apart by VNI.  Created by the first such device going up, released
 * when the last one goes down.  The list membership and @refcnt are
 * protected by RTNL; @vni_head is an RCU hash that the receive path walks.
 */
struct pn_sock {
	struct list_head list;		/* pn_net.socks */
	struct socket *sock;
	unsigned int refcnt;
	sa_family_t family;
	__be16 port;
	union {
		__be32 addr4;
		struct in6_addr addr6;
	};
	struct hlist_head vni_head[1 << PN_VNI_HASH_BITS];
	struct pn_sock_stats __percpu *stats;
	struct rcu_head rcu;
};

int pn_socket_init(void);
void pn_socket_uninit(void);

int pn_socket_check_config(struct net *net, const struct pn_config *cfg,
			   struct netlink_ext_ack *extack);
void pn_socket_add_device(struct pn_device *pn);
void pn_socket_del_device(struct pn_device *pn);

int pn_socket_open(struct pn_device *pn);
void pn_socket_close(struct pn_device *pn);

struct pn_device *pn_socket_find_vni(struct pn_sock *ps, u32 vni);
void pn_socket_count_drop(struct pn_sock *ps, enum pn_sock_drop reason);
size_t pn_socket_xstats_size(void);
int pn_socket_fill_xstats(struct sk_buff *skb, int attrtype,
			  struct pn_device *pn);

#endif /* _PODNET_SOCKET_H */
