#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The podnet generic netlink family, driven with raw netlink from Python
# (independent of podnetctl): CRUD, 30+ bad requests with errno and extack,
# atomic replace (also abandoned), 100k prefixes, dump resume and
# NLM_F_DUMP_INTR, notifications, permissions, netns isolation; GET_DEVICE's
# link configuration and socket drops against rtnetlink's; one peer's
# thousands of prefixes in one request (repeated PEER nests), all or none.
source "$PODNET_ROOT/selftests/lib.sh"

T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
# The big tables: full size where pn_full, elsewhere still many dump
# messages, and still past the default send buffer (12000 prefixes of 20
# bytes are 240 KB, more than 208 KB).
if pn_full; then
	N_BIG=${PODNET_BIG_PREFIXES:-100000} N_MANY=20000
else
	N_BIG=${PODNET_BIG_PREFIXES:-10000} N_MANY=12000
fi

cat >"$T/pn.py" <<'EOF'
import errno, os, socket, struct, sys

NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP_INTR = 1, 2, 4, 16
NLM_F_DUMP, NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x300, 0x100, 0x200, 0x400
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 1 << 15
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK = 270, 1, 11

CMD = dict(get_device=1, new_peer=2, del_peer=3, get_peer=4, flush_peers=5,
           replace_begin=6, replace_add=7, replace_commit=8, replace_abort=9)
A_IFINDEX, A_IFNAME, A_GENERATION, A_NUM_PEERS, A_NUM_PREFIXES = 1, 2, 3, 4, 5
A_REPLACE_PORTID, A_STATS, A_PEER, A_CONFIG, A_SOCKET_STATS = 6, 7, 8, 9, 10
SO_SNDBUFFORCE = 32
P_REMOTE4, P_REMOTE6, P_MAC, P_NUM_PREFIXES, P_STATS, P_PREFIX = 1, 2, 3, 4, 5, 6
X_IPV4, X_IPV6, X_LEN = 1, 2, 3


def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack('HH', n, t) + payload + b'\0' * (-n % 4)


def u32(t, v): return nla(t, struct.pack('I', v))
def u8(t, v): return nla(t, struct.pack('B', v))
def s(t, v): return nla(t, v.encode() + b'\0')
def nest(t, *kids): return nla(t | NLA_F_NESTED, b''.join(kids))


# Addresses through inet_pton/inet_ntop, not ipaddress: ten times faster,
# which 100k prefixes under TCG need.
def family(a): return socket.AF_INET6 if ':' in a else socket.AF_INET
def packed(a): return socket.inet_pton(family(a), a)
def text(b): return socket.inet_ntop(socket.AF_INET if len(b) == 4 else socket.AF_INET6, b)


def norm(p):
    """A prefix as the kernel's dumps give it back (fd00:0::/64 is fd00::/64)."""
    a, _, n = p.partition('/')
    return f'{text(packed(a))}/{n}'


def prefix(p):
    a, _, n = p.partition('/')
    v4 = family(a) == socket.AF_INET
    return nest(P_PREFIX, nla(X_IPV4 if v4 else X_IPV6, packed(a)),
                u8(X_LEN, int(n) if n else 32 if v4 else 128))


def peer(remote=None, prefixes=(), mac=None, raw=b''):
    kids = []
    if remote:
        kids.append(nla(P_REMOTE4 if family(remote) == socket.AF_INET else P_REMOTE6,
                        packed(remote)))
    if mac:
        kids.append(nla(P_MAC, bytes.fromhex(mac.replace(':', ''))))
    kids += [prefix(p) for p in prefixes]
    return nest(A_PEER, *kids, raw)


def peer_nests(remote, prefixes, mac=None, per=3000):
    """One peer in several PEER nests of `per` prefixes: REMOTE in each, MAC in the first."""
    out = b''
    for i in range(0, max(len(prefixes), 1), per):
        out += peer(remote, prefixes[i:i + per], mac=mac if i == 0 else None)
    return out


def attrs(buf):
    out, off = [], 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from('HH', buf, off)
        if n < 4:
            break
        out.append((t & 0x3fff, buf[off + 4:off + n]))
        off += (n + 3) & ~3
    return out


def one(buf, t):
    for k, v in attrs(buf):
        if k == t:
            return v
    return None


def get_u32(buf, t):
    v = one(buf, t)
    return None if v is None else struct.unpack('I', v)[0]


class NlErr(Exception):
    def __init__(self, err, msg, offs):
        super().__init__(f'{os.strerror(err)} ({errno.errorcode.get(err)}): {msg}')
        self.errno, self.msg, self.offs = err, msg, offs


class Genl:
    every = []      # closed by close_all() after each section (sections.py)

    def __init__(self, name='podnet', rcvsize=1 << 20):
        # rcvsize: each recv's size, which is also the size of the dump
        # batches the kernel builds for this socket (netlink_dump()).
        self.rcvsize = rcvsize
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        Genl.every.append(self)
        self.sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.sk.bind((0, 0))
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.portid = self.sk.getsockname()[0]
        self.seq = 1
        self.fam, self.groups = 0x10, {}
        msgs = self.xfer(self.msg(3, nla(2, name.encode() + b'\0'), ver=1))
        p = msgs[0][2]
        self.fam = struct.unpack('H', one(p, 1))[0]
        for _, g in attrs(one(p, 7) or b''):
            self.groups[one(g, 1).rstrip(b'\0').decode()] = get_u32(g, 2)

    def msg(self, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK, ver=1):
        self.seq += 1
        body = struct.pack('BBH', cmd, ver, 0) + payload
        return struct.pack('IHHII', 16 + len(body), self.fam, flags,
                           self.seq, 0) + body

    def recv_all(self, seq, cb=None):
        out = []
        while True:
            data = self.sk.recv(self.rcvsize)
            off = 0
            while off < len(data):
                n, typ, flags, sq, _ = struct.unpack_from('IHHII', data, off)
                body = data[off + 16:off + n]
                off += (n + 3) & ~3
                if typ == NLMSG_ERROR:
                    err = -struct.unpack_from('i', body)[0]
                    if err == 0 and sq == seq:
                        return out
                    if err == 0:
                        continue
                    olen = struct.unpack_from('I', body, 4)[0]
                    tl = body[4 + (16 if flags & 0x100 else olen):] if flags & NLM_F_ACK_TLVS else b''
                    m = one(tl, 1)
                    raise NlErr(err, m.rstrip(b'\0').decode() if m else '',
                                get_u32(tl, 2))
                if typ == NLMSG_DONE:
                    err = -struct.unpack_from('i', body)[0] if len(body) >= 4 else 0
                    if err:
                        tl = body[4:] if flags & NLM_F_ACK_TLVS else b''
                        m = one(tl, 1)
                        raise NlErr(err, m.rstrip(b'\0').decode() if m else '',
                                    get_u32(tl, 2))
                    return out
                out.append((typ, flags, body[4:], body[0]))
                if cb:
                    cb(len(out))
            if not out and seq is None:
                return out

    def xfer(self, m, cb=None):
        self.sk.send(m)
        return self.recv_all(struct.unpack_from('I', m, 8)[0], cb)

    def do(self, cmd, *a, flags=0):
        return self.xfer(self.msg(CMD[cmd], b''.join(a),
                                  NLM_F_REQUEST | NLM_F_ACK | flags))

    def dump(self, cmd, *a, cb=None):
        return self.xfer(self.msg(CMD[cmd], b''.join(a),
                                  NLM_F_REQUEST | NLM_F_DUMP), cb)

    def batch(self, cmd, payloads, flags=0, per=400):
        """Many requests, `per` in one sendmsg; errors still come back."""
        for i in range(0, len(payloads), per):
            ms = [self.msg(CMD[cmd], p, NLM_F_REQUEST | flags) for p in payloads[i:i + per]]
            ms[-1] = self.msg(CMD[cmd], payloads[i + len(ms) - 1],
                              NLM_F_REQUEST | NLM_F_ACK | flags)
            self.sk.send(b''.join(ms))
            self.recv_all(self.seq)


def dev(name):
    return s(A_IFNAME, name)


def parse_peers(msgs):
    """Merge a GET_PEER dump: {remote: (mac, num_prefixes, set(prefixes))}."""
    peers, intr = {}, False
    for _, flags, p, _ in msgs:
        intr |= bool(flags & NLM_F_DUMP_INTR)
        pn = one(p, A_PEER)
        r = text(one(pn, P_REMOTE4) or one(pn, P_REMOTE6))
        ent = peers.setdefault(r, [None, None, set()])
        if one(pn, P_MAC):
            ent[0] = one(pn, P_MAC).hex(':')
        if get_u32(pn, P_NUM_PREFIXES) is not None:
            ent[1] = get_u32(pn, P_NUM_PREFIXES)
        for t, x in attrs(pn):
            if t == P_PREFIX:
                a = one(x, X_IPV4) or one(x, X_IPV6)
                ent[2].add(f'{text(a)}/{one(x, X_LEN)[0]}')
    return peers, intr


def close_all():
    for g in Genl.every:
        g.sk.close()
    Genl.every.clear()


def device(g, name):
    (_, _, p, _), = g.do('get_device', dev(name))
    return dict(ifindex=get_u32(p, A_IFINDEX), generation=get_u32(p, A_GENERATION),
                peers=get_u32(p, A_NUM_PEERS), prefixes=get_u32(p, A_NUM_PREFIXES),
                replace_portid=get_u32(p, A_REPLACE_PORTID))
EOF
export PYTHONPATH=$T

# Every section's Python runs in one process, a coprocess of this shell (a
# Python start-up costs seconds under TCG): sec NAME [ARGS] writes the path
# of $T/NAME.py and its arguments to it, tab-separated; it runs the script
# as `python3 NAME.py ARGS` would and answers with what that printed
# (stdout and stderr), then a line of one EOT.
cat >"$T/sections.py" <<'EOF'
import contextlib, gc, io, runpy, sys, traceback
import pn
for line in sys.stdin:
    sys.argv = line.rstrip('\n').split('\t')
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            runpy.run_path(sys.argv[0], run_name='__main__')
    except SystemExit as e:
        if isinstance(e.code, str):
            buf.write(e.code + '\n')
    except BaseException:
        buf.write(traceback.format_exc())
    pn.close_all()
    gc.collect()
    out = buf.getvalue()
    sys.stdout.write(out + ('\n' if out and not out.endswith('\n') else '') + '\x04\n')
    sys.stdout.flush()
EOF
coproc PN { $PY "$T/sections.py"; }
# sec NAME [ARGS...]: run section NAME, its output into out.
sec() {
	local line
	{ printf '%s' "$T/$1.py"; [ $# -lt 2 ] || printf '\t%s' "${@:2}"; echo; } >&"${PN[1]}"
	out=
	while IFS= read -r line <&"${PN[0]}" && [ "$line" != $'\x04' ]; do
		out+=${out:+$'\n'}$line
	done
}

pn_load
ip link del pn0 2>/dev/null
ok "create podnet device pn0" ip link add pn0 type podnet
ok "create a device of another kind (bridge)" ip link add other0 type bridge

# --- CRUD round trips --------------------------------------------------------
cat >"$T/crud.py" <<'EOF'
from pn import *
g = Genl()
d0 = device(g, 'pn0')
assert d0['peers'] == 0 and d0['prefixes'] == 0, d0
g.do('new_peer', dev('pn0'), peer('192.0.2.1', ['10.1.0.0/24', 'fd00:1::/64'], mac='02:00:00:00:00:01'))
g.do('new_peer', dev('pn0'), peer('2001:db8::2', ['10.2.0.0/24']))
g.do('new_peer', dev('pn0'), peer('192.0.2.1', ['10.1.1.0/24']))  # update: adds
peers, intr = parse_peers(g.dump('get_peer', dev('pn0')))
assert not intr
assert peers == {'192.0.2.1': ['02:00:00:00:00:01', 3, {'10.1.0.0/24', 'fd00:1::/64', '10.1.1.0/24'}],
                 '2001:db8::2': [None, 1, {'10.2.0.0/24'}]}, peers
d1 = device(g, 'pn0')
assert d1['peers'] == 2 and d1['prefixes'] == 4 and d1['generation'] > d0['generation'], d1
# filter by remote
peers, _ = parse_peers(g.dump('get_peer', dev('pn0'), peer('2001:db8::2')))
assert list(peers) == ['2001:db8::2'], peers
# move a prefix with NLM_F_REPLACE
g.do('new_peer', dev('pn0'), peer('2001:db8::2', ['10.1.1.0/24']), flags=NLM_F_REPLACE)
peers, _ = parse_peers(g.dump('get_peer', dev('pn0')))
assert peers['192.0.2.1'][2] == {'10.1.0.0/24', 'fd00:1::/64'} and peers['192.0.2.1'][1] == 2, peers
assert peers['2001:db8::2'][2] == {'10.2.0.0/24', '10.1.1.0/24'}, peers
# clear the mac, delete prefixes of any owner, then a whole peer
g.do('new_peer', dev('pn0'), peer('192.0.2.1', mac='00:00:00:00:00:00'))
g.do('del_peer', dev('pn0'), peer(None, ['10.1.1.0/24', 'fd00:1::/64']))
g.do('del_peer', dev('pn0'), peer('2001:db8::2', ['10.2.0.0/24']))
peers, _ = parse_peers(g.dump('get_peer', dev('pn0')))
assert peers == {'192.0.2.1': [None, 1, {'10.1.0.0/24'}], '2001:db8::2': [None, 0, set()]}, peers
g.do('del_peer', dev('pn0'), peer('2001:db8::2'))
ifx = device(g, 'pn0')['ifindex']
peers, _ = parse_peers(g.dump('get_peer', u32(A_IFINDEX, ifx)))
assert list(peers) == ['192.0.2.1'], peers
g.do('flush_peers', dev('pn0'))
assert device(g, 'pn0')['peers'] == 0
# device dump lists pn0 and not other0
names = [one(p, A_IFNAME) for _, _, p, _ in g.dump('get_device')]
assert names == [b'pn0\0'], names
print('crud ok')
EOF
sec crud
is "CRUD round trips (new/update/move/del/flush, dump contents exact)" "$out" "crud ok"

# --- bad requests: errno and extack message ----------------------------------
# One TAP line per request, from lines "DESC<TAB>WANT<TAB>GOT", WANT and GOT
# as "ERRNO: extack message", the whole message: podnet's own, or the
# netlink core's for policy violations (get-peer as a do has none).
cat >"$T/bad.py" <<'EOF'
from pn import *
g = Genl()
P = peer
V4 = nla(P_REMOTE4, bytes([192, 0, 2, 1]))
POLICY, LENGTH = 'Attribute failed policy validation', 'invalid attribute length'
SIZE, INT = 'binary attribute size out of range', 'integer out of range'
UNKNOWN = 'Unknown attribute type'
UNICAST4, UNICAST6 = 'remote-ipv4 is not a unicast address', 'remote-ipv6 is not a unicast address'
RO, NOREPLACE = 'attribute is read-only', 'no replace in progress from this socket'
bad = [
 # (description, cmd, payload, flags, errno, extack message)
 ('no device selector', 'new_peer', [P('192.0.2.1')], 0, errno.EINVAL, 'missing ifindex or ifname'),
 ('unknown ifindex', 'new_peer', [u32(A_IFINDEX, 999999), P('192.0.2.1')], 0, errno.ENODEV, 'no such device'),
 ('unknown ifname', 'get_device', [dev('nope0')], 0, errno.ENODEV, 'no such device'),
 ('device of another kind', 'new_peer', [dev('other0'), P('192.0.2.1')], 0, errno.EOPNOTSUPP, 'not a podnet device'),
 ('ifindex and ifname disagree', 'get_device', [u32(A_IFINDEX, 1), dev('pn0')], 0, errno.EINVAL, 'ifname and ifindex name different devices'),
 ('ifname too long', 'get_device', [s(A_IFNAME, 'x' * 20)], 0, errno.EINVAL, POLICY),
 ('ifindex wrong length', 'get_device', [nla(A_IFINDEX, b'\1\0')], 0, errno.EINVAL, LENGTH),
 ('missing peer nest', 'new_peer', [dev('pn0')], 0, errno.EINVAL, 'missing peer'),
 ('peer without remote', 'new_peer', [dev('pn0'), P(None, ['10.0.0.0/8'])], 0, errno.EINVAL, 'peer needs remote-ipv4 or remote-ipv6'),
 ('remote-ipv4 3 bytes', 'new_peer', [dev('pn0'), nest(A_PEER, nla(P_REMOTE4, b'\1\2\3'))], 0, errno.ERANGE, SIZE),
 ('remote-ipv6 4 bytes', 'new_peer', [dev('pn0'), nest(A_PEER, nla(P_REMOTE6, b'\1\2\3\4'))], 0, errno.ERANGE, SIZE),
 ('both remotes', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nla(P_REMOTE6, bytes(15) + b'\1'))], 0, errno.EINVAL, 'remote-ipv4 and remote-ipv6 are exclusive'),
 ('remote 0.0.0.0', 'new_peer', [dev('pn0'), P('0.0.0.0')], 0, errno.EINVAL, UNICAST4),
 ('remote multicast', 'new_peer', [dev('pn0'), P('224.0.0.1')], 0, errno.EINVAL, UNICAST4),
 ('remote broadcast', 'new_peer', [dev('pn0'), P('255.255.255.255')], 0, errno.EINVAL, UNICAST4),
 ('remote ::', 'new_peer', [dev('pn0'), P('::')], 0, errno.EINVAL, UNICAST6),
 ('remote ff02::1', 'new_peer', [dev('pn0'), P('ff02::1')], 0, errno.EINVAL, UNICAST6),
 ('remote v4-mapped', 'new_peer', [dev('pn0'), P('::ffff:192.0.2.1')], 0, errno.EINVAL, UNICAST6),
 ('mac 5 bytes', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nla(P_MAC, bytes(5)))], 0, errno.ERANGE, SIZE),
 ('multicast mac', 'new_peer', [dev('pn0'), P('192.0.2.1', mac='01:00:5e:00:00:01')], 0, errno.EINVAL, 'mac is a multicast address'),
 ('prefix length 33', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, nla(X_IPV4, bytes(4)), u8(X_LEN, 33)))], 0, errno.EINVAL, 'prefix len is longer than the address'),
 ('prefix length 129', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, nla(X_IPV6, bytes(16)), u8(X_LEN, 129)))], 0, errno.ERANGE, INT),
 ('v4 host bits', 'new_peer', [dev('pn0'), P('192.0.2.1', ['10.1.0.1/24'])], 0, errno.EINVAL, 'prefix has bits set past its len'),
 ('v6 host bits', 'new_peer', [dev('pn0'), P('192.0.2.1', ['fd00::1/64'])], 0, errno.EINVAL, 'prefix has bits set past its len'),
 ('prefix without len', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, nla(X_IPV4, bytes(4))))], 0, errno.EINVAL, 'prefix needs len'),
 ('prefix without address', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, u8(X_LEN, 8)))], 0, errno.EINVAL, 'prefix needs ipv4 or ipv6'),
 ('prefix with both families', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, nla(X_IPV4, bytes(4)), nla(X_IPV6, bytes(16)), u8(X_LEN, 8)))], 0, errno.EINVAL, 'prefix ipv4 and ipv6 are exclusive'),
 ('prefix ipv4 16 bytes', 'new_peer', [dev('pn0'), nest(A_PEER, V4, nest(P_PREFIX, nla(X_IPV4, bytes(16)), u8(X_LEN, 8)))], 0, errno.ERANGE, SIZE),
 ('unknown top-level attribute', 'get_device', [dev('pn0'), nla(60, b'')], 0, errno.EINVAL, UNKNOWN),
 ('unknown peer attribute', 'new_peer', [dev('pn0'), P('192.0.2.1', raw=nla(40, b'xxxx'))], 0, errno.EINVAL, UNKNOWN),
 ('read-only generation', 'new_peer', [dev('pn0'), u32(A_GENERATION, 5), P('192.0.2.1')], 0, errno.EINVAL, RO),
 ('read-only num-prefixes in peer', 'new_peer', [dev('pn0'), P('192.0.2.1', raw=u32(P_NUM_PREFIXES, 1))], 0, errno.EINVAL, RO),
 ('peer nest without NLA_F_NESTED', 'new_peer', [dev('pn0'), nla(A_PEER, V4)], 0, errno.EINVAL, 'NLA_F_NESTED is missing'),
 ('oversized nest length', 'new_peer', [dev('pn0'), struct.pack('HH', 200, A_PEER | NLA_F_NESTED) + V4], 0, errno.EINVAL, 'bytes leftover after parsing attributes'),
 ('duplicate prefix, other peer', 'new_peer', [dev('pn0'), P('192.0.2.2', ['10.9.0.0/16'])], 0, errno.EEXIST, 'prefix is owned by another peer'),
 ('existing peer with NLM_F_EXCL', 'new_peer', [dev('pn0'), P('192.0.2.1')], NLM_F_EXCL, errno.EEXIST, 'peer exists'),
 ('del of unknown peer', 'del_peer', [dev('pn0'), P('192.0.2.99')], 0, errno.ENOENT, 'no such peer'),
 ('del of unknown prefix', 'del_peer', [dev('pn0'), P(None, ['10.8.0.0/16'])], 0, errno.ENOENT, 'no such prefix'),
 ('del of prefix of another peer', 'del_peer', [dev('pn0'), P('192.0.2.3', ['10.9.0.0/16'])], 0, errno.ENOENT, 'prefix is not owned by this peer'),
 ('del of the same prefix twice', 'del_peer', [dev('pn0'), P(None, ['10.9.0.0/16', '10.9.0.0/16'])], 0, errno.ENOENT, 'no such prefix'),
 ('del with empty peer', 'del_peer', [dev('pn0'), P(None)], 0, errno.EINVAL, 'peer needs a remote or prefixes'),
 ('replace-add without begin', 'replace_add', [dev('pn0'), P('192.0.2.1')], 0, errno.ENOENT, NOREPLACE),
 ('replace-commit without begin', 'replace_commit', [dev('pn0')], 0, errno.ENOENT, NOREPLACE),
 ('get-peer as a do', 'get_peer', [dev('pn0')], 0, errno.EOPNOTSUPP, ''),
 ('repeated peer, other remote', 'new_peer', [dev('pn0'), P('192.0.2.4', ['10.30.0.0/16']), P('192.0.2.5', ['10.31.0.0/16'])], 0, errno.EINVAL, 'repeated peer nests name different remotes'),
 ('repeated peer without remote', 'new_peer', [dev('pn0'), P('192.0.2.4', ['10.30.0.0/16']), P(None, ['10.31.0.0/16'])], 0, errno.EINVAL, 'repeated peer nests name different remotes'),
 ('mac in a repeated peer', 'new_peer', [dev('pn0'), P('192.0.2.4', ['10.30.0.0/16']), P('192.0.2.4', ['10.31.0.0/16'], mac='02:00:00:00:00:09')], 0, errno.EINVAL, 'mac is only allowed in the first peer nest'),
 ('read-only config', 'get_device', [dev('pn0'), nla(A_CONFIG, u32(1, 5))], 0, errno.EINVAL, RO),
 # nothing half-applied: the table check below covers this one too
 ('the 3rd of 3 prefixes owned by another peer', 'new_peer', [dev('pn0'), P('192.0.2.4', ['10.20.0.0/16', '10.21.0.0/16', '10.9.0.0/16'])], 0, errno.EEXIST, 'prefix is owned by another peer'),
]
def result(cmd, payload, flags):
    try:
        g.do(cmd, *payload, flags=flags)
        return 'succeeded'
    except NlErr as e:
        return f'{errno.errorcode.get(e.errno, e.errno)}: {e.msg}'
g.do('new_peer', dev('pn0'), P('192.0.2.1', ['10.9.0.0/16']))
g.do('new_peer', dev('pn0'), P('192.0.2.3'))
before = parse_peers(g.dump('get_peer', dev('pn0')))[0]
for desc, cmd, payload, flags, want, msg in bad:
    print(f'{desc}\t{errno.errorcode[want]}: {msg}\t{result(cmd, payload, flags)}')
after = parse_peers(g.dump('get_peer', dev('pn0')))[0]
print(f'the table after {len(bad)} refused requests\tunchanged\t'
      f'{"unchanged" if after == before else f"{before} -> {after}"}')
g.do('flush_peers', dev('pn0'))
print('done')
EOF
sec bad
while IFS= read -r line; do
	IFS=$'\t' read -r desc want got <<<"$line"
	if [ "$line" = done ]; then
		:
	elif [ "$line" = "$desc"$'\t'"$want"$'\t'"$got" ]; then
		is "bad request: $desc" "$got" "$want"
	else
		_tap_result not-ok "bad requests: a result line" "got: $line"
	fi
done <<<"$out"
is "bad requests: the script ran to its end" "$(tail -n 1 <<<"$out")" done

# --- atomic replace, abandoned replace, events -------------------------------
cat >"$T/replace.py" <<'EOF'
from pn import *
import select
g, h, mon = Genl(), Genl(), Genl()
mon.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, mon.groups['events'])
g.do('new_peer', dev('pn0'), peer('192.0.2.1', ['10.1.0.0/24', '10.2.0.0/24']))
g.do('new_peer', dev('pn0'), peer('192.0.2.2', ['10.3.0.0/24']))
gen0 = device(g, 'pn0')['generation']
g.do('replace_begin', dev('pn0'))
assert device(g, 'pn0')['replace_portid'] == g.portid
try:
    h.do('replace_begin', dev('pn0')); raise SystemExit('second begin accepted')
except NlErr as e:
    assert (e.errno, e.msg) == (errno.EBUSY, "another socket is replacing this device's table"), e
try:
    h.do('replace_add', dev('pn0'), peer('192.0.2.9')); raise SystemExit('foreign add accepted')
except NlErr as e:
    assert (e.errno, e.msg) == (errno.ENOENT, 'no replace in progress from this socket'), e
g.do('replace_add', dev('pn0'), peer('192.0.2.1', ['10.1.0.0/24']))
g.do('replace_add', dev('pn0'), peer('192.0.2.1', ['fd00::/64']))
g.do('replace_add', dev('pn0'), peer('192.0.2.5', ['10.5.0.0/24'], mac='02:00:00:00:00:05'))
try:
    g.do('replace_add', dev('pn0'), peer('192.0.2.6', ['10.5.0.0/24'])); raise SystemExit('dup in staging')
except NlErr as e:
    assert (e.errno, e.msg) == (errno.EEXIST, 'prefix is owned by another peer'), e
# live table untouched until commit
assert set(parse_peers(g.dump('get_peer', dev('pn0')))[0]) == {'192.0.2.1', '192.0.2.2'}
g.do('replace_commit', dev('pn0'))
peers, _ = parse_peers(g.dump('get_peer', dev('pn0')))
assert peers == {'192.0.2.1': [None, 2, {'10.1.0.0/24', 'fd00::/64'}],
                 '192.0.2.5': ['02:00:00:00:00:05', 1, {'10.5.0.0/24'}]}, peers
d = device(g, 'pn0')
assert d['replace_portid'] is None and d['generation'] > gen0, d
# abandoned: begin + add from a socket that then closes
k = Genl()
k.do('replace_begin', dev('pn0'))
k.do('replace_add', dev('pn0'), peer('192.0.2.7', ['10.7.0.0/24']))
assert device(g, 'pn0')['replace_portid'] == k.portid
k.sk.close()
assert device(g, 'pn0')['replace_portid'] is None
h.do('replace_begin', dev('pn0'))       # free again
h.do('replace_abort', dev('pn0'))
assert parse_peers(g.dump('get_peer', dev('pn0')))[0] == peers
g.do('del_peer', dev('pn0'), peer('192.0.2.5'))
g.do('flush_peers', dev('pn0'))
# events: new, commit, del, flush
cmds = []
while select.select([mon.sk], [], [], 0.5)[0]:
    data = mon.sk.recv(1 << 16)
    off = 0
    while off < len(data):
        n, typ, flags, _, _ = struct.unpack_from('IHHII', data, off)
        cmds.append((data[off + 16], flags & (NLM_F_CREATE | NLM_F_REPLACE)))
        off += (n + 3) & ~3
assert cmds == [(2, NLM_F_CREATE), (2, NLM_F_CREATE), (8, 0), (3, 0), (5, 0)], cmds
print('replace ok')
EOF
sec replace
is "atomic replace, EBUSY/ENOENT for other sockets, abandoned replace freed, events" "$out" "replace ok"

# --- 100k prefixes: replace, exact dump, DUMP_INTR, flush --------------------
cat >"$T/big.py" <<'EOF'
import sys, time
from pn import *
N = int(sys.argv[1])
g = Genl()
# 5 prefixes per peer: 3 IPv4 /24 (10.0.0.0/8 and 11.0.0.0/8), 2 IPv6 /64
want, payloads = {}, []
npeers = N // 5
for i in range(npeers):
    r = f'172.{16 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}'
    ps = []
    for j in range(3):
        k = i * 3 + j
        ps.append(f'{10 + (k >> 16)}.{(k >> 8) & 255}.{k & 255}.0/24')
    ps += [f'fd00:{i >> 16:x}:{i & 0xffff:x}:{j}::/64' for j in range(2)]
    want[r] = [None, 5, {norm(p) for p in ps}]
    payloads.append(dev('pn0') + peer(r, ps))
t = time.time()
g.do('replace_begin', dev('pn0'))
g.batch('replace_add', payloads)
g.do('replace_commit', dev('pn0'))
t = time.time() - t
d = device(g, 'pn0')
assert d['peers'] == npeers and d['prefixes'] == 5 * npeers, d
msgs = g.dump('get_peer', dev('pn0'))
peers, intr = parse_peers(msgs)
if intr or peers != want:
    bad = [(r, peers.get(r), want[r]) for r in want if peers.get(r) != want[r]]
    raise SystemExit(f'intr {intr}, {len(peers)} peers, {len(bad)} differ, e.g. {bad[:2]}, extra {set(peers) - set(want)}')
print(f'# {5 * npeers} prefixes replaced in {t:.2f}s, dumped in {len(msgs)} messages')
# a dump interrupted by a change is flagged
h = Genl()
seen = []
def poke(n):
    if n == 1:
        h.do('new_peer', dev('pn0'), peer('192.0.2.200'))
msgs = g.dump('get_peer', dev('pn0'), cb=poke)
assert any(flags & NLM_F_DUMP_INTR for _, flags, _, _ in msgs), 'no NLM_F_DUMP_INTR'
g.do('flush_peers', dev('pn0'))
d = device(g, 'pn0')
assert d['peers'] == 0 and d['prefixes'] == 0, d
print('big ok')
EOF
sec big "$N_BIG"
diag "$(grep '^#' <<<"$out")"
like "$N_BIG prefixes: replace, exact dump, NLM_F_DUMP_INTR, flush" "$out" "big ok"

# --- one peer with more prefixes than fit in a dump message -------------------
cat >"$T/split.py" <<'EOF'
from pn import *
g = Genl()
ps = [f'10.{i >> 8}.{i & 255}.0/24' for i in range(6000)]
for i in range(0, len(ps), 1000):
    g.do('new_peer', dev('pn0'), peer('192.0.2.1', ps[i:i + 1000]))
msgs = g.dump('get_peer', dev('pn0'))
peers, intr = parse_peers(msgs)
assert len(msgs) > 1 and not intr and peers == {'192.0.2.1': [None, 6000, set(ps)]}, (len(msgs), intr)
g.do('flush_peers', dev('pn0'))
print('split ok')
EOF
sec split
is "a peer split across dump messages" "$out" "split ok"

# --- a dump resumed after its device was renamed, deleted or replaced --------
# Each device below gets the same number of changes, so under per-device
# generations they would all be at the same one: the cursor's tag would not
# tell them apart.  Between the dump's first and second batch (poke at the
# first message): a rename moves the name to another device, a delete and
# re-create leaves a new device under the name, and a re-create with the
# same ifindex leaves a new device under the index.
cat >"$T/dumpswap.py" <<'EOF'
import os, subprocess
from pn import *
env = dict(os.environ, IP_LIB_DIR=os.environ['PODNET_ROOT'] + '/userspace/ip')
def ip(*a): subprocess.run(('ip',) + a, check=True, env=env)
def ifindex(name): return int(open(f'/sys/class/net/{name}/ifindex').read())
# Batches of 16 KiB: the 120 KB peer takes several, and the poke after the
# first message comes before the kernel builds the third.
g, h = Genl(rcvsize=16384), Genl()
def make(name, remote, base, *opts):
    """A device with one peer of 6000 prefixes, in 6 changes."""
    ip('link', 'add', name, *opts, 'type', 'podnet', 'vni', str(base))
    for i in range(0, 6000, 1000):
        h.do('new_peer', dev(name), peer(remote, [f'{base}.{k >> 8}.{k & 255}.0/24' for k in range(i, i + 1000)]))
def ifindexes(msgs): return {get_u32(p, A_IFINDEX) for _, _, p, _ in msgs}
def at_first(fn):
    return lambda n: fn() if n == 1 else None

make('pnd1', '192.0.2.11', 11)
make('pnd2', '192.0.2.12', 12)
i1 = ifindex('pnd1')
want, _ = parse_peers(g.dump('get_peer', dev('pnd1')))
msgs = g.dump('get_peer', dev('pnd1'), cb=at_first(lambda: (
    ip('link', 'set', 'pnd1', 'name', 'pndx'), ip('link', 'set', 'pnd2', 'name', 'pnd1'))))
peers, intr = parse_peers(msgs)
assert len(msgs) > 3, len(msgs)
assert ifindexes(msgs) == {i1}, f'rename: the dump moved from ifindex {i1} to {ifindexes(msgs) - {i1}}'
assert peers == want and not intr, f'rename: intr {intr}, peers {list(peers)}'
print('rename ok')
ip('link', 'del', 'pndx')
ip('link', 'del', 'pnd1')

make('pnd1', '192.0.2.11', 11)
try:
    g.dump('get_peer', dev('pnd1'), cb=at_first(lambda: (
        ip('link', 'del', 'pnd1'), make('pnd1', '192.0.2.21', 21))))
    print('delete: the dump went on')
except NlErr as e:
    print(f'delete: {errno.errorcode.get(e.errno)} {e.msg}')
i1 = ifindex('pnd1')
msgs = g.dump('get_peer', dev('pnd1'), cb=at_first(lambda: (
    ip('link', 'del', 'pnd1'), make('pnd1', '192.0.2.31', 31, 'index', str(i1)))))
peers, intr = parse_peers(msgs)
assert ifindex('pnd1') == i1
assert intr and set(peers) == {'192.0.2.21', '192.0.2.31'}, f'same ifindex: intr {intr}, peers {list(peers)}'
print('same ifindex ok')
ip('link', 'del', 'pnd1')
EOF
sec dumpswap
mapfile -t res <<<"$out"
is "dump of a device renamed mid-dump (its name now another device's): the same device to the end" \
	"${res[0]}" "rename ok"
is "dump of a device deleted and re-created mid-dump: ENODEV, with the reason" \
	"${res[1]:-}" "delete: ENODEV device deleted or moved during the dump"
is "dump of a device re-created with its ifindex mid-dump: NLM_F_DUMP_INTR, resumed on the new table" \
	"${res[2]:-}" "same ifindex ok"

# --- GET_DEVICE: link configuration and socket drops ---------------------------
ipp() { IP_LIB_DIR=$PODNET_ROOT/userspace/ip ip "$@"; }
ok "device with IPv4 options (ip plugin)" ipp link add pncfg type podnet vni 4097 port 4790 \
	local 127.0.0.1 dev lo ttl 9 tos 0x20 srcport 40000 40100 udpcsum nosrcvalid \
	mac 0a:58:7f:00:00:01 dstvalid
ok "device with IPv6 options (ip plugin)" ipp link add pncfg6 type podnet vni 4098 port 4791 \
	local6 ::1 ttl inherit tos inherit mac 0a:58:00:00:00:01
cat >"$T/cfg.py" <<'EOF'
import ipaddress, socket, time
from pn import *
IFLA_LINKINFO, IFLA_INFO_DATA, IFLA_INFO_XSTATS = 18, 2, 3
(VNI, PORT, LOCAL, LOCAL6, LINK, TTL, TTL_INHERIT, TOS, TOS_INHERIT, SRCPORT_MIN,
 SRCPORT_MAX, UDP_CSUM, ENCAP, SRC_VALID, MAC, DST_VALID) = range(1, 17)


def getdev(g, name):
    (_, _, p, _), = g.do('get_device', dev(name))
    return one(p, A_CONFIG), one(p, A_SOCKET_STATS)


def rtnl(name):
    """IFLA_INFO_DATA and IFLA_INFO_XSTATS of RTM_GETLINK, raw."""
    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    body = struct.pack('BxHiII', 0, 0, 0, 0, 0) + nla(3, name.encode() + b'\0')
    sk.send(struct.pack('IHHII', 16 + len(body), 18, NLM_F_REQUEST, 1, 0) + body)
    data = sk.recv(1 << 16)
    n, typ = struct.unpack_from('IH', data)
    assert typ == 16, typ       # RTM_NEWLINK
    li = one(data[32:n], IFLA_LINKINFO)
    return one(li, IFLA_INFO_DATA), one(li, IFLA_INFO_XSTATS)


def decode(cfg):
    fmt = {VNI: 'I', PORT: 'H', LINK: 'I', SRCPORT_MIN: 'H', SRCPORT_MAX: 'H'}
    out = {}
    for t, v in attrs(cfg):
        if t in (LOCAL, LOCAL6):
            out[t] = str(ipaddress.ip_address(v))
        elif t == MAC:
            out[t] = v.hex(':')
        else:
            out[t] = struct.unpack(fmt.get(t, 'B'), v)[0]
    return out


def xstats(x):
    return {t: struct.unpack('Q', v)[0] for t, v in attrs(x) if t != 1}


g = Genl()
res = []
cfg, x = getdev(g, 'pncfg')
res.append(decode(cfg) == {VNI: 4097, PORT: 4790, LOCAL: '127.0.0.1', LINK: 1, TTL: 9,
                           TTL_INHERIT: 0, TOS: 0x20, TOS_INHERIT: 0, SRCPORT_MIN: 40000,
                           SRCPORT_MAX: 40100, UDP_CSUM: 1, ENCAP: 0, SRC_VALID: 0,
                           MAC: '0a:58:7f:00:00:01', DST_VALID: 1} or decode(cfg))
res.append((cfg, x) == rtnl('pncfg') or ('rtnl differs', rtnl('pncfg')))
res.append(xstats(x) == {2: 0, 3: 0} or xstats(x))
cfg, _ = getdev(g, 'pncfg6')
res.append(decode(cfg) == {VNI: 4098, PORT: 4791, LOCAL6: '::1', TTL: 0, TTL_INHERIT: 1,
                           TOS: 0, TOS_INHERIT: 1, SRCPORT_MIN: 0, SRCPORT_MAX: 0,
                           UDP_CSUM: 0, ENCAP: 0, SRC_VALID: 1, MAC: '0a:58:00:00:00:01',
                           DST_VALID: 0} or decode(cfg))
# the dump carries the same for every device
dumped = {one(p, A_IFNAME): one(p, A_CONFIG) for _, _, p, _ in g.dump('get_device')}
res.append(dumped[b'pncfg\0'] == getdev(g, 'pncfg')[0] and dumped[b'pncfg6\0'] == cfg)
print('config', res)

# Drops on the socket: two bad headers (short, bad flags), one unknown VNI.
os.system('ip link set pncfg up >/dev/null 2>&1')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for pkt in [b'\0' * 4, struct.pack('!II', 0x0c000000, 4097 << 8) + bytes(14),
            struct.pack('!II', 0x08000000, 99 << 8) + bytes(14)]:
    u.sendto(pkt, ('127.0.0.1', 4790))
for _ in range(50):
    _, x = getdev(g, 'pncfg')
    if xstats(x) == {2: 2, 3: 1}:
        break
    time.sleep(0.1)
print('drops', xstats(x), x == rtnl('pncfg')[1])
os.system('ip link set pncfg down >/dev/null 2>&1')
print('down', xstats(getdev(g, 'pncfg')[1]))
EOF
sec cfg
is "GET_DEVICE config: every IFLA_PODNET_* as created, equal to RTM_GETLINK's, in dumps too" \
	"$(grep '^config' <<<"$out")" "config [True, True, True, True, True]"
is "GET_DEVICE socket stats: 2 bad headers, 1 unknown VNI, equal to IFLA_INFO_XSTATS" \
	"$(grep '^drops' <<<"$out")" "drops {2: 2, 3: 1} True"
is "socket stats read zero while the device is down" "$(grep '^down' <<<"$out")" "down {2: 0, 3: 0}"
ok "delete the configured devices" sh -c "ip link del pncfg && ip link del pncfg6"

# --- one peer, thousands of prefixes, one request --------------------------------
cat >"$T/onepeer.py" <<'EOF'
import select, sys
from pn import *
N = int(sys.argv[1])
g, mon = Genl(), Genl()
mon.sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
mon.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, mon.groups['events'])
ps = [f'10.{100 + (i >> 8)}.{i & 255}.0/24' for i in range(5000)]
res = []
# 5000 prefixes do not fit in one 64 KiB attribute: two PEER nests, one request
req = peer_nests('192.0.2.1', ps, mac='02:00:00:00:00:01')
res.append(len([t for t, _ in attrs(req) if t == A_PEER]))
g.do('new_peer', dev('pn0'), req)
peers, _ = parse_peers(g.dump('get_peer', dev('pn0')))
res.append(peers == {'192.0.2.1': ['02:00:00:00:00:01', 5000, set(ps)]})
# its notification: one message, the prefixes in several PEER nests, each with REMOTE
data = mon.sk.recv(1 << 22) if select.select([mon.sk], [], [], 2)[0] else b''
p = data[20:struct.unpack_from('I', data)[0]] if data else b''
nests = [v for t, v in attrs(p) if t == A_PEER]
got = set()
for v in nests:
    assert one(v, P_REMOTE4) == bytes([192, 0, 2, 1])
    for t, x in attrs(v):
        if t == P_PREFIX:
            got.add(f'{text(one(x, X_IPV4))}/{one(x, X_LEN)[0]}')
res.append((len(nests) >= 2, get_u32(nests[0], P_NUM_PREFIXES) if nests else None, got == set(ps)))
# (no listener from here on: the N-prefix event would be one skb of N * 20 B)
mon.sk.close()
# all or none: the last of 5000 prefixes is owned by 192.0.2.1
bad = [f'10.{200 + (i >> 8)}.{i & 255}.0/24' for i in range(4999)] + [ps[-1]]
try:
    g.do('new_peer', dev('pn0'), peer_nests('192.0.2.2', bad)); res.append('accepted')
except NlErr as e:
    res.append((errno.errorcode[e.errno], e.msg))
d = device(g, 'pn0')
res.append((d['peers'], d['prefixes']))
# N prefixes (N * 20 B) are more than the default send buffer holds...
big = [f'11.{i >> 8}.{i & 255}.0/24' for i in range(N)]
msg = g.msg(CMD['new_peer'], dev('pn0') + peer_nests('192.0.2.3', big))
try:
    g.sk.send(msg); res.append('sent')
except OSError as e:
    res.append(errno.errorcode[e.errno])
# ...and go in one request once it is raised
g.sk.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 1 << 21)
g.xfer(msg)
peers, _ = parse_peers(g.dump('get_peer', dev('pn0'), peer('192.0.2.3')))
res.append(peers == {'192.0.2.3': [None, N, set(big)]})
# delete 5000 prefixes of a peer in one request, then the peers
g.do('del_peer', dev('pn0'), peer_nests('192.0.2.1', ps))
d = device(g, 'pn0')
res.append((d['peers'], d['prefixes']))
g.do('flush_peers', dev('pn0'))
print(res)
EOF
sec onepeer "$N_MANY"
is "5000 prefixes in 2 PEER nests of one request: all present, one event with all of them; all or none; $N_MANY past the send buffer (EMSGSIZE) once it is raised; one DEL_PEER" \
	"$out" "[2, True, (True, 5000, True), ('EEXIST', 'prefix is owned by another peer'), (1, 5000), 'EMSGSIZE', True, (2, $N_MANY)]"

# --- permissions, netns isolation ---------------------------------------------
# Each check runs in a forked child that drops its privileges or enters a
# netns as unshare -U -r, setpriv or ip netns exec would.  Its lines:
# "TAG ...".
pn_netns_add pnA
pn_netns_add pnB
ok "podnet device in netns pnA" ip -n pnA link add pnx type podnet
cat >"$T/isolation.py" <<'EOF'
import ctypes
from pn import *
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def sys_ok(ret):
    if ret:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def child(tag, fn, *args):
    """The lines fn(*args) yields in a forked child, printed as 'TAG line'."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        with os.fdopen(w, 'w') as f:
            try:
                for line in fn(*args):
                    print(line, file=f)
            except BaseException as e:
                print('exception', repr(e), file=f)
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        lines = f.read().splitlines()
    os.waitpid(pid, 0)
    for line in lines:
        print(tag, line)
    return lines


def userns():	# unshare -U -r: root in a user namespace of its own
    sys_ok(libc.unshare(CLONE_NEWUSER))
    for f, v in [('setgroups', 'deny'), ('uid_map', '0 0 1'), ('gid_map', '0 0 1')]:
        with open(f'/proc/self/{f}', 'w') as m:
            m.write(v)
    g, res = Genl(), []
    for cmd, a in [('new_peer', [peer('192.0.2.2')]), ('del_peer', [peer('192.0.2.1')]),
                   ('flush_peers', []), ('replace_begin', []), ('replace_add', [peer('192.0.2.2')]),
                   ('replace_commit', []), ('replace_abort', [])]:
        try:
            g.do(cmd, dev('pn0'), *a)
            res.append(f'{cmd}:ok')
        except NlErr as e:
            res.append(f'{cmd}:{errno.errorcode[e.errno]}')
    yield ' '.join(res)
    assert device(g, 'pn0')['peers'] == 1
    yield f"read {list(parse_peers(g.dump('get_peer', dev('pn0')))[0])}"


def nobody():	# setpriv --reuid=65534 --regid=65534 --clear-groups
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)	# which drops every capability
    g = Genl()
    try:
        g.do('flush_peers', dev('pn0'))
        yield 'flushed'
    except NlErr as e:
        yield errno.errorcode[e.errno]
    yield str(device(g, 'pn0')['peers'])


def enter(ns):		# ip netns exec NS
    fd = os.open(f'/run/netns/{ns}', os.O_RDONLY)
    sys_ok(libc.setns(fd, CLONE_NEWNET))
    os.close(fd)


def in_pnA():
    enter('pnA')
    g = Genl()
    g.do('new_peer', dev('pnx'), peer('192.0.2.1', ['10.1.0.0/24']))
    d = device(g, 'pnx')
    yield f"{d['peers']} {[one(p, A_IFNAME) for _, _, p, _ in g.dump('get_device')]}"
    yield str(d['ifindex'])


def in_pnB(ifindex):
    enter('pnB')
    g = Genl()
    yield str(len(g.dump('get_device')))
    for sel in [dev('pnx'), u32(A_IFINDEX, ifindex)]:
        try:
            g.dump('get_peer', sel)
            yield 'visible'
        except NlErr as e:
            yield f'{errno.errorcode[e.errno]}:{e.msg}'


g = Genl()
g.do('new_peer', dev('pn0'), peer('192.0.2.1', ['10.1.0.0/24']))
print('root set up')
child('userns', userns)
child('nobody', nobody)
pnA = child('pnA', in_pnA)
child('pnB', in_pnB, int(pnA[-1]) if pnA[-1:] and pnA[-1].isdigit() else 0)
print('init', [one(p, A_IFNAME) for _, _, p, _ in g.dump('get_device')])
EOF
sec isolation
# tagged TAG: the lines of $out tagged TAG, without the tag, joined by spaces.
tagged() { sed -n "s/^$1 //p" <<<"$out" | paste -sd' '; }
is "set up a peer as root" "$(grep -c '^root set up$' <<<"$out")" 1
is "user namespace without CAP_NET_ADMIN over the netns: EPERM for every change" \
	"$(sed -n 's/^userns //p' <<<"$out" | sed -n 1p)" \
	"new_peer:EPERM del_peer:EPERM flush_peers:EPERM replace_begin:EPERM replace_add:EPERM replace_commit:EPERM replace_abort:EPERM"
is "... and can read" "$(sed -n 's/^userns //p' <<<"$out" | sed -n 2p)" "read ['192.0.2.1']"
is "unprivileged user: EPERM, reads work" "$(tagged nobody)" "EPERM 1"
is "device visible and programmable in its netns" "$(sed -n 's/^pnA //p' <<<"$out" | sed -n 1p)" \
	"1 [b'pnx\\x00']"
is "invisible from another netns (dump empty, ENODEV by name and index)" "$(tagged pnB)" \
	"0 ENODEV:no such device ENODEV:no such device"
is "init netns dump shows only its own device" "$(tagged init)" "[b'pn0\\x00']"

ok "delete devices" sh -c "ip link del pn0 && ip link del other0 && ip -n pnA link del pnx"
ok "module unloads" modprobe -r podnet
done_testing
