// SPDX-License-Identifier: GPL-2.0
/*
 * btf_test.c - unit tests of btf.c, built with AddressSanitizer and
 * UBSan, no privilege, no kernel: BTF is built here, type by type, into
 * buffers of exactly its size (a "kernel" BTF, a module's split BTF on
 * top of it, and an object's BTF with its own layouts of the same
 * types), and every CO-RE relocation kind is resolved against it with
 * the value worked out by hand from those layouts: offsets through
 * anonymous members and arrays, a root used as an array, bitfields and
 * their shifts, signedness, flavours (___suffix), candidates that agree
 * or not, types in a module, enum values and enum64, type matches, and
 * malformed access strings and BTF.
 *
 * Output: one line per case, "ok NAME" or "not ok NAME: why".  Exit
 * status 1 if a case failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "btf.h"
#include "../result.h"

/* --- a BTF builder --------------------------------------------------- */

struct bb {
	__u8 types[16384];
	__u32 tlen;
	char strs[4096];
	__u32 slen;
	__u32 next_id;		/* the id the next type gets */
	__u32 str_base;		/* split: the base's string length */
};

static void bb_init(struct bb *b, const struct bb *base)
{
	memset(b, 0, sizeof(*b));
	b->next_id = base ? base->next_id : 1;
	b->str_base = base ? base->str_base + base->slen : 0;
	if (!base)
		b->slen = 1;	/* offset 0: "" */
}

static __u32 bb_str(struct bb *b, const char *s)
{
	__u32 off = b->slen;

	if (!s || !*s)
		return 0;
	memcpy(b->strs + b->slen, s, strlen(s) + 1);
	b->slen += strlen(s) + 1;
	return b->str_base + off;
}

static void bb_put(struct bb *b, const void *p, size_t n)
{
	memcpy(b->types + b->tlen, p, n);
	b->tlen += n;
}

static __u32 bb_type(struct bb *b, const char *name, __u32 kind, __u32 vlen,
		     int kflag, __u32 size_or_type)
{
	struct btf_type t = {
		.name_off = bb_str(b, name),
		.info = (__u32)kflag << 31 | kind << 24 | vlen,
		.size = size_or_type,
	};

	bb_put(b, &t, sizeof(t));
	return b->next_id++;
}

static __u32 bb_int(struct bb *b, const char *name, __u32 size, __u32 enc)
{
	__u32 id = bb_type(b, name, BTF_KIND_INT, 0, 0, size), v = enc << 24 | size * 8;

	bb_put(b, &v, 4);
	return id;
}

static __u32 bb_ref(struct bb *b, __u32 kind, const char *name, __u32 type)
{
	return bb_type(b, name, kind, 0, 0, type);
}

static __u32 bb_array(struct bb *b, __u32 elem, __u32 n, __u32 index_type)
{
	struct btf_array a = { .type = elem, .index_type = index_type, .nelems = n };
	__u32 id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	bb_put(b, &a, sizeof(a));
	return id;
}

struct mem {
	const char *name;
	__u32 type;
	__u32 bit_off;
	__u32 bits;	/* bitfield size, 0: none */
};

static __u32 bb_struct(struct bb *b, __u32 kind, const char *name, __u32 size,
		       const struct mem *m, __u32 n)
{
	int kflag = 0;
	__u32 id, i;
	struct btf_member bm;

	for (i = 0; i < n; i++)
		kflag |= m[i].bits != 0;
	id = bb_type(b, name, kind, n, kflag, size);
	for (i = 0; i < n; i++) {
		bm.name_off = bb_str(b, m[i].name);
		bm.type = m[i].type;
		bm.offset = kflag ? m[i].bits << 24 | m[i].bit_off : m[i].bit_off;
		bb_put(b, &bm, sizeof(bm));
	}
	return id;
}

struct en {
	const char *name;
	long long val;
};

static __u32 bb_enum(struct bb *b, const char *name, __u32 size, int is64,
		     int is_signed, const struct en *e, __u32 n)
{
	__u32 id = bb_type(b, name, is64 ? BTF_KIND_ENUM64 : BTF_KIND_ENUM, n,
			   is_signed, size), i, v[3];

	for (i = 0; i < n; i++) {
		v[0] = bb_str(b, e[i].name);
		v[1] = (__u32)e[i].val;
		v[2] = (__u64)e[i].val >> 32;
		bb_put(b, v, is64 ? 12 : 8);
	}
	return id;
}

static __u32 bb_proto(struct bb *b, __u32 ret, const __u32 *params, __u32 n)
{
	__u32 id = bb_type(b, NULL, BTF_KIND_FUNC_PROTO, n, 0, ret), i;
	struct btf_param p;

	for (i = 0; i < n; i++) {
		p.name_off = 0;
		p.type = params[i];
		bb_put(b, &p, sizeof(p));
	}
	return id;
}

/* The BTF as bytes, in an allocation of exactly its size. */
static void *bb_done(const struct bb *b, size_t *len)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = b->tlen, .str_off = b->tlen,
		.str_len = b->slen,
	};
	__u8 *p;

	*len = sizeof(h) + b->tlen + b->slen;
	p = malloc(*len);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), b->types, b->tlen);
	memcpy(p + sizeof(h) + b->tlen, b->strs, b->slen);
	return p;
}

/* --- the kernel, a module, an object ------------------------------------ */

static struct bb kb, mb, lb;
static struct btf kbtf, mbtf, lbtf;
static void *kbuf, *mbuf, *lbuf;
static size_t klen, mlen, llen;

/* kernel ids */
static __u32 k_int, k_uint, k_long, k_s, k_s2, k_anon, k_arr8, k_e, k_e64,
	     k_flex, k_ptr_s;
/* module ids */
static __u32 m_modonly;
/* object ids */
static __u32 l_s, l_anon, l_arr4, l_e, l_flex, l_nomatch, l_anonroot, l_td,
	     l_proto, l_ptr, l_modonly, l_amb, l_fwdptr, l_e64;

/*
 * The kernel's struct s (size 40):
 *   long long c;           bits 0     (bytes 0-7)
 *   int x;                 bits 64
 *   int a;                 bits 96    (byte 12)
 *   union { int b[8]; };   bits 128   (bytes 16-47... in a union of 32)
 *   -- the union is at byte 16, 32 bytes: struct size 56 with:
 *   unsigned int pre:5;    bits 384
 *   unsigned int bf:3;     bits 389
 *   enum e ev;             bits 416
 *   int flex[];            bits 448
 * Its flavour s___2 has a at byte 4: a candidate that disagrees.
 */
static void build(void)
{
	struct mem anon_u[] = { { "b", 0, 0, 0 } };
	__u32 params[2];

	bb_init(&kb, NULL);
	k_int = bb_int(&kb, "int", 4, BTF_INT_SIGNED);
	k_uint = bb_int(&kb, "unsigned int", 4, 0);
	k_long = bb_int(&kb, "long long", 8, BTF_INT_SIGNED);
	k_arr8 = bb_array(&kb, k_int, 8, k_int);
	anon_u[0].type = k_arr8;
	k_anon = bb_struct(&kb, BTF_KIND_UNION, NULL, 32, anon_u, 1);
	{
		static const struct en ev[] = { { "E_ONE", 1 }, { "E_TWO", 2 } };

		k_e = bb_enum(&kb, "e", 4, 0, 0, ev, 2);
	}
	k_flex = bb_array(&kb, k_int, 0, k_int);
	{
		struct mem s[] = {
			{ "c", k_long, 0, 0 }, { "x", k_int, 64, 0 },
			{ "a", k_int, 96, 0 }, { NULL, k_anon, 128, 0 },
			{ "pre", k_uint, 384, 5 }, { "bf", k_uint, 389, 3 },
			{ "ev", k_e, 416, 0 }, { "flex", k_flex, 448, 0 },
		};

		k_s = bb_struct(&kb, BTF_KIND_STRUCT, "s", 56, s, 8);
	}
	{
		struct mem s2[] = { { "a", k_int, 32, 0 } };

		k_s2 = bb_struct(&kb, BTF_KIND_STRUCT, "amb___2", 8, s2, 1);
	}
	{
		struct mem s3[] = { { "a", k_int, 0, 0 } };

		bb_struct(&kb, BTF_KIND_STRUCT, "amb", 8, s3, 1);	/* a at 0 */
	}
	{
		static const struct en e64[] = { { "BIG", 1ll << 40 }, { "NEG", -5 } };

		k_e64 = bb_enum(&kb, "e64", 8, 1, 1, e64, 2);
	}
	k_ptr_s = bb_ref(&kb, BTF_KIND_PTR, NULL, k_s);
	kbuf = bb_done(&kb, &klen);

	/* a module: split, ids and strings after the kernel's */
	bb_init(&mb, &kb);
	{
		struct mem mo[] = { { "y", k_long, 64, 0 } };

		m_modonly = bb_struct(&mb, BTF_KIND_STRUCT, "modonly", 16, mo, 1);
	}
	mbuf = bb_done(&mb, &mlen);

	/* the object: its own layouts */
	bb_init(&lb, NULL);
	{
		__u32 i_int = bb_int(&lb, "int", 4, BTF_INT_SIGNED);
		__u32 i_u8 = bb_int(&lb, "unsigned char", 1, 0);
		__u32 i_uint = bb_int(&lb, "unsigned int", 4, 0);
		struct mem anon[] = { { "pad", i_u8, 0, 0 }, { "b", 0, 32, 0 } };
		static const struct en ev[] = { { "E_TWO___x", 20 }, { "E_NOPE___x", 30 },
						{ "BIG", 7 }, { "NEG", 8 } };

		l_arr4 = bb_array(&lb, i_int, 4, i_int);
		anon[1].type = l_arr4;
		l_anon = bb_struct(&lb, BTF_KIND_STRUCT, NULL, 20, anon, 2);
		l_e = bb_enum(&lb, "e___x", 4, 0, 0, ev, 2);
		l_flex = bb_array(&lb, i_int, 0, i_int);
		{
			struct mem s[] = {
				{ "a", i_int, 0, 0 }, { NULL, l_anon, 32, 0 },
				{ "bf", i_uint, 192, 3 }, { "gone", i_int, 224, 0 },
				{ "ev", l_e, 256, 0 }, { "c", i_int, 288, 0 },
				{ "flex", l_flex, 320, 0 },
			};

			l_s = bb_struct(&lb, BTF_KIND_STRUCT, "s___local", 40, s, 7);
		}
		{
			struct mem nm[] = { { "zz", i_int, 0, 0 } };

			l_nomatch = bb_struct(&lb, BTF_KIND_STRUCT, "nowhere", 4, nm, 1);
			l_anonroot = bb_struct(&lb, BTF_KIND_STRUCT, NULL, 4, nm, 1);
		}
		l_td = bb_ref(&lb, BTF_KIND_TYPEDEF, "s_t", l_s);
		l_ptr = bb_ref(&lb, BTF_KIND_PTR, NULL, l_s);
		params[0] = l_ptr;
		params[1] = i_int;
		l_proto = bb_proto(&lb, i_int, params, 2);
		{
			struct mem mo[] = { { "y", i_int, 0, 0 } };
			struct mem am[] = { { "a", i_int, 0, 0 } };

			l_modonly = bb_struct(&lb, BTF_KIND_STRUCT, "modonly", 4, mo, 1);
			l_amb = bb_struct(&lb, BTF_KIND_STRUCT, "amb___mine", 4, am, 1);
		}
		{
			static const struct en e64l[] = { { "BIG", 1 }, { "NEG", 2 } };

			l_e64 = bb_enum(&lb, "e64", 4, 0, 0, e64l, 2);
		}
		l_fwdptr = bb_ref(&lb, BTF_KIND_PTR, NULL,
				  bb_type(&lb, "s", BTF_KIND_FWD, 0, 0, 0));
	}
	lbuf = bb_done(&lb, &llen);
	(void)k_s2;
	(void)k_ptr_s;
	(void)k_e64;
}

static __u32 *index_of(struct btf *b)
{
	__u32 *offs = malloc((b->cnt + 1) * sizeof(*offs));

	btf_index(b, offs);
	return offs;
}

/* --- cases ------------------------------------------------------------ */

static void test_open(void)
{
	char err[128];
	int r;

	r = btf_open(&kbtf, kbuf, klen, NULL, err, sizeof(err));
	result("open: the kernel's BTF", !r && kbtf.cnt == kb.next_id - 1 &&
	       btf_end(&kbtf) == kb.next_id, "%d %s, %u types", r, err, kbtf.cnt);
	r = btf_open(&mbtf, mbuf, mlen, &kbtf, err, sizeof(err));
	result("open: a module's split BTF, ids after the kernel's",
	       !r && mbtf.start_id == kb.next_id && btf_end(&mbtf) == mb.next_id,
	       "%d %s start %u end %u", r, err, mbtf.start_id, btf_end(&mbtf));
	r = btf_open(&lbtf, lbuf, llen, NULL, err, sizeof(err));
	result("open: the object's BTF", !r, "%d %s", r, err);
}

static void test_lookups(void)
{
	struct btf_member m;
	__u64 size = 0;
	__u32 id;
	const char *n;

	result("btf_find: by name and kind", btf_find(&kbtf, "s", BTF_KIND_STRUCT) == (int)k_s &&
	       btf_find(&kbtf, "s", BTF_KIND_UNION) == -ENOENT &&
	       btf_find(&mbtf, "modonly", BTF_KIND_STRUCT) == (int)m_modonly &&
	       btf_find(&mbtf, "s", BTF_KIND_STRUCT) == -ENOENT,
	       "s %d modonly %d", btf_find(&kbtf, "s", BTF_KIND_STRUCT),
	       btf_find(&mbtf, "modonly", BTF_KIND_STRUCT));
	n = btf_name(&mbtf, m_modonly);
	result("split: a module type's name, a base type through the module",
	       n && !strcmp(n, "modonly") && btf_name(&mbtf, k_s) &&
	       !strcmp(btf_name(&mbtf, k_s), "s"), "%s", n ? n : "(null)");
	result("split: a module member's type is the base's long long",
	       !btf_member(&mbtf, m_modonly, 0, &m) && m.type == k_long &&
	       !btf_size(&mbtf, m.type, &size) && size == 8, "type %u size %llu",
	       m.type, (unsigned long long)size);
	result("btf_size: struct, array, typedef, pointer",
	       !btf_size(&kbtf, k_s, &size) && size == 56 &&
	       !btf_size(&kbtf, k_arr8, &size) && size == 32 &&
	       !btf_size(&lbtf, l_td, &size) && size == 40 &&
	       !btf_size(&lbtf, l_ptr, &size) && size == 8, "last %llu",
	       (unsigned long long)size);
	result("btf_size: void, a prototype have none",
	       btf_size(&kbtf, 0, &size) == -EINVAL && btf_size(&lbtf, l_proto, &size) == -EINVAL,
	       "sizes found");
	result("btf_skip: through a typedef", !btf_skip(&lbtf, l_td, 1, &id) && id == l_s &&
	       !btf_skip(&lbtf, l_td, 0, &id) && id == l_td, "id %u", id);
	result("bad ids: none past the end, none of a module in the base",
	       btf_type(&kbtf, btf_end(&kbtf), &(struct btf_type){ 0 }) == -EINVAL &&
	       btf_type(&kbtf, m_modonly, &(struct btf_type){ 0 }) == -EINVAL &&
	       !btf_name(&kbtf, 100000) && btf_member(&kbtf, k_s, 8, &m) == -EINVAL,
	       "an id out of range was found");
}

static void test_essential(void)
{
	static const struct { const char *s; size_t n; } t[] = {
		{ "foo", 3 }, { "foo___v2", 3 }, { "foo___", 6 }, { "___x", 4 },
		{ "a___b___c", 5 }, { "foo____bar", 10 }, { "x___y", 1 }, { "", 0 },
		{ "task_struct___old", 11 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (btf_essential_len(t[i].s) != t[i].n)
			break;
	result("essential names: the last x___y flavour suffix only",
	       i == sizeof(t) / sizeof(t[0]), "'%s': %zu, want %zu",
	       i < sizeof(t) / sizeof(t[0]) ? t[i].s : "", i < sizeof(t) / sizeof(t[0]) ?
	       btf_essential_len(t[i].s) : 0, i < sizeof(t) / sizeof(t[0]) ? t[i].n : 0);
}

/* One relocation against the kernel (and the module): what it gives. */
#define BAD(name, id, access, kind) { name, id, access, kind, -EINVAL, 0, 0, 0, 0 }
struct want {
	const char *name;
	__u32 type_id;
	const char *access;
	__u32 kind;
	int ret;		/* 0 or -EINVAL */
	int found;
	__u64 local, target;
	int validate;
};

static void core_case(const struct btf *const *targets, __u32 n, const struct want *w)
{
	struct btf_core_res r;
	char err[256] = "";
	int ret;

	ret = btf_core_calc(&lbtf, targets, n, w->type_id, w->access, w->kind, &r, err,
			    sizeof(err));
	if (ret || w->ret) {
		result(w->name, ret == w->ret && *err, "returned %d (want %d): %s", ret,
		       w->ret, err);
		return;
	}
	result(w->name, r.found == w->found && r.local_val == w->local &&
	       (!w->found || r.target_val == w->target) && r.validate == w->validate,
	       "found %d local %llu target %llu validate %d, want %d %llu %llu %d",
	       r.found, (unsigned long long)r.local_val, (unsigned long long)r.target_val,
	       r.validate, w->found, (unsigned long long)w->local,
	       (unsigned long long)w->target, w->validate);
}

static void test_core(void)
{
	const struct btf *both[] = { &kbtf, &mbtf };
	/*
	 * Local s___local (40 bytes): a 0; anon struct at 4 { pad 0; b[4] at 4 }
	 * so b[i] at 8 + 4i; bf:3 at bit 192; gone at 28; ev at 32; c at 36;
	 * flex at 40.  Kernel s (56): a 12; b[i] at 16 + 4i; bf:3 at bit 389;
	 * ev at 52; c at 0 (8 bytes); flex at 56.
	 */
	const struct want w[] = {
		{ "core: field offset, reordered", l_s, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 0, 12, 1 },
		{ "core: field offset through an anonymous member and an array", l_s, "0:1:1:2",
		  BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 16, 24, 1 },
		{ "core: the root used as an array (p[3].a)", l_s, "3:0",
		  BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 120, 3 * 56 + 12, 1 },
		BAD("core: an index past a fixed array's end", l_s, "0:1:1:4", BPF_CORE_FIELD_BYTE_OFFSET),
		{ "core: a flexible array may be indexed past its end", l_s, "0:6:5",
		  BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 60, 76, 1 },
		{ "core: field size, int where the kernel has long long", l_s, "0:5",
		  BPF_CORE_FIELD_BYTE_SIZE, 0, 1, 4, 8, 1 },
		{ "core: field exists", l_s, "0:0", BPF_CORE_FIELD_EXISTS, 0, 1, 1, 1, 1 },
		{ "core: a field the kernel lacks: exists 0", l_s, "0:3",
		  BPF_CORE_FIELD_EXISTS, 0, 0, 1, 0, 1 },
		{ "core: a field the kernel lacks: no offset", l_s, "0:3",
		  BPF_CORE_FIELD_BYTE_OFFSET, 0, 0, 28, 0, 1 },
		{ "core: signedness, unsigned bitfield", l_s, "0:2", BPF_CORE_FIELD_SIGNED, 0, 1, 0, 0, 0 },
		{ "core: signedness, int", l_s, "0:0", BPF_CORE_FIELD_SIGNED, 0, 1, 1, 1, 1 },
		/* bf: local bit 192 (byte 24, load 4 at 24): lshift 64-(192+3-192)=61;
		 * kernel bit 389: load 4 at 48, lshift 64-(389+3-384)=56 */
		{ "core: bitfield byte offset", l_s, "0:2", BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 24, 48, 0 },
		{ "core: bitfield load size", l_s, "0:2", BPF_CORE_FIELD_BYTE_SIZE, 0, 1, 4, 4, 0 },
		{ "core: bitfield left shift", l_s, "0:2", BPF_CORE_FIELD_LSHIFT_U64, 0, 1, 61, 56, 0 },
		{ "core: bitfield right shift", l_s, "0:2", BPF_CORE_FIELD_RSHIFT_U64, 0, 1, 61, 61, 0 },
		{ "core: enum field offset", l_s, "0:4", BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 32, 52, 1 },
		{ "core: through a typedef root", l_td, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, 0, 0, 0, 0, 1 },
		{ "core: type id, local", l_s, "0", BPF_CORE_TYPE_ID_LOCAL, 0, 1, l_s, l_s, 1 },
		{ "core: type id, target", l_s, "0", BPF_CORE_TYPE_ID_TARGET, 0, 1, l_s, k_s, 1 },
		{ "core: type exists", l_s, "0", BPF_CORE_TYPE_EXISTS, 0, 1, 1, 1, 1 },
		{ "core: type exists, not in the kernel", l_nomatch, "0", BPF_CORE_TYPE_EXISTS, 0, 0, 1, 0, 1 },
		{ "core: type size", l_s, "0", BPF_CORE_TYPE_SIZE, 0, 1, 40, 56, 1 },
		{ "core: type only in a module: its id there", l_modonly, "0",
		  BPF_CORE_TYPE_ID_TARGET, 0, 1, l_modonly, m_modonly, 1 },
		{ "core: a field of a module's type (base long long)", l_modonly, "0:0",
		  BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 0, 8, 1 },
		{ "core: enum value exists, by flavoured name", l_e, "0", BPF_CORE_ENUMVAL_EXISTS, 0, 1, 1, 1, 1 },
		{ "core: enum value, kernel's", l_e, "0", BPF_CORE_ENUMVAL_VALUE, 0, 1, 20, 2, 1 },
		{ "core: enum value the kernel lacks: exists 0", l_e, "1",
		  BPF_CORE_ENUMVAL_EXISTS, 0, 0, 1, 0, 1 },
		{ "core: enum value the kernel lacks: none", l_e, "1", BPF_CORE_ENUMVAL_VALUE, 0, 0, 30, 0, 1 },
		{ "core: enum value from an enum64", l_e64, "0", BPF_CORE_ENUMVAL_VALUE, 0, 1, 1, 1ull << 40, 1 },
		{ "core: a negative enum64 value", l_e64, "1", BPF_CORE_ENUMVAL_VALUE, 0, 1, 2, (__u64)-5, 1 },
		BAD("core: candidates that disagree", l_amb, "0:0", BPF_CORE_FIELD_BYTE_OFFSET),
		{ "core: candidates of a type that agree (type exists)", l_amb, "0",
		  BPF_CORE_TYPE_EXISTS, 0, 1, 1, 1, 1 },
		BAD("core: an anonymous root", l_anonroot, "0:0", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: access string empty", l_s, "", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: access string with an empty step", l_s, "0::1", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: access string ending in a colon", l_s, "0:", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: access string not a number", l_s, "0:a", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: access index past 2^32", l_s, "0:4294967296", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: member index out of range", l_s, "0:7", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: a step into an int", l_s, "0:0:1", BPF_CORE_FIELD_BYTE_OFFSET),
		BAD("core: a type relocation's access must be 0", l_s, "1", BPF_CORE_TYPE_SIZE),
		BAD("core: unknown kind", l_s, "0", 13),
		BAD("core: a bad root type id", 9999, "0:0", BPF_CORE_FIELD_BYTE_OFFSET),
	};
	char deep[3 * 70 + 1];
	size_t i;
	struct want dw = BAD("core: access string of 70 steps", l_s, deep, BPF_CORE_FIELD_BYTE_OFFSET);

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		core_case(both, 2, &w[i]);
	for (i = 0; i < 70; i++)
		memcpy(deep + 2 * i, "0:", 2);
	deep[2 * 70 - 1] = 0;
	core_case(both, 2, &dw);
}

/* TYPE_MATCHES, which clang 14 cannot emit: built here. */
static void test_match(void)
{
	const struct btf *k[] = { &kbtf };
	struct btf_core_res r;
	char err[128];
	int ret;

	/* struct s___local does not match s (member gone lacks, ev types...) */
	ret = btf_core_calc(&lbtf, k, 1, l_s, "0", BPF_CORE_TYPE_MATCHES, &r, err, sizeof(err));
	result("type matches: a local member the kernel lacks: no match", !ret && !r.found,
	       "%d found %d", ret, r.found);
	ret = btf_core_calc(&lbtf, k, 1, l_fwdptr, "0", BPF_CORE_TYPE_MATCHES, &r, err, sizeof(err));
	result("type matches: an anonymous pointer type has no name to look for",
	       ret == -EINVAL, "%d", ret);
	ret = btf_compat(&lbtf, l_ptr, &kbtf, k_ptr_s);
	result("compat: pointers to structs", ret == 1, "%d", ret);
	ret = btf_compat(&lbtf, l_proto, &kbtf, k_int);
	result("compat: a prototype is not an int", ret == 0, "%d", ret);
}

static void test_desc(void)
{
	char d[128];

	btf_core_desc(&lbtf, l_s, "0:1:1:2", BPF_CORE_FIELD_BYTE_OFFSET, d, sizeof(d));
	result("desc: a field through an anonymous member", !strcmp(d, "struct s___local.b[2] (access 0:1:1:2)"),
	       "'%s'", d);
	btf_core_desc(&lbtf, l_e, "1", BPF_CORE_ENUMVAL_VALUE, d, sizeof(d));
	result("desc: an enum value", !strcmp(d, "enum e___x::E_NOPE___x (access 1)"), "'%s'", d);
	btf_core_desc(&lbtf, 9999, "0", BPF_CORE_TYPE_SIZE, d, 12);
	result("desc: a bad type, cut to the buffer", !strcmp(d, "type 9999 (") , "'%s'", d);
	result("kind names", !strcmp(btf_core_kind_name(BPF_CORE_FIELD_LSHIFT_U64), "field_lshift_u64") &&
	       !strcmp(btf_core_kind_name(BPF_CORE_TYPE_MATCHES), "type_matches") &&
	       !strcmp(btf_core_kind_name(99), "?"), "wrong");
}

static void test_indexed(void)
{
	const struct btf *both[] = { &kbtf, &mbtf };
	const struct want w = { "core: the same answers with the BTF indexed", l_s, "0:1:1:2",
				BPF_CORE_FIELD_BYTE_OFFSET, 0, 1, 16, 24, 1 };
	__u32 *ko = index_of(&kbtf), *mo = index_of(&mbtf);

	core_case(both, 2, &w);
	result("indexed: a module type found by id", btf_name(&mbtf, m_modonly) &&
	       !strcmp(btf_name(&mbtf, m_modonly), "modonly"), "not found");
	kbtf.offs = mbtf.offs = NULL;
	free(ko);
	free(mo);
}

/*
 * A struct whose anonymous member is itself: the search for a member
 * through anonymous ones must stop (at BTF_MAX_DEPTH), not recurse until
 * the stack ends.  (The fuzzer, given this bug planted, did not build
 * such a struct in two minutes: hence this case.)
 */
static void test_cycle(void)
{
	struct mem cyc[] = { { NULL, 0, 0, 0 }, { "x", 0, 32, 0 } }, lx[] = { { "x", 0, 0, 0 } };
	const struct btf *t[1];
	struct bb *k = calloc(1, sizeof(*k)), *l = calloc(1, sizeof(*l));
	struct btf kb2, lb2;
	struct btf_core_res r;
	char err[256] = "";
	void *kp, *lp;
	size_t kl, ll;
	__u32 id, lid;
	int ret;

	bb_init(k, NULL);
	cyc[1].type = bb_int(k, "int", 4, BTF_INT_SIGNED);
	cyc[0].type = k->next_id;	/* the struct about to be made */
	id = bb_struct(k, BTF_KIND_STRUCT, "cyc", 8, cyc, 2);
	kp = bb_done(k, &kl);
	bb_init(l, NULL);
	lx[0].type = bb_int(l, "int", 4, BTF_INT_SIGNED);
	lid = bb_struct(l, BTF_KIND_STRUCT, "cyc___l", 4, lx, 1);
	lp = bb_done(l, &ll);
	btf_open(&kb2, kp, kl, NULL, NULL, 0);
	btf_open(&lb2, lp, ll, NULL, NULL, 0);
	t[0] = &kb2;
	ret = btf_core_calc(&lb2, t, 1, lid, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, &r, err,
			    sizeof(err));
	result("core: a struct that is its own anonymous member: an error, not a loop",
	       id && ret == -EINVAL && *err, "%d '%s'", ret, err);
	free(kp);
	free(lp);
	free(k);
	free(l);
}

/* Malformed BTF: each refused with a message, never read past its end. */
static void test_bad(void)
{
	static const struct {
		const char *name;
		size_t off;	/* into the kernel's BTF */
		__u32 val;
		const char *want;
	} t[] = {
		{ "bad magic", 0, 0x1234, "magic" },
		{ "bad version", 2, 2, "version" },
		{ "header length past the data", 4, 1 << 20, "header length" },
		{ "type area past the end", 12, 1 << 20, "beyond" },
		{ "string area past the end", 20, 1 << 20, "beyond" },
		{ "unknown kind", 24 + 4, 31 << 24, "unknown kind" },
		{ "vlen running past the area", 24 + 4, BTF_KIND_STRUCT << 24 | 0xffff, "runs past" },
	};
	char err[128];
	struct btf b;
	size_t i;
	__u8 *p;
	__u32 v;
	int ret;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p = malloc(klen);
		memcpy(p, kbuf, klen);
		if (t[i].off == 2) {
			p[2] = t[i].val;	/* version is a byte */
		} else {
			v = t[i].val;
			memcpy(p + t[i].off, &v, t[i].off == 0 ? 2 : 4);
		}
		err[0] = 0;
		ret = btf_open(&b, p, klen, NULL, err, sizeof(err));
		result(t[i].name, ret == -EINVAL && strstr(err, t[i].want), "%d '%s'", ret, err);
		free(p);
	}
	ret = btf_open(&b, kbuf, 10, NULL, err, sizeof(err));
	result("too short for a header", ret == -EINVAL, "%d", ret);
}

int main(void)
{
	build();
	test_open();
	if (failed)
		return 1;
	test_lookups();
	test_essential();
	test_core();
	test_match();
	test_desc();
	test_indexed();
	test_cycle();
	test_bad();
	free(kbuf);
	free(mbuf);
	free(lbuf);
	return failed;
}
