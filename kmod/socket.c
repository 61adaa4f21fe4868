// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP tunnel sockets of podnet devices, and the per-netns registry that
 * lets devices with different VNIs share one.
 *
 * A device's sockets live in the netns it was created in (pn_device.net),
 * wherever the device itself is moved later, as with WireGuard.  Each
 * netns keeps the list of podnet devices created in it and of the sockets
 * open in it; both change only under RTNL.  When the netns goes away, its
 * devices are deleted, including those that moved elsewhere, so that no
 * device outlives the netns its sockets and pn_device.net point into.
 */

#include <linux/hash.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/udp_tunnel.h>
#include <uapi/linux/podnet.h>

#include "compat.h"
#include "device.h"
#include "receive.h"
#include "socket.h"

struct pn_net {
	struct list_head devices;	/* pn_device.net_node */
	struct list_head socks;		/* pn_sock.list */
};

static unsigned int pn_net_id __read_mostly;

static struct pn_net *pn_net(struct net *net)
{
	return net_generic(net, pn_net_id);
}

static struct hlist_head *pn_vni_head(struct pn_sock *ps, u32 vni)
{
	return &ps->vni_head[hash_32(vni, PN_VNI_HASH_BITS)];
}

/* Whether two devices would listen on one socket of @family. */
static bool pn_same_bind(const struct pn_config *a, const struct pn_config *b,
			 sa_family_t family)
{
	if (family == AF_INET)
		return a->has_local == b->has_local &&
		       (!a->has_local || a->local == b->local);
	return a->has_local6 == b->has_local6 &&
	       (!a->has_local6 || ipv6_addr_equal(&a->local6, &b->local6));
}

/* The families a device with @cfg listens on. */
static bool pn_wants_family(const struct pn_config *cfg, sa_family_t family)
{
	if (family == AF_INET)
		return cfg->has_local || !cfg->has_local6;
	return cfg->has_local6 || !cfg->has_local;
}

/*
 * Refuse, at creation, a device that could never go up next to the podnet
 * devices already created in @net: one with the same port and VNI on a
 * socket it would share, or one binding the port to a different address
 * of a family where another device has it on the wildcard address (or the
 * reverse), which the UDP layer would refuse with EADDRINUSE.
 */
int pn_socket_check_config(struct net *net, const struct pn_config *cfg,
			   struct netlink_ext_ack *extack)
{
	static const sa_family_t families[] = { AF_INET, AF_INET6 };
	struct pn_device *other;
	unsigned int i;

	ASSERT_RTNL();
	list_for_each_entry(other, &pn_net(net)->devices, net_node) {
		const struct pn_config *o = &other->cfg;

		if (o->port != cfg->port)
			continue;
		for (i = 0; i < ARRAY_SIZE(families); i++) {
			sa_family_t f = families[i];
			bool wild_a, wild_b;

			if (!pn_wants_family(cfg, f) || !pn_wants_family(o, f))
				continue;
			if (pn_same_bind(cfg, o, f)) {
				if (o->vni != cfg->vni)
					continue;
				NL_SET_ERR_MSG(extack,
					       "VNI already used on this port by another podnet device");
				return -EADDRINUSE;
			}
			wild_a = f == AF_INET ? !cfg->has_local : !cfg->has_local6;
			wild_b = f == AF_INET ? !o->has_local : !o->has_local6;
			if (wild_a != wild_b) {
				NL_SET_ERR_MSG(extack,
					       "port bound to a different local address by another podnet device");
				return -EADDRINUSE;
			}
		}
	}
	return 0;
}

void pn_socket_add_device(struct pn_device *pn)
{
	ASSERT_RTNL();
	list_add_tail(&pn->net_node, &pn_net(pn->net)->devices);
}

void pn_socket_del_device(struct pn_device *pn)
{
	ASSERT_RTNL();
	list_del(&pn->net_node);
}

static struct pn_sock *pn_sock_find(struct pn_net *pnet,
				    const struct pn_config *cfg,
				    sa_family_t family)
{
	struct pn_sock *ps;

	list_for_each_entry(ps, &pnet->socks, list) {
		if (ps->family != family || ps->port != htons(cfg->port))
			continue;
		if (family == AF_INET &&
		    ps->addr4 == (cfg->has_local ? cfg->local : 0))
			return ps;
		if (family == AF_INET6 &&
		    ipv6_addr_equal(&ps->addr6, cfg->has_local6 ?
				    &cfg->local6 : &in6addr_any))
			return ps;
	}
	return NULL;
}

/*
 * Any non-zero encap_type makes the UDP layer hand our packets to
 * encap_rcv; the value itself is not interpreted for tunnels that set
 * encap_rcv (vxlan and geneve use 1 as well).
 */
#define PN_UDP_ENCAP_TYPE	1

static struct pn_sock *pn_sock_create(struct net *net,
				      const struct pn_config *cfg,
				      sa_family_t family)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.encap_type = PN_UDP_ENCAP_TYPE,
		.encap_rcv = pn_encap_rcv,
		.encap_err_lookup = pn_encap_err_lookup,
		.gro_receive = pn_gro_receive,
		.gro_complete = pn_gro_complete,
	};
	struct udp_port_cfg ucfg = {
		.family = family,
		.local_udp_port = htons(cfg->port),
		.ipv6_v6only = 1,
		/* Accept zero checksums on IPv6 too (see the UAPI header). */
		.use_udp6_rx_checksums = 0,
	};
	struct pn_sock *ps;
	unsigned int i;
	int err;

	ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return ERR_PTR(-ENOMEM);
	ps->stats = netdev_alloc_pcpu_stats(struct pn_sock_stats);
	if (!ps->stats) {
		kfree(ps);
		return ERR_PTR(-ENOMEM);
	}
	ps->family = family;
	ps->port = ucfg.local_udp_port;
	if (family == AF_INET) {
		ps->addr4 = cfg->has_local ? cfg->local : 0;
		ucfg.local_ip.s_addr = ps->addr4;
	} else {
		ps->addr6 = cfg->has_local6 ? cfg->local6 : in6addr_any;
		ucfg.local_ip6 = ps->addr6;
	}
	for (i = 0; i < ARRAY_SIZE(ps->vni_head); i++)
		INIT_HLIST_HEAD(&ps->vni_head[i]);

	err = udp_sock_create(net, &ucfg, &ps->sock);
	if (err) {
		free_percpu(ps->stats);
		kfree(ps);
		return ERR_PTR(err);
	}
	tcfg.sk_user_data = ps;
	pn_compat_setup_udp_tunnel_sock(net, ps->sock, &tcfg);
	return ps;
}

static void pn_sock_free_rcu(struct rcu_head *rcu)
{
	struct pn_sock *ps = container_of(rcu, struct pn_sock, rcu);

	free_percpu(ps->stats);
	kfree(ps);
}

static void pn_sock_put(struct pn_sock *ps)
{
	ASSERT_RTNL();
	if (--ps->refcnt)
		return;
	list_del(&ps->list);
	/* Clears sk_user_data first; receivers that already read it finish
	 * under RCU before the callback frees @ps.
	 */
	pn_compat_udp_tunnel_sock_release(ps->sock);
	call_rcu(&ps->rcu, pn_sock_free_rcu);
}

static int pn_sock_attach(struct pn_device *pn, sa_family_t family)
{
	struct pn_net *pnet = pn_net(pn->net);
	struct pn_sock *ps;
	struct hlist_node *node;

	ps = pn_sock_find(pnet, &pn->cfg, family);
	if (ps) {
		if (pn_socket_find_vni(ps, pn->cfg.vni))
			return -EADDRINUSE;
	} else {
		ps = pn_sock_create(pn->net, &pn->cfg, family);
		if (IS_ERR(ps))
			return PTR_ERR(ps);
		list_add(&ps->list, &pnet->socks);
	}
	ps->refcnt++;
	node = family == AF_INET ? &pn->vni_node4 : &pn->vni_node6;
	hlist_add_head_rcu(node, pn_vni_head(ps, pn->cfg.vni));
	if (family == AF_INET)
		rcu_assign_pointer(pn->sock4, ps);
	else
		rcu_assign_pointer(pn->sock6, ps);
	return 0;
}

static void pn_sock_detach(struct pn_device *pn, sa_family_t family)
{
	struct pn_sock *ps;

	if (family == AF_INET) {
		ps = rtnl_dereference(pn->sock4);
		if (!ps)
			return;
		RCU_INIT_POINTER(pn->sock4, NULL);
		hlist_del_rcu(&pn->vni_node4);
	} else {
		ps = rtnl_dereference(pn->sock6);
		if (!ps)
			return;
		RCU_INIT_POINTER(pn->sock6, NULL);
		hlist_del_rcu(&pn->vni_node6);
	}
	pn_sock_put(ps);
}

/*
 * ndo_open: join (or create) the sockets of the families the device uses.
 * Without local addresses an IPv6 socket that cannot be created because
 * IPv6 is disabled is not an error: the device then speaks IPv4 only.
 */
int pn_socket_open(struct pn_device *pn)
{
	const struct pn_config *cfg = &pn->cfg;
	int err;

	ASSERT_RTNL();
	if (pn_wants_family(cfg, AF_INET)) {
		err = pn_sock_attach(pn, AF_INET);
		if (err)
			return err;
	}
	if (IS_ENABLED(CONFIG_IPV6) && pn_wants_family(cfg, AF_INET6)) {
		err = pn_sock_attach(pn, AF_INET6);
		if (err == -EAFNOSUPPORT && !cfg->has_local6)
			err = 0;
		if (err) {
			pn_sock_detach(pn, AF_INET);
			return err;
		}
	}
	return 0;
}

void pn_socket_close(struct pn_device *pn)
{
	ASSERT_RTNL();
	pn_sock_detach(pn, AF_INET);
	pn_sock_detach(pn, AF_INET6);
}

/* Under rcu_read_lock(); the device stays valid until it is unlocked. */
struct pn_device *pn_socket_find_vni(struct pn_sock *ps, u32 vni)
{
	struct pn_device *pn;

	if (ps->family == AF_INET) {
		hlist_for_each_entry_rcu(pn, pn_vni_head(ps, vni), vni_node4,
					 lockdep_rtnl_is_held())
			if (pn->cfg.vni == vni)
				return pn;
	} else {
		hlist_for_each_entry_rcu(pn, pn_vni_head(ps, vni), vni_node6,
					 lockdep_rtnl_is_held())
			if (pn->cfg.vni == vni)
				return pn;
	}
	return NULL;
}

void pn_socket_count_drop(struct pn_sock *ps, enum pn_sock_drop reason)
{
	struct pn_sock_stats *st = this_cpu_ptr(ps->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->drops[reason]);
	u64_stats_update_end(&st->syncp);
}

static void pn_sock_fold(struct pn_sock *ps, u64 drops[PN_SOCK_DROP_MAX])
{
	unsigned int start;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct pn_sock_stats *st = per_cpu_ptr(ps->stats, cpu);
		u64 v[PN_SOCK_DROP_MAX];

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			for (i = 0; i < PN_SOCK_DROP_MAX; i++)
				v[i] = u64_stats_read(&st->drops[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i < PN_SOCK_DROP_MAX; i++)
			drops[i] += v[i];
	}
}

/*
 * A nest of PODNET_XSTATS_*: IFLA_INFO_XSTATS for RTM_GETLINK,
 * PODNET_A_SOCKET_STATS for the genl family.  The drops counted on the
 * sockets @pn is on (while it is up).  A socket shared by several devices reports the same drops for
 * each of them: a packet with an unknown VNI belongs to none of them in
 * particular.
 */
size_t pn_socket_xstats_size(void)
{
	return nla_total_size(0) +
	       nla_total_size_64bit(sizeof(u64)) * PN_SOCK_DROP_MAX;
}

int pn_socket_fill_xstats(struct sk_buff *skb, int attrtype,
			  struct pn_device *pn)
{
	u64 drops[PN_SOCK_DROP_MAX] = {};
	struct nlattr *nest;
	struct pn_sock *ps;

	rcu_read_lock();
	ps = rcu_dereference(pn->sock4);
	if (ps)
		pn_sock_fold(ps, drops);
	ps = rcu_dereference(pn->sock6);
	if (ps)
		pn_sock_fold(ps, drops);
	rcu_read_unlock();

	nest = nla_nest_start(skb, attrtype);
	if (!nest ||
	    nla_put_u64_64bit(skb, PODNET_XSTATS_RX_DROP_BAD_HEADER,
			      drops[PN_SOCK_DROP_MALFORMED],
			      PODNET_XSTATS_PAD) ||
	    nla_put_u64_64bit(skb, PODNET_XSTATS_RX_DROP_BAD_VNI,
			      drops[PN_SOCK_DROP_BAD_VNI], PODNET_XSTATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int __net_init pn_net_init(struct net *net)
{
	struct pn_net *pnet = pn_net(net);

	INIT_LIST_HEAD(&pnet->devices);
	INIT_LIST_HEAD(&pnet->socks);
	return 0;
}

/*
 * Delete the devices created in the dying netns, wherever they are now.
 * This runs before the core deletes the devices that are in the netns
 * (ops registered later exit first), so the sockets are released while
 * the netns still works.
 */
static void __net_exit pn_net_exit_batch(struct list_head *net_list)
{
	struct pn_device *pn, *tmp;
	struct net *net;
	LIST_HEAD(kill);

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list) {
		struct pn_net *pnet = pn_net(net);

		list_for_each_entry_safe(pn, tmp, &pnet->devices, net_node)
			pn->dev->rtnl_link_ops->dellink(pn->dev, &kill);
	}
	unregister_netdevice_many(&kill);
	rtnl_unlock();

	list_for_each_entry(net, net_list, exit_list) {
		WARN_ON_ONCE(!list_empty(&pn_net(net)->devices));
		WARN_ON_ONCE(!list_empty(&pn_net(net)->socks));
	}
}

static struct pernet_operations pn_net_ops = {
	.init = pn_net_init,
	.exit_batch = pn_net_exit_batch,
	.id = &pn_net_id,
	.size = sizeof(struct pn_net),
};

int __init pn_socket_init(void)
{
	return register_pernet_device(&pn_net_ops);
}

void pn_socket_uninit(void)
{
	unregister_pernet_device(&pn_net_ops);
	/* Wait for pn_sock_free_rcu() callbacks before the module goes. */
	rcu_barrier();
}
