#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftest.sh: checks kube.sh and its binaries end to end on this host's
# loopback: up, a Node (spec.podCIDRs, status.addresses via the status
# subresource), list and watch with curl (bookmarks asked for, the
# sendInitialEvents bookmark), 410 Gone after compaction (with and without
# the watch cache), a ServiceAccount token (TokenRequest) and RBAC, the
# faultproxy's pass/cut/stall/slow, restart-apiserver (graceful, --kill),
# down.
#   selftest.sh [DIR]    DIR defaults to a new temporary directory (removed
#                        at the end unless KEEP=1); runs build.sh first
#                        (does nothing when already built).
# Ends with "N passed, N failed"; exits 1 if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
kube=$here/kube.sh
"$here/build.sh" >/dev/null || { echo "selftest: build.sh failed"; echo "0 passed, 1 failed"; exit 1; }

keep=${KEEP:-0}
if [ $# -ge 1 ]; then d=$1; keep=1; mkdir -p "$d"; else d=$(mktemp -d /tmp/podnet-kube.XXXXXX); fi
d=$(cd "$d" && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
kc() { "$kube" kubectl "$d" "$@"; }
# api PATH [CURL ARGS...]: GET with the admin token, body on stdout.
api() { local p=$1; shift; curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" "$@" "$KUBE_SERVER$p"; }
bgpids=()
cleanup() {
	local p
	for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done
	"$kube" down "$d/nocache" >/dev/null 2>&1
	"$kube" down "$d" >/dev/null 2>&1
	[ "$keep" = 1 ] || rm -rf "$d"
}
trap cleanup EXIT
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

t0=$(date +%s%3N)
if "$kube" up "$d"; then ok "up ($(($(date +%s%3N) - t0)) ms)"; else bad up; finish; fi
. "$d/env"

# A Node as podnetd would see it.
kc create -f - >/dev/null <<'EOF' && ok "create node" || bad "create node"
apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels:
    kubernetes.io/hostname: node-a
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: ["10.244.1.0/24", "fd00:10:244:1::/64"]
EOF
kc patch node node-a --subresource=status --type=merge \
	-p '{"status":{"addresses":[{"type":"InternalIP","address":"192.0.2.11"},{"type":"Hostname","address":"node-a"}]}}' >/dev/null
check "status.addresses via the status subresource" \
	test "$(kc get node node-a -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')" = 192.0.2.11
check "spec.podCIDRs" test "$(kc get node node-a -o jsonpath='{.spec.podCIDRs}')" = '["10.244.1.0/24","fd00:10:244:1::/64"]'

# List with curl, the CA and the admin token.
list=$(api /api/v1/nodes)
rv0=$(echo "$list" | jq -r .metadata.resourceVersion)
check "curl list nodes (rv $rv0)" test "$(echo "$list" | jq -r '.items[].metadata.name')" = node-a

# Watch from that RV; a change shows as MODIFIED.
w=$d/watch1.out
curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" -N --max-time 20 \
	"$KUBE_SERVER/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=$rv0" >"$w" 2>&1 &
bgpids+=($!)
sleep 0.3
kc label node node-a podnet.test/step=1 >/dev/null
for i in $(seq 100); do grep -q '"type":"MODIFIED"' "$w" && break; sleep 0.05; done
check "watch from rv $rv0 sees MODIFIED" grep -q '"podnet.test/step":"1"' "$w"
kill "${bgpids[-1]}" 2>/dev/null

# More history, then compaction: an older RV is gone.
for i in 2 3 4; do kc label --overwrite node node-a podnet.test/step=$i >/dev/null; done
"$kube" compact "$d" && ok compact || bad compact
w=$d/watch2.out
api "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=$rv0" -N --max-time 3 >"$w" 2>&1
if grep -q '"code":410' "$w"; then
	echo "     (watch cache: rv $rv0 gives 410 right after compact)"
else
	echo "     (watch cache: rv $rv0 still served after compact, as expected: it is in the apiserver's watch cache)"
fi
# A graceful restart with a watch open: the watch is ended.
curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" -N --max-time 60 \
	"$KUBE_SERVER/api/v1/nodes?watch=1&resourceVersion=$(api /api/v1/nodes | jq -r .metadata.resourceVersion)" >/dev/null 2>&1 &
wpid=$!
bgpids+=($wpid)
sleep 0.3
t1=$(date +%s%3N)
"$kube" restart-apiserver "$d" && ok "restart-apiserver ($(($(date +%s%3N) - t1)) ms)" || bad restart-apiserver
if kill -0 $wpid 2>/dev/null; then bad "the restart ended an open watch"; else ok "the restart ended an open watch"; fi
api "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=$rv0" -N --max-time 3 >"$w" 2>&1
check "after compact + restart, watch from rv $rv0: ERROR event, code 410" \
	grep -q '"type":"ERROR".*"code":410' "$w"
sed 's/^/     /' "$w" | cut -c1-200
check "the node survived the restart" test "$(kc get node node-a -o jsonpath='{.metadata.labels.podnet\.test/step}')" = 4
code=$(api "/api/v1/nodes?resourceVersion=$rv0&resourceVersionMatch=Exact" -o /dev/null -w '%{http_code}')
check "list at compacted rv $rv0 (Exact): 410" test "$code" = 410

# A watch from the current RV with bookmarks asked for: accepted (200).
rv1=$(api /api/v1/nodes | jq -r .metadata.resourceVersion)
code=$(api "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=$rv1" -N --max-time 1 -o /dev/null -w '%{http_code}' 2>/dev/null)
check "watch from current rv $rv1 with allowWatchBookmarks: 200" test "$code" = 200

# WatchList: sendInitialEvents gives the objects, then a BOOKMARK marked
# k8s.io/initial-events-end (the watch cache's bookmarks at work).
w=$d/watch5.out
api "/api/v1/nodes?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=" \
	-N --max-time 2 >"$w" 2>/dev/null
check "sendInitialEvents: ADDED node-a, then the initial-events-end BOOKMARK" \
	grep -q '"type":"BOOKMARK".*"k8s.io/initial-events-end":"true"' "$w"

# A ServiceAccount token (TokenRequest, no controller-manager), RBAC.
kc create serviceaccount podnetd -n kube-system >/dev/null
tok=$(kc create token podnetd -n kube-system --duration=1h)
check "kubectl create token" test "$(echo "$tok" | tr -cd . | wc -c)" = 2
out=$(curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $tok" "$KUBE_SERVER/api/v1/nodes")
check "the SA token authenticates, RBAC forbids (403)" \
	grep -q 'system:serviceaccount:kube-system:podnetd.*forbidden\|forbidden.*system:serviceaccount:kube-system:podnetd' <<<"$out"
kc create clusterrole podnetd --verb=get,list,watch --resource=nodes >/dev/null
kc create clusterrolebinding podnetd --clusterrole=podnetd --serviceaccount=kube-system:podnetd >/dev/null
out=$(curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $tok" "$KUBE_SERVER/api/v1/nodes")
check "after a ClusterRoleBinding the SA token lists nodes" test "$(echo "$out" | jq -r '.items[0].metadata.name')" = node-a

# A pod bound to the node (no scheduler, no ServiceAccount admission).
kc create -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: default}
spec:
  nodeName: node-a
  containers: [{name: c, image: none}]
EOF
check "create a pod with spec.nodeName" test "$(kc get pod p1 -o jsonpath='{.spec.nodeName}')" = node-a

t1=$(date +%s%3N)
"$kube" restart-apiserver "$d" --kill && ok "restart-apiserver --kill ($(($(date +%s%3N) - t1)) ms)" || bad "restart-apiserver --kill"
check "after restart --kill: the pod is there" test "$(kc get pod p1 -o jsonpath='{.metadata.name}')" = p1

# The fault proxy: TLS passes through (the cert has 127.0.0.1).
"$kube" proxy "$d" >/dev/null && ok "proxy up" || bad "proxy up"
. "$d/env"
purl=https://127.0.0.1:$PROXY_PORT
pget() { curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" "$@"; }
check "through the proxy: list nodes" test "$(pget "$purl/api/v1/nodes" | jq -r '.items[0].metadata.name')" = node-a
w=$d/watch3.out
rv2=$(pget "$purl/api/v1/nodes" | jq -r .metadata.resourceVersion)
curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" -N --max-time 30 \
	"$purl/api/v1/nodes?watch=1&resourceVersion=$rv2" >"$w" 2>&1 &
wpid=$!
bgpids+=($wpid)
sleep 0.5
check "a watch through the proxy stays open" kill -0 $wpid
out=$("$kube" proxyctl "$d" cut)
check "cut: $out" grep -q '^ok cut [1-9]' <<<"$out"
tc=$(date +%s%3N)
for i in $(seq 40); do kill -0 $wpid 2>/dev/null || break; sleep 0.05; done
if kill -0 $wpid 2>/dev/null; then bad "cut ends an open watch"; else ok "cut ends an open watch ($(($(date +%s%3N) - tc)) ms)"; fi
check "after cut, new connections pass" test "$(pget "$purl/readyz")" = ok
# stall holds an open watch: nothing comes until pass, then it all does.
w=$d/watch4.out
rv3=$(pget "$purl/api/v1/nodes" | jq -r .metadata.resourceVersion)
curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" -N --max-time 30 \
	"$purl/api/v1/nodes?watch=1&resourceVersion=$rv3" >"$w" 2>&1 &
wpid=$!
bgpids+=($wpid)
sleep 0.5
"$kube" proxyctl "$d" stall >/dev/null
kc label --overwrite node node-a podnet.test/step=stalled >/dev/null
sleep 0.5
check "stall: the watch stays open" kill -0 $wpid
check "stall: the watch gets no event" test ! -s "$w"
"$kube" proxyctl "$d" pass >/dev/null
for i in $(seq 40); do grep -q stalled "$w" && break; sleep 0.05; done
check "pass: the held event arrives" grep -q '"podnet.test/step":"stalled"' "$w"
kill $wpid 2>/dev/null
"$kube" proxyctl "$d" stall >/dev/null
check "stall: a request gets nothing in 1 s" test "$(pget "$purl/readyz" --max-time 1 2>/dev/null)" = ""
"$kube" proxyctl "$d" pass >/dev/null
check "pass: requests go through again" test "$(pget "$purl/readyz")" = ok
"$kube" proxyctl "$d" slow 200 >/dev/null
ts=$(date +%s%3N)
pget "$purl/readyz" >/dev/null
el=$(($(date +%s%3N) - ts))
check "slow 200: a request takes >= 400 ms (${el} ms)" test "$el" -ge 400
"$kube" proxyctl "$d" pass >/dev/null
"$kube" proxyctl "$d" status

# With the watch cache off every watch goes to etcd: right after compact
# an older RV gets 410 and the newest one still watches.
d2=$d/nocache
if PODNET_KUBE_WATCH_CACHE=0 "$kube" up "$d2" >/dev/null; then
	ok "up with PODNET_KUBE_WATCH_CACHE=0"
	e2() { (. "$d2/env"; curl -sS --cacert "$KUBE_CA" -H "Authorization: Bearer $KUBE_ADMIN_TOKEN" "$@" 2>/dev/null); }
	srv2=$(. "$d2/env"; echo "$KUBE_SERVER")
	"$kube" kubectl "$d2" create namespace t1 >/dev/null
	ra=$(e2 "$srv2/api/v1/namespaces" | jq -r .metadata.resourceVersion)
	"$kube" kubectl "$d2" label namespace t1 step=1 >/dev/null
	rb=$(e2 "$srv2/api/v1/namespaces" | jq -r .metadata.resourceVersion)
	"$kube" compact "$d2" >/dev/null
	e2 -N --max-time 2 "$srv2/api/v1/namespaces?watch=1&resourceVersion=$ra" >"$d/watch6.out"
	check "no watch cache: after compact, a watch from rv $ra gets 410" grep -q '"type":"ERROR".*"code":410' "$d/watch6.out"
	e2 -N --max-time 1 "$srv2/api/v1/namespaces?watch=1&resourceVersion=$rb" >"$d/watch7.out"
	check "no watch cache: a watch from the newest rv $rb stays open, no error" test ! -s "$d/watch7.out"
	"$kube" down "$d2" >/dev/null
else
	bad "up with PODNET_KUBE_WATCH_CACHE=0"
fi

pids="$KUBE_APISERVER_PID $ETCD_PID $PROXY_PID"
"$kube" down "$d" && ok down || bad down
left=""
for p in $pids; do
	st=$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null) && [ "$st" != Z ] && left="$left $p"
done
check "down: no process left${left:+ (left:$left)}" test -z "$left"
finish
