#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-vxlan.sh: a quick TCP iperf3 comparison of podnet with a plain
# Linux vxlan device set up the way Flannel does (nolearning, permanent
# neighbour and FDB entries, onlink routes), in the same topology, same
# pods, same MTU.  Run in the VM: selftests/vm/run.sh K selftests/tools/bench-vxlan.sh
# Runs alternate (podnet, vxlan, podnet, ...) and the medians are printed.
# BENCH_RUNS (per device, default 7) and BENCH_SECS (default 3) apply when
# run by hand; the VM runner passes no environment to the guest.
. "$PODNET_ROOT/selftests/lib.sh"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
topo_setup || { echo "Bail out! topology setup failed"; pn_cleanup; exit 1; }
peers 4
runs=${BENCH_RUNS:-7} secs=${BENCH_SECS:-3}

# flannel.1 on nodes 1 and 2, pod addresses 10.245.N.10 next to 10.244.N.10;
# podnet0 at Flannel's MTU too (its default leaves room for IPv6 peers).
for n in $N; do
	in_node "$n" ip -batch - <<-EOF
	link add flannel.1 type vxlan id 1 dstport 4789 local $(v4 "$n") dev eth0 nolearning
	link set flannel.1 mtu 1450 up
	link set podnet0 mtu 1450
	addr add 10.245.$n.0/32 dev flannel.1
	route add 10.245.$n.10/32 dev va
	EOF
	in_pod "$n" a ip addr add "10.245.$n.10/32" dev eth0
done
for n in $N; do for m in $N; do
	[ "$n" = "$m" ] && continue
	mac=$(in_node "$m" ip -j link show flannel.1 | jget '.[0].address')
	in_node "$n" ip -batch - <<-EOF
	neigh add 10.245.$m.0 lladdr $mac dev flannel.1 nud permanent
	route add 10.245.$m.0/24 via 10.245.$m.0 dev flannel.1 onlink
	EOF
	in_node "$n" bridge fdb append "$mac" dev flannel.1 dst "$(v4 "$m")"
done; done
ok "podnet path works" pnping "$(pod 1 a),10.244.2.10"

# one SRC DST: "Mbit/s retransmits" of one TCP run from pod 1a.
one() {
	iperf_server 2 a 5201 -1
	in_pod 1 a iperf3 -c "$2" -B "$1" -t "$secs" -J |
		jget '.end | "\(.sum_received.bits_per_second / 1e6 | round) \(.sum_sent.retransmits // 0)"'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fl=$(devstat 1 flannel.1 tx_bytes) pn=$(devstat 1 podnet0 tx_bytes)
p="" v="" pr="" vr=""
for i in $(seq "$runs"); do
	read -r m r <<<"$(one 10.244.1.10 10.244.2.10)"
	p+="$m " pr+="$r "
	read -r m r <<<"$(one 10.245.1.10 10.245.2.10)"
	v+="$m " vr+="$r "
done
diag "podnet Mbit/s: $p (retransmits: $pr)"
diag "vxlan  Mbit/s: $v (retransmits: $vr)"
pm=$(median <<<"$p") vm=$(median <<<"$v")
diag "median over $runs runs of ${secs}s, kernel $PODNET_KVER: podnet $pm, vxlan $vm Mbit/s"
fl=$(($(devstat 1 flannel.1 tx_bytes) - fl)) pn=$(($(devstat 1 podnet0 tx_bytes) - pn))
diag "bytes sent by node 1: podnet0 $pn, flannel.1 $fl"
ok "each device carried its runs" test "$pn" -gt 1000000 -a "$fl" -gt 1000000
ok "both measured" test -n "$pm" -a -n "$vm"
done_testing
