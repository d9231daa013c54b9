// SPDX-License-Identifier: GPL-2.0
/*
 * blob.c - the embedded files, unpacked once (blob.h).  The decoder of
 * LZ4's block format: sequences of a token (literal length in its high
 * four bits, match length - 4 in its low four, 15 meaning "more bytes
 * follow", each adding up to 255), the literals, a two-byte little-
 * endian distance back into what is written, and the match; the last
 * sequence has literals only.  Every length and distance is checked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"

/* The packed files, from embed.S. */
extern const __u8 ti_obj_lz[], ti_obj_lz_end[];
extern const __u8 ti_openapi_lz[], ti_openapi_lz_end[];

/* A length's extension bytes onto *v; -1 past the end of the block. */
static int more(const __u8 *s, size_t n, size_t *i, size_t *v)
{
	__u8 b;

	do {
		if (*i >= n || *v > (size_t)-1 / 2)
			return -1;
		b = s[(*i)++];
		*v += b;
	} while (b == 255);
	return 0;
}

long lz_decode(const __u8 *s, size_t n, __u8 *d, size_t cap)
{
	size_t i = 0, o = 0, lit, ml, off, k;
	__u8 tok;

	while (i < n) {
		tok = s[i++];
		lit = tok >> 4;
		if (lit == 15 && more(s, n, &i, &lit))
			return -1;
		if (lit > n - i || lit > cap - o)
			return -1;
		memcpy(d + o, s + i, lit);
		i += lit;
		o += lit;
		if (i == n)		/* the last sequence: literals only */
			break;
		if (n - i < 2)
			return -1;
		off = s[i] | s[i + 1] << 8;
		i += 2;
		ml = (tok & 15) + 4;
		if ((tok & 15) == 15 && more(s, n, &i, &ml))
			return -1;
		if (!off || off > o || ml > cap - o)
			return -1;
		for (k = 0; k < ml; k++)	/* may overlap itself */
			d[o + k] = d[o - off + k];
		o += ml;
	}
	return o;
}

const void *blob_get(enum blob b, size_t *len)
{
	static const struct {
		const __u8 *start, *end;
	} packed[BLOB_CNT] = {
		[BLOB_OBJ] = { ti_obj_lz, ti_obj_lz_end },
		[BLOB_OPENAPI] = { ti_openapi_lz, ti_openapi_lz_end },
	};
	static __u8 *unpacked[BLOB_CNT];
	static size_t unpacked_len[BLOB_CNT];
	const __u8 *p = packed[b].start;
	size_t n = packed[b].end - p, want;
	__u8 *d;

	if (!unpacked[b]) {
		if (n < 4) {
			errno = EINVAL;
			return NULL;
		}
		want = p[0] | p[1] << 8 | p[2] << 16 | (size_t)p[3] << 24;
		d = malloc(want ? want : 1);
		if (!d) {
			errno = ENOMEM;
			return NULL;
		}
		if (lz_decode(p + 4, n - 4, d, want) != (long)want) {
			free(d);
			errno = EINVAL;
			return NULL;
		}
		unpacked[b] = d;
		unpacked_len[b] = want;
	}
	*len = unpacked_len[b];
	return unpacked[b];
}
