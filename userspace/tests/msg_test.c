// SPDX-License-Identifier: GPL-2.0
/*
 * Message building (checked byte by byte), splitting, reply parsing and
 * extended ack parsing.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "podnetctl.h"
#include "unit.h"

#define FAMILY	0x1234

static void peer_of(struct pn_peer *peer, const char *remote, const char *mac,
		    const char *const *prefixes)
{
	char err[PN_ERRLEN];
	struct pn_prefix p;

	memset(peer, 0, sizeof(*peer));
	if (remote) {
		assert_int_equal(pn_parse_remote(remote, &peer->remote, err, sizeof(err)), 0);
		peer->has_remote = true;
	}
	if (mac) {
		assert_int_equal(pn_parse_mac(mac, peer->mac, err, sizeof(err)), 0);
		peer->has_mac = true;
	}
	for (; prefixes && *prefixes; prefixes++) {
		assert_int_equal(pn_parse_prefix(*prefixes, &p, err, sizeof(err)), 0);
		assert_int_equal(pn_peer_add_prefix(peer, &p), 0);
	}
}

static void test_new_peer_bytes(void **state)
{
	static const char *const prefixes[] = { "10.244.1.0/24", "fd00::/64", NULL };
	static const uint8_t want[] = {
		/* nlmsghdr: len 108, type FAMILY, REQUEST|REPLACE, seq 0, pid 0 */
		0x6c, 0x00, 0x00, 0x00, 0x34, 0x12, 0x01, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		/* genlmsghdr: NEW_PEER, version 1 */
		PODNET_CMD_NEW_PEER, PODNET_GENL_VERSION, 0x00, 0x00,
		/* IFNAME "podnet0" */
		0x0c, 0x00, PODNET_A_IFNAME, 0x00, 'p', 'o', 'd', 'n', 'e', 't', '0', 0x00,
		/* PEER nest (NLA_F_NESTED), 76 bytes */
		0x4c, 0x00, PODNET_A_PEER, 0x80,
		/* REMOTE_IPV4 192.0.2.1 */
		0x08, 0x00, PODNET_PEER_A_REMOTE_IPV4, 0x00, 192, 0, 2, 1,
		/* MAC, padded */
		0x0a, 0x00, PODNET_PEER_A_MAC, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
		/* PREFIX nest: IPV4 10.244.1.0, LEN 24 */
		0x14, 0x00, PODNET_PEER_A_PREFIX, 0x80,
		0x08, 0x00, PODNET_PREFIX_A_IPV4, 0x00, 10, 244, 1, 0,
		0x05, 0x00, PODNET_PREFIX_A_LEN, 0x00, 24, 0x00, 0x00, 0x00,
		/* PREFIX nest: IPV6 fd00::, LEN 64 */
		0x20, 0x00, PODNET_PEER_A_PREFIX, 0x80,
		0x14, 0x00, PODNET_PREFIX_A_IPV6, 0x00,
		0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x05, 0x00, PODNET_PREFIX_A_LEN, 0x00, 64, 0x00, 0x00, 0x00,
	};
	uint8_t buf[512];
	struct nlmsghdr *nlh;
	struct pn_peer peer;
	size_t next = 0;

	(void)state;
	assert_int_equal(sizeof(want), 108);
	peer_of(&peer, "192.0.2.1", "02:00:00:00:00:01", prefixes);
	memset(buf, 0xaa, sizeof(buf));	/* padding must be written, not inherited */
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_NEW_PEER, NLM_F_REPLACE);
	pn_put_dev(nlh, 0, "podnet0");
	assert_int_equal(pn_put_peer(nlh, sizeof(buf), &peer, &next, true), 2);
	assert_int_equal(next, 2);
	assert_int_equal(nlh->nlmsg_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	pn_peer_free(&peer);
}

static void test_del_by_prefix_bytes(void **state)
{
	static const char *const prefixes[] = { "10.0.0.0/8", NULL };
	static const uint8_t want[] = {
		/* 16 + 4 + 8 + 8 + 24 = 60 bytes */
		0x3c, 0x00, 0x00, 0x00, 0x34, 0x12, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		PODNET_CMD_DEL_PEER, 1, 0, 0,
		/* IFINDEX 7, IFNAME "p0" */
		0x08, 0x00, PODNET_A_IFINDEX, 0x00, 7, 0, 0, 0,
		0x07, 0x00, PODNET_A_IFNAME, 0x00, 'p', '0', 0x00, 0x00,
		/* PEER with no REMOTE: only the PREFIX */
		0x18, 0x00, PODNET_A_PEER, 0x80,
		0x14, 0x00, PODNET_PEER_A_PREFIX, 0x80,
		0x08, 0x00, PODNET_PREFIX_A_IPV4, 0x00, 10, 0, 0, 0,
		0x05, 0x00, PODNET_PREFIX_A_LEN, 0x00, 8, 0x00, 0x00, 0x00,
	};
	uint8_t buf[512];
	struct nlmsghdr *nlh;
	struct pn_peer peer;
	size_t next = 0;

	(void)state;
	peer_of(&peer, NULL, NULL, prefixes);
	memset(buf, 0x55, sizeof(buf));
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_DEL_PEER, 0);
	pn_put_dev(nlh, 7, "p0");
	assert_int_equal(pn_put_peer(nlh, sizeof(buf), &peer, &next, true), 1);
	assert_int_equal(nlh->nlmsg_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	pn_peer_free(&peer);
}

static void test_remote_only_ipv6(void **state)
{
	static const uint8_t want_peer[] = {
		0x18, 0x00, PODNET_A_PEER, 0x80,
		0x14, 0x00, PODNET_PEER_A_REMOTE_IPV6, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	};
	static const char *const prefixes[] = { "10.0.0.0/8", NULL };
	uint8_t buf[256] = { 0 };
	struct nlmsghdr *nlh;
	struct pn_peer peer;
	size_t next = 0;

	(void)state;
	/* with_prefixes false: a GET_PEER filter carries the remote alone. */
	peer_of(&peer, "2001:db8::2", NULL, prefixes);
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_PEER, NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(pn_put_peer(nlh, sizeof(buf), &peer, &next, false), 0);
	assert_int_equal(next, 0);
	assert_int_equal(nlh->nlmsg_len, 20 + sizeof(want_peer));
	assert_memory_equal(buf + 20, want_peer, sizeof(want_peer));
	pn_peer_free(&peer);
}

/* Split a peer of @n prefixes into messages of at most @limit bytes and
 * check that parsing them back gives every prefix once, in order. */
static size_t split_roundtrip(size_t n, size_t limit, bool v6)
{
	struct pn_peer peer = { .has_remote = true };
	uint8_t *buf = malloc(limit);
	size_t next = 0, got = 0, msgs = 0, i;

	assert_int_equal(pn_addr_from_bytes(&peer.remote, (uint8_t[4]){ 192, 0, 2, 1 }, 4), 0);
	for (i = 0; i < n; i++) {
		struct pn_prefix p = { .len = v6 ? 64 : 32 };

		p.addr.family = v6 ? AF_INET6 : AF_INET;
		p.addr.b[0] = v6 ? 0xfd : 10;
		p.addr.b[1] = (uint8_t)(i >> 16);
		p.addr.b[2] = (uint8_t)(i >> 8);
		p.addr.b[3] = (uint8_t)i;
		assert_int_equal(pn_peer_add_prefix(&peer, &p), 0);
	}
	while (next < n) {
		struct nlmsghdr *nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_NEW_PEER, 0);
		struct pn_msg m;
		long put;

		pn_put_dev(nlh, 0, "podnet0");
		put = pn_put_peer(nlh, limit, &peer, &next, true);
		assert_true(put > 0);
		assert_true(nlh->nlmsg_len <= limit);
		assert_int_equal(pn_msg_parse(nlh, &m), 0);
		assert_true(m.peer.has_remote);
		assert_true(pn_addr_equal(&m.peer.remote, &peer.remote));
		assert_int_equal(m.peer.n_prefixes, (size_t)put);
		for (i = 0; i < m.peer.n_prefixes; i++)
			assert_int_equal(pn_prefix_cmp(&m.peer.prefixes[i], &peer.prefixes[got + i]), 0);
		got += m.peer.n_prefixes;
		pn_msg_free(&m);
		msgs++;
	}
	assert_int_equal(got, n);
	pn_peer_free(&peer);
	free(buf);
	return msgs;
}

static void test_split(void **state)
{
	(void)state;
	/* 4096 - 16 - 4 - 12 (IFNAME) - 4 (PEER) - 8 (REMOTE) = 4052: 202 v4 prefixes. */
	assert_int_equal(split_roundtrip(3000, 4096, false), (3000 + 201) / 202);
	/* 4052 / 32 = 126 IPv6 prefixes per message. */
	assert_int_equal(split_roundtrip(1000, 4096, true), (1000 + 125) / 126);
	/* 100k prefixes in PN_MSG_MAX messages: 32724 / 20 = 1636 per message. */
	assert_int_equal(split_roundtrip(100000, PN_MSG_MAX, false),
			 (100000 + 1635) / 1636);
	assert_int_equal(split_roundtrip(1, PN_MSG_MAX, false), 1);
}

/*
 * One request for a peer of @n prefixes (pn_put_peer_all()): its size is
 * what pn_peer_nests_size() said, every PEER nest stays within 64 KiB and
 * names the remote, only the first has the MAC, and parsing the request
 * back gives every prefix once, in order.  Returns the number of nests.
 */
static size_t one_request(size_t n, bool v6)
{
	struct pn_peer peer = { .has_remote = true, .has_mac = true,
				.mac = { 0x02, 0, 0, 0, 0, 1 } };
	const struct nlattr *a, *b;
	size_t size, nests = 0, peer_bytes = 0, i;
	struct nlmsghdr *nlh;
	struct pn_msg m;
	uint8_t *buf;

	assert_int_equal(pn_addr_from_bytes(&peer.remote, (uint8_t[4]){ 192, 0, 2, 1 }, 4), 0);
	for (i = 0; i < n; i++) {
		struct pn_prefix p = { .len = v6 ? 64 : 32 };

		p.addr.family = v6 ? AF_INET6 : AF_INET;
		p.addr.b[0] = v6 ? 0xfd : 10;
		p.addr.b[1] = (uint8_t)(i >> 16);
		p.addr.b[2] = (uint8_t)(i >> 8);
		p.addr.b[3] = (uint8_t)i;
		assert_int_equal(pn_peer_add_prefix(&peer, &p), 0);
	}
	size = pn_peer_nests_size(&peer);
	buf = calloc(1, 64 + size);
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_NEW_PEER, 0);
	pn_put_dev(nlh, 0, "podnet0");
	/* 16 + 4 + 12 (IFNAME) */
	assert_int_equal(nlh->nlmsg_len, 32);
	pn_put_peer_all(nlh, &peer);
	assert_int_equal(nlh->nlmsg_len, 32 + size);

	/*
	 * nla_len is 16 bits: a nest grown past 64 KiB wraps, and then its
	 * length no longer covers its attributes, or the attributes after
	 * the wrap no longer sit inside any PEER nest.
	 */
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		bool remote = false, mac = false;
		size_t kids = 0;

		if (mnl_attr_get_type(a) != PODNET_A_PEER) {
			assert_int_equal(mnl_attr_get_type(a), PODNET_A_IFNAME);
			continue;
		}
		mnl_attr_for_each_nested(b, a) {
			remote |= mnl_attr_get_type(b) == PODNET_PEER_A_REMOTE_IPV4;
			mac |= mnl_attr_get_type(b) == PODNET_PEER_A_MAC;
			kids += MNL_ALIGN(b->nla_len);
		}
		assert_int_equal(a->nla_len, MNL_ATTR_HDRLEN + kids);
		peer_bytes += MNL_ALIGN(a->nla_len);
		assert_true(remote);
		assert_int_equal(mac, nests == 0);
		nests++;
	}
	assert_int_equal(32 + peer_bytes, nlh->nlmsg_len);
	assert_int_equal(pn_msg_parse(nlh, &m), 0);
	assert_true(m.peer.has_mac);
	assert_int_equal(m.peer.n_prefixes, n);
	for (i = 0; i < n; i++)
		assert_int_equal(pn_prefix_cmp(&m.peer.prefixes[i], &peer.prefixes[i]), 0);
	pn_msg_free(&m);
	pn_peer_free(&peer);
	free(buf);
	return nests;
}

static void test_one_request(void **state)
{
	(void)state;
	/* No prefix: one nest with the remote and the MAC. */
	assert_int_equal(one_request(0, false), 1);
	/* (65535 - 4 - 8 - 12) / 20 = 3275 in the first nest, 3276 after. */
	assert_int_equal(one_request(3275, false), 1);
	assert_int_equal(one_request(3276, false), 2);
	assert_int_equal(one_request(5000, false), 2);
	assert_int_equal(one_request(3275 + 3276 + 1, false), 3);
	/* (65535 - 24) / 32 = 2047 IPv6 prefixes in the first nest. */
	assert_int_equal(one_request(2047, true), 1);
	assert_int_equal(one_request(2048, true), 2);
	assert_int_equal(one_request(100000, false), 31);
}

static void test_put_peer_no_room(void **state)
{
	static const char *const prefixes[] = { "10.0.0.0/8", NULL };
	uint8_t buf[256] = { 0 };
	struct nlmsghdr *nlh;
	struct pn_peer peer;
	size_t next = 0;

	(void)state;
	peer_of(&peer, "192.0.2.1", NULL, prefixes);
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_NEW_PEER, 0);
	/* 20 bytes of headers + 12 for the PEER and REMOTE: 31 is too small. */
	assert_int_equal(pn_put_peer(nlh, 31, &peer, &next, true), -1);
	assert_int_equal(nlh->nlmsg_len, 20);
	/* 32 fits the peer but not its 20-byte prefix. */
	assert_int_equal(pn_put_peer(nlh, 32, &peer, &next, true), 0);
	assert_int_equal(next, 0);
	pn_peer_free(&peer);
}

/* A GET_PEER reply as the kernel would send it. */
static struct nlmsghdr *peer_reply(uint8_t *buf, uint32_t ifindex, uint8_t last_octet,
				   int first_prefix, int n_prefixes, bool stats)
{
	struct nlmsghdr *nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_PEER, NLM_F_MULTI);
	struct nlattr *peer, *st, *pf;
	int i;

	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, ifindex);
	mnl_attr_put_u32(nlh, 99, 0xdeadbeef);	/* from a newer kernel: skipped */
	peer = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	mnl_attr_put(nlh, PODNET_PEER_A_REMOTE_IPV4, 4, (uint8_t[4]){ 192, 0, 2, last_octet });
	if (stats) {
		mnl_attr_put(nlh, PODNET_PEER_A_MAC, 6, (uint8_t[6]){ 2, 0, 0, 0, 0, 9 });
		mnl_attr_put_u32(nlh, PODNET_PEER_A_NUM_PREFIXES, 3);
		st = mnl_attr_nest_start(nlh, PODNET_PEER_A_STATS);
		mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_PACKETS, 5);
		mnl_attr_put_u64(nlh, PODNET_STATS_A_TX_BYTES, 1ULL << 40);
		mnl_attr_put_u64(nlh, PODNET_STATS_A_RX_DROP_SOURCE, 2);
		mnl_attr_nest_end(nlh, st);
	}
	for (i = first_prefix; i < first_prefix + n_prefixes; i++) {
		pf = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
		mnl_attr_put(nlh, PODNET_PREFIX_A_IPV4, 4, (uint8_t[4]){ 10, 244, (uint8_t)i, 0 });
		mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, 24);
		mnl_attr_nest_end(nlh, pf);
	}
	mnl_attr_nest_end(nlh, peer);
	return nlh;
}

static void test_parse_peer_reply(void **state)
{
	uint8_t buf[1024] = { 0 };
	char s[PN_PREFIX_STRLEN];
	struct pn_msg m;

	(void)state;
	assert_int_equal(pn_msg_parse(peer_reply(buf, 7, 1, 0, 2, true), &m), 0);
	assert_int_equal(m.cmd, PODNET_CMD_GET_PEER);
	assert_true(PN_HAS(&m, PODNET_A_IFINDEX));
	assert_true(PN_HAS(&m, PODNET_A_PEER));
	assert_false(PN_HAS(&m, PODNET_A_IFNAME));
	assert_int_equal(m.ifindex, 7);
	assert_string_equal(pn_addr_str(&m.peer.remote, s, sizeof(s)), "192.0.2.1");
	assert_true(m.peer.has_mac);
	assert_int_equal(m.peer.mac[5], 9);
	assert_true(m.has_peer_num_prefixes);
	assert_int_equal(m.peer_num_prefixes, 3);
	assert_true(m.has_peer_stats);
	assert_int_equal(m.peer_stats.v[PODNET_STATS_A_TX_PACKETS], 5);
	assert_int_equal(m.peer_stats.v[PODNET_STATS_A_TX_BYTES], 1ULL << 40);
	assert_int_equal(m.peer_stats.v[PODNET_STATS_A_RX_DROP_SOURCE], 2);
	assert_int_equal(m.peer_stats.present, (1U << PODNET_STATS_A_TX_PACKETS) |
			 (1U << PODNET_STATS_A_TX_BYTES) | (1U << PODNET_STATS_A_RX_DROP_SOURCE));
	assert_int_equal(m.peer.n_prefixes, 2);
	assert_string_equal(pn_prefix_str(&m.peer.prefixes[1], s, sizeof(s)), "10.244.1.0/24");
	pn_msg_free(&m);
}

static void test_parse_malformed(void **state)
{
	uint8_t buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *peer, *pf;
	struct pn_msg m;

	(void)state;
	/* IPv4 prefix of length 33. */
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_PEER, 0);
	peer = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	pf = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
	mnl_attr_put(nlh, PODNET_PREFIX_A_IPV4, 4, (uint8_t[4]){ 10, 0, 0, 0 });
	mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, 33);
	mnl_attr_nest_end(nlh, pf);
	mnl_attr_nest_end(nlh, peer);
	errno = 0;
	assert_int_equal(pn_msg_parse(nlh, &m), -1);
	assert_int_equal(errno, EPROTO);

	/* A 5-byte remote. */
	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_PEER, 0);
	peer = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	mnl_attr_put(nlh, PODNET_PEER_A_REMOTE_IPV4, 5, (uint8_t[5]){ 0 });
	mnl_attr_nest_end(nlh, peer);
	assert_int_equal(pn_msg_parse(nlh, &m), -1);

	/* A 2-byte IFINDEX. */
	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, FAMILY, PODNET_CMD_GET_DEVICE, 0);
	mnl_attr_put_u16(nlh, PODNET_A_IFINDEX, 3);
	assert_int_equal(pn_msg_parse(nlh, &m), -1);
}

static void test_dump_merges_continuations(void **state)
{
	uint8_t buf[1024];
	struct ctl_msgs ms = { 0 };
	char s[PN_PREFIX_STRLEN];

	(void)state;
	/* Peer .1 in two messages (prefixes 0-2, then 3-4), then peer .2. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ctl_peer_dump_cb(peer_reply(buf, 7, 1, 0, 3, true), &ms), MNL_CB_OK);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ctl_peer_dump_cb(peer_reply(buf, 7, 1, 3, 2, false), &ms), MNL_CB_OK);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ctl_peer_dump_cb(peer_reply(buf, 7, 2, 9, 1, false), &ms), MNL_CB_OK);
	assert_int_equal(ms.n, 2);
	assert_int_equal(ms.v[0].peer.n_prefixes, 5);
	assert_string_equal(pn_prefix_str(&ms.v[0].peer.prefixes[4], s, sizeof(s)), "10.244.4.0/24");
	assert_true(ms.v[0].has_peer_stats);	/* from the first message */
	assert_int_equal(ms.v[1].peer.n_prefixes, 1);
	assert_string_equal(pn_addr_str(&ms.v[1].peer.remote, s, sizeof(s)), "192.0.2.2");
	ctl_msgs_free(&ms);
}

/* An NLMSG_ERROR as the kernel sends it, echoing a 24-byte request
 * unless capped. */
static struct nlmsghdr *error_msg(uint8_t *buf, int error, bool capped, const char *msg,
				  int offs, int miss_type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf), *orig;
	struct nlmsgerr *ne;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = capped ? NLM_F_CAPPED : 0;
	ne = mnl_nlmsg_put_extra_header(nlh, sizeof(*ne));
	ne->error = error;
	ne->msg.nlmsg_len = 24;
	ne->msg.nlmsg_type = FAMILY;
	if (!capped) {
		orig = mnl_nlmsg_put_extra_header(nlh, 8);	/* the echoed payload */
		memset(orig, 0x77, 8);
	}
	if (msg || offs >= 0 || miss_type >= 0)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, (uint32_t)offs);
	if (miss_type >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, (uint32_t)miss_type);
	return nlh;
}

static void test_extack(void **state)
{
	uint8_t buf[512];
	struct pn_nl_err e;
	char out[300];

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pn_nl_parse_ack(error_msg(buf, -EINVAL, true, "prefix length exceeds 32",
						   44, -1), &e), -EINVAL);
	assert_int_equal(e.err, EINVAL);
	assert_string_equal(e.msg, "prefix length exceeds 32");
	assert_int_equal(e.offs, 44);
	pn_nl_err_format(&e, out, sizeof(out), pn_attr_name);
	assert_string_equal(out, "Error: prefix length exceeds 32.");

	/* Uncapped: the TLVs follow the echoed request. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pn_nl_parse_ack(error_msg(buf, -ENODEV, false, "no such device.", -1, -1),
					 &e), -ENODEV);
	assert_string_equal(e.msg, "no such device.");
	pn_nl_err_format(&e, out, sizeof(out), pn_attr_name);
	assert_string_equal(out, "Error: no such device.");

	/* No message: strerror; a missing top-level attribute is named. */
	memset(buf, 0, sizeof(buf));
	pn_nl_parse_ack(error_msg(buf, -EOPNOTSUPP, true, NULL, -1, -1), &e);
	pn_nl_err_format(&e, out, sizeof(out), pn_attr_name);
	assert_string_equal(out, "Error: Operation not supported.");
	memset(buf, 0, sizeof(buf));
	pn_nl_parse_ack(error_msg(buf, -EINVAL, true, NULL, -1, PODNET_A_PEER), &e);
	assert_int_equal(e.miss_type, PODNET_A_PEER);
	pn_nl_err_format(&e, out, sizeof(out), pn_attr_name);
	assert_string_equal(out, "Error: missing attribute PODNET_A_PEER.");

	/* A success ack with a message is a warning. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pn_nl_parse_ack(error_msg(buf, 0, true, "peer has no prefix left", -1, -1),
					 &e), 0);
	pn_nl_err_format(&e, out, sizeof(out), NULL);
	assert_string_equal(out, "Warning: peer has no prefix left.");

	/* A plain ack. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pn_nl_parse_ack(error_msg(buf, 0, true, NULL, -1, -1), &e), 0);
	assert_int_equal(e.err, 0);
	assert_string_equal(e.msg, "");
}

static void test_done_with_error(void **state)
{
	uint8_t buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct pn_nl_err e;
	int *err;

	(void)state;
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*err = -ENODEV;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "device vanished");
	assert_int_equal(pn_nl_parse_ack(nlh, &e), -ENODEV);
	assert_string_equal(e.msg, "device vanished");
}

const struct CMUnitTest msg_tests[] = {
	cmocka_unit_test(test_new_peer_bytes),
	cmocka_unit_test(test_del_by_prefix_bytes),
	cmocka_unit_test(test_remote_only_ipv6),
	cmocka_unit_test(test_split),
	cmocka_unit_test(test_one_request),
	cmocka_unit_test(test_put_peer_no_room),
	cmocka_unit_test(test_parse_peer_reply),
	cmocka_unit_test(test_parse_malformed),
	cmocka_unit_test(test_dump_merges_continuations),
	cmocka_unit_test(test_extack),
	cmocka_unit_test(test_done_with_error),
};
const size_t msg_count = COUNT(msg_tests);
