// SPDX-License-Identifier: GPL-2.0
/*
 * http_test.c - unit tests of http.c, built with AddressSanitizer and
 * UBSan: a table of request heads with the answer each must get and,
 * for the complete ones, every field; every prefix of every case (a
 * complete head cut anywhere is "read more", an erroneous one is "read
 * more" or its error, never another answer); the limits at their exact
 * edges (request line, head size, field count); http_query() on its
 * edge cases; http_token_eq(), http_header(), http_reason().
 *
 * Every input is an exact-size heap copy, so that ASan reports a read
 * past its end.
 *
 * Output: one line per case, "ok NAME" or "not ok NAME: why".  Exit
 * status 1 if a case failed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "../result.h"

#define OK	INT_MAX	/* complete: the head is the input but its last .tail bytes */
#define KA_YES	1
#define KA_NO	2	/* default: keep-alive for HTTP/1.1 only */
#define REQ(s)	.req = (s), .len = sizeof(s) - 1

struct pcase {
	const char *name;
	const char *req;
	size_t len;
	int ret;		/* OK, 0 or -status */
	size_t tail;		/* with OK: bytes after the head */
	/* With OK: what r must hold.  Strings: NULL means absent. */
	enum http_method method;
	const char *method_str;	/* NULL: "GET" */
	const char *path;	/* NULL: "/" */
	const char *query;
	int version;		/* 0: 11 */
	int ka;			/* 0: by version; KA_YES, KA_NO */
	unsigned long long content_len;
	int has_content_len;
	const char *request_id, *client_id, *timestamp, *authorization;
	unsigned int hdr_cnt;	/* 0: not checked */
};

#define H11	"GET / HTTP/1.1\r\n"
#define H10	"GET / HTTP/1.0\r\n"

static const struct pcase cases[] = {
	/* Complete heads. */
	{ "get", REQ(H11 "Host: example\r\n\r\n"), OK, .hdr_cnt = 1 },
	{ "1.1 without host", REQ(H11 "\r\n"), -400 },
	{ "1.1 two hosts", REQ(H11 "Host: a\r\nHost: b\r\n\r\n"), -400 },
	{ "1.1 two hosts, any case", REQ(H11 "Host: a\r\nhOST: a\r\n\r\n"), -400 },
	{ "1.1 empty host", REQ(H11 "Host:\r\n\r\n"), OK, .hdr_cnt = 1 },
	{ "1.0 without host", REQ(H10 "\r\n"), OK, .version = 10 },
	{ "1.0 two hosts", REQ(H10 "Host: a\r\nHost: b\r\n\r\n"), -400 },
	{ "1.1 without host: a line's error first", REQ(H11 "X-A: \x01\r\n\r\n"), -400 },
	{ "1.1 without host: 501 first", REQ(H11 "Transfer-Encoding: chunked\r\n\r\n"), -501 },
	{ "head", REQ("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n"), OK, .method = HTTP_HEAD,
	  .method_str = "HEAD", .path = "/x" },
	{ "post is other", REQ("POST /api/v1/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"),
	  OK, .tail = 5, .method = HTTP_OTHER, .method_str = "POST",
	  .path = "/api/v1/x", .content_len = 5, .has_content_len = 1 },
	{ "lower-case get is other", REQ("get / HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .method = HTTP_OTHER, .method_str = "get" },
	{ "GETS is other", REQ("GETS / HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .method = HTTP_OTHER, .method_str = "GETS" },
	{ "token method", REQ("M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .method = HTTP_OTHER, .method_str = "M-SEARCH", .path = "*" },
	{ "options *", REQ("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .method = HTTP_OTHER, .method_str = "OPTIONS", .path = "*" },
	{ "query", REQ("GET /flows?ip=10.0.0.1&top=5 HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .path = "/flows", .query = "ip=10.0.0.1&top=5" },
	{ "query empty", REQ("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n"), OK, .path = "/a", .query = "" },
	{ "query only", REQ("GET /?x HTTP/1.1\r\nHost: h\r\n\r\n"), OK, .path = "/", .query = "x" },
	{ "query with ?", REQ("GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n"), OK, .path = "/a",
	  .query = "b?c" },
	{ "path %-encoded", REQ("GET /a%20b/%2F HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .path = "/a%20b/%2F" },
	{ "path obs-text", REQ("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), OK,
	  .path = "/caf\xc3\xa9" },
	{ "path punctuation", REQ("GET /a;b,c!$&'()*+=:@~\"<>{}|\\^` HTTP/1.1\r\nHost: h\r\n\r\n"),
	  OK, .path = "/a;b,c!$&'()*+=:@~\"<>{}|\\^`" },
	{ "http/1.0", REQ(H10 "\r\n"), OK, .version = 10, .ka = KA_NO },
	{ "1.0 keep-alive", REQ(H10 "Connection: keep-alive\r\n\r\n"), OK,
	  .version = 10, .ka = KA_YES },
	{ "1.0 Keep-Alive", REQ(H10 "connection: Keep-Alive\r\n\r\n"), OK,
	  .version = 10, .ka = KA_YES },
	{ "1.0 keep-alive, Upgrade", REQ(H10 "Connection: keep-alive, Upgrade\r\n\r\n"),
	  OK, .version = 10, .ka = KA_YES },
	{ "1.0 Upgrade,keep-alive", REQ(H10 "Connection: Upgrade,  keep-alive \r\n\r\n"),
	  OK, .version = 10, .ka = KA_YES },
	{ "1.0 keep-alive on 2nd line", REQ(H10 "Connection: Upgrade\r\nConnection: keep-alive\r\n\r\n"),
	  OK, .version = 10, .ka = KA_YES },
	{ "1.0 keep-alive then close", REQ(H10 "Connection: keep-alive\r\nConnection: close\r\n\r\n"),
	  OK, .version = 10, .ka = KA_NO },
	{ "1.0 keep-alivex", REQ(H10 "Connection: keep-alivex\r\n\r\n"), OK,
	  .version = 10, .ka = KA_NO },
	{ "1.0 keep alive in another field", REQ(H10 "X-Connection: keep-alive\r\n\r\n"),
	  OK, .version = 10, .ka = KA_NO },
	{ "1.1 close", REQ(H11 "Host: h\r\nConnection: close\r\n\r\n"), OK, .ka = KA_NO },
	{ "1.1 CLOSE", REQ(H11 "Host: h\r\nConnection: CLOSE\r\n\r\n"), OK, .ka = KA_NO },
	{ "1.1 Upgrade, close", REQ(H11 "Host: h\r\nConnection: Upgrade, close\r\n\r\n"), OK,
	  .ka = KA_NO },
	{ "1.1 empty elements", REQ(H11 "Host: h\r\nConnection: ,, close ,,\r\n\r\n"), OK,
	  .ka = KA_NO },
	{ "1.1 close, keep-alive", REQ(H11 "Host: h\r\nConnection: close, keep-alive\r\n\r\n"),
	  OK, .ka = KA_NO },
	{ "1.1 closed", REQ(H11 "Host: h\r\nConnection: closed\r\n\r\n"), OK, .ka = KA_YES },
	{ "1.1 close as a value elsewhere", REQ(H11 "Host: h\r\nX-A: close\r\n\r\n"), OK,
	  .ka = KA_YES },
	{ "1.1 keep-alive", REQ(H11 "Host: h\r\nConnection: keep-alive\r\n\r\n"), OK, .ka = KA_YES },
	{ "1.1 empty connection", REQ(H11 "Host: h\r\nConnection:\r\n\r\n"), OK, .ka = KA_YES },
	{ "x- headers any case",
	  REQ(H11 "Host: h\r\nx-request-id: abc\r\nX-CLIENT-ID:  c1 \r\nx-Timestamp:\t1700000000\t\r\n"
	      "AUTHORIZATION: Bearer t0k3n\r\n\r\n"),
	  OK, .request_id = "abc", .client_id = "c1", .timestamp = "1700000000",
	  .authorization = "Bearer t0k3n", .hdr_cnt = 5 },
	{ "empty authorization", REQ(H11 "Host: h\r\nAuthorization:\r\n\r\n"), OK,
	  .authorization = "" },
	{ "blank authorization", REQ(H11 "Host: h\r\nAuthorization: \t \r\n\r\n"), OK,
	  .authorization = "" },
	{ "value inner spaces kept", REQ(H11 "Host: h\r\nX-Request-Id: a b\t c\r\n\r\n"), OK,
	  .request_id = "a b\t c" },
	{ "value obs-text", REQ(H11 "Host: h\r\nX-Client-Id: caf\xc3\xa9\r\n\r\n"), OK,
	  .client_id = "caf\xc3\xa9" },
	{ "value with colons", REQ(H11 "Host: h\r\nX-Timestamp: 12:00:00\r\n\r\n"), OK,
	  .timestamp = "12:00:00" },
	{ "bare LF", REQ("GET / HTTP/1.1\nHost: x\n\n"), OK },
	{ "mixed CRLF and LF", REQ("GET / HTTP/1.1\r\nHost: x\n\r\n"), OK },
	{ "leading empty lines", REQ("\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), OK },
	{ "pipelined", REQ("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"), OK,
	  .tail = 19, .path = "/1" },
	{ "pipelined after a body",
	  REQ("POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\n\r\n"),
	  OK, .tail = 22, .method = HTTP_OTHER, .method_str = "POST", .path = "/1",
	  .content_len = 3, .has_content_len = 1 },
	{ "NUL and CR in the body", REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n\0\r\0"),
	  OK, .tail = 3, .method = HTTP_OTHER, .method_str = "POST",
	  .content_len = 3, .has_content_len = 1 },
	{ "content-length 0", REQ(H11 "Host: h\r\nContent-Length: 0\r\n\r\n"), OK,
	  .has_content_len = 1 },
	{ "content-length 007", REQ(H11 "Host: h\r\ncontent-length: 007\r\n\r\n"), OK,
	  .content_len = 7, .has_content_len = 1 },
	{ "content-length OWS", REQ(H11 "Host: h\r\nContent-Length: \t12 \t\r\n\r\n"), OK,
	  .content_len = 12, .has_content_len = 1 },
	{ "content-length max", REQ(H11 "Host: h\r\nContent-Length: 18446744073709551615\r\n\r\n"),
	  OK, .content_len = 18446744073709551615ull, .has_content_len = 1 },
	{ "content-length list of equal", REQ(H11 "Host: h\r\nContent-Length: 42, 42,42\r\n\r\n"),
	  OK, .content_len = 42, .has_content_len = 1 },
	{ "content-length twice equal", REQ(H11 "Host: h\r\nContent-Length: 42\r\nContent-Length: 042\r\n\r\n"),
	  OK, .content_len = 42, .has_content_len = 1 },
	{ "empty value", REQ(H11 "Host: h\r\nAccept:\r\n\r\n"), OK, .hdr_cnt = 2 },
	{ "tab in value", REQ(H11 "Host: h\r\nX-Request-ID: a\tb\r\n\r\n"), OK,
	  .request_id = "a\tb" },
	{ "token name chars", REQ(H11 "Host: h\r\n!#$%&'*+-.^_`|~09aZ: v\r\n\r\n"), OK, .hdr_cnt = 2 },
	{ "put with a query, 1.0", REQ("PUT /p?q HTTP/1.0\r\n\r\n"), OK,
	  .method = HTTP_OTHER, .method_str = "PUT", .path = "/p", .query = "q",
	  .version = 10 },

	/* Incomplete. */
	{ "empty input", REQ(""), 0 },
	{ "method only", REQ("GET"), 0 },
	{ "request line only", REQ("GET / HTTP/1.1\r\n"), 0 },
	{ "ends in CR", REQ("GET / HTTP/1.1\r\n\r"), 0 },
	{ "only empty lines", REQ("\r\n\r\n\n"), 0 },
	{ "field without end", REQ(H11 "Host: x\r\n"), 0 },
	{ "bad field not yet complete", REQ(H11 "Ho st"), 0 },

	/* 400. */
	{ "bare CR in request line", REQ("GET / HTTP/1.1\rHost: x\r\n\r\n"), -400 },
	{ "bare CR in value", REQ(H11 "X-A: a\rb\r\n\r\n"), -400 },
	{ "bare CR leading", REQ("\rGET / HTTP/1.1\r\n\r\n"), -400 },
	{ "CR CR LF", REQ("GET / HTTP/1.1\r\r\n\r\n"), -400 },
	{ "CR at end of head", REQ(H11 "\r\r\n"), -400 },
	{ "obs-fold SP", REQ(H11 "X-A: a\r\n b\r\n\r\n"), -400 },
	{ "obs-fold HTAB", REQ(H11 "X-A: a\r\n\tb\r\n\r\n"), -400 },
	{ "space after request line", REQ(H11 " Host: x\r\n\r\n"), -400 },
	{ "space before colon", REQ(H11 "Host : x\r\n\r\n"), -400 },
	{ "no colon", REQ(H11 "Host x\r\n\r\n"), -400 },
	{ "name only", REQ(H11 "Host\r\n\r\n"), -400 },
	{ "empty name", REQ(H11 ": x\r\n\r\n"), -400 },
	{ "( in name", REQ(H11 "Ho(st: x\r\n\r\n"), -400 },
	{ "space in name", REQ(H11 "X A: b\r\n\r\n"), -400 },
	{ "obs-text in name", REQ(H11 "X\xc3\xa9: b\r\n\r\n"), -400 },
	{ "control in value", REQ(H11 "X-A: a\x01" "b\r\n\r\n"), -400 },
	{ "DEL in value", REQ(H11 "X-A: a\x7f\r\n\r\n"), -400 },
	{ "ESC in value", REQ(H11 "X-A: \x1b[0m\r\n\r\n"), -400 },
	{ "bad method", REQ("GE(T / HTTP/1.1\r\n\r\n"), -400 },
	{ "no method", REQ("/ HTTP/1.1\r\n\r\n"), -400 },
	{ "leading space", REQ(" GET / HTTP/1.1\r\n\r\n"), -400 },
	{ "space only line", REQ("  \r\nGET / HTTP/1.1\r\n\r\n"), -400 },
	{ "two spaces", REQ("GET  / HTTP/1.1\r\n\r\n"), -400 },
	{ "trailing space", REQ("GET / HTTP/1.1 \r\n\r\n"), -400 },
	{ "tabs", REQ("GET\t/\tHTTP/1.1\r\n\r\n"), -400 },
	{ "absolute-form", REQ("GET http://x/ HTTP/1.1\r\n\r\n"), -400 },
	{ "authority-form", REQ("CONNECT x:443 HTTP/1.1\r\n\r\n"), -400 },
	{ "relative target", REQ("GET a HTTP/1.1\r\n\r\n"), -400 },
	{ "*x", REQ("OPTIONS *x HTTP/1.1\r\n\r\n"), -400 },
	{ "*?", REQ("OPTIONS *? HTTP/1.1\r\n\r\n"), -400 },
	{ "control in target", REQ("GET /a\x01 HTTP/1.1\r\n\r\n"), -400 },
	{ "DEL in target", REQ("GET /a\x7f HTTP/1.1\r\n\r\n"), -400 },
	{ "# in target", REQ("GET /a#f HTTP/1.1\r\n\r\n"), -400 },
	{ "space in target", REQ("GET /a b HTTP/1.1\r\n\r\n"), -400 },
	{ "no version (HTTP/0.9)", REQ("GET /\r\n\r\n"), -400 },
	{ "empty version", REQ("GET / \r\n\r\n"), -400 },
	{ "version x", REQ("GET / HTTP/1.1x\r\n\r\n"), -400 },
	{ "version lower case", REQ("GET / http/1.1\r\n\r\n"), -400 },
	{ "version 11", REQ("GET / HTTP/11\r\n\r\n"), -400 },
	{ "version 1.10", REQ("GET / HTTP/1.10\r\n\r\n"), -400 },
	{ "version FOO", REQ("GET / FOO/1.1\r\n\r\n"), -400 },
	{ "version a.b", REQ("GET / HTTP/a.b\r\n\r\n"), -400 },
	{ "version HTTP/1", REQ("GET / HTTP/1\r\n\r\n"), -400 },
	{ "NUL first", REQ("\0GET / HTTP/1.1\r\n\r\n"), -400 },
	{ "NUL in method", REQ("G\0ET / HTTP/1.1\r\n\r\n"), -400 },
	{ "NUL in target", REQ("GET /\0 HTTP/1.1\r\n\r\n"), -400 },
	{ "NUL in version", REQ("GET / HTTP/1.1\0\r\n\r\n"), -400 },
	{ "NUL in name", REQ(H11 "Ho\0st: x\r\n\r\n"), -400 },
	{ "NUL in value", REQ(H11 "Host: x\0\r\n\r\n"), -400 },
	{ "NUL as last line", REQ(H11 "\0\r\n"), -400 },
	{ "NUL in leading line", REQ("\r\n\0\r\nGET / HTTP/1.1\r\n\r\n"), -400 },
	{ "content-length 12a", REQ(H11 "Content-Length: 12a\r\n\r\n"), -400 },
	{ "content-length -1", REQ(H11 "Content-Length: -1\r\n\r\n"), -400 },
	{ "content-length +1", REQ(H11 "Content-Length: +1\r\n\r\n"), -400 },
	{ "content-length empty", REQ(H11 "Content-Length:\r\n\r\n"), -400 },
	{ "content-length blank", REQ(H11 "Content-Length:  \r\n\r\n"), -400 },
	{ "content-length 1 2", REQ(H11 "Content-Length: 1 2\r\n\r\n"), -400 },
	{ "content-length 0x10", REQ(H11 "Content-Length: 0x10\r\n\r\n"), -400 },
	{ "content-length 1.0", REQ(H11 "Content-Length: 1.0\r\n\r\n"), -400 },
	{ "content-length overflow",
	  REQ(H11 "Content-Length: 99999999999999999999999\r\n\r\n"), -400 },
	{ "content-length 2^64", REQ(H11 "Content-Length: 18446744073709551616\r\n\r\n"),
	  -400 },
	{ "content-length two values", REQ(H11 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n"),
	  -400 },
	{ "content-length list differs", REQ(H11 "Content-Length: 42, 43\r\n\r\n"), -400 },
	{ "content-length list empty tail", REQ(H11 "Content-Length: 42,\r\n\r\n"), -400 },
	{ "content-length list empty head", REQ(H11 "Content-Length: ,42\r\n\r\n"), -400 },
	{ "x-request-id twice", REQ(H11 "X-Request-ID: a\r\nx-request-id: a\r\n\r\n"), -400 },
	{ "x-client-id twice", REQ(H11 "X-Client-ID: a\r\nX-Client-ID: b\r\n\r\n"), -400 },
	{ "x-timestamp twice", REQ(H11 "X-Timestamp: 1\r\nX-TIMESTAMP:\r\n\r\n"), -400 },
	{ "authorization twice", REQ(H11 "Authorization: a\r\nauthorization: b\r\n\r\n"), -400 },
	{ "error before the end", REQ(H11 "Host\r\n"), -400 },
	{ "first error wins", REQ(H11 "Host\r\nTransfer-Encoding: chunked\r\n\r\n"), -400 },

	/* 501. */
	{ "transfer-encoding chunked", REQ(H11 "Transfer-Encoding: chunked\r\n\r\n"), -501 },
	{ "transfer-encoding identity", REQ(H11 "transfer-encoding: identity\r\n\r\n"), -501 },
	{ "transfer-encoding empty", REQ(H11 "Transfer-Encoding:\r\n\r\n"), -501 },
	{ "transfer-encoding and length",
	  REQ(H11 "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), -501 },
	{ "transfer-encoding before the end", REQ(H11 "Transfer-Encoding: chunked\r\n"), -501 },
	{ "transfer-encoding in 1.0", REQ(H10 "Transfer-Encoding: chunked\r\n\r\n"), -501 },

	/* 505. */
	{ "HTTP/2.0", REQ("GET / HTTP/2.0\r\n\r\n"), -505 },
	{ "HTTP/1.2", REQ("GET / HTTP/1.2\r\n\r\n"), -505 },
	{ "HTTP/0.9", REQ("GET / HTTP/0.9\r\n\r\n"), -505 },
	{ "HTTP/3.0", REQ("GET / HTTP/3.0\r\n\r\n"), -505 },
	{ "HTTP/9.9", REQ("GET / HTTP/9.9\r\n\r\n"), -505 },
	{ "h2 preface", REQ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), -505 },
	{ "505 before the end", REQ("GET / HTTP/1.9\r\n"), -505 },
};

/* An exact-size heap copy of s[0..n): ASan sees a read past its end. */
static char *copy(const void *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (!p) {
		perror("malloc");
		exit(1);
	}
	memcpy(p, s, n);
	return p;
}

static int str_is(const struct http_str *s, const char *want)
{
	if (!want)
		return !s->p && !s->len;
	return s->p && s->len == strlen(want) && !memcmp(s->p, want, s->len);
}

static void str_print(char *out, size_t out_len, const struct http_str *s)
{
	size_t i, o = 0;

	if (!s->p) {
		snprintf(out, out_len, "(absent)");
		return;
	}
	for (i = 0; i < s->len && o + 5 < out_len; i++) {
		unsigned char c = s->p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, out_len - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* s absent, or inside buf[0..n). */
static int str_inside(const struct http_str *s, const char *buf, size_t n)
{
	if (!s->p)
		return !s->len;
	return s->p >= buf && s->p <= buf + n && s->len <= (size_t)(buf + n - s->p);
}

/* Which field of r disagrees with the case, or NULL. */
static const char *fields_wrong(const struct pcase *c, const struct http_req *r,
				const char *buf, size_t head_len)
{
	int want_ka;
	unsigned int i;

	if (r->head_len != head_len)
		return "head_len";
	if (r->method != c->method)
		return "method";
	if (!str_is(&r->method_str, c->method_str ? c->method_str : "GET"))
		return "method_str";
	if (!str_is(&r->path, c->path ? c->path : "/"))
		return "path";
	if (!str_is(&r->query, c->query))
		return "query";
	if (r->target.p != r->path.p ||
	    r->target.len != r->path.len + (c->query ? strlen(c->query) + 1 : 0))
		return "target";
	if (r->version != (c->version ? c->version : 11))
		return "version";
	want_ka = c->ka ? c->ka == KA_YES : r->version == 11;
	if (r->keep_alive != want_ka)
		return "keep_alive";
	if (r->content_len != c->content_len)
		return "content_len";
	if (r->has_content_len != c->has_content_len)
		return "has_content_len";
	if (!str_is(&r->request_id, c->request_id))
		return "request_id";
	if (!str_is(&r->client_id, c->client_id))
		return "client_id";
	if (!str_is(&r->timestamp, c->timestamp))
		return "timestamp";
	if (!str_is(&r->authorization, c->authorization))
		return "authorization";
	if (c->hdr_cnt && r->hdr_cnt != c->hdr_cnt)
		return "hdr_cnt";
	if (r->hdr_cnt > HTTP_HDR_CNT)
		return "hdr_cnt over the limit";
	for (i = 0; i < r->hdr_cnt; i++)
		if (!str_inside(&r->hdrs[i].name, buf, head_len) ||
		    !str_inside(&r->hdrs[i].value, buf, head_len) ||
		    !r->hdrs[i].name.len || !r->hdrs[i].value.p)
			return "hdrs";
	if (!str_inside(&r->method_str, buf, head_len) ||
	    !str_inside(&r->target, buf, head_len) ||
	    !str_inside(&r->request_id, buf, head_len) ||
	    !str_inside(&r->client_id, buf, head_len) ||
	    !str_inside(&r->timestamp, buf, head_len) ||
	    !str_inside(&r->authorization, buf, head_len))
		return "a string outside the head";
	return NULL;
}

static int untouched(const struct http_req *r)
{
	const unsigned char *p = (const unsigned char *)r;
	size_t i;

	for (i = 0; i < sizeof(*r); i++)
		if (p[i] != 0xa5)
			return 0;
	return 1;
}

/*
 * The case, and every prefix of it: a prefix shorter than the head gets
 * 0, a longer one the head; an erroneous case's prefixes 0 or its error.
 */
static void test_case(const struct pcase *c)
{
	static struct http_req r;
	char name[128], why[512], got[256];
	size_t k, head_len = c->ret == OK ? c->len - c->tail : 0;
	const char *bad;
	char *buf;
	int ret, want;

	snprintf(name, sizeof(name), "parse %s", c->name);
	for (k = 0; k <= c->len; k++) {
		buf = copy(c->req, k);
		memset(&r, 0xa5, sizeof(r));
		ret = http_parse(&r, buf, k);
		if (c->ret == OK)
			want = k < head_len ? 0 : (int)head_len;
		else
			want = k < c->len && ret == 0 ? 0 : c->ret;
		if (ret != want) {
			snprintf(why, sizeof(why), "%zu of %zu bytes: %d, want %d", k,
				 c->len, ret, want);
			goto fail;
		}
		if (ret <= 0 && !untouched(&r)) {
			snprintf(why, sizeof(why), "%zu of %zu bytes: %d, but r written",
				 k, c->len, ret);
			goto fail;
		}
		if (ret > 0 && (bad = fields_wrong(c, &r, buf, head_len))) {
			const struct http_str *s = NULL;

			if (!strcmp(bad, "path"))
				s = &r.path;
			else if (!strcmp(bad, "query"))
				s = &r.query;
			else if (!strcmp(bad, "method_str"))
				s = &r.method_str;
			else if (!strcmp(bad, "request_id"))
				s = &r.request_id;
			else if (!strcmp(bad, "authorization"))
				s = &r.authorization;
			got[0] = '\0';
			if (s)
				str_print(got, sizeof(got), s);
			snprintf(why, sizeof(why),
				 "%zu of %zu bytes: %s wrong (\"%s\"; version %d, keep_alive %d, content_len %llu, head_len %zu, hdr_cnt %u)",
				 k, c->len, bad, got, r.version, r.keep_alive,
				 r.content_len, r.head_len, r.hdr_cnt);
			goto fail;
		}
		free(buf);
	}
	result(name, 1, " ");
	return;
fail:
	free(buf);
	result(name, 0, "%s", why);
}

/* Parse an exact-size copy of s[0..n). */
static int parse_n(struct http_req *r, const char *s, size_t n)
{
	char *buf = copy(s, n);
	int ret = http_parse(r, buf, n);

	free(buf);	/* r's strings are not looked at after this */
	return ret;
}

/* "GET /aaa...a HTTP/1.0" of exactly n bytes (1.0: no Host needed). */
static char *request_line(size_t n, size_t extra)
{
	const char *v = " HTTP/1.0";
	char *s = malloc(n + extra + 1);
	size_t vl = strlen(v);

	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', n - 5 - vl);
	memcpy(s + n - vl, v, vl);
	s[n] = '\0';
	return s;
}

static void test_line_max(void)
{
	struct http_req r;
	char *s = request_line(HTTP_LINE_MAX, 4);
	size_t k;
	int ret, bad = -1;

	/* Exactly HTTP_LINE_MAX: accepted, and every prefix is 0. */
	memcpy(s + HTTP_LINE_MAX, "\r\n\r\n", 4);
	for (k = 0; k < HTTP_LINE_MAX + 4; k++)
		if (parse_n(&r, s, k))
			bad = k;
	ret = parse_n(&r, s, HTTP_LINE_MAX + 4);
	result("line max: HTTP_LINE_MAX bytes accepted",
	       ret == HTTP_LINE_MAX + 4 && bad < 0 && r.path.len == HTTP_LINE_MAX - 13,
	       "%d (prefix %d not 0)", ret, bad);
	memcpy(s + HTTP_LINE_MAX, "\n\n", 2);
	ret = parse_n(&r, s, HTTP_LINE_MAX + 2);
	result("line max: HTTP_LINE_MAX bytes, bare LF", ret == HTTP_LINE_MAX + 2,
	       "%d", ret);
	memcpy(s + HTTP_LINE_MAX, "\rx", 2);
	ret = parse_n(&r, s, HTTP_LINE_MAX + 2);
	result("line max: HTTP_LINE_MAX bytes then bare CR", ret == -400, "%d", ret);
	free(s);

	/* HTTP_LINE_MAX + 1: -414, as soon as its last byte is there. */
	s = request_line(HTTP_LINE_MAX + 1, 4);
	memcpy(s + HTTP_LINE_MAX + 1, "\r\n\r\n", 4);
	ret = parse_n(&r, s, HTTP_LINE_MAX + 5);
	result("line max: HTTP_LINE_MAX+1 bytes is 414", ret == -414, "%d", ret);
	ret = parse_n(&r, s, HTTP_LINE_MAX + 1);
	result("line max: 414 once HTTP_LINE_MAX+1 bytes arrived", ret == -414,
	       "%d", ret);
	ret = parse_n(&r, s, HTTP_LINE_MAX);
	result("line max: 0 while HTTP_LINE_MAX bytes arrived", ret == 0, "%d", ret);
	free(s);

	/* Far longer, after empty lines: still 414, not 431. */
	s = malloc(HTTP_HEAD_MAX + 10);
	memcpy(s, "\r\n\n", 3);
	memcpy(s + 3, "GET /", 5);
	memset(s + 8, 'b', HTTP_HEAD_MAX + 2);
	ret = parse_n(&r, s, HTTP_HEAD_MAX + 10);
	result("line max: after empty lines, 414", ret == -414, "%d", ret);
	ret = parse_n(&r, s, 3 + HTTP_LINE_MAX);
	result("line max: after empty lines, 0 at HTTP_LINE_MAX", ret == 0, "%d", ret);
	ret = parse_n(&r, s, 3 + HTTP_LINE_MAX + 1);
	result("line max: after empty lines, 414 at HTTP_LINE_MAX+1", ret == -414,
	       "%d", ret);
	free(s);
}

/* A head of exactly n bytes: a request line, X-Pad fields, the empty
 * line (HTTP/1.0: no Host needed). */
static size_t head_of(char *s, size_t n, int crlf)
{
	const char *rl = crlf ? H10 : "GET / HTTP/1.0\n";
	const char *eol = crlf ? "\r\n" : "\n";
	size_t o = strlen(rl), el = strlen(eol), room, f;

	memcpy(s, rl, o);
	while (n - o > el) {
		room = n - o - el;	/* bytes for fields */
		/* "X-Pad: " + value + eol, at most 1000 bytes, at least 9 */
		f = room > 1000 ? 1000 : room;
		if (room - f && room - f < 9 + el)
			f = room - 9 - el;
		memcpy(s + o, "X-Pad: ", 7);
		memset(s + o + 7, 'p', f - 7 - el);
		memcpy(s + o + f - el, eol, el);
		o += f;
	}
	memcpy(s + o, eol, el);
	return o + el;
}

static void test_head_max(void)
{
	struct http_req r;
	char *s = malloc(HTTP_HEAD_MAX + 100);
	int ret, ret2, crlf;
	size_t n;

	for (crlf = 0; crlf <= 1; crlf++) {
		const char *how = crlf ? "CRLF" : "LF";
		char name[96];

		n = head_of(s, HTTP_HEAD_MAX, crlf);
		ret = parse_n(&r, s, n);
		ret2 = parse_n(&r, s, HTTP_HEAD_MAX - 1);
		snprintf(name, sizeof(name), "head max: HTTP_HEAD_MAX bytes accepted (%s)", how);
		result(name, n == HTTP_HEAD_MAX && ret == HTTP_HEAD_MAX && ret2 == 0,
		       "%zu bytes: %d; one less: %d", n, ret, ret2);
		n = head_of(s, HTTP_HEAD_MAX + 1, crlf);
		ret = parse_n(&r, s, n);
		ret2 = parse_n(&r, s, HTTP_HEAD_MAX);
		snprintf(name, sizeof(name), "head max: HTTP_HEAD_MAX+1 bytes is 431 (%s)", how);
		result(name, n == HTTP_HEAD_MAX + 1 && ret == -431 && ret2 == -431,
		       "%zu bytes: %d; first HTTP_HEAD_MAX: %d", n, ret, ret2);
		ret = parse_n(&r, s, HTTP_HEAD_MAX - 1);
		snprintf(name, sizeof(name), "head max: 0 before HTTP_HEAD_MAX bytes (%s)", how);
		result(name, ret == 0, "%d", ret);
	}

	/* The head's last CR at HTTP_HEAD_MAX - 1: its LF would be one too many. */
	n = head_of(s, HTTP_HEAD_MAX + 1, 1);
	ret = parse_n(&r, s, HTTP_HEAD_MAX);
	result("head max: CR as the last allowed byte",
	       s[HTTP_HEAD_MAX - 1] == '\r' && ret == -431, "%d", ret);

	/* Only empty lines: 431 too. */
	for (n = 0; n + 2 <= HTTP_HEAD_MAX + 2; n += 2)
		memcpy(s + n, "\r\n", 2);
	ret = parse_n(&r, s, HTTP_HEAD_MAX + 2);
	ret2 = parse_n(&r, s, HTTP_HEAD_MAX - 2);
	result("head max: empty lines count", ret == -431 && ret2 == 0,
	       "%d, before the limit %d", ret, ret2);

	/* A body past HTTP_HEAD_MAX does not matter. */
	n = head_of(s, HTTP_HEAD_MAX, 1);
	memset(s + n, 'b', 100);
	ret = parse_n(&r, s, n + 100);
	result("head max: body beyond the limit", ret == HTTP_HEAD_MAX, "%d", ret);
	free(s);
}

static void test_hdr_cnt(void)
{
	struct http_req r;
	char *s = malloc(64 + (HTTP_HDR_CNT + 1) * 16);
	size_t o, o64 = 0;
	int i, ret, ret2, ret3;

	o = strlen(H10);	/* (1.0: no Host needed) */
	memcpy(s, H10, o);
	for (i = 0; i < HTTP_HDR_CNT + 1; i++) {
		if (i == HTTP_HDR_CNT)
			o64 = o;
		o += sprintf(s + o, "X-F%d: %d\r\n", i, i);
	}
	memcpy(s + o, "\r\n", 2);
	ret = parse_n(&r, s, o + 2);
	ret2 = parse_n(&r, s, o);
	memcpy(s + o64, "\r\n", 2);
	ret3 = http_parse(&r, s, o64 + 2);	/* s is o64 + 2 bytes or more */
	result("field count: HTTP_HDR_CNT accepted",
	       ret3 == (int)o64 + 2 && r.hdr_cnt == HTTP_HDR_CNT &&
	       str_is(&r.hdrs[HTTP_HDR_CNT - 1].value, "63"),
	       "%d, hdr_cnt %u", ret3, r.hdr_cnt);
	result("field count: HTTP_HDR_CNT+1 is 431", ret == -431, "%d", ret);
	result("field count: 431 before the end of the head", ret2 == -431, "%d", ret2);
	free(s);
}

static void test_header_lookup(void)
{
	static const char req[] = H11 "X-Dup: one\r\nX-Thing:  v1 \r\nHost: h\r\n"
				  "x-dup: two\r\nIf-None-Match: \"e\"\r\n\r\n";
	struct http_req r;
	const struct http_str *v;
	char *buf = copy(req, sizeof(req) - 1);
	int ret = http_parse(&r, buf, sizeof(req) - 1);

	result("http_header: parsed", ret == (int)sizeof(req) - 1 && r.hdr_cnt == 5,
	       "%d, %u fields", ret, r.hdr_cnt);
	v = http_header(&r, "X-DUP");
	result("http_header: first of two", v && str_is(v, "one"), "wrong");
	v = http_header(&r, "x-thing");
	result("http_header: trimmed", v && str_is(v, "v1"), "wrong");
	v = http_header(&r, "if-none-match");
	result("http_header: quotes kept", v && str_is(v, "\"e\""), "wrong");
	result("http_header: absent", !http_header(&r, "X-Missing") &&
	       !http_header(&r, "Hos") && !http_header(&r, "Hostx") &&
	       !http_header(&r, ""), "found");
	result("http_header: names as sent", str_is(&r.hdrs[3].name, "x-dup") &&
	       str_is(&r.hdrs[1].name, "X-Thing"), "wrong");
	free(buf);
}

struct qcase {
	const char *q;		/* NULL: an absent query */
	const char *key;
	size_t out_len;
	int ret;
	const char *out;	/* with ret >= 0 */
};

static const struct qcase qcases[] = {
	{ "ip=10.0.0.1&top=5", "ip", 64, 8, "10.0.0.1" },
	{ "ip=10.0.0.1&top=5", "top", 64, 1, "5" },
	{ "ip=10.0.0.1&top=5", "to", 64, -ENOENT, NULL },
	{ "ip=10.0.0.1&top=5", "ip=10.0.0.1", 64, -ENOENT, NULL },
	{ "a=%41", "a", 64, 1, "A" },
	{ "a=%41%42c", "a", 64, 3, "ABc" },
	{ "a=%c3%A9", "a", 64, 2, "\xc3\xa9" },
	{ "a=%4", "a", 64, -EINVAL, NULL },
	{ "a=%4&b=1", "a", 64, -EINVAL, NULL },
	{ "a=%", "a", 64, -EINVAL, NULL },
	{ "a=%zz", "a", 64, -EINVAL, NULL },
	{ "a=%4g", "a", 64, -EINVAL, NULL },
	{ "a=%g4", "a", 64, -EINVAL, NULL },
	{ "a=%00", "a", 64, -EINVAL, NULL },
	{ "a=x%00y", "a", 64, -EINVAL, NULL },
	{ "a=%zz&b=1", "b", 64, 1, "1" },
	{ "a=b+c", "a", 64, 3, "b c" },
	{ "a=%2B%2b", "a", 64, 2, "++" },
	{ "a=b=c", "a", 64, 3, "b=c" },
	{ "a=%26&b=2", "a", 64, 1, "&" },
	{ "a=1", "missing", 64, -ENOENT, NULL },
	{ "", "a", 64, -ENOENT, NULL },
	{ NULL, "a", 64, -ENOENT, NULL },
	{ "a&ip=1&x", "a", 64, 0, "" },
	{ "a&ip=1&x", "ip", 64, 1, "1" },
	{ "a&ip=1&x", "x", 64, 0, "" },
	{ "a=", "a", 64, 0, "" },
	{ "ip=1&ip=2", "ip", 64, 1, "1" },
	{ "ip=&ip=2", "ip", 64, 0, "" },
	{ "ip=%zz&ip=2", "ip", 64, -EINVAL, NULL },
	{ "ipx=1&ip=2", "ip", 64, 1, "2" },
	{ "xip=1&ip=2", "ip", 64, 1, "2" },
	{ "i=1&ip=2", "ip", 64, 1, "2" },
	{ "ip=1", "ipx", 64, -ENOENT, NULL },
	{ "IP=1", "ip", 64, -ENOENT, NULL },
	{ "i%70=3", "ip", 64, 1, "3" },
	{ "ip+x=1", "ip x", 64, 1, "1" },
	{ "%zz=1&ip=2", "ip", 64, 1, "2" },
	{ "%zz=1", "%zz", 64, -ENOENT, NULL },
	{ "&&a=1&&", "a", 64, 1, "1" },
	{ "a&&b", "", 64, -ENOENT, NULL },
	{ "=5&a=1", "", 64, 1, "5" },
	{ "a=hello", "a", 6, 5, "hello" },
	{ "a=hello", "a", 5, -ENOSPC, NULL },
	{ "a=h%41llo", "a", 6, 5, "hAllo" },
	{ "a=hello", "a", 1, -ENOSPC, NULL },
	{ "a=hello", "a", 0, -ENOSPC, NULL },
	{ "a", "a", 1, 0, "" },
	{ "a", "a", 0, -ENOSPC, NULL },
	{ "b", "a", 0, -ENOENT, NULL },
	{ "a=%zzzzzzzz", "a", 2, -EINVAL, NULL },
};

static void test_query(void)
{
	char name[160], why[256];
	size_t i;

	for (i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++) {
		const struct qcase *c = &qcases[i];
		size_t n = c->q ? strlen(c->q) : 0;
		struct http_str q = { NULL, 0 };
		char *buf = NULL, *out;
		int ret, ok;

		if (c->q) {
			buf = copy(c->q, n);
			q = (struct http_str){ buf, n };
		}
		out = malloc(c->out_len ? c->out_len : 1);
		memset(out, 'Z', c->out_len ? c->out_len : 1);
		ret = http_query(&q, c->key, out, c->out_len);
		if (c->ret >= 0)
			ok = ret == c->ret && !memcmp(out, c->out, strlen(c->out) + 1);
		else
			ok = ret == c->ret && (!c->out_len || !out[0]);
		snprintf(name, sizeof(name), "query \"%s\" %s [%zu]",
			 c->q ? c->q : "(absent)", c->key, c->out_len);
		snprintf(why, sizeof(why), "%d, want %d; out \"%.*s\"", ret, c->ret,
			 ret >= 0 ? ret : 0, out);
		result(name, ok, "%s", why);
		free(out);
		free(buf);
	}
}

/* The query of a parsed request works with http_query() as it is. */
static void test_query_from_request(void)
{
	static const char req[] = "GET /flows?ip=10.0.0.1&sort=bytes&q=a%20b+c HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_req r;
	char *buf = copy(req, sizeof(req) - 1), out[32];
	int ret = http_parse(&r, buf, sizeof(req) - 1), a, b;

	a = http_query(&r.query, "sort", out, sizeof(out));
	b = http_query(&r.query, "q", out, sizeof(out));
	result("query from a request", ret > 0 && a == 5 && b == 5 &&
	       !strcmp(out, "a b c"), "%d %d %d \"%s\"", ret, a, b, out);
	free(buf);
}

static void test_token_eq(void)
{
	static const struct { const char *s, *lit; int eq; } t[] = {
		{ "close", "close", 1 }, { "Close", "close", 1 },
		{ "KEEP-ALIVE", "keep-alive", 1 }, { "clos", "close", 0 },
		{ "closex", "close", 0 }, { "", "", 1 }, { "a", "", 0 },
		{ "", "a", 0 }, { "[", "{", 0 }, { "@", "`", 0 },
		{ "\xc3\xa9", "\xc3\x89", 0 }, { "Z", "z", 1 },
	};
	struct http_str s, absent = { NULL, 0 };
	size_t i;
	int bad = -1;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *buf = copy(t[i].s, strlen(t[i].s));

		s = (struct http_str){ buf, strlen(t[i].s) };
		if (http_token_eq(&s, t[i].lit) != t[i].eq)
			bad = i;
		free(buf);
	}
	result("http_token_eq", bad < 0, "\"%s\" vs \"%s\"", bad < 0 ? "" : t[bad].s,
	       bad < 0 ? "" : t[bad].lit);
	result("http_token_eq: absent", http_token_eq(&absent, "") &&
	       !http_token_eq(&absent, "x"), "wrong");
}

static void test_reason(void)
{
	static const int codes[] = { 200, 204, 304, 400, 401, 403, 404, 405, 408,
				     411, 413, 414, 429, 431, 500, 501, 503, 505 };
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(http_reason(codes[i]), "Unknown") || !*http_reason(codes[i]))
			bad = codes[i];
	result("http_reason: every status a server uses", !bad, "%d", bad);
	result("http_reason: phrases", !strcmp(http_reason(200), "OK") &&
	       !strcmp(http_reason(404), "Not Found") &&
	       !strcmp(http_reason(413), "Content Too Large") &&
	       !strcmp(http_reason(431), "Request Header Fields Too Large") &&
	       !strcmp(http_reason(505), "HTTP Version Not Supported"), "wrong");
	result("http_reason: Unknown", !strcmp(http_reason(0), "Unknown") &&
	       !strcmp(http_reason(-404), "Unknown") &&
	       !strcmp(http_reason(999), "Unknown") &&
	       !strcmp(http_reason(302), "Unknown"), "wrong");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_case(&cases[i]);
	test_line_max();
	test_head_max();
	test_hdr_cnt();
	test_header_lookup();
	test_query();
	test_query_from_request();
	test_token_eq();
	test_reason();
	return failed;
}
