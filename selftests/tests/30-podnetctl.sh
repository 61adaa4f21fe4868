#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# podnetctl against the kernel: every verb, text and JSON output checked
# field by field (show: link configuration and socket drops too), exit
# statuses, extack errors, batch and replace files with line numbers,
# monitor events, unprivileged reads, one peer of 5000 and 20000 prefixes in
# one request (all or none), 100k-prefix replace.  Where pn_full is false
# the refusals podnetctl makes before sending anything (usage, parse
# errors, the request size limit) are left to the full kernel, and the
# big tables are smaller (still many dump messages, still past the default
# send buffer).
. "$PODNET_ROOT/selftests/lib.sh"

NS=pnctl
pn_load
pn_netns_add $NS
# nsenter, not ip netns exec: podnetctl needs only the netns, and ip
# netns exec's private mount and sysfs cost a lot under TCG.
pc() { nsenter --net=/run/netns/$NS podnetctl "$@"; }
# jf JSON FILTER: FILTER over the document JSON in one jq run, its results
# (one line each, arrays and objects compact) into the array F.
jf() { mapfile -t F <<<"$(jget "$2" <<<"$1")"; }
# run CMD...: CMD's exit status into rc, its stdout and stderr into out.
run() { out=$("$@" 2>&1) && rc=0 || rc=$?; }
# prefixes N FIRST_OCTET: N "prefix A.B.C.0/24" words, one a line.
prefixes() {
	awk -v n="$1" -v a="$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "prefix %d.%d.%d.0/24\n", a + int(i / 65536), int(i / 256) % 256, i % 256 }'
}
if pn_full; then
	BIG=${PODNET_BIG_PREFIXES:-100000} MANY=20000
else
	# 12000 prefixes are 240 KB, still past the default 208 KB send buffer.
	BIG=${PODNET_BIG_PREFIXES:-10000} MANY=12000
	diag "usage, parse errors and the request size limit run on the full kernel (PODNET_FULL=1)"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- no device ------------------------------------------------------------
if pn_full; then
	ok "podnetctl -V" podnetctl -V
	ok "podnetctl --help" podnetctl --help
	like "podnetctl help prints the usage, generated from the verb table" \
		"$(podnetctl help)" '^Usage: podnetctl \[OPTIONS\] \[COMMAND\]$'
	like "... each verb with its arguments" "$(podnetctl help)" \
		'^  peer del dev NAME \{ remote ADDR \[prefix P \.\.\.\] \| prefix P \[prefix P \.\.\.\] \}$'
	like "podnetctl peer help: the peer verbs" "$(podnetctl peer help)" '^  peer flush dev NAME$'
	run podnetctl peer
	is "podnetctl peer: a usage error (2)" "$rc" 2
fi
is "show with no device prints nothing" "$(pc show)" ""
run pc
is "no command is show, as with wg: exit 0, nothing to show" "$rc:$out" "0:"
is "-j show with no device prints []" "$(pc -j show)" "[]"
run pc show dev nosuch
is "show of a missing device: the kernel's message" "$out" "Error: no such device."
is "... with exit status 1" "$rc" 1

ip -n $NS link add pn0 type podnet
ifindex=$(ip netns exec $NS cat /sys/class/net/pn0/ifindex)

# --- show -----------------------------------------------------------------
out=$(pc show dev pn0)
is "show: text, line 1: the link configuration in ip's words" "$(sed -n 1p <<<"$out")" \
	"$ifindex: pn0: vni 1 port 8472 ttl auto tos 0x00 noudpcsum encap vxlan mac $(pc -j show dev pn0 | jget '.[0].mac') srcvalid nodstvalid"
like "show: text, line 2: the table" "$(sed -n 2p <<<"$out")" "^    peers 0 prefixes 0 generation [0-9]+$"
is "show: text, socket drops" "$(sed -n '$p' <<<"$out")" "    socket drop bad_header 0 bad_vni 0"
jf "$(pc -j show dev pn0)" 'length, (.[0] | .ifindex, .ifname, .num_peers, .num_prefixes,
	.generation, ([("tx_packets", "tx_bytes", "rx_packets", "rx_bytes") as $k
		| select(.stats | has($k)) | $k] | join(" ")),
	has("replace_portid"), .vni, .port,
	[("local", "local6", "link", "link_index") as $k | select(has($k)) | $k],
	[.ttl, .ttl_inherit], [.tos, .tos_inherit], [.srcport_min, .srcport_max],
	.udp_csum, .encap, .src_valid, (.socket_stats | to_entries | sort_by(.key) | from_entries),
	.dst_valid, (.mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")))'
is "show -j: one device" "${F[0]}" 1
is "show -j: ifindex" "${F[1]}" "$ifindex"
is "show -j: ifname" "${F[2]}" pn0
is "show -j: num_peers" "${F[3]}" 0
is "show -j: num_prefixes" "${F[4]}" 0
like "show -j: generation is a positive integer" "${F[5]}" '^[1-9][0-9]*$'
is "show -j: stats has the traffic counters" "${F[6]}" "tx_packets tx_bytes rx_packets rx_bytes"
is "show -j: no replace_portid when idle" "${F[7]}" false
is "show -j: vni" "${F[8]}" 1
is "show -j: port" "${F[9]}" 8472
is "show -j: no local, local6 or link when unset" "${F[10]}" "[]"
is "show -j: ttl, ttl_inherit" "${F[11]}" "[0,false]"
is "show -j: tos, tos_inherit" "${F[12]}" "[0,false]"
is "show -j: srcport_min, srcport_max" "${F[13]}" "[0,0]"
is "show -j: udp_csum" "${F[14]}" false
is "show -j: encap" "${F[15]}" vxlan
is "show -j: src_valid" "${F[16]}" true
is "show -j: socket_stats" "${F[17]}" '{"rx_drop_bad_header":0,"rx_drop_bad_vni":0}'
is "show -j: dst_valid" "${F[18]}" false
is "show -j: mac, as xx:xx:xx:xx:xx:xx" "${F[19]}" true
gen0=${F[5]}
like "show -p -j is indented" "$(pc -j -p show dev pn0)" '^    \{'

# Every option, through the ip plugin; the device stays down.
IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip -n $NS link add pn1 type podnet vni 77 port 4790 \
	local 192.0.2.10 local6 2001:db8::10 dev lo ttl inherit tos inherit srcport 40000 40100 \
	udpcsum nosrcvalid mac 0a:58:0a:f4:01:00 dstvalid
ifindex1=$(ip netns exec $NS cat /sys/class/net/pn1/ifindex)
is "show: text of a device with every option" "$(pc show dev pn1 | sed -n 1p)" \
	"$ifindex1: pn1: vni 77 port 4790 local 192.0.2.10 local6 2001:db8::10 dev lo ttl inherit tos inherit srcport 40000 40100 udpcsum encap vxlan mac 0a:58:0a:f4:01:00 nosrcvalid dstvalid"
jf "$(pc -j show dev pn1)" '.[0] | [.vni, .port], [.local, .local6], [.link, .link_index == 1],
	[.ttl, .ttl_inherit], [.tos, .tos_inherit], [.srcport_min, .srcport_max],
	[.udp_csum, .src_valid, .dst_valid, .mac]'
is "show -j: vni, port" "${F[0]}" "[77,4790]"
is "show -j: local, local6" "${F[1]}" '["192.0.2.10","2001:db8::10"]'
is "show -j: link by name and link_index, both" "${F[2]}" '["lo",true]'
is "show -j: ttl inherit" "${F[3]}" "[0,true]"
is "show -j: tos inherit" "${F[4]}" "[0,true]"
is "show -j: srcport range" "${F[5]}" "[40000,40100]"
is "show -j: udp_csum, src_valid, dst_valid, mac" "${F[6]}" '[true,false,true,"0a:58:0a:f4:01:00"]'
is "show (all): both devices, one line 1 each" "$(pc show | grep -c '^[0-9]*: pn[01]: vni ')" 2
is "show -j (all): both devices" "$(pc -j show | jget '[.[].ifname] | sort')" '["pn0","pn1"]'
ip -n $NS link del pn1

# Socket drops: two bad VXLAN headers and an unknown VNI on pn0's port.
ip -n $NS link set pn0 up
# bash's /dev/udp: one datagram per printf (Python would take seconds to start).
z14='\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
nsenter --net=/run/netns/$NS bash -c "exec 3>/dev/udp/127.0.0.1/8472
	printf '\0\0\0\0' >&3			# shorter than a VXLAN header
	printf '\x0c\0\0\0\0\0\x01\0$z14' >&3	# flags other than I
	printf '\x08\0\0\0\0\0\x63\0$z14' >&3	# VNI 99"
drops() { pc -j show dev pn0 | jget '.[0].socket_stats | to_entries | sort_by(.key) | from_entries'; }
for i in $(seq 1 100); do
	[ "$(drops)" = '{"rx_drop_bad_header":2,"rx_drop_bad_vni":1}' ] && break
	sleep 0.05
done
is "show -j: socket drops counted" "$(drops)" '{"rx_drop_bad_header":2,"rx_drop_bad_vni":1}'
is "show: text, socket drops counted" "$(pc show dev pn0 | sed -n '$p')" "    socket drop bad_header 2 bad_vni 1"
ip -n $NS link set pn0 down

# --- peer add / show ------------------------------------------------------
ok "peer add, two prefixes and a MAC" \
	pc peer add dev pn0 remote 192.0.2.1 prefix 10.244.1.0/24 prefix fd00:1::/64 mac 02:00:00:00:00:01
ok "peer add, IPv6 remote" pc peer add dev pn0 remote 2001:db8::2 prefix 10.244.2.0/24
jf "$(pc -j show dev pn0)" ".[0] | .num_peers, .num_prefixes, .generation > $gen0"
is "show -j: 2 peers" "${F[0]}" 2
is "show -j: 3 prefixes" "${F[1]}" 3
is "generation went up" "${F[2]}" true

jf "$(pc -j peer show dev pn0 remote 192.0.2.1)" 'length, (.[0] | .ifname, .ifindex, .remote,
	.mac, (.prefixes | sort | join(" ")), .num_prefixes, .stats.tx_packets)'
is "peer show -j remote: one peer" "${F[0]}" 1
is "peer show -j: ifname" "${F[1]}" pn0
is "peer show -j: ifindex" "${F[2]}" "$ifindex"
is "peer show -j: remote" "${F[3]}" 192.0.2.1
is "peer show -j: mac" "${F[4]}" 02:00:00:00:00:01
is "peer show -j: prefixes" "${F[5]}" "10.244.1.0/24 fd00:1::/64"
is "peer show -j: num_prefixes" "${F[6]}" 2
is "peer show -j: stats" "${F[7]}" 0
is "peer show -j: IPv6 remote, no mac key" \
	"$(pc -j peer show dev pn0 remote 2001:db8::2 | jget '.[0] | [.remote, has("mac")]')" '["2001:db8::2",false]'
is "peer show -j of an unknown remote: []" "$(pc -j peer show dev pn0 remote 192.0.2.99)" "[]"

out=$(pc peer show dev pn0 | sort)
like "peer show dev: text without dev, peer 1" "$out" \
	'^remote 192\.0\.2\.1 mac 02:00:00:00:00:01 prefix (10\.244\.1\.0/24 prefix fd00:1::/64|fd00:1::/64 prefix 10\.244\.1\.0/24)$'
like "peer show dev: text without dev, peer 2" "$out" '^remote 2001:db8::2 prefix 10\.244\.2\.0/24$'
like "peer show (all devices) names the device" "$(pc peer show)" '^dev pn0 remote '
like "peer show -s adds counters" "$(pc -s peer show dev pn0 remote 2001:db8::2)" \
	$'\n    tx packets 0 bytes 0'

# --- errors ---------------------------------------------------------------
num_peers() { pc -j show dev pn0 | jget '.[0].num_peers'; }
run pc peer add dev pn0 remote 192.0.2.3 prefix 10.244.1.0/24
is "prefix owned by another peer: exit 1" "$rc" 1
is "... with the kernel's extack message" "$out" "Error: prefix is owned by another peer."
is "... and nothing changed" "$(num_peers)" 2
ok "peer add ... replace moves the prefix" pc peer add dev pn0 remote 192.0.2.3 prefix 10.244.1.0/24 replace
is "the prefix moved" "$(pc -j peer show dev pn0 remote 192.0.2.3 | jget '.[0].prefixes')" '["10.244.1.0/24"]'
is "the old owner kept the rest" "$(pc -j peer show dev pn0 remote 192.0.2.1 | jget '.[0].prefixes')" '["fd00:1::/64"]'

if pn_full; then
	run pc peer add dev pn0 remote 192.0.2.4 prefix 10.0.0.0/33
	is "prefix length 33: exit 2" "$rc" 2
	is "... with podnetctl's message" "$out" \
		'Error: peer add: invalid prefix "10.0.0.0/33": prefix length 33 is longer than 32.'
	run pc peer add dev pn0 remote 192.0.2.4 prefix 10.0.0.1/24
	is "host bits: exit 2" "$rc" 2
	is "... with a hint" "$out" \
		'Error: peer add: invalid prefix "10.0.0.1/24": host bits set (did you mean 10.0.0.0/24?).'
	run pc peer add dev pn0 remote 192.0.2.4 prefix ::ffff:10.0.0.0/104
	is "v4-mapped prefix refused: exit 2" "$rc" 2
	is "... naming the IPv4 form" "$out" \
		'Error: peer add: invalid prefix "::ffff:10.0.0.0/104": IPv4-mapped IPv6 prefix, write it as 10.0.0.0/8.'
	is "no peer was created by refused commands" "$(pc -j peer show dev pn0 remote 192.0.2.4)" "[]"
	run pc peer frob
	is "unknown verb: exit 2" "$rc" 2
	is "... with podnetctl's message" "$out" \
		'Error: unknown command "peer frob"; try "podnetctl peer help".'
fi
run pc peer add dev nosuch remote 192.0.2.4 prefix 10.9.0.0/16
is "peer add on a missing device: exit 1" "$rc" 1
is "... with the kernel's message" "$out" "Error: no such device."
ip -n $NS link add dummy0 type dummy
run pc peer add dev dummy0 remote 192.0.2.4 prefix 10.9.0.0/16
is "peer add on a non-podnet device: exit 1" "$rc" 1
is "... with the kernel's message" "$out" "Error: not a podnet device."
run pc peer del dev pn0 remote 192.0.2.99
is "peer del of a missing peer: exit 1" "$rc" 1
is "... with the kernel's message" "$out" "Error: no such peer."

# --- del / flush ----------------------------------------------------------
ok "peer del prefix" pc peer del dev pn0 prefix 10.244.1.0/24
is "the prefix is gone, its peer stays" \
	"$(pc -j peer show dev pn0 remote 192.0.2.3 | jget '[length, .[0].prefixes]')" "[1,[]]"
ok "peer del remote" pc peer del dev pn0 remote 192.0.2.3
is "the peer is gone" "$(pc -j peer show dev pn0 remote 192.0.2.3)" "[]"
ok "peer flush" pc peer flush dev pn0
counts() { pc -j show dev pn0 | jget '.[0] | [.num_peers, .num_prefixes]'; }
is "flush empties the table" "$(counts)" "[0,0]"

# --- replace --------------------------------------------------------------
awk 'BEGIN {
	print "# 1000 nodes"
	for (i = 0; i < 1000; i++)
		printf "remote 172.16.%d.%d prefix 10.%d.%d.0/24 prefix fd00:%x::/64\n",
			int(i / 256), i % 256, int(i / 256), i % 256, i }' >"$tmp/table"
ok "peer replace from a file" pc peer replace dev pn0 file "$tmp/table"
is "1000 peers, 2000 prefixes" "$(counts)" "[1000,2000]"
# cmp_table FILE: the table in the kernel equals FILE, both as sorted
# "peer REMOTE" and "REMOTE PREFIX" lines.  The files here write addresses
# as the kernel shows them but for "fd00:0::/64" (shown as "fd00::/64").
cmp_table() {
	pc -j peer show dev pn0 |
		jget '.[] | "peer \(.remote)", (.remote as $r | .prefixes[] | "\($r) \(.)")' |
		sort >"$tmp/got"
	awk '{ sub(/#.*/, "") } $1 == "remote" { print "peer " $2
		for (i = 3; i < NF; i++) if ($i == "prefix") print $2, $(i + 1) }' "$1" |
		sed 's/:0::/::/' | sort >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/got"; then
		echo same
	else
		echo "differ: $(comm -23 "$tmp/want" "$tmp/got" | wc -l) missing, $(comm -13 "$tmp/want" "$tmp/got" | wc -l) extra"
	fi
}
is "the dump equals the file" "$(cmp_table "$tmp/table")" same
pc peer show dev pn0 >"$tmp/shown"
ok "peer show output is a valid replace file" pc peer replace dev pn0 file "$tmp/shown"
is "... and replaces the table with itself" "$(cmp_table "$tmp/table")" same
ok "replace from stdin" sh -c "head -n 11 '$tmp/table' | nsenter --net=/run/netns/$NS podnetctl peer replace dev pn0"
is "stdin table: 10 peers" "$(num_peers)" 10

if pn_full; then
	{ head -n 5 "$tmp/table"; echo "remote 192.0.2.50 prefix 10.99.0.1/16"; } >"$tmp/bad"
	run pc peer replace dev pn0 file "$tmp/bad"
	is "replace file with a bad line: exit 2" "$rc" 2
	is "... naming the file and line" "$out" \
		"Error: $tmp/bad:6: invalid prefix \"10.99.0.1/16\": host bits set (did you mean 10.99.0.0/16?)."
	{ head -n 5 "$tmp/table"; sed -n 3p "$tmp/table"; } >"$tmp/dup"
	run pc peer replace dev pn0 file "$tmp/dup"
	is "replace file with a duplicate remote: exit 2" "$rc" 2
	is "... naming both lines" "$out" "Error: $tmp/dup:6: remote 172.16.0.1 is already on line 3."
	is "the table is untouched by refused replaces" "$(num_peers)" 10
	is "no replace left pending" "$(pc -j show dev pn0 | jget '.[0] | has("replace_portid")')" false
fi
if pn_full; then
	run pc peer replace dev pn0 file /
	is "a replace file that cannot be read: exit 1 (the system refused), the reason" \
		"$rc: $out" '1: Error: cannot read "/": Is a directory.'
	# A peer without prefixes: `peer show` prints a bare remote line,
	# which a replace file takes.
	pc peer replace dev pn0 file - <<<"remote 192.0.2.77"
	is "a peer without prefixes round-trips through peer show and replace" \
		"$(pc peer show dev pn0 | tee "$tmp/bare" | pc peer replace dev pn0 file - && pc peer show dev pn0)" \
		"remote 192.0.2.77"
fi
ok "replace with an empty file empties the table" pc peer replace dev pn0 file /dev/null
is "... to 0 peers" "$(num_peers)" 0

# --- batch ----------------------------------------------------------------
cat >"$tmp/batch" <<EOB
# comment
peer add dev pn0 remote 192.0.2.1 prefix 10.1.0.0/16

peer add dev pn0 remote 192.0.2.2 prefix 10.2.0.0/16
peer add dev pn0 remote 192.0.2.3 prefix 10.1.0.0/16
peer add dev pn0 remote 192.0.2.4 prefix 10.4.0.0/16
EOB
run pc -b "$tmp/batch"
is "batch stops at the kernel's refusal: exit 1" "$rc" 1
is "... with its message, naming the line" "$out" \
	"Error: prefix is owned by another peer."$'\n'"Command failed $tmp/batch:5"
is "lines before it took effect, the one after did not" \
	"$(pc -j peer show dev pn0 | jget '[.[].remote] | sort')" '["192.0.2.1","192.0.2.2"]'
printf 'peer flush dev pn0\nshow dev pn0\n' >"$tmp/batch2"
like "a good batch runs every line" "$(pc -b "$tmp/batch2")" "^    peers 0 prefixes 0 "

# --- monitor --------------------------------------------------------------
# until_last FILE ERE [TRIES]: until FILE's last line matches ERE (TRIES
# looks 0.1 s apart, default 200: TCG guests are slow).
until_last() {
	local i
	for i in $(seq 1 "${3:-200}"); do
		tail -n 1 "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
# mon_sync FILE [TRIES]: add and delete a sentinel peer of its own, and
# wait (as until_last) until the monitor writing FILE has printed the
# delete: every earlier event is in FILE then, the sentinel's two lines last.
syncs=0
mon_sync() {
	syncs=$((syncs + 1))
	pc peer add dev pn0 remote 198.51.100.$syncs prefix 10.250.0.0/16
	pc peer del dev pn0 remote 198.51.100.$syncs
	until_last "$1" "del.*198\\.51\\.100\\.$syncs([^0-9]|\$)" "${2:-}"
}
# start_monitor FILE [OPTIONS]: start `podnetctl OPTIONS monitor` into FILE
# and return once it has joined the group and printed all it was sent;
# sets mon (its pid) and base (the lines printed so far).
start_monitor() {
	local f=$1 i
	shift
	nsenter --net=/run/netns/$NS podnetctl "$@" monitor >"$f" 2>&1 &
	mon=$!
	for i in $(seq 1 50); do
		mon_sync "$f" 5 && break
	done
	base=$(wc -l <"$f")
}
# stop_monitor FILE: sync, stop the monitor, and leave the events since
# start_monitor, without the sync's two, in FILE.new.
stop_monitor() {
	mon_sync "$1"
	kill $mon
	wait $mon 2>/dev/null
	tail -n +$((base + 1)) "$1" | head -n -2 >"$1.new"
}
start_monitor "$tmp/events" -j
pc peer add dev pn0 remote 192.0.2.1 prefix 10.1.0.0/16 mac 02:00:00:00:00:01
pc peer add dev pn0 remote 192.0.2.1 prefix 10.11.0.0/16
pc peer del dev pn0 remote 192.0.2.1
head -n 3 "$tmp/table" | pc peer replace dev pn0
pc peer flush dev pn0
stop_monitor "$tmp/events"
mapfile -t F <<<"$(jq -s -r -c '([.[].event] | join(" ")),
	(.[0] | [.created, .peer.remote, .peer.mac, .peer.prefixes]),
	(.[1] | [.created, .peer.prefixes]), (.[2] | [.ifname, .ifindex]),
	(.[3] | [.num_peers, .num_prefixes]),
	([range(length - 1) as $i | .[$i].generation < .[$i + 1].generation] | all)' "$tmp/events.new")"
is "monitor -j: five events, in order" "${F[0]}" "add add del replace flush"
is "add event: created, remote, mac, prefixes" "${F[1]}" '[true,"192.0.2.1","02:00:00:00:00:01",["10.1.0.0/16"]]'
is "second add: not created" "${F[2]}" '[false,["10.11.0.0/16"]]'
is "events carry ifname and ifindex" "${F[3]}" "[\"pn0\",$ifindex]"
is "replace event counts" "${F[4]}" "[2,4]"
is "generations increase" "${F[5]}" true
start_monitor "$tmp/events.txt"
pc peer add dev pn0 remote 192.0.2.7 prefix 10.7.0.0/16
stop_monitor "$tmp/events.txt"
like "monitor text" "$(cat "$tmp/events.txt.new")" \
	'^peer add dev pn0 remote 192\.0\.2\.7 prefix 10\.7\.0\.0/16 created generation [0-9]+$'

# --- privileges and namespaces -------------------------------------------
np() { nsenter --net=/run/netns/$NS setpriv --reuid=65534 --regid=65534 --clear-groups podnetctl "$@"; }
is "unprivileged: peer show works" "$(np peer show dev pn0)" "remote 192.0.2.7 prefix 10.7.0.0/16"
run np peer add dev pn0 remote 192.0.2.8 prefix 10.8.0.0/16
is "unprivileged: peer add exits 1" "$rc" 1
is "... with EPERM" "$out" "Error: Operation not permitted."
run np peer flush dev pn0
is "unprivileged: flush exits 1" "$rc" 1
is "... with EPERM" "$out" "Error: Operation not permitted."
run podnetctl show dev pn0
is "another netns does not see pn0: exit 1" "$rc" 1
is "... the kernel has no such device" "$out" "Error: no such device."

# --- one peer, thousands of prefixes: one request, all or none --------------
# peer_set REMOTE FILE: "NUM_PREFIXES,DISTINCT_PREFIXES" of the peer, then
# "same" if its prefixes are those of FILE (one a line), else "differ".
peer_set() {
	pc -j peer show dev pn0 remote "$1" >"$tmp/j"
	jget '.[0].prefixes[]' <"$tmp/j" | sort >"$tmp/ps"
	echo "$(jget '.[0] | "\(.num_prefixes),\(.prefixes | unique | length)"' <"$tmp/j")" \
		"$(sort "$2" | cmp -s - "$tmp/ps" && echo same || echo differ)"
}
# shellcheck disable=SC2207
p5000=($(prefixes 5000 30))
prefixes 5000 30 | sed 's/^prefix //' >"$tmp/p5000"
start_monitor "$tmp/events.big" -j
ok "peer add with 5000 prefixes" pc peer add dev pn0 remote 192.0.2.60 "${p5000[@]}"
stop_monitor "$tmp/events.big"
pset=$(peer_set 192.0.2.60 "$tmp/p5000")
is "5000 prefixes: all present" "${pset% *}" 5000,5000
is "... exactly those given" "${pset#* }" same
is "... in one request: one event carrying all 5000" \
	"$(jq -s -r -c '[length, (.[0] | .event, (.peer.prefixes | length), .peer.num_prefixes)]' "$tmp/events.big.new")" \
	'[1,"add",5000,5000]'
table() { pc -j show dev pn0 | jget '.[0] | [.num_peers, .num_prefixes, .generation]'; }
before=$(table)

# The last of 5000 is owned by 192.0.2.60: the kernel refuses the whole request.
# shellcheck disable=SC2207
p4999=($(prefixes 4999 40))
run pc peer add dev pn0 remote 192.0.2.61 "${p4999[@]}" prefix 30.0.19.0/24
is "5000 prefixes, the last owned by another peer: exit 1" "$rc" 1
is "... with the kernel's message" "$out" "Error: prefix is owned by another peer."
is "... and none was added" "$(pc -j peer show dev pn0 remote 192.0.2.61)" "[]"
is "... the table did not change" "$(table)" "$before"
if pn_full; then
	run pc peer add dev pn0 remote 192.0.2.61 "${p4999[@]}" prefix 40.0.200.1/24
	is "5000 prefixes, the last invalid: exit 2, nothing sent" "$rc" 2
	is "... naming it" "$out" \
		'Error: peer add: invalid prefix "40.0.200.1/24": host bits set (did you mean 40.0.200.0/24?).'
	is "... none was added" "$(table)" "$before"
fi

# $MANY prefixes (20 bytes each) are more than the default socket send buffer.
# shellcheck disable=SC2207
pmany=($(prefixes $MANY 50))
prefixes $MANY 50 | sed 's/^prefix //' >"$tmp/pmany"
ok "peer add with $MANY prefixes (past the default send buffer)" \
	pc peer add dev pn0 remote 192.0.2.62 "${pmany[@]}"
pset=$(peer_set 192.0.2.62 "$tmp/pmany")
is "$MANY prefixes: all present" "${pset% *}" "$MANY,$MANY"
is "... exactly those given" "${pset#* }" same
ok "peer del of 5000 prefixes in one request" pc peer del dev pn0 remote 192.0.2.60 "${p5000[@]}"
is "... the peer stays, empty" "$(pc -j peer show dev pn0 remote 192.0.2.60 | jget '.[0].prefixes')" "[]"

if pn_full; then
	# Beyond what one request carries (4 MiB): refused before the kernel.
	{ printf 'peer add dev pn0 remote 192.0.2.63 '; prefixes 210000 60 | paste -sd' '; } >"$tmp/huge"
	run pc -b "$tmp/huge"
	is "210000 prefixes: exit 1" "$rc" 1
	like "... naming the limit" "$out" \
		'^Error: 210000 prefixes take [0-9]+ bytes, more than one request carries \(4194304 bytes, about 209715 IPv4 or 131072 IPv6 prefixes\)\.$'
	is "... nothing added" "$(pc -j peer show dev pn0 remote 192.0.2.63)" "[]"
fi
ok "flush after the big peers" pc peer flush dev pn0

# --- $BIG prefixes (100k on the full kernel) --------------------------------
# One peer with 3/5 of them (split over messages both ways), then peers of
# 2 each.
awk -v n="$BIG" 'BEGIN {
	printf "remote 192.0.2.1"
	for (i = 0; i < n * 3 / 5; i++)
		printf " prefix 10.%d.%d.0/24", int(i / 256) % 256, i % 256
	printf "\n"
	for (i = 0; i < n / 5; i++)
		printf "remote 172.%d.%d.%d prefix fd01:%x::/64 prefix fd02:%x::/64\n",
			16 + int(i / 65536), int(i / 256) % 256, i % 256, i, i }' >"$tmp/big"
# The replace runs in memory cgroup pnmem: the table's peers and prefixes
# are charged to it (__GFP_ACCOUNT) and stay charged after podnetctl
# exits, until the table is freed.
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 cgroup2 $cg
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/pnmem
mem() { cat $cg/pnmem/memory.current; }
mem0=$(mem)
start=$(date +%s%N)
ok "replace with $BIG prefixes, from memory cgroup pnmem" \
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh $cg/pnmem \
	nsenter --net=/run/netns/$NS podnetctl peer replace dev pn0 file "$tmp/big"
diag "replace of $BIG prefixes took $((($(date +%s%N) - start) / 1000000)) ms (TCG guest)"
mem1=$(mem)
diag "pnmem's memory.current: $mem0 before the replace, $mem1 after podnetctl exited"
ok "$BIG: the table is charged to pnmem: at least 64 bytes a prefix ($(((mem1 - mem0) / BIG)))" \
	test $((mem1 - mem0)) -ge $((64 * BIG))
is "$BIG: counts" "$(counts)" "[$((BIG / 5 + 1)),$BIG]"
is "$BIG: the dump equals the file" "$(cmp_table "$tmp/big")" same
is "$BIG: text dump has one line per peer" "$(pc peer show dev pn0 | wc -l)" $((BIG / 5 + 1))
# DEL_PEER of every prefix of the big peer, in one request, with the soft
# lockup detector at 6 s: the duplicate check is linear (a node is marked
# as it is checked).  Comparing every pair of the request's prefixes, as
# it once did, is 1.8e9 comparisons under the table's lock for 60k
# prefixes (the full kernel's BIG): a soft lockup, which fails the run.
ndel=$((BIG * 3 / 5))
awk -v n="$ndel" 'BEGIN { printf "peer del dev pn0 remote 192.0.2.1"
	for (i = 0; i < n; i++) printf " prefix 10.%d.%d.0/24", int(i / 256) % 256, i % 256
	printf "\n" }' >"$tmp/bigdel"
thresh=$(sysctl -n kernel.watchdog_thresh)
sysctl -qw kernel.watchdog_thresh=3
start=$(date +%s%N)
ok "$BIG: peer del of the big peer's $ndel prefixes in one request" pc -b "$tmp/bigdel"
diag "DEL_PEER of $ndel prefixes took $((($(date +%s%N) - start) / 1000000)) ms (TCG guest)"
sysctl -qw kernel.watchdog_thresh="$thresh"
is "... the peer stays, its prefixes gone" "$(counts)" "[$((BIG / 5 + 1)),$((BIG - ndel))]"
ok "$BIG: flush" pc peer flush dev pn0
is "$BIG: empty after flush" "$(counts)" "[0,0]"
# Freed after an RCU grace period, by a workqueue.
uncharged() { [ "$(mem)" -lt $((mem0 + (mem1 - mem0) / 4)) ]; }
for _ in $(seq 100); do uncharged && break; sleep 0.1; done
ok "$BIG: once freed, the table's memory leaves pnmem (memory.current $(mem))" uncharged
rmdir $cg/pnmem 2>/dev/null

ip -n $NS link del pn0
done_testing
