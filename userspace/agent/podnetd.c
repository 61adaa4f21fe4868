// SPDX-License-Identifier: GPL-2.0
/*
 * podnetd: options, then the loop that lists and watches Nodes
 * (Kubernetes "API concepts": a paged list, a watch from its
 * resourceVersion with bookmarks, a relist on 410 Gone) and keeps the
 * kernel's peer table in line (table.c).
 *
 * The kernel table is never emptied or flushed by podnetd: stopping or
 * crashing leaves it, and traffic, as it is; the first sync after a start
 * is one atomic replace, which also prunes Nodes deleted meanwhile.
 */

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "podnet.h"

#ifndef PODNET_VERSION
#define PODNET_VERSION	"unknown"
#endif

/* Event callbacks' answers besides 0 (go on). */
enum { W_GONE = 1, W_RESYNC, W_ERROR };

struct agent {
	struct pd_opts o;
	struct kube_conf conf;
	struct kube *kube;
	struct pd_kernel k;
	struct pd_table t;
	struct pd_state st;
	char *rv;			/* the resourceVersion to watch from */
	uint32_t ifindex;		/* our device, 0 until it exists */
	struct pd_device dev;		/* what it is */
	struct pn_addr dev_local;	/* the address it was made for */
	struct pd_publisher pub;	/* our Node's flannel annotations */
	bool listed;			/* one list done */
	unsigned long events_this_watch;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: podnetd [OPTIONS]\n"
		"Keep the peer table of this node's podnet device in line with the Nodes of a\n"
		"Kubernetes cluster (docs/podnetd.md).\n\n"
		"  --kubeconfig FILE       kubeconfig (default: in-cluster service account)\n"
		"  --node-name NAME        this node (default: $NODE_NAME)\n"
		"  --device NAME           podnet device to create or adopt (default podnet0)\n"
		"  --vni N                 VXLAN network identifier of a new device (default 1)\n"
		"  --port N                UDP port of a new device (default 8472)\n"
		"  --underlay ipv4|ipv6    peers' underlay family, if Nodes have both (default ipv4)\n"
		"  --cluster-cidr CIDRS    cluster pod CIDRs routed to the device (comma-separated)\n"
		"  --cni-conf-dir DIR      where to write the CNI config (default /etc/cni/net.d;\n"
		"                          \"\" writes none)\n"
		"  --cni-conf-file NAME    its name (default 10-podnet.conflist)\n"
		"  --cni-chain PLUGINS     plugins chained after podnet (default portmap,bandwidth)\n"
		"  --sync-file PATH        written with the device's ifindex once the table is synced\n"
		"                          (default /run/podnet/DEVICE.synced)\n"
		"  --listen ADDR:PORT      /healthz, /readyz, /metrics (default 127.0.0.1:9472; \"\" none)\n"
		"  --stall-timeout SEC     reconnect a watch silent for this long (default 90)\n"
		"  --watch-timeout SEC     timeoutSeconds of a watch, jittered up to 2x (default 300)\n"
		"  --page-size N           Nodes per list page (default 100)\n"
		"  --publish-flannel       write flannel's vxlan annotations on this node's Node,\n"
		"                          so that flanneld on other nodes reaches it (needs\n"
		"                          deploy/rbac-flannel.yaml)\n"
		"  -h, --help              this help\n"
		"  -V, --version           the version\n");
}

static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (!*s || *end || errno || *v > max || s[0] == '-') {
		fprintf(stderr, "podnetd: %s \"%s\": expected a number up to %lu\n", opt, s, max);
		return -1;
	}
	return 0;
}

static int parse_cidrs(struct pd_opts *o, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL, why[PN_ERRLEN];
	int ret = 0;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_cluster == PD_MAX_CLUSTER) {
			fprintf(stderr, "podnetd: --cluster-cidr: at most %d CIDRs\n", PD_MAX_CLUSTER);
			ret = -1;
		} else if (pn_parse_prefix(tok, &o->cluster[o->n_cluster], why, sizeof(why))) {
			fprintf(stderr, "podnetd: --cluster-cidr \"%s\": %s\n", tok, why);
			ret = -1;
		} else {
			o->n_cluster++;
		}
	}
	free(copy);
	return copy ? ret : -1;
}

static int parse_opts(struct pd_opts *o, int argc, char **argv)
{
	enum { O_KUBECONFIG = 256, O_NODE, O_DEVICE, O_VNI, O_PORT, O_UNDERLAY, O_CLUSTER,
	       O_CNIDIR, O_CNIFILE, O_CHAIN, O_SYNC, O_LISTEN, O_STALL, O_WATCH, O_PAGE,
	       O_PUBLISH };
	static const struct option opts[] = {
		{ "kubeconfig", required_argument, NULL, O_KUBECONFIG },
		{ "node-name", required_argument, NULL, O_NODE },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "vni", required_argument, NULL, O_VNI },
		{ "port", required_argument, NULL, O_PORT },
		{ "underlay", required_argument, NULL, O_UNDERLAY },
		{ "cluster-cidr", required_argument, NULL, O_CLUSTER },
		{ "cni-conf-dir", required_argument, NULL, O_CNIDIR },
		{ "cni-conf-file", required_argument, NULL, O_CNIFILE },
		{ "cni-chain", required_argument, NULL, O_CHAIN },
		{ "sync-file", required_argument, NULL, O_SYNC },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "stall-timeout", required_argument, NULL, O_STALL },
		{ "watch-timeout", required_argument, NULL, O_WATCH },
		{ "page-size", required_argument, NULL, O_PAGE },
		{ "publish-flannel", no_argument, NULL, O_PUBLISH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	unsigned long v;
	int c;

	*o = (struct pd_opts){
		.node_name = getenv("NODE_NAME"), .device = "podnet0", .vni = 1, .port = 8472,
		.family = AF_INET, .cni_conf_dir = "/etc/cni/net.d",
		.cni_conf_file = "10-podnet.conflist", .cni_chain = "portmap,bandwidth",
		.listen = "127.0.0.1:9472", .stall_timeout = 90, .watch_timeout = 300,
		.page_size = 100,
	};
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case O_KUBECONFIG:
			o->kubeconfig = optarg;
			break;
		case O_NODE:
			o->node_name = optarg;
			break;
		case O_DEVICE:
			if (!*optarg || strlen(optarg) >= IFNAMSIZ) {
				fprintf(stderr, "podnetd: --device \"%s\": 1 to %d characters\n",
					optarg, IFNAMSIZ - 1);
				return -1;
			}
			o->device = optarg;
			break;
		case O_VNI:
			if (parse_uint("--vni", optarg, 0xffffff, &v))
				return -1;
			o->vni = (uint32_t)v;
			break;
		case O_PORT:
			if (parse_uint("--port", optarg, 65535, &v) || !v)
				return -1;
			o->port = (uint16_t)v;
			break;
		case O_UNDERLAY:
			if (!strcmp(optarg, "ipv4")) {
				o->family = AF_INET;
			} else if (!strcmp(optarg, "ipv6")) {
				o->family = AF_INET6;
			} else {
				fprintf(stderr, "podnetd: --underlay \"%s\": ipv4 or ipv6\n", optarg);
				return -1;
			}
			break;
		case O_CLUSTER:
			if (parse_cidrs(o, optarg))
				return -1;
			break;
		case O_CNIDIR:
			o->cni_conf_dir = optarg;
			break;
		case O_CNIFILE:
			if (!*optarg || strchr(optarg, '/')) {
				fprintf(stderr, "podnetd: --cni-conf-file \"%s\": a file name, no '/'\n",
					optarg);
				return -1;
			}
			o->cni_conf_file = optarg;
			break;
		case O_CHAIN:
			o->cni_chain = optarg;
			break;
		case O_SYNC:
			o->sync_file = optarg;
			break;
		case O_LISTEN:
			o->listen = optarg;
			break;
		case O_STALL:
			if (parse_uint("--stall-timeout", optarg, 86400, &v) || !v)
				return -1;
			o->stall_timeout = (unsigned int)v;
			break;
		case O_WATCH:
			if (parse_uint("--watch-timeout", optarg, 86400, &v) || !v)
				return -1;
			o->watch_timeout = (unsigned int)v;
			break;
		case O_PAGE:
			if (parse_uint("--page-size", optarg, 100000, &v) || !v)
				return -1;
			o->page_size = (unsigned int)v;
			break;
		case O_PUBLISH:
			o->publish_flannel = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("podnetd %s\n", PODNET_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "podnetd: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (!o->node_name || !*o->node_name) {
		fprintf(stderr, "podnetd: no node name: give --node-name or set NODE_NAME\n");
		return -1;
	}
	return 0;
}

/* --- state for /metrics ------------------------------------------------------- */

static void publish(struct agent *a)
{
	struct pd_state *st = &a->st;
	struct pd_peer_name *names;
	size_t i, prefixes = 0;

	/* Each peer named after the first Node (by name) with its address. */
	names = calloc(a->t.n_applied ? a->t.n_applied : 1, sizeof(*names));
	for (i = 0; i < a->t.n_applied; i++) {
		prefixes += a->t.applied[i].n_prefixes;
		if (names)
			names[i].remote = a->t.applied[i].remote;
	}
	for (i = 0; names && i < a->t.n_nodes; i++) {
		const struct pn_addr *r = pd_node_remote(&a->t.nodes[i], a->o.family);
		long idx = r ? pd_table_peer_index(&a->t, r) : -1;

		if (idx >= 0 && !names[idx].name[0])
			snprintf(names[idx].name, sizeof(names[idx].name), "%s", a->t.nodes[i].name);
	}
	pthread_mutex_lock(&st->lock);
	st->synced = a->t.synced;
	st->peers = a->t.n_applied;
	st->prefixes = prefixes;
	st->nodes = a->t.n_nodes;
	st->kernel_writes = a->t.writes;
	st->conflicts = a->t.conflicts;
	if (a->t.synced)
		st->last_sync = time(NULL);
	if (names) {
		free(st->names);
		st->names = names;
		st->n_names = a->t.n_applied;
	}
	pthread_mutex_unlock(&st->lock);
}

#define COUNT(a, field) do {				\
	pthread_mutex_lock(&(a)->st.lock);		\
	(a)->st.field++;				\
	pthread_mutex_unlock(&(a)->st.lock);		\
} while (0)

/* --- syncing ---------------------------------------------------------------- */

static int write_sync_file(struct agent *a)
{
	char path[300], buf[32], err[PD_ERRLEN];

	if (a->o.sync_file && !*a->o.sync_file)
		return 0;
	if (a->o.sync_file)
		snprintf(path, sizeof(path), "%s", a->o.sync_file);
	else
		snprintf(path, sizeof(path), PN_SYNC_FILE_FMT, a->o.device);
	snprintf(buf, sizeof(buf), "%u\n", a->ifindex);
	if (pd_write_atomic(path, buf, strlen(buf), 0644, err, sizeof(err)) < 0) {
		pd_log("%s", err);
		return -1;
	}
	return 0;
}

/*
 * Our own Node's address decides where the device goes.  -1: the kernel
 * refused (try again); SYNC_WAIT: the API does not say enough yet (watch).
 */
#define SYNC_WAIT	(-2)

/*
 * With --publish-flannel: our Node's flannel annotations, if they do not
 * say what our device is (publish.c).  Cheap when they do: heartbeats.
 */
static void publish_flannel(struct agent *a)
{
	struct pd_flannel_self s = { .public_ip = a->dev_local, .vni = a->dev.vni };

	if (!a->o.publish_flannel || !a->ifindex || !a->dev.has_mac)
		return;
	memcpy(s.mac, a->dev.mac, PN_MAC_LEN);
	if (pd_publish_flannel(&a->pub, a->kube, a->o.node_name, &s) < 0)
		COUNT(a, api_errors);
}

static int ensure_device(struct agent *a, const struct pd_node *self)
{
	const struct pn_addr *local = pd_node_remote(self, a->o.family);
	char err[PD_ERRLEN];
	uint8_t mac[PN_MAC_LEN];

	if (a->ifindex)
		return 0;
	if (!local) {
		pd_log("node %s has no InternalIP yet: waiting for it", self->name);
		return SYNC_WAIT;
	}
	pd_vtep_mac(self, local->family, self->name, mac);
	if (pd_device_ensure(&a->o, local, mac, &a->dev, err, sizeof(err)) < 0) {
		pd_log("%s", err);
		return -1;
	}
	a->ifindex = a->dev.ifindex;
	a->dev_local = *local;
	publish_flannel(a);
	return 0;
}

/* The CNI config goes out only once the table is synced: pods wait for peers. */
static void write_cni_conf(struct agent *a)
{
	const struct pd_node *self = pd_table_node(&a->t, a->o.node_name);
	char err[PD_ERRLEN];

	if (self && a->t.synced && pd_cni_conf_write(&a->o, self, err, sizeof(err)) < 0)
		pd_log("%s", err);
}

static int sync_full(struct agent *a)
{
	const struct pd_node *self = pd_table_node(&a->t, a->o.node_name);

	int ret;

	if (!self) {
		pd_log("node %s is not in the API (yet): no table is programmed until it is",
		       a->o.node_name);
		return SYNC_WAIT;
	}
	ret = ensure_device(a, self);
	if (ret < 0)
		return ret;
	publish_flannel(a);	/* a relist may show our annotations changed */
	if (pd_table_sync_full(&a->t, &pd_kernel_ops, &a->k) < 0) {
		pd_log("%s", a->k.err);
		publish(a);
		a->ifindex = 0;	/* deleted under us?  Adopt or create it again. */
		return -1;
	}
	publish(a);
	pd_log("synced %s: %zu peers from %zu nodes", a->o.device, a->t.n_applied, a->t.n_nodes);
	malloc_trim(0);		/* the list's pages are gone */
	if (write_sync_file(a) < 0)
		return -1;
	write_cni_conf(a);
	return 0;
}

static void log_node(const char *what, const struct pd_node *n, int family)
{
	const struct pn_addr *r = pd_node_remote(n, family);
	char cidrs[512], addr[INET6_ADDRSTRLEN];

	pd_node_cidrs_str(n, cidrs, sizeof(cidrs));
	pd_log("node %s %s: underlay %s, pod CIDRs %s", n->name, what,
	       r ? pn_addr_str(r, addr, sizeof(addr)) : "none", cidrs);
}

static int on_error_event(json_t *obj)
{
	json_int_t code = json_integer_value(json_object_get(obj, "code"));
	const char *msg = json_string_value(json_object_get(obj, "message"));

	pd_log("watch error %lld: %s", (long long)code, msg ? msg : "no message");
	return code == 410 ? W_GONE : W_ERROR;
}

static int on_event(json_t *ev, void *data)
{
	struct agent *a = data;
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	const struct pd_node *old, *cur;
	struct pd_node n, before;
	char err[PD_ERRLEN], name[256];	/* a Node's name: at most 253 */
	bool had;

	a->events_this_watch++;
	COUNT(a, events);
	/* Parsed events leave freed heap behind: give it back now and then. */
	if (!(a->events_this_watch % 64))
		malloc_trim(0);
	if (!type)
		return 0;
	if (!strcmp(type, "ERROR"))
		return on_error_event(obj);
	if (!strcmp(type, "BOOKMARK")) {
		const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
								   "resourceVersion"));

		if (rv) {
			free(a->rv);
			a->rv = strdup(rv);
		}
		return 0;
	}
	if (pd_node_parse(obj, &n, err, sizeof(err)) < 0) {
		pd_log("ignoring a %s event: %s", type, err);
		return 0;
	}
	if (err[0])
		pd_log("%s", err);
	free(a->rv);
	a->rv = strdup(n.rv);
	snprintf(name, sizeof(name), "%s", n.name);
	old = pd_table_node(&a->t, n.name);
	had = old != NULL;
	/* What it was, for the incremental sync (its strings go with it). */
	if (had) {
		before = *old;
		before.name = before.rv = NULL;
	}
	if (!strcmp(type, "DELETED")) {
		if (had)
			pd_log("node %s deleted", n.name);
		pd_table_del_node(&a->t, n.name);
		pd_node_free(&n);
		if (!had)
			return 0;
	} else {
		if (!strcmp(n.name, a->o.node_name)) {
			pd_publisher_keep(&a->pub, obj);
			publish_flannel(a);
		}
		if (had && pd_node_same_peer(old, &n)) {
			/* A status heartbeat: nothing for the kernel, nor the heap. */
			pd_node_free(&n);
			return 0;
		}
		if (pd_table_set_node(&a->t, &n) < 0) {
			pd_node_free(&n);
			return W_ERROR;
		}
		cur = pd_table_node(&a->t, n.name);
		log_node(had ? "changed" : "added", cur, a->o.family);
		if (!strcmp(cur->name, a->o.node_name)) {
			int r = ensure_device(a, cur);

			if (r == SYNC_WAIT)
				return 0;
			if (r < 0)
				return W_RESYNC;
			if (!a->t.synced)
				return W_RESYNC;
			write_cni_conf(a);
			return 0;	/* our own Node is not a peer */
		}
	}
	if (!a->ifindex)
		return 0;	/* no device before our own Node is known */
	if (pd_table_sync_node(&a->t, &pd_kernel_ops, &a->k, had ? &before : NULL, name) < 0) {
		pd_log("%s; the whole table is replaced again", a->k.err);
		publish(a);
		return W_RESYNC;
	}
	publish(a);
	return 0;
}

/* --- list and watch ----------------------------------------------------------- */

static int list_nodes(struct agent *a)
{
	char *cont = NULL, path[1024], err[PD_ERRLEN];
	size_t count = 0, pages = 0;
	int ret = -1;

	pd_table_clear_nodes(&a->t);
	for (;;) {
		json_t *j, *items, *item;
		const char *next, *rv;
		long status;
		size_t i;

		snprintf(path, sizeof(path), "/api/v1/nodes?limit=%u%s%s", a->o.page_size,
			 cont ? "&continue=" : "", cont ? cont : "");
		if (kube_get(a->kube, path, &j, &status, err, sizeof(err)) < 0) {
			pd_log("listing nodes: %s", err);
			goto out;
		}
		if (status != 200) {
			const char *msg = json_string_value(json_object_get(j, "message"));

			pd_log("listing nodes: HTTP %ld: %s", status, msg ? msg : "no message");
			json_decref(j);
			/* An expired continue token: list again from the start. */
			if (status == 410 && cont) {
				free(cont);
				cont = NULL;
				count = pages = 0;
				pd_table_clear_nodes(&a->t);
				continue;
			}
			goto out;
		}
		pages++;
		items = json_object_get(j, "items");
		json_array_foreach(items, i, item) {
			struct pd_node n;

			if (pd_node_parse(item, &n, err, sizeof(err)) < 0)
				continue;
			if (!strcmp(n.name, a->o.node_name))
				pd_publisher_keep(&a->pub, item);
			if (err[0])
				pd_log("%s", err);
			if (pd_table_set_node(&a->t, &n) < 0) {
				pd_node_free(&n);
				json_decref(j);
				goto out;
			}
			count++;
		}
		next = json_string_value(json_object_get(json_object_get(j, "metadata"), "continue"));
		rv = json_string_value(json_object_get(json_object_get(j, "metadata"),
						       "resourceVersion"));
		free(cont);
		cont = next && *next ? kube_escape(a->kube, next) : NULL;
		if (next && *next && !cont) {
			pd_log("listing nodes: %s", strerror(ENOMEM));
			json_decref(j);
			goto out;
		}
		if (rv) {
			free(a->rv);
			a->rv = strdup(rv);
		}
		json_decref(j);
		if (!cont)
			break;
	}
	pd_log("listed %zu nodes in %zu page%s at resourceVersion %s", count, pages,
	       pages == 1 ? "" : "s", a->rv ? a->rv : "?");
	ret = 0;
out:
	free(cont);
	return ret;
}

/* Jittered exponential backoff: 0.5 s doubling to 30 s, each wait in [d/2, d]. */
static void backoff(unsigned int *step)
{
	double d = 0.5 * (double)(1U << (*step < 6 ? *step : 6));
	useconds_t us;

	if (d > 30)
		d = 30;
	d = d / 2 + d / 2 * ((double)random() / RAND_MAX);
	if (*step < 10)
		(*step)++;
	for (us = (useconds_t)(d * 1e6); us && !pd_stopping; us -= us > 100000 ? 100000 : us)
		usleep(us > 100000 ? 100000 : us);
}

static void run(struct agent *a)
{
	bool need_list = true, need_sync = false;
	unsigned int step = 0;
	time_t started;
	char path[1024], err[PD_ERRLEN];

	while (!pd_stopping) {
		long status = 0;
		int ret;

		if (need_list) {
			if (list_nodes(a) < 0) {
				COUNT(a, api_errors);
				backoff(&step);
				continue;
			}
			if (a->listed)
				COUNT(a, relists);
			a->listed = true;
			need_list = false;
			need_sync = true;
		}
		if (need_sync) {
			int r = sync_full(a);

			need_sync = !a->t.synced;
			/* The kernel refused: again, after a while.  Waiting for
			 * our own Node (or its address): watch for it. */
			if (r == -1) {
				backoff(&step);
				continue;
			}
		}
		snprintf(path, sizeof(path),
			 "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%u",
			 a->rv ? a->rv : "0",
			 a->o.watch_timeout + (unsigned int)(random() % a->o.watch_timeout));
		a->events_this_watch = 0;
		started = time(NULL);
		pthread_mutex_lock(&a->st.lock);
		a->st.watching = true;
		pthread_mutex_unlock(&a->st.lock);
		ret = kube_watch(a->kube, path, a->o.stall_timeout, on_event, a, &status, err,
				 sizeof(err));
		pthread_mutex_lock(&a->st.lock);
		a->st.watching = false;
		pthread_mutex_unlock(&a->st.lock);
		if (pd_stopping)
			break;
		COUNT(a, watch_restarts);
		if (ret == W_GONE || status == 410) {
			pd_log("resourceVersion %s is gone (410): listing again", a->rv ? a->rv : "?");
			need_list = true;
			continue;
		}
		if (ret == W_RESYNC) {
			need_sync = true;
			continue;
		}
		if (ret) {
			COUNT(a, api_errors);
			pd_log("watch: %s", ret == W_ERROR ? "error event" : err);
			backoff(&step);
			if (ret == W_ERROR)
				need_list = true;
			continue;
		}
		/*
		 * A clean end (timeoutSeconds): watch again at once, unless it
		 * ended as soon as it began (a server or proxy closing every
		 * watch must not make podnetd spin).
		 */
		if (a->events_this_watch || time(NULL) - started > 1)
			step = 0;
		else
			backoff(&step);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	pd_stopping = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pd_http *http = NULL;
	char err[PD_ERRLEN];
	struct agent a;
	int ret = 1;

	memset(&a, 0, sizeof(a));
	if (parse_opts(&a.o, argc, argv) < 0)
		return 2;
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Two threads, little memory: one malloc arena, not one per thread. */
	mallopt(M_ARENA_MAX, 1);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned int)(time(NULL) ^ getpid()));
	pthread_mutex_init(&a.st.lock, NULL);
	a.st.device = a.o.device;
	a.st.started = time(NULL);
	if ((a.o.kubeconfig ? kube_conf_load_file(&a.conf, a.o.kubeconfig, err, sizeof(err))
			    : kube_conf_load_incluster(&a.conf, err, sizeof(err))) < 0) {
		pd_log("%s", err);
		return 1;
	}
	a.kube = kube_new(&a.conf, err, sizeof(err));
	if (!a.kube) {
		pd_log("%s", err);
		goto out;
	}
	if (pd_kernel_open(&a.k, a.o.device) < 0) {
		pd_log("%s (is the podnet module loaded?)", a.k.err);
		goto out;
	}
	pd_table_init(&a.t, a.o.node_name, a.o.family);
	if (a.o.listen && *a.o.listen) {
		http = pd_http_start(a.o.listen, &a.st, err, sizeof(err));
		if (!http) {
			pd_log("%s", err);
			goto out_table;
		}
	}
	pd_log("node %s, device %s, API server %s (%s%s)", a.o.node_name, a.o.device,
	       a.conf.server, a.o.kubeconfig ? "kubeconfig " : "in-cluster",
	       a.o.kubeconfig ? a.o.kubeconfig : "");
	run(&a);
	pd_log("stopping; the peer table of %s stays as it is", a.o.device);
	ret = 0;
	pd_http_stop(http);
out_table:
	pd_table_free(&a.t);
	pd_kernel_close(&a.k);
out:
	kube_free(a.kube);
	kube_conf_free(&a.conf);
	free(a.rv);
	pd_publisher_free(&a.pub);
	free(a.st.names);
	return ret;
}
