#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [K]: the Debian packages end to end, for matrix kernel K (6.1 or
# 6.12, default 6.12; `make packaged`).  First apt.sh: `apt install` of
# both packages on a Debian 12 chroot with K's headers, where podnet-dkms's
# postinst has DKMS build and install the module.  Then a guest of K with
# that module in /lib/modules/VER/updates/dkms (run.sh's PODNET_VM_MODULE)
# and podnet-tools' files (unpacked into build/packaged/root: the guest's
# root is the host's) runs autoload.sh: `ip link add … type podnet …` with
# the packaged ip plugin, and a podnetctl request, each autoload it.
# Prints TAP and "K: N passed, N failed, N skipped" (apt.sh's results
# folded in); about 90 s warm, plus a few minutes once for the chroot.
set -uo pipefail
k=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
PODNET_ROOT=$top
. "$top/selftests/host/deb-cache.sh"
v=$(make -s -C "$top" version)
out=$top/build/packaged
rm -rf "$out"
mkdir -p "$out"
"$top/selftests/packaged/apt.sh" "$k" | tee "$out/apt.log"
read -r ap af < <(sed -n 's/^apt: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out/apt.log")
if [ "${af:-1}" != 0 ] || [ ! -s "$out/apt/podnet.ko" ]; then
	echo "$k: ${ap:-0} passed, ${af:-1} failed, 0 skipped"
	exit 1
fi
deb_cached || { echo "not ok - make deb"; exit 1; }
dpkg-deb -x "$DEB/podnet-tools_${v}_amd64.deb" "$out/root"
PODNET_VM_MODULE=$out/apt/podnet.ko PODNET_NO_PLANT=1 \
	"$top/selftests/vm/run.sh" "$k" selftests/packaged/autoload.sh | tee "$out/vm.log"
read -r p f s < <(sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
	"$out/vm.log" | tail -n1)
echo "packaged $k: $((ap + ${p:-0})) passed, $((af + ${f:-1})) failed, ${s:-0} skipped"
[ "${f:-1}" = 0 ]
