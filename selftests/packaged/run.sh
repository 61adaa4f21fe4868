#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [K]: the Debian packages end to end, for matrix kernel K (6.1 or
# 6.12, default 6.12; `make packaged`).  apt.sh installs both packages
# with apt on a Debian 12 system with K's kernel and headers (a chroot),
# where podnet-dkms's postinst has DKMS build and install the module.
# Then that system boots, as installed: its root, its kernel, its
# /lib/modules with DKMS's module (selftests/vm/run.sh's PODNET_VM_ROOT),
# and runs autoload.sh: `ip link add … type podnet …` with the installed
# ip plugin, and a podnetctl request, each autoload the module.  Last,
# apt.sh purges the packages.  The tree is bind-mounted into the system
# at its own path, in a mount namespace of qemu's alone, so the guest
# finds the tests.  Prints TAP and "packaged K: N passed, N failed, N
# skipped"; about 90 s warm, plus a few minutes once for the chroot.
set -uo pipefail
k=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
root=${PODNET_CACHE:-/var/tmp/podnet-vm}/bookworm-$k
out=$top/build/packaged
rm -rf "$out"
mkdir -p "$out"
# phase NAME: apt.sh's phase NAME, its counts added to $ap and $af.
ap=0 af=0
phase() {
	local p f
	"$top/selftests/packaged/apt.sh" "$k" "$1" | tee "$out/apt-$1.log"
	read -r p f < <(sed -n 's/^apt: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out/apt-$1.log")
	ap=$((ap + ${p:-0})) af=$((af + ${f:-1}))
	[ "${f:-1}" = 0 ]
}
p=0 f=0 s=0
if phase install; then
	# shellcheck disable=SC2016
	unshare -m --propagation private sh -c 'mkdir -p "$1$2" && mount --bind "$2" "$1$2" && shift 2 && exec "$@"' \
		sh "$root" "$top" env PODNET_VM_ROOT="$root" PODNET_NO_PLANT=1 \
		"$top/selftests/vm/run.sh" "$k" selftests/packaged/autoload.sh | tee "$out/vm.log"
	rmdir -p --ignore-fail-on-non-empty "$root$top" 2>/dev/null
	read -r p f s < <(sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
		"$out/vm.log" | tail -n1)
	f=${f:-1}
fi
phase purge
echo "packaged $k: $((ap + ${p:-0})) passed, $((af + f)) failed, ${s:-0} skipped"
[ $((af + f)) = 0 ]
