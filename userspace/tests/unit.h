/* SPDX-License-Identifier: GPL-2.0 */
/* Each tests/NAME_test.c exports its cases; unit.c runs them as one group. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define TEST_SET(name) \
	extern const struct CMUnitTest name##_tests[]; \
	extern const size_t name##_count

TEST_SET(addr);
TEST_SET(args);
TEST_SET(msg);
TEST_SET(nl);
TEST_SET(print);
TEST_SET(replace);
TEST_SET(agent);
TEST_SET(http);
TEST_SET(file);

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Asserts that @s contains @sub, printing both when it does not. */
#define assert_contains(s, sub) do {					\
	const char *_s = (s), *_sub = (sub);				\
	if (!strstr(_s, _sub))						\
		fail_msg("\"%s\" does not contain \"%s\"", _s, _sub);	\
} while (0)

#endif
