// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl peer replace dev NAME [file FILE|-]: swap a device's whole
 * peer table at once (REPLACE_BEGIN, REPLACE_ADD..., REPLACE_COMMIT).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "podnetctl.h"
#include "replace.h"
#include "util.h"

static int push_entry(struct ctl_replace *r, const struct pn_peer *peer, unsigned long line)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct ctl_replace_entry *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].peer = *peer;
	r->v[r->n].line = line;
	r->n++;
	r->n_prefixes += peer->n_prefixes;
	return 0;
}

struct where {
	const struct pn_prefix *p;	/* NULL: the entry's remote */
	const struct ctl_replace_entry *e;
};

static int where_cmp(const void *x, const void *y)
{
	const struct where *a = x, *b = y;
	int r;

	if (a->p && b->p)
		r = pn_prefix_cmp(a->p, b->p);
	else
		r = pn_prefix_cmp(&(struct pn_prefix){ .addr = a->e->peer.remote },
				  &(struct pn_prefix){ .addr = b->e->peer.remote });
	if (r)
		return r;
	return a->e->line < b->e->line ? -1 : a->e->line > b->e->line;
}

/* A remote or a prefix on two lines; the kernel would merge or refuse them. */
static int check_dups(const struct ctl_replace *r, const char *name, char *err, size_t errlen)
{
	char buf[PN_PREFIX_STRLEN];
	struct where *w, *dup = NULL;
	size_t i, j, n = 0;
	int ret = -1;

	w = malloc((r->n + r->n_prefixes + 1) * sizeof(*w));
	if (!w) {
		pn_errf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		goto out;
	}

	for (i = 0; i < r->n; i++)
		w[n++] = (struct where){ NULL, &r->v[i] };
	qsort(w, n, sizeof(*w), where_cmp);
	for (i = 1; i < n; i++)
		if (pn_addr_equal(&w[i - 1].e->peer.remote, &w[i].e->peer.remote) &&
		    (!dup || w[i].e->line < dup->e->line))
			dup = &w[i];
	if (dup) {
		pn_errf(err, errlen, "%s:%lu: remote %s is already on line %lu", name, dup->e->line,
			pn_addr_str(&dup->e->peer.remote, buf, sizeof(buf)), (dup - 1)->e->line);
		goto out;
	}

	n = 0;
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->v[i].peer.n_prefixes; j++)
			w[n++] = (struct where){ &r->v[i].peer.prefixes[j], &r->v[i] };
	qsort(w, n, sizeof(*w), where_cmp);
	for (i = 1; i < n; i++)
		if (!pn_prefix_cmp(w[i - 1].p, w[i].p) && (!dup || w[i].e->line < dup->e->line))
			dup = &w[i];
	if (dup) {
		pn_errf(err, errlen, "%s:%lu: prefix %s is already on line %lu", name, dup->e->line,
			pn_prefix_str(dup->p, buf, sizeof(buf)), (dup - 1)->e->line);
		goto out;
	}
	ret = 0;
out:
	free(w);
	return ret;
}

int ctl_replace_parse(FILE *f, const char *name, struct ctl_replace *r,
		      char *err, size_t errlen)
{
	char perr[CTL_ERRLEN], *line = NULL, **argv = NULL;
	unsigned long lineno = 0;
	size_t len = 0, cap = 0;
	struct ctl_args a;
	int argc, ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&a, 0, sizeof(a));
	while (getline(&line, &len, f) >= 0) {
		lineno++;
		if (ctl_split_line(line, &argc, &argv, &cap, perr, sizeof(perr))) {
			pn_errf(err, errlen, "%s:%lu: %s", name, lineno, perr);
			goto out;
		}
		if (argc == 0)
			continue;
		if (ctl_parse_args(argc, argv, W_REMOTE | W_PREFIX | W_MAC, &a,
				   perr, sizeof(perr)) ||
		    ctl_require(&a, W_REMOTE, perr, sizeof(perr))) {
			pn_errf(err, errlen, "%s:%lu: %s", name, lineno, perr);
			goto out;
		}
		if (push_entry(r, &a.peer, lineno)) {
			pn_errf(err, errlen, "%s: %s", name, strerror(ENOMEM));
			ret = -2;
			goto out;
		}
		memset(&a, 0, sizeof(a));	/* r owns the prefixes now */
	}
	if (ferror(f)) {
		pn_errf(err, errlen, "cannot read \"%s\": %s", name, strerror(errno));
		ret = -2;
		goto out;
	}
	ret = check_dups(r, name, err, errlen);
out:
	ctl_args_free(&a);
	free(line);
	free(argv);
	if (ret)
		ctl_replace_free(r);
	return ret;
}

void ctl_replace_free(struct ctl_replace *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		pn_peer_free(&r->v[i].peer);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int ctl_replace_build(const struct ctl_replace *r, uint16_t family_id, const char *dev,
		      size_t limit, ctl_batch_fn send, void *data)
{
	const struct pn_peer **peers = malloc((r->n ? r->n : 1) * sizeof(*peers));
	size_t i;
	int ret;

	if (!peers)
		return -ENOMEM;
	for (i = 0; i < r->n; i++)
		peers[i] = &r->v[i].peer;
	ret = pn_replace_build(peers, r->n, family_id, dev, limit, send, data);
	free(peers);
	return ret;
}

/* --- talking to the kernel --------------------------------------------- */

struct sender {
	struct pn_genl *g;
	const struct ctl_replace *r;
	struct pn_nl_err e;
	size_t failed_entry;	/* r->n: not tied to an entry */
};

static int send_batch(void *buf, size_t len, size_t n, const size_t *entry, void *data)
{
	struct sender *s = data;
	size_t failed;

	if (pn_genl_send_batch(s->g, buf, len, n, &failed, &s->e) == 0)
		return 0;
	s->failed_entry = failed < n ? entry[failed] : s->r->n;
	return -1;
}

static int simple(struct pn_genl *g, uint8_t cmd, const char *dev, struct pn_nl_err *e)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = pn_msg_start(buf, g->id, cmd, 0);

	pn_put_dev(nlh, 0, dev);
	return pn_genl_request(g, nlh, NULL, NULL, e);
}

/* "Error: FILE:LINE: <the kernel's message>." */
static int nl_err_at(const struct pn_nl_err *e, const char *name, unsigned long line)
{
	char buf[512];
	const char *msg = buf;

	pn_nl_err_format(e, buf, sizeof(buf), pn_attr_name);
	if (!strncmp(msg, "Error: ", 7))
		msg += 7;
	fprintf(stderr, "Error: %s:%lu: %s\n", name, line, msg);
	return EXIT_RUNTIME;
}

int cmd_peer_replace(struct ctl *c, int argc, char **argv)
{
	char err[CTL_ERRLEN];
	struct ctl_replace r = { 0 };
	struct sender s = { 0 };
	struct pn_nl_err e;
	struct ctl_args a;
	const char *name;
	int ret = EXIT_OK;
	FILE *f = NULL;

	if (ctl_parse_args(argc, argv, W_DEV | W_FILE, &a, err, sizeof(err)) ||
	    ctl_require(&a, W_DEV, err, sizeof(err))) {
		ret = ctl_usage_err("peer replace: %s", err);
		goto out;
	}
	if (!a.file || !strcmp(a.file, "-")) {
		f = stdin;
		name = "<stdin>";
	} else {
		f = fopen(a.file, "r");
		name = a.file;
		if (!f) {
			ret = ctl_runtime_err("cannot open \"%s\": %s", a.file, strerror(errno));
			goto out;
		}
	}
	/* Read and check everything before touching the kernel. */
	switch (ctl_replace_parse(f, name, &r, err, sizeof(err))) {
	case 0:
		break;
	case -1:	/* the file is wrong */
		ret = ctl_usage_err("%s", err);
		goto out;
	default:	/* the system refused */
		ret = ctl_runtime_err("%s", err);
		goto out;
	}

	s.g = ctl_genl(c);
	s.r = &r;
	if (!s.g) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (simple(s.g, PODNET_CMD_REPLACE_BEGIN, a.dev, &e)) {
		ret = ctl_nl_err(&e);
		goto out;
	}
	s.failed_entry = r.n;
	ret = ctl_replace_build(&r, s.g->id, a.dev, PN_MSG_MAX, send_batch, &s);
	if (ret == 0 && simple(s.g, PODNET_CMD_REPLACE_COMMIT, a.dev, &s.e))
		ret = -1;
	if (ret) {
		/* Leave the live table as it was; closing the socket would too. */
		simple(s.g, PODNET_CMD_REPLACE_ABORT, a.dev, &e);
		if (ret == -EMSGSIZE)
			ret = ctl_runtime_err("a peer does not fit in a message");
		else if (ret == -ENOMEM)
			ret = ctl_runtime_err("%s", strerror(ENOMEM));
		else if (s.failed_entry < r.n)
			ret = nl_err_at(&s.e, name, r.v[s.failed_entry].line);
		else
			ret = ctl_nl_err(&s.e);
	}
out:
	if (f && f != stdin)
		fclose(f);
	ctl_replace_free(&r);
	ctl_args_free(&a);
	return ret;
}
