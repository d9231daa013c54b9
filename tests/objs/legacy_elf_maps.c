// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_elf_maps.c - the same program as legacy_maps.c written the way
 * iproute2's examples are: struct bpf_elf_map records of nine __u32
 * (include/bpf_elf.h) with the iproute2-only fields left zero, the
 * BPF_FUNC() helper macro, raw byte offsets instead of header structs.
 *
 * The loader must take the 36-byte record size from the symbols and
 * accept the extra fields because they are zero (legacy_bad.c sets one).
 */
#include <linux/bpf.h>
#include <linux/types.h>

#ifndef __section
# define __section(NAME) __attribute__((section(NAME), used))
#endif
#define __section_maps		__section("maps")
#define __section_license	__section("license")
#ifndef __maybe_unused
# define __maybe_unused		__attribute__((__unused__))
#endif

#define BPF_FUNC(NAME, ...) \
	(*NAME)(__VA_ARGS__) __maybe_unused = (void *)BPF_FUNC_##NAME

#define PIN_NONE	0
#define LEG_MARK	0x4c454741ull	/* "LEGA" */

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

static void *BPF_FUNC(map_lookup_elem, void *map, const void *key);
static int BPF_FUNC(map_update_elem, void *map, const void *key,
		    const void *value, __u32 flags);

struct bpf_elf_map __section_maps proto_cnt = {
	.type		= BPF_MAP_TYPE_ARRAY,
	.size_key	= sizeof(__u32),
	.size_value	= sizeof(__u64),
	.max_elem	= 256,
	.pinning	= PIN_NONE,
};

struct bpf_elf_map __section_maps marker = {
	.type		= BPF_MAP_TYPE_HASH,
	.size_key	= sizeof(__u64),
	.size_value	= sizeof(__u32),
	.max_elem	= 4,
};

struct bpf_elf_map __section_maps last_proto = {
	.type		= BPF_MAP_TYPE_ARRAY,
	.size_key	= sizeof(__u32),
	.size_value	= sizeof(__u32),
	.max_elem	= 1,
};

__section("xdp/elf_maps")
int elf_count(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u64 mark = LEG_MARK;
	__u32 len = end - data, key, zero = 0, *last;
	__u64 *cnt;

	/* Ethernet type at 12, IPv4 protocol at 14 + 9. */
	if (data + 14 + 20 > end || data[12] != 0x08 || data[13] != 0x00)
		return XDP_DROP;
	key = data[23];
	cnt = map_lookup_elem(&proto_cnt, &key);
	if (cnt)
		*cnt += 1;
	map_update_elem(&marker, &mark, &len, BPF_ANY);
	last = map_lookup_elem(&last_proto, &zero);
	if (last)
		*last = key;
	return XDP_PASS;
}

char __license[] __section_license = "GPL";
