// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output, from messages laid out as the kernel sends them.
 */

#include <stdlib.h>
#include <string.h>

#include "podnetctl.h"
#include "print.h"
#include "unit.h"

#define FAMILY	0x1234

static void put_stats(struct nlmsghdr *nlh, int type, bool device)
{
	struct nlattr *st = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_PACKETS, 10);
	mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_BYTES, 1500);
	mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_PACKETS, 20);
	mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_BYTES, 3000);
	if (device) {
		mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_DROP_NO_PEER, 3);
		mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_DROP_NO_PEER, 4);
	}
	mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_DROP_MTU, 1);
	mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_DROP_SOURCE, 2);
	mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_DROP_DEST, 5);
	mnl_attr_nest_end(nlh, st);
}

/*
 * PODNET_A_CONFIG as the kernel fills it.  @full: a device created with
 * every option; else the defaults (no LOCAL, LOCAL6, LINK).
 */
static void put_config(struct nlmsghdr *nlh, bool full)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, PODNET_A_CONFIG);

	mnl_attr_put_u32(nlh, IFLA_PODNET_VNI, full ? 4096 : 1);
	mnl_attr_put_u16(nlh, IFLA_PODNET_PORT, full ? 4789 : 8472);
	if (full) {
		mnl_attr_put(nlh, IFLA_PODNET_LOCAL, 4, (uint8_t[4]){ 192, 0, 2, 1 });
		mnl_attr_put(nlh, IFLA_PODNET_LOCAL6, 16,
			     (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 });
		/* No such device here: printed by index. */
		mnl_attr_put_u32(nlh, IFLA_PODNET_LINK, 999999);
	}
	mnl_attr_put_u8(nlh, IFLA_PODNET_TTL, 0);
	mnl_attr_put_u8(nlh, IFLA_PODNET_TTL_INHERIT, full);
	mnl_attr_put_u8(nlh, IFLA_PODNET_TOS, full ? 0 : 0xb8);
	mnl_attr_put_u8(nlh, IFLA_PODNET_TOS_INHERIT, full);
	mnl_attr_put_u16(nlh, IFLA_PODNET_SRCPORT_MIN, full ? 32768 : 0);
	mnl_attr_put_u16(nlh, IFLA_PODNET_SRCPORT_MAX, full ? 60999 : 0);
	mnl_attr_put_u8(nlh, IFLA_PODNET_UDP_CSUM, full);
	mnl_attr_put_u8(nlh, IFLA_PODNET_ENCAP, PODNET_ENCAP_VXLAN);
	mnl_attr_put_u8(nlh, IFLA_PODNET_SRC_VALID, !full);
	mnl_attr_put(nlh, IFLA_PODNET_MAC, 6, full ? (uint8_t[6]){ 0x0a, 0x58, 0x0a, 0xf4, 1, 0 } :
						 (uint8_t[6]){ 2, 0, 0, 0, 0, 1 });
	mnl_attr_put_u8(nlh, IFLA_PODNET_DST_VALID, full);
	mnl_attr_nest_end(nlh, c);
}

static void put_sock_stats(struct nlmsghdr *nlh)
{
	struct nlattr *st = mnl_attr_nest_start(nlh, PODNET_A_SOCKET_STATS);

	mnl_attr_put_u64(nlh, PODNET_XSTATS_RX_DROP_BAD_HEADER, 7);
	mnl_attr_put_u64(nlh, PODNET_XSTATS_RX_DROP_BAD_VNI, 11);
	mnl_attr_nest_end(nlh, st);
}

static void device_msg(uint8_t *buf, struct pn_msg *m, bool replacing)
{
	struct nlmsghdr *nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_DEVICE, 0);

	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "podnet0");
	mnl_attr_put_u32(nlh, PODNET_A_GENERATION, 42);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PEERS, 2);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PREFIXES, 3);
	if (replacing)
		mnl_attr_put_u32(nlh, PODNET_A_REPLACE_PORTID, 4321);
	put_stats(nlh, PODNET_A_STATS, true);
	put_config(nlh, replacing);
	put_sock_stats(nlh);
	assert_int_equal(pn_msg_parse(nlh, m), 0);
}

static void peer_msg(uint8_t *buf, struct pn_msg *m, uint8_t cmd, uint16_t flags, bool full)
{
	struct nlmsghdr *nlh = pn_msg_start(buf, FAMILY, cmd, flags);
	struct nlattr *peer, *pf;

	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 5);
	if (cmd != PODNET_CMD_GET_PEER) {
		mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "podnet0");
		mnl_attr_put_u32(nlh, PODNET_A_GENERATION, 43);
	}
	peer = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	mnl_attr_put(nlh, PODNET_PEER_A_REMOTE_IPV6, 16,
		     (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x07 });
	if (full) {
		mnl_attr_put(nlh, PODNET_PEER_A_MAC, 6, (uint8_t[6]){ 0x02, 0x42, 0xac, 0x11, 0, 2 });
		mnl_attr_put_u32(nlh, PODNET_PEER_A_NUM_PREFIXES, 2);
		if (cmd == PODNET_CMD_GET_PEER)
			put_stats(nlh, PODNET_PEER_A_STATS, false);
	}
	pf = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
	mnl_attr_put(nlh, PODNET_PREFIX_A_IPV4, 4, (uint8_t[4]){ 10, 244, 7, 0 });
	mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, 24);
	mnl_attr_nest_end(nlh, pf);
	if (full) {
		pf = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
		mnl_attr_put(nlh, PODNET_PREFIX_A_IPV6, 16, (uint8_t[16]){ 0xfd, 0x00, 0, 7 });
		mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, 64);
		mnl_attr_nest_end(nlh, pf);
	}
	mnl_attr_nest_end(nlh, peer);
	assert_int_equal(pn_msg_parse(nlh, m), 0);
}

/* Run @print into a string; the caller frees it. */
#define TEXT_OF(call) ({						\
	char *_s = NULL;						\
	size_t _n = 0;							\
	FILE *f = open_memstream(&_s, &_n);				\
	call;								\
	fclose(f);							\
	_s;								\
})

static void test_device_text(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct pn_msg m;
	char *s;

	(void)state;
	device_msg(buf, &m, true);
	s = TEXT_OF(ctl_device_text(f, &m));
	assert_string_equal(s,
		"5: podnet0: vni 4096 port 4789 local 192.0.2.1 local6 2001:db8::1 dev if999999"
		" ttl inherit tos inherit srcport 32768 60999 udpcsum encap vxlan mac 0a:58:0a:f4:01:00 nosrcvalid dstvalid\n"
		"    peers 2 prefixes 3 generation 42\n"
		"    replace pending from port 4321\n"
		"    tx packets 10 bytes 1500 drop no_peer 3 mtu 1\n"
		"    rx packets 20 bytes 3000 drop no_peer 4 source 2 dest 5\n"
		"    socket drop bad_header 7 bad_vni 11\n");
	free(s);
	pn_msg_free(&m);

	/* Defaults: no addresses or underlay, no srcport range. */
	memset(buf, 0, sizeof(buf));
	device_msg(buf, &m, false);
	s = TEXT_OF(ctl_device_text(f, &m));
	assert_string_equal(s,
		"5: podnet0: vni 1 port 8472 ttl auto tos 0xb8 noudpcsum encap vxlan mac 02:00:00:00:00:01"
		" srcvalid nodstvalid\n"
		"    peers 2 prefixes 3 generation 42\n"
		"    tx packets 10 bytes 1500 drop no_peer 3 mtu 1\n"
		"    rx packets 20 bytes 3000 drop no_peer 4 source 2 dest 5\n"
		"    socket drop bad_header 7 bad_vni 11\n");
	free(s);
	pn_msg_free(&m);
}

/* A reply from a kernel without CONFIG and SOCKET_STATS: table and counters only. */
static void test_device_text_old_kernel(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct nlmsghdr *nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_DEVICE, 0);
	struct pn_msg m;
	json_t *j;
	char *s;

	(void)state;
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "podnet0");
	mnl_attr_put_u32(nlh, PODNET_A_GENERATION, 42);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PEERS, 0);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PREFIXES, 0);
	assert_int_equal(pn_msg_parse(nlh, &m), 0);
	s = TEXT_OF(ctl_device_text(f, &m));
	assert_string_equal(s, "5: podnet0:\n    peers 0 prefixes 0 generation 42\n");
	free(s);
	j = ctl_device_json(&m);
	assert_non_null(j);
	assert_null(json_object_get(j, "vni"));
	assert_null(json_object_get(j, "socket_stats"));
	json_decref(j);
	pn_msg_free(&m);
}

/* jansson's integers are signed: a counter past INT64_MAX saturates. */
static void test_u64_saturates(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct pn_msg m;
	json_t *j, *st;

	(void)state;
	device_msg(buf, &m, false);
	m.stats.v[PODNET_STATS_A_TX_BYTES] = UINT64_MAX;
	m.stats.v[PODNET_STATS_A_RX_BYTES] = (uint64_t)INT64_MAX;
	j = ctl_device_json(&m);
	assert_non_null(j);
	st = json_object_get(j, "stats");
	assert_true(json_integer_value(json_object_get(st, "tx_bytes")) == INT64_MAX);
	assert_true(json_integer_value(json_object_get(st, "rx_bytes")) == INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(st, "tx_packets")), 10);
	json_decref(j);
	pn_msg_free(&m);
}

static void test_device_json(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct pn_msg m;
	json_t *j, *st;

	(void)state;
	device_msg(buf, &m, false);
	j = ctl_device_json(&m);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "ifindex")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "ifname")), "podnet0");
	assert_int_equal(json_integer_value(json_object_get(j, "generation")), 42);
	assert_int_equal(json_integer_value(json_object_get(j, "num_peers")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "num_prefixes")), 3);
	assert_null(json_object_get(j, "replace_portid"));
	st = json_object_get(j, "stats");
	assert_true(json_is_object(st));
	assert_int_equal(json_object_size(st), 9);
	assert_int_equal(json_integer_value(json_object_get(st, "tx_packets")), 10);
	assert_int_equal(json_integer_value(json_object_get(st, "rx_bytes")), 3000);
	assert_int_equal(json_integer_value(json_object_get(st, "tx_drop_no_peer")), 3);
	assert_int_equal(json_integer_value(json_object_get(st, "rx_drop_source")), 2);
	assert_null(json_object_get(st, "tx_drop_other"));	/* not sent */
	/* The configuration, flat, with ip -j -d link's keys and types. */
	assert_int_equal(json_integer_value(json_object_get(j, "vni")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "port")), 8472);
	assert_null(json_object_get(j, "local"));
	assert_null(json_object_get(j, "local6"));
	assert_null(json_object_get(j, "link"));
	assert_null(json_object_get(j, "link_index"));
	assert_int_equal(json_integer_value(json_object_get(j, "ttl")), 0);
	assert_true(json_is_false(json_object_get(j, "ttl_inherit")));
	assert_int_equal(json_integer_value(json_object_get(j, "tos")), 0xb8);
	assert_true(json_is_false(json_object_get(j, "tos_inherit")));
	assert_int_equal(json_integer_value(json_object_get(j, "srcport_min")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "srcport_max")), 0);
	assert_true(json_is_false(json_object_get(j, "udp_csum")));
	assert_string_equal(json_string_value(json_object_get(j, "encap")), "vxlan");
	assert_true(json_is_true(json_object_get(j, "src_valid")));
	assert_true(json_is_false(json_object_get(j, "dst_valid")));
	assert_string_equal(json_string_value(json_object_get(j, "mac")), "02:00:00:00:00:01");
	st = json_object_get(j, "socket_stats");
	assert_true(json_is_object(st));
	assert_int_equal(json_object_size(st), 2);
	assert_int_equal(json_integer_value(json_object_get(st, "rx_drop_bad_header")), 7);
	assert_int_equal(json_integer_value(json_object_get(st, "rx_drop_bad_vni")), 11);
	json_decref(j);
	pn_msg_free(&m);

	memset(buf, 0, sizeof(buf));
	device_msg(buf, &m, true);
	j = ctl_device_json(&m);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "replace_portid")), 4321);
	assert_string_equal(json_string_value(json_object_get(j, "local")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(j, "local6")), "2001:db8::1");
	assert_int_equal(json_integer_value(json_object_get(j, "link_index")), 999999);
	assert_true(json_is_true(json_object_get(j, "ttl_inherit")));
	assert_int_equal(json_integer_value(json_object_get(j, "srcport_min")), 32768);
	assert_int_equal(json_integer_value(json_object_get(j, "srcport_max")), 60999);
	assert_true(json_is_true(json_object_get(j, "udp_csum")));
	assert_true(json_is_false(json_object_get(j, "src_valid")));
	assert_true(json_is_true(json_object_get(j, "dst_valid")));
	assert_string_equal(json_string_value(json_object_get(j, "mac")), "0a:58:0a:f4:01:00");
	json_decref(j);
	pn_msg_free(&m);
}

static void test_peer_text(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct pn_msg m;
	char *s;

	(void)state;
	peer_msg(buf, &m, PODNET_CMD_GET_PEER, NLM_F_MULTI, true);
	/* With "dev" asked for: exactly the words `peer replace` reads. */
	s = TEXT_OF(ctl_peer_text(f, &m, NULL, false));
	assert_string_equal(s, "remote 2001:db8::7 mac 02:42:ac:11:00:02 "
			       "prefix 10.244.7.0/24 prefix fd00:7::/64\n");
	free(s);
	s = TEXT_OF(ctl_peer_text(f, &m, "podnet0", true));
	assert_string_equal(s, "dev podnet0 remote 2001:db8::7 mac 02:42:ac:11:00:02 "
			       "prefix 10.244.7.0/24 prefix fd00:7::/64\n"
			       "    tx packets 10 bytes 1500 drop mtu 1\n"
			       "    rx packets 20 bytes 3000 drop source 2 dest 5\n");
	free(s);
	pn_msg_free(&m);
}

static void test_peer_json(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct pn_msg m;
	json_t *j, *p;

	(void)state;
	peer_msg(buf, &m, PODNET_CMD_GET_PEER, NLM_F_MULTI, true);
	j = ctl_peer_json(&m, "podnet0");
	assert_int_equal(json_integer_value(json_object_get(j, "ifindex")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "ifname")), "podnet0");
	assert_string_equal(json_string_value(json_object_get(j, "remote")), "2001:db8::7");
	assert_string_equal(json_string_value(json_object_get(j, "mac")), "02:42:ac:11:00:02");
	assert_int_equal(json_integer_value(json_object_get(j, "num_prefixes")), 2);
	p = json_object_get(j, "prefixes");
	assert_int_equal(json_array_size(p), 2);
	assert_string_equal(json_string_value(json_array_get(p, 0)), "10.244.7.0/24");
	assert_string_equal(json_string_value(json_array_get(p, 1)), "fd00:7::/64");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "stats"),
							    "rx_drop_source")), 2);
	json_decref(j);
	pn_msg_free(&m);

	/* No MAC, no stats: no keys for them. */
	peer_msg(buf, &m, PODNET_CMD_GET_PEER, NLM_F_MULTI, false);
	j = ctl_peer_json(&m, NULL);
	assert_null(json_object_get(j, "mac"));
	assert_null(json_object_get(j, "stats"));
	assert_null(json_object_get(j, "ifname"));
	assert_int_equal(json_integer_value(json_object_get(j, "num_prefixes")), 1);
	json_decref(j);
	pn_msg_free(&m);
}

static void test_events(void **state)
{
	uint8_t buf[1024] = { 0 };
	struct nlmsghdr *nlh;
	struct pn_msg m;
	json_t *j;
	char *s;

	(void)state;
	peer_msg(buf, &m, PODNET_CMD_NEW_PEER, NLM_F_CREATE, true);
	s = TEXT_OF(ctl_event_text(f, &m));
	assert_string_equal(s, "peer add dev podnet0 remote 2001:db8::7 mac 02:42:ac:11:00:02 "
			       "prefix 10.244.7.0/24 prefix fd00:7::/64 created generation 43\n");
	free(s);
	j = ctl_event_json(&m);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "add");
	assert_true(json_is_true(json_object_get(j, "created")));
	assert_int_equal(json_integer_value(json_object_get(j, "generation")), 43);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "peer"), "remote")),
			    "2001:db8::7");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "peer"),
							    "num_prefixes")), 2);
	json_decref(j);
	pn_msg_free(&m);

	peer_msg(buf, &m, PODNET_CMD_DEL_PEER, 0, false);
	s = TEXT_OF(ctl_event_text(f, &m));
	assert_string_equal(s, "peer del dev podnet0 remote 2001:db8::7 prefix 10.244.7.0/24 "
			       "generation 43\n");
	free(s);
	j = ctl_event_json(&m);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "del");
	assert_null(json_object_get(j, "created"));
	json_decref(j);
	pn_msg_free(&m);

	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_REPLACE_COMMIT, 0);
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "podnet0");
	mnl_attr_put_u32(nlh, PODNET_A_GENERATION, 50);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PEERS, 1000);
	mnl_attr_put_u32(nlh, PODNET_A_NUM_PREFIXES, 100000);
	assert_int_equal(pn_msg_parse(nlh, &m), 0);
	s = TEXT_OF(ctl_event_text(f, &m));
	assert_string_equal(s, "peer replace dev podnet0 peers 1000 prefixes 100000 generation 50\n");
	free(s);
	j = ctl_event_json(&m);
	assert_string_equal(json_string_value(json_object_get(j, "event")), "replace");
	assert_int_equal(json_integer_value(json_object_get(j, "num_prefixes")), 100000);
	assert_null(json_object_get(j, "peer"));
	json_decref(j);
	pn_msg_free(&m);
}

static void test_json_print(void **state)
{
	struct ctl c = { .out = NULL };
	char *s = NULL;
	size_t n = 0;
	json_t *j;

	(void)state;
	c.out = open_memstream(&s, &n);
	j = json_pack("[{s:s, s:i}]", "ifname", "pod\"net", "ifindex", 5);
	assert_int_equal(ctl_json_print(&c, j), EXIT_OK);
	fflush(c.out);
	assert_string_equal(s, "[{\"ifname\":\"pod\\\"net\",\"ifindex\":5}]\n");
	/* Round trip through a parser. */
	j = json_loads(s, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "ifname")),
			    "pod\"net");
	json_decref(j);
	fclose(c.out);
	free(s);

	s = NULL;
	c.out = open_memstream(&s, &n);
	c.pretty = true;
	assert_int_equal(ctl_json_print(&c, json_pack("{s:i}", "a", 1)), EXIT_OK);
	fflush(c.out);
	assert_string_equal(s, "{\n    \"a\": 1\n}\n");
	fclose(c.out);
	free(s);
}

const struct CMUnitTest print_tests[] = {
	cmocka_unit_test(test_device_text),
	cmocka_unit_test(test_device_text_old_kernel),
	cmocka_unit_test(test_device_json),
	cmocka_unit_test(test_u64_saturates),
	cmocka_unit_test(test_peer_text),
	cmocka_unit_test(test_peer_json),
	cmocka_unit_test(test_events),
	cmocka_unit_test(test_json_print),
};
const size_t print_count = COUNT(print_tests);
