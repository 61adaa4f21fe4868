#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# peer-programming.sh: time and kernel memory to program a cluster of N
# remote nodes, each owning one /24, two ways:
#   podnet:  one `podnetctl peer replace dev podnet0 file F` (one peer per
#            line, "remote U prefix P"), the cluster route set up beforehand;
#   flannel: what Flannel's vxlan backend programs per remote node on a
#            nolearning vxlan device: a permanent neighbour (VTEP address ->
#            VTEP MAC), an onlink route via it and a permanent FDB entry
#            (MAC -> underlay address), fed through `ip -batch` (neighbours
#            and routes, interleaved per node) and `bridge -batch` (FDB).
# Node i owns 10.0.0.0/7 + i*256 (/24), its underlay address is
# 100.64.0.0/10 + i + 1, its VTEP MAC 02:00:00:<i as 24 bits>.  Nothing is
# sent; only tables are programmed.
#
# Run in the VM: selftests/vm/run.sh 6.12 selftests/bench/peer-programming.sh
# (selftests/bench.sh does that).  Every measurement is repeated
# BENCH_REPS times (default 3) and medians are printed; a Flannel-style run
# is killed after BENCH_LIMIT seconds (default 300) and then reported as a
# lower bound, its remaining repetitions skipped.  BENCH_SIZES (default
# "1000 10000 100000").  The VM runner passes no environment to the guest:
# these are for runs by hand or from a wrapper script.
#
# Memory: after `echo 3 > /proc/sys/vm/drop_caches` and a pause for RCU,
# /proc/meminfo before and after programming (the device already exists in
# both): the drop of MemFree (all kernel memory, including page-allocator
# hash tables that are not slab), and the growth of Slab, SUnreclaim and
# Percpu.
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/bench/lib.sh"

sizes=${BENCH_SIZES:-"1000 10000 100000"}
reps=${BENCH_REPS:-3}
limit=${BENCH_LIMIT:-300}
PN=pnbench-pn FL=pnbench-fl

pn_load
pn_netns_add $PN
pn_netns_add $FL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

gen() {	# N: podnet.N, ip.N, bridge.N in $tmp
	awk -v n="$1" -v dir="$tmp" 'BEGIN {
		pn = dir "/podnet." n; ipf = dir "/ip." n; br = dir "/bridge." n
		for (i = 0; i < n; i++) {
			p = sprintf("%d.%d.%d.0", 10 + int(i / 65536), int(i / 256) % 256, i % 256)
			j = i + 1
			u = sprintf("100.%d.%d.%d", 64 + int(j / 65536), int(j / 256) % 256, j % 256)
			mac = sprintf("02:00:00:%02x:%02x:%02x", int(i / 65536), int(i / 256) % 256, i % 256)
			print "remote " u " prefix " p "/24" > pn
			print "neigh replace " p " lladdr " mac " dev flannel.1 nud permanent" > ipf
			print "route replace " p "/24 via " p " dev flannel.1 onlink" > ipf
			print "fdb replace " mac " dev flannel.1 dst " u " self permanent" > br
		}
	}'
}

# Results, per size: space-separated lists over the repetitions.
declare -A pn_ms pn_mem fl_ms fl_mem fl_lower

bench_podnet() {	# N REP
	local n=$1 rep=$2 m0 m1 t0 t1 rc d
	if ! { ip -n $PN link add podnet0 type podnet &&
		ip -n $PN link set podnet0 up &&
		ip -n $PN route add 10.0.0.0/7 dev podnet0; }; then
		_tap_result not-ok "podnet $n rep $rep: device setup"
		return
	fi
	settle
	m0=$(meminfo)
	t0=$(now_ms)
	ip netns exec $PN podnetctl peer replace dev podnet0 file "$tmp/podnet.$n" 2>"$tmp/err"
	rc=$?
	t1=$(now_ms)
	settle
	m1=$(meminfo)
	if [ $rc -ne 0 ]; then
		_tap_result not-ok "podnet $n rep $rep: peer replace" "$(cat "$tmp/err")"
	else
		d=$(memdelta "$m0" "$m1")
		diag "podnet  n=$n rep=$rep ms=$((t1 - t0)) free/slab/sunreclaim/percpu_kB=${d// //}"
		pn_ms[$n]+="$((t1 - t0)) "
		pn_mem[$n]+="${d// /,} "
		if [ "$rep" = 1 ]; then
			is "podnet $n: device counts (peers, prefixes)" \
				"$(ip netns exec $PN podnetctl -j show dev podnet0 | jget '.[0] | "(\(.num_peers), \(.num_prefixes))"')" \
				"($n, $n)"
			ip netns exec $PN podnetctl peer show dev podnet0 >"$tmp/dump"
			is "podnet $n: dump count equals $n" "$(grep -o ' prefix ' "$tmp/dump" | wc -l)" "$n"
			sort "$tmp/dump" >"$tmp/dump.sorted"
			sort "$tmp/podnet.$n" >"$tmp/file.sorted"
			is "podnet $n: dump equals the file" \
				"$(cmp -s "$tmp/dump.sorted" "$tmp/file.sorted" && echo same ||
				   diff "$tmp/file.sorted" "$tmp/dump.sorted" | head -n 4)" same
		fi
	fi
	ip -n $PN link del podnet0
}

bench_flannel() {	# N REP
	local n=$1 rep=$2 m0 m1 t0 t1 rc d routes
	if ! { ip -n $FL link add flannel.1 type vxlan id 1 dstport 4789 local 100.127.255.254 nolearning &&
		ip -n $FL link set flannel.1 mtu 1450 up &&
		ip -n $FL addr add 192.168.255.0/32 dev flannel.1; }; then
		_tap_result not-ok "flannel $n rep $rep: device setup"
		return
	fi
	settle
	m0=$(meminfo)
	t0=$(now_ms)
	timeout "$limit" ip netns exec $FL sh -c \
		"ip -batch '$tmp/ip.$n' && bridge -batch '$tmp/bridge.$n'" 2>"$tmp/err"
	rc=$?
	t1=$(now_ms)
	if [ $rc -eq 124 ]; then
		routes=$(ip -n $FL route show dev flannel.1 | wc -l)
		diag "flannel n=$n rep=$rep: killed after ${limit}s with $routes of $n routes programmed (no FDB entry yet)"
		fl_lower[$n]="$limit $routes"
		ip -n $FL link del flannel.1
		return
	fi
	settle
	m1=$(meminfo)
	if [ $rc -ne 0 ]; then
		_tap_result not-ok "flannel $n rep $rep: ip/bridge -batch" "$(head -5 "$tmp/err")"
	else
		d=$(memdelta "$m0" "$m1")
		diag "flannel n=$n rep=$rep ms=$((t1 - t0)) free/slab/sunreclaim/percpu_kB=${d// //}"
		fl_ms[$n]+="$((t1 - t0)) "
		fl_mem[$n]+="${d// /,} "
		if [ "$rep" = 1 ]; then
			is "flannel $n: route count" "$(ip -n $FL route show dev flannel.1 | wc -l)" "$n"
			is "flannel $n: permanent neighbour count" \
				"$(ip -n $FL neigh show dev flannel.1 nud permanent | wc -l)" "$n"
			is "flannel $n: FDB count" "$(ip netns exec $FL bridge fdb show dev flannel.1 | wc -l)" "$n"
		fi
	fi
	ip -n $FL link del flannel.1
}

diag "kernel $PODNET_KVER, $(nproc) CPUs, sizes: $sizes, $reps repetitions, Flannel-style limit ${limit}s"
# The fixed cost inside every timed run: podnet's is one process, Flannel's
# two (ip, bridge), each under ip netns exec.  Medians of 5.
startup() {	# CMD...: median ms of 5 runs
	local i t0 t1 all=""
	for i in 1 2 3 4 5; do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1
		t1=$(now_ms)
		all+="$((t1 - t0)) "
	done
	median <<<"$all"
}
diag "start-up: ip netns exec NS podnetctl -V: $(startup ip netns exec $PN podnetctl -V) ms, ip netns exec NS ip -V: $(startup ip netns exec $FL ip -V) ms"
for n in $sizes; do
	gen "$n"
	for rep in $(seq "$reps"); do
		bench_podnet "$n" "$rep"
		[ -n "${fl_lower[$n]:-}" ] || bench_flannel "$n" "$rep"
	done
done

# col K LIST: the K-th comma-separated field of each word of LIST.
col() { tr ' ' '\n' | grep . | cut -d, -f"$1" | tr '\n' ' '; }
bpe() { awk -v k="$1" -v n="$2" 'BEGIN { if (k == "") print "-"; else printf "%.0f\n", k * 1024 / n }'; }	# kB N -> bytes each
diag "summary (medians; times in ms, memory in bytes per prefix = per node):"
diag "n podnet_ms flannel_ms speedup | podnet free slab sunreclaim percpu | flannel free slab sunreclaim percpu"
for n in $sizes; do
	p=$(median <<<"${pn_ms[$n]:-}") f=$(median <<<"${fl_ms[$n]:-}")
	if [ -n "${fl_lower[$n]:-}" ]; then
		read -r lim routes <<<"${fl_lower[$n]}"
		f=">$((lim * 1000))(killed,${routes}routes)"
		x=">$(awk -v f="$((lim * 1000))" -v p="$p" 'BEGIN { printf "%.0f", f / p }')"
	elif [ -n "$p" ] && [ -n "$f" ]; then
		x=$(awk -v f="$f" -v p="$p" 'BEGIN { printf "%.1f", f / p }')
	else
		x=-
	fi
	pm="" fm=""
	for k in 1 2 3 4; do
		pm+="$(bpe "$(col $k <<<"${pn_mem[$n]:-}" | median)" "$n") "
		fm+="$(bpe "$(col $k <<<"${fl_mem[$n]:-}" | median)" "$n") "
	done
	diag "$n ${p:--} $f ${x}x | $pm| $fm"
done
ok "every size measured for podnet" test "$(for n in $sizes; do [ -n "${pn_ms[$n]:-}" ] && echo "$n"; done | wc -w)" -eq "$(echo "$sizes" | wc -w)"
done_testing
