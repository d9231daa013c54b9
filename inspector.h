/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inspector.h - tcpinspect's own XDP program (embedded by embed.S) and
 * its maps: load it configured (budget, snap length, compiled filter)
 * and fitted to the kernel (probe.h), open its events, read its
 * counters.  Used by the live capture and by replay.  No printing:
 * failures go to err.
 */
#ifndef TCPINSPECT_INSPECTOR_H
#define TCPINSPECT_INSPECTOR_H

#include "evbuf.h"
#include "filter.h"
#include "loader.h"
#include "probe.h"
#include "prog/tcpinspect.h"

#define INSP_FILTER_MAX	FLT_MAX_INSNS	/* instructions a compiled filter may take */

struct insp_config {
	__u64 budget;		/* -c: events the program emits at most; 0: all */
	__u32 snaplen;		/* frame bytes per event, 0..TI_SNAP_MAX (0:
				 * the event alone; else every header too) */
	__u64 deadline_ns;	/* CLOCK_MONOTONIC time to stop emitting; 0: none */
	__u32 sample;		/* emit one in N matches; 0 or 1: all */
	__u32 ring_len;		/* ring buffer bytes (power of two); 0: default;
				 * perf buffers: their total, split over the CPUs */
	__u32 mode;		/* TI_MODE_*; 0: events only */
	__u32 flows_max;	/* flow table entries; 0: TI_FLOWS_DEFAULT */
	const char *filter;	/* pcap-filter expression; "": all; NULL: the
				 * one insp_filter() compiled, if any */
	/*
	 * What the kernel has (probe_kernel): picks atomic fetch or not, the
	 * output (ring buffer or perf buffers), BTF or none, and
	 * stubs for map types it lacks.  NULL: assume everything.
	 */
	const struct probe *probe;
	int stats;		/* read the verifier's statistics (obj.vstats) */
	int replay;		/* frames come from replay: their wire length
				 * in XDP metadata (struct ti_meta) */
	/*
	 * The entry points to load (INSP_*); 0: the XDP one alone.
	 * INSP_TRACE loads none at once: insp_trace_load, per program
	 * traced.
	 */
	unsigned int progs;
	void (*log_fn)(void *arg, const char *line);	/* -v */
	void *log_arg;
};

#define INSP_XDP	0x1	/* TI_PROG_NAME: XDP */
#define INSP_TC_IN	0x2	/* TI_PROG_TC_IN: TC ingress */
#define INSP_TC_OUT	0x4	/* TI_PROG_TC_OUT: TC egress */
#define INSP_TRACE	0x8	/* TI_PROG_ENTRY, TI_PROG_EXIT: fentry, fexit */

struct inspector {
	struct ld_obj obj;
	int prog_fd;		/* XDP; -1 if not loaded */
	int tc_in_fd, tc_out_fd;	/* TC; -1 if not loaded */
	int ifaces_fd;		/* the interfaces fentry/fexit report */
	int counters_fd;
	int events_fd;		/* the ring buffer (a stub with perf buffers) */
	int perf_fd;		/* the perf event array (a stub with the ring) */
	int perf;		/* events go to perf buffers (TI_OUT_PERF) */
	int nofetch;		/* ti_fetch_add without atomic fetch (kernel < 5.12) */
	__u32 events_len;	/* ring buffer bytes; perf buffers: bytes per CPU */
	int flows_fd;		/* the flow table (LRU hash of ti_flow) */
	__u32 flows_max;
	int ncpu;		/* possible CPUs, as per-CPU maps count them */
	int frags;		/* loaded with BPF_F_XDP_HAS_FRAGS */
	__u32 filter_cnt;
	__u32 filter_bytes;	/* frame bytes the filter reads (copied for it) */
	__u32 filter_raw;	/* the same of a malformed packet */
	__u32 filter_flags;	/* FLT_NEVER, FLT_ALWAYS, ... */
	struct bpf_insn filter[INSP_FILTER_MAX];
};

/*
 * Compile a pcap-filter expression into in, for the next insp_open()
 * (with cfg->filter NULL) to put in the program; no kernel calls.  Names
 * come from the files in /etc (hosts, networks, services, protocols,
 * ethers) where they exist.  live: for a live capture (inbound,
 * outbound and ifindex are known; replay refuses them, as tcpdump -r).
 * 0, or -EINVAL (a bad expression: err names the token and its
 * position), -E2BIG (too large or nested too deep) or -ENOMEM.
 * in->filter_flags tells FLT_NEVER (no TCP segment can match).
 * insp_close() forgets it.
 */
int insp_filter(struct inspector *in, const char *expr, int live, char *err,
		size_t err_len);

/*
 * Load the program configured by cfg.  0, or the -errno of insp_filter
 * (cfg->filter given) or of the kernel; err says why.
 */
int insp_open(struct inspector *in, const struct insp_config *cfg,
	      char *err, size_t err_len);
/*
 * fentry and fexit programs for XDP program target_fd, whose function
 * is btf_id in its BTF, into *entry_fd, *exit_fd (the caller closes
 * them); ifindex is one of the interfaces they are to report, and each
 * call adds one.  0 or -errno (err).
 */
int insp_trace_load(struct inspector *in, int target_fd, __u32 btf_id,
		    int *entry_fd, int *exit_fd, char *err, size_t err_len);
/* Events of ifindex reported by fentry/fexit from now on; 0 or -errno. */
int insp_trace_iface(const struct inspector *in, int ifindex);

/* Open the buffer the program sends events to; 0 or -errno. */
int insp_events_open(const struct inspector *in, struct evbuf *b);
/* Sum the per-CPU counters into cnt[TI_CNT_MAX]. */
void insp_counters(const struct inspector *in, __u64 *cnt);
/* Sum the per-CPU TCP health totals into h[TI_H_MAX]. */
void insp_health(const struct inspector *in, __u64 *h);

/* Add to CLOCK_MONOTONIC ns (the program's times) for wall-clock ns. */
__s64 insp_mono_to_real(void);

/* The counters' names in JSON ("seen", "tcp", ...), by TI_CNT_*. */
extern const char *const insp_counter_names[TI_CNT_MAX];

/*
 * The flow table into e (room entries): BPF_MAP_LOOKUP_BATCH where the
 * kernel has it (5.6), bucket by bucket, each entry once; else a
 * get_next_key walk, each key looked up: while the program runs, an
 * evicted key makes that walk start over (the kernel's answer for a key
 * it no longer has), so duplicates are dropped, and the walk is
 * bounded.  After detach the reading is exact.  The entries read.
 */
struct flow_entry;
size_t insp_flows_read(const struct inspector *in, struct flow_entry *e,
		       size_t room);

/* The same reading in steps (serve reads while it answers). */
struct insp_walk {
	int state;		/* zero before the first step */
	size_t n;		/* entries read so far; at the end, the count */
	size_t steps;		/* get_next_key calls, bounded */
	__u32 pos;		/* the batch position */
	struct ti_flow_key key;	/* get_next_key: the last key */
};
/*
 * Read up to step more entries into e[w->n..room) (about step: a batch
 * ends with a hash bucket).  1 while more is to come, 0 once done (w->n
 * entries, each once).
 */
int insp_flows_step(const struct inspector *in, struct insp_walk *w,
		    struct flow_entry *e, size_t room, size_t step);
void insp_close(struct inspector *in);

#endif
