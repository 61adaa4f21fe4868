/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses in userspace/fuzz/ share.  Each fuzz_*.c
 * is one target: it hands the fuzzer's bytes to the real parser (linked
 * from the product's own sources, built with -fsanitize=fuzzer,address,
 * undefined) and checks what must hold of any result.  A broken
 * invariant is a crash (FUZZ_ASSERT aborts), like a sanitizer report.
 */
#ifndef PN_FUZZ_H
#define PN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do {							\
	if (!(c)) {								\
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,	\
			__LINE__, #c);						\
		abort();							\
	}									\
} while (0)

/* @data as a C string (stopping at the first NUL, as argv or a file line would). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The error buffer must be a NUL-terminated sentence once a parser failed. */
static inline void fuzz_check_err(const char *err, size_t len)
{
	FUZZ_ASSERT(memchr(err, '\0', len) != NULL);
	FUZZ_ASSERT(err[0] != '\0');
}

#endif
