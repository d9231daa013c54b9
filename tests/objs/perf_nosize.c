// SPDX-License-Identifier: GPL-2.0
/* perf_nosize.c - a perf event array without max_entries: the loader
 * gives it a slot per possible CPU, as libbpf does. */
#include "ldx.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("xdp") int perf_nosize(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &len, sizeof(len));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
