// SPDX-License-Identifier: GPL-2.0
/*
 * The podnet link type: rtnl_link_ops and net_device_ops.
 */

#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"

static int pn_dev_init(struct net_device *dev)
{
	return pn_compat_tstats_alloc(dev);
}

/*
 * Until the datapath lands, every packet handed to the device is dropped
 * and counted, so that nothing is leaked and the counters stay honest.
 */
static netdev_tx_t pn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops pn_netdev_ops = {
	.ndo_init		= pn_dev_init,
	.ndo_start_xmit		= pn_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void pn_destruct(struct net_device *dev)
{
	pn_compat_tstats_free(dev);
}

static void pn_setup(struct net_device *dev)
{
	struct pn_device *pn = netdev_priv(dev);

	dev->netdev_ops = &pn_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - PODNET_VXLAN_OVERHEAD_IPV4;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - PODNET_VXLAN_OVERHEAD_IPV4;
	dev->needs_free_netdev = true;
	dev->priv_destructor = pn_destruct;
	pn_compat_set_lltx(dev);
	pn_compat_tstats_setup(dev);
	netif_keep_dst(dev);

	pn->dev = dev;
}

static int pn_newlink_common(struct net_device *dev, struct net *src_net,
			     struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	return register_netdevice(dev);
}

PN_NEWLINK(pn_newlink, pn_newlink_common)

static struct rtnl_link_ops pn_link_ops __read_mostly = {
	.kind		= PODNET_LINK_KIND,
	.priv_size	= sizeof(struct pn_device),
	.setup		= pn_setup,
	.newlink	= pn_newlink,
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
