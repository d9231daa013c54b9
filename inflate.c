// SPDX-License-Identifier: GPL-2.0
/*
 * inflate.c - gzip decompression (inflate.h): a bit reader, canonical
 * Huffman tables decoded a bit at a time (slow, small, enough for a
 * kernel configuration), stored, fixed and dynamic blocks, and the gzip
 * header and trailer (CRC-32, length) around them.
 */
#include <errno.h>
#include <string.h>
#include <linux/types.h>
#include "inflate.h"

#define MAX_BITS	15	/* longest code */
#define LIT_CODES	288	/* literal/length alphabet */
#define DIST_CODES	30

struct gz {
	const __u8 *in;
	size_t in_len, pos;
	__u32 bitbuf;
	int bitcnt;
	__u8 *out;
	size_t cap, n;
};

/* A canonical code: how many codes of each length, and the symbols in
 * code order. */
struct huff {
	__u16 count[MAX_BITS + 1];
	__u16 sym[LIT_CODES];
};

/* need (<= 16) bits, least significant first; -1 past the input. */
static int bits(struct gz *g, int need)
{
	__u32 v;

	while (g->bitcnt < need) {
		if (g->pos >= g->in_len)
			return -1;
		g->bitbuf |= (__u32)g->in[g->pos++] << g->bitcnt;
		g->bitcnt += 8;
	}
	v = g->bitbuf & ((1u << need) - 1);
	g->bitbuf >>= need;
	g->bitcnt -= need;
	return v;
}

/* Tables from code lengths; 0, or -1 if the lengths over-fill the code
 * (an incomplete code is allowed: one distance code is common). */
static int build(struct huff *h, const __u8 *lens, int n)
{
	__u16 offs[MAX_BITS + 1];
	int i, left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (i = 0; i < n; i++)
		h->count[lens[i]]++;
	for (i = 1; i <= MAX_BITS; i++) {
		left = left * 2 - h->count[i];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (i = 1; i < MAX_BITS; i++)
		offs[i + 1] = offs[i] + h->count[i];
	for (i = 0; i < n; i++)
		if (lens[i])
			h->sym[offs[lens[i]]++] = i;
	return 0;
}

/* The next symbol; -1 for a code that is not in the table, or the end. */
static int decode(struct gz *g, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len, b;

	for (len = 1; len <= MAX_BITS; len++) {
		b = bits(g, 1);
		if (b < 0)
			return -1;
		code |= b;
		if (code - first < h->count[len])
			return h->sym[index + code - first];
		index += h->count[len];
		first = (first + h->count[len]) << 1;
		code <<= 1;
	}
	return -1;
}

static const __u16 len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const __u8 len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const __u16 dist_base[DIST_CODES] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577 };
static const __u8 dist_extra[DIST_CODES] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* Literals and back-references until the end of block. */
static int codes(struct gz *g, const struct huff *lit, const struct huff *dist)
{
	int sym, e;
	size_t len, d;

	for (;;) {
		sym = decode(g, lit);
		if (sym < 0)
			return -EINVAL;
		if (sym < 256) {
			if (g->n >= g->cap)
				return -E2BIG;
			g->out[g->n++] = sym;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29 || (e = bits(g, len_extra[sym])) < 0)
			return -EINVAL;
		len = len_base[sym] + e;
		sym = decode(g, dist);
		if (sym < 0 || sym >= DIST_CODES || (e = bits(g, dist_extra[sym])) < 0)
			return -EINVAL;
		d = dist_base[sym] + e;
		if (d > g->n)
			return -EINVAL;
		if (len > g->cap - g->n)
			return -E2BIG;
		for (; len; len--, g->n++)	/* may overlap: byte by byte */
			g->out[g->n] = g->out[g->n - d];
	}
}

static int stored(struct gz *g)
{
	__u16 len, nlen;

	g->bitbuf = 0;	/* to the byte boundary */
	g->bitcnt = 0;
	if (g->in_len - g->pos < 4)
		return -EINVAL;
	len = g->in[g->pos] | g->in[g->pos + 1] << 8;
	nlen = g->in[g->pos + 2] | g->in[g->pos + 3] << 8;
	g->pos += 4;
	if ((len ^ nlen) != 0xffff || len > g->in_len - g->pos)
		return -EINVAL;
	if (len > g->cap - g->n)
		return -E2BIG;
	memcpy(g->out + g->n, g->in + g->pos, len);
	g->pos += len;
	g->n += len;
	return 0;
}

static int fixed(struct gz *g)
{
	struct huff lit, dist;
	__u8 lens[LIT_CODES];
	int i;

	for (i = 0; i < LIT_CODES; i++)
		lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	build(&lit, lens, LIT_CODES);
	memset(lens, 5, DIST_CODES);
	build(&dist, lens, DIST_CODES);
	return codes(g, &lit, &dist);
}

static int dynamic(struct gz *g)
{
	static const __u8 order[19] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	struct huff lit, dist, cl;
	__u8 lens[LIT_CODES + DIST_CODES];
	int nlit, ndist, ncl, i, sym, rep, prev, e;

	nlit = bits(g, 5);
	ndist = bits(g, 5);
	ncl = bits(g, 4);
	if (nlit < 0 || ndist < 0 || ncl < 0)
		return -EINVAL;
	nlit += 257;
	ndist += 1;
	ncl += 4;
	if (nlit > 286 || ndist > DIST_CODES)
		return -EINVAL;
	memset(lens, 0, 19);
	for (i = 0; i < ncl; i++) {
		e = bits(g, 3);
		if (e < 0)
			return -EINVAL;
		lens[order[i]] = e;
	}
	if (build(&cl, lens, 19))
		return -EINVAL;
	for (i = 0; i < nlit + ndist;) {
		sym = decode(g, &cl);
		if (sym < 0)
			return -EINVAL;
		if (sym < 16) {
			lens[i++] = sym;
			continue;
		}
		prev = sym == 16 && i ? lens[i - 1] : 0;
		e = bits(g, sym == 16 ? 2 : sym == 17 ? 3 : 7);
		rep = e + (sym == 18 ? 11 : 3);
		if (e < 0 || (sym == 16 && !i) || i + rep > nlit + ndist)
			return -EINVAL;
		while (rep--)
			lens[i++] = prev;
	}
	if (!lens[256] || build(&lit, lens, nlit) || build(&dist, lens + nlit, ndist))
		return -EINVAL;
	return codes(g, &lit, &dist);
}

static __u32 crc32(const __u8 *p, size_t n)
{
	__u32 c = ~0u;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static __u32 le32(const __u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

size_t gz_size(const void *in, size_t in_len)
{
	const __u8 *p = in;

	if (in_len < 18 || p[0] != 0x1f || p[1] != 0x8b)
		return 0;
	return le32(p + in_len - 4);
}

long gz_inflate(const void *in, size_t in_len, void *out, size_t out_cap)
{
	struct gz g = { .in = in, .in_len = in_len, .out = out, .cap = out_cap };
	const __u8 *p = in;
	int last, type, ret = 0;
	__u8 flg;

	/* ID1 ID2 CM FLG MTIME(4) XFL OS, then what FLG announces */
	if (in_len < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8)
		return -EINVAL;
	flg = p[3];
	g.pos = 10;
	if (flg & 4) {		/* FEXTRA */
		if (in_len - g.pos < 2)
			return -EINVAL;
		g.pos += 2 + (p[g.pos] | p[g.pos + 1] << 8);
	}
	if (flg & 8)		/* FNAME */
		while (g.pos < in_len && p[g.pos++])
			;
	if (flg & 16)		/* FCOMMENT */
		while (g.pos < in_len && p[g.pos++])
			;
	if (flg & 2)		/* FHCRC */
		g.pos += 2;
	if (g.pos > in_len)
		return -EINVAL;
	do {
		last = bits(&g, 1);
		type = bits(&g, 2);
		if (last < 0 || type < 0)
			return -EINVAL;
		ret = type == 0 ? stored(&g) : type == 1 ? fixed(&g) :
		      type == 2 ? dynamic(&g) : -EINVAL;
		if (ret)
			return ret;
	} while (!last);
	if (in_len - g.pos < 8 || le32(p + g.pos) != crc32(g.out, g.n) ||
	    le32(p + g.pos + 4) != (__u32)g.n)
		return -EINVAL;
	return g.n;
}
