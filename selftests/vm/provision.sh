#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what podnet's build, lint and VM suite need on a Debian 12 host,
# and provisions the kernel matrix.  Idempotent: every step checks first.
#
#   provision.sh host            build + lint + test packages
#   provision.sh kernels [K...]  kernels of the matrix (6.1 6.12 7.2 debug)
#   provision.sh kdir K          print the build dir (KDIR) of kernel K
#   provision.sh info K          print "ver vmlinuz modroot chroot kdir" of K
#                                (chroot is "-" for kernels built on the host)
#
# 6.1 and 6.12 are installed on the host with apt (images + headers).  7.2
# lives in a Debian sid chroot under $PODNET_CACHE, where its module is built.
# "debug" is Debian's linux-source-6.12 built here as a small kernel with
# KASAN, lockdep, kmemleak, UBSAN and friends (selftests/vm/debug.config).
set -euo pipefail

CACHE=${PODNET_CACHE:-/var/tmp/podnet-vm}
SID=$CACHE/sid
DBG=$CACHE/debug-6.12
DBGCONF=$(cd "$(dirname "$0")" && pwd)/debug.config
BPO=/etc/apt/sources.list.d/podnet-backports.sources
MIRROR=${PODNET_MIRROR:-http://deb.debian.org/debian}

log() { echo "provision: $*" >&2; }

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	apt-get update -q >/dev/null
	apt_updated=1
}

# Installs each named package that is not yet installed.
need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "apt-get install ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
}

host() {
	need build-essential make gcc libc6-dev pkg-config kmod xz-utils cpio \
		libmnl-dev libjansson-dev libcmocka-dev iproute2 \
		libcurl4-openssl-dev libmicrohttpd-dev libyaml-dev libssl-dev curl \
		sparse python3 perl debootstrap dkms \
		qemu-system-x86 busybox-static iperf3 python3-scapy \
		python3-pyroute2 python3-yaml python3-jsonschema tcpdump iputils-ping ethtool \
		iptables strace runc \
		debhelper dh-dkms lintian man-db groff-base gnuplot-nox \
		clang libclang-rt-14-dev \
		linux-source-6.12
	# checkpatch.pl and the YNL CLI come out of the linux-source tarball.
	local src=$CACHE/linux-source-6.12
	if [ ! -x "$src/scripts/checkpatch.pl" ]; then
		log "unpacking linux-source-6.12 (scripts, tools/net/ynl)"
		mkdir -p "$src"
		tar -C "$src" --strip-components=1 -xaf \
			/usr/src/linux-source-6.12.tar.xz \
			--wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' \
			'*/tools/net/ynl' '*/Documentation/netlink'
	fi
}

backports() {
	[ -f "$BPO" ] && return
	log "enabling bookworm-backports"
	cat >"$BPO" <<'EOS'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	apt_updated=
}

# Concrete package behind a meta package in a suite, e.g.
# linux-image-amd64 in bookworm-backports -> linux-image-6.12.x+bpo-amd64.
concrete() {
	apt_update
	apt-cache show "$1/$2" 2>/dev/null |
		sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -n1
}

suite_of() {
	case $1 in
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	*) echo "unknown kernel '$1' (matrix: 6.1 6.12 7.2 debug)" >&2; exit 2 ;;
	esac
}

# Version string of the kernel installed for matrix entry K.
installed_ver() {
	local k=$1 d
	if [ "$k" = 7.2 ]; then
		ls "$SID/lib/modules" 2>/dev/null | sort -V | tail -n1
		return
	fi
	if [ "$k" = debug ]; then
		[ -f "$DBG/.podnet-built" ] && cat "$DBG/include/config/kernel.release"
		return
	fi
	for d in /lib/modules/*/build; do
		[ -e "$d" ] || continue
		d=${d%/build}; d=${d##*/}
		case $d in "$k".*) echo "$d" ;; esac
	done | sort -V | tail -n1
}

kernel_host() {
	local k=$1 suite img hdr
	[ -n "$(installed_ver "$k")" ] && [ -e "/boot/vmlinuz-$(installed_ver "$k")" ] && return
	[ "$k" = 6.12 ] && backports
	suite=$(suite_of "$k")
	[ "$suite" = bookworm ] && suite=bookworm-security
	img=$(concrete linux-image-amd64 "$suite")
	hdr=$(concrete linux-headers-amd64 "$suite")
	if [ -z "$img" ] || [ -z "$hdr" ]; then
		log "cannot resolve kernel packages for $k in $suite"
		exit 1
	fi
	need "$img" "$hdr"
}

kernel_sid() {
	if [ -z "$(installed_ver 7.2)" ] || ! ls "$SID"/boot/vmlinuz-* >/dev/null 2>&1; then
		debootstrap_sid
	fi
	sid_packages iproute2 dkms
}

debootstrap_sid() {
	need debootstrap
	log "debootstrap sid into $SID (about a minute)"
	rm -rf "$SID"
	mkdir -p "$CACHE"
	debootstrap --variant=minbase \
		--include=gcc,make,libc6-dev,linux-headers-amd64,linux-image-amd64,bc,bison,flex,libelf-dev,xz-utils,kmod \
		sid "$SID" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CACHE/debootstrap.log" >&2
		exit 1
	}
}

# sid_packages PKG...: packages in the sid chroot besides the kernel's:
# iproute2, whose ip(8) 31-podnetctl-iplink.sh runs next to the host's
# (selftests/vm/stage-iproute2-sid.sh copies it out), and dkms, with which
# selftests/dkms.sh builds the module for 7.2.  debootstrap leaves
# package lists; when they are gone or stale, refresh them, accepting a
# mirror snapshot's expired Release file.
sid_packages() {
	local p missing=() aptget=(env DEBIAN_FRONTEND=noninteractive apt-get -q)
	for p in "$@"; do
		chroot "$SID" dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "sid chroot: apt-get install ${missing[*]}"
	set -- install -y --no-install-recommends "${missing[@]}"
	chroot "$SID" "${aptget[@]}" "$@" >>"$CACHE/sid-apt.log" 2>&1 || {
		chroot "$SID" "${aptget[@]}" -o Acquire::Check-Valid-Until=false update &&
			chroot "$SID" "${aptget[@]}" "$@"
	} >>"$CACHE/sid-apt.log" 2>&1 || {
		tail -n 20 "$CACHE/sid-apt.log" >&2
		exit 1
	}
	log "sid chroot: $(chroot "$SID" dpkg-query -W -f='${Package} ${Version} ' "${missing[@]}")"
}

# Builds the debug kernel when it is missing or debug.config changed.
kernel_debug() {
	local sum src=$CACHE/linux-source-6.12-full opt val
	sum=$(sha256sum "$DBGCONF" | cut -d' ' -f1)
	[ "$(cat "$DBG/.podnet-built" 2>/dev/null)" = "$sum" ] && return
	need bc bison flex libelf-dev libssl-dev cpio linux-source-6.12
	if [ ! -f "$src/Makefile" ]; then
		log "unpacking linux-source-6.12 for the debug kernel"
		rm -rf "$src"
		mkdir -p "$src"
		tar -C "$src" --strip-components=1 -xaf /usr/src/linux-source-6.12.tar.xz
	fi
	log "building the debug kernel in $DBG (about 6 minutes on 2 cores)"
	rm -rf "$DBG"
	mkdir -p "$DBG"
	{
		make -C "$src" O="$DBG" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$DBG" "$DBG/.config" "$DBGCONF" &&
		make -C "$src" O="$DBG" olddefconfig
	} >"$DBG/build.log" 2>&1 || { tail -n 30 "$DBG/build.log" >&2; exit 1; }
	# merge_config only warns about options it could not set.
	while IFS='=' read -r opt val; do
		case $opt in CONFIG_*) ;; *) continue ;; esac
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$DBG/.config" || continue
		else
			grep -qx "$opt=$val" "$DBG/.config" && continue
		fi
		log "debug kernel: $opt=$val did not stick (see $DBG/.config)"
		exit 1
	done <"$DBGCONF"
	make -C "$src" O="$DBG" -j"$(nproc)" bzImage modules >>"$DBG/build.log" 2>&1 &&
	make -C "$src" O="$DBG" INSTALL_MOD_PATH="$DBG/root" modules_install >>"$DBG/build.log" 2>&1 ||
		{ tail -n 30 "$DBG/build.log" >&2; exit 1; }
	echo "$sum" >"$DBG/.podnet-built"
}

kernels() {
	local k
	[ $# -eq 0 ] && set -- 6.1 6.12 7.2
	need kmod busybox-static qemu-system-x86
	for k in "$@"; do
		case $k in
		7.2) kernel_sid ;;
		debug) kernel_debug ;;
		*) kernel_host "$k" ;;
		esac
	done
}

# ver vmlinuz modroot chroot kdir  (chroot is "-" for host-built kernels;
# kdir is then a host path, else a path inside the chroot)
info() {
	local k=$1 v
	v=$(installed_ver "$k")
	[ -n "$v" ] || { echo "kernel $k is not provisioned" >&2; exit 1; }
	case $k in
	7.2) echo "$v $SID/boot/vmlinuz-$v $SID/lib/modules/$v $SID /lib/modules/$v/build" ;;
	debug) echo "$v $DBG/arch/x86/boot/bzImage $DBG/root/lib/modules/$v - $DBG" ;;
	*) echo "$v /boot/vmlinuz-$v /lib/modules/$v - /lib/modules/$v/build" ;;
	esac
}

case ${1:-} in
host) host ;;
kernels) shift; kernels "$@" ;;
kdir) set -- $(info "$2"); [ "$4" = - ] && echo "$5" || echo "$4$5" ;;
info) info "$2" ;;
*) sed -n '5,12p' "$0" >&2; exit 2 ;;
esac
