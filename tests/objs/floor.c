// SPDX-License-Identifier: GPL-2.0
/*
 * What an event costs at the least, for bench_prog: the kernel's own
 * helpers that tcpinspect's program calls for one event, and nothing of
 * its own.  "floor_clock" reads the clock; "floor_event" reads it,
 * copies the frame's first 74 bytes behind a 32-byte event in a per-CPU
 * value, and outputs the 106 bytes to a ring buffer, as the program does
 * for the SYN bench_prog sends.
 */
#include <linux/bpf.h>
#include "helpers.h"

struct rec {
	__u64 ts;
	__u8 rest[24];
	__u8 frame[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} floor_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct rec);
	__uint(max_entries, 1);
} floor_scratch SEC(".maps");

__u64 floor_sink;

SEC("xdp/clock") int floor_clock(struct xdp_md *ctx)
{
	floor_sink = bpf_ktime_get_ns();
	return XDP_PASS;
}

SEC("xdp/event") int floor_event(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct rec *r = bpf_map_lookup_elem(&floor_scratch, &zero);

	if (!r)
		return XDP_PASS;
	r->ts = bpf_ktime_get_ns();
	if (bpf_xdp_load_bytes(ctx, 0, r->frame, 74))
		return XDP_PASS;
	bpf_ringbuf_output(&floor_events, r, 32 + 74, BPF_RB_NO_WAKEUP);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
