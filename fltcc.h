/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fltcc.h - the filter compiler's insides, shared by its parts:
 *
 *   filter.c    the scanner and the parser (pcap-filter's grammar), the
 *               entry points of filter.h
 *   fltgen.c    the primitives, as classic BPF blocks (libpcap's gencode)
 *   fltopt.c    libpcap's optimizer, and the blocks laid out as a
 *               classic BPF program
 *   fltebpf.c   the blocks as eBPF over struct ti_pkt and the frame's
 *               bytes, specialised for each shape of frame the XDP
 *               program hands over
 *   fltnames.c  names: services, protocols, hosts, networks, ethers
 *
 * The front half builds what libpcap 1.10 builds for an Ethernet
 * capture file, block for block and statement for statement, and
 * optimises it as libpcap does (or not, where libpcap does not: after
 * protochain or geneve), so that the classic program is the one
 * `tcpdump -d` prints and means what it means, down to which loads and
 * divisions are left to fail.  The algorithms follow libpcap's
 * gencode.c and optimize.c (BSD licence); the code is ours.
 *
 * Everything lives in one arena the caller hands over: no allocation,
 * no syscalls, no globals.  Errors longjmp back to the entry point.
 */
#ifndef TCPINSPECT_FLTCC_H
#define TCPINSPECT_FLTCC_H

#include <setjmp.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/filter.h>
#include "filter.h"

#define FLT_NOP		0xffff		/* a statement the optimizer removed */
/* Pseudo statements: one statement in the blocks, a run of classic
 * instructions when laid out (libpcap's loops; see fltgen.c). */
#define FLT_PCHAIN	0xfffe		/* protochain: k = proto, see fcc_pchain */
#define FLT_GENEVE	0xfffd		/* geneve's offset computation */

#define FLT_MEMWORDS	BPF_MEMWORDS	/* 16 */
#define A_ATOM		FLT_MEMWORDS
#define X_ATOM		(FLT_MEMWORDS + 1)
#define N_ATOMS		(FLT_MEMWORDS + 2)
#define AX_ATOM		N_ATOMS

/* Link types the compiler knows (the outer one is always Ethernet). */
#define LT_EN10MB	1
#define LT_PPP		9

struct fstmt {
	__u16 code;
	__u32 k;
	__u32 p1, p2, p3;	/* pseudo statements: their registers */
};

struct fslist {
	struct fstmt s;
	struct fslist *next;
};

struct fblock;

struct fedge {
	__u32 id;
	int code;		/* the branch's code; negative: the false edge */
	__u32 *edom;
	struct fblock *succ, *pred;
	struct fedge *next;	/* next in succ's list of in-edges */
};

struct fblock {
	__u32 id;
	struct fslist *stmts;
	struct fstmt s;		/* the branch, or a return */
	__u32 mark;
	__u32 longjt, longjf;	/* layout: a ja is needed (jump > 255) */
	int level;
	int offset;
	int sense;
	struct fedge et, ef;
	struct fblock *head;
	struct fblock *link;
	__u32 *dom;
	struct fedge *in_edges;
	__u32 def, kill, in_use, out_use;
	__u32 oval;
	__u32 val[N_ATOMS];
	int emitted;		/* fltebpf.c */
};

#define JT(b)	((b)->et.succ)
#define JF(b)	((b)->ef.succ)

/* An absolute offset: a constant and maybe a register's contents. */
struct foff {
	__u32 k;
	int var;
	int reg;		/* -1: none yet */
};

#define OFF_UNSET	0xffffffffu

/* Arithmetic: its protocol checks, statements and result register. */
struct farth {
	struct fblock *b;
	struct fslist *s;
	int regno;
};

struct fqual {
	__u8 addr, proto, dir, pad;
};

/* Qualifier values (libpcap's Q_*). */
enum {
	Q_DEFAULT = 0, Q_HOST, Q_NET, Q_PORT, Q_GATEWAY, Q_PROTO, Q_PROTOCHAIN,
	Q_PORTRANGE, Q_UNDEF = 255,
};
enum {
	QP_DEFAULT = 0, Q_LINK, Q_IP, Q_ARP, Q_RARP, Q_SCTP, Q_TCP, Q_UDP,
	Q_ICMP, Q_IGMP, Q_IGRP, Q_ATALK, Q_DECNET, Q_LAT, Q_SCA, Q_MOPRC,
	Q_MOPDL, Q_IPV6, Q_ICMPV6, Q_AH, Q_ESP, Q_PIM, Q_VRRP, Q_AARP, Q_ISO,
	Q_ESIS, Q_ISIS, Q_CLNP, Q_STP, Q_IPX, Q_NETBEUI, Q_ISIS_L1, Q_ISIS_L2,
	Q_ISIS_IIH, Q_ISIS_SNP, Q_ISIS_CSNP, Q_ISIS_PSNP, Q_ISIS_LSP, Q_RADIO,
	Q_CARP, Q_PROTO_MAX
};
enum {
	QD_DEFAULT = 0, Q_SRC, Q_DST, Q_OR, Q_AND, Q_ADDR1, Q_ADDR2, Q_ADDR3,
	Q_ADDR4, Q_RA, Q_TA,
};

#define PROTO_UNDEF	-1

struct fcc {
	/* the arena */
	char *mem;
	size_t mem_len, mem_used;
	__u32 n_blocks_made;
	/* errors */
	jmp_buf jb;
	char *err;
	size_t err_len;
	__u32 err_pos;		/* 1-based position of the token being read */
	const char *err_tok;	/* and its text */
	__u32 err_tok_len;
	int rc;
	/* names */
	const struct flt_names *names;
	/* libpcap's compiler state, for DLT_EN10MB */
	int linktype, prevlinktype;
	struct foff off_linkhdr, off_prevlinkhdr, off_outermostlinkhdr;
	struct foff off_linkpl, off_linktype;
	__u32 off_nl, off_nl_nosnap;
	int is_geneve;
	__u32 label_stack_depth, vlan_stack_depth;
	int regused[FLT_MEMWORDS];
	int curreg;
	int no_optimize;
	__u32 netmask;
	struct fblock *root;
	__u32 cur_mark;
	/* what the parser remembers for messages and limits */
	__u32 nest;
};

/* fltgen.c */
void *fcc_alloc(struct fcc *c, size_t len);
void fcc_fail(struct fcc *c, int rc, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void fcc_init(struct fcc *c);
struct fslist *fcc_stmt(struct fcc *c, int code, __u32 k);
struct fblock *fcc_block(struct fcc *c, int code, __u32 k);
void fcc_sappend(struct fslist *s0, struct fslist *s1);
void fcc_and(struct fblock *b0, struct fblock *b1);
void fcc_or(struct fblock *b0, struct fblock *b1);
void fcc_not(struct fblock *b);
void fcc_finish(struct fcc *c, struct fblock *p);

struct fblock *fcc_proto_abbrev(struct fcc *c, int proto);
struct fblock *fcc_scode(struct fcc *c, const char *name, __u32 len,
			 struct fqual q);
struct fblock *fcc_mcode(struct fcc *c, const char *s1, __u32 l1,
			 const char *s2, __u32 l2, __u32 masklen,
			 struct fqual q);
struct fblock *fcc_mcode6(struct fcc *c, const char *s, __u32 len,
			  __u32 masklen, struct fqual q);
struct fblock *fcc_ncode(struct fcc *c, const char *s, __u32 len, __u32 v,
			 struct fqual q);
struct fblock *fcc_ecode(struct fcc *c, const char *s, __u32 len,
			 struct fqual q);
struct fblock *fcc_acode(struct fcc *c, struct fqual q)
	__attribute__((noreturn));
struct fblock *fcc_broadcast(struct fcc *c, int proto);
struct fblock *fcc_multicast(struct fcc *c, int proto);
struct fblock *fcc_less(struct fcc *c, __u32 n);
struct fblock *fcc_greater(struct fcc *c, __u32 n);
struct fblock *fcc_byteop(struct fcc *c, int op, __u32 idx, __u32 val);
struct fblock *fcc_inbound(struct fcc *c, int dir);
struct fblock *fcc_ifindex(struct fcc *c, __u32 ifindex);
struct fblock *fcc_vlan(struct fcc *c, __u32 num, int has);
struct fblock *fcc_mpls(struct fcc *c, __u32 num, int has);
struct fblock *fcc_pppoed(struct fcc *c);
struct fblock *fcc_pppoes(struct fcc *c, __u32 num, int has);
struct fblock *fcc_geneve(struct fcc *c, __u32 vni, int has);
struct fblock *fcc_llc(struct fcc *c, const char *s, __u32 len, int pf_rnr);
struct fblock *fcc_relation(struct fcc *c, int code, struct farth *a0,
			    struct farth *a1, int reversed);
struct farth *fcc_loadi(struct fcc *c, __u32 v);
struct farth *fcc_loadlen(struct fcc *c);
struct farth *fcc_load(struct fcc *c, int proto, struct farth *inst,
		       __u32 size);
struct farth *fcc_arth(struct fcc *c, int code, struct farth *a0,
		       struct farth *a1);
struct farth *fcc_neg(struct fcc *c, struct farth *a);
int fcc_is_imm(const struct farth *a, __u32 *k);
const char *fcc_proto_name(int proto);

/* fltopt.c */
void fcc_optimize(struct fcc *c);
int fcc_layout(struct fcc *c, struct sock_filter *out, __u32 max, __u32 *cnt);

/* fltebpf.c */
int fcc_ebpf(struct fcc *c, struct bpf_insn *out, __u32 max,
	     struct flt_info *info);

/* fltnames.c: 0 and the answer, or -1 if unknown */
int fcc_name_port(const struct flt_names *n, const char *name, __u32 len,
		  int *port, int *proto);
int fcc_name_proto(const struct flt_names *n, const char *name, __u32 len);
int fcc_name_net(const struct flt_names *n, const char *name, __u32 len,
		 __u32 *net);
/* Addresses of a host name: up to max, v4 as 4 bytes, v6 as 16. */
struct fcc_addr {
	int family;		/* 4 or 6 */
	__u8 a[16];
};
int fcc_name_host(const struct flt_names *n, const char *name, __u32 len,
		  struct fcc_addr *out, int max);
int fcc_name_ether(const struct flt_names *n, const char *name, __u32 len,
		   __u8 *mac);

/* filter.c: an IPv6 address as inet_pton reads it; 0 or -1 */
int fcc_inet6(const char *s, __u32 len, __u8 *a);

#endif
