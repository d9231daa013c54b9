// SPDX-License-Identifier: GPL-2.0
/* Somebody else's XDP program, for the tests: passes everything. */
#include <linux/bpf.h>

__attribute__((section("xdp"), used)) int other_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
