// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - NETLINK_ROUTE requests for XDP and TC (see netlink.h).
 *
 * Requests are built into a buffer by bounded attribute writers, then
 * sent; replies are matched by sequence number and our port id, and an
 * error reply's extended ACK message is handed back to the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <arpa/inet.h>
#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nl_sock {
	int fd;
	__u32 pid;
	__u32 seq;
};

/* Append attribute type with len bytes of data; 0 or -E2BIG. */
static int put_attr(struct nlmsghdr *h, size_t room, __u16 type,
		    const void *data, size_t len)
{
	struct nlattr *a;
	size_t off = NLMSG_ALIGN(h->nlmsg_len);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > room)
		return -E2BIG;
	a = (struct nlattr *)((char *)h + off);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	h->nlmsg_len = off + NLA_HDRLEN + NLA_ALIGN(len);
	return 0;
}

static struct nlattr *nest_start(struct nlmsghdr *h, size_t room, __u16 type)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	return put_attr(h, room, type | NLA_F_NESTED, NULL, 0) ? NULL : a;
}

static void nest_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (char *)h + h->nlmsg_len - (char *)a;
}

int nl_build_xdp_set(void *buf, size_t len, __u32 seq, int ifindex,
		     int prog_fd, int expected_fd, __u32 flags)
{
	struct nlmsghdr *h = buf;
	struct ifinfomsg *ifi;
	struct nlattr *xdp;
	__s32 fd = prog_fd, exp = expected_fd;

	if (len < NLMSG_SPACE(sizeof(*ifi)))
		return -E2BIG;
	memset(buf, 0, NLMSG_SPACE(sizeof(*ifi)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_SETLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	xdp = nest_start(h, len, IFLA_XDP);
	if (!xdp || put_attr(h, len, IFLA_XDP_FD, &fd, sizeof(fd)) ||
	    (flags && put_attr(h, len, IFLA_XDP_FLAGS, &flags, sizeof(flags))) ||
	    ((flags & XDP_FLAGS_REPLACE) &&
	     put_attr(h, len, IFLA_XDP_EXPECTED_FD, &exp, sizeof(exp))))
		return -E2BIG;
	nest_end(h, xdp);
	return h->nlmsg_len;
}

static int nl_open(struct nl_sock *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	int one = 1, ret;

	s->seq = 1;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	/* Best effort: old kernels lack these and still work. */
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &sl)) {
		ret = -errno;
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	s->pid = sa.nl_pid;
	return 0;
}

/* The NLMSGERR_ATTR_MSG string of an error reply, copied into err. */
static void extack(const struct nlmsghdr *h, char *err, size_t err_len)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlattr *a;
	size_t off, end = h->nlmsg_len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || !err_len)
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	while (off + NLA_HDRLEN <= end) {
		a = (const struct nlattr *)((const char *)h + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			snprintf(err, err_len, "%.*s", (int)(a->nla_len - NLA_HDRLEN),
				 (const char *)a + NLA_HDRLEN);
			err[strcspn(err, "\n")] = 0;
			return;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Send the request in h and read replies until its ACK, error or (for a
 * dump) NLMSG_DONE; every other reply goes to cb.  Returns 0 or -errno.
 */
static int nl_talk(struct nl_sock *s, struct nlmsghdr *h,
		   int (*cb)(const struct nlmsghdr *, void *), void *arg,
		   char *err, size_t err_len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	union {
		char buf[32768];
		struct nlmsghdr align;
	} r;
	struct nlmsghdr *m;
	const struct nlmsgerr *e;
	ssize_t n;
	int ret = 0, rem;

	h->nlmsg_seq = ++s->seq;
	h->nlmsg_pid = s->pid;
	if (sendto(s->fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		n = recv(s->fd, r.buf, sizeof(r.buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		rem = n;
		for (m = &r.align; NLMSG_OK(m, rem); m = NLMSG_NEXT(m, rem)) {
			if (m->nlmsg_seq != s->seq || m->nlmsg_pid != s->pid)
				continue;	/* not ours: stale or multicast */
			if (m->nlmsg_type == NLMSG_DONE)
				return ret;
			if (m->nlmsg_type == NLMSG_ERROR) {
				if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				e = NLMSG_DATA(m);
				if (e->error)
					extack(m, err, err_len);
				return e->error ? e->error : ret;
			}
			if (cb && !ret)
				ret = cb(m, arg);
		}
		if (!(h->nlmsg_flags & NLM_F_ACK) && !(h->nlmsg_flags & NLM_F_DUMP))
			return ret;	/* single reply, no ACK asked for */
	}
}

/* One request on a socket of its own: nl_talk's answer. */
static int nl_once(struct nlmsghdr *h, int (*cb)(const struct nlmsghdr *, void *),
		   void *arg, char *err, size_t err_len)
{
	struct nl_sock s;
	int ret;

	if (err_len)
		err[0] = 0;
	ret = nl_open(&s);
	if (ret)
		return ret;
	ret = nl_talk(&s, h, cb, arg, err, err_len);
	close(s.fd);
	return ret;
}

int nl_xdp_set(int ifindex, int prog_fd, int expected_fd, __u32 flags,
	       char *err, size_t err_len)
{
	union {
		char buf[256];
		struct nlmsghdr h;
	} req;
	int ret;

	if (err_len)
		err[0] = 0;
	ret = nl_build_xdp_set(req.buf, sizeof(req.buf), 0, ifindex, prog_fd,
			       expected_fd, flags);
	if (ret < 0)
		return ret;
	return nl_once(&req.h, NULL, NULL, err, err_len);
}

/* Walk the attributes of an RTM_NEWLINK or RTM_NEWROUTE payload. */
#define for_each_attr(a, start, len) \
	for (a = (const struct nlattr *)(start); \
	     (len) >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && \
	     a->nla_len <= (len); \
	     (len) -= NLA_ALIGN(a->nla_len), \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

static __u32 attr_u32(const struct nlattr *a)
{
	__u32 v = 0;

	if (a->nla_len >= NLA_HDRLEN + 4)
		memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
	return v;
}

/* Fill info from one RTM_NEWLINK message; 1 if it was one, else 0. */
static int parse_link(const struct nlmsghdr *m, struct nl_xdp_info *info)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(m);
	const struct nlattr *a, *x;
	int len, xlen;

	if (m->nlmsg_type != RTM_NEWLINK ||
	    m->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	memset(info, 0, sizeof(*info));
	info->ifindex = ifi->ifi_index;
	info->if_flags = ifi->ifi_flags;
	len = m->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	for_each_attr(a, (const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)), len) {
		if ((a->nla_type & NLA_TYPE_MASK) == IFLA_IFNAME) {
			snprintf(info->ifname, sizeof(info->ifname), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN),
				 (const char *)a + NLA_HDRLEN);
			continue;
		}
		if ((a->nla_type & NLA_TYPE_MASK) != IFLA_XDP)
			continue;
		xlen = a->nla_len - NLA_HDRLEN;
		for_each_attr(x, (const char *)a + NLA_HDRLEN, xlen) {
			switch (x->nla_type & NLA_TYPE_MASK) {
			case IFLA_XDP_ATTACHED:
				info->attached = *((const __u8 *)x + NLA_HDRLEN);
				break;
			case IFLA_XDP_PROG_ID:
				info->prog_id = attr_u32(x);
				break;
			case IFLA_XDP_DRV_PROG_ID:
				info->drv_prog_id = attr_u32(x);
				break;
			case IFLA_XDP_SKB_PROG_ID:
				info->skb_prog_id = attr_u32(x);
				break;
			case IFLA_XDP_HW_PROG_ID:
				info->hw_prog_id = attr_u32(x);
				break;
			}
		}
	}
	return 1;
}

static int query_one(const struct nlmsghdr *m, void *arg)
{
	parse_link(m, arg);
	return 0;
}

struct dump_arg {
	int (*cb)(const struct nl_xdp_info *info, void *arg);
	void *arg;
};

static int dump_one(const struct nlmsghdr *m, void *arg)
{
	struct dump_arg *d = arg;
	struct nl_xdp_info info;

	return parse_link(m, &info) ? d->cb(&info, d->arg) : 0;
}

struct link_req {
	struct nlmsghdr h;
	struct ifinfomsg ifi;
	char attrs[64];
};

static void link_req_init(struct link_req *req, int ifindex, __u16 flags)
{
	__u32 mask = RTEXT_FILTER_SKIP_STATS;

	memset(req, 0, sizeof(*req));
	req->h.nlmsg_len = NLMSG_LENGTH(sizeof(req->ifi));
	req->h.nlmsg_type = RTM_GETLINK;
	req->h.nlmsg_flags = NLM_F_REQUEST | flags;
	req->ifi.ifi_family = AF_UNSPEC;
	req->ifi.ifi_index = ifindex;
	put_attr(&req->h, sizeof(*req), IFLA_EXT_MASK, &mask, sizeof(mask));
}

int nl_xdp_query(int ifindex, struct nl_xdp_info *info)
{
	struct link_req req;

	memset(info, 0, sizeof(*info));
	link_req_init(&req, ifindex, 0);
	return nl_once(&req.h, query_one, info, NULL, 0);
}

int nl_xdp_dump(int (*cb)(const struct nl_xdp_info *info, void *arg),
		void *arg)
{
	struct dump_arg d = { cb, arg };
	struct link_req req;

	link_req_init(&req, 0, NLM_F_DUMP);
	return nl_once(&req.h, dump_one, &d, NULL, 0);
}

/*
 * TC: the clsact qdisc and cls_bpf filters in it.  One request builder
 * for the qdisc and one for a filter; dumps read back what is there.
 */
struct tc_req {
	struct nlmsghdr h;
	struct tcmsg t;
	char attrs[128];
};

static void tc_req_init(struct tc_req *req, __u16 type, __u16 flags,
			int ifindex, __u32 parent, __u32 handle, __u32 info)
{
	memset(req, 0, sizeof(*req));
	req->h.nlmsg_len = NLMSG_LENGTH(sizeof(req->t));
	req->h.nlmsg_type = type;
	req->h.nlmsg_flags = NLM_F_REQUEST | flags;
	req->t.tcm_family = AF_UNSPEC;
	req->t.tcm_ifindex = ifindex;
	req->t.tcm_parent = parent;
	req->t.tcm_handle = handle;
	req->t.tcm_info = info;
}

int nl_clsact(int ifindex, int add, char *err, size_t err_len)
{
	struct tc_req req;

	tc_req_init(&req, add ? RTM_NEWQDISC : RTM_DELQDISC,
		    NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0), ifindex,
		    TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
	if (put_attr(&req.h, sizeof(req), TCA_KIND, "clsact", 7))
		return -E2BIG;
	return nl_once(&req.h, NULL, NULL, err, err_len);
}

/* The TCA_KIND of a tcmsg reply, or "". */
static const char *tc_kind(const struct nlmsghdr *m, const struct nlattr **opts)
{
	const struct tcmsg *t = NLMSG_DATA(m);
	const struct nlattr *a;
	const char *kind = "";
	int len = m->nlmsg_len - NLMSG_LENGTH(sizeof(*t));

	*opts = NULL;
	for_each_attr(a, (const char *)t + NLMSG_ALIGN(sizeof(*t)), len) {
		if (a->nla_type == TCA_KIND && a->nla_len > NLA_HDRLEN &&
		    ((const char *)a)[a->nla_len - 1] == 0)
			kind = (const char *)a + NLA_HDRLEN;
		else if ((a->nla_type & NLA_TYPE_MASK) == TCA_OPTIONS)
			*opts = a;
	}
	return kind;
}

struct tc_dump_arg {
	int ifindex;
	__u32 parent;
	int found;
	int (*cb)(const struct nl_tc_filter *f, void *arg);
	void *arg;
};

static int clsact_one(const struct nlmsghdr *m, void *arg)
{
	struct tc_dump_arg *d = arg;
	const struct tcmsg *t = NLMSG_DATA(m);
	const struct nlattr *opts;

	if (m->nlmsg_type == RTM_NEWQDISC &&
	    m->nlmsg_len >= NLMSG_LENGTH(sizeof(*t)) &&
	    t->tcm_ifindex == d->ifindex && t->tcm_parent == TC_H_CLSACT &&
	    !strcmp(tc_kind(m, &opts), "clsact"))
		d->found = 1;
	return 0;
}

int nl_clsact_query(int ifindex)
{
	struct tc_dump_arg d = { .ifindex = ifindex };
	struct tc_req req;
	int ret;

	tc_req_init(&req, RTM_GETQDISC, NLM_F_DUMP, ifindex, 0, 0, 0);
	ret = nl_once(&req.h, clsact_one, &d, NULL, 0);
	return ret ? ret : d.found;
}

int nl_tc_bpf_add(int ifindex, __u32 parent, __u16 prio, __u32 handle,
		  int prog_fd, const char *name, char *err, size_t err_len)
{
	__u32 fd = prog_fd, flags = TCA_BPF_FLAG_ACT_DIRECT;
	struct tc_req req;
	struct nlattr *o;

	tc_req_init(&req, RTM_NEWTFILTER, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		    ifindex, TC_H_MAKE(TC_H_CLSACT, parent), handle,
		    TC_H_MAKE((__u32)prio << 16, htons(ETH_P_ALL)));
	if (put_attr(&req.h, sizeof(req), TCA_KIND, "bpf", 4) ||
	    !(o = nest_start(&req.h, sizeof(req), TCA_OPTIONS)) ||
	    put_attr(&req.h, sizeof(req), TCA_BPF_FD, &fd, 4) ||
	    put_attr(&req.h, sizeof(req), TCA_BPF_NAME, name, strlen(name) + 1) ||
	    put_attr(&req.h, sizeof(req), TCA_BPF_FLAGS, &flags, 4))
		return -E2BIG;
	nest_end(&req.h, o);
	return nl_once(&req.h, NULL, NULL, err, err_len);
}

int nl_tc_bpf_del(int ifindex, __u32 parent, __u16 prio, __u32 handle,
		  char *err, size_t err_len)
{
	struct tc_req req;

	tc_req_init(&req, RTM_DELTFILTER, NLM_F_ACK, ifindex,
		    TC_H_MAKE(TC_H_CLSACT, parent), handle,
		    TC_H_MAKE((__u32)prio << 16, htons(ETH_P_ALL)));
	if (put_attr(&req.h, sizeof(req), TCA_KIND, "bpf", 4))
		return -E2BIG;
	return nl_once(&req.h, NULL, NULL, err, err_len);
}

static int filter_one(const struct nlmsghdr *m, void *arg)
{
	struct tc_dump_arg *d = arg;
	const struct tcmsg *t = NLMSG_DATA(m);
	const struct nlattr *opts, *a;
	struct nl_tc_filter f;
	int len;

	if (m->nlmsg_type != RTM_NEWTFILTER ||
	    m->nlmsg_len < NLMSG_LENGTH(sizeof(*t)) || !t->tcm_handle ||
	    t->tcm_ifindex != d->ifindex)
		return 0;
	memset(&f, 0, sizeof(f));
	f.parent = TC_H_MIN(t->tcm_parent);
	f.prio = TC_H_MAJ(t->tcm_info) >> 16;
	f.handle = t->tcm_handle;
	snprintf(f.kind, sizeof(f.kind), "%s", tc_kind(m, &opts));
	if (opts && !strcmp(f.kind, "bpf")) {
		len = opts->nla_len - NLA_HDRLEN;
		for_each_attr(a, (const char *)opts + NLA_HDRLEN, len) {
			if (a->nla_type == TCA_BPF_ID)
				f.prog_id = attr_u32(a);
			else if (a->nla_type == TCA_BPF_NAME)
				snprintf(f.name, sizeof(f.name), "%.*s",
					 (int)(a->nla_len - NLA_HDRLEN),
					 (const char *)a + NLA_HDRLEN);
		}
	}
	return d->cb(&f, d->arg);
}

int nl_tc_dump(int ifindex, __u32 parent,
	       int (*cb)(const struct nl_tc_filter *f, void *arg), void *arg)
{
	struct tc_dump_arg d = { .ifindex = ifindex, .cb = cb, .arg = arg };
	struct tc_req req;

	tc_req_init(&req, RTM_GETTFILTER, NLM_F_DUMP, ifindex,
		    TC_H_MAKE(TC_H_CLSACT, parent), 0, 0);
	return nl_once(&req.h, filter_one, &d, NULL, 0);
}

static int default_route(const struct nlmsghdr *m, void *arg)
{
	const struct rtmsg *rt = NLMSG_DATA(m);
	const struct nlattr *a;
	__u32 table = rt->rtm_table, oif = 0;
	int len;

	if (m->nlmsg_type != RTM_NEWROUTE || *(int *)arg > 0 ||
	    rt->rtm_dst_len || rt->rtm_type != RTN_UNICAST)
		return 0;
	len = m->nlmsg_len - NLMSG_LENGTH(sizeof(*rt));
	for_each_attr(a, (const char *)rt + NLMSG_ALIGN(sizeof(*rt)), len) {
		if (a->nla_type == RTA_TABLE)
			table = attr_u32(a);
		else if (a->nla_type == RTA_OIF)
			oif = attr_u32(a);
	}
	if (table == RT_TABLE_MAIN && oif)
		*(int *)arg = oif;
	return 0;
}

static int first_up(const struct nlmsghdr *m, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(m);

	if (m->nlmsg_type == RTM_NEWLINK && *(int *)arg <= 0 &&
	    (ifi->ifi_flags & IFF_UP) && !(ifi->ifi_flags & IFF_LOOPBACK))
		*(int *)arg = ifi->ifi_index;
	return 0;
}

int nl_default_ifindex(void)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
	} rreq;
	struct link_req lreq;
	struct nl_sock s;
	int ret, ifindex = 0;

	ret = nl_open(&s);
	if (ret)
		return ret;
	memset(&rreq, 0, sizeof(rreq));
	rreq.h.nlmsg_len = NLMSG_LENGTH(sizeof(rreq.rt));
	rreq.h.nlmsg_type = RTM_GETROUTE;
	rreq.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rreq.rt.rtm_family = AF_INET;
	ret = nl_talk(&s, &rreq.h, default_route, &ifindex, NULL, 0);
	if (!ret && !ifindex) {
		link_req_init(&lreq, 0, NLM_F_DUMP);
		ret = nl_talk(&s, &lreq.h, first_up, &ifindex, NULL, 0);
	}
	close(s.fd);
	if (ret)
		return ret;
	return ifindex > 0 ? ifindex : -ENODEV;
}

int nl_link_watch(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int nl_link_gone(int fd, void (*cb)(int ifindex, void *arg), void *arg)
{
	union {
		char buf[16384];
		struct nlmsghdr align;
	} r;
	const struct ifinfomsg *ifi;
	struct nlmsghdr *m;
	ssize_t n;
	int rem;

	for (;;) {
		n = recv(fd, r.buf, sizeof(r.buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		rem = n;
		for (m = &r.align; NLMSG_OK(m, rem); m = NLMSG_NEXT(m, rem)) {
			ifi = NLMSG_DATA(m);
			/* AF_BRIDGE: a port left its bridge, it is still there */
			if (m->nlmsg_type == RTM_DELLINK &&
			    m->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)) &&
			    ifi->ifi_family == AF_UNSPEC)
				cb(ifi->ifi_index, arg);
		}
	}
}
