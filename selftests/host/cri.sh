#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet CNI plugin end to end through a real CRI runtime: containerd
# 2.x (its CRI plugin, the runc shim, Debian's runc) driven by crictl, with
# podnet, host-local and portmap chained in a conflist.  No podnet device
# (MTU from the config), so it runs on the host's kernel:
#   PODNET_ROOT=$PWD bash selftests/host/cri.sh (make check runs it on the host)
# The runtime, its binaries and its private directories are
# selftests/tools/cri.sh's (shared with 51-cri.sh, the same in the VM
# with podnet0 on two nodes).  Nothing is left behind: links, routes,
# iptables chains, files, processes, mounts and cgroups are checked at
# the end, after containerd has stopped.
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/tools/cri.sh"

T=$CRI_T
N=pncr$$			# the node: containerd's network namespace
NET=pncri			# the CNI network's name
IPAM=$T/ipam/$NET		# host-local's store of this network
netns_before=$(ls /run/netns 2>/dev/null | grep '^cni-')

ms() { date +%s%3N; }
ns_exec() { nsenter --net="/run/netns/$N" "$@"; }
# ipam_used: the addresses host-local holds, "ADDR ID IFNAME" per line.
ipam_used() {
	local f
	for f in "$IPAM"/*; do
		case ${f##*/} in '*' | lock | last_reserved_ip.*) continue ;; esac
		printf '%s %s\n' "${f##*/}" "$(tr '\r\n' '  ' <"$f" | tr -s ' ')"
	done | sort
}
# links and routes podnet made in the node; empty when none is left.
node_state() {
	ns_exec ip -o link show | awk -F': ' '$2 !~ /^lo$/ { print "link " $2 }'
	ns_exec ip -o route show | sed 's/^/route /'
	ns_exec ip -o -6 route show proto static | sed 's/^/route6 /'
}
trap 'cri_exit; pn_cleanup' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

pn_netns_add $N || { echo "Bail out! cannot create namespace $N"; exit 1; }
cri_init $N || { echo "Bail out! cannot set up $T"; exit 1; }
# conflist VERSION: podnet (MTU 1400, no sync file), host-local, portmap.
conflist() {
	cri_conflist "$(jq -n --arg v "$1" --arg name $NET --arg ipam "$T/ipam" --arg run "$T/run" '{
		cniVersion: $v, name: $name, plugins: [
			{ type: "podnet", mtu: 1400, syncFile: "", runtimeDir: $run,
			  ipam: { type: "host-local", dataDir: $ipam,
				  ranges: [[{subnet: "10.244.7.0/24"}], [{subnet: "fd10:7::/64"}]] } },
			{ type: "portmap", capabilities: { portMappings: true } } ] }')"
}

# --- containerd up, the sandbox image, NetworkReady -------------------------------
t0=$(ms)
cri_start || diag "containerd is not up: $(tail -n 5 "$T/containerd.log")"
is "containerd $CRI_VERSION is up, with its CRI plugin" \
	"$(cri version | awk '$1 == "RuntimeName:" || $1 == "RuntimeVersion:" { printf "%s ", $2 }')" \
	"containerd $CRI_VERSION "
diag "containerd up in $(($(ms) - t0)) ms"
cri_import
is "the local sandbox image is imported and pinned" \
	"$(cri inspecti podnet.test/pause:1 | jq -c '[.status.repoTags, .status.pinned]')" \
	'[["podnet.test/pause:1"],true]'
is "no conflist: NetworkReady false, CNI not initialized" "$(cri_netready)" \
	'[false,"NetworkPluginNotReady","Network plugin returns error: cni plugin not initialized"]'
# cniVersion 1.1.0: the runtime asks STATUS, and without a podnet device
# podnet says no (syncFile "" skips only the check of the sync file).
conflist 1.1.0
cri_is_soon "conflist 1.1.0: NetworkReady false with podnet's STATUS error (no device podnet0)" \
	'[false,"NetworkPluginNotReady","Network plugin returns error: device podnet0 does not exist"]' cri_netready
# 1.0.0 has no STATUS: the network is ready once the conflist loads.
conflist 1.0.0
cri_is_soon "conflist 1.0.0 (no STATUS): NetworkReady true" '[true,"",""]' cri_netready
is "... the CRI loaded podnet, host-local's range and portmap from it" \
	"$(cri info | jq -c '[.lastCNILoadStatus, (.cniconfig.Networks[-1].Config | .Name, .CNIVersion, [.Plugins[].Network.type])]')" \
	'["OK","pncri","1.0.0",["podnet","portmap"]]'

# --- one pod ------------------------------------------------------------------------
t0=$(ms)
p1=$(cri runp "$(cri_podconf p1 '.port_mappings = [{protocol: 0, container_port: 80, host_port: 8080}]')")
rc=$?
diag "runp p1: $(($(ms) - t0)) ms"
is "crictl runp p1: a pod sandbox, Ready" "$rc $(cri inspectp "$p1" | jq -r .status.state)" "0 SANDBOX_READY"
h1=$(cri_hostif "$p1")
is "the pod's IPs are the ones host-local allocated to it (its store)" \
	"$(cri inspectp "$p1" | jq -r '.status.network | .ip, .additionalIps[].ip'; ipam_used)" \
	"10.244.7.2
fd10:7::2
10.244.7.2 $p1 eth0
fd10:7::2 $p1 eth0"
is "host end: podnet's name, alias podnet:NETWORK:ID:eth0, MTU 1400, up" \
	"$(ns_exec ip -j -d link show "$h1" | jq -r '.[0] | "\(.ifname) \(.ifalias) \(.mtu) \(.operstate)"')" \
	"$h1 podnet:$NET:$p1:eth0 1400 UP"
is "node: the pod's /32 and /128 routes via the host end, and nothing else" "$(node_state)" \
	"link $h1@if2
route 10.244.7.2 dev $h1 proto static scope link 
route6 fd10:7::2 dev $h1 metric 1024 pref medium"
ns1=$(cri_podns "$p1")
like "the pod's netns is the runtime's, under its private state dir" "$ns1" \
	"^$T/state/io.containerd.grpc.v1.cri/netns/cni-[0-9a-f-]+$"
is "pod: eth0 with the addresses, MTU 1400" \
	"$(nsenter --net="$ns1" ip -j addr show dev eth0 | jq -c '.[0] | [.mtu, [.addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"]]')" \
	'[1400,["10.244.7.2/32","fd10:7::2/128"]]'
is "pod: default routes via 169.254.1.1 and fe80::1" \
	"$(nsenter --net="$ns1" ip route show; nsenter --net="$ns1" ip -6 route show default)" \
	"default via 169.254.1.1 dev eth0 proto static 
169.254.1.1 dev eth0 proto static scope link 
default via fe80::1 dev eth0 proto static metric 1024 pref medium"
is "the CRI's CNI result names the host end and eth0" \
	"$(cri inspectp "$p1" | jq -c '.info.cniResult.Interfaces | keys')" "[\"eth0\",\"$h1\"]"
like "portmap, chained: hostPort 8080 DNATs to the pod's address from podnet's result" \
	"$(ns_exec iptables -t nat -S)" "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.244.7.2:80"
ok "the node reaches the pod" ns_exec ping -c 1 -W 2 10.244.7.2

# A container in it, from the same image (the pause program).
jq -n '{metadata: {name: "c1"}, image: {image: "podnet.test/pause:1"}, log_path: "c1.log", linux: {}}' >"$T/c1.json"
c1=$(cri create "$p1" "$T/c1.json" "$T/p1.json") && cri start "$c1" >/dev/null
cpid1=$(cri inspect "$c1" | jq -r .info.pid)
is "a container in p1 runs, in the pod's network namespace" \
	"$(cri inspect "$c1" | jq -r .status.state) $(stat -L -c %i "/proc/$cpid1/ns/net" 2>&1)" \
	"CONTAINER_RUNNING $(stat -L -c %i "$ns1")"
is "... and sees eth0 with the pod's IPv4 address" \
	"$(nsenter -t "$cpid1" -n ip -4 -o addr show dev eth0 | awk '{ print $4 }')" "10.244.7.2/32"

# --- a second and a third pod, started together, beside the first --------------------
t0=$(ms)
cri runp "$(cri_podconf p2)" >"$T/p2.id" &
j2=$!
cri runp "$(cri_podconf p3)" >"$T/p3.id" &
wait $j2 $!
diag "runp p2 and p3 in parallel: $(($(ms) - t0)) ms"
p2=$(cat "$T/p2.id") p3=$(cat "$T/p3.id")
h2=$(cri_hostif "$p2") h3=$(cri_hostif "$p3")
is "three pods Ready" "$(cri pods -q --state ready | sort)" "$(printf '%s\n' "$p1" "$p2" "$p3" | sort)"
# (host-local locks its store per range: which of the two gets .3 and
# which ::3 is a race of its own.)
is "p2 and p3 got the next addresses, an IPv4 and an IPv6 address each" \
	"$(for p in $p2 $p3; do cri inspectp "$p" | jq -r '.status.network | .ip, .additionalIps[].ip'; done | sort | tr '\n' ' ')
$(for p in $p2 $p3; do cri inspectp "$p" | jq -r '.status.network | [.ip, .additionalIps[].ip] | map(if test(":") then "6" else "4" end) | join(" ")'; done | tr '\n' ' ')" \
	"10.244.7.3 10.244.7.4 fd10:7::3 fd10:7::4 
4 6 4 6 "
is "... each pod's IPs are its own in the store" \
	"$(for p in $p2 $p3; do cri inspectp "$p" | jq -r --arg p "$p" '.status.network | "\(.ip) \($p) eth0", "\(.additionalIps[0].ip) \($p) eth0"'; done | sort)" \
	"$(ipam_used | grep -v " $p1 ")"
is "three host ends with their aliases, a /32 and a /128 each" \
	"$(for h in $h1 $h2 $h3; do ns_exec ip -j -d link show "$h" | jq -r '.[0] | "\(.ifname) \(.ifalias)"'; done; node_state | grep -c '^route')" \
	"$h1 podnet:$NET:$p1:eth0
$h2 podnet:$NET:$p2:eth0
$h3 podnet:$NET:$p3:eth0
6"

# --- stopp and rmp ----------------------------------------------------------------------
t0=$(ms)
cri stopp "$p1" >/dev/null
t1=$(ms)
is "stopp p1: its host end, routes and addresses are gone; p2's and p3's stay" \
	"$(node_state | grep -c "$h1"; ipam_used | grep -c " $p1 "; node_state | grep -c '^route'; ipam_used | wc -l)" \
	"0
0
4
4"
is "... its portmap DNAT is gone" "$(ns_exec iptables -t nat -S | grep -c 'to-destination 10.244.7.2:80')" 0
is "... the container stopped with the sandbox" "$(cri inspect "$c1" | jq -r .status.state)" CONTAINER_EXITED
cri rmp "$p1" >/dev/null
diag "stopp p1: $((t1 - t0)) ms, rmp p1: $(($(ms) - t1)) ms"
is "rmp p1: the pod, its container and its netns are gone" \
	"$(cri pods -q | grep -c "$p1"; cri ps -a -q | grep -c "$c1"; [ -e "$ns1" ] && echo "$ns1 left")" "0
0"
t0=$(ms)
{ cri stopp "$p2" && cri rmp "$p2"; } >/dev/null &
j2=$!
{ cri stopp "$p3" && cri rmp "$p3"; } >/dev/null &
wait $j2 $!
diag "stopp+rmp p2 and p3 in parallel: $(($(ms) - t0)) ms"
is "p2 and p3 stopped and removed together: no pod left" "$(cri pods -q)" ""
is "... no host end or route left in the node, and no address in host-local's store" \
	"$(node_state; ipam_used)" ""
# (portmap keeps its shared CNI-HOSTPORT-* chains: they go with the node netns.)
is "... no per-pod portmap chain or DNAT rule left" \
	"$(ns_exec iptables-save -t nat | grep -E 'CNI-DN-|-j DNAT')" ""
is "... no lock file left by podnet, no netns, no mount under the runtime's dirs" \
	"$(find "$T/run" -type f 2>/dev/null; ls "$T/state/io.containerd.grpc.v1.cri/netns"; cri_mounts)" ""

# --- containerd down: nothing left ------------------------------------------------------
cri_down_checks "$T/run" "$netns_before"

done_testing
