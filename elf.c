// SPDX-License-Identifier: GPL-2.0
/*
 * elf.c - the ELF reading half of the loader (see elf.h).
 *
 * Every read of the object goes through at(), which checks the range
 * without overflow, and structures are copied out with memcpy so that
 * odd offsets cannot cause unaligned access.  The BTF inside is read
 * through btf.c, which checks its own reads the same way.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bpf.h"
#include "btf.h"
#include "elf.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64	1
#define R_BPF_64_ABS64	2
#define R_BPF_64_32	10
#define BPF_LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define BPF_CALL_INSN	(BPF_JMP | BPF_CALL)
#define NO_SEC		0xffffffffu
#define CORE_REC_MIN	16	/* struct bpf_core_relo */

/* .BTF.ext's header; core_relo_* only if hdr_len covers them. */
struct btf_ext_hdr {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
	__u32 core_relo_off;
	__u32 core_relo_len;
};
#define BTF_EXT_HDR_MIN	offsetof(struct btf_ext_hdr, core_relo_off)

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
	struct btf btf;		/* .BTF, if has_btf */
	int has_btf;
	const __u8 *core;	/* .BTF.ext's CO-RE area, core_len bytes */
	__u32 core_len;
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

/*
 * Section idx is one the loader reads (a compressed one is refused; the
 * DWARF that clang -gz compresses is not read).  Relocation sections
 * are checked where their target is known (parse_relocs).
 */
static int is_read(const struct ctx *c, __u32 idx, const Elf64_Shdr *sh)
{
	static const char *const names[] = { ".BTF", ".BTF.ext", ".maps", "maps",
					     "license" };
	const char *n = sec_name(c, idx);
	size_t i;

	if ((sh->sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) ||
	    sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_STRTAB)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i]))
			return 1;
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
		if ((sh.sh_flags & SHF_COMPRESSED) && is_read(c, i, &sh))
			return fail(c, -ENOTSUP, "section %s is compressed; only debug sections may be (rebuild without --compress-debug-sections)",
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

/* --- BTF (read through btf.c) -------------------------------------------- */

static int open_btf(struct ctx *c, const __u8 *p, __u64 len)
{
	char e[200];
	int ret;

	ret = btf_open(&c->btf, p, len, NULL, e, sizeof(e));
	if (ret)
		return fail(c, ret, ".%s", e);	/* "BTF: ..." */
	c->has_btf = 1;
	return 0;
}

static const char *bname(const struct ctx *c, __u32 off)
{
	return c->has_btf ? btf_str(&c->btf, off) : NULL;
}

/* Type id through typedefs and qualifiers: its id and header. */
static int resolve(struct ctx *c, __u32 id, __u32 *out, struct btf_type *t)
{
	if (id && (btf_skip(&c->btf, id, 1, out) || btf_type(&c->btf, *out, t)))
		return fail(c, -EINVAL, ".BTF: type %u does not exist, or its typedefs and qualifiers go deeper than %d",
			    id, BTF_MAX_DEPTH);
	if (!id || !*out)
		return fail(c, -EINVAL, ".BTF: reference to type 0 (void) where a type is needed");
	return 0;
}

static int type_size(struct ctx *c, __u32 id, __u64 *size)
{
	__u32 rid;
	struct btf_type t;

	if (resolve(c, id, &rid, &t))
		return -EINVAL;
	if (btf_size(&c->btf, id, size))
		return fail(c, -EINVAL, ".BTF: type %u (kind %u) has no size", id, btf_kind(&t));
	return 0;
}

/* The DATASEC called name: its id, or 0. */
static __u32 find_datasec(const struct ctx *c, const char *name)
{
	int id = c->has_btf ? btf_find(&c->btf, name, BTF_KIND_DATASEC) : -ENOENT;

	return id > 0 ? id : 0;
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
	__u32 id, inner_id;

	if (resolve(c, mb->type, &id, &t))
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_ARRAY || btf_array(&c->btf, id, &a))
		return fail(c, -EINVAL, "map %s: values is not an array", m->name);
	if (resolve(c, a.type, &id, &t))
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_PTR)
		return fail(c, -EINVAL, "map %s: values are not pointers", m->name);
	if (resolve(c, t.type, &inner_id, &t))
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
	const char *an = bname(c, mb->name_off);
	__u64 size;
	__u32 *dst, id;

	if (!an)
		return fail(c, -EINVAL, "map %s: attribute name outside .BTF strings", m->name);
	if (!strcmp(an, "values"))
		return parse_values(c, m, mb, depth);
	if (resolve(c, mb->type, &id, &t))
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_PTR)
		return fail(c, -EINVAL, "map %s: attribute %s is not a __uint/__type pointer",
			    m->name, an);
	if (!strcmp(an, "key") || !strcmp(an, "value")) {
		if (type_size(c, t.type, &size))
			return -EINVAL;
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
	if (resolve(c, t.type, &id, &t))
		return -EINVAL;
	if (btf_kind(&t) != BTF_KIND_ARRAY || btf_array(&c->btf, id, &a))
		return fail(c, -EINVAL, "map %s: attribute %s is not __uint()", m->name, an);
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
	__u32 j, id;
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
	if (resolve(c, struct_id, &id, &st))
		return -EINVAL;
	if (btf_kind(&st) != BTF_KIND_STRUCT)
		return fail(c, -EINVAL, "map %s: definition is not a struct", m->name);
	for (j = 0; j < btf_vlen(&st); j++) {
		if (btf_member(&c->btf, id, j, &mb))
			return fail(c, -EINVAL, "map %s: bad member %u", m->name, j);
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
	__u32 i, ds_id;
	int err;

	if (c->maps_sec == NO_SEC)
		return 0;
	if (!c->has_btf)
		return fail(c, -ENOTSUP, ".maps needs .BTF (build the object with clang -g)");
	ds_id = find_datasec(c, ".maps");
	if (!ds_id || btf_type(&c->btf, ds_id, &ds))
		return fail(c, -EINVAL, ".BTF: no DATASEC for .maps");
	for (i = 0; i < btf_vlen(&ds); i++) {
		btf_secinfo(&c->btf, ds_id, i, &vi);
		if (!vi.type || btf_type(&c->btf, vi.type, &var))
			return fail(c, -EINVAL, ".maps entry %u: bad type %u", i, vi.type);
		if (btf_kind(&var) != BTF_KIND_VAR)
			return fail(c, -EINVAL, ".maps entry %u is not a variable", i);
		name = bname(c, var.name_off);
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

/* --- externs -------------------------------------------------------------- */

static int find_extern(const struct elf_obj *obj, const char *name)
{
	__u32 i;

	for (i = 0; i < obj->extern_cnt; i++)
		if (!strcmp(obj->externs[i].name, name))
			return i;
	return -1;
}

/* The VAR or FUNC called name in DATASEC ds_id: its id, or 0. */
static __u32 datasec_entry(const struct ctx *c, __u32 ds_id, const char *name)
{
	struct btf_var_secinfo vi;
	struct btf_type t;
	const char *n;
	__u32 i;

	for (i = 0; ds_id && !btf_secinfo(&c->btf, ds_id, i, &vi); i++) {
		if (btf_type(&c->btf, vi.type, &t) ||
		    (btf_kind(&t) != BTF_KIND_VAR && btf_kind(&t) != BTF_KIND_FUNC))
			continue;
		n = bname(c, t.name_off);
		if (n && !strcmp(n, name))
			return vi.type;
	}
	return 0;
}

/* A __kconfig value's alignment: its scalar's size (char arrays: 1). */
static int kconfig_align(struct ctx *c, const struct elf_extern *e, __u32 *align)
{
	struct btf_type t;
	struct btf_array a;
	__u32 id = e->type_id;
	__u64 size;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (resolve(c, id, &id, &t))
			return -EINVAL;
		if (btf_kind(&t) != BTF_KIND_ARRAY)
			break;
		btf_array(&c->btf, id, &a);
		id = a.type;
	}
	if (btf_kind(&t) != BTF_KIND_INT && btf_kind(&t) != BTF_KIND_ENUM &&
	    btf_kind(&t) != BTF_KIND_ENUM64)
		return fail(c, -ENOTSUP, "extern %s (__kconfig): want an integer, bool, enum or char array",
			    e->name);
	if (btf_size(&c->btf, id, &size) || !size || size > 8 || (size & (size - 1)))
		return fail(c, -ENOTSUP, "extern %s (__kconfig): integer of %llu bytes",
			    e->name, (unsigned long long)size);
	*align = size;
	return 0;
}

/*
 * The .kconfig map: its externs laid out largest alignment first, then
 * smallest first, then by name (the order libbpf uses, so that the
 * kernel holds the same program).
 */
static int layout_kconfig(struct ctx *c)
{
	struct elf_extern *e, *best;
	struct btf_type ds;
	struct elf_map *m;
	__u32 i, n = 0, off = 0, align[ELF_MAX_EXTERNS], best_align = 0;
	__u8 done[ELF_MAX_EXTERNS] = { 0 };

	for (i = 0; i < c->obj->extern_cnt; i++) {
		e = &c->obj->externs[i];
		if (e->kind != ELF_EXT_KCONFIG)
			continue;
		n++;
		if (kconfig_align(c, e, &align[i]))
			return -EINVAL;
	}
	if (!n)
		return 0;
	while (n--) {
		best = NULL;
		for (i = 0; i < c->obj->extern_cnt; i++) {
			e = &c->obj->externs[i];
			if (e->kind != ELF_EXT_KCONFIG || done[i])
				continue;
			if (!best || align[i] > best_align ||
			    (align[i] == best_align && e->size < best->size) ||
			    (align[i] == best_align && e->size == best->size &&
			     strcmp(e->name, best->name) < 0)) {
				best = e;
				best_align = align[i];
			}
		}
		done[best - c->obj->externs] = 1;
		off = (off + best_align - 1) / best_align * best_align;
		best->off = off;
		off += best->size;
	}
	/* its name from .BTF's DATASEC: results point into the object */
	btf_type(&c->btf, find_datasec(c, ".kconfig"), &ds);
	m = new_map(c, bname(c, ds.name_off), ELF_MAP_DATA);
	if (!m)
		return -E2BIG;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (off + 7) / 8 * 8;
	m->max_entries = 1;
	m->map_flags = BPF_F_RDONLY_PROG;
	m->sec_idx = NO_SEC;
	c->obj->kconfig_map = m - c->obj->maps;
	return 0;
}

/*
 * Externs: undefined global symbols, each declared __kconfig (a VAR in
 * .BTF's DATASEC .kconfig) or __ksym (a VAR or FUNC in .ksyms).
 */
static int parse_externs(struct ctx *c)
{
	__u32 i, id, kind, kc = find_datasec(c, ".kconfig"), ks = find_datasec(c, ".ksyms");
	struct elf_extern *e;
	struct btf_type t;
	const char *name;
	Elf64_Sym s;
	__u64 size;
	int err;

	for (i = 1; i < c->sym_cnt; i++) {
		err = sym(c, i, &s, &name);
		if (err)
			return err;
		if (s.st_shndx != SHN_UNDEF || !*name ||
		    (ELF64_ST_BIND(s.st_info) != STB_GLOBAL &&
		     ELF64_ST_BIND(s.st_info) != STB_WEAK) ||
		    find_extern(c->obj, name) >= 0)
			continue;
		if (!c->has_btf)
			return fail(c, -ENOTSUP, "extern '%s' needs .BTF (declare it __kconfig or __ksym and build with clang -g)",
				    name);
		id = datasec_entry(c, kc, name);
		kind = id ? ELF_EXT_KCONFIG : ELF_EXT_KSYM;
		if (!id)
			id = datasec_entry(c, ks, name);
		if (!id)
			return fail(c, -ENOTSUP, "extern '%s' is neither __kconfig nor __ksym (not in .BTF's .kconfig or .ksyms)",
				    name);
		if (c->obj->extern_cnt >= ELF_MAX_EXTERNS)
			return fail(c, -E2BIG, "too many externs (limit %d)", ELF_MAX_EXTERNS);
		e = &c->obj->externs[c->obj->extern_cnt++];
		memset(e, 0, sizeof(*e));
		btf_type(&c->btf, id, &t);
		e->name = name;
		e->kind = kind;
		e->weak = ELF64_ST_BIND(s.st_info) == STB_WEAK;
		e->is_func = btf_kind(&t) == BTF_KIND_FUNC;
		e->btf_id = id;
		e->type_id = t.type;
		if (e->kind != ELF_EXT_KCONFIG)
			continue;
		if (e->is_func)
			return fail(c, -EINVAL, "extern %s: a function in .kconfig", name);
		if (type_size(c, e->type_id, &size))
			return -EINVAL;
		if (!size || size > 4096)
			return fail(c, -ENOTSUP, "extern %s (__kconfig): %llu bytes", name,
				    (unsigned long long)size);
		e->size = size;
	}
	return layout_kconfig(c);
}

/* --- functions, programs ---------------------------------------------------- */

/* A section named as XDP programs are: libbpf's xdp, xdp/..., xdp.frags
 * and xdp.frags/..., iproute2's xdp_... and its default, prog. */
static int is_conv_sec(const char *name)
{
	return !strcmp(name, "xdp") || !strncmp(name, "xdp/", 4) ||
	       !strncmp(name, "xdp.frags", 9) || !strncmp(name, "xdp_", 4) ||
	       !strcmp(name, "prog");
}

/*
 * What libbpf's section names ask of the load: xdp.frags[/...] multi-
 * buffer frames; xdp/devmap, xdp/cpumap (and their .frags and older
 * xdp_devmap/, xdp_cpumap/ forms) the attach type of programs that run
 * on those maps' entries.
 */
static void prog_kind(const char *sec, struct elf_prog *pr)
{
	const char *sub = strchr(sec, '/');
	size_t base = sub ? (size_t)(sub - sec) : strlen(sec);

	pr->type = BPF_PROG_TYPE_XDP;
	pr->flags = base == 9 && !strncmp(sec, "xdp.frags", 9) ? BPF_F_XDP_HAS_FRAGS : 0;
	pr->attach_type = 0;
	/* TC classifiers (libbpf's and iproute2's names), tracing */
	if ((base == 2 && !strncmp(sec, "tc", 2)) ||
	    (base == 10 && !strncmp(sec, "classifier", 10)) ||
	    !strcmp(sec, "tcx/ingress") || !strcmp(sec, "tcx/egress")) {
		pr->type = BPF_PROG_TYPE_SCHED_CLS;
		if (!strcmp(sec, "tcx/ingress"))
			pr->attach_type = TI_BPF_TCX_INGRESS;
		else if (!strcmp(sec, "tcx/egress"))
			pr->attach_type = TI_BPF_TCX_EGRESS;
		return;
	}
	if ((base == 6 && !strncmp(sec, "fentry", 6)) ||
	    (base == 5 && !strncmp(sec, "fexit", 5))) {
		pr->type = BPF_PROG_TYPE_TRACING;
		pr->attach_type = base == 6 ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT;
		return;
	}
	if (!strncmp(sec, "xdp_devmap/", 11) ||
	    (sub && !strcmp(sub, "/devmap") && (base == 3 || pr->flags) && !strncmp(sec, "xdp", 3)))
		pr->attach_type = BPF_XDP_DEVMAP;
	else if (!strncmp(sec, "xdp_cpumap/", 11) ||
		 (sub && !strcmp(sub, "/cpumap") && (base == 3 || pr->flags) && !strncmp(sec, "xdp", 3)))
		pr->attach_type = BPF_XDP_CPUMAP;
}

/* Any executable section holds functions; those outside .text may be
 * programs, whatever the section's name. */
static int is_code_sec(struct ctx *c, __u32 idx)
{
	Elf64_Shdr sh;

	if (idx >= c->shnum)
		return 0;
	shdr(c, idx, &sh);
	return sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR);
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
		if (!strcmp(f->sec_name, ".text") || bind == STB_LOCAL)
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
		pr->conv = is_conv_sec(f->sec_name);
		prog_kind(f->sec_name, pr);
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

/* A relocation against extern e (an undefined symbol). */
static int extern_reloc(struct ctx *c, __u32 sec, __u64 insn,
			const struct bpf_insn *in, __u32 type, __u64 n_insns,
			int e_idx)
{
	const struct elf_extern *e = &c->obj->externs[e_idx];
	const char *where = sec_name(c, sec);
	__u64 off;

	if (type == R_BPF_64_32) {
		if (in->code != BPF_CALL_INSN || in->src_reg != BPF_PSEUDO_CALL ||
		    e->kind != ELF_EXT_KSYM || !e->is_func)
			return fail(c, -EINVAL, "%s+%llu: call relocation for '%s', which is not a kernel function (__ksym) called",
				    where, insn, e->name);
		return add_reloc(c, sec, insn, ELF_RELOC_KFUNC, e_idx, 0);
	}
	if (type != R_BPF_64_64)
		return fail(c, -ENOTSUP, "%s+%llu: unsupported relocation type %u",
			    where, insn, type);
	if (in->code != BPF_LD_IMM64 || insn + 1 >= n_insns)
		return fail(c, -EINVAL, "%s+%llu: relocation does not patch a 64-bit load (opcode 0x%02x)",
			    where, insn, in->code);
	if (e->kind == ELF_EXT_KSYM)
		return add_reloc(c, sec, insn, ELF_RELOC_KSYM, e_idx, 0);
	off = e->off + (__s64)in->imm;
	if (off >= c->obj->maps[c->obj->kconfig_map].value_size)
		return fail(c, -EINVAL, "%s+%llu: offset %lld from '%s' beyond .kconfig",
			    where, insn, (long long)in->imm, e->name);
	return add_reloc(c, sec, insn, ELF_RELOC_MAP_VALUE, c->obj->kconfig_map, off);
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
	if (s.st_shndx == SHN_UNDEF) {
		idx = *name ? find_extern(c->obj, name) : -1;
		if (idx < 0)
			return fail(c, -EINVAL, "%s+%llu: relocation against undefined symbol '%s'",
				    where, insn, name);
		return extern_reloc(c, sec, insn, &in, ELF64_R_TYPE(rel->r_info),
				    n_insns, idx);
	}
	if (s.st_shndx >= c->shnum)
		return fail(c, -EINVAL, "%s+%llu: symbol '%s' in bad section %u",
			    where, insn, name, s.st_shndx);
	/* A section's symbol has no name: say the section's. */
	if (!*name)
		name = sec_name(c, s.st_shndx);
	if (ELF64_R_TYPE(rel->r_info) == R_BPF_64_32) {
		if (in.code != BPF_CALL_INSN || in.src_reg != BPF_PSEUDO_CALL)
			return fail(c, -EINVAL, "%s+%llu: call relocation on a non-call instruction",
				    where, insn);
		/* imm counts from the symbol: -1 for a function symbol. */
		target = s.st_value / 8 + (__s64)in.imm + 1;
		idx = s.st_value % 8 ? -1 : func_at(c->obj, s.st_shndx, target);
		if (idx < 0)
			return fail(c, -EINVAL, "%s+%llu: call to '%s'%s does not reach the start of a function",
				    where, insn, name,
				    is_code_sec(c, s.st_shndx) ? "" : " (not an executable section)");
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
		if (sh.sh_flags & SHF_COMPRESSED)
			return fail(c, -ENOTSUP, "section %s is compressed; only debug sections may be (rebuild without --compress-debug-sections)",
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
		if (!bname(c, hdr[0]))
			return fail(c, -EINVAL, ".BTF.ext: %s block names no section", what);
		if ((__u64)hdr[1] * rec_size > len - off)
			return fail(c, -EINVAL, ".BTF.ext: %s block beyond the area", what);
		off += (__u64)hdr[1] * rec_size;
	}
	return 0;
}

/* .BTF.ext's header: the fields hdr_len covers, the rest zero. */
static void ext_hdr(const __u8 *p, __u64 len, struct btf_ext_hdr *h)
{
	__u32 hdr_len;

	memset(h, 0, sizeof(*h));
	memcpy(&hdr_len, p + 4, 4);	/* len >= BTF_EXT_HDR_MIN: checked */
	if (hdr_len > len)
		hdr_len = len;
	memcpy(h, p, hdr_len < sizeof(*h) ? hdr_len : sizeof(*h));
}

static int parse_btf_ext(struct ctx *c, const __u8 *p, __u64 len)
{
	struct btf_ext_hdr h;

	if (!c->has_btf)
		return 0;	/* useless without .BTF */
	if (len < BTF_EXT_HDR_MIN)
		return fail(c, -EINVAL, ".BTF.ext too short");
	ext_hdr(p, len, &h);
	if (h.magic != BTF_MAGIC || h.hdr_len < BTF_EXT_HDR_MIN || h.hdr_len > len)
		return fail(c, -EINVAL, ".BTF.ext: bad header");
	if ((__u64)h.func_info_off + h.func_info_len > len - h.hdr_len ||
	    (__u64)h.line_info_off + h.line_info_len > len - h.hdr_len ||
	    (__u64)h.core_relo_off + h.core_relo_len > len - h.hdr_len)
		return fail(c, -EINVAL, ".BTF.ext: info beyond the section");
	if (check_ext_info(c, p + h.hdr_len + h.func_info_off, h.func_info_len,
			   sizeof(struct bpf_func_info), "func_info") ||
	    check_ext_info(c, p + h.hdr_len + h.line_info_off, h.line_info_len,
			   sizeof(struct bpf_line_info), "line_info") ||
	    check_ext_info(c, p + h.hdr_len + h.core_relo_off, h.core_relo_len,
			   CORE_REC_MIN, "CO-RE relocation"))
		return -EINVAL;
	c->obj->btf_ext = p;
	c->obj->btf_ext_len = len;
	c->core = p + h.hdr_len + h.core_relo_off;
	c->core_len = h.core_relo_len;
	return 0;
}

/* The CO-RE relocations (checked by check_ext_info), once the
 * functions are known: each must be at an instruction of one. */
static int parse_core(struct ctx *c)
{
	struct elf_core *r;
	Elf64_Shdr sh;
	const char *name, *access;
	__u32 rec_size, hdr[2], rec[4], j, sec;
	__u64 off = 4;

	if (c->core_len < 4)
		return 0;
	memcpy(&rec_size, c->core, 4);
	for (; off < c->core_len; off += (__u64)hdr[1] * rec_size) {
		memcpy(hdr, c->core + off, sizeof(hdr));
		off += sizeof(hdr);
		name = bname(c, hdr[0]);
		sec = find_sec(c, name);
		if (hdr[1] && (sec == NO_SEC || !is_code_sec(c, sec)))
			return fail(c, -EINVAL, ".BTF.ext: CO-RE relocations for %s, which is no executable section",
				    name);
		for (j = 0; j < hdr[1]; j++) {
			memcpy(rec, c->core + off + (__u64)j * rec_size, sizeof(rec));
			shdr(c, sec, &sh);
			if (rec[0] % 8 || rec[0] / 8 >= sh.sh_size / 8 ||
			    func_of(c->obj, sec, rec[0] / 8) < 0)
				return fail(c, -EINVAL, ".BTF.ext: CO-RE relocation at %s offset %u is at no instruction of a function",
					    name, rec[0]);
			access = bname(c, rec[2]);
			if (!access)
				return fail(c, -EINVAL, ".BTF.ext: CO-RE relocation at %s+%u: access string outside .BTF strings",
					    name, rec[0] / 8);
			if (rec[3] > BPF_CORE_TYPE_MATCHES)
				return fail(c, -ENOTSUP, "%s+%u: CO-RE relocation of unknown kind %u",
					    name, rec[0] / 8, rec[3]);
			if (c->obj->core_cnt >= ELF_MAX_CORE)
				return fail(c, -E2BIG, "too many CO-RE relocations (limit %d)",
					    ELF_MAX_CORE);
			r = &c->obj->core[c->obj->core_cnt++];
			r->sec_idx = sec;
			r->insn = rec[0] / 8;
			r->type_id = rec[1];
			r->access = access;
			r->kind = rec[3];
		}
	}
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
	obj->kconfig_map = -1;
	ret = open_ctx(&c, obj, buf, len, err, err_len);
	if (ret)
		return ret;
	obj->buf = buf;
	obj->len = len;
	for (i = 1; i < c.shnum && !ret; i++) {
		shdr(&c, i, &sh);
		name = sec_name(&c, i);
		if (!strcmp(name, ".BTF") && sh.sh_type == SHT_PROGBITS) {
			ret = open_btf(&c, c.buf + sh.sh_offset, sh.sh_size);
			obj->btf = c.buf + sh.sh_offset;
			obj->btf_len = sh.sh_size;
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
	      parse_externs(&c) ?: parse_funcs(&c);
	if (ret)
		return ret;
	if (!obj->prog_cnt)
		return fail(&c, -ENOTSUP, "no program (a global function in an executable section other than .text) in object");
	ret = parse_relocs(&c) ?: implicit_calls(&c) ?: parse_core(&c);
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
		if (name ? !strcmp(obj->progs[i].sec_name, name) ||
			   !strcmp(obj->progs[i].name, name) : obj->progs[i].conv)
			return &obj->progs[i];
	return !name && obj->prog_cnt ? &obj->progs[0] : NULL;
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
			if (r->kind != ELF_RELOC_CALL && r->kind != ELF_RELOC_KFUNC &&
			    r->insn + 1 - f->off >= f->cnt)
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
			case ELF_RELOC_KFUNC:
			case ELF_RELOC_KSYM:
				break;	/* elf_patch(), once resolved */
			}
		}
	}
}

static int is_exists_kind(__u32 kind)
{
	return kind == BPF_CORE_FIELD_EXISTS || kind == BPF_CORE_TYPE_EXISTS ||
	       kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_TYPE_MATCHES;
}

/* Bytes of a load or store's BPF_SIZE, and back. */
static __u32 mem_bytes(__u8 code)
{
	static const __u8 bytes[4] = { 4, 2, 1, 8 };	/* W, H, B, DW */

	return bytes[BPF_SIZE(code) >> 3];
}

static __u8 mem_size(__u32 bytes)
{
	return bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : bytes == 4 ? BPF_W : BPF_DW;
}

int elf_core_fix(const struct elf_obj *obj, __u32 idx,
		 const struct btf_core_res *res, struct elf_core_fix *fix,
		 char *err, size_t err_len)
{
	struct ctx c = { .err = err, .err_len = err_len };
	const struct elf_core *r = &obj->core[idx];
	const struct elf_func *f;
	struct bpf_insn *in = fix->insn;
	__u64 val = res->found ? res->target_val : 0, cur;
	__u64 local_val = res->local_val;
	__u8 cls;
	int fi;

	memset(fix, 0, sizeof(*fix));
	fi = func_of(obj, r->sec_idx, r->insn);
	if (fi < 0 || obj->funcs[fi].replaced)
		return 0;	/* the code is gone: nothing to patch */
	f = &obj->funcs[fi];
	memcpy(&in[0], (const __u8 *)f->insns + (__u64)(r->insn - f->off) * 8, 8);
	fix->cnt = 1;
	cls = BPF_CLASS(in[0].code);
	if (in[0].code == BPF_LD_IMM64) {
		if (r->insn + 1 - f->off >= f->cnt)
			return fail(&c, -EINVAL, "64-bit load at the end of function %s", f->name);
		memcpy(&in[1], (const __u8 *)f->insns + (__u64)(r->insn + 1 - f->off) * 8, 8);
		fix->cnt = 2;
	}
	if (!res->found && !is_exists_kind(r->kind))
		goto poison;
	if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(in[0].code) == BPF_K) {
		if (res->validate && (__u32)in[0].imm != (__u32)local_val)
			return fail(&c, -EINVAL, "the instruction holds %d, not %llu",
				    in[0].imm, (unsigned long long)local_val);
		if ((__s64)val < -0x80000000ll || (__s64)val > 0xffffffffll)
			return fail(&c, -EINVAL, "%llu does not fit the instruction",
				    (unsigned long long)val);
		in[0].imm = (__s32)val;
		return 0;
	}
	if ((cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) &&
	    BPF_MODE(in[0].code) == BPF_MEM) {
		if (r->kind != BPF_CORE_FIELD_BYTE_OFFSET)
			return fail(&c, -EINVAL, "a load or store holds no %s",
				    r->kind <= BPF_CORE_TYPE_MATCHES ? "such value" : "value");
		if (res->validate && in[0].off != (__s64)local_val)
			return fail(&c, -EINVAL, "the instruction's offset is %d, not %llu",
				    in[0].off, (unsigned long long)local_val);
		if (val > 0x7fff)
			return fail(&c, -EINVAL, "offset %llu does not fit the instruction",
				    (unsigned long long)val);
		in[0].off = val;
		if (!res->found || res->local_sz == res->target_sz || !res->validate)
			return 0;
		if (mem_bytes(in[0].code) != res->local_sz)
			return fail(&c, -EINVAL, "a %u-byte access to a %u-byte field",
				    mem_bytes(in[0].code), res->local_sz);
		if (!res->sz_fixable || !res->target_sz || res->target_sz > 8 ||
		    (res->target_sz & (res->target_sz - 1)))
			goto poison;	/* the field changed in a way a width cannot follow */
		in[0].code = BPF_CLASS(in[0].code) | BPF_MODE(in[0].code) |
			     mem_size(res->target_sz);
		return 0;
	}
	if (in[0].code == BPF_LD_IMM64) {
		cur = (__u32)in[0].imm | (__u64)(__u32)in[1].imm << 32;
		if (res->validate && cur != local_val)
			return fail(&c, -EINVAL, "the instruction holds %llu, not %llu",
				    (unsigned long long)cur, (unsigned long long)local_val);
		in[0].imm = (__u32)val;
		in[1].imm = val >> 32;
		return 0;
	}
	return fail(&c, -EINVAL, "instruction 0x%02x cannot hold a CO-RE value", in[0].code);
poison:
	in[0] = (struct bpf_insn){ .code = BPF_CALL_INSN, .imm = ELF_CORE_POISON + idx };
	in[1] = in[0];
	fix->poisoned = 1;
	return 0;
}

void elf_patch(const struct elf_obj *obj, const struct elf_layout *l,
	       const struct elf_core_fix *core, const struct elf_ext_val *ext,
	       struct bpf_insn *insns)
{
	const struct elf_func *f;
	const struct elf_reloc *r;
	const struct elf_ext_val *v;
	struct bpf_insn *in;
	__u32 s, i;

	for (s = 0; s < l->seg_cnt; s++) {
		f = &obj->funcs[l->segs[s].func_idx];
		if (f->replaced)
			continue;
		for (i = 0; core && i < obj->core_cnt; i++) {
			if (obj->core[i].sec_idx != f->sec_idx ||
			    obj->core[i].insn < f->off ||
			    obj->core[i].insn - f->off >= f->cnt)
				continue;
			in = insns + l->segs[s].pos + (obj->core[i].insn - f->off);
			memcpy(in, core[i].insn, core[i].cnt * sizeof(*in));
		}
		for (i = 0; ext && i < obj->reloc_cnt; i++) {
			r = &obj->relocs[i];
			if (r->sec_idx != f->sec_idx || r->insn < f->off ||
			    r->insn - f->off >= f->cnt ||
			    (r->kind != ELF_RELOC_KFUNC && r->kind != ELF_RELOC_KSYM))
				continue;
			in = insns + l->segs[s].pos + (r->insn - f->off);
			v = &ext[r->target];
			if (r->kind == ELF_RELOC_KFUNC) {
				/* A missing __weak kfunc: imm 0, which the
				 * verifier accepts in dead code only. */
				in->src_reg = BPF_PSEUDO_KFUNC_CALL;
				in->imm = v->found ? v->btf_id : 0;
				in->off = v->found ? v->fd_idx : 0;
			} else if (v->found && !v->typeless) {
				in->src_reg = BPF_PSEUDO_BTF_ID;
				in->imm = v->btf_id;
				in[1].imm = v->btf_fd;
			} else {
				in->src_reg = 0;
				in->imm = v->found ? (__u32)v->addr : 0;
				in[1].imm = v->found ? v->addr >> 32 : 0;
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
	open_btf(&c, obj->btf, obj->btf_len);	/* checked before */
	ext_hdr(obj->btf_ext, obj->btf_ext_len, &h);
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
			sec = bname(&c, hdr[0]);
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

/* The types the fix-up appends: a 4-byte int (if .BTF has none) and a
 * VAR of it that every .ksyms entry points at; *int_id the int's id. */
static __u32 fixup_extra(const struct ctx *c, __u32 *int_id, int *need_int)
{
	struct btf_iter it = { 0 };
	struct btf_type t;
	__u32 ks = find_datasec(c, ".ksyms"), info;

	if (!ks || btf_type(&c->btf, ks, &t) || !btf_vlen(&t))
		return 0;
	while (btf_next(&c->btf, &it, &t))
		if (btf_kind(&t) == BTF_KIND_INT && t.size == 4 &&
		    !btf_int(&c->btf, it.id, &info) && BTF_INT_BITS(info) == 32 &&
		    !BTF_INT_OFFSET(info)) {
			*int_id = it.id;
			*need_int = 0;
			return 16;
		}
	*int_id = btf_end(&c->btf);
	*need_int = 1;
	return 32;
}

__u32 elf_btf_fixup_len(const struct elf_obj *obj)
{
	struct btf_header h;
	struct ctx c;
	__u32 int_id;
	int need_int;

	if (!obj->btf || open_ctx(&c, obj, obj->buf, obj->len, NULL, 0) ||
	    open_btf(&c, obj->btf, obj->btf_len))
		return 0;
	memcpy(&h, obj->btf, sizeof(h));
	return h.hdr_len + h.type_len + h.str_len + fixup_extra(&c, &int_id, &need_int);
}

/* Bytes of type id in the fixed-up copy b (inside out), writable. */
static __u8 *body_in(const struct btf *b, __u32 id, void *out)
{
	const __u8 *p = btf_body(b, id);

	return p ? (__u8 *)out + (p - (const __u8 *)out) : NULL;
}

static void put32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

/* .ksyms: every entry an int VAR (var_id) 4 bytes apart; the externs'
 * own types made acceptable (an extern VAR allocated and of type int,
 * an extern FUNC global with its parameters named). */
static void fix_ksyms(const struct btf *b, __u32 ds_id, __u32 int_id,
		      __u32 var_id, void *out)
{
	struct btf_var_secinfo vi;
	struct btf_type ds, t;
	struct btf_param prm;
	__u8 *w = body_in(b, ds_id, out), *tw;
	__u32 i, j;

	btf_type(b, ds_id, &ds);
	for (i = 0; i < btf_vlen(&ds); i++) {
		memcpy(&vi, w + i * sizeof(vi), sizeof(vi));
		tw = body_in(b, vi.type, out);
		if (tw && !btf_type(b, vi.type, &t) && btf_kind(&t) == BTF_KIND_VAR) {
			t.type = int_id;
			memcpy(tw - sizeof(t), &t, sizeof(t));
			put32(tw, BTF_VAR_GLOBAL_ALLOCATED);
		} else if (tw && btf_kind(&t) == BTF_KIND_FUNC) {
			t.info = (t.info & ~0xffffu) | BTF_FUNC_GLOBAL;
			memcpy(tw - sizeof(t), &t, sizeof(t));
			/* the kernel wants a global function's parameters named */
			for (j = 0; !btf_param(b, t.type, j, &prm); j++) {
				if (prm.name_off || !prm.type)
					continue;
				prm.name_off = t.name_off;
				memcpy(body_in(b, t.type, out) + j * sizeof(prm), &prm,
				       sizeof(prm));
			}
		}
		vi.type = var_id;
		vi.offset = i * 4;
		vi.size = 4;
		memcpy(w + i * sizeof(vi), &vi, sizeof(vi));
	}
	ds.size = btf_vlen(&ds) * 4;
	memcpy(w - sizeof(ds), &ds, sizeof(ds));
}

/* A DATASEC of the object's sections (or .kconfig): its size, and each
 * variable's offset (from its symbol, or the .kconfig layout), sorted
 * by offset as the kernel wants. */
static void fix_datasec(struct ctx *c, const struct btf *b, __u32 ds_id,
			void *out)
{
	const struct elf_obj *obj = c->obj;
	struct btf_var_secinfo a, v;
	struct btf_type ds, var;
	Elf64_Shdr sh;
	const char *name;
	__u8 *w = body_in(b, ds_id, out), *vw;
	__u32 sec, i, j, off, len;
	int e;

	btf_type(b, ds_id, &ds);
	name = btf_str(b, ds.name_off);
	if (!name)
		return;
	sec = find_sec(c, name);
	if (!strcmp(name, ".kconfig") && obj->kconfig_map >= 0)
		ds.size = obj->maps[obj->kconfig_map].value_size;
	else if (sec != NO_SEC && (shdr(c, sec, &sh), 1))
		ds.size = sh.sh_size;
	else
		return;
	memcpy(w - sizeof(ds), &ds, sizeof(ds));
	for (i = 0; i < btf_vlen(&ds); i++) {
		memcpy(&a, w + i * sizeof(a), sizeof(a));
		if (btf_type(b, a.type, &var) || btf_kind(&var) != BTF_KIND_VAR ||
		    !(name = btf_str(b, var.name_off)))
			continue;
		if (sec == NO_SEC) {
			e = find_extern(obj, name);
			if (e < 0 || obj->externs[e].kind != ELF_EXT_KCONFIG)
				continue;
			a.offset = obj->externs[e].off;
			a.size = obj->externs[e].size;
			vw = body_in(b, a.type, out);
			put32(vw, BTF_VAR_GLOBAL_ALLOCATED);
		} else if (!sym_extent(c, sec, name, &off, &len)) {
			a.offset = off;
		}
		memcpy(w + i * sizeof(a), &a, sizeof(a));
	}
	for (i = 1; i < btf_vlen(&ds); i++)
		for (j = i; j > 0; j--) {
			memcpy(&a, w + (j - 1) * sizeof(a), sizeof(a));
			memcpy(&v, w + j * sizeof(v), sizeof(v));
			if (a.offset <= v.offset)
				break;
			memcpy(w + (j - 1) * sizeof(a), &v, sizeof(v));
			memcpy(w + j * sizeof(a), &a, sizeof(a));
		}
}

void elf_btf_fixup(const struct elf_obj *obj, void *out)
{
	struct btf_header h;
	struct btf_iter it = { 0 };
	struct btf_var_secinfo vi;
	struct btf_type t;
	struct btf b;
	struct ctx c;
	__u8 *o = out;
	__u32 extra, int_id = 0, var_id, ks;
	int need_int = 0;

	if (!obj->btf || open_ctx(&c, obj, obj->buf, obj->len, NULL, 0) ||
	    open_btf(&c, obj->btf, obj->btf_len))
		return;
	/* [header][types][appended types][strings], whatever the layout was */
	memcpy(&h, obj->btf, sizeof(h));
	extra = fixup_extra(&c, &int_id, &need_int);
	memcpy(o, obj->btf, h.hdr_len);
	memcpy(o + h.hdr_len, c.btf.types, h.type_len);
	var_id = btf_end(&c.btf) + need_int;
	if (need_int) {
		t = (struct btf_type){ .info = BTF_KIND_INT << 24, .size = 4 };
		memcpy(o + h.hdr_len + h.type_len, &t, sizeof(t));
		put32(o + h.hdr_len + h.type_len + sizeof(t), BTF_INT_SIGNED << 24 | 32);
	}
	ks = find_datasec(&c, ".ksyms");
	if (extra) {
		btf_secinfo(&c.btf, ks, 0, &vi);
		btf_type(&c.btf, vi.type, &t);	/* the first extern: a valid name */
		t = (struct btf_type){ .name_off = t.name_off, .info = BTF_KIND_VAR << 24,
				       .type = int_id };
		memcpy(o + h.hdr_len + h.type_len + extra - 16, &t, sizeof(t));
		put32(o + h.hdr_len + h.type_len + extra - 4, BTF_VAR_GLOBAL_ALLOCATED);
	}
	memcpy(o + h.hdr_len + h.type_len + extra, c.btf.strs, h.str_len);
	h.type_off = 0;
	h.type_len += extra;
	h.str_off = h.type_len;
	memcpy(o, &h, sizeof(h));
	if (btf_open(&b, out, h.hdr_len + h.type_len + h.str_len, NULL, NULL, 0))
		return;
	/* (the fixes change no kind or vlen: the walk goes on right) */
	while (btf_next(&b, &it, &t)) {
		if (btf_kind(&t) != BTF_KIND_DATASEC)
			continue;
		if (it.id == ks)
			fix_ksyms(&b, it.id, int_id, var_id, out);
		else
			fix_datasec(&c, &b, it.id, out);
	}
}
