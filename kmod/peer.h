/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peers: the remote nodes of a podnet device, and what the datapath may
 * ask the peer table.
 *
 * Lifetime: a peer belongs to exactly one table (the live one or one being
 * built by a replace) and is freed with call_rcu() after it has been
 * unlinked from it.  The datapath finds peers only through the lookups
 * below, with BH disabled (an RCU read-side section; the transmit and
 * receive paths run so), and may use a peer until BH is enabled again;
 * there is no reference count to take.
 */
#ifndef _PODNET_PEER_H
#define _PODNET_PEER_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>

struct pn_device;
struct pn_table;

/* In the order of PODNET_STATS_A_TX_DROP_NO_PEER and the following. */
enum pn_drop_reason {
	PN_DROP_TX_NO_PEER,
	PN_DROP_TX_NO_ROUTE,
	PN_DROP_TX_MTU,
	PN_DROP_TX_OTHER,
	PN_DROP_RX_NO_PEER,
	PN_DROP_RX_SOURCE,
	PN_DROP_RX_MALFORMED,
	PN_DROP_RX_OTHER,
	PN_DROP_RX_DEST,
	PN_DROP_MAX
};

/* Per-CPU counters of a peer, or of a device for traffic of no peer. */
struct pn_stats {
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t drops[PN_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct pn_stats_sum {
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_packets;
	u64 rx_bytes;
	u64 drops[PN_DROP_MAX];
};

/* The address part of an endpoint, as hashed; padding is always zero. */
struct pn_peer_key {
	__be32 addr[4];
	u16 family;
	u16 pad;
};

union pn_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

struct pn_peer {
	/* Underlay address of the remote node; the port is 0 (the device's
	 * destination port applies).  Immutable.
	 */
	union pn_endpoint endpoint;
	/* Owned by the datapath: routes to the endpoint. */
	struct dst_cache dst_cache;
	/* Inner destination MAC, for encapsulations that carry one.  NEW_PEER
	 * rewrites it in place: a packet sent meanwhile may see a mix.
	 */
	u8 mac[ETH_ALEN];
	bool has_mac;
	/* Use pn_peer_stats(): a replace commit may swap this pointer. */
	struct pn_stats __percpu *stats;

	/* Below: control plane only, under pn_device.lock. */
	struct pn_peer_key key;
	struct rhash_head hash_node;
	struct list_head table_list;	/* RCU list: pn_table.peers */
	struct list_head prefixes;	/* pn_node.peer_list */
	u32 num_prefixes;
	struct rcu_head rcu;
};

/*
 * The peer owning the longest prefix that contains the inner destination
 * (IPv4 or IPv6, chosen by skb->protocol) of @skb, whose network header
 * must be set, or NULL.  Lock-free; call with BH disabled.
 */
struct pn_peer *pn_table_lookup_dst(struct pn_device *pn, struct sk_buff *skb);

/*
 * The receive path's lookups, in one table it read once with
 * rcu_dereference_bh(pn->table) (NULL while the device is destroyed): a
 * replace may swap the live table between two lookups, and a peer of one
 * table is not the same object as the same peer of the next.  Call with
 * BH disabled.
 *
 * pn_table_lookup_src(): the peer owning the longest prefix that contains
 * the inner source address of @skb (network header set), or NULL.
 * pn_table_lookup_endpoint(): the peer whose underlay address is @key, or
 * NULL.
 */
struct pn_peer *pn_table_lookup_src(struct pn_table *tbl, struct sk_buff *skb);
struct pn_peer *pn_table_lookup_endpoint(struct pn_table *tbl,
					 const struct pn_peer_key *key);

static inline bool pn_peer_key_equal(const struct pn_peer_key *a,
				     const struct pn_peer_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static inline struct pn_stats *pn_peer_stats(struct pn_peer *peer)
{
	return this_cpu_ptr(READ_ONCE(peer->stats));
}

/* Counter updates; call with bottom halves disabled. */
static inline void pn_stats_tx(struct pn_stats *st, unsigned int len)
{
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->tx_packets);
	u64_stats_add(&st->tx_bytes, len);
	u64_stats_update_end(&st->syncp);
}

static inline void pn_stats_rx(struct pn_stats *st, unsigned int len)
{
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx_packets);
	u64_stats_add(&st->rx_bytes, len);
	u64_stats_update_end(&st->syncp);
}

static inline void pn_stats_drop(struct pn_stats *st,
				 enum pn_drop_reason reason)
{
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->drops[reason]);
	u64_stats_update_end(&st->syncp);
}

/* For the control plane (peer.c). */
struct pn_peer *pn_peer_create(const struct pn_peer_key *key, gfp_t gfp);
void pn_peer_free_rcu(struct pn_peer *peer);
void pn_peer_free(struct pn_peer *peer);
struct pn_stats __percpu *pn_stats_alloc(void);
void pn_stats_fold(struct pn_stats_sum *sum, struct pn_stats __percpu *pcpu);

#endif /* _PODNET_PEER_H */
