#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ip(8) and link_podnet.so: create podnet devices with every option, read
# them back with ip -d and ip -j -d (JSON field by field), change them with
# ip link set, refuse invalid values without creating anything; and plain
# `ip link add ... type podnet` without the plugin.
. "$PODNET_ROOT/selftests/lib.sh"

NS=pnip
pn_load
pn_netns_add $NS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export IP_LIB_DIR=$PODNET_ROOT/userspace/ip
nip() { ip -n $NS "$@"; }
# jd DEV EXPR: EXPR over d = the device's linkinfo info_data from ip -j -d.
jd() {
	nip -j -d link show "$1" | $PY -c "
import json, sys
d = json.load(sys.stdin)[0]['linkinfo']['info_data']
r = ($2)
print(r)"
}
gone() { ! nip link show "$1" >/dev/null 2>&1; }

# --- without the plugin ---------------------------------------------------
ok "without the plugin: ip link add type podnet" env IP_LIB_DIR=/nonexistent ip -n $NS link add pn9 type podnet
like "without the plugin: ip -d shows the kind" "$(env IP_LIB_DIR=/nonexistent ip -n $NS -d link show pn9)" "podnet"
ok "without the plugin: delete" nip link del pn9

# --- help, defaults -------------------------------------------------------
like "ip link help podnet" "$(ip link help podnet 2>&1)" '^Usage: \.\.\. podnet \[ vni VNI \]'
ok "create with defaults" nip link add pn0 type podnet
like "ip -d: default options" "$(nip -d link show pn0)" \
	'podnet vni 1 port 8472 ttl auto tos 0x00 srcport 0 0 noudpcsum encap vxlan srcvalid'
is "ip -j -d: defaults" \
	"$(jd pn0 'd["vni"], d["port"], d["ttl"], d["ttl_inherit"], d["tos"], d["tos_inherit"], d["srcport_min"], d["srcport_max"], d["udp_csum"], d["encap"], d["src_valid"]')" \
	"(1, 8472, 0, False, 0, False, 0, 0, False, 'vxlan', True)"
is "ip -j -d: no local, local6 or link by default" \
	"$(jd pn0 '"local" in d, "local6" in d, "link" in d')" "(False, False, False)"

xs=$(nip -s -d -j link show pn0 | $PY -c '
import json, sys
x = json.load(sys.stdin)[0]["linkinfo"]["info_xstats"]
print(sorted(x.items()))')
is "ip -s -j -d: socket drop counters (info_xstats)" "$xs" \
	"[('rx_drop_bad_header', 0), ('rx_drop_bad_vni', 0)]"
like "ip -s -d: socket drop counters" "$(nip -s -d link show pn0)" 'rx_drop_bad_header 0 rx_drop_bad_vni 0'

# --- every option -----------------------------------------------------------
ok "create with every option" nip link add pn1 type podnet vni 42 port 4789 local 127.0.0.1 \
	dev lo ttl 64 tos 0x10 srcport 40000 50000 udpcsum nosrcvalid encap vxlan
is "ip -j -d: every option" \
	"$(jd pn1 'd["vni"], d["port"], d["local"], d["link"], d["ttl"], d["ttl_inherit"], d["tos"], d["srcport_min"], d["srcport_max"], d["udp_csum"], d["encap"], d["src_valid"]')" \
	"(42, 4789, '127.0.0.1', 'lo', 64, False, 16, 40000, 50000, True, 'vxlan', False)"
like "ip -d: every option" "$(nip -d link show pn1)" \
	'podnet vni 42 port 4789 local 127\.0\.0\.1 dev lo ttl 64 tos 0x10 srcport 40000 50000 udpcsum encap vxlan nosrcvalid'
ok "create with local6, inherit ttl and tos" nip link add pn2 type podnet vni 7 port 4790 local6 ::1 ttl inherit tos inherit
is "ip -j -d: local6 and inherits" "$(jd pn2 'd["local6"], d["ttl_inherit"], d["tos_inherit"], "local" in d')" \
	"('::1', True, True, False)"
like "ip -d: inherits" "$(nip -d link show pn2)" 'local6 ::1 ttl inherit tos inherit'
ok "create with vni 0 and id alias" nip link add pn3 type podnet id 0 port 4791
is "vni 0" "$(jd pn3 'd["vni"]')" 0

# --- change ---------------------------------------------------------------
ok "ip link set: ttl, tos, srcport, udpcsum, srcvalid" \
	nip link set pn1 type podnet ttl 5 tos inherit srcport 1000 2000 noudpcsum srcvalid
is "the changes show" \
	"$(jd pn1 'd["ttl"], d["tos_inherit"], d["srcport_min"], d["srcport_max"], d["udp_csum"], d["src_valid"]')" \
	"(5, True, 1000, 2000, False, True)"
ok "ip link set: ttl N after inherit" nip link set pn2 type podnet ttl 9 tos 0x20
is "inherit cleared" "$(jd pn2 'd["ttl"], d["ttl_inherit"], d["tos"], d["tos_inherit"]')" "(9, False, 32, False)"
ok "ip link set: ttl auto" nip link set pn2 type podnet ttl auto
is "ttl auto is 0" "$(jd pn2 'd["ttl"]')" 0
fails_with "changing the vni is refused" 'Error: ' nip link set pn1 type podnet vni 43
is "... and the vni stays" "$(jd pn1 'd["vni"]')" 42
fails "changing the port is refused" nip link set pn1 type podnet port 4000
ok "sending the current vni is not a change" nip link set pn1 type podnet vni 42

# --- invalid values -------------------------------------------------------
bad() {	# DESC PATTERN ARGS...: refused with PATTERN, no device left behind
	local desc=$1 pat=$2
	shift 2
	fails_with "$desc" "$pat" nip link add pnbad type podnet "$@"
	if gone pnbad; then _tap_result ok "$desc: no device created"
	else _tap_result not-ok "$desc: no device created"; nip link del pnbad; fi
}
bad "port 70000" '^Error: argument "70000" is wrong: invalid port$' port 70000
bad "port 0" 'argument "0" is wrong: invalid port' port 0
bad "port -1" 'argument "-1" is wrong: invalid port' port -1
bad "vni 16777216" 'argument "16777216" is wrong: invalid vni' vni 16777216
bad "vni garbage" 'argument "ten" is wrong: invalid vni' vni ten
bad "ttl 256" 'argument "256" is wrong: invalid ttl' ttl 256
bad "tos with ECN bits" 'argument "0x11" is wrong: tos must leave the two ECN bits clear' tos 0x11
bad "tos 256" 'argument "256" is wrong: invalid tos' tos 256
bad "srcport reversed" 'source port range ends below its start' srcport 2000 1000
bad "srcport missing MAX" '"srcport" needs a value' srcport 2000
bad "local garbage" 'argument "nowhere" is wrong: invalid local address' local nowhere
bad "local multicast" 'argument "224.0.0.1" is wrong: invalid local address' local 224.0.0.1
bad "local6 with IPv4" 'local6 needs an IPv6 address' local6 127.0.0.1
bad "dev missing" 'argument "nosuch0" is wrong: no such device' dev nosuch0
bad "encap unknown" 'argument "foo" is wrong: invalid encap' encap foo
bad "encap gpe (reserved)" 'Error' encap gpe
bad "unknown option" 'unknown option "frobnicate"' frobnicate

for d in pn0 pn1 pn2 pn3; do nip link del $d; done
done_testing
