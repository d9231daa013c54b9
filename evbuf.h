/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evbuf.h - the program's events, read one way whichever buffer carries
 * them: a BPF ring buffer (ringbuf.h) or per-CPU perf buffers
 * (perfbuf.h).  The callback is rb_fn either way.
 */
#ifndef TCPINSPECT_EVBUF_H
#define TCPINSPECT_EVBUF_H

#include "perfbuf.h"
#include "ringbuf.h"

struct evbuf {
	int perf;		/* 1: pb, 0: rb */
	struct rb rb;
	struct pb pb;
};

/* Closed: evb_close() on it does nothing. */
#define EVB_INIT { .rb = { .epfd = -1 }, .pb = { .epfd = -1 } }

/* The ring buffer map_fd of len bytes; 0 or -errno (as rb_open). */
int evb_open_ring(struct evbuf *b, int map_fd, size_t len);
/* The perf event array map_fd, len bytes per CPU; 0 or -errno (as pb_open). */
int evb_open_perf(struct evbuf *b, int map_fd, int cpu_cnt, size_t len);
void evb_close(struct evbuf *b);

/* As rb_consume() and rb_poll(). */
long evb_consume(struct evbuf *b, rb_fn fn, void *arg, int *stopped);
long evb_poll(struct evbuf *b, int timeout_ms, const sigset_t *sigmask,
	      rb_fn fn, void *arg, int *stopped);

/* Records the kernel reported lost (perf buffers only; the program
 * counts its own failed outputs either way). */
__u64 evb_lost(const struct evbuf *b);
/* An epoll fd that is readable when there are events (for a caller's set). */
int evb_fd(const struct evbuf *b);
/* Also end evb_poll's wait when fd is readable (the caller reads it). */
int evb_watch(struct evbuf *b, int fd);
/* Whether the last evb_poll was woken by the kernel (not by its timeout). */
int evb_woken(const struct evbuf *b);

#endif
