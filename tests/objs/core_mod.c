// SPDX-License-Identifier: GPL-2.0
/*
 * core_mod.c - CO-RE against a type that lives in a module where veth is
 * one (struct veth_priv: in /sys/kernel/btf/veth, split on vmlinux), and
 * in vmlinux where veth is built in.  The program passes traffic only if
 * the type, one of its fields and its size are found, and a type that
 * exists nowhere is not:
 *   ldx_out[0] sizeof(struct veth_priv)   [1] its BTF id (in the module's
 *              split BTF: above every vmlinux id)
 */
#include "ldx.h"

struct veth_priv___l {
	unsigned int requested_headroom;
	void *rq;
} __pai;

struct no_such_type___l {
	int x;
} __pai;

LDX_OUT();

SEC("xdp") int core_mod(struct xdp_md *ctx)
{
	out(0, type_size(struct veth_priv___l));
	out(1, type_id_target(struct veth_priv___l));
	if (!type_exists(struct veth_priv___l) || type_exists(struct no_such_type___l) ||
	    !field_exists(((struct veth_priv___l *)0)->requested_headroom) ||
	    type_size(struct veth_priv___l) < 16)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
