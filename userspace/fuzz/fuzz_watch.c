// SPDX-License-Identifier: GPL-2.0
/*
 * agent/kube.c: the body of a watch reply (one JSON event per line) cut
 * into lines and decoded by kube_stream_parse, the code behind
 * kube_watch's libcurl write callback, fed in pieces of 1-256 bytes (the
 * first input byte) and with lines of at most 4 KiB, so that events
 * split across pieces and over-long lines are exercised.  Each event's
 * object goes to pd_node_parse as podnetd's watch loop does.
 */

#include "agent.h"
#include "fuzz.h"

struct count {
	unsigned long events;
	int stop_at;
};

static int event(json_t *ev, void *data)
{
	struct count *c = data;
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	char err[PD_ERRLEN];
	struct pd_node n;

	FUZZ_ASSERT(ev);
	c->events++;
	if (type && !strcmp(type, "STOP"))
		return c->stop_at;
	if (pd_node_parse(obj, &n, err, sizeof(err)) == 0)
		pd_node_free(&n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct count c = { .stop_at = 7 };
	char err[PD_ERRLEN];
	int ret;

	if (size < 1)
		return 0;
	memset(err, 'x', sizeof(err));
	ret = kube_stream_parse((const char *)data + 1, size - 1, (size_t)data[0] + 1, 4096,
				event, &c, err, sizeof(err));
	FUZZ_ASSERT(ret == 0 || ret == 7 || ret == -1);
	if (ret == -1)
		fuzz_check_err(err, sizeof(err));
	return 0;
}
