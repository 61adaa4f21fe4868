// SPDX-License-Identifier: GPL-2.0
/*
 * The CNI_* environment and the network configuration on stdin: read,
 * checked, and the protocol version chosen.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

const char *const cni_versions[CNI_NVERSIONS] = {
	[CNI_V030] = "0.3.0",
	[CNI_V031] = "0.3.1",
	[CNI_V040] = "0.4.0",
	[CNI_V100] = "1.0.0",
	[CNI_V110] = "1.1.0",
};

#define SUPPORTED	"0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"

int cni_version_find(const char *s)
{
	int i;

	for (i = 0; i < CNI_NVERSIONS; i++)
		if (!strcmp(s, cni_versions[i]))
			return i;
	return -1;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void cni_env_read(struct cni_env *e)
{
	e->command = env("CNI_COMMAND");
	e->containerid = env("CNI_CONTAINERID");
	e->netns = env("CNI_NETNS");
	e->ifname = env("CNI_IFNAME");
	e->args = env("CNI_ARGS");
	e->path = env("CNI_PATH");
}

/* The spec's container ID: alphanumerics, then also '_', '.', '-'. */
static bool valid_id(const char *s)
{
	const char *p;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

/* What the kernel takes as a name: < IFNAMSIZ, no '/', ':' or space. */
static const char *bad_ifname(const char *s)
{
	const char *p;

	if (strlen(s) >= IFNAMSIZ)
		return "is longer than 15 characters";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "is not a name";
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return "has a '/', ':' or white space";
	return NULL;
}

int cni_env_check(const struct cni_env *env, unsigned int need, struct cni_err *e)
{
	const char *why;

	if ((need & CNI_NEED_CONTAINERID) && !env->containerid)
		return cni_fail(e, CNI_ERR_ENV, "CNI_CONTAINERID is not set");
	if (env->containerid && !valid_id(env->containerid))
		return cni_fail(e, CNI_ERR_ENV,
				"CNI_CONTAINERID \"%s\" is invalid: letters, digits, '_', '.' and '-' only, starting with a letter or digit",
				env->containerid);
	if ((need & CNI_NEED_NETNS) && !env->netns)
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS is not set");
	if ((need & CNI_NEED_IFNAME) && !env->ifname)
		return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME is not set");
	why = env->ifname ? bad_ifname(env->ifname) : NULL;
	if (why)
		return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME \"%s\" %s", env->ifname, why);
	if ((need & CNI_NEED_PATH) && !env->path)
		return cni_fail(e, CNI_ERR_ENV, "CNI_PATH is not set");
	return 0;
}

/*
 * cniVersion, else cniVersions (spec 1.1.0): the newest listed that we
 * support.  A config with neither is refused: the spec requires one.
 */
static int choose_version(json_t *root, struct cni_conf *c, struct cni_err *e)
{
	json_t *v = json_object_get(root, "cniVersion");
	json_t *list = json_object_get(root, "cniVersions"), *it;
	int best = -1, i;
	size_t idx;

	if (v) {
		if (!json_is_string(v))
			return cni_fail(e, CNI_ERR_DECODE, "cniVersion is not a string");
		i = cni_version_find(json_string_value(v));
		if (i < 0)
			return cni_fail(e, CNI_ERR_VERSION,
					"cniVersion \"%s\" is not supported by podnet (" SUPPORTED ")",
					json_string_value(v));
		c->version = i;
		return 0;
	}
	if (!list)
		return cni_fail(e, CNI_ERR_CONFIG, "the network configuration has no cniVersion");
	if (!json_is_array(list))
		return cni_fail(e, CNI_ERR_DECODE, "cniVersions is not an array");
	json_array_foreach(list, idx, it) {
		if (!json_is_string(it))
			return cni_fail(e, CNI_ERR_DECODE, "cniVersions[%zu] is not a string", idx);
		i = cni_version_find(json_string_value(it));
		if (i > best)
			best = i;
	}
	if (best < 0)
		return cni_fail(e, CNI_ERR_VERSION,
				"none of cniVersions is supported by podnet (" SUPPORTED ")");
	c->version = best;
	return 0;
}

/* A string member, NULL if absent; -1 if present and not a string. */
static int get_str(json_t *obj, const char *key, const char **out, const char *where,
		   struct cni_err *e)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return cni_fail(e, CNI_ERR_CONFIG, "%s%s must be a non-empty string", where, key);
	*out = json_string_value(v);
	return 0;
}

int cni_conf_parse(const char *raw, size_t len, struct cni_conf *c, struct cni_err *e)
{
	json_error_t jerr;
	json_t *root, *ipam, *mtu, *masq, *sync;
	const char *p;

	c->raw = raw;
	c->rawlen = len;
	c->device = "podnet0";
	c->runtime_dir = "/run/podnet/cni";
	root = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cni_fail(e, CNI_ERR_DECODE,
				"cannot decode the network configuration: %s (line %d, column %d)",
				jerr.text, jerr.line, jerr.column);
	c->root = root;
	if (!json_is_object(root))
		return cni_fail(e, CNI_ERR_DECODE, "the network configuration is not a JSON object");
	if (choose_version(root, c, e) < 0)
		return -1;

	if (get_str(root, "name", &c->name, "", e) < 0)
		return -1;
	if (!c->name)
		return cni_fail(e, CNI_ERR_CONFIG, "the network configuration has no name");
	for (p = c->name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return cni_fail(e, CNI_ERR_CONFIG,
					"name \"%s\" is invalid: letters, digits, '_', '.' and '-' only",
					c->name);
	if (get_str(root, "device", &c->device, "", e) < 0 ||
	    get_str(root, "runtimeDir", &c->runtime_dir, "", e) < 0)
		return -1;
	/* syncFile "" turns the check off (a cluster programmed by hand). */
	sync = json_object_get(root, "syncFile");
	if (sync && !json_is_string(sync))
		return cni_fail(e, CNI_ERR_CONFIG, "syncFile must be a string");
	c->sync_file = sync ? json_string_value(sync) : NULL;
	if (!c->device)
		c->device = "podnet0";
	if (!c->runtime_dir)
		c->runtime_dir = "/run/podnet/cni";
	if (strlen(c->device) >= IFNAMSIZ)
		return cni_fail(e, CNI_ERR_CONFIG, "device \"%s\" is longer than 15 characters",
				c->device);

	mtu = json_object_get(root, "mtu");
	if (mtu) {
		if (!json_is_integer(mtu) || json_integer_value(mtu) < 1280 ||
		    json_integer_value(mtu) > 65535)
			return cni_fail(e, CNI_ERR_CONFIG,
					"mtu must be an integer from 1280 (IPv6's minimum) to 65535");
		c->mtu = (uint32_t)json_integer_value(mtu);
	}
	/* ptp's ipMasq: a config carried over from ptp must not silently lose it. */
	masq = json_object_get(root, "ipMasq");
	if (json_is_true(masq))
		return cni_fail(e, CNI_ERR_FIELD,
				"ipMasq: true is not supported: podnet does not masquerade pod traffic (leave it to the node's own NAT rules)");

	ipam = json_object_get(root, "ipam");
	if (!ipam || !json_is_object(ipam))
		return cni_fail(e, CNI_ERR_CONFIG,
				"the network configuration has no ipam object: podnet delegates addresses to an IPAM plugin (host-local, say)");
	if (get_str(ipam, "type", &c->ipam_type, "ipam.", e) < 0)
		return -1;
	if (!c->ipam_type)
		return cni_fail(e, CNI_ERR_CONFIG, "ipam.type is missing");
	if (strchr(c->ipam_type, '/') || !strcmp(c->ipam_type, "..") || !strcmp(c->ipam_type, "."))
		return cni_fail(e, CNI_ERR_CONFIG, "ipam.type \"%s\" is not a plugin name",
				c->ipam_type);

	c->prev_result = json_object_get(root, "prevResult");
	if (c->prev_result && !json_is_object(c->prev_result))
		return cni_fail(e, CNI_ERR_DECODE, "prevResult is not an object");
	return 0;
}
