#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# encap gpe (VXLAN-GPE, no inner Ethernet): podnet to podnet over IPv4 and
# IPv6 underlays, ICMP both families and TCP (GSO segments of the GPE
# encapsulation); the bytes on the wire (I and P flags, next protocol 1
# or 2, VNI, then the inner IP header; 14 bytes less than VXLAN); and
# interop with a Linux `vxlan gpe external` device driven by lightweight
# tunnel routes (`ip route ... encap ip id 1 dst ...`) on node 2.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
phase topology
topo_up encap gpe
is "podnet0 is encap gpe" "$(link_info 1 podnet0 .encap)" gpe
peers 4

phase podnet
capture gpe "$(node 2)" eth0 128 "udp dst port 8472"
# 100 bytes of ICMP payload: IPv4 inner packet 128 bytes, IPv6 148.
probes=("$(pod 1 a),$(podv4 2 a),size=100" "$(pod 1 a),$(podv6 2 a),size=100")
ok "pods reach each other over GPE, IPv4 and IPv6 inner" pnping "${probes[@]}"
iperf_server 2 a 5201 -1
ok "TCP over GPE (1 MB, GSO segments)" in_pod 1 a iperf3 -c "$(podv4 2 a)" -p 5201 -n 1M --connect-timeout 10000
peers 6
ok "... and over an IPv6 underlay" pnping "${probes[@]}"
peers 4
stop_captures
# LEN SPORT DPORT HEAD of the echo probes (100 bytes of payload): the
# first 9 bytes of the UDP payload.
gpehead() { pnpcap -x 9 "$tmp/$1.pcap" | awk -v len="$2" '$1 == len { print $4 }' | sort -u; }
is "IPv4 inner: 0c 00 00 01 (I, P, next protocol IPv4), VNI 1, the IP header" \
	"$(gpehead gpe 178)" 0c0000010000010045
is "IPv6 inner: next protocol 2, then the IPv6 header (its version nibble)" \
	"$(gpehead gpe 198 | grep -v '^0c00000100' | cut -c1-17)" 0c000002000001006
is "over the IPv6 underlay: 20 bytes more (198 and 218; VXLAN would be 212, 232)" \
	"$(pnpcap "$tmp/gpe.pcap" | awk '$2 == 6 && ($1 < 1000) { print $1 }' | sort -un | tr '\n' ' ')" \
	"198 218 "
is "nothing dropped on node 2" "$(stats 2 rx_drop_malformed rx_drop_source rx_drop_bad_header)" "0 0 0"

phase crafted
# To node 1, from node 2's address: a plain VXLAN frame (a device of the
# other kind: rx_drop_malformed on podnet0), GPE with next protocol 3
# (Ethernet) and GPE with the OAM flag (bad headers, on the socket).
read -r mal0 hdr0 <<<"$(stats 1 rx_drop_malformed rx_drop_bad_header)"
mac1=$(in_node 1 ip -j link show eth0 | jget '.[0].address')
in_ns $U pnvxsend br0 "$mac1" vni=1 raw=0c00000300000100 raw=0d00000100000100
counted() { [ "$(stats 1 rx_drop_malformed rx_drop_bad_header)" = "$((mal0 + 1)) $((hdr0 + 2))" ]; }
wait_for 5 counted
is "VXLAN to a GPE device: rx_drop_malformed +1; bad GPE headers: rx_drop_bad_header +2" \
	"$(stats 1 rx_drop_malformed rx_drop_bad_header)" "$((mal0 + 1)) $((hdr0 + 2))"

phase linux
# Node 2 becomes a Linux VXLAN-GPE endpoint: collect-metadata device, one
# lightweight-tunnel route per remote prefix.
ok "node 2 becomes a Linux vxlan gpe external node (lightweight-tunnel routes)" in_node 2 ip -batch - <<EOF
link del podnet0
link add vxlan0 type vxlan external gpe dstport 8472
link set vxlan0 up
route add 10.244.1.0/24 encap ip id 1 dst $(v4 1) dev vxlan0
route add fd10:1::/64 encap ip id 1 dst $(v4 1) dev vxlan0
EOF
capture lnx "$(node 1)" eth0 128 "udp dst port 8472 and src host $(v4 2)"
ok "podnet gpe <-> Linux vxlan gpe: pods reach each other, IPv4 and IPv6 inner" \
	pnping "${probes[@]}"
iperf_server 2 a 5202 -1
ok "... TCP podnet -> Linux (1 MB)" in_pod 1 a iperf3 -c "$(podv4 2 a)" -p 5202 -n 1M --connect-timeout 10000
iperf_server 2 a 5203 -1
ok "... TCP Linux -> podnet (1 MB, -R)" in_pod 1 a iperf3 -c "$(podv4 2 a)" -p 5203 -n 1M -R --connect-timeout 10000
stop_captures
is "Linux's frames carry the same header as podnet's" \
	"$(gpehead lnx 178)" 0c0000010000010045
is "node 1 accepted them: nothing more dropped" \
	"$(stats 1 rx_drop_malformed rx_drop_source rx_drop_no_peer rx_drop_bad_header)" \
	"$((mal0 + 1)) 0 0 $((hdr0 + 2))"
phase end

done_testing
