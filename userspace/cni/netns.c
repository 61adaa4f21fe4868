// SPDX-License-Identifier: GPL-2.0
/*
 * Network namespaces and per-interface sysctls.  The plugin is one thread,
 * so setns() moves all of it; it always goes back to the host namespace
 * before it returns (veth.c).  /proc/sys/net shows the sysctls of the
 * namespace of whoever opens the file, so cni_sysctl() follows setns().
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni.h"

int cni_netns_open(const char *path, struct cni_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), type;

	if (fd < 0)
		return cni_fail(e, CNI_ERR_CONTAINER, "cannot open network namespace %s: %s", path,
				strerror(errno));
	/* Not a namespace file, or another kind: refused before IPAM runs. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		return cni_fail(e, CNI_ERR_CONTAINER, "%s is not a network namespace", path);
	}
	return fd;
}

bool cni_netns_same(const char *path, int fd)
{
	struct stat ps, fs;

	return stat(path, &ps) == 0 && fstat(fd, &fs) == 0 && ps.st_dev == fs.st_dev &&
	       ps.st_ino == fs.st_ino;
}

int cni_netns_enter(int fd, const char *what, struct cni_err *e)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		return cni_fail(e, errno == EINVAL ? CNI_ERR_CONTAINER : CNI_ERR_IO,
				"cannot enter %s: %s", what,
				errno == EINVAL ? "not a network namespace" : strerror(errno));
	return 0;
}

int cni_sysctl(const char *path, const char *value, struct cni_err *e)
{
	char file[256];
	size_t len = strlen(value);
	int fd;

	snprintf(file, sizeof(file), "/proc/sys/net/%s", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot set %s: %s", file, strerror(errno));
	if (write(fd, value, len) != (ssize_t)len) {
		cni_fail(e, CNI_ERR_IO, "cannot set %s to %s: %s", file, value, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
