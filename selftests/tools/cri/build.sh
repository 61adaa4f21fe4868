#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh: the CRI runtime of selftests/host/cri.sh and
# selftests/tests/51-cri.sh, from the Go modules pinned here, into
# $PODNET_GO_CACHE/cri-<containerd version>/bin (default
# /var/tmp/podnet-go/cri-v2.4.2/bin), staged in the tree's build/cri/bin
# (hard links where it can, else copies: the VM guest sees the tree but
# not /var/tmp), and prints the staged directory:
#   containerd, containerd-shim-runc-v2, ctr   github.com/containerd/containerd/v2 (./go.mod)
#   crictl                                     sigs.k8s.io/cri-tools (./crictl/go.mod)
#   pause                                      ./pause.c, gcc -static
#   pause.oci.tar                              the sandbox image podnet.test/pause:1,
#                                              an OCI archive of pause (./oci-image.py)
# runc is Debian's (selftests/vm/provision.sh host).  The Go binaries are
# static (CGO_ENABLED=0: containerd needs no build tags for it).  Go's
# caches live under /var/tmp/podnet-go; sources are never put in the tree.
# Each output has a stamp (Go or gcc version, go.mod, go.sum, sources): a
# second run with nothing changed does nothing but the staging (under a
# second).  A cold build takes about 3.5 minutes on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
stage=${PODNET_CRI_OUT:-$top/build/cri/bin}
. "$here/../go-env.sh"
CONTAINERD_VERSION=$(awk '$1 == "require" && $2 == "github.com/containerd/containerd/v2" { print $3; exit }
	$1 == "github.com/containerd/containerd/v2" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")
CRICTL_VERSION=$(awk '$1 == "require" && $2 == "sigs.k8s.io/cri-tools" { print $3; exit }
	$1 == "sigs.k8s.io/cri-tools" && $2 ~ /^v/ { print $2; exit }' "$here/crictl/go.mod")
[ -n "$CONTAINERD_VERSION" ] && [ -n "$CRICTL_VERSION" ] ||
	{ echo "build.sh: no containerd or cri-tools version in $here/go.mod, $here/crictl/go.mod" >&2; exit 1; }
out=$cache/cri-$CONTAINERD_VERSION/bin

go_env "$here"
mkdir -p "$out" "$GOMODCACHE" "$GOCACHE"

# fresh STAMP WANT NAME...: true when every NAME is there and STAMP holds WANT.
fresh() {
	local stamp=$out/.stamp-$1 want=$2 n
	shift 2
	for n in "$@"; do [ -x "$out/$n" ] || [ -f "$out/$n" ] || return 1; done
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]
}

# build NAME... -- DIR GOBUILDARGS...: go build in DIR unless fresh.
build() {
	local names=() want t0
	while [ "$1" != -- ]; do names+=("$1"); shift; done
	shift
	local dir=$1; shift
	want=$("$GO" version; echo "$*"; cat "$dir/go.mod" "$dir/go.sum")
	fresh "${names[0]}" "$want" "${names[@]}" && return 0
	echo "build.sh: building ${names[*]} ..." >&2
	t0=$SECONDS
	(cd "$dir" && "$GO" build -trimpath "$@")
	echo "build.sh: built ${names[*]} in $((SECONDS - t0)) s" >&2
	printf '%s\n' "$want" >"$out/.stamp-${names[0]}"
}

cv=github.com/containerd/containerd/v2
build containerd containerd-shim-runc-v2 ctr -- "$here" \
	-ldflags "-s -w -X $cv/version.Version=$CONTAINERD_VERSION -X $cv/version.Revision=podnet-test" \
	-o "$out/" $cv/cmd/containerd $cv/cmd/containerd-shim-runc-v2 $cv/cmd/ctr
build crictl -- "$here/crictl" \
	-ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
	-o "$out/crictl" sigs.k8s.io/cri-tools/cmd/crictl

want=$(gcc --version | head -n1; cat "$here/pause.c" "$here/oci-image.py")
if ! fresh pause "$want" pause pause.oci.tar; then
	gcc -static -O2 -Wall -Wextra -Werror -s -o "$out/pause.new" "$here/pause.c"
	mv -f "$out/pause.new" "$out/pause"
	/usr/bin/python3 "$here/oci-image.py" "$out/pause" podnet.test/pause:1 "$out/pause.oci.tar" >/dev/null
	printf '%s\n' "$want" >"$out/.stamp-pause"
fi

mkdir -p "$stage"
for f in containerd containerd-shim-runc-v2 ctr crictl pause pause.oci.tar; do
	[ "$out/$f" -ef "$stage/$f" ] && continue
	ln -f "$out/$f" "$stage/$f" 2>/dev/null || cp -f "$out/$f" "$stage/$f"
done
echo "$stage"
