/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - put an XDP program on an interface and take it off again
 * without harming what was there: a bpf_link where the kernel has one,
 * else netlink; native mode, else generic; never over another program
 * unless told (--replace, which keeps the old program to put it back);
 * a netlink detach names the program it expects to remove.
 *
 * Also what every command asks about an interface's XDP state: which
 * programs are attached in which mode, and the bpf_link holding one.
 * No printing: 0 or -errno, the explanation (the kernel's extack, or
 * ours) in err.
 */
#ifndef TCPINSPECT_ATTACH_H
#define TCPINSPECT_ATTACH_H

#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "hook.h"

struct nl_xdp_info;

enum attach_kind { ATTACH_NONE, ATTACH_LINK, ATTACH_NETLINK };

/* capture prefers a link; load uses netlink or, with --pin, only a link
 * (a netlink attachment cannot be pinned). */
enum attach_how { HOW_LINK_ELSE_NETLINK, HOW_NETLINK, HOW_LINK };

struct attach {
	char name[IF_NAMESIZE];	/* the interface */
	/* how each way is captured (capture, flows, serve): */
	enum hook_kind in, out;	/* HOOK_NONE: not that way */
	__u32 beside_id;	/* the XDP program we capture beside (0: none) */
	char beside_name[BPF_OBJ_NAME_LEN];
	int beside_ours;	/* ... is a tcpinspect capture's */
	struct tc_hook tc[2];	/* ingress, egress: held by us */
	struct trace_hook trace;	/* fentry/fexit on beside_id */
	char why[256];		/* why in is not HOOK_XDP or HOOK_TRACE */
	int ifindex;
	__u32 want;		/* mode asked for: XDP_FLAGS_*_MODE, 0 auto */
	enum attach_how how;
	enum attach_kind kind;	/* what holds our program now */
	__u32 mode;		/* the mode obtained */
	int link_fd;
	int prog_fd;		/* ours, for the netlink detach check (not owned) */
	int old_fd;		/* the program we replace; put back by attach_undo */
	int gone;		/* the interface went away (set by the caller) */
};

/* One program of an interface, in one mode. */
struct xdp_prog {
	__u32 mode;		/* XDP_FLAGS_{DRV,SKB,HW}_MODE */
	__u32 id;
};

/* Nothing held yet. */
void attach_init(struct attach *a, const char *name, int ifindex, __u32 want,
		 enum attach_how how);

/*
 * Look at what is attached.  0: nothing, or (replace) the program there
 * is held in a->old_fd, its mode taken over, and note says so, or
 * (beside) the program there is named in a->beside_id and
 * beside_name, and beside_ours says whether it is a tcpinspect
 * capture's.  -EEXIST: a program is there and neither; -EBUSY: a
 * bpf_link holds it (only its owner may replace it); -EOPNOTSUPP:
 * programs in several modes or offloaded; -EINVAL: --mode differs from
 * the program's; else -errno of a query.  err says which, naming the
 * program.
 */
int attach_check(struct attach *a, int replace, int beside, char *note,
		 size_t note_len, char *err, size_t err_len);

/* Attach prog_fd (auto: native, else generic); 0 or -errno, err says why. */
int attach_prog(struct attach *a, int prog_fd, char *err, size_t err_len);

/* Undo attach_prog and attach_check: remove ours, put back what we
 * replaced, release its fd.  0 (also when the interface is gone), or
 * -errno of a netlink detach (err). */
int attach_undo(struct attach *a, char *err, size_t err_len);

/* Keep our program attached after we exit (load): drop the fds only. */
void attach_keep(struct attach *a);

const char *attach_mode_name(__u32 mode);

/* The programs of an interface, one per mode (at most 3); their count. */
int xdp_progs(const struct nl_xdp_info *x, struct xdp_prog *p);

/*
 * The XDP bpf_link that holds program prog_id on ifindex: its fd (the
 * caller closes it) with *link_id, -ENOENT if there is none, or -errno.
 */
int xdp_link_find(int ifindex, __u32 prog_id, __u32 *link_id);

/* Program id's kernel info; 0 or -errno (EPERM: needs CAP_SYS_ADMIN). */
int prog_info_by_id(__u32 id, struct bpf_prog_info *info);
/* Its name, or "?" if it cannot be read. */
void prog_name_by_id(__u32 id, char *name, size_t len);
/* The id of the program fd holds; 0 if unknown. */
__u32 prog_id(int fd);

#endif
