// SPDX-License-Identifier: GPL-2.0
/*
 * pause: the sandbox ("pause") image's one program, for the CRI test
 * (selftests/host/cri.sh).  Static, so the image needs nothing else.
 * Holds the pod's namespaces: waits for SIGTERM or SIGINT and exits 0;
 * as PID 1 of a pod with a shared PID namespace it reaps the zombies.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t set;
	int sig;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		puts("podnet-test-pause");
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		if (sigwait(&set, &sig))
			return 1;
		if (sig != SIGCHLD)
			return 0;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
