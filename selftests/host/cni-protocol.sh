#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet CNI plugin without a podnet device (MTU from the config):
# the protocol as the spec has it (VERSION, every error with its code and
# message, the result of every cniVersion against a golden file), the
# routed veth it builds, CHECK, DEL however often and without the netns,
# faults that must leave nothing behind, GC, and 200 parallel ADDs and
# DELs through libcni.  Runs on any kernel with veth, the host's too:
#   PODNET_ROOT=$PWD bash selftests/host/cni-protocol.sh (make check runs it on the host)
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/tools/cni.sh"

G=$PODNET_ROOT/selftests/tools/cni-golden
N=pncn		# the node
P=pncp		# a pod
pn_netns_add $N && pn_netns_add $P || { echo "Bail out! cannot create namespaces"; exit 1; }
NS=/run/netns/$P
conf=$(cni_conf 1.1.0)

# --- VERSION and the environment ------------------------------------------
is "VERSION lists 0.3.0 to 1.1.0" "$(cni_raw $N VERSION '' '' '' </dev/null | jq -c .)" \
	'{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}'
is "no CNI_COMMAND: code 4" "$(cni_err $N '' c1 $NS <<<"$conf")" \
	"rc 1 4 CNI_COMMAND is not set (one of ADD, DEL, CHECK, GC, STATUS, VERSION)"
is "unknown CNI_COMMAND: code 4" "$(cni_err $N FROB c1 $NS <<<"$conf")" \
	'rc 1 4 CNI_COMMAND "FROB" is not one of ADD, DEL, CHECK, GC, STATUS, VERSION'
is "ADD without CNI_CONTAINERID: code 4" "$(cni_err $N ADD '' $NS <<<"$conf")" \
	"rc 1 4 CNI_CONTAINERID is not set"
is "ADD without CNI_NETNS: code 4" "$(cni_err $N ADD c1 '' <<<"$conf")" \
	"rc 1 4 CNI_NETNS is not set"
is "ADD without CNI_IFNAME: code 4" "$(cni_err $N ADD c1 $NS '' <<<"$conf")" \
	"rc 1 4 CNI_IFNAME is not set"
is "ADD with a 16-character CNI_IFNAME: code 4" \
	"$(cni_err $N ADD c1 $NS eth0123456789abc <<<"$conf")" \
	'rc 1 4 CNI_IFNAME "eth0123456789abc" is longer than 15 characters'
is "ADD with a bad CNI_CONTAINERID: code 4" "$(cni_err $N ADD -c1 $NS <<<"$conf")" \
	"rc 1 4 CNI_CONTAINERID \"-c1\" is invalid: letters, digits, '_', '.' and '-' only, starting with a letter or digit"
is "DEL without CNI_IFNAME: code 4" "$(cni_err $N DEL c1 '' '' <<<"$conf")" \
	"rc 1 4 CNI_IFNAME is not set"

# --- the configuration ----------------------------------------------------
is "malformed JSON: code 6" "$(cni_err $N ADD c1 $NS <<<'{"cniVersion": "1.1.0",')" \
	"rc 1 6 cannot decode the network configuration: string or '}' expected near end of file (line 2, column 0)"
is "a JSON array: code 6" "$(cni_err $N ADD c1 $NS <<<'[]')" \
	"rc 1 6 the network configuration is not a JSON object"
is "unknown cniVersion: code 1" "$(cni_err $N ADD c1 $NS <<<"$(cni_conf 9.9.9)")" \
	'rc 1 1 cniVersion "9.9.9" is not supported by podnet (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)'
is "no cniVersion at all: code 7" \
	"$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 'del(.cniVersion)')")" \
	"rc 1 7 the network configuration has no cniVersion"
is "cniVersions, none supported: code 1" \
	"$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 'del(.cniVersion) | .cniVersions = ["0.2.0", "2.0.0"]')")" \
	"rc 1 1 none of cniVersions is supported by podnet (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)"
is "no name: code 7" "$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 'del(.name)')")" \
	"rc 1 7 the network configuration has no name"
is "no ipam: code 7" "$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 'del(.ipam)')")" \
	"rc 1 7 the network configuration has no ipam object: podnet delegates addresses to an IPAM plugin (host-local, say)"
is "mtu 1000: code 7" "$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 '.mtu = 1000')")" \
	"rc 1 7 mtu must be an integer from 1280 (IPv6's minimum) to 65535"
is "ipMasq: true: code 2" "$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 '.ipMasq = true')")" \
	"rc 1 2 ipMasq: true is not supported: podnet does not masquerade pod traffic (leave it to the node's own NAT rules)"
is "CHECK with cniVersion 0.3.1: code 1" "$(cni_err $N CHECK c1 $NS <<<"$(cni_conf 0.3.1)")" \
	"rc 1 1 CHECK needs cniVersion 0.4.0 or later, not 0.3.1"
is "GC with cniVersion 1.0.0: code 1" "$(cni_err $N GC '' '' '' <<<"$(cni_conf 1.0.0)")" \
	"rc 1 1 GC needs cniVersion 1.1.0 or later, not 1.0.0"
is "STATUS with cniVersion 1.0.0: code 1" "$(cni_err $N STATUS '' '' '' <<<"$(cni_conf 1.0.0)")" \
	"rc 1 1 STATUS needs cniVersion 1.1.0 or later, not 1.0.0"
is "an error is JSON on stdout with the config's cniVersion" \
	"$(cni_raw $N CHECK c1 $NS <<<"$(cni_conf 0.4.0)" 2>/dev/null | jq -c .)" \
	'{"cniVersion":"0.4.0","code":7,"msg":"CHECK needs the prevResult of ADD"}'
is "none of these allocated an address or left a link" "$(ipam_used; leftovers $N)" ""

# --- faults before and after IPAM: nothing left -----------------------------
is "netns missing: code 3" "$(cni_err $N ADD c1 /run/netns/pnc-none <<<"$conf")" \
	"rc 1 3 cannot open network namespace /run/netns/pnc-none: No such file or directory"
is "netns not a namespace: code 3" "$(cni_err $N ADD c1 /etc/hostname <<<"$conf")" \
	"rc 1 3 /etc/hostname is not a network namespace"
is "IPAM plugin absent: code 7" \
	"$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 '.ipam.type = "pnc-none"')")" \
	"rc 1 7 IPAM plugin pnc-none not found in CNI_PATH ($CNI_PATH_T)"
is "no mtu and no podnet device: code 11" \
	"$(cni_err $N ADD c1 $NS <<<"$(cni_conf 1.1.0 'del(.mtu) | .device = "pnc-nodev"')")" \
	"rc 1 11 device pnc-nodev does not exist (yet), and the config sets no mtu"
ns_exec $P ip link add eth0 type veth peer name eth0p
is "CNI_IFNAME taken in the pod, after IPAM ADD: code 100" \
	"$(cni_err $N ADD c1 $NS <<<"$conf")" "rc 1 100 interface eth0 already exists in $NS"
ns_exec $P ip link del eth0
one=$(cni_conf 1.1.0 '.ipam.ranges = [[{subnet: "10.244.9.0/24", rangeStart: "10.244.9.5", rangeEnd: "10.244.9.5"}]]')
cni_raw $N ADD c-full $NS <<<"$one" >/dev/null
is "IPAM failing (range exhausted): its code and message, named" \
	"$(cni_err $N ADD c2 $NS eth1 <<<"$one")" \
	"rc 1 999 IPAM plugin host-local (ADD): failed to allocate for range 0: no IP addresses available in range set: 10.244.9.5-10.244.9.5"
ok "... and the first container's DEL" cni_raw $N DEL c-full $NS <<<"$one"
# The runtime deletes the pod's netns while ADD runs: strace holds the
# plugin's first setns() (into the pod) for 1.5 s, the netns goes after 0.5.
pn_netns_add pncv
(sleep 0.5; ip netns del pncv) &
out=$(ns_exec $N strace -qq -o /dev/null -e trace=setns -e inject=setns:delay_enter=1500000:when=1 \
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "CNI_PATH=$CNI_PATH_T" CNI_COMMAND=ADD \
	CNI_CONTAINERID=c-gone CNI_NETNS=/run/netns/pncv CNI_IFNAME=eth0 "$PODNET_BIN/podnet" \
	2>&1 <<<"$conf")
wait
is "netns deleted during ADD: code 3" "$(jq -r '"\(.code) \(.msg)"' <<<"$out" 2>/dev/null || echo "$out")" \
	"3 network namespace /run/netns/pncv was deleted during ADD"
is "no address, link, route or lock file left by any fault" "$(ipam_used; leftovers $N)" ""

# --- ADD in every version: the result against golden files -------------------
# A fresh host-local store for each, so each gets the range's first address.
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	rm -rf "$IPAM_DIR"
	out=$(cni_raw $N ADD golden $NS <<<"$(cni_conf $v)")
	is "ADD $v: the result is cni-golden/add-$v.json" "$(macs_out <<<"$out")" "$(cat "$G/add-$v.json")"
	ok "DEL $v" cni_raw $N DEL golden $NS <<<"$(cni_conf $v)"
done
rm -rf "$IPAM_DIR"
out=$(cni_raw $N ADD golden $NS <<<"$(cni_conf 1.1.0 'del(.cniVersion) | .cniVersions = ["0.2.0", "0.4.0", "1.0.0", "7.0.0"]')")
is "cniVersions [0.2.0, 0.4.0, 1.0.0, 7.0.0]: the result is 1.0.0's" "$(macs_out <<<"$out")" \
	"$(cat "$G/add-1.0.0.json")"
cni_raw $N DEL golden $NS <<<"$conf"
is "after the DELs: nothing left" "$(ipam_used; leftovers $N)" ""

# --- chained after another plugin: its result kept, podnet's appended -----------
prev='{"cniVersion":"1.1.0","interfaces":[{"name":"other0"}],"ips":[{"address":"192.0.2.9/24","interface":0}],"dns":{"nameservers":["192.0.2.53"]}}'
rm -rf "$IPAM_DIR"
out=$(cni_raw $N ADD chain $NS <<<"$(cni_conf 1.1.0 ".prevResult = $prev")")
is "ADD with a prevResult: its interfaces, ips and dns kept, podnet's appended" \
	"$(jq -c '[[.interfaces[].name | sub("^pn[0-9a-f]{12}$"; "HOST")], [.ips[] | "\(.address) \(.interface)"], .dns]' <<<"$out")" \
	'[["other0","HOST","eth0"],["192.0.2.9/24 0","10.244.1.2/32 2","fd10:1::2/128 2"],{"nameservers":["192.0.2.53"]}]'
is "CHECK of that result: podnet's interface and addresses only" \
	"$(cni_err $N CHECK chain $NS <<<"$(cni_conf 1.1.0 ".prevResult = $out")")" "rc 0"
cni_raw $N DEL chain $NS <<<"$conf"
is "... DEL: nothing left" "$(ipam_used; leftovers $N)" ""

# --- the routed veth -------------------------------------------------------
rm -rf "$IPAM_DIR"
res=$(cni_raw $N ADD c1 $NS <<<"$conf")
hif=$(jq -r '.interfaces[0].name' <<<"$res")
is "host end named pn + 12 hex digits, stateless" "$hif" "pna35ad96f1967"
is "pod: addresses /32 and /128 on eth0, and link-local" \
	"$(ns_exec $P ip -j addr show dev eth0 | jq -c '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"]')" \
	'["10.244.1.2/32","fd10:1::2/128","fe80::'"$(ns_exec $P ip -j addr show dev eth0 | jq -r '.[0].addr_info[2].local | sub("fe80::"; "")')"'/64"]'
is "pod: IPv4 routes" "$(ns_exec $P ip -4 route show)" \
	"default via 169.254.1.1 dev eth0 proto static 
169.254.1.1 dev eth0 proto static scope link "
is "pod: IPv6 default via fe80::1" "$(ns_exec $P ip -6 route show default)" \
	"default via fe80::1 dev eth0 proto static metric 1024 pref medium"
is "pod and host end: MTU 1400, up" \
	"$(ns_exec $P ip -j link show eth0 | jq -r '.[0] | "\(.mtu) \(.operstate)"') $(ns_exec $N ip -j link show "$hif" | jq -r '.[0] | "\(.mtu) \(.operstate)"')" \
	"1400 UP 1400 UP"
is "host end: alias podnet:NETWORK:ID:IFNAME" "$(ns_exec $N cat /sys/class/net/"$hif"/ifalias 2>/dev/null || ns_exec $N ip -j -d link show "$hif" | jq -r '.[0].ifalias')" \
	"podnet:pnt:c1:eth0"
is "host end: 169.254.1.1/32 and fe80::1/64" \
	"$(ns_exec $N ip -j addr show dev "$hif" | jq -c '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | map(select(. | startswith("169.254") or . == "fe80::1/64"))')" \
	'["169.254.1.1/32","fe80::1/64"]'
is "host: routes to the pod's /32 and /128 via the veth" \
	"$(host_routes $N "$hif")" \
	"10.244.1.2 proto static scope link 
fd10:1::2 metric 1024 pref medium"
is "sysctls: proxy_arp, proxy_ndp on the host end, accept_dad off on both" \
	"$(ns_exec $N sysctl -n net.ipv4.conf.$hif.proxy_arp net.ipv6.conf.$hif.proxy_ndp net.ipv6.conf.$hif.accept_dad | tr '\n' ' ')$(ns_exec $P sysctl -n net.ipv6.conf.eth0.accept_dad)" \
	"1 1 0 0"
ok "the node reaches the pod, IPv4" ns_exec $N ping -c 1 -W 2 10.244.1.2
ok "the node reaches the pod, IPv6" ns_exec $N ping -6 -c 1 -W 2 fd10:1::2
is "a second ADD of the same attachment: code 100, its address kept" \
	"$(cni_err $N ADD c1 $NS <<<"$conf"; ipam_used | tr '\n' ' ')" \
	"rc 1 100 host interface $hif already exists (podnet:pnt:c1:eth0): an earlier ADD of this container and interface was not deleted
10.244.1.2 fd10:1::2 "

# --- one family only: routes and gateways of that family alone --------------------
conf4=$(cni_conf 1.1.0 '.ipam.ranges = [[{subnet: "10.244.4.0/24"}]]')
conf6=$(cni_conf 1.1.0 '.ipam.ranges = [[{subnet: "fd10:6::/64"}]]')
r4=$(cni_raw $N ADD only4 $NS eth4 <<<"$conf4")
r6=$(cni_raw $N ADD only6 $NS eth6 <<<"$conf6")
h4=$(jq -r '.interfaces[0].name' <<<"$r4")
h6=$(jq -r '.interfaces[0].name' <<<"$r6")
is "IPv4 only: result ips and routes" "$(jq -c '[[.ips[].address], [.routes[].dst]]' <<<"$r4")" \
	'[["10.244.4.2/32"],["0.0.0.0/0"]]'
is "IPv6 only: result ips and routes" "$(jq -c '[[.ips[].address], [.routes[].dst]]' <<<"$r6")" \
	'[["fd10:6::2/128"],["::/0"]]'
is "IPv4 only: host end has 169.254.1.1, no fe80::1; proxy_arp 1, proxy_ndp 0" \
	"$(ns_exec $N ip -j addr show dev "$h4" | jq -c '[.[0].addr_info[] | select(.local == "169.254.1.1" or .local == "fe80::1") | .local]') $(ns_exec $N sysctl -n net.ipv4.conf.$h4.proxy_arp net.ipv6.conf.$h4.proxy_ndp | tr '\n' ' ')" \
	'["169.254.1.1"] 1 0 '
is "IPv6 only: host end has fe80::1, no 169.254.1.1; proxy_arp 0, proxy_ndp 1" \
	"$(ns_exec $N ip -j addr show dev "$h6" | jq -c '[.[0].addr_info[] | select(.local == "169.254.1.1" or .local == "fe80::1") | .local]') $(ns_exec $N sysctl -n net.ipv4.conf.$h6.proxy_arp net.ipv6.conf.$h6.proxy_ndp | tr '\n' ' ')" \
	'["fe80::1"] 0 1 '
is "... the pod (c1 on eth0 first): its default routes stay c1's" \
	"$(ns_exec $P ip route show default; ns_exec $P ip -6 route show default)" \
	"default via 169.254.1.1 dev eth0 proto static 
default via fe80::1 dev eth0 proto static metric 1024 pref medium"
cni_raw $N DEL only4 $NS eth4 <<<"$conf4"
cni_raw $N DEL only6 $NS eth6 <<<"$conf6"
is "... both DELs: c1's attachment alone is left" \
	"$(ns_exec $N ip -o link show type veth | awk -F'[:@ ]+' '{ print $2 }'; ipam_used | tr '\n' ' ')" \
	"$hif
10.244.1.2 fd10:1::2 "

# --- CHECK ---------------------------------------------------------------
chk=$(jq -c --argjson p "$res" '. + {prevResult: $p}' <<<"$conf")
is "CHECK after ADD passes" "$(cni_err $N CHECK c1 $NS <<<"$chk")" "rc 0"
ns_exec $P ip link set eth0 mtu 1300
is "CHECK: the pod's MTU changed" "$(cni_err $N CHECK c1 $NS <<<"$chk")" \
	"rc 1 100 interface eth0 in the pod has MTU 1300, not 1400"
ns_exec $P ip link set eth0 mtu 1400
ns_exec $P ip route del default via 169.254.1.1
is "CHECK: the pod's default route gone" "$(cni_err $N CHECK c1 $NS <<<"$chk")" \
	"rc 1 100 the pod has no default route via 169.254.1.1"
ns_exec $P ip route add default via 169.254.1.1 dev eth0
ns_exec $N ip -6 route del fd10:1::2/128 dev "$hif"
is "CHECK: a host route gone" "$(cni_err $N CHECK c1 $NS <<<"$chk")" \
	"rc 1 100 the host has no route via its veth to fd10:1::2"
ns_exec $N ip -6 route add fd10:1::2/128 dev "$hif" proto static
ns_exec $P ip addr del 10.244.1.2/32 dev eth0
is "CHECK: the pod's address gone" "$(cni_err $N CHECK c1 $NS <<<"$chk")" \
	"rc 1 100 the pod's interface lacks its address 10.244.1.2"
# (The last IPv4 address gone, the kernel flushed the IPv4 routes too.)
ns_exec $P ip addr add 10.244.1.2/32 dev eth0
ns_exec $P ip route add 169.254.1.1 dev eth0 proto static
ns_exec $P ip route add default via 169.254.1.1 dev eth0 proto static
is "CHECK: repaired, passes again" "$(cni_err $N CHECK c1 $NS <<<"$chk")" "rc 0"

# --- DEL ----------------------------------------------------------------------
ok "DEL" cni_raw $N DEL c1 $NS <<<"$conf"
is "... nothing left" "$(ipam_used; leftovers $N)" ""
ok "DEL again" cni_raw $N DEL c1 $NS <<<"$conf"
cni_raw $N ADD c1 $NS <<<"$conf" >/dev/null
ip netns del $P
ok "DEL with the netns deleted" cni_raw $N DEL c1 $NS <<<"$conf"
ok "DEL without CNI_NETNS" cni_raw $N DEL c1 '' <<<"$conf"
is "... nothing left" "$(ipam_used; leftovers $N)" ""
pn_netns_add $P

# --- one container's commands one at a time -------------------------------------
# Unserialised, two ADDs could both pass the check for an existing host
# end, and the loser's IPAM DEL would take the winner's addresses.
rm -rf "$IPAM_DIR"
for i in $(seq 10); do cni_raw $N ADD same $NS <<<"$conf" >"$cni_tmp/same.add.$i" & done
wait
is "10 parallel ADDs of one attachment: one result, nine code 100" \
	"$(cat "$cni_tmp"/same.add.* | jq -r 'if .code then "code \(.code)" else "result" end' | sort | uniq -c | awk '{ printf "%s %s %s ", $1, $2, $3 }')" \
	"9 code 100 1 result  "
is "... the one that won keeps its addresses" "$(ipam_used | tr '\n' ' ')" "10.244.1.2 fd10:1::2 "
for i in $(seq 10); do { cni_raw $N DEL same $NS <<<"$conf"; echo "rc $?"; } >"$cni_tmp/same.del.$i" & done
wait
is "10 parallel DELs of it: all succeed" "$(cat "$cni_tmp"/same.del.* | sort | uniq -c | awk '{ print $1, $2, $3 }')" "10 rc 0"
is "... nothing left" "$(ipam_used; leftovers $N)" ""

# --- libcni: ADD, CHECK, DEL, GC, STATUS --------------------------------------
rm -rf "$IPAM_DIR"
list=$cni_tmp/list.conflist
jq -c '{cniVersion, name, plugins: [del(.cniVersion, .name)]}' <<<"$conf" >"$list"
is "libcni: VERSION negotiation" "$(cni_drv $N -conf "$list" version)" \
	"podnet 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0
list 1.1.0"
res=$(cni_drv $N -conf "$list" -id l1 -netns $NS add)
is "libcni ADD: the result" "$(jq -c '[.cniVersion, [.ips[].address], [.interfaces[].name]]' <<<"$res")" \
	"[\"1.1.0\",[\"10.244.1.2/32\",\"fd10:1::2/128\"],[\"pn38eda4b07347\",\"eth0\"]]"
ok "libcni CHECK (prevResult from its cache)" cni_drv $N -conf "$list" -id l1 -netns $NS check
is "libcni STATUS without a podnet device: code 50" "$(cni_drv $N -conf "$list" status)" \
	'{"code":50,"msg":"device podnet0 does not exist"}'
ns_exec $N ip link add podnet0 type veth peer name podnet0p
is "libcni STATUS with a veth named podnet0: code 50" "$(cni_drv $N -conf "$list" status)" \
	'{"code":50,"msg":"device podnet0 is not a podnet device (kind veth)"}'
ns_exec $N ip link del podnet0

# GC: l1 valid; l2 added through libcni (cached); c-crash added behind
# libcni's back, as if the runtime died before caching the result.
cni_drv $N -conf "$list" -id l2 -netns $NS -ifname eth1 add >/dev/null
cni_raw $N ADD c-crash $NS eth2 <<<"$conf" >/dev/null
is "before GC: three attachments" "$(ns_exec $N ip -o link show type veth | wc -l) $(ipam_used | wc -l)" "3 6"
ok "libcni GC, l1 valid" cni_drv $N -conf "$list" -valid l1:eth0 gc
is "after GC: l1's link and addresses only" \
	"$(ns_exec $N ip -o link show type veth | awk -F'[:@ ]+' '{ print $2 }'; ipam_used | tr '\n' ' ')" \
	"pn38eda4b07347
10.244.1.2 fd10:1::2 "
is "... l1 still passes CHECK" "$(cni_drv $N -conf "$list" -id l1 -netns $NS check; echo rc $?)" "rc 0"
# Host ends without an alias, as an ADD leaves them that died between
# creating the pair and setting it: c-died's (not valid) and c-adding's
# (valid: its ADD may still be running).
hd=$(cni_raw $N ADD c-died $NS eth3 <<<"$conf" | jq -r '.interfaces[0].name')
ha=$(cni_raw $N ADD c-adding $NS eth4 <<<"$conf" | jq -r '.interfaces[0].name')
printf 'link set dev %s alias ""\n' "$hd" "$ha" | ns_exec $N ip -batch -
veths() { ns_exec $N ip -o link show type veth | awk -F'[:@ ]+' '{ print $2 }' | sort | tr '\n' ' '; }
# c-adding's ADD still runs: its lock is held (here by this shell) while
# GC lists the links.
exec {busy}>"$RUN_DIR/c-adding.lock" && flock "$busy"
ok "GC (l1, c-adding valid) while c-adding's command holds its lock" \
	cni_drv $N -conf "$list" -valid l1:eth0,c-adding:eth4 gc
is "... both ends without an alias kept: c-died's may be an ADD in flight" "$(veths)" \
	"$(printf '%s\n' pn38eda4b07347 "$hd" "$ha" | sort | tr '\n' ' ')"
exec {busy}>&-
rm "$RUN_DIR/c-adding.lock"
ok "GC again, no command running" cni_drv $N -conf "$list" -valid l1:eth0,c-adding:eth4 gc
is "... c-died's end without an alias and its addresses are gone; c-adding's stay, and l1's" \
	"$(veths)$(ipam_used | wc -l)" "$(printf '%s\n' pn38eda4b07347 "$ha" | sort | tr '\n' ' ')4"
ok "DEL of c-adding" cni_raw $N DEL c-adding $NS eth4 <<<"$conf"
ok "libcni DEL" cni_drv $N -conf "$list" -id l1 -netns $NS del
is "... nothing left" "$(ipam_used; leftovers $N)" ""

# --- 200 in parallel ------------------------------------------------------------
# (Under TCG 200 take two minutes: 50 on the kernels that are not pn_full.)
pods=200
pn_full || pods=50
for i in $(seq 0 $((pods - 1))); do echo "netns add pncq-$i"; done | ip -batch - && {
	for i in $(seq 0 $((pods - 1))); do _pn_netns+=("pncq-$i"); done
}
big=$cni_tmp/big.conflist
jq -c '.plugins[0].ipam.ranges = [[{subnet: "10.245.0.0/16"}], [{subnet: "fd10:245::/64"}]]' "$list" >"$big"
t0=$SECONDS
out=$(cni_drv $N -conf "$big" -id par -netns /run/netns/pncq -n $pods add)
rc=$?
diag "$pods parallel ADDs: $((SECONDS - t0)) s"
is "$pods ADDs in parallel: all succeed" "$rc $(grep -c ' {' <<<"$out")" "0 $pods"
is "... each result has a /32 and a /128, all distinct" \
	"$(cut -d' ' -f2- <<<"$out" | jq -r '.ips[].address' | sort -u | grep -cE '^(10\.245\.[0-9.]+/32|fd10:245::[0-9a-f]+/128)$')" \
	$((2 * pods))
is "... $pods veths, $((2 * pods)) host routes" \
	"$(ns_exec $N ip -o link show type veth | wc -l) $(($(ns_exec $N ip route show proto static | wc -l) + $(ns_exec $N ip -6 route show proto static | wc -l)))" \
	"$pods $((2 * pods))"
t0=$SECONDS
out=$(cni_drv $N -conf "$big" -id par -netns /run/netns/pncq -n $pods del)
rc=$?
diag "$pods parallel DELs: $((SECONDS - t0)) s"
is "$pods DELs in parallel: all succeed" "$rc$out" "0"
is "... host-local's store empty, no veth, route or lock file left" "$(ipam_used; leftovers $N)" ""

done_testing
