// SPDX-License-Identifier: GPL-2.0
/*
 * loader_test.c - the loader (loader.h) on the corpus in tests/objs/.
 *
 * Every object is built by the Makefile for -mcpu=v1, v2 and v3, with -g
 * and (unless it needs BTF) without: build/objs/NAME.CPU[.g].o.  For each
 * (object, variant) this loads the object with ld_parse/ld_set_var/ld_load
 * (or ld_open), runs its programs with BPF_PROG_TEST_RUN on frames built
 * here, and checks what only correct relocations can produce: return
 * codes, map and global-data contents at offsets read from the object's
 * own symbol table (a reader independent of elf.c), program-array and
 * map-in-map slots, pinned-map reuse, verifier messages with source lines.
 *
 * Output: one line per case, "ok NAME[: note]", "not ok NAME: why" or
 * "skip NAME: why" (tests/run counts them).  Exit status 1 if a case
 * failed, else 0 (also when skipping everything for lack of privilege).
 * Run from the top of the tree (tests/run does).
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include "bpf.h"
#include "loader.h"

#define OBJ_DIR		"build/objs"
#define FRAME_MIN	60
#define FRAME_MAX	256
#define ARG_OFF		42	/* objects read their arguments here */
#define LEG_MARK	0x4c454741ull
#define BTF_MARK	0xb7b7b7b7u
#define PIN_MAP		"ti_test_pinned"

/* One (object, variant): what a case function gets. */
struct tc {
	char name[64];		/* "globals.v2.g" */
	const char *obj;
	const char *cpu;
	int g;
	void *buf;		/* the object file */
	size_t len;
};

struct entry {
	const char *obj;
	int btf_only;		/* built with -g only */
	int (*fn)(struct tc *c, char *why, size_t why_len);
};

static const char *const cpus[] = { "v1", "v2", "v3" };
static char pin_dir[64];	/* a bpffs mounted here; "" until needed */
static int pin_mounted;

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whole file into a malloc'd buffer; 0 or -errno. */
static int read_file(const char *path, void **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n = -1;
	void *b = NULL;
	int ret = -EIO;

	if (!f)
		return -errno;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (b = malloc(n + 1)) &&
	    fread(b, 1, n, f) == (size_t)n) {
		((char *)b)[n] = 0;
		*buf = b;
		*len = n;
		b = NULL;
		ret = 0;
	}
	free(b);
	fclose(f);
	return ret;
}

/* --- the object's symbols, read independently of elf.c ----------------- */

static const void *at(const struct tc *c, __u64 off, __u64 size)
{
	if (off > c->len || size > c->len - off)
		return NULL;
	return (const char *)c->buf + off;
}

/*
 * Offset of global variable name inside its section, and that section's
 * name (the loader names data maps after it).  0 or -ENOENT.
 */
static int sym_find(const struct tc *c, const char *name, __u32 *off,
		    const char **sec)
{
	const Elf64_Ehdr *eh = at(c, 0, sizeof(*eh));
	const Elf64_Shdr *sh, *symtab = NULL, *strtab, *shstr;
	const Elf64_Sym *sym;
	const char *strs, *shstrs;
	__u64 i;

	if (!eh || !(sh = at(c, eh->e_shoff, (__u64)eh->e_shnum * sizeof(*sh))) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -ENOENT;
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
			symtab = &sh[i];
	if (!symtab || symtab->sh_link >= eh->e_shnum)
		return -ENOENT;
	strtab = &sh[symtab->sh_link];
	shstr = &sh[eh->e_shstrndx];
	sym = at(c, symtab->sh_offset, symtab->sh_size);
	strs = at(c, strtab->sh_offset, strtab->sh_size);
	shstrs = at(c, shstr->sh_offset, shstr->sh_size);
	if (!sym || !strs || !shstrs || !strtab->sh_size || !shstr->sh_size ||
	    strs[strtab->sh_size - 1] || shstrs[shstr->sh_size - 1])
		return -ENOENT;
	for (i = 0; i < symtab->sh_size / sizeof(*sym); i++) {
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_OBJECT ||
		    sym[i].st_name >= strtab->sh_size ||
		    strcmp(strs + sym[i].st_name, name) ||
		    sym[i].st_shndx >= eh->e_shnum ||
		    sh[sym[i].st_shndx].sh_name >= shstr->sh_size)
			continue;
		*off = sym[i].st_value;
		*sec = shstrs + sh[sym[i].st_shndx].sh_name;
		return 0;
	}
	return -ENOENT;
}

/* --- loading ------------------------------------------------------------ */

struct var {
	const char *name;
	const void *val;
	size_t len;
};

/*
 * ld_parse, ld_set_var for each of vars, ld_load.  A new ld_obj in *op
 * (free with unload) or -1 with why.  For -g variants, also insist that
 * the kernel took the BTF: on this kernel a refusal is a loader bug.
 */
static int load(struct tc *c, const char *pin, const struct var *vars,
		struct ld_obj **op, char *why, size_t why_len)
{
	struct ld_obj *o = calloc(1, sizeof(*o));
	char err[4096] = "";
	int ret;

	*op = NULL;
	if (!o)
		return fail(why, why_len, "out of memory");
	ret = ld_parse(o, c->buf, c->len, err, sizeof(err));
	if (ret) {
		free(o);
		return fail(why, why_len, "ld_parse: %s: %s", strerror(-ret), err);
	}
	for (; vars && vars->name; vars++) {
		ret = ld_set_var(o, vars->name, vars->val, vars->len, err,
				 sizeof(err));
		if (ret) {
			ld_close(o);
			free(o);
			return fail(why, why_len, "ld_set_var %s: %s: %s",
				    vars->name, strerror(-ret), err);
		}
	}
	o->pin_dir = pin;
	ret = ld_load(o, err, sizeof(err));
	if (ret) {
		ld_close(o);
		free(o);
		return fail(why, why_len, "ld_load: %s: %s", strerror(-ret), err);
	}
	if (c->g && o->btf_fd < 0) {
		fail(why, why_len, "built with -g but no BTF loaded (note: %s)",
		     *o->note ? o->note : "none");
		ld_close(o);
		free(o);
		return -1;
	}
	*op = o;
	return 0;
}

static void unload(struct ld_obj *o)
{
	if (o) {
		ld_close(o);
		free(o);
	}
}

/* --- frames and runs ----------------------------------------------------- */

/*
 * Ethernet + IPv4 (protocol proto, 192.0.2.1 -> 198.51.100.2) + 8 bytes
 * of UDP-style ports and length (source port 0x1234), then args at
 * ARG_OFF, zero-padded to len (at least FRAME_MIN).  eth_proto other than
 * ETH_P_IP gives an Ethernet header and zeros.
 */
static size_t frame(__u8 *f, __u16 eth_proto, __u8 proto, const __u8 *args,
		    size_t nargs, size_t len)
{
	static const __u8 head[] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
	};
	size_t i;

	if (len < FRAME_MIN)
		len = FRAME_MIN;
	if (len > FRAME_MAX)
		len = FRAME_MAX;
	memset(f, 0, FRAME_MAX);
	memcpy(f, head, sizeof(head));
	f[12] = eth_proto >> 8;
	f[13] = eth_proto;
	if (eth_proto != ETH_P_IP)
		return len;
	f[14] = 0x45;
	f[16] = (len - 14) >> 8;
	f[17] = len - 14;
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, (__u8[]){ 192, 0, 2, 1 }, 4);
	memcpy(f + 30, (__u8[]){ 198, 51, 100, 2 }, 4);
	f[34] = 0x12;
	f[35] = 0x34;
	f[36] = 0x00;
	f[37] = 53;
	f[38] = (len - 34) >> 8;
	f[39] = len - 34;
	for (i = 0; i < nargs && ARG_OFF + i < len; i++)
		f[ARG_OFF + i] = args[i];
	return len;
}

/* Run prog_fd repeat times on an IPv4 frame with args; its return code. */
static int run(int prog_fd, __u8 proto, const __u8 *args, size_t nargs,
	       size_t len, __u32 repeat, __u32 *retval, char *why,
	       size_t why_len)
{
	__u8 f[FRAME_MAX];
	struct bpf_test_run t = {
		.data_in = f,
		.data_len_in = frame(f, ETH_P_IP, proto, args, nargs, len),
		.repeat = repeat,
	};
	int ret;

	if (prog_fd < 0)
		return fail(why, why_len, "no program fd");
	ret = bpf_prog_test_run(prog_fd, &t);
	if (ret)
		return fail(why, why_len, "test run: %s", strerror(-ret));
	*retval = t.retval;
	return 0;
}

/* Run and insist on return code want. */
static int run_want(int prog_fd, const char *what, const __u8 *args,
		    size_t nargs, __u32 want, char *why, size_t why_len)
{
	__u32 rv;

	if (run(prog_fd, IPPROTO_UDP, args, nargs, 0, 1, &rv, why, why_len))
		return -1;
	if (rv != want)
		return fail(why, why_len, "%s returned %u, want %u", what, rv, want);
	return 0;
}

/* --- maps ---------------------------------------------------------------- */

static int prog_fd(struct ld_obj *o, const char *name, int *fd, char *why,
		   size_t why_len)
{
	*fd = ld_prog_fd(o, name);
	if (*fd < 0)
		return fail(why, why_len, "ld_prog_fd(%s) = %d", name, *fd);
	return 0;
}

static int map_fd(struct ld_obj *o, const char *name, int *fd, char *why,
		  size_t why_len)
{
	*fd = ld_map_fd(o, name);
	if (*fd < 0)
		return fail(why, why_len, "ld_map_fd(%s) = %d", name, *fd);
	return 0;
}

static int map_info(int fd, struct bpf_map_info *info, const char *name,
		    char *why, size_t why_len)
{
	__u32 len = sizeof(*info);
	int ret;

	memset(info, 0, sizeof(*info));
	ret = bpf_obj_get_info_by_fd(fd, info, &len);
	if (ret)
		return fail(why, why_len, "map %s: get info: %s", name,
			    strerror(-ret));
	return 0;
}

static __u32 obj_id(int fd)
{
	struct bpf_prog_info info;	/* id comes first in map info too */
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The kernel's map must be what the object defined. */
static int map_is(struct ld_obj *o, const char *name, __u32 type, __u32 key,
		  __u32 value, __u32 max, __u32 flags, char *why,
		  size_t why_len)
{
	struct bpf_map_info i;
	int fd;

	if (map_fd(o, name, &fd, why, why_len) ||
	    map_info(fd, &i, name, why, why_len))
		return -1;
	if (i.type != type || i.key_size != key || i.value_size != value ||
	    i.max_entries != max || i.map_flags != flags)
		return fail(why, why_len,
			    "map %s is type %u key %u value %u max %u flags %#x, want %u %u %u %u %#x",
			    name, i.type, i.key_size, i.value_size,
			    i.max_entries, i.map_flags, type, key, value, max,
			    flags);
	return 0;
}

static int lookup(struct ld_obj *o, const char *name, const void *key,
		  void *val, char *why, size_t why_len)
{
	int fd, ret;

	if (map_fd(o, name, &fd, why, why_len))
		return -1;
	ret = bpf_map_lookup_elem(fd, key, val);
	if (ret)
		return fail(why, why_len, "map %s: lookup: %s", name,
			    strerror(-ret));
	return 0;
}

static int lookup_u64(struct ld_obj *o, const char *name, __u32 key,
		      __u64 want, char *why, size_t why_len)
{
	__u64 v;

	if (lookup(o, name, &key, &v, why, why_len))
		return -1;
	if (v != want)
		return fail(why, why_len, "%s[%u] = %llu, want %llu", name, key,
			    (unsigned long long)v, (unsigned long long)want);
	return 0;
}

/*
 * size bytes of global variable name as the kernel holds them: from the
 * data map named after its section, at the symbol's offset.
 */
static int var_get(struct tc *c, struct ld_obj *o, const char *name,
		   void *out, size_t size, char *why, size_t why_len)
{
	struct bpf_map_info info;
	const char *sec;
	__u32 off, zero = 0;
	__u8 *val;
	int fd, ret;

	if (sym_find(c, name, &off, &sec))
		return fail(why, why_len, "no symbol %s in the object", name);
	if (map_fd(o, sec, &fd, why, why_len) ||
	    map_info(fd, &info, sec, why, why_len))
		return -1;
	if (info.key_size != 4 || info.max_entries != 1 ||
	    (__u64)off + size > info.value_size)
		return fail(why, why_len, "data map %s: key %u, %u entries, value %u bytes: %s at %u does not fit",
			    sec, info.key_size, info.max_entries,
			    info.value_size, name, off);
	val = calloc(1, info.value_size);
	if (!val)
		return fail(why, why_len, "out of memory");
	ret = bpf_map_lookup_elem(fd, &zero, val);
	if (!ret)
		memcpy(out, val + off, size);
	free(val);
	if (ret)
		return fail(why, why_len, "data map %s: lookup: %s", sec,
			    strerror(-ret));
	return 0;
}

static int var_is(struct tc *c, struct ld_obj *o, const char *name,
		  size_t size, __u64 want, char *why, size_t why_len)
{
	__u64 v = 0;	/* little-endian host: the low size bytes */

	if (var_get(c, o, name, &v, size, why, why_len))
		return -1;
	if (v != want)
		return fail(why, why_len, "%s = %llu (%#llx), want %llu (%#llx)",
			    name, (unsigned long long)v, (unsigned long long)v,
			    (unsigned long long)want, (unsigned long long)want);
	return 0;
}

/* --- the cases ----------------------------------------------------------- */

/* legacy_maps, legacy_elf_maps: the same program in two map-record styles. */
static int t_legacy(struct tc *c, const char *sec, char *why, size_t why_len)
{
	__u64 mark = LEG_MARK;
	__u32 rv, key0 = 0, last, len;
	struct ld_obj *o;
	__u8 f[FRAME_MAX];
	struct bpf_test_run arp = { .data_in = f };
	int fd, err, ret = -1;

	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, sec, &fd, why, why_len) ||
	    map_is(o, "proto_cnt", BPF_MAP_TYPE_ARRAY, 4, 8, 256, 0, why, why_len) ||
	    map_is(o, "marker", BPF_MAP_TYPE_HASH, 8, 4, 4, 0, why, why_len) ||
	    map_is(o, "last_proto", BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, why, why_len))
		goto out;
	if (run(fd, IPPROTO_UDP, NULL, 0, 64, 3, &rv, why, why_len))
		goto out;
	if (rv != XDP_PASS) {
		fail(why, why_len, "UDP frame: returned %u, want XDP_PASS", rv);
		goto out;
	}
	if (run(fd, IPPROTO_TCP, NULL, 0, 70, 1, &rv, why, why_len))
		goto out;
	if (rv != XDP_PASS) {
		fail(why, why_len, "TCP frame: returned %u, want XDP_PASS", rv);
		goto out;
	}
	arp.data_len_in = frame(f, ETH_P_ARP, 0, NULL, 0, 0);
	err = bpf_prog_test_run(fd, &arp);
	if (err) {
		fail(why, why_len, "ARP frame: test run: %s", strerror(-err));
		goto out;
	}
	if (arp.retval != XDP_DROP) {
		fail(why, why_len, "ARP frame: returned %u, want XDP_DROP",
		     arp.retval);
		goto out;
	}
	if (lookup_u64(o, "proto_cnt", IPPROTO_UDP, 3, why, why_len) ||
	    lookup_u64(o, "proto_cnt", IPPROTO_TCP, 1, why, why_len) ||
	    lookup_u64(o, "proto_cnt", IPPROTO_ICMP, 0, why, why_len) ||
	    lookup(o, "marker", &mark, &len, why, why_len) ||
	    lookup(o, "last_proto", &key0, &last, why, why_len))
		goto out;
	if (len != 70 || last != IPPROTO_TCP) {
		fail(why, why_len, "marker %u, want 70; last_proto %u, want 6",
		     len, last);
		goto out;
	}
	ret = 0;
out:
	unload(o);
	return ret;
}

static int t_legacy_maps(struct tc *c, char *why, size_t why_len)
{
	return t_legacy(c, "xdp/legacy", why, why_len);
}

static int t_legacy_elf_maps(struct tc *c, char *why, size_t why_len)
{
	/* by function name this time */
	return t_legacy(c, "elf_count", why, why_len);
}

/* Generic: the object must not load, and err must contain each of want. */
static int refused(struct tc *c, const char *pin, const char *const *want,
		   char *err, size_t err_len, char *why, size_t why_len)
{
	struct ld_obj *o = calloc(1, sizeof(*o));
	int ret, i;

	if (!o)
		return fail(why, why_len, "out of memory");
	*err = 0;
	ret = ld_parse(o, c->buf, c->len, err, err_len);
	if (!ret) {
		o->pin_dir = pin;
		ret = ld_load(o, err, err_len);
		ld_close(o);
	}
	free(o);
	if (!ret)
		return fail(why, why_len, "loaded, want a refusal");
	if (ret == -EPERM)
		return fail(why, why_len, "refused for lack of privilege: %s", err);
	for (i = 0; want[i]; i++)
		if (!strstr(err, want[i]))
			return fail(why, why_len, "%s, but the message lacks \"%s\": %s",
				    strerror(-ret), want[i], err);
	return 0;
}

static int t_legacy_bad(struct tc *c, char *why, size_t why_len)
{
	static const char *const want[] = { "global_cnt", NULL };
	char err[1024];

	if (refused(c, NULL, want, err, sizeof(err), why, why_len))
		return -1;
	snprintf(why, why_len, "%s", err);
	return 0;
}

/* The flow key as the program builds it: bytes as on the wire. */
struct flow {
	__u32 saddr;
	__u16 sport;
	__u8 proto;
	__u8 pad;
};

static int t_btf_maps(struct tc *c, char *why, size_t why_len)
{
	struct flow fl = { .proto = IPPROTO_UDP };
	struct { __u32 len, sport, mark; } sv;
	struct { __u64 pkts, bytes; } st;
	struct ld_obj *o;
	__u32 rv;
	int fd, ret = -1;

	memcpy(&fl.saddr, (__u8[]){ 192, 0, 2, 1 }, 4);
	memcpy(&fl.sport, (__u8[]){ 0x12, 0x34 }, 2);
	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "xdp", &fd, why, why_len) ||
	    map_is(o, "by_type", BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, why, why_len) ||
	    map_is(o, "by_size", BPF_MAP_TYPE_HASH, 8, 12, 64,
		   BPF_F_NO_PREALLOC, why, why_len) ||
	    map_is(o, "flows", BPF_MAP_TYPE_LRU_HASH, 8, 16, 32,
		   BPF_F_NUMA_NODE, why, why_len) ||
	    run(fd, IPPROTO_UDP, NULL, 0, 66, 2, &rv, why, why_len))
		goto out;
	if (rv != XDP_PASS) {
		fail(why, why_len, "returned %u, want XDP_PASS", rv);
		goto out;
	}
	if (lookup_u64(o, "by_type", IPPROTO_UDP & 7, 2, why, why_len) ||
	    lookup_u64(o, "by_type", IPPROTO_TCP & 7, 0, why, why_len) ||
	    lookup(o, "by_size", &fl, &sv, why, why_len) ||
	    lookup(o, "flows", &fl, &st, why, why_len))
		goto out;
	if (sv.len != 66 || sv.sport != 0x1234 || sv.mark != BTF_MARK) {
		fail(why, why_len, "by_size value { %u, %#x, %#x }, want { 66, 0x1234, %#x }",
		     sv.len, sv.sport, sv.mark, BTF_MARK);
		goto out;
	}
	if (st.pkts != 2 || st.bytes != 132) {
		fail(why, why_len, "flows value { %llu, %llu }, want { 2, 132 }",
		     (unsigned long long)st.pkts, (unsigned long long)st.bytes);
		goto out;
	}
	ret = 0;
out:
	unload(o);
	return ret;
}

/* ld_set_var must check the name and the size. */
static int set_var_checks(struct tc *c, char *why, size_t why_len)
{
	struct ld_obj *o = calloc(1, sizeof(*o));
	__u32 four = XDP_TX;
	__u64 eight = 1;
	char err[512];
	int ret;

	if (!o)
		return fail(why, why_len, "out of memory");
	ret = ld_parse(o, c->buf, c->len, err, sizeof(err));
	if (ret) {
		free(o);
		return fail(why, why_len, "ld_parse: %s: %s", strerror(-ret), err);
	}
	ret = -1;
	if (!ld_set_var(o, "cfg_ret", &eight, sizeof(eight), err, sizeof(err)))
		fail(why, why_len, "ld_set_var took 8 bytes for the 4-byte cfg_ret");
	else if (!ld_set_var(o, "no_such_var", &four, sizeof(four), err,
			     sizeof(err)))
		fail(why, why_len, "ld_set_var took an unknown name");
	else
		ret = 0;
	ld_close(o);
	free(o);
	return ret;
}

/* .rodata is frozen after load: user space may no longer write it. */
static int rodata_frozen(struct ld_obj *o, char *why, size_t why_len)
{
	struct bpf_map_info ri;
	__u32 zero = 0;
	__u8 *ro;
	int fd, e;

	if (map_fd(o, ".rodata", &fd, why, why_len) ||
	    map_info(fd, &ri, ".rodata", why, why_len))
		return -1;
	ro = calloc(1, ri.value_size);
	if (!ro)
		return fail(why, why_len, "out of memory");
	e = bpf_map_update_elem(fd, &zero, ro, BPF_ANY);
	free(ro);
	if (e != -EPERM)
		return fail(why, why_len, "writing .rodata from user space: %s, want EPERM (frozen)",
			    e ? strerror(-e) : "success");
	return 0;
}

static int t_globals(struct tc *c, char *why, size_t why_len)
{
	static const __u8 args[] = { 2, 3, 12 };	/* tab 30, 'i', 'c' */
	__u32 tx = XDP_TX, rv;
	int data_var = 1000;
	const struct var set[] = {
		{ "cfg_ret", &tx, sizeof(tx) },
		{ "data_var", &data_var, sizeof(data_var) },
		{ NULL },
	};
	struct ld_obj *o;
	int fd, ret = -1;

	if (set_var_checks(c, why, why_len))
		return -1;

	/* Defaults: returns XDP_PASS, reads data_var 42. */
	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "xdp/globals", &fd, why, why_len) ||
	    run(fd, IPPROTO_UDP, args, 3, 77, 1, &rv, why, why_len))
		goto out;
	if (rv != XDP_PASS) {
		fail(why, why_len, "default cfg_ret: returned %u, want XDP_PASS", rv);
		goto out;
	}
	if (var_is(c, o, "bss_runs", 8, 1, why, why_len) ||
	    var_is(c, o, "bss_len", 4, 77, why, why_len) ||
	    var_is(c, o, "bss_tab", 4, 30 + 42, why, why_len) ||
	    var_is(c, o, "bss_name", 4, 'i', why, why_len) ||
	    var_is(c, o, "bss_lit", 4, 'c', why, why_len) ||
	    var_is(c, o, "bss_static", 8, 7, why, why_len) ||
	    var_is(c, o, "data_static", 4, 8, why, why_len) ||
	    var_is(c, o, "data_var", 4, 42, why, why_len) ||
	    var_is(c, o, "cfg_ret", 4, XDP_PASS, why, why_len) ||
	    run(fd, IPPROTO_UDP, args, 3, 77, 1, &rv, why, why_len) ||
	    var_is(c, o, "bss_runs", 8, 2, why, why_len) ||
	    var_is(c, o, "bss_static", 8, 7 + 8, why, why_len) ||
	    var_is(c, o, "data_static", 4, 9, why, why_len) ||
	    rodata_frozen(o, why, why_len))
		goto out;
	unload(o);

	/* Set before load: cfg_ret (.rodata) and data_var (.data). */
	if (load(c, NULL, set, &o, why, why_len))
		return -1;
	if (prog_fd(o, "globals", &fd, why, why_len) ||
	    run(fd, IPPROTO_UDP, args, 3, 77, 1, &rv, why, why_len))
		goto out;
	if (rv != XDP_TX) {
		fail(why, why_len, "cfg_ret set to XDP_TX: returned %u", rv);
		goto out;
	}
	if (var_is(c, o, "cfg_ret", 4, XDP_TX, why, why_len) ||
	    var_is(c, o, "bss_tab", 4, 30 + 1000, why, why_len) ||
	    var_is(c, o, "bss_runs", 8, 1, why, why_len))
		goto out;
	ret = 0;
out:
	unload(o);
	return ret;
}

/* subprogs.c's functions, in 32-bit arithmetic like the program's. */
static __u32 sq_plus(__u32 x)
{
	return x * x + 3;
}

static __u32 twice_sq(__u32 x)
{
	return 2 * sq_plus(x) + sq_plus(x + 1);
}

static int t_subprogs(struct tc *c, char *why, size_t why_len)
{
	static const __u8 args[] = { 5, 9 };
	__u32 ra = sq_plus(twice_sq(5)), rb = twice_sq(5) ^ (9 << 4), res[2];
	__u64 calls[3];
	struct ld_obj *o;
	int fa, fb, ret = -1;

	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "xdp/sub_a", &fa, why, why_len) ||
	    prog_fd(o, "sub_b", &fb, why, why_len))
		goto out;
	if (fa == fb) {
		fail(why, why_len, "sub_a and sub_b have the same fd %d", fa);
		goto out;
	}
	if (run_want(fa, "sub_a", args, 2, (ra & 0xff) + 8, why, why_len) ||
	    var_is(c, o, "res", 4, ra, why, why_len) ||
	    var_is(c, o, "calls", 8, 3, why, why_len))
		goto out;
	if (run_want(fb, "sub_b", args, 2, (rb & 0xff) + 8, why, why_len))
		goto out;
	if (var_get(c, o, "res", res, sizeof(res), why, why_len) ||
	    var_get(c, o, "calls", calls, sizeof(calls), why, why_len))
		goto out;
	if (res[0] != ra || res[1] != rb || calls[0] != 5 || calls[1] != 2 ||
	    calls[2] != 1) {
		fail(why, why_len, "res { %u, %u } calls { %llu, %llu, %llu }, want { %u, %u } { 5, 2, 1 }",
		     res[0], res[1], (unsigned long long)calls[0],
		     (unsigned long long)calls[1], (unsigned long long)calls[2],
		     ra, rb);
		goto out;
	}
	ret = 0;
out:
	unload(o);
	return ret;
}

static int t_multi(struct tc *c, char *why, size_t why_len)
{
	static const struct {
		const char *name;
		__u32 ret;
		int idx;
	} p[] = {
		{ "xdp/a", 20, 0 }, { "prog_a", 20, 0 },
		{ "xdp/b", 21, 1 }, { "prog_b", 21, 1 },
		{ "xdp/c", 22, 2 }, { "prog_c", 22, 2 },
		{ "first_in_xdp", 23, 3 }, { "second_in_xdp", 24, 4 },
	};
	__u64 hits[5] = { 0 }, got[5];
	struct ld_obj *o, *o2 = NULL;
	char err[1024];
	size_t i;
	int fd, e, ret = -1;

	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		if (prog_fd(o, p[i].name, &fd, why, why_len) ||
		    run_want(fd, p[i].name, NULL, 0, p[i].ret, why, why_len))
			goto out;
		hits[p[i].idx]++;
	}
	if (ld_prog_fd(o, "xdp/a") != ld_prog_fd(o, "prog_a")) {
		fail(why, why_len, "xdp/a and prog_a give different fds");
		goto out;
	}
	if (ld_prog_fd(o, "no_such_prog") != -1) {
		fail(why, why_len, "ld_prog_fd(no_such_prog) is not -1");
		goto out;
	}
	if (var_get(c, o, "hits", got, sizeof(got), why, why_len))
		goto out;
	if (memcmp(got, hits, sizeof(got))) {
		fail(why, why_len, "hits { %llu %llu %llu %llu %llu }, want { %llu %llu %llu %llu %llu }",
		     (unsigned long long)got[0], (unsigned long long)got[1],
		     (unsigned long long)got[2], (unsigned long long)got[3],
		     (unsigned long long)got[4], (unsigned long long)hits[0],
		     (unsigned long long)hits[1], (unsigned long long)hits[2],
		     (unsigned long long)hits[3], (unsigned long long)hits[4]);
		goto out;
	}
	/* ld_open by section and by function name. */
	for (i = 0; i < 2; i++) {
		const char *name = i ? "second_in_xdp" : "xdp/b";
		__u32 want = i ? 24 : 21;

		o2 = calloc(1, sizeof(*o2));
		if (!o2) {
			fail(why, why_len, "out of memory");
			goto out;
		}
		e = ld_open(o2, c->buf, c->len, name, err, sizeof(err));
		if (e) {
			free(o2);
			o2 = NULL;
			fail(why, why_len, "ld_open(%s): %s: %s", name,
			     strerror(-e), err);
			goto out;
		}
		if (run_want(o2->prog_fd, name, NULL, 0, want, why, why_len))
			goto out;
		unload(o2);
		o2 = NULL;
	}
	ret = 0;
out:
	unload(o2);
	unload(o);
	return ret;
}

static int t_tailcall(struct tc *c, char *why, size_t why_len)
{
	static const __u8 one[] = { 1 }, zero_arg[] = { 0 }, two[] = { 2 };
	struct ld_obj *o;
	__u32 key, id, target_id;
	int entry, target, jfd, e, ret = -1;

	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "tail_entry", &entry, why, why_len) ||
	    prog_fd(o, "xdp/target", &target, why, why_len) ||
	    map_is(o, "jmp_table", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 3, 0, why,
		   why_len) ||
	    map_fd(o, "jmp_table", &jfd, why, why_len))
		goto out;
	if (run_want(target, "tail_target", NULL, 0, XDP_TX, why, why_len) ||
	    run_want(entry, "tail_entry via slot 1", one, 1, XDP_TX, why, why_len) ||
	    run_want(entry, "tail_entry via empty slot 0", zero_arg, 1,
		     XDP_DROP, why, why_len) ||
	    run_want(entry, "tail_entry via empty slot 2", two, 1, XDP_DROP,
		     why, why_len))
		goto out;
	/* User-space lookups in a program array give program ids. */
	key = 1;
	target_id = obj_id(target);
	e = bpf_map_lookup_elem(jfd, &key, &id);
	if (e || id != target_id) {
		fail(why, why_len, "jmp_table[1]: %s, id %u, want tail_target's id %u",
		     strerror(-e), e ? 0 : id, target_id);
		goto out;
	}
	key = 0;
	e = bpf_map_lookup_elem(jfd, &key, &id);
	if (e != -ENOENT) {
		fail(why, why_len, "jmp_table[0]: %s, want ENOENT (empty)",
		     e ? strerror(-e) : "an entry");
		goto out;
	}
	ret = 0;
out:
	unload(o);
	return ret;
}

static int t_mapinmap(struct tc *c, char *why, size_t why_len)
{
	static const __u8 a2[] = { 0, 2, 7 }, b2[] = { 1, 2, 9 },
			  empty[] = { 2, 0, 0 };
	struct ld_obj *o;
	__u32 key, id;
	int fd, ofd, afd, bfd, e, ret = -1;

	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "map_in_map", &fd, why, why_len) ||
	    map_is(o, "outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0, why,
		   why_len) ||
	    map_is(o, "inner_a", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, why, why_len) ||
	    map_is(o, "inner_b", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, why, why_len) ||
	    map_fd(o, "outer", &ofd, why, why_len) ||
	    map_fd(o, "inner_a", &afd, why, why_len) ||
	    map_fd(o, "inner_b", &bfd, why, why_len))
		goto out;
	/* Outer slots hold the inner maps' ids. */
	for (key = 0; key < 2; key++) {
		__u32 want = obj_id(key ? bfd : afd);

		e = bpf_map_lookup_elem(ofd, &key, &id);
		if (e || id != want) {
			fail(why, why_len, "outer[%u]: %s, id %u, want %s's id %u",
			     key, strerror(-e), e ? 0 : id,
			     key ? "inner_b" : "inner_a", want);
			goto out;
		}
	}
	if (run_want(fd, "map_in_map(0, 2, 7)", a2, 3, XDP_PASS, why, why_len) ||
	    lookup_u64(o, "inner_a", 2, 0x1007, why, why_len) ||
	    lookup_u64(o, "inner_b", 2, 0, why, why_len) ||
	    run_want(fd, "map_in_map(1, 2, 9)", b2, 3, XDP_PASS, why, why_len) ||
	    lookup_u64(o, "inner_b", 2, 0x1009, why, why_len) ||
	    lookup_u64(o, "inner_a", 2, 0x1007, why, why_len) ||
	    lookup_u64(o, "inner_a", 0, 0, why, why_len) ||
	    run_want(fd, "map_in_map(2, 0, 0)", empty, 3, XDP_DROP, why, why_len))
		goto out;
	ret = 0;
out:
	unload(o);
	return ret;
}

static __u64 bump(__u64 x)
{
	return x * 3 + 1;
}

static int t_callbacks(struct tc *c, char *why, size_t why_len)
{
	static const __u8 args[] = { 13, 7 };	/* 13 & 7 = 5 loops, base 7 */
	__s64 ret2[2];
	__u64 sum = 0, got;
	struct ld_obj *o;
	int fd, ret = -1;
	__u32 i;

	for (i = 0; i < 5; i++)
		sum += 7ull * i + 1;
	for (i = 0; i < 3; i++)
		sum = bump(sum) ^ i;
	if (load(c, NULL, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "xdp/callbacks", &fd, why, why_len) ||
	    run_want(fd, "callbacks", args, 2, XDP_PASS, why, why_len) ||
	    var_get(c, o, "loop_ret", ret2, sizeof(ret2), why, why_len) ||
	    var_get(c, o, "loop_sum", &got, sizeof(got), why, why_len))
		goto out;
	if (ret2[0] != 5 || ret2[1] != 3 || got != sum) {
		fail(why, why_len, "bpf_loop returned %lld and %lld (want 5, 3); sum %llu, want %llu",
		     (long long)ret2[0], (long long)ret2[1],
		     (unsigned long long)got, (unsigned long long)sum);
		goto out;
	}
	ret = 0;
out:
	unload(o);
	return ret;
}

/* --- pinning: a bpffs of our own ------------------------------------------ */

static int pin_setup(char *why, size_t why_len)
{
	if (pin_mounted)
		return 0;
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/ti-loader-test-XXXXXX");
	if (!mkdtemp(pin_dir)) {
		*pin_dir = 0;
		snprintf(why, why_len, "mkdtemp: %s", strerror(errno));
		return 1;
	}
	if (mount("bpf", pin_dir, "bpf", 0, NULL)) {
		snprintf(why, why_len, "cannot mount a bpffs on %s: %s", pin_dir,
			 strerror(errno));
		rmdir(pin_dir);
		*pin_dir = 0;
		return 1;
	}
	pin_mounted = 1;
	return 0;
}

static void pin_cleanup(void)
{
	char path[128];

	if (!pin_mounted)
		return;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_MAP);
	unlink(path);
	if (umount2(pin_dir, MNT_DETACH))
		fprintf(stderr, "loader_test: cannot unmount %s: %s\n", pin_dir,
			strerror(errno));
	rmdir(pin_dir);
	pin_mounted = 0;
}

static int pin_exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	return !stat(path, &st);
}

static void pin_remove(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_MAP);
	unlink(path);
}

/* The tc of another object of the same variant (pinned.o for the bad ones). */
static int sibling(const struct tc *c, const char *obj, struct tc *s,
		   char *why, size_t why_len)
{
	char path[128];
	int ret;

	*s = *c;
	s->obj = obj;
	snprintf(path, sizeof(path), OBJ_DIR "/%s.%s%s.o", obj, c->cpu,
		 c->g ? ".g" : "");
	ret = read_file(path, &s->buf, &s->len);
	if (ret)
		return fail(why, why_len, "cannot read %s: %s", path,
			    strerror(-ret));
	return 0;
}

/* Load pinned.o once and run it on key 5: count 1, pin in place. */
static int pin_first(struct tc *c, __u32 *map_id, char *why, size_t why_len)
{
	static const __u8 k5[] = { 5 };
	struct ld_obj *o;
	int fd, mfd, ret = -1;

	pin_remove();
	if (load(c, pin_dir, NULL, &o, why, why_len))
		return -1;
	if (prog_fd(o, "pinned", &fd, why, why_len) ||
	    map_fd(o, PIN_MAP, &mfd, why, why_len) ||
	    run_want(fd, "pinned", k5, 1, XDP_PASS, why, why_len) ||
	    lookup_u64(o, PIN_MAP, 5, 1, why, why_len))
		goto out;
	if (!pin_exists(PIN_MAP) || pin_exists("scratch")) {
		fail(why, why_len, "after load: %s/%s %s, %s/scratch %s", pin_dir,
		     PIN_MAP, pin_exists(PIN_MAP) ? "pinned" : "NOT pinned",
		     pin_dir, pin_exists("scratch") ? "pinned too" : "absent");
		goto out;
	}
	*map_id = obj_id(mfd);
	ret = 0;
out:
	unload(o);
	return ret;
}

static int t_pinned(struct tc *c, char *why, size_t why_len)
{
	static const __u8 k5[] = { 5 };
	struct ld_obj *o;
	__u32 id1, id2;
	int fd, mfd, ret;

	ret = pin_setup(why, why_len);
	if (ret)
		return ret;
	if (pin_first(c, &id1, why, why_len))
		return -1;
	/* Second load: the pinned map is reused, scratch is new. */
	if (load(c, pin_dir, NULL, &o, why, why_len))
		return -1;
	ret = -1;
	if (prog_fd(o, "pinned", &fd, why, why_len) ||
	    map_fd(o, PIN_MAP, &mfd, why, why_len))
		goto out;
	id2 = obj_id(mfd);
	if (id2 != id1) {
		fail(why, why_len, "second load: %s is map id %u, first load's was %u",
		     PIN_MAP, id2, id1);
		goto out;
	}
	if (lookup_u64(o, PIN_MAP, 5, 1, why, why_len) ||
	    run_want(fd, "pinned (second load)", k5, 1, XDP_PASS, why, why_len) ||
	    lookup_u64(o, PIN_MAP, 5, 2, why, why_len) ||
	    lookup_u64(o, "scratch", 0, 1, why, why_len))
		goto out;
	ret = 0;
out:
	unload(o);
	pin_remove();
	return ret;
}

/* pinned_bad, pinned_bad_type: refused where pinned.o's map is pinned. */
static int t_pinned_bad(struct tc *c, char *why, size_t why_len)
{
	static const char *const want[] = { PIN_MAP, NULL };
	struct tc good;
	char err[1024], path[128];
	struct bpf_map_info info;
	__u32 id1, key = 5;
	__u64 v;
	int fd = -1, ret;

	ret = pin_setup(why, why_len);
	if (ret)
		return ret;
	if (sibling(c, "pinned", &good, why, why_len))
		return -1;
	ret = pin_first(&good, &id1, why, why_len);
	free(good.buf);
	if (ret)
		return -1;
	ret = refused(c, pin_dir, want, err, sizeof(err), why, why_len);
	if (ret)
		goto out;
	/* The pinned map is untouched. */
	ret = -1;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PIN_MAP);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fail(why, why_len, "after the refusal: %s: %s", path,
		     strerror(-fd));
		goto out;
	}
	if (map_info(fd, &info, PIN_MAP, why, why_len))
		goto out;
	if (info.id != id1 || bpf_map_lookup_elem(fd, &key, &v) || v != 1) {
		fail(why, why_len, "after the refusal the pin is map id %u (want %u) or lost its value",
		     info.id, id1);
		goto out;
	}
	snprintf(why, why_len, "%s", err);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	pin_remove();
	return ret;
}

/* A load that fails after pinning a map must take the pin away again. */
static int t_pinned_reject(struct tc *c, char *why, size_t why_len)
{
	static const char *const want[] = { "invalid access to packet", NULL };
	char err[8192], path[128];
	int ret;

	ret = pin_setup(why, why_len);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/ti_test_pin_rej", pin_dir);
	unlink(path);
	if (refused(c, pin_dir, want, err, sizeof(err), why, why_len))
		return -1;
	if (pin_exists("ti_test_pin_rej")) {
		unlink(path);
		return fail(why, why_len, "the load failed but left its map pinned at %s",
			    path);
	}
	return 0;
}

/* --- verifier rejections with source lines -------------------------------- */

/* "FILE:N" for the first line of src that contains marker. */
static int src_line(const char *src, const char *marker, char *out,
		    size_t out_len)
{
	void *buf;
	size_t len;
	const char *p, *hit;
	int line = 1;

	if (read_file(src, &buf, &len))
		return -1;
	hit = strstr(buf, marker);
	for (p = buf; hit && p < hit; p++)
		line += *p == '\n';
	if (hit)
		snprintf(out, out_len, "%s:%d", strrchr(src, '/') + 1, line);
	free(buf);
	return hit ? 0 : -1;
}

static int t_reject(struct tc *c, const char *src, const char *marker,
		    char *why, size_t why_len)
{
	const char *want[] = { "invalid access to packet", NULL, NULL, NULL };
	char err[8192], line[64];

	if (c->g) {
		if (src_line(src, marker, line, sizeof(line)))
			return fail(why, why_len, "no \"%s\" in %s", marker, src);
		want[1] = marker;	/* the source text */
		want[2] = line;		/* "@ file:line" */
	}
	if (refused(c, NULL, want, err, sizeof(err), why, why_len))
		return -1;
	if (c->g)
		snprintf(why, why_len, "%s", line);
	return 0;
}

static int t_reject_main(struct tc *c, char *why, size_t why_len)
{
	return t_reject(c, "tests/objs/reject.c", "data[20]", why, why_len);
}

static int t_reject_sub(struct tc *c, char *why, size_t why_len)
{
	return t_reject(c, "tests/objs/reject_sub.c", "REJECT_HERE", why,
			why_len);
}

/* --- main ------------------------------------------------------------------ */

/* One result line; the lines of a multi-line why (verifier logs) indented. */
static void report(const char *verdict, const char *name, const char *why)
{
	const char *p;

	printf("%s %s%s", verdict, name, *why ? ": " : "");
	for (p = why; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			fputs("    ", stdout);
	}
	putchar('\n');
	fflush(stdout);
}

static const struct entry table[] = {
	{ "legacy_maps", 0, t_legacy_maps },
	{ "legacy_elf_maps", 0, t_legacy_elf_maps },
	{ "legacy_bad", 0, t_legacy_bad },
	{ "btf_maps", 1, t_btf_maps },
	{ "globals", 0, t_globals },
	{ "subprogs", 0, t_subprogs },
	{ "multi", 0, t_multi },
	{ "callbacks", 1, t_callbacks },
	{ "tailcall", 1, t_tailcall },
	{ "mapinmap", 1, t_mapinmap },
	{ "pinned", 1, t_pinned },
	{ "pinned_bad", 1, t_pinned_bad },
	{ "pinned_bad_type", 1, t_pinned_bad },
	{ "pinned_reject", 1, t_pinned_reject },
	{ "reject", 0, t_reject_main },
	{ "reject_sub", 0, t_reject_sub },
};

int main(void)
{
	char why[2048], path[128];
	size_t i, j;
	int g, ret, failed = 0;

	if (geteuid()) {
		printf("skip loader_test: needs root (CAP_BPF, CAP_SYS_ADMIN for bpffs)\n");
		return 0;
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		for (g = 1; g >= 0; g--) {
			if (!g && table[i].btf_only)
				continue;
			for (j = 0; j < sizeof(cpus) / sizeof(cpus[0]); j++) {
				struct tc c = {
					.obj = table[i].obj, .cpu = cpus[j], .g = g,
				};

				snprintf(c.name, sizeof(c.name), "%s.%s%s", c.obj,
					 c.cpu, g ? ".g" : "");
				snprintf(path, sizeof(path), OBJ_DIR "/%s.o", c.name);
				*why = 0;
				ret = read_file(path, &c.buf, &c.len);
				if (ret)
					ret = fail(why, sizeof(why), "cannot read %s: %s",
						   path, strerror(-ret));
				else
					ret = table[i].fn(&c, why, sizeof(why));
				free(c.buf);
				report(ret < 0 ? "not ok" : ret ? "skip" : "ok",
				       c.name, why);
				failed |= ret < 0;
			}
		}
	}
	pin_cleanup();
	return failed;
}
