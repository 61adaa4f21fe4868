/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink layer on libmnl: family resolution, requests
 * with extended acks, dumps and multicast events.
 *
 * All state lives in a struct pn_genl owned by the caller; there are no
 * globals, so a program may hold several sockets (one per netns, say).
 * Functions return 0 or -1; on -1 they fill a struct pn_nl_err instead of
 * printing, and pn_nl_err_format() turns it into ip(8)'s wording.
 */
#ifndef PN_NL_H
#define PN_NL_H

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/*
 * Dumps: the kernel sizes dump skbs after the largest receive buffer it
 * has seen, up to 32 KiB, so receive into that much.  Larger messages (a
 * notification of a large request) grow the buffer as they come.
 */
#define PN_NL_RXBUF	32768

struct pn_nl_err {
	int err;		/* positive errno; 0 with a message = warning */
	char msg[256];		/* the kernel's extack message, or ours */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS: bad attribute's offset */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	bool miss_nested;	/* ...missing inside a nest (MISS_NEST given) */
};

#define PN_GENL_MAX_GROUPS	8

struct pn_genl_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct pn_genl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t id;		/* resolved family id */
	uint32_t version;	/* family version the kernel reports */
	char name[GENL_NAMSIZ];
	unsigned int n_groups;
	struct pn_genl_group groups[PN_GENL_MAX_GROUPS];
	char *rxbuf;		/* rxlen bytes, at least PN_NL_RXBUF */
	size_t rxlen;
};

/* Open a socket with extended acks and resolve @family on it. */
int pn_genl_open(struct pn_genl *g, const char *family, struct pn_nl_err *e);
void pn_genl_close(struct pn_genl *g);

/*
 * Start a request for @cmd in @buf (zeroed first, at least a page): the
 * netlink header gets NLM_F_REQUEST | @flags, then the genl header.
 * Pure: the unit tests use it to lay out messages without a socket.
 */
struct nlmsghdr *pn_genl_msg_start(void *buf, uint16_t family_id, uint8_t cmd,
				   uint8_t version, uint16_t flags);

/*
 * Send @nlh and read replies until the ack (NLM_F_ACK) or NLMSG_DONE
 * (NLM_F_DUMP), passing each data message to @cb.  If @cb fails, the
 * remaining replies are drained so the socket stays usable.  An
 * interrupted dump (NLM_F_DUMP_INTR) is reported as EINTR after it ends.
 */
int pn_genl_request(struct pn_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, struct pn_nl_err *e);

/*
 * Make sure one request of @len bytes can be sent: netlink refuses a
 * message longer than the socket's send buffer (SO_SNDBUF, less 32 bytes).
 * Grows the buffer with SO_SNDBUFFORCE (CAP_NET_ADMIN), else SO_SNDBUF (up
 * to net.core.wmem_max); -1 with @e naming the buffer if still too small.
 */
int pn_genl_reserve_send(struct pn_genl *g, size_t len, struct pn_nl_err *e);

/*
 * Pipelined doit requests: @len bytes of @buf hold @n messages back to
 * back.  They get consecutive sequence numbers and go out in one
 * sendmsg(); the kernel runs them in order before it returns.  Only the
 * last asks for an ack: earlier ones are answered only if they fail, so
 * thousands of small requests cost one round trip and no ack traffic.
 * Returns 0, or -1 with @e describing the first failure and *failed set
 * to its index (n if the failure was not tied to one message).  The
 * kernel carries on after a failed message, so callers must be able to
 * undo (the replace protocol aborts).
 */
int pn_genl_send_batch(struct pn_genl *g, void *buf, size_t len, size_t n,
		       size_t *failed, struct pn_nl_err *e);

/* Join the multicast group @group of the resolved family. */
int pn_genl_join(struct pn_genl *g, const char *group, struct pn_nl_err *e);

/*
 * Wait for multicast messages and pass each one to @cb until it returns
 * MNL_CB_STOP or MNL_CB_ERROR.  A receive queue overrun (ENOBUFS) is
 * handed to @lost, if given, and listening goes on.
 */
int pn_genl_listen(struct pn_genl *g, mnl_cb_t cb, void (*lost)(void *data),
		   void *data, struct pn_nl_err *e);

/*
 * Parse an NLMSG_ERROR or NLMSG_DONE message into @e, extack included.
 * Returns the (negative) error carried, 0 for a plain ack.
 */
int pn_nl_parse_ack(const struct nlmsghdr *nlh, struct pn_nl_err *e);

/*
 * "Error: <msg>." as ip(8) prints it ("Warning: ..." for warnings), falling
 * back to strerror(); a missing top-level attribute without a message is
 * named through @attr_name when given.
 */
void pn_nl_err_format(const struct pn_nl_err *e, char *buf, size_t len,
		      const char *(*attr_name)(int type));

void pn_nl_err_set(struct pn_nl_err *e, int err, const char *fmt, ...)
	__printf(3, 4);

#endif
