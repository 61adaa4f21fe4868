// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table: a path-compressed binary trie per address family that
 * holds the prefixes (ownership, changes, dumps), a hash of the same
 * prefixes for the datapath's longest-prefix match (prefixhash.c), changed
 * under pn_device.lock and read under RCU, plus whole-table replace.
 *
 * Trie invariants: a child's cidr is larger than its parent's and its key
 * starts with the parent's first cidr bits; bit[b] holds the keys whose bit
 * number cidr is b.  A node without a peer is a branch point and always has
 * two children.  Key bits past cidr are zero.
 */

#include <linux/bitops.h>
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "peertable.h"

static struct kmem_cache *pn_node_cache;
static struct workqueue_struct *pn_wq;

#define pn_deref(tbl, p) rcu_dereference_protected(p, lockdep_is_held((tbl)->lock))

static unsigned int pn_common_bits(const u64 *a, const u64 *b,
				   unsigned int limit)
{
	u64 x0 = a[0] ^ b[0], x1 = a[1] ^ b[1];
	unsigned int n;

	if (x0)
		n = 64 - fls64(x0);
	else if (x1)
		n = 128 - fls64(x1);
	else
		n = 128;
	return min(n, limit);
}

static bool pn_node_matches(const struct pn_node *node, const u64 *key)
{
	u8 c = node->cidr;

	if (c <= 64)
		return !c || !((key[0] ^ node->key[0]) >> (64 - c));
	return key[0] == node->key[0] && !((key[1] ^ node->key[1]) >> (128 - c));
}

static unsigned int pn_bit(const u64 *key, unsigned int i)
{
	if (i < 64)
		return (key[0] >> (63 - i)) & 1;
	return (key[1] >> (127 - i)) & 1;
}

int pn_prefix_init(struct pn_prefix *p, int family, const void *addr, u8 cidr)
{
	u64 masked[2];

	if (family == AF_INET) {
		if (cidr > 32)
			return -ERANGE;
		p->key[0] = (u64)get_unaligned_be32(addr) << 32;
		p->key[1] = 0;
	} else {
		if (cidr > 128)
			return -ERANGE;
		p->key[0] = get_unaligned_be64(addr);
		p->key[1] = get_unaligned_be64((const u8 *)addr + 8);
	}
	p->cidr = cidr;
	p->family = family;
	masked[0] = p->key[0];
	masked[1] = p->key[1];
	pn_mask(masked, cidr);
	if (masked[0] != p->key[0] || masked[1] != p->key[1])
		return -EINVAL;
	return 0;
}

void pn_prefix_addr(const struct pn_node *node, void *addr)
{
	if (node->family == AF_INET) {
		put_unaligned_be32(node->key[0] >> 32, addr);
	} else {
		put_unaligned_be64(node->key[0], addr);
		put_unaligned_be64(node->key[1], (u8 *)addr + 8);
	}
}

static struct pn_node __rcu **pn_root(struct pn_table *tbl, int family)
{
	return family == AF_INET ? &tbl->root4 : &tbl->root6;
}

static struct pn_peer *pn_trie_lookup(struct pn_node __rcu *const *root,
				      const u64 *key, unsigned int maxbits)
{
	struct pn_peer *best = NULL, *peer;
	struct pn_node *node;

	node = rcu_dereference_bh(*root);
	while (node && pn_node_matches(node, key)) {
		peer = rcu_dereference_bh(node->peer);
		if (peer)
			best = peer;
		if (node->cidr >= maxbits)
			break;
		node = rcu_dereference_bh(node->bit[pn_bit(key, node->cidr)]);
	}
	return best;
}

static struct pn_peer *pn_lookup_skb(struct pn_table *tbl, struct sk_buff *skb,
				     bool src)
{
	int off = skb_network_offset(skb);
	__be32 buf[4];
	const void *a;
	u64 key[2];

	if (unlikely(!tbl))	/* device being destroyed */
		return NULL;
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		off += src ? offsetof(struct iphdr, saddr) :
			     offsetof(struct iphdr, daddr);
		a = skb_header_pointer(skb, off, sizeof(__be32), buf);
		if (!a)
			return NULL;
		key[0] = (u64)get_unaligned_be32(a) << 32;
		key[1] = 0;
		if (pn_prefix_lookup_hashed(tbl, AF_INET))
			return pn_prefix_lookup(tbl, AF_INET, key);
		return pn_trie_lookup(&tbl->root4, key, 32);
	case htons(ETH_P_IPV6):
		off += src ? offsetof(struct ipv6hdr, saddr) :
			     offsetof(struct ipv6hdr, daddr);
		a = skb_header_pointer(skb, off, sizeof(struct in6_addr), buf);
		if (!a)
			return NULL;
		key[0] = get_unaligned_be64(a);
		key[1] = get_unaligned_be64((const u8 *)a + 8);
		if (pn_prefix_lookup_hashed(tbl, AF_INET6))
			return pn_prefix_lookup(tbl, AF_INET6, key);
		return pn_trie_lookup(&tbl->root6, key, 128);
	}
	return NULL;
}

struct pn_peer *pn_table_lookup_dst(struct pn_device *pn, struct sk_buff *skb)
{
	return pn_lookup_skb(rcu_dereference_bh(pn->table), skb, false);
}

struct pn_peer *pn_table_lookup_src(struct pn_table *tbl, struct sk_buff *skb)
{
	return pn_lookup_skb(tbl, skb, true);
}

/* The node holding exactly @p (with or without a peer), or NULL. */
static struct pn_node *pn_trie_find(struct pn_table *tbl,
				    const struct pn_prefix *p,
				    struct pn_node __rcu ***ppp,
				    struct pn_node **parentp,
				    struct pn_node __rcu ***parent_ppp)
{
	struct pn_node __rcu **pp = pn_root(tbl, p->family), **parent_pp = NULL;
	struct pn_node *node, *parent = NULL;

	for (node = pn_deref(tbl, *pp);
	     node && node->cidr <= p->cidr && pn_node_matches(node, p->key);
	     node = pn_deref(tbl, *pp)) {
		if (node->cidr == p->cidr) {
			if (ppp) {
				*ppp = pp;
				*parentp = parent;
				*parent_ppp = parent_pp;
			}
			return node;
		}
		parent = node;
		parent_pp = pp;
		pp = &node->bit[pn_bit(p->key, node->cidr)];
	}
	return NULL;
}

static struct pn_node *pn_pool_pop(struct pn_node **pool)
{
	struct pn_node *node = *pool;

	*pool = rcu_access_pointer(node->bit[0]);
	RCU_INIT_POINTER(node->bit[0], NULL);
	return node;
}

static void pn_pool_free(struct pn_node *pool)
{
	while (pool)
		kmem_cache_free(pn_node_cache, pn_pool_pop(&pool));
}

static int pn_pool_fill(struct pn_node **pool, unsigned int n)
{
	struct pn_node *node;

	while (n--) {
		node = kmem_cache_zalloc(pn_node_cache, GFP_KERNEL_ACCOUNT);
		if (!node) {
			pn_pool_free(*pool);
			*pool = NULL;
			return -ENOMEM;
		}
		RCU_INIT_POINTER(node->bit[0], *pool);
		*pool = node;
	}
	return 0;
}

static void pn_node_set_peer(struct pn_table *tbl, struct pn_node *node,
			     struct pn_peer *peer)
{
	struct pn_peer *old = pn_deref(tbl, node->peer);

	if (old == peer)
		return;
	if (old) {
		list_move_tail(&node->peer_list, &peer->prefixes);
		old->num_prefixes--;
	} else {
		list_add_tail(&node->peer_list, &peer->prefixes);
		tbl->num_prefixes++;
	}
	peer->num_prefixes++;
	rcu_assign_pointer(node->peer, peer);
}

/*
 * Cannot fail: the node of @p is hashed already (pn_table_hash_prefixes()),
 * a branch point comes from @pool.
 */
static void pn_trie_insert(struct pn_table *tbl, const struct pn_prefix *p,
			   struct pn_peer *peer, struct pn_node **pool)
{
	struct pn_node __rcu **pp = pn_root(tbl, p->family);
	struct pn_node *node, *leaf, *branch;
	unsigned int common;
	struct pn_prefix bp;

	for (;;) {
		node = pn_deref(tbl, *pp);
		if (node) {
			common = pn_common_bits(p->key, node->key,
						min(p->cidr, node->cidr));
			if (common == node->cidr && common == p->cidr) {
				pn_node_set_peer(tbl, node, peer);
				return;
			}
			if (common == node->cidr) {
				pp = &node->bit[pn_bit(p->key, node->cidr)];
				continue;
			}
		}

		/* Hashed: readers may find it before it is in the trie. */
		leaf = pn_prefix_hash_find(tbl, p);
		list_move_tail(&leaf->peer_list, &peer->prefixes);
		peer->num_prefixes++;
		tbl->num_prefixes++;
		rcu_assign_pointer(leaf->peer, peer);

		if (!node) {
			rcu_assign_pointer(*pp, leaf);
			return;
		}
		if (common == p->cidr) {
			/* The new prefix contains the node: it goes above. */
			RCU_INIT_POINTER(leaf->bit[pn_bit(node->key, p->cidr)],
					 node);
			rcu_assign_pointer(*pp, leaf);
			return;
		}
		/*
		 * They diverge at bit @common: branch there.  If a later
		 * prefix of this request is that branch point, its hashed
		 * leaf is the branch node, to get its peer when its turn
		 * comes.
		 */
		bp.key[0] = p->key[0];
		bp.key[1] = p->key[1];
		pn_mask(bp.key, common);
		bp.cidr = common;
		bp.family = p->family;
		branch = pn_prefix_hash_find(tbl, &bp);
		if (branch) {
			list_del(&branch->peer_list);
		} else {
			branch = pn_pool_pop(pool);
			branch->key[0] = bp.key[0];
			branch->key[1] = bp.key[1];
			branch->cidr = common;
			branch->family = p->family;
		}
		RCU_INIT_POINTER(branch->peer, NULL);
		RCU_INIT_POINTER(branch->bit[pn_bit(p->key, common)], leaf);
		RCU_INIT_POINTER(branch->bit[pn_bit(node->key, common)], node);
		rcu_assign_pointer(*pp, branch);
		return;
	}
}

static void pn_node_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(pn_node_cache, container_of(rcu, struct pn_node, rcu));
}

/*
 * Unlink the prefix of @node from its peer and the trie.  Readers may still
 * be walking the nodes unlinked here: they are freed after a grace period,
 * and their child pointers stay valid until then.
 */
static void pn_trie_remove(struct pn_table *tbl, const struct pn_prefix *p)
{
	struct pn_node __rcu **pp, **parent_pp;
	struct pn_node *node, *parent, *child;
	struct pn_peer *peer;

	node = pn_trie_find(tbl, p, &pp, &parent, &parent_pp);
	peer = node ? pn_deref(tbl, node->peer) : NULL;
	if (WARN_ON_ONCE(!peer))
		return;
	list_del(&node->peer_list);
	peer->num_prefixes--;
	tbl->num_prefixes--;
	RCU_INIT_POINTER(node->peer, NULL);
	pn_prefix_hash_del(tbl, node);

	if (rcu_access_pointer(node->bit[0]) && rcu_access_pointer(node->bit[1]))
		return;
	child = pn_deref(tbl, node->bit[0]) ?: pn_deref(tbl, node->bit[1]);
	rcu_assign_pointer(*pp, child);
	call_rcu(&node->rcu, pn_node_free_rcu);

	/* A branch point left with one child is no longer needed. */
	if (child || !parent || rcu_access_pointer(parent->peer))
		return;
	child = pn_deref(tbl, parent->bit[0]) ?: pn_deref(tbl, parent->bit[1]);
	rcu_assign_pointer(*parent_pp, child);
	call_rcu(&parent->rcu, pn_node_free_rcu);
}

/* Loops over a whole table (100k prefixes) reschedule every so often. */
#define PN_RESCHED_BATCH	1024

/*
 * Only for a table nobody can reach any more (a grace period has passed).
 * Iterative, without a stack: rotate left children up until there is none,
 * then free the node and go right.
 */
static void pn_trie_free(struct pn_node *node)
{
	struct pn_node *left, *next;
	unsigned int n = 0;

	while (node) {
		left = rcu_dereference_raw(node->bit[0]);
		if (left) {
			RCU_INIT_POINTER(node->bit[0],
					 rcu_dereference_raw(left->bit[1]));
			RCU_INIT_POINTER(left->bit[1], node);
			node = left;
			continue;
		}
		next = rcu_dereference_raw(node->bit[1]);
		kmem_cache_free(pn_node_cache, node);
		node = next;
		if (!(++n % PN_RESCHED_BATCH))
			cond_resched();
	}
}

struct pn_table *pn_table_alloc(struct pn_device *pn)
{
	struct pn_table *tbl;

	tbl = kzalloc(sizeof(*tbl), GFP_KERNEL_ACCOUNT);
	if (!tbl)
		return NULL;
	if (pn_prefix_hash_init(tbl)) {
		kfree(tbl);
		return NULL;
	}
	if (pn_peer_hash_init(tbl)) {
		pn_prefix_hash_destroy(tbl);
		kfree(tbl);
		return NULL;
	}
	INIT_LIST_HEAD(&tbl->peers);
	tbl->lock = &pn->lock;
	return tbl;
}

void pn_table_free(struct pn_table *tbl)
{
	struct pn_peer *peer, *tmp;
	unsigned int n = 0;

	might_sleep();
	pn_prefix_hash_destroy(tbl);
	pn_trie_free(rcu_dereference_raw(tbl->root4));
	pn_trie_free(rcu_dereference_raw(tbl->root6));
	pn_peer_hash_destroy(tbl);
	list_for_each_entry_safe(peer, tmp, &tbl->peers, table_list) {
		pn_peer_free(peer);
		if (!(++n % PN_RESCHED_BATCH))
			cond_resched();
	}
	kfree(tbl);
}

static void pn_table_free_work(struct work_struct *work)
{
	pn_table_free(container_of(to_rcu_work(work), struct pn_table,
				   free_work));
}

/* Free @tbl once the readers that might still see it are gone. */
void pn_table_free_rcu(struct pn_table *tbl)
{
	INIT_RCU_WORK(&tbl->free_work, pn_table_free_work);
	queue_rcu_work(pn_wq, &tbl->free_work);
}

/*
 * Forget every peer's cached route.  From changelink, under RTNL: the live
 * table's peers are walked under RCU, as the datapath does, and
 * dst_cache_reset() only marks the entries stale.  A packet that read the
 * old configuration just before may still cache its route; the next change
 * or the route's expiry clears it.
 */
void pn_table_reset_routes(struct pn_device *pn)
{
	struct pn_table *tbl;
	struct pn_peer *peer;

	ASSERT_RTNL();
	rcu_read_lock();
	tbl = rcu_dereference(pn->table);
	if (tbl)
		list_for_each_entry_rcu(peer, &tbl->peers, table_list)
			dst_cache_reset(&peer->dst_cache);
	rcu_read_unlock();
}

struct pn_table *pn_table_live(struct pn_device *pn)
{
	return rcu_dereference_protected(pn->table, lockdep_is_held(&pn->lock));
}

struct pn_peer *pn_table_find_peer(struct pn_table *tbl,
				   const struct pn_peer_key *key)
{
	lockdep_assert_held(tbl->lock);
	return pn_peer_hash_lookup(tbl, key);
}

/*
 * Generations come from one counter for all devices: a GET_PEER dump
 * cursor (netlink_dump.c) trusts its pointers when the generation it saved
 * is the device's now, which must then name one state of one table, even
 * if the device was deleted and another created under its name or index.
 */
static atomic_t pn_generations = ATOMIC_INIT(0);

u32 pn_generation_next(void)
{
	u32 gen;

	do
		gen = atomic_inc_return(&pn_generations);
	while (!gen);
	return gen;
}

void pn_table_changed(struct pn_device *pn)
{
	lockdep_assert_held(&pn->lock);
	pn->generation = pn_generation_next();
}

/*
 * Hash the node each prefix of @req is going to use, before anything
 * changes: branch points that become prefixes, and new leaves (kept on
 * @leaves until pn_trie_insert() links them).  Their peer is still NULL.
 */
static int pn_table_hash_prefixes(struct pn_table *tbl,
				  const struct pn_peer_req *req,
				  struct list_head *leaves)
{
	const struct pn_prefix *p;
	struct pn_node *node;
	unsigned int i;

	for (i = 0; i < req->num_prefixes; i++) {
		p = &req->prefixes[i];
		if (pn_prefix_hash_find(tbl, p))	/* owned, or a repeat */
			continue;
		node = pn_trie_find(tbl, p, NULL, NULL, NULL);
		if (!node) {
			node = kmem_cache_zalloc(pn_node_cache, GFP_KERNEL_ACCOUNT);
			if (!node)
				return -ENOMEM;
			node->key[0] = p->key[0];
			node->key[1] = p->key[1];
			node->cidr = p->cidr;
			node->family = p->family;
			list_add_tail(&node->peer_list, leaves);
		}
		if (pn_prefix_hash_add(tbl, node))
			return -ENOMEM;
	}
	return 0;
}

/* Undo pn_table_hash_prefixes(): nothing was visible. */
static void pn_table_unhash_prefixes(struct pn_table *tbl,
				     const struct pn_peer_req *req,
				     struct list_head *leaves)
{
	struct pn_node *node, *tmp;
	unsigned int i;

	for (i = 0; i < req->num_prefixes; i++) {
		node = pn_prefix_hash_find(tbl, &req->prefixes[i]);
		if (node && !rcu_access_pointer(node->peer))
			pn_prefix_hash_del(tbl, node);
	}
	/* Readers may have found them in the hash: free after a grace period. */
	list_for_each_entry_safe(node, tmp, leaves, peer_list) {
		list_del(&node->peer_list);
		call_rcu(&node->rcu, pn_node_free_rcu);
	}
}

int pn_table_set_peer(struct pn_table *tbl, struct pn_peer_req *req)
{
	struct pn_node *pool = NULL, *node;
	struct pn_peer *peer, *owner;
	unsigned int i, fresh = 0;
	LIST_HEAD(leaves);
	int ret;

	lockdep_assert_held(tbl->lock);
	req->bad = -1;
	req->created = false;
	peer = pn_peer_hash_lookup(tbl, &req->key);
	if (peer && req->excl)
		return -EEXIST;
	if (!peer && tbl->num_peers >= PODNET_MAX_PEERS)
		return -ENOSPC;

	/* Check everything before changing anything. */
	for (i = 0; i < req->num_prefixes; i++) {
		node = pn_trie_find(tbl, &req->prefixes[i], NULL, NULL, NULL);
		owner = node ? pn_deref(tbl, node->peer) : NULL;
		if (!owner) {
			fresh++;
		} else if (owner != peer && !req->replace) {
			req->bad = i;
			return -EEXIST;
		}
	}
	if (tbl->num_prefixes + fresh > PODNET_MAX_PREFIXES)
		return -ENOSPC;
	ret = pn_pool_fill(&pool, fresh);
	if (ret)
		return ret;
	ret = pn_table_hash_prefixes(tbl, req, &leaves);
	if (ret)
		goto undo;

	if (!peer) {
		peer = pn_peer_create(&req->key, GFP_KERNEL_ACCOUNT);
		if (!peer) {
			ret = -ENOMEM;
			goto undo;
		}
		ret = pn_peer_hash_insert(tbl, peer);
		if (ret) {
			pn_peer_free(peer);
			goto undo;
		}
		list_add_tail_rcu(&peer->table_list, &tbl->peers);
		tbl->num_peers++;
		req->created = true;
	}
	if (req->mac) {
		ether_addr_copy(peer->mac, req->mac);
		WRITE_ONCE(peer->has_mac, !is_zero_ether_addr(req->mac));
	}
	for (i = 0; i < req->num_prefixes; i++)
		pn_trie_insert(tbl, &req->prefixes[i], peer, &pool);
	WARN_ON_ONCE(!list_empty(&leaves));
	pn_pool_free(pool);
	return 0;

undo:
	pn_table_unhash_prefixes(tbl, req, &leaves);
	pn_pool_free(pool);
	return ret;
}

static void pn_table_unlink_peer(struct pn_table *tbl, struct pn_peer *peer)
{
	struct pn_node *node, *tmp;
	struct pn_prefix p;

	list_for_each_entry_safe(node, tmp, &peer->prefixes, peer_list) {
		pn_node_prefix(node, &p);
		pn_trie_remove(tbl, &p);
	}
	pn_peer_hash_remove(tbl, peer);
	list_del_rcu(&peer->table_list);
	tbl->num_peers--;
	pn_peer_free_rcu(peer);
}

int pn_table_del_peer(struct pn_table *tbl, const struct pn_peer_key *key)
{
	struct pn_peer *peer;

	lockdep_assert_held(tbl->lock);
	peer = pn_peer_hash_lookup(tbl, key);
	if (!peer)
		return -ENOENT;
	pn_table_unlink_peer(tbl, peer);
	return 0;
}

int pn_table_del_prefixes(struct pn_table *tbl, const struct pn_peer_key *key,
			  const struct pn_prefix *prefixes, unsigned int n,
			  int *bad)
{
	struct pn_peer *peer = NULL, *owner;
	struct pn_node *node;
	unsigned int i, j;

	lockdep_assert_held(tbl->lock);
	*bad = -1;
	if (key) {
		peer = pn_peer_hash_lookup(tbl, key);
		if (!peer)
			return -ENOENT;
	}
	/*
	 * Each prefix must be owned (by @peer, if given) and named once: a
	 * prefix named twice would be gone the second time.  Its node is
	 * marked as it is checked, so a repeat is seen at once (no pairwise
	 * comparison of the request's prefixes), and unmarked either way.
	 */
	for (i = 0; i < n; i++) {
		node = pn_trie_find(tbl, &prefixes[i], NULL, NULL, NULL);
		owner = node ? pn_deref(tbl, node->peer) : NULL;
		if (!owner || (peer && owner != peer) || node->doomed) {
			*bad = i;
			break;
		}
		node->doomed = true;
	}
	for (j = 0; j < i; j++)
		pn_trie_find(tbl, &prefixes[j], NULL, NULL, NULL)->doomed = false;
	if (*bad >= 0)
		return -ENOENT;
	for (i = 0; i < n; i++)
		pn_trie_remove(tbl, &prefixes[i]);
	return 0;
}

/*
 * Peers x CPUs counters: under the table's lock (the peer list cannot
 * change), not in an RCU read-side section, so that it may reschedule.
 */
void pn_device_stats(struct pn_device *pn, struct pn_stats_sum *sum)
{
	struct pn_peer *peer;
	unsigned int n = 0;

	memset(sum, 0, sizeof(*sum));
	pn_stats_fold(sum, pn->stats);
	mutex_lock(&pn->lock);
	list_for_each_entry(peer, &pn_table_live(pn)->peers, table_list) {
		pn_stats_fold(sum, READ_ONCE(peer->stats));
		if (!(++n % PN_RESCHED_BATCH))
			cond_resched();
	}
	mutex_unlock(&pn->lock);
}

int __init pn_peertable_init(void)
{
	int ret;

	pn_node_cache = KMEM_CACHE(pn_node, 0);
	if (!pn_node_cache)
		return -ENOMEM;
	pn_wq = alloc_workqueue("podnet", WQ_UNBOUND, 0);
	if (!pn_wq) {
		ret = -ENOMEM;
		goto err_cache;
	}
	ret = pn_replace_init();
	if (ret)
		goto err_wq;
	if (!pn_selftest()) {
		ret = -EIO;
		goto err_replace;
	}
	return 0;

err_replace:
	pn_replace_uninit();
err_wq:
	rcu_barrier();
	destroy_workqueue(pn_wq);
err_cache:
	kmem_cache_destroy(pn_node_cache);
	return ret;
}

void pn_peertable_uninit(void)
{
	pn_replace_uninit();
	/* Wait for the queued frees: call_rcu() callbacks, then the works
	 * they queue.
	 */
	rcu_barrier();
	destroy_workqueue(pn_wq);
	kmem_cache_destroy(pn_node_cache);
}

#ifdef PODNET_DEBUG
#include "selftest/peertable.c"
#endif
