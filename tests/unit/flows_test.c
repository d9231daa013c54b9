// SPDX-License-Identifier: GPL-2.0
/*
 * flows_test.c - unit tests of flows.c, built with AddressSanitizer and
 * UBSan, no privilege: column names, addresses (IPv4, bracketed IPv6),
 * which end is the client, the state of a connection for each state,
 * SYNs told from SYN-ACKs, the RTT column's choice, the sort order for
 * every column (largest first, ties by packets, bytes, key) on random
 * tables and on hand-made ones for rtt and retrans, de-duplication of a
 * walk that read keys twice, the text table's exact lines and widths,
 * the exact JSON object, JSON read back by a reader of our own (every
 * field, its type, its value), and the widest possible row and object
 * fitting their buffer.  Times are shown in UTC here (TZ=UTC).
 *
 * Output: one line per case, "ok NAME" or "not ok NAME: why".  Exit
 * status 1 if a case failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "flows.h"
#include "../result.h"

/* 1700000000 s is 2023-11-14T22:13:20Z; the tables' monotonic 0. */
#define REAL0	1700000000000000000ll

static struct flow_entry v4(const char *s, __u16 sp, const char *d, __u16 dp)
{
	struct flow_entry e;
	unsigned a[4], b[4];

	memset(&e, 0, sizeof(e));
	sscanf(s, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	sscanf(d, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]);
	for (int i = 0; i < 4; i++) {
		e.key.saddr[i] = a[i];
		e.key.daddr[i] = b[i];
	}
	e.key.sport = sp;
	e.key.dport = dp;
	e.key.family = 4;
	return e;
}

/* --- a JSON reader of our own --------------------------------------------- */

/*
 * flow_json's objects flattened: each value with its path ("from_src.rtt_us")
 * and type: 's' string, 'n' number (digits), 'z' null, 'o' an object (its
 * members follow).  Strict: no blanks, no escapes, no leading zeros.
 */
struct jfield {
	char path[64];
	char val[64];
	char type;
};

struct jdoc {
	struct jfield f[96];
	int n;
};

static const char *jstr(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || *p == '\\' || (unsigned char)*p < 0x20 || n + 1 >= len)
			return NULL;
		out[n++] = *p;
	}
	out[n] = 0;
	return p + 1;
}

static const char *jobject(const char *p, struct jdoc *d, const char *prefix);

static const char *jvalue(const char *p, struct jdoc *d, const char *path)
{
	struct jfield *f;
	size_t n = 0;

	if (d->n >= (int)(sizeof(d->f) / sizeof(d->f[0])))
		return NULL;
	f = &d->f[d->n++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->val[0] = 0;
	if (*p == '"') {
		f->type = 's';
		return jstr(p, f->val, sizeof(f->val));
	}
	if (*p == '{') {
		f->type = 'o';
		return jobject(p, d, path);
	}
	if (!strncmp(p, "null", 4)) {
		f->type = 'z';
		return p + 4;
	}
	f->type = 'n';
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return NULL;
	while (*p >= '0' && *p <= '9' && n + 1 < sizeof(f->val))
		f->val[n++] = *p++;
	f->val[n] = 0;
	return n ? p : NULL;
}

static const char *jobject(const char *p, struct jdoc *d, const char *prefix)
{
	char key[48], path[64];

	if (*p++ != '{')
		return NULL;
	if (*p == '}')
		return p + 1;
	for (;;) {
		p = jstr(p, key, sizeof(key));
		if (!p || *p++ != ':')
			return NULL;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		p = jvalue(p, d, path);
		if (!p)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* Read one object and its '\n'; 0, or -1 if it is not one. */
static int jparse(const char *s, struct jdoc *d)
{
	d->n = 0;
	s = jobject(s, d, "");
	return s && !strcmp(s, "\n") ? 0 : -1;
}

static const struct jfield *jget(const struct jdoc *d, const char *path)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->f[i].path, path))
			return &d->f[i];
	return NULL;
}

/* path is a number equal to v (or null, for v == -1). */
static int jnum(const struct jdoc *d, const char *path, long long v)
{
	const struct jfield *f = jget(d, path);
	char s[32];

	if (!f)
		return 0;
	if (v < 0)
		return f->type == 'z';
	snprintf(s, sizeof(s), "%lld", v);
	return f->type == 'n' && !strcmp(f->val, s);
}

static int jstreq(const struct jdoc *d, const char *path, const char *v)
{
	const struct jfield *f = jget(d, path);

	return f && f->type == 's' && !strcmp(f->val, v);
}

static const char *const top_keys[] = {
	"report", "proto", "source", "destination", "src", "sport", "dst",
	"dport", "state", "packets", "bytes", "syn", "synack", "fin", "rst",
	"handshake_rtt_us", "rtt_us", "retrans", "first", "first_ns", "last",
	"last_ns", "from_src", "from_dst",
};
static const char *const side_keys[] = {
	"packets", "bytes", "retrans", "fast_retrans", "spurious_retrans",
	"out_of_order", "dup_acks", "zero_window", "window_probes",
	"keep_alives", "lost_segments", "syn", "fin", "rst", "rtt_us",
	"rtt_samples", "xdp_drop",
};

/*
 * Exactly flows.h's fields, in its order (the report number first if
 * there is one), each of its type.  NULL, or what is wrong.
 */
static const char *jshape(const struct jdoc *d, char *why, size_t len)
{
	static const char *const strs = " proto source destination src dst state first last ";
	size_t nt = sizeof(top_keys) / sizeof(top_keys[0]);
	size_t ns = sizeof(side_keys) / sizeof(side_keys[0]);
	char want[64], word[72];
	size_t t, s;
	int i = 0;
	const struct jfield *f;

	for (t = jget(d, "report") ? 0 : 1; t < nt; t++) {
		f = &d->f[i++];
		if (i > d->n || strcmp(f->path, top_keys[t]))
			goto bad;
		snprintf(word, sizeof(word), " %s ", f->path);
		if (strstr(strs, word) ? f->type != 's' :
		    !strcmp(f->path, "from_src") || !strcmp(f->path, "from_dst") ?
		    f->type != 'o' :
		    f->type != 'n' && !(f->type == 'z' && strstr(f->path, "rtt_us")))
			goto badtype;
		if (f->type != 'o')
			continue;
		for (s = 0; s < ns; s++) {
			snprintf(want, sizeof(want), "%s.%s", top_keys[t], side_keys[s]);
			f = &d->f[i++];
			if (i > d->n || strcmp(f->path, want))
				goto bad;
			if (f->type != 'n' && !(f->type == 'z' && !strcmp(side_keys[s], "rtt_us")))
				goto badtype;
		}
	}
	if (i != d->n) {
		snprintf(why, len, "%d fields, want %d", d->n, i);
		return why;
	}
	return NULL;
bad:
	snprintf(why, len, "field %d is '%s', want '%s'", i - 1,
		 i > d->n ? "(none)" : d->f[i - 1].path,
		 t < nt ? top_keys[t] : "?");
	return why;
badtype:
	snprintf(why, len, "'%s' of type %c", f->path, f->type);
	return why;
}

/* --- the cases --------------------------------------------------------------- */

static void test_names(void)
{
	static const struct { const char *s; int col; } t[] = {
		{ "packets", FLOW_PACKETS }, { "bytes", FLOW_BYTES },
		{ "syn", FLOW_SYN }, { "synack", FLOW_SYNACK },
		{ "syn-ack", FLOW_SYNACK }, { "fin", FLOW_FIN },
		{ "rst", FLOW_RST }, { "first", FLOW_FIRST },
		{ "last", FLOW_LAST }, { "rtt", FLOW_RTT },
		{ "retrans", FLOW_RETRANS }, { "", -1 }, { "Packets", -1 },
		{ "pkts", -1 }, { "syn ", -1 }, { "packetsx", -1 },
		{ "RTT", -1 }, { "retransmissions", -1 }, { "state", -1 },
	};
	size_t i;
	int bad = -1;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (flow_col_parse(t[i].s) != t[i].col)
			bad = i;
	result("column names", bad < 0, "'%s' gave %d", bad < 0 ? "" : t[bad].s,
	       bad < 0 ? 0 : flow_col_parse(t[bad].s));
	for (i = 0, bad = -1; i < FLOW_COL_CNT; i++)
		if (!strstr(flow_col_names, flow_col_name[i]))
			bad = i;
	result("column names: each one in flow_col_names", bad < 0, "%s missing",
	       bad < 0 ? "" : flow_col_name[bad]);
}

static void test_addr(void)
{
	static const struct {
		__u8 a[16];
		__u16 port;
		__u8 family;
		const char *want;
	} t[] = {
		{ { 10, 0, 0, 1 }, 80, 4, "10.0.0.1:80" },
		{ { 255, 255, 255, 255 }, 65535, 4, "255.255.255.255:65535" },
		{ { 0, 0, 0, 0 }, 0, 4, "0.0.0.0:0" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 443, 6, "[2001:db8::1]:443" },
		{ { [15] = 1 }, 22, 6, "[::1]:22" },
		{ { [10] = 0xff, 0xff, 1, 2, 3, 4 }, 1, 6, "[::ffff:1.2.3.4]:1" },
		{ { 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55,
		    0x66, 0x66, 0x77, 0x77, 0x88, 0x88 }, 65535, 6,
		  "[1111:2222:3333:4444:5555:6666:7777:8888]:65535" },
	};
	char s[FLOW_ADDR_LEN], name[80];
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(s, 'Z', sizeof(s));
		n = flow_addr(s, t[i].a, t[i].port, t[i].family);
		snprintf(name, sizeof(name), "address %s", t[i].want);
		result(name, !strcmp(s, t[i].want) && n == strlen(t[i].want),
		       "got '%s' (%zu)", s, n);
	}
}

/* The client and the server as a row and an object show them. */
static void shown(const struct flow_entry *e, char *row, char *src, char *dst)
{
	struct flow_layout l;
	char line[FLOW_LINE_LEN];
	struct jdoc d;
	const struct jfield *f;

	flow_layout(&l, e, 1, REAL0);
	flow_row(line, &l, e);
	sscanf(line, "%63s %63s", row, row + 64);
	flow_json(line, e, REAL0, 0);
	strcpy(src, "?");
	strcpy(dst, "?");
	if (jparse(line, &d))
		return;
	if ((f = jget(&d, "source")))
		strcpy(src, f->val);
	if ((f = jget(&d, "destination")))
		strcpy(dst, f->val);
}

static void test_client(void)
{
	static const struct {
		const char *name;
		__u16 sport, dport;	/* the key's */
		int syn, client;	/* a SYN seen, from client */
		int synack0, synack1;	/* TI_SIDE_SYNACK of s[0], s[1] */
		int want;		/* flow_client() */
	} t[] = {
		{ "the first SYN's sender (second end)", 80, 40000, 1, 1, 0, 0, 1 },
		{ "the first SYN's sender, whatever the ports", 40000, 80, 1, 1, 0, 0, 1 },
		{ "the first SYN's sender (first end), though it sent a SYN-ACK too", 80, 40000, 1, 0, 1, 1, 0 },
		{ "no SYN: not the end that sent the SYN-ACK", 50000, 40000, 0, 0, 1, 0, 1 },
		{ "no SYN: not the end that sent the SYN-ACK (second)", 40000, 50000, 0, 0, 0, 1, 0 },
		{ "no SYN, no SYN-ACK: the higher port (second)", 443, 51000, 0, 0, 0, 0, 1 },
		{ "no SYN, no SYN-ACK: the higher port (first)", 51000, 443, 0, 0, 0, 0, 0 },
		{ "both sent SYN-ACKs, no SYN: the higher port", 22, 3000, 0, 0, 1, 1, 1 },
		{ "equal ports: the key's first end", 7000, 7000, 0, 0, 0, 0, 0 },
	};
	char name[128], row[128], src[64], dst[64], a[2][FLOW_ADDR_LEN];
	struct flow_entry e;
	size_t i;
	int got, c;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = v4("10.0.0.1", t[i].sport, "10.0.0.2", t[i].dport);
		e.val.s[0].packets = e.val.s[1].packets = 1;
		if (t[i].syn) {
			e.val.syn_ns = 5;
			e.val.client = t[i].client;
		}
		e.val.s[0].st = t[i].synack0 ? TI_SIDE_SYNACK : 0;
		e.val.s[1].st = t[i].synack1 ? TI_SIDE_SYNACK : 0;
		got = flow_client(&e);
		c = t[i].want;
		flow_addr(a[0], e.key.saddr, e.key.sport, 4);
		flow_addr(a[1], e.key.daddr, e.key.dport, 4);
		shown(&e, row, src, dst);
		snprintf(name, sizeof(name), "client: %s", t[i].name);
		result(name, got == c && !strcmp(row, a[c]) && !strcmp(row + 64, a[!c]) &&
		       !strcmp(src, a[c]) && !strcmp(dst, a[!c]),
		       "side %d; row %s -> %s, JSON %s -> %s", got, row, row + 64, src, dst);
	}
}

/* A connection in state want: its value, as the kernel would leave it. */
static void test_state(void)
{
	enum { SYNACK = TI_SIDE_SYNACK, FIN = TI_SIDE_FIN,
	       ACKED = TI_SIDE_FIN | TI_SIDE_FIN_ACKED, RST = TI_SIDE_RST };
	static const struct {
		const char *name;
		int hs;			/* handshake seen */
		__u32 pk0, syn0, st0;	/* s[0]: packets, syn, st */
		__u32 pk1, syn1, st1;
		int want;
	} t[] = {
		{ "SYN_SENT: a SYN", 0, 1, 1, 0, 0, 0, 0, FLOW_ST_SYN_SENT },
		{ "SYN_SENT: a SYN sent again", 0, 3, 3, 0, 0, 0, 0, FLOW_ST_SYN_SENT },
		{ "SYN_RECV: SYN, SYN-ACK", 0, 1, 1, 0, 1, 1, SYNACK, FLOW_ST_SYN_RECV },
		{ "SYN_RECV: the SYN-ACK alone", 0, 0, 0, 0, 2, 2, SYNACK, FLOW_ST_SYN_RECV },
		{ "ESTABLISHED: the handshake", 1, 2, 1, 0, 1, 1, SYNACK, FLOW_ST_ESTABLISHED },
		{ "ESTABLISHED: mid-stream, data both ways", 0, 5, 0, 0, 4, 0, 0, FLOW_ST_ESTABLISHED },
		{ "ESTABLISHED: one way, after its SYN", 0, 6, 1, 0, 0, 0, 0, FLOW_ST_ESTABLISHED },
		{ "ESTABLISHED: one way, after the SYN-ACK", 0, 0, 0, 0, 5, 1, SYNACK, FLOW_ST_ESTABLISHED },
		{ "FIN_WAIT: one FIN", 1, 5, 1, FIN, 4, 1, SYNACK, FLOW_ST_FIN_WAIT },
		{ "FIN_WAIT: one FIN, acknowledged", 1, 5, 1, ACKED, 4, 1, SYNACK, FLOW_ST_FIN_WAIT },
		{ "CLOSING: both FINs", 1, 5, 1, FIN, 4, 1, SYNACK | FIN, FLOW_ST_CLOSING },
		{ "CLOSING: both FINs, one acknowledged", 1, 5, 1, ACKED, 4, 1, SYNACK | FIN, FLOW_ST_CLOSING },
		{ "CLOSED: both FINs acknowledged", 1, 6, 1, ACKED, 5, 1, SYNACK | ACKED, FLOW_ST_CLOSED },
		{ "CLOSED: a RST answers the SYN", 0, 1, 1, 0, 1, 0, RST, FLOW_ST_CLOSED },
		{ "CLOSED: a RST mid-stream, one way", 0, 1, 0, RST, 0, 0, 0, FLOW_ST_CLOSED },
		{ "CLOSED: a RST after one FIN", 1, 5, 1, FIN, 4, 1, SYNACK | RST, FLOW_ST_CLOSED },
	};
	struct flow_entry e;
	struct jdoc d;
	char name[96], line[FLOW_LINE_LEN];
	size_t i;
	int got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = v4("10.0.0.1", 40000, "10.0.0.2", 80);
		e.val.s[0].packets = t[i].pk0;
		e.val.s[0].syn = t[i].syn0;
		e.val.s[0].st = t[i].st0;
		e.val.s[1].packets = t[i].pk1;
		e.val.s[1].syn = t[i].syn1;
		e.val.s[1].st = t[i].st1;
		if (t[i].syn0) {
			e.val.syn_ns = 1000;
			e.val.client = 0;
		}
		e.val.hs_ns = t[i].hs ? 250000 : 0;
		got = flow_state(&e.val);
		flow_json(line, &e, REAL0, 0);
		snprintf(name, sizeof(name), "state %s", t[i].name);
		result(name, got == t[i].want && !jparse(line, &d) &&
		       jstreq(&d, "state", flow_state_name[t[i].want]),
		       "got %s; %s", got >= 0 && got < FLOW_ST_CNT ? flow_state_name[got] : "?",
		       line);
	}
}

/* SYNs and SYN-ACKs: ti_side.syn counts both, the totals tell them apart. */
static void test_syns(void)
{
	struct flow_entry e = v4("10.0.0.1", 80, "10.0.0.2", 40000);
	char line[FLOW_LINE_LEN];
	struct jdoc d;

	/* the client (second end) sent its SYN twice, the server one SYN-ACK */
	e.val.syn_ns = 1;
	e.val.client = 1;
	e.val.s[1].packets = e.val.s[1].syn = 2;
	e.val.s[0].packets = e.val.s[0].syn = 1;
	e.val.s[0].st = TI_SIDE_SYNACK;
	flow_json(line, &e, REAL0, 0);
	result("syn, synack: the client's SYNs, the server's SYN-ACKs",
	       !jparse(line, &d) && jnum(&d, "syn", 2) && jnum(&d, "synack", 1) &&
	       jnum(&d, "from_src.syn", 2) && jnum(&d, "from_dst.syn", 1) &&
	       flow_synacks(&e.val, 0) && !flow_synacks(&e.val, 1), "%s", line);
	/* no SYN seen: every SYN counted was a SYN-ACK */
	e.val.syn_ns = 0;
	e.val.client = 0;
	e.val.s[1].packets = e.val.s[1].syn = 0;
	flow_json(line, &e, REAL0, 0);
	result("syn, synack: no SYN seen, the SYN-ACK counted as one",
	       !jparse(line, &d) && jnum(&d, "syn", 0) && jnum(&d, "synack", 1) &&
	       jnum(&d, "from_dst.syn", 1) && flow_synacks(&e.val, 0) &&
	       flow_synacks(&e.val, 1), "%s", line);
}

static void test_rtt(void)
{
	static const struct {
		const char *name;
		__u32 cnt0, srtt0, cnt1, srtt1;
		__u64 hs_ns;
		const char *want;	/* the RTT cell */
		long long us, hs_us;	/* JSON's rtt_us, handshake_rtt_us; -1 null */
	} t[] = {
		{ "the larger smoothed RTT (first side)", 4, 20406, 2, 300, 1000000, "20.406", 20406, 1000 },
		{ "the larger smoothed RTT (second side)", 1, 300, 9, 20406, 0, "20.406", 20406, -1 },
		{ "a side without samples does not count", 0, 99000, 3, 1500, 0, "1.500", 1500, -1 },
		{ "a sample of 0 us is one", 1, 0, 0, 0, 7000000, "0.000", 0, 7000 },
		{ "no samples: the handshake RTT", 0, 5, 0, 5, 20406999, "20.406", 20406, 20406 },
		{ "a handshake under 1 us", 0, 0, 0, 0, 1, "0.000", 0, 0 },
		{ "neither: -", 0, 7, 0, 7, 0, "-", -1, -1 },
		{ "seconds", 1, 3250000, 0, 0, 0, "3250.000", 3250000, -1 },
	};
	struct flow_entry e;
	struct flow_layout l;
	struct jdoc d;
	char name[96], line[FLOW_LINE_LEN], json[FLOW_LINE_LEN], cell[16][32];
	size_t i;
	int ok;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = v4("10.0.0.1", 40000, "10.0.0.2", 80);
		e.val.s[0].packets = e.val.s[1].packets = 3;
		e.val.s[0].rtt_cnt = t[i].cnt0;
		e.val.s[0].srtt_us = t[i].srtt0;
		e.val.s[1].rtt_cnt = t[i].cnt1;
		e.val.s[1].srtt_us = t[i].srtt1;
		e.val.hs_ns = t[i].hs_ns;
		flow_layout(&l, &e, 1, REAL0);
		flow_row(line, &l, &e);
		/* CLIENT SERVER STATE PACKETS BYTES SYN SYN-ACK FIN RST RTT ... */
		ok = sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %31s %31s %31s",
			    cell[0], cell[1], cell[2], cell[3], cell[4], cell[5],
			    cell[6], cell[7], cell[8], cell[9]) == 10 &&
		     !strcmp(cell[9], t[i].want);
		flow_json(json, &e, REAL0, 0);
		ok = ok && !jparse(json, &d) && jnum(&d, "rtt_us", t[i].us) &&
		     jnum(&d, "handshake_rtt_us", t[i].hs_us) &&
		     jnum(&d, "from_src.rtt_us", t[i].cnt0 ? (long long)t[i].srtt0 : -1) &&
		     jnum(&d, "from_dst.rtt_us", t[i].cnt1 ? (long long)t[i].srtt1 : -1) &&
		     jnum(&d, "from_src.rtt_samples", t[i].cnt0) &&
		     jnum(&d, "from_dst.rtt_samples", t[i].cnt1);
		snprintf(name, sizeof(name), "rtt: %s", t[i].name);
		result(name, ok, "row '%.*s' JSON %s", (int)strlen(line) - 1, line, json);
	}
}

/* The test's own reading of each column's value (flows.h). */
static __u64 value(const struct flow_entry *e, int col)
{
	const struct ti_side *a = &e->val.s[0], *b = &e->val.s[1];
	__u64 syn = 0, synack = 0, rtt = 0;
	int i;

	for (i = 0; i < 2; i++) {
		if (e->val.syn_ns && e->val.client == i)
			syn += e->val.s[i].syn;
		else
			synack += e->val.s[i].syn;
		if (e->val.s[i].rtt_cnt && e->val.s[i].srtt_us + 1 > rtt)
			rtt = e->val.s[i].srtt_us + 1;
	}
	if (!rtt && e->val.hs_ns)
		rtt = e->val.hs_ns / 1000 + 1;
	switch (col) {
	case FLOW_PACKETS:	return a->packets + b->packets;
	case FLOW_BYTES:	return a->bytes + b->bytes;
	case FLOW_SYN:		return syn;
	case FLOW_SYNACK:	return synack;
	case FLOW_FIN:		return a->fin + b->fin;
	case FLOW_RST:		return a->rst + b->rst;
	case FLOW_FIRST:	return e->val.first_ns;
	case FLOW_LAST:		return e->val.last_ns;
	case FLOW_RTT:		return rtt;
	default:		return (__u64)a->retrans + b->retrans;
	}
}

/* Sorted as flows.h promises, and a permutation of the input? */
static int sorted(const struct flow_entry *e, size_t n, int col, char *why,
		  size_t why_len)
{
	size_t i;

	for (i = 1; i < n; i++) {
		const struct flow_entry *a = &e[i - 1], *b = &e[i];

		if (value(a, col) != value(b, col)) {
			if (value(a, col) < value(b, col))
				goto bad;
		} else if (value(a, FLOW_PACKETS) != value(b, FLOW_PACKETS)) {
			if (value(a, FLOW_PACKETS) < value(b, FLOW_PACKETS))
				goto bad;
		} else if (value(a, FLOW_BYTES) != value(b, FLOW_BYTES)) {
			if (value(a, FLOW_BYTES) < value(b, FLOW_BYTES))
				goto bad;
		} else if (memcmp(&a->key, &b->key, sizeof(a->key)) >= 0) {
			goto bad;
		}
	}
	return 1;
bad:
	snprintf(why, why_len, "rows %zu and %zu out of order", i - 1, i);
	return 0;
}

static __u64 sum_keys(const struct flow_entry *e, size_t n)
{
	__u64 s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += e[i].key.sport * 65537ull + e[i].key.dport + value(&e[i], FLOW_PACKETS);
	return s;
}

static void test_sort(void)
{
	enum { N = 300 };
	static struct flow_entry e[N], copy[N], shuffled[N];
	static __u32 idx[N], tmp[N];
	char name[64], why[128];
	struct ti_side *s;
	size_t i, j;
	int col, ok, k;

	srand(7);
	for (i = 0; i < N; i++) {
		e[i] = v4("10.0.0.1", i, "10.0.0.2", 1000 + i % 7);
		/* Few distinct values: many ties, so the tie-breaks matter. */
		for (k = 0; k < 2; k++) {
			s = &e[i].val.s[k];
			s->packets = rand() % 3;
			s->bytes = rand() % 2 * 100;
			s->syn = rand() % 2;
			s->fin = rand() % 2;
			s->rst = rand() % 3;
			s->retrans = rand() % 3;
			s->rtt_cnt = rand() % 2;
			s->srtt_us = rand() % 3 * 1000;
		}
		if (rand() % 2) {
			e[i].val.syn_ns = 1;
			e[i].val.client = rand() % 2;
		}
		e[i].val.hs_ns = rand() % 3 * 1000000ull;
		e[i].val.first_ns = 1000000000ull * (rand() % 10);
		e[i].val.last_ns = e[i].val.first_ns + rand() % 3;
	}
	for (col = 0; col < FLOW_COL_CNT; col++) {
		memcpy(copy, e, sizeof(e));
		flow_sort(copy, N, col);
		snprintf(name, sizeof(name), "sort by %s", flow_col_name[col]);
		ok = sorted(copy, N, col, why, sizeof(why));
		result(name, ok && sum_keys(copy, N) == sum_keys(e, N), "%s",
		       ok ? "not a permutation" : why);
		/* The same order whatever the input order. */
		memcpy(shuffled, e, sizeof(e));
		for (i = N - 1; i > 0; i--) {
			struct flow_entry t;

			j = rand() % (i + 1);
			t = shuffled[i];
			shuffled[i] = shuffled[j];
			shuffled[j] = t;
		}
		flow_sort(shuffled, N, col);
		snprintf(name, sizeof(name), "sort by %s: deterministic", flow_col_name[col]);
		result(name, !memcmp(shuffled, copy, sizeof(copy)), "orders differ");
		/* flow_order: the same order, as indexes, e untouched. */
		memcpy(shuffled, e, sizeof(e));
		for (i = 0; i < N; i++)
			idx[i] = N - 1 - i;
		flow_order(shuffled, idx, N, col, tmp);
		for (i = 0; i < N && !memcmp(&shuffled[idx[i]], &copy[i], sizeof(copy[i])); i++)
			;
		snprintf(name, sizeof(name), "order by %s: as the sort, input kept",
			 flow_col_name[col]);
		result(name, i == N && !memcmp(shuffled, e, sizeof(e)), "differs at %zu", i);
	}
	flow_sort(e, 0, FLOW_BYTES);
	result("sort of nothing", 1, "-");
}

/* rtt and retrans on tables made by hand: which comes first, and ties. */
static void test_sort_health(void)
{
	static const struct {
		__u16 port;
		__u64 packets;
		__u32 cnt0, srtt0, cnt1, srtt1;
		__u64 hs_ns;
		__u32 rtx0, rtx1;
	} t[] = {
		{ 1, 10, 1, 5000, 0, 0, 0, 3, 0 },	/* rtt 5 ms */
		{ 2, 100, 0, 0, 0, 0, 0, 0, 0 },	/* none, the most packets */
		{ 3, 20, 0, 0, 0, 0, 5000000, 0, 3 },	/* handshake 5 ms */
		{ 4, 1, 1, 0, 0, 0, 0, 2, 2 },		/* rtt 0 */
		{ 5, 2, 0, 9000, 2, 7000, 0, 0, 0 },	/* 7 ms: 9 has no sample */
		{ 6, 10, 1, 5000, 0, 0, 0, 0, 3 },	/* 5 ms, as 1, a later key */
	};
	static const __u16 by_rtt[] = { 5, 3, 1, 6, 4, 2 };
	static const __u16 by_rtx[] = { 4, 3, 1, 6, 2, 5 };
	enum { N = sizeof(t) / sizeof(t[0]) };
	struct flow_entry e[N], orig[N];
	__u32 idx[N], tmp[N];
	char got[64];
	size_t i, n;
	int col, ok;

	for (col = FLOW_RTT; col <= FLOW_RETRANS; col++) {
		const __u16 *want = col == FLOW_RTT ? by_rtt : by_rtx;

		for (i = 0; i < N; i++) {
			e[i] = v4("10.0.0.1", 40000 + t[i].port, "10.0.0.2", 80);
			e[i].val.s[0].packets = t[i].packets;
			e[i].val.s[0].rtt_cnt = t[i].cnt0;
			e[i].val.s[0].srtt_us = t[i].srtt0;
			e[i].val.s[1].rtt_cnt = t[i].cnt1;
			e[i].val.s[1].srtt_us = t[i].srtt1;
			e[i].val.hs_ns = t[i].hs_ns;
			e[i].val.s[0].retrans = t[i].rtx0;
			e[i].val.s[1].retrans = t[i].rtx1;
			idx[i] = i;
		}
		memcpy(orig, e, sizeof(e));
		flow_order(orig, idx, N, col, tmp);
		flow_sort(e, N, col);
		for (i = 0, n = 0, ok = 1; i < N; i++) {
			ok &= e[i].key.sport - 40000 == want[i] &&
			      orig[idx[i]].key.sport == e[i].key.sport;
			n += snprintf(got + n, sizeof(got) - n, " %d", e[i].key.sport - 40000);
		}
		result(col == FLOW_RTT ?
		       "sort by rtt: largest first, ties by packets, then key; none last" :
		       "sort by retrans: both sides' sum, ties by packets",
		       ok, "order%s", got);
	}
}

static void test_dedup(void)
{
	struct flow_entry e[8];
	size_t n, i;
	int ok = 1;

	result("dedup of nothing", flow_dedup(e, 0) == 0, "not 0");
	e[0] = v4("1.1.1.1", 1, "2.2.2.2", 2);
	e[0].val.s[0].packets = 3;
	result("dedup of one", flow_dedup(e, 1) == 1 && e[0].val.s[0].packets == 3,
	       "changed");
	/* Keys a, b, a, c, b, a read over time: later readings are newer. */
	for (i = 0; i < 6; i++) {
		static const int key[6] = { 0, 1, 0, 2, 1, 0 };

		e[i] = v4("1.1.1.1", 10 + key[i], "2.2.2.2", 80);
		e[i].val.last_ns = 100 + i;
		e[i].val.s[i % 2].packets = i + 1;
	}
	n = flow_dedup(e, 6);
	for (i = 0; i < n; i++) {
		if (e[i].key.sport == 10)
			ok &= e[i].val.last_ns == 105 && e[i].val.s[1].packets == 6;
		if (e[i].key.sport == 11)
			ok &= e[i].val.last_ns == 104;
		if (e[i].key.sport == 12)
			ok &= e[i].val.last_ns == 103;
	}
	result("dedup keeps one per key, the latest reading", n == 3 && ok,
	       "%zu entries left", n);
	/* An address difference is a different key. */
	e[0] = v4("1.1.1.1", 1, "2.2.2.2", 2);
	e[1] = v4("1.1.1.3", 1, "2.2.2.2", 2);
	e[2] = e[0];
	e[2].key.family = 6;
	result("dedup: addresses and family are part of the key",
	       flow_dedup(e, 3) == 3, "merged");
}

/*
 * The two rows of the table tests.  An IPv4 connection seen whole, from
 * its SYN (the key's first end) to both FINs acknowledged, the RTT of
 * its handshake; an IPv6 one seen mid-stream, its server the key's
 * first end, smoothed RTTs on both sides.
 */
static void two_rows(struct flow_entry *e)
{
	struct ti_side *c, *s;

	e[0] = v4("10.0.0.1", 40000, "10.0.0.2", 80);
	e[0].val.first_ns = 1000000000ull;
	e[0].val.last_ns = 2500000000ull;
	e[0].val.syn_ns = 1000000000ull;
	e[0].val.hs_ns = 20406123ull;
	c = &e[0].val.s[0];
	s = &e[0].val.s[1];
	*c = (struct ti_side){ .packets = 7, .bytes = 1456, .syn = 1, .fin = 1,
			       .retrans = 1, .dupack = 2,
			       .st = TI_SIDE_SEQ | TI_SIDE_FIN | TI_SIDE_FIN_ACKED };
	*s = (struct ti_side){ .packets = 5, .bytes = 2000, .syn = 1, .fin = 1,
			       .zero_win = 1,
			       .st = TI_SIDE_SYNACK | TI_SIDE_FIN | TI_SIDE_FIN_ACKED };

	memset(&e[1], 0, sizeof(e[1]));
	e[1].key.family = 6;
	memcpy(e[1].key.saddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	memcpy(e[1].key.daddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2", 16);
	e[1].key.sport = 443;
	e[1].key.dport = 51000;
	e[1].val.first_ns = 3123456789ull;
	e[1].val.last_ns = 4000000000ull;
	s = &e[1].val.s[0];
	c = &e[1].val.s[1];
	*s = (struct ti_side){ .packets = 4, .bytes = 1000000, .retrans = 3,
			       .fast_retrans = 1, .spurious = 1, .ooo = 2,
			       .lost = 1, .srtt_us = 1500, .rtt_cnt = 5 };
	*c = (struct ti_side){ .packets = 3, .bytes = 300, .retrans = 1,
			       .win_probe = 1, .keepalive = 2, .xdp_drop = 1,
			       .srtt_us = 250, .rtt_cnt = 2 };
}

static void test_table(void)
{
	static const char *const fmt =
		"%-19s  %-17s  %-11s  %7s  %7s  %3s  %7s  %3s  %3s  %6s  %7s  %-12s  %s\n";
	struct flow_entry e[2];
	struct flow_layout l;
	char got[FLOW_LINE_LEN], want[FLOW_LINE_LEN];
	size_t n;

	two_rows(e);
	flow_layout(&l, e, 2, REAL0);
	n = flow_header(got, &l);
	snprintf(want, sizeof(want), fmt, "CLIENT", "SERVER", "STATE", "PACKETS",
		 "BYTES", "SYN", "SYN-ACK", "FIN", "RST", "RTT", "RETRANS",
		 "FIRST", "LAST");
	result("table: header, widths from the rows", !strcmp(got, want) &&
	       n == strlen(want), "got '%s' want '%s'", got, want);
	n = flow_row(got, &l, &e[0]);
	snprintf(want, sizeof(want), fmt, "10.0.0.1:40000", "10.0.0.2:80",
		 "CLOSED", "12", "3456", "1", "1", "2", "0", "20.406", "1",
		 "22:13:21.000", "22:13:22.500");
	result("table: IPv4 row, from its SYN", !strcmp(got, want) &&
	       n == strlen(want), "got '%s' want '%s'", got, want);
	flow_row(got, &l, &e[1]);
	snprintf(want, sizeof(want), fmt, "[2001:db8::2]:51000",
		 "[2001:db8::1]:443", "ESTABLISHED", "7", "1000300", "0", "0",
		 "0", "0", "1.500", "4", "22:13:23.123", "22:13:24.000");
	result("table: IPv6 row, mid-stream, client first", !strcmp(got, want),
	       "got '%s' want '%s'", got, want);
	/* No rows: the header alone, at the headings' widths. */
	flow_layout(&l, e, 0, REAL0);
	flow_header(got, &l);
	result("table: empty",
	       !strcmp(got, "CLIENT  SERVER  STATE  PACKETS  BYTES  SYN  SYN-ACK  FIN  RST  RTT  RETRANS  FIRST  LAST\n"),
	       "got '%s'", got);
	/* Sorted by first seen: the later flow first. */
	flow_sort(e, 2, FLOW_FIRST);
	result("table: sort by first, latest first", e[0].key.family == 6,
	       "IPv4 first");
	flow_sort(e, 2, FLOW_PACKETS);
	result("table: sort by packets (both sides')", e[0].key.family == 4,
	       "IPv6 first");
	flow_sort(e, 2, FLOW_RTT);
	result("table: sort by rtt", e[0].key.family == 4, "IPv6 first");
	flow_sort(e, 2, FLOW_RETRANS);
	result("table: sort by retrans", e[0].key.family == 6, "IPv4 first");
}

static void test_json(void)
{
	struct flow_entry e[2];
	char got[FLOW_LINE_LEN], why[128];
	const char *want, *bad;
	struct jdoc d;
	size_t n;

	two_rows(e);
	n = flow_json(got, &e[0], REAL0, 3);
	want = "{\"report\":3,\"proto\":\"IP\",\"source\":\"10.0.0.1:40000\",\"destination\":\"10.0.0.2:80\","
	       "\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.0.2\",\"dport\":80,\"state\":\"CLOSED\","
	       "\"packets\":12,\"bytes\":3456,\"syn\":1,\"synack\":1,\"fin\":2,\"rst\":0,"
	       "\"handshake_rtt_us\":20406,\"rtt_us\":20406,\"retrans\":1,"
	       "\"first\":\"2023-11-14T22:13:21.000000000Z\",\"first_ns\":1700000001000000000,"
	       "\"last\":\"2023-11-14T22:13:22.500000000Z\",\"last_ns\":1700000002500000000,"
	       "\"from_src\":{\"packets\":7,\"bytes\":1456,\"retrans\":1,\"fast_retrans\":0,"
	       "\"spurious_retrans\":0,\"out_of_order\":0,\"dup_acks\":2,\"zero_window\":0,"
	       "\"window_probes\":0,\"keep_alives\":0,\"lost_segments\":0,\"syn\":1,\"fin\":1,"
	       "\"rst\":0,\"rtt_us\":null,\"rtt_samples\":0,\"xdp_drop\":0},"
	       "\"from_dst\":{\"packets\":5,\"bytes\":2000,\"retrans\":0,\"fast_retrans\":0,"
	       "\"spurious_retrans\":0,\"out_of_order\":0,\"dup_acks\":0,\"zero_window\":1,"
	       "\"window_probes\":0,\"keep_alives\":0,\"lost_segments\":0,\"syn\":1,\"fin\":1,"
	       "\"rst\":0,\"rtt_us\":null,\"rtt_samples\":0,\"xdp_drop\":0}}\n";
	result("json: IPv4 object", !strcmp(got, want) && n == strlen(want),
	       "got '%s'", got);
	bad = jparse(got, &d) ? "does not read back" : jshape(&d, why, sizeof(why));
	result("json: IPv4 object reads back, every field of its type, in order",
	       !bad, "%s", bad);

	n = flow_json(got, &e[1], REAL0, 0);
	bad = jparse(got, &d) ? "does not read back" : jshape(&d, why, sizeof(why));
	result("json: IPv6 object reads back, no report number", !bad && n == strlen(got) &&
	       !jget(&d, "report"), "%s", bad ? bad : got);
	result("json: IPv6 object: the client and the server",
	       jstreq(&d, "proto", "IP6") &&
	       jstreq(&d, "source", "[2001:db8::2]:51000") &&
	       jstreq(&d, "destination", "[2001:db8::1]:443") &&
	       jstreq(&d, "src", "2001:db8::2") && jnum(&d, "sport", 51000) &&
	       jstreq(&d, "dst", "2001:db8::1") && jnum(&d, "dport", 443), "%s", got);
	result("json: IPv6 object: totals, state, RTTs",
	       jstreq(&d, "state", "ESTABLISHED") && jnum(&d, "packets", 7) &&
	       jnum(&d, "bytes", 1000300) && jnum(&d, "syn", 0) &&
	       jnum(&d, "synack", 0) && jnum(&d, "fin", 0) && jnum(&d, "rst", 0) &&
	       jnum(&d, "handshake_rtt_us", -1) && jnum(&d, "rtt_us", 1500) &&
	       jnum(&d, "retrans", 4), "%s", got);
	result("json: IPv6 object: times",
	       jstreq(&d, "first", "2023-11-14T22:13:23.123456789Z") &&
	       jnum(&d, "first_ns", 1700000003123456789ll) &&
	       jstreq(&d, "last", "2023-11-14T22:13:24.000000000Z") &&
	       jnum(&d, "last_ns", 1700000004000000000ll), "%s", got);
	result("json: from_src is what the client sent",
	       jnum(&d, "from_src.packets", 3) && jnum(&d, "from_src.bytes", 300) &&
	       jnum(&d, "from_src.retrans", 1) && jnum(&d, "from_src.window_probes", 1) &&
	       jnum(&d, "from_src.keep_alives", 2) && jnum(&d, "from_src.xdp_drop", 1) &&
	       jnum(&d, "from_src.rtt_us", 250) && jnum(&d, "from_src.rtt_samples", 2) &&
	       jnum(&d, "from_src.lost_segments", 0), "%s", got);
	result("json: from_dst is what the server sent",
	       jnum(&d, "from_dst.packets", 4) && jnum(&d, "from_dst.bytes", 1000000) &&
	       jnum(&d, "from_dst.retrans", 3) && jnum(&d, "from_dst.fast_retrans", 1) &&
	       jnum(&d, "from_dst.spurious_retrans", 1) &&
	       jnum(&d, "from_dst.out_of_order", 2) &&
	       jnum(&d, "from_dst.lost_segments", 1) && jnum(&d, "from_dst.rtt_us", 1500) &&
	       jnum(&d, "from_dst.rtt_samples", 5) && jnum(&d, "from_dst.keep_alives", 0),
	       "%s", got);
}

/* The widest row and object: nothing cut off, room to spare. */
static void test_widest(void)
{
	struct flow_entry e;
	struct flow_layout l;
	char got[FLOW_LINE_LEN + 16], why[128];
	const char *bad;
	struct ti_side *s;
	struct jdoc d;
	size_t n;
	int i, samples;

	memset(&e, 0, sizeof(e));
	memset(e.key.saddr, 0x88, 16);
	memset(e.key.daddr, 0x99, 16);
	e.key.sport = e.key.dport = 65535;
	e.key.family = 6;
	e.val.first_ns = 4000000000000000000ull;
	e.val.last_ns = 4000000000000000001ull;
	e.val.syn_ns = ~0ull;
	e.val.hs_ns = ~0ull;
	e.val.client = 1;
	/* with samples: the longest JSON; without: the longest RTT cell */
	for (samples = 1; samples >= 0; samples--) {
		for (i = 0; i < 2; i++) {
			s = &e.val.s[i];
			memset(s, 0xff, sizeof(*s));
			s->rtt_cnt = samples ? ~0u : 0;
		}
		memset(got, 'Z', sizeof(got));
		flow_layout(&l, &e, 1, REAL0);
		n = flow_row(got, &l, &e);
		result(samples ? "widest row fits (RTT samples)" :
		       "widest row fits (the handshake's RTT)",
		       n < FLOW_LINE_LEN - 1 && got[n - 1] == '\n' && !got[n] &&
		       strstr(got, "18446744073709551614  18446744073709551614  4294967295") &&
		       strstr(got, samples ? "  4294967.295  " : "  18446744073709.551  "),
		       "%zu bytes: '%s'", n, got);
		memset(got, 'Z', sizeof(got));
		n = flow_json(got, &e, REAL0, ~0ull);
		bad = jparse(got, &d) ? "does not read back" : jshape(&d, why, sizeof(why));
		result(samples ? "widest JSON object fits and reads back (RTT samples)" :
		       "widest JSON object fits and reads back (the handshake's RTT)",
		       n < FLOW_LINE_LEN - 1 && !strcmp(got + n - 2, "}\n") && !bad,
		       "%zu bytes: %s: '%s'", n, bad ? bad : "", got);
	}
	/* A time of 0 (never) shows as "-". */
	e.val.first_ns = 0;
	flow_row(got, &l, &e);
	result("time 0 shows as -", strstr(got, "  -  ") != NULL, "'%s'", got);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_names();
	test_addr();
	test_client();
	test_state();
	test_syns();
	test_rtt();
	test_sort();
	test_sort_health();
	test_dedup();
	test_table();
	test_json();
	test_widest();
	return failed;
}
