/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_DEVICE_H
#define _PODNET_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>

struct pn_table;
struct pn_stats;

/*
 * One podnet link.  Lives in netdev_priv(); freed with the net_device by
 * the core (needs_free_netdev), after pn_device_destruct().
 */
struct pn_device {
	struct net_device *dev;

	/* Peer table (peertable.c).  @lock serializes every change of
	 * @table, @generation and the replace being built; readers of @table
	 * use RCU.
	 */
	struct pn_table __rcu *table;
	struct mutex lock;
	u32 generation;
	struct pn_table *staging;
	struct net *staging_net;
	u32 staging_portid;
	/* In the list of all podnet devices, for the socket release notifier
	 * that drops abandoned replaces.
	 */
	struct list_head list;
	/* Counters of traffic that belongs to no peer. */
	struct pn_stats __percpu *stats;
};

int pn_device_init(void);
void pn_device_uninit(void);

#endif /* _PODNET_DEVICE_H */
