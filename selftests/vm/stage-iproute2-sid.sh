#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage-iproute2-sid.sh: copies Debian sid's ip(8) out of the 7.2 kernel's
# chroot into build/iproute2-sid, with exactly the shared libraries it loads
# (ldd in the chroot) and sid's dynamic loader, so that a guest, which sees
# the source tree but not $PODNET_CACHE, can run a newer iproute2 than the
# host's:
#
#   build/iproute2-sid/ld-linux-x86-64.so.2 \
#           --library-path build/iproute2-sid/lib build/iproute2-sid/ip
#
# VERSION holds the Debian package version.  Provisions the chroot and its
# iproute2 first when they are missing.  run.sh calls this before each boot,
# under the VM lock, so no guest is reading the old copy.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/selftests/vm
dst=$top/build/iproute2-sid
tmp=$dst.tmp

"$vm/provision.sh" kernels 7.2
read -r _ _ _ sid _ < <("$vm/provision.sh" info 7.2)
in_sid() { chroot "$sid" "$@"; }
# cp_out PATH DEST: the file PATH names in the chroot, symlinks resolved there.
cp_out() { cp "$sid$(in_sid readlink -f "$1")" "$2"; }

rm -rf "$tmp"
mkdir -p "$tmp/lib"
deps=$(in_sid ldd /usr/bin/ip)
if grep -q 'not found' <<<"$deps"; then
	echo "stage-iproute2-sid: sid's ip misses libraries:" >&2
	echo "$deps" >&2
	exit 1
fi
cp_out /usr/bin/ip "$tmp/ip"
while read -r l; do
	cp_out "$l" "$tmp/lib/${l##*/}"
done < <(sed -n 's|.* => \(/[^ ]*\) (0x.*|\1|p' <<<"$deps")
ldso=$(sed -n 's|^[[:space:]]*\(/[^ ]*/ld-linux[^ ]*\) (0x.*|\1|p' <<<"$deps")
cp_out "$ldso" "$tmp/ld-linux-x86-64.so.2"
in_sid dpkg-query -W -f='${Version}\n' iproute2 >"$tmp/VERSION"

# It must run here, on the host's kernel, without the chroot.
upstream=$(cut -d- -f1 "$tmp/VERSION")
v=$("$tmp/ld-linux-x86-64.so.2" --library-path "$tmp/lib" "$tmp/ip" -V 2>&1)
if ! grep -q "iproute2-$upstream" <<<"$v"; then
	echo "stage-iproute2-sid: the staged ip does not run: $v" >&2
	exit 1
fi
# A copy that is already current stays, so nothing changes under a reader.
if diff -r "$tmp" "$dst" >/dev/null 2>&1; then
	rm -rf "$tmp"
else
	rm -rf "$dst"
	mv "$tmp" "$dst"
fi
echo "staged Debian sid's iproute2 $(cat "$dst/VERSION") in ${dst#"$top"/}"
