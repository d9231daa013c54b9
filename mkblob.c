// SPDX-License-Identifier: GPL-2.0
/*
 * mkblob.c - a build tool, not part of the binary: pack a file for
 * embed.S as blob.c reads it back, its length (4 bytes, little-endian)
 * and then its bytes as one LZ4 block (the block format of lz4's
 * documentation: sequences of literals and matches within 64 KiB).
 * The BPF object and openapi.json shrink to about a third.
 *
 *	mkblob IN OUT
 *
 * The match search is exhaustive over the window (a build-time cost of
 * well under a second for files of tens of KiB): the longest match,
 * the nearest on a tie.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW	65535
#define MIN_MATCH 4

static void die(const char *why)
{
	fprintf(stderr, "mkblob: %s\n", why);
	exit(1);
}

/* A length's extension bytes after its 4 bits in the token (15). */
static uint8_t *put_len(uint8_t *o, size_t n)
{
	for (; n >= 255; n -= 255)
		*o++ = 255;
	*o++ = n;
	return o;
}

/* One sequence: lit literals at s, then (if ml) a match of ml at off. */
static uint8_t *put_seq(uint8_t *o, const uint8_t *s, size_t lit, size_t off,
			size_t ml)
{
	uint8_t *tok = o++;
	size_t m = ml ? ml - MIN_MATCH : 0;

	*tok = (lit < 15 ? lit : 15) << 4 | (m < 15 ? m : 15);
	if (lit >= 15)
		o = put_len(o, lit - 15);
	memcpy(o, s, lit);
	o += lit;
	if (!ml)
		return o;
	*o++ = off & 0xff;
	*o++ = off >> 8;
	if (m >= 15)
		o = put_len(o, m - 15);
	return o;
}

/* The longest match for in[i..] within the window, and its distance. */
static size_t longest(const uint8_t *in, size_t len, size_t i, size_t *off)
{
	size_t j, k, best = 0;

	*off = 0;
	for (j = i > WINDOW ? i - WINDOW : 0; j < i; j++) {
		for (k = 0; i + k < len && in[j + k] == in[i + k]; k++)
			;
		if (k >= best) {	/* >=: the nearest of equals */
			best = k;
			*off = i - j;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	uint8_t *in, *out, *o;
	size_t len, i, best, best_off, next_off, lit_start;
	FILE *f;

	if (argc != 3)
		die("usage: mkblob IN OUT");
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(in = malloc(len + 1)) ||
	    fread(in, 1, len, f) != len || len > UINT32_MAX)
		die("cannot read the input");
	fclose(f);
	/* at worst: every byte a literal, one length byte per 255 */
	out = malloc(4 + len + len / 255 + 16);
	if (!out)
		die("out of memory");
	out[0] = len;
	out[1] = len >> 8;
	out[2] = len >> 16;
	out[3] = len >> 24;
	o = out + 4;
	for (i = lit_start = 0; i < len; ) {
		best = longest(in, len, i, &best_off);
		/* Lazily: a longer match one byte on is worth a literal. */
		if (best >= MIN_MATCH && i + 1 < len &&
		    longest(in, len, i + 1, &next_off) > best + 1)
			best = 0;
		if (best < MIN_MATCH) {
			i++;
			continue;
		}
		o = put_seq(o, in + lit_start, i - lit_start, best_off, best);
		i += best;
		lit_start = i;
	}
	o = put_seq(o, in + lit_start, len - lit_start, 0, 0);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(out, 1, o - out, f) != (size_t)(o - out) || fclose(f))
		die("cannot write the output");
	return 0;
}
