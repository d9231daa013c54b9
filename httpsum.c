// SPDX-License-Identifier: GPL-2.0
/*
 * httpsum.c - an HTTP/1.x message's first line and Host field from a
 * payload's first bytes (see httpsum.h).  The grammar is RFC 9112's,
 * strict where a guess would take binary data for HTTP: a token method
 * of at most 32 characters, one space, a target of visible characters,
 * one space, "HTTP/1.0" or "HTTP/1.1", then the line's end (or the end
 * of the bytes); a response line is a version, a space, three digits,
 * and a space or the line's end.
 */
#include <string.h>
#include "httpsum.h"

#define METHOD_MAX	32

static int tchar(__u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int vchar(__u8 c)
{
	return c > 0x20 && c < 0x7f;
}

static int is_version(const __u8 *p, __u32 n)
{
	return n >= 8 && (!memcmp(p, "HTTP/1.1", 8) || !memcmp(p, "HTTP/1.0", 8));
}

static int lower(__u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The Host field of the head's lines from off on, if a whole line. */
static void find_host(const __u8 *b, __u32 n, __u32 off, struct http_sum *s)
{
	__u32 end, v, e;

	while (off < n) {
		for (end = off; end < n && b[end] != '\n'; end++)
			;
		if (end == n)
			return;		/* cut: not a whole line */
		e = end > off && b[end - 1] == '\r' ? end - 1 : end;
		if (e == off)
			return;		/* the empty line: the head's end */
		if (e - off >= 5 && lower(b[off]) == 'h' && lower(b[off + 1]) == 'o' &&
		    lower(b[off + 2]) == 's' && lower(b[off + 3]) == 't' &&
		    b[off + 4] == ':') {
			for (v = off + 5; v < e && (b[v] == ' ' || b[v] == '\t'); v++)
				;
			while (e > v && (b[e - 1] == ' ' || b[e - 1] == '\t'))
				e--;
			for (end = v; end < e && vchar(b[end]); end++)
				;
			if (end != e)
				return;		/* not a host as we show it */
			s->host = (const char *)b + v;
			s->host_len = e - v > HTTPSUM_HOST_MAX ? HTTPSUM_HOST_MAX : e - v;
			return;
		}
		off = end + 1;
	}
}

/* The end of the line at off: CRLF or LF, or the end of the bytes;
 * ok says whether it is one of those. */
static __u32 line_end(const __u8 *b, __u32 n, __u32 off, int *ok)
{
	*ok = off == n || b[off] == '\n' ||
	      (b[off] == '\r' && (off + 1 == n || b[off + 1] == '\n'));
	if (off < n && b[off] == '\r')
		off++;
	return off < n ? off + 1 : n;
}

static int sum(const __u8 *b, __u32 n, struct http_sum *s)
{
	__u32 i, t, v, r;
	int ok;

	if (is_version(b, n)) {
		/* HTTP/1.1 200 OK */
		if (n < 12 || b[8] != ' ')
			return 0;
		for (i = 9; i < 12; i++)
			if (b[i] < '0' || b[i] > '9')
				return 0;
		if (b[9] == '0')
			return 0;
		s->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
		s->version = (const char *)b;
		r = 12;
		if (r < n && b[r] == ' ') {
			r++;
			for (i = r; i < n && (b[i] == '\t' || (b[i] >= 0x20 && b[i] < 0x7f)); i++)
				;
			s->reason = (const char *)b + r;
			s->reason_len = i - r > HTTPSUM_REASON_MAX ? HTTPSUM_REASON_MAX : i - r;
			r = i;
		} else {
			s->reason = (const char *)b + r;
		}
		line_end(b, n, r, &ok);
		return ok;
	}
	for (i = 0; i < n && i <= METHOD_MAX && tchar(b[i]); i++)
		;
	if (!i || i > METHOD_MAX || i >= n || b[i] != ' ')
		return 0;
	s->method = (const char *)b;
	s->method_len = i;
	t = i + 1;
	for (v = t; v < n && vchar(b[v]); v++)
		;
	if (v == t || (v < n && b[v] != ' '))
		return 0;
	s->target = (const char *)b + t;
	s->target_len = v - t > HTTPSUM_TARGET_MAX ? HTTPSUM_TARGET_MAX : v - t;
	s->request = 1;
	/* The bytes may end inside the line: what there is of it. */
	if (v + 1 >= n)
		return 1;
	if (is_version(b + v + 1, n - v - 1)) {
		s->version = (const char *)b + v + 1;
		r = line_end(b, n, v + 9, &ok);
	} else {		/* a version cut short, or none */
		ok = n - v - 1 < 8 && (!memcmp(b + v + 1, "HTTP/1.1", n - v - 1) ||
				       !memcmp(b + v + 1, "HTTP/1.0", n - v - 1));
		r = n;
	}
	if (!ok)
		return 0;
	find_host(b, n, r, s);
	return 1;
}

int http_sum(const __u8 *b, __u32 n, struct http_sum *s)
{
	memset(s, 0, sizeof(*s));
	if (sum(b, n, s))
		return 1;
	memset(s, 0, sizeof(*s));
	return 0;
}
