// SPDX-License-Identifier: GPL-2.0
/*
 * Results: the addresses an IPAM plugin hands out (a result of any
 * supported version), and podnet's own result in the version asked for.
 * 0.3.x and 0.4.0 name each IP's family ("version": "4"); 1.0.0 dropped
 * that; 1.1.0 added the interface's "mtu".
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

/* "ADDR/LEN" into @ip; -1 if it is not one. */
static int parse_cidr(const char *s, struct cni_ip *ip)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf))
		return -1;
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, &ip->addr.v4) == 1)
		ip->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &ip->addr.v6) == 1)
		ip->addr.family = AF_INET6;
	else
		return -1;
	len = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || len < 0 || len > (long)pn_addr_bits(ip->addr.family))
		return -1;
	ip->len = (uint8_t)len;
	return 0;
}

int cni_result_parse_ips(json_t *res, struct cni_result *r, const char *what, int code,
			 int iface, struct cni_err *e)
{
	json_t *ips = json_object_get(res, "ips"), *it, *a, *dns, *idx;
	size_t i;

	if (!json_is_array(ips) || !json_array_size(ips))
		return cni_fail(e, code, "%s has no ips", what);
	if (json_array_size(ips) > CNI_MAX_IPS)
		return cni_fail(e, code, "%s has %zu ips, podnet takes at most %d", what,
				json_array_size(ips), CNI_MAX_IPS);
	r->n_ips = 0;
	json_array_foreach(ips, i, it) {
		idx = json_object_get(it, "interface");
		if (iface >= 0 && (!json_is_integer(idx) || json_integer_value(idx) != iface))
			continue;
		a = json_object_get(it, "address");
		if (!json_is_string(a) || parse_cidr(json_string_value(a), &r->ips[r->n_ips]) < 0)
			return cni_fail(e, code, "%s: ips[%zu].address is not ADDRESS/LENGTH",
					what, i);
		r->n_ips++;
	}
	if (!r->n_ips)
		return cni_fail(e, code, "%s has no ips for interface %d", what, iface);
	dns = json_object_get(res, "dns");
	if (json_is_object(dns) && json_object_size(dns))
		r->dns = json_incref(dns);
	return 0;
}

void cni_result_free(struct cni_result *r)
{
	json_decref(r->dns);
	r->dns = NULL;
}

static json_t *iface(const char *name, const uint8_t mac[PN_MAC_LEN], const char *sandbox,
		     uint32_t mtu, int version)
{
	char m[PN_MAC_STRLEN];
	json_t *j = json_pack("{s:s,s:s}", "name", name,
			      "mac", pn_mac_str(mac, m, sizeof(m)));

	if (version >= CNI_V110)
		json_object_set_new(j, "mtu", json_integer(mtu));
	if (sandbox)
		json_object_set_new(j, "sandbox", json_string(sandbox));
	return j;
}

/* @j's array @key, created empty at the end of @j if it has none. */
static json_t *array_of(json_t *j, const char *key)
{
	json_t *a = json_object_get(j, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(j, key, a);
	}
	return a;
}

json_t *cni_result_json(const struct cni_result *r, int version, json_t *prev)
{
	json_t *j, *ifs, *ips, *routes, *ip;
	bool v4 = false, v6 = false;
	char a[INET6_ADDRSTRLEN], cidr[PN_PREFIX_STRLEN];
	unsigned int i;
	size_t pod;

	/*
	 * Chained after another plugin: its result (in our version, as the
	 * spec has the runtime pass it), with ours appended.
	 */
	j = prev ? json_deep_copy(prev) : json_object();
	json_object_set_new(j, "cniVersion", json_string(cni_versions[version]));
	ifs = array_of(j, "interfaces");
	json_array_append_new(ifs, iface(r->host_if, r->host_mac, NULL, r->mtu, version));
	json_array_append_new(ifs, iface(r->pod_if, r->pod_mac, r->netns, r->mtu, version));
	pod = json_array_size(ifs) - 1;

	ips = array_of(j, "ips");
	for (i = 0; i < r->n_ips; i++) {
		const struct pn_addr *ad = &r->ips[i].addr;
		bool is4 = ad->family == AF_INET;

		snprintf(cidr, sizeof(cidr), "%s/%u", pn_addr_str(ad, a, sizeof(a)),
			 pn_addr_bits(ad->family));
		ip = json_object();
		if (version < CNI_V100)
			json_object_set_new(ip, "version", json_string(is4 ? "4" : "6"));
		json_object_set_new(ip, "address", json_string(cidr));
		json_object_set_new(ip, "gateway", json_string(is4 ? CNI_GW4 : CNI_GW6));
		json_object_set_new(ip, "interface", json_integer((json_int_t)pod));
		json_array_append_new(ips, ip);
		v4 |= is4;
		v6 |= !is4;
	}
	routes = array_of(j, "routes");
	if (v4)
		json_array_append_new(routes, json_pack("{s:s,s:s}", "dst", "0.0.0.0/0",
							"gw", CNI_GW4));
	if (v6)
		json_array_append_new(routes, json_pack("{s:s,s:s}", "dst", "::/0",
							"gw", CNI_GW6));
	if (r->dns && !json_object_get(j, "dns"))
		json_object_set(j, "dns", r->dns);
	return j;
}

static int parse_mac(const char *s, uint8_t mac[PN_MAC_LEN])
{
	unsigned int b[PN_MAC_LEN];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != PN_MAC_LEN || strlen(s) != PN_MAC_STRLEN - 1)
		return -1;
	for (i = 0; i < PN_MAC_LEN; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int cni_result_find_if(json_t *res, const char *name, const char *sandbox,
		       uint8_t mac[PN_MAC_LEN])
{
	json_t *ifs = json_object_get(res, "interfaces"), *it, *sb;
	size_t i;

	json_array_foreach(ifs, i, it) {
		if (!json_is_string(json_object_get(it, "name")) ||
		    strcmp(json_string_value(json_object_get(it, "name")), name))
			continue;
		sb = json_object_get(it, "sandbox");
		if (!!sandbox != json_is_string(sb) ||
		    (sandbox && strcmp(json_string_value(sb), sandbox)))
			continue;
		if (!json_is_string(json_object_get(it, "mac")) ||
		    parse_mac(json_string_value(json_object_get(it, "mac")), mac) < 0)
			return -1;
		return (int)i;
	}
	return -1;
}

bool cni_result_has_family(const struct cni_result *r, int family)
{
	unsigned int i;

	for (i = 0; i < r->n_ips; i++)
		if (r->ips[i].addr.family == family)
			return true;
	return false;
}
