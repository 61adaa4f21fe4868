// SPDX-License-Identifier: GPL-2.0
/*
 * This node's side of flannel's annotations (flannel pkg/subnet/kube and
 * pkg/backend/vxlan): the VTEP MAC a new device takes, and what podnetd
 * publishes on its own Node (--publish-flannel) so that flanneld on the
 * other nodes programs its neighbour entry, FDB entry and route for this
 * node by itself, as it does for a node running flanneld.
 *
 * flanneld (AcquireLease) writes, with a strategic merge patch of the
 * Node's status subresource:
 *   backend-type         "vxlan"
 *   backend-data         {"VNI":1,"VtepMAC":"0e:..."}  (IPv4 underlay)
 *   backend-v6-data      the same for the IPv6 one
 *   public-ip            the IPv4 underlay address   (public-ipv6: IPv6)
 *   kube-subnet-manager  "true": without it, flanneld ignores the Node
 * podnetd sends the same annotations for its device's underlay family
 * (one device, one family) and only those that differ from what the Node
 * has: a Node that already says it all costs no request.
 */

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "agent.h"

bool pd_vtep_mac(const struct pd_node *self, int family, const char *name,
		 uint8_t mac[PN_MAC_LEN])
{
	int i = family == AF_INET ? 0 : 1;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	/* A node that ran flanneld keeps its VtepMAC: its peers' FDB stays right. */
	if (self && self->has_mac[i]) {
		memcpy(mac, self->mac[i], PN_MAC_LEN);
		return true;
	}
	/*
	 * Else one derived from the Node's name: the same every time the
	 * device is made again (deleted, node reinstalled), so what was
	 * published stays true.  Locally administered, unicast.
	 */
	if (!EVP_Digest(name, strlen(name), md, &len, EVP_sha256(), NULL) || len < PN_MAC_LEN)
		memset(md, 0, sizeof(md));
	memcpy(mac, md, PN_MAC_LEN);
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	return false;
}

void pd_flannel_backend_data(uint32_t vni, const uint8_t *mac, char *buf, size_t len)
{
	/* As Go's json.Marshal of flannel's vxlanLeaseAttrs: no spaces, lower case. */
	snprintf(buf, len, "{\"VNI\":%u,\"VtepMAC\":\"%02x:%02x:%02x:%02x:%02x:%02x\"}", vni,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static void want(json_t *patch, json_t *have, const char *key, const char *value)
{
	const char *cur = json_string_value(json_object_get(have, key));

	if (!cur || strcmp(cur, value))
		json_object_set_new(patch, key, json_string(value));
}

json_t *pd_flannel_patch(json_t *node, const struct pd_flannel_self *s)
{
	json_t *have = json_object_get(json_object_get(node, "metadata"), "annotations");
	json_t *ann = json_object();
	char data[64], ip[INET6_ADDRSTRLEN];
	bool v6 = s->public_ip.family == AF_INET6;

	if (!ann)
		return NULL;
	pd_flannel_backend_data(s->vni, s->mac, data, sizeof(data));
	pn_addr_str(&s->public_ip, ip, sizeof(ip));
	want(ann, have, PD_FLANNEL_TYPE, "vxlan");
	want(ann, have, v6 ? PD_FLANNEL_DATA6 : PD_FLANNEL_DATA, data);
	want(ann, have, v6 ? PD_FLANNEL_IP6 : PD_FLANNEL_IP, ip);
	want(ann, have, PD_FLANNEL_KSM, "true");
	if (!json_object_size(ann)) {
		json_decref(ann);
		return NULL;
	}
	return json_pack("{s:{s:o}}", "metadata", "annotations", ann);
}
