// SPDX-License-Identifier: GPL-2.0
/*
 * globals.c - global variables in every data section, no maps at all:
 *
 *   .data            data_var = 42, data_tab[4], static data_static = 7
 *   .bss             bss_runs, bss_len, bss_tab, bss_name, bss_lit,
 *                    static bss_static
 *   .rodata          const volatile cfg_ret (the return code, set by the
 *                    loader's user), ro_name[]
 *   .rodata.str1.1   the string literal indexed in lit
 *
 * Static variables are reached through the section symbol with the offset
 * in the instruction (a relocation with an addend); the others through
 * their own symbols.  Each run reads three bytes after Ethernet + IPv4 +
 * UDP (offset 42): a = data_tab index, b = ro_name index, c = literal
 * index, and stores what it read at known offsets for the test:
 *   bss_runs += 1, bss_len = frame length, bss_tab = data_tab[a & 3] +
 *   data_var, bss_name = ro_name[b & 7], bss_lit = lit[c & 15],
 *   bss_static += data_static, data_static += 1; returns cfg_ret.
 */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))

#define ARG_OFF 42	/* 14 Ethernet + 20 IPv4 + 8 UDP */

int data_var = 42;
__u32 data_tab[4] = { 10, 20, 30, 40 };
static volatile __u32 data_static = 7;

__u64 bss_runs;
__u32 bss_len;
__u32 bss_tab;
__u32 bss_name;
__u32 bss_lit;
static volatile __u64 bss_static;

const volatile __u32 cfg_ret = XDP_PASS;
const char ro_name[] = "tcpinspect";

SEC("xdp/globals")
int globals(struct xdp_md *ctx)
{
	const char *lit = "0123456789abcdef";
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u8 *arg = data + ARG_OFF;

	if (arg + 3 > end)
		return XDP_ABORTED;
	bss_runs += 1;
	bss_len = end - data;
	bss_tab = data_tab[arg[0] & 3] + data_var;
	bss_name = ro_name[arg[1] & 7];
	bss_lit = lit[arg[2] & 15];
	bss_static += data_static;
	data_static += 1;
	return cfg_ret;
}

char LICENSE[] SEC("license") = "GPL";
