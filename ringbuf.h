/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringbuf.h - consumer of a BPF_MAP_TYPE_RINGBUF map: mmap'd, woken by
 * epoll, no copy (the callback sees the record in place), no syscall per
 * record.
 */
#ifndef TCPINSPECT_RINGBUF_H
#define TCPINSPECT_RINGBUF_H

#include <signal.h>
#include <stddef.h>
#include <linux/types.h>

struct rb {
	int epfd;
	size_t page_len;
	size_t data_len;	/* max_entries of the map */
	/* The kernel's positions are unsigned long: 32 or 64 bits as the
	 * kernel is, not as we are (an armhf binary on an arm64 kernel).
	 * See rb_consume. */
	__u64 *consumer_pos;
	const __u32 *producer_pos;
	const __u8 *data;
	int woken;		/* the last rb_poll was woken, not timed out */
};

/* Called per record; return non-zero to stop consuming after it. */
typedef int (*rb_fn)(void *arg, const void *rec, __u32 len);

/* Map the ring buffer map_fd of data_len bytes; 0 or -errno. */
int rb_open(struct rb *r, int map_fd, size_t data_len);
void rb_close(struct rb *r);

/* Consume every record available now; returns how many.  *stopped is
 * set when fn asked to stop (the rest stay in the buffer). */
long rb_consume(struct rb *r, rb_fn fn, void *arg, int *stopped);

/*
 * Wait up to timeout_ms for data (sigmask as with epoll_pwait, may be
 * NULL), then consume.  Returns records consumed (0 on timeout or signal)
 * or -errno.  *stopped is set when fn asked to stop.
 */
long rb_poll(struct rb *r, int timeout_ms, const sigset_t *sigmask,
	     rb_fn fn, void *arg, int *stopped);

#endif
