// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_trace.c - tcpinspect trace: what BPF programs write with
 * bpf_printk (bpf_trace_printk), as `cat trace_pipe` shows it, until
 * SIGINT, SIGTERM, -c lines or --duration.
 *
 * tracefs is used where it is mounted, else mounted at its usual place
 * for the run and unmounted after.  The lines come from a tracing
 * instance of our own with only the bpf_trace_printk event on, so that
 * another reader of the kernel's trace_pipe loses nothing to us and we
 * see nothing else; with --prog also the kernel stack of each line, in
 * which the program's symbol (bpf_prog_TAG_NAME) says who printed it.
 * Kernels without instances or without that event: the shared
 * trace_pipe, whole.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "bpf.h"
#include "cmd.h"
#include "session.h"
#include "sig.h"

#define TRACEFS		"/sys/kernel/tracing"
#define TRACEFS_OLD	"/sys/kernel/debug/tracing"
#define EVENT		"events/bpf_trace/bpf_trace_printk/enable"
#define BUF_LEN		65536
#define PENDING_MAX	64	/* CPUs with a line waiting for its stack */

struct pending {
	int cpu;		/* -1: free */
	int stack;		/* its stack has come */
	int match;		/* the program is on it */
	char *line;
};

struct trace {
	const struct opts *o;
	char dir[160];		/* tracefs */
	char inst[224];		/* our instance, "" if none */
	int mounted;		/* we mounted tracefs */
	char tag[2 * BPF_TAG_SIZE + 1];	/* --prog as an id: its tag */
	char name[BPF_OBJ_NAME_LEN];	/* ... and name */
	struct pending pend[PENDING_MAX];
	int stack_cpu;		/* the stack being read is this CPU's */
	unsigned long lines;
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int is_tracefs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && (__u32)st.f_type == TRACEFS_MAGIC;
}

/* tracefs into t->dir: mounted already, or mounted by us.  0 or an exit
 * status (said why). */
static int find_tracefs(struct trace *t)
{
	if (is_tracefs(TRACEFS)) {
		snprintf(t->dir, sizeof(t->dir), "%s", TRACEFS);
		return 0;
	}
	if (is_tracefs(TRACEFS_OLD)) {
		snprintf(t->dir, sizeof(t->dir), "%s", TRACEFS_OLD);
		return 0;
	}
	if (mount("tracefs", TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		if (errno == ENODEV)
			msg("this kernel has no tracing (no tracefs; it needs CONFIG_FTRACE and CONFIG_BPF_EVENTS)");
		else
			msg("cannot mount tracefs at %s: %s%s", TRACEFS, strerror(errno),
			    errno == EPERM ? " (needs root)" :
			    errno == ENOENT ? " (is sysfs mounted at /sys?)" : "");
		return EXIT_RUNTIME;
	}
	snprintf(t->dir, sizeof(t->dir), "%s", TRACEFS);
	t->mounted = 1;
	return 0;
}

/* Our instance with the bpf_trace_printk event on (and stacks for
 * --prog); on failure none, and the shared trace_pipe is read. */
static void make_instance(struct trace *t)
{
	char path[sizeof(t->inst) + 64];

	snprintf(t->inst, sizeof(t->inst), "%s/instances/tcpinspect-%d", t->dir,
		 (int)getpid());
	if (mkdir(t->inst, 0700)) {
		t->inst[0] = 0;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", t->inst, EVENT);
	if (write_file(path, "1")) {
		rmdir(t->inst);
		t->inst[0] = 0;
		return;
	}
	if (t->o->prog) {
		snprintf(path, sizeof(path), "%s/options/stacktrace", t->inst);
		write_file(path, "1");
	}
}

static void cleanup(struct trace *t)
{
	char path[sizeof(t->inst) + 64];
	int i;

	for (i = 0; i < PENDING_MAX; i++)
		free(t->pend[i].line);
	if (*t->inst) {
		snprintf(path, sizeof(path), "%s/%s", t->inst, EVENT);
		write_file(path, "0");
		if (rmdir(t->inst))
			msg("cannot remove tracing instance %s: %s", t->inst, strerror(errno));
	}
	if (t->mounted && umount2(t->dir, 0) && umount2(t->dir, MNT_DETACH))
		msg("cannot unmount %s: %s", t->dir, strerror(errno));
}

/* --prog N (an id): the tag and name its symbol carries.  0 or an exit
 * status. */
static int prog_by_id(struct trace *t)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), id;
	char *end;
	int fd, i;

	id = strtoul(t->o->prog, &end, 10);
	if (*end || !id)
		return 0;	/* a name */
	fd = bpf_prog_get_fd_by_id(id);
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		msg("no BPF program with id %u: %s", id, strerror(fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		return EXIT_RUNTIME;
	}
	close(fd);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(t->tag + 2 * i, 3, "%02x", info.tag[i]);
	snprintf(t->name, sizeof(t->name), "%s", info.name);
	return 0;
}

/* " => bpf_prog_TAG_NAME": the program --prog names? */
static int sym_match(const struct trace *t, const char *sym)
{
	const char *name;
	size_t n;

	if (strncmp(sym, "bpf_prog_", 9) || strlen(sym) < 9 + 2 * BPF_TAG_SIZE + 1 ||
	    sym[9 + 2 * BPF_TAG_SIZE] != '_')
		return 0;
	name = sym + 10 + 2 * BPF_TAG_SIZE;
	if (*t->tag)
		return !strncmp(sym + 9, t->tag, 2 * BPF_TAG_SIZE);
	/* the symbol has the BTF name, else the kernel's 15 characters */
	n = strlen(t->o->prog);
	return !strcmp(name, t->o->prog) ||
	       (n >= BPF_OBJ_NAME_LEN - 1 && strlen(name) == BPF_OBJ_NAME_LEN - 1 &&
		!strncmp(name, t->o->prog, BPF_OBJ_NAME_LEN - 1));
}

/*
 * "           peer-1096    [001] ..s2.  2743.6: ...": the task's name
 * (from /proc when the kernel shows "<...>") into comm, the CPU into
 * *cpu, and in *rest (if not NULL) where "-PID" starts, if the name was
 * "<...>" and /proc knew better (else NULL).  0, or -1 for a line of
 * another shape.
 */
static int line_head(const char *line, char *comm, size_t len, int *cpu,
		     const char **rest)
{
	const char *p = line, *br = strstr(line, " ["), *dash;
	char path[64];
	FILE *f;
	int pid;

	char *end;

	if (!br || br[2] < '0' || br[2] > '9')
		return -1;
	*cpu = strtol(br + 2, &end, 10);
	if (*end != ']')
		return -1;
	while (*p == ' ')
		p++;
	for (dash = br; dash > p && *dash != '-'; dash--)
		;
	if (dash <= p)
		return -1;
	snprintf(comm, len, "%.*s", (int)(dash - p), p);
	pid = atoi(dash + 1);
	if (rest)
		*rest = NULL;
	if (strcmp(comm, "<...>") || pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, len, f)) {
			comm[strcspn(comm, "\n")] = 0;
			if (rest && *comm)
				*rest = dash;
		}
		fclose(f);
	}
	return 0;
}

/*
 * A line the options let through: printed (and counted).  The kernel
 * says "<...>" for a task its small table of names (saved_cmdlines)
 * has forgotten: the name /proc still knows goes in its place.
 */
static void emit(struct trace *t, const char *line)
{
	const char *rest;
	char comm[64];
	int cpu, head;

	head = line_head(line, comm, sizeof(comm), &cpu, &rest);
	if (t->o->comm && (head || strcmp(comm, t->o->comm)))
		return;
	if (t->o->count && t->lines >= t->o->count)
		return;
	if (!head && rest)
		printf("%*s%s\n", (int)(rest - line), comm, rest);
	else
		puts(line);
	t->lines++;
}

static struct pending *pending(struct trace *t, int cpu, int make)
{
	int i, free_slot = -1;

	for (i = 0; i < PENDING_MAX; i++) {
		if (t->pend[i].line && t->pend[i].cpu == cpu)
			return &t->pend[i];
		if (!t->pend[i].line && free_slot < 0)
			free_slot = i;
	}
	if (!make || free_slot < 0)
		return NULL;
	t->pend[free_slot].cpu = cpu;
	return &t->pend[free_slot];
}

static void settle(struct trace *t, struct pending *p)
{
	if (p->match)
		emit(t, p->line);
	free(p->line);
	memset(p, 0, sizeof(*p));
}

/*
 * One line of the pipe.  Without --prog every line is an answer.  With
 * it, a printk line waits (per CPU: another CPU's lines may come
 * between) for its "<stack trace>" and the " => symbol" lines after it.
 */
static void one_line(struct trace *t, char *line)
{
	struct pending *p;
	char comm[64];
	int cpu;

	if (!t->o->prog) {
		emit(t, line);
		return;
	}
	if (!strncmp(line, " => ", 4)) {
		p = t->stack_cpu >= 0 ? pending(t, t->stack_cpu, 0) : NULL;
		if (p && sym_match(t, line + 4))
			p->match = 1;
		return;
	}
	if (line_head(line, comm, sizeof(comm), &cpu, NULL))
		return;
	if (strstr(line, ": <stack trace>")) {
		t->stack_cpu = cpu;
		p = pending(t, cpu, 0);
		if (p)
			p->stack = 1;
		return;
	}
	t->stack_cpu = -1;
	p = pending(t, cpu, 0);
	if (p)
		settle(t, p);	/* its stack never came */
	p = pending(t, cpu, 1);
	if (p)
		p->line = strdup(line);
}

/* After a read: a line whose stack has come is complete (the kernel
 * writes a stack in one piece). */
static void settle_read(struct trace *t)
{
	int i;

	for (i = 0; i < PENDING_MAX; i++)
		if (t->pend[i].line && t->pend[i].stack)
			settle(t, &t->pend[i]);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Read the pipe until a signal, -c lines or the deadline. */
static int read_pipe(struct trace *t, int fd, const sigset_t *run_mask)
{
	static char buf[BUF_LEN + 1];
	__u64 deadline = t->o->duration_ns ? now_ns() + t->o->duration_ns : 0, left;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts;
	size_t have = 0;
	ssize_t n;
	char *line, *nl;

	while (!sig_stop && (!t->o->count || t->lines < t->o->count)) {
		left = deadline ? deadline - now_ns() : 0;
		if (deadline && (__s64)left <= 0)
			break;
		ts.tv_sec = left / NS_PER_S;
		ts.tv_nsec = left % NS_PER_S;
		if (ppoll(&pfd, 1, deadline ? &ts : NULL, run_mask) < 0 && errno != EINTR) {
			msg("cannot wait for the trace pipe: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		n = read(fd, buf + have, BUF_LEN - have);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			msg("cannot read the trace pipe: %s", n ? strerror(errno) : "end of file");
			return EXIT_RUNTIME;
		}
		have += n;
		buf[have] = 0;
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = 0;
			one_line(t, line);
		}
		have = buf + have - line;
		memmove(buf, line, have);
		if (have == BUF_LEN)	/* a line longer than the buffer */
			have = 0;
		settle_read(t);
		if (fflush(stdout) || ferror(stdout)) {
			if (errno == EPIPE)
				return 0;	/* the reader has gone: done */
			msg("cannot write output: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

/* tcpinspect trace [-c N] [--duration S] [--prog NAME|ID] [--comm NAME] */
int cmd_trace(struct opts *o)
{
	struct trace t = { .o = o, .stack_cpu = -1 };
	char path[sizeof(t.inst) + 16];
	sigset_t run_mask;
	int fd = -1, status;

	if (o->prog && (status = prog_by_id(&t)))
		return status;
	sig_setup(&run_mask);
	status = find_tracefs(&t);
	if (status)
		return status;
	make_instance(&t);
	if (!*t.inst && o->prog) {
		msg("--prog needs a tracing instance of our own with the bpf_trace_printk event, which this kernel cannot make");
		status = EXIT_RUNTIME;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", *t.inst ? t.inst : t.dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		msg("cannot open %s: %s", path, strerror(errno));
		status = EXIT_RUNTIME;
		goto out;
	}
	msg("tracing bpf_trace_printk%s%s%s%s from %s%s", o->prog ? " of program " : "",
	    o->prog ? o->prog : "", o->comm ? " in processes called " : "",
	    o->comm ? o->comm : "", path,
	    t.mounted ? " (tracefs mounted for this run)" : "");
	status = read_pipe(&t, fd, &run_mask);
out:
	if (fd >= 0)
		close(fd);
	cleanup(&t);
	if (!status)
		msg("%lu line%s", t.lines, t.lines == 1 ? "" : "s");
	return status;
}
