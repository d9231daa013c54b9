// SPDX-License-Identifier: GPL-2.0
/*
 * btf_maps.c - BTF-defined maps using every attribute the loader reads,
 * libbpf style through our prog/helpers.h:
 *
 *   by_type   ARRAY     __type(key/value)                  8 entries
 *   by_size   HASH      __uint(key_size/value_size), BPF_F_NO_PREALLOC
 *   flows     LRU_HASH  struct key and value, BPF_F_NUMA_NODE + numa_node 0
 *
 * For each IPv4 frame: by_type[protocol & 7] += 1 (64-bit atomic add),
 * by_size[flow] = { frame length, source port, BTF_MARK } and flows[flow]
 * counts frames and bytes.  Returns XDP_PASS, or XDP_DROP if not IPv4.
 * The test compares the kernel's view of each map (type, sizes, flags)
 * with the definitions and reads the values back.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "helpers.h"

#define BTF_MARK 0xb7b7b7b7u

/* Addresses and port as on the wire. */
struct flow {
	__u32 saddr;
	__u16 sport;
	__u8 proto;
	__u8 pad;
};

struct flow_stats {
	__u64 pkts;
	__u64 bytes;
};

struct size_val {
	__u32 len;
	__u32 sport;
	__u32 mark;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} by_type SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(struct flow));
	__uint(value_size, sizeof(struct size_val));
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} by_size SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow);
	__type(value, struct flow_stats);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
} flows SEC(".maps");

SEC("xdp")
int btf_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct flow f = {};
	struct size_val sv;
	struct flow_stats *st, init;
	__u32 len = end - data, idx;
	__u64 *n;

	if ((void *)(udp + 1) > end || eth->h_proto != bswap16(ETH_P_IP))
		return XDP_DROP;
	idx = ip->protocol & 7;
	n = bpf_map_lookup_elem(&by_type, &idx);
	if (n)
		__sync_fetch_and_add(n, 1);

	f.saddr = ip->saddr;
	f.sport = udp->source;
	f.proto = ip->protocol;
	sv.len = len;
	sv.sport = bswap16(udp->source);
	sv.mark = BTF_MARK;
	bpf_map_update_elem(&by_size, &f, &sv, BPF_ANY);

	st = bpf_map_lookup_elem(&flows, &f);
	if (st) {
		st->pkts += 1;
		st->bytes += len;
	} else {
		init.pkts = 1;
		init.bytes = len;
		bpf_map_update_elem(&flows, &f, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
