#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offloads and outer UDP header settings, node 1 -> node 2:
# - srcport: outer source ports within the configured range (inclusive,
#   both ends used) or the netns' ip_local_port_range, one per flow, spread
#   over flows; udpcsum/noudpcsum on IPv4, always a checksum on IPv6;
# - GSO: a TCP bulk transfer is encapsulated once and segmented below
#   podnet, every segment a VXLAN datagram with the right checksum;
# - GRO: with GRO on the receiving underlay the UDP tunnel GRO
#   (pn_gro_receive) merges the segments before decapsulation, and with it
#   off every datagram is decapsulated on its own;
# - local/local6: the outer source address, and nothing received on
#   another address of the node.
#
# Node 1's eth0 has tx checksumming off, so every outer packet is finished
# in software (checksum, segmentation) before it leaves: over veth a packet
# with checksum offload would cross with only the pseudo-header sum in it.
# Captures: u1 in the underlay namespace sees node 1's packets as sent,
# node 2's eth0 sees them as its stack receives them (after GRO).
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
phase topology
topo_up
peers 4
ok "pods reach each other" pnping "$(pod 1 a),$(podv4 2 a)" "$(pod 1 a),$(podv6 2 a)"
ok "node 1: tx checksumming off on the underlay (outer packets finished in software)" \
	in_node 1 ethtool -K eth0 tx off

# vx NAME: pnpcap lines of a capture (see selftests/tools/pnpcap):
# LEN FAMILY SRC DST SPORT DPORT CSUM VNI PROTO ISPORT IDPORT ...
vx() { pnpcap "$tmp/$1.pcap"; }
# pnset NODE WORD...: change node's podnet0 (RTM_NEWLINK, link_podnet.so).
pnset() { local n=$1; shift; in_node "$n" ip link set podnet0 type podnet "$@"; }
from1="udp dst port 8472 and (src host $(v4 1) or src host $(v6 1))"

# --- srcport and udpcsum: 64 UDP flows per phase ----------------------------
# flows DPORT: from pod 1a, 64 UDP sockets send two datagrams each to
# $SINK port DPORT, which tags the phase.  SINK is an unused address of
# node 2's pod prefix that node 2 blackholes: no ICMP error comes back to
# the (connected) sockets of bash's /dev/udp.
SINK=10.244.2.99
in_node 2 ip route add blackhole $SINK/32
flows() {
	in_pod 1 a bash -c 'for i in {1..64}; do exec {fd}>"/dev/udp/$0/$1" || exit 1; fds+=("$fd"); done
		for r in 1 2; do
			for fd in "${fds[@]}"; do printf "%064d" 0 >&"$fd"; done
			sleep 0.2
		done' "$SINK" "$1"
}
# flowstat DPORT: "PACKETS FAMILIES PORTS SPLIT CSUMS" of a phase: the
# outer families, the distinct outer source ports (sorted), how many inner
# flows went out with more than one, the checksum verdicts seen.
flowstat() {
	awk -v p="$1" '
	$9 == 17 && $11 == p {
		n++; fam[$2] = 1; cs[$7] = 1; port[$5] = 1
		if (($10 in flow) && flow[$10] != $5) multi[$10] = 1
		flow[$10] = $5
	}
	function keys(a,   k, s) { s = ""; for (k in a) s = s (s == "" ? "" : ",") k; return s }
	END {
		nsplit = 0; for (k in multi) nsplit++
		printf "%d %s %s %d %s\n", n, keys(fam), keys(port), nsplit, keys(cs)
	}' "$tmp/flows.txt" | while read -r n f p s c; do
		# Sort the port and verdict lists (awk's "for in" order is not).
		echo "$n $f $(tr , '\n' <<<"$p" | sort -n | paste -sd,) $s $(tr , '\n' <<<"$c" | sort | paste -sd,)"
	done
}
nports() { tr , '\n' <<<"$1" | grep -c .; }

phase srcport-flows
is "defaults as shown by RTM_GETLINK: srcport 0 0 (the netns' range), no udpcsum" \
	"$(link_info 1 podnet0 '"\(.srcport_min) \(.srcport_max) \(.udp_csum)"')" "0 0 false"
in_node 1 sysctl -qw net.ipv4.ip_local_port_range="40100 40131"
capture flows "$U" u1 256 "$from1"
flows 1001
ok "set srcport 40000 40001 udpcsum" pnset 1 srcport 40000 40001 udpcsum
flows 1002
ok "set srcport 45000 45000 noudpcsum" pnset 1 srcport 45000 45000 noudpcsum
flows 1003
peers 6
ok "set srcport 40000 40001 (noudpcsum stays), peers over IPv6" \
	pnset 1 srcport 40000 40001
flows 1004
phase srcport-stop-captures
stop_captures
peers 4
vx flows >"$tmp/flows.txt"
phase srcport-parse

read -r n f p s c <<<"$(flowstat 1001)"
is "default: all 128 datagrams of 64 flows on the wire, over IPv4" "$n $f" "128 4"
ok "default: outer source ports within ip_local_port_range 40100-40131 (got $p)" \
	test "$(tr , '\n' <<<"$p" | awk '$1 < 40100 || $1 > 40131' | wc -l)" -eq 0 -a -n "$p"
ok "default: spread over flows, at least 8 distinct ports (got $(nports "$p"))" \
	test "$(nports "$p")" -ge 8
is "default: one source port per flow" "$s" 0
is "default (noudpcsum): every outer IPv4 UDP checksum zero" "$c" zero
read -r n f p s c <<<"$(flowstat 1002)"
is "srcport 40000 40001: both ends of the range used, nothing else" "$n $f $p" "128 4 40000,40001"
is "... one source port per flow" "$s" 0
is "udpcsum: every outer IPv4 UDP checksum non-zero and valid" "$c" ok
read -r n f p s c <<<"$(flowstat 1003)"
is "srcport 45000 45000: that one port" "$n $f $p" "128 4 45000"
is "noudpcsum: every outer IPv4 UDP checksum zero" "$c" zero
read -r n f p s c <<<"$(flowstat 1004)"
is "IPv6 underlay, srcport 40000 40001: both ports" "$n $f $p" "128 6 40000,40001"
is "IPv6 underlay, noudpcsum: every outer UDP checksum non-zero and valid" "$c" ok

# --- GSO below podnet, GRO above the underlay -------------------------------
phase gro-on-v4
# GRO on veth needs the receiving veth's NAPI, which "gro on" enables, and
# its peer without TSO: veth skips NAPI for packets from a TSO-capable
# peer (veth_skb_is_eligible_for_gro).
ok "underlay: TSO off on u2 (node 2's veth peer)" in_ns $U ethtool -K u2 tso off

# bulk PORT: a 4 MB TCP transfer pod 1a -> pod 2a (iperf3 on PORT) with
# node 1's wire captured (snap length SNAP) and node 2's eth0; sets
# tx_p tx_b (node 1's podnet0), rx_p rx_b (node 2's podnet0), pod_p pod_b
# (what pod 2a received).
bulk() {
	local port=$1
	iperf_server 2 a "$port" -1
	diag "bulk $port: server up at ${SECONDS}s"
	capture "wire$port" "$U" u1 "$SNAP" "$from1"
	capture "rcv$port" "$(node 2)" eth0 128 "$from1"
	read -r tx_p tx_b <<<"$(devstat 1 podnet0 tx_packets tx_bytes)"
	read -r rx_p rx_b <<<"$(devstat 2 podnet0 rx_packets rx_bytes)"
	read -r pod_p pod_b <<<"$(devstat 2 va tx_packets tx_bytes)"
	in_pod 1 a timeout 60 iperf3 -c "$(podv4 2 a)" -p "$port" -n 4M >"$tmp/iperf$port" 2>&1
	bulk_rc=$?
	diag "bulk $port: iperf3 done at ${SECONDS}s (rc $bulk_rc): $(grep -E 'sender|receiver' "$tmp/iperf$port" | tr -s ' ' | tr '\n' ';')"
	read -r p b <<<"$(devstat 1 podnet0 tx_packets tx_bytes)"
	tx_p=$((p - tx_p)) tx_b=$((b - tx_b))
	read -r p b <<<"$(devstat 2 podnet0 rx_packets rx_bytes)"
	rx_p=$((p - rx_p)) rx_b=$((b - rx_b))
	read -r p b <<<"$(devstat 2 va tx_packets tx_bytes)"
	pod_p=$((p - pod_p)) pod_b=$((b - pod_b))
	stop_captures
	pnpcap -s "$tmp/wire$port.pcap" "$tmp/rcv$port.pcap" >"$tmp/capstat"
	diag "bulk $port: captures stopped and read at ${SECONDS}s"
	diag "transfer on port $port: node 1 podnet0 sent $tx_p packets ($tx_b bytes);" \
		"node 2 podnet0 received $rx_p ($rx_b bytes); pod 2a received $pod_p ($pod_b bytes)"
}
# capstat NAME: "PACKETS MAXLEN CSUMS" of the VXLAN packets of a capture
# (bulk saves them for both of its captures, one pnpcap -s).
capstat() { awk -v f="$tmp/$1.pcap" '$1 == f { print $2, $3, $4 }' "$tmp/capstat"; }
avg() { echo $(($1 / ($2 > 0 ? $2 : 1))); }

# GRO on node 2's underlay, default checksums (none).
ok "node 2: GRO on eth0" in_node 2 ethtool -K eth0 gro on
ok "node 1: noudpcsum" pnset 1 noudpcsum
SNAP=128 bulk 5201
is "GRO on: the transfer completes" "$bulk_rc" 0
read -r wn wmax wcs <<<"$(capstat wire5201)"
read -r rn rmax _ <<<"$(capstat rcv5201)"
diag "node 1's wire: $wn VXLAN datagrams, largest $wmax bytes; node 2's eth0 after GRO: $rn packets, largest $rmax bytes"
ok "GSO: podnet0 sent GSO packets (average $(avg $tx_b $tx_p) bytes > MTU 1450)" \
	test "$(avg $tx_b $tx_p)" -gt 1450
ok "... segmented below podnet: at least 3 datagrams on the wire per packet sent ($wn for $tx_p), none over 1514 bytes" \
	test "$wn" -ge $((3 * tx_p)) -a "$tx_p" -gt 0 -a "$wmax" -le 1514
is "... each segment a VXLAN datagram with a zero checksum (noudpcsum)" "$wcs" zero
ok "GRO: node 2's stack received aggregates of the underlay datagrams (largest $rmax bytes > 1514)" \
	test "$rmax" -gt 1514
ok "GRO: podnet0 decapsulated at most one packet per 3 datagrams ($rx_p for $wn)" \
	test "$rx_p" -gt 0 -a $((3 * rx_p)) -le "$wn"
ok "GRO: ... averaging $(avg $rx_b $rx_p) bytes, more than the MTU 1450" \
	test "$(avg $rx_b $rx_p)" -gt 1450
ok "GRO: pod 2a received packets larger than the MTU (average $(avg $pod_b $pod_p))" \
	test "$(avg $pod_b $pod_p)" -gt 1500

phase gro-off
# GRO off on node 2's underlay (the veth default); outer checksums on, so
# every software-made segment must carry a valid one.
ok "node 2: GRO off on eth0" in_node 2 ethtool -K eth0 gro off
ok "node 1: udpcsum" pnset 1 udpcsum
SNAP=1600 bulk 5202
is "GRO off: the transfer completes" "$bulk_rc" 0
read -r wn wmax wcs <<<"$(capstat wire5202)"
read -r rn rmax _ <<<"$(capstat rcv5202)"
diag "node 1's wire: $wn VXLAN datagrams, largest $wmax bytes; node 2's eth0: $rn packets, largest $rmax bytes"
ok "udpcsum + GSO: segmented below podnet ($wn datagrams for $tx_p packets), none over 1514 bytes" \
	test "$wn" -ge $((3 * tx_p)) -a "$tx_p" -gt 0 -a "$wmax" -le 1514
is "... every segment with its own valid non-zero checksum" "$wcs" ok
ok "GRO off: node 2's stack received nothing larger than 1514 bytes (largest $rmax)" \
	test "$rn" -gt 0 -a "$rmax" -le 1514
ok "GRO off: podnet0 decapsulated every datagram on its own (average $(avg $rx_b $rx_p) bytes <= MTU 1450)" \
	test "$rx_p" -gt 0 -a "$(avg $rx_b $rx_p)" -le 1450
ok "gro_cells: podnet0 itself still merges them, pod 2a got packets larger than the MTU (average $(avg $pod_b $pod_p))" \
	test "$(avg $pod_b $pod_p)" -gt 1500
ok "node 1: noudpcsum" pnset 1 noudpcsum

phase gro-on-v6
# GRO over an IPv6 underlay (udp6_gro_receive; outer checksums always on).
ok "node 2: GRO on eth0 again" in_node 2 ethtool -K eth0 gro on
peers 6
SNAP=1600 bulk 5203
is "IPv6 underlay: the transfer completes" "$bulk_rc" 0
read -r wn wmax wcs <<<"$(capstat wire5203)"
read -r rn rmax _ <<<"$(capstat rcv5203)"
diag "node 1's wire: $wn VXLAN datagrams, largest $wmax bytes; node 2's eth0 after GRO: $rn packets, largest $rmax bytes"
ok "IPv6 underlay: segmented below podnet ($wn datagrams for $tx_p packets), none over 1514 bytes" \
	test "$wn" -ge $((3 * tx_p)) -a "$tx_p" -gt 0 -a "$wmax" -le 1514
is "IPv6 underlay, noudpcsum: every segment with its own valid checksum" "$wcs" ok
ok "IPv6 underlay, GRO: node 2's stack received aggregates (largest $rmax bytes > 1514)" \
	test "$rmax" -gt 1514
ok "IPv6 underlay, GRO: podnet0 decapsulated at most one packet per 3 datagrams ($rx_p for $wn)" \
	test "$rx_p" -gt 0 -a $((3 * rx_p)) -le "$wn"
peers 4

phase local
# --- local / local6 -----------------------------------------------------------
# pl0 on each node: VNI 5, port 4790, bound to a second underlay address;
# inner 10.245.N.1 on pl0.
for n in $N; do
	in_node "$n" ip -batch - <<-EOF
	addr add 192.168.99.1$n/24 dev eth0
	addr add fd00:99::1$n/64 dev eth0 nodad
	EOF
done
ok "node 1: pl0 with local 192.168.99.11 local6 fd00:99::11" \
	in_node 1 ip link add pl0 type podnet vni 5 port 4790 local 192.168.99.11 local6 fd00:99::11
ok "node 2: pl0 with local 192.168.99.12 local6 fd00:99::12" \
	in_node 2 ip link add pl0 type podnet vni 5 port 4790 local 192.168.99.12 local6 fd00:99::12
for n in $N; do
	in_node "$n" ip -batch - <<-EOF
	link set pl0 up
	addr add 10.245.$n.1/32 dev pl0
	route add 10.245.$((3 - n)).0/24 dev pl0
	EOF
done
is "node 2's pl0 listens on its local addresses only" \
	"$(in_node 2 ss -Hlun 'sport = :4790' | awk '{ print $4 }' | LC_ALL=C sort | tr '\n' ' ')" \
	"192.168.99.12:4790 [fd00:99::12]:4790 "
# plpeer NODE REMOTE: pl0's one peer, the other node's inner /24.
plpeer() {
	echo "remote $2 prefix 10.245.$((3 - $1)).0/24" |
		in_node "$1" podnetctl peer replace dev pl0
}
plpeer 1 192.168.99.12
plpeer 2 192.168.99.11
capture local "$U" u1 128 "udp port 4790"
ok "pl0: node 1 reaches node 2 over IPv4 endpoints" pnping "$(node 1),10.245.2.1"
plpeer 1 fd00:99::12
plpeer 2 fd00:99::11
ok "pl0: node 1 reaches node 2 over IPv6 endpoints" pnping "$(node 1),10.245.2.1"
stop_captures
vx local >"$tmp/local.txt"
diag "pl0 packets on the wire (count, family, source, destination, source port):"
diag "$(awk '{ print $2, $3, $4, $5 }' "$tmp/local.txt" | sort | uniq -c)"
is "outer addresses on the wire, both ways: the local ones" \
	"$(awk '{ print $2, $3 ">" $4 }' "$tmp/local.txt" | LC_ALL=C sort -u | tr '\n' ' ')" \
	"4 192.168.99.11>192.168.99.12 4 192.168.99.12>192.168.99.11 6 fd00:99::11>fd00:99::12 6 fd00:99::12>fd00:99::11 "

phase local-noports
# Node 1 now sends to node 2's other address: node 2 has no socket there.
udp_noports() {
	in_node 2 awk '$1 == "Udp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "NoPorts") c = i } else print $c }' \
		/proc/net/snmp
}
udp6_noports() { in_node 2 awk '$1 == "Udp6NoPorts" { print $2 }' /proc/net/snmp6; }
rx=$(devstat 2 pl0 rx_packets) np=$(udp_noports) np6=$(udp6_noports)
plpeer 1 "$(v4 2)"
fails "pl0 peer at node 2's address 192.168.99.2: not answered" pnping -n 2 -w 1 "$(node 1),10.245.2.1"
plpeer 1 "$(v6 2)"
fails "pl0 peer at node 2's address fd00:99::2: not answered" pnping -n 2 -w 1 "$(node 1),10.245.2.1"
is "... both probes reached node 2 and found no socket (UDP NoPorts +2)" "$(udp_noports)" $((np + 2))
is "... (UDP6 NoPorts +2)" "$(udp6_noports)" $((np6 + 2))
is "... and none was decapsulated by pl0" "$(devstat 2 pl0 rx_packets)" "$rx"

phase end
done_testing
