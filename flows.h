/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flows.h - the report of `tcpinspect flows`: (key, value) pairs read
 * from the in-kernel flow table, one per TCP connection, sorted by a
 * column and formatted as a text table or as NDJSON, one line at a time
 * into a caller's buffer.  Each row shows its connection from the
 * client to the server (flow_client).  Pure: no syscalls, no
 * allocation, no output (the commands read the map and write).  Text
 * times are local time, as in a capture's text output.
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
	FLOW_RTT,		/* the RTT column's value; none: last */
	FLOW_RETRANS,
	FLOW_COL_CNT
};

/* "packets, bytes, syn, synack, ..., rtt or retrans": for messages. */
extern const char flow_col_names[];

/* Each column's name, as --sort and /flows?sort= take it. */
extern const char *const flow_col_name[FLOW_COL_CNT];

/* The column called name ("synack" or "syn-ack" alike), or -1. */
int flow_col_parse(const char *name);

/*
 * Sort e[0..cnt) by col, largest count (or latest time) first.  Ties go
 * by packets, then bytes (both sides'), then key bytes: the same input
 * always gives the same order.
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

/*
 * Which side of e's value (0: the key's first end) is the client: the
 * one that sent the first SYN (val.client, if val.syn_ns); else the one
 * that did not send a SYN-ACK, if only one did; else the end with the
 * higher port (servers listen on low ones), the key's first end if the
 * ports are equal.
 */
int flow_client(const struct flow_entry *e);

/*
 * Whether the SYN-flagged segments side sent (ti_side.syn) were
 * SYN-ACKs: the client's are SYNs, the server's SYN-ACKs; with no SYN
 * seen (syn_ns 0: the kernel notes the first SYN without ACK), every
 * one was a SYN-ACK.
 */
int flow_synacks(const struct ti_flow *f, int side);

/*
 * The connection's state as seen on the wire, the first that holds:
 *   CLOSED       either end sent a RST, or both FINs were acknowledged;
 *   CLOSING      both ends sent a FIN;
 *   FIN_WAIT     one end sent a FIN;
 *   ESTABLISHED  the handshake completed (hs_ns), or an end sent more
 *                than SYNs or SYN-ACKs (a connection whose start was
 *                not seen, or is seen in one direction only);
 *   SYN_RECV     a SYN-ACK was sent;
 *   SYN_SENT     only SYNs.
 */
enum flow_state {
	FLOW_ST_SYN_SENT,
	FLOW_ST_SYN_RECV,
	FLOW_ST_ESTABLISHED,
	FLOW_ST_FIN_WAIT,
	FLOW_ST_CLOSING,
	FLOW_ST_CLOSED,
	FLOW_ST_CNT
};

extern const char *const flow_state_name[FLOW_ST_CNT];	/* "SYN_SENT", ... */

enum flow_state flow_state(const struct ti_flow *f);

/*
 * The connection's RTT in us: the larger of the two sides' smoothed
 * RTT (of those with a sample), else the handshake RTT; 1 and *us, or
 * 0 if there is neither.
 */
int flow_rtt_us(const struct ti_flow *f, __u64 *us);

/* "10.0.0.1:80" or "[2001:db8::1]:443": FLOW_ADDR_LEN bytes suffice. */
#define FLOW_ADDR_LEN	48
size_t flow_addr(char *s, const __u8 *addr, __u16 port, __u8 family);

/* A line of a report (text row or JSON object) is shorter than this. */
#define FLOW_LINE_LEN	2048

/*
 * Column widths of a text table, sized to its rows.  mono_to_real turns
 * the table's CLOCK_MONOTONIC times into wall-clock ones.
 */
#define FLOW_TEXT_COLS	13

struct flow_layout {
	__s64 mono_to_real;
	int width[FLOW_TEXT_COLS];
};

void flow_layout(struct flow_layout *l, const struct flow_entry *e,
		 size_t cnt, __s64 mono_to_real);
/*
 * "CLIENT  SERVER  STATE  PACKETS  BYTES  SYN  SYN-ACK  FIN  RST  RTT
 * RETRANS  FIRST  LAST" and one row per entry, each with its '\n', into
 * buf (at least FLOW_LINE_LEN bytes); the line's length.  The counts are
 * both sides' sums; RTT is flow_rtt_us() in ms ("20.406"), or "-".
 */
size_t flow_header(char *buf, const struct flow_layout *l);
size_t flow_row(char *buf, const struct flow_layout *l,
		const struct flow_entry *e);

/*
 * The entry as one JSON object and '\n' into buf (FLOW_LINE_LEN bytes):
 * report number, proto, source, destination, src, sport, dst, dport
 * (the client, then the server), state, packets, bytes, syn, synack,
 * fin, rst (both sides'), handshake_rtt_us, rtt_us (null for none),
 * retrans, first, first_ns, last, last_ns (times in UTC ISO 8601 and in
 * ns since the epoch), and what each end sent in from_src (the client)
 * and from_dst (the server): packets, bytes, retrans, fast_retrans,
 * spurious_retrans, out_of_order, dup_acks, zero_window, window_probes,
 * keep_alives, lost_segments, syn, fin, rst, rtt_us (null without a
 * sample), rtt_samples, xdp_drop.  Report 0 leaves out the report
 * number.  Its length.
 */
size_t flow_json(char *buf, const struct flow_entry *e, __s64 mono_to_real,
		 __u64 report);

#endif
