// SPDX-License-Identifier: GPL-2.0
/*
 * This node's side: the podnet device (created on the underlay link that
 * holds the node's address, or adopted if it exists, so a restart never
 * touches the datapath), the cluster routes through it, and the two files
 * others read: the CNI conflist (kubelet's "network ready") and the sync
 * file (the CNI plugin's STATUS).
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "file.h"
#include "rtnl.h"

struct find_addr {
	const struct pn_addr *want;
	uint32_t ifindex;
};

static int find_addr_cb(const struct pn_ifaddr *a, void *data)
{
	struct find_addr *f = data;

	if (pn_addr_equal(&a->addr, f->want)) {
		f->ifindex = a->ifindex;
		return 1;
	}
	return 0;
}

static int nl_fail(char *err, size_t errlen, const char *what, const struct pn_nl_err *e)
{
	char buf[256];

	pn_nl_err_format(e, buf, sizeof(buf), NULL);
	return pn_errf(err, errlen, "%s: %s", what, buf);
}

static int create(struct pn_genl *rt, const struct pd_opts *o, const struct pn_addr *local,
		  const uint8_t *mac, char *err, size_t errlen)
{
	struct pn_podnet_link p = { .vni = o->vni, .port = o->port };
	struct find_addr f = { .want = local };
	char a[INET6_ADDRSTRLEN], why[128], m[PN_MAC_STRLEN];
	struct pn_nl_err e;

	pn_addr_str(local, a, sizeof(a));
	if (pn_rtnl_addr_dump(rt, local->family, 0, find_addr_cb, &f, &e) < 0)
		return nl_fail(err, errlen, "reading the addresses", &e);
	if (!f.ifindex)
		return pn_errf(err, errlen,
			       "no interface has this node's underlay address %s, so %s cannot be created on it",
			       a, o->device);
	p.local = *local;
	p.has_local = true;
	p.link = f.ifindex;
	memcpy(p.mac, mac, PN_MAC_LEN);
	p.has_mac = true;
	if (pn_rtnl_podnet_add(rt, o->device, &p, &e) < 0) {
		snprintf(why, sizeof(why), "creating %s", o->device);
		return nl_fail(err, errlen, why, &e);
	}
	pd_log("created %s: vni %u port %u local %s on ifindex %u, mac %s", o->device, o->vni,
	       o->port, a, f.ifindex, pn_mac_str(mac, m, sizeof(m)));
	return 0;
}

int pd_device_ensure(const struct pd_opts *o, const struct pn_addr *local, const uint8_t *mac,
		     struct pd_device *d, char *err, size_t errlen)
{
	char p[PN_PREFIX_STRLEN], why[160];
	struct pn_nl_err e;
	struct pn_genl rt;
	struct pn_link l;
	int ret = -1;
	size_t i;

	if (pn_rtnl_open(&rt, &e) < 0)
		return nl_fail(err, errlen, "rtnetlink", &e);
	if (pn_rtnl_link_get(&rt, o->device, &l, &e) < 0) {
		if (e.err != ENODEV) {
			nl_fail(err, errlen, o->device, &e);
			goto out;
		}
		if (create(&rt, o, local, mac, err, errlen) < 0)
			goto out;
		if (pn_rtnl_link_get(&rt, o->device, &l, &e) < 0) {
			nl_fail(err, errlen, o->device, &e);
			goto out;
		}
	} else if (strcmp(l.kind, "podnet")) {
		pn_errf(err, errlen, "%s exists and is not a podnet device (kind %s)", o->device,
			l.kind[0] ? l.kind : "none");
		goto out;
	} else {
		char m[PN_MAC_STRLEN];

		pd_log("adopted %s (ifindex %u, mtu %u, mac %s): its peer table stays until the first sync",
		       o->device, l.ifindex, l.mtu,
		       l.has_vtep_mac ? pn_mac_str(l.vtep_mac, m, sizeof(m)) : "unknown");
	}
	if (!(l.flags & IFF_UP) && pn_rtnl_link_up(&rt, l.ifindex, NULL, &e) < 0) {
		snprintf(why, sizeof(why), "bringing %s up", o->device);
		nl_fail(err, errlen, why, &e);
		goto out;
	}
	for (i = 0; i < o->n_cluster; i++) {
		struct pn_route r = { .dst = o->cluster[i], .oif = l.ifindex };

		if (pn_rtnl_route_replace(&rt, &r, &e) < 0) {
			snprintf(why, sizeof(why), "routing the cluster CIDR %s to %s",
				 pn_prefix_str(&o->cluster[i], p, sizeof(p)), o->device);
			nl_fail(err, errlen, why, &e);
			goto out;
		}
	}
	d->ifindex = l.ifindex;
	d->vni = l.has_vni ? l.vni : o->vni;
	memcpy(d->mac, l.vtep_mac, PN_MAC_LEN);
	d->has_mac = l.has_vtep_mac;
	ret = 0;
out:
	pn_genl_close(&rt);
	return ret;
}

static int mkdirs(const char *dir)
{
	char *copy;
	int ret;

	if (!mkdir(dir, 0755) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	copy = strdup(dir);
	if (!copy)
		return -1;
	ret = mkdirs(dirname(copy));
	free(copy);
	return ret ? ret : (mkdir(dir, 0755) && errno != EEXIST ? -1 : 0);
}

int pd_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
		    char *err, size_t errlen)
{
	char *copy = strdup(path);
	int ret;

	if (!copy)
		return pn_errf(err, errlen, "%s", strerror(ENOMEM));
	ret = mkdirs(dirname(copy));
	free(copy);
	if (ret < 0)
		return pn_errf(err, errlen, "cannot create the directory of %s: %s", path,
			       strerror(errno));
	return pn_file_write(path, data, len, mode, err, errlen);
}

static json_t *chain_plugin(const char *type)
{
	json_t *p = json_pack("{s:s}", "type", type);

	if (!strcmp(type, "portmap"))
		json_object_set_new(p, "capabilities", json_pack("{s:b}", "portMappings", 1));
	else if (!strcmp(type, "bandwidth"))
		json_object_set_new(p, "capabilities", json_pack("{s:b}", "bandwidth", 1));
	return p;
}

static json_t *conflist(const struct pd_opts *o, const struct pd_node *self)
{
	json_t *ranges = json_array(), *plugins = json_array(), *podnet;
	char p[PN_PREFIX_STRLEN], *chain, *tok, *save = NULL;
	size_t i;

	for (i = 0; i < self->n_cidrs; i++)
		json_array_append_new(ranges, json_pack("[{s:s}]", "subnet",
							pn_prefix_str(&self->cidrs[i], p, sizeof(p))));
	podnet = json_pack("{s:s, s:s, s:{s:s, s:o}}", "type", "podnet", "device", o->device,
			   "ipam", "type", "host-local", "ranges", ranges);
	if (o->sync_file)
		json_object_set_new(podnet, "syncFile", json_string(o->sync_file));
	json_array_append_new(plugins, podnet);
	chain = strdup(o->cni_chain ? o->cni_chain : "");
	for (tok = chain ? strtok_r(chain, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(plugins, chain_plugin(tok));
	free(chain);
	return json_pack("{s:s, s:[s,s], s:s, s:o}", "cniVersion", "1.1.0", "cniVersions", "1.0.0",
			 "1.1.0", "name", "podnet", "plugins", plugins);
}

int pd_cni_conf_write(const struct pd_opts *o, const struct pd_node *self,
		      char *err, size_t errlen)
{
	char *path = NULL, *text = NULL, *old = NULL;
	json_t *j;
	size_t n = 0;
	int ret = -1;

	if (!o->cni_conf_dir || !*o->cni_conf_dir)
		return 0;
	if (!self->n_cidrs)
		return pn_errf(err, errlen,
			       "node %s has no spec.podCIDRs yet: no CNI config is written until it has",
			       self->name);
	j = conflist(o, self);
	text = j ? json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!text || asprintf(&path, "%s/%s", o->cni_conf_dir, o->cni_conf_file) < 0) {
		path = NULL;
		pn_errf(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	/* Not ours to trust (a symlink, writable by others): written anew. */
	if (pn_file_read(path, 1U << 20, &old, &n, err, errlen) < 0)
		old = NULL;
	if (old && n == strlen(text) + 1 && !strncmp(old, text, n - 1) && old[n - 1] == '\n') {
		ret = 0;
		goto out;
	}
	free(old);
	old = NULL;
	if (asprintf(&old, "%s\n", text) < 0) {
		old = NULL;
		goto out;
	}
	ret = pd_write_atomic(path, old, strlen(old), 0644, err, errlen);
	if (!ret)
		pd_log("wrote %s", path);
out:
	free(old);
	free(text);
	free(path);
	return ret;
}
