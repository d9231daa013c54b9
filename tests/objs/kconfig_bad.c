// SPDX-License-Identifier: GPL-2.0
/* kconfig_bad.c - a __kconfig extern the kernel does not have and that
 * is not __weak: refused, by name. */
#include "ldx.h"

extern _Bool CONFIG_TCPINSPECT_NO_SUCH __kconfig;

SEC("xdp") int kconfig_bad(struct xdp_md *ctx)
{
	return CONFIG_TCPINSPECT_NO_SUCH ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
