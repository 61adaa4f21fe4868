/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_SEND_H
#define _PODNET_SEND_H

#include <linux/netdevice.h>

netdev_tx_t pn_xmit(struct sk_buff *skb, struct net_device *dev);

#endif /* _PODNET_SEND_H */
