#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What podnet puts on the wire: outer TTL / hop limit and TOS / traffic
# class for the default, fixed and inherit settings, ECN per RFC 6040 on
# encapsulation (copied) and decapsulation (CE folded in, CE on not-ECT
# dropped), over IPv4 and IPv6 underlays.  Captured with tcpdump, parsed
# with pnpcap; each probe is told apart by its ICMP payload size.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
phase topology
topo_up
peers 4
ok "pods reach each other" pnping "$(pod 1 a),$(podv4 2 a)" "$(pod 1 a),$(podv6 2 a)"

phase probes
capture tx "$(node 2)" eth0 256 "udp dst port 8472 and (src host $(v4 1) or src host $(v6 1))"
capture rx "$(node 1)" va 256 "icmp and src host $(podv4 2 a)"

# probes "SIZE [-6] [OPT,...]"...: pings from pod 1a to pod 2a (over IPv6
# with -6), one pnping for all; each must be answered.
probes() {
	local a size v6 opts dst list=()
	for a; do
		read -r size v6 opts <<<"$a"
		if [ "$v6" = -6 ]; then dst=$(podv6 2 a); else dst=$(podv4 2 a) opts=$v6; fi
		list+=("$(pod 1 a),$dst,size=$size${opts:+,$opts}")
	done
	pnping -n 1 "${list[@]}" >/dev/null
}
# Default: ttl from the route (64), tos 0, inner ECN copied.
ok "default: probes answered" probes "101 tos=0x10,ttl=50" "102 tos=0x02" \
	"103 tos=0x03" "104 tos=0x01" "105 -6 tos=0x12"
# pnset NODE WORD...: change node's podnet0 (RTM_NEWLINK, link_podnet.so).
pnset() { local n=$1; shift; in_node "$n" ip link set podnet0 type podnet "$@"; }
ok "set ttl 7 tos 0x28" pnset 1 ttl 7 tos 0x28
ok "fixed: probes answered" probes "111 tos=0x12,ttl=50" "112 tos=0x00"
ok "set ttl inherit tos inherit" pnset 1 ttl inherit tos inherit
is "... as shown by RTM_GETLINK" \
	"$(link_info 1 podnet0 '"ttl \(.ttl) ttl_inherit \(.ttl_inherit) tos \(.tos) tos_inherit \(.tos_inherit)"')" \
	"ttl 0 ttl_inherit true tos 0 tos_inherit true"
ok "inherit: probes answered" probes "121 tos=0xba,ttl=33" "122 -6 tos=0x2b,ttl=20"
peers 6
ok "inherit over IPv6: probes answered" probes "131 tos=0xba,ttl=33" "132 -6 tos=0x49,ttl=20"
ok "set ttl auto tos 0x20 (no inherit)" pnset 1 ttl auto tos 0x20
ok "default over IPv6: probes answered" probes "141 tos=0x03,ttl=50"
peers 4

phase crafted
# Decapsulation: crafted VXLAN from node 2's address to node 1 (pnvxsend).
other_before=$(stats 1 rx_drop_other)
mac1=$(in_node 1 ip -j link show eth0 | jget '.[0].address')
# SIZE OUTER-TOS INNER-TOS, ICMP id 7.
vx() { echo "size=$1,tos=$2,itos=$3,id=7"; }
in_ns $U pnvxsend br0 "$mac1" "$(vx 201 0x03 0x02)" "$(vx 202 0x03 0x00)" \
	"$(vx 203 0x00 0x02)" "$(vx 204 0x02 0x00)" "$(vx 205 0xbb 0x01)"
stop_captures

phase parse
# One line per captured probe: SIZE OUTER-FAMILY TOS TTL (tx), or SIZE TOS
# (rx); echo requests only (ICMP type 8, ICMPv6 128), told apart by size.
got=$({
	pnpcap "$tmp/tx.pcap" | awk '($9 == 1 && $10 == 8) || ($9 == 58 && $10 == 128) {
		print "tx", $14 - 8, $2, $12, $13 }'
	pnpcap -p "$tmp/rx.pcap" | awk '$7 == 1 && $8 == 8 { print "rx", $10 - 8, $5 }'
} | LC_ALL=C sort -u)
line() { grep -E "^$1 $2 " <<<"$got" || echo "(none for $1 $2)"; }
is "default: ttl 64, tos 0 (inner DSCP not copied)" "$(line tx 101)" "tx 101 4 0x00 64"
is "default: inner ECT(0) copied" "$(line tx 102)" "tx 102 4 0x02 64"
is "default: inner CE copied" "$(line tx 103)" "tx 103 4 0x03 64"
is "default: inner ECT(1) copied" "$(line tx 104)" "tx 104 4 0x01 64"
is "default, IPv6 inner: ECN copied" "$(line tx 105)" "tx 105 4 0x02 64"
is "fixed: ttl 7, tos 0x28 plus the inner ECN" "$(line tx 111)" "tx 111 4 0x2a 7"
is "fixed: ttl 7, tos 0x28, not-ECT" "$(line tx 112)" "tx 112 4 0x28 7"
is "inherit: inner TOS and TTL (after forwarding: 33-1)" "$(line tx 121)" "tx 121 4 0xba 32"
is "inherit, IPv6 inner: traffic class and hop limit" "$(line tx 122)" "tx 122 4 0x2b 19"
is "inherit over IPv6 underlay: traffic class and hop limit" "$(line tx 131)" "tx 131 6 0xba 32"
is "inherit over IPv6, IPv6 inner" "$(line tx 132)" "tx 132 6 0x49 19"
is "fixed tos over IPv6, ttl from the route" "$(line tx 141)" "tx 141 6 0x23 64"
is "decap: outer CE on inner ECT(0) -> inner CE" "$(line rx 201)" "rx 201 0x03"
is "decap: outer CE on inner not-ECT -> dropped" "$(line rx 202)" "(none for rx 202)"
is "... counted as rx_drop_other" "$(stats 1 rx_drop_other)" $((other_before + 1))
is "decap: outer not-ECT leaves inner ECT(0)" "$(line rx 203)" "rx 203 0x02"
is "decap: outer ECT(0) on inner not-ECT -> not-ECT" "$(line rx 204)" "rx 204 0x00"
is "decap: outer CE on inner ECT(1) -> CE, outer DSCP not copied" "$(line rx 205)" "rx 205 0x03"
phase end

done_testing
