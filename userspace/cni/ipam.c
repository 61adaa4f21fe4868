// SPDX-License-Identifier: GPL-2.0
/*
 * Delegated IPAM (spec: "Delegated plugin protocol"): the plugin named by
 * ipam.type is looked up on CNI_PATH and run with our stdin and
 * environment, CNI_COMMAND set to the command it is to do.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"
#include "file.h"
#include "io.h"

/* A result is a few hundred bytes; an error a sentence. */
#define IPAM_OUT_MAX	(256U << 10)

/*
 * The first ipam.type on CNI_PATH, opened through lib/file.c: a plugin that
 * others could have written is refused, not skipped for the next directory.
 * A symlink is followed, as exec would (installs link /opt/cni/bin/T to
 * /usr/lib/cni/T), and the file it ends at is checked in its own directory:
 * that and every directory above must be root's or ours, so nobody else
 * can swap it between realpath() and the open.  The fd is what runs
 * (fexecve), so what was checked is what is executed.
 */
static int find_plugin(const struct cni_run *run, char *out, size_t len, struct cni_err *e)
{
	const char *type = run->conf.ipam_type, *p = run->env.path, *colon;
	char err[512], real[PATH_MAX];
	size_t n;
	int fd;

	if (!p)
		return cni_fail(e, CNI_ERR_ENV, "CNI_PATH is not set (needed to find IPAM plugin %s)",
				type);
	for (; *p; p = colon + 1) {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (n && (size_t)snprintf(out, len, "%.*s/%s", (int)n, p, type) < len &&
		    access(out, X_OK) == 0) {
			if (!realpath(out, real))
				return cni_fail(e, CNI_ERR_CONFIG, "IPAM plugin %s: %s: %s", type, out,
						strerror(errno));
			fd = pn_file_open(real, err, sizeof(err));
			if (fd < 0)
				return cni_fail(e, CNI_ERR_CONFIG, "IPAM plugin %s: %s%s%s", type,
						strcmp(real, out) ? out : "",
						strcmp(real, out) ? " -> " : "", err);
			return fd;
		}
		if (!colon)
			break;
	}
	return cni_fail(e, CNI_ERR_CONFIG, "IPAM plugin %s not found in CNI_PATH (%s)", type,
			run->env.path);
}

/* Read @fd to its end; NUL-terminated. */
/* The plugin's error JSON as ours, its code kept. */
static int plugin_error(const char *type, const char *cmd, int status, const char *out,
			size_t len, struct cni_err *e)
{
	json_t *j = json_loadb(out, len, 0, NULL);
	json_t *code = json_object_get(j, "code"), *msg = json_object_get(j, "msg");
	json_t *details = json_object_get(j, "details");
	int ret;

	if (json_is_integer(code) && json_is_string(msg))
		ret = cni_fail(e, (int)json_integer_value(code), "IPAM plugin %s (%s): %s%s%s", type,
			       cmd, json_string_value(msg), json_is_string(details) ? ": " : "",
			       json_is_string(details) ? json_string_value(details) : "");
	else if (WIFEXITED(status))
		ret = cni_fail(e, CNI_ERR_IPAM,
			       "IPAM plugin %s (%s) exited with status %d and no error JSON: %.200s",
			       type, cmd, WEXITSTATUS(status), out);
	else
		ret = cni_fail(e, CNI_ERR_IPAM, "IPAM plugin %s (%s) was killed by signal %d",
			       type, cmd, WTERMSIG(status));
	json_decref(j);
	return ret;
}

/*
 * The plugin's stdin, in a memfd (no pipe to keep fed while it runs): ours
 * as it came, but for a config that chose its version from cniVersions:
 * the IPAM plugin is told the chosen one, as a runtime tells each plugin.
 */
static int stdin_for(const struct cni_conf *c)
{
	const char *data = c->raw;
	size_t len = c->rawlen;
	char *copy = NULL;
	json_t *j = NULL;
	int fd, saved;

	if (!json_object_get(c->root, "cniVersion")) {
		j = json_deep_copy(c->root);
		if (j && !json_object_set_new(j, "cniVersion", json_string(cni_versions[c->version])))
			copy = json_dumps(j, JSON_COMPACT);
		if (!copy) {
			json_decref(j);
			errno = ENOMEM;
			return -1;
		}
		data = copy;
		len = strlen(copy);
	}
	fd = memfd_create("cni-stdin", MFD_CLOEXEC);
	if (fd >= 0 && (write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)) {
		saved = errno;
		close(fd);
		errno = saved;
		fd = -1;
	}
	free(copy);
	json_decref(j);
	return fd;
}

int cni_ipam_exec(const struct cni_run *run, const char *command, json_t **out,
		  struct cni_err *e)
{
	const char *type = run->conf.ipam_type;
	char path[4096], *buf;
	int exe, in, pfd[2], status, read_err = 0;
	size_t len;
	json_error_t jerr;
	pid_t pid;

	*out = NULL;
	exe = find_plugin(run, path, sizeof(path), e);
	if (exe < 0)
		return -1;
	in = stdin_for(&run->conf);
	if (in < 0) {
		close(exe);
		return cni_fail(e, CNI_ERR_IO, "cannot pass the configuration to IPAM plugin %s: %s",
				type, strerror(errno));
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(in);
		close(exe);
		return cni_fail(e, CNI_ERR_IO, "pipe: %s", strerror(errno));
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* stderr stays ours: the runtime logs it. */
		if (dup2(in, STDIN_FILENO) < 0 || dup2(pfd[1], STDOUT_FILENO) < 0 ||
		    setenv("CNI_COMMAND", command, 1) < 0)
			_exit(127);
		/* Kept open across exec: a #! plugin's interpreter reads it. */
		fcntl(exe, F_SETFD, 0);
		fexecve(exe, (char *[]){ path, NULL }, environ);
		fprintf(stderr, "podnet: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(in);
	close(exe);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return cni_fail(e, CNI_ERR_IO, "cannot start IPAM plugin %s: %s", type,
				strerror(errno));
	}
	if (pn_read_all(pfd[0], IPAM_OUT_MAX, &buf, &len) < 0) {
		read_err = errno;
		buf = NULL;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return cni_fail(e, CNI_ERR_IO, "waitpid: %s", strerror(errno));
		}
	if (!buf && read_err == EFBIG)
		return cni_fail(e, CNI_ERR_IPAM, "IPAM plugin %s wrote more than %u bytes", type,
				IPAM_OUT_MAX);
	if (!buf)
		return cni_fail(e, CNI_ERR_IO, "cannot read IPAM plugin %s's output: %s", type,
				strerror(read_err));

	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		plugin_error(type, command, status, buf, len, e);
		free(buf);
		return -1;
	}
	if (strspn(buf, " \t\r\n") < len) {
		*out = json_loadb(buf, len, 0, &jerr);
		if (!*out) {
			cni_fail(e, CNI_ERR_IPAM, "IPAM plugin %s (%s) printed no JSON: %s: %.200s",
				 type, command, jerr.text, buf);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}
