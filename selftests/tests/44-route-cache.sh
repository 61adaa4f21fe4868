#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The per-peer route cache (send.c): bypassed for marked packets, reset
# when changelink changes the TOS, on the topology of 40-datapath.  Policy
# routing (ip rule) is what tells a stale route from the right one, and the
# debug kernel is built without it: stock kernels only.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
phase topology
topo_up
peers 4

phase route-cache
# --- the per-peer route cache: not for marked packets, reset by a TOS change --
# On node 1, policy routing sends what is marked 0x77, and what has TOS
# 0x10, to node 2's underlay addresses through tables where they are
# unreachable.  Unmarked TOS-0 packets come first and fill the peer's
# cache from the main table.  The cache is per CPU: every probe runs on
# CPU 0 (the sender's CPU transmits on podnet0 here).  Node 1's own pings
# come from 10.244.1.1 on podnet0, an address of its pod prefix (node 2
# validates inner sources).  The TOS change is checked over IPv6 endpoints:
# changing an IPv4 route's inputs already flushes the IPv4 route cache
# (the link change does), but nothing flushes the IPv6 one.
rules() {
	in_node 1 ip -batch - <<-EOF || return 1
	addr add 10.244.1.1/32 dev podnet0
	rule add fwmark 0x77 lookup 77 prio 100
	route add unreachable $(v4 2)/32 table 77
	route add unreachable $(v6 2)/128 table 77
	route add unreachable $(v6 2)/128 table 78
	EOF
	in_node 1 ip -6 -batch - <<-EOF
	rule add fwmark 0x77 lookup 77 prio 100
	rule add tos 0x10 lookup 78 prio 101
	EOF
}
ok "node 1: 10.244.1.1 on podnet0, the rules and unreachable routes" rules
cpu0() { taskset -c 0 "$@"; }
nping() { in_node 1 taskset -c 0 ping -q -c 1 -W 2 -I 10.244.1.1 "$@" "$(podv4 2 a)" >/dev/null; }
noroute=$(stats 1 tx_drop_no_route)
ok "unmarked: node 1 reaches pod 2a (node 2's route cached from the main table)" nping
fails "marked 0x77 (ping -m 119; ping takes the mark in decimal): routed by its table, where node 2 is unreachable" nping -m 119
is "... dropped as tx_drop_no_route, not sent on the cached route" \
	"$(stats 1 tx_drop_no_route)" $((noroute + 1))
ok "unmarked again: still reaches pod 2a" nping
peers 6
# The device's counters sum its peers': node 2's IPv4-endpoint peer, and
# the drop counted on it, left with the replace.
noroute=$(stats 1 tx_drop_no_route)
ok "over IPv6 endpoints, unmarked: node 1 reaches pod 2a" nping
fails "... marked 0x77: routed by its table, unreachable" nping -m 119
is "... dropped as tx_drop_no_route" "$(stats 1 tx_drop_no_route)" $((noroute + 1))
ok "... pod 1a reaches pod 2a (cached again, TOS 0)" cpu0 pnping "$(pod 1 a),$(podv4 2 a)"
ok "ip link set podnet0 type podnet tos 0x10" in_node 1 ip link set podnet0 type podnet tos 0x10
fails "tos 0x10: the cached route is forgotten, the TOS rule makes node 2 unreachable" \
	cpu0 pnping -n 1 -w 1 "$(pod 1 a),$(podv4 2 a)"
is "... dropped as tx_drop_no_route" "$(stats 1 tx_drop_no_route)" $((noroute + 2))
ok "ip link set podnet0 type podnet tos 0" in_node 1 ip link set podnet0 type podnet tos 0
ok "tos 0: pod 1a reaches pod 2a again" cpu0 pnping "$(pod 1 a),$(podv4 2 a)"
peers 4
in_node 1 ip -batch - <<-EOF
addr del 10.244.1.1/32 dev podnet0
rule del prio 100
EOF
in_node 1 ip -6 -batch - <<-EOF
rule del prio 100
rule del prio 101
EOF
phase end

done_testing
