// SPDX-License-Identifier: GPL-2.0
/*
 * podnetd's HTTP server (agent/http.c) on a real socket, fetched with
 * libcurl: /healthz, /readyz before and after sync, and a /metrics scrape
 * of 3,000 peers, streamed, whose every line is counted.  The kernel's
 * per-peer counters come from the stub below instead of a podnet device.
 */

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "podnet.h"
#include "unit.h"

#define PEERS	3000
#define PORT	"39472"

int pd_kernel_peer_stats(const char *device,
			 void (*cb)(const struct pn_peer *p, const uint64_t *stats,
				    uint32_t present, void *data),
			 void *data, char *err, size_t errlen)
{
	uint64_t v[PODNET_STATS_A_MAX + 1];
	int i, t;

	(void)device;
	(void)err;
	(void)errlen;
	for (i = 0; i < PEERS; i++) {
		struct pn_peer p = { .has_remote = true };

		p.remote.family = AF_INET;
		p.remote.b[0] = 10;
		p.remote.b[2] = (uint8_t)(i >> 8);
		p.remote.b[3] = (uint8_t)i;
		for (t = 0; t <= PODNET_STATS_A_MAX; t++)
			v[t] = (uint64_t)i * 100 + (uint64_t)t;
		cb(&p, v, ~0U, data);
	}
	return 0;
}

struct body {
	char *p;
	size_t len;
};

static size_t body_cb(char *d, size_t size, size_t n, void *arg)
{
	struct body *b = arg;

	b->p = realloc(b->p, b->len + size * n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->len, d, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

static long get(const char *path, struct body *b)
{
	CURL *c = curl_easy_init();
	char url[64];
	long code = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:" PORT "%s", path);
	memset(b, 0, sizeof(*b));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code;
}

static size_t count(const char *s, const char *sub)
{
	size_t n = 0;

	for (s = strstr(s, sub); s; s = strstr(s + 1, sub))
		n++;
	return n;
}

static void test_http(void **state)
{
	struct pd_state st = { .device = "podnet0", .peers = PEERS };
	struct pd_peer_name names[1];
	char err[PD_ERRLEN];
	struct pd_http *h;
	struct body b;

	(void)state;
	pthread_mutex_init(&st.lock, NULL);
	memset(names, 0, sizeof(names));
	names[0].remote.family = AF_INET;
	names[0].remote.b[0] = 10;
	names[0].remote.b[3] = 7;
	snprintf(names[0].name, sizeof(names[0].name), "node7");
	st.names = names;
	st.n_names = 1;
	assert_null(pd_http_start("127.0.0.1:x", &st, err, sizeof(err)));
	assert_string_equal(err, "--listen 127.0.0.1:x: bad port");
	h = pd_http_start("127.0.0.1:" PORT, &st, err, sizeof(err));
	assert_non_null(h);

	assert_int_equal(get("/healthz", &b), 200);
	assert_string_equal(b.p, "ok\n");
	free(b.p);
	assert_int_equal(get("/readyz", &b), 503);
	assert_string_equal(b.p,
			    "not ready: the peer table of podnet0 is not in sync with the API yet\n");
	free(b.p);
	st.synced = true;
	assert_int_equal(get("/readyz", &b), 200);
	assert_string_equal(b.p, "ok: 3000 peers, 0 prefixes\n");
	free(b.p);
	assert_int_equal(get("/nope", &b), 404);
	free(b.p);

	assert_int_equal(get("/metrics", &b), 200);
	assert_non_null(strstr(b.p, "# TYPE podnetd_synced gauge\npodnetd_synced 1\n"));
	assert_non_null(strstr(b.p, "\npodnetd_peers 3000\n"));
	/* Every counter of every peer, once, and the text ends after the last. */
	assert_int_equal(count(b.p, "\npodnet_peer_tx_packets_total{"), PEERS);
	assert_int_equal(count(b.p, "\npodnet_peer_rx_drop_other_total{"), PEERS);
	assert_int_equal(count(b.p, "# TYPE podnet_peer_"), 13);
	assert_int_equal(count(b.p, "\npodnet_peer_rx_drop_dest_total{"), PEERS);
	assert_non_null(strstr(b.p, "podnet_peer_rx_bytes_total{device=\"podnet0\",remote=\"10.0.0.7\",node=\"node7\"} 705\n"));
	assert_non_null(strstr(b.p, "podnet_peer_tx_packets_total{device=\"podnet0\",remote=\"10.0.11.183\",node=\"\"} 299902\n"));
	assert_int_equal(b.p[b.len - 1], '\n');
	assert_non_null(strstr(b.p + b.len - 100, "remote=\"10.0.11.183\",node=\"\"} 299914\n"));
	free(b.p);
	pd_http_stop(h);
	pthread_mutex_destroy(&st.lock);
}

const struct CMUnitTest http_tests[] = {
	cmocka_unit_test(test_http),
};
const size_t http_count = COUNT(http_tests);
