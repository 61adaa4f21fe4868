// SPDX-License-Identifier: GPL-2.0
/*
 * podnet: the CNI plugin.  Reads CNI_COMMAND, looks it up in the table
 * below and runs it; a failure is printed as the spec's error JSON on
 * stdout, and the exit status is 1.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"
#include "io.h"

/* One run's stdin is one network configuration: a few KB at most. */
#define CNI_STDIN_MAX	(1U << 20)

#ifndef PODNET_VERSION
#define PODNET_VERSION	"unknown"
#endif

static int cmd_version(struct cni_run *run);

/*
 * The commands.  @need: the CNI_* variables the spec requires for it
 * (CNI_PATH only where IPAM is delegated: add.c and the others check it
 * then).  @min: the oldest version that has it.  @conf: stdin must be a
 * network configuration.
 */
static const struct cni_cmd {
	const char *name;
	int (*run)(struct cni_run *run);
	unsigned int need;
	int min;
	bool conf;
} cmds[] = {
	{ "ADD", cni_cmd_add,
	  CNI_NEED_CONTAINERID | CNI_NEED_NETNS | CNI_NEED_IFNAME, CNI_V030, true },
	{ "DEL", cni_cmd_del, CNI_NEED_CONTAINERID | CNI_NEED_IFNAME, CNI_V030, true },
	{ "CHECK", cni_cmd_check,
	  CNI_NEED_CONTAINERID | CNI_NEED_NETNS | CNI_NEED_IFNAME, CNI_V040, true },
	{ "GC", cni_cmd_gc, 0, CNI_V110, true },
	{ "STATUS", cni_cmd_status, 0, CNI_V110, true },
	{ "VERSION", cmd_version, 0, CNI_V030, false },
};

int cni_fail(struct cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int cni_print(json_t *j)
{
	int ret = json_dumpf(j, stdout, JSON_INDENT(4)) == 0 ? 0 : -1;

	putchar('\n');
	return fflush(stdout) == 0 ? ret : -1;
}

static int cmd_version(struct cni_run *run)
{
	json_t *j = json_pack("{s:s}", "cniVersion", cni_versions[CNI_V_LATEST]);
	json_t *list = json_array();
	int i, ret;

	(void)run;
	for (i = 0; i < CNI_NVERSIONS; i++)
		json_array_append_new(list, json_string(cni_versions[i]));
	json_object_set_new(j, "supportedVersions", list);
	ret = cni_print(j);
	json_decref(j);
	return ret;
}

static char *read_stdin(size_t *len, struct cni_err *e)
{
	char *buf;

	if (pn_read_all(STDIN_FILENO, CNI_STDIN_MAX, &buf, len) == 0)
		return buf;
	if (errno == EFBIG)
		cni_fail(e, CNI_ERR_DECODE, "the network configuration on stdin is larger than %u bytes",
			 CNI_STDIN_MAX);
	else
		cni_fail(e, CNI_ERR_IO, "cannot read the network configuration from stdin: %s",
			 strerror(errno));
	return NULL;
}

/* The spec's error: on stdout, with the version the config asked for. */
static void print_error(const struct cni_run *run)
{
	const char *v = cni_versions[run->conf.version];
	json_t *j = json_pack("{s:s,s:i,s:s}", "cniVersion", v, "code", run->err.code,
			      "msg", run->err.msg);

	if (j)
		cni_print(j);
	json_decref(j);
}

static int dispatch(struct cni_run *run, char **raw)
{
	const struct cni_cmd *cmd = NULL;
	struct cni_err *e = &run->err;
	size_t i, len;

	if (!run->env.command)
		return cni_fail(e, CNI_ERR_ENV,
				"CNI_COMMAND is not set (one of ADD, DEL, CHECK, GC, STATUS, VERSION)");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(run->env.command, cmds[i].name))
			cmd = &cmds[i];
	if (!cmd)
		return cni_fail(e, CNI_ERR_ENV,
				"CNI_COMMAND \"%s\" is not one of ADD, DEL, CHECK, GC, STATUS, VERSION",
				run->env.command);
	if (!cmd->conf)
		return cmd->run(run);

	*raw = read_stdin(&len, e);
	if (!*raw)
		return -1;
	if (cni_conf_parse(*raw, len, &run->conf, e) < 0)
		return -1;
	if (run->conf.version < cmd->min)
		return cni_fail(e, CNI_ERR_VERSION, "%s needs cniVersion %s or later, not %s",
				cmd->name, cni_versions[cmd->min], cni_versions[run->conf.version]);
	if (cni_env_check(&run->env, cmd->need, e) < 0)
		return -1;
	return cmd->run(run);
}

/* The version line, as upstream plugins' "about" string. */
static void about(FILE *f)
{
	fprintf(f, "podnet CNI plugin %s, CNI protocol versions %s, %s, %s, %s, %s\n",
		PODNET_VERSION, cni_versions[0], cni_versions[1], cni_versions[2],
		cni_versions[3], cni_versions[4]);
}

int main(int argc, char **argv)
{
	struct cni_run run = { .conf.version = CNI_V_LATEST };
	char *raw = NULL;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		about(stdout);
		return 0;
	}
	if (argc > 1) {
		fputs("podnet: a CNI plugin, run by a container runtime with CNI_COMMAND and\n"
		      "the network configuration on stdin (see podnet(8)); it takes no\n"
		      "arguments but --version.\n", stderr);
		about(stderr);
		return 1;
	}
	cni_env_read(&run.env);
	ret = dispatch(&run, &raw);
	if (ret < 0)
		print_error(&run);
	json_decref(run.conf.root);	/* set even when the config was refused */
	free(raw);
	return ret < 0 ? 1 : 0;
}
