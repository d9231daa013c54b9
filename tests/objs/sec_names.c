// SPDX-License-Identifier: GPL-2.0
/*
 * sec_names.c - programs in sections named iproute2's way, and functions
 * in an executable section called "static" that both call:
 *   pass_all      (section xdp_pass): passes everything, ldx_out[0] = 41
 *   xdp_drop_8082 (section xdp_drop_port): drops TCP to port 8082, ldx_out[1] = 4
 *   in_static, twice (section static): subprograms, the first one static
 * Without --section the first, pass_all, is taken.
 */
#include "ldx.h"

#define ETH_HLEN	14

LDX_OUT();

static __attribute__((noinline, section("static"))) int in_static(int x)
{
	return x + 1;
}

__attribute__((noinline, section("static"))) int twice(int x)
{
	return 2 * x;
}

SEC("xdp_pass") int pass_all(struct xdp_md *ctx)
{
	out(0, in_static(twice(20)));	/* 41 */
	return XDP_PASS;
}

SEC("xdp_drop_port") int xdp_drop_8082(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + ETH_HLEN, *tcp;

	out(1, twice(in_static(1)));	/* 4 */
	if (ip + 20 > end || data[12] != 0x08 || data[13] != 0 || ip[9] != 6)
		return XDP_PASS;
	tcp = ip + (ip[0] & 0xf) * 4;
	if (tcp + 4 > end)
		return XDP_PASS;
	return tcp[2] == 8082 >> 8 && tcp[3] == (8082 & 0xff) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
