#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kube-host.sh: the host's side of 60-podnetd.sh, run by run.sh around the
# guest.  A real kube-apiserver (selftests/tools/kube/kube.sh) serves on
# this host's loopback; the guest reaches it as 10.0.2.2 over qemu user
# networking.  What the guest cannot do from inside (compact etcd, restart
# the apiserver, delete what a token is bound to) it asks for through the
# results share: it writes RPC/N.req (one command line), this answers with
# RPC/N.out and, last, RPC/N.rc.
#   kube-host.sh up DIR       cluster in DIR (the results share's kube/):
#                             podnetd's RBAC (deploy/rbac.yaml and
#                             rbac-flannel.yaml) and two
#                             service-account tokens bound to Secrets
#                             (token1, token2); a fault-injecting proxy in
#                             front of the apiserver; guest.env for the guest
#   kube-host.sh serve DIR    answer DIR/rpc/*.req until DIR/rpc/stop exists
# Verbs: compact, restart-apiserver, kubectl ARGS, proxyctl MODE, and
# bench NAME ARGS: selftests/bench/NAME (a host-side helper of a bench,
# e.g. kube-nodes.py) with KUBE_ENV=DIR/env.
#   kube-host.sh down DIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
kube=$top/selftests/tools/kube/kube.sh
cmd=$1 d=$2

kc() { "$kube" kubectl "$d" "$@"; }

case $cmd in
up)
	mkdir -p "$d/rpc"
	"$kube" up "$d" >"$d.log" 2>&1 || { cat "$d.log" >&2; exit 1; }
	# shellcheck disable=SC1091
	. "$d/env"
	# As for a migration from flannel: podnetd may publish its annotations.
	kc apply -f "$top/deploy/rbac.yaml" -f "$top/deploy/rbac-flannel.yaml" >>"$d.log"
	for i in 1 2; do
		kc -n kube-system create secret generic "podnetd-token$i" >>"$d.log"
		kc -n kube-system create token podnetd --duration=2h \
			--bound-object-kind=Secret --bound-object-name="podnetd-token$i" >"$d/token$i"
	done
	# A fault-injecting proxy in front of the apiserver (stall, cut, slow).
	"$kube" proxy "$d" >>"$d.log"
	# shellcheck disable=SC1091
	. "$d/env"
	# Last, and at once: the guest waits for this file.
	printf "KUBE_PORT=%s\nKUBE_ADMIN_TOKEN=%s\nETCD_ENDPOINT=%s\nPROXY_PORT=%s\n" \
		"$KUBE_PORT" "$KUBE_ADMIN_TOKEN" "$ETCD_ENDPOINT" "$PROXY_PORT" >"$d/guest.env.tmp"
	mv "$d/guest.env.tmp" "$d/guest.env"
	;;
serve)
	while [ ! -e "$d/rpc/stop" ]; do
		for req in "$d"/rpc/*.req; do
			[ -e "$req" ] || continue
			base=${req%.req}
			read -r verb args <"$req"
			rm -f "$req"
			rc=0
			case $verb in
			compact | restart-apiserver)
				"$kube" "$verb" "$d" >"$base.out" 2>&1 || rc=$? ;;
			kubectl)
				# shellcheck disable=SC2086
				kc $args >"$base.out" 2>&1 || rc=$? ;;
			proxyctl)
				# shellcheck disable=SC2086
				"$kube" proxyctl "$d" $args >"$base.out" 2>&1 || rc=$? ;;
			bench)
				read -r helper hargs <<<"$args"
				case $helper in
				*/* | .* | "") echo "kube-host.sh: bad helper \"$helper\"" >"$base.out"; rc=2 ;;
				*)
					# shellcheck disable=SC2086
					KUBE_ENV=$d/env "$top/selftests/bench/$helper" $hargs >"$base.out" 2>&1 || rc=$? ;;
				esac
				;;
			*)
				echo "kube-host.sh: unknown request \"$verb\"" >"$base.out"
				rc=2 ;;
			esac
			echo $rc >"$base.rc.tmp" && mv "$base.rc.tmp" "$base.rc"
		done
		sleep 0.2
	done
	;;
down)
	"$kube" down "$d" >>"$d.log" 2>&1 || true
	;;
*)
	echo "usage: kube-host.sh up|serve|down DIR" >&2
	exit 2
	;;
esac
