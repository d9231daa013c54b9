// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig.c - __kconfig externs of every type the loader fills:
 *   ldx_out[0] LINUX_KERNEL_VERSION      [1] CONFIG_HZ (int)
 *   ldx_out[2] CONFIG_BPF_SYSCALL (bool)  [3] CONFIG_NET (tristate enum)
 *   ldx_out[4] the first 8 bytes of CONFIG_DEFAULT_HOSTNAME (a string)
 *   ldx_out[5] CONFIG_NO_SUCH_OPTION (__weak, missing: 0)
 *   ldx_out[6] LINUX_HAS_BPF_COOKIE      [7] CONFIG_BPF_JIT as a char ('y')
 *   ldx_out[8] CONFIG_MODULES, "is not set" or absent (__weak: 0)
 */
#include "ldx.h"

enum libbpf_tristate {
	TRI_NO = 0,
	TRI_YES = 1,
	TRI_MODULE = 2,
};

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_NET __kconfig;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;
extern _Bool CONFIG_NO_SUCH_OPTION __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern char CONFIG_BPF_JIT __kconfig;
extern _Bool CONFIG_MODULES __kconfig __weak;

LDX_OUT();

SEC("xdp") int kconfig(struct xdp_md *ctx)
{
	__u64 host = 0;

	__builtin_memcpy(&host, CONFIG_DEFAULT_HOSTNAME, 8);
	out(0, LINUX_KERNEL_VERSION);
	out(1, CONFIG_HZ);
	out(2, CONFIG_BPF_SYSCALL);
	out(3, CONFIG_NET);
	out(4, host);
	out(5, CONFIG_NO_SUCH_OPTION);
	out(6, LINUX_HAS_BPF_COOKIE);
	out(7, CONFIG_BPF_JIT);
	out(8, CONFIG_MODULES);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
