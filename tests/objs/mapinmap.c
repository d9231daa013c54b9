// SPDX-License-Identifier: GPL-2.0
/*
 * mapinmap.c - an array of maps initialised in the object, with every
 * macro written out here as users do who copy libbpf's bpf_helpers.h:
 * outer's `values` put inner_a in slot 0 and inner_b in slot 1 (relocations
 * in .rel.maps); slot 2 stays empty.
 *
 * For a frame with bytes o, k, v at offset 42: inner = outer[o & 3];
 * inner[k & 3] += 0x1000 + v; XDP_PASS.  An empty slot: XDP_DROP.  The
 * test reads inner_a and inner_b through their own fds.
 */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

#define ARG_OFF 42

static void *(*bpf_map_lookup_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_lookup_elem;

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_def inner_a SEC(".maps");
struct inner_def inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

SEC("xdp/mapinmap")
int map_in_map(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u32 o, k;
	__u64 *v;
	void *inner;

	if (data + ARG_OFF + 3 > end)
		return XDP_ABORTED;
	o = data[ARG_OFF] & 3;
	k = data[ARG_OFF + 1] & 3;
	inner = bpf_map_lookup_elem(&outer, &o);
	if (!inner)
		return XDP_DROP;
	v = bpf_map_lookup_elem(inner, &k);
	if (!v)
		return XDP_ABORTED;
	*v += 0x1000 + data[ARG_OFF + 2];
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
