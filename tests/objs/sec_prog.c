// SPDX-License-Identifier: GPL-2.0
/*
 * sec_prog.c - iproute2's default section, "prog", with a program in a
 * section named by no convention before it: without --section, "prog"
 * is taken (said on stderr), and it counts frames in ldx_out[0].
 */
#include "ldx.h"

LDX_OUT();

SEC("classifier") int not_xdp(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("prog") int prog_count(struct xdp_md *ctx)
{
	count_frame();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
