/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The podnet CNI plugin (CNI spec 1.1.0): what its files share.
 *
 * One run is one command.  podnet.c reads the environment and stdin into
 * a struct cni_run, looks the command up in its table and calls the
 * command's function (add.c, del.c, check.c, gc.c, status.c).  Every
 * function that can fail fills the run's struct cni_err and returns -1;
 * podnet.c prints it as the spec's error JSON on stdout and exits 1.
 */
#ifndef PN_CNI_H
#define PN_CNI_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "util.h"

/* The spec's error codes; 100 and up are podnet's own (docs/cni.md). */
enum cni_code {
	CNI_ERR_VERSION		= 1,	/* incompatible CNI version */
	CNI_ERR_FIELD		= 2,	/* unsupported field in the config */
	CNI_ERR_CONTAINER	= 3,	/* container unknown or gone */
	CNI_ERR_ENV		= 4,	/* invalid necessary environment variables */
	CNI_ERR_IO		= 5,	/* I/O failure */
	CNI_ERR_DECODE		= 6,	/* failed to decode content */
	CNI_ERR_CONFIG		= 7,	/* invalid network config */
	CNI_ERR_AGAIN		= 11,	/* try again later */
	CNI_ERR_UNAVAILABLE	= 50,	/* STATUS: cannot service ADD */
	CNI_ERR_DAMAGED		= 51,	/* STATUS: existing pods may be damaged */
	CNI_ERR_NETLINK		= 100,	/* the kernel refused a request */
	CNI_ERR_IPAM		= 101,	/* IPAM plugin failed without a spec error */
};

struct cni_err {
	int code;
	char msg[512];
};

/* Fill @e and return -1: `return cni_fail(e, CNI_ERR_CONFIG, "...")`. */
int cni_fail(struct cni_err *e, int code, const char *fmt, ...) __printf(3, 4);

/* Supported spec versions, oldest first: index into cni_versions[]. */
enum cni_version { CNI_V030, CNI_V031, CNI_V040, CNI_V100, CNI_V110, CNI_NVERSIONS };
extern const char *const cni_versions[CNI_NVERSIONS];
#define CNI_V_LATEST	CNI_V110

/* The index of version string @s, or -1. */
int cni_version_find(const char *s);

/* CNI_* variables; NULL when unset or empty. */
struct cni_env {
	const char *command, *containerid, *netns, *ifname, *args, *path;
};

/* What the network configuration on stdin says that podnet uses. */
struct cni_conf {
	json_t *root;			/* all of stdin */
	const char *raw;		/* stdin as read, for IPAM */
	size_t rawlen;
	int version;			/* enum cni_version */
	const char *name;
	const char *ipam_type;		/* NULL: no "ipam" */
	const char *device;		/* the podnet device, default "podnet0" */
	uint32_t mtu;			/* 0: the device's */
	const char *runtime_dir;	/* lock files */
	const char *sync_file;		/* NULL: /run/podnet/DEVICE.synced; "": none */
	json_t *prev_result;		/* NULL if none */
};

struct cni_run {
	struct cni_env env;
	struct cni_conf conf;
	struct cni_err err;
};

/* --- conf.c: environment and configuration -------------------------------- */

/* Read the CNI_* variables (no validation). */
void cni_env_read(struct cni_env *env);

/* Bit masks of the variables a command needs, checked by cni_env_check. */
enum {
	CNI_NEED_CONTAINERID	= 1 << 0,
	CNI_NEED_NETNS		= 1 << 1,
	CNI_NEED_IFNAME		= 1 << 2,
	CNI_NEED_PATH		= 1 << 3,
};
int cni_env_check(const struct cni_env *env, unsigned int need, struct cni_err *e);

/*
 * Parse the configuration in @raw (@len bytes) into @c; @c->root keeps
 * the parsed document (json_decref it).  Chooses the version: cniVersion,
 * else the newest of cniVersions that podnet supports.
 */
int cni_conf_parse(const char *raw, size_t len, struct cni_conf *c, struct cni_err *e);

/* --- result.c: IPAM results in, podnet's results out ---------------------- */

#define CNI_MAX_IPS	8

struct cni_ip {
	struct pn_addr addr;
	uint8_t len;			/* as IPAM gave it; the pod gets a host prefix */
};

struct cni_result {
	unsigned int n_ips;
	struct cni_ip ips[CNI_MAX_IPS];
	json_t *dns;			/* IPAM's, passed on; NULL if none */
	char host_if[IFNAMSIZ];
	uint8_t host_mac[PN_MAC_LEN];
	char pod_if[IFNAMSIZ];
	uint8_t pod_mac[PN_MAC_LEN];
	const char *netns;
	uint32_t mtu;
};

/*
 * The "ips" (and "dns") of a result of any supported version into @r:
 * those of interface @iface only, if it is not -1.  @what names the
 * result in errors, which get @code.
 */
int cni_result_parse_ips(json_t *res, struct cni_result *r, const char *what, int code,
			 int iface, struct cni_err *e);

/* Free what cni_result_parse_ips() kept. */
void cni_result_free(struct cni_result *r);

/*
 * @r as a result of spec version @version (a new reference), appended to
 * @prev (a chained ADD's prevResult) if not NULL.
 */
json_t *cni_result_json(const struct cni_result *r, int version, json_t *prev);

/* Has IPAM handed out an address of @family? */
bool cni_result_has_family(const struct cni_result *r, int family);

/*
 * The index of the first interface named @name (in @sandbox, NULL: in
 * none) in result @res, its "mac" into @mac; -1 if there is none.
 */
int cni_result_find_if(json_t *res, const char *name, const char *sandbox,
		       uint8_t mac[PN_MAC_LEN]);

/* --- ipam.c: the delegated IPAM plugin ------------------------------------ */

/*
 * Run the IPAM plugin of @c as @command (ADD, DEL, CHECK, GC, STATUS) with
 * the same stdin and environment.  On success *out gets its stdout parsed
 * (a new reference, or NULL if it printed nothing).  Its error JSON
 * becomes @e, with its code.
 */
int cni_ipam_exec(const struct cni_run *run, const char *command, json_t **out,
		  struct cni_err *e);

/* --- lock.c: one container's commands one at a time ----------------------- */

/* Lock @id's file under @dir (created as needed); the fd is the lock. */
int cni_lock(const char *dir, const char *id, struct cni_err *e);
/* Delete the file, still under the lock, and release it. */
void cni_unlock(int fd, const char *dir, const char *id);

/* --- netns.c: namespaces and sysctls -------------------------------------- */

/* Open the netns at @path: code 3 if it does not exist. */
int cni_netns_open(const char *path, struct cni_err *e);
/* Does @path still name the namespace @fd is? */
bool cni_netns_same(const char *path, int fd);
/* Run in the netns @fd from now on; cni_netns_enter(host_fd) goes back. */
int cni_netns_enter(int fd, const char *what, struct cni_err *e);
/* Write @value to /proc/sys/net/@path (in the current netns). */
int cni_sysctl(const char *path, const char *value, struct cni_err *e);

/* --- veth.c: the routed veth --------------------------------------------- */

/* The host end's name for (@containerid, @ifname): "pn" + 12 hex digits. */
void cni_host_ifname(const char *containerid, const char *ifname, char out[IFNAMSIZ]);

/* The host end's alias, "podnet:NETWORK:CONTAINERID:IFNAME" (GC reads it). */
#define CNI_ALIAS_PREFIX	"podnet:"
void cni_host_alias(const char *network, const char *containerid, const char *ifname,
		    char *out, size_t len);

/* The pod's gateways: 169.254.1.1 (proxy ARP) and the host end's fe80::1. */
#define CNI_GW4		"169.254.1.1"
#define CNI_GW6		"fe80::1"

/* Before IPAM ADD: -1 if the host end of this attachment exists already. */
int cni_veth_unused(const struct cni_run *run, struct cni_err *e);

/*
 * Set up both ends for @r's addresses, with MTU r->mtu; fills in the
 * names and MACs of @r.  On failure nothing is left.
 */
int cni_veth_setup(const struct cni_run *run, struct cni_result *r, int netns_fd,
		   struct cni_err *e);

/* Delete the host end (and with it the pod end and the host routes). */
int cni_veth_teardown(const char *host_if, struct cni_err *e);

/* The MTU for pods: conf's mtu, else the podnet device's. */
int cni_pod_mtu(const struct cni_conf *c, uint32_t *mtu, struct cni_err *e);

/* --- the commands ---------------------------------------------------------- */

int cni_cmd_add(struct cni_run *run);
int cni_cmd_del(struct cni_run *run);
int cni_cmd_check(struct cni_run *run);
int cni_cmd_gc(struct cni_run *run);
int cni_cmd_status(struct cni_run *run);

/* Print @j on stdout as the result of the command. */
int cni_print(json_t *j);

#endif
