#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh K OUTDIR [plant|sparse]: builds podnet.ko for matrix
# kernel K (6.1, 6.12, 7.2) with W=1 in a clean private copy of the tree, so
# kernels and variants never share objects, and copies it to
# OUTDIR/podnet.ko.  Variants: "plant" (OUTDIR/podnet-plant.ko) has a
# planted WARN for the harness self-test; "sparse" also runs sparse (C=2).
# Fails on any compiler or sparse warning.  7.2 is built inside the sid
# chroot with its gcc.  Every variant is a test build (PODNET_DEBUG=y: the
# self-test and its parameters); make and DKMS build the release module.
set -euo pipefail

k=$1 out=$2 variant=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/selftests/vm
read -r ver _ _ chroot kdir < <("$vm/provision.sh" info "$k")

name=podnet${variant:+-$variant}
extra=(PODNET_DEBUG=y)
case $variant in
plant) extra+=(PODNET_PLANT_WARN=y) ;;
sparse) extra+=(C=2) ;;
esac

if [ "$chroot" = - ]; then
	src=$top/build/src/$ver${variant:+-$variant}
	run=()
	msrc=$src
else
	src=$chroot/build/$ver${variant:+-$variant}
	if ! mountpoint -q "$chroot/proc"; then
		mount -t proc proc "$chroot/proc"
		trap 'umount "$chroot/proc"' EXIT
	fi
	run=(chroot "$chroot")
	msrc=/build/$ver${variant:+-$variant}
fi
# A clean private copy every time: the module is small, and stale objects
# from another variant or an older tree must never reach a test.
rm -rf "$src"
mkdir -p "$src" "$out"
cp -a "$top/Kbuild" "$top/dkms.conf" "$top/kmod" "$top/include" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' \) -delete

log=$out/$name.build.log
if ! "${run[@]}" make -C "$kdir" M="$msrc" W=1 "${extra[@]}" -j"$(nproc)" modules >"$log" 2>&1; then
	echo "build-module: $name for $ver failed:" >&2
	grep -E 'error|warning' "$log" | head -n 30 >&2 || tail -n 30 "$log" >&2
	exit 1
fi
if grep -iE 'warning:' "$log" >&2; then
	echo "build-module: $name for $ver has warnings (W=1${extra:+ ${extra[*]}})" >&2
	exit 1
fi
cp "$src/kmod/podnet.ko" "$out/$name.ko"
