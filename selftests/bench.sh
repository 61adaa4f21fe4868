#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the peer table lookup benchmark (selftests/bench/lookup.sh) and
# time and kernel memory to program 1k / 10k / 100k prefixes
# with `podnetctl peer replace`, against programming the same cluster the
# way Flannel does (route + neighbour + FDB entry per node on a vxlan
# device, through ip -batch and bridge -batch), and podnetd against flanneld
# at 5,000 Nodes of a real kube-apiserver (selftests/bench/podnetd.sh; the
# apiserver runs on this host, flanneld is built by
# selftests/tools/kube/build.sh --flannel and copied into build/bench/,
# which the guest sees).  Provisions what it needs, builds userspace, runs
# the benches in a qemu guest and prints their results.  Results and
# method: docs/performance.md.
# Then, in a second boot (-smp 1, with the insncount QEMU TCG plugin built
# by selftests/bench/tcg/build.sh), guest instructions per packet for
# native routing, Flannel-style vxlan and podnet in both encapsulations
# (selftests/bench/insn.sh), and in a third boot the same contenders'
# TCP throughput, packet rate and latency (selftests/bench/timed.sh).
# Lane "migration" (not in the default): the flannel migration rehearsal
# (selftests/tests/61-flannel-migration.sh, docs/migrating-from-flannel.md),
# three nodes on real flanneld converted to podnetd one by one under
# pings, in a boot of its own, with 15 s of pings per step (make check
# runs it with 6).
# PODNET_BENCH_KERNEL picks the kernel (default 6.12); PODNET_BENCH_LANES
# which parts run (default "peers insn timed": the first boot's benches,
# the instruction count, the timed measures; "migration" as well or
# instead).  The per-packet lanes' medians go to docs/performance/K/*.dat,
# and selftests/bench/report.sh makes docs/performance/results.md and its
# charts from every kernel's.  The guest runs under TCG on machines
# without usable KVM: the times are emulated.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
k=${PODNET_BENCH_KERNEL:-6.12}

echo "== provisioning (apt, kernel $k; cached after the first run)"
selftests/vm/provision.sh host
selftests/vm/provision.sh kernels "$k"
lanes=" ${PODNET_BENCH_LANES:-peers insn timed} "
echo "== building userspace"
make -s userspace
# A bench is one long test file: allow it far more than a test's 600 s.
export PODNET_TEST_TIMEOUT=${PODNET_TEST_TIMEOUT:-3000}
export PODNET_VM_TIMEOUT=${PODNET_VM_TIMEOUT:-3600}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
# The per-packet lanes' "data" lines, for selftests/bench/report.sh.
res=$top/docs/performance/$k
save() {	# LANE...: LANE.dat from $out's "# data LANE" lines
	local l
	mkdir -p "$res"
	for l; do
		{ echo "kernel $ver $(date -u +%F)"; sed -n "s/^# data \($l .*\)/\1/p" "$out"; } >"$res/$l.dat"
	done
}
read -r ver _ < <(selftests/vm/provision.sh info "$k")
if [[ $lanes == *" peers "* ]]; then
	echo "== kube-apiserver, etcd and flanneld (cached after the first build)"
	kbin=$(selftests/tools/kube/build.sh --flannel | tail -n 1)
	mkdir -p build/bench
	cp "$kbin/flanneld" build/bench/flanneld
fi
if [[ $lanes == *" peers "* ]]; then
	echo "== booting kernel $k and benchmarking peer programming (takes 15-30 minutes under TCG)"
	selftests/tools/cni-driver/build.sh
	PODNET_NO_PLANT=1 selftests/vm/run.sh "$k" selftests/bench/lookup.sh \
		selftests/bench/peer-programming.sh selftests/bench/podnetd.sh \
		selftests/bench/cni.sh >"$out" || rc=$?
	sed -n 's/^# \{0,1\}//p; /^not ok/p' "$out"
	tail -n 1 "$out"
fi
if [[ $lanes == *" migration "* ]]; then
	echo "== booting kernel $k for the flannel migration rehearsal (about 5 minutes under TCG)"
	PODNET_MIGRATION_WINDOW=15 PODNET_NO_PLANT=1 selftests/vm/run.sh "$k" 61-flannel-migration.sh >"$out" || rc=$?
	sed -n 's/^# \{0,1\}//p; /^not ok/p' "$out"
	tail -n 1 "$out"
fi
if [[ $lanes == *" insn "* ]]; then
	echo "== the insncount TCG plugin (against Debian's qemu-plugin.h) and the guest programs"
	so=$(selftests/bench/tcg/build.sh | tail -n 1)
	# In the results share (run.sh empties it before qemu starts): the
	# guest reads the marker lines there, uncached, as they are written.
	log=$top/build/vm/$ver/insncount.log
	echo "== booting kernel $k with -smp 1 under the plugin: instructions per packet (about 2 minutes under TCG)"
	PODNET_NO_PLANT=1 PODNET_VM_SMP=1 PODNET_VM_QEMU_ARGS="-plugin $so,out=$log" \
		selftests/vm/run.sh "$k" selftests/bench/insn.sh >"$out" || rc=$?
	sed -n 's/^# \{0,1\}//p; /^not ok/p' "$out"
	tail -n 1 "$out"
	[ -f "$log" ] && cp "$log" build/bench/insncount-$ver.log
	save insn scale tcpinsn
fi
if [[ $lanes == *" timed "* ]]; then
	echo "== booting kernel $k for the timed measures: TCP, packet rate, latency (about 5 minutes under TCG)"
	selftests/bench/tcg/build.sh >/dev/null
	PODNET_NO_PLANT=1 selftests/vm/run.sh "$k" selftests/bench/timed.sh >"$out" || rc=$?
	sed -n 's/^# \{0,1\}//p; /^not ok/p' "$out"
	tail -n 1 "$out"
	save timed
fi
if [[ $lanes == *" insn "* || $lanes == *" timed "* ]]; then
	echo "== docs/performance/results.md and its charts"
	selftests/bench/report.sh
fi
exit $rc
