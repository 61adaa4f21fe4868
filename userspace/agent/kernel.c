// SPDX-License-Identifier: GPL-2.0
/*
 * podnetd's requests to the podnet family: the atomic replace of the
 * whole table, one peer's NEW_PEER or DEL_PEER, and the per-peer counters
 * /metrics reports.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "podnet.h"

int pd_kernel_open(struct pd_kernel *k, const char *device)
{
	struct pn_nl_err e;

	memset(k, 0, sizeof(*k));
	k->device = device;
	if (pn_genl_open(&k->g, PODNET_GENL_NAME, &e) < 0) {
		pn_nl_err_format(&e, k->err, sizeof(k->err), pn_attr_name);
		return -1;
	}
	return 0;
}

void pd_kernel_close(struct pd_kernel *k)
{
	pn_genl_close(&k->g);
}

static int fail(struct pd_kernel *k, const char *what, const struct pn_nl_err *e)
{
	char buf[320];

	pn_nl_err_format(e, buf, sizeof(buf), pn_attr_name);
	snprintf(k->err, sizeof(k->err), "%s on %s: %s", what, k->device, buf);
	return -1;
}

static int simple(struct pd_kernel *k, uint8_t cmd, struct pn_nl_err *e)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = pn_msg_start(buf, k->g.id, cmd, 0);

	pn_put_dev(nlh, 0, k->device);
	return pn_genl_request(&k->g, nlh, NULL, NULL, e);
}

struct batch {
	struct pd_kernel *k;
	struct pn_nl_err e;
};

static int send_batch(void *buf, size_t len, size_t n, const size_t *entry, void *data)
{
	struct batch *b = data;
	size_t failed;

	(void)entry;
	return pn_genl_send_batch(&b->k->g, buf, len, n, &failed, &b->e) ? -1 : 0;
}

static int k_replace(const struct pn_peer *peers, size_t n, void *data)
{
	struct pd_kernel *k = data;
	const struct pn_peer **v = malloc((n ? n : 1) * sizeof(*v));
	struct batch b = { .k = k };
	struct pn_nl_err e;
	size_t i;
	int ret;

	if (!v) {
		snprintf(k->err, sizeof(k->err), "%s", strerror(ENOMEM));
		return -1;
	}
	for (i = 0; i < n; i++)
		v[i] = &peers[i];
	if (simple(k, PODNET_CMD_REPLACE_BEGIN, &e)) {
		free(v);
		return fail(k, "REPLACE_BEGIN", &e);
	}
	ret = pn_replace_build(v, n, k->g.id, k->device, PN_MSG_MAX, send_batch, &b);
	free(v);
	if (ret == 0 && simple(k, PODNET_CMD_REPLACE_COMMIT, &b.e))
		ret = -1;
	if (ret) {
		/* The live table stays as it was. */
		simple(k, PODNET_CMD_REPLACE_ABORT, &e);
		if (ret == -ENOMEM || ret == -EMSGSIZE)
			pn_nl_err_set(&b.e, -ret, NULL);
		return fail(k, "replacing the peer table", &b.e);
	}
	return 0;
}

static int one_peer(struct pd_kernel *k, uint8_t cmd, uint16_t flags, const struct pn_peer *p)
{
	size_t len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)) +
		     MNL_ATTR_HDRLEN + MNL_ALIGN(strlen(k->device) + 1) + pn_peer_nests_size(p);
	char addr[INET6_ADDRSTRLEN], what[96];
	struct nlmsghdr *nlh;
	struct pn_nl_err e;
	char *buf;
	int ret;

	snprintf(what, sizeof(what), "%s peer %s", cmd == PODNET_CMD_NEW_PEER ? "NEW_PEER" : "DEL_PEER",
		 pn_addr_str(&p->remote, addr, sizeof(addr)));
	if (pn_genl_reserve_send(&k->g, len, &e) < 0)
		return fail(k, what, &e);
	buf = calloc(1, len);
	if (!buf) {
		pn_nl_err_set(&e, ENOMEM, NULL);
		return fail(k, what, &e);
	}
	nlh = pn_msg_start(buf, k->g.id, cmd, flags);
	pn_put_dev(nlh, 0, k->device);
	pn_put_peer_all(nlh, p);
	ret = pn_genl_request(&k->g, nlh, NULL, NULL, &e);
	free(buf);
	return ret ? fail(k, what, &e) : 0;
}

static int k_add(const struct pn_peer *p, void *data)
{
	return one_peer(data, PODNET_CMD_NEW_PEER, NLM_F_CREATE | NLM_F_REPLACE, p);
}

static int k_del(const struct pn_peer *p, void *data)
{
	return one_peer(data, PODNET_CMD_DEL_PEER, 0, p);
}

const struct pd_kernel_ops pd_kernel_ops = {
	.replace = k_replace,
	.add = k_add,
	.del = k_del,
};

struct stats_dump {
	void (*cb)(const struct pn_peer *p, const uint64_t *stats, uint32_t present, void *data);
	void *data;
	struct pn_addr last;
	bool have_last;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_dump *d = data;
	struct pn_msg m;

	if (pn_msg_parse(nlh, &m) < 0)
		return MNL_CB_ERROR;
	/* A large peer's later messages repeat REMOTE without counters. */
	if (m.has_peer_stats && !(d->have_last && pn_addr_equal(&d->last, &m.peer.remote)))
		d->cb(&m.peer, m.peer_stats.v, m.peer_stats.present, d->data);
	d->last = m.peer.remote;
	d->have_last = true;
	pn_msg_free(&m);
	return MNL_CB_OK;
}

int pd_kernel_peer_stats(const char *device,
			 void (*cb)(const struct pn_peer *p, const uint64_t *stats,
				    uint32_t present, void *data),
			 void *data, char *err, size_t errlen)
{
	struct stats_dump d = { .cb = cb, .data = data };
	struct pd_kernel k;
	struct nlmsghdr *nlh;
	struct pn_nl_err e;
	char buf[512] = { 0 };
	int ret;

	if (pd_kernel_open(&k, device) < 0)
		return pn_errf(err, errlen, "%s", k.err);
	nlh = pn_msg_start(buf, k.g.id, PODNET_CMD_GET_PEER, NLM_F_DUMP);
	pn_put_dev(nlh, 0, device);
	ret = pn_genl_request(&k.g, nlh, stats_cb, &d, &e);
	if (ret)
		pn_nl_err_format(&e, err, errlen, pn_attr_name);
	pd_kernel_close(&k);
	return ret;
}
