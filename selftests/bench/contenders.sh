# SPDX-License-Identifier: GPL-2.0
# The contenders of the per-packet benches (insn.sh, timed.sh), sourced
# after selftests/lib.sh: two nodes (pnn1, pnn2) on the veth/bridge
# underlay, one pod each (pnp1a, pnp2a) behind a routed veth; the pods
# carry one address per contender, so the same pods and veths serve all:
#   native  10.246.N.10: plain routing, the node routes 10.246.M.0/24 via
#           the other node's underlay address (the limit);
#   vxlan   10.245.N.10: flannel.1 as flanneld programs it: VNI 1, port
#           8472, `dev eth0 local NODE`, nolearning, MTU 1450, a /32
#           address, per remote node a permanent neighbour, a permanent
#           FDB entry and an onlink route;
#   podnet  10.244.N.10: podnet0, encap vxlan, MTU 1450, one peer per
#           remote node; port 4789, since flannel.1 holds 8472 (podnet's
#           default) in the same namespace;
#   gpe     10.247.N.10: podnet1, encap gpe (no inner Ethernet), port
#           4790, MTU 1450, one peer per remote node.
# Every neighbour entry is permanent (see below).  Defines CONTENDERS,
# addr CONTENDER NODE, txdev CONTENDER and drop on|off.
CONTENDERS="native vxlan podnet gpe"

pn_load
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
PODS=a
topo_up port 4789
peers 4 || { echo "Bail out! podnet peers"; pn_cleanup; exit 1; }
for n in 1 2; do
	in_node "$n" ip -batch - <<-EOF
	link set podnet0 mtu 1450
	link add flannel.1 type vxlan id 1 dstport 8472 local $(v4 "$n") dev eth0 nolearning
	link set flannel.1 mtu 1450 up
	addr add 10.245.$n.0/32 dev flannel.1
	route add 10.245.$n.10/32 dev va
	route add 10.246.$n.10/32 dev va
	link add podnet1 mtu 1450 type podnet encap gpe port 4790
	link set podnet1 up
	route add 10.247.0.0/16 dev podnet1
	route add 10.247.$n.10/32 dev va
	EOF
	in_pod "$n" a ip -batch - <<-EOF
	addr add 10.245.$n.10/32 dev eth0
	addr add 10.246.$n.10/32 dev eth0
	addr add 10.247.$n.10/32 dev eth0
	EOF
	echo "remote $(v4 $((3 - n))) prefix 10.247.$((3 - n)).0/24" |
		in_node "$n" podnetctl peer replace dev podnet1 ||
		{ echo "Bail out! podnet1 peers"; pn_cleanup; exit 1; }
done
for n in 1 2; do
	m=$((3 - n))
	mac=$(in_node "$m" ip -j link show flannel.1 | jget '.[0].address')
	in_node "$n" ip -batch - <<-EOF
	neigh add 10.245.$m.0 lladdr $mac dev flannel.1 nud permanent
	route add 10.245.$m.0/24 via 10.245.$m.0 dev flannel.1 onlink
	route add 10.246.$m.0/24 via $(v4 "$m") dev eth0
	EOF
	in_node "$n" bridge fdb replace "$mac" dev flannel.1 dst "$(v4 "$m")" self permanent
done
# Every other neighbour permanent too, the same for all contenders: with
# one-way UDP nothing confirms an entry, so it would go stale and be
# probed again every 15-45 s, inside some windows and not others.
for n in 1 2; do
	m=$((3 - n))
	umac=$(in_node "$m" ip -j link show eth0 | jget '.[0].address')
	vmac=$(in_node "$n" ip -j link show va | jget '.[0].address')
	pmac=$(in_pod "$n" a ip -j link show eth0 | jget '.[0].address')
	in_node "$n" ip -batch - <<-EOF
	neigh replace $(v4 "$m") lladdr $umac dev eth0 nud permanent
	neigh replace 10.244.$n.10 lladdr $pmac dev va nud permanent
	neigh replace 10.245.$n.10 lladdr $pmac dev va nud permanent
	neigh replace 10.246.$n.10 lladdr $pmac dev va nud permanent
	neigh replace 10.247.$n.10 lladdr $pmac dev va nud permanent
	EOF
	in_pod "$n" a ip neigh replace 169.254.1.1 lladdr "$vmac" dev eth0 nud permanent
done
addr() { case $1 in native) echo "10.246.$2.10" ;; vxlan) echo "10.245.$2.10" ;; podnet) echo "10.244.$2.10" ;; gpe) echo "10.247.$2.10" ;; esac; }
# The device a contender's packets leave node 1 by.
txdev() { case $1 in native) echo eth0 ;; vxlan) echo flannel.1 ;; podnet) echo podnet0 ;; gpe) echo podnet1 ;; esac; }
# drop on|off: the underlay bridge drops what node 1 sends (its port u1
# disabled), so that a window counts the sending side alone.
drop() {
	in_ns $U bridge link set dev u1 state "$([ "$1" = on ] && echo 0 || echo 3)"
}

