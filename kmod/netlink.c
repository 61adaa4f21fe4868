// SPDX-License-Identifier: GPL-2.0
/*
 * The "podnet" generic netlink family.  The protocol is described in
 * include/uapi/linux/podnet.h; docs/netlink/podnet.yaml is its YNL spec.
 *
 * The family runs with parallel_ops: requests for one device serialize on
 * pn_device.lock, taken after the device has been found (and held) in the
 * requester's netns.
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

static struct genl_family pn_genl_family;

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
};

/* A PEER nest, parsed. */
struct pn_peer_msg {
	struct pn_peer_key key;
	bool has_key;
	const u8 *mac;
	struct pn_prefix *prefixes;
	const struct nlattr **prefix_attrs;
	unsigned int num_prefixes;
	const struct nlattr *nest;
};

static bool pn_is_podnet(const struct net_device *dev)
{
	return dev->rtnl_link_ops &&
	       !strcmp(dev->rtnl_link_ops->kind, PODNET_LINK_KIND);
}

/* The device named by the request, held; release with dev_put(). */
static struct pn_device *pn_nl_device(struct net *net, struct nlattr **attrs,
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
	if (!pn_is_podnet(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "not a podnet device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
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

static void pn_nl_peer_msg_free(struct pn_peer_msg *m)
{
	kvfree(m->prefixes);
	kvfree(m->prefix_attrs);
}

static int pn_nl_parse_peer(struct pn_peer_msg *m, struct nlattr *nest,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODNET_PEER_A_MAX + 1];
	const struct nlattr *a;
	unsigned int n = 0;
	int ret, rem;

	memset(m, 0, sizeof(*m));
	m->nest = nest;
	ret = nla_parse_nested(tb, PODNET_PEER_A_MAX, nest, pn_peer_policy,
			       extack);
	if (ret)
		return ret;
	ret = pn_nl_parse_remote(m, tb, extack);
	if (ret)
		return ret;
	if (tb[PODNET_PEER_A_MAC]) {
		m->mac = nla_data(tb[PODNET_PEER_A_MAC]);
		if (is_multicast_ether_addr(m->mac)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_PEER_A_MAC],
					    "mac is a multicast address");
			return -EINVAL;
		}
	}

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == PODNET_PEER_A_PREFIX)
			n++;
	if (!n)
		return 0;
	m->prefixes = kvmalloc_array(n, sizeof(*m->prefixes), GFP_KERNEL);
	m->prefix_attrs = kvmalloc_array(n, sizeof(*m->prefix_attrs),
					 GFP_KERNEL);
	if (!m->prefixes || !m->prefix_attrs) {
		pn_nl_peer_msg_free(m);
		return -ENOMEM;
	}
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != PODNET_PEER_A_PREFIX)
			continue;
		ret = pn_nl_parse_prefix(&m->prefixes[m->num_prefixes], a,
					 extack);
		if (ret) {
			pn_nl_peer_msg_free(m);
			return ret;
		}
		m->prefix_attrs[m->num_prefixes++] = a;
	}
	return 0;
}

static int pn_nl_put_stats(struct sk_buff *skb, int attr,
			   const struct pn_stats_sum *s)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, PODNET_STATS_A_TX_PACKETS, s->tx_packets,
			      PODNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PODNET_STATS_A_TX_BYTES, s->tx_bytes,
			      PODNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PODNET_STATS_A_RX_PACKETS, s->rx_packets,
			      PODNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, PODNET_STATS_A_RX_BYTES, s->rx_bytes,
			      PODNET_STATS_A_PAD))
		goto cancel;
	for (i = 0; i < PN_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, PODNET_STATS_A_TX_DROP_NO_PEER + i,
				      s->drops[i], PODNET_STATS_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int pn_nl_put_remote(struct sk_buff *skb, const struct pn_peer_key *key)
{
	if (key->family == AF_INET)
		return nla_put_in_addr(skb, PODNET_PEER_A_REMOTE_IPV4,
				       key->addr[0]);
	return nla_put(skb, PODNET_PEER_A_REMOTE_IPV6, sizeof(struct in6_addr),
		       key->addr);
}

static int pn_nl_put_prefix(struct sk_buff *skb, const struct pn_node *node)
{
	struct nlattr *nest;
	u8 addr[16];

	nest = nla_nest_start(skb, PODNET_PEER_A_PREFIX);
	if (!nest)
		return -EMSGSIZE;
	pn_prefix_addr(node, addr);
	if (nla_put(skb, node->family == AF_INET ? PODNET_PREFIX_A_IPV4 :
		    PODNET_PREFIX_A_IPV6, node->family == AF_INET ? 4 : 16,
		    addr) ||
	    nla_put_u8(skb, PODNET_PREFIX_A_LEN, node->cidr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pn_nl_put_device(struct sk_buff *skb, struct pn_device *pn)
{
	struct pn_stats_sum sum;
	struct pn_table *tbl;
	u32 portid;

	pn_device_stats(pn, &sum);
	rcu_read_lock();
	tbl = rcu_dereference(pn->table);
	if (nla_put_u32(skb, PODNET_A_IFINDEX, pn->dev->ifindex) ||
	    nla_put_string(skb, PODNET_A_IFNAME, pn->dev->name) ||
	    nla_put_u32(skb, PODNET_A_GENERATION, READ_ONCE(pn->generation)) ||
	    nla_put_u32(skb, PODNET_A_NUM_PEERS, READ_ONCE(tbl->num_peers)) ||
	    nla_put_u32(skb, PODNET_A_NUM_PREFIXES,
			READ_ONCE(tbl->num_prefixes))) {
		rcu_read_unlock();
		return -EMSGSIZE;
	}
	rcu_read_unlock();
	portid = READ_ONCE(pn->staging_portid);
	if (portid && nla_put_u32(skb, PODNET_A_REPLACE_PORTID, portid))
		return -EMSGSIZE;
	return pn_nl_put_stats(skb, PODNET_A_STATS, &sum);
}

static int pn_nl_get_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pn_device *pn;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	pn = pn_nl_device(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &pn_genl_family, 0,
				PODNET_CMD_GET_DEVICE);
	ret = -EMSGSIZE;
	if (!hdr || pn_nl_put_device(msg, pn)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	dev_put(pn->dev);
	return ret;
}

static int pn_nl_get_device_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct net_device *dev;
	long idx = 0;
	void *hdr;

	rcu_read_lock();
	for_each_netdev_rcu(sock_net(skb->sk), dev) {
		if (!pn_is_podnet(dev))
			continue;
		if (idx++ < cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pn_genl_family,
				  NLM_F_MULTI, PODNET_CMD_GET_DEVICE);
		if (!hdr)
			break;
		if (pn_nl_put_device(skb, netdev_priv(dev))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	rcu_read_unlock();
	return skb->len;
}

/*
 * Notifications carry IFINDEX, IFNAME, GENERATION and, for peer changes,
 * the PEER nest of the request (REMOTE and PREFIXes) with the peer's MAC
 * and NUM_PREFIXES, or for whole-table changes the table's counts.
 */
static void pn_nl_notify(struct pn_device *pn, u8 cmd, u16 flags,
			 const struct pn_peer_msg *m, struct genl_info *info)
{
	struct net *net = dev_net(pn->dev);
	struct pn_table *tbl = pn_table_live(pn);
	struct pn_peer *peer = NULL;
	struct nlattr *nest;
	struct sk_buff *skb;
	unsigned int i;
	void *hdr;

	if (!genl_has_listeners(&pn_genl_family, net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE + (m ? nla_len(m->nest) : 0),
			  GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &pn_genl_family, flags, cmd);
	if (!hdr ||
	    nla_put_u32(skb, PODNET_A_IFINDEX, pn->dev->ifindex) ||
	    nla_put_string(skb, PODNET_A_IFNAME, pn->dev->name) ||
	    nla_put_u32(skb, PODNET_A_GENERATION, pn->generation))
		goto err;
	if (!m) {
		if (nla_put_u32(skb, PODNET_A_NUM_PEERS, tbl->num_peers) ||
		    nla_put_u32(skb, PODNET_A_NUM_PREFIXES, tbl->num_prefixes))
			goto err;
		goto send;
	}
	nest = nla_nest_start(skb, PODNET_A_PEER);
	if (!nest)
		goto err;
	if (m->has_key) {
		if (pn_nl_put_remote(skb, &m->key))
			goto err;
		peer = pn_table_find_peer(tbl, &m->key);
	}
	if (peer && peer->has_mac &&
	    nla_put(skb, PODNET_PEER_A_MAC, ETH_ALEN, peer->mac))
		goto err;
	if (peer && nla_put_u32(skb, PODNET_PEER_A_NUM_PREFIXES,
				peer->num_prefixes))
		goto err;
	for (i = 0; i < m->num_prefixes; i++)
		if (nla_put(skb, PODNET_PEER_A_PREFIX | NLA_F_NESTED,
			    nla_len(m->prefix_attrs[i]),
			    nla_data(m->prefix_attrs[i])))
			goto err;
	nla_nest_end(skb, nest);
send:
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pn_genl_family, net, skb, 0, 0, GFP_KERNEL);
	return;
err:
	nlmsg_free(skb);
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

	if (!info->attrs[PODNET_A_PEER]) {
		NL_SET_ERR_MSG(info->extack, "missing peer");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, PODNET_A_PEER);
		return -EINVAL;
	}
	pn = pn_nl_device(genl_info_net(info), info->attrs, extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	ret = pn_nl_parse_peer(&m, info->attrs[PODNET_A_PEER], extack);
	if (ret)
		goto out_dev;
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

	mutex_lock(&pn->lock);
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
	mutex_unlock(&pn->lock);
out:
	pn_nl_peer_msg_free(&m);
out_dev:
	dev_put(pn->dev);
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

	if (!info->attrs[PODNET_A_PEER]) {
		NL_SET_ERR_MSG(info->extack, "missing peer");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, PODNET_A_PEER);
		return -EINVAL;
	}
	pn = pn_nl_device(genl_info_net(info), info->attrs, extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	ret = pn_nl_parse_peer(&m, info->attrs[PODNET_A_PEER], extack);
	if (ret)
		goto out_dev;
	if (!m.has_key && !m.num_prefixes) {
		NL_SET_ERR_MSG_ATTR(extack, m.nest,
				    "peer needs a remote or prefixes");
		NL_SET_ERR_ATTR_MISS(extack, m.nest, PODNET_PEER_A_REMOTE_IPV4);
		ret = -EINVAL;
		goto out;
	}

	mutex_lock(&pn->lock);
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
	mutex_unlock(&pn->lock);
out:
	pn_nl_peer_msg_free(&m);
out_dev:
	dev_put(pn->dev);
	return ret;
}

/*
 * Dump cursor, in cb->args: [0] 0 before the first call, 1 while dumping,
 * 2 when done; [1] index of the current peer (of all peers, or 0 when the
 * dump asks for one); [2] index of its next prefix;
 * [3] the device generation when the cursor was saved; [4] the current peer
 * and [5] its next prefix node, or NULL for its first.  The pointers are
 * valid only while the generation has not changed (every change of the live
 * table bumps it, and nothing is freed without a change); otherwise the
 * dump goes on from the indexes, already flagged NLM_F_DUMP_INTR.
 */
static int pn_nl_dump_peer(struct sk_buff *skb, struct netlink_callback *cb,
			   struct pn_device *pn, struct pn_peer *peer,
			   struct pn_node **cursor, unsigned long *nidx)
{
	struct pn_stats_sum sum = {};
	struct pn_node *node;
	unsigned int added = 0;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pn_genl_family, NLM_F_MULTI, PODNET_CMD_GET_PEER);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, PODNET_A_IFINDEX, pn->dev->ifindex))
		goto cancel;
	nest = nla_nest_start(skb, PODNET_A_PEER);
	if (!nest || pn_nl_put_remote(skb, &peer->key))
		goto cancel;
	if (!*nidx) {
		pn_stats_fold(&sum, READ_ONCE(peer->stats));
		if ((peer->has_mac &&
		     nla_put(skb, PODNET_PEER_A_MAC, ETH_ALEN, peer->mac)) ||
		    nla_put_u32(skb, PODNET_PEER_A_NUM_PREFIXES,
				peer->num_prefixes) ||
		    pn_nl_put_stats(skb, PODNET_PEER_A_STATS, &sum))
			goto cancel;
	}
	node = *cursor ?: list_first_entry(&peer->prefixes, struct pn_node,
					   peer_list);
	list_for_each_entry_from(node, &peer->prefixes, peer_list) {
		if (pn_nl_put_prefix(skb, node)) {
			if (!added && *nidx)
				goto cancel;
			*cursor = node;
			nla_nest_end(skb, nest);
			genlmsg_end(skb, hdr);
			return -EMSGSIZE;
		}
		added++;
		(*nidx)++;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	*cursor = NULL;
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct pn_node *pn_nl_dump_seek_prefix(struct pn_peer *peer,
					      struct netlink_callback *cb)
{
	unsigned long i = 0;
	struct pn_node *node;

	list_for_each_entry(node, &peer->prefixes, peer_list)
		if (i++ == cb->args[2])
			return node;
	cb->args[2] = 0;
	return NULL;
}

static struct pn_peer *pn_nl_dump_seek(struct pn_table *tbl,
				       struct netlink_callback *cb)
{
	unsigned long i = 0;
	struct pn_peer *peer;

	list_for_each_entry(peer, &tbl->peers, table_list)
		if (i++ == cb->args[1])
			return peer;
	return NULL;
}

static int pn_nl_get_peer_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct nlattr **attrs = pn_compat_dump_attrs(cb);
	struct pn_peer_msg m = {};
	struct pn_peer *peer;
	struct pn_node *cursor;
	struct pn_device *pn;
	struct pn_table *tbl;
	int ret = 0;

	if (cb->args[0] == 2)
		return 0;
	pn = pn_nl_device(sock_net(skb->sk), attrs, cb->extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	if (attrs[PODNET_A_PEER]) {
		ret = pn_nl_parse_peer(&m, attrs[PODNET_A_PEER], cb->extack);
		if (ret)
			goto out_dev;
		pn_nl_peer_msg_free(&m);
	}

	mutex_lock(&pn->lock);
	tbl = pn_table_live(pn);
	cb->seq = pn->generation;
	if (cb->args[0] && cb->args[3] == pn->generation) {
		peer = (struct pn_peer *)cb->args[4];
		cursor = (struct pn_node *)cb->args[5];
	} else {
		if (m.has_key)
			peer = pn_table_find_peer(tbl, &m.key);
		else
			peer = pn_nl_dump_seek(tbl, cb);
		cursor = peer ? pn_nl_dump_seek_prefix(peer, cb) : NULL;
		cb->args[0] = 1;
	}

	while (peer) {
		ret = pn_nl_dump_peer(skb, cb, pn, peer, &cursor,
				      (unsigned long *)&cb->args[2]);
		if (ret)
			break;
		cb->args[1]++;
		cb->args[2] = 0;
		if (m.has_key || list_is_last(&peer->table_list, &tbl->peers))
			peer = NULL;
		else
			peer = list_next_entry(peer, table_list);
	}
	if (!peer)
		cb->args[0] = 2;
	cb->args[3] = pn->generation;
	cb->args[4] = (unsigned long)peer;
	cb->args[5] = (unsigned long)cursor;
	mutex_unlock(&pn->lock);
	ret = skb->len;
out_dev:
	dev_put(pn->dev);
	return ret;
}

static int pn_nl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pn_device *pn;
	int ret;

	pn = pn_nl_device(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	mutex_lock(&pn->lock);
	ret = pn_table_flush(pn);
	if (!ret)
		pn_nl_notify(pn, PODNET_CMD_FLUSH_PEERS, 0, NULL, info);
	mutex_unlock(&pn->lock);
	dev_put(pn->dev);
	return ret;
}

static int pn_nl_replace_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	u8 cmd = info->genlhdr->cmd;
	struct pn_device *pn;
	int ret;

	pn = pn_nl_device(net, info->attrs, extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
	mutex_lock(&pn->lock);
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
	mutex_unlock(&pn->lock);
	dev_put(pn->dev);
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

static struct genl_family pn_genl_family __ro_after_init = {
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
