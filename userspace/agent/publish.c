// SPDX-License-Identifier: GPL-2.0
/*
 * Sending this Node's flannel annotations (--publish-flannel): what
 * flannel.c says differs goes out as flanneld sends it, a PATCH of the
 * Node's status subresource (here a JSON merge patch of metadata), and
 * only when something differs: heartbeats send nothing.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* How long a refused PATCH, or one that went out, is not sent again. */
#define PD_PUBLISH_HOLD	60

void pd_publisher_keep(struct pd_publisher *p, json_t *node)
{
	json_incref(node);
	json_decref(p->self);
	p->self = node;
}

int pd_publish_flannel(struct pd_publisher *p, struct kube *k, const char *name,
		       const struct pd_flannel_self *s)
{
	char path[512], err[PD_ERRLEN], *body;
	json_t *patch, *reply = NULL;
	time_t now = time(NULL);
	long status = 0;
	const char *msg;

	if (!p->self || (p->failed_at && now - p->failed_at < PD_PUBLISH_HOLD))
		return 0;
	patch = pd_flannel_patch(p->self, s);
	if (!patch)
		return 0;
	body = json_dumps(patch, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(patch);
	if (!body) {
		pd_log("publishing flannel annotations: %s", strerror(ENOMEM));
		return -1;
	}
	if (p->sent && !strcmp(body, p->sent) && now - p->sent_at < PD_PUBLISH_HOLD) {
		free(body);
		return 0;
	}
	snprintf(path, sizeof(path), "/api/v1/nodes/%s/status", name);
	if (kube_patch(k, path, body, "application/merge-patch+json", &reply, &status, err,
		       sizeof(err)) == 0 && status == 200) {
		pd_log("published flannel annotations on node %s: %s", name, body);
		free(p->sent);
		p->sent = body;
		p->sent_at = now;
		p->failed_at = 0;
		/* The reply is the Node as it is now: later events compare with it. */
		if (json_is_object(reply))
			pd_publisher_keep(p, reply);
		json_decref(reply);
		return 1;
	}
	msg = json_string_value(json_object_get(reply, "message"));
	if (status)
		pd_log("publishing flannel annotations: HTTP %ld: %s", status,
		       msg ? msg : "no message");
	else
		pd_log("publishing flannel annotations: %s", err);
	p->failed_at = now;
	json_decref(reply);
	free(body);
	return -1;
}

void pd_publisher_free(struct pd_publisher *p)
{
	json_decref(p->self);
	free(p->sent);
	memset(p, 0, sizeof(*p));
}
