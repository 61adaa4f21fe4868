// SPDX-License-Identifier: GPL-2.0
/* podnetd's log (one line per meaningful change, on stderr) and stop flag. */

#include <stdarg.h>
#include <stdio.h>

#include "agent.h"

volatile sig_atomic_t pd_stopping;

void pd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("podnetd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
