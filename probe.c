// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - kernel feature probes (see probe.h).
 *
 * Each probe is the smallest thing that needs the feature: a map of the
 * type, or a program of a few instructions that uses the instruction or
 * helper, loaded as XDP and closed at once.  A refusal (EINVAL, or
 * E2BIG / ENOTSUPP for map types some kernels reject differently) means
 * missing.  Probes never parse the kernel version.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/resource.h>
#include <linux/btf.h>
#include <linux/if_link.h>
#include "bpf.h"
#include "kern.h"
#include "netlink.h"
#include "probe.h"

const char *const probe_names[PROBE_CNT] = {
	[PROBE_RINGBUF] = "ringbuf", [PROBE_PERF] = "perf",
	[PROBE_LINK] = "link", [PROBE_BTF] = "btf",
	[PROBE_GLOBAL] = "global", [PROBE_ALU32] = "alu32",
	[PROBE_FETCH] = "fetch", [PROBE_LOAD_BYTES] = "load_bytes",
	[PROBE_PERCPU] = "percpu", [PROBE_LRU] = "lru",
	[PROBE_MEMCG] = "memlock", [PROBE_TCX] = "tcx",
	[PROBE_FENTRY] = "fentry",
};

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_IMM(d, i)	INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_DW(d, o, i)	INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define LDX_W(d, s, o)	INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define LD_IMM64(d, s, i, i2) \
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, i), INSN(0, 0, 0, 0, i2)
#define CALL(f)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define RET_PASS	MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT

static int prog_load(const struct bpf_insn *insns, __u32 cnt)
{
	struct bpf_prog_load_opts o = {
		.prog_type = BPF_PROG_TYPE_XDP, .name = "ti_probe",
		.insns = insns, .insn_cnt = cnt, .license = "GPL", .btf_fd = -1,
	};

	return bpf_prog_load(&o);
}

/* 1 if the program loads, 0 if refused, -EPERM. */
static int loads(const struct bpf_insn *insns, __u32 cnt)
{
	int fd = prog_load(insns, cnt);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : fd == -EPERM ? -EPERM : 0;
}

static int map_new(__u32 type, __u32 key, __u32 value, __u32 max,
		   __u32 flags)
{
	struct bpf_map_create_opts c = {
		.type = type, .name = "ti_probe", .key_size = key,
		.value_size = value, .max_entries = max, .map_flags = flags,
		.inner_map_fd = -1,
	};

	return bpf_map_create(&c);
}

/* 1 if a map of the type can be made, 0 if not, -EPERM. */
static int map_ok(__u32 type, __u32 key, __u32 value, __u32 max)
{
	int fd = map_new(type, key, value, max, 0);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : fd == -EPERM ? -EPERM : 0;
}

static int has_btf(void)
{
	static const struct {
		struct btf_header h;
		__u32 types[4];
		char strs[5];
	} __attribute__((packed)) b = {
		.h = { .magic = BTF_MAGIC, .version = BTF_VERSION,
		       .hdr_len = sizeof(struct btf_header),
		       .type_off = 0, .type_len = 16,
		       .str_off = 16, .str_len = 5 },
		/* int: name "int", BTF_KIND_INT, 4 bytes, 32 bits */
		.types = { 1, BTF_KIND_INT << 24, 4, 32 },
		.strs = "\0int",
	};
	int fd = bpf_btf_load(&b, sizeof(b), NULL, 0);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/*
 * tcx (6.6): a bpf_link to a TC hook.  Asked for interface 0, a kernel
 * with tcx looks for the device (ENODEV); one without does not know the
 * attach type (EINVAL).
 */
static int has_tcx(void)
{
	const struct bpf_insn p[] = { MOV64_IMM(BPF_REG_0, -1), EXIT };
	struct bpf_prog_load_opts o = {
		.prog_type = BPF_PROG_TYPE_SCHED_CLS, .name = "ti_probe",
		.insns = p, .insn_cnt = 2, .license = "GPL", .btf_fd = -1,
	};
	int fd = bpf_prog_load(&o), link;

	if (fd < 0)
		return 0;
	link = bpf_link_create(fd, 0, TI_BPF_TCX_INGRESS, 0);
	if (link >= 0)
		close(link);
	close(fd);
	return link == -ENODEV;
}

/*
 * fentry and fexit on an XDP program: a BPF trampoline (x86-64 5.5,
 * arm64 6.0; none on 32-bit ARM), BTF, and a kernel that lets tracing
 * programs load (lockdown may not).  An XDP program with BTF for its
 * function, a tracing program loaded for it and attached, all closed.
 * 1 works, 0 not (why: the step and the kernel's answer).
 */
static int has_fentry(char *why, size_t len)
{
	static const struct {
		struct btf_header h;
		__u32 types[18];
		char strs[20];
	} __attribute__((packed)) b = {
		.h = { .magic = BTF_MAGIC, .version = BTF_VERSION,
		       .hdr_len = sizeof(struct btf_header),
		       .type_off = 0, .type_len = 72,
		       .str_off = 72, .str_len = 20 },
		.types = {
			1, BTF_KIND_INT << 24, 4, 32,		/* 1: int */
			5, BTF_KIND_FWD << 24, 0,		/* 2: struct xdp_md */
			0, BTF_KIND_PTR << 24, 2,		/* 3: struct xdp_md * */
			0, BTF_KIND_FUNC_PROTO << 24 | 1, 1, 12, 3,	/* 4: int (ctx) */
			16, BTF_KIND_FUNC << 24 | 1, 4,		/* 5: global tgt */
		},
		.strs = "\0int\0xdp_md\0ctx\0tgt",
	};
	const struct bpf_insn p[] = { MOV64_IMM(BPF_REG_0, XDP_PASS), EXIT };
	const struct bpf_insn t[] = { MOV64_IMM(BPF_REG_0, 0), EXIT };
	struct bpf_func_info fi = { .insn_off = 0, .type_id = 5 };
	struct bpf_prog_load_opts o = {
		.prog_type = BPF_PROG_TYPE_XDP, .name = "ti_probe",
		.insns = p, .insn_cnt = 2, .license = "GPL",
		.func_info = &fi, .func_info_cnt = 1,
	};
	int btf, tgt = -1, fd = -1, link = -1;

	btf = bpf_btf_load(&b, sizeof(b), NULL, 0);
	if (btf < 0) {
		snprintf(why, len, "no BTF (%s)", strerror(-btf));
		return 0;
	}
	o.btf_fd = btf;
	tgt = bpf_prog_load(&o);
	if (tgt < 0) {
		snprintf(why, len, "an XDP program with BTF: %s", strerror(-tgt));
		goto out;
	}
	o = (struct bpf_prog_load_opts){
		.prog_type = BPF_PROG_TYPE_TRACING, .name = "ti_probe",
		.insns = t, .insn_cnt = 2, .license = "GPL", .btf_fd = -1,
		.expected_attach_type = BPF_TRACE_FENTRY,
		.attach_prog_fd = tgt, .attach_btf_id = 5,
	};
	fd = bpf_prog_load(&o);
	if (fd < 0) {
		snprintf(why, len, "loading a tracing program: %s", strerror(-fd));
		goto out;
	}
	link = bpf_trace_attach(fd);
	if (link < 0)
		snprintf(why, len, "attaching a tracing program: %s", strerror(-link));
out:
	if (link >= 0)
		close(link);
	if (fd >= 0)
		close(fd);
	if (tgt >= 0)
		close(tgt);
	close(btf);
	return link >= 0;
}

/* A map value in ld_imm64 (BPF_PSEUDO_MAP_VALUE) of a frozen read-only map. */
static int has_global_data(void)
{
	__u32 key = 0, val = 0;
	int fd, ret = 0;

	fd = map_new(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY_PROG);
	if (fd < 0)
		return 0;
	if (!bpf_map_update_elem(fd, &key, &val, BPF_ANY) && !bpf_map_freeze(fd)) {
		const struct bpf_insn p[] = {
			LD_IMM64(BPF_REG_1, BPF_PSEUDO_MAP_VALUE, fd, 0),
			LDX_W(BPF_REG_0, BPF_REG_1, 0),
			RET_PASS,
		};

		ret = loads(p, sizeof(p) / sizeof(p[0])) > 0;
	}
	close(fd);
	return ret;
}

/* bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, stack, 8) from XDP. */
static int has_perf_output(void)
{
	int fd, ret;

	fd = map_new(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0);
	if (fd < 0)
		return 0;
	{
		const struct bpf_insn p[] = {
			ST_DW(BPF_REG_10, -8, 0),
			LD_IMM64(BPF_REG_2, BPF_PSEUDO_MAP_FD, fd, 0),
			MOV32_IMM(BPF_REG_3, -1),	/* BPF_F_CURRENT_CPU */
			MOV64_REG(BPF_REG_4, BPF_REG_10),
			ADD64_IMM(BPF_REG_4, -8),
			MOV64_IMM(BPF_REG_5, 8),
			CALL(BPF_FUNC_perf_event_output),
			RET_PASS,
		};

		ret = loads(p, sizeof(p) / sizeof(p[0])) > 0;
	}
	close(fd);
	return ret;
}

/*
 * XDP bpf_link: BPF_LINK_CREATE in native mode on lo, which has no
 * native XDP, so nothing can attach.  A kernel with XDP links says so in
 * its own words (EOPNOTSUPP; EEXIST if lo has a generic program); one
 * without (before 5.9) refuses the attach type: EINVAL.  An invalid
 * ifindex would not do: it is EINVAL on every kernel.
 */
static int has_xdp_link(int prog_fd)
{
	int lo = if_nametoindex("lo"), fd;

	fd = bpf_link_create(prog_fd, lo ? lo : 1, BPF_XDP, XDP_FLAGS_DRV_MODE);
	if (fd >= 0)
		close(fd);	/* attached after all: the link goes with its fd */
	return fd != -EINVAL;
}

/* 1 if the kernel charges BPF memory to RLIMIT_MEMLOCK, 0 if not, -errno. */
static int memlock_charged(void)
{
	struct rlimit old, zero;
	int fd;

	if (getrlimit(RLIMIT_MEMLOCK, &old))
		return -errno;
	zero = old;
	zero.rlim_cur = 0;
	if (setrlimit(RLIMIT_MEMLOCK, &zero))
		return -errno;
	fd = map_new(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	setrlimit(RLIMIT_MEMLOCK, &old);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd == -EPERM ? 1 : fd;
}

static unsigned long long lim_val(rlim_t v)
{
	return v == RLIM_INFINITY ? ~0ull : (unsigned long long)v;
}

/*
 * Unlimited if we may (CAP_SYS_RESOURCE, or an unlimited hard limit),
 * else up to the hard limit; memlock_err says why not unlimited.
 */
static void memlock_raise(struct probe *p)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_MEMLOCK, &r)) {
		p->memlock_err = -errno;
		return;
	}
	p->memlock_was = p->memlock_now = lim_val(r.rlim_cur);
	r.rlim_cur = r.rlim_max = RLIM_INFINITY;
	if (!setrlimit(RLIMIT_MEMLOCK, &r)) {
		p->memlock_now = ~0ull;
		return;
	}
	p->memlock_err = -errno;
	if (getrlimit(RLIMIT_MEMLOCK, &r))
		return;
	r.rlim_cur = r.rlim_max;
	if (!setrlimit(RLIMIT_MEMLOCK, &r))
		p->memlock_now = lim_val(r.rlim_cur);
}

int probe_disable(struct probe *p, char *err, size_t err_len)
{
	const char *s = getenv("TCPINSPECT_DISABLE"), *end;
	size_t n;
	int f;

	for (; s && *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, ",");
		n = end - s;
		if (!n)
			continue;
		for (f = 0; f < PROBE_CNT; f++)
			if (strlen(probe_names[f]) == n && !strncmp(s, probe_names[f], n))
				break;
		if (f == PROBE_CNT) {
			snprintf(err, err_len, "TCPINSPECT_DISABLE: unknown feature '%.*s' (known: ringbuf, perf, link, btf, global, alu32, fetch, load_bytes, percpu, lru, memlock)",
				 (int)n, s);
			return -EINVAL;
		}
		p->off[f] = 1;
	}
	return 0;
}

int probe_kernel(struct probe *p, char *err, size_t err_len)
{
	static const struct bpf_insn pass[] = { RET_PASS };
	static const struct bpf_insn jmp32[] = {
		MOV32_IMM(BPF_REG_0, XDP_PASS),
		INSN(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
		EXIT,
	};
	static const struct bpf_insn fetch[] = {
		ST_DW(BPF_REG_10, -8, 0),
		MOV64_IMM(BPF_REG_1, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_10, BPF_REG_1, -8,
		     BPF_ADD | BPF_FETCH),
		RET_PASS,
	};
	static const struct bpf_insn load_bytes[] = {
		MOV64_IMM(BPF_REG_2, 0),
		MOV64_REG(BPF_REG_3, BPF_REG_10),
		ADD64_IMM(BPF_REG_3, -8),
		MOV64_IMM(BPF_REG_4, 1),
		CALL(BPF_FUNC_xdp_load_bytes),
		RET_PASS,
	};
	__u8 real[PROBE_CNT], off[PROBE_CNT];
	int fd, prog_fd = -1, f, charged, raised = 0;
	long page = sysconf(_SC_PAGESIZE);

	memcpy(off, p->off, sizeof(off));
	memset(p, 0, sizeof(*p));
	memcpy(p->off, off, sizeof(off));
	memset(real, 0, sizeof(real));

	/* Privilege first, and memory accounting, which decides whether
	 * anything else can be created with the limit we were given. */
	fd = map_new(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	if (fd == -EPERM) {
		/* No privilege, or a memlock-charging kernel and a low limit. */
		memlock_raise(p);
		raised = 1;
		fd = map_new(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
		charged = fd >= 0;
	} else {
		charged = fd >= 0 ? memlock_charged() : 0;
	}
	if (fd < 0) {
		snprintf(err, err_len, "cannot create a BPF map: %s%s", strerror(-fd),
			 fd == -EPERM ? " (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)" :
			 fd == -ENOSYS ? " (the kernel has no bpf() system call: CONFIG_BPF_SYSCALL)" : "");
		return fd;
	}
	close(fd);
	real[PROBE_MEMCG] = charged == 0;
	if ((charged || p->off[PROBE_MEMCG]) && !raised)
		memlock_raise(p);

	prog_fd = prog_load(pass, 2);
	if (prog_fd < 0) {
		snprintf(err, err_len, "cannot load an XDP program: %s%s", strerror(-prog_fd),
			 prog_fd == -EPERM ? " (needs root, or CAP_BPF and CAP_NET_ADMIN)" :
			 " (the kernel needs XDP: Linux 4.8)");
		return prog_fd;
	}
	real[PROBE_LINK] = has_xdp_link(prog_fd);
	close(prog_fd);

	real[PROBE_RINGBUF] = map_ok(BPF_MAP_TYPE_RINGBUF, 0, 0, page) > 0;
	real[PROBE_PERF] = has_perf_output();
	real[PROBE_BTF] = has_btf();
	real[PROBE_GLOBAL] = has_global_data();
	real[PROBE_ALU32] = loads(jmp32, sizeof(jmp32) / sizeof(jmp32[0])) > 0;
	real[PROBE_FETCH] = loads(fetch, sizeof(fetch) / sizeof(fetch[0])) > 0;
	real[PROBE_LOAD_BYTES] = loads(load_bytes, sizeof(load_bytes) /
				       sizeof(load_bytes[0])) > 0;
	real[PROBE_LRU] = map_ok(BPF_MAP_TYPE_LRU_HASH, 4, 4, 64) > 0;
	real[PROBE_TCX] = has_tcx();
	/* PROBE_FENTRY: only when asked (probe_fentry), it costs a
	 * trampoline */
	fd = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	real[PROBE_PERCPU] = fd >= 0;
	p->ncpu = probe_cpus(fd);
	if (fd >= 0)
		close(fd);
	for (f = 0; f < PROBE_CNT; f++)
		p->has[f] = real[f] && !p->off[f];
	return 0;
}

int probe_fentry(struct probe *p)
{
	if (p->off[PROBE_FENTRY]) {
		snprintf(p->fentry_why, sizeof(p->fentry_why), "TCPINSPECT_DISABLE");
		return p->has[PROBE_FENTRY] = 0;
	}
	return p->has[PROBE_FENTRY] = has_fentry(p->fentry_why,
						 sizeof(p->fentry_why));
}

int probe_require(const struct probe *p, int flows, char *err,
		  size_t err_len)
{
	const char *why = NULL;

	if (!p->has[PROBE_GLOBAL])
		why = "no BPF global data (needs Linux 5.2): tcpinspect's program is configured through .rodata";
	else if (!p->has[PROBE_ALU32])
		why = "no JMP32 instructions (needs Linux 5.1): tcpinspect's program and filters use them";
	else if (!p->has[PROBE_PERCPU])
		why = "no per-CPU array maps (needs Linux 4.6): tcpinspect counts and assembles events per CPU";
	else if (flows && !p->has[PROBE_LRU])
		why = "no LRU hash maps (needs Linux 4.10): tcpinspect flows keeps its table in one";
	else if (!flows && !p->has[PROBE_PERF] &&
		 !(p->has[PROBE_RINGBUF] && p->has[PROBE_LOAD_BYTES]))
		why = p->has[PROBE_RINGBUF] ?
		      "a BPF ring buffer but no bpf_xdp_load_bytes (needs Linux 5.18) and no perf event array output from XDP (needs Linux 4.10 with CONFIG_BPF_EVENTS): no way to send events" :
		      "no BPF ring buffer (needs Linux 5.8) and no perf event array output from XDP (needs Linux 4.10 with CONFIG_BPF_EVENTS): no way to send events";
	else if (p->ncpu <= 0)
		why = "no count of possible CPUs (per-CPU maps, or /sys/devices/system/cpu/possible)";
	if (!why)
		return 0;
	snprintf(err, err_len, "this kernel has %s", why);
	return -ENOTSUP;
}

const char *probe_instead(const struct probe *p, enum probe_feat f)
{
	int ring = p->has[PROBE_RINGBUF] && p->has[PROBE_LOAD_BYTES];

	switch (f) {
	case PROBE_RINGBUF:
		return p->has[PROBE_PERF] ? "perf event array, per-CPU perf buffers" :
		       "none: no way to send events";
	case PROBE_PERF:
		return ring ? "not needed: the ring buffer carries events" :
		       "none: no way to send events";
	case PROBE_LINK:
		return "netlink attach, detached on exit";
	case PROBE_BTF:
		return "maps and programs loaded without BTF";
	case PROBE_GLOBAL:
		return "none: the program is configured through .rodata";
	case PROBE_ALU32:
		return "none: the program and filters use JMP32";
	case PROBE_FETCH:
		return "plain atomic adds: -c and --sample may race across CPUs";
	case PROBE_LOAD_BYTES:
		return p->has[PROBE_PERF] ? "perf buffers: the kernel appends the frame" :
		       "none: no way to copy the frame";
	case PROBE_PERCPU:
		return "none: counters are per-CPU arrays";
	case PROBE_LRU:
		return "captures work; tcpinspect flows does not";
	case PROBE_TCX:
		return "TC hooks through netlink: a clsact qdisc and cls_bpf filters";
	case PROBE_FENTRY:
		return p->has[PROBE_TCX] ?
		       "beside an XDP program, tcx ingress: what it drops is not seen" :
		       "beside an XDP program, TC ingress: what it drops is not seen";
	case PROBE_MEMCG:
		return p->memlock_now == ~0ull ? "RLIMIT_MEMLOCK raised to unlimited" :
		       "RLIMIT_MEMLOCK raised to its hard limit";
	default:
		return "?";
	}
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Remove our program fd from ifindex in mode, and only ours. */
static int detach_ours(int ifindex, int fd, __u32 mode)
{
	struct nl_xdp_info x;
	__u32 id;
	int ret;

	ret = nl_xdp_set(ifindex, -1, fd, mode | XDP_FLAGS_REPLACE, NULL, 0);
	if (ret != -EINVAL)
		return ret;
	/* Before 5.7 there is no XDP_FLAGS_REPLACE: check, then remove. */
	id = prog_id(fd);
	ret = nl_xdp_query(ifindex, &x);
	if (ret)
		return ret;
	if (!id || (x.prog_id != id && x.drv_prog_id != id && x.skb_prog_id != id))
		return 0;
	return nl_xdp_set(ifindex, -1, -1, mode, NULL, 0);
}

int probe_xdp_modes(int ifindex, struct probe_xdp *x)
{
	static const struct bpf_insn pass[] = { RET_PASS };
	static const __u32 modes[2] = { XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };
	int *res[2] = { &x->native, &x->generic };
	int *errs[2] = { &x->native_err, &x->generic_err };
	char *why[2] = { x->native_why, x->generic_why };
	struct nl_xdp_info info;
	sigset_t all, old;
	int fd, i, r, ret;

	memset(x, 0, sizeof(*x));
	ret = nl_xdp_query(ifindex, &info);
	if (ret)
		return ret;
	if (info.attached != XDP_ATTACHED_NONE) {
		/* Someone's program: the mode it is in works, the other we
		 * cannot try without removing it. */
		x->busy_id = info.prog_id ? info.prog_id : info.drv_prog_id ?
			     info.drv_prog_id : info.skb_prog_id ? info.skb_prog_id :
			     info.hw_prog_id;
		x->busy_mode = info.drv_prog_id || info.attached == XDP_ATTACHED_DRV ?
			       XDP_FLAGS_DRV_MODE : info.skb_prog_id ||
			       info.attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
			       XDP_FLAGS_HW_MODE;
		x->native = x->busy_mode == XDP_FLAGS_DRV_MODE ? 1 : -1;
		x->generic = x->busy_mode == XDP_FLAGS_SKB_MODE ? 1 : -1;
		return 0;
	}
	fd = prog_load(pass, 2);
	if (fd < 0)
		return fd;
	/* No signal between attach and detach: nothing of ours stays. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < 2 && !ret; i++) {
		r = nl_xdp_set(ifindex, fd, -1, modes[i] | XDP_FLAGS_UPDATE_IF_NOEXIST,
			       why[i], sizeof(x->native_why));
		*res[i] = !r;
		*errs[i] = r;
		if (!r)
			ret = detach_ours(ifindex, fd, modes[i]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
	return ret;
}

/*
 * Read one fresh (all-zero) entry into a buffer of 0xff and count the
 * 8-byte slots the kernel overwrote: needs no /sys, which an initramfs
 * may lack.
 */
int probe_cpus(int percpu_fd)
{
	enum { MAX_CPUS = 8192 };
	static __u64 v[MAX_CPUS];
	__u32 key = 0;
	int n, fd = percpu_fd;

	if (fd < 0)
		fd = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	memset(v, 0xff, sizeof(v));
	n = fd >= 0 && !bpf_map_lookup_elem(fd, &key, v) ? 0 : -1;
	for (; n >= 0 && n < MAX_CPUS && v[n] == 0; n++)
		;
	if (fd >= 0 && fd != percpu_fd)
		close(fd);
	return n > 0 ? n : kern_possible_cpus();
}
