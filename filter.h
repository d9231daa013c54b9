/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - compile a tcpdump filter expression (pcap-filter(7), as
 * libpcap 1.10 reads it for an Ethernet capture file) into eBPF: the
 * body of the BPF function
 *
 *	int ti_filter(const struct ti_pkt *p, const struct ti_bytes *b);
 *
 * (prog/tcpinspect.h), which the loader puts in place of the
 * placeholder of that name in the BPF object.  r1 = p, r2 = b; either
 * may be NULL to the verifier, and the code checks those it reads.  It
 * returns r0 != 0 to accept the frame.
 *
 * The program calls the filter, at every entry point, for the frames it
 * emits (TCP segments whose headers it checked, later fragments of TCP,
 * malformed packets): it fills *p from the headers, and copies the
 * frame's first min(frame, info.bytes) bytes into b->data first, where
 * info.bytes is what flt_compile reports (TI_VAR_FILTER_BYTES; 0: no
 * copy at all).  A malformed packet has p->raw set and only len,
 * caplen, pkttype and ifindex in *p: the code reads the rest from its
 * first min(frame, info.raw_bytes) bytes (TI_VAR_FILTER_RAW).
 * The code reads the frame only from *p and *b, never from packet
 * pointers, and a byte beyond p->caplen makes the whole filter reject
 * the frame, as a load beyond the capture does in libpcap.
 *
 * The expression is first compiled and optimised as libpcap compiles
 * and optimises it (flt_cbpf gives that classic BPF program, the one
 * `tcpdump -d` prints), then translated, specialised for each kind of
 * frame the program hands over (VLAN tags, IPv4 or IPv6, what follows
 * the IP header) so that most expressions read only *p, and once more
 * for any frame (the malformed packets), reading the bytes as libpcap
 * does.
 *
 * Pure: no syscalls, no output, no globals, no allocation: mem (at
 * least FLT_MEM_MIN bytes; FLT_MEM bytes for the largest expressions)
 * is the compiler's working memory.  Names (hosts, networks, services,
 * protocols, ethers) are looked up in the text the caller passes in
 * names (the contents of the files in /etc; any may be NULL) and in
 * built-in tables of the well-known services and protocols; there is
 * no DNS.
 *
 * Returns 0; -EINVAL: an expression libpcap refuses too, or one that
 * cannot be read (err gets one line, with the 1-based position of the
 * token where it went wrong); -E2BIG: beyond a size limit (more than
 * max instructions, FLT_MAX_BLOCKS blocks, or mem; nested deeper than
 * FLT_MAX_NEST).
 */
#ifndef TCPINSPECT_FILTER_H
#define TCPINSPECT_FILTER_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/filter.h>

#define FLT_MAX_INSNS	32767	/* eBPF jump offsets are 16-bit */
#define FLT_MAX_CBPF	65535	/* classic BPF program length */
#define FLT_MAX_BLOCKS	20000	/* blocks of libpcap's code */
#define FLT_MAX_NEST	200	/* (, [, not, unary -, % and ^ nested */
#define FLT_MEM		(96u << 20)
#define FLT_MEM_MIN	(1u << 20)
#define FLT_SNAPLEN	262144	/* what libpcap's "accept" returns */
#define FLT_NAMES_MAX	(1u << 20)	/* bytes of one names file read */

/* What libpcap would learn from the system: the names, and whether the
 * capture is live (inbound, outbound and ifindex are then known: the
 * program's ti_pkt.pkttype and .ifindex; a capture file has neither). */
struct flt_names {
	const char *hosts, *networks, *services, *protocols, *ethers;
	size_t hosts_len, networks_len, services_len, protocols_len,
	       ethers_len;
	int live;
};

#define FLT_NEVER	0x1	/* no TCP segment can match (a malformed
				 * packet may) */
#define FLT_ALWAYS	0x2	/* every TCP segment matches (a malformed
				 * packet may not) */
#define FLT_UNOPT	0x4	/* libpcap does not optimise it either */
#define FLT_LEN		0x8	/* the code reads ti_pkt.len */
#define FLT_IF		0x10	/* the code reads ti_pkt.pkttype, .ifindex */
#define FLT_L3		0x20	/* ... ti_pkt.l3 */
#define FLT_L4		0x40	/* ... ti_pkt.l4 */
#define FLT_TAGS	0x80	/* ... ti_pkt.tag */

struct flt_info {
	__u32 cnt;		/* eBPF instructions written */
	__u32 bytes;		/* frame bytes the code reads from b */
	__u32 raw_bytes;	/* the same for a malformed packet (p->raw) */
	__u32 flags;		/* FLT_* */
};

int flt_compile(const char *expr, const struct flt_names *names,
		void *mem, size_t mem_len, struct bpf_insn *out, __u32 max,
		struct flt_info *info, char *err, size_t err_len);

/*
 * The classic BPF program libpcap makes of expr for an Ethernet
 * capture file (optimize as pcap_compile's argument), instruction for
 * instruction; "accept" returns FLT_SNAPLEN.  0 or -errno as above.
 */
int flt_cbpf(const char *expr, const struct flt_names *names, int optimize,
	     void *mem, size_t mem_len, struct sock_filter *out, __u32 max,
	     __u32 *cnt, char *err, size_t err_len);

#endif
