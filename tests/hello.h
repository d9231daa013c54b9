/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/hello.h - a TLS handshake record holding a ClientHello or a
 * ServerHello, built byte by byte for the tests that read hellos
 * (tests/unit/tls_test.c, tests/tools/mkpcap.c).  Its layout: the
 * record's 5 bytes, the handshake's 4, version, random, a 32-byte
 * session id (TLS_HELLO_SID_END: where it ends), cipher suites (GREASE
 * among a client's) and compression; then, with exts, a client's GREASE
 * extension, server_name (TLS_HELLO_EXT_FIRST: where it begins), ALPN,
 * supported_versions (as given) and a key share's worth of bytes.
 */
#ifndef TCPINSPECT_TESTS_HELLO_H
#define TCPINSPECT_TESTS_HELLO_H

#include <string.h>
#include "wire.h"

#define TLS_HELLO_SID_END	76
#define TLS_HELLO_EXT_FIRST(client)	((client) ? 94 : 81)

/* The hello into b: client or server; sni, alpn (comma-separated) may be
 * NULL; ver[0..nver) the supported_versions (a server's: ver[0]);
 * without exts, no extensions at all.  Its length. */
static inline size_t tls_hello(__u8 *b, int client, const char *sni, const char *alpn,
			       const __u16 *ver, int nver, int exts)
{
	size_t n = 0, ext, e, l, i;
	const char *p, *q;

	b[n++] = 22;
	b[n++] = 3;
	b[n++] = 1;
	n += 2;				/* record length */
	b[n++] = client ? 1 : 2;
	n += 3;				/* handshake length */
	b[n++] = 3;
	b[n++] = 3;
	for (i = 0; i < 32; i++)
		b[n++] = i * 7;
	b[n++] = 32;			/* a session id */
	for (i = 0; i < 32; i++)
		b[n++] = 0xee - i;
	if (client) {
		static const __u8 cs[] = { 0, 8, 0x3a, 0x3a, 0x13, 1, 0x13, 2, 0xc0, 0x2f };

		memcpy(b + n, cs, sizeof(cs));
		n += sizeof(cs);
		b[n++] = 1;
		b[n++] = 0;
	} else {
		b[n++] = 0x13;
		b[n++] = 1;
		b[n++] = 0;
	}
	if (exts) {
		ext = n;
		n += 2;
		if (client) {	/* GREASE */
			put16(b + n, 0x2a2a);
			put16(b + n + 2, 0);
			n += 4;
		}
		if (sni) {
			l = strlen(sni);
			put16(b + n, 0);
			put16(b + n + 2, l + 5);
			put16(b + n + 4, l + 3);
			b[n + 6] = 0;
			put16(b + n + 7, l);
			memcpy(b + n + 9, sni, l);
			n += 9 + l;
		}
		if (alpn) {
			put16(b + n, 16);
			e = n + 6;
			for (p = alpn; *p; p = *q ? q + 1 : q) {
				q = strchr(p, ',');
				if (!q)
					q = p + strlen(p);
				b[e++] = q - p;
				memcpy(b + e, p, q - p);
				e += q - p;
			}
			put16(b + n + 2, e - n - 4);
			put16(b + n + 4, e - n - 6);
			n = e;
		}
		if (nver && client) {
			put16(b + n, 43);
			put16(b + n + 2, 1 + 2 * nver);
			b[n + 4] = 2 * nver;
			for (i = 0; i < (size_t)nver; i++)
				put16(b + n + 5 + 2 * i, ver[i]);
			n += 5 + 2 * nver;
		} else if (nver) {
			put16(b + n, 43);
			put16(b + n + 2, 2);
			put16(b + n + 4, ver[0]);
			n += 6;
		}
		put16(b + n, 51);	/* a key share's worth of bytes */
		put16(b + n + 2, 38);
		memset(b + n + 4, 0x42, 38);
		n += 42;
		put16(b + ext, n - ext - 2);
	}
	put16(b + 3, n - 5);
	b[6] = (n - 9) >> 16;
	put16(b + 7, n - 9);
	return n;
}

#endif
