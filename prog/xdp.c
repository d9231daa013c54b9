// SPDX-License-Identifier: GPL-2.0
/*
 * tcpinspect's BPF programs, one parser behind four entry points:
 *   tcpinspect    XDP, on an interface without an XDP program
 *   ti_tc_in      TC ingress (tcx or cls_bpf), beside someone's XDP program
 *   ti_tc_out     TC egress: the segments leaving
 *   ti_xdp_entry  fentry and fexit on someone's XDP program: every frame
 *   ti_xdp_exit   it sees, and its verdict
 * Each parses Ethernet -> up to two VLAN tags -> IPv4 (options,
 * fragments) or IPv6 (extension header chain) -> TCP, asks the filter
 * (filter.c's code, over ti_pkt and a copy of the frame's first bytes,
 * the same at every entry point), and emits one ti_event plus the
 * first snap bytes of the frame per TCP segment (or later fragment, or
 * malformed packet) into the "events" ring buffer, or on kernels
 * without one (or without bpf_xdp_load_bytes) into per-CPU perf
 * buffers through "perf_events" (ti_output).  Every path lets the packet go on (XDP_PASS,
 * TC_ACT_UNSPEC, the traced program's own verdict): we look, we never
 * touch.
 *
 * Built for -mcpu=v3 (JMP32, ALU32: Linux 5.1, before global data).
 *
 * Parsing contract: before any header is read, the check that it lies
 * wholly before the end is made on the very pointer that is read (the
 * verifier insists).  XDP and TC parse the packet where it is; fentry
 * parses a copy in the scratch value (the frame is kernel memory to a
 * tracing program), where offsets are kept under a smaller bound.  A
 * header that does not fit, or is bad, ends the parse; if the IP layer
 * was reached, the packet is malformed: counted by reason, then offered
 * to the filter with what was parsed of it (as libpcap runs its filter
 * on any packet) and, if it matches, sent under the same budget, sample
 * and deadline as a segment, with the reason in the event and the whole
 * frame (user space prints it as tcpdump would).
 *
 * Shaped for the verifier, whose work grows with the paths it must
 * follow, not with the instructions: the filter (ti_filter) and the
 * flow table update (ti_flow_update) are global functions, each
 * verified once on its own, and they hand over through the per-CPU
 * scratch value, whose contents the verifier does not track.  So the
 * paths of one layer do not multiply those of the next: each layer
 * starts again from an offset read back from scratch.
 */
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/if_packet.h>
#include "helpers.h"
#include "tcpinspect.h"
#include "health.h"

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct ext_hdr {		/* hop-by-hop, routing, destination options */
	__u8 nexthdr;
	__u8 len;		/* in 8-byte units, not counting the first */
};

struct frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset << 3 | M */
	__be32 id;
};

/*
 * One packet's working space, per CPU: what the filter sees, the parse's
 * hand-over, and the event with its snapped bytes, assembled off the
 * stack (the event must be followed by its bytes).
 */
/* The flow table's hand-over: the connection's key and the segment. */
struct ti_flowarg {
	struct ti_flow_key k;
	struct ti_seg g;
	__u32 dir;		/* TI_DIR_* */
};

struct scratch {
	struct ti_pkt m;
	__u16 hdr_end;		/* parse: where the headers end in the frame */
	__u16 sport;		/* parse: the TCP ports (the flow table's) */
	__u16 dport;
	__u8 nh;		/* parse: IPv6 next header being chased */
	__u8 flags;		/* parse: the TCP flags (byte 13) */
	__u8 ext_cnt;		/* parse: IPv6 extension headers followed */
	__u8 pending;		/* fentry: an event waits for fexit's verdict */
	__u8 flowed;		/* fentry: counted in the flow table (fa) */
	__u8 pad[5];
	struct ti_flowarg fa;
	struct ti_event e;
	__u8 data[TI_SNAP_MAX];	/* the frame's bytes: for the filter
				 * (struct ti_bytes), then for the event;
				 * fentry parses them too */
};

_Static_assert(__builtin_offsetof(struct scratch, e) % 8 == 0, "event alignment");

/* The scratch value of each entry point: one per CPU each, so that
 * none can overwrite another's half-made event. */
enum { SLOT_XDP, SLOT_TC_IN, SLOT_TC_OUT, SLOT_TRACE, SLOT_CNT };

/* ti_parse's answers (else a TI_CNT_* reason a header is malformed). */
#define TI_P_TCP	0	/* a TCP segment or later fragment: s->m, s->e set */
#define TI_P_OTHER	(-1)	/* not IP, not TCP, or cut before IP */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TI_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);		/* the loader sets: possible CPUs */
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ti_counters);
	__uint(max_entries, 1);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct scratch);
	__uint(max_entries, SLOT_CNT);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ti_health);
	__uint(max_entries, 1);
} health SEC(".maps");

/* An all-zero connection to start new ones from (a map value, not 296
 * bytes of stack: the callers need theirs). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct ti_flow);
	__uint(max_entries, 1);
} flow_zero SEC(".maps");

/* The interfaces fentry/fexit report (a program traced may run on
 * others too). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, TI_IFACES_MAX);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ti_flow_key);
	__type(value, struct ti_flow);
	__uint(max_entries, TI_FLOWS_DEFAULT);
} flows SEC(".maps");

const volatile __u32 ti_mode = 0;		/* TI_VAR_MODE */
const volatile __u64 ti_budget = 0;		/* TI_VAR_BUDGET */
const volatile __u64 ti_deadline = 0;		/* TI_VAR_DEADLINE */
const volatile __u32 ti_sample = 0;		/* TI_VAR_SAMPLE */
__u64 ti_sample_seq;			/* matches counted for --sample */
const volatile __u32 ti_snaplen = TI_SNAP_DEFAULT;	/* TI_VAR_SNAPLEN */
const volatile __u32 ti_output = TI_OUT_RINGBUF;	/* TI_VAR_OUTPUT */
const volatile __u32 ti_ring_size = TI_RINGBUF_SIZE;	/* TI_VAR_RING_SIZE */
const volatile __u32 ti_filter_bytes = 0;	/* TI_VAR_FILTER_BYTES */
const volatile __u32 ti_filter_raw = 0;		/* TI_VAR_FILTER_RAW */
const volatile __u32 ti_filter_needs = 0;	/* TI_VAR_FILTER_NEEDS */
const volatile __u32 ti_meta = 0;		/* TI_VAR_META */
const volatile __u32 ti_frags = 0;		/* TI_VAR_FRAGS */
__u64 ti_taken;				/* events asked for against the budget */
__u64 ti_woken;				/* last reader wake-up, ktime ns */

/*
 * *p += v, atomically; the value before.  A function of its own so that
 * on kernels without atomic fetch (BPF_FETCH, 5.12), which refuse the
 * instruction anywhere in a program, the loader can give it another
 * body (TI_FUNC_FETCH_ADD in tcpinspect.h): a read, then a plain atomic
 * add.  CPUs racing there may read the same value, so the kernel's -c
 * may let a few more events through (user space still stops at -c and
 * counts the rest as over the budget) and --sample may pick one more or
 * fewer.
 */
__attribute__((noinline)) __u64 ti_fetch_add(__u64 *p, __u64 v)
{
	if (!p)		/* verified alone as a global function */
		return 0;
	return __sync_fetch_and_add(p, v);
}

/*
 * The filter.  This body accepts everything; the loader replaces it
 * with the instructions filter.c compiles from the command line.  Weak
 * and not inlined, so that clang keeps the call and assumes nothing
 * about the result.
 */
__attribute__((noinline, weak)) int ti_filter(const struct ti_pkt *p,
					      const struct ti_bytes *b)
{
	/* Verified alone as a global function: p, b may be NULL to it. */
	return p && b && p->len != 0xffffffff;
}

/*
 * The bytes a parse reads: the packet where it is (XDP, TC), or a copy
 * of its first bytes in scratch (fentry).  Header offsets are kept under
 * mask, a constant on each path: for a packet pointer, its variable part
 * and its fixed part must stay under 64 KiB together for a bounds check
 * to count (headers beyond 32 KiB into a frame are treated as cut off
 * there; the linear part of a frame is one page, 4 to 64 KiB); for the
 * copy, every header read must stay inside the scratch value.
 */
struct view {
	void *ctx;		/* XDP: struct xdp_md; TC: struct __sk_buff */
	int kind;		/* VIEW_*, a constant on each path */
	__u8 *copy;		/* VIEW_COPY: the bytes, and how many */
	__u32 copy_len;
};

enum { VIEW_XDP, VIEW_SKB, VIEW_COPY };

#define PKT_MASK	0x7fff
#define COPY_MASK	0x1fff
_Static_assert(COPY_MASK + 64 <= TI_SNAP_MAX, "a header read stays in the copy");

/*
 * The start and end of the bytes, read anew from the context at every
 * use: a packet pointer the verifier knew a range of on one path and not
 * on another keeps the two apart, so each layer starts with what the
 * context says and checks what it reads itself.
 */
/* A 32-bit context field as the verifier wants it read: one load at a
 * constant offset from the context pointer itself, every time. */
#define ctx_load(ctx, type, field) ({					\
	__u64 __v;							\
	asm volatile("%0 = *(u32 *)(%1 + %2)" : "=r"(__v)		\
		     : "r"(ctx), "i"(__builtin_offsetof(type, field)));	\
	(void *)__v; })

static __always_inline void *vdata(const struct view *v)
{
	if (v->kind == VIEW_XDP)
		return ctx_load(v->ctx, struct xdp_md, data);
	if (v->kind == VIEW_SKB)
		return ctx_load(v->ctx, struct __sk_buff, data);
	return v->copy;
}

static __always_inline void *vend(const struct view *v)
{
	if (v->kind == VIEW_XDP)
		return ctx_load(v->ctx, struct xdp_md, data_end);
	if (v->kind == VIEW_SKB)
		return ctx_load(v->ctx, struct __sk_buff, data_end);
	return v->copy + v->copy_len;
}

#define vmask(v)	((v)->kind == VIEW_COPY ? COPY_MASK : PKT_MASK)
#define at(v, off)	(vdata(v) + ((off) & vmask(v)))

/*
 * A value the verifier must not know: read back from scratch, where it
 * was just stored.  Paths that differ only in it then meet again.
 */
#define forget(lv) ({ asm volatile("" ::: "memory"); (lv); })

/*
 * The TCP header at l4 (none for a later fragment), checked whole.
 * ip_len and l3_len (the IP and extension headers) are for the length
 * checks.  The segment's numbers go to s->fa.g for the flow table.
 */
static __always_inline int parse_tcp(const struct view *v, struct scratch *s,
				     __u32 l4, __u32 ip_len, __u32 l3_len)
{
	struct tcphdr *th;
	__u32 hlen;

	s->e.l4_off = s->hdr_end = l4;
	if (s->e.ev_flags & TI_EV_FRAG) {
		/* A later fragment: the TCP header is in another packet. */
		s->m.has_ports = 0;
		return TI_P_TCP;
	}
	th = at(v, l4);
	if ((void *)(th + 1) > vend(v))
		return TI_CNT_TRUNCATED;
	s->sport = bswap16(th->source);
	s->dport = bswap16(th->dest);
	if (s->m.has_ports && (ti_filter_needs & TI_NEED_L4))
		__builtin_memcpy(s->m.l4, th, 16);	/* (else IPv6's window) */
	hlen = th->doff * 4;
	if (hlen < sizeof(*th))
		return TI_CNT_BAD_DOFF;
	if (l3_len + hlen > ip_len)
		return TI_CNT_BAD_LEN;
	if ((void *)th + hlen > vend(v))
		return TI_CNT_TRUNCATED;
	s->flags = ((__u8 *)th)[13];
	s->hdr_end = l4 + hlen;
	s->fa.g.seq = bswap32(th->seq);
	s->fa.g.ack = bswap32(th->ack_seq);
	s->fa.g.win = bswap16(th->window);
	s->fa.g.len = ip_len - l3_len - hlen;
	return TI_P_TCP;
}

static __always_inline int parse_ipv4(const struct view *v, struct scratch *s,
				      __u32 l3)
{
	struct iphdr *ip = at(v, l3);
	__u32 ihl, ip_len;
	__u16 frag;

	/* IPv4 by the link type, whatever follows: for the filter (as
	 * libpcap's "ip") and for a malformed packet's event. */
	s->m.family = 4;
	s->e.family = 4;
	if ((void *)(ip + 1) > vend(v))
		return TI_CNT_TRUNCATED;
	s->m.proto = ip->protocol;
	if (ti_filter_needs & TI_NEED_L3)
		__builtin_memcpy(s->m.l3, ip, 12);
	__builtin_memcpy(s->m.saddr, &ip->saddr, 4);
	__builtin_memcpy(s->m.daddr, &ip->daddr, 4);
	if (ip->version != 4)
		return TI_CNT_BAD_VER;
	ihl = ip->ihl * 4;
	ip_len = bswap16(ip->tot_len);
	if (ihl < sizeof(*ip))
		return TI_CNT_BAD_IHL;
	if (ip_len < ihl)
		return TI_CNT_BAD_LEN;
	if ((void *)ip + ihl > vend(v))
		return TI_CNT_TRUNCATED;
	if (ip->protocol != IPPROTO_TCP)
		return TI_P_OTHER;
	frag = bswap16(ip->frag_off) & 0x1fff;
	s->e.ev_flags = frag ? TI_EV_FRAG : 0;
	s->m.has_ports = !frag;
	return parse_tcp(v, s, l3 + ihl, ip_len, ihl);
}

/*
 * ti_pkt.chain's bit for extension header nh (0, 43 or 60), without a
 * branch (paths that differ only in a constant would not meet again
 * for the verifier): the nibble at bit nh of a constant, which has
 * TI_CHAIN_HOP at bit 0, TI_CHAIN_ROUTING at 43, TI_CHAIN_DST at 60
 * (the three nibbles do not overlap).
 */
#define CHAIN_BIT(nh)	((((__u64)TI_CHAIN_HOP << IPPROTO_HOPOPTS) |		\
			  ((__u64)TI_CHAIN_ROUTING << IPPROTO_ROUTING) |	\
			  ((__u64)TI_CHAIN_DST << IPPROTO_DSTOPTS)) >> ((nh) & 63) & 0xf)
_Static_assert(IPPROTO_HOPOPTS == 0 && IPPROTO_ROUTING == 43 &&
	       IPPROTO_DSTOPTS == 60 && TI_CHAIN_DST <= 0xf, "CHAIN_BIT");

/* One IPv6 extension header at off: the offset after it, 0 at the end
 * of the chain (s->nh is then the protocol), or a malformed reason as
 * -(TI_CNT_*).  A fragment header's fields go into the event here. */
static __always_inline int ext_hdr(const struct view *v, struct scratch *s,
				   __u32 off)
{
	void *cur = at(v, off);
	struct ti_event *e = &s->e;
	__u8 nh = s->nh;

	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
		struct ext_hdr *x = cur;

		if ((void *)(x + 1) > vend(v))
			return -TI_CNT_TRUNCATED;
		s->m.chain |= CHAIN_BIT(nh);
		s->nh = x->nexthdr;
		off += (x->len + 1) * 8;
		if (off > vmask(v) || at(v, off) > vend(v))
			return -TI_CNT_TRUNCATED;
	} else if (nh == IPPROTO_FRAGMENT) {
		struct frag_hdr *f = cur;

		if ((void *)(f + 1) > vend(v))
			return -TI_CNT_TRUNCATED;
		s->nh = f->nexthdr;
		/* libpcap's protochain reads the reserved byte as a length:
		 * ODD if it is not 0 */
		s->m.chain |= TI_CHAIN_FRAG |
			      (((__u32)f->reserved + 0xff) >> 8) * TI_CHAIN_ODD;
		if (bswap16(f->frag_off) & 0xfff8)
			e->ev_flags = TI_EV_FRAG;
		off += sizeof(*f);
		if (off > vmask(v))
			return -TI_CNT_TRUNCATED;
	} else {
		return 0;
	}
	s->ext_cnt++;
	return off;
}

static __always_inline int parse_ipv6(const struct view *v, struct scratch *s,
				      __u32 l3)
{
	struct ipv6hdr *ip6 = at(v, l3);
	struct ti_event *e = &s->e;
	__u32 off, ip_len, i;
	__u8 *w;
	int r;

	s->m.family = 6;
	e->family = 6;
	if ((void *)(ip6 + 1) > vend(v))
		return TI_CNT_TRUNCATED;
	s->m.proto = s->nh = ip6->nexthdr;
	if (ti_filter_needs & TI_NEED_L3)
		__builtin_memcpy(s->m.l3, ip6, 8);
	__builtin_memcpy(s->m.saddr, &ip6->saddr, 16);
	__builtin_memcpy(s->m.daddr, &ip6->daddr, 16);
	if (ip6->version != 6)
		return TI_CNT_BAD_VER;
	ip_len = sizeof(*ip6) + bswap16(ip6->payload_len);
	/* the filter's window behind the IPv6 header (TCP: parse_tcp's) */
	if (ti_filter_needs & TI_NEED_L4) {
		w = at(v, l3 + sizeof(*ip6));
		/* (the copy has room past its end: no check, no branch) */
		if (v->kind == VIEW_COPY || (void *)(w + 8) <= vend(v))
			__builtin_memcpy(s->m.l4, w, 8);
	}
	s->ext_cnt = 0;
	off = l3 + sizeof(*ip6);
#pragma unroll
	for (i = 0; i < TI_EXT_MAX; i++) {
		/* Each round starts from what scratch says, not from
		 * what the verifier knows of the rounds before. */
		e->l4_off = off;
		r = ext_hdr(v, s, forget(e->l4_off));
		if (r < 0)
			return -r;
		if (!r)
			break;
		off = r;
		if (e->ev_flags & TI_EV_FRAG)	/* a later fragment: the rest is data */
			break;
	}
	if (s->nh != IPPROTO_TCP) {
		if (i == TI_EXT_MAX &&
		    (s->nh == IPPROTO_HOPOPTS || s->nh == IPPROTO_ROUTING ||
		     s->nh == IPPROTO_DSTOPTS || s->nh == IPPROTO_FRAGMENT))
			return TI_CNT_BAD_EXT;
		return TI_P_OTHER;
	}
	/* libpcap's ports: TCP right behind the IPv6 header */
	s->m.has_ports = s->m.proto == IPPROTO_TCP;
	return parse_tcp(v, s, off, ip_len, off - l3);
}

/*
 * The frame's headers, checked, into s->m (what the filter sees) and
 * the few fields of s->e the program itself needs (family, offsets,
 * fragment flags, TCP flags).  0 for a TCP segment or later fragment,
 * the TI_CNT_* reason (> 0) for a malformed IP or TCP header (counted
 * here in c), TI_P_OTHER for anything else (counted as seen only).
 */
static __always_inline int ti_parse(const struct view *v, struct scratch *s,
				    struct ti_counters *c)
{
	struct ethhdr *eth = vdata(v);
	void *cur;
	__u32 i, l3;
	__u16 proto;
	int r;

	/* The addresses (IPv4 fills 4 bytes of each), caplen and the
	 * words at vlan_cnt start at 0; the windows, len, pkttype and
	 * ifindex are written where they are read. */
	__builtin_memset(s->m.saddr, 0, sizeof(s->m.saddr) + sizeof(s->m.daddr));
	__builtin_memset(&s->m.caplen, 0, __builtin_offsetof(struct ti_pkt, ifindex) -
					  __builtin_offsetof(struct ti_pkt, caplen));
	s->e.l4_off = 0;
	s->e.ev_flags = 0;
	r = TI_P_OTHER;
	if ((void *)(eth + 1) > vend(v))
		goto out;
	proto = eth->h_proto;
	cur = eth + 1;
#pragma unroll
	for (i = 0; i < TI_VLAN_MAX; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bswap16(ETH_P_8021Q) && proto != bswap16(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > vend(v))
			goto out;
		/* the filter's window: TPID, TCI as in the frame */
		if (ti_filter_needs & TI_NEED_TAGS)
			__builtin_memcpy(s->m.tag[i], (void *)vh - 2, 4);
		s->m.vlan_cnt++;
		proto = vh->proto;
		cur = vh + 1;
	}
	l3 = cur - (void *)eth;
	s->e.l3_off = l3;
	if (proto == bswap16(ETH_P_IP))
		r = parse_ipv4(v, s, l3);
	else if (proto == bswap16(ETH_P_IPV6))
		r = parse_ipv6(v, s, l3);
out:
	/* SEEN, MALFORMED and FILTERED are sums user space makes (see
	 * tcpinspect.h): one counter per packet here, on every path. */
	if (r > 0)	/* a constant on each path: a fixed slot */
		c->n[r]++;
	else if (r)
		c->n[TI_CNT_SEEN]++;	/* seen, and counted nowhere else */
	return r;
}

/*
 * Whether this ring buffer record wakes the reader.  By default the
 * kernel wakes it whenever the ring was empty: with a reader that keeps
 * up, that is an irq_work and an IPI on this CPU for every packet, and
 * it cost more than everything else here together (a receive rate of
 * 0.95 M against 1.8 M frames/s on a veth).  So wake at most once per
 * TI_WAKE_NS; the reader looks again TI_WAKE_NS after every round that
 * found records.  Sooner only if the ring is half full, and even then
 * not more than once per TI_WAKE_NS / 16: a wake-up costs about a
 * microsecond here, and a reader that fell behind must not make every
 * packet pay it.  CPUs race on ti_woken harmlessly: the worst is a
 * wake-up too many.
 */
static __always_inline __u64 wake_flag(__u64 now)
{
	__u64 since = now - ti_woken;

	if (since < TI_WAKE_NS / 16 ||
	    (since < TI_WAKE_NS &&
	     bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < ti_ring_size / 2))
		return BPF_RB_NO_WAKEUP;
	ti_woken = now;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * The connection's key, its two ends in a fixed order (the smaller
 * address, then port, first: as memcmp orders the bytes), so that both
 * directions meet in one entry; which end sent the segment into
 * fa->g.side.
 */
static __always_inline void flow_key(const struct scratch *s, struct ti_flowarg *fa)
{
	const struct ti_pkt *m = &s->m;
	__u64 a0, a1, b0, b1;
	int swap;

	__builtin_memcpy(&a0, m->saddr, 8);
	__builtin_memcpy(&a1, m->saddr + 8, 8);
	__builtin_memcpy(&b0, m->daddr, 8);
	__builtin_memcpy(&b1, m->daddr + 8, 8);
	a0 = __builtin_bswap64(a0);
	a1 = __builtin_bswap64(a1);
	b0 = __builtin_bswap64(b0);
	b1 = __builtin_bswap64(b1);
	swap = a0 > b0 || (a0 == b0 && (a1 > b1 ||
					(a1 == b1 && s->sport > s->dport)));
	fa->g.side = swap;
	if (swap) {
		__builtin_memcpy(fa->k.saddr, m->daddr, 16);
		__builtin_memcpy(fa->k.daddr, m->saddr, 16);
		fa->k.sport = s->dport;
		fa->k.dport = s->sport;
	} else {
		__builtin_memcpy(fa->k.saddr, m->saddr, 16);
		__builtin_memcpy(fa->k.daddr, m->daddr, 16);
		fa->k.sport = s->sport;
		fa->k.dport = s->dport;
	}
	fa->k.family = m->family;
	fa->k.pad[0] = fa->k.pad[1] = fa->k.pad[2] = 0;
}

/*
 * Count the segment fa describes in its connection's entry, with its
 * TCP health (health.h), and the totals /metrics shows; 1 if it made
 * the entry, -1 if the table could not take it, else 0.  A global
 * function: verified once, whichever entry point calls it.
 */
__attribute__((noinline)) int ti_flow_update(struct ti_flowarg *fa)
{
	static const __u32 le[TI_HS_BUCKETS] = TI_HS_LE_US;
	struct ti_flow_key k;
	struct ti_flow *f, *nf;
	struct ti_health *h;
	__u32 zero = 0, a, i;
	__u64 us;
	int ret = 0;

	if (!fa)	/* verified alone: fa may be NULL to it */
		return 0;
	/* a map key must be on the stack (or in a map value) before 6.x */
	k = fa->k;
	f = bpf_map_lookup_elem(&flows, &k);
	if (!f) {
		nf = bpf_map_lookup_elem(&flow_zero, &zero);
		if (!nf)
			return -1;
		if (bpf_map_update_elem(&flows, &k, nf, BPF_NOEXIST) == 0)
			ret = 1;
		f = bpf_map_lookup_elem(&flows, &k);	/* ours, or a racer's */
		if (!f)
			return -1;
		if (!f->first_ns)
			f->first_ns = fa->g.now;
	}
	f->dirs |= fa->dir;
	a = ti_health(f, &fa->g);
	if (!(a & (TI_A_RETRANS | TI_A_HANDSHAKE)))
		return ret;
	h = bpf_map_lookup_elem(&health, &zero);
	if (!h)
		return ret;
	if (a & TI_A_RETRANS)
		h->n[TI_H_RETRANS]++;
	if (a & TI_A_HANDSHAKE) {
		us = f->hs_ns / 1000;
		h->n[TI_H_HS]++;
		h->n[TI_H_HS_US] += us;
#pragma unroll
		for (i = 0; i < TI_HS_BUCKETS; i++)
			if (us <= le[i]) {
				h->n[TI_H_HS_B0 + i]++;
				break;
			}
	}
	return ret;
}

/* Where an event comes from: what it says, and how its bytes are had. */
enum hook { HOOK_XDP, HOOK_TC_IN, HOOK_TC_OUT, HOOK_TRACE };

/*
 * The frame's first n bytes (1..TI_SNAP_MAX, no more than it has) into
 * s->data, from where each entry point has them: 0, or the helper's
 * error.  (fentry copied them before parsing.)
 */
static __always_inline long copy_frame(void *ctx, struct scratch *s,
				       enum hook hook, __u32 n)
{
	if (hook == HOOK_XDP)
		return bpf_xdp_load_bytes(ctx, 0, s->data, n);
	if (hook == HOOK_TC_IN || hook == HOOK_TC_OUT)
		return bpf_skb_load_bytes(ctx, 0, s->data, n);
	return 0;
}

/*
 * XDP without bpf_xdp_load_bytes (the perf buffer path, before 5.18):
 * the frame's first bytes into dst from the linear part, at most
 * TI_LINEAR_COPY, in words (the last one ending at the last byte),
 * unrolled: no loop for the verifier.  How many.
 */
#define TI_LINEAR_COPY	256

static __always_inline __u32 copy_linear(const struct view *v, __u8 *dst,
					 __u32 n)
{
	void *data = vdata(v);
	void *end = vend(v);
	__u32 i, t;
	void *p;

	if (n > (__u32)(end - data))
		n = end - data;
	if (n > TI_LINEAR_COPY)
		n = TI_LINEAR_COPY;
	if (n < 8)
		return 0;
#pragma unroll
	for (i = 0; i < TI_LINEAR_COPY / 8; i++) {
		if ((i + 1) * 8 > n || data + (i + 1) * 8 > end)
			break;
		*(__u64 *)(dst + i * 8) = *(__u64 *)(data + i * 8);
	}
	t = (n - 8) & (TI_LINEAR_COPY - 1);
	p = data + t;
	if (p + 8 <= end)
		*(__u64 *)(dst + t) = *(__u64 *)p;
	return n;
}

/*
 * The frame's first bytes for the filter, where the expression reads
 * more than the headers in s->m: want of them (ti_filter_bytes, or
 * ti_filter_raw for a malformed packet; 0 for most), flen the frame's.
 * s->m.caplen says how many are in s->data.
 */
static __always_inline void filter_copy(void *ctx, const struct view *v,
					struct scratch *s, enum hook hook,
					__u32 want, __u32 flen)
{
	__u32 n;

	/* min(flen, want) on flen read back from memory: a comparison of
	 * the caller's flen would narrow it for the verifier, which would
	 * then follow the rest of the program once per way */
	s->m.caplen = flen;
	n = forget(s->m.caplen);
	if (n > want)
		n = want;
	if (hook == HOOK_TRACE) {
		/* copied already: ti_xdp_entry copies at least n bytes */
		s->m.caplen = n;
		return;
	}
	if (hook == HOOK_XDP && ti_output == TI_OUT_PERF) {
		s->m.caplen = copy_linear(v, s->data, n);
		return;
	}
	s->m.caplen = 0;
	if (!n)
		return;
	n = ((n - 1) & (TI_SNAP_MAX - 1)) + 1;	/* 1..TI_SNAP_MAX */
	if (!copy_frame(ctx, s, hook, n))
		s->m.caplen = n;
}

/*
 * The frame's length: XDP with multi-buffer frames asks the helper (the
 * linear part is len); elsewhere len is all of it.
 */
static __always_inline __u32 frame_len(void *ctx, enum hook hook, __u32 len)
{
	if (hook == HOOK_XDP && ti_frags)
		return bpf_xdp_get_buff_len(ctx);
	return len;
}

/*
 * The frame's length on the wire, libpcap's len: its bytes, but in
 * replay the capture record's original length, which tcpinspect replay
 * puts in front of the frame as XDP metadata (a cut record is run as
 * the bytes the file has).
 */
static __always_inline __u32 wire_len(void *ctx, enum hook hook, __u32 flen)
{
	struct ti_meta *meta;
	void *data;

	if (hook != HOOK_XDP || !ti_meta)
		return flen;
	meta = ctx_load(ctx, struct xdp_md, data_meta);
	data = ctx_load(ctx, struct xdp_md, data);
	if ((void *)(meta + 1) <= data && meta->magic == TI_META_MAGIC)
		return meta->wire_len;
	return flen;
}

/*
 * Everything after the parse, whatever the entry point: the counters,
 * the filter, the limits, the flow table, and the event (for fentry:
 * made ready for fexit, which sends it with the verdict).  ifindex and
 * queue say where the frame is, len how many of its bytes are in the
 * linear part (XDP), or in all (TC, fentry).
 */
static __always_inline void ti_run(void *ctx, const struct view *v,
				   struct scratch *s, struct ti_counters *c,
				   enum hook hook, __u32 ifindex, __u32 queue,
				   __u32 len)
{
	struct ti_event *e = &s->e;
	/* what the filter reads that costs (constants to the verifier) */
	int early = (ti_filter_needs & TI_NEED_LEN) || ti_filter_bytes ||
		    ti_filter_raw;
	__u32 snap, flen, wlen;
	__u64 now;
	long ret;
	int r;

	r = ti_parse(v, s, c);
	if (r < 0)
		return;
	/* A malformed packet was counted by reason; it goes on, with the
	 * whole frame, to a filter that reads it as bytes (m.raw).  The
	 * reason is stored and forgotten: the paths of the reasons meet
	 * again here.  (hdr_end, raw: stored in these branches, not
	 * computed from r, which kept the verifier's paths apart.) */
	if (r) {
		s->hdr_end = len;
		s->m.raw = 1;
	} else {
		c->n[e->ev_flags & TI_EV_FRAG ? TI_CNT_FRAGMENT : TI_CNT_TCP]++;
	}
	e->reason = r;
	/* The lengths and bytes the filter reads, only if it reads them:
	 * with multi-buffer frames the length is a helper call. */
	flen = early ? frame_len(ctx, hook, len) : len;
	if (ti_filter_needs & TI_NEED_LEN)
		s->m.len = wire_len(ctx, hook, flen);
	if (ti_filter_needs & TI_NEED_IF) {
		/* as tcpdump -i sees the packet: leaving, or arriving */
		s->m.pkttype = hook == HOOK_TC_OUT ? PACKET_OUTGOING : PACKET_HOST;
		s->m.ifindex = ifindex;
	}
	if (ti_filter_bytes || ti_filter_raw)
		filter_copy(ctx, v, s, hook,
			    forget(s->m.raw) ? ti_filter_raw : ti_filter_bytes, flen);
	if (!ti_filter(&s->m, (const struct ti_bytes *)s->data))
		return;		/* filtered: not matched */
	c->n[TI_CNT_MATCHED]++;
	if (!early)
		flen = frame_len(ctx, hook, len);
	wlen = wire_len(ctx, hook, flen);
	if (forget(e->reason))	/* all of a malformed one, frags too */
		s->hdr_end = flen;

	/* The limits, in the kernel too: they hold if user space stalls.
	 * Each is a constant to the verifier: no cost when unset.  The
	 * clock is read once, and only where the time is needed. */
	now = 0;
	if (ti_deadline) {
		now = bpf_ktime_get_ns();
		if (now > ti_deadline) {
			c->n[TI_CNT_EXPIRED]++;
			return;
		}
	}
	if ((ti_mode & TI_MODE_FLOWS) && !(e->ev_flags & TI_EV_FRAG) && !e->reason) {
		if (!now)
			now = bpf_ktime_get_ns();
		flow_key(s, &s->fa);
		s->fa.g.now = now;
		s->fa.g.flags = s->flags;
		s->fa.g.frame_len = wlen;
		s->fa.dir = hook == HOOK_TC_OUT ? TI_DIR_OUT : TI_DIR_IN;
		r = ti_flow_update(&s->fa);
		if (r > 0)
			c->n[TI_CNT_FLOW_NEW]++;
		else if (r < 0)
			c->n[TI_CNT_FLOW_FAIL]++;
		if (hook == HOOK_TRACE)
			s->flowed = 1;
	}
	if (ti_mode && !(ti_mode & TI_MODE_EVENTS))
		return;
	if (ti_sample > 1 && ti_fetch_add(&ti_sample_seq, 1) % ti_sample) {
		c->n[TI_CNT_SAMPLED]++;
		return;
	}
	if (ti_budget && ti_fetch_add(&ti_taken, 1) >= ti_budget) {
		c->n[TI_CNT_BUDGET]++;
		return;
	}
	if (!now)
		now = bpf_ktime_get_ns();
	e->ts_ns = now;
	e->ifindex = ifindex;
	e->rx_queue = queue;
	e->pkt_len = wlen;
	e->verdict = 0;
	if (hook == HOOK_TC_OUT)
		e->ev_flags |= TI_EV_OUT;
	/* What the snap length asks for, and at least every header (user
	 * space decodes them), the frame permitting; none if ti_snaplen is
	 * 0 (serve only counts).  1..TI_SNAP_MAX in a form the verifier can
	 * follow into the call (frames have 14 bytes at least).  fentry has
	 * no more than it copied. */
	if (hook == HOOK_TRACE)
		flen = v->copy_len;
	e->cap_len = snap = flen < ti_snaplen ? flen : ti_snaplen;
	if (snap < s->hdr_end)
		snap = s->hdr_end < flen ? s->hdr_end : flen;
	if (snap > TI_SNAP_MAX)
		snap = TI_SNAP_MAX;
	_Static_assert(!(TI_SNAP_MAX & (TI_SNAP_MAX - 1)), "power of two");
	snap = ((snap - 1) & (TI_SNAP_MAX - 1)) + 1;
	if (!ti_snaplen)
		e->cap_len = snap = 0;
	if (hook == HOOK_TRACE) {
		/* fexit sends it, with the verdict */
		e->snap_len = snap;
		s->pending = 1;
		return;
	}
	if (ti_output == TI_OUT_PERF) {
		/* The kernel appends the frame's first snap bytes itself:
		 * no copy (snap <= the linear part). */
		e->snap_len = snap;
		ret = bpf_perf_event_output(ctx, &perf_events,
					    BPF_F_CURRENT_CPU | (__u64)snap << 32,
					    e, sizeof(*e));
	} else {
		/* the filter's copy, if it made one, may hold them already */
		if (snap && (!(ti_filter_bytes || ti_filter_raw) ||
			     snap > s->m.caplen) &&
		    copy_frame(ctx, s, hook, snap))
			e->cap_len = snap = 0;
		e->snap_len = snap;
		ret = bpf_ringbuf_output(&events, e, sizeof(*e) + snap,
					 wake_flag(now));
	}
	if (ret) {	/* full (-ENOSPC), or no perf buffer on this CPU */
		if (ti_budget)	/* give the slot back: -c counts delivered events */
			__sync_fetch_and_add(&ti_taken, -1);
		c->n[TI_CNT_LOST]++;
		return;
	}
	c->n[TI_CNT_EMITTED]++;
}

/* The per-CPU values an entry point works in; NULL if missing. */
static __always_inline struct scratch *slot(__u32 key, struct ti_counters **c)
{
	__u32 zero = 0;

	*c = bpf_map_lookup_elem(&counters, &zero);
	return *c ? bpf_map_lookup_elem(&scratch, &key) : (void *)0;
}

SEC("xdp")
int tcpinspect(struct xdp_md *ctx)
{
	struct view v = { .ctx = ctx, .kind = VIEW_XDP };
	struct ti_counters *c;
	struct scratch *s = slot(SLOT_XDP, &c);
	/* (64-bit pointers: clang would spill a 32-bit one as such) */
	__u32 len = ctx_load(ctx, struct xdp_md, data_end) -
		    ctx_load(ctx, struct xdp_md, data);

	if (s)
		ti_run(ctx, &v, s, c, HOOK_XDP, ctx->ingress_ifindex,
		       ctx->rx_queue_index, len);
	return XDP_PASS;
}

/*
 * TC: the headers are read where they are, in the linear part, which a
 * packet built by the stack always starts with; if it holds less than
 * the first 128 bytes, those are pulled in first.  The length is the
 * whole packet's: on the way out, a GSO super-packet is one event, as
 * tcpdump sees it.  TC_ACT_UNSPEC (tcx's TCX_NEXT): the next program,
 * or the default, decides.
 */
static __always_inline int tc_run(struct __sk_buff *skb, enum hook hook)
{
	struct ti_counters *c;
	struct scratch *s = slot(hook == HOOK_TC_OUT ? SLOT_TC_OUT : SLOT_TC_IN, &c);
	__u32 want = skb->len < 128 ? skb->len : 128;
	struct view v;

	if (!s)
		return -1;
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	v.ctx = skb;
	v.kind = VIEW_SKB;
	ti_run(skb, &v, s, c, hook, skb->ifindex, skb->queue_mapping, skb->len);
	return -1;		/* TC_ACT_UNSPEC */
}

SEC("tc")
int ti_tc_in(struct __sk_buff *skb)
{
	return tc_run(skb, HOOK_TC_IN);
}

SEC("tc")
int ti_tc_out(struct __sk_buff *skb)
{
	return tc_run(skb, HOOK_TC_OUT);
}

/*
 * The kernel's struct xdp_buff and what we read through it, by CO-RE:
 * the loader resolves these against the running kernel's BTF (the
 * ___ti suffix is ours; the names match without it).
 */
struct net_device___ti {
	int ifindex;
} __attribute__((preserve_access_index));

struct xdp_rxq_info___ti {
	struct net_device___ti *dev;
	__u32 queue_index;
} __attribute__((preserve_access_index));

struct xdp_buff___ti {
	void *data;
	void *data_end;
	struct xdp_rxq_info___ti *rxq;
} __attribute__((preserve_access_index));

/*
 * fentry on another's XDP program: the frame as it arrives, copied
 * (a tracing program reads kernel memory through a helper), parsed,
 * filtered and made an event; fexit adds the program's verdict and
 * sends it.  Both run on this CPU, back to back, for the same frame
 * (XDP runs with preemption off and does not nest), so the event
 * waits in this slot's scratch.  A frame of an interface not asked
 * for is ignored.
 */
SEC("fentry/xdp")
int ti_xdp_entry(__u64 *ctx)
{
	struct xdp_buff___ti *x = (void *)ctx[0];
	struct ti_counters *c;
	struct scratch *s = slot(SLOT_TRACE, &c);
	__u32 ifindex, len, n;
	void *data;
	struct view v;

	if (!s)
		return 0;
	s->pending = s->flowed = 0;
	ifindex = x->rxq->dev->ifindex;
	if (!bpf_map_lookup_elem(&ifaces, &ifindex))
		return 0;
	data = x->data;
	len = x->data_end - data;
	/* what the snap length needs, the headers in any case, and what
	 * the filter reads (of a malformed packet too) */
	n = len < ti_snaplen ? len : ti_snaplen;
	if (n < 512)
		n = len < 512 ? len : 512;
	if (n < ti_filter_bytes)
		n = len < ti_filter_bytes ? len : ti_filter_bytes;
	if (n < ti_filter_raw)
		n = len < ti_filter_raw ? len : ti_filter_raw;
	/* stored and read back (the parse sets hdr_end anew): one range
	 * of n to the verifier, whichever way it was chosen, so that the
	 * parse of the copy is not followed once per way */
	s->hdr_end = n;
	n = ((forget(s->hdr_end) - 1) & (TI_SNAP_MAX - 1)) + 1;
	if (!len || bpf_probe_read_kernel(s->data, n, data))
		return 0;
	v.kind = VIEW_COPY;
	v.copy = s->data;
	v.copy_len = n;
	ti_run(ctx, &v, s, c, HOOK_TRACE, ifindex, x->rxq->queue_index, len);
	return 0;
}

SEC("fexit/xdp")
int ti_xdp_exit(__u64 *ctx)
{
	__u32 verdict = ctx[1];
	struct ti_counters *c;
	struct scratch *s = slot(SLOT_TRACE, &c);
	struct ti_event *e;
	struct ti_flow *f;
	__u32 snap;
	long ret;

	if (!s)
		return 0;
	/* flows counts what the program dropped, per connection */
	if (s->flowed && (verdict == XDP_DROP || verdict == XDP_ABORTED)) {
		f = bpf_map_lookup_elem(&flows, &s->fa.k);
		if (f)
			f->s[s->fa.g.side & 1].xdp_drop++;
	}
	s->flowed = 0;
	if (!s->pending)
		return 0;
	s->pending = 0;
	e = &s->e;
	e->verdict = TI_VERDICT(verdict > 7 ? 7 : verdict);
	snap = e->snap_len;
	snap = snap > TI_SNAP_MAX ? TI_SNAP_MAX : snap;
	if (ti_output == TI_OUT_PERF)
		ret = bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU,
					    e, sizeof(*e) + snap);
	else
		ret = bpf_ringbuf_output(&events, e, sizeof(*e) + snap,
					 wake_flag(e->ts_ns));
	if (ret) {
		if (ti_budget)
			__sync_fetch_and_add(&ti_taken, -1);
		c->n[TI_CNT_LOST]++;
		return 0;
	}
	c->n[TI_CNT_EMITTED]++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
