/* SPDX-License-Identifier: GPL-2.0 */
/*
 * srv.h - the HTTP/1.1 server of `tcpinspect serve`: a listening socket
 * and its connections in the caller's epoll set, requests parsed by
 * http.c and answered by the caller's route function.  Single-threaded,
 * non-blocking, every resource bounded: SRV_CONN_MAX connections (more
 * are told 503), a request head within timeout_ms of its first byte
 * (else 408), keep-alive connections closed after timeout_ms idle,
 * bodies up to SRV_BODY_MAX read and ignored (more: 413).
 *
 * Every request is checked for the bearer token (if there is one), gets
 * an X-Request-ID (the client's, or one made here) and one line in the
 * access log.  HEAD answers as GET without the body.  No printing: the
 * log goes to the caller's fd.
 */
#ifndef TCPINSPECT_SRV_H
#define TCPINSPECT_SRV_H

#include <stddef.h>
#include <sys/epoll.h>
#include <linux/types.h>
#include "http.h"

#define SRV_CONN_MAX	64
#define SRV_TIMEOUT_MS	10000	/* default timeout_ms */
#define SRV_BODY_MAX	4096
#define SRV_RESP_MAX	(64u << 20)	/* a bigger answer is a 500 */
#define SRV_RID_MAX	128		/* X-Request-ID bytes we echo */

/* A growing buffer; err is set (and the content frozen) past SRV_RESP_MAX. */
struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

void sb_put(struct sbuf *b, const void *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
__attribute__((format(printf, 2, 3)))
void sb_printf(struct sbuf *b, const char *fmt, ...);
void sb_free(struct sbuf *b);

/* What a route answers: status, the body and its type. */
struct srv_resp {
	int status;
	const char *type;	/* Content-Type; NULL: application/json */
	const char *allow;	/* 405: the Allow header */
	struct sbuf body;
};

/* resp as an error: status and {"error":why,"status":status}. */
void srv_error(struct srv_resp *resp, int status, const char *why);

/* Fill resp for req (a GET or HEAD whose token was right). */
typedef void (*srv_route_fn)(void *arg, const struct http_req *req,
			     struct srv_resp *resp);

struct srv_conn;

struct srv {
	int listen_fd;
	int epfd;			/* the caller's epoll set */
	const char *token;		/* bearer token; NULL: none asked */
	int log_fd;			/* access log, one line per request */
	int timeout_ms;			/* see above; 0: SRV_TIMEOUT_MS */
	srv_route_fn route;
	void *route_arg;
	struct srv_conn *conn[SRV_CONN_MAX];
	int conn_cnt;
	__u64 rid_base, rid_seq;	/* generated request ids */
	__u64 requests;			/* answered, all statuses */
	__u64 status_cnt[6];		/* by class: [2] 2xx ... [5] 5xx */
	__u64 refused;			/* connections told 503 */
};

/*
 * A listening TCP socket for "ADDR:PORT", "[V6ADDR]:PORT" or "PORT"
 * (127.0.0.1).  Its fd, or -errno with err saying what was wrong;
 * *loopback says whether only this host can connect.
 */
int srv_listen(const char *spec, int *loopback, char *err, size_t err_len);

/* Take listen_fd into the epoll set epfd; 0 or -errno. */
int srv_init(struct srv *s, int listen_fd, int epfd);

/* Whether an epoll event is the server's; the caller's own fds must
 * carry data.u64 == 0. */
int srv_owns(const struct epoll_event *ev);
void srv_event(struct srv *s, const struct epoll_event *ev);

/* Milliseconds until srv_expire has work (-1: none); close what is overdue. */
int srv_timeout_ms(const struct srv *s);
void srv_expire(struct srv *s);

/* Close every connection and the listening socket. */
void srv_close(struct srv *s);

#endif
