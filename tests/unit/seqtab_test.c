// SPDX-License-Identifier: GPL-2.0
/*
 * seqtab_test - relative sequence numbers as tcpdump makes them: a
 * conversation recorded on its first segment with ACK (shown as it is),
 * relative after that in both directions, recorded anew by a SYN; one
 * key for both directions (the lower port, or address on a tie, is its
 * source); IPv4 and IPv6 apart; and the bound: the oldest entry goes
 * first, the table never holds more than SEQTAB_SIZE.
 */
#include <stdlib.h>
#include <string.h>
#include "seqtab.h"
#include "../result.h"

static struct seqtab t;		/* zeroed: empty */

static const __u8 a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };

/* One segment a:pa > b:pb; the numbers it shows. */
static struct seq_rel seg(int family, const __u8 *s, const __u8 *d, __u16 sp,
			  __u16 dp, __u32 seq, __u32 ack, __u8 flags)
{
	struct seq_rel r;

	seq_rel(&t, family, s, d, sp, dp, seq, ack, flags, &r);
	return r;
}

int main(void)
{
	struct seq_rel r;
	__u8 x[16] = { 0 };
	__u32 i;
	int ok;

	/* SYN-ACK from the server (port 80 < 5000: the server's side is
	 * the key's source): recorded, absolute. */
	r = seg(4, b, a, 80, 5000, 9000, 1001, 0x12);
	result("SYN-ACK: recorded, shown as it is", !r.known && r.seq == 9000 &&
	       r.ack == 1001 && !r.rev, "known %d seq %u ack %u", r.known, r.seq, r.ack);
	r = seg(4, a, b, 5000, 80, 1001, 9001, 0x10);
	result("ACK from the client: seq 1, ack 1", r.known && r.seq == 1 && r.ack == 1 &&
	       r.rev, "known %d seq %u ack %u rev %d", r.known, r.seq, r.ack, r.rev);
	r = seg(4, b, a, 80, 5000, 9001, 1101, 0x18);
	result("data from the server: seq 1, ack 101", r.known && r.seq == 1 && r.ack == 101,
	       "seq %u ack %u", r.seq, r.ack);
	/* tcpdump's SACK base: the other side's number less one */
	result("SACK base: thseq, thack", r.thseq == 9000 && r.thack == 1000,
	       "thseq %u thack %u", r.thseq, r.thack);
	r = seg(4, a, b, 5000, 80, 77777, 5, 0x12);
	result("a SYN records the conversation anew", !r.known && r.seq == 77777,
	       "known %d seq %u", r.known, r.seq);
	r = seg(4, a, b, 5000, 80, 77778, 5, 0x10);
	result("... and counts from it", r.known && r.seq == 1 && r.ack == 1,
	       "seq %u ack %u", r.seq, r.ack);
	/* equal ports: the lower address is the key's source */
	r = seg(4, b, a, 7000, 7000, 100, 200, 0x10);
	r = seg(4, a, b, 7000, 7000, 200, 101, 0x10);
	result("equal ports: one conversation", r.known && r.seq == 1 && r.ack == 1,
	       "known %d seq %u ack %u", r.known, r.seq, r.ack);
	/* IPv6 with the same first four bytes: another conversation */
	r = seg(6, a, b, 5000, 80, 1, 1, 0x10);
	result("IPv6 apart from IPv4", !r.known, "known %d", r.known);
	/* numbers that wrap */
	r = seg(4, a, b, 6000, 443, 0xfffffff0, 10, 0x10);
	r = seg(4, a, b, 6000, 443, 0x10, 10, 0x10);
	result("relative across the wrap", r.known && r.seq == 0x20, "seq %u", r.seq);

	/* The bound: SEQTAB_SIZE more conversations push the first ones out. */
	memset(&t, 0, sizeof(t));
	for (i = 0; i < SEQTAB_SIZE + 10; i++) {
		memcpy(x, &i, 4);
		seg(6, x, b, 1, 2, i, i, 0x10);
	}
	memcpy(x, &(__u32){ 5 }, 4);
	r = seg(6, x, b, 1, 2, 5, 5, 0x10);
	result("full: the oldest conversation was forgotten", !r.known, "known %d", r.known);
	ok = 1;
	for (i = SEQTAB_SIZE - 100; i < SEQTAB_SIZE + 10 && ok; i++) {
		memcpy(x, &i, 4);
		r = seg(6, x, b, 1, 2, i + 3, i, 0x10);
		ok = r.known && r.seq == 3;
	}
	result("full: the newest ones kept", ok, "conversation %u: known %d seq %u", i - 1,
	       r.known, r.seq);
	result("full: never more than SEQTAB_SIZE", t.used == SEQTAB_SIZE, "used %u", t.used);
	return failed;
}
