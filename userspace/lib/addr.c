// SPDX-License-Identifier: GPL-2.0
/*
 * Address, prefix and MAC parsing and printing.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"

/* inet_pton() for either family; 0 on success. */
static int parse_any(const char *s, struct pn_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

/* The IPv4 address carried in a v4-mapped IPv6 address. */
static void unmap(const struct pn_addr *a, struct pn_addr *v4)
{
	memset(v4, 0, sizeof(*v4));
	v4->family = AF_INET;
	memcpy(&v4->v4, &a->b[12], 4);
}

int pn_parse_remote(const char *s, struct pn_addr *a, char *err, size_t errlen)
{
	char buf[PN_PREFIX_STRLEN];

	if (!*s)
		return pn_errf(err, errlen, "invalid remote \"\": empty address");
	if (strchr(s, '/'))
		return pn_errf(err, errlen, "invalid remote \"%s\": expected an address, not a prefix", s);
	if (parse_any(s, a))
		return pn_errf(err, errlen, "invalid remote \"%s\": not an IPv4 or IPv6 address", s);

	if (a->family == AF_INET) {
		uint32_t h = ntohl(a->v4.s_addr);

		if (h == 0)
			return pn_errf(err, errlen, "invalid remote \"%s\": unspecified address", s);
		if (IN_MULTICAST(h) || h == INADDR_BROADCAST)
			return pn_errf(err, errlen, "invalid remote \"%s\": not a unicast address", s);
		return 0;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a->v6)) {
		struct pn_addr v4;

		unmap(a, &v4);
		return pn_errf(err, errlen, "invalid remote \"%s\": IPv4-mapped IPv6 address, write it as %s",
		     s, pn_addr_str(&v4, buf, sizeof(buf)));
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a->v6))
		return pn_errf(err, errlen, "invalid remote \"%s\": unspecified address", s);
	if (IN6_IS_ADDR_MULTICAST(&a->v6))
		return pn_errf(err, errlen, "invalid remote \"%s\": not a unicast address", s);
	return 0;
}

int pn_parse_prefix(const char *s, struct pn_prefix *p, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1], buf[PN_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int bits, len = 0;
	struct pn_prefix fixed;

	memset(p, 0, sizeof(*p));
	if (!*s)
		return pn_errf(err, errlen, "invalid prefix \"\": empty prefix");
	if (alen == 0)
		return pn_errf(err, errlen, "invalid prefix \"%s\": missing address", s);
	if (alen >= sizeof(addr))
		return pn_errf(err, errlen, "invalid prefix \"%s\": not an IPv4 or IPv6 prefix", s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (parse_any(addr, &p->addr))
		return pn_errf(err, errlen, "invalid prefix \"%s\": \"%s\" is not an IPv4 or IPv6 address", s, addr);
	bits = pn_addr_bits(p->addr.family);

	if (slash) {
		const char *d = slash + 1;

		if (!*d)
			return pn_errf(err, errlen, "invalid prefix \"%s\": missing prefix length after '/'", s);
		/* Digits only: no sign, no spaces, no hex; at most "128". */
		for (; *d; d++) {
			if (!isdigit((unsigned char)*d))
				return pn_errf(err, errlen, "invalid prefix \"%s\": prefix length \"%s\" is not a number",
				     s, slash + 1);
			len = len * 10 + (unsigned int)(*d - '0');
			if (len > 255)
				break;
		}
		if (len > bits)
			return pn_errf(err, errlen, "invalid prefix \"%s\": prefix length %s is longer than %u",
			     s, slash + 1, bits);
	} else {
		len = bits;
	}
	p->len = (uint8_t)len;

	if (p->addr.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&p->addr.v6) && len >= 96) {
		unmap(&p->addr, &fixed.addr);
		fixed.len = (uint8_t)(len - 96);
		pn_prefix_mask(&fixed);
		return pn_errf(err, errlen, "invalid prefix \"%s\": IPv4-mapped IPv6 prefix, write it as %s",
		     s, pn_prefix_str(&fixed, buf, sizeof(buf)));
	}
	if (pn_prefix_host_bits_set(p)) {
		fixed = *p;
		pn_prefix_mask(&fixed);
		return pn_errf(err, errlen, "invalid prefix \"%s\": host bits set (did you mean %s?)",
		     s, pn_prefix_str(&fixed, buf, sizeof(buf)));
	}
	return 0;
}

int pn_parse_mac(const char *s, uint8_t mac[PN_MAC_LEN], char *err, size_t errlen)
{
	int i;

	if (strlen(s) != PN_MAC_STRLEN - 1)
		return pn_errf(err, errlen, "invalid mac \"%s\": expected xx:xx:xx:xx:xx:xx", s);
	for (i = 0; i < PN_MAC_LEN; i++) {
		const char *c = s + 3 * i;
		unsigned int v;

		if (!isxdigit((unsigned char)c[0]) || !isxdigit((unsigned char)c[1]) ||
		    (i < PN_MAC_LEN - 1 && c[2] != ':'))
			return pn_errf(err, errlen, "invalid mac \"%s\": expected xx:xx:xx:xx:xx:xx", s);
		v = (unsigned int)strtoul((char[3]) { c[0], c[1], '\0' }, NULL, 16);
		mac[i] = (uint8_t)v;
	}
	if (mac[0] & 1)
		return pn_errf(err, errlen, "invalid mac \"%s\": multicast address", s);
	return 0;
}

int pn_addr_from_bytes(struct pn_addr *a, const void *bytes, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 4)
		a->family = AF_INET;
	else if (len == 16)
		a->family = AF_INET6;
	else
		return -1;
	memcpy(a->b, bytes, len);
	return 0;
}

void pn_prefix_mask(struct pn_prefix *p)
{
	unsigned int i, bits = pn_addr_bits(p->addr.family);

	for (i = p->len; i < bits; i++)
		p->addr.b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

bool pn_prefix_host_bits_set(const struct pn_prefix *p)
{
	struct pn_prefix m = *p;

	pn_prefix_mask(&m);
	return memcmp(m.addr.b, p->addr.b, pn_addr_len(&p->addr)) != 0;
}

bool pn_addr_equal(const struct pn_addr *a, const struct pn_addr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, pn_addr_len(a));
}

char *pn_addr_str(const struct pn_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *pn_prefix_str(const struct pn_prefix *p, char *buf, size_t len)
{
	size_t n;

	pn_addr_str(&p->addr, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "/%u", p->len);
	return buf;
}

char *pn_mac_str(const uint8_t mac[PN_MAC_LEN], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
