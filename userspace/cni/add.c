// SPDX-License-Identifier: GPL-2.0
/*
 * ADD: the pod's netns is opened first (a missing one allocates nothing),
 * then the MTU is known (a missing podnet device allocates nothing
 * either), then IPAM ADD, then the veth.  Once IPAM has handed out
 * addresses, every failure gives them back with IPAM DEL.
 */

#include <unistd.h>

#include "cni.h"

int cni_cmd_add(struct cni_run *run)
{
	struct cni_err *e = &run->err, undo_err;
	struct cni_result r = { 0 };
	json_t *ipam = NULL, *res, *none;
	int netns, lock, ret = -1;

	netns = cni_netns_open(run->env.netns, e);
	if (netns < 0)
		return -1;
	lock = cni_lock(run->conf.runtime_dir, run->env.containerid, e);
	if (lock < 0)
		goto out_netns;
	/* A second ADD must not let IPAM DEL take the first one's addresses. */
	if (cni_pod_mtu(&run->conf, &r.mtu, e) < 0 || cni_veth_unused(run, e) < 0)
		goto out_lock;
	if (cni_ipam_exec(run, "ADD", &ipam, e) < 0)
		goto out_lock;
	if (!ipam) {
		cni_fail(e, CNI_ERR_IPAM, "IPAM plugin %s (ADD) printed no result",
			 run->conf.ipam_type);
		goto undo;
	}
	if (cni_result_parse_ips(ipam, &r, "the IPAM result", CNI_ERR_IPAM, -1, e) < 0 ||
	    cni_veth_setup(run, &r, netns, e) < 0)
		goto undo;
	/*
	 * Our fd kept the pod's netns alive; if its runtime deleted it
	 * meanwhile, the pod end dies with our fd.  Say so, and undo.
	 */
	if (!cni_netns_same(run->env.netns, netns)) {
		cni_fail(e, CNI_ERR_CONTAINER, "network namespace %s was deleted during ADD",
			 run->env.netns);
		cni_veth_teardown(r.host_if, &undo_err);
		goto undo;
	}

	res = cni_result_json(&r, run->conf.version, run->conf.prev_result);
	ret = cni_print(res);
	json_decref(res);
	if (ret == 0)
		goto out;
	cni_fail(e, CNI_ERR_IO, "cannot write the result to stdout");
	cni_veth_teardown(r.host_if, &undo_err);
undo:
	/* What IPAM DEL says is not the error the runtime needs to see. */
	if (cni_ipam_exec(run, "DEL", &none, &undo_err) == 0)
		json_decref(none);
	ret = -1;
out:
	cni_result_free(&r);
	json_decref(ipam);
out_lock:
	cni_unlock(lock, run->conf.runtime_dir, run->env.containerid);
out_netns:
	close(netns);
	return ret;
}
