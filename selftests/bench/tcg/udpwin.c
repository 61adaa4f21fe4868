// SPDX-License-Identifier: GPL-2.0
/*
 * udpwin.c: the workload of the instruction-count benchmark
 * (selftests/bench/insn.sh): N UDP datagrams from one network namespace
 * to another, between two executions of the insncount plugin's marker
 * instruction (xchg %bx,%bx), in one process, so that the counted window
 * holds only the datapath and the two sockets' system calls:
 *
 *   udpwin TX-NETNS SRC RX-NETNS DST PORT N SIZE [WARMUP [tx]]
 *
 * The receiving socket is opened in /run/netns/RX-NETNS, bound to DST:PORT,
 * with a 64 MiB receive buffer (SO_RCVBUFFORCE), so that the socket drops
 * nothing; the sending one in /run/netns/TX-NETNS, bound to SRC, connected
 * to DST:PORT.  First WARMUP (default 200) datagrams are sent and drained,
 * outside the window (neighbours resolved, caches warm).  Then: marker; N
 * send(2)s of SIZE payload bytes, after every 64 of them recv(2) with
 * MSG_DONTWAIT of what has arrived; then the rest until all N are in, or,
 * when the queue is empty with some missing, poll(2) for them, up to 1 s
 * of silence; marker.  The receiver never sleeps on the socket while the
 * datagrams arrive, so no wake-up of a second task is in the window: with
 * one CPU the whole path runs in the sender's softirq, packet by packet,
 * the same way for every contender; and the receive queue stays short, its
 * memory recycled, as with a receiver that keeps up.
 * With "tx" the datagrams are not expected to arrive (the bench drops them
 * on the way, to count the sending side alone): after the sends, three
 * sched_yield(2)s let deferred softirq work (ksoftirqd) finish, and
 * nothing is waited for; "received" counts what was queued anyway (0 when
 * the drop works).  The warm-up is dropped too: it still warms the sending
 * side.
 * Prints "sent S received R waits W warmup R0 ns T", T the window's
 * length (CLOCK_MONOTONIC, read just inside the markers).
 *
 *   udpwin spin MS
 *
 * is the background's measure: marker; MS milliseconds of a user-mode loop
 * (reading the clock every 2^20 turns); marker; prints "spin ns T".  What the
 * kernel executes in that window is what runs beside a busy task anyway
 * (timer ticks, RCU, workqueues), per second of guest time.
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

#include "win.h"

#define MAGIC 0x706f646eu	/* "podn" */

/* Reads what is queued on rx now; returns how many datagrams were ours. */
static long take(int rx, char *buf, int size)
{
	long got = 0;
	ssize_t r;

	while ((r = recv(rx, buf, size + 64, MSG_DONTWAIT)) >= 0) {
		uint32_t h;

		memcpy(&h, buf, sizeof(h));
		if (r >= 8 && h == MAGIC)
			got++;
	}
	return got;
}

/*
 * Sends n datagrams numbered from first, and after every BATCH of them
 * reads what has arrived on rx (rx < 0: nothing), so that the receive
 * queue stays short and its memory is recycled, as with a receiver that
 * keeps up.  Returns how many send(2) took; *got counts what was read.
 */
#define BATCH 64
static long blast(int tx, int rx, char *buf, int size, long first, long n, long *got)
{
	long sent = 0;

	for (long i = 0; i < n; i++) {
		uint32_t h[2] = { MAGIC, (uint32_t)(first + i) };

		memcpy(buf, h, sizeof(h));
		if (send(tx, buf, size, 0) == size)
			sent++;
		if (rx >= 0 && (i + 1) % BATCH == 0)
			*got += take(rx, buf, size);
	}
	return sent;
}

/* Receives until want datagrams are in or 1 s passed without one. */
static long drain(int rx, char *buf, int size, long want, long *waits)
{
	long got = 0;
	int quiet = 0;

	while (got < want) {
		ssize_t r = recv(rx, buf, size + 64, MSG_DONTWAIT);

		if (r >= 8) {
			uint32_t h;

			memcpy(&h, buf, sizeof(h));
			if (h == MAGIC)
				got++;
			quiet = 0;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			die("recv");
		if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = rx, .events = POLLIN };

			(*waits)++;
			if (poll(&p, 1, 100) == 0 && ++quiet >= 10)
				break;
		}
	}
	return got;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int spin(long ms)
{
	long long t0, t1;

	volatile unsigned long spins = 0;

	marker();
	t0 = now_ns();
	/* The clock only every 2^20 turns: without a vDSO clock (TSC not
	 * trusted under TCG) each read is a system call. */
	do {
		for (unsigned long i = 0; i < (1UL << 20); i++)
			spins++;
		t1 = now_ns();
	} while (t1 - t0 < ms * 1000000LL);
	marker();
	printf("spin ns %lld\n", t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	int rcvbuf = 64 << 20, one = 1, rx, tx, port, size;
	long n, warm = 200, sent, got, got0, waits = 0, w0 = 0;
	struct sockaddr_in src, dst;
	long long t0, t1;
	int txonly = 0;
	char *buf;

	if (argc == 3 && !strcmp(argv[1], "spin"))
		return spin(atol(argv[2]));
	if (argc == 10 && !strcmp(argv[9], "tx")) {
		txonly = 1;
		argc--;
	}
	if (argc < 8 || argc > 9) {
		fprintf(stderr, "usage: udpwin TX-NETNS SRC RX-NETNS DST PORT N SIZE [WARMUP [tx]]\n"
			"       udpwin spin MS\n");
		return 2;
	}
	port = atoi(argv[5]);
	n = atol(argv[6]);
	size = atoi(argv[7]);
	if (argc == 9)
		warm = atol(argv[8]);
	if (size < 8 || size > 65000 || n < 0 || warm < 0) {
		fprintf(stderr, "udpwin: SIZE must be 8..65000, N and WARMUP >= 0\n");
		return 2;
	}
	src = addr(argv[2], 0);
	dst = addr(argv[4], port);
	buf = calloc(1, size + 64);
	if (!buf)
		die("calloc");

	enter(argv[3]);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx < 0)
		die("socket");
	if (setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(rx, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("bind (receiver)");

	enter(argv[1]);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tx < 0)
		die("socket");
	if (bind(tx, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind (sender)");
	if (connect(tx, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("connect");

	got0 = 0;
	blast(tx, rx, buf, size, 0, warm, &got0);
	if (!txonly)
		got0 += drain(rx, buf, size, warm - got0, &w0);

	got = 0;
	marker();
	t0 = now_ns();
	sent = blast(tx, rx, buf, size, warm, n, &got);
	if (txonly) {
		for (int i = 0; i < 3; i++)
			sched_yield();
		got += take(rx, buf, size);
	} else {
		got += drain(rx, buf, size, n - got, &waits);
	}
	t1 = now_ns();
	marker();

	printf("sent %ld received %ld waits %ld warmup %ld ns %lld\n", sent, got, waits, got0,
	       t1 - t0);
	return got > 0 || n == 0 || txonly ? 0 : 1;
}
