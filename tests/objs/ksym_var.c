// SPDX-License-Identifier: GPL-2.0
/*
 * ksym_var.c - a typed kernel variable (__ksym): the per-CPU runqueues,
 * read through bpf_this_cpu_ptr with CO-RE on a struct rq of our own.
 * The kernel finds a variable's address with kallsyms, which has
 * variables only with CONFIG_KALLSYMS_ALL: without it the kernel
 * refuses the program (for every loader alike).
 *   ldx_out[0] 1: this CPU's runqueue says it is this CPU
 */
#include "ldx.h"

struct rq {
	long pad;
	int cpu;
} __pai;

extern const struct rq runqueues __ksym;

LDX_OUT();

SEC("xdp") int ksym_var(struct xdp_md *ctx)
{
	struct rq *rq = bpf_this_cpu_ptr(&runqueues);

	out(0, rq->cpu == bpf_get_smp_processor_id());
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
