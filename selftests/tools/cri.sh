# SPDX-License-Identifier: GPL-2.0
# A private containerd (its CRI plugin, the runc shim, Debian's runc) and
# crictl, for the tests that drive the podnet CNI plugin the way a node's
# kubelet does: selftests/host/cri.sh (the host, no podnet device) and
# selftests/tests/51-cri.sh (the VM, two nodes with podnet0).  Sourced
# after selftests/lib.sh.  Binaries: selftests/tools/cri/build.sh stages
# containerd, its shim, ctr, crictl and the sandbox image in build/cri/bin
# (PODNET_CRI_BIN); host-local and portmap come from build/cni/bin
# (selftests/tools/cni-driver/build.sh), podnet from $PODNET_BIN.
#
# containerd runs in a node network namespace with its root, state,
# sockets, runc root, shim sockets and pod netns directory under $CRI_T,
# and its pods' cgroups under a parent of the run's own, $CRI_CG; cri_exit
# takes all of it away, and cri_pids, cri_mounts, cri_cgroups say what is
# left.
#
#   cri_init NODE-NETNS       $CRI_T (a shared mount), the config, the CNI bin dir
#   cri_start                 containerd up in NODE-NETNS (not in a subshell)
#   cri_import                the sandbox image podnet.test/pause:1
#   cri ARG...                crictl against it (stderr to $CRI_T/crictl.err)
#   cri_conflist JSON         the conflist in place, and containerd told
#   cri_netready              NetworkReady: [status, reason, message]
#   cri_podconf NAME [JQ]     a pod sandbox config (its file name printed)
#   cri_podns POD             the pod's netns path, from `crictl inspectp`
#   cri_hostif ID [IFNAME]    podnet's host end for an attachment
#   cri_is_soon DESC WANT CMD...   is(), once CMD prints WANT (5 s at most)
#   cri_stop                  SIGTERM, and its exit status
#   cri_down_checks LOCKDIR NETNS-BEFORE   the checks that containerd stops
#                             cleanly and leaves nothing
#   cri_exit                  everything of the run killed, unmounted, removed

CRI_VERSION=$(awk '$1 == "github.com/containerd/containerd/v2" && $2 ~ /^v/ { print $2; exit }' \
	"$PODNET_ROOT/selftests/tools/cri/go.mod")
CRI_BIN=${PODNET_CRI_BIN:-$PODNET_ROOT/build/cri/bin}
CRI_CNI_DIR=${PODNET_CNI_DIR:-$PODNET_ROOT/build/cni}
for f in containerd containerd-shim-runc-v2 ctr crictl pause.oci.tar; do
	[ -f "$CRI_BIN/$f" ] || { echo "Bail out! no $CRI_BIN/$f (selftests/tools/cri/build.sh)"; exit 1; }
done
for f in host-local portmap; do
	[ -x "$CRI_CNI_DIR/bin/$f" ] ||
		{ echo "Bail out! no $CRI_CNI_DIR/bin/$f (selftests/tools/cni-driver/build.sh)"; exit 1; }
done
[ -x "$PODNET_BIN/podnet" ] || { echo "Bail out! no $PODNET_BIN/podnet (make userspace)"; exit 1; }
command -v runc >/dev/null || { echo "Bail out! no runc (selftests/vm/provision.sh host)"; exit 1; }

CRI_T=$(mktemp -d /tmp/pncri.XXXXXX)
CRI_CG=podnet-cri-$$		# the pods' cgroup parent
CRI_NS=				# containerd's network namespace
CRI_PID=
_cri_had_run_containerd=$([ -e /run/containerd ] && echo 1 || echo 0)

cri() { "$CRI_BIN/crictl" --config "$CRI_T/crictl.yaml" "$@" 2>>"$CRI_T/crictl.err"; }

# cri_init NODE-NETNS: containerd's config, crictl's, the CNI bin dir.
cri_init() {
	CRI_NS=$1
	mkdir -p "$CRI_T/cni-bin" "$CRI_T/net.d" "$CRI_T/logs" || return 1
	mount --bind "$CRI_T" "$CRI_T" && mount --make-shared "$CRI_T" || return 1
	ln -s "$PODNET_BIN/podnet" "$CRI_CNI_DIR/bin/host-local" "$CRI_CNI_DIR/bin/portmap" \
		"$CRI_T/cni-bin/" || return 1
	cat >"$CRI_T/config.toml" <<-EOF
	version = 4
	root = '$CRI_T/root'
	state = '$CRI_T/state'
	imports = []
	disabled_plugins = ['io.containerd.nri.v1.nri']
	[plugins.'io.containerd.server.v1.grpc']
	  address = '$CRI_T/containerd.sock'
	[plugins.'io.containerd.server.v1.ttrpc']
	  address = '$CRI_T/containerd.sock.ttrpc'
	[plugins.'io.containerd.internal.v1.opt']
	  path = '$CRI_T/opt'
	[plugins.'io.containerd.shim.v1.manager']
	  socket_dir = '$CRI_T/s'
	[plugins.'io.containerd.cri.v1.images']
	  snapshotter = 'overlayfs'
	  [plugins.'io.containerd.cri.v1.images'.pinned_images]
	    sandbox = 'podnet.test/pause:1'
	[plugins.'io.containerd.cri.v1.runtime']
	  netns_mounts_under_state_dir = true
	  # (No CAP_SYS_RESOURCE on the development hosts: the sandbox's -998
	  # would fail in runc.)
	  restrict_oom_score_adj = true
	  [plugins.'io.containerd.cri.v1.runtime'.cni]
	    bin_dirs = ['$CRI_T/cni-bin']
	    conf_dir = '$CRI_T/net.d'
	    use_internal_loopback = true
	  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
	    Root = '$CRI_T/runc'
	EOF
	printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 30\n' \
		"$CRI_T/containerd.sock" "$CRI_T/containerd.sock" >"$CRI_T/crictl.yaml"
}

# cri_start: containerd in $CRI_NS, until its CRI answers (10 s at most;
# false if it does not).  It sets CRI_PID, so it must not run in a
# subshell.  containerd's libcni keeps its results in /var/lib/cni (no
# option changes that), read-only in the VM guest and not this run's on a
# host: containerd gets a mount namespace of its own where /var/lib is an
# overlay with its upper layer in $CRI_T.  $CRI_T is a shared mount
# (cri_init), so what containerd mounts there (pod netns, rootfs) is seen
# here too; / is made private there first, so the overlay is not.
# (unshare, sh and nsenter exec each other: $! is containerd's PID.)
cri_start() {
	local i
	mkdir -p "$CRI_T/varlib/upper" "$CRI_T/varlib/work" || return 1
	PATH=$CRI_BIN:$PATH unshare --mount --propagation unchanged sh -c '
		mount --make-private / &&
		mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$1/varlib/upper,workdir=$1/varlib/work" /var/lib &&
		exec nsenter --net="/run/netns/$2" "$3" --config "$1/config.toml"' \
		sh "$CRI_T" "$CRI_NS" "$CRI_BIN/containerd" >"$CRI_T/containerd.log" 2>&1 &
	CRI_PID=$!
	for i in $(seq 200); do
		[ -S "$CRI_T/containerd.sock" ] && cri version >/dev/null && return 0
		kill -0 "$CRI_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# cri_import: the sandbox image (no registry here), pinned by the config.
cri_import() {
	"$CRI_BIN/ctr" -a "$CRI_T/containerd.sock" -n k8s.io images import \
		"$CRI_BIN/pause.oci.tar" >"$CRI_T/import.log" 2>&1
}

# cri_conflist JSON: the conflist, renamed into place whole.  containerd
# reloads its CNI config on a write, rename or removal in the conf dir, not
# on a create (nor on a file moved in), so a directory made and removed
# there makes the reload happen (a write in place could be read half-done).
cri_conflist() {
	printf '%s\n' "$1" >"$CRI_T/conflist.new" &&
		mv "$CRI_T/conflist.new" "$CRI_T/net.d/10-podnet.conflist" &&
		mkdir "$CRI_T/net.d/.reload" && rmdir "$CRI_T/net.d/.reload"
}

cri_netready() {
	cri info | jq -r -c '.status.conditions[] | select(.type == "NetworkReady") | [.status, .reason, .message]'
}

# cri_podconf NAME [JQ]: a pod sandbox config, its cgroups under $CRI_CG.
cri_podconf() {
	jq -n --arg n "$1" --arg logs "$CRI_T/logs" --arg cg "/$CRI_CG" '{
		metadata: { name: $n, namespace: "pncri", uid: "uid-\($n)", attempt: 0 },
		log_directory: $logs, linux: { cgroup_parent: $cg } } | '"${2:-.}" >"$CRI_T/$1.json"
	echo "$CRI_T/$1.json"
}

cri_podns() {
	cri inspectp "$1" | jq -r '.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path'
}

# cri_hostif ID [IFNAME]: podnet's host end for the attachment, "pn" and
# the top 48 bits of FNV-1a 64 over "ID\0IFNAME\0" (docs/cni.md), computed
# here (bash's arithmetic wraps at 64 bits, as FNV's does).
cri_hostif() {
	local s=$1 i h=$((0xcbf29ce484222325)) x
	for ((i = 0; i < ${#s}; i++)); do
		printf -v x '%d' "'${s:i:1}"
		h=$(((h ^ x) * 0x100000001b3))
	done
	h=$((h * 0x100000001b3))
	s=${2:-eth0}
	for ((i = 0; i < ${#s}; i++)); do
		printf -v x '%d' "'${s:i:1}"
		h=$(((h ^ x) * 0x100000001b3))
	done
	h=$((h * 0x100000001b3))
	printf -v x '%016x' "$h"
	echo "pn${x:0:12}"
}

# cri_is_soon DESC WANT CMD...: poll CMD (5 s at most) until it prints WANT.
cri_is_soon() {
	local desc=$1 want=$2 got i
	shift 2
	for i in $(seq 50); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	is "$desc" "$got" "$want"
}

# cri_stop: SIGTERM to containerd; its exit status (137 if it took more
# than 10 s and was killed).
cri_stop() {
	local i rc
	[ -n "$CRI_PID" ] || return 0
	kill -TERM "$CRI_PID" 2>/dev/null
	for i in $(seq 100); do kill -0 "$CRI_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$CRI_PID" 2>/dev/null
	wait "$CRI_PID"
	rc=$?
	CRI_PID=
	return $rc
}

# What of this run is left: processes (anything whose command line names
# $CRI_T, such as containerd and its shims, or in the pods' cgroups),
# mounts under $CRI_T, the pods' cgroups (in each v1 hierarchy, or v2).
cri_cg_parents() { ls -d /sys/fs/cgroup/"$CRI_CG" /sys/fs/cgroup/*/"$CRI_CG" 2>/dev/null; }
cri_pids() {
	local p d
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = $$ ] && continue
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$CRI_T/" && echo "${p#/proc/}"
	done
	for d in $(cri_cg_parents); do cat "$d"/*/cgroup.procs 2>/dev/null; done
}
cri_mounts() { awk -v t="$CRI_T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts; }
cri_cgroups() { local d; for d in $(cri_cg_parents); do find "$d" -mindepth 1 -maxdepth 1 -type d; done; }

# cri_down_checks LOCKDIR NETNS-BEFORE: containerd stopped with SIGTERM,
# then TAP checks that nothing of the run is left: processes, mounts,
# cgroups, runc state, shim sockets, podnet's lock files in LOCKDIR, pod
# netns in /run/netns (but NETNS-BEFORE, the cni-* there at the start), a
# /run/containerd that was not there before; and no error in its log.
cri_down_checks() {
	local c errs
	cri_stop
	is "containerd exits on SIGTERM, status 0" "$?" 0
	is "no process of this run left (containerd, shims, pause)" "$(cri_pids)" ""
	is "no mount left under $CRI_T" "$(cri_mounts)" ""
	is "no cgroup left under /$CRI_CG (and the parent removed)" \
		"$(cri_cgroups; for c in $(cri_cg_parents); do rmdir "$c" || echo "$c"; done)" ""
	is "no runc container state, shim socket or podnet lock file left" \
		"$(find "$CRI_T/runc/k8s.io" "$CRI_T/s" "$1" -mindepth 1 2>/dev/null)" ""
	is "nothing outside $CRI_T: no pod netns in /run/netns, no /run/containerd made" \
		"$(ls /run/netns 2>/dev/null | grep '^cni-'
		[ "$_cri_had_run_containerd" = 1 ] || [ ! -e /run/containerd ] || echo /run/containerd)" "$2"
	errs=$(grep -E 'level=(error|fatal)' "$CRI_T/containerd.log")
	is "containerd logged no error" "$errs" ""
	[ -z "$errs" ] || diag "$(tail -n 20 "$CRI_T/containerd.log")"
}

cri_exit() {
	local p m c
	if [ -n "$CRI_PID" ]; then
		timeout 20 "$CRI_BIN/crictl" --config "$CRI_T/crictl.yaml" rmp -fa >/dev/null 2>&1
		cri_stop
	fi
	for p in $(cri_pids); do kill -KILL "$p" 2>/dev/null; done
	for m in $(cri_mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m"; done
	for c in $(cri_cgroups); do rmdir "$c"; done
	for c in $(cri_cg_parents); do rmdir "$c"; done
	[ "$_cri_had_run_containerd" = 1 ] || rm -rf /run/containerd
	! mountpoint -q "$CRI_T" || umount "$CRI_T" || umount -l "$CRI_T"
	rm -rf "$CRI_T"
}
