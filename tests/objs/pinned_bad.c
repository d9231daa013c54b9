// SPDX-License-Identifier: GPL-2.0
/*
 * pinned_bad.c - pinned.c's ti_test_pinned with a 4-byte value: loading
 * this where pinned.c's map is pinned must fail, naming the map.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define LIBBPF_PIN_BY_NAME 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 16);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ti_test_pinned SEC(".maps");

SEC("xdp")
int pinned_bad(struct xdp_md *ctx)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&ti_test_pinned, &k);

	return v ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
