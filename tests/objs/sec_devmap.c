// SPDX-License-Identifier: GPL-2.0
/*
 * sec_devmap.c - a program for a devmap's entries (section xdp/devmap:
 * expected attach type BPF_XDP_DEVMAP, which alone may read
 * egress_ifindex) beside the program that redirects into the devmap.
 * Both load (every program in an XDP section does); only the first can
 * be attached to an interface.
 */
#include "ldx.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

static long (*bpf_redirect_map)(void *map, __u64 key, __u64 flags) =
	(void *)BPF_FUNC_redirect_map;

SEC("xdp") int redirect_or_pass(struct xdp_md *ctx)
{
	/* an empty slot: the flags make a failed redirect XDP_PASS */
	return bpf_redirect_map(&tx_ports, 3, XDP_PASS);
}

SEC("xdp/devmap") int on_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
