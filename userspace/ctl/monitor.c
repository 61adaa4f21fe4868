// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl monitor: print every change announced on the "events" group,
 * one line each (one JSON object per line with -j), until interrupted.
 */

#include <errno.h>

#include "args.h"
#include "podnetctl.h"
#include "print.h"

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl *c = data;
	struct pn_msg ev;
	int ret = MNL_CB_OK;

	if (pn_msg_parse(nlh, &ev) < 0)
		return MNL_CB_ERROR;
	if (c->json) {
		/* One object per line even with -p, so the stream stays parseable. */
		bool pretty = c->pretty;

		c->pretty = false;
		if (ctl_json_print(c, ctl_event_json(&ev)) != EXIT_OK)
			ret = MNL_CB_ERROR;
		c->pretty = pretty;
	} else {
		ctl_event_text(c->out, &ev);
	}
	pn_msg_free(&ev);
	/* Readers are usually pipes: hand each event over as it comes. */
	if (fflush(c->out))
		ret = MNL_CB_ERROR;
	return ret;
}

static void events_lost(void *data)
{
	(void)data;
	fprintf(stderr, "Warning: events were lost (receive queue overrun).\n");
}

int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	char err[CTL_ERRLEN];
	struct pn_nl_err e;
	struct pn_genl *g;
	struct ctl_args a;

	if (ctl_parse_args(argc, argv, 0, &a, err, sizeof(err))) {
		ctl_args_free(&a);
		return ctl_usage_err("monitor: %s", err);
	}
	g = ctl_genl(c);
	if (!g)
		return EXIT_RUNTIME;
	if (pn_genl_join(g, PODNET_MCGRP_EVENTS, &e) < 0)
		return ctl_nl_err(&e);
	if (pn_genl_listen(g, event_cb, events_lost, c, &e) < 0)
		return ctl_nl_err(&e);
	return EXIT_OK;
}
