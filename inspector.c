// SPDX-License-Identifier: GPL-2.0
/*
 * inspector.c - configure, fit to the kernel, load and read tcpinspect's
 * own XDP program (inspector.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bpf.h"
#include "blob.h"
#include "filter.h"
#include "flows.h"
#include "inspector.h"


/*
 * ti_fetch_add's body for kernels without atomic fetch (5.2 to 5.11):
 * r0 = *r1; *r1 += r2 with a plain atomic add (BPF_XADD, no fetch);
 * r1 checked against NULL first, as a global function's argument.
 */
static const struct bpf_insn fetch_add_nofetch[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_1, .off = 2 },
	{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1 },
	{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_1,
	  .src_reg = BPF_REG_2, .imm = BPF_ADD },
	{ .code = BPF_JMP | BPF_EXIT },
};

static void say(const struct insp_config *cfg, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!cfg->log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cfg->log_fn(cfg->log_arg, line);
}

/* Bytes per CPU of perf buffers that share total: a power of two of pages. */
static __u32 perf_len(__u32 total, int ncpu)
{
	__u32 page = sysconf(_SC_PAGESIZE), len = page;

	while (len <= total / ncpu / 2)
		len *= 2;
	return len;
}

/*
 * Ring buffer bytes for len (a power of two): the kernel takes only whole
 * pages, and a page is 4, 16 or 64 KiB on arm64 (64 KiB on ppc64): a
 * smaller --buffer becomes one page.
 */
static __u32 ring_len(__u32 len)
{
	__u32 page = sysconf(_SC_PAGESIZE);

	return len < page ? page : len;
}

/*
 * Fit the object to the kernel before it is loaded: the output path,
 * stand-ins for the maps of paths turned off, the perf event array's
 * size, BTF.  The perf event array has a slot per possible CPU, taken
 * as ids 0..ncpu-1 (a CPU past them would find no buffer: its events
 * count as lost).  0 or -errno.
 */
static int fit(struct inspector *in, const struct insp_config *cfg, int ring,
	       int ncpu, char *err, size_t err_len)
{
	const struct probe *pr = cfg->probe;
	struct ld_obj *o = &in->obj;
	__u32 out = ring ? TI_OUT_RINGBUF : TI_OUT_PERF;
	int ret;

	__u32 rlen = ring_len(cfg->ring_len ? cfg->ring_len : TI_RINGBUF_SIZE);

	ret = ld_set_var(o, TI_VAR_OUTPUT, &out, sizeof(out), err, err_len);
	if (!ret && ring)
		ret = ld_set_map_max(o, TI_MAP_EVENTS, rlen, err, err_len) ?:
		      ld_set_var(o, TI_VAR_RING_SIZE, &rlen, sizeof(rlen), err, err_len);
	if (!ret && !ring)
		ret = ld_stub_map(o, TI_MAP_EVENTS, err, err_len);
	if (!ret && (ring || (pr && !pr->has[PROBE_PERF])))
		ret = ld_stub_map(o, TI_MAP_PERF, err, err_len);
	else if (!ret)
		ret = ld_set_map_max(o, TI_MAP_PERF, ncpu, err, err_len);
	if (!ret && pr && !pr->has[PROBE_LRU])
		ret = ld_stub_map(o, TI_MAP_FLOWS, err, err_len);
	o->no_btf = pr && !pr->has[PROBE_BTF];
	return ret;
}

/* A small file of /etc into *buf (NULL if there is none); its length. */
static size_t etc_file(const char *path, char **buf)
{
	size_t len = 0, room = 0;
	char *p = NULL, *bigger;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	if (fd < 0)
		return 0;
	for (;;) {
		if (len == room) {
			if (room >= FLT_NAMES_MAX)
				break;
			room = room ? room * 2 : 16384;
			bigger = realloc(p, room);
			if (!bigger)
				break;
			p = bigger;
		}
		n = read(fd, p + len, room - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	*buf = p;
	return len;
}

int insp_filter(struct inspector *in, const char *expr, int live, char *err,
		size_t err_len)
{
	struct flt_names nm = { .live = live };
	struct flt_info info;
	char *files[5];
	void *mem;
	int ret, i;

	in->filter_cnt = in->filter_bytes = in->filter_raw = in->filter_flags = 0;
	if (!*expr)
		return 0;
	mem = malloc(FLT_MEM);
	if (!mem) {
		snprintf(err, err_len, "filter: cannot have %u MB to compile it",
			 FLT_MEM >> 20);
		return -ENOMEM;
	}
	nm.hosts_len = etc_file("/etc/hosts", &files[0]);
	nm.networks_len = etc_file("/etc/networks", &files[1]);
	nm.services_len = etc_file("/etc/services", &files[2]);
	nm.protocols_len = etc_file("/etc/protocols", &files[3]);
	nm.ethers_len = etc_file("/etc/ethers", &files[4]);
	nm.hosts = files[0];
	nm.networks = files[1];
	nm.services = files[2];
	nm.protocols = files[3];
	nm.ethers = files[4];
	ret = flt_compile(expr, &nm, mem, FLT_MEM, in->filter, INSP_FILTER_MAX,
			  &info, err, err_len);
	for (i = 0; i < 5; i++)
		free(files[i]);
	free(mem);
	if (ret)
		return ret;
	in->filter_cnt = info.cnt;
	in->filter_bytes = info.bytes;
	in->filter_raw = info.raw_bytes;
	in->filter_flags = info.flags;
	return 0;
}

int insp_open(struct inspector *in, const struct insp_config *cfg,
	      char *err, size_t err_len)
{
	const struct probe *pr = cfg->probe;
	struct ld_obj *o = &in->obj;
	__u32 snaplen = cfg->snaplen;
	/* The ring buffer path wants bpf_xdp_load_bytes too. */
	int fetch = !pr || pr->has[PROBE_FETCH];
	int ring = !pr || (pr->has[PROBE_RINGBUF] && pr->has[PROBE_LOAD_BYTES]);
	int ncpu = pr ? pr->ncpu : probe_cpus(-1);
	unsigned int progs = cfg->progs ? cfg->progs : INSP_XDP;
	const void *obj;
	size_t obj_len;
	__u32 meta, needs;
	int ret, ev;
	__u32 i;

	in->prog_fd = in->counters_fd = in->events_fd = in->flows_fd = -1;
	in->perf_fd = in->tc_in_fd = in->tc_out_fd = in->ifaces_fd = -1;
	if (ncpu <= 0) {
		snprintf(err, err_len, "cannot count the possible CPUs: %s",
			 strerror(ncpu ? -ncpu : EIO));
		return ncpu ? ncpu : -EIO;
	}
	if (cfg->filter) {
		ret = insp_filter(in, cfg->filter, !cfg->replay, err, err_len);
		if (ret)
			return ret;
	}
	o->log_fn = cfg->log_fn;
	o->log_arg = cfg->log_arg;
	o->stats = cfg->stats;
	obj = blob_get(BLOB_OBJ, &obj_len);
	if (!obj) {
		snprintf(err, err_len, "cannot unpack the embedded BPF object: %s",
			 strerror(errno));
		return -errno;
	}
	ret = ld_parse(o, obj, obj_len, err, err_len);
	if (ret)
		return ret;
	if (!fetch) {
		say(cfg, "plain atomic adds for -c and --sample: the kernel lacks atomic fetch-add");
		ret = ld_set_func(o, TI_FUNC_FETCH_ADD, fetch_add_nofetch,
				  sizeof(fetch_add_nofetch) / sizeof(fetch_add_nofetch[0]),
				  err, err_len);
		if (ret)
			return ret;
	}
	if (!ring)
		say(cfg, "events through perf buffers: the kernel lacks %s",
		    !pr->has[PROBE_RINGBUF] ? "the BPF ring buffer" : "bpf_xdp_load_bytes");
	/* Configuration: .rodata constants the verifier sees as such. */
	ret = ld_set_var(o, TI_VAR_BUDGET, &cfg->budget, sizeof(cfg->budget),
			 err, err_len) ?:
	      ld_set_var(o, TI_VAR_SNAPLEN, &snaplen, sizeof(snaplen), err,
			 err_len) ?:
	      ld_set_var(o, TI_VAR_DEADLINE, &cfg->deadline_ns,
			 sizeof(cfg->deadline_ns), err, err_len) ?:
	      ld_set_var(o, TI_VAR_SAMPLE, &cfg->sample, sizeof(cfg->sample),
			 err, err_len) ?:
	      fit(in, cfg, ring, ncpu, err, err_len);
	if (!ret && cfg->flows_max && (!pr || pr->has[PROBE_LRU]))
		ret = ld_set_map_max(o, TI_MAP_FLOWS, cfg->flows_max, err, err_len);
	if (!ret)
		ret = ld_set_var(o, TI_VAR_MODE, &cfg->mode, sizeof(cfg->mode),
				 err, err_len);
	/* Multi-buffer frames (and their length) for replay's test runs,
	 * where the kernel has them: the same kernels as bpf_xdp_load_bytes
	 * (5.18).  Never live: in generic mode a frags program makes the
	 * kernel copy every skb for it (skb_cow_data_for_xdp), and on 6.18
	 * the copy reaches TC ingress without its MAC header, so that
	 * every TC program on the interface, ours and anyone's, would
	 * read the IP header as Ethernet. */
	in->frags = cfg->replay && (!pr || pr->has[PROBE_LOAD_BYTES]);
	if (in->frags)
		o->prog_flags |= BPF_F_XDP_HAS_FRAGS;
	meta = cfg->replay ? 1 : 0;
	needs = (in->filter_flags & FLT_LEN ? TI_NEED_LEN : 0) |
		(in->filter_flags & FLT_IF ? TI_NEED_IF : 0) |
		(in->filter_flags & FLT_L3 ? TI_NEED_L3 : 0) |
		(in->filter_flags & FLT_L4 ? TI_NEED_L4 : 0) |
		(in->filter_flags & FLT_TAGS ? TI_NEED_TAGS : 0);
	if (!ret)
		ret = ld_set_var(o, TI_VAR_FILTER_BYTES, &in->filter_bytes,
				 sizeof(in->filter_bytes), err, err_len) ?:
		      ld_set_var(o, TI_VAR_FILTER_RAW, &in->filter_raw,
				 sizeof(in->filter_raw), err, err_len) ?:
		      ld_set_var(o, TI_VAR_FILTER_NEEDS, &needs, sizeof(needs),
				 err, err_len) ?:
		      ld_set_var(o, TI_VAR_FRAGS, &in->frags, sizeof(__u32), err,
				 err_len) ?:
		      ld_set_var(o, TI_VAR_META, &meta, sizeof(meta), err, err_len);
	if (!ret && in->filter_cnt)
		ret = ld_set_func(o, TI_FUNC_FILTER, in->filter, in->filter_cnt,
				  err, err_len);
	/* Only the entry points asked for (the tracing ones wait for a
	 * target: insp_trace_load). */
	for (i = 0; i < o->elf.prog_cnt; i++) {
		const char *name = o->elf.progs[i].name;

		o->skip[i] = !((progs & INSP_XDP) && !strcmp(name, TI_PROG_NAME)) &&
			     !((progs & INSP_TC_IN) && !strcmp(name, TI_PROG_TC_IN)) &&
			     !((progs & INSP_TC_OUT) && !strcmp(name, TI_PROG_TC_OUT));
	}
	ret = ret ?: ld_load(o, err, err_len);
	if (ret) {
		ld_close(o);
		return ret;
	}
	in->prog_fd = ld_prog_fd(o, TI_PROG_NAME);
	in->tc_in_fd = ld_prog_fd(o, TI_PROG_TC_IN);
	in->tc_out_fd = ld_prog_fd(o, TI_PROG_TC_OUT);
	in->counters_fd = ld_map_fd(o, TI_MAP_COUNTERS);
	in->events_fd = ld_map_fd(o, TI_MAP_EVENTS);
	in->perf_fd = ld_map_fd(o, TI_MAP_PERF);
	in->ifaces_fd = ld_map_fd(o, TI_MAP_IFACES);
	if (((progs & INSP_XDP) && in->prog_fd < 0) ||
	    ((progs & INSP_TC_IN) && in->tc_in_fd < 0) ||
	    ((progs & INSP_TC_OUT) && in->tc_out_fd < 0) ||
	    in->counters_fd < 0 || in->events_fd < 0 || in->perf_fd < 0 ||
	    in->ifaces_fd < 0) {
		snprintf(err, err_len, "the embedded object lacks a program or map it should have");
		ld_close(o);
		return -ENOENT;
	}
	in->perf = !ring;
	in->nofetch = !fetch;
	ev = elf_find_map(&o->elf, TI_MAP_EVENTS);
	in->events_len = ring ? o->elf.maps[ev].max_entries :
			 perf_len(cfg->ring_len ? cfg->ring_len : TI_RINGBUF_SIZE, ncpu);
	in->flows_fd = ld_map_fd(o, TI_MAP_FLOWS);
	ev = elf_find_map(&o->elf, TI_MAP_FLOWS);
	in->flows_max = ev < 0 ? 0 : o->elf.maps[ev].max_entries;
	in->ncpu = ncpu;
	return 0;
}

int insp_trace_load(struct inspector *in, int target_fd, __u32 btf_id,
		    int *entry_fd, int *exit_fd, char *err, size_t err_len)
{
	int fd;

	*entry_fd = *exit_fd = -1;
	fd = ld_prog_load(&in->obj, TI_PROG_ENTRY, target_fd, btf_id, err, err_len);
	if (fd < 0)
		return fd;
	*entry_fd = fd;
	fd = ld_prog_load(&in->obj, TI_PROG_EXIT, target_fd, btf_id, err, err_len);
	if (fd < 0) {
		close(*entry_fd);
		*entry_fd = -1;
		return fd;
	}
	*exit_fd = fd;
	return 0;
}

int insp_trace_iface(const struct inspector *in, int ifindex)
{
	__u32 key = ifindex;
	__u8 one = 1;

	return bpf_map_update_elem(in->ifaces_fd, &key, &one, BPF_ANY);
}

int insp_events_open(const struct inspector *in, struct evbuf *b)
{
	return in->perf ? evb_open_perf(b, in->perf_fd, in->ncpu, in->events_len) :
			  evb_open_ring(b, in->events_fd, in->events_len);
}

void insp_counters(const struct inspector *in, __u64 *sum)
{
	struct ti_counters v[in->ncpu > 0 ? in->ncpu : 1];
	__u64 offered;
	__u32 key = 0;
	int cpu, i;

	memset(sum, 0, TI_CNT_MAX * sizeof(*sum));
	if (in->ncpu <= 0 || bpf_map_lookup_elem(in->counters_fd, &key, v))
		return;
	for (cpu = 0; cpu < in->ncpu; cpu++)
		for (i = 0; i < TI_CNT_MAX; i++)
			sum[i] += v[cpu].n[i];
	/* The sums the program leaves to us (prog/tcpinspect.h). */
	sum[TI_CNT_MALFORMED] = sum[TI_CNT_BAD_IHL] + sum[TI_CNT_BAD_DOFF] +
				sum[TI_CNT_BAD_LEN] + sum[TI_CNT_TRUNCATED] +
				sum[TI_CNT_BAD_EXT] + sum[TI_CNT_BAD_VER];
	/* What the filter was offered: segments, later fragments and
	 * malformed packets. */
	offered = sum[TI_CNT_TCP] + sum[TI_CNT_FRAGMENT] + sum[TI_CNT_MALFORMED];
	sum[TI_CNT_SEEN] += offered;
	/* Read while the program runs, a packet may be counted as TCP
	 * and not yet as matched: never less than nothing. */
	sum[TI_CNT_FILTERED] = offered > sum[TI_CNT_MATCHED] ?
			       offered - sum[TI_CNT_MATCHED] : 0;
}

void insp_health(const struct inspector *in, __u64 *sum)
{
	struct ti_health v[in->ncpu > 0 ? in->ncpu : 1];
	__u32 key = 0;
	int cpu, i, fd = ld_map_fd(&in->obj, TI_MAP_HEALTH);

	memset(sum, 0, TI_H_MAX * sizeof(*sum));
	if (in->ncpu <= 0 || fd < 0 || bpf_map_lookup_elem(fd, &key, v))
		return;
	for (cpu = 0; cpu < in->ncpu; cpu++)
		for (i = 0; i < TI_H_MAX; i++)
			sum[i] += v[cpu].n[i];
}

void insp_close(struct inspector *in)
{
	ld_close(&in->obj);
	in->prog_fd = in->counters_fd = in->events_fd = -1;
	in->tc_in_fd = in->tc_out_fd = in->ifaces_fd = -1;
	in->filter_cnt = 0;
}

const char *const insp_counter_names[TI_CNT_MAX] = {
	[TI_CNT_SEEN] = "seen", [TI_CNT_TCP] = "tcp",
	[TI_CNT_EMITTED] = "emitted", [TI_CNT_LOST] = "lost",
	[TI_CNT_MALFORMED] = "malformed", [TI_CNT_BAD_IHL] = "bad_ihl",
	[TI_CNT_BAD_DOFF] = "bad_doff", [TI_CNT_BAD_LEN] = "bad_len",
	[TI_CNT_TRUNCATED] = "truncated", [TI_CNT_BAD_EXT] = "bad_ext",
	[TI_CNT_BAD_VER] = "bad_version",
	[TI_CNT_BUDGET] = "over_budget", [TI_CNT_MATCHED] = "matched",
	[TI_CNT_FILTERED] = "filtered", [TI_CNT_FRAGMENT] = "fragments",
	[TI_CNT_SAMPLED] = "sampled_out", [TI_CNT_EXPIRED] = "expired",
	[TI_CNT_FLOW_NEW] = "flow_new", [TI_CNT_FLOW_FAIL] = "flow_fail",
};
_Static_assert(TI_CNT_MAX == 19, "a name for every counter");

enum { WALK_START, WALK_BATCH, WALK_KEYS, WALK_DONE };

/*
 * Up to step more entries in batches of whole hash buckets (5.6): a few
 * syscalls for thousands of entries, each read once.  1 more to come, 0
 * the end, -EINVAL where the kernel has no batch command, -ENOSPC for a
 * bucket longer than a batch.
 */
static int walk_batch(const struct inspector *in, struct insp_walk *w,
		      struct flow_entry *e, size_t room, size_t step)
{
	enum { BATCH = 256 };
	/* Static: 86 KB of connections is too much for a stack, and the
	 * table is read by one thread. */
	static struct ti_flow_key keys[BATCH];
	static struct ti_flow vals[BATCH];
	size_t end = room - w->n < step ? room : w->n + step;
	__u32 next, cnt, i;
	int ret;

	do {
		cnt = BATCH;	/* fewer could split a bucket: ENOSPC */
		ret = bpf_map_lookup_batch(in->flows_fd, w->n ? &w->pos : NULL,
					   &next, keys, vals, &cnt);
		if (ret && ret != -ENOENT)
			return ret;
		for (i = 0; i < cnt && w->n < room; i++, w->n++) {
			e[w->n].key = keys[i];
			e[w->n].val = vals[i];
		}
		w->pos = next;
	} while (!ret && w->n < end);
	return !ret && w->n < room;
}

/* Up to step more entries by get_next_key, each looked up; 1 or 0. */
static int walk_keys(const struct inspector *in, struct insp_walk *w,
		     struct flow_entry *e, size_t room, size_t step)
{
	struct ti_flow_key next;
	size_t i;
	int ret;

	for (i = 0; i < step; i++) {
		if (w->n >= room || w->steps++ >= 2 * room)
			return 0;
		ret = bpf_map_get_next_key(in->flows_fd, w->steps > 1 ? &w->key : NULL,
					   &next);
		if (ret)
			return 0;
		if (!bpf_map_lookup_elem(in->flows_fd, &next, &e[w->n].val))
			e[w->n++].key = next;
		w->key = next;
	}
	return 1;
}

int insp_flows_step(const struct inspector *in, struct insp_walk *w,
		    struct flow_entry *e, size_t room, size_t step)
{
	int ret;

	if (w->state == WALK_START)
		w->state = room ? WALK_BATCH : WALK_DONE;
	if (w->state == WALK_BATCH) {
		ret = walk_batch(in, w, e, room, step);
		if (ret > 0)
			return 1;
		if (!ret) {
			w->state = WALK_DONE;
			return 0;
		}
		/* No batches here (or a bucket too long): key by key, anew. */
		w->state = WALK_KEYS;
		w->n = 0;
	}
	if (w->state == WALK_KEYS) {
		if (walk_keys(in, w, e, room, step))
			return 1;
		w->n = flow_dedup(e, w->n);
		w->state = WALK_DONE;
	}
	return 0;
}

size_t insp_flows_read(const struct inspector *in, struct flow_entry *e,
		       size_t room)
{
	struct insp_walk w = { 0 };

	while (insp_flows_step(in, &w, e, room, room) > 0)
		;
	return w.n;
}

__s64 insp_mono_to_real(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (real.tv_sec - mono.tv_sec) * 1000000000LL +
	       (real.tv_nsec - mono.tv_nsec);
}
