/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by lib/ and its users. */
#ifndef PN_UTIL_H
#define PN_UTIL_H

#include <stdarg.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

/* Write a sentence into @err and return -1: `return pn_errf(err, len, ...)`. */
static inline __printf(3, 4) int pn_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

#endif
