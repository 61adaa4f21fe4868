/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer table of a podnet device: peers hashed by endpoint, and one
 * path-compressed binary trie per address family mapping prefixes to
 * peers for longest-prefix match.  See docs/peertable.md.
 *
 * Locking: every change holds pn_device.lock (tbl->lock points to it);
 * lookups are lock-free under RCU.  A table is either the live one
 * (pn_device.table, seen by the datapath) or one being built by a replace
 * (pn_device.staging, seen by nobody else).
 */
#ifndef _PODNET_PEERTABLE_H
#define _PODNET_PEERTABLE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>

#include "peer.h"

struct pn_device;

struct pn_node {
	struct pn_node __rcu *bit[2];
	struct pn_peer __rcu *peer;	/* NULL: a branch point only */
	u64 key[2];			/* address bits, most significant first */
	union {
		struct list_head peer_list;	/* under the lock */
		struct rcu_head rcu;		/* once unlinked */
	};
	struct rhash_head hash_node;	/* pn_table.prefix_ht, if hashed */
	u8 cidr;
	u8 family;
	bool hashed;
	bool doomed;			/* named by the DEL_PEER being checked */
};

struct pn_table {
	struct pn_node __rcu *root4;
	struct pn_node __rcu *root6;
	/* Datapath LPM (prefixhash.c): prefixes by (family, length, key). */
	struct rhashtable prefix_ht;
	unsigned long lens4[BITS_TO_LONGS(33)];	/* lengths present */
	unsigned long lens6[BITS_TO_LONGS(129)];
	u32 num_len4[33];			/* under the lock */
	u32 num_len6[129];
	u8 nlens4;				/* bits set in lens4 */
	u8 nlens6;
	struct rhashtable peers_ht;
	struct list_head peers;		/* RCU list, in order of creation */
	u32 num_peers;
	u32 num_prefixes;
	struct mutex *lock;		/* &pn_device.lock */
	struct rcu_work free_work;
};

/* A prefix as parsed from a request. */
struct pn_prefix {
	u64 key[2];
	u8 cidr;
	u8 family;
};

/* A NEW_PEER / REPLACE_ADD request. */
struct pn_peer_req {
	struct pn_peer_key key;
	const u8 *mac;			/* NULL: leave as is */
	const struct pn_prefix *prefixes;
	unsigned int num_prefixes;
	bool replace;			/* take prefixes from other peers */
	bool excl;			/* fail if the peer exists */
	/* out */
	bool created;
	int bad;			/* index of the failing prefix, or -1 */
};

/* Clear the bits of @key past @cidr. */
static inline void pn_mask(u64 *key, unsigned int cidr)
{
	if (cidr == 0) {
		key[0] = 0;
		key[1] = 0;
	} else if (cidr <= 64) {
		key[0] &= ~0ULL << (64 - cidr);
		key[1] = 0;
	} else {
		key[1] &= ~0ULL << (128 - cidr);
	}
}

/* The prefix @node stands for. */
static inline void pn_node_prefix(const struct pn_node *node,
				  struct pn_prefix *p)
{
	p->key[0] = node->key[0];
	p->key[1] = node->key[1];
	p->cidr = node->cidr;
	p->family = node->family;
}

int pn_prefix_init(struct pn_prefix *p, int family, const void *addr, u8 cidr);
void pn_prefix_addr(const struct pn_node *node, void *addr);

struct pn_table *pn_table_live(struct pn_device *pn);
int pn_table_set_peer(struct pn_table *tbl, struct pn_peer_req *req);
int pn_table_del_peer(struct pn_table *tbl, const struct pn_peer_key *key);
int pn_table_del_prefixes(struct pn_table *tbl, const struct pn_peer_key *key,
			  const struct pn_prefix *prefixes, unsigned int n,
			  int *bad);
struct pn_peer *pn_table_find_peer(struct pn_table *tbl,
				   const struct pn_peer_key *key);
u32 pn_generation_next(void);
void pn_table_reset_routes(struct pn_device *pn);
void pn_table_changed(struct pn_device *pn);

int pn_table_flush(struct pn_device *pn);
int pn_replace_begin(struct pn_device *pn, struct net *net, u32 portid);
struct pn_table *pn_replace_table(struct pn_device *pn, struct net *net,
				  u32 portid);
int pn_replace_commit(struct pn_device *pn, struct net *net, u32 portid);
int pn_replace_abort(struct pn_device *pn, struct net *net, u32 portid);

void pn_device_stats(struct pn_device *pn, struct pn_stats_sum *sum);

/* For replace.c */
struct pn_table *pn_table_alloc(struct pn_device *pn);
void pn_table_free(struct pn_table *tbl);
void pn_table_free_rcu(struct pn_table *tbl);
int pn_replace_init(void);
void pn_replace_uninit(void);
void pn_replace_drop(struct pn_device *pn);

int pn_peertable_dev_init(struct pn_device *pn);
void pn_peertable_dev_uninit(struct pn_device *pn);
int pn_peertable_init(void);
void pn_peertable_uninit(void);

/* For peer.c */
int pn_peer_hash_insert(struct pn_table *tbl, struct pn_peer *peer);
void pn_peer_hash_remove(struct pn_table *tbl, struct pn_peer *peer);
struct pn_peer *pn_peer_hash_lookup(struct pn_table *tbl,
				    const struct pn_peer_key *key);
int pn_peer_hash_init(struct pn_table *tbl);
void pn_peer_hash_destroy(struct pn_table *tbl);

/*
 * prefixhash.c.  Probing more lengths than this costs more than walking
 * the trie (docs/peertable.md).
 */
#define PN_LPM_MAX_PROBES 4
bool pn_prefix_lookup_hashed(struct pn_table *tbl, u8 family);
int pn_prefix_hash_init(struct pn_table *tbl);
void pn_prefix_hash_destroy(struct pn_table *tbl);
int pn_prefix_hash_add(struct pn_table *tbl, struct pn_node *node);
void pn_prefix_hash_del(struct pn_table *tbl, struct pn_node *node);
struct pn_node *pn_prefix_hash_find(struct pn_table *tbl,
				    const struct pn_prefix *p);
struct pn_peer *pn_prefix_lookup(struct pn_table *tbl, u8 family,
				 const u64 *key);

/* The self-test (kmod/selftest/), in test builds only (PODNET_DEBUG). */
#ifdef PODNET_DEBUG
bool pn_selftest(void);
#else
static inline bool pn_selftest(void)
{
	return true;
}
#endif

#endif /* _PODNET_PEERTABLE_H */
