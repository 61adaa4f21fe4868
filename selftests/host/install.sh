#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall, top-level and userspace's: every file where it
# belongs (the module under /lib/modules/KVER/extra for a matrix kernel,
# KVER=, since the host's own kernel has no headers; the ip plugin where
# the installed ip(8) looks for it, asked of the binary), PREFIX and
# DESTDIR honoured, depmod run on INSTALL_MOD_PATH's tree (and not with
# DESTDIR), uninstall removing exactly what install put there; and ip(8)
# itself, without IP_LIB_DIR, loading the plugin from there.  Needs no
# podnet device: runs once, on the host (make check).
. "$PODNET_ROOT/selftests/lib.sh"

U=$PODNET_ROOT/userspace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
eval "$(make -s -C "$U" print-dirs)"
read -r kver _ < <("$PODNET_ROOT/selftests/vm/provision.sh" info "${PODNET_INSTALL_KERNEL:-6.12}")
version=$(make -s -C "$PODNET_ROOT" version)

# files DIR: the files (and links) under DIR, as paths from its root.
files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's/^\.//' | sort); }
user_files() {	# PREFIX: what userspace's install puts there
	printf '%s\n' "$CNI_BINDIR/podnet" "$IP_LIBDIR/link_podnet.so" "$1/sbin/podnetctl" \
		"$1/sbin/podnetd" "$1/share/man/man8/podnet.8" "$1/share/man/man8/podnetctl.8" \
		"$1/share/man/man8/podnetd.8"
}

D=$T/u
ok "make -C userspace install DESTDIR=..." make -s -C "$U" install DESTDIR="$D"
is "it puts these files, and only these" "$(files "$D")" "$(user_files /usr | sort)"
like "the ip plugin goes where ip(8) loads plugins from" "$IP_LIBDIR" \
	"^$(strings "$(command -v ip)" | grep -m1 -xE '/usr/(local/)?lib[^ ]*/ip')\$"
is "the binaries are executable, the rest not" \
	"$(cd "$D" && find . -type f -perm -u+x | sort | tr '\n' ' ')" \
	"$(printf '.%s ' "$CNI_BINDIR/podnet" "$SBINDIR/podnetctl" "$SBINDIR/podnetd")"
ok "make -C userspace uninstall DESTDIR=..." make -s -C "$U" uninstall DESTDIR="$D"
is "uninstall removes every file install put there" "$(files "$D")" ""

# The top-level make install, as a user runs it in a tree of their own: the
# tracked files, and userspace as built (so only the module is built here).
S=$T/src
mkdir -p "$S"
git -C "$PODNET_ROOT" ls-files -z | tar -C "$PODNET_ROOT" --null -T - -cf - | tar -C "$S" -xf -
cp -a "$U/." "$S/userspace/"
mod=/lib/modules/$kver/extra/podnet.ko
D=$T/top
ok "make install KVER=$kver PREFIX=/usr/local DESTDIR=..." \
	make -s -C "$S" install KVER="$kver" PREFIX=/usr/local DESTDIR="$D"
is "it puts the module and userspace's files under PREFIX, and only these" "$(files "$D")" \
	"$( (echo "$mod"; user_files /usr/local) | sort)"
is "the module is built for $kver" "$(modinfo -F vermagic "$D$mod" | cut -d' ' -f1)" "$kver"
is "the module's version is dkms.conf's" "$(modinfo -F version "$D$mod")" "$version"
ok "make uninstall KVER=$kver PREFIX=/usr/local DESTDIR=..." \
	make -s -C "$S" uninstall KVER="$kver" PREFIX=/usr/local DESTDIR="$D"
is "uninstall removes every file install put there" "$(files "$D")" ""

# INSTALL_MOD_PATH (kbuild's): the module tree of a root, which depmod
# indexes.  R holds what a kernel's tree has besides its modules.
R=$T/root
mkdir -p "$R/lib/modules/$kver"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "/lib/modules/$kver/$f" "$R/lib/modules/$kver/"
done
before=$(files "$R")
ok "make module-install INSTALL_MOD_PATH=... KVER=$kver" \
	make -s -C "$S" module-install KVER="$kver" INSTALL_MOD_PATH="$R"
idx=$R/lib/modules/$kver
is "depmod indexed it" "$(grep podnet "$idx/modules.dep")" "extra/podnet.ko:"
# What makes `ip link add ... type podnet` and a podnetctl request load it.
is "its aliases: the link type and the genl family" "$(grep podnet "$idx/modules.alias" | sort)" \
	"$(printf '%s\n' 'alias net-pf-16-proto-16-family-podnet podnet' 'alias rtnl-link-podnet podnet')"
ok "make module-uninstall INSTALL_MOD_PATH=... KVER=$kver" \
	make -s -C "$S" module-uninstall KVER="$kver" INSTALL_MOD_PATH="$R"
is "the module is gone" "$(files "$R" | grep podnet)" ""
is "depmod's index forgot it" "$(grep -l podnet "$idx/modules.alias" "$idx/modules.dep")" ""
is "besides depmod's index files, the tree is as before" \
	"$(files "$R" | grep -vE '/modules\.[a-z.]+$')" "$(grep -vE '/modules\.[a-z.]+$' <<<"$before")"

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
