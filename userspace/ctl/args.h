/* SPDX-License-Identifier: GPL-2.0 */
/*
 * podnetctl's words: one parser for every verb's "dev NAME remote ADDR
 * prefix P ..." arguments, and the line splitter shared by batch files and
 * replace files.  Pure functions, so the unit tests can drive them.
 */
#ifndef CTL_ARGS_H
#define CTL_ARGS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "peer.h"

enum {
	W_DEV		= 1 << 0,
	W_REMOTE	= 1 << 1,
	W_PREFIX	= 1 << 2,
	W_MAC		= 1 << 3,
	W_REPLACE	= 1 << 4,
	W_FILE		= 1 << 5,
};

struct ctl_args {
	unsigned int seen;		/* W_* given */
	char dev[IFNAMSIZ];
	struct pn_peer peer;		/* remote, mac, prefixes */
	const char *file;
};

#define CTL_ERRLEN	256

/*
 * Parse @argv into @a, accepting only the @allowed words, in any order.
 * Each word but "replace" takes one value; "prefix" may repeat.  Returns
 * 0, or -1 with a sentence in @err.  Free @a with ctl_args_free().
 */
int ctl_parse_args(int argc, char **argv, unsigned int allowed,
		   struct ctl_args *a, char *err, size_t errlen);
void ctl_args_free(struct ctl_args *a);

/* Fail with 'missing "WORD"' unless every word in @required was given. */
int ctl_require(const struct ctl_args *a, unsigned int required,
		char *err, size_t errlen);

/*
 * Split @line in place into words: blanks separate, "double quotes" group,
 * '#' at the start of a word comments out the rest.  *argv grows as needed
 * (free it when done); *argc may be 0 for a blank or comment line.
 */
int ctl_split_line(char *line, int *argc, char ***argv, size_t *cap,
		   char *err, size_t errlen);

#endif
