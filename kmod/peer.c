// SPDX-License-Identifier: GPL-2.0
/*
 * Peer objects: allocation, RCU-deferred freeing, counters, and the
 * per-table hash of peers by underlay address.
 */

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "device.h"
#include "peer.h"
#include "peertable.h"

static const struct rhashtable_params pn_peer_ht_params = {
	.key_len	= sizeof(struct pn_peer_key),
	.key_offset	= offsetof(struct pn_peer, key),
	.head_offset	= offsetof(struct pn_peer, hash_node),
	.automatic_shrinking = true,
};

struct pn_stats __percpu *pn_stats_alloc(void)
{
	struct pn_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct pn_stats, GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void pn_stats_fold(struct pn_stats_sum *sum, struct pn_stats __percpu *pcpu)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct pn_stats *st = per_cpu_ptr(pcpu, cpu);
		struct pn_stats_sum s;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			s.tx_packets = u64_stats_read(&st->tx_packets);
			s.tx_bytes = u64_stats_read(&st->tx_bytes);
			s.rx_packets = u64_stats_read(&st->rx_packets);
			s.rx_bytes = u64_stats_read(&st->rx_bytes);
			for (i = 0; i < PN_DROP_MAX; i++)
				s.drops[i] = u64_stats_read(&st->drops[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));

		sum->tx_packets += s.tx_packets;
		sum->tx_bytes += s.tx_bytes;
		sum->rx_packets += s.rx_packets;
		sum->rx_bytes += s.rx_bytes;
		for (i = 0; i < PN_DROP_MAX; i++)
			sum->drops[i] += s.drops[i];
	}
}

struct pn_peer *pn_peer_create(const struct pn_peer_key *key, gfp_t gfp)
{
	struct pn_peer *peer;

	peer = kzalloc(sizeof(*peer), gfp);
	if (!peer)
		return NULL;
	peer->stats = pn_stats_alloc();
	if (!peer->stats)
		goto err_peer;
	if (dst_cache_init(&peer->dst_cache, gfp))
		goto err_stats;

	peer->key = *key;
	if (key->family == AF_INET) {
		peer->endpoint.addr4.sin_family = AF_INET;
		peer->endpoint.addr4.sin_addr.s_addr = key->addr[0];
	} else {
		peer->endpoint.addr6.sin6_family = AF_INET6;
		memcpy(&peer->endpoint.addr6.sin6_addr, key->addr,
		       sizeof(struct in6_addr));
	}
	INIT_LIST_HEAD(&peer->table_list);
	INIT_LIST_HEAD(&peer->prefixes);
	return peer;

err_stats:
	free_percpu(peer->stats);
err_peer:
	kfree(peer);
	return NULL;
}

/* The peer must be unreachable: unlinked and past a grace period, or never
 * published.
 */
void pn_peer_free(struct pn_peer *peer)
{
	dst_cache_destroy(&peer->dst_cache);
	free_percpu(peer->stats);
	kfree(peer);
}

static void pn_peer_free_rcu_cb(struct rcu_head *rcu)
{
	pn_peer_free(container_of(rcu, struct pn_peer, rcu));
}

void pn_peer_free_rcu(struct pn_peer *peer)
{
	call_rcu(&peer->rcu, pn_peer_free_rcu_cb);
}

int pn_peer_hash_init(struct pn_table *tbl)
{
	return rhashtable_init(&tbl->peers_ht, &pn_peer_ht_params);
}

void pn_peer_hash_destroy(struct pn_table *tbl)
{
	rhashtable_destroy(&tbl->peers_ht);
}

int pn_peer_hash_insert(struct pn_table *tbl, struct pn_peer *peer)
{
	return rhashtable_lookup_insert_fast(&tbl->peers_ht, &peer->hash_node,
					     pn_peer_ht_params);
}

void pn_peer_hash_remove(struct pn_table *tbl, struct pn_peer *peer)
{
	rhashtable_remove_fast(&tbl->peers_ht, &peer->hash_node,
			       pn_peer_ht_params);
}

/*
 * The rcu_read_lock() here covers only the walk of the hash table (which
 * rhashtable_lookup() requires even of the table's writers).  The peer it
 * returns stays valid only while the caller holds the table's lock (no
 * change can free it) or is in an RCU read-side section of its own, which
 * it must then be in already (peers are freed after a grace period).
 */
struct pn_peer *pn_peer_hash_lookup(struct pn_table *tbl,
				    const struct pn_peer_key *key)
{
	struct pn_peer *peer;

	rcu_read_lock();
	peer = rhashtable_lookup(&tbl->peers_ht, key, pn_peer_ht_params);
	rcu_read_unlock();
	return peer;
}

struct pn_peer *pn_table_lookup_endpoint(struct pn_table *tbl,
					 const struct pn_peer_key *key)
{
	if (unlikely(!tbl))
		return NULL;
	return pn_peer_hash_lookup(tbl, key);
}
