#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cni.sh: ADD and DEL wall time of the podnet CNI plugin against ptp, the
# reference routed-veth plugin, with the same host-local config, in the
# same run: the median of 100 (PODNET_BENCH_ROUNDS) rounds of ADD then DEL
# of one pod, each timed around libcni's AddNetworkList / DelNetworkList
# as a runtime calls them (so IPAM's exec is in both).  The node is a
# namespace; MTU from the config, so no podnet device is needed:
#   PODNET_ROOT=$PWD bash selftests/bench/cni.sh          (this kernel)
#   selftests/vm/run.sh 6.12 selftests/bench/cni.sh       (in the guest)
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/tools/cni.sh"

rounds=${PODNET_BENCH_ROUNDS:-100}
pn_netns_add pnbn && pn_netns_add pnbp || { echo "Bail out! namespaces"; exit 1; }
list() {	# TYPE FAMILIES: FAMILIES "4" or "46"
	local ranges='[[{subnet: "10.244.1.0/24"}]]'
	[ "$2" = 46 ] && ranges='[[{subnet: "10.244.1.0/24"}], [{subnet: "fd10:1::/64"}]]'
	cni_conf 1.1.0 ".type = \"$1\" | .ipam.ranges = $ranges" |
		jq -c '{cniVersion, name, plugins: [del(.cniVersion, .name)]}' >"$cni_tmp/$1.conflist"
	echo "$cni_tmp/$1.conflist"
}
diag "kernel ${PODNET_KVER:-$(uname -r)}, $rounds rounds, median wall time of one call"
# IPv4 only, then dual stack (where ptp waits for its IPv6 addresses to
# leave DAD).  A warm-up round each (page cache, first exec).
for fam in 4 46; do
	for t in podnet ptp; do
		cni_drv pnbn -conf "$(list $t $fam)" -id warm -netns /run/netns/pnbp -n 1 bench >/dev/null
		out=$(cni_drv pnbn -conf "$(list $t $fam)" -id bench -netns /run/netns/pnbp \
			-n "$rounds" bench)
		read -r _ add _ del <<<"$out"
		[[ "$add $del" =~ ^[0-9]+\ [0-9]+$ ]] || { echo "Bail out! $t: $out"; exit 1; }
		eval "${t}_add=$add ${t}_del=$del"
		diag "$(printf 'IPv%-3s %-7s ADD %7d us   DEL %7d us   ADD+DEL %7d us' \
			"$fam" $t "$add" "$del" $((add + del)))"
	done
	ok "IPv$fam: both ran $rounds rounds" test "$podnet_add" -gt 0 -a "$ptp_add" -gt 0
	diag "$(awk -v a=$((podnet_add + podnet_del)) -v b=$((ptp_add + ptp_del)) \
		'BEGIN { printf "IPv%s: podnet ADD+DEL = %.2f x ptp'"'"'s (goal: <= 0.5)", '"$fam"', a / b }')"
done
is "nothing left behind" "$(ipam_used; leftovers pnbn)" ""
done_testing
