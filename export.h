/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export.h - the flow table to a collector, as IPFIX or NetFlow v9 over
 * UDP (ipfix.c builds the messages).  Each tick hands over the table as
 * read; a connection's counts go out in parts that add up: when it has
 * been idle for the idle timeout, when its part has lasted the active
 * timeout, a moment after a FIN or RST of either end, and at the end
 * (forced).  Records are one-way, as collectors expect: a part is a
 * record for each end that sent packets in it, from that end, with its
 * own counts and flags.  A collector that is down costs nothing but the
 * error count.  No printing; the socket is the only thing it holds
 * besides memory.
 */
#ifndef TCPINSPECT_EXPORT_H
#define TCPINSPECT_EXPORT_H

#include <stddef.h>
#include <linux/types.h>
#include "flows.h"
#include "ipfix.h"

#define EXPORT_TEMPLATE_NS	(30 * 1000000000ull)	/* templates resent (UDP) */
#define EXPORT_END_QUIET_NS	(2 * 1000000000ull)	/* after FIN/RST: then out */

struct export_cfg {
	enum ipfix_version version;
	const char *dest;	/* ADDR:PORT or [ADDR6]:PORT, numeric */
	__u64 active_ns, idle_ns;
	__u32 ifindex;		/* ingressInterface; 0 when several */
	__u32 domain;		/* observation domain / source id */
	size_t flows_max;	/* the table's size: the state kept */
};

/* What has gone out of one end's counts (ti_side's, those records carry). */
struct export_sent {
	__u64 packets, bytes;
	__u32 syn, fin, rst;
	__u32 retrans;
};

/* What an exported part of a connection started from. */
struct export_state {
	struct ti_flow_key key;
	struct export_sent sent[2];	/* per side of the key, as ti_flow.s */
	__u64 part_ns;		/* CLOCK_MONOTONIC start of this part; 0: unknown */
	__u32 gen;		/* the tick that last saw it */
	__u8 used;
};

struct export {
	struct export_cfg cfg;
	int fd;
	size_t mtu;		/* message size limit */
	__u64 boot_ms;		/* wall clock at start (v9 uptimes) */
	__u64 tpl_ns;		/* CLOCK_MONOTONIC of the last templates; 0: never */
	__u64 last_tick;	/* CLOCK_MONOTONIC of the last tick */
	__u32 seq;		/* IPFIX: records sent; v9: messages sent */
	__u32 gen;
	struct export_state *st;	/* open addressing, linear probing */
	size_t st_mask;
	__u8 buf[1500];
	struct ipfix_msg msg;
	int open;		/* a message is being filled */
	/* counters */
	__u64 records, messages, errors, evicted;
	int last_err;		/* -errno of the last failed send */
};

/* Parse and connect (UDP) to cfg->dest; 0 or -errno (EINVAL: a bad
 * destination; err says why).  export_close undoes it. */
int export_open(struct export *x, const struct export_cfg *cfg, char *err,
		size_t err_len);

/*
 * One look at the table, e[0..cnt) as read at now (CLOCK_MONOTONIC;
 * mono_to_real gives wall clock): what is due goes out.  With final,
 * everything not yet exported goes out (the capture has ended).
 */
void export_tick(struct export *x, const struct flow_entry *e, size_t cnt,
		 __u64 now, __s64 mono_to_real, int final);

void export_close(struct export *x);

#endif
