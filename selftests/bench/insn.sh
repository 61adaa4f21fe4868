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
# datagrams received.  Contenders interleaved (the order rotates every
# round), 7 rounds; medians, min-max and spread ((max - min) / median),
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
topo_setup port 4789 || { echo "Bail out! topology setup failed"; pn_cleanup; exit 1; }
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
	in_node "$n" bridge fdb append "$mac" dev flannel.1 dst "$(v4 "$m")" self permanent
done
addr() { case $1 in native) echo "10.246.$2.10" ;; vxlan) echo "10.245.$2.10" ;; podnet) echo "10.244.$2.10" ;; esac; }
# The device a contender's packets leave node 1 by, and its tx_packets.
txdev() { case $1 in native) echo eth0 ;; vxlan) echo flannel.1 ;; podnet) echo podnet0 ;; esac; }

# markers: the marker lines of this boot's plugin log (after its last
# header: a boot run.sh repeated appends to the same file).
markers() { awk '/^insncount / { n = 0; delete m } /^marker / { m[++n] = $0 } END { for (i = 1; i <= n; i++) print m[i] }' "$LOG"; }
nmarkers() { markers | wc -l; }

diag "kernel $PODNET_KVER, $(nproc) CPU(s), $NPKT datagrams of $SIZE bytes per window, $ROUNDS rounds"
diag "plugin: $(grep '^insncount ' "$LOG" | tail -n 1)"
mods=$(awk '$1 ~ /^(podnet|vxlan|veth|bridge|udp_tunnel)$/ { printf "%s%s@%s", s, $1, $6; s = " " }' /proc/modules)
diag "modules (the plugin's module area must hold them): $mods"

# The plugin sees the marker: one run of tcg/marker adds one line.
m0=$(nmarkers)
"$BIN/marker"
is "the plugin counts a marker executed in the guest" "$(nmarkers)" $((m0 + 1))

# window CONTENDER NPKT: runs one window; prints
# "received total kernel modules user" (the window's counts) or fails.
window() {
	local c=$1 n=$2 before out sent got a b
	before=$(nmarkers)
	out=$("$BIN/udpwin" pnp1a "$(addr "$c" 1)" pnp2a "$(addr "$c" 2)" 5001 "$n" $SIZE 2>&1) || {
		echo "$c: udpwin failed: $out"
		return 1
	}
	read -r _ sent _ got _ _ _ _ _ ns _ <<<"$out"
	if [ "$(nmarkers)" != $((before + 2)) ]; then
		echo "$c: expected 2 new markers, the log has $(($(nmarkers) - before)) ($out)"
		return 1
	fi
	a=$(markers | tail -n 2 | head -n 1) b=$(markers | tail -n 1)
	awk -v a="$a" -v b="$b" -v got="$got" -v sent="$sent" -v ns="$ns" 'BEGIN {
		split(a, x); split(b, y)
		# fields: marker SEQ vcpu V pc PC total T kernel K modules M user U
		printf "%d %d %.0f %.0f %.0f %.0f %d\n", sent, got, y[8] - x[8], y[10] - x[10], y[12] - x[12], y[14] - x[14], ns }'
}

# Each contender's path works, and its packets take its device.
for c in $CONTENDERS; do
	d=$(txdev "$c")
	t0=$(devstat 1 "$d" tx_packets)
	r=$(window "$c" 200) || { diag "$r"; r=; }
	t1=$(devstat 1 "$d" tx_packets)
	read -r _ got _ <<<"$r"
	ok "$c: 200 datagrams pod 1 -> pod 2 arrive, through $d ($((t1 - t0)) packets)" \
		test "${got:-0}" = 200 -a $((t1 - t0)) -ge 200
done
# spin: the kernel instructions per second of guest time beside a task
# that only runs in user mode (udpwin spin: timer ticks and the like),
# which every window holds too, in proportion to its length.
bg=""
spin() {
	local before=$(nmarkers) out a b
	out=$("$BIN/udpwin" spin 2000) || return 1
	[ "$(nmarkers)" = $((before + 2)) ] || return 1
	a=$(markers | tail -n 2 | head -n 1) b=$(markers | tail -n 1)
	bg+="$(awk -v a="$a" -v b="$b" -v o="$out" 'BEGIN { split(a, x); split(b, y); split(o, z)
		printf "%.0f", (y[10] - x[10]) / (z[3] / 1e9) }') "
}
spin
spin
# The empty window: what the markers and udpwin's drain cost around nothing.
r=$(window native 0)
read -r _ _ empty _ <<<"$r"
diag "empty window (0 datagrams): $empty instructions"

declare -A tot ker mod usr rcv secs
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
		tot[$c]+="$(awk -v t="$t" -v g="$got" 'BEGIN { printf "%.1f", t / g }') "
		ker[$c]+="$(awk -v t="$k" -v g="$got" 'BEGIN { printf "%.1f", t / g }') "
		mod[$c]+="$(awk -v t="$m" -v g="$got" 'BEGIN { printf "%.1f", t / g }') "
		usr[$c]+="$(awk -v t="$u" -v g="$got" 'BEGIN { printf "%.1f", t / g }') "
		rcv[$c]+="$got "
		secs[$c]+="$(awk -v ns="$ns" 'BEGIN { printf "%.3f", ns / 1e9 }') "
		line+=" $c $got/$sent rx, $t insns;"
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
declare -A med
diag "instructions per packet, medians of $ROUNDS rounds [min-max, spread = (max-min)/median]:"
diag "$(printf '%-7s  %-25s  %-25s  %-25s  %-25s' contender total kernel "module area" user)"
for c in $CONTENDERS; do
	row=$(printf '%-7s' "$c")
	for what in tot ker mod usr; do
		declare -n lst=$what
		read -r md lo hi sp <<<"$(stats <<<"${lst[$c]:-}")"
		med[$what.$c]=$md
		row+=$(printf '  %-25s' "$md [$lo-$hi, ${sp}%]")
	done
	diag "$row"
	ok "$c: $ROUNDS rounds measured, every datagram received" \
		test "$(wc -w <<<"${rcv[$c]:-}")" = "$ROUNDS" -a \
		"$(tr ' ' '\n' <<<"${rcv[$c]:-}" | grep -c "^$NPKT\$")" = "$ROUNDS"
done
read -r bgmed bglo bghi _ <<<"$(stats <<<"$bg")"
diag "background: $bgmed [$bglo-$bghi] kernel instructions per second beside a user-mode loop (3 windows of 2 s)"
for c in $CONTENDERS; do
	read -r smed slo shi _ <<<"$(tr ' ' '\n' <<<"${secs[$c]:-}" | grep . | sort -g | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[int((NR + 1) / 2)], a[1], a[NR] }')"
	diag "$c: window $smed s [$slo-$shi]; background share about $(awk -v r="$bgmed" -v s="$smed" -v n="$NPKT" 'BEGIN { printf "%.0f", r * s / n }') instructions per packet"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a - b }'; }
for what in tot ker; do
	name=$([ $what = tot ] && echo "all instructions" || echo "kernel mode")
	p=${med[$what.podnet]} v=${med[$what.vxlan]} n=${med[$what.native]}
	tp=$(minus "$p" "$n") tv=$(minus "$v" "$n")
	diag "$name: podnet/vxlan $(ratio "$p" "$v"), podnet/native $(ratio "$p" "$n"), vxlan/native $(ratio "$v" "$n"); overlay tax (contender - native): podnet $tp, vxlan $tv, podnet/vxlan $(ratio "$tp" "$tv")"
done
# The same ratios within each round (its three windows): median and range.
read -ra P <<<"${tot[podnet]:-}"
read -ra V <<<"${tot[vxlan]:-}"
read -ra NA <<<"${tot[native]:-}"
pv="" tax=""
for ((i = 0; i < ${#P[@]} && i < ${#V[@]} && i < ${#NA[@]}; i++)); do
	pv+="$(awk -v p="${P[i]}" -v v="${V[i]}" 'BEGIN { printf "%.4f", p / v }') "
	tax+="$(awk -v p="${P[i]}" -v v="${V[i]}" -v n="${NA[i]}" 'BEGIN { printf "%.4f", (p - n) / (v - n) }') "
done
mmr() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "median %.3f, range %.3f-%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'; }
diag "per round, all instructions: podnet/vxlan $pv-> $(mmr <<<"$pv")"
diag "per round, overlay tax podnet/vxlan $tax-> $(mmr <<<"$tax")"
pn_cleanup
done_testing
