#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, lane 1: random and mutated requests to the podnet generic
# netlink family (selftests/tools/genlfuzz) against two devices while a UDP
# stream flows through one of them: corrupted attributes, lengths, types
# and nesting, huge prefix counts, interleaved and abandoned dumps,
# replaces abandoned by closing their socket.  Then the same from a user
# namespace that does not own the netns: every changing command EPERM.
# Passes if the kernel logs nothing (run.sh scans dmesg; kmemleak on the
# debug kernel), the devices still work, and everything goes away:
# devices, namespaces, the module.  PODNET_GENL_FUZZ sets the number of
# requests (make stress: 1,000,000).
. "$PODNET_ROOT/selftests/lib.sh"

FUZZ=$PODNET_ROOT/selftests/tools/genlfuzz/genlfuzz
[ -x "$FUZZ" ] || make -s -C "$PODNET_ROOT/selftests/tools/genlfuzz" >/dev/null ||
	{ echo "Bail out! genlfuzz does not build"; exit 1; }
n=${PODNET_GENL_FUZZ:-50000}
seed=${PODNET_GENL_FUZZ_SEED:-$(date +%s)}

pn_load
PODS=a
. "$PODNET_ROOT/selftests/tools/topology.sh"
N="1 2"
phase topology
topo_up
peers 4
ok "a second device on node 1" in_node 1 ip link add pnf1 type podnet vni 7 port 4790
in_node 1 ip link set pnf1 up
iperf_server 2 a 5201
bg_ns "$(pod 1 a)" iperf3 -c "$(podv4 2 a)" -p 5201 -u -b 200K -l 200 -t 3600 >/dev/null 2>&1
echo $! >"$tmp/iperf-client.pid"

phase fuzz
diag "genlfuzz -n $n -s $seed (PODNET_GENL_FUZZ_SEED=$seed repeats it)"
out=$(in_node 1 "$FUZZ" -n "$n" -s "$seed" podnet0 pnf1)
rc=$?
diag "$out"
is "genlfuzz ran $n requests (exit 0)" "$rc $(sed -n 's/^genlfuzz: \([0-9]*\) requests.*/\1/p' <<<"$out")" "0 $n"
like "... some accepted, most refused" "$out" ' ok [0-9]+ .*EINVAL [0-9]+'

phase unprivileged
out=$(in_node 1 "$FUZZ" -u -n 2000 -s "$seed" podnet0 pnf1)
rc=$?
diag "$out"
like "from a user namespace without CAP_NET_ADMIN over the netns: every changing command EPERM" \
	"$out" '^genlfuzz: unprivileged: [1-9][0-9]* changing requests, 0 not refused with EPERM$'
is "... exit 0" "$rc" 0

phase after
kill "$(cat "$tmp/iperf-client.pid")" 2>/dev/null
ok "the table can be programmed again" peers 4
ok "pods reach each other through the fuzzed device" \
	pnping "$(pod 1 a),$(podv4 2 a)" "$(pod 1 a),$(podv6 2 a)"
ok "pnf1 deletes" in_node 1 ip link del pnf1
topo_exit
trap - EXIT
pn_cleanup
# Devices go with their netns in the background (cleanup_net).
unloaded() { modprobe -r podnet 2>/dev/null; }
ok "then the module unloads (nothing holds it)" wait_for 20 unloaded
phase end

done_testing
