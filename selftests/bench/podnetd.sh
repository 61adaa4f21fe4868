#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# needs: kube-apiserver
# podnetd.sh: podnetd against flanneld at 5,000 Nodes (issue 12), on a
# real kube-apiserver on the host (run.sh starts it for this file).
#   1. podnetd: start to a complete table (its sync file), RSS (VmHWM,
#      VmRSS) and CPU (utime+stime) after sync, kernel memory of the table
#      (peer-programming.sh's method: MemFree/Slab/SUnreclaim/Percpu after
#      drop_caches, before podnetd starts and after it has exited, the
#      table left in place);
#   2. status-only heartbeats of 500 Nodes (3 rounds, from the host):
#      podnetd_kernel_writes_total must not move; CPU per heartbeat;
#   3. add and delete propagation, API write to kernel table event
#      (kube-prop.py, 7 rounds, medians);
#   4. flanneld --kube-subnet-mgr (vxlan backend) the same way in its own
#      namespace: time to its 4,999 routes (neighbours and FDB entries
#      checked too), RSS, CPU, heartbeats, propagation, kernel memory.
# The Nodes are made on the host (kube-nodes.py through the kube-host.sh
# broker), 5,000 of them: pnb-00000 (this node) .. pnb-04999.
# flanneld: $PODNET_ROOT/build/bench/flanneld (selftests/bench.sh copies it
# there from selftests/tools/kube/build.sh --flannel's output).
# Run in the VM: selftests/vm/run.sh 6.12 selftests/bench/podnetd.sh
# For runs by hand from a wrapper that exports them: BENCH_PODNETD_ENV
# (e.g. "MALLOC_ARENA_MAX=1"), BENCH_PODNETD_ARGS (more podnetd options),
# BENCH_FLANNELD=0 (podnetd only).
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/bench/lib.sh"
. "$PODNET_ROOT/selftests/tools/kube-guest.sh"

NODES=5000
PEERS=$((NODES - 1))
HB=500
FLANNELD=$PODNET_ROOT/build/bench/flanneld
PN=pnbn FL=pnbf U=pnbu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tck=$(getconf CLK_TCK)

cpu_ms() {	# PID: utime+stime in ms
	awk -v t="$tck" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / t }' "/proc/$1/stat"
}
rss() {	# PID: "VmHWM VmRSS" in kB
	awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } END { print h, r }' "/proc/$1/status"
}
metric() { in_ns $PN curl -s --max-time 10 http://127.0.0.1:9472/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
# A stopped agent's CPU keeps still: until two looks 1 s apart agree.
cpu_settled() {
	local a b
	b=$(cpu_ms "$1")
	for _ in $(seq 20); do
		sleep 1
		a=$b b=$(cpu_ms "$1")
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}

# idle_ms PID: CPU ms the agent spends in 10 s of nothing to do.
idle_ms() {
	local a
	a=$(cpu_ms "$1")
	sleep 10
	echo $(($(cpu_ms "$1") - a))
}
# hb_cpu PID C0 C1 T0 T1 IDLE: ms per heartbeat, raw and less idle time.
hb_cpu() {
	awk -v c="$(($3 - $2))" -v t="$(($5 - $4))" -v i="$6" -v n=$HB \
		'BEGIN { printf "%.2f/%.2f", c / n, (c - i * t / 10000) / n }'
}
diag "kernel $PODNET_KVER, $(nproc) CPUs, $NODES Nodes, heartbeats of $HB Nodes x 3${BENCH_PODNETD_ENV:+, podnetd env $BENCH_PODNETD_ENV}${BENCH_PODNETD_ARGS:+, podnetd $BENCH_PODNETD_ARGS}"
pn_load
pn_netns_add $U && pn_netns_add $PN && pn_netns_add $FL || { echo "Bail out! namespaces"; exit 1; }
in_ns $U ip link add br0 type bridge && in_ns $U ip link set br0 up || { echo "Bail out! bridge"; exit 1; }
i=0
for ns in $PN $FL; do
	i=$((i + 1))
	ip link add "pnbv$i" netns $U type veth peer name eth0 netns $ns &&
		in_ns $U ip link set "pnbv$i" master br0 up &&
		in_ns $ns ip addr add "192.168.98.$i/24" dev eth0 &&
		in_ns $ns ip link set eth0 up || { echo "Bail out! veth $ns"; exit 1; }
done
kube_net_up $U br0 192.168.98.254/24 $PN $FL || { echo "Bail out! the way to the host"; exit 1; }
ok "the API server answers from a node" in_ns $PN curl -sS --max-time 20 --cacert "$K/ca.crt" "$API/readyz"
cat >"$tmp/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: t
contexts: [{name: t, context: {cluster: c, user: admin}}]
clusters: [{name: c, cluster: {server: "$API", certificate-authority: $K/ca.crt}}]
users: [{name: admin, user: {token: $KUBE_ADMIN_TOKEN}}]
EOF
out=$(host_rpc bench kube-nodes.py create $NODES)
ok "the host creates $NODES Nodes ($out)" test $? = 0
n=$(kapi GET "/api/v1/nodes?limit=1" | jq -r '.metadata.remainingItemCount + 1')
is "the API lists $NODES Nodes" "$n" $NODES

# --- podnetd ---------------------------------------------------------------
in_ns $PN ip link add podnet0 type podnet && in_ns $PN ip link set podnet0 up ||
	{ echo "Bail out! podnet0"; exit 1; }
settle
m0=$(meminfo)
t0=$(now_ms)
# (nsenter itself, not in_ns: a function in the background is a subshell,
# and $! would be its pid; nsenter --net execs the agent, no fork.)
# shellcheck disable=SC2086
env ${BENCH_PODNETD_ENV:-} nsenter --net=/run/netns/$PN "$PODNET_BIN/podnetd" ${BENCH_PODNETD_ARGS:-} --kubeconfig "$tmp/kubeconfig" --node-name pnb-00000 \
	--cluster-cidr 10.128.0.0/9,fd10::/48 --cni-conf-dir "" --sync-file "$tmp/pn.synced" \
	>"$tmp/podnetd.log" 2>&1 &
pnpid=$!
for _ in $(seq 6000); do [ -s "$tmp/pn.synced" ] && break; sleep 0.05; done
t1=$(now_ms)
ok "podnetd writes its sync file" test -s "$tmp/pn.synced"
pn_sync=$((t1 - t0))
read -r pn_hwm pn_rss <<<"$(rss $pnpid)"
pn_cpu=$(cpu_ms $pnpid)
in_ns $PN podnetctl -j peer show dev podnet0 >"$tmp/pn.peers"
is "podnetd's table has $PEERS peers" "$(jq '[.[] | select(.remote)] | length' "$tmp/pn.peers")" $PEERS
is "and $((2 * PEERS)) prefixes" "$(jq '[.[] | select(.remote) | .prefixes[]] | length' "$tmp/pn.peers")" $((2 * PEERS))
diag "podnetd: sync after $pn_sync ms; VmHWM $pn_hwm kB, VmRSS $pn_rss kB, CPU $pn_cpu ms"
grep -m3 -i "sync\|list" "$tmp/podnetd.log" | sed 's/^/# podnetd log: /'

# Heartbeats.
pn_idle=$(idle_ms $pnpid)
# /metrics carries every peer's kernel counters: scraping it is work of its
# own, so no scrape inside a measured window (one is measured apart).
c0=$(cpu_ms $pnpid)
pn_scrape_bytes=$(in_ns $PN curl -s --max-time 30 http://127.0.0.1:9472/metrics | wc -c)
pn_scrape_cpu=$(($(cpu_settled $pnpid) - c0))
read -r pn_hwm_s pn_rss_s <<<"$(rss $pnpid)"
diag "podnetd: one /metrics scrape: $pn_scrape_bytes bytes, $pn_scrape_cpu ms CPU; then VmHWM $pn_hwm_s kB, VmRSS $pn_rss_s kB"
pn_hb=""
for r in 1 2 3; do
	w0=$(metric podnetd_kernel_writes_total) e0=$(metric podnetd_events_total)
	c0=$(cpu_settled $pnpid) h0=$(now_ms)
	host_rpc bench kube-nodes.py heartbeat $HB "pn$r" >/dev/null || _tap_result not-ok "heartbeat round $r"
	c1=$(cpu_settled $pnpid) h1=$(now_ms)
	read -r hwm rss <<<"$(rss $pnpid)"
	for _ in $(seq 240); do [ "$(metric podnetd_events_total)" -ge $((e0 + HB)) ] && break; sleep 0.5; done
	is "podnetd round $r: saw $HB heartbeats" "$(($(metric podnetd_events_total) - e0))" $HB
	is "podnetd round $r: no kernel write" "$(metric podnetd_kernel_writes_total)" "$w0"
	pn_hb+="$(hb_cpu $pnpid "$c0" "$c1" "$h0" "$h1" "$pn_idle") "
	diag "podnetd round $r: VmHWM $hwm kB, VmRSS $rss kB after the heartbeats"
done
diag "podnetd: idle CPU $pn_idle ms per 10 s; CPU per heartbeat event (ms, raw/less idle), 3 rounds of $HB: $pn_hb"
read -r pn_hwm2 pn_rss2 <<<"$(rss $pnpid)"

# Propagation.
in_ns $PN env KUBE_API="$API" KUBE_CA="$K/ca.crt" KUBE_TOKEN="$KUBE_ADMIN_TOKEN" \
	"$PY" "$PODNET_ROOT/selftests/bench/kube-prop.py" podnet 7 >"$tmp/pn.prop" 2>&1
ok "podnetd propagation rounds ran" test $? = 0
sed 's/^/# podnetd propagation: /' "$tmp/pn.prop"
read -r pn_hwm3 pn_rss3 <<<"$(rss $pnpid)"
pn_cpu3=$(cpu_ms $pnpid)
diag "podnetd after heartbeats and propagation: VmHWM $pn_hwm3 kB, VmRSS $pn_rss3 kB, CPU $pn_cpu3 ms"
kill $pnpid
wait $pnpid
is "podnetd exits 0 on SIGTERM" $? 0
is "and leaves its $PEERS peers" "$(in_ns $PN podnetctl -j show dev podnet0 | jq '.[0].num_peers')" $PEERS
settle
m1=$(meminfo)
pn_mem=$(memdelta "$m0" "$m1")
diag "podnetd table kernel memory (kB, free/slab/sunreclaim/percpu): ${pn_mem// //}"

# --- flanneld --------------------------------------------------------------
if [ "${BENCH_FLANNELD:-1}" = 0 ]; then
	skip "flanneld: BENCH_FLANNELD=0"
elif [ ! -x "$FLANNELD" ]; then
	skip "flanneld: no $FLANNELD (selftests/bench.sh copies it)"
else
	echo '{"Network": "10.128.0.0/9", "EnableIPv6": false, "Backend": {"Type": "vxlan"}}' >"$tmp/net-conf.json"
	# flanneld exits without br_netfilter ("Failed to check br_netfilter"),
	# as on a kubeadm node, where it is loaded beforehand.
	ok "modprobe br_netfilter (flanneld requires it)" modprobe br_netfilter
	settle
	m0=$(meminfo)
	t0=$(now_ms)
	NODE_NAME=pnb-00000 nsenter --net=/run/netns/$FL "$FLANNELD" --kube-subnet-mgr --kubeconfig-file "$tmp/kubeconfig" \
		--net-config-path "$tmp/net-conf.json" --subnet-file "$tmp/subnet.env" --iface eth0 \
		>"$tmp/flanneld.log" 2>&1 &
	flpid=$!
	# Routes come last for each Node (neighbour, FDB entry, route): count
	# them in flanneld's own /proc/PID/net/route (no process per look).
	nr=0
	for _ in $(seq 3000); do
		[ -e "/proc/$flpid" ] || break
		mapfile -t rt <"/proc/$flpid/net/route" 2>/dev/null
		nr=${#rt[@]}
		[ "$nr" -ge $((PEERS + 3)) ] && break
		sleep 0.1
	done
	t1=$(now_ms)
	fl_sync=$((t1 - t0))
	read -r fl_hwm fl_rss <<<"$(rss $flpid)"
	fl_cpu=$(cpu_ms $flpid)
	is "flanneld: $PEERS routes on flannel.1" "$(in_ns $FL ip route show dev flannel.1 | wc -l)" $PEERS ||
		grep -v -e 'Batch elem' -e 'Received Subnet Event' "$tmp/flanneld.log" | tail -n 30 | cut -c1-300 | sed 's/^/# flanneld log: /'
	[ -e "/proc/$flpid" ] || diag "flanneld exited: $(wait $flpid; echo $?)"
	is "flanneld: $PEERS permanent neighbours" "$(in_ns $FL ip neigh show dev flannel.1 nud permanent | wc -l)" $PEERS
	is "flanneld: $PEERS FDB entries" "$(in_ns $FL bridge fdb show dev flannel.1 | wc -l)" $PEERS
	diag "flanneld: complete after $fl_sync ms; VmHWM $fl_hwm kB, VmRSS $fl_rss kB, CPU $fl_cpu ms"
	cpu_settled $flpid >/dev/null
	fl_idle=$(idle_ms $flpid)
	fl_hb=""
	for r in 1 2 3; do
		c0=$(cpu_ms $flpid) h0=$(now_ms)
		host_rpc bench kube-nodes.py heartbeat $HB "fl$r" >/dev/null || _tap_result not-ok "heartbeat round $r"
		c1=$(cpu_settled $flpid) h1=$(now_ms)
		fl_hb+="$(hb_cpu $flpid "$c0" "$c1" "$h0" "$h1" "$fl_idle") "
	done
	diag "flanneld: idle CPU $fl_idle ms per 10 s; CPU per heartbeat (ms, raw/less idle), 3 rounds of $HB: $fl_hb"
	in_ns $FL env KUBE_API="$API" KUBE_CA="$K/ca.crt" KUBE_TOKEN="$KUBE_ADMIN_TOKEN" \
		"$PY" "$PODNET_ROOT/selftests/bench/kube-prop.py" flannel 7 >"$tmp/fl.prop" 2>&1
	ok "flanneld propagation rounds ran" test $? = 0
	sed 's/^/# flanneld propagation: /' "$tmp/fl.prop"
	read -r fl_hwm3 fl_rss3 <<<"$(rss $flpid)"
	fl_cpu3=$(cpu_ms $flpid)
	diag "flanneld after heartbeats and propagation: VmHWM $fl_hwm3 kB, VmRSS $fl_rss3 kB, CPU $fl_cpu3 ms"
	kill $flpid
	wait $flpid
	is "flanneld leaves its routes when stopped" "$(in_ns $FL ip route show dev flannel.1 | wc -l)" $PEERS
	settle
	m1=$(meminfo)
	fl_mem=$(memdelta "$m0" "$m1")
	diag "flanneld table kernel memory (kB, free/slab/sunreclaim/percpu): ${fl_mem// //}"
	diag "summary: podnetd sync ${pn_sync} ms vs flanneld ${fl_sync} ms; RSS (VmRSS after sync) ${pn_rss} vs ${fl_rss} kB = $(awk -v a=$pn_rss -v b=$fl_rss 'BEGIN { printf "%.3f", a / b }')x (goal <= 0.25); VmHWM ${pn_hwm} vs ${fl_hwm} kB; CPU to sync ${pn_cpu} vs ${fl_cpu} ms"
	ok "podnetd VmRSS <= 0.25x flanneld's" test $((pn_rss * 4)) -le "$fl_rss"
fi
ok "podnetd VmHWM <= 15 MB" test "$pn_hwm3" -le 15360
host_rpc bench kube-nodes.py delete $NODES >/dev/null
modprobe -r br_netfilter 2>/dev/null
kube_net_down
done_testing
