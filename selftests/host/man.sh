#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages: every docs/*.8 renders with man(1) and groff without a
# warning, has the sections a reader looks for, and is installed by make
# install; every program installed has its page.  Needs no podnet device:
# runs once, on the host (make check).
. "$PODNET_ROOT/selftests/lib.sh"

pages=$(cd "$PODNET_ROOT/docs" && ls ./*.8 | sed 's|^\./||' | sort)
is "the pages: the CNI plugin, podnetctl, podnetd" "$(tr '\n' ' ' <<<"$pages")" \
	"podnet.8 podnetctl.8 podnetd.8 "
for p in $pages; do
	f=$PODNET_ROOT/docs/$p name=${p%.8}
	out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>&1 >/dev/null)
	is "$p: man --warnings -l renders it without a warning" "$out" ""
	out=$(groff -ww -z -man "$f" 2>&1)
	is "$p: groff -ww -z -man is silent" "$out" ""
	text=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$f" 2>/dev/null)
	like "$p: .TH names it ${name^^}(8)" "$(head -n1 <<<"$text")" "^${name^^}\\(8\\) "
	is "$p: NAME is \"$name - ...\"" "$(sed -n '/^NAME$/{n;p;q}' <<<"$text" | awk '{print $1, $2}')" \
		"$name -"
	is "$p: has SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS and SEE ALSO" \
		"$(grep -cxE 'SYNOPSIS|DESCRIPTION|OPTIONS|EXIT STATUS|SEE ALSO' <<<"$text")" 5
done

# Installed: each page, as the program it documents is (install.sh checks
# the whole list).
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
eval "$(make -s -C "$PODNET_ROOT/userspace" print-dirs)"
make -s -C "$PODNET_ROOT/userspace" install DESTDIR="$D" >/dev/null 2>&1
for prog in "$SBINDIR/podnetctl" "$SBINDIR/podnetd" "$CNI_BINDIR/podnet"; do
	is "$(basename "$prog") is installed with its page" \
		"$([ -x "$D$prog" ] && [ -f "$D$MANDIR/man8/$(basename "$prog").8" ] && echo yes)" yes
done
done_testing
