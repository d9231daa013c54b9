/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inflate.h - gunzip a buffer held in memory (RFC 1952 around RFC
 * 1951's deflate), for /proc/config.gz.  Pure: no syscalls, no
 * allocation, no globals; every read and write is bounds-checked.
 */
#ifndef TCPINSPECT_INFLATE_H
#define TCPINSPECT_INFLATE_H

#include <stddef.h>

/*
 * The size the gzip trailer of in[0..in_len) announces (the data's
 * length modulo 2^32), or 0 if in is no gzip data.
 */
size_t gz_size(const void *in, size_t in_len);

/*
 * Decompress the first member of gzip data in into out[0..out_cap):
 * the number of bytes written, or -EINVAL (corrupt: bad header, bad
 * code, distance too far back, CRC or length mismatch, truncated) or
 * -E2BIG (out too small).
 */
long gz_inflate(const void *in, size_t in_len, void *out, size_t out_cap);

#endif
