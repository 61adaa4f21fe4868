// SPDX-License-Identifier: GPL-2.0
/*
 * Trusted files: configs, credentials and state, opened so that nobody
 * but root (or the user we run as) can have put them there (file.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "util.h"

/* The name of what @fd is open on, for messages; @dflt without /proc. */
static const char *fd_name(int fd, char *buf, size_t len, const char *dflt)
{
	char link[32];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return dflt;
	buf[n] = '\0';
	return buf;
}

/* Owned by root or us, not writable by group or others (@dir: unless sticky). */
static int check_stat(const struct stat *st, const char *what, const char *name, bool dir,
		      char *err, size_t errlen)
{
	unsigned int mode = st->st_mode & 07777;
	uid_t me = geteuid();

	errno = EPERM;
	if (st->st_uid != 0 && st->st_uid != me)
		return pn_errf(err, errlen, "%s%s is owned by uid %u, not by root or uid %u: refusing it",
			       what, name, (unsigned int)st->st_uid, (unsigned int)me);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(dir && (st->st_mode & S_ISVTX)))
		return pn_errf(err, errlen, "%s%s is %s-writable (mode %04o)%s: refusing it", what,
			       name, st->st_mode & S_IWOTH ? "world" : "group", mode,
			       dir ? " and not sticky" : "");
	return 0;
}

int pn_dir_open(const char *dir, char *err, size_t errlen)
{
	char buf[4096];
	const char *name;
	struct stat st, up;
	int fd, cur, parent;

	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return pn_errf(err, errlen, "cannot open directory %s: %s", dir, strerror(errno));
	/* Up through ".." from what was opened: the directories really above it. */
	for (cur = fd;; cur = parent) {
		name = cur == fd ? dir : fd_name(cur, buf, sizeof(buf), "a directory above it");
		if (fstat(cur, &st) < 0) {
			pn_errf(err, errlen, "cannot stat directory %s: %s", name, strerror(errno));
			goto fail;
		}
		if (check_stat(&st, "directory ", name, true, err, errlen) < 0)
			goto fail;
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0) {
			pn_errf(err, errlen, "cannot open the directory above %s: %s", name,
				strerror(errno));
			if (parent >= 0)
				close(parent);
			goto fail;
		}
		if (cur != fd)
			close(cur);
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {	/* "/" */
			close(parent);
			return fd;
		}
	}
fail:
	if (cur != fd)
		close(cur);
	close(fd);
	return -1;
}

/* @path's directory, checked, and its last component; free(*copy) after. */
static int split(const char *path, char **copy, const char **base, char *err, size_t errlen)
{
	char *d = strdup(path), *b = strdup(path);
	int dfd = -1;

	*copy = b;
	if (!d || !b) {
		free(d);
		errno = ENOMEM;
		return pn_errf(err, errlen, "%s", strerror(ENOMEM));
	}
	*base = basename(b);
	if (!strcmp(*base, "/")) {
		errno = EINVAL;
		pn_errf(err, errlen, "%s is not a regular file", path);
	} else {
		dfd = pn_dir_open(dirname(d), err, errlen);
	}
	free(d);
	return dfd;
}

int pn_file_open(const char *path, char *err, size_t errlen)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	const char *base;
	char *copy, dir[4096];
	struct stat st;
	int dfd, fd, saved;

	dfd = split(path, &copy, &base, err, errlen);
	if (dfd < 0) {
		free(copy);
		return -1;
	}
	fd = (int)syscall(SYS_openat2, dfd, base, &how, sizeof(how));
	saved = errno;
	if (fd < 0 && saved == EXDEV)
		pn_errf(err, errlen, "%s: a symlink or \"..\" leads out of %s: refusing to follow it",
			path, fd_name(dfd, dir, sizeof(dir), "its directory"));
	else if (fd < 0)
		pn_errf(err, errlen, "cannot open %s: %s", path, strerror(saved));
	close(dfd);
	free(copy);
	errno = saved;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		saved = errno;
		pn_errf(err, errlen, "cannot stat %s: %s", path, strerror(saved));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = EINVAL;
		pn_errf(err, errlen, "%s is not a regular file", path);
		goto fail;
	}
	if (check_stat(&st, "", path, false, err, errlen) < 0) {
		saved = errno;
		goto fail;
	}
	/* O_NONBLOCK was for a FIFO in the file's place; a file reads as usual. */
	fcntl(fd, F_SETFL, O_RDONLY);
	return fd;
fail:
	close(fd);
	errno = saved;
	return -1;
}

int pn_file_read(const char *path, size_t max, char **buf, size_t *len, char *err,
		 size_t errlen)
{
	int fd = pn_file_open(path, err, errlen), saved;

	if (fd < 0)
		return -1;
	if (pn_read_all(fd, max, buf, len) < 0) {
		saved = errno;
		if (saved == EFBIG)
			pn_errf(err, errlen, "%s is larger than %zu bytes", path, max);
		else
			pn_errf(err, errlen, "cannot read %s: %s", path, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

int pn_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
		  size_t errlen)
{
	char tmp[4096];
	const char *base;
	char *copy;
	int dfd, fd = -1, ret = -1, saved = 0;

	dfd = split(path, &copy, &base, err, errlen);
	if (dfd < 0) {
		free(copy);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", base) >= (int)sizeof(tmp)) {
		saved = ENAMETOOLONG;
		pn_errf(err, errlen, "%s: %s", path, strerror(saved));
		goto out;
	}
	unlinkat(dfd, tmp, 0);	/* left by a run that died */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0 || write(fd, data, len) != (ssize_t)len ||
	    fsync(fd) < 0) {
		saved = errno;
		pn_errf(err, errlen, "cannot write %s: %s", path, strerror(saved));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		saved = errno;
		pn_errf(err, errlen, "cannot write %s: %s", path, strerror(saved));
		goto out;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, base) < 0) {
		saved = errno;
		pn_errf(err, errlen, "cannot rename %s into place: %s", path, strerror(saved));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	free(copy);
	errno = saved;
	return ret;
}
