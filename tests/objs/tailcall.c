// SPDX-License-Identifier: GPL-2.0
/*
 * tailcall.c - a program array initialised in the object, libbpf style:
 * jmp_table's `values` put tail_target into slot 1 (a relocation in
 * .rel.maps), slot 0 and 2 stay empty.
 *
 * tail_entry (section "xdp") tail-calls slot arg & 3 (arg: the byte at
 * offset 42) and returns XDP_DROP if the slot is empty; tail_target
 * ("xdp/target") returns XDP_TX.  So entry returning XDP_TX for arg 1
 * proves the loader filled the slot from `values`.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#ifndef __array
# define __array(name, val) typeof(val) *name[]
#endif

#define ARG_OFF 42

static long (*bpf_tail_call)(void *ctx, void *prog_array, __u32 index) =
	(void *)BPF_FUNC_tail_call;

SEC("xdp/target")
int tail_target(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[1] = (void *)&tail_target,
	},
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;

	if (data + ARG_OFF + 1 > end)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &jmp_table, data[ARG_OFF] & 3);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
