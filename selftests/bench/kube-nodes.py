#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kube-nodes.py: the host's side of selftests/bench/podnetd.sh, run by the
# kube-host.sh broker (verb "bench kube-nodes.py ARGS") against the test
# apiserver whose env file is $KUBE_ENV (kube.sh up DIR writes DIR/env).
# Writes go over a few keep-alive TLS connections, far faster than kubectl.
#   kube-nodes.py create N       Nodes pnb-00000 .. pnb-<N-1>
#   kube-nodes.py heartbeat N S  a status-only patch (conditions, as
#                                kubelet's heartbeat) of Nodes 1..N, seq S
#   kube-nodes.py delete N       delete Nodes pnb-00000 .. pnb-<N-1>
# Node i: spec.podCIDRs [10.(128 + i/256).(i%256).0/24, fd10:0:0:<i hex>::/64],
# underlay 100.64.0.0/10 + i (i > 0; node 0 is the bench's own node,
# 192.168.98.1) as podnetd's annotation podnet.io/underlay-ip, and
# flannel's annotations (backend vxlan, VNI 1, VtepMAC 02:00:00:<i>,
# public-ip the underlay, kube-subnet-manager true), so that flanneld
# --kube-subnet-mgr programs every one of them too.
import http.client
import json
import os
import ssl
import sys
import threading
import time


def env():
    e = {}
    with open(os.environ["KUBE_ENV"]) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            e[k] = v.strip("'")
    return e


E = env()
CTX = ssl.create_default_context(cafile=E["KUBE_CA"])
HDR = {"Authorization": "Bearer " + E["KUBE_ADMIN_TOKEN"]}


def conn():
    return http.client.HTTPSConnection("127.0.0.1", int(E["KUBE_PORT"]), context=CTX, timeout=30)


def underlay(i):
    if i == 0:
        return "192.168.98.1"
    j = i
    return "100.%d.%d.%d" % (64 + (j >> 16), (j >> 8) & 255, j & 255)


def name(i):
    return "pnb-%05d" % i


def node(i):
    c4 = "10.%d.%d.0/24" % (128 + (i >> 8), i & 255)
    c6 = "fd10:0:0:%x::/64" % i
    u = underlay(i)
    mac = "02:00:00:%02x:%02x:%02x" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name(i), "annotations": {
            "podnet.io/underlay-ip": u,
            "flannel.alpha.coreos.com/backend-type": "vxlan",
            "flannel.alpha.coreos.com/backend-data": json.dumps({"VNI": 1, "VtepMAC": mac}, separators=(",", ":")),
            "flannel.alpha.coreos.com/public-ip": u,
            "flannel.alpha.coreos.com/kube-subnet-manager": "true",
        }},
        "spec": {"podCIDR": c4, "podCIDRs": [c4, c6]},
    }


def req(c, method, path, body=None, ctype="application/json"):
    h = dict(HDR)
    if body is not None:
        h["Content-Type"] = ctype
        body = json.dumps(body).encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, data


def parallel(idx, fn, nthreads=8):
    errs = []
    chunks = [idx[k::nthreads] for k in range(nthreads)]

    def work(chunk):
        c = conn()
        for i in chunk:
            st, data = fn(c, i)
            if st >= 300:
                errs.append("%s: %d %s" % (name(i), st, data[:200]))
        c.close()
    ts = [threading.Thread(target=work, args=(ch,)) for ch in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errs


def main():
    cmd = sys.argv[1]
    n = int(sys.argv[2])
    t0 = time.time()
    if cmd == "create":
        errs = parallel(list(range(n)), lambda c, i: req(c, "POST", "/api/v1/nodes", node(i)))
    elif cmd == "delete":
        errs = parallel(list(range(n)), lambda c, i: req(c, "DELETE", "/api/v1/nodes/" + name(i)))
    elif cmd == "heartbeat":
        seq = sys.argv[3]
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

        def hb(c, i):
            return req(c, "PATCH", "/api/v1/nodes/%s/status" % name(i), {"status": {"conditions": [{
                "type": "Ready", "status": "True", "reason": "KubeletReady",
                "message": "heartbeat %s" % seq, "lastHeartbeatTime": now,
                "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}, "application/merge-patch+json")
        # One connection, in order: as a steady stream of heartbeats.
        errs = parallel(list(range(1, n + 1)), hb, 1)
    else:
        sys.exit("usage: kube-nodes.py create|delete N | heartbeat N SEQ")
    dt = time.time() - t0
    for e in errs[:5]:
        print(e)
    print("kube-nodes.py %s %d: %d errors, %.1f s" % (cmd, n, len(errs), dt))
    sys.exit(1 if errs else 0)


main()
