// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of podnetctl, in one table that drives both dispatch and the
 * usage text (wg(8)'s idiom): a verb is its words, its arguments, one line
 * of help and its function, or a table of sub-verbs ("peer ...").
 */

#include <string.h>

#include "podnetctl.h"

struct ctl_verb {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const struct ctl_verb *sub;	/* NULL-terminated, or NULL */
};

static int cmd_help(struct ctl *c, int argc, char **argv);
static int cmd_peer_help(struct ctl *c, int argc, char **argv);

static const struct ctl_verb peer_verbs[] = {
	{ "add", "dev NAME remote ADDR prefix P [prefix P ...] [mac MAC] [replace]",
	  "add a peer or give it more prefixes (replace: take them from their owner)",
	  cmd_peer_add, NULL },
	{ "del", "dev NAME { remote ADDR [prefix P ...] | prefix P [prefix P ...] }",
	  "delete a peer, or prefixes (of that peer, if remote is given)",
	  cmd_peer_del, NULL },
	{ "show", "[dev NAME] [remote ADDR]",
	  "list peers; without -s the text is a valid replace file",
	  cmd_peer_show, NULL },
	{ "flush", "dev NAME", "delete every peer", cmd_peer_flush, NULL },
	{ "replace", "dev NAME [file FILE|-]",
	  "replace the whole table at once with the peers of FILE",
	  cmd_peer_replace, NULL },
	{ "help", "", "print this help", cmd_peer_help, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct ctl_verb verbs[] = {
	{ "show", "[dev NAME]", "devices, their tables and counters (the default)",
	  cmd_show, NULL },
	{ "peer", NULL, NULL, NULL, peer_verbs },
	{ "monitor", "", "print table changes as they happen", cmd_monitor, NULL },
	{ "help", "", "print this help", cmd_help, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void verb_lines(FILE *f, const char *prefix, const struct ctl_verb *v)
{
	for (; v->name; v++) {
		char words[256];

		if (v->sub) {
			snprintf(words, sizeof(words), "%s%s ", prefix, v->name);
			verb_lines(f, words, v->sub);
			continue;
		}
		fprintf(f, "  %s%s%s%s\n      %s\n", prefix, v->name, *v->args ? " " : "",
			v->args, v->help);
	}
}

void ctl_usage(FILE *f)
{
	fputs("Usage: podnetctl [OPTIONS] [COMMAND]\n"
	      "       podnetctl [OPTIONS] -b FILE\n"
	      "\n"
	      "Commands (none: show):\n", f);
	verb_lines(f, "", verbs);
	fputs("\n"
	      "Options:\n"
	      "  -j, --json        JSON output of show, peer show and monitor\n"
	      "  -p, --pretty      indent the JSON output\n"
	      "  -s, --stats       per-peer counters in peer show (show always has them)\n"
	      "  -b, --batch FILE  run the commands in FILE (- for stdin)\n"
	      "  -V, --version     print the version\n"
	      "  -h, --help        print this help\n"
	      "\n"
	      "Exit status: 0 success, 1 the kernel or the system refused, 2 usage error.\n"
	      "See podnetctl(8).\n", f);
}

static int cmd_help(struct ctl *c, int argc, char **argv)
{
	(void)c, (void)argc, (void)argv;
	ctl_usage(stdout);
	return EXIT_OK;
}

static int cmd_peer_help(struct ctl *c, int argc, char **argv)
{
	(void)c, (void)argc, (void)argv;
	fputs("Usage:\n", stdout);
	verb_lines(stdout, "peer ", peer_verbs);
	return EXIT_OK;
}

static int dispatch(struct ctl *c, const struct ctl_verb *v, const char *prefix,
		    int argc, char **argv)
{
	if (argc < 1) {
		fputs("Usage:\n", stderr);
		verb_lines(stderr, prefix, v);
		return EXIT_USAGE;
	}
	for (; v->name; v++) {
		char words[64];

		if (strcmp(argv[0], v->name))
			continue;
		if (!v->sub)
			return v->fn(c, argc - 1, argv + 1);
		snprintf(words, sizeof(words), "%s%s ", prefix, v->name);
		return dispatch(c, v->sub, words, argc - 1, argv + 1);
	}
	return ctl_usage_err("unknown command \"%s%s\"; try \"podnetctl %shelp\"",
			     prefix, argv[0], prefix);
}

int ctl_run(struct ctl *c, int argc, char **argv)
{
	/* No command: show the devices, as wg(8) does. */
	if (argc < 1)
		return cmd_show(c, 0, argv);
	return dispatch(c, verbs, "", argc, argv);
}
