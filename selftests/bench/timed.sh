#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timed.sh: the timed measures of issue 16 for the contenders of
# selftests/bench/contenders.sh (native, vxlan as flanneld programs it,
# podnet encap vxlan, podnet encap gpe), pod 1 -> pod 2, in a boot without
# the instruction counter:
#   tcp1, tcp4  iperf3 TCP throughput with 1 and 4 streams (Mbit/s received,
#               BENCH_SECS seconds each, default 3);
#   pps         64-byte UDP datagrams received per second: tcg/udpwin sending
#               20,000 and reading them back, its window's length;
#   rtt         request/response latency: the mean ICMP echo round trip of
#               200 pings 5 ms apart (µs).
# Contenders interleaved, the order rotating every round, BENCH_ROUNDS
# (default 5) rounds; medians [min-max, spread], ratios podnet/vxlan,
# gpe/vxlan and podnet/native.  Under TCG these times vary by tens of
# percent between runs (docs/performance.md): the instruction counts of
# insn.sh are the measure; these are the ones a user would take.
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/bench/lib.sh"

BIN=$PODNET_ROOT/build/bench
ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECS:-3}
NPKT=20000

[ -x "$BIN/udpwin" ] || { echo "Bail out! $BIN/udpwin missing (selftests/bench/tcg/build.sh)"; exit 1; }
. "$PODNET_ROOT/selftests/bench/contenders.sh"
diag "kernel $PODNET_KVER, $(nproc) CPU(s), $ROUNDS rounds, TCP runs of $SECS s"

declare -A V
tcp() {	# CONTENDER STREAMS: Mbit/s received
	iperf_server 2 a 5201 -1 || return 1
	in_pod 1 a iperf3 -c "$(addr "$1" 2)" -B "$(addr "$1" 1)" -t "$SECS" -P "$2" -J |
		jget '.end.sum_received.bits_per_second / 1e6 | round'
}
pps() {	# CONTENDER: datagrams received per second
	local out got ns
	out=$("$BIN/udpwin" pnp1a "$(addr "$1" 1)" pnp2a "$(addr "$1" 2)" 5001 $NPKT 64 200) || return 1
	read -r _ _ _ got _ _ _ _ _ ns _ <<<"$out"
	[ "$got" = $NPKT ] || return 1
	awk -v g="$got" -v ns="$ns" 'BEGIN { printf "%.0f", g / (ns / 1e9) }'
}
rtt() {	# CONTENDER: mean round trip in µs
	in_pod 1 a ping -q -n -c 200 -i 0.005 -W 2 -I "$(addr "$1" 1)" "$(addr "$1" 2)" |
		awk -F/ '/ 0% packet loss/ { whole = 1 } /^rtt/ && whole { printf "%.0f", $5 * 1000 }'
}

all=($CONTENDERS)
nc=${#all[@]}
declare -A tx0
for c in $CONTENDERS; do tx0[$c]=$(devstat 1 "$(txdev "$c")" tx_bytes); done
for r in $(seq "$ROUNDS"); do
	s=$(((r - 1) % nc))
	line=""
	for i in $(seq 0 $((nc - 1))); do
		c=${all[(s + i) % nc]}
		for m in tcp1 tcp4 pps rtt; do
			case $m in
			tcp1) v=$(tcp "$c" 1) ;;
			tcp4) v=$(tcp "$c" 4) ;;
			*) v=$($m "$c") ;;
			esac
			if [[ $v =~ ^[0-9]+$ ]]; then
				V[$m.$c]+="$v "
			else
				_tap_result not-ok "round $r: $m of $c measured" "got '$v'"
			fi
		done
		line+=" $c"
		for m in tcp1 tcp4 pps rtt; do v=${V[$m.$c]:-} v=${v% }; line+=" ${v##* }"; done
		line+=";"
	done
	diag "round $r:$line"
done

for c in $CONTENDERS; do
	d=$(txdev "$c")
	b=$(($(devstat 1 "$d" tx_bytes) - tx0[$c]))
	ok "$c: $ROUNDS rounds of every measure, through $d ($b bytes)" \
		test "$(wc -w <<<"${V[tcp1.$c]:-} ${V[tcp4.$c]:-} ${V[pps.$c]:-} ${V[rtt.$c]:-}")" = $((4 * ROUNDS)) \
		-a "$b" -gt 1000000
done
diag "timed, medians of $ROUNDS rounds [min-max, spread = (max-min)/median], kernel $PODNET_KVER under TCG"
diag "$(printf '%-8s  %-26s  %-26s  %-26s  %s' contender 'TCP 1 stream, Mbit/s' 'TCP 4 streams, Mbit/s' '64 B UDP, packets/s' 'ICMP echo RTT, us')"
for c in $CONTENDERS; do
	row=$(printf '%-8s' "$c")
	for m in tcp1 tcp4 pps rtt; do
		read -r md lo hi sp <<<"$(spread <<<"${V[$m.$c]:-}")"
		row+=$(printf '  %-26s' "$md [$lo-$hi, $sp%]")
	done
	diag "$row"
done
# "data timed CONTENDER tcp1 tcp4 pps rtt" (medians) for selftests/bench/report.sh.
for c in $CONTENDERS; do
	d="data timed $c"
	for m in tcp1 tcp4 pps rtt; do d+=" $(median <<<"${V[$m.$c]:-}")"; done
	diag "$d"
done
for m in tcp1 tcp4 pps rtt; do
	n=$(median <<<"${V[$m.native]:-}") v=$(median <<<"${V[$m.vxlan]:-}")
	p=$(median <<<"${V[$m.podnet]:-}") g=$(median <<<"${V[$m.gpe]:-}")
	diag "$m: podnet/vxlan $(ratio "$p" "$v"), gpe/vxlan $(ratio "$g" "$v"), podnet/native $(ratio "$p" "$n"), gpe/native $(ratio "$g" "$n"), vxlan/native $(ratio "$v" "$n")"
done
pn_cleanup
done_testing
