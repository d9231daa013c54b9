// SPDX-License-Identifier: GPL-2.0
/*
 * callbacks.c - bpf_loop() with two static callbacks: their addresses are
 * ld_imm64 relocations against .text (BPF_PSEUDO_FUNC), which the loader
 * must point at each callback's copy; the second callback also calls a
 * subprogram.  Callbacks need func_info, so this object is -g only.
 *
 * For bytes n, b at offset 42:  s = 0; for i < n & 7: s += b * i + 1;
 * then for i < 3: s = bump(s) ^ i, with bump(x) = x * 3 + 1.  s goes to
 * loop_sum, bpf_loop's two results to loop_ret[]; XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define ARG_OFF 42

static long (*bpf_loop)(__u32 nr_loops, void *callback_fn,
			void *callback_ctx, __u64 flags) =
	(void *)BPF_FUNC_loop;

struct loop_ctx {
	__u64 base;
	__u64 sum;
};

__u64 loop_sum;
__s64 loop_ret[2];

static __attribute__((noinline)) __u64 bump(__u64 x)
{
	return x * 3 + 1;
}

static int add_step(__u32 i, void *data)
{
	struct loop_ctx *c = data;

	c->sum += c->base * i + 1;
	return 0;
}

static int mix_step(__u32 i, void *data)
{
	struct loop_ctx *c = data;

	c->sum = bump(c->sum) ^ i;
	return 0;
}

SEC("xdp/callbacks")
int callbacks(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	struct loop_ctx lc = {};

	if (data + ARG_OFF + 2 > end)
		return XDP_ABORTED;
	lc.base = data[ARG_OFF + 1];
	loop_ret[0] = bpf_loop(data[ARG_OFF] & 7, add_step, &lc, 0);
	loop_ret[1] = bpf_loop(3, mix_step, &lc, 0);
	loop_sum = lc.sum;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
