#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh: the Kubernetes test binaries, from the Go modules pinned here,
# into $PODNET_GO_CACHE/kube-<kubernetes version>/bin (default
# /var/tmp/podnet-go/kube-v1.37.2/bin), and prints that directory:
#   kube-apiserver, kubectl  from k8s.io/kubernetes (./go.mod)
#   etcd, etcdctl            from go.etcd.io/etcd (./etcd/go.mod)
#   faultproxy               ./faultproxy (a fault-injecting TCP proxy)
#   build.sh [--flannel]     --flannel also builds flanneld (./flannel/go.mod:
#                            the migration rehearsal and a benchmark anchor)
# Static (CGO_ENABLED=0).  Go's caches live under /var/tmp/podnet-go;
# sources are never put in the tree.  Each binary has a stamp (Go version,
# go.mod, go.sum, sources): a second run with nothing changed does nothing.
# A cold kube-apiserver build takes many minutes on 2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../go-env.sh"
KUBE_VERSION=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")
[ -n "$KUBE_VERSION" ] || { echo "build.sh: no k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }
out=$cache/kube-$KUBE_VERSION/bin

go_env "$here"
mkdir -p "$out" "$GOMODCACHE" "$GOCACHE"

# build NAME... -- DIR GOBUILDARGS...: skip when every NAME is there and
# DIR's stamp matches.
build() {
	local names=() n
	while [ "$1" != -- ]; do names+=("$1"); shift; done
	shift
	local dir=$1; shift
	local stamp=$out/.stamp-${names[0]}
	local want
	want=$("$GO" version; echo "$*"; cd "$dir" && for f in go.mod go.sum *.go; do [ ! -f "$f" ] || cat "$f"; done)
	local have=1
	for n in "${names[@]}"; do [ -x "$out/$n" ] || have=0; done
	if [ $have = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	echo "build.sh: building ${names[*]} ..." >&2
	local t0=$SECONDS
	(cd "$dir" && "$GO" build -trimpath "$@")
	echo "build.sh: built ${names[*]} in $((SECONDS - t0)) s" >&2
	printf '%s\n' "$want" >"$stamp"
}

# The version the binaries report (an untagged module build says
# v0.0.0-master otherwise); kubectl's skew warning reads it.
minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ld="$ld -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

build faultproxy -- "$here/faultproxy" -ldflags "-s -w" -o "$out/faultproxy" .
build etcd etcdctl -- "$here/etcd" -ldflags "-s -w" -o "$out/" . go.etcd.io/etcd/etcdctl/v3
# etcdctl's main package is its module root: go build names it v3.
[ ! -x "$out/v3" ] || mv -f "$out/v3" "$out/etcdctl"
build kube-apiserver kubectl -- "$here" -ldflags "$ld" -o "$out/" \
	k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl

# flanneld: upstream's main.go (from the module cache, never the tree) is
# built in a work directory beside ./flannel/go.mod and go.sum, without
# the tencentvpc backend (github.com/tencentcloud/tencentcloud-sdk-go/
# tencentcloud/vpc is not served: 403) and the udp backend (it needs cgo).
if [ "${1:-}" = --flannel ]; then
	fv=$(awk '$1 == "github.com/flannel-io/flannel" { print $2; exit }' "$here/flannel/go.mod")
	src=$cache/flanneld-$fv-src
	mkdir -p "$src"
	cp "$here/flannel/go.mod" "$here/flannel/go.sum" "$src/"
	fdir=$(cd "$src" && "$GO" list -m -f '{{.Dir}}' github.com/flannel-io/flannel)
	[ -n "$fdir" ] && [ -f "$fdir/main.go" ] || (cd "$src" && "$GO" mod download github.com/flannel-io/flannel)
	fdir=$(cd "$src" && "$GO" list -m -f '{{.Dir}}' github.com/flannel-io/flannel)
	grep -v -e 'flannel/pkg/backend/tencentvpc"' -e 'flannel/pkg/backend/udp"' "$fdir/main.go" >"$src/main.go.new"
	cmp -s "$src/main.go.new" "$src/main.go" || mv -f "$src/main.go.new" "$src/main.go"
	rm -f "$src/main.go.new"
	build flanneld -- "$src" -ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$fv" -o "$out/flanneld" .
fi
echo "$out"
