// SPDX-License-Identifier: GPL-2.0
/*
 * sec_frags.c - section xdp.frags: loaded with BPF_F_XDP_HAS_FRAGS, so
 * that it may run on a veth whose MTU is above a page (the kernel
 * refuses a program without it there).  ldx_out[0]: the longest frame
 * seen, all its buffers (bpf_xdp_get_buff_len).
 */
#include "ldx.h"

LDX_OUT();

SEC("xdp.frags") int frags_len(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&ldx_out, &k), len = bpf_xdp_get_buff_len(ctx);

	if (v && len > *v)
		*v = len;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
