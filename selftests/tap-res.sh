# SPDX-License-Identifier: GPL-2.0
# res_init NAME LINES: the TAP results of a host-side step (lint, dkms,
# apt): res ok|not-ok DESC [OUTPUT] prints "ok - NAME: DESC", or "not ok"
# with the last LINES lines of OUTPUT as diagnostics (LINES < 0: the
# first), and counts them in $pass and $fail.
res_init() { _res_name=$1 _res_lines=$2; pass=0 fail=0; }
res() {	# ok|not-ok desc [output]
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok - $_res_name: $2"
	else
		fail=$((fail + 1)); echo "not ok - $_res_name: $2"
		if [ -n "${3:-}" ] && [ "$_res_lines" -lt 0 ]; then
			printf '%s\n' "$3" | head -n $((-_res_lines)) | sed 's/^/#   /'
		elif [ -n "${3:-}" ]; then
			printf '%s\n' "$3" | tail -n "$_res_lines" | sed 's/^/#   /'
		fi
	fi
}
