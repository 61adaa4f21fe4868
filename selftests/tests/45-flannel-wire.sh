#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A mixed pair on the wire: node 1 runs podnet (encap vxlan, VNI 1, port
# 8472), node 2 a Linux vxlan device programmed the way flanneld's vxlan
# backend does it (flannel pkg/backend/vxlan: device.go, vxlan_network.go;
# dual stack, one device per family):
#   flannel.1     vxlan id 1, local + dev the node's underlay, port 8472
#                 (the kernel's default: flanneld sends none), nolearning,
#                 MTU underlay - 50, its VTEP MAC, the node's subnet .0/32
#   flannel-v6.1  the same over the IPv6 underlay (MTU also - 50)
#   per remote node: a permanent neighbour SUBNET.0 -> VTEP MAC, an FDB
#   entry VTEP MAC -> node IP (self permanent), a route SUBNET via
#   SUBNET.0 onlink.
# podnet's peer for node 2 carries node 2's VTEP MAC of each family: one
# peer per underlay address.  ICMP and TCP both ways, IPv4 and IPv6; a
# capture of node 2's underlay read byte by byte: both sides put UDP 8472,
# the VXLAN I flag and VNI 1, and inner Ethernet dst = the receiver's VTEP
# MAC, src = the sender's on the wire.  podnet accepts frames whatever
# their inner destination MAC, and drops and counts an ARP frame.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
# VTEP MACs: podnet0 on node 1; node 2's flannel.1 and flannel-v6.1.
MAC_A=02:0a:00:00:00:01 MAC_B=0e:b0:00:00:00:02 MAC_B6=0e:b6:00:00:00:02
# A MAC that is nobody's, for "whatever the destination MAC".
MAC_X=02:00:00:00:0b:ad

phase topology
topo_up mac "$MAC_A"
is "podnet0 reports the VTEP MAC it was created with" "$(link_info 1 podnet0 .mac)" "$MAC_A"

# Node 2: podnet0 goes (it holds port 8472), flannel's devices come.
# flanneld's netlink request, in ip(8)'s words: TTL and TOS 0, learning,
# proxy, rsc, l2miss, l3miss and the IPv6 zero-checksum flags all off.
flannel_dev() {	# NAME MAC LOCAL ADDR/LEN
	echo "link add $1 address $2 mtu 1450 type vxlan id 1 local $3 dev eth0" \
		"ttl auto tos 0 nolearning noproxy norsc nol2miss nol3miss" \
		"noudp6zerocsumtx noudp6zerocsumrx"
	echo "addr add $4 dev $1"
	echo "link set $1 up"
}
flannel_peer() {	# DEV SUBNET-IP SUBNET MAC NODE-IP
	echo "neigh replace $2 lladdr $4 dev $1 nud permanent"
	echo "route replace $3 via $2 dev $1 onlink"
}
setup_b() {
	in_node 2 ip link del podnet0 || return 1
	in_node 2 sysctl -qw net.ipv6.conf.default.accept_ra=0 || return 1
	{
		flannel_dev flannel.1 "$MAC_B" "$(v4 2)" 10.244.2.0/32
		flannel_dev flannel-v6.1 "$MAC_B6" "$(v6 2)" fd10:2::/128
		flannel_peer flannel.1 10.244.1.0 10.244.1.0/24 "$MAC_A"
		flannel_peer flannel-v6.1 fd10:1:: fd10:1::/64 "$MAC_A"
	} | in_node 2 ip -batch - || return 1
	# The FDB entries, before the routes in flanneld; here the route
	# cannot be used before a packet is sent, so order does not matter.
	in_node 2 bridge -batch - <<-EOF
	fdb replace $MAC_A dev flannel.1 dst $(v4 1) self permanent
	fdb replace $MAC_A dev flannel-v6.1 dst $(v6 1) self permanent
	EOF
}
ok "node 2: flannel.1 and flannel-v6.1 programmed as flanneld does" setup_b
ok "node 1: one peer per underlay address of node 2, each with that family's VTEP MAC" \
	in_node 1 podnetctl peer replace dev podnet0 <<-EOF
	remote $(v4 2) mac $MAC_B prefix 10.244.2.0/24
	remote $(v6 2) mac $MAC_B6 prefix fd10:2::/64
	EOF

phase traffic
capture wire "$(node 2)" eth0 128 "udp port 8472"
# ICMP both ways, both families, at once.
pings() {
	local pids=() p rc=0
	in_pod 1 a ping -c 1 -W 5 "$(podv4 2 a)" >"$tmp/p1" 2>&1 & pids+=($!)
	in_pod 1 a ping -c 1 -W 5 "$(podv6 2 a)" >"$tmp/p2" 2>&1 & pids+=($!)
	in_pod 2 a ping -c 1 -W 5 "$(podv4 1 a)" >"$tmp/p3" 2>&1 & pids+=($!)
	in_pod 2 a ping -c 1 -W 5 "$(podv6 1 a)" >"$tmp/p4" 2>&1 & pids+=($!)
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ $rc = 0 ] || cat "$tmp"/p[1-4]
	return $rc
}
ok "ICMP: pods 1a and 2a ping each other, IPv4 and IPv6" pings
# TCP both ways, both families: 100 kB each, from a client in one pod to
# a one-shot server in the other (larger than the path MTU: PMTU too).
head -c 100000 /dev/urandom >"$tmp/blob"
tcp() {
	local pids=() i=0 from to dst rc=0
	for from in 1 2; do
		to=$((3 - from))
		for dst in "$(podv4 "$to" a)" "$(podv6 "$to" a)"; do
			i=$((i + 1))
			bg_ns "$(pod "$to" a)" busybox nc -l -p $((7000 + i)) >"$tmp/rx$i"
			pids+=($!)
		done
	done
	sleep 0.3
	i=0
	for from in 1 2; do
		to=$((3 - from))
		for dst in "$(podv4 "$to" a)" "$(podv6 "$to" a)"; do
			i=$((i + 1))
			in_pod "$from" a timeout 20 bash -c \
				"exec 3>/dev/tcp/$dst/$((7000 + i)) && cat '$tmp/blob' >&3" &
		done
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	wait
	for i in 1 2 3 4; do cmp -s "$tmp/blob" "$tmp/rx$i" || { echo "stream $i differs"; rc=1; }; done
	return $rc
}
ok "TCP: 100 kB streams 1a -> 2a and 2a -> 1a, IPv4 and IPv6, intact" tcp

# The outer UDP checksum: podnet leaves it zero over IPv4 by default
# (RFC 7348 allows it), vxlan computes one (flanneld sends no
# IFLA_VXLAN_UDP_CSUM); podnet's udpcsum makes the two the same.
ok "node 1: podnet0 udpcsum" in_node 1 ip link set podnet0 type podnet udpcsum
ok "... pod 1a pings pod 2a" in_pod 1 a ping -c 1 -W 5 "$(podv4 2 a)"

phase other-mac
# Node 2 now sends node 1 frames with an inner destination MAC that is
# nobody's (its neighbour entry and FDB say so): podnet does not care.
in_node 2 ip neigh replace 10.244.1.0 lladdr "$MAC_X" dev flannel.1 nud permanent
in_node 2 bridge fdb replace "$MAC_X" dev flannel.1 dst "$(v4 1)" self permanent
ok "a frame to another inner MAC is accepted (pod 2a pings pod 1a)" \
	in_pod 2 a ping -c 1 -W 5 "$(podv4 1 a)"

phase arp
# An ARP request over the vxlan device: an all-zeros FDB entry sends its
# broadcasts to node 1, where podnet drops the frame (not IP) and counts
# it as rx_drop_malformed.
drops() { stats 1 rx_drop_malformed rx_drop_source rx_drop_no_peer rx_drop_other \
	rx_drop_bad_header rx_drop_bad_vni; }
read -r malformed0 others0 <<<"$(drops)"
in_node 2 bridge fdb append 00:00:00:00:00:00 dev flannel.1 dst "$(v4 1)" self permanent
in_node 2 busybox arping -c 1 -w 1 -I flannel.1 10.244.1.1 >/dev/null 2>&1 &
stop_captures

phase parse
# One line per distinct VXLAN frame layout on node 2's wire, from the
# bytes themselves (tcpdump -xx: the whole frame in hex):
#   FAMILY SENDER RECEIVER DPORT CSUM VXLAN-HEADER INNER-DST INNER-SRC TYPE
# underlay addresses and MACs named A (node 1), B, B6 (node 2), X.
names=$(printf '%s\n' \
	"c0a86301 A" "c0a86302 B" "fd000099000000000000000000000001 A" \
	"fd000099000000000000000000000002 B" "${MAC_A//:/} A" "${MAC_B//:/} B" \
	"${MAC_B6//:/} B6" "${MAC_X//:/} X")
layouts=$(tcpdump -r "$tmp/wire.pcap" -nn -t -xx 2>/dev/null | awk -v names="$names" '
	BEGIN { n = split(names, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], w, " "); nm[w[1]] = w[2] } }
	function b(off, len) { return substr(h, off * 2 + 1, len * 2) }
	function name(x) { return x in nm ? nm[x] : x }
	function num(x,   i, v) { v = 0; for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1; return v }
	function frame(   t, u, src, dst, fam) {
		t = b(12, 2)
		if (t == "0800" && b(23, 1) == "11") {
			fam = 4; u = 14 + (substr(h, 30, 1) + 0) * 4; src = b(26, 4); dst = b(30, 4)
		} else if (t == "86dd" && b(20, 1) == "11") {
			fam = 6; u = 54; src = b(22, 16); dst = b(38, 16)
		} else
			return
		print fam, name(src), name(dst), num(b(u + 2, 2)),
			(b(u + 6, 2) == "0000" ? "zero" : "set"), b(u + 8, 8),
			name(b(u + 16, 6)), name(b(u + 22, 6)), b(u + 28, 2)
	}
	/^[^ \t]/ { if (h != "") frame(); h = ""; next }
	$1 ~ /^0x[0-9a-f]+:$/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-f]+$/) h = h $i }
	END { if (h != "") frame() }' | LC_ALL=C sort | uniq -c | awk '{ $1 = $1 " x"; print }')
diag "$layouts"
from() { awk -v s="$1" '$4 == s { $1 = $2 = ""; sub(/^ +/, ""); print }' <<<"$layouts"; }
is "podnet's frames (node 1): UDP 8472, VXLAN I + VNI 1, inner dst = the peer's VTEP MAC, src = podnet0's; checksum zero, or set with udpcsum" \
	"$(from A)" "4 A B 8472 set 0800000000000100 B A 0800
4 A B 8472 zero 0800000000000100 B A 0800
6 A B 8472 set 0800000000000100 B6 A 86dd"
is "vxlan's frames (node 2): the same layout, mirrored; then the other MAC, and the ARP broadcast" \
	"$(from B)" "4 B A 8472 set 0800000000000100 A B 0800
4 B A 8472 set 0800000000000100 X B 0800
4 B A 8472 set 0800000000000100 ffffffffffff B 0806
6 B A 8472 set 0800000000000100 A B6 86dd"
arps=$(awk '$11 == "0806" { s += $1 } END { print s + 0 }' <<<"$layouts")
is "one ARP frame reached node 1" "$arps" 1
read -r malformed others <<<"$(drops)"
is "... dropped and counted as rx_drop_malformed" "$malformed" $((malformed0 + arps))
is "no other receive drop on node 1 (source, no peer, other, header, VNI)" "$others" "$others0"
phase end

done_testing
