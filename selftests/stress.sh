#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the long-running checks, `make stress`.  For now: every
# libFuzzer target of userspace/fuzz/ (make -C userspace fuzz) for
# PODNET_FUZZ_SECONDS each (default 600), PODNET_FUZZ_JOBS at a time
# (default: the number of CPUs).  PODNET_FUZZ_TARGETS="addr msg ..." picks
# targets.  check.sh runs this with a few seconds per target.
#
# Each target starts from its committed seeds (userspace/fuzz/corpus/T)
# plus what earlier runs found (build/fuzz/corpus/T, kept between runs);
# a crash, leak, timeout or broken invariant is saved in
# build/fuzz/artifacts/T/ and fails the target.  Prints, per target, the
# executions and their rate, then "fuzz: N passed, N failed" and the
# wall time.  Replay a crash with userspace/fuzz/fuzz_T FILE.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${PODNET_FUZZ_SECONDS:-600}
jobs=${PODNET_FUZZ_JOBS:-$(nproc)}
out=$top/build/fuzz
t0=$(date +%s)

mkdir -p "$out"
if ! make -s -C userspace fuzz >"$out/build.log" 2>&1; then
	echo "not ok - fuzz targets build (make -C userspace fuzz)"
	tail -n 30 "$out/build.log" | sed 's/^/#   /'
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
targets=${PODNET_FUZZ_TARGETS:-$(sed -n 's/^FUZZ_TARGETS := //p' userspace/Makefile)}

run() {	# TARGET: fuzz it for $secs; the result in $out/T.result
	local t=$1 bin=userspace/fuzz/fuzz_$t rc
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a leak or blow-up.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t/" \
		"$out/corpus/$t" "userspace/fuzz/corpus/$t" >"$out/$t.log" 2>&1
	rc=$?
	echo "$rc" >"$out/$t.rc"
}

for t in $targets; do
	if [ ! -x "userspace/fuzz/fuzz_$t" ]; then
		echo "not ok - fuzz $t: no such target (userspace/fuzz/fuzz_$t)"
		echo 1 >"$out/$t.rc"
		continue
	fi
	rm -f "$out/$t.rc"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	run "$t" &
done
wait

pass=0 fail=0 total=0
for t in $targets; do
	[ -x "userspace/fuzz/fuzz_$t" ] || { fail=$((fail + 1)); continue; }
	rc=$(cat "$out/$t.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$out/$t.log" | tail -n1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/$t.log" | tail -n1)
	corp=$(find "$out/corpus/$t" -type f | wc -l)
	total=$((total + ${execs:-0}))
	if [ "$rc" -eq 0 ]; then
		echo "ok - fuzz $t: ${execs:-?} executions in ${took:-$secs}s (${rate:-?}/s, ${cov:-cov: ?}, corpus $corp)"
		pass=$((pass + 1))
	else
		echo "not ok - fuzz $t: exit $rc after ${execs:-?} executions; see $out/$t.log"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|invariant broken|^artifact_prefix|Test unit written' \
			"$out/$t.log" | head -n 8 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
echo "# fuzz: $total executions in all; wall time $(( $(date +%s) - t0 ))s ($jobs at a time, ${secs}s each)"
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
