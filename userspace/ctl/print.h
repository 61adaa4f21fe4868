/* SPDX-License-Identifier: GPL-2.0 */
/*
 * podnetctl's output: text for people and JSON for scripts, written by
 * one printer (print.c) so that both say the same.
 */
#ifndef CTL_PRINT_H
#define CTL_PRINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "podnet.h"

/*
 * A GET_DEVICE reply.  Text: "IFINDEX: NAME:" and the link configuration
 * in the words of `ip link add ... type podnet`, then the table, the
 * counters and the socket drops on indented lines.  JSON: one object, the
 * configuration as flat keys named as `ip -j -d link show` names them.
 */
void ctl_device_text(FILE *f, const struct pn_msg *d);
json_t *ctl_device_json(const struct pn_msg *d);

/*
 * A peer (GET_PEER replies merged).  Text output is "remote ADDR [mac MAC]
 * prefix P ...", the words `peer replace` reads, preceded by "dev NAME"
 * when @ifname is given; @stats adds the counters on indented lines.
 */
void ctl_peer_text(FILE *f, const struct pn_msg *p, const char *ifname, bool stats);
json_t *ctl_peer_json(const struct pn_msg *p, const char *ifname);

/* A multicast notification. */
void ctl_event_text(FILE *f, const struct pn_msg *ev);
json_t *ctl_event_json(const struct pn_msg *ev);


#endif
