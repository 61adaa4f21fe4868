#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ip(8) and link_podnet.so: create podnet devices with every option, read
# them back with ip -d and ip -j -d (JSON field by field), change them with
# ip link set, refuse invalid values without creating anything; and plain
# `ip link add ... type podnet` without the plugin.  All of it twice: with
# the system's ip (Debian 12, iproute2 6.1) and with Debian sid's, which
# selftests/vm/stage-iproute2-sid.sh stages in build/iproute2-sid before
# each boot (struct link_util as a newer ip sees it).  Where pn_full is
# false, only what reaches the kernel, with the system's ip.
. "$PODNET_ROOT/selftests/lib.sh"

NS=pnip
pn_load
pn_netns_add $NS
export IP_LIB_DIR=$PODNET_ROOT/userspace/ip
IP=(ip)	# the ip(8) under test, with its loader if it needs one
nip() { "${IP[@]}" -n $NS "$@"; }
# jd DEV FILTER: the jq FILTER over the device's linkinfo info_data from
# ip -j -d, printed compact (jget).
jd() { nip -j -d link show "$1" | jget ".[0].linkinfo.info_data | $2"; }
gone() { ! nip link show "$1" >/dev/null 2>&1; }
bad() {	# DESC ERE ARGS...: refused with a line matching ERE, no device left behind
	local desc=$1 pat=$2
	shift 2
	fails_with "$desc" "$pat" nip link add pnbad type podnet "$@"
	if gone pnbad; then _tap_result ok "$desc: no device created"
	else _tap_result not-ok "$desc: no device created"; nip link del pnbad; fi
}

# checks V: every check with "${IP[@]}"; V (its version) prefixes each line.
# What the plugin alone decides (its help, its layout check, the values
# it refuses before ip sends anything) only where pn_full.
checks() {
	local v=$1 d help

	# --- without the plugin -------------------------------------------
	ok "$v: without the plugin: ip link add type podnet" \
		env IP_LIB_DIR=/nonexistent "${IP[@]}" -n $NS link add pn9 type podnet
	like "$v: without the plugin: ip -d shows the kind" \
		"$(env IP_LIB_DIR=/nonexistent "${IP[@]}" -n $NS -d link show pn9)" "podnet"
	ok "$v: without the plugin: delete" nip link del pn9

	# --- help, defaults -----------------------------------------------
	if pn_full; then
		help=$("${IP[@]}" link help podnet 2>&1)
		like "$v: ip link help podnet" "$help" '^Usage: \.\.\. podnet \[ vni VNI \]'
		is "$v: the plugin's layout check accepts this ip" \
			"$(grep -c 'link_podnet.so:' <<<"$help")" 0
	fi
	ok "$v: create with defaults" nip link add pn0 type podnet
	like "$v: ip -d: default options" "$(nip -d link show pn0)" \
		'podnet vni 1 port 8472 ttl auto tos 0x00 srcport 0 0 noudpcsum encap vxlan mac ([0-9a-f]{2}:){5}[0-9a-f]{2} srcvalid nodstvalid'
	is "$v: ip -j -d: defaults" \
		"$(jd pn0 '[.vni, .port, .ttl, .ttl_inherit, .tos, .tos_inherit, .srcport_min, .srcport_max, .udp_csum, .encap, .src_valid, .dst_valid]')" \
		'[1,8472,0,false,0,false,0,0,false,"vxlan",true,false]'
	# eth_random_addr(): locally administered (bit 1), unicast (bit 0 clear).
	mac0=$(jd pn0 .mac)
	like "$v: the default mac is random, unicast, locally administered" "$mac0" \
		'^[0-9a-f][26ae]:([0-9a-f]{2}:){4}[0-9a-f]{2}$'
	is "$v: ip -j -d: no local, local6 or link by default" \
		"$(jd pn0 '[has("local"), has("local6"), has("link"), has("link_index")]')" "[false,false,false,false]"

	is "$v: ip -s -j -d: socket drop counters (info_xstats)" \
		"$(nip -s -d -j link show pn0 | jget '.[0].linkinfo.info_xstats | to_entries | sort_by(.key) | from_entries')" \
		'{"rx_drop_bad_header":0,"rx_drop_bad_vni":0}'
	like "$v: ip -s -d: socket drop counters" "$(nip -s -d link show pn0)" \
		'rx_drop_bad_header 0 rx_drop_bad_vni 0'

	# --- every option -------------------------------------------------
	ok "$v: create with every option" nip link add pn1 type podnet vni 42 port 4789 \
		local 127.0.0.1 dev lo ttl 64 tos 0x10 srcport 40000 50000 udpcsum nosrcvalid encap vxlan \
		mac 0A:58:0a:f4:01:00 dstvalid
	is "$v: ip -j -d: every option" \
		"$(jd pn1 '[.vni, .port, .local, .link, .ttl, .ttl_inherit, .tos, .srcport_min, .srcport_max, .udp_csum, .encap, .mac, .src_valid, .dst_valid]')" \
		'[42,4789,"127.0.0.1","lo",64,false,16,40000,50000,true,"vxlan","0a:58:0a:f4:01:00",false,true]'
	is "$v: ip -j -d: link_index beside link (lo is 1)" "$(jd pn1 .link_index)" 1
	like "$v: ip -d: every option" "$(nip -d link show pn1)" \
		'podnet vni 42 port 4789 local 127\.0\.0\.1 dev lo ttl 64 tos 0x10 srcport 40000 50000 udpcsum encap vxlan mac 0a:58:0a:f4:01:00 nosrcvalid dstvalid'
	ok "$v: create with local6, inherit ttl and tos" \
		nip link add pn2 type podnet vni 7 port 4790 local6 ::1 ttl inherit tos inherit
	is "$v: ip -j -d: local6 and inherits" \
		"$(jd pn2 '[.local6, .ttl_inherit, .tos_inherit, has("local")]')" \
		'["::1",true,true,false]'
	like "$v: ip -d: inherits" "$(nip -d link show pn2)" 'local6 ::1 ttl inherit tos inherit'
	ok "$v: create with vni 0 and id alias" nip link add pn3 type podnet id 0 port 4791
	is "$v: vni 0" "$(jd pn3 .vni)" 0
	ok "$v: each device has its own random mac" test "$(jd pn3 .mac)" != "$mac0"

	# --- change -------------------------------------------------------
	ok "$v: ip link set: ttl, tos, srcport, udpcsum, srcvalid, dstvalid" \
		nip link set pn1 type podnet ttl 5 tos inherit srcport 1000 2000 noudpcsum srcvalid nodstvalid
	is "$v: the changes show" \
		"$(jd pn1 '[.ttl, .tos_inherit, .srcport_min, .srcport_max, .udp_csum, .src_valid, .dst_valid]')" \
		"[5,true,1000,2000,false,true,false]"
	ok "$v: ip link set: ttl N after inherit" nip link set pn2 type podnet ttl 9 tos 0x20
	is "$v: inherit cleared" "$(jd pn2 '[.ttl, .ttl_inherit, .tos, .tos_inherit]')" \
		"[9,false,32,false]"
	ok "$v: ip link set: ttl auto" nip link set pn2 type podnet ttl auto
	is "$v: ttl auto is 0" "$(jd pn2 .ttl)" 0
	fails_with "$v: changing the vni is refused, with the kernel's message" \
		'^Error: cannot change this attribute of an existing podnet device\.$' \
		nip link set pn1 type podnet vni 43
	is "$v: ... and the vni stays" "$(jd pn1 .vni)" 42
	fails_with "$v: changing the port is refused, with the kernel's message" \
		'^Error: cannot change this attribute of an existing podnet device\.$' \
		nip link set pn1 type podnet port 4000
	is "$v: ... and the port stays" "$(jd pn1 .port)" 4789
	ok "$v: sending the current vni is not a change" nip link set pn1 type podnet vni 42
	fails_with "$v: changing the mac is refused, with the kernel's message" \
		'^Error: cannot change this attribute of an existing podnet device\.$' \
		nip link set pn1 type podnet mac 0a:58:0a:f4:01:01
	is "$v: ... and the mac stays" "$(jd pn1 .mac)" 0a:58:0a:f4:01:00
	ok "$v: sending the current mac is not a change" \
		nip link set pn1 type podnet mac 0a:58:0a:f4:01:00

	# --- invalid values -----------------------------------------------
	ok "$v: create with encap gpe" nip link add pn4 type podnet vni 4 port 4792 encap gpe
	is "$v: ip -j -d: encap gpe" "$(jd pn4 .encap)" gpe
	like "$v: ip -d: encap gpe" "$(nip -d link show pn4)" ' encap gpe '
	is "$v: gpe's default mtu: 1500 less 56 bytes (no inner Ethernet)" \
		"$(nip -j link show pn4 | jget '.[0].mtu')" 1444
	fails_with "$v: changing the encap is refused, with the kernel's message" \
		'^Error: cannot change this attribute of an existing podnet device\.$' \
		nip link set pn4 type podnet encap vxlan
	nip link del pn4
	if pn_full; then	# the plugin's own refusals: nothing reaches the kernel
		bad "$v: port 70000" '^Error: argument "70000" is wrong: invalid port$' port 70000
		bad "$v: port 0" '^Error: argument "0" is wrong: invalid port$' port 0
		bad "$v: port -1" '^Error: argument "-1" is wrong: invalid port$' port -1
		bad "$v: vni 16777216" '^Error: argument "16777216" is wrong: invalid vni$' vni 16777216
		bad "$v: vni garbage" '^Error: argument "ten" is wrong: invalid vni$' vni ten
		bad "$v: ttl 256" '^Error: argument "256" is wrong: invalid ttl$' ttl 256
		bad "$v: tos with ECN bits" \
			'^Error: argument "0x11" is wrong: tos must leave the two ECN bits clear$' tos 0x11
		bad "$v: tos 256" '^Error: argument "256" is wrong: invalid tos$' tos 256
		bad "$v: srcport reversed" \
			'^Error: argument "1000" is wrong: source port range ends below its start$' srcport 2000 1000
		bad "$v: srcport missing MAX" '^Error: "srcport" needs a value\.$' srcport 2000
		bad "$v: local garbage" '^Error: argument "nowhere" is wrong: invalid local address$' local nowhere
		bad "$v: local multicast" '^Error: argument "224\.0\.0\.1" is wrong: invalid local address$' local 224.0.0.1
		bad "$v: local6 with IPv4" '^Error: argument "127\.0\.0\.1" is wrong: local6 needs an IPv6 address$' local6 127.0.0.1
		bad "$v: dev missing" '^Error: argument "nosuch0" is wrong: no such device$' dev nosuch0
		bad "$v: encap unknown" '^Error: argument "foo" is wrong: invalid encap \(vxlan or gpe\)$' encap foo
		bad "$v: unknown option" '^podnet: unknown option "frobnicate"$' frobnicate
		bad "$v: mac multicast" \
			'^Error: argument "01:00:5e:00:00:01" is wrong: invalid mac \(a unicast Ethernet address\)$' \
			mac 01:00:5e:00:00:01
		bad "$v: mac zero" \
			'^Error: argument "00:00:00:00:00:00" is wrong: invalid mac \(a unicast Ethernet address\)$' \
			mac 00:00:00:00:00:00
		bad "$v: mac garbage" \
			'^Error: argument "0a:58" is wrong: invalid mac \(a unicast Ethernet address\)$' mac 0a:58
		# Each option once, as ip's own link types: nothing is sent.
		bad "$v: vni twice" '^Error: duplicate "vni": "2" is the second value\.$' vni 1 vni 2
		bad "$v: vni and its alias id" '^Error: duplicate "vni": "3" is the second value\.$' vni 1 id 3
		bad "$v: srcvalid and nosrcvalid" \
			'^Error: duplicate "srcvalid": "nosrcvalid" is the second value\.$' srcvalid nosrcvalid
		bad "$v: ttl inherit then ttl 5" '^Error: duplicate "ttl": "5" is the second value\.$' \
			ttl inherit ttl 5
		bad "$v: mac twice" \
			'^Error: duplicate "mac": "0a:00:00:00:00:02" is the second value\.$' \
			mac 0a:00:00:00:00:01 mac 0a:00:00:00:00:02
	fi

	for d in pn0 pn1 pn2 pn3; do nip link del $d; done
}

# version: "6.1.0" out of "ip utility, iproute2-6.1.0, libbpf 1.1.2".
version() { "${IP[@]}" -V 2>/dev/null | sed -n 's/.*iproute2-\([^ ,]*\).*/\1/p'; }

checks "ip $(version)"

# The kernel's own check, past the plugin (raw bytes, no plugin).
fails_with "a multicast mac, sent raw: the kernel's message" \
	'^pnlink: Invalid argument \(errno 22\): mac must be a unicast, non-zero Ethernet address$' \
	ip netns exec $NS "$PODNET_ROOT/selftests/tools/pnlink" add pn8 vni 8 mac 01:00:5e:00:00:01
fails_with "a 5-byte mac, sent raw: refused by the policy" \
	'^pnlink: Numerical result out of range \(errno 34\): binary attribute size out of range$' \
	ip netns exec $NS "$PODNET_ROOT/selftests/tools/pnlink" add pn8 vni 8 mac 0a:00:00:00:01

# Debian sid's ip: what it adds is the plugin against a newer ip's
# struct link_util, the same on every kernel.
if ! pn_full; then
	diag "Debian sid's ip runs on the full kernel (PODNET_FULL=1)"
	done_testing
	exit
fi
sid=$PODNET_ROOT/build/iproute2-sid
IP=("$sid/ld-linux-x86-64.so.2" --library-path "$sid/lib" "$sid/ip")
want=$(cut -d- -f1 "$sid/VERSION" 2>/dev/null)
if [ -n "$want" ] && [ "$(version)" = "$want" ]; then
	_tap_result ok "Debian sid's ip $want runs from build/iproute2-sid"
	checks "sid ip $want"
else
	_tap_result not-ok "Debian sid's ip runs from build/iproute2-sid" \
		"missing or broken: selftests/vm/run.sh stages it before each boot with" \
		"selftests/vm/stage-iproute2-sid.sh (log: build/vm/<ver>/stage-iproute2-sid.log)" \
		"VERSION: '$want'; ip -V: $("${IP[@]}" -V 2>&1)"
fi
done_testing
