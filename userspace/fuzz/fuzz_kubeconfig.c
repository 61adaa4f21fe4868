// SPDX-License-Identifier: GPL-2.0
/*
 * agent/config.c: kube_conf_parse, the YAML part of kube_conf_load_file
 * (podnetd --kubeconfig), on any bytes as the file's content.  Reading a
 * tokenFile is left out: a fuzzed path could name a FIFO or /dev/stdin.
 */

#include "agent.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PD_ERRLEN];
	struct kube_conf c;

	memset(err, 'x', sizeof(err));
	if (kube_conf_parse(&c, (const char *)data, size, "/etc/podnet/kubeconfig", err,
			    sizeof(err)) < 0) {
		fuzz_check_err(err, sizeof(err));
		FUZZ_ASSERT(!c.server && !c.token && !c.ca_data && !c.token_file);
		return 0;
	}
	FUZZ_ASSERT(c.server && !strncmp(c.server, "https://", 8));
	FUZZ_ASSERT(!c.ca_data || memchr(c.ca_data, '\0', c.ca_len + 1));
	FUZZ_ASSERT(!c.token || *c.token);
	FUZZ_ASSERT(!c.ca_file || c.ca_file[0] == '/');
	FUZZ_ASSERT(!c.token_file || c.token_file[0] == '/');
	kube_conf_free(&c);
	return 0;
}
