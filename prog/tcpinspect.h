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

/*
 * Counters, per CPU, each packet counted once in the program: the
 * indices of struct ti_counters.  Three are sums that user space makes
 * (insp_counters), so that the program adds one per packet and no more
 * where it can: SEEN is every packet (the program's slot holds those
 * counted nowhere else: not IP, not TCP, cut before the IP header),
 * MALFORMED the sum of its reasons, FILTERED what TCP + FRAGMENT +
 * MALFORMED did not match: a malformed packet is offered to the filter
 * (with what could be parsed of it) and, if it matches, sent as an
 * event that names its reason (ti_event.reason), as libpcap hands
 * tcpdump every packet its filter accepts.
 */
enum ti_counter {
	TI_CNT_SEEN,		/* every packet the program ran on */
	TI_CNT_TCP,		/* TCP segments with a complete header */
	TI_CNT_EMITTED,		/* events submitted to the ring or perf buffer */
	TI_CNT_LOST,		/* events dropped: that buffer was full */
	TI_CNT_MALFORMED,	/* IP or TCP headers were bad: the sum of */
	TI_CNT_BAD_IHL,		/*   IPv4 header length < 20 */
	TI_CNT_BAD_DOFF,	/*   TCP data offset < 5 */
	TI_CNT_BAD_LEN,		/*   IP length shorter than the headers it holds */
	TI_CNT_TRUNCATED,	/*   frame ends inside the IP or TCP header */
	TI_CNT_BAD_EXT,		/*   IPv6: more extension headers than we follow */
	TI_CNT_BAD_VER,		/*   IP version not the one the link type names */
	TI_CNT_BUDGET,		/* not emitted: the -c budget was used up */
	TI_CNT_MATCHED,		/* passed the filter (all, without one) */
	TI_CNT_FILTERED,	/* rejected by the filter */
	TI_CNT_FRAGMENT,	/* later IP fragments of TCP (no TCP header) */
	TI_CNT_SAMPLED,		/* matched, not emitted: --sample skipped it */
	TI_CNT_EXPIRED,		/* matched, not emitted: --duration was over */
	TI_CNT_FLOW_NEW,	/* flows: entries created in the flow table */
	TI_CNT_FLOW_FAIL,	/* flows: packets the table could not take */
	TI_CNT_MAX
};

/* The "counters" map's one per-CPU value: one lookup per packet. */
struct ti_counters {
	__u64 n[TI_CNT_MAX];
};

/* Event flags (ti_event.ev_flags). */
#define TI_EV_DF	0x01	/* IPv4 don't fragment */
#define TI_EV_MF	0x02	/* more fragments (IPv4 MF, IPv6 M) */
#define TI_EV_FRAG	0x04	/* a later fragment: no TCP header, no ports */
#define TI_EV_V6FRAG	0x08	/* IPv6 with a fragment header */
#define TI_EV_OUT	0x10	/* leaving by ifindex (TC egress), not arriving */

/* ti_flow.dirs: which ways its segments were seen */
#define TI_DIR_IN	0x1
#define TI_DIR_OUT	0x2

/* TCP flag bits as they sit in byte 13 of the TCP header. */
#define TI_TCP_FIN	0x01
#define TI_TCP_SYN	0x02
#define TI_TCP_RST	0x04
#define TI_TCP_PSH	0x08
#define TI_TCP_ACK	0x10
#define TI_TCP_URG	0x20
#define TI_TCP_ECE	0x40
#define TI_TCP_CWR	0x80

#define TI_VLAN_MAX	2	/* tags we look through */
#define TI_EXT_MAX	8	/* IPv6 extension headers we follow */
#define TI_SNAP_MAX	16384	/* most frame bytes an event carries */
#define TI_SNAP_DEFAULT	256	/* room for every header we decode */
/*
 * The ring buffer's reader is woken at most once per TI_WAKE_NS (and
 * when the ring is half full); after a round that found events it looks
 * again TI_WAKE_NS later for those that arrived unannounced.
 */
#define TI_WAKE_NS	1000000

/*
 * One TCP segment (or later fragment, or malformed packet), as seen by
 * the XDP program, followed in the ring buffer by snap_len bytes of the
 * frame from its first byte (in a perf buffer record, then by up to 7
 * bytes of padding).  The program checked every header and says where
 * they are; user space reads their fields from those bytes (decode.h).
 * snap_len is at least cap_len, the bytes the snap length asks for, and
 * at least every header up to the end of the TCP options, whatever the
 * snap length, as long as the frame is no longer than TI_SNAP_MAX.
 *
 * A malformed packet (reason != 0: an IP or TCP header bad or cut) comes
 * with the whole frame, up to TI_SNAP_MAX, whatever the snap length:
 * user space shows what tcpdump would of it.  Its l4_off is where the
 * parse stopped (the header found bad or cut; 0 if that was the IP
 * header itself), and family what the link type names.
 */
struct ti_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 rx_queue;
	__u32 pkt_len;		/* whole frame, link header included */
	__u16 snap_len;		/* frame bytes following this struct */
	__u16 cap_len;		/* of them, what the snap length asked for */
	__u16 l3_off;		/* IP header offset in the frame */
	__u16 l4_off;		/* TCP header offset (a later fragment: the
				 * end of the IP and extension headers) */
	__u8 family;		/* 4 or 6 (by the link type) */
	__u8 ev_flags;		/* TI_EV_FRAG for a later fragment */
	__u8 reason;		/* 0, or the TI_CNT_* why it is malformed */
	__u8 verdict;		/* beside another's XDP program (fentry/fexit):
				 * its verdict + 1 (TI_VERDICT); else 0 */
};

/* ti_event.verdict: the XDP action + 1 (0: not known). */
#define TI_VERDICT(action)	((action) + 1)

_Static_assert(sizeof(struct ti_event) == 32, "ti_event layout");
_Static_assert(sizeof(struct ti_event) % 8 == 0, "ti_event alignment");
_Static_assert(TI_SNAP_MAX <= 0xffff, "snap_len in 16 bits");

/*
 * What a filter sees (filter.c compiles an expression into the body of
 *
 *	int ti_filter(const struct ti_pkt *p, const struct ti_bytes *b)
 *
 * which returns non-zero to accept).  Every entry point (XDP, TC in and
 * out, fentry) calls it for the frames it would emit: a TCP segment
 * whose headers it checked (IPv4 or IPv6 after up to TI_VLAN_MAX
 * tags), a later fragment of one, or a malformed packet (an IPv4 or
 * IPv6 header, or the TCP header, bad or cut: ti_event.reason).  For
 * the first two the compiled code relies on the checks: it knows, for
 * each combination of tag count, family and what follows the IP
 * header, which frame bytes are in *p and which are constants.  A
 * malformed packet fits none of those shapes: raw is 1, and the code
 * reads every frame byte from b (TI_VAR_FILTER_RAW of them copied), as
 * libpcap reads any packet.
 *
 * The windows hold frame bytes as they are in the frame (network
 * order), where the compiled code finds them without a copy:
 *   tag[i]   frame bytes 12 + 4i .. 15 + 4i (TPID, TCI) for i < vlan_cnt
 *   l3       the first 12 bytes of the IPv4 header, or 8 of the IPv6 one
 *   saddr    IPv4: l3 + 12..15; IPv6: l3 + 8..23
 *   daddr    IPv4: l3 + 16..19; IPv6: l3 + 24..39
 *   l4       has_ports: the first 16 bytes of the TCP header; IPv6
 *            otherwise: the 8 bytes after the IPv6 header
 * The program fills tag, l3 and l4 only where TI_VAR_FILTER_NEEDS says
 * the filter reads them, and they are stale otherwise (and in a
 * malformed packet).  Any other byte the expression reads comes from
 * b->data, where the program copied the frame's first caplen bytes
 * (TI_VAR_FILTER_BYTES says how many the expression needs, and
 * TI_VAR_FILTER_RAW for a malformed packet; 0: none, and b is not read).
 */
struct ti_pkt {
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 l3[12];
	__u8 l4[16];
	__u8 tag[TI_VLAN_MAX][4];
	__u32 len;		/* the frame's length on the wire (tcpdump's len);
				 * set only if TI_VAR_FILTER_NEEDS says the
				 * filter reads it */
	__u32 caplen;		/* frame bytes in b->data: min(frame, filter bytes) */
	__u8 vlan_cnt;		/* tags before the IP header */
	__u8 family;		/* 4 or 6 */
	__u8 proto;		/* IPv4 protocol (6) / IPv6 next header field */
	__u8 has_ports;		/* TCP header right behind the IP header (IPv4:
				 * in the first fragment) */
	__u8 chain;		/* IPv6: TI_CHAIN_* of the headers chased */
	__u8 pkttype;		/* PACKET_OUTGOING (4) for a frame leaving by
				 * ifindex (TC egress), else 0 (arriving: XDP,
				 * TC ingress, fentry); with ifindex, set only
				 * if TI_VAR_FILTER_NEEDS says so */
	__u8 raw;		/* 1: a malformed packet, read from b alone */
	__u8 pad;
	__u32 ifindex;		/* the interface it arrives on (or leaves by) */
};

_Static_assert(sizeof(struct ti_pkt) == 88, "ti_pkt layout");

/* ti_pkt.chain: the extension headers before TCP (libpcap's protochain) */
#define TI_CHAIN_HOP	0x01	/* 0, hop-by-hop options */
#define TI_CHAIN_ROUTING 0x02	/* 43 */
#define TI_CHAIN_FRAG	0x04	/* 44 */
#define TI_CHAIN_DST	0x08	/* 60, destination options */
#define TI_CHAIN_ODD	0x80	/* a fragment header with a non-zero reserved
				 * byte: libpcap's walk reads it as a length */

/* The frame's first bytes, copied for the filter (the scratch buffer). */
struct ti_bytes {
	__u8 data[TI_SNAP_MAX];
};

#define TI_FUNC_FILTER	"ti_filter"
#define TI_FUNC_FETCH_ADD "ti_fetch_add"	/* (__u64 *p, __u64 v): the old *p */

/*
 * The in-kernel flow table ("flows" map, LRU hash): one entry per TCP
 * connection, whichever way its segments go.  The key holds its two
 * ends in a fixed order, the smaller (address, port) first, so that
 * both directions find the one entry; s[0] of the value is what the
 * first end sent, s[1] what the second sent.  Later fragments have no
 * ports and are not counted in it.
 */
struct ti_flow_key {
	__u8 saddr[16];		/* the first end */
	__u8 daddr[16];		/* the second end */
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 pad[3];
};

/* ti_side.st bits */
#define TI_SIDE_SEQ	0x01	/* nextseq is set */
#define TI_SIDE_ACK	0x02	/* lastack is set */
#define TI_SIDE_WIN	0x04	/* win is set */
#define TI_SIDE_SYNACK	0x08	/* sent a SYN-ACK */
#define TI_SIDE_FIN	0x10	/* sent a FIN (fin_seq) */
#define TI_SIDE_FIN_ACKED 0x20	/* ... which the other side acknowledged */
#define TI_SIDE_RST	0x40	/* sent a RST */

/* What prog/health.h found a segment to be (TI_A_*). */
#define TI_A_RETRANS	0x001
#define TI_A_FAST_RETRANS 0x002
#define TI_A_SPURIOUS	0x004
#define TI_A_OOO	0x008
#define TI_A_DUPACK	0x010
#define TI_A_ZERO_WIN	0x020
#define TI_A_WIN_PROBE	0x040
#define TI_A_KEEPALIVE	0x080
#define TI_A_LOST	0x100
#define TI_A_WIN_UPDATE	0x200
#define TI_A_HANDSHAKE	0x400	/* completed the handshake */

/* What one end of a connection sent, as seen where we capture. */
struct ti_side {
	__u64 packets;
	__u64 bytes;		/* frame bytes */
	__u64 seq_ns;		/* when nextseq last moved on */
	__u64 ack_ns;		/* when lastack was last set */
	__u64 rtt_ns;		/* the data segment being timed: when; 0 none */
	__u32 nextseq;		/* the sequence after the highest segment */
	__u32 lastack;
	__u32 rtt_seq;		/* the timed segment's end */
	__u32 srtt_us;		/* smoothed time for the other side to ACK our data */
	__u32 rtt_cnt;		/* RTT samples taken */
	__u32 fin_seq;		/* the sequence the ACK of our FIN carries */
	__u32 st;		/* TI_SIDE_* */
	__u16 win;		/* the last window field, unscaled */
	__u8 dupacks;		/* the current run of duplicate ACKs */
	__u8 tcp_flags;		/* TI_TCP_* seen, OR'd */
	__u32 retrans;		/* retransmissions, fast and spurious included */
	__u32 fast_retrans;
	__u32 spurious;
	__u32 ooo;		/* out-of-order segments */
	__u32 dupack;		/* duplicate ACKs */
	__u32 zero_win;		/* zero-window advertisements */
	__u32 win_probe;	/* zero-window probes */
	__u32 keepalive;
	__u32 lost;		/* segments after one not seen */
	__u32 syn;		/* SYN and SYN-ACK */
	__u32 fin;
	__u32 rst;
	__u32 xdp_drop;		/* segments the interface's XDP program dropped */
	__u32 last_a;		/* TI_A_* of the last segment */
};

struct ti_flow {
	struct ti_side s[2];	/* s[0]: sent by the key's first end */
	__u64 first_ns;		/* CLOCK_MONOTONIC */
	__u64 last_ns;
	__u64 syn_ns;		/* the first SYN */
	__u64 hs_ns;		/* handshake RTT: the first SYN to the ACK of
				 * the SYN-ACK; 0: not seen */
	__u8 client;		/* the side of the first SYN (if syn_ns) */
	__u8 dirs;		/* TI_DIR_* bits of the segments seen */
	__u8 pad[6];
};

_Static_assert(sizeof(struct ti_flow_key) == 40, "ti_flow_key layout");
_Static_assert(sizeof(struct ti_side) == 128, "ti_side layout");
_Static_assert(sizeof(struct ti_flow) == 296, "ti_flow layout");

/*
 * TCP health in all, per CPU ("health" map, one value): retransmissions
 * and the handshake RTTs' histogram, for /metrics.  The buckets' upper
 * bounds in microseconds are TI_HS_LE_US; TI_H_HS counts them all
 * (the +Inf bucket), TI_H_HS_US sums them.
 */
#define TI_HS_BUCKETS	10
#define TI_HS_LE_US	{ 100, 500, 1000, 5000, 10000, 50000, 100000, \
			  500000, 1000000, 5000000 }
enum ti_hcounter {
	TI_H_RETRANS,		/* retransmissions, both ways */
	TI_H_HS,		/* handshakes timed */
	TI_H_HS_US,		/* their RTTs' sum, microseconds */
	TI_H_HS_B0,		/* handshakes in bucket 0 .. */
	TI_H_MAX = TI_H_HS_B0 + TI_HS_BUCKETS
};

struct ti_health {
	__u64 n[TI_H_MAX];
};

#define TI_MAP_HEALTH	"health"
#define TI_MAP_FLOWS	"flows"
#define TI_FLOWS_DEFAULT 65536	/* entries; the loader may set another size */

/* TI_VAR_MODE bits: what the program does with a matching packet. */
#define TI_MODE_EVENTS	0x1	/* an event into the ring buffer */
#define TI_MODE_FLOWS	0x2	/* count it in the flow table */

/*
 * Configuration: const volatile globals in .rodata, set by the loader
 * (ld_set_var) before the program is loaded, so the verifier sees them
 * as constants.  TI_VAR_BUDGET: emit at most this many events in all
 * (0: no limit), so that -c holds even if user space stalls.
 */
#define TI_VAR_BUDGET	"ti_budget"
#define TI_VAR_SNAPLEN	"ti_snaplen"	/* frame bytes per event, <= TI_SNAP_MAX */
#define TI_VAR_DEADLINE	"ti_deadline"	/* CLOCK_MONOTONIC ns to stop at; 0: none */
#define TI_VAR_SAMPLE	"ti_sample"	/* emit one in N matches; 0 or 1: all */
#define TI_VAR_MODE	"ti_mode"	/* TI_MODE_*; 0 means TI_MODE_EVENTS */
#define TI_VAR_OUTPUT	"ti_output"	/* TI_OUT_*: where events go */
#define TI_VAR_RING_SIZE "ti_ring_size"	/* the ring buffer's bytes */
#define TI_VAR_FILTER_BYTES "ti_filter_bytes"	/* frame bytes to copy for the
						 * filter, <= TI_SNAP_MAX */
#define TI_VAR_FILTER_RAW "ti_filter_raw"	/* the same for a malformed
						 * packet (ti_pkt.raw) */
#define TI_VAR_FILTER_NEEDS "ti_filter_needs"	/* TI_NEED_*: ti_pkt fields the
						 * filter reads that cost */
#define TI_NEED_LEN	0x1	/* ti_pkt.len */
#define TI_NEED_IF	0x2	/* ti_pkt.pkttype, ti_pkt.ifindex */
#define TI_NEED_L3	0x4	/* ti_pkt.l3 */
#define TI_NEED_L4	0x8	/* ti_pkt.l4 */
#define TI_NEED_TAGS	0x10	/* ti_pkt.tag */
#define TI_VAR_META	"ti_meta"	/* replay: the wire length comes in
					 * XDP metadata (struct ti_meta) */
#define TI_VAR_FRAGS	"ti_frags"	/* loaded with BPF_F_XDP_HAS_FRAGS:
					 * frames may be multi-buffer */

/* replay's metadata in front of each frame (BPF_PROG_TEST_RUN) */
struct ti_meta {
	__u32 magic;		/* TI_META_MAGIC */
	__u32 wire_len;		/* the record's original length */
};

#define TI_META_MAGIC	0x74696d31	/* "tim1" */

_Static_assert(sizeof(struct ti_meta) == 8, "ti_meta layout");

/*
 * TI_VAR_OUTPUT values.  The path not taken is dead code to the
 * verifier, so its helpers and map types need not exist in the kernel
 * (the loader puts a one-entry array in place of the unused map).
 */
#define TI_OUT_RINGBUF	0	/* the frame copied by bpf_xdp_load_bytes,
				 * bpf_ringbuf_output to "events" (5.18) */
#define TI_OUT_PERF	1	/* bpf_perf_event_output to "perf_events";
				 * the kernel appends the frame (BPF_F_CTXLEN) */

/* Map and program names the loader looks up in the object. */
#define TI_MAP_EVENTS	"events"
#define TI_MAP_COUNTERS	"counters"
#define TI_MAP_PERF	"perf_events"	/* one slot per possible CPU */
#define TI_PROG_SEC	"xdp"
#define TI_PROG_NAME	"tcpinspect"	/* the XDP program's name in the kernel */
#define TI_PROG_TC_IN	"ti_tc_in"	/* TC ingress (SEC "tc") */
#define TI_PROG_TC_OUT	"ti_tc_out"	/* TC egress (SEC "tc") */
#define TI_PROG_ENTRY	"ti_xdp_entry"	/* fentry on another's XDP program */
#define TI_PROG_EXIT	"ti_xdp_exit"	/* fexit on it */
#define TI_MAP_IFACES	"ifaces"	/* ifindex -> 1: the interfaces fentry/fexit report */
#define TI_IFACES_MAX	64

/* Default ring buffer size (bytes, power of two, multiple of the page). */
#define TI_RINGBUF_SIZE	(1u << 20)

#endif
