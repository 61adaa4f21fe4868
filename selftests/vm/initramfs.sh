#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh MODROOT VER OUT: builds a minimal initramfs for kernel VER
# whose modules live in MODROOT (/lib/modules/VER, or the sid chroot's):
# busybox-static, the modules 9p over virtio and overlayfs need (in load
# order, decompressed for busybox insmod), and selftests/vm/init.
set -euo pipefail

modroot=$1 ver=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
base=${modroot%/lib/modules/$ver}
[ "$base" = "$modroot" ] && { echo "initramfs: $modroot is not */lib/modules/$ver" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mnt,newroot,lib/modules}
cp /bin/busybox "$work/bin/busybox"
for c in sh mount umount mkdir insmod switch_root sleep cat echo poweroff; do
	ln -s busybox "$work/bin/$c"
done
cp "$here/init" "$work/init"
chmod +x "$work/init"

# Built-in modules need no insmod; modprobe -D prints "builtin ..." for them.
i=0
: >"$work/modlist"
modprobe -d "${base:-/}" -S "$ver" -a -D virtio_pci 9pnet_virtio 9p overlay 2>/dev/null |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r path; do
		i=$((i + 1))
		name=$(printf '%02d-%s' "$i" "$(basename "${path%%.ko*}").ko")
		# modprobe -d prints paths with the base dir on some kmod versions.
		case $path in "$base"/*) ;; *) path=$base$path ;; esac
		case $path in
		*.xz) xz -dc "$path" >"$work/lib/modules/$name" ;;
		*.zst) zstd -qdc "$path" >"$work/lib/modules/$name" ;;
		*.gz) gzip -dc "$path" >"$work/lib/modules/$name" ;;
		*) cp "$path" "$work/lib/modules/$name" ;;
		esac
		echo "$name" >>"$work/modlist"
	done
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
