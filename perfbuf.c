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

/* The records of one CPU's buffer, up to the head seen on entry. */
static long cpu_consume(struct pb *p, struct pb_cpu *c, rb_fn fn, void *arg,
			int *stopped)
{
	struct perf_event_mmap_page *pg = c->base;
	const __u8 *data = (const __u8 *)c->base + p->page_len;
	const struct perf_event_header *h;
	const __u8 *rec;
	__u64 head, tail;
	size_t off, first;
	__u32 raw_len;
	long n = 0;
	int stop = 0;

	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	tail = pg->data_tail;
	while (tail < head && !stop) {
		off = tail & (p->data_len - 1);
		h = (const struct perf_event_header *)(data + off);
		if (h->size < sizeof(*h) || h->size > head - tail) {
			tail = head;	/* cannot happen; resynchronise */
			break;
		}
		rec = data + off;
		if (off + h->size > p->data_len) {
			first = p->data_len - off;
			memcpy(p->copy, rec, first);
			memcpy(p->copy + first, data, h->size - first);
			rec = p->copy;
		}
		if (h->type == PERF_RECORD_SAMPLE && h->size >= sizeof(*h) + 4) {
			memcpy(&raw_len, rec + sizeof(*h), 4);
			if (raw_len <= h->size - sizeof(*h) - 4) {
				n++;
				stop = fn(arg, rec + sizeof(*h) + 4, raw_len);
			}
		} else if (h->type == PERF_RECORD_LOST &&
			   h->size >= sizeof(struct lost_rec)) {
			p->lost += ((const struct lost_rec *)rec)->lost;
		}
		tail += h->size;
	}
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
	if (stop)
		*stopped = 1;
	return n;
}

long pb_consume(struct pb *p, rb_fn fn, void *arg, int *stopped)
{
	long n = 0;
	int cpu, stop = 0;

	for (cpu = 0; cpu < p->cpu_cnt && !stop; cpu++)
		if (p->cpus[cpu].base)
			n += cpu_consume(p, &p->cpus[cpu], fn, arg, &stop);
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
