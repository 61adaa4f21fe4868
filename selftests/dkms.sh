#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh: builds podnet with DKMS, as a node installs it, against each
# host-installed kernel of the matrix.  Uses private DKMS and source trees,
# so the host's DKMS state is left alone.  Prints TAP and
# "dkms: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
# kocat KO: the module's bytes, decompressed if DKMS compressed it.
kocat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

src=$work/src/podnet-$ver
mkdir -p "$src" "$work/tree"
cp -a "$top/Kbuild" "$top/Makefile" "$top/dkms.conf" "$top/kmod" "$top/include" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' \) -delete

for k in ${PODNET_LINT_KERNELS:-6.1 6.12}; do
	read -r kver _ < <("$top/selftests/vm/provision.sh" info "$k") || continue
	if out=$(dkms build -m podnet -v "$ver" -k "$kver" \
		--sourcetree "$work/src" --dkmstree "$work/tree" 2>&1) &&
		ko=$(find "$work/tree/podnet/$ver/$kver" -name 'podnet.ko*' | head -n1) &&
		[ -n "$ko" ]; then
		pass=$((pass + 1)); echo "ok - dkms: builds podnet/$ver for $kver"
		# A release build: no self-test, no test parameters.
		parms=$(modinfo -F parm "$ko" 2>&1)
		if [ -z "$parms" ] && ! kocat "$ko" | grep -aq pn_st_run; then
			pass=$((pass + 1)); echo "ok - dkms: $kver: a release build (no module parameters, no self-test)"
		else
			fail=$((fail + 1)); echo "not ok - dkms: $kver: a release build (no module parameters, no self-test)"
			printf '%s\n' "$parms" | sed 's/^/#   /'
		fi
	else
		fail=$((fail + 1)); echo "not ok - dkms: builds podnet/$ver for $kver"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	fi
done
echo "dkms: $pass passed, $fail failed"
[ $fail -eq 0 ]
