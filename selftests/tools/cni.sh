# SPDX-License-Identifier: GPL-2.0
# Helpers of the CNI tests (50-cni.sh, 51-cri.sh, selftests/host/cni-protocol.sh), sourced after
# selftests/lib.sh.  Every plugin runs inside a node namespace (never the
# namespace the test itself runs in), with the tools of build/cni
# (selftests/tools/cni-driver/build.sh) and the plugin from $PODNET_BIN.
#
#   cni_raw NODE CMD ID NETNS [IFNAME]   podnet itself, stdin the config
#   cni_drv NODE ARG...                  the libcni driver
#   cni_conf VERSION [JQ]                a podnet config (JQ edits it)
#   cni_nodes                            the underlay and the nodes of $N
#                                        (topology.sh's names), no podnet0

CNI_DIR=${PODNET_CNI_DIR:-$PODNET_ROOT/build/cni}
CNI_DRIVER=$CNI_DIR/cni-driver
CNI_PATH_T=$PODNET_BIN:$CNI_DIR/bin
[ -x "$CNI_DRIVER" ] && [ -x "$CNI_DIR/bin/host-local" ] || {
	echo "Bail out! $CNI_DIR not built (selftests/tools/cni-driver/build.sh)"
	exit 1
}
[ -x "$PODNET_BIN/podnet" ] || { echo "Bail out! no $PODNET_BIN/podnet (make userspace)"; exit 1; }

# State of IPAM, libcni and the plugin's locks: on tmpfs, removed at exit.
cni_tmp=$(mktemp -d)
IPAM_DIR=$cni_tmp/ipam
RUN_DIR=$cni_tmp/run
CACHE_DIR=$cni_tmp/cache
# (topology.sh's exit handler too, when the test sourced it.)
_cni_exit() {
	declare -F topo_exit >/dev/null && topo_exit
	rm -rf "$cni_tmp"
	pn_cleanup
}
trap _cni_exit EXIT

ns_exec() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# cni_conf VERSION [JQ]: the single-plugin config the tests start from:
# host-local with one IPv4 and one IPv6 range, MTU 1400.
cni_conf() {
	jq -n -c --arg v "$1" --arg ipam "$IPAM_DIR" --arg run "$RUN_DIR" '{
		cniVersion: $v, name: "pnt", type: "podnet", mtu: 1400, runtimeDir: $run,
		ipam: { type: "host-local", dataDir: $ipam,
			ranges: [[{subnet: "10.244.1.0/24"}], [{subnet: "fd10:1::/64"}]] }
	} | '"${2:-.}"
}

# cni_nodes: the nodes of $N (topology.sh's names and addresses: sourced
# first) on the underlay bridge, with forwarding on and no podnet0 yet;
# the underlay has an address of its own, 192.168.99.100, to reach a
# hostPort from outside.
cni_nodes() {
	local n nn
	pn_netns_add $U && _ns_init $U && ip -n $U link add br0 type bridge &&
		ip -n $U link set br0 up && ip -n $U addr add 192.168.99.100/24 dev br0 || return 1
	for n in $N; do
		nn=$(node "$n")
		pn_netns_add "$nn" && _ns_init "$nn" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
			in_ns "$nn" ip -batch - <<-EOF || return 1
			link add eth0 type veth peer name u$n netns $U
			addr add $(v4 "$n")/24 dev eth0
			addr add $(v6 "$n")/64 dev eth0 nodad
			link set eth0 up
			EOF
		in_ns $U ip link set "u$n" master br0 up || return 1
	done
}

# cni_raw NODE CMD ID NETNS [IFNAME]: run podnet as a runtime would, in
# NODE; stdout is the plugin's, the exit status too.  An empty ID or
# NETNS leaves the variable unset.
cni_raw() {
	local node=$1 cmd=$2 id=$3 netns=$4 ifname=${5-eth0} env=()
	[ -n "$cmd" ] && env+=("CNI_COMMAND=$cmd")
	[ -n "$id" ] && env+=("CNI_CONTAINERID=$id")
	[ -n "$netns" ] && env+=("CNI_NETNS=$netns")
	[ -n "$ifname" ] && env+=("CNI_IFNAME=$ifname")
	ns_exec "$node" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "CNI_PATH=$CNI_PATH_T" \
		"${env[@]}" "$PODNET_BIN/podnet"
}

# cni_err NODE CMD ID NETNS [IFNAME]: "rc CODE MSG" of a failing run (the
# exit status, then the error JSON's code and msg); "rc 0" if it passed.
cni_err() {
	local out rc
	out=$(cni_raw "$@") && rc=0 || rc=$?
	if [ $rc = 0 ]; then echo "rc 0"; return; fi
	printf 'rc %s %s\n' "$rc" "$(jq -r '"\(.code) \(.msg)"' <<<"$out" 2>/dev/null || echo "$out")"
}

# cni_drv NODE ARG...: the libcni driver in NODE with the tests' paths.
cni_drv() {
	local node=$1
	shift
	ns_exec "$node" "$CNI_DRIVER" -path "$CNI_PATH_T" -cache "$CACHE_DIR" "$@"
}

# ipam_used: the addresses host-local has handed out (its store's files
# but the bookkeeping ones), sorted; empty when everything is released.
ipam_used() {
	find "$IPAM_DIR" -type f ! -name 'last_reserved_ip.*' ! -name lock -printf '%f\n' 2>/dev/null |
		sort
}

# leftovers NODE: podnet's veths and host routes in NODE, and lock files:
# empty when an attachment is gone without a trace.
leftovers() {
	ns_exec "$1" ip -o link show | awk -F': ' '$2 ~ /^pn[0-9a-f]{12}(@|$)/ { print "link " $2 }'
	ns_exec "$1" ip -o route show proto static | sed 's/^/route /'
	ns_exec "$1" ip -o -6 route show proto static | sed 's/^/route6 /'
	find "$RUN_DIR" -type f -printf 'lock %f\n' 2>/dev/null
}

# host_routes NODE HOSTIF: the routes via a host end (the pod's /32 and
# /128 podnet adds).
host_routes() {
	ns_exec "$1" ip route show dev "$2"
	ns_exec "$1" ip -6 route show dev "$2" proto static
}

# macs_out: the result on stdin with each MAC replaced by "MAC", so that
# it compares byte for byte with a golden file.
macs_out() { sed -E 's/"mac": "[0-9a-f]{2}(:[0-9a-f]{2}){5}"/"mac": "MAC"/'; }
