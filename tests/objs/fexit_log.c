// SPDX-License-Identifier: GPL-2.0
/*
 * A tracing program for `tcpinspect load --to-xdp`: at the exit of the
 * interface's XDP program, prints its verdict with bpf_printk, for
 * `tcpinspect trace` to read back.  Built with BTF (-g), as fexit
 * programs must be.
 */
#include <linux/bpf.h>

static long (*trace_printk)(const char *fmt, __u32 fmt_size, ...) =
	(void *)BPF_FUNC_trace_printk;

__attribute__((section("fexit/xdp"), used)) int fexit_log(unsigned long long *ctx)
{
	static const char fmt[] = "fexit_log verdict %d";

	trace_printk(fmt, sizeof(fmt), (int)ctx[1]);
	return 0;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
