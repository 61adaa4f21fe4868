/* SPDX-License-Identifier: GPL-2.0 */
/*
 * podnetctl peer replace: reading the table file and cutting it into
 * REPLACE_ADD messages.  Split from the verb so the unit tests can check
 * the file parser and the message layout without a kernel.
 */
#ifndef CTL_REPLACE_H
#define CTL_REPLACE_H

#include <stdint.h>
#include <stdio.h>

#include "peer.h"
#include "podnet.h"

struct ctl_replace_entry {
	struct pn_peer peer;
	unsigned long line;
};

struct ctl_replace {
	struct ctl_replace_entry *v;
	size_t n, cap;
	size_t n_prefixes;
};

/*
 * Read one peer per line ("remote ADDR [prefix P ...] [mac MAC]"; blank
 * and '#' lines skipped), as `peer show` prints them.  A remote or prefix
 * given on two lines is refused, naming both lines.  Returns 0; -1 if the
 * file is wrong, the error reading "NAME:LINE: <why>"; -2 if it cannot be
 * read or memory runs out.
 */
int ctl_replace_parse(FILE *f, const char *name, struct ctl_replace *r,
		      char *err, size_t errlen);
void ctl_replace_free(struct ctl_replace *r);

/*
 * Lay out REPLACE_ADD messages for every entry of @r, at most @limit bytes
 * each, packed into batches of at most @limit bytes, and hand each batch
 * to @send with, for each of its messages, the index of its entry.  Stops
 * at the first non-zero return of @send and returns it.
 */
typedef pn_batch_fn ctl_batch_fn;
int ctl_replace_build(const struct ctl_replace *r, uint16_t family_id, const char *dev,
		      size_t limit, ctl_batch_fn send, void *data);

#endif
