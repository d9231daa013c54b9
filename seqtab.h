/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seqtab.h - relative TCP sequence numbers as tcpdump shows them: each
 * conversation's initial numbers, found (or recorded) on every segment
 * with ACK set.  One entry serves both directions (the side with the
 * lower port, or address on a tie, is the key's source); a SYN records
 * the conversation anew.  The table is bounded: when full, the oldest
 * entry made is reused.  Pure: no syscalls, no allocation, no globals;
 * the caller owns the table (zeroed before first use).
 */
#ifndef TCPINSPECT_SEQTAB_H
#define TCPINSPECT_SEQTAB_H

#include <linux/types.h>

#define SEQTAB_SIZE	16384		/* conversations, a power of two */

struct seq_entry {
	__u8 src[16];		/* the key: IPv4 in the first four */
	__u8 dst[16];
	__u32 port;		/* source port << 16 | destination port */
	__u32 seq;		/* the key source's initial sequence number */
	__u32 ack;		/* the other side's, less one */
	__u32 next;		/* the bucket's next entry + 1; 0 ends it */
	__u8 family;		/* 0: free */
	__u8 pad[3];
};

struct seqtab {
	__u32 head[SEQTAB_SIZE];	/* each bucket's first entry + 1 */
	__u32 used;			/* entries ever filled, up to SEQTAB_SIZE */
	__u32 clock;			/* the oldest entry, when full */
	struct seq_entry e[SEQTAB_SIZE];
};

/* What seq_rel() found of a segment. */
struct seq_rel {
	__u32 seq, ack;		/* relative where known, else as given */
	__u32 thseq, thack;	/* the entry's numbers (tcpdump's, for SACK) */
	int rev;		/* the segment runs from the key's destination */
	int known;		/* 1: seq and ack were made relative */
};

/*
 * The segment family (4 or 6) saddr:sport > daddr:dport with seq, ack
 * and TCP flags: find its conversation and make seq and ack relative,
 * or, if it has none yet or flags has SYN, record it (seq and ack stay
 * as they are).  As tcpdump does on a segment with ACK set.
 */
void seq_rel(struct seqtab *t, int family, const __u8 *saddr, const __u8 *daddr,
	     __u16 sport, __u16 dport, __u32 seq, __u32 ack, __u8 flags,
	     struct seq_rel *r);

#endif
