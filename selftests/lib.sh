# SPDX-License-Identifier: GPL-2.0
# Helpers for podnet's VM selftests.  Each test file sources this, runs as
# root inside the guest, and prints TAP (version 13).  The runner
# (selftests/vm/guest-run.sh) scans dmesg after each file.
#
# Environment from the runner:
#   PODNET_ROOT   the source tree (read-only in the guest)
#   PODNET_BIN    directory with podnetctl and the other userspace programs
#   PODNET_KVER   the running kernel's version
#   PODNET_FULL   1 on the one kernel of a `make check` that also runs the
#                 kernel-independent checks and the full-size tables; 0 on
#                 the others (see pn_full)

set -u
PODNET_ROOT=${PODNET_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PODNET_BIN=${PODNET_BIN:-$PODNET_ROOT/userspace}
PATH=$PODNET_BIN:$PATH
PY=/usr/bin/python3

_tap_n=0
_tap_failed=0
echo "TAP version 13"

_tap_result() {	# ok|not-ok desc [diag...]
	local res=$1 desc=$2
	shift 2
	_tap_n=$((_tap_n + 1))
	if [ "$res" = ok ]; then
		echo "ok $_tap_n - $desc"
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $desc"
		local l
		for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	fi
}

# ok DESC CMD...: passes when CMD exits 0.
ok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		_tap_result ok "$desc"
	else
		_tap_result not-ok "$desc" "command: $*" "exit $?: $out"
	fi
}

# fails DESC CMD...: passes when CMD exits non-zero.
fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		_tap_result not-ok "$desc" "command: $*" "unexpectedly succeeded: $out"
	else
		_tap_result ok "$desc"
	fi
}

# fails_with DESC PATTERN CMD...: CMD must fail and print a line matching
# the extended regex PATTERN (stdout or stderr).
fails_with() {
	local desc=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ $rc -eq 0 ]; then
		_tap_result not-ok "$desc" "command: $*" "unexpectedly succeeded: $out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		_tap_result not-ok "$desc" "command: $*" "expected /$pat/, got (exit $rc): $out"
	else
		_tap_result ok "$desc"
	fi
}

# is DESC ACTUAL EXPECTED
is() {
	if [ "$2" = "$3" ]; then
		_tap_result ok "$1"
	else
		_tap_result not-ok "$1" "expected: $3" "got:      $2"
	fi
}

# like DESC ACTUAL ERE
like() {
	if grep -qE -- "$3" <<<"$2"; then
		_tap_result ok "$1"
	else
		_tap_result not-ok "$1" "expected /$3/" "got: $2"
	fi
}

# skip DESC REASON: a check that did not run.  The runner counts it, and
# `make check` fails on any skip: a missing dependency is provisioned, not
# skipped.
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# pn_full: true where kernel-independent checks (userspace parsing, usage,
# spec files) and full-size tables run.  `make check` runs them on one
# kernel of the matrix and a smaller, still multi-message size elsewhere.
pn_full() { [ "${PODNET_FULL:-1}" = 1 ]; }

# jget FILTER: a jq FILTER over the JSON document on stdin, printed raw
# (strings unquoted, one result per line, -c for arrays and objects).
jget() { jq -r -c "$1"; }

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# Load the freshly built module (installed into the guest's module tree by
# the runner, so dependencies and autoloading work as on a real node).
pn_load() { modprobe podnet; }
pn_unload() { modprobe -r podnet 2>/dev/null || true; }
pn_loaded() { [ -d /sys/module/podnet ]; }

# in_ns NS CMD...: CMD in network namespace NS.  nsenter enters the netns
# only: /sys stays the mounter's view, so device state is read with ip -j
# or /proc/net/dev (both follow the reader's netns), never /sys/class/net.
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails
# (CMD's last status) after SECONDS.
wait_for() {
	local _wf_i _wf_n=$(($1 * 10))
	shift
	for ((_wf_i = 0; _wf_i < _wf_n; _wf_i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# Network namespaces made by a test; deleted by pn_cleanup.
_pn_netns=()
# (nsenter: `ip -n` would also remount /sys, a cost under TCG.)
pn_netns_add() {
	ip netns add "$1" && _pn_netns+=("$1")
	in_ns "$1" ip link set lo up
}
pn_cleanup() {
	local n
	for n in "${_pn_netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	_pn_netns=()
}

done_testing() {
	pn_cleanup
	echo "1..$_tap_n"
	[ $_tap_failed -eq 0 ]
}
