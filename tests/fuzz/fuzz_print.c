// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_print.c - libFuzzer harness for print.c with decode.c: any bytes
 * as an event's frame (the first byte chooses the tags before the IP
 * header, the family, whether the packet is malformed, the switches;
 * the rest is the frame), ev_decode(), then pr_line() into a line
 * allocated to exactly its end (ASan reports a write or a read past
 * either).  Checked, and abort()ed on:
 *
 * - pr_line() returns a pointer inside [p, end] and writes nothing
 *   past end, whatever the end (the whole line, then cut short);
 * - the line cut short is a beginning of the whole line;
 * - the frame's bytes are never modified.
 *
 * Replaying a file (build/fuzz_print FILE...) runs it once, which is
 * how fuzz.sh replays fuzz-regress-print/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "print.h"

#define FUZZ_NAME "fuzz_print"
#include "fuzz.h"

#define LINE_MAX	8192

static struct seqtab seq;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pr_cfg c = { .seq = &seq };
	struct ti_event *e;
	struct pr_res res;
	struct ti_view v;
	char *line, *cut, *end, *got;
	__u8 *rec;
	size_t n, k;
	__u8 sel;

	if (size < 2 || size > 4096)
		return 0;
	sel = data[0];
	n = size - 1;
	rec = malloc(sizeof(*e) + n);
	if (!rec)
		abort();
	e = (struct ti_event *)rec;
	memset(e, 0, sizeof(*e));
	e->pkt_len = n + (sel & 0x80 ? data[1] : 0);
	e->snap_len = e->cap_len = n;
	e->l3_off = 14 + 4 * ((sel & 3) % 3);
	e->family = sel & 4 ? 6 : 4;
	e->reason = sel & 8 ? TI_CNT_TRUNCATED : 0;
	e->l4_off = e->l3_off + (e->family == 6 ? 40 : 20);
	memcpy(rec + sizeof(*e), data + 1, n);
	c.verbose = sel >> 4 & 3;
	c.eflag = sel & 0x40;
	c.qflag = (sel & 0x30) == 0x30;
	if (ev_decode(rec, sizeof(*e) + n, &v)) {
		free(rec);
		return 0;
	}
	line = malloc(LINE_MAX);
	end = pr_line(line, line + LINE_MAX, &c, &v, e->pkt_len, &res);
	check(end >= line && end <= line + LINE_MAX, "the end out of the line");
	check(res.dump_off <= v.bytes_len || res.dump_off == v.l3_off, "dump at %u of %u",
	      res.dump_off, v.bytes_len);
	check(!res.payload_len || res.payload_off + res.payload_len <= v.bytes_len,
	      "payload [%u, +%u) past %u bytes", res.payload_off, res.payload_len, v.bytes_len);
	/* the same line into exactly k bytes, k from the data */
	k = (end - line) ? data[size - 1] % (end - line) : 0;
	cut = malloc(k ? k : 1);
	/* relative numbers: the same table state for both runs */
	c.seq = NULL;
	end = pr_line(line, line + LINE_MAX, &c, &v, e->pkt_len, &res);
	got = pr_line(cut, cut + k, &c, &v, e->pkt_len, &res);
	check(got >= cut && got <= cut + k, "cut to %zu: the end out of it", k);
	check(!memcmp(cut, line, got - cut), "cut to %zu: not the line's beginning", k);
	check(!memcmp(rec + sizeof(*e), data + 1, n), "the frame was modified");
	free(cut);
	free(line);
	free(rec);
	return 0;
}
