// SPDX-License-Identifier: GPL-2.0
/*
 * genlfuzz: random and mutated requests to the "podnet" generic netlink
 * family, for issue 14's lane 1.
 *
 *   genlfuzz [-n MESSAGES] [-s SEED] [-u] DEV...
 *
 * Each request starts as a valid skeleton of a random command (GET_DEVICE,
 * NEW_PEER, ..., REPLACE_ABORT, or one the family does not have) for one
 * of the DEVs (by name or ifindex; sometimes a name or index that does not
 * exist), with PEER nests whose remotes, MACs and prefixes come from small
 * pools so that requests collide; then it is corrupted at random: bytes
 * flipped, attribute lengths and types changed, attributes repeated or
 * nested, the message cut short.  Requests go out over three sockets in
 * turn, so that replaces of one socket meet the others (EBUSY, ENOENT);
 * replies are read without blocking and dumps are left unread at random;
 * now and then a socket is closed, abandoning its dumps and its replace,
 * and opened again.
 *
 * -u: first leave the user namespace that owns the netns
 * (unshare(CLONE_NEWUSER)): every changing command must then fail with
 * EPERM, and the program exits 1 if one does not.
 *
 * Prints one summary line: requests sent, replies by errno, sockets
 * reopened.  Exits 0 unless a socket cannot be opened or -u sees a
 * changing command that is not refused.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/podnet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"

#define NSOCK		3
#define BUFLEN		(512 * 1024)
#define MAX_ERRNO	140

static unsigned long long rnd_state;

static unsigned int rnd(unsigned int n)
{
	/* xorshift64*: reproducible from -s, cheap under TCG. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return n ? (unsigned int)((rnd_state * 2685821657736338717ULL) >> 33) % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

struct fuzz {
	struct pn_genl g[NSOCK];
	struct pn_genl chk;	/* -u: the EPERM checks, one request at a time */
	char **devs;
	int ndevs;
	bool unpriv;
	unsigned long sent, dumps, reopened, replies[MAX_ERRNO + 1];
	unsigned long changing, not_eperm;
	int first_other;	/* -u: the first reply that was not EPERM */
	char *buf;
};

static bool changing_cmd(uint8_t cmd)
{
	return cmd != PODNET_CMD_GET_DEVICE && cmd != PODNET_CMD_GET_PEER;
}

static void put_dev(struct nlmsghdr *nlh, struct fuzz *f)
{
	const char *dev = f->devs[rnd(f->ndevs)];

	switch (rnd(10)) {
	case 0:
		mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "nosuchdev");
		break;
	case 1:
		mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, rnd(64));
		break;
	case 2:	/* not NUL-terminated */
		mnl_attr_put(nlh, PODNET_A_IFNAME, strlen(dev), dev);
		break;
	case 3:
		mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, if_nametoindex(dev));
		break;
	case 4:
		break;	/* no device */
	default:
		mnl_attr_put_strz(nlh, PODNET_A_IFNAME, dev);
	}
}

static void put_prefix(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
	uint8_t a[16] = { 10, 244, (uint8_t)rnd(8), 0 };

	if (chance(30)) {
		a[0] = 0xfd;
		a[1] = 0x10;
		a[3] = (uint8_t)rnd(8);
		mnl_attr_put(nlh, PODNET_PREFIX_A_IPV6, 16, a);
		mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, chance(80) ? 64 : rnd(140));
	} else {
		if (chance(10))
			a[3] = (uint8_t)rnd(256);
		mnl_attr_put(nlh, PODNET_PREFIX_A_IPV4, chance(95) ? 4 : rnd(17), a);
		mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, chance(80) ? 24 : rnd(40));
	}
	if (chance(3))
		mnl_attr_put_u8(nlh, PODNET_PREFIX_A_LEN, rnd(256));
	mnl_attr_nest_end(nlh, n);
}

static void put_peer(struct nlmsghdr *nlh, unsigned int remote)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	uint8_t a6[16] = { 0xfd, 0, 0, 0x99, [15] = (uint8_t)remote };
	uint8_t a4[4] = { 192, 168, 99, (uint8_t)remote };
	uint8_t mac[6] = { 2, 0, 0, 0, 0, (uint8_t)rnd(4) };
	unsigned int i, np;

	if (chance(90)) {
		if (chance(70))
			mnl_attr_put(nlh, PODNET_PEER_A_REMOTE_IPV4, 4, a4);
		else
			mnl_attr_put(nlh, PODNET_PEER_A_REMOTE_IPV6, 16, a6);
	}
	if (chance(20))
		mnl_attr_put(nlh, PODNET_PEER_A_MAC, chance(90) ? 6 : rnd(12), mac);
	if (chance(5))	/* read-only attributes */
		mnl_attr_put_u32(nlh, chance(50) ? PODNET_PEER_A_NUM_PREFIXES :
				 PODNET_PEER_A_STATS, rnd(1000));
	np = chance(5) ? rnd(3000) : rnd(8);
	for (i = 0; i < np; i++)
		put_prefix(nlh);
	mnl_attr_nest_end(nlh, n);
}

/* Corrupt the attributes of @nlh (after the genl header) in place. */
static void mutate(struct nlmsghdr *nlh)
{
	uint8_t *p = (uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
	unsigned int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	unsigned int i, k = 1 + rnd(4);

	for (i = 0; i < k && len; i++) {
		unsigned int off = rnd(len) & ~3U;
		struct nlattr *a = (struct nlattr *)(p + off);

		switch (rnd(5)) {
		case 0:
			p[rnd(len)] ^= (uint8_t)(1 + rnd(255));
			break;
		case 1:	/* an attribute header's length */
			if (off + 4 <= len)
				a->nla_len = (uint16_t)rnd(len + 8);
			break;
		case 2:	/* its type, with or without NLA_F_NESTED */
			if (off + 4 <= len)
				a->nla_type = (uint16_t)(rnd(24) | (chance(30) ? NLA_F_NESTED : 0));
			break;
		case 3:	/* cut the message short */
			nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + rnd(len);
			len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			break;
		default:	/* a random word */
			if (off + 4 <= len)
				memcpy(p + off, &(uint32_t){ rnd(0xffffffffU) }, 4);
		}
	}
}

static struct nlmsghdr *build(struct fuzz *f, uint8_t *cmdp, bool *dump)
{
	uint8_t cmd = (uint8_t)rnd(PODNET_CMD_MAX + 3);
	uint16_t flags = NLM_F_ACK;
	struct nlmsghdr *nlh;
	unsigned int i, n, remote = 1 + rnd(6);

	*dump = (cmd == PODNET_CMD_GET_DEVICE || cmd == PODNET_CMD_GET_PEER) && chance(60);
	if (*dump)
		flags |= NLM_F_DUMP;
	if (chance(20))
		flags |= NLM_F_REPLACE;
	if (chance(20))
		flags |= NLM_F_EXCL;
	if (chance(10))
		flags |= NLM_F_CREATE;
	nlh = pn_genl_msg_start(f->buf, f->g[0].id, cmd,
				chance(95) ? PODNET_GENL_VERSION : (uint8_t)rnd(4), flags);
	put_dev(nlh, f);
	n = chance(70) ? 1 : rnd(4);
	for (i = 0; i < n; i++)
		put_peer(nlh, chance(80) ? remote : 1 + rnd(6));
	if (chance(5))	/* an attribute the family does not have */
		mnl_attr_put_u32(nlh, (uint16_t)(PODNET_A_MAX + 1 + rnd(8)), rnd(100));
	if (chance(5))
		mnl_attr_put_u32(nlh, PODNET_A_GENERATION, rnd(100));
	if (chance(35))
		mutate(nlh);
	*cmdp = cmd;
	return nlh;
}

/* Read what has arrived; count errors and acks by errno. */
static void drain(struct fuzz *f, struct pn_genl *g)
{
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(g->nl), g->rxbuf, g->rxlen, MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len = (int)n;

		if (n <= 0)
			return;
		for (nlh = (const struct nlmsghdr *)g->rxbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				int err = -e->error;

				f->replies[err >= 0 && err <= MAX_ERRNO ? err : MAX_ERRNO]++;
			}
		}
	}
}

static int reopen(struct fuzz *f, int i)
{
	struct pn_nl_err e;

	if (f->g[i].nl)
		pn_genl_close(&f->g[i]);
	memset(&f->g[i], 0, sizeof(f->g[i]));
	if (pn_genl_open(&f->g[i], PODNET_GENL_NAME, &e) < 0) {
		fprintf(stderr, "genlfuzz: %s\n", e.msg[0] ? e.msg : strerror(e.err));
		return -1;
	}
	return 0;
}

/*
 * -u: each changing command, sent alone and read back, must be EPERM
 * (genetlink checks the permission before it parses anything).
 */
static void check_eperm(struct fuzz *f, struct nlmsghdr *nlh)
{
	struct pn_nl_err e = { 0 };

	f->changing++;
	nlh->nlmsg_seq = ++f->chk.seq;
	if (pn_genl_request(&f->chk, nlh, NULL, NULL, &e) == 0 || e.err != EPERM) {
		if (!f->not_eperm++)
			f->first_other = e.err;
	}
}

int main(int argc, char **argv)
{
	unsigned long i, count = 10000;
	struct fuzz f = { 0 };
	int opt;

	rnd_state = 0x9e3779b97f4a7c15ULL;
	while ((opt = getopt(argc, argv, "n:s:u")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rnd_state ^= strtoull(optarg, NULL, 0) * 0xbf58476d1ce4e5b9ULL;
			break;
		case 'u':
			f.unpriv = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	f.devs = argv + optind;
	f.ndevs = argc - optind;
	f.buf = calloc(1, BUFLEN);
	if (!f.buf)
		return 2;
	if (f.unpriv && unshare(CLONE_NEWUSER) < 0) {
		perror("genlfuzz: unshare(CLONE_NEWUSER)");
		return 2;
	}
	for (opt = 0; opt < NSOCK; opt++)
		if (reopen(&f, opt) < 0)
			return 2;
	if (f.unpriv) {
		struct pn_nl_err e;

		if (pn_genl_open(&f.chk, PODNET_GENL_NAME, &e) < 0)
			return 2;
	}

	for (i = 0; i < count; i++) {
		int s = (int)(i % NSOCK);
		struct pn_genl *g = &f.g[s];
		struct nlmsghdr *nlh;
		uint8_t cmd;
		bool dump;

		nlh = build(&f, &cmd, &dump);
		nlh->nlmsg_seq = ++g->seq;
		/*
		 * NLM_F_REPLACE | NLM_F_EXCL is NLM_F_DUMP to genetlink: such a
		 * request is a dump, and the family has no dump of a changing
		 * command (EOPNOTSUPP before any permission check).
		 */
		if (f.unpriv && changing_cmd(cmd) && cmd >= PODNET_CMD_NEW_PEER &&
		    cmd <= PODNET_CMD_MAX &&
		    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
			check_eperm(&f, nlh);
			f.sent++;
			continue;
		}
		if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) >= 0) {
			f.sent++;
			f.dumps += dump;
		}
		/* Leave dumps and replies unread now and then. */
		if (chance(90))
			drain(&f, g);
		if (chance(1)) {
			if (reopen(&f, s) < 0)
				return 2;
			f.reopened++;
		}
	}
	for (opt = 0; opt < NSOCK; opt++) {
		drain(&f, &f.g[opt]);
		pn_genl_close(&f.g[opt]);
	}

	printf("genlfuzz: %lu requests (%lu dumps), %lu sockets reopened; replies:",
	       f.sent, f.dumps, f.reopened);
	for (opt = 0; opt <= MAX_ERRNO; opt++)
		if (f.replies[opt])
			printf(" %s %lu", opt ? strerrorname_np(opt) ?: "?" : "ok", f.replies[opt]);
	printf("\n");
	if (f.unpriv) {
		printf("genlfuzz: unprivileged: %lu changing requests, %lu not refused with EPERM\n",
		       f.changing, f.not_eperm);
		if (f.not_eperm)
			printf("genlfuzz: the first of them got %s\n",
			       f.first_other ? strerrorname_np(f.first_other) ?: "?" : "success");
		pn_genl_close(&f.chk);
		return f.not_eperm ? 1 : 0;
	}
	free(f.buf);
	return 0;
usage:
	fprintf(stderr, "usage: genlfuzz [-n MESSAGES] [-s SEED] [-u] DEV...\n");
	return 2;
}
