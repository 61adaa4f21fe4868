// SPDX-License-Identifier: GPL-2.0
/*
 * podnetctl show [dev NAME]: devices, their table sizes and counters.
 */

#include <string.h>

#include "args.h"
#include "podnetctl.h"
#include "print.h"

static int device_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pn_msg *m = ctl_msgs_push(data);

	if (!m || pn_msg_parse(nlh, m) < 0) {
		if (m)
			((struct ctl_msgs *)data)->n--;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int ctl_get_devices(struct ctl *c, const char *dev, struct ctl_msgs *out)
{
	char buf[512];
	struct pn_genl *g = ctl_genl(c);
	struct nlmsghdr *nlh;

	if (!g)
		return EXIT_RUNTIME;
	memset(buf, 0, sizeof(buf));
	nlh = pn_msg_start(buf, g->id, PODNET_CMD_GET_DEVICE, dev ? 0 : NLM_F_DUMP);
	if (dev)
		pn_put_dev(nlh, 0, dev);
	return ctl_dump(c, nlh, device_cb, out, ctl_msgs_reset);
}

int cmd_show(struct ctl *c, int argc, char **argv)
{
	struct ctl_msgs devs = { 0 };
	char err[CTL_ERRLEN];
	struct ctl_args a;
	json_t *arr = NULL;
	size_t i;
	int ret;

	if (ctl_parse_args(argc, argv, W_DEV, &a, err, sizeof(err))) {
		ctl_args_free(&a);
		return ctl_usage_err("show: %s", err);
	}
	ret = ctl_get_devices(c, (a.seen & W_DEV) ? a.dev : NULL, &devs);
	if (ret == EXIT_OK && c->json) {
		arr = json_array();
		for (i = 0; arr && i < devs.n; i++)
			if (json_array_append_new(arr, ctl_device_json(&devs.v[i])))
				json_decref(arr), arr = NULL;
		ret = ctl_json_print(c, arr);
	} else if (ret == EXIT_OK) {
		for (i = 0; i < devs.n; i++)
			ctl_device_text(c->out, &devs.v[i]);
	}
	ctl_msgs_free(&devs);
	ctl_args_free(&a);
	return ret;
}
