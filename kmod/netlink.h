/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "podnet" generic netlink family: netlink.c parses requests and
 * changes tables, netlink_dump.c builds what the family sends (GET_DEVICE
 * and GET_PEER replies, notifications).  Everything below the init/uninit
 * pair is shared by those two files only.
 */
#ifndef _PODNET_NETLINK_H
#define _PODNET_NETLINK_H

#include <net/genetlink.h>

#include "peertable.h"

int pn_netlink_init(void);
void pn_netlink_uninit(void);

extern struct genl_family pn_genl_family;

/*
 * The PEER nests of a request, parsed: one peer, with the prefixes of all
 * its nests in one array (see "Large peers" in the UAPI header).
 */
struct pn_peer_msg {
	struct pn_peer_key key;
	bool has_key;
	const u8 *mac;
	struct pn_prefix *prefixes;
	const struct nlattr **prefix_attrs;
	unsigned int num_prefixes;
	size_t prefix_bytes;		/* sum of nla_total_size() of the PREFIXes */
	const struct nlattr *nest;	/* the first PEER, for error messages */
};

int pn_nl_parse_peer(struct pn_peer_msg *m, const struct nlattr *nest,
		     struct netlink_ext_ack *extack);
void pn_nl_peer_msg_free(struct pn_peer_msg *m);

struct pn_device *pn_nl_lock_device(struct net *net, struct nlattr **attrs,
				    struct netlink_ext_ack *extack);
struct pn_device *pn_nl_lock_ifindex(struct net *net, int ifindex,
				     struct netlink_ext_ack *extack);
void pn_nl_unlock_device(struct pn_device *pn);
bool pn_nl_is_podnet(const struct net_device *dev);
struct pn_device *pn_nl_device(struct net *net, struct nlattr **attrs,
			       struct netlink_ext_ack *extack);

int pn_nl_get_device_doit(struct sk_buff *skb, struct genl_info *info);
int pn_nl_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int pn_nl_get_peer_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
void pn_nl_notify(struct pn_device *pn, u8 cmd, u16 flags,
		  const struct pn_peer_msg *m, struct genl_info *info);

#endif /* _PODNET_NETLINK_H */
