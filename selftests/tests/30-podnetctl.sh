#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# podnetctl against the kernel: every verb, text and JSON output checked
# field by field (show: link configuration and socket drops too), exit
# statuses, extack errors, batch and replace files with line numbers,
# monitor events, unprivileged reads, one peer of 5000 and 20000 prefixes in
# one request (all or none), 100k-prefix replace.
. "$PODNET_ROOT/selftests/lib.sh"

NS=pnctl
pn_load
pn_netns_add $NS
pc() { ip netns exec $NS podnetctl "$@"; }
# json EXPR: evaluate EXPR with j = the JSON document on stdin and print
# the result (a tuple for "a, b", printed as Python does).
json() { $PY -c "import json,sys; j=json.load(sys.stdin); r=($1); print(r)"; }
# status CMD...: the exit status of CMD, output discarded.
status() { "$@" >/dev/null 2>&1; echo $?; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- no device ------------------------------------------------------------
ok "podnetctl -V" podnetctl -V
ok "podnetctl --help" podnetctl --help
is "no arguments is a usage error (2)" "$(status podnetctl)" 2
is "show with no device prints nothing" "$(pc show)" ""
is "-j show with no device prints []" "$(pc -j show)" "[]"
fails_with "show of a missing device: kernel's message" "^Error: .*no such device" \
	pc show dev nosuch
is "... with exit status 1" "$(status pc show dev nosuch)" 1

ip -n $NS link add pn0 type podnet
ifindex=$(ip netns exec $NS cat /sys/class/net/pn0/ifindex)

# --- show -----------------------------------------------------------------
out=$(pc show dev pn0)
is "show: text, line 1: the link configuration in ip's words" "$(sed -n 1p <<<"$out")" \
	"$ifindex: pn0: vni 1 port 8472 ttl auto tos 0x00 noudpcsum encap vxlan srcvalid"
like "show: text, line 2: the table" "$(sed -n 2p <<<"$out")" "^    peers 0 prefixes 0 generation [0-9]+$"
is "show: text, socket drops" "$(sed -n '$p' <<<"$out")" "    socket drop bad_header 0 bad_vni 0"
j=$(pc -j show dev pn0)
is "show -j: one device" "$(json 'len(j)' <<<"$j")" 1
is "show -j: ifindex" "$(json 'j[0]["ifindex"]' <<<"$j")" "$ifindex"
is "show -j: ifname" "$(json 'j[0]["ifname"]' <<<"$j")" pn0
is "show -j: num_peers" "$(json 'j[0]["num_peers"]' <<<"$j")" 0
is "show -j: num_prefixes" "$(json 'j[0]["num_prefixes"]' <<<"$j")" 0
like "show -j: generation is a positive integer" "$(json 'j[0]["generation"]' <<<"$j")" '^[1-9][0-9]*$'
is "show -j: stats has the traffic counters" \
	"$(json '" ".join(k for k in ("tx_packets","tx_bytes","rx_packets","rx_bytes") if k in j[0]["stats"])' <<<"$j")" \
	"tx_packets tx_bytes rx_packets rx_bytes"
is "show -j: no replace_portid when idle" "$(json '"replace_portid" in j[0]' <<<"$j")" False
is "show -j: vni" "$(json 'j[0]["vni"]' <<<"$j")" 1
is "show -j: port" "$(json 'j[0]["port"]' <<<"$j")" 8472
is "show -j: no local, local6 or link when unset" \
	"$(json '[k for k in ("local", "local6", "link", "link_index") if k in j[0]]' <<<"$j")" "[]"
is "show -j: ttl, ttl_inherit" "$(json 'j[0]["ttl"], j[0]["ttl_inherit"]' <<<"$j")" "(0, False)"
is "show -j: tos, tos_inherit" "$(json 'j[0]["tos"], j[0]["tos_inherit"]' <<<"$j")" "(0, False)"
is "show -j: srcport_min, srcport_max" "$(json 'j[0]["srcport_min"], j[0]["srcport_max"]' <<<"$j")" "(0, 0)"
is "show -j: udp_csum" "$(json 'j[0]["udp_csum"]' <<<"$j")" False
is "show -j: encap" "$(json 'j[0]["encap"]' <<<"$j")" vxlan
is "show -j: src_valid" "$(json 'j[0]["src_valid"]' <<<"$j")" True
is "show -j: socket_stats" "$(json 'sorted(j[0]["socket_stats"].items())' <<<"$j")" \
	"[('rx_drop_bad_header', 0), ('rx_drop_bad_vni', 0)]"
like "show -p -j is indented" "$(pc -j -p show dev pn0)" '^    \{'
gen0=$(json 'j[0]["generation"]' <<<"$j")

# Every option, through the ip plugin; the device stays down.
IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip -n $NS link add pn1 type podnet vni 77 port 4790 \
	local 192.0.2.10 local6 2001:db8::10 dev lo ttl inherit tos inherit srcport 40000 40100 \
	udpcsum nosrcvalid
ifindex1=$(ip netns exec $NS cat /sys/class/net/pn1/ifindex)
is "show: text of a device with every option" "$(pc show dev pn1 | sed -n 1p)" \
	"$ifindex1: pn1: vni 77 port 4790 local 192.0.2.10 local6 2001:db8::10 dev lo ttl inherit tos inherit srcport 40000 40100 udpcsum encap vxlan nosrcvalid"
j=$(pc -j show dev pn1)
is "show -j: vni, port" "$(json 'j[0]["vni"], j[0]["port"]' <<<"$j")" "(77, 4790)"
is "show -j: local, local6" "$(json 'j[0]["local"], j[0]["local6"]' <<<"$j")" "('192.0.2.10', '2001:db8::10')"
is "show -j: link, by name" "$(json 'j[0]["link"], "link_index" in j[0]' <<<"$j")" "('lo', False)"
is "show -j: ttl inherit" "$(json 'j[0]["ttl"], j[0]["ttl_inherit"]' <<<"$j")" "(0, True)"
is "show -j: tos inherit" "$(json 'j[0]["tos"], j[0]["tos_inherit"]' <<<"$j")" "(0, True)"
is "show -j: srcport range" "$(json 'j[0]["srcport_min"], j[0]["srcport_max"]' <<<"$j")" "(40000, 40100)"
is "show -j: udp_csum, src_valid" "$(json 'j[0]["udp_csum"], j[0]["src_valid"]' <<<"$j")" "(True, False)"
is "show (all): both devices, one line 1 each" "$(pc show | grep -c '^[0-9]*: pn[01]: vni ')" 2
is "show -j (all): both devices" "$(pc -j show | json 'sorted(d["ifname"] for d in j)')" "['pn0', 'pn1']"
ip -n $NS link del pn1

# Socket drops: two bad VXLAN headers and an unknown VNI on pn0's port.
ip -n $NS link set pn0 up
ip netns exec $NS $PY - <<'PY'
import socket, struct
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for pkt in [b'\0' * 4, struct.pack('!II', 0x0c000000, 1 << 8) + bytes(14),
            struct.pack('!II', 0x08000000, 99 << 8) + bytes(14)]:
    u.sendto(pkt, ('127.0.0.1', 8472))
PY
for i in $(seq 1 50); do
	[ "$(pc -j show dev pn0 | json 'j[0]["socket_stats"]["rx_drop_bad_vni"]')" = 1 ] && break
	sleep 0.1
done
is "show -j: socket drops counted" "$(pc -j show dev pn0 | json 'sorted(j[0]["socket_stats"].items())')" \
	"[('rx_drop_bad_header', 2), ('rx_drop_bad_vni', 1)]"
is "show: text, socket drops counted" "$(pc show dev pn0 | sed -n '$p')" "    socket drop bad_header 2 bad_vni 1"
ip -n $NS link set pn0 down

# --- peer add / show ------------------------------------------------------
ok "peer add, two prefixes and a MAC" \
	pc peer add dev pn0 remote 192.0.2.1 prefix 10.244.1.0/24 prefix fd00:1::/64 mac 02:00:00:00:00:01
ok "peer add, IPv6 remote" pc peer add dev pn0 remote 2001:db8::2 prefix 10.244.2.0/24
j=$(pc -j show dev pn0)
is "show -j: 2 peers" "$(json 'j[0]["num_peers"]' <<<"$j")" 2
is "show -j: 3 prefixes" "$(json 'j[0]["num_prefixes"]' <<<"$j")" 3
like "generation went up" "$(json "j[0]['generation'] > $gen0" <<<"$j")" True

j=$(pc -j peer show dev pn0 remote 192.0.2.1)
is "peer show -j remote: one peer" "$(json 'len(j)' <<<"$j")" 1
is "peer show -j: ifname" "$(json 'j[0]["ifname"]' <<<"$j")" pn0
is "peer show -j: ifindex" "$(json 'j[0]["ifindex"]' <<<"$j")" "$ifindex"
is "peer show -j: remote" "$(json 'j[0]["remote"]' <<<"$j")" 192.0.2.1
is "peer show -j: mac" "$(json 'j[0]["mac"]' <<<"$j")" 02:00:00:00:00:01
is "peer show -j: prefixes" "$(json '" ".join(sorted(j[0]["prefixes"]))' <<<"$j")" "10.244.1.0/24 fd00:1::/64"
is "peer show -j: num_prefixes" "$(json 'j[0]["num_prefixes"]' <<<"$j")" 2
is "peer show -j: stats" "$(json 'j[0]["stats"]["tx_packets"]' <<<"$j")" 0
j=$(pc -j peer show dev pn0 remote 2001:db8::2)
is "peer show -j: IPv6 remote, no mac key" "$(json 'j[0]["remote"], "mac" in j[0]' <<<"$j")" "('2001:db8::2', False)"
is "peer show -j of an unknown remote: []" "$(pc -j peer show dev pn0 remote 192.0.2.99)" "[]"

out=$(pc peer show dev pn0 | sort)
like "peer show dev: text without dev, peer 1" "$out" \
	'^remote 192\.0\.2\.1 mac 02:00:00:00:00:01 prefix (10\.244\.1\.0/24 prefix fd00:1::/64|fd00:1::/64 prefix 10\.244\.1\.0/24)$'
like "peer show dev: text without dev, peer 2" "$out" '^remote 2001:db8::2 prefix 10\.244\.2\.0/24$'
like "peer show (all devices) names the device" "$(pc peer show)" '^dev pn0 remote '
like "peer show -s adds counters" "$(pc -s peer show dev pn0 remote 2001:db8::2)" \
	$'\n    tx packets 0 bytes 0'

# --- errors ---------------------------------------------------------------
out=$(pc peer add dev pn0 remote 192.0.2.3 prefix 10.244.1.0/24 2>&1); rc=$?
is "prefix owned by another peer: exit 1" "$rc" 1
like "... with the kernel's extack message" "$out" '^Error: .+\.$'
is "... and nothing changed" "$(pc -j show dev pn0 | json 'j[0]["num_peers"]')" 2
ok "peer add ... replace moves the prefix" pc peer add dev pn0 remote 192.0.2.3 prefix 10.244.1.0/24 replace
is "the prefix moved" "$(pc -j peer show dev pn0 remote 192.0.2.3 | json 'j[0]["prefixes"]')" "['10.244.1.0/24']"
is "the old owner kept the rest" "$(pc -j peer show dev pn0 remote 192.0.2.1 | json 'j[0]["prefixes"]')" "['fd00:1::/64']"

is "prefix length 33: exit 2" "$(status pc peer add dev pn0 remote 192.0.2.4 prefix 10.0.0.0/33)" 2
fails_with "host bits: a hint" 'host bits set \(did you mean 10\.0\.0\.0/24\?\)' \
	pc peer add dev pn0 remote 192.0.2.4 prefix 10.0.0.1/24
fails_with "v4-mapped prefix refused" 'write it as 10\.0\.0\.0/8' \
	pc peer add dev pn0 remote 192.0.2.4 prefix ::ffff:10.0.0.0/104
is "no peer was created by refused commands" "$(pc -j peer show dev pn0 remote 192.0.2.4)" "[]"
fails_with "peer add on a missing device" '^Error: .*no such device' \
	pc peer add dev nosuch remote 192.0.2.4 prefix 10.9.0.0/16
ip -n $NS link add dummy0 type dummy
fails_with "peer add on a non-podnet device" '^Error: ' \
	pc peer add dev dummy0 remote 192.0.2.4 prefix 10.9.0.0/16
is "... exit 1" "$(status pc peer add dev dummy0 remote 192.0.2.4 prefix 10.9.0.0/16)" 1
fails_with "peer del of a missing peer" '^Error: ' pc peer del dev pn0 remote 192.0.2.99
is "unknown verb: exit 2" "$(status pc peer frob)" 2

# --- del / flush ----------------------------------------------------------
ok "peer del prefix" pc peer del dev pn0 prefix 10.244.1.0/24
is "the prefix is gone, its peer stays" \
	"$(pc -j peer show dev pn0 remote 192.0.2.3 | json 'len(j), j[0]["prefixes"]')" "(1, [])"
ok "peer del remote" pc peer del dev pn0 remote 192.0.2.3
is "the peer is gone" "$(pc -j peer show dev pn0 remote 192.0.2.3)" "[]"
ok "peer flush" pc peer flush dev pn0
is "flush empties the table" "$(pc -j show dev pn0 | json 'j[0]["num_peers"], j[0]["num_prefixes"]')" "(0, 0)"

# --- replace --------------------------------------------------------------
$PY - "$tmp/table" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("# 1000 nodes\n")
    for i in range(1000):
        f.write(f"remote 172.16.{i // 256}.{i % 256} prefix 10.{i // 256}.{i % 256}.0/24 "
                f"prefix fd00:{i:x}::/64\n")
PY
ok "peer replace from a file" pc peer replace dev pn0 file "$tmp/table"
is "1000 peers, 2000 prefixes" "$(pc -j show dev pn0 | json 'j[0]["num_peers"], j[0]["num_prefixes"]')" "(1000, 2000)"
# The dump, compared with the file as sets of (remote, prefixes), both
# normalized ("fd00:0::/64" in a file is "fd00::/64" from the kernel).
cmp_table() {	# file: the table in the kernel equals the file
	pc -j peer show dev pn0 | $PY -c '
import ipaddress as ip, json, sys
def peer(remote, prefixes):
    return str(ip.ip_address(remote)), frozenset(str(ip.ip_network(p)) for p in prefixes)
def words(line):
    w = line.split("#")[0].split()
    return peer(w[1], (w[i + 1] for i in range(len(w)) if w[i] == "prefix"))
want = {words(l) for l in open(sys.argv[1]) if l.split("#")[0].strip()}
got = {peer(p["remote"], p["prefixes"]) for p in json.load(sys.stdin)}
print("same" if want == got else f"differ: {len(want - got)} missing, {len(got - want)} extra")
' "$1"
}
is "the dump equals the file" "$(cmp_table "$tmp/table")" same
pc peer show dev pn0 >"$tmp/shown"
ok "peer show output is a valid replace file" pc peer replace dev pn0 file "$tmp/shown"
is "... and replaces the table with itself" "$(cmp_table "$tmp/table")" same
ok "replace from stdin" sh -c "head -n 11 '$tmp/table' | ip netns exec $NS podnetctl peer replace dev pn0"
is "stdin table: 10 peers" "$(pc -j show dev pn0 | json 'j[0]["num_peers"]')" 10

{ head -n 5 "$tmp/table"; echo "remote 192.0.2.50 prefix 10.99.0.1/16"; } >"$tmp/bad"
out=$(pc peer replace dev pn0 file "$tmp/bad" 2>&1); rc=$?
is "replace file with a bad line: exit 2" "$rc" 2
like "... naming the file and line" "$out" "^Error: $tmp/bad:6: invalid prefix \"10\.99\.0\.1/16\": host bits set"
{ head -n 5 "$tmp/table"; sed -n 3p "$tmp/table"; } >"$tmp/dup"
fails_with "replace file with a duplicate remote" "$tmp/dup:6: remote 172\.16\.0\.1 is already on line 3" \
	pc peer replace dev pn0 file "$tmp/dup"
is "the table is untouched by refused replaces" "$(pc -j show dev pn0 | json 'j[0]["num_peers"]')" 10
is "no replace left pending" "$(pc -j show dev pn0 | json '"replace_portid" in j[0]')" False
ok "replace with an empty file empties the table" pc peer replace dev pn0 file /dev/null
is "... to 0 peers" "$(pc -j show dev pn0 | json 'j[0]["num_peers"]')" 0

# --- batch ----------------------------------------------------------------
cat >"$tmp/batch" <<EOB
# comment
peer add dev pn0 remote 192.0.2.1 prefix 10.1.0.0/16

peer add dev pn0 remote 192.0.2.2 prefix 10.2.0.0/16
peer add dev pn0 remote 192.0.2.3 prefix 10.1.0.0/16
peer add dev pn0 remote 192.0.2.4 prefix 10.4.0.0/16
EOB
out=$(pc -b "$tmp/batch" 2>&1); rc=$?
is "batch stops at the kernel's refusal: exit 1" "$rc" 1
like "... naming the line" "$out" "Command failed $tmp/batch:5\$"
is "lines before it took effect, the one after did not" \
	"$(pc -j peer show dev pn0 | json 'sorted(p["remote"] for p in j)')" "['192.0.2.1', '192.0.2.2']"
printf 'peer flush dev pn0\nshow dev pn0\n' >"$tmp/batch2"
like "a good batch runs every line" "$(pc -b "$tmp/batch2")" "^    peers 0 prefixes 0 "

# --- monitor --------------------------------------------------------------
# wait_lines FILE N: until FILE has N lines (up to 20 s; TCG guests are slow).
wait_lines() {
	local i
	for i in $(seq 1 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
# start_monitor FILE [OPTIONS]: start `podnetctl OPTIONS monitor` into FILE
# and return once it has joined the group (it printed a sentinel change);
# sets mon (its pid) and base (the lines printed so far).
start_monitor() {
	local f=$1 i
	shift
	ip netns exec $NS podnetctl "$@" monitor >"$f" 2>&1 &
	mon=$!
	for i in $(seq 1 50); do
		pc peer add dev pn0 remote 192.0.2.250 prefix 10.250.0.0/16
		pc peer del dev pn0 remote 192.0.2.250
		[ -s "$f" ] && break
		sleep 0.2
	done
	wait_lines "$f" 2
	sleep 1
	base=$(wc -l <"$f")
}
start_monitor "$tmp/events.all" -j
pc peer add dev pn0 remote 192.0.2.1 prefix 10.1.0.0/16 mac 02:00:00:00:00:01
pc peer add dev pn0 remote 192.0.2.1 prefix 10.11.0.0/16
pc peer del dev pn0 remote 192.0.2.1
head -n 3 "$tmp/table" | pc peer replace dev pn0
pc peer flush dev pn0
wait_lines "$tmp/events.all" $((base + 5))
kill $mon; wait $mon 2>/dev/null
tail -n +$((base + 1)) "$tmp/events.all" >"$tmp/events"
ev() { $PY -c "import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; r=($1); print(r)" "$tmp/events"; }
is "monitor -j: five events, in order" "$(ev '" ".join(x["event"] for x in e)')" "add add del replace flush"
is "add event: created, remote, mac, prefixes" \
	"$(ev 'e[0]["created"], e[0]["peer"]["remote"], e[0]["peer"]["mac"], e[0]["peer"]["prefixes"]')" \
	"(True, '192.0.2.1', '02:00:00:00:00:01', ['10.1.0.0/16'])"
is "second add: not created" "$(ev 'e[1]["created"], e[1]["peer"]["prefixes"]')" "(False, ['10.11.0.0/16'])"
is "events carry ifname and ifindex" "$(ev 'e[2]["ifname"], e[2]["ifindex"]')" "('pn0', $ifindex)"
is "replace event counts" "$(ev 'e[3]["num_peers"], e[3]["num_prefixes"]')" "(2, 4)"
is "generations increase" "$(ev 'all(e[i]["generation"] < e[i+1]["generation"] for i in range(4))')" True
start_monitor "$tmp/events.txt"
pc peer add dev pn0 remote 192.0.2.7 prefix 10.7.0.0/16
wait_lines "$tmp/events.txt" $((base + 1))
kill $mon; wait $mon 2>/dev/null
like "monitor text" "$(tail -n +$((base + 1)) "$tmp/events.txt")" \
	'^peer add dev pn0 remote 192\.0\.2\.7 prefix 10\.7\.0\.0/16 created generation [0-9]+$'

# --- privileges and namespaces -------------------------------------------
if command -v setpriv >/dev/null; then
	np() { ip netns exec $NS setpriv --reuid=65534 --regid=65534 --clear-groups podnetctl "$@"; }
	is "unprivileged: peer show works" "$(np peer show dev pn0)" "remote 192.0.2.7 prefix 10.7.0.0/16"
	out=$(np peer add dev pn0 remote 192.0.2.8 prefix 10.8.0.0/16 2>&1); rc=$?
	is "unprivileged: peer add exits 1" "$rc" 1
	is "... with EPERM" "$out" "Error: Operation not permitted."
	is "unprivileged: flush exits 1" "$(status np peer flush dev pn0)" 1
else
	skip "unprivileged checks" "no setpriv"
fi
is "another netns does not see pn0" "$(status podnetctl show dev pn0)" 1

# --- one peer, thousands of prefixes: one request, all or none --------------
# prefixes N FIRST_OCTET: N "prefix A.B.C.0/24" words.
prefixes() {
	$PY -c "import sys; n, a = map(int, sys.argv[1:]); print(' '.join(f'prefix {a + (i >> 16)}.{i >> 8 & 255}.{i & 255}.0/24' for i in range(n)))" "$@"
}
# shellcheck disable=SC2207
p5000=($(prefixes 5000 30))
start_monitor "$tmp/events.big" -j
ok "peer add with 5000 prefixes" pc peer add dev pn0 remote 192.0.2.60 "${p5000[@]}"
wait_lines "$tmp/events.big" $((base + 1))
sleep 1
kill $mon; wait $mon 2>/dev/null
is "5000 prefixes: all present" \
	"$(pc -j peer show dev pn0 remote 192.0.2.60 | json 'j[0]["num_prefixes"], len(set(j[0]["prefixes"]))')" "(5000, 5000)"
printf '%s\n' "${p5000[@]}" | grep -v '^prefix$' >"$tmp/p5000"
is "... exactly those given" \
	"$(pc -j peer show dev pn0 remote 192.0.2.60 | json "sorted(j[0]['prefixes']) == sorted(open('$tmp/p5000').read().split())")" True
is "... in one request: one event carrying all 5000" \
	"$(tail -n +$((base + 1)) "$tmp/events.big" | json 'j["event"], len(j["peer"]["prefixes"]), j["peer"]["num_prefixes"]')" \
	"('add', 5000, 5000)"
table() { pc -j show dev pn0 | json 'j[0]["num_peers"], j[0]["num_prefixes"], j[0]["generation"]'; }
before=$(table)

# The last of 5000 is owned by 192.0.2.60: the kernel refuses the whole request.
# shellcheck disable=SC2207
p4999=($(prefixes 4999 40))
out=$(pc peer add dev pn0 remote 192.0.2.61 "${p4999[@]}" prefix 30.0.19.0/24 2>&1); rc=$?
is "5000 prefixes, the last owned by another peer: exit 1" "$rc" 1
is "... with the kernel's message" "$out" "Error: prefix is owned by another peer."
is "... and none was added" "$(pc -j peer show dev pn0 remote 192.0.2.61)" "[]"
is "... the table did not change" "$(table)" "$before"
is "5000 prefixes, the last invalid: exit 2, nothing sent" \
	"$(status pc peer add dev pn0 remote 192.0.2.61 "${p4999[@]}" prefix 40.0.200.1/24)" 2
is "... none was added" "$(table)" "$before"

# 20000 prefixes (400 KB) are more than the default socket send buffer.
# shellcheck disable=SC2207
p20000=($(prefixes 20000 50))
ok "peer add with 20000 prefixes (past the default send buffer)" \
	pc peer add dev pn0 remote 192.0.2.62 "${p20000[@]}"
is "20000 prefixes: all present" \
	"$(pc -j peer show dev pn0 remote 192.0.2.62 | json 'j[0]["num_prefixes"], len(set(j[0]["prefixes"]))')" "(20000, 20000)"
ok "peer del of 5000 prefixes in one request" pc peer del dev pn0 remote 192.0.2.60 "${p5000[@]}"
is "... the peer stays, empty" "$(pc -j peer show dev pn0 remote 192.0.2.60 | json 'j[0]["prefixes"]')" "[]"

# Beyond what one request carries (4 MiB): refused before the kernel.
$PY - "$tmp/huge" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("peer add dev pn0 remote 192.0.2.63 " +
            " ".join(f"prefix {60 + (i >> 16)}.{i >> 8 & 255}.{i & 255}.0/24" for i in range(210000)) + "\n")
PY
out=$(pc -b "$tmp/huge" 2>&1); rc=$?
is "210000 prefixes: exit 1" "$rc" 1
like "... naming the limit" "$out" \
	'^Error: 210000 prefixes take [0-9]+ bytes, more than one request carries \(4194304 bytes, about 209715 IPv4 or 131072 IPv6 prefixes\)\.$'
is "... nothing added" "$(pc -j peer show dev pn0 remote 192.0.2.63)" "[]"
ok "flush after the big peers" pc peer flush dev pn0

# --- 100k prefixes --------------------------------------------------------
$PY - "$tmp/big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    # One peer with 60k prefixes (split over messages both ways), then
    # 20k peers with 2 each: 100k prefixes in all.
    f.write("remote 192.0.2.1 " + " ".join(f"prefix 10.{i >> 8 & 255}.{i & 255}.0/24"
                                            for i in range(60000)) + "\n")
    for i in range(20000):
        f.write(f"remote 172.{16 + (i >> 16)}.{i >> 8 & 255}.{i & 255} "
                f"prefix fd01:{i:x}::/64 prefix fd02:{i:x}::/64\n")
PY
start=$(date +%s%N)
ok "replace with 100k prefixes" pc peer replace dev pn0 file "$tmp/big"
diag "replace of 100k prefixes took $((($(date +%s%N) - start) / 1000000)) ms (TCG guest)"
is "100k: counts" "$(pc -j show dev pn0 | json 'j[0]["num_peers"], j[0]["num_prefixes"]')" "(20001, 100000)"
is "100k: the dump equals the file" "$(cmp_table "$tmp/big")" same
is "100k: text dump has one line per peer" "$(pc peer show dev pn0 | wc -l)" 20001
ok "100k: flush" pc peer flush dev pn0
is "100k: empty after flush" "$(pc -j show dev pn0 | json 'j[0]["num_prefixes"]')" 0

ip -n $NS link del pn0
done_testing
