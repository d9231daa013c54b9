/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf.h - read a clang-built BPF relocatable object held in memory, and
 * link one of its programs.
 *
 * Every function here is pure: no syscalls, no output, no globals, no
 * allocation.  elf_parse() checks every offset and size in the object
 * before use; on failure it returns -EINVAL (malformed), -ENOTSUP (valid
 * ELF we do not handle) or -E2BIG (over our limits) and writes one line
 * saying why into err.  Results point into buf, which must outlive the
 * elf_obj; the object's bytes are never modified.
 *
 * What is understood: programs in sections "xdp" and "xdp/..." (several
 * per section), subprograms they call (in .text or their own section),
 * maps from BTF-defined ".maps" (with map-in-map and program-array
 * `values`) and from the legacy "maps" section, and global data in
 * .data*, .rodata* and .bss* (each becomes a one-entry array map).
 */
#ifndef TCPINSPECT_ELF_H
#define TCPINSPECT_ELF_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>

#define ELF_MAX_MAPS	64
#define ELF_MAX_PROGS	32
#define ELF_MAX_FUNCS	256	/* programs and subprograms */
#define ELF_MAX_RELOCS	4096
#define ELF_MAX_INITS	256	/* `values` initialisers */

enum elf_map_kind {
	ELF_MAP_DEF,	/* defined in .maps or legacy maps */
	ELF_MAP_DATA,	/* global data section */
	ELF_MAP_INNER,	/* template of a map-in-map's inner map: not created */
};

struct elf_map {
	const char *name;	/* symbol or section name, in buf */
	__u32 kind;		/* enum elf_map_kind */
	__u32 type;		/* BPF_MAP_TYPE_* */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 numa_node;
	__u32 pinning;		/* LIBBPF_PIN_* value, 0 = none */
	__s32 inner_idx;	/* map-in-map: template in maps[], else -1 */
	__u32 sec_idx;		/* section of the definition / the data */
	__u32 sym_off;		/* DEF: extent of the definition in sec_idx */
	__u32 sym_len;
	__u32 values_off;	/* DEF: offset of `values` in the definition */
	const void *init;	/* DATA: initial bytes (value_size), NULL: zeros */
};

/* A function: a program or a subprogram, insns [off, off + cnt) of sec. */
struct elf_func {
	const char *name;
	const char *sec_name;
	const void *insns;	/* its instructions in buf (maybe unaligned) */
	__u32 sec_idx;
	__u32 off;
	__u32 cnt;
	__u32 replaced;		/* insns/cnt now the caller's code: no relocations */
};

struct elf_prog {
	const char *sec_name;	/* "xdp" or "xdp/..." */
	const char *name;	/* its function */
	const void *insns;	/* the function's own instructions, in buf */
	__u32 insn_cnt;
	__u32 sec_idx;
	__u32 func_idx;
};

enum elf_reloc_kind {
	ELF_RELOC_MAP,		/* ld_imm64 of a map: fd */
	ELF_RELOC_MAP_VALUE,	/* ld_imm64 of global data: fd + offset */
	ELF_RELOC_CALL,		/* BPF-to-BPF call */
	ELF_RELOC_FUNC,		/* ld_imm64 of a function (callbacks) */
};

struct elf_reloc {
	__u32 sec_idx;
	__u32 insn;		/* index in its section */
	__u32 kind;		/* enum elf_reloc_kind */
	__u32 target;		/* map index, or function index */
	__u32 off;		/* MAP_VALUE: byte offset in the value */
};

/* Slot slot of map map_idx starts out holding a map or a program. */
struct elf_init {
	__u32 map_idx;
	__u32 slot;
	__u32 is_prog;
	__u32 target;		/* map index, or program index */
};

struct elf_obj {
	const __u8 *buf;
	size_t len;
	const char *license;
	const __u8 *btf;	/* .BTF, or NULL */
	__u32 btf_len;
	const __u8 *btf_ext;	/* .BTF.ext, or NULL; checked */
	__u32 btf_ext_len;
	__u32 map_cnt, prog_cnt, func_cnt, reloc_cnt, init_cnt;
	struct elf_map maps[ELF_MAX_MAPS];
	struct elf_prog progs[ELF_MAX_PROGS];
	struct elf_func funcs[ELF_MAX_FUNCS];
	struct elf_reloc relocs[ELF_MAX_RELOCS];
	struct elf_init inits[ELF_MAX_INITS];
};

int elf_parse(struct elf_obj *obj, const void *buf, size_t len,
	      char *err, size_t err_len);

/* The program whose section or function name is name (NULL: the first). */
const struct elf_prog *elf_find_prog(const struct elf_obj *obj,
				     const char *name);
/* Index of the map called name, or -1. */
int elf_find_map(const struct elf_obj *obj, const char *name);
/* Global variable name: its data map, offset and size; 0 or -ENOENT. */
int elf_find_var(const struct elf_obj *obj, const char *name,
		 __u32 *map_idx, __u32 *off, __u32 *size);

/*
 * A program as it is loaded: its function at 0, then every function it
 * calls, directly or not, each once.
 */
#define ELF_MAX_SEGS	64
struct elf_layout {
	__u32 insn_cnt;
	__u32 seg_cnt;
	struct {
		__u32 func_idx;
		__u32 pos;	/* first instruction in the linked program */
	} segs[ELF_MAX_SEGS];
};

int elf_layout(const struct elf_obj *obj, const struct elf_prog *prog,
	       struct elf_layout *l, char *err, size_t err_len);
/*
 * Write the linked program (l->insn_cnt instructions) to insns: map
 * loads point at map_fds[] (indexed like obj->maps), calls at their
 * callee's new place.
 */
void elf_link(const struct elf_obj *obj, const struct elf_layout *l,
	      const int *map_fds, struct bpf_insn *insns);
/*
 * func_info / line_info records of .BTF.ext for the linked program, with
 * instruction offsets in it.  Writes up to cnt records (out may be NULL)
 * and returns how many there are.
 */
__u32 elf_func_info(const struct elf_obj *obj, const struct elf_layout *l,
		    struct bpf_func_info *out, __u32 cnt);
__u32 elf_line_info(const struct elf_obj *obj, const struct elf_layout *l,
		    struct bpf_line_info *out, __u32 cnt);
/*
 * In btf, a copy of obj->btf: set what clang leaves to the loader (DATASEC
 * sizes, VAR offsets, sorted by offset) from the ELF sections and symbols.
 */
void elf_btf_fixup(const struct elf_obj *obj, void *btf);

#endif
