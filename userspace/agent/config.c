// SPDX-License-Identifier: GPL-2.0
/*
 * Where the API server is and how podnetd authenticates: a kubeconfig
 * file (read with libyaml) or the in-cluster service account.
 */

#include <errno.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "agent.h"
#include "file.h"
#include "io.h"

#define SA_DIR	"/var/run/secrets/kubernetes.io/serviceaccount"

/* Credentials and kubeconfigs are a few KB; a token is under 4 KB. */
#define CONF_MAX	(1U << 20)

/* @path through lib/file.c (refused if others could have written it). */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	char *buf;
	size_t n;

	if (pn_file_read(path, CONF_MAX, &buf, &n, err, errlen) < 0)
		return NULL;
	if (len)
		*len = n;
	return buf;
}

/* A token file's content without surrounding whitespace. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		memmove(s, s + 1, strlen(s));
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static char *b64_decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in), pad = 0;
	unsigned char *out;
	int len;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	while (pad < 2 && n > pad && in[n - 1 - pad] == '=')
		pad++;
	len -= (int)pad;
	out[len] = '\0';
	*outlen = (size_t)len;
	return (char *)out;
}

/* --- a kubeconfig's YAML ----------------------------------------------------- */

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *map_str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *v = map_get(d, map, key);

	return v && v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : NULL;
}

/* The entry of list @key whose "name" is @name; its @inner mapping. */
static yaml_node_t *named(yaml_document_t *d, yaml_node_t *root, const char *key,
			  const char *name, const char *inner)
{
	yaml_node_t *list = map_get(d, root, key);
	yaml_node_item_t *i;

	if (!list || list->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(d, *i);
		const char *n = map_str(d, e, "name");

		if (n && !strcmp(n, name))
			return map_get(d, e, inner);
	}
	return NULL;
}

/* A path in a kubeconfig is relative to the file's directory. */
static char *rel_path(const char *cfg, const char *p)
{
	char *dir, *copy, *out;

	if (p[0] == '/')
		return strdup(p);
	copy = strdup(cfg);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		out = NULL;
	free(copy);
	return out;
}

static int data_field(yaml_document_t *d, yaml_node_t *m, const char *key, char **out,
		      size_t *len, const char *path, char *err, size_t errlen)
{
	const char *v = map_str(d, m, key);

	if (!v)
		return 0;
	*out = b64_decode(v, len);
	if (!*out)
		return pn_errf(err, errlen, "%s: %s is not valid base64", path, key);
	return 0;
}

static int file_field(yaml_document_t *d, yaml_node_t *m, const char *key, char **out,
		      const char *path)
{
	const char *v = map_str(d, m, key);

	if (v && *v)
		*out = rel_path(path, v);
	return 0;
}

int kube_conf_parse(struct kube_conf *c, const char *text, size_t len, const char *path,
		    char *err, size_t errlen)
{
	yaml_node_t *root, *cluster, *user, *ctx;
	const char *cur, *cname, *uname, *server, *v;
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		pn_errf(err, errlen, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		pn_errf(err, errlen, "%s: not a kubeconfig (no mapping at the top)", path);
		goto out;
	}
	cur = map_str(&doc, root, "current-context");
	if (!cur || !*cur) {
		pn_errf(err, errlen, "%s: no current-context", path);
		goto out;
	}
	ctx = named(&doc, root, "contexts", cur, "context");
	if (!ctx) {
		pn_errf(err, errlen, "%s: current-context \"%s\" is not in contexts", path, cur);
		goto out;
	}
	cname = map_str(&doc, ctx, "cluster");
	uname = map_str(&doc, ctx, "user");
	cluster = cname ? named(&doc, root, "clusters", cname, "cluster") : NULL;
	if (!cluster) {
		pn_errf(err, errlen, "%s: context \"%s\" names no cluster in clusters", path, cur);
		goto out;
	}
	server = map_str(&doc, cluster, "server");
	if (!server || strncmp(server, "https://", 8)) {
		pn_errf(err, errlen, "%s: cluster \"%s\": server must be an https:// URL (it is %s)",
			path, cname, server ? server : "missing");
		goto out;
	}
	c->server = strdup(server);
	len = strlen(c->server);
	while (len > 8 && c->server[len - 1] == '/')
		c->server[--len] = '\0';
	v = map_str(&doc, cluster, "insecure-skip-tls-verify");
	c->insecure = v && !strcmp(v, "true");
	if (data_field(&doc, cluster, "certificate-authority-data", &c->ca_data, &c->ca_len,
		       path, err, errlen) ||
	    file_field(&doc, cluster, "certificate-authority", &c->ca_file, path))
		goto out;
	user = uname ? named(&doc, root, "users", uname, "user") : NULL;
	if (user) {
		v = map_str(&doc, user, "token");
		if (v && *v)
			c->token = strdup(v);
		file_field(&doc, user, "tokenFile", &c->token_file, path);
		if (data_field(&doc, user, "client-certificate-data", &c->cert_data,
			       &c->cert_len, path, err, errlen) ||
		    data_field(&doc, user, "client-key-data", &c->key_data, &c->key_len,
			       path, err, errlen))
			goto out;
		file_field(&doc, user, "client-certificate", &c->cert_file, path);
		file_field(&doc, user, "client-key", &c->key_file, path);
		if (map_get(&doc, user, "exec") || map_get(&doc, user, "auth-provider")) {
			pn_errf(err, errlen,
				"%s: user \"%s\": exec and auth-provider credentials are not supported; use a token, tokenFile or a client certificate",
				path, uname);
			goto out;
		}
	}
	ret = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret)
		kube_conf_free(c);
	return ret;
}

/*
 * A certificate-authority, client-certificate or client-key file: read
 * here, once, and handed to curl as a blob, so that what is checked is
 * what is used.  Data given inline wins, as with kubectl.
 */
static int load_pem(const char *file, char **data, size_t *len, char *err, size_t errlen)
{
	if (!file || *data)
		return 0;
	*data = read_file(file, len, err, errlen);
	return *data ? 0 : -1;
}

static int load_pems(struct kube_conf *c, char *err, size_t errlen)
{
	if (load_pem(c->ca_file, &c->ca_data, &c->ca_len, err, errlen) < 0 ||
	    load_pem(c->cert_file, &c->cert_data, &c->cert_len, err, errlen) < 0 ||
	    load_pem(c->key_file, &c->key_data, &c->key_len, err, errlen) < 0)
		return -1;
	return 0;
}

int kube_conf_load_file(struct kube_conf *c, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int ret;

	memset(c, 0, sizeof(*c));
	text = read_file(path, &len, err, errlen);
	if (!text)
		return -1;
	ret = kube_conf_parse(c, text, len, path, err, errlen);
	free(text);
	if (!ret && (load_pems(c, err, errlen) < 0 || (c->token_file && !c->token &&
	    kube_conf_refresh_token(c, true, err, errlen) < 0))) {
		kube_conf_free(c);
		ret = -1;
	}
	return ret;
}

int kube_conf_load_incluster(struct kube_conf *c, char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("PODNETD_SA_DIR");	/* tests only */

	memset(c, 0, sizeof(*c));
	if (!host || !*host || !port || !*port)
		return pn_errf(err, errlen,
			       "not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (give --kubeconfig)");
	if (!dir)
		dir = SA_DIR;
	if (asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
		     host, port) < 0 ||
	    asprintf(&c->ca_file, "%s/ca.crt", dir) < 0 ||
	    asprintf(&c->token_file, "%s/token", dir) < 0) {
		kube_conf_free(c);
		return pn_errf(err, errlen, "%s", strerror(ENOMEM));
	}
	if (load_pems(c, err, errlen) < 0 || kube_conf_refresh_token(c, true, err, errlen) < 0) {
		kube_conf_free(c);
		return -1;
	}
	return 0;
}

int kube_conf_refresh_token(struct kube_conf *c, bool force, char *err, size_t errlen)
{
	struct stat st;
	char *tok;
	size_t len;
	int changed, fd;

	if (!c->token_file)
		return 0;
	/* The file as opened is the one whose mtime counts: no stat() before. */
	fd = pn_file_open(c->token_file, err, errlen);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return pn_errf(err, errlen, "cannot read the token %s: %s", c->token_file,
			       strerror(errno));
	}
	if (!force && c->token && st.st_mtim.tv_sec == c->token_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->token_mtime.tv_nsec) {
		close(fd);
		return 0;
	}
	if (pn_read_all(fd, CONF_MAX, &tok, &len) < 0) {
		pn_errf(err, errlen, "cannot read the token %s: %s", c->token_file,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	trim(tok);
	if (!*tok) {
		free(tok);
		return pn_errf(err, errlen, "the token file %s is empty", c->token_file);
	}
	changed = !c->token || strcmp(c->token, tok);
	free(c->token);
	c->token = tok;
	c->token_mtime = st.st_mtim;
	return changed;
}

void kube_conf_free(struct kube_conf *c)
{
	free(c->server);
	free(c->ca_file);
	free(c->ca_data);
	free(c->token);
	free(c->token_file);
	free(c->cert_data);
	free(c->key_data);
	free(c->cert_file);
	free(c->key_file);
	memset(c, 0, sizeof(*c));
}
