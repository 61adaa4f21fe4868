# SPDX-License-Identifier: GPL-2.0
# The charts of docs/performance/results.md, drawn by report.sh in that
# directory from insn.tsv, scale.tsv and timed.tsv; nk = number of kernels.
set terminal pngcairo size 800,480 font ",10"
set datafile missing "-"
set key top left
set grid ytics

set output "insn.png"
set title "Guest instructions per 64-byte packet, pod to pod (TCG, medians)"
set ylabel "instructions per packet"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
plot for [i=2:5] "insn.tsv" using i:xtic(1) title columnheader(i)

set output "timed.png"
set title "Timed measures, ratio to vxlan (TCG; >1 is better except RTT)"
set ylabel "contender / vxlan"
set yrange [0:*]
plot for [i=2:2*nk+1] "timed.tsv" using i:xtic(1) title columnheader(i), \
	1 with lines lc rgb "black" dt 2 notitle

set output "scale.png"
set title "podnet: instructions per packet with N prefixes in both tables"
set style data linespoints
set logscale x
set xlabel "prefixes"
set ylabel "instructions per packet (whole path)"
set yrange [0:*]
set xrange [0.5:200000]
plot for [i=2:nk+1] "scale.tsv" using 1:i title columnheader(i) with linespoints pt 7
