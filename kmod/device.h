/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_DEVICE_H
#define _PODNET_DEVICE_H

#include <linux/netdevice.h>

/*
 * One podnet link.  Lives in netdev_priv(); freed with the net_device by
 * the core (needs_free_netdev), after pn_device_destruct().
 */
struct pn_device {
	struct net_device *dev;
};

int pn_device_init(void);
void pn_device_uninit(void);

#endif /* _PODNET_DEVICE_H */
