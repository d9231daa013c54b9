// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_btf.c - libFuzzer harness for btf.c: two BTFs from one input (an
 * object's and a "kernel's", the second also read as split BTF on top
 * of the first), and CO-RE relocations of every kind resolved between
 * them, for each local type and for access strings of our own and one
 * taken from the input.
 *
 * Input: a little-endian u16 length L, then L bytes of local BTF, then
 * the target BTF; the last up to 24 bytes also serve as an access
 * string.  fuzz.sh seeds it with pairs of the .BTF sections of the
 * objects in build/objs.
 *
 * Every buffer btf.c reads is an allocation of exactly its size, so ASan
 * reports any read past it; and as the input's last byte says, each BTF
 * is laid out again with its type area, or its string area, last in the
 * allocation, so that a read past either area is past the allocation.  What btf.h promises is checked, and a
 * broken promise abort()s: btf_open() fails with -EINVAL and a message
 * or gives types that btf_type() finds; btf_core_calc() returns 0 or
 * -EINVAL with a one-line printable message, and its answers are
 * consistent (TYPE_ID_LOCAL is the type, a target id exists in the
 * target, existence answers are 0 or 1); btf_core_desc() always
 * terminates its string within the buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "btf.h"
#define FUZZ_NAME "fuzz_btf"
#include "check.h"

#define ERR_LEN		256
#define TYPES_MAX	24	/* local types tried */

static void check_err(const char *fn, int ret, const char *err)
{
	const char *p;

	check(ret == -EINVAL, "%s returned %d", fn, ret);
	check(err[0] && memchr(err, 0, ERR_LEN), "%s: no message", fn);
	for (p = err; *p; p++)
		check((unsigned char)*p >= 0x20 && *p != 0x7f,
		      "%s: control character in \"%s\"", fn, err);
}

static void *dup_exact(const uint8_t *p, size_t n)
{
	void *b = malloc(n ? n : 1);

	memcpy(b, p, n);
	return b;
}

/*
 * p[0..*n) laid out again as [header][strings][types] (types_last) or
 * [header][types][strings], in an allocation of exactly that size; p
 * itself (a copy) if its header does not describe two areas inside it.
 */
static void *relayout(const uint8_t *p, size_t *n, int types_last)
{
	struct btf_header h;
	uint8_t *b;
	size_t len;

	if (*n < sizeof(h))
		return dup_exact(p, *n);
	memcpy(&h, p, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > *n ||
	    (uint64_t)h.type_off + h.type_len > *n - h.hdr_len ||
	    (uint64_t)h.str_off + h.str_len > *n - h.hdr_len)
		return dup_exact(p, *n);
	len = h.hdr_len + (size_t)h.type_len + h.str_len;
	b = malloc(len ? len : 1);
	memcpy(b, p, h.hdr_len);
	if (types_last) {
		memcpy(b + h.hdr_len, p + h.hdr_len + h.str_off, h.str_len);
		memcpy(b + h.hdr_len + h.str_len, p + h.hdr_len + h.type_off, h.type_len);
		h.str_off = 0;
		h.type_off = h.str_len;
	} else {
		memcpy(b + h.hdr_len, p + h.hdr_len + h.type_off, h.type_len);
		memcpy(b + h.hdr_len + h.type_len, p + h.hdr_len + h.str_off, h.str_len);
		h.type_off = 0;
		h.str_off = h.type_len;
	}
	memcpy(b, &h, sizeof(h));
	*n = len;
	return b;
}

/* Every type of b reads, and so does its name. */
static void check_types(const struct btf *b)
{
	struct btf_iter it = { 0 };
	struct btf_type t, u;
	__u64 size;
	__u32 n = 0, id;

	while (btf_next(b, &it, &t)) {
		check(it.id == b->start_id + n, "iterator at %u, want %u", it.id,
		      b->start_id + n);
		check(!btf_type(b, it.id, &u) && !memcmp(&t, &u, sizeof(t)),
		      "type %u: walk and lookup differ", it.id);
		btf_name(b, it.id);
		btf_size(b, it.id, &size);
		btf_skip(b, it.id, 1, &id);
		n++;
	}
	check(n == b->cnt, "walked %u types of %u", n, b->cnt);
	check(btf_type(b, btf_end(b), &t) == -EINVAL, "a type past the end");
}

/* "3:17:0:...": an access string from bytes: 1 to 96 steps (the first
 * byte says), each a byte & 0x7f, so that indices near and past the
 * ends of members and arrays, and paths longer than allowed, are tried. */
static void mk_access(const char *tail, size_t n, char *out, size_t len)
{
	size_t used = 0, i, steps = n ? 1 + (unsigned char)tail[0] % 96 : 0;

	out[0] = 0;
	for (i = 0; i < steps && used < len; i++)
		used += snprintf(out + used, len - used, "%s%u", i ? ":" : "",
				 (unsigned char)tail[(i + 1) % n] & 0x7f);
}

static void core(const struct btf *local, const struct btf *const *targets,
		 __u32 n, __u32 id, const char *access)
{
	struct btf_core_res r;
	char err[ERR_LEN], desc[48];
	__u32 kind;
	int ret;

	for (kind = 0; kind <= BPF_CORE_TYPE_MATCHES + 1; kind++) {
		memset(err, 0, sizeof(err));
		ret = btf_core_calc(local, targets, n, id, access, kind, &r, err,
				    sizeof(err));
		memset(desc, 0x5a, sizeof(desc));
		btf_core_desc(local, id, access, kind, desc, sizeof(desc));
		check(memchr(desc, 0, sizeof(desc)), "desc not terminated");
		if (ret) {
			check_err("btf_core_calc", ret, err);
			continue;
		}
		check(kind <= BPF_CORE_TYPE_MATCHES, "kind %u accepted", kind);
		check(r.found == 0 || r.found == 1, "found %d", r.found);
		check(r.targ_idx < n, "target %u of %u", r.targ_idx, n);
		if (kind == BPF_CORE_TYPE_ID_LOCAL)
			check(r.found && r.local_val == id && r.target_val == id,
			      "local type id %llu/%llu for %u",
			      (unsigned long long)r.local_val,
			      (unsigned long long)r.target_val, id);
		if (kind == BPF_CORE_TYPE_ID_TARGET && r.found)
			check(r.target_val && r.target_val < btf_end(targets[r.targ_idx]),
			      "target id %llu", (unsigned long long)r.target_val);
		if (r.found && (kind == BPF_CORE_FIELD_EXISTS || kind == BPF_CORE_TYPE_EXISTS ||
				kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_TYPE_MATCHES))
			check(r.target_val == 1 && r.local_val == 1, "exists %llu/%llu",
			      (unsigned long long)r.local_val,
			      (unsigned long long)r.target_val);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const access[] = { "0", "0:0", "0:1", "1:0:2", "0:0:0:1",
					      "0:2:3", "3" };
	const struct btf *targets[2];
	struct btf local, targ, split;
	char err[ERR_LEN], tail[25], made[400];
	void *lb, *tb;
	__u32 *lo = NULL, *to = NULL, *so = NULL, id, i;
	size_t llen, tlen, n;
	int ret, have_split;

	if (size < 2)
		return 0;
	llen = data[0] | data[1] << 8;
	if (llen > size - 2)
		llen = size - 2;
	tlen = size - 2 - llen;
	tb = relayout(data + 2 + llen, &tlen, data[size - 1] & 2);
	lb = relayout(data + 2, &llen, data[size - 1] & 1);
	n = size < 24 ? size : 24;
	memcpy(tail, data + size - n, n);
	tail[n] = 0;
	mk_access(tail, n, made, sizeof(made));

	memset(err, 0, sizeof(err));
	ret = btf_open(&local, lb, llen, NULL, err, sizeof(err));
	if (ret) {
		check_err("btf_open", ret, err);
		goto out;
	}
	check_types(&local);
	memset(err, 0, sizeof(err));
	ret = btf_open(&targ, tb, tlen, NULL, err, sizeof(err));
	if (ret) {
		check_err("btf_open", ret, err);
		goto out;
	}
	check_types(&targ);
	/* the same, indexed: lookups must not change */
	to = malloc((targ.cnt + 1) * sizeof(*to));
	btf_index(&targ, to);
	check_types(&targ);
	have_split = !btf_open(&split, tb, tlen, &local, NULL, 0);
	if (have_split)
		check_types(&split);
	targets[0] = &targ;
	targets[1] = &split;
	/* unindexed first (a few), then indexed (the rest, faster) */
	for (i = 0; i < 2 && i <= local.cnt; i++)
		core(&local, targets, have_split ? 2 : 1, i, tail);
	lo = malloc((local.cnt + 1) * sizeof(*lo));
	btf_index(&local, lo);
	if (have_split) {
		so = malloc((split.cnt + 1) * sizeof(*so));
		btf_index(&split, so);
	}
	for (id = 0; id <= local.cnt && id <= TYPES_MAX; id++) {
		for (i = 0; i < sizeof(access) / sizeof(access[0]); i++)
			core(&local, targets, have_split ? 2 : 1, id, access[i]);
		core(&local, targets, have_split ? 2 : 1, id, tail);
		core(&local, targets, have_split ? 2 : 1, id, made);
		btf_compat(&local, id, &targ, id < btf_end(&targ) ? id : 1);
	}
out:
	free(so);
	free(lo);
	free(to);
	free(tb);
	free(lb);
	return 0;
}
