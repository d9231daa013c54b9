// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf.c - BPF ring buffer consumer (see ringbuf.h).
 *
 * Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos and is
 * writable by us; from page 1 the producer_pos page and then the data,
 * mapped twice back to back so that a record that wraps reads as one.
 * Each record has an 8-byte header whose first word is its length with
 * BUSY (still being written) and DISCARD bits; records are 8-aligned.
 *
 * The two positions are the kernel's unsigned long: 64 bits on a 64-bit
 * kernel even when we are a 32-bit program (armhf on arm64), 32 bits on
 * a 32-bit kernel, where pending_pos follows producer_pos.  So (little
 * endian, as the BPF objects are): the producer's low 32 bits are read
 * and extended from our own 64-bit count (the ring holds less than 4 GiB,
 * so they determine it); the consumer position is written in 64 bits,
 * whose upper half is unused padding of that page on a 32-bit kernel.
 * With unsigned long on our side, a 32-bit binary on a 64-bit kernel
 * would stall once 4 GiB had passed through the ring.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include "ringbuf.h"

int rb_open(struct rb *r, int map_fd, size_t data_len)
{
	struct epoll_event ev = { .events = EPOLLIN };
	void *p;
	int ret;

	memset(r, 0, sizeof(*r));
	r->epfd = -1;
	r->page_len = sysconf(_SC_PAGESIZE);
	r->data_len = data_len;
	if (!data_len || data_len & (data_len - 1) || data_len % r->page_len)
		return -EINVAL;
	p = mmap(NULL, r->page_len, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	p = mmap(NULL, r->page_len + 2 * data_len, PROT_READ, MAP_SHARED, map_fd,
		 r->page_len);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	r->producer_pos = p;
	r->data = (const __u8 *)p + r->page_len;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, map_fd, &ev)) {
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	rb_close(r);
	return ret;
}

void rb_close(struct rb *r)
{
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page_len + 2 * r->data_len);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page_len);
	memset(r, 0, sizeof(*r));
	r->epfd = -1;
}

/* The producer position, from its low 32 bits and ours, cons. */
static __u64 rb_prod(const struct rb *r, __u64 cons)
{
	__u32 lo = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);

	return cons + (__u32)(lo - (__u32)cons);
}

long rb_consume(struct rb *r, rb_fn fn, void *arg, int *stopped)
{
	__u64 cons, prod;
	const __u32 *hdr;
	__u32 len;
	long n = 0;

	cons = *r->consumer_pos;
	prod = rb_prod(r, cons);
	while (cons < prod) {
		hdr = (const __u32 *)(r->data + (cons & (r->data_len - 1)));
		len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break;	/* reserved, not yet submitted */
		cons += (len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ;
		cons = (cons + 7) & ~7ull;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			n++;
			if (fn(arg, hdr + 2, len & ~BPF_RINGBUF_DISCARD_BIT)) {
				*stopped = 1;
				break;
			}
		}
		/* Space goes back in batches: the producer reads
		 * consumer_pos for every record, and each store takes its
		 * cache line away from the producing CPU. */
		if (!(n & 63))
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
		if (cons >= prod)
			prod = rb_prod(r, cons);
	}
	__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

long rb_poll(struct rb *r, int timeout_ms, const sigset_t *sigmask,
	     rb_fn fn, void *arg, int *stopped)
{
	struct epoll_event ev;
	int ret;

	ret = epoll_pwait(r->epfd, &ev, 1, timeout_ms, sigmask);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	r->woken = ret > 0;
	return rb_consume(r, fn, arg, stopped);
}
