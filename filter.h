/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - compile a tcpdump filter expression (pcap-filter(7) syntax)
 * into eBPF instructions: the body of the BPF function
 *
 *	int ti_filter(const struct ti_pkt *p);	(prog/tcpinspect.h)
 *
 * which the loader puts in place of the placeholder of that name in the
 * XDP program.  On entry r1 = p, already checked against NULL by the
 * caller (inspector.c puts that test in front: the verifier checks a
 * global function's pointer argument as possibly NULL); the code
 * returns r0 != 0 to accept the packet.
 *
 * The code uses only BPF_LDX_MEM B/H/W from r1 at offsets inside struct
 * ti_pkt, 32-bit ALU with an immediate or a register (r2..r9), MOV,
 * JMP32 conditional jumps and EXIT.  Every jump goes forward, every
 * path ends in EXIT, no instruction is unreachable.  An empty or blank
 * expression compiles to "return 1".  filter.c's top comment lists the
 * grammar and where tcpdump's answer cannot be reproduced.
 *
 * flt_compile() is pure: no syscalls, no output, no globals, no
 * allocation.  It writes at most max instructions to out and their
 * number to *cnt.  Returns 0, -EINVAL (a syntax error or something
 * tcpinspect cannot filter on; err gets one line naming the token and
 * its 1-based position) or -E2BIG (more than max instructions, or than
 * FLT_MAX_INSNS).
 */
#ifndef TCPINSPECT_FILTER_H
#define TCPINSPECT_FILTER_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

#define FLT_MAX_INSNS	32767	/* jump offsets are 16-bit */

int flt_compile(const char *expr, struct bpf_insn *out, __u32 max,
		__u32 *cnt, char *err, size_t err_len);

#endif
