// SPDX-License-Identifier: GPL-2.0
/*
 * DEL: needs nothing but the container ID and ifname, so it works with
 * the netns gone and as often as it is asked.  The veth goes first, then
 * the addresses: an address handed out again must not still be routed to
 * the old pod.
 */

#include "cni.h"

int cni_cmd_del(struct cni_run *run)
{
	struct cni_err *e = &run->err;
	char host_if[IFNAMSIZ];
	json_t *out;
	int lock, ret;

	lock = cni_lock(run->conf.runtime_dir, run->env.containerid, e);
	if (lock < 0)
		return -1;
	cni_host_ifname(run->env.containerid, run->env.ifname, host_if);
	ret = cni_veth_teardown(host_if, e);
	if (ret == 0) {
		ret = cni_ipam_exec(run, "DEL", &out, e);
		if (ret == 0)
			json_decref(out);
	}
	cni_unlock(lock, run->conf.runtime_dir, run->env.containerid);
	return ret;
}
