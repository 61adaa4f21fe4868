#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, lane 2: hostile UDP packets to node 1's tunnel port
# (selftests/tools/pnhostile, from the underlay bridge, AF_PACKET): short,
# bad VXLAN/GPE flags and reserved bits, GPE next protocols, unknown VNIs,
# the other encapsulation, non-IP and broken inner headers, unknown underlay
# sources, spoofed inner sources, outer CE on not-ECT, frames of the MTU,
# bad UDP checksums and lengths, whole and lost fragments up to the
# largest datagram; IPv4 and IPv6 underlay, VXLAN (podnet0) and GPE (pngpe)
# on one port.  Every packet must be counted exactly where pnhostile says
# (podnet's socket, device and peer counters, the UDP/IP stack's for what
# podnet never sees) and every other drop counter stay still; valid
# control packets are delivered and a UDP flow from pod 2a loses nothing;
# a capture in pod 1a sees no hostile packet.  PODNET_HOSTILE sets the
# number of packets (make check 20,000; make stress 1,000,000).
. "$PODNET_ROOT/selftests/lib.sh"

HOSTILE=$PODNET_ROOT/selftests/tools/pnhostile/pnhostile
[ -x "$HOSTILE" ] || make -s -C "$PODNET_ROOT/selftests/tools/pnhostile" >/dev/null ||
	{ echo "Bail out! pnhostile does not build"; exit 1; }
n=${PODNET_HOSTILE:-20000}
control=200
seed=${PODNET_HOSTILE_SEED:-$(date +%s)}

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
phase topology
topo_up
peers 4
# Node 1's tables: node 2 over IPv4, a "node 3" over IPv6 (its address is
# only forged by pnhostile), on podnet0 and on a GPE device on the same port.
table="remote $(v4 2) prefix 10.244.2.0/24 prefix fd10:2::/64
remote $(v6 3) prefix 10.244.3.0/24 prefix fd10:3::/64"
in_node 1 ip -batch - <<EOF
link add pngpe type podnet vni 2 port 8472 encap gpe
link set pngpe up
EOF
ok "node 1: podnet0's table" in_node 1 podnetctl peer replace dev podnet0 <<<"$table"
ok "node 1: pngpe's table" in_node 1 podnetctl peer replace dev pngpe <<<"$table"
# Lost fragments expire after 1 s; room for every queue of a flood.
in_node 1 sysctl -qw net.ipv4.ipfrag_time=1 net.ipv6.ip6frag_time=1 \
	net.ipv4.ipfrag_high_thresh=268435456 net.ipv6.ip6frag_high_thresh=268435456
mac1=$(in_node 1 ip -j link show eth0 | jget '.[0].address')
ok "pods reach each other" pnping "$(pod 2 a),$(podv4 1 a)" "$(pod 2 a),$(podv6 1 a)"

# counters: every drop counter of node 1, "NAME VALUE" a line: podnet's
# (device, socket, each peer) and the stack's (snmp, snmp6), softnet's.
counters() {
	local d
	for d in podnet0 pngpe; do
		in_node 1 podnetctl -j show dev "$d" | jq -r --arg d "$d" '.[0] |
			(.stats | to_entries[] | select(.key | test("drop")) | "\($d):\(.key) \(.value)"),
			(if $d == "podnet0" then .socket_stats | to_entries[] | "sock:\(.key) \(.value)" else empty end)'
		in_node 1 podnetctl -j -s peer show dev "$d" | jq -r --arg d "$d" '.[] | .remote as $r |
			.stats | to_entries[] | select(.key | test("drop")) | "\($d)/\($r):\(.key) \(.value)"'
		echo "$d:dev_rx_dropped $(devstat 1 "$d" rx_dropped)"
	done
	in_node 1 awk '
	FILENAME ~ /snmp6/ { if ($1 ~ /^(Ip6(In|Reasm)|Udp6In|Udp6Rcvbuf|Udp6NoPorts)/) print "ip6:" $1, $2; next }
	$1 != "Ip:" && $1 != "Udp:" { next }
	!($1 in h) { h[$1] = 1; for (i = 2; i <= NF; i++) k[$1, i] = $i; next }
	{ for (i = 2; i <= NF; i++) if (k[$1, i] ~ /^(In|Reasm|NoPorts|Rcvbuf)/) print $1 k[$1, i], $i }' \
		/proc/net/snmp /proc/net/snmp6 |
		sed 's/^ip6:Ip6/Ip6:Ip6/; s/^ip6:Udp6/Udp6:Udp6/'
	echo "softnet:dropped $(softnet_drops | cut -d' ' -f1)"
}
counters >"$tmp/before"

phase flood
capture pod "$(pod 1 a)" eth0 96 "udp and (dst port 9 or dst port 10)"
iperf_server 1 a 5201
read -r out0 <<<"$(snmp "$(pod 2 a)" Udp OutDatagrams)"
read -r in0 err0 <<<"$(snmp "$(pod 1 a)" Udp InDatagrams InErrors)"
bg_ns "$(pod 2 a)" iperf3 -c "$(podv4 1 a)" -p 5201 -u -b 100K -l 100 -t 3600 >/dev/null 2>&1
flow=$!
diag "pnhostile -n $n -c $control -s $seed (PODNET_HOSTILE_SEED=$seed repeats it)"
t0=$SECONDS
in_ns $U "$HOSTILE" -n "$n" -c "$control" -s "$seed" br0 "$mac1" >"$tmp/sent"
rc=$?
diag "$(tail -n1 "$tmp/sent"), $((SECONDS - t0)) s"
is "pnhostile sent $n hostile packets (exit 0)" "$rc $(grep -c '^class ' "$tmp/sent")" "0 33"
like "... every class over both underlay families" \
	"$(awk '$1 == "class" && $4 == 0 { print "none: " $2 " " $3 }' "$tmp/sent")" '^$'
kill $flow
wait $flow 2>/dev/null

phase count
# What pnhostile expects, every other drop counter of node 1 unchanged;
# devices count each of their drops in rx_dropped too.  Lost fragments
# are counted when they expire (1 s).
expected() {	# per peer as pnhostile says, summed per device, rx_dropped
	awk '$1 == "expect" && $2 != "pod:delivered" {
		print $2, $3
		if ($2 ~ /\//) { split($2, a, "/"); d = a[1]; k = $2; sub(/.*:/, "", k); dev[d ":" k] += $3 }
		else if ($2 ~ /^(podnet0|pngpe):/) dev[$2] += $3
		if ($2 ~ /^(podnet0|pngpe)[:\/]/) { split($2, a, /[:\/]/); drop[a[1]] += $3 } }
	END { for (k in dev) if (!(k ~ /\//)) print k, dev[k]
	      for (d in drop) print d ":dev_rx_dropped", drop[d] }' "$tmp/sent" |
		awk '!seen[$1]++'
}
deltas() {	# the counters' growth since before, expected ones or not
	counters >"$tmp/after"
	awk 'NR == FNR { b[$1] = $2; next } { print $1, $2 - b[$1] }' "$tmp/before" "$tmp/after"
}
mismatch() {	# NAME GOT WANT for every counter not as expected
	awk 'NR == FNR { w[$1] = $2; next }
	     { g = $2; want = ($1 in w) ? w[$1] : 0; seen[$1] = 1
	       if ($1 ~ /Reasm/ && !($1 in w)) next
	       if ($1 ~ /In(Receives|Delivers|Datagrams|Octets|Mcast|Bcast|NoECT|ECT|CE)/) next
	       if (g != want) print $1, "got", g, "want", want }
	     END { for (k in w) if (!(k in seen)) print k, "not read" }' \
		"$tmp/expected" "$tmp/deltas"
}
expected >"$tmp/expected"
settled() { deltas >"$tmp/deltas"; [ -z "$(mismatch)" ]; }
wait_for 15 settled
like "every hostile packet counted once, where expected; no other drop" "$(mismatch)" '^$'
diag "counted: $(awk '$2 != 0 { printf "%s %s; ", $1, $2 }' "$tmp/deltas")"
# Measured: the devices' counters (their peers' included), the sockets',
# UDP's errors (checksum errors among them) and the lost fragments.
hostile_total=$(awk '$1 ~ /^(podnet0|pngpe):rx_drop|^sock:|^Udp:InErrors|^Udp6:Udp6InErrors|^Ip:ReasmFails|^Ip6:Ip6ReasmFails/ { s += $2 }
	END { print s }' "$tmp/deltas")
is "... the drop counters sum to the hostile packets sent" "$hostile_total" "$n"
read -r out1 <<<"$(snmp "$(pod 2 a)" Udp OutDatagrams)"
read -r in1 err1 <<<"$(snmp "$(pod 1 a)" Udp InDatagrams InErrors)"
diag "UDP flow: $((out1 - out0)) datagrams sent, $((in1 - in0)) received, $((err1 - err0)) receive errors"
like "... a UDP flow from pod 2a crossed during the flood" "$((out1 - out0))" '^[1-9][0-9]+$'
is "... and pod 1a received every datagram of it" "$((in1 - in0)) $((err1 - err0))" "$((out1 - out0)) 0"

stop_captures
pnpcap -p "$tmp/pod.pcap" >"$tmp/pod.txt"
is "the capture in pod 1a: every control packet, no hostile one (port 10 / 9)" \
	"$(awk '$9 == 10 { c++ } $9 == 9 { h++ } END { print c + 0, h + 0 }' "$tmp/pod.txt")" "$control 0"

phase after
ok "pods still reach each other" pnping "$(pod 2 a),$(podv4 1 a)" "$(pod 2 a),$(podv6 1 a)"
topo_exit
trap - EXIT
pn_cleanup
unloaded() { modprobe -r podnet 2>/dev/null; }
ok "then the module unloads (nothing holds it)" wait_for 20 unloaded
phase end

done_testing
