// SPDX-License-Identifier: GPL-2.0
/*
 * Building and parsing "podnet" generic netlink messages.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podnet.h"

static const char *const stats_names[PODNET_STATS_A_MAX + 1] = {
	[PODNET_STATS_A_TX_PACKETS]		= "tx_packets",
	[PODNET_STATS_A_TX_BYTES]		= "tx_bytes",
	[PODNET_STATS_A_RX_PACKETS]		= "rx_packets",
	[PODNET_STATS_A_RX_BYTES]		= "rx_bytes",
	[PODNET_STATS_A_TX_DROP_NO_PEER]	= "tx_drop_no_peer",
	[PODNET_STATS_A_TX_DROP_NO_ROUTE]	= "tx_drop_no_route",
	[PODNET_STATS_A_TX_DROP_MTU]		= "tx_drop_mtu",
	[PODNET_STATS_A_TX_DROP_OTHER]		= "tx_drop_other",
	[PODNET_STATS_A_RX_DROP_NO_PEER]	= "rx_drop_no_peer",
	[PODNET_STATS_A_RX_DROP_SOURCE]		= "rx_drop_source",
	[PODNET_STATS_A_RX_DROP_MALFORMED]	= "rx_drop_malformed",
	[PODNET_STATS_A_RX_DROP_OTHER]		= "rx_drop_other",
	[PODNET_STATS_A_RX_DROP_DEST]		= "rx_drop_dest",
};

const char *pn_stats_name(int type)
{
	return type >= 0 && type <= PODNET_STATS_A_MAX ? stats_names[type] : NULL;
}

static const char *const sock_stats_names[PODNET_XSTATS_MAX + 1] = {
	[PODNET_XSTATS_RX_DROP_BAD_HEADER]	= "rx_drop_bad_header",
	[PODNET_XSTATS_RX_DROP_BAD_VNI]		= "rx_drop_bad_vni",
};

const char *pn_sock_stats_name(int type)
{
	return type >= 0 && type <= PODNET_XSTATS_MAX ? sock_stats_names[type] : NULL;
}

static const char *const attr_names[PODNET_A_MAX + 1] = {
	[PODNET_A_IFINDEX]		= "PODNET_A_IFINDEX",
	[PODNET_A_IFNAME]		= "PODNET_A_IFNAME",
	[PODNET_A_GENERATION]		= "PODNET_A_GENERATION",
	[PODNET_A_NUM_PEERS]		= "PODNET_A_NUM_PEERS",
	[PODNET_A_NUM_PREFIXES]		= "PODNET_A_NUM_PREFIXES",
	[PODNET_A_REPLACE_PORTID]	= "PODNET_A_REPLACE_PORTID",
	[PODNET_A_STATS]		= "PODNET_A_STATS",
	[PODNET_A_PEER]			= "PODNET_A_PEER",
	[PODNET_A_CONFIG]		= "PODNET_A_CONFIG",
	[PODNET_A_SOCKET_STATS]		= "PODNET_A_SOCKET_STATS",
};

const char *pn_attr_name(int type)
{
	return type >= 0 && type <= PODNET_A_MAX ? attr_names[type] : NULL;
}

/* --- parsing ------------------------------------------------------------ */

/*
 * A nest of u64 counters numbered 1..max, @pad skipped: into v[], with bit
 * i of *present set for each counter sent.  Newer kernels may count more.
 */
static int parse_counters(const struct nlattr *nest, int pad, int max,
			  uint64_t *v, uint32_t *present)
{
	const struct nlattr *a;

	*present = 0;
	memset(v, 0, sizeof(*v) * (size_t)(max + 1));
	mnl_attr_for_each_nested(a, nest) {
		int t = mnl_attr_get_type(a);

		if (t == pad || t > max)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return -1;
		v[t] = mnl_attr_get_u64(a);
		*present |= 1U << t;
	}
	return 0;
}

static int parse_stats(const struct nlattr *nest, struct pn_stats *s)
{
	return parse_counters(nest, PODNET_STATS_A_PAD, PODNET_STATS_A_MAX,
			      s->v, &s->present);
}

static int parse_sock_stats(const struct nlattr *nest, struct pn_sock_stats *s)
{
	return parse_counters(nest, PODNET_XSTATS_PAD, PODNET_XSTATS_MAX,
			      s->v, &s->present);
}

static int cfg_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -1;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int cfg_flag(const struct nlattr *a, bool *v)
{
	uint8_t u;

	if (cfg_u8(a, &u) < 0)
		return -1;
	*v = u;
	return 0;
}

static int cfg_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -1;
	*v = mnl_attr_get_u16(a);
	return 0;
}

static int cfg_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int cfg_addr(const struct nlattr *a, struct pn_addr *addr, size_t len)
{
	if (mnl_attr_get_payload_len(a) != len)
		return -1;
	return pn_addr_from_bytes(addr, mnl_attr_get_payload(a), len);
}

static int parse_config(const struct nlattr *nest, struct pn_link_config *c)
{
	const struct nlattr *a;
	int ret;

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each_nested(a, nest) {
		int t = mnl_attr_get_type(a);

		switch (t) {
		case IFLA_PODNET_VNI:
			ret = cfg_u32(a, &c->vni);
			break;
		case IFLA_PODNET_PORT:
			ret = cfg_u16(a, &c->port);
			break;
		case IFLA_PODNET_LOCAL:
			ret = cfg_addr(a, &c->local, 4);
			break;
		case IFLA_PODNET_LOCAL6:
			ret = cfg_addr(a, &c->local6, 16);
			break;
		case IFLA_PODNET_LINK:
			ret = cfg_u32(a, &c->link);
			break;
		case IFLA_PODNET_TTL:
			ret = cfg_u8(a, &c->ttl);
			break;
		case IFLA_PODNET_TTL_INHERIT:
			ret = cfg_flag(a, &c->ttl_inherit);
			break;
		case IFLA_PODNET_TOS:
			ret = cfg_u8(a, &c->tos);
			break;
		case IFLA_PODNET_TOS_INHERIT:
			ret = cfg_flag(a, &c->tos_inherit);
			break;
		case IFLA_PODNET_SRCPORT_MIN:
			ret = cfg_u16(a, &c->srcport_min);
			break;
		case IFLA_PODNET_SRCPORT_MAX:
			ret = cfg_u16(a, &c->srcport_max);
			break;
		case IFLA_PODNET_UDP_CSUM:
			ret = cfg_flag(a, &c->udp_csum);
			break;
		case IFLA_PODNET_ENCAP:
			ret = cfg_u8(a, &c->encap);
			break;
		case IFLA_PODNET_SRC_VALID:
			ret = cfg_flag(a, &c->src_valid);
			break;
		case IFLA_PODNET_MAC:
			ret = mnl_attr_get_payload_len(a) == PN_MAC_LEN ? 0 : -1;
			if (!ret)
				memcpy(c->mac, mnl_attr_get_payload(a), PN_MAC_LEN);
			break;
		case IFLA_PODNET_DST_VALID:
			ret = cfg_flag(a, &c->dst_valid);
			break;
		default:
			continue;	/* from a newer kernel: skip */
		}
		if (ret < 0)
			return -1;
		c->present |= 1U << t;
	}
	return 0;
}

static int parse_prefix(const struct nlattr *nest, struct pn_prefix *p)
{
	const struct nlattr *a;
	bool has_len = false;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case PODNET_PREFIX_A_IPV4:
		case PODNET_PREFIX_A_IPV6:
			if (pn_addr_from_bytes(&p->addr, mnl_attr_get_payload(a),
					       mnl_attr_get_payload_len(a)) < 0)
				return -1;
			break;
		case PODNET_PREFIX_A_LEN:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return -1;
			p->len = mnl_attr_get_u8(a);
			has_len = true;
			break;
		}
	}
	if (!p->addr.family || !has_len || p->len > pn_addr_bits(p->addr.family))
		return -1;
	return 0;
}

static int parse_peer(const struct nlattr *nest, struct pn_msg *m)
{
	const struct nlattr *a;
	struct pn_prefix p;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case PODNET_PEER_A_REMOTE_IPV4:
		case PODNET_PEER_A_REMOTE_IPV6:
			if (pn_addr_from_bytes(&m->peer.remote, mnl_attr_get_payload(a),
					       mnl_attr_get_payload_len(a)) < 0)
				return -1;
			m->peer.has_remote = true;
			break;
		case PODNET_PEER_A_MAC:
			if (mnl_attr_get_payload_len(a) != PN_MAC_LEN)
				return -1;
			memcpy(m->peer.mac, mnl_attr_get_payload(a), PN_MAC_LEN);
			m->peer.has_mac = true;
			break;
		case PODNET_PEER_A_NUM_PREFIXES:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			m->peer_num_prefixes = mnl_attr_get_u32(a);
			m->has_peer_num_prefixes = true;
			break;
		case PODNET_PEER_A_STATS:
			if (parse_stats(a, &m->peer_stats) < 0)
				return -1;
			m->has_peer_stats = true;
			break;
		case PODNET_PEER_A_PREFIX:
			if (parse_prefix(a, &p) < 0)
				return -1;
			if (pn_peer_add_prefix(&m->peer, &p) < 0)
				return -2;
			break;
		}
	}
	return 0;
}

static int parse_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

int pn_msg_parse(const struct nlmsghdr *nlh, struct pn_msg *m)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl)) {
		errno = EPROTO;
		return -1;
	}
	m->cmd = genl->cmd;
	m->nlmsg_flags = nlh->nlmsg_flags;

	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		int t = mnl_attr_get_type(a);

		switch (t) {
		case PODNET_A_IFINDEX:
			ret = parse_u32(a, &m->ifindex);
			break;
		case PODNET_A_IFNAME:
			ret = mnl_attr_validate(a, MNL_TYPE_NUL_STRING);
			if (!ret)
				snprintf(m->ifname, sizeof(m->ifname), "%s", mnl_attr_get_str(a));
			break;
		case PODNET_A_GENERATION:
			ret = parse_u32(a, &m->generation);
			break;
		case PODNET_A_NUM_PEERS:
			ret = parse_u32(a, &m->num_peers);
			break;
		case PODNET_A_NUM_PREFIXES:
			ret = parse_u32(a, &m->num_prefixes);
			break;
		case PODNET_A_REPLACE_PORTID:
			ret = parse_u32(a, &m->replace_portid);
			break;
		case PODNET_A_STATS:
			ret = parse_stats(a, &m->stats);
			break;
		case PODNET_A_PEER:
			ret = parse_peer(a, m);
			break;
		case PODNET_A_CONFIG:
			ret = parse_config(a, &m->config);
			break;
		case PODNET_A_SOCKET_STATS:
			ret = parse_sock_stats(a, &m->sock_stats);
			break;
		default:
			continue;	/* from a newer kernel: skip */
		}
		if (ret < 0)
			break;
		m->has |= 1U << t;
	}
	if (ret < 0) {
		pn_msg_free(m);
		errno = ret == -2 ? ENOMEM : EPROTO;
		return -1;
	}
	return 0;
}

void pn_msg_free(struct pn_msg *m)
{
	pn_peer_free(&m->peer);
}

/* --- building ----------------------------------------------------------- */

/*
 * mnl_attr_put() of libmnl 1.0.4 (Debian 12) leaves the alignment padding as it
 * found it; zero it, so no stale memory is sent and messages are
 * byte-for-byte reproducible.
 */
static void put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	size_t pad = MNL_ALIGN(len) - len;

	mnl_attr_put(nlh, type, len, data);
	memset((char *)mnl_nlmsg_get_payload_tail(nlh) - pad, 0, pad);
}

struct nlmsghdr *pn_msg_start(void *buf, uint16_t family_id, uint8_t cmd, uint16_t flags)
{
	return pn_genl_msg_start(buf, family_id, cmd, PODNET_GENL_VERSION, flags);
}

void pn_put_dev(struct nlmsghdr *nlh, uint32_t ifindex, const char *ifname)
{
	if (ifindex)
		mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, ifindex);
	if (ifname && *ifname)
		put(nlh, PODNET_A_IFNAME, strlen(ifname) + 1, ifname);
}

size_t pn_prefix_attr_size(const struct pn_prefix *p)
{
	return MNL_ATTR_HDRLEN + MNL_ALIGN(MNL_ATTR_HDRLEN + pn_addr_len(&p->addr)) +
	       MNL_ALIGN(MNL_ATTR_HDRLEN + 1);
}

bool pn_put_prefix(struct nlmsghdr *nlh, size_t limit, const struct pn_prefix *p)
{
	struct nlattr *nest;

	if (nlh->nlmsg_len + pn_prefix_attr_size(p) > limit)
		return false;
	nest = mnl_attr_nest_start(nlh, PODNET_PEER_A_PREFIX);
	put(nlh, p->addr.family == AF_INET ? PODNET_PREFIX_A_IPV4 : PODNET_PREFIX_A_IPV6,
	    pn_addr_len(&p->addr), p->addr.b);
	put(nlh, PODNET_PREFIX_A_LEN, 1, &p->len);
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* Bytes of a PEER nest before its prefixes. */
static size_t peer_head_size(const struct pn_peer *peer, bool with_mac)
{
	size_t head = MNL_ATTR_HDRLEN;

	if (peer->has_remote)
		head += MNL_ALIGN(MNL_ATTR_HDRLEN + pn_addr_len(&peer->remote));
	if (with_mac && peer->has_mac)
		head += MNL_ALIGN(MNL_ATTR_HDRLEN + PN_MAC_LEN);
	return head;
}

static long put_peer_nest(struct nlmsghdr *nlh, size_t limit, const struct pn_peer *peer,
			  size_t *next, bool with_prefixes, bool with_mac)
{
	const struct pn_addr *r = &peer->remote;
	struct nlattr *nest;
	long n = 0;

	if (nlh->nlmsg_len + peer_head_size(peer, with_mac) > limit)
		return -1;
	nest = mnl_attr_nest_start(nlh, PODNET_A_PEER);
	if (peer->has_remote)
		put(nlh, r->family == AF_INET ? PODNET_PEER_A_REMOTE_IPV4 : PODNET_PEER_A_REMOTE_IPV6,
		    pn_addr_len(r), r->b);
	if (with_mac && peer->has_mac)
		put(nlh, PODNET_PEER_A_MAC, PN_MAC_LEN, peer->mac);
	while (with_prefixes && *next < peer->n_prefixes &&
	       pn_put_prefix(nlh, limit, &peer->prefixes[*next])) {
		(*next)++;
		n++;
	}
	mnl_attr_nest_end(nlh, nest);
	return n;
}

long pn_put_peer(struct nlmsghdr *nlh, size_t limit, const struct pn_peer *peer,
		 size_t *next, bool with_prefixes)
{
	return put_peer_nest(nlh, limit, peer, next, with_prefixes, true);
}

/*
 * pn_peer_nests_size() and pn_put_peer_all() cut the nests at the same
 * places: a nest is closed when the next prefix would take it past
 * PN_NEST_MAX.
 */
size_t pn_peer_nests_size(const struct pn_peer *peer)
{
	size_t len = 0, i = 0;
	bool first = true;

	do {
		size_t start = len;

		len += peer_head_size(peer, first);
		while (i < peer->n_prefixes &&
		       len - start + pn_prefix_attr_size(&peer->prefixes[i]) <= PN_NEST_MAX)
			len += pn_prefix_attr_size(&peer->prefixes[i++]);
		first = false;
	} while (i < peer->n_prefixes);
	return len;
}

void pn_put_peer_all(struct nlmsghdr *nlh, const struct pn_peer *peer)
{
	size_t next = 0;
	bool first = true;

	do {
		put_peer_nest(nlh, nlh->nlmsg_len + PN_NEST_MAX, peer, &next, true, first);
		first = false;
	} while (next < peer->n_prefixes);
}

int pn_replace_build(const struct pn_peer *const *peers, size_t n_peers, uint16_t family_id,
		     const char *dev, size_t limit, pn_batch_fn send, void *data)
{
	/* The smallest message is well over 16 bytes, so this bounds a batch. */
	size_t max_msgs = limit / 16 + 1, used = 0, n = 0, i, next;
	size_t *entry = malloc(max_msgs * sizeof(*entry));
	char *buf = calloc(1, limit);
	int ret = 0;

	if (!entry || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_peers && !ret; i++) {
		const struct pn_peer *peer = peers[i];

		next = 0;
		for (;;) {
			struct nlmsghdr *nlh = NULL;
			size_t before = next;
			long put = -1;

			/* Room for the headers at least?  Then try to add the peer. */
			if (limit - used >= 64) {
				nlh = pn_msg_start(buf + used, family_id,
						   PODNET_CMD_REPLACE_ADD, 0);
				pn_put_dev(nlh, 0, dev);
				put = pn_put_peer(nlh, limit - used, peer, &next, true);
			}
			/* Nothing of a peer that still has prefixes: the batch is full. */
			if (put < 0 || (put == 0 && before < peer->n_prefixes)) {
				next = before;
				if (n == 0) {
					ret = -EMSGSIZE;	/* would not fit even alone */
					break;
				}
				ret = send(buf, used, n, entry, data);
				memset(buf, 0, limit);
				used = n = 0;
				if (ret)
					break;
				continue;	/* the same peer, in a fresh batch */
			}
			used += MNL_ALIGN(nlh->nlmsg_len);
			entry[n++] = i;
			if (next >= peer->n_prefixes)
				break;
		}
	}
	if (!ret && n)
		ret = send(buf, used, n, entry, data);
out:
	free(entry);
	free(buf);
	return ret;
}
