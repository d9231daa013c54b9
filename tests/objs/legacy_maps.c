// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_maps.c - maps in the legacy "maps" section, written the way the
 * kernel's old samples/bpf did: struct bpf_map_def records of five __u32,
 * helpers declared here, no BTF needed (also built without -g).
 *
 * Three maps, so that the loader must take each record's extent from its
 * symbol: proto_cnt (array: IPv4 protocol -> frames), marker (hash with
 * 8-byte keys: LEG_MARK -> length of the last IPv4 frame) and last_proto
 * (array of one: the last protocol).  The key sizes differ, so a map
 * reference patched to the wrong map fails the verifier or the checks.
 * Returns XDP_PASS for IPv4, XDP_DROP for anything else.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#define SEC(NAME) __attribute__((section(NAME), used))

#define LEG_MARK 0x4c454741ull	/* "LEGA" */

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

static void *(*bpf_map_lookup_elem)(void *map, void *key) =
	(void *)BPF_FUNC_map_lookup_elem;
static int (*bpf_map_update_elem)(void *map, void *key, void *value,
				  unsigned long long flags) =
	(void *)BPF_FUNC_map_update_elem;

struct bpf_map_def SEC("maps") proto_cnt = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

struct bpf_map_def SEC("maps") marker = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(__u32),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") last_proto = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1,
};

SEC("xdp/legacy")
int legacy_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 mark = LEG_MARK;
	__u32 len = end - data, key, zero = 0, *last;
	__u64 *cnt;

	if ((void *)(ip + 1) > end || eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return XDP_DROP;
	key = ip->protocol;
	cnt = bpf_map_lookup_elem(&proto_cnt, &key);
	if (cnt)
		*cnt += 1;
	bpf_map_update_elem(&marker, &mark, &len, BPF_ANY);
	last = bpf_map_lookup_elem(&last_proto, &zero);
	if (last)
		*last = key;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
