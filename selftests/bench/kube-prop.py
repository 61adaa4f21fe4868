#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kube-prop.py MODE ROUNDS: add and delete propagation, API write to
# kernel table, for selftests/bench/podnetd.sh.  Run inside the node's
# network namespace (the agent's), with KUBE_API (https://HOST:PORT),
# KUBE_CA, KUBE_TOKEN (and optional KUBE_SNI) in the environment.
# A monitor of the kernel's tables runs as a child and each line it prints
# is timestamped as it arrives:
#   podnet:  `podnetctl monitor` (the peer table's multicast events): the
#            "peer add ... remote U" and "peer del ... remote U" events
#   flannel: `ip monitor route`: the route to the Node's /24 appearing,
#            and its "Deleted" line (flanneld programs the neighbour and
#            FDB entry before the route, and removes the route first)
# Each round creates Node pnb-p<k> (CIDR 10.250.k.0/24, fd10:0:0:fa<k>::/64,
# underlay 100.127.250.k, flannel's annotations as kube-nodes.py's), waits
# for its event, deletes it and waits again.  The clock starts just before
# the request is sent on an already open keep-alive TLS connection.
# Prints one line per round, "add MS del MS", then "median add MS del MS".
import http.client
import json
import os
import select
import ssl
import subprocess
import sys
import time
import urllib.parse

mode, rounds = sys.argv[1], int(sys.argv[2])
api = urllib.parse.urlparse(os.environ["KUBE_API"])
ctx = ssl.create_default_context(cafile=os.environ["KUBE_CA"])
sni = os.environ.get("KUBE_SNI")
if sni:
    ctx.check_hostname = True


class Conn(http.client.HTTPSConnection):
    def connect(self):
        sock = __import__("socket").create_connection((self.host, self.port), self.timeout)
        self.sock = ctx.wrap_socket(sock, server_hostname=sni or self.host)


c = Conn(api.hostname, api.port, timeout=30)
H = {"Authorization": "Bearer " + os.environ["KUBE_TOKEN"], "Content-Type": "application/json"}


def call(method, path, body=None):
    c.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=H)
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit("%s %s: %d %s" % (method, path, r.status, data[:300]))


if mode == "podnet":
    mon = subprocess.Popen(["podnetctl", "monitor"], stdout=subprocess.PIPE, bufsize=0)
else:
    mon = subprocess.Popen(["ip", "monitor", "route"], stdout=subprocess.PIPE, bufsize=0)
buf = b""


def wait_line(pred, limit=60.0):
    """The arrival time of the first monitor line for which pred is true."""
    global buf
    end = time.monotonic() + limit
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if pred(line.decode(errors="replace")):
                return time.monotonic()
        left = end - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([mon.stdout], [], [], left)
        if r:
            d = os.read(mon.stdout.fileno(), 65536)
            if not d:
                return None
            t = time.monotonic()
            buf += d
            # lines already complete in this read arrived at t
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if pred(line.decode(errors="replace")):
                    return t


def node(k):
    u = "100.127.250.%d" % k
    c4 = "10.250.%d.0/24" % k
    return u, c4, {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "pnb-p%d" % k, "annotations": {
            "podnet.io/underlay-ip": u,
            "flannel.alpha.coreos.com/backend-type": "vxlan",
            "flannel.alpha.coreos.com/backend-data": '{"VNI":1,"VtepMAC":"02:00:fa:00:00:%02x"}' % k,
            "flannel.alpha.coreos.com/public-ip": u,
            "flannel.alpha.coreos.com/kube-subnet-manager": "true"}},
        "spec": {"podCIDR": c4, "podCIDRs": [c4, "fd10:0:0:fa%02x::/64" % k]}}


call("GET", "/readyz")	# the TLS handshake, outside the clock
time.sleep(1)		# the monitor has joined its group
adds, dels = [], []
for k in range(1, rounds + 1):
    u, c4, body = node(k)
    if mode == "podnet":
        is_add = lambda l: l.startswith("peer add") and (" remote %s " % u) in l
        is_del = lambda l: l.startswith("peer del") and (" remote %s " % u) in (l + " ")
    else:
        is_add = lambda l: l.startswith(c4 + " ")
        is_del = lambda l: l.startswith("Deleted " + c4 + " ")
    t0 = time.monotonic()
    call("POST", "/api/v1/nodes", body)
    t1 = wait_line(is_add)
    time.sleep(0.5)
    t2 = time.monotonic()
    call("DELETE", "/api/v1/nodes/pnb-p%d" % k)
    t3 = wait_line(is_del)
    if t1 is None or t3 is None:
        print("round %d: no event (add %s, del %s)" % (k, t1, t3))
        sys.exit(1)
    adds.append((t1 - t0) * 1000)
    dels.append((t3 - t2) * 1000)
    print("add %.0f del %.0f" % (adds[-1], dels[-1]), flush=True)
    time.sleep(0.5)
mon.terminate()


def med(a):
    a = sorted(a)
    n = len(a)
    return a[n // 2] if n % 2 else (a[n // 2 - 1] + a[n // 2]) / 2


print("median add %.0f del %.0f (min %.0f/%.0f max %.0f/%.0f, %d rounds)" % (
    med(adds), med(dels), min(adds), min(dels), max(adds), max(dels), rounds))
