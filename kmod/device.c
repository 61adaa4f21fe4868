// SPDX-License-Identifier: GPL-2.0
/*
 * The podnet link type: rtnl_link_ops and net_device_ops.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "peertable.h"
#include "send.h"
#include "socket.h"

static int pn_dev_init(struct net_device *dev)
{
	struct pn_device *pn = netdev_priv(dev);
	int ret;

	ret = pn_compat_tstats_alloc(dev);
	if (ret)
		return ret;
	ret = pn_peertable_dev_init(pn);
	if (ret)
		goto err_tstats;
	ret = gro_cells_init(&pn->gro_cells, dev);
	if (ret)
		goto err_peertable;
	return 0;

err_peertable:
	pn_peertable_dev_uninit(pn);
err_tstats:
	pn_compat_tstats_free(dev);
	return ret;
}

static void pn_dev_uninit(struct net_device *dev)
{
	struct pn_device *pn = netdev_priv(dev);

	gro_cells_destroy(&pn->gro_cells);
}

/* The UDP sockets exist while the device is up. */
static int pn_open(struct net_device *dev)
{
	return pn_socket_open(netdev_priv(dev));
}

static int pn_stop(struct net_device *dev)
{
	pn_socket_close(netdev_priv(dev));
	return 0;
}

static const struct net_device_ops pn_netdev_ops = {
	.ndo_init		= pn_dev_init,
	.ndo_uninit		= pn_dev_uninit,
	.ndo_open		= pn_open,
	.ndo_stop		= pn_stop,
	.ndo_start_xmit		= pn_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void pn_destruct(struct net_device *dev)
{
	pn_peertable_dev_uninit(netdev_priv(dev));
	pn_compat_tstats_free(dev);
}

static void pn_setup(struct net_device *dev)
{
	struct pn_device *pn = netdev_priv(dev);

	dev->netdev_ops = &pn_netdev_ops;
	/* AF_PACKET sends: skb->protocol from the IP header's version. */
	dev->header_ops = &ip_tunnel_header_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - PODNET_VXLAN_OVERHEAD_IPV6;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - PODNET_VXLAN_OVERHEAD_IPV6;
	dev->needs_free_netdev = true;
	dev->priv_destructor = pn_destruct;
	pn_compat_set_lltx(dev);
	pn_compat_tstats_setup(dev);
	netif_keep_dst(dev);

	/* Encapsulated once and segmented below (send.c). */
	dev->features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE;
	dev->hw_features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			    NETIF_F_GSO_SOFTWARE;

	pn->dev = dev;
}

static struct netlink_range_validation pn_vni_range = {
	.max = PODNET_VNI_MAX,
};

static const struct nla_policy pn_policy[IFLA_PODNET_MAX + 1] = {
	[IFLA_PODNET_VNI]		= NLA_POLICY_FULL_RANGE(NLA_U32, &pn_vni_range),
	[IFLA_PODNET_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[IFLA_PODNET_LOCAL]		= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[IFLA_PODNET_LOCAL6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_PODNET_LINK]		= { .type = NLA_U32 },
	[IFLA_PODNET_TTL]		= { .type = NLA_U8 },
	[IFLA_PODNET_TTL_INHERIT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_PODNET_TOS]		= { .type = NLA_U8 },
	[IFLA_PODNET_TOS_INHERIT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_PODNET_SRCPORT_MIN]	= NLA_POLICY_MIN(NLA_U16, 1),
	[IFLA_PODNET_SRCPORT_MAX]	= NLA_POLICY_MIN(NLA_U16, 1),
	[IFLA_PODNET_UDP_CSUM]		= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_PODNET_ENCAP]		= NLA_POLICY_MAX(NLA_U8, PODNET_ENCAP_MAX),
	[IFLA_PODNET_SRC_VALID]		= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_PODNET_MAC]		= NLA_POLICY_ETH_ADDR,
	[IFLA_PODNET_DST_VALID]		= NLA_POLICY_MAX(NLA_U8, 1),
};

/* Checks that need no device; called for creation and for changes. */
static int pn_validate(struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	struct nlattr *a;

	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "podnet devices have no link-layer address");
		return -EINVAL;
	}
	if (!data)
		return 0;

	if (data[IFLA_PODNET_TTL] && nla_get_u8(data[IFLA_PODNET_TTL]) &&
	    data[IFLA_PODNET_TTL_INHERIT] &&
	    nla_get_u8(data[IFLA_PODNET_TTL_INHERIT])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_PODNET_TTL],
				    "a fixed ttl excludes ttl inherit");
		return -EINVAL;
	}
	a = data[IFLA_PODNET_TOS];
	if (a && nla_get_u8(a) & INET_ECN_MASK) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "tos must leave the ECN bits zero (ECN follows RFC 6040)");
		return -EINVAL;
	}
	if (a && nla_get_u8(a) && data[IFLA_PODNET_TOS_INHERIT] &&
	    nla_get_u8(data[IFLA_PODNET_TOS_INHERIT])) {
		NL_SET_ERR_MSG_ATTR(extack, a, "a fixed tos excludes tos inherit");
		return -EINVAL;
	}
	if (!data[IFLA_PODNET_SRCPORT_MIN] != !data[IFLA_PODNET_SRCPORT_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_PODNET_SRCPORT_MIN] ?:
				    data[IFLA_PODNET_SRCPORT_MAX],
				    "srcport needs both a minimum and a maximum");
		return -EINVAL;
	}
	if (data[IFLA_PODNET_SRCPORT_MIN] &&
	    nla_get_u16(data[IFLA_PODNET_SRCPORT_MIN]) >
	    nla_get_u16(data[IFLA_PODNET_SRCPORT_MAX])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_PODNET_SRCPORT_MAX],
				    "srcport maximum is below the minimum");
		return -EINVAL;
	}
	a = data[IFLA_PODNET_MAC];
	if (a && !is_valid_ether_addr(nla_data(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "mac must be a unicast, non-zero Ethernet address");
		return -EINVAL;
	}
	a = data[IFLA_PODNET_LOCAL];
	if (a) {
		__be32 addr = nla_get_in_addr(a);

		if (ipv4_is_zeronet(addr) || ipv4_is_multicast(addr) ||
		    ipv4_is_lbcast(addr)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "local must be a unicast IPv4 address");
			return -EINVAL;
		}
	}
	a = data[IFLA_PODNET_LOCAL6];
	if (a) {
		struct in6_addr addr = nla_get_in6_addr(a);

		if (ipv6_addr_any(&addr) || ipv6_addr_is_multicast(&addr) ||
		    ipv6_addr_v4mapped(&addr)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "local6 must be a unicast IPv6 address");
			return -EINVAL;
		}
		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "IPv6 is not available in this kernel");
			return -EAFNOSUPPORT;
		}
	}
	return 0;
}

static void pn_config_defaults(struct pn_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->vni = PODNET_DEFAULT_VNI;
	cfg->port = PODNET_DEFAULT_PORT;
	cfg->encap = PODNET_ENCAP_VXLAN;
	cfg->src_valid = true;
	eth_random_addr(cfg->mac);
}

/*
 * A fixed attribute may be repeated with its current value (ip(8) and the
 * plugin resend what they know), but not changed.
 */
static int pn_refuse_change(struct nlattr *a, bool differs,
			    struct netlink_ext_ack *extack)
{
	if (!a || !differs)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, a,
			    "cannot change this attribute of an existing podnet device");
	return -EOPNOTSUPP;
}

/*
 * Apply @data to @cfg.  On an existing device (!create) only the live
 * attributes may differ from @cfg.  @data has passed pn_validate().
 */
static int pn_config_parse(struct pn_config *cfg, struct nlattr *data[],
			   bool create, struct netlink_ext_ack *extack)
{
	struct pn_config new = *cfg;
	int err = 0;

	if (!data)
		return 0;
	if (data[IFLA_PODNET_VNI])
		new.vni = nla_get_u32(data[IFLA_PODNET_VNI]);
	if (data[IFLA_PODNET_PORT])
		new.port = nla_get_u16(data[IFLA_PODNET_PORT]);
	if (data[IFLA_PODNET_ENCAP])
		new.encap = nla_get_u8(data[IFLA_PODNET_ENCAP]);
	if (data[IFLA_PODNET_LOCAL]) {
		new.has_local = true;
		new.local = nla_get_in_addr(data[IFLA_PODNET_LOCAL]);
	}
	if (data[IFLA_PODNET_LOCAL6]) {
		new.has_local6 = true;
		new.local6 = nla_get_in6_addr(data[IFLA_PODNET_LOCAL6]);
	}
	if (data[IFLA_PODNET_LINK])
		new.link = nla_get_u32(data[IFLA_PODNET_LINK]);
	if (data[IFLA_PODNET_MAC])
		ether_addr_copy(new.mac, nla_data(data[IFLA_PODNET_MAC]));

	if (!create) {
		err = pn_refuse_change(data[IFLA_PODNET_VNI],
				       new.vni != cfg->vni, extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_PORT],
				       new.port != cfg->port, extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_ENCAP],
				       new.encap != cfg->encap, extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_LOCAL],
				       !cfg->has_local ||
				       new.local != cfg->local, extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_LOCAL6],
				       !cfg->has_local6 ||
				       !ipv6_addr_equal(&new.local6,
							&cfg->local6), extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_LINK],
				       new.link != cfg->link, extack) ?:
		      pn_refuse_change(data[IFLA_PODNET_MAC],
				       !ether_addr_equal(new.mac, cfg->mac),
				       extack);
		if (err)
			return err;
	}

	/* A fixed value and inherit exclude each other; the last given wins. */
	if (data[IFLA_PODNET_TTL]) {
		new.ttl = nla_get_u8(data[IFLA_PODNET_TTL]);
		new.ttl_inherit = false;
	}
	if (data[IFLA_PODNET_TTL_INHERIT]) {
		new.ttl_inherit = nla_get_u8(data[IFLA_PODNET_TTL_INHERIT]);
		if (new.ttl_inherit)
			new.ttl = 0;
	}
	if (data[IFLA_PODNET_TOS]) {
		new.tos = nla_get_u8(data[IFLA_PODNET_TOS]);
		new.tos_inherit = false;
	}
	if (data[IFLA_PODNET_TOS_INHERIT]) {
		new.tos_inherit = nla_get_u8(data[IFLA_PODNET_TOS_INHERIT]);
		if (new.tos_inherit)
			new.tos = 0;
	}
	if (data[IFLA_PODNET_SRCPORT_MIN]) {
		new.srcport_min = nla_get_u16(data[IFLA_PODNET_SRCPORT_MIN]);
		new.srcport_max = nla_get_u16(data[IFLA_PODNET_SRCPORT_MAX]);
	}
	if (data[IFLA_PODNET_UDP_CSUM])
		new.udp_csum = nla_get_u8(data[IFLA_PODNET_UDP_CSUM]);
	if (data[IFLA_PODNET_SRC_VALID])
		new.src_valid = nla_get_u8(data[IFLA_PODNET_SRC_VALID]);
	if (data[IFLA_PODNET_DST_VALID])
		new.dst_valid = nla_get_u8(data[IFLA_PODNET_DST_VALID]);

	if (create) {
		*cfg = new;
		return 0;
	}
	/* The datapath reads these locklessly, one field at a time. */
	WRITE_ONCE(cfg->ttl, new.ttl);
	WRITE_ONCE(cfg->ttl_inherit, new.ttl_inherit);
	WRITE_ONCE(cfg->tos, new.tos);
	WRITE_ONCE(cfg->tos_inherit, new.tos_inherit);
	WRITE_ONCE(cfg->srcport_min, new.srcport_min);
	WRITE_ONCE(cfg->srcport_max, new.srcport_max);
	WRITE_ONCE(cfg->udp_csum, new.udp_csum);
	WRITE_ONCE(cfg->src_valid, new.src_valid);
	WRITE_ONCE(cfg->dst_valid, new.dst_valid);
	return 0;
}

/*
 * Bytes in front of the inner packet: the IPv6 overhead unless the device
 * can only use IPv4 (LOCAL without LOCAL6), so that a packet of the MTU
 * fits to every peer it may have.
 */
static unsigned int pn_overhead(const struct pn_config *cfg)
{
	return pn_encap_overhead(cfg, cfg->has_local && !cfg->has_local6 ?
				 AF_INET : AF_INET6);
}

static int pn_set_mtu(struct net_device *dev, struct net_device *lower,
		      bool mtu_given, struct netlink_ext_ack *extack)
{
	struct pn_device *pn = netdev_priv(dev);
	unsigned int overhead = pn_overhead(&pn->cfg);
	int mtu;

	dev->max_mtu = IP_MAX_MTU - overhead;
	dev->needed_headroom = overhead +
			       (lower ? lower->hard_header_len +
					lower->needed_headroom : ETH_HLEN);
	if (mtu_given) {
		if (dev->mtu > dev->max_mtu) {
			NL_SET_ERR_MSG(extack,
				       "mtu too large for the encapsulation overhead");
			return -EINVAL;
		}
		return 0;
	}
	mtu = (lower ? (int)lower->mtu : ETH_DATA_LEN) - (int)overhead;
	dev->mtu = clamp_t(int, mtu, dev->min_mtu, dev->max_mtu);
	return 0;
}

/*
 * @link_net is the netns of the request (or of IFLA_LINK_NETNSID): the
 * device's sockets and underlay live there for good, even if the device is
 * created in or moved to another netns.
 */
int pn_newlink(struct net_device *dev, struct net *link_net,
	       struct nlattr *tb[], struct nlattr *data[],
	       struct netlink_ext_ack *extack)
{
	struct pn_device *pn = netdev_priv(dev);
	struct net_device *lower = NULL;
	int err;

	pn_config_defaults(&pn->cfg);
	err = pn_config_parse(&pn->cfg, data, true, extack);
	if (err)
		return err;
	if (pn->cfg.link) {
		lower = __dev_get_by_index(link_net, pn->cfg.link);
		if (!lower) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_PODNET_LINK],
					    "underlay device not found");
			return -ENODEV;
		}
	}
	err = pn_socket_check_config(link_net, &pn->cfg, extack);
	if (err)
		return err;
	err = pn_set_mtu(dev, lower, tb[IFLA_MTU], extack);
	if (err)
		return err;
	pn->net = link_net;

	err = register_netdevice(dev);
	if (err)
		return err;
	pn_socket_add_device(pn);
	return 0;
}

static int pn_changelink(struct net_device *dev, struct nlattr *tb[],
			 struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct pn_device *pn = netdev_priv(dev);
	bool tos_inherit = pn->cfg.tos_inherit;
	u8 tos = pn->cfg.tos;
	int err;

	err = pn_config_parse(&pn->cfg, data, false, extack);
	if (err)
		return err;
	/* The peers' cached routes were looked up with the old TOS. */
	if (pn->cfg.tos != tos || pn->cfg.tos_inherit != tos_inherit)
		pn_table_reset_routes(pn);
	return 0;
}

static void pn_dellink(struct net_device *dev, struct list_head *head)
{
	pn_socket_del_device(netdev_priv(dev));
	unregister_netdevice_queue(dev, head);
}

static size_t pn_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32)) +		/* VNI */
	       nla_total_size(sizeof(u16)) +		/* PORT */
	       nla_total_size(sizeof(struct in_addr)) +	/* LOCAL */
	       nla_total_size(sizeof(struct in6_addr)) + /* LOCAL6 */
	       nla_total_size(sizeof(u32)) +		/* LINK */
	       nla_total_size(sizeof(u8)) * 4 +		/* TTL, TOS, *_INHERIT */
	       nla_total_size(sizeof(u16)) * 2 +	/* SRCPORT_MIN, _MAX */
	       nla_total_size(ETH_ALEN) +		/* MAC */
	       nla_total_size(sizeof(u8)) * 4;		/* UDP_CSUM, ENCAP,
							 * SRC_VALID, DST_VALID
							 */
}

/*
 * IFLA_PODNET_* of @pn, for RTM_GETLINK (under RTNL) and for the genl
 * family's GET_DEVICE (without it): the live fields are read as the
 * datapath reads them, once each.
 */
int pn_device_fill_config(struct sk_buff *skb, const struct pn_device *pn)
{
	const struct pn_config *cfg = &pn->cfg;

	if (nla_put_u32(skb, IFLA_PODNET_VNI, cfg->vni) ||
	    nla_put_u16(skb, IFLA_PODNET_PORT, cfg->port) ||
	    (cfg->has_local &&
	     nla_put_in_addr(skb, IFLA_PODNET_LOCAL, cfg->local)) ||
	    (cfg->has_local6 &&
	     nla_put_in6_addr(skb, IFLA_PODNET_LOCAL6, &cfg->local6)) ||
	    (cfg->link && nla_put_u32(skb, IFLA_PODNET_LINK, cfg->link)) ||
	    nla_put_u8(skb, IFLA_PODNET_TTL, READ_ONCE(cfg->ttl)) ||
	    nla_put_u8(skb, IFLA_PODNET_TTL_INHERIT,
		       READ_ONCE(cfg->ttl_inherit)) ||
	    nla_put_u8(skb, IFLA_PODNET_TOS, READ_ONCE(cfg->tos)) ||
	    nla_put_u8(skb, IFLA_PODNET_TOS_INHERIT,
		       READ_ONCE(cfg->tos_inherit)) ||
	    nla_put_u16(skb, IFLA_PODNET_SRCPORT_MIN,
			READ_ONCE(cfg->srcport_min)) ||
	    nla_put_u16(skb, IFLA_PODNET_SRCPORT_MAX,
			READ_ONCE(cfg->srcport_max)) ||
	    nla_put_u8(skb, IFLA_PODNET_UDP_CSUM, READ_ONCE(cfg->udp_csum)) ||
	    nla_put_u8(skb, IFLA_PODNET_ENCAP, cfg->encap) ||
	    nla_put_u8(skb, IFLA_PODNET_SRC_VALID, READ_ONCE(cfg->src_valid)) ||
	    nla_put(skb, IFLA_PODNET_MAC, ETH_ALEN, cfg->mac) ||
	    nla_put_u8(skb, IFLA_PODNET_DST_VALID, READ_ONCE(cfg->dst_valid)))
		return -EMSGSIZE;
	return 0;
}

static int pn_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	return pn_device_fill_config(skb, netdev_priv(dev));
}

static size_t pn_get_xstats_size(const struct net_device *dev)
{
	return pn_socket_xstats_size();
}

static int pn_fill_xstats(struct sk_buff *skb, const struct net_device *dev)
{
	return pn_socket_fill_xstats(skb, IFLA_INFO_XSTATS, netdev_priv(dev));
}

/* Shows as link-netnsid once the device has left its sockets' netns. */
static struct net *pn_get_link_net(const struct net_device *dev)
{
	const struct pn_device *pn = netdev_priv(dev);

	return pn->net;
}

static struct rtnl_link_ops pn_link_ops __read_mostly = {
	.kind		= PODNET_LINK_KIND,
	.priv_size	= sizeof(struct pn_device),
	.maxtype	= IFLA_PODNET_MAX,
	.policy		= pn_policy,
	.setup		= pn_setup,
	.validate	= pn_validate,
	.newlink	= pn_compat_newlink,
	.changelink	= pn_changelink,
	.dellink	= pn_dellink,
	.get_size	= pn_get_size,
	.fill_info	= pn_fill_info,
	.get_xstats_size = pn_get_xstats_size,
	.fill_xstats	= pn_fill_xstats,
	.get_link_net	= pn_get_link_net,
};

int __init pn_device_init(void)
{
	return rtnl_link_register(&pn_link_ops);
}

void pn_device_uninit(void)
{
	rtnl_link_unregister(&pn_link_ops);
}

MODULE_ALIAS_RTNL_LINK(PODNET_LINK_KIND);
