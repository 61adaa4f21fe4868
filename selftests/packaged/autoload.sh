#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the guest of selftests/packaged/run.sh: the Debian 12 system that
# `apt install ./podnet-dkms_*.deb ./podnet-tools_*.deb` made (apt.sh),
# booted with its own kernel and modules.  `ip link add … type podnet …`,
# with no IP_LIB_DIR, loads the installed ip plugin from where the
# system's ip(8) looks and autoloads DKMS's module; so does a podnetctl
# request, through the genl family's alias.
. "$PODNET_ROOT/selftests/lib.sh"
# The system's own PATH: none of the tree's programs.
PATH=/usr/sbin:/usr/bin:/sbin:/bin

v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$PODNET_ROOT/dkms.conf")
st() { dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$1" 2>&1; }
is "the root is the installed system: podnet-dkms $v installed" "$(st podnet-dkms)" "ii $v"
is "... and podnet-tools $v" "$(st podnet-tools)" "ii $v"
is "the kernel is the system's own: linux-image-$(uname -r) installed" \
	"$(st "linux-image-$(uname -r)" | cut -c1-3)" "ii "
is "the module is not loaded yet" "$(pn_loaded && echo loaded)" ""
ko=$(modinfo -n podnet)
is "modprobe finds DKMS's module in /lib/modules/$PODNET_KVER/updates/dkms" "${ko%/*}" \
	"/lib/modules/$PODNET_KVER/updates/dkms"
like "... as podnet.ko, compressed or not" "${ko##*/}" '^podnet\.ko(\.xz|\.zst)?$'
is "... of version $v" "$(modinfo -F version podnet)" "$v"
is "... a release build (no module parameters)" "$(modinfo -F parm podnet)" ""
is "podnetctl is the package's" "$(command -v podnetctl)" /usr/sbin/podnetctl
# README's node example, on an eth0 of a node's own (a netns: the guest's
# NIC, if any, is left alone).
pn_netns_add pnpkg
ok "the node's eth0 (a dummy device)" in_ns pnpkg ip link add eth0 type dummy
ok "ip link add podnet0 type podnet vni 1 port 8472 dev eth0 (no IP_LIB_DIR)" \
	in_ns pnpkg env -u IP_LIB_DIR ip link add podnet0 type podnet vni 1 port 8472 dev eth0
is "it autoloaded the module" "$(pn_loaded && echo loaded)" loaded
like "the installed plugin parsed the options: podnetctl shows vni 1, port 8472, dev eth0" \
	"$(in_ns pnpkg podnetctl show dev podnet0 2>&1)" 'vni 1 port 8472.* dev eth0'
like "... and ip -d link shows them, through the plugin" \
	"$(in_ns pnpkg env -u IP_LIB_DIR ip -d link show podnet0)" 'podnet .*vni 1'
ok "the device goes" in_ns pnpkg ip link del podnet0
pn_cleanup
ok "the module unloads" modprobe -r podnet
is "the module is not loaded" "$(pn_loaded && echo loaded)" ""
ok "podnetctl show (a genl request, no device)" podnetctl show
is "it autoloaded the module" "$(pn_loaded && echo loaded)" loaded
like "podnetctl -V: the package's version" "$(podnetctl -V)" "^podnetctl ${v//./\\.} "
ok "the module unloads again" modprobe -r podnet
done_testing
