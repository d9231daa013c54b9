// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - maps, relocation and program load for one object (loader.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpf.h"
#include "loader.h"

#define LOG_MIN		(64u << 10)
#define LOG_MAX		(16u << 20)

/* Kernel object names: 15 chars of [A-Za-z0-9_.]. */
static void obj_name(char *dst, const char *src)
{
	int i;

	for (i = 0; i < (int)BPF_OBJ_NAME_LEN - 1 && src[i]; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ||
			 (src[i] >= 'A' && src[i] <= 'Z') ||
			 (src[i] >= '0' && src[i] <= '9') ||
			 src[i] == '.' ? src[i] : '_';
	dst[i] = 0;
}

static int create_maps(struct ld_obj *o, char *err, size_t err_len)
{
	const struct elf_map *m;
	char name[BPF_OBJ_NAME_LEN];
	__u32 i;
	int fd;

	for (i = 0; i < o->elf.map_cnt; i++) {
		m = &o->elf.maps[i];
		if (m->pinning) {
			snprintf(err, err_len, "map %s: pinning is not supported yet",
				 m->name);
			return -ENOTSUP;
		}
		obj_name(name, m->name);
		fd = bpf_map_create(m->type, name, m->key_size, m->value_size,
				    m->max_entries, m->map_flags);
		if (fd < 0) {
			snprintf(err, err_len, "cannot create map %s (type %u): %s%s",
				 m->name, m->type, strerror(-fd),
				 fd == -EPERM ? " (needs root, or CAP_BPF and CAP_NET_ADMIN)" : "");
			return fd;
		}
		o->map_fds[i] = fd;
	}
	return 0;
}

/* The last lines of the verifier log that fit into err after prefix. */
static void log_tail(char *err, size_t err_len, const char *log)
{
	size_t used = strlen(err), len = strlen(log);
	const char *p = log;

	while (len && log[len - 1] == '\n')
		len--;
	if (used + 2 >= err_len)
		return;
	if (len > err_len - used - 2) {
		p = log + len - (err_len - used - 2);
		while (p < log + len && *p != '\n')	/* start at a line */
			p++;
	}
	snprintf(err + used, err_len - used, "\n%.*s", (int)(log + len - p), p);
}

static int load_prog(struct ld_obj *o, char *err, size_t err_len)
{
	char name[BPF_OBJ_NAME_LEN];
	struct bpf_insn *insns;
	char *log = NULL, *bigger;
	__u32 log_len = LOG_MIN;
	int fd;

	insns = malloc((size_t)o->prog->insn_cnt * sizeof(*insns));
	if (!insns) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	elf_relocate(&o->elf, o->prog, o->map_fds, insns);
	obj_name(name, o->prog->name);
	struct bpf_prog_load_opts lo = {
		.prog_type = BPF_PROG_TYPE_XDP, .name = name, .insns = insns,
		.insn_cnt = o->prog->insn_cnt, .license = o->elf.license,
	};
	fd = bpf_prog_load(&lo);
	/* Only on rejection: load again with a log, growing it until it fits. */
	while (fd < 0 && fd != -EPERM && log_len <= LOG_MAX) {
		bigger = realloc(log, log_len);
		if (!bigger)
			break;
		log = bigger;
		lo.log = log;
		lo.log_len = log_len;
		fd = bpf_prog_load(&lo);
		if (fd != -ENOSPC)
			break;
		log_len *= 2;
	}
	if (fd < 0) {
		snprintf(err, err_len, "cannot load program %s: %s%s", o->prog->name,
			 strerror(-fd),
			 fd == -EPERM ? " (needs root, or CAP_BPF and CAP_NET_ADMIN)" :
			 log && *log ? "; verifier says:" : "");
		if (log && *log && fd != -EPERM)
			log_tail(err, err_len, log);
	} else {
		o->prog_fd = fd;
	}
	free(log);
	free(insns);
	return fd < 0 ? fd : 0;
}

int ld_open(struct ld_obj *o, const void *buf, size_t len,
	    const char *prog_name, char *err, size_t err_len)
{
	int i, ret;

	for (i = 0; i < ELF_MAX_MAPS; i++)
		o->map_fds[i] = -1;
	o->prog_fd = -1;
	o->prog = NULL;
	ret = elf_parse(&o->elf, buf, len, err, err_len);
	if (ret)
		return ret;
	o->prog = elf_find_prog(&o->elf, prog_name);
	if (!o->prog) {
		snprintf(err, err_len, "no program named %s in the object", prog_name);
		return -ENOENT;
	}
	ret = create_maps(o, err, err_len);
	if (!ret)
		ret = load_prog(o, err, err_len);
	if (ret)
		ld_close(o);
	return ret;
}

void ld_close(struct ld_obj *o)
{
	int i;

	if (o->prog_fd >= 0)
		close(o->prog_fd);
	o->prog_fd = -1;
	for (i = ELF_MAX_MAPS - 1; i >= 0; i--) {
		if (o->map_fds[i] >= 0)
			close(o->map_fds[i]);
		o->map_fds[i] = -1;
	}
}

int ld_map_fd(const struct ld_obj *o, const char *name)
{
	int i = elf_find_map(&o->elf, name);

	return i < 0 ? -1 : o->map_fds[i];
}
