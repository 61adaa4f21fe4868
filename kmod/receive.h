/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_RECEIVE_H
#define _PODNET_RECEIVE_H

#include <linux/list.h>
#include <linux/skbuff.h>
#include <net/sock.h>

/* Callbacks of the UDP tunnel sockets (socket.c installs them). */
int pn_encap_rcv(struct sock *sk, struct sk_buff *skb);
int pn_encap_err_lookup(struct sock *sk, struct sk_buff *skb);
struct sk_buff *pn_gro_receive(struct sock *sk, struct list_head *head,
			       struct sk_buff *skb);
int pn_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff);

#endif /* _PODNET_RECEIVE_H */
