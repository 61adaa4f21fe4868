// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace unit tests: every set in one cmocka group, so that the
 * run ends with one summary that CI reads.
 */

#include <stdlib.h>
#include <string.h>

#include "unit.h"

int main(void)
{
	static const struct {
		const struct CMUnitTest *t;
		const size_t *n;
	} sets[] = {
		{ addr_tests, &addr_count },
		{ args_tests, &args_count },
		{ msg_tests, &msg_count },
		{ nl_tests, &nl_count },
		{ print_tests, &print_count },
		{ replace_tests, &replace_count },
		{ agent_tests, &agent_count },
		{ http_tests, &http_count },
		{ file_tests, &file_count },
	};
	struct CMUnitTest *all;
	size_t i, n = 0;
	int ret;

	for (i = 0; i < COUNT(sets); i++)
		n += *sets[i].n;
	all = calloc(n, sizeof(*all));
	if (!all)
		return 1;
	n = 0;
	for (i = 0; i < COUNT(sets); i++) {
		memcpy(all + n, sets[i].t, *sets[i].n * sizeof(*all));
		n += *sets[i].n;
	}
	ret = _cmocka_run_group_tests("podnet-userspace", all, n, NULL, NULL);
	free(all);
	return ret;
}
