// SPDX-License-Identifier: GPL-2.0
/*
 * core_kern.c - CO-RE on kernel structs reached from the context with
 * the bpf_cast_to_kern_ctx kfunc, each declared here in a layout of its
 * own (reordered, padded, a field the kernel lacks, a bitfield moved):
 *   ldx_out[0] frame length (xdp_buff data_end - data, loads relocated)
 *   ldx_out[1] rxq->dev->ifindex (direct loads)
 *   ldx_out[2] the same through bpf_probe_read_kernel (offsets added)
 *   ldx_out[3] rxq->queue_index
 *   ldx_out[4] dev->netns_immutable, a 1-bit field (1 on lo, 0 on veth)
 *   ldx_out[5] 0: dev->not_in_kernel does not exist (its read, guarded,
 *              is dead code: an unresolvable relocation there is fine)
 *   ldx_out[6] field size (4), ldx_out[7] signedness (1) of ifindex
 *   ldx_out[8] sizeof(struct net_device) in the kernel
 *   ldx_out[9] the kernel's BTF id of struct net_device
 *   ldx_out[10] 1: struct net_device exists; [11] 0: struct no_such does not
 *   ldx_out[12] the local BTF id of struct net_device___l (as compiled)
 */
#include "ldx.h"

struct net_device___l {
	char pad[3];
	unsigned char not_in_kernel : 3;
	unsigned char netns_immutable : 1;
	int ifindex;
} __pai;

struct xdp_rxq_info___l {
	__u64 pad;
	__u32 queue_index;
	struct net_device___l *dev;
} __pai;

struct xdp_buff___l {
	void *data_end;
	struct xdp_rxq_info___l *rxq;
	void *data;
} __pai;

struct no_such___l {
	int x;
} __pai;

extern void *bpf_cast_to_kern_ctx(void *ctx) __ksym;

LDX_OUT();

SEC("xdp") int core_kern(struct xdp_md *ctx)
{
	struct xdp_buff___l *b = bpf_cast_to_kern_ctx(ctx);
	struct net_device___l *dev = b->rxq->dev;
	int ifindex = 0;

	out(0, b->data_end - b->data);
	out(1, dev->ifindex);
	bpf_probe_read_kernel(&ifindex, sizeof(ifindex),
			      __builtin_preserve_access_index(&dev->ifindex));
	out(2, ifindex);
	out(3, b->rxq->queue_index);
	out(4, read_bitfield(dev, netns_immutable));
	out(5, field_exists(dev->not_in_kernel));
	if (field_exists(dev->not_in_kernel))
		out(5, read_bitfield(dev, not_in_kernel) + 100);
	out(6, field_size(dev->ifindex));
	out(7, field_signed(dev->ifindex));
	out(8, type_size(struct net_device___l));
	out(9, type_id_target(struct net_device___l));
	out(10, type_exists(struct net_device___l));
	out(11, type_exists(struct no_such___l));
	out(12, type_id_local(struct net_device___l));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
