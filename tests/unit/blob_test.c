// SPDX-License-Identifier: GPL-2.0
/*
 * blob_test - lz_decode(), blob.c's LZ4 block decoder: the files the
 * build packed (build/xdp.o.lz, build/openapi.json.lz) unpack to the
 * very bytes of build/xdp.o and openapi.json; hand-made blocks with
 * long literal and match lengths and a match that overlaps itself;
 * malformed blocks (distance 0, a distance before the start, lengths
 * cut short, more than the room) are refused; every prefix and random
 * corruptions of a real block never write or read out of bounds
 * (AddressSanitizer watches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "../result.h"

/* embed.S's symbols, which blob.c refers to: this test links no embed.o. */
const __u8 ti_obj_lz[1], ti_obj_lz_end[1], ti_openapi_lz[1], ti_openapi_lz_end[1];

static __u8 *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	__u8 *b = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (b = malloc(n + 1)) && fread(b, 1, n, f) == (size_t)n)
		*len = n;
	else if (b) {
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	return b;
}

/* Unpack packed (a length, then a block) and compare with the plain file. */
static void round_trip(const char *name, const char *packed_path, const char *plain_path)
{
	size_t plen, len;
	__u8 *packed = slurp(packed_path, &plen), *plain = slurp(plain_path, &len), *out;
	long got = -2;

	if (packed && plain && plen >= 4) {
		out = malloc(len + 1);
		got = lz_decode(packed + 4, plen - 4, out, len);
		result(name, got == (long)len && !memcmp(out, plain, len) &&
		       (packed[0] | packed[1] << 8 | packed[2] << 16 | (size_t)packed[3] << 24) == len &&
		       plen < len,
		       "%ld of %zu bytes, packed into %zu", got, len, plen);
		free(out);
	} else {
		result(name, 0, "cannot read %s or %s (make builds them)", packed_path, plain_path);
	}
	free(packed);
	free(plain);
}

static void block(const char *name, const __u8 *b, size_t n, size_t cap,
		  const char *want, long want_len)
{
	__u8 *out = malloc(cap ? cap : 1);
	long got = lz_decode(b, n, out, cap);

	result(name, got == want_len && (got < 0 || !memcmp(out, want, got)),
	       "%ld bytes, want %ld", got, want_len);
	free(out);
}

int main(void)
{
	static const __u8 rle[] = { 0x1f, 'a', 1, 0, 3 };		/* "a", then 22 of it */
	static const __u8 zero_off[] = { 0x10, 'a', 0, 0 };
	static const __u8 far_off[] = { 0x10, 'a', 2, 0 };
	static const __u8 cut_off[] = { 0x10, 'a', 1 };
	static const __u8 cut_len[] = { 0xf0, 255 };
	__u8 lit300[2 + 300 + 1], *packed, *copy, out[1 << 16];
	char want[400];
	size_t plen, k, i;
	unsigned seed = 1;
	long r;

	round_trip("build/xdp.o.lz unpacks to build/xdp.o", "build/xdp.o.lz", "build/xdp.o");
	round_trip("build/openapi.json.lz unpacks to openapi.json", "build/openapi.json.lz",
		   "openapi.json");

	memset(want, 'a', 23);
	block("a match overlapping itself (run length)", rle, sizeof(rle), 23, want, 23);
	block("the same into too little room: refused", rle, sizeof(rle), 22, want, -1);
	/* 300 literals: 15 in the token, 255 + 30 in two more bytes */
	lit300[0] = 0xf0;
	lit300[1] = 255;
	lit300[2] = 30;
	for (k = 0; k < 300; k++)
		lit300[3 + k] = want[k] = 'A' + k % 26;
	block("300 literals (two extension bytes)", lit300, sizeof(lit300), 300, want, 300);
	block("distance 0: refused", zero_off, sizeof(zero_off), 64, want, -1);
	block("distance before the start: refused", far_off, sizeof(far_off), 64, want, -1);
	block("distance cut short: refused", cut_off, sizeof(cut_off), 64, want, -1);
	block("literal length cut short: refused", cut_len, sizeof(cut_len), 64, want, -1);
	block("an empty block: nothing", rle, 0, 64, want, 0);

	packed = slurp("build/xdp.o.lz", &plen);
	if (!packed || plen < 5) {
		result("prefixes and corruptions of a real block", 0, "no build/xdp.o.lz");
		return failed;
	}
	for (k = 0; k < plen - 4; k++) {	/* each on the heap, exactly cut */
		copy = malloc(k + 1);
		memcpy(copy, packed + 4, k);
		r = lz_decode(copy, k, out, sizeof(out));
		free(copy);
		if (r > (long)sizeof(out))
			break;
	}
	result("every prefix of a real block: within bounds", k == plen - 4, "prefix %zu", k);
	for (i = 0; i < 20000; i++) {
		copy = malloc(plen - 4);
		memcpy(copy, packed + 4, plen - 4);
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % (plen - 4)] ^= 1 + (seed >> 20) % 255;
		}
		r = lz_decode(copy, plen - 4, out, sizeof(out));
		free(copy);
		if (r > (long)sizeof(out))
			break;
	}
	result("20000 corrupted blocks: within bounds", i == 20000, "case %zu", i);
	free(packed);
	return failed;
}
