// SPDX-License-Identifier: GPL-2.0
/*
 * The "podnet" generic netlink family: policies, operations, request
 * parsing and the commands that change peer tables.  What the family sends
 * (GET_DEVICE, GET_PEER, notifications) is in netlink_dump.c.  The protocol
 * is described in include/uapi/linux/podnet.h; docs/netlink/podnet.yaml is
 * its YNL spec.
 *
 * The family runs with parallel_ops: requests for one device serialize on
 * pn_device.lock, taken after the device has been found (and held) in the
 * requester's netns (pn_nl_lock_device()).
 */

#include <linux/etherdevice.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peertable.h"

static const struct nla_policy pn_prefix_policy[PODNET_PREFIX_A_MAX + 1] = {
	[PODNET_PREFIX_A_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[PODNET_PREFIX_A_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[PODNET_PREFIX_A_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
};

#define PN_READ_ONLY { .type = NLA_REJECT, \
		       .reject_message = "attribute is read-only" }

static const struct nla_policy pn_peer_policy[PODNET_PEER_A_MAX + 1] = {
	[PODNET_PEER_A_REMOTE_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[PODNET_PEER_A_REMOTE_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[PODNET_PEER_A_MAC]		= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[PODNET_PEER_A_NUM_PREFIXES]	= PN_READ_ONLY,
	[PODNET_PEER_A_STATS]		= PN_READ_ONLY,
	[PODNET_PEER_A_PREFIX]		= NLA_POLICY_NESTED(pn_prefix_policy),
};

static const struct nla_policy pn_policy[PODNET_A_MAX + 1] = {
	[PODNET_A_IFINDEX]	= { .type = NLA_U32 },
	[PODNET_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[PODNET_A_GENERATION]	= PN_READ_ONLY,
	[PODNET_A_NUM_PEERS]	= PN_READ_ONLY,
	[PODNET_A_NUM_PREFIXES]	= PN_READ_ONLY,
	[PODNET_A_REPLACE_PORTID] = PN_READ_ONLY,
	[PODNET_A_STATS]	= PN_READ_ONLY,
	[PODNET_A_PEER]		= NLA_POLICY_NESTED(pn_peer_policy),
	[PODNET_A_CONFIG]	= PN_READ_ONLY,
	[PODNET_A_SOCKET_STATS]	= PN_READ_ONLY,
};

bool pn_nl_is_podnet(const struct net_device *dev)
{
	return dev->rtnl_link_ops &&
	       !strcmp(dev->rtnl_link_ops->kind, PODNET_LINK_KIND);
}

/* The device named by the request, held; release with dev_put(). */
struct pn_device *pn_nl_device(struct net *net, struct nlattr **attrs,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[PODNET_A_IFINDEX];
	struct nlattr *ifname = attrs[PODNET_A_IFNAME];
	struct net_device *dev = NULL;

	if (ifindex) {
		dev = dev_get_by_index(net, nla_get_u32(ifindex));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, ifindex, "no such device");
			return ERR_PTR(-ENODEV);
		}
		if (ifname && strcmp(dev->name, nla_data(ifname))) {
			dev_put(dev);
			NL_SET_ERR_MSG_ATTR(extack, ifname,
					    "ifname and ifindex name different devices");
			return ERR_PTR(-EINVAL);
		}
	} else if (ifname) {
		dev = dev_get_by_name(net, nla_data(ifname));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, ifname, "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "missing ifindex or ifname");
		NL_SET_ERR_ATTR_MISS(extack, NULL, PODNET_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (!pn_nl_is_podnet(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "not a podnet device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/*
 * The common prologue of the requests that read or change a table: the
 * device, held, with its lock taken.  Undo with pn_nl_unlock_device().
 */
struct pn_device *pn_nl_lock_device(struct net *net, struct nlattr **attrs,
				    struct netlink_ext_ack *extack)
{
	struct pn_device *pn = pn_nl_device(net, attrs, extack);

	if (!IS_ERR(pn))
		mutex_lock(&pn->lock);
	return pn;
}

/* pn_nl_lock_device() for a dump that goes on: by the ifindex it started on. */
struct pn_device *pn_nl_lock_ifindex(struct net *net, int ifindex,
				     struct netlink_ext_ack *extack)
{
	struct net_device *dev = dev_get_by_index(net, ifindex);
	struct pn_device *pn;

	if (dev && !pn_nl_is_podnet(dev)) {
		dev_put(dev);
		dev = NULL;
	}
	if (!dev) {
		NL_SET_ERR_MSG(extack, "device deleted or moved during the dump");
		return ERR_PTR(-ENODEV);
	}
	pn = netdev_priv(dev);
	mutex_lock(&pn->lock);
	return pn;
}

void pn_nl_unlock_device(struct pn_device *pn)
{
	lockdep_assert_held(&pn->lock);
	mutex_unlock(&pn->lock);
	dev_put(pn->dev);
}

static int pn_nl_parse_remote(struct pn_peer_msg *m, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *a4 = tb[PODNET_PEER_A_REMOTE_IPV4];
	struct nlattr *a6 = tb[PODNET_PEER_A_REMOTE_IPV6];
	struct in6_addr addr6;
	__be32 addr4;

	memset(&m->key, 0, sizeof(m->key));
	m->has_key = false;
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "remote-ipv4 and remote-ipv6 are exclusive");
		return -EINVAL;
	}
	if (a4) {
		addr4 = nla_get_in_addr(a4);
		if (ipv4_is_zeronet(addr4) || ipv4_is_multicast(addr4) ||
		    ipv4_is_lbcast(addr4)) {
			NL_SET_ERR_MSG_ATTR(extack, a4,
					    "remote-ipv4 is not a unicast address");
			return -EINVAL;
		}
		m->key.family = AF_INET;
		m->key.addr[0] = addr4;
		m->has_key = true;
	} else if (a6) {
		addr6 = nla_get_in6_addr(a6);
		if (ipv6_addr_any(&addr6) || ipv6_addr_is_multicast(&addr6) ||
		    ipv6_addr_v4mapped(&addr6)) {
			NL_SET_ERR_MSG_ATTR(extack, a6,
					    "remote-ipv6 is not a unicast address");
			return -EINVAL;
		}
		m->key.family = AF_INET6;
		memcpy(m->key.addr, &addr6, sizeof(addr6));
		m->has_key = true;
	}
	return 0;
}

static int pn_nl_parse_prefix(struct pn_prefix *p, const struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODNET_PREFIX_A_MAX + 1], *addr;
	int ret, family;

	ret = nla_parse_nested(tb, PODNET_PREFIX_A_MAX, nest, pn_prefix_policy,
			       extack);
	if (ret)
		return ret;
	if (tb[PODNET_PREFIX_A_IPV4] && tb[PODNET_PREFIX_A_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_PREFIX_A_IPV6],
				    "prefix ipv4 and ipv6 are exclusive");
		return -EINVAL;
	}
	addr = tb[PODNET_PREFIX_A_IPV4] ?: tb[PODNET_PREFIX_A_IPV6];
	if (!addr) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "prefix needs ipv4 or ipv6");
		NL_SET_ERR_ATTR_MISS(extack, nest, PODNET_PREFIX_A_IPV4);
		return -EINVAL;
	}
	if (!tb[PODNET_PREFIX_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "prefix needs len");
		NL_SET_ERR_ATTR_MISS(extack, nest, PODNET_PREFIX_A_LEN);
		return -EINVAL;
	}
	family = tb[PODNET_PREFIX_A_IPV4] ? AF_INET : AF_INET6;
	ret = pn_prefix_init(p, family, nla_data(addr),
			     nla_get_u8(tb[PODNET_PREFIX_A_LEN]));
	if (ret == -ERANGE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_PREFIX_A_LEN],
				    "prefix len is longer than the address");
		return -EINVAL;
	}
	if (ret) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "prefix has bits set past its len");
		return -EINVAL;
	}
	return 0;
}

void pn_nl_peer_msg_free(struct pn_peer_msg *m)
{
	kvfree(m->prefixes);
	kvfree(m->prefix_attrs);
	m->prefixes = NULL;
	m->prefix_attrs = NULL;
}

/*
 * The remote and MAC of one PEER nest, into @m for the first nest; a later
 * one must name the same remote and carry no MAC.  Counts its PREFIXes
 * into *@n.
 */
static int pn_nl_parse_peer_head(struct pn_peer_msg *m,
				 const struct nlattr *nest, bool first,
				 unsigned int *n, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODNET_PEER_A_MAX + 1];
	struct pn_peer_msg head;
	const struct nlattr *a;
	int ret, rem;

	ret = nla_parse_nested(tb, PODNET_PEER_A_MAX, nest, pn_peer_policy,
			       extack);
	if (ret)
		return ret;
	ret = pn_nl_parse_remote(&head, tb, extack);
	if (ret)
		return ret;
	if (first) {
		m->key = head.key;
		m->has_key = head.has_key;
		m->nest = nest;
	} else if (head.has_key != m->has_key ||
		   memcmp(&head.key, &m->key, sizeof(head.key))) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "repeated peer nests name different remotes");
		return -EINVAL;
	}
	a = tb[PODNET_PEER_A_MAC];
	if (a && !first) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "mac is only allowed in the first peer nest");
		return -EINVAL;
	}
	if (a) {
		m->mac = nla_data(a);
		if (is_multicast_ether_addr(m->mac)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "mac is a multicast address");
			return -EINVAL;
		}
	}
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == PODNET_PEER_A_PREFIX)
			(*n)++;
	return 0;
}

/*
 * The PEER nests among the @len bytes of attributes at @head: one peer,
 * whose prefixes may span several nests ("Large peers" in the UAPI
 * header).  On success, free @m with pn_nl_peer_msg_free().
 */
static int pn_nl_parse_peers(struct pn_peer_msg *m, const struct nlattr *head,
			     int len, struct netlink_ext_ack *extack)
{
	const struct nlattr *nest, *a;
	unsigned int n = 0;
	bool first = true;
	int ret, rem, prem;

	memset(m, 0, sizeof(*m));
	nla_for_each_attr(nest, head, len, rem) {
		if (nla_type(nest) != PODNET_A_PEER)
			continue;
		ret = pn_nl_parse_peer_head(m, nest, first, &n, extack);
		if (ret)
			return ret;
		first = false;
	}
	if (!n)
		return 0;
	if (n > PODNET_MAX_PREFIXES) {
		NL_SET_ERR_MSG_ATTR(extack, m->nest,
				    "more prefixes than a table can hold");
		return -ENOSPC;
	}
	m->prefixes = kvmalloc_array(n, sizeof(*m->prefixes),
				     GFP_KERNEL_ACCOUNT);
	m->prefix_attrs = kvmalloc_array(n, sizeof(*m->prefix_attrs),
					 GFP_KERNEL_ACCOUNT);
	if (!m->prefixes || !m->prefix_attrs) {
		pn_nl_peer_msg_free(m);
		return -ENOMEM;
	}
	nla_for_each_attr(nest, head, len, rem) {
		if (nla_type(nest) != PODNET_A_PEER)
			continue;
		nla_for_each_nested(a, nest, prem) {
			if (nla_type(a) != PODNET_PEER_A_PREFIX)
				continue;
			ret = pn_nl_parse_prefix(&m->prefixes[m->num_prefixes],
						 a, extack);
			if (ret) {
				pn_nl_peer_msg_free(m);
				return ret;
			}
			m->prefix_attrs[m->num_prefixes++] = a;
			m->prefix_bytes += nla_total_size(nla_len(a));
		}
	}
	return 0;
}

/* One PEER nest: the filter of a GET_PEER dump. */
int pn_nl_parse_peer(struct pn_peer_msg *m, const struct nlattr *nest,
		     struct netlink_ext_ack *extack)
{
	return pn_nl_parse_peers(m, nest, nest->nla_len, extack);
}

/* Every PEER of a doit request. */
static int pn_nl_parse_request_peers(struct pn_peer_msg *m,
				     struct genl_info *info)
{
	if (!info->attrs[PODNET_A_PEER]) {
		NL_SET_ERR_MSG(info->extack, "missing peer");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, PODNET_A_PEER);
		return -EINVAL;
	}
	return pn_nl_parse_peers(m, nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
				 nlmsg_attrlen(info->nlhdr, GENL_HDRLEN),
				 info->extack);
}

static int pn_nl_set_peer(struct sk_buff *skb, struct genl_info *info,
			  bool staged)
{
	struct netlink_ext_ack *extack = info->extack;
	struct pn_peer_req req = {};
	struct pn_peer_msg m;
	struct pn_device *pn;
	struct pn_table *tbl;
	int ret;

	ret = pn_nl_parse_request_peers(&m, info);
	if (ret)
		return ret;
	if (!m.has_key) {
		NL_SET_ERR_MSG_ATTR(extack, m.nest,
				    "peer needs remote-ipv4 or remote-ipv6");
		NL_SET_ERR_ATTR_MISS(extack, m.nest, PODNET_PEER_A_REMOTE_IPV4);
		ret = -EINVAL;
		goto out;
	}
	req.key = m.key;
	req.mac = m.mac;
	req.prefixes = m.prefixes;
	req.num_prefixes = m.num_prefixes;
	req.replace = info->nlhdr->nlmsg_flags & NLM_F_REPLACE;
	req.excl = info->nlhdr->nlmsg_flags & NLM_F_EXCL;

	pn = pn_nl_lock_device(genl_info_net(info), info->attrs, extack);
	if (IS_ERR(pn)) {
		ret = PTR_ERR(pn);
		goto out;
	}
	if (staged) {
		tbl = pn_replace_table(pn, genl_info_net(info),
				       info->snd_portid);
		if (!tbl) {
			NL_SET_ERR_MSG(extack,
				       "no replace in progress from this socket");
			ret = -ENOENT;
			goto out_unlock;
		}
	} else {
		tbl = pn_table_live(pn);
	}
	ret = pn_table_set_peer(tbl, &req);
	if (ret == -EEXIST && req.bad >= 0)
		NL_SET_ERR_MSG_ATTR(extack, m.prefix_attrs[req.bad],
				    "prefix is owned by another peer");
	else if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(extack, m.nest, "peer exists");
	else if (ret == -ENOSPC)
		NL_SET_ERR_MSG(extack, "peer table is full");
	if (ret || staged)
		goto out_unlock;
	pn_table_changed(pn);
	pn_nl_notify(pn, PODNET_CMD_NEW_PEER,
		     req.created ? NLM_F_CREATE : NLM_F_REPLACE, &m, info);
out_unlock:
	pn_nl_unlock_device(pn);
out:
	pn_nl_peer_msg_free(&m);
	return ret;
}

static int pn_nl_new_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pn_nl_set_peer(skb, info, false);
}

static int pn_nl_replace_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pn_nl_set_peer(skb, info, true);
}

static int pn_nl_del_peer_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct pn_peer_msg m;
	struct pn_device *pn;
	struct pn_table *tbl;
	int ret, bad;

	ret = pn_nl_parse_request_peers(&m, info);
	if (ret)
		return ret;
	if (!m.has_key && !m.num_prefixes) {
		NL_SET_ERR_MSG_ATTR(extack, m.nest,
				    "peer needs a remote or prefixes");
		NL_SET_ERR_ATTR_MISS(extack, m.nest, PODNET_PEER_A_REMOTE_IPV4);
		ret = -EINVAL;
		goto out;
	}

	pn = pn_nl_lock_device(genl_info_net(info), info->attrs, extack);
	if (IS_ERR(pn)) {
		ret = PTR_ERR(pn);
		goto out;
	}
	tbl = pn_table_live(pn);
	if (!m.num_prefixes) {
		ret = pn_table_del_peer(tbl, &m.key);
		if (ret)
			NL_SET_ERR_MSG_ATTR(extack, m.nest, "no such peer");
	} else {
		ret = pn_table_del_prefixes(tbl, m.has_key ? &m.key : NULL,
					    m.prefixes, m.num_prefixes, &bad);
		if (ret && bad >= 0 && m.has_key)
			NL_SET_ERR_MSG_ATTR(extack, m.prefix_attrs[bad],
					    "prefix is not owned by this peer");
		else if (ret && bad >= 0)
			NL_SET_ERR_MSG_ATTR(extack, m.prefix_attrs[bad],
					    "no such prefix");
		else if (ret)
			NL_SET_ERR_MSG_ATTR(extack, m.nest, "no such peer");
	}
	if (!ret) {
		pn_table_changed(pn);
		pn_nl_notify(pn, PODNET_CMD_DEL_PEER, 0, &m, info);
	}
	pn_nl_unlock_device(pn);
out:
	pn_nl_peer_msg_free(&m);
	return ret;
}

static int pn_nl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pn_device *pn;
	int ret;

	pn = pn_nl_lock_device(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	ret = pn_table_flush(pn);
	if (!ret)
		pn_nl_notify(pn, PODNET_CMD_FLUSH_PEERS, 0, NULL, info);
	pn_nl_unlock_device(pn);
	return ret;
}

static int pn_nl_replace_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	u8 cmd = info->genlhdr->cmd;
	struct pn_device *pn;
	int ret;

	pn = pn_nl_lock_device(net, info->attrs, extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	if (cmd == PODNET_CMD_REPLACE_BEGIN) {
		ret = pn_replace_begin(pn, net, info->snd_portid);
		if (ret == -EBUSY)
			NL_SET_ERR_MSG(extack,
				       "another socket is replacing this device's table");
	} else if (cmd == PODNET_CMD_REPLACE_COMMIT) {
		ret = pn_replace_commit(pn, net, info->snd_portid);
		if (!ret)
			pn_nl_notify(pn, cmd, 0, NULL, info);
	} else {
		ret = pn_replace_abort(pn, net, info->snd_portid);
	}
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(extack, "no replace in progress from this socket");
	pn_nl_unlock_device(pn);
	return ret;
}

static const struct genl_small_ops pn_nl_ops[] = {
	{
		.cmd	= PODNET_CMD_GET_DEVICE,
		.doit	= pn_nl_get_device_doit,
		.dumpit	= pn_nl_get_device_dumpit,
	},
	{
		.cmd	= PODNET_CMD_NEW_PEER,
		.doit	= pn_nl_new_peer_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_DEL_PEER,
		.doit	= pn_nl_del_peer_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_GET_PEER,
		.dumpit	= pn_nl_get_peer_dumpit,
	},
	{
		.cmd	= PODNET_CMD_FLUSH_PEERS,
		.doit	= pn_nl_flush_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_REPLACE_BEGIN,
		.doit	= pn_nl_replace_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_REPLACE_ADD,
		.doit	= pn_nl_replace_add_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_REPLACE_COMMIT,
		.doit	= pn_nl_replace_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PODNET_CMD_REPLACE_ABORT,
		.doit	= pn_nl_replace_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group pn_nl_mcgrps[] = {
	{ .name = PODNET_MCGRP_EVENTS },
};

struct genl_family pn_genl_family __ro_after_init = {
	.name		= PODNET_GENL_NAME,
	.version	= PODNET_GENL_VERSION,
	.maxattr	= PODNET_A_MAX,
	.policy		= pn_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= pn_nl_ops,
	.n_small_ops	= ARRAY_SIZE(pn_nl_ops),
	.resv_start_op	= PODNET_CMD_REPLACE_ABORT + 1,
	.mcgrps		= pn_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(pn_nl_mcgrps),
};

int __init pn_netlink_init(void)
{
	return genl_register_family(&pn_genl_family);
}

void pn_netlink_uninit(void)
{
	genl_unregister_family(&pn_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(PODNET_GENL_NAME);
