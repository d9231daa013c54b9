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
#include "btf.h"
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

/* EPERM: privilege, unless we have it all; then the kernel's policy
 * (lockdown, a security module) refuses, and root would not help. */
static const char *need_root(int err)
{
	if (err != -EPERM)
		return "";
	return geteuid() ? " (needs root, or CAP_BPF and CAP_NET_ADMIN)" :
	       " (refused to root: the kernel's lockdown or a security module)";
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
	memset(&o->kern, 0, sizeof(o->kern));
	o->core_fix = NULL;
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
	if (o->elf.core_cnt || o->elf.extern_cnt)
		say(o, "%u CO-RE relocations, %u externs", o->elf.core_cnt,
		    o->elf.extern_cnt);
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

/* --- what the object asks of the kernel --------------------------------- */

/* The object's own BTF, indexed, into *b (offs to free); 0 or -errno. */
static int local_btf(const struct ld_obj *o, struct btf *b, __u32 **offs,
		     char *err, size_t err_len)
{
	if (btf_open(b, o->elf.btf, o->elf.btf_len, NULL, err, err_len))
		return -EINVAL;	/* elf_parse opened it before: not reached */
	*offs = malloc(((size_t)b->cnt + 1) * sizeof(**offs));
	if (!*offs) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	btf_index(b, *offs);
	return 0;
}

/* "xdp+23 (field_byte_offset struct foo.bar (access 0:1))" */
static void core_name(const struct ld_obj *o, const struct btf *b, __u32 i,
		      char *buf, size_t len)
{
	const struct elf_core *r = &o->elf.core[i];
	const char *sec = "?";
	char desc[200];
	__u32 f;

	/* a relocation is at an instruction of a function (elf_parse) */
	for (f = 0; f < o->elf.func_cnt; f++)
		if (o->elf.funcs[f].sec_idx == r->sec_idx)
			sec = o->elf.funcs[f].sec_name;
	btf_core_desc(b, r->type_id, r->access, r->kind, desc, sizeof(desc));
	snprintf(buf, len, "%s+%u (%s %s)", sec, r->insn,
		 btf_core_kind_name(r->kind), desc);
}

static int wanted(const struct ld_obj *o, __u32 p);

/*
 * Whether a program to be loaded (prog, or with prog -1 those ld_load
 * wants) may reach a CO-RE relocation: one in its own section, or any
 * in a section of functions the programs share (.text).
 */
static int core_needed(const struct ld_obj *o, int prog)
{
	__u32 i, p, in_prog;

	for (i = 0; i < o->elf.core_cnt; i++) {
		in_prog = 0;
		for (p = 0; p < o->elf.prog_cnt; p++) {
			if (o->elf.progs[p].sec_idx != o->elf.core[i].sec_idx)
				continue;
			in_prog = 1;
			if (prog >= 0 ? (int)p == prog : wanted(o, p))
				return 1;
		}
		if (!in_prog)
			return 1;
	}
	return 0;
}

/*
 * Every CO-RE relocation resolved against the kernel's BTF (and its
 * modules') into o->core_fix, once a program that is loaded may reach
 * one (prog: that program; -1: those ld_load wants); the kernel's BTF
 * is not read for an object whose loaded programs need none.  Without
 * kernel BTF, loading such a program is refused.
 */
static int resolve_core(struct ld_obj *o, int prog, char *err, size_t err_len)
{
	const struct elf_core *r;
	struct btf_core_res res;
	struct btf b;
	__u32 *offs = NULL, i, poisoned = 0;
	char e[256], name[300];
	int ret;

	if (!o->elf.core_cnt || o->core_fix || !core_needed(o, prog))
		return 0;
	ret = local_btf(o, &b, &offs, err, err_len);
	if (ret)
		return ret;
	ret = kern_btf(&o->kern, e, sizeof(e));
	if (ret) {
		core_name(o, &b, 0, name, sizeof(name));
		snprintf(err, err_len, "the object has %u CO-RE relocations (the first at %s) and this kernel has no BTF to resolve them against (%s)",
			 o->elf.core_cnt, name, e);
		ret = -ENOTSUP;
		goto out;
	}
	o->core_fix = calloc(o->elf.core_cnt, sizeof(*o->core_fix));
	if (!o->core_fix) {
		snprintf(err, err_len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < o->elf.core_cnt; i++) {
		r = &o->elf.core[i];
		ret = btf_core_calc(&b, o->kern.all, o->kern.mod_cnt + 1, r->type_id,
				    r->access, r->kind, &res, e, sizeof(e)) ?:
		      elf_core_fix(&o->elf, i, &res, &o->core_fix[i], e, sizeof(e));
		if (ret) {
			core_name(o, &b, i, name, sizeof(name));
			snprintf(err, err_len, "CO-RE relocation at %s: %s", name, e);
			goto out;
		}
		if (o->core_fix[i].poisoned) {
			poisoned++;
			core_name(o, &b, i, name, sizeof(name));
			say(o, "CO-RE relocation at %s: %s in the kernel's BTF; the program must not reach it",
			    name, res.found ? "the field's size changed" : "no match");
		}
	}
	say(o, "%u CO-RE relocations resolved against the kernel's BTF (%d modules), %u without a match",
	    o->elf.core_cnt - poisoned, o->kern.mod_cnt, poisoned);
out:
	free(offs);
	return ret;
}

/* The kernel's type called name of kind kind: its BTF (all[*idx]) and
 * id, or 0. */
static __u32 kern_find(const struct kern *k, const char *name, __u32 kind,
		       int *idx)
{
	int i, id;

	for (i = 0; i <= k->mod_cnt; i++) {
		id = btf_find(k->all[i], name, kind);
		if (id > 0) {
			*idx = i;
			return id;
		}
	}
	return 0;
}

/* A kernel function or variable (__ksym) into o->ext[i]. */
static int resolve_ksym(struct ld_obj *o, const struct btf *b, __u32 i,
			char *err, size_t err_len)
{
	const struct elf_extern *x = &o->elf.externs[i];
	struct elf_ext_val *v = &o->ext[i];
	struct btf_type kt;
	__u32 local_type, id = 0;
	char e[200];
	int idx = 0, ret, fd;
	__u64 addr;

	if (btf_skip(b, x->type_id, 1, &local_type))
		local_type = 0;
	if (!x->is_func && !local_type) {
		/* typeless (const void): an address from kallsyms */
		ret = kern_ksym_addr(x->name, &addr);
		if (!ret) {
			v->found = v->typeless = 1;
			v->addr = addr;
			return 0;
		}
		if (ret == -ENOENT && x->weak)
			return 0;
		snprintf(err, err_len, "extern %s (__ksym): %s", x->name,
			 ret == -ENOENT ? "no such symbol in /proc/kallsyms" :
			 ret == -EPERM ? "/proc/kallsyms hides its address (kptr_restrict or lockdown)" :
			 strerror(-ret));
		return ret;
	}
	ret = kern_btf(&o->kern, e, sizeof(e));
	if (!ret)
		id = kern_find(&o->kern, x->name, x->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR,
			       &idx);
	if (!id) {
		if (x->weak)
			return 0;
		if (ret)
			snprintf(err, err_len, "extern %s (__ksym) needs the kernel's BTF: %s",
				 x->name, e);
		else
			snprintf(err, err_len, "extern %s (__ksym): no kernel %s of that name in the kernel's BTF",
				 x->name, x->is_func ? "function" : "variable");
		return ret ?: -ENOENT;
	}
	btf_type(o->kern.all[idx], id, &kt);
	ret = btf_compat(b, x->type_id, o->kern.all[idx], kt.type);
	if (ret <= 0) {
		snprintf(err, err_len, "extern %s (__ksym): its %s differs from the kernel's",
			 x->name, x->is_func ? "prototype" : "type");
		return -EINVAL;
	}
	v->found = 1;
	v->btf_id = id;
	if (!idx)
		return 0;	/* in vmlinux */
	fd = kern_mod_fd(&o->kern, idx - 1, err, err_len);
	if (fd < 0)
		return fd;
	if (!x->is_func) {
		v->btf_fd = fd;
		return 0;
	}
	/* a kfunc call names its module's BTF by index into fd_array */
	for (ret = 1; ret < o->fd_cnt && o->fd_array[ret] != fd; ret++)
		;
	if (ret == o->fd_cnt)
		o->fd_array[o->fd_cnt++] = fd;
	v->fd_idx = ret;
	return 0;
}

/* An integer from a configuration value into dst (size bytes). */
static int put_int(void *dst, __u32 size, int is_signed, const char *val,
		   size_t len)
{
	char num[32], *end;
	unsigned long long u;
	long long sv;
	__u64 max = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, val, len);
	num[len] = 0;
	errno = 0;
	if (is_signed) {
		sv = strtoll(num, &end, 0);
		if (size < 8 && (sv > (long long)(max >> 1) || sv < -(long long)(max >> 1) - 1))
			return -ERANGE;
		u = sv;
	} else {
		u = strtoull(num, &end, 0);
		if (num[0] == '-' || u > max)
			return -ERANGE;
	}
	if (errno || *end)
		return -EINVAL;
	memcpy(dst, &u, size);	/* little-endian: the low bytes */
	return 0;
}

/*
 * A __kconfig value (val, len: y, m, n, a number or a "string") into dst
 * as the extern's type wants it: bool 0/1, enum libbpf_tristate
 * (n 0, y 1, m 2), a 1-byte integer (char) 'y'/'m'/'n', other integers,
 * char arrays.
 */
static int put_kconfig(const struct btf *b, const struct elf_extern *x,
		       __u8 *dst, const char *val, size_t len)
{
	struct btf_type t;
	struct btf_array a;
	__u32 id, info = 0;
	size_t i, n = 0;
	int tri = len == 1 ? (val[0] == 'y' ? 1 : val[0] == 'm' ? 2 : val[0] == 'n' ? 0 : -1) : -1;

	if (btf_skip(b, x->type_id, 1, &id) || btf_type(b, id, &t))
		return -EINVAL;
	if (btf_kind(&t) == BTF_KIND_ARRAY) {
		if (btf_array(b, id, &a) || len < 2 || val[0] != '"' || val[len - 1] != '"')
			return -EINVAL;
		for (i = 1; i + 1 < len && n + 1 < x->size; i++) {
			if (val[i] == '\\' && i + 2 < len)
				i++;
			dst[n++] = val[i];
		}
		return 0;
	}
	if (btf_kind(&t) == BTF_KIND_ENUM || btf_kind(&t) == BTF_KIND_ENUM64) {
		if (tri < 0)
			return -EINVAL;
		dst[0] = tri;
		return 0;
	}
	if (btf_kind(&t) != BTF_KIND_INT || btf_int(b, id, &info))
		return -EINVAL;
	if (BTF_INT_ENCODING(info) & BTF_INT_BOOL) {
		/* y, m or n; or a number (LINUX_HAS_*) */
		if (tri < 0 && put_int(dst, 1, 0, val, len))
			return -EINVAL;
		dst[0] = tri < 0 ? dst[0] != 0 : tri > 0;
		return 0;
	}
	if (x->size == 1 && tri >= 0) {
		dst[0] = val[0];
		return 0;
	}
	if (tri >= 0) {
		__u64 v = tri;

		memcpy(dst, &v, x->size);
		return 0;
	}
	return put_int(dst, x->size, BTF_INT_ENCODING(info) & BTF_INT_SIGNED, val, len);
}

/* LINUX_* values libbpf defines: into *v; 0, or -ENOENT if unknown. */
static int linux_value(struct ld_obj *o, const char *name, __u64 *v)
{
	static const char *const wrappers[] = { "__x64_sys_bpf", "__arm64_sys_bpf",
						"__s390x_sys_bpf", "__riscv_sys_bpf" };
	__u32 ver, i, noff;
	__u64 addr;
	__s64 val;
	char e[16];
	int id, ret = -ENOENT;

	if (!strcmp(name, "LINUX_KERNEL_VERSION")) {
		ret = kern_version(&ver);
		*v = ver;
	} else if (!strcmp(name, "LINUX_HAS_BPF_COOKIE")) {
		/* the helper exists if the kernel's enum bpf_func_id has it */
		*v = 0;
		id = kern_btf(&o->kern, e, sizeof(e)) ? -1 :
		     btf_find(&o->kern.vmlinux, "bpf_func_id", BTF_KIND_ENUM);
		for (i = 0; id > 0 && !btf_enum_val(&o->kern.vmlinux, id, i, &noff, &val); i++)
			if (!strcmp(btf_str(&o->kern.vmlinux, noff) ?: "",
				    "BPF_FUNC_get_attach_cookie"))
				*v = 1;
		ret = 0;
	} else if (!strcmp(name, "LINUX_HAS_SYSCALL_WRAPPER")) {
		*v = 0;
		for (i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
			if (kern_ksym_addr(wrappers[i], &addr) != -ENOENT)
				*v = 1;
		ret = 0;
	}
	return ret;
}

/* A __kconfig extern's value into the .kconfig map's data. */
static int resolve_kconfig(struct ld_obj *o, const struct btf *b, __u32 i,
			   char *err, size_t err_len)
{
	const struct elf_extern *x = &o->elf.externs[i];
	__u8 *dst = (__u8 *)o->data[o->elf.kconfig_map] + x->off;
	const char *val = NULL;
	char num[24];
	size_t len = 0;
	__u64 v;
	int ret;

	if (!strncmp(x->name, "LINUX_", 6)) {
		ret = linux_value(o, x->name, &v);
		if (!ret) {
			len = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
			val = num;
			ret = 1;
		}
	} else if (!strncmp(x->name, "CONFIG_", 7)) {
		ret = kern_config(&o->kern, x->name, &val, &len);
		if (!ret) {
			val = "n";
			len = 1;
			ret = 1;
		}
	} else {
		ret = -ENOENT;
	}
	if (ret == 1) {
		if (put_kconfig(b, x, dst, val, len)) {
			snprintf(err, err_len, "extern %s (__kconfig): value %.*s does not fit its type",
				 x->name, (int)(len > 40 ? 40 : len), val);
			return -EINVAL;
		}
		o->ext[i].found = 1;
		return 0;
	}
	if (x->weak)
		return 0;	/* zero, as the data map starts */
	if (ret == -ENODATA)
		snprintf(err, err_len, "extern %s (__kconfig): no kernel configuration to read (%s, /boot/config-RELEASE); declare it __weak to take 0",
			 x->name, "/proc/config.gz");
	else
		snprintf(err, err_len, "extern %s (__kconfig): not in the kernel's configuration%s%s; declare it __weak to take 0",
			 x->name, o->kern.config_read > 0 ? " " : "",
			 o->kern.config_read > 0 ? o->kern.config_path : "");
	return -ENOENT;
}

static int resolve_externs(struct ld_obj *o, char *err, size_t err_len)
{
	const struct elf_extern *x;
	struct btf b;
	__u32 *offs = NULL, i;
	char id[16];
	int ret = 0;

	memset(o->ext, 0, sizeof(o->ext));
	o->fd_cnt = 1;
	if (!o->elf.extern_cnt)
		return 0;
	ret = local_btf(o, &b, &offs, err, err_len);
	for (i = 0; i < o->elf.extern_cnt && !ret; i++) {
		ret = o->elf.externs[i].kind == ELF_EXT_KCONFIG ?
		      resolve_kconfig(o, &b, i, err, err_len) :
		      resolve_ksym(o, &b, i, err, err_len);
		if (ret)
			break;
		x = &o->elf.externs[i];
		snprintf(id, sizeof(id), "%u", o->ext[i].btf_id);
		say(o, "extern %s: %s%s", x->name,
		    !o->ext[i].found ? "missing, __weak: 0" :
		    x->kind == ELF_EXT_KCONFIG ? "from the kernel's configuration" :
		    o->ext[i].typeless ? "address from /proc/kallsyms" :
		    x->is_func ? "kernel function, BTF id " : "kernel variable, BTF id ",
		    o->ext[i].found && x->kind == ELF_EXT_KSYM && !o->ext[i].typeless ? id : "");
	}
	free(offs);
	return ret;
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
		snprintf(err, err_len, "cannot create map %s (type %u): %s%s%s",
			 m->name, m->type, strerror(-fd), need_root(fd),
			 m->max_entries ? "" : " (max_entries 0: its definition gives it no size)");
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

/* Sizes left to the loader: a perf event array without max_entries
 * gets a slot per possible CPU, as libbpf gives it. */
static int size_maps(struct ld_obj *o, char *err, size_t err_len)
{
	struct elf_map *m;
	__u32 i;
	int n;

	for (i = 0; i < o->elf.map_cnt; i++) {
		m = &o->elf.maps[i];
		if (m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || m->max_entries)
			continue;
		n = kern_possible_cpus();
		if (n < 0) {
			snprintf(err, err_len, "map %s: cannot count the possible CPUs for its size: %s",
				 m->name, strerror(-n));
			return n;
		}
		m->max_entries = n;
		say(o, "map %s: max_entries %d, the possible CPUs", m->name, n);
	}
	return 0;
}

/* Upload the BTF (fixed up); a refusal is news, not an error. */
static void load_btf(struct ld_obj *o)
{
	char log[4096], *last;
	void *btf;
	__u32 len;
	int fd;

	if (!o->elf.btf)
		return;
	if (o->no_btf) {
		snprintf(o->note, sizeof(o->note),
			 "BTF not loaded (the kernel cannot take it): maps and programs load without it, verifier errors show no source lines");
		return;
	}
	len = elf_btf_fixup_len(&o->elf);
	btf = malloc(len);
	if (!btf)
		return;
	elf_btf_fixup(&o->elf, btf);
	fd = bpf_btf_load(btf, len, NULL, 0);
	if (fd < 0 && fd != -EPERM) {
		/* Once more with a log: its last line says why. */
		bpf_btf_load(btf, len, log, sizeof(log));
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
		say(o, "BTF loaded (%u bytes)", len);
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

/*
 * The CO-RE relocation a refused program reached, if the verifier's
 * log names a poisoned call ("invalid func unknown#N"): its index, or
 * -1.  Its instruction in the linked program into *pos.
 */
static int reached_core(const struct ld_obj *o, const struct elf_layout *l,
			const char *log, __u32 *pos)
{
	const struct elf_core *r;
	const struct elf_func *f;
	const char *p = log;
	unsigned long n;
	__u32 s;

	while (o->core_fix && (p = strstr(p, "unknown#"))) {
		p += 8;
		n = strtoul(p, NULL, 10);
		if (n < ELF_CORE_POISON || n - ELF_CORE_POISON >= o->elf.core_cnt)
			continue;
		r = &o->elf.core[n - ELF_CORE_POISON];
		for (s = 0; s < l->seg_cnt; s++) {
			f = &o->elf.funcs[l->segs[s].func_idx];
			if (f->sec_idx == r->sec_idx && r->insn >= f->off &&
			    r->insn - f->off < f->cnt) {
				*pos = l->segs[s].pos + r->insn - f->off;
				return n - ELF_CORE_POISON;
			}
		}
	}
	return -1;
}

static int load_prog(struct ld_obj *o, __u32 p, char *err, size_t err_len)
{
	const struct elf_prog *pr = &o->elf.progs[p];
	struct bpf_prog_load_opts lo = {
		.prog_type = pr->type, .license = o->elf.license,
		.btf_fd = o->btf_fd,
		.prog_flags = pr->flags |
			      (pr->type == BPF_PROG_TYPE_XDP ? o->prog_flags : 0),
		.expected_attach_type = pr->attach_type,
		.fd_array = o->fd_cnt > 1 ? o->fd_array : NULL,
	};
	char name[BPF_OBJ_NAME_LEN], *log = NULL, *log2 = NULL, where[300];
	struct elf_layout l;
	struct bpf_insn *insns = NULL;
	struct bpf_func_info *fi = NULL;
	struct bpf_line_info *li = NULL;
	struct btf b;
	__u32 pos, *offs = NULL;
	int fd, fd2, c;

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
	elf_patch(&o->elf, &l, o->core_fix, o->ext, insns);
	if (fi) {
		elf_func_info(&o->elf, &l, fi, lo.func_info_cnt);
		elf_line_info(&o->elf, &l, li, lo.line_info_cnt);
	}
	if (pr->type == BPF_PROG_TYPE_TRACING) {
		lo.attach_prog_fd = o->attach_prog_fd;
		lo.attach_btf_id = o->attach_btf_id;
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
	c = fd < 0 && log ? reached_core(o, &l, log, &pos) : -1;
	if (c >= 0 && !local_btf(o, &b, &offs, err, err_len)) {
		core_name(o, &b, c, where, sizeof(where));
		snprintf(err, err_len, "cannot load program %s: its instruction %u needs CO-RE relocation %s, which the kernel's BTF cannot satisfy; verifier says:",
			 pr->name, pos, where);
		log_tail(err, err_len, log);
		free(offs);
	} else if (fd < 0) {
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

/*
 * Loaded: the selected program (all if none but those skipped, and
 * tracing programs without a target) and `values` targets.
 */
static int wanted(const struct ld_obj *o, __u32 p)
{
	__u32 i;

	if (!o->prog && (o->skip[p] ||
			 (o->elf.progs[p].type == BPF_PROG_TYPE_TRACING &&
			  !o->attach_prog_fd && !o->attach_btf_id)))
		return 0;
	if (!o->prog || o->prog == &o->elf.progs[p] ||
	    (o->conv_too && o->elf.progs[p].conv))
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
	ret = resolve_externs(o, err, err_len) ?: resolve_core(o, -1, err, err_len) ?:
	      size_maps(o, err, err_len);
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
	/* the kernel holds what it needs of these now (core_fix stays for
	 * ld_prog_load) */
	kern_free(&o->kern);
	o->fd_cnt = 1;
	return ret;
}

int ld_prog_load(struct ld_obj *o, const char *name, int attach_prog_fd,
		 __u32 attach_btf_id, char *err, size_t err_len)
{
	const struct elf_prog *pr = elf_find_prog(&o->elf, name);
	int keep_fd, keep_tgt = o->attach_prog_fd, fd;
	__u32 p, keep_btf = o->attach_btf_id;

	if (!pr || !name) {
		snprintf(err, err_len, "no program called %s in the object", name);
		return -ENOENT;
	}
	p = pr - o->elf.progs;
	fd = resolve_core(o, p, err, err_len);
	kern_free(&o->kern);
	if (fd)
		return fd;
	keep_fd = o->prog_fds[p];
	o->prog_fds[p] = -1;
	o->attach_prog_fd = attach_prog_fd;
	o->attach_btf_id = attach_btf_id;
	fd = load_prog(o, p, err, err_len);
	if (!fd)
		fd = o->prog_fds[p];
	o->prog_fds[p] = keep_fd;
	o->attach_prog_fd = keep_tgt;
	o->attach_btf_id = keep_btf;
	return fd;
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
	free(o->core_fix);
	o->core_fix = NULL;
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
