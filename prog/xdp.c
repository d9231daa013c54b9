// SPDX-License-Identifier: GPL-2.0
/*
 * tcpinspect's XDP program: parse Ethernet -> up to two VLAN tags ->
 * IPv4 (options, fragments) or IPv6 (extension header chain) -> TCP, ask
 * the filter, and emit one ti_event plus the first snap bytes of the
 * frame per TCP segment (or later fragment) into the "events" ring
 * buffer, or on kernels without one (or without bpf_xdp_load_bytes) into
 * per-CPU perf buffers through "perf_events" (ti_output).  Every path
 * returns XDP_PASS: we look, we never touch.
 *
 * Built for -mcpu=v3 (JMP32, ALU32: Linux 5.1, before global data).
 *
 * Parsing contract: before any header is read, the check that it lies
 * wholly before data_end is made on the very pointer that is read (the
 * verifier insists).  A header that does not fit ends the parse; if the
 * IP layer was reached, it is counted as malformed, by reason.
 *
 * Shaped for the verifier, whose work grows with the paths it must
 * follow, not with the instructions: the parse (ti_parse), the filter
 * (ti_filter) and the flow table update (ti_flow) are global functions,
 * each verified once on its own, and they hand over through the per-CPU
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
#include "helpers.h"
#include "tcpinspect.h"

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
struct scratch {
	struct ti_pkt m;
	__u16 hdr_end;		/* parse: where the headers end in the frame */
	__u8 nh;		/* parse: IPv6 next header being chased */
	__u8 flags;		/* parse: the TCP flags (byte 13) */
	__u8 ext_cnt;		/* parse: IPv6 extension headers followed */
	__u8 pad[3];
	__u8 ports[4];		/* parse: the TCP ports, as in the frame */
	struct ti_event e;
	__u8 data[TI_SNAP_MAX];	/* the frame's bytes: for the filter
				 * (struct ti_bytes), then for the event */
};

_Static_assert(__builtin_offsetof(struct scratch, e) % 8 == 0, "event alignment");

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
	__uint(max_entries, 1);
} scratch SEC(".maps");

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
 * A header offset the verifier can bound: a packet pointer's variable
 * part and its fixed part must stay under 64 KiB together for a bounds
 * check to count.  Headers beyond 32 KiB into a frame are treated as
 * cut off there (the linear part of a frame is one page, 4 to 64 KiB).
 */
#define OFF_MAX		0x7fff
#define at(data, off)	((void *)(data) + ((off) & OFF_MAX))

/*
 * A value the verifier must not know: read back from scratch, where it
 * was just stored.  Paths that differ only in it then meet again.
 */
#define forget(lv) ({ asm volatile("" ::: "memory"); (lv); })

/*
 * The TCP header at l4 (none for a later fragment), checked whole.
 * ip_len and l3_len (the IP and extension headers) are for the length
 * checks.  What the event needs of it, ti_describe reads later.
 */
static __always_inline int parse_tcp(struct xdp_md *ctx, struct scratch *s,
				     __u32 l4, __u32 ip_len, __u32 l3_len)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct tcphdr *th;
	__u32 hlen;

	s->e.l4_off = s->hdr_end = l4;
	if (s->e.ev_flags & TI_EV_FRAG) {
		/* A later fragment: the TCP header is in another packet. */
		s->m.has_ports = 0;
		return TI_P_TCP;
	}
	th = at(data, l4);
	if ((void *)(th + 1) > end)
		return TI_CNT_TRUNCATED;
	hlen = th->doff * 4;
	if (hlen < sizeof(*th))
		return TI_CNT_BAD_DOFF;
	if (l3_len + hlen > ip_len)
		return TI_CNT_BAD_LEN;
	if ((void *)th + hlen > end)
		return TI_CNT_TRUNCATED;
	__builtin_memcpy(s->ports, th, 4);
	if (s->m.has_ports && (ti_filter_needs & TI_NEED_L4))
		__builtin_memcpy(s->m.l4, th, 16);	/* (else IPv6's window) */
	s->flags = ((__u8 *)th)[13];
	s->hdr_end = l4 + hlen;
	return TI_P_TCP;
}

static __always_inline int parse_ipv4(struct xdp_md *ctx, struct scratch *s,
				      __u32 l3)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = at(data, l3);
	__u32 ihl, ip_len;
	__u16 frag;

	if ((void *)(ip + 1) > end)
		return TI_CNT_TRUNCATED;
	ihl = ip->ihl * 4;
	ip_len = bswap16(ip->tot_len);
	if (ihl < sizeof(*ip))
		return TI_CNT_BAD_IHL;
	if (ip_len < ihl)
		return TI_CNT_BAD_LEN;
	if ((void *)ip + ihl > end)
		return TI_CNT_TRUNCATED;
	s->m.family = 4;
	s->m.proto = ip->protocol;
	if (ti_filter_needs & TI_NEED_L3)
		__builtin_memcpy(s->m.l3, ip, 12);
	__builtin_memcpy(s->m.saddr, &ip->saddr, 4);
	__builtin_memcpy(s->m.daddr, &ip->daddr, 4);
	if (ip->protocol != IPPROTO_TCP)
		return TI_P_OTHER;
	frag = bswap16(ip->frag_off) & 0x1fff;
	s->e.family = 4;
	s->e.ev_flags = frag ? TI_EV_FRAG : 0;
	s->m.has_ports = !frag;
	return parse_tcp(ctx, s, l3 + ihl, ip_len, ihl);
}

/* One IPv6 extension header at off: the offset after it, 0 at the end
 * of the chain (s->nh is then the protocol), or a malformed reason as
 * -(TI_CNT_*).  A fragment header's fields go into the event here. */
static __always_inline int ext_hdr(struct xdp_md *ctx, struct scratch *s,
				   __u32 off)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *cur = at(data, off);
	struct ti_event *e = &s->e;
	__u8 nh = s->nh;

	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
		struct ext_hdr *x = cur;

		if ((void *)(x + 1) > end)
			return -TI_CNT_TRUNCATED;
		s->m.chain |= nh == IPPROTO_HOPOPTS ? TI_CHAIN_HOP :
			      nh == IPPROTO_ROUTING ? TI_CHAIN_ROUTING : TI_CHAIN_DST;
		s->nh = x->nexthdr;
		off += (x->len + 1) * 8;
		if (off > OFF_MAX || at(data, off) > end)
			return -TI_CNT_TRUNCATED;
	} else if (nh == IPPROTO_FRAGMENT) {
		struct frag_hdr *f = cur;

		if ((void *)(f + 1) > end)
			return -TI_CNT_TRUNCATED;
		s->nh = f->nexthdr;
		/* libpcap's protochain reads the reserved byte as a length */
		s->m.chain |= f->reserved ? TI_CHAIN_FRAG | TI_CHAIN_ODD :
			      TI_CHAIN_FRAG;
		if (bswap16(f->frag_off) & 0xfff8)
			e->ev_flags = TI_EV_FRAG;
		off += sizeof(*f);
		if (off > OFF_MAX)
			return -TI_CNT_TRUNCATED;
	} else {
		return 0;
	}
	s->ext_cnt++;
	return off;
}

static __always_inline int parse_ipv6(struct xdp_md *ctx, struct scratch *s,
				      __u32 l3)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = at(data, l3);
	struct ti_event *e = &s->e;
	__u32 off, ip_len, i;
	int r;

	if ((void *)(ip6 + 1) > end)
		return TI_CNT_TRUNCATED;
	s->m.family = 6;
	s->m.proto = s->nh = ip6->nexthdr;
	if (ti_filter_needs & TI_NEED_L3)
		__builtin_memcpy(s->m.l3, ip6, 8);
	__builtin_memcpy(s->m.saddr, &ip6->saddr, 16);
	__builtin_memcpy(s->m.daddr, &ip6->daddr, 16);
	ip_len = sizeof(*ip6) + bswap16(ip6->payload_len);
	/* the filter's window behind the IPv6 header (TCP: parse_tcp's) */
	if ((ti_filter_needs & TI_NEED_L4) && (void *)(ip6 + 1) + 8 <= end)
		__builtin_memcpy(s->m.l4, ip6 + 1, 8);
	e->family = 6;
	e->ev_flags = 0;
	s->ext_cnt = 0;
	off = l3 + sizeof(*ip6);
#pragma unroll
	for (i = 0; i < TI_EXT_MAX; i++) {
		/* Each round starts from what scratch says, not from
		 * what the verifier knows of the rounds before. */
		e->l4_off = off;
		r = ext_hdr(ctx, s, forget(e->l4_off));
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
	return parse_tcp(ctx, s, off, ip_len, off - l3);
}

/* The frame's bytes: the linear part, and with frags the rest. */
static __always_inline __u32 frame_len(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (ti_frags)
		return bpf_xdp_get_buff_len(ctx);
	return end - data;
}

/*
 * The frame's length on the wire, libpcap's len: its bytes, but in
 * replay the capture record's original length, which tcpinspect replay
 * puts in front of the frame as XDP metadata (a cut record is run as
 * the bytes the file has).
 */
static __always_inline __u32 wire_len(struct xdp_md *ctx, __u32 flen)
{
	void *data = (void *)(long)ctx->data;
	struct ti_meta *meta = (void *)(long)ctx->data_meta;

	if (ti_meta && (void *)(meta + 1) <= data &&
	    meta->magic == TI_META_MAGIC)
		return meta->wire_len;
	return flen;
}

/*
 * The frame's first bytes into dst without bpf_xdp_load_bytes: at most
 * TI_LINEAR_COPY, from the linear part, in words (the last one ending
 * at the last byte), unrolled: no loop for the verifier.  How many.
 */
#define TI_LINEAR_COPY	256

static __always_inline __u32 copy_linear(struct xdp_md *ctx, __u8 *dst,
					 __u32 n)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
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
 * more than the headers in s->m (ti_filter_bytes; 0 for most): s->m's
 * caplen says how many are in s->data.
 */
static __always_inline void filter_copy(struct xdp_md *ctx, struct scratch *s,
					__u32 flen)
{
	__u32 n = flen < ti_filter_bytes ? flen : ti_filter_bytes;

	if (ti_output == TI_OUT_PERF) {
		s->m.caplen = copy_linear(ctx, s->data, n);
		return;
	}
	n = ((n - 1) & (TI_SNAP_MAX - 1)) + 1;	/* 1..TI_SNAP_MAX */
	s->m.caplen = bpf_xdp_load_bytes(ctx, 0, s->data, n) ? 0 : n;
}

/*
 * The frame's headers, checked, into s->m (what the filter sees) and
 * the few fields of s->e the program itself needs (family, offsets,
 * fragment flags, TCP flags).  0 for a TCP segment or later fragment;
 * else not one (a malformed IP or TCP header counted in c, by reason).
 */
static __always_inline int ti_parse(struct xdp_md *ctx, struct scratch *s,
				    struct ti_counters *c)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur;
	__u32 i, l3;
	__u16 proto;
	int r;

	/* The addresses (IPv4 fills 4 bytes of each), caplen and the
	 * word at vlan_cnt start at 0; the windows, len and ifindex are
	 * written where they are read. */
	__builtin_memset(s->m.saddr, 0, sizeof(s->m.saddr) + sizeof(s->m.daddr));
	__builtin_memset(&s->m.caplen, 0, __builtin_offsetof(struct ti_pkt, ifindex) -
					  __builtin_offsetof(struct ti_pkt, caplen));
	r = TI_P_OTHER;
	if ((void *)(eth + 1) > end)
		goto out;
	proto = eth->h_proto;
	cur = eth + 1;
#pragma unroll
	for (i = 0; i < TI_VLAN_MAX; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bswap16(ETH_P_8021Q) && proto != bswap16(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			goto out;
		/* the filter's window: TPID, TCI as in the frame */
		if (ti_filter_needs & TI_NEED_TAGS)
			__builtin_memcpy(s->m.tag[i], (void *)vh - 2, 4);
		s->m.vlan_cnt++;
		proto = vh->proto;
		cur = vh + 1;
	}
	l3 = cur - data;
	s->e.l3_off = l3;
	if (proto == bswap16(ETH_P_IP))
		r = parse_ipv4(ctx, s, l3);
	else if (proto == bswap16(ETH_P_IPV6))
		r = parse_ipv6(ctx, s, l3);
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

/* Count one packet of the 5-tuple (m's addresses, the ports as in the
 * frame) in the flow table; 1 if it created the entry, -1 if the table
 * could not take it, else 0. */
static __always_inline int ti_flow(const struct ti_pkt *m,
				   const __u8 *ports, __u32 flags, __u64 now)
{
	struct ti_flow_key k = {};
	struct ti_flow *f, nf = {};
	int ret = 0;

	__builtin_memcpy(k.saddr, m->saddr, 16);
	__builtin_memcpy(k.daddr, m->daddr, 16);
	k.sport = ports[0] << 8 | ports[1];
	k.dport = ports[2] << 8 | ports[3];
	k.family = m->family;
	f = bpf_map_lookup_elem(&flows, &k);
	if (!f) {
		nf.first_ns = now;
		if (bpf_map_update_elem(&flows, &k, &nf, BPF_NOEXIST) == 0)
			ret = 1;
		f = bpf_map_lookup_elem(&flows, &k);	/* ours, or a racer's */
		if (!f)
			return -1;
	}
	__sync_fetch_and_add(&f->packets, 1);
	__sync_fetch_and_add(&f->bytes, m->len);
	f->last_ns = now;
	if ((flags & (TI_TCP_SYN | TI_TCP_ACK)) == TI_TCP_SYN)
		__sync_fetch_and_add(&f->syn, 1);
	if ((flags & (TI_TCP_SYN | TI_TCP_ACK)) == (TI_TCP_SYN | TI_TCP_ACK))
		__sync_fetch_and_add(&f->synack, 1);
	if (flags & TI_TCP_FIN)
		__sync_fetch_and_add(&f->fin, 1);
	if (flags & TI_TCP_RST)
		__sync_fetch_and_add(&f->rst, 1);
	return ret;
}

SEC("xdp")
int tcpinspect(struct xdp_md *ctx)
{
	struct ti_counters *c;
	struct scratch *s;
	struct ti_event *e;
	__u32 zero = 0, snap, len, flen;
	__u64 now;
	long ret;
	int r;

	c = bpf_map_lookup_elem(&counters, &zero);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!c || !s)
		return XDP_PASS;
	if (ti_parse(ctx, s, c))
		return XDP_PASS;
	e = &s->e;
	c->n[e->ev_flags & TI_EV_FRAG ? TI_CNT_FRAGMENT : TI_CNT_TCP]++;
	/* The lengths and bytes the filter reads, only if it reads them:
	 * with multi-buffer frames the length is a helper call. */
	flen = 0;
	if ((ti_filter_needs & TI_NEED_LEN) || ti_filter_bytes)
		flen = frame_len(ctx);
	if (ti_filter_needs & TI_NEED_LEN)
		s->m.len = wire_len(ctx, flen);
	if (ti_filter_needs & TI_NEED_IF) {
		s->m.pkttype = 0;	/* XDP: arriving */
		s->m.ifindex = ctx->ingress_ifindex;
	}
	if (ti_filter_bytes)
		filter_copy(ctx, s, flen);
	if (!ti_filter(&s->m, (const struct ti_bytes *)s->data))
		return XDP_PASS;		/* filtered: not matched */
	if (!flen)
		flen = frame_len(ctx);
	if (!(ti_filter_needs & TI_NEED_LEN))
		s->m.len = wire_len(ctx, flen);
	c->n[TI_CNT_MATCHED]++;

	/* The limits, in the kernel too: they hold if user space stalls.
	 * Each is a constant to the verifier: no cost when unset.  The
	 * clock is read once, and only where the time is needed. */
	now = 0;
	if (ti_deadline) {
		now = bpf_ktime_get_ns();
		if (now > ti_deadline) {
			c->n[TI_CNT_EXPIRED]++;
			return XDP_PASS;
		}
	}
	if ((ti_mode & TI_MODE_FLOWS) && !(e->ev_flags & TI_EV_FRAG)) {
		if (!now)
			now = bpf_ktime_get_ns();
		r = ti_flow(&s->m, s->ports, s->flags, now);
		if (r > 0)
			c->n[TI_CNT_FLOW_NEW]++;
		else if (r < 0)
			c->n[TI_CNT_FLOW_FAIL]++;
	}
	if (ti_mode && !(ti_mode & TI_MODE_EVENTS))
		return XDP_PASS;
	if (ti_sample > 1 && ti_fetch_add(&ti_sample_seq, 1) % ti_sample) {
		c->n[TI_CNT_SAMPLED]++;
		return XDP_PASS;
	}
	if (ti_budget && ti_fetch_add(&ti_taken, 1) >= ti_budget) {
		c->n[TI_CNT_BUDGET]++;
		return XDP_PASS;
	}
	if (!now)
		now = bpf_ktime_get_ns();
	e->ts_ns = now;
	e->ifindex = ctx->ingress_ifindex;
	e->rx_queue = ctx->rx_queue_index;
	e->pkt_len = s->m.len;
	len = flen;
	e->pad = 0;
	/* What the snap length asks for, and at least every header (user
	 * space decodes them), the frame permitting; none if ti_snaplen is
	 * 0 (serve only counts).  1..TI_SNAP_MAX in a form the verifier can
	 * follow into the call (frames have 14 bytes at least). */
	e->cap_len = snap = len < ti_snaplen ? len : ti_snaplen;
	if (snap < s->hdr_end)
		snap = s->hdr_end < len ? s->hdr_end : len;
	_Static_assert(!(TI_SNAP_MAX & (TI_SNAP_MAX - 1)), "power of two");
	snap = ((snap - 1) & (TI_SNAP_MAX - 1)) + 1;
	if (!ti_snaplen)
		e->cap_len = snap = 0;
	if (ti_output == TI_OUT_PERF) {
		/* The kernel appends the frame's first snap bytes itself:
		 * no copy, no bpf_xdp_load_bytes (snap <= the linear part). */
		e->snap_len = snap;
		ret = bpf_perf_event_output(ctx, &perf_events,
					    BPF_F_CURRENT_CPU | (__u64)snap << 32,
					    e, sizeof(*e));
	} else {
		/* the filter's copy may hold them already */
		if (snap && snap > s->m.caplen &&
		    bpf_xdp_load_bytes(ctx, 0, s->data, snap))
			e->cap_len = snap = 0;
		e->snap_len = snap;
		ret = bpf_ringbuf_output(&events, e, sizeof(*e) + snap,
					 wake_flag(now));
	}
	if (ret) {	/* full (-ENOSPC), or no perf buffer on this CPU */
		if (ti_budget)	/* give the slot back: -c counts delivered events */
			__sync_fetch_and_add(&ti_taken, -1);
		c->n[TI_CNT_LOST]++;
		return XDP_PASS;
	}
	c->n[TI_CNT_EMITTED]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
