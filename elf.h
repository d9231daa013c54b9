/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf.h - parse a clang-built BPF relocatable object held in memory.
 *
 * elf_parse() is a pure function over (buf, len): no syscalls, no output,
 * no globals, no allocation.  Every offset and size in the object is
 * checked before use; on failure it returns -EINVAL (malformed),
 * -ENOTSUP (valid ELF we do not handle) or -E2BIG (over our limits) and
 * writes one line saying why into err.  Results point into buf, which
 * must outlive the elf_obj; instruction bytes are never modified.
 */
#ifndef TCPINSPECT_ELF_H
#define TCPINSPECT_ELF_H

#include <stddef.h>
#include <linux/types.h>

#define ELF_MAX_MAPS	32
#define ELF_MAX_PROGS	16
#define ELF_MAX_RELOCS	1024

struct elf_map {
	const char *name;	/* symbol name, NUL-terminated inside buf */
	__u32 type;		/* BPF_MAP_TYPE_* */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 numa_node;
	__u32 pinning;		/* LIBBPF_PIN_* value, 0 = none */
};

/* A map reference: instruction insn_idx of a program loads map map_idx. */
struct elf_reloc {
	__u32 insn_idx;
	__u32 map_idx;
};

struct elf_prog {
	const char *sec_name;	/* "xdp" or "xdp/..." */
	const char *name;	/* function symbol at offset 0 */
	const void *insns;	/* struct bpf_insn[insn_cnt], maybe unaligned */
	__u32 insn_cnt;
	__u32 sec_idx;		/* ELF section index */
	__u32 reloc_idx;	/* first of reloc_cnt entries in elf_obj.relocs */
	__u32 reloc_cnt;
};

struct elf_obj {
	const char *license;
	__u32 map_cnt;
	__u32 prog_cnt;
	__u32 reloc_cnt;
	struct elf_map maps[ELF_MAX_MAPS];
	struct elf_prog progs[ELF_MAX_PROGS];
	struct elf_reloc relocs[ELF_MAX_RELOCS];
};

int elf_parse(struct elf_obj *obj, const void *buf, size_t len,
	      char *err, size_t err_len);

/* The program whose section or function name is name, or NULL. */
const struct elf_prog *elf_find_prog(const struct elf_obj *obj,
				     const char *name);

/*
 * Copy prog's instructions into insns (prog->insn_cnt entries) and point
 * every map load at its map: src_reg BPF_PSEUDO_MAP_FD, imm map_fds[i].
 */
void elf_relocate(const struct elf_obj *obj, const struct elf_prog *prog,
		  const int *map_fds, void *insns);

/* Index of the map called name, or -1. */
int elf_find_map(const struct elf_obj *obj, const char *name);

#endif
