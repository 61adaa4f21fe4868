#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# podnetd on three nodes (pnn1..3) against a real kube-apiserver on the
# host (run.sh starts it; 10.0.2.2 over qemu user networking, NATed from
# the underlay): Nodes created, changed and deleted through the API, and
# each time every node's kernel table equals what the Node list says;
# pod traffic across nodes; status heartbeats cost no kernel write;
# podnetd killed under traffic (nothing lost) and a Node deleted while it
# was down (pruned when it starts); a service-account token rotated and
# the old one revoked; etcd compacted and the apiserver restarted, so a
# watch from the old resourceVersion gets 410 and podnetd lists again; a
# stalled watch.  flannel's annotations (--publish-flannel on nodes 1
# and 3): node1 carries them as flanneld left them, and its new device
# takes that VtepMAC and it sends nothing; node3 adopts its device and
# publishes that device's MAC, which node1's peer for it then carries;
# heartbeats send nothing more; node3's device made again keeps the MAC.
# needs: kube-apiserver
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
PODS=a	# one pod per node is enough here
. "$PODNET_ROOT/selftests/tools/topology.sh"
PODNETD=$PODNET_BIN/podnetd
. "$PODNET_ROOT/selftests/tools/kube-guest.sh"

# want N < NODE-LIST: node N's table as the API says it should be: one
# line per other Node with an InternalIP, "REMOTE PREFIX,PREFIX", sorted.
want() {
	jq -r --arg self "node$1" '.items[] | select(.metadata.name != $self) |
		(.status.addresses // [] | map(select(.type == "InternalIP")) | .[0].address) as $ip |
		select($ip != null) | "\($ip) \(.spec.podCIDRs | sort | join(","))"' | sort
}
have() {
	in_node "$1" "$PODNET_BIN/podnetctl" -j peer show dev podnet0 |
		jq -r '.[] | select(.remote) | "\(.remote) \(.prefixes | sort | join(","))"' | sort
}
# tables_match DESC: every running node's table equals the API's Node
# list (read once: the change is made), within 20 s.
tables_match() {
	local n i h w=() bad list
	list=$(kapi GET /api/v1/nodes)
	for n in $N; do w[$n]=$(want "$n" <<<"$list"); done
	for i in $(seq 100); do
		bad=
		for n in $N; do
			[ -n "${down[$n]:-}" ] && continue
			h=$(have "$n")
			[ "${w[$n]}" = "$h" ] || { bad="node$n: want [${w[$n]}] have [$h]"; break; }
		done
		[ -z "$bad" ] && break
		sleep 0.1
	done
	if [ -z "$bad" ]; then _tap_result ok "$1"; else _tap_result not-ok "$1" "$bad"; fi
}
metric() {	# NODE NAME: a podnetd metric's value on NODE
	in_node "$1" curl -s --max-time 5 http://127.0.0.1:9472/metrics | awk -v m="$2" '$1 == m { print $2 }'
}

declare -A down pid
start_podnetd() {	# N [KUBECONFIG|in-cluster [OPTION...]]
	local n=$1 kc=${2:-$tmp/kubeconfig} run=("$PODNETD")
	shift $(($# < 2 ? $# : 2))
	if [ "$kc" = in-cluster ]; then
		# A pod's view: the service's address and the service account's files.
		run=(env KUBERNETES_SERVICE_HOST=10.0.2.2 KUBERNETES_SERVICE_PORT="$KUBE_PORT"
		     PODNETD_SA_DIR="$tmp/sa" "$PODNETD")
	else
		run+=(--kubeconfig "$kc")
	fi
	bg_ns "$(node "$n")" "${run[@]}" --node-name "node$n" \
		--cluster-cidr 10.244.0.0/16,fd10::/16 --cni-conf-dir "$tmp/cni$n" \
		--sync-file "$tmp/sync$n" --stall-timeout 20 "$@" >>"$tmp/podnetd$n.log" 2>&1
	pid[$n]=$!
	echo "${pid[$n]}" >"$tmp/podnetd$n.pid"
	unset "down[$n]"
}

phase setup
topo_setup || { echo "Bail out! topology"; exit 1; }
kube_net_up $U br0 192.168.99.254/24 pnn1 pnn2 pnn3 || { echo "Bail out! guest network to the host"; exit 1; }
ok "the API server answers from a node" in_node 1 curl -sS --max-time 20 --cacert "$K/ca.crt" "$API/readyz"
# Node 1's device is podnetd's to create; nodes 2 and 3 have one to adopt.
in_node 1 ip link del podnet0
cp "$K/token1" "$tmp/token"
# The in-cluster files, as kubelet projects them (its atomic writer): a
# sticky root, token and ca.crt symlinks into ..data, itself a symlink to
# a timestamped directory (podnetd follows symlinks within the directory
# only, lib/file.c).  project_sa N TOKEN: generation N, swapped in by rename.
project_sa() {
	mkdir -p "$tmp/sa/..$1" && cp "$2" "$tmp/sa/..$1/token" && cp "$K/ca.crt" "$tmp/sa/..$1/ca.crt" &&
		ln -sfn "..$1" "$tmp/sa/..data_tmp" && mv -T "$tmp/sa/..data_tmp" "$tmp/sa/..data"
}
mkdir -m 1777 "$tmp/sa" && project_sa 1 "$K/token1" &&
	ln -s ..data/token "$tmp/sa/token" && ln -s ..data/ca.crt "$tmp/sa/ca.crt"
kubeconfig "$tmp/kubeconfig" "tokenFile: $tmp/token"
# (In parallel: under TCG every TLS handshake costs.)  node4 has no machine.
for n in $N 4; do { mknode "node$n" "192.168.99.$n" "$n"; echo $? >"$tmp/mk$n"; } & done
wait
for n in $N 4; do is "create Node node$n" "$(cat "$tmp/mk$n")" 0; done
# node1 ran flanneld: its Node has flanneld's annotations.
FL=flannel.alpha.coreos.com
MAC1=0e:f1:00:00:00:01
fl1=$(jq -n -c --arg p "$FL/" --arg m "$MAC1" '{($p + "backend-data"): "{\"VNI\":1,\"VtepMAC\":\"\($m)\"}",
	($p + "backend-type"): "vxlan", ($p + "kube-subnet-manager"): "true", ($p + "public-ip"): "192.168.99.1"}')
ok "node1 carries flanneld's annotations" kapi PATCH /api/v1/nodes/node1 \
	"{\"metadata\":{\"annotations\":$fl1}}" application/merge-patch+json
# flannel_of NODE: its flannel annotations, one JSON object, keys sorted.
flannel_of() {
	kapi GET "/api/v1/nodes/$1" | jq -c -S --arg p "$FL/" \
		'.metadata.annotations // {} | with_entries(select(.key | startswith($p)))'
}

phase sync
start_podnetd 1 "" --publish-flannel
start_podnetd 2
start_podnetd 3 "" --publish-flannel
for n in $N; do
	ok "podnetd on node$n marks its table synced" wait_for 30 test -s "$tmp/sync$n"
	is "node$n's sync file holds podnet0's ifindex" "$(cat "$tmp/sync$n")" \
		"$(in_node "$n" ip -j link show podnet0 | jq '.[0].ifindex')"
done
tables_match "every table equals the Node list"
is "node1's podnet0 was created on eth0 with its InternalIP" \
	"$(in_node 1 ip -d -j link show podnet0 | jq -r '.[0].linkinfo.info_data | "\(.local) \(.link // "")"')" \
	"192.168.99.1 eth0"
is "node1's cluster routes go to podnet0" \
	"$(in_node 1 ip -j route show dev podnet0 | jq -r '[.[].dst] | sort | join(" ")')" "10.244.0.0/16"
ok "node1 wrote a CNI conflist with its pod CIDRs" \
	jq -e '.plugins[0].type == "podnet" and (.plugins[0].ipam.ranges | map(.[0].subnet) == ["10.244.1.0/24", "fd10:1::/64"])' \
	"$tmp/cni1/10-podnet.conflist"
ok "node1 /readyz says ready" in_node 1 curl -sf --max-time 5 http://127.0.0.1:9472/readyz
# flannel's annotations.
is "node1's new podnet0 has the VtepMAC its Node published for flanneld" "$(link_info 1 podnet0 .mac)" "$MAC1"
is "node1's annotations said it all: unchanged" "$(flannel_of node1)" "$(jq -c -S . <<<"$fl1")"
is "... and podnetd sent no PATCH" "$(grep -c 'published flannel annotations' "$tmp/podnetd1.log")" 0
mac3=$(link_info 3 podnet0 .mac)
is "node3 published flanneld's annotations for the device it adopted" "$(flannel_of node3)" \
	"$(jq -n -c -S --arg p "$FL/" --arg m "$mac3" '{($p + "backend-data"): "{\"VNI\":1,\"VtepMAC\":\"\($m)\"}",
	   ($p + "backend-type"): "vxlan", ($p + "kube-subnet-manager"): "true", ($p + "public-ip"): "192.168.99.3"}')"
is "node2 (no --publish-flannel) published nothing" "$(flannel_of node2)" "{}"
peer_mac() {	# NODE REMOTE: the MAC of NODE's peer REMOTE
	in_node "$1" "$PODNET_BIN/podnetctl" -j peer show dev podnet0 remote "$2" | jq -r '.[0].mac // "none"'
}
peer_mac_is() { [ "$(peer_mac "$1" "$2")" = "$3" ]; }
wait_for 10 peer_mac_is 1 192.168.99.3 "$mac3"
is "node1's peer for node3 carries node3's published VTEP MAC" "$(peer_mac 1 192.168.99.3)" "$mac3"
ok "pods on every node reach pods on every other node" all_pairs
like "node1's /metrics has the kernel's per-peer counters, named by Node" \
	"$(in_node 1 curl -s --max-time 5 http://127.0.0.1:9472/metrics | grep '^podnet_peer_tx_packets_total')" \
	'^podnet_peer_tx_packets_total\{device="podnet0",remote="192.168.99.2",node="node2"\} [1-9]'

phase changes
w0=$(metric 1 podnetd_kernel_writes_total)
ok "create Node node5" mknode node5 192.168.99.5 5
tables_match "a new Node reaches every table"
is "node1: one kernel request for a new Node" "$(metric 1 podnetd_kernel_writes_total)" $((w0 + 1))
ok "node5 gets another InternalIP" set_ip node5 192.168.99.55
tables_match "a changed InternalIP reaches every table"
w1=$(metric 1 podnetd_kernel_writes_total)
e1=$(metric 1 podnetd_events_total)
hb=()
for i in 1 2 3 4 5; do
	heartbeat node2 "$i" &
	hb+=($!)
	heartbeat node5 "$i" &
	hb+=($!)
done
wait "${hb[@]}"	# (not a bare wait: the podnetds are children too)
for i in $(seq 50); do [ "$(metric 1 podnetd_events_total)" -ge $((e1 + 10)) ] && break; sleep 0.2; done
is "node1 saw the 10 heartbeats" "$(( $(metric 1 podnetd_events_total) - e1 ))" 10
is "heartbeats cost no kernel write" "$(metric 1 podnetd_kernel_writes_total)" "$w1"
e3=$(metric 3 podnetd_events_total)
heartbeat node3 1 && heartbeat node3 2
for i in $(seq 50); do [ "$(metric 3 podnetd_events_total)" -ge $((e3 + 2)) ] && break; sleep 0.2; done
is "node3 saw its own Node's 2 heartbeats" "$(( $(metric 3 podnetd_events_total) - e3 ))" 2
is "... and sent one PATCH in all" "$(grep -c 'published flannel annotations' "$tmp/podnetd3.log")" 1
ok "delete Node node5" kapi DELETE /api/v1/nodes/node5
tables_match "a deleted Node leaves every table"

phase restart
# Traffic between pods of node1 and node2 while both agents are killed.
in_pod 1 a ping -q -i 0.02 -c 200 -W 1 "$(podv4 2 a)" >"$tmp/ping.out" 2>&1 &
pingpid=$!
sleep 1
kill -9 "${pid[1]}" "${pid[2]}"
down[1]=1 down[2]=1
wait "$pingpid"
like "no packet lost while podnetd was killed" "$(cat "$tmp/ping.out")" " 0% packet loss"
ok "delete Node node4 while node1's and node2's podnetd are down" kapi DELETE /api/v1/nodes/node4
is "node2's table still has node4's peer (nobody programs it)" \
	"$(have 2 | grep -c 192.168.99.4)" 1
# Restarted: node2 in-cluster (KUBERNETES_SERVICE_HOST/PORT, the service
# account's files) with a list page of 2 Nodes (continue tokens), node1
# with watches the server ends every 2-4 s.
start_podnetd 1 "" --watch-timeout 2
start_podnetd 2 in-cluster --page-size 2
tables_match "restarted podnetd prunes the Node deleted while it was down"
ok "node2 listed the 3 Nodes in pages of 2" grep -q "listed 3 nodes in 2 pages" "$tmp/podnetd2.log"
ok "node2 runs with the in-cluster config" grep -q "API server https://10.0.2.2:$KUBE_PORT (in-cluster)" "$tmp/podnetd2.log"
ok "node2 adopted its device on restart" grep -q "adopted podnet0" "$tmp/podnetd2.log"
# Someone deletes node3's device under its podnetd: the next change
# fails, and podnetd creates the device again and replaces the table.
in_node 3 ip link del podnet0
ok "create Node node9 after node3's podnet0 was deleted" mknode node9 192.168.99.9 9
tables_match "node3's podnetd made podnet0 again, with the whole table"
for i in $(seq 50); do
	[ "$(cat "$tmp/sync3")" = "$(in_node 3 ip -j link show podnet0 | jq '.[0].ifindex')" ] && break
	sleep 0.2
done
is "node3's sync file holds the new podnet0's ifindex" "$(cat "$tmp/sync3")" \
	"$(in_node 3 ip -j link show podnet0 | jq '.[0].ifindex')"
is "node3's new podnet0 keeps the VTEP MAC it published" "$(link_info 3 podnet0 .mac)" "$mac3"
is "... so there was nothing to publish again" "$(grep -c 'published flannel annotations' "$tmp/podnetd3.log")" 1
for i in $(seq 50); do [ "$(metric 1 podnetd_watch_restarts_total)" -ge 2 ] && break; sleep 0.2; done
like "node1 watched again after its watches timed out" "$(metric 1 podnetd_watch_restarts_total)" '^([2-9]|[1-9][0-9]+)$'
is "without errors or relists" "$(metric 1 podnetd_api_errors_total) $(metric 1 podnetd_relists_total)" "0 0"

# The API's side of things (token rotation, 410 Gone, restarts of the
# apiserver) does not depend on the kernel: one kernel of the matrix runs it.
if pn_full; then
phase token
ok "rotate node3's token: the file gets token2" cp "$K/token2" "$tmp/token"
ok "rotate node2's projected token: ..data swapped to token2's directory" project_sa 2 "$K/token2"
ok "revoke token1 (delete the Secret it is bound to)" \
	host_rpc kubectl -n kube-system delete secret podnetd-token1
for i in $(seq 50); do
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K/ca.crt" \
		-H "Authorization: Bearer $(cat "$K/token1")" "$API/api/v1/nodes")
	[ "$code" = 401 ] && break
	sleep 0.2
done
is "token1 is refused now" "$code" 401
ok "restart kube-apiserver (every watch reconnects)" host_rpc restart-apiserver
ok "create Node node6" mknode node6 192.168.99.6 6
tables_match "after the restart and the rotation, a new Node reaches every table"

phase relist
r3=$(metric 3 podnetd_relists_total)
kill -STOP "${pid[3]}"
ok "create Node node7 while node3's podnetd is stopped" mknode node7 192.168.99.7 7
ok "compact etcd and restart kube-apiserver" host_rpc compact
ok "restart kube-apiserver" host_rpc restart-apiserver
kill -CONT "${pid[3]}"
tables_match "node3 catches up after 410 Gone"
ok "node3 listed again after 410 Gone" grep -q "is gone (410): listing again" "$tmp/podnetd3.log"
is "node3 counts one relist more" "$(metric 3 podnetd_relists_total)" $((r3 + 1))

phase stall
# node3's podnetd again, through the proxy, with a short stall timeout.
kill "${pid[3]}"
wait "${pid[3]}"
sed "s|$API|https://10.0.2.2:$PROXY_PORT|" "$tmp/kubeconfig" >"$tmp/kubeconfig-proxy"
: >"$tmp/sync3"
start_podnetd 3 "$tmp/kubeconfig-proxy" --stall-timeout 3
ok "node3's podnetd syncs through the proxy" wait_for 30 test -s "$tmp/sync3"
ok "the proxy stalls every connection" host_rpc proxyctl stall
ok "create Node node8 while node3's watch is stalled" mknode node8 192.168.99.8 8
for i in $(seq 100); do grep -q "the watch stalled" "$tmp/podnetd3.log" && break; sleep 0.2; done
ok "podnetd notices the stalled watch" grep -q "watch: the watch stalled: no byte in 3 s" "$tmp/podnetd3.log"
ok "the proxy passes again" host_rpc proxyctl pass
tables_match "node3 catches up after the stall"
fi

phase stop
kill "${pid[3]}"
wait "${pid[3]}"
is "podnetd exits 0 on SIGTERM" $? 0
ok "and leaves node3's table as it was" test -n "$(have 3)"
is "podnetd logs one line per change of node5" \
	"$(grep -F node5 "$tmp/podnetd1.log" | cut -d' ' -f2-)" \
	"node node5 added: underlay none, pod CIDRs 10.244.5.0/24,fd10:5::/64
node node5 changed: underlay 192.168.99.5, pod CIDRs 10.244.5.0/24,fd10:5::/64
node node5 changed: underlay 192.168.99.55, pod CIDRs 10.244.5.0/24,fd10:5::/64
node node5 deleted"
kill "${pid[1]}" "${pid[2]}" 2>/dev/null
for n in $N; do diag "podnetd$n: $(wc -l <"$tmp/podnetd$n.log") log lines"; done
kube_net_down
done_testing
