#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deploy/ against a real kube-apiserver (selftests/tools/kube): the RBAC
# and the DaemonSet pass a server-side dry run as they are, the DaemonSet
# the server would store runs podnetd with NET_ADMIN and nothing more, and
# podnetd's service account may read Nodes and nothing else (with
# rbac-flannel.yaml, also patch nodes/status and nothing more).  Needs no
# podnet device, so it runs once, on the host:
#   PODNET_ROOT=$PWD bash selftests/host/deploy.sh (make check runs it)
. "$PODNET_ROOT/selftests/lib.sh"

kube=$PODNET_ROOT/selftests/tools/kube/kube.sh
D=$PODNET_ROOT/deploy
K=$(mktemp -d)
trap '"$kube" down "$K" >/dev/null 2>&1; rm -rf "$K"' EXIT
kc() { "$kube" kubectl "$K" "$@"; }
sa=system:serviceaccount:kube-system:podnetd

"$kube" up "$K" >"$K.log" 2>&1 || { cat "$K.log"; echo "Bail out! kube-apiserver did not start"; exit 1; }
rm -f "$K.log"

is "server-side dry run of deploy/ creates what it should" \
	"$(kc apply --dry-run=server -f "$D/rbac.yaml" -f "$D/daemonset.yaml" 2>&1)" \
	"serviceaccount/podnetd created (server dry run)
clusterrole.rbac.authorization.k8s.io/podnetd created (server dry run)
clusterrolebinding.rbac.authorization.k8s.io/podnetd created (server dry run)
daemonset.apps/podnetd created (server dry run)"
ds=$(kc apply --dry-run=server -o json -f "$D/daemonset.yaml")
is "the DaemonSet runs on the host network, on every node" \
	"$(jget '.spec.template.spec | "\(.hostNetwork) \(.tolerations) \(.serviceAccountName)"' <<<"$ds")" \
	'true [{"operator":"Exists"}] podnetd'
is "podnetd gets NET_ADMIN and no other capability, no privilege escalation" \
	"$(jget '.spec.template.spec.containers[] | select(.name == "podnetd") | .securityContext |
		"\(.capabilities.add) \(.capabilities.drop) \(.allowPrivilegeEscalation) \(.privileged // false)"' <<<"$ds")" \
	'["NET_ADMIN"] ["ALL"] false false'
is "only the modprobe init container gets SYS_MODULE" \
	"$(jget '[.spec.template.spec.initContainers[], .spec.template.spec.containers[] |
		select(.securityContext.capabilities.add | index("SYS_MODULE")) | .name]' <<<"$ds")" '["modprobe"]'
is "no container is privileged" \
	"$(jget '[.spec.template.spec.initContainers[], .spec.template.spec.containers[] |
		select(.securityContext.privileged == true)] | length' <<<"$ds")" 0

ok "apply deploy/rbac.yaml" kc apply -f "$D/rbac.yaml"
for v in "get nodes" "list nodes" "watch nodes"; do
	# shellcheck disable=SC2086
	is "podnetd may $v" "$(kc auth can-i $v --as=$sa 2>/dev/null)" yes
done
for v in "update nodes" "patch nodes" "delete nodes" "patch nodes --subresource=status" "list pods" \
	"get secrets" "create pods" "get nodes --subresource=proxy"; do
	# shellcheck disable=SC2086
	is "podnetd may not $v" "$(kc auth can-i $v --as=$sa 2>/dev/null)" no
done
is "server-side dry run of deploy/rbac-flannel.yaml" \
	"$(kc apply --dry-run=server -f "$D/rbac-flannel.yaml" 2>&1)" \
	"clusterrole.rbac.authorization.k8s.io/podnetd-flannel created (server dry run)
clusterrolebinding.rbac.authorization.k8s.io/podnetd-flannel created (server dry run)"
tok=$(kc -n kube-system create token podnetd)
. "$K/env"
code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$KUBE_CA" -H "Authorization: Bearer $tok" "$KUBE_SERVER$1"; }
is "with its token, GET /api/v1/nodes answers 200" "$(code /api/v1/nodes)" 200
is "with its token, GET /api/v1/pods answers 403" "$(code /api/v1/pods)" 403
# --publish-flannel's RBAC: the one verb flanneld needs for its annotations.
ok "apply deploy/rbac-flannel.yaml" kc apply -f "$D/rbac-flannel.yaml"
is "with rbac-flannel.yaml podnetd may patch nodes/status" \
	"$(kc auth can-i patch nodes --subresource=status --as=$sa 2>/dev/null)" yes
for v in "update nodes --subresource=status" "patch nodes" "update nodes" "delete nodes" "create nodes"; do
	# shellcheck disable=SC2086
	is "with rbac-flannel.yaml podnetd may still not $v" "$(kc auth can-i $v --as=$sa 2>/dev/null)" no
done
done_testing
