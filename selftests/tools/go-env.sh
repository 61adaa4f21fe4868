# SPDX-License-Identifier: GPL-2.0
# go-env.sh: sourced by selftests/tools/*/build.sh, the one place the Go
# test tools' build environment is set.  Sets cache ($PODNET_GO_CACHE,
# default /var/tmp/podnet-go: Go's module and build caches live there;
# sources are never put in the tree).
cache=${PODNET_GO_CACHE:-/var/tmp/podnet-go}

# go_env DIR: sets GO (go on PATH, else /usr/local/go/bin/go) and fails
# unless it is at least the newest version the go.mod files under DIR ask
# for (GOTOOLCHAIN=local: Go never downloads another); exports the caches
# and CGO_ENABLED=0, so the binaries are static and the guest needs no Go.
go_env() {
	local need have
	need=$(find "$1" -name go.mod -exec awk '$1 == "go" { print $2; nextfile }' {} + | sort -V | tail -n1)
	GO=$(command -v go || echo /usr/local/go/bin/go)
	if [ ! -x "$GO" ]; then
		echo "${0##*/}: no Go toolchain (go $need or later: the go.mod files under $1 need it)" >&2
		exit 1
	fi
	have=$("$GO" env GOVERSION)
	have=${have#go}
	if [ "$(printf '%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
		echo "${0##*/}: $GO is go $have; the go.mod files under $1 need go $need or later" >&2
		exit 1
	fi
	export GOMODCACHE=$cache/mod GOPATH=$cache/path GOCACHE=$cache/build
	export GOFLAGS=-modcacherw CGO_ENABLED=0 GOTOOLCHAIN=local
}
