// SPDX-License-Identifier: GPL-2.0
/*
 * httpsum_test - http_sum() on requests and responses and on what only
 * looks like them, whole and cut to every length: each prefix read
 * through an allocation of exactly its size (AddressSanitizer watches),
 * and what a prefix yields is what the whole yields, as far as it goes:
 * the same method, a prefix of the target, the version and the Host
 * only once their lines are whole.  (A prefix of what is not HTTP/1.x
 * may look like the start of a request: it is only held to its bytes.)
 */
#include <stdlib.h>
#include <string.h>
#include "httpsum.h"
#include "../result.h"

struct want {
	const char *name;
	const char *in;
	int ok;
	const char *method, *target, *version, *host;
	__u32 status;
	const char *reason;
};

#define REQ(n, i, m, t, v, h)	{ .name = n, .in = i, .ok = 1, .method = m, .target = t, \
				  .version = v, .host = h }
#define RESP(n, i, v, s, r)	{ .name = n, .in = i, .ok = 1, .version = v, .status = s, \
				  .reason = r }
#define NOT(n, i)		{ .name = n, .in = i }

static const struct want cases[] = {
	REQ("GET with Host", "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
	    "GET", "/index.html", "HTTP/1.1", "example.com"),
	REQ("POST, host in any case, whitespace around it",
	    "POST /a?b=c HTTP/1.0\r\nX: y\r\nhOsT: \t h:8080 \t\r\n\r\nbody",
	    "POST", "/a?b=c", "HTTP/1.0", "h:8080"),
	REQ("bare LF", "OPTIONS * HTTP/1.1\nHost: [::1]:80\n\n", "OPTIONS", "*", "HTTP/1.1",
	    "[::1]:80"),
	REQ("a Host past the head is not its", "HEAD / HTTP/1.1\r\n\r\nHost: not.in.the.head\r\n",
	    "HEAD", "/", "HTTP/1.1", NULL),
	REQ("a Host of two words is none", "GET / HTTP/1.1\r\nHost: two words\r\n\r\n",
	    "GET", "/", "HTTP/1.1", NULL),
	RESP("200 OK", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1", 200, "OK"),
	RESP("404, HTTP/1.0", "HTTP/1.0 404 Not Found\r\n", "HTTP/1.0", 404, "Not Found"),
	RESP("no reason", "HTTP/1.1 204\r\n\r\n", "HTTP/1.1", 204, ""),
	NOT("a status below 100", "HTTP/1.1 099 Low\r\n"),
	NOT("HTTP/2 response", "HTTP/2 200\r\n"),
	NOT("a status not three digits", "HTTP/1.1 2x0 OK\r\n"),
	NOT("HTTP/2.0 request", "GET / HTTP/2.0\r\n\r\n"),
	NOT("a target with a space", "GET /a b HTTP/1.1\r\n"),
	NOT("two spaces", "GET  / HTTP/1.1\r\n"),
	NOT("not a token", "G@T / HTTP/1.1\r\n"),
	NOT("more after the version", "GET / HTTP/1.1 trailing\r\n"),
	NOT("a bare CR", "GET / HTTP/1.1\rX\n"),
	NOT("a method over 32", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ / HTTP/1.1\r\n"),
	NOT("TLS", "\x16\x03\x01\x02\x00\x01"),
	NOT("nothing", ""),
};

static int same(const char *p, __u32 n, const char *want)
{
	return want ? p && n == strlen(want) && !memcmp(p, want, n) : !p;
}

/* Whether s from a prefix of k bytes (b) agrees with the whole's w. */
static int prefix_ok(const struct http_sum *s, const __u8 *b, __u32 k,
		     const struct want *w)
{
	const char *end = (const char *)b + k;

	if (s->method && (!same(s->method, s->method_len, w->method) ||
			  s->target + s->target_len > end ||
			  strncmp(s->target, w->target, s->target_len)))
		return 0;
	if (s->version && (s->version + 8 > end || memcmp(s->version, w->version, 8)))
		return 0;
	if (s->host && !same(s->host, s->host_len, w->host))
		return 0;
	if (!s->request && (s->status != w->status || s->reason + s->reason_len > end ||
			    strncmp(s->reason, w->reason, s->reason_len)))
		return 0;
	return 1;
}

int main(void)
{
	struct http_sum s;
	char why[256];
	size_t i, n;
	__u32 k;
	__u8 *b;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct want *w = &cases[i];

		n = strlen(w->in);
		ret = http_sum((const __u8 *)w->in, n, &s);
		if (ret != w->ok)
			snprintf(why, sizeof(why), "%d, want %d", ret, w->ok);
		else if (ret && (!same(s.method, s.method_len, w->method) ||
				 !same(s.target, s.target_len, w->target) ||
				 (s.version ? memcmp(s.version, w->version, 8) : !!w->version) ||
				 !same(s.host, s.host_len, w->host) || s.status != w->status ||
				 (w->reason && !same(s.reason, s.reason_len, w->reason))))
			snprintf(why, sizeof(why), "method %.*s target %.*s host %.*s status %u",
				 (int)s.method_len, s.method ? s.method : "",
				 (int)s.target_len, s.target ? s.target : "",
				 (int)s.host_len, s.host ? s.host : "", s.status);
		else
			*why = 0;
		for (k = 0; k < n && !*why; k++) {
			b = malloc(k ? k : 1);
			memcpy(b, w->in, k);
			ret = http_sum(b, k, &s);
			if (ret && w->ok && !prefix_ok(&s, b, k, w))
				snprintf(why, sizeof(why), "its first %u bytes: a summary not the whole's", k);
			if (ret && !w->ok && (s.target + s.target_len > (const char *)b + k ||
					      (s.version && s.version + 8 > (const char *)b + k)))
				snprintf(why, sizeof(why), "its first %u bytes: a summary past them", k);
			free(b);
		}
		result(w->name, !*why, "%s", why);
	}
	/* Long strings are cut to their bounds. */
	b = malloc(8000);
	memcpy(b, "GET /", 5);
	memset(b + 5, 'x', 3000);
	memcpy(b + 3005, " HTTP/1.1\r\nHost: ", 17);
	memset(b + 3022, 'h', 600);
	memcpy(b + 3622, "\r\n\r\n", 4);
	ret = http_sum(b, 3626, &s);
	result("a long target and host: cut to their bounds",
	       ret && s.target_len == HTTPSUM_TARGET_MAX && s.host_len == HTTPSUM_HOST_MAX,
	       "%d: target %u host %u", ret, s.target_len, s.host_len);
	free(b);
	return failed;
}
