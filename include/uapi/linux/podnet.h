/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * podnet: an L3 overlay link for Kubernetes pod networks.
 *
 * This is the only header shared by the kernel module and userspace.
 *
 * Link type
 * ---------
 * `ip link add podnet0 type podnet` creates an L3 device (ARPHRD_NONE,
 * IFF_POINTOPOINT | IFF_NOARP) that carries IPv4 and IPv6 packets to the
 * remote node owning their destination, encapsulated in UDP.
 */
#ifndef _UAPI_LINUX_PODNET_H
#define _UAPI_LINUX_PODNET_H

#define PODNET_LINK_KIND	"podnet"

/*
 * Bytes the default encapsulation (VXLAN, RFC 7348) adds in front of the
 * inner IP packet: outer IPv4 (20) or IPv6 (40) header, UDP (8), VXLAN (8)
 * and the inner Ethernet header (14).
 */
#define PODNET_VXLAN_OVERHEAD_IPV4	(20 + 8 + 8 + 14)
#define PODNET_VXLAN_OVERHEAD_IPV6	(40 + 8 + 8 + 14)

#endif /* _UAPI_LINUX_PODNET_H */
