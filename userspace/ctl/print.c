// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output of devices, peers and events, from one printer:
 * each field is written by one call that knows both its text words and its
 * JSON key (iproute2's print_*(PRINT_ANY, ...) idiom), so the two outputs
 * cannot drift apart.  A struct out is either a FILE (text) or a JSON
 * object being filled.
 */

#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include "print.h"
#include "util.h"

struct out {
	FILE *f;		/* text, or NULL for JSON */
	json_t *j;		/* the object being filled */
	int err;		/* a JSON set failed: out of memory */
};

/*
 * json_object_set_new() steals its value even on failure, and a NULL value
 * fails; so filling an object is a series of sets and one error check.
 */
static void set(struct out *o, const char *key, json_t *v)
{
	if (json_object_set_new(o->j, key, v))
		o->err = 1;
}

/*
 * JSON integers are signed 64-bit here (jansson's json_int_t): a counter
 * past INT64_MAX, 9.2e18, prints as INT64_MAX rather than negative.
 */
static json_t *json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* " WORD V" in text, "KEY": V in JSON. */
static void out_uint(struct out *o, const char *key, const char *word, uint64_t v)
{
	if (o->f)
		fprintf(o->f, " %s %" PRIu64, word, v);
	else
		set(o, key, json_u64(v));
}

static void out_str(struct out *o, const char *key, const char *word, const char *v)
{
	if (o->f)
		fprintf(o->f, " %s %s", word, v);
	else
		set(o, key, json_string(v));
}

/* " WORD" or " noWORD" in text, "KEY": true/false in JSON. */
static void out_flag(struct out *o, const char *key, const char *word, bool v)
{
	if (o->f)
		fprintf(o->f, " %s%s", v ? "" : "no", word);
	else
		set(o, key, json_boolean(v));
}

/* --- counters ------------------------------------------------------------ */

/*
 * Where each counter goes in text ("tx packets 1 bytes 2 drop no_peer 0
 * ..."); its JSON key is the library's name for it (tx_packets, ...).
 */
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
}, sock_words[] = {
	{ PODNET_XSTATS_RX_DROP_BAD_HEADER,	"bad_header" },
	{ PODNET_XSTATS_RX_DROP_BAD_VNI,	"bad_vni" },
};

/*
 * One text line "    DIR [packets N bytes N] drop ..." (the words from
 * @ndata on are drop reasons), or the counters into the JSON object.
 */
static void stats_line(struct out *o, const char *dir, uint32_t present, const uint64_t *v,
		       const struct stats_word *w, size_t n, size_t ndata,
		       const char *(*name)(int))
{
	bool any = false, drop = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(present & (1U << w[i].attr)))
			continue;
		if (!o->f) {
			if (name(w[i].attr))
				set(o, name(w[i].attr), json_u64(v[w[i].attr]));
			continue;
		}
		if (!any)
			fprintf(o->f, "    %s", dir);
		if (i >= ndata && !drop) {
			fputs(" drop", o->f);
			drop = true;
		}
		fprintf(o->f, " %s %" PRIu64, w[i].label, v[w[i].attr]);
		any = true;
	}
	if (any)
		fputc('\n', o->f);
}

/* Text: the tx and rx lines.  JSON: "KEY": {counters}. */
static void out_stats(struct out *o, const char *key, const struct pn_stats *s)
{
	struct out sub = { .f = o->f, .j = o->f ? NULL : json_object() };

	if (!o->f && !sub.j) {
		o->err = 1;
		return;
	}
	stats_line(&sub, "tx", s->present, s->v, tx_words, ARRAY_SIZE(tx_words), 2,
		   pn_stats_name);
	stats_line(&sub, "rx", s->present, s->v, rx_words, ARRAY_SIZE(rx_words), 2,
		   pn_stats_name);
	if (!o->f) {
		o->err |= sub.err;
		set(o, key, sub.j);
	}
}

static void out_sock_stats(struct out *o, const struct pn_sock_stats *s)
{
	struct out sub = { .f = o->f, .j = o->f ? NULL : json_object() };

	if (!o->f && !sub.j) {
		o->err = 1;
		return;
	}
	stats_line(&sub, "socket", s->present, s->v, sock_words, ARRAY_SIZE(sock_words), 0,
		   pn_sock_stats_name);
	if (!o->f) {
		o->err |= sub.err;
		set(o, "socket_stats", sub.j);
	}
}

/* --- the link configuration ---------------------------------------------- */

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
 * The underlay device.  Text: "dev NAME", as ip(8) prints it, the name
 * looked up in the netns podnetctl runs in (the device's link netns unless
 * it was moved), "if<N>" when there is no such device here.  JSON: the
 * same keys in every netns, "link_index", and "link" where it resolves.
 */
static void out_link(struct out *o, uint32_t ifindex)
{
	char buf[IF_NAMESIZE];
	bool named = if_indextoname(ifindex, buf);

	if (o->f) {
		if (!named)
			snprintf(buf, sizeof(buf), "if%u", ifindex);
		fprintf(o->f, " dev %s", buf);
		return;
	}
	set(o, "link_index", json_integer(ifindex));
	if (named)
		set(o, "link", json_string(buf));
}

/*
 * TTL and TOS: text in the words of the command ("ttl inherit", "ttl 64",
 * "ttl auto"; "tos inherit", "tos 0x10"), JSON with fixed types for
 * scripts, the number and the inherit flag.
 */
static void out_inherit(struct out *o, const char *word, bool has, unsigned int v,
			bool has_inherit, bool inherit, const char *fmt, const char *zero)
{
	char key[32];

	if (o->f) {
		if (inherit)
			fprintf(o->f, " %s inherit", word);
		else if (has && !v && zero)
			fprintf(o->f, " %s %s", word, zero);
		else if (has)
			fprintf(o->f, fmt, word, v);
		return;
	}
	if (has)
		set(o, word, json_integer(v));
	snprintf(key, sizeof(key), "%s_inherit", word);
	if (has_inherit)
		set(o, key, json_boolean(inherit));
}

/*
 * The words of `ip link add ... type podnet`, in its order: "vni 1 port
 * 8472 local 192.0.2.1 dev eth0 ttl auto tos 0x00 srcport 1000 2000
 * noudpcsum encap vxlan mac 02:00:00:00:00:01 srcvalid nodstvalid"
 * (srcport only when set), or the keys and types of `ip -j -d link show`.
 */
static void out_config(struct out *o, const struct pn_link_config *c)
{
	char buf[PN_PREFIX_STRLEN];

	if (PN_CFG_HAS(c, IFLA_PODNET_VNI))
		out_uint(o, "vni", "vni", c->vni);
	if (PN_CFG_HAS(c, IFLA_PODNET_PORT))
		out_uint(o, "port", "port", c->port);
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL))
		out_str(o, "local", "local", pn_addr_str(&c->local, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_LOCAL6))
		out_str(o, "local6", "local6", pn_addr_str(&c->local6, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_LINK))
		out_link(o, c->link);
	/* ttl 0 is auto; tos prints in hex, 0 included. */
	out_inherit(o, "ttl", PN_CFG_HAS(c, IFLA_PODNET_TTL), c->ttl,
		    PN_CFG_HAS(c, IFLA_PODNET_TTL_INHERIT), c->ttl_inherit, " %s %u", "auto");
	out_inherit(o, "tos", PN_CFG_HAS(c, IFLA_PODNET_TOS), c->tos,
		    PN_CFG_HAS(c, IFLA_PODNET_TOS_INHERIT), c->tos_inherit, " %s 0x%02x", NULL);
	if (o->f && (c->srcport_min || c->srcport_max))
		fprintf(o->f, " srcport %u %u", c->srcport_min, c->srcport_max);
	if (!o->f && PN_CFG_HAS(c, IFLA_PODNET_SRCPORT_MIN))
		set(o, "srcport_min", json_integer(c->srcport_min));
	if (!o->f && PN_CFG_HAS(c, IFLA_PODNET_SRCPORT_MAX))
		set(o, "srcport_max", json_integer(c->srcport_max));
	if (PN_CFG_HAS(c, IFLA_PODNET_UDP_CSUM))
		out_flag(o, "udp_csum", "udpcsum", c->udp_csum);
	if (PN_CFG_HAS(c, IFLA_PODNET_ENCAP))
		out_str(o, "encap", "encap", encap_name(c->encap));
	if (PN_CFG_HAS(c, IFLA_PODNET_MAC))
		out_str(o, "mac", "mac", pn_mac_str(c->mac, buf, sizeof(buf)));
	if (PN_CFG_HAS(c, IFLA_PODNET_SRC_VALID))
		out_flag(o, "src_valid", "srcvalid", c->src_valid);
	if (PN_CFG_HAS(c, IFLA_PODNET_DST_VALID))
		out_flag(o, "dst_valid", "dstvalid", c->dst_valid);
}

/* --- peers --------------------------------------------------------------- */

/*
 * " remote ADDR mac MAC prefix P ..." (the words of peer add), or
 * "remote", "mac" and the "prefixes" array.
 */
static void out_peer(struct out *o, const struct pn_peer *peer)
{
	char buf[PN_PREFIX_STRLEN];
	json_t *prefixes = NULL;
	size_t i;

	if (peer->has_remote)
		out_str(o, "remote", "remote", pn_addr_str(&peer->remote, buf, sizeof(buf)));
	if (peer->has_mac)
		out_str(o, "mac", "mac", pn_mac_str(peer->mac, buf, sizeof(buf)));
	if (!o->f && !(prefixes = json_array())) {
		o->err = 1;
		return;
	}
	for (i = 0; i < peer->n_prefixes; i++) {
		pn_prefix_str(&peer->prefixes[i], buf, sizeof(buf));
		if (o->f)
			fprintf(o->f, " prefix %s", buf);
		else if (json_array_append_new(prefixes, json_string(buf)))
			o->err = 1;
	}
	if (!o->f)
		set(o, "prefixes", prefixes);
}

/* --- devices, peers, events ---------------------------------------------- */

static json_t *done(struct out *o)
{
	if (o->err) {
		json_decref(o->j);
		return NULL;
	}
	return o->j;
}

static void device(struct out *o, const struct pn_msg *d)
{
	if (o->f) {
		fprintf(o->f, "%u: %s:", d->ifindex, d->ifname);
	} else {
		set(o, "ifindex", json_integer(d->ifindex));
		set(o, "ifname", json_string(d->ifname));
		set(o, "generation", json_integer(d->generation));
		set(o, "num_peers", json_integer(d->num_peers));
		set(o, "num_prefixes", json_integer(d->num_prefixes));
		if (PN_HAS(d, PODNET_A_REPLACE_PORTID))
			set(o, "replace_portid", json_integer(d->replace_portid));
	}
	out_config(o, &d->config);
	if (o->f) {
		fprintf(o->f, "\n    peers %u prefixes %u generation %u\n",
			d->num_peers, d->num_prefixes, d->generation);
		if (PN_HAS(d, PODNET_A_REPLACE_PORTID))
			fprintf(o->f, "    replace pending from port %u\n", d->replace_portid);
	}
	out_stats(o, "stats", &d->stats);
	if (o->f || PN_HAS(d, PODNET_A_SOCKET_STATS))
		out_sock_stats(o, &d->sock_stats);
}

void ctl_device_text(FILE *f, const struct pn_msg *d)
{
	struct out o = { .f = f };

	device(&o, d);
}

json_t *ctl_device_json(const struct pn_msg *d)
{
	struct out o = { .j = json_object() };

	if (!o.j)
		return NULL;
	device(&o, d);
	return done(&o);
}

/*
 * Text: one line in the words of a replace file ("remote ... prefix ..."),
 * preceded by "dev NAME" when @ifname is given; with @stats, the peer's
 * counters on the lines after.
 */
void ctl_peer_text(FILE *f, const struct pn_msg *p, const char *ifname, bool stats)
{
	struct pn_peer peer = p->peer;
	struct out o = { .f = f };

	if (ifname) {
		fprintf(f, "dev %s", ifname);
	} else if (peer.has_remote) {
		/* Without a leading "dev", no leading blank before "remote". */
		char buf[PN_PREFIX_STRLEN];

		fprintf(f, "remote %s", pn_addr_str(&peer.remote, buf, sizeof(buf)));
		peer.has_remote = false;
	}
	out_peer(&o, &peer);
	fputc('\n', f);
	if (stats && p->has_peer_stats)
		out_stats(&o, "stats", &p->peer_stats);
}

json_t *ctl_peer_json(const struct pn_msg *p, const char *ifname)
{
	struct out o = { .j = json_object() };

	if (!o.j)
		return NULL;
	set(&o, "ifindex", json_integer(p->ifindex));
	if (ifname)
		set(&o, "ifname", json_string(ifname));
	out_peer(&o, &p->peer);
	set(&o, "num_prefixes", json_integer(p->has_peer_num_prefixes ?
					      p->peer_num_prefixes : p->peer.n_prefixes));
	if (p->has_peer_stats)
		out_stats(&o, "stats", &p->peer_stats);
	return done(&o);
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case PODNET_CMD_NEW_PEER:
		return "add";
	case PODNET_CMD_DEL_PEER:
		return "del";
	case PODNET_CMD_FLUSH_PEERS:
		return "flush";
	case PODNET_CMD_REPLACE_COMMIT:
		return "replace";
	default:
		return NULL;
	}
}

/*
 * Text: "peer add dev NAME remote ... [created] generation N", in the
 * words of the command that made the change.  JSON: "event", "ifindex",
 * "ifname", "generation", "created", a "peer" object, "num_peers" and
 * "num_prefixes".
 */
static void event(struct out *o, const struct pn_msg *ev)
{
	const char *name = event_name(ev->cmd);
	bool peer = ev->cmd == PODNET_CMD_NEW_PEER || ev->cmd == PODNET_CMD_DEL_PEER;

	if (o->f) {
		if (name)
			fprintf(o->f, "peer %s dev %s", name, ev->ifname);
		else
			fprintf(o->f, "unknown event %u dev %s", ev->cmd, ev->ifname);
	} else {
		set(o, "event", json_string(name ? name : "unknown"));
		if (!name)
			set(o, "cmd", json_integer(ev->cmd));
		set(o, "ifindex", json_integer(ev->ifindex));
		set(o, "ifname", json_string(ev->ifname));
		set(o, "generation", json_integer(ev->generation));
	}
	if (!o->f && ev->cmd == PODNET_CMD_NEW_PEER)
		set(o, "created", json_boolean(ev->nlmsg_flags & NLM_F_CREATE));
	if (o->f && peer) {
		out_peer(o, &ev->peer);
		if (ev->cmd == PODNET_CMD_NEW_PEER && (ev->nlmsg_flags & NLM_F_CREATE))
			fputs(" created", o->f);
	} else if (!o->f && PN_HAS(ev, PODNET_A_PEER)) {
		struct out sub = { .j = json_object() };

		if (!sub.j) {
			o->err = 1;
		} else {
			out_peer(&sub, &ev->peer);
			if (ev->has_peer_num_prefixes)
				set(&sub, "num_prefixes", json_integer(ev->peer_num_prefixes));
			o->err |= sub.err;
			set(o, "peer", sub.j);
		}
	}
	if (o->f && !peer && name) {
		fprintf(o->f, " peers %u prefixes %u", ev->num_peers, ev->num_prefixes);
	} else if (!o->f) {
		if (PN_HAS(ev, PODNET_A_NUM_PEERS))
			set(o, "num_peers", json_integer(ev->num_peers));
		if (PN_HAS(ev, PODNET_A_NUM_PREFIXES))
			set(o, "num_prefixes", json_integer(ev->num_prefixes));
	}
	if (o->f)
		fprintf(o->f, " generation %u\n", ev->generation);
}

void ctl_event_text(FILE *f, const struct pn_msg *ev)
{
	struct out o = { .f = f };

	event(&o, ev);
}

json_t *ctl_event_json(const struct pn_msg *ev)
{
	struct out o = { .j = json_object() };

	if (!o.j)
		return NULL;
	event(&o, ev);
	return done(&o);
}
