// SPDX-License-Identifier: GPL-2.0
/*
 * pinned_reject.c - a map pinned by name in an object whose program the
 * verifier refuses (no bounds check).  The map is created and pinned
 * before the program load fails; a failed load must leave no pin behind
 * (libbpf unpins what it pinned), or the next load would silently reuse
 * a map from a load that never happened.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define LIBBPF_PIN_BY_NAME 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ti_test_pin_rej SEC(".maps");

SEC("xdp")
int pinned_reject(struct xdp_md *ctx)
{
	volatile __u8 *data = (void *)(long)ctx->data;
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&ti_test_pin_rej, &k);

	if (v)
		*v += data[30];	/* unchecked: the verifier refuses */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
