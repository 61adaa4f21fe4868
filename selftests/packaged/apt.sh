#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apt.sh K install|purge: the packages installed as the issue's "done
# when" says, on a Debian 12 system with matrix kernel K (6.1 or 6.12)
# and its headers: `apt install ./podnet-dkms_*.deb ./podnet-tools_*.deb`
# takes it from nothing to the module built by DKMS and installed with
# the tools (install), and `apt purge` back (purge); selftests/packaged/
# run.sh boots the system in between.  The system is a bookworm chroot
# (debootstrap minbase, the host's apt sources, K's kernel image and
# headers, gcc, make and iproute2), cached under $PODNET_CACHE/bookworm-K;
# apt runs in it in a mount namespace of its own with /proc mounted.
# Prints TAP and "apt: N passed, N failed".
set -uo pipefail
k=${1:-} phase=${2:-}
case $phase in install | purge) ;; *) echo "usage: apt.sh 6.1|6.12 install|purge" >&2; exit 2 ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
PODNET_ROOT=$top
. "$top/selftests/host/deb-cache.sh"
cache=${PODNET_CACHE:-/var/tmp/podnet-vm}
root=$cache/bookworm-$k
out=$top/build/packaged/apt
v=$(make -s -C "$top" version)
read -r kver _ < <("$top/selftests/vm/provision.sh" info "$k") || exit 1
pkgs="linux-image-$kver linux-headers-$kver gcc make libc6-dev iproute2"
. "$top/selftests/tap-res.sh"
res_init apt 25
finish() { echo "apt: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }
# in_root CMD...: CMD in the chroot, /proc mounted for it alone.
in_root() {
	unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && exec chroot "$@"' \
		sh "$root" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

installed() { in_root dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort; }
if [ ! -f "$root/.podnet-ready" ]; then
	echo "# apt: debootstrap bookworm into $root (a few minutes, once)"
	rm -rf "$root"
	mkdir -p "$root"
	if ! debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
		>"$cache/bookworm-$k.log" 2>&1; then
		res not-ok "debootstrap bookworm" "$(tail -n 20 "$cache/bookworm-$k.log")"
		finish
	fi
	cp /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/podnet-backports.sources \
		"$root/etc/apt/sources.list.d/" 2>/dev/null
	rm -f "$root/etc/apt/sources.list"
	echo >"$root/.podnet-ready"
fi
# The system's packages (.podnet-ready names them) are installed once,
# and again when the list changes; .podnet-base is what the system then
# holds.
if [ "$(cat "$root/.podnet-ready")" != "$pkgs" ]; then
	echo "# apt: $pkgs into $root (a few minutes, once)"
	gone=podnet-tools\ podnet-dkms
	[ -f "$root/.podnet-base" ] && gone+=" $(comm -13 "$root/.podnet-base" <(installed) | tr '\n' ' ')"
	# shellcheck disable=SC2086
	in_root apt-get purge -y -q $gone >/dev/null 2>&1
	# shellcheck disable=SC2086
	if ! { in_root apt-get -q update && in_root apt-get install -y -q --no-install-recommends \
		$pkgs; } >>"$cache/bookworm-$k.log" 2>&1; then
		res not-ok "$pkgs in the chroot" "$(tail -n 20 "$cache/bookworm-$k.log")"
		finish
	fi
	installed >"$root/.podnet-base"
	echo "$pkgs" >"$root/.podnet-ready"
fi
before=$(cat "$root/.podnet-base")

if [ "$phase" = purge ]; then
	if o=$(in_root apt-get purge -y -q --autoremove podnet-tools podnet-dkms 2>&1); then
		res ok "apt purge --autoremove podnet-tools podnet-dkms"
	else
		res not-ok "apt purge --autoremove podnet-tools podnet-dkms" "$o"
	fi
	left=$(ls -d "$root/usr/src/podnet-$v" "$root/var/lib/dkms/podnet" \
		"$root/lib/modules/$kver/updates/dkms/"podnet.ko* "$root/opt/cni/bin/podnet" 2>/dev/null)
	[ -z "$left" ] && res ok "nothing of podnet is left (sources, DKMS tree, module, plugin)" ||
		res not-ok "nothing of podnet is left (sources, DKMS tree, module, plugin)" "$left"
	# What dkms pulled in, apt may keep (perl, dpkg-dev: other packages
	# suggest them); podnet's own packages are gone, nothing was removed.
	after=$(installed)
	[ -z "$(comm -23 <(echo "$before") <(echo "$after"))" ] && ! grep -q '^podnet-' <<<"$after" &&
		res ok "podnet-dkms and podnet-tools are gone, every package of before is there" ||
		res not-ok "podnet-dkms and podnet-tools are gone, every package of before is there" \
			"$(diff <(echo "$before") <(echo "$after"))"
	kept=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
	[ -z "$kept" ] || echo "# apt: kept after autoremove (dkms's dependencies; the next run purges them): $kept"
	rm -rf "$root/tmp/podnet"
	finish
fi

# install: every run starts from the system as it was made; what an
# earlier run left (apt keeps some of dkms's dependencies) goes first.
extra=$(comm -13 <(echo "$before") <(installed) | tr '\n' ' ')
# shellcheck disable=SC2086
[ -z "$extra" ] || in_root apt-get purge -y -q $extra >/dev/null 2>&1
deb_cached || { res not-ok "make deb" "$(tail -n 20 "$DEB_LOG")"; finish; }
now=$(installed)
[ "$now" = "$before" ] && res ok "the system is as debootstrap, the kernel and its headers made it" ||
	res not-ok "the system is as debootstrap, the kernel and its headers made it" \
		"$(diff <(echo "$before") <(echo "$now"))"
rm -rf "$root/tmp/podnet" "$out"
mkdir -p "$root/tmp/podnet" "$out"
cp "$DEB/podnet-dkms_${v}_all.deb" "$DEB/podnet-tools_${v}_amd64.deb" "$root/tmp/podnet/"
if o=$(in_root apt-get install -y -q --no-install-recommends \
	"/tmp/podnet/podnet-dkms_${v}_all.deb" "/tmp/podnet/podnet-tools_${v}_amd64.deb" 2>&1); then
	res ok "apt install ./podnet-dkms_${v}_all.deb ./podnet-tools_${v}_amd64.deb"
else
	res not-ok "apt install ./podnet-dkms_${v}_all.deb ./podnet-tools_${v}_amd64.deb" "$o"
fi
printf '%s\n' "$o" >"$out/apt-install.log"
st=$(in_root dkms status podnet 2>/dev/null)
if [[ $st == "podnet/$v, $kver, "*": installed" ]]; then
	res ok "dkms built and installed podnet/$v for $kver"
else
	res not-ok "dkms built and installed podnet/$v for $kver" "$st"
fi
ko=$(ls "$root/lib/modules/$kver/updates/dkms/"podnet.ko* 2>/dev/null | head -n1)
if [ -n "$ko" ]; then
	res ok "the module is in /lib/modules/$kver/updates/dkms (${ko##*/})"
	[ "$(modinfo -F version "$ko")" = "$v" ] && res ok "... of version $v" ||
		res not-ok "... of version $v" "$(modinfo "$ko" 2>&1)"
else
	res not-ok "the module is in /lib/modules/$kver/updates/dkms" "$(cat "$out/apt-install.log")"
fi
al=$(grep podnet "$root/lib/modules/$kver/modules.alias" 2>/dev/null | sort | tr '\n' ' ')
[ "$al" = "alias net-pf-16-proto-16-family-podnet podnet alias rtnl-link-podnet podnet " ] &&
	res ok "depmod ran: modules.alias has the link type's and the genl family's aliases" ||
	res not-ok "depmod ran: modules.alias has the link type's and the genl family's aliases" "$al"
o=$(in_root podnetctl -V 2>&1)
[[ $o == "podnetctl $v "* ]] && res ok "podnetctl -V: $o" || res not-ok "podnetctl -V" "$o"
ipdir=$(strings "$root/usr/bin/ip" 2>/dev/null | grep -m1 -xE '/usr/(local/)?lib[^ ]*/ip')
[ -f "$root$ipdir/link_podnet.so" ] && res ok "the ip plugin is where the system's ip(8) looks: $ipdir" ||
	res not-ok "the ip plugin is where the system's ip(8) looks: ${ipdir:-(no ip(8)?)}"
o=$(in_root /opt/cni/bin/podnet --version 2>&1)
[ "${o%%,*}" = "podnet CNI plugin $v" ] && res ok "/opt/cni/bin/podnet --version: $o" ||
	res not-ok "/opt/cni/bin/podnet --version" "$o"
[ -n "$(in_root man -w podnet 2>/dev/null)$(ls "$root/usr/share/man/man8/podnet.8.gz" 2>/dev/null)" ] &&
	res ok "man 8 podnet is installed" || res not-ok "man 8 podnet is installed"

finish
