// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-table changes of a device's peer table: flush, and the atomic
 * replace (a staging table owned by one netlink socket, swapped in at
 * commit, dropped when that socket closes), plus the per-device setup.
 */

#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rculist.h>

#include "device.h"
#include "peertable.h"

/* All podnet devices, for dropping the replaces of closed sockets. */
static LIST_HEAD(pn_devices);
static DEFINE_MUTEX(pn_devices_lock);
/*
 * Replaces in progress, on all devices: every generic netlink socket that
 * closes, in any netns, calls the notifier, and almost none owns one.
 */
static atomic_t pn_replaces_pending = ATOMIC_INIT(0);

/* Publish @tbl as the live table and retire the old one. */
static void pn_table_swap(struct pn_device *pn, struct pn_table *tbl)
{
	struct pn_table *old = pn_table_live(pn);

	rcu_assign_pointer(pn->table, tbl);
	pn_table_changed(pn);
	pn_table_free_rcu(old);
}

int pn_table_flush(struct pn_device *pn)
{
	struct pn_table *tbl;

	lockdep_assert_held(&pn->lock);
	tbl = pn_table_alloc(pn);
	if (!tbl)
		return -ENOMEM;
	pn_table_swap(pn, tbl);
	return 0;
}

void pn_replace_drop(struct pn_device *pn)
{
	lockdep_assert_held(&pn->lock);
	if (pn->staging) {
		pn_table_free(pn->staging);
		atomic_dec(&pn_replaces_pending);
	}
	pn->staging = NULL;
	pn->staging_net = NULL;
	pn->staging_portid = 0;
}

static bool pn_replace_owner(struct pn_device *pn, struct net *net, u32 portid)
{
	return pn->staging && pn->staging_net == net &&
	       pn->staging_portid == portid;
}

int pn_replace_begin(struct pn_device *pn, struct net *net, u32 portid)
{
	struct pn_table *tbl;

	lockdep_assert_held(&pn->lock);
	if (pn->staging && !pn_replace_owner(pn, net, portid))
		return -EBUSY;
	tbl = pn_table_alloc(pn);
	if (!tbl)
		return -ENOMEM;
	pn_replace_drop(pn);
	pn->staging = tbl;
	atomic_inc(&pn_replaces_pending);
	pn->staging_net = net;
	pn->staging_portid = portid;
	return 0;
}

struct pn_table *pn_replace_table(struct pn_device *pn, struct net *net,
				  u32 portid)
{
	lockdep_assert_held(&pn->lock);
	return pn_replace_owner(pn, net, portid) ? pn->staging : NULL;
}

int pn_replace_commit(struct pn_device *pn, struct net *net, u32 portid)
{
	struct pn_table *tbl, *old;
	struct pn_peer *peer, *prev;
	struct pn_stats __percpu *stats;

	lockdep_assert_held(&pn->lock);
	if (!pn_replace_owner(pn, net, portid))
		return -ENOENT;
	tbl = pn->staging;
	old = pn_table_live(pn);

	/*
	 * Counters carry over by swapping them: until the old table is freed
	 * after a grace period, the old peer counts into the fresh counters
	 * it got in exchange, which the datapath may still be using.
	 */
	list_for_each_entry(peer, &tbl->peers, table_list) {
		prev = pn_peer_hash_lookup(old, &peer->key);
		if (!prev)
			continue;
		stats = peer->stats;
		WRITE_ONCE(peer->stats, prev->stats);
		WRITE_ONCE(prev->stats, stats);
	}
	pn->staging = NULL;
	atomic_dec(&pn_replaces_pending);
	pn_replace_drop(pn);
	pn_table_swap(pn, tbl);
	return 0;
}

int pn_replace_abort(struct pn_device *pn, struct net *net, u32 portid)
{
	lockdep_assert_held(&pn->lock);
	if (!pn_replace_owner(pn, net, portid))
		return -ENOENT;
	pn_replace_drop(pn);
	return 0;
}

static int pn_netlink_notify(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_notify *n = ptr;
	struct pn_device *pn;

	/* The socket is gone: no replace of its own can begin meanwhile. */
	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid || !atomic_read(&pn_replaces_pending))
		return NOTIFY_DONE;

	mutex_lock(&pn_devices_lock);
	list_for_each_entry(pn, &pn_devices, list) {
		mutex_lock(&pn->lock);
		if (pn_replace_owner(pn, n->net, n->portid))
			pn_replace_drop(pn);
		mutex_unlock(&pn->lock);
	}
	mutex_unlock(&pn_devices_lock);
	return NOTIFY_DONE;
}

static struct notifier_block pn_netlink_notifier = {
	.notifier_call = pn_netlink_notify,
};

/* From ndo_init; undone by pn_peertable_dev_uninit() from the destructor. */
int pn_peertable_dev_init(struct pn_device *pn)
{
	struct pn_table *tbl;

	mutex_init(&pn->lock);
	pn->generation = pn_generation_next();
	pn->stats = pn_stats_alloc();
	if (!pn->stats)
		return -ENOMEM;
	tbl = pn_table_alloc(pn);
	if (!tbl) {
		free_percpu(pn->stats);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(pn->table, tbl);

	mutex_lock(&pn_devices_lock);
	list_add(&pn->list, &pn_devices);
	mutex_unlock(&pn_devices_lock);
	return 0;
}

void pn_peertable_dev_uninit(struct pn_device *pn)
{
	mutex_lock(&pn_devices_lock);
	list_del(&pn->list);
	mutex_unlock(&pn_devices_lock);

	mutex_lock(&pn->lock);
	pn_replace_drop(pn);
	pn_table_free_rcu(pn_table_live(pn));
	RCU_INIT_POINTER(pn->table, NULL);
	mutex_unlock(&pn->lock);
	free_percpu(pn->stats);
	mutex_destroy(&pn->lock);
}

int __init pn_replace_init(void)
{
	return netlink_register_notifier(&pn_netlink_notifier);
}

void pn_replace_uninit(void)
{
	netlink_unregister_notifier(&pn_netlink_notifier);
}
