// SPDX-License-Identifier: GPL-2.0
/*
 * httpc - the HTTP clients the serve tests and benchmarks need and curl
 * is not: a request followed by shutdown(SHUT_WR), pipelining, many
 * short connections at once, slow clients, clients that never read.
 * Loopback (127.0.0.1) only; every wait is bounded.
 *
 *   httpc shut PORT REQUEST           send REQUEST (\r \n \\ escapes), shut
 *                                     down the sending side, print the answer
 *   httpc pipeline PORT N PATH        N GETs at once on one connection:
 *                                     answers=A ok=O secs=S
 *   httpc burst PORT CONC TOTAL PATH  TOTAL GETs with Connection: close, CONC
 *                                     at a time: done=D ok=O s503=N other=N
 *                                     errors=E secs=S rps=R p50_ms p99_ms max_ms
 *   httpc slow PORT CONC SECONDS MS   CONC connections sending a head one byte
 *                                     every MS ms for SECONDS, each dialling
 *                                     again MS ms after it was closed:
 *                                     connects=C s408=N s503=N other=N resets=N
 *   httpc hold PORT CONC PATH SECONDS CONC connections ask for PATH and never
 *                                     read, for SECONDS: connected=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define CONN_MAX	4096

static int port;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A socket to 127.0.0.1:port, connecting (non-blocking if nb); -1 on error. */
static int dial(int nb)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nb ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to ms for fd to be readable (or writable); 1 if it is. */
static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, ms) > 0;
}

/* Everything fd sends until EOF or `secs` passed, into a malloc'd buffer. */
static char *read_all(int fd, double secs, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	double end = now_s() + secs;
	ssize_t r;

	while (b && now_s() < end && wait_fd(fd, POLLIN, (end - now_s()) * 1000 + 1)) {
		if (n == cap)
			b = realloc(b, cap *= 2);
		r = b ? read(fd, b + n, cap - n) : -1;
		if (r <= 0)
			break;
		n += r;
	}
	*len = n;
	return b;
}

/* \r, \n and \\ in s replaced by what they stand for, in place. */
static size_t unescape(char *s)
{
	char *d = s, *p = s;

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*d++ = *p == 'r' ? '\r' : *p == 'n' ? '\n' : *p;
		} else {
			*d++ = *p;
		}
	}
	return d - s;
}

static int do_shut(char *req)
{
	size_t n = unescape(req), len;
	int fd = dial(0);
	char *ans;

	if (fd < 0 || write(fd, req, n) != (ssize_t)n)
		return 1;
	shutdown(fd, SHUT_WR);
	ans = read_all(fd, 5, &len);
	fwrite(ans, 1, len, stdout);
	return 0;
}

/*
 * The answers at the start of b[0..len): how many are complete (head and
 * body, by Content-Length or chunked), and how many of those are 200.
 */
static int count_answers(const char *b, size_t len, int *ok)
{
	size_t off = 0, body, clen;
	const char *end, *h, *cl;
	int n = 0;
	unsigned long sz;
	char *e;

	*ok = 0;
	while (off < len) {
		end = memmem(b + off, len - off, "\r\n\r\n", 4);
		if (!end)
			break;
		h = b + off;
		body = end + 4 - b;
		cl = memmem(h, end - h, "Content-Length: ", 16);
		if (cl) {
			clen = strtoul(cl + 16, NULL, 10);
			if (body + clen > len)
				break;
			off = body + clen;
		} else if (memmem(h, end - h, "chunked", 7)) {
			off = body;
			for (;;) {	/* size CRLF data CRLF ... 0 CRLF CRLF */
				if (off >= len)
					return n;
				sz = strtoul(b + off, &e, 16);
				if (e == b + off || (size_t)(e - b) + 2 > len)
					return n;
				off = e - b + 2;
				if (!sz) {
					off += 2;
					break;
				}
				off += sz + 2;
			}
			if (off > len)
				break;
		} else {
			break;
		}
		*ok += !strncmp(h, "HTTP/1.1 200", 12);
		n++;
	}
	return n;
}

static int do_pipeline(int cnt, const char *path)
{
	size_t qlen = strlen(path) + 64, len = 0, cap = 1 << 20, sent = 0;
	char *q = malloc(qlen * cnt), *b = malloc(cap);
	double t0 = now_s(), end = t0 + 20;
	int fd = dial(0), i, ok = 0, answers = 0;
	struct pollfd p;
	ssize_t r;

	if (fd < 0 || !q || !b)
		return 1;
	for (i = 0; i < cnt; i++)
		sent += sprintf(q + sent, "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n", path,
				i == cnt - 1 ? "Connection: close\r\n" : "");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	qlen = sent;
	sent = 0;
	while (answers < cnt && now_s() < end) {
		p.fd = fd;
		p.events = POLLIN | (sent < qlen ? POLLOUT : 0);
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			r = write(fd, q + sent, qlen - sent);
			if (r > 0)
				sent += r;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (len == cap)
				b = realloc(b, cap *= 2);
			r = read(fd, b + len, cap - len);
			if (r <= 0)
				break;
			len += r;
			answers = count_answers(b, len, &ok);
		}
	}
	printf("answers=%d ok=%d secs=%.3f\n", answers, ok, now_s() - t0);
	return 0;
}

struct burst_conn {
	int fd;
	size_t sent;
	double t0;
	char head[16];
	size_t got;
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int do_burst(int conc, int total, const char *path)
{
	static struct burst_conn c[CONN_MAX];
	static struct pollfd p[CONN_MAX];
	char req[512], buf[65536];
	double *lat = calloc(total, sizeof(double)), t0 = now_s(), end = t0 + 120;
	int started = 0, done = 0, ok = 0, s503 = 0, other = 0, errs = 0, i, act;
	size_t qlen;
	ssize_t r;

	if (conc > CONN_MAX || !lat)
		return 1;
	qlen = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", path);
	for (i = 0; i < conc; i++)
		c[i].fd = -1;
	while (done < total && now_s() < end) {
		for (i = 0, act = 0; i < conc; i++) {
			if (c[i].fd < 0 && started < total) {
				memset(&c[i], 0, sizeof(c[i]));
				c[i].fd = dial(1);
				c[i].t0 = now_s();
				started++;
				if (c[i].fd < 0) {
					errs++;
					done++;
					continue;
				}
			}
			p[i].fd = c[i].fd;
			p[i].events = c[i].fd < 0 ? 0 : c[i].sent < qlen ? POLLOUT : POLLIN;
			act += c[i].fd >= 0;
		}
		if (!act)
			continue;
		if (poll(p, conc, 200) <= 0)
			continue;
		for (i = 0; i < conc; i++) {
			if (c[i].fd < 0 || !p[i].revents)
				continue;
			if (c[i].sent < qlen) {
				r = write(c[i].fd, req + c[i].sent, qlen - c[i].sent);
				if (r > 0) {
					c[i].sent += r;
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					continue;
				r = -1;
			} else {
				r = read(c[i].fd, buf, sizeof(buf));
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r > 0) {
					if (c[i].got < sizeof(c[i].head))
						memcpy(c[i].head + c[i].got, buf,
						       r < (ssize_t)(sizeof(c[i].head) - c[i].got) ?
						       (size_t)r : sizeof(c[i].head) - c[i].got);
					c[i].got += r;
					continue;
				}
			}
			/* the end of this one: EOF, or an error */
			if (r == 0 && c[i].got >= 12 && !strncmp(c[i].head, "HTTP/1.1 200", 12)) {
				lat[ok++] = now_s() - c[i].t0;
			} else if (r == 0 && c[i].got >= 12 && !strncmp(c[i].head, "HTTP/1.1 503", 12)) {
				s503++;
			} else if (r == 0 && c[i].got >= 12) {
				other++;
			} else {
				errs++;
			}
			close(c[i].fd);
			c[i].fd = -1;
			done++;
		}
	}
	qsort(lat, ok, sizeof(*lat), cmp_d);
	printf("done=%d ok=%d s503=%d other=%d errors=%d secs=%.3f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
	       done, ok, s503, other, errs, now_s() - t0, done / (now_s() - t0),
	       ok ? lat[ok / 2] * 1e3 : 0, ok ? lat[(ok * 99) / 100] * 1e3 : 0,
	       ok ? lat[ok - 1] * 1e3 : 0);
	return 0;
}

static int do_slow(int conc, double secs, int ms)
{
	static int fd[CONN_MAX];
	static double retry[CONN_MAX];	/* a closed one dials again then */
	static const char head[] = "GET /stats HTTP/1.1\r\nHost: t\r\nX-Slow: ";
	static struct pollfd p[CONN_MAX];
	double end = now_s() + secs, next = 0;
	long connects = 0, s408 = 0, s503 = 0, other = 0, resets = 0;
	char buf[4096];
	ssize_t r;
	int i;

	if (conc > CONN_MAX)
		return 1;
	for (i = 0; i < conc; i++)
		fd[i] = -1;
	while (now_s() < end) {
		for (i = 0; i < conc; i++) {
			if (fd[i] >= 0 || now_s() < retry[i])
				continue;
			fd[i] = dial(0);
			connects++;
			if (fd[i] >= 0 && write(fd[i], head, sizeof(head) - 1) < 0) {
				close(fd[i]);
				fd[i] = -1;
			}
		}
		if (now_s() >= next) {	/* one more byte each */
			for (i = 0; i < conc; i++)
				if (fd[i] >= 0 && send(fd[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
				    errno != EAGAIN) {
					close(fd[i]);
					fd[i] = -1;
					resets++;
				}
			next = now_s() + ms / 1000.0;
		}
		for (i = 0; i < conc; i++) {
			p[i].fd = fd[i];
			p[i].events = POLLIN;
		}
		if (poll(p, conc, 50) <= 0)
			continue;
		for (i = 0; i < conc; i++) {
			if (fd[i] < 0 || !p[i].revents)
				continue;
			r = recv(fd[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r >= 12 && !strncmp(buf, "HTTP/1.1 408", 12))
				s408++;
			else if (r >= 12 && !strncmp(buf, "HTTP/1.1 503", 12))
				s503++;
			else if (r > 0)
				other++;
			else
				resets++;
			close(fd[i]);
			fd[i] = -1;
			retry[i] = now_s() + ms / 1000.0;	/* as a slow client would */
		}
	}
	printf("connects=%ld s408=%ld s503=%ld other=%ld resets=%ld\n", connects,
	       s408, s503, other, resets);
	return 0;
}

static int do_hold(int conc, const char *path, double secs)
{
	char req[512];
	int i, n = 0, fd, len;

	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	for (i = 0; i < conc; i++) {
		fd = dial(0);
		if (fd < 0)
			continue;
		/* a receive buffer as small as it gets: the server must hold the rest */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 1 }, sizeof(int));
		if (write(fd, req, len) == len)
			n++;
	}
	printf("connected=%d\n", n);
	fflush(stdout);
	usleep(secs * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		goto usage;
	port = atoi(argv[2]);
	if (!strcmp(argv[1], "shut") && argc == 4)
		return do_shut(argv[3]);
	if (!strcmp(argv[1], "pipeline") && argc == 5)
		return do_pipeline(atoi(argv[3]), argv[4]);
	if (!strcmp(argv[1], "burst") && argc == 6)
		return do_burst(atoi(argv[3]), atoi(argv[4]), argv[5]);
	if (!strcmp(argv[1], "slow") && argc == 6)
		return do_slow(atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "hold") && argc == 6)
		return do_hold(atoi(argv[3]), argv[4], atof(argv[5]));
usage:
	fprintf(stderr, "usage: httpc shut|pipeline|burst|slow|hold PORT ... (see the source)\n");
	return 2;
}
