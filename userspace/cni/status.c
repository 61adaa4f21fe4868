// SPDX-License-Identifier: GPL-2.0
/*
 * STATUS (spec 1.1.0): can this node take pods?  Not while the podnet
 * device is missing or down (code 50); then IPAM is asked in turn.
 */

#include <errno.h>
#include <string.h>

#include "cni.h"
#include "rtnl.h"

int cni_cmd_status(struct cni_run *run)
{
	const char *dev = run->conf.device;
	struct cni_err *e = &run->err;
	struct pn_nl_err ne;
	struct pn_genl rt;
	struct pn_link l;
	json_t *out;
	int ret;

	if (pn_rtnl_open(&rt, &ne) < 0)
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "cannot open rtnetlink: %s",
				strerror(ne.err));
	ret = pn_rtnl_link_get(&rt, dev, &l, &ne);
	pn_genl_close(&rt);
	if (ret < 0 && ne.err == ENODEV)
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "device %s does not exist", dev);
	if (ret < 0)
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "cannot read device %s: %s", dev,
				ne.msg[0] ? ne.msg : strerror(ne.err));
	if (strcmp(l.kind, "podnet"))
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "device %s is not a podnet device (kind %s)",
				dev, l.kind[0] ? l.kind : "none");
	if (!(l.flags & IFF_UP))
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "device %s is down", dev);
	if (cni_ipam_exec(run, "STATUS", &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}
