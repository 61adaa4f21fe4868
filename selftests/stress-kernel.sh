#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress-kernel.sh: the kernel lanes of `make stress` (issue 14), each a VM
# test of selftests/tests run with its long settings on every kernel of
# PODNET_STRESS_KERNELS (default "6.1 6.12 7.2 debug"):
#
#   genl     48-genl-fuzz.sh with PODNET_GENL_FUZZ requests (1,000,000)
#   hostile  49-hostile.sh with PODNET_HOSTILE packets (1,000,000)
#   cycles   70-lifecycle-stress.sh with PODNET_CYCLES cycles (1,000)
#
# PODNET_STRESS_LANES picks lanes (default "genl hostile cycles").
#
# make check runs the same tests with short settings.  Prints each run's
# TAP summary and figures, then "stress-kernel: N passed, N failed" and
# the wall time.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=${PODNET_STRESS_KERNELS:-6.1 6.12 7.2 debug}
t0=$(date +%s)
pass=0 fail=0

make -s userspace && make -s -C selftests/tools/genlfuzz && make -s -C selftests/tools/pnhostile || {
	echo "not ok - userspace, genlfuzz and pnhostile build"; echo "stress-kernel: 0 passed, 1 failed"; exit 1; }
mkdir -p build/stress
export PODNET_GENL_FUZZ=${PODNET_GENL_FUZZ:-1000000} PODNET_HOSTILE=${PODNET_HOSTILE:-1000000}
export PODNET_CYCLES=${PODNET_CYCLES:-1000}
# The longest run, 1,000 cycles on the debug kernel, took 7,731 s of
# guest time; run.sh's whole-boot timeout (2400 s) must cover the test's.
export PODNET_TEST_TIMEOUT=${PODNET_TEST_TIMEOUT:-10800}
export PODNET_VM_TIMEOUT=${PODNET_VM_TIMEOUT:-$((PODNET_TEST_TIMEOUT + 900))}
for lane in ${PODNET_STRESS_LANES:-genl hostile cycles}; do
	case $lane in
	genl) test=48-genl-fuzz.sh figures='^# genlfuzz' ;;
	hostile) test=49-hostile.sh figures='^# (pnhostile|counted|UDP flow)' ;;
	cycles) test=70-lifecycle-stress.sh figures='^# ([0-9]+ cycles|after)' ;;
	*) echo "not ok - unknown lane $lane"; fail=$((fail + 1)); continue ;;
	esac
	for k in $kernels; do
		log=build/stress/$lane-$k.log
		selftests/vm/run.sh "$k" "selftests/tests/$test" >"$log" 2>&1
		rc=$?
		grep -E "^not ok|$figures|guest ran|ran [0-9]+s" "$log"
		if [ $rc -eq 0 ]; then
			pass=$((pass + 1)); echo "ok - stress $lane $k"
		else
			fail=$((fail + 1)); echo "not ok - stress $lane $k (see $log)"
		fi
	done
done
echo "# stress-kernel: wall time $(( $(date +%s) - t0 ))s"
echo "stress-kernel: $pass passed, $fail failed"
[ $fail -eq 0 ]
