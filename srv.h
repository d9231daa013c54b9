/* SPDX-License-Identifier: GPL-2.0 */
/*
 * srv.h - the HTTP/1.1 server of `tcpinspect serve`: a listening socket
 * and its connections in the caller's epoll set, requests parsed by
 * http.c and answered by the caller's route function.  Single-threaded,
 * non-blocking, every resource bounded:
 *
 * - SRV_CONN_MAX connections being read or answered.  Of these, the
 *   last SRV_SPARE only take a connection whose request head is complete
 *   when it is accepted (connections are accepted once data has come,
 *   TCP_DEFER_ACCEPT): clients that dribble their heads cannot lock the
 *   others out.  A full table first closes its longest-idle kept-alive
 *   connection; a connection that cannot be taken is told 503 with
 *   Retry-After, never reset.
 * - A request head must be complete within timeout_ms of the connection
 *   (or, for the next request on a kept-alive connection, of its first
 *   byte), else 408; a kept-alive connection idle for timeout_ms is
 *   closed; an answer must be taken by the client within timeout_ms of
 *   when it stopped taking it.
 * - Answers are closed gracefully (the write side shut, the rest read
 *   and dropped for up to SRV_LINGER_MS): up to SRV_LINGER_MAX such
 *   connections, not counted among the SRV_CONN_MAX.
 * - Memory: a connection's unwritten output stays under about
 *   SRV_OUT_MAX; a large answer is streamed (chunked, or for HTTP/1.0
 *   until the close) SRV_CHUNK bytes at a time as the client takes it;
 *   requests are not read meanwhile.  Bodies up to SRV_BODY_MAX are read
 *   and dropped (more: 413).
 * - Out of descriptors (EMFILE) it tells the next client 503 with a
 *   descriptor kept for that and stops accepting for SRV_PAUSE_MS.
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
#define SRV_SPARE	8		/* of those, for complete heads only */
#define SRV_LINGER_MAX	256
#define SRV_LINGER_MS	2000
#define SRV_PAUSE_MS	100
#define SRV_TIMEOUT_MS	10000		/* default timeout_ms */
#define SRV_BODY_MAX	4096
#define SRV_CHUNK	(16u << 10)	/* a streamed answer's part */
#define SRV_OUT_MAX	(64u << 10)	/* unwritten bytes that stop answering */
#define SRV_RESP_MAX	(4u << 20)	/* a bigger unstreamed answer is a 500 */
#define SRV_RID_MAX	128		/* X-Request-ID bytes we echo */
#define SRV_DATA_MIN	16		/* epoll data below this is the caller's */

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

/*
 * What a route answers: status, the body and its type.  A body too
 * large to build at once is streamed: body holds its start, more()
 * appends the next part of about SRV_CHUNK bytes and returns 1 while
 * more follows, 0 after the last; done() releases more_arg, always
 * once, also when the connection closes first or the request was HEAD.
 */
struct srv_resp {
	int status;
	const char *type;	/* Content-Type; NULL: application/json */
	const char *allow;	/* 405: the Allow header */
	struct sbuf body;
	int (*more)(void *arg, struct sbuf *b);
	void (*done)(void *arg);
	void *more_arg;
};

/* resp as an error: status and {"error":why,"status":status}. */
void srv_error(struct srv_resp *resp, int status, const char *why);

/* Fill resp for req (a GET or HEAD whose token was right). */
typedef void (*srv_route_fn)(void *arg, const struct http_req *req,
			     struct srv_resp *resp);

struct srv_conn;

/* A connection closing gracefully. */
struct srv_linger {
	int fd;
	__u64 deadline;
};

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
	struct srv_conn *closed;	/* freed by srv_expire */
	struct srv_linger linger[SRV_LINGER_MAX];
	int linger_cnt;
	int spare_fd;			/* kept for a 503 when out of fds */
	__u64 paused_until;		/* not accepting until then (EMFILE) */
	__u64 rid_base, rid_seq;	/* generated request ids */
	__u64 requests;			/* answered, all statuses */
	__u64 status_cnt[6];		/* by class: [2] 2xx ... [5] 5xx */
	__u64 refused;			/* connections told 503 */
	__u64 evicted;			/* idle kept-alive ones closed for room */
	__u64 fd_pauses;		/* accept paused for lack of fds */
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
 * carry data.u64 below SRV_DATA_MIN. */
int srv_owns(const struct epoll_event *ev);
void srv_event(struct srv *s, const struct epoll_event *ev);

/* Milliseconds until srv_expire has work (-1: none); do what is due.
 * Call srv_expire after each round of events (it frees what they closed). */
int srv_timeout_ms(const struct srv *s);
void srv_expire(struct srv *s);

/* Close every connection and the listening socket. */
void srv_close(struct srv *s);

#endif
