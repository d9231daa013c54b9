// SPDX-License-Identifier: GPL-2.0
/*
 * srv.c - the HTTP/1.1 server of `tcpinspect serve` (see srv.h).
 *
 * A connection reads into a fixed buffer and answers each complete
 * request head in order (pipelined requests too) into its output
 * buffer, while that holds less than SRV_OUT_MAX unwritten bytes and no
 * answer is being streamed; conn_pump() makes whatever progress can be
 * made (answer, produce the next part of a stream, write) until the
 * socket is full or nothing is left to do, so that requests already
 * read are answered without waiting for another event.  It reads no
 * more requests while an answer is unwritten: the client's own sending
 * is what waits.
 *
 * States of a connection: reading a head (new, or with part of one);
 * idle (kept alive after an answer, nothing read since); answering
 * (output unwritten or a stream on).  A finished one moves to the
 * linger list: only its fd and a deadline, reading to end of file.
 *
 * Epoll data tells the server's fds from the caller's: the listening
 * socket is SRV_TAG_LISTEN, a lingering fd LINGER_BIT | fd, a
 * connection its pointer; the caller's own fds carry less than
 * SRV_DATA_MIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "srv.h"

#define SRV_TAG_LISTEN	SRV_DATA_MIN	/* epoll data of the listening socket */
#define LINGER_BIT	(1ull << 63)	/* above any pointer, 32 or 64 bits */
#define ACCEPT_MAX	64	/* connections taken per readiness */
#define READ_MAX	16	/* reads per readiness, then others' turn */
#define MS		1000000ull

struct srv_conn {
	int fd;
	char peer[INET6_ADDRSTRLEN + 8];
	char in[HTTP_HEAD_MAX + SRV_BODY_MAX];
	size_t in_len;
	size_t skip;		/* body bytes still to read and drop */
	struct sbuf out;
	size_t out_off;		/* written so far */
	__u64 sent, sent_mark;	/* bytes written in all; when the deadline was set */
	__u64 deadline;		/* CLOCK_MONOTONIC ns */
	__u64 head_start;	/* the head being read: since when */
	__u64 idle_since;	/* answered all, read nothing since */
	unsigned long served;	/* requests answered */
	int closing;		/* close once out is written (and any stream) */
	int eof;		/* the client shut down its sending side */
	__u32 events;		/* what epoll watches for it now */
	/* the answer being streamed (srv_resp's) */
	int (*more)(void *arg, struct sbuf *b);
	void (*done)(void *arg);
	void *more_arg;
	int chunked;		/* as HTTP/1.1 chunks; else until the close */
	struct srv_conn *next;	/* closed: on the list freed by srv_expire */
};

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* --- growing buffers ---------------------------------------------------- */

static int sb_room(struct sbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	if (b->len + n > SRV_RESP_MAX) {
		b->err = -E2BIG;
		return -1;
	}
	for (cap = b->cap ? b->cap : 4096; cap < b->len + n; cap *= 2)
		;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void sb_put(struct sbuf *b, const void *s, size_t n)
{
	if (!sb_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sb_room(b, n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* --- the listening socket ----------------------------------------------- */

int srv_listen(const char *spec, int *loopback, char *err, size_t err_len)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *port = spec, *colon = strrchr(spec, ':');
	unsigned long p;
	char *end;
	int fd, one = 1, v6 = 0, ret, defer = SRV_TIMEOUT_MS / 1000;

	if (colon) {
		size_t n = colon - spec;

		if (n && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
			v6 = 1;
		}
		if (!n || n >= sizeof(host))
			goto bad;
		memcpy(host, spec, n);
		host[n] = 0;
		port = colon + 1;
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || !p || p > 65535)
		goto bad;
	if (!v6 && inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
		a4.sin_port = htons(p);
		*loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(p);
		v6 = 1;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
	} else {
		goto bad;
	}
	fd = socket(v6 ? AF_INET6 : AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot make a socket: %s", strerror(-ret));
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if ((v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		  bind(fd, (struct sockaddr *)&a4, sizeof(a4))) ||
	    listen(fd, 4 * SRV_CONN_MAX)) {
		ret = -errno;
		snprintf(err, err_len, "cannot listen on %s%s%s:%lu: %s",
			 v6 ? "[" : "", host, v6 ? "]" : "", p, strerror(-ret));
		close(fd);
		return ret;
	}
	/* Handed over once the first data has come: a client's head is
	 * there to look at, and one that never sends takes no slot. */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
	return fd;
bad:
	snprintf(err, err_len, "bad listen address '%s': want ADDRESS:PORT, [IPV6]:PORT or PORT",
		 spec);
	return -EINVAL;
}


int srv_init(struct srv *s, int listen_fd, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SRV_TAG_LISTEN };

	s->listen_fd = listen_fd;
	s->epfd = epfd;
	if (!s->timeout_ms)
		s->timeout_ms = SRV_TIMEOUT_MS;
	if (getrandom(&s->rid_base, sizeof(s->rid_base), GRND_NONBLOCK) !=
	    sizeof(s->rid_base))
		s->rid_base = now_ns() ^ ((__u64)getpid() << 32);
	/* For a 503 when every other descriptor is taken. */
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev))
		return -errno;
	return 0;
}

int srv_owns(const struct epoll_event *ev)
{
	return ev->data.u64 >= SRV_DATA_MIN;
}

/* --- lingering closes ----------------------------------------------------- */

/*
 * Close fd gracefully: the answer is written, our side shut; read and
 * drop what the client still sends until it closes too, so that our
 * close does not reset the connection (and the client lose the answer).
 */
static void linger_add(struct srv *s, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = LINGER_BIT | fd };
	struct srv_linger *l;
	int i, old = 0;

	shutdown(fd, SHUT_WR);
	if (s->linger_cnt == SRV_LINGER_MAX) {	/* make room: the oldest goes */
		for (i = 1; i < s->linger_cnt; i++)
			if (s->linger[i].deadline < s->linger[old].deadline)
				old = i;
		close(s->linger[old].fd);
		s->linger[old] = s->linger[--s->linger_cnt];
	}
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return;
	}
	l = &s->linger[s->linger_cnt++];
	l->fd = fd;
	l->deadline = now_ns() + SRV_LINGER_MS * MS;
}

static void linger_close(struct srv *s, int i)
{
	close(s->linger[i].fd);	/* (leaves the epoll set with it) */
	s->linger[i] = s->linger[--s->linger_cnt];
}

static void linger_read(struct srv *s, int fd)
{
	char buf[4096];
	ssize_t n;
	int i, k;

	for (i = 0; i < s->linger_cnt && s->linger[i].fd != fd; i++)
		;
	if (i == s->linger_cnt)
		return;
	for (k = 0; k < READ_MAX; k++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;	/* the client closed too, or reset */
	}
	if (k < READ_MAX)
		linger_close(s, i);
}

/* --- connections -------------------------------------------------------- */

static size_t unwritten(const struct srv_conn *c)
{
	return c->out.len - c->out_off;
}

/* Reading a head: a new connection, or one with part of a head. */
static int reading_head(const struct srv_conn *c)
{
	return !unwritten(c) && !c->more && !c->closing &&
	       (!c->served || c->in_len);
}

static int is_idle(const struct srv_conn *c)
{
	return !unwritten(c) && !c->more && !c->closing && c->served &&
	       !c->in_len && !c->skip;
}

static void conn_unlink(struct srv *s, struct srv_conn *c)
{
	int i;

	for (i = 0; i < s->conn_cnt; i++)
		if (s->conn[i] == c) {
			s->conn[i] = s->conn[--s->conn_cnt];
			break;
		}
	if (c->done)
		c->done(c->more_arg);
	c->done = NULL;
	sb_free(&c->out);
	/* Freed after this round of events: one of them may still name it. */
	c->fd = -1;
	c->next = s->closed;
	s->closed = c;
}

static void free_closed(struct srv *s)
{
	struct srv_conn *c;

	while ((c = s->closed)) {
		s->closed = c->next;
		free(c);
	}
}

/* Close now: the client is gone, or broke the protocol mid-answer. */
static void conn_close(struct srv *s, struct srv_conn *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conn_unlink(s, c);
}

/* Everything is written: close gracefully. */
static void conn_end(struct srv *s, struct srv_conn *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->eof)
		close(c->fd);	/* all read, nothing more can come */
	else
		linger_add(s, c->fd);
	conn_unlink(s, c);
}

static void conn_watch(struct srv *s, struct srv_conn *c, __u32 events)
{
	/* (all 64 bits set, also where a pointer has 32: see LINGER_BIT) */
	struct epoll_event ev = { .events = events, .data.u64 = (uintptr_t)c };

	if (events != c->events && !epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		c->events = events;
}

/* A header value fit for the log: printable, no spaces or quotes, cut. */
static void log_val(char *d, size_t room, const struct http_str *v)
{
	size_t i, n = v->len < room - 1 ? v->len : room - 1;

	if (!v->len) {
		snprintf(d, room, "-");
		return;
	}
	for (i = 0; i < n; i++)
		d[i] = v->p[i] > ' ' && v->p[i] < 0x7f && v->p[i] != '"' ?
		       v->p[i] : '?';
	d[n] = 0;
}

/* The client's X-Request-ID if it is sane, else one of ours, into rid. */
static void request_id(struct srv *s, const struct http_req *r, char *rid)
{
	size_t i;

	for (i = 0; r && i < r->request_id.len && i < SRV_RID_MAX; i++) {
		char ch = r->request_id.p[i];

		if (ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '\\')
			break;
	}
	if (r && r->request_id.len && i == r->request_id.len) {
		memcpy(rid, r->request_id.p, i);
		rid[i] = 0;
		return;
	}
	snprintf(rid, SRV_RID_MAX + 1, "%016llx",
		 (unsigned long long)(s->rid_base + ++s->rid_seq * 0x9e3779b97f4a7c15ull));
}

/* One line per answer; the body's length, or - for a streamed one. */
static void access_log(struct srv *s, struct srv_conn *c,
		       const struct http_req *r, const char *rid, int status,
		       size_t body_len, int stream)
{
	char line[1024], target[256], cid[128], ts[128], method[16], when[32],
	     len[24];
	struct http_str none = { 0 };
	struct timespec t;
	struct tm tm;
	int n;

	if (s->log_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	log_val(method, sizeof(method), r ? &r->method_str : &none);
	log_val(target, sizeof(target), r ? &r->target : &none);
	log_val(cid, sizeof(cid), r ? &r->client_id : &none);
	log_val(ts, sizeof(ts), r ? &r->timestamp : &none);
	snprintf(len, sizeof(len), stream ? "-" : "%zu", body_len);
	n = snprintf(line, sizeof(line),
		     "%s.%03ldZ %s \"%s %s\" %d %s request_id=%s client_id=%s timestamp=%s\n",
		     when, t.tv_nsec / 1000000, c->peer, method, target, status,
		     len, rid, cid, ts);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (write(s->log_fd, line, n) < 0) {
		/* a full disk must not stop the answers */
	}
}

static const char *date_str(char *d, size_t room)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(d, room, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return d;
}


/* Queue the answer to r (NULL: a request we could not parse). */
static void respond(struct srv *s, struct srv_conn *c, const struct http_req *r,
		    struct srv_resp *resp)
{
	char rid[SRV_RID_MAX + 1], date[64];
	int head = r && r->method == HTTP_HEAD, status, stream;

	if (resp->body.err) {	/* too big, or out of memory */
		if (resp->done)
			resp->done(resp->more_arg);
		resp->more = NULL;
		resp->done = NULL;
		sb_free(&resp->body);
		resp->status = 500;
		resp->type = NULL;
		sb_str(&resp->body, "{\"error\":\"the answer does not fit in memory\"}\n");
	}
	status = resp->status;
	stream = resp->more != NULL;
	/* After a request we could not read, or one we refused whole,
	 * the rest of the stream means nothing; HTTP/1.0 learns where a
	 * streamed body ends from the close. */
	if (!r || !r->keep_alive || status == 408 || status == 413 ||
	    status >= 500 || (stream && r->version < 11 && !head))
		c->closing = 1;
	request_id(s, r, rid);
	sb_printf(&c->out,
		  "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nX-Request-ID: %s\r\nCache-Control: no-store\r\nConnection: %s\r\n",
		  status, http_reason(status), date_str(date, sizeof(date)),
		  resp->type ? resp->type : "application/json", rid,
		  c->closing ? "close" : "keep-alive");
	if (!stream)
		sb_printf(&c->out, "Content-Length: %zu\r\n", resp->body.len);
	else if (r->version >= 11)
		sb_str(&c->out, "Transfer-Encoding: chunked\r\n");
	if (resp->allow)
		sb_printf(&c->out, "Allow: %s\r\n", resp->allow);
	if (status == 401)
		sb_str(&c->out, "WWW-Authenticate: Bearer realm=\"tcpinspect\"\r\n");
	if (status == 503)
		sb_str(&c->out, "Retry-After: 1\r\n");
	sb_str(&c->out, "\r\n");
	if (stream && !head) {
		c->chunked = r->version >= 11;
		if (c->chunked && resp->body.len)
			sb_printf(&c->out, "%zx\r\n", resp->body.len);
		sb_put(&c->out, resp->body.p, resp->body.len);
		if (c->chunked && resp->body.len)
			sb_str(&c->out, "\r\n");
		c->more = resp->more;
		c->done = resp->done;
		c->more_arg = resp->more_arg;
	} else {
		if (!head)
			sb_put(&c->out, resp->body.p, resp->body.len);
		if (resp->done)
			resp->done(resp->more_arg);
	}
	if (c->out.err)		/* could not even queue it: give up */
		c->closing = 1;
	s->requests++;
	if (status / 100 < 6)
		s->status_cnt[status / 100]++;
	access_log(s, c, r, rid, status, resp->body.len, stream);
	sb_free(&resp->body);
}

void srv_error(struct srv_resp *resp, int status, const char *why)
{
	resp->status = status;
	sb_printf(&resp->body, "{\"error\":\"%s\",\"status\":%d}\n", why, status);
}

/* Whether r carries the right bearer token (compared in constant time). */
static int authorized(const struct srv *s, const struct http_req *r)
{
	const struct http_str *a = &r->authorization;
	unsigned char d = 0;
	size_t i, n;

	if (!s->token)
		return 1;
	n = strlen(s->token);
	if (a->len != n + 7 || strncasecmp(a->p, "Bearer ", 7))
		return 0;
	for (i = 0; i < n; i++)
		d |= a->p[7 + i] ^ s->token[i];
	return !d;
}


/*
 * Answer the next complete request in c->in (or drop the next bytes of
 * a body): 1 if it did, 0 if more must be read first.
 */
static int conn_answer(struct srv *s, struct srv_conn *c)
{
	struct http_req r;
	struct srv_resp resp;
	size_t used;
	int ret;

	if (!c->in_len)
		return 0;
	if (c->skip) {	/* the body of the last request */
		used = c->skip < c->in_len ? c->skip : c->in_len;
		c->skip -= used;
		goto drop;
	}
	memset(&resp, 0, sizeof(resp));
	ret = http_parse(&r, c->in, c->in_len);
	if (ret == 0)
		return 0;
	if (ret < 0) {
		srv_error(&resp, -ret, http_reason(-ret));
		respond(s, c, NULL, &resp);
		return 1;
	}
	used = ret;
	if (r.content_len > SRV_BODY_MAX) {
		srv_error(&resp, 413, "request bodies are not taken here");
		respond(s, c, &r, &resp);
		return 1;
	}
	c->skip = r.content_len;
	if (s->token && !authorized(s, &r))
		srv_error(&resp, 401, "a bearer token is needed (Authorization: Bearer ...)");
	else if (r.method == HTTP_OTHER) {
		srv_error(&resp, 405, "only GET and HEAD");
		resp.allow = "GET, HEAD";
	} else
		s->route(s->route_arg, &r, &resp);
	respond(s, c, &r, &resp);
	c->served++;
drop:
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->head_start = c->in_len ? now_ns() : 0;
	return 1;
}

/* The next part of a streamed answer, framed as a chunk (HTTP/1.1). */
static void conn_more(struct srv_conn *c)
{
	struct sbuf part = { 0 };
	int more;

	if (c->out_off) {	/* keep the buffer short: what is written goes */
		memmove(c->out.p, c->out.p + c->out_off, unwritten(c));
		c->out.len -= c->out_off;
		c->out_off = 0;
	}
	more = c->more(c->more_arg, &part);
	if (part.len && !part.err) {
		if (c->chunked)
			sb_printf(&c->out, "%zx\r\n", part.len);
		sb_put(&c->out, part.p, part.len);
		if (c->chunked)
			sb_str(&c->out, "\r\n");
	}
	if (!more || part.err || c->out.err) {
		/* the end; one that could not be made leaves a cut answer,
		 * which the close tells the client of */
		if (c->chunked && !part.err && !c->out.err)
			sb_str(&c->out, "0\r\n\r\n");
		else if (part.err || c->out.err)
			c->closing = 1;
		c->done(c->more_arg);
		c->more = NULL;
		c->done = NULL;
	}
	sb_free(&part);
}

/* Write what is pending: 1 all of it, 0 the socket is full, -1 the
 * client is gone (c closed). */
static int conn_write(struct srv *s, struct srv_conn *c)
{
	ssize_t n;

	while (unwritten(c)) {
		n = send(c->fd, c->out.p + c->out_off, unwritten(c),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			conn_close(s, c);
			return -1;
		}
		c->out_off += n;
		c->sent += n;
	}
	c->out.len = c->out_off = 0;
	if (c->out.cap > SRV_OUT_MAX)	/* a large answer's room goes */
		sb_free(&c->out);
	return 1;
}

/*
 * Make what progress c allows: answer what was read, stream, write,
 * until the socket is full or there is nothing left to do; then watch
 * for what comes next and set the deadline.  0, or -1 if c is gone.
 */
static int conn_pump(struct srv *s, struct srv_conn *c)
{
	__u64 now;
	int progress, ret;

	do {
		progress = 0;
		while (!c->more && !c->closing && unwritten(c) < SRV_OUT_MAX &&
		       conn_answer(s, c))
			progress = 1;
		if (c->more && unwritten(c) < SRV_CHUNK) {
			conn_more(c);
			progress = 1;
		}
		ret = conn_write(s, c);
		if (ret < 0)
			return -1;
	} while (ret && progress);
	now = now_ns();
	if (!ret) {
		/* The client is not taking it: it has timeout_ms for every
		 * SRV_CHUNK bytes, not for the whole of a large answer. */
		if (!(c->events & EPOLLOUT) || c->sent - c->sent_mark >= SRV_CHUNK) {
			c->deadline = now + s->timeout_ms * MS;
			c->sent_mark = c->sent;
		}
		conn_watch(s, c, EPOLLOUT);
		return 0;
	}
	if (c->closing || c->eof) {
		conn_end(s, c);
		return -1;
	}
	conn_watch(s, c, EPOLLIN);
	if (c->in_len && !c->head_start)
		c->head_start = now;
	if (c->in_len || !c->served) {
		c->deadline = c->head_start + s->timeout_ms * MS;
	} else {
		if (!c->idle_since)
			c->idle_since = now;
		c->deadline = c->idle_since + s->timeout_ms * MS;
	}
	return 0;
}

/* Read what has come; 0, or -1 if c was closed. */
static int conn_read(struct srv *s, struct srv_conn *c)
{
	ssize_t n;
	int i;

	for (i = 0; i < READ_MAX && c->in_len < sizeof(c->in); i++) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {	/* reset */
			conn_close(s, c);
			return -1;
		}
		if (n == 0) {	/* shut down: answer what came, then close */
			c->eof = 1;
			break;
		}
		if (!c->in_len && c->served)
			c->head_start = now_ns();
		c->in_len += n;
		c->idle_since = 0;
	}
	return conn_pump(s, c);
}

/* A connection we cannot take: 503 and a graceful close. */
static void refuse(struct srv *s, int fd)
{
	static const char msg[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 56\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{\"error\":\"too many connections, try again\",\"status\":503}";

	_Static_assert(sizeof("{\"error\":\"too many connections, try again\",\"status\":503}") - 1 == 56,
		       "Content-Length");
	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* best effort */
	}
	linger_add(s, fd);
	s->refused++;
}

/* Room in a full table: close the connection idle the longest. */
static int evict_idle(struct srv *s)
{
	struct srv_conn *c, *old = NULL;
	int i;

	for (i = 0; i < s->conn_cnt; i++) {
		c = s->conn[i];
		if (is_idle(c) && (!old || c->idle_since < old->idle_since))
			old = c;
	}
	if (!old)
		return 0;
	conn_end(s, old);
	s->evicted++;
	return 1;
}

static int heads_read(const struct srv *s)
{
	int i, n = 0;

	for (i = 0; i < s->conn_cnt; i++)
		n += reading_head(s->conn[i]);
	return n;
}

/*
 * Out of descriptors: the pending connection would wake us again at
 * once, for ever.  Take it with the descriptor kept for this, tell it
 * 503, and stop accepting for a moment.
 */
static void fd_shortage(struct srv *s)
{
	struct epoll_event ev = { .events = 0, .data.u64 = SRV_TAG_LISTEN };
	int fd;

	if (s->spare_fd >= 0) {
		close(s->spare_fd);
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			refuse(s, fd);
			/* no descriptor to linger with: the list takes it,
			 * and the spare comes back when one is free */
		}
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev);
	s->paused_until = now_ns() + SRV_PAUSE_MS * MS;
	s->fd_pauses++;
}

static void peer_name(char *d, size_t room, const struct sockaddr_storage *a)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;

		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		snprintf(d, room, "[%s]:%u", host, ntohs(a6->sin6_port));
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;

		inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
		snprintf(d, room, "%s:%u", host, ntohs(a4->sin_port));
	}
}

static void srv_accept(struct srv *s)
{
	struct sockaddr_storage a;
	struct epoll_event ev = { .events = EPOLLIN };
	struct srv_conn *c;
	socklen_t alen;
	int i, fd, one = 1, spare;

	for (i = 0; i < ACCEPT_MAX; i++) {
		alen = sizeof(a);
		fd = accept4(s->listen_fd, (struct sockaddr *)&a, &alen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				fd_shortage(s);
			return;	/* EAGAIN, or a connection that went away */
		}
		if ((s->conn_cnt == SRV_CONN_MAX && !evict_idle(s)) ||
		    !(c = calloc(1, sizeof(*c)))) {
			refuse(s, fd);
			continue;
		}
		c->fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		peer_name(c->peer, sizeof(c->peer), &a);
		ev.data.u64 = (uintptr_t)c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		c->events = EPOLLIN;
		c->head_start = now_ns();
		c->deadline = c->head_start + s->timeout_ms * MS;
		/* past the slots for heads still coming, only one that has come */
		spare = heads_read(s) >= SRV_CONN_MAX - SRV_SPARE;
		s->conn[s->conn_cnt++] = c;
		if (conn_read(s, c) || !spare || !reading_head(c))
			continue;
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		fd = c->fd;
		conn_unlink(s, c);
		refuse(s, fd);
	}
}

void srv_event(struct srv *s, const struct epoll_event *ev)
{
	struct srv_conn *c = (struct srv_conn *)(uintptr_t)ev->data.u64;

	if (ev->data.u64 == SRV_TAG_LISTEN) {
		srv_accept(s);
		return;
	}
	if (ev->data.u64 & LINGER_BIT) {
		linger_read(s, (int)(ev->data.u64 & ~LINGER_BIT));
		return;
	}
	if (c->fd < 0)
		return;	/* closed earlier in this round */
	if (ev->events & EPOLLOUT)
		conn_pump(s, c);
	else if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(s, c);
}

int srv_timeout_ms(const struct srv *s)
{
	__u64 now = now_ns(), first = s->paused_until;
	int i;

	for (i = 0; i < s->conn_cnt; i++)
		if (!first || s->conn[i]->deadline < first)
			first = s->conn[i]->deadline;
	for (i = 0; i < s->linger_cnt; i++)
		if (!first || s->linger[i].deadline < first)
			first = s->linger[i].deadline;
	if (!first)
		return -1;
	return first <= now ? 0 : (first - now) / MS + 1;
}

void srv_expire(struct srv *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SRV_TAG_LISTEN };
	struct srv_resp resp;
	struct srv_conn *c;
	__u64 now = now_ns();
	int i;

	free_closed(s);
	if (s->paused_until && s->paused_until <= now) {
		s->paused_until = 0;
		epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev);
	}
	if (s->spare_fd < 0)
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = s->linger_cnt - 1; i >= 0; i--)
		if (s->linger[i].deadline <= now)
			linger_close(s, i);
	for (i = s->conn_cnt - 1; i >= 0; i--) {
		if (i >= s->conn_cnt)
			continue;
		c = s->conn[i];
		if (c->deadline > now)
			continue;
		if (reading_head(c) && c->in_len) {	/* too slow: 408 */
			memset(&resp, 0, sizeof(resp));
			srv_error(&resp, 408, "the request took too long to arrive");
			c->in_len = 0;
			respond(s, c, NULL, &resp);
			if (!conn_pump(s, c) && c->deadline <= now)
				c->deadline = now + 1000 * MS;	/* 1 s to take it */
		} else {
			conn_close(s, c);	/* idle, silent, or not reading */
		}
	}
}

void srv_close(struct srv *s)
{
	while (s->conn_cnt)
		conn_close(s, s->conn[0]);
	while (s->linger_cnt)
		linger_close(s, 0);
	if (s->listen_fd >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
		close(s->listen_fd);
		s->listen_fd = -1;
	}
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	s->spare_fd = -1;
	free_closed(s);
}
