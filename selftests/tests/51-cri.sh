#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet CNI plugin driven by a real CRI runtime on podnet devices, as
# a kubelet's node drives it: two nodes (pnn1, pnn2) on an underlay bridge.
# Node 1 runs containerd with crictl (selftests/tools/cri.sh: its CRI
# plugin, the runc shim, Debian's runc) and the conflist podnet + portmap
# at cniVersion 1.1.0; node 2's pod is attached through libcni (a second
# containerd would double the guest time and show nothing more of podnet).
# - STATUS: NetworkReady is false with podnet's error while podnet0 is
#   missing, down, or its peer table not synced (the node agent's sync
#   file), true once it is, false again when podnet0 is deleted;
# - `crictl runp` of a pod with a hostPort: podnet's host end, routes and
#   portmap's DNAT on node 1;
# - the CRI pod and node 2's pod ping each other over podnet0, IPv4 and
#   IPv6: both podnet0s count exactly those packets and bytes;
# - the hostPort, reached from node 2, delivers exactly the bytes sent;
# - stopp, rmp, containerd's exit and libcni DEL leave nothing behind.
# Stock kernels only: the debug kernel (a tinyconfig) has neither cgroups
# (runc) nor netfilter (portmap); run there, this file says so and skips.
. "$PODNET_ROOT/selftests/lib.sh"

if ! grep -qw cgroup2 /proc/filesystems; then
	skip "a CRI runtime's pods on podnet0" \
		"kernel $PODNET_KVER has no cgroups (runc needs them; the debug kernel is a tinyconfig)"
	done_testing
	exit
fi
pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
. "$PODNET_ROOT/selftests/tools/cni.sh"
. "$PODNET_ROOT/selftests/tools/cri.sh"
N="1 2"
cg=/sys/fs/cgroup
cg_mounted=
trap 'cri_exit; [ -z "$cg_mounted" ] || umount $cg; _cni_exit' EXIT

phase setup
mountpoint -q $cg || { mount -t cgroup2 cgroup2 $cg && cg_mounted=1; } ||
	{ echo "Bail out! cannot mount cgroup2 on $cg"; exit 1; }
cni_nodes || { echo "Bail out! nodes"; exit 1; }
pn_netns_add "$(pod 2 a)" && _ns_init "$(pod 2 a)"
cri_init "$(node 1)" || { echo "Bail out! cannot set up $CRI_T"; exit 1; }
sync1=$CRI_T/podnet0.synced
# The conflist of node N: podnet on podnet0 (its MTU), host-local on the
# node's pod CIDRs, portmap; node 1's with the sync file, node 2's
# (libcni, no STATUS asked) with none.
conflist() {
	jq -n -c --arg n "$1" --arg ipam "$IPAM_DIR$1" --arg run "$RUN_DIR" --arg sync "$2" '{
		cniVersion: "1.1.0", name: "podnet",
		plugins: [
			{ type: "podnet", runtimeDir: $run, syncFile: $sync,
			  ipam: { type: "host-local", dataDir: $ipam,
				  ranges: [[{subnet: "10.244.\($n).0/24"}], [{subnet: "fd10:\($n)::/64"}]] } },
			{ type: "portmap", capabilities: { portMappings: true } }
		] }'
}
mtu() { in_node "$1" ip -o link show dev "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }'; }

phase containerd
cri_start || diag "containerd is not up: $(tail -n 5 "$CRI_T/containerd.log")"
is "containerd $CRI_VERSION is up in node 1, with its CRI plugin" \
	"$(cri version | awk '$1 == "RuntimeName:" || $1 == "RuntimeVersion:" { printf "%s ", $2 }')" \
	"containerd $CRI_VERSION "
cri_import
is "the local sandbox image is imported and pinned" \
	"$(cri inspecti podnet.test/pause:1 | jq -c '[.status.repoTags, .status.pinned]')" \
	'[["podnet.test/pause:1"],true]'

phase status
# containerd asks every plugin of the list for STATUS on each status
# request: podnet's answer is the node's NetworkReady.
not_ready() { echo '[false,"NetworkPluginNotReady","Network plugin returns error: '"$1"'"]'; }
cri_conflist "$(conflist 1 "$sync1")"
cri_is_soon "cniVersion 1.1.0, no podnet0: NetworkReady false with podnet's STATUS error" \
	"$(not_ready "device podnet0 does not exist")" cri_netready
in_node 1 ip link add podnet0 type podnet
is "podnet0 down: NetworkReady false" "$(cri_netready)" "$(not_ready "device podnet0 is down")"
in_node 1 ip -batch - <<EOF
link set podnet0 up
route add 10.244.0.0/16 dev podnet0
route add fd10::/16 dev podnet0
EOF
is "podnet0 up, its peer table not programmed: NetworkReady false" "$(cri_netready)" \
	"$(not_ready "the peer table of podnet0 has not been programmed yet ($sync1: No such file or directory)")"
# What podnetd does once its first full table is committed: podnet0's
# ifindex into the sync file.
echo "remote $(v4 2) prefix 10.244.2.0/24 prefix fd10:2::/64" |
	in_node 1 podnetctl peer replace dev podnet0
in_node 1 ip -o link show dev podnet0 | awk -F: '{ print $1 }' >"$sync1"
is "podnet0 up and its peer table synced: NetworkReady true" "$(cri_netready)" '[true,"",""]'

phase node2
in_node 2 ip -batch - <<EOF
link add podnet0 type podnet
link set podnet0 up
route add 10.244.0.0/16 dev podnet0
route add fd10::/16 dev podnet0
EOF
echo "remote $(v4 1) prefix 10.244.1.0/24 prefix fd10:1::/64" |
	in_node 2 podnetctl peer replace dev podnet0
conflist 2 "" >"$cni_tmp/node2.conflist"
p2args=(-conf "$cni_tmp/node2.conflist" -id p2 -netns "/run/netns/$(pod 2 a)")
r2=$(cni_drv pnn2 "${p2args[@]}" add)
is "node 2: libcni ADD of its pod" "$?:$(jq -r -c '[.ips[].address]' <<<"$r2")" \
	'0:["10.244.2.2/32","fd10:2::2/128"]'

phase runp
p1=$(cri runp "$(cri_podconf p1 '.port_mappings = [{protocol: 0, container_port: 80, host_port: 8080}]')")
rc=$?
cri inspectp "$p1" >"$CRI_T/p1.inspect"
{ read -r state ips; read -r ns1; } <<<"$(jq -r '(.status.state + " " + ([.status.network.ip, .status.network.additionalIps[].ip] | join(" "))),
	(.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path)' "$CRI_T/p1.inspect")"
is "crictl runp on node 1: the pod is Ready, with host-local's first addresses" \
	"$rc $state $ips" "0 SANDBOX_READY 10.244.1.2 fd10:1::2"
h1=$(cri_hostif "$p1")
m=$(mtu 1 podnet0)
is "its host end: podnet's name and alias, podnet0's MTU ($m) on both ends, up" \
	"$(in_node 1 ip -j -d link show dev "$h1" | jq -r '.[0] | "\(.ifname) \(.ifalias) \(.mtu) \(.operstate)"') $(nsenter --net="$ns1" ip -o link show dev eth0 | grep -oE 'mtu [0-9]+')" \
	"$h1 podnet:podnet:$p1:eth0 $m UP mtu $m"
is "node 1: the pod's /32 and /128 routes via the host end" \
	"$(host_routes pnn1 "$h1")" \
	"10.244.1.2 proto static scope link 
fd10:1::2 metric 1024 pref medium"
like "portmap, chained after podnet: hostPort 8080 DNATs to the pod's address" \
	"$(in_node 1 iptables -t nat -S)" "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.2:80"

phase traffic
# Exactly these cross podnet0 (podnet0 is an L3 device: no neighbour
# discovery of its own): 3 IPv4 echo requests and 3 IPv6 ones from the CRI
# pod, 84 and 104 bytes each (56 bytes of data), and their replies.
c1=$(devstat 1 podnet0 tx_packets tx_bytes rx_packets rx_bytes)
c2=$(devstat 2 podnet0 tx_packets tx_bytes rx_packets rx_bytes)
ok "the CRI pod on node 1 pings node 2's pod over podnet0, IPv4 and IPv6" \
	sh -c 'nsenter --net="$1" ping -q -c 3 -i 0.2 -W 3 10.244.2.2 &&
		nsenter --net="$1" ping -q -6 -c 3 -i 0.2 -W 3 fd10:2::2' sh "$ns1"
delta() {	# BEFORE AFTER: AFTER - BEFORE, field by field
	local -a b=($1) a=($2)
	local i out=
	for i in "${!a[@]}"; do out+="$((a[i] - b[i])) "; done
	echo "${out% }"
}
is "podnet0 on node 1: sent and received exactly those 6 packets, 564 bytes each way" \
	"$(delta "$c1" "$(devstat 1 podnet0 tx_packets tx_bytes rx_packets rx_bytes)")" "6 564 6 564"
is "podnet0 on node 2: received and answered exactly those" \
	"$(delta "$c2" "$(devstat 2 podnet0 tx_packets tx_bytes rx_packets rx_bytes)")" "6 564 6 564"

phase hostport
# A listener on the pod's port 80 (in its netns, where a container of the
# pod would listen); node 2 connects to node 1's hostPort 8080.
nsenter --net="$ns1" busybox nc -l -p 80 >"$CRI_T/got" </dev/null &
srv=$!
listening() { [ -n "$(nsenter --net="$ns1" ss -Hltn 'sport = :80')" ]; }
wait_for 10 listening || diag "no listener on the pod's port 80"
msg="podnet hostPort $$ $RANDOM"
in_node 2 busybox nc "$(v4 1)" 8080 <<<"$msg"
cri_is_soon "node 2 reaches the pod through node 1's hostPort 8080: it got exactly the bytes sent" \
	"$msg" cat "$CRI_T/got"
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

phase teardown
cri stopp "$p1" >/dev/null
is "stopp: podnet's host end, routes and lock, host-local's addresses and portmap's DNAT are gone" \
	"$(leftovers pnn1; find "${IPAM_DIR}1" -type f ! -name lock ! -name 'last_reserved_ip.*'
	in_node 1 iptables-save -t nat | grep -E 'CNI-DN-|-j DNAT')" ""
cri rmp "$p1" >/dev/null
is "rmp: no pod, and its netns is gone" "$(cri pods -q; [ -e "$ns1" ] && echo "$ns1 left")" ""
in_node 1 ip link del podnet0
is "podnet0 deleted: NetworkReady false again" "$(cri_netready)" "$(not_ready "device podnet0 does not exist")"
cri_down_checks "$RUN_DIR" ""
ok "node 2: libcni DEL of its pod" cni_drv pnn2 "${p2args[@]}" del
is "node 2: nothing left" \
	"$(leftovers pnn2; find "${IPAM_DIR}2" -type f ! -name lock ! -name 'last_reserved_ip.*')" ""

phase end
done_testing
