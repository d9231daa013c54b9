/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hook.h - the places beside XDP where tcpinspect's programs run: TC
 * ingress and egress (a tcx bpf_link where the kernel has tcx, else a
 * cls_bpf filter in a clsact qdisc), and the entry and exit of an XDP
 * program someone else attached (fentry/fexit).  Each is added next to
 * what is there, never in its place, and removed without touching
 * anything else: the clsact qdisc only if a tcpinspect created it and
 * nothing else uses it any more.
 *
 * No printing: 0 or -errno, the explanation in err.
 */
#ifndef TCPINSPECT_HOOK_H
#define TCPINSPECT_HOOK_H

#include <stddef.h>
#include <linux/types.h>

enum hook_kind {
	HOOK_NONE,
	HOOK_XDP,	/* our XDP program on the interface (attach.h) */
	HOOK_TRACE,	/* fentry/fexit on the interface's XDP program */
	HOOK_TCX,	/* a tcx bpf_link */
	HOOK_TC,	/* a cls_bpf filter in clsact, over netlink */
};

/* "xdp", "fentry/fexit", "tcx" or "tc" (and "-" for none). */
const char *hook_name(enum hook_kind k);

/* The name our cls_bpf filters carry: "tcpinspect-PID". */
#define HOOK_TC_NAME	"tcpinspect-"

/* One TC hook of an interface that we hold. */
struct tc_hook {
	enum hook_kind kind;	/* HOOK_TCX or HOOK_TC; HOOK_NONE: nothing */
	int ingress;		/* 1 ingress, 0 egress */
	int link_fd;		/* HOOK_TCX */
	__u16 prio;		/* HOOK_TC: our filter's place */
	__u32 prog_id;		/* ours */
	int made_clsact;	/* HOOK_TC: we created the clsact qdisc */
};

#define TC_HOOK_INIT	{ .kind = HOOK_NONE, .link_fd = -1 }

/*
 * prog_fd (a SCHED_CLS program) at ifindex's ingress, first, or egress,
 * last: a tcx link if tcx, else a direct-action cls_bpf filter named
 * name (NULL: a capture's, "tcpinspect-PID") in the clsact qdisc
 * (created if there is none).
 */
int tc_hook_attach(struct tc_hook *h, int ifindex, int ingress, int prog_fd,
		   int tcx, const char *name, char *err, size_t err_len);
/*
 * Undo it: the link closed, or our filter removed (if still ours), and
 * the clsact qdisc too if a tcpinspect created it and it holds no filter
 * now.  0 (also when the interface is gone) or -errno.
 */
int tc_hook_detach(struct tc_hook *h, int ifindex, char *err, size_t err_len);

/*
 * What a process that died without detaching left on ifindex: the
 * cls_bpf filters running one of ids[0..n), removed, and the clsact
 * qdisc as tc_hook_detach would.  For the guardian.  The filters
 * removed, or -errno.
 */
int tc_hook_sweep(int ifindex, const __u32 *ids, int n);

/*
 * `unload --tc`: every cls_bpf filter at ifindex's ingress or egress but
 * running captures' removed, then the clsact qdisc as tc_hook_detach
 * would.  The filters removed, or -errno.
 */
int tc_hook_unload(int ifindex, int ingress, char *err, size_t err_len);

/* fentry and fexit on another's XDP program. */
struct trace_hook {
	__u32 target_id;	/* the XDP program traced */
	int target_fd;
	__u32 btf_id;		/* its function, in its own BTF */
	int link_fd[2];		/* fentry, fexit */
};

#define TRACE_HOOK_INIT	{ .target_fd = -1, .link_fd = { -1, -1 } }

/*
 * Hold program prog_id and find its function's BTF id: -ENOTSUP if it
 * has no BTF (err says so), else 0 or -errno.
 */
int trace_target(struct trace_hook *t, __u32 prog_id, char *err,
		 size_t err_len);
/* Attach the tracing programs loaded for t's target (entry_fd, exit_fd). */
int trace_attach(struct trace_hook *t, int entry_fd, int exit_fd, char *err,
		 size_t err_len);
/* Close the links and the target; harmless twice. */
void trace_detach(struct trace_hook *t);

#endif
