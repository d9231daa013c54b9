// SPDX-License-Identifier: GPL-2.0
/*
 * inspector.c - configure, load and read tcpinspect's own XDP program
 * (inspector.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bpf.h"
#include "filter.h"
#include "inspector.h"

/* The BPF object, embedded by embed.S. */
extern const char ti_obj[], ti_obj_end[];

/*
 * Number of possible CPUs, as the kernel sizes per-CPU map values: read
 * one fresh (all-zero) entry into a buffer of 0xff and count the 8-byte
 * slots the kernel overwrote.  Needs no /sys, which an initramfs may lack.
 */
static int possible_cpus(int percpu_fd)
{
	enum { MAX_CPUS = 8192 };
	static __u64 v[MAX_CPUS];
	__u32 key = 0;
	int n;

	memset(v, 0xff, sizeof(v));
	if (bpf_map_lookup_elem(percpu_fd, &key, v))
		return -1;
	for (n = 0; n < MAX_CPUS && v[n] == 0; n++)
		;
	return n;
}

int insp_open(struct inspector *in, const struct insp_config *cfg,
	      char *err, size_t err_len)
{
	struct ld_obj *o = &in->obj;
	__u32 snaplen = cfg->snaplen;
	int ret, ev;

	in->prog_fd = in->counters_fd = in->events_fd = in->flows_fd = -1;
	in->filter_cnt = 0;
	if (cfg->filter && *cfg->filter) {
		/*
		 * The verifier checks ti_filter() alone, as a global function
		 * whose pointer argument may be NULL: reject NULL first.  The
		 * compiled body's jumps are relative, so it can follow.
		 */
		in->filter[0] = (struct bpf_insn){ .code = BPF_JMP | BPF_JNE | BPF_K,
						   .dst_reg = BPF_REG_1, .off = 2 };
		in->filter[1] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
						   .dst_reg = BPF_REG_0 };
		in->filter[2] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
		ret = flt_compile(cfg->filter, in->filter + 3, INSP_FILTER_MAX - 3,
				  &in->filter_cnt, err, err_len);
		if (ret)
			return ret;
		in->filter_cnt += 3;
	}
	o->log_fn = cfg->log_fn;
	o->log_arg = cfg->log_arg;
	ret = ld_parse(o, ti_obj, ti_obj_end - ti_obj, err, err_len);
	if (ret)
		return ret;
	/* Configuration: .rodata constants the verifier sees as such. */
	ret = ld_set_var(o, TI_VAR_BUDGET, &cfg->budget, sizeof(cfg->budget),
			 err, err_len) ?:
	      ld_set_var(o, TI_VAR_SNAPLEN, &snaplen, sizeof(snaplen), err,
			 err_len) ?:
	      ld_set_var(o, TI_VAR_DEADLINE, &cfg->deadline_ns,
			 sizeof(cfg->deadline_ns), err, err_len) ?:
	      ld_set_var(o, TI_VAR_SAMPLE, &cfg->sample, sizeof(cfg->sample),
			 err, err_len);
	if (!ret && cfg->ring_len)
		ret = ld_set_map_max(o, TI_MAP_EVENTS, cfg->ring_len, err, err_len);
	if (!ret && cfg->flows_max)
		ret = ld_set_map_max(o, TI_MAP_FLOWS, cfg->flows_max, err, err_len);
	if (!ret)
		ret = ld_set_var(o, TI_VAR_MODE, &cfg->mode, sizeof(cfg->mode),
				 err, err_len);
	if (!ret && in->filter_cnt)
		ret = ld_set_func(o, TI_FUNC_FILTER, in->filter, in->filter_cnt,
				  err, err_len);
	o->prog = elf_find_prog(&o->elf, TI_PROG_SEC);
	ret = ret ?: ld_load(o, err, err_len);
	if (ret) {
		ld_close(o);
		return ret;
	}
	in->prog_fd = ld_prog_fd(o, TI_PROG_SEC);
	in->counters_fd = ld_map_fd(o, TI_MAP_COUNTERS);
	ev = elf_find_map(&o->elf, TI_MAP_EVENTS);
	in->events_fd = ev < 0 ? -1 : o->map_fds[ev];
	in->events_len = ev < 0 ? 0 : o->elf.maps[ev].max_entries;
	if (in->prog_fd < 0 || in->counters_fd < 0 || in->events_fd < 0) {
		snprintf(err, err_len, "the embedded object lacks %s, %s or %s",
			 TI_PROG_SEC, TI_MAP_COUNTERS, TI_MAP_EVENTS);
		ld_close(o);
		return -ENOENT;
	}
	in->flows_fd = ld_map_fd(o, TI_MAP_FLOWS);
	ev = elf_find_map(&o->elf, TI_MAP_FLOWS);
	in->flows_max = ev < 0 ? 0 : o->elf.maps[ev].max_entries;
	in->ncpu = possible_cpus(in->counters_fd);
	return 0;
}

void insp_counters(const struct inspector *in, __u64 *sum)
{
	__u64 v[in->ncpu > 0 ? in->ncpu : 1];
	__u32 key;
	int cpu;

	for (key = 0; key < TI_CNT_MAX; key++) {
		sum[key] = 0;
		if (in->ncpu <= 0 || bpf_map_lookup_elem(in->counters_fd, &key, v))
			continue;
		for (cpu = 0; cpu < in->ncpu; cpu++)
			sum[key] += v[cpu];
	}
}

void insp_close(struct inspector *in)
{
	ld_close(&in->obj);
	in->prog_fd = in->counters_fd = in->events_fd = -1;
}
