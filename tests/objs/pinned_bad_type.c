// SPDX-License-Identifier: GPL-2.0
/*
 * pinned_bad_type.c - pinned.c's ti_test_pinned as an array (same key and
 * value sizes, same max_entries): reusing the pinned hash must fail.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define LIBBPF_PIN_BY_NAME 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ti_test_pinned SEC(".maps");

SEC("xdp")
int pinned_bad_type(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&ti_test_pinned, &k);

	return v ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
