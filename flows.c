// SPDX-License-Identifier: GPL-2.0
/*
 * flows.c - sorting and formatting the flow table (see flows.h).
 *
 * Every line is built with bounded snprintf into a FLOW_LINE_LEN
 * buffer; the widest text row (two bracketed IPv6 addresses with ports,
 * seven 20-digit counts, an RTT, two times) and the widest JSON object
 * (the same, and both sides' counters) fit in it, as flows_test checks.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "flows.h"

enum { COL_CLIENT, COL_SERVER, COL_STATE, COL_PACKETS, COL_BYTES, COL_SYN,
       COL_SYNACK, COL_FIN, COL_RST, COL_RTT, COL_RETRANS, COL_FIRST, COL_LAST,
       COL_CNT };

_Static_assert(COL_CNT == FLOW_TEXT_COLS, "flow_layout.width");

static const char *const col_head[COL_CNT] = {
	"CLIENT", "SERVER", "STATE", "PACKETS", "BYTES", "SYN", "SYN-ACK",
	"FIN", "RST", "RTT", "RETRANS", "FIRST", "LAST",
};

/* Counts flush right, the rest left. */
static const unsigned char col_right[COL_CNT] = {
	[COL_PACKETS] = 1, [COL_BYTES] = 1, [COL_SYN] = 1, [COL_SYNACK] = 1,
	[COL_FIN] = 1, [COL_RST] = 1, [COL_RTT] = 1, [COL_RETRANS] = 1,
};

#define TIME_LEN	12	/* "HH:MM:SS.mmm" */

const char flow_col_names[] =
	"packets, bytes, syn, synack, fin, rst, first, last, rtt or retrans";

const char *const flow_col_name[FLOW_COL_CNT] = {
	[FLOW_PACKETS] = "packets", [FLOW_BYTES] = "bytes",
	[FLOW_SYN] = "syn", [FLOW_SYNACK] = "synack",
	[FLOW_FIN] = "fin", [FLOW_RST] = "rst",
	[FLOW_FIRST] = "first", [FLOW_LAST] = "last",
	[FLOW_RTT] = "rtt", [FLOW_RETRANS] = "retrans",
};

const char *const flow_state_name[FLOW_ST_CNT] = {
	[FLOW_ST_SYN_SENT] = "SYN_SENT", [FLOW_ST_SYN_RECV] = "SYN_RECV",
	[FLOW_ST_ESTABLISHED] = "ESTABLISHED", [FLOW_ST_FIN_WAIT] = "FIN_WAIT",
	[FLOW_ST_CLOSING] = "CLOSING", [FLOW_ST_CLOSED] = "CLOSED",
};

int flow_col_parse(const char *name)
{
	int i;

	if (!strcmp(name, "syn-ack"))
		return FLOW_SYNACK;
	for (i = 0; i < FLOW_COL_CNT; i++)
		if (!strcmp(name, flow_col_name[i]))
			return i;
	return -1;
}

int flow_client(const struct flow_entry *e)
{
	const struct ti_flow *f = &e->val;
	int sa0 = !!(f->s[0].st & TI_SIDE_SYNACK);
	int sa1 = !!(f->s[1].st & TI_SIDE_SYNACK);

	if (f->syn_ns)
		return f->client & 1;
	/* A SYN-ACK comes from the server; both (a simultaneous open
	 * without its SYNs seen) say nothing. */
	if (sa0 != sa1)
		return sa0;
	return e->key.dport > e->key.sport;
}

int flow_synacks(const struct ti_flow *f, int side)
{
	return !f->syn_ns || (f->client & 1) != (side & 1);
}

enum flow_state flow_state(const struct ti_flow *f)
{
	const struct ti_side *a = &f->s[0], *b = &f->s[1];
	__u32 any = a->st | b->st, both = a->st & b->st;

	if ((any & TI_SIDE_RST) || (both & TI_SIDE_FIN_ACKED))
		return FLOW_ST_CLOSED;
	if (both & TI_SIDE_FIN)
		return FLOW_ST_CLOSING;
	if (any & TI_SIDE_FIN)
		return FLOW_ST_FIN_WAIT;
	/* ti_side.syn counts every SYN and SYN-ACK: a segment beyond them
	 * (the handshake's ACK, data) means its sender is synchronized. */
	if (f->hs_ns || a->packets > a->syn || b->packets > b->syn)
		return FLOW_ST_ESTABLISHED;
	if (any & TI_SIDE_SYNACK)
		return FLOW_ST_SYN_RECV;
	return FLOW_ST_SYN_SENT;
}

int flow_rtt_us(const struct ti_flow *f, __u64 *us)
{
	int i, have = 0;

	*us = 0;
	for (i = 0; i < 2; i++) {
		if (f->s[i].rtt_cnt && (!have || f->s[i].srtt_us > *us)) {
			*us = f->s[i].srtt_us;
			have = 1;
		}
	}
	if (!have && f->hs_ns) {
		*us = f->hs_ns / 1000;
		have = 1;
	}
	return have;
}

/* Side i's SYNs (synack 0) or SYN-ACKs (synack 1). */
static __u64 syns(const struct ti_flow *v, int i, int synack)
{
	return flow_synacks(v, i) == synack ? v->s[i].syn : 0;
}

static __u64 col_value(const struct ti_flow *v, enum flow_col col)
{
	const struct ti_side *a = &v->s[0], *b = &v->s[1];
	__u64 us;

	switch (col) {
	case FLOW_BYTES:	return a->bytes + b->bytes;
	case FLOW_SYN:		return syns(v, 0, 0) + syns(v, 1, 0);
	case FLOW_SYNACK:	return syns(v, 0, 1) + syns(v, 1, 1);
	case FLOW_FIN:		return (__u64)a->fin + b->fin;
	case FLOW_RST:		return (__u64)a->rst + b->rst;
	case FLOW_FIRST:	return v->first_ns;
	case FLOW_LAST:		return v->last_ns;
	case FLOW_RTT:		/* none sorts after an RTT of 0 */
		return flow_rtt_us(v, &us) ? us + 1 : 0;
	case FLOW_RETRANS:	return (__u64)a->retrans + b->retrans;
	default:		return a->packets + b->packets;
	}
}

/* -1 if a comes first (greater), 1 if b does, 0 if equal. */
static int desc(__u64 a, __u64 b)
{
	return a > b ? -1 : a < b;
}

static int cmp_col(const void *pa, const void *pb, void *arg)
{
	const struct flow_entry *a = pa, *b = pb;
	enum flow_col col = *(const enum flow_col *)arg;

	return desc(col_value(&a->val, col), col_value(&b->val, col)) ?:
	       desc(col_value(&a->val, FLOW_PACKETS),
		    col_value(&b->val, FLOW_PACKETS)) ?:
	       desc(col_value(&a->val, FLOW_BYTES),
		    col_value(&b->val, FLOW_BYTES)) ?:
	       memcmp(&a->key, &b->key, sizeof(a->key));
}

void flow_sort(struct flow_entry *e, size_t cnt, enum flow_col col)
{
	qsort_r(e, cnt, sizeof(*e), cmp_col, &col);
}

void flow_order(const struct flow_entry *e, __u32 *idx, size_t cnt,
		enum flow_col col, __u32 *tmp)
{
	__u32 *from = idx, *to = tmp, *t;
	size_t w, lo, mid, hi, i, j, k;

	/* Bottom-up: runs of w merged into runs of 2w, from one to the other. */
	for (w = 1; w < cnt; w *= 2) {
		for (lo = 0; lo < cnt; lo += 2 * w) {
			mid = lo + w < cnt ? lo + w : cnt;
			hi = lo + 2 * w < cnt ? lo + 2 * w : cnt;
			for (i = lo, j = mid, k = lo; k < hi; k++)
				to[k] = i < mid && (j == hi ||
					cmp_col(&e[from[i]], &e[from[j]], &col) <= 0) ?
					from[i++] : from[j++];
		}
		t = from;
		from = to;
		to = t;
	}
	if (from != idx)
		memcpy(idx, from, cnt * sizeof(*idx));
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct flow_entry *a = pa, *b = pb;

	return memcmp(&a->key, &b->key, sizeof(a->key)) ?:
	       desc(a->val.last_ns, b->val.last_ns) ?:
	       desc(col_value(&a->val, FLOW_PACKETS),
		    col_value(&b->val, FLOW_PACKETS));
}

size_t flow_dedup(struct flow_entry *e, size_t cnt)
{
	size_t i, n = 0;

	if (!cnt)
		return 0;
	/* Equal keys side by side, the latest reading of each first. */
	qsort(e, cnt, sizeof(*e), cmp_key);
	for (i = 1; i < cnt; i++)
		if (memcmp(&e[i].key, &e[n].key, sizeof(e[n].key)))
			e[++n] = e[i];
	return n + 1;
}

size_t flow_addr(char *s, const __u8 *addr, __u16 port, __u8 family)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (family == 6) {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		n = snprintf(s, FLOW_ADDR_LEN, "[%s]:%u", a, port);
	} else {
		n = snprintf(s, FLOW_ADDR_LEN, "%u.%u.%u.%u:%u", addr[0], addr[1],
			     addr[2], addr[3], port);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* The bare address, for JSON. */
static void ip_str(char *s, const __u8 *addr, __u8 family)
{
	if (family == 6)
		inet_ntop(AF_INET6, addr, s, INET6_ADDRSTRLEN);
	else
		snprintf(s, INET6_ADDRSTRLEN, "%u.%u.%u.%u", addr[0], addr[1],
			 addr[2], addr[3]);
}

/* "HH:MM:SS.mmm", local time, of monotonic time ns; "-" for none. */
static void time_text(char *s, __u64 ns, __s64 mono_to_real)
{
	__u64 real = ns + mono_to_real;
	time_t sec = real / 1000000000ull;
	struct tm tm;

	if (!ns || !localtime_r(&sec, &tm)) {
		strcpy(s, "-");
		return;
	}
	snprintf(s, TIME_LEN + 1, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (unsigned)(real % 1000000000ull / 1000000));
}

/* The cells of a row, as text; an address is the widest cell. */
struct cells {
	char text[COL_CNT][FLOW_ADDR_LEN];
};

static void num_text(char *s, __u64 v)
{
	snprintf(s, FLOW_ADDR_LEN, "%llu", (unsigned long long)v);
}

static void cells(struct cells *c, const struct flow_entry *e,
		  __s64 mono_to_real)
{
	const struct ti_flow *v = &e->val;
	const struct ti_flow_key *k = &e->key;
	int cl = flow_client(e), col;
	__u64 us;

	/* the client's end first: the key's second if cl is 1 */
	flow_addr(c->text[cl ? COL_SERVER : COL_CLIENT], k->saddr, k->sport,
		  k->family);
	flow_addr(c->text[cl ? COL_CLIENT : COL_SERVER], k->daddr, k->dport,
		  k->family);
	snprintf(c->text[COL_STATE], FLOW_ADDR_LEN, "%s",
		 flow_state_name[flow_state(v)]);
	for (col = COL_PACKETS; col <= COL_RST; col++)
		num_text(c->text[col], col_value(v, FLOW_PACKETS + col - COL_PACKETS));
	if (flow_rtt_us(v, &us))
		snprintf(c->text[COL_RTT], FLOW_ADDR_LEN, "%llu.%03u",
			 (unsigned long long)(us / 1000), (unsigned)(us % 1000));
	else
		strcpy(c->text[COL_RTT], "-");
	num_text(c->text[COL_RETRANS], col_value(v, FLOW_RETRANS));
	time_text(c->text[COL_FIRST], v->first_ns, mono_to_real);
	time_text(c->text[COL_LAST], v->last_ns, mono_to_real);
}

void flow_layout(struct flow_layout *l, const struct flow_entry *e,
		 size_t cnt, __s64 mono_to_real)
{
	struct cells c;
	size_t i;
	int col, w;

	l->mono_to_real = mono_to_real;
	for (col = 0; col < COL_CNT; col++)
		l->width[col] = strlen(col_head[col]);
	for (i = 0; i < cnt; i++) {
		cells(&c, &e[i], mono_to_real);
		for (col = 0; col < COL_CNT; col++) {
			w = strlen(c.text[col]);
			if (w > l->width[col])
				l->width[col] = w;
		}
	}
}

/* Counts flush right, the rest left; no trailing blanks. */
static size_t line(char *buf, const struct flow_layout *l,
		   const char *const *text)
{
	size_t n = 0;
	int col, w;

	for (col = 0; col < COL_CNT; col++) {
		w = l->width[col];
		if (col == COL_CNT - 1)
			w = 0;
		else if (!col_right[col])
			w = -w;
		n += snprintf(buf + n, FLOW_LINE_LEN - n, "%s%*s",
			      col ? "  " : "", w, text[col]);
		if (n >= FLOW_LINE_LEN - 1)
			break;
	}
	if (n > FLOW_LINE_LEN - 2)
		n = FLOW_LINE_LEN - 2;
	buf[n++] = '\n';
	buf[n] = 0;
	return n;
}

size_t flow_header(char *buf, const struct flow_layout *l)
{
	return line(buf, l, col_head);
}

size_t flow_row(char *buf, const struct flow_layout *l,
		const struct flow_entry *e)
{
	const char *text[COL_CNT];
	struct cells c;
	int col;

	cells(&c, e, l->mono_to_real);
	for (col = 0; col < COL_CNT; col++)
		text[col] = c.text[col];
	return line(buf, l, text);
}

/* "2026-11-28T07:39:02.774425123Z" of wall-clock time ns. */
static void time_iso(char *s, size_t len, __u64 real)
{
	time_t sec = real / 1000000000ull;
	struct tm tm;

	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(s, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(real % 1000000000ull));
}

/*
 * Append to buf (FLOW_LINE_LEN bytes, n used) what fmt says; the new
 * length, at most FLOW_LINE_LEN - 1 (what did not fit is cut off).
 */
__attribute__((format(printf, 3, 4)))
static size_t add(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n >= FLOW_LINE_LEN - 1)
		return FLOW_LINE_LEN - 1;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, FLOW_LINE_LEN - n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return n;
	n += r;
	return n < FLOW_LINE_LEN - 1 ? n : FLOW_LINE_LEN - 1;
}

/* A number, or null (have 0): NUM_LEN bytes. */
#define NUM_LEN	24
static const char *num_or_null(char *s, int have, __u64 v)
{
	if (!have)
		return "null";
	snprintf(s, NUM_LEN, "%llu", (unsigned long long)v);
	return s;
}

/* What one end sent, as the object "name":{...}. */
static size_t side_json(char *buf, size_t n, const char *name,
			const struct ti_side *s)
{
	char rtt[NUM_LEN];

	return add(buf, n,
		   ",\"%s\":{\"packets\":%llu,\"bytes\":%llu,\"retrans\":%u,"
		   "\"fast_retrans\":%u,\"spurious_retrans\":%u,\"out_of_order\":%u,"
		   "\"dup_acks\":%u,\"zero_window\":%u,\"window_probes\":%u,"
		   "\"keep_alives\":%u,\"lost_segments\":%u,\"syn\":%u,\"fin\":%u,"
		   "\"rst\":%u,\"rtt_us\":%s,\"rtt_samples\":%u,\"xdp_drop\":%u}",
		   name, (unsigned long long)s->packets,
		   (unsigned long long)s->bytes, s->retrans, s->fast_retrans,
		   s->spurious, s->ooo, s->dupack, s->zero_win, s->win_probe,
		   s->keepalive, s->lost, s->syn, s->fin, s->rst,
		   num_or_null(rtt, s->rtt_cnt != 0, s->srtt_us), s->rtt_cnt,
		   s->xdp_drop);
}

size_t flow_json(char *buf, const struct flow_entry *e, __s64 mono_to_real,
		 __u64 report)
{
	const struct ti_flow *v = &e->val;
	const struct ti_flow_key *k = &e->key;
	const __u8 *addr[2] = { k->saddr, k->daddr };
	const __u16 port[2] = { k->sport, k->dport };
	char src[FLOW_ADDR_LEN], dst[FLOW_ADDR_LEN];
	char sip[INET6_ADDRSTRLEN], dip[INET6_ADDRSTRLEN];
	char first[96], last[96], hs[NUM_LEN], rtt[NUM_LEN];
	__u64 first_ns = v->first_ns + mono_to_real;
	__u64 last_ns = v->last_ns + mono_to_real;
	int cl = flow_client(e), sv = !cl, have;
	size_t n = 0;
	__u64 us;

	flow_addr(src, addr[cl], port[cl], k->family);
	flow_addr(dst, addr[sv], port[sv], k->family);
	ip_str(sip, addr[cl], k->family);
	ip_str(dip, addr[sv], k->family);
	time_iso(first, sizeof(first), first_ns);
	time_iso(last, sizeof(last), last_ns);
	have = flow_rtt_us(v, &us);
	buf[0] = 0;
	n = add(buf, n, "{");
	if (report)
		n = add(buf, n, "\"report\":%llu,", (unsigned long long)report);
	n = add(buf, n,
		"\"proto\":\"%s\",\"source\":\"%s\",\"destination\":\"%s\","
		"\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
		"\"state\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"syn\":%llu,"
		"\"synack\":%llu,\"fin\":%llu,\"rst\":%llu,"
		"\"handshake_rtt_us\":%s,\"rtt_us\":%s,\"retrans\":%llu,"
		"\"first\":\"%s\",\"first_ns\":%llu,\"last\":\"%s\",\"last_ns\":%llu",
		k->family == 6 ? "IP6" : "IP", src, dst, sip, port[cl], dip,
		port[sv], flow_state_name[flow_state(v)],
		(unsigned long long)col_value(v, FLOW_PACKETS),
		(unsigned long long)col_value(v, FLOW_BYTES),
		(unsigned long long)col_value(v, FLOW_SYN),
		(unsigned long long)col_value(v, FLOW_SYNACK),
		(unsigned long long)col_value(v, FLOW_FIN),
		(unsigned long long)col_value(v, FLOW_RST),
		num_or_null(hs, v->hs_ns != 0, v->hs_ns / 1000),
		num_or_null(rtt, have, us),
		(unsigned long long)col_value(v, FLOW_RETRANS), first,
		(unsigned long long)first_ns, last, (unsigned long long)last_ns);
	n = side_json(buf, n, "from_src", &v->s[cl]);
	n = side_json(buf, n, "from_dst", &v->s[sv]);
	return add(buf, n, "}\n");
}
