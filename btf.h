/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btf.h - read BTF held in memory (an object's .BTF, the kernel's
 * /sys/kernel/btf/vmlinux, a module's split BTF on top of it), and
 * resolve CO-RE relocations of one BTF against others.
 *
 * Pure, like elf.c: no syscalls, no output, no globals, no allocation.
 * btf_open() checks the header and walks every type once, so that each
 * type found later lies inside the type area; every other read checks
 * its own bounds (ids, member indices, string offsets) and copies what
 * it reads, so a corrupt or odd-aligned buffer is safe.  Without an
 * index (btf_index()) a lookup walks the types from the start: fine for
 * an object's few hundred types, too slow for the kernel's 100000.
 *
 * Functions return 0 (or an id, a count) or -errno: -EINVAL for
 * malformed BTF (err says why where an err is taken), -ENOENT for what
 * is not there.
 */
#ifndef TCPINSPECT_BTF_H
#define TCPINSPECT_BTF_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/btf.h>

#define BTF_MAGIC	0xeB9F
#define BTF_MAX_DEPTH	32	/* typedef/const/pointer chains we follow */

struct btf {
	const __u8 *types;	/* the type area */
	const char *strs;	/* the string area */
	__u32 types_len, strs_len;
	__u32 start_id;		/* id of the first type here: 1, or base's end */
	__u32 cnt;		/* types here */
	__u32 str_start;	/* offset of the first string here (split: base's) */
	const __u32 *offs;	/* btf_index(): offs[i] of type start_id + i */
	const struct btf *base;	/* split BTF: what it extends, else NULL */
};

/*
 * buf[0..len) as BTF, split on base if base is not NULL (a module's
 * BTF: its ids and string offsets continue base's).  b points into buf.
 */
int btf_open(struct btf *b, const void *buf, size_t len, const struct btf *base,
	     char *err, size_t err_len);
/* offs[b->cnt] (the caller's) becomes the index: lookups in O(1). */
void btf_index(struct btf *b, __u32 *offs);

/* One past the last id of b (and so of its base). */
__u32 btf_end(const struct btf *b);
/* Type id into t (id 0: void, all zero); -EINVAL if there is none. */
int btf_type(const struct btf *b, __u32 id, struct btf_type *t);
/* The bytes after type id's header (read them with memcpy); NULL if
 * there is no such type.  They end inside the type area. */
const __u8 *btf_body(const struct btf *b, __u32 id);
/* The string at off, NUL-terminated inside its area; NULL if none. */
const char *btf_str(const struct btf *b, __u32 off);
/* Type id's name ("" for none); NULL for a bad id or offset. */
const char *btf_name(const struct btf *b, __u32 id);

static inline __u32 btf_kind(const struct btf_type *t)
{
	return (t->info >> 24) & 0x1f;
}

static inline __u32 btf_vlen(const struct btf_type *t)
{
	return t->info & 0xffff;
}

static inline int btf_kflag(const struct btf_type *t)
{
	return t->info >> 31;
}

/* Parts that follow a type's header, copied out; -EINVAL if the type
 * is not of the kind or i is out of range. */
int btf_member(const struct btf *b, __u32 id, __u32 i, struct btf_member *m);
int btf_param(const struct btf *b, __u32 id, __u32 i, struct btf_param *p);
int btf_array(const struct btf *b, __u32 id, struct btf_array *a);
int btf_secinfo(const struct btf *b, __u32 id, __u32 i,
		struct btf_var_secinfo *v);
int btf_int(const struct btf *b, __u32 id, __u32 *info);
/* Enumerator i of an ENUM or ENUM64: its name offset and value (signed
 * if the enum says so, which kflag does). */
int btf_enum_val(const struct btf *b, __u32 id, __u32 i, __u32 *name_off,
		 __s64 *val);
/* A member's bit offset and bitfield size (0: not a bitfield). */
void btf_member_bits(const struct btf_type *t, const struct btf_member *m,
		     __u32 *bit_off, __u32 *bit_sz);

/*
 * Follow const/volatile/restrict/type_tag (and typedef, if typedefs)
 * from id to the type they qualify: its id in *out.  -EINVAL on a bad
 * id or a chain deeper than BTF_MAX_DEPTH.
 */
int btf_skip(const struct btf *b, __u32 id, int typedefs, __u32 *out);
/* Size in bytes of type id (through modifiers, typedefs, arrays). */
int btf_size(const struct btf *b, __u32 id, __u64 *size);

/* Walk b's own types: from an iterator zeroed to start, 1 with the
 * next type's id in it->id and its header in *t, 0 at the end. */
struct btf_iter {
	__u32 id, off;
};
int btf_next(const struct btf *b, struct btf_iter *it, struct btf_type *t);
/* b's own type called name of kind kind: its id, or -ENOENT. */
int btf_find(const struct btf *b, const char *name, __u32 kind);

/* Length of name without a ___flavour suffix ("foo___v2": 3). */
size_t btf_essential_len(const char *name);

/*
 * Types local (in b) and target (in tb) compatible for CO-RE: same kind
 * after modifiers and typedefs (an enum may meet an enum64), pointers
 * and arrays element by element, functions parameter by parameter;
 * structs, unions and enums by kind alone (a forward declaration stands
 * for either).  1, 0, or -EINVAL.
 */
int btf_compat(const struct btf *b, __u32 id, const struct btf *tb, __u32 tid);

/* --- CO-RE ------------------------------------------------------------ */

/* "field_byte_offset", ... for enum bpf_core_relo_kind; "?" if unknown. */
const char *btf_core_kind_name(__u32 kind);

struct btf_core_res {
	__u64 local_val;	/* what the instruction holds */
	__u64 target_val;	/* what it must hold */
	int found;		/* a target matched; else target_val is 0
				 * (existence kinds) or meaningless */
	/* FIELD_BYTE_OFFSET: the field's size here and there, for the
	 * access width, and whether a width may follow (unsigned integer,
	 * enum or pointer; no bitfield) */
	__u32 local_sz, target_sz;
	int sz_fixable;
	int validate;		/* the instruction must hold local_val; not
				 * for bitfields, whose loads clang computes
				 * its own way */
	__u32 targ_idx;		/* the targets[] entry that matched */
};

/*
 * Resolve the CO-RE relocation (type_id, access, kind) of local BTF
 * against targets[0..targ_cnt) (the kernel's BTF, then its modules'),
 * by the candidates whose essential name and kind match the local
 * type's.  Several candidates may match if they agree.  -EINVAL for a
 * relocation that makes no sense in the local BTF, or candidates that
 * disagree; err says why.
 */
int btf_core_calc(const struct btf *local, const struct btf *const *targets,
		  __u32 targ_cnt, __u32 type_id, const char *access,
		  __u32 kind, struct btf_core_res *res, char *err,
		  size_t err_len);
/* "struct net_device.ifindex (0:29)": what a relocation designates,
 * for messages; always a string in buf. */
void btf_core_desc(const struct btf *local, __u32 type_id, const char *access,
		   __u32 kind, char *buf, size_t len);

#endif
