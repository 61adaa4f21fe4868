// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl peer add | del | show | flush (replace is in replace.c).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "podnetctl.h"
#include "util.h"
#include "print.h"

/*
 * Send @peer with command @cmd as one request, however many prefixes it
 * has, so that the kernel applies it all or nothing: the prefixes go in as
 * many PEER nests as they need ("Large peers" in the UAPI header), and the
 * socket's send buffer grows to take the message.
 */
int ctl_send_peer(struct pn_genl *g, uint8_t cmd, uint16_t flags, const char *dev,
		  const struct pn_peer *peer, struct pn_nl_err *e)
{
	size_t len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)) +
		     MNL_ATTR_HDRLEN + MNL_ALIGN(strlen(dev) + 1) + pn_peer_nests_size(peer);
	struct nlmsghdr *nlh;
	char *buf;
	int ret;

	if (len > PN_REQ_MAX) {
		pn_nl_err_set(e, EMSGSIZE,
			      "%zu prefixes take %zu bytes, more than one request carries (%u bytes, about %u IPv4 or %u IPv6 prefixes)",
			      peer->n_prefixes, len, PN_REQ_MAX, PN_REQ_MAX / 20, PN_REQ_MAX / 32);
		return -1;
	}
	if (pn_genl_reserve_send(g, len, e) < 0)
		return -1;
	buf = calloc(1, len);
	if (!buf) {
		pn_nl_err_set(e, ENOMEM, NULL);
		return -1;
	}
	nlh = pn_msg_start(buf, g->id, cmd, flags);
	pn_put_dev(nlh, 0, dev);
	pn_put_peer_all(nlh, peer);
	ret = pn_genl_request(g, nlh, NULL, NULL, e);
	if (ret == 0)
		ctl_nl_warn(e);
	free(buf);
	return ret;
}

int cmd_peer_add(struct ctl *c, int argc, char **argv)
{
	char err[CTL_ERRLEN];
	struct pn_nl_err e;
	struct pn_genl *g;
	struct ctl_args a;
	int ret = EXIT_OK;

	if (ctl_parse_args(argc, argv, W_DEV | W_REMOTE | W_PREFIX | W_MAC | W_REPLACE,
			   &a, err, sizeof(err)) ||
	    ctl_require(&a, W_DEV | W_REMOTE | W_PREFIX, err, sizeof(err))) {
		ret = ctl_usage_err("peer add: %s", err);
		goto out;
	}
	g = ctl_genl(c);
	if (!g)
		ret = EXIT_RUNTIME;
	else if (ctl_send_peer(g, PODNET_CMD_NEW_PEER,
			       (a.seen & W_REPLACE) ? NLM_F_REPLACE : 0, a.dev, &a.peer, &e))
		ret = ctl_nl_err(&e);
out:
	ctl_args_free(&a);
	return ret;
}

int cmd_peer_del(struct ctl *c, int argc, char **argv)
{
	char err[CTL_ERRLEN];
	struct pn_nl_err e;
	struct pn_genl *g;
	struct ctl_args a;
	int ret = EXIT_OK;

	if (ctl_parse_args(argc, argv, W_DEV | W_REMOTE | W_PREFIX, &a, err, sizeof(err)) ||
	    ctl_require(&a, W_DEV, err, sizeof(err))) {
		ret = ctl_usage_err("peer del: %s", err);
		goto out;
	}
	if (!(a.seen & (W_REMOTE | W_PREFIX))) {
		ret = ctl_usage_err("peer del: missing \"remote\" or \"prefix\"");
		goto out;
	}
	g = ctl_genl(c);
	if (!g)
		ret = EXIT_RUNTIME;
	else if (ctl_send_peer(g, PODNET_CMD_DEL_PEER, 0, a.dev, &a.peer, &e))
		ret = ctl_nl_err(&e);
out:
	ctl_args_free(&a);
	return ret;
}

int cmd_peer_flush(struct ctl *c, int argc, char **argv)
{
	char err[CTL_ERRLEN], buf[512];
	struct nlmsghdr *nlh;
	struct pn_nl_err e;
	struct pn_genl *g;
	struct ctl_args a;
	int ret = EXIT_OK;

	if (ctl_parse_args(argc, argv, W_DEV, &a, err, sizeof(err)) ||
	    ctl_require(&a, W_DEV, err, sizeof(err))) {
		ret = ctl_usage_err("peer flush: %s", err);
		goto out;
	}
	g = ctl_genl(c);
	if (!g) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, g->id, PODNET_CMD_FLUSH_PEERS, 0);
	pn_put_dev(nlh, 0, a.dev);
	if (pn_genl_request(g, nlh, NULL, NULL, &e))
		ret = ctl_nl_err(&e);
	else
		ctl_nl_warn(&e);
out:
	ctl_args_free(&a);
	return ret;
}

/*
 * A peer whose prefixes do not fit in one message comes in several, each
 * with the same REMOTE: merge them into one entry.
 */
int ctl_peer_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl_msgs *ms = data;
	struct pn_msg m, *last = ms->n ? &ms->v[ms->n - 1] : NULL;
	size_t i;

	if (pn_msg_parse(nlh, &m) < 0)
		return MNL_CB_ERROR;
	if (!m.peer.has_remote) {
		pn_msg_free(&m);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (last && last->ifindex == m.ifindex &&
	    pn_addr_equal(&last->peer.remote, &m.peer.remote)) {
		for (i = 0; i < m.peer.n_prefixes; i++)
			if (pn_peer_add_prefix(&last->peer, &m.peer.prefixes[i]) < 0) {
				pn_msg_free(&m);
				return MNL_CB_ERROR;
			}
		pn_msg_free(&m);
		return MNL_CB_OK;
	}
	last = ctl_msgs_push(ms);
	if (!last) {
		pn_msg_free(&m);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*last = m;
	return MNL_CB_OK;
}

/* Dump the peers of @dev (only @remote's if given) into @out. */
static int get_peers(struct ctl *c, const char *dev, const struct pn_peer *remote,
		     struct ctl_msgs *out)
{
	struct pn_genl *g = ctl_genl(c);
	struct nlmsghdr *nlh;
	char buf[512];
	size_t next = 0;

	if (!g)
		return EXIT_RUNTIME;
	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, g->id, PODNET_CMD_GET_PEER, NLM_F_DUMP);
	pn_put_dev(nlh, 0, dev);
	if (remote)
		pn_put_peer(nlh, sizeof(buf), remote, &next, false);
	return ctl_dump(c, nlh, ctl_peer_dump_cb, out, ctl_msgs_reset);
}

int cmd_peer_show(struct ctl *c, int argc, char **argv)
{
	struct ctl_msgs devs = { 0 }, peers = { 0 };
	struct pn_peer filter = { .has_remote = false };
	char err[CTL_ERRLEN];
	json_t *arr = NULL;
	struct ctl_args a;
	size_t d, i;
	int ret;

	if (ctl_parse_args(argc, argv, W_DEV | W_REMOTE, &a, err, sizeof(err))) {
		ret = ctl_usage_err("peer show: %s", err);
		goto out;
	}
	if (a.seen & W_REMOTE) {
		filter.remote = a.peer.remote;
		filter.has_remote = true;
	}
	/* Without "dev", walk every podnet device of the netns. */
	ret = ctl_get_devices(c, (a.seen & W_DEV) ? a.dev : NULL, &devs);
	if (ret != EXIT_OK)
		goto out;
	if (c->json) {
		arr = json_array();
		if (!arr) {
			ret = ctl_runtime_err("%s", strerror(ENOMEM));
			goto out;
		}
	}
	for (d = 0; d < devs.n; d++) {
		const char *name = devs.v[d].ifname;

		ret = get_peers(c, name, filter.has_remote ? &filter : NULL, &peers);
		if (ret != EXIT_OK)
			break;
		for (i = 0; i < peers.n; i++) {
			if (arr) {
				if (json_array_append_new(arr, ctl_peer_json(&peers.v[i], name))) {
					ret = ctl_runtime_err("%s", strerror(ENOMEM));
					break;
				}
			} else {
				/* "dev NAME" is implied when asked for: as in ip route show dev. */
				ctl_peer_text(c->out, &peers.v[i],
					      (a.seen & W_DEV) ? NULL : name, c->stats);
			}
		}
		ctl_msgs_reset(&peers);
		if (ret != EXIT_OK)
			break;
	}
	if (arr && ret == EXIT_OK) {
		ret = ctl_json_print(c, arr);
		arr = NULL;
	}
out:
	json_decref(arr);
	ctl_msgs_free(&peers);
	ctl_msgs_free(&devs);
	ctl_args_free(&a);
	return ret;
}
