// SPDX-License-Identifier: GPL-2.0
/*
 * prog_test.c - BPF_PROG_TEST_RUN tests of the embedded XDP program.
 *
 * Loads the object inside the binary (embed.S) with our own loader, feeds
 * it frames built byte by byte here (not from the kernel's structs, so the
 * test does not share the program's view of the wire) and checks, for each
 * run: the return code, the exact change of every per-CPU counter, the
 * number of events in the ring buffer and every field of the event.  Then
 * it fills the ring buffer to check the lost-event path and prints two
 * timing figures.
 *
 * Output: one line per case, "ok NAME[: note]", "not ok NAME: why" or
 * "skip NAME: why" (tests/run counts them).  Exit status 1 if a case
 * failed, else 0 (also when skipping for lack of privilege).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include "bpf.h"
#include "loader.h"
#include "ringbuf.h"
#include "prog/tcpinspect.h"

extern const char ti_obj[], ti_obj_end[];

#define FRAME_MAX	512
#define LO_IFINDEX	1	/* loopback: test runs without ctx_in use it too */
#define EV_KEEP		4	/* events kept per run for field checks */
/* bpf_ktime_get_ns() is the NMI-safe fast clock: allow it a little skew. */
#define TS_SLACK_NS	1000000ull

/* What goes into one frame.  Zero fields take the default noted. */
struct pkt {
	__u16 eth_proto;	/* ETH_P_IP, ETH_P_IPV6 or ETH_P_ARP */
	__u16 vlan_proto;	/* ETH_P_8021Q/ETH_P_8021AD: one tag; 0: none */
	__u16 vlan_tci;
	__u8 l4_proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 ihl;		/* IPv4 header words (NOP options past 5); 0: 5 */
	__u16 frag_off;		/* IPv4 flags and fragment offset field */
	int ip_len_adj;		/* added to the IPv4/IPv6 length field */
	__u8 doff;		/* TCP header words (NOP options past 5); 0: 5 */
	__u8 tcp_flags;
	__u16 sport, dport, window;
	__u32 seq, ack;
	__u16 payload_len;
	__u16 cut_at;		/* the frame ends here (truncation); 0: whole */
	__u16 pad_to;		/* zero-padded to this length (Ethernet minimum) */
};

/* One table row: a frame and what the program must make of it. */
struct tcase {
	const char *name;
	struct pkt pkt;
	__u64 delta[TI_CNT_MAX];	/* counter deltas; EMITTED = events */
	__u16 vlan;			/* expected event.vlan */
	__u8 ev_flags;			/* expected event.ev_flags */
};

struct events {
	struct ti_event ev[EV_KEEP];
	long cnt;
	long bad_len;		/* records not sizeof(struct ti_event) long */
};

struct result {
	__u32 retval;
	__u32 duration;		/* kernel's mean ns per run */
	__u64 delta[TI_CNT_MAX];
	__u64 t0, t1;		/* CLOCK_MONOTONIC around the run */
	__u64 consume_ns;	/* time rb_consume() took */
	struct events ev;
};

struct env {
	struct ld_obj obj;
	struct rb rb;
	int cnt_fd;
	int ncpu;
	__u64 *percpu;		/* ncpu values: one counter lookup */
	int use_ctx;		/* pass a struct xdp_md as ctx_in */
	int failed;
};

static const char *const cnt_names[TI_CNT_MAX] = {
	[TI_CNT_SEEN] = "seen", [TI_CNT_TCP] = "tcp",
	[TI_CNT_EMITTED] = "emitted", [TI_CNT_LOST] = "lost",
	[TI_CNT_MALFORMED] = "malformed", [TI_CNT_BUDGET] = "budget",
};

static const __u8 mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const __u8 ip4_src[4] = { 192, 0, 2, 1 };
static const __u8 ip4_dst[4] = { 198, 51, 100, 2 };
static const __u8 ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const __u8 ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* --- frames ------------------------------------------------------------ */

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u16 ip_csum(const __u8 *p, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* IHL or doff as written: 0 in struct pkt means 5. */
static __u8 words(__u8 w)
{
	return w ? w : 5;
}

/* Bytes written for it: a field that lies (< 5) still gets 20 real ones. */
static size_t words_len(__u8 w)
{
	return words(w) < 5 ? 20 : words(w) * 4u;
}

static size_t put_eth(const struct pkt *p, __u8 *b)
{
	size_t len = 12;

	memcpy(b, mac_dst, 6);
	memcpy(b + 6, mac_src, 6);
	if (p->vlan_proto) {
		put16(b + len, p->vlan_proto);
		put16(b + len + 2, p->vlan_tci);
		len += 4;
	}
	put16(b + len, p->eth_proto);
	return len + 2;
}

/* TCP header (options NOP-filled) or UDP header, then the payload. */
static size_t put_l4(const struct pkt *p, __u8 *b)
{
	size_t hlen, i;

	if (p->l4_proto == IPPROTO_UDP) {
		hlen = 8;
		put16(b, p->sport);
		put16(b + 2, p->dport);
		put16(b + 4, hlen + p->payload_len);
		put16(b + 6, 0);
	} else {
		hlen = words_len(p->doff);
		put16(b, p->sport);
		put16(b + 2, p->dport);
		put32(b + 4, p->seq);
		put32(b + 8, p->ack);
		b[12] = words(p->doff) << 4;
		b[13] = p->tcp_flags;
		put16(b + 14, p->window);
		put16(b + 16, 0);	/* checksum: the program ignores it */
		put16(b + 18, 0);	/* urgent pointer */
		memset(b + 20, 1, hlen - 20);	/* TCPOPT_NOP */
	}
	for (i = 0; i < p->payload_len; i++)
		b[hlen + i] = 'a' + i % 26;
	return hlen + p->payload_len;
}

static size_t put_ipv4(const struct pkt *p, __u8 *b)
{
	size_t hlen = words_len(p->ihl), l4_len;

	memset(b + 20, 1, hlen - 20);	/* IPOPT_NOOP */
	l4_len = put_l4(p, b + hlen);
	b[0] = 0x40 | words(p->ihl);
	b[1] = 0;
	put16(b + 2, hlen + l4_len + p->ip_len_adj);
	put16(b + 4, 0x1234);
	put16(b + 6, p->frag_off);
	b[8] = 64;
	b[9] = p->l4_proto;
	put16(b + 10, 0);
	memcpy(b + 12, ip4_src, 4);
	memcpy(b + 16, ip4_dst, 4);
	put16(b + 10, ip_csum(b, hlen));
	return hlen + l4_len;
}

static size_t put_ipv6(const struct pkt *p, __u8 *b)
{
	size_t l4_len = put_l4(p, b + 40);

	put32(b, 0x60000000);
	put16(b + 4, l4_len + p->ip_len_adj);
	b[6] = p->l4_proto;
	b[7] = 64;
	memcpy(b + 8, ip6_src, 16);
	memcpy(b + 24, ip6_dst, 16);
	return 40 + l4_len;
}

/* An ARP request from ip4_src for ip4_dst. */
static size_t put_arp(__u8 *b)
{
	put16(b, 1);		/* Ethernet */
	put16(b + 2, ETH_P_IP);
	b[4] = 6;
	b[5] = 4;
	put16(b + 6, 1);	/* request */
	memcpy(b + 8, mac_src, 6);
	memcpy(b + 14, ip4_src, 4);
	memset(b + 18, 0, 6);
	memcpy(b + 24, ip4_dst, 4);
	return 28;
}

/* Build p into f (FRAME_MAX bytes); returns the frame length. */
static size_t build(const struct pkt *p, __u8 *f)
{
	size_t len;

	memset(f, 0, FRAME_MAX);
	len = put_eth(p, f);
	if (p->eth_proto == ETH_P_IP)
		len += put_ipv4(p, f + len);
	else if (p->eth_proto == ETH_P_IPV6)
		len += put_ipv6(p, f + len);
	else if (p->eth_proto == ETH_P_ARP)
		len += put_arp(f + len);
	if (p->cut_at)
		len = p->cut_at;
	if (len < p->pad_to)
		len = p->pad_to;
	return len;
}

/* The event the program must emit for c's frame of frame_len bytes. */
static void expect_event(const struct tcase *c, size_t frame_len,
			 struct ti_event *e)
{
	const struct pkt *p = &c->pkt;
	int v6 = p->eth_proto == ETH_P_IPV6;

	memset(e, 0, sizeof(*e));
	e->ifindex = LO_IFINDEX;
	e->pkt_len = frame_len;
	e->payload_len = p->payload_len;
	memcpy(e->saddr, v6 ? ip6_src : ip4_src, v6 ? 16 : 4);
	memcpy(e->daddr, v6 ? ip6_dst : ip4_dst, v6 ? 16 : 4);
	e->seq = p->seq;
	e->ack = p->ack;
	e->sport = p->sport;
	e->dport = p->dport;
	e->window = p->window;
	e->vlan = c->vlan;
	e->family = v6 ? 6 : 4;
	e->tcp_flags = p->tcp_flags;
	e->tcp_hlen = words(p->doff) * 4;
	e->ev_flags = c->ev_flags;
}

/* --- the table --------------------------------------------------------- */

/* A SYN 192.0.2.1:51234 -> 198.51.100.2:80 (or the IPv6 addresses);
 * rows override fields.  Overriding an initializer is the point here. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define TCP(proto, ...) { .eth_proto = proto, .l4_proto = IPPROTO_TCP, \
	.sport = 51234, .dport = 80, .seq = 123, .window = 64240, \
	.tcp_flags = TI_TCP_SYN, __VA_ARGS__ }

#define EMITTED		{ [TI_CNT_SEEN] = 1, [TI_CNT_TCP] = 1, [TI_CNT_EMITTED] = 1 }
#define IGNORED		{ [TI_CNT_SEEN] = 1 }
#define MALFORMED	{ [TI_CNT_SEEN] = 1, [TI_CNT_MALFORMED] = 1 }

#define ACK_PSH		(TI_TCP_ACK | TI_TCP_PSH)
#define IP_DF		0x4000
#define IP_MF		0x2000

static const struct tcase cases[] = {
	{ .name = "ipv4_syn", .pkt = TCP(ETH_P_IP), .delta = EMITTED },
	{ .name = "ipv4_options_ack_psh_payload",
	  .pkt = TCP(ETH_P_IP, .ihl = 7, .doff = 8, .frag_off = IP_DF,
		     .tcp_flags = ACK_PSH, .sport = 80, .dport = 51234,
		     .seq = 0xfedcba98, .ack = 124, .window = 509,
		     .payload_len = 10),
	  .delta = EMITTED },
	{ .name = "ipv6_fin_ack",
	  .pkt = TCP(ETH_P_IPV6, .tcp_flags = TI_TCP_FIN | TI_TCP_ACK,
		     .seq = 4000, .ack = 0x80000001, .window = 1,
		     .payload_len = 7),
	  .delta = EMITTED },
	/* Priority 5 in the TCI: only the 12-bit id may come out. */
	{ .name = "vlan_8021q",
	  .pkt = TCP(ETH_P_IP, .vlan_proto = ETH_P_8021Q, .vlan_tci = 0xa064),
	  .delta = EMITTED, .vlan = 100, .ev_flags = TI_EV_VLAN },
	/* Priority 7 and DEI set. */
	{ .name = "vlan_8021ad_ipv6",
	  .pkt = TCP(ETH_P_IPV6, .vlan_proto = ETH_P_8021AD, .vlan_tci = 0xf0c8),
	  .delta = EMITTED, .vlan = 200, .ev_flags = TI_EV_VLAN },
	{ .name = "all_tcp_flags",
	  .pkt = TCP(ETH_P_IP, .tcp_flags = 0xff), .delta = EMITTED },
	{ .name = "ipv4_first_fragment",
	  .pkt = TCP(ETH_P_IP, .frag_off = IP_MF), .delta = EMITTED },
	/* A 54-byte ACK padded to the 60-byte Ethernet minimum. */
	{ .name = "ethernet_padding",
	  .pkt = TCP(ETH_P_IP, .tcp_flags = TI_TCP_ACK, .pad_to = 60),
	  .delta = EMITTED },
	/* payload_len comes from the IP header, not from the frame length. */
	{ .name = "payload_len_from_ip_header",
	  .pkt = TCP(ETH_P_IP, .tcp_flags = ACK_PSH, .payload_len = 100,
		     .cut_at = 14 + 20 + 20 + 10),
	  .delta = EMITTED },

	{ .name = "udp",
	  .pkt = TCP(ETH_P_IP, .l4_proto = IPPROTO_UDP, .payload_len = 12),
	  .delta = IGNORED },
	{ .name = "arp", .pkt = { .eth_proto = ETH_P_ARP }, .delta = IGNORED },
	{ .name = "ipv4_later_fragment",
	  .pkt = TCP(ETH_P_IP, .frag_off = IP_MF | 185), .delta = IGNORED },
	{ .name = "ipv4_last_fragment_high_offset",
	  .pkt = TCP(ETH_P_IP, .frag_off = 0x1000), .delta = IGNORED },
	{ .name = "ipv4_header_missing",
	  .pkt = TCP(ETH_P_IP, .cut_at = 14), .delta = IGNORED },
	{ .name = "ipv4_header_cut",	/* before the protocol byte */
	  .pkt = TCP(ETH_P_IP, .cut_at = 14 + 8), .delta = IGNORED },
	{ .name = "ipv6_header_cut",
	  .pkt = TCP(ETH_P_IPV6, .cut_at = 14 + 39), .delta = IGNORED },
	{ .name = "vlan_tag_cut",
	  .pkt = TCP(ETH_P_IP, .vlan_proto = ETH_P_8021Q, .vlan_tci = 100,
		     .cut_at = 14 + 2),
	  .delta = IGNORED },

	{ .name = "tcp_header_cut",
	  .pkt = TCP(ETH_P_IP, .cut_at = 14 + 20 + 10), .delta = MALFORMED },
	{ .name = "ipv6_tcp_header_cut",
	  .pkt = TCP(ETH_P_IPV6, .cut_at = 14 + 40 + 19), .delta = MALFORMED },
	/* IHL 15: the TCP header would start past the end of the frame. */
	{ .name = "ipv4_options_cut",
	  .pkt = TCP(ETH_P_IP, .ihl = 15, .cut_at = 14 + 40),
	  .delta = MALFORMED },
	{ .name = "tcp_doff_4",
	  .pkt = TCP(ETH_P_IP, .doff = 4), .delta = MALFORMED },
	{ .name = "ipv4_ihl_4",
	  .pkt = TCP(ETH_P_IP, .ihl = 4), .delta = MALFORMED },
	{ .name = "ipv4_total_len_below_ihl",
	  .pkt = TCP(ETH_P_IP, .ip_len_adj = -30), .delta = MALFORMED },
	{ .name = "ipv4_total_len_below_tcp_header",
	  .pkt = TCP(ETH_P_IP, .ip_len_adj = -1), .delta = MALFORMED },
	{ .name = "ipv6_payload_len_below_tcp_header",
	  .pkt = TCP(ETH_P_IPV6, .ip_len_adj = -1), .delta = MALFORMED },
	/* doff 15, and the frame ends after 20 of its 60 bytes. */
	{ .name = "tcp_options_cut",
	  .pkt = TCP(ETH_P_IP, .doff = 15, .cut_at = 14 + 20 + 20),
	  .delta = MALFORMED },
};

/* --- running ----------------------------------------------------------- */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Number of possible CPUs, from a list like "0-3,6,8-9"; -1 if unreadable. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	char buf[256], *p;
	long a, b;
	int n = 0;

	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	while (p && *p >= '0' && *p <= '9') {
		a = b = strtol(p, &p, 10);
		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		if (b < a)
			return -1;
		n += b - a + 1;
		if (*p == ',')
			p++;
	}
	return n > 0 ? n : -1;
}

/* Sum every counter over the CPUs. */
static int read_counters(struct env *t, __u64 *sum)
{
	__u32 key;
	int cpu, ret;

	for (key = 0; key < TI_CNT_MAX; key++) {
		ret = bpf_map_lookup_elem(t->cnt_fd, &key, t->percpu);
		if (ret)
			return ret;
		sum[key] = 0;
		for (cpu = 0; cpu < t->ncpu; cpu++)
			sum[key] += t->percpu[cpu];
	}
	return 0;
}

static int on_event(void *arg, const void *rec, __u32 len)
{
	struct events *e = arg;

	if (len != sizeof(struct ti_event))
		e->bad_len++;
	else if (e->cnt < EV_KEEP)
		memcpy(&e->ev[e->cnt], rec, len);
	e->cnt++;
	return 0;
}

/*
 * Run the program repeat times on frame, then drain the ring buffer and
 * take the counter deltas, also when the kernel refused the run (so the
 * next run starts empty and a refusal can be checked).  0 or -errno.
 */
static int run(struct env *t, const __u8 *frame, size_t len, __u32 repeat,
	       struct result *r)
{
	struct xdp_md md = {
		.data_end = len,	/* the kernel insists: == data_size_in */
		.ingress_ifindex = LO_IFINDEX,
	};
	struct bpf_test_run tr = {
		.data_in = frame,
		.data_len_in = len,
		.repeat = repeat,
	};
	__u64 before[TI_CNT_MAX], after[TI_CNT_MAX];
	int stopped = 0, ret, i;

	memset(r, 0, sizeof(*r));
	if (t->use_ctx) {
		tr.ctx_in = &md;
		tr.ctx_len_in = sizeof(md);
	}
	ret = read_counters(t, before);
	if (ret)
		return ret;
	r->t0 = now_ns();
	ret = bpf_prog_test_run(t->obj.prog_fd, &tr);
	r->t1 = now_ns();
	rb_consume(&t->rb, on_event, &r->ev, &stopped);
	r->consume_ns = now_ns() - r->t1;
	if (!ret) {
		r->retval = tr.retval;
		r->duration = tr.duration;
	}
	i = read_counters(t, after);
	if (i)
		return i;
	for (i = 0; i < TI_CNT_MAX; i++)
		r->delta[i] = after[i] - before[i];
	return ret;
}

/* --- checking ---------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -1;
}

static void report(struct env *t, const char *name, int failed,
		   const char *why)
{
	if (failed) {
		printf("not ok %s: %s\n", name, why);
		t->failed = 1;
	} else {
		printf("ok %s%s%s\n", name, *why ? ": " : "", why);
	}
	fflush(stdout);
}

/* "seen+1 tcp+1" */
static const char *fmt_deltas(char *buf, size_t len, const __u64 *d)
{
	size_t used = 0;
	int i;

	snprintf(buf, len, "nothing");
	for (i = 0; i < TI_CNT_MAX && used < len; i++)
		if (d[i])
			used += snprintf(buf + used, len - used, "%s%s+%llu",
					 used ? " " : "", cnt_names[i],
					 (unsigned long long)d[i]);
	return buf;
}

static int check_deltas(const __u64 *got, const __u64 *want, char *why,
			size_t why_len)
{
	char g[128], w[128];

	if (!memcmp(got, want, TI_CNT_MAX * sizeof(*got)))
		return 0;
	return fail(why, why_len, "counters %s, want %s",
		    fmt_deltas(g, sizeof(g), got), fmt_deltas(w, sizeof(w), want));
}

static int check_event(const struct ti_event *got, const struct ti_event *want,
		       const struct result *r, char *why, size_t why_len)
{
#define F(f) { #f, got->f, want->f }
	const struct {
		const char *name;
		unsigned long long got, want;
	} f[] = {
		F(ifindex), F(rx_queue), F(pkt_len), F(payload_len), F(seq),
		F(ack), F(sport), F(dport), F(window), F(vlan), F(family),
		F(tcp_flags), F(tcp_hlen), F(ev_flags), F(pad),
	};
#undef F
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].got != f[i].want)
			return fail(why, why_len, "event %s %llu (%#llx), want %llu (%#llx)",
				    f[i].name, f[i].got, f[i].got, f[i].want,
				    f[i].want);
	if (memcmp(got->saddr, want->saddr, 16))
		return fail(why, why_len, "event saddr differs");
	if (memcmp(got->daddr, want->daddr, 16))
		return fail(why, why_len, "event daddr differs");
	if (got->ts_ns + TS_SLACK_NS < r->t0 || got->ts_ns > r->t1 + TS_SLACK_NS)
		return fail(why, why_len, "event ts_ns %llu not within 1 ms of the run [%llu, %llu]",
			    (unsigned long long)got->ts_ns,
			    (unsigned long long)r->t0,
			    (unsigned long long)r->t1);
	return 0;
}

/* Checks common to every run: return code, counters, event count. */
static int check_run(const struct result *r, const __u64 *want_delta,
		     char *why, size_t why_len)
{
	if (r->retval != XDP_PASS)
		return fail(why, why_len, "retval %u, want XDP_PASS", r->retval);
	if (check_deltas(r->delta, want_delta, why, why_len))
		return -1;
	if (r->ev.bad_len)
		return fail(why, why_len, "%ld records of the wrong size",
			    r->ev.bad_len);
	if ((__u64)r->ev.cnt != want_delta[TI_CNT_EMITTED])
		return fail(why, why_len, "%ld events in the ring buffer, want %llu",
			    r->ev.cnt,
			    (unsigned long long)want_delta[TI_CNT_EMITTED]);
	return 0;
}

static void test_case(struct env *t, const struct tcase *c)
{
	__u8 frame[FRAME_MAX];
	struct ti_event want;
	struct result r;
	char why[256] = "";
	size_t len = build(&c->pkt, frame);
	int err;

	err = run(t, frame, len, 1, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, c->delta, why, sizeof(why));
	if (!err && r.ev.cnt) {
		expect_event(c, len, &want);
		err = check_event(&r.ev.ev[0], &want, &r, why, sizeof(why));
	}
	report(t, c->name, err, why);
}

/* Whether the kernel takes a struct xdp_md as ctx_in; else run without. */
static void test_ctx(struct env *t)
{
	static const struct pkt arp = { .eth_proto = ETH_P_ARP };
	static const __u64 delta[TI_CNT_MAX] = IGNORED;
	__u8 frame[FRAME_MAX];
	struct result r;
	char why[256] = "";
	int err;

	t->use_ctx = 1;
	err = run(t, frame, build(&arp, frame), 1, &r);
	if (err == -EINVAL) {
		t->use_ctx = 0;
		printf("skip xdp_md_ctx: kernel refuses ctx_in (EINVAL); runs without, on lo\n");
		return;
	}
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, delta, why, sizeof(why));
	report(t, "xdp_md_ctx", err, why);
}

/*
 * A frame shorter than an Ethernet header.  The kernel's test_run refuses
 * those (bpf_test_init: size < ETH_HLEN is EINVAL), so the program's own
 * check is out of reach here; assert what does happen.
 */
static void test_short_frame(struct env *t)
{
	static const __u64 none[TI_CNT_MAX], seen[TI_CNT_MAX] = IGNORED;
	static const struct pkt p = TCP(ETH_P_IP, .cut_at = 10);
	__u8 frame[FRAME_MAX];
	struct result r;
	char why[256] = "";
	int err;

	err = run(t, frame, build(&p, frame), 1, &r);
	if (err == -EINVAL) {
		r.retval = XDP_PASS;	/* no run: only counters and events */
		err = check_run(&r, none, why, sizeof(why));
		if (!err)
			snprintf(why, sizeof(why), "kernel refuses a 10-byte frame (EINVAL), program not run");
	} else if (err) {
		fail(why, sizeof(why), "test run: %s, want EINVAL or success",
		     strerror(-err));
	} else {
		err = check_run(&r, seen, why, sizeof(why));
		if (!err)
			snprintf(why, sizeof(why), "kernel ran a 10-byte frame: ignored");
	}
	report(t, "short_frame", err, why);
}

/*
 * Fill the ring buffer in one run without consuming: exactly its capacity
 * is emitted, every other run counts as lost, and once drained the next
 * event fits again.
 */
static void test_ring_full(struct env *t)
{
	static const struct tcase syn = {
		.pkt = TCP(ETH_P_IP), .delta = EMITTED };
	const __u32 runs = 60000;
	const size_t rec_len = (sizeof(struct ti_event) + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
	/* The kernel keeps producer - consumer <= size - 1. */
	const __u64 cap = (t->rb.data_len - 1) / rec_len;
	const __u64 delta[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = runs, [TI_CNT_TCP] = runs,
		[TI_CNT_EMITTED] = cap, [TI_CNT_LOST] = runs - cap,
	};
	__u8 frame[FRAME_MAX];
	size_t len = build(&syn.pkt, frame);
	struct ti_event want;
	struct result r;
	char why[256] = "";
	__u64 wall;
	int err;

	expect_event(&syn, len, &want);
	err = run(t, frame, len, runs, &r);
	wall = r.t1 - r.t0;
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, delta, why, sizeof(why));
	if (!err)
		err = check_event(&r.ev.ev[0], &want, &r, why, sizeof(why));
	if (!err) {
		err = run(t, frame, len, 1, &r);
		if (err)
			fail(why, sizeof(why), "after draining: test run: %s",
			     strerror(-err));
		else
			err = check_run(&r, syn.delta, why, sizeof(why));
	}
	if (!err)
		snprintf(why, sizeof(why), "%u runs: %llu emitted (capacity), %llu lost, %.1f ms",
			 runs, (unsigned long long)cap,
			 (unsigned long long)(runs - cap), wall / 1e6);
	report(t, "ring_full", err, why);
}

/* Informational timings: the cheapest path and the path with an event. */
static void test_perf(struct env *t, const char *name, const struct tcase *c,
		      __u32 runs)
{
	__u8 frame[FRAME_MAX];
	__u64 delta[TI_CNT_MAX];
	struct result r;
	char why[256] = "";
	int i, err;

	for (i = 0; i < TI_CNT_MAX; i++)
		delta[i] = c->delta[i] * runs;
	err = run(t, frame, build(&c->pkt, frame), runs, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, delta, why, sizeof(why));
	if (!err && r.ev.cnt)
		snprintf(why, sizeof(why), "%u runs, %u ns/packet in the kernel; %ld events consumed in %.0f ns each",
			 runs, r.duration, r.ev.cnt,
			 (double)r.consume_ns / r.ev.cnt);
	else if (!err)
		snprintf(why, sizeof(why), "%u runs, %u ns/packet in the kernel, no events",
			 runs, r.duration);
	report(t, name, err, why);
}

/* --- main -------------------------------------------------------------- */

/*
 * An object the verifier refuses (tests/reject.c reads the packet without
 * a bounds check): the load fails and the error carries the verifier's
 * own words about the offending instruction.
 */
static void test_verifier_reject(struct env *t)
{
	static struct ld_obj bad;
	char err[4096], *buf = NULL;
	long len = -1;
	FILE *f = fopen("build/reject.o", "rb");
	int ret, failed;

	if (f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 &&
	    (buf = malloc(len)) && !fseek(f, 0, SEEK_SET) &&
	    fread(buf, 1, len, f) != (size_t)len)
		len = -1;
	if (f)
		fclose(f);
	if (!buf || len <= 0) {
		report(t, "verifier_reject", 1, "cannot read build/reject.o");
		free(buf);
		return;
	}
	ret = ld_open(&bad, buf, len, NULL, err, sizeof(err));
	/* The verifier's words, and (from .BTF.ext line info) the source. */
	failed = !(ret == -EACCES || ret == -EINVAL) ||
		 !strstr(err, "cannot load program unchecked") ||
		 !strstr(err, "verifier says:") ||
		 !strstr(err, "invalid access to packet") ||
		 !strstr(err, "data[20] == 6") || bad.prog_fd != -1;
	if (!failed) {
		/* Passing, show the line that names the fault. */
		memmove(err, strstr(err, "invalid access"), strlen(strstr(err, "invalid access")) + 1);
		err[strcspn(err, "\n")] = 0;
	}
	report(t, "verifier_reject", failed, err);
	free(buf);
}

/*
 * The -c budget lives in .rodata (ti_budget, set before load) and is
 * counted in .bss (ti_taken): both prove the global-data relocations.
 * Five SYNs with a budget of 3: three events, two refused.
 */
static int setup(struct env *t, char *err, size_t err_len);

static int test_budget(void)
{
	static struct env b = { .rb.epfd = -1 };
	__u64 budget = 3, taken = 0;
	__u8 frame[FRAME_MAX];
	struct result r;
	char err[1024] = "";
	__u32 key = 0;
	size_t len = build(&cases[0].pkt, frame);
	int ret, bss;

	ret = ld_parse(&b.obj, ti_obj, ti_obj_end - ti_obj, err, sizeof(err));
	ret = ret ?: ld_set_var(&b.obj, TI_VAR_BUDGET, &budget, sizeof(budget),
				err, sizeof(err));
	ret = ret ?: ld_load(&b.obj, err, sizeof(err));
	if (!ret) {
		b.obj.prog_fd = ld_prog_fd(&b.obj, TI_PROG_SEC);
		ret = setup(&b, err, sizeof(err));
	}
	ret = ret ?: run(&b, frame, len, 5, &r);
	bss = ld_map_fd(&b.obj, ".bss");
	if (!ret && bss >= 0)
		ret = bpf_map_lookup_elem(bss, &key, &taken);
	if (ret)
		report(&b, "budget", 1, *err ? err : strerror(-ret));
	else
		report(&b, "budget", r.ev.cnt != 3 || r.delta[TI_CNT_TCP] != 5 ||
		       r.delta[TI_CNT_EMITTED] != 3 || r.delta[TI_CNT_BUDGET] != 2 ||
		       taken != 5 || r.retval != XDP_PASS,
		       "5 SYNs, budget 3 (.rodata): 3 events, 2 refused, .bss counter 5");
	rb_close(&b.rb);
	free(b.percpu);
	ld_close(&b.obj);
	if (b.failed)
		printf("  (got %ld events, deltas tcp %llu emitted %llu budget %llu, .bss %llu)\n",
		       r.ev.cnt, (unsigned long long)r.delta[TI_CNT_TCP],
		       (unsigned long long)r.delta[TI_CNT_EMITTED],
		       (unsigned long long)r.delta[TI_CNT_BUDGET],
		       (unsigned long long)taken);
	return b.failed;
}

static int setup(struct env *t, char *err, size_t err_len)
{
	int ev_idx, ret;

	t->cnt_fd = ld_map_fd(&t->obj, TI_MAP_COUNTERS);
	ev_idx = elf_find_map(&t->obj.elf, TI_MAP_EVENTS);
	if (t->cnt_fd < 0 || ev_idx < 0) {
		snprintf(err, err_len, "object lacks map %s or %s",
			 TI_MAP_COUNTERS, TI_MAP_EVENTS);
		return -ENOENT;
	}
	t->ncpu = possible_cpus();
	if (t->ncpu < 0) {
		snprintf(err, err_len, "cannot read the possible CPUs");
		return -EIO;
	}
	t->percpu = calloc(t->ncpu, sizeof(*t->percpu));
	if (!t->percpu) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	ret = rb_open(&t->rb, t->obj.map_fds[ev_idx],
		      t->obj.elf.maps[ev_idx].max_entries);
	if (ret)
		snprintf(err, err_len, "cannot map the ring buffer: %s",
			 strerror(-ret));
	return ret;
}

int main(void)
{
	static const struct tcase udp = {
		.pkt = TCP(ETH_P_IP, .l4_proto = IPPROTO_UDP), .delta = IGNORED };
	static struct env t = { .rb.epfd = -1 };
	char err[1024];
	size_t i;
	int ret;

	ret = ld_open(&t.obj, ti_obj, ti_obj_end - ti_obj, TI_PROG_SEC, err,
		      sizeof(err));
	if (ret == -EPERM) {
		printf("skip prog_test: needs root (CAP_BPF)\n");
		return 0;
	}
	if (ret) {
		printf("not ok load: %s\n", err);
		return 1;
	}
	ret = setup(&t, err, sizeof(err));
	if (ret) {
		printf("not ok setup: %s\n", err);
		t.failed = 1;
		goto out;
	}
	test_ctx(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_case(&t, &cases[i]);
	test_short_frame(&t);
	test_ring_full(&t);
	test_verifier_reject(&t);
	t.failed |= test_budget();
	test_perf(&t, "perf_udp", &udp, 1000000);
	test_perf(&t, "perf_tcp", &cases[0], 10000);
out:
	rb_close(&t.rb);
	free(t.percpu);
	ld_close(&t.obj);
	return t.failed;
}
