// SPDX-License-Identifier: GPL-2.0
/*
 * reject_sub.c - like reject.c, but the unchecked read is in a
 * subprogram in .text called after a valid main body: the verifier's
 * message must come with the subprogram's source line, which needs the
 * loader to carry func_info and line_info over to the appended copy.
 * The harness finds the expected line by the marker comment below.
 */
#include <linux/bpf.h>

#define SEC(NAME) __attribute__((section(NAME), used))

static __attribute__((noinline)) int peek(volatile unsigned char *p)
{
	return p[30]; /* REJECT_HERE: no bounds check */
}

SEC("xdp")
int reject_sub(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (data + 14 > end)
		return XDP_DROP;
	return peek(data) == 6 ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
