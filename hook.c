// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - TC and tracing hooks beside XDP (see hook.h).
 *
 * tcx links are many to a hook and go away with their process.  Before
 * tcx, a cls_bpf filter sits in the clsact qdisc at a priority of its
 * own (ingress: the lowest free one, to run first; egress: the highest
 * free one, to run last, as tcpdump sees what leaves after TC), named
 * "tcpinspect-PID" for `show`.  The qdisc is shared: whoever creates it
 * leaves a mark in /run/tcpinspect, and whichever tcpinspect removes
 * the last filter from a marked qdisc removes the qdisc, so that the
 * interface ends as it was found whatever the order in which several
 * captures stop.  An unmarked qdisc (somebody else's) is never removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/pkt_sched.h>
#include "bpf.h"
#include "hook.h"
#include "netlink.h"

#define MARK_DIR	"/run/tcpinspect"
#define PRIO_TRIES	64

const char *hook_name(enum hook_kind k)
{
	switch (k) {
	case HOOK_XDP:		return "xdp";
	case HOOK_TRACE:	return "fentry/fexit";
	case HOOK_TCX:		return "tcx";
	case HOOK_TC:		return "tc";
	default:		return "-";
	}
}

static __u32 fd_prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The mark of a clsact qdisc a tcpinspect created: per network
 * namespace (ifindexes are) and interface. */
static int mark_path(char *p, size_t len, int ifindex)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	return snprintf(p, len, MARK_DIR "/clsact-%lu-%d",
			(unsigned long)st.st_ino, ifindex) >= (int)len;
}

static void mark(int ifindex, int set)
{
	char p[96];
	int fd;

	if (mark_path(p, sizeof(p), ifindex))
		return;
	if (!set) {
		unlink(p);
		return;
	}
	mkdir(MARK_DIR, 0700);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int marked(int ifindex)
{
	char p[96];

	return !mark_path(p, sizeof(p), ifindex) && !access(p, F_OK);
}

static int count_one(const struct nl_tc_filter *f, void *arg)
{
	(void)f;
	++*(int *)arg;
	return 0;
}

/* Filters in clsact, both ways; -errno. */
static int clsact_filters(int ifindex)
{
	int n = 0, ret;

	ret = nl_tc_dump(ifindex, TC_H_MIN_INGRESS, count_one, &n);
	if (!ret)
		ret = nl_tc_dump(ifindex, TC_H_MIN_EGRESS, count_one, &n);
	return ret ? ret : n;
}

/* The clsact qdisc removed if we (or another tcpinspect) made it and
 * nothing is left in it. */
static void clsact_release(int ifindex, int made)
{
	int has = nl_clsact_query(ifindex);

	if (has == 0) {		/* gone already: so is the mark's reason */
		mark(ifindex, 0);
		return;
	}
	if (has < 0 || !(made || marked(ifindex)) || clsact_filters(ifindex) != 0)
		return;
	if (!nl_clsact(ifindex, 0, NULL, 0))
		mark(ifindex, 0);
}

static int tc_attach(struct tc_hook *h, int ifindex, int prog_fd,
		     const char *fname, char *err, size_t err_len)
{
	__u32 parent = h->ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS;
	char name[32], kerr[256] = "";
	int ret, i, prio;

	ret = nl_clsact_query(ifindex);
	if (ret == 0) {
		mark(ifindex, 0);	/* a mark without its qdisc is stale */
		ret = nl_clsact(ifindex, 1, kerr, sizeof(kerr));
		if (!ret) {
			h->made_clsact = 1;
			mark(ifindex, 1);
		} else if (ret == -EEXIST) {
			ret = 0;	/* another capture made it meanwhile */
		}
	}
	if (ret < 0) {
		snprintf(err, err_len, "cannot add a clsact qdisc: %s%s%s%s%s",
			 strerror(-ret), *kerr ? " (kernel: " : "", kerr,
			 *kerr ? ")" : "", ret == -EOPNOTSUPP || ret == -ENOENT ?
			 "; it needs CONFIG_NET_SCH_INGRESS (the module sch_ingress)" : "");
		return ret;
	}
	if (fname)
		snprintf(name, sizeof(name), "%s", fname);
	else
		snprintf(name, sizeof(name), HOOK_TC_NAME "%d", (int)getpid());
	for (i = 0; i < PRIO_TRIES; i++) {
		prio = h->ingress ? 1 + i : 0xffff - i;
		ret = nl_tc_bpf_add(ifindex, parent, prio, 1, prog_fd, name, kerr,
				    sizeof(kerr));
		/* taken: by a filter of ours (EEXIST) or of another kind */
		if (ret != -EEXIST && ret != -EINVAL)
			break;
	}
	if (ret) {
		snprintf(err, err_len, "cannot add a cls_bpf filter: %s%s%s%s%s",
			 strerror(-ret), *kerr ? " (kernel: " : "", kerr,
			 *kerr ? ")" : "", ret == -ENOENT || ret == -EOPNOTSUPP ?
			 "; it needs CONFIG_NET_CLS_BPF (the module cls_bpf)" : "");
		clsact_release(ifindex, h->made_clsact);
		h->made_clsact = 0;
		return ret;
	}
	h->prio = prio;
	h->kind = HOOK_TC;
	return 0;
}

int tc_hook_attach(struct tc_hook *h, int ifindex, int ingress, int prog_fd,
		   int tcx, const char *name, char *err, size_t err_len)
{
	int fd;

	*h = (struct tc_hook)TC_HOOK_INIT;
	h->ingress = ingress;
	h->prog_id = fd_prog_id(prog_fd);
	if (!tcx)
		return tc_attach(h, ifindex, prog_fd, name, err, err_len);
	fd = bpf_link_create(prog_fd, ifindex,
			     ingress ? TI_BPF_TCX_INGRESS : TI_BPF_TCX_EGRESS,
			     ingress ? TI_BPF_F_BEFORE : TI_BPF_F_AFTER);
	if (fd < 0) {
		snprintf(err, err_len, "cannot attach a tcx %s link: %s",
			 ingress ? "ingress" : "egress", strerror(-fd));
		return fd;
	}
	h->link_fd = fd;
	h->kind = HOOK_TCX;
	return 0;
}

struct find_arg {
	const __u32 *ids;
	int n;
	__u32 parent;
	__u16 prio[PRIO_TRIES];
	int cnt;
};

static int find_ours(const struct nl_tc_filter *f, void *arg)
{
	struct find_arg *a = arg;
	int i;

	for (i = 0; i < a->n && a->cnt < PRIO_TRIES; i++)
		if (f->prog_id == a->ids[i] && !strcmp(f->kind, "bpf"))
			a->prio[a->cnt++] = f->prio;
	return 0;
}

/* The cls_bpf filters of ifindex running one of ids, removed; their
 * count, or -errno. */
static int tc_remove(int ifindex, const __u32 *ids, int n, char *err,
		     size_t err_len)
{
	struct find_arg a = { .ids = ids, .n = n };
	char kerr[256] = "";
	int dir, i, ret, removed = 0;

	for (dir = 0; dir < 2; dir++) {
		a.parent = dir ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS;
		a.cnt = 0;
		ret = nl_tc_dump(ifindex, a.parent, find_ours, &a);
		if (ret == -ENODEV)
			return removed;
		for (i = 0; !ret && i < a.cnt; i++) {
			ret = nl_tc_bpf_del(ifindex, a.parent, a.prio[i], 1, kerr,
					    sizeof(kerr));
			removed += !ret;
		}
		if (ret && ret != -ENOENT && ret != -ENODEV) {
			snprintf(err, err_len, "cannot remove our cls_bpf filter: %s%s%s%s",
				 strerror(-ret), *kerr ? " (kernel: " : "", kerr,
				 *kerr ? ")" : "");
			return ret;
		}
	}
	return removed;
}

int tc_hook_detach(struct tc_hook *h, int ifindex, char *err, size_t err_len)
{
	int ret = 0;

	if (h->kind == HOOK_TCX) {
		close(h->link_fd);
	} else if (h->kind == HOOK_TC) {
		/* by program id: only ours, wherever it is */
		ret = tc_remove(ifindex, &h->prog_id, 1, err, err_len);
		clsact_release(ifindex, h->made_clsact);
	}
	*h = (struct tc_hook){ .kind = HOOK_NONE, .link_fd = -1,
			       .ingress = h->ingress };
	return ret < 0 ? ret : 0;
}

struct unload_arg {
	__u16 prio[PRIO_TRIES];
	__u32 handle[PRIO_TRIES];
	int cnt;
};

static int not_capture(const struct nl_tc_filter *f, void *arg)
{
	struct unload_arg *a = arg;

	if (!strcmp(f->kind, "bpf") &&
	    strncmp(f->name, HOOK_TC_NAME, strlen(HOOK_TC_NAME)) &&
	    a->cnt < PRIO_TRIES) {
		a->prio[a->cnt] = f->prio;
		a->handle[a->cnt++] = f->handle;
	}
	return 0;
}

int tc_hook_unload(int ifindex, int ingress, char *err, size_t err_len)
{
	__u32 parent = ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS;
	struct unload_arg a = { .cnt = 0 };
	char kerr[256] = "";
	int i, ret;

	ret = nl_tc_dump(ifindex, parent, not_capture, &a);
	for (i = 0; !ret && i < a.cnt; i++)
		ret = nl_tc_bpf_del(ifindex, parent, a.prio[i], a.handle[i], kerr,
				    sizeof(kerr));
	if (ret) {
		snprintf(err, err_len, "cannot remove a cls_bpf filter: %s%s%s%s",
			 strerror(-ret), *kerr ? " (kernel: " : "", kerr,
			 *kerr ? ")" : "");
		return ret;
	}
	clsact_release(ifindex, 0);
	return a.cnt;
}

int tc_hook_sweep(int ifindex, const __u32 *ids, int n)
{
	char err[128];
	int ret = tc_remove(ifindex, ids, n, err, sizeof(err));

	if (ret > 0)
		clsact_release(ifindex, 0);
	return ret;
}

int trace_target(struct trace_hook *t, __u32 prog_id, char *err,
		 size_t err_len)
{
	struct bpf_prog_info info;
	struct bpf_func_info fi;
	__u32 len = sizeof(info);
	int fd, ret;

	*t = (struct trace_hook)TRACE_HOOK_INIT;
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0) {
		snprintf(err, err_len, "cannot take hold of XDP program %u: %s",
			 prog_id, strerror(-fd));
		return fd;
	}
	memset(&info, 0, sizeof(info));
	memset(&fi, 0, sizeof(fi));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (__u64)(unsigned long)&fi;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (ret) {
		snprintf(err, err_len, "cannot read XDP program %u: %s", prog_id,
			 strerror(-ret));
	} else if (!info.btf_id || !info.nr_func_info || !fi.type_id) {
		snprintf(err, err_len, "XDP program %u (%s) has no BTF to trace it by",
			 prog_id, info.name);
		ret = -ENOTSUP;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	t->target_id = prog_id;
	t->target_fd = fd;
	t->btf_id = fi.type_id;
	return 0;
}

int trace_attach(struct trace_hook *t, int entry_fd, int exit_fd, char *err,
		 size_t err_len)
{
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = bpf_trace_attach(i ? exit_fd : entry_fd);
		if (fd < 0) {
			snprintf(err, err_len, "cannot attach %s to XDP program %u: %s",
				 i ? "fexit" : "fentry", t->target_id, strerror(-fd));
			trace_detach(t);
			return fd;
		}
		t->link_fd[i] = fd;
	}
	return 0;
}

void trace_detach(struct trace_hook *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (t->link_fd[i] >= 0)
			close(t->link_fd[i]);
		t->link_fd[i] = -1;
	}
	if (t->target_fd >= 0)
		close(t->target_fd);
	t->target_fd = -1;
}
