// SPDX-License-Identifier: GPL-2.0
/* sec_other.c - one program in a section no convention names: taken,
 * as the only one.  It counts frames in ldx_out[0]. */
#include "ldx.h"

LDX_OUT();

SEC("my_filter") int filter_count(struct xdp_md *ctx)
{
	count_frame();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
