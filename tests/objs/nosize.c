// SPDX-License-Identifier: GPL-2.0
/* nosize.c - a hash map without max_entries: refused, naming the map
 * and saying "max_entries 0". */
#include "ldx.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
} unsized SEC(".maps");

SEC("xdp") int nosize(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&unsized, &k) ? XDP_PASS : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
