// SPDX-License-Identifier: GPL-2.0
/*
 * lib/file.c in a fresh directory under /tmp: what is read, what is
 * refused with which sentence and errno, and that a write replaces a
 * symlink instead of following it.  The ownership case needs root.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "unit.h"

struct fx {
	char dir[64];
	char err[512];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/pn-file-test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* @f's directory/@name, created with @text and @mode unless @text is NULL. */
static const char *at(struct fx *f, const char *name, const char *text, mode_t mode)
{
	static char path[2][192];
	static int i;
	char *p = path[i++ & 1];
	FILE *o;

	snprintf(p, sizeof(path[0]), "%s/%s", f->dir, name);
	if (text) {
		o = fopen(p, "w");
		assert_non_null(o);
		fputs(text, o);
		fclose(o);
		assert_int_equal(chmod(p, mode), 0);
	}
	return p;
}

/* pn_file_read(@path) fails with @err_no and exactly @msg. */
static void refused(struct fx *f, const char *path, int err_no, const char *msg)
{
	char *buf = NULL;
	size_t len;

	f->err[0] = '\0';
	assert_int_equal(pn_file_read(path, 4096, &buf, &len, f->err, sizeof(f->err)), -1);
	assert_int_equal(errno, err_no);
	assert_string_equal(f->err, msg);
	assert_null(buf);
}

/* With @f's directory at @mode, @path is refused for it being @kind-writable. */
static void dir_refused(struct fx *f, const char *path, mode_t mode, const char *kind)
{
	char msg[512];

	assert_int_equal(chmod(f->dir, mode), 0);
	snprintf(msg, sizeof(msg),
		 "directory %s is %s-writable (mode %04o) and not sticky: refusing it", f->dir,
		 kind, (unsigned int)mode);
	refused(f, path, EPERM, msg);
}

static void test_read(void **state)
{
	struct fx *f = *state;
	const char *p = at(f, "conf", "hello\n", 0644);
	char *buf;
	size_t len;

	assert_int_equal(pn_file_read(p, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	p = at(f, "key", "secret", 0400);
	assert_int_equal(pn_file_read(p, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	assert_string_equal(buf, "secret");
	free(buf);
}

static void test_writable(void **state)
{
	struct fx *f = *state;
	char msg[512];
	const char *p = at(f, "conf", "x", 0666);

	snprintf(msg, sizeof(msg), "%s is world-writable (mode 0666): refusing it", p);
	refused(f, p, EPERM, msg);
	p = at(f, "conf2", "x", 0620);
	snprintf(msg, sizeof(msg), "%s is group-writable (mode 0620): refusing it", p);
	refused(f, p, EPERM, msg);
}

static void test_owner(void **state)
{
	struct fx *f = *state;
	char msg[512];
	const char *p;

	if (geteuid() != 0)
		skip();
	p = at(f, "conf", "x", 0644);
	assert_int_equal(chown(p, 65534, 0), 0);
	snprintf(msg, sizeof(msg), "%s is owned by uid 65534, not by root or uid 0: refusing it", p);
	refused(f, p, EPERM, msg);
	/* A directory someone else owns: they could swap the file. */
	assert_int_equal(mkdir(at(f, "d", NULL, 0), 0755), 0);
	assert_int_equal(chown(at(f, "d", NULL, 0), 65534, 0), 0);
	p = at(f, "d/conf", "x", 0644);
	snprintf(msg, sizeof(msg), "directory %s/d is owned by uid 65534, not by root or uid 0: refusing it",
		 f->dir);
	refused(f, p, EPERM, msg);
}

static void test_dirs(void **state)
{
	struct fx *f = *state;
	char msg[512], *buf;
	const char *p;
	size_t len;

	p = at(f, "conf", "x", 0644);
	dir_refused(f, p, 0777, "world");
	dir_refused(f, p, 0770, "group");
	/* Sticky (/tmp, a projected volume's root): nobody can swap our entries. */
	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_int_equal(pn_file_read(p, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	free(buf);
	assert_int_equal(chmod(f->dir, 0700), 0);
	/* A directory above the file's is checked too. */
	assert_int_equal(mkdir(at(f, "sub", NULL, 0), 0755), 0);
	dir_refused(f, at(f, "sub/conf", "x", 0644), 0757, "world");
	assert_int_equal(chmod(f->dir, 0700), 0);
	snprintf(msg, sizeof(msg), "cannot open directory %s/none: No such file or directory",
		 f->dir);
	refused(f, at(f, "none/conf", NULL, 0), ENOENT, msg);
}

/* A projected service account: token -> ..data/token -> ..2026.../token. */
static void test_symlinks(void **state)
{
	struct fx *f = *state;
	char msg[512], *buf;
	const char *p;
	size_t len;

	assert_int_equal(mkdir(at(f, "..2026_01_01_00_00_00.1", NULL, 0), 0755), 0);
	at(f, "..2026_01_01_00_00_00.1/token", "tok", 0644);
	assert_int_equal(symlink("..2026_01_01_00_00_00.1", at(f, "..data", NULL, 0)), 0);
	assert_int_equal(symlink("..data/token", at(f, "token", NULL, 0)), 0);
	p = at(f, "token", NULL, 0);
	assert_int_equal(pn_file_read(p, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	assert_string_equal(buf, "tok");
	free(buf);

	assert_int_equal(symlink("/etc/hostname", at(f, "abs", NULL, 0)), 0);
	p = at(f, "abs", NULL, 0);
	snprintf(msg, sizeof(msg), "%s: a symlink or \"..\" leads out of %s: refusing to follow it",
		 p, f->dir);
	refused(f, p, EXDEV, msg);
	assert_int_equal(symlink("../../etc/hostname", at(f, "rel", NULL, 0)), 0);
	p = at(f, "rel", NULL, 0);
	snprintf(msg, sizeof(msg), "%s: a symlink or \"..\" leads out of %s: refusing to follow it",
		 p, f->dir);
	refused(f, p, EXDEV, msg);
}

static void test_not_regular(void **state)
{
	struct fx *f = *state;
	char msg[512];
	const char *p;

	p = at(f, "fifo", NULL, 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(msg, sizeof(msg), "%s is not a regular file", p);
	refused(f, p, EINVAL, msg);	/* and did not block on the FIFO */
	p = at(f, "dir", NULL, 0);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(msg, sizeof(msg), "%s is not a regular file", p);
	refused(f, p, EINVAL, msg);
	p = at(f, "none", NULL, 0);
	snprintf(msg, sizeof(msg), "cannot open %s: No such file or directory", p);
	refused(f, p, ENOENT, msg);
	p = at(f, "big", "0123456789", 0644);
	f->err[0] = '\0';
	{
		char *buf = NULL;
		size_t len;

		assert_int_equal(pn_file_read(p, 9, &buf, &len, f->err, sizeof(f->err)), -1);
		assert_int_equal(errno, EFBIG);
		snprintf(msg, sizeof(msg), "%s is larger than 9 bytes", p);
		assert_string_equal(f->err, msg);
	}
}

static void test_write(void **state)
{
	struct fx *f = *state;
	char msg[512], *buf, out[] = "/tmp/pn-file-out.XXXXXX";
	const char *p = at(f, "conflist", NULL, 0);
	struct stat st;
	size_t len;
	int fd;

	assert_int_equal(pn_file_write(p, "one\n", 4, 0644, f->err, sizeof(f->err)), 0);
	assert_int_equal(pn_file_read(p, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	assert_string_equal(buf, "one\n");
	free(buf);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* A symlink in the file's place is replaced, its target left alone. */
	fd = mkstemp(out);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "outside", 7), 7);
	close(fd);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(out, p), 0);
	assert_int_equal(pn_file_write(p, "two\n", 4, 0600, f->err, sizeof(f->err)), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(pn_file_read(out, 4096, &buf, &len, f->err, sizeof(f->err)), 0);
	assert_string_equal(buf, "outside");
	free(buf);
	unlink(out);
	/* No temporary file is left. */
	assert_int_equal(access(at(f, ".conflist.tmp", NULL, 0), F_OK), -1);
	/* Nor is anything written into a directory others can write to. */
	assert_int_equal(chmod(f->dir, 0777), 0);
	snprintf(msg, sizeof(msg),
		 "directory %s is world-writable (mode 0777) and not sticky: refusing it", f->dir);
	assert_int_equal(pn_file_write(p, "3", 1, 0644, f->err, sizeof(f->err)), -1);
	assert_int_equal(errno, EPERM);
	assert_string_equal(f->err, msg);
	assert_int_equal(chmod(f->dir, 0700), 0);
}

const struct CMUnitTest file_tests[] = {
	cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	cmocka_unit_test_setup_teardown(test_writable, setup, teardown),
	cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
	cmocka_unit_test_setup_teardown(test_dirs, setup, teardown),
	cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
	cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
	cmocka_unit_test_setup_teardown(test_write, setup, teardown),
};
const size_t file_count = COUNT(file_tests);
