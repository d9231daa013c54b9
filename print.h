/* SPDX-License-Identifier: GPL-2.0 */
/*
 * print.h - an event's line as tcpdump -n prints it, from the link
 * layer to the end of the TCP header (", length N"): what tcpdump 4.99
 * prints of the frame's bytes, malformed and cut headers included, with
 * -e, -q, -S, -v, -vv and -K.  Pure: no syscalls, no allocation; the
 * relative sequence numbers' table is the caller's.
 */
#ifndef TCPINSPECT_PRINT_H
#define TCPINSPECT_PRINT_H

#include <linux/types.h>
#include "decode.h"
#include "seqtab.h"

#define PR_ADDR_LEN	46	/* an IPv6 address, and its NUL */

struct pr_cfg {
	int verbose;		/* -v: 1, -vv: 2 */
	int eflag;		/* -e: the link layer */
	int qflag;		/* -q: less of the TCP header */
	int Kflag;		/* -K: no checksum verified */
	struct seqtab *seq;	/* NULL: absolute numbers (-S) */
};

/* What pr_line() found on its way, for what follows the line. */
struct pr_res {
	__u32 dump_off;		/* where -x, -X, -A begin in the frame */
	__u32 payload_off;	/* the TCP payload in the frame ... */
	__u32 payload_len;	/* ... and its bytes there (0: none) */
	int done;		/* the line reached ", length N" */
};

/*
 * The line of the event v (a frame of wire_len bytes on the wire) after
 * its time stamp, at p and never past end: the new end.  The bytes the
 * frame had beyond those of v are unknown: what tcpdump would print of
 * them is cut short there, as a snap length would.
 */
char *pr_line(char *p, char *end, const struct pr_cfg *c,
	      const struct ti_view *v, __u32 wire_len, struct pr_res *res);

/* An IPv6 address as tcpdump writes it; the end of the text. */
char *pr_ip6(char *p, const __u8 *a);
/* An IPv4 address, dotted; the end of the text. */
char *pr_ip4(char *p, const __u8 *a);
/* A number in decimal; the end of the text. */
char *pr_u64(char *p, __u64 v);
/* v as exactly width digits, zero-padded; the end of the text. */
char *pr_fixed(char *p, __u32 v, int width);

#endif
