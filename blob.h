/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blob.h - the files inside the binary (embed.S): the BPF object and
 * openapi.json, packed by mkblob at build time (a length and one LZ4
 * block) and unpacked here on first use.
 */
#ifndef TCPINSPECT_BLOB_H
#define TCPINSPECT_BLOB_H

#include <stddef.h>
#include <linux/types.h>

enum blob { BLOB_OBJ, BLOB_OPENAPI, BLOB_CNT };

/*
 * The unpacked bytes of blob b (kept until exit; every call after the
 * first returns the same), or NULL with errno ENOMEM, or EINVAL if the
 * packed bytes do not unpack to their length (a broken build).
 */
const void *blob_get(enum blob b, size_t *len);

/*
 * One LZ4 block (src, n bytes) into dst (cap bytes): the bytes written,
 * or -1 if the block is malformed or would write past cap.  Pure.
 */
long lz_decode(const __u8 *src, size_t n, __u8 *dst, size_t cap);

#endif
