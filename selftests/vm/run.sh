#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh K [TEST...]: builds podnet for matrix kernel K (6.1, 6.12, 7.2),
# boots that kernel under qemu with the host's root shared read-only, runs
# the selftests (default: every selftests/tests/*.sh; a TEST with a slash is
# a path from the top of the tree) and prints TAP, one
# line per assertion plus one per test file for a clean kernel log.  A file
# passes only if it printed its plan (1..N) and exactly N results, numbered
# in order; "# SKIP" results are counted as skipped, "Bail out!" fails.
# The last line is "K: N passed, N failed, N skipped".  Exit 1 on any failure.
#
# Environment: PODNET_FULL=0 leaves the kernel-independent checks and the
# full-size tables to another kernel (selftests/lib.sh, pn_full);
# PODNET_VM_TIMEOUT (whole boot, seconds, default 2400), PODNET_VM_BOOT_TIMEOUT
# (until the tests start, default 300),
# PODNET_TEST_TIMEOUT (one test file, default 600), PODNET_VM_MEM (MiB),
# PODNET_NO_PLANT=1 skips the dmesg-scan self-test; PODNET_VM_ROOT=DIR
# boots an installed Debian system instead of the host's root: DIR (read-
# only) is the guest's root, its own /boot/vmlinuz-VER the kernel and its
# /lib/modules/VER the modules, podnet.ko as installed there (nothing is
# built; selftests/packaged/run.sh, which makes the tree reachable inside
# DIR at its own path); for benchmarks,
# PODNET_VM_SMP (vCPUs, default 2) and PODNET_VM_QEMU_ARGS (words appended
# to qemu's command line, e.g. "-plugin FILE.so,ARG=V"; default none).
# PODNET_GENL_FUZZ and PODNET_GENL_FUZZ_SEED reach 48-genl-fuzz.sh,
# PODNET_HOSTILE and PODNET_HOSTILE_SEED 49-hostile.sh, PODNET_CYCLES and
# PODNET_CYCLES_SEED 70-lifecycle-stress.sh, PODNET_MIGRATION_WINDOW
# 61-flannel-migration.sh.
set -uo pipefail

k=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/selftests/vm
cache=${PODNET_CACHE:-/var/tmp/podnet-vm}
read -r ver vmlinuz modroot _ < <("$vm/provision.sh" info "$k") || exit 1
guestroot=${PODNET_VM_ROOT:-/}
if [ -n "${PODNET_VM_ROOT:-}" ]; then
	vmlinuz=$PODNET_VM_ROOT/boot/vmlinuz-$ver modroot=$PODNET_VM_ROOT/lib/modules/$ver
	for f in "$vmlinuz" "$modroot/modules.dep" "$PODNET_VM_ROOT$top/selftests/vm/guest-run.sh"; do
		[ -e "$f" ] || { echo "not ok - $k: $PODNET_VM_ROOT has no $f"; echo "$k: 0 passed, 1 failed, 0 skipped"; exit 1; }
	done
fi
out=$top/build/vm/$ver
pass=0 fail=0 skipped=0

# One guest at a time on this machine: guests are CPU-bound under TCG, and
# two runs for one kernel would share build/vm/<ver>.
mkdir -p "$cache"
exec 9>"$cache/vm.lock"
if ! flock -n 9; then
	echo "# $k: waiting for another VM run to finish" >&2
	flock 9
fi

tap() {	# ok|not-ok description [diagnostic file]
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok - $k: $2"
	else
		fail=$((fail + 1))
		echo "not ok - $k: $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && tail -n 40 "$3" | sed 's/^/#   /'
	fi
}
finish() {
	echo "$k: $pass passed, $fail failed, $skipped skipped"
	[ $fail -eq 0 ]
	exit
}

rm -rf "$out"
mkdir -p "$out"
if [ -n "${PODNET_VM_ROOT:-}" ]; then
	echo "# $k: the guest's root is $PODNET_VM_ROOT, with its own kernel and modules"
elif "$vm/build-module.sh" "$k" "$out" 2>"$out/build.err"; then
	tap ok "module builds warning-free with W=1 ($ver)"
else
	tap not-ok "module builds warning-free with W=1 ($ver)" "$out/build.err"
	finish
fi
plant=
if [ -z "${PODNET_NO_PLANT:-}" ] && [ -z "${PODNET_VM_ROOT:-}" ]; then
	if "$vm/build-module.sh" "$k" "$out" plant 2>"$out/build-plant.err"; then
		plant=1
	else
		tap not-ok "planted-warning build ($ver)" "$out/build-plant.err"
	fi
fi

initrd=$cache/initramfs-$ver.gz
if [ ! -s "$initrd" ] || [ "$vm/init" -nt "$initrd" ] || [ "$vm/initramfs.sh" -nt "$initrd" ]; then
	"$vm/initramfs.sh" "$modroot" "$ver" "$initrd.tmp" && mv "$initrd.tmp" "$initrd" || {
		tap not-ok "initramfs for $ver"
		finish
	}
fi

# depmod over 9p under TCG takes minutes (every module is read, and
# decompressed on 6.12+), so index the kernel's modules plus podnet.ko here
# on a hard-linked copy of the tree and hand the guest the result.
# (An installed system's modules are indexed already.)
depbase=$out/depmod
if [ -f "$out/podnet.ko" ]; then
	mkdir -p "$depbase/lib/modules"
	cp -al "$modroot" "$depbase/lib/modules/$ver" 2>/dev/null ||
		cp -a "$modroot" "$depbase/lib/modules/$ver"
	mkdir -p "$depbase/lib/modules/$ver/extra"
	cp "$out/podnet.ko" "$depbase/lib/modules/$ver/extra/podnet.ko"
	if depmod -b "$depbase" "$ver" 2>"$out/depmod.err"; then
		mkdir -p "$out/modindex"
		cp "$depbase/lib/modules/$ver"/modules.* "$out/modindex/"
		rm -rf "$depbase"
	else
		tap not-ok "depmod $ver" "$out/depmod.err"
		finish
	fi
fi

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		case $t in */*) tests+=("$t") ;; *) tests+=("$(basename "$t")") ;; esac
	done
else
	for t in "$top"/selftests/tests/*.sh; do tests+=("$(basename "$t")"); done
fi

# Debian sid's ip(8) for 31-podnetctl-iplink.sh, in build/iproute2-sid (the
# guest cannot see $PODNET_CACHE); that test fails if it is missing.
case " ${tests[*]} " in
*31-podnetctl-iplink.sh" "*)
	if "$vm/stage-iproute2-sid.sh" >"$out/stage-iproute2-sid.log" 2>&1; then
		echo "# $k: $(tail -n1 "$out/stage-iproute2-sid.log")"
	else
		tap not-ok "stage Debian sid's iproute2 (selftests/vm/stage-iproute2-sid.sh)" \
			"$out/stage-iproute2-sid.log"
	fi
	;;
esac
# flanneld for 61-flannel-migration.sh, built from Go modules (cached) and
# staged in build/flannel.
case " ${tests[*]} " in
*61-flannel-migration.sh" "*)
	mkdir -p "$top/build/flannel"
	if ! kbin=$("$top/selftests/tools/kube/build.sh" --flannel 2>"$out/flanneld-build.log" | tail -n 1) ||
		! cp "$kbin/flanneld" "$top/build/flannel/flanneld"; then
		tap not-ok "build flanneld (selftests/tools/kube/build.sh --flannel)" "$out/flanneld-build.log"
	fi
	;;
esac
# The YNL CLI for 22-ynl.sh, staged where the guest sees it (its /var/tmp
# is a tmpfs); without it the test unpacks it from linux-source itself.
ynl=$cache/linux-source-6.12
case " ${tests[*]} " in
*22-ynl.sh" "*)
	if [ -f "$ynl/tools/net/ynl/cli.py" ]; then
		rm -rf "$top/build/ynl"
		mkdir -p "$top/build/ynl/tools/net" "$top/build/ynl/Documentation"
		cp -a "$ynl/tools/net/ynl" "$top/build/ynl/tools/net/"
		cp -a "$ynl/Documentation/netlink" "$top/build/ynl/Documentation/"
	fi
	;;
esac
# Tests with the line "# needs: kube-apiserver" (60-podnetd.sh, the demo)
# talk to a real kube-apiserver on this host (10.0.2.2 to the guest, over
# qemu user networking).  It starts while the guest boots and runs the
# earlier tests (they wait for kube/guest.env), and stops after the guest
# is gone.
netargs=() kube_broker=
for t in "${tests[@]}"; do
	case $t in */*) f=$top/$t ;; *) f=$top/selftests/tests/$t ;; esac
	grep -q '^# needs: kube-apiserver$' "$f" 2>/dev/null || continue
	("$vm/kube-host.sh" up "$out/kube" >"$out/kube-up.log" 2>&1 &&
		"$vm/kube-host.sh" serve "$out/kube") &
	kube_broker=$!
	netargs=(-nic user,model=virtio-net-pci)
	break
done
cat >"$out/guest.env" <<EOS
PODNET_ROOT='$top'
PODNET_KVER='$ver'
PODNET_TESTS='${tests[*]}'
PODNET_FULL='${PODNET_FULL:-1}'
PODNET_TEST_TIMEOUT='${PODNET_TEST_TIMEOUT:-600}'
PODNET_GENL_FUZZ='${PODNET_GENL_FUZZ:-}'
PODNET_GENL_FUZZ_SEED='${PODNET_GENL_FUZZ_SEED:-}'
PODNET_HOSTILE='${PODNET_HOSTILE:-}'
PODNET_HOSTILE_SEED='${PODNET_HOSTILE_SEED:-}'
PODNET_CYCLES='${PODNET_CYCLES:-}'
PODNET_CYCLES_SEED='${PODNET_CYCLES_SEED:-}'
PODNET_MIGRATION_WINDOW='${PODNET_MIGRATION_WINDOW:-}'
EOS

# The debug kernel under TCG runs ACPI's PCI interrupt routing methods so
# slowly that they time out (minutes per device), and its grace periods are
# slow enough to trip the default 21 s RCU stall warning at boot.
cmdline=
[ "$k" = debug ] && cmdline="acpi=noirq rcupdate.rcu_cpu_stall_timeout=120"

fs() {	# id path tag [ro]
	echo "-fsdev local,id=$1,path=$2,security_model=none,multidevs=remap${4:+,readonly=on}"
	echo "-device virtio-9p-pci,fsdev=$1,mount_tag=$3"
}
# A guest that has not started guest-run.sh (which creates "done") within
# PODNET_VM_BOOT_TIMEOUT seconds (default 300; the debug kernel gets there
# in about 10) is hung: seen once on 7.2 under TCG, silent after the
# decompressor, until the whole-run timeout 40 minutes later.  It is
# killed (exit 143), and the caller boots once more.
boot() {	# ACCEL RESULTS-DIR TIMEOUT
	local pid t=0
	# shellcheck disable=SC2046,SC2086
	timeout -k 5 "$3" qemu-system-x86_64 \
		-accel "$1" -cpu max -smp "${PODNET_VM_SMP:-2}" -m "${PODNET_VM_MEM:-2048}" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 quiet $cmdline" \
		$(fs r "$guestroot" hostroot ro) $(fs o "$2" results) $(fs m "$modroot" modules ro) \
		"${netargs[@]}" ${PODNET_VM_QEMU_ARGS:-} </dev/null >"$2/console.log" 2>&1 &
	pid=$!
	while [ ! -e "$2/done" ] && kill -0 "$pid" 2>/dev/null; do
		if [ $t -ge "${PODNET_VM_BOOT_TIMEOUT:-300}" ]; then
			echo "# $k: the guest did not reach its tests in ${t}s; killing it"
			kill "$pid"
			break
		fi
		sleep 2
		t=$((t + 2))
	done
	wait "$pid"
}

# Nested KVM boots hang right after the decompressor on these machines, so
# KVM is used only where an empty, time-boxed probe boot with it finishes
# (remembered per kernel in the cache); otherwise TCG.
accel=${PODNET_VM_ACCEL:-}
if [ -z "$accel" ]; then
	probe=$cache/kvm-probe-$ver
	if ! grep -qxE "tcg|kvm" "$probe" 2>/dev/null; then
		echo tcg >"$probe"
		if [ -w /dev/kvm ]; then
			mkdir -p "$out/probe"
			cp "$out/podnet.ko" "$out/probe/"
			cp -r "$out/modindex" "$out/probe/"
			printf "PODNET_ROOT='%s'\nPODNET_KVER='%s'\nPODNET_TESTS=''\n" \
				"$top" "$ver" >"$out/probe/guest.env"
			(boot kvm "$out/probe" 30) 2>/dev/null
			[ -f "$out/probe/done" ] && echo kvm >"$probe"
		fi
	fi
	accel=$(cat "$probe")
fi
echo "# $k: booting $ver with -accel $accel"
start=$(date +%s)
boot "$accel" "$out" "${PODNET_VM_TIMEOUT:-2400}"
rc=$?
# A guest that died before guest-run.sh began (it creates "done" before
# the first test, and podnet is loaded only by the tests) ran no podnet
# code: that is the emulator or the kernel's own boot (seen once under TCG:
# an int3 Oops in sched_clock_cpu at 2 s on 6.12).  Boot once more, and
# say so; a second such death fails below as "did not run".
if [ ! -e "$out/done" ] && [ $rc -ne 124 ] && [ $rc -ne 137 ]; then	# 143: hung boot
	echo "# $k: the guest died before its first test; its serial log ends:"
	tail -n 12 "$out/console.log" | sed 's/^/#   /'
	echo "# $k: booting $ver once more"
	mv "$out/console.log" "$out/console-first-boot.log"
	boot "$accel" "$out" "${PODNET_VM_TIMEOUT:-2400}"
	rc=$?
fi
secs=$(($(date +%s) - start))
if [ -n "$kube_broker" ]; then
	mkdir -p "$out/kube/rpc"
	touch "$out/kube/rpc/stop"
	wait "$kube_broker" ||
		tap not-ok "kube-apiserver on the host (selftests/vm/kube-host.sh)" "$out/kube-up.log"
	"$vm/kube-host.sh" down "$out/kube"
	echo "# $k: kube-apiserver: $(grep -o 'up in [0-9]* ms' "$out/kube.log" | tail -n1)"
fi
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	tap not-ok "guest finished within ${PODNET_VM_TIMEOUT:-2400}s (killed; serial log tail follows)" "$out/console.log"
fi

for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if ! grep -qx "$name" "$out/done" 2>/dev/null; then
		if [ -z "${console_shown:-}" ]; then
			tap not-ok "$name: did not run to the end (serial log tail follows)" "$out/console.log"
			console_shown=1
		else
			tap not-ok "$name: did not run (the guest died earlier)"
		fi
		continue
	fi
	plan= n=0 misnumbered=
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			n=$((n + 1))
			num=${line#ok }
			num=${num#not ok }
			[ "${num%% *}" = "$n" ] || misnumbered=${misnumbered:-$line}
			;;
		esac
		case $line in
		"ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			echo "ok - $k: $name: ${line#ok * - }"
			;;
		"ok "*) tap ok "$name: ${line#ok * - }" ;;
		"not ok "*) tap not-ok "$name: ${line#not ok * - }" ;;
		"Bail out!"*) tap not-ok "$name: ${line}" ;;
		1..*) plan=${line#1..} ;;
		"#"*) echo "$line" ;;
		esac
	done <"$out/$name.tap"
	if [ -z "$plan" ]; then
		tap not-ok "$name: printed no plan (1..N) after $n results: it stopped early" "$out/$name.err"
	elif [ "$plan" != "$n" ]; then
		tap not-ok "$name: planned $plan results, printed $n" "$out/$name.err"
	elif [ -n "$misnumbered" ]; then
		tap not-ok "$name: results numbered out of order at: $misnumbered"
	fi
	echo "# $k: $name ran $(cat "$out/$name.time" 2>/dev/null || echo '?')s"
	trc=$(cat "$out/$name.rc")
	if [ "$trc" != 0 ] && ! grep -q '^not ok' "$out/$name.tap"; then
		tap not-ok "$name: exited $trc$([ "$trc" = 124 ] && echo ' (timed out)')" "$out/$name.err"
	fi
	if "$vm/dmesg-scan.sh" "$out/$name.dmesg" >"$out/$name.scan"; then
		tap ok "$name: kernel log clean"
	else
		tap not-ok "$name: kernel log clean" "$out/$name.dmesg"
	fi
done
if "$vm/dmesg-scan.sh" "$out/boot.dmesg" >"$out/boot.scan" 2>/dev/null; then
	tap ok "boot: kernel log clean"
else
	tap not-ok "boot: kernel log clean" "$out/boot.dmesg"
fi
# The self-test passes only when the scan itself flags the log and names
# the planted WARN's own line (WARNING: ... [podnet]).
if [ -n "$plant" ]; then
	"$vm/dmesg-scan.sh" "$out/plant.dmesg" >"$out/plant.scan"
	src=$?
	if ! grep -qx plant "$out/done" 2>/dev/null; then
		tap not-ok "dmesg scan self-test ran"
	elif ! grep -q 'planted warning' "$out/plant.dmesg"; then
		tap not-ok "dmesg scan catches a planted WARN (no WARN was planted)" "$out/plant.err"
	elif [ $src -ne 1 ]; then
		tap not-ok "dmesg scan catches a planted WARN (the scan exited $src on a log with it)" "$out/plant.dmesg"
	elif ! grep -qE 'WARNING: .*\[podnet\]' "$out/plant.scan"; then
		tap not-ok "dmesg scan catches a planted WARN (the scan did not report its WARNING line)" "$out/plant.scan"
	else
		tap ok "dmesg scan catches a planted WARN"
	fi
fi
echo "# $k: guest ran ${secs}s"
finish
