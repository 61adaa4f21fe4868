/* SPDX-License-Identifier: GPL-2.0 */
/*
 * win.h: what udpwin.c and tcpwin.c share: the insncount plugin's marker
 * instruction, entering a named network namespace, parsing an address.
 * Needs _GNU_SOURCE (setns, program_invocation_short_name).
 */
#ifndef PODNET_BENCH_WIN_H
#define PODNET_BENCH_WIN_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The instruction the insncount plugin counts windows between. */
static inline void marker(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

static inline void enter(const char *ns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		die(path);
	close(fd);
}

static inline struct sockaddr_in addr(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address %s\n", program_invocation_short_name, ip);
		exit(2);
	}
	return a;
}

#endif
