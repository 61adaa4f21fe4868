// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink on libmnl: family resolution, requests with extended
 * acks, dumps and multicast events.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl.h"

void pn_nl_err_set(struct pn_nl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->err = err;
	e->miss_type = -1;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
}

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct pn_nl_err *e = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(e->msg, sizeof(e->msg), "%s", mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			e->offs = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			e->miss_type = (int)mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		e->miss_nested = true;
		break;
	}
	return MNL_CB_OK;
}

int pn_nl_parse_ack(const struct nlmsghdr *nlh, struct pn_nl_err *e)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh);
	unsigned int tlv_off;
	int error;

	pn_nl_err_set(e, 0, NULL);
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ne = mnl_nlmsg_get_payload(nlh);

		if (payload < sizeof(*ne)) {
			pn_nl_err_set(e, EBADMSG, "truncated netlink ack");
			return -EBADMSG;
		}
		error = ne->error;
		tlv_off = sizeof(*ne);
		/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlv_off += ne->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		/* NLMSG_DONE: an int error, then the TLVs (kernel >= 4.20). */
		if (payload < sizeof(int))
			return 0;
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
		tlv_off = sizeof(int);
	}

	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlv_off <= payload)
		mnl_attr_parse(nlh, tlv_off, ack_attr_cb, e);
	if (error > 0)		/* never from the kernel; keep the sign sane */
		error = -error;
	e->err = -error;
	return error;
}

/*
 * Receive one datagram into g->rxbuf, first growing it to the size of the
 * next message if that is larger (MSG_PEEK | MSG_TRUNC gives the length
 * without consuming it), so that a large notification is not truncated.
 */
static ssize_t recv_grow(struct pn_genl *g)
{
	int fd = mnl_socket_get_fd(g->nl);
	ssize_t n;
	char *p;

	n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return -1;
	if ((size_t)n > g->rxlen) {
		p = realloc(g->rxbuf, (size_t)n);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		g->rxbuf = p;
		g->rxlen = (size_t)n;
	}
	return mnl_socket_recvfrom(g->nl, g->rxbuf, g->rxlen);
}

int pn_genl_reserve_send(struct pn_genl *g, size_t len, struct pn_nl_err *e)
{
	int fd = mnl_socket_get_fd(g->nl), cur = 0, want;
	socklen_t sl = sizeof(cur);

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) == 0 && cur >= 32 &&
	    (size_t)cur - 32 >= len)
		return 0;
	if (len > INT_MAX / 4) {
		pn_nl_err_set(e, EMSGSIZE, "a request of %zu bytes is too large", len);
		return -1;
	}
	/* The kernel doubles the value (for its bookkeeping), so this is ample. */
	want = (int)len + 64;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	sl = sizeof(cur);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) < 0 || cur < 32 ||
	    (size_t)cur - 32 < len) {
		pn_nl_err_set(e, EMSGSIZE,
			      "a request of %zu bytes does not fit in the netlink socket's send buffer (%d bytes; raise net.core.wmem_max)",
			      len, cur);
		return -1;
	}
	return 0;
}

struct nlmsghdr *pn_genl_msg_start(void *buf, uint16_t family_id, uint8_t cmd,
				   uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

int pn_genl_request(struct pn_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, struct pn_nl_err *e)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool intr = false;
	int cb_err = 0;
	uint32_t seq;

	pn_nl_err_set(e, 0, NULL);
	/* A doit must end with an ack, or we could not tell when it is done. */
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (++g->seq == 0)
		g->seq = 1;
	seq = nlh->nlmsg_seq = g->seq;

	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0) {
		pn_nl_err_set(e, errno, "cannot send to the kernel: %s", strerror(errno));
		return -1;
	}

	for (;;) {
		ssize_t n = recv_grow(g);
		const struct nlmsghdr *m;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			pn_nl_err_set(e, errno, "cannot receive from the kernel: %s",
				      strerror(errno));
			return -1;
		}
		len = (int)n;
		for (m = (struct nlmsghdr *)g->rxbuf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			/* Replies to an earlier, abandoned request. */
			if (m->nlmsg_seq != seq || m->nlmsg_pid != g->portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;

			if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
				if (pn_nl_parse_ack(m, e) < 0)
					return -1;
				if (cb_err) {
					pn_nl_err_set(e, cb_err, "cannot parse the kernel's reply: %s",
						      strerror(cb_err));
					return -1;
				}
				if (intr) {
					pn_nl_err_set(e, EINTR,
						      "dump was interrupted and may be inconsistent");
					return -1;
				}
				return 0;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE || !cb || cb_err)
				continue;
			errno = 0;
			switch (cb(m, data)) {
			case MNL_CB_ERROR:
				cb_err = errno ? errno : EPROTO;
				break;
			case MNL_CB_STOP:
				cb = NULL;	/* keep draining, quietly */
				break;
			}
		}
	}
}

int pn_genl_send_batch(struct pn_genl *g, void *buf, size_t len, size_t n,
		       size_t *failed, struct pn_nl_err *e)
{
	struct nlmsghdr *nlh = buf;
	uint32_t first, last = 0;
	bool have_err = false;
	size_t i;
	int left = (int)len;

	pn_nl_err_set(e, 0, NULL);
	*failed = n;
	if (!n)
		return 0;
	first = g->seq + 1;
	if (first == 0)
		first = 1;
	for (i = 0; i < n; i++, nlh = mnl_nlmsg_next(nlh, &left)) {
		if (!mnl_nlmsg_ok(nlh, left)) {
			pn_nl_err_set(e, EINVAL, "malformed request batch");
			return -1;
		}
		last = nlh->nlmsg_seq = first + (uint32_t)i;
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
		if (i == n - 1)
			nlh->nlmsg_flags |= NLM_F_ACK;
	}
	g->seq = last;

	if (mnl_socket_sendto(g->nl, buf, len) < 0) {
		pn_nl_err_set(e, errno, "cannot send to the kernel: %s", strerror(errno));
		return -1;
	}

	for (;;) {
		ssize_t r = recv_grow(g);
		const struct nlmsghdr *m;
		struct pn_nl_err me;
		int mlen;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* Error acks overflowed the queue: the first one is kept. */
			if (!have_err)
				pn_nl_err_set(e, errno, "cannot receive from the kernel: %s",
					      strerror(errno));
			return -1;
		}
		mlen = (int)r;
		for (m = (struct nlmsghdr *)g->rxbuf; mnl_nlmsg_ok(m, mlen);
		     m = mnl_nlmsg_next(m, &mlen)) {
			uint32_t idx = m->nlmsg_seq - first;

			if (m->nlmsg_pid != g->portid || idx >= n || m->nlmsg_type != NLMSG_ERROR)
				continue;
			if (pn_nl_parse_ack(m, &me) < 0 && !have_err) {
				*e = me;
				*failed = idx;
				have_err = true;
			} else if (!have_err && me.msg[0]) {
				*e = me;	/* a warning; kept unless an error comes */
			}
			if (m->nlmsg_seq == last)
				return have_err ? -1 : 0;
		}
	}
}

struct family_info {
	struct pn_genl *g;
	bool found;
};

static int group_cb(const struct nlattr *grp, struct pn_genl *g)
{
	const struct nlattr *a;
	struct pn_genl_group out = { .id = 0 };
	bool has_name = false;

	mnl_attr_for_each_nested(a, grp) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			snprintf(out.name, sizeof(out.name), "%s", mnl_attr_get_str(a));
			has_name = true;
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			out.id = mnl_attr_get_u32(a);
			break;
		}
	}
	if (has_name && out.id && g->n_groups < PN_GENL_MAX_GROUPS)
		g->groups[g->n_groups++] = out;
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	struct pn_genl *g = fi->g;
	const struct nlattr *a, *grp;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return MNL_CB_ERROR;
			g->id = mnl_attr_get_u16(a);
			fi->found = true;
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			g->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, a)
				if (group_cb(grp, g) < 0)
					return MNL_CB_ERROR;
			break;
		}
	}
	return MNL_CB_OK;
}

int pn_genl_open(struct pn_genl *g, const char *family, struct pn_nl_err *e)
{
	char buf[512];
	struct family_info fi = { .g = g };
	struct nlmsghdr *nlh;
	int one = 1;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", family);
	g->rxbuf = malloc(PN_NL_RXBUF);
	g->rxlen = PN_NL_RXBUF;
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->rxbuf || !g->nl) {
		pn_nl_err_set(e, errno, "cannot open a generic netlink socket: %s",
			      strerror(errno));
		goto err;
	}
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		pn_nl_err_set(e, errno, "cannot bind the netlink socket: %s", strerror(errno));
		goto err;
	}
	g->portid = mnl_socket_get_portid(g->nl);
	/*
	 * Extended acks carry the kernel's error message; capped acks keep a
	 * large request from being echoed back in its error.  Both exist since
	 * 4.12, older kernels simply give plain errnos.
	 */
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));

	memset(buf, 0, sizeof(buf));
	nlh = pn_genl_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	if (pn_genl_request(g, nlh, family_cb, &fi, e) < 0) {
		if (e->err == ENOENT)
			pn_nl_err_set(e, ENOENT,
				      "generic netlink family \"%s\" not found (is the %s module loaded?)",
				      family, family);
		goto err;
	}
	if (!fi.found) {
		pn_nl_err_set(e, EPROTO, "the kernel did not report family \"%s\"", family);
		goto err;
	}
	return 0;
err:
	pn_genl_close(g);
	return -1;
}

void pn_genl_close(struct pn_genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	free(g->rxbuf);
	g->nl = NULL;
	g->rxbuf = NULL;
}

int pn_genl_join(struct pn_genl *g, const char *group, struct pn_nl_err *e)
{
	unsigned int i;

	for (i = 0; i < g->n_groups; i++) {
		if (strcmp(g->groups[i].name, group))
			continue;
		if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &g->groups[i].id,
					  sizeof(g->groups[i].id)) < 0) {
			pn_nl_err_set(e, errno, "cannot join multicast group \"%s\": %s",
				      group, strerror(errno));
			return -1;
		}
		return 0;
	}
	pn_nl_err_set(e, ENOENT, "family \"%s\" has no multicast group \"%s\"",
		      g->name, group);
	return -1;
}

int pn_genl_listen(struct pn_genl *g, mnl_cb_t cb, void (*lost)(void *data),
		   void *data, struct pn_nl_err *e)
{
	int fd = mnl_socket_get_fd(g->nl), bufsz = 4 << 20;

	pn_nl_err_set(e, 0, NULL);
	/*
	 * Best effort: a table swap can announce many changes at once, and the
	 * notification of a large peer request is as large as the request.
	 * Beyond net.core.rmem_max only with CAP_NET_ADMIN.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));

	for (;;) {
		ssize_t n = recv_grow(g);
		const struct nlmsghdr *m;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				if (lost)
					lost(data);
				continue;
			}
			pn_nl_err_set(e, errno, "cannot receive from the kernel: %s",
				      strerror(errno));
			return -1;
		}
		len = (int)n;
		for (m = (struct nlmsghdr *)g->rxbuf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type != g->id)
				continue;
			errno = 0;
			switch (cb(m, data)) {
			case MNL_CB_STOP:
				return 0;
			case MNL_CB_ERROR:
				pn_nl_err_set(e, errno ? errno : EPROTO,
					      "cannot parse an event: %s",
					      strerror(errno ? errno : EPROTO));
				return -1;
			}
		}
	}
}

void pn_nl_err_format(const struct pn_nl_err *e, char *buf, size_t len,
		      const char *(*attr_name)(int type))
{
	const char *kind = e->err ? "Error" : "Warning";
	size_t n;

	if (e->msg[0])
		snprintf(buf, len, "%s: %s", kind, e->msg);
	else if (e->miss_type >= 0 && !e->miss_nested && attr_name &&
		 attr_name(e->miss_type))
		snprintf(buf, len, "%s: missing attribute %s", kind,
			 attr_name(e->miss_type));
	else if (e->miss_type >= 0)
		snprintf(buf, len, "%s: missing attribute %d", kind, e->miss_type);
	else
		snprintf(buf, len, "%s: %s", kind, strerror(e->err));

	/* ip(8) ends every message with a full stop; so do we. */
	n = strlen(buf);
	if (n && buf[n - 1] != '.' && n + 1 < len) {
		buf[n] = '.';
		buf[n + 1] = '\0';
	}
}
