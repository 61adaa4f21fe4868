#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dmesg-scan.sh [FILE]: prints every kernel log line that reports a bug
# (warnings, oopses, sanitizers, lockdep splats, refcount, list corruption,
# leaks, RCU stalls; not lockdep's "checking is enabled" boot banner) and
# exits 1 if there is one, 0 if the log is clean.
pat='WARNING:|------------\[ cut here \]|BUG[: ]|Oops|KASAN|UBSAN|lockdep is turned off|DEBUG_LOCKS_WARN_ON|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|refcount_t|list_add corruption|list_del corruption|unreferenced object|RCU stall|rcu.*detected stall|general protection fault|unregister_netdevice: waiting for|Kernel panic|kernel BUG|Call Trace:'
if grep -aE "$pat" "${1:--}"; then
	exit 1
fi
exit 0
