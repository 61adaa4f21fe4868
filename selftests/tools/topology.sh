# SPDX-License-Identifier: GPL-2.0
# The datapath tests' topology, sourced after selftests/lib.sh: three nodes
# (namespaces pnn1..3) on an underlay bridge (br0 in pnu; 192.168.99.N/24,
# fd00:99::N/64), each with podnet0 and two pods (pnpNa, pnpNb) behind
# routed veths, cluster routes 10.244.0.0/16 and fd10::/16 via podnet0.
# Pod addresses: 10.244.N.10/11, fd10:N::10/11 (a/b).

TOOLS=$PODNET_ROOT/selftests/tools
PATH=$TOOLS:$PATH
N="1 2 3"
U=pnu

node() { echo "pnn$1"; }
pod() { echo "pnp$1$2"; }
v4() { echo "192.168.99.$1"; }
v6() { echo "fd00:99::$1"; }
_podn() { if [ "$1" = a ]; then echo 10; else echo 11; fi; }
podv4() { echo "10.244.$1.$(_podn "$2")"; }
podv6() { echo "fd10:$1::$(_podn "$2")"; }
in_node() { local n=$1; shift; ip netns exec "$(node "$n")" "$@"; }
in_pod() { local n=$1 p=$2; shift 2; ip netns exec "$(pod "$n" "$p")" "$@"; }

# topo_setup [PNLINK-ATTR...]: the topology; podnet0 made by pnlink with
# the given attributes.
topo_setup() {
	local n nn p pp
	pn_netns_add $U
	ip -n $U link add br0 type bridge
	ip -n $U link set br0 up
	for n in $N; do
		nn=$(node "$n")
		pn_netns_add "$nn"
		ip -n "$nn" link add eth0 type veth peer name "u$n" netns $U
		ip -n $U link set "u$n" master br0 up
		ip -n "$nn" addr add "$(v4 "$n")/24" dev eth0
		ip -n "$nn" addr add "$(v6 "$n")/64" dev eth0 nodad
		ip -n "$nn" link set eth0 up
		ip netns exec "$nn" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
		ip netns exec "$nn" pnlink add podnet0 "$@" || return 1
		ip -n "$nn" link set podnet0 up
		ip -n "$nn" route add 10.244.0.0/16 dev podnet0
		ip -n "$nn" -6 route add fd10::/16 dev podnet0
		for p in a b; do
			pp=$(pod "$n" $p)
			pn_netns_add "$pp"
			ip -n "$nn" link add "v$p" type veth peer name eth0 netns "$pp"
			ip -n "$nn" addr add 169.254.1.1/32 dev "v$p"
			ip -n "$nn" addr add fe80::1/64 dev "v$p" nodad
			ip -n "$nn" link set "v$p" up
			ip -n "$nn" route add "$(podv4 "$n" $p)/32" dev "v$p"
			ip -n "$nn" -6 route add "$(podv6 "$n" $p)/128" dev "v$p"
			ip -n "$pp" addr add "$(podv4 "$n" $p)/32" dev eth0
			ip -n "$pp" addr add "$(podv6 "$n" $p)/128" dev eth0 nodad
			ip -n "$pp" link set eth0 up
			ip -n "$pp" route add 169.254.1.1 dev eth0
			ip -n "$pp" route add default via 169.254.1.1 dev eth0
			ip -n "$pp" -6 route add default via fe80::1 dev eth0
		done
	done
	# Link-local addresses of the pods' veths finish DAD.
	sleep 2
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
	for n in $N; do for p in a b; do for m in $N; do for q in a b; do
		[ "$n" = "$m" ] && continue
		probes+=("$(pod "$n" $p),$(podv4 "$m" $q)" "$(pod "$n" $p),$(podv6 "$m" $q)")
	done; done; done; done
	out=$(pnping -w 3 "${probes[@]}") && return 0
	grep -v ' reply$' <<<"$out"
	return 1
}

# stat NODE KEY: a podnet0 counter from podnetctl -j show.
stat() {
	in_node "$1" podnetctl -j show dev podnet0 |
		$PY -c "import json,sys; print(json.load(sys.stdin)[0]['stats']['$2'])"
}

# xstat NODE KEY: a socket counter (IFLA_INFO_XSTATS) of podnet0.
xstat() { in_node "$1" pnlink show podnet0 | awk -v k="$2" '$1 == k { print $2 }'; }

# sysfs NODE COUNTER [DEV]: /sys/class/net/DEV/statistics/COUNTER.
sysfs() { in_node "$1" cat "/sys/class/net/${3:-podnet0}/statistics/$2"; }
