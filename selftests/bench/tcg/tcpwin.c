// SPDX-License-Identifier: GPL-2.0
/*
 * tcpwin.c: the TCP workload of the instruction-count benchmark
 * (selftests/bench/insn.sh): one TCP stream from one network namespace to
 * another, between two executions of the insncount plugin's marker
 * instruction (xchg %bx,%bx), in one process, as udpwin.c does for UDP:
 *
 *   tcpwin TX-NETNS SRC RX-NETNS DST PORT BYTES [WARMUP]
 *
 * The listening socket is opened in /run/netns/RX-NETNS on DST:PORT, the
 * sending one in /run/netns/TX-NETNS, bound to SRC and connected to it;
 * the connection is accepted.  First WARMUP bytes (default 1 MiB) go
 * through, outside the window (handshake done, window opened, caches
 * warm).  Then: marker; BYTES bytes written in non-blocking send(2)s of up
 * to 64 KiB, after each of them the receiving end read, non-blocking, of
 * all it holds; when neither can move, poll(2) on both (TCP's small queues
 * and delayed work can hold the sender); marker.  One CPU carries the
 * whole path in this task's system calls and their softirqs, for every
 * contender alike.
 * Prints "bytes B ns T polls P segs S acks A", T the window's length
 * (CLOCK_MONOTONIC, read just inside the markers), S the data segments
 * the sender sent and A the segments (ACKs) the receiver sent in the
 * window (TCP_INFO's tcpi_data_segs_out and tcpi_segs_out, read just
 * outside the markers): what tells one round's batching from another's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/tcp.h>	/* tcp_info in full: glibc's stops at tcpi_total_retrans */

#include "win.h"

#define CHUNK (64 * 1024)

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * Moves n bytes from tx to rx; returns how many were received (n unless
 * the stream stalled for 2 s) and counts the polls.
 */
static long long stream(int tx, int rx, char *buf, long long n, long *polls)
{
	long long sent = 0, got = 0;
	int quiet = 0;

	while (got < n) {
		int moved = 0;
		ssize_t r;

		if (sent < n) {
			size_t len = n - sent < CHUNK ? (size_t)(n - sent) : CHUNK;

			r = send(tx, buf, len, MSG_DONTWAIT);
			if (r > 0) {
				sent += r;
				moved = 1;
			} else if (r < 0 && errno != EAGAIN) {
				die("send");
			}
		}
		while ((r = recv(rx, buf, CHUNK, MSG_DONTWAIT)) > 0) {
			got += r;
			moved = 1;
		}
		if (r == 0 || (r < 0 && errno != EAGAIN))
			die("recv");
		if (!moved) {
			struct pollfd p[2] = {
				{ .fd = rx, .events = POLLIN },
				{ .fd = tx, .events = sent < n ? POLLOUT : 0 },
			};

			(*polls)++;
			if (poll(p, 2, 100) == 0 && ++quiet >= 20)
				break;
		} else {
			quiet = 0;
		}
	}
	return got;
}

static struct tcp_info info(int fd)
{
	struct tcp_info i;
	socklen_t len = sizeof(i);

	memset(&i, 0, sizeof(i));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &i, &len) < 0)
		die("TCP_INFO");
	return i;
}

int main(int argc, char **argv)
{
	struct tcp_info tx0, tx1, rx0, rx1;
	struct sockaddr_in src, dst;
	long long n, warm = 1 << 20, got, t0, t1;
	long polls = 0;
	int one = 1, ls, tx, rx;
	static char buf[CHUNK];

	if (argc < 7) {
		fprintf(stderr, "usage: tcpwin TX-NETNS SRC RX-NETNS DST PORT BYTES [WARMUP]\n");
		return 2;
	}
	src = addr(argv[2], 0);
	dst = addr(argv[4], atoi(argv[5]));
	n = atoll(argv[6]);
	if (argc > 7)
		warm = atoll(argv[7]);
	memset(buf, 0x5a, sizeof(buf));

	enter(argv[3]);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("listening socket");
	if (bind(ls, (struct sockaddr *)&dst, sizeof(dst)) < 0 || listen(ls, 1) < 0)
		die("bind/listen");
	enter(argv[1]);
	tx = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (tx < 0 || bind(tx, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("sending socket");
	if (connect(tx, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("connect");
	rx = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (rx < 0)
		die("accept");

	if (warm > 0 && stream(tx, rx, buf, warm, &polls) != warm) {
		fprintf(stderr, "tcpwin: the warm-up stalled\n");
		return 1;
	}
	polls = 0;
	tx0 = info(tx);
	rx0 = info(rx);
	marker();
	t0 = now_ns();
	got = stream(tx, rx, buf, n, &polls);
	t1 = now_ns();
	marker();
	tx1 = info(tx);
	rx1 = info(rx);
	printf("bytes %lld ns %lld polls %ld segs %u acks %u\n", got, t1 - t0, polls,
	       tx1.tcpi_data_segs_out - tx0.tcpi_data_segs_out,
	       rx1.tcpi_segs_out - rx0.tcpi_segs_out);
	close(tx);
	close(rx);
	close(ls);
	return got == n ? 0 : 1;
}
