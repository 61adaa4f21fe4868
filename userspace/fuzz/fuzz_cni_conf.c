// SPDX-License-Identifier: GPL-2.0
/*
 * cni/conf.c: cni_conf_parse on any bytes as the network configuration a
 * runtime writes to the plugin's stdin; a prevResult it accepts then goes
 * through cni_result_parse_ips and cni_result_find_if as CHECK reads it.
 */

#include "cni.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf c = { 0 };
	struct cni_err e = { 0 };

	if (cni_conf_parse((const char *)data, size, &c, &e) < 0) {
		FUZZ_ASSERT(e.code > 0 && e.msg[0]);
		FUZZ_ASSERT(memchr(e.msg, '\0', sizeof(e.msg)));
	} else {
		FUZZ_ASSERT(c.version >= 0 && c.version < CNI_NVERSIONS);
		FUZZ_ASSERT(c.name && *c.name && c.ipam_type && *c.ipam_type);
		FUZZ_ASSERT(c.device && strlen(c.device) < IFNAMSIZ && c.runtime_dir);
		FUZZ_ASSERT(c.mtu == 0 || (c.mtu >= 1280 && c.mtu <= 65535));
		if (c.prev_result) {
			struct cni_result r = { 0 };
			uint8_t mac[PN_MAC_LEN];
			int pod = cni_result_find_if(c.prev_result, "eth0", "/var/run/netns/x", mac);

			if (cni_result_parse_ips(c.prev_result, &r, "prevResult", CNI_ERR_CONFIG,
						 pod, &e) == 0)
				FUZZ_ASSERT(r.n_ips >= 1 && r.n_ips <= CNI_MAX_IPS);
			cni_result_free(&r);
		}
	}
	json_decref(c.root);
	return 0;
}
