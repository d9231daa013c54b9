// SPDX-License-Identifier: GPL-2.0
/*
 * guard.c - the guardian of the attachments (guard.h).
 *
 * What it undoes is read from the interface, not remembered: the
 * process may have died before, during or after any netlink request.
 * Where our program is attached (its id cannot have been reused: the
 * guardian holds its fd) it is replaced by the program it replaced, or
 * removed, naming ours as the expected one; where a replaced program is
 * missing and nothing else took its place, it is put back.  A bpf_link
 * of the dead process still holds our program until the kernel has
 * closed that process's files: the kernel answers EBUSY meanwhile, and
 * the guardian tries again for a few seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include "guard.h"
#include "netlink.h"

#define GUARD_DONE	0xff	/* written on a normal detach */
#define GUARD_IF_MAX	255	/* interfaces it can be told about */
#define GUARD_PROG_MAX	4	/* our programs: XDP, TC ingress, TC egress */
#define UNDO_MS		5000	/* how long a dead process's bpf_link may take */

typedef void (*guard_log_fn)(void *arg, const char *line);

static __u64 now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ull + t.tv_nsec / 1000000;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor from 3 up but the n in keep (each > 2). */
static void close_others(int *keep, int n)
{
	struct rlimit rl;
	int i, fd, lo = 3, hi, max = 1024;

	if (!getrlimit(RLIMIT_NOFILE, &rl))
		max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536 ?
		      65536 : (int)rl.rlim_cur;
	qsort(keep, n, sizeof(*keep), cmp_int);
	for (i = 0; i <= n; i++) {
		hi = i < n ? keep[i] - 1 : max - 1;
		if (hi >= lo) {
#ifdef SYS_close_range
			/* 5.9; one call for what may be thousands */
			if (!syscall(SYS_close_range, lo, i < n ? (unsigned)hi : ~0u, 0))
				hi = -1;
#endif
			for (fd = lo; fd <= hi; fd++)
				close(fd);
		}
		if (i < n && keep[i] + 1 > lo)
			lo = keep[i] + 1;
	}
}

/* Out of the way of signals, terminals, output and the OOM killer. */
static void detach_self(int *keep, int n)
{
	sigset_t all;
	int fd;

	sigfillset(&all);	/* 32-34 are blocked already (sig.c) */
	sigprocmask(SIG_BLOCK, &all, NULL);
	setsid();
	prctl(PR_SET_NAME, "ti-guardian", 0, 0, 0);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	dup2(fd >= 0 ? fd : 2, 0);
	dup2(fd >= 0 ? fd : 2, 1);
	if (fd > 2)
		close(fd);
	close_others(keep, n);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0) {
			/* no CAP_SYS_RESOURCE: stay as likely a victim as we were */
		}
		close(fd);
	}
}

static int has_id(const struct xdp_prog *p, int cnt, __u32 id)
{
	int k;

	for (k = 0; k < cnt; k++)
		if (p[k].id == id)
			return p[k].mode;
	return 0;
}

/* Our cls_bpf filters on a, if it has any way captured with one. */
static void undo_tc(const struct attach *a, const int *prog_fds, int prog_cnt,
		    pid_t dead, guard_log_fn log_fn, void *log_arg)
{
	__u32 ids[GUARD_PROG_MAX];
	char line[256];
	int i, n = 0, ret;

	if (a->in != HOOK_TC && a->out != HOOK_TC)
		return;
	for (i = 0; i < prog_cnt; i++)
		if (prog_fds[i] >= 0 && (ids[n] = prog_id(prog_fds[i])))
			n++;
	ret = tc_hook_sweep(a->ifindex, ids, n);
	if (ret > 0 && log_fn) {
		snprintf(line, sizeof(line), "guardian: pid %d ended without detaching from %s: its %d cls_bpf filter%s removed",
			 (int)dead, a->name, ret, ret > 1 ? "s" : "");
		log_fn(log_arg, line);
	}
}

/* Put interface a back as the dead process found it; say what was done. */
static void undo(const struct attach *a, int prog_fd, pid_t dead,
		 guard_log_fn log_fn, void *log_arg)
{
	struct nl_xdp_info x;
	struct xdp_prog p[3];
	char kerr[256] = "", line[512], name[BPF_OBJ_NAME_LEN] = "";
	__u32 our_id = prog_id(prog_fd), old_id = 0, mode;
	__u64 end = now_ms() + UNDO_MS;
	struct timespec pause = { 0, 10 * 1000000 };
	int cnt, ret, removed;

	if (prog_fd < 0 && a->old_fd < 0)
		return;
	if (a->old_fd >= 0) {
		old_id = prog_id(a->old_fd);
		prog_name_by_id(old_id, name, sizeof(name));
	}
	for (;;) {
		if (nl_xdp_query(a->ifindex, &x))
			return;	/* gone (ENODEV), and our program with it */
		cnt = xdp_progs(&x, p);
		mode = our_id ? has_id(p, cnt, our_id) : 0;
		removed = !!mode;
		if (mode)
			ret = nl_xdp_set(a->ifindex, a->old_fd, prog_fd,
					 mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
		else if (a->old_fd >= 0 && !has_id(p, cnt, old_id))
			/* only if nothing else is attached in its mode */
			ret = nl_xdp_set(a->ifindex, a->old_fd, -1,
					 a->want | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
		else
			return;	/* as it was */
		if (ret != -EBUSY || now_ms() > end)
			break;
		nanosleep(&pause, NULL);
	}
	if (!log_fn)
		return;
	if (ret)
		snprintf(line, sizeof(line), "guardian: pid %d ended without detaching from %s, and %s failed: %s%s%s%s",
			 (int)dead, a->name,
			 removed ? "removing its program" : "putting back the replaced program",
			 strerror(-ret), *kerr ? " (kernel: " : "", kerr, *kerr ? ")" : "");
	else if (removed && a->old_fd >= 0)
		snprintf(line, sizeof(line), "guardian: pid %d ended without detaching from %s: its program %u removed, program %u (%s) put back",
			 (int)dead, a->name, our_id, old_id, name);
	else if (removed)
		snprintf(line, sizeof(line), "guardian: pid %d ended without detaching from %s: its program %u removed",
			 (int)dead, a->name, our_id);
	else
		snprintf(line, sizeof(line), "guardian: pid %d ended without detaching from %s: program %u (%s) put back",
			 (int)dead, a->name, old_id, name);
	log_fn(log_arg, line);
}

static void __attribute__((noreturn))
guardian(int rfd, const struct attach *at, int n, const int *prog_fds,
	 int prog_cnt, guard_log_fn log_fn, void *log_arg)
{
	unsigned char armed[GUARD_IF_MAX] = { 0 }, b[64];
	int keep[1 + GUARD_PROG_MAX + GUARD_IF_MAX], k = 0, i;
	pid_t dead = getppid();
	ssize_t r;

	keep[k++] = rfd;
	for (i = 0; i < prog_cnt; i++)
		if (prog_fds[i] > 2)
			keep[k++] = prog_fds[i];
	for (i = 0; i < n; i++)
		if (at[i].old_fd > 2)
			keep[k++] = at[i].old_fd;
	detach_self(keep, k);
	for (;;) {
		r = read(rfd, b, sizeof(b));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* the writer is gone: the process died */
		for (i = 0; i < r; i++) {
			if (b[i] == GUARD_DONE)
				_exit(0);
			if (b[i] < n)
				armed[b[i]] = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (!armed[i])
			continue;
		if (at[i].in == HOOK_XDP || at[i].old_fd >= 0)
			undo(&at[i], prog_fds[0], dead, log_fn, log_arg);
		undo_tc(&at[i], prog_fds, prog_cnt, dead, log_fn, log_arg);
	}
	_exit(0);
}

int guard_start(struct guard *g, const struct attach *at, int n,
		const int *prog_fds, int prog_cnt, guard_log_fn log_fn,
		void *log_arg)
{
	int p[2], ret;
	pid_t pid;

	if (n > GUARD_IF_MAX || prog_cnt > GUARD_PROG_MAX || prog_cnt < 1)
		return -E2BIG;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (!pid) {
		close(p[1]);
		guardian(p[0], at, n, prog_fds, prog_cnt, log_fn, log_arg);
	}
	close(p[0]);
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

void guard_arm(struct guard *g, int i)
{
	unsigned char b = i;

	if (g->fd >= 0 && write(g->fd, &b, 1) != 1) {
		/* the guardian is gone: nothing more it could do */
	}
}

void guard_stop(struct guard *g)
{
	unsigned char b = GUARD_DONE;
	struct timespec pause = { 0, 1000000 };
	int i, st;

	if (g->fd >= 0) {
		if (write(g->fd, &b, 1) != 1) {
			/* gone already */
		}
		close(g->fd);
		g->fd = -1;
	}
	if (g->pid <= 0)
		return;
	for (i = 0; i < 1000 && !waitpid(g->pid, &st, WNOHANG); i++)
		nanosleep(&pause, NULL);
	if (i == 1000) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, &st, 0);
	}
	g->pid = -1;
}
