#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dstvalid (IFLA_PODNET_DST_VALID): with it, node 1 accepts from the
# overlay only packets whose inner destination its routes send to a local
# device without a gateway (a pod's veth, any other local device), and drops the rest as
# rx_drop_dest, counted on the sending peer or, without one, on the device:
# its own addresses, a gateway route, a route back into podnet0, the
# underlay device the packet came in on, a blackhole, link-local
# addresses.  Without it (the default) those packets are delivered.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
phase topology
topo_up
peers 4

# Node 1's destinations under its own prefixes (10.244.1.0/24, fd10:1::/64),
# one per kind of route; .204 goes to another local device, a veth with
# nothing behind it (accepted).
in_node 1 ip -batch - <<EOF
addr add 10.244.1.1/32 dev lo
addr add fd10:1::1/128 dev lo
route add 10.244.1.200/32 via 192.168.99.3
route add fd10:1::200/128 via fd00:99::3
route add 10.244.1.201/32 dev podnet0
route add fd10:1::201/128 dev podnet0
route add 10.244.1.202/32 dev eth0
route add fd10:1::202/128 dev eth0
route add blackhole 10.244.1.203/32
route add blackhole fd10:1::203/128
link add lcl0 type veth peer name lcl1
link set lcl1 up
link set lcl0 up
route add 10.244.1.204/32 dev lcl0
route add fd10:1::204/128 dev lcl0
EOF
rejected=(10.244.1.1 fd10:1::1 10.244.1.200 fd10:1::200 10.244.1.201 fd10:1::201
	10.244.1.202 fd10:1::202 10.244.1.203 fd10:1::203)
from2() { local d; for d; do echo "$(pod 2 a),$d"; done; }
# peerstat COUNTER: node 1's counter of its peer node 2.
peerstat() {
	in_node 1 podnetctl -j -s peer show dev podnet0 |
		jget ".[] | select(.remote == \"$(v4 2)\") | .stats.$1"
}
mac1=$(in_node 1 ip -j link show eth0 | jget '.[0].address')

phase off
is "dstvalid is off by default" "$(link_info 1 podnet0 .dst_valid)" false
mapfile -t res <<<"$(pnping -n 4 $(from2 10.244.1.1 fd10:1::1))"
is "off: node 1's own address is reachable from a remote pod" "${res[0]}" \
	"$(pod 2 a) 10.244.1.1 reply"
is "off: ... over IPv6 too" "${res[1]:-}" "$(pod 2 a) fd10:1::1 reply"
is "off: nothing counted as rx_drop_dest" "$(stats 1 rx_drop_dest)" 0

phase on
ok "ip link set podnet0 type podnet dstvalid" \
	in_node 1 ip link set podnet0 type podnet dstvalid
is "... shows in ip -j -d" "$(link_info 1 podnet0 .dst_valid)" true
like "... and in podnetctl show" "$(in_node 1 podnetctl show dev podnet0 | sed -n 1p)" ' dstvalid$'
ok "on: pods still reach each other, IPv4 and IPv6" \
	pnping $(from2 "$(podv4 1 a)" "$(podv6 1 a)")
drop0=$(stats 1 rx_drop_dest) peer0=$(peerstat rx_drop_dest)
rx0=$(peerstat rx_packets)
mapfile -t res <<<"$(pnping -n 1 -w 1 $(from2 "${rejected[@]}"))"
for i in "${!rejected[@]}"; do
	is "on: ${rejected[$i]} is not delivered" "${res[$i]:-}" "$(pod 2 a) ${rejected[$i]} timeout"
done
# Link-local destinations, crafted (no route of node 2 sends them here):
# the veth's own 169.254.1.1 and a metadata-style address.
in_ns $U pnvxsend br0 "$mac1" idst=169.254.169.254 idst=169.254.1.1
counted() { [ "$(stats 1 rx_drop_dest)" = $((drop0 + ${#rejected[@]} + 2)) ]; }
wait_for 5 counted
is "on: every rejected packet counted once as rx_drop_dest" \
	"$(stats 1 rx_drop_dest)" $((drop0 + ${#rejected[@]} + 2))
is "on: ... on the peer that sent it" "$(peerstat rx_drop_dest)" $((peer0 + ${#rejected[@]} + 2))
is "on: ... and not as received" "$(peerstat rx_packets)" "$rx0"
pnping -n 1 -w 1 $(from2 10.244.1.204 fd10:1::204) >/dev/null
is "on: a route to a local device without gateway is accepted (lcl0, IPv4 and IPv6)" \
	"$(peerstat rx_packets) $(stats 1 rx_drop_dest)" \
	"$((rx0 + 2)) $((drop0 + ${#rejected[@]} + 2))"

phase nosrcvalid
# Without source validation the sender need not be a peer: a drop from an
# unknown underlay address is the device's own.
ok "nosrcvalid dstvalid" in_node 1 ip link set podnet0 type podnet nosrcvalid
in_ns $U ip addr add 192.168.99.200/24 dev br0
dev0=$(in_node 1 podnetctl -j show dev podnet0 | jget '.[0].stats.rx_drop_dest')
in_ns $U pnvxsend br0 "$mac1" src=192.168.99.200,idst=10.244.1.1
counted() { [ "$(stats 1 rx_drop_dest)" = $((dev0 + 1)) ]; }
wait_for 5 counted
is "from no peer: counted on the device" "$(stats 1 rx_drop_dest)" $((dev0 + 1))
is "... not on node 2's peer" "$(peerstat rx_drop_dest)" $((peer0 + ${#rejected[@]} + 2))

phase off-again
ok "nodstvalid srcvalid" in_node 1 ip link set podnet0 type podnet nodstvalid srcvalid
ok "off again: node 1's own address answers" pnping $(from2 10.244.1.1 fd10:1::1)
phase end

done_testing
