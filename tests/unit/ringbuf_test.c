// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/ringbuf_test.c - rb_consume on hand-made ring buffer pages, no
 * kernel: the positions as a 64-bit kernel keeps them (unsigned long of
 * 64 bits) and as a 32-bit one does (32 bits, pending_pos right after
 * producer_pos), both across 2^32, which a capture reaches after 4 GiB
 * of events.  Records are read in order, discarded ones skipped, a busy
 * one ends the pass, nothing past the producer is read, and the
 * consumer position the kernel will read is exact in both layouts.
 */
#include <string.h>
#include <linux/bpf.h>
#include "ringbuf.h"
#include "../result.h"

#define DATA_LEN 4096

static __u64 cons_page[2];
static __u32 prod_page[4];
static __u8 data[2 * DATA_LEN];

/* A record of len bytes of byte v at position pos, in both mappings. */
static __u64 put_rec(__u64 pos, __u32 len, __u8 v, __u32 flags)
{
	__u32 hdr[2] = { len | flags, 0 };
	__u32 i, off;

	for (i = 0; i < 8 + len; i++) {
		off = (pos + i) & (DATA_LEN - 1);
		data[off] = i < 8 ? ((__u8 *)hdr)[i] : v;
		data[off + DATA_LEN] = data[off];
	}
	return (pos + 8 + len + 7) & ~7ull;
}

struct seen {
	int cnt, stop_at;
	__u8 v[8];
	__u32 len[8];
};

static int on_rec(void *arg, const void *rec, __u32 len)
{
	struct seen *s = arg;

	if (s->cnt < 8) {
		s->v[s->cnt] = *(const __u8 *)rec;
		s->len[s->cnt] = len;
	}
	s->cnt++;
	return s->stop_at && s->cnt == s->stop_at;
}

static void rb_init(struct rb *r)
{
	memset(r, 0, sizeof(*r));
	r->epfd = -1;
	r->page_len = 4096;
	r->data_len = DATA_LEN;
	r->consumer_pos = cons_page;
	r->producer_pos = prod_page;
	r->data = data;
}

/*
 * From start, records of 13, 40 (discarded) and 100 bytes, then a
 * busy one the producer has reserved (busy) or a complete one it has
 * not (!busy: a consumer that misread the producer would take it); the
 * producer page as a kernel of kbits writes it.
 */
static void run(const char *name, int kbits, __u64 start, int busy)
{
	struct seen s = { 0 };
	struct rb r;
	__u64 pos = start, end, want;
	long n;
	int stopped = 0;

	memset(data, 0, sizeof(data));
	pos = put_rec(pos, 13, 0xa1, 0);
	pos = put_rec(pos, 40, 0xa2, BPF_RINGBUF_DISCARD_BIT);
	pos = put_rec(pos, 100, 0xa3, 0);
	want = pos;
	end = put_rec(pos, 20, 0xa4, busy ? BPF_RINGBUF_BUSY_BIT : 0);
	if (!busy) {
		put_rec(end, 20, 0xa5, BPF_RINGBUF_BUSY_BIT);
		end = want;
	}
	memset(cons_page, 0, sizeof(cons_page));
	memset(prod_page, 0, sizeof(prod_page));
	if (kbits == 64) {
		cons_page[0] = start;
		memcpy(prod_page, &end, 8);
	} else {
		/* 32 bits, little endian; pending_pos follows producer_pos. */
		*(__u32 *)cons_page = (__u32)start;
		prod_page[0] = (__u32)end;
		prod_page[1] = 0xdeadbeef;
	}
	rb_init(&r);
	n = rb_consume(&r, on_rec, &s, &stopped);
	result(name, n == 2 && s.cnt == 2 && !stopped &&
	       s.v[0] == 0xa1 && s.len[0] == 13 && s.v[1] == 0xa3 && s.len[1] == 100 &&
	       (kbits == 64 ? cons_page[0] == want : *(__u32 *)cons_page == (__u32)want),
	       "%ld records (%d seen), consumer at %#llx, want %#llx", n, s.cnt,
	       (unsigned long long)cons_page[0], (unsigned long long)want);
}

int main(void)
{
	struct seen s = { .stop_at = 1 };
	struct rb r;
	int stopped = 0;
	long n;

	run("ringbuf_64bit_kernel_busy", 64, 0x1000, 1);
	run("ringbuf_64bit_kernel_end", 64, 0x1000, 0);
	run("ringbuf_64bit_kernel_across_2^32_busy", 64, 0xffffffc0ull, 1);
	run("ringbuf_64bit_kernel_across_2^32_end", 64, 0xffffffc0ull, 0);
	run("ringbuf_64bit_kernel_past_2^32", 64, 0x500000000ull + 0xff8, 0);
	run("ringbuf_32bit_kernel_busy", 32, 0x1000, 1);
	run("ringbuf_32bit_kernel_end", 32, 0x1000, 0);
	run("ringbuf_32bit_kernel_across_2^32_end", 32, 0xffffffc0ull, 0);

	/* The callback stops after the first: the consumer stops there. */
	memset(data, 0, sizeof(data));
	put_rec(put_rec(0xfffffff0ull, 13, 0xb1, 0), 13, 0xb2, 0);
	cons_page[0] = 0xfffffff0ull;
	cons_page[1] = 0;
	memset(prod_page, 0, sizeof(prod_page));
	prod_page[0] = (__u32)(0xfffffff0ull + 48);
	rb_init(&r);
	n = rb_consume(&r, on_rec, &s, &stopped);
	result("ringbuf_stop_across_2^32", n == 1 && stopped && s.v[0] == 0xb1 &&
	       cons_page[0] == 0xfffffff0ull + 24,
	       "%ld records, stopped %d, consumer at %#llx", n, stopped,
	       (unsigned long long)cons_page[0]);
	return failed;
}
