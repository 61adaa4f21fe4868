#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh [DIR]: the per-packet results of make bench as a document and
# charts.  DIR (default docs/performance) holds one directory per kernel
# (6.1, 6.12, 7.2) with what bench.sh saved from the guest's "data" lines:
#   insn.dat   "insn CONTENDER whole send receive kernel module sw% ss% sr%"
#   scale.dat  "scale PREFIXES whole send receive packets/s"
#   timed.dat  "timed CONTENDER tcp1 tcp4 pps rtt"
#   tcpinsn.dat "tcpinsn CONTENDER per-KiB spread% Mbit/s"
# and a first line "kernel VERSION DATE".  Writes, from whichever exist:
#   DIR/results.md   the tables, ratios and targets of issue 16
#   DIR/insn.tsv     kernels x contenders, whole-path instructions/packet
#   DIR/scale.tsv    prefixes x kernels, whole-path instructions/packet
#   DIR/timed.tsv    kernels x measures, podnet/vxlan and gpe/vxlan
#   DIR/*.png        charts drawn from the .tsv files (gnuplot, charts.gp)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../docs/performance}
cd "$dir"
kernels=$(for k in 6.1 6.12 7.2; do if [ -s "$k/insn.dat" ] || [ -s "$k/timed.dat" ]; then echo "$k"; fi; done)
[ -n "$kernels" ] || { echo "report.sh: no results in $dir" >&2; exit 1; }

# val K FILE KEY COL: column COL of the line of K/FILE whose 2nd word is KEY.
val() { awk -v k="$3" -v c="$4" '$2 == k { print $c; exit }' "$1/$2" 2>/dev/null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
tax() { awk -v p="$1" -v v="$2" -v n="$3" 'BEGIN { if (p == "" || v == "" || n == "" || v == n) print "-"; else printf "%.3f", (p - n) / (v - n) }'; }
num() {	# N with thousands separators, "-" if empty
	awk -v a="$1" 'BEGIN { if (a == "" || a == "-") { print "-"; exit }
		s = sprintf("%.0f", a); r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		print s r }'
}
kver() { awk '$1 == "kernel" { print $2, "(" $3 ")"; exit }' "$1/insn.dat" "$1/timed.dat" 2>/dev/null | head -n 1; }

{
echo "# make bench: per-packet results"
echo
echo "Written by \`selftests/bench/report.sh\` from the data in this directory"
echo "(one directory per kernel, saved by \`make bench\`); method and reading"
echo "in [../performance.md](../performance.md).  Under TCG, 1 vCPU for the"
echo "instruction counts, 2 for the timed measures."
echo
echo "## Instructions per 64-byte packet, pod 1 -> pod 2"
echo
echo "Medians of the rounds; whole path (spread). Target (issue 16): overlay tax"
echo "(contender - native) <= 0.5x vxlan's, gpe lower still."
echo
echo "| kernel | native | vxlan | podnet | gpe | podnet/vxlan | gpe/vxlan | tax podnet/vxlan | tax gpe/vxlan |"
echo "|---|---|---|---|---|---|---|---|---|"
for k in $kernels; do
	[ -s "$k/insn.dat" ] || continue
	n=$(val "$k" insn.dat native 3) v=$(val "$k" insn.dat vxlan 3)
	p=$(val "$k" insn.dat podnet 3) g=$(val "$k" insn.dat gpe 3)
	echo "| $(kver "$k") | $(num "$n") ($(val "$k" insn.dat native 8)%) | $(num "$v") ($(val "$k" insn.dat vxlan 8)%) | $(num "$p") ($(val "$k" insn.dat podnet 8)%) | $(num "$g") ($(val "$k" insn.dat gpe 8)%) | $(ratio "$p" "$v") | $(ratio "$g" "$v") | $(tax "$p" "$v" "$n") | $(tax "$g" "$v" "$n") |"
done
echo
echo "By side (sending side: the underlay dropping node 1's frames; receiving"
echo "side: whole path minus that):"
echo
echo "| kernel | side | native | vxlan | podnet | gpe | tax podnet/vxlan | tax gpe/vxlan |"
echo "|---|---|---|---|---|---|---|---|"
for k in $kernels; do
	[ -s "$k/insn.dat" ] || continue
	for side in send:4 receive:5; do
		c=${side#*:}
		n=$(val "$k" insn.dat native "$c") v=$(val "$k" insn.dat vxlan "$c")
		p=$(val "$k" insn.dat podnet "$c") g=$(val "$k" insn.dat gpe "$c")
		echo "| $k | ${side%:*} | $(num "$n") | $(num "$v") | $(num "$p") | $(num "$g") | $(tax "$p" "$v" "$n") | $(tax "$g" "$v" "$n") |"
	done
done
if ls */tcpinsn.dat >/dev/null 2>&1; then
	echo
	echo "## Instructions per KiB of one TCP stream, pod 1 -> pod 2"
	echo
	echo "Medians of the rounds (spread); the stream's rate in the counted window"
	echo "(TCG, 1 vCPU). Targets (timed): TCP >= 1.15x vxlan, podnet/native >= 0.85."
	echo
	echo "| kernel | native | vxlan | podnet | gpe | podnet/vxlan | tax podnet/vxlan | native/podnet | Mbit/s native / vxlan / podnet |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for k in $kernels; do
		[ -s "$k/tcpinsn.dat" ] || continue
		n=$(val "$k" tcpinsn.dat native 3) v=$(val "$k" tcpinsn.dat vxlan 3)
		p=$(val "$k" tcpinsn.dat podnet 3) g=$(val "$k" tcpinsn.dat gpe 3)
		echo "| $k | $(num "$n") ($(val "$k" tcpinsn.dat native 4)%) | $(num "$v") ($(val "$k" tcpinsn.dat vxlan 4)%) | $(num "$p") ($(val "$k" tcpinsn.dat podnet 4)%) | $(num "$g") ($(val "$k" tcpinsn.dat gpe 4)%) | $(ratio "$p" "$v") | $(tax "$p" "$v" "$n") | $(ratio "$n" "$p") | $(num "$(val "$k" tcpinsn.dat native 5)") / $(num "$(val "$k" tcpinsn.dat vxlan 5)") / $(num "$(val "$k" tcpinsn.dat podnet 5)") |"
	done
fi
echo
echo "## Scale curve: podnet with N prefixes in both tables"
echo
echo "Whole path, instructions per packet (send / receive), and the window's"
echo "packet rate under TCG. Target: at 100k prefixes <= 1.1x at 1."
echo
echo "| kernel | prefixes | whole | send | receive | packets/s | whole / at 1 |"
echo "|---|---|---|---|---|---|---|"
for k in $kernels; do
	[ -s "$k/scale.dat" ] || continue
	base=$(awk '$1 == "scale" { print $3; exit }' "$k/scale.dat")
	while read -r _ sc w s r pps; do
		echo "| $k | $(num "$sc") | $(num "$w") | $(num "$s") | $(num "$r") | $(num "$pps") | $(ratio "$w" "$base") |"
	done < <(grep '^scale ' "$k/scale.dat")
done
echo
echo "## Timed (emulated time: +-30% between runs)"
echo
echo "Medians of the rounds. Targets: packet rate >= 1.25x vxlan, TCP >= 1.15x,"
echo "latency <= 0.9x, podnet/native TCP >= 0.85."
echo
echo "| kernel | contender | TCP 1 stream, Mbit/s | TCP 4 streams, Mbit/s | 64 B UDP, packets/s | ICMP echo RTT, us |"
echo "|---|---|---|---|---|---|"
for k in $kernels; do
	[ -s "$k/timed.dat" ] || continue
	for c in native vxlan podnet gpe; do
		echo "| $k | $c | $(num "$(val "$k" timed.dat "$c" 3)") | $(num "$(val "$k" timed.dat "$c" 4)") | $(num "$(val "$k" timed.dat "$c" 5)") | $(num "$(val "$k" timed.dat "$c" 6)") |"
	done
done
echo
echo "| kernel | ratio | TCP 1 | TCP 4 | packets/s | RTT |"
echo "|---|---|---|---|---|---|"
for k in $kernels; do
	[ -s "$k/timed.dat" ] || continue
	for r in podnet/vxlan gpe/vxlan podnet/native; do
		a=${r%/*} b=${r#*/} row="| $k | $r |"
		for col in 3 4 5 6; do
			row+=" $(ratio "$(val "$k" timed.dat "$a" $col)" "$(val "$k" timed.dat "$b" $col)") |"
		done
		echo "$row"
	done
done
echo
echo "## Charts"
echo
echo "![instructions per packet](insn.png) ![scale curve](scale.png) ![timed ratios](timed.png)"
echo
echo "Drawn by \`selftests/bench/charts.gp\` from insn.tsv, scale.tsv and timed.tsv."
} >results.md

# The charts' data.
{
	echo "kernel native vxlan podnet gpe"
	for k in $kernels; do
		[ -s "$k/insn.dat" ] || continue
		row=$k
		for c in native vxlan podnet gpe; do v=$(val "$k" insn.dat "$c" 3); row+=" ${v:--}"; done
		echo "$row"
	done
} >insn.tsv
{
	echo "prefixes $kernels"
	for sc in 1 1000 10000 100000; do
		row=$sc
		for k in $kernels; do v=$(val "$k" scale.dat "$sc" 3); row+=" ${v:--}"; done
		echo "$row"
	done
} >scale.tsv
{
	echo "measure $(for k in $kernels; do echo -n "podnet/$k gpe/$k "; done)"
	for m in tcp1:3 tcp4:4 pps:5 rtt:6; do
		row=${m%:*}
		for k in $kernels; do
			for c in podnet gpe; do
				row+=" $(ratio "$(val "$k" timed.dat "$c" "${m#*:}")" "$(val "$k" timed.dat vxlan "${m#*:}")")"
			done
		done
		echo "$row"
	done
} >timed.tsv
if command -v gnuplot >/dev/null; then
	gnuplot -e "nk=$(wc -w <<<"$kernels")" "$here/charts.gp"
else
	echo "report.sh: no gnuplot (apt install gnuplot-nox): charts not drawn" >&2
fi
echo "report.sh: wrote $dir/results.md, insn.tsv, scale.tsv, timed.tsv$(command -v gnuplot >/dev/null && echo ', insn.png, scale.png, timed.png')"
