// SPDX-License-Identifier: GPL-2.0
/*
 * cni/result.c: an IPAM plugin's stdout (any bytes, decoded as JSON the
 * way add.c does) through cni_result_parse_ips, then podnet's own result
 * built from it by cni_result_json in every supported version, chained
 * after the same document as a prevResult.  The first byte picks the
 * interface index filter (-1: all, as ADD uses it).
 */

#include "cni.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_result r = { 0 };
	struct cni_err e = { 0 };
	json_error_t je;
	json_t *res, *out;
	unsigned int i;
	int iface, v;

	if (size < 1)
		return 0;
	iface = (int)(data[0] % 4) - 1;
	res = json_loadb((const char *)data + 1, size - 1, 0, &je);
	if (!res)
		return 0;
	if (cni_result_parse_ips(res, &r, "the IPAM result", CNI_ERR_IPAM, iface, &e) < 0) {
		FUZZ_ASSERT(e.code == CNI_ERR_IPAM && e.msg[0]);
		goto out;
	}
	FUZZ_ASSERT(r.n_ips >= 1 && r.n_ips <= CNI_MAX_IPS);
	for (i = 0; i < r.n_ips; i++) {
		FUZZ_ASSERT(r.ips[i].addr.family == AF_INET || r.ips[i].addr.family == AF_INET6);
		FUZZ_ASSERT(r.ips[i].len <= pn_addr_bits(r.ips[i].addr.family));
	}
	snprintf(r.host_if, sizeof(r.host_if), "pn12345678");
	snprintf(r.pod_if, sizeof(r.pod_if), "eth0");
	r.netns = "/var/run/netns/x";
	r.mtu = 1450;
	for (v = 0; v < CNI_NVERSIONS; v++) {
		uint8_t mac[PN_MAC_LEN];

		out = cni_result_json(&r, v, json_is_object(res) ? res : NULL);
		FUZZ_ASSERT(out);
		/* A prevResult may have its own "eth0" first (with a bad MAC, say). */
		cni_result_find_if(out, "eth0", "/var/run/netns/x", mac);
		free(json_dumps(out, JSON_COMPACT));
		json_decref(out);
	}
out:
	cni_result_free(&r);
	json_decref(res);
	return 0;
}
