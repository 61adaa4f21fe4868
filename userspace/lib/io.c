// SPDX-License-Identifier: GPL-2.0

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "io.h"

int pn_read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1), *p;
	ssize_t r;
	int err;

	while (buf) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0) {
			buf[n] = '\0';
			*out = buf;
			*len = n;
			return 0;
		}
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto fail;
		}
		if (n == cap) {
			cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	errno = ENOMEM;
	return -1;
fail:
	err = errno;
	free(buf);
	errno = err;
	return -1;
}
