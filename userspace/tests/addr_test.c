// SPDX-License-Identifier: GPL-2.0
/*
 * Address, prefix and MAC parsing: the edge cases users hit.
 */

#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "unit.h"

static void prefix_ok(const char *in, int family, const char *out)
{
	char err[PN_ERRLEN] = "", buf[PN_PREFIX_STRLEN];
	struct pn_prefix p;

	if (pn_parse_prefix(in, &p, err, sizeof(err)))
		fail_msg("\"%s\" refused: %s", in, err);
	assert_int_equal(p.addr.family, family);
	assert_string_equal(pn_prefix_str(&p, buf, sizeof(buf)), out);
}

static void prefix_bad(const char *in, const char *why)
{
	char err[PN_ERRLEN] = "";
	struct pn_prefix p;

	if (!pn_parse_prefix(in, &p, err, sizeof(err)))
		fail_msg("\"%s\" accepted", in);
	assert_contains(err, why);
}

static void test_prefix_valid(void **state)
{
	(void)state;
	prefix_ok("10.244.1.0/24", AF_INET, "10.244.1.0/24");
	prefix_ok("0.0.0.0/0", AF_INET, "0.0.0.0/0");
	prefix_ok("192.0.2.7/32", AF_INET, "192.0.2.7/32");
	prefix_ok("192.0.2.7", AF_INET, "192.0.2.7/32");	/* bare = host */
	prefix_ok("10.0.0.0/08", AF_INET, "10.0.0.0/8");
	prefix_ok("fd00:10:244::/64", AF_INET6, "fd00:10:244::/64");
	prefix_ok("FD00::/8", AF_INET6, "fd00::/8");
	prefix_ok("::/0", AF_INET6, "::/0");
	prefix_ok("2001:db8::1", AF_INET6, "2001:db8::1/128");
	prefix_ok("2001:db8::1/128", AF_INET6, "2001:db8::1/128");
}

static void test_prefix_length(void **state)
{
	(void)state;
	prefix_bad("10.0.0.0/33", "prefix length 33 is longer than 32");
	prefix_bad("10.0.0.0/255", "longer than 32");
	prefix_bad("10.0.0.0/99999999999999999999", "longer than 32");
	prefix_bad("fd00::/129", "prefix length 129 is longer than 128");
	prefix_bad("10.0.0.0/", "missing prefix length");
	prefix_bad("10.0.0.0/-1", "is not a number");
	prefix_bad("10.0.0.0/+8", "is not a number");
	prefix_bad("10.0.0.0/ 8", "is not a number");
	prefix_bad("10.0.0.0/8x", "is not a number");
	prefix_bad("10.0.0.0/0x8", "is not a number");
	prefix_bad("10.0.0.0/8/8", "is not a number");
}

static void test_prefix_host_bits(void **state)
{
	(void)state;
	prefix_bad("10.244.1.1/24", "host bits set (did you mean 10.244.1.0/24?)");
}

static void test_prefix_host_bits_more(void **state)
{
	(void)state;
	/* 10.0.0.0/7: bit 7 of the first octet (10 = 0b1010) is a host bit. */
	prefix_bad("11.0.0.0/7", "did you mean 10.0.0.0/7?");
	prefix_bad("0.0.0.1/0", "did you mean 0.0.0.0/0?");
	prefix_bad("fd00::1/64", "host bits set (did you mean fd00::/64?)");
	prefix_bad("fd00:0:0:1::/63", "did you mean fd00::/63?");
}

static void test_prefix_v4_mapped(void **state)
{
	(void)state;
	prefix_bad("::ffff:10.0.0.0/104", "IPv4-mapped IPv6 prefix, write it as 10.0.0.0/8");
	prefix_bad("::ffff:192.0.2.1", "write it as 192.0.2.1/32");
	prefix_bad("::ffff:0:0/96", "write it as 0.0.0.0/0");
	/* Shorter than /96 is not purely mapped: the host-bits check speaks. */
	prefix_bad("::ffff:0:0/80", "host bits set");
}

static void test_prefix_garbage(void **state)
{
	(void)state;
	prefix_bad("", "empty prefix");
	prefix_bad("/24", "missing address");
	prefix_bad("banana", "\"banana\" is not an IPv4 or IPv6 address");
	prefix_bad("10.0.0/24", "is not an IPv4 or IPv6 address");
	prefix_bad("10.0.0.0.0/24", "is not an IPv4 or IPv6 address");
	prefix_bad("256.0.0.0/8", "is not an IPv4 or IPv6 address");
	prefix_bad(" 10.0.0.0/8", "is not an IPv4 or IPv6 address");
	prefix_bad("fd00:::/64", "is not an IPv4 or IPv6 address");
	prefix_bad("fe80::1%eth0/128", "is not an IPv4 or IPv6 address");
	prefix_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999/64", "not an IPv4 or IPv6");
}

static void remote_ok(const char *in, int family)
{
	char err[PN_ERRLEN] = "", buf[PN_PREFIX_STRLEN];
	struct pn_addr a;

	if (pn_parse_remote(in, &a, err, sizeof(err)))
		fail_msg("\"%s\" refused: %s", in, err);
	assert_int_equal(a.family, family);
	assert_string_equal(pn_addr_str(&a, buf, sizeof(buf)), in);
}

static void remote_bad(const char *in, const char *why)
{
	char err[PN_ERRLEN] = "";
	struct pn_addr a;

	if (!pn_parse_remote(in, &a, err, sizeof(err)))
		fail_msg("\"%s\" accepted", in);
	assert_contains(err, why);
}

static void test_remote(void **state)
{
	(void)state;
	remote_ok("192.0.2.1", AF_INET);
	remote_ok("127.0.0.1", AF_INET);
	remote_ok("2001:db8::2", AF_INET6);
	remote_bad("", "empty address");
	remote_bad("192.0.2.0/24", "expected an address, not a prefix");
	remote_bad("0.0.0.0", "unspecified address");
	remote_bad("::", "unspecified address");
	remote_bad("224.0.0.1", "not a unicast address");
	remote_bad("255.255.255.255", "not a unicast address");
	remote_bad("ff02::1", "not a unicast address");
	remote_bad("::ffff:192.0.2.1", "IPv4-mapped IPv6 address, write it as 192.0.2.1");
	remote_bad("node-1", "not an IPv4 or IPv6 address");
}

static void test_mac(void **state)
{
	char err[PN_ERRLEN] = "", buf[PN_MAC_STRLEN];
	uint8_t mac[PN_MAC_LEN];
	static const uint8_t want[PN_MAC_LEN] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0xff };

	(void)state;
	assert_int_equal(pn_parse_mac("02:42:AC:11:00:ff", mac, err, sizeof(err)), 0);
	assert_memory_equal(mac, want, PN_MAC_LEN);
	assert_string_equal(pn_mac_str(mac, buf, sizeof(buf)), "02:42:ac:11:00:ff");
	/* All-zero is how a MAC is removed. */
	assert_int_equal(pn_parse_mac("00:00:00:00:00:00", mac, err, sizeof(err)), 0);

	assert_int_equal(pn_parse_mac("01:00:5e:00:00:01", mac, err, sizeof(err)), -1);
	assert_contains(err, "multicast");
	assert_int_equal(pn_parse_mac("02:42:ac:11:00", mac, err, sizeof(err)), -1);
	assert_contains(err, "expected xx:xx:xx:xx:xx:xx");
	assert_int_equal(pn_parse_mac("02-42-ac-11-00-01", mac, err, sizeof(err)), -1);
	assert_int_equal(pn_parse_mac("02:42:ac:11:00:0g", mac, err, sizeof(err)), -1);
	assert_int_equal(pn_parse_mac("02:42:ac:11:00:012", mac, err, sizeof(err)), -1);
	assert_int_equal(pn_parse_mac("2:42:ac:11:00:01:", mac, err, sizeof(err)), -1);
}

static void test_mask_and_bytes(void **state)
{
	struct pn_prefix p = { .len = 20 };
	static const uint8_t v4[4] = { 10, 244, 255, 255 };
	char buf[PN_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(pn_addr_from_bytes(&p.addr, v4, 4), 0);
	assert_true(pn_prefix_host_bits_set(&p));
	pn_prefix_mask(&p);
	assert_false(pn_prefix_host_bits_set(&p));
	assert_string_equal(pn_prefix_str(&p, buf, sizeof(buf)), "10.244.240.0/20");
	assert_int_equal(pn_addr_from_bytes(&p.addr, v4, 5), -1);
}

const struct CMUnitTest addr_tests[] = {
	cmocka_unit_test(test_prefix_valid),
	cmocka_unit_test(test_prefix_length),
	cmocka_unit_test(test_prefix_host_bits),
	cmocka_unit_test(test_prefix_host_bits_more),
	cmocka_unit_test(test_prefix_v4_mapped),
	cmocka_unit_test(test_prefix_garbage),
	cmocka_unit_test(test_remote),
	cmocka_unit_test(test_mac),
	cmocka_unit_test(test_mask_and_bytes),
};
const size_t addr_count = COUNT(addr_tests);
