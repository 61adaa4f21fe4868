// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing podnetctl's words and splitting batch/replace file lines.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "util.h"

static const struct {
	const char *word;
	unsigned int bit;
} words[] = {
	{ "dev",	W_DEV },
	{ "remote",	W_REMOTE },
	{ "prefix",	W_PREFIX },
	{ "mac",	W_MAC },
	{ "replace",	W_REPLACE },
	{ "file",	W_FILE },
};

/* "dev, remote or prefix": the words a verb accepts, for error messages. */
static void allowed_list(unsigned int allowed, char *buf, size_t len)
{
	unsigned int i, n = 0, total = 0;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(words); i++)
		total += !!(allowed & words[i].bit);
	for (i = 0; i < ARRAY_SIZE(words) && off < len; i++) {
		if (!(allowed & words[i].bit))
			continue;
		n++;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					n == 1 ? "" : n == total ? " or " : ", ",
					words[i].word);
	}
}

static int valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return 0;
	return 1;
}

int ctl_parse_args(int argc, char **argv, unsigned int allowed,
		   struct ctl_args *a, char *err, size_t errlen)
{
	char perr[PN_ERRLEN], list[64];
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *v;
		unsigned int bit = 0, k;

		for (k = 0; k < ARRAY_SIZE(words); k++)
			if (!strcmp(w, words[k].word))
				bit = words[k].bit;
		if (!(bit & allowed)) {
			allowed_list(allowed, list, sizeof(list));
			if (allowed)
				return pn_errf(err, errlen, "unexpected \"%s\": expected %s", w, list);
			return pn_errf(err, errlen, "unexpected \"%s\": this command takes no arguments", w);
		}
		if ((a->seen & bit) && bit != W_PREFIX)
			return pn_errf(err, errlen, "\"%s\" given twice", w);
		a->seen |= bit;
		if (bit == W_REPLACE)
			continue;

		if (i + 1 >= argc)
			return pn_errf(err, errlen, "\"%s\" needs a value", w);
		v = argv[++i];

		switch (bit) {
		case W_DEV:
			if (!valid_ifname(v))
				return pn_errf(err, errlen, "invalid device name \"%s\"", v);
			snprintf(a->dev, sizeof(a->dev), "%s", v);
			break;
		case W_REMOTE:
			if (pn_parse_remote(v, &a->peer.remote, perr, sizeof(perr)))
				return pn_errf(err, errlen, "%s", perr);
			a->peer.has_remote = true;
			break;
		case W_PREFIX: {
			struct pn_prefix p;

			if (pn_parse_prefix(v, &p, perr, sizeof(perr)))
				return pn_errf(err, errlen, "%s", perr);
			if (pn_peer_add_prefix(&a->peer, &p))
				return pn_errf(err, errlen, "%s", strerror(errno));
			break;
		}
		case W_MAC:
			if (pn_parse_mac(v, a->peer.mac, perr, sizeof(perr)))
				return pn_errf(err, errlen, "%s", perr);
			a->peer.has_mac = true;
			break;
		case W_FILE:
			a->file = v;
			break;
		}
	}

	if (a->peer.n_prefixes > 1) {
		long dup = pn_peer_find_dup(&a->peer);
		char buf[PN_PREFIX_STRLEN];

		if (dup >= 0)
			return pn_errf(err, errlen, "prefix %s given twice",
			     pn_prefix_str(&a->peer.prefixes[dup], buf, sizeof(buf)));
	}
	return 0;
}

void ctl_args_free(struct ctl_args *a)
{
	pn_peer_free(&a->peer);
}

int ctl_require(const struct ctl_args *a, unsigned int required,
		char *err, size_t errlen)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(words); k++)
		if ((required & words[k].bit) && !(a->seen & words[k].bit))
			return pn_errf(err, errlen, "missing \"%s\"", words[k].word);
	return 0;
}

static int push(int *argc, char ***argv, size_t *cap, char *w)
{
	if ((size_t)*argc + 1 >= *cap) {
		size_t n = *cap ? *cap * 2 : 32;
		char **nv = realloc(*argv, n * sizeof(*nv));

		if (!nv)
			return -1;
		*argv = nv;
		*cap = n;
	}
	(*argv)[(*argc)++] = w;
	(*argv)[*argc] = NULL;
	return 0;
}

int ctl_split_line(char *line, int *argc, char ***argv, size_t *cap,
		   char *err, size_t errlen)
{
	char *r = line, *w;

	*argc = 0;
	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			break;

		/* Copy the word down over itself, dropping the quotes. */
		w = r;
		{
			char *o = r;
			bool quoted = false;

			while (*r && (quoted || (*r != ' ' && *r != '\t' &&
						 *r != '\n' && *r != '\r'))) {
				if (*r == '"')
					quoted = !quoted;
				else
					*o++ = *r;
				r++;
			}
			if (quoted)
				return pn_errf(err, errlen, "unterminated quote");
			if (*r)
				r++;
			*o = '\0';
		}
		if (push(argc, argv, cap, w))
			return pn_errf(err, errlen, "%s", strerror(ENOMEM));
	}
	return 0;
}
