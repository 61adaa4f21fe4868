/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address, prefix and MAC parsing and printing for podnet's userspace.
 *
 * Every parser fills a caller-supplied error buffer with a sentence that
 * names the bad input, so that podnetctl, the CNI plugin and the ip plugin
 * can each report it in their own way.  Nothing here keeps state.
 */
#ifndef PN_ADDR_H
#define PN_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PN_ERRLEN	160	/* room for any message produced here */
#define PN_MAC_LEN	6

/* Long enough for "ffff:ffff:...:255.255.255.255/128" plus a NUL. */
#define PN_PREFIX_STRLEN	(INET6_ADDRSTRLEN + 4)
#define PN_MAC_STRLEN		18

struct pn_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	};
};

struct pn_prefix {
	struct pn_addr addr;
	uint8_t len;
};

static inline size_t pn_addr_len(const struct pn_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static inline unsigned int pn_addr_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* A unicast underlay address: no prefix length, not unspecified/multicast. */
int pn_parse_remote(const char *s, struct pn_addr *a, char *err, size_t errlen);

/*
 * "ADDR/LEN" or a bare ADDR (a host prefix).  Host bits must be clear:
 * "10.0.0.1/24" is refused with a hint naming 10.0.0.0/24.  IPv4-mapped
 * IPv6 prefixes are refused: write them as IPv4.
 */
int pn_parse_prefix(const char *s, struct pn_prefix *p, char *err, size_t errlen);

/* xx:xx:xx:xx:xx:xx, not multicast (all-zero is allowed: it removes a MAC). */
int pn_parse_mac(const char *s, uint8_t mac[PN_MAC_LEN], char *err, size_t errlen);

/* Load raw bytes (4 or 16) as an address; -1 on any other length. */
int pn_addr_from_bytes(struct pn_addr *a, const void *bytes, size_t len);

/* Zero every bit of @p's address beyond its length. */
void pn_prefix_mask(struct pn_prefix *p);
bool pn_prefix_host_bits_set(const struct pn_prefix *p);

bool pn_addr_equal(const struct pn_addr *a, const struct pn_addr *b);

/* Return @buf, which must hold PN_PREFIX_STRLEN / PN_MAC_STRLEN bytes. */
char *pn_addr_str(const struct pn_addr *a, char *buf, size_t len);
char *pn_prefix_str(const struct pn_prefix *p, char *buf, size_t len);
char *pn_mac_str(const uint8_t mac[PN_MAC_LEN], char *buf, size_t len);

#endif
