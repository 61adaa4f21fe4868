#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [K]: the Debian packages at work in a guest of matrix kernel K
# (6.1 or 6.12, default 6.12).  Builds the packages (make deb, cached by
# content: selftests/host/deb-cache.sh), builds podnet-dkms's sources with
# dkms for K as its postinst would (private trees), unpacks podnet-tools
# into build/packaged/root, and boots K with that module in
# /lib/modules/VER/updates/dkms (run.sh's PODNET_VM_MODULE) to run
# autoload.sh: the packaged ip(8) plugin and podnetctl, the module
# autoloaded by each.  Prints run.sh's TAP; about 2 minutes.
set -uo pipefail
k=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
PODNET_ROOT=$top
. "$top/selftests/host/deb-cache.sh"
v=$(make -s -C "$top" version)
read -r kver _ < <("$top/selftests/vm/provision.sh" info "$k") || exit 1
out=$top/build/packaged
rm -rf "$out"
mkdir -p "$out/tree"
deb_cached || { echo "not ok - make deb"; tail -n 20 "$DEB_LOG" | sed 's/^/#   /'; exit 1; }
dpkg-deb -x "$DEB/podnet-tools_${v}_amd64.deb" "$out/root"
dpkg-deb -x "$DEB/podnet-dkms_${v}_all.deb" "$out/dkms"
if ! dkms build -m podnet -v "$v" -k "$kver" --sourcetree "$out/dkms/usr/src" \
	--dkmstree "$out/tree" >"$out/dkms.log" 2>&1; then
	echo "not ok - dkms build of podnet-dkms's sources for $kver"
	tail -n 20 "$out/dkms.log" | sed 's/^/#   /'
	exit 1
fi
ko=$(find "$out/tree/podnet/$v/$kver" -name 'podnet.ko*' | head -n1)
case $ko in
*.xz) xz -dc "$ko" ;;
*.zst) zstd -qdc "$ko" ;;
*) cat "$ko" ;;
esac >"$out/podnet.ko"
echo "# packaged: podnet-tools and DKMS's build of podnet-dkms ($v, ${ko##*/}) for $kver"
PODNET_VM_MODULE=$out/podnet.ko PODNET_NO_PLANT=1 \
	exec "$top/selftests/vm/run.sh" "$k" selftests/packaged/autoload.sh
