#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Datapath: three nodes (namespaces) on an underlay bridge, each with
# podnet0 and two pods (nested namespaces behind routed veths).  Every pod
# reaches every other pod, IPv4 and IPv6 inner, over an IPv4 and then an
# IPv6 underlay; no peer -> ICMP unreachable; crafted packets are dropped
# and counted by reason.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
phase topology
topo_up

phase all-pairs
ok "program peers with IPv4 endpoints" peers 4
ok "every pod reaches every remote pod, IPv4 and IPv6, over IPv4" all_pairs
ok "program peers with IPv6 endpoints" peers 6
ok "every pod reaches every remote pod, IPv4 and IPv6, over IPv6" all_pairs
peers 4

phase no-peer
# --- no peer for the destination -------------------------------------------
# The probes of a check go in one pnping (one python start); line N of
# its output is probe N's result.
before=$(stats 1 tx_drop_no_peer)
mapfile -t res <<<"$(pnping -n 1 "$(pod 1 a),10.244.77.1" "$(pod 1 a),fd10:77::1")"
is "no peer: the sender gets ICMP host unreachable" "${res[0]}" "$(pod 1 a) 10.244.77.1 icmp 3 1"
is "no peer (IPv6): the sender gets ICMPv6 address unreachable" \
	"${res[1]:-}" "$(pod 1 a) fd10:77::1 icmp 1 3"
is "no peer: both counted as tx_drop_no_peer" "$(stats 1 tx_drop_no_peer)" $((before + 2))

phase crafted
# --- crafted packets to node 1 ----------------------------------------------
# Sent from the underlay namespace by pnvxsend in one batch, each kind once,
# from node 2's underlay address unless the point is another source.
in_ns $U ip addr add 192.168.99.200/24 dev br0
# rxdrops: the counters the crafted packets go to.
rxdrops() { stats 1 rx_drop_no_peer rx_drop_source rx_drop_malformed rx_drop_bad_header rx_drop_bad_vni; }
read -r nopeer_before src_before mal_before hdr_before vni_before <<<"$(rxdrops)"
rx_before=$(devstat 1 podnet0 rx_packets)
mac1=$(in_node 1 ip -j link show eth0 | jget '.[0].address')
crafted=(
	src=192.168.99.200	# not a peer
	isrc=10.244.3.10	# inner source of another peer
	isrc=10.9.9.9		# inner source of no peer
	vni=99			# wrong VNI
	flags=0x0c		# reserved flag bit
	res2=1			# reserved VNI byte
	etype=0x0806		# not IP inside
	raw=080000		# truncated
)
in_ns $U pnvxsend br0 "$mac1" "${crafted[@]}"
# Until all eight are counted (at most 5 s), then each on its own.
counted() { [ "$(rxdrops)" = "$((nopeer_before + 1)) $((src_before + 2)) $((mal_before + 1)) $((hdr_before + 3)) $((vni_before + 1))" ]; }
wait_for 5 counted
read -r nopeer src mal hdr vni <<<"$(rxdrops)"
is "non-peer source: rx_drop_no_peer +1" "$nopeer" $((nopeer_before + 1))
is "spoofed inner sources: rx_drop_source +2" "$src" $((src_before + 2))
is "non-IP inner packet: rx_drop_malformed +1" "$mal" $((mal_before + 1))
is "reserved bits, truncated: rx_drop_bad_header +3" "$hdr" $((hdr_before + 3))
is "wrong VNI: rx_drop_bad_vni +1" "$vni" $((vni_before + 1))
is "none of the crafted packets was delivered" "$(devstat 1 podnet0 rx_packets)" "$rx_before"
ok "pods still reach each other after the crafted packets" all_pairs

phase af-packet
# --- AF_PACKET sends on podnet0 (header_ops' parse_protocol) -----------------
# A raw IPv4 echo request to pod 2a, sent on node 1's podnet0 by a packet
# socket of protocol 0: the device must tell IPv4 from the IP header.  Its
# source is pod 1a's address, which node 2's source validation accepts
# from node 1 (pod 1a drops the unasked-for reply).
echos() { snmp "$(pod 2 a)" Icmp InEchos; }
e0=$(echos) other0=$(stats 1 tx_drop_other)
in_node 1 python3 - "$(podv4 1 a)" "$(podv4 2 a)" <<'EOF'
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
icmp = struct.pack('!BBHHH', 8, 0, 0, 0x7070, 1) + b'podnet'
icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2]))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.bind(('podnet0', 0))
s.send(ip + icmp)
EOF
arrived() { [ "$(echos)" -gt "$e0" ]; }
wait_for 5 arrived
is "an IPv4 packet sent on podnet0 through AF_PACKET reaches pod 2a" "$(echos)" $((e0 + 1))
is "... not dropped as tx_drop_other" "$(stats 1 tx_drop_other)" "$other0"

phase peer-removal
# --- peer removal and re-adding ---------------------------------------------
ok "peer removal: node 1 removes node 2" \
	in_node 1 podnetctl peer del dev podnet0 remote "$(v4 2)"
mapfile -t res <<<"$(pnping "$(pod 1 a),$(podv4 2 a)" "$(pod 1 a),$(podv4 3 a)")"
is "... and pod 1a gets host unreachable for pod 2a at once" \
	"${res[0]}" "$(pod 1 a) $(podv4 2 a) icmp 3 1"
is "... while pod 1a still reaches pod 3a" "${res[1]:-}" "$(pod 1 a) $(podv4 3 a) reply"
ok "re-adding it restores the path" \
	in_node 1 podnetctl peer add dev podnet0 remote "$(v4 2)" \
	prefix 10.244.2.0/24 prefix fd10:2::/64
ok "... pod 1a reaches pod 2a again" pnping "$(pod 1 a),$(podv4 2 a)" "$(pod 1 a),$(podv6 2 a)"

phase iperf3
# --- TCP bulk transfer; GSO packets are encapsulated once --------------------
iperf_server 2 a 5201 -1
read -r txp txb <<<"$(devstat 1 podnet0 tx_packets tx_bytes)"
read -r rxp rxb <<<"$(devstat 2 podnet0 rx_packets rx_bytes)"
ok "iperf3 TCP from pod 1a to pod 2a completes" \
	in_pod 1 a iperf3 -c "$(podv4 2 a)" -t 2
read -r p b <<<"$(devstat 1 podnet0 tx_packets tx_bytes)"
txp=$((p - txp)) txb=$((b - txb))
read -r p b <<<"$(devstat 2 podnet0 rx_packets rx_bytes)"
rxp=$((p - rxp)) rxb=$((b - rxb))
diag "podnet0 on node 1 sent $txp packets, $txb bytes; on node 2 received $rxp, $rxb bytes"
ok "GSO passthrough: podnet0 sent packets larger than its MTU (one encapsulation per GSO packet)" \
	test "$txp" -gt 0 -a $((txb / (txp > 0 ? txp : 1))) -gt 1450
# The veth/bridge underlay carries GSO packets whole, so this shows the
# receive path taking them as such; it does not exercise GRO.
ok "podnet0 on node 2 received and delivered packets larger than its MTU" \
	test "$rxp" -gt 0 -a $((rxb / (rxp > 0 ? rxp : 1))) -gt 1450
diag "UDP tunnel GRO table: $(dmesg | grep -c 'Too many UDP tunnel types') 'Too many UDP tunnel types' messages"

phase full-size
# --- a packet of the MTU fits to every peer, IPv6 endpoints included --------
# Without local/local6 a device may have peers of both families, so its
# default MTU leaves room for the IPv6 outer header; with local alone
# (IPv4 only) for the IPv4 one.  Before the pmtu phase, whose lowered path
# MTUs the pods' routes remember.
mtu() { in_node 1 ip -j link show "$1" | jget '.[0].mtu'; }
is "podnet0 (no local, no local6): default MTU 1500 - 70 = 1430" "$(mtu podnet0)" 1430
in_node 1 ip -batch - <<-EOF
link add pnm4 type podnet vni 9 port 4791 local $(v4 1)
link add pnm6 type podnet vni 10 port 4791 local6 $(v6 1)
link add pnm46 type podnet vni 11 port 4791 local $(v4 1) local6 $(v6 1)
EOF
is "local only (IPv4): 1450; local6 only: 1430; both: 1430" \
	"$(mtu pnm4) $(mtu pnm6) $(mtu pnm46)" "1450 1430 1430"
in_node 1 ip -batch - <<-EOF
link del pnm4
link del pnm6
link del pnm46
EOF
peers 6
mtu0=$(stats 1 tx_drop_mtu)
m=$(mtu podnet0)
mapfile -t res <<<"$(pnping "$(pod 1 a),$(podv4 2 a),size=$((m - 28)),df" \
	"$(pod 1 a),$(podv6 2 a),size=$((m - 48)),df")"
is "over IPv6 endpoints: an IPv4 packet of podnet0's MTU ($m) gets through" \
	"${res[0]}" "$(pod 1 a) $(podv4 2 a) reply"
is "... and an IPv6 one" "${res[1]:-}" "$(pod 1 a) $(podv6 2 a) reply"
is "... neither dropped as tx_drop_mtu" "$(stats 1 tx_drop_mtu)" "$mtu0"
peers 4

phase pmtu
# --- path MTU: a smaller underlay on node 1 --------------------------------
mtu_before=$(stats 1 tx_drop_mtu)
in_node 1 ip link set eth0 mtu 1400
in_ns $U ip link set u1 mtu 1400
mapfile -t res <<<"$(pnping "$(pod 1 a),$(podv4 2 a),size=1400,df" \
	"$(pod 1 a),$(podv6 2 a),size=1360,df" "$(pod 1 a),$(podv4 2 a),size=1300,df")"
is "oversize with DF: the pod gets fragmentation-needed with the path MTU" \
	"${res[0]}" "$(pod 1 a) $(podv4 2 a) icmp 3 4 mtu 1350"
is "oversize IPv6: the pod gets packet-too-big with the path MTU" \
	"${res[1]:-}" "$(pod 1 a) $(podv6 2 a) icmp 2 0 mtu 1350"
is "... both counted as tx_drop_mtu" "$(stats 1 tx_drop_mtu)" $((mtu_before + 2))
is "a packet that fits the path still goes through" \
	"${res[2]:-}" "$(pod 1 a) $(podv4 2 a) reply"
iperf_server 2 a 5201 -1
ok "a TCP transfer over the smaller underlay MTU completes" \
	in_pod 1 a iperf3 -c "$(podv4 2 a)" -t 1
# Without DF an oversize inner IPv4 packet is not refused: the outer packet
# goes out without DF, fragmented by the IPv4 underlay or, over IPv6, by
# node 1 itself.  Counted where it arrives (pod 2a's echo requests): the
# 1428-byte reply does not fit node 1's 1400-byte underlay port back.
echos() { snmp "$(pod 2 a)" Icmp InEchos; }
e0=$(echos)
pnping -n 1 -w 1 "$(pod 1 a),$(podv4 2 a),size=1400,nodf" >/dev/null
is "no DF, IPv4 underlay: the oversize packet reaches pod 2a (outer packet fragmented)" \
	"$(echos)" $((e0 + 1))
peers 6
pnping -n 1 -w 1 "$(pod 1 a),$(podv4 2 a),size=1400,nodf" >/dev/null
is "no DF, IPv6 underlay: it reaches pod 2a too (the outer IPv6 packet fragmented by node 1)" \
	"$(echos)" $((e0 + 2))
peers 4
in_node 1 ip link set eth0 mtu 1500
in_ns $U ip link set u1 mtu 1500

phase port-sharing
# --- port sharing ------------------------------------------------------------
fails_with "a second device with the same VNI and port is refused" "VNI already used" \
	in_node 1 ip link add pn2 type podnet
ok "a second device with another VNI on the same port is accepted" \
	in_node 1 ip link add pn2 type podnet vni 2
ok "... and comes up on the shared socket" in_node 1 ip link set pn2 up
is "... which is one UDP socket per family" \
	"$(in_node 1 ss -Hlun 'sport = :8472' | wc -l)" 2
in_node 1 ip link del pn2

phase netns-move
# --- netns move: the socket stays where the device was created ---------------
pn_netns_add pnmv0
pn_netns_add pnmv1
in_ns pnmv0 ip link add pnx type podnet
ok "a podnet device moves to another netns" in_ns pnmv0 ip link set pnx netns pnmv1
ok "... and comes up there" in_ns pnmv1 ip link set pnx up
like "its UDP socket is in the netns it was created in" \
	"$(in_ns pnmv0 ss -Hlun 'sport = :8472')" "8472"
is "... not in the one it moved to" "$(in_ns pnmv1 ss -Hlun 'sport = :8472')" ""
ip netns del pnmv0
# The netns is cleaned up by a workqueue: poll (at most 10 s).
pnx_gone() { ! in_ns pnmv1 ip link show pnx >/dev/null 2>&1; }
ok "deleting the creating netns deletes the device" wait_for 10 pnx_gone
phase end

done_testing
