/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader.h - turn an ELF BPF object in memory into kernel objects:
 * parse it (elf.c), create its maps, relocate a copy of one program's
 * instructions and load it (bpf.c).  No printing: on failure the reason
 * (with the end of the verifier log, if the verifier refused) goes to err.
 */
#ifndef TCPINSPECT_LOADER_H
#define TCPINSPECT_LOADER_H

#include "elf.h"

struct ld_obj {
	struct elf_obj elf;
	const struct elf_prog *prog;	/* the program that was loaded */
	int map_fds[ELF_MAX_MAPS];
	int prog_fd;
};

/*
 * Load program prog_name (section or function name; NULL: the first).
 * Returns 0 or -errno; on failure everything created is closed again.
 * buf must outlive the ld_obj.  Release with ld_close().
 */
int ld_open(struct ld_obj *o, const void *buf, size_t len,
	    const char *prog_name, char *err, size_t err_len);
void ld_close(struct ld_obj *o);

/* fd of the map called name, or -1. */
int ld_map_fd(const struct ld_obj *o, const char *name);

#endif
