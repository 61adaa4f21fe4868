/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A peer as userspace sees it: what is sent to add one, and what a dump
 * returns.  Shared by podnetctl and the CNI plugin.
 */
#ifndef PN_PEER_H
#define PN_PEER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct pn_peer {
	struct pn_addr remote;
	bool has_remote;
	bool has_mac;
	uint8_t mac[PN_MAC_LEN];
	struct pn_prefix *prefixes;
	size_t n_prefixes;
	size_t cap;
};

/* Append a copy of @p; -1 (errno ENOMEM) when out of memory. */
int pn_peer_add_prefix(struct pn_peer *peer, const struct pn_prefix *p);
void pn_peer_free(struct pn_peer *peer);

/* Order prefixes by family, address, then length (for sorting). */
int pn_prefix_cmp(const struct pn_prefix *a, const struct pn_prefix *b);

/*
 * Index of a prefix that appears twice in @peer, or -1.  Runs in
 * O(n log n), so it is fine for 100k prefixes.
 */
long pn_peer_find_dup(const struct pn_peer *peer);

#endif
