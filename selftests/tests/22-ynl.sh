#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# docs/netlink/podnet.yaml matches the UAPI header and the YNL schema, and
# the kernel's own generic YNL CLI (tools/net/ynl from linux-source-6.12)
# drives the family with it: create (also with repeated peer attributes),
# dump, delete peers; read a device's configuration and socket drops.
# The spec checks need no kernel: they run where pn_full.
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
	_tap_result not-ok "the YNL CLI (tools/net/ynl) is there" \
		"none in \$PODNET_YNL, build/ynl, /var/tmp/podnet-vm/linux-source-6.12 or /usr/src/linux-source-6.12.tar.xz"
	done_testing
	exit
fi
schema=$ynl/Documentation/netlink/genetlink-legacy.yaml

if pn_full; then
	# Every enum in the spec has the value the header gives it; the spec is
	# valid against the YNL schema (what the CLI checks on every start
	# unless --no-schema, given below).
	out=$($PY - "$spec" "$PODNET_ROOT/include" "$schema" <<'PYEOF' 2>&1
import re, subprocess, sys, jsonschema, yaml
spec, inc = yaml.safe_load(open(sys.argv[1])), sys.argv[2]
try:
    jsonschema.validate(spec, yaml.safe_load(open(sys.argv[3])))
    print('schema: valid')
except jsonschema.ValidationError as e:
    print(f'schema: {e.message}')
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
	like "the spec is valid against the YNL schema (genetlink-legacy)" "$out" '^schema: valid$'
else
	diag "the spec's checks against the header and the schema run on the full kernel (PODNET_FULL=1)"
fi

pn_load
IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip link add ynl0 type podnet vni 300 port 4789 \
	local 127.0.0.1 ttl inherit tos 0x28 srcport 50000 50010 udpcsum mac 0a:58:0a:f4:01:00 dstvalid

# Every CLI invocation, in order, in one Python process (a start-up costs
# seconds under TCG): "NAME<TAB>ARGS AS A JSON LIST", each run through
# cli.py's main() as `cli.py --spec ... --no-schema --output-json ARGS`; its
# output goes to $T/NAME.out, its exit status to $T/NAME.rc.
cat >"$T/steps" <<'EOS'
new1	["--do", "new-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": {\"remote-ipv4\": \"c0000201\", \"mac\": \"020000000001\", \"prefix\": [{\"ipv4\": \"0a010000\", \"len\": 24}, {\"ipv6\": \"fd000001000000000000000000000000\", \"len\": 64}]}}"]
new2	["--do", "new-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": {\"remote-ipv6\": \"20010db8000000000000000000000002\", \"prefix\": [{\"ipv4\": \"0a020000\", \"len\": 24}]}}"]
new3	["--do", "new-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": [{\"remote-ipv4\": \"c0000203\", \"prefix\": [{\"ipv4\": \"0a030000\", \"len\": 24}]}, {\"remote-ipv4\": \"c0000203\", \"prefix\": [{\"ipv4\": \"0a030100\", \"len\": 24}]}]}"]
tworemotes	["--do", "new-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": [{\"remote-ipv4\": \"c0000204\"}, {\"remote-ipv4\": \"c0000205\"}]}"]
dump1	["--dump", "get-peer", "--json", "{\"ifname\": \"ynl0\"}"]
del3	["--do", "del-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": {\"remote-ipv4\": \"c0000203\"}}"]
getdev	["--do", "get-device", "--json", "{\"ifname\": \"ynl0\"}"]
dumpdev	["--dump", "get-device"]
dup	["--do", "new-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": {\"remote-ipv4\": \"c0000203\", \"prefix\": [{\"ipv4\": \"0a010000\", \"len\": 24}]}}"]
del1	["--do", "del-peer", "--json", "{\"ifname\": \"ynl0\", \"peer\": {\"remote-ipv4\": \"c0000201\"}}"]
dump2	["--dump", "get-peer", "--json", "{\"ifname\": \"ynl0\"}"]
flush	["--do", "flush-peers", "--json", "{\"ifname\": \"ynl0\"}"]
dump3	["--dump", "get-peer", "--json", "{\"ifname\": \"ynl0\"}"]
EOS
$PY - "$ynl/tools/net/ynl" "$spec" "$T" <<'PYEOF' >"$T/driver.log" 2>&1
import contextlib, io, json, sys, traceback
ynl, spec, out_dir = sys.argv[1:]
sys.path.insert(0, ynl)
import cli, yaml
# The spec as the CLI reads it, with libyaml's loader: the pure-Python one
# takes a second per start under TCG.
yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)
for line in open(f'{out_dir}/steps'):
    name, args = line.rstrip('\n').split('\t')
    sys.argv = ['cli.py', '--spec', spec, '--no-schema', '--output-json'] + json.loads(args)
    out, rc = io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            cli.main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception:
        out.write(traceback.format_exc())
        rc = 2
    open(f'{out_dir}/{name}.out', 'w').write(out.getvalue())
    open(f'{out_dir}/{name}.rc', 'w').write(f'{rc}\n')
PYEOF
# step NAME: print what step NAME printed, exit with its status.
step() {
	[ -f "$T/$1.rc" ] || { echo "step $1 did not run: $(cat "$T/driver.log")"; return 99; }
	cat "$T/$1.out"
	return "$(cat "$T/$1.rc")"
}
# nlerr NAME: the errno line and the extack message of a failed step.
nlerr() { step "$1" | sed -n "1p; s/.*'msg': '\\([^']*\\)'.*/msg: \\1/p"; }

ok "new-peer via the YNL CLI" step new1
ok "second peer (IPv6 remote)" step new2
ok "third peer, its prefixes in two peer attributes of one request" step new3
fails "repeated peer attributes naming two remotes: refused" step tworemotes
is "... EINVAL with the kernel's extack message" "$(nlerr tworemotes)" \
	"Netlink error: Invalid argument"$'\n'"msg: repeated peer nests name different remotes"
out=$(step dump1 2>&1)
like "dump shows the first peer, its MAC and prefixes" "$out" '"remote-ipv4": "192.0.2.1".*"mac": "02:00:00:00:00:01".*"num-prefixes": 2.*"ipv4": "10.1.0.0", "len": 24.*"ipv6": "fd00:1::", "len": 64'
like "dump shows the second peer" "$out" '"remote-ipv6": "2001:db8::2".*"ipv4": "10.2.0.0"'
like "dump shows the third peer with both prefixes" "$out" '"remote-ipv4": "192.0.2.3".*"num-prefixes": 2.*"ipv4": "10.3.0.0", "len": 24.*"ipv4": "10.3.1.0", "len": 24'
ok "del-peer of the third peer" step del3
out=$(step getdev 2>&1)
like "get-device: counts" "$out" '"num-peers": 2, "num-prefixes": 3'
is "get-device: config as created (YNL decodes the link attribute set)" \
	"$(jget '.config | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(" ")' <<<"$out")" \
	"dst-valid=1 encap=vxlan local=127.0.0.1 mac=0a:58:0a:f4:01:00 port=4789 src-valid=1 srcport-max=50010 srcport-min=50000 tos=40 tos-inherit=0 ttl=0 ttl-inherit=1 udp-csum=1 vni=300"
is "get-device: socket stats" \
	"$(jget '."socket-stats" | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(" ")' <<<"$out")" \
	"rx-drop-bad-header=0 rx-drop-bad-vni=0"
is "get-device dump: the same config" "$(step dumpdev 2>&1 | jget '[.[].config.vni]')" "[300]"
fails "duplicate prefix: refused" step dup
is "... EEXIST with the kernel's extack message" "$(nlerr dup)" \
	"Netlink error: File exists"$'\n'"msg: prefix is owned by another peer"
ok "del-peer via the YNL CLI" step del1
like "only the second peer is left" "$(step dump2 2>&1)" '^\[\{"ifindex": [0-9]+, "peer": \[\{"remote-ipv6": "2001:db8::2"'
ok "flush-peers via the YNL CLI" step flush
is "dump empty after flush" "$(step dump3 2>&1)" "[]"
ip link del ynl0
pn_unload
done_testing
