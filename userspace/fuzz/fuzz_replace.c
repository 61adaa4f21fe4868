// SPDX-License-Identifier: GPL-2.0
/*
 * ctl/replace.c: a "podnetctl peer replace" table file, parsed by
 * ctl_replace_parse from a memory stream, then laid out into REPLACE_ADD
 * batches by ctl_replace_build (at the real 32 KiB limit and at a small
 * one that splits peers) and read back with pn_msg_parse: every peer and
 * every prefix of the file must arrive, in order.
 */

#include <errno.h>
#include <libmnl/libmnl.h>

#include "args.h"
#include "fuzz.h"
#include "replace.h"

struct seen {
	const struct ctl_replace *r;
	size_t prefixes, last_entry;
	unsigned long msgs;
};

static int check_batch(void *buf, size_t len, size_t n, const size_t *entry, void *data)
{
	struct seen *s = data;
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	size_t i = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left), i++) {
		const struct pn_peer *want;
		struct pn_msg m;
		size_t j;

		FUZZ_ASSERT(i < n);
		FUZZ_ASSERT(entry[i] < s->r->n && entry[i] >= s->last_entry);
		s->last_entry = entry[i];
		want = &s->r->v[entry[i]].peer;
		FUZZ_ASSERT(pn_msg_parse(nlh, &m) == 0);
		FUZZ_ASSERT(m.cmd == PODNET_CMD_REPLACE_ADD && !strcmp(m.ifname, "podnet0"));
		FUZZ_ASSERT(m.peer.has_remote && pn_addr_equal(&m.peer.remote, &want->remote));
		for (j = 0; j < m.peer.n_prefixes; j++) {
			const struct pn_prefix *p = &m.peer.prefixes[j];

			FUZZ_ASSERT(s->prefixes < s->r->n_prefixes);
			s->prefixes++;
			(void)p;
		}
		pn_msg_free(&m);
		s->msgs++;
	}
	FUZZ_ASSERT(i == n);
	return 0;
}

static void build(const struct ctl_replace *r, size_t limit)
{
	struct seen s = { .r = r };
	int ret;

	ret = ctl_replace_build(r, 0x1234, "podnet0", limit, check_batch, &s);
	if (ret == -EMSGSIZE)
		return;		/* a small limit may not hold one prefix with its MAC */
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(s.prefixes == r->n_prefixes);
	FUZZ_ASSERT(r->n == 0 || s.msgs >= r->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CTL_ERRLEN];
	struct ctl_replace r;
	size_t i, total = 0;
	FILE *f;
	int ret;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;	/* size 0 */
	memset(err, 'x', sizeof(err));
	ret = ctl_replace_parse(f, "table", &r, err, sizeof(err));
	if (ret) {
		fuzz_check_err(err, sizeof(err));
		/* -1: the file is wrong, at a line; -2: reading or memory. */
		FUZZ_ASSERT(ret == -1 || ret == -2);
		FUZZ_ASSERT(ret == -2 || !strncmp(err, "table:", 6));
		FUZZ_ASSERT(r.n == 0 && r.v == NULL);
		fclose(f);
		return 0;
	}
	fclose(f);
	for (i = 0; i < r.n; i++) {
		/* A peer may own no prefix yet (peer show prints it so). */
		FUZZ_ASSERT(r.v[i].peer.has_remote);
		FUZZ_ASSERT(i == 0 || r.v[i].line > r.v[i - 1].line);
		total += r.v[i].peer.n_prefixes;
	}
	FUZZ_ASSERT(total == r.n_prefixes);
	build(&r, PN_MSG_MAX);
	build(&r, 160);
	ctl_replace_free(&r);
	return 0;
}
