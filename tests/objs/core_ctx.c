// SPDX-License-Identifier: GPL-2.0
/*
 * core_ctx.c - CO-RE on the context: struct xdp_md as an older or
 * other kernel might have laid it out (fields reordered, one that the
 * running kernel lacks).  Only relocated offsets load at all (the
 * verifier knows the real context), and only they give
 *   ldx_out[0] the frame length (data_end - data)
 *   ldx_out[1] ingress_ifindex    ldx_out[2] rx_queue_index
 *   ldx_out[3] 0: pad_gone does not exist in the kernel's xdp_md
 *   ldx_out[4] 4: the size of data, as the kernel has it
 */
#include "ldx.h"

struct xdp_md___old {
	__u32 ingress_ifindex;
	__u32 pad_gone;
	__u32 data_end;
	__u32 rx_queue_index;
	__u32 data;
} __pai;

LDX_OUT();

SEC("xdp") int core_ctx(struct xdp_md *ctx)
{
	struct xdp_md___old *o = (void *)ctx;
	void *data = (void *)(long)o->data;
	void *end = (void *)(long)o->data_end;

	out(0, end - data);
	out(1, o->ingress_ifindex);
	out(2, o->rx_queue_index);
	out(3, field_exists(o->pad_gone));
	out(4, field_size(o->data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
