// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized self-test of the peer table against a naive reference list,
 * and a lookup benchmark.  Included at the end of peertable.c to reach its
 * static functions.  Always built; run on demand:
 *
 *   modprobe podnet selftest=1      at load (a failure fails the load)
 *   echo N > /sys/module/podnet/parameters/selftest    N times bigger
 *   echo 1 > /sys/module/podnet/parameters/bench       timings to dmesg
 *
 * A write returns EIO if the test fails; details go to the kernel log.
 */

#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/vmalloc.h>

struct pn_st_entry {
	struct pn_prefix p;
	unsigned int peer;
};

struct pn_st {
	struct pn_device *pn;
	struct pn_table *tbl;
	struct pn_st_entry *ref;
	unsigned int n, cap;
	unsigned int num_peers;
	struct pn_peer_key *keys;
	bool ok;
};

static u32 pn_st_rand(u32 n)
{
	return get_random_u32() % n;
}

#define pn_st_fail(st, fmt, ...) do {					\
	pr_err("podnet: selftest: %s:%d: " fmt "\n", __func__, __LINE__,	\
	       ##__VA_ARGS__);						\
	(st)->ok = false;						\
} while (0)

/* Clustered random prefixes, so that they nest and share long paths. */
static void pn_st_random_prefix(struct pn_prefix *p)
{
	u8 addr[16] = {}, cidr;
	u32 r = get_random_u32();

	if (r & 1) {
		put_unaligned_be32(0x0a000000 | (get_random_u32() & 0x00fff0ff),
				   addr);
		cidr = 8 + pn_st_rand(25);
		put_unaligned_be32(get_unaligned_be32(addr) &
				   (cidr ? ~0U << (32 - cidr) : 0), addr);
		WARN_ON(pn_prefix_init(p, AF_INET, addr, cidr));
		return;
	}
	addr[0] = 0xfd;
	addr[1] = (r >> 8) & 3;
	addr[2] = r >> 16;
	put_unaligned_be32(get_random_u32() & 0xff0000ff, addr + 4);
	put_unaligned_be32(get_random_u32(), addr + 12);
	cidr = 16 + pn_st_rand(113);
	pn_prefix_init(p, AF_INET6, addr, 128);
	pn_mask(p->key, cidr);
	p->cidr = cidr;
}

static bool pn_st_same(const struct pn_prefix *a, const struct pn_prefix *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       a->key[0] == b->key[0] && a->key[1] == b->key[1];
}

static int pn_st_find(struct pn_st *st, const struct pn_prefix *p)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (pn_st_same(&st->ref[i].p, p))
			return i;
	return -1;
}

/* The reference: the peer index owning the longest match, or -1. */
static int pn_st_ref_lookup(struct pn_st *st, int family, const u64 *key)
{
	int best = -1, bestlen = -1;
	struct pn_node probe = {};
	unsigned int i;

	for (i = 0; i < st->n; i++) {
		const struct pn_prefix *p = &st->ref[i].p;

		if (p->family != family || p->cidr <= bestlen)
			continue;
		probe.key[0] = p->key[0];
		probe.key[1] = p->key[1];
		probe.cidr = p->cidr;
		if (pn_node_matches(&probe, key)) {
			best = st->ref[i].peer;
			bestlen = p->cidr;
		}
	}
	return best;
}

static struct pn_peer *pn_st_peer(struct pn_st *st, int idx)
{
	return idx < 0 ? NULL : pn_peer_hash_lookup(st->tbl, &st->keys[idx]);
}

/* A random address inside @p. */
static void pn_st_host_bits(const struct pn_prefix *p, u64 *key)
{
	unsigned int w, covered;

	for (w = 0; w < 2; w++) {
		key[w] = p->key[w];
		covered = clamp_t(int, p->cidr - 64 * w, 0, 64);
		if (covered < 64)
			key[w] |= get_random_u64() & (~0ULL >> covered);
	}
}

static void pn_st_lookups(struct pn_st *st, unsigned int count)
{
	struct pn_peer *got, *trie, *want;
	struct pn_prefix p;
	unsigned int i;
	u64 key[2];
	int family;

	for (i = 0; i < count && st->ok; i++) {
		if (st->n && (i & 1))
			p = st->ref[pn_st_rand(st->n)].p;
		else
			pn_st_random_prefix(&p);
		pn_st_host_bits(&p, key);
		family = p.family;
		if (family == AF_INET) {
			key[0] &= ~0ULL << 32;
			key[1] = 0;
		}
		rcu_read_lock_bh();
		got = pn_prefix_lookup(st->tbl, family, key);
		trie = pn_trie_lookup(pn_root(st->tbl, family), key,
				      family == AF_INET ? 32 : 128);
		rcu_read_unlock_bh();
		want = pn_st_peer(st, pn_st_ref_lookup(st, family, key));
		if (got != want || trie != want)
			pn_st_fail(st, "lookup %016llx%016llx: got %p (trie %p), want %p",
				   key[0], key[1], got, trie, want);
	}
}

static void pn_st_set_peer(struct pn_st *st)
{
	struct pn_prefix prefixes[4];
	struct pn_peer_req req = {};
	unsigned int i, n = 1 + pn_st_rand(4), peer = pn_st_rand(st->num_peers);
	bool conflict = false;
	int ret, j;

	for (i = 0; i < n; i++) {
		if (st->n && pn_st_rand(4) == 0)
			prefixes[i] = st->ref[pn_st_rand(st->n)].p;
		else
			pn_st_random_prefix(&prefixes[i]);
	}
	req.key = st->keys[peer];
	req.prefixes = prefixes;
	req.num_prefixes = n;
	req.replace = get_random_u32() & 1;
	for (i = 0; i < n; i++) {
		j = pn_st_find(st, &prefixes[i]);
		if (j >= 0 && st->ref[j].peer != peer && !req.replace)
			conflict = true;
	}
	ret = pn_table_set_peer(st->tbl, &req);
	if (conflict) {
		if (ret != -EEXIST)
			pn_st_fail(st, "conflicting set: %d, want -EEXIST", ret);
		return;
	}
	if (ret) {
		pn_st_fail(st, "set: %d", ret);
		return;
	}
	for (i = 0; i < n; i++) {
		j = pn_st_find(st, &prefixes[i]);
		if (j >= 0) {
			st->ref[j].peer = peer;
		} else if (st->n < st->cap) {
			st->ref[st->n].p = prefixes[i];
			st->ref[st->n++].peer = peer;
		} else {
			pn_st_fail(st, "reference full");
		}
	}
}

static void pn_st_ref_remove(struct pn_st *st, unsigned int i)
{
	st->ref[i] = st->ref[--st->n];
}

static void pn_st_del_prefixes(struct pn_st *st)
{
	struct pn_prefix prefixes[3];
	unsigned int i, n, peer;
	bool by_peer;
	int ret, bad;

	if (!st->n || pn_st_rand(8) == 0) {
		pn_st_random_prefix(&prefixes[0]);
		if (pn_st_find(st, &prefixes[0]) >= 0)
			return;
		ret = pn_table_del_prefixes(st->tbl, NULL, prefixes, 1, &bad);
		if (ret != -ENOENT || bad != 0)
			pn_st_fail(st, "del of a missing prefix: %d/%d", ret, bad);
		return;
	}
	i = pn_st_rand(st->n);
	peer = st->ref[i].peer;
	prefixes[0] = st->ref[i].p;
	n = 1;
	by_peer = get_random_u32() & 1;
	for (i = 0; i < st->n && n < ARRAY_SIZE(prefixes); i++)
		if (st->ref[i].peer == peer && !pn_st_same(&st->ref[i].p, &prefixes[0]))
			prefixes[n++] = st->ref[i].p;
	ret = pn_table_del_prefixes(st->tbl, by_peer ? &st->keys[peer] : NULL,
				    prefixes, n, &bad);
	if (ret) {
		pn_st_fail(st, "del prefixes: %d", ret);
		return;
	}
	for (i = 0; i < n; i++)
		pn_st_ref_remove(st, pn_st_find(st, &prefixes[i]));
}

static void pn_st_del_peer(struct pn_st *st)
{
	unsigned int peer = pn_st_rand(st->num_peers), i;
	bool exists = pn_st_peer(st, peer);
	int ret;

	ret = pn_table_del_peer(st->tbl, &st->keys[peer]);
	if (ret != (exists ? 0 : -ENOENT)) {
		pn_st_fail(st, "del peer: %d, exists %d", ret, exists);
		return;
	}
	for (i = 0; i < st->n;) {
		if (st->ref[i].peer == peer)
			pn_st_ref_remove(st, i);
		else
			i++;
	}
}

/* Walks a trie checking its invariants; returns the number of prefixes. */
static unsigned int pn_st_check_trie(struct pn_st *st, struct pn_node *node,
				     struct pn_node *parent, unsigned int depth)
{
	struct pn_node *c0, *c1;
	struct pn_prefix np;
	unsigned int n;
	u64 masked[2];

	if (!node)
		return 0;
	if (depth > 129) {
		pn_st_fail(st, "trie too deep");
		return 0;
	}
	c0 = pn_deref(st->tbl, node->bit[0]);
	c1 = pn_deref(st->tbl, node->bit[1]);
	masked[0] = node->key[0];
	masked[1] = node->key[1];
	pn_mask(masked, node->cidr);
	if (masked[0] != node->key[0] || masked[1] != node->key[1])
		pn_st_fail(st, "node key has bits past cidr");
	if (parent && (node->cidr <= parent->cidr ||
		       !pn_node_matches(parent, node->key)))
		pn_st_fail(st, "child outside its parent");
	if (!rcu_access_pointer(node->peer) && (!c0 || !c1))
		pn_st_fail(st, "branch node without two children");
	pn_node_prefix(node, &np);
	if (node->hashed != !!rcu_access_pointer(node->peer) ||
	    (node->hashed && pn_prefix_hash_find(st->tbl, &np) != node))
		pn_st_fail(st, "prefix node not hashed, or branch node hashed");
	n = !!rcu_access_pointer(node->peer);
	if (c0 && pn_bit(c0->key, node->cidr) != 0)
		pn_st_fail(st, "left child on the wrong side");
	if (c1 && pn_bit(c1->key, node->cidr) != 1)
		pn_st_fail(st, "right child on the wrong side");
	if (!st->ok)
		return 0;
	return n + pn_st_check_trie(st, c0, node, depth + 1) +
	       pn_st_check_trie(st, c1, node, depth + 1);
}

/* A length's bit is set exactly when prefixes of that length are hashed. */
static void pn_st_check_lens(struct pn_st *st, const unsigned long *lens,
			     const u32 *count, unsigned int size, u8 nlens,
			     unsigned int *hashed)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (test_bit(i, lens) != !!count[i])
			pn_st_fail(st, "length %u: bit %d, %u prefixes", i,
				   test_bit(i, lens), count[i]);
		*hashed += count[i];
	}
	if (bitmap_weight(lens, size) != nlens)
		pn_st_fail(st, "%u lengths counted, %u present", nlens,
			   bitmap_weight(lens, size));
}

static void pn_st_check(struct pn_st *st)
{
	struct pn_table *tbl = st->tbl;
	unsigned int n, i, sum = 0, hashed = 0;
	struct pn_node *node;
	struct pn_peer *peer;

	n = pn_st_check_trie(st, pn_deref(tbl, tbl->root4), NULL, 0) +
	    pn_st_check_trie(st, pn_deref(tbl, tbl->root6), NULL, 0);
	list_for_each_entry(peer, &tbl->peers, table_list)
		sum += peer->num_prefixes;
	for (i = 0; i < st->n && st->ok; i++) {
		node = pn_trie_find(tbl, &st->ref[i].p, NULL, NULL, NULL);
		if (!node || pn_deref(tbl, node->peer) !=
			     pn_st_peer(st, st->ref[i].peer))
			pn_st_fail(st, "prefix %u not owned by peer %u", i,
				   st->ref[i].peer);
	}
	if (n != st->n || tbl->num_prefixes != st->n || sum != st->n)
		pn_st_fail(st, "prefix counts: trie %u, table %u, peers %u, reference %u",
			   n, tbl->num_prefixes, sum, st->n);
	pn_st_check_lens(st, tbl->lens4, tbl->num_len4, 33, tbl->nlens4,
			 &hashed);
	pn_st_check_lens(st, tbl->lens6, tbl->num_len6, 129, tbl->nlens6,
			 &hashed);
	if (hashed != st->n || atomic_read(&tbl->prefix_ht.nelems) != st->n)
		pn_st_fail(st, "hashed prefixes: by length %u, in the hash %d, reference %u",
			   hashed, atomic_read(&tbl->prefix_ht.nelems), st->n);
}

static void pn_st_skb(struct pn_st *st)
{
	struct pn_peer_req req = {};
	struct pn_prefix p[1];
	struct sk_buff *skb;
	struct iphdr *ip;
	struct pn_peer *a;
	u8 addr[4] = { 192, 0, 2, 0 };
	int ret;

	pn_prefix_init(&p[0], AF_INET, addr, 24);
	req.key = st->keys[0];
	req.prefixes = p;
	req.num_prefixes = 1;
	req.replace = true;
	ret = pn_table_set_peer(st->tbl, &req);
	skb = alloc_skb(64, GFP_KERNEL);
	if (ret || !skb) {
		pn_st_fail(st, "skb test setup: %d", ret);
		kfree_skb(skb);
		return;
	}
	skb_reset_network_header(skb);
	ip = skb_put_zero(skb, sizeof(*ip));
	ip->saddr = htonl(0xc0000207);
	ip->daddr = htonl(0xc0000263);
	skb->protocol = htons(ETH_P_IP);
	a = pn_st_peer(st, 0);
	rcu_read_lock_bh();
	if (pn_lookup_skb(st->tbl, skb, false) != a ||
	    pn_lookup_skb(st->tbl, skb, true) != a)
		pn_st_fail(st, "skb lookup");
	ip->saddr = htonl(0xc0000307);
	if (pn_lookup_skb(st->tbl, skb, true) == a)
		pn_st_fail(st, "skb source lookup outside the prefix");
	skb_trim(skb, 10);
	if (pn_lookup_skb(st->tbl, skb, false))
		pn_st_fail(st, "lookup in a truncated header");
	rcu_read_unlock_bh();
	kfree_skb(skb);
	pn_table_del_prefixes(st->tbl, NULL, p, 1, &ret);
}

/*
 * Replace while lookups run: a reader thread looks up addresses inside a
 * set of stable prefixes, present with the same owner in every table,
 * while this thread commits replaces (stable set plus random churn) and
 * changes the live table in between.  No lookup may miss or find another
 * owner.
 */
#define PN_ST_STABLE	64

struct pn_st_race {
	struct pn_device *pn;
	unsigned long lookups, misses;
};

static u64 pn_st_stable_key(unsigned int i)
{
	return (u64)(0x0b000000 + (i << 12)) << 32;
}

static __be32 pn_st_stable_owner(unsigned int i)
{
	return htonl(0xc6336400 + i % 8);
}

static int pn_st_reader(void *arg)
{
	struct pn_st_race *r = arg;
	struct pn_table *tbl;
	struct pn_peer *peer;
	unsigned int i;
	u64 key[2];

	while (!kthread_should_stop()) {
		for (i = 0; i < PN_ST_STABLE; i++) {
			key[0] = pn_st_stable_key(i) | ((u64)get_random_u32() & 0xfff) << 32;
			key[1] = 0;
			rcu_read_lock_bh();
			tbl = rcu_dereference_bh(r->pn->table);
			peer = pn_prefix_lookup(tbl, AF_INET, key);
			if (!peer || peer->key.addr[0] != pn_st_stable_owner(i))
				r->misses++;
			peer = pn_trie_lookup(&tbl->root4, key, 32);
			if (!peer || peer->key.addr[0] != pn_st_stable_owner(i))
				r->misses++;
			rcu_read_unlock_bh();
			r->lookups++;
		}
		cond_resched();
	}
	return 0;
}

static int pn_st_race_fill(struct pn_table *tbl, bool churn)
{
	struct pn_peer_req req = {};
	struct pn_prefix p;
	unsigned int i;
	u8 addr[4];
	int ret;

	for (i = 0; i < PN_ST_STABLE + (churn ? 32 : 0); i++) {
		memset(&req, 0, sizeof(req));
		req.key.family = AF_INET;
		if (i < PN_ST_STABLE) {
			put_unaligned_be32(pn_st_stable_key(i) >> 32, addr);
			pn_prefix_init(&p, AF_INET, addr, 20);
			req.key.addr[0] = pn_st_stable_owner(i);
		} else {
			put_unaligned_be32(0x0c000000 | (get_random_u32() & 0xffff00),
					   addr);
			pn_prefix_init(&p, AF_INET, addr, 16 + pn_st_rand(9));
			pn_mask(p.key, p.cidr);
			req.key.addr[0] = htonl(0xc6336400 + pn_st_rand(16));
			req.replace = true;
		}
		req.prefixes = &p;
		req.num_prefixes = 1;
		ret = pn_table_set_peer(tbl, &req);
		if (ret)
			return ret;
	}
	return 0;
}

static bool pn_st_replace_race(unsigned int scale)
{
	struct pn_st_race r = {};
	struct task_struct *reader;
	unsigned int round;
	struct pn_table *tbl;
	bool ok = true;
	u32 portid = 1;

	r.pn = kzalloc(sizeof(*r.pn), GFP_KERNEL);
	if (!r.pn)
		return false;
	mutex_init(&r.pn->lock);
	r.pn->generation = 1;
	tbl = pn_table_alloc(r.pn);
	if (!tbl)
		goto out;
	mutex_lock(&r.pn->lock);
	if (pn_st_race_fill(tbl, false))
		ok = false;
	RCU_INIT_POINTER(r.pn->table, tbl);
	mutex_unlock(&r.pn->lock);

	reader = kthread_run(pn_st_reader, &r, "podnet-selftest");
	if (IS_ERR(reader)) {
		ok = false;
		goto out_table;
	}
	for (round = 0; ok && round < 100 * scale; round++) {
		mutex_lock(&r.pn->lock);
		ok = !pn_replace_begin(r.pn, &init_net, portid) &&
		     !pn_st_race_fill(r.pn->staging, true) &&
		     !pn_replace_commit(r.pn, &init_net, portid) &&
		     !pn_st_race_fill(pn_table_live(r.pn), true);
		mutex_unlock(&r.pn->lock);
		cond_resched();
	}
	kthread_stop(reader);
	if (r.misses || !r.lookups)
		ok = false;
	pr_info("podnet: selftest: replace race: %u commits, %lu lookups, %lu misses: %s\n",
		round, r.lookups, r.misses, ok ? "pass" : "FAIL");
out_table:
	mutex_lock(&r.pn->lock);
	pn_replace_drop(r.pn);
	tbl = pn_table_live(r.pn);
	mutex_unlock(&r.pn->lock);
	/* The retired tables are freed by queued work; wait for it. */
	rcu_barrier();
	flush_workqueue(pn_wq);
	pn_table_free(tbl);
out:
	mutex_destroy(&r.pn->lock);
	kfree(r.pn);
	return ok;
}

static bool pn_st_run(unsigned int scale)
{
	unsigned int iters = 10000 * scale, i;
	struct pn_st st = { .ok = true, .num_peers = 16 + 16 * scale };
	unsigned long start = jiffies;

	st.cap = 2 * iters + 16;
	st.ref = vmalloc(array_size(st.cap, sizeof(*st.ref)));
	st.keys = kcalloc(st.num_peers, sizeof(*st.keys), GFP_KERNEL);
	st.pn = kzalloc(sizeof(*st.pn), GFP_KERNEL);
	if (!st.ref || !st.keys || !st.pn) {
		st.ok = false;
		goto out;
	}
	mutex_init(&st.pn->lock);
	st.tbl = pn_table_alloc(st.pn);
	if (!st.tbl) {
		st.ok = false;
		goto out_mutex;
	}
	for (i = 0; i < st.num_peers; i++) {
		st.keys[i].family = i & 1 ? AF_INET6 : AF_INET;
		st.keys[i].addr[0] = htonl(0xc6336400 + i);
		st.keys[i].addr[3] = htonl(i);
	}

	mutex_lock(&st.pn->lock);
	pn_st_skb(&st);
	for (i = 0; i < iters && st.ok; i++) {
		u32 r = pn_st_rand(100);

		if (r < 55)
			pn_st_set_peer(&st);
		else if (r < 70)
			pn_st_del_prefixes(&st);
		else if (r < 72)
			pn_st_del_peer(&st);
		else
			pn_st_lookups(&st, 8);
		if (i % 256 == 0)
			pn_st_check(&st);
		if (i % 64 == 0)
			cond_resched();
	}
	if (st.ok)
		pn_st_check(&st);
	if (st.ok)
		pn_st_lookups(&st, 1000);
	/* Delete everything in random order down to an empty trie. */
	while (st.ok && st.n) {
		pn_st_del_prefixes(&st);
		if (st.n % 128 == 0)
			pn_st_check(&st);
	}
	if (st.ok && (rcu_access_pointer(st.tbl->root4) ||
		      rcu_access_pointer(st.tbl->root6)))
		pn_st_fail(&st, "trie not empty at the end");
	mutex_unlock(&st.pn->lock);

	pn_table_free(st.tbl);
out_mutex:
	mutex_destroy(&st.pn->lock);
out:
	kfree(st.pn);
	kfree(st.keys);
	vfree(st.ref);
	if (st.ok && !pn_st_replace_race(scale))
		st.ok = false;
	pr_info("podnet: selftest (scale %u, %u operations, %u ms): %s\n",
		scale, iters, jiffies_to_msecs(jiffies - start),
		st.ok ? "pass" : "FAIL");
	return st.ok;
}

/*
 * Lookup time and memory against table size, for docs/peertable.md: n /24
 * prefixes of one peer each (the Kubernetes shape).  Three lookup loops over
 * precomputed addresses: LPM of random prefixes, an exact-match rhashtable
 * lookup of random peers' endpoints in the same table (the cost of a hash
 * table of n entries on this machine, to tell the trie's own growth from
 * the memory hierarchy's), and LPM cycling over 16 hot prefixes.
 */
static unsigned int pn_st_count_nodes(struct pn_node *node)
{
	if (!node)
		return 0;
	return 1 + pn_st_count_nodes(rcu_dereference_raw(node->bit[0])) +
	       pn_st_count_nodes(rcu_dereference_raw(node->bit[1]));
}

#define PN_ST_LOOKUPS 100000

static u64 pn_st_time_lpm(struct pn_table *tbl, const u32 *idx, u32 mask,
			  bool trie)
{
	u64 t, key[2] = {};
	struct pn_peer *peer;
	unsigned int i;

	t = ktime_get_ns();
	for (i = 0; i < PN_ST_LOOKUPS; i++) {
		key[0] = (u64)(0x0a000000 + (idx[i & mask] << 8) + 7) << 32;
		if (trie)
			peer = pn_trie_lookup(&tbl->root4, key, 32);
		else
			peer = pn_prefix_lookup(tbl, AF_INET, key);
		if (!peer)
			return U64_MAX;
	}
	return (ktime_get_ns() - t) / PN_ST_LOOKUPS;
}

static u64 pn_st_time_hash(struct pn_table *tbl, const u32 *idx)
{
	struct pn_peer_key key = { .family = AF_INET };
	unsigned int i;
	u64 t;

	t = ktime_get_ns();
	for (i = 0; i < PN_ST_LOOKUPS; i++) {
		key.addr[0] = htonl(0xac000000 + idx[i]);
		if (!pn_peer_hash_lookup(tbl, &key))
			return U64_MAX;
	}
	return (ktime_get_ns() - t) / PN_ST_LOOKUPS;
}

static void pn_st_bench_one(struct pn_device *pn, unsigned int n)
{
	u64 t0, t1, lpm, trie, hash, hot;
	unsigned int i, nodes, buckets;
	struct pn_peer_req req;
	struct pn_table *tbl;
	struct pn_prefix p;
	u8 addr[4];
	u32 *idx;

	idx = kvmalloc_array(PN_ST_LOOKUPS, sizeof(*idx), GFP_KERNEL);
	tbl = pn_table_alloc(pn);
	if (!idx || !tbl)
		goto out;
	for (i = 0; i < PN_ST_LOOKUPS; i++)
		idx[i] = pn_st_rand(n);
	mutex_lock(&pn->lock);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		put_unaligned_be32(0x0a000000 + (i << 8), addr);
		pn_prefix_init(&p, AF_INET, addr, 24);
		memset(&req, 0, sizeof(req));
		req.key.family = AF_INET;
		req.key.addr[0] = htonl(0xac000000 + i);
		req.prefixes = &p;
		req.num_prefixes = 1;
		if (pn_table_set_peer(tbl, &req))
			break;
		if (i % 1024 == 0)
			cond_resched();
	}
	t1 = ktime_get_ns();
	nodes = pn_st_count_nodes(rcu_dereference_raw(tbl->root4));
	rcu_read_lock_bh();
	lpm = pn_st_time_lpm(tbl, idx, U32_MAX, false);
	trie = pn_st_time_lpm(tbl, idx, U32_MAX, true);
	hash = pn_st_time_hash(tbl, idx);
	hot = pn_st_time_lpm(tbl, idx, 15, false);
	rcu_read_unlock_bh();
	mutex_unlock(&pn->lock);
	buckets = rcu_dereference_raw(tbl->prefix_ht.tbl)->size;
	pr_info("podnet: bench: %u prefixes (%u peers): insert %llu ns/prefix, lookup %llu ns (trie walk %llu ns, endpoint hash %llu ns, 16 hot prefixes %llu ns), %u trie nodes of %u B + %u hash buckets = %zu B/prefix%s\n",
		n, tbl->num_peers, (t1 - t0) / n, lpm, trie, hash, hot, nodes,
		kmem_cache_size(pn_node_cache), buckets,
		(nodes * kmem_cache_size(pn_node_cache) +
		 buckets * sizeof(struct rhash_lock_head *)) / n,
		lpm == U64_MAX || trie == U64_MAX || hash == U64_MAX ||
		hot == U64_MAX ? " (LOOKUP MISSED)" : "");
out:
	if (tbl)
		pn_table_free(tbl);
	kvfree(idx);
}

static void pn_st_bench(void)
{
	struct pn_device *pn = kzalloc(sizeof(*pn), GFP_KERNEL);

	if (!pn)
		return;
	mutex_init(&pn->lock);
	pr_info("podnet: bench: struct pn_peer %zu B, per-CPU %zu B (counters) + dst_cache\n",
		sizeof(struct pn_peer), sizeof(struct pn_stats));
	pn_st_bench_one(pn, 1000);
	pn_st_bench_one(pn, 10000);
	pn_st_bench_one(pn, 100000);
	mutex_destroy(&pn->lock);
	kfree(pn);
}

static bool pn_st_ready;
static unsigned int pn_st_scale;

static int pn_st_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int scale;
	int ret;

	ret = kstrtouint(val, 0, &scale);
	if (ret)
		return ret;
	if (!pn_st_ready) {	/* at load, before init: init runs it */
		pn_st_scale = scale;
		return 0;
	}
	if (kp->arg == &pn_st_scale)
		return !scale || pn_st_run(scale) ? 0 : -EIO;
	if (scale)
		pn_st_bench();
	return 0;
}

static const struct kernel_param_ops pn_st_param_ops = {
	.set = pn_st_param_set,
	.get = param_get_uint,
};

module_param_cb(selftest, &pn_st_param_ops, &pn_st_scale, 0644);
MODULE_PARM_DESC(selftest, "run the peer table self-test N times bigger (write, or at load)");
static unsigned int pn_st_bench_dummy;
module_param_cb(bench, &pn_st_param_ops, &pn_st_bench_dummy, 0644);
MODULE_PARM_DESC(bench, "write 1: peer table lookup benchmark to the kernel log");

bool pn_selftest(void)
{
	pn_st_ready = true;
	return !pn_st_scale || pn_st_run(pn_st_scale);
}
