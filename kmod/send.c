// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: inner packet -> peer (longest-prefix match on the destination)
 * -> route to the peer's endpoint (per-peer dst_cache) -> VXLAN
 * encapsulation -> udp_tunnel_xmit_skb() / udp_tunnel6_xmit_skb().
 *
 * The device is lockless (lltx, no qdisc): everything here runs with BH
 * disabled (dev_queue_xmit()'s rcu_read_lock_bh(), or netpoll's and
 * AF_PACKET's direct transmits), which is an RCU read-side section: it
 * covers the peer, which the peer table frees after an RCU grace period,
 * without one of our own.
 * A GSO packet is encapsulated once, as one big packet marked with the UDP
 * tunnel GSO type, and segmented below us (in the underlay driver or in
 * software just before it).
 */

#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/tun_proto.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/vxlan.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "peer.h"
#include "send.h"
#include "socket.h"

/* What the encapsulation needs to know about the inner packet. */
struct pn_inner {
	u8 dsfield;	/* TOS / traffic class, ECN bits included */
	u8 ttl;
	__be16 df;	/* outer DF: the inner one for IPv4, always for IPv6 */
	unsigned int len;
};

static void pn_count_drop(struct pn_device *pn, struct pn_peer *peer,
			  enum pn_drop_reason reason)
{
	struct pn_stats __percpu *pcpu;

	pcpu = peer ? READ_ONCE(peer->stats) : pn->stats;
	if (pcpu)
		pn_stats_drop(this_cpu_ptr(pcpu), reason);
	dev_core_stats_tx_dropped_inc(pn->dev);
}

/*
 * The outer ECN field, per RFC 6040 normal mode: a copy of the inner one,
 * CE included.  The decapsulator (receive.c) folds it back in.
 */
static u8 pn_ecn_encap(u8 outer_dsfield, u8 inner_dsfield)
{
	return (outer_dsfield & ~INET_ECN_MASK) |
	       (inner_dsfield & INET_ECN_MASK);
}

static void pn_inner_info(struct sk_buff *skb, struct pn_inner *in)
{
	in->len = skb->len;
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		in->dsfield = ipv4_get_dsfield(iph);
		in->ttl = iph->ttl;
		in->df = iph->frag_off & htons(IP_DF);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		in->dsfield = ipv6_get_dsfield(ip6h);
		in->ttl = ip6h->hop_limit;
		in->df = htons(IP_DF);
	}
}

/*
 * Path MTU: if the packet (each segment, for GSO) does not fit the route to
 * the peer minus the encapsulation, lower the PMTU of the inner route and
 * tell the sender with ICMP fragmentation-needed / packet-too-big, as a
 * plain link of that MTU would.  An IPv4 packet without DF goes out with
 * the outer DF clear instead, to be fragmented by the underlay, and so
 * does IPv6 when the path is below the IPv6 minimum MTU.  Returns true if
 * the packet must be dropped.
 */
static bool pn_pmtu_drop(struct sk_buff *skb, struct dst_entry *dst,
			 unsigned int overhead, struct pn_inner *in)
{
	int mtu = (int)dst_mtu(dst) - (int)overhead;

	if (mtu >= 0 &&
	    (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu) :
	     skb->len <= (unsigned int)mtu))
		return false;

	if (skb->protocol == htons(ETH_P_IP)) {
		if (!in->df || mtu < 68) {
			in->df = 0;
			return false;
		}
		skb_dst_update_pmtu_no_confirm(skb, mtu);
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
		return true;
	}
	if (mtu < IPV6_MIN_MTU) {
		in->df = 0;
		return false;
	}
	skb_dst_update_pmtu_no_confirm(skb, mtu);
	icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	return true;
}

/*
 * Put the VXLAN header, and for VXLAN the inner Ethernet header, in front
 * of the inner IP packet and mark it for UDP tunnel offloads.  @headroom
 * covers the outer headers still to come and the underlay's link-layer
 * header.
 */
static int pn_encap(struct pn_device *pn, struct pn_peer *peer,
		    struct sk_buff *skb, unsigned int headroom, bool udp_csum)
{
	bool gpe = pn->cfg.encap == PODNET_ENCAP_GPE;
	struct vxlanhdr *vh;
	struct ethhdr *eh;
	int err;

	err = skb_cow_head(skb, headroom);
	if (unlikely(err))
		return err;

	if (gpe) {
		skb_reset_mac_header(skb);
	} else {
		eh = skb_push(skb, ETH_HLEN);
		skb_reset_mac_header(skb);
		ether_addr_copy(eh->h_dest, peer->has_mac ? peer->mac :
							     pn->cfg.mac);
		ether_addr_copy(eh->h_source, pn->cfg.mac);
		eh->h_proto = skb->protocol;
	}

	/* Records the inner headers (the Ethernet header just pushed, or the
	 * IP header for GPE) for GSO and checksum offload of the
	 * encapsulated packet.
	 */
	err = iptunnel_handle_offloads(skb, udp_csum ? SKB_GSO_UDP_TUNNEL_CSUM :
						       SKB_GSO_UDP_TUNNEL);
	if (unlikely(err))
		return err;

	vh = __skb_push(skb, sizeof(*vh));
	vh->vx_vni = cpu_to_be32(pn->cfg.vni << 8);
	if (gpe) {
		vh->vx_flags = VXLAN_HF_VNI | VXLAN_HF_NP |
			       cpu_to_be32(skb->protocol == htons(ETH_P_IP) ?
					   TUN_P_IPV4 : TUN_P_IPV6);
		skb_set_inner_protocol(skb, skb->protocol);
	} else {
		vh->vx_flags = VXLAN_HF_VNI;
		skb_set_inner_protocol(skb, htons(ETH_P_TEB));
	}
	return 0;
}

/*
 * The outer UDP source port: a hash of the inner flow in [srcport_min,
 * srcport_max], both ends included, or by default (0, 0) in the netns'
 * ip_local_port_range.  Not udp_flow_src_port(): up to 6.12 at least it
 * never picks the upper bound, and it takes a range of one port
 * (MIN == MAX) for the default range.
 */
static __be16 pn_src_port(struct pn_device *pn, struct sk_buff *skb)
{
	int min = READ_ONCE(pn->cfg.srcport_min);
	int max = READ_ONCE(pn->cfg.srcport_max);
	u32 hash;

	if (!min)
		inet_get_local_port_range(pn->net, &min, &max);
	/* A changelink racing with us may pair an old bound with a new one. */
	if (max < min)
		max = min;
	hash = skb_get_hash(skb) ? : udp_flow_hashrnd();
	/* The port comes from the upper bits; fold the lower ones in. */
	hash ^= hash << 16;
	return htons(reciprocal_scale(hash, max - min + 1) + min);
}

static u8 pn_outer_tos(struct pn_device *pn, const struct pn_inner *in)
{
	if (READ_ONCE(pn->cfg.tos_inherit))
		return in->dsfield & ~INET_ECN_MASK;
	return READ_ONCE(pn->cfg.tos);
}

static int pn_xmit4(struct pn_device *pn, struct pn_peer *peer,
		    struct sk_buff *skb, struct pn_inner *in)
{
	const struct pn_config *cfg = &pn->cfg;
	const unsigned int overhead = pn_encap_overhead(cfg, AF_INET);
	struct net_device *dev = pn->dev;
	bool use_cache, udp_csum;
	struct rtable *rt = NULL;
	struct pn_sock *ps;
	__be32 saddr, daddr;
	__be16 sport;
	u8 tos, ttl;

	ps = rcu_dereference_bh(pn->sock4);
	if (unlikely(!ps)) {
		pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
		return -ENETUNREACH;
	}
	daddr = peer->endpoint.addr4.sin_addr.s_addr;
	tos = pn_outer_tos(pn, in);
	sport = pn_src_port(pn, skb);

	/* The cached route was looked up for one TOS and no mark; inherit
	 * varies the TOS, and policy routing may route a mark elsewhere.
	 */
	use_cache = !READ_ONCE(cfg->tos_inherit) && !skb->mark;
	if (use_cache)
		rt = dst_cache_get_ip4(&peer->dst_cache, &saddr);
	if (!rt) {
		struct flowi4 fl4 = {
			.flowi4_oif = cfg->link,
			.flowi4_mark = skb->mark,
			.flowi4_proto = IPPROTO_UDP,
			.daddr = daddr,
			.saddr = cfg->has_local ? cfg->local : 0,
			.fl4_dport = htons(cfg->port),
			.fl4_sport = sport,
		};

		pn_compat_flowi4_set_tos(&fl4, tos);
		rt = ip_route_output_key(pn->net, &fl4);
		if (IS_ERR(rt)) {
			pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
			return PTR_ERR(rt);
		}
		if (unlikely(rt->dst.dev == dev)) {
			/* The underlay route leads back into this device. */
			ip_rt_put(rt);
			pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
			return -ELOOP;
		}
		saddr = fl4.saddr;
		if (use_cache)
			dst_cache_set_ip4(&peer->dst_cache, &rt->dst, saddr);
	}

	if (pn_pmtu_drop(skb, &rt->dst, overhead, in)) {
		ip_rt_put(rt);
		pn_count_drop(pn, peer, PN_DROP_TX_MTU);
		return -EMSGSIZE;
	}

	if (READ_ONCE(cfg->ttl_inherit))
		ttl = in->ttl;
	else
		ttl = READ_ONCE(cfg->ttl) ? : ip4_dst_hoplimit(&rt->dst);
	tos = pn_ecn_encap(tos, in->dsfield);
	udp_csum = READ_ONCE(cfg->udp_csum);

	if (unlikely(pn_encap(pn, peer, skb, overhead +
			      LL_RESERVED_SPACE(rt->dst.dev) +
			      rt->dst.header_len, udp_csum))) {
		ip_rt_put(rt);
		pn_count_drop(pn, peer, PN_DROP_TX_OTHER);
		return -ENOMEM;
	}

	pn_compat_udp_tunnel_xmit_skb(rt, ps->sock->sk, skb, saddr, daddr, tos,
				      ttl, in->df, sport, htons(cfg->port),
				      !net_eq(pn->net, dev_net(dev)), !udp_csum);
	pn_stats_tx(pn_peer_stats(peer), in->len);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int pn_xmit6(struct pn_device *pn, struct pn_peer *peer,
		    struct sk_buff *skb, struct pn_inner *in)
{
	const struct pn_config *cfg = &pn->cfg;
	const unsigned int overhead = pn_encap_overhead(cfg, AF_INET6);
	struct net_device *dev = pn->dev;
	struct dst_entry *dst = NULL;
	struct in6_addr saddr, daddr;
	struct flowi6 fl6 = {};
	struct pn_sock *ps;
	bool use_cache;
	__be32 label;
	__be16 sport;
	u8 tos, ttl;

	ps = rcu_dereference_bh(pn->sock6);
	if (unlikely(!ps)) {
		pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
		return -ENETUNREACH;
	}
	daddr = peer->endpoint.addr6.sin6_addr;
	tos = pn_outer_tos(pn, in);
	sport = pn_src_port(pn, skb);

	use_cache = !READ_ONCE(cfg->tos_inherit) && !skb->mark;
	if (use_cache)
		dst = dst_cache_get_ip6(&peer->dst_cache, &saddr);
	if (!dst) {
		fl6.flowi6_oif = cfg->link;
		fl6.flowi6_mark = skb->mark;
		fl6.flowi6_proto = IPPROTO_UDP;
		fl6.flowlabel = ip6_make_flowinfo(tos, 0);
		fl6.daddr = daddr;
		if (cfg->has_local6)
			fl6.saddr = cfg->local6;
		fl6.fl6_dport = htons(cfg->port);
		fl6.fl6_sport = sport;

		dst = ip6_dst_lookup_flow(pn->net, ps->sock->sk, &fl6, NULL);
		if (IS_ERR(dst)) {
			pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
			return PTR_ERR(dst);
		}
		if (unlikely(dst->dev == dev)) {
			dst_release(dst);
			pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
			return -ELOOP;
		}
		saddr = fl6.saddr;
		if (use_cache)
			dst_cache_set_ip6(&peer->dst_cache, dst, &saddr);
	}

	if (pn_pmtu_drop(skb, dst, overhead, in)) {
		dst_release(dst);
		pn_count_drop(pn, peer, PN_DROP_TX_MTU);
		return -EMSGSIZE;
	}

	if (READ_ONCE(cfg->ttl_inherit))
		ttl = in->ttl;
	else
		ttl = READ_ONCE(cfg->ttl) ? : ip6_dst_hoplimit(dst);
	tos = pn_ecn_encap(tos, in->dsfield);
	/* Entropy for ECMP on the flow label too (skb hash, set above). */
	label = ip6_make_flowlabel(pn->net, skb, 0, true, &fl6);

	/* udp_tunnel6_xmit_skb() sets the outer dst over the inner one
	 * without releasing it, and netif_keep_dst() made the core take a
	 * real reference on the inner one: drop it here, with the inner
	 * conntrack and secpath (and the mark across netns), as
	 * iptunnel_xmit() does for IPv4.
	 */
	skb_scrub_packet(skb, !net_eq(pn->net, dev_net(dev)));
	/* An inner packet that may be fragmented (pn_pmtu_drop() cleared
	 * df) but does not fit the path: ip6_fragment() refuses it unless
	 * told to fragment at the source.
	 */
	if (!in->df)
		skb->ignore_df = 1;

	/* Always the checksummed GSO type: the segments must get their own
	 * checksum, not the pseudo-header sum of the whole packet that
	 * udp6_set_csum() leaves for segmentation.
	 */
	if (unlikely(pn_encap(pn, peer, skb, overhead +
			      LL_RESERVED_SPACE(dst->dev) + dst->header_len,
			      true))) {
		dst_release(dst);
		pn_count_drop(pn, peer, PN_DROP_TX_OTHER);
		return -ENOMEM;
	}

	/* IPv6 always carries the UDP checksum (see the UAPI header).  The
	 * outer IPv6 header has no DF bit: the IPv6 stack never fragments in
	 * flight, and pn_pmtu_drop() answered oversized packets already.
	 */
	pn_compat_udp_tunnel6_xmit_skb(dst, ps->sock->sk, skb, dev, &saddr,
				       &daddr, tos, ttl, label, sport,
				       htons(cfg->port), false);
	pn_stats_tx(pn_peer_stats(peer), in->len);
	return 0;
}
#else
static int pn_xmit6(struct pn_device *pn, struct pn_peer *peer,
		    struct sk_buff *skb, struct pn_inner *in)
{
	pn_count_drop(pn, peer, PN_DROP_TX_NO_ROUTE);
	return -EAFNOSUPPORT;
}
#endif

/* No peer owns the destination: tell the sender, as a router would. */
static void pn_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
}

netdev_tx_t pn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct pn_device *pn = netdev_priv(dev);
	struct pn_inner in;
	struct pn_peer *peer;
	int err;

	skb_reset_network_header(skb);
	if (unlikely(!pskb_inet_may_pull(skb) ||
		     (skb->protocol != htons(ETH_P_IP) &&
		      skb->protocol != htons(ETH_P_IPV6)))) {
		pn_count_drop(pn, NULL, PN_DROP_TX_OTHER);
		goto drop;
	}
	pn_inner_info(skb, &in);

	peer = pn_table_lookup_dst(pn, skb);
	if (unlikely(!peer)) {
		pn_count_drop(pn, NULL, PN_DROP_TX_NO_PEER);
		pn_unreachable(skb);
		goto drop;
	}
	if (peer->endpoint.addr.sa_family == AF_INET)
		err = pn_xmit4(pn, peer, skb, &in);
	else
		err = pn_xmit6(pn, peer, skb, &in);
	if (unlikely(err))
		goto drop;
	return NETDEV_TX_OK;

drop:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
