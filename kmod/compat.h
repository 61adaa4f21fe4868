/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels podnet supports lives here.  The
 * PODNET_HAVE_* switches come from header probes in kmod/Kbuild.
 */
#ifndef _PODNET_COMPAT_H
#define _PODNET_COMPAT_H

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

/* asm/unaligned.h moved to linux/unaligned.h in 6.12. */
#ifdef PODNET_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * rtnl_link_ops.newlink: since 6.15 the nets and attribute tables come in
 * struct rtnl_newlink_params.  pn_compat_newlink() has the signature of the
 * kernel at hand and calls pn_newlink() (device.c) with link_net: the netns
 * named by IFLA_LINK_NETNSID, else the requester's, which is what older
 * kernels passed as their first argument.
 */
int pn_newlink(struct net_device *dev, struct net *link_net,
	       struct nlattr *tb[], struct nlattr *data[],
	       struct netlink_ext_ack *extack);

#ifdef PODNET_HAVE_NEWLINK_PARAMS
static inline int pn_compat_newlink(struct net_device *dev,
				    struct rtnl_newlink_params *params,
				    struct netlink_ext_ack *extack)
{
	return pn_newlink(dev, params->link_net ? : params->src_net,
			  params->tb, params->data, extack);
}
#else
static inline int pn_compat_newlink(struct net *link_net,
				    struct net_device *dev,
				    struct nlattr *tb[], struct nlattr *data[],
				    struct netlink_ext_ack *extack)
{
	return pn_newlink(dev, link_net, tb, data, extack);
}
#endif

/* NETIF_F_LLTX became a private flag bit, dev->lltx, in 6.12. */
static inline void pn_compat_set_lltx(struct net_device *dev)
{
#ifdef PODNET_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * Per-CPU tstats: since 6.6 the core allocates and frees them when
 * dev->pcpu_stat_type asks for it; before that the driver allocates them
 * in ndo_init and frees them in its destructor.
 */
static inline void pn_compat_tstats_setup(struct net_device *dev)
{
#ifdef PODNET_HAVE_PCPU_STAT_TYPE
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
#endif
}

static inline int pn_compat_tstats_alloc(struct net_device *dev)
{
#ifndef PODNET_HAVE_PCPU_STAT_TYPE
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
#endif
	return 0;
}

static inline void pn_compat_tstats_free(struct net_device *dev)
{
#ifndef PODNET_HAVE_PCPU_STAT_TYPE
	free_percpu(dev->tstats);
#endif
}

/* The parsed attributes of a genl dump request: in genl_info since 6.6. */
static inline struct nlattr **pn_compat_dump_attrs(struct netlink_callback *cb)
{
#ifdef PODNET_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * UDP tunnel sockets: setup_udp_tunnel_sock() and udp_tunnel_sock_release()
 * take the struct sock instead of the struct socket since 7.2 (also in
 * 7.1.x stable), and the transmit helpers gained IP control block flags in
 * 6.17.  podnet keeps the struct socket from udp_sock_create() either way.
 */
#include <net/inet_dscp.h>
#include <net/inet_ecn.h>
#include <net/udp_tunnel.h>

static inline void pn_compat_setup_udp_tunnel_sock(struct net *net,
						   struct socket *sock,
						   struct udp_tunnel_sock_cfg *cfg)
{
#ifdef PODNET_HAVE_UDP_TUNNEL_SK
	setup_udp_tunnel_sock(net, sock->sk, cfg);
#else
	setup_udp_tunnel_sock(net, sock, cfg);
#endif
}

static inline void pn_compat_udp_tunnel_sock_release(struct socket *sock)
{
#ifdef PODNET_HAVE_UDP_TUNNEL_SK
	udp_tunnel_sock_release(sock->sk);
#else
	udp_tunnel_sock_release(sock);
#endif
}

static inline void pn_compat_udp_tunnel_xmit_skb(struct rtable *rt,
						 struct sock *sk,
						 struct sk_buff *skb,
						 __be32 src, __be32 dst,
						 u8 tos, u8 ttl, __be16 df,
						 __be16 src_port,
						 __be16 dst_port,
						 bool xnet, bool nocheck)
{
#ifdef PODNET_HAVE_UDP_TUNNEL_IPCB_FLAGS
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, df, src_port,
			    dst_port, xnet, nocheck, 0);
#else
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, df, src_port,
			    dst_port, xnet, nocheck);
#endif
}

#if IS_ENABLED(CONFIG_IPV6)
static inline void pn_compat_udp_tunnel6_xmit_skb(struct dst_entry *dst,
						  struct sock *sk,
						  struct sk_buff *skb,
						  struct net_device *dev,
						  struct in6_addr *saddr,
						  struct in6_addr *daddr,
						  u8 prio, u8 ttl, __be32 label,
						  __be16 src_port,
						  __be16 dst_port, bool nocheck)
{
#ifdef PODNET_HAVE_UDP_TUNNEL6_IPCB_FLAGS
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, saddr, daddr, prio, ttl, label,
			     src_port, dst_port, nocheck, 0);
#else
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, saddr, daddr, prio, ttl, label,
			     src_port, dst_port, nocheck);
#endif
}
#endif

/* struct flowi4: the TOS byte became a dscp_t, flowi4_dscp, in 6.18. */
static inline void pn_compat_flowi4_set_tos(struct flowi4 *fl4, u8 tos)
{
#ifdef PODNET_HAVE_FLOWI4_DSCP
	fl4->flowi4_dscp = inet_dsfield_to_dscp(tos);
#else
	fl4->flowi4_tos = tos & ~INET_ECN_MASK;
#endif
}

#endif /* _PODNET_COMPAT_H */
