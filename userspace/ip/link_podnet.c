// SPDX-License-Identifier: GPL-2.0
/*
 * link_podnet.so: the podnet link type for iproute2's ip(8), loaded from
 * $IP_LIB_DIR/link_podnet.so (default /usr/lib/ip) when ip meets "type
 * podnet" (see get_link_kind() in iproute2's ip/iplink.c).
 *
 * ABI.  ip finds the symbol podnet_link_util and calls the callbacks of
 * struct link_util, which is defined here because iproute2 installs no
 * headers.  How it moved: print_help (with argc/argv) was inserted in 3.17
 * (2014) before a "bool slave" that 3.14 had appended and 4.8 removed;
 * 4.11 appended parse_ifla_xstats and print_ifla_xstats, whose sockaddr_nl
 * argument went away in 4.20 (2018).  Since 4.20 nothing has changed, in
 * iproute2's tree up to 7.1 and in Debian sid's 7.3.0 build (72 bytes, the
 * callbacks at the same offsets); parse_opt, print_opt and print_xstats
 * have kept their signatures since 2007, print_help since 3.17.  ip reads
 * every field of the structure it knows, so the structure ends with zeroed
 * spare pointers: a newer ip that appends a callback reads NULL (callbacks
 * are tested for NULL before use) instead of running off the end.  When
 * the plugin is loaded, check_abi() compares the layout with ip's own
 * vxlan_link_util and, if that has moved, turns the callbacks off rather
 * than let ip call the wrong ones.
 *
 * Of ip's exported helpers only the most stable are used: addattr8/16/32,
 * addattr_l, invarg (ip's own error wording), ll_name_to_index,
 * ll_index_to_name, is_json_context and print_color_{uint,string,bool,u64}
 * with PRINT_JSON only.  Text goes straight to the FILE ip hands over, so
 * the color enum, which has moved between versions, is never used, and
 * iproute2's matches()/get_u32() (whose return type changed) are not
 * needed: words are compared exactly and numbers parsed here.
 */

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <linux/podnet.h>

#include "addr.h"

/* --- iproute2's side of the ABI ------------------------------------------ */

struct link_util {
	struct link_util	*next;
	const char		*id;
	int			maxattr;
	int			(*parse_opt)(struct link_util *, int, char **, struct nlmsghdr *);
	void			(*print_opt)(struct link_util *, FILE *, struct rtattr *[]);
	void			(*print_xstats)(struct link_util *, FILE *, struct rtattr *);
	void			(*print_help)(struct link_util *, int, char **, FILE *);
	int			(*parse_ifla_xstats)(struct link_util *, int, char **);
	int			(*print_ifla_xstats)(struct nlmsghdr *, void *);
	void			*spare[8];	/* NULL for fields a newer ip may add */
};

enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };

/* From ip; resolved when ip dlopen()s the plugin. */
int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
int addattr16(struct nlmsghdr *n, int maxlen, int type, __u16 data);
int addattr32(struct nlmsghdr *n, int maxlen, int type, __u32 data);
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data, int alen);
void invarg(const char *msg, const char *arg) __attribute__((noreturn));
unsigned int ll_name_to_index(const char *name);
const char *ll_index_to_name(unsigned int idx);
bool is_json_context(void);
/* The color argument is ignored for PRINT_JSON, so 0 is passed. */
int print_color_uint(enum output_type t, int color, const char *key, const char *fmt,
		     unsigned int value);
int print_color_string(enum output_type t, int color, const char *key, const char *fmt,
		       const char *value);
int print_color_bool(enum output_type t, int color, const char *key, const char *fmt,
		     bool value);
int print_color_u64(enum output_type t, int color, const char *key, const char *fmt,
		    __u64 value);

/* The size of the request buffer ip hands to parse_opt (struct iplink_req). */
#define REQ_MAX	1024

/* --- parsing ------------------------------------------------------------- */

static void explain(FILE *f)
{
	fprintf(f,
		"Usage: ... podnet [ vni VNI ] [ port PORT ] [ local ADDR ] [ local6 ADDR6 ]\n"
		"                  [ dev PHYS_DEV ] [ ttl { TTL | auto | inherit } ]\n"
		"                  [ tos { TOS | inherit } ] [ srcport MIN MAX ]\n"
		"                  [ [no]udpcsum ] [ encap { vxlan | gpe } ] [ mac LLADDR ]\n"
		"                  [ [no]srcvalid ] [ [no]dstvalid ]\n"
		"\n"
		"Where: VNI  := 0-16777215 (default %u)\n"
		"       PORT := 1-65535 (default %u)\n"
		"       TTL  := 1-255 (auto: the route's hop limit)\n"
		"       TOS  := 0-255, a DSCP value with the ECN bits clear\n"
		"       LLADDR := the VTEP MAC, a unicast Ethernet address (default random)\n"
		"Only ttl, tos, srcport, udpcsum, srcvalid and dstvalid can be changed later.\n",
		PODNET_DEFAULT_VNI, PODNET_DEFAULT_PORT);
}

/* An unsigned number in [min, max], decimal or 0x-hex; invarg() if not. */
static unsigned long number(const char *arg, unsigned long min, unsigned long max,
			    const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!*arg || *arg == '-' || *arg == '+')
		invarg(what, arg);
	v = strtoul(arg, &end, 0);
	if (errno || *end || v < min || v > max)
		invarg(what, arg);
	return v;
}

/* The value after @word, which must be there. */
static char *next_arg(int *argc, char ***argv, const char *word)
{
	if (*argc < 2) {
		fprintf(stderr, "Error: \"%s\" needs a value.\n", word);
		exit(-1);
	}
	(*argc)--;
	(*argv)++;
	return **argv;
}

/*
 * Each option once, as iproute2's own link types have it: @seen has bit
 * IFLA_PODNET_x of each attribute an option already set.
 */
static void once(unsigned int *seen, int attr, const char *key, const char *arg)
{
	if (*seen & (1U << attr)) {
		fprintf(stderr, "Error: duplicate \"%s\": \"%s\" is the second value.\n",
			key, arg);
		exit(-1);
	}
	*seen |= 1U << attr;
}

static int podnet_parse_opt(struct link_util *lu, int argc, char **argv, struct nlmsghdr *n)
{
	unsigned int seen = 0;
	char err[PN_ERRLEN];

	(void)lu;
	for (; argc > 0; argc--, argv++) {
		const char *w = *argv;
		__u8 mac[PN_MAC_LEN];
		struct pn_addr a;
		char *v;

		if (!strcmp(w, "vni") || !strcmp(w, "id")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_VNI, "vni", v);
			addattr32(n, REQ_MAX, IFLA_PODNET_VNI,
				  (__u32)number(v, 0, PODNET_VNI_MAX, "invalid vni"));
		} else if (!strcmp(w, "port") || !strcmp(w, "dstport")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_PORT, "port", v);
			addattr16(n, REQ_MAX, IFLA_PODNET_PORT,
				  (__u16)number(v, 1, 65535, "invalid port"));
		} else if (!strcmp(w, "local") || !strcmp(w, "local6")) {
			v = next_arg(&argc, &argv, w);
			if (pn_parse_remote(v, &a, err, sizeof(err)))
				invarg("invalid local address", v);
			if (!strcmp(w, "local6") && a.family != AF_INET6)
				invarg("local6 needs an IPv6 address", v);
			once(&seen, a.family == AF_INET ? IFLA_PODNET_LOCAL :
			     IFLA_PODNET_LOCAL6, w, v);
			addattr_l(n, REQ_MAX, a.family == AF_INET ? IFLA_PODNET_LOCAL :
				  IFLA_PODNET_LOCAL6, a.b, (int)pn_addr_len(&a));
		} else if (!strcmp(w, "dev")) {
			unsigned int ifindex;

			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_LINK, "dev", v);
			ifindex = ll_name_to_index(v);
			if (!ifindex)
				invarg("no such device", v);
			addattr32(n, REQ_MAX, IFLA_PODNET_LINK, ifindex);
		} else if (!strcmp(w, "ttl") || !strcmp(w, "hoplimit")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_TTL, "ttl", v);
			if (!strcmp(v, "inherit")) {
				/* A non-zero TTL excludes inheriting: clear it. */
				addattr8(n, REQ_MAX, IFLA_PODNET_TTL, 0);
				addattr8(n, REQ_MAX, IFLA_PODNET_TTL_INHERIT, 1);
			} else {
				__u8 ttl = !strcmp(v, "auto") ? 0 :
					   (__u8)number(v, 1, 255, "invalid ttl");

				addattr8(n, REQ_MAX, IFLA_PODNET_TTL, ttl);
				addattr8(n, REQ_MAX, IFLA_PODNET_TTL_INHERIT, 0);
			}
		} else if (!strcmp(w, "tos") || !strcmp(w, "dsfield")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_TOS, "tos", v);
			if (!strcmp(v, "inherit")) {
				addattr8(n, REQ_MAX, IFLA_PODNET_TOS, 0);
				addattr8(n, REQ_MAX, IFLA_PODNET_TOS_INHERIT, 1);
			} else {
				unsigned long tos = number(v, 0, 255, "invalid tos");

				if (tos & 3)
					invarg("tos must leave the two ECN bits clear", v);
				addattr8(n, REQ_MAX, IFLA_PODNET_TOS, (__u8)tos);
				addattr8(n, REQ_MAX, IFLA_PODNET_TOS_INHERIT, 0);
			}
		} else if (!strcmp(w, "srcport")) {
			unsigned long lo, hi;

			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_SRCPORT_MIN, "srcport", v);
			lo = number(v, 1, 65535, "invalid source port");
			v = next_arg(&argc, &argv, w);
			hi = number(v, 1, 65535, "invalid source port");
			if (hi < lo)
				invarg("source port range ends below its start", v);
			addattr16(n, REQ_MAX, IFLA_PODNET_SRCPORT_MIN, (__u16)lo);
			addattr16(n, REQ_MAX, IFLA_PODNET_SRCPORT_MAX, (__u16)hi);
		} else if (!strcmp(w, "udpcsum") || !strcmp(w, "noudpcsum")) {
			once(&seen, IFLA_PODNET_UDP_CSUM, "udpcsum", w);
			addattr8(n, REQ_MAX, IFLA_PODNET_UDP_CSUM, w[0] != 'n');
		} else if (!strcmp(w, "srcvalid") || !strcmp(w, "nosrcvalid")) {
			once(&seen, IFLA_PODNET_SRC_VALID, "srcvalid", w);
			addattr8(n, REQ_MAX, IFLA_PODNET_SRC_VALID, w[0] != 'n');
		} else if (!strcmp(w, "dstvalid") || !strcmp(w, "nodstvalid")) {
			once(&seen, IFLA_PODNET_DST_VALID, "dstvalid", w);
			addattr8(n, REQ_MAX, IFLA_PODNET_DST_VALID, w[0] != 'n');
		} else if (!strcmp(w, "mac")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_MAC, "mac", v);
			if (pn_parse_mac(v, mac, err, sizeof(err)) || (mac[0] & 1) ||
			    !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
				invarg("invalid mac (a unicast Ethernet address)", v);
			addattr_l(n, REQ_MAX, IFLA_PODNET_MAC, mac, PN_MAC_LEN);
		} else if (!strcmp(w, "encap")) {
			v = next_arg(&argc, &argv, w);
			once(&seen, IFLA_PODNET_ENCAP, "encap", v);
			if (!strcmp(v, "vxlan"))
				addattr8(n, REQ_MAX, IFLA_PODNET_ENCAP, PODNET_ENCAP_VXLAN);
			else if (!strcmp(v, "gpe"))
				addattr8(n, REQ_MAX, IFLA_PODNET_ENCAP, PODNET_ENCAP_GPE);
			else
				invarg("invalid encap (vxlan or gpe)", v);
		} else if (!strcmp(w, "help")) {
			explain(stdout);
			exit(0);
		} else {
			fprintf(stderr, "podnet: unknown option \"%s\"\n", w);
			explain(stderr);
			return -1;
		}
	}
	return 0;
}

/* --- printing ------------------------------------------------------------ */

static bool has(struct rtattr *tb[], int type, size_t len)
{
	return tb[type] && RTA_PAYLOAD(tb[type]) >= len;
}

static unsigned int u8_of(struct rtattr *tb[], int type)
{
	return *(__u8 *)RTA_DATA(tb[type]);
}

static unsigned int u16_of(struct rtattr *tb[], int type)
{
	__u16 v;

	memcpy(&v, RTA_DATA(tb[type]), sizeof(v));
	return v;
}

static unsigned int u32_of(struct rtattr *tb[], int type)
{
	__u32 v;

	memcpy(&v, RTA_DATA(tb[type]), sizeof(v));
	return v;
}

/* "key value " in text, "key": value in JSON. */
static void out_uint(FILE *f, const char *key, const char *word, unsigned int v)
{
	if (is_json_context())
		print_color_uint(PRINT_JSON, 0, key, NULL, v);
	else
		fprintf(f, "%s %u ", word, v);
}

static void out_str(FILE *f, const char *key, const char *word, const char *v)
{
	if (is_json_context())
		print_color_string(PRINT_JSON, 0, key, NULL, v);
	else
		fprintf(f, "%s %s ", word, v);
}

static void out_flag(FILE *f, const char *key, const char *word, bool v)
{
	if (is_json_context())
		print_color_bool(PRINT_JSON, 0, key, NULL, v);
	else
		fprintf(f, "%s%s ", v ? "" : "no", word);
}

static void podnet_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	char buf[PN_PREFIX_STRLEN];
	struct pn_addr a;

	(void)lu;
	if (!tb)
		return;
	if (has(tb, IFLA_PODNET_VNI, 4))
		out_uint(f, "vni", "vni", u32_of(tb, IFLA_PODNET_VNI));
	if (has(tb, IFLA_PODNET_PORT, 2))
		out_uint(f, "port", "port", u16_of(tb, IFLA_PODNET_PORT));
	if (has(tb, IFLA_PODNET_LOCAL, 4) &&
	    !pn_addr_from_bytes(&a, RTA_DATA(tb[IFLA_PODNET_LOCAL]), 4))
		out_str(f, "local", "local", pn_addr_str(&a, buf, sizeof(buf)));
	if (has(tb, IFLA_PODNET_LOCAL6, 16) &&
	    !pn_addr_from_bytes(&a, RTA_DATA(tb[IFLA_PODNET_LOCAL6]), 16))
		out_str(f, "local6", "local6", pn_addr_str(&a, buf, sizeof(buf)));
	if (has(tb, IFLA_PODNET_LINK, 4)) {
		unsigned int ifindex = u32_of(tb, IFLA_PODNET_LINK);
		const char *name = ifindex ? ll_index_to_name(ifindex) : NULL;

		/* JSON keys do not depend on the netns: link_index always. */
		if (name)
			out_str(f, "link", "dev", name);
		if (is_json_context())
			print_color_uint(PRINT_JSON, 0, "link_index", NULL,
					 ifindex);
		else if (!name && ifindex)
			fprintf(f, "dev_index %u ", ifindex);
	}
	/*
	 * Text reads like the command ("ttl auto", "tos inherit"); JSON keeps
	 * types fixed for scripts: ttl and tos numbers, *_inherit booleans.
	 */
	if (is_json_context()) {
		if (has(tb, IFLA_PODNET_TTL, 1))
			print_color_uint(PRINT_JSON, 0, "ttl", NULL, u8_of(tb, IFLA_PODNET_TTL));
		if (has(tb, IFLA_PODNET_TTL_INHERIT, 1))
			print_color_bool(PRINT_JSON, 0, "ttl_inherit", NULL,
					 u8_of(tb, IFLA_PODNET_TTL_INHERIT));
		if (has(tb, IFLA_PODNET_TOS, 1))
			print_color_uint(PRINT_JSON, 0, "tos", NULL, u8_of(tb, IFLA_PODNET_TOS));
		if (has(tb, IFLA_PODNET_TOS_INHERIT, 1))
			print_color_bool(PRINT_JSON, 0, "tos_inherit", NULL,
					 u8_of(tb, IFLA_PODNET_TOS_INHERIT));
	} else {
		if (has(tb, IFLA_PODNET_TTL_INHERIT, 1) && u8_of(tb, IFLA_PODNET_TTL_INHERIT))
			fputs("ttl inherit ", f);
		else if (has(tb, IFLA_PODNET_TTL, 1) && u8_of(tb, IFLA_PODNET_TTL))
			fprintf(f, "ttl %u ", u8_of(tb, IFLA_PODNET_TTL));
		else if (has(tb, IFLA_PODNET_TTL, 1))
			fputs("ttl auto ", f);
		if (has(tb, IFLA_PODNET_TOS_INHERIT, 1) && u8_of(tb, IFLA_PODNET_TOS_INHERIT))
			fputs("tos inherit ", f);
		else if (has(tb, IFLA_PODNET_TOS, 1))
			fprintf(f, "tos 0x%02x ", u8_of(tb, IFLA_PODNET_TOS));
	}
	if (has(tb, IFLA_PODNET_SRCPORT_MIN, 2) && has(tb, IFLA_PODNET_SRCPORT_MAX, 2)) {
		if (is_json_context()) {
			print_color_uint(PRINT_JSON, 0, "srcport_min", NULL,
					 u16_of(tb, IFLA_PODNET_SRCPORT_MIN));
			print_color_uint(PRINT_JSON, 0, "srcport_max", NULL,
					 u16_of(tb, IFLA_PODNET_SRCPORT_MAX));
		} else {
			fprintf(f, "srcport %u %u ", u16_of(tb, IFLA_PODNET_SRCPORT_MIN),
				u16_of(tb, IFLA_PODNET_SRCPORT_MAX));
		}
	}
	if (has(tb, IFLA_PODNET_UDP_CSUM, 1))
		out_flag(f, "udp_csum", "udpcsum", u8_of(tb, IFLA_PODNET_UDP_CSUM));
	if (has(tb, IFLA_PODNET_ENCAP, 1)) {
		unsigned int e = u8_of(tb, IFLA_PODNET_ENCAP);

		out_str(f, "encap", "encap", e == PODNET_ENCAP_VXLAN ? "vxlan" :
			e == PODNET_ENCAP_GPE ? "gpe" : "unknown");
	}
	if (has(tb, IFLA_PODNET_MAC, PN_MAC_LEN))
		out_str(f, "mac", "mac", pn_mac_str(RTA_DATA(tb[IFLA_PODNET_MAC]), buf,
						    sizeof(buf)));
	if (has(tb, IFLA_PODNET_SRC_VALID, 1))
		out_flag(f, "src_valid", "srcvalid", u8_of(tb, IFLA_PODNET_SRC_VALID));
	if (has(tb, IFLA_PODNET_DST_VALID, 1))
		out_flag(f, "dst_valid", "dstvalid", u8_of(tb, IFLA_PODNET_DST_VALID));
}

/* ip -s -d link show: the socket drop counters (IFLA_INFO_XSTATS). */
static void podnet_print_xstats(struct link_util *lu, FILE *f, struct rtattr *xstats)
{
	static const char *const names[PODNET_XSTATS_MAX + 1] = {
		[PODNET_XSTATS_RX_DROP_BAD_HEADER]	= "rx_drop_bad_header",
		[PODNET_XSTATS_RX_DROP_BAD_VNI]		= "rx_drop_bad_vni",
	};
	int len = (int)RTA_PAYLOAD(xstats);
	struct rtattr *a;

	(void)lu;
	for (a = RTA_DATA(xstats); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		__u64 v;

		if (a->rta_type > PODNET_XSTATS_MAX || !names[a->rta_type] ||
		    RTA_PAYLOAD(a) < sizeof(v))
			continue;
		memcpy(&v, RTA_DATA(a), sizeof(v));
		if (is_json_context())
			print_color_u64(PRINT_JSON, 0, names[a->rta_type], NULL, v);
		else
			fprintf(f, "%s %llu ", names[a->rta_type], (unsigned long long)v);
	}
}

static void podnet_print_help(struct link_util *lu, int argc, char **argv, FILE *f)
{
	(void)lu, (void)argc, (void)argv;
	explain(f);
}

struct link_util podnet_link_util = {
	.id		= PODNET_LINK_KIND,
	.maxattr	= IFLA_PODNET_MAX,
	.parse_opt	= podnet_parse_opt,
	.print_opt	= podnet_print_opt,
	.print_xstats	= podnet_print_xstats,
	.print_help	= podnet_print_help,
};

/*
 * ip(8) exports its built-in link types, so the layout of the ip that
 * loaded us can be seen in vxlan_link_util: its size (the symbol's) and
 * where its id and callbacks are.  Without the symbol there is nothing to
 * compare with, and the declared layout is trusted.
 */
static bool layout_matches(void)
{
	const struct link_util *v = dlsym(RTLD_DEFAULT, "vxlan_link_util");
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!v || !dladdr1(v, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		return true;
	return sym->st_size >= offsetof(struct link_util, spare) &&
	       sym->st_size <= sizeof(struct link_util) &&
	       v->id && !strcmp(v->id, "vxlan") &&
	       v->parse_opt && v->print_opt && v->print_help;
}

/* Runs in dlopen(), before ip reads podnet_link_util. */
static void __attribute__((constructor)) check_abi(void)
{
	if (layout_matches())
		return;
	fprintf(stderr, "link_podnet.so: this ip's struct link_util is not the one the "
		"plugin knows (see userspace/ip/README.md); podnet options are off\n");
	podnet_link_util.parse_opt = NULL;
	podnet_link_util.print_opt = NULL;
	podnet_link_util.print_xstats = NULL;
	podnet_link_util.print_help = NULL;
}
