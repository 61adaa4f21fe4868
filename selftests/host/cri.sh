#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet CNI plugin end to end through a real CRI runtime: containerd
# 2.x (its CRI plugin, the runc shim, Debian's runc) driven by crictl, with
# podnet, host-local and portmap chained in a conflist.  No podnet device
# (MTU from the config), so it runs on the host's kernel:
#   PODNET_ROOT=$PWD bash selftests/host/cri.sh (make check runs it on the host)
# Binaries: selftests/tools/cri/build.sh (containerd, shim, ctr, crictl,
# the local sandbox image) and selftests/tools/cni-driver/build.sh
# (host-local, portmap).  containerd runs in a node network namespace of
# its own with a private root, state, sockets, runc root and pod netns
# directory under a temporary directory; its pods' cgroups go under a
# parent of this run's own.  Nothing is left behind: links, routes,
# iptables chains, files, processes, mounts and cgroups are checked at
# the end, after containerd has stopped.
. "$PODNET_ROOT/selftests/lib.sh"

cache=${PODNET_GO_CACHE:-/var/tmp/podnet-go}
CRI_VERSION=$(awk '$1 == "github.com/containerd/containerd/v2" && $2 ~ /^v/ { print $2; exit }' \
	"$PODNET_ROOT/selftests/tools/cri/go.mod")
CRI_BIN=${PODNET_CRI_BIN:-$cache/cri-$CRI_VERSION/bin}
CNI_DIR=${PODNET_CNI_DIR:-$PODNET_ROOT/build/cni}
for f in containerd containerd-shim-runc-v2 ctr crictl pause.oci.tar; do
	[ -f "$CRI_BIN/$f" ] || { echo "Bail out! no $CRI_BIN/$f (selftests/tools/cri/build.sh)"; exit 1; }
done
for f in host-local portmap; do
	[ -x "$CNI_DIR/bin/$f" ] || { echo "Bail out! no $CNI_DIR/bin/$f (selftests/tools/cni-driver/build.sh)"; exit 1; }
done
[ -x "$PODNET_BIN/podnet" ] || { echo "Bail out! no $PODNET_BIN/podnet (make userspace)"; exit 1; }
command -v runc >/dev/null || { echo "Bail out! no runc (selftests/vm/provision.sh host)"; exit 1; }

T=$(mktemp -d /tmp/pncri.XXXXXX)
N=pncr$$			# the node: containerd's network namespace
CG=podnet-cri-$$		# the pods' cgroup parent
NET=pncri			# the CNI network's name
IPAM=$T/ipam/$NET		# host-local's store of this network
cpid=
had_run_containerd=$([ -e /run/containerd ] && echo 1 || echo 0)
netns_before=$(ls /run/netns 2>/dev/null | grep '^cni-')

ms() { date +%s%3N; }
ns_exec() { nsenter --net="/run/netns/$N" "$@"; }
cri() { "$CRI_BIN/crictl" --config "$T/crictl.yaml" "$@" 2>>"$T/crictl.err"; }
# Processes of this run: anything whose command line names $T (containerd,
# its shims), or in the pods' cgroups.
our_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$T/" && echo "${p#/proc/}"
	done
	local d
	for d in $(cg_parents); do cat "$d"/*/cgroup.procs 2>/dev/null; done
}
# The pods' cgroup parent in each hierarchy (v1 controllers, or v2).
cg_parents() { ls -d /sys/fs/cgroup/"$CG" /sys/fs/cgroup/*/"$CG" 2>/dev/null; }
our_mounts() { awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts; }
our_cgroups() { local d; for d in $(cg_parents); do find "$d" -mindepth 1 -maxdepth 1 -type d; done; }
# ipam_used: the addresses host-local holds, "ADDR ID IFNAME" per line.
ipam_used() {
	local f
	for f in "$IPAM"/*; do
		case ${f##*/} in '*' | lock | last_reserved_ip.*) continue ;; esac
		printf '%s %s\n' "${f##*/}" "$(tr '\r\n' '  ' <"$f" | tr -s ' ')"
	done | sort
}
# hostif ID [IFNAME]: podnet's host end for the attachment: "pn" and 48
# bits of FNV-1a 64 over "ID\0IFNAME\0" (docs/cni.md), computed here.
hostif() {
	$PY - "$1" "${2:-eth0}" <<'EOF'
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode() + b"\0" + sys.argv[2].encode() + b"\0":
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("pn%012x" % (h >> 16))
EOF
}
# links and routes podnet made in the node; empty when none is left.
node_state() {
	ns_exec ip -o link show | awk -F': ' '$2 !~ /^lo$/ { print "link " $2 }'
	ns_exec ip -o route show | sed 's/^/route /'
	ns_exec ip -o -6 route show proto static | sed 's/^/route6 /'
}
# podns POD: the pod's netns path, as the runtime gave it to the plugins.
podns() { cri inspectp "$1" | jq -r '.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path'; }
netready() { cri info | jq -r -c '.status.conditions[] | select(.type == "NetworkReady") | [.status, .reason, .message]'; }
# wait_for DESC EXPECTED CMD...: poll CMD (5 s at most) until it prints EXPECTED.
wait_for() {
	local desc=$1 want=$2 got i
	shift 2
	for i in $(seq 50); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	is "$desc" "$got" "$want"
}

stop_containerd() {
	[ -n "$cpid" ] || return 0
	kill -TERM "$cpid" 2>/dev/null
	local i
	for i in $(seq 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	cpid=
}
_cri_exit() {
	local p m c
	if [ -n "$cpid" ]; then
		timeout 20 "$CRI_BIN/crictl" --config "$T/crictl.yaml" rmp -fa >/dev/null 2>&1
		stop_containerd
	fi
	for p in $(our_pids); do kill -KILL "$p" 2>/dev/null; done
	for m in $(our_mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m"; done
	for c in $(our_cgroups); do rmdir "$c"; done
	for c in $(cg_parents); do rmdir "$c"; done
	[ "$had_run_containerd" = 1 ] || rm -rf /run/containerd
	pn_cleanup
	rm -rf "$T"
}
trap _cri_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

pn_netns_add $N || { echo "Bail out! cannot create namespace $N"; exit 1; }
mkdir -p "$T/cni-bin" "$T/net.d" "$T/logs"
cp "$PODNET_BIN/podnet" "$CNI_DIR/bin/host-local" "$CNI_DIR/bin/portmap" "$T/cni-bin/"
cat >"$T/config.toml" <<EOF
version = 4
root = '$T/root'
state = '$T/state'
imports = []
disabled_plugins = ['io.containerd.nri.v1.nri']
[plugins.'io.containerd.server.v1.grpc']
  address = '$T/containerd.sock'
[plugins.'io.containerd.server.v1.ttrpc']
  address = '$T/containerd.sock.ttrpc'
[plugins.'io.containerd.internal.v1.opt']
  path = '$T/opt'
[plugins.'io.containerd.shim.v1.manager']
  socket_dir = '$T/s'
[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = 'podnet.test/pause:1'
[plugins.'io.containerd.cri.v1.runtime']
  netns_mounts_under_state_dir = true
  # (No CAP_SYS_RESOURCE here: the sandbox's -998 would fail in runc.)
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['$T/cni-bin']
    conf_dir = '$T/net.d'
    use_internal_loopback = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
    Root = '$T/runc'
EOF
printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 30\n' \
	"$T/containerd.sock" "$T/containerd.sock" >"$T/crictl.yaml"
# conflist VERSION: podnet (MTU 1400, no sync file), host-local, portmap.
# containerd reloads its CNI config on a write, rename or removal in the
# conf dir, not on a create (nor on a file moved in): the conflist is
# renamed into place whole, then a directory made and removed there makes
# the reload happen (a write in place could be read half-done).
conflist() {
	local c
	c=$(jq -n --arg v "$1" --arg name $NET --arg ipam "$T/ipam" --arg run "$T/run" '{
		cniVersion: $v, name: $name, plugins: [
			{ type: "podnet", mtu: 1400, syncFile: "", runtimeDir: $run,
			  ipam: { type: "host-local", dataDir: $ipam,
				  ranges: [[{subnet: "10.244.7.0/24"}], [{subnet: "fd10:7::/64"}]] } },
			{ type: "portmap", capabilities: { portMappings: true } } ] }')
	printf '%s\n' "$c" >"$T/conflist.new" && mv "$T/conflist.new" "$T/net.d/10-podnet.conflist" &&
		mkdir "$T/net.d/.reload" && rmdir "$T/net.d/.reload"
}
# podconf NAME [JQ]: a pod sandbox config, its cgroups under $CG.
podconf() {
	jq -n --arg n "$1" --arg logs "$T/logs" --arg cg "/$CG" '{
		metadata: { name: $n, namespace: "pncri", uid: "uid-\($n)", attempt: 0 },
		log_directory: $logs, linux: { cgroup_parent: $cg } } | '"${2:-.}" >"$T/$1.json"
	echo "$T/$1.json"
}

# --- containerd up, the sandbox image, NetworkReady -------------------------------
t0=$(ms)
# (nsenter execs containerd: $! is containerd's PID.)
PATH=$CRI_BIN:$PATH nsenter --net="/run/netns/$N" "$CRI_BIN/containerd" --config "$T/config.toml" \
	>"$T/containerd.log" 2>&1 &
cpid=$!
for i in $(seq 100); do [ -S "$T/containerd.sock" ] && cri version >/dev/null && break; sleep 0.05; done
is "containerd $CRI_VERSION is up, with its CRI plugin" \
	"$(cri version | awk '$1 == "RuntimeName:" || $1 == "RuntimeVersion:" { printf "%s ", $2 }')" \
	"containerd $CRI_VERSION "
diag "containerd up in $(($(ms) - t0)) ms"
"$CRI_BIN/ctr" -a "$T/containerd.sock" -n k8s.io images import "$CRI_BIN/pause.oci.tar" >"$T/import.log" 2>&1
is "the local sandbox image is imported and pinned" \
	"$(cri inspecti podnet.test/pause:1 | jq -c '[.status.repoTags, .status.pinned]')" \
	'[["podnet.test/pause:1"],true]'
is "no conflist: NetworkReady false, CNI not initialized" "$(netready)" \
	'[false,"NetworkPluginNotReady","Network plugin returns error: cni plugin not initialized"]'
# cniVersion 1.1.0: the runtime asks STATUS, and without a podnet device
# podnet says no (syncFile "" skips only the check of the sync file).
conflist 1.1.0
wait_for "conflist 1.1.0: NetworkReady false with podnet's STATUS error (no device podnet0)" \
	'[false,"NetworkPluginNotReady","Network plugin returns error: device podnet0 does not exist"]' netready
# 1.0.0 has no STATUS: the network is ready once the conflist loads.
conflist 1.0.0
wait_for "conflist 1.0.0 (no STATUS): NetworkReady true" '[true,"",""]' netready
is "... the CRI loaded podnet, host-local's range and portmap from it" \
	"$(cri info | jq -c '[.lastCNILoadStatus, (.cniconfig.Networks[-1].Config | .Name, .CNIVersion, [.Plugins[].Network.type])]')" \
	'["OK","pncri","1.0.0",["podnet","portmap"]]'

# --- one pod ------------------------------------------------------------------------
t0=$(ms)
p1=$(cri runp "$(podconf p1 '.port_mappings = [{protocol: 0, container_port: 80, host_port: 8080}]')")
rc=$?
diag "runp p1: $(($(ms) - t0)) ms"
is "crictl runp p1: a pod sandbox, Ready" "$rc $(cri inspectp "$p1" | jq -r .status.state)" "0 SANDBOX_READY"
h1=$(hostif "$p1")
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
ns1=$(podns "$p1")
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
cri runp "$(podconf p2)" >"$T/p2.id" &
j2=$!
cri runp "$(podconf p3)" >"$T/p3.id" &
wait $j2 $!
diag "runp p2 and p3 in parallel: $(($(ms) - t0)) ms"
p2=$(cat "$T/p2.id") p3=$(cat "$T/p3.id")
h2=$(hostif "$p2") h3=$(hostif "$p3")
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
	"$(find "$T/run" -type f 2>/dev/null; ls "$T/state/io.containerd.grpc.v1.cri/netns"; our_mounts)" ""

# --- containerd down: nothing left ------------------------------------------------------
kill -TERM "$cpid"
for i in $(seq 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.05; done
wait "$cpid"
is "containerd exits on SIGTERM, status 0" "$?" 0
cpid=
is "no process of this run left (containerd, shims, pause)" "$(our_pids)" ""
is "no mount left under $T" "$(our_mounts)" ""
is "no cgroup left under /$CG (and the parent removed)" \
	"$(our_cgroups; for c in $(cg_parents); do rmdir "$c" || echo "$c"; done)" ""
is "no runc container state, shim socket or podnet lock file left" \
	"$(find "$T/runc/k8s.io" "$T/s" "$T/run" -mindepth 1 2>/dev/null)" ""
is "nothing outside $T: no pod netns in /run/netns, no /run/containerd made" \
	"$(ls /run/netns 2>/dev/null | grep '^cni-'; [ "$had_run_containerd" = 1 ] || [ ! -e /run/containerd ] || echo /run/containerd)" \
	"$netns_before"
errs=$(grep -E 'level=(error|fatal)' "$T/containerd.log")
is "containerd logged no error" "$errs" ""
[ -z "$errs" ] || diag "$(tail -n 20 "$T/containerd.log")"

done_testing
