#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""profile.py DIR PACKETS SEQ[=NAME]...: per-function instructions per
packet from the insncount plugin's profile= output.

DIR holds profile.txt (the plugin's "prof SEQ VADDR INSNS" lines) and
kallsyms (insn.sh saves /proc/kallsyms there).  Each SEQ is the marker
that closed a window (the counts since the previous marker); each TB's
instructions go to the function its start address lies in.  Prints the
top functions of each window, per packet, side by side.  In insn.sh's
default order (marker check, the path checks, the empty window, two
spins), round 1's windows close at markers 25 (native), 29 (vxlan), 33
(podnet) and 37 (gpe); 27, 31, 35 and 39 are their sending-side windows:
  selftests/bench/tcg/profile.py build/vm/VER 20000 25=native 29=vxlan 33=podnet 37=gpe
"""
import bisect
import collections
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    d, n = sys.argv[1], int(sys.argv[2])
    wins = []
    for a in sys.argv[3:]:
        s, _, name = a.partition('=')
        wins.append((int(s), name or s))
    syms = []
    with open(d + '/kallsyms') as f:
        for line in f:
            x = line.split()
            if len(x) < 3 or x[1] not in 'tTwW' or int(x[0], 16) == 0:
                continue
            syms.append((int(x[0], 16), x[2] + (' ' + x[3] if len(x) > 3 else '')))
    syms.sort()
    addrs = [a for a, _ in syms]
    want = {s for s, _ in wins}
    prof = collections.defaultdict(collections.Counter)
    with open(d + '/profile.txt') as f:
        for line in f:
            _, s, va, k = line.split()
            s = int(s)
            if s not in want:
                continue
            i = bisect.bisect_right(addrs, int(va, 16)) - 1
            prof[s][syms[i][1] if i >= 0 else '?'] += int(k)
    total = collections.Counter()
    for s, _ in wins:
        total.update(prof[s])
    print('%-48s' % 'function' + ''.join('%10s' % name for _, name in wins))
    print('%-48s' % 'all kernel' + ''.join('%10.0f' % (sum(prof[s].values()) / n) for s, _ in wins))
    for fn, _ in total.most_common(40):
        print('%-48s' % fn[:48] + ''.join('%10.0f' % (prof[s][fn] / n) for s, _ in wins))


if __name__ == '__main__':
    main()
