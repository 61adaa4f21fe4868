// SPDX-License-Identifier: GPL-2.0
/*
 * What the "podnet" generic netlink family sends: GET_DEVICE replies and
 * dumps, GET_PEER dumps and change notifications.  Requests are parsed,
 * and tables changed, in netlink.c.
 */

#include <linux/etherdevice.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peertable.h"
#include "socket.h"

/* drops[i] goes out as PODNET_STATS_A_TX_DROP_NO_PEER + i. */
static_assert(PODNET_STATS_A_TX_DROP_NO_PEER + PN_DROP_MAX - 1 ==
	      PODNET_STATS_A_MAX);

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

/* The link configuration, as IFLA_INFO_DATA of RTM_GETLINK has it. */
static int pn_nl_put_config(struct sk_buff *skb, const struct pn_device *pn)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, PODNET_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (pn_device_fill_config(skb, pn)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Called without pn->lock, in process context (pn_device_stats() takes the
 * lock and may sleep): the counts are read once each, and may be a change
 * apart from each other.
 */
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
	if (pn_nl_put_stats(skb, PODNET_A_STATS, &sum) ||
	    pn_nl_put_config(skb, pn) ||
	    pn_socket_fill_xstats(skb, PODNET_A_SOCKET_STATS, pn))
		return -EMSGSIZE;
	return 0;
}

int pn_nl_get_device_doit(struct sk_buff *skb, struct genl_info *info)
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

/* The @idx-th podnet device of @net, held, or NULL. */
static struct net_device *pn_nl_nth_device(struct net *net, long idx)
{
	struct net_device *dev;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (pn_nl_is_podnet(dev) && !idx--) {
			dev_hold(dev);
			rcu_read_unlock();
			return dev;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * cb->args[0]: how many devices were dumped.  Each is found again by its
 * position and held while it is put, outside RCU: its peers' counters are
 * summed under its lock (pn_device_stats()).
 */
int pn_nl_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net_device *dev;
	void *hdr;
	int err;

	while ((dev = pn_nl_nth_device(sock_net(skb->sk), cb->args[0]))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pn_genl_family,
				  NLM_F_MULTI, PODNET_CMD_GET_DEVICE);
		err = hdr ? pn_nl_put_device(skb, netdev_priv(dev)) : -EMSGSIZE;
		dev_put(dev);
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	return skb->len;
}

/*
 * Room for PREFIXes in one PEER nest of a notification: an attribute's
 * length is 16 bits, and the nest also holds REMOTE, MAC and NUM_PREFIXES.
 */
#define PN_NL_NEST_ROOM	(U16_MAX - NLA_HDRLEN - \
			 nla_total_size(sizeof(struct in6_addr)) - \
			 nla_total_size(ETH_ALEN) - nla_total_size(sizeof(u32)))

static size_t pn_nl_notify_size(const struct pn_peer_msg *m)
{
	size_t nests;

	if (!m)
		return NLMSG_GOODSIZE;
	nests = DIV_ROUND_UP(m->prefix_bytes, PN_NL_NEST_ROOM) + 1;
	return NLMSG_GOODSIZE + m->prefix_bytes +
	       nests * (NLA_HDRLEN + nla_total_size(sizeof(struct in6_addr)));
}

/*
 * The PEER nests of a notification: REMOTE in each, the peer's MAC and
 * NUM_PREFIXES in the first, and the request's PREFIXes, in as many
 * nests as they need.
 */
static int pn_nl_notify_peer(struct sk_buff *skb, struct pn_device *pn,
			     const struct pn_peer_msg *m)
{
	struct pn_peer *peer = NULL;
	unsigned int i = 0;
	struct nlattr *nest;

	lockdep_assert_held(&pn->lock);
	if (m->has_key)
		peer = pn_table_find_peer(pn_table_live(pn), &m->key);
	do {
		nest = nla_nest_start(skb, PODNET_A_PEER);
		if (!nest)
			return -EMSGSIZE;
		if (m->has_key && pn_nl_put_remote(skb, &m->key))
			return -EMSGSIZE;
		if (!i && peer &&
		    ((peer->has_mac &&
		      nla_put(skb, PODNET_PEER_A_MAC, ETH_ALEN, peer->mac)) ||
		     nla_put_u32(skb, PODNET_PEER_A_NUM_PREFIXES,
				 peer->num_prefixes)))
			return -EMSGSIZE;
		for (; i < m->num_prefixes; i++) {
			const struct nlattr *a = m->prefix_attrs[i];

			if (skb_tail_pointer(skb) - (unsigned char *)nest +
			    nla_total_size(nla_len(a)) > U16_MAX)
				break;
			if (nla_put(skb, PODNET_PEER_A_PREFIX | NLA_F_NESTED,
				    nla_len(a), nla_data(a)))
				return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	} while (i < m->num_prefixes);
	return 0;
}

/*
 * Notifications carry IFINDEX, IFNAME, GENERATION and, for peer changes,
 * the PEER nests of the request (REMOTE and PREFIXes) with the peer's MAC
 * and NUM_PREFIXES, or for whole-table changes the table's counts.  One
 * that cannot be built is reported to the listeners as a lost message.
 */
void pn_nl_notify(struct pn_device *pn, u8 cmd, u16 flags,
		  const struct pn_peer_msg *m, struct genl_info *info)
{
	struct net *net = dev_net(pn->dev);
	struct pn_table *tbl = pn_table_live(pn);
	struct sk_buff *skb;
	void *hdr;

	lockdep_assert_held(&pn->lock);
	if (!genl_has_listeners(&pn_genl_family, net, 0))
		return;
	skb = genlmsg_new(pn_nl_notify_size(m), GFP_KERNEL);
	if (!skb)
		goto lost;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &pn_genl_family, flags, cmd);
	if (!hdr ||
	    nla_put_u32(skb, PODNET_A_IFINDEX, pn->dev->ifindex) ||
	    nla_put_string(skb, PODNET_A_IFNAME, pn->dev->name) ||
	    nla_put_u32(skb, PODNET_A_GENERATION, pn->generation))
		goto err;
	if (m) {
		if (pn_nl_notify_peer(skb, pn, m))
			goto err;
	} else if (nla_put_u32(skb, PODNET_A_NUM_PEERS, tbl->num_peers) ||
		   nla_put_u32(skb, PODNET_A_NUM_PREFIXES, tbl->num_prefixes)) {
		goto err;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pn_genl_family, net, skb, 0, 0, GFP_KERNEL);
	return;
err:
	nlmsg_free(skb);
lost:
	genl_set_err(&pn_genl_family, net, 0, 0, -ENOBUFS);
}

/*
 * Dump cursor, in cb->args: [0] the device's ifindex, taken from the
 * request on the first call (0 before it, -1 when done), so that later
 * calls find the same device even if it was renamed; [1] index of the
 * current peer (of all peers, or 0 when the dump asks for one); [2] index of
 * its next prefix; [3] the device generation when the cursor was saved; [4]
 * the current peer and [5] its next prefix node, or NULL for its first.
 * Nothing is held between calls (a held device could not be deleted while
 * a user, who needs no privilege to dump, keeps the dump open), so the
 * pointers are used only while the generation has not changed: every change
 * of the live table takes a new one, nothing is freed without a change, and
 * generations are unique across devices (pn_generation_next()), so a device
 * created under the old one's index does not match.  Otherwise the dump goes
 * on from the indexes, flagged NLM_F_DUMP_INTR (cb->seq is the generation).
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

	lockdep_assert_held(&pn->lock);
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

int pn_nl_get_peer_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = pn_compat_dump_attrs(cb);
	struct pn_peer_msg m = {};
	struct pn_peer *peer;
	struct pn_node *cursor;
	struct pn_device *pn;
	struct pn_table *tbl;
	int ret;

	if (cb->args[0] < 0)
		return 0;
	if (attrs[PODNET_A_PEER]) {
		ret = pn_nl_parse_peer(&m, attrs[PODNET_A_PEER], cb->extack);
		if (ret)
			return ret;
		pn_nl_peer_msg_free(&m);
	}
	if (!cb->args[0])
		pn = pn_nl_lock_device(sock_net(skb->sk), attrs, cb->extack);
	else
		pn = pn_nl_lock_ifindex(sock_net(skb->sk), cb->args[0],
					cb->extack);
	if (IS_ERR(pn))
		return PTR_ERR(pn);
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
		cb->args[0] = pn->dev->ifindex;
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
		cb->args[0] = -1;
	cb->args[3] = pn->generation;
	cb->args[4] = (unsigned long)peer;
	cb->args[5] = (unsigned long)cursor;
	pn_nl_unlock_device(pn);
	return skb->len;
}
