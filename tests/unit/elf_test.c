// SPDX-License-Identifier: GPL-2.0
/*
 * elf_test.c - unit tests of elf.c against the real build/xdp.o, then
 * nothing else.
 *
 * Run from the repository root.  Prints "ok NAME" or "not ok NAME: why"
 * per case and exits 1 if any case failed.  Each case runs in a child
 * process, so a crash or a sanitizer report (the binary is built with
 * ASan and UBSan) turns into a "not ok" line for that case while the
 * other cases still run.
 *
 * Every object handed to elf_parse() is a copy in an allocation of
 * exactly its size, so ASan sees any read past its end.  The fields the
 * corruption cases patch are located by walking the ELF and BTF here,
 * independently of elf.c.  The object is little-endian; so must the
 * host be (elf.c refuses a foreign byte order anyway).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include "elf.h"
#include "prog/tcpinspect.h"

static const char *const obj_paths[] = { "build/xdp.o" };
#define FD_BASE		1000	/* sentinel "fd" of map i is FD_BASE + i */
#define R_BPF_64_64	1
#define R_BPF_64_32	10
#define LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define RANDOM_RUNS	20000
#define CASE_TIMEOUT	30	/* seconds, per child */
#define CHILD_FAILED	3	/* child exit status: the case failed */
#define WHY_LEN		1024

static const char *obj_path;	/* the object under test */
static const __u8 *obj;		/* the object as read, never modified */
static size_t obj_len;
static char *why;		/* shared with the children: reason or detail */

/* Where things are in the object, found by our own walk. */
static struct layout {
	Elf64_Ehdr eh;
	int xdp, relxdp, symtab, btf, license;
	Elf64_Shdr sh_xdp, sh_rel, sh_sym, sh_str, sh_shstr, sh_btf, sh_lic;
	__u32 insn_cnt, sym_cnt, rel_cnt;
	/* The bytes elf.c reads, where a random flip is likelier to matter. */
	struct range {
		__u64 off, len;
	} parsed[9];
} lay;

/*
 * ASan's default 256 MB quarantine makes the 40000 fresh copies of the
 * object fault in new pages and doubles the run time; a small one still
 * catches use after free.  ASAN_OPTIONS overrides this.
 */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=4";
}

static int bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- reading and patching the object ------------------------------------ */

static __u64 shdr_off(unsigned int idx)
{
	return lay.eh.e_shoff + (__u64)idx * sizeof(Elf64_Shdr);
}

static Elf64_Shdr shdr(unsigned int idx)
{
	Elf64_Shdr sh;

	memcpy(&sh, obj + shdr_off(idx), sizeof(sh));
	return sh;
}

static const char *sec_name(unsigned int idx)
{
	return (const char *)obj + lay.sh_shstr.sh_offset + shdr(idx).sh_name;
}

static int sec_find(const char *name)
{
	unsigned int i;

	for (i = 1; i < lay.eh.e_shnum; i++)
		if (!strcmp(sec_name(i), name))
			return i;
	return -1;
}

static __u64 sym_off(unsigned int idx)
{
	return lay.sh_sym.sh_offset + (__u64)idx * sizeof(Elf64_Sym);
}

static const char *sym_name(unsigned int idx)
{
	Elf64_Sym s;

	memcpy(&s, obj + sym_off(idx), sizeof(s));
	return (const char *)obj + lay.sh_str.sh_offset + s.st_name;
}

static int sym_find(const char *name)
{
	unsigned int i;

	for (i = 1; i < lay.sym_cnt; i++)
		if (!strcmp(sym_name(i), name))
			return i;
	return -1;
}

static __u64 rel_off(unsigned int k)
{
	return lay.sh_rel.sh_offset + (__u64)k * sizeof(Elf64_Rel);
}

static Elf64_Rel rel_get(unsigned int k)
{
	Elf64_Rel r;

	memcpy(&r, obj + rel_off(k), sizeof(r));
	return r;
}

static struct bpf_insn insn_get(const __u8 *buf, unsigned int idx)
{
	struct bpf_insn in;

	memcpy(&in, buf + lay.sh_xdp.sh_offset + (__u64)idx * sizeof(in),
	       sizeof(in));
	return in;
}

/* Bytes that follow a BTF type header of t's kind. */
static __u32 btf_extra(const struct btf_type *t)
{
	__u32 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	}
	return 0;
}

/* File offset of the first BTF type header of kind kind, or 0. */
static __u64 btf_type_at(__u32 kind, const char *name)
{
	struct btf_header h;
	struct btf_type t;
	__u64 base = lay.sh_btf.sh_offset, off, end, strs;

	memcpy(&h, obj + base, sizeof(h));
	off = base + h.hdr_len + h.type_off;
	end = off + h.type_len;
	strs = base + h.hdr_len + h.str_off;
	while (off + sizeof(t) <= end) {
		memcpy(&t, obj + off, sizeof(t));
		if (BTF_INFO_KIND(t.info) == kind && t.name_off < h.str_len &&
		    (!name || !strcmp((const char *)obj + strs + t.name_off, name)))
			return off;
		off += sizeof(t) + btf_extra(&t);
	}
	return 0;
}

/* A copy of the object in an allocation of exactly its size. */
static __u8 *obj_dup(void)
{
	__u8 *b = malloc(obj_len);

	if (!b) {
		perror("malloc");
		_exit(2);
	}
	return memcpy(b, obj, obj_len);
}

/* Store the low size bytes of val at off (little-endian host). */
static void put(__u8 *b, __u64 off, size_t size, __u64 val)
{
	memcpy(b + off, &val, size);
}

/* File offset and size of field f: of the ELF header, shdr i, .relxdp entry k. */
#define EH(f)		offsetof(Elf64_Ehdr, f), sizeof(((Elf64_Ehdr *)0)->f)
#define SH(i, f)	shdr_off(i) + offsetof(Elf64_Shdr, f), \
			sizeof(((Elf64_Shdr *)0)->f)
#define REL(k, f)	rel_off(k) + offsetof(Elf64_Rel, f), \
			sizeof(((Elf64_Rel *)0)->f)

static int layout_init(void)
{
	Elf64_Rel r;
	int i;

	if (obj_len < sizeof(lay.eh))
		return bad("%s: too short", obj_path);
	memcpy(&lay.eh, obj, sizeof(lay.eh));
	if (memcmp(lay.eh.e_ident, ELFMAG, SELFMAG) ||
	    lay.eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    lay.eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    lay.eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    lay.eh.e_shoff > obj_len ||
	    lay.eh.e_shnum * sizeof(Elf64_Shdr) > obj_len - lay.eh.e_shoff ||
	    lay.eh.e_shstrndx >= lay.eh.e_shnum)
		return bad("%s: not a little-endian ELF64 object", obj_path);
	lay.sh_shstr = shdr(lay.eh.e_shstrndx);

	lay.xdp = sec_find(TI_PROG_SEC);
	lay.btf = sec_find(".BTF");
	lay.license = sec_find("license");
	lay.symtab = lay.relxdp = -1;
	for (i = 1; i < lay.eh.e_shnum; i++) {
		if (shdr(i).sh_type == SHT_SYMTAB)
			lay.symtab = i;
		if (shdr(i).sh_type == SHT_REL && lay.xdp > 0 &&
		    shdr(i).sh_info == (__u32)lay.xdp)
			lay.relxdp = i;
	}
	if (lay.xdp < 0 || lay.btf < 0 || lay.license < 0 || lay.symtab < 0 ||
	    lay.relxdp < 0)
		return bad("%s: missing xdp, .BTF, license, symtab or .relxdp",
			   obj_path);
	lay.sh_xdp = shdr(lay.xdp);
	lay.sh_rel = shdr(lay.relxdp);
	lay.sh_sym = shdr(lay.symtab);
	lay.sh_btf = shdr(lay.btf);
	lay.sh_lic = shdr(lay.license);
	lay.sh_str = shdr(lay.sh_sym.sh_link);
	lay.insn_cnt = lay.sh_xdp.sh_size / sizeof(struct bpf_insn);
	lay.sym_cnt = lay.sh_sym.sh_size / sizeof(Elf64_Sym);
	lay.rel_cnt = lay.sh_rel.sh_size / sizeof(Elf64_Rel);
	if (!lay.insn_cnt || !lay.rel_cnt)
		return bad("%s: no instructions or no relocations", obj_path);
	r = rel_get(0);
	if (ELF64_R_TYPE(r.r_info) != R_BPF_64_64)
		return bad("%s: first relocation is not R_BPF_64_64", obj_path);
	lay.parsed[0] = (struct range){ 0, sizeof(lay.eh) };
	lay.parsed[1] = (struct range){ lay.eh.e_shoff,
					lay.eh.e_shnum * sizeof(Elf64_Shdr) };
	lay.parsed[2] = (struct range){ lay.sh_shstr.sh_offset, lay.sh_shstr.sh_size };
	lay.parsed[3] = (struct range){ lay.sh_sym.sh_offset, lay.sh_sym.sh_size };
	lay.parsed[4] = (struct range){ lay.sh_str.sh_offset, lay.sh_str.sh_size };
	lay.parsed[5] = (struct range){ lay.sh_rel.sh_offset, lay.sh_rel.sh_size };
	lay.parsed[6] = (struct range){ lay.sh_btf.sh_offset, lay.sh_btf.sh_size };
	lay.parsed[7] = (struct range){ lay.sh_lic.sh_offset, lay.sh_lic.sh_size };
	lay.parsed[8] = (struct range){ lay.sh_xdp.sh_offset, lay.sh_xdp.sh_size };
	if (!btf_type_at(BTF_KIND_DATASEC, ".maps") ||
	    !btf_type_at(BTF_KIND_VAR, TI_MAP_COUNTERS))
		return bad("%s: no .maps DATASEC or no counters VAR in .BTF",
			   obj_path);
	return 0;
}

/* --- checks shared by the cases ------------------------------------------- */

/*
 * 0 if elf_parse() failed the way elf.h promises: -errno and one line.
 * A line, because main prints it: no newline, no terminal escape, even
 * when the message quotes a name taken from a hostile object.
 */
static int failed_well(int ret, const char *msg)
{
	const char *p;

	if (ret == 0)
		return bad("accepted");
	if (ret != -EINVAL && ret != -ENOTSUP && ret != -E2BIG)
		return bad("returned %d, not -EINVAL, -ENOTSUP or -E2BIG", ret);
	if (!msg[0])
		return bad("returned %d with an empty message", ret);
	for (p = msg; *p; p++)
		if ((__u8)*p < 0x20 || *p == 0x7f)
			return bad("control character 0x%02x at %td in message \"%.*s\"",
				   (__u8)*p, p - msg, (int)(p - msg), msg);
	return 0;
}

/* 0 if what elf_parse() accepted from buf holds together. */
static int sane(const struct elf_obj *o, const __u8 *buf, size_t len)
{
	const struct elf_prog *p;
	const struct elf_reloc *r;
	const __u8 *insns;
	__u32 i, j;

	if (!o->prog_cnt || o->prog_cnt > ELF_MAX_PROGS ||
	    o->map_cnt > ELF_MAX_MAPS || o->reloc_cnt > ELF_MAX_RELOCS)
		return bad("counts out of range: %u progs, %u maps, %u relocs",
			   o->prog_cnt, o->map_cnt, o->reloc_cnt);
	if (!o->license)
		return bad("no license string");
	for (i = 0; i < o->map_cnt; i++)
		if (!o->maps[i].name)
			return bad("map %u has no name", i);
	for (i = 0; i < o->prog_cnt; i++) {
		p = &o->progs[i];
		insns = p->insns;
		if (!p->sec_name || !p->name || !p->insn_cnt)
			return bad("program %u: no name or no instructions", i);
		if (insns < buf || insns > buf + len ||
		    (size_t)p->insn_cnt * 8 > (size_t)(buf + len - insns))
			return bad("program %s: instructions outside the object",
				   p->sec_name);
	}
	for (i = 0; i < o->reloc_cnt; i++) {
		r = &o->relocs[i];
		for (j = 0; j < o->func_cnt; j++)
			if (o->funcs[j].sec_idx == r->sec_idx &&
			    r->insn >= o->funcs[j].off &&
			    r->insn - o->funcs[j].off < o->funcs[j].cnt)
				break;
		if (j == o->func_cnt)
			return bad("relocation %u outside every function", i);
		insns = (const __u8 *)o->funcs[j].insns +
			(size_t)(r->insn - o->funcs[j].off) * 8;
		if (r->kind > ELF_RELOC_FUNC ||
		    (r->kind == ELF_RELOC_CALL ? r->target >= o->func_cnt :
		     r->kind == ELF_RELOC_FUNC ? r->target >= o->func_cnt ||
						 insns[0] != LD_IMM64 :
		     r->target >= o->map_cnt || insns[0] != LD_IMM64))
			return bad("bad relocation %u: kind %u target %u insn %u",
				   i, r->kind, r->target, r->insn);
	}
	return 0;
}

/* Relocate every program with sentinel fds, into exact-size buffers. */
static void relocate_all(const struct elf_obj *o)
{
	struct bpf_insn *insns;
	int *fds;
	__u32 i;

	fds = malloc(o->map_cnt * sizeof(*fds));
	for (i = 0; i < o->map_cnt; i++)
		fds[i] = FD_BASE + i;
	for (i = 0; i < o->prog_cnt; i++) {
		struct elf_layout l;
		char e[256];

		if (elf_layout(o, &o->progs[i], &l, e, sizeof(e)))
			continue;
		insns = malloc(l.insn_cnt * sizeof(*insns));
		elf_link(o, &l, fds, insns);
		free(insns);
	}
	free(fds);
}

/* --- the built object --------------------------------------------------- */

static int t_parse(const void *arg)
{
	const struct elf_prog *p;
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup();
	int ret;

	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	p = &o.progs[0];
	if (ret)
		ret = bad("elf_parse: %d: %s", ret, err);
	/* tcpinspect (xdp), ti_tc_in and ti_tc_out (tc), ti_xdp_entry
	 * (fentry/xdp), ti_xdp_exit (fexit/xdp) */
	else if (o.prog_cnt != 5)
		ret = bad("%u programs, want 5", o.prog_cnt);
	else if (!elf_find_prog(&o, TI_PROG_TC_IN) || !elf_find_prog(&o, TI_PROG_TC_OUT) ||
		 elf_find_prog(&o, TI_PROG_ENTRY)->type != BPF_PROG_TYPE_TRACING ||
		 elf_find_prog(&o, TI_PROG_EXIT)->attach_type != BPF_TRACE_FEXIT ||
		 elf_find_prog(&o, TI_PROG_TC_OUT)->type != BPF_PROG_TYPE_SCHED_CLS)
		ret = bad("the TC and tracing programs are not as their sections say");
	else if (strcmp(p->sec_name, "xdp") || strcmp(p->name, "tcpinspect"))
		ret = bad("program is %s/%s, want xdp/tcpinspect", p->sec_name,
			  p->name);
	else if (p->insn_cnt != lay.insn_cnt || p->insn_cnt == 0)
		ret = bad("%u instructions, want %u", p->insn_cnt, lay.insn_cnt);
	else if (p->sec_idx != (__u32)lay.xdp)
		ret = bad("section index %u, want %d", p->sec_idx, lay.xdp);
	else if ((const __u8 *)p->insns != b + lay.sh_xdp.sh_offset)
		ret = bad("instructions at offset %td, want %llu",
			  (const __u8 *)p->insns - b,
			  (unsigned long long)lay.sh_xdp.sh_offset);
	else if (!o.license || strcmp(o.license, "GPL"))
		ret = bad("license \"%s\", want \"GPL\"",
			  o.license ? o.license : "(null)");
	else
		ret = sane(&o, b, obj_len);
	free(b);
	return ret;
}

static int check_map(const struct elf_obj *o, const char *name, __u32 type,
		     __u32 key_size, __u32 value_size, __u32 max_entries)
{
	const struct elf_map *m;
	int idx = elf_find_map(o, name);
	__u32 i;

	for (i = 0; i < o->map_cnt; i++)
		if (!strcmp(o->maps[i].name, name))
			break;
	if (i == o->map_cnt)
		return bad("no map %s", name);
	if (idx != (int)i)
		return bad("elf_find_map(%s) = %d, want %u", name, idx, i);
	m = &o->maps[i];
	if (m->type != type || m->key_size != key_size ||
	    m->value_size != value_size || m->max_entries != max_entries ||
	    m->map_flags || m->numa_node || m->pinning)
		return bad("map %s: type %u key %u value %u max %u flags %u numa %u pinning %u, want type %u key %u value %u max %u, rest 0",
			   name, m->type, m->key_size, m->value_size,
			   m->max_entries, m->map_flags, m->numa_node,
			   m->pinning, type, key_size, value_size, max_entries);
	return 0;
}

/* A global data section: a one-entry array of its size. */
static int check_data(const struct elf_obj *o, const char *name,
		      __u32 flags, int has_init, __u32 size)
{
	int i = elf_find_map(o, name);
	const struct elf_map *m = &o->maps[i];

	if (i < 0)
		return bad("no map %s", name);
	if (m->kind != ELF_MAP_DATA || m->type != BPF_MAP_TYPE_ARRAY ||
	    m->key_size != 4 || m->value_size != size || m->max_entries != 1 ||
	    m->map_flags != flags || !m->init != !has_init)
		return bad("map %s: kind %u type %u key %u value %u max %u flags %u init %p",
			   name, m->kind, m->type, m->key_size, m->value_size,
			   m->max_entries, m->map_flags, m->init);
	return 0;
}

static int check_var(const struct elf_obj *o, const char *name,
		     const char *map)
{
	__u32 mi, off, size;

	if (elf_find_var(o, name, &mi, &off, &size))
		return bad("no variable %s", name);
	if ((int)mi != elf_find_map(o, map) || off % 8 || size != 8)
		return bad("variable %s: map %u off %u size %u, want in %s, 8 bytes, aligned",
			   name, mi, off, size, map);
	if (!elf_find_var(o, "no_such_var", &mi, &off, &size))
		return bad("elf_find_var found no_such_var");
	return 0;
}

/* A 4-byte variable at off of a data map, with its initial value. */
static int check_var4(const struct elf_obj *o, const char *name,
		      const char *map, __u32 want_off, __u32 init)
{
	__u32 mi, off, size, val = 0;

	if (elf_find_var(o, name, &mi, &off, &size))
		return bad("no variable %s", name);
	if ((int)mi != elf_find_map(o, map) || off != want_off || size != 4)
		return bad("variable %s: map %u off %u size %u, want in %s at %u, 4 bytes",
			   name, mi, off, size, map, want_off);
	if (o->maps[mi].init)
		memcpy(&val, (const __u8 *)o->maps[mi].init + off, 4);
	if (val != init)
		return bad("variable %s starts as %u, want %u", name, val, init);
	return 0;
}

/*
 * What the build holds: JMP32 (-mcpu=v3, the point of it), plain atomic
 * adds for the flow counts, and exactly one atomic fetch, in
 * ti_fetch_add, the function the loader swaps on kernels without it
 * (before 5.12 they refuse the instruction anywhere in a program).
 */
static int t_cpu(const void *arg)
{
	const Elf64_Shdr *sh;
	struct bpf_insn in;
	__u32 i, jmp32 = 0, fetch = 0, atomic = 0, n, s, text = 0;
	const __u8 *base;

	for (s = 0; s < lay.eh.e_shnum; s++) {
		sh = (const Elf64_Shdr *)(obj + lay.eh.e_shoff) + s;
		if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_EXECINSTR))
			continue;
		base = obj + sh->sh_offset;
		n = sh->sh_size / sizeof(in);
		text += n;
		for (i = 0; i < n; i++) {
			memcpy(&in, base + (__u64)i * sizeof(in), sizeof(in));
			if (BPF_CLASS(in.code) == BPF_JMP32)
				jmp32++;
			if (in.code == (BPF_STX | BPF_ATOMIC | BPF_DW) ||
			    in.code == (BPF_STX | BPF_ATOMIC | BPF_W)) {
				atomic++;
				if (in.imm & BPF_FETCH)
					fetch++;
			}
		}
	}
	if (atomic < 2)
		return bad("%u atomic adds: the flow counts need them", atomic);
	if (!jmp32 || fetch != 1)
		return bad("%u JMP32 instructions, %u atomic fetches, want some and one",
			   jmp32, fetch);
	snprintf(why, WHY_LEN, "%u instructions, %u JMP32, %u atomic adds, %u with fetch",
		 text, jmp32, atomic, fetch);
	return 0;
}

static int t_maps(const void *arg)
{
	static const char *const unknown[] = {
		"", "event", "eventsx", "Counters", "xdp", "tcpinspect",
	};
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup();
	unsigned int i;
	int ret;

	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	if (ret) {
		ret = bad("elf_parse: %d: %s", ret, err);
		goto out;
	}
	/* events, perf_events, counters, scratch, health, flow_zero,
	 * ifaces, flows, and the global data */
	if (o.map_cnt != 10) {
		ret = bad("%u maps, want 10", o.map_cnt);
		goto out;
	}
	ret = check_map(&o, TI_MAP_FLOWS, BPF_MAP_TYPE_LRU_HASH,
			sizeof(struct ti_flow_key), sizeof(struct ti_flow),
			TI_FLOWS_DEFAULT);
	if (ret)
		goto out;
	/* scratch, one per entry point: the filter's ti_pkt, the parse's
	 * hand-over (16), the flow table's (80), the event and the
	 * frame's bytes */
	ret = check_map(&o, "scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			sizeof(struct ti_pkt) + 16 + 80 + sizeof(struct ti_event) +
			TI_SNAP_MAX, 4);
	if (ret)
		goto out;
	/* .rodata: ti_mode (4 bytes, then 4 of padding), ti_budget,
	 * ti_deadline (8 each), ti_sample, ti_snaplen, ti_output,
	 * ti_ring_size, ti_filter_bytes, ti_filter_raw, ti_filter_needs,
	 * ti_meta, ti_frags (4 each); .bss: ti_taken, ti_sample_seq,
	 * ti_woken */
	ret = check_data(&o, ".rodata", BPF_F_RDONLY_PROG, 1, 60) ?:
	      check_data(&o, ".bss", 0, 0, 24) ?:
	      check_var(&o, TI_VAR_BUDGET, ".rodata") ?:
	      check_var(&o, "ti_taken", ".bss") ?:
	      check_var(&o, "ti_woken", ".bss") ?:
	      check_var4(&o, TI_VAR_OUTPUT, ".rodata", 32, TI_OUT_RINGBUF);
	if (ret)
		goto out;
	ret = check_map(&o, TI_MAP_EVENTS, BPF_MAP_TYPE_RINGBUF, 0, 0,
			TI_RINGBUF_SIZE);
	if (ret)
		goto out;
	/* One slot until the loader sizes it to the possible CPUs. */
	ret = check_map(&o, TI_MAP_PERF, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1);
	if (ret)
		goto out;
	ret = check_map(&o, TI_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			sizeof(struct ti_counters), 1);
	if (ret)
		goto out;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (elf_find_map(&o, unknown[i]) != -1) {
			ret = bad("elf_find_map(\"%s\") = %d, want -1",
				  unknown[i], elf_find_map(&o, unknown[i]));
			goto out;
		}
	}
out:
	free(b);
	return ret;
}

#define CALL	0xff	/* want[]: a call, not a map */

/*
 * Relocate with sentinel fds and compare with the object, instruction by
 * instruction, against what .relxdp (read here) says should change.
 */
static int t_relocate(const void *arg)
{
	const struct elf_prog *p;
	struct elf_layout l;
	struct bpf_insn *out = NULL, in, got;
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup(), *want = NULL;
	__u32 i, k, cnt = 0, changed = 0, used = 0, data = 0, voff, vsize;
	__u32 calls = 0, *want_off = NULL, j;
	const char **call_name = NULL;
	int *fds = NULL;
	const char *name;
	Elf64_Rel r;
	int ret;

	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	if (ret) {
		ret = bad("elf_parse: %d: %s", ret, err);
		goto out;
	}
	p = elf_find_prog(&o, TI_PROG_SEC);
	if (!p || p->insn_cnt != lay.insn_cnt) {
		ret = bad("no program %s with %u instructions", TI_PROG_SEC,
			  lay.insn_cnt);
		goto out;
	}
	/* want[i]: 0 if instruction i must stay as is, else map index + 1. */
	want = calloc(lay.insn_cnt, 1);
	call_name = calloc(lay.insn_cnt, sizeof(*call_name));
	want_off = calloc(lay.insn_cnt, sizeof(*want_off));
	for (k = 0; k < lay.rel_cnt; k++) {
		r = rel_get(k);
		if (ELF64_R_TYPE(r.r_info) == R_BPF_64_32 &&
		    r.r_offset / 8 < lay.insn_cnt && !want[r.r_offset / 8]) {
			want[r.r_offset / 8] = CALL;	/* ti_filter(), ti_fetch_add() */
			call_name[r.r_offset / 8] = sym_name(ELF64_R_SYM(r.r_info));
			calls++;
			continue;
		}
		if (ELF64_R_TYPE(r.r_info) != R_BPF_64_64)
			continue;
		cnt++;
		name = sym_name(ELF64_R_SYM(r.r_info));
		for (i = 0; i < o.map_cnt; i++)
			if (!strcmp(o.maps[i].name, name))
				break;
		/* Global data: the variable's map, at the variable's offset. */
		voff = 0;
		if (i == o.map_cnt && !elf_find_var(&o, name, &i, &voff, &vsize))
			data |= 1u << i;
		if (i == o.map_cnt) {
			ret = bad("relocation %u: symbol %s is no parsed map",
				  k, name);
			goto out;
		}
		if (r.r_offset % 8 || r.r_offset / 8 >= lay.insn_cnt ||
		    want[r.r_offset / 8]) {
			ret = bad("relocation %u: odd offset %llu in the object",
				  k, (unsigned long long)r.r_offset);
			goto out;
		}
		want[r.r_offset / 8] = i + 1;
		want_off[r.r_offset / 8] = voff;
		used |= 1u << i;
	}
	/* the XDP program reaches every map but those only the flow table
	 * update (.text) and the tracing programs use */
	for (i = 0; i < o.map_cnt; i++)
		if (!strcmp(o.maps[i].name, "ifaces") ||
		    !strcmp(o.maps[i].name, "flow_zero") ||
		    !strcmp(o.maps[i].name, TI_MAP_HEALTH) ||
		    !strcmp(o.maps[i].name, TI_MAP_FLOWS))
			used |= 1u << i;
	if (!cnt || used != (1u << o.map_cnt) - 1) {
		ret = bad("object has %u map relocations, not covering every map",
			  cnt);
		goto out;
	}
	/* calls: ti_filter, ti_fetch_add for --sample and for -c, and
	 * ti_flow_update (the other programs' relocations come too) */
	if (o.reloc_cnt < cnt + calls || calls != 4) {
		ret = bad("%u relocations parsed, .relxdp has %u R_BPF_64_64 and %u calls",
			  o.reloc_cnt, cnt, calls);
		goto out;
	}

	fds = malloc(o.map_cnt * sizeof(*fds));
	for (i = 0; i < o.map_cnt; i++)
		fds[i] = FD_BASE + i;
	/* The program, then the functions it calls appended after it:
	 * ti_filter(), ti_fetch_add() and ti_flow_update(), back to back. */
	if (elf_layout(&o, p, &l, err, sizeof(err)) || l.seg_cnt != 4 ||
	    l.segs[1].pos != p->insn_cnt ||
	    l.segs[2].pos != l.segs[1].pos + o.funcs[l.segs[1].func_idx].cnt ||
	    l.segs[3].pos != l.segs[2].pos + o.funcs[l.segs[2].func_idx].cnt ||
	    l.insn_cnt != l.segs[3].pos + o.funcs[l.segs[3].func_idx].cnt) {
		ret = bad("layout: %s (%u instructions, %u functions)", err,
			  l.insn_cnt, l.seg_cnt);
		goto out;
	}
	out = malloc(l.insn_cnt * sizeof(*out));
	elf_link(&o, &l, fds, out);

	for (i = 0; i < p->insn_cnt; i++) {
		in = insn_get(obj, i);
		memcpy(&got, &out[i], sizeof(got));
		if (memcmp(&in, &got, sizeof(in)))
			changed++;
		if (!want[i]) {
			if (memcmp(&in, &got, sizeof(in))) {
				ret = bad("instruction %u changed but has no relocation",
					  i);
				goto out;
			}
			continue;
		}
		if (want[i] == CALL) {
			/* to the start of the function the relocation names */
			for (j = 1; j < l.seg_cnt; j++)
				if (!strcmp(o.funcs[l.segs[j].func_idx].name, call_name[i]))
					break;
			if (got.code != (BPF_JMP | BPF_CALL) ||
			    got.src_reg != BPF_PSEUDO_CALL || j == l.seg_cnt ||
			    got.imm != (__s32)(l.segs[j].pos - i - 1)) {
				ret = bad("instruction %u: call %s imm %d, want %d", i,
					  call_name[i], got.imm,
					  j == l.seg_cnt ? -1 : (__s32)(l.segs[j].pos - i - 1));
				goto out;
			}
			continue;
		}
		if (data & (1u << (want[i] - 1))) {
			/* .rodata / .bss: fd, and the offset (0 here) after. */
			if (got.code != LD_IMM64 || got.src_reg != BPF_PSEUDO_MAP_VALUE ||
			    got.imm != FD_BASE + want[i] - 1 ||
			    out[i + 1].imm != (__s32)want_off[i]) {
				ret = bad("instruction %u: global data load src %u imm %d/%d",
					  i, got.src_reg, got.imm, out[i + 1].imm);
				goto out;
			}
			i++;	/* its second half, checked */
			continue;
		}
		if (got.code != LD_IMM64 || got.src_reg != BPF_PSEUDO_MAP_FD ||
		    got.imm != FD_BASE + want[i] - 1 || got.dst_reg != in.dst_reg ||
		    got.off != in.off) {
			ret = bad("instruction %u: code 0x%02x src %u dst %u off %d imm %d, want 0x%02x src %u dst %u off %d imm %d (map %s)",
				  i, got.code, got.src_reg, got.dst_reg,
				  got.off, got.imm, LD_IMM64,
				  BPF_PSEUDO_MAP_FD, in.dst_reg, in.off,
				  FD_BASE + want[i] - 1, o.maps[want[i] - 1].name);
			goto out;
		}
	}
	if (changed != cnt + calls) {
		ret = bad("%u instructions changed, want %u", changed, cnt);
		goto out;
	}
	if (memcmp(b, obj, obj_len))
		ret = bad("the parsed buffer was modified");
out:
	free(out);
	free(fds);
	free(want);
	free(want_off);
	free(call_name);
	free(b);
	return ret;
}

static int t_find_prog(const void *arg)
{
	static const char *const unknown[] = {
		"", "xdp/", "xdp/tcpinspect", "tcp", "XDP", "events",
	};
	const struct elf_prog *p;
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup();
	unsigned int i;
	int ret;

	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	if (ret)
		ret = bad("elf_parse: %d: %s", ret, err);
	else if (elf_find_prog(&o, "xdp") != &o.progs[0])
		ret = bad("by section name: not program 0");
	else if (elf_find_prog(&o, "tcpinspect") != &o.progs[0])
		ret = bad("by function name: not program 0");
	else if (elf_find_prog(&o, NULL) != &o.progs[0])
		ret = bad("NULL: not the first program");
	for (i = 0; !ret && i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		p = elf_find_prog(&o, unknown[i]);
		if (p)
			ret = bad("\"%s\" found program %s", unknown[i],
				  p->sec_name);
	}
	free(b);
	return ret;
}

/* Old LLVM wrote EM_NONE; elf.c accepts it. */
static int t_em_none(const void *arg)
{
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup();
	int ret;

	put(b, EH(e_machine), EM_NONE);
	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	if (ret)
		ret = bad("elf_parse: %d: %s", ret, err);
	else if (o.prog_cnt != 5 || o.map_cnt != 10)
		ret = bad("%u programs, %u maps", o.prog_cnt, o.map_cnt);
	free(b);
	return ret;
}

/* --- broken objects ------------------------------------------------------ */

static int t_truncated(const void *arg)
{
	struct elf_obj o;
	char err[256];
	size_t n;
	__u8 *b;
	int ret;

	for (n = 0; n < obj_len; n++) {
		b = malloc(n);
		memcpy(b, obj, n);
		memset(err, 'x', sizeof(err));
		ret = elf_parse(&o, b, n, err, sizeof(err));
		free(b);
		if (!memchr(err, 0, sizeof(err)))
			return bad("%zu bytes: message not NUL-terminated", n);
		if (failed_well(ret, err)) {
			snprintf(err, sizeof(err), "%s", why);
			return bad("%zu of %zu bytes: %s", n, obj_len, err);
		}
	}
	return 0;
}

struct corruption {
	const char *name;
	void (*patch)(__u8 *b);
	const char *want;	/* in the message; NULL: any message */
	const char *want2;	/* and this too, if set */
};

static void p_magic(__u8 *b)
{
	b[EI_MAG1] = 'X';
}

static void p_class32(__u8 *b)
{
	b[EI_CLASS] = ELFCLASS32;
}

static void p_big_endian(__u8 *b)
{
	b[EI_DATA] = ELFDATA2MSB;
}

static void p_exec(__u8 *b)
{
	put(b, EH(e_type), ET_EXEC);
}

static void p_x86(__u8 *b)
{
	put(b, EH(e_machine), EM_X86_64);
}

static void p_shentsize(__u8 *b)
{
	put(b, EH(e_shentsize), sizeof(Elf64_Shdr) - 8);
}

static void p_shoff_beyond(__u8 *b)
{
	put(b, EH(e_shoff), obj_len);
}

static void p_shoff_wrap(__u8 *b)
{
	put(b, EH(e_shoff), ~(__u64)7);
}

static void p_shnum_huge(__u8 *b)
{
	put(b, EH(e_shnum), 0xffff);
}

static void p_shstrndx_range(__u8 *b)
{
	put(b, EH(e_shstrndx), lay.eh.e_shnum);
}

static void p_shstrndx_type(__u8 *b)
{
	put(b, EH(e_shstrndx), lay.symtab);
}

static void p_sh_offset_beyond(__u8 *b)
{
	put(b, SH(lay.license, sh_offset), obj_len);
}

static void p_sh_offset_wrap(__u8 *b)
{
	put(b, SH(lay.license, sh_offset), ~(__u64)0 - 1);
}

static void p_sh_size_beyond(__u8 *b)
{
	put(b, SH(lay.btf, sh_size), obj_len - lay.sh_btf.sh_offset + 1);
}

static void p_sh_name(__u8 *b)
{
	put(b, SH(lay.xdp, sh_name), lay.sh_shstr.sh_size);
}

static void p_compressed(__u8 *b)
{
	put(b, SH(lay.license, sh_flags), lay.sh_lic.sh_flags | SHF_COMPRESSED);
}

/* A name from the object, quoted in the message, with a newline in it. */
static void p_name_newline(__u8 *b)
{
	p_compressed(b);
	b[lay.sh_shstr.sh_offset + lay.sh_lic.sh_name + 3] = '\n';
}

static void p_no_symtab(__u8 *b)
{
	put(b, SH(lay.symtab, sh_type), SHT_PROGBITS);
}

static void p_strtab_type(__u8 *b)
{
	put(b, SH(lay.symtab, sh_link), lay.btf);
}

static void p_license(__u8 *b)
{
	put(b, SH(lay.license, sh_size), strlen("GPL"));
}

static void p_rel_sym(__u8 *b)
{
	put(b, REL(0, r_info), ELF64_R_INFO(lay.sym_cnt, R_BPF_64_64));
}

static void p_rel_beyond(__u8 *b)
{
	put(b, REL(0, r_offset), lay.sh_xdp.sh_size);
}

static void p_rel_misaligned(__u8 *b)
{
	put(b, REL(0, r_offset), rel_get(0).r_offset + 4);
}

/* Point the first relocation at a plain instruction. */
static void p_rel_not_ld(__u8 *b)
{
	__u32 i;

	for (i = 1; i < lay.insn_cnt; i++)
		if (insn_get(obj, i).code != LD_IMM64 &&
		    insn_get(obj, i - 1).code != LD_IMM64)
			break;
	put(b, REL(0, r_offset), (__u64)i * 8);
}

/* ... at the second half of its ld_imm64 (opcode 0) */
static void p_rel_second_half(__u8 *b)
{
	put(b, REL(0, r_offset), rel_get(0).r_offset + 8);
}

/* ... at an ld_imm64 opcode in the last slot, which has no second half */
static void p_rel_last(__u8 *b)
{
	__u64 last = (__u64)(lay.insn_cnt - 1) * 8;

	put(b, lay.sh_xdp.sh_offset + last, 1, LD_IMM64);
	put(b, REL(0, r_offset), last);
}

static void p_rel_call(__u8 *b)
{
	put(b, REL(0, r_info),
	    ELF64_R_INFO(ELF64_R_SYM(rel_get(0).r_info), R_BPF_64_32));
}

static void p_rel_type(__u8 *b)
{
	put(b, REL(0, r_info), ELF64_R_INFO(ELF64_R_SYM(rel_get(0).r_info), 99));
}

static void p_rel_not_map(__u8 *b)
{
	put(b, REL(0, r_info), ELF64_R_INFO(sym_find("LICENSE"), R_BPF_64_64));
}

static void p_btf_magic(__u8 *b)
{
	put(b, lay.sh_btf.sh_offset + offsetof(struct btf_header, magic), 2,
	    0x9feb);
}

static void p_btf_hdr_len(__u8 *b)
{
	put(b, lay.sh_btf.sh_offset + offsetof(struct btf_header, hdr_len), 4,
	    lay.sh_btf.sh_size + 1);
}

static void p_btf_str_len(__u8 *b)
{
	put(b, lay.sh_btf.sh_offset + offsetof(struct btf_header, str_len), 4,
	    lay.sh_btf.sh_size);
}

static void p_btf_kind(__u8 *b)
{
	__u64 t = btf_type_at(BTF_KIND_DATASEC, ".maps");

	put(b, t + offsetof(struct btf_type, info), 4, 0x1fu << 24);
}

static void p_btf_vlen(__u8 *b)
{
	__u64 t = btf_type_at(BTF_KIND_DATASEC, ".maps");

	put(b, t + offsetof(struct btf_type, info), 4,
	    BTF_KIND_DATASEC << 24 | 0xffff);
}

/* Type id 0 is void: a .maps entry or a map variable of type void. */
static void p_btf_secinfo_void(__u8 *b)
{
	__u64 t = btf_type_at(BTF_KIND_DATASEC, ".maps");

	put(b, t + sizeof(struct btf_type) +
	    offsetof(struct btf_var_secinfo, type), 4, 0);
}

static void p_btf_var_void(__u8 *b)
{
	__u64 t = btf_type_at(BTF_KIND_VAR, TI_MAP_COUNTERS);

	put(b, t + offsetof(struct btf_type, type), 4, 0);
}

static const struct corruption corruptions[] = {
	{ "bad magic", p_magic, "bad magic", NULL },
	{ "ELFCLASS32", p_class32, "64-bit", NULL },
	{ "big-endian", p_big_endian, "endian", NULL },
	{ "e_type ET_EXEC", p_exec, "relocatable", NULL },
	{ "e_machine EM_X86_64", p_x86, "BPF object", NULL },
	{ "e_shentsize", p_shentsize, "section header size", NULL },
	{ "e_shoff beyond file", p_shoff_beyond, "section headers", "beyond end" },
	{ "e_shoff wraps around", p_shoff_wrap, "section headers", "beyond end" },
	{ "e_shnum huge", p_shnum_huge, "section headers", "beyond end" },
	{ "e_shstrndx out of range", p_shstrndx_range, "section name table index", NULL },
	{ "e_shstrndx not a string table", p_shstrndx_type, "section name table", NULL },
	{ "sh_offset beyond file", p_sh_offset_beyond, "beyond end", "license" },
	{ "sh_offset wraps around", p_sh_offset_wrap, "beyond end", "license" },
	{ "sh_size beyond file", p_sh_size_beyond, "beyond end", ".BTF" },
	{ "sh_name out of range", p_sh_name, "name offset", NULL },
	{ "SHF_COMPRESSED", p_compressed, "compressed", "license" },
	{ "newline in a section name", p_name_newline, "compressed", NULL },
	{ "symbol table removed", p_no_symtab, "symbol table", NULL },
	{ "symbol names not a string table", p_strtab_type, "string table", NULL },
	{ "license not terminated", p_license, "license", "NUL-terminated" },
	{ "relocation symbol index", p_rel_sym, "symbol index", NULL },
	{ "relocation beyond program", p_rel_beyond, "outside the program", NULL },
	{ "relocation misaligned", p_rel_misaligned, "outside the program", NULL },
	{ "relocation at a plain instruction", p_rel_not_ld, "64-bit load", NULL },
	{ "relocation at ld_imm64 second half", p_rel_second_half, "64-bit load", NULL },
	{ "relocation at last instruction", p_rel_last, "64-bit load", NULL },
	{ "relocation R_BPF_64_32 on a load", p_rel_call, "call relocation on a non-call", NULL },
	{ "relocation type unknown", p_rel_type, "unsupported relocation type", NULL },
	{ "relocation to the license", p_rel_not_map, "not maps, global data or code", "LICENSE" },
	{ ".BTF magic", p_btf_magic, ".BTF: bad magic", NULL },
	{ ".BTF hdr_len", p_btf_hdr_len, ".BTF: bad header length", NULL },
	{ ".BTF str_len", p_btf_str_len, ".BTF", "beyond its end" },
	{ ".BTF unknown kind", p_btf_kind, ".BTF", "unknown kind" },
	{ ".BTF type runs past the type area", p_btf_vlen, ".BTF", "runs past the type area" },
	{ ".BTF .maps entry of type void", p_btf_secinfo_void, NULL, NULL },
	{ ".BTF map variable of type void", p_btf_var_void, NULL, NULL },
};

static int t_corrupt(const void *arg)
{
	const struct corruption *c = arg;
	struct elf_obj o;
	char err[256];
	__u8 *b = obj_dup();
	int ret;

	c->patch(b);
	if (!memcmp(b, obj, obj_len)) {
		free(b);
		return bad("the patch changed nothing");
	}
	ret = elf_parse(&o, b, obj_len, err, sizeof(err));
	free(b);
	if (failed_well(ret, err))
		return -1;
	if (c->want && !strstr(err, c->want))
		return bad("message \"%s\" lacks \"%s\"", err, c->want);
	if (c->want2 && !strstr(err, c->want2))
		return bad("message \"%s\" lacks \"%s\"", err, c->want2);
	return 0;
}

static __u64 xorshift64(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Flip 1-8 random bytes per input, anywhere in the object or (arg set)
 * only in the parts elf.c reads.  Accepted inputs are also relocated.
 * A broken promise is counted and the run goes on; a crash ends it.
 */
static int t_random(const void *arg)
{
	const size_t range_cnt = sizeof(lay.parsed) / sizeof(lay.parsed[0]);
	__u64 seed = arg ? 0x0b5e55ed2c0ffee5ull : 0x5eed0f7c91e5b0a7ull;
	__u32 i, j, flips, accepted = 0, broken = 0, first = 0;
	const struct range *r;
	struct elf_obj o;
	char err[256], first_why[WHY_LEN] = "";
	__u64 pos;
	__u8 *b;
	int ret;

	for (i = 0; i < RANDOM_RUNS; i++) {
		b = obj_dup();
		flips = 1 + xorshift64(&seed) % 8;
		for (j = 0; j < flips; j++) {
			if (arg) {
				r = &lay.parsed[xorshift64(&seed) % range_cnt];
				pos = r->off + xorshift64(&seed) % r->len;
			} else {
				pos = xorshift64(&seed) % obj_len;
			}
			b[pos] ^= 1 + xorshift64(&seed) % 255;
		}
		ret = elf_parse(&o, b, obj_len, err, sizeof(err));
		if (ret == 0) {
			accepted++;
			ret = sane(&o, b, obj_len);
			if (!ret)
				relocate_all(&o);
		} else {
			ret = failed_well(ret, err);
		}
		free(b);
		if (ret && !broken++) {
			first = i;
			snprintf(first_why, sizeof(first_why), "%s", why);
		}
	}
	if (broken)
		return bad("%u of %u inputs broke the contract; first, input %u: %s",
			   broken, RANDOM_RUNS, first, first_why);
	bad("%u inputs, %u accepted", RANDOM_RUNS, accepted);
	return 0;
}

/* elf_parse() writes at most err_len bytes, even deep in the object. */
static int t_err_len(const void *arg)
{
	static void (*const patches[])(__u8 *) = { p_magic, p_rel_sym };
	char full[256], small[8], *one = malloc(1);
	struct elf_obj o;
	unsigned int i;
	__u8 *b;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(patches) / sizeof(patches[0]); i++) {
		b = obj_dup();
		patches[i](b);
		*one = 'X';
		if (elf_parse(&o, b, obj_len, one, 0) >= 0)
			ret = bad("patch %u, err_len 0: accepted", i);
		else if (*one != 'X')
			ret = bad("patch %u, err_len 0: wrote the buffer", i);
		else if (elf_parse(&o, b, obj_len, one, 1) >= 0)
			ret = bad("patch %u, err_len 1: accepted", i);
		else if (*one != 0)
			ret = bad("patch %u, err_len 1: not an empty string", i);
		else if (elf_parse(&o, b, obj_len, full, sizeof(full)) >= 0 ||
			 elf_parse(&o, b, obj_len, small, sizeof(small)) >= 0)
			ret = bad("patch %u: accepted", i);
		else if (strlen(full) < sizeof(small) ||
			 strncmp(full, small, sizeof(small) - 1) ||
			 small[sizeof(small) - 1])
			ret = bad("patch %u: \"%s\" cut to %zu bytes is not \"%.*s\"",
				  i, full, sizeof(small), (int)sizeof(small) - 1,
				  full);
		free(b);
	}
	b = obj_dup();
	if (!ret && elf_parse(&o, b, obj_len, one, 0))
		ret = bad("good object with err_len 0: rejected");
	free(b);
	free(one);
	return ret;
}

/* --- running -------------------------------------------------------------- */

/*
 * Run fn(arg) in a child and print its result line.  A case that fails
 * leaves through _exit(), skipping the leak check: its early returns may
 * leak.  A passing case goes through exit(), so LeakSanitizer runs.
 */
static int run(const char *name, int (*fn)(const void *), const void *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	why[0] = 0;
	pid = fork();
	if (pid < 0) {
		printf("not ok %s: fork: %s\n", name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(CASE_TIMEOUT);
		if (fn(arg))
			_exit(CHILD_FAILED);
		why[WHY_LEN - 1] = 0;
		exit(0);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			printf("not ok %s: waitpid: %s\n", name, strerror(errno));
			return 1;
		}
	}
	why[WHY_LEN - 1] = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf(why[0] ? "ok %s (%s)\n" : "ok %s\n", name, why);
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_FAILED)
		printf("not ok %s: %s\n", name, why);
	else if (WIFSIGNALED(st))
		printf("not ok %s: killed by signal %d%s\n", name, WTERMSIG(st),
		       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
	else
		printf("not ok %s: exit status %d (crash or sanitizer report, see stderr)\n",
		       name, WEXITSTATUS(st));
	return 1;
}

static int read_obj(void)
{
	struct stat st;
	__u8 *b;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(obj_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bad("%s: %s (run from the repository root after make)",
			   obj_path, strerror(errno));
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return bad("%s: empty or unreadable", obj_path);
	}
	b = malloc(st.st_size);
	while (got < (size_t)st.st_size) {
		n = read(fd, b + got, st.st_size - got);
		if (n <= 0) {
			close(fd);
			free(b);
			return bad("%s: short read", obj_path);
		}
		got += n;
	}
	close(fd);
	obj = b;
	obj_len = got;
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(const void *);
	} cases[] = {
		{ "parse built object", t_parse },
		{ "maps from BTF", t_maps },
		{ "relocation", t_relocate },
		{ "find program", t_find_prog },
		{ "EM_NONE accepted", t_em_none },
		{ "instructions of the -mcpu build", t_cpu },
		{ "every truncation rejected", t_truncated },
		{ "err buffer bounds", t_err_len },
	};
	char name[128];
	const char *pre;
	unsigned int i, k;
	int failed = 0;

	why = mmap(NULL, WHY_LEN, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (why == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (k = 0; k < sizeof(obj_paths) / sizeof(obj_paths[0]); k++) {
		obj_path = obj_paths[k];
		pre = "";
		memset(&lay, 0, sizeof(lay));
		if (read_obj() || layout_init()) {
			printf("not ok load %s: %s\n", obj_path, why);
			return 1;
		}
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(name, sizeof(name), "%s%s", pre, cases[i].name);
			failed += run(name, cases[i].fn, NULL);
		}
		for (i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
			snprintf(name, sizeof(name), "%scorrupt %s", pre,
				 corruptions[i].name);
			failed += run(name, t_corrupt, &corruptions[i]);
		}
		snprintf(name, sizeof(name), "%srandom corruption", pre);
		failed += run(name, t_random, NULL);
		snprintf(name, sizeof(name), "%srandom corruption of parsed bytes", pre);
		failed += run(name, t_random, &lay);
		free((void *)obj);
	}
	return failed ? 1 : 0;
}
