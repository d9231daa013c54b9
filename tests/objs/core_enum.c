// SPDX-License-Identifier: GPL-2.0
/*
 * core_enum.c - CO-RE enum values: the XDP actions as another
 * kernel's headers might number them.  The program returns
 * XDP_PASS___mine, 12 here and 2 in the kernel: traffic passes only if
 * the value is relocated (12 is no action: the frame is dropped).
 *   ldx_out[0] 1: XDP_PASS exists; ldx_out[1] 0: XDP_MADE_UP does not
 *   ldx_out[2] the kernel's XDP_DROP (1)
 */
#include "ldx.h"

enum xdp_action___mine {
	XDP_ABORTED___mine = 11,
	XDP_PASS___mine = 12,
	XDP_DROP___mine = 13,
	XDP_MADE_UP___mine = 14,
};

LDX_OUT();

SEC("xdp") int core_enum(struct xdp_md *ctx)
{
	out(0, enum_exists(enum xdp_action___mine, XDP_PASS___mine));
	out(1, enum_exists(enum xdp_action___mine, XDP_MADE_UP___mine));
	out(2, enum_value(enum xdp_action___mine, XDP_DROP___mine));
	if (enum_exists(enum xdp_action___mine, XDP_MADE_UP___mine))
		return enum_value(enum xdp_action___mine, XDP_MADE_UP___mine);
	return enum_value(enum xdp_action___mine, XDP_PASS___mine);
}

char LICENSE[] SEC("license") = "GPL";
