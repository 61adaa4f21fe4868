// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: UDP tunnel socket -> VXLAN header check -> device by VNI ->
 * source validation against the peer table -> RFC 6040 ECN -> the stack
 * (pn_rx_deliver()).
 *
 * pn_encap_rcv() runs in softirq context under rcu_read_lock() (the UDP
 * receive path's).  Devices reached through a socket's VNI hash stay valid
 * until it is dropped: unregistering a device waits for a grace period
 * after ndo_stop took it out of the hash.
 *
 * Every packet that is not delivered is counted once, by reason: on the
 * socket when no device can be told (malformed VXLAN header, unknown VNI),
 * on the device when no peer can be (unknown outer source, bad inner
 * header), else on the peer (spoofed inner source, inner destination not
 * routed to a local device, ECN violation).
 */

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <net/gro.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip6_route.h>
#include <net/ip_fib.h>
#include <net/ip_tunnels.h>
#include <net/tun_proto.h>
#include <net/udp.h>
#include <net/vxlan.h>

#include "device.h"
#include "peer.h"
#include "receive.h"
#include "socket.h"

#define PN_VXLAN_HLEN	(sizeof(struct udphdr) + sizeof(struct vxlanhdr))

/*
 * RFC 7348 lets receivers ignore the reserved bits; podnet does not, so
 * that anything but a well-formed header from a podnet or Linux vxlan peer
 * is dropped and counted: I flag only, 24-bit VNI, last byte zero.  A
 * VXLAN-GPE header (draft-ietf-nvo3-vxlan-gpe) has the I and P flags,
 * version 0, no OAM, and IPv4 or IPv6 as its next protocol (podnet's GPE
 * carries no Ethernet).  Returns the header's PODNET_ENCAP_*, -1 if it is
 * neither.
 */
static int pn_hdr_encap(const struct vxlanhdr *vh)
{
	u8 np;

	if (vh->vx_vni & ~VXLAN_VNI_MASK)
		return -1;
	if (vh->vx_flags == VXLAN_HF_VNI)
		return PODNET_ENCAP_VXLAN;
	np = be32_to_cpu(vh->vx_flags) & 0xff;
	if (vh->vx_flags == (VXLAN_HF_VNI | VXLAN_HF_NP | cpu_to_be32(np)) &&
	    (np == TUN_P_IPV4 || np == TUN_P_IPV6))
		return PODNET_ENCAP_GPE;
	return -1;
}

static u32 pn_vxlan_vni(const struct vxlanhdr *vh)
{
	return be32_to_cpu(vh->vx_vni) >> 8;
}

#ifdef PODNET_DEBUG
/*
 * Test builds: a delay between reading the table and the lookups in it,
 * so that 42-lifecycle's replaces land in that window (a receive path that
 * read the table twice would then see two tables).
 */
static unsigned int pn_rx_delay_us;
module_param_named(rx_delay_us, pn_rx_delay_us, uint, 0644);
MODULE_PARM_DESC(rx_delay_us, "test builds: delay each receive's table lookups (us)");

static void pn_rx_test_delay(void)
{
	unsigned int us = READ_ONCE(pn_rx_delay_us);

	if (us)
		udelay(min(us, 100U));
}
#else
static void pn_rx_test_delay(void)
{
}
#endif

static void pn_rx_drop(struct pn_device *pn, struct pn_peer *peer,
		       enum pn_drop_reason reason)
{
	struct pn_stats __percpu *pcpu;

	pcpu = peer ? READ_ONCE(peer->stats) : pn->stats;
	if (pcpu)
		pn_stats_drop(this_cpu_ptr(pcpu), reason);
	dev_core_stats_rx_dropped_inc(pn->dev);
}

/* The inner IP header is there and plausible; ip_rcv() checks the rest. */
static bool pn_inner_ok(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		return iph->version == 4 && iph->ihl >= 5;
	}
	if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
		return false;
	return ipv6_hdr(skb)->version == 6;
}

static u8 pn_inner_dsfield(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return ipv4_get_dsfield(ip_hdr(skb));
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

/*
 * IFLA_PODNET_DST_VALID: the inner destination must be routed, in the
 * device's netns, to a device of this node as a unicast route without
 * gateway: a pod's veth or bridge.  Not to a local address (RTN_LOCAL), not
 * through a gateway, not back into the overlay nor out of the underlay
 * device @in it arrived on; link-local destinations never.  Policy routing
 * sees the packet as arriving on the podnet device.  Called under
 * rcu_read_lock().
 */
static bool pn_rx_dst_ok4(struct pn_device *pn, struct sk_buff *skb,
			  const struct net_device *in)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4 = {
		.daddr = iph->daddr,
		.saddr = iph->saddr,
		.flowi4_iif = pn->dev->ifindex,
		.flowi4_mark = skb->mark,
	};
	const struct fib_nh_common *nhc;
	struct fib_result res;

	if (ipv4_is_zeronet(iph->daddr) || ipv4_is_linklocal_169(iph->daddr))
		return false;
	if (fib_lookup(dev_net(pn->dev), &fl4, &res, 0) ||
	    res.type != RTN_UNICAST)
		return false;
	nhc = FIB_RES_NHC(res);
	return !nhc->nhc_gw_family && nhc->nhc_dev &&
	       nhc->nhc_dev != pn->dev && nhc->nhc_dev != in;
}

static bool pn_rx_dst_ok6(struct pn_device *pn, struct sk_buff *skb,
			  const struct net_device *in)
{
#if IS_ENABLED(CONFIG_IPV6)
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowi6_iif = pn->dev->ifindex,
		.flowi6_mark = skb->mark,
	};
	int type = ipv6_addr_type(&ip6h->daddr);
	struct dst_entry *dst;
	struct rt6_info *rt;
	bool ok;

	if (!(type & IPV6_ADDR_UNICAST) ||
	    (type & (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK |
		     IPV6_ADDR_MAPPED)))
		return false;
	/* Never NULL: a held route, the null entry if there is none. */
	dst = ip6_route_lookup(dev_net(pn->dev), &fl6, skb, 0);
	rt = container_of(dst, struct rt6_info, dst);
	ok = !dst->error &&
	     !(rt->rt6i_flags & (RTF_GATEWAY | RTF_LOCAL | RTF_ANYCAST |
				 RTF_REJECT)) &&
	     dst->dev && dst->dev != pn->dev && dst->dev != in;
	dst_release(dst);
	return ok;
#else
	return false;
#endif
}

static bool pn_rx_dst_ok(struct pn_device *pn, struct sk_buff *skb,
			 const struct net_device *in)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pn_rx_dst_ok4(pn, skb, in);
	return pn_rx_dst_ok6(pn, skb, in);
}

/*
 * Direct delivery nests the inner packet's receive in the outer one's; a
 * packet decapsulated inside it (tunnel in tunnel) is queued instead, so
 * the nesting stays one deep whatever a sender stacks.  Per CPU: it only
 * changes in softirq (or BH-disabled) context on this CPU.
 */
static DEFINE_PER_CPU(unsigned int, pn_rx_nest);

/*
 * Hand the decapsulated packet to the stack.  Inner TCP goes through the
 * device's gro_cells, so that a flow's segments the underlay did not
 * aggregate are merged before the stack sees them; every packet of a TCP
 * flow takes that path, so none overtakes another.  Everything else has
 * nothing to merge and is received at once, as if by a NAPI driver:
 * without the gro_cells queue, its NAPI poll and a GRO pass that only
 * flushes, a third of what receiving an encapsulated datagram costs on
 * top of native routing.
 */
static void pn_rx_deliver(struct pn_device *pn, struct sk_buff *skb)
{
	u8 proto = skb->protocol == htons(ETH_P_IP) ? ip_hdr(skb)->protocol :
						      ipv6_hdr(skb)->nexthdr;
	unsigned int len = skb->len;

	if (proto == IPPROTO_TCP || __this_cpu_read(pn_rx_nest)) {
		/* A full cell queue drops the packet and counts it. */
		if (likely(gro_cells_receive(&pn->gro_cells, skb) ==
			   NET_RX_SUCCESS))
			dev_sw_netstats_rx_add(pn->dev, len);
		return;
	}
	/* Received, whatever the stack does with it next. */
	dev_sw_netstats_rx_add(pn->dev, len);
	__this_cpu_inc(pn_rx_nest);
	netif_receive_skb(skb);
	__this_cpu_dec(pn_rx_nest);
}

int pn_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct net_device *in = skb->dev;
	struct pn_peer_key src = {};
	struct pn_peer *peer = NULL;
	struct pn_device *pn;
	struct pn_table *tbl;
	struct pn_sock *ps;
	unsigned int len, hlen;
	struct vxlanhdr *vh;
	u8 outer_dsfield;
	__be16 proto;
	int encap;

	ps = rcu_dereference_sk_user_data(sk);
	if (unlikely(!ps))
		goto free;

	if (!pskb_may_pull(skb, PN_VXLAN_HLEN)) {
		pn_socket_count_drop(ps, PN_SOCK_DROP_MALFORMED);
		goto free;
	}
	vh = (struct vxlanhdr *)(udp_hdr(skb) + 1);
	encap = pn_hdr_encap(vh);
	if (encap < 0) {
		pn_socket_count_drop(ps, PN_SOCK_DROP_MALFORMED);
		goto free;
	}
	pn = pn_socket_find_vni(ps, pn_vxlan_vni(vh));
	if (!pn) {
		pn_socket_count_drop(ps, PN_SOCK_DROP_BAD_VNI);
		goto free;
	}
	/* Devices of both encapsulations may share the port. */
	if (encap != pn->cfg.encap)
		goto malformed;
	hlen = PN_VXLAN_HLEN;

	/* The outer header is still the network header. */
	src.family = ps->family;
	if (ps->family == AF_INET) {
		src.addr[0] = ip_hdr(skb)->saddr;
		outer_dsfield = ipv4_get_dsfield(ip_hdr(skb));
	} else {
		memcpy(src.addr, &ipv6_hdr(skb)->saddr, sizeof(struct in6_addr));
		outer_dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
	}

	if (encap == PODNET_ENCAP_VXLAN) {
		hlen += ETH_HLEN;
		if (!pskb_may_pull(skb, hlen))
			goto malformed;
		proto = ((struct ethhdr *)(skb->data + PN_VXLAN_HLEN))->h_proto;
		if (proto != htons(ETH_P_IP) && proto != htons(ETH_P_IPV6))
			goto malformed;
	} else {
		proto = tun_p_to_eth_p(be32_to_cpu(vh->vx_flags) & 0xff);
	}

	/* Pulls UDP, VXLAN(-GPE) and any Ethernet header, sets skb->protocol,
	 * and scrubs the packet if it crosses into another netns.
	 */
	if (iptunnel_pull_header(skb, hlen, proto,
				 !net_eq(sock_net(sk), dev_net(pn->dev))))
		goto malformed;
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->dev = pn->dev;
	skb->pkt_type = PACKET_HOST;
	if (!pn_inner_ok(skb))
		goto malformed;

	/* Softirq context (BH disabled) is the RCU read-side section that
	 * covers the table and its peers until the packet is handed on.
	 */
	tbl = rcu_dereference_bh(pn->table);
	pn_rx_test_delay();
	if (READ_ONCE(pn->cfg.src_valid)) {
		/* The owner of the inner source must be the node that sent it:
		 * one lookup.  Only a drop asks which node that was, to count
		 * it on that peer (source) or on the device (no peer).
		 */
		peer = pn_table_lookup_src(tbl, skb);
		if (unlikely(!peer || !pn_peer_key_equal(&peer->key, &src))) {
			peer = pn_table_lookup_endpoint(tbl, &src);
			pn_rx_drop(pn, peer, peer ? PN_DROP_RX_SOURCE :
						    PN_DROP_RX_NO_PEER);
			goto free;
		}
	} else {
		peer = pn_table_lookup_endpoint(tbl, &src);
	}
	if (READ_ONCE(pn->cfg.dst_valid) && !pn_rx_dst_ok(pn, skb, in)) {
		pn_rx_drop(pn, peer, PN_DROP_RX_DEST);
		goto free;
	}

	/* RFC 6040: CE on a not-ECT inner packet cannot be passed on. */
	if (INET_ECN_decapsulate(skb, outer_dsfield,
				 pn_inner_dsfield(skb)) > 1) {
		pn_rx_drop(pn, peer, PN_DROP_RX_OTHER);
		goto free;
	}

	len = skb->len;
	if (peer)
		pn_stats_rx(pn_peer_stats(peer), len);
	pn_rx_deliver(pn, skb);
	return 0;

malformed:
	pn_rx_drop(pn, NULL, PN_DROP_RX_MALFORMED);
free:
	kfree_skb(skb);
	return 0;
}

/*
 * An ICMP error quoting one of our packets arrived on the socket's port:
 * claim it (return 0) if it quotes a VXLAN header of one of our devices,
 * so that the UDP layer applies it (PMTU updates) to our socket.
 */
int pn_encap_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	struct vxlanhdr *vh;
	struct pn_sock *ps;

	if (!pskb_may_pull(skb, skb_transport_offset(skb) + PN_VXLAN_HLEN))
		return -EINVAL;
	vh = (struct vxlanhdr *)(udp_hdr(skb) + 1);
	if (pn_hdr_encap(vh) < 0)
		return -EINVAL;
	ps = rcu_dereference_sk_user_data(sk);
	if (!ps || !pn_socket_find_vni(ps, pn_vxlan_vni(vh)))
		return -ENOENT;
	return 0;
}

/*
 * GRO of the outer packets, before pn_encap_rcv(): packets of one inner
 * flow from one peer (same outer addresses and ports, checked by the layers
 * below) and one VNI are merged by the inner Ethernet/IP/TCP GRO, so the
 * receive path above runs once per aggregate.  Packets with a header we
 * would drop are not aggregated; pn_encap_rcv() counts them.
 *
 * From 6.15 the kernel keeps a small table of the distinct gro_receive
 * callbacks of UDP tunnel sockets, sized for the in-tree tunnels
 * (UDP_MAX_TUNNEL_TYPES).  podnet uses a single callback for all its
 * sockets, so it takes one entry however many devices exist.  If every
 * entry were already taken by in-tree tunnels, the kernel logs "Too many
 * UDP tunnel types" once and permanently falls back from its static call
 * to an indirect call for all tunnels; GRO keeps working.
 */
struct sk_buff *pn_gro_receive(struct sock *sk, struct list_head *head,
			       struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb);
	struct sk_buff *pp = NULL, *p;
	struct vxlanhdr *vh, *vh2;
	int flush = 1;

	/* GPE packets are not aggregated (no inner Ethernet to hand on). */
	vh = skb_gro_header(skb, off + sizeof(*vh), off);
	if (unlikely(!vh) || pn_hdr_encap(vh) != PODNET_ENCAP_VXLAN)
		goto out;

	skb_gro_postpull_rcsum(skb, vh, sizeof(*vh));
	skb_gro_pull(skb, sizeof(*vh));

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		vh2 = (struct vxlanhdr *)(p->data + off);
		if (vh->vx_vni != vh2->vx_vni)
			NAPI_GRO_CB(p)->same_flow = 0;
	}

	pp = call_gro_receive(eth_gro_receive, head, skb);
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

int pn_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	/* Also sets the inner MAC header: skb->encapsulation is set. */
	return eth_gro_complete(skb, nhoff + sizeof(struct vxlanhdr));
}
