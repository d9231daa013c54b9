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
 * Built twice: for -mcpu=v3, and for kernels without JMP32/ALU32 or
 * atomic fetch (BPF_FETCH, 5.12) for -mcpu=v2 with TI_NO_FETCH.
 *
 * Parsing contract: before any header is read, the check that it lies
 * wholly before data_end is made on the very pointer that is read (the
 * verifier insists).  A header that does not fit ends the parse; if the
 * IP layer was reached, it is counted as malformed, by reason.
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

/* An event and its snapped bytes, assembled off the stack. */
struct scratch {
	struct ti_event e;
	__u8 data[TI_SNAP_MAX];
};

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
	__type(value, __u64);
	__uint(max_entries, TI_CNT_MAX);
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
__u64 ti_taken;				/* events asked for against the budget */
__u64 ti_woken;				/* last reader wake-up, ktime ns */

#ifdef TI_NO_FETCH
/*
 * No atomic fetch (kernels before 5.12 reject BPF_FETCH anywhere in a
 * program, dead code included): read, then add.  CPUs racing here may
 * read the same value, so the kernel's -c may let a few more events
 * through (user space still stops at -c and counts the rest as over the
 * budget) and --sample may pick one more or fewer.
 */
#define fetch_add(p, v) ({					\
	__u64 old_ = *(volatile __u64 *)(p);			\
	__sync_fetch_and_add(p, v);	/* result unused: XADD */	\
	old_;							\
})
#else
#define fetch_add(p, v) __sync_fetch_and_add(p, v)
#endif

/*
 * The filter.  This body accepts everything; the loader replaces it
 * with the instructions filter.c compiles from the command line.  Weak
 * and not inlined, so that clang keeps the call and assumes nothing
 * about the result.
 */
__attribute__((noinline, weak)) int ti_filter(const struct ti_pkt *p)
{
	/* Verified alone as a global function: p may be NULL to it. */
	return p && p->len != 0xffffffff;
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += 1;	/* per-CPU slot: no atomics needed */
}

/*
 * Whether this ring buffer record wakes the reader.  By default the
 * kernel wakes it whenever the ring was empty: with a reader that keeps
 * up, that is an irq_work and an IPI on this CPU for every packet, and
 * it cost more than everything else here together (a receive rate of
 * 0.95 M against 1.8 M frames/s on a veth).  So wake at most once per
 * TI_WAKE_NS, or when the ring is half full; the reader looks again
 * TI_WAKE_NS after every round that found records.  CPUs race on
 * ti_woken harmlessly: the worst is a wake-up too many.
 */
static __always_inline __u64 wake_flag(__u64 now)
{
	if (now - ti_woken < TI_WAKE_NS &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) <
	    bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2)
		return BPF_RB_NO_WAKEUP;
	ti_woken = now;
	return BPF_RB_FORCE_WAKEUP;
}

/* Count one packet of the 5-tuple in m in the flow table. */
static __always_inline void flow_count(const struct ti_pkt *m, __u8 flags,
				       __u64 now)
{
	struct ti_flow_key k = {};
	struct ti_flow *f, nf = {};

	__builtin_memcpy(k.saddr, m->saddr, 16);
	__builtin_memcpy(k.daddr, m->daddr, 16);
	k.sport = m->sport;
	k.dport = m->dport;
	k.family = m->family;
	f = bpf_map_lookup_elem(&flows, &k);
	if (!f) {
		nf.first_ns = now;
		if (bpf_map_update_elem(&flows, &k, &nf, BPF_NOEXIST) == 0)
			count(TI_CNT_FLOW_NEW);
		f = bpf_map_lookup_elem(&flows, &k);	/* ours, or a racer's */
		if (!f) {
			count(TI_CNT_FLOW_FAIL);
			return;
		}
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
}

/*
 * a - b as a plain number.  With ALU32 (-mcpu=v3) clang may otherwise
 * fold the difference into the 32-bit sums it is used in, and the
 * verifier refuses 32-bit arithmetic on a pointer.
 */
static __always_inline __u32 ptr_diff(const void *a, const void *b)
{
	long d = a - b;

	asm volatile("" : "+r"(d));
	return d;
}

static __always_inline int malformed(__u32 reason)
{
	count(TI_CNT_MALFORMED);
	count(reason);
	return XDP_PASS;
}

SEC("xdp")
int tcpinspect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ti_pkt m = {};
	struct ethhdr *eth = data;
	struct tcphdr *th = 0;
	struct scratch *s;
	struct ti_event *e;
	void *cur, *l3;
	__u32 ip_len, hlen = 0, snap, zero = 0, flow = 0, frag_id = 0, i, l3_len;
	__u64 now;
	long ret;
	__u16 proto, ip_id = 0, frag_off = 0;
	__u8 ev_flags = 0, ttl, tos, nh = 0, ext_cnt = 0;

	count(TI_CNT_SEEN);
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = eth->h_proto;
	cur = eth + 1;
#pragma unroll
	for (i = 0; i < TI_VLAN_MAX; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bswap16(ETH_P_8021Q) && proto != bswap16(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			return XDP_PASS;
		m.vlan[i] = bswap16(vh->tci) & 0x0fff;
		m.vlan_cnt++;
		proto = vh->proto;
		cur = vh + 1;
	}
	l3 = cur;

	if (proto == bswap16(ETH_P_IP)) {
		struct iphdr *ip = cur;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return malformed(TI_CNT_TRUNCATED);
		ihl = ip->ihl * 4;
		ip_len = bswap16(ip->tot_len);
		if (ihl < sizeof(*ip))
			return malformed(TI_CNT_BAD_IHL);
		if (ip_len < ihl)
			return malformed(TI_CNT_BAD_LEN);
		if (cur + ihl > end)
			return malformed(TI_CNT_TRUNCATED);
		m.family = 4;
		m.proto = ip->protocol;
		__builtin_memcpy(m.saddr, &ip->saddr, 4);
		__builtin_memcpy(m.daddr, &ip->daddr, 4);
		if (ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		ttl = ip->ttl;
		tos = ip->tos;
		ip_id = bswap16(ip->id);
		frag_off = bswap16(ip->frag_off);
		ev_flags |= (frag_off & 0x4000 ? TI_EV_DF : 0) |
			    (frag_off & 0x2000 ? TI_EV_MF : 0);
		frag_off = (frag_off & 0x1fff) * 8;
		cur += ihl;
		nh = IPPROTO_TCP;
		/* tcp[13] for the filter, which checks has_ports itself. */
		if (cur + 14 <= end) {
			m.tcp_flags = ((__u8 *)cur)[13];
			m.has_flags = 1;
		}
		m.has_ports = !frag_off;
	} else if (proto == bswap16(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;

		if ((void *)(ip6 + 1) > end)
			return malformed(TI_CNT_TRUNCATED);
		m.family = 6;
		m.proto = ip6->nexthdr;
		__builtin_memcpy(m.saddr, &ip6->saddr, 16);
		__builtin_memcpy(m.daddr, &ip6->daddr, 16);
		ip_len = sizeof(*ip6) + bswap16(ip6->payload_len);
		ttl = ip6->hop_limit;
		tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
		flow = ((ip6->flow_lbl[0] & 0x0f) << 16) |
		       (ip6->flow_lbl[1] << 8) | ip6->flow_lbl[2];
		nh = ip6->nexthdr;
		cur = ip6 + 1;
#pragma unroll
		for (i = 0; i < TI_EXT_MAX; i++) {
			if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
			    nh == IPPROTO_DSTOPTS) {
				struct ext_hdr *x = cur;

				if ((void *)(x + 1) > end)
					return malformed(TI_CNT_TRUNCATED);
				nh = x->nexthdr;
				cur += (x->len + 1) * 8;
				if (cur > end)
					return malformed(TI_CNT_TRUNCATED);
			} else if (nh == IPPROTO_FRAGMENT) {
				struct frag_hdr *f = cur;

				if ((void *)(f + 1) > end)
					return malformed(TI_CNT_TRUNCATED);
				nh = f->nexthdr;
				if (!ext_cnt)	/* libpcap looks behind this one */
					m.frag_nh = nh;
				frag_off = bswap16(f->frag_off);
				ev_flags |= TI_EV_V6FRAG |
					    (frag_off & 1 ? TI_EV_MF : 0);
				frag_off &= 0xfff8;
				frag_id = bswap32(f->id);
				cur = f + 1;
			} else {
				break;
			}
			ext_cnt++;
			if (frag_off)	/* a later fragment: the rest is data */
				break;
		}
		if (nh != IPPROTO_TCP) {
			if (i == TI_EXT_MAX &&
			    (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
			     nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT))
				return malformed(TI_CNT_BAD_EXT);
			return XDP_PASS;
		}
		/* libpcap does not chase extension headers. */
		if (m.proto == IPPROTO_TCP && cur + 14 <= end) {
			m.tcp_flags = ((__u8 *)cur)[13];
			m.has_flags = 1;
		}
		m.has_ports = m.proto == IPPROTO_TCP;
	} else {
		return XDP_PASS;
	}

	l3_len = ptr_diff(cur, l3);	/* IP header and extension headers */
	if (frag_off) {
		/* A later fragment: the TCP header is in another packet. */
		count(TI_CNT_FRAGMENT);
		ev_flags |= TI_EV_FRAG;
		m.has_ports = 0;
	} else {
		th = cur;
		if ((void *)(th + 1) > end)
			return malformed(TI_CNT_TRUNCATED);
		hlen = th->doff * 4;
		if (hlen < sizeof(*th))
			return malformed(TI_CNT_BAD_DOFF);
		if (l3_len + hlen > ip_len)
			return malformed(TI_CNT_BAD_LEN);
		if (cur + hlen > end)
			return malformed(TI_CNT_TRUNCATED);
		count(TI_CNT_TCP);
		m.sport = bswap16(th->source);
		m.dport = bswap16(th->dest);
	}
	m.len = end - data;

	if (!ti_filter(&m)) {
		count(TI_CNT_FILTERED);
		return XDP_PASS;
	}
	count(TI_CNT_MATCHED);

	/* The limits, in the kernel too: they hold if user space stalls.
	 * Each is a constant to the verifier: no cost when unset. */
	now = bpf_ktime_get_ns();
	if (ti_deadline && now > ti_deadline) {
		count(TI_CNT_EXPIRED);
		return XDP_PASS;
	}
	if ((ti_mode & TI_MODE_FLOWS) && th)
		flow_count(&m, ((__u8 *)th)[13], now);
	if (ti_mode && !(ti_mode & TI_MODE_EVENTS))
		return XDP_PASS;
	if (ti_sample > 1 && fetch_add(&ti_sample_seq, 1) % ti_sample) {
		count(TI_CNT_SAMPLED);
		return XDP_PASS;
	}
	if (ti_budget && fetch_add(&ti_taken, 1) >= ti_budget) {
		count(TI_CNT_BUDGET);
		return XDP_PASS;
	}
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return XDP_PASS;
	e = &s->e;
	e->ts_ns = now;
	e->ifindex = ctx->ingress_ifindex;
	e->rx_queue = ctx->rx_queue_index;
	e->pkt_len = m.len;
	__builtin_memcpy(e->saddr, m.saddr, 16);
	__builtin_memcpy(e->daddr, m.daddr, 16);
	e->ip_len = ip_len;
	e->flow_label = flow;
	e->frag_id = frag_id;
	e->vlan[0] = m.vlan[0];
	e->vlan[1] = m.vlan[1];
	e->ip_id = ip_id;
	e->frag_off = frag_off;
	e->l3_off = ptr_diff(l3, data);
	e->l4_off = ptr_diff(cur, data);
	e->family = m.family;
	e->ev_flags = ev_flags;
	e->ttl = ttl;
	e->tos = tos;
	e->vlan_cnt = m.vlan_cnt;
	e->ext_cnt = ext_cnt;
	e->pad = 0;
	if (th) {
		e->seq = bswap32(th->seq);
		e->ack = bswap32(th->ack_seq);
		e->sport = m.sport;
		e->dport = m.dport;
		e->window = bswap16(th->window);
		e->urg_ptr = bswap16(th->urg_ptr);
		e->tcp_flags = ((__u8 *)th)[13];
		e->tcp_hlen = hlen;
		e->payload_len = ip_len - l3_len - hlen;
	} else {
		e->seq = e->ack = 0;
		e->sport = e->dport = e->window = e->urg_ptr = 0;
		e->tcp_flags = e->tcp_hlen = 0;
		e->payload_len = ip_len > l3_len ? ip_len - l3_len : 0;
	}

	snap = m.len < ti_snaplen ? m.len : ti_snaplen;
	_Static_assert(!(TI_SNAP_MAX & (TI_SNAP_MAX - 1)), "power of two");
	/* 1..TI_SNAP_MAX in a form the verifier can follow into the call
	 * (frames have 14 bytes at least, the loader keeps snaplen >= 1). */
	snap = ((snap - 1) & (TI_SNAP_MAX - 1)) + 1;
	if (ti_output == TI_OUT_PERF) {
		/* The kernel appends the frame's first snap bytes itself:
		 * no copy, no bpf_xdp_load_bytes (snap <= the linear part). */
		e->snap_len = snap;
		ret = bpf_perf_event_output(ctx, &perf_events,
					    BPF_F_CURRENT_CPU | (__u64)snap << 32,
					    e, sizeof(*e));
	} else {
		if (bpf_xdp_load_bytes(ctx, 0, s->data, snap))
			snap = 0;
		e->snap_len = snap;
		ret = bpf_ringbuf_output(&events, s, sizeof(*e) + snap,
					 wake_flag(now));
	}
	if (ret) {	/* full (-ENOSPC), or no perf buffer on this CPU */
		if (ti_budget)	/* give the slot back: -c counts delivered events */
			__sync_fetch_and_add(&ti_taken, -1);
		count(TI_CNT_LOST);
		return XDP_PASS;
	}
	count(TI_CNT_EMITTED);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
