// SPDX-License-Identifier: GPL-2.0
/*
 * peer replace: the table file parser (with line numbers) and how the
 * table is cut into REPLACE_ADD messages and batches.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "podnetctl.h"
#include "args.h"
#include "replace.h"
#include "unit.h"

#define FAMILY	0x1234

static int parse_str(const char *text, struct ctl_replace *r, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	ret = ctl_replace_parse(f, "t.conf", r, err, CTL_ERRLEN);
	fclose(f);
	return ret;
}

static void bad(const char *text, const char *why)
{
	char err[CTL_ERRLEN] = "";
	struct ctl_replace r;

	if (!parse_str(text, &r, err))
		fail_msg("accepted:\n%s", text);
	assert_string_equal(err, why);
}

static void test_parse_ok(void **state)
{
	char err[CTL_ERRLEN] = "", s[PN_PREFIX_STRLEN];
	struct ctl_replace r;

	(void)state;
	assert_int_equal(parse_str("# node table\n"
				   "remote 192.0.2.1 prefix 10.244.1.0/24\n"
				   "\n"
				   "   remote 2001:db8::2 prefix 10.244.2.0/24 prefix fd00:2::/64 "
				   "mac 02:00:00:00:00:02   # node-2\n",
				   &r, err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.n_prefixes, 3);
	assert_int_equal(r.v[0].line, 2);
	assert_int_equal(r.v[1].line, 4);
	assert_string_equal(pn_addr_str(&r.v[1].peer.remote, s, sizeof(s)), "2001:db8::2");
	assert_true(r.v[1].peer.has_mac);
	assert_string_equal(pn_prefix_str(&r.v[1].peer.prefixes[1], s, sizeof(s)), "fd00:2::/64");
	ctl_replace_free(&r);

	/* A peer without prefixes, as `peer show` prints one. */
	assert_int_equal(parse_str("remote 192.0.2.1\n", &r, err), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.n_prefixes, 0);
	ctl_replace_free(&r);

	/* An empty table is valid: the commit empties the device. */
	assert_int_equal(parse_str("# nothing\n\n", &r, err), 0);
	assert_int_equal(r.n, 0);
	ctl_replace_free(&r);
}

static void test_parse_errors(void **state)
{
	char err[CTL_ERRLEN] = "";
	struct ctl_replace r;
	FILE *f;

	(void)state;
	/* Not the file's fault but the system's: -2, not -1. */
	f = fopen("/", "r");
	assert_non_null(f);
	assert_int_equal(ctl_replace_parse(f, "/", &r, err, sizeof(err)), -2);
	assert_string_equal(err, "cannot read \"/\": Is a directory");
	fclose(f);

	bad("remote 192.0.2.1 prefix 10.0.0.0/8\n"
	    "\n"
	    "remote 192.0.2.2 prefix 11.0.0.0/33\n",
	    "t.conf:3: invalid prefix \"11.0.0.0/33\": prefix length 33 is longer than 32");
	bad("remote 192.0.2.1 prefix 10.0.0.1/8\n",
	    "t.conf:1: invalid prefix \"10.0.0.1/8\": host bits set (did you mean 10.0.0.0/8?)");
	bad("prefix 10.0.0.0/8\n", "t.conf:1: missing \"remote\"");
	bad("#\nremote 192.0.2.1 prefix 10.0.0.0/8 replace\n",
	    "t.conf:2: unexpected \"replace\": expected remote, prefix or mac");
	bad("dev podnet0 remote 192.0.2.1 prefix 10.0.0.0/8\n",
	    "t.conf:1: unexpected \"dev\": expected remote, prefix or mac");
	bad("remote 192.0.2.1 prefix \"10.0.0.0/8\n", "t.conf:1: unterminated quote");
	bad("remote 192.0.2.1 prefix 10.1.0.0/16\n"
	    "remote 192.0.2.2 prefix 10.2.0.0/16\n"
	    "remote 192.0.2.1 prefix 10.3.0.0/16\n",
	    "t.conf:3: remote 192.0.2.1 is already on line 1");
	bad("remote 192.0.2.1 prefix 10.1.0.0/16\n"
	    "remote 192.0.2.2 prefix 10.2.0.0/16\n"
	    "remote 192.0.2.3 prefix 10.3.0.0/16 prefix 10.2.0.0/16\n",
	    "t.conf:3: prefix 10.2.0.0/16 is already on line 2");
	/* Same address, different lengths: no conflict. */
	{
		char err[CTL_ERRLEN];
		struct ctl_replace r;

		assert_int_equal(parse_str("remote 192.0.2.1 prefix 10.0.0.0/8\n"
					   "remote 192.0.2.2 prefix 10.0.0.0/16\n", &r, err), 0);
		ctl_replace_free(&r);
	}
}

/* Every batch handed to the sender, checked and accounted for. */
struct capture {
	const struct ctl_replace *r;
	size_t limit;
	size_t batches, msgs;
	size_t entry, prefix;		/* where the next message must resume */
	int fail_at;			/* batch number to fail, or -1 */
};

static int capture_batch(void *buf, size_t len, size_t n, const size_t *entry, void *data)
{
	struct capture *c = data;
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	size_t i, j;

	assert_true(len <= c->limit);
	assert_true(n > 0);
	if ((int)c->batches == c->fail_at)
		return -EIO;
	for (i = 0; i < n; i++, nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct pn_peer *want;
		struct pn_msg m;

		assert_true(mnl_nlmsg_ok(nlh, left));
		assert_int_equal(nlh->nlmsg_type, FAMILY);
		assert_true(nlh->nlmsg_len <= c->limit);
		assert_int_equal(pn_msg_parse(nlh, &m), 0);
		assert_int_equal(m.cmd, PODNET_CMD_REPLACE_ADD);
		assert_string_equal(m.ifname, "podnet0");

		/* Messages follow the table: same entry until its prefixes run out. */
		if (c->prefix == c->r->v[c->entry].peer.n_prefixes) {
			c->entry++;
			c->prefix = 0;
		}
		assert_int_equal(entry[i], c->entry);
		want = &c->r->v[c->entry].peer;
		assert_true(pn_addr_equal(&m.peer.remote, &want->remote));
		assert_true(m.peer.n_prefixes > 0);
		for (j = 0; j < m.peer.n_prefixes; j++)
			assert_int_equal(pn_prefix_cmp(&m.peer.prefixes[j],
						       &want->prefixes[c->prefix + j]), 0);
		c->prefix += m.peer.n_prefixes;
		pn_msg_free(&m);
		c->msgs++;
	}
	assert_int_equal(left, 0);
	c->batches++;
	return 0;
}

/* A table of @peers peers with @per prefixes each, IPv4 /32s. */
static void make_table(struct ctl_replace *r, size_t peers, size_t per)
{
	size_t i, j, k = 0;

	memset(r, 0, sizeof(*r));
	r->v = calloc(peers, sizeof(*r->v));
	r->n = r->cap = peers;
	for (i = 0; i < peers; i++) {
		struct pn_peer *p = &r->v[i].peer;

		r->v[i].line = i + 1;
		p->has_remote = true;
		pn_addr_from_bytes(&p->remote, (uint8_t[4]){ 172, 16, (uint8_t)(i >> 8), (uint8_t)i }, 4);
		for (j = 0; j < per; j++, k++) {
			struct pn_prefix pf = { .len = 32 };

			pn_addr_from_bytes(&pf.addr, (uint8_t[4]){ 10, (uint8_t)(k >> 16),
					   (uint8_t)(k >> 8), (uint8_t)k }, 4);
			assert_int_equal(pn_peer_add_prefix(p, &pf), 0);
		}
		r->n_prefixes += per;
	}
}

static void check_build(size_t peers, size_t per, size_t limit, size_t *batches, size_t *msgs)
{
	struct ctl_replace r;
	struct capture c = { .limit = limit, .fail_at = -1 };

	make_table(&r, peers, per);
	c.r = &r;
	assert_int_equal(ctl_replace_build(&r, FAMILY, "podnet0", limit, capture_batch, &c), 0);
	/* Everything was sent: the last entry's prefixes all went out. */
	assert_int_equal(c.entry, peers - 1);
	assert_int_equal(c.prefix, per);
	*batches = c.batches;
	*msgs = c.msgs;
	ctl_replace_free(&r);
}

static void test_build_many_small_peers(void **state)
{
	size_t batches, msgs;

	(void)state;
	/* 100k peers of one prefix: one message each, packed ~500 per batch. */
	check_build(100000, 1, PN_MSG_MAX, &batches, &msgs);
	assert_int_equal(msgs, 100000);
	assert_true(batches < 250);
}

static void test_build_one_huge_peer(void **state)
{
	size_t batches, msgs;

	(void)state;
	/* One peer of 100k prefixes: split, one full message per batch. */
	check_build(1, 100000, PN_MSG_MAX, &batches, &msgs);
	assert_int_equal(msgs, (100000 + 1635) / 1636);
	assert_int_equal(batches, msgs);
}

static void test_build_mixed_small_limit(void **state)
{
	size_t batches, msgs;

	(void)state;
	/* Peers that straddle batch boundaries. */
	check_build(37, 45, 1024, &batches, &msgs);
	assert_true(msgs >= 37 * 45 / 48);
	check_build(3, 0 + 1, 64 + 32, &batches, &msgs);
	assert_int_equal(msgs, 3);
	assert_int_equal(batches, 3);
}

static void test_build_errors(void **state)
{
	struct ctl_replace r;
	struct capture c = { .limit = PN_MSG_MAX, .fail_at = 1 };

	(void)state;
	make_table(&r, 5000, 3);
	c.r = &r;
	/* The sender's failure stops the build and is returned as is. */
	assert_int_equal(ctl_replace_build(&r, FAMILY, "podnet0", PN_MSG_MAX, capture_batch, &c),
			 -EIO);
	assert_int_equal(c.batches, 1);
	/* A limit below one message. */
	c = (struct capture){ .r = &r, .limit = 48, .fail_at = -1 };
	assert_int_equal(ctl_replace_build(&r, FAMILY, "podnet0", 48, capture_batch, &c),
			 -EMSGSIZE);
	ctl_replace_free(&r);
}

/* Count messages and check their entries come in order, 0, 1, 2, ... */
static int count_batch(void *buf, size_t len, size_t n, const size_t *entry, void *data)
{
	size_t *seen = data, i;

	(void)buf;
	(void)len;
	for (i = 0; i < n; i++)
		assert_int_equal(entry[i], (*seen)++);
	return 0;
}

/* Peers without prefixes (a MAC only) must not be lost at batch boundaries. */
static void test_build_peers_without_prefixes(void **state)
{
	struct ctl_replace r;
	size_t seen = 0;

	(void)state;
	make_table(&r, 50, 0);
	assert_int_equal(ctl_replace_build(&r, FAMILY, "podnet0", 256, count_batch, &seen), 0);
	assert_int_equal(seen, 50);
	ctl_replace_free(&r);
}

const struct CMUnitTest replace_tests[] = {
	cmocka_unit_test(test_parse_ok),
	cmocka_unit_test(test_parse_errors),
	cmocka_unit_test(test_build_many_small_peers),
	cmocka_unit_test(test_build_one_huge_peer),
	cmocka_unit_test(test_build_mixed_small_limit),
	cmocka_unit_test(test_build_errors),
	cmocka_unit_test(test_build_peers_without_prefixes),
};
const size_t replace_count = COUNT(replace_tests);
