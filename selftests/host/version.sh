#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One version, written once (dkms.conf's PACKAGE_VERSION): the module's
# MODULE_VERSION (built here for a matrix kernel), podnetctl -V, podnetd
# --version, the CNI plugin's --version, debian/changelog, the packages
# make deb builds and the DaemonSet's image all say it, and no other file
# writes it.  Needs no podnet device: runs once, on the host (make check).
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/host/deb-cache.sh"

v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$PODNET_ROOT/dkms.conf")
like "dkms.conf has a version" "$v" '^[0-9]+\.[0-9]+\.[0-9]+'
is "make version" "$(make -s -C "$PODNET_ROOT" version)" "$v"
is "make -C userspace print-version" "$(make -s -C "$PODNET_ROOT/userspace" print-version)" "$v"
is "podnetctl -V" "$("$PODNET_BIN/podnetctl" -V | cut -d' ' -f1-2)" "podnetctl $v"
is "podnetd --version" "$("$PODNET_BIN/podnetd" --version)" "podnetd $v"
like "podnet --version (the CNI plugin)" "$("$PODNET_BIN/podnet" --version)" \
	"^podnet CNI plugin ${v//./\\.}, CNI protocol versions "

# The module, built as make builds it (a release build) in a copy.
read -r kver _ < <("$PODNET_ROOT/selftests/vm/provision.sh" info "${PODNET_INSTALL_KERNEL:-6.12}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
git -C "$PODNET_ROOT" ls-files -z Kbuild Makefile dkms.conf kmod include |
	tar -C "$PODNET_ROOT" --null -T - -cf - | tar -C "$T" -xf -
ok "the module builds for $kver" make -s -C "$T" module KVER="$kver"
is "the module's MODULE_VERSION (modinfo)" "$(modinfo -F version "$T/kmod/podnet.ko")" "$v"

is "debian/changelog" "$(dpkg-parsechangelog -l "$PODNET_ROOT/debian/changelog" -S Version)" "$v"
if deb_cached; then
	ok "make deb (cached by content in $PODNET_DEB_CACHE)" true
else
	_tap_result not-ok "make deb" "$(tail -n 30 "$DEB_LOG")"
fi
for p in podnet-dkms_all podnet-tools_amd64; do
	f=$DEB/${p%_*}_${v}_${p#*_}.deb
	is "${p%_*}'s version" "$(dpkg-deb -f "$f" Version 2>&1)" "$v"
done
is "podnet-dkms's sources are in /usr/src/podnet-$v" \
	"$(dpkg-deb -c "$DEB/podnet-dkms_${v}_all.deb" | grep -o '\./usr/src/[^/]*/dkms\.conf$')" \
	"./usr/src/podnet-$v/dkms.conf"

is "the DaemonSet's images are podnet/podnet:$v" \
	"$(sed -n 's/^ *image: //p' "$PODNET_ROOT/deploy/daemonset.yaml" | sort -u)" "podnet/podnet:$v"
# Nothing else writes the version down, as "podnet-V", "podnet/V",
# "podnet:V" or "podnet (V)".
is "no other file writes it" "$(git -C "$PODNET_ROOT" grep -lE \
	"podnet([-/:]| \\()${v//./\\.}([^0-9]|\$)" -- ':!dkms.conf' ':!debian/changelog' \
	':!deploy/daemonset.yaml')" ""
done_testing
