# SPDX-License-Identifier: GPL-2.0
# Sourced by the host tests that look at the Debian packages (deb.sh,
# version.sh).  deb_cached: `make deb` of the tree as it is, cached under
# $PODNET_DEB_CACHE by a hash of every tracked file and of the packaging
# tools' versions, so the packages are built once per content (about 30 s)
# and shared by the tests.  Sets DEB (the directory holding the .debs) and
# DEB_LOG; returns 1 when the build fails.
PODNET_DEB_CACHE=${PODNET_DEB_CACHE:-/var/tmp/podnet-deb}

deb_cached() {
	local h fd rc=0
	# One build at a time; the others wait and then find it cached.
	mkdir -p "${PODNET_DEB_CACHE%/*}"
	exec {fd}>"$PODNET_DEB_CACHE.lock"
	flock "$fd"
	h=$( {
		git -C "$PODNET_ROOT" ls-files -z | (cd "$PODNET_ROOT" && xargs -0 sha256sum 2>/dev/null)
		dpkg-query -W debhelper dh-dkms dpkg-dev lintian 2>&1
	} | sha256sum | cut -c1-16)
	DEB=$PODNET_DEB_CACHE/$h/out DEB_LOG=$PODNET_DEB_CACHE/$h/make-deb.log
	if [ ! -f "$PODNET_DEB_CACHE/$h/ok" ]; then
		# One content's packages at a time: older ones are dropped.
		rm -rf "$PODNET_DEB_CACHE"
		mkdir -p "$PODNET_DEB_CACHE/$h"
		if make -C "$PODNET_ROOT" deb DEB_OUT="$DEB" >"$DEB_LOG" 2>&1; then
			touch "$PODNET_DEB_CACHE/$h/ok"
		else
			rc=1
		fi
	fi
	exec {fd}>&-
	return $rc
}
