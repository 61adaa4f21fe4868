#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Datapath: three nodes (namespaces) on an underlay bridge, each with
# podnet0 and two pods (nested namespaces behind routed veths).  Every pod
# reaches every other pod, IPv4 and IPv6 inner, over an IPv4 and then an
# IPv6 underlay; no peer -> ICMP unreachable; crafted packets are dropped
# and counted by reason.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
N="1 2 3"
U=pnu	# the underlay: a bridge in its own namespace
pn_netns_add $U
ip -n $U link add br0 type bridge
ip -n $U link set br0 up

node() { echo "pnn$1"; }
pod() { echo "pnp$1$2"; }
v4() { echo "192.168.99.$1"; }
v6() { echo "fd00:99::$1"; }
podv4() { echo "10.244.$1.$((9 + $2))"; }
podv6() { echo "fd10:$1::$((9 + $2))"; }

for n in $N; do
	nn=$(node "$n")
	pn_netns_add "$nn"
	ip -n "$nn" link add eth0 type veth peer name "u$n" netns $U
	ip -n $U link set "u$n" master br0 up
	ip -n "$nn" addr add "$(v4 "$n")/24" dev eth0
	ip -n "$nn" addr add "$(v6 "$n")/64" dev eth0 nodad
	ip -n "$nn" link set eth0 up
	ip netns exec "$nn" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$nn" link add podnet0 type podnet
	ip -n "$nn" link set podnet0 up
	ip -n "$nn" route add 10.244.0.0/16 dev podnet0
	ip -n "$nn" -6 route add fd10::/16 dev podnet0
	for p in a b; do
		pp=$(pod "$n" $p)
		pn_netns_add "$pp"
		ip -n "$nn" link add "v$p" type veth peer name eth0 netns "$pp"
		ip -n "$nn" addr add 169.254.1.1/32 dev "v$p"
		ip -n "$nn" addr add fe80::1/64 dev "v$p" nodad
		ip -n "$nn" link set "v$p" up
		ip -n "$nn" route add "$(podv4 "$n" $p)/32" dev "v$p"
		ip -n "$nn" -6 route add "$(podv6 "$n" $p)/128" dev "v$p"
		ip -n "$pp" addr add "$(podv4 "$n" $p)/32" dev eth0
		ip -n "$pp" addr add "$(podv6 "$n" $p)/128" dev eth0 nodad
		ip -n "$pp" link set eth0 up
		ip -n "$pp" route add 169.254.1.1 dev eth0
		ip -n "$pp" route add default via 169.254.1.1 dev eth0
		ip -n "$pp" -6 route add default via fe80::1 dev eth0
	done
done

# peers FAMILY: on every node, one peer per other node, endpoints in FAMILY.
peers() {
	local n m addr
	for n in $N; do
		ip netns exec "$(node "$n")" podnetctl peer flush dev podnet0
		for m in $N; do
			[ "$m" = "$n" ] && continue
			if [ "$1" = 4 ]; then addr=$(v4 "$m"); else addr=$(v6 "$m"); fi
			ip netns exec "$(node "$n")" podnetctl peer add dev podnet0 \
				remote "$addr" prefix "10.244.$m.0/24" prefix "fd10:$m::/64" ||
				return 1
		done
	done
}

# all_pairs: every pod pings every pod on another node, IPv4 and IPv6.
all_pairs() {
	local n m p q bad=""
	for n in $N; do for p in a b; do for m in $N; do for q in a b; do
		[ "$n" = "$m" ] && continue
		ip netns exec "$(pod "$n" $p)" ping -q -c1 -W2 "$(podv4 "$m" $q)" >/dev/null ||
			bad+=" $n$p->$m$q(v4)"
		ip netns exec "$(pod "$n" $p)" ping -q -c1 -W2 "$(podv6 "$m" $q)" >/dev/null ||
			bad+=" $n$p->$m$q(v6)"
	done; done; done; done
	[ -z "$bad" ] || { echo "unreachable:$bad"; return 1; }
}

# Let IPv6 addresses settle (nodad everywhere, but routes need the links).
sleep 1
ok "program peers with IPv4 endpoints" peers 4
ok "every pod reaches every remote pod, IPv4 and IPv6, over IPv4" all_pairs
ok "program peers with IPv6 endpoints" peers 6
ok "every pod reaches every remote pod, IPv4 and IPv6, over IPv6" all_pairs
peers 4

# stat NODE KEY: a device counter from podnetctl -j show.
stat() {
	ip netns exec "$(node "$1")" podnetctl -j show dev podnet0 |
		$PY -c "import json,sys; print(json.load(sys.stdin)[0]['stats']['$2'])"
}

# --- no peer for the destination -------------------------------------------
before=$(stat 1 tx_drop_no_peer)
out=$(ip netns exec "$(pod 1 a)" ping -c1 -W2 10.244.77.1 2>&1)
like "no peer: the sender gets ICMP host unreachable" "$out" "Destination Host Unreachable"
is "no peer: counted as tx_drop_no_peer" "$(stat 1 tx_drop_no_peer)" $((before + 1))
out=$(ip netns exec "$(pod 1 a)" ping -6 -c1 -W2 fd10:77::1 2>&1)
like "no peer (IPv6): the sender gets ICMPv6 address unreachable" "$out" "Address unreachable"

# --- crafted packets to node 1 ----------------------------------------------
# Sent from the underlay namespace with scapy in one batch.  Each kind of bad
# packet is sent once; ping between pods before and after proves the path.
ip -n $U addr add 192.168.99.200/24 dev br0
src_before=$(stat 1 rx_drop_source)
nopeer_before=$(stat 1 rx_drop_no_peer)
mal_before=$(stat 1 rx_drop_malformed)
rx_before=$(ip netns exec "$(node 1)" cat /sys/class/net/podnet0/statistics/rx_packets)
mac1=$(ip netns exec "$(node 1)" cat /sys/class/net/eth0/address)
ip netns exec $U $PY - "$mac1" <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, ICMP, Raw, sendp, conf
from scapy.layers.vxlan import VXLAN
conf.verb = 0
dst_mac = sys.argv[1]
def vx(src, vni=1, flags=0x08, inner_src="10.244.2.10", reserved2=0, proto=None):
    inner = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / \
        IP(src=inner_src, dst="10.244.1.10") / ICMP()
    if proto is not None:
        inner = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=proto) / Raw(b"x" * 40)
    return Ether(dst=dst_mac) / IP(src=src, dst="192.168.99.1") / \
        UDP(sport=40000, dport=8472, chksum=0) / \
        VXLAN(flags=flags, vni=vni, reserved2=reserved2) / inner
pkts = [
    vx("192.168.99.200"),                           # not a peer
    vx("192.168.99.2", inner_src="10.244.3.10"),    # spoofed inner source
    vx("192.168.99.2", vni=99),                     # wrong VNI
    vx("192.168.99.2", flags=0x0c),                 # reserved flag bit
    vx("192.168.99.2", reserved2=1),                # reserved VNI byte
    vx("192.168.99.2", proto=0x0806),               # not IP inside
    Ether(dst=dst_mac) / IP(src="192.168.99.2", dst="192.168.99.1") /
        UDP(sport=40000, dport=8472, chksum=0) / Raw(b"\x08\x00\x00"),  # truncated
]
sendp(pkts, iface="br0")
EOF
sleep 1
is "non-peer source: rx_drop_no_peer +1" "$(stat 1 rx_drop_no_peer)" $((nopeer_before + 1))
is "spoofed inner source: rx_drop_source +1" "$(stat 1 rx_drop_source)" $((src_before + 1))
is "non-IP inner packet: rx_drop_malformed +1" "$(stat 1 rx_drop_malformed)" $((mal_before + 1))
is "none of the crafted packets was delivered" \
	"$(ip netns exec "$(node 1)" cat /sys/class/net/podnet0/statistics/rx_packets)" "$rx_before"
ok "pods still reach each other after the crafted packets" all_pairs

# --- a legitimate packet from a peer is delivered ---------------------------
ok "peer removal: node 1 removes node 2" \
	ip netns exec "$(node 1)" podnetctl peer del dev podnet0 remote "$(v4 2)"
fails "... and pod 1a no longer reaches pod 2a" \
	ip netns exec "$(pod 1 a)" ping -q -c1 -W1 "$(podv4 2 a)"
ok "re-adding it restores the path" \
	ip netns exec "$(node 1)" podnetctl peer add dev podnet0 remote "$(v4 2)" \
	prefix 10.244.2.0/24 prefix fd10:2::/64
ok "... pod 1a reaches pod 2a again" ip netns exec "$(pod 1 a)" ping -q -c1 -W2 "$(podv4 2 a)"

# --- TCP bulk transfer; GSO packets are encapsulated once --------------------
sysfs() { ip netns exec "$(node "$1")" cat "/sys/class/net/podnet0/statistics/$2"; }
ip netns exec "$(pod 2 a)" iperf3 -s -1 -D
sleep 1
txp=$(sysfs 1 tx_packets) txb=$(sysfs 1 tx_bytes)
ok "iperf3 TCP from pod 1a to pod 2a completes" \
	ip netns exec "$(pod 1 a)" iperf3 -c "$(podv4 2 a)" -t 3
txp=$(($(sysfs 1 tx_packets) - txp)) txb=$(($(sysfs 1 tx_bytes) - txb))
diag "podnet0 on node 1 sent $txp packets, $txb bytes"
ok "GSO passthrough: packets average more than the MTU (one encapsulation per GSO packet)" \
	test "$txp" -gt 0 -a $((txb / (txp > 0 ? txp : 1))) -gt 1450

# --- path MTU: a smaller underlay on node 1 --------------------------------
ip -n "$(node 1)" link set eth0 mtu 1300
out=$(ip netns exec "$(pod 1 a)" ping -c1 -W2 -M do -s 1400 "$(podv4 2 a)" 2>&1)
like "oversize with DF: the pod gets fragmentation-needed with the path MTU" "$out" "mtu ?= ?1250"
out=$(ip netns exec "$(pod 1 a)" ping -6 -c1 -W2 -M do -s 1400 "$(podv6 2 a)" 2>&1)
like "oversize IPv6: the pod gets packet-too-big with the path MTU" "$out" "mtu ?= ?1250|[Pp]acket too big"
ip netns exec "$(pod 2 a)" iperf3 -s -1 -D
sleep 1
ok "a TCP transfer over the smaller underlay MTU completes" \
	ip netns exec "$(pod 1 a)" iperf3 -c "$(podv4 2 a)" -t 2
ip -n "$(node 1)" link set eth0 mtu 1500

# --- port sharing ------------------------------------------------------------
fails_with "a second device with the same VNI and port is refused" "VNI already used" \
	ip -n "$(node 1)" link add pn2 type podnet

# --- netns move: the socket stays where the device was created ---------------
pn_netns_add pnmv0
pn_netns_add pnmv1
ip -n pnmv0 link add pnx type podnet
ok "a podnet device moves to another netns" ip -n pnmv0 link set pnx netns pnmv1
ok "... and comes up there" ip -n pnmv1 link set pnx up
like "its UDP socket is in the netns it was created in" \
	"$(ip netns exec pnmv0 ss -Hlun 'sport = :8472')" "8472"
is "... not in the one it moved to" "$(ip netns exec pnmv1 ss -Hlun 'sport = :8472')" ""
ip netns del pnmv0
sleep 1
fails "deleting the creating netns deletes the device" ip -n pnmv1 link show pnx

done_testing
