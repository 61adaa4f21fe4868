// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP to the API server with libcurl: GET for lists, a streamed GET for
 * watches (one JSON event per line), PATCH for this node's annotations.  One easy handle is reused, so the
 * TLS connection of a list carries the watch that follows.
 *
 * Credentials are read before every request: a token file that kubelet
 * rotated is picked up at the next request, and a 401 re-reads it at once
 * and retries once.
 */

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* A single event larger than this is refused (a Node is a few KiB). */
#define KUBE_LINE_MAX	(16U << 20)
/* Bodies of lists: 5,000 Nodes are ~30 MB of JSON. */
#define KUBE_BODY_MAX	(512U << 20)

#ifndef PODNET_VERSION
#define PODNET_VERSION	"unknown"
#endif

struct kube {
	CURL *curl;
	struct kube_conf *conf;
	char errbuf[CURL_ERROR_SIZE];
};

struct buf {
	char *p;
	size_t len, cap, max;
	bool too_big;
};

static int buf_put(struct buf *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->max) {
		b->too_big = true;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

struct kube *kube_new(struct kube_conf *conf, char *err, size_t errlen)
{
	static bool curl_ready;
	struct kube *k;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
			pn_errf(err, errlen, "libcurl failed to initialise");
			return NULL;
		}
		curl_ready = true;
	}
	k = calloc(1, sizeof(*k));
	if (k)
		k->curl = curl_easy_init();
	if (!k || !k->curl) {
		free(k);
		pn_errf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	k->conf = conf;
	return k;
}

void kube_free(struct kube *k)
{
	if (!k)
		return;
	curl_easy_cleanup(k->curl);
	free(k);
}

static struct curl_blob *blob(struct curl_blob *b, char *data, size_t len)
{
	b->data = data;
	b->len = len;
	b->flags = CURL_BLOB_NOCOPY;
	return b;
}

/* A signal asked podnetd to stop: end the transfer now. */
static int progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return pd_stopping ? 1 : 0;
}

/*
 * Set up the handle for a request to @path (a GET unless the caller says
 * otherwise), with the header @extra if not NULL; the returned headers
 * outlive the request.
 */
static struct curl_slist *prepare(struct kube *k, const char *path, const char *extra,
				  char *err, size_t errlen)
{
	struct kube_conf *c = k->conf;
	struct curl_blob ca, cert, key;
	struct curl_slist *h = NULL;
	char *url = NULL, *auth = NULL;
	CURL *e = k->curl;

	if (kube_conf_refresh_token(c, false, err, errlen) < 0)
		return NULL;
	if (asprintf(&url, "%s%s", c->server, path) < 0)
		return NULL;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, k->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "podnetd/" PODNET_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	if (c->ca_data)
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, blob(&ca, c->ca_data, c->ca_len));
	else if (c->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->cert_data)
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, blob(&cert, c->cert_data, c->cert_len));
	else if (c->cert_file)
		curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_data)
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, blob(&key, c->key_data, c->key_len));
	else if (c->key_file)
		curl_easy_setopt(e, CURLOPT_SSLKEY, c->key_file);
	h = curl_slist_append(h, "Accept: application/json");
	if (extra)
		h = curl_slist_append(h, extra);
	if (c->token) {
		if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0)
			auth = NULL;
		if (auth)
			h = curl_slist_append(h, auth);
		free(auth);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress_cb);
	return h;
}

static size_t body_cb(char *data, size_t size, size_t n, void *arg)
{
	return buf_put(arg, data, size * n) ? 0 : size * n;
}

static int transport_err(struct kube *k, CURLcode rc, char *err, size_t errlen)
{
	return pn_errf(err, errlen, "%s: %s", k->conf->server,
		       k->errbuf[0] ? k->errbuf : curl_easy_strerror(rc));
}

/* A 401: read the token again; retry if it changed. */
static bool retry_auth(struct kube *k, long status)
{
	char err[PD_ERRLEN];

	return status == 401 && kube_conf_refresh_token(k->conf, true, err, sizeof(err)) == 1;
}

/* GET, or with @body a PATCH of @body in @type, and its JSON reply. */
static int request(struct kube *k, const char *path, const char *body, const char *type,
		   json_t **out, long *status, char *err, size_t errlen)
{
	const char *method = body ? "PATCH" : "GET";
	char ctype[128];
	struct curl_slist *h;
	json_error_t je;
	CURLcode rc;
	int tries;

	*out = NULL;
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", type ? type : "");
	for (tries = 0; tries < 2; tries++) {
		struct buf b = { .max = KUBE_BODY_MAX };

		h = prepare(k, path, body ? ctype : NULL, err, errlen);
		if (!h)
			return -1;
		if (body) {
			curl_easy_setopt(k->curl, CURLOPT_CUSTOMREQUEST, "PATCH");
			curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(k->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		}
		k->errbuf[0] = '\0';
		curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, body_cb);
		curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(k->curl, CURLOPT_TIMEOUT, 120L);
		rc = curl_easy_perform(k->curl);
		curl_slist_free_all(h);
		*status = 0;
		curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, status);
		if (rc != CURLE_OK) {
			free(b.p);
			if (b.too_big)
				return pn_errf(err, errlen, "%s %s: the reply is larger than %u bytes",
					       method, path, KUBE_BODY_MAX);
			return transport_err(k, rc, err, errlen);
		}
		if (tries == 0 && retry_auth(k, *status)) {
			free(b.p);
			continue;
		}
		*out = b.p ? json_loadb(b.p, b.len, 0, &je) : NULL;
		free(b.p);
		if (!*out && *status == 200)
			return pn_errf(err, errlen, "%s %s: the reply is not JSON: %s", method, path,
				       je.text);
		return 0;
	}
	return 0;
}

int kube_get(struct kube *k, const char *path, json_t **out, long *status,
	     char *err, size_t errlen)
{
	return request(k, path, NULL, NULL, out, status, err, errlen);
}

int kube_patch(struct kube *k, const char *path, const char *body, const char *content_type,
	       json_t **out, long *status, char *err, size_t errlen)
{
	return request(k, path, body, content_type, out, status, err, errlen);
}

struct stream {
	struct buf line;
	struct kube *k;
	kube_event_fn cb;
	void *data;
	int stopped;		/* the callback's non-zero return */
	long status;
	struct buf errbody;	/* the body of a non-200 reply */
	char err[PD_ERRLEN];
};

/* A 200 reply's bytes: cut into lines, each JSON event to s->cb; 0 stops. */
static size_t stream_lines(struct stream *s, const char *data, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		json_error_t je;
		json_t *ev;

		if (data[i] != '\n')
			continue;
		if (buf_put(&s->line, data + start, i - start))
			goto too_big;
		start = i + 1;
		if (!s->line.len)
			continue;
		ev = json_loadb(s->line.p, s->line.len, 0, &je);
		s->line.len = 0;
		if (!ev) {
			snprintf(s->err, sizeof(s->err), "a watch event is not JSON: %s", je.text);
			return 0;
		}
		s->stopped = s->cb(ev, s->data);
		json_decref(ev);
		if (s->stopped)
			return 0;
	}
	if (buf_put(&s->line, data + start, len - start))
		goto too_big;
	return len;
too_big:
	snprintf(s->err, sizeof(s->err), "a watch event is larger than %u bytes", KUBE_LINE_MAX);
	return 0;
}

static size_t stream_cb(char *data, size_t size, size_t n, void *arg)
{
	struct stream *s = arg;
	size_t len = size * n;

	if (!s->status)
		curl_easy_getinfo(s->k->curl, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status != 200)
		return buf_put(&s->errbody, data, len) ? 0 : len;
	return stream_lines(s, data, len);
}

int kube_stream_parse(const char *data, size_t len, size_t chunk, size_t max,
		      kube_event_fn cb, void *arg, char *err, size_t errlen)
{
	struct stream s = { .line.max = max, .cb = cb, .data = arg, .status = 200 };
	size_t off, n;
	int ret = 0;

	for (off = 0; off < len; off += n) {
		n = chunk && chunk < len - off ? chunk : len - off;
		if (stream_lines(&s, data + off, n) != n)
			break;
	}
	if (s.stopped)
		ret = s.stopped;
	else if (s.err[0])
		ret = pn_errf(err, errlen, "%s", s.err);
	free(s.line.p);
	return ret;
}

int kube_watch(struct kube *k, const char *path, unsigned int stall_timeout,
	       kube_event_fn cb, void *data, long *status, char *err, size_t errlen)
{
	struct curl_slist *h;
	CURLcode rc;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		struct stream s = {
			.line.max = KUBE_LINE_MAX, .errbody.max = 65536,
			.k = k, .cb = cb, .data = data,
		};
		int ret = 0;

		h = prepare(k, path, NULL, err, errlen);
		if (!h)
			return -1;
		k->errbuf[0] = '\0';
		curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, stream_cb);
		curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(k->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(k->curl, CURLOPT_LOW_SPEED_TIME, (long)stall_timeout);
		rc = curl_easy_perform(k->curl);
		curl_slist_free_all(h);
		*status = s.status;
		if (!*status)
			curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, status);
		if (s.stopped)
			ret = s.stopped;
		else if (s.err[0])
			ret = pn_errf(err, errlen, "%s", s.err);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			ret = pn_errf(err, errlen, "the watch stalled: no byte in %u s", stall_timeout);
		else if (rc != CURLE_OK)
			ret = transport_err(k, rc, err, errlen);
		else if (*status != 200 && tries == 0 && retry_auth(k, *status)) {
			free(s.line.p);
			free(s.errbody.p);
			continue;
		} else if (*status != 200) {
			json_t *j = s.errbody.p ? json_loadb(s.errbody.p, s.errbody.len, 0, NULL) : NULL;
			const char *msg = json_string_value(json_object_get(j, "message"));

			ret = pn_errf(err, errlen, "HTTP %ld: %s", *status,
				      msg ? msg : "no message");
			json_decref(j);
		}
		free(s.line.p);
		free(s.errbody.p);
		return ret;
	}
	return 0;
}

char *kube_escape(struct kube *k, const char *s)
{
	char *e = curl_easy_escape(k->curl, s, 0), *out;

	if (!e)
		return NULL;
	out = strdup(e);
	curl_free(e);
	return out;
}
