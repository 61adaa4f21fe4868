#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo shown by `make demo`, run inside the VM: a two-node cluster whose
# Nodes live in a real kube-apiserver (on the host), podnetd on each node
# programming podnet0 from them and writing the CNI config, pods attached
# through that config by the podnet CNI plugin (driven by libcni, as a
# runtime does), talking across the overlay.  Narration goes out as TAP
# comments; every step is also checked, so a broken demo fails loudly.
# needs: kube-apiserver
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/tools/cni.sh"
. "$PODNET_ROOT/selftests/tools/kube-guest.sh"

step() {	# narrate a command, run it, print its output, check it
	local out rc
	diag ""
	diag "\$ $*"
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ -n "$out" ] && diag "$out"
	if [ $rc -eq 0 ]; then
		_tap_result ok "$*"
	else
		_tap_result not-ok "$*" "exit $rc"
	fi
}
quiet() { "$@" >/dev/null 2>&1 || _tap_result not-ok "setup: $*"; }
nodes() { kapi GET /api/v1/nodes | jq -r '.items[] | "\(.metadata.name)  \(.spec.podCIDRs | join(","))  \(.status.addresses[0].address)"'; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; kube_net_down; _cni_exit' EXIT

pn_load
diag "podnet demo on Linux $(uname -r), kube-apiserver at $API (on the host)"
diag "Two nodes (network namespaces node1, node2) on an underlay bridge,"
diag "192.168.77.0/24."
quiet pn_netns_add underlay
quiet ip -n underlay link add br0 type bridge
quiet ip -n underlay link set br0 up
for n in 1 2; do
	quiet pn_netns_add node$n
	quiet ip -n node$n link add eth0 type veth peer name n$n netns underlay
	quiet ip -n underlay link set n$n master br0 up
	quiet ip -n node$n addr add 192.168.77.$n/24 dev eth0
	quiet ip -n node$n link set eth0 up
	quiet ip netns exec node$n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	quiet pn_netns_add pod$n
done
quiet kube_net_up underlay br0 192.168.77.254/24 node1 node2

diag ""
diag "The cluster knows two Nodes, with the pod CIDRs and InternalIPs that"
diag "kube-controller-manager and kubelet would give them:"
for n in 1 2; do quiet mknode node$n 192.168.77.$n $n; done
step nodes

diag ""
diag "podnetd on each node: it creates podnet0, programs a peer per other"
diag "Node, routes the cluster CIDRs to podnet0 and writes the CNI config."
kubeconfig "$cni_tmp/kubeconfig" "token: $KUBE_ADMIN_TOKEN"
for n in 1 2; do
	ip netns exec node$n "$PODNET_BIN/podnetd" --kubeconfig "$cni_tmp/kubeconfig" --node-name node$n \
		--cluster-cidr 10.244.0.0/16,fd10::/16 --cni-conf-dir "$cni_tmp/net.d$n" \
		--sync-file "$cni_tmp/node$n.synced" >"$cni_tmp/podnetd$n.log" 2>&1 &
	pids+=($!)
done
for n in 1 2; do quiet wait_for 30 test -s "$cni_tmp/net.d$n/10-podnet.conflist"; done
step cat "$cni_tmp/podnetd1.log"
step ip netns exec node1 ip -d link show podnet0
step ip netns exec node1 ip route show dev podnet0
step ip netns exec node1 "$PODNET_BIN/podnetctl" peer show

diag ""
diag "A pod on each node, attached by the podnet CNI plugin with the config"
diag "podnetd wrote (host-local's store moved to a scratch directory):"
step cat "$cni_tmp/net.d1/10-podnet.conflist"
for n in 1 2; do
	jq -c --arg d "$IPAM_DIR$n" --arg r "$RUN_DIR" \
		'.plugins[0].ipam.dataDir = $d | .plugins[0].runtimeDir = $r | .plugins[0].syncFile = "'"$cni_tmp/node$n.synced"'"' \
		"$cni_tmp/net.d$n/10-podnet.conflist" >"$cni_tmp/node$n.conflist"
	step cni_drv node$n -conf "$cni_tmp/node$n.conflist" status
	quiet cni_drv node$n -conf "$cni_tmp/node$n.conflist" -id demo$n -netns /run/netns/pod$n add
done
step ip netns exec pod1 ip -br addr show dev eth0
step ip netns exec pod2 ip -br addr show dev eth0

diag ""
diag "The pod on node1 reaches the pod on node2 across the overlay:"
step ip netns exec pod1 ping -c3 -i0.2 10.244.2.2
step ip netns exec pod1 ping -6 -c3 -i0.2 fd10:2::2
ip netns exec pod2 iperf3 -s -1 -D >/dev/null 2>&1
sleep 1
step ip netns exec pod1 iperf3 -c 10.244.2.2 -t 2 -f m
step ip netns exec node1 "$PODNET_BIN/podnetctl" -s peer show

diag ""
diag "A third Node joins the cluster; both tables follow within moments:"
quiet mknode node3 192.168.77.3 3
sleep 2
step ip netns exec node2 "$PODNET_BIN/podnetctl" peer show
quiet kapi DELETE /api/v1/nodes/node3
sleep 2
step ip netns exec node2 "$PODNET_BIN/podnetctl" peer show
step grep node3 "$cni_tmp/podnetd2.log"

diag ""
diag "A pod address no node owns is refused at once:"
out=$(ip netns exec pod1 ping -c1 -W2 10.244.99.1 2>&1)
diag "\$ ip netns exec pod1 ping -c1 -W2 10.244.99.1"
diag "$out"
like "no peer: ICMP unreachable to the sender" "$out" "Unreachable"
for n in 1 2; do quiet cni_drv node$n -conf "$cni_tmp/node$n.conflist" -id demo$n -netns /run/netns/pod$n del; done
done_testing
