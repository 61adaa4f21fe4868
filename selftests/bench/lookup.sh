#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lookup.sh: the peer table's lookup benchmark (kmod/selftest/peertable.c,
# pn_st_bench): 1k / 10k / 100k /24 prefixes of one peer each, insert time,
# trie memory per prefix, and lookup time three ways (random prefixes, an
# exact-match hash lookup of random peers as the machine's baseline for a
# table of that size, 16 hot prefixes).  Results: docs/peertable.md.
# Run in the VM: selftests/vm/run.sh 6.12 selftests/bench/lookup.sh
source "$PODNET_ROOT/selftests/lib.sh"

pn_load
dmesg -c >/dev/null
ok "lookup benchmark runs" sh -c "echo 1 >/sys/module/podnet/parameters/bench"
out=$(dmesg | grep 'podnet: bench')
diag "$out"
is "three table sizes measured" "$(grep -c ' prefixes (' <<<"$out")" 3
is "every lookup found its prefix" "$(grep -c 'LOOKUP MISSED' <<<"$out")" 0
pn_unload
done_testing
