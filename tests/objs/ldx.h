/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldx.h - what the loader-extension test objects share (tests/objs/
 * core_*.c, kfunc.c, kconfig*.c, sec_*.c, perf_nosize.c, nosize.c,
 * printk.c): the libbpf-style declarations they use, written here so
 * that building needs no libbpf headers, and an output array each
 * object defines with LDX_OUT() and fills with out().
 *
 * The tests (tests/system/loadx.sh, tests/system/loader_test.c) read
 * `ldx_out` after traffic and compare it with what the kernel says
 * (BTF, /proc/config.gz, uname, ip link).
 */
#ifndef LDX_H
#define LDX_H

#include <linux/bpf.h>
#include <linux/types.h>
#include "helpers.h"

#define __ksym __attribute__((section(".ksyms")))
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
#define __pai __attribute__((preserve_access_index))

/* __builtin_preserve_field_info kinds (enum bpf_core_relo_kind) */
#define FIELD_BYTE_OFFSET	0
#define FIELD_BYTE_SIZE		1
#define FIELD_EXISTS		2
#define FIELD_SIGNED		3
#define FIELD_LSHIFT_U64	4
#define FIELD_RSHIFT_U64	5

#define field_exists(f)	__builtin_preserve_field_info(f, FIELD_EXISTS)
#define field_size(f)	__builtin_preserve_field_info(f, FIELD_BYTE_SIZE)
#define field_signed(f)	__builtin_preserve_field_info(f, FIELD_SIGNED)
#define type_exists(T)	__builtin_preserve_type_info(*(T *)0, 0)
#define type_size(T)	__builtin_preserve_type_info(*(T *)0, 1)
#define type_id_local(T)	__builtin_btf_type_id(*(T *)0, 0)
#define type_id_target(T)	__builtin_btf_type_id(*(T *)0, 1)
#define enum_exists(T, v)	__builtin_preserve_enum_value(*(T *)v, 0)
#define enum_value(T, v)	__builtin_preserve_enum_value(*(T *)v, 1)
#define ksym_exists(s)	(!!(s))

/* A bitfield through bpf_probe_read_kernel (little-endian): the
 * smallest load that holds it, shifted to the left edge and back. */
#define read_bitfield(s, f) ({						\
	unsigned long long v__ = 0;					\
	bpf_probe_read_kernel(&v__,					\
		__builtin_preserve_field_info((s)->f, FIELD_BYTE_SIZE),	\
		(const void *)(s) +					\
		__builtin_preserve_field_info((s)->f, FIELD_BYTE_OFFSET)); \
	v__ <<= __builtin_preserve_field_info((s)->f, FIELD_LSHIFT_U64); \
	v__ >>= __builtin_preserve_field_info((s)->f, FIELD_RSHIFT_U64); \
	v__;								\
})

/* (bpf_probe_read_kernel, bpf_xdp_get_buff_len: prog/helpers.h) */
static void *(*bpf_this_cpu_ptr)(const void *percpu_ptr) =
	(void *)BPF_FUNC_this_cpu_ptr;
static __u32 (*bpf_get_smp_processor_id)(void) =
	(void *)BPF_FUNC_get_smp_processor_id;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) =
	(void *)BPF_FUNC_trace_printk;

#define LDX_OUT_CNT	16
#define LDX_OUT()							\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY);			\
		__uint(max_entries, LDX_OUT_CNT);			\
		__type(key, __u32);					\
		__type(value, __u64);					\
	} ldx_out SEC(".maps")

/* ldx_out[i] = v */
#define out(i, v) ({							\
	__u32 k__ = (i);						\
	__u64 *p__ = bpf_map_lookup_elem(&ldx_out, &k__);		\
	if (p__)							\
		*p__ = (v);						\
})

/* ldx_out[0]++: a frame seen */
#define count_frame() ({						\
	__u32 k__ = 0;							\
	__u64 *p__ = bpf_map_lookup_elem(&ldx_out, &k__);		\
	if (p__)							\
		__sync_fetch_and_add(p__, 1);				\
})

#endif
