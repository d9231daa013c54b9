/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/wire.h - what the tests that build frames share: big-endian
 * stores and the Internet checksum (RFC 1071, RFC 1624).  Also built
 * into tests/objs/gen_xdp.c by clang for the BPF target.
 */
#ifndef TCPINSPECT_TESTS_WIRE_H
#define TCPINSPECT_TESTS_WIRE_H

#include <stddef.h>
#include <linux/types.h>

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* sum plus p's bytes as big-endian 16-bit words (an odd one padded). */
static inline __u32 csum_add(const void *p, size_t len, __u32 sum)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

/* The checksum of a sum: folded to 16 bits and complemented, host order. */
static inline __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* RFC 1624: a checksum (as stored) after a 16-bit word went from old to
 * new (both as stored). */
static inline __u16 csum_replace(__u16 sum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~sum + (__u16)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

#endif
