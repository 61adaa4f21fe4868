#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh [KDIR...]: checkpatch.pl over the module and the UAPI header, and
# a W=1 + sparse (C=2) build for each host-installed kernel of the matrix.
# Prints TAP lines and "lint: N passed, N failed"; exit 1 on any finding.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${PODNET_CACHE:-/var/tmp/podnet-vm}
checkpatch=${CHECKPATCH:-$cache/linux-source-6.12/scripts/checkpatch.pl}
. "$top/selftests/tap-res.sh"
res_init lint -40

if [ ! -x "$checkpatch" ]; then
	res not-ok "checkpatch.pl found" "run selftests/vm/provision.sh host (linux-source-6.12)"
else
	for f in kmod/*.[ch] kmod/*/*.[ch] include/uapi/linux/podnet.h; do
		# Skip what kbuild generates when the module is built in place.
		case $f in *.mod.c) continue ;; esac
		[ -e "$f" ] || continue
		# Out of tree, checkpatch cannot tell a new file from a moved one.
		out=$("$checkpatch" --no-tree --terse --show-types \
			--ignore FILE_PATH_CHANGES -f "$f" 2>&1)
		if grep -qE ': (ERROR|WARNING):' <<<"$out"; then
			res not-ok "checkpatch $f" "$out"
		else
			res ok "checkpatch $f"
		fi
	done
fi

ks=${PODNET_LINT_KERNELS:-6.1 6.12}
for k in $ks; do
	if out=$(selftests/vm/build-module.sh "$k" "$top/build/lint/$k" sparse 2>&1); then
		res ok "W=1 + sparse clean on $k"
	else
		res not-ok "W=1 + sparse clean on $k" "$out"
	fi
done

echo "lint: $pass passed, $fail failed"
[ $fail -eq 0 ]
