// SPDX-License-Identifier: GPL-2.0
/*
 * elf.c - the ELF and BTF reading half of the loader (see elf.h).
 *
 * Every read of the object goes through at() (ELF) or btf_at() (BTF),
 * which check the range without overflow, and structures are copied out
 * with memcpy so that odd offsets cannot cause unaligned access.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/btf.h>
#include "elf.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64	1
#define R_BPF_64_ABS64	2
#define R_BPF_64_32	10
#define BPF_LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define BPF_CALL_INSN	(BPF_JMP | BPF_CALL)
#define BTF_MAGIC	0xeB9F
#define BTF_MAX_DEPTH	32	/* typedef/const/pointer chains we follow */
#define NO_SEC		0xffffffffu

struct btf_ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
};

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
	__u32 maps_sec;		/* ".maps", or NO_SEC */
	__u32 legacy_sec;	/* "maps", or NO_SEC */
	/* .BTF: base, and type and string areas relative to it */
	const __u8 *btf;
	__u64 btf_len, types_off, types_len, strs_off, strs_len;
	int btf_bad;		/* a walk failed (not just ended) */
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
static const char *str_in(const __u8 *tab, __u64 tab_len, __u64 off)
{
	if (!tab || off >= tab_len || !memchr(tab + off, 0, tab_len - off))
		return NULL;
	return (const char *)tab + off;
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

	if (idx >= c->shnum)
		return "?";
	shdr(c, idx, &sh);
	s = str_in(at(c, c->shstr.sh_offset, c->shstr.sh_size),
		   c->shstr.sh_size, sh.sh_name);
	return s ? s : "?";
}

static int sym(struct ctx *c, __u32 idx, Elf64_Sym *s, const char **name)
{
	if (idx >= c->sym_cnt)
		return fail(c, -EINVAL, "symbol index %u out of range (%u symbols)",
			    idx, c->sym_cnt);
	memcpy(s, c->buf + c->symtab.sh_offset + (__u64)idx * sizeof(*s),
	       sizeof(*s));
	*name = str_in(c->buf + c->strtab.sh_offset, c->strtab.sh_size,
		       s->st_name);
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

	shdr(c, 0, &sh);
	if (sh.sh_type != SHT_NULL)
		return fail(c, -EINVAL, "section 0 is not the null section");
	for (i = 1; i < c->shnum; i++) {
		shdr(c, i, &sh);
		if (sh.sh_type != SHT_NOBITS && !at(c, sh.sh_offset, sh.sh_size))
			return fail(c, -EINVAL, "section %u (%s): offset %llu + size %llu beyond end of file",
				    i, sec_name(c, i),
				    (unsigned long long)sh.sh_offset,
				    (unsigned long long)sh.sh_size);
		if (!str_in(c->buf + c->shstr.sh_offset, c->shstr.sh_size, sh.sh_name))
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

/* Section index of the section called name, or NO_SEC. */
static __u32 find_sec(const struct ctx *c, const char *name)
{
	__u32 i;

	for (i = 1; i < c->shnum; i++)
		if (!strcmp(sec_name(c, i), name))
			return i;
	return NO_SEC;
}

/* --- BTF ---------------------------------------------------------------- */

static int parse_btf_header(struct ctx *c, const __u8 *btf, __u64 len)
{
	struct btf_header h;

	if (len < sizeof(h))
		return fail(c, -EINVAL, ".BTF too short");
	memcpy(&h, btf, sizeof(h));
	if (h.magic != BTF_MAGIC)
		return fail(c, -EINVAL, ".BTF: bad magic 0x%x", h.magic);
	if (h.hdr_len < sizeof(h) || h.hdr_len > len)
		return fail(c, -EINVAL, ".BTF: bad header length %u", h.hdr_len);
	if ((__u64)h.type_off + h.type_len > len - h.hdr_len ||
	    (__u64)h.str_off + h.str_len > len - h.hdr_len)
		return fail(c, -EINVAL, ".BTF: type or string area beyond the section");
	c->btf = btf;
	c->btf_len = len;
	c->types_off = h.hdr_len + h.type_off;
	c->types_len = h.type_len;
	c->strs_off = h.hdr_len + h.str_off;
	c->strs_len = h.str_len;
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

static const char *btf_name(const struct ctx *c, __u32 off)
{
	return str_in(c->btf + c->strs_off, c->strs_len, off);
}

/*
 * Walk the type area to type id (ids start at 1), or with id 0 to the
 * next type after *id_out (0 to start) that is a DATASEC.  Copies the
 * header into *t and returns the offset (from c->btf) of the bytes after
 * it, or 0 on failure or at the end.
 */
static __u64 btf_walk(struct ctx *c, __u32 id, struct btf_type *t,
		      __u32 *id_out)
{
	__u64 off = 0;
	__u32 cur = 1;
	long extra;

	if (!c->btf)
		return 0;
	while (off + sizeof(*t) <= c->types_len) {
		memcpy(t, c->btf + c->types_off + off, sizeof(*t));
		extra = btf_extra(t);
		if (extra < 0) {
			c->btf_bad = fail(c, -EINVAL, ".BTF: type %u has unknown kind %u",
					  cur, btf_kind(t));
			return 0;
		}
		if (off + sizeof(*t) + extra > c->types_len) {
			c->btf_bad = fail(c, -EINVAL, ".BTF: type %u runs past the type area",
					  cur);
			return 0;
		}
		if (id ? cur == id :
		    cur > *id_out && btf_kind(t) == BTF_KIND_DATASEC) {
			if (id_out)
				*id_out = cur;
			return c->types_off + off + sizeof(*t);
		}
		off += sizeof(*t) + extra;
		cur++;
	}
	if (id)
		fail(c, -EINVAL, ".BTF: type id %u does not exist", id);
	return 0;
}

static __u64 btf_type(struct ctx *c, __u32 id, struct btf_type *t)
{
	if (!id) {
		fail(c, -EINVAL, ".BTF: reference to type 0 (void) where a type is needed");
		return 0;
	}
	return btf_walk(c, id, t, NULL);
}

/* The DATASEC called name: offset after its header, or 0. */
static __u64 btf_datasec(struct ctx *c, const char *name, struct btf_type *t)
{
	const char *n;
	__u32 id = 0;
	__u64 p;

	while ((p = btf_walk(c, 0, t, &id))) {
		n = btf_name(c, t->name_off);
		if (n && !strcmp(n, name))
			return p;
	}
	return 0;
}

/* Follow typedef/const/volatile/restrict/type_tag to the real type. */
static __u64 btf_resolve(struct ctx *c, __u32 id, struct btf_type *t)
{
	__u64 p;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		p = btf_type(c, id, t);
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
		memcpy(&a, c->btf + p, sizeof(a));
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

/* --- maps ----------------------------------------------------------------- */

static struct elf_map *new_map(struct ctx *c, const char *name, __u32 kind)
{
	struct elf_map *m;

	if (c->obj->map_cnt >= ELF_MAX_MAPS) {
		fail(c, -E2BIG, "too many maps (limit %d)", ELF_MAX_MAPS);
		return NULL;
	}
	m = &c->obj->maps[c->obj->map_cnt++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->kind = kind;
	m->inner_idx = -1;
	return m;
}

/* Symbol called name defined in section sec: its extent. */
static int sym_extent(struct ctx *c, __u32 sec, const char *name,
		      __u32 *off, __u32 *len)
{
	const char *n;
	Elf64_Sym s;
	__u32 i;
	int err;

	for (i = 1; i < c->sym_cnt; i++) {
		err = sym(c, i, &s, &n);
		if (err)
			return err;
		if (s.st_shndx == sec && !strcmp(n, name) &&
		    ELF64_ST_TYPE(s.st_info) != STT_SECTION) {
			*off = s.st_value;
			*len = s.st_size;
			return 0;
		}
	}
	return fail(c, -EINVAL, "map %s has no symbol in %s", name,
		    sec_name(c, sec));
}

static int parse_map_def(struct ctx *c, struct elf_map *m, __u32 struct_id,
			 int depth);

/* `values`: an array of pointers to an inner map definition or to
 * programs (a function prototype). */
static int parse_values(struct ctx *c, struct elf_map *m,
			const struct btf_member *mb, int depth)
{
	struct btf_type t;
	struct btf_array a;
	struct elf_map *inner;
	__u32 inner_id;
	__u64 p;

	p = btf_resolve(c, mb->type, &t);
	if (!p || btf_kind(&t) != BTF_KIND_ARRAY)
		return p ? fail(c, -EINVAL, "map %s: values is not an array", m->name) : -EINVAL;
	memcpy(&a, c->btf + p, sizeof(a));
	p = btf_resolve(c, a.type, &t);
	if (!p || btf_kind(&t) != BTF_KIND_PTR)
		return p ? fail(c, -EINVAL, "map %s: values are not pointers", m->name) : -EINVAL;
	inner_id = t.type;
	p = btf_resolve(c, inner_id, &t);
	if (!p)
		return -EINVAL;
	m->values_off = mb->offset / 8;	/* .maps structs have no bitfields */
	if (btf_kind(&t) == BTF_KIND_FUNC_PROTO)
		return 0;	/* a program array */
	if (btf_kind(&t) != BTF_KIND_STRUCT || depth)
		return fail(c, -EINVAL, "map %s: values must point to programs or to one level of inner map",
			    m->name);
	inner = new_map(c, m->name, ELF_MAP_INNER);
	if (!inner)
		return -E2BIG;
	m->inner_idx = inner - c->obj->maps;
	return parse_map_def(c, inner, inner_id, depth + 1) ?:
	       parse_map_def(c, inner, 0, -1);
}

/* One member of a map struct: __uint(name, N), __type(name, T), values. */
static int parse_map_attr(struct ctx *c, struct elf_map *m,
			  const struct btf_member *mb, int depth)
{
	struct btf_type t;
	struct btf_array a;
	const char *an = btf_name(c, mb->name_off);
	__u64 p, size;
	__u32 *dst;
	int err;

	if (!an)
		return fail(c, -EINVAL, "map %s: attribute name outside .BTF strings", m->name);
	if (!strcmp(an, "values"))
		return parse_values(c, m, mb, depth);
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
	memcpy(&a, c->btf + p, sizeof(a));
	*dst = a.nelems;
	return 0;
}

/*
 * The members of the definition struct struct_id into m.  (Called with
 * depth -1 only to check the result.)
 */
static int parse_map_def(struct ctx *c, struct elf_map *m, __u32 struct_id,
			 int depth)
{
	struct btf_type st;
	struct btf_member mb;
	__u64 q;
	__u32 j;
	int err;

	if (depth < 0) {
		/* Program arrays and map-in-maps hold 4-byte ids: key and
		 * value size may be left out of the definition. */
		if (m->type == BPF_MAP_TYPE_PROG_ARRAY ||
		    m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		    m->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
			if (!m->value_size)
				m->value_size = 4;
			if (!m->key_size && m->type != BPF_MAP_TYPE_HASH_OF_MAPS)
				m->key_size = 4;
		}
		return m->type ? 0 : fail(c, -EINVAL, "map %s: no type", m->name);
	}
	q = btf_resolve(c, struct_id, &st);
	if (!q)
		return -EINVAL;
	if (btf_kind(&st) != BTF_KIND_STRUCT)
		return fail(c, -EINVAL, "map %s: definition is not a struct", m->name);
	for (j = 0; j < btf_vlen(&st); j++) {
		memcpy(&mb, c->btf + q + (__u64)j * sizeof(mb), sizeof(mb));
		err = parse_map_attr(c, m, &mb, depth);
		if (err)
			return err;
	}
	return 0;
}

static int parse_btf_maps(struct ctx *c)
{
	struct btf_type ds, var;
	struct btf_var_secinfo vi;
	struct elf_map *m;
	const char *name;
	__u64 p;
	__u32 i;
	int err;

	if (c->maps_sec == NO_SEC)
		return 0;
	if (!c->btf)
		return fail(c, -ENOTSUP, ".maps needs .BTF (build the object with clang -g)");
	p = btf_datasec(c, ".maps", &ds);
	if (!p)
		return c->btf_bad ?: fail(c, -EINVAL, ".BTF: no DATASEC for .maps");
	for (i = 0; i < btf_vlen(&ds); i++) {
		memcpy(&vi, c->btf + p + (__u64)i * sizeof(vi), sizeof(vi));
		if (!btf_type(c, vi.type, &var))
			return -EINVAL;
		if (btf_kind(&var) != BTF_KIND_VAR)
			return fail(c, -EINVAL, ".maps entry %u is not a variable", i);
		name = btf_name(c, var.name_off);
		if (!name || !*name)
			return fail(c, -EINVAL, ".maps entry %u has no name", i);
		if (elf_find_map(c->obj, name) >= 0)
			return fail(c, -EINVAL, "map %s defined twice", name);
		m = new_map(c, name, ELF_MAP_DEF);
		if (!m)
			return -E2BIG;
		m->sec_idx = c->maps_sec;
		err = sym_extent(c, c->maps_sec, name, &m->sym_off, &m->sym_len) ?:
		      parse_map_def(c, m, var.type, 0) ?:
		      parse_map_def(c, m, 0, -1);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Legacy "maps": one record per symbol, its extent from the symbol.  We
 * know the first five u32s (type, key_size, value_size, max_entries,
 * map_flags); longer records (iproute2's bpf_elf_map) must be zero after.
 */
static int parse_legacy_maps(struct ctx *c)
{
	Elf64_Shdr sh;
	Elf64_Sym s;
	struct elf_map *m;
	const char *name;
	const __u8 *rec;
	__u32 i, f[5], k;
	int err;

	if (c->legacy_sec == NO_SEC)
		return 0;
	shdr(c, c->legacy_sec, &sh);
	if (sh.sh_type != SHT_PROGBITS)
		return fail(c, -EINVAL, "legacy maps section has no data");
	for (i = 1; i < c->sym_cnt; i++) {
		err = sym(c, i, &s, &name);
		if (err)
			return err;
		if (s.st_shndx != c->legacy_sec ||
		    ELF64_ST_TYPE(s.st_info) == STT_SECTION || !*name)
			continue;
		if (s.st_size < sizeof(f) || s.st_value > sh.sh_size ||
		    s.st_size > sh.sh_size - s.st_value)
			return fail(c, -EINVAL, "legacy map %s: record at %llu, %llu bytes, does not fit a map definition in maps (%llu bytes)",
				    name, (unsigned long long)s.st_value,
				    (unsigned long long)s.st_size,
				    (unsigned long long)sh.sh_size);
		if (elf_find_map(c->obj, name) >= 0)
			return fail(c, -EINVAL, "map %s defined twice", name);
		rec = c->buf + sh.sh_offset + s.st_value;
		for (k = sizeof(f); k < s.st_size; k++)
			if (rec[k])
				return fail(c, -ENOTSUP, "legacy map %s: non-zero field at byte %u; only type, key_size, value_size, max_entries and map_flags are supported",
					    name, k);
		memcpy(f, rec, sizeof(f));
		m = new_map(c, name, ELF_MAP_DEF);
		if (!m)
			return -E2BIG;
		m->type = f[0];
		m->key_size = f[1];
		m->value_size = f[2];
		m->max_entries = f[3];
		m->map_flags = f[4];
		m->sec_idx = c->legacy_sec;
		m->sym_off = s.st_value;
		m->sym_len = s.st_size;
		if (!m->type)
			return fail(c, -EINVAL, "legacy map %s: no type", name);
	}
	return 0;
}

static int is_data_sec(const char *n)
{
	return !strcmp(n, ".data") || !strncmp(n, ".data.", 6) ||
	       !strcmp(n, ".rodata") || !strncmp(n, ".rodata.", 8) ||
	       !strcmp(n, ".bss") || !strncmp(n, ".bss.", 5);
}

static int add_data_map(struct ctx *c, __u32 idx, const Elf64_Shdr *sh)
{
	struct elf_map *m;

	if (!sh->sh_size)
		return 0;
	if (sh->sh_size > 0x7fffffffu)
		return fail(c, -E2BIG, "section %s too large", sec_name(c, idx));
	m = new_map(c, sec_name(c, idx), ELF_MAP_DATA);
	if (!m)
		return -E2BIG;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = sh->sh_size;
	m->max_entries = 1;
	m->sec_idx = idx;
	if (!strncmp(m->name, ".rodata", 7))
		m->map_flags = BPF_F_RDONLY_PROG;
	if (sh->sh_type != SHT_NOBITS)
		m->init = c->buf + sh->sh_offset;
	return 0;
}

/* The map whose definition or data holds byte off of section sec. */
static int map_at(const struct elf_obj *obj, __u32 sec, __u64 off)
{
	const struct elf_map *m;
	__u32 i;

	for (i = 0; i < obj->map_cnt; i++) {
		m = &obj->maps[i];
		if (m->kind == ELF_MAP_INNER || m->sec_idx != sec)
			continue;
		if (m->kind == ELF_MAP_DATA ||
		    (off >= m->sym_off && off - m->sym_off < m->sym_len))
			return i;
	}
	return -1;
}

/* --- functions, programs ---------------------------------------------------- */

static int is_prog_sec(const char *name)
{
	return !strcmp(name, "xdp") || !strncmp(name, "xdp/", 4);
}

static int is_code_sec(struct ctx *c, __u32 idx)
{
	Elf64_Shdr sh;
	const char *n = sec_name(c, idx);

	if (idx >= c->shnum)
		return 0;
	shdr(c, idx, &sh);
	return sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR) &&
	       (is_prog_sec(n) || !strcmp(n, ".text"));
}

static int parse_funcs(struct ctx *c)
{
	struct elf_func *f;
	struct elf_prog *pr;
	const char *name;
	Elf64_Shdr sh;
	Elf64_Sym s;
	__u32 i, j, bind;
	int err;

	for (i = 1; i < c->sym_cnt; i++) {
		err = sym(c, i, &s, &name);
		if (err)
			return err;
		if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || !is_code_sec(c, s.st_shndx))
			continue;
		shdr(c, s.st_shndx, &sh);
		if (s.st_value % 8 || s.st_size % 8 || !s.st_size ||
		    s.st_value > sh.sh_size || s.st_size > sh.sh_size - s.st_value)
			return fail(c, -EINVAL, "function %s: bad extent %llu+%llu in %s",
				    name, (unsigned long long)s.st_value,
				    (unsigned long long)s.st_size, sec_name(c, s.st_shndx));
		if (c->obj->func_cnt >= ELF_MAX_FUNCS)
			return fail(c, -E2BIG, "too many functions (limit %d)", ELF_MAX_FUNCS);
		f = &c->obj->funcs[c->obj->func_cnt++];
		f->name = name;
		f->sec_name = sec_name(c, s.st_shndx);
		f->sec_idx = s.st_shndx;
		f->off = s.st_value / 8;
		f->cnt = s.st_size / 8;
		f->insns = c->buf + sh.sh_offset + s.st_value;
		f->replaced = 0;
		for (j = 0; j < c->obj->func_cnt - 1; j++)
			if (c->obj->funcs[j].sec_idx == f->sec_idx &&
			    c->obj->funcs[j].off < f->off + f->cnt &&
			    f->off < c->obj->funcs[j].off + c->obj->funcs[j].cnt)
				return fail(c, -EINVAL, "functions %s and %s overlap in %s",
					    c->obj->funcs[j].name, name, f->sec_name);
		bind = ELF64_ST_BIND(s.st_info);
		if (!is_prog_sec(f->sec_name) || bind == STB_LOCAL)
			continue;	/* a subprogram */
		if (c->obj->prog_cnt >= ELF_MAX_PROGS)
			return fail(c, -E2BIG, "too many programs (limit %d)", ELF_MAX_PROGS);
		pr = &c->obj->progs[c->obj->prog_cnt++];
		pr->sec_name = f->sec_name;
		pr->name = name;
		pr->insns = f->insns;
		pr->insn_cnt = f->cnt;
		pr->sec_idx = f->sec_idx;
		pr->func_idx = f - c->obj->funcs;
	}
	return 0;
}

/* The function starting at instruction insn of section sec, or -1. */
static int func_at(const struct elf_obj *obj, __u32 sec, __u64 insn)
{
	__u32 i;

	for (i = 0; i < obj->func_cnt; i++)
		if (obj->funcs[i].sec_idx == sec && obj->funcs[i].off == insn)
			return i;
	return -1;
}

/* The function holding instruction insn of section sec, or -1. */
static int func_of(const struct elf_obj *obj, __u32 sec, __u64 insn)
{
	__u32 i;

	for (i = 0; i < obj->func_cnt; i++)
		if (obj->funcs[i].sec_idx == sec && insn >= obj->funcs[i].off &&
		    insn - obj->funcs[i].off < obj->funcs[i].cnt)
			return i;
	return -1;
}

/* --- relocations -------------------------------------------------------- */

static int has_reloc(const struct elf_obj *obj, __u32 sec, __u32 insn)
{
	__u32 i;

	for (i = 0; i < obj->reloc_cnt; i++)
		if (obj->relocs[i].sec_idx == sec && obj->relocs[i].insn == insn)
			return 1;
	return 0;
}

static int add_reloc(struct ctx *c, __u32 sec, __u32 insn, __u32 kind,
		     __u32 target, __u32 off)
{
	struct elf_reloc *r;

	if (c->obj->reloc_cnt >= ELF_MAX_RELOCS)
		return fail(c, -E2BIG, "too many relocations (limit %d)", ELF_MAX_RELOCS);
	if (has_reloc(c->obj, sec, insn))
		return fail(c, -EINVAL, "two relocations for %s+%u", sec_name(c, sec), insn);
	r = &c->obj->relocs[c->obj->reloc_cnt++];
	r->sec_idx = sec;
	r->insn = insn;
	r->kind = kind;
	r->target = target;
	r->off = off;
	return 0;
}

/* One relocation in code section sec of n_insns instructions. */
static int code_reloc(struct ctx *c, __u32 sec, __u64 n_insns,
		      const Elf64_Rel *rel)
{
	const char *where = sec_name(c, sec), *name;
	struct bpf_insn in;
	Elf64_Shdr sh;
	Elf64_Sym s;
	__u64 insn, target, off;
	int err, idx;

	err = sym(c, ELF64_R_SYM(rel->r_info), &s, &name);
	if (err)
		return err;
	if (rel->r_offset % 8 || rel->r_offset / 8 >= n_insns)
		return fail(c, -EINVAL, "relocation in %s: offset %llu outside the program",
			    where, (unsigned long long)rel->r_offset);
	insn = rel->r_offset / 8;
	if (func_of(c->obj, sec, insn) < 0)
		return fail(c, -EINVAL, "relocation at %s+%llu is outside every function",
			    where, insn);
	shdr(c, sec, &sh);
	memcpy(&in, c->buf + sh.sh_offset + rel->r_offset, sizeof(in));
	if (s.st_shndx == SHN_UNDEF)
		return fail(c, -ENOTSUP, "%s+%llu: '%s' is an extern (kconfig/ksym), which is not supported",
			    where, insn, name);
	if (s.st_shndx >= c->shnum)
		return fail(c, -EINVAL, "%s+%llu: symbol '%s' in bad section %u",
			    where, insn, name, s.st_shndx);
	if (ELF64_R_TYPE(rel->r_info) == R_BPF_64_32) {
		if (in.code != BPF_CALL_INSN || in.src_reg != BPF_PSEUDO_CALL)
			return fail(c, -EINVAL, "%s+%llu: call relocation on a non-call instruction",
				    where, insn);
		/* imm counts from the symbol: -1 for a function symbol. */
		target = s.st_value / 8 + (__s64)in.imm + 1;
		idx = s.st_value % 8 ? -1 : func_at(c->obj, s.st_shndx, target);
		if (idx < 0)
			return fail(c, -EINVAL, "%s+%llu: call to '%s' does not reach the start of a function",
				    where, insn, name);
		return add_reloc(c, sec, insn, ELF_RELOC_CALL, idx, 0);
	}
	if (ELF64_R_TYPE(rel->r_info) != R_BPF_64_64)
		return fail(c, -ENOTSUP, "%s+%llu: unsupported relocation type %u",
			    where, insn, (unsigned)ELF64_R_TYPE(rel->r_info));
	if (in.code != BPF_LD_IMM64 || insn + 1 >= n_insns)
		return fail(c, -EINVAL, "%s+%llu: relocation does not patch a 64-bit load (opcode 0x%02x)",
			    where, insn, in.code);
	off = ELF64_ST_TYPE(s.st_info) == STT_SECTION ? (__u64)(__s64)in.imm :
	      s.st_value;
	if (s.st_shndx == c->maps_sec || s.st_shndx == c->legacy_sec) {
		idx = map_at(c->obj, s.st_shndx, off);
		if (idx < 0)
			return fail(c, -EINVAL, "%s+%llu: '%s' is not a map defined in %s",
				    where, insn, name, sec_name(c, s.st_shndx));
		return add_reloc(c, sec, insn, ELF_RELOC_MAP, idx, 0);
	}
	if (is_code_sec(c, s.st_shndx)) {
		/* A callback's address: imm is a byte offset. */
		target = (s.st_value + (__s64)in.imm) / 8;
		idx = (s.st_value + (__s64)in.imm) % 8 ? -1 :
		      func_at(c->obj, s.st_shndx, target);
		if (idx < 0)
			return fail(c, -EINVAL, "%s+%llu: '%s' is not the start of a function",
				    where, insn, name);
		return add_reloc(c, sec, insn, ELF_RELOC_FUNC, idx, 0);
	}
	idx = map_at(c->obj, s.st_shndx, 0);
	if (idx < 0 || c->obj->maps[idx].kind != ELF_MAP_DATA)
		return fail(c, -ENOTSUP, "%s+%llu: reference to '%s' in section %s, which is not maps, global data or code",
			    where, insn, name, sec_name(c, s.st_shndx));
	/* Global data: the symbol's offset plus the instruction's addend. */
	off = ELF64_ST_TYPE(s.st_info) == STT_SECTION ? 0 : s.st_value;
	off += (__s64)in.imm;
	if (off >= c->obj->maps[idx].value_size)
		return fail(c, -EINVAL, "%s+%llu: offset %llu beyond %s",
			    where, insn, off, c->obj->maps[idx].name);
	return add_reloc(c, sec, insn, ELF_RELOC_MAP_VALUE, idx, off);
}

/* `.values = { ... }` of a .maps definition: slot initialisers. */
static int maps_reloc(struct ctx *c, const Elf64_Rel *rel)
{
	const struct elf_map *m;
	struct elf_init *in;
	const char *name;
	Elf64_Sym s;
	__u64 off;
	int err, idx, t;
	__u32 p;

	err = sym(c, ELF64_R_SYM(rel->r_info), &s, &name);
	if (err)
		return err;
	idx = map_at(c->obj, c->maps_sec, rel->r_offset);
	if (idx < 0)
		return fail(c, -EINVAL, ".rel.maps: offset %llu is in no map",
			    (unsigned long long)rel->r_offset);
	m = &c->obj->maps[idx];
	off = rel->r_offset - m->sym_off;
	if (off < m->values_off || (off - m->values_off) % 8)
		return fail(c, -EINVAL, "map %s: initialiser outside its values", m->name);
	if (c->obj->init_cnt >= ELF_MAX_INITS)
		return fail(c, -E2BIG, "too many map initialisers (limit %d)", ELF_MAX_INITS);
	in = &c->obj->inits[c->obj->init_cnt];
	memset(in, 0, sizeof(*in));
	in->map_idx = idx;
	in->slot = (off - m->values_off) / 8;
	if (in->slot >= m->max_entries)
		return fail(c, -EINVAL, "map %s: initialiser for slot %u beyond max_entries %u",
			    m->name, in->slot, m->max_entries);
	if (s.st_shndx == c->maps_sec && m->inner_idx >= 0) {
		t = map_at(c->obj, c->maps_sec, s.st_value);
		if (t < 0)
			return fail(c, -EINVAL, "map %s: '%s' is not a map", m->name, name);
		in->target = t;
	} else if (m->inner_idx < 0 && m->type == BPF_MAP_TYPE_PROG_ARRAY) {
		for (p = 0; p < c->obj->prog_cnt; p++)
			if (c->obj->progs[p].name == name ||
			    !strcmp(c->obj->progs[p].name, name))
				break;
		if (p == c->obj->prog_cnt)
			return fail(c, -EINVAL, "map %s: '%s' is not a program", m->name, name);
		in->is_prog = 1;
		in->target = p;
	} else {
		return fail(c, -EINVAL, "map %s: initialiser '%s' fits neither map-in-map nor program array",
			    m->name, name);
	}
	c->obj->init_cnt++;
	return 0;
}

static int parse_relocs(struct ctx *c)
{
	Elf64_Shdr sh, target;
	Elf64_Rel rel;
	__u64 i, cnt;
	__u32 idx;
	int err, code;

	for (idx = 1; idx < c->shnum; idx++) {
		shdr(c, idx, &sh);
		if (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA)
			continue;
		if (sh.sh_info >= c->shnum)
			return fail(c, -EINVAL, "relocation section %s: target section %u out of range",
				    sec_name(c, idx), sh.sh_info);
		code = is_code_sec(c, sh.sh_info);
		if (!code && (sh.sh_info != c->maps_sec || c->maps_sec == NO_SEC))
			continue;	/* .rel.BTF, .rel.debug_*: not ours */
		if (sh.sh_type == SHT_RELA)
			return fail(c, -ENOTSUP, "%s: RELA relocations are not used for BPF",
				    sec_name(c, idx));
		if (sh.sh_entsize != sizeof(rel) || sh.sh_size % sizeof(rel))
			return fail(c, -EINVAL, "relocation section %s: bad entry size",
				    sec_name(c, idx));
		shdr(c, sh.sh_info, &target);
		cnt = sh.sh_size / sizeof(rel);
		for (i = 0; i < cnt; i++) {
			memcpy(&rel, c->buf + sh.sh_offset + i * sizeof(rel),
			       sizeof(rel));
			err = code ? code_reloc(c, sh.sh_info, target.sh_size / 8, &rel) :
				     maps_reloc(c, &rel);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Calls to a static function of the same section carry no relocation:
 * the immediate is already relative.  Record them like the others. */
static int implicit_calls(struct ctx *c)
{
	const struct elf_func *f;
	struct bpf_insn in;
	__u32 i, n;
	__s64 target;
	int idx, err;

	for (i = 0; i < c->obj->func_cnt; i++) {
		f = &c->obj->funcs[i];
		for (n = 0; n < f->cnt; n++) {
			memcpy(&in, (const __u8 *)f->insns + (__u64)n * 8, sizeof(in));
			if (in.code == BPF_LD_IMM64) {
				n++;	/* skip its second half */
				continue;
			}
			if (in.code != BPF_CALL_INSN || in.src_reg != BPF_PSEUDO_CALL ||
			    has_reloc(c->obj, f->sec_idx, f->off + n))
				continue;
			target = (__s64)f->off + n + in.imm + 1;
			idx = target < 0 ? -1 : func_at(c->obj, f->sec_idx, target);
			if (idx < 0)
				return fail(c, -EINVAL, "%s+%u: call does not reach the start of a function",
					    f->sec_name, f->off + n);
			err = add_reloc(c, f->sec_idx, f->off + n, ELF_RELOC_CALL, idx, 0);
			if (err)
				return err;
		}
	}
	return 0;
}

/* --- .BTF.ext ------------------------------------------------------------- */

/* Check one info area (func or line): rec_size, then blocks of records. */
static int check_ext_info(struct ctx *c, const __u8 *p, __u64 len,
			  __u32 min_rec, const char *what)
{
	__u32 rec_size, hdr[2];
	__u64 off = 4;

	if (!len)
		return 0;
	if (len < 4)
		return fail(c, -EINVAL, ".BTF.ext: %s area too short", what);
	memcpy(&rec_size, p, 4);
	if (rec_size < min_rec || rec_size % 4)
		return fail(c, -EINVAL, ".BTF.ext: bad %s record size %u", what, rec_size);
	while (off < len) {
		if (len - off < sizeof(hdr))
			return fail(c, -EINVAL, ".BTF.ext: truncated %s block", what);
		memcpy(hdr, p + off, sizeof(hdr));
		off += sizeof(hdr);
		if (!btf_name(c, hdr[0]))
			return fail(c, -EINVAL, ".BTF.ext: %s block names no section", what);
		if ((__u64)hdr[1] * rec_size > len - off)
			return fail(c, -EINVAL, ".BTF.ext: %s block beyond the area", what);
		off += (__u64)hdr[1] * rec_size;
	}
	return 0;
}

static int parse_btf_ext(struct ctx *c, const __u8 *p, __u64 len)
{
	struct btf_ext_hdr h;

	if (!c->btf)
		return 0;	/* useless without .BTF */
	if (len < sizeof(h))
		return fail(c, -EINVAL, ".BTF.ext too short");
	memcpy(&h, p, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > len)
		return fail(c, -EINVAL, ".BTF.ext: bad header");
	if ((__u64)h.func_info_off + h.func_info_len > len - h.hdr_len ||
	    (__u64)h.line_info_off + h.line_info_len > len - h.hdr_len)
		return fail(c, -EINVAL, ".BTF.ext: info beyond the section");
	if (check_ext_info(c, p + h.hdr_len + h.func_info_off, h.func_info_len,
			   sizeof(struct bpf_func_info), "func_info") ||
	    check_ext_info(c, p + h.hdr_len + h.line_info_off, h.line_info_len,
			   sizeof(struct bpf_line_info), "line_info"))
		return -EINVAL;
	c->obj->btf_ext = p;
	c->obj->btf_ext_len = len;
	return 0;
}

/* --- parse ---------------------------------------------------------------- */

static int open_ctx(struct ctx *c, const struct elf_obj *obj,
		    const void *buf, size_t len, char *err, size_t err_len)
{
	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->len = len;
	c->err = err;
	c->err_len = err_len;
	c->obj = (struct elf_obj *)obj;
	c->maps_sec = c->legacy_sec = NO_SEC;
	if (err_len)
		err[0] = 0;
	return parse_header(c);
}

int elf_parse(struct elf_obj *obj, const void *buf, size_t len, char *err,
	      size_t err_len)
{
	struct ctx c;
	Elf64_Shdr sh;
	const char *name;
	__u32 i;
	int ret;

	memset(obj, 0, offsetof(struct elf_obj, maps));
	ret = open_ctx(&c, obj, buf, len, err, err_len);
	if (ret)
		return ret;
	obj->buf = buf;
	obj->len = len;
	for (i = 1; i < c.shnum && !ret; i++) {
		shdr(&c, i, &sh);
		name = sec_name(&c, i);
		if (!strcmp(name, ".BTF") && sh.sh_type == SHT_PROGBITS) {
			ret = parse_btf_header(&c, c.buf + sh.sh_offset, sh.sh_size);
			obj->btf = c.btf;
			obj->btf_len = c.btf_len;
		} else if (!strcmp(name, ".maps")) {
			c.maps_sec = i;
		} else if (!strcmp(name, "maps")) {
			c.legacy_sec = i;
		} else if (!strcmp(name, "license")) {
			obj->license = sh.sh_type == SHT_NOBITS ? NULL :
				       str_in(c.buf + sh.sh_offset, sh.sh_size, 0);
			if (!obj->license)
				ret = fail(&c, -EINVAL, "license is not a NUL-terminated string");
		} else if (is_data_sec(name) && (sh.sh_flags & SHF_ALLOC)) {
			ret = add_data_map(&c, i, &sh);
		}
	}
	if (ret)
		return ret;
	i = find_sec(&c, ".BTF.ext");
	if (i != NO_SEC) {
		shdr(&c, i, &sh);
		ret = sh.sh_type == SHT_NOBITS ?
		      fail(&c, -EINVAL, ".BTF.ext has no data") :
		      parse_btf_ext(&c, c.buf + sh.sh_offset, sh.sh_size);
	}
	ret = ret ?: parse_btf_maps(&c) ?: parse_legacy_maps(&c) ?:
	      parse_funcs(&c);
	if (ret)
		return ret;
	if (!obj->prog_cnt)
		return fail(&c, -ENOTSUP, "no XDP program (section \"xdp\" or \"xdp/...\") in object");
	ret = parse_relocs(&c) ?: implicit_calls(&c);
	if (ret)
		return ret;
	if (!obj->license)
		obj->license = "";
	return 0;
}

/* --- lookups -------------------------------------------------------------- */

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

int elf_find_map(const struct elf_obj *obj, const char *name)
{
	__u32 i;

	for (i = 0; i < obj->map_cnt; i++)
		if (obj->maps[i].kind != ELF_MAP_INNER &&
		    !strcmp(obj->maps[i].name, name))
			return i;
	return -1;
}

int elf_find_var(const struct elf_obj *obj, const char *name,
		 __u32 *map_idx, __u32 *off, __u32 *size)
{
	const char *n;
	Elf64_Sym s;
	struct ctx c;
	__u32 i;
	int m;

	if (open_ctx(&c, obj, obj->buf, obj->len, NULL, 0))
		return -ENOENT;
	for (i = 1; i < c.sym_cnt; i++) {
		if (sym(&c, i, &s, &n) || strcmp(n, name) ||
		    ELF64_ST_TYPE(s.st_info) != STT_OBJECT)
			continue;
		m = map_at(obj, s.st_shndx, 0);
		if (m < 0 || obj->maps[m].kind != ELF_MAP_DATA ||
		    s.st_value > obj->maps[m].value_size ||
		    s.st_size > obj->maps[m].value_size - s.st_value)
			continue;
		*map_idx = m;
		*off = s.st_value;
		*size = s.st_size;
		return 0;
	}
	return -ENOENT;
}

/* --- linking -------------------------------------------------------------- */

static int seg_of(const struct elf_layout *l, __u32 func_idx)
{
	__u32 i;

	for (i = 0; i < l->seg_cnt; i++)
		if (l->segs[i].func_idx == func_idx)
			return i;
	return -1;
}

int elf_layout(const struct elf_obj *obj, const struct elf_prog *prog,
	       struct elf_layout *l, char *err, size_t err_len)
{
	struct ctx c = { .err = err, .err_len = err_len };
	const struct elf_func *f;
	const struct elf_reloc *r;
	__u32 s, i;

	l->seg_cnt = 1;
	l->segs[0].func_idx = prog->func_idx;
	l->segs[0].pos = 0;
	l->insn_cnt = obj->funcs[prog->func_idx].cnt;
	for (s = 0; s < l->seg_cnt; s++) {
		f = &obj->funcs[l->segs[s].func_idx];
		for (i = 0; i < obj->reloc_cnt && !f->replaced; i++) {
			r = &obj->relocs[i];
			if (r->sec_idx != f->sec_idx || r->insn < f->off ||
			    r->insn - f->off >= f->cnt)
				continue;
			if (r->kind != ELF_RELOC_CALL && r->insn + 1 - f->off >= f->cnt)
				return fail(&c, -EINVAL, "%s: 64-bit load at the end of function %s",
					    f->sec_name, f->name);
			if ((r->kind != ELF_RELOC_CALL && r->kind != ELF_RELOC_FUNC) ||
			    seg_of(l, r->target) >= 0)
				continue;
			if (l->seg_cnt >= ELF_MAX_SEGS)
				return fail(&c, -E2BIG, "program %s calls too many functions (limit %d)",
					    prog->name, ELF_MAX_SEGS);
			if (l->insn_cnt + obj->funcs[r->target].cnt > BPF_MAXINSNS * 256u)
				return fail(&c, -E2BIG, "program %s too large", prog->name);
			l->segs[l->seg_cnt].func_idx = r->target;
			l->segs[l->seg_cnt].pos = l->insn_cnt;
			l->insn_cnt += obj->funcs[r->target].cnt;
			l->seg_cnt++;
		}
	}
	return 0;
}

void elf_link(const struct elf_obj *obj, const struct elf_layout *l,
	      const int *map_fds, struct bpf_insn *insns)
{
	const struct elf_func *f;
	const struct elf_reloc *r;
	struct bpf_insn *in;
	__u32 s, i;

	for (s = 0; s < l->seg_cnt; s++) {
		f = &obj->funcs[l->segs[s].func_idx];
		memcpy(insns + l->segs[s].pos, f->insns, (size_t)f->cnt * 8);
	}
	for (s = 0; s < l->seg_cnt; s++) {
		f = &obj->funcs[l->segs[s].func_idx];
		for (i = 0; i < obj->reloc_cnt && !f->replaced; i++) {
			r = &obj->relocs[i];
			if (r->sec_idx != f->sec_idx || r->insn < f->off ||
			    r->insn - f->off >= f->cnt)
				continue;
			in = insns + l->segs[s].pos + (r->insn - f->off);
			switch (r->kind) {
			case ELF_RELOC_MAP:
				in->src_reg = BPF_PSEUDO_MAP_FD;
				in->imm = map_fds[r->target];
				break;
			case ELF_RELOC_MAP_VALUE:
				in->src_reg = BPF_PSEUDO_MAP_VALUE;
				in->imm = map_fds[r->target];
				in[1].imm = r->off;
				break;
			case ELF_RELOC_FUNC:
				in->src_reg = BPF_PSEUDO_FUNC;
				in[1].imm = 0;
				/* fall through */
			case ELF_RELOC_CALL:
				in->imm = l->segs[seg_of(l, r->target)].pos -
					  (in - insns) - 1;
				break;
			}
		}
	}
}

/*
 * Walk the func_info (kind 0) or line_info (kind 1) records of .BTF.ext
 * that fall in the layout's functions, in layout order.
 */
static __u32 ext_info(const struct elf_obj *obj, const struct elf_layout *l,
		      int kind, void *out, __u32 cnt)
{
	struct btf_ext_hdr h;
	struct ctx c;
	const struct elf_func *f;
	const __u8 *p;
	const char *sec;
	__u32 rec_size, hdr[2], s, j, n = 0, insn;
	__u64 len, off, rec_len = kind ? sizeof(struct bpf_line_info) :
				      sizeof(struct bpf_func_info);

	if (!obj->btf_ext)
		return 0;
	memset(&c, 0, sizeof(c));
	parse_btf_header(&c, obj->btf, obj->btf_len);	/* checked before */
	memcpy(&h, obj->btf_ext, sizeof(h));
	p = obj->btf_ext + h.hdr_len + (kind ? h.line_info_off : h.func_info_off);
	len = kind ? h.line_info_len : h.func_info_len;
	if (len < 4)
		return 0;
	memcpy(&rec_size, p, 4);
	for (s = 0; s < l->seg_cnt; s++) {
		f = &obj->funcs[l->segs[s].func_idx];
		for (off = 4; off < len; off += (__u64)hdr[1] * rec_size) {
			memcpy(hdr, p + off, sizeof(hdr));
			off += sizeof(hdr);
			sec = btf_name(&c, hdr[0]);
			if (!sec || strcmp(sec, f->sec_name))
				continue;
			for (j = 0; j < hdr[1]; j++) {
				memcpy(&insn, p + off + (__u64)j * rec_size, 4);
				if (insn % 8 || insn / 8 < f->off ||
				    insn / 8 - f->off >= f->cnt ||
				    (f->replaced && insn / 8 != f->off))
					continue;
				if (out && n < cnt) {
					__u8 *dst = (__u8 *)out + n * rec_len;

					memcpy(dst, p + off + (__u64)j * rec_size, rec_len);
					insn = l->segs[s].pos + insn / 8 - f->off;
					memcpy(dst, &insn, 4);
				}
				n++;
			}
		}
	}
	return n;
}

__u32 elf_func_info(const struct elf_obj *obj, const struct elf_layout *l,
		    struct bpf_func_info *out, __u32 cnt)
{
	return ext_info(obj, l, 0, out, cnt);
}

__u32 elf_line_info(const struct elf_obj *obj, const struct elf_layout *l,
		    struct bpf_line_info *out, __u32 cnt)
{
	return ext_info(obj, l, 1, out, cnt);
}

/* --- BTF fix-up ------------------------------------------------------------ */

void elf_btf_fixup(const struct elf_obj *obj, void *btf)
{
	struct btf_type ds, var;
	struct btf_var_secinfo a, b;
	__u8 *w = btf;
	struct ctx c;
	const char *name;
	Elf64_Shdr sh;
	__u32 id = 0, sec, i, j, off, len;
	__u64 p;

	if (!obj->btf || open_ctx(&c, obj, obj->buf, obj->len, NULL, 0) ||
	    parse_btf_header(&c, btf, obj->btf_len))
		return;
	while ((p = btf_walk(&c, 0, &ds, &id))) {
		name = btf_name(&c, ds.name_off);
		sec = name ? find_sec(&c, name) : NO_SEC;
		if (sec == NO_SEC)
			continue;
		shdr(&c, sec, &sh);
		ds.size = sh.sh_size;
		memcpy(w + p - sizeof(ds), &ds, sizeof(ds));
		for (i = 0; i < btf_vlen(&ds); i++) {
			memcpy(&a, w + p + i * sizeof(a), sizeof(a));
			if (!btf_type(&c, a.type, &var) || btf_kind(&var) != BTF_KIND_VAR)
				continue;
			name = btf_name(&c, var.name_off);
			if (name && !sym_extent(&c, sec, name, &off, &len)) {
				a.offset = off;
				memcpy(w + p + i * sizeof(a), &a, sizeof(a));
			}
		}
		/* The kernel wants them in offset order. */
		for (i = 1; i < btf_vlen(&ds); i++)
			for (j = i; j > 0; j--) {
				memcpy(&a, w + p + (j - 1) * sizeof(a), sizeof(a));
				memcpy(&b, w + p + j * sizeof(b), sizeof(b));
				if (a.offset <= b.offset)
					break;
				memcpy(w + p + (j - 1) * sizeof(a), &b, sizeof(b));
				memcpy(w + p + j * sizeof(a), &a, sizeof(a));
			}
	}
}
