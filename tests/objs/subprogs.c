// SPDX-License-Identifier: GPL-2.0
/*
 * subprogs.c - BPF-to-BPF calls.  Three functions in .text, never inlined:
 *
 *   sq_plus(x)   = x * x + 3                       static, a leaf
 *   twice_sq(x)  = 2 * sq_plus(x) + sq_plus(x + 1) static, calls sq_plus
 *   mix(a, b)    = twice_sq(a) ^ (b << 4)          global, calls twice_sq
 *
 * Each also counts its calls in calls[] (.bss), so the subprograms carry
 * map relocations of their own.  Two programs use them, each needing its
 * own copy of the call graph appended:
 *
 *   sub_a (xdp/sub_a): res[0] = sq_plus(twice_sq(x))
 *   sub_b (xdp/sub_b): res[1] = mix(x, y)
 *
 * x and y are the bytes at offsets 42 and 43 (after Ethernet + IPv4 +
 * UDP).  Both return the low 8 bits of their result + 8, which is no XDP
 * action: a wrong call target cannot return it by accident.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define ARG_OFF 42

__u64 calls[3];		/* sq_plus, twice_sq, mix */
__u32 res[2];

static __attribute__((noinline)) __u32 sq_plus(__u32 x)
{
	calls[0] += 1;
	return x * x + 3;
}

static __attribute__((noinline)) __u32 twice_sq(__u32 x)
{
	calls[1] += 1;
	return 2 * sq_plus(x) + sq_plus(x + 1);
}

__attribute__((noinline)) int mix(__u32 a, __u32 b)
{
	calls[2] += 1;
	return twice_sq(a) ^ (b << 4);
}

SEC("xdp/sub_a")
int sub_a(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u32 r;

	if (data + ARG_OFF + 2 > end)
		return XDP_ABORTED;
	r = sq_plus(twice_sq(data[ARG_OFF]));
	res[0] = r;
	return (r & 0xff) + 8;
}

SEC("xdp/sub_b")
int sub_b(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u32 r;

	if (data + ARG_OFF + 2 > end)
		return XDP_ABORTED;
	r = mix(data[ARG_OFF], data[ARG_OFF + 1]);
	res[1] = r;
	return (r & 0xff) + 8;
}

char LICENSE[] SEC("license") = "GPL";
