/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * podnet: an L3 overlay link for Kubernetes pod networks.
 *
 * This is the only header shared by the kernel module and userspace.
 *
 * Link type
 * ---------
 * `ip link add podnet0 type podnet` creates an L3 device (ARPHRD_NONE,
 * IFF_POINTOPOINT | IFF_NOARP) that carries IPv4 and IPv6 packets to the
 * remote node owning their destination, encapsulated in UDP.
 */
#ifndef _UAPI_LINUX_PODNET_H
#define _UAPI_LINUX_PODNET_H

#define PODNET_LINK_KIND	"podnet"

/*
 * Bytes the default encapsulation (VXLAN, RFC 7348) adds in front of the
 * inner IP packet: outer IPv4 (20) or IPv6 (40) header, UDP (8), VXLAN (8)
 * and the inner Ethernet header (14).
 */
#define PODNET_VXLAN_OVERHEAD_IPV4	(20 + 8 + 8 + 14)
#define PODNET_VXLAN_OVERHEAD_IPV6	(40 + 8 + 8 + 14)

/* VXLAN-GPE (encap gpe) carries no inner Ethernet header: 14 bytes less. */
#define PODNET_GPE_OVERHEAD_IPV4	(20 + 8 + 8)
#define PODNET_GPE_OVERHEAD_IPV6	(40 + 8 + 8)

/*
 * Link attributes
 * ---------------
 *
 * Nested in IFLA_INFO_DATA of RTM_NEWLINK, RTM_SETLINK and RTM_GETLINK for
 * kind "podnet".  All are optional on creation; RTM_GETLINK reports every
 * one of them (the address attributes and IFLA_PODNET_LINK only if set).
 *
 * IFLA_PODNET_VNI          u32, 0..0xffffff, default 1.  The 24-bit VXLAN
 *                          network identifier sent and expected.
 * IFLA_PODNET_PORT         u16 in host order, default 8472 (the Linux and
 *                          Flannel VXLAN port).  The UDP port the device
 *                          receives on and sends to.  Several podnet
 *                          devices created in one netns may share a port
 *                          (and its socket) if their VNIs differ and they
 *                          bind the same local addresses.
 * IFLA_PODNET_LOCAL        4 bytes, network order.  Bind the IPv4 socket to
 *                          this address and send from it.
 * IFLA_PODNET_LOCAL6       16 bytes, network order.  Same for IPv6.
 *                          With neither LOCAL nor LOCAL6 the device listens
 *                          on the wildcard address of both families and
 *                          sends from the address the underlay route picks.
 *                          With only one of them the device uses only that
 *                          family; peers of the other family are dropped
 *                          (TX_DROP_NO_ROUTE).
 * IFLA_PODNET_LINK         u32 ifindex of the underlay device: the outer
 *                          packets are routed out of it only, and the
 *                          default MTU derives from its MTU.
 * IFLA_PODNET_TTL          u8, default 0: 0 takes the underlay route's hop
 *                          limit (net.ipv4.ip_default_ttl and friends).
 * IFLA_PODNET_TTL_INHERIT  u8 flag: copy the inner TTL / hop limit to the
 *                          outer header.  Excludes a non-zero TTL.
 * IFLA_PODNET_TOS          u8, default 0: outer DSCP (the TOS byte; its two
 *                          ECN bits must be zero).
 * IFLA_PODNET_TOS_INHERIT  u8 flag: copy the inner DSCP.  Excludes TOS.
 *                          Whatever the DSCP, the outer ECN field follows
 *                          RFC 6040 normal mode: copied from the inner
 *                          header on encapsulation, and combined back into
 *                          it on decapsulation (CE propagates; outer CE on
 *                          a not-ECT inner packet drops it).
 * IFLA_PODNET_SRCPORT_MIN  u16 host order } the outer UDP source port is a
 * IFLA_PODNET_SRCPORT_MAX  u16 host order } hash of the inner flow within
 *                          [MIN, MAX], for ECMP and RSS entropy.  Both or
 *                          neither; MIN <= MAX.  Default (reported as 0,0):
 *                          the netns' ip_local_port_range.
 * IFLA_PODNET_UDP_CSUM     u8 flag, default 0.  1: compute the outer UDP
 *                          checksum over IPv4 too.  Over IPv6 the checksum
 *                          is always computed (RFC 8200 receivers, Linux
 *                          vxlan among them, drop zero checksums by
 *                          default); received zero checksums are accepted
 *                          on both families.
 * IFLA_PODNET_ENCAP        u8, enum podnet_encap, default VXLAN.
 *                          PODNET_ENCAP_VXLAN: RFC 7348 - UDP, the 8-byte
 *                          VXLAN header (I flag, VNI), an inner Ethernet
 *                          header, the IP packet; interoperates with Linux
 *                          vxlan devices.  PODNET_ENCAP_GPE: VXLAN-GPE
 *                          (draft-ietf-nvo3-vxlan-gpe): the I and P flags,
 *                          next protocol IPv4 (1) or IPv6 (2), the IP
 *                          packet without Ethernet header; interoperates
 *                          with Linux `vxlan ... gpe external` devices.
 *                          Devices of both kinds may share a port (with
 *                          different VNIs); a packet whose header is not
 *                          its device's kind counts as RX_DROP_MALFORMED.
 *                          GPE packets are not aggregated by GRO.
 * IFLA_PODNET_SRC_VALID    u8 flag, default 1.  Accept a received packet
 *                          only if its outer source address is a peer's
 *                          endpoint and its inner source address lies in
 *                          that peer's prefixes; count the rest as
 *                          RX_DROP_NO_PEER or RX_DROP_SOURCE.  0 disables
 *                          both checks (any host knowing the VNI can then
 *                          inject packets, as with plain vxlan).
 * IFLA_PODNET_MAC          6 bytes, the device's VTEP MAC: the inner source
 *                          MAC of what it sends, and the inner destination
 *                          MAC to peers without one.  A unicast address;
 *                          random if not given.  Received frames are
 *                          accepted whatever their destination MAC.
 * IFLA_PODNET_DST_VALID    u8 flag, default 0.  Accept a received packet
 *                          only if the device's netns routes its inner
 *                          destination to a local device as a unicast
 *                          route without gateway, that device being
 *                          neither this one nor the underlay device the
 *                          packet came in on (a pod's veth, say); count
 *                          the rest as RX_DROP_DEST.  It keeps peers from
 *                          using the node as a router: to its own
 *                          addresses, to link-local addresses, or out
 *                          through a gateway.
 *
 * TTL, TTL_INHERIT, TOS, TOS_INHERIT, SRCPORT_*, UDP_CSUM, SRC_VALID and
 * DST_VALID can be changed on a live device (RTM_NEWLINK on an existing
 * device, i.e. `ip link set ... type podnet ...`).  VNI, PORT, LOCAL,
 * LOCAL6, LINK, ENCAP and MAC are fixed at creation: a request to change
 * them fails with EOPNOTSUPP and an extended ack naming the attribute
 * (sending the current value is not a change).
 *
 * The device's UDP sockets live in the netns it was created in (the netns
 * of the RTM_NEWLINK request, or the one named by IFLA_LINK_NETNSID) and
 * stay there if the device is moved to another netns; LINK and the
 * addresses refer to that netns.  Deleting that netns deletes the device.
 *
 * The default MTU is the MTU of LINK (1500 without it) minus the
 * encapsulation overhead: PODNET_VXLAN_OVERHEAD_IPV4 (PODNET_GPE_* for
 * encap gpe) if the device can only use IPv4 (LOCAL without LOCAL6), else
 * PODNET_VXLAN_OVERHEAD_IPV6,
 * so that a packet of the MTU fits to any peer.  Packets bigger than the
 * path to a peer allows are answered with ICMP fragmentation-needed or
 * ICMPv6 packet-too-big (counted as TX_DROP_MTU).
 */
#define PODNET_VNI_MAX			0xffffff
#define PODNET_DEFAULT_VNI		1
#define PODNET_DEFAULT_PORT		8472

enum podnet_encap {
	PODNET_ENCAP_VXLAN,
	PODNET_ENCAP_GPE,
	__PODNET_ENCAP_MAX
};
#define PODNET_ENCAP_MAX (__PODNET_ENCAP_MAX - 1)

enum {
	IFLA_PODNET_UNSPEC,
	IFLA_PODNET_VNI,
	IFLA_PODNET_PORT,
	IFLA_PODNET_LOCAL,
	IFLA_PODNET_LOCAL6,
	IFLA_PODNET_LINK,
	IFLA_PODNET_TTL,
	IFLA_PODNET_TTL_INHERIT,
	IFLA_PODNET_TOS,
	IFLA_PODNET_TOS_INHERIT,
	IFLA_PODNET_SRCPORT_MIN,
	IFLA_PODNET_SRCPORT_MAX,
	IFLA_PODNET_UDP_CSUM,
	IFLA_PODNET_ENCAP,
	IFLA_PODNET_SRC_VALID,
	IFLA_PODNET_MAC,
	IFLA_PODNET_DST_VALID,
	__IFLA_PODNET_MAX
};
#define IFLA_PODNET_MAX (__IFLA_PODNET_MAX - 1)

/*
 * Link statistics
 * ---------------
 *
 * IFLA_INFO_XSTATS in IFLA_LINKINFO of RTM_GETLINK: a nest of
 * PODNET_XSTATS_*, each a u64 (PODNET_XSTATS_PAD aligns them).  They count
 * received packets dropped on the device's UDP sockets before any device
 * could be told, so they are not in the per-device counters (PODNET_A_STATS)
 * of the generic netlink family; its GET_DEVICE replies carry the same nest
 * as PODNET_A_SOCKET_STATS:
 *
 * PODNET_XSTATS_RX_DROP_BAD_HEADER  shorter than the UDP and VXLAN headers,
 *                                   or a VXLAN flag other than I, or the
 *                                   reserved bits not zero
 * PODNET_XSTATS_RX_DROP_BAD_VNI     no device with that VNI on the socket
 *
 * The counts of the sockets the device is on while up, zeros while down
 * (a socket goes when its last device goes down).  Devices that
 * share a socket (one port, different VNIs) report the same counts.
 */
enum {
	PODNET_XSTATS_UNSPEC,
	PODNET_XSTATS_PAD,
	PODNET_XSTATS_RX_DROP_BAD_HEADER,
	PODNET_XSTATS_RX_DROP_BAD_VNI,
	__PODNET_XSTATS_MAX
};
#define PODNET_XSTATS_MAX (__PODNET_XSTATS_MAX - 1)

/*
 * Generic netlink family "podnet", version 1
 * ------------------------------------------
 *
 * The family programs the peer table of a podnet device.  A peer is a
 * remote node, named by its underlay address (IPv4 or IPv6; no port, the
 * device's destination port is used for every peer).  It owns a set of
 * prefixes (IPv4 and/or IPv6, any length, host bits zero): packets whose
 * inner destination's longest matching prefix belongs to the peer are sent
 * to it, and packets received from it are accepted only if the longest
 * prefix matching their inner source belongs to it.  A prefix belongs to at
 * most one peer of a device.  A peer may also carry an inner MAC address
 * (used by the flannel-compatible encapsulation) and keeps counters.
 *
 * Every request names its device with PODNET_A_IFINDEX or PODNET_A_IFNAME
 * (if both are given they must name the same device), which must be a
 * podnet device in the netns of the requesting socket.  Reads are open to
 * anyone in that netns; every command that changes something requires
 * CAP_NET_ADMIN in the user namespace owning the netns.  Policies are
 * strict: unknown attributes, wrong lengths and out-of-range values are
 * rejected, and every error comes with an extended ack message, most with
 * the offending attribute.  A request either applies completely or not at
 * all.
 *
 * The attribute layout of a message is:
 *
 *   PODNET_A_IFINDEX          u32
 *   PODNET_A_IFNAME           NUL-terminated string
 *   PODNET_A_GENERATION       u32, replies and notifications only
 *   PODNET_A_NUM_PEERS        u32, replies and notifications only
 *   PODNET_A_NUM_PREFIXES     u32, replies and notifications only
 *   PODNET_A_REPLACE_PORTID   u32, GET_DEVICE replies, only while a replace
 *                             is being built: the netlink port id of the
 *                             socket building it
 *   PODNET_A_STATS            nest of PODNET_STATS_A_*: the sum over the
 *                             device's peers plus the drops that belong to
 *                             no peer
 *   PODNET_A_CONFIG           nest of IFLA_PODNET_*, GET_DEVICE replies only:
 *                             the link configuration, the same attributes
 *                             RTM_GETLINK reports in IFLA_INFO_DATA (VNI,
 *                             PORT, TTL, TTL_INHERIT, TOS, TOS_INHERIT,
 *                             SRCPORT_MIN/MAX, UDP_CSUM, ENCAP, SRC_VALID
 *                             always; LOCAL, LOCAL6 and LINK only if set)
 *   PODNET_A_SOCKET_STATS     nest of PODNET_XSTATS_*, GET_DEVICE replies
 *                             only: the drops counted on the device's UDP
 *                             sockets, which belong to no peer and to no
 *                             device in particular (see Link statistics
 *                             above: shared sockets, zeros while down)
 *   PODNET_A_PEER             nest, one peer (see "Large peers" below for
 *                             requests that repeat it):
 *     PODNET_PEER_A_REMOTE_IPV4  4 bytes, network order   } exactly one
 *     PODNET_PEER_A_REMOTE_IPV6  16 bytes, network order  } of the two
 *     PODNET_PEER_A_MAC          6 bytes; all-zero removes the MAC
 *     PODNET_PEER_A_NUM_PREFIXES u32, replies only
 *     PODNET_PEER_A_STATS        nest of PODNET_STATS_A_*, replies only
 *     PODNET_PEER_A_PREFIX       nest, repeated once per prefix:
 *       PODNET_PREFIX_A_IPV4     4 bytes   } exactly one
 *       PODNET_PREFIX_A_IPV6     16 bytes  } of the two
 *       PODNET_PREFIX_A_LEN      u8, at most 32 (IPv4) or 128 (IPv6)
 *
 * Commands
 * --------
 *
 * PODNET_CMD_GET_DEVICE
 *   do: the device named by the request.  dump (no attributes): every
 *   podnet device of the netns.  One message per device with IFINDEX,
 *   IFNAME, GENERATION, NUM_PEERS, NUM_PREFIXES, STATS, CONFIG,
 *   SOCKET_STATS and, while a replace is pending, REPLACE_PORTID.  The
 *   configuration is read without RTNL, one field at a time, as the
 *   datapath reads it: a reply racing with `ip link set` may show some
 *   fields before the change and some after.
 *
 * PODNET_CMD_NEW_PEER
 *   Create the peer named by PEER's REMOTE_IPV4/IPV6, or update it if it
 *   exists: the PREFIX attributes are added to its prefixes (a prefix it
 *   already owns is not an error), MAC is set if present.  A prefix owned
 *   by another peer fails the request with EEXIST, unless the request
 *   carries NLM_F_REPLACE, in which case the prefix moves to this peer.
 *   NLM_F_EXCL fails the request with EEXIST if the peer exists.  Any
 *   number of prefixes may come in one request, in repeated PEER nests
 *   (see "Large peers"); they are applied all or none.
 *
 * PODNET_CMD_DEL_PEER
 *   With REMOTE and no PREFIX: delete the peer and all its prefixes.
 *   With REMOTE and PREFIXes: remove those prefixes from that peer (each
 *   must be owned by it); the peer stays, even with no prefix left.
 *   With PREFIXes only: remove each prefix from whichever peer owns it.
 *   A peer or prefix that does not exist fails the request with ENOENT.
 *
 * PODNET_CMD_GET_PEER
 *   dump only: the peers of the device, or only the one named by an
 *   optional PEER nest with REMOTE in the request.  Each message carries
 *   IFINDEX and one PEER nest.  A peer's first message carries REMOTE,
 *   MAC, NUM_PREFIXES, STATS and as many PREFIXes as fit; if they do not
 *   all fit, the following messages carry the same REMOTE and the rest of
 *   the PREFIXes, so a reader appends PREFIXes of consecutive messages with
 *   the same REMOTE.  Dumps resume across as many messages as needed; if
 *   the table changed while the dump ran, messages are flagged with
 *   NLM_F_DUMP_INTR and the reader should dump again.
 *
 * PODNET_CMD_FLUSH_PEERS
 *   Delete every peer of the device.  Atomic: lookups see the full table
 *   or the empty one.
 *
 * Large peers
 * -----------
 *
 * An attribute is at most 64 KiB (nla_len is 16 bits), so one PEER nest
 * holds at most about 3,270 IPv4 or 2,040 IPv6 prefixes.  NEW_PEER,
 * DEL_PEER and REPLACE_ADD therefore accept PEER more than once: the
 * request is about one peer, every PEER nest names the same REMOTE (or,
 * for DEL_PEER by prefix, none does), MAC may only be in the first, and
 * the PREFIXes of all the nests form one list, checked and applied as a
 * whole.  A request is bounded only by the netlink socket's send buffer
 * (SO_SNDBUF; a larger message is refused with EMSGSIZE before the family
 * sees it), and by PODNET_MAX_PREFIXES.  Notifications of such a request
 * repeat PEER the same way.  GET_PEER takes a single PEER as its filter.
 *
 * Atomic replace of the whole table
 * ---------------------------------
 *
 * PODNET_CMD_REPLACE_BEGIN starts building a new, empty table for the
 * device, owned by the sending socket (its netlink port id).
 * PODNET_CMD_REPLACE_ADD then adds one peer per message to it, with the
 * same attributes and rules as NEW_PEER (including several messages for
 * one peer, NLM_F_REPLACE and NLM_F_EXCL), but checked against the new
 * table only; the live table is untouched and keeps forwarding.
 * PODNET_CMD_REPLACE_COMMIT swaps the new table in at once: lookups see
 * either the old table or the new one, never a mix, so a prefix present in
 * both forwards throughout.  Counters of peers present in both tables
 * carry over.  PODNET_CMD_REPLACE_ABORT discards the new table.
 *
 * One replace may be pending per device: BEGIN from another socket fails
 * with EBUSY; BEGIN from the owning socket starts over.  ADD, COMMIT and
 * ABORT from any other socket, or with nothing pending, fail with ENOENT.
 * If the owning socket is closed before COMMIT, the new table is freed and
 * the live table stays.  NEW_PEER, DEL_PEER and FLUSH_PEERS keep working on
 * the live table meanwhile; COMMIT discards those changes.  Only one
 * socket should program a device at a time.
 *
 * Notifications
 * -------------
 *
 * Every change is announced to the multicast group PODNET_MCGRP_EVENTS
 * ("events") with the command that made it, IFINDEX, IFNAME and the new
 * GENERATION:
 *   NEW_PEER   PEER with REMOTE, MAC if set, NUM_PREFIXES, and the PREFIXes
 *              of the request, which the peer now owns (they were taken
 *              from any previous owner); nlmsg_flags has NLM_F_CREATE if
 *              the peer is new, NLM_F_REPLACE if it existed.
 *   DEL_PEER   PEER with the REMOTE and PREFIXes of the request.
 *   Prefixes that do not fit in one PEER continue in further PEER nests
 *   of the same message, each with REMOTE.  A listener whose receive
 *   buffer cannot take a notification gets ENOBUFS, as for any overrun.
 *   FLUSH_PEERS and REPLACE_COMMIT  NUM_PEERS and NUM_PREFIXES of the new
 *              table.
 * The generation counter of a device goes up by at least one with every
 * change of its live table; it is never 0.  One counter serves all devices,
 * so two devices never show the same generation.
 *
 * Errors
 * ------
 *
 * EINVAL    malformed or missing attribute, bad address or prefix, repeated
 *           PEER nests that name different remotes
 * ENODEV    no such device in the netns;  EOPNOTSUPP  not a podnet device
 * EEXIST    prefix owned by another peer, or peer exists with NLM_F_EXCL
 * ENOENT    no such peer or prefix; no replace pending for this socket
 * EBUSY     a replace is pending from another socket
 * ENOSPC    the table would exceed PODNET_MAX_PEERS or PODNET_MAX_PREFIXES
 * EPERM     a changing command without CAP_NET_ADMIN
 */

#define PODNET_GENL_NAME		"podnet"
#define PODNET_GENL_VERSION		1
#define PODNET_MCGRP_EVENTS		"events"

#define PODNET_MAX_PEERS		(1U << 20)
#define PODNET_MAX_PREFIXES		(1U << 22)

enum podnet_cmd {
	PODNET_CMD_UNSPEC,
	PODNET_CMD_GET_DEVICE,
	PODNET_CMD_NEW_PEER,
	PODNET_CMD_DEL_PEER,
	PODNET_CMD_GET_PEER,
	PODNET_CMD_FLUSH_PEERS,
	PODNET_CMD_REPLACE_BEGIN,
	PODNET_CMD_REPLACE_ADD,
	PODNET_CMD_REPLACE_COMMIT,
	PODNET_CMD_REPLACE_ABORT,
	__PODNET_CMD_MAX
};
#define PODNET_CMD_MAX (__PODNET_CMD_MAX - 1)

enum podnet_attr {
	PODNET_A_UNSPEC,
	PODNET_A_IFINDEX,
	PODNET_A_IFNAME,
	PODNET_A_GENERATION,
	PODNET_A_NUM_PEERS,
	PODNET_A_NUM_PREFIXES,
	PODNET_A_REPLACE_PORTID,
	PODNET_A_STATS,
	PODNET_A_PEER,
	PODNET_A_CONFIG,
	PODNET_A_SOCKET_STATS,
	__PODNET_A_MAX
};
#define PODNET_A_MAX (__PODNET_A_MAX - 1)

enum podnet_peer_attr {
	PODNET_PEER_A_UNSPEC,
	PODNET_PEER_A_REMOTE_IPV4,
	PODNET_PEER_A_REMOTE_IPV6,
	PODNET_PEER_A_MAC,
	PODNET_PEER_A_NUM_PREFIXES,
	PODNET_PEER_A_STATS,
	PODNET_PEER_A_PREFIX,
	__PODNET_PEER_A_MAX
};
#define PODNET_PEER_A_MAX (__PODNET_PEER_A_MAX - 1)

enum podnet_prefix_attr {
	PODNET_PREFIX_A_UNSPEC,
	PODNET_PREFIX_A_IPV4,
	PODNET_PREFIX_A_IPV6,
	PODNET_PREFIX_A_LEN,
	__PODNET_PREFIX_A_MAX
};
#define PODNET_PREFIX_A_MAX (__PODNET_PREFIX_A_MAX - 1)

/*
 * Counters, all u64 (PAD is only alignment padding).  TX/RX packets and
 * bytes count inner packets.  Drop reasons:
 *   TX_DROP_NO_PEER      no prefix matches the inner destination (device
 *                        totals only)
 *   TX_DROP_NO_ROUTE     no underlay route to the peer
 *   TX_DROP_MTU          packet too big for the underlay path
 *   TX_DROP_OTHER        any other transmit failure
 *   RX_DROP_NO_PEER      packet from an underlay address that is no peer
 *                        (device totals only)
 *   RX_DROP_SOURCE       inner source not within the sending peer's prefixes
 *   RX_DROP_MALFORMED    bad encapsulation or inner header
 *   RX_DROP_OTHER        any other receive failure
 *   RX_DROP_DEST         inner destination not routed to a local device
 *                        (IFLA_PODNET_DST_VALID)
 */
enum podnet_stats_attr {
	PODNET_STATS_A_UNSPEC,
	PODNET_STATS_A_PAD,
	PODNET_STATS_A_TX_PACKETS,
	PODNET_STATS_A_TX_BYTES,
	PODNET_STATS_A_RX_PACKETS,
	PODNET_STATS_A_RX_BYTES,
	PODNET_STATS_A_TX_DROP_NO_PEER,
	PODNET_STATS_A_TX_DROP_NO_ROUTE,
	PODNET_STATS_A_TX_DROP_MTU,
	PODNET_STATS_A_TX_DROP_OTHER,
	PODNET_STATS_A_RX_DROP_NO_PEER,
	PODNET_STATS_A_RX_DROP_SOURCE,
	PODNET_STATS_A_RX_DROP_MALFORMED,
	PODNET_STATS_A_RX_DROP_OTHER,
	PODNET_STATS_A_RX_DROP_DEST,
	__PODNET_STATS_A_MAX
};
#define PODNET_STATS_A_MAX (__PODNET_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_PODNET_H */
