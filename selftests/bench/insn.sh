#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# insn.sh: guest instructions per packet (issue 16), counted by the
# insncount TCG plugin (selftests/bench/tcg/insncount.c) in a window that
# two marker instructions (xchg %bx,%bx) delimit.  One topology for every
# contender: two nodes (pnn1, pnn2) on the veth/bridge underlay, one pod
# each (pnp1a, pnp2a) behind a routed veth; the pods carry one address per
# contender, so the same pods and veths serve all three:
#   native  10.246.N.10: plain routing, the node routes 10.246.M.0/24 via
#           the other node's underlay address (the limit);
#   vxlan   10.245.N.10: flannel.1 as flanneld programs it: VNI 1, port
#           8472, `dev eth0 local NODE`, nolearning, MTU 1450, a /32
#           address, per remote node a permanent neighbour, a permanent
#           FDB entry and an onlink route;
#   podnet  10.244.N.10: podnet0, encap vxlan (the only mode), MTU 1450,
#           one peer per remote node; port 4789, since flannel.1 holds
#           8472 (podnet's default) in the same namespace.
# One window: tcg/udpwin.c sends N (default 20,000) datagrams of 64 payload
# bytes from pod 1 to pod 2 between the two markers, and reads them back in
# the same process; instructions per packet = the window's count / the
# datagrams received.  Each window is followed by the same one with the
# underlay bridge dropping node 1's packets (its port disabled): the
# sending side alone, per datagram sent; the receiving side is the
# difference.  Every neighbour entry is permanent (see below).  Contenders
# interleaved (the order rotates every round), 7 rounds; medians, min-max and spread ((max - min) / median),
# ratios podnet/vxlan and podnet/native, and the overlay tax (contender -
# native) ratio podnet/vxlan; for all instructions, kernel-mode only, the
# module area (veth, bridge, vxlan, udp_tunnel, podnet: loadable modules on
# Debian) and user mode.  Needs the plugin loaded with
# out=<results dir>/insncount.log and -smp 1 (selftests/bench.sh does it;
# the guest reads that log at /run/podnet/insncount.log, the results
# share, which is not cached); without it the file skips.  By hand:
#   selftests/bench/tcg/build.sh   # prints the plugin's path
#   PODNET_VM_SMP=1 PODNET_VM_QEMU_ARGS="-plugin SO,out=$PWD/build/vm/VER/insncount.log" \
#     selftests/vm/run.sh 6.12 selftests/bench/insn.sh
. "$PODNET_ROOT/selftests/lib.sh"

LOG=/run/podnet/insncount.log
BIN=$PODNET_ROOT/build/bench
NPKT=${BENCH_PACKETS:-20000}
ROUNDS=${BENCH_ROUNDS:-7}
SIZE=64
CONTENDERS="native vxlan podnet"

if ! grep -q '^insncount ' "$LOG" 2>/dev/null; then
	skip "instructions per packet" "no insncount plugin log at $LOG (run through selftests/bench.sh)"
	done_testing
	exit
fi
if ! [ -x "$BIN/udpwin" ] || ! [ -x "$BIN/marker" ]; then
	echo "Bail out! $BIN/udpwin or marker missing (selftests/bench/tcg/build.sh)"
	exit 1
fi

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
PODS=a
topo_up port 4789
peers 4 || { echo "Bail out! podnet peers"; pn_cleanup; exit 1; }
for n in 1 2; do
	in_node "$n" ip -batch - <<-EOF
	link set podnet0 mtu 1450
	link add flannel.1 type vxlan id 1 dstport 8472 local $(v4 "$n") dev eth0 nolearning
	link set flannel.1 mtu 1450 up
	addr add 10.245.$n.0/32 dev flannel.1
	route add 10.245.$n.10/32 dev va
	route add 10.246.$n.10/32 dev va
	EOF
	in_pod "$n" a ip -batch - <<-EOF
	addr add 10.245.$n.10/32 dev eth0
	addr add 10.246.$n.10/32 dev eth0
	EOF
done
for n in 1 2; do
	m=$((3 - n))
	mac=$(in_node "$m" ip -j link show flannel.1 | jget '.[0].address')
	in_node "$n" ip -batch - <<-EOF
	neigh add 10.245.$m.0 lladdr $mac dev flannel.1 nud permanent
	route add 10.245.$m.0/24 via 10.245.$m.0 dev flannel.1 onlink
	route add 10.246.$m.0/24 via $(v4 "$m") dev eth0
	EOF
	in_node "$n" bridge fdb replace "$mac" dev flannel.1 dst "$(v4 "$m")" self permanent
done
# Every other neighbour permanent too, the same for all contenders: with
# one-way UDP nothing confirms an entry, so it would go stale and be
# probed again every 15-45 s, inside some windows and not others.
for n in 1 2; do
	m=$((3 - n))
	umac=$(in_node "$m" ip -j link show eth0 | jget '.[0].address')
	vmac=$(in_node "$n" ip -j link show va | jget '.[0].address')
	pmac=$(in_pod "$n" a ip -j link show eth0 | jget '.[0].address')
	in_node "$n" ip -batch - <<-EOF
	neigh replace $(v4 "$m") lladdr $umac dev eth0 nud permanent
	neigh replace 10.244.$n.10 lladdr $pmac dev va nud permanent
	neigh replace 10.245.$n.10 lladdr $pmac dev va nud permanent
	neigh replace 10.246.$n.10 lladdr $pmac dev va nud permanent
	EOF
	in_pod "$n" a ip neigh replace 169.254.1.1 lladdr "$vmac" dev eth0 nud permanent
done
addr() { case $1 in native) echo "10.246.$2.10" ;; vxlan) echo "10.245.$2.10" ;; podnet) echo "10.244.$2.10" ;; esac; }
# The device a contender's packets leave node 1 by.
txdev() { case $1 in native) echo eth0 ;; vxlan) echo flannel.1 ;; podnet) echo podnet0 ;; esac; }
# drop on|off: the underlay bridge drops what node 1 sends (its port u1
# disabled), so that a window counts the sending side alone.
drop() {
	in_ns $U bridge link set dev u1 state "$([ "$1" = on ] && echo 0 || echo 3)"
}

# markers: the marker lines of this boot's plugin log (after its last
# header: a boot run.sh repeated appends to the same file).
markers() { awk '/^insncount / { n = 0; delete m } /^marker / { m[++n] = $0 } END { for (i = 1; i <= n; i++) print m[i] }' "$LOG"; }
nmarkers() { markers | wc -l; }
# delta: "total kernel modules user" between the last two markers.
delta() {
	markers | tail -n 2 | awk '{ for (i = 8; i <= 14; i += 2) v[NR, i] = $i }
		END { printf "%.0f %.0f %.0f %.0f\n", v[2, 8] - v[1, 8], v[2, 10] - v[1, 10], v[2, 12] - v[1, 12], v[2, 14] - v[1, 14] }'
}

diag "kernel $PODNET_KVER, $(nproc) CPU(s), $NPKT datagrams of $SIZE bytes per window, $ROUNDS rounds"
diag "plugin: $(grep '^insncount ' "$LOG" | tail -n 1)"
mods=$(awk '$1 ~ /^(podnet|vxlan|veth|bridge|udp_tunnel)$/ { printf "%s%s@%s", s, $1, $6; s = " " }' /proc/modules)
diag "modules (the plugin's module area must hold them): $mods"
# For the plugin's profile= (TB addresses to symbols), into the results share.
cat /proc/kallsyms >/run/podnet/kallsyms 2>/dev/null

# The plugin sees the marker: one run of tcg/marker adds one line.
m0=$(nmarkers)
"$BIN/marker"
is "the plugin counts a marker executed in the guest" "$(nmarkers)" $((m0 + 1))

# window CONTENDER NPKT [tx]: one window; prints
# "sent received total kernel modules user ns" or, failing, why.
window() {
	local c=$1 n=$2 before out sent got ns
	before=$(nmarkers)
	out=$("$BIN/udpwin" pnp1a "$(addr "$c" 1)" pnp2a "$(addr "$c" 2)" 5001 "$n" $SIZE 200 ${3:-} 2>&1) || {
		echo "$c: udpwin failed: $out"
		return 1
	}
	read -r _ sent _ got _ _ _ _ _ ns _ <<<"$out"
	if [ "$(nmarkers)" != $((before + 2)) ]; then
		echo "$c: expected 2 new markers, the log has $(($(nmarkers) - before)) ($out)"
		return 1
	fi
	echo "$sent $got $(delta) $ns"
}

# Each contender's path works and its packets take its device; with the
# drop on, none arrives.
for c in $CONTENDERS; do
	d=$(txdev "$c")
	t0=$(devstat 1 "$d" tx_packets)
	r=$(window "$c" 200) || { diag "$r"; r=; }
	t1=$(devstat 1 "$d" tx_packets)
	read -r _ got _ <<<"$r"
	ok "$c: 200 datagrams pod 1 -> pod 2 arrive, through $d ($((t1 - t0)) packets)" \
		test "${got:-0}" = 200 -a $((t1 - t0)) -ge 200
	drop on
	r=$(window "$c" 200 tx) || { diag "$r"; r=; }
	drop off
	read -r sent got _ <<<"$r"
	is "$c: with the underlay's drop on, 200 sent and none arrives" "${sent:-?} ${got:-?}" "200 0"
done
# The empty window: what the markers and udpwin's drain cost around nothing.
read -r _ _ empty _ <<<"$(window native 0)"
diag "empty window (0 datagrams): $empty instructions"

# spin: the kernel instructions per second of guest time beside a task
# that only runs in user mode (udpwin spin: timer ticks and the like),
# which every window holds too, in proportion to its length.
bg=""
spin() {
	local before out ns k
	before=$(nmarkers)
	out=$("$BIN/udpwin" spin 2000) || return 1
	[ "$(nmarkers)" = $((before + 2)) ] || return 1
	read -r _ ns _ <<<"${out#spin }"
	read -r _ k _ <<<"$(delta)"
	bg+="$(awk -v k="$k" -v ns="$ns" 'BEGIN { printf "%.0f", k / (ns / 1e9) }') "
}
spin
spin

# V[metric.contender]: per-packet values, one per round, in round order.
# Metrics: tot ker mod usr (whole path, per datagram received), txtot
# txker (sending side, per datagram sent), rxtot rxker (whole minus
# sending side, the same round), secs (the whole window's seconds).
declare -A V rcv
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
all=($CONTENDERS)
for r in $(seq "$ROUNDS"); do
	s=$(((r - 1) % 3))
	order="${all[s]} ${all[(s + 1) % 3]} ${all[(s + 2) % 3]}"
	line=""
	for c in $order; do
		if ! out=$(window "$c" "$NPKT"); then
			_tap_result not-ok "round $r $c: window measured" "$out"
			continue
		fi
		read -r sent got t k m u ns <<<"$out"
		[ "$got" -gt 0 ] || { _tap_result not-ok "round $r $c: nothing received"; continue; }
		drop on
		out=$(window "$c" "$NPKT" tx) || out=
		drop off
		read -r tsent tgot tt tk _ <<<"$out"
		if [ -z "$out" ] || [ "$tgot" != 0 ] || [ "$tsent" -le 0 ]; then
			_tap_result not-ok "round $r $c: sending-side window measured" "$out"
			continue
		fi
		V[tot.$c]+="$(per "$t" "$got") " V[ker.$c]+="$(per "$k" "$got") "
		V[mod.$c]+="$(per "$m" "$got") " V[usr.$c]+="$(per "$u" "$got") "
		V[txtot.$c]+="$(per "$tt" "$tsent") " V[txker.$c]+="$(per "$tk" "$tsent") "
		V[rxtot.$c]+="$(awk -v a="$t" -v b="$got" -v c="$tt" -v d="$tsent" 'BEGIN { printf "%.1f", a / b - c / d }') "
		V[rxker.$c]+="$(awk -v a="$k" -v b="$got" -v c="$tk" -v d="$tsent" 'BEGIN { printf "%.1f", a / b - c / d }') "
		V[secs.$c]+="$(awk -v ns="$ns" 'BEGIN { printf "%.3f", ns / 1e9 }') "
		rcv[$c]+="$got "
		line+=" $c $got/$sent rx $t insns, tx side $tt;"
	done
	diag "round $r:$line"
done
spin

# stats LIST: "median min max spread%" of the numbers in LIST.
stats() {
	tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) { print "- - - -"; exit }
		med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.0f %.0f %.0f %.1f\n", med, a[1], a[NR], med ? 100 * (a[NR] - a[1]) / med : 0 }'
}
cell() {	# METRIC CONTENDER: "median [min-max, spread%]"
	local md lo hi sp
	read -r md lo hi sp <<<"$(stats <<<"${V[$1.$2]:-}")"
	echo "$md [$lo-$hi, ${sp}%]"
}
table() {	# TITLE METRIC...
	local title=$1 c m row
	shift
	diag "$title"
	row=$(printf '%-8s' contender)
	for m; do row+=$(printf '  %-26s' "$m"); done
	diag "$row"
	for c in $CONTENDERS; do
		row=$(printf '%-8s' "$c")
		for m; do row+=$(printf '  %-26s' "$(cell "$m" "$c")"); done
		diag "$row"
	done
}
diag "instructions per packet, medians of $ROUNDS rounds [min-max, spread = (max-min)/median]"
diag "(tot ker mod usr: the whole path pod 1 -> pod 2, all / kernel mode / module area / user mode, per datagram received;"
diag " txtot txker: the sending side alone, the underlay dropping node 1's packets; rxtot rxker: whole minus sending side)"
table "whole path:" tot ker mod usr
table "by side:" txtot txker rxtot rxker
for c in $CONTENDERS; do
	ok "$c: $ROUNDS rounds measured, every datagram received" \
		test "$(wc -w <<<"${rcv[$c]:-}")" = "$ROUNDS" -a \
		"$(tr ' ' '\n' <<<"${rcv[$c]:-}" | grep -c "^$NPKT\$")" = "$ROUNDS"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a - b }'; }
median() { stats | cut -d' ' -f1; }
for m in tot ker txtot rxtot; do
	p=$(median <<<"${V[$m.podnet]:-}") v=$(median <<<"${V[$m.vxlan]:-}") n=$(median <<<"${V[$m.native]:-}")
	tp=$(minus "$p" "$n") tv=$(minus "$v" "$n")
	diag "$m: podnet/vxlan $(ratio "$p" "$v"), podnet/native $(ratio "$p" "$n"), vxlan/native $(ratio "$v" "$n"); overlay tax (contender - native): podnet $tp, vxlan $tv, podnet/vxlan $(ratio "$tp" "$tv")"
done
# The same ratios within each round (its windows only): median and range.
mmr() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "median %.3f, range %.3f-%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'; }
read -ra P <<<"${V[tot.podnet]:-}"
read -ra X <<<"${V[tot.vxlan]:-}"
read -ra NA <<<"${V[tot.native]:-}"
pv="" tax=""
for ((i = 0; i < ${#P[@]} && i < ${#X[@]} && i < ${#NA[@]}; i++)); do
	pv+="$(awk -v p="${P[i]}" -v v="${X[i]}" 'BEGIN { printf "%.4f", p / v }') "
	tax+="$(awk -v p="${P[i]}" -v v="${X[i]}" -v n="${NA[i]}" 'BEGIN { printf "%.4f", (p - n) / (v - n) }') "
done
diag "per round, whole path: podnet/vxlan $pv-> $(mmr <<<"$pv")"
diag "per round, overlay tax podnet/vxlan $tax-> $(mmr <<<"$tax")"
read -r bgmed bglo bghi _ <<<"$(stats <<<"$bg")"
diag "background: $bgmed [$bglo-$bghi] kernel instructions per second beside a user-mode loop (3 windows of 2 s)"
for c in $CONTENDERS; do
	read -r smed slo shi _ <<<"$(tr ' ' '\n' <<<"${V[secs.$c]:-}" | grep . | sort -g | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[int((NR + 1) / 2)], a[1], a[NR] }')"
	diag "$c: whole-path window $smed s [$slo-$shi]; background in it about $(awk -v r="$bgmed" -v s="$smed" -v n="$NPKT" 'BEGIN { printf "%.0f", r * s / n }') instructions per packet"
done
pn_cleanup
done_testing
