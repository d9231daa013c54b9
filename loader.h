/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader.h - turn an ELF BPF object in memory into kernel objects.
 *
 * ld_parse() reads the object (elf.c) and makes writable copies of its
 * global data; ld_set_var() may then change globals (e.g. const volatile
 * configuration in .rodata); ld_load() resolves what the object asks of
 * the running kernel (CO-RE relocations against its BTF with btf.c,
 * __kconfig and __ksym externs, through kern.c), creates the maps
 * (reusing pinned ones), uploads the BTF, links and loads the programs
 * and fills program arrays and map-in-map outer maps from their
 * `values`.  ld_open() is ld_parse() + ld_load().
 *
 * No printing: failures go to err (with the end of the verifier log if
 * the verifier refused); what the loader did goes to the optional log_fn.
 * Every function returns 0 (or an fd) or -errno.
 */
#ifndef TCPINSPECT_LOADER_H
#define TCPINSPECT_LOADER_H

#include "elf.h"
#include "kern.h"

#define LD_PIN_DIR	"/sys/fs/bpf"

struct ld_obj {
	struct elf_obj elf;
	/* set before ld_load (zero-initialised defaults are fine): */
	const char *pin_dir;		/* LIBBPF_PIN_BY_NAME maps; NULL: LD_PIN_DIR */
	void (*log_fn)(void *arg, const char *line);	/* -v: one line per step */
	void *log_arg;
	int no_btf;			/* do not upload the BTF (kernel has none) */
	int stats;			/* read the verifier's statistics (vstats) */
	__u32 prog_flags;		/* BPF_F_* for every XDP program loaded */
	/*
	 * The selected program (ld_open's name).  If set before ld_load,
	 * only it, the programs that map `values` name and (with
	 * conv_too) those in sections named by convention are loaded.
	 */
	const struct elf_prog *prog;
	int conv_too;
	__u8 skip[ELF_MAX_PROGS];	/* without prog: these are not loaded */
	/*
	 * Where tracing programs (fentry/, fexit/) attach: a BPF program's
	 * fd and the BTF id of its function there (or 0 and a kernel
	 * function's id in vmlinux).  Without either they are not loaded
	 * by ld_load; ld_prog_load loads one for a target.
	 */
	int attach_prog_fd;
	__u32 attach_btf_id;
	/* results: */
	int prog_fd;			/* its fd */
	int prog_fds[ELF_MAX_PROGS];	/* every program, as elf.progs[] */
	int map_fds[ELF_MAX_MAPS];	/* every map, as elf.maps[]; -1 for none */
	int btf_fd;			/* -1 if none or the kernel refused it */
	char note[256];			/* non-fatal news, e.g. BTF refused */
	/* with stats: what verifying each program cost (0: not known) */
	struct ld_vstats {
		__u32 insns;		/* instructions processed */
		__u32 states;		/* total states */
		__u32 peak_states;
		__u32 usec;		/* verification time */
	} vstats[ELF_MAX_PROGS];
	void *data[ELF_MAX_MAPS];	/* writable global data, per data map */
	__u8 pinned[ELF_MAX_MAPS];	/* pinned by this ld_load: undone if it fails */
	/* during ld_load: the kernel's side, and what was resolved */
	struct kern kern;
	struct elf_core_fix *core_fix;	/* per CO-RE relocation */
	struct elf_ext_val ext[ELF_MAX_EXTERNS];
	int fd_array[ELF_MAX_EXTERNS + 1];	/* [1..]: module BTFs of kfuncs */
	int fd_cnt;
};

int ld_parse(struct ld_obj *o, const void *buf, size_t len, char *err,
	     size_t err_len);
/* Set global variable name (len must be its size) before ld_load. */
int ld_set_var(struct ld_obj *o, const char *name, const void *val,
	       size_t len, char *err, size_t err_len);
/*
 * Give function name the body insns[cnt] (no relocations; e.g. a
 * compiled filter) before ld_load; insns must outlive the load.
 */
int ld_set_func(struct ld_obj *o, const char *name,
		const struct bpf_insn *insns, __u32 cnt, char *err,
		size_t err_len);
/* Set map name's max_entries before ld_load (e.g. a ring buffer size). */
int ld_set_map_max(struct ld_obj *o, const char *name, __u32 max_entries,
		   char *err, size_t err_len);
/*
 * Before ld_load: create a one-entry array in place of map name, for a
 * map that only code the verifier will prune uses (a path a .rodata
 * constant turns off) and whose type this kernel may lack.
 */
int ld_stub_map(struct ld_obj *o, const char *name, char *err,
		size_t err_len);
int ld_load(struct ld_obj *o, char *err, size_t err_len);
/*
 * After ld_load: one more instance of program name (a tracing program
 * for attach_prog_fd's function attach_btf_id), its fd, which the caller
 * closes; or -errno (err).
 */
int ld_prog_load(struct ld_obj *o, const char *name, int attach_prog_fd,
		 __u32 attach_btf_id, char *err, size_t err_len);

/*
 * ld_parse + ld_load, then select program prog_name (section or function
 * name; NULL: the first) as o->prog / o->prog_fd.  buf must outlive the
 * ld_obj.  On failure everything created is closed again.
 */
int ld_open(struct ld_obj *o, const void *buf, size_t len,
	    const char *prog_name, char *err, size_t err_len);
void ld_close(struct ld_obj *o);

/* fd of the map / program called name, or -1. */
int ld_map_fd(const struct ld_obj *o, const char *name);
int ld_prog_fd(const struct ld_obj *o, const char *name);

#endif
