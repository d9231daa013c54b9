/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - parse the head of an HTTP/1.0 or HTTP/1.1 request held in
 * memory (RFC 9112), for `tcpinspect serve`.
 *
 * Every function here is pure: no syscalls, no output, no globals, no
 * allocation.  Every read of the buffer is bounded by its length.  What
 * http_parse() fills in points into the caller's buffer, which must
 * outlive the http_req; the buffer is never modified.
 *
 * http_parse() decides as it reads, line by line: the answer for the
 * first n bytes of a stream is 0 (read more) or the answer for the whole
 * stream, so a server may call it again after every read.
 */
#ifndef TCPINSPECT_HTTP_H
#define TCPINSPECT_HTTP_H

#include <stddef.h>

#define HTTP_LINE_MAX	2048	/* request line, its CRLF excluded */
#define HTTP_HEAD_MAX	8192	/* request line and header fields, through the empty line */
#define HTTP_HDR_CNT	64	/* header fields at most */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

/*
 * A piece of the caller's buffer: not NUL-terminated; len 0 when absent.
 * An absent piece has p NULL; a present but empty one (a header field
 * with an empty value, a target ending in '?') has p inside the buffer.
 */
struct http_str {
	const char *p;
	size_t len;
};

/* One header field line: the name as sent, the value trimmed. */
struct http_hdr {
	struct http_str name;
	struct http_str value;
};

struct http_req {
	enum http_method method;
	struct http_str method_str;	/* the method token as sent */
	struct http_str target;		/* the request-target as sent */
	struct http_str path;		/* target up to '?' (still %-encoded) */
	struct http_str query;		/* after '?', without it */
	int version;			/* 10 or 11 */
	int keep_alive;			/* HTTP/1.1 unless "Connection: close"; 1.0 only with "Connection: keep-alive" */
	unsigned long long content_len;	/* Content-Length, 0 when absent */
	int has_content_len;		/* a Content-Length field was sent */
	struct http_str request_id;	/* X-Request-ID */
	struct http_str client_id;	/* X-Client-ID */
	struct http_str timestamp;	/* X-Timestamp */
	struct http_str authorization;	/* Authorization */
	size_t head_len;		/* bytes of the head, through its empty line */
	unsigned int hdr_cnt;		/* header fields, in hdrs[] in the order sent */
	struct http_hdr hdrs[HTTP_HDR_CNT];
};

/*
 * Parse the request head at the start of buf[0..len).
 *
 * > 0: complete, the head's length (r filled, its strings point into
 *      buf; the body or a pipelined request starts at buf + head_len);
 * 0:   incomplete, read more: returned only while len < HTTP_HEAD_MAX and
 *      the request line so far is at most HTTP_LINE_MAX bytes;
 * < 0: minus the HTTP status to answer, then close:
 *   -400 bad syntax: the method not a token; the request-target not
 *        origin-form ("/...") or "*", or holding a control character,
 *        a space, '#' or DEL; not exactly one space between the three
 *        parts; a version not of the form HTTP/D.D; a header name not a
 *        token or followed by anything but ':'; a control character
 *        other than HTAB in a value; a line starting with a space or tab
 *        (obs-fold, or whitespace after the request line); a
 *        Content-Length not 1*DIGIT (a list of equal values is
 *        accepted), overflowing, or two different ones; X-Request-ID,
 *        X-Client-ID, X-Timestamp or Authorization sent twice; a bare CR;
 *        a NUL anywhere; an HTTP/1.1 head without exactly one Host field,
 *        an HTTP/1.0 one with several (RFC 9112 3.2; known only once the
 *        head is complete, so an error of the lines comes first);
 *   -414 request line longer than HTTP_LINE_MAX, reported as soon as
 *        HTTP_LINE_MAX + 1 bytes of it have arrived without its end;
 *   -431 head longer than HTTP_HEAD_MAX (reported once HTTP_HEAD_MAX
 *        bytes have arrived without its end), or more than HTTP_HDR_CNT
 *        header fields;
 *   -501 Transfer-Encoding present (no chunked bodies here);
 *   -505 a version HTTP/D.D other than HTTP/1.0 and HTTP/1.1.
 * The first error met reading from the start is the one returned.
 *
 * Lines end in CRLF; a bare LF is accepted too (RFC 9112 2.2); a bare CR
 * is -400.  Header names are case-insensitive; values have leading and
 * trailing spaces and tabs trimmed.  Leading empty lines before the
 * request line are skipped (RFC 9112 2.2) and count in head_len.  The
 * method is case-sensitive ("get" is HTTP_OTHER).  "*" is accepted with
 * any method: its path is "*" and it has no query.  Connection is a
 * comma-separated list of case-insensitive tokens over all its lines;
 * "close" wins over "keep-alive".  r is written only on success.
 */
int http_parse(struct http_req *r, const char *buf, size_t len);

/*
 * The value of query parameter key (exact, case-sensitive name match,
 * first occurrence) in q, %-decoded ('+' is a space) into out,
 * NUL-terminated.  Its length, or -ENOENT (absent), -EINVAL (bad
 * %-escape, or a decoded NUL), -ENOSPC (does not fit out_len incl. the
 * NUL).  On an error out is "" if out_len > 0.
 * "a&ip=1&x" style: parameters split on '&'; a key with no '=' has the
 * empty value.  Names are %-decoded before they are compared; a name
 * with a bad escape matches no key.  Empty parameters ("a&&b") are
 * skipped.
 */
int http_query(const struct http_str *q, const char *key, char *out, size_t out_len);

/* 1 if s is lit, ASCII letters compared case-insensitively, else 0. */
int http_token_eq(const struct http_str *s, const char *lit);

/* The value of the first header field named name (case-insensitive), or NULL. */
const struct http_str *http_header(const struct http_req *r, const char *name);

/* The reason phrase of status ("Not Found"), or "Unknown". */
const char *http_reason(int status);

#endif
