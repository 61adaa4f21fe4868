// SPDX-License-Identifier: GPL-2.0
/*
 * pnhostile: hostile UDP packets to a podnet node's tunnel port (issue 14,
 * lane 2), as Ethernet frames out of an interface of the underlay (an
 * AF_PACKET socket: outer sources, checksums and fragments are ours to
 * forge), for selftests/tests/49-hostile.sh.
 *
 *     pnhostile [-n PACKETS] [-s SEED] [-c CONTROL] IFACE DSTMAC
 *
 * The receiver is node 1 of selftests/tools/topology.sh (192.168.99.1,
 * fd00:99::1, port 8472) with podnet0 (VXLAN, VNI 1) and pngpe (GPE, VNI 2),
 * both with the peers 192.168.99.2 (10.244.2.0/24, fd10:2::/64) and
 * fd00:99::3 (10.244.3.0/24, fd10:3::/64).  PACKETS hostile packets (each
 * one datagram, whatever the number of frames) of the classes below are
 * sent in a random order (SEED), every class over both underlay families,
 * then CONTROL valid ones (inner UDP to 10.244.1.10 / fd10:1::10 port 10),
 * which must be delivered; hostile inner packets go to port 9.
 *
 * Prints one line per class, "class NAME FAMILY SENT COUNTER...", then one
 * per counter, "expect COUNTER N": what each counter of the receiver must
 * have grown by (a class's packets each count once in each of its
 * counters: a bad UDP checksum is in Udp InCsumErrors and in InErrors,
 * which sums every UDP error).  Counters: "sock:" the sockets' drops
 * (socket_stats), "DEV:" a device's own, "DEV/PEER:" a peer's, "Udp:" /
 * "Udp6:" / "Ip:" / "Ip6:" /proc/net/snmp(6) fields, "pod:delivered" the
 * control packets.  Fragments: Ip ReasmFails counts a datagram whose
 * fragments never all arrive (one non-first fragment each; the receiver's
 * ipfrag_time decides when), ReasmReqds every fragment, ReasmOKs every
 * datagram put together.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT		8472
#define VNI_VX		1
#define VNI_GPE		2
#define MTU		1500
#define MAX_DGRAM	65535

enum ctr {
	K_BADHDR, K_BADVNI,
	K_MAL, K_NOPEER, K_SRC_P2, K_SRC_P3, K_OTHER_P2, K_OTHER_P3,
	K_GMAL, K_GNOPEER, K_GSRC_P2, K_GSRC_P3,
	K_UCSUM, K_UERR, K_U6CSUM, K_U6ERR,
	K_RFAIL, K_R6FAIL, K_ROK, K_R6OK, K_RREQ, K_R6REQ,
	K_DELIVERED, K_NONE, K_MAX
};

static const char *const ctr_name[K_MAX] = {
	"sock:rx_drop_bad_header", "sock:rx_drop_bad_vni",
	"podnet0:rx_drop_malformed", "podnet0:rx_drop_no_peer",
	"podnet0/192.168.99.2:rx_drop_source", "podnet0/fd00:99::3:rx_drop_source",
	"podnet0/192.168.99.2:rx_drop_other", "podnet0/fd00:99::3:rx_drop_other",
	"pngpe:rx_drop_malformed", "pngpe:rx_drop_no_peer",
	"pngpe/192.168.99.2:rx_drop_source", "pngpe/fd00:99::3:rx_drop_source",
	"Udp:InCsumErrors", "Udp:InErrors", "Udp6:Udp6InCsumErrors", "Udp6:Udp6InErrors",
	"Ip:ReasmFails", "Ip6:Ip6ReasmFails", "Ip:ReasmOKs", "Ip6:Ip6ReasmOKs",
	"Ip:ReasmReqds", "Ip6:Ip6ReasmReqds",
	"pod:delivered", NULL,
};

struct addrs {
	uint8_t node[16], p2[16], p3[16], stranger[16];
};

/* Outer addresses by family (index 0: IPv4, 1: IPv6), inner ones too. */
static struct addrs out_a[2], in_a[2];
static uint8_t pod1[2][16], nobody[2][16];

/* One datagram to send: the UDP payload is in dgram + 8. */
struct job {
	int fam;		/* 0 IPv4, 1 IPv6 outer */
	const uint8_t *src;
	size_t plen;
	bool bad_csum;
	unsigned int udplen_extra;
	int frag;		/* 0 whole, 1 fragmented, 2 one lost fragment */
	uint8_t tos;
	enum ctr ctr[2];
};

static uint8_t dgram[MAX_DGRAM + 64];
static uint8_t frame[MTU + 64];
static uint8_t dstmac[6], srcmac[6];
static int sock_fd;
static uint64_t rng;
static uint64_t expect[K_MAX];
static uint64_t frames_sent;
static uint32_t frag_id = 1;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int rndn(unsigned int n)
{
	return rnd() % n;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; n -= 2, p += 2)
		s += p[0] << 8 | p[1];
	if (n)
		s += p[0] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static size_t alen(int fam)
{
	return fam ? 16 : 4;
}

/* A UDP header over @len payload bytes at @u + 8, checksummed (IPv4: when
 * @sum) with the pseudo header of @src -> @dst; 0 stays 0 over IPv4.
 */
static void udp_hdr(uint8_t *u, int fam, const uint8_t *src, const uint8_t *dst,
		    uint16_t sport, uint16_t dport, size_t len, bool sum)
{
	uint32_t s;
	uint16_t c;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, len + 8);
	put16(u + 6, 0);
	if (!sum)
		return;
	s = csum_add(0, src, alen(fam));
	s = csum_add(s, dst, alen(fam));
	s += 17 + len + 8;
	s = csum_add(s, u, len + 8);
	c = csum_fold(s);
	put16(u + 6, c ? c : 0xffff);
}

static void ip4_hdr(uint8_t *h, uint8_t tos, size_t total, uint16_t id,
		    uint16_t frag, uint8_t proto, const uint8_t *src, const uint8_t *dst)
{
	h[0] = 0x45;
	h[1] = tos;
	put16(h + 2, total);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	put16(h + 10, 0);
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	put16(h + 10, csum_fold(csum_add(0, h, 20)));
}

static void ip6_hdr(uint8_t *h, uint8_t tc, size_t plen, uint8_t nh,
		    const uint8_t *src, const uint8_t *dst)
{
	put32(h, 0x60000000 | (uint32_t)tc << 20);
	put16(h + 4, plen);
	h[6] = nh;
	h[7] = 64;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

/* An inner IP packet of family @fam, UDP to @dport with @size bytes; its
 * length.
 */
static size_t inner_ip(uint8_t *p, int fam, const uint8_t *src,
		       const uint8_t *dst, size_t size, uint16_t dport)
{
	size_t hl = fam ? 40 : 20;

	memset(p + hl + 8, 'h', size);
	udp_hdr(p + hl, fam, src, dst, 7777, dport, size, true);
	if (fam)
		ip6_hdr(p, 0, size + 8, 17, src, dst);
	else
		ip4_hdr(p, 0, hl + 8 + size, 1, 0, 17, src, dst);
	return hl + 8 + size;
}

static size_t eth_hdr(uint8_t *p, uint16_t type)
{
	static const uint8_t m[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(p, m, 12);
	put16(p + 12, type);
	return 14;
}

static size_t vx_hdr(uint8_t *p, uint32_t flags, uint32_t vni, uint8_t res)
{
	put32(p, flags);
	put32(p + 4, vni << 8 | res);
	return 8;
}

/* GPE: flags I|P (0x0c) plus @extra, next protocol @np. */
static size_t gpe_hdr(uint8_t *p, uint8_t extra, uint8_t np, uint32_t vni)
{
	return vx_hdr(p, (uint32_t)(0x0c | extra) << 24 | np, vni, 0);
}

/*
 * The encapsulated packet @gpe (VXLAN with inner Ethernet, or GPE) for
 * VNI @vni, inner family @ifam from @isrc to pod 1a, @size payload bytes;
 * the UDP payload's length.
 */
static size_t encap(bool gpe, uint32_t vni, int ifam, const uint8_t *isrc,
		    size_t size, uint16_t dport)
{
	uint8_t *p = dgram + 8;
	size_t n;

	if (gpe) {
		n = gpe_hdr(p, 0, ifam ? 2 : 1, vni);
	} else {
		n = vx_hdr(p, 0x08000000, vni, 0);
		n += eth_hdr(p + n, ifam ? ETH_P_IPV6 : ETH_P_IP);
	}
	return n + inner_ip(p + n, ifam, isrc, pod1[ifam], size, dport);
}

static const uint8_t *peer_of(int fam)
{
	return fam ? out_a[1].p3 : out_a[0].p2;
}

/* The inner source the peer of outer family @fam owns, in family @ifam. */
static const uint8_t *own_src(int fam, int ifam)
{
	return fam ? in_a[ifam].p3 : in_a[ifam].p2;
}

/* An inner source the peer of @fam does not own: another peer's, nobody's
 * or the receiving node's own pod's.
 */
static const uint8_t *spoofed_src(int fam, int ifam)
{
	switch (rndn(3)) {
	case 0:
		return fam ? in_a[ifam].p2 : in_a[ifam].p3;
	case 1:
		return nobody[ifam];
	}
	return pod1[ifam];
}

static enum ctr src_ctr(bool gpe, int fam)
{
	if (gpe)
		return fam ? K_GSRC_P3 : K_GSRC_P2;
	return fam ? K_SRC_P3 : K_SRC_P2;
}

static size_t small(void)
{
	return rndn(64);
}

/* --- the classes: each fills @j and the payload ------------------------- */

static void c_short(struct job *j)
{
	j->plen = rndn(16);
	rnd_bytes(dgram + 8, j->plen);
	j->ctr[0] = K_BADHDR;
}

/* VXLAN flags other than I (or I with other bits of the flags word). */
static void c_flags(struct job *j)
{
	int ifam = rndn(2);
	uint32_t f;

	j->plen = encap(false, VNI_VX, ifam, own_src(j->fam, ifam), small(), 9);
	do
		f = rndn(2) ? (uint32_t)rndn(256) << 24 : 0x08000000 | (rnd() & 0xffffff);
	while (f == 0x08000000 || f >> 24 == 0x0c);
	put32(dgram + 8, f);
	j->ctr[0] = K_BADHDR;
}

/* The VNI word's reserved last byte not zero. */
static void c_reserved(struct job *j)
{
	int ifam = rndn(2);

	j->plen = encap(false, VNI_VX, ifam, own_src(j->fam, ifam), small(), 9);
	dgram[8 + 7] = 1 + rndn(255);
	j->ctr[0] = K_BADHDR;
}

/* GPE to the GPE device: a next protocol other than IPv4/IPv6 (Ethernet,
 * NSH, MPLS, unassigned), the OAM flag, or a version other than 0.
 */
static void c_gpe_bad(struct job *j)
{
	int ifam = rndn(2);
	uint8_t np, extra = 0;

	j->plen = encap(true, VNI_GPE, ifam, own_src(j->fam, ifam), small(), 9);
	switch (rndn(3)) {
	case 0:
		do
			np = rndn(256);
		while (np == 1 || np == 2);
		dgram[8 + 3] = np;
		break;
	case 1:
		extra = 0x01;	/* O */
		break;
	default:
		extra = (1 + rndn(3)) << 4;	/* version */
	}
	dgram[8] |= extra;
	j->ctr[0] = K_BADHDR;
}

static uint32_t bad_vni(void)
{
	uint32_t v;

	do
		v = rnd() & 0xffffff;
	while (v == VNI_VX || v == VNI_GPE);
	return v;
}

static void c_vni(struct job *j)
{
	int ifam = rndn(2);

	j->plen = encap(rndn(2), bad_vni(), ifam, own_src(j->fam, ifam), small(), 9);
	j->ctr[0] = K_BADVNI;
}

/* The other encapsulation's header for a device's VNI. */
static void c_wrong_encap(struct job *j)
{
	int ifam = rndn(2);
	bool gpe = rndn(2);

	j->plen = encap(gpe, gpe ? VNI_VX : VNI_GPE, ifam, own_src(j->fam, ifam), small(), 9);
	j->ctr[0] = gpe ? K_MAL : K_GMAL;
}

/* VXLAN: a non-IP inner Ethernet type (ARP, IPX, VLAN, random). */
static void c_nonip(struct job *j)
{
	static const uint16_t types[] = { ETH_P_ARP, 0x8137, ETH_P_8021Q, 0x88cc };
	uint8_t *p = dgram + 8;
	uint16_t t = types[rndn(4)];
	size_t n, len = 28 + small();

	if (rndn(2))
		do
			t = rnd();
		while (t == ETH_P_IP || t == ETH_P_IPV6);
	n = vx_hdr(p, 0x08000000, VNI_VX, 0);
	n += eth_hdr(p + n, t);
	rnd_bytes(p + n, len);
	j->plen = n + len;
	j->ctr[0] = K_MAL;
}

/* A truncated or implausible inner header: Ethernet cut short, IP shorter
 * than its header, a wrong version, IPv4 IHL below 5; VXLAN or GPE.
 */
static void c_inner_bad(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);
	uint8_t *p = dgram + 8;
	size_t hl = gpe ? 8 : 22, n;

	n = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, own_src(j->fam, ifam), small(), 9);
	switch (rndn(3)) {
	case 0:	/* cut: within the Ethernet header, or the IP header */
		if (!gpe && rndn(2))
			n = 8 + rndn(14);
		else
			n = hl + rndn(ifam ? 40 : 20);
		break;
	case 1:	/* version */
		p[hl] = (p[hl] & 0x0f) | (ifam ? 4 : 6) << 4;
		break;
	default:
		if (ifam)
			p[hl] = 0x00;
		else
			p[hl] = 0x40 | rndn(5);	/* IHL 0-4 */
	}
	j->plen = n;
	j->ctr[0] = gpe ? K_GMAL : K_MAL;
}

/* A valid packet from an underlay address that is no peer. */
static void c_nopeer(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);

	j->src = out_a[j->fam].stranger;
	j->plen = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, own_src(j->fam, ifam), small(), 9);
	j->ctr[0] = gpe ? K_GNOPEER : K_NOPEER;
}

/* A peer sending an inner source it does not own. */
static void c_spoof(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);

	j->plen = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, spoofed_src(j->fam, ifam), small(), 9);
	j->ctr[0] = src_ctr(gpe, j->fam);
}

/* RFC 6040: outer CE on a not-ECT inner packet. */
static void c_ecn(struct job *j)
{
	int ifam = rndn(2);

	j->plen = encap(false, VNI_VX, ifam, own_src(j->fam, ifam), small(), 9);
	j->tos = 0x03 | rndn(64) << 2;
	j->ctr[0] = j->fam ? K_OTHER_P3 : K_OTHER_P2;
}

/* Spoofed, the frame exactly the underlay MTU. */
static void c_max(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);
	size_t room = MTU - (j->fam ? 40 : 20) - 8 - (gpe ? 8 : 22) - (ifam ? 40 : 20) - 8;

	j->plen = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, spoofed_src(j->fam, ifam), room, 9);
	j->ctr[0] = src_ctr(gpe, j->fam);
}

/* A wrong UDP checksum on what would be a spoofed packet. */
static void c_csum(struct job *j)
{
	int ifam = rndn(2);

	j->plen = encap(false, VNI_VX, ifam, spoofed_src(j->fam, ifam), small(), 9);
	j->bad_csum = true;
	j->ctr[0] = j->fam ? K_U6CSUM : K_UCSUM;
	j->ctr[1] = j->fam ? K_U6ERR : K_UERR;
}

/* The UDP length beyond the IP payload. */
static void c_udplen(struct job *j)
{
	int ifam = rndn(2);

	j->plen = encap(false, VNI_VX, ifam, spoofed_src(j->fam, ifam), small(), 9);
	j->udplen_extra = 1 + rndn(100);
	j->ctr[0] = j->fam ? K_U6ERR : K_UERR;
}

/* A spoofed packet of up to the largest datagram, in fragments. */
static void c_frag(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);
	size_t over = 8 + (gpe ? 8 : 22) + (ifam ? 40 : 20) + 8, size;

	size = rndn(2) ? MAX_DGRAM - over - rndn(64) : 1500 + rndn(8000);
	if (!j->fam)
		size = size > MAX_DGRAM - 20 - over ? MAX_DGRAM - 20 - over : size;
	j->plen = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, spoofed_src(j->fam, ifam), size, 9);
	j->frag = 1;
	j->ctr[0] = src_ctr(gpe, j->fam);
	j->ctr[1] = j->fam ? K_R6OK : K_ROK;
}

/* One non-first fragment of a datagram whose others never come, from a
 * stranger (no queue of c_frag()'s ever shares its key).
 */
static void c_frag_lost(struct job *j)
{
	j->src = out_a[j->fam].stranger;
	j->plen = 8 * (1 + rndn(120));
	rnd_bytes(dgram + 8, j->plen);
	j->frag = 2;
	j->ctr[0] = j->fam ? K_R6FAIL : K_RFAIL;
}

static void c_control(struct job *j)
{
	bool gpe = rndn(2);
	int ifam = rndn(2);

	j->plen = encap(gpe, gpe ? VNI_GPE : VNI_VX, ifam, own_src(j->fam, ifam), small(), 10);
	j->ctr[0] = K_DELIVERED;
}

struct cls {
	const char *name;
	void (*fill)(struct job *j);
	unsigned int weight;
	uint64_t sent[2];
};

static struct cls classes[] = {
	{ .name = "short", .fill = c_short, .weight = 8 },
	{ .name = "flags", .fill = c_flags, .weight = 8 },
	{ .name = "reserved", .fill = c_reserved, .weight = 6 },
	{ .name = "gpe-bad", .fill = c_gpe_bad, .weight = 6 },
	{ .name = "vni", .fill = c_vni, .weight = 8 },
	{ .name = "wrong-encap", .fill = c_wrong_encap, .weight = 5 },
	{ .name = "non-ip", .fill = c_nonip, .weight = 6 },
	{ .name = "inner-bad", .fill = c_inner_bad, .weight = 8 },
	{ .name = "no-peer", .fill = c_nopeer, .weight = 8 },
	{ .name = "spoof", .fill = c_spoof, .weight = 12 },
	{ .name = "ecn", .fill = c_ecn, .weight = 4 },
	{ .name = "max-size", .fill = c_max, .weight = 4 },
	{ .name = "udp-csum", .fill = c_csum, .weight = 4 },
	{ .name = "udp-len", .fill = c_udplen, .weight = 3 },
	{ .name = "frag-whole", .fill = c_frag, .weight = 1 },
	{ .name = "frag-lost", .fill = c_frag_lost, .weight = 2 },
};

static void send_frame(size_t len)
{
	if (send(sock_fd, frame, len, 0) != (ssize_t)len) {
		fprintf(stderr, "pnhostile: send %zu bytes: %s\n", len, strerror(errno));
		exit(1);
	}
	frames_sent++;
}

/* Ethernet + outer IP header at frame for @len IP payload bytes; IPv4
 * fragment word / IPv6 fragment header from @off (bytes) and @more.
 */
static size_t outer(const struct job *j, size_t len, int frag, size_t off,
		    bool more, uint32_t id)
{
	const uint8_t *dst = out_a[j->fam].node;
	uint8_t *h = frame + 14;

	memcpy(frame, dstmac, 6);
	memcpy(frame + 6, srcmac, 6);
	put16(frame + 12, j->fam ? ETH_P_IPV6 : ETH_P_IP);
	if (!j->fam) {
		ip4_hdr(h, j->tos, 20 + len, id,
			frag ? (off >> 3) | (more ? 0x2000 : 0) : 0x4000,
			17, j->src, dst);
		return 34;
	}
	if (!frag) {
		ip6_hdr(h, j->tos, len, 17, j->src, dst);
		return 54;
	}
	ip6_hdr(h, j->tos, len + 8, 44, j->src, dst);
	h[40] = 17;
	h[41] = 0;
	put16(h + 42, off | more);
	put32(h + 44, id);
	return 62;
}

static void emit(struct job *j)
{
	size_t ulen = j->plen + 8, hl, off, room, n;
	uint32_t id;
	int i;

	if (j->frag != 2) {
		udp_hdr(dgram, j->fam, j->src, out_a[j->fam].node,
			32768 + rndn(28000), PORT, j->plen, j->fam || j->bad_csum || rndn(2));
		if (j->bad_csum) {
			uint16_t c = (dgram[6] << 8 | dgram[7]) ^ (1 + rndn(0xfffe));

			put16(dgram + 6, c ? c : 1);
		}
		put16(dgram + 4, ulen + j->udplen_extra);
	}
	for (i = 0; i < 2; i++)
		if (j->ctr[i] != K_NONE)
			expect[j->ctr[i]]++;
	id = frag_id++;
	if (!j->frag) {
		hl = outer(j, ulen, 0, 0, false, id);
		memcpy(frame + hl, dgram, ulen);
		send_frame(hl + ulen);
		return;
	}
	if (j->frag == 2) {
		hl = outer(j, j->plen, 1, 8 * (1 + rndn(7000)), true, id);
		memcpy(frame + hl, dgram + 8, j->plen);
		send_frame(hl + j->plen);
		expect[j->fam ? K_R6REQ : K_RREQ]++;
		return;
	}
	room = (MTU - (j->fam ? 48 : 20)) & ~7u;
	for (off = 0; off < ulen; off += n) {
		n = ulen - off < room ? ulen - off : room;
		hl = outer(j, n, 1, off, off + n < ulen, id);
		memcpy(frame + hl, dgram + off, n);
		send_frame(hl + n);
		expect[j->fam ? K_R6REQ : K_RREQ]++;
	}
}

static void job_init(struct job *j, int fam)
{
	memset(j, 0, sizeof(*j));
	j->fam = fam;
	j->src = peer_of(fam);
	j->ctr[0] = K_NONE;
	j->ctr[1] = K_NONE;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
		      &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

static void addr(uint8_t *dst, int fam, const char *text)
{
	if (inet_pton(fam ? AF_INET6 : AF_INET, text, dst) != 1) {
		fprintf(stderr, "pnhostile: bad address %s\n", text);
		exit(1);
	}
}

static void addrs_init(void)
{
	addr(out_a[0].node, 0, "192.168.99.1");
	addr(out_a[0].p2, 0, "192.168.99.2");
	addr(out_a[0].stranger, 0, "192.168.99.200");
	addr(out_a[1].node, 1, "fd00:99::1");
	addr(out_a[1].p3, 1, "fd00:99::3");
	addr(out_a[1].stranger, 1, "fd00:99::200");
	addr(in_a[0].p2, 0, "10.244.2.10");
	addr(in_a[0].p3, 0, "10.244.3.10");
	addr(in_a[1].p2, 1, "fd10:2::10");
	addr(in_a[1].p3, 1, "fd10:3::10");
	addr(pod1[0], 0, "10.244.1.10");
	addr(pod1[1], 1, "fd10:1::10");
	addr(nobody[0], 0, "10.9.9.9");
	addr(nobody[1], 1, "fd99::9");
}

static int open_sock(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	socklen_t len = sizeof(sll);

	sock_fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (sock_fd < 0 || !sll.sll_ifindex ||
	    bind(sock_fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    getsockname(sock_fd, (struct sockaddr *)&sll, &len)) {
		fprintf(stderr, "pnhostile: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	memcpy(srcmac, sll.sll_addr, 6);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long n = 20000, control = 100, seed = 1, i;
	unsigned int total = 0, w;
	struct job j;
	size_t c;
	int opt, fam;

	while ((opt = getopt(argc, argv, "n:s:c:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			control = strtoull(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || parse_mac(argv[optind + 1], dstmac))
		goto usage;
	addrs_init();
	if (open_sock(argv[optind]))
		return 1;
	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
		total += classes[c].weight;
	for (i = 0; i < n; i++) {
		w = rndn(total);
		for (c = 0; w >= classes[c].weight; c++)
			w -= classes[c].weight;
		fam = rndn(2);
		job_init(&j, fam);
		classes[c].fill(&j);
		emit(&j);
		classes[c].sent[fam]++;
	}
	for (i = 0; i < control; i++) {
		job_init(&j, i & 1);
		c_control(&j);
		emit(&j);
	}
	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
		for (fam = 0; fam < 2; fam++)
			printf("class %s %d %llu\n", classes[c].name, fam ? 6 : 4,
			       (unsigned long long)classes[c].sent[fam]);
	printf("class control 46 %llu\n", control);
	for (c = 0; c < K_NONE; c++)
		printf("expect %s %llu\n", ctr_name[c], (unsigned long long)expect[c]);
	printf("pnhostile: %llu hostile packets, %llu control, %llu frames, seed %llu\n",
	       n, control, (unsigned long long)frames_sent, seed);
	return 0;
usage:
	fprintf(stderr, "usage: pnhostile [-n PACKETS] [-s SEED] [-c CONTROL] IFACE DSTMAC\n");
	return 2;
}
