// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_elf.c - libFuzzer harness for elf.c: parse, lay out, link, read
 * .BTF.ext records, fix up BTF and look names up, on any bytes.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined (make
 * build/fuzz_elf).  Every buffer elf.c reads or writes is an allocation
 * of exactly the size it is allowed to touch, so ASan reports any access
 * past it.  Beyond memory errors, what elf.h promises is checked here and
 * a broken promise abort()s, which libFuzzer reports as a crash with the
 * input saved: a failure is -EINVAL, -ENOTSUP or -E2BIG with a non-empty
 * one-line printable message; what a success returns lies inside the
 * object and within the limits; every patched instruction points at a map
 * or a function that exists; nothing else changes; the object's bytes are
 * never modified.
 *
 * Replaying a file (build/fuzz_elf FILE...) runs it once, which is how
 * fuzz.sh replays fuzz-regress/ (both here, in tests/fuzz/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "btf.h"
#include "elf.h"
#define FUZZ_NAME "fuzz_elf"
#include "check.h"

#define FD_BASE		1000	/* sentinel "fd" of map i is FD_BASE + i */
#define ERR_LEN		256
#define LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define CALL		(BPF_JMP | BPF_CALL)

/*
 * Too big for the stack.  Reused from run to run, as a caller may: the
 * arrays are poisoned before each parse, so that a field elf_parse()
 * leaves unset shows up as a broken invariant, not as a stale value.
 */
static struct elf_obj obj;
#define POISON		0xa5

/* Names that real objects use, besides those found in the object. */
static const char *const names[] = {
	"", "xdp", "tcpinspect", "ti_budget", "cfg_ret", "data_var",
	"bss_runs", "ro_name", "data_static", ".data", ".rodata", ".bss",
	"events", "counters", "jmp_table", "outer", "license",
};

/* [p, p + n) lies inside [buf, buf + len). */
static int inside(const void *p, size_t n, const __u8 *buf, size_t len)
{
	const __u8 *q = p;

	return q >= buf && q <= buf + len && n <= (size_t)(buf + len - q);
}

/* A NUL-terminated string inside [buf, buf + len). */
static int str_inside(const char *s, const __u8 *buf, size_t len)
{
	return s && inside(s, 1, buf, len) &&
	       memchr(s, 0, buf + len - (const __u8 *)s);
}

static void check_err(const char *fn, int ret, const char *err)
{
	const char *p;

	check(ret == -EINVAL || ret == -ENOTSUP || ret == -E2BIG,
	      "%s returned %d", fn, ret);
	check(err[0], "%s returned %d with an empty message", fn, ret);
	check(memchr(err, 0, ERR_LEN), "%s: message not terminated", fn);
	for (p = err; *p; p++)
		check((__u8)*p >= 0x20 && *p != 0x7f,
		      "%s: control character 0x%02x at %td in \"%s\"", fn,
		      (__u8)*p, p - err, err);
}

/* What elf_parse() accepted holds together. */
static void check_obj(const struct elf_obj *o, const __u8 *buf, size_t len)
{
	const struct elf_map *m;
	const struct elf_func *f;
	const struct elf_prog *p;
	const struct elf_reloc *r;
	const struct elf_init *in;
	__u32 i, j;

	check(o->buf == buf && o->len == len, "buf/len not the input");
	check(o->prog_cnt >= 1 && o->prog_cnt <= ELF_MAX_PROGS &&
	      o->map_cnt <= ELF_MAX_MAPS && o->func_cnt <= ELF_MAX_FUNCS &&
	      o->reloc_cnt <= ELF_MAX_RELOCS && o->init_cnt <= ELF_MAX_INITS &&
	      o->func_cnt >= o->prog_cnt,
	      "counts: %u progs, %u maps, %u funcs, %u relocs, %u inits",
	      o->prog_cnt, o->map_cnt, o->func_cnt, o->reloc_cnt, o->init_cnt);
	check(o->license && (!o->license[0] || str_inside(o->license, buf, len)),
	      "license not a string in the object");
	check(o->btf ? inside(o->btf, o->btf_len, buf, len) : !o->btf_len,
	      ".BTF outside the object");
	check(o->btf_ext ? o->btf && inside(o->btf_ext, o->btf_ext_len, buf, len) :
			   !o->btf_ext_len,
	      ".BTF.ext outside the object (or without .BTF)");

	for (i = 0; i < o->map_cnt; i++) {
		m = &o->maps[i];
		check(str_inside(m->name, buf, len), "map %u: name", i);
		check(m->kind <= ELF_MAP_INNER, "map %s: kind %u", m->name, m->kind);
		check(m->inner_idx == -1 ||
		      (m->inner_idx >= 0 && (__u32)m->inner_idx < o->map_cnt &&
		       o->maps[m->inner_idx].kind == ELF_MAP_INNER),
		      "map %s: inner_idx %d", m->name, m->inner_idx);
		if (m->kind == ELF_MAP_DATA)
			check(m->value_size && m->max_entries == 1 &&
			      (!m->init || inside(m->init, m->value_size, buf, len)),
			      "data map %s: %u bytes of init outside the object",
			      m->name, m->value_size);
		else
			check(!m->init, "map %s: init on a definition", m->name);
	}
	for (i = 0; i < o->func_cnt; i++) {
		f = &o->funcs[i];
		check(str_inside(f->name, buf, len) &&
		      str_inside(f->sec_name, buf, len), "function %u: name", i);
		check(f->cnt && inside(f->insns, (size_t)f->cnt * 8, buf, len),
		      "function %s: %u instructions outside the object",
		      f->name, f->cnt);
		for (j = 0; j < i; j++)
			check(o->funcs[j].sec_idx != f->sec_idx ||
			      o->funcs[j].off >= f->off + f->cnt ||
			      f->off >= o->funcs[j].off + o->funcs[j].cnt,
			      "functions %s and %s overlap", o->funcs[j].name,
			      f->name);
	}
	for (i = 0; i < o->prog_cnt; i++) {
		p = &o->progs[i];
		check(p->func_idx < o->func_cnt, "program %u: func_idx %u", i,
		      p->func_idx);
		f = &o->funcs[p->func_idx];
		check(p->name == f->name && p->sec_name == f->sec_name &&
		      p->insns == f->insns && p->insn_cnt == f->cnt &&
		      p->sec_idx == f->sec_idx,
		      "program %u disagrees with its function", i);
		check(strcmp(p->sec_name, ".text"), "program %s in .text", p->name);
		check(!p->flags || p->flags == BPF_F_XDP_HAS_FRAGS,
		      "program %s: flags 0x%x", p->name, p->flags);
		check(!p->attach_type || p->attach_type == BPF_XDP_DEVMAP ||
		      p->attach_type == BPF_XDP_CPUMAP, "program %s: attach type %u",
		      p->name, p->attach_type);
	}
	for (i = 0; i < o->reloc_cnt; i++) {
		r = &o->relocs[i];
		for (j = 0; j < i; j++)
			check(o->relocs[j].sec_idx != r->sec_idx ||
			      o->relocs[j].insn != r->insn,
			      "relocations %u and %u patch one instruction", j, i);
		switch (r->kind) {
		case ELF_RELOC_MAP:
			check(r->target < o->map_cnt &&
			      o->maps[r->target].kind == ELF_MAP_DEF,
			      "relocation %u: map %u", i, r->target);
			break;
		case ELF_RELOC_MAP_VALUE:
			check(r->target < o->map_cnt &&
			      o->maps[r->target].kind == ELF_MAP_DATA &&
			      r->off < o->maps[r->target].value_size,
			      "relocation %u: data map %u offset %u", i,
			      r->target, r->off);
			break;
		case ELF_RELOC_CALL:
		case ELF_RELOC_FUNC:
			check(r->target < o->func_cnt, "relocation %u: function %u",
			      i, r->target);
			break;
		case ELF_RELOC_KFUNC:
		case ELF_RELOC_KSYM:
			check(r->target < o->extern_cnt &&
			      o->externs[r->target].kind == ELF_EXT_KSYM &&
			      (r->kind == ELF_RELOC_KSYM || o->externs[r->target].is_func),
			      "relocation %u: extern %u", i, r->target);
			break;
		default:
			check(0, "relocation %u: kind %u", i, r->kind);
		}
	}
	check(o->extern_cnt <= ELF_MAX_EXTERNS && o->core_cnt <= ELF_MAX_CORE,
	      "%u externs, %u CO-RE relocations", o->extern_cnt, o->core_cnt);
	check(o->kconfig_map == -1 ||
	      ((__u32)o->kconfig_map < o->map_cnt &&
	       o->maps[o->kconfig_map].kind == ELF_MAP_DATA),
	      "kconfig map %d", o->kconfig_map);
	for (i = 0; i < o->extern_cnt; i++) {
		check(str_inside(o->externs[i].name, buf, len), "extern %u: name", i);
		if (o->externs[i].kind == ELF_EXT_KCONFIG)
			check(o->kconfig_map >= 0 && o->externs[i].size &&
			      o->externs[i].off + o->externs[i].size <=
			      o->maps[o->kconfig_map].value_size,
			      "kconfig extern %s: %u bytes at %u", o->externs[i].name,
			      o->externs[i].size, o->externs[i].off);
		else
			check(o->externs[i].kind == ELF_EXT_KSYM, "extern %u: kind", i);
	}
	for (i = 0; i < o->core_cnt; i++)
		check(str_inside(o->core[i].access, buf, len) &&
		      o->core[i].kind <= BPF_CORE_TYPE_MATCHES,
		      "CO-RE relocation %u: access or kind %u", i, o->core[i].kind);
	for (i = 0; i < o->init_cnt; i++) {
		in = &o->inits[i];
		check(in->map_idx < o->map_cnt &&
		      in->slot < o->maps[in->map_idx].max_entries &&
		      (in->is_prog ? in->target < o->prog_cnt :
				     in->target < o->map_cnt),
		      "init %u: map %u slot %u %s %u", i, in->map_idx, in->slot,
		      in->is_prog ? "prog" : "map", in->target);
	}
}

static void check_layout(const struct elf_obj *o, const struct elf_prog *p,
			 const struct elf_layout *l)
{
	__u32 s, t, pos = 0;

	check(l->seg_cnt >= 1 && l->seg_cnt <= ELF_MAX_SEGS,
	      "%s: %u segments", p->name, l->seg_cnt);
	check(l->segs[0].func_idx == p->func_idx, "%s: not first", p->name);
	for (s = 0; s < l->seg_cnt; s++) {
		check(l->segs[s].func_idx < o->func_cnt && l->segs[s].pos == pos,
		      "%s: segment %u: function %u at %u, want at %u", p->name,
		      s, l->segs[s].func_idx, l->segs[s].pos, pos);
		for (t = 0; t < s; t++)
			check(l->segs[t].func_idx != l->segs[s].func_idx,
			      "%s: function %u laid out twice", p->name,
			      l->segs[s].func_idx);
		pos += o->funcs[l->segs[s].func_idx].cnt;
	}
	check(l->insn_cnt == pos, "%s: %u instructions, segments hold %u",
	      p->name, l->insn_cnt, pos);
}

static int seg_at(const struct elf_layout *l, __s64 pc)
{
	__u32 s;

	for (s = 0; s < l->seg_cnt; s++)
		if (l->segs[s].pos == pc)
			return s;
	return -1;
}

/*
 * The linked program: every instruction a relocation patches points at a
 * sentinel fd or at the start of a laid-out function; the others are the
 * object's bytes.  (check_obj() already refused two relocations of one
 * instruction; were there two, the last one applied is what is checked.)
 */
struct patch {
	int last;	/* index of the last relocation at this pc, or -1 */
	int halves;	/* relocations writing this pc as a second half */
};

static void check_link(const struct elf_obj *o, const struct elf_layout *l,
		       const struct bpf_insn *out)
{
	const struct elf_func *f;
	const struct elf_reloc *r;
	const struct bpf_insn *in;
	struct bpf_insn orig;
	struct patch *pt = malloc((l->insn_cnt ?: 1) * sizeof(*pt));
	__u32 s, i, pc, k;
	__s64 to;

	for (pc = 0; pc < l->insn_cnt; pc++)
		pt[pc] = (struct patch){ .last = -1 };
	for (s = 0; s < l->seg_cnt; s++) {
		f = &o->funcs[l->segs[s].func_idx];
		for (i = 0; i < o->reloc_cnt; i++) {
			r = &o->relocs[i];
			if (r->sec_idx != f->sec_idx || r->insn < f->off ||
			    r->insn - f->off >= f->cnt)
				continue;
			pc = l->segs[s].pos + r->insn - f->off;
			pt[pc].last = i;
			if (r->kind == ELF_RELOC_CALL || r->kind == ELF_RELOC_KFUNC)
				continue;
			check(pc + 1 < l->segs[s].pos + f->cnt,
			      "%s+%u: 64-bit load at the end", f->name, pc);
			if (r->kind != ELF_RELOC_MAP)
				pt[pc + 1].halves++;
		}
	}
	for (pc = 0; pc < l->insn_cnt; pc++) {
		if (pt[pc].last < 0 || pt[pc].halves)
			continue;
		r = &o->relocs[pt[pc].last];
		in = &out[pc];
		if (r->kind == ELF_RELOC_CALL || r->kind == ELF_RELOC_KFUNC)
			check(in->code == CALL && in->src_reg == BPF_PSEUDO_CALL,
			      "insn %u: call relocation on opcode 0x%02x src %u",
			      pc, in->code, in->src_reg);
		else
			check(in->code == LD_IMM64,
			      "insn %u: relocation on opcode 0x%02x", pc, in->code);
		switch (r->kind) {
		case ELF_RELOC_MAP:
		case ELF_RELOC_MAP_VALUE:
			check(in->src_reg == (r->kind == ELF_RELOC_MAP ?
					      BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE) &&
			      in->imm == FD_BASE + (__s64)r->target &&
			      r->target < o->map_cnt,
			      "insn %u: map load src %u imm %d for map %u", pc,
			      in->src_reg, in->imm, r->target);
			if (r->kind == ELF_RELOC_MAP_VALUE && pt[pc + 1].last < 0 &&
			    pt[pc + 1].halves == 1)
				check(in[1].imm == (__s32)r->off,
				      "insn %u: value offset %d, want %u", pc,
				      in[1].imm, r->off);
			break;
		case ELF_RELOC_FUNC:
			check(in->src_reg == BPF_PSEUDO_FUNC,
			      "insn %u: callback load src %u", pc, in->src_reg);
			/* fall through */
		case ELF_RELOC_CALL:
			to = (__s64)pc + in->imm + 1;
			check(to >= 0 && to < l->insn_cnt && seg_at(l, to) >= 0 &&
			      l->segs[seg_at(l, to)].func_idx == r->target,
			      "insn %u: call/callback to %lld, not function %u (of %u instructions)",
			      pc, (long long)to, r->target, l->insn_cnt);
			break;
		case ELF_RELOC_KFUNC:
		case ELF_RELOC_KSYM:
			break;	/* elf_patch's */
		}
	}
	for (s = 0; s < l->seg_cnt; s++) {
		f = &o->funcs[l->segs[s].func_idx];
		for (k = 0; k < f->cnt; k++) {
			pc = l->segs[s].pos + k;
			memcpy(&orig, (const __u8 *)f->insns + (size_t)k * 8,
			       sizeof(orig));
			if (pt[pc].last >= 0 || pt[pc].halves)
				check(out[pc].code == orig.code &&
				      out[pc].dst_reg == orig.dst_reg &&
				      out[pc].off == orig.off,
				      "%s+%u: relocation changed more than src/imm",
				      f->name, pc);
			else
				check(!memcmp(&out[pc], &orig, sizeof(orig)),
				      "%s+%u: changed without a relocation",
				      f->name, pc);
		}
	}
	free(pt);
}

/*
 * CO-RE fixes made up from each relocation's own index (found or not,
 * a size change or not) and externs resolved or missing, patched into
 * the linked program: each fix either fails with a message or stays
 * within its instruction(s), and elf_patch writes only where a CO-RE
 * or extern relocation is.
 */
static void check_patch(const struct elf_obj *o, const struct elf_layout *l,
			struct bpf_insn *insns)
{
	struct elf_core_fix *fix = calloc(o->core_cnt + 1, sizeof(*fix));
	struct elf_ext_val ext[ELF_MAX_EXTERNS];
	struct bpf_insn *before = malloc((size_t)l->insn_cnt * sizeof(*before));
	char err[ERR_LEN];
	__u32 i, s, k;
	int ret;

	for (i = 0; i < o->core_cnt; i++) {
		memset(err, 0, sizeof(err));
		struct btf_core_res res = {
			.local_val = i % 7, .target_val = (__u64)i * 8,
			.found = i % 3 != 0, .local_sz = 4, .target_sz = i % 5 ? 4 : 8,
			.sz_fixable = i % 2, .validate = i % 4 != 1,
		};

		ret = elf_core_fix(o, i, &res, &fix[i], err, sizeof(err));
		if (ret) {
			check_err("elf_core_fix", ret, err);
			fix[i].cnt = 0;
			continue;
		}
		check(fix[i].cnt <= 2, "CO-RE fix %u: %u instructions", i, fix[i].cnt);
	}
	for (i = 0; i < o->extern_cnt; i++)
		ext[i] = (struct elf_ext_val){ .found = i % 2, .btf_id = 100 + i,
					       .fd_idx = i % 3, .typeless = i % 4 == 3 };
	memcpy(before, insns, (size_t)l->insn_cnt * sizeof(*before));
	elf_patch(o, l, fix, ext, insns);
	for (s = 0; s < l->seg_cnt; s++) {
		const struct elf_func *f = &o->funcs[l->segs[s].func_idx];

		for (k = 0; k < f->cnt; k++) {
			__u32 pc = l->segs[s].pos + k, in_sec = f->off + k;
			int touched = 0;

			for (i = 0; i < o->core_cnt; i++)
				touched |= o->core[i].sec_idx == f->sec_idx &&
					   (o->core[i].insn == in_sec ||
					    (o->core[i].insn + 1 == in_sec && fix[i].cnt == 2));
			for (i = 0; i < o->reloc_cnt; i++)
				touched |= o->relocs[i].sec_idx == f->sec_idx &&
					   (o->relocs[i].kind == ELF_RELOC_KFUNC ||
					    o->relocs[i].kind == ELF_RELOC_KSYM) &&
					   (o->relocs[i].insn == in_sec ||
					    (o->relocs[i].insn + 1 == in_sec &&
					     o->relocs[i].kind == ELF_RELOC_KSYM));
			check(touched || f->replaced ||
			      !memcmp(&before[pc], &insns[pc], sizeof(*insns)),
			      "%s+%u: patched without a CO-RE or extern relocation",
			      f->name, k);
		}
	}
	free(before);
	free(fix);
}

/* Count, then fill an exact-size buffer, then a half-size one. */
static void check_ext(const struct elf_obj *o, const struct elf_layout *l,
		      int line)
{
	size_t rec = line ? sizeof(struct bpf_line_info) :
			    sizeof(struct bpf_func_info);
	__u32 n, m, half, i, insn;
	void *out;

	n = line ? elf_line_info(o, l, NULL, 0) : elf_func_info(o, l, NULL, 0);
	if (!o->btf_ext)
		check(!n, "%u records without .BTF.ext", n);
	out = malloc(n * rec);
	m = line ? elf_line_info(o, l, out, n) : elf_func_info(o, l, out, n);
	check(m == n, "%s_info: counted %u, then %u", line ? "line" : "func",
	      n, m);
	for (i = 0; i < n; i++) {
		memcpy(&insn, (__u8 *)out + i * rec, 4);	/* insn_off */
		check(insn < l->insn_cnt,
		      "%s_info %u: instruction %u of %u",
		      line ? "line" : "func", i, insn, l->insn_cnt);
	}
	free(out);
	half = n / 2;
	out = malloc(half * rec);
	m = line ? elf_line_info(o, l, out, half) :
		   elf_func_info(o, l, out, half);
	check(m == n, "%s_info: counted %u, then %u into %u slots",
	      line ? "line" : "func", n, m, half);
	free(out);
}

static void check_prog(const struct elf_obj *o, const struct elf_prog *p)
{
	struct elf_layout l;
	struct bpf_insn *insns;
	char err[ERR_LEN];
	int *fds, ret;
	__u32 i;

	memset(err, 0, sizeof(err));
	ret = elf_layout(o, p, &l, err, sizeof(err));
	if (ret) {
		check_err("elf_layout", ret, err);
		return;
	}
	check_layout(o, p, &l);
	fds = malloc(o->map_cnt * sizeof(*fds));
	for (i = 0; i < o->map_cnt; i++)
		fds[i] = FD_BASE + i;
	insns = malloc((size_t)l.insn_cnt * sizeof(*insns));
	elf_link(o, &l, fds, insns);
	check_link(o, &l, insns);
	check_patch(o, &l, insns);
	free(insns);
	free(fds);
	check_ext(o, &l, 0);
	check_ext(o, &l, 1);
}

static void check_names(const struct elf_obj *o, const char *name)
{
	const struct elf_prog *p;
	__u32 map_idx = ~0u, off = ~0u, size = ~0u;
	int i;

	i = elf_find_map(o, name);
	check(i == -1 || (i >= 0 && (__u32)i < o->map_cnt &&
			  o->maps[i].kind != ELF_MAP_INNER &&
			  !strcmp(o->maps[i].name, name)),
	      "elf_find_map(\"%s\") = %d", name, i);
	p = elf_find_prog(o, name);
	check(!p || (p >= o->progs && p < o->progs + o->prog_cnt &&
		     (!strcmp(p->name, name) || !strcmp(p->sec_name, name))),
	      "elf_find_prog(\"%s\") is not a program of that name", name);
	if (!elf_find_var(o, name, &map_idx, &off, &size))
		check(map_idx < o->map_cnt &&
		      o->maps[map_idx].kind == ELF_MAP_DATA &&
		      off <= o->maps[map_idx].value_size &&
		      size <= o->maps[map_idx].value_size - off,
		      "elf_find_var(\"%s\"): map %u, %u bytes at %u", name,
		      map_idx, size, off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERR_LEN];
	__u8 *buf, *btf;
	__u32 i;
	int ret, j;

	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(err, 0, sizeof(err));
	memset(obj.maps, POISON, sizeof(obj.maps));
	memset(obj.progs, POISON, sizeof(obj.progs));
	memset(obj.funcs, POISON, sizeof(obj.funcs));
	ret = elf_parse(&obj, buf, size, err, sizeof(err));
	if (ret) {
		check_err("elf_parse", ret, err);
		goto out;
	}
	check_obj(&obj, buf, size);

	for (i = 0; i < obj.prog_cnt; i++)
		check_prog(&obj, &obj.progs[i]);

	if (obj.btf) {
		struct btf b;
		__u32 n = elf_btf_fixup_len(&obj);

		/* gaps between the areas go, two types may come */
		check(n && n <= obj.btf_len + 32, "fixed-up BTF of %u bytes, from %u",
		      n, obj.btf_len);
		btf = malloc(n);
		elf_btf_fixup(&obj, btf);
		/* what elf_parse read as BTF still reads as BTF */
		check(!btf_open(&b, btf, n, NULL, NULL, 0) &&
		      btf_end(&b) - 1 <= n / 12, "the fixed-up BTF does not open");
		free(btf);
	}

	check(elf_find_prog(&obj, NULL) &&
	      (elf_find_prog(&obj, NULL)->conv || elf_find_prog(&obj, NULL) == &obj.progs[0]),
	      "elf_find_prog(NULL) is neither the first by convention nor the first");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_names(&obj, names[i]);
	for (i = 0; i < obj.map_cnt; i++) {
		check_names(&obj, obj.maps[i].name);
		j = elf_find_map(&obj, obj.maps[i].name);
		check(obj.maps[i].kind == ELF_MAP_INNER || (j >= 0 && (__u32)j <= i),
		      "map %u (%s) not found by name", i, obj.maps[i].name);
	}
	for (i = 0; i < obj.prog_cnt; i++) {
		check_names(&obj, obj.progs[i].name);
		check_names(&obj, obj.progs[i].sec_name);
		check(elf_find_prog(&obj, obj.progs[i].name) <= &obj.progs[i],
		      "program %s not found by name", obj.progs[i].name);
	}
	for (i = 0; i < obj.func_cnt; i++)
		check_names(&obj, obj.funcs[i].name);
out:
	check(!memcmp(buf, data, size), "the object's bytes were modified");
	free(buf);
	return 0;
}
