#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh: the CNI test tools, from Go modules, into build/cni/ (the
# tree's build/ is visible in the VM guest; /tmp and /var/tmp are not):
#   build/cni/cni-driver   this directory's libcni driver (main.go)
#   build/cni/bin/         upstream host-local, portmap, bandwidth, ptp
# Both are static (CGO_ENABLED=0), so the guest needs no Go.  Go's caches
# live under /var/tmp/podnet-go (PODNET_GO_CACHE); sources are never put
# in the tree.  A second run with nothing changed does nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${PODNET_CNI_OUT:-$top/build/cni}
. "$here/../go-env.sh"
# Upstream plugins: the release built and tested with (it needs libcni
# v1.3.x itself, the same as the driver's go.mod).
PLUGINS_VERSION=v1.10.0
PLUGINS="ipam/host-local meta/portmap meta/bandwidth main/ptp"

go_env "$here"
mkdir -p "$out/bin" "$GOMODCACHE" "$GOCACHE"

stamp=$out/.stamp
want=$("$GO" version; echo "$PLUGINS_VERSION $PLUGINS"; cat "$here/go.mod" "$here/go.sum" "$here/main.go")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$out/cni-driver" ]; then
	exit 0
fi

(cd "$here" && "$GO" build -trimpath -o "$out/cni-driver" .)
pkgs=()
for p in $PLUGINS; do pkgs+=("github.com/containernetworking/plugins/plugins/$p@$PLUGINS_VERSION"); done
GOBIN=$out/bin "$GO" install -trimpath "${pkgs[@]}"
printf '%s\n' "$want" >"$stamp"
