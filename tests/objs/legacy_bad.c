// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_bad.c - an iproute2-style map that asks for PIN_GLOBAL_NS in its
 * pinning field.  We do not implement iproute2's pinning: the loader must
 * refuse the non-zero extra field with a message naming the map, rather
 * than quietly create an unpinned map.
 */
#include <linux/bpf.h>
#include <linux/types.h>

#define __section(NAME) __attribute__((section(NAME), used))

#define PIN_GLOBAL_NS	2

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

static void *(*map_lookup_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_lookup_elem;

struct bpf_elf_map __section("maps") global_cnt = {
	.type		= BPF_MAP_TYPE_ARRAY,
	.size_key	= sizeof(__u32),
	.size_value	= sizeof(__u64),
	.max_elem	= 1,
	.pinning	= PIN_GLOBAL_NS,
};

__section("xdp")
int bad_pin(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *cnt = map_lookup_elem(&global_cnt, &zero);

	if (cnt)
		*cnt += 1;
	return XDP_PASS;
}

char __license[] __section("license") = "GPL";
