/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guard.h - a child process, forked before anything is attached, that
 * puts the interfaces back as attach_check() found them if the process
 * that attached ends without detaching, however it ends (SIGKILL, the
 * OOM killer, a fault): our program removed where netlink holds it, the
 * program --replace took off put back, our cls_bpf filters removed (and
 * the clsact qdisc, as hook.h's rule says).
 *
 * It waits on a pipe whose only writer is the attaching process: the
 * kernel closes that end when the process dies, whatever killed it, so
 * the guardian wakes from read() with end-of-file; a normal detach
 * writes GUARD_DONE first and the guardian leaves everything alone.  It
 * holds our program's fd and the replaced programs' fds (so neither id
 * can be reused meanwhile), nothing else: no link fd (the kernel must
 * still drop a bpf_link with the process), no socket, no output.  It
 * leaves the process group (a terminal's ^C is for the main process),
 * blocks every signal it can, and sets its oom_score_adj to -1000.  A
 * SIGKILL sent to the whole cgroup (systemd's final kill,
 * memory.oom.group) ends it too: nothing can outlive that.
 *
 * Only interfaces announced with guard_arm() are looked at.  Prints
 * nothing: what it did goes to log_fn.
 */
#ifndef TCPINSPECT_GUARD_H
#define TCPINSPECT_GUARD_H

#include <sys/types.h>
#include "attach.h"

struct guard {
	pid_t pid;		/* the guardian; -1: none */
	int fd;			/* our end of the pipe; -1: none */
};

#define GUARD_INIT	{ .pid = -1, .fd = -1 }

/*
 * Fork the guardian of at[0..n) (after attach_check and the choice of
 * hooks, before attaching), which must not change in the parent
 * afterwards but for what attaching fills in.  prog_fds[0..prog_cnt) are
 * the programs that will be attached: [0] the XDP one (or -1), then the
 * TC ones, whose cls_bpf filters it removes too.  0 or -errno.
 */
int guard_start(struct guard *g, const struct attach *at, int n,
		const int *prog_fds, int prog_cnt,
		void (*log_fn)(void *arg, const char *line), void *log_arg);

/* Interface at[i] is about to be attached: the guardian will look at it. */
void guard_arm(struct guard *g, int i);

/* Detached (or nothing to guard): the guardian exits without touching
 * anything; wait for it (a second at most).  Harmless if none runs. */
void guard_stop(struct guard *g);

#endif
