// SPDX-License-Identifier: GPL-2.0
/*
 * lib/addr.c: pn_parse_remote, pn_parse_prefix and pn_parse_mac (what
 * podnetctl, the CNI plugin and podnetd make of "remote ADDR", "prefix P"
 * and "mac M"), each on the input as one word.  What parses must print
 * back to something that parses to the same value.
 */

#include <arpa/inet.h>

#include "addr.h"
#include "fuzz.h"

static void check_remote(const char *s)
{
	char err[PN_ERRLEN], buf[PN_PREFIX_STRLEN];
	struct pn_addr a, b;

	memset(err, 'x', sizeof(err));
	if (pn_parse_remote(s, &a, err, sizeof(err))) {
		fuzz_check_err(err, sizeof(err));
		return;
	}
	FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6);
	pn_addr_str(&a, buf, sizeof(buf));
	FUZZ_ASSERT(pn_parse_remote(buf, &b, err, sizeof(err)) == 0);
	FUZZ_ASSERT(pn_addr_equal(&a, &b));
}

static void check_prefix(const char *s)
{
	char err[PN_ERRLEN], buf[PN_PREFIX_STRLEN];
	struct pn_prefix p, q;

	memset(err, 'x', sizeof(err));
	if (pn_parse_prefix(s, &p, err, sizeof(err))) {
		fuzz_check_err(err, sizeof(err));
		return;
	}
	FUZZ_ASSERT(p.addr.family == AF_INET || p.addr.family == AF_INET6);
	FUZZ_ASSERT(p.len <= pn_addr_bits(p.addr.family));
	FUZZ_ASSERT(!pn_prefix_host_bits_set(&p));
	pn_prefix_str(&p, buf, sizeof(buf));
	FUZZ_ASSERT(pn_parse_prefix(buf, &q, err, sizeof(err)) == 0);
	FUZZ_ASSERT(q.len == p.len && pn_addr_equal(&q.addr, &p.addr));
}

static void check_mac(const char *s)
{
	char err[PN_ERRLEN], buf[PN_MAC_STRLEN];
	uint8_t m[PN_MAC_LEN], n[PN_MAC_LEN];

	memset(err, 'x', sizeof(err));
	if (pn_parse_mac(s, m, err, sizeof(err))) {
		fuzz_check_err(err, sizeof(err));
		return;
	}
	FUZZ_ASSERT(!(m[0] & 1));
	pn_mac_str(m, buf, sizeof(buf));
	FUZZ_ASSERT(pn_parse_mac(buf, n, err, sizeof(err)) == 0);
	FUZZ_ASSERT(!memcmp(m, n, sizeof(m)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct pn_addr a;

	check_remote(s);
	check_prefix(s);
	check_mac(s);
	/* Raw bytes as the kernel sends them: any 4 or 16 print. */
	if (pn_addr_from_bytes(&a, data, size) == 0) {
		char buf[PN_PREFIX_STRLEN];

		pn_addr_str(&a, buf, sizeof(buf));
		FUZZ_ASSERT(buf[0] != '?');
	}
	free(s);
	return 0;
}
