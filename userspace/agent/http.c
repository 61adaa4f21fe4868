// SPDX-License-Identifier: GPL-2.0
/*
 * /healthz, /readyz and Prometheus /metrics, served by libmicrohttpd from
 * its own thread.  It reads struct pd_state under its lock and never
 * writes it; the per-peer counters come straight from the kernel, with a
 * socket of its own per scrape.
 */

#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "podnet.h"

struct pd_http {
	struct MHD_Daemon *d;
	struct pd_state *st;
};

struct text {
	char *p;
	size_t len;
	FILE *f;
};

struct peer_row {
	struct pn_addr remote;
	uint64_t v[PODNET_STATS_A_MAX + 1];
	uint32_t present;
	char node[64];
};

struct rows {
	struct peer_row *v;
	size_t n, cap;
};

static void row_cb(const struct pn_peer *p, const uint64_t *stats, uint32_t present, void *data)
{
	struct rows *r = data;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct peer_row *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].remote = p->remote;
	memcpy(r->v[r->n].v, stats, sizeof(r->v[r->n].v));
	r->v[r->n].present = present;
	r->n++;
}

static const char *node_of(const struct pd_state *st, const struct pn_addr *a)
{
	size_t lo = 0, hi = st->n_names;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pd_addr_cmp(&st->names[mid].remote, a);

		if (!c)
			return st->names[mid].name;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
}

static void metric(FILE *f, const char *name, const char *type, const char *help,
		   unsigned long long v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, v);
}

/*
 * A scrape: podnetd's own metrics as one block, then the kernel's counters
 * of every peer, one line at a time as libmicrohttpd asks for them, so a
 * table of thousands of peers never sits in memory as text.
 */
struct scrape {
	char *head;			/* podnetd's own metrics */
	size_t head_len;
	struct rows r;
	const char *device;
	int type;			/* PODNET_STATS_A_* being written */
	size_t row;			/* next row of it; r.n: its header is next */
	char line[320];
	const char *cur;		/* what is being copied out */
	size_t cur_len, cur_off;
	bool head_done;
};

static struct scrape *scrape_new(struct pd_state *st)
{
	char err[PD_ERRLEN];
	struct scrape *s = calloc(1, sizeof(*s));
	time_t now = time(NULL);
	FILE *f;
	size_t i;

	if (!s)
		return NULL;
	f = open_memstream(&s->head, &s->head_len);
	if (!f) {
		free(s);
		return NULL;
	}
	s->device = st->device;
	pthread_mutex_lock(&st->lock);
	metric(f, "podnetd_synced", "gauge",
	       "1 when the kernel's peer table is what the API says", st->synced);
	metric(f, "podnetd_watching", "gauge", "1 while a watch of Nodes is open", st->watching);
	metric(f, "podnetd_nodes", "gauge", "Nodes known from the API", st->nodes);
	metric(f, "podnetd_peers", "gauge", "peers programmed", st->peers);
	metric(f, "podnetd_prefixes", "gauge", "prefixes programmed", st->prefixes);
	metric(f, "podnetd_events_total", "counter", "watch events received", st->events);
	metric(f, "podnetd_watch_restarts_total", "counter", "watches opened again",
	       st->watch_restarts);
	metric(f, "podnetd_relists_total", "counter", "full lists after the first",
	       st->relists);
	metric(f, "podnetd_kernel_writes_total", "counter",
	       "peer table requests sent to the kernel", st->kernel_writes);
	metric(f, "podnetd_api_errors_total", "counter", "failed API requests", st->api_errors);
	metric(f, "podnetd_prefix_conflicts_total", "counter",
	       "pod CIDRs claimed by two Nodes", st->conflicts);
	metric(f, "podnetd_last_sync_timestamp_seconds", "gauge",
	       "when the table was last brought in line with the API", (unsigned long long)st->last_sync);
	metric(f, "podnetd_last_sync_age_seconds", "gauge", "seconds since then",
	       st->last_sync ? (unsigned long long)(now - st->last_sync) : 0);
	pthread_mutex_unlock(&st->lock);

	if (pd_kernel_peer_stats(st->device, row_cb, &s->r, err, sizeof(err)) < 0) {
		fprintf(f, "# per-peer counters unavailable: %s\n", err);
		s->r.n = 0;
	}
	fclose(f);
	pthread_mutex_lock(&st->lock);
	for (i = 0; i < s->r.n; i++)
		snprintf(s->r.v[i].node, sizeof(s->r.v[i].node), "%s",
			 node_of(st, &s->r.v[i].remote));
	pthread_mutex_unlock(&st->lock);
	s->row = s->r.n;	/* the first type's header comes first */
	return s;
}

static void scrape_free(void *cls)
{
	struct scrape *s = cls;

	free(s->head);
	free(s->r.v);
	free(s);
}

/* Point s->cur at the next piece of text; false at the end. */
static bool scrape_next(struct scrape *s)
{
	char a[INET6_ADDRSTRLEN];
	const char *name;

	s->cur_off = s->cur_len = 0;	/* at the end too: nothing more to copy */
	if (!s->head_done) {
		s->head_done = true;
		s->cur = s->head;
		s->cur_len = s->head_len;
		return true;
	}
	for (; s->type <= PODNET_STATS_A_MAX; s->type++, s->row = s->r.n) {
		name = pn_stats_name(s->type);
		if (!name || !s->r.n)
			continue;
		if (s->row == s->r.n) {		/* the header, then row 0 */
			s->row = 0;
			s->cur_len = (size_t)snprintf(s->line, sizeof(s->line),
				"# HELP podnet_peer_%s_total the kernel's per-peer %s counter\n"
				"# TYPE podnet_peer_%s_total counter\n", name, name, name);
			s->cur = s->line;
			return true;
		}
		while (s->row < s->r.n && !(s->r.v[s->row].present & (1U << s->type)))
			s->row++;
		if (s->row < s->r.n) {
			const struct peer_row *pr = &s->r.v[s->row++];

			s->cur_len = (size_t)snprintf(s->line, sizeof(s->line),
				"podnet_peer_%s_total{device=\"%s\",remote=\"%s\",node=\"%s\"} %llu\n",
				name, s->device, pn_addr_str(&pr->remote, a, sizeof(a)), pr->node,
				(unsigned long long)pr->v[s->type]);
			if (s->cur_len >= sizeof(s->line))
				s->cur_len = sizeof(s->line) - 1;
			s->cur = s->line;
			if (s->row == s->r.n)	/* next: the next type's header */
				s->type++;
			return true;
		}
	}
	return false;
}

static ssize_t scrape_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct scrape *s = cls;
	size_t out = 0, n;

	(void)pos;
	while (out < max) {
		if (s->cur_off == s->cur_len && !scrape_next(s))
			break;
		n = s->cur_len - s->cur_off;
		if (n > max - out)
			n = max - out;
		memcpy(buf + out, s->cur + s->cur_off, n);
		s->cur_off += n;
		out += n;
	}
	return out ? (ssize_t)out : MHD_CONTENT_READER_END_OF_STREAM;
}

static enum MHD_Result reply_metrics(struct MHD_Connection *c, struct pd_state *st)
{
	struct scrape *s = scrape_new(st);
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!s)
		return MHD_NO;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32768, scrape_read, s,
					      scrape_free);
	if (!r) {
		scrape_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, const char *ctype,
			     char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **req)
{
	struct pd_http *h = cls;
	struct pd_state *st = h->st;
	struct text t = { 0 };
	unsigned int code = 200;

	(void)version;
	(void)upload;
	(void)req;
	if (*upload_len)
		return MHD_NO;
	t.f = open_memstream(&t.p, &t.len);
	if (!t.f)
		return MHD_NO;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = 405;
		fprintf(t.f, "only GET\n");
	} else if (!strcmp(url, "/healthz")) {
		fprintf(t.f, "ok\n");
	} else if (!strcmp(url, "/readyz")) {
		pthread_mutex_lock(&st->lock);
		if (st->synced) {
			fprintf(t.f, "ok: %lu peers, %lu prefixes\n", st->peers, st->prefixes);
		} else {
			code = 503;
			fprintf(t.f, "not ready: the peer table of %s is not in sync with the API yet\n",
				st->device);
		}
		pthread_mutex_unlock(&st->lock);
	} else if (!strcmp(url, "/metrics")) {
		fclose(t.f);
		free(t.p);
		return reply_metrics(c, st);
	} else {
		code = 404;
		fprintf(t.f, "not found: try /healthz, /readyz or /metrics\n");
	}
	fclose(t.f);
	return reply(c, code, "text/plain", t.p, t.len);
}

/* A scrape's text (megabytes at thousands of peers) is freed: return it. */
static void completed(void *cls, struct MHD_Connection *c, void **req,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)req;
	(void)toe;
	malloc_trim(0);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	unsigned long port;
	char *end;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!colon)
		return pn_errf(err, errlen, "--listen %s: expected ADDR:PORT, [ADDR6]:PORT or :PORT", s);
	port = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port > 65535)
		return pn_errf(err, errlen, "--listen %s: bad port", s);
	n = (size_t)(colon - s);
	if (n >= sizeof(host))
		return pn_errf(err, errlen, "--listen %s: bad address", s);
	memcpy(host, s, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return pn_errf(err, errlen, "--listen %s: bad IPv6 address", s);
		return 0;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	if (n && inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return pn_errf(err, errlen, "--listen %s: bad IPv4 address", s);
	return 0;
}

struct pd_http *pd_http_start(const char *listen, struct pd_state *st, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct pd_http *h;

	if (parse_listen(listen, &ss, err, errlen))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->st = st;
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
				(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				MHD_OPTION_CONNECTION_LIMIT, 16U,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				MHD_OPTION_END);
	if (!h->d) {
		free(h);
		pn_errf(err, errlen, "cannot serve HTTP on %s (in use?)", listen);
		return NULL;
	}
	return h;
}

void pd_http_stop(struct pd_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
