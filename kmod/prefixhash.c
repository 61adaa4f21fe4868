// SPDX-License-Identifier: GPL-2.0
/*
 * Longest-prefix match for the datapath.  Every prefix of a table is also
 * in a hash table keyed by (family, length, address), and a bitmap per
 * family says which lengths are present.  A lookup probes the lengths
 * present, longest first: its cost depends on how many lengths a table
 * uses (one or two in a Kubernetes cluster), not on how many prefixes it
 * holds.  A table of a family with more than PN_LPM_MAX_PROBES lengths is
 * looked up in the trie instead, whose walk is bounded by its depth.  The
 * trie stays the structure for changes, ownership and dumps.
 *
 * A node is hashed while it owns a prefix.  pn_table_set_peer() hashes the
 * nodes it is about to give a peer while their peer is still NULL, so the
 * one step that can fail (the hash table's allocation) fails before
 * anything is visible; readers take a hashed node without a peer as a miss.
 * Nodes are freed with call_rcu() after they leave the hash and the trie.
 */

#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/socket.h>

#include "peertable.h"

/* An IPv4 key is its top 32 bits; the rest is zero. */
static u32 pn_prefix_hash(const u64 *key, u8 cidr, u8 family, u32 seed)
{
	const u32 w[4] = { key[0] >> 32, key[0], key[1] >> 32, key[1] };

	seed ^= cidr << 8 | family;
	if (family == AF_INET)
		return jhash_1word(w[0], seed);
	return jhash2(w, ARRAY_SIZE(w), seed);
}

static u32 pn_prefix_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct pn_prefix *p = data;

	return pn_prefix_hash(p->key, p->cidr, p->family, seed);
}

static u32 pn_prefix_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct pn_node *node = data;

	return pn_prefix_hash(node->key, node->cidr, node->family, seed);
}

static int pn_prefix_obj_cmpfn(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const struct pn_prefix *p = arg->key;
	const struct pn_node *node = obj;

	return p->cidr != node->cidr || p->family != node->family ||
	       p->key[0] != node->key[0] || p->key[1] != node->key[1];
}

static const struct rhashtable_params pn_prefix_ht_params = {
	.head_offset = offsetof(struct pn_node, hash_node),
	.hashfn = pn_prefix_key_hashfn,
	.obj_hashfn = pn_prefix_obj_hashfn,
	.obj_cmpfn = pn_prefix_obj_cmpfn,
	.automatic_shrinking = true,
};

int pn_prefix_hash_init(struct pn_table *tbl)
{
	return rhashtable_init(&tbl->prefix_ht, &pn_prefix_ht_params);
}

/* The nodes themselves belong to the trie, which frees them. */
void pn_prefix_hash_destroy(struct pn_table *tbl)
{
	rhashtable_destroy(&tbl->prefix_ht);
}

static unsigned long *pn_prefix_lens(struct pn_table *tbl, u8 family,
				     u32 **count, u8 **nlens)
{
	if (family == AF_INET) {
		*count = tbl->num_len4;
		*nlens = &tbl->nlens4;
		return tbl->lens4;
	}
	*count = tbl->num_len6;
	*nlens = &tbl->nlens6;
	return tbl->lens6;
}

/* Whether pn_prefix_lookup() is the way to look up @family in @tbl. */
bool pn_prefix_lookup_hashed(struct pn_table *tbl, u8 family)
{
	return (family == AF_INET ? READ_ONCE(tbl->nlens4) :
				    READ_ONCE(tbl->nlens6)) <= PN_LPM_MAX_PROBES;
}

int pn_prefix_hash_add(struct pn_table *tbl, struct pn_node *node)
{
	struct pn_prefix p;
	unsigned long *lens;
	u32 *count;
	u8 *nlens;
	int ret;

	lockdep_assert_held(tbl->lock);
	pn_node_prefix(node, &p);
	ret = rhashtable_lookup_insert_key(&tbl->prefix_ht, &p,
					   &node->hash_node,
					   pn_prefix_ht_params);
	if (ret)
		return ret;
	node->hashed = true;
	lens = pn_prefix_lens(tbl, node->family, &count, &nlens);
	/* The bit is set before the node can get a peer (a release). */
	if (!count[node->cidr]++) {
		set_bit(node->cidr, lens);
		WRITE_ONCE(*nlens, *nlens + 1);
	}
	return 0;
}

void pn_prefix_hash_del(struct pn_table *tbl, struct pn_node *node)
{
	unsigned long *lens;
	u32 *count;
	u8 *nlens;

	lockdep_assert_held(tbl->lock);
	if (!node->hashed)
		return;
	rhashtable_remove_fast(&tbl->prefix_ht, &node->hash_node,
			       pn_prefix_ht_params);
	node->hashed = false;
	lens = pn_prefix_lens(tbl, node->family, &count, &nlens);
	if (!--count[node->cidr]) {
		clear_bit(node->cidr, lens);
		WRITE_ONCE(*nlens, *nlens - 1);
	}
}

/* Under the table's lock: the hashed node of exactly @p, or NULL. */
struct pn_node *pn_prefix_hash_find(struct pn_table *tbl,
				    const struct pn_prefix *p)
{
	lockdep_assert_held(tbl->lock);
	return rhashtable_lookup_fast(&tbl->prefix_ht, p, pn_prefix_ht_params);
}

/*
 * Longest match of @key (@family's address bits, most significant first)
 * with BH disabled.  A length whose bit is cleared concurrently only costs
 * a probe that misses; a prefix present before the call and after it is
 * always found.
 */
struct pn_peer *pn_prefix_lookup(struct pn_table *tbl, u8 family,
				 const u64 *key)
{
	unsigned int size = family == AF_INET ? 33 : 129, cidr;
	const unsigned long *lens;
	struct pn_peer *peer = NULL;
	struct pn_node *node;
	struct pn_prefix p;
	u32 *count;
	u8 *nlens;

	lens = pn_prefix_lens(tbl, family, &count, &nlens);
	p.family = family;
	/* rhashtable's RCU checks want rcu_read_lock(), not only _bh. */
	rcu_read_lock();
	while ((cidr = find_last_bit(lens, size)) < size) {
		p.key[0] = key[0];
		p.key[1] = key[1];
		pn_mask(p.key, cidr);
		p.cidr = cidr;
		node = rhashtable_lookup(&tbl->prefix_ht, &p,
					 pn_prefix_ht_params);
		peer = node ? rcu_dereference(node->peer) : NULL;
		if (peer)
			break;
		size = cidr;
	}
	rcu_read_unlock();
	return peer;
}
