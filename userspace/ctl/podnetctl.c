// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl: configure podnet devices' peer tables.
 *
 * main() only reads the global options; each verb lives in its own file
 * (show.c, peer.c, replace.c, monitor.c) and talks to the kernel through
 * lib/; verbs.c has the table of verbs, common.c the shared plumbing.
 */

#include <getopt.h>
#include <stdlib.h>

#include <linux/podnet.h>

#include "podnetctl.h"

#ifndef PODNET_VERSION
#define PODNET_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "stats",	no_argument,		NULL, 's' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .out = stdout };
	const char *batch = NULL;
	int opt, ret;

	/* '+': options end at the verb, as in ip(8). */
	while ((opt = getopt_long(argc, argv, "+jpsb:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 's':
			c.stats = true;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("podnetctl %s (podnet genl family \"%s\" version %d)\n",
			       PODNET_VERSION, PODNET_GENL_NAME, PODNET_GENL_VERSION);
			return EXIT_OK;
		case 'h':
			ctl_usage(stdout);
			return EXIT_OK;
		default:
			ctl_usage(stderr);
			return EXIT_USAGE;
		}
	}

	if (batch && optind < argc)
		ret = ctl_usage_err("-b takes no command on the command line");
	else if (batch)
		ret = ctl_batch(&c, batch);
	else
		ret = ctl_run(&c, argc - optind, argv + optind);

	if (c.genl_open)
		pn_genl_close(&c.genl);
	if (fflush(stdout) && ret == EXIT_OK)
		ret = EXIT_RUNTIME;
	return ret;
}
