/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building and parsing messages of the "podnet" generic netlink family
 * (include/uapi/linux/podnet.h).  Sockets are lib/nl.h's business; this
 * file only lays out and reads attributes, so it is unit-tested byte by
 * byte without a kernel.
 */
#ifndef PN_PODNET_H
#define PN_PODNET_H

#include <linux/podnet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "nl.h"
#include "peer.h"

/*
 * The largest request we build.  A table of 100k prefixes is about 2-3 MB
 * of attributes (20 bytes per IPv4 prefix, 32 per IPv6), so it must be
 * split.  32 KiB carries ~1600 IPv4 prefixes per message (~60 messages for
 * 100k, so round trips do not matter), stays far below the default socket
 * send buffer (net.core.wmem_default, 208 KiB; netlink refuses a message
 * larger than the send buffer), and matches the largest skb the kernel
 * itself builds for dumps.  Larger messages would gain nothing but make
 * the kernel vmalloc bigger buffers.
 */
#define PN_MSG_MAX	32768

/*
 * A netlink attribute is at most 64 KiB (nla_len is 16 bits), so a peer
 * sent in one request carries its prefixes in several PEER nests of at
 * most this many bytes ("Large peers" in the UAPI header): ~3270 IPv4
 * prefixes each.
 */
#define PN_NEST_MAX	65535

/*
 * The largest single request podnetctl builds for one peer (peer add, peer
 * del): 4 MiB, about 200,000 IPv4 or 130,000 IPv6 prefixes, beyond any
 * node's pod CIDRs.  The kernel takes a request as large as the socket's
 * send buffer (pn_genl_reserve_send() in nl.h); the cap keeps a runaway
 * generator from making the kernel parse and lock in megabytes at once.
 */
#define PN_REQ_MAX	(4U << 20)

/*
 * Where the node agent says a device's peer table is programmed, and the
 * CNI plugin's STATUS looks (the device's name in %s): the ifindex of the
 * device it was programmed for.  /run, so a reboot forgets it.
 */
#define PN_SYNC_FILE_FMT	"/run/podnet/%s.synced"

struct pn_stats {
	uint32_t present;		/* bit i: PODNET_STATS_A_i was sent */
	uint64_t v[PODNET_STATS_A_MAX + 1];
};

/* "tx_packets", ... for PODNET_STATS_A_*; NULL for UNSPEC/PAD/unknown. */
const char *pn_stats_name(int type);

/* PODNET_A_SOCKET_STATS: the socket drop counters (PODNET_XSTATS_*). */
struct pn_sock_stats {
	uint32_t present;		/* bit i: PODNET_XSTATS_i was sent */
	uint64_t v[PODNET_XSTATS_MAX + 1];
};

/* "rx_drop_bad_header", ... for PODNET_XSTATS_*; NULL for PAD/unknown. */
const char *pn_sock_stats_name(int type);

/*
 * PODNET_A_CONFIG: the link configuration (IFLA_PODNET_*, as RTM_GETLINK
 * reports it).  present has bit IFLA_PODNET_x for each attribute sent.
 */
struct pn_link_config {
	uint32_t present;
	uint32_t vni;
	uint16_t port;
	struct pn_addr local;
	struct pn_addr local6;
	uint32_t link;			/* underlay ifindex */
	uint8_t ttl, tos, encap;
	bool ttl_inherit, tos_inherit, udp_csum, src_valid, dst_valid;
	uint16_t srcport_min, srcport_max;
	uint8_t mac[PN_MAC_LEN];	/* the device's VTEP MAC */
};

#define PN_CFG_HAS(c, attr)	(!!((c)->present & (1U << (attr))))

/* "PODNET_A_IFNAME"-style names of top-level attributes, for errors. */
const char *pn_attr_name(int type);

/*
 * Everything a podnet message can carry: a GET_DEVICE reply, a GET_PEER
 * reply or a notification.  has_* says what was present.
 */
struct pn_msg {
	uint8_t cmd;
	uint16_t nlmsg_flags;
	uint32_t has;			/* bit PODNET_A_x: attribute present */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t generation;
	uint32_t num_peers;
	uint32_t num_prefixes;
	uint32_t replace_portid;
	struct pn_stats stats;
	struct pn_link_config config;
	struct pn_sock_stats sock_stats;

	struct pn_peer peer;		/* remote, mac, prefixes (allocated) */
	bool has_peer_num_prefixes;
	uint32_t peer_num_prefixes;
	bool has_peer_stats;
	struct pn_stats peer_stats;
};

#define PN_HAS(m, attr)	(!!((m)->has & (1U << (attr))))

/* Parse @nlh into @m; -1 with errno EPROTO or ENOMEM.  Free with pn_msg_free. */
int pn_msg_parse(const struct nlmsghdr *nlh, struct pn_msg *m);
void pn_msg_free(struct pn_msg *m);

/* Start a podnet request in @buf (PN_MSG_MAX bytes). */
struct nlmsghdr *pn_msg_start(void *buf, uint16_t family_id, uint8_t cmd, uint16_t flags);

/* IFNAME (and IFINDEX if non-zero) naming the device. */
void pn_put_dev(struct nlmsghdr *nlh, uint32_t ifindex, const char *ifname);

/*
 * Add a PEER nest with @peer's remote and MAC (each if set), and prefixes from
 * *next on, as many as keep the message within @limit bytes; *next moves
 * past them.  Returns the number of prefixes put, or -1 if not even the
 * remote and MAC fit.  @with_prefixes false puts no PREFIX at all.
 */
long pn_put_peer(struct nlmsghdr *nlh, size_t limit, const struct pn_peer *peer,
		 size_t *next, bool with_prefixes);

/*
 * Bytes of the PEER nests that carry all of @peer in one request: each at
 * most PN_NEST_MAX, REMOTE in each, MAC in the first (pn_put_peer_all()).
 */
size_t pn_peer_nests_size(const struct pn_peer *peer);

/*
 * Put all of @peer into @nlh, in as many PEER nests as its prefixes need;
 * the buffer must have pn_peer_nests_size() bytes past nlmsg_len.
 */
void pn_put_peer_all(struct nlmsghdr *nlh, const struct pn_peer *peer);

/* One PREFIX nest inside an open PEER nest; false if it would pass @limit. */
bool pn_put_prefix(struct nlmsghdr *nlh, size_t limit, const struct pn_prefix *p);

/* Bytes one PREFIX nest takes: 20 for IPv4, 32 for IPv6. */
size_t pn_prefix_attr_size(const struct pn_prefix *p);

/*
 * Lay out REPLACE_ADD messages for @peers (all of each, in as many
 * messages as its prefixes need), at most @limit bytes each, packed into
 * batches of at most @limit bytes, and hand each batch to @send with, for
 * each of its messages, the index of its peer.  Stops at the first
 * non-zero return of @send and returns it; -EMSGSIZE if a message cannot
 * hold even one prefix, -ENOMEM.
 */
typedef int (*pn_batch_fn)(void *buf, size_t len, size_t n, const size_t *entry, void *data);
int pn_replace_build(const struct pn_peer *const *peers, size_t n_peers, uint16_t family_id,
		     const char *dev, size_t limit, pn_batch_fn send, void *data);

#endif
