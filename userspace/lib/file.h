/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files podnet's programs trust (configs, credentials, the state one
 * of them writes for another), opened the way ssh and kubelet do:
 *
 *  - the file's directory and every directory above it is owned by root
 *    or by us and is not writable by group or others, unless it is
 *    sticky (/tmp, a Kubernetes projected volume's root): nobody else
 *    can swap an entry on the way;
 *  - the file is resolved beneath its directory (openat2 RESOLVE_BENEATH):
 *    symlinks inside the directory are followed (a projected volume's
 *    token -> ..data/token -> ..2026_01_01_00_00_00.1/token), a symlink
 *    or ".." that leads out of it is refused (EXDEV);
 *  - the opened file, checked with fstat (no TOCTOU), is a regular file
 *    owned by root or by us and not writable by group or others.
 *
 * A refusal fills @err with a sentence naming the file and what is wrong
 * with it, e.g. "/etc/podnet/kubeconfig is world-writable (mode 0666):
 * refusing it"; errno is EPERM then (EXDEV for a way out of the directory,
 * EINVAL for not a regular file), else open(2)'s.
 */
#ifndef PN_FILE_H
#define PN_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* @dir (O_PATH | O_DIRECTORY) once it and its ancestors pass; -1 if not. */
int pn_dir_open(const char *dir, char *err, size_t errlen);

/* @path for reading (O_RDONLY | O_CLOEXEC), checked as above; -1 if not. */
int pn_file_open(const char *path, char *err, size_t errlen);

/* All of @path, at most @max bytes (EFBIG), NUL-terminated; free(*buf). */
int pn_file_read(const char *path, size_t max, char **buf, size_t *len, char *err,
		 size_t errlen);

/*
 * Replace @path with @len bytes of @data, mode @mode: a new file made with
 * O_EXCL | O_NOFOLLOW relative to the checked directory's fd, synced and
 * renamed over @path (a symlink there is replaced, not followed).
 */
int pn_file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
		  size_t errlen);

#endif
