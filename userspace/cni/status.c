// SPDX-License-Identifier: GPL-2.0
/*
 * STATUS (spec 1.1.0): can this node take pods?  Not while the podnet
 * device is missing or down, nor before its peer table was programmed
 * (code 50); then IPAM is asked in turn.
 *
 * "Programmed" is the node agent's word: once its first full table is
 * committed, it writes the device's ifindex to the sync file,
 * /run/podnet/DEVICE.synced (/run: gone with a reboot).  A device
 * created again has a new ifindex, so the file of its predecessor does
 * not count.  podnet only reads the file.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "file.h"
#include "podnet.h"
#include "rtnl.h"

static int check_synced(const struct cni_conf *c, uint32_t ifindex, struct cni_err *e)
{
	char path[300], *buf, *end, err[512];
	unsigned long v;
	size_t len;

	if (c->sync_file && !*c->sync_file)
		return 0;
	if (c->sync_file)
		snprintf(path, sizeof(path), "%s", c->sync_file);
	else
		snprintf(path, sizeof(path), PN_SYNC_FILE_FMT, c->device);
	/* Only podnetd (root) may say so: lib/file.c refuses what others could write. */
	if (pn_file_read(path, 64, &buf, &len, err, sizeof(err)) < 0) {
		if (errno == ENOENT)
			return cni_fail(e, CNI_ERR_UNAVAILABLE,
					"the peer table of %s has not been programmed yet (%s: %s)",
					c->device, path, strerror(errno));
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "%s", err);
	}
	v = strtoul(buf, &end, 10);
	if (end == buf || (*end && strcmp(end, "\n"))) {
		free(buf);
		return cni_fail(e, CNI_ERR_UNAVAILABLE, "%s does not hold an ifindex", path);
	}
	free(buf);
	if (v != ifindex)
		return cni_fail(e, CNI_ERR_UNAVAILABLE,
				"the peer table of %s has not been programmed yet (%s is for ifindex %lu, %s is %u)",
				c->device, path, v, c->device, ifindex);
	return 0;
}

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
	if (check_synced(&run->conf, l.ifindex, e) < 0)
		return -1;
	if (cni_ipam_exec(run, "STATUS", &out, e) < 0)
		return -1;
	json_decref(out);
	return 0;
}
