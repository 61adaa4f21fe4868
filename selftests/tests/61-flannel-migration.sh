#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# needs: kube-apiserver
# 61-flannel-migration.sh: the rehearsal of docs/migrating-from-flannel.md.
# Three nodes (pnn1..3, one pod each) on real flanneld (kube subnet
# manager, vxlan backend) against the test apiserver; then node 1, 2, 3
# converted to podnetd one at a time (flanneld stopped, podnetd
# --publish-flannel started, podnet0 failing to come up while flannel.1
# holds port 8472, flannel.1 deleted, podnetd's retry bringing it up),
# and node 3 rolled back to flanneld.
# Every step runs under pings between every ordered pair of pods (50/s
# each, PODNET_MIGRATION_WINDOW seconds: 6 in make check, 15 in make
# bench's lane "migration"; the rollback 4 s more, for flanneld's start);
# per step and pair, the packets lost.  Only pairs with the node being
# switched may lose any, and those at most what its measured switch-over
# window allows.
# flanneld: $PODNET_ROOT/build/flannel/flanneld, which run.sh stages from
# selftests/tools/kube/build.sh --flannel (the guest's /var/tmp is its own).
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/bench/lib.sh"

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
. "$PODNET_ROOT/selftests/tools/kube-guest.sh"
FLANNELD=$PODNET_ROOT/build/flannel/flanneld
PODNETD=$PODNET_BIN/podnetd
FL=flannel.alpha.coreos.com
# Per step: pings of WINDOW seconds, the switch made SWITCH_AT s into it.
# The rollback's window is ROLLBACK_EXTRA s longer: flanneld's start (a Go
# binary's, then its list of the Nodes) is 3-4 s of it under TCG.
WINDOW=${PODNET_MIGRATION_WINDOW:-6} SWITCH_AT=1 ROLLBACK_EXTRA=4

[ -x "$FLANNELD" ] || { echo "Bail out! no $FLANNELD (selftests/vm/run.sh stages it)"; exit 1; }

declare -A fpid ppid
start_flanneld() {	# N
	bg_ns "$(node "$1")" env NODE_NAME="node$1" "$FLANNELD" --kube-subnet-mgr \
		--kubeconfig-file "$tmp/kubeconfig" --net-config-path "$tmp/net-conf.json" \
		--subnet-file "$tmp/subnet$1.env" --iface eth0 >>"$tmp/flanneld$1.log" 2>&1
	fpid[$1]=$!
	echo "${fpid[$1]}" >"$tmp/flanneld$1.pid"
}
start_podnetd() {	# N
	: >"$tmp/sync$1"
	bg_ns "$(node "$1")" "$PODNETD" --kubeconfig "$tmp/kubeconfig" --node-name "node$1" \
		--cluster-cidr 10.244.0.0/16 --cni-conf-dir "" --sync-file "$tmp/sync$1" \
		--listen "" --publish-flannel >>"$tmp/podnetd$1.log" 2>&1
	ppid[$1]=$!
	echo "${ppid[$1]}" >"$tmp/podnetd$1.pid"
}
# flannel_routes N: node N's routes on flannel.1 (2 when it knows both others).
flannel_routes() { in_node "$1" ip route show dev flannel.1 2>/dev/null | grep -c onlink; }
routes_are() { [ "$(flannel_routes "$1")" = "$2" ]; }
synced() { [ -s "$tmp/sync$1" ]; }
annotations() {	# NODE: its flannel annotations, keys sorted
	kapi GET "/api/v1/nodes/$1" | jq -c -S --arg p "$FL/" \
		'.metadata.annotations // {} | with_entries(select(.key | startswith($p)))'
}

# all4: every pod reaches every other pod over IPv4 (flannel runs IPv4 only).
all4() {
	local n m probes=()
	for n in $N; do for m in $N; do
		[ "$n" = "$m" ] || probes+=("$(pod "$n" a),$(podv4 "$m" a)")
	done; done
	pnping -w 3 "${probes[@]}"
}
# pings_start SECONDS: every pod pings every other, 50/s for SECONDS
# (pings_s), each reply's line kept (its icmp_seq).  A count, not a
# deadline (-w): with a deadline ping stops at the first ICMP error (the
# switching node's "Destination Net Unreachable" while it has no route),
# which would hide that node's own outgoing losses.
pings_start() {
	local n m
	pings=() pings_s=$1 pings_t0=$(now_ms)
	for n in $N; do for m in $N; do
		[ "$n" = "$m" ] && continue
		in_pod "$n" a ping -n -i 0.02 -c $((pings_s * 50)) -W 1 "$(podv4 "$m" a)" >"$tmp/ping$n$m" 2>&1 &
		pings+=($!)
	done; done
}
# lost FILE: "HOLES TAIL SENT": sequence numbers without a reply below the
# highest answered one (the packets lost), and those sent after it (lost
# at the very end).  Replies only: ICMP errors carry an icmp_seq too.
lost() {
	awk '/bytes from .*icmp_seq=/ { s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s); if (!(s in seen)) { seen[s]; n++ } if (s + 0 > max) max = s + 0 }
	     /packets transmitted/ { tx = $1 }
	     END { print max - n, tx - max, tx }' "$1"
}
# within_pings STEP T1: the switch ended at T1 (ms) while the pings still
# had a second to run, so its loss is all counted.
within_pings() {
	local d=$(($2 - pings_t0))
	if [ $d -le $(((pings_s - 1) * 1000)) ]; then
		_tap_result ok "$1: over while the pings ran"
	else
		_tap_result not-ok "$1: over while the pings ran" "$d ms after they started; they run $pings_s s"
	fi
}
# pings_end STEP SWITCHED BOUND: the pings' losses.  Pairs without node
# SWITCHED must lose nothing, pairs with it at most BOUND packets; every
# pair must have sent all its pings and been answered within its last
# second (TAIL <= 50).
pings_end() {
	local step=$1 sw=$2 bound=$3 n m holes tail tx bad= over= dead= all=
	wait "${pings[@]}"
	for n in $N; do for m in $N; do
		[ "$n" = "$m" ] && continue
		read -r holes tail tx <<<"$(lost "$tmp/ping$n$m")"
		all+=" $n>$m $holes/$tx"
		[ "$tail" -le 50 ] || dead+=" $n>$m($tail)"
		[ "$tx" = $((pings_s * 50)) ] || dead+=" $n>$m(sent $tx)"
		if [ "$n" = "$sw" ] || [ "$m" = "$sw" ]; then
			[ "$holes" -le "$bound" ] || over+=" $n>$m"
		elif [ "$holes" != 0 ]; then
			bad+=" $n>$m"
		fi
	done; done
	diag "$step: lost/sent per pair:$all (bound for node$sw's pairs: $bound)"
	echo "$step:$all (bound $bound)" >>"$tmp/losses"
	if [ -z "$bad" ]; then _tap_result ok "$step: no loss between nodes not switched"
	else _tap_result not-ok "$step: no loss between nodes not switched" "lost on$bad"; fi
	if [ -z "$over" ]; then _tap_result ok "$step: node$sw's pairs lose at most $bound"
	else _tap_result not-ok "$step: node$sw's pairs lose at most $bound" "over on$over"; fi
	if [ -z "$dead" ]; then _tap_result ok "$step: every pair sent all its pings, answered in its last second"
	else _tap_result not-ok "$step: every pair sent all its pings, answered in its last second" "short or unanswered:$dead"; fi
}
# bound MS: the most packets a 50/s flow can lose in an outage of MS ms:
# one per 20 ms, plus one in flight at each edge and one for ping's own
# timer slack.
bound() { echo $(($1 / 20 + 3)); }

phase setup
topo_setup || { echo "Bail out! topology"; exit 1; }
for n in $N; do in_node "$n" ip link del podnet0; done
kube_net_up $U br0 192.168.99.254/24 pnn1 pnn2 pnn3 || { echo "Bail out! guest network to the host"; exit 1; }
kubeconfig "$tmp/kubeconfig" "token: $KUBE_ADMIN_TOKEN"
# The apiserver lives for the whole boot: the Nodes of earlier tests
# (60-podnetd's node1..5, with podnetd's annotations) go first.
no_nodes() { [ "$(kapi GET /api/v1/nodes | jq '.items | length')" = 0 ]; }
ok "the Nodes of earlier tests deleted" kapi DELETE /api/v1/nodes
ok "... and gone" wait_for 30 no_nodes
echo '{"Network": "10.244.0.0/16", "EnableIPv6": false, "Backend": {"Type": "vxlan"}}' >"$tmp/net-conf.json"
for n in $N; do { mknode "node$n" "$(v4 "$n")" "$n"; echo $? >"$tmp/mk$n"; } & done
wait
for n in $N; do is "create Node node$n" "$(cat "$tmp/mk$n")" 0; done
# As kubelet registers a Node: with annotations.  flanneld v0.28.10 writes
# its own into the Node's annotation map without making one, and a Node
# with none at all panics it right after it made flannel.1 ("assignment to
# entry in nil map", pkg/subnet/kube/kube.go:431, AcquireLease).
for n in $N; do
	kapi PATCH "/api/v1/nodes/node$n" \
		'{"metadata":{"annotations":{"volumes.kubernetes.io/controller-managed-attach-detach":"true"}}}' \
		application/merge-patch+json >/dev/null
	is "node$n annotated as kubelet does" $? 0
done
# flanneld exits without br_netfilter, as on a kubeadm node.
ok "modprobe br_netfilter (flanneld requires it)" modprobe br_netfilter

phase flannel
for n in $N; do start_flanneld "$n"; done
for n in $N; do
	if wait_for 90 routes_are "$n" 2; then
		_tap_result ok "flanneld on node$n programs both other nodes"
	else
		_tap_result not-ok "flanneld on node$n programs both other nodes"
		for m in $N; do grep -v 'Batch elem' "$tmp/flanneld$m.log" | tail -n 12 | cut -c1-300 |
			sed "s/^/# flanneld$m: /"; done
		echo "Bail out! flannel is not up: no rehearsal"
		exit 1
	fi
done
ok "every pod reaches every other over flannel" all4
declare -A mac ann
for n in $N; do
	mac[$n]=$(in_node "$n" ip -j link show flannel.1 | jget '.[0].address')
	ann[$n]=$(annotations "node$n")
done
is "node1's Node has flanneld's backend-data, with flannel.1's MAC" \
	"$(jq -r --arg k "$FL/backend-data" '.[$k]' <<<"${ann[1]}")" "{\"VNI\":1,\"VtepMAC\":\"${mac[1]}\"}"

convert() {	# N: flanneld -> podnetd on node N, under pings
	local n=$1 t0 t1
	pings_start "$WINDOW"
	sleep $SWITCH_AT
	kill "${fpid[$n]}"
	wait "${fpid[$n]}"
	# As under the DaemonSets: podnetd starts while flannel.1 (left by
	# flanneld with its entries: traffic still flows) holds port 8472.  It
	# creates podnet0, cannot bring it up (the socket opens at ndo_open)
	# and retries with backoff, adopting its own device; then flannel.1 goes.
	start_podnetd "$n"
	wait_for 20 grep -q 'bringing podnet0 up' "$tmp/podnetd$n.log"
	like "node$n: podnetd cannot bring podnet0 up while flannel.1 holds the port" \
		"$(grep -m 1 'bringing podnet0 up' "$tmp/podnetd$n.log")" 'bringing podnet0 up: .*in use'
	t0=$(now_ms)
	in_node "$n" ip link del flannel.1
	ok "node$n: podnetd synced podnet0's table after flannel.1 went" wait_for 30 synced "$n"
	t1=$(now_ms)
	diag "node$n: flannel.1 deleted to podnet0's table synced: $((t1 - t0)) ms"
	echo "convert node$n: $((t1 - t0)) ms" >>"$tmp/windows"
	within_pings "convert node$n" "$t1"
	pings_end "convert node$n" "$n" "$(bound $((t1 - t0)))"
	is "node$n: podnet0 has flannel.1's VTEP MAC" "$(link_info "$n" podnet0 .mac)" "${mac[$n]}"
	is "node$n: its Node's flannel annotations unchanged" "$(annotations "node$n")" "${ann[$n]}"
	is "node$n: podnetd published nothing" "$(grep -c 'published flannel annotations' "$tmp/podnetd$n.log")" 0
}
for n in $N; do
	phase "convert$n"
	convert "$n"
done
ok "every pod reaches every other over podnet" all4

phase rollback
pings_start $((WINDOW + ROLLBACK_EXTRA))
sleep $SWITCH_AT
kill "${ppid[3]}"
wait "${ppid[3]}"
t0=$(now_ms)
in_node 3 ip link del podnet0
start_flanneld 3
ok "node3: flanneld programs both other nodes again" wait_for 60 routes_are 3 2
t1=$(now_ms)
diag "node3: podnet0 deleted to flanneld's two routes: $((t1 - t0)) ms"
echo "roll node3 back: $((t1 - t0)) ms" >>"$tmp/windows"
within_pings "roll node3 back" "$t1"
pings_end "roll node3 back" 3 "$(bound $((t1 - t0)))"
is "node3: flannel.1 again with its old MAC" "$(in_node 3 ip -j link show flannel.1 | jget '.[0].address')" "${mac[3]}"
is "node3: its Node's flannel annotations unchanged" "$(annotations node3)" "${ann[3]}"
ok "every pod reaches every other, node3 on flannel again" all4
phase end
sed 's/^/# window: /' "$tmp/windows"
sed 's/^/# loss: /' "$tmp/losses"
kill "${fpid[3]}" "${ppid[1]}" "${ppid[2]}" 2>/dev/null
kube_net_down
modprobe -r br_netfilter 2>/dev/null
done_testing
