# SPDX-License-Identifier: GPL-2.0
# Helpers of the guest benches, sourced after selftests/lib.sh.
#   now_ms                 wall clock in ms (bash's own clock: no fork)
#   settle                 write back and drop caches, twice, and wait
#   meminfo                "MemFree Slab SUnreclaim Percpu" in kB
#   memdelta BEFORE AFTER  "free slab sunreclaim percpu" growth in kB
#   slab_shrink            every slab cache gives back its empty slabs and,
#                          on a KASAN kernel, its freed objects still held
#                          in the quarantine (kmem_cache_shrink() via SLUB's
#                          sysfs): the slab then holds what is allocated
#   slabinfo               "cache live-objects kB-of-slabs", one per cache
#   slabgrowth BEFORE AFTER  the 8 caches (slabinfo files) grown most
#   spread <LIST           "median min max spread%" of the numbers in LIST
#                          ("- - - -" if none), spread = (max - min) / median
#   median <LIST           the median of LIST ("-" if none)
#   ratio A B              A / B to 3 decimals ("-" if either is "-" or B is 0)

now_ms() { local t=$EPOCHREALTIME; echo $((${t/./} / 1000)); }
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}
meminfo() {
	awk '/^MemFree:/ { f = $2 } /^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 }
	     /^Percpu:/ { p = $2 } END { print f, s, u, p }' /proc/meminfo
}
memdelta() {
	local f0 s0 u0 p0 f1 s1 u1 p1
	read -r f0 s0 u0 p0 <<<"$1"
	read -r f1 s1 u1 p1 <<<"$2"
	echo $((f0 - f1)) $((s1 - s0)) $((u1 - u0)) $((p1 - p0))
}
slab_shrink() {
	local c
	# Directories only: an alias (a merged cache) is a symlink to its cache.
	for c in $(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d); do
		echo 1 >"$c/shrink"
	done
}
slabinfo() { awk 'NR > 2 { print $1, $2, $15 * $6 * 4 }' /proc/slabinfo; }
slabgrowth() {
	awk 'NR == FNR { n[$1] = $2; kb[$1] = $3; next }
	     $3 > kb[$1] { printf "%d %s %+d kB (%+d objects)\n", $3 - kb[$1], $1, $3 - kb[$1], $2 - n[$1] }' "$1" "$2" |
		sort -rn | head -8 | cut -d' ' -f2- | paste -sd, | sed 's/,/, /g'
}
spread() {
	tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) { print "- - - -"; exit }
		med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.0f %.0f %.0f %.1f\n", med, a[1], a[NR], med ? 100 * (a[NR] - a[1]) / med : 0 }'
}
median() { spread | cut -d' ' -f1; }
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'
}
