// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc.c - kernel functions (__ksym): a kfunc called, one that does not
 * exist (__weak, guarded: 0), and an untyped symbol that does not exist
 * (__weak: 0).  (Typed variables: ksym_var.c.)
 *   ldx_out[0] 1: bpf_cast_to_kern_ctx exists   [1] 0: bpf_no_such_kfunc
 *   ldx_out[3] 0: the address of no_such_symbol
 *   ldx_out[4] the frame length, through the kfunc's xdp_buff
 */
#include "ldx.h"

struct xdp_buff {
	void *data;
	void *data_end;
} __pai;

extern void *bpf_cast_to_kern_ctx(void *ctx) __ksym;
extern int bpf_no_such_kfunc(int x) __ksym __weak;
extern const void no_such_symbol __ksym __weak;

LDX_OUT();

SEC("xdp") int kfunc(struct xdp_md *ctx)
{
	struct xdp_buff *b = bpf_cast_to_kern_ctx(ctx);

	out(0, ksym_exists(bpf_cast_to_kern_ctx));
	out(1, ksym_exists(bpf_no_such_kfunc));
	if (ksym_exists(bpf_no_such_kfunc))
		out(1, bpf_no_such_kfunc(1) + 100);
	out(3, (unsigned long)&no_such_symbol);
	out(4, b->data_end - b->data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
