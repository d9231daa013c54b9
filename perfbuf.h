/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfbuf.h - consumer of a BPF_MAP_TYPE_PERF_EVENT_ARRAY, for kernels
 * without a BPF ring buffer: one perf_event_open(PERF_COUNT_SW_BPF_OUTPUT)
 * buffer per CPU, mmap'd and stored in the map at the CPU's index, all
 * waited on with one epoll.  The callback is ringbuf.h's: it sees each
 * sample's raw data in place (or, if it wraps at the end of its buffer,
 * a copy); the raw data may carry up to 7 bytes of padding after the
 * producer's record.  PERF_RECORD_LOST records are summed in lost.
 */
#ifndef TCPINSPECT_PERFBUF_H
#define TCPINSPECT_PERFBUF_H

#include <signal.h>
#include <stddef.h>
#include <linux/types.h>
#include "ringbuf.h"

struct pb_cpu {
	int fd;			/* -1: no buffer (the CPU is offline) */
	void *base;		/* the control page, then the data pages */
	/* during pb_consume: */
	__u64 head, tail;	/* the kernel's head as read; our tail */
	__u64 key;		/* the next sample's first 8 bytes */
	__u32 raw_len;		/* and its size */
	__u32 size;		/* the whole record's */
	int ready;		/* there is a next sample */
};

struct pb {
	int epfd;
	size_t page_len;
	size_t data_len;	/* per CPU: a power of two of pages */
	int cpu_cnt;		/* slots in cpus[] */
	int open_cnt;		/* CPUs that have a buffer */
	struct pb_cpu *cpus;
	__u8 *copy;		/* room for one record that wraps */
	__u64 lost;		/* samples the kernel reported lost */
};

/*
 * A buffer of data_len bytes (a power of two, a multiple of the page)
 * for each of cpu_cnt CPUs, set in the perf event array map_fd.  CPUs
 * that are offline get none: the program's output on them fails and is
 * counted as lost there.  0 or -errno.
 */
int pb_open(struct pb *p, int map_fd, int cpu_cnt, size_t data_len);
void pb_close(struct pb *p);

/* As rb_consume() and rb_poll(), over every CPU's buffer: the records
 * of one call oldest first by their first 8 bytes (an event's time). */
long pb_consume(struct pb *p, rb_fn fn, void *arg, int *stopped);
long pb_poll(struct pb *p, int timeout_ms, const sigset_t *sigmask,
	     rb_fn fn, void *arg, int *stopped);

#endif
