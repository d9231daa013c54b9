// SPDX-License-Identifier: GPL-2.0
/*
 * tls_test - tls_sum() on ClientHellos and ServerHellos built here
 * (GREASE, server name, ALPN, supported_versions, a key share), on
 * records that are not hellos, and on lengths that lie; each whole and
 * cut to every length, read through an allocation of exactly its size
 * (AddressSanitizer watches): a prefix gives what the whole gives, as
 * far as the prefix holds it, and nothing it does not hold.
 */
#include <stdlib.h>
#include <string.h>
#include "tls.h"
#include "../hello.h"
#include "../result.h"

static int same(const __u8 *p, __u32 n, const char *want)
{
	return want ? p && n == strlen(want) && !memcmp(p, want, n) : !p;
}

/* The whole's summary w, and every prefix's against it. */
static void check(const char *name, const __u8 *in, size_t n, int type,
		  const char *sni, const char *alpn, __u16 version)
{
	struct tls_sum s, w;
	char why[512] = "", list[300] = "";
	__u32 k, i;
	__u8 *b;
	int ret;

	ret = tls_sum(in, n, &w);
	for (i = 0; i < w.alpn_cnt; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%.*s",
			 i ? "," : "", (int)w.alpn[i].len, w.alpn[i].p);
	if (ret != !!type || (ret && (w.type != type || !same(w.sni, w.sni_len, sni) ||
				      strcmp(list, alpn ? alpn : "") || w.version != version ||
				      w.cut)))
		snprintf(why, sizeof(why), "%d: type %d sni %.*s alpn %s version %#x cut %d", ret,
			 w.type, (int)w.sni_len, w.sni ? (const char *)w.sni : "", list,
			 w.version, w.cut);
	for (k = 0; k < n && !*why; k++) {
		b = malloc(k ? k : 1);
		memcpy(b, in, k);
		ret = tls_sum(b, k, &s);
		if (ret != (type && k >= 6))
			snprintf(why, sizeof(why), "first %u bytes: %d", k, ret);
		else if (ret && ((s.sni && !same(s.sni, s.sni_len, sni)) || s.alpn_cnt > w.alpn_cnt ||
				 (s.version && s.version != version) || !s.cut))
			snprintf(why, sizeof(why), "first %u bytes: sni %.*s, %u protocols, version %#x, cut %d",
				 k, (int)s.sni_len, s.sni ? (const char *)s.sni : "", s.alpn_cnt,
				 s.version, s.cut);
		for (i = 0; ret && i < s.alpn_cnt && !*why; i++)
			if (s.alpn[i].len != w.alpn[i].len ||
			    memcmp(s.alpn[i].p, w.alpn[i].p, w.alpn[i].len) ||
			    s.alpn[i].p + s.alpn[i].len > b + k)
				snprintf(why, sizeof(why), "first %u bytes: protocol %u", k, i);
		free(b);
	}
	result(name, !*why, "%s", why);
}

int main(void)
{
	static const __u16 v13[] = { 0x7a7a, 0x0304, 0x0303 }, s13[] = { 0x0304 };
	static __u8 b[2048];
	size_t n;

	n = tls_hello(b, 1, "example.com", "h2,http/1.1", v13, 3, 1);
	check("ClientHello: SNI, ALPN, 1.3 among GREASE", b, n, 1, "example.com", "h2,http/1.1",
	      0x0304);
	n = tls_hello(b, 1, NULL, NULL, NULL, 0, 0);
	check("ClientHello without extensions: its own version", b, n, 1, NULL, NULL, 0x0303);
	n = tls_hello(b, 1, "a.example", "x,y,z,a,b,c,d,e,f,g", NULL, 0, 1);
	check("ClientHello: eight protocols kept, no supported_versions", b, n, 1, "a.example",
	      "x,y,z,a,b,c,d,e", 0x0303);
	n = tls_hello(b, 0, NULL, NULL, s13, 1, 1);
	check("ServerHello 1.3", b, n, 2, NULL, NULL, 0x0304);
	n = tls_hello(b, 0, NULL, "h2", NULL, 0, 1);
	check("ServerHello 1.2 with ALPN", b, n, 2, NULL, "h2", 0x0303);
	n = tls_hello(b, 1, "example.com", "h2", v13, 3, 1);
	b[5] = 11;
	check("a Certificate: not a hello", b, n, 0, NULL, NULL, 0);
	n = tls_hello(b, 1, "example.com", "h2", v13, 3, 1);
	b[0] = 23;
	check("application data: no", b, n, 0, NULL, NULL, 0);
	n = tls_hello(b, 1, "example.com", "h2", v13, 3, 1);
	b[1] = 2;
	check("SSLv2's record version: no", b, n, 0, NULL, NULL, 0);
	/* the server name list longer than its extension: no name */
	n = tls_hello(b, 1, "example.com", NULL, NULL, 0, 1);
	put16(b + TLS_HELLO_EXT_FIRST(1) + 4, 200);
	check("a name list past its extension: no name", b, n, 1, NULL, NULL, 0x0303);
	/* an extension past the block: the ones before it */
	n = tls_hello(b, 1, "example.com", "h2", NULL, 0, 1);
	put16(b + n - 12, 9999);
	n = tls_sum(b, n, &(struct tls_sum){ 0 });
	result("an extension longer than the rest: the hello still read", n == 1, "%zu", n);
	return failed;
}
