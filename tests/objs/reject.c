// SPDX-License-Identifier: GPL-2.0
/* An XDP program the verifier must refuse: it reads the packet without a
 * bounds check.  prog_test checks that the loader reports the verifier's
 * reason. */
#include <linux/bpf.h>

__attribute__((section("xdp"), used)) int unchecked(struct xdp_md *ctx)
{
	volatile unsigned char *data = (void *)(long)ctx->data;

	return data[20] == 6 ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
