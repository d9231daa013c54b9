// SPDX-License-Identifier: GPL-2.0
/*
 * prog_test.c - BPF_PROG_TEST_RUN tests of the embedded XDP program.
 *
 * Loads the object inside the binary (embed.S) through insp_open(), as
 * the live capture does (budget and snap length in .rodata), feeds it
 * frames built byte by byte here (not from the kernel's structs, so the
 * test does not share the program's view of the wire) and checks, for
 * each run: the return code, the exact change of every per-CPU counter,
 * the number of records in the ring buffer, every field the event
 * decodes to (decode.c) and the frame bytes that follow it.  Then it fills the ring buffer
 * to check the lost-event path (with and without a budget) and prints
 * timing figures.  Then the table again, and the budget, for each
 * fallback (probe.h) as if the kernel lacked the feature: atomic fetch
 * (ti_fetch_add given its plain body), perf buffers (filled too, to check
 * the kernel's loss records against the program's count), and both
 * without BTF; their cases are named "nofetch/...", "perf/...",
 * "nofetch+perf-btf/...".
 *
 * Output: one line per case, "ok NAME[: note]", "not ok NAME: why" or
 * "skip NAME: why" (tests/run counts them).  Exit status 1 if a case
 * failed, else 0 (also when skipping for lack of privilege).
 */
#define _GNU_SOURCE	/* sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/perf_event.h>
#include "bpf.h"
#include "decode.h"
#include "inspector.h"
#include "loader.h"
#include "evbuf.h"
#include "probe.h"
#include "prog/tcpinspect.h"
#include "../wire.h"

#define FRAME_MAX	2048
#define LO_IFINDEX	1	/* loopback: test runs without ctx_in use it too */
#define EV_KEEP		4	/* records kept per run for field checks */
#define VLAN_MAX	3	/* tags a test frame may carry: one too many */
#define EXT_MAX		10	/* IPv6 extension headers a test frame may carry */
/* bpf_ktime_get_ns() is the NMI-safe fast clock: allow it a little skew. */
#define TS_SLACK_NS	1000000ull

/* IPv6 next header values (RFC 8200), written out: not the program's view. */
#define HBH		0	/* hop-by-hop options */
#define RTG		43	/* routing */
#define FRG		44	/* fragment */
#define DST		60	/* destination options */
#define NO_NEXT		59

/* What goes into one frame.  Zero fields take the default noted. */
struct pkt {
	__u16 eth_proto;	/* ETH_P_IP, ETH_P_IPV6 or ETH_P_ARP */
	__u16 vlan_proto[VLAN_MAX];	/* tags, outer first; 0 ends them */
	__u16 vlan_tci[VLAN_MAX];
	__u8 l4_proto;		/* what the last IP header names */
	__u8 version;		/* the IP header's version field; 0: 4 or 6 */
	/* IPv4 */
	__u8 ihl;		/* header words (NOP options past 5); 0: 5 */
	__u8 tos;
	__u16 ip_id;
	__u16 frag_off;		/* flags and fragment offset field */
	int ip_len_adj;		/* added to the IPv4/IPv6 length field */
	__u8 ttl;		/* or IPv6 hop limit */
	/* IPv6 */
	__u8 tclass;
	__u32 flow;		/* 20 bits */
	__u8 ext_cnt;		/* extension headers, in this order: */
	struct {
		__u8 type;	/* HBH, RTG, DST or FRG */
		__u8 len;	/* length field (8-byte units past the first) */
		__u16 frag;	/* fragment header: offset << 3 | M */
		__u32 id;	/* fragment header: identification */
	} ext[EXT_MAX];
	/* TCP (or UDP) */
	__u8 no_l4;		/* a later fragment: payload bytes only */
	__u8 doff;		/* TCP header words (options past 5); 0: 5 */
	__u8 tcp_flags;
	__u16 sport, dport, window, urg_ptr;
	__u32 seq, ack;
	__u8 opts_len;		/* options, then NOP-filled up to doff */
	__u8 opts[40];
	__u16 payload_len;
	__u8 head_len;		/* the payload starts with these bytes */
	__u8 head[16];
	__u16 cut_at;		/* the frame ends here (truncation); 0: whole */
	__u16 pad_to;		/* zero-padded to this length (Ethernet minimum) */
};

/* Where build() put things. */
struct layout {
	size_t len;		/* frame */
	size_t l3_off, l4_off;
	size_t hdr_end;		/* end of the TCP header (a later fragment: l4_off) */
	size_t ip_len;		/* as written in the IP header */
};

/* Event fields a row states outright; the rest follow from its pkt. */
struct want {
	__u8 ev_flags;
	__u8 vlan_cnt;
	__u16 vlan[TI_VLAN_MAX];
	__u8 ext_cnt;
	__u16 frag_off;		/* bytes */
	__u32 frag_id;
	__u16 l3_off, l4_off;	/* 0: where build() put the header */
};

/* One table row: a frame and what the program must make of it. */
struct tcase {
	const char *name;
	struct pkt pkt;
	__u64 delta[TI_CNT_MAX];	/* counter deltas; EMITTED = records */
	struct want want;
	__u32 snaplen;			/* loaded with (1, 64, TI_SNAP_MAX); 0: default */
	int check_opts;			/* pkt.opts at l4_off + 20 in the snap */
};

struct rec {
	struct ti_event e;
	__u8 snap[FRAME_MAX];
};

struct events {
	struct rec rec[EV_KEEP];
	long cnt;
	long bad_len;		/* records not sizeof(ti_event) + snap_len long */
	int padded;		/* perf samples: up to 7 bytes of padding after */
};

struct result {
	__u32 retval;
	__u32 duration;		/* kernel's mean ns per run */
	__u64 delta[TI_CNT_MAX];
	__u64 t0, t1;		/* CLOCK_MONOTONIC around the run */
	__u64 consume_ns;	/* time evb_consume() took */
	struct events ev;
};

/* One loaded copy of the program, configured as insp_open() was told. */
struct env {
	struct inspector in;
	struct evbuf eb;
	__u64 budget;
	__u32 snaplen;
	int open;
};

static int ncpu;		/* possible CPUs, from /sys */
static struct ti_counters *percpu;	/* ncpu values: the counters' lookup */
static int use_ctx;		/* pass a struct xdp_md as ctx_in */
static int failed;
static const char *pass_name = "";	/* "v2/": the fallback under test */

/* Sums over the table, for the filter and malformed summaries. */
static __u64 table_delta[TI_CNT_MAX];
static long table_events;

static const char *const cnt_names[TI_CNT_MAX] = {
	[TI_CNT_SEEN] = "seen", [TI_CNT_TCP] = "tcp",
	[TI_CNT_EMITTED] = "emitted", [TI_CNT_LOST] = "lost",
	[TI_CNT_MALFORMED] = "malformed", [TI_CNT_BAD_IHL] = "bad_ihl",
	[TI_CNT_BAD_DOFF] = "bad_doff", [TI_CNT_BAD_LEN] = "bad_len",
	[TI_CNT_TRUNCATED] = "truncated", [TI_CNT_BAD_EXT] = "bad_ext",
	[TI_CNT_BAD_VER] = "bad_version",
	[TI_CNT_BUDGET] = "budget", [TI_CNT_MATCHED] = "matched",
	[TI_CNT_FILTERED] = "filtered", [TI_CNT_FRAGMENT] = "fragment",
};

static const __u8 mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const __u8 ip4_src[4] = { 192, 0, 2, 1 };
static const __u8 ip4_dst[4] = { 198, 51, 100, 2 };
static const __u8 ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const __u8 ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* --- frames ------------------------------------------------------------ */

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

static int vlan_cnt(const struct pkt *p)
{
	int n = 0;

	while (n < VLAN_MAX && p->vlan_proto[n])
		n++;
	return n;
}

static size_t put_eth(const struct pkt *p, __u8 *b)
{
	size_t len = 12;
	int i;

	memcpy(b, mac_dst, 6);
	memcpy(b + 6, mac_src, 6);
	for (i = 0; i < vlan_cnt(p); i++) {
		put16(b + len, p->vlan_proto[i]);
		put16(b + len + 2, p->vlan_tci[i]);
		len += 4;
	}
	put16(b + len, p->eth_proto);
	return len + 2;
}

/* TCP header (options, then NOPs), UDP header or nothing; the payload. */
static size_t put_l4(const struct pkt *p, __u8 *b)
{
	size_t hlen = 0, i;

	if (p->no_l4) {
		hlen = 0;
	} else if (p->l4_proto == IPPROTO_UDP) {
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
		put16(b + 18, p->urg_ptr);
		memset(b + 20, 1, hlen - 20);	/* TCPOPT_NOP */
		memcpy(b + 20, p->opts, p->opts_len);
	}
	for (i = 0; i < p->payload_len; i++)
		b[hlen + i] = i < p->head_len ? p->head[i] : 'a' + i % 26;
	return hlen + p->payload_len;
}

static size_t put_ipv4(const struct pkt *p, __u8 *b, struct layout *l)
{
	size_t hlen = words_len(p->ihl), l4_len;

	memset(b + 20, 1, hlen - 20);	/* IPOPT_NOOP */
	l4_len = put_l4(p, b + hlen);
	b[0] = (p->version ? p->version : 4) << 4 | words(p->ihl);
	b[1] = p->tos;
	l->ip_len = hlen + l4_len + p->ip_len_adj;
	put16(b + 2, l->ip_len);
	put16(b + 4, p->ip_id);
	put16(b + 6, p->frag_off);
	b[8] = p->ttl;
	b[9] = p->l4_proto;
	put16(b + 10, 0);
	memcpy(b + 12, ip4_src, 4);
	memcpy(b + 16, ip4_dst, 4);
	put16(b + 10, csum_fold(csum_add(b, hlen, 0)));
	l->l4_off = l->l3_off + hlen;
	return hlen + l4_len;
}

/* Extension header i, naming next; returns its length. */
static size_t put_ext(const struct pkt *p, int i, __u8 next, __u8 *b)
{
	size_t len = (p->ext[i].len + 1) * 8u;

	b[0] = next;
	if (p->ext[i].type == FRG) {
		b[1] = 0;
		put16(b + 2, p->ext[i].frag);
		put32(b + 4, p->ext[i].id);
		return 8;
	}
	b[1] = p->ext[i].len;
	memset(b + 2, 0, len - 2);
	if (p->ext[i].type == RTG) {
		b[2] = 4;		/* segment routing, segments left 0 */
	} else {
		b[2] = 1;		/* PadN over the rest */
		b[3] = len - 4;
	}
	return len;
}

static size_t put_ipv6(const struct pkt *p, __u8 *b, struct layout *l)
{
	size_t ext_len = 0, l4_len;
	int i;

	for (i = 0; i < p->ext_cnt; i++)
		ext_len += put_ext(p, i, i + 1 < p->ext_cnt ?
				   p->ext[i + 1].type : p->l4_proto,
				   b + 40 + ext_len);
	l4_len = put_l4(p, b + 40 + ext_len);
	put32(b, (__u32)(p->version ? p->version : 6) << 28 | (__u32)p->tclass << 20 |
		 (p->flow & 0xfffff));
	put16(b + 4, ext_len + l4_len + p->ip_len_adj);
	b[6] = p->ext_cnt ? p->ext[0].type : p->l4_proto;
	b[7] = p->ttl;
	memcpy(b + 8, ip6_src, 16);
	memcpy(b + 24, ip6_dst, 16);
	l->ip_len = 40 + ext_len + l4_len + p->ip_len_adj;
	l->l4_off = l->l3_off + 40 + ext_len;
	return 40 + ext_len + l4_len;
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
static size_t build(const struct pkt *p, __u8 *f, struct layout *l)
{
	size_t len;

	memset(f, 0, FRAME_MAX);
	memset(l, 0, sizeof(*l));
	len = put_eth(p, f);
	l->l3_off = len;
	if (p->eth_proto == ETH_P_IP)
		len += put_ipv4(p, f + len, l);
	else if (p->eth_proto == ETH_P_IPV6)
		len += put_ipv6(p, f + len, l);
	else if (p->eth_proto == ETH_P_ARP)
		len += put_arp(f + len);
	l->hdr_end = l->l4_off + (p->no_l4 || p->l4_proto != IPPROTO_TCP ? 0 :
				  words_len(p->doff));
	if (p->cut_at)
		len = p->cut_at;
	if (len < p->pad_to)
		len = p->pad_to;
	l->len = len;
	return len;
}

/*
 * What the event of c's frame, loaded with snaplen, must decode to: the
 * bytes the snap length asks for, and at least every header.
 */
static void expect_event(const struct tcase *c, const struct layout *l,
			 __u32 snaplen, struct ti_view *e)
{
	const struct pkt *p = &c->pkt;
	int v6 = p->eth_proto == ETH_P_IPV6;

	memset(e, 0, sizeof(*e));
	e->ifindex = LO_IFINDEX;
	e->pkt_len = l->len;
	e->snap_len = l->len < snaplen ? l->len : snaplen;
	e->bytes_len = e->snap_len > l->hdr_end ? e->snap_len :
		       l->hdr_end < l->len ? l->hdr_end : l->len;
	memcpy(e->saddr, v6 ? ip6_src : ip4_src, v6 ? 16 : 4);
	memcpy(e->daddr, v6 ? ip6_dst : ip4_dst, v6 ? 16 : 4);
	if (!(c->want.ev_flags & TI_EV_FRAG)) {
		e->seq = p->seq;
		e->ack = p->ack;
		e->sport = p->sport;
		e->dport = p->dport;
		e->window = p->window;
		e->urg_ptr = p->urg_ptr;
		e->tcp_flags = p->tcp_flags;
		e->tcp_hlen = words(p->doff) * 4;
	}
	e->ip_len = l->ip_len;
	/* Past the headers, per the IP length: the frame may be cut. */
	e->payload_len = p->payload_len + p->ip_len_adj;
	e->flow_label = v6 ? p->flow : 0;
	e->frag_id = c->want.frag_id;
	e->vlan[0] = c->want.vlan[0];
	e->vlan[1] = c->want.vlan[1];
	e->ip_id = v6 ? 0 : p->ip_id;
	e->frag_off = c->want.frag_off;
	e->l3_off = c->want.l3_off ? c->want.l3_off : l->l3_off;
	e->l4_off = c->want.l4_off ? c->want.l4_off : l->l4_off;
	e->family = v6 ? 6 : 4;
	e->ev_flags = c->want.ev_flags;
	e->ttl = p->ttl;
	e->tos = v6 ? p->tclass : p->tos;
	e->vlan_cnt = c->want.vlan_cnt;
	e->ext_cnt = c->want.ext_cnt;
}

/* --- the table --------------------------------------------------------- */

/*
 * A SYN 192.0.2.1:51234 -> 198.51.100.2:80 (or the IPv6 addresses), TTL
 * 64, IP id 0x1234; rows override fields.  Overriding an initializer is
 * the point here.
 */
#pragma GCC diagnostic ignored "-Woverride-init"
#define TCP(proto, ...) { .eth_proto = proto, .l4_proto = IPPROTO_TCP, \
	.sport = 51234, .dport = 80, .seq = 123, .window = 64240, \
	.tcp_flags = TI_TCP_SYN, .ttl = 64, .ip_id = 0x1234, __VA_ARGS__ }
#define TCP4(...)	TCP(ETH_P_IP, __VA_ARGS__)
#define TCP6(...)	TCP(ETH_P_IPV6, __VA_ARGS__)

#define EMITTED		{ [TI_CNT_SEEN] = 1, [TI_CNT_TCP] = 1, \
			  [TI_CNT_MATCHED] = 1, [TI_CNT_EMITTED] = 1 }
#define FRAG_EMITTED	{ [TI_CNT_SEEN] = 1, [TI_CNT_FRAGMENT] = 1, \
			  [TI_CNT_MATCHED] = 1, [TI_CNT_EMITTED] = 1 }
#define IGNORED		{ [TI_CNT_SEEN] = 1 }
/* A malformed packet is counted by reason, offered to the filter and,
 * matched, sent (with its reason and its whole frame). */
#define MALFORMED(why)	{ [TI_CNT_SEEN] = 1, [TI_CNT_MALFORMED] = 1, [why] = 1, \
			  [TI_CNT_MATCHED] = 1, [TI_CNT_EMITTED] = 1 }

#define ACK_PSH		(TI_TCP_ACK | TI_TCP_PSH)
#define IP_DF		0x4000
#define IP_MF		0x2000
#define EXT(t, l)	{ .type = t, .len = l }
#define FRAG6(off, m, i) { .type = FRG, .frag = (off) | (m), .id = i }
#define DST8		EXT(DST, 0)

/* mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7: doff 10. */
#define SYN_OPTS	.doff = 10, .opts_len = 20, .opts = { 2, 4, 0x05, 0xb4, \
	4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 }

static const struct tcase cases[] = {
	/* Plain TCP, both families. */
	{ .name = "ipv4_syn", .pkt = TCP4(), .delta = EMITTED,
	  .want = { .l3_off = 14, .l4_off = 34 } },
	{ .name = "ipv4_options_ack_psh_payload",
	  .pkt = TCP4(.ihl = 7, .doff = 8, .frag_off = IP_DF,
		      .tcp_flags = ACK_PSH, .sport = 80, .dport = 51234,
		      .seq = 0xfedcba98, .ack = 124, .window = 509,
		      .payload_len = 10),
	  .delta = EMITTED,
	  .want = { .ev_flags = TI_EV_DF, .l3_off = 14, .l4_off = 42 } },
	{ .name = "ipv4_ttl_tos_id_df",
	  .pkt = TCP4(.ttl = 1, .tos = 0xb8, .ip_id = 0xbeef,
		      .frag_off = IP_DF),
	  .delta = EMITTED, .want = { .ev_flags = TI_EV_DF } },
	{ .name = "ipv4_id_0_ttl_255",
	  .pkt = TCP4(.ttl = 255, .ip_id = 0, .tos = 0x03),
	  .delta = EMITTED },
	{ .name = "ipv4_urg",
	  .pkt = TCP4(.tcp_flags = TI_TCP_URG | ACK_PSH, .urg_ptr = 0x1234,
		      .ack = 1, .payload_len = 5),
	  .delta = EMITTED },
	{ .name = "all_tcp_flags",
	  .pkt = TCP4(.tcp_flags = 0xff, .urg_ptr = 1), .delta = EMITTED },
	{ .name = "ecn_flags_ece_cwr",
	  .pkt = TCP4(.tcp_flags = TI_TCP_SYN | TI_TCP_ECE | TI_TCP_CWR),
	  .delta = EMITTED },
	{ .name = "ipv6_fin_ack",
	  .pkt = TCP6(.tcp_flags = TI_TCP_FIN | TI_TCP_ACK, .seq = 4000,
		      .ack = 0x80000001, .window = 1, .payload_len = 7),
	  .delta = EMITTED, .want = { .l3_off = 14, .l4_off = 54 } },
	{ .name = "ipv6_flow_tclass_hop_limit",
	  .pkt = TCP6(.tclass = 0xb8, .flow = 0xabcde, .ttl = 3),
	  .delta = EMITTED },
	{ .name = "ipv6_flow_max_tclass_ff",
	  .pkt = TCP6(.tclass = 0xff, .flow = 0xfffff, .ttl = 255),
	  .delta = EMITTED },

	/* VLAN tags: only the 12-bit ids come out, outer first. */
	{ .name = "vlan_8021q_priority",	/* PCP 5 */
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021Q }, .vlan_tci = { 0xa064 }),
	  .delta = EMITTED,
	  .want = { .vlan_cnt = 1, .vlan = { 100 }, .l3_off = 18, .l4_off = 38 } },
	{ .name = "vlan_8021ad_ipv6",		/* PCP 7, DEI */
	  .pkt = TCP6(.vlan_proto = { ETH_P_8021AD }, .vlan_tci = { 0xf0c8 }),
	  .delta = EMITTED,
	  .want = { .vlan_cnt = 1, .vlan = { 200 }, .l3_off = 18, .l4_off = 58 } },
	{ .name = "vlan_id_0_and_4095",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021Q, ETH_P_8021Q },
		      .vlan_tci = { 0xe000, 0x1fff }),
	  .delta = EMITTED,
	  .want = { .vlan_cnt = 2, .vlan = { 0, 4095 }, .l3_off = 22,
		    .l4_off = 42 } },
	{ .name = "qinq_ipv4_options",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021AD, ETH_P_8021Q },
		      .vlan_tci = { 0x2064, 0xe0c8 }, .ihl = 6),
	  .delta = EMITTED,
	  .want = { .vlan_cnt = 2, .vlan = { 100, 200 }, .l3_off = 22,
		    .l4_off = 46 } },
	{ .name = "qinq_ipv6_hop_by_hop",
	  .pkt = TCP6(.vlan_proto = { ETH_P_8021AD, ETH_P_8021Q },
		      .vlan_tci = { 10, 20 }, .ext_cnt = 1,
		      .ext = { EXT(HBH, 0) }),
	  .delta = EMITTED,
	  .want = { .vlan_cnt = 2, .vlan = { 10, 20 }, .ext_cnt = 1,
		    .l3_off = 22, .l4_off = 70 } },
	{ .name = "three_vlan_tags_not_decoded",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021AD, ETH_P_8021Q, ETH_P_8021Q },
		      .vlan_tci = { 1, 2, 3 }),
	  .delta = IGNORED },
	{ .name = "vlan_tag_cut",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021Q }, .vlan_tci = { 100 },
		      .cut_at = 14 + 2),
	  .delta = IGNORED },
	{ .name = "qinq_inner_tag_cut",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021AD, ETH_P_8021Q },
		      .vlan_tci = { 100, 200 }, .cut_at = 14 + 4 + 2),
	  .delta = IGNORED },
	{ .name = "vlan_arp",
	  .pkt = { .eth_proto = ETH_P_ARP, .vlan_proto = { ETH_P_8021Q },
		   .vlan_tci = { 5 } },
	  .delta = IGNORED },

	/* IPv4 fragments: the first is TCP, later ones never are. */
	{ .name = "ipv4_first_fragment",
	  .pkt = TCP4(.frag_off = IP_MF, .payload_len = 8), .delta = EMITTED,
	  .want = { .ev_flags = TI_EV_MF } },
	{ .name = "ipv4_later_fragment",
	  .pkt = TCP4(.frag_off = IP_MF | 185, .no_l4 = 1, .payload_len = 48),
	  .delta = FRAG_EMITTED,
	  .want = { .ev_flags = TI_EV_FRAG | TI_EV_MF, .frag_off = 1480,
		    .l4_off = 34 } },
	/* Payload bytes that would read as a SYN to port 80 with doff 0. */
	{ .name = "ipv4_later_fragment_not_misread",
	  .pkt = TCP4(.frag_off = IP_DF | 3, .no_l4 = 1, .payload_len = 24,
		      .vlan_proto = { ETH_P_8021Q }, .vlan_tci = { 7 }, .ihl = 6,
		      .head_len = 14, .head = { 0, 80, 0, 80, [12] = 0, 2 }),
	  .delta = FRAG_EMITTED,
	  .want = { .ev_flags = TI_EV_FRAG | TI_EV_DF, .frag_off = 24,
		    .vlan_cnt = 1, .vlan = { 7 }, .l3_off = 18, .l4_off = 42 } },
	{ .name = "ipv4_last_fragment_high_offset",
	  .pkt = TCP4(.frag_off = 0x1fff, .no_l4 = 1, .payload_len = 4),
	  .delta = FRAG_EMITTED,
	  .want = { .ev_flags = TI_EV_FRAG, .frag_off = 65528 } },
	{ .name = "ipv4_later_fragment_udp",
	  .pkt = TCP4(.l4_proto = IPPROTO_UDP, .frag_off = 185, .no_l4 = 1,
		      .payload_len = 40),
	  .delta = IGNORED },

	/* IPv6 extension headers. */
	{ .name = "ipv6_hbh_dst_routing_chain",
	  .pkt = TCP6(.ext_cnt = 3,
		      .ext = { EXT(HBH, 0), EXT(DST, 1), EXT(RTG, 2) },
		      .payload_len = 3),
	  .delta = EMITTED, .want = { .ext_cnt = 3, .l4_off = 14 + 40 + 48 } },
	{ .name = "ipv6_8_ext_headers_then_tcp",
	  .pkt = TCP6(.ext_cnt = 8, .ext = { DST8, DST8, DST8, DST8, DST8,
					     DST8, DST8, DST8 }),
	  .delta = EMITTED, .want = { .ext_cnt = 8, .l4_off = 14 + 40 + 64 } },
	{ .name = "ipv6_first_fragment",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(0, 1, 0xdeadbeef) },
		      .tcp_flags = TI_TCP_ACK, .payload_len = 16),
	  .delta = EMITTED,
	  .want = { .ev_flags = TI_EV_V6FRAG | TI_EV_MF, .frag_id = 0xdeadbeef,
		    .ext_cnt = 1, .l4_off = 14 + 40 + 8 } },
	{ .name = "ipv6_atomic_fragment",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(0, 0, 7) }),
	  .delta = EMITTED,
	  .want = { .ev_flags = TI_EV_V6FRAG, .frag_id = 7, .ext_cnt = 1 } },
	{ .name = "ipv6_hbh_fragment_dst_first_fragment",
	  .pkt = TCP6(.ext_cnt = 3,
		      .ext = { EXT(HBH, 0), FRAG6(0, 1, 0x01020304), EXT(DST, 0) }),
	  .delta = EMITTED,
	  .want = { .ev_flags = TI_EV_V6FRAG | TI_EV_MF, .frag_id = 0x01020304,
		    .ext_cnt = 3, .l4_off = 14 + 40 + 24 } },
	{ .name = "ipv6_later_fragment",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(1448, 1, 0xcafe) },
		      .no_l4 = 1, .payload_len = 40),
	  .delta = FRAG_EMITTED,
	  .want = { .ev_flags = TI_EV_FRAG | TI_EV_V6FRAG | TI_EV_MF,
		    .frag_off = 1448, .frag_id = 0xcafe, .ext_cnt = 1,
		    .l4_off = 14 + 40 + 8 } },
	{ .name = "ipv6_last_fragment_after_hbh",
	  .pkt = TCP6(.ext_cnt = 2, .ext = { EXT(HBH, 0), FRAG6(0xfff8, 0, 1) },
		      .no_l4 = 1, .payload_len = 9),
	  .delta = FRAG_EMITTED,
	  .want = { .ev_flags = TI_EV_FRAG | TI_EV_V6FRAG, .frag_off = 0xfff8,
		    .frag_id = 1, .ext_cnt = 2, .l4_off = 14 + 40 + 16 } },
	{ .name = "ipv6_udp_after_hbh",
	  .pkt = TCP6(.l4_proto = IPPROTO_UDP, .ext_cnt = 1,
		      .ext = { EXT(HBH, 0) }, .payload_len = 8),
	  .delta = IGNORED },
	{ .name = "ipv6_no_next_header",
	  .pkt = TCP6(.l4_proto = NO_NEXT, .ext_cnt = 1, .ext = { EXT(DST, 0) },
		      .no_l4 = 1),
	  .delta = IGNORED },
	/* Eight headers followed: the chain ended, at UDP. */
	{ .name = "ipv6_8_ext_headers_then_udp",
	  .pkt = TCP6(.l4_proto = IPPROTO_UDP, .ext_cnt = 8,
		      .ext = { DST8, DST8, DST8, DST8, DST8, DST8, DST8, DST8 }),
	  .delta = IGNORED },
	/*
	 * What follows the fragment header of a later fragment is data
	 * (the fragmentable part), whatever the next header field says.
	 */
	{ .name = "ipv6_later_fragment_data_not_parsed_as_headers",
	  .pkt = TCP6(.l4_proto = DST, .ext_cnt = 1,
		      .ext = { FRAG6(1448, 1, 9) }, .no_l4 = 1,
		      .payload_len = 32, .head_len = 2, .head = { HBH, 200 }),
	  .delta = IGNORED },
	{ .name = "ipv6_later_fragment_data_not_taken_for_tcp",
	  .pkt = TCP6(.l4_proto = DST, .ext_cnt = 1,
		      .ext = { FRAG6(1448, 1, 9) }, .no_l4 = 1,
		      .payload_len = 32, .head_len = 2,
		      .head = { IPPROTO_TCP, 0 }),
	  .delta = IGNORED },

	/* Frame and IP length. */
	{ .name = "ethernet_padding",	/* 54-byte ACK padded to 60 */
	  .pkt = TCP4(.tcp_flags = TI_TCP_ACK, .pad_to = 60),
	  .delta = EMITTED },
	/* payload_len comes from the IP header, not from the frame length. */
	{ .name = "payload_len_from_ip_header",
	  .pkt = TCP4(.tcp_flags = ACK_PSH, .payload_len = 100,
		      .cut_at = 14 + 20 + 20 + 10),
	  .delta = EMITTED },
	{ .name = "ipv6_payload_len_from_ip_header",
	  .pkt = TCP6(.tcp_flags = ACK_PSH, .payload_len = 1000,
		      .ext_cnt = 1, .ext = { EXT(HBH, 0) },
		      .cut_at = 14 + 40 + 8 + 20 + 1),
	  .delta = EMITTED, .want = { .ext_cnt = 1 } },

	/* Snap bytes: min(snaplen, frame), the frame's first bytes. */
	{ .name = "snap64_short_frame", .pkt = TCP4(), .delta = EMITTED,
	  .snaplen = 64 },
	{ .name = "snap64_long_frame",
	  .pkt = TCP4(.tcp_flags = ACK_PSH, .payload_len = 146),
	  .delta = EMITTED, .snaplen = 64 },
	{ .name = "snap64_ipv6_later_fragment",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(8, 0, 2) }, .no_l4 = 1,
		      .payload_len = 100),
	  .delta = FRAG_EMITTED, .snaplen = 64,
	  .want = { .ev_flags = TI_EV_FRAG | TI_EV_V6FRAG, .frag_off = 8,
		    .frag_id = 2, .ext_cnt = 1 } },
	{ .name = "snap1_minimum", .pkt = TCP4(), .delta = EMITTED,
	  .snaplen = 1 },
	{ .name = "snap_default_padded_60",
	  .pkt = TCP4(.tcp_flags = TI_TCP_ACK, .pad_to = 60),
	  .delta = EMITTED },
	{ .name = "snap_default_300",
	  .pkt = TCP4(.tcp_flags = ACK_PSH, .payload_len = 246),
	  .delta = EMITTED },
	{ .name = "snapmax_1500",
	  .pkt = TCP4(.tcp_flags = ACK_PSH, .payload_len = 1446),
	  .delta = EMITTED, .snaplen = TI_SNAP_MAX },
	{ .name = "snapmax_qinq_ipv6_1500",
	  .pkt = TCP6(.vlan_proto = { ETH_P_8021AD, ETH_P_8021Q },
		      .vlan_tci = { 1, 2 }, .tcp_flags = ACK_PSH,
		      .payload_len = 1500 - 22 - 40 - 20),
	  .delta = EMITTED, .snaplen = TI_SNAP_MAX,
	  .want = { .vlan_cnt = 2, .vlan = { 1, 2 } } },
	{ .name = "tcp_options_in_snap",
	  .pkt = TCP4(SYN_OPTS), .delta = EMITTED, .check_opts = 1,
	  .want = { .l4_off = 34 } },
	{ .name = "tcp_options_in_snap_ipv6_vlan",
	  .pkt = TCP6(SYN_OPTS, .vlan_proto = { ETH_P_8021Q },
		      .vlan_tci = { 42 }, .ext_cnt = 1, .ext = { EXT(DST, 0) }),
	  .delta = EMITTED, .check_opts = 1,
	  .want = { .vlan_cnt = 1, .vlan = { 42 }, .ext_cnt = 1,
		    .l4_off = 18 + 40 + 8 } },

	/* Not TCP: seen, nothing else. */
	{ .name = "udp",
	  .pkt = TCP4(.l4_proto = IPPROTO_UDP, .payload_len = 12),
	  .delta = IGNORED },
	{ .name = "ipv6_udp",
	  .pkt = TCP6(.l4_proto = IPPROTO_UDP, .payload_len = 12),
	  .delta = IGNORED },
	{ .name = "arp", .pkt = { .eth_proto = ETH_P_ARP }, .delta = IGNORED },

	/* Malformed, by reason: once under it and once in the total. */
	{ .name = "ipv4_header_missing",
	  .pkt = TCP4(.cut_at = 14), .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv4_header_cut",	/* before the protocol byte */
	  .pkt = TCP4(.cut_at = 14 + 8), .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv4_header_cut_after_vlan",
	  .pkt = TCP4(.vlan_proto = { ETH_P_8021Q }, .vlan_tci = { 1 },
		      .cut_at = 18 + 19),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_header_cut",
	  .pkt = TCP6(.cut_at = 14 + 39), .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "tcp_header_cut",
	  .pkt = TCP4(.cut_at = 14 + 20 + 10),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_tcp_header_cut",
	  .pkt = TCP6(.cut_at = 14 + 40 + 19),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	/* IHL 15: the TCP header would start past the end of the frame. */
	{ .name = "ipv4_options_cut",
	  .pkt = TCP4(.ihl = 15, .cut_at = 14 + 40),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	/* The IP header is cut whatever it carries. */
	{ .name = "ipv4_options_cut_udp",
	  .pkt = TCP4(.l4_proto = IPPROTO_UDP, .ihl = 15, .cut_at = 14 + 40),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	/* doff 15, and the frame ends after 20 of its 60 bytes. */
	{ .name = "tcp_options_cut",
	  .pkt = TCP4(.doff = 15, .cut_at = 14 + 20 + 20),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_ext_header_cut",	/* inside its first two bytes */
	  .pkt = TCP6(.ext_cnt = 1, .ext = { EXT(HBH, 0) }, .cut_at = 14 + 41),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_second_ext_header_cut",
	  .pkt = TCP6(.ext_cnt = 2, .ext = { EXT(HBH, 0), EXT(RTG, 1) },
		      .cut_at = 14 + 40 + 8 + 1),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_fragment_header_cut",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(0, 1, 1) },
		      .cut_at = 14 + 40 + 7),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	/* The frame ends inside the option bytes of a hop-by-hop header. */
	{ .name = "ipv6_ext_header_body_cut_tcp",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { EXT(HBH, 1) },
		      .cut_at = 14 + 40 + 10),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_ext_header_body_cut_udp",
	  .pkt = TCP6(.l4_proto = IPPROTO_UDP, .ext_cnt = 1,
		      .ext = { EXT(HBH, 1) }, .cut_at = 14 + 40 + 10),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "ipv6_first_fragment_tcp_cut",
	  .pkt = TCP6(.ext_cnt = 1, .ext = { FRAG6(0, 1, 1) },
		      .cut_at = 14 + 40 + 8 + 12),
	  .delta = MALFORMED(TI_CNT_TRUNCATED) },
	{ .name = "tcp_doff_4",
	  .pkt = TCP4(.doff = 4), .delta = MALFORMED(TI_CNT_BAD_DOFF) },
	{ .name = "ipv6_tcp_doff_1_after_ext",
	  .pkt = TCP6(.doff = 1, .ext_cnt = 1, .ext = { EXT(DST, 0) }),
	  .delta = MALFORMED(TI_CNT_BAD_DOFF) },
	{ .name = "ipv4_ihl_4",
	  .pkt = TCP4(.ihl = 4), .delta = MALFORMED(TI_CNT_BAD_IHL) },
	{ .name = "ipv4_ihl_1_udp",
	  .pkt = TCP4(.ihl = 1, .l4_proto = IPPROTO_UDP),
	  .delta = MALFORMED(TI_CNT_BAD_IHL) },
	{ .name = "ipv4_total_len_below_ihl",
	  .pkt = TCP4(.ip_len_adj = -30), .delta = MALFORMED(TI_CNT_BAD_LEN) },
	{ .name = "ipv4_total_len_below_tcp_header",
	  .pkt = TCP4(.ip_len_adj = -1), .delta = MALFORMED(TI_CNT_BAD_LEN) },
	{ .name = "ipv4_total_len_below_tcp_options",
	  .pkt = TCP4(SYN_OPTS, .ip_len_adj = -4),
	  .delta = MALFORMED(TI_CNT_BAD_LEN) },
	{ .name = "ipv6_payload_len_below_tcp_header",
	  .pkt = TCP6(.ip_len_adj = -1), .delta = MALFORMED(TI_CNT_BAD_LEN) },
	{ .name = "ipv6_payload_len_below_ext_and_tcp",
	  .pkt = TCP6(.ext_cnt = 2, .ext = { EXT(HBH, 0), EXT(DST, 1) },
		      .ip_len_adj = -21),
	  .delta = MALFORMED(TI_CNT_BAD_LEN) },
	{ .name = "ipv6_9_ext_headers",
	  .pkt = TCP6(.ext_cnt = 9, .ext = { DST8, DST8, DST8, DST8, DST8,
					     DST8, DST8, DST8, DST8 }),
	  .delta = MALFORMED(TI_CNT_BAD_EXT) },
	{ .name = "ipv6_10_ext_headers_with_fragment",
	  .pkt = TCP6(.ext_cnt = 10,
		      .ext = { EXT(HBH, 0), DST8, EXT(RTG, 0), FRAG6(0, 1, 1),
			       DST8, DST8, DST8, DST8, DST8, DST8 }),
	  .delta = MALFORMED(TI_CNT_BAD_EXT) },
	/* The IP version field against the ethertype: never decoded. */
	{ .name = "ipv4_ethertype_version_6",
	  .pkt = TCP4(.version = 6), .delta = MALFORMED(TI_CNT_BAD_VER) },
	{ .name = "ipv6_ethertype_version_4",
	  .pkt = TCP6(.version = 4), .delta = MALFORMED(TI_CNT_BAD_VER) },
	/* A malformed packet's event carries its whole frame. */
	{ .name = "malformed_whole_frame_past_snap",
	  .pkt = TCP4(.tcp_flags = ACK_PSH, .doff = 3, .payload_len = 400),
	  .delta = MALFORMED(TI_CNT_BAD_DOFF), .snaplen = 64 },
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

/*
 * Sum every counter over the CPUs ourselves (not insp_counters(), which
 * hides a failed lookup and counts the CPUs its own way), and make the
 * three sums the program leaves to user space (prog/tcpinspect.h).
 */
static int read_counters(const struct env *t, __u64 *sum)
{
	__u32 key = 0, i;
	int cpu, ret;

	ret = bpf_map_lookup_elem(t->in.counters_fd, &key, percpu);
	if (ret)
		return ret;
	for (i = 0; i < TI_CNT_MAX; i++) {
		sum[i] = 0;
		for (cpu = 0; cpu < ncpu; cpu++)
			sum[i] += percpu[cpu].n[i];
	}
	if (sum[TI_CNT_MALFORMED] || sum[TI_CNT_FILTERED])
		return -EPROTO;		/* slots the program must leave alone */
	sum[TI_CNT_MALFORMED] = sum[TI_CNT_BAD_IHL] + sum[TI_CNT_BAD_DOFF] +
				sum[TI_CNT_BAD_LEN] + sum[TI_CNT_TRUNCATED] +
				sum[TI_CNT_BAD_EXT] + sum[TI_CNT_BAD_VER];
	sum[TI_CNT_SEEN] += sum[TI_CNT_TCP] + sum[TI_CNT_FRAGMENT] + sum[TI_CNT_MALFORMED];
	sum[TI_CNT_FILTERED] = sum[TI_CNT_TCP] + sum[TI_CNT_FRAGMENT] +
			       sum[TI_CNT_MALFORMED] - sum[TI_CNT_MATCHED];
	return 0;
}

static int on_event(void *arg, const void *rec, __u32 len)
{
	struct events *ev = arg;
	struct ti_event e;

	if (len < sizeof(e)) {
		ev->bad_len++;
	} else {
		memcpy(&e, rec, sizeof(e));
		if (len < sizeof(e) + e.snap_len ||
		    len > sizeof(e) + e.snap_len + (ev->padded ? 7 : 0) ||
		    e.snap_len > FRAME_MAX)
			ev->bad_len++;
		else if (ev->cnt < EV_KEEP)
			memcpy(&ev->rec[ev->cnt], rec, sizeof(e) + e.snap_len);
	}
	ev->cnt++;
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
	r->ev.padded = t->in.perf;
	if (use_ctx) {
		tr.ctx_in = &md;
		tr.ctx_len_in = sizeof(md);
	}
	ret = read_counters(t, before);
	if (ret)
		return ret;
	r->t0 = now_ns();
	ret = bpf_prog_test_run(t->in.prog_fd, &tr);
	r->t1 = now_ns();
	evb_consume(&t->eb, on_event, &r->ev, &stopped);
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

static void report(const char *name, int bad, const char *why)
{
	if (bad) {
		printf("not ok %s%s: %s\n", pass_name, name, why);
		failed = 1;
	} else {
		printf("ok %s%s%s%s\n", pass_name, name, *why ? ": " : "", why);
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
	char g[192], w[192];

	if (!memcmp(got, want, TI_CNT_MAX * sizeof(*got)))
		return 0;
	return fail(why, why_len, "counters %s, want %s",
		    fmt_deltas(g, sizeof(g), got), fmt_deltas(w, sizeof(w), want));
}

/*
 * The record as sent (what the program says itself), every field it
 * decodes to (decode.c reads them from the bytes, as the output does),
 * then the bytes against the frame.
 */
static int check_event(const struct rec *got, const struct ti_view *want,
		       const __u8 *frame, const struct result *r, char *why,
		       size_t why_len)
{
	const struct ti_event *raw = &got->e;
	struct ti_view v, *e = &v;
	size_t i;

	if (raw->verdict || raw->reason || raw->cap_len != want->snap_len ||
	    (raw->ev_flags & TI_EV_FRAG) != (want->ev_flags & TI_EV_FRAG))
		return fail(why, why_len, "record: verdict %u, reason %u, cap_len %u (want %u), ev_flags %#x",
			    raw->verdict, raw->reason, raw->cap_len, want->snap_len, raw->ev_flags);
	if (ev_decode(got, sizeof(*raw) + raw->snap_len, &v))
		return fail(why, why_len, "the record does not decode (l3_off %u, l4_off %u, %u bytes)",
			    raw->l3_off, raw->l4_off, raw->snap_len);
#define F(f) { #f, e->f, want->f }
	const struct {
		const char *name;
		unsigned long long got, want;
	} f[] = {
		F(ifindex), F(rx_queue), F(pkt_len), F(snap_len), F(bytes_len), F(seq),
		F(ack), F(ip_len), F(payload_len), F(flow_label), F(frag_id),
		F(sport), F(dport), F(window), F(urg_ptr), F(vlan[0]),
		F(vlan[1]), F(ip_id), F(frag_off), F(l3_off), F(l4_off),
		F(family), F(tcp_flags), F(tcp_hlen), F(ev_flags), F(ttl),
		F(tos), F(vlan_cnt), F(ext_cnt),
	};
#undef F

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].got != f[i].want)
			return fail(why, why_len, "event %s %llu (%#llx), want %llu (%#llx)",
				    f[i].name, f[i].got, f[i].got, f[i].want,
				    f[i].want);
	if (memcmp(e->saddr, want->saddr, 16))
		return fail(why, why_len, "event saddr differs");
	if (memcmp(e->daddr, want->daddr, 16))
		return fail(why, why_len, "event daddr differs");
	if (e->ts_ns + TS_SLACK_NS < r->t0 || e->ts_ns > r->t1 + TS_SLACK_NS)
		return fail(why, why_len, "event ts_ns %llu not within 1 ms of the run [%llu, %llu]",
			    (unsigned long long)e->ts_ns,
			    (unsigned long long)r->t0,
			    (unsigned long long)r->t1);
	for (i = 0; i < e->bytes_len; i++)
		if (got->snap[i] != frame[i])
			return fail(why, why_len, "snap byte %zu is %#x, frame has %#x",
				    i, got->snap[i], frame[i]);
	return 0;
}

/*
 * A malformed packet's record: its reason, the whole frame (up to
 * TI_SNAP_MAX) whatever the snap length, cap_len as the snap length
 * asks, the family the ethertype names; and it decodes.
 */
static int check_malformed(const struct tcase *c, const struct rec *got,
			   const __u8 *frame, size_t len, __u32 snaplen,
			   char *why, size_t why_len)
{
	const struct ti_event *raw = &got->e;
	struct ti_view v;
	__u8 reason = 0;
	size_t i;

	for (i = TI_CNT_BAD_IHL; i <= TI_CNT_BAD_VER; i++)
		if (c->delta[i])
			reason = i;
	if (raw->reason != reason)
		return fail(why, why_len, "reason %u, want %u", raw->reason, reason);
	if (raw->snap_len != (len < TI_SNAP_MAX ? len : TI_SNAP_MAX) ||
	    raw->cap_len != (len < snaplen ? len : snaplen) || raw->pkt_len != len)
		return fail(why, why_len, "snap_len %u, cap_len %u, pkt_len %u for a %zu-byte frame at snap length %u",
			    raw->snap_len, raw->cap_len, raw->pkt_len, len, snaplen);
	if (raw->family != (c->pkt.eth_proto == ETH_P_IPV6 ? 6 : 4) || raw->verdict)
		return fail(why, why_len, "family %u, verdict %u", raw->family, raw->verdict);
	if (memcmp(got->snap, frame, raw->snap_len))
		return fail(why, why_len, "the bytes are not the frame's");
	if (ev_decode(got, sizeof(*raw) + raw->snap_len, &v) || v.reason != reason)
		return fail(why, why_len, "the record does not decode");
	return 0;
}

/* Checks common to every run: return code, counters, record count. */
static int check_run(const struct result *r, const __u64 *want_delta,
		     char *why, size_t why_len)
{
	if (r->retval != XDP_PASS)
		return fail(why, why_len, "retval %u, want XDP_PASS", r->retval);
	if (check_deltas(r->delta, want_delta, why, why_len))
		return -1;
	if (r->ev.bad_len)
		return fail(why, why_len, "%ld records not sizeof(struct ti_event) + snap_len long",
			    r->ev.bad_len);
	if ((__u64)r->ev.cnt != want_delta[TI_CNT_EMITTED])
		return fail(why, why_len, "%ld records in the ring buffer, want %llu",
			    r->ev.cnt,
			    (unsigned long long)want_delta[TI_CNT_EMITTED]);
	return 0;
}

/* The TCP options, where output.c will look for them. */
static int check_opts(const struct tcase *c, const struct rec *got,
		      char *why, size_t why_len)
{
	size_t off = got->e.l4_off + 20;

	if (off + c->pkt.opts_len > got->e.snap_len)
		return fail(why, why_len, "options end at %zu, past the %u snapped bytes",
			    off + c->pkt.opts_len, got->e.snap_len);
	if (memcmp(got->snap + off, c->pkt.opts, c->pkt.opts_len))
		return fail(why, why_len, "snap at l4_off + 20 is not the options");
	return 0;
}

static void test_case(struct env *t, const struct tcase *c)
{
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct ti_view want;
	struct layout l;
	char why[256] = "";
	size_t len = build(&c->pkt, frame, &l);
	int err, i;

	err = run(t, frame, len, 1, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, c->delta, why, sizeof(why));
	if (!err && r.ev.cnt && c->delta[TI_CNT_MALFORMED]) {
		err = check_malformed(c, &r.ev.rec[0], frame, len, t->snaplen, why,
				      sizeof(why));
	} else if (!err && r.ev.cnt) {
		expect_event(c, &l, t->snaplen, &want);
		err = check_event(&r.ev.rec[0], &want, frame, &r, why,
				  sizeof(why));
	}
	if (!err && c->check_opts)
		err = check_opts(c, &r.ev.rec[0], why, sizeof(why));
	if (!err && r.ev.cnt)
		snprintf(why, sizeof(why), "%u+%u bytes", (unsigned)sizeof(struct ti_event),
			 r.ev.rec[0].e.snap_len);
	for (i = 0; i < TI_CNT_MAX; i++)
		table_delta[i] += r.delta[i];
	table_events += r.ev.cnt;
	report(c->name, err, why);
}

/*
 * The placeholder filter accepts all: every decoded segment or later
 * fragment is matched and emitted, nothing is filtered out.  And every
 * malformed packet was counted under exactly one reason.
 */
static void test_table_sums(void)
{
	const __u64 *d = table_delta;
	__u64 reasons = d[TI_CNT_BAD_IHL] + d[TI_CNT_BAD_DOFF] +
			d[TI_CNT_BAD_LEN] + d[TI_CNT_TRUNCATED] +
			d[TI_CNT_BAD_EXT] + d[TI_CNT_BAD_VER];
	char why[256];
	int bad;

	bad = d[TI_CNT_FILTERED] || d[TI_CNT_MATCHED] != (__u64)table_events ||
	      d[TI_CNT_MATCHED] != d[TI_CNT_TCP] + d[TI_CNT_FRAGMENT] + d[TI_CNT_MALFORMED] ||
	      d[TI_CNT_EMITTED] != (__u64)table_events;
	snprintf(why, sizeof(why), "%llu tcp + %llu fragments + %llu malformed = %llu matched, %ld records, %llu emitted, %llu filtered",
		 (unsigned long long)d[TI_CNT_TCP],
		 (unsigned long long)d[TI_CNT_FRAGMENT],
		 (unsigned long long)d[TI_CNT_MALFORMED],
		 (unsigned long long)d[TI_CNT_MATCHED], table_events,
		 (unsigned long long)d[TI_CNT_EMITTED],
		 (unsigned long long)d[TI_CNT_FILTERED]);
	report("filter_placeholder_accepts_all", bad, why);

	bad = reasons != d[TI_CNT_MALFORMED] || !d[TI_CNT_BAD_IHL] ||
	      !d[TI_CNT_BAD_DOFF] || !d[TI_CNT_BAD_LEN] ||
	      !d[TI_CNT_TRUNCATED] || !d[TI_CNT_BAD_EXT] || !d[TI_CNT_BAD_VER];
	snprintf(why, sizeof(why), "%llu malformed = %llu bad_ihl + %llu bad_doff + %llu bad_len + %llu truncated + %llu bad_ext + %llu bad_version",
		 (unsigned long long)d[TI_CNT_MALFORMED],
		 (unsigned long long)d[TI_CNT_BAD_IHL],
		 (unsigned long long)d[TI_CNT_BAD_DOFF],
		 (unsigned long long)d[TI_CNT_BAD_LEN],
		 (unsigned long long)d[TI_CNT_TRUNCATED],
		 (unsigned long long)d[TI_CNT_BAD_EXT],
		 (unsigned long long)d[TI_CNT_BAD_VER]);
	report("malformed_reasons_sum", bad, why);
}

/* Whether the kernel takes a struct xdp_md as ctx_in; else run without. */
static void test_ctx(struct env *t)
{
	static const struct pkt arp = { .eth_proto = ETH_P_ARP };
	static const __u64 delta[TI_CNT_MAX] = IGNORED;
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct layout l;
	char why[256] = "";
	int err;

	use_ctx = 1;
	err = run(t, frame, build(&arp, frame, &l), 1, &r);
	if (err == -EINVAL) {
		use_ctx = 0;
		printf("skip xdp_md_ctx: kernel refuses ctx_in (EINVAL); runs without, on lo\n");
		return;
	}
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, delta, why, sizeof(why));
	report("xdp_md_ctx", err, why);
}

/* insp_open() counts the CPUs from a map, we from /sys: they must agree. */
static void test_ncpu(const struct env *t)
{
	char why[128];

	snprintf(why, sizeof(why), "%d possible CPUs", ncpu);
	if (t->in.ncpu != ncpu)
		snprintf(why, sizeof(why), "inspector counts %d possible CPUs, /sys says %d",
			 t->in.ncpu, ncpu);
	report("possible_cpus", t->in.ncpu != ncpu, why);
}

/*
 * A frame shorter than an Ethernet header.  The kernel's test_run refuses
 * those (bpf_test_init: size < ETH_HLEN is EINVAL), so the program's own
 * check is out of reach here; assert what does happen.
 */
static void test_short_frame(struct env *t)
{
	static const __u64 none[TI_CNT_MAX], seen[TI_CNT_MAX] = IGNORED;
	static const struct pkt p = TCP4(.cut_at = 10);
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct layout l;
	char why[256] = "";
	int err;

	err = run(t, frame, build(&p, frame, &l), 1, &r);
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
	report("short_frame", err, why);
}

/* Ring buffer bytes a record of a frame of l takes (header, 8-byte
 * aligned): the snap length's bytes, and every header. */
static size_t rec_len(const struct layout *l, __u32 snaplen)
{
	size_t frame_len = l->len, snap = frame_len < snaplen ? frame_len : snaplen;

	if (snap < l->hdr_end)
		snap = l->hdr_end < frame_len ? l->hdr_end : frame_len;
	return (sizeof(struct ti_event) + snap + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
}

/* Records that fit: the kernel keeps producer - consumer <= size - 1. */
static __u64 ring_cap(__u32 ring_len, const struct layout *l, __u32 snaplen)
{
	return (ring_len - 1) / rec_len(l, snaplen);
}

/* The layout of the plain SYN (TCP4()), for the budget set before loading. */
static const struct layout *syn_layout(void)
{
	static const struct pkt syn = TCP4();
	static __u8 frame[FRAME_MAX];
	static struct layout l;

	build(&syn, frame, &l);
	return &l;
}

/* ti_taken, the budget counter in .bss. */
static int read_taken(const struct env *t, __u64 *taken)
{
	const struct ld_obj *o = &t->in.obj;
	static __u8 val[4096];
	__u32 map, off, size, key = 0;
	int ret;

	ret = elf_find_var(&o->elf, "ti_taken", &map, &off, &size);
	if (ret)
		return ret;
	if (size != sizeof(*taken) || o->elf.maps[map].value_size > sizeof(val) ||
	    o->map_fds[map] < 0)
		return -EINVAL;
	ret = bpf_map_lookup_elem(o->map_fds[map], &key, val);
	if (!ret)
		memcpy(taken, val + off, sizeof(*taken));
	return ret;
}

/*
 * Fill the ring buffer in one run without consuming: exactly its capacity
 * (records of sizeof(ti_event) + snap bytes) is emitted, every other run
 * counts as lost, and once drained the next event fits again.
 */
static void test_ring_full(struct env *t, const char *name,
			   const struct pkt *p, __u32 runs)
{
	static __u8 frame[FRAME_MAX];
	static struct result r;
	const struct tcase c = { .pkt = *p, .delta = EMITTED };
	struct layout l;
	size_t len = build(p, frame, &l);
	const __u64 cap = ring_cap(t->in.events_len, &l, t->snaplen);
	const __u64 delta[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = runs, [TI_CNT_TCP] = runs,
		[TI_CNT_MATCHED] = runs, [TI_CNT_EMITTED] = cap,
		[TI_CNT_LOST] = runs - cap,
	};
	struct ti_view want;
	char why[256] = "";
	__u64 wall;
	int err;

	expect_event(&c, &l, t->snaplen, &want);
	err = run(t, frame, len, runs, &r);
	wall = r.t1 - r.t0;
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else if (runs <= cap)
		err = fail(why, sizeof(why), "%u runs do not fill %llu records",
			   runs, (unsigned long long)cap);
	else
		err = check_run(&r, delta, why, sizeof(why));
	if (!err)
		err = check_event(&r.ev.rec[0], &want, frame, &r, why,
				  sizeof(why));
	if (!err) {
		err = run(t, frame, len, 1, &r);
		if (err)
			fail(why, sizeof(why), "after draining: test run: %s",
			     strerror(-err));
		else
			err = check_run(&r, c.delta, why, sizeof(why));
	}
	if (!err)
		snprintf(why, sizeof(why), "%u runs: %llu emitted (capacity at %zu bytes a record), %llu lost, %.1f ms",
			 runs, (unsigned long long)cap, rec_len(&l, t->snaplen),
			 (unsigned long long)(runs - cap), wall / 1e6);
	report(name, err, why);
}

/*
 * The same with a budget of capacity + 10: a lost event gives its slot
 * back (-c counts delivered events), so after draining exactly 10 more
 * are emitted and the rest are over budget.
 */
static void test_ring_full_budget(struct env *t)
{
	static const struct pkt syn = TCP4();
	static __u8 frame[FRAME_MAX];
	static struct result r;
	const __u64 cap = ring_cap(t->in.events_len, syn_layout(), t->snaplen);
	const __u64 runs = cap + 100;
	const __u64 full[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = runs, [TI_CNT_TCP] = runs,
		[TI_CNT_MATCHED] = runs, [TI_CNT_EMITTED] = cap,
		[TI_CNT_LOST] = 100,
	};
	const __u64 after[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = 20, [TI_CNT_TCP] = 20, [TI_CNT_MATCHED] = 20,
		[TI_CNT_EMITTED] = 10, [TI_CNT_BUDGET] = 10,
	};
	struct layout l;
	size_t len = build(&syn, frame, &l);
	char why[256] = "";
	__u64 taken[2] = { 0, 0 };
	int err;

	if (t->budget != cap + 10) {
		report("ring_full_budget", 1, "loaded with the wrong budget");
		return;
	}
	err = run(t, frame, len, runs, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, full, why, sizeof(why));
	if (!err && (err = read_taken(t, &taken[0])))
		fail(why, sizeof(why), "reading ti_taken: %s", strerror(-err));
	if (!err) {
		err = run(t, frame, len, 20, &r);
		if (err)
			fail(why, sizeof(why), "after draining: test run: %s",
			     strerror(-err));
		else
			err = check_run(&r, after, why, sizeof(why));
	}
	if (!err && (err = read_taken(t, &taken[1])))
		fail(why, sizeof(why), "reading ti_taken: %s", strerror(-err));
	if (!err && (taken[0] != cap || taken[1] != cap + 20))
		err = fail(why, sizeof(why), "ti_taken %llu then %llu, want %llu then %llu",
			   (unsigned long long)taken[0],
			   (unsigned long long)taken[1],
			   (unsigned long long)cap, (unsigned long long)cap + 20);
	if (!err)
		snprintf(why, sizeof(why), "budget %llu: %llu emitted, 100 lost (slots given back); drained: 10 emitted, 10 over budget",
			 (unsigned long long)cap + 10, (unsigned long long)cap);
	report("ring_full_budget", err, why);
}

/*
 * The -c budget lives in .rodata (ti_budget, set by insp_open) and is
 * counted in .bss (ti_taken): both prove the global-data relocations.
 * Five SYNs with a budget of 3: three events, two refused.
 */
static void test_budget(struct env *t)
{
	static const struct pkt syn = TCP4();
	static const __u64 delta[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = 5, [TI_CNT_TCP] = 5, [TI_CNT_MATCHED] = 5,
		[TI_CNT_EMITTED] = 3, [TI_CNT_BUDGET] = 2,
	};
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct layout l;
	char why[256] = "";
	__u64 taken = 0;
	int err;

	err = run(t, frame, build(&syn, frame, &l), 5, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, delta, why, sizeof(why));
	if (!err && (err = read_taken(t, &taken)))
		fail(why, sizeof(why), "reading ti_taken: %s", strerror(-err));
	if (!err && taken != 5)
		err = fail(why, sizeof(why), ".bss ti_taken %llu, want 5",
			   (unsigned long long)taken);
	if (!err)
		snprintf(why, sizeof(why), "5 SYNs, budget 3 (.rodata): 3 events, 2 refused, .bss counter 5");
	report("budget", err, why);
}

/*
 * Informational timings, with exact counters for each batch.  Two
 * batches: the first also pays for memory the program has not touched
 * yet (ring buffer pages, in a VM their first mapping), the second is the
 * steady state.
 */
static void test_perf(struct env *t, const char *name, const struct pkt *p,
		      const __u64 *one, __u32 runs)
{
	static __u8 frame[FRAME_MAX];
	static struct result r;
	__u64 delta[TI_CNT_MAX];
	__u32 ns[2] = { 0, 0 };
	struct layout l;
	char why[256] = "";
	size_t len = build(p, frame, &l);
	int i, err = 0;

	for (i = 0; i < TI_CNT_MAX; i++)
		delta[i] = one[i] * runs;
	for (i = 0; i < 2 && !err; i++) {
		err = run(t, frame, len, runs, &r);
		if (err)
			fail(why, sizeof(why), "test run: %s", strerror(-err));
		else
			err = check_run(&r, delta, why, sizeof(why));
		ns[i] = r.duration;
	}
	if (!err && r.ev.cnt)
		snprintf(why, sizeof(why), "2 x %u runs of %zu bytes, %u then %u ns/packet in the kernel; %ld events consumed in %.0f ns each",
			 runs, l.len, ns[0], ns[1], r.ev.cnt,
			 (double)r.consume_ns / r.ev.cnt);
	else if (!err)
		snprintf(why, sizeof(why), "2 x %u runs of %zu bytes, %u then %u ns/packet in the kernel, no events",
			 runs, l.len, ns[0], ns[1]);
	report(name, err, why);
}

/*
 * An object the verifier refuses (tests/objs/reject.c reads the packet
 * without a bounds check): the load fails and the error carries the
 * verifier's own words about the offending instruction.
 */
static void test_verifier_reject(void)
{
	static struct ld_obj bad;
	char err[4096] = "", *buf = NULL;
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
		report("verifier_reject", 1, "cannot read build/reject.o");
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
	if (!ret)
		ld_close(&bad);
	report("verifier_reject", failed, err);
	free(buf);
}

/* --- main -------------------------------------------------------------- */

/*
 * Fill one CPU's perf buffer (of a page) in one run without consuming:
 * its capacity is emitted, the rest counted lost by the program.  The
 * kernel reports the same loss in a PERF_RECORD_LOST record, written
 * before the next sample that fits: after draining, one more run must
 * bring exactly the program's count.  Pinned to one CPU meanwhile, as
 * BPF_F_CURRENT_CPU picks the buffer.
 */
static void test_perf_full(struct env *t, __u32 runs)
{
	static const struct pkt syn = TCP4();
	static __u8 frame[FRAME_MAX];
	static struct result r;
	struct layout l;
	size_t len = build(&syn, frame, &l);
	/* header, u32 size, raw data padded so that the record is 8-aligned */
	size_t rec = (sizeof(struct perf_event_header) + 4 +
		      sizeof(struct ti_event) + len + 7) & ~7ul;
	const __u64 cap = (t->in.events_len - 1) / rec;
	const __u64 full[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = runs, [TI_CNT_TCP] = runs,
		[TI_CNT_MATCHED] = runs, [TI_CNT_EMITTED] = cap,
		[TI_CNT_LOST] = runs - cap,
	};
	static const __u64 one[TI_CNT_MAX] = EMITTED;
	cpu_set_t was, cpu;
	char why[256] = "";
	int err;

	sched_getaffinity(0, sizeof(was), &was);
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	err = run(t, frame, len, runs, &r);
	if (err)
		fail(why, sizeof(why), "test run: %s", strerror(-err));
	else
		err = check_run(&r, full, why, sizeof(why));
	if (!err && t->eb.pb.lost)
		err = fail(why, sizeof(why), "%llu lost reported before a sample fitted",
			   (unsigned long long)t->eb.pb.lost);
	if (!err) {
		err = run(t, frame, len, 1, &r);
		if (err)
			fail(why, sizeof(why), "after draining: test run: %s",
			     strerror(-err));
		else
			err = check_run(&r, one, why, sizeof(why));
	}
	if (!err && t->eb.pb.lost != runs - cap)
		err = fail(why, sizeof(why), "PERF_RECORD_LOST says %llu lost, the program %llu",
			   (unsigned long long)t->eb.pb.lost,
			   (unsigned long long)(runs - cap));
	if (!err)
		snprintf(why, sizeof(why), "%u runs into %u bytes: %llu emitted (%zu bytes a record), %llu lost, as PERF_RECORD_LOST says",
			 runs, t->in.events_len, (unsigned long long)cap, rec,
			 (unsigned long long)(runs - cap));
	sched_setaffinity(0, sizeof(was), &was);
	report("perf_buffer_full", err, why);
}

/* --- main -------------------------------------------------------------- */

/*
 * Load the program as insp_open() does for -c budget -s snaplen, fitted
 * to what probe says (NULL: everything), with ring_len (0: default).
 */
static int env_open(struct env *t, __u64 budget, __u32 snaplen,
		    const struct probe *probe, __u32 ring_len, char *err,
		    size_t err_len)
{
	const struct insp_config cfg = { .budget = budget, .snaplen = snaplen,
					 .probe = probe, .ring_len = ring_len };
	const struct evbuf closed = EVB_INIT;
	int ret;

	t->eb = closed;
	t->budget = budget;
	t->snaplen = snaplen;
	ret = insp_open(&t->in, &cfg, err, err_len);
	if (ret)
		return ret;
	t->open = 1;
	ret = insp_events_open(&t->in, &t->eb);
	if (ret)
		snprintf(err, err_len, "cannot map the %s: %s",
			 t->in.perf ? "perf buffers" : "ring buffer", strerror(-ret));
	else if (!t->in.perf && !ring_len && t->in.events_len != TI_RINGBUF_SIZE)
		ret = -EINVAL, snprintf(err, err_len, "ring buffer of %u bytes, want %u",
					t->in.events_len, TI_RINGBUF_SIZE);
	return ret;
}

static void env_close(struct env *t)
{
	evb_close(&t->eb);
	if (t->open)
		insp_close(&t->in);
	t->open = 0;
}

/*
 * The table, its sums and the budget once more, loaded as on a kernel
 * that lacks what p lacks; perf buffers are also filled.
 */
static void fallback_pass(const char *name, const struct probe *p,
			  struct env *def, struct env *snap1, struct env *snap64,
			  struct env *snapmax, struct env *budget3)
{
	static const struct pkt syn = TCP4();
	static const __u64 emitted[TI_CNT_MAX] = EMITTED;
	struct env *e;
	char err[4096];
	size_t i;
	int ret;

	pass_name = name;
	memset(table_delta, 0, sizeof(table_delta));
	table_events = 0;
	if ((ret = env_open(def, 0, TI_SNAP_DEFAULT, p, 0, err, sizeof(err))) ||
	    (ret = env_open(snap1, 0, 1, p, 0, err, sizeof(err))) ||
	    (ret = env_open(snap64, 0, 64, p, 0, err, sizeof(err))) ||
	    (ret = env_open(snapmax, 0, TI_SNAP_MAX, p, 0, err, sizeof(err))) ||
	    (ret = env_open(budget3, 3, TI_SNAP_DEFAULT, p, 0, err, sizeof(err)))) {
		report("load", 1, err);
		goto out;
	}
	snprintf(err, sizeof(err), "%s, %s%s",
		 def->in.nofetch ? "ti_fetch_add without fetch" : "atomic fetch",
		 def->in.perf ? "perf buffers" : "ring buffer",
		 def->in.obj.btf_fd < 0 ? ", no BTF" : ", BTF");
	report("load", def->in.nofetch != !p->has[PROBE_FETCH] ||
	       def->in.perf != !p->has[PROBE_RINGBUF] ||
	       (def->in.obj.btf_fd < 0) != !p->has[PROBE_BTF], err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = cases[i].snaplen == 1 ? snap1 :
		    cases[i].snaplen == 64 ? snap64 :
		    cases[i].snaplen == TI_SNAP_MAX ? snapmax : def;
		test_case(e, &cases[i]);
	}
	test_table_sums();
	test_budget(budget3);
	/* Perf buffers: what one CPU's share of the default holds. */
	/* Runs that fit the default buffer (1 MiB; perf: shared by the CPUs). */
	test_perf(def, "perf_tcp_event", &syn, emitted, def->in.perf ? 2000 : 5000);
	if (def->in.perf) {
		env_close(def);
		/* A page per CPU: the smallest perf buffer. */
		ret = env_open(def, 0, TI_SNAP_DEFAULT, p, sysconf(_SC_PAGESIZE) * ncpu,
			       err, sizeof(err));
		if (ret)
			report("perf_buffer_full", 1, err);
		else
			test_perf_full(def, 100);
	}
out:
	env_close(budget3);
	env_close(snapmax);
	env_close(snap64);
	env_close(snap1);
	env_close(def);
	pass_name = "";
}

int main(void)
{
	static const struct pkt udp = TCP4(.l4_proto = IPPROTO_UDP);
	static const struct pkt syn = TCP4();
	static const struct pkt syn1500 = TCP4(.tcp_flags = ACK_PSH,
					       .payload_len = 1446);
	static const __u64 emitted[TI_CNT_MAX] = EMITTED;
	static const __u64 ignored[TI_CNT_MAX] = IGNORED;
	static const __u64 over[TI_CNT_MAX] = {
		[TI_CNT_SEEN] = 1, [TI_CNT_TCP] = 1, [TI_CNT_MATCHED] = 1,
		[TI_CNT_BUDGET] = 1,
	};
	/* Statics: struct inspector holds a filter buffer of 32 KiB. */
	static struct env def, snap1, snap64, snapmax, budget3, ringb;
	struct probe kp, p;
	struct env *e;
	char err[4096];
	size_t i;
	int ret;

	ncpu = possible_cpus();
	percpu = ncpu > 0 ? calloc(ncpu, sizeof(*percpu)) : NULL;
	if (!percpu) {
		printf("not ok setup: cannot read the possible CPUs\n");
		return 1;
	}
	ret = env_open(&def, 0, TI_SNAP_DEFAULT, NULL, 0, err, sizeof(err));
	if (ret == -EPERM) {
		printf("skip prog_test: needs root (CAP_BPF)\n");
		env_close(&def);
		free(percpu);
		return 0;
	}
	if (ret) {
		printf("not ok load: %s\n", err);
		failed = 1;
		goto out;
	}
	if ((ret = env_open(&snap1, 0, 1, NULL, 0, err, sizeof(err))) ||
	    (ret = env_open(&snap64, 0, 64, NULL, 0, err, sizeof(err))) ||
	    (ret = env_open(&snapmax, 0, TI_SNAP_MAX, NULL, 0, err, sizeof(err))) ||
	    (ret = env_open(&budget3, 3, TI_SNAP_DEFAULT, NULL, 0, err, sizeof(err))) ||
	    (ret = env_open(&ringb, ring_cap(TI_RINGBUF_SIZE, syn_layout(), TI_SNAP_DEFAULT) + 10,
			    TI_SNAP_DEFAULT, NULL, 0, err, sizeof(err)))) {
		printf("not ok load: %s\n", err);
		failed = 1;
		goto out;
	}
	test_ctx(&def);
	test_ncpu(&def);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = cases[i].snaplen == 1 ? &snap1 :
		    cases[i].snaplen == 64 ? &snap64 :
		    cases[i].snaplen == TI_SNAP_MAX ? &snapmax : &def;
		test_case(e, &cases[i]);
	}
	test_table_sums();
	test_short_frame(&def);
	test_ring_full(&def, "ring_full", &syn, 60000);
	/* Also touches every page of snapmax's ring before the timings. */
	test_ring_full(&snapmax, "ring_full_1500_byte_records", &syn1500, 3000);
	test_ring_full_budget(&ringb);
	test_verifier_reject();
	test_budget(&budget3);
	test_perf(&def, "perf_udp_no_event", &udp, ignored, 1000000);
	/* budget3 is spent: parsed, matched, refused before the ring buffer. */
	test_perf(&budget3, "perf_tcp_no_filter_no_event", &syn, over, 1000000);
	test_perf(&def, "perf_tcp_event", &syn, emitted, 5000);
	test_perf(&snapmax, "perf_tcp_event_snap_1500", &syn1500, emitted, 500);

	/* The fallbacks, on this kernel, as if it lacked the feature. */
	env_close(&ringb);
	env_close(&budget3);
	env_close(&snapmax);
	env_close(&snap64);
	env_close(&snap1);
	env_close(&def);
	ret = probe_kernel(&kp, err, sizeof(err));
	if (ret) {
		printf("not ok probe: %s\n", err);
		failed = 1;
		goto out;
	}
	p = kp;
	p.has[PROBE_FETCH] = 0;
	fallback_pass("nofetch/", &p, &def, &snap1, &snap64, &snapmax, &budget3);
	p = kp;
	p.has[PROBE_RINGBUF] = 0;
	fallback_pass("perf/", &p, &def, &snap1, &snap64, &snapmax, &budget3);
	p.has[PROBE_FETCH] = p.has[PROBE_BTF] = 0;
	fallback_pass("nofetch+perf-btf/", &p, &def, &snap1, &snap64, &snapmax, &budget3);
out:
	env_close(&ringb);
	env_close(&budget3);
	env_close(&snapmax);
	env_close(&snap64);
	env_close(&snap1);
	env_close(&def);
	free(percpu);
	return failed;
}
