// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the HTTP/1.x request-head parser of `tcpinspect serve` (see
 * http.h).
 *
 * next_line() cuts the head into lines and is the only code that looks
 * for a line's end: it never reads at or past min(len, HTTP_HEAD_MAX).
 * Each complete line is then checked on its own, as a (pointer, length)
 * pair.  Lines are taken in order and the first error returns, so a
 * prefix of a stream gets 0 or the stream's answer.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "http.h"

#define CONN_CLOSE	1	/* "Connection: close" seen */
#define CONN_KEEP	2	/* "Connection: keep-alive" seen */

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* A request-target byte: visible ASCII but '#', or obs-text. */
static int is_target(unsigned char c)
{
	return (c > ' ' && c < 0x7f && c != '#') || c >= 0x80;
}

/* A field-value byte: HTAB, SP, visible ASCII, obs-text. */
static int is_value(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

static int is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int mem_eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

static int str_eq_nocase(const char *p, size_t len, const char *lit)
{
	return strlen(lit) == len && mem_eq_nocase(p, lit, len);
}

/*
 * The line starting at pos, read up to lim = min(len, HTTP_HEAD_MAX): 1
 * with its content [pos, *eol) and the offset after its CRLF or LF in
 * *next; -400 on a NUL or a bare CR; -414 past max bytes of content; if
 * it has not ended before lim, 0 (lim < HTTP_HEAD_MAX) or -431.
 */
static int next_line(const char *buf, size_t lim, size_t pos, size_t max,
		     size_t *eol, size_t *next)
{
	size_t i;

	for (i = pos; i < lim; i++) {
		if (buf[i] == '\n') {
			*eol = i;
			*next = i + 1;
			return 1;
		}
		if (buf[i] == '\r') {
			if (i + 1 == lim)
				break;
			if (buf[i + 1] != '\n')
				return -400;
			*eol = i;
			*next = i + 2;
			return 1;
		}
		if (!buf[i])
			return -400;
		if (i - pos >= max)
			return -414;
	}
	return lim == HTTP_HEAD_MAX ? -431 : 0;
}

/* method SP request-target SP HTTP-version, in s[0..n). */
static int parse_request_line(struct http_req *q, const char *s, size_t n)
{
	size_t i = 0, start, j;
	const char *v;

	while (i < n && is_tchar(s[i]))
		i++;
	if (!i || i == n || s[i] != ' ')
		return -400;
	q->method_str = (struct http_str){ s, i };
	if (i == 3 && !memcmp(s, "GET", 3))
		q->method = HTTP_GET;
	else if (i == 4 && !memcmp(s, "HEAD", 4))
		q->method = HTTP_HEAD;
	else
		q->method = HTTP_OTHER;

	start = ++i;
	while (i < n && is_target(s[i]))
		i++;
	if (i == start || i == n || s[i] != ' ')
		return -400;
	q->target = (struct http_str){ s + start, i - start };
	if (s[start] == '/') {
		for (j = start; j < i && s[j] != '?'; j++)
			;
		q->path = (struct http_str){ s + start, j - start };
		if (j < i)
			q->query = (struct http_str){ s + j + 1, i - j - 1 };
	} else if (i - start == 1 && s[start] == '*') {
		q->path = q->target;
	} else {
		return -400;
	}

	i++;
	v = s + i;
	if (n - i != 8 || memcmp(v, "HTTP/", 5) || !is_digit(v[5]) ||
	    v[6] != '.' || !is_digit(v[7]))
		return -400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return -505;
	q->version = v[7] == '1' ? 11 : 10;
	return 0;
}

/* 1#( 1*DIGIT ) with every element equal: 0 and *out, or -400. */
static int parse_content_len(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v, first = 0;
	size_t i = 0, start;
	int cnt = 0;

	for (;;) {
		while (i < n && is_ows(s[i]))
			i++;
		start = i;
		for (v = 0; i < n && is_digit(s[i]); i++) {
			if (v > (ULLONG_MAX - (s[i] - '0')) / 10)
				return -400;
			v = v * 10 + (s[i] - '0');
		}
		if (i == start || (cnt++ && v != first))
			return -400;
		first = v;
		while (i < n && is_ows(s[i]))
			i++;
		if (i == n)
			break;
		if (s[i++] != ',')
			return -400;
	}
	*out = first;
	return 0;
}

/* Connection's tokens "close" and "keep-alive" as CONN_* bits. */
static int parse_connection(const char *s, size_t n)
{
	size_t i = 0, start, end;
	int bits = 0;

	while (i <= n) {
		while (i < n && is_ows(s[i]))
			i++;
		start = i;
		while (i < n && s[i] != ',')
			i++;
		end = i;
		while (end > start && is_ows(s[end - 1]))
			end--;
		if (str_eq_nocase(s + start, end - start, "close"))
			bits |= CONN_CLOSE;
		else if (str_eq_nocase(s + start, end - start, "keep-alive"))
			bits |= CONN_KEEP;
		i++;	/* past the ',' (or the end) */
	}
	return bits;
}

/* A field of which one line at most is accepted. */
static int set_once(struct http_str *dst, const struct http_str *val)
{
	if (dst->p)
		return -400;
	*dst = *val;
	return 0;
}

/* field-name ":" OWS field-value OWS, in s[0..n), n > 0. */
static int parse_field(struct http_req *q, const char *s, size_t n, int *conn,
		       int *hosts)
{
	struct http_str name, val;
	size_t i = 0, end;

	while (i < n && is_tchar(s[i]))
		i++;
	if (!i || i == n || s[i] != ':')
		return -400;	/* also obs-fold: a line starting with SP or HTAB */
	name = (struct http_str){ s, i };
	for (i++; i < n && is_ows(s[i]); i++)
		;
	for (end = n; end > i && is_ows(s[end - 1]); end--)
		;
	val = (struct http_str){ s + i, end - i };
	for (; i < end; i++)
		if (!is_value(s[i]))
			return -400;
	q->hdrs[q->hdr_cnt].name = name;
	q->hdrs[q->hdr_cnt].value = val;
	q->hdr_cnt++;

	if (http_token_eq(&name, "content-length")) {
		unsigned long long v;

		if (parse_content_len(val.p, val.len, &v) ||
		    (q->has_content_len && v != q->content_len))
			return -400;
		q->content_len = v;
		q->has_content_len = 1;
	} else if (http_token_eq(&name, "transfer-encoding")) {
		return -501;
	} else if (http_token_eq(&name, "connection")) {
		*conn |= parse_connection(val.p, val.len);
	} else if (http_token_eq(&name, "host")) {
		(*hosts)++;
	} else if (http_token_eq(&name, "x-request-id")) {
		return set_once(&q->request_id, &val);
	} else if (http_token_eq(&name, "x-client-id")) {
		return set_once(&q->client_id, &val);
	} else if (http_token_eq(&name, "x-timestamp")) {
		return set_once(&q->timestamp, &val);
	} else if (http_token_eq(&name, "authorization")) {
		return set_once(&q->authorization, &val);
	}
	return 0;
}

int http_parse(struct http_req *r, const char *buf, size_t len)
{
	size_t lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	size_t pos = 0, eol, next;
	struct http_req q;
	int ret, conn = 0, hosts = 0;

	memset(&q, 0, sizeof(q));
	for (;;) {	/* empty lines, then the request line */
		ret = next_line(buf, lim, pos, HTTP_LINE_MAX, &eol, &next);
		if (ret <= 0)
			return ret;
		if (eol > pos)
			break;
		pos = next;
	}
	ret = parse_request_line(&q, buf + pos, eol - pos);
	if (ret)
		return ret;

	for (;;) {
		pos = next;
		ret = next_line(buf, lim, pos, SIZE_MAX, &eol, &next);
		if (ret <= 0)
			return ret;
		if (eol == pos)
			break;
		if (q.hdr_cnt == HTTP_HDR_CNT)
			return -431;
		ret = parse_field(&q, buf + pos, eol - pos, &conn, &hosts);
		if (ret)
			return ret;
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in 1.0. */
	if (hosts > 1 || (q.version == 11 && hosts != 1))
		return -400;

	if (conn & CONN_CLOSE)
		q.keep_alive = 0;
	else
		q.keep_alive = q.version == 11 || (conn & CONN_KEEP);
	q.head_len = next;
	*r = q;
	return (int)next;
}

/* The value of hex digit c, or -1. */
static int hex(unsigned char c)
{
	int l = lower(c);

	if (is_digit(c))
		return c - '0';
	return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

/*
 * The byte s[*i..n) starts with, %-decoded, '+' as a space; *i moves past
 * it.  -1 on a bad escape.
 */
static int decode_byte(const char *s, size_t n, size_t *i)
{
	int hi, lo;

	if (s[*i] == '+') {
		(*i)++;
		return ' ';
	}
	if (s[*i] != '%')
		return (unsigned char)s[(*i)++];
	if (n - *i < 3)
		return -1;
	hi = hex(s[*i + 1]);
	lo = hex(s[*i + 2]);
	if (hi < 0 || lo < 0)
		return -1;
	*i += 3;
	return hi << 4 | lo;
}

/* s[0..n), %-decoded, is key. */
static int name_is(const char *s, size_t n, const char *key)
{
	size_t i = 0, k = 0;
	int c;

	while (i < n) {
		c = decode_byte(s, n, &i);
		if (c < 0 || !key[k] || c != (unsigned char)key[k])
			return 0;
		k++;
	}
	return !key[k];
}

int http_query(const struct http_str *q, const char *key, char *out, size_t out_len)
{
	const char *s, *name, *val = NULL;
	size_t n, i = 0, start, eq, end, val_len = 0, dec_len = 0;
	int c, found = 0, ret;

	if (!q || !q->p)
		goto absent;
	s = q->p;
	n = q->len;
	while (i < n && !found) {
		start = i;
		while (i < n && s[i] != '&')
			i++;
		end = i++;
		if (end == start)
			continue;
		name = s + start;
		for (eq = start; eq < end && s[eq] != '='; eq++)
			;
		if (!name_is(name, eq - start, key))
			continue;
		found = 1;
		if (eq < end) {
			val = s + eq + 1;
			val_len = end - eq - 1;
		}
	}
	if (!found)
		goto absent;

	for (i = 0; i < val_len; dec_len++) {
		c = decode_byte(val, val_len, &i);
		if (c <= 0) {
			ret = -EINVAL;
			goto fail;
		}
	}
	if (dec_len >= out_len || dec_len > INT_MAX) {
		ret = -ENOSPC;
		goto fail;
	}
	for (i = 0, dec_len = 0; i < val_len; dec_len++)
		out[dec_len] = (char)decode_byte(val, val_len, &i);
	out[dec_len] = '\0';
	return (int)dec_len;
absent:
	ret = -ENOENT;
fail:
	if (out_len)
		out[0] = '\0';
	return ret;
}

int http_token_eq(const struct http_str *s, const char *lit)
{
	return str_eq_nocase(s->p, s->len, lit);
}

const struct http_str *http_header(const struct http_req *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->hdr_cnt && i < HTTP_HDR_CNT; i++)
		if (http_token_eq(&r->hdrs[i].name, name))
			return &r->hdrs[i].value;
	return NULL;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}
