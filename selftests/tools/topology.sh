# SPDX-License-Identifier: GPL-2.0
# The datapath tests' topology, sourced after selftests/lib.sh: three nodes
# (namespaces pnn1..3) on an underlay bridge (br0 in pnu; 192.168.99.N/24,
# fd00:99::N/64), each with podnet0 and two pods (pnpNa, pnpNb) behind
# routed veths, cluster routes 10.244.0.0/16 and fd10::/16 via podnet0.
# Pod addresses: 10.244.N.10/11, fd10:N::10/11 (a/b).  Also the helpers
# 40-43 and the benchmarks share: counters, captures, iperf3 servers.
#
# Under TCG every process start counts, and `ip netns exec` and `ip -n`
# cost more: each remounts /sys in a private mount namespace.  So commands
# run in a namespace through nsenter (the netns only; /sys stays the
# guest's, so device counters come from /proc/net/dev, which follows the
# reader's netns), each namespace is set up by one `ip -batch`, and JSON
# is read with jq, once per document.

TOOLS=$PODNET_ROOT/selftests/tools
PATH=$TOOLS:$PATH
# ip's podnet words (`ip link add NAME type podnet vni 5 ...`).
export IP_LIB_DIR=$PODNET_ROOT/userspace/ip
N="1 2 3"
# Pods per node (a test that needs fewer sets PODS before topo_setup).
PODS=${PODS:-a b}
U=pnu

node() { echo "pnn$1"; }
pod() { echo "pnp$1$2"; }
v4() { echo "192.168.99.$1"; }
v6() { echo "fd00:99::$1"; }
_podn() { if [ "$1" = a ]; then echo 10; else echo 11; fi; }
podv4() { echo "10.244.$1.$(_podn "$2")"; }
podv6() { echo "fd10:$1::$(_podn "$2")"; }
in_node() { local n=$1; shift; in_ns "pnn$n" "$@"; }
in_pod() { local n=$1 p=$2; shift 2; in_ns "pnp$n$p" "$@"; }
# bg_ns NS CMD...: CMD in NS in the background, $! its pid (nsenter execs
# CMD; a function run with & would be a subshell that kill misses).
bg_ns() { nsenter --net="/run/netns/$1" "${@:2}" & }

# Scratch space of the test; topo_exit removes it.
tmp=$(mktemp -d)
caps=()
# topo_exit: on exit, stop what the helpers started in the background.
topo_exit() {
	[ ${#caps[@]} -gt 0 ] && kill "${caps[@]}" 2>/dev/null
	cat "$tmp"/*.pid 2>/dev/null | xargs -r kill 2>/dev/null
	rm -rf "$tmp"
}
trap topo_exit EXIT

# _ns_init NS SYSCTL...: sysctls in NS; IPv6 DAD off, so every address,
# the kernel's link-local ones too, is usable at once.
_ns_init() {
	local ns=$1
	shift
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 "$@"
}

# topo_setup [IP-LINK-PODNET-WORD...]: the topology; podnet0 made by
# `ip link add podnet0 type podnet WORD...`.
topo_setup() {
	local n nn p pp
	pn_netns_add $U || return 1
	_ns_init $U || return 1
	ip -n $U link add br0 type bridge || return 1
	for n in $N; do
		pn_netns_add "$(node "$n")" || return 1
		_ns_init "$(node "$n")" net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
		for p in $PODS; do
			pn_netns_add "$(pod "$n" $p)" || return 1
			_ns_init "$(pod "$n" $p)" || return 1
		done
	done
	for n in $N; do
		nn=$(node "$n")
		{
			echo "link add eth0 type veth peer name u$n netns $U"
			echo "addr add $(v4 "$n")/24 dev eth0"
			echo "addr add $(v6 "$n")/64 dev eth0 nodad"
			echo "link set eth0 up"
			echo "link add podnet0 type podnet $*"
			echo "link set podnet0 up"
			echo "route add 10.244.0.0/16 dev podnet0"
			echo "route add fd10::/16 dev podnet0"
			for p in $PODS; do
				echo "link add v$p type veth peer name eth0 netns $(pod "$n" $p)"
				echo "addr add 169.254.1.1/32 dev v$p"
				echo "addr add fe80::1/64 dev v$p nodad"
				echo "link set v$p up"
				echo "route add $(podv4 "$n" $p)/32 dev v$p"
				echo "route add $(podv6 "$n" $p)/128 dev v$p"
			done
		} | in_ns "$nn" ip -batch - || return 1
		for p in $PODS; do
			pp=$(pod "$n" $p)
			in_ns "$pp" ip -batch - <<-EOF || return 1
			addr add $(podv4 "$n" $p)/32 dev eth0
			addr add $(podv6 "$n" $p)/128 dev eth0 nodad
			link set eth0 up
			route add 169.254.1.1 dev eth0
			route add default via 169.254.1.1 dev eth0
			route add default via fe80::1 dev eth0
			EOF
		done
	done
	{
		echo "link set br0 up"
		for n in $N; do echo "link set u$n master br0 up"; done
	} | in_ns $U ip -batch -
}

# topo_up [IP-LINK-PODNET-WORD...]: topo_setup, or bail out of the test.
topo_up() {
	topo_setup "$@" && return 0
	echo "Bail out! topology setup failed"
	pn_cleanup
	exit 1
}

# peer_lines FAMILY NODE: the peer replace file of NODE, endpoints in FAMILY.
peer_lines() {
	local m addr
	for m in $N; do
		[ "$m" = "$2" ] && continue
		if [ "$1" = 4 ]; then addr=$(v4 "$m"); else addr=$(v6 "$m"); fi
		echo "remote $addr prefix 10.244.$m.0/24 prefix fd10:$m::/64"
	done
}

# peers FAMILY: on every node, one peer per other node.
peers() {
	local n
	for n in $N; do
		peer_lines "$1" "$n" |
			in_node "$n" podnetctl peer replace dev podnet0 || return 1
	done
}

# all_pairs: every pod pings every pod on another node, IPv4 and IPv6.
all_pairs() {
	local n m p q probes=() out
	for n in $N; do for p in $PODS; do for m in $N; do for q in $PODS; do
		[ "$n" = "$m" ] && continue
		probes+=("$(pod "$n" $p),$(podv4 "$m" $q)" "$(pod "$n" $p),$(podv6 "$m" $q)")
	done; done; done; done
	out=$(pnping -w 3 "${probes[@]}") && return 0
	grep -v ' reply$' <<<"$out"
	return 1
}

# stats NODE KEY... [dev DEV]: podnet0's (or DEV's) counters from one
# `podnetctl -j show`, space-separated in the order asked: device counters
# (tx_packets, rx_drop_source, ...) and socket ones (rx_drop_bad_header,
# rx_drop_bad_vni); generation, num_peers and num_prefixes too.
stats() {
	local n=$1 dev=podnet0 keys=()
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = dev ]; then dev=$2; shift 2; else keys+=("$1"); shift; fi
	done
	in_node "$n" podnetctl -j show dev "$dev" | jq -r --args \
		'.[0] as $d | [$ARGS.positional[] | . as $k |
		 ($d.stats[$k] // $d.socket_stats[$k] // $d[$k] // "?") | tostring] | join(" ")' \
		"${keys[@]}"
}
# devstat NODE DEV COUNTER...: DEV's counters (rx_packets, rx_bytes,
# rx_dropped, tx_packets, tx_bytes, tx_dropped) from /proc/net/dev in
# NODE's netns (NODE a node number or a namespace name), space-separated.
devstat() {
	local ns=$1 dev=$2
	shift 2
	case $ns in [0-9]*) ns=$(node "$ns") ;; esac
	in_ns "$ns" awk -v dev="$dev" -v want="$*" '
	BEGIN { split("rx_bytes rx_packets rx_errors rx_dropped rx_fifo rx_frame rx_compressed multicast tx_bytes tx_packets tx_errors tx_dropped tx_fifo collisions tx_carrier tx_compressed", name)
		for (i in name) col[name[i]] = i }
	{ sub(/:/, " ") }
	$1 == dev { n = split(want, w); s = ""
		for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") $(col[w[i]] + 1)
		print s; found = 1 }
	END { exit !found }' /proc/net/dev
}

# link_info NODE DEV JQ: JQ over DEV's linkinfo.info_data from `ip -j -d
# link show` (RTM_GETLINK, printed by link_podnet.so).
link_info() {
	in_node "$1" ip -j -d link show "$2" | jget ".[0].linkinfo.info_data | $3"
}

# iperf_server NODE POD PORT [ARG...]: an iperf3 server (daemon) in the
# pod, returned once it listens; killed at exit if still running.  A
# one-off server (-1) from before on the port may still be closing after
# its client returned: it is waited for (a second one could not bind).
_iperf_n=0
_iperf_listening() { [ -n "$(in_pod "$1" "$2" ss -Hltn "sport = :$3")" ]; }
iperf_server() {
	local n=$1 p=$2 port=$3
	shift 3
	for _ in $(seq 100); do _iperf_listening "$n" "$p" "$port" || break; sleep 0.1; done
	_iperf_n=$((_iperf_n + 1))
	in_pod "$n" "$p" iperf3 -s -D -p "$port" -I "$tmp/iperf.$_iperf_n.pid" "$@" || return 1
	wait_for 10 _iperf_listening "$n" "$p" "$port" && return 0
	diag "iperf3 server on $(pod "$n" "$p") port $port not listening"
	return 1
}

# capture NAME NETNS IFACE SNAPLEN FILTER: tcpdump in the background, to
# $tmp/NAME.pcap, until stop_captures; returns once it is listening.
capture() {
	bg_ns "$2" tcpdump --immediate-mode -U -n -B 8192 -s "$4" -i "$3" \
		-w "$tmp/$1.pcap" "$5" 2>"$tmp/$1.err"
	caps+=($!)
	for _ in $(seq 100); do
		grep -q 'listening on' "$tmp/$1.err" && return 0
		sleep 0.1
	done
	diag "tcpdump $1 not listening: $(cat "$tmp/$1.err")"
}
# stop_captures: once the files stop growing (tcpdump may lag behind the
# traffic under TCG, and what it has not read when killed is lost).
stop_captures() {
	local size last=
	for _ in $(seq 30); do
		size=$(stat -c %s "$tmp"/*.pcap)
		[ "$size" = "$last" ] && break
		last=$size
		sleep 0.4
	done
	kill "${caps[@]}" 2>/dev/null
	wait "${caps[@]}" 2>/dev/null
	caps=()
}

# snmp NS PROTO FIELD...: /proc/net/snmp counters of NS (a node number or
# a namespace), e.g. snmp pnp2b Udp InDatagrams RcvbufErrors.
snmp() {
	local ns=$1 proto=$2
	shift 2
	case $ns in [0-9]*) ns=$(node "$ns") ;; esac
	in_ns "$ns" awk -v p="$proto:" -v want="$*" '
	$1 == p && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
	$1 == p { n = split(want, w); s = ""
		for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") (w[i] in col ? $col[w[i]] : "?")
		print s }' /proc/net/snmp
}

# softnet_drops: packets dropped by the backlog queues (netif_rx, RPS) of
# all CPUs, /proc/net/softnet_stat's second column, and the times
# net_rx_action ran out of budget (third): "DROPPED SQUEEZED".
softnet_drops() {
	local d s dsum=0 ssum=0
	while read -r _ d s _; do
		dsum=$((dsum + 16#$d)) ssum=$((ssum + 16#$s))
	done </proc/net/softnet_stat
	echo "$dsum $ssum"
}

# dev_drops NS...: "NS/DEV rx_dropped tx_dropped" of each device of the
# namespaces with a drop counted.
dev_drops() {
	local ns
	for ns; do
		in_ns "$ns" awk -v ns="$ns" '{ sub(/:/, " ") }
			NR > 2 && ($5 || $13) { print ns "/" $1, $5, $13 }' /proc/net/dev
	done
}

# phase NAME: diag the guest seconds the previous phase took (where the
# time of a test file goes).
_phase_t=$SECONDS _phase_name=start
phase() {
	diag "phase $_phase_name: $((SECONDS - _phase_t))s (at ${SECONDS}s)"
	_phase_t=$SECONDS _phase_name=$1
}
