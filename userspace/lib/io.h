/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a whole stream (the CNI plugin's stdin, an IPAM plugin's output). */
#ifndef PN_IO_H
#define PN_IO_H

#include <stddef.h>

/*
 * Read @fd to its end into *buf (malloc'd, NUL-terminated), *len bytes.
 * -1 with errno: EFBIG if there are more than @max bytes, ENOMEM, or
 * read(2)'s error.
 */
int pn_read_all(int fd, size_t max, char **buf, size_t *len);

#endif
