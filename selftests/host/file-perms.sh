#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14, lane 5, userspace: podnetd and the CNI plugin refuse config,
# credential and state files that others could have written, and follow
# no symlink out of a file's directory (lib/file.c), with exit status and
# message exact; a Kubernetes projected service account (token ->
# ..data/token -> ..TIMESTAMP/token, a sticky world-writable root) is
# accepted.  Needs no podnet device and no API server: what podnetd reads
# first is refused before it connects anywhere, and the CNI plugin's lock
# and IPAM checks come before its netlink work.  Runs on the host (make
# check): PODNET_ROOT=$PWD PODNET_BIN=$PWD/userspace bash selftests/host/file-perms.sh
. "$PODNET_ROOT/selftests/lib.sh"

T=$(mktemp -d)
NS=pnfp
pn_netns_add $NS || { echo "Bail out! cannot create a namespace"; exit 1; }
trap 'rm -rf "$T"; pn_cleanup' EXIT
ns_exec() { nsenter --net="/run/netns/$NS" "$@"; }
PODNETD=$PODNET_BIN/podnetd

# podnetd_err ARGS...: "rc N" and its last line on stderr.
podnetd_err() {
	local out rc
	out=$(env -u KUBERNETES_SERVICE_HOST "$PODNETD" --node-name n1 --listen '' \
		--cni-conf-dir '' --sync-file '' "$@" 2>&1 </dev/null)
	rc=$?
	echo "rc $rc $(tail -n1 <<<"$out")"
}
kc() {	# FILE USER-FIELD [CLUSTER-FIELD]
	cat >"$1" <<-EOF
	current-context: t
	contexts: [{name: t, context: {cluster: t, user: t}}]
	clusters: [{name: t, cluster: {server: "https://127.0.0.1:1", ${3:-certificate-authority-data: LS0tLS1CRUdJTg==}}}]
	users: [{name: t, user: {$2}}]
	EOF
	chmod 0644 "$1"
}

mkdir -m 0755 "$T/etc"
kc "$T/etc/kubeconfig" "tokenFile: token"
echo tok >"$T/etc/token"
chmod 0666 "$T/etc/kubeconfig"
is "podnetd: a world-writable --kubeconfig: exit 1, named with its mode" \
	"$(podnetd_err --kubeconfig "$T/etc/kubeconfig")" \
	"rc 1 podnetd: $T/etc/kubeconfig is world-writable (mode 0666): refusing it"
chmod 0644 "$T/etc/kubeconfig"
chmod 0620 "$T/etc/token"
is "podnetd: a group-writable tokenFile: exit 1" \
	"$(podnetd_err --kubeconfig "$T/etc/kubeconfig")" \
	"rc 1 podnetd: $T/etc/token is group-writable (mode 0620): refusing it"
chmod 0600 "$T/etc/token"
chown 65534 "$T/etc/token"
is "podnetd: a tokenFile owned by another user: exit 1" \
	"$(podnetd_err --kubeconfig "$T/etc/kubeconfig")" \
	"rc 1 podnetd: $T/etc/token is owned by uid 65534, not by root or uid 0: refusing it"
chown 0 "$T/etc/token"
ln -s /etc/hostname "$T/etc/ca.crt"
kc "$T/etc/kubeconfig" "tokenFile: token" "certificate-authority: ca.crt"
is "podnetd: a certificate-authority that is a symlink out of its directory: exit 1" \
	"$(podnetd_err --kubeconfig "$T/etc/kubeconfig")" \
	"rc 1 podnetd: $T/etc/ca.crt: a symlink or \"..\" leads out of $T/etc: refusing to follow it"
chmod 0777 "$T/etc"
is "podnetd: a --kubeconfig in a world-writable directory: exit 1" \
	"$(podnetd_err --kubeconfig "$T/etc/kubeconfig")" \
	"rc 1 podnetd: directory $T/etc is world-writable (mode 0777) and not sticky: refusing it"
chmod 0755 "$T/etc"

# In-cluster, as kubelet projects the service account: a sticky, world-
# writable tmpfs root; token and ca.crt symlinks to ..data/, ..data a
# symlink to the timestamped directory.  Accepted: podnetd gets as far
# as the podnet family (absent here, or absent the device: not a file
# error either way).
sa=$T/sa
mkdir -m 1777 "$sa" && mkdir -m 0755 "$sa/..2026_01_01_00_00_00.1"
echo tok >"$sa/..2026_01_01_00_00_00.1/token"
printf -- '-----BEGIN CERTIFICATE-----\n' >"$sa/..2026_01_01_00_00_00.1/ca.crt"
ln -s ..2026_01_01_00_00_00.1 "$sa/..data"
ln -s ..data/token "$sa/token" && ln -s ..data/ca.crt "$sa/ca.crt"
# In a namespace of our own, where 127.0.0.1:1 answers nothing.
incluster() {
	ns_exec env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=1 PODNETD_SA_DIR="$sa" \
		timeout 3 "$PODNETD" --node-name n1 --listen '' --cni-conf-dir '' --sync-file '' \
		--device pnfp-none 2>&1 </dev/null | head -n1
}
like "podnetd in-cluster: the projected service account's symlinks are followed" \
	"$(incluster)" '(\(is the podnet module loaded\?\)|^podnetd: node n1, device pnfp-none, API server https://127\.0\.0\.1:1 \(in-cluster\))$'
rm "$sa/token" && ln -s "$T/etc/token" "$sa/token"
is "podnetd in-cluster: a token symlink out of the service account's directory is refused" \
	"$(incluster)" "podnetd: $sa/token: a symlink or \"..\" leads out of $sa: refusing to follow it"

# --- the CNI plugin ---------------------------------------------------------------
# cni_err CMD CONF CNI_PATH: "rc N code msg" of podnet's error JSON.
cni_err() {
	local out rc
	out=$(ns_exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_PATH="$3" CNI_COMMAND="$1" \
		CNI_CONTAINERID=c1 CNI_NETNS=/proc/self/ns/net CNI_IFNAME=eth0 \
		"$PODNET_BIN/podnet" <<<"$2")
	rc=$?
	echo "rc $rc${out:+ $(jq -r '"\(.code) \(.msg)"' <<<"$out" 2>/dev/null || echo "$out")}"
}
conf() {	# RUNTIME-DIR IPAM-TYPE
	jq -n -c --arg run "$1" --arg t "$2" '{cniVersion: "1.1.0", name: "pnt", type: "podnet",
		mtu: 1400, runtimeDir: $run, ipam: { type: $t }}'
}
mkdir -m 0755 "$T/bin" && cp /bin/true "$T/bin/ipam-ww" && chmod 0757 "$T/bin/ipam-ww"
mkdir -m 0777 "$T/run-ww"
is "CNI DEL: a world-writable runtimeDir: code 5, named" \
	"$(cni_err DEL "$(conf "$T/run-ww" ipam-ww)" "$T/bin")" \
	"rc 1 5 runtimeDir: directory $T/run-ww is world-writable (mode 0777) and not sticky: refusing it"
is "CNI DEL: a world-writable IPAM plugin on CNI_PATH: code 7, named" \
	"$(cni_err DEL "$(conf "$T/run" ipam-ww)" "$T/bin")" \
	"rc 1 7 IPAM plugin ipam-ww: $T/bin/ipam-ww is world-writable (mode 0757): refusing it"
ln -s /bin/true "$T/bin/ipam-out"
is "CNI DEL: an IPAM plugin symlinked to a trusted file elsewhere runs (exit 0), as /opt/cni/bin -> /usr/lib/cni" \
	"$(cni_err DEL "$(conf "$T/run" ipam-out)" "$T/bin")" "rc 0"
mkdir -m 0777 "$T/ww" && cp /bin/true "$T/ww/ipam" && chmod 0755 "$T/ww/ipam"
ln -s ../ww/ipam "$T/bin/ipam-wwdir"
is "CNI DEL: an IPAM plugin symlinked into a world-writable directory: code 7, both names" \
	"$(cni_err DEL "$(conf "$T/run" ipam-wwdir)" "$T/bin")" \
	"rc 1 7 IPAM plugin ipam-wwdir: $T/bin/ipam-wwdir -> directory $T/ww is world-writable (mode 0777) and not sticky: refusing it"
cp /bin/true "$T/bin/ipam-ok" && chmod 0755 "$T/bin/ipam-ok"
ln -s ipam-ok "$T/bin/ipam-in"
is "CNI DEL: an IPAM plugin that is a symlink within its directory runs (exit 0)" \
	"$(cni_err DEL "$(conf "$T/run" ipam-in)" "$T/bin")" "rc 0"
is "... and left no lock file" "$(ls -A "$T/run")" ""
ln -s "$T/run-ww" "$T/run/c1.lock" 2>/dev/null
is "CNI DEL: a symlink in the lock file's place is not followed: ELOOP, code 5" \
	"$(cni_err DEL "$(conf "$T/run" ipam-ok)" "$T/bin")" \
	"rc 1 5 cannot open lock file $T/run/c1.lock: Too many levels of symbolic links"
done_testing
