// SPDX-License-Identifier: GPL-2.0
/* sig.c - signals that end a run set a flag (sig.h). */
#include <string.h>
#include "sig.h"

volatile sig_atomic_t sig_stop;

static void on_signal(int sig)
{
	sig_stop = sig;
}

void sig_setup(sigset_t *run_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	/* Blocked except while waiting in epoll_pwait: no lost wake-up. */
	sigprocmask(SIG_BLOCK, &block, run_mask);
	sigdelset(run_mask, SIGINT);
	sigdelset(run_mask, SIGTERM);
	sigdelset(run_mask, SIGHUP);
	/* A file size limit should end the capture with EFBIG, not kill
	 * us with a netlink-attached program left behind. */
	signal(SIGXFSZ, SIG_IGN);
	/* SIGPIPE stays blocked: a gone reader shows as EPIPE from write. */
	sigaddset(run_mask, SIGPIPE);
}
