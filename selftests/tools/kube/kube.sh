#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kube.sh: a real kube-apiserver (with etcd) on this host's loopback, for
# testing podnetd.  Binaries come from build.sh (run it first; kube.sh
# never builds).  No controller-manager, scheduler or kubelet: objects are
# what the test writes (set pod spec.nodeName itself).
#   kube.sh up DIR [PORT]        certs, etcd, kube-apiserver on 127.0.0.1:PORT
#                                (a free port by default); waits for /readyz.
#                                Writes DIR/admin.kubeconfig, DIR/env (KUBE_SERVER,
#                                KUBE_PORT, KUBE_CA, KUBE_ADMIN_TOKEN, ETCD_ENDPOINT,
#                                KUBE_APISERVER_PID, ETCD_PID, ...), DIR/*.log.
#                                The serving cert is for 127.0.0.1, 10.0.2.2 (a
#                                qemu guest's way to this host) and localhost.
#   kube.sh down DIR             stop everything started in DIR (SIGKILL: the
#                                data is thrown away), wait for exit
#   kube.sh restart-apiserver DIR [--kill]  stop and start kube-apiserver
#                                only (same port, certs, etcd), wait for /readyz.
#                                SIGTERM: a graceful shutdown (new requests get
#                                429 + Retry-After while in-flight ones drain,
#                                then open watches are closed, about 2 s);
#                                --kill: SIGKILL, as a crash (connections reset)
#   kube.sh compact DIR          compact etcd at its current revision
#   kube.sh kubectl DIR ARGS...  kubectl with DIR/admin.kubeconfig
#   kube.sh bin NAME             path of a built binary (kube-apiserver,
#                                kubectl, etcd, etcdctl, faultproxy)
#   kube.sh proxy DIR [PORT]     start faultproxy 127.0.0.1:PORT -> apiserver
#                                (a free port by default); appends PROXY_PORT,
#                                PROXY_SOCK, PROXY_PID to DIR/env
#   kube.sh proxyctl DIR MODE    pass | cut | stall | slow MS | status
# Tokens: DIR/env's KUBE_ADMIN_TOKEN is user admin in system:masters;
# `kube.sh kubectl DIR create token SA` gives a service-account token
# (TokenRequest; the issuer is https://kubernetes.default.svc.cluster.local).
# Watches: the apiserver's watch cache is on, as in a real cluster, so a
# watch from an RV still in that cache is served even after `compact`;
# `compact` then `restart-apiserver` makes every older RV give 410 Gone.
# PODNET_KUBE_WATCH_CACHE=0 at `up` sends every watch to etcd instead (an
# RV older than the newest gives 410 right after `compact`; no bookmarks).
# PODNET_KUBE_APISERVER_ARGS at `up`: more kube-apiserver flags (kept for
# restart-apiserver), e.g. --runtime-config=... or --feature-gates=...
# PODNET_KUBE_BIN overrides the binaries' directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${PODNET_GO_CACHE:-/var/tmp/podnet-go}
KUBE_VERSION=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")
bindir=${PODNET_KUBE_BIN:-$cache/kube-$KUBE_VERSION/bin}
SA_ISSUER=https://kubernetes.default.svc.cluster.local

die() { echo "kube.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

bin() {
	[ -x "$bindir/$1" ] || die "no $bindir/$1: run $here/build.sh first"
	echo "$bindir/$1"
}

# free_ports N: N distinct ports the kernel would hand out now.
free_ports() {
	"$(command -v /usr/bin/python3 || command -v python3)" - "$1" <<'EOF'
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))
EOF
}

# alive PID: some thread of the process is no zombie yet.  (After a
# SIGKILL the leader can show Z while other threads still exit and the
# process still holds its sockets.)
alive() {
	local t st
	[ -n "$1" ] || return 1
	for t in /proc/"$1"/task/*/stat; do
		st=$(awk '{ print $3 }' "$t" 2>/dev/null) || continue
		[ -z "$st" ] || [ "$st" = Z ] || return 0
	done
	return 1
}

# port_free PORT: nothing listens on 127.0.0.1:PORT (waits up to 5 s).
port_free() {
	local i
	for i in $(seq 100); do
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ] || return 0
		sleep 0.05
	done
	die "127.0.0.1:$1 is still in use"
}

# stop PID BINARY [GRACE]: SIGTERM, wait up to GRACE s (default 10),
# then SIGKILL; GRACE 0: SIGKILL at once.  Only if PID still runs BINARY
# (no stray kill on a reused pid).
stop() {
	local pid=$1 exe=$2 grace=${3:-10} i
	alive "$pid" || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$exe " || return 0
	if [ "$grace" != 0 ]; then
		kill "$pid" 2>/dev/null || return 0
		for i in $(seq $((grace * 20))); do alive "$pid" || return 0; sleep 0.05; done
		echo "kube.sh: $exe ($pid) still runs after $grace s: SIGKILL" >&2
	fi
	kill -9 "$pid" 2>/dev/null || true
	for i in $(seq 100); do alive "$pid" || return 0; sleep 0.05; done
	die "$exe ($pid) does not exit"
}

load() {
	[ -f "$1/env" ] || die "$1/env: no cluster here (kube.sh up $1 first)"
	# shellcheck disable=SC1091
	. "$1/env"
}

gen_certs() {
	local d=$1
	(
		cd "$d"
		umask 077
		openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
		openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj /CN=podnet-test-ca \
			-out ca.crt 2>/dev/null
		openssl ecparam -name prime256v1 -genkey -noout -out apiserver.key 2>/dev/null
		cat >apiserver.ext <<-EOF
			basicConstraints=CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=serverAuth
			subjectAltName=IP:127.0.0.1,IP:10.0.2.2,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc
		EOF
		openssl req -new -key apiserver.key -subj /CN=kube-apiserver -out apiserver.csr 2>/dev/null
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-sha256 -days 3650 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
		openssl ecparam -name prime256v1 -genkey -noout -out sa.key 2>/dev/null
		openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
		rm -f apiserver.csr ca.srl
		chmod 644 ca.crt apiserver.crt sa.pub
	)
}

start_etcd() {
	local d=$1 cport=$2 pport=$3
	mkdir -p "$d/etcd"
	setsid "$(bin etcd)" --name default --data-dir "$d/etcd" \
		--listen-client-urls "http://127.0.0.1:$cport" \
		--advertise-client-urls "http://127.0.0.1:$cport" \
		--listen-peer-urls "http://127.0.0.1:$pport" \
		--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
		--initial-cluster "default=http://127.0.0.1:$pport" \
		--unsafe-no-fsync --log-level warn \
		</dev/null >>"$d/etcd.log" 2>&1 &
	echo $!
}

# Everything a test does not use is off: no profiling, no APF, no
# endpoint reconciler (no kubernetes Service endpoints), and admission
# only NamespaceLifecycle (without a controller-manager there is no
# default ServiceAccount, so the ServiceAccount plugin would refuse pods).
ADMISSION_OFF=DefaultIngressClass,DefaultStorageClass,DefaultTolerationSeconds,LimitRanger,MutatingAdmissionPolicy,MutatingAdmissionWebhook,PersistentVolumeClaimResize,PodSecurity,Priority,ResourceQuota,RuntimeClass,ServiceAccount,StorageObjectInUseProtection,TaintNodesByCondition,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,CertificateApproval,CertificateSigning,ClusterTrustBundleAttest,CertificateSubjectRestriction,PodTopologyLabels,NodeDeclaredFeatureValidator,PodGroupProtection,PodResizeValidator

start_apiserver() {
	local d=$1 port=$2 etcd=$3 wc=$4 extra=$5
	# shellcheck disable=SC2086
	setsid "$(bin kube-apiserver)" \
		--bind-address=127.0.0.1 --secure-port="$port" --advertise-address=127.0.0.1 \
		--etcd-servers="$etcd" \
		--tls-cert-file="$d/apiserver.crt" --tls-private-key-file="$d/apiserver.key" \
		--client-ca-file="$d/ca.crt" \
		--token-auth-file="$d/tokens.csv" \
		--authorization-mode=RBAC \
		--service-account-issuer="$SA_ISSUER" \
		--service-account-signing-key-file="$d/sa.key" \
		--service-account-key-file="$d/sa.pub" \
		--service-cluster-ip-range=10.96.0.0/16 \
		--enable-admission-plugins=NamespaceLifecycle \
		--disable-admission-plugins="$ADMISSION_OFF" \
		--endpoint-reconciler-type=none \
		--enable-priority-and-fairness=false \
		--profiling=false \
		--shutdown-send-retry-after=true \
		--watch-cache="$wc" \
		--v=1 $extra \
		</dev/null >>"$d/apiserver.log" 2>&1 &
	echo $!
}

# wait_ready DIR PORT PID: poll /readyz until ok; prints the ms it took.
wait_ready() {
	local d=$1 port=$2 pid=$3 t0 i
	t0=$(now_ms)
	for i in $(seq 1200); do
		if curl -sf --max-time 2 --cacert "$d/ca.crt" -H "Authorization: Bearer $(cat "$d/admin.token")" \
			"https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		alive "$pid" || { tail -20 "$d/apiserver.log" >&2; die "kube-apiserver exited (see $d/apiserver.log)"; }
		sleep 0.05
	done
	tail -20 "$d/apiserver.log" >&2
	die "kube-apiserver not ready after 60 s (see $d/apiserver.log)"
}

cmd_up() {
	[ $# -ge 1 ] || die "usage: kube.sh up DIR [PORT]"
	local d=$1 port=${2:-} t0 ports cport pport epid apid ms wc
	t0=$(now_ms)
	mkdir -p "$d"
	d=$(cd "$d" && pwd)
	if [ -f "$d/env" ]; then
		(load "$d"; ! alive "${KUBE_APISERVER_PID:-}" && ! alive "${ETCD_PID:-}") ||
			die "$d: a cluster runs there (kube.sh down $d first)"
	fi
	bin kube-apiserver >/dev/null; bin etcd >/dev/null; bin kubectl >/dev/null
	rm -rf "$d/etcd" "$d/env" "$d"/*.log
	gen_certs "$d"
	(umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$d/admin.token")
	printf '%s,admin,admin,system:masters\n' "$(cat "$d/admin.token")" >"$d/tokens.csv"
	chmod 600 "$d/tokens.csv"
	ports=$(free_ports 3)
	set -- $ports
	cport=$1 pport=$2
	[ -n "$port" ] || port=$3
	wc=true
	[ "${PODNET_KUBE_WATCH_CACHE:-1}" != 0 ] || wc=false
	epid=$(start_etcd "$d" "$cport" "$pport")
	# The apiserver retries etcd until it answers: no need to wait here.
	apid=$(start_apiserver "$d" "$port" "http://127.0.0.1:$cport" "$wc" "${PODNET_KUBE_APISERVER_ARGS:-}")
	cat >"$d/env" <<-EOF
		KUBE_DIR=$d
		KUBE_SERVER=https://127.0.0.1:$port
		KUBE_PORT=$port
		KUBE_CA=$d/ca.crt
		KUBE_ADMIN_TOKEN=$(cat "$d/admin.token")
		KUBE_KUBECONFIG=$d/admin.kubeconfig
		KUBE_WATCH_CACHE=$wc
		KUBE_APISERVER_ARGS='${PODNET_KUBE_APISERVER_ARGS:-}'
		ETCD_ENDPOINT=http://127.0.0.1:$cport
		ETCD_PEER_PORT=$pport
		ETCD_PID=$epid
		KUBE_APISERVER_PID=$apid
	EOF
	cat >"$d/admin.kubeconfig" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: podnet-test
		  cluster:
		    server: https://127.0.0.1:$port
		    certificate-authority-data: $(base64 -w0 "$d/ca.crt")
		users:
		- name: admin
		  user:
		    token: $(cat "$d/admin.token")
		contexts:
		- name: podnet-test
		  context:
		    cluster: podnet-test
		    user: admin
		current-context: podnet-test
	EOF
	chmod 600 "$d/admin.kubeconfig"
	ms=$(wait_ready "$d" "$port" "$apid") || {
		stop "$apid" "$bindir/kube-apiserver" 0
		stop "$epid" "$bindir/etcd" 0
		die "up failed: etcd and kube-apiserver stopped (logs in $d)"
	}
	echo "kube.sh: up in $(($(now_ms) - t0)) ms (apiserver ready after $ms ms): $d/env, https://127.0.0.1:$port"
}

cmd_down() {
	[ $# -eq 1 ] || die "usage: kube.sh down DIR"
	[ -f "$1/env" ] || return 0
	load "$1"
	stop "${PROXY_PID:-}" "$bindir/faultproxy" 0
	stop "${KUBE_APISERVER_PID:-}" "$bindir/kube-apiserver" 0
	stop "${ETCD_PID:-}" "$bindir/etcd" 5
	echo "kube.sh: down: $1"
}

cmd_restart_apiserver() {
	local grace=10 d apid ms t0
	[ "${2:-}" != --kill ] || grace=0
	[ $# -eq 1 ] || { [ $# -eq 2 ] && [ $grace = 0 ]; } || die "usage: kube.sh restart-apiserver DIR [--kill]"
	d=$(cd "$1" && pwd)
	load "$d"
	t0=$(now_ms)
	stop "$KUBE_APISERVER_PID" "$bindir/kube-apiserver" $grace
	port_free "$KUBE_PORT"
	echo "kube.sh: kube-apiserver stopped in $(($(now_ms) - t0)) ms"
	apid=$(start_apiserver "$d" "$KUBE_PORT" "$ETCD_ENDPOINT" "${KUBE_WATCH_CACHE:-true}" "${KUBE_APISERVER_ARGS:-}")
	sed -i "s/^KUBE_APISERVER_PID=.*/KUBE_APISERVER_PID=$apid/" "$d/env"
	ms=$(wait_ready "$d" "$KUBE_PORT" "$apid") || {
		stop "$apid" "$bindir/kube-apiserver" 0
		die "restart failed: kube-apiserver stopped (etcd still runs; kube.sh down $d)"
	}
	echo "kube.sh: kube-apiserver restarted, ready after $ms ms"
}

# compact: a write outside /registry first, so the compaction revision is
# one no apiserver object has: a watch from the newest RV the apiserver
# handed out stays valid, every older one gets 410 (compacting at an
# object's own revision would give 500 "PrevKv=nil" to a watch from the
# RV just before it).
cmd_compact() {
	[ $# -eq 1 ] || die "usage: kube.sh compact DIR"
	local rev
	load "$1"
	rev=$("$(bin etcdctl)" --endpoints="$ETCD_ENDPOINT" put -w json /podnet-test/compact "$(date +%s%N)" |
		grep -o '"revision":[0-9]*' | head -1 | cut -d: -f2)
	[ -n "$rev" ] || die "no etcd revision from $ETCD_ENDPOINT"
	"$(bin etcdctl)" --endpoints="$ETCD_ENDPOINT" compact "$rev" --physical >/dev/null
	echo "kube.sh: etcd compacted at revision $rev"
}

cmd_proxy() {
	[ $# -ge 1 ] || die "usage: kube.sh proxy DIR [PORT]"
	local d port=${2:-} pid i
	d=$(cd "$1" && pwd)
	load "$d"
	! alive "${PROXY_PID:-}" || die "a proxy runs already ($PROXY_PID, port $PROXY_PORT)"
	[ -n "$port" ] || port=$(free_ports 1)
	rm -f "$d/proxy.sock"
	setsid "$(bin faultproxy)" serve "127.0.0.1:$port" "127.0.0.1:$KUBE_PORT" "$d/proxy.sock" \
		</dev/null >>"$d/proxy.log" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		"$(bin faultproxy)" ctl "$d/proxy.sock" status >/dev/null 2>&1 && break
		alive "$pid" || die "faultproxy exited (see $d/proxy.log)"
		sleep 0.05
	done
	sed -i '/^PROXY_/d' "$d/env"
	printf 'PROXY_PORT=%s\nPROXY_SOCK=%s\nPROXY_PID=%s\n' "$port" "$d/proxy.sock" "$pid" >>"$d/env"
	echo "kube.sh: faultproxy 127.0.0.1:$port -> 127.0.0.1:$KUBE_PORT (pid $pid)"
}

cmd_proxyctl() {
	[ $# -ge 2 ] || die "usage: kube.sh proxyctl DIR pass|cut|stall|slow MS|status"
	local d=$1; shift
	load "$d"
	"$(bin faultproxy)" ctl "$PROXY_SOCK" "$@"
}

[ $# -ge 1 ] || { sed -n '3,/^set -eu/p' "$0" | sed '$d' >&2; exit 2; }
c=$1; shift
case $c in
up) cmd_up "$@" ;;
down) cmd_down "$@" ;;
restart-apiserver) cmd_restart_apiserver "$@" ;;
compact) cmd_compact "$@" ;;
kubectl)
	[ $# -ge 1 ] || die "usage: kube.sh kubectl DIR ARGS..."
	d=$1; shift
	exec "$(bin kubectl)" --kubeconfig="$d/admin.kubeconfig" "$@"
	;;
bin) [ $# -eq 1 ] || die "usage: kube.sh bin NAME"; bin "$1" ;;
proxy) cmd_proxy "$@" ;;
proxyctl) cmd_proxyctl "$@" ;;
*) die "unknown command $c (kube.sh with no argument prints the usage)" ;;
esac
