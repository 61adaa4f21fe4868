// SPDX-License-Identifier: GPL-2.0
/*
 * Peer bookkeeping shared by podnetctl and the CNI plugin.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

int pn_peer_add_prefix(struct pn_peer *peer, const struct pn_prefix *p)
{
	if (peer->n_prefixes == peer->cap) {
		size_t cap = peer->cap ? peer->cap * 2 : 8;
		struct pn_prefix *np = realloc(peer->prefixes, cap * sizeof(*np));

		if (!np) {
			errno = ENOMEM;
			return -1;
		}
		peer->prefixes = np;
		peer->cap = cap;
	}
	peer->prefixes[peer->n_prefixes++] = *p;
	return 0;
}

void pn_peer_free(struct pn_peer *peer)
{
	free(peer->prefixes);
	peer->prefixes = NULL;
	peer->n_prefixes = peer->cap = 0;
}

int pn_prefix_cmp(const struct pn_prefix *a, const struct pn_prefix *b)
{
	int r;

	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	r = memcmp(a->addr.b, b->addr.b, pn_addr_len(&a->addr));
	if (r)
		return r;
	return (int)a->len - (int)b->len;
}

struct idx_prefix {
	const struct pn_prefix *p;
	size_t i;
};

static int idx_cmp(const void *x, const void *y)
{
	const struct idx_prefix *a = x, *b = y;
	int r = pn_prefix_cmp(a->p, b->p);

	if (r)
		return r;
	return a->i < b->i ? -1 : a->i > b->i;
}

long pn_peer_find_dup(const struct pn_peer *peer)
{
	struct idx_prefix *v;
	long dup = -1;
	size_t i;

	if (peer->n_prefixes < 2)
		return -1;
	v = malloc(peer->n_prefixes * sizeof(*v));
	if (!v) {
		/* Fall back to quadratic rather than fail the command. */
		for (i = 1; i < peer->n_prefixes && dup < 0; i++)
			for (size_t j = 0; j < i; j++)
				if (!pn_prefix_cmp(&peer->prefixes[i], &peer->prefixes[j])) {
					dup = (long)i;
					break;
				}
		return dup;
	}
	for (i = 0; i < peer->n_prefixes; i++)
		v[i] = (struct idx_prefix){ &peer->prefixes[i], i };
	qsort(v, peer->n_prefixes, sizeof(*v), idx_cmp);
	for (i = 1; i < peer->n_prefixes; i++) {
		/* The later of two equal entries is the duplicate. */
		if (!pn_prefix_cmp(v[i - 1].p, v[i].p) && (dup < 0 || v[i].i < (size_t)dup))
			dup = (long)v[i].i;
	}
	free(v);
	return dup;
}
