// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark generator's XDP program (tests/tools/gen.c runs it with
 * BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES): each run takes the
 * generator's Ethernet/IPv4/TCP frame, gives it the next of gen_flows
 * source ports (fixing the TCP checksum incrementally, RFC 1624) and
 * transmits it with XDP_TX.  The kernel keeps the frame's bytes in its
 * page between runs, so the port is written absolutely, never added to.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include "helpers.h"
#include "../wire.h"

const volatile __u32 gen_flows = 1;	/* source ports in turn */
const volatile __u16 gen_sport = 10000;	/* the first, host order */
__u32 gen_n;				/* frames so far (one sending CPU) */

SEC("xdp") int gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct tcphdr *th = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
	__u16 port;

	if ((void *)(th + 1) > end)
		return XDP_DROP;
	port = bswap16(gen_sport + gen_n++ % (gen_flows ? gen_flows : 1));
	th->check = csum_replace(th->check, th->source, port);
	th->source = port;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
