// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_tls.c - libFuzzer harness for tls.c: tls_sum() on any bytes,
 * copied into an allocation of exactly their size (ASan reports any
 * read past it).  What tls.h promises is checked here, and a broken
 * promise abort()s (libFuzzer saves the input):
 *
 * - the answer is 0 or 1; 1 only for a handshake record of version 3.x
 *   holding a ClientHello (1) or ServerHello (2);
 * - the server name and every protocol lie inside the bytes, are not
 *   empty, and there are at most TLS_ALPN_MAX protocols; no GREASE
 *   version is reported; a ServerHello has no server name;
 * - a prefix of the input gives a name and protocols the whole gives,
 *   and a version only if the whole gives the same; it is cut if the
 *   hello goes on past it, else as the whole is;
 * - the input's bytes are never modified.
 *
 * Replaying a file (build/fuzz_tls FILE...) runs it once, which is how
 * fuzz.sh replays fuzz-regress-tls/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tls.h"

#define FUZZ_NAME "fuzz_tls"
#include "fuzz.h"

static void check_sum(const struct tls_sum *s, const __u8 *b, size_t n)
{
	__u32 i;

	check(s->type == 1 || s->type == 2, "type %d", s->type);
	check(n >= 6 && b[0] == 22 && b[1] == 3 && b[5] == s->type, "not a hello's record");
	check(!s->sni || (s->sni >= b && s->sni + s->sni_len <= b + n && s->sni_len),
	      "server name outside the bytes");
	check(!s->sni || s->type == 1, "a ServerHello with a server name");
	check(s->alpn_cnt <= TLS_ALPN_MAX, "%u protocols", s->alpn_cnt);
	for (i = 0; i < s->alpn_cnt; i++)
		check(s->alpn[i].p >= b && s->alpn[i].p + s->alpn[i].len <= b + n &&
		      s->alpn[i].len, "protocol %u outside the bytes", i);
	check(!((s->version & 0x0f0f) == 0x0a0a && s->version >> 8 == (s->version & 0xff)),
	      "a GREASE version %#x", s->version);
}

static int same(const __u8 *a, __u32 an, const __u8 *b, __u32 bn)
{
	return an == bn && !memcmp(a, b, an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_sum s, t;
	__u8 *b = copy(data, size), *p;
	size_t k, hello_end;
	__u32 i;
	int ret;

	ret = tls_sum(b, size, &s);
	check(ret == 0 || ret == 1, "returned %d", ret);
	if (ret)
		check_sum(&s, b, size);
	k = size ? data[size - 1] % size : 0;
	p = copy(b, k);
	if (tls_sum(p, k, &t)) {
		check(ret && t.type == s.type, "a prefix a hello, the whole not");
		check_sum(&t, p, k);
		/* cut if the hello goes on past the prefix, else as the whole */
		hello_end = size >= 9 ? 9 + (size_t)(b[6] << 16 | b[7] << 8 | b[8]) : SIZE_MAX;
		check(t.cut == (k < hello_end || s.cut),
		      "the first %zu bytes: cut %d, the whole %d", k, t.cut, s.cut);
		check(!t.sni || (s.sni && same(t.sni, t.sni_len, s.sni, s.sni_len)),
		      "the first %zu bytes: another server name", k);
		check(t.alpn_cnt <= s.alpn_cnt, "more protocols in a prefix");
		for (i = 0; i < t.alpn_cnt; i++)
			check(same(t.alpn[i].p, t.alpn[i].len, s.alpn[i].p, s.alpn[i].len),
			      "protocol %u of a prefix", i);
		check(!t.version || t.version == s.version, "the first %zu bytes: version %#x, %#x",
		      k, t.version, s.version);
	}
	free(p);
	check(!memcmp(b, data, size), "the input was modified");
	free(b);
	return 0;
}
