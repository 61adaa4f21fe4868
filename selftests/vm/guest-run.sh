#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test guest after switch_root (see selftests/vm/init).
# Installs the podnet module built for this kernel, runs each selftest file
# under a timeout, and after each file saves and scans the kernel log.
# Everything goes to the results share, /run/podnet (guest.env comes from
# the host: PODNET_ROOT, PODNET_KVER, PODNET_TESTS, PODNET_TEST_TIMEOUT).

R=/run/podnet
. $R/guest.env
export PODNET_ROOT PODNET_KVER PODNET_FULL PODNET_GENL_FUZZ PODNET_GENL_FUZZ_SEED PODNET_HOSTILE PODNET_HOSTILE_SEED \
	PODNET_CYCLES PODNET_CYCLES_SEED PODNET_MIGRATION_WINDOW
export PODNET_BIN=$PODNET_ROOT/userspace
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
cd /

say() { echo "podnet-vm: $*" >/dev/console; }
poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

mount -t tmpfs shm /dev/shm 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname podnet-vm
ip link set lo up

# The test build goes where a hand-built module goes; an installed
# system (run.sh's PODNET_VM_ROOT) gets none and uses its own.
mods=/lib/modules/$PODNET_KVER
if [ -f "$R/podnet.ko" ]; then
	mkdir -p "$mods/extra"
	cp "$R/podnet.ko" "$mods/extra/podnet.ko"
	cp "$R"/modindex/modules.* "$mods/"	# made by the host's depmod (run.sh)
fi

# On the debug kernel, kmemleak: forget what boot left behind, then after
# every test file scan and report (its reports land in the scanned log).
leaks=/sys/kernel/debug/kmemleak
[ -w $leaks ] && echo clear >$leaks
leak_scan() {
	[ -w $leaks ] || return 0
	# Objects freed by RCU or deferred work need a grace period or two.
	sleep 2
	echo scan >$leaks
	sleep 1
	echo scan >$leaks
	cat $leaks
	echo clear >$leaks
}

dmesg -c >"$R/boot.dmesg"
: >"$R/done"
for t in $PODNET_TESTS; do
	name=$(basename "$t" .sh)
	case $t in */*) path=$PODNET_ROOT/$t ;; *) path=$PODNET_ROOT/selftests/tests/$t ;; esac
	say "running $name"
	t0=$(date +%s)
	timeout -k 10 "${PODNET_TEST_TIMEOUT:-600}" bash "$path" \
		>"$R/$name.tap" 2>"$R/$name.err" </dev/null
	echo $? >"$R/$name.rc"
	echo $(($(date +%s) - t0)) >"$R/$name.time"
	# Give deferred work (RCU callbacks, netns cleanup) a moment to report.
	sleep 1
	{ dmesg -c; leak_scan; } >"$R/$name.dmesg"
	echo "$name" >>"$R/done"
done

# Harness self-test: a module built with a planted WARN must be caught by
# the same scan.  Runs last, since the warning taints the kernel.
if [ -f "$R/podnet-plant.ko" ]; then
	say "planting a warning"
	modprobe -r podnet 2>/dev/null
	cp "$R/podnet-plant.ko" "$mods/extra/podnet.ko"
	{ modprobe podnet && modprobe -r podnet; } 2>"$R/plant.err"
	sleep 1
	dmesg -c >"$R/plant.dmesg"
	echo plant >>"$R/done"
fi
say "finished"
