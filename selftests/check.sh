#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: everything `make check` promises.  Installs what is missing,
# then: userspace build (-Werror), lint (checkpatch, W=1, sparse), a DKMS
# build, userspace unit tests, a short run of the userspace fuzzers, and
# per kernel of the matrix the module build and the VM suite with the
# dmesg scan.  Ends with "N passed, N failed, N
# skipped" and the wall time; any failure or skip fails (a missing
# dependency is provisioned, never skipped).
#
# PODNET_KERNELS picks kernels (default "6.1 6.12 7.2 debug"; debug: the KASAN/
# lockdep/kmemleak 6.12); PODNET_TESTS="10-link.sh ..." picks VM test
# files.  The debug kernel is several times slower under TCG, so it runs
# the tests that stress object lifetimes and locking: PODNET_DEBUG_TESTS.
# The kernel-independent checks and the full-size tables run on one kernel,
# PODNET_FULL_KERNEL (default 6.12 when it is in the matrix, else the first).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=${PODNET_KERNELS:-6.1 6.12 7.2 debug}
debug_tests=${PODNET_DEBUG_TESTS:-10-link.sh 20-peertable-selftest.sh 21-genl.sh 40-datapath.sh 42-lifecycle.sh 46-dstvalid.sh 47-gpe.sh 48-genl-fuzz.sh 70-lifecycle-stress.sh}
full=${PODNET_FULL_KERNEL:-}
if [ -z "$full" ]; then
	case " $kernels " in
	*" 6.12 "*) full=6.12 ;;
	*) full=${kernels%% *} ;;
	esac
fi
log=$top/build/check
mkdir -p "$log"
pass=0 fail=0 skipped=0 guest_times=
t0=$(date +%s)

count() {	# STEP-NAME LOGFILE: add the step's "N passed, N failed[, N skipped]"
	local p f sk
	read -r p f sk < <(sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' "$2" | tail -n1)
	if [ -z "${p:-}" ]; then
		echo "not ok - $1: no result line (see $2)"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + ${sk:-0}))
}
step() {	# NAME CMD...: a step that is one test
	local name=$1
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		tail -n 30 "$log/$name.log" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

echo "== provisioning (host packages, kernels: $kernels)"
if ! selftests/vm/provision.sh host || ! selftests/vm/provision.sh kernels $kernels; then
	echo "not ok - provisioning"
	echo "0 passed, 1 failed"
	exit 1
fi

echo "== userspace build"
step "userspace builds with -Wall -Wextra -Werror" make -s userspace
step "kernel fuzz tool builds (genlfuzz)" make -s -C selftests/tools/genlfuzz
step "hostile packet sender builds (pnhostile)" make -s -C selftests/tools/pnhostile
step "CNI test tools build (libcni driver, upstream plugins)" selftests/tools/cni-driver/build.sh
step "CRI test tools build (containerd, crictl, sandbox image)" selftests/tools/cri/build.sh
step "Kubernetes test servers build (kube-apiserver, etcd, kubectl, flanneld)" selftests/tools/kube/build.sh --flannel

echo "== lint"
selftests/lint.sh | tee "$log/lint.log" | grep -v '^ok '
count lint "$log/lint.log"

echo "== dkms"
selftests/dkms.sh | tee "$log/dkms.log" | grep -v '^ok '
count dkms "$log/dkms.log"

echo "== unit tests"
make -s unit >"$log/unit.log" 2>&1
urc=$?
grep -E '^\[  (PASSED|FAILED|SKIPPED)|^not ok|^# ' "$log/unit.log"
unit_sum() { sed -n "s/^\[  $1 *\] \([0-9]*\) test(s).*/\1/p" "$log/unit.log" | awk '{s+=$1} END {print s+0}'; }
up=$(unit_sum PASSED) uf=$(unit_sum FAILED) us=$(unit_sum SKIPPED)
if [ "$urc" -ne 0 ] && [ "$uf" -eq 0 ]; then
	echo "not ok - unit tests exited $urc"
	tail -n 20 "$log/unit.log" | sed 's/^/#   /'
	uf=1
fi
echo "unit: $up passed, $uf failed, $us skipped"
pass=$((pass + up)) fail=$((fail + uf)) skipped=$((skipped + us))

# The userspace parsers under libFuzzer (ASan, UBSan), a few seconds per
# target from the committed seeds and what earlier runs found; `make
# stress` runs them for minutes.
echo "== fuzz (userspace parsers, ${PODNET_CHECK_FUZZ_SECONDS:-8}s per target)"
PODNET_FUZZ_SECONDS=${PODNET_CHECK_FUZZ_SECONDS:-8} selftests/stress.sh | tee "$log/fuzz.log" | grep -v '^ok '
count fuzz "$log/fuzz.log"

# Tests that need no podnet device run once, on the host's kernel (in the
# VM they would cost minutes per kernel): the CNI plugin's protocol (veth
# only), deploy/ against a real kube-apiserver, make install, the one
# version, the Debian packages (make deb, cached by content), the man
# pages, and the file checks of podnetd and the CNI plugin (file-perms).
host_test() {	# NAME
	local name=$1 rc p f s plan
	echo "== $name (host kernel $(uname -r))"
	PODNET_ROOT=$top PODNET_BIN=$top/userspace PODNET_FULL=1 \
		bash "selftests/host/$name.sh" >"$log/$name.log" 2>&1
	rc=$?
	grep -E '^not ok|^Bail out' "$log/$name.log"
	p=$(grep -c '^ok ' "$log/$name.log") f=$(grep -c '^not ok ' "$log/$name.log")
	s=$(grep -c '^ok .*# SKIP' "$log/$name.log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log/$name.log")
	if [ "$rc" -ne 0 ] || [ "${plan:-x}" != $((p + f)) ]; then
		[ "$f" -gt 0 ] || f=1
		echo "not ok - $name exited $rc with plan '${plan:-none}' after $((p + f)) results"
		tail -n 20 "$log/$name.log" | sed 's/^/#   /'
	fi
	echo "$name: $((p - s)) passed, $f failed, $s skipped"
	pass=$((pass + p - s)) fail=$((fail + f)) skipped=$((skipped + s))
}
host_test cni-protocol
host_test file-perms
host_test cri
host_test deploy
host_test install
host_test version
host_test deb
host_test man

# The issue's "done when": `apt install` of both packages on a Debian 12
# system (a cached bookworm chroot with the kernel and its headers)
# builds the module through DKMS; that system boots, its own kernel on its
# own root, and the module autoloads on `ip link add` with the installed
# ip plugin and on a podnetctl request (make packaged; about 90 s warm,
# 10 s of it guest time; the chroot takes a few minutes once).
case $full in
6.1 | 6.12)
	echo "== packaged (apt install on Debian 12 with $full, then that system booted)"
	selftests/packaged/run.sh "$full" >"$log/packaged.log" 2>&1
	grep -E '^not ok' "$log/packaged.log"
	count packaged "$log/packaged.log"
	;;
esac

for k in $kernels; do
	echo "== kernel $k$([ "$k" = "$full" ] && echo ' (with the kernel-independent and full-size checks)')"
	tests=${PODNET_TESTS:-}
	[ "$k" = debug ] && tests=${PODNET_TESTS:-$debug_tests}
	# shellcheck disable=SC2086
	PODNET_FULL=$([ "$k" = "$full" ] && echo 1 || echo 0) \
		PODNET_CYCLES=${PODNET_CYCLES:-$([ "$k" = debug ] && echo 4 || echo 6)} \
		selftests/vm/run.sh "$k" $tests >"$log/vm-$k.log" 2>&1
	grep -vE '^ok |^# .*: [0-9a-z-]+ ran [0-9?]+s$' "$log/vm-$k.log"
	count "vm $k" "$log/vm-$k.log"
	guest_times="$guest_times $k $(sed -n 's/^# .*: guest ran \([0-9]*\)s$/\1/p' "$log/vm-$k.log")s"
done

grep -h '^ok - .* # SKIP' "$log"/vm-*.log 2>/dev/null | sed 's/^/skipped: /'
echo "== guest time per kernel:${guest_times:- none}"
echo "== make check took $(( $(date +%s) - t0 ))s; logs in build/check, build/vm"
[ $skipped -eq 0 ] || echo "not ok - $skipped checks were skipped: make check provisions every dependency, so a skip is a failure"
echo "$pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ] && [ $skipped -eq 0 ]
