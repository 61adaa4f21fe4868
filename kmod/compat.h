/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels podnet supports lives here.  The
 * PODNET_HAVE_* switches come from header probes in kmod/Kbuild.
 */
#ifndef _PODNET_COMPAT_H
#define _PODNET_COMPAT_H

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

/* asm/unaligned.h moved to linux/unaligned.h in 6.12. */
#ifdef PODNET_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * rtnl_link_ops.newlink: since 6.15 the nets and attribute tables come in
 * struct rtnl_newlink_params.  PN_NEWLINK() defines the callback with the
 * signature of the running kernel and forwards to a common body that takes
 * (dev, src_net, tb, data, extack).
 */
#ifdef PODNET_HAVE_NEWLINK_PARAMS
#define PN_NEWLINK(name, body)						\
static int name(struct net_device *dev,				\
		struct rtnl_newlink_params *params,			\
		struct netlink_ext_ack *extack)				\
{									\
	return body(dev, params->src_net, params->tb, params->data,	\
		    extack);						\
}
#else
#define PN_NEWLINK(name, body)						\
static int name(struct net *src_net, struct net_device *dev,		\
		struct nlattr *tb[], struct nlattr *data[],		\
		struct netlink_ext_ack *extack)				\
{									\
	return body(dev, src_net, tb, data, extack);			\
}
#endif

/* NETIF_F_LLTX became a private flag bit, dev->lltx, in 6.12. */
static inline void pn_compat_set_lltx(struct net_device *dev)
{
#ifdef PODNET_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * Per-CPU tstats: since 6.6 the core allocates and frees them when
 * dev->pcpu_stat_type asks for it; before that the driver allocates them
 * in ndo_init and frees them in its destructor.
 */
static inline void pn_compat_tstats_setup(struct net_device *dev)
{
#ifdef PODNET_HAVE_PCPU_STAT_TYPE
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
#endif
}

static inline int pn_compat_tstats_alloc(struct net_device *dev)
{
#ifndef PODNET_HAVE_PCPU_STAT_TYPE
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
#endif
	return 0;
}

static inline void pn_compat_tstats_free(struct net_device *dev)
{
#ifndef PODNET_HAVE_PCPU_STAT_TYPE
	free_percpu(dev->tstats);
#endif
}

/* The parsed attributes of a genl dump request: in genl_info since 6.6. */
static inline struct nlattr **pn_compat_dump_attrs(struct netlink_callback *cb)
{
#ifdef PODNET_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _PODNET_COMPAT_H */
