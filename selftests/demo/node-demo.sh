#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo shown by `make demo`, run inside the VM.  Narration goes out as
# TAP comments; every step is also checked, so a broken demo fails loudly.
. "$PODNET_ROOT/selftests/lib.sh"

step() {	# narrate a command, run it, print its output, check it
	local out rc
	diag ""
	diag "\$ $*"
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ -n "$out" ] && diag "$out"
	if [ $rc -eq 0 ]; then
		_tap_result ok "$*"
	else
		_tap_result not-ok "$*" "exit $rc"
	fi
}

diag "podnet demo on Linux $(uname -r)"
step ip link add podnet0 type podnet
step ip link set podnet0 up
step ip -d link show podnet0
step sh -c 'lsmod | grep -E "^(Module|podnet)"'
step ip link del podnet0
done_testing
