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
#include "print.h"
#include "seqtab.h"

#define OUT_BUF_LEN	(128u << 10)
#define OUT_LINE_MAX	(32u << 10)	/* the longest line (JSON) */
#define OUT_IF_CACHE	64
#define OUT_EV_MAX	1024	/* events in the buffer at once */

enum out_format { OUT_TEXT, OUT_JSON };

/* What a record's caller knows of it beyond the record (replay). */
struct out_meta {
	__u64 ts_ns;		/* wall-clock time, ns since the epoch */
	__u32 wire_len;		/* the frame's length on the wire */
};

struct out {
	int fd;
	enum out_format fmt;
	/* text: set by the caller after out_init() */
	int hex;		/* 1: -x hex dump, 2: -X hex and ASCII */
	int ascii;		/* -A */
	int show_iface;		/* name the interface (several -i) */
	int tflag;		/* -t count: 0 the time of day, 1 none, 2 epoch
				 * seconds, 3 since the previous packet, 4 the
				 * date too, 5 since the first */
	int number;		/* -#: number the packets */
	int absolute;		/* -S: absolute sequence numbers */
	int line_buffered;	/* -l, -U: written out after each packet */
	struct pr_cfg pr;	/* -v, -e, -q, -K; pr.seq is out_init()'s
				 * table, which -S sets to NULL */
	int err;		/* first write error (-errno), sticky */
	__s64 mono_to_real;	/* add to bpf_ktime_get_ns() for wall time */
	__u64 count;		/* packets formatted */
	__u64 ref_ns;		/* -ttt, -ttttt: the time (us) deltas are from */
	int ref_set;
	time_t sec;		/* cache: the second whose text is in sec_txt */
	char sec_txt[32];	/* "HH:MM:SS" or "YYYY-MM-DD HH:MM:SS" local
				 * (text), "YYYY-MM-DDTHH:MM:SS" UTC (JSON) */
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
	struct seqtab seq;	/* relative sequence numbers (text, JSON) */
};

/* o zeroed before its first out_init() (static storage is): the
 * sequence number table starts empty. */
void out_init(struct out *o, int fd, enum out_format fmt);
/*
 * Append one ring buffer record (a ti_event and its snapped bytes, len
 * bytes in all); 0 or the sticky write error.  m, if not NULL, gives the
 * time to show instead of the event's own, and the frame's length on
 * the wire (replay).
 */
int out_event(struct out *o, const void *rec, __u32 len, const struct out_meta *m);
/*
 * Write out what is buffered; 0 or -errno (EPIPE when the reader left).
 * o->written then counts the events that went out whole: after a write
 * that failed part-way, those before the first one cut.
 */
int out_flush(struct out *o);

#endif
