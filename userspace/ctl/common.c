// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl's plumbing shared by the verbs: error printing, the lazily
 * opened socket, dumps and batch mode (the verbs are in verbs.c).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/podnet.h>

#include "args.h"
#include "podnetctl.h"
#include "util.h"

static void verr(const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	fprintf(stderr, "Error: %s%s\n", buf, n && buf[n - 1] == '.' ? "" : ".");
}

int ctl_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int ctl_runtime_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return EXIT_RUNTIME;
}

int ctl_nl_err(const struct pn_nl_err *e)
{
	char buf[512];

	pn_nl_err_format(e, buf, sizeof(buf), pn_attr_name);
	fprintf(stderr, "%s\n", buf);
	return EXIT_RUNTIME;
}

void ctl_nl_warn(const struct pn_nl_err *e)
{
	char buf[512];

	if (e->err || !e->msg[0])
		return;
	pn_nl_err_format(e, buf, sizeof(buf), pn_attr_name);
	fprintf(stderr, "%s\n", buf);
}

struct pn_genl *ctl_genl(struct ctl *c)
{
	struct pn_nl_err e;

	if (c->genl_open)
		return &c->genl;
	if (pn_genl_open(&c->genl, PODNET_GENL_NAME, &e) < 0) {
		ctl_nl_err(&e);
		return NULL;
	}
	c->genl_open = true;
	return &c->genl;
}

int ctl_json_print(struct ctl *c, json_t *j)
{
	size_t flags = c->pretty ? JSON_INDENT(4) : JSON_COMPACT;
	int ret;

	if (!j)
		return ctl_runtime_err("%s", strerror(ENOMEM));
	ret = json_dumpf(j, c->out, flags | JSON_ENSURE_ASCII);
	json_decref(j);
	fputc('\n', c->out);
	if (ret < 0 || ferror(c->out))
		return ctl_runtime_err("cannot write the output");
	return EXIT_OK;
}

#define DUMP_TRIES	5

int ctl_dump(struct ctl *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     void (*reset)(void *data))
{
	struct pn_genl *g = ctl_genl(c);
	struct pn_nl_err e;
	int i;

	if (!g)
		return EXIT_RUNTIME;
	for (i = 0; i < DUMP_TRIES; i++) {
		if (pn_genl_request(g, nlh, cb, data, &e) == 0) {
			ctl_nl_warn(&e);
			return EXIT_OK;
		}
		if (e.err != EINTR)
			return ctl_nl_err(&e);
		reset(data);
	}
	return ctl_nl_err(&e);
}

struct pn_msg *ctl_msgs_push(struct ctl_msgs *ms)
{
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		struct pn_msg *v = realloc(ms->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		ms->v = v;
		ms->cap = cap;
	}
	memset(&ms->v[ms->n], 0, sizeof(ms->v[0]));
	return &ms->v[ms->n++];
}

void ctl_msgs_reset(void *data)
{
	struct ctl_msgs *ms = data;
	size_t i;

	for (i = 0; i < ms->n; i++)
		pn_msg_free(&ms->v[i]);
	ms->n = 0;
}

void ctl_msgs_free(struct ctl_msgs *ms)
{
	ctl_msgs_reset(ms);
	free(ms->v);
	ms->v = NULL;
	ms->cap = 0;
}

int ctl_batch(struct ctl *c, const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char err[CTL_ERRLEN], *line = NULL, **argv = NULL;
	unsigned long lineno = 0;
	size_t len = 0, cap = 0;
	int ret = EXIT_OK, argc;

	if (!f)
		return ctl_runtime_err("cannot open \"%s\": %s", file, strerror(errno));
	while (getline(&line, &len, f) >= 0) {
		lineno++;
		if (ctl_split_line(line, &argc, &argv, &cap, err, sizeof(err))) {
			ret = ctl_usage_err("%s", err);
		} else if (argc == 0) {
			continue;
		} else {
			ret = ctl_run(c, argc, argv);
			fflush(c->out);
		}
		if (ret != EXIT_OK) {
			fprintf(stderr, "Command failed %s:%lu\n", file, lineno);
			break;
		}
	}
	if (ret == EXIT_OK && ferror(f))
		ret = ctl_runtime_err("cannot read \"%s\": %s", file, strerror(errno));
	free(line);
	free(argv);
	if (f != stdin)
		fclose(f);
	return ret;
}

