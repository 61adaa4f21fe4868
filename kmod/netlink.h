/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PODNET_NETLINK_H
#define _PODNET_NETLINK_H

int pn_netlink_init(void);
void pn_netlink_uninit(void);

#endif /* _PODNET_NETLINK_H */
