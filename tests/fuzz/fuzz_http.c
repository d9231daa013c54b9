// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_http.c - libFuzzer harness for http.c: http_parse() on any bytes,
 * then http_query() on what it found and on the raw bytes.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined (make
 * build/fuzz_http).  The input is copied into an allocation of exactly
 * its size, and so is every output buffer, so ASan reports any access
 * past them.  Beyond memory errors, what http.h promises is checked here
 * and a broken promise abort()s, which libFuzzer reports as a crash with
 * the input saved:
 *
 * - the answer is a head length in (0, len], 0, or -400, -414, -431,
 *   -501, -505; 0 only while len < HTTP_HEAD_MAX; r untouched unless > 0;
 *   -414, -431, -501 and -505 only with their cause in the input;
 * - a prefix of the input gets 0 or the input's answer (a complete head's
 *   own prefixes 0, longer ones the head), and the head alone parses the
 *   same as the whole input (determinism: nothing past head_len is read);
 * - a head accepted is what RFC 9112 allows, re-checked here with code of
 *   its own: only empty lines before the request line; method SP target
 *   SP HTTP/1.0 or HTTP/1.1, at most HTTP_LINE_MAX bytes; no NUL and no
 *   bare CR; every field line in hdrs[], a token name then ':', the value
 *   trimmed and without controls; every string inside buf[0..head_len);
 *   method, path, query, version, keep-alive, Content-Length and the four
 *   named fields as a model computes them from hdrs[]; no
 *   Transfer-Encoding;
 * - http_query(): with room for the whole query, what a model of it
 *   gives (another decoder, written differently); out NUL-terminated
 *   with no NUL before, "" on error; the same value into exactly its
 *   size, -ENOSPC into one byte less and into none; the first name of
 *   the query itself is found;
 * - the input's bytes are never modified.
 *
 * Replaying a file (build/fuzz_http FILE...) runs it once, which is how
 * fuzz.sh replays fuzz-regress-http/ (both here, in tests/fuzz/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#define FUZZ_NAME "fuzz_http"
#include "check.h"

#define POISON		0xa5

static struct http_req req, req2;

static char *copy(const void *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int eq_nocase(const struct http_str *s, const char *lit)
{
	size_t i;

	if (s->len != strlen(lit))
		return 0;
	for (i = 0; i < s->len; i++)
		if (lower(s->p[i]) != lower(lit[i]))
			return 0;
	return 1;
}

static int tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int poisoned(const struct http_req *r)
{
	static struct http_req pattern;

	if (!pattern.head_len)
		memset(&pattern, POISON, sizeof(pattern));
	return !memcmp(r, &pattern, sizeof(*r));
}

/* s absent (NULL, 0), or inside buf[0..n). */
static int inside(const struct http_str *s, const char *buf, size_t n)
{
	if (!s->p)
		return !s->len;
	return s->p >= buf && s->p <= buf + n && s->len <= (size_t)(buf + n - s->p);
}

/* The line ending at or after buf[i]: the offset after its LF. */
static size_t line_end(const char *buf, size_t n, size_t i)
{
	while (i < n && buf[i] != '\n')
		i++;
	check(i < n, "a line of the head has no LF");
	return i + 1;
}

/* [i, end) holds s's bytes without the line ending. */
static size_t content_end(const char *buf, size_t end)
{
	return end >= 2 && buf[end - 2] == '\r' ? end - 2 : end - 1;
}

/* A Content-Length value as RFC 9110 8.6 allows a list of equal values. */
static unsigned long long model_content_len(const struct http_str *v)
{
	unsigned long long x, first = 0;
	size_t i = 0, start;
	int n = 0;

	for (;;) {
		while (i < v->len && ows(v->p[i]))
			i++;
		start = i;
		for (x = 0; i < v->len && v->p[i] >= '0' && v->p[i] <= '9'; i++)
			check(!__builtin_mul_overflow(x, 10, &x) &&
			      !__builtin_add_overflow(x, (unsigned)(v->p[i] - '0'), &x),
			      "Content-Length %.*s overflows, accepted",
			      (int)v->len, v->p);
		check(i > start, "Content-Length \"%.*s\" accepted", (int)v->len, v->p);
		check(!n++ || x == first, "Content-Length \"%.*s\" differs, accepted",
		      (int)v->len, v->p);
		first = x;
		while (i < v->len && ows(v->p[i]))
			i++;
		if (i == v->len)
			return first;
		check(v->p[i] == ',', "Content-Length \"%.*s\" accepted", (int)v->len, v->p);
		i++;
	}
}

/* Connection's "close" and "keep-alive" tokens: bit 0 and bit 1. */
static int model_connection(const struct http_str *v)
{
	struct http_str t;
	size_t i = 0, a, b;
	int bits = 0;

	while (i <= v->len) {
		a = i;
		while (i < v->len && v->p[i] != ',')
			i++;
		b = i++;
		while (a < b && ows(v->p[a]))
			a++;
		while (b > a && ows(v->p[b - 1]))
			b--;
		t = (struct http_str){ v->p + a, b - a };
		if (eq_nocase(&t, "close"))
			bits |= 1;
		if (eq_nocase(&t, "keep-alive"))
			bits |= 2;
	}
	return bits;
}

/* The one field named name, or absent; -1 if sent twice. */
static int model_once(const struct http_req *r, const char *name,
		      const struct http_str *got)
{
	unsigned int i, n = 0;
	const struct http_str *v = NULL;

	for (i = 0; i < r->hdr_cnt; i++)
		if (eq_nocase(&r->hdrs[i].name, name)) {
			n++;
			if (!v)
				v = &r->hdrs[i].value;
		}
	check(n <= 1, "%s sent %u times, accepted", name, n);
	if (!v)
		return !got->p && !got->len;
	return got->p == v->p && got->len == v->len;
}

/* What http_parse() accepted is a valid head, and r says what it holds. */
static void check_req(const struct http_req *r, const char *buf, size_t head_len)
{
	size_t i, rl, end, ce, f;
	unsigned long long cl = 0;
	const struct http_str *v;
	int has_cl = 0, conn = 0, want_ka;
	unsigned int h;

	check(r->head_len == head_len && head_len <= HTTP_HEAD_MAX &&
	      buf[head_len - 1] == '\n', "head_len %zu", r->head_len);
	for (i = 0; i < head_len; i++) {
		check(buf[i], "NUL at %zu accepted", i);
		check(buf[i] != '\r' || (i + 1 < head_len && buf[i + 1] == '\n'),
		      "bare CR at %zu accepted", i);
	}

	/* Empty lines, then the request line. */
	for (rl = 0; rl < head_len && (buf[rl] == '\n' || buf[rl] == '\r');
	     rl += buf[rl] == '\r' ? 2 : 1)
		;	/* a CR is followed by LF: checked above */
	check(rl < head_len, "a head of empty lines only");
	end = line_end(buf, head_len, rl);
	check(end < head_len, "the head ends in its request line");
	ce = content_end(buf, end);
	check(ce - rl <= HTTP_LINE_MAX, "request line of %zu bytes", ce - rl);
	check(r->method_str.p == buf + rl && r->method_str.len,
	      "method_str not at the request line");
	for (i = 0; i < r->method_str.len; i++)
		check(tchar(r->method_str.p[i]), "method byte 0x%02x",
		      (unsigned char)r->method_str.p[i]);
	check(r->method == (r->method_str.len == 3 && !memcmp(r->method_str.p, "GET", 3) ?
			    HTTP_GET :
			    r->method_str.len == 4 && !memcmp(r->method_str.p, "HEAD", 4) ?
			    HTTP_HEAD : HTTP_OTHER),
	      "method %d for \"%.*s\"", r->method, (int)r->method_str.len,
	      r->method_str.p);
	check(r->target.p == r->method_str.p + r->method_str.len + 1 &&
	      r->target.p[-1] == ' ' && r->target.len,
	      "target not after one space");
	for (i = 0; i < r->target.len; i++) {
		unsigned char c = r->target.p[i];

		check(c > ' ' && c != 0x7f && c != '#', "target byte 0x%02x", c);
	}
	check(r->target.p + r->target.len + 9 == buf + ce &&
	      !memcmp(r->target.p + r->target.len, " HTTP/1.", 8) &&
	      (buf[ce - 1] == '0' || buf[ce - 1] == '1'),
	      "request line does not end in \" HTTP/1.0\" or \" HTTP/1.1\"");
	check(r->version == (buf[ce - 1] == '1' ? 11 : 10), "version %d", r->version);

	/* Path and query. */
	check(r->path.p == r->target.p, "path not at the target");
	if (r->path.p[0] == '*') {
		check(r->target.len == 1 && r->path.len == 1 && !r->query.p &&
		      !r->query.len, "\"*\" target of %zu bytes", r->target.len);
	} else {
		check(r->path.p[0] == '/', "path starts with 0x%02x",
		      (unsigned char)r->path.p[0]);
		check(!memchr(r->path.p, '?', r->path.len), "'?' in the path");
		if (r->query.p)
			check(r->query.p == r->path.p + r->path.len + 1 &&
			      r->query.p[-1] == '?' &&
			      r->path.len + 1 + r->query.len == r->target.len,
			      "query not after the '?'");
		else
			check(!r->query.len && r->path.len == r->target.len,
			      "no query, but path is not the target");
	}

	/* Field lines, each one in hdrs[] in order, then the empty line. */
	check(r->hdr_cnt <= HTTP_HDR_CNT, "hdr_cnt %u", r->hdr_cnt);
	for (h = 0, f = end; buf[f] != '\n' && buf[f] != '\r'; h++) {
		check(h < r->hdr_cnt, "field line at %zu not in hdrs[] (%u)", f,
		      r->hdr_cnt);
		end = line_end(buf, head_len, f);
		ce = content_end(buf, end);
		check(r->hdrs[h].name.p == buf + f && r->hdrs[h].name.len &&
		      r->hdrs[h].name.p[r->hdrs[h].name.len] == ':',
		      "field %u: name", h);
		for (i = 0; i < r->hdrs[h].name.len; i++)
			check(tchar(r->hdrs[h].name.p[i]), "field %u: name byte 0x%02x",
			      h, (unsigned char)r->hdrs[h].name.p[i]);
		v = &r->hdrs[h].value;
		check(v->p >= r->hdrs[h].name.p + r->hdrs[h].name.len + 1 &&
		      v->p + v->len <= buf + ce, "field %u: value outside its line", h);
		for (i = f + r->hdrs[h].name.len + 1; i < ce; i++) {
			unsigned char c = buf[i];

			check(c == '\t' || (c >= ' ' && c != 0x7f),
			      "field %u: value byte 0x%02x", h, c);
			if (buf + i < v->p || buf + i >= v->p + v->len)
				check(ows(c), "field %u: value not trimmed", h);
		}
		check(!v->len || (!ows(v->p[0]) && !ows(v->p[v->len - 1])),
		      "field %u: value not trimmed", h);
		f = end;
		check(f < head_len, "the head ends in a field line");
	}
	check(f + (buf[f] == '\r' ? 2 : 1) == head_len,
	      "the empty line at %zu is not the end of the head (%zu)", f, head_len);
	check(h == r->hdr_cnt, "%u field lines, hdr_cnt %u", h, r->hdr_cnt);

	/* What r says, as a model reads it from hdrs[]. */
	for (h = 0; h < r->hdr_cnt; h++) {
		v = &r->hdrs[h].value;
		check(!eq_nocase(&r->hdrs[h].name, "transfer-encoding"),
		      "Transfer-Encoding accepted");
		if (eq_nocase(&r->hdrs[h].name, "content-length")) {
			unsigned long long x = model_content_len(v);

			check(!has_cl || x == cl, "two Content-Lengths accepted");
			cl = x;
			has_cl = 1;
		}
		if (eq_nocase(&r->hdrs[h].name, "connection"))
			conn |= model_connection(v);
	}
	check(!http_header(r, "") && !http_header(r, "x-fuzz-never-sent-this-name"),
	      "http_header found a name not sent");
	check(r->content_len == cl && r->has_content_len == has_cl,
	      "content_len %llu (%d), model %llu (%d)", r->content_len,
	      r->has_content_len, cl, has_cl);
	want_ka = conn & 1 ? 0 : r->version == 11 || (conn & 2);
	check(r->keep_alive == want_ka, "keep_alive %d, model %d (version %d, bits %d)",
	      r->keep_alive, want_ka, r->version, conn);
	check(model_once(r, "x-request-id", &r->request_id), "request_id");
	check(model_once(r, "x-client-id", &r->client_id), "client_id");
	check(model_once(r, "x-timestamp", &r->timestamp), "timestamp");
	check(model_once(r, "authorization", &r->authorization), "authorization");
	for (h = 0; h < r->hdr_cnt; h++) {
		char name[64];
		size_t n = r->hdrs[h].name.len;
		unsigned int k;

		if (n >= sizeof(name))
			continue;
		memcpy(name, r->hdrs[h].name.p, n);
		name[n] = '\0';
		for (k = 0; k < r->hdr_cnt && !eq_nocase(&r->hdrs[k].name, name); k++)
			;
		check(http_header(r, name) == &r->hdrs[k].value,
		      "http_header(\"%s\") is not the first such field", name);
	}

	check(inside(&r->method_str, buf, head_len) && inside(&r->target, buf, head_len) &&
	      inside(&r->path, buf, head_len) && inside(&r->query, buf, head_len) &&
	      inside(&r->request_id, buf, head_len) &&
	      inside(&r->client_id, buf, head_len) &&
	      inside(&r->timestamp, buf, head_len) &&
	      inside(&r->authorization, buf, head_len),
	      "a string outside the head");
	for (h = 0; h < r->hdr_cnt; h++)
		check(inside(&r->hdrs[h].name, buf, head_len) &&
		      inside(&r->hdrs[h].value, buf, head_len) && r->hdrs[h].value.p,
		      "field %u outside the head", h);
}

/*
 * An error has its cause in the input: -414 a request line of more than
 * HTTP_LINE_MAX bytes, -431 a head of HTTP_HEAD_MAX bytes or more than
 * HTTP_HDR_CNT + 1 lines, -501 a Transfer-Encoding line, -505 a request
 * line ending in a version HTTP/D.D.
 */
static void check_error(const char *buf, size_t size, int ret)
{
	size_t rl = 0, i, lines = 0;
	int found = 0;

	while (rl < size && (buf[rl] == '\n' ||
			     (buf[rl] == '\r' && rl + 1 < size && buf[rl + 1] == '\n')))
		rl += buf[rl] == '\r' ? 2 : 1;
	switch (ret) {
	case -414:
		check(rl + HTTP_LINE_MAX + 1 <= size, "414 on %zu bytes", size);
		for (i = rl; i <= rl + HTTP_LINE_MAX; i++)
			check(buf[i] != '\n' && buf[i] != '\r',
			      "414, but the request line ends at %zu", i);
		break;
	case -431:
		for (i = 0; i < size; i++)
			lines += buf[i] == '\n';
		check(size >= HTTP_HEAD_MAX || lines >= HTTP_HDR_CNT + 2,
		      "431 on %zu bytes of %zu lines", size, lines);
		break;
	case -501:
		for (i = 0; i + 18 <= size && !found; i++)
			if (!i || buf[i - 1] == '\n') {
				struct http_str s = { buf + i, 18 };

				found = eq_nocase(&s, "transfer-encoding:");
			}
		check(found, "501 without a Transfer-Encoding line");
		break;
	case -505:
		for (i = rl; i < size && buf[i] != '\n'; i++)
			;
		if (i > rl && buf[i - 1] == '\r')
			i--;
		check(i >= rl + 9 && i < size && !memcmp(buf + i - 9, " HTTP/", 6) &&
		      buf[i - 3] >= '0' && buf[i - 3] <= '9' && buf[i - 2] == '.' &&
		      buf[i - 1] >= '0' && buf[i - 1] <= '9' &&
		      !(buf[i - 3] == '1' && (buf[i - 1] == '0' || buf[i - 1] == '1')),
		      "505, but the request line does not end in another version");
		break;
	}
}

/* Two strings at the same offsets of their buffers. */
static int same_str(const struct http_str *a, const char *abuf,
		    const struct http_str *b, const char *bbuf)
{
	if (!a->p || !b->p)
		return !a->p && !b->p && a->len == b->len;
	return a->p - abuf == b->p - bbuf && a->len == b->len;
}

static int same_req(const struct http_req *a, const char *abuf,
		    const struct http_req *b, const char *bbuf)
{
	unsigned int i;

	if (a->method != b->method || a->version != b->version ||
	    a->keep_alive != b->keep_alive || a->content_len != b->content_len ||
	    a->has_content_len != b->has_content_len || a->head_len != b->head_len ||
	    a->hdr_cnt != b->hdr_cnt ||
	    !same_str(&a->method_str, abuf, &b->method_str, bbuf) ||
	    !same_str(&a->target, abuf, &b->target, bbuf) ||
	    !same_str(&a->path, abuf, &b->path, bbuf) ||
	    !same_str(&a->query, abuf, &b->query, bbuf) ||
	    !same_str(&a->request_id, abuf, &b->request_id, bbuf) ||
	    !same_str(&a->client_id, abuf, &b->client_id, bbuf) ||
	    !same_str(&a->timestamp, abuf, &b->timestamp, bbuf) ||
	    !same_str(&a->authorization, abuf, &b->authorization, bbuf))
		return 0;
	for (i = 0; i < a->hdr_cnt; i++)
		if (!same_str(&a->hdrs[i].name, abuf, &b->hdrs[i].name, bbuf) ||
		    !same_str(&a->hdrs[i].value, abuf, &b->hdrs[i].value, bbuf))
			return 0;
	return 1;
}

/* The first k bytes alone get 0 or the answer ret of the whole input. */
static void check_prefix(const uint8_t *data, size_t k, int ret)
{
	char *p = copy(data, k);
	int got;

	memset(&req2, POISON, sizeof(req2));
	got = http_parse(&req2, p, k);
	if (ret > 0)
		check(got == ((size_t)ret <= k ? ret : 0),
		      "first %zu bytes: %d, whole input: %d", k, got, ret);
	else
		check(got == 0 || got == ret, "first %zu bytes: %d, whole input: %d",
		      k, got, ret);
	check(got > 0 || poisoned(&req2), "r written on %d", got);
	free(p);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) %-decoded, '+' a space, into out (n bytes): its length, or -1. */
static long model_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] != '%') {
			out[o++] = s[i];
		} else {
			if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
	}
	return o;
}

/* What http_query(q, key) should give with room enough: val, q->len + 1 bytes. */
static int model_query(const struct http_str *q, const char *key, char *val)
{
	size_t i = 0, a, e;
	char *name = malloc(q->len + 1);
	long nl, vl;
	int ret = -ENOENT;

	for (; i < q->len; i++) {
		for (a = i; i < q->len && q->p[i] != '&'; i++)
			;
		if (i == a)
			continue;
		for (e = a; e < i && q->p[e] != '='; e++)
			;
		nl = model_decode(q->p + a, e - a, name);
		if (nl < 0 || (size_t)nl != strlen(key) || memcmp(name, key, nl))
			continue;
		vl = e < i ? model_decode(q->p + e + 1, i - e - 1, val) : 0;
		if (vl < 0 || memchr(val, 0, vl)) {
			ret = -EINVAL;
		} else {
			val[vl] = '\0';
			ret = (int)vl;
		}
		break;
	}
	free(name);
	return ret;
}

/* http_query() into an exact-size out of n bytes: its result. */
static int query_into(const struct http_str *q, const char *key, size_t n,
		      char **out)
{
	int ret;

	*out = malloc(n ? n : 1);
	memset(*out, 'Z', n ? n : 1);
	ret = http_query(q, key, *out, n);
	if (ret >= 0)
		check((size_t)ret < n && (*out)[ret] == '\0' && strlen(*out) == (size_t)ret,
		      "http_query(\"%s\") = %d into %zu bytes: not %d bytes and a NUL",
		      key, ret, n, ret);
	else if (n)
		check(!(*out)[0], "http_query(\"%s\") = %d, out not \"\"", key, ret);
	return ret;
}

/*
 * http_query(q, key) with room for the whole query, as the model has it;
 * then into 0 bytes and, for a value found, into exactly its size and
 * one byte less.
 */
static void check_query(const struct http_str *q, const char *key, int must_find)
{
	char *big, *out, *want = malloc(q->len + 1);
	int ret, r2, model = model_query(q, key, want);

	ret = query_into(q, key, q->len + 1, &big);
	check(ret == model && (ret < 0 || !memcmp(big, want, ret + 1)),
	      "http_query(\"%s\") = %d \"%s\", model %d \"%s\"", key, ret,
	      ret >= 0 ? big : "", model, model >= 0 ? want : "");
	check(!must_find || ret != -ENOENT, "http_query(\"%s\") did not find it", key);
	free(want);
	r2 = query_into(q, key, 0, &out);
	check(r2 == (ret < 0 ? ret : -ENOSPC), "http_query(\"%s\") = %d, into 0 bytes %d",
	      key, ret, r2);
	free(out);
	if (ret >= 0) {
		r2 = query_into(q, key, ret + 1, &out);
		check(r2 == ret && !memcmp(out, big, ret + 1),
		      "http_query(\"%s\") = %d, into %d bytes %d", key, ret, ret + 1, r2);
		free(out);
		r2 = query_into(q, key, ret, &out);
		check(r2 == -ENOSPC, "http_query(\"%s\") = %d, into %d bytes %d", key,
		      ret, ret, r2);
		free(out);
	}
	free(big);
}

/* A few keys, and the first parameter's name, decoded, which must be found. */
static void check_queries(const struct http_str *q, int many)
{
	static const char *const keys[] = { "ip", "", "a", "x" };
	char key[32];
	size_t i, n;
	long kl;

	for (i = 0; i < (many ? 4 : 1); i++)
		check_query(q, keys[i], 0);
	if (!q->p)
		return;
	for (i = 0; i < q->len && q->p[i] == '&'; i++)
		;
	for (n = 0; i + n < q->len && q->p[i + n] != '&' && q->p[i + n] != '='; n++)
		;
	if (!n || n >= sizeof(key))
		return;
	kl = model_decode(q->p + i, n, key);
	if (kl < 0 || memchr(key, 0, kl))
		return;
	key[kl] = '\0';
	check_query(q, key, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_str raw;
	char *buf, *head;
	int ret, ret2;

	buf = copy(data, size);
	memset(&req, POISON, sizeof(req));
	ret = http_parse(&req, buf, size);
	check(ret == -400 || ret == -414 || ret == -431 || ret == -501 ||
	      ret == -505 || (ret >= 0 && (size_t)ret <= size),
	      "returned %d on %zu bytes", ret, size);
	check(ret || size < HTTP_HEAD_MAX, "0 on %zu bytes", size);
	check(ret > 0 || poisoned(&req), "r written on %d", ret);
	if (ret < 0) {
		check_error(buf, size, ret);
		check(strcmp(http_reason(-ret), "Unknown"), "no reason phrase for %d", -ret);
	}

	if (ret > 0) {
		check_req(&req, buf, ret);
		head = copy(buf, ret);
		memset(&req2, POISON, sizeof(req2));
		ret2 = http_parse(&req2, head, ret);
		check(ret2 == ret && same_req(&req, buf, &req2, head),
		      "the head alone: %d, %d with what follows", ret2, ret);
		free(head);
		check_queries(&req.query, 1);
		check_prefix(data, ret - 1, ret);
	}
	if (size) {
		check_prefix(data, size - 1, ret);
		check_prefix(data, size / 2, ret);
		check_prefix(data, data[0] % size, ret);
	}

	/* Any bytes as a query. */
	raw = (struct http_str){ buf, size };
	check_queries(&raw, 0);

	check(!memcmp(buf, data, size), "the input was modified");
	free(buf);
	return 0;
}
