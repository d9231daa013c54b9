// SPDX-License-Identifier: GPL-2.0
/*
 * core_bad.c - a CO-RE field the kernel does not have, read where the
 * program always goes: the load fails, and the message names the
 * instruction, the relocation's kind and its access string.
 */
#include "ldx.h"

struct net_device___bad {
	int ifindex;
	int no_such_field;
} __pai;

struct xdp_rxq_info {
	struct net_device___bad *dev;
} __pai;

struct xdp_buff {
	struct xdp_rxq_info *rxq;
} __pai;

extern void *bpf_cast_to_kern_ctx(void *ctx) __ksym;

SEC("xdp") int core_bad(struct xdp_md *ctx)
{
	struct xdp_buff *b = bpf_cast_to_kern_ctx(ctx);

	return b->rxq->dev->no_such_field == 7 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
