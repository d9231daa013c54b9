// SPDX-License-Identifier: GPL-2.0
/*
 * elf.c - the ELF and BTF reading half of the loader (see elf.h).
 *
 * Every read of the object goes through at(), which checks the range
 * without overflow, and structures are copied out with memcpy so that a
 * hostile object with odd offsets cannot cause unaligned access.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include "elf.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64	1
#define R_BPF_64_32	10
#define BPF_LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define BTF_MAGIC	0xeB9F
#define BTF_MAX_DEPTH	32	/* typedef/const/pointer chains we follow */

struct ctx {
	const __u8 *buf;
	size_t len;
	char *err;
	size_t err_len;
	struct elf_obj *obj;
	__u32 shnum;
	__u64 shoff;
	Elf64_Shdr shstr;	/* section name table */
	__u32 sym_cnt;
	Elf64_Shdr symtab;
	Elf64_Shdr strtab;	/* symbol name table */
	int maps_shndx;		/* ".maps", or -1 */
	/* .BTF type and string areas, as absolute offsets into buf */
	__u64 btf_types, btf_types_len, btf_strs, btf_strs_len;
	int have_btf;
};

static int fail(struct ctx *c, int code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (c->err_len) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_len, fmt, ap);
		va_end(ap);
		/* Names come from the file: keep the message one printable line. */
		for (p = c->err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return code;
}

/* buf + off if [off, off + size) lies inside the object, else NULL. */
static const __u8 *at(const struct ctx *c, __u64 off, __u64 size)
{
	if (off > c->len || size > c->len - off)
		return NULL;
	return c->buf + off;
}

/* A NUL-terminated string at off inside table [tab, tab + tab_len). */
static const char *str_in(const struct ctx *c, __u64 tab, __u64 tab_len,
			  __u64 off)
{
	const __u8 *p = at(c, tab, tab_len);

	if (!p || off >= tab_len || !memchr(p + off, 0, tab_len - off))
		return NULL;
	return (const char *)p + off;
}

static void shdr(const struct ctx *c, __u32 idx, Elf64_Shdr *sh)
{
	/* The whole table was range-checked in parse_header(). */
	memcpy(sh, c->buf + c->shoff + (__u64)idx * sizeof(*sh), sizeof(*sh));
}

static const char *sec_name(const struct ctx *c, __u32 idx)
{
	Elf64_Shdr sh;
	const char *s;

	shdr(c, idx, &sh);
	s = str_in(c, c->shstr.sh_offset, c->shstr.sh_size, sh.sh_name);
	return s ? s : "?";
}

static int sym(struct ctx *c, __u32 idx, Elf64_Sym *s, const char **name)
{
	if (idx >= c->sym_cnt)
		return fail(c, -EINVAL, "symbol index %u out of range (%u symbols)",
			    idx, c->sym_cnt);
	memcpy(s, c->buf + c->symtab.sh_offset + (__u64)idx * sizeof(*s),
	       sizeof(*s));
	*name = str_in(c, c->strtab.sh_offset, c->strtab.sh_size, s->st_name);
	if (!*name)
		return fail(c, -EINVAL, "symbol %u: name offset %u outside string table",
			    idx, s->st_name);
	return 0;
}

static int parse_header(struct ctx *c)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	__u32 i;
	int little = 1;

	if (c->len < sizeof(eh))
		return fail(c, -EINVAL, "file too short for an ELF header (%zu bytes)",
			    c->len);
	memcpy(&eh, c->buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return fail(c, -EINVAL, "not an ELF file (bad magic)");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(c, -ENOTSUP, "not a 64-bit ELF object (class %u); BPF objects are ELF64",
			    eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != (*(__u8 *)&little ? ELFDATA2LSB : ELFDATA2MSB))
		return fail(c, -ENOTSUP, "object is %s-endian, this machine is not (rebuild with -target %s)",
			    eh.e_ident[EI_DATA] == ELFDATA2MSB ? "big" : "little",
			    *(__u8 *)&little ? "bpfel" : "bpfeb");
	if (eh.e_type != ET_REL)
		return fail(c, -ENOTSUP, "not a relocatable object (e_type %u%s); pass the .o from clang -c",
			    eh.e_type, eh.e_type == ET_EXEC ? ", an executable" :
			    eh.e_type == ET_DYN ? ", a shared object" : "");
	/* Old LLVM wrote EM_NONE. */
	if (eh.e_machine != EM_BPF && eh.e_machine != EM_NONE)
		return fail(c, -ENOTSUP, "not a BPF object (e_machine %u, want %u)",
			    eh.e_machine, EM_BPF);
	if (eh.e_shentsize != sizeof(Elf64_Shdr))
		return fail(c, -EINVAL, "bad section header size %u", eh.e_shentsize);
	if (eh.e_shnum == 0)
		return fail(c, -EINVAL, "no section headers");
	if (!at(c, eh.e_shoff, (__u64)eh.e_shnum * sizeof(Elf64_Shdr)))
		return fail(c, -EINVAL, "section headers (offset %llu, %u entries) beyond end of file",
			    (unsigned long long)eh.e_shoff, eh.e_shnum);
	if (eh.e_shoff % 8)
		return fail(c, -EINVAL, "misaligned section header table");
	c->shnum = eh.e_shnum;
	c->shoff = eh.e_shoff;
	if (eh.e_shstrndx >= c->shnum)
		return fail(c, -EINVAL, "section name table index %u out of range",
			    eh.e_shstrndx);
	shdr(c, eh.e_shstrndx, &c->shstr);
	if (c->shstr.sh_type != SHT_STRTAB ||
	    !at(c, c->shstr.sh_offset, c->shstr.sh_size))
		return fail(c, -EINVAL, "bad section name table");

	for (i = 1; i < c->shnum; i++) {
		shdr(c, i, &sh);
		if (sh.sh_type != SHT_NOBITS && !at(c, sh.sh_offset, sh.sh_size))
			return fail(c, -EINVAL, "section %u (%s): offset %llu + size %llu beyond end of file",
				    i, sec_name(c, i),
				    (unsigned long long)sh.sh_offset,
				    (unsigned long long)sh.sh_size);
		if (!str_in(c, c->shstr.sh_offset, c->shstr.sh_size, sh.sh_name))
			return fail(c, -EINVAL, "section %u: name offset %u outside name table",
				    i, sh.sh_name);
		if (sh.sh_flags & SHF_COMPRESSED)
			return fail(c, -ENOTSUP, "section %s is compressed; rebuild without --compress-debug-sections",
				    sec_name(c, i));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (c->sym_cnt)
			return fail(c, -EINVAL, "more than one symbol table");
		if (sh.sh_entsize != sizeof(Elf64_Sym) ||
		    sh.sh_size % sizeof(Elf64_Sym) || sh.sh_link >= c->shnum)
			return fail(c, -EINVAL, "bad symbol table header");
		c->symtab = sh;
		shdr(c, sh.sh_link, &c->strtab);
		if (c->strtab.sh_type != SHT_STRTAB)
			return fail(c, -EINVAL, "symbol table's string table (section %u) is not a string table",
				    sh.sh_link);
		c->sym_cnt = sh.sh_size / sizeof(Elf64_Sym);
	}
	if (c->sym_cnt < 2)
		return fail(c, -ENOTSUP, "object has no symbol table (stripped?); maps and programs are found by symbol");
	return 0;
}

/* --- BTF ---------------------------------------------------------------- */

static int parse_btf_header(struct ctx *c, __u32 idx)
{
	struct btf_header h;
	Elf64_Shdr sh;
	const __u8 *p;

	shdr(c, idx, &sh);
	p = at(c, sh.sh_offset, sh.sh_size);
	if (!p || sh.sh_size < sizeof(h))
		return fail(c, -EINVAL, ".BTF too short");
	memcpy(&h, p, sizeof(h));
	if (h.magic != BTF_MAGIC)
		return fail(c, -EINVAL, ".BTF: bad magic 0x%x", h.magic);
	if (h.hdr_len < sizeof(h) || h.hdr_len > sh.sh_size)
		return fail(c, -EINVAL, ".BTF: bad header length %u", h.hdr_len);
	if ((__u64)h.type_off + h.type_len > sh.sh_size - h.hdr_len ||
	    (__u64)h.str_off + h.str_len > sh.sh_size - h.hdr_len)
		return fail(c, -EINVAL, ".BTF: type or string area beyond the section");
	c->btf_types = sh.sh_offset + h.hdr_len + h.type_off;
	c->btf_types_len = h.type_len;
	c->btf_strs = sh.sh_offset + h.hdr_len + h.str_off;
	c->btf_strs_len = h.str_len;
	c->have_btf = 1;
	return 0;
}

static __u32 btf_kind(const struct btf_type *t)
{
	return (t->info >> 24) & 0x1f;
}

static __u32 btf_vlen(const struct btf_type *t)
{
	return t->info & 0xffff;
}

/* Bytes that follow a btf_type of this kind, or -1 for an unknown kind. */
static long btf_extra(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)btf_vlen(t) * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)btf_vlen(t) * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)btf_vlen(t) * 12;
	case BTF_KIND_FUNC_PROTO:
		return (long)btf_vlen(t) * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)btf_vlen(t) * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/*
 * Walk the type area to type id (ids start at 1) or, with id == 0, to the
 * first type satisfying match.  Copies the header into *t and returns the
 * absolute offset of the bytes after it, or 0 on failure.
 */
static __u64 btf_walk(struct ctx *c, __u32 id, struct btf_type *t,
		      int (*match)(struct ctx *, const struct btf_type *),
		      __u32 *id_out)
{
	__u64 off = 0;
	__u32 cur = 1;
	long extra;

	if (!id && !match) {
		fail(c, -EINVAL, ".BTF: reference to type 0 (void) where a type is needed");
		return 0;
	}
	while (off + sizeof(*t) <= c->btf_types_len) {
		memcpy(t, c->buf + c->btf_types + off, sizeof(*t));
		extra = btf_extra(t);
		if (extra < 0) {
			fail(c, -EINVAL, ".BTF: type %u has unknown kind %u", cur,
			     btf_kind(t));
			return 0;
		}
		if (off + sizeof(*t) + extra > c->btf_types_len) {
			fail(c, -EINVAL, ".BTF: type %u runs past the type area", cur);
			return 0;
		}
		if (id ? cur == id : match(c, t)) {
			if (id_out)
				*id_out = cur;
			return c->btf_types + off + sizeof(*t);
		}
		off += sizeof(*t) + extra;
		cur++;
	}
	if (id)
		fail(c, -EINVAL, ".BTF: type id %u does not exist", id);
	else
		fail(c, -EINVAL, ".BTF: no DATASEC for .maps");
	return 0;
}

static const char *btf_name(struct ctx *c, __u32 off)
{
	return str_in(c, c->btf_strs, c->btf_strs_len, off);
}

/* Follow typedef/const/volatile/restrict/type_tag to the real type. */
static __u64 btf_resolve(struct ctx *c, __u32 id, struct btf_type *t)
{
	__u64 p;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		p = btf_walk(c, id, t, NULL, NULL);
		if (!p)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		}
		return p;
	}
	fail(c, -EINVAL, ".BTF: type chain deeper than %d", BTF_MAX_DEPTH);
	return 0;
}

static int btf_size(struct ctx *c, __u32 id, __u64 *size, int depth)
{
	struct btf_type t;
	struct btf_array a;
	__u64 p, elem;
	int err;

	if (depth > BTF_MAX_DEPTH)
		return fail(c, -EINVAL, ".BTF: type chain deeper than %d", BTF_MAX_DEPTH);
	p = btf_resolve(c, id, &t);
	if (!p)
		return -EINVAL;
	switch (btf_kind(&t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FLOAT:
		*size = t.size;
		return 0;
	case BTF_KIND_PTR:
		*size = 8;
		return 0;
	case BTF_KIND_ARRAY:
		memcpy(&a, c->buf + p, sizeof(a));
		err = btf_size(c, a.type, &elem, depth + 1);
		if (err)
			return err;
		*size = elem * a.nelems;
		if (elem && *size / elem != a.nelems)
			return fail(c, -EINVAL, ".BTF: array size overflows");
		return 0;
	}
	return fail(c, -EINVAL, ".BTF: type %u (kind %u) has no size", id,
		    btf_kind(&t));
}

static int is_maps_datasec(struct ctx *c, const struct btf_type *t)
{
	const char *n;

	if (btf_kind(t) != BTF_KIND_DATASEC)
		return 0;
	n = btf_name(c, t->name_off);
	return n && !strcmp(n, ".maps");
}

/* One member of a map struct: __uint(name, N) or __type(name, T). */
static int parse_map_attr(struct ctx *c, struct elf_map *m,
			  const struct btf_member *mb)
{
	struct btf_type t;
	struct btf_array a;
	const char *an = btf_name(c, mb->name_off);
	__u64 p, size;
	__u32 *dst;
	int err;

	if (!an)
		return fail(c, -EINVAL, "map %s: attribute name outside .BTF strings", m->name);
	p = btf_resolve(c, mb->type, &t);
	if (!p)
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_PTR)
		return fail(c, -EINVAL, "map %s: attribute %s is not a __uint/__type pointer",
			    m->name, an);
	if (!strcmp(an, "key") || !strcmp(an, "value")) {
		err = btf_size(c, t.type, &size, 0);
		if (err)
			return err;
		if (size > 0xffffffffu)
			return fail(c, -EINVAL, "map %s: %s too large", m->name, an);
		*(an[0] == 'k' ? &m->key_size : &m->value_size) = size;
		return 0;
	}
	if (!strcmp(an, "type"))
		dst = &m->type;
	else if (!strcmp(an, "max_entries"))
		dst = &m->max_entries;
	else if (!strcmp(an, "map_flags"))
		dst = &m->map_flags;
	else if (!strcmp(an, "key_size"))
		dst = &m->key_size;
	else if (!strcmp(an, "value_size"))
		dst = &m->value_size;
	else if (!strcmp(an, "numa_node"))
		dst = &m->numa_node;
	else if (!strcmp(an, "pinning"))
		dst = &m->pinning;
	else
		return fail(c, -ENOTSUP, "map %s: unsupported attribute '%s'", m->name, an);
	/* __uint(x, N) is int (*x)[N]: the value is the array length. */
	p = btf_resolve(c, t.type, &t);
	if (!p)
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_ARRAY)
		return fail(c, -EINVAL, "map %s: attribute %s is not __uint()", m->name, an);
	memcpy(&a, c->buf + p, sizeof(a));
	*dst = a.nelems;
	return 0;
}

static int parse_maps(struct ctx *c)
{
	struct btf_type ds, var, st;
	struct btf_var_secinfo vi;
	struct btf_member mb;
	struct elf_map *m;
	__u64 p, q;
	__u32 i, j;
	int err;

	if (c->maps_shndx < 0)
		return 0;
	if (!c->have_btf)
		return fail(c, -ENOTSUP, ".maps needs .BTF (build the object with clang -g)");
	p = btf_walk(c, 0, &ds, is_maps_datasec, NULL);
	if (!p)
		return -EINVAL;
	if (btf_vlen(&ds) > ELF_MAX_MAPS)
		return fail(c, -E2BIG, "too many maps (%u, limit %d)", btf_vlen(&ds),
			    ELF_MAX_MAPS);
	for (i = 0; i < btf_vlen(&ds); i++) {
		memcpy(&vi, c->buf + p + (__u64)i * sizeof(vi), sizeof(vi));
		if (!btf_walk(c, vi.type, &var, NULL, NULL))
			return -EINVAL;
		if (btf_kind(&var) != BTF_KIND_VAR)
			return fail(c, -EINVAL, ".maps entry %u is not a variable", i);
		m = &c->obj->maps[i];
		memset(m, 0, sizeof(*m));
		m->name = btf_name(c, var.name_off);
		if (!m->name || !*m->name)
			return fail(c, -EINVAL, ".maps entry %u has no name", i);
		for (j = 0; j < i; j++)
			if (!strcmp(c->obj->maps[j].name, m->name))
				return fail(c, -EINVAL, "map %s defined twice", m->name);
		q = btf_resolve(c, var.type, &st);
		if (!q)
			return -EINVAL;
		if (btf_kind(&st) != BTF_KIND_STRUCT)
			return fail(c, -EINVAL, "map %s: definition is not a struct", m->name);
		for (j = 0; j < btf_vlen(&st); j++) {
			memcpy(&mb, c->buf + q + (__u64)j * sizeof(mb), sizeof(mb));
			err = parse_map_attr(c, m, &mb);
			if (err)
				return err;
		}
		if (!m->type)
			return fail(c, -EINVAL, "map %s: no type", m->name);
		c->obj->map_cnt = i + 1;
	}
	return 0;
}

/* --- sections, programs, relocations -------------------------------------- */

static int is_prog_sec(const char *name)
{
	return !strcmp(name, "xdp") || !strncmp(name, "xdp/", 4);
}

static int add_prog(struct ctx *c, __u32 idx, const Elf64_Shdr *sh)
{
	struct elf_prog *pr;
	const char *name;
	Elf64_Sym s;
	__u32 i;
	int err;

	if (c->obj->prog_cnt >= ELF_MAX_PROGS)
		return fail(c, -E2BIG, "too many programs (limit %d)", ELF_MAX_PROGS);
	if (sh->sh_type != SHT_PROGBITS || !sh->sh_size || sh->sh_size % 8)
		return fail(c, -EINVAL, "program section %s: bad type or size %llu",
			    sec_name(c, idx), (unsigned long long)sh->sh_size);
	if (sh->sh_size / 8 > BPF_MAXINSNS * 256)
		return fail(c, -E2BIG, "program section %s too large", sec_name(c, idx));
	pr = &c->obj->progs[c->obj->prog_cnt];
	memset(pr, 0, sizeof(*pr));
	pr->sec_name = sec_name(c, idx);
	pr->insns = c->buf + sh->sh_offset;
	pr->insn_cnt = sh->sh_size / 8;
	pr->sec_idx = idx;
	for (i = 1; i < c->sym_cnt; i++) {
		err = sym(c, i, &s, &name);
		if (err)
			return err;
		if (s.st_shndx == idx && ELF64_ST_TYPE(s.st_info) == STT_FUNC &&
		    s.st_value == 0) {
			pr->name = name;
			break;
		}
	}
	if (!pr->name)
		return fail(c, -EINVAL, "program section %s has no function symbol",
			    pr->sec_name);
	c->obj->prog_cnt++;
	return 0;
}

static struct elf_prog *prog_of_sec(struct ctx *c, __u32 idx)
{
	__u32 i;

	for (i = 0; i < c->obj->prog_cnt; i++)
		if (c->obj->progs[i].sec_idx == idx)
			return &c->obj->progs[i];
	return NULL;
}

static int parse_relocs(struct ctx *c, __u32 idx, const Elf64_Shdr *sh)
{
	struct elf_prog *pr;
	struct elf_reloc *r;
	Elf64_Rel rel;
	Elf64_Sym s;
	const char *name;
	__u64 i, cnt, insn;
	__u8 code;
	int err, map;

	if (sh->sh_info >= c->shnum)
		return fail(c, -EINVAL, "relocation section %s: target section %u out of range",
			    sec_name(c, idx), sh->sh_info);
	pr = prog_of_sec(c, sh->sh_info);
	if (!pr)
		return 0;	/* .rel.BTF, .rel.debug_*: not ours to apply */
	if (sh->sh_type == SHT_RELA)
		return fail(c, -ENOTSUP, "%s: RELA relocations are not used for BPF",
			    sec_name(c, idx));
	if (pr->reloc_cnt)
		return fail(c, -EINVAL, "%s: second relocation section for one program",
			    sec_name(c, idx));
	if (sh->sh_entsize != sizeof(rel) || sh->sh_size % sizeof(rel))
		return fail(c, -EINVAL, "relocation section %s: bad entry size",
			    sec_name(c, idx));
	cnt = sh->sh_size / sizeof(rel);
	if (c->obj->reloc_cnt + cnt > ELF_MAX_RELOCS)
		return fail(c, -E2BIG, "too many relocations (limit %d)", ELF_MAX_RELOCS);
	pr->reloc_idx = c->obj->reloc_cnt;
	for (i = 0; i < cnt; i++) {
		memcpy(&rel, c->buf + sh->sh_offset + i * sizeof(rel), sizeof(rel));
		err = sym(c, ELF64_R_SYM(rel.r_info), &s, &name);
		if (err)
			return err;
		if (rel.r_offset % 8 || rel.r_offset / 8 >= pr->insn_cnt)
			return fail(c, -EINVAL, "relocation %llu in %s: offset %llu outside the program",
				    (unsigned long long)i, sec_name(c, idx),
				    (unsigned long long)rel.r_offset);
		insn = rel.r_offset / 8;
		switch (ELF64_R_TYPE(rel.r_info)) {
		case R_BPF_64_64:
			break;
		case R_BPF_64_32:
			return fail(c, -ENOTSUP, "%s+%llu: call to %s: BPF-to-BPF calls are not supported yet (mark it __always_inline)",
				    pr->sec_name, (unsigned long long)insn, name);
		default:
			return fail(c, -ENOTSUP, "%s+%llu: unsupported relocation type %u",
				    pr->sec_name, (unsigned long long)insn,
				    (unsigned)ELF64_R_TYPE(rel.r_info));
		}
		code = ((const __u8 *)pr->insns)[insn * 8];
		if (code != BPF_LD_IMM64 || insn + 1 >= pr->insn_cnt)
			return fail(c, -EINVAL, "%s+%llu: relocation does not patch a 64-bit load (opcode 0x%02x)",
				    pr->sec_name, (unsigned long long)insn, code);
		if ((int)s.st_shndx != c->maps_shndx || c->maps_shndx < 0)
			return fail(c, -ENOTSUP, "%s+%llu: reference to '%s' in section %s: only .maps references are supported",
				    pr->sec_name, (unsigned long long)insn, name,
				    s.st_shndx < c->shnum ? sec_name(c, s.st_shndx) : "?");
		map = elf_find_map(c->obj, name);
		if (map < 0)
			return fail(c, -EINVAL, "%s+%llu: map '%s' is not defined in .BTF",
				    pr->sec_name, (unsigned long long)insn, name);
		r = &c->obj->relocs[c->obj->reloc_cnt++];
		r->insn_idx = insn;
		r->map_idx = map;
		pr->reloc_cnt++;
	}
	return 0;
}

int elf_parse(struct elf_obj *obj, const void *buf, size_t len, char *err,
	      size_t err_len)
{
	struct ctx c = {
		.buf = buf, .len = len, .err = err, .err_len = err_len,
		.obj = obj, .maps_shndx = -1,
	};
	Elf64_Shdr sh;
	const char *name;
	__u32 i;
	int ret;

	memset(obj, 0, sizeof(*obj));
	if (err_len)
		err[0] = 0;
	ret = parse_header(&c);
	if (ret)
		return ret;

	for (i = 1; i < c.shnum; i++) {
		shdr(&c, i, &sh);
		name = sec_name(&c, i);
		if (!strcmp(name, ".BTF")) {
			ret = parse_btf_header(&c, i);
		} else if (!strcmp(name, ".maps")) {
			c.maps_shndx = i;
		} else if (!strcmp(name, "maps")) {
			ret = fail(&c, -ENOTSUP, "legacy 'maps' section is not supported yet; use BTF-defined .maps");
		} else if (!strcmp(name, "license")) {
			obj->license = str_in(&c, sh.sh_offset, sh.sh_size, 0);
			if (!obj->license)
				ret = fail(&c, -EINVAL, "license is not a NUL-terminated string");
		} else if (is_prog_sec(name) && (sh.sh_flags & SHF_EXECINSTR)) {
			ret = add_prog(&c, i, &sh);
		}
		if (ret)
			return ret;
	}
	if (!obj->prog_cnt)
		return fail(&c, -ENOTSUP, "no XDP program (section \"xdp\" or \"xdp/...\") in object");
	ret = parse_maps(&c);
	if (ret)
		return ret;
	for (i = 1; i < c.shnum; i++) {
		shdr(&c, i, &sh);
		if (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA)
			continue;
		ret = parse_relocs(&c, i, &sh);
		if (ret)
			return ret;
	}
	if (!obj->license)
		obj->license = "";
	return 0;
}

const struct elf_prog *elf_find_prog(const struct elf_obj *obj,
				     const char *name)
{
	__u32 i;

	for (i = 0; i < obj->prog_cnt; i++)
		if (!name || !strcmp(obj->progs[i].sec_name, name) ||
		    !strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return NULL;
}

void elf_relocate(const struct elf_obj *obj, const struct elf_prog *prog,
		  const int *map_fds, void *insns)
{
	struct bpf_insn *in = insns;
	const struct elf_reloc *r;
	__u32 i;

	memcpy(in, prog->insns, (size_t)prog->insn_cnt * sizeof(*in));
	for (i = 0; i < prog->reloc_cnt; i++) {
		r = &obj->relocs[prog->reloc_idx + i];
		in[r->insn_idx].src_reg = BPF_PSEUDO_MAP_FD;
		in[r->insn_idx].imm = map_fds[r->map_idx];
	}
}

int elf_find_map(const struct elf_obj *obj, const char *name)
{
	__u32 i;

	for (i = 0; i < obj->map_cnt; i++)
		if (!strcmp(obj->maps[i].name, name))
			return i;
	return -1;
}
