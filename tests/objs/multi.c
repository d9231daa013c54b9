// SPDX-License-Identifier: GPL-2.0
/*
 * multi.c - five programs in one object: one each in sections "xdp/a",
 * "xdp/b" and "xdp/c", and two sharing the section "xdp", so that the
 * loader must split that section at the function symbols and rebase the
 * second function's relocations.
 *
 * Program i counts its runs in hits[i] (.bss) and returns 20 + i: the
 * test picks each by section or function name and checks both.
 */
#include <linux/bpf.h>

#define SEC(NAME) __attribute__((section(NAME), used))

unsigned long long hits[5];

SEC("xdp/a")
int prog_a(struct xdp_md *ctx)
{
	hits[0]++;
	return 20;
}

SEC("xdp/b")
int prog_b(struct xdp_md *ctx)
{
	hits[1]++;
	return 21;
}

SEC("xdp/c")
int prog_c(struct xdp_md *ctx)
{
	hits[2]++;
	return 22;
}

/* Two in one section; the second's code reads the frame length too, so
 * that the two bodies differ in size and shape. */
SEC("xdp")
int first_in_xdp(struct xdp_md *ctx)
{
	hits[3]++;
	return 23;
}

SEC("xdp")
int second_in_xdp(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data > 1000)
		return 0;
	hits[4] += 1;
	return 24;
}

char _license[] SEC("license") = "GPL";
