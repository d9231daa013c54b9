// SPDX-License-Identifier: GPL-2.0
/*
 * ksym_var.c - a typed kernel variable (__ksym): the per-CPU runqueues,
 * read through bpf_this_cpu_ptr with CO-RE on a struct rq of our own.
 * The kernel finds a variable's address with kallsyms, which has
 * variables only with CONFIG_KALLSYMS_ALL: without it the kernel
 * refuses the program (for every loader alike).  It passes traffic only
 * if this CPU's runqueue says it is this CPU:
 *   ldx_out[0] 1: it does
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

	int same = rq->cpu == bpf_get_smp_processor_id();

	out(0, same);
	return same ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
