// SPDX-License-Identifier: GPL-2.0
/*
 * GC (spec 1.1.0): delete every attachment of this network that is not in
 * the runtime's list of valid ones.  The host ends say which network and
 * attachment they belong to in their alias (veth.c), so no state is
 * needed; so do lock files a run that died left behind.  Then
 * IPAM collects its own garbage from the same list.
 *
 * An ADD that died between creating the pair and setting the alias left a
 * host end with podnet's name ("pn" and 12 hex digits) and no alias: not
 * known to be this network's, but known not to be any valid attachment's
 * (the name is a hash of container ID and ifname).  Such an end is deleted
 * too, unless a command holds a lock in runtimeDir when GC has listed the
 * links: it may be an ADD still in that window.  The next GC gets it.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cni.h"
#include "rtnl.h"

struct gc {
	const struct cni_run *run;
	json_t *valid;
	char prefix[300];		/* "podnet:NETWORK:" */
	char (*stale)[IFNAMSIZ];	/* host ends to delete */
	char (*stale_id)[256];		/* "": an end without alias */
	size_t n, cap;
	int err;
};

static bool is_valid(json_t *valid, const char *id, const char *ifname)
{
	json_t *it;
	size_t i;

	json_array_foreach(valid, i, it) {
		json_t *c = json_object_get(it, "containerID"), *f = json_object_get(it, "ifname");

		if (json_is_string(c) && !strcmp(json_string_value(c), id) &&
		    (!ifname || (json_is_string(f) && !strcmp(json_string_value(f), ifname))))
			return true;
	}
	return false;
}

/* "pn" and 12 lowercase hex digits: a host end's name (veth.c). */
static bool is_host_ifname(const char *name)
{
	int i;

	if (strncmp(name, "pn", 2) || strlen(name) != 14)
		return false;
	for (i = 2; i < 14; i++)
		if (!isxdigit((unsigned char)name[i]) || isupper((unsigned char)name[i]))
			return false;
	return true;
}

/* Whether @name is the host end of an attachment in @valid. */
static bool is_valid_ifname(json_t *valid, const char *name)
{
	char want[IFNAMSIZ];
	json_t *it;
	size_t i;

	json_array_foreach(valid, i, it) {
		json_t *c = json_object_get(it, "containerID"), *f = json_object_get(it, "ifname");

		if (!json_is_string(c) || !json_is_string(f))
			continue;
		cni_host_ifname(json_string_value(c), json_string_value(f), want);
		if (!strcmp(want, name))
			return true;
	}
	return false;
}

/* Whether a command holds the lock of a container in @dir (lock.c). */
static bool locks_held(const char *dir)
{
	char path[4096];
	struct dirent *d;
	bool held = false;
	size_t len;
	DIR *dp;
	int fd;

	dp = opendir(dir);
	if (!dp)
		return false;
	while (!held && (d = readdir(dp))) {
		len = strlen(d->d_name);
		if (len <= 5 || strcmp(d->d_name + len - 5, ".lock") ||
		    snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= (int)sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* unlinked: that command is done */
		if (flock(fd, LOCK_SH | LOCK_NB) < 0)
			held = errno == EWOULDBLOCK;
		close(fd);
	}
	closedir(dp);
	return held;
}

static int link_cb(const struct pn_link *l, void *data)
{
	struct gc *g = data;
	char id[256], *ifname;
	void *p;

	if (strcmp(l->kind, "veth"))
		return 0;
	if (!l->alias[0]) {
		if (!is_host_ifname(l->name) || is_valid_ifname(g->valid, l->name))
			return 0;
		id[0] = '\0';
	} else {
		if (strncmp(l->alias, g->prefix, strlen(g->prefix)))
			return 0;
		snprintf(id, sizeof(id), "%s", l->alias + strlen(g->prefix));
		ifname = strchr(id, ':');
		if (!ifname)
			return 0;
		*ifname++ = '\0';
		if (is_valid(g->valid, id, ifname))
			return 0;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		p = realloc(g->stale, g->cap * sizeof(*g->stale));
		if (!p)
			goto nomem;
		g->stale = p;
		p = realloc(g->stale_id, g->cap * sizeof(*g->stale_id));
		if (!p)
			goto nomem;
		g->stale_id = p;
	}
	snprintf(g->stale[g->n], IFNAMSIZ, "%s", l->name);
	snprintf(g->stale_id[g->n], sizeof(g->stale_id[0]), "%s", id);
	g->n++;
	return 0;
nomem:
	g->err = ENOMEM;
	return 1;
}

/* Lock files of runs that died, of containers the runtime no longer knows. */
static void gc_locks(const struct cni_run *run, json_t *valid)
{
	const char *dir = run->conf.runtime_dir;
	struct cni_err ignore;
	struct dirent *d;
	char id[256];
	size_t len;
	DIR *dp;
	int fd;

	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		len = strlen(d->d_name);
		if (len <= 5 || len - 5 >= sizeof(id) || strcmp(d->d_name + len - 5, ".lock"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(len - 5), d->d_name);
		if (is_valid(valid, id, NULL))
			continue;
		fd = cni_lock(dir, id, &ignore);
		if (fd >= 0)
			cni_unlock(fd, dir, id);
	}
	closedir(dp);
}

int cni_cmd_gc(struct cni_run *run)
{
	struct cni_err *e = &run->err, err2;
	struct gc g = { .run = run };
	struct pn_nl_err ne;
	struct pn_genl rt;
	json_t *out;
	size_t i;
	int ret = 0, fd, busy = -1;

	g.valid = json_object_get(run->conf.root, "cni.dev/valid-attachments");
	if (!g.valid)
		g.valid = json_object_get(run->conf.root, "cni.dev/attachments");
	if (!json_is_array(g.valid))
		return cni_fail(e, CNI_ERR_CONFIG,
				"GC needs cni.dev/valid-attachments, an array of {containerID, ifname}");
	snprintf(g.prefix, sizeof(g.prefix), CNI_ALIAS_PREFIX "%s:", run->conf.name);

	if (pn_rtnl_open(&rt, &ne) < 0)
		return cni_fail(e, CNI_ERR_NETLINK, "cannot open rtnetlink: %s", strerror(ne.err));
	if (pn_rtnl_link_dump(&rt, link_cb, &g, &ne) < 0 || g.err)
		ret = cni_fail(e, CNI_ERR_NETLINK, "cannot list links: %s",
			       strerror(g.err ? g.err : ne.err));
	pn_genl_close(&rt);

	/* Each under its container's lock: a DEL of it may be running. */
	for (i = 0; ret == 0 && i < g.n; i++) {
		if (!g.stale_id[i][0]) {
			if (busy < 0)
				busy = locks_held(run->conf.runtime_dir);
			if (!busy && cni_veth_teardown(g.stale[i], &err2) < 0) {
				*e = err2;
				ret = -1;
			}
			continue;
		}
		fd = cni_lock(run->conf.runtime_dir, g.stale_id[i], e);
		if (fd < 0) {
			ret = -1;
			break;
		}
		if (cni_veth_teardown(g.stale[i], &err2) < 0) {
			*e = err2;
			ret = -1;
		}
		cni_unlock(fd, run->conf.runtime_dir, g.stale_id[i]);
	}
	free(g.stale);
	free(g.stale_id);
	if (ret < 0)
		return -1;
	gc_locks(run, g.valid);
	if (cni_ipam_exec(run, "GC", &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}
