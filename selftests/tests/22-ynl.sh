#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# docs/netlink/podnet.yaml matches the UAPI header, and the kernel's own
# generic YNL CLI (tools/net/ynl from linux-source-6.12) drives the family
# with it: create (also with repeated peer attributes), dump, delete peers;
# read a device's configuration and socket drops.
source "$PODNET_ROOT/selftests/lib.sh"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
spec=$PODNET_ROOT/docs/netlink/podnet.yaml

# The YNL CLI: $PODNET_YNL, the harness's copy under build/, or unpacked
# from Debian's linux-source tarball (the guest's /var/tmp is its own).
ynl=
for d in "${PODNET_YNL:-}" "$PODNET_ROOT/build/ynl" /var/tmp/podnet-vm/linux-source-6.12; do
	[ -n "$d" ] && [ -f "$d/tools/net/ynl/cli.py" ] && { ynl=$d; break; }
done
if [ -z "$ynl" ] && [ -f /usr/src/linux-source-6.12.tar.xz ]; then
	tar -C "$T" --strip-components=1 -xaf /usr/src/linux-source-6.12.tar.xz \
		--wildcards '*/tools/net/ynl/cli.py' '*/tools/net/ynl/lib' \
		'*/Documentation/netlink/genetlink-legacy.yaml' && ynl=$T
fi
if [ -z "$ynl" ]; then
	skip "YNL CLI" "no tools/net/ynl found"
	done_testing
	exit
fi
schema=$ynl/Documentation/netlink/genetlink-legacy.yaml
cli() { $PY "$ynl/tools/net/ynl/cli.py" --spec "$spec" --schema "$schema" --output-json "$@"; }

# Every enum in the spec has the value the header gives it.
out=$($PY - "$spec" "$PODNET_ROOT/include" <<'PYEOF' 2>&1
import re, subprocess, sys, yaml
spec, inc = yaml.safe_load(open(sys.argv[1])), sys.argv[2]
names = {}
def cname(prefix, n): return (prefix + n).upper().replace('-', '_')
ops = spec['operations']
for i, op in enumerate(ops['list']):
    names[cname(ops['name-prefix'], op['name'])] = op.get('value', i + 1)
for aset in spec['attribute-sets']:
    v = 1
    for a in aset['attributes']:
        v = a.get('value', v)
        names[cname(aset['name-prefix'], a['name'])] = v
        v += 1
    names[cname('', aset['attr-max-name'])] = v - 1
for d in spec['definitions']:
    if d['type'] == 'const':
        names[cname(spec['name'] + '-', d['name'])] = d['value']
    elif d['type'] == 'enum':
        for i, e in enumerate(d['entries']):
            names[cname(d['name-prefix'], e)] = i
        if d.get('render-max'):
            names[cname(d['name-prefix'], 'max')] = len(d['entries']) - 1
src = '#include <stdio.h>\n#include <linux/podnet.h>\nint main(void){\n'
src += ''.join(f'printf("%s %d\\n", "{n}", (int){n});\n' for n in names) + 'return 0;}\n'
open('/tmp/ynlcheck.c', 'w').write(src)
subprocess.run(['gcc', '-I', inc + '/uapi', '-I', inc, '-o', '/tmp/ynlcheck', '/tmp/ynlcheck.c'], check=True)
got = dict(l.split() for l in subprocess.run(['/tmp/ynlcheck'], capture_output=True, text=True).stdout.splitlines())
bad = [(n, v, got.get(n)) for n, v in names.items() if str(v) != got.get(n)]
print(f'{len(names)} names, mismatches: {bad}')
PYEOF
)
like "spec and UAPI header agree" "$out" '^[0-9]+ names, mismatches: \[\]$'

pn_load
IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip link add ynl0 type podnet vni 300 port 4789 \
	local 127.0.0.1 ttl inherit tos 0x28 srcport 50000 50010 udpcsum
ok "new-peer via the YNL CLI" cli --do new-peer --json \
	'{"ifname": "ynl0", "peer": {"remote-ipv4": "c0000201", "mac": "020000000001",
	  "prefix": [{"ipv4": "0a010000", "len": 24}, {"ipv6": "fd000001000000000000000000000000", "len": 64}]}}'
ok "second peer (IPv6 remote)" cli --do new-peer --json \
	'{"ifname": "ynl0", "peer": {"remote-ipv6": "20010db8000000000000000000000002", "prefix": [{"ipv4": "0a020000", "len": 24}]}}'
ok "third peer, its prefixes in two peer attributes of one request" cli --do new-peer --json \
	'{"ifname": "ynl0", "peer": [{"remote-ipv4": "c0000203", "prefix": [{"ipv4": "0a030000", "len": 24}]},
	  {"remote-ipv4": "c0000203", "prefix": [{"ipv4": "0a030100", "len": 24}]}]}'
fails_with "repeated peer attributes naming two remotes: EINVAL with extack" 'different remotes' \
	cli --do new-peer --json '{"ifname": "ynl0", "peer": [{"remote-ipv4": "c0000204"}, {"remote-ipv4": "c0000205"}]}'
out=$(cli --dump get-peer --json '{"ifname": "ynl0"}' 2>&1)
like "dump shows the first peer, its MAC and prefixes" "$out" '"remote-ipv4": "192.0.2.1".*"mac": "02:00:00:00:00:01".*"num-prefixes": 2.*"ipv4": "10.1.0.0", "len": 24.*"ipv6": "fd00:1::", "len": 64'
like "dump shows the second peer" "$out" '"remote-ipv6": "2001:db8::2".*"ipv4": "10.2.0.0"'
like "dump shows the third peer with both prefixes" "$out" '"remote-ipv4": "192.0.2.3".*"num-prefixes": 2.*"ipv4": "10.3.0.0", "len": 24.*"ipv4": "10.3.1.0", "len": 24'
ok "del-peer of the third peer" cli --do del-peer --json '{"ifname": "ynl0", "peer": {"remote-ipv4": "c0000203"}}'
out=$(cli --do get-device --json '{"ifname": "ynl0"}' 2>&1)
like "get-device: counts" "$out" '"num-peers": 2, "num-prefixes": 3'
j() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$out"; }
is "get-device: config as created (YNL decodes the link attribute set)" \
	"$(j 'sorted(d["config"].items())')" \
	"[('encap', 'vxlan'), ('local', '127.0.0.1'), ('port', 4789), ('src-valid', 1), ('srcport-max', 50010), ('srcport-min', 50000), ('tos', 40), ('tos-inherit', 0), ('ttl', 0), ('ttl-inherit', 1), ('udp-csum', 1), ('vni', 300)]"
is "get-device: socket stats" "$(j 'sorted(d["socket-stats"].items())')" \
	"[('rx-drop-bad-header', 0), ('rx-drop-bad-vni', 0)]"
out=$(cli --dump get-device 2>&1)
is "get-device dump: the same config" "$(j '[x["config"]["vni"] for x in d]')" "[300]"
fails_with "duplicate prefix: EEXIST with extack" 'owned by another peer' \
	cli --do new-peer --json '{"ifname": "ynl0", "peer": {"remote-ipv4": "c0000203", "prefix": [{"ipv4": "0a010000", "len": 24}]}}'
ok "del-peer via the YNL CLI" cli --do del-peer --json '{"ifname": "ynl0", "peer": {"remote-ipv4": "c0000201"}}'
out=$(cli --dump get-peer --json '{"ifname": "ynl0"}' 2>&1)
like "only the second peer is left" "$out" '^\[\{"ifindex": [0-9]+, "peer": \[\{"remote-ipv6": "2001:db8::2"'
ok "flush-peers via the YNL CLI" cli --do flush-peers --json '{"ifname": "ynl0"}'
is "dump empty after flush" "$(cli --dump get-peer --json '{"ifname": "ynl0"}' 2>&1)" "[]"
ip link del ynl0
pn_unload
done_testing
