/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sig.h - the signals that end a run (INT, TERM, HUP, and PIPE from a
 * gone reader) only set sig_stop; they stay blocked except while the
 * main loop waits (epoll_pwait, pselect with the run mask), so no
 * wake-up is lost and every exit path detaches on the main path.
 */
#ifndef TCPINSPECT_SIG_H
#define TCPINSPECT_SIG_H

#include <signal.h>

/* The signal that asked us to stop, or 0. */
extern volatile sig_atomic_t sig_stop;

/* Install the handlers and block them; *run_mask is the mask to wait with. */
void sig_setup(sigset_t *run_mask);

#endif
