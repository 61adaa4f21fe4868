#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the guest, after selftests/packaged/run.sh: the files of podnet-tools
# (in build/packaged/root) and the module that `apt install` of
# podnet-dkms had DKMS build and install (apt.sh), in
# /lib/modules/VER/updates/dkms, as a node has them.
# `ip link add … type podnet …`, with no IP_LIB_DIR, loads the packaged ip
# plugin from where Debian's ip(8) looks and autoloads the module; so does
# a podnetctl request, through the genl family's alias.
. "$PODNET_ROOT/selftests/lib.sh"

P=$PODNET_ROOT/build/packaged/root
ma=$(ls "$P/usr/lib" | grep -- '-linux-gnu$')
ipdir=/usr/lib/$ma/ip
v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$PODNET_ROOT/dkms.conf")
# The root is the host's, read-only: the package's ip plugin goes over
# ip(8)'s plugin directory, on a tmpfs (whatever the host has there is
# hidden).
mount -t tmpfs pnip "$ipdir" && cp "$P$ipdir/link_podnet.so" "$ipdir/"
ctl=$P/usr/sbin/podnetctl

is "the module is not loaded yet" "$(pn_loaded && echo loaded)" ""
is "modprobe finds DKMS's module" "$(modinfo -n podnet)" \
	"/lib/modules/$PODNET_KVER/updates/dkms/podnet.ko"
is "... of version $v" "$(modinfo -F version podnet)" "$v"
is "... a release build (no module parameters)" "$(modinfo -F parm podnet)" ""
# README's node example, on an eth0 of a node's own (a netns: the guest's
# NIC, if any, is left alone).
pn_netns_add pnpkg
ok "the node's eth0 (a dummy device)" in_ns pnpkg ip link add eth0 type dummy
ok "ip link add podnet0 type podnet vni 1 port 8472 dev eth0 (no IP_LIB_DIR)" \
	in_ns pnpkg env -u IP_LIB_DIR ip link add podnet0 type podnet vni 1 port 8472 dev eth0
is "it autoloaded the module" "$(pn_loaded && echo loaded)" loaded
like "the packaged plugin parsed the options: podnetctl shows vni 1, port 8472, dev eth0" \
	"$(in_ns pnpkg "$ctl" show dev podnet0 2>&1)" 'vni 1 port 8472.* dev eth0'
like "... and ip -d link shows them, through the plugin" \
	"$(in_ns pnpkg env -u IP_LIB_DIR ip -d link show podnet0)" 'podnet .*vni 1'
ok "the device goes" in_ns pnpkg ip link del podnet0
pn_cleanup
ok "the module unloads" modprobe -r podnet
is "the module is not loaded" "$(pn_loaded && echo loaded)" ""
ok "podnetctl show (a genl request, no device)" "$ctl" show
is "it autoloaded the module" "$(pn_loaded && echo loaded)" loaded
like "podnetctl -V: the package's version" "$("$ctl" -V)" "^podnetctl ${v//./\\.} "
ok "the module unloads again" modprobe -r podnet
umount "$ipdir"
done_testing
