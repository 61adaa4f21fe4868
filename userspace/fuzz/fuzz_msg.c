// SPDX-License-Identifier: GPL-2.0
/*
 * lib/podnet.c: pn_msg_parse on any bytes as a podnet generic netlink
 * message (a GET_DEVICE or GET_PEER reply, a notification), then printed
 * the ways podnetctl prints them (text and JSON).  nlmsg_len is set to
 * the input's length: libmnl's callback loop checks it against what
 * recv() returned before a message reaches the parser.
 */

#include <libmnl/libmnl.h>

#include "fuzz.h"
#include "podnet.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct nlmsghdr *nlh;
	struct pn_msg m;
	void *buf;

	if (size < sizeof(*nlh) || size > 1 << 20)
		return 0;
	/* Aligned, and padded as a recv() buffer would be. */
	buf = calloc(1, MNL_ALIGN(size));
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nlh = buf;
	nlh->nlmsg_len = (uint32_t)size;
	if (pn_msg_parse(nlh, &m) == 0) {
		FUZZ_ASSERT(m.peer.n_prefixes <= m.peer.cap);
		FUZZ_ASSERT(memchr(m.ifname, '\0', sizeof(m.ifname)));
		if (!null)
			null = fopen("/dev/null", "w");
		if (null) {
			ctl_device_text(null, &m);
			ctl_peer_text(null, &m, m.ifname, true);
			ctl_event_text(null, &m);
		}
		json_decref(ctl_device_json(&m));
		json_decref(ctl_peer_json(&m, m.ifname));
		json_decref(ctl_event_json(&m));
		pn_msg_free(&m);
	}
	free(buf);
	return 0;
}
