// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl's word parser, line splitter and batch mode (usage failures
 * only: nothing here may need a kernel).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "podnetctl.h"
#include "unit.h"

#define ALL_ADD (W_DEV | W_REMOTE | W_PREFIX | W_MAC | W_REPLACE)

static int parse(const char *line, unsigned int allowed, struct ctl_args *a, char *err)
{
	char *copy = strdup(line), **argv = NULL;
	size_t cap = 0;
	int argc, ret;

	assert_int_equal(ctl_split_line(copy, &argc, &argv, &cap, err, CTL_ERRLEN), 0);
	ret = ctl_parse_args(argc, argv, allowed, a, err, CTL_ERRLEN);
	free(argv);
	free(copy);
	return ret;
}

static void bad(const char *line, unsigned int allowed, const char *why)
{
	char err[CTL_ERRLEN] = "";
	struct ctl_args a;

	if (!parse(line, allowed, &a, err))
		fail_msg("\"%s\" accepted", line);
	assert_contains(err, why);
	ctl_args_free(&a);
}

static void test_peer_add_words(void **state)
{
	char err[CTL_ERRLEN] = "", buf[PN_PREFIX_STRLEN];
	struct ctl_args a;

	(void)state;
	/* Any order, prefixes repeat and keep their order. */
	assert_int_equal(parse("prefix 10.244.1.0/24 dev podnet0 mac 02:00:00:00:00:01 "
			       "remote 192.0.2.1 prefix fd00:1::/64 replace",
			       ALL_ADD, &a, err), 0);
	assert_int_equal(a.seen, ALL_ADD);
	assert_string_equal(a.dev, "podnet0");
	assert_true(a.peer.has_remote);
	assert_string_equal(pn_addr_str(&a.peer.remote, buf, sizeof(buf)), "192.0.2.1");
	assert_true(a.peer.has_mac);
	assert_int_equal(a.peer.mac[5], 1);
	assert_int_equal(a.peer.n_prefixes, 2);
	assert_string_equal(pn_prefix_str(&a.peer.prefixes[0], buf, sizeof(buf)), "10.244.1.0/24");
	assert_string_equal(pn_prefix_str(&a.peer.prefixes[1], buf, sizeof(buf)), "fd00:1::/64");
	assert_int_equal(ctl_require(&a, W_DEV | W_REMOTE | W_PREFIX, err, sizeof(err)), 0);
	ctl_args_free(&a);

	assert_int_equal(parse("dev podnet0 remote 192.0.2.1", ALL_ADD, &a, err), 0);
	assert_int_equal(ctl_require(&a, W_DEV | W_REMOTE | W_PREFIX, err, sizeof(err)), -1);
	assert_string_equal(err, "missing \"prefix\"");
	ctl_args_free(&a);
}

static void test_word_errors(void **state)
{
	(void)state;
	bad("dev a dev b", ALL_ADD, "\"dev\" given twice");
	bad("remote 192.0.2.1 remote 192.0.2.2", ALL_ADD, "\"remote\" given twice");
	bad("dev podnet0 prefix", ALL_ADD, "\"prefix\" needs a value");
	bad("dev podnet0 remote", ALL_ADD, "\"remote\" needs a value");
	bad("dev podnet0 color blue", ALL_ADD,
	    "unexpected \"color\": expected dev, remote, prefix, mac or replace");
	bad("dev podnet0 mac 02:00:00:00:00:01", W_DEV | W_REMOTE,
	    "unexpected \"mac\": expected dev or remote");
	bad("dev podnet0", 0, "unexpected \"dev\": this command takes no arguments");
	bad("dev abcdefghijklmnop", W_DEV, "invalid device name \"abcdefghijklmnop\"");
	bad("dev a/b", W_DEV, "invalid device name");
	bad("dev \"\"", W_DEV, "invalid device name \"\"");
	bad("prefix 10.0.0.0/24 prefix 10.0.0.0/24", ALL_ADD, "prefix 10.0.0.0/24 given twice");
	bad("prefix 10.0.0.1/24", ALL_ADD, "host bits set (did you mean 10.0.0.0/24?)");
	bad("remote 10.0.0.0/24", ALL_ADD, "expected an address, not a prefix");
	bad("mac 01:00:00:00:00:00", ALL_ADD, "multicast");
	/* Words are exact: no abbreviations, no case folding. */
	bad("de podnet0", W_DEV, "unexpected \"de\"");
	bad("DEV podnet0", W_DEV, "unexpected \"DEV\"");
}

static void test_many_prefixes(void **state)
{
	char err[CTL_ERRLEN] = "";
	char **argv = calloc(2 * 1000, sizeof(*argv));
	struct ctl_args a;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		argv[2 * i] = strdup("prefix");
		assert_int_not_equal(asprintf(&argv[2 * i + 1], "10.%d.%d.0/24", i / 256, i % 256), -1);
	}
	assert_int_equal(ctl_parse_args(2000, argv, W_PREFIX, &a, err, sizeof(err)), 0);
	assert_int_equal(a.peer.n_prefixes, 1000);
	assert_int_equal(a.peer.prefixes[999].addr.b[2], 999 % 256);
	ctl_args_free(&a);

	/* A duplicate far apart is still found. */
	free(argv[1999]);
	argv[1999] = strdup("10.0.5.0/24");
	assert_int_equal(ctl_parse_args(2000, argv, W_PREFIX, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "prefix 10.0.5.0/24 given twice");
	ctl_args_free(&a);
	for (i = 0; i < 2000; i++)
		free(argv[i]);
	free(argv);
}

static void test_split_line(void **state)
{
	char line[] = "  peer add\tdev \"pod net\"  prefix 10.0.0.0/8 # a comment\n";
	char blank[] = "   \t\n", comment[] = "# only a comment", quote[] = "dev \"podnet0";
	char empty_word[] = "dev \"\" x", hash[] = "dev a#b";
	char err[CTL_ERRLEN] = "", **argv = NULL;
	size_t cap = 0;
	int argc;

	(void)state;
	assert_int_equal(ctl_split_line(line, &argc, &argv, &cap, err, sizeof(err)), 0);
	assert_int_equal(argc, 6);
	assert_string_equal(argv[0], "peer");
	assert_string_equal(argv[2], "dev");
	assert_string_equal(argv[3], "pod net");
	assert_string_equal(argv[5], "10.0.0.0/8");
	assert_null(argv[6]);

	assert_int_equal(ctl_split_line(blank, &argc, &argv, &cap, err, sizeof(err)), 0);
	assert_int_equal(argc, 0);
	assert_int_equal(ctl_split_line(comment, &argc, &argv, &cap, err, sizeof(err)), 0);
	assert_int_equal(argc, 0);
	assert_int_equal(ctl_split_line(empty_word, &argc, &argv, &cap, err, sizeof(err)), 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "");
	/* '#' only starts a comment at the start of a word. */
	assert_int_equal(ctl_split_line(hash, &argc, &argv, &cap, err, sizeof(err)), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "a#b");
	assert_int_equal(ctl_split_line(quote, &argc, &argv, &cap, err, sizeof(err)), -1);
	assert_string_equal(err, "unterminated quote");
	free(argv);
}

/* Run @fn with stderr captured into @buf. */
static int capture_stderr(int (*fn)(void *), void *arg, char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return ret;
}

struct batch_arg {
	struct ctl *c;
	const char *file;
};

static int run_batch(void *p)
{
	struct batch_arg *b = p;

	return ctl_batch(b->c, b->file);
}

static void test_batch_line_numbers(void **state)
{
	char path[] = "/tmp/podnet-batch-XXXXXX", err[1024], *out = NULL;
	size_t outlen = 0;
	struct ctl c = { .out = NULL };
	struct batch_arg b = { &c, path };
	FILE *f;
	int fd;

	(void)state;
	c.out = open_memstream(&out, &outlen);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	/* Line 4 fails before any netlink: the batch must stop there. */
	fputs("help\n"
	      "# a comment\n"
	      "\n"
	      "peer add dev podnet0 remote 192.0.2.1 prefix 10.0.0.1/24\n"
	      "peer bogus\n", f);
	fclose(f);

	assert_int_equal(capture_stderr(run_batch, &b, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "Error: peer add: invalid prefix \"10.0.0.1/24\": host bits set");
	assert_contains(err, "Command failed ");
	assert_contains(err, ":4\n");
	/* Line 5 never ran. */
	assert_null(strstr(err, "bogus"));

	f = fopen(path, "w");
	fputs("peer bogus\n", f);
	fclose(f);
	assert_int_equal(capture_stderr(run_batch, &b, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "unknown command \"peer bogus\"");
	assert_contains(err, ":1\n");

	f = fopen(path, "w");
	fputs("\n\nshow dev \"unterminated\n", f);
	fclose(f);
	assert_int_equal(capture_stderr(run_batch, &b, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "Error: unterminated quote.");
	assert_contains(err, ":3\n");

	b.file = "/nonexistent/podnet-batch";
	assert_int_equal(capture_stderr(run_batch, &b, err, sizeof(err)), EXIT_RUNTIME);
	assert_contains(err, "cannot open \"/nonexistent/podnet-batch\"");

	unlink(path);
	fclose(c.out);
	free(out);
}

static int run_line(void *p)
{
	char **argv = p;
	int argc = 0;
	struct ctl c = { .out = stdout };

	while (argv[argc])
		argc++;
	return ctl_run(&c, argc, argv);
}

static void test_usage_exit_codes(void **state)
{
	char err[1024];
	char *no_dev[] = { "peer", "flush", NULL };
	char *del_nothing[] = { "peer", "del", "dev", "podnet0", NULL };
	char *replace_extra[] = { "peer", "replace", "dev", "podnet0", "remote", "192.0.2.1", NULL };
	char *monitor_arg[] = { "monitor", "now", NULL };
	char *unknown[] = { "frobnicate", NULL };

	(void)state;
	assert_int_equal(capture_stderr(run_line, no_dev, err, sizeof(err)), EXIT_USAGE);
	assert_string_equal(err, "Error: peer flush: missing \"dev\".\n");
	assert_int_equal(capture_stderr(run_line, del_nothing, err, sizeof(err)), EXIT_USAGE);
	assert_string_equal(err, "Error: peer del: missing \"remote\" or \"prefix\".\n");
	assert_int_equal(capture_stderr(run_line, replace_extra, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "unexpected \"remote\": expected dev or file");
	assert_int_equal(capture_stderr(run_line, monitor_arg, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "Error: monitor: unexpected \"now\"");
	assert_int_equal(capture_stderr(run_line, unknown, err, sizeof(err)), EXIT_USAGE);
	assert_contains(err, "unknown command \"frobnicate\"");
}

const struct CMUnitTest args_tests[] = {
	cmocka_unit_test(test_peer_add_words),
	cmocka_unit_test(test_word_errors),
	cmocka_unit_test(test_many_prefixes),
	cmocka_unit_test(test_split_line),
	cmocka_unit_test(test_batch_line_numbers),
	cmocka_unit_test(test_usage_exit_codes),
};
const size_t args_count = COUNT(args_tests);
