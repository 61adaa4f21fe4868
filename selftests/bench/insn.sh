#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# insn.sh: guest instructions per packet (issue 16), counted by the
# insncount TCG plugin (selftests/bench/tcg/insncount.c) in a window that
# two marker instructions (xchg %bx,%bx) delimit.  The contenders, native,
# vxlan (as flanneld programs it), podnet (encap vxlan) and gpe (podnet,
# encap gpe), share one topology: selftests/bench/contenders.sh.
# One window: tcg/udpwin.c sends N (default 20,000) datagrams of 64 payload
# bytes from pod 1 to pod 2 between the two markers, and reads them back in
# the same process; instructions per packet = the window's count / the
# datagrams received.  Each window is followed by the same one with the
# underlay bridge dropping node 1's packets (its port disabled): the
# sending side alone, per datagram sent; the receiving side is the
# difference.  Contenders interleaved (the order rotates every round), 7
# rounds; medians, min-max and spread ((max - min) / median), ratios
# podnet/vxlan and podnet/native (gpe likewise), and the overlay tax (contender -
# native) ratio podnet/vxlan; for all instructions, kernel-mode only, the
# module area (veth, bridge, vxlan, udp_tunnel, podnet: loadable modules on
# Debian) and user mode.  Then the scale curve: podnet's whole path and
# sending side with 1, 1k, 10k and 100k prefixes in both nodes' tables (the
# pod's /24 plus fake nodes' /24s), 3 rounds each, instructions per packet
# and the window's packet rate.  Before the scale curve, TCP: one stream
# of TCP_BYTES (16 MiB) pod 1 -> pod 2 per window (tcg/tcpwin.c: the same
# one-process design), each contender, 7 rounds rotating (now and then a
# receiver sends half the ACKs, 7% fewer instructions: docs/performance.md);
# instructions per KiB received and the overlay tax ratio.  Needs the plugin loaded with
# out=<results dir>/insncount.log and -smp 1 (selftests/bench.sh does it;
# the guest reads that log at /run/podnet/insncount.log, the results
# share, which is not cached); without it the file skips.  By hand:
#   selftests/bench/tcg/build.sh   # prints the plugin's path
#   PODNET_VM_SMP=1 PODNET_VM_QEMU_ARGS="-plugin SO,out=$PWD/build/vm/VER/insncount.log" \
#     selftests/vm/run.sh 6.12 selftests/bench/insn.sh
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/bench/lib.sh"

LOG=/run/podnet/insncount.log
BIN=$PODNET_ROOT/build/bench
NPKT=${BENCH_PACKETS:-20000}
ROUNDS=${BENCH_ROUNDS:-7}
SIZE=64
SCALES=${BENCH_SCALES:-1 1000 10000 100000}
SCALE_ROUNDS=${BENCH_SCALE_ROUNDS:-3}
TCP_BYTES=${BENCH_TCP_BYTES:-16777216}
TCP_ROUNDS=${BENCH_TCP_ROUNDS:-7}

if ! grep -q '^insncount ' "$LOG" 2>/dev/null; then
	skip "instructions per packet" "no insncount plugin log at $LOG (run through selftests/bench.sh)"
	done_testing
	exit
fi
if ! [ -x "$BIN/udpwin" ] || ! [ -x "$BIN/tcpwin" ] || ! [ -x "$BIN/marker" ]; then
	echo "Bail out! $BIN/udpwin, tcpwin or marker missing (selftests/bench/tcg/build.sh)"
	exit 1
fi

. "$PODNET_ROOT/selftests/bench/contenders.sh"

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
nc=${#all[@]}
# measure KEY CONTENDER: one whole-path and one sending-side window of
# CONTENDER, recorded under KEY; appends to $line.
measure() {
	local key=$1 c=$2 out sent got t k m u ns tsent tgot tt tk
	if ! out=$(window "$c" "$NPKT"); then
		_tap_result not-ok "round $r $key: window measured" "$out"
		return
	fi
	read -r sent got t k m u ns <<<"$out"
	[ "$got" -gt 0 ] || { _tap_result not-ok "round $r $key: nothing received"; return; }
	drop on
	out=$(window "$c" "$NPKT" tx) || out=
	drop off
	read -r tsent tgot tt tk _ <<<"$out"
	if [ -z "$out" ] || [ "$tgot" != 0 ] || [ "$tsent" -le 0 ]; then
		_tap_result not-ok "round $r $key: sending-side window measured" "$out"
		return
	fi
	V[tot.$key]+="$(per "$t" "$got") " V[ker.$key]+="$(per "$k" "$got") "
	V[mod.$key]+="$(per "$m" "$got") " V[usr.$key]+="$(per "$u" "$got") "
	V[txtot.$key]+="$(per "$tt" "$tsent") " V[txker.$key]+="$(per "$tk" "$tsent") "
	V[rxtot.$key]+="$(awk -v a="$t" -v b="$got" -v c="$tt" -v d="$tsent" 'BEGIN { printf "%.1f", a / b - c / d }') "
	V[rxker.$key]+="$(awk -v a="$k" -v b="$got" -v c="$tk" -v d="$tsent" 'BEGIN { printf "%.1f", a / b - c / d }') "
	V[secs.$key]+="$(awk -v ns="$ns" 'BEGIN { printf "%.3f", ns / 1e9 }') "
	V[pps.$key]+="$(awk -v g="$got" -v ns="$ns" 'BEGIN { printf "%.0f", g / (ns / 1e9) }') "
	rcv[$key]+="$got "
	line+=" $key $got/$sent rx $t insns, tx side $tt;"
}
for r in $(seq "$ROUNDS"); do
	s=$(((r - 1) % nc))
	line=""
	for i in $(seq 0 $((nc - 1))); do
		measure "${all[(s + i) % nc]}" "${all[(s + i) % nc]}"
	done
	diag "round $r:$line"
done
spin

cell() {	# METRIC CONTENDER: "median [min-max, spread%]"
	local md lo hi sp
	read -r md lo hi sp <<<"$(spread <<<"${V[$1.$2]:-}")"
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
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a - b }'; }
for o in podnet gpe; do
	for m in tot ker txtot rxtot; do
		p=$(median <<<"${V[$m.$o]:-}") v=$(median <<<"${V[$m.vxlan]:-}") n=$(median <<<"${V[$m.native]:-}")
		tp=$(minus "$p" "$n") tv=$(minus "$v" "$n")
		diag "$m: $o/vxlan $(ratio "$p" "$v"), $o/native $(ratio "$p" "$n"), vxlan/native $(ratio "$v" "$n"); overlay tax (contender - native): $o $tp, vxlan $tv, $o/vxlan $(ratio "$tp" "$tv")"
	done
done
# The same ratios within each round (its windows only): median and range.
mmr() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "median %.3f, range %.3f-%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'; }
read -ra X <<<"${V[tot.vxlan]:-}"
read -ra NA <<<"${V[tot.native]:-}"
for o in podnet gpe; do
	read -ra P <<<"${V[tot.$o]:-}"
	pv="" tax=""
	for ((i = 0; i < ${#P[@]} && i < ${#X[@]} && i < ${#NA[@]}; i++)); do
		pv+="$(awk -v p="${P[i]}" -v v="${X[i]}" 'BEGIN { printf "%.4f", p / v }') "
		tax+="$(awk -v p="${P[i]}" -v v="${X[i]}" -v n="${NA[i]}" 'BEGIN { printf "%.4f", (p - n) / (v - n) }') "
	done
	diag "per round, whole path: $o/vxlan $pv-> $(mmr <<<"$pv")"
	diag "per round, overlay tax $o/vxlan $tax-> $(mmr <<<"$tax")"
done
read -r bgmed bglo bghi _ <<<"$(spread <<<"$bg")"
# Machine-readable medians for selftests/bench/report.sh: "data insn
# CONTENDER whole send receive kernel module" and their spreads (%).
for c in $CONTENDERS; do
	d="data insn $c"
	for m in tot txtot rxtot ker mod; do d+=" $(median <<<"${V[$m.$c]:-}")"; done
	for m in tot txtot rxtot; do d+=" $(spread <<<"${V[$m.$c]:-}" | cut -d' ' -f4)"; done
	diag "$d"
done
diag "background: $bgmed [$bglo-$bghi] kernel instructions per second beside a user-mode loop (3 windows of 2 s)"
for c in $CONTENDERS; do
	read -r smed slo shi _ <<<"$(tr ' ' '\n' <<<"${V[secs.$c]:-}" | grep . | sort -g | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[int((NR + 1) / 2)], a[1], a[NR] }')"
	diag "$c: whole-path window $smed s [$slo-$shi]; background in it about $(awk -v r="$bgmed" -v s="$smed" -v n="$NPKT" 'BEGIN { printf "%.0f", r * s / n }') instructions per packet"
done

# TCP: tcpwin's window per contender; V[tcp.C] and V[tcpker.C]:
# instructions per KiB received, all and kernel mode; V[tcpmbit.C] the
# window's rate.
tcpwindow() {	# CONTENDER: "bytes total kernel modules user ns polls segs acks", or why not
	local c=$1 before out got ns polls segs acks
	before=$(nmarkers)
	out=$("$BIN/tcpwin" pnp1a "$(addr "$c" 1)" pnp2a "$(addr "$c" 2)" 5002 "$TCP_BYTES" 2>&1) || {
		echo "$c: tcpwin failed: $out"
		return 1
	}
	read -r _ got _ ns _ polls _ segs _ acks _ <<<"$out"
	if [ "$(nmarkers)" != $((before + 2)) ]; then
		echo "$c: expected 2 new markers, the log has $(($(nmarkers) - before)) ($out)"
		return 1
	fi
	echo "$got $(delta) $ns $polls $segs $acks"
}
for r in $(seq "$TCP_ROUNDS"); do
	s=$(((r - 1) % nc))
	line=""
	for i in $(seq 0 $((nc - 1))); do
		c=${all[(s + i) % nc]}
		if ! out=$(tcpwindow "$c"); then
			_tap_result not-ok "TCP round $r $c: window measured" "$out"
			continue
		fi
		read -r got t k _ _ ns polls segs acks <<<"$out"
		V[tcp.$c]+="$(per "$t" $((got / 1024))) " V[tcpker.$c]+="$(per "$k" $((got / 1024))) "
		V[tcpmbit.$c]+="$(awk -v b="$got" -v ns="$ns" 'BEGIN { printf "%.0f", b * 8 / ns * 1000 }') "
		rcv[tcp$c]+="$got "
		line+=" $c $got bytes, $t insns, $segs segments, $acks ACKs, $polls polls;"
	done
	diag "TCP round $r:$line"
done
table "TCP, one stream of $TCP_BYTES bytes, instructions per KiB received, medians of $TCP_ROUNDS rounds (tcp: all, tcpker: kernel mode):" tcp tcpker
for c in $CONTENDERS; do
	ok "$c: $TCP_ROUNDS TCP windows measured, every byte received" \
		test "$(tr ' ' '\n' <<<"${rcv[tcp$c]:-}" | grep -c "^$TCP_BYTES\$")" = "$TCP_ROUNDS"
done
for o in podnet gpe; do
	p=$(median <<<"${V[tcp.$o]:-}") v=$(median <<<"${V[tcp.vxlan]:-}") n=$(median <<<"${V[tcp.native]:-}")
	tp=$(minus "$p" "$n") tv=$(minus "$v" "$n")
	diag "tcp: $o/vxlan $(ratio "$p" "$v"), $o/native $(ratio "$p" "$n"), vxlan/native $(ratio "$v" "$n"); overlay tax per KiB: $o $tp, vxlan $tv, $o/vxlan $(ratio "$tp" "$tv")"
done
# "data tcpinsn CONTENDER per-KiB spread% Mbit/s" (the rate: TCG's, of the window)
for c in $CONTENDERS; do
	diag "data tcpinsn $c $(median <<<"${V[tcp.$c]:-}") $(spread <<<"${V[tcp.$c]:-}" | cut -d' ' -f4) $(median <<<"${V[tcpmbit.$c]:-}")"
done

# The scale curve: both nodes' podnet0 tables hold the pod /24 of the other
# node plus fake nodes' /24s (11.0.0.0/7 + i * 256, endpoints 100.64/10:
# nothing is sent to them), N prefixes in all; podnet's windows at each N.
scale_file() {	# NODE N: podnet0's replace file with N prefixes
	peer_lines 4 "$1"
	awk -v n="$2" 'BEGIN { for (i = 1; i < n; i++)
		printf "remote 100.%d.%d.%d prefix %d.%d.%d.0/24\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256,
			11 + int(i / 65536), int(i / 256) % 256, i % 256 }'
}
for sc in $SCALES; do
	for n in 1 2; do
		scale_file "$n" "$sc" >"$tmp/scale$n"
		in_node "$n" podnetctl peer replace dev podnet0 file "$tmp/scale$n" ||
			_tap_result not-ok "scale $sc: node $n's table replaced"
	done
	np=$(in_node 1 podnetctl -j show dev podnet0 | jget '.[0].num_prefixes')
	# peer_lines adds the other node's /64 too: N v4 prefixes, 1 v6.
	is "scale $sc: node 1's podnet0 holds $sc IPv4 prefixes and the pod /64" "$np" $((sc + 1))
	for r in $(seq "$SCALE_ROUNDS"); do
		line=""
		measure "scale$sc" podnet
		diag "scale $sc, round $r:$line"
	done
done
diag "scale curve: podnet (encap vxlan) with N prefixes in both tables, medians of $SCALE_ROUNDS rounds"
diag "$(printf '%-8s  %-26s  %-26s  %-26s  %s' prefixes 'whole path' 'sending side' 'receiving side' 'packets/s (TCG, window)')"
base=""
for sc in $SCALES; do
	t=$(median <<<"${V[tot.scale$sc]:-}")
	[ -n "$base" ] || base=$t
	diag "$(printf '%-8s  %-26s  %-26s  %-26s  %s (%s of the first)' "$sc" "$(cell tot "scale$sc")" "$(cell txtot "scale$sc")" \
		"$(cell rxtot "scale$sc")" "$(median <<<"${V[pps.scale$sc]:-}")" "$(ratio "$t" "$base")")"
done
# "data scale PREFIXES whole send receive packets/s"
for sc in $SCALES; do
	diag "data scale $sc $(median <<<"${V[tot.scale$sc]:-}") $(median <<<"${V[txtot.scale$sc]:-}") $(median <<<"${V[rxtot.scale$sc]:-}") $(median <<<"${V[pps.scale$sc]:-}")"
done
pn_cleanup
done_testing
