#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# startup.sh: what one process start costs in the guest, for the helpers
# the VM tests are built from (under TCG they dominate a test's time).
# Each command runs 5 times; the median wall time in ms is printed.
# Run in the VM: selftests/vm/run.sh K selftests/bench/startup.sh
. "$PODNET_ROOT/selftests/lib.sh"

pn_netns_add pnstart
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cost() {	# DESC CMD...
	local desc=$1 i t0 all=""
	shift
	for i in 1 2 3 4 5; do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1 </dev/null
		all+="$(($(now_ms) - t0))\n"
	done
	diag "$(printf '%-44s %6s ms' "$desc" "$(printf "$all" | median)")"
}
diag "kernel ${PODNET_KVER:-$(uname -r)}"
cost "true (fork + exec)" /bin/true
cost "awk 'BEGIN {}'" awk 'BEGIN { }'
cost "jq -n 1" jq -n 1
cost "python3 -c pass" "$PY" -c pass
cost "python3 -I -S -c pass" "$PY" -I -S -c pass
cost "python3 -c 'import socket, struct, ctypes'" "$PY" -c 'import socket, struct, ctypes, select'
cost "python3 -I -S -c 'import socket, ...'" "$PY" -I -S -c 'import socket, struct, ctypes, select'
cost "nsenter --net=NS true" nsenter --net=/run/netns/pnstart true
cost "ip netns exec NS true" ip netns exec pnstart true
cost "ip -n NS link show lo" ip -n pnstart link show lo
cost "nsenter --net=NS ip link show lo" nsenter --net=/run/netns/pnstart ip link show lo
cost "ip link show lo" ip link show lo
cost "podnetctl -V" podnetctl -V
cost "ss -Hltn" ss -Hltn
cost "tcpdump --version" tcpdump --version
cost "iperf3 --version" iperf3 --version
ok "measured" true
done_testing
