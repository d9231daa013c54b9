/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few BPF-side definitions our programs need, written here so that
 * building needs no libbpf headers: section and map-definition macros in
 * the BTF style the loader reads (elf.c), and the helper calls by their
 * uapi numbers (enum bpf_func_id in linux/bpf.h).
 */
#ifndef TCPINSPECT_HELPERS_H
#define TCPINSPECT_HELPERS_H

#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

/* BTF-defined map attributes: the value lives only in the type. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*bpf_map_lookup_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_lookup_elem;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, __u64 flags) =
	(void *)BPF_FUNC_map_update_elem;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, __u64 size,
				    __u64 flags) =
	(void *)BPF_FUNC_ringbuf_reserve;
static void (*bpf_ringbuf_submit)(void *data, __u64 flags) =
	(void *)BPF_FUNC_ringbuf_submit;
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size,
				  __u64 flags) = (void *)BPF_FUNC_ringbuf_output;
static __u64 (*bpf_ringbuf_query)(void *ringbuf, __u64 flags) =
	(void *)BPF_FUNC_ringbuf_query;
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags,
				     void *data, __u64 size) =
	(void *)BPF_FUNC_perf_event_output;
static long (*bpf_xdp_load_bytes)(struct xdp_md *ctx, __u32 off, void *buf,
				  __u32 len) = (void *)BPF_FUNC_xdp_load_bytes;

static long (*bpf_xdp_get_buff_len)(struct xdp_md *ctx) =
	(void *)BPF_FUNC_xdp_get_buff_len;
static long (*bpf_skb_load_bytes)(const void *skb, __u32 off, void *to,
				  __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*bpf_skb_pull_data)(struct __sk_buff *skb, __u32 len) =
	(void *)BPF_FUNC_skb_pull_data;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *unsafe_ptr) =
	(void *)BPF_FUNC_probe_read_kernel;

#define bswap16(x) __builtin_bswap16(x)
#define bswap32(x) __builtin_bswap32(x)

#endif
