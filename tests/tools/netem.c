// SPDX-License-Identifier: GPL-2.0
/*
 * netem - the queueing disciplines the qemu guests need, over rtnetlink,
 * where busybox's tc cannot make them: a netem root qdisc (delay, random
 * loss) and a clsact qdisc made by somebody other than tcpinspect (no
 * mark of ours), and a list of what an interface has.
 *
 *   netem IFACE delay MS [loss PCT]   netem as the root qdisc (replacing
 *                                     the one there), packets held MS
 *                                     milliseconds, PCT % of them dropped
 *   netem IFACE off                   the root qdisc back to the default
 *   netem IFACE clsact                add a clsact qdisc
 *   netem IFACE noclsact              remove the clsact qdisc
 *   netem IFACE show                  one line per qdisc: "KIND parent
 *                                     P sent N dropped N"
 *
 * Exit status 0, 1 when the kernel refuses (its message on stderr), 2 for
 * bad arguments.  Static, no library but the C library's: built for each
 * guest architecture like peer.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/gen_stats.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct req {
	struct nlmsghdr h;
	struct tcmsg t;
	char attrs[256];
};

/* Room left after the message so far, and where the next attribute goes. */
static struct nlattr *next_attr(struct req *r, size_t len)
{
	size_t at = NLMSG_ALIGN(r->h.nlmsg_len);

	if (at + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(*r)) {
		fprintf(stderr, "netem: request too long\n");
		exit(2);
	}
	return (struct nlattr *)((char *)r + at);
}

static struct nlattr *add(struct req *r, unsigned short type, const void *v,
			  size_t len)
{
	struct nlattr *a = next_attr(r, len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memset((char *)a + NLA_HDRLEN, 0, NLA_ALIGN(len));
	if (len)
		memcpy((char *)a + NLA_HDRLEN, v, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len);
	return a;
}

static void start(struct req *r, unsigned short type, unsigned short flags,
		  int ifindex, __u32 parent, __u32 handle)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(r->t));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
	r->h.nlmsg_seq = 1;
	r->t.tcm_family = AF_UNSPEC;
	r->t.tcm_ifindex = ifindex;
	r->t.tcm_parent = parent;
	r->t.tcm_handle = handle;
}

/* The error text of an NLMSG_ERROR with extended ACK, if it has one. */
static const char *ack_text(const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = NLMSG_DATA(m);
	const struct nlattr *a;
	size_t off = NLMSG_HDRLEN + sizeof(*e), end = m->nlmsg_len;

	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(m->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= end) {
		a = (const struct nlattr *)((const char *)m + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG &&
		    ((const char *)a)[a->nla_len - 1] == 0)
			return (const char *)a + NLA_HDRLEN;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* The __u32 at byte off of attribute a's data, or 0 if a is shorter. */
static __u32 u32_at(const struct nlattr *a, size_t off)
{
	__u32 v = 0;

	if (a->nla_len >= NLA_HDRLEN + off + 4)
		memcpy(&v, (const char *)a + NLA_HDRLEN + off, 4);
	return v;
}

/* One RTM_NEWQDISC of ifindex, printed as a line of `show`. */
static void print_qdisc(const struct nlmsghdr *m, int ifindex)
{
	const struct tcmsg *t = NLMSG_DATA(m);
	const struct nlattr *a, *s;
	int len, slen;
	const char *kind = "?";
	__u32 sent = 0, dropped = 0;

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*t)) || t->tcm_ifindex != ifindex)
		return;
	len = m->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
	a = (const struct nlattr *)((const char *)t + NLMSG_ALIGN(sizeof(*t)));
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type == TCA_KIND && ((const char *)a)[a->nla_len - 1] == 0)
			kind = (const char *)a + NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) != TCA_STATS2)
			continue;
		slen = a->nla_len - NLA_HDRLEN;
		s = (const struct nlattr *)((const char *)a + NLA_HDRLEN);
		for (; slen >= NLA_HDRLEN && s->nla_len >= NLA_HDRLEN && s->nla_len <= slen;
		     slen -= NLA_ALIGN(s->nla_len),
		     s = (const struct nlattr *)((const char *)s + NLA_ALIGN(s->nla_len))) {
			/* gnet_stats_basic: __u64 bytes, __u32 packets */
			if (s->nla_type == TCA_STATS_BASIC)
				sent = u32_at(s, 8);
			/* gnet_stats_queue: qlen, backlog, drops, ... */
			else if (s->nla_type == TCA_STATS_QUEUE)
				dropped = u32_at(s, 8);
		}
	}
	printf("%s parent %x:%x sent %u dropped %u\n", kind, t->tcm_parent >> 16,
	       t->tcm_parent & 0xffff, sent, dropped);
}

/* Send r, read to its ACK (or a dump's end); show: print ifindex's
 * qdiscs on the way.  0, or 1 with the kernel's reason said. */
static int talk(struct req *r, int show)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	union {
		char b[32768];
		struct nlmsghdr align;
	} buf;
	struct nlmsghdr *m;
	const struct nlmsgerr *e;
	const char *why;
	int fd, one = 1, rem;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("netem: netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netem: send");
		close(fd);
		return 1;
	}
	for (;;) {
		n = recv(fd, buf.b, sizeof(buf.b), 0);
		if (n < 0) {
			perror("netem: recv");
			break;
		}
		rem = n;
		for (m = &buf.align; NLMSG_OK(m, rem); m = NLMSG_NEXT(m, rem)) {
			if (m->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return 0;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(m);
				close(fd);
				if (!e->error)
					return 0;
				why = ack_text(m);
				fprintf(stderr, "netem: %s%s%s%s\n", strerror(-e->error),
					why ? " (kernel: " : "", why ? why : "", why ? ")" : "");
				return 1;
			}
			if (show && m->nlmsg_type == RTM_NEWQDISC)
				print_qdisc(m, r->t.tcm_ifindex);
		}
	}
	close(fd);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: netem IFACE delay MS [loss PCT] | off | clsact | noclsact | show\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct tc_netem_qopt q;
	struct nlattr *opts;
	struct req r;
	__s64 ns;
	double pct = 0;
	int ifindex;
	char *end;
	long ms;

	if (argc < 3)
		return usage();
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "netem: no interface %s\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[2], "delay") && (argc == 4 || argc == 6)) {
		ms = strtol(argv[3], &end, 10);
		if (*end || ms < 0 || ms > 60000)
			return usage();
		if (argc == 6) {
			pct = strtod(argv[5], &end);
			if (strcmp(argv[4], "loss") || *end || pct < 0 || pct > 100)
				return usage();
		}
		start(&r, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
		      ifindex, TC_H_ROOT, 0);
		add(&r, TCA_KIND, "netem", 6);
		/* TCA_OPTIONS of netem: the struct first, then attributes
		 * (the delay in ns: the struct's field is in scheduler ticks) */
		memset(&q, 0, sizeof(q));
		q.limit = 1000;		/* as tc's default: 0 would drop all */
		q.loss = pct >= 100 ? ~0u : (__u32)(pct / 100 * 4294967295.0);
		opts = add(&r, TCA_OPTIONS, &q, sizeof(q));
		ns = (__s64)ms * 1000000;
		add(&r, TCA_NETEM_LATENCY64, &ns, sizeof(ns));
		opts->nla_len = (char *)&r + r.h.nlmsg_len - (char *)opts;
		return talk(&r, 0);
	}
	if (argc != 3)
		return usage();
	if (!strcmp(argv[2], "off")) {
		start(&r, RTM_DELQDISC, NLM_F_ACK, ifindex, TC_H_ROOT, 0);
		return talk(&r, 0);
	}
	if (!strcmp(argv[2], "clsact") || !strcmp(argv[2], "noclsact")) {
		if (argv[2][0] == 'c')
			start(&r, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
			      ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0));
		else
			start(&r, RTM_DELQDISC, NLM_F_ACK, ifindex, TC_H_CLSACT,
			      TC_H_MAKE(TC_H_CLSACT, 0));
		add(&r, TCA_KIND, "clsact", 7);
		return talk(&r, 0);
	}
	if (!strcmp(argv[2], "show")) {
		start(&r, RTM_GETQDISC, NLM_F_DUMP, ifindex, 0, 0);
		return talk(&r, 1);
	}
	return usage();
}
