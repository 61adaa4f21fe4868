#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet link type: create, show, delete, many devices, netns deletion,
# module removal with devices present, autoloading.
. "$PODNET_ROOT/selftests/lib.sh"

pn_unload
ok "ip link add autoloads the module (MODULE_ALIAS_RTNL_LINK)" ip link add pn0 type podnet
ok "module is loaded" pn_loaded
info=$(ip -d link show pn0)
like "ip -d link show names kind podnet" "$info" "podnet"
like "device is POINTOPOINT,NOARP" "$info" "<POINTOPOINT,NOARP>"
like "device is link/none (ARPHRD_NONE)" "$info" "link/none"
is "type is ARPHRD_NONE (65534)" "$(cat /sys/class/net/pn0/type)" 65534
is "ip -j -d link show gives info_kind podnet" \
	"$(ip -j -d link show pn0 | jget '.[0].linkinfo.info_kind')" podnet
ok "device comes up" ip link set pn0 up
is "no qdisc needed (noqueue)" "$(ip -j link show pn0 | jget '.[0].qdisc')" noqueue
ok "ip link del removes it" ip link del pn0
fails_with "it is gone" '^Device "pn0" does not exist\.$' ip link show pn0

# Devices in one netns share the UDP port only with distinct VNIs, which
# takes the ip plugin; the first device above was made without it.
ipp() { IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip "$@"; }
fails_with "a second device with the same (default) VNI and port is refused" \
	'^Error: VNI already used on this port by another podnet device\.$' sh -c 'ip link add pnx type podnet && ip link add pny type podnet'
ip link del pnx 2>/dev/null
# One ip -batch each way (-force: every line runs, the errors are counted).
n=$(for i in $(seq 1 64); do echo "link add pn$i type podnet vni $i"; done |
	ipp -force -batch - 2>&1 | grep -c .)
is "64 devices created (no error)" "$n" 0
is "64 podnet devices listed" "$(ip -d -o link show type podnet | wc -l)" 64
for i in $(seq 1 64); do echo "link del pn$i"; done | ip -force -batch - 2>/dev/null
is "all 64 deleted" "$(ip -o link show type podnet | wc -l)" 0

pn_netns_add pntest1
ok "create a device in a namespace" ip -n pntest1 link add pn0 type podnet
ok "and another" ipp -n pntest1 link add pn1 type podnet vni 2
ok "bring it up" ip -n pntest1 link set pn0 up
ok "deleting the namespace removes its devices" ip netns del pntest1
_pn_netns=()
is "no podnet device remains" "$(ip -all netns exec ip -o link show type podnet 2>/dev/null | wc -l)" 0

pn_netns_add pntest2
ip link add pn0 type podnet
ip -n pntest2 link add pn0 type podnet
ip -n pntest2 link set pn0 up
ok "rmmod with devices present in two namespaces" modprobe -r podnet
fails "module is gone" pn_loaded
fails_with "device in init_net is gone" '^Device "pn0" does not exist\.$' ip link show pn0
fails_with "device in the namespace is gone" '^Device "pn0" does not exist\.$' \
	ip -n pntest2 link show pn0
ok "the module loads again" pn_load
ok "and creates devices again" ip link add pn0 type podnet
ok "rmmod once more" modprobe -r podnet

done_testing
