#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make -C userspace install / uninstall: every file where it belongs, the
# ip plugin where the installed ip(8) looks for it (asked of the binary),
# uninstall removing exactly what install put there; and ip(8) itself,
# without IP_LIB_DIR, loading the plugin from there.  Needs no podnet
# device: runs once, on the host (make check).
. "$PODNET_ROOT/selftests/lib.sh"

U=$PODNET_ROOT/userspace
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
eval "$(make -s -C "$U" print-dirs)"

ok "make install DESTDIR=..." make -s -C "$U" install DESTDIR="$D"
is "install puts these files, and only these" "$(cd "$D" && find . -type f | sort)" \
	"$(printf '.%s\n' "$CNI_BINDIR/podnet" "$IP_LIBDIR/link_podnet.so" "$SBINDIR/podnetctl" \
		"$SBINDIR/podnetd" "$MANDIR/man8/podnetctl.8" "$MANDIR/man8/podnetd.8" | sort)"
like "the ip plugin goes where ip(8) loads plugins from" "$IP_LIBDIR" \
	"^$(strings "$(command -v ip)" | grep -m1 -xE '/usr/(local/)?lib[^ ]*/ip')\$"
is "the binaries are executable, the rest not" \
	"$(cd "$D" && find . -type f -perm -u+x | sort | tr '\n' ' ')" \
	"$(printf '.%s ' "$CNI_BINDIR/podnet" "$SBINDIR/podnetctl" "$SBINDIR/podnetd")"
ok "make uninstall DESTDIR=..." make -s -C "$U" uninstall DESTDIR="$D"
is "uninstall removes every file install put there" "$(find "$D" -type f | wc -l)" 0

# ip(8) as installed, no IP_LIB_DIR: only where no plugin is installed
# already, and removed again.
so=$IP_LIBDIR/link_podnet.so
if [ -e "$so" ]; then
	diag "$so exists already: the real-path check would overwrite it, so it tests that one"
	placed=
else
	install -D -m 0644 "$U/ip/link_podnet.so" "$so" && placed=1
fi
out=$(env -u IP_LIB_DIR ip link add pnix0 type podnet vni 99999999 2>&1)
[ -n "$placed" ] && rm -f "$so"
is "ip(8) loads link_podnet.so from $IP_LIBDIR without IP_LIB_DIR" "$out" \
	'Error: argument "99999999" is wrong: invalid vni'
done_testing
