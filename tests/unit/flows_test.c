// SPDX-License-Identifier: GPL-2.0
/*
 * flows_test.c - unit tests of flows.c, built with AddressSanitizer and
 * UBSan, no privilege: column names, addresses (IPv4, bracketed IPv6),
 * the sort order for every column (largest first, ties by packets, bytes,
 * key) on random tables, de-duplication of a walk that read keys twice,
 * the text table's exact lines and widths, the exact JSON object, and
 * the widest possible row and object fitting their buffer.  Times are
 * shown in UTC here (TZ=UTC).
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

static void test_names(void)
{
	static const struct { const char *s; int col; } t[] = {
		{ "packets", FLOW_PACKETS }, { "bytes", FLOW_BYTES },
		{ "syn", FLOW_SYN }, { "synack", FLOW_SYNACK },
		{ "syn-ack", FLOW_SYNACK }, { "fin", FLOW_FIN },
		{ "rst", FLOW_RST }, { "first", FLOW_FIRST },
		{ "last", FLOW_LAST }, { "", -1 }, { "Packets", -1 },
		{ "pkts", -1 }, { "syn ", -1 }, { "packetsx", -1 },
	};
	size_t i;
	int bad = -1;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (flow_col_parse(t[i].s) != t[i].col)
			bad = i;
	result("column names", bad < 0, "'%s' gave %d", bad < 0 ? "" : t[bad].s,
	       bad < 0 ? 0 : flow_col_parse(t[bad].s));
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

static __u64 value(const struct flow_entry *e, int col)
{
	const __u64 v[FLOW_COL_CNT] = {
		e->val.packets, e->val.bytes, e->val.syn, e->val.synack,
		e->val.fin, e->val.rst, e->val.first_ns, e->val.last_ns,
	};

	return v[col];
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
		} else if (a->val.packets != b->val.packets) {
			if (a->val.packets < b->val.packets)
				goto bad;
		} else if (a->val.bytes != b->val.bytes) {
			if (a->val.bytes < b->val.bytes)
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
		s += e[i].key.sport * 65537ull + e[i].key.dport + e[i].val.packets;
	return s;
}

static void test_sort(void)
{
	enum { N = 300 };
	static const char *const colname[FLOW_COL_CNT] = {
		"packets", "bytes", "syn", "synack", "fin", "rst", "first", "last",
	};
	static struct flow_entry e[N], copy[N], shuffled[N];
	static __u32 idx[N], tmp[N];
	char name[64], why[128];
	size_t i, j;
	int col, ok;

	srand(7);
	for (i = 0; i < N; i++) {
		e[i] = v4("10.0.0.1", i, "10.0.0.2", 1000 + i % 7);
		/* Few distinct values: many ties, so the tie-breaks matter. */
		e[i].val.packets = rand() % 5;
		e[i].val.bytes = rand() % 3 * 100;
		e[i].val.syn = rand() % 3;
		e[i].val.synack = rand() % 2;
		e[i].val.fin = rand() % 3;
		e[i].val.rst = rand() % 4;
		e[i].val.first_ns = 1000000000ull * (rand() % 10);
		e[i].val.last_ns = e[i].val.first_ns + rand() % 3;
	}
	for (col = 0; col < FLOW_COL_CNT; col++) {
		memcpy(copy, e, sizeof(e));
		flow_sort(copy, N, col);
		snprintf(name, sizeof(name), "sort by %s", colname[col]);
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
		snprintf(name, sizeof(name), "sort by %s: deterministic", colname[col]);
		result(name, !memcmp(shuffled, copy, sizeof(copy)), "orders differ");
		/* flow_order: the same order, as indexes, e untouched. */
		memcpy(shuffled, e, sizeof(e));
		for (i = 0; i < N; i++)
			idx[i] = N - 1 - i;
		flow_order(shuffled, idx, N, col, tmp);
		for (i = 0; i < N && !memcmp(&shuffled[idx[i]], &copy[i], sizeof(copy[i])); i++)
			;
		snprintf(name, sizeof(name), "order by %s: as the sort, input kept", colname[col]);
		result(name, i == N && !memcmp(shuffled, e, sizeof(e)), "differs at %zu", i);
	}
	flow_sort(e, 0, FLOW_BYTES);
	result("sort of nothing", 1, "-");
}

static void test_dedup(void)
{
	struct flow_entry e[8];
	size_t n, i;
	int ok = 1;

	result("dedup of nothing", flow_dedup(e, 0) == 0, "not 0");
	e[0] = v4("1.1.1.1", 1, "2.2.2.2", 2);
	e[0].val.packets = 3;
	result("dedup of one", flow_dedup(e, 1) == 1 && e[0].val.packets == 3,
	       "changed");
	/* Keys a, b, a, c, b, a read over time: later readings are newer. */
	for (i = 0; i < 6; i++) {
		static const int key[6] = { 0, 1, 0, 2, 1, 0 };

		e[i] = v4("1.1.1.1", 10 + key[i], "2.2.2.2", 80);
		e[i].val.last_ns = 100 + i;
		e[i].val.packets = i + 1;
	}
	n = flow_dedup(e, 6);
	for (i = 0; i < n; i++) {
		if (e[i].key.sport == 10)
			ok &= e[i].val.last_ns == 105;
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

/* The two rows of the table tests. */
static void two_rows(struct flow_entry *e)
{
	e[0] = v4("10.0.0.1", 40000, "10.0.0.2", 80);
	e[0].val = (struct ti_flow){ .packets = 12, .bytes = 3456, .syn = 1,
				     .fin = 1, .first_ns = 1000000000ull,
				     .last_ns = 2500000000ull };
	memset(&e[1], 0, sizeof(e[1]));
	e[1].key.family = 6;
	memcpy(e[1].key.saddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	memcpy(e[1].key.daddr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2", 16);
	e[1].key.sport = 443;
	e[1].key.dport = 51000;
	e[1].val = (struct ti_flow){ .packets = 7, .bytes = 1000000,
				     .synack = 1, .rst = 2,
				     .first_ns = 3123456789ull,
				     .last_ns = 4000000000ull };
}

static void test_table(void)
{
	static const char *const fmt = "%-17s  %-19s  %7s  %7s  %3s  %7s  %3s  %3s  %-12s  %s\n";
	struct flow_entry e[2];
	struct flow_layout l;
	char got[FLOW_LINE_LEN], want[FLOW_LINE_LEN];
	size_t n;

	two_rows(e);
	flow_layout(&l, e, 2, REAL0);
	n = flow_header(got, &l);
	snprintf(want, sizeof(want), fmt, "SOURCE", "DESTINATION", "PACKETS",
		 "BYTES", "SYN", "SYN-ACK", "FIN", "RST", "FIRST", "LAST");
	result("table: header, widths from the rows", !strcmp(got, want) &&
	       n == strlen(want), "got '%s' want '%s'", got, want);
	n = flow_row(got, &l, &e[0]);
	snprintf(want, sizeof(want), fmt, "10.0.0.1:40000", "10.0.0.2:80", "12",
		 "3456", "1", "0", "1", "0", "22:13:21.000", "22:13:22.500");
	result("table: IPv4 row", !strcmp(got, want) && n == strlen(want),
	       "got '%s' want '%s'", got, want);
	flow_row(got, &l, &e[1]);
	snprintf(want, sizeof(want), fmt, "[2001:db8::1]:443",
		 "[2001:db8::2]:51000", "7", "1000000", "0", "1", "0", "2",
		 "22:13:23.123", "22:13:24.000");
	result("table: IPv6 row, bracketed", !strcmp(got, want),
	       "got '%s' want '%s'", got, want);
	/* No rows: the header alone, at the headings' widths. */
	flow_layout(&l, e, 0, REAL0);
	flow_header(got, &l);
	result("table: empty", !strcmp(got, "SOURCE  DESTINATION  PACKETS  BYTES  SYN  SYN-ACK  FIN  RST  FIRST  LAST\n"),
	       "got '%s'", got);
	/* Sorted by first seen: the later flow first. */
	flow_sort(e, 2, FLOW_FIRST);
	result("table: sort by first, latest first", e[0].key.family == 6,
	       "IPv4 first");
	flow_sort(e, 2, FLOW_PACKETS);
	result("table: sort by packets", e[0].key.family == 4, "IPv6 first");
}

static void test_json(void)
{
	struct flow_entry e[2];
	char got[FLOW_LINE_LEN];
	const char *want;
	size_t n;

	two_rows(e);
	n = flow_json(got, &e[0], REAL0, 3);
	want = "{\"report\":3,\"proto\":\"IP\",\"source\":\"10.0.0.1:40000\",\"destination\":\"10.0.0.2:80\","
	       "\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.0.2\",\"dport\":80,"
	       "\"packets\":12,\"bytes\":3456,\"syn\":1,\"synack\":0,\"fin\":1,\"rst\":0,"
	       "\"first\":\"2023-11-14T22:13:21.000000000Z\",\"first_ns\":1700000001000000000,"
	       "\"last\":\"2023-11-14T22:13:22.500000000Z\",\"last_ns\":1700000002500000000}\n";
	result("json: IPv4 object", !strcmp(got, want) && n == strlen(want),
	       "got '%s'", got);
	flow_json(got, &e[1], REAL0, 1);
	want = "{\"report\":1,\"proto\":\"IP6\",\"source\":\"[2001:db8::1]:443\",\"destination\":\"[2001:db8::2]:51000\","
	       "\"src\":\"2001:db8::1\",\"sport\":443,\"dst\":\"2001:db8::2\",\"dport\":51000,"
	       "\"packets\":7,\"bytes\":1000000,\"syn\":0,\"synack\":1,\"fin\":0,\"rst\":2,"
	       "\"first\":\"2023-11-14T22:13:23.123456789Z\",\"first_ns\":1700000003123456789,"
	       "\"last\":\"2023-11-14T22:13:24.000000000Z\",\"last_ns\":1700000004000000000}\n";
	result("json: IPv6 object", !strcmp(got, want), "got '%s'", got);
}

/* The widest row and object: nothing cut off, room to spare. */
static void test_widest(void)
{
	struct flow_entry e;
	struct flow_layout l;
	char got[FLOW_LINE_LEN + 16];
	size_t n;

	memset(&e, 0, sizeof(e));
	memset(e.key.saddr, 0x88, 16);
	memset(e.key.daddr, 0x99, 16);
	e.key.sport = e.key.dport = 65535;
	e.key.family = 6;
	e.val = (struct ti_flow){ ~0ull, ~0ull, 4000000000000000000ull,
				  4000000000000000001ull, ~0u, ~0u, ~0u, ~0u };
	memset(got, 'Z', sizeof(got));
	flow_layout(&l, &e, 1, REAL0);
	n = flow_row(got, &l, &e);
	result("widest row fits", n < FLOW_LINE_LEN - 1 && got[n - 1] == '\n' &&
	       !got[n] && strstr(got, "18446744073709551615  18446744073709551615  4294967295"),
	       "%zu bytes: '%s'", n, got);
	n = flow_json(got, &e, REAL0, ~0ull);
	result("widest JSON object fits", n < FLOW_LINE_LEN - 1 &&
	       !strcmp(got + n - 2, "}\n"), "%zu bytes: '%s'", n, got);
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
	test_sort();
	test_dedup();
	test_table();
	test_json();
	test_widest();
	return failed;
}
