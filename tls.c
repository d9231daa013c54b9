// SPDX-License-Identifier: GPL-2.0
/*
 * tls.c - a ClientHello's or ServerHello's summary (see tls.h), read
 * from untrusted bytes that may end anywhere.  Every read goes through
 * the cursor below, which knows the end of what may be read: the bytes,
 * the record's length and the handshake message's length, whichever
 * comes first, and the end of each vector within them.
 */
#include <string.h>
#include "tls.h"

#define REC_HANDSHAKE	22
#define HS_CLIENT_HELLO	1
#define HS_SERVER_HELLO	2
#define EXT_SNI		0
#define EXT_ALPN	16
#define EXT_VERSIONS	43

struct cur {
	const __u8 *b;
	__u32 off, end;
};

static int take(struct cur *c, __u32 n, const __u8 **p)
{
	if (n > c->end - c->off)
		return -1;
	if (p)
		*p = c->b + c->off;
	c->off += n;
	return 0;
}

/* An n-byte big-endian number (n <= 4). */
static int be(struct cur *c, __u32 n, __u32 *v)
{
	const __u8 *p;
	__u32 i;

	if (take(c, n, &p))
		return -1;
	for (*v = 0, i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}
#define u8_(c, v)	be(c, 1, v)
#define u16_(c, v)	be(c, 2, v)
#define u24_(c, v)	be(c, 3, v)

/* A vector's contents as a cursor of their own (len bytes declared:
 * cut to what can be read, *whole says whether all of it can). */
static void sub(struct cur *c, __u32 len, struct cur *in, int *whole)
{
	*in = *c;
	*whole = len <= c->end - c->off;
	in->end = *whole ? c->off + len : c->end;
	c->off = in->end;
}

static int grease(__u32 v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

const char *tls_version_name(__u16 v)
{
	switch (v) {
	case 0x0304: return "1.3";
	case 0x0303: return "1.2";
	case 0x0302: return "1.1";
	case 0x0301: return "1.0";
	case 0x0300: return "SSLv3";
	}
	return NULL;
}

static void ext_sni(struct cur *c, struct tls_sum *s)
{
	struct cur list;
	__u32 len, type;
	const __u8 *name;
	int whole;

	if (u16_(c, &len))
		return;
	sub(c, len, &list, &whole);
	if (!whole)
		return;		/* a list longer than its extension */
	while (!u8_(&list, &type) && !u16_(&list, &len)) {
		if (take(&list, len, &name))
			return;
		if (type == 0 && len) {
			s->sni = name;
			s->sni_len = len;
			return;
		}
	}
}

static void ext_alpn(struct cur *c, struct tls_sum *s)
{
	struct cur list;
	__u32 len;
	const __u8 *p;
	int whole;

	if (u16_(c, &len))
		return;
	sub(c, len, &list, &whole);
	if (!whole)
		return;		/* a list longer than its extension */
	while (s->alpn_cnt < TLS_ALPN_MAX && !u8_(&list, &len) && !take(&list, len, &p)) {
		if (!len)
			continue;
		s->alpn[s->alpn_cnt].p = p;
		s->alpn[s->alpn_cnt].len = len;
		s->alpn_cnt++;
	}
}

static void ext_versions(struct cur *c, struct tls_sum *s)
{
	struct cur list;
	__u32 len, v, best = 0;
	int whole;

	if (s->type == HS_SERVER_HELLO) {
		if (!u16_(c, &v) && !grease(v))
			s->version = v;
		return;
	}
	if (u8_(c, &len))
		return;
	sub(c, len, &list, &whole);
	if (!whole)
		return;		/* a list longer than its extension */
	while (!u16_(&list, &v))
		if (!grease(v) && v > best)
			best = v;
	if (best)
		s->version = best;
}

int tls_sum(const __u8 *b, __u32 n, struct tls_sum *s)
{
	struct cur c = { b, 0, n }, hs, exts, e;
	__u32 type, len, rec_len, v, ext, legacy;
	int whole, all, seen_sni = 0, seen_alpn = 0, seen_ver = 0;

	memset(s, 0, sizeof(*s));
	/* The record: handshake, version 3.x, its length. */
	if (n < 6 || b[0] != REC_HANDSHAKE || b[1] != 3 || b[2] > 4)
		return 0;
	c.off = 3;
	u16_(&c, &rec_len);
	if (rec_len < 4)
		return 0;
	if (c.end > 5 + rec_len)
		c.end = 5 + rec_len;
	u8_(&c, &type);
	if (type != HS_CLIENT_HELLO && type != HS_SERVER_HELLO)
		return 0;
	s->type = type;
	s->cut = 1;
	if (u24_(&c, &len))
		return 1;
	/* The hello ends past the bytes, or past its record. */
	s->cut = 9 + (__u64)len > n || len + 4 > rec_len;
	sub(&c, len, &hs, &whole);
	/* legacy_version, random, legacy_session_id */
	if (u16_(&hs, &v))
		return 1;
	legacy = v;
	if (take(&hs, 32, NULL) || u8_(&hs, &len) || take(&hs, len, NULL))
		return 1;
	if (type == HS_CLIENT_HELLO) {
		/* cipher_suites, legacy_compression_methods */
		if (u16_(&hs, &len) || take(&hs, len, NULL) ||
		    u8_(&hs, &len) || take(&hs, len, NULL))
			return 1;
	} else {
		/* cipher_suite, legacy_compression_method */
		if (u16_(&hs, &v))
			return 1;
		s->cipher = v;
		if (take(&hs, 1, NULL))
			return 1;
	}
	if (hs.off == hs.end) {
		if (whole && !grease(legacy))
			s->version = legacy;	/* no extensions */
		return 1;
	}
	if (u16_(&hs, &len))
		return 1;
	sub(&hs, len, &exts, &all);
	while (!u16_(&exts, &ext) && !u16_(&exts, &len)) {
		sub(&exts, len, &e, &whole);
		/* Each extension once (RFC 8446 4.2): the first is taken. */
		switch (ext) {
		case EXT_SNI:
			if (type == HS_CLIENT_HELLO && whole && !seen_sni++)
				ext_sni(&e, s);
			break;
		case EXT_ALPN:
			if (whole && !seen_alpn++)
				ext_alpn(&e, s);
			break;
		case EXT_VERSIONS:
			if (whole && !seen_ver++)
				ext_versions(&e, s);
			break;
		}
		if (!whole)
			return 1;
	}
	/* All of them seen, and no supported_versions: the hello's own. */
	if (!s->version && all && !grease(legacy))
		s->version = legacy;
	return 1;
}
