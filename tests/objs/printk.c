// SPDX-License-Identifier: GPL-2.0
/* printk.c - bpf_printk for `tcpinspect trace`: one line per TCP frame
 * to port 8084, with its length, from a section named xdp_printk. */
#include "ldx.h"

#define ETH_HLEN	14

SEC("xdp_printk") int printk_len(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + ETH_HLEN, *tcp = ip + 20;
	char fmt[] = "tcpinspect-test len %d";

	if (tcp + 4 > end || data[12] != 0x08 || data[13] != 0 || ip[0] != 0x45 ||
	    ip[9] != 6 || tcp[2] != 8084 >> 8 || tcp[3] != (8084 & 0xff))
		return XDP_PASS;
	bpf_trace_printk(fmt, sizeof(fmt), (int)(end - data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
