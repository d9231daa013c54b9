// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - maps, BTF, linking and program load for one object
 * (loader.h).  Orchestration only: ELF knowledge lives in elf.c, syscalls
 * in bpf.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpf.h"
#include "loader.h"

#define LOG_MIN		(64u << 10)
#define LOG_MAX		(16u << 20)
#define PIN_BY_NAME	1	/* LIBBPF_PIN_BY_NAME */

static void say(struct ld_obj *o, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!o->log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->log_fn(o->log_arg, line);
}

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

static const char *need_root(int err)
{
	return err == -EPERM ? " (needs root, or CAP_BPF and CAP_NET_ADMIN)" : "";
}

int ld_parse(struct ld_obj *o, const void *buf, size_t len, char *err,
	     size_t err_len)
{
	const struct elf_map *m;
	__u32 i;
	int ret;

	for (i = 0; i < ELF_MAX_MAPS; i++) {
		o->map_fds[i] = -1;
		o->data[i] = NULL;
	}
	for (i = 0; i < ELF_MAX_PROGS; i++)
		o->prog_fds[i] = -1;
	o->prog_fd = o->btf_fd = -1;
	o->prog = NULL;
	o->note[0] = 0;
	ret = elf_parse(&o->elf, buf, len, err, err_len);
	if (ret)
		return ret;
	/* Writable copies of global data, for ld_set_var(). */
	for (i = 0; i < o->elf.map_cnt; i++) {
		m = &o->elf.maps[i];
		if (m->kind != ELF_MAP_DATA)
			continue;
		o->data[i] = calloc(1, m->value_size);
		if (!o->data[i]) {
			snprintf(err, err_len, "out of memory");
			ld_close(o);
			return -ENOMEM;
		}
		if (m->init)
			memcpy(o->data[i], m->init, m->value_size);
	}
	for (i = 0; i < o->elf.prog_cnt; i++)
		say(o, "program %s in section %s: %u instructions",
		    o->elf.progs[i].name, o->elf.progs[i].sec_name,
		    o->elf.progs[i].insn_cnt);
	say(o, "%u maps, %u functions, %u relocations, %u map initialisers, BTF %s",
	    o->elf.map_cnt, o->elf.func_cnt, o->elf.reloc_cnt, o->elf.init_cnt,
	    o->elf.btf ? (o->elf.btf_ext ? "with line info" : "without line info") :
	    "absent");
	return 0;
}

int ld_set_var(struct ld_obj *o, const char *name, const void *val,
	       size_t len, char *err, size_t err_len)
{
	__u32 map, off, size;

	if (elf_find_var(&o->elf, name, &map, &off, &size)) {
		snprintf(err, err_len, "no global variable %s in the object", name);
		return -ENOENT;
	}
	if (size != len || o->map_fds[map] >= 0) {
		snprintf(err, err_len, "cannot set %s: %s", name,
			 size != len ? "size differs" : "already loaded");
		return -EINVAL;
	}
	memcpy((char *)o->data[map] + off, val, len);
	return 0;
}

int ld_set_func(struct ld_obj *o, const char *name,
		const struct bpf_insn *insns, __u32 cnt, char *err,
		size_t err_len)
{
	struct elf_func *f;
	__u32 i;

	for (i = 0; i < o->elf.func_cnt; i++) {
		f = &o->elf.funcs[i];
		if (strcmp(f->name, name))
			continue;
		f->insns = insns;
		f->cnt = cnt;
		f->replaced = 1;
		say(o, "function %s: replaced by %u instructions", name, cnt);
		return 0;
	}
	snprintf(err, err_len, "no function %s in the object", name);
	return -ENOENT;
}

int ld_set_map_max(struct ld_obj *o, const char *name, __u32 max_entries,
		   char *err, size_t err_len)
{
	int i = elf_find_map(&o->elf, name);

	if (i < 0) {
		snprintf(err, err_len, "no map %s in the object", name);
		return -ENOENT;
	}
	o->elf.maps[i].max_entries = max_entries;
	return 0;
}

int ld_stub_map(struct ld_obj *o, const char *name, char *err,
		size_t err_len)
{
	int i = elf_find_map(&o->elf, name);
	struct elf_map *m;

	if (i < 0) {
		snprintf(err, err_len, "no map %s in the object", name);
		return -ENOENT;
	}
	m = &o->elf.maps[i];
	if (m->kind != ELF_MAP_DEF || m->pinning || m->inner_idx >= 0) {
		snprintf(err, err_len, "map %s cannot be stubbed: global data, pinned or map-in-map",
			 name);
		return -EINVAL;
	}
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = m->value_size = sizeof(__u32);
	m->max_entries = 1;
	m->map_flags = m->numa_node = 0;
	say(o, "map %s: a one-entry array stands in (the program does not use it here)",
	    name);
	return 0;
}

static int map_create(const struct elf_map *m, int inner_fd)
{
	char name[BPF_OBJ_NAME_LEN];
	struct bpf_map_create_opts c = {
		.type = m->type, .name = name, .key_size = m->key_size,
		.value_size = m->value_size, .max_entries = m->max_entries,
		.map_flags = m->map_flags, .numa_node = m->numa_node,
		.inner_map_fd = inner_fd,
	};

	obj_name(name, m->name);
	return bpf_map_create(&c);
}

/* A pinned map may be reused only if it is the map we would create. */
static int check_pinned(int fd, const struct elf_map *m, const char *path,
			char *err, size_t err_len)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (ret) {
		snprintf(err, err_len, "%s: not a map: %s", path, strerror(-ret));
		return ret;
	}
	if (info.type != m->type || info.key_size != m->key_size ||
	    info.value_size != m->value_size ||
	    info.max_entries != m->max_entries ||
	    info.map_flags != m->map_flags) {
		snprintf(err, err_len, "pinned map %s does not match map %s: type %u/%u, key %u/%u, value %u/%u, max_entries %u/%u, flags 0x%x/0x%x (pinned/object)",
			 path, m->name, info.type, m->type, info.key_size,
			 m->key_size, info.value_size, m->value_size,
			 info.max_entries, m->max_entries, info.map_flags,
			 m->map_flags);
		return -EINVAL;
	}
	return 0;
}

static int create_map(struct ld_obj *o, __u32 i, char *err, size_t err_len)
{
	const struct elf_map *m = &o->elf.maps[i];
	char path[4096];
	int fd, inner = -1, ret, pinned = 0;
	__u32 key = 0;

	if (m->pinning && m->pinning != PIN_BY_NAME) {
		snprintf(err, err_len, "map %s: pinning %u is not supported (only by name)",
			 m->name, m->pinning);
		return -ENOTSUP;
	}
	if (m->pinning) {
		snprintf(path, sizeof(path), "%s/%s", o->pin_dir ? o->pin_dir : LD_PIN_DIR,
			 m->name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			ret = check_pinned(fd, m, path, err, err_len);
			if (ret) {
				close(fd);
				return ret;
			}
			o->map_fds[i] = fd;
			say(o, "map %s: reusing the one pinned at %s", m->name, path);
			return 0;
		}
		if (fd != -ENOENT) {
			snprintf(err, err_len, "cannot open pinned map %s: %s%s", path,
				 strerror(-fd), fd == -EPERM || fd == -EACCES ? "" :
				 fd == -EINVAL ? " (is a bpf file system mounted there?)" : "");
			return fd;
		}
		pinned = 1;
	}
	if (m->inner_idx >= 0) {
		/* The outer map is typed by an inner map: make one, use, drop. */
		inner = map_create(&o->elf.maps[m->inner_idx], -1);
		if (inner < 0) {
			snprintf(err, err_len, "cannot create inner map of %s: %s%s",
				 m->name, strerror(-inner), need_root(inner));
			return inner;
		}
	}
	fd = map_create(m, inner);
	if (inner >= 0)
		close(inner);
	if (fd < 0) {
		snprintf(err, err_len, "cannot create map %s (type %u): %s%s",
			 m->name, m->type, strerror(-fd), need_root(fd));
		return fd;
	}
	o->map_fds[i] = fd;
	if (m->kind == ELF_MAP_DATA) {
		ret = bpf_map_update_elem(fd, &key, o->data[i], BPF_ANY);
		/* .rodata: read-only for the program, frozen for us too. */
		if (!ret && (m->map_flags & BPF_F_RDONLY_PROG))
			ret = bpf_map_freeze(fd);
		if (ret) {
			snprintf(err, err_len, "cannot initialise %s: %s", m->name,
				 strerror(-ret));
			return ret;
		}
	}
	if (pinned) {
		ret = bpf_obj_pin(fd, path);
		if (ret) {
			snprintf(err, err_len, "cannot pin map %s at %s: %s%s", m->name,
				 path, strerror(-ret),
				 ret == -EPERM || ret == -ENOENT ?
				 " (is a bpf file system mounted there?)" : "");
			return ret;
		}
		o->pinned[i] = 1;
		say(o, "map %s: pinned at %s", m->name, path);
	}
	say(o, "map %s: type %u, key %u, value %u, max_entries %u, flags 0x%x",
	    m->name, m->type, m->key_size, m->value_size, m->max_entries,
	    m->map_flags);
	return 0;
}

/* Upload the BTF (fixed up); a refusal is news, not an error. */
static void load_btf(struct ld_obj *o)
{
	char log[4096], *last;
	void *btf;
	int fd;

	if (!o->elf.btf)
		return;
	if (o->no_btf) {
		snprintf(o->note, sizeof(o->note),
			 "BTF not loaded (the kernel cannot take it): maps and programs load without it, verifier errors show no source lines");
		return;
	}
	btf = malloc(o->elf.btf_len);
	if (!btf)
		return;
	memcpy(btf, o->elf.btf, o->elf.btf_len);
	elf_btf_fixup(&o->elf, btf);
	fd = bpf_btf_load(btf, o->elf.btf_len, NULL, 0);
	if (fd < 0 && fd != -EPERM) {
		/* Once more with a log: its last line says why. */
		bpf_btf_load(btf, o->elf.btf_len, log, sizeof(log));
		log[sizeof(log) - 1] = 0;
		while (*log && log[strlen(log) - 1] == '\n')
			log[strlen(log) - 1] = 0;
		last = strrchr(log, '\n');
		last = last ? last + 1 : log;
		snprintf(o->note, sizeof(o->note),
			 "the kernel refused the object's BTF (%s%s%.100s); loading without it, so verifier errors show no source lines",
			 strerror(-fd), *last ? ": " : "", last);
	}
	free(btf);
	o->btf_fd = fd;
	if (fd >= 0)
		say(o, "BTF loaded (%u bytes)", o->elf.btf_len);
}

/* The last lines of the verifier log that fit into err after its text. */
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

/* Load, and on refusal load again with a log that grows until it fits. */
static int prog_load_logged(struct bpf_prog_load_opts *lo, char **log)
{
	__u32 log_len = LOG_MIN;
	char *bigger;
	int fd;

	fd = bpf_prog_load(lo);
	while (fd < 0 && fd != -EPERM && log_len <= LOG_MAX) {
		bigger = realloc(*log, log_len);
		if (!bigger)
			break;
		*log = bigger;
		lo->log = *log;
		lo->log_len = log_len;
		fd = bpf_prog_load(lo);
		if (fd != -ENOSPC)
			break;
		log_len *= 2;
	}
	lo->log = NULL;
	lo->log_len = 0;
	return fd;
}

/* The number after key in the verifier's statistics, or 0. */
static __u32 stat_num(const char *log, const char *key)
{
	const char *at = strstr(log, key);

	return at ? strtoul(at + strlen(key), NULL, 10) : 0;
}

/*
 * Load with the verifier's statistics (BPF_LOG_STATS) into vs: its
 * figures for the benchmarks and -v, read off its last lines
 * ("processed N insns ... total_states N peak_states N", "verification
 * time N usec").  An fd, or -errno (the caller loads again for the log).
 */
static int prog_load_stats(struct bpf_prog_load_opts *lo, struct ld_vstats *vs)
{
	char log[1024];
	int fd;

	lo->log = log;
	lo->log_len = sizeof(log);
	lo->log_level = BPF_LOG_STATS;
	fd = bpf_prog_load(lo);
	lo->log = NULL;
	lo->log_len = 0;
	lo->log_level = 0;
	if (fd < 0)
		return fd;
	log[sizeof(log) - 1] = 0;
	vs->insns = stat_num(log, "processed ");
	vs->states = stat_num(log, "total_states ");
	vs->peak_states = stat_num(log, "peak_states ");
	vs->usec = stat_num(log, "verification time ");
	return fd;
}

static int load_prog(struct ld_obj *o, __u32 p, char *err, size_t err_len)
{
	const struct elf_prog *pr = &o->elf.progs[p];
	struct bpf_prog_load_opts lo = {
		.prog_type = BPF_PROG_TYPE_XDP, .license = o->elf.license,
		.btf_fd = o->btf_fd, .prog_flags = o->prog_flags,
	};
	char name[BPF_OBJ_NAME_LEN], *log = NULL, *log2 = NULL;
	struct elf_layout l;
	struct bpf_insn *insns = NULL;
	struct bpf_func_info *fi = NULL;
	struct bpf_line_info *li = NULL;
	int fd, fd2;

	fd = elf_layout(&o->elf, pr, &l, err, err_len);
	if (fd)
		return fd;
	insns = malloc((size_t)l.insn_cnt * sizeof(*insns));
	if (o->btf_fd >= 0) {
		lo.func_info_cnt = elf_func_info(&o->elf, &l, NULL, 0);
		lo.line_info_cnt = elf_line_info(&o->elf, &l, NULL, 0);
		fi = calloc(lo.func_info_cnt + 1, sizeof(*fi));
		li = calloc(lo.line_info_cnt + 1, sizeof(*li));
	}
	if (!insns || (o->btf_fd >= 0 && (!fi || !li))) {
		snprintf(err, err_len, "out of memory");
		fd = -ENOMEM;
		goto out;
	}
	elf_link(&o->elf, &l, o->map_fds, insns);
	if (fi) {
		elf_func_info(&o->elf, &l, fi, lo.func_info_cnt);
		elf_line_info(&o->elf, &l, li, lo.line_info_cnt);
	}
	obj_name(name, pr->name);
	lo.name = name;
	lo.insns = insns;
	lo.insn_cnt = l.insn_cnt;
	lo.func_info = fi;
	lo.line_info = li;
	say(o, "program %s: %u instructions linked from %u functions",
	    pr->name, l.insn_cnt, l.seg_cnt);
	fd = o->stats ? prog_load_stats(&lo, &o->vstats[p]) : -1;
	if (fd < 0)
		fd = prog_load_logged(&lo, &log);
	if (fd == -EINVAL && o->btf_fd >= 0) {
		/*
		 * The kernel may refuse our func/line info rather than the
		 * code: try once without BTF.  If that fails too, the first
		 * answer (its log has the source lines) is the one to show.
		 */
		lo.btf_fd = -1;
		fd2 = prog_load_logged(&lo, &log2);
		free(log2);
		if (fd2 >= 0) {
			snprintf(o->note, sizeof(o->note),
				 "program %s: the kernel refused its BTF func/line info; loaded without it",
				 pr->name);
			fd = fd2;
		}
	}
	if (fd < 0) {
		snprintf(err, err_len, "cannot load program %s: %s%s", pr->name,
			 strerror(-fd), fd == -EPERM ? need_root(fd) :
			 log && *log ? "; verifier says:" : "");
		if (log && *log && fd != -EPERM)
			log_tail(err, err_len, log);
	} else {
		o->prog_fds[p] = fd;
	}
out:
	free(log);
	free(li);
	free(fi);
	free(insns);
	return fd < 0 ? fd : 0;
}

/* `values` of program arrays and map-in-map outer maps. */
static int fill_inits(struct ld_obj *o, char *err, size_t err_len)
{
	const struct elf_init *in;
	__u32 i, fd;
	int ret;

	for (i = 0; i < o->elf.init_cnt; i++) {
		in = &o->elf.inits[i];
		fd = in->is_prog ? o->prog_fds[in->target] : o->map_fds[in->target];
		if (o->map_fds[in->map_idx] < 0)
			continue;
		ret = bpf_map_update_elem(o->map_fds[in->map_idx], &in->slot, &fd,
					  BPF_ANY);
		if (ret) {
			snprintf(err, err_len, "cannot set %s[%u] to %s %s: %s",
				 o->elf.maps[in->map_idx].name, in->slot,
				 in->is_prog ? "program" : "map",
				 in->is_prog ? o->elf.progs[in->target].name :
				 o->elf.maps[in->target].name, strerror(-ret));
			return ret;
		}
		say(o, "map %s[%u] = %s", o->elf.maps[in->map_idx].name, in->slot,
		    in->is_prog ? o->elf.progs[in->target].name :
		    o->elf.maps[in->target].name);
	}
	return 0;
}

/* Loaded: the selected program (all if none) and `values` targets. */
static int wanted(const struct ld_obj *o, __u32 p)
{
	__u32 i;

	if (!o->prog || o->prog == &o->elf.progs[p])
		return 1;
	for (i = 0; i < o->elf.init_cnt; i++)
		if (o->elf.inits[i].is_prog && o->elf.inits[i].target == p)
			return 1;
	return 0;
}

/* A failed load leaves no pins behind. */
static void unpin_new(struct ld_obj *o)
{
	char path[4096];
	__u32 i;

	for (i = 0; i < o->elf.map_cnt; i++) {
		if (!o->pinned[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s",
			 o->pin_dir ? o->pin_dir : LD_PIN_DIR, o->elf.maps[i].name);
		unlink(path);
		o->pinned[i] = 0;
	}
}

int ld_load(struct ld_obj *o, char *err, size_t err_len)
{
	__u32 i;
	int ret = 0;

	memset(o->pinned, 0, sizeof(o->pinned));
	for (i = 0; i < o->elf.map_cnt && !ret; i++)
		if (o->elf.maps[i].kind != ELF_MAP_INNER)
			ret = create_map(o, i, err, err_len);
	if (!ret)
		load_btf(o);
	for (i = 0; i < o->elf.prog_cnt && !ret; i++)
		if (wanted(o, i))
			ret = load_prog(o, i, err, err_len);
	ret = ret ?: fill_inits(o, err, err_len);
	if (ret)
		unpin_new(o);
	return ret;
}

int ld_open(struct ld_obj *o, const void *buf, size_t len,
	    const char *prog_name, char *err, size_t err_len)
{
	int ret;

	ret = ld_parse(o, buf, len, err, err_len);
	if (ret)
		return ret;
	o->prog = elf_find_prog(&o->elf, prog_name);
	if (!o->prog) {
		snprintf(err, err_len, "no program called %s in the object", prog_name);
		ret = -ENOENT;
	} else {
		ret = ld_load(o, err, err_len);
	}
	if (ret) {
		ld_close(o);
		return ret;
	}
	o->prog_fd = o->prog_fds[o->prog - o->elf.progs];
	return 0;
}

void ld_close(struct ld_obj *o)
{
	int i;

	for (i = ELF_MAX_PROGS - 1; i >= 0; i--) {
		if (o->prog_fds[i] >= 0)
			close(o->prog_fds[i]);
		o->prog_fds[i] = -1;
	}
	o->prog_fd = -1;
	if (o->btf_fd >= 0)
		close(o->btf_fd);
	o->btf_fd = -1;
	for (i = ELF_MAX_MAPS - 1; i >= 0; i--) {
		if (o->map_fds[i] >= 0)
			close(o->map_fds[i]);
		o->map_fds[i] = -1;
		free(o->data[i]);
		o->data[i] = NULL;
	}
}

int ld_map_fd(const struct ld_obj *o, const char *name)
{
	int i = elf_find_map(&o->elf, name);

	return i < 0 ? -1 : o->map_fds[i];
}

int ld_prog_fd(const struct ld_obj *o, const char *name)
{
	const struct elf_prog *p = elf_find_prog(&o->elf, name);

	return p ? o->prog_fds[p - o->elf.progs] : -1;
}
