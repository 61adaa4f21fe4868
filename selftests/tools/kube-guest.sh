# SPDX-License-Identifier: GPL-2.0
# A real kube-apiserver seen from the test guest, sourced after
# selftests/lib.sh by tests with the line "# needs: kube-apiserver" (run.sh
# then starts one on the host: selftests/vm/kube-host.sh).  The guest
# reaches it as 10.0.2.2 over qemu user networking; node namespaces reach
# it through kube_net_up's NAT.
#
#   kapi METHOD PATH [JSON [TYPE]]   the API as the cluster's admin
#   host_rpc VERB ARGS...            compact | restart-apiserver |
#                                    kubectl ARGS | proxyctl MODE, on the host
#   mknode NAME ADDR N               a Node: pod CIDRs 10.244.N.0/24 and
#                                    fd10:N::/64, InternalIP ADDR
#   set_ip NAME ADDR, heartbeat NAME SEQ
#   kube_net_up UNDERLAY-NS BRIDGE GW/LEN NODE-NS...   the way out
#   kube_net_down
#   kubeconfig FILE USER-FIELD      a kubeconfig for $API with that user,
#                                   e.g. "token: ..." or "tokenFile: PATH"

K=/run/podnet/kube
# run.sh starts the apiserver as the guest boots; it is usually up by now.
for i in $(seq 450); do [ -f "$K/guest.env" ] && break; sleep 0.2; done
[ -f "$K/guest.env" ] || { echo "Bail out! no $K/guest.env in 90 s: run.sh did not start kube-apiserver"; exit 1; }
# shellcheck disable=SC1091
. "$K/guest.env"
API=https://10.0.2.2:$KUBE_PORT

# kapi METHOD PATH [JSON [CONTENT-TYPE]]: the API as the cluster's admin.
kapi() {
	curl -sS --fail-with-body --max-time 20 --cacert "$K/ca.crt" \
		-H "Authorization: Bearer $KUBE_ADMIN_TOKEN" -X "$1" "$API$2" \
		${3:+-H "Content-Type: ${4:-application/json}" --data-binary "$3"}
}
# host_rpc VERB ARGS...: what only the host can do (selftests/vm/kube-host.sh).
# (Named by time: `ok` runs it in a subshell, where a counter would not count.)
host_rpc() {
	local f=$K/rpc/$(date +%s%N) i rc
	echo "$*" >"$f.req.tmp" && mv "$f.req.tmp" "$f.req"
	for i in $(seq 600); do
		[ -e "$f.rc" ] && break
		sleep 0.2
	done
	cat "$f.out" 2>/dev/null
	rc=$(cat "$f.rc" 2>/dev/null)
	rm -f "$f.out" "$f.rc"
	[ "$rc" = 0 ]
}

# mknode NAME UNDERLAY-V4 N: a Node with pod CIDRs 10.244.N.0/24, fd10:N::/64.
mknode() {
	kapi POST /api/v1/nodes "$(jq -n -c --arg n "$1" --arg c4 "10.244.$3.0/24" --arg c6 "fd10:$3::/64" \
		'{apiVersion: "v1", kind: "Node", metadata: {name: $n},
		  spec: {podCIDR: $c4, podCIDRs: [$c4, $c6]}}')" >/dev/null &&
	set_ip "$1" "$2"
}
set_ip() {
	kapi PATCH "/api/v1/nodes/$1/status" \
		"{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"$2\"},{\"type\":\"Hostname\",\"address\":\"$1\"}]}}" \
		application/merge-patch+json >/dev/null
}
heartbeat() {	# NODE SEQ: what kubelet's status updates change, and only that
	kapi PATCH "/api/v1/nodes/$1/status" \
		"{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"heartbeat $2\",\"lastHeartbeatTime\":\"$(date -u +%FT%TZ)\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}" \
		application/merge-patch+json >/dev/null
}

kubeconfig() {
	cat >"$1" <<-EOF
	apiVersion: v1
	kind: Config
	current-context: test
	contexts: [{name: test, context: {cluster: test, user: test}}]
	clusters: [{name: test, cluster: {server: "$API", certificate-authority: $K/ca.crt}}]
	users: [{name: test, user: {$2}}]
	EOF
}

# kube_net_up UNDERLAY-NS BRIDGE GW/LEN NODE-NS...: the guest's NIC up, a
# veth from the guest's namespace into the underlay bridge with address
# GW, NAT out of the NIC, and a route to the host via GW in each node.
kube_net_up() {
	local u=$1 br=$2 gw=$3 ns
	shift 3
	modprobe virtio_net || return 1
	kube_nic=$(ls /sys/class/net | grep -v -e '^lo$' | head -n1)
	[ -n "$kube_nic" ] || return 1
	ip link set "$kube_nic" up && ip addr add 10.0.2.15/24 dev "$kube_nic" &&
		ip link add pnkh type veth peer name pnkh0 netns "$u" && ip addr add "$gw" dev pnkh &&
		ip link set pnkh up && nsenter --net="/run/netns/$u" ip link set pnkh0 master "$br" up &&
		sysctl -qw net.ipv4.ip_forward=1 &&
		iptables -t nat -A POSTROUTING -s "$gw" -o "$kube_nic" -j MASQUERADE || return 1
	for ns in "$@"; do
		nsenter --net="/run/netns/$ns" ip route add 10.0.2.2/32 via "${gw%/*}" || return 1
	done
}
kube_net_down() {
	iptables -t nat -F POSTROUTING
	ip link del pnkh 2>/dev/null
	ip addr flush dev "$kube_nic"
}
