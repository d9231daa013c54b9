/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipfix.h - flow records as IPFIX (RFC 7011) or NetFlow version 9
 * (RFC 3954) messages: a message header, templates, data sets, sequence
 * numbers, within a size limit.  Pure: no syscalls, no allocation; the
 * caller owns the buffer and sends what ipfix_end() says.
 *
 * Two templates, one per address family, with the information elements
 * of RFC 7012 (IANA's registry) a collector expects, and in IPFIX seven
 * of tcpinspect's own counters under an enterprise number (IPFIX_PEN).
 */
#ifndef TCPINSPECT_IPFIX_H
#define TCPINSPECT_IPFIX_H

#include <stddef.h>
#include <linux/types.h>

/*
 * No enterprise number is registered for tcpinspect: 32473 is the one
 * RFC 5612 reserves for documentation and examples, so these elements
 * mean nothing to anyone else.
 */
#define IPFIX_PEN		32473
#define IPFIX_TPL_V4		256	/* template ids */
#define IPFIX_TPL_V6		257

/* flowEndReason (IANA IE 136) */
enum ipfix_end {
	IPFIX_END_IDLE = 1,	/* idle timeout */
	IPFIX_END_ACTIVE = 2,	/* active timeout */
	IPFIX_END_FLOW = 3,	/* end of flow detected (FIN, RST) */
	IPFIX_END_FORCED = 4,	/* forced end: the exporter stopped */
	IPFIX_END_RESOURCES = 5,	/* lack of resources: evicted */
};

/*
 * Enterprise elements (IPFIX_PEN), unsigned32 each: deltas of
 * tcpinspect's counts for the record's direction, and its TCP health.
 */
enum ipfix_own {
	IPFIX_OWN_SYN = 1,	/* SYN without ACK */
	IPFIX_OWN_SYNACK = 2,
	IPFIX_OWN_FIN = 3,
	IPFIX_OWN_RST = 4,
	IPFIX_OWN_RETRANS = 5,	/* retransmissions (Wireshark's rules) */
	IPFIX_OWN_HS_RTT_US = 6,	/* the connection's handshake RTT, us; 0 unknown */
	IPFIX_OWN_RTT_US = 7,	/* smoothed time for the other end to
				 * acknowledge this direction's data, us;
				 * 0 unknown */
};

enum ipfix_version { IPFIX_V10 = 10, IPFIX_NF9 = 9 };

/* One data record: a part of a flow, its counts since the last part. */
struct ipfix_rec {
	__u8 family;		/* 4 or 6 */
	__u8 saddr[16], daddr[16];	/* network order; IPv4: first four */
	__u16 sport, dport;
	__u8 tcp_flags;		/* OR of the flags seen (tcpControlBits) */
	__u8 end_reason;	/* enum ipfix_end */
	__u64 packets, bytes;	/* deltas */
	__u64 start_ms, end_ms;	/* wall clock, ms since the epoch */
	__u32 ifindex;		/* ingressInterface; 0: unknown */
	__u32 syn, synack, fin, rst;	/* deltas */
	__u32 retrans;		/* delta */
	__u32 hs_rtt_us, rtt_us;	/* as they stand; 0: unknown */
};

struct ipfix_msg {
	enum ipfix_version version;
	__u8 *buf;		/* the caller's */
	size_t room;		/* the message size limit (a path MTU less headers) */
	size_t len;		/* bytes so far */
	size_t set_at;		/* where the open set starts; 0: none */
	__u16 set_id;		/* its id */
	__u32 records;		/* data records in this message */
	__u32 count;		/* NetFlow v9's header count: every record and template */
	__u64 boot_ms;		/* v9: wall-clock ms of the exporter's start */
};

/* IPFIX's minimal room: the largest record and the templates fit. */
#define IPFIX_MIN_ROOM	512

/*
 * Start a message in buf (room bytes, at least IPFIX_MIN_ROOM) at
 * now_ms (wall clock): the sequence number (IPFIX: data records sent
 * before; v9: messages sent before), the observation domain (v9: source
 * id), and NetFlow v9's system uptime counted from boot_ms; with
 * templates, both templates first.  0, or -EINVAL for a room too small.
 */
int ipfix_begin(struct ipfix_msg *m, enum ipfix_version v, __u8 *buf,
		size_t room, __u64 now_ms, __u64 boot_ms, __u32 seq,
		__u32 domain, int templates);

/* Add a record: 0, or -ENOSPC if it does not fit (end and send first). */
int ipfix_add(struct ipfix_msg *m, const struct ipfix_rec *r);

/* Close the message (set lengths, header length and count): its length. */
size_t ipfix_end(struct ipfix_msg *m);

#endif
