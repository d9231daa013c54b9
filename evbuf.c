// SPDX-License-Identifier: GPL-2.0
/*
 * evbuf.c - ring buffer or perf buffers behind one interface (evbuf.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include "evbuf.h"

int evb_open_ring(struct evbuf *b, int map_fd, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->pb.epfd = -1;
	return rb_open(&b->rb, map_fd, len);
}

int evb_open_perf(struct evbuf *b, int map_fd, int cpu_cnt, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->rb.epfd = -1;
	b->perf = 1;
	return pb_open(&b->pb, map_fd, cpu_cnt, len);
}

void evb_close(struct evbuf *b)
{
	if (b->perf)
		pb_close(&b->pb);
	else
		rb_close(&b->rb);
}

long evb_consume(struct evbuf *b, rb_fn fn, void *arg, int *stopped)
{
	return b->perf ? pb_consume(&b->pb, fn, arg, stopped) :
			 rb_consume(&b->rb, fn, arg, stopped);
}

long evb_poll(struct evbuf *b, int timeout_ms, const sigset_t *sigmask,
	      rb_fn fn, void *arg, int *stopped)
{
	return b->perf ? pb_poll(&b->pb, timeout_ms, sigmask, fn, arg, stopped) :
			 rb_poll(&b->rb, timeout_ms, sigmask, fn, arg, stopped);
}

__u64 evb_lost(const struct evbuf *b)
{
	return b->perf ? b->pb.lost : 0;
}

int evb_woken(const struct evbuf *b)
{
	return b->perf ? 1 : b->rb.woken;
}

int evb_fd(const struct evbuf *b)
{
	return b->perf ? b->pb.epfd : b->rb.epfd;
}

int evb_watch(struct evbuf *b, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(evb_fd(b), EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}
