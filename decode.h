/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - an event as the output needs it.  The XDP program sends
 * little with each packet (struct ti_event: time, interface, lengths,
 * where the IP and TCP headers start) and the frame's first bytes,
 * always enough to hold every header; ev_decode() reads the rest from
 * those bytes, as tcpdump reads its captures.  Pure: no syscalls, no
 * allocation, no globals.
 */
#ifndef TCPINSPECT_DECODE_H
#define TCPINSPECT_DECODE_H

#include <linux/types.h>
#include "prog/tcpinspect.h"

struct ti_view {
	__u64 ts_ns;		/* CLOCK_MONOTONIC, as the program read it */
	__u32 ifindex;
	__u32 rx_queue;
	__u32 pkt_len;		/* whole frame */
	__u32 snap_len;		/* bytes the snap length asked for (<= bytes_len) */
	const __u8 *bytes;	/* the frame's first bytes_len bytes */
	__u32 bytes_len;
	__u8 saddr[16];		/* network order; IPv4 in the first four */
	__u8 daddr[16];
	__u32 seq;
	__u32 ack;
	__u32 ip_len;		/* IPv4 total length, IPv6 40 + payload length */
	__u32 payload_len;	/* TCP payload per the IP length */
	__u32 flow_label;	/* IPv6 */
	__u32 frag_id;		/* IPv6 fragment header identification */
	__u16 sport;
	__u16 dport;
	__u16 window;
	__u16 urg_ptr;
	__u16 vlan[TI_VLAN_MAX];	/* ids, outer first */
	__u16 ip_id;		/* IPv4 identification */
	__u16 frag_off;		/* fragment offset in bytes */
	__u16 l3_off;		/* IP header offset in the frame */
	__u16 l4_off;		/* TCP header (later fragment: payload) offset */
	__u8 family;		/* 4 or 6 */
	__u8 tcp_flags;		/* TI_TCP_* */
	__u8 tcp_hlen;		/* TCP header length in bytes, 20..60 */
	__u8 ev_flags;		/* TI_EV_* */
	__u8 ttl;		/* TTL or hop limit */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u8 vlan_cnt;
	__u8 ext_cnt;		/* IPv6 extension headers before l4_off */
	__u8 reason;		/* malformed: the TI_CNT_* reason; else 0 */
	__u8 verdict;		/* TI_VERDICT(the XDP program's action); 0: none */
	__u8 out;		/* leaving by ifindex (TI_EV_OUT), else arriving */
	__u8 have;		/* TI_HAVE_*: which fields above are set */
};

#define TI_HAVE_IP	0x01	/* addresses and the IP header's fields */
#define TI_HAVE_TCP	0x02	/* ports and the TCP header's fields */

/* "aborted", "drop", "pass", "tx", "redirect" for a ti_view.verdict;
 * "unknown" for any other; NULL for none. */
static inline const char *ev_verdict_name(__u8 verdict)
{
	static const char *const name[] = { "aborted", "drop", "pass", "tx", "redirect" };

	if (!verdict)
		return 0;
	return verdict - 1u < sizeof(name) / sizeof(name[0]) ? name[verdict - 1] : "unknown";
}

/*
 * The ring buffer (or perf buffer) record rec of len bytes into v, which
 * points into rec.  0, or -EINVAL if it is not a whole record of ours or
 * its headers are not where the program said (v is then partly set).
 * A malformed packet's record (reason set) decodes to what its bytes
 * hold: have says which fields are set, l4_off is the TCP header's
 * offset if there is one, else 0.
 */
int ev_decode(const void *rec, __u32 len, struct ti_view *v);

/* A malformed reason's name, as the JSON counters name it ("truncated"). */
const char *ev_reason_name(__u8 reason);

#endif
