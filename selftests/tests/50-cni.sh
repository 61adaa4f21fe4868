#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet CNI plugin on real podnet devices: two nodes (pnn1, pnn2) on
# an underlay bridge, pods attached through libcni with the conflist
# podnet + portmap + bandwidth: STATUS as the device comes and goes and
# the node agent's sync file says the peer table is programmed, the
# MTU from podnet0, CHECK, pod-to-pod traffic across the overlay, a
# hostPort, the bandwidth limit on podnet's host end, DEL (with the netns
# gone too) leaving nothing.  The plugin's protocol and faults without a
# podnet device are selftests/host/cni-protocol.sh's; a CRI runtime's pods
# on podnet0 are 51-cri.sh's.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
. "$PODNET_ROOT/selftests/tools/cni.sh"
N="1 2"

phase setup
cni_nodes || { echo "Bail out! nodes"; exit 1; }
for n in $N; do pn_netns_add "$(pod "$n" a)" && _ns_init "$(pod "$n" a)"; done

# The conflist of node N: host-local on the node's pod CIDRs, its own store.
conflist() {
	jq -n -c --arg n "$1" --arg ipam "$cni_tmp/ipam$1" --arg run "$RUN_DIR" '{
		cniVersion: "1.1.0", name: "podnet",
		plugins: [
			{ type: "podnet", runtimeDir: $run, syncFile: "\($ipam).synced",
			  ipam: { type: "host-local", dataDir: $ipam,
				  ranges: [[{subnet: "10.244.\($n).0/24"}], [{subnet: "fd10:\($n)::/64"}]] } },
			{ type: "portmap", capabilities: { portMappings: true } },
			{ type: "bandwidth", capabilities: { bandwidth: true } }
		] }' >"$cni_tmp/node$1.conflist"
	echo "$cni_tmp/node$1.conflist"
}
l1=$(conflist 1)
l2=$(conflist 2)

phase status
is "STATUS without podnet0: code 50" "$(cni_drv pnn1 -conf "$l1" status)" \
	'{"code":50,"msg":"device podnet0 does not exist"}'
in_node 1 ip link add podnet0 type podnet
is "STATUS with podnet0 down: code 50" "$(cni_drv pnn1 -conf "$l1" status)" \
	'{"code":50,"msg":"device podnet0 is down"}'
in_node 1 ip link set podnet0 up
sync1=$cni_tmp/ipam1.synced
is "STATUS with podnet0 up, no sync file: code 50" "$(cni_drv pnn1 -conf "$l1" status)" \
	"{\"code\":50,\"msg\":\"the peer table of podnet0 has not been programmed yet ($sync1: No such file or directory)\"}"
ifx=$(in_node 1 ip -j link show podnet0 | jget '.[0].ifindex')
echo $((ifx + 1)) >"$sync1"
is "STATUS with the sync file of an earlier podnet0: code 50" "$(cni_drv pnn1 -conf "$l1" status)" \
	"{\"code\":50,\"msg\":\"the peer table of podnet0 has not been programmed yet ($sync1 is for ifindex $((ifx + 1)), podnet0 is $ifx)\"}"
echo "$ifx" >"$sync1"
is "STATUS with podnet0 up and synced: ready" "$(cni_drv pnn1 -conf "$l1" status; echo "rc $?")" "rc 0"
is "ADD on a node without podnet0 (and no mtu): code 11" \
	"$(cni_drv pnn2 -conf "$l2" -id p2 -netns /run/netns/$(pod 2 a) add)" \
	'{"code":11,"msg":"device podnet0 does not exist (yet), and the config sets no mtu"}'
is "... and nothing allocated" "$(find "$cni_tmp/ipam2" -type f ! -name lock 2>/dev/null)" ""
in_node 2 ip -batch - <<EOF
link add podnet0 type podnet
link set podnet0 up
EOF
for n in $N; do
	in_node "$n" ip -batch - <<-EOF
	route add 10.244.0.0/16 dev podnet0
	route add fd10::/16 dev podnet0
	EOF
done
in_node 1 podnetctl peer add dev podnet0 remote "$(v4 2)" prefix 10.244.2.0/24 prefix fd10:2::/64
in_node 2 podnetctl peer add dev podnet0 remote "$(v4 1)" prefix 10.244.1.0/24 prefix fd10:1::/64

phase add
caps='{"portMappings":[{"hostPort":8080,"containerPort":5201,"protocol":"tcp"}],"bandwidth":{"egressRate":100000000,"egressBurst":1000000,"ingressRate":100000000,"ingressBurst":1000000}}'
r1=$(cni_drv pnn1 -conf "$l1" -id p1 -netns /run/netns/$(pod 1 a) -cap "$caps" add)
is "libcni ADD on node 1 (podnet, portmap, bandwidth)" "$?" 0
r2=$(cni_drv pnn2 -conf "$l2" -id p2 -netns /run/netns/$(pod 2 a) add)
is "libcni ADD on node 2" "$?" 0
h1=$(jq -r '.interfaces[0].name' <<<"$r1")
is "the chain's result: podnet's interfaces and /32, /128, then bandwidth's ifb" \
	"$(jq -c '[.cniVersion, [.interfaces[] | .name | sub("^bwp[0-9a-f]+$"; "bwp")], [.ips[] | "\(.address) \(.interface)"]]' <<<"$r1")" \
	"[\"1.1.0\",[\"$h1\",\"eth0\",\"bwp\"],[\"10.244.1.2/32 1\",\"fd10:1::2/128 1\"]]"
mtu=$(in_node 1 ip -j link show podnet0 | jget '.[0].mtu')
is "pod and host end get podnet0's MTU ($mtu)" \
	"$(in_pod 1 a ip -j link show eth0 | jget '.[0].mtu') $(in_node 1 ip -j link show "$h1" | jget '.[0].mtu') $(jq -r '.interfaces[1].mtu' <<<"$r1")" \
	"$mtu $mtu $mtu"
is "libcni CHECK of the chain" \
	"$(cni_drv pnn1 -conf "$l1" -id p1 -netns /run/netns/$(pod 1 a) -cap "$caps" check; echo "rc $?")" "rc 0"

phase traffic
ok "pods 1a and 2a reach each other over podnet, IPv4 and IPv6" \
	pnping -w 3 "$(pod 1 a),10.244.2.2" "$(pod 1 a),fd10:2::2" "$(pod 2 a),10.244.1.2" "$(pod 2 a),fd10:1::2"
is "bandwidth shaped podnet's host end (tbf)" \
	"$(in_node 1 tc -j qdisc show dev "$h1" | jq -r '[.[] | .kind] | index("tbf") != null')" true
if iperf_server 1 a 5201 -1; then
	ok "hostPort 8080 on node 1 reaches the pod's port 5201 (portmap)" \
		in_ns $U iperf3 -c "$(v4 1)" -p 8080 -t 1
else
	_tap_result not-ok "hostPort 8080 on node 1 reaches the pod's port 5201 (portmap)" "no iperf3 server"
fi

phase del
ok "libcni DEL on node 1" cni_drv pnn1 -conf "$l1" -id p1 -netns /run/netns/$(pod 1 a) -cap "$caps" del
ok "libcni DEL again" cni_drv pnn1 -conf "$l1" -id p1 -netns /run/netns/$(pod 1 a) -cap "$caps" del
is "node 1: no veth, route, address or lock left; no hostPort rule" \
	"$(leftovers pnn1; find "$cni_tmp/ipam1" -type f ! -name lock ! -name 'last_reserved_ip.*'; in_node 1 iptables-save -t nat | grep -c 'dport 8080')" "0"
ip netns del "$(pod 2 a)"
ok "libcni DEL on node 2, its pod's netns already deleted" \
	cni_drv pnn2 -conf "$l2" -id p2 -netns /run/netns/$(pod 2 a) del
is "node 2: nothing left" \
	"$(leftovers pnn2; find "$cni_tmp/ipam2" -type f ! -name lock ! -name 'last_reserved_ip.*')" ""
in_node 1 ip link del podnet0
is "STATUS once podnet0 is deleted: code 50" "$(cni_drv pnn1 -conf "$l1" status)" \
	'{"code":50,"msg":"device podnet0 does not exist"}'

phase end
done_testing
