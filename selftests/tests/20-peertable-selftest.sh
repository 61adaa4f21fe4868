#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The in-kernel randomized self-test of the peer table (kmod/selftest/),
# at load and on demand.  PODNET_SELFTEST_SCALE makes it bigger (stress).
source "$PODNET_ROOT/selftests/lib.sh"

scale=${PODNET_SELFTEST_SCALE:-1}
param=/sys/module/podnet/parameters/selftest

pn_unload
dmesg -c >/dev/null
ok "module loads with selftest=1 (a failed self-test fails the load)" \
	modprobe podnet selftest=1
like "self-test result in the kernel log" "$(dmesg)" 'podnet: selftest \(scale 1, .*\): pass'
ok "self-test on demand, scale $scale" sh -c "echo $scale >$param"
like "on-demand result in the kernel log" "$(dmesg | tail -n 3)" "podnet: selftest \\(scale $scale, .*\\): pass"
ok "a second run (fresh random table)" sh -c "echo 1 >$param"
# bash, not dash: dash reports every failed write as "I/O error".
fails_with "writing garbage to the knob: EINVAL" 'echo: write error: Invalid argument$' \
	bash -c "echo nope >$param"
ok "module unloads" modprobe -r podnet

done_testing
