// SPDX-License-Identifier: GPL-2.0
/*
 * tcpinspect's XDP program: parse Ethernet -> [802.1Q/802.1ad] -> IPv4 or
 * IPv6 -> TCP and emit one ti_event per TCP segment into the "events" ring
 * buffer.  Every path returns XDP_PASS: we look, we never touch.
 *
 * Contract of the parsing helpers: each takes a cursor and the end of the
 * frame, checks that the header it reads lies wholly before the end (the
 * verifier demands the check on the very pointer it dereferences), and
 * advances the cursor.  A header that does not fit ends the parse.
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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TI_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, TI_CNT_MAX);
} counters SEC(".maps");

const volatile __u64 ti_budget = 0;	/* TI_VAR_BUDGET */
__u64 ti_taken;				/* events asked for against it */

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += 1;	/* per-CPU slot: no atomics needed */
}

SEC("xdp")
int tcpinspect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *cur = data;
	struct ethhdr *eth = cur;
	struct tcphdr *th;
	struct ti_event *e;
	__u16 proto, vlan = 0;
	__u8 ev_flags = 0;
	__u32 ip_len, l4_off, hlen;

	count(TI_CNT_SEEN);
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = eth->h_proto;
	cur = eth + 1;
	if (proto == bswap16(ETH_P_8021Q) || proto == bswap16(ETH_P_8021AD)) {
		struct vlan_hdr *vh = cur;

		if ((void *)(vh + 1) > end)
			return XDP_PASS;
		vlan = bswap16(vh->tci) & 0x0fff;
		ev_flags |= TI_EV_VLAN;
		proto = vh->proto;
		cur = vh + 1;
	}

	/* Fill the addresses into a stack copy; reserve only for TCP. */
	__u8 family;
	__u8 saddr[16] = {}, daddr[16] = {};

	if (proto == bswap16(ETH_P_IP)) {
		struct iphdr *ip = cur;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		if (ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		/* Later fragments carry no TCP header: never decode them. */
		if (ip->frag_off & bswap16(0x1fff))
			return XDP_PASS;
		ihl = ip->ihl * 4;
		ip_len = bswap16(ip->tot_len);
		if (ihl < sizeof(*ip) || ip_len < ihl) {
			count(TI_CNT_MALFORMED);
			return XDP_PASS;
		}
		__builtin_memcpy(saddr, &ip->saddr, 4);
		__builtin_memcpy(daddr, &ip->daddr, 4);
		family = 4;
		th = cur + ihl;
		l4_off = ihl;
	} else if (proto == bswap16(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		if (ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		__builtin_memcpy(saddr, &ip6->saddr, 16);
		__builtin_memcpy(daddr, &ip6->daddr, 16);
		family = 6;
		ip_len = sizeof(*ip6) + bswap16(ip6->payload_len);
		th = (void *)(ip6 + 1);
		l4_off = sizeof(*ip6);
	} else {
		return XDP_PASS;
	}

	if ((void *)(th + 1) > end) {
		count(TI_CNT_MALFORMED);
		return XDP_PASS;
	}
	hlen = th->doff * 4;
	/* Options must be in the frame too: a cut header is not decoded. */
	if (hlen < sizeof(*th) || l4_off + hlen > ip_len ||
	    (void *)th + hlen > end) {
		count(TI_CNT_MALFORMED);
		return XDP_PASS;
	}
	count(TI_CNT_TCP);

	/* ti_budget is a constant to the verifier: no cost when unset. */
	if (ti_budget && __sync_fetch_and_add(&ti_taken, 1) >= ti_budget) {
		count(TI_CNT_BUDGET);
		return XDP_PASS;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (ti_budget)	/* give the slot back: -c counts delivered events */
			__sync_fetch_and_add(&ti_taken, -1);
		count(TI_CNT_LOST);
		return XDP_PASS;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->ifindex = ctx->ingress_ifindex;
	e->rx_queue = ctx->rx_queue_index;
	e->pkt_len = end - data;
	e->payload_len = ip_len - l4_off - hlen;
	__builtin_memcpy(e->saddr, saddr, 16);
	__builtin_memcpy(e->daddr, daddr, 16);
	e->seq = bswap32(th->seq);
	e->ack = bswap32(th->ack_seq);
	e->sport = bswap16(th->source);
	e->dport = bswap16(th->dest);
	e->window = bswap16(th->window);
	e->vlan = vlan;
	e->family = family;
	e->tcp_flags = ((__u8 *)th)[13];
	e->tcp_hlen = hlen;
	e->ev_flags = ev_flags;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	count(TI_CNT_EMITTED);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
