/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sig.h - every signal whose default action would end the process
 * (INT, TERM, HUP, QUIT, USR1, USR2, ALRM, XCPU, VTALRM, PROF, PWR,
 * STKFLT, IO, the real-time signals, and PIPE from a gone reader) only
 * sets sig_stop; they stay blocked except while the main loop waits
 * (epoll_pwait, pselect with the run mask), so no wake-up is lost and
 * every exit path detaches on the main path.  SIGXFSZ is ignored (a file
 * size limit is EFBIG from write).  The signals that report a fault of
 * the process itself (SEGV, BUS, ILL, FPE, ABRT, SYS, TRAP) keep their
 * default: the guardian (guard.h) covers them.
 */
#ifndef TCPINSPECT_SIG_H
#define TCPINSPECT_SIG_H

#include <signal.h>

/* The signal that asked us to stop, or 0. */
extern volatile sig_atomic_t sig_stop;

/* Install the handlers and block them; *run_mask is the mask to wait with. */
void sig_setup(sigset_t *run_mask);

#endif
