/* SPDX-License-Identifier: GPL-2.0 */
/*
 * podnetd, the podnet node agent: keeps the peer table of this node's
 * podnet device equal to what the Kubernetes API says about the other
 * Nodes (docs/podnetd.md).
 *
 * One thread does everything that changes state: it lists and watches
 * Nodes (kube.c), turns them into the desired table (nodes.c, table.c) and
 * programs the kernel (kernel.c, device.c).  The HTTP server's thread
 * (http.c) only reads, under struct pd_state's lock.
 */
#ifndef PN_AGENT_H
#define PN_AGENT_H

#include <jansson.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "nl.h"
#include "peer.h"
#include "util.h"

#define PD_ERRLEN	1024
#define PD_MAX_CIDRS	4	/* of a Node: spec.podCIDRs holds one per family */
#define PD_MAX_CLUSTER	8	/* --cluster-cidr */

/* Annotation that overrides a Node's underlay address (one per family). */
#define PD_ANNOT_UNDERLAY	"podnet.io/underlay-ip"

/*
 * What flanneld publishes on its Node (pkg/subnet/kube): its underlay
 * addresses and, with the vxlan backend, its VTEP's MAC per family.
 */
#define PD_FLANNEL		"flannel.alpha.coreos.com/"
#define PD_FLANNEL_TYPE		PD_FLANNEL "backend-type"
#define PD_FLANNEL_DATA		PD_FLANNEL "backend-data"
#define PD_FLANNEL_DATA6	PD_FLANNEL "backend-v6-data"
#define PD_FLANNEL_IP		PD_FLANNEL "public-ip"
#define PD_FLANNEL_IP6		PD_FLANNEL "public-ipv6"
#define PD_FLANNEL_KSM		PD_FLANNEL "kube-subnet-manager"

/* --- podnetd.c: options and logging ---------------------------------------- */

struct pd_opts {
	const char *kubeconfig;		/* NULL: in-cluster */
	const char *node_name;
	const char *device;
	uint32_t vni;
	uint16_t port;
	int family;			/* underlay family preferred: AF_INET/AF_INET6 */
	struct pn_prefix cluster[PD_MAX_CLUSTER];
	size_t n_cluster;
	const char *cni_conf_dir;	/* "": write no CNI config */
	const char *cni_conf_file;	/* file name in cni_conf_dir */
	const char *cni_chain;		/* plugins after podnet, comma-separated */
	const char *sync_file;		/* default /run/podnet/DEVICE.synced */
	const char *listen;		/* "ADDR:PORT" of the HTTP server, "" none */
	unsigned int stall_timeout;	/* seconds without a byte on a watch */
	unsigned int watch_timeout;	/* timeoutSeconds asked of the server */
	unsigned int page_size;		/* list limit */
	bool publish_flannel;		/* write this Node's flannel annotations */
};

void pd_log(const char *fmt, ...) __printf(1, 2);

/* Set by SIGTERM/SIGINT: every blocking call returns soon after. */
extern volatile sig_atomic_t pd_stopping;

/* --- config.c: where the API server is and who we are to it ---------------- */

struct kube_conf {
	char *server;			/* "https://host:port", no trailing '/' */
	char *ca_file;			/* certificate-authority */
	char *ca_data;			/* certificate-authority-data, decoded PEM */
	size_t ca_len;
	char *token;			/* token, or the last read of token_file */
	char *token_file;		/* tokenFile / the service account's token */
	struct timespec token_mtime;
	char *cert_data, *key_data;	/* client-certificate(-key)-data, PEM */
	size_t cert_len, key_len;
	char *cert_file, *key_file;
	bool insecure;			/* insecure-skip-tls-verify */
};

/* --kubeconfig FILE: its current context's cluster and user. */
int kube_conf_load_file(struct kube_conf *c, const char *path, char *err, size_t errlen);

/*
 * The YAML part of kube_conf_load_file(): @text (@len bytes) as the file
 * @path (for messages and relative paths); reads no tokenFile.
 */
int kube_conf_parse(struct kube_conf *c, const char *text, size_t len, const char *path,
		    char *err, size_t errlen);

/* In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service account's files. */
int kube_conf_load_incluster(struct kube_conf *c, char *err, size_t errlen);

/*
 * Read token_file again if it changed since the last read (or @force, after
 * a 401): kubelet rotates projected tokens by replacing the file.  Returns
 * 1 if the token changed, 0 if not, -1 on error.
 */
int kube_conf_refresh_token(struct kube_conf *c, bool force, char *err, size_t errlen);

void kube_conf_free(struct kube_conf *c);

/* --- kube.c: HTTP to the API server ---------------------------------------- */

struct kube;

struct kube *kube_new(struct kube_conf *conf, char *err, size_t errlen);
void kube_free(struct kube *k);

/*
 * GET @path; *out the parsed JSON body (also of an error status, if it is
 * JSON), *status the HTTP status.  -1 on a transport or parse failure.
 */
int kube_get(struct kube *k, const char *path, json_t **out, long *status,
	     char *err, size_t errlen);

/*
 * PATCH @path with @body of @content_type; *out and *status as for
 * kube_get().
 */
int kube_patch(struct kube *k, const char *path, const char *body, const char *content_type,
	       json_t **out, long *status, char *err, size_t errlen);

/*
 * Stream the watch at @path: each event (one JSON object per line) goes
 * to @cb, which returns 0 to go on, anything else to stop (returned).
 * Ends when the server closes the stream (0), no byte came for
 * @stall_timeout seconds (-1, "stalled"), or on error (-1).  *status is
 * the HTTP status.
 */
typedef int (*kube_event_fn)(json_t *event, void *data);
int kube_watch(struct kube *k, const char *path, unsigned int stall_timeout,
	       kube_event_fn cb, void *data, long *status, char *err, size_t errlen);

/*
 * kube_watch()'s handling of a 200 reply's body without a server: @data
 * fed in pieces of @chunk bytes (0: at once), as libcurl would, lines of
 * at most @max bytes.  Returns what kube_watch() would (for the tests).
 */
int kube_stream_parse(const char *data, size_t len, size_t chunk, size_t max,
		      kube_event_fn cb, void *arg, char *err, size_t errlen);

/* @s URL-encoded (a continue token); free() it. */
char *kube_escape(struct kube *k, const char *s);

/* --- nodes.c: what a Node object says ---------------------------------------- */

struct pd_node {
	char *name;
	char *rv;			/* metadata.resourceVersion */
	struct pn_prefix cidrs[PD_MAX_CIDRS];	/* spec.podCIDRs (or podCIDR) */
	size_t n_cidrs;
	struct pn_addr ip[2];		/* underlay candidates: [0] IPv4, [1] IPv6 */
	bool has_ip[2];
	uint8_t ip_source[2];		/* enum pd_ip_source: which field gave ip[] */
	uint8_t mac[2][PN_MAC_LEN];	/* flannel's VtepMAC per family */
	bool has_mac[2];
};

/* Where a Node's underlay address came from, weakest first. */
enum pd_ip_source { PD_IP_INTERNAL = 1, PD_IP_FLANNEL, PD_IP_ANNOTATED };

/* Parse a Node object; a bad field is logged and ignored, not fatal. */
int pd_node_parse(json_t *obj, struct pd_node *n, char *err, size_t errlen);
void pd_node_free(struct pd_node *n);

/* The node's underlay address for a device preferring @family; NULL if none. */
const struct pn_addr *pd_node_remote(const struct pd_node *n, int family);

/* The inner MAC for that address (flannel's VtepMAC), NULL if none. */
const uint8_t *pd_node_mac(const struct pd_node *n, int family);

/* Same table entry? (CIDRs, underlay addresses, MACs; not resourceVersion.) */
bool pd_node_same_peer(const struct pd_node *a, const struct pd_node *b);

/* "10.244.1.0/24,fd10:1::/64" into @buf. */
void pd_node_cidrs_str(const struct pd_node *n, char *buf, size_t len);

/* --- flannel.c: this Node's flannel annotations ----------------------------- */

/*
 * The VTEP MAC for a device this node creates over @family: the Node's
 * own flannel VtepMAC of that family if it has one (true), else one
 * derived from the Node's name @name (locally administered unicast).
 */
bool pd_vtep_mac(const struct pd_node *self, int family, const char *name,
		 uint8_t mac[PN_MAC_LEN]);

/* What flanneld would publish for this node's device. */
struct pd_flannel_self {
	struct pn_addr public_ip;	/* the device's underlay address */
	uint32_t vni;
	uint8_t mac[PN_MAC_LEN];	/* the device's VTEP MAC */
};

/* flannel's backend-data: {"VNI":1,"VtepMAC":"0e:00:00:00:00:01"}. */
void pd_flannel_backend_data(uint32_t vni, const uint8_t *mac, char *buf, size_t len);

/*
 * The merge patch {"metadata":{"annotations":{...}}} that brings the
 * Node object @node's flannel annotations to @s; NULL if it has them all.
 */
json_t *pd_flannel_patch(json_t *node, const struct pd_flannel_self *s);

/* --- publish.c: sending them ------------------------------------------------ */

struct pd_publisher {
	json_t *self;			/* our Node, as last listed, watched or patched */
	char *sent;			/* the last PATCH that succeeded, and when */
	time_t sent_at, failed_at;	/* ... and the last that failed */
};

/* Our own Node object @node (listed or watched) is the latest. */
void pd_publisher_keep(struct pd_publisher *p, json_t *node);

/*
 * PATCH our Node @name's status with what differs from @s (nothing if
 * nothing does).  A refused PATCH is tried again only after a minute, and
 * a PATCH that succeeded is not sent again for a minute (the watch may
 * bring events of our Node from before it).  1 sent, 0 nothing to send,
 * -1 the API refused or failed (logged).
 */
int pd_publish_flannel(struct pd_publisher *p, struct kube *k, const char *name,
		       const struct pd_flannel_self *s);
void pd_publisher_free(struct pd_publisher *p);

/* --- table.c: Nodes -> peers, and what must change in the kernel ------------- */

/*
 * The kernel requests table.c asks for.  replace gets the whole table,
 * add and del one peer each (add: NEW_PEER with NLM_F_REPLACE, so the
 * prefixes move from any other peer; del with no prefixes: the peer).
 */
struct pd_kernel_ops {
	int (*replace)(const struct pn_peer *peers, size_t n, void *data);
	int (*add)(const struct pn_peer *p, void *data);
	int (*del)(const struct pn_peer *p, void *data);
};

struct pd_table {
	char *self;			/* our node's name: not a peer */
	int family;
	/* The Nodes, sorted by name. */
	struct pd_node *nodes;
	size_t n_nodes, cap_nodes;
	/* What the kernel holds, as far as we programmed it. */
	struct pn_peer *applied;
	size_t n_applied;
	bool synced;			/* applied is the kernel's table */
	unsigned long writes;		/* kernel requests sent */
	unsigned long conflicts;	/* prefixes claimed by two nodes */
};

void pd_table_init(struct pd_table *t, const char *self, int family);
void pd_table_free(struct pd_table *t);

/* Forget every Node (before a relist fills the table again). */
void pd_table_clear_nodes(struct pd_table *t);

/* Set (add or change) or remove a Node; no kernel request. */
int pd_table_set_node(struct pd_table *t, struct pd_node *n);	/* takes n */
void pd_table_del_node(struct pd_table *t, const char *name);
const struct pd_node *pd_table_node(const struct pd_table *t, const char *name);

/*
 * The desired peers from the Nodes, sorted by remote; a prefix claimed by
 * two Nodes goes to the one whose name sorts first (the other is logged).
 */
int pd_table_desired(struct pd_table *t, struct pn_peer **out, size_t *n);
void pd_peers_free(struct pn_peer *v, size_t n);

/* The order of peers in applied: family (IPv4 first), then address. */
int pd_addr_cmp(const struct pn_addr *a, const struct pn_addr *b);

/* Index in applied of the peer @remote, or -1 (O(log n)). */
long pd_table_peer_index(const struct pd_table *t, const struct pn_addr *remote);

/* Program the whole desired table with one atomic replace. */
int pd_table_sync_full(struct pd_table *t, const struct pd_kernel_ops *ops, void *data);

/*
 * After a Node changed: send the requests that bring the kernel from
 * applied to desired, peer by peer (nothing if nothing changed).  On a
 * failed request the table is marked unsynced: the caller resyncs.
 */
int pd_table_sync_delta(struct pd_table *t, const struct pd_kernel_ops *ops, void *data);

/*
 * The same after a change of the one Node @name (gone if it is not in the
 * table any more; @before: what it was, NULL if it is new), computing only
 * the peers that change can touch: what a watch event costs at thousands
 * of Nodes.  Sends the same requests as pd_table_sync_delta() would.
 */
int pd_table_sync_node(struct pd_table *t, const struct pd_kernel_ops *ops, void *data,
		       const struct pd_node *before, const char *name);

/* --- kernel.c: the podnet family ---------------------------------------------- */

struct pd_kernel {
	struct pn_genl g;
	const char *device;
	char err[PD_ERRLEN];
};

int pd_kernel_open(struct pd_kernel *k, const char *device);
void pd_kernel_close(struct pd_kernel *k);
extern const struct pd_kernel_ops pd_kernel_ops;

/* Per-peer counters for /metrics: @cb for each peer of @device. */
int pd_kernel_peer_stats(const char *device,
			 void (*cb)(const struct pn_peer *p, const uint64_t *stats,
				    uint32_t present, void *data),
			 void *data, char *err, size_t errlen);

/* --- device.c: this node's device, routes and the files others read --------- */

/* The device podnetd created or adopted. */
struct pd_device {
	uint32_t ifindex;
	uint32_t vni;
	uint8_t mac[PN_MAC_LEN];	/* its VTEP MAC */
	bool has_mac;
};

/*
 * Create the podnet device for underlay address @local (on the link that
 * has it) with VTEP MAC @mac, or adopt the one there is; bring it up;
 * route the cluster CIDRs to it.  *d says what it is.
 */
int pd_device_ensure(const struct pd_opts *o, const struct pn_addr *local, const uint8_t *mac,
		     struct pd_device *d, char *err, size_t errlen);

/* Write @data to @path atomically (a temp file in the same directory, renamed). */
int pd_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
		    char *err, size_t errlen);

/* The CNI conflist for this node's pod CIDRs, if it differs from the file's. */
int pd_cni_conf_write(const struct pd_opts *o, const struct pd_node *self,
		      char *err, size_t errlen);

/* --- http.c: /healthz, /readyz, /metrics ------------------------------------ */

struct pd_state {
	pthread_mutex_t lock;
	bool synced;			/* the kernel table is the API's */
	bool watching;			/* a watch is open */
	time_t started, last_sync, last_event;
	unsigned long peers, prefixes, nodes;
	unsigned long watch_restarts, relists, kernel_writes, events, conflicts;
	unsigned long api_errors;
	const char *device;
	/* remote -> node name, for the per-peer metrics' labels; sorted as applied */
	struct pd_peer_name { struct pn_addr remote; char name[64]; } *names;
	size_t n_names;
};

struct pd_http;
struct pd_http *pd_http_start(const char *listen, struct pd_state *st, char *err, size_t errlen);
void pd_http_stop(struct pd_http *h);

#endif
