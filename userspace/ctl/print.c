// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output of devices, peers and events.
 */

#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include "print.h"
#include "util.h"

/* --- text --------------------------------------------------------------- */

/* Where each counter goes in text output: "tx packets 1 bytes 2 drop ...". */
struct stats_word {
	int attr;
	const char *label;
};

static const struct stats_word tx_words[] = {
	{ PODNET_STATS_A_TX_PACKETS,		"packets" },
	{ PODNET_STATS_A_TX_BYTES,		"bytes" },
	{ PODNET_STATS_A_TX_DROP_NO_PEER,	"no_peer" },
	{ PODNET_STATS_A_TX_DROP_NO_ROUTE,	"no_route" },
	{ PODNET_STATS_A_TX_DROP_MTU,		"mtu" },
	{ PODNET_STATS_A_TX_DROP_OTHER,		"other" },
}, rx_words[] = {
	{ PODNET_STATS_A_RX_PACKETS,		"packets" },
	{ PODNET_STATS_A_RX_BYTES,		"bytes" },
	{ PODNET_STATS_A_RX_DROP_NO_PEER,	"no_peer" },
	{ PODNET_STATS_A_RX_DROP_SOURCE,	"source" },
	{ PODNET_STATS_A_RX_DROP_DEST,		"dest" },
	{ PODNET_STATS_A_RX_DROP_MALFORMED,	"malformed" },
	{ PODNET_STATS_A_RX_DROP_OTHER,		"other" },
};

static void stats_line(FILE *f, const char *dir, const struct pn_stats *s,
		       const struct stats_word *w, size_t n)
{
	bool any = false, drop = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(s->present & (1U << w[i].attr)))
			continue;
		if (!any)
			fprintf(f, "    %s", dir);
		/* The first two are traffic, the rest drop reasons. */
		if (i >= 2 && !drop) {
			fputs(" drop", f);
			drop = true;
		}
		fprintf(f, " %s %" PRIu64, w[i].label, s->v[w[i].attr]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void stats_text(FILE *f, const struct pn_stats *s)
{
	stats_line(f, "tx", s, tx_words, ARRAY_SIZE(tx_words));
	stats_line(f, "rx", s, rx_words, ARRAY_SIZE(rx_words));
}

static void peer_words(FILE *f, const struct pn_peer *peer)
{
	char buf[PN_PREFIX_STRLEN];
	size_t i;

	if (peer->has_remote)
		fprintf(f, " remote %s", pn_addr_str(&peer->remote, buf, sizeof(buf)));
	if (peer->has_mac)
		fprintf(f, " mac %s", pn_mac_str(peer->mac, buf, sizeof(buf)));
	for (i = 0; i < peer->n_prefixes; i++)
		fprintf(f, " prefix %s", pn_prefix_str(&peer->prefixes[i], buf, sizeof(buf)));
}

static const char *encap_name(uint8_t encap)
{
	switch (encap) {
	case PODNET_ENCAP_VXLAN:
		return "vxlan";
	case PODNET_ENCAP_GPE:
		return "gpe";
	default:
		return "unknown";
	}
}

/*
 * The underlay device's name, as ip(8) prints it: looked up in the netns
 * podnetctl runs in, which is the device's link netns unless the device
 * was moved; "if<N>" when there is no such device here.
 */
static const char *link_name(uint32_t ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

/*
 * The words of `ip link add ... type podnet`, in its order: "vni 1 port
 * 8472 local 192.0.2.1 dev eth0 ttl auto tos 0x00 srcport 1000 2000
 * noudpcsum encap vxlan mac 02:00:00:00:00:01 srcvalid nodstvalid".
 * srcport only when set.
 */
static void config_words(FILE *f, const struct pn_link_config *c)
{
	char buf[PN_PREFIX_STRLEN];

	if (PN_CFG_HAS(c, IFLA_PODNET_VNI))
		fprintf(f, " vni %u", c->vni);
	if (PN_CFG_HAS(c, IFLA_PODNET_PORT))
		fprintf(f, " port %u", c->port);
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL))
		fprintf(f, " local %s", pn_addr_str(&c->local, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL6))
		fprintf(f, " local6 %s", pn_addr_str(&c->local6, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_LINK))
		fprintf(f, " dev %s", link_name(c->link, buf));
	if (c->ttl_inherit)
		fputs(" ttl inherit", f);
	else if (PN_CFG_HAS(c, IFLA_PODNET_TTL) && c->ttl)
		fprintf(f, " ttl %u", c->ttl);
	else if (PN_CFG_HAS(c, IFLA_PODNET_TTL))
		fputs(" ttl auto", f);
	if (c->tos_inherit)
		fputs(" tos inherit", f);
	else if (PN_CFG_HAS(c, IFLA_PODNET_TOS))
		fprintf(f, " tos 0x%02x", c->tos);
	if (c->srcport_min || c->srcport_max)
		fprintf(f, " srcport %u %u", c->srcport_min, c->srcport_max);
	if (PN_CFG_HAS(c, IFLA_PODNET_UDP_CSUM))
		fprintf(f, " %sudpcsum", c->udp_csum ? "" : "no");
	if (PN_CFG_HAS(c, IFLA_PODNET_ENCAP))
		fprintf(f, " encap %s", encap_name(c->encap));
	if (PN_CFG_HAS(c, IFLA_PODNET_MAC))
		fprintf(f, " mac %s", pn_mac_str(c->mac, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_SRC_VALID))
		fprintf(f, " %ssrcvalid", c->src_valid ? "" : "no");
	if (PN_CFG_HAS(c, IFLA_PODNET_DST_VALID))
		fprintf(f, " %sdstvalid", c->dst_valid ? "" : "no");
}

/* "    socket drop bad_header 0 bad_vni 0" */
static void sock_stats_text(FILE *f, const struct pn_sock_stats *s)
{
	static const struct {
		int attr;
		const char *label;
	} words[] = {
		{ PODNET_XSTATS_RX_DROP_BAD_HEADER,	"bad_header" },
		{ PODNET_XSTATS_RX_DROP_BAD_VNI,	"bad_vni" },
	};
	bool any = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (!(s->present & (1U << words[i].attr)))
			continue;
		if (!any)
			fputs("    socket drop", f);
		fprintf(f, " %s %" PRIu64, words[i].label, s->v[words[i].attr]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

void ctl_device_text(FILE *f, const struct pn_msg *d)
{
	fprintf(f, "%u: %s:", d->ifindex, d->ifname);
	config_words(f, &d->config);
	fprintf(f, "\n    peers %u prefixes %u generation %u\n",
		d->num_peers, d->num_prefixes, d->generation);
	if (PN_HAS(d, PODNET_A_REPLACE_PORTID))
		fprintf(f, "    replace pending from port %u\n", d->replace_portid);
	stats_text(f, &d->stats);
	sock_stats_text(f, &d->sock_stats);
}

void ctl_peer_text(FILE *f, const struct pn_msg *p, const char *ifname, bool stats)
{
	struct pn_peer peer = p->peer;
	bool first = true;

	if (ifname) {
		fprintf(f, "dev %s", ifname);
		first = false;
	}
	/* Without a leading "dev", drop the leading blank of " remote". */
	if (first && peer.has_remote) {
		char buf[PN_PREFIX_STRLEN];

		fprintf(f, "remote %s", pn_addr_str(&peer.remote, buf, sizeof(buf)));
		peer.has_remote = false;
	}
	peer_words(f, &peer);
	fputc('\n', f);
	if (stats && p->has_peer_stats)
		stats_text(f, &p->peer_stats);
}

void ctl_event_text(FILE *f, const struct pn_msg *ev)
{
	switch (ev->cmd) {
	case PODNET_CMD_NEW_PEER:
		fprintf(f, "peer add dev %s", ev->ifname);
		peer_words(f, &ev->peer);
		if (ev->nlmsg_flags & NLM_F_CREATE)
			fputs(" created", f);
		break;
	case PODNET_CMD_DEL_PEER:
		fprintf(f, "peer del dev %s", ev->ifname);
		peer_words(f, &ev->peer);
		break;
	case PODNET_CMD_FLUSH_PEERS:
	case PODNET_CMD_REPLACE_COMMIT:
		fprintf(f, "peer %s dev %s peers %u prefixes %u",
			ev->cmd == PODNET_CMD_FLUSH_PEERS ? "flush" : "replace",
			ev->ifname, ev->num_peers, ev->num_prefixes);
		break;
	default:
		fprintf(f, "unknown event %u dev %s", ev->cmd, ev->ifname);
		break;
	}
	fprintf(f, " generation %u\n", ev->generation);
}

/* --- JSON --------------------------------------------------------------- */

/*
 * json_object_set_new() steals its value even on failure, and a NULL value
 * fails; so building an object is a series of sets, with one error check
 * by the caller (a NULL return means out of memory).
 */
/*
 * JSON integers are signed 64-bit here (jansson's json_int_t): a counter
 * past INT64_MAX, 9.2e18, prints as INT64_MAX rather than negative.
 */
static json_t *json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v);
}

static json_t *addr_json(const struct pn_addr *a)
{
	char buf[PN_PREFIX_STRLEN];

	return json_string(pn_addr_str(a, buf, sizeof(buf)));
}

json_t *ctl_stats_json(const struct pn_stats *s)
{
	json_t *o = json_object();
	int t, err = 0;

	if (!o)
		return NULL;
	for (t = 0; t <= PODNET_STATS_A_MAX; t++)
		if ((s->present & (1U << t)) && pn_stats_name(t))
			err |= set(o, pn_stats_name(t), json_u64(s->v[t]));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *ctl_sock_stats_json(const struct pn_sock_stats *s)
{
	json_t *o = json_object();
	int t, err = 0;

	if (!o)
		return NULL;
	for (t = 0; t <= PODNET_XSTATS_MAX; t++)
		if ((s->present & (1U << t)) && pn_sock_stats_name(t))
			err |= set(o, pn_sock_stats_name(t), json_u64(s->v[t]));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The configuration into @o, with the keys and types of `ip -j -d link
 * show` for a podnet device: numbers for ttl and tos, booleans for the
 * flags, "link" the underlay's name ("link_index" if it has none here).
 */
static int config_fields(json_t *o, const struct pn_link_config *c)
{
	char buf[PN_PREFIX_STRLEN];
	int err = 0;

	if (PN_CFG_HAS(c, IFLA_PODNET_VNI))
		err |= set(o, "vni", json_integer(c->vni));
	if (PN_CFG_HAS(c, IFLA_PODNET_PORT))
		err |= set(o, "port", json_integer(c->port));
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL))
		err |= set(o, "local", addr_json(&c->local));
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL6))
		err |= set(o, "local6", addr_json(&c->local6));
	/* The same keys in every netns: the name only where it resolves. */
	if (PN_CFG_HAS(c, IFLA_PODNET_LINK)) {
		err |= set(o, "link_index", json_integer(c->link));
		if (if_indextoname(c->link, buf))
			err |= set(o, "link", json_string(buf));
	}
	if (PN_CFG_HAS(c, IFLA_PODNET_TTL))
		err |= set(o, "ttl", json_integer(c->ttl));
	if (PN_CFG_HAS(c, IFLA_PODNET_TTL_INHERIT))
		err |= set(o, "ttl_inherit", json_boolean(c->ttl_inherit));
	if (PN_CFG_HAS(c, IFLA_PODNET_TOS))
		err |= set(o, "tos", json_integer(c->tos));
	if (PN_CFG_HAS(c, IFLA_PODNET_TOS_INHERIT))
		err |= set(o, "tos_inherit", json_boolean(c->tos_inherit));
	if (PN_CFG_HAS(c, IFLA_PODNET_SRCPORT_MIN))
		err |= set(o, "srcport_min", json_integer(c->srcport_min));
	if (PN_CFG_HAS(c, IFLA_PODNET_SRCPORT_MAX))
		err |= set(o, "srcport_max", json_integer(c->srcport_max));
	if (PN_CFG_HAS(c, IFLA_PODNET_UDP_CSUM))
		err |= set(o, "udp_csum", json_boolean(c->udp_csum));
	if (PN_CFG_HAS(c, IFLA_PODNET_ENCAP))
		err |= set(o, "encap", json_string(encap_name(c->encap)));
	if (PN_CFG_HAS(c, IFLA_PODNET_MAC))
		err |= set(o, "mac", json_string(pn_mac_str(c->mac, buf, sizeof(buf))));
	if (PN_CFG_HAS(c, IFLA_PODNET_SRC_VALID))
		err |= set(o, "src_valid", json_boolean(c->src_valid));
	if (PN_CFG_HAS(c, IFLA_PODNET_DST_VALID))
		err |= set(o, "dst_valid", json_boolean(c->dst_valid));
	return err;
}

/* "remote", "mac", "prefixes" of @peer into @o. */
static int peer_fields(json_t *o, const struct pn_peer *peer)
{
	char buf[PN_PREFIX_STRLEN];
	json_t *prefixes = json_array();
	int err = 0;
	size_t i;

	if (!prefixes)
		return -1;
	if (peer->has_remote)
		err |= set(o, "remote", addr_json(&peer->remote));
	if (peer->has_mac)
		err |= set(o, "mac", json_string(pn_mac_str(peer->mac, buf, sizeof(buf))));
	for (i = 0; i < peer->n_prefixes; i++)
		err |= json_array_append_new(prefixes,
			json_string(pn_prefix_str(&peer->prefixes[i], buf, sizeof(buf))));
	err |= set(o, "prefixes", prefixes);
	return err;
}

static json_t *done(json_t *o, int err)
{
	if (err && o) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *ctl_device_json(const struct pn_msg *d)
{
	json_t *o = json_object();
	int err = !o;

	if (err)
		return NULL;
	err |= set(o, "ifindex", json_integer(d->ifindex));
	err |= set(o, "ifname", json_string(d->ifname));
	err |= set(o, "generation", json_integer(d->generation));
	err |= set(o, "num_peers", json_integer(d->num_peers));
	err |= set(o, "num_prefixes", json_integer(d->num_prefixes));
	if (PN_HAS(d, PODNET_A_REPLACE_PORTID))
		err |= set(o, "replace_portid", json_integer(d->replace_portid));
	err |= config_fields(o, &d->config);
	err |= set(o, "stats", ctl_stats_json(&d->stats));
	if (PN_HAS(d, PODNET_A_SOCKET_STATS))
		err |= set(o, "socket_stats", ctl_sock_stats_json(&d->sock_stats));
	return done(o, err);
}

json_t *ctl_peer_json(const struct pn_msg *p, const char *ifname)
{
	json_t *o = json_object();
	int err = !o;

	if (err)
		return NULL;
	err |= set(o, "ifindex", json_integer(p->ifindex));
	if (ifname)
		err |= set(o, "ifname", json_string(ifname));
	err |= peer_fields(o, &p->peer);
	err |= set(o, "num_prefixes", json_integer(p->has_peer_num_prefixes ?
					 p->peer_num_prefixes : p->peer.n_prefixes));
	if (p->has_peer_stats)
		err |= set(o, "stats", ctl_stats_json(&p->peer_stats));
	return done(o, err);
}

json_t *ctl_event_json(const struct pn_msg *ev)
{
	json_t *o = json_object(), *peer;
	const char *name;
	int err = !o;

	if (err)
		return NULL;
	switch (ev->cmd) {
	case PODNET_CMD_NEW_PEER:
		name = "add";
		break;
	case PODNET_CMD_DEL_PEER:
		name = "del";
		break;
	case PODNET_CMD_FLUSH_PEERS:
		name = "flush";
		break;
	case PODNET_CMD_REPLACE_COMMIT:
		name = "replace";
		break;
	default:
		name = "unknown";
		break;
	}
	err |= set(o, "event", json_string(name));
	if (!strcmp(name, "unknown"))
		err |= set(o, "cmd", json_integer(ev->cmd));
	err |= set(o, "ifindex", json_integer(ev->ifindex));
	err |= set(o, "ifname", json_string(ev->ifname));
	err |= set(o, "generation", json_integer(ev->generation));
	if (ev->cmd == PODNET_CMD_NEW_PEER)
		err |= set(o, "created", json_boolean(ev->nlmsg_flags & NLM_F_CREATE));
	if (PN_HAS(ev, PODNET_A_PEER)) {
		peer = json_object();
		if (!peer || peer_fields(peer, &ev->peer))
			err = 1;
		if (peer && ev->has_peer_num_prefixes)
			err |= set(peer, "num_prefixes", json_integer(ev->peer_num_prefixes));
		err |= set(o, "peer", peer);
	}
	if (PN_HAS(ev, PODNET_A_NUM_PEERS))
		err |= set(o, "num_peers", json_integer(ev->num_peers));
	if (PN_HAS(ev, PODNET_A_NUM_PREFIXES))
		err |= set(o, "num_prefixes", json_integer(ev->num_prefixes));
	return done(o, err);
}
