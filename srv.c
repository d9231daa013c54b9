// SPDX-License-Identifier: GPL-2.0
/*
 * srv.c - the HTTP/1.1 server of `tcpinspect serve` (see srv.h).
 *
 * A connection reads into a fixed buffer, answers each complete request
 * head in order (pipelined requests too) into its output buffer, and
 * writes what it can; while an answer is unwritten it reads no further
 * requests.  Epoll data tells the server's fds from the caller's: the
 * listening socket is SRV_TAG, a connection its pointer; the caller's
 * own fds carry 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

#define SRV_TAG		1ull	/* epoll data of the listening socket */
#define ACCEPT_MAX	64	/* connections taken per readiness */
#define READ_MAX	16	/* reads per readiness, then others' turn */
#define OUT_PAUSE	(1u << 20)	/* unwritten bytes that stop parsing */

struct srv_conn {
	int fd;
	char peer[INET6_ADDRSTRLEN + 8];
	char in[HTTP_HEAD_MAX + SRV_BODY_MAX];
	size_t in_len;
	size_t skip;		/* body bytes still to read and drop */
	struct sbuf out;
	size_t out_off;		/* written so far */
	__u64 deadline;		/* CLOCK_MONOTONIC ns */
	__u64 head_start;	/* first byte of the request being read */
	int closing;		/* close once out is written */
	int draining;		/* written and shut down: reading to EOF */
	int want_out;		/* EPOLLOUT asked for */
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
	int fd, one = 1, v6 = 0, ret;

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
	return fd;
bad:
	snprintf(err, err_len, "bad listen address '%s': want ADDRESS:PORT, [IPV6]:PORT or PORT",
		 spec);
	return -EINVAL;
}

int srv_init(struct srv *s, int listen_fd, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SRV_TAG };

	s->listen_fd = listen_fd;
	s->epfd = epfd;
	if (!s->timeout_ms)
		s->timeout_ms = SRV_TIMEOUT_MS;
	if (getrandom(&s->rid_base, sizeof(s->rid_base), GRND_NONBLOCK) !=
	    sizeof(s->rid_base))
		s->rid_base = now_ns() ^ ((__u64)getpid() << 32);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev))
		return -errno;
	return 0;
}

int srv_owns(const struct epoll_event *ev)
{
	return ev->data.u64 != 0;
}

/* --- connections -------------------------------------------------------- */

static void conn_close(struct srv *s, struct srv_conn *c)
{
	int i;

	for (i = 0; i < s->conn_cnt; i++)
		if (s->conn[i] == c) {
			s->conn[i] = s->conn[--s->conn_cnt];
			break;
		}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	sb_free(&c->out);
	free(c);
}

static void conn_interest(struct srv *s, struct srv_conn *c, int want_out)
{
	struct epoll_event ev = {
		.events = want_out ? EPOLLOUT : EPOLLIN,
		.data.ptr = c,
	};

	if (want_out != c->want_out && !epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		c->want_out = want_out;
}

/* Write what is pending; 0, or -1 if c is closed or closing (and may
 * be freed): touch it no more. */
static int conn_flush(struct srv *s, struct srv_conn *c)
{
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!c->want_out)
				c->deadline = now_ns() + s->timeout_ms * 1000000ull;
			conn_interest(s, c, 1);
			return 0;
		}
		if (n <= 0) {
			conn_close(s, c);
			return -1;
		}
		c->out_off += n;
	}
	c->out.len = c->out_off = 0;
	if (c->closing) {
		/* A lingering close: closing with unread bytes would send
		 * an RST, and the client could lose the answer with it. */
		shutdown(c->fd, SHUT_WR);
		c->draining = 1;
		c->in_len = 0;
		c->deadline = now_ns() + 2000000000ull;
		conn_interest(s, c, 0);
		return -1;
	}
	conn_interest(s, c, 0);
	if (!c->in_len)
		c->deadline = now_ns() + s->timeout_ms * 1000000ull;
	return 0;
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

static void access_log(struct srv *s, struct srv_conn *c,
		       const struct http_req *r, const char *rid, int status,
		       size_t body_len)
{
	char line[1024], target[256], cid[128], ts[128], method[16], when[32];
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
	n = snprintf(line, sizeof(line),
		     "%s.%03ldZ %s \"%s %s\" %d %zu request_id=%s client_id=%s timestamp=%s\n",
		     when, t.tv_nsec / 1000000, c->peer, method, target, status,
		     body_len, rid, cid, ts);
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
	int head = r && r->method == HTTP_HEAD, status;

	if (resp->body.err) {	/* too big, or out of memory */
		sb_free(&resp->body);
		resp->status = 500;
		resp->type = NULL;
		sb_str(&resp->body, "{\"error\":\"the answer does not fit in memory\"}\n");
	}
	status = resp->status;
	/* After a request we could not read, or one we refused whole,
	 * the rest of the stream means nothing. */
	if (!r || !r->keep_alive || status == 408 || status == 413 ||
	    status >= 500)
		c->closing = 1;
	request_id(s, r, rid);
	sb_printf(&c->out,
		  "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nX-Request-ID: %s\r\nCache-Control: no-store\r\nConnection: %s\r\n",
		  status, http_reason(status), date_str(date, sizeof(date)),
		  resp->type ? resp->type : "application/json",
		  resp->body.len, rid, c->closing ? "close" : "keep-alive");
	if (resp->allow)
		sb_printf(&c->out, "Allow: %s\r\n", resp->allow);
	if (status == 401)
		sb_str(&c->out, "WWW-Authenticate: Bearer realm=\"tcpinspect\"\r\n");
	if (status == 503)
		sb_str(&c->out, "Retry-After: 1\r\n");
	sb_str(&c->out, "\r\n");
	if (!head)
		sb_put(&c->out, resp->body.p, resp->body.len);
	if (c->out.err)		/* could not even queue it: give up */
		c->closing = 1;
	s->requests++;
	if (status / 100 < 6)
		s->status_cnt[status / 100]++;
	access_log(s, c, r, rid, status, resp->body.len);
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

/* Answer the complete requests in c->in; 0, or -1 if c was closed. */
static int conn_serve(struct srv *s, struct srv_conn *c)
{
	struct http_req r;
	struct srv_resp resp;
	size_t used, n;
	int ret;

	while (c->in_len && !c->closing && !c->draining && c->out.len < OUT_PAUSE) {
		if (c->skip) {	/* the body of the last request */
			n = c->skip < c->in_len ? c->skip : c->in_len;
			c->skip -= n;
			used = n;
			goto drop;
		}
		memset(&resp, 0, sizeof(resp));
		ret = http_parse(&r, c->in, c->in_len);
		if (ret == 0)
			break;
		if (ret < 0) {
			srv_error(&resp, -ret, http_reason(-ret));
			respond(s, c, NULL, &resp);
			break;
		}
		used = ret;
		if (r.content_len > SRV_BODY_MAX) {
			srv_error(&resp, 413, "request bodies are not taken here");
			respond(s, c, &r, &resp);
			break;
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
drop:
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->head_start = c->in_len ? now_ns() : 0;
	}
	if (c->in_len && !c->head_start)
		c->head_start = now_ns();
	if (c->head_start)
		c->deadline = c->head_start + s->timeout_ms * 1000000ull;
	return conn_flush(s, c);
}

static void conn_read(struct srv *s, struct srv_conn *c)
{
	ssize_t n;
	int i;

	if (c->draining) {	/* the answer is out: drop what comes, up to EOF */
		for (i = 0; i < READ_MAX; i++) {
			n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n <= 0)
				break;
		}
		if (i < READ_MAX)
			conn_close(s, c);
		return;
	}
	for (i = 0; i < READ_MAX && c->in_len < sizeof(c->in); i++) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {	/* closed by the client, or broken */
			conn_close(s, c);
			return;
		}
		if (!c->in_len && !c->head_start)
			c->head_start = now_ns();
		c->in_len += n;
	}
	conn_serve(s, c);
}

/* Too many connections: say so without waiting, close. */
static void refuse(struct srv *s, int fd)
{
	static const char msg[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 56\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{\"error\":\"too many connections, try again\",\"status\":503}";

	_Static_assert(sizeof("{\"error\":\"too many connections, try again\",\"status\":503}") - 1 == 56,
		       "Content-Length");
	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* best effort */
	}
	close(fd);
	s->refused++;
}

static void srv_accept(struct srv *s)
{
	struct sockaddr_storage a;
	socklen_t alen;
	struct srv_conn *c;
	struct epoll_event ev = { .events = EPOLLIN };
	char host[INET6_ADDRSTRLEN];
	int i, fd, one = 1;

	for (i = 0; i < ACCEPT_MAX; i++) {
		alen = sizeof(a);
		fd = accept4(s->listen_fd, (struct sockaddr *)&a, &alen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a connection that went away */
		if (s->conn_cnt >= SRV_CONN_MAX || !(c = calloc(1, sizeof(*c)))) {
			refuse(s, fd);
			continue;
		}
		c->fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (a.ss_family == AF_INET6) {
			struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;

			inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
			snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host, ntohs(a6->sin6_port));
		} else {
			struct sockaddr_in *a4 = (struct sockaddr_in *)&a;

			inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
			snprintf(c->peer, sizeof(c->peer), "%s:%u", host, ntohs(a4->sin_port));
		}
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		c->deadline = now_ns() + s->timeout_ms * 1000000ull;
		s->conn[s->conn_cnt++] = c;
	}
}

void srv_event(struct srv *s, const struct epoll_event *ev)
{
	struct srv_conn *c = ev->data.ptr;

	if (ev->data.u64 == SRV_TAG) {
		srv_accept(s);
		return;
	}
	if (ev->events & EPOLLOUT) {
		if (conn_flush(s, c))
			return;
		if (!c->want_out)	/* written: go on with what was read */
			conn_serve(s, c);
		return;
	}
	if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(s, c);
}

int srv_timeout_ms(const struct srv *s)
{
	__u64 now = now_ns(), first = 0;
	int i;

	for (i = 0; i < s->conn_cnt; i++)
		if (!first || s->conn[i]->deadline < first)
			first = s->conn[i]->deadline;
	if (!first)
		return -1;
	return first <= now ? 0 : (first - now) / 1000000 + 1;
}

void srv_expire(struct srv *s)
{
	struct srv_resp resp;
	struct srv_conn *c;
	__u64 now = now_ns();
	int i;

	for (i = s->conn_cnt - 1; i >= 0; i--) {
		if (i >= s->conn_cnt)
			continue;
		c = s->conn[i];
		if (c->deadline > now)
			continue;
		if (c->in_len && !c->out.len && !c->draining) {	/* too slow: 408 */
			memset(&resp, 0, sizeof(resp));
			srv_error(&resp, 408, "the request took too long to arrive");
			c->closing = 1;
			respond(s, c, NULL, &resp);
			c->deadline = now + 1000000000ull;	/* 1 s to take it */
			conn_flush(s, c);	/* may free c */
		} else {
			conn_close(s, c);
		}
	}
}

void srv_close(struct srv *s)
{
	while (s->conn_cnt)
		conn_close(s, s->conn[0]);
	if (s->listen_fd >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL);
		close(s->listen_fd);
		s->listen_fd = -1;
	}
}
