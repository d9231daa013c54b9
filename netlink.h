/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink.h - rtnetlink for XDP and TC: attach/detach a program fd, ask what is
 * attached to one interface or to all, find the interface to use by
 * default.  Only receives fds; knows nothing about ELF or maps.
 * Functions return 0 or -errno; the kernel's extack message, if any,
 * goes to err.
 */
#ifndef TCPINSPECT_NETLINK_H
#define TCPINSPECT_NETLINK_H

#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

struct nl_xdp_info {
	int ifindex;
	char ifname[IF_NAMESIZE];
	__u32 if_flags;		/* IFF_* */
	__u8 attached;		/* XDP_ATTACHED_* */
	__u32 prog_id;		/* the single program, if one mode */
	__u32 drv_prog_id;
	__u32 skb_prog_id;
	__u32 hw_prog_id;
};

/*
 * Set the interface's XDP program to prog_fd (-1: remove).  flags are
 * XDP_FLAGS_*; with XDP_FLAGS_REPLACE, expected_fd names the program that
 * must currently be attached (so we never remove someone else's).
 */
int nl_xdp_set(int ifindex, int prog_fd, int expected_fd, __u32 flags,
	       char *err, size_t err_len);
int nl_xdp_query(int ifindex, struct nl_xdp_info *info);

/*
 * One RTM_GETLINK dump: cb is called with every interface of the current
 * network namespace (whether or not it has an XDP program); a non-zero
 * return from cb is kept, stops further calls and is returned.
 */
int nl_xdp_dump(int (*cb)(const struct nl_xdp_info *info, void *arg),
		void *arg);

/*
 * TC before tcx (6.6): the clsact qdisc and cls_bpf direct-action
 * filters in it.  parent is TC_H_MIN_INGRESS or TC_H_MIN_EGRESS.
 */
struct nl_tc_filter {
	__u32 parent;		/* TC_H_MIN_INGRESS or TC_H_MIN_EGRESS */
	__u16 prio;
	__u32 handle;
	char kind[16];		/* "bpf", "u32", ... */
	__u32 prog_id;		/* kind "bpf": the program */
	char name[64];		/* kind "bpf": the name it was given */
};

/* Add (NLM_F_EXCL: -EEXIST if there is one) or delete the clsact qdisc. */
int nl_clsact(int ifindex, int add, char *err, size_t err_len);
/* 1 if the interface has a clsact qdisc, 0 if not, or -errno. */
int nl_clsact_query(int ifindex);
/* A direct-action cls_bpf filter running prog_fd at prio/handle
 * (-EEXIST if that place is taken); its removal. */
int nl_tc_bpf_add(int ifindex, __u32 parent, __u16 prio, __u32 handle,
		  int prog_fd, const char *name, char *err, size_t err_len);
int nl_tc_bpf_del(int ifindex, __u32 parent, __u16 prio, __u32 handle,
		  char *err, size_t err_len);
/* cb with every filter of the clsact hook parent (nothing without
 * clsact); a non-zero return from cb stops the walk and is returned. */
int nl_tc_dump(int ifindex, __u32 parent,
	       int (*cb)(const struct nl_tc_filter *f, void *arg), void *arg);

/* ifindex of the default route's interface, else of the first up
 * non-loopback interface; -ENODEV if there is none. */
int nl_default_ifindex(void);

/*
 * A socket that hears of interfaces coming and going (RTNLGRP_LINK),
 * non-blocking: its fd, or -errno.  Open it before looking at the
 * interfaces, so that nothing that happens afterwards is missed.
 */
int nl_link_watch(void);

/*
 * Read what the watch socket heard: cb(ifindex, arg) for each interface
 * removed from this network namespace (deleted, or moved to another).
 * 0 once nothing more is queued; -ENOBUFS if the kernel dropped
 * messages (ask about each interface again: nl_xdp_query says -ENODEV
 * for one that is gone); else -errno.
 */
int nl_link_gone(int fd, void (*cb)(int ifindex, void *arg), void *arg);

/* Build the RTM_SETLINK request into buf; returns its length or -E2BIG. */
int nl_build_xdp_set(void *buf, size_t len, __u32 seq, int ifindex,
		     int prog_fd, int expected_fd, __u32 flags);

#endif
