#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh: builds podnet with DKMS, as a node installs it: `dkms build`
# against each host-installed kernel of the matrix (6.1, 6.12) and, with
# the sid chroot's own dkms and gcc, 7.2; `make dkms-install` and `make
# dkms-remove` for one of them.  Uses private DKMS, source and install
# trees, so the host's DKMS state and /lib/modules are left alone.  Prints
# TAP and "dkms: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(make -s -C "$top" version)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$top/selftests/tap-res.sh"
res_init dkms 20
# kocat KO: the module's bytes, decompressed if DKMS compressed it.
kocat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}
# check_ko KVER KO: a release build (no self-test, no test parameters) of
# this version.
check_ko() {
	local ko=$work/check.ko parms
	kocat "$2" >"$ko"
	parms=$(modinfo -F parm "$ko" 2>&1)
	if [ -z "$parms" ] && ! grep -aq pn_st_run "$ko"; then
		res ok "$1: a release build (no module parameters, no self-test)"
	else
		res not-ok "$1: a release build (no module parameters, no self-test)" "$parms"
	fi
	if [ "$(modinfo -F version "$ko")" = "$ver" ]; then
		res ok "$1: its version is $ver"
	else
		res not-ok "$1: its version is $ver" "modinfo: $(modinfo -F version "$ko" 2>&1)"
	fi
}

# The sources as a node gets them: what make dkms-sources copies.
make -s -C "$top" dkms-sources DKMS_SOURCE_TREE="$work/src" >/dev/null
mkdir -p "$work/tree"

kernels=${PODNET_LINT_KERNELS:-6.1 6.12}
for k in $kernels; do
	read -r kver _ < <("$top/selftests/vm/provision.sh" info "$k") || continue
	if out=$(dkms build -m podnet -v "$ver" -k "$kver" \
		--sourcetree "$work/src" --dkmstree "$work/tree" 2>&1) &&
		ko=$(find "$work/tree/podnet/$ver/$kver" -name 'podnet.ko*' | head -n1) &&
		[ -n "$ko" ]; then
		res ok "builds podnet/$ver for $kver"
		check_ko "$kver" "$ko"
	else
		res not-ok "builds podnet/$ver for $kver" "$out"
	fi
done

# 7.2: in the sid chroot, with its dkms; /proc (objtool wants it) is
# mounted in a mount namespace of this build's own, so no other user of
# the chroot sees it come or go.
if read -r kver _ _ chroot _ < <("$top/selftests/vm/provision.sh" info 7.2 2>/dev/null); then
	rm -rf "$chroot/build/dkms"
	mkdir -p "$chroot/build/dkms/tree"
	cp -a "$work/src" "$chroot/build/dkms/src"
	if out=$(unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && shift &&
		exec chroot "$@"' sh "$chroot" "$chroot" dkms build -m podnet -v "$ver" -k "$kver" \
		--sourcetree /build/dkms/src --dkmstree /build/dkms/tree 2>&1) &&
		ko=$(find "$chroot/build/dkms/tree/podnet/$ver/$kver" -name 'podnet.ko*' | head -n1) &&
		[ -n "$ko" ]; then
		res ok "builds podnet/$ver for $kver (sid chroot, $(chroot "$chroot" dkms --version))"
		check_ko "$kver" "$ko"
	else
		res not-ok "builds podnet/$ver for $kver (sid chroot)" "$out"
	fi
	rm -rf "$chroot/build/dkms"
else
	res not-ok "7.2 is provisioned (selftests/vm/provision.sh kernels 7.2)"
fi

# make dkms-install / dkms-remove, for the last host kernel, in trees of
# their own: the module lands in the install tree, and remove takes away
# everything install made.
read -r kver _ < <("$top/selftests/vm/provision.sh" info "${kernels##* }")
m=$work/make
mkdir -p "$m/src" "$m/tree" "$m/lib/$kver"
mk=(make -s -C "$top" KVER="$kver" DKMS_SOURCE_TREE="$m/src"
	DKMS_FLAGS="--dkmstree $m/tree --installtree $m/lib --no-depmod")
before=$(cd "$m" && find . | sort)
if out=$("${mk[@]}" dkms-install 2>&1) &&
	ko=$(find "$m/lib/$kver" -name 'podnet.ko*' | head -n1) && [ -n "$ko" ]; then
	res ok "make dkms-install KVER=$kver: ${ko#"$m/lib/"}"
	check_ko "make dkms-install $kver" "$ko"
else
	res not-ok "make dkms-install KVER=$kver" "$out"
fi
st=$(dkms status --dkmstree "$m/tree" --sourcetree "$m/src" --installtree "$m/lib" podnet 2>/dev/null)
if [[ $st == "podnet/$ver, $kver, "*": installed" ]]; then
	res ok "dkms status: podnet/$ver installed for $kver"
else
	res not-ok "dkms status: podnet/$ver installed for $kver" "$st"
fi
if out=$("${mk[@]}" dkms-install 2>&1); then
	res ok "make dkms-install again (rebuilds, as after a change)"
else
	res not-ok "make dkms-install again (rebuilds, as after a change)" "$out"
fi
if out=$("${mk[@]}" dkms-remove 2>&1) && [ "$(cd "$m" && find . | sort)" = "$before" ]; then
	res ok "make dkms-remove: the trees are as before dkms-install"
else
	res not-ok "make dkms-remove: the trees are as before dkms-install" \
		"$out$(diff <(echo "$before") <(cd "$m" && find . | sort))"
fi

echo "dkms: $pass passed, $fail failed"
[ $fail -eq 0 ]
