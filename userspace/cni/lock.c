// SPDX-License-Identifier: GPL-2.0
/*
 * One container's commands one at a time: an flock() on a file named by
 * the container ID.  Different containers never wait for each other.
 *
 * The file is removed when the command is done, still under the lock, so
 * that nothing is left behind.  A run that opened the file before the
 * unlink then holds a lock on an inode no one else will find, so after
 * locking we check that the path still names our inode, and start over
 * if not.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni.h"
#include "file.h"

static int mkdir_p(const char *dir)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int cni_lock(const char *dir, const char *id, struct cni_err *e)
{
	char name[300], err[512];
	struct stat fst, pst;
	int dfd, fd;

	if (snprintf(name, sizeof(name), "%s.lock", id) >= (int)sizeof(name) ||
	    strlen(dir) + 1 + strlen(name) >= 4096)
		return cni_fail(e, CNI_ERR_CONFIG, "runtimeDir %s is too long", dir);
	if (mkdir_p(dir) < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot create runtimeDir %s: %s", dir,
				strerror(errno));
	/* Nobody else may write there: they could lock us out or swap the file. */
	dfd = pn_dir_open(dir, err, sizeof(err));
	if (dfd < 0)
		return cni_fail(e, CNI_ERR_IO, "runtimeDir: %s", err);
	for (;;) {
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			cni_fail(e, CNI_ERR_IO, "cannot open lock file %s/%s: %s", dir, name,
				 strerror(errno));
			break;
		}
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				cni_fail(e, CNI_ERR_IO, "cannot lock %s/%s: %s", dir, name,
					 strerror(errno));
				close(fd);
				close(dfd);
				return -1;
			}
		}
		if (fstat(fd, &fst) == 0 && fstatat(dfd, name, &pst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fst.st_ino == pst.st_ino && fst.st_dev == pst.st_dev)
			break;
		close(fd);	/* unlinked by a DEL while we waited */
	}
	close(dfd);
	return fd;
}

void cni_unlock(int fd, const char *dir, const char *id)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s.lock", dir, id) < (int)sizeof(path))
		unlink(path);
	close(fd);
}
