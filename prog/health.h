/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP health of one connection, segment by segment: what the program
 * (prog/xdp.c) does with each segment it counts in the flow table, and
 * what the unit tests run on capture files to hold it against tshark's
 * tcp.analysis.  Plain C over struct ti_flow (tcpinspect.h): no helper,
 * no map, no loop, so that clang builds it for the kernel and gcc for
 * the tests alike.
 *
 * The rules are the ones Wireshark's TCP analysis applies, as it
 * documents them, so that our counters mean what its flags mean to the
 * people who read both: a segment is looked at from the side that sent
 * it (fw) and against what the other side sent last (rv).
 *   retransmission   data (or SYN, FIN) that does not advance the
 *                    sequence; "fast" if it answers two or more
 *                    duplicate ACKs within 20 ms, "spurious" if the
 *                    other side had already acknowledged it;
 *   out of order     such a segment within the handshake RTT (3 ms
 *                    without one) of the highest, not ending at it;
 *   lost             a segment beyond the next expected sequence: one
 *                    before it was not seen ("previous segment not
 *                    captured");
 *   duplicate ACK    no data, same ACK, same window, at the next
 *                    sequence; a window update (same, window changed)
 *                    is not one;
 *   zero window      a window of 0 but on SYN, FIN, RST;
 *   window probe     one byte at the next sequence into a zero window;
 *   keep-alive       at most one byte one before the next sequence.
 * The handshake RTT is the time from the first SYN to the ACK of the
 * SYN-ACK; the smoothed RTT of a side (RFC 6298's 1/8 gain) times one
 * segment of its data at a time to the other side's ACK of it, never a
 * retransmitted one (Karn).
 *
 * One side's fields are written only by its own segments, which one
 * CPU handles at a time; the other side's are only read, so two CPUs
 * with a segment each of one connection at once race no worse than the
 * order of two packets that arrive together.
 */
#ifndef TCPINSPECT_HEALTH_H
#define TCPINSPECT_HEALTH_H

#include "tcpinspect.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define TI_FAST_RTX_NS	20000000ull	/* dup ACKs to fast retransmission */
#define TI_OOO_NS	3000000ull	/* out of order without a handshake RTT */

/* One TCP segment, as ti_health needs it. */
struct ti_seg {
	__u64 now;		/* ns, any clock as long as it is one */
	__u32 seq;
	__u32 ack;
	__u32 len;		/* TCP payload bytes */
	__u32 frame_len;	/* for the byte counts */
	__u16 win;		/* the window field, unscaled */
	__u8 flags;		/* TI_TCP_* */
	__u8 side;		/* 0 or 1: which address of the key sent it */
};

/* A field of the segment, read from memory where it is used (see below). */
#define SEG(field)	(*(volatile const __typeof__(g->field) *)&g->field)

static __always_inline int ti_seq_lt(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/*
 * Count one segment into f; the TI_A_* bits of what it was.  f->first_ns
 * is the caller's.
 */
static __always_inline __u32 ti_health(struct ti_flow *f, const struct ti_seg *g)
{
	struct ti_side *fw = &f->s[g->side & 1];
	struct ti_side *rv = &f->s[(g->side & 1) ^ 1];
	volatile __u32 *a = &fw->last_a;
	__u32 next = SEG(seq) + SEG(len) + (SEG(flags) & (TI_TCP_SYN | TI_TCP_FIN) ? 1 : 0);
	__u64 now = g->now, thres;

	/*
	 * What the segment is, built in fw->last_a through a volatile
	 * pointer, not in a register: to the verifier a register set
	 * differently on two paths keeps them apart (every test below
	 * would double its work), a value in the map is one it does not
	 * know on either.  For the same reason the segment's fields are
	 * read anew where they are tested (SEG): a register tested once
	 * stays split for the tests after it.  (56,830 instructions
	 * verified in flows mode before, 3,750 after.)
	 */
	*a = 0;
	fw->packets++;
	fw->bytes += g->frame_len;
	fw->tcp_flags |= SEG(flags);
	f->last_ns = now;

	/* The handshake, and which side is the client. */
	if ((SEG(flags) & (TI_TCP_SYN | TI_TCP_ACK)) == TI_TCP_SYN) {
		fw->syn++;
		if (!f->syn_ns) {
			f->syn_ns = now;
			f->client = g->side & 1;
		}
	} else if (SEG(flags) & TI_TCP_SYN) {
		fw->syn++;
		fw->st |= TI_SIDE_SYNACK;
	} else if ((SEG(flags) & TI_TCP_ACK) && !f->hs_ns && f->syn_ns &&
		   f->client == (g->side & 1) && (rv->st & TI_SIDE_SYNACK) &&
		   (rv->st & TI_SIDE_SEQ) && SEG(ack) == rv->nextseq) {
		f->hs_ns = now - f->syn_ns;
		if (!f->hs_ns)
			f->hs_ns = 1;
		*a |= TI_A_HANDSHAKE;
	}
	if (SEG(flags) & TI_TCP_RST) {
		fw->rst++;
		fw->st |= TI_SIDE_RST;
	}
	if ((SEG(flags) & TI_TCP_FIN) && !(fw->st & TI_SIDE_FIN)) {
		fw->fin++;
		fw->st |= TI_SIDE_FIN;
		fw->fin_seq = SEG(seq) + SEG(len) + 1;
	}
	if ((SEG(flags) & TI_TCP_ACK) && (rv->st & TI_SIDE_FIN) &&
	    !ti_seq_lt(SEG(ack), rv->fin_seq))
		rv->st |= TI_SIDE_FIN_ACKED;

	/* What the segment was, against what came before it. */
	if (SEG(win) == 0 && !(SEG(flags) & (TI_TCP_RST | TI_TCP_FIN | TI_TCP_SYN)))
		*a |= TI_A_ZERO_WIN;
	if (fw->st & TI_SIDE_SEQ) {
		if (SEG(len) == 1 && SEG(seq) == fw->nextseq && (rv->st & TI_SIDE_WIN) &&
		    rv->win == 0) {
			*a = (*a | TI_A_WIN_PROBE) & ~TI_A_ZERO_WIN;
			goto sequence;
		}
		if (ti_seq_lt(fw->nextseq, SEG(seq)) && !(SEG(flags) & TI_TCP_RST))
			*a |= TI_A_LOST;
		if (SEG(len) <= 1 && !(SEG(flags) & (TI_TCP_FIN | TI_TCP_SYN | TI_TCP_RST)) &&
		    fw->nextseq - 1 == SEG(seq))
			*a |= TI_A_KEEPALIVE;
		/* an ACK of a keep-alive or of a window probe is neither a
		 * window update nor a duplicate */
		if (SEG(len) == 0 && SEG(seq) == fw->nextseq && (fw->st & TI_SIDE_ACK) &&
		    SEG(ack) == fw->lastack &&
		    !(SEG(flags) & (TI_TCP_SYN | TI_TCP_FIN | TI_TCP_RST))) {
			if (SEG(win) != fw->win)
				*a |= TI_A_WIN_UPDATE;
			else if (!(rv->last_a & (TI_A_KEEPALIVE | TI_A_WIN_PROBE)) &&
				 SEG(win))
				*a |= TI_A_DUPACK;
		}
	}
sequence:
	if (*a & TI_A_DUPACK) {
		if (fw->dupacks < 255)
			fw->dupacks++;
	} else {
		fw->dupacks = 0;
	}
	if ((SEG(len) || (SEG(flags) & (TI_TCP_SYN | TI_TCP_FIN))) && (fw->st & TI_SIDE_SEQ) && ti_seq_lt(SEG(seq), fw->nextseq) &&
	    !(*a & TI_A_KEEPALIVE)) {
		thres = f->hs_ns ? f->hs_ns : TI_OOO_NS;
		if (rv->dupacks >= 2 && rv->lastack == SEG(seq) &&
		    now - rv->ack_ns < TI_FAST_RTX_NS)
			*a |= TI_A_RETRANS | TI_A_FAST_RETRANS;
		else if (now - fw->seq_ns < thres && fw->nextseq != next)
			*a |= TI_A_OOO;
		else if (SEG(len) && (rv->st & TI_SIDE_ACK) &&
			 !ti_seq_lt(rv->lastack, SEG(seq) + SEG(len)))
			*a |= TI_A_RETRANS | TI_A_SPURIOUS;
		else
			*a |= TI_A_RETRANS;
		if (fw->rtt_ns && !ti_seq_lt(fw->rtt_seq, SEG(seq)))	/* Karn */
			fw->rtt_ns = 0;
	}

	/* The RTT of the other side's data, if this ACKs the timed segment. */
	if ((SEG(flags) & TI_TCP_ACK) && rv->rtt_ns && !ti_seq_lt(SEG(ack), rv->rtt_seq)) {
		__u64 us = (now - rv->rtt_ns) / 1000;

		if (us > 0xffffffffull)
			us = 0xffffffffull;
		rv->srtt_us = rv->rtt_cnt ? rv->srtt_us - (rv->srtt_us >> 3) + (us >> 3)
					   : us;
		rv->rtt_cnt++;
		rv->rtt_ns = 0;
	}

	/* Remember where this side is. */
	if ((!(fw->st & TI_SIDE_SEQ) || ti_seq_lt(fw->nextseq, next)) &&
	    !(*a & TI_A_WIN_PROBE)) {
		if (SEG(len) && !fw->rtt_ns && (fw->st & TI_SIDE_SEQ)) {
			fw->rtt_ns = now;
			fw->rtt_seq = next;
		}
		fw->nextseq = next;
		fw->seq_ns = now;
		fw->st |= TI_SIDE_SEQ;
	}
	fw->win = SEG(win);
	fw->st |= TI_SIDE_WIN;
	if (SEG(flags) & TI_TCP_ACK) {
		fw->lastack = SEG(ack);
		fw->ack_ns = now;
		fw->st |= TI_SIDE_ACK;
	}

	if (*a & TI_A_RETRANS)
		fw->retrans++;
	if (*a & TI_A_FAST_RETRANS)
		fw->fast_retrans++;
	if (*a & TI_A_SPURIOUS)
		fw->spurious++;
	if (*a & TI_A_OOO)
		fw->ooo++;
	if (*a & TI_A_DUPACK)
		fw->dupack++;
	if (*a & TI_A_ZERO_WIN)
		fw->zero_win++;
	if (*a & TI_A_WIN_PROBE)
		fw->win_probe++;
	if (*a & TI_A_KEEPALIVE)
		fw->keepalive++;
	if (*a & TI_A_LOST)
		fw->lost++;
	return *a;
}

#endif
