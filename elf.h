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
 * What is understood: programs in any executable section but .text
 * (several per section), subprograms they call (in .text or any
 * executable section), maps from BTF-defined ".maps" (with map-in-map
 * and program-array `values`) and from the legacy "maps" section, global
 * data in .data*, .rodata* and .bss* (each becomes a one-entry array
 * map), externs declared __kconfig (a ".kconfig" data map the loader
 * fills) and __ksym (kernel functions and variables the loader finds in
 * the kernel's BTF), and the CO-RE relocations of .BTF.ext, which
 * elf_core_fix() applies once btf.c has resolved them.
 */
#ifndef TCPINSPECT_ELF_H
#define TCPINSPECT_ELF_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "btf.h"

#define ELF_MAX_MAPS	64
#define ELF_MAX_PROGS	32
#define ELF_MAX_FUNCS	256	/* programs and subprograms */
#define ELF_MAX_RELOCS	4096
#define ELF_MAX_INITS	256	/* `values` initialisers */
#define ELF_MAX_EXTERNS	128	/* __kconfig and __ksym externs */
#define ELF_MAX_CORE	4096	/* CO-RE relocations */
/* A CO-RE relocation that cannot be resolved becomes a call to helper
 * ELF_CORE_POISON + its index: the verifier refuses it if it is
 * reached ("invalid func unknown#N"), and ignores it in dead code. */
#define ELF_CORE_POISON	0x7ace0000

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
	const char *sec_name;	/* its section: "xdp", "xdp/...", "prog", ... */
	const char *name;	/* its function */
	const void *insns;	/* the function's own instructions, in buf */
	__u32 insn_cnt;
	__u32 sec_idx;
	__u32 func_idx;
	__u32 type;		/* BPF_PROG_TYPE_XDP, but _SCHED_CLS in tc,
				 * tc/..., classifier..., tcx/ingress and
				 * tcx/egress, _TRACING in fentry/... and
				 * fexit/... */
	__u32 flags;		/* BPF_PROG_LOAD prog_flags (xdp.frags) */
	__u32 attach_type;	/* expected_attach_type: BPF_XDP_DEVMAP for
				 * xdp/devmap, BPF_XDP_CPUMAP for xdp/cpumap
				 * (programs for those maps' entries),
				 * TI_BPF_TCX_INGRESS/_EGRESS, BPF_TRACE_FENTRY/
				 * _FEXIT as the section says, else 0 */
	__u32 conv;		/* in a section named as XDP programs are:
				 * xdp, xdp/..., xdp.frags..., xdp_..., prog */
};

enum elf_reloc_kind {
	ELF_RELOC_MAP,		/* ld_imm64 of a map: fd */
	ELF_RELOC_MAP_VALUE,	/* ld_imm64 of global data (or a __kconfig
				 * extern): fd + offset */
	ELF_RELOC_CALL,		/* BPF-to-BPF call */
	ELF_RELOC_FUNC,		/* ld_imm64 of a function (callbacks) */
	ELF_RELOC_KFUNC,	/* call of a kernel function (__ksym) */
	ELF_RELOC_KSYM,		/* ld_imm64 of a kernel variable or function */
};

struct elf_reloc {
	__u32 sec_idx;
	__u32 insn;		/* index in its section */
	__u32 kind;		/* enum elf_reloc_kind */
	__u32 target;		/* map, function or extern index */
	__u32 off;		/* MAP_VALUE: byte offset in the value */
};

enum elf_extern_kind {
	ELF_EXT_KCONFIG,	/* __kconfig: a value in the .kconfig map */
	ELF_EXT_KSYM,		/* __ksym: a kernel variable or function */
};

/* An extern: an undefined symbol with its BTF in .kconfig or .ksyms. */
struct elf_extern {
	const char *name;
	__u32 kind;		/* enum elf_extern_kind */
	__u32 weak;		/* __weak: may be missing (then 0) */
	__u32 is_func;		/* KSYM: a function (kfunc) */
	__u32 btf_id;		/* its VAR or FUNC in .BTF */
	__u32 type_id;		/* the VAR's type, the FUNC's prototype */
	__u32 off;		/* KCONFIG: offset in the .kconfig map */
	__u32 size;		/* KCONFIG: bytes */
};

/* A CO-RE relocation of .BTF.ext, at instruction insn of sec_idx. */
struct elf_core {
	__u32 sec_idx;
	__u32 insn;
	__u32 type_id;		/* its root type in .BTF */
	__u32 kind;		/* enum bpf_core_relo_kind */
	const char *access;	/* "0:1:2", in .BTF's strings */
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
	__s32 kconfig_map;	/* index of the .kconfig data map, or -1 */
	__u32 map_cnt, prog_cnt, func_cnt, reloc_cnt, init_cnt;
	__u32 extern_cnt, core_cnt;
	struct elf_map maps[ELF_MAX_MAPS];
	struct elf_prog progs[ELF_MAX_PROGS];
	struct elf_func funcs[ELF_MAX_FUNCS];
	struct elf_reloc relocs[ELF_MAX_RELOCS];
	struct elf_init inits[ELF_MAX_INITS];
	struct elf_extern externs[ELF_MAX_EXTERNS];
	struct elf_core core[ELF_MAX_CORE];
};

int elf_parse(struct elf_obj *obj, const void *buf, size_t len,
	      char *err, size_t err_len);

/*
 * The program whose section or function name is name; NULL: the first
 * in a section named by convention (elf_prog.conv), else the first.
 */
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

/* A CO-RE relocation resolved (btf_core_calc): what its instruction
 * becomes. */
struct elf_core_fix {
	struct bpf_insn insn[2];	/* ld_imm64: both halves */
	__u32 cnt;			/* 1 or 2 */
	__u32 poisoned;			/* unresolved: a call that fails if reached */
};

/*
 * The fix of CO-RE relocation idx as btf_core_calc() resolved it (a
 * target found: its value; none: existence kinds take 0, the rest are
 * poisoned; a field whose size changed: the access resized if it may
 * be, else poisoned).  -EINVAL if the instruction is not one the
 * relocation can patch, or does not hold the local value (when
 * res->validate); err says which.
 */
int elf_core_fix(const struct elf_obj *obj, __u32 idx,
		 const struct btf_core_res *res, struct elf_core_fix *fix,
		 char *err, size_t err_len);

/* An extern resolved by the loader. */
struct elf_ext_val {
	__u32 found;		/* else: weak and missing, 0 */
	__u32 btf_id;		/* KSYM with BTF: its id in the kernel's BTF */
	__s32 btf_fd;		/* ... in a module's BTF: that BTF's fd, else 0 */
	__s16 fd_idx;		/* kfunc in a module: its fd_array index */
	__u64 addr;		/* KSYM without a type: its address */
	__u32 typeless;		/* KSYM without a type (kallsyms) */
};

/*
 * After elf_link: the CO-RE fixes (core[obj->core_cnt]) and the externs
 * (ext[obj->extern_cnt]) into the linked program.  Either may be NULL
 * when the object has none.
 */
void elf_patch(const struct elf_obj *obj, const struct elf_layout *l,
	       const struct elf_core_fix *core, const struct elf_ext_val *ext,
	       struct bpf_insn *insns);
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
 * The object's BTF as the kernel takes it, into out[elf_btf_fixup_len()]:
 * what clang leaves to the loader set (DATASEC sizes, VAR offsets,
 * sorted by offset) from the ELF sections and symbols, .kconfig laid
 * out as its map, and externs made what the kernel accepts (allocated
 * VARs, global FUNCs with named parameters, .ksyms entries pointing at a
 * dummy int VAR appended to the types).
 */
__u32 elf_btf_fixup_len(const struct elf_obj *obj);
void elf_btf_fixup(const struct elf_obj *obj, void *out);

#endif
