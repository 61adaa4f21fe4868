#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: podnet-dkms and podnet-tools built by dpkg-buildpackage, each
# holding what it should and nothing else, lintian clean (--pedantic; every
# override in debian/ has its reason), and podnet-dkms's sources building
# through DKMS as its postinst does.  The build is cached by content
# (deb-cache.sh).  Needs no podnet device: runs once, on the host.
. "$PODNET_ROOT/selftests/lib.sh"
. "$PODNET_ROOT/selftests/host/deb-cache.sh"

v=$(make -s -C "$PODNET_ROOT" version)
if deb_cached; then
	ok "make deb (cached by content in $PODNET_DEB_CACHE)" true
else
	_tap_result not-ok "make deb" "$(tail -n 30 "$DEB_LOG")"
fi
is "it built the source and binary packages into DEB_OUT" "$(cd "$DEB" && ls ./*.deb ./*.dsc | sort)" \
	"$(printf './%s\n' "podnet-dkms_${v}_all.deb" "podnet-tools-dbgsym_${v}_amd64.deb" \
		"podnet-tools_${v}_amd64.deb" "podnet_${v}.dsc")"
dkms_deb=$DEB/podnet-dkms_${v}_all.deb tools_deb=$DEB/podnet-tools_${v}_amd64.deb

# contents DEB: its files and links, links with their targets.
contents() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 ($7 ? " " $7 " " $8 : "") }' | sort; }
src=/usr/src/podnet-$v
is "podnet-dkms: the module's sources in $src, and its docs" "$(contents "$dkms_deb")" \
	"$( (cd "$PODNET_ROOT" && git ls-files Kbuild dkms.conf include kmod | sed "s|^|$src/|"
		printf '%s\n' /usr/share/doc/podnet-dkms/changelog.gz /usr/share/doc/podnet-dkms/copyright) |
		sort)"
is "podnet-dkms: Architecture all, Section kernel, depends on dkms" \
	"$(dpkg-deb -f "$dkms_deb" Architecture Section Depends | tr '\n' ' ')" \
	"Architecture: all Section: kernel Depends: dkms (>= 2.1.0.0) "
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
dpkg-deb -e "$dkms_deb" "$T/ctl"
like "podnet-dkms: its postinst adds, builds and installs podnet/$v with DKMS" \
	"$(tr '\n' ' ' <"$T/ctl/postinst")" 'in /usr/lib/dkms/common.postinst .*\$DKMS_POSTINST \$DKMS_NAME \$DKMS_VERSION '
is "podnet-dkms: ... for podnet/$v" "$(grep -E '^DKMS_(NAME|VERSION)=' "$T/ctl/postinst" | tr '\n' ' ')" \
	"DKMS_NAME=podnet DKMS_VERSION=$v "
like "podnet-dkms: its prerm removes it from DKMS" "$(cat "$T/ctl/prerm")" \
	'dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all'

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
is "podnet-tools: the programs, the ip plugin, the CNI plugin (and its link), the man pages" \
	"$(contents "$tools_deb")" "$(printf '%s\n' /usr/sbin/podnetctl /usr/sbin/podnetd \
		"/usr/lib/$ma/ip/link_podnet.so" /usr/lib/cni/podnet \
		'/opt/cni/bin/podnet -> /usr/lib/cni/podnet' /usr/share/man/man8/podnet.8.gz \
		/usr/share/man/man8/podnetctl.8.gz /usr/share/man/man8/podnetd.8.gz \
		/usr/share/doc/podnet-tools/changelog.gz /usr/share/doc/podnet-tools/copyright \
		/usr/share/lintian/overrides/podnet-tools | sort)"
eval "$(make -s -C "$PODNET_ROOT/userspace" print-dirs)"
is "podnet-tools: the ip plugin is where this host's ip(8) looks" "/usr/lib/$ma/ip" "$IP_LIBDIR"
like "podnet-tools: its libraries are dependencies" "$(dpkg-deb -f "$tools_deb" Depends)" \
	'libc6 .*libcurl4 .*libjansson4 .*libmicrohttpd12 .*libmnl0 .*libssl3 .*libyaml-0-2'
dpkg-deb -x "$tools_deb" "$T/tools"
is "podnet-tools: its podnetctl is version $v" "$("$T/tools/usr/sbin/podnetctl" -V | cut -d' ' -f2)" "$v"
for f in usr/sbin/podnetctl usr/sbin/podnetd usr/lib/cni/podnet "usr/lib/$ma/ip/link_podnet.so"; do
	is "podnet-tools: $f is hardened (fortified, full RELRO, PIE)" \
		"$(nm -D "$T/tools/$f" | grep -qE '__[a-z_]+_chk' && echo fortify)$(readelf -d "$T/tools/$f" |
			grep -q 'FLAGS.*NOW' && echo ' now')$(readelf -h "$T/tools/$f" | grep -q DYN && echo ' pie')" \
		"fortify now pie"
done

# lintian at every level, overrides aside: nothing to say.
out=$(lintian --display-info --pedantic "$DEB/podnet_${v}_amd64.changes" 2>&1 |
	grep -v '^running with root privileges')
is "lintian --pedantic on the source and binary packages: no tag" "$out" ""
# Each override comes after a comment giving its reason.
is "every lintian override has its reason" "$(cd "$PODNET_ROOT/debian" &&
	awk 'FNR == 1 { c = 0 } /^#/ { c = 1; next } /^$/ { c = 0; next }
		!c { print FILENAME ": " $0 }' ./*lintian-overrides source/lintian-overrides 2>/dev/null)" ""

# What the postinst does: dkms builds the package's sources (private trees).
read -r kver _ < <("$PODNET_ROOT/selftests/vm/provision.sh" info "${PODNET_INSTALL_KERNEL:-6.12}")
dpkg-deb -x "$dkms_deb" "$T/dkms"
mkdir -p "$T/dkmstree"
ok "podnet-dkms's sources build with dkms for $kver" dkms build -m podnet -v "$v" -k "$kver" \
	--sourcetree "$T/dkms/usr/src" --dkmstree "$T/dkmstree"
ko=$(find "$T/dkmstree/podnet/$v/$kver" -name 'podnet.ko*' | head -n1)
is "... into podnet.ko of version $v" "$(modinfo -F version "$ko" 2>&1)" "$v"
done_testing
