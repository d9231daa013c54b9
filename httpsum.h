/* SPDX-License-Identifier: GPL-2.0 */
/*
 * httpsum.h - what an HTTP/1.x request or response says in its first
 * line (and a request's Host field), from the first bytes of a TCP
 * payload: the summary tcpinspect shows with -v and in JSON.  Not the
 * server's parser (http.c): this one reads other hosts' traffic, cut
 * anywhere by a snap length.  Pure: no syscalls, no allocation, no
 * globals; every string points into the bytes given.
 */
#ifndef TCPINSPECT_HTTPSUM_H
#define TCPINSPECT_HTTPSUM_H

#include <linux/types.h>

#define HTTPSUM_TARGET_MAX	1024	/* a longer target is cut there */
#define HTTPSUM_HOST_MAX	255
#define HTTPSUM_REASON_MAX	128

struct http_sum {
	int request;		/* 1: a request; 0: a response */
	const char *method;	/* request: the method token */
	__u32 method_len;
	const char *target;	/* request: the request target */
	__u32 target_len;
	const char *version;	/* "HTTP/1.0" or "HTTP/1.1" (8 bytes); a
				 * request line cut short: NULL */
	const char *host;	/* request: the Host field's value, if the
				 * bytes hold its whole line; else NULL */
	__u32 host_len;
	__u32 status;		/* response: 100 to 999 */
	const char *reason;	/* response: the reason phrase (may be empty),
				 * as far as the bytes go */
	__u32 reason_len;
};

/*
 * Whether the n bytes at b begin an HTTP/1.0 or HTTP/1.1 request (a
 * method token, a target, the version, all on the first line; or as
 * much of it as there is, when the bytes end inside it after the
 * target's first character) or response (version, a three-digit
 * status): 1 with s filled, else 0.  Strings are printable ASCII; those
 * longer than their _MAX are cut.
 */
int http_sum(const __u8 *b, __u32 n, struct http_sum *s);

#endif
