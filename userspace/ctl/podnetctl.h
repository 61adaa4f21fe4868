/* SPDX-License-Identifier: GPL-2.0 */
/*
 * podnetctl: shared state and helpers of the verbs.
 *
 * Exit statuses follow ip(8): 0 success, 1 the kernel (or the system)
 * refused, 2 the command line was wrong.  Every error goes to stderr as
 * "Error: <sentence>.", with the kernel's extack message when it sent one.
 */
#ifndef CTL_PODNETCTL_H
#define CTL_PODNETCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "nl.h"
#include "podnet.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct ctl {
	bool json;		/* -j: JSON on stdout instead of text */
	bool pretty;		/* -p: indent the JSON */
	bool stats;		/* -s: counters in text output */
	FILE *out;		/* stdout; the unit tests swap in a memstream */
	bool genl_open;
	struct pn_genl genl;	/* opened on first use, reused by batches */
};

/* The socket, opened and resolved on first use; NULL after printing why. */
struct pn_genl *ctl_genl(struct ctl *c);

/* Print "Error: <fmt>." and return EXIT_USAGE / EXIT_RUNTIME. */
int ctl_usage_err(const char *fmt, ...) __printf(1, 2);
int ctl_runtime_err(const char *fmt, ...) __printf(1, 2);

/* Print a netlink failure as ip(8) does and return EXIT_RUNTIME. */
int ctl_nl_err(const struct pn_nl_err *e);

/* Print a kernel warning, if the ack carried one. */
void ctl_nl_warn(const struct pn_nl_err *e);

/* Write @j (and a newline) to c->out, compact or pretty; steals @j. */
int ctl_json_print(struct ctl *c, json_t *j);

/*
 * Run a dump request; if the kernel flags it inconsistent (the table
 * changed meanwhile), call @reset to forget what @cb collected and dump
 * again, a few times.  Returns an EXIT_* status, having printed any error.
 */
int ctl_dump(struct ctl *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     void (*reset)(void *data));

/* Messages collected from a dump. */
struct ctl_msgs {
	struct pn_msg *v;
	size_t n, cap;
};

/* Append a zeroed message; NULL when out of memory. */
struct pn_msg *ctl_msgs_push(struct ctl_msgs *ms);
void ctl_msgs_free(struct ctl_msgs *ms);
void ctl_msgs_reset(void *ms);

/* GET_DEVICE for @dev, or a dump of all devices if @dev is NULL. */
int ctl_get_devices(struct ctl *c, const char *dev, struct ctl_msgs *out);

/*
 * Send @peer with @cmd (NEW_PEER, DEL_PEER) as one request, applied all or
 * nothing; a peer larger than PN_REQ_MAX is refused.  0, or -1 with @e.
 */
int ctl_send_peer(struct pn_genl *g, uint8_t cmd, uint16_t flags, const char *dev,
		  const struct pn_peer *peer, struct pn_nl_err *e);

/*
 * GET_PEER dump callback: collects into a struct ctl_msgs, merging a
 * peer's continuation messages.
 */
int ctl_peer_dump_cb(const struct nlmsghdr *nlh, void *data);

/* Run one command line (argv[0] is the verb; none: show). */
int ctl_run(struct ctl *c, int argc, char **argv);

/* Run the commands in @file ("-" for stdin), stopping at the first error. */
int ctl_batch(struct ctl *c, const char *file);

/* The verbs (verbs.c dispatches to them and prints their usage). */
int cmd_show(struct ctl *c, int argc, char **argv);
int cmd_monitor(struct ctl *c, int argc, char **argv);
int cmd_peer_add(struct ctl *c, int argc, char **argv);
int cmd_peer_del(struct ctl *c, int argc, char **argv);
int cmd_peer_show(struct ctl *c, int argc, char **argv);
int cmd_peer_flush(struct ctl *c, int argc, char **argv);
int cmd_peer_replace(struct ctl *c, int argc, char **argv);

void ctl_usage(FILE *f);

#endif
