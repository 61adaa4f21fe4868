#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo shown by `make demo`, run inside the VM.  Narration goes out as
# TAP comments; every step is also checked, so a broken demo fails loudly.
. "$PODNET_ROOT/selftests/lib.sh"

show() {	# narrate a command, run it, and print its output
	diag ""
	diag "\$ $*"
	local out
	out=$("$@" 2>&1)
	local rc=$?
	diag "$out"
	return $rc
}

diag "podnet demo on Linux $(uname -r)"
ok "ip link add podnet0 type podnet" show ip link add podnet0 type podnet
ok "ip link set podnet0 up" show ip link set podnet0 up
ok "ip -d link show podnet0" show ip -d link show podnet0
ok "lsmod shows the module" show sh -c 'lsmod | grep -E "^(Module|podnet)"'
ok "ip link del podnet0" show ip link del podnet0
done_testing
