/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - format events as tcpdump-style text or NDJSON into a large
 * buffer, written to an fd with write(2) only when full or flushed.
 * No stdio, no allocation per event.
 */
#ifndef TCPINSPECT_OUTPUT_H
#define TCPINSPECT_OUTPUT_H

#include <stddef.h>
#include <time.h>
#include <net/if.h>
#include <linux/types.h>
#include "prog/tcpinspect.h"

#define OUT_BUF_LEN	(64u << 10)
#define OUT_IF_CACHE	64
#define OUT_EV_MAX	1024	/* events in the buffer at once */

enum out_format { OUT_TEXT, OUT_JSON };

struct out {
	int fd;
	enum out_format fmt;
	int hex;		/* 1: -x hex dump, 2: -X hex and ASCII */
	int show_iface;		/* text: name the interface (several -i) */
	int err;		/* first write error (-errno), sticky */
	__s64 mono_to_real;	/* add to bpf_ktime_get_ns() for wall time */
	time_t sec;		/* cache: the second whose text is in sec_txt */
	char sec_txt[20];	/* "HH:MM:SS" local (text), "YYYY-MM-DDTHH:MM:SS" UTC (JSON) */
	__u8 sec_len;
	/* cache of interface names, so that no event costs a syscall */
	int if_cnt;
	struct {
		int ifindex;
		char name[IF_NAMESIZE];
	} ifs[OUT_IF_CACHE];
	unsigned long written;	/* events whose every byte write(2) took */
	__u32 ev_cnt;		/* events ending in buf, and where they end */
	__u32 ev_end[OUT_EV_MAX];
	size_t len;
	char buf[OUT_BUF_LEN];
};

void out_init(struct out *o, int fd, enum out_format fmt);
/*
 * Append one ring buffer record (a ti_event and its snapped bytes, len
 * bytes in all); 0 or the sticky write error.  ts_ns, if non-zero, is
 * the wall-clock time to show instead of the event's own (replay).
 */
int out_event(struct out *o, const void *rec, __u32 len, __u64 ts_ns);
/*
 * Write out what is buffered; 0 or -errno (EPIPE when the reader left).
 * o->written then counts the events that went out whole: after a write
 * that failed part-way, those before the first one cut.
 */
int out_flush(struct out *o);

#endif
