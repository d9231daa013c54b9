// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_httpsum.c - libFuzzer harness for httpsum.c: http_sum() on any
 * bytes, copied into an allocation of exactly their size (ASan reports
 * any read past it).  What httpsum.h promises is checked here, and a
 * broken promise abort()s (libFuzzer saves the input):
 *
 * - the answer is 0 or 1, and s is all zeros with 0;
 * - every string lies inside the bytes and is printable ASCII within
 *   its bound; a method is a token of at most 32 characters at the
 *   start, followed by one space and the target; a version is
 *   "HTTP/1.0" or "HTTP/1.1"; a status is 100 to 999, after a version;
 * - a request whose line is whole (it has a version) gives the same
 *   method, target and version with any bytes after the line's end;
 *   its prefixes give the same method and a prefix of the target;
 * - the input's bytes are never modified.
 *
 * Replaying a file (build/fuzz_httpsum FILE...) runs it once, which is
 * how fuzz.sh replays fuzz-regress-httpsum/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "httpsum.h"

#define FUZZ_NAME "fuzz_httpsum"
#include "fuzz.h"

/* s[0..n) inside b[0..len), printable, at most max bytes. */
static void shown(const char *s, __u32 n, const __u8 *b, size_t len, __u32 max,
		  const char *what)
{
	__u32 i;

	check((const __u8 *)s >= b && (const __u8 *)s + n <= b + len, "%s outside the bytes", what);
	check(n <= max, "%s of %u bytes", what, n);
	for (i = 0; i < n; i++)
		check(s[i] == '\t' || (s[i] >= 0x20 && s[i] < 0x7f), "%s byte %u is %#x", what, i,
		      (unsigned char)s[i]);
}

static void check_sum(const struct http_sum *s, const __u8 *b, size_t n)
{
	__u32 i;

	if (s->request) {
		check(s->method == (const char *)b && s->method_len && s->method_len <= 32,
		      "method at %p, %u bytes", (void *)s->method, s->method_len);
		shown(s->method, s->method_len, b, n, 32, "method");
		for (i = 0; i < s->method_len; i++)
			check(s->method[i] != ' ', "a space in the method");
		check(s->target == s->method + s->method_len + 1 && s->target_len,
		      "target not after the method and a space");
		shown(s->target, s->target_len, b, n, HTTPSUM_TARGET_MAX, "target");
		if (s->host)
			shown(s->host, s->host_len, b, n, HTTPSUM_HOST_MAX, "host");
	} else {
		check(s->status >= 100 && s->status <= 999, "status %u", s->status);
		check(s->version == (const char *)b, "a response not at the start");
		shown(s->reason, s->reason_len, b, n, HTTPSUM_REASON_MAX, "reason");
	}
	if (s->version) {
		shown(s->version, 8, b, n, 8, "version");
		check(!memcmp(s->version, "HTTP/1.1", 8) || !memcmp(s->version, "HTTP/1.0", 8),
		      "version %.8s", s->version);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_sum zero;
	struct http_sum s, t;
	__u8 *b = copy(data, size), *p;
	size_t k, end;
	int ret, r2;

	ret = http_sum(b, size, &s);
	check(ret == 0 || ret == 1, "returned %d", ret);
	check(ret || !memcmp(&s, &zero, sizeof(s)), "s written on 0");
	if (ret)
		check_sum(&s, b, size);
	if (ret && s.request && s.version) {
		/* the line's end: what follows it changes nothing of it */
		end = (const __u8 *)s.version + 8 - b;
		end += end < size && b[end] == '\r';
		end += end < size && b[end] == '\n';
		p = copy(b, end);
		r2 = http_sum(p, end, &t);
		check(r2 && t.method_len == s.method_len && t.target_len == s.target_len &&
		      t.version && !memcmp(t.target, s.target, s.target_len),
		      "the line alone: %d", r2);
		free(p);
		/* a prefix: the same method, a prefix of the target */
		k = size ? data[0] % size : 0;
		p = copy(b, k);
		if (http_sum(p, k, &t) && t.request) {
			check_sum(&t, p, k);
			check(t.method_len == s.method_len &&
			      !memcmp(t.target, s.target, t.target_len < s.target_len ?
				      t.target_len : s.target_len), "the first %zu bytes", k);
		}
		free(p);
	}
	check(!memcmp(b, data, size), "the input was modified");
	free(b);
	return 0;
}
