// SPDX-License-Identifier: GPL-2.0
/*
 * ctl/args.c: a line of a podnetctl batch or replace file, split with
 * ctl_split_line and then read by ctl_parse_args as every verb's words
 * ("dev remote prefix mac replace file"); the first input byte picks
 * which words are allowed, as each verb allows its own.
 */

#include "args.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CTL_ERRLEN], *line, **argv = NULL;
	unsigned int allowed;
	struct ctl_args a;
	size_t cap = 0;
	int argc, i;

	if (size < 1)
		return 0;
	allowed = data[0] & (W_DEV | W_REMOTE | W_PREFIX | W_MAC | W_REPLACE | W_FILE);
	line = fuzz_str(data + 1, size - 1);
	memset(err, 'x', sizeof(err));
	if (ctl_split_line(line, &argc, &argv, &cap, err, sizeof(err))) {
		fuzz_check_err(err, sizeof(err));
		goto out;
	}
	FUZZ_ASSERT(argc >= 0 && (argc == 0 || (size_t)argc < cap));
	for (i = 0; i < argc; i++)
		FUZZ_ASSERT(argv[i] >= line && argv[i] <= line + size - 1);
	if (argc)
		FUZZ_ASSERT(argv[argc] == NULL);
	memset(err, 'x', sizeof(err));
	if (ctl_parse_args(argc, argv, allowed, &a, err, sizeof(err))) {
		fuzz_check_err(err, sizeof(err));
	} else {
		FUZZ_ASSERT((a.seen & ~allowed) == 0);
		FUZZ_ASSERT(a.peer.n_prefixes == 0 || (a.seen & W_PREFIX));
		FUZZ_ASSERT(!a.peer.has_remote || (a.seen & W_REMOTE));
		FUZZ_ASSERT(!(a.seen & W_DEV) || (a.dev[0] && strlen(a.dev) < IFNAMSIZ));
		ctl_require(&a, allowed, err, sizeof(err));
	}
	ctl_args_free(&a);
out:
	free(argv);
	free(line);
	return 0;
}
