// SPDX-License-Identifier: GPL-2.0
/*
 * flows.c - sorting and formatting the flow table (see flows.h).
 *
 * Every line is built with bounded snprintf into a FLOW_LINE_LEN
 * buffer; the widest text row (two bracketed IPv6 addresses with ports,
 * six 20-digit counts, two times) and the widest JSON object fit in it.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "flows.h"

enum { COL_SRC, COL_DST, COL_PACKETS, COL_BYTES, COL_SYN, COL_SYNACK,
       COL_FIN, COL_RST, COL_FIRST, COL_LAST, COL_CNT };

_Static_assert(COL_CNT == FLOW_TEXT_COLS, "flow_layout.width");

static const char *const col_head[COL_CNT] = {
	"SOURCE", "DESTINATION", "PACKETS", "BYTES", "SYN", "SYN-ACK",
	"FIN", "RST", "FIRST", "LAST",
};

#define TIME_LEN	12	/* "HH:MM:SS.mmm" */

const char flow_col_names[] = "packets, bytes, syn, synack, fin, rst, first or last";

const char *const flow_col_name[FLOW_COL_CNT] = {
	[FLOW_PACKETS] = "packets", [FLOW_BYTES] = "bytes",
	[FLOW_SYN] = "syn", [FLOW_SYNACK] = "synack",
	[FLOW_FIN] = "fin", [FLOW_RST] = "rst",
	[FLOW_FIRST] = "first", [FLOW_LAST] = "last",
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

static __u64 col_value(const struct ti_flow *v, enum flow_col col)
{
	switch (col) {
	case FLOW_BYTES:	return v->bytes;
	case FLOW_SYN:		return v->syn;
	case FLOW_SYNACK:	return v->synack;
	case FLOW_FIN:		return v->fin;
	case FLOW_RST:		return v->rst;
	case FLOW_FIRST:	return v->first_ns;
	case FLOW_LAST:		return v->last_ns;
	default:		return v->packets;
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
	       desc(a->val.packets, b->val.packets) ?:
	       desc(a->val.bytes, b->val.bytes) ?:
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
	       desc(a->val.packets, b->val.packets);
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

/* The cells of a row, as text. */
struct cells {
	char addr[2][FLOW_ADDR_LEN];
	char num[6][24];
	char time[2][TIME_LEN + 1];
};

static void cells(struct cells *c, const struct flow_entry *e,
		  __s64 mono_to_real)
{
	const struct ti_flow *v = &e->val;
	const __u64 num[6] = { v->packets, v->bytes, v->syn, v->synack,
			       v->fin, v->rst };
	int i;

	flow_addr(c->addr[0], e->key.saddr, e->key.sport, e->key.family);
	flow_addr(c->addr[1], e->key.daddr, e->key.dport, e->key.family);
	for (i = 0; i < 6; i++)
		snprintf(c->num[i], sizeof(c->num[i]), "%llu",
			 (unsigned long long)num[i]);
	time_text(c->time[0], v->first_ns, mono_to_real);
	time_text(c->time[1], v->last_ns, mono_to_real);
}

static const char *cell(const struct cells *c, int col)
{
	return col <= COL_DST ? c->addr[col] :
	       col <= COL_RST ? c->num[col - COL_PACKETS] :
	       c->time[col - COL_FIRST];
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
			w = strlen(cell(&c, col));
			if (w > l->width[col])
				l->width[col] = w;
		}
	}
}

/* Addresses and times flush left, counts flush right; no trailing blanks. */
static size_t line(char *buf, const struct flow_layout *l,
		   const char *const *text)
{
	size_t n = 0;
	int col, w;

	for (col = 0; col < COL_CNT; col++) {
		w = l->width[col];
		if (col == COL_LAST)
			w = 0;
		else if (col < COL_PACKETS || col > COL_RST)
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
		text[col] = cell(&c, col);
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

size_t flow_json(char *buf, const struct flow_entry *e, __s64 mono_to_real,
		 __u64 report)
{
	const struct ti_flow *v = &e->val;
	const struct ti_flow_key *k = &e->key;
	char src[FLOW_ADDR_LEN], dst[FLOW_ADDR_LEN];
	char sip[INET6_ADDRSTRLEN], dip[INET6_ADDRSTRLEN];
	char first[96], last[96], rep[40] = "";
	__u64 first_ns = v->first_ns + mono_to_real;
	__u64 last_ns = v->last_ns + mono_to_real;
	int n;

	flow_addr(src, k->saddr, k->sport, k->family);
	flow_addr(dst, k->daddr, k->dport, k->family);
	ip_str(sip, k->saddr, k->family);
	ip_str(dip, k->daddr, k->family);
	time_iso(first, sizeof(first), first_ns);
	time_iso(last, sizeof(last), last_ns);
	if (report)
		snprintf(rep, sizeof(rep), "\"report\":%llu,",
			 (unsigned long long)report);
	n = snprintf(buf, FLOW_LINE_LEN,
		     "{%s\"proto\":\"%s\",\"source\":\"%s\",\"destination\":\"%s\","
		     "\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
		     "\"packets\":%llu,\"bytes\":%llu,\"syn\":%u,\"synack\":%u,\"fin\":%u,\"rst\":%u,"
		     "\"first\":\"%s\",\"first_ns\":%llu,\"last\":\"%s\",\"last_ns\":%llu}\n",
		     rep, k->family == 6 ? "IP6" : "IP",
		     src, dst, sip, k->sport, dip, k->dport,
		     (unsigned long long)v->packets, (unsigned long long)v->bytes,
		     v->syn, v->synack, v->fin, v->rst, first,
		     (unsigned long long)first_ns, last,
		     (unsigned long long)last_ns);
	return n < 0 ? 0 : n >= FLOW_LINE_LEN ? FLOW_LINE_LEN - 1 : (size_t)n;
}
