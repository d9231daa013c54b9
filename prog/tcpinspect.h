/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the XDP program (prog/xdp.c, built by clang for
 * the bpf target) and the user side (built by musl-gcc).  Both compilers
 * include this file; the _Static_asserts make a layout drift a build
 * error on either side instead of garbage at run time.
 *
 * Only fixed-width types: the struct crosses the kernel boundary through
 * the ring buffer and must read the same on every architecture.
 */
#ifndef TCPINSPECT_PROG_H
#define TCPINSPECT_PROG_H

#include <linux/types.h>

/* Per-CPU counters, indices into the "counters" map. */
enum ti_counter {
	TI_CNT_SEEN,		/* every packet the program ran on */
	TI_CNT_TCP,		/* TCP segments with a complete header */
	TI_CNT_EMITTED,		/* events submitted to the ring buffer */
	TI_CNT_LOST,		/* events dropped: ring buffer full */
	TI_CNT_MALFORMED,	/* IP said TCP but headers were cut or bad */
	TI_CNT_BUDGET,		/* not emitted: the -c budget was used up */
	TI_CNT_MAX
};

/* Event flags (ti_event.ev_flags). */
#define TI_EV_VLAN	0x01	/* vlan holds an 802.1Q/802.1ad VLAN id */

/* TCP flag bits as they sit in byte 13 of the TCP header. */
#define TI_TCP_FIN	0x01
#define TI_TCP_SYN	0x02
#define TI_TCP_RST	0x04
#define TI_TCP_PSH	0x08
#define TI_TCP_ACK	0x10
#define TI_TCP_URG	0x20
#define TI_TCP_ECE	0x40
#define TI_TCP_CWR	0x80

/*
 * One TCP segment, as seen by the XDP program.  Ports, sequence numbers
 * and window are in host byte order; addresses stay in network order
 * (IPv4 in the first four bytes of saddr/daddr).
 */
struct ti_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 rx_queue;
	__u32 pkt_len;		/* whole frame, link header included */
	__u32 payload_len;	/* TCP payload per the IP length field */
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 seq;
	__u32 ack;
	__u16 sport;
	__u16 dport;
	__u16 window;
	__u16 vlan;		/* valid if ev_flags & TI_EV_VLAN */
	__u8 family;		/* 4 or 6 */
	__u8 tcp_flags;		/* TI_TCP_* */
	__u8 tcp_hlen;		/* TCP header length in bytes, 20..60 */
	__u8 ev_flags;		/* TI_EV_* */
	__u32 pad;
};

_Static_assert(sizeof(struct ti_event) == 80, "ti_event layout");
_Static_assert(sizeof(struct ti_event) % 8 == 0, "ti_event alignment");

/*
 * Configuration: const volatile globals in .rodata, set by the loader
 * (ld_set_var) before the program is loaded, so the verifier sees them
 * as constants.  TI_VAR_BUDGET: emit at most this many events in all
 * (0: no limit), so that -c holds even if user space stalls.
 */
#define TI_VAR_BUDGET	"ti_budget"

/* Map and program names the loader looks up in the object. */
#define TI_MAP_EVENTS	"events"
#define TI_MAP_COUNTERS	"counters"
#define TI_PROG_SEC	"xdp"

/* Default ring buffer size (bytes, power of two, multiple of the page). */
#define TI_RINGBUF_SIZE	(1u << 22)

#endif
