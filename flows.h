/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flows.h - the report of `tcpinspect flows`: (key, value) pairs read
 * from the in-kernel flow table, sorted by a column and formatted as a
 * text table or as NDJSON, one line at a time into a caller's buffer.
 * Pure: no syscalls, no allocation, no output (main.c reads the map and
 * writes).  Text times are local time, as in a capture's text output.
 */
#ifndef TCPINSPECT_FLOWS_H
#define TCPINSPECT_FLOWS_H

#include <stddef.h>
#include <linux/types.h>
#include "prog/tcpinspect.h"

/* One entry of the "flows" map. */
struct flow_entry {
	struct ti_flow_key key;
	struct ti_flow val;
};

/* The columns a report can be sorted by (--sort). */
enum flow_col {
	FLOW_PACKETS,
	FLOW_BYTES,
	FLOW_SYN,
	FLOW_SYNACK,
	FLOW_FIN,
	FLOW_RST,
	FLOW_FIRST,
	FLOW_LAST,
	FLOW_COL_CNT
};

/* "packets, bytes, syn, synack, fin, rst, first or last": for messages. */
extern const char flow_col_names[];

/* Each column's name, as --sort and /flows?sort= take it. */
extern const char *const flow_col_name[FLOW_COL_CNT];

/* The column called name ("synack" or "syn-ack" alike), or -1. */
int flow_col_parse(const char *name);

/*
 * Sort e[0..cnt) by col, largest count (or latest time) first.  Ties go
 * by packets, then bytes, then key bytes: the same input always gives
 * the same order.
 */
void flow_sort(struct flow_entry *e, size_t cnt, enum flow_col col);

/*
 * The same order for the entries of e that idx[0..cnt) names, sorting
 * idx (e stays as it is); tmp is cnt more of room.  A merge sort: the
 * order does not depend on the input's, and it is several times faster
 * than musl's qsort.
 */
void flow_order(const struct flow_entry *e, __u32 *idx, size_t cnt,
		enum flow_col col, __u32 *tmp);

/*
 * Keep one entry per key (a get_next_key walk restarts from the first
 * key when the key it stands on is evicted, so a live walk may read some
 * twice; the later read is kept).  Reorders e; returns the new count.
 */
size_t flow_dedup(struct flow_entry *e, size_t cnt);

/* "10.0.0.1:80" or "[2001:db8::1]:443": FLOW_ADDR_LEN bytes suffice. */
#define FLOW_ADDR_LEN	48
size_t flow_addr(char *s, const __u8 *addr, __u16 port, __u8 family);

/* A line of a report (text row or JSON object) is shorter than this. */
#define FLOW_LINE_LEN	1024

/*
 * Column widths of a text table, sized to its rows.  mono_to_real turns
 * the table's CLOCK_MONOTONIC times into wall-clock ones.
 */
#define FLOW_TEXT_COLS	10

struct flow_layout {
	__s64 mono_to_real;
	int width[FLOW_TEXT_COLS];
};

void flow_layout(struct flow_layout *l, const struct flow_entry *e,
		 size_t cnt, __s64 mono_to_real);
/*
 * "SOURCE  DESTINATION  PACKETS  BYTES  SYN  SYN-ACK  FIN  RST  FIRST
 * LAST" and one row per entry, each with its '\n', into buf (at least
 * FLOW_LINE_LEN bytes); the line's length.
 */
size_t flow_header(char *buf, const struct flow_layout *l);
size_t flow_row(char *buf, const struct flow_layout *l,
		const struct flow_entry *e);

/*
 * The entry as one JSON object and '\n' into buf (FLOW_LINE_LEN bytes):
 * report number, proto, source, destination, src, sport, dst, dport,
 * packets, bytes, syn, synack, fin, rst, first, first_ns, last, last_ns
 * (times in UTC ISO 8601 and in ns since the epoch); report 0 leaves
 * out the report number.  Its length.
 */
size_t flow_json(char *buf, const struct flow_entry *e, __s64 mono_to_real,
		 __u64 report);

#endif
