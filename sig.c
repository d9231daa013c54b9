// SPDX-License-Identifier: GPL-2.0
/* sig.c - signals that end a run set a flag (sig.h). */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "sig.h"

/* The kernel's signals: 1..64 on every architecture we build for. */
#define SIG_LAST	64

volatile sig_atomic_t sig_stop;

static void on_signal(int sig)
{
	sig_stop = sig;
}

/* The signals below SIGRTMIN whose default action ends the process and
 * that others send (the faults of the process itself are left out). */
static const int stop_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
	SIGSTKFLT, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
};

/*
 * Bits of a sigset_t set by hand: musl's sigaddset() refuses 32-34,
 * which it keeps for its threads.  The kernel's set is an array of
 * unsigned long; on a little-endian machine (the only kind we build
 * for) bit sig - 1 is that bit of the bytes in order.
 */
static void set_bit(sigset_t *s, int sig, int on)
{
	unsigned char *b = (unsigned char *)s + (sig - 1) / 8;

	if (on)
		*b |= 1u << ((sig - 1) % 8);
	else
		*b &= ~(1u << ((sig - 1) % 8));
}

static int has_bit(const sigset_t *s, int sig)
{
	return ((const unsigned char *)s)[(sig - 1) / 8] >> ((sig - 1) % 8) & 1;
}

/*
 * musl refuses sigaction() on 32-34 (its timer, cancellation and
 * set*id signals), but the kernel still ends the process on them by
 * default, and `kill -s RTMIN` (glibc's SIGRTMIN is 34) sends one.  A
 * single-threaded process without timers never uses them: give them
 * the kernel's action of signal from, handler and restorer as libc set
 * them.  The struct is copied as the kernel has it, whatever its layout.
 */
static void copy_action(int from, int to)
{
	unsigned long ksa[16];

	memset(ksa, 0, sizeof(ksa));
	if (!syscall(SYS_rt_sigaction, from, NULL, ksa, SIG_LAST / 8))
		syscall(SYS_rt_sigaction, to, ksa, NULL, SIG_LAST / 8);
}

void sig_setup(sigset_t *run_mask)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
		sigaction(stop_sigs[i], &sa, NULL);
		set_bit(&block, stop_sigs[i], 1);
	}
	for (s = 32; s <= SIG_LAST; s++) {
		if (sigaction(s, &sa, NULL))
			copy_action(SIGTERM, s);	/* 32-34 */
		set_bit(&block, s, 1);
	}
	/* Blocked except while waiting in epoll_pwait: no lost wake-up. */
	sigprocmask(SIG_BLOCK, &block, run_mask);
	for (s = 1; s <= SIG_LAST; s++)
		if (has_bit(&block, s))
			set_bit(run_mask, s, 0);
	/* A file size limit should end the capture with EFBIG, not kill
	 * us with a netlink-attached program left behind. */
	signal(SIGXFSZ, SIG_IGN);
	/* SIGPIPE stays blocked: a gone reader shows as EPIPE from write. */
	set_bit(run_mask, SIGPIPE, 1);
}
