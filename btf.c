// SPDX-License-Identifier: GPL-2.0
/*
 * btf.c - BTF reading and CO-RE resolution (btf.h).
 *
 * CO-RE, in short: clang records, for each instruction that depends on
 * a type's layout, the root type (a BTF id of the object), an access
 * string ("0:1:2": an index on the root pointer, then member or array
 * indices) and what the instruction holds (an offset, a size, an
 * existence bit, ...).  The same path is looked for in the target BTF,
 * member by member name, in every type whose name matches the root's
 * up to a "___flavour" suffix, and the instruction gets the target's
 * value.  The rules are those of the kernel's documentation
 * (Documentation/bpf/llvm_reloc.rst, btf.rst) and libbpf's
 * bpf_core_read.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "btf.h"

#define CORE_SPEC_MAX	64	/* steps in one access string */

static int fail(char *err, size_t err_len, int code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err_len)
		return code;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	/* Names come from the file: keep the message one printable line. */
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return code;
}

/* Bytes that follow a btf_type of this kind, or -1 for an unknown kind. */
static long extra_len(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)btf_vlen(t) * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)btf_vlen(t) * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)btf_vlen(t) * 12;
	case BTF_KIND_FUNC_PROTO:
		return (long)btf_vlen(t) * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)btf_vlen(t) * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/* Walk the type area from off: the next type's header into t and its
 * length (header and extra) into *step; 0 at the end, -1 if it does not
 * fit (the area was checked by btf_open, so only there). */
static int step(const struct btf *b, __u32 off, struct btf_type *t,
		__u32 *step_len)
{
	long extra;

	if (off >= b->types_len)
		return 0;
	if (b->types_len - off < sizeof(*t))
		return -1;
	memcpy(t, b->types + off, sizeof(*t));
	extra = extra_len(t);
	if (extra < 0 || (__u64)extra > b->types_len - off - sizeof(*t))
		return -1;
	*step_len = sizeof(*t) + extra;
	return 1;
}

__u32 btf_end(const struct btf *b)
{
	return b->start_id + b->cnt;
}

int btf_open(struct btf *b, const void *buf, size_t len, const struct btf *base,
	     char *err, size_t err_len)
{
	struct btf_header h;
	struct btf_type t;
	__u32 off = 0, n, step_len;
	int r;

	memset(b, 0, sizeof(*b));
	if (len < sizeof(h))
		return fail(err, err_len, -EINVAL, "BTF too short (%zu bytes)", len);
	memcpy(&h, buf, sizeof(h));
	if (h.magic != BTF_MAGIC)
		return fail(err, err_len, -EINVAL, "BTF: bad magic 0x%x", h.magic);
	if (h.version != 1)
		return fail(err, err_len, -EINVAL, "BTF: version %u, want 1", h.version);
	if (h.hdr_len < sizeof(h) || h.hdr_len > len)
		return fail(err, err_len, -EINVAL, "BTF: bad header length %u", h.hdr_len);
	if ((__u64)h.type_off + h.type_len > len - h.hdr_len ||
	    (__u64)h.str_off + h.str_len > len - h.hdr_len)
		return fail(err, err_len, -EINVAL, "BTF: type or string area beyond its end");
	b->types = (const __u8 *)buf + h.hdr_len + h.type_off;
	b->types_len = h.type_len;
	b->strs = (const char *)buf + h.hdr_len + h.str_off;
	b->strs_len = h.str_len;
	b->base = base;
	b->start_id = base ? btf_end(base) : 1;
	b->str_start = base ? base->str_start + base->strs_len : 0;
	for (n = 0; (r = step(b, off, &t, &step_len)) > 0; n++) {
		if (n >= 0x7fffffffu - b->start_id)
			return fail(err, err_len, -EINVAL, "BTF: too many types");
		off += step_len;
	}
	if (r < 0)
		return fail(err, err_len, -EINVAL, "BTF: type %u %s", b->start_id + n,
			    extra_len(&t) < 0 ? "has an unknown kind" : "runs past the type area");
	b->cnt = n;
	return 0;
}

void btf_index(struct btf *b, __u32 *offs)
{
	struct btf_type t;
	__u32 off = 0, n, len;

	for (n = 0; n < b->cnt && step(b, off, &t, &len) > 0; n++) {
		offs[n] = off;
		off += len;
	}
	b->offs = offs;
}

/* The BTF that holds type id (b or one of its bases), or NULL. */
static const struct btf *owner(const struct btf *b, __u32 id)
{
	while (b && id < b->start_id)
		b = b->base;
	return b && id - b->start_id < b->cnt ? b : NULL;
}

/* Type id's header into t and its bytes after it; NULL if none. */
static const __u8 *type_at(const struct btf *b, __u32 id, struct btf_type *t)
{
	const struct btf *o = owner(b, id);
	__u32 off = 0, n, len = 0;

	if (!id || !o)
		return NULL;
	if (o->offs) {
		off = o->offs[id - o->start_id];
	} else {
		for (n = o->start_id; n < id; n++) {
			if (step(o, off, t, &len) <= 0)
				return NULL;
			off += len;
		}
	}
	if (step(o, off, t, &len) <= 0)
		return NULL;
	return o->types + off + sizeof(*t);
}

int btf_type(const struct btf *b, __u32 id, struct btf_type *t)
{
	if (!id) {
		memset(t, 0, sizeof(*t));
		return 0;
	}
	return type_at(b, id, t) ? 0 : -EINVAL;
}

const __u8 *btf_body(const struct btf *b, __u32 id)
{
	struct btf_type t;

	return type_at(b, id, &t);
}

const char *btf_str(const struct btf *b, __u32 off)
{
	while (b->base && off < b->str_start)
		b = b->base;
	off -= b->str_start;
	if (off >= b->strs_len || !memchr(b->strs + off, 0, b->strs_len - off))
		return NULL;
	return b->strs + off;
}

const char *btf_name(const struct btf *b, __u32 id)
{
	struct btf_type t;

	if (btf_type(b, id, &t))
		return NULL;
	return id ? btf_str(b, t.name_off) : "";
}

/* The i-th record of size rec_size after type id's header, if the type
 * is of kind k1 or k2 and has one. */
static int part(const struct btf *b, __u32 id, __u32 k1, __u32 k2, __u32 i,
		size_t rec_size, void *out)
{
	struct btf_type t;
	const __u8 *p = type_at(b, id, &t);
	__u32 n;

	if (!p || (btf_kind(&t) != k1 && btf_kind(&t) != k2))
		return -EINVAL;
	n = btf_kind(&t) == BTF_KIND_ARRAY || btf_kind(&t) == BTF_KIND_INT ? 1 :
	    btf_vlen(&t);
	if (i >= n)
		return -EINVAL;
	memcpy(out, p + (size_t)i * rec_size, rec_size);
	return 0;
}

int btf_member(const struct btf *b, __u32 id, __u32 i, struct btf_member *m)
{
	return part(b, id, BTF_KIND_STRUCT, BTF_KIND_UNION, i, sizeof(*m), m);
}

int btf_param(const struct btf *b, __u32 id, __u32 i, struct btf_param *p)
{
	return part(b, id, BTF_KIND_FUNC_PROTO, BTF_KIND_FUNC_PROTO, i, sizeof(*p), p);
}

int btf_array(const struct btf *b, __u32 id, struct btf_array *a)
{
	return part(b, id, BTF_KIND_ARRAY, BTF_KIND_ARRAY, 0, sizeof(*a), a);
}

int btf_secinfo(const struct btf *b, __u32 id, __u32 i,
		struct btf_var_secinfo *v)
{
	return part(b, id, BTF_KIND_DATASEC, BTF_KIND_DATASEC, i, sizeof(*v), v);
}

int btf_int(const struct btf *b, __u32 id, __u32 *info)
{
	return part(b, id, BTF_KIND_INT, BTF_KIND_INT, 0, sizeof(*info), info);
}

int btf_enum_val(const struct btf *b, __u32 id, __u32 i, __u32 *name_off,
		 __s64 *val)
{
	struct btf_type t;
	__u32 e[3];

	if (btf_type(b, id, &t))
		return -EINVAL;
	if (btf_kind(&t) == BTF_KIND_ENUM &&
	    !part(b, id, BTF_KIND_ENUM, BTF_KIND_ENUM, i, 8, e)) {
		*val = btf_kflag(&t) ? (__s64)(__s32)e[1] : (__s64)e[1];
	} else if (btf_kind(&t) == BTF_KIND_ENUM64 &&
		   !part(b, id, BTF_KIND_ENUM64, BTF_KIND_ENUM64, i, 12, e)) {
		*val = (__s64)((__u64)e[2] << 32 | e[1]);
	} else {
		return -EINVAL;
	}
	*name_off = e[0];
	return 0;
}

void btf_member_bits(const struct btf_type *t, const struct btf_member *m,
		     __u32 *bit_off, __u32 *bit_sz)
{
	*bit_off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
	*bit_sz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
}

int btf_skip(const struct btf *b, __u32 id, int typedefs, __u32 *out)
{
	struct btf_type t;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (btf_type(b, id, &t))
			return -EINVAL;
		switch (btf_kind(&t)) {
		case BTF_KIND_TYPEDEF:
			if (!typedefs)
				break;
			/* fall through */
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t.type;
			continue;
		}
		*out = id;
		return 0;
	}
	return -EINVAL;
}

int btf_size(const struct btf *b, __u32 id, __u64 *size)
{
	struct btf_type t;
	struct btf_array a;
	__u64 mult = 1;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (btf_skip(b, id, 1, &id) || btf_type(b, id, &t))
			return -EINVAL;
		switch (btf_kind(&t)) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			*size = mult * t.size;
			return 0;
		case BTF_KIND_PTR:
			*size = mult * 8;
			return 0;
		case BTF_KIND_ARRAY:
			if (btf_array(b, id, &a))
				return -EINVAL;
			mult *= a.nelems;
			if (mult >> 32)
				return -EINVAL;	/* no type is that large */
			id = a.type;
			continue;
		}
		return -EINVAL;
	}
	return -EINVAL;
}

int btf_next(const struct btf *b, struct btf_iter *it, struct btf_type *t)
{
	__u32 len;

	if (!it->id) {
		it->id = b->start_id;
		it->off = 0;
	} else {
		if (step(b, it->off, t, &len) <= 0)
			return 0;
		it->off += len;
		it->id++;
	}
	return it->id - b->start_id < b->cnt && step(b, it->off, t, &len) > 0;
}

int btf_find(const struct btf *b, const char *name, __u32 kind)
{
	struct btf_iter it = { 0 };
	struct btf_type t;
	const char *n;

	while (btf_next(b, &it, &t)) {
		if (btf_kind(&t) != kind)
			continue;
		n = btf_str(b, t.name_off);
		if (n && !strcmp(n, name))
			return it.id;
	}
	return -ENOENT;
}

size_t btf_essential_len(const char *name)
{
	size_t n = strlen(name), i;

	/* The last "x___y", x and y not underscores: the name ends at x. */
	for (i = n >= 5 ? n - 4 : 0; i-- > 0;)
		if (name[i] != '_' && !strncmp(name + i + 1, "___", 3) &&
		    name[i + 4] != '_')
			return i + 1;
	return n;
}

/* a and b equal up to their ___flavour suffixes. */
static int ess_eq(const char *a, const char *b)
{
	size_t la = btf_essential_len(a);

	return la == btf_essential_len(b) && !memcmp(a, b, la);
}

static int is_composite(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION;
}

static int is_enum(const struct btf_type *t)
{
	return btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64;
}

/* Skipped through modifiers and typedefs: the id and its header. */
static int resolved(const struct btf *b, __u32 id, __u32 *out,
		    struct btf_type *t)
{
	return btf_skip(b, id, 1, out) ?: btf_type(b, *out, t);
}

static int compat(const struct btf *b, __u32 id, const struct btf *tb,
		  __u32 tid, int depth)
{
	struct btf_type l, t;
	struct btf_array la, ta;
	struct btf_param lp, tp;
	__u32 li, ti, i;
	int r;

	for (; depth < BTF_MAX_DEPTH; depth++) {
		if (resolved(b, id, &id, &l) || resolved(tb, tid, &tid, &t))
			return -EINVAL;
		if (is_enum(&l) && is_enum(&t))
			return 1;
		/* a forward declaration stands for the struct or union */
		if ((btf_kind(&l) == BTF_KIND_FWD && (is_composite(&t) || btf_kind(&t) == BTF_KIND_FWD)) ||
		    (btf_kind(&t) == BTF_KIND_FWD && is_composite(&l)))
			return 1;
		if (btf_kind(&l) != btf_kind(&t))
			return 0;
		switch (btf_kind(&l)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			return 1;
		case BTF_KIND_FLOAT:
			return l.size == t.size;
		case BTF_KIND_INT:
			/* Old bitfield-like integers are refused; all
			 * others are compatible whatever their size. */
			if (btf_int(b, id, &li) || btf_int(tb, tid, &ti))
				return -EINVAL;
			return !BTF_INT_OFFSET(li) && !BTF_INT_OFFSET(ti);
		case BTF_KIND_PTR:
			id = l.type;
			tid = t.type;
			continue;
		case BTF_KIND_ARRAY:
			if (btf_array(b, id, &la) || btf_array(tb, tid, &ta))
				return -EINVAL;
			id = la.type;
			tid = ta.type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (btf_vlen(&l) != btf_vlen(&t))
				return 0;
			for (i = 0; i < btf_vlen(&l); i++) {
				if (btf_param(b, id, i, &lp) || btf_param(tb, tid, i, &tp))
					return -EINVAL;
				r = compat(b, lp.type, tb, tp.type, depth + 1);
				if (r <= 0)
					return r;
			}
			id = l.type;
			tid = t.type;
			continue;
		}
		return 0;
	}
	return -EINVAL;
}

int btf_compat(const struct btf *b, __u32 id, const struct btf *tb, __u32 tid)
{
	return compat(b, id, tb, tid, 0);
}

/*
 * The stricter "match" of TYPE_MATCHES: integers of the same size and
 * signedness, enums of the same size whose every local name exists
 * there, structs and unions whose every local member exists there by
 * name with a matching type (behind a pointer only the names and
 * kinds), pointers, arrays and function prototypes element by element.
 */
static int match(const struct btf *b, __u32 id, const struct btf *tb,
		 __u32 tid, int behind_ptr, int depth)
{
	struct btf_type l, t;
	struct btf_member lm, tm;
	struct btf_param lp, tp;
	struct btf_array la, ta;
	const char *ln, *tn;
	__u32 li, ti, i, j, lo, to;
	__s64 v;
	int r, lk, tk;

	if (depth >= BTF_MAX_DEPTH || resolved(b, id, &id, &l) ||
	    resolved(tb, tid, &tid, &t))
		return -EINVAL;
	lk = btf_kind(&l);
	tk = btf_kind(&t);
	ln = btf_str(b, l.name_off);
	tn = btf_str(tb, t.name_off);
	if (!ln || !tn)
		return -EINVAL;
	if (behind_ptr && (is_composite(&l) || lk == BTF_KIND_FWD) &&
	    (is_composite(&t) || tk == BTF_KIND_FWD)) {
		/* A forward declaration's kflag says union. */
		int lu = lk == BTF_KIND_UNION || (lk == BTF_KIND_FWD && btf_kflag(&l));
		int tu = tk == BTF_KIND_UNION || (tk == BTF_KIND_FWD && btf_kflag(&t));

		return lu == tu && ess_eq(ln, tn);
	}
	if (is_enum(&l) && is_enum(&t)) {
		if (l.size != t.size)
			return 0;
		for (i = 0; i < btf_vlen(&l); i++) {
			if (btf_enum_val(b, id, i, &lo, &v) || !(ln = btf_str(b, lo)))
				return -EINVAL;
			for (j = 0; j < btf_vlen(&t); j++) {
				if (btf_enum_val(tb, tid, j, &to, &v) || !(tn = btf_str(tb, to)))
					return -EINVAL;
				if (ess_eq(ln, tn))
					break;
			}
			if (j == btf_vlen(&t))
				return 0;
		}
		return 1;
	}
	if (lk != tk)
		return 0;
	switch (lk) {
	case BTF_KIND_UNKN:
		return 1;
	case BTF_KIND_FWD:
		return btf_kflag(&l) == btf_kflag(&t) && ess_eq(ln, tn);
	case BTF_KIND_FLOAT:
		return l.size == t.size;
	case BTF_KIND_INT:
		if (btf_int(b, id, &li) || btf_int(tb, tid, &ti))
			return -EINVAL;
		return l.size == t.size &&
		       !(BTF_INT_ENCODING(li) & BTF_INT_SIGNED) ==
		       !(BTF_INT_ENCODING(ti) & BTF_INT_SIGNED);
	case BTF_KIND_PTR:
		return match(b, l.type, tb, t.type, 1, depth + 1);
	case BTF_KIND_ARRAY:
		if (btf_array(b, id, &la) || btf_array(tb, tid, &ta))
			return -EINVAL;
		if (la.nelems != ta.nelems)
			return 0;
		return match(b, la.type, tb, ta.type, behind_ptr, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < btf_vlen(&l); i++) {
			if (btf_member(b, id, i, &lm) || !(ln = btf_str(b, lm.name_off)))
				return -EINVAL;
			for (j = 0; j < btf_vlen(&t); j++) {
				if (btf_member(tb, tid, j, &tm) ||
				    !(tn = btf_str(tb, tm.name_off)))
					return -EINVAL;
				/* anonymous members pair up by position */
				if (*ln ? !strcmp(ln, tn) : !*tn && i == j)
					break;
			}
			if (j == btf_vlen(&t))
				return 0;
			r = match(b, lm.type, tb, tm.type, 0, depth + 1);
			if (r <= 0)
				return r;
		}
		return 1;
	case BTF_KIND_FUNC_PROTO:
		if (btf_vlen(&l) != btf_vlen(&t))
			return 0;
		for (i = 0; i < btf_vlen(&l); i++) {
			if (btf_param(b, id, i, &lp) || btf_param(tb, tid, i, &tp))
				return -EINVAL;
			r = match(b, lp.type, tb, tp.type, 0, depth + 1);
			if (r <= 0)
				return r;
		}
		return match(b, l.type, tb, t.type, 0, depth + 1);
	}
	return 0;
}

/* --- CO-RE ------------------------------------------------------------ */

static const char *const kind_names[] = {
	[BPF_CORE_FIELD_BYTE_OFFSET] = "field_byte_offset",
	[BPF_CORE_FIELD_BYTE_SIZE] = "field_byte_size",
	[BPF_CORE_FIELD_EXISTS] = "field_exists",
	[BPF_CORE_FIELD_SIGNED] = "field_signed",
	[BPF_CORE_FIELD_LSHIFT_U64] = "field_lshift_u64",
	[BPF_CORE_FIELD_RSHIFT_U64] = "field_rshift_u64",
	[BPF_CORE_TYPE_ID_LOCAL] = "type_id_local",
	[BPF_CORE_TYPE_ID_TARGET] = "type_id_target",
	[BPF_CORE_TYPE_EXISTS] = "type_exists",
	[BPF_CORE_TYPE_SIZE] = "type_size",
	[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists",
	[BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
	[BPF_CORE_TYPE_MATCHES] = "type_matches",
};

const char *btf_core_kind_name(__u32 kind)
{
	return kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

static int is_field_kind(__u32 kind)
{
	return kind <= BPF_CORE_FIELD_RSHIFT_U64;
}

static int is_enum_kind(__u32 kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

/* One step of a field's path: a named member, or an array element. */
struct acc {
	__u32 id;		/* the struct, union or array stepped into */
	__u32 idx;		/* member or element index */
	const char *name;	/* member name; NULL for an element */
};

/* Where a path ends, in one BTF. */
struct spec {
	struct acc acc[CORE_SPEC_MAX];	/* [0]: the root, idx its array index */
	int len;
	__u64 bit_off;		/* of the field from the root pointer */
	__u32 field_id;		/* the field's type */
	__u32 bit_sz;		/* bitfield size, 0 if none */
};

/* "0:1:2" into raw[]; the count, or -EINVAL. */
static int parse_access(const char *s, __u32 *raw)
{
	__u64 v;
	int n = 0;

	for (;;) {
		if (*s < '0' || *s > '9' || n >= CORE_SPEC_MAX)
			return -EINVAL;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			v = v * 10 + (*s - '0');
			if (v > 0xffffffffu)
				return -EINVAL;
		}
		raw[n++] = v;
		if (!*s)
			return n;
		if (*s++ != ':')
			return -EINVAL;
	}
}

/* Local side of a field relocation: the path the raw indices take. */
static int local_field(const struct btf *b, __u32 root, const __u32 *raw,
		       int raw_len, struct spec *s)
{
	struct btf_type t;
	struct btf_member m;
	struct btf_array a;
	__u32 id, moff;
	__u64 size;
	const char *name;
	int i, last = 0;

	memset(s, 0, sizeof(*s));
	if (btf_skip(b, root, 1, &id) || btf_size(b, root, &size))
		return -EINVAL;
	s->acc[0] = (struct acc){ id, raw[0], NULL };
	s->len = 1;
	s->bit_off = (__u64)raw[0] * size * 8;
	s->field_id = root;
	for (i = 1; i < raw_len; i++) {
		if (resolved(b, id, &id, &t))
			return -EINVAL;
		if (is_composite(&t)) {
			if (btf_member(b, id, raw[i], &m) || !(name = btf_str(b, m.name_off)))
				return -EINVAL;
			btf_member_bits(&t, &m, &moff, &s->bit_sz);
			s->bit_off += moff;
			if (*name)
				s->acc[s->len++] = (struct acc){ id, raw[i], name };
			last = raw[i] == btf_vlen(&t) - 1;
			s->field_id = id = m.type;
		} else if (btf_kind(&t) == BTF_KIND_ARRAY) {
			if (btf_array(b, id, &a) || btf_size(b, a.type, &size))
				return -EINVAL;
			/* only a flexible array (last member, no size) may be
			 * indexed past its end */
			if (raw[i] >= a.nelems && !(last && !a.nelems))
				return -EINVAL;
			s->bit_off += (__u64)raw[i] * size * 8;
			s->acc[s->len++] = (struct acc){ id, raw[i], NULL };
			s->field_id = id = a.type;
			s->bit_sz = 0;
			last = 0;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Member called name in composite id of tb, looked for through
 * anonymous struct and union members too: its type, bit offset from
 * id, bitfield size and whether it is its struct's last.  1 found, 0
 * not, -EINVAL.
 */
static int find_member(const struct btf *tb, __u32 id, const char *name,
		       __u32 *mid, __u64 *bit_off, __u32 *bit_sz, int *last,
		       int depth)
{
	struct btf_type t, mt;
	struct btf_member m;
	const char *n;
	__u32 i, moff, msz, mtid;
	int r;

	if (depth >= BTF_MAX_DEPTH || resolved(tb, id, &id, &t))
		return -EINVAL;
	for (i = 0; i < btf_vlen(&t); i++) {
		if (btf_member(tb, id, i, &m) || !(n = btf_str(tb, m.name_off)))
			return -EINVAL;
		btf_member_bits(&t, &m, &moff, &msz);
		if (!*n) {
			if (resolved(tb, m.type, &mtid, &mt))
				return -EINVAL;
			if (!is_composite(&mt))
				continue;
			r = find_member(tb, m.type, name, mid, bit_off, bit_sz, last,
					depth + 1);
			if (r) {
				*bit_off += moff;
				return r;
			}
		} else if (!strcmp(n, name)) {
			*mid = m.type;
			*bit_off = moff;
			*bit_sz = msz;
			*last = i == btf_vlen(&t) - 1;
			return 1;
		}
	}
	return 0;
}

/* Field types local and target can stand for each other. */
static int field_compat(const struct btf *b, __u32 id, const struct btf *tb,
			__u32 tid)
{
	struct btf_type l, t;
	struct btf_array la, ta;
	__u32 li, ti;
	const char *ln, *tn;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (resolved(b, id, &id, &l) || resolved(tb, tid, &tid, &t))
			return -EINVAL;
		if ((is_composite(&l) && is_composite(&t)) || (is_enum(&l) && is_enum(&t)))
			return 1;
		if (btf_kind(&l) != btf_kind(&t))
			return 0;
		switch (btf_kind(&l)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
			ln = btf_str(b, l.name_off);
			tn = btf_str(tb, t.name_off);
			return ln && tn ? ess_eq(ln, tn) : -EINVAL;
		case BTF_KIND_INT:
			if (btf_int(b, id, &li) || btf_int(tb, tid, &ti))
				return -EINVAL;
			return !BTF_INT_OFFSET(li) && !BTF_INT_OFFSET(ti);
		case BTF_KIND_ARRAY:
			if (btf_array(b, id, &la) || btf_array(tb, tid, &ta))
				return -EINVAL;
			id = la.type;
			tid = ta.type;
			continue;
		}
		return 0;
	}
	return -EINVAL;
}

/* The local path l followed in tb from root troot: 1 if it exists
 * there (into *s), 0 if not, -EINVAL. */
static int target_field(const struct btf *b, const struct spec *l,
			const struct btf *tb, __u32 troot, struct spec *s)
{
	struct btf_type t;
	struct btf_member lm;
	struct btf_array a;
	__u64 size, off;
	__u32 id, lt;
	int i, r, last = 0;

	memset(s, 0, sizeof(*s));
	if (btf_skip(tb, troot, 1, &id) || btf_size(tb, troot, &size))
		return 0;
	s->acc[0] = (struct acc){ id, l->acc[0].idx, NULL };
	s->len = 1;
	s->bit_off = (__u64)l->acc[0].idx * size * 8;
	s->field_id = troot;
	for (i = 1; i < l->len; i++) {
		if (resolved(tb, id, &id, &t))
			return -EINVAL;
		if (l->acc[i].name) {
			if (!is_composite(&t))
				return 0;
			r = find_member(tb, id, l->acc[i].name, &s->field_id, &off,
					&s->bit_sz, &last, 0);
			if (r <= 0)
				return r;
			if (btf_member(b, l->acc[i].id, l->acc[i].idx, &lm))
				return -EINVAL;
			lt = lm.type;
			r = field_compat(b, lt, tb, s->field_id);
			if (r <= 0)
				return r;
			s->bit_off += off;
		} else {
			if (btf_kind(&t) != BTF_KIND_ARRAY || btf_array(tb, id, &a))
				return 0;
			if (l->acc[i].idx >= a.nelems && !(last && !a.nelems))
				return 0;
			if (btf_size(tb, a.type, &size))
				return -EINVAL;
			s->bit_off += (__u64)l->acc[i].idx * size * 8;
			s->field_id = a.type;
			s->bit_sz = 0;
			last = 0;
		}
		s->acc[s->len++] = (struct acc){ id, l->acc[i].idx, l->acc[i].name };
		id = s->field_id;
	}
	return 1;
}

/* What kind asks of the field at the end of s: into *val (and the
 * field's size, whether an access width may follow it).  -EINVAL for a
 * field the kind cannot describe. */
static int field_value(const struct btf *b, const struct spec *s, __u32 kind,
		       __u64 *val, __u32 *sz, int *fixable)
{
	struct btf_type mt;
	__u32 mid, info = 0;
	__u64 size, byte_off, byte_sz, bit_sz;

	if (resolved(b, s->field_id, &mid, &mt) || btf_size(b, s->field_id, &size))
		return -EINVAL;
	if (btf_kind(&mt) == BTF_KIND_INT && btf_int(b, mid, &info))
		return -EINVAL;
	if (!s->bit_sz) {
		if (s->bit_off % 8)
			return -EINVAL;
		byte_off = s->bit_off / 8;
		byte_sz = size;
		bit_sz = size * 8;
	} else {
		/* The smallest aligned load, from the field's own size up,
		 * that holds the whole bitfield. */
		byte_sz = size;
		if (!byte_sz || byte_sz > 8 || (byte_sz & (byte_sz - 1)))
			return -EINVAL;
		byte_off = s->bit_off / 8 / byte_sz * byte_sz;
		while (s->bit_off + s->bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return -EINVAL;
			byte_sz *= 2;
			byte_off = s->bit_off / 8 / byte_sz * byte_sz;
		}
		bit_sz = s->bit_sz;
	}
	*sz = byte_sz;
	*fixable = !s->bit_sz && (btf_kind(&mt) == BTF_KIND_PTR || is_enum(&mt) ||
				  (btf_kind(&mt) == BTF_KIND_INT &&
				   !(BTF_INT_ENCODING(info) & BTF_INT_SIGNED)));
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		return 0;
	case BPF_CORE_FIELD_EXISTS:
		*val = 1;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		*val = (is_enum(&mt) && btf_kflag(&mt)) ||
		       (btf_kind(&mt) == BTF_KIND_INT &&
			(BTF_INT_ENCODING(info) & BTF_INT_SIGNED));
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
		if (byte_sz > 8)
			return -EINVAL;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		*val = 64 - (s->bit_off + bit_sz - byte_off * 8);
#else
		*val = 64 - byte_sz * 8 + (s->bit_off - byte_off * 8);
#endif
		return 0;
	case BPF_CORE_FIELD_RSHIFT_U64:
		if (byte_sz > 8)
			return -EINVAL;
		*val = 64 - bit_sz;
		return 0;
	}
	return -EINVAL;
}

/* The local relocation's value, and what is needed to match it. */
struct local {
	__u32 kind;
	__u32 root;		/* type_id as recorded */
	__u32 root_kind;
	const char *name;	/* root's name */
	struct spec spec;	/* fields */
	int fixable;		/* FIELD_BYTE_OFFSET: the width may follow */
	const char *enum_name;	/* enumerators */
};

/* Value of candidate tid in tb for relocation lc: 1 (into res) if it
 * matches, 0 if not, -EINVAL. */
static int candidate(const struct btf *b, const struct local *lc,
		     const struct btf *tb, __u32 tid, __u64 *val, __u32 *sz,
		     int *fixable)
{
	struct spec ts;
	struct btf_type t;
	const char *n;
	__u32 i, noff;
	__s64 v;
	int r;

	*sz = 0;
	*fixable = 0;
	if (is_field_kind(lc->kind)) {
		r = target_field(b, &lc->spec, tb, tid, &ts);
		if (r <= 0)
			return r;
		return field_value(tb, &ts, lc->kind, val, sz, fixable) ? 0 : 1;
	}
	if (is_enum_kind(lc->kind)) {
		if (btf_type(tb, tid, &t))
			return -EINVAL;
		for (i = 0; i < btf_vlen(&t); i++) {
			if (btf_enum_val(tb, tid, i, &noff, &v) || !(n = btf_str(tb, noff)))
				return -EINVAL;
			if (ess_eq(lc->enum_name, n)) {
				*val = lc->kind == BPF_CORE_ENUMVAL_EXISTS ? 1 : (__u64)v;
				return 1;
			}
		}
		return 0;
	}
	r = lc->kind == BPF_CORE_TYPE_MATCHES ? match(b, lc->root, tb, tid, 0, 0) :
	    compat(b, lc->root, tb, tid, 0);
	if (r <= 0)
		return r;
	switch (lc->kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		*val = tid;
		return 1;
	case BPF_CORE_TYPE_SIZE:
		return btf_size(tb, tid, val) ? 0 : 1;
	}
	*val = 1;	/* TYPE_EXISTS, TYPE_MATCHES */
	return 1;
}

/* The local side: its value into res->local_val. */
static int local_side(const struct btf *b, __u32 type_id, const char *access,
		      __u32 kind, struct local *lc, struct btf_core_res *res)
{
	__u32 raw[CORE_SPEC_MAX], id, noff;
	struct btf_type t;
	int raw_len;
	__s64 v;

	memset(lc, 0, sizeof(*lc));
	lc->kind = kind;
	lc->root = type_id;
	raw_len = parse_access(access, raw);
	if (raw_len < 0 || !type_id || btf_type(b, type_id, &t) ||
	    !(lc->name = btf_str(b, t.name_off)))
		return -EINVAL;
	lc->root_kind = btf_kind(&t);
	if (is_field_kind(kind))
		return local_field(b, type_id, raw, raw_len, &lc->spec) ?:
		       field_value(b, &lc->spec, kind, &res->local_val,
				   &res->local_sz, &lc->fixable);
	if (is_enum_kind(kind)) {
		if (raw_len != 1 || btf_skip(b, type_id, 1, &id) ||
		    btf_enum_val(b, id, raw[0], &noff, &v) ||
		    !(lc->enum_name = btf_str(b, noff)))
			return -EINVAL;
		res->local_val = kind == BPF_CORE_ENUMVAL_EXISTS ? 1 : (__u64)v;
		return 0;
	}
	if (kind > BPF_CORE_TYPE_MATCHES || raw_len != 1 || raw[0])
		return -EINVAL;
	switch (kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
		res->local_val = type_id;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		return btf_size(b, type_id, &res->local_val);
	}
	res->local_val = 1;
	return 0;
}

/* A candidate's kind for a local root of kind k. */
static int same_kind(__u32 k, const struct btf_type *t)
{
	return k == btf_kind(t) ||
	       (is_enum(t) && (k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64));
}

int btf_core_calc(const struct btf *local, const struct btf *const *targets,
		  __u32 targ_cnt, __u32 type_id, const char *access,
		  __u32 kind, struct btf_core_res *res, char *err,
		  size_t err_len)
{
	struct local lc;
	struct btf_iter it;
	struct btf_type t;
	const char *n;
	char desc[256];
	__u64 val;
	__u32 k, sz;
	int r, fixable;

	memset(res, 0, sizeof(*res));
	btf_core_desc(local, type_id, access, kind, desc, sizeof(desc));
	if (local_side(local, type_id, access, kind, &lc, res))
		return fail(err, err_len, -EINVAL, "bad CO-RE relocation: %s %s",
			    btf_core_kind_name(kind), desc);
	res->validate = !(is_field_kind(kind) && lc.spec.bit_sz);
	if (kind == BPF_CORE_TYPE_ID_LOCAL) {
		res->target_val = res->local_val;
		res->found = 1;
		return 0;
	}
	if (!*lc.name)
		return fail(err, err_len, -EINVAL, "CO-RE relocation %s %s: the type has no name to look for",
			    btf_core_kind_name(kind), desc);
	for (k = 0; k < targ_cnt; k++) {
		memset(&it, 0, sizeof(it));
		while (btf_next(targets[k], &it, &t)) {
			if (!same_kind(lc.root_kind, &t))
				continue;
			n = btf_str(targets[k], t.name_off);
			if (!n || !ess_eq(lc.name, n))
				continue;
			r = candidate(local, &lc, targets[k], it.id, &val, &sz, &fixable);
			if (r < 0)
				return fail(err, err_len, -EINVAL, "CO-RE relocation %s %s: malformed target type %u",
					    btf_core_kind_name(kind), desc, it.id);
			if (!r)
				continue;
			if (res->found && (val != res->target_val || sz != res->target_sz))
				return fail(err, err_len, -EINVAL, "CO-RE relocation %s %s: two kernel types match with different values (%llu, %llu)",
					    btf_core_kind_name(kind), desc,
					    (unsigned long long)res->target_val,
					    (unsigned long long)val);
			if (!res->found)
				res->sz_fixable = lc.fixable;
			res->found = 1;
			res->target_val = val;
			res->target_sz = sz;
			res->sz_fixable &= fixable;
			res->targ_idx = k;
		}
	}
	return 0;
}

/* Append to buf[len] at *used, never past its end. */
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += n;
}

static const char *kind_word(__u32 k)
{
	switch (k) {
	case BTF_KIND_STRUCT:
		return "struct ";
	case BTF_KIND_UNION:
		return "union ";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return "enum ";
	case BTF_KIND_TYPEDEF:
		return "typedef ";
	}
	return "";
}

void btf_core_desc(const struct btf *local, __u32 type_id, const char *access,
		   __u32 kind, char *buf, size_t len)
{
	__u32 raw[CORE_SPEC_MAX], id, noff, i;
	struct btf_type t;
	struct btf_member m;
	const char *n, *root;
	size_t used = 0;
	int raw_len;
	__s64 v;

	if (!len)
		return;
	buf[0] = 0;
	raw_len = parse_access(access, raw);
	if (btf_type(local, type_id, &t) || !(root = btf_str(local, t.name_off))) {
		add(buf, len, &used, "type %u (access %s)", type_id, access);
		goto out;
	}
	add(buf, len, &used, "%s%s", kind_word(btf_kind(&t)), *root ? root : "(anon)");
	if (is_enum_kind(kind) && raw_len == 1 && !btf_skip(local, type_id, 1, &id) &&
	    !btf_enum_val(local, id, raw[0], &noff, &v) && (n = btf_str(local, noff)))
		add(buf, len, &used, "::%s", n);
	if (is_field_kind(kind)) {
		if (raw_len > 0 && raw[0])
			add(buf, len, &used, "[%u]", raw[0]);
		id = type_id;
		for (i = 1; (int)i < raw_len; i++) {
			if (resolved(local, id, &id, &t))
				break;
			if (btf_kind(&t) == BTF_KIND_ARRAY) {
				struct btf_array a;

				if (btf_array(local, id, &a))
					break;
				add(buf, len, &used, "[%u]", raw[i]);
				id = a.type;
			} else if (!btf_member(local, id, raw[i], &m) &&
				   (n = btf_str(local, m.name_off))) {
				if (*n)
					add(buf, len, &used, ".%s", n);
				id = m.type;
			} else {
				break;
			}
		}
	}
	add(buf, len, &used, " (access %s)", access);
out:
	/* Names come from the file: keep the text printable. */
	for (used = 0; buf[used]; used++)
		if ((unsigned char)buf[used] < 0x20 || buf[used] == 0x7f)
			buf[used] = '?';
}
