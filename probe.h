/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - what the running kernel offers tcpinspect, found by trying
 * (a map of the type, a tiny program using the instruction or helper, a
 * tiny BTF, a bpf_link that cannot succeed, an XDP program attached and
 * removed at once), never by reading the version.  The loader paths
 * choose by it: ring buffer or perf buffers, bpf_link or netlink, BTF or
 * none, the -mcpu=v3 or the v2 object, whether to raise RLIMIT_MEMLOCK.
 *
 * Test hook: TCPINSPECT_DISABLE=NAME[,NAME...] (names in probe_names)
 * makes probe_kernel() report those features missing, so that every
 * fallback can run on a kernel that has it all.
 *
 * No printing: functions return 0 (or a count) or -errno, detail in err.
 */
#ifndef TCPINSPECT_PROBE_H
#define TCPINSPECT_PROBE_H

#include <stddef.h>
#include <linux/types.h>

enum probe_feat {
	PROBE_RINGBUF,		/* BPF_MAP_TYPE_RINGBUF (5.8) */
	PROBE_PERF,		/* bpf_perf_event_output from XDP (4.10, CONFIG_BPF_EVENTS) */
	PROBE_LINK,		/* XDP bpf_link (5.9) */
	PROBE_BTF,		/* BPF_BTF_LOAD (4.18) */
	PROBE_GLOBAL,		/* global data: map values in ld_imm64, frozen .rodata (5.2) */
	PROBE_ALU32,		/* JMP32 (5.1): the -mcpu=v3 object */
	PROBE_FETCH,		/* atomic fetch-add, BPF_FETCH (5.12) */
	PROBE_LOAD_BYTES,	/* bpf_xdp_load_bytes (5.18) */
	PROBE_PERCPU,		/* per-CPU arrays (4.6) */
	PROBE_LRU,		/* LRU hash (4.10) */
	PROBE_MEMCG,		/* BPF memory charged to memcg, not RLIMIT_MEMLOCK (5.11) */
	PROBE_TCX,		/* tcx: bpf_links to TC hooks (6.6) */
	PROBE_FENTRY,		/* fentry/fexit on XDP programs: a BPF trampoline
				 * (probed only by probe_fentry) */
	PROBE_CNT
};

/* TCPINSPECT_DISABLE names, indexed by enum probe_feat ("memlock"
 * pretends the kernel charges RLIMIT_MEMLOCK). */
extern const char *const probe_names[PROBE_CNT];

struct probe {
	__u8 has[PROBE_CNT];	/* 1: the kernel has it (and it is not disabled) */
	__u8 off[PROBE_CNT];	/* 1: reported missing by TCPINSPECT_DISABLE */
	int ncpu;		/* possible CPUs */
	/* Without memcg accounting: RLIMIT_MEMLOCK (soft) before and after
	 * raising it, and why not to unlimited (-errno), if not. */
	unsigned long long memlock_was, memlock_now;	/* ~0ull: unlimited */
	int memlock_err;
	char fentry_why[96];	/* without PROBE_FENTRY: the step that failed */
};

/*
 * TCPINSPECT_DISABLE into p->off (the rest of p zeroed by the caller):
 * 0, or -EINVAL for an unknown name (err names it).
 */
int probe_disable(struct probe *p, char *err, size_t err_len);

/*
 * Probe everything (not the XDP modes of an interface), raising
 * RLIMIT_MEMLOCK if the kernel charges it; features in p->off (from
 * probe_disable) are reported missing.  0, or -EPERM (not privileged),
 * -ENOSYS (no bpf()), -EINVAL (no XDP programs): err says which.
 */
int probe_kernel(struct probe *p, char *err, size_t err_len);

/* Probe PROBE_FENTRY into p (after probe_kernel): 1 or 0 (why in
 * p->fentry_why). */
int probe_fentry(struct probe *p);

/*
 * 0 if tcpinspect can run here (flows: the flow table as well), else
 * -ENOTSUP with err naming the missing feature and what provides it.
 */
int probe_require(const struct probe *p, int flows, char *err,
		  size_t err_len);

/* What tcpinspect does without feature f, for `tcpinspect probe`. */
const char *probe_instead(const struct probe *p, enum probe_feat f);

/*
 * Native and generic XDP on ifindex: each 1 (works), 0 (refused, why
 * holds the kernel's reason), or -1 (unknown: a program is attached, and
 * we never touch it; busy_id names it).  Tried only on an interface with
 * nothing attached, with a program that passes everything, removed at
 * once (signals held off meanwhile).  0 or -errno.
 */
struct probe_xdp {
	int native, generic;
	int native_err, generic_err;	/* -errno when 0 */
	char native_why[128], generic_why[128];
	__u32 busy_id;
	__u32 busy_mode;		/* XDP_FLAGS_*_MODE */
};
int probe_xdp_modes(int ifindex, struct probe_xdp *x);

/*
 * Possible CPUs, as per-CPU maps count them: from percpu_fd (a fresh,
 * all-zero per-CPU array of 8-byte values, or -1: one is made), else
 * from /sys/devices/system/cpu/possible.  A count or -errno.
 */
int probe_cpus(int percpu_fd);

#endif
