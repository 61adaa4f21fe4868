#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [OUTDIR]: builds the guest-instruction-count benchmark's parts.
#   $PODNET_CACHE/tcg/insncount-<qemu version>.so  the QEMU TCG plugin
#       (insncount.c), loaded by the host's qemu-system-x86_64 with -plugin;
#   OUTDIR/marker, OUTDIR/udpwin, OUTDIR/tcpwin  static guest programs
#       (marker.c, udpwin.c, tcpwin.c),
#       OUTDIR defaults to build/bench (the guest sees the tree, not /var/tmp).
# Prints the plugin's path on its last line.  The plugin is built against
# include/qemu/qemu-plugin.h of Debian's qemu source package, the version
# of the installed qemu-system-x86 (its plugin API version must match:
# qemu refuses a plugin built for another one); the header is fetched once
# (apt-get source --download-only, a deb-src entry is added for it) and
# cached with the plugin under $PODNET_CACHE (default /var/tmp/podnet-vm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:-$top/build/bench}
cache=${PODNET_CACHE:-/var/tmp/podnet-vm}/tcg
SRC=/etc/apt/sources.list.d/podnet-deb-src.sources
log() { echo "tcg/build.sh: $*" >&2; }

qver=$(dpkg-query -W -f='${Version}' qemu-system-x86)
# The source version: the binary's without a binNMU suffix (+bN).
sver=${qver%+b[0-9]*}
hdir=$cache/qemu-${sver#*:}
hdr=$hdir/qemu-plugin.h
mkdir -p "$cache" "$out"
if [ ! -s "$hdr" ]; then
	if ! apt-get source --download-only --print-uris "qemu=$sver" >/dev/null 2>&1; then
		if [ ! -f "$SRC" ]; then
			log "adding deb-src entries ($SRC) for Debian's qemu source package"
			cat >"$SRC" <<-'EOS'
			Types: deb-src
			URIs: http://deb.debian.org/debian
			Suites: bookworm bookworm-updates
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

			Types: deb-src
			URIs: http://deb.debian.org/debian-security
			Suites: bookworm-security
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
			EOS
		fi
		apt-get update -q >/dev/null
	fi
	dl=$(mktemp -d "$cache/src.XXXXXX")
	log "apt-get source --download-only qemu=$sver (about 23 MB, once)"
	(cd "$dl" && apt-get source -q --download-only "qemu=$sver" >/dev/null)
	orig=$(ls "$dl"/qemu_*.orig.tar.* | head -n 1)
	tar -C "$dl" -xaf "$orig" --wildcards '*/include/qemu/qemu-plugin.h'
	mkdir -p "$hdir"
	h=$(find "$dl" -path '*/include/qemu/qemu-plugin.h' | head -n 1)
	# Debian's patches to that header, if any, applied too.
	deb=$(ls "$dl"/qemu_*.debian.tar.* 2>/dev/null | head -n 1)
	if [ -n "$deb" ]; then
		tar -C "$dl" -xaf "$deb" debian/patches 2>/dev/null || true
		if [ -f "$dl/debian/patches/series" ]; then
			while read -r p _; do
				case $p in '#'* | '') continue ;; esac
				if grep -q '^+++ .*include/qemu/qemu-plugin.h' "$dl/debian/patches/$p"; then
					log "applying $p to qemu-plugin.h"
					(cd "$(dirname "$h")/../.." && patch -s -p1 \
						-i "$dl/debian/patches/$p" include/qemu/qemu-plugin.h)
				fi
			done <"$dl/debian/patches/series"
		fi
	fi
	cp "$h" "$hdr.tmp" && mv "$hdr.tmp" "$hdr"
	rm -rf "$dl"
fi

so=$cache/insncount-${qver#*:}.so
if [ ! -s "$so" ] || [ "$here/insncount.c" -nt "$so" ] || [ "$hdr" -nt "$so" ]; then
	gcc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$hdir" \
		-o "$so.tmp" "$here/insncount.c" -lpthread
	mv "$so.tmp" "$so"
fi
for p in marker udpwin tcpwin; do
	if [ ! -x "$out/$p" ] || [ "$here/$p.c" -nt "$out/$p" ] || [ "$here/win.h" -nt "$out/$p" ]; then
		gcc -O2 -Wall -Wextra -Werror -static -o "$out/$p.tmp" "$here/$p.c"
		mv "$out/$p.tmp" "$out/$p"
	fi
done
echo "$so"
