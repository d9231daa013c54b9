// SPDX-License-Identifier: GPL-2.0
/*
 * perfbuf.c - per-CPU perf buffers of a perf event array (perfbuf.h).
 *
 * Layout (include/uapi/linux/perf_event.h): the first page is struct
 * perf_event_mmap_page, where the kernel advances data_head and we
 * advance data_tail; the data pages follow.  Records are 8-byte aligned
 * perf_event_header + body; a sample with PERF_SAMPLE_RAW is the header,
 * a u32 size and size bytes of raw data.  A record may wrap at the end
 * of the data pages (the header never does: everything is 8-aligned).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include "bpf.h"
#include "perfbuf.h"

#define REC_MAX	65536	/* perf_event_header.size is 16 bits */

struct lost_rec {
	struct perf_event_header h;
	__u64 id;
	__u64 lost;
};

static int perf_open(int cpu)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_type = PERF_SAMPLE_RAW;
	a.sample_period = 1;
	a.wakeup_events = 1;
	fd = syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

int pb_open(struct pb *p, int map_fd, int cpu_cnt, size_t data_len)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct pb_cpu *c;
	int cpu, ret;

	memset(p, 0, sizeof(*p));
	p->epfd = -1;
	p->page_len = sysconf(_SC_PAGESIZE);
	p->data_len = data_len;
	if (cpu_cnt <= 0 || !data_len || data_len & (data_len - 1) ||
	    data_len % p->page_len)
		return -EINVAL;
	p->cpus = calloc(cpu_cnt, sizeof(*p->cpus));
	p->copy = malloc(data_len < REC_MAX ? data_len : REC_MAX);
	if (!p->cpus || !p->copy) {
		free(p->cpus);
		free(p->copy);
		p->cpus = NULL;
		p->copy = NULL;
		return -ENOMEM;
	}
	for (cpu = 0; cpu < cpu_cnt; cpu++)
		p->cpus[cpu].fd = -1;
	p->cpu_cnt = cpu_cnt;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		ret = -errno;
		goto fail;
	}
	for (cpu = 0; cpu < cpu_cnt; cpu++) {
		c = &p->cpus[cpu];
		c->fd = perf_open(cpu);
		if (c->fd == -ENODEV || c->fd == -EINVAL) {
			c->fd = -1;	/* possible but not online */
			continue;
		}
		if (c->fd < 0) {
			ret = c->fd;
			c->fd = -1;
			goto fail;
		}
		c->base = mmap(NULL, p->page_len + data_len, PROT_READ | PROT_WRITE,
			       MAP_SHARED, c->fd, 0);
		if (c->base == MAP_FAILED) {
			c->base = NULL;
			ret = -errno;
			goto fail;
		}
		ev.data.u32 = cpu;
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, c->fd, &ev) ||
		    ioctl(c->fd, PERF_EVENT_IOC_ENABLE, 0)) {
			ret = -errno;
			goto fail;
		}
		ret = bpf_map_update_elem(map_fd, &cpu, &c->fd, BPF_ANY);
		if (ret)
			goto fail;
		p->open_cnt++;
	}
	if (!p->open_cnt) {
		ret = -ENODEV;
		goto fail;
	}
	return 0;
fail:
	pb_close(p);
	return ret;
}

void pb_close(struct pb *p)
{
	int cpu;

	for (cpu = p->cpu_cnt - 1; p->cpus && cpu >= 0; cpu--) {
		if (p->cpus[cpu].base)
			munmap(p->cpus[cpu].base, p->page_len + p->data_len);
		if (p->cpus[cpu].fd >= 0)
			close(p->cpus[cpu].fd);
	}
	if (p->epfd >= 0)
		close(p->epfd);
	free(p->cpus);
	free(p->copy);
	memset(p, 0, sizeof(*p));
	p->epfd = -1;
}

/* n bytes at offset off of c's data pages, wrapped as the ring wraps. */
static void ring_read(const struct pb *p, const struct pb_cpu *c, __u64 off,
		      void *dst, size_t n)
{
	const __u8 *data = (const __u8 *)c->base + p->page_len;
	size_t o = off & (p->data_len - 1), first = p->data_len - o;

	if (first >= n) {
		memcpy(dst, data + o, n);
	} else {
		memcpy(dst, data + o, first);
		memcpy((__u8 *)dst + first, data, n - first);
	}
}

/*
 * c's next sample at or after c->tail, below c->head, into c->raw_len
 * (its data's size), c->key (its first 8 bytes: the record's time) and
 * c->size (the record's); lost-sample records on the way are counted and
 * passed.  0: none left.
 */
static int cpu_peek(struct pb *p, struct pb_cpu *c)
{
	struct perf_event_header h;
	struct lost_rec l;

	while (c->tail < c->head) {
		ring_read(p, c, c->tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > c->head - c->tail) {
			c->tail = c->head;	/* cannot happen; resynchronise */
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 4) {
			ring_read(p, c, c->tail + sizeof(h), &c->raw_len, 4);
			if (c->raw_len <= h.size - sizeof(h) - 4) {
				c->size = h.size;
				c->key = 0;
				if (c->raw_len >= 8)
					ring_read(p, c, c->tail + sizeof(h) + 4, &c->key, 8);
				return 1;
			}
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(l)) {
			ring_read(p, c, c->tail, &l, sizeof(l));
			p->lost += l.lost;
		}
		c->tail += h.size;
	}
	return 0;
}

/*
 * Every CPU's records up to the heads seen on entry, oldest first by
 * their first 8 bytes (an event's time): a connection whose segments
 * were handled on several CPUs comes out in order, as from the one ring
 * buffer.  A merge over the CPUs' next records, each buffer's tail given
 * back as it goes.
 */
long pb_consume(struct pb *p, rb_fn fn, void *arg, int *stopped)
{
	struct perf_event_mmap_page *pg;
	struct pb_cpu *c;
	const __u8 *rec;
	size_t off;
	int cpu, best, stop = 0;
	long n = 0;

	for (cpu = 0; cpu < p->cpu_cnt; cpu++) {
		c = &p->cpus[cpu];
		if (!c->base)
			continue;
		pg = c->base;
		c->head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
		c->tail = pg->data_tail;
		c->ready = cpu_peek(p, c);
	}
	while (!stop) {
		best = -1;
		for (cpu = 0; cpu < p->cpu_cnt; cpu++) {
			c = &p->cpus[cpu];
			if (c->base && c->ready &&
			    (best < 0 || c->key < p->cpus[best].key))
				best = cpu;
		}
		if (best < 0)
			break;
		c = &p->cpus[best];
		off = (c->tail + sizeof(struct perf_event_header) + 4) & (p->data_len - 1);
		if (off + c->raw_len <= p->data_len) {	/* in place */
			rec = (const __u8 *)c->base + p->page_len + off;
		} else {				/* it wraps */
			ring_read(p, c, off, p->copy, c->raw_len);
			rec = p->copy;
		}
		n++;
		stop = fn(arg, rec, c->raw_len);
		c->tail += c->size;
		__atomic_store_n(&((struct perf_event_mmap_page *)c->base)->data_tail,
				 c->tail, __ATOMIC_RELEASE);
		c->ready = cpu_peek(p, c);
	}
	for (cpu = 0; cpu < p->cpu_cnt; cpu++) {	/* lost records passed */
		c = &p->cpus[cpu];
		if (c->base)
			__atomic_store_n(&((struct perf_event_mmap_page *)c->base)->data_tail,
					 c->tail, __ATOMIC_RELEASE);
	}
	if (stop)
		*stopped = 1;
	return n;
}

long pb_poll(struct pb *p, int timeout_ms, const sigset_t *sigmask,
	     rb_fn fn, void *arg, int *stopped)
{
	struct epoll_event ev[16];
	int ret;

	ret = epoll_pwait(p->epfd, ev, sizeof(ev) / sizeof(ev[0]), timeout_ms,
			  sigmask);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	return pb_consume(p, fn, arg, stopped);
}
