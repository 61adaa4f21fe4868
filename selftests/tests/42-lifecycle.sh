#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Changes under traffic: whole-table replaces during a TCP and a UDP
# iperf3 lose nothing for the prefixes they keep; deleting a device,
# deleting a netns and unloading the module while traffic flows leave no
# warning, no socket and no device behind.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
topo_setup || { echo "Bail out! topology setup failed"; pn_cleanup; exit 1; }
peers 4
ok "pods reach each other" all_pairs

tmp=$(mktemp -d)
trap 'kill $(cat "$tmp"/srv* 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
# txdrops NODE: every transmit drop of podnet0 on NODE, summed.
txdrops() {
	in_node "$1" podnetctl -j show dev podnet0 | $PY -c '
import json, sys
s = json.load(sys.stdin)[0]["stats"]
print(sum(v for k, v in s.items() if k.startswith("tx_drop")))'
}
gen() {
	in_node "$1" podnetctl -j show dev podnet0 |
		$PY -c 'import json, sys; print(json.load(sys.stdin)[0]["generation"])'
}

# --- whole-table replace under traffic ---------------------------------------
# Table A is node 1's usual table; table B keeps node 2's peer and prefixes,
# moves node 3 to its IPv6 endpoint with one more prefix, and adds a peer.
peer_lines 4 1 >"$tmp/a"
{
	echo "remote $(v4 2) prefix 10.244.2.0/24 prefix fd10:2::/64"
	echo "remote $(v6 3) prefix 10.244.3.0/24 prefix fd10:3::/64 prefix 10.244.33.0/24"
	echo "remote 192.168.99.77 prefix 10.244.77.0/24"
} >"$tmp/b"
in_pod 2 a iperf3 -s -1 -D -p 5201
in_pod 2 b iperf3 -s -1 -D -p 5202
sleep 1
drops=$(txdrops 1) gen0=$(gen 1) txp=$(sysfs 1 tx_packets)
in_pod 1 a iperf3 -c "$(podv4 2 a)" -p 5201 -t 5 -J >"$tmp/tcp.json" 2>&1 &
tcp=$!
in_pod 1 b iperf3 -c "$(podv4 2 b)" -p 5202 -u -b 1M -l 1000 -t 5 -J >"$tmp/udp.json" 2>&1 &
udp=$!
sleep 1
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	t=a
	[ $((i % 2)) = 1 ] && t=b
	in_node 1 podnetctl peer replace dev podnet0 file "$tmp/$t" || bad=$((bad + 1))
	sleep 0.2
done
wait $tcp
tcp_rc=$?
wait $udp
udp_rc=$?
is "ten replaces committed while iperf3 ran" "$bad $(($(gen 1) - gen0))" "0 10"
is "TCP iperf3 across the replaces completes" "$tcp_rc" 0
is "UDP iperf3 across the replaces completes" "$udp_rc" 0
res=$($PY - "$tmp/tcp.json" "$tmp/udp.json" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))["end"]
u = json.load(open(sys.argv[2]))["end"]["sum"]
print(t["sum_received"]["bytes"], t["sum_sent"].get("retransmits", 0),
      u["packets"], u["lost_packets"])
PYEOF
)
read -r tcp_bytes tcp_retr udp_pkts udp_lost <<<"$res"
diag "TCP: $tcp_bytes bytes, $tcp_retr retransmits; UDP: $udp_pkts datagrams, $udp_lost lost"
is "no UDP datagram lost for the unchanged prefix" "${udp_lost:-x}" 0
ok "... out of several hundred" test "${udp_pkts:-0}" -ge 400
is "podnet on node 1 dropped nothing while replacing" "$(txdrops 1)" "$drops"
diag "podnet0 on node 1 sent $(($(sysfs 1 tx_packets) - txp)) packets meanwhile"
in_node 1 podnetctl peer replace dev podnet0 file "$tmp/a"

# flows SECONDS SRC-NODE SRC-POD DST-NODE DST-POD...: UDP iperf3 floods in
# the background (servers on port 5301 in the destination pods).
flows=()
flows() {
	local t=$1
	shift
	while [ $# -ge 4 ]; do
		[ -e "$tmp/srv$3$4" ] ||
			in_pod "$3" "$4" iperf3 -s -D -p 5301 -I "$tmp/srv$3$4"
		sleep 0.5
		in_pod "$1" "$2" iperf3 -c "$(podv4 "$3" "$4")" -p 5301 -u -b 50M -l 1200 \
			-t "$t" >/dev/null 2>&1 &
		flows+=($!)
		shift 4
	done
	sleep 2
}
stop_flows() {
	kill "${flows[@]}" 2>/dev/null
	wait "${flows[@]}" 2>/dev/null
	flows=()
}
# no_sockets NS: no UDP socket left on the podnet port.
no_sockets() { [ -z "$(ip netns exec "$1" ss -Huan 'sport = :8472')" ]; }

# --- device deletion while traffic flows both ways ---------------------------
flows 8 1 a 3 a 3 b 1 b
rx3=$(sysfs 3 rx_packets) tx3=$(sysfs 3 tx_packets)
diag "node 3 podnet0 so far: $rx3 received, $tx3 sent"
ok "traffic flows through node 3's podnet0 both ways" test "$rx3" -gt 0 -a "$tx3" -gt 0
ok "deleting node 3's podnet0 under traffic" timeout 20 ip -n "$(node 3)" link del podnet0
ok "... leaves no UDP socket" no_sockets "$(node 3)"
stop_flows

# --- netns deletion while traffic flows ----------------------------------------
ok "a new podnet0 on node 3" eval "in_node 3 pnlink add podnet0 &&
	ip -n $(node 3) link set podnet0 up &&
	ip -n $(node 3) route add 10.244.0.0/16 dev podnet0 &&
	peer_lines 4 3 | in_node 3 podnetctl peer replace dev podnet0"
flows 8 1 a 3 a 3 b 1 b
ok "traffic flows through it" test "$(sysfs 3 rx_packets)" -gt 0
ip netns del "$(node 3)"
for i in $(seq 40); do
	ip -n $U link show u3 >/dev/null 2>&1 || break
	sleep 0.5
done
fails "deleting node 3's netns under traffic completes (its underlay veth is gone)" \
	ip -n $U link show u3
stop_flows

# --- rmmod while traffic flows --------------------------------------------------
flows 8 1 a 2 a 2 b 1 b
ok "traffic flows between nodes 1 and 2" test "$(sysfs 2 rx_packets)" -gt 0 -a "$(sysfs 1 rx_packets)" -gt 0
ok "rmmod podnet under traffic" timeout 30 modprobe -r podnet
stop_flows
fails "... the module is gone" test -d /sys/module/podnet
fails "... and with it node 1's podnet0" ip -n "$(node 1)" link show podnet0
ok "... no UDP socket left on node 1 or 2" eval "no_sockets $(node 1) && no_sockets $(node 2)"
sleep 2
is "no device waited for its references" "$(dmesg | grep -c 'waiting for .* to become free')" 0
ok "the module loads again and makes a device" eval \
	"pn_load && in_node 1 pnlink add podnet0 && ip -n $(node 1) link set podnet0 up"

done_testing
