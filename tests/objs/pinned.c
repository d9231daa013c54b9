// SPDX-License-Identifier: GPL-2.0
/*
 * pinned.c - a map pinned by name (libbpf's LIBBPF_PIN_BY_NAME) next to
 * one that is not.  For a frame with byte k at offset 42:
 * ti_test_pinned[k] += 1 and scratch[0] += 1; XDP_PASS.
 *
 * Loaded twice under one pin directory, the second load must reuse the
 * first's ti_test_pinned (its count goes on) and create scratch afresh.
 * pinned_bad.c and pinned_bad_type.c define a ti_test_pinned that does
 * not match: reusing the pin must be refused.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define LIBBPF_PIN_BY_NAME 1
#define ARG_OFF 42

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ti_test_pinned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} scratch SEC(".maps");

SEC("xdp")
int pinned(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u64 one = 1, *v;
	__u32 k, zero = 0;

	if (data + ARG_OFF + 1 > end)
		return XDP_ABORTED;
	k = data[ARG_OFF];
	v = bpf_map_lookup_elem(&ti_test_pinned, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&ti_test_pinned, &k, &one, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&scratch, &zero);
	if (v)
		*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
