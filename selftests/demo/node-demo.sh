#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo shown by `make demo`, run inside the VM: a two-node cluster on
# one underlay segment, each node with podnet0 and two pods on routed veths,
# pods talking across the overlay.  Narration goes out as TAP comments;
# every step is also checked, so a broken demo fails loudly.
. "$PODNET_ROOT/selftests/lib.sh"

step() {	# narrate a command, run it, print its output, check it
	local out rc
	diag ""
	diag "\$ $*"
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ -n "$out" ] && diag "$out"
	if [ $rc -eq 0 ]; then
		_tap_result ok "$*"
	else
		_tap_result not-ok "$*" "exit $rc"
	fi
}
quiet() { "$@" >/dev/null 2>&1 || _tap_result not-ok "setup: $*"; }

diag "podnet demo on Linux $(uname -r)"
diag "Two nodes (network namespaces node1, node2) on an underlay bridge,"
diag "192.168.77.0/24; pods 10.244.N.0/24 and fd10:N::/64 on node N."
quiet pn_netns_add underlay
quiet ip -n underlay link add br0 type bridge
quiet ip -n underlay link set br0 up
for n in 1 2; do
	quiet pn_netns_add node$n
	quiet ip -n node$n link add eth0 type veth peer name n$n netns underlay
	quiet ip -n underlay link set n$n master br0 up
	quiet ip -n node$n addr add 192.168.77.$n/24 dev eth0
	quiet ip -n node$n link set eth0 up
	quiet ip netns exec node$n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for p in 1 2; do
		pod=pod$n$p
		quiet pn_netns_add $pod
		quiet ip -n node$n link add veth$p type veth peer name eth0 netns $pod
		quiet ip -n node$n addr add 169.254.1.1/32 dev veth$p
		quiet ip -n node$n addr add fe80::1/64 dev veth$p nodad
		quiet ip -n node$n link set veth$p up
		quiet ip -n node$n route add 10.244.$n.$((p + 1))/32 dev veth$p
		quiet ip -n node$n -6 route add fd10:$n::$((p + 1))/128 dev veth$p
		quiet ip -n $pod addr add 10.244.$n.$((p + 1))/32 dev eth0
		quiet ip -n $pod addr add fd10:$n::$((p + 1))/128 dev eth0 nodad
		quiet ip -n $pod link set eth0 up
		quiet ip -n $pod route add 169.254.1.1 dev eth0
		quiet ip -n $pod route add default via 169.254.1.1 dev eth0
		quiet ip -n $pod -6 route add default via fe80::1 dev eth0
	done
done

diag ""
diag "On each node: one podnet device, one route per address family for the"
diag "whole cluster, and one peer per remote node.  ip(8) takes podnet's"
diag "options through link_podnet.so: IP_LIB_DIR=$PODNET_BIN/ip here,"
diag "/usr/lib/ip after make install."
export IP_LIB_DIR=$PODNET_BIN/ip
for n in 1 2; do
	m=$((3 - n))
	step ip netns exec node$n ip link add podnet0 type podnet vni 1 port 8472 dev eth0
	step ip netns exec node$n ip link set podnet0 up
	step ip netns exec node$n ip route add 10.244.0.0/16 dev podnet0
	step ip netns exec node$n ip -6 route add fd10::/16 dev podnet0
	step ip netns exec node$n podnetctl peer add dev podnet0 remote 192.168.77.$m \
		prefix 10.244.$m.0/24 prefix fd10:$m::/64
done
step ip netns exec node1 ip -d link show podnet0
step ip netns exec node1 podnetctl peer show

diag ""
diag "Pods on node1 reach pods on node2 across the overlay:"
sleep 1
step ip netns exec pod11 ping -c3 -i0.2 10.244.2.2
step ip netns exec pod12 ping -6 -c3 -i0.2 fd10:2::3
ip netns exec pod22 iperf3 -s -1 -D >/dev/null 2>&1
sleep 1
step ip netns exec pod11 iperf3 -c 10.244.2.3 -t 2 -f m
step ip netns exec node1 podnetctl show dev podnet0

diag ""
diag "A pod address no node owns is refused at once:"
out=$(ip netns exec pod11 ping -c1 -W2 10.244.99.1 2>&1)
diag "\$ ip netns exec pod11 ping -c1 -W2 10.244.99.1"
diag "$out"
like "no peer: ICMP unreachable to the sender" "$out" "Unreachable"
done_testing
