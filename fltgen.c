// SPDX-License-Identifier: GPL-2.0
/*
 * fltgen.c - pcap-filter primitives as classic BPF blocks, as libpcap
 * 1.10's gencode.c builds them for an Ethernet capture file (see
 * fltcc.h): the same tests in the same order, the same scratch
 * registers, so that the optimiser that follows (fltopt.c) makes what
 * libpcap makes.  Link layers other than Ethernet appear only inside
 * it: PPP after "pppoes", Ethernet or bare IP inside Geneve.
 *
 * Blocks and statements come from the arena; an error (libpcap's
 * bpf_error) formats its message and longjmps back to the entry point.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_packet.h>
#include "fltcc.h"

/* Ethernet types, LLC SAPs, PPP protocols, OSI NLPIDs used below. */
#define ETHERMTU		1500
#define ET_IP			0x0800
#define ET_ARP			0x0806
#define ET_REVARP		0x8035
#define ET_IPV6			0x86dd
#define ET_8021Q		0x8100
#define ET_8021AD		0x88a8
#define ET_8021QINQ		0x9100
#define ET_MPLS			0x8847
#define ET_PPPOED		0x8863
#define ET_PPPOES		0x8864
#define ET_DN			0x6003
#define ET_LAT			0x6004
#define ET_SCA			0x6007
#define ET_MOPRC		0x6002
#define ET_MOPDL		0x6001
#define ET_ATALK		0x809b
#define ET_AARP			0x80f3
#define ET_IPX			0x8137
#define ET_NS			0x0600
#define ET_TEB			0x6558
#define SAP_IP			0x06
#define SAP_8021D		0x42
#define SAP_SNAP		0xaa
#define SAP_IPX			0xe0
#define SAP_NETBEUI		0xf0
#define SAP_ISONS		0xfe
#define PPP_IP			0x0021
#define PPP_OSI			0x0023
#define PPP_NS			0x0025
#define PPP_DECNET		0x0027
#define PPP_APPLE		0x0029
#define PPP_IPX			0x002b
#define PPP_BRPDU		0x0031
#define PPP_IPV6		0x0057
#define PPP_MPLS_UCAST		0x0281
#define ISO8473_CLNP		0x81
#define ISO9542_ESIS		0x82
#define ISO10589_ISIS		0x83
#define ISIS_L1_LAN_IIH		15
#define ISIS_L2_LAN_IIH		16
#define ISIS_PTP_IIH		17
#define ISIS_L1_LSP		18
#define ISIS_L2_LSP		20
#define ISIS_L1_CSNP		24
#define ISIS_L2_CSNP		25
#define ISIS_L1_PSNP		26
#define ISIS_L2_PSNP		27
#define IPP_HOPOPTS		0
#define IPP_ICMP		1
#define IPP_IGMP		2
#define IPP_TCP			6
#define IPP_IGRP		9
#define IPP_UDP			17
#define IPP_ROUTING		43
#define IPP_FRAGMENT		44
#define IPP_ESP			50
#define IPP_AH			51
#define IPP_ICMPV6		58
#define IPP_NONE		59
#define IPP_DSTOPTS		60
#define IPP_PIM			103
#define IPP_VRRP		112
#define IPP_SCTP		132
#define GENEVE_PORT		6081

/* Offsets relative to (libpcap's e_offrel). */
enum offrel {
	OR_PACKET, OR_LINKHDR, OR_PREVLINKHDR, OR_LLC, OR_PREVMPLSHDR,
	OR_LINKPL, OR_LINKPL_NOSNAP, OR_LINKTYPE, OR_TRAN_IPV4, OR_TRAN_IPV6
};

#define JMP(c)	(BPF_JMP | BPF_K | (c))

static const char *const pnames[Q_PROTO_MAX] = {
	[Q_LINK] = "link", [Q_IP] = "ip", [Q_ARP] = "arp", [Q_RARP] = "rarp",
	[Q_SCTP] = "sctp", [Q_TCP] = "tcp", [Q_UDP] = "udp", [Q_ICMP] = "icmp",
	[Q_IGMP] = "igmp", [Q_IGRP] = "igrp", [Q_ATALK] = "atalk",
	[Q_DECNET] = "decnet", [Q_LAT] = "lat", [Q_SCA] = "sca",
	[Q_MOPRC] = "moprc", [Q_MOPDL] = "mopdl", [Q_IPV6] = "ip6",
	[Q_ICMPV6] = "icmp6", [Q_AH] = "ah", [Q_ESP] = "esp", [Q_PIM] = "pim",
	[Q_VRRP] = "vrrp", [Q_AARP] = "aarp", [Q_ISO] = "iso",
	[Q_ESIS] = "esis", [Q_ISIS] = "isis", [Q_CLNP] = "clnp",
	[Q_STP] = "stp", [Q_IPX] = "ipx", [Q_NETBEUI] = "netbeui",
	[Q_ISIS_L1] = "l1", [Q_ISIS_L2] = "l2", [Q_ISIS_IIH] = "iih",
	[Q_ISIS_SNP] = "snp", [Q_ISIS_CSNP] = "csnp", [Q_ISIS_PSNP] = "psnp",
	[Q_ISIS_LSP] = "lsp", [Q_RADIO] = "radio", [Q_CARP] = "carp",
};

const char *fcc_proto_name(int proto)
{
	return proto > 0 && proto < Q_PROTO_MAX && pnames[proto] ?
	       pnames[proto] : "?";
}

static const char *linktype_name(int lt)
{
	return lt == LT_PPP ? "PPP" : "Ethernet";
}

/* ---- the arena and errors -------------------------------------------- */

void *fcc_alloc(struct fcc *c, size_t len)
{
	void *p;

	len = (len + 7) & ~(size_t)7;
	if (len > c->mem_len - c->mem_used)
		fcc_fail(c, -E2BIG, "the expression needs more than %zu MB of "
			 "compiler memory", c->mem_len >> 20);
	p = c->mem + c->mem_used;
	c->mem_used += len;
	memset(p, 0, len);
	return p;
}

void fcc_fail(struct fcc *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->err_len && !c->rc) {
		int n = snprintf(c->err, c->err_len, "filter: ");

		if (c->err_pos && c->err_tok && n >= 0 && (size_t)n < c->err_len)
			n += snprintf(c->err + n, c->err_len - n, "'%.*s' at %u: ",
				      (int)(c->err_tok_len > 40 ? 40 : c->err_tok_len),
				      c->err_tok, c->err_pos);
		else if (c->err_pos && n >= 0 && (size_t)n < c->err_len)
			n += snprintf(c->err + n, c->err_len - n, "at %u: ",
				      c->err_pos);
		if (n >= 0 && (size_t)n < c->err_len) {
			va_start(ap, fmt);
			vsnprintf(c->err + n, c->err_len - n, fmt, ap);
			va_end(ap);
		}
	}
	c->rc = rc;
	longjmp(c->jb, 1);
}

/* ---- blocks and statements --------------------------------------------- */

void fcc_init(struct fcc *c)
{
	c->linktype = c->prevlinktype = LT_EN10MB;
	c->off_linkhdr = (struct foff){ 0, 0, -1 };
	c->off_prevlinkhdr = c->off_outermostlinkhdr = c->off_linkhdr;
	c->off_linktype = (struct foff){ 12, 0, -1 };
	c->off_linkpl = (struct foff){ 14, 0, -1 };
	c->off_nl = 0;
	c->off_nl_nosnap = 3;
	c->curreg = 0;
	memset(c->regused, 0, sizeof(c->regused));
}

struct fslist *fcc_stmt(struct fcc *c, int code, __u32 k)
{
	struct fslist *s = fcc_alloc(c, sizeof(*s));

	s->s.code = code;
	s->s.k = k;
	return s;
}

struct fblock *fcc_block(struct fcc *c, int code, __u32 k)
{
	struct fblock *b = fcc_alloc(c, sizeof(*b));

	if (++c->n_blocks_made > FLT_MAX_BLOCKS)
		fcc_fail(c, -E2BIG, "the expression is too large (more than "
			 "%u blocks of code)", FLT_MAX_BLOCKS);
	b->s.code = code;
	b->s.k = k;
	b->head = b;
	return b;
}

static struct fblock *retblk(struct fcc *c, __u32 v)
{
	return fcc_block(c, BPF_RET | BPF_K, v);
}

void fcc_sappend(struct fslist *s0, struct fslist *s1)
{
	while (s0->next)
		s0 = s0->next;
	s0->next = s1;
}

static void backpatch(struct fblock *list, struct fblock *target)
{
	struct fblock *next;

	while (list) {
		if (!list->sense) {
			next = JT(list);
			JT(list) = target;
		} else {
			next = JF(list);
			JF(list) = target;
		}
		list = next;
	}
}

static void merge(struct fblock *b0, struct fblock *b1)
{
	struct fblock **p = &b0;

	while (*p)
		p = !(*p)->sense ? &JT(*p) : &JF(*p);
	*p = b1;
}

void fcc_and(struct fblock *b0, struct fblock *b1)
{
	backpatch(b0, b1->head);
	b0->sense = !b0->sense;
	b1->sense = !b1->sense;
	merge(b1, b0);
	b1->sense = !b1->sense;
	b1->head = b0->head;
}

void fcc_or(struct fblock *b0, struct fblock *b1)
{
	b0->sense = !b0->sense;
	backpatch(b0, b1->head);
	b0->sense = !b0->sense;
	merge(b1, b0);
	b1->head = b0->head;
}

void fcc_not(struct fblock *b)
{
	b->sense = !b->sense;
}

void fcc_finish(struct fcc *c, struct fblock *p)
{
	/* Ethernet needs no variable-offset set-up before the first
	 * block; Geneve's registers are set where its test succeeds. */
	backpatch(p, retblk(c, FLT_SNAPLEN));
	p->sense = !p->sense;
	backpatch(p, retblk(c, 0));
	c->root = p->head;
}

/* ---- scratch registers ------------------------------------------------- */

static int alloc_reg(struct fcc *c)
{
	int n = FLT_MEMWORDS;

	while (--n >= 0) {
		if (c->regused[c->curreg]) {
			c->curreg = (c->curreg + 1) % FLT_MEMWORDS;
		} else {
			c->regused[c->curreg] = 1;
			return c->curreg;
		}
	}
	fcc_fail(c, -E2BIG, "too many registers needed to evaluate expression");
}

static void free_reg(struct fcc *c, int n)
{
	c->regused[n] = 0;
}

/* ---- loads ------------------------------------------------------------ */

/* X = the register holding off's variable part, or NULL if none. */
static struct fslist *abs_offset_varpart(struct fcc *c, struct foff *off)
{
	if (!off->var)
		return NULL;
	if (off->reg == -1)
		off->reg = alloc_reg(c);
	return fcc_stmt(c, BPF_LDX | BPF_MEM, off->reg);
}

static struct fslist *load_absoffsetrel(struct fcc *c, struct foff *abs,
					__u32 offset, __u32 size)
{
	struct fslist *s = abs_offset_varpart(c, abs);

	if (s) {
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | size,
					abs->k + offset));
		return s;
	}
	return fcc_stmt(c, BPF_LD | BPF_ABS | size, abs->k + offset);
}

/* X = the IPv4 header length (plus the link payload's variable part). */
static struct fslist *loadx_iphdrlen(struct fcc *c)
{
	struct fslist *s = abs_offset_varpart(c, &c->off_linkpl);

	if (s) {
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | BPF_B,
					c->off_linkpl.k + c->off_nl));
		fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_AND | BPF_K, 0xf));
		fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_LSH | BPF_K, 2));
		fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
		fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
		return s;
	}
	return fcc_stmt(c, BPF_LDX | BPF_MSH | BPF_B, c->off_linkpl.k + c->off_nl);
}

static struct fslist *load_a(struct fcc *c, enum offrel rel, __u32 offset,
			     __u32 size)
{
	struct fslist *s;

	switch (rel) {
	case OR_PACKET:
		return fcc_stmt(c, BPF_LD | BPF_ABS | size, offset);
	case OR_LINKHDR:
		return load_absoffsetrel(c, &c->off_linkhdr, offset, size);
	case OR_PREVLINKHDR:
		return load_absoffsetrel(c, &c->off_prevlinkhdr, offset, size);
	case OR_LLC:
		return load_absoffsetrel(c, &c->off_linkpl, offset, size);
	case OR_PREVMPLSHDR:
		return load_absoffsetrel(c, &c->off_linkpl,
					 c->off_nl - 4 + offset, size);
	case OR_LINKPL:
		return load_absoffsetrel(c, &c->off_linkpl, c->off_nl + offset,
					 size);
	case OR_LINKPL_NOSNAP:
		return load_absoffsetrel(c, &c->off_linkpl,
					 c->off_nl_nosnap + offset, size);
	case OR_LINKTYPE:
		return load_absoffsetrel(c, &c->off_linktype, offset, size);
	case OR_TRAN_IPV4:
		s = loadx_iphdrlen(c);
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | size,
					c->off_linkpl.k + c->off_nl + offset));
		return s;
	default:	/* OR_TRAN_IPV6 */
		return load_absoffsetrel(c, &c->off_linkpl, c->off_nl + 40 + offset,
					 size);
	}
}

/* ---- comparisons ------------------------------------------------------- */

static struct fblock *ncmp(struct fcc *c, enum offrel rel, __u32 offset,
			   __u32 size, __u32 mask, int jtype, int reverse,
			   __u32 v)
{
	struct fslist *s = load_a(c, rel, offset, size);
	struct fblock *b;

	if (mask != 0xffffffff)
		fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_AND | BPF_K, mask));
	b = fcc_block(c, JMP(jtype), v);
	b->stmts = s;
	if (reverse && (jtype == BPF_JGT || jtype == BPF_JGE))
		fcc_not(b);
	return b;
}

static struct fblock *cmp(struct fcc *c, enum offrel rel, __u32 off,
			  __u32 size, __u32 v)
{
	return ncmp(c, rel, off, size, 0xffffffff, BPF_JEQ, 0, v);
}

static struct fblock *cmp_gt(struct fcc *c, enum offrel rel, __u32 off,
			     __u32 size, __u32 v)
{
	return ncmp(c, rel, off, size, 0xffffffff, BPF_JGT, 0, v);
}

static struct fblock *cmp_ge(struct fcc *c, enum offrel rel, __u32 off,
			     __u32 size, __u32 v)
{
	return ncmp(c, rel, off, size, 0xffffffff, BPF_JGE, 0, v);
}

static struct fblock *cmp_lt(struct fcc *c, enum offrel rel, __u32 off,
			     __u32 size, __u32 v)
{
	return ncmp(c, rel, off, size, 0xffffffff, BPF_JGE, 1, v);
}

static struct fblock *cmp_le(struct fcc *c, enum offrel rel, __u32 off,
			     __u32 size, __u32 v)
{
	return ncmp(c, rel, off, size, 0xffffffff, BPF_JGT, 1, v);
}

static struct fblock *mcmp(struct fcc *c, enum offrel rel, __u32 off,
			   __u32 size, __u32 v, __u32 mask)
{
	return ncmp(c, rel, off, size, mask, BPF_JEQ, 0, v);
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* size bytes at offset equal v: compared last word first, as libpcap */
static struct fblock *bcmp_(struct fcc *c, enum offrel rel, __u32 offset,
			    __u32 size, const __u8 *v)
{
	struct fblock *b = NULL, *tmp;

	while (size >= 4) {
		tmp = cmp(c, rel, offset + size - 4, BPF_W, be32(v + size - 4));
		if (b)
			fcc_and(b, tmp);
		b = tmp;
		size -= 4;
	}
	while (size >= 2) {
		tmp = cmp(c, rel, offset + size - 2, BPF_H,
			  v[size - 2] << 8 | v[size - 1]);
		if (b)
			fcc_and(b, tmp);
		b = tmp;
		size -= 2;
	}
	if (size > 0) {
		tmp = cmp(c, rel, offset, BPF_B, v[0]);
		if (b)
			fcc_and(b, tmp);
		b = tmp;
	}
	return b;
}

static struct fblock *uncond(struct fcc *c, int rsense)
{
	struct fblock *b = fcc_block(c, JMP(BPF_JEQ), 0);

	b->stmts = fcc_stmt(c, BPF_LD | BPF_IMM, !rsense);
	return b;
}

static struct fblock *gen_true(struct fcc *c)
{
	return uncond(c, 1);
}

/* ---- link types -------------------------------------------------------- */

static struct fblock *snap(struct fcc *c, __u32 orgcode, __u32 ptype)
{
	__u8 b[8] = { SAP_SNAP, SAP_SNAP, 0x03, orgcode >> 16, orgcode >> 8,
		      orgcode, ptype >> 8, ptype };

	return bcmp_(c, OR_LLC, 0, 8, b);
}

static struct fblock *ether_linktype(struct fcc *c, __u32 proto)
{
	struct fblock *b0, *b1;

	switch (proto) {
	case SAP_ISONS:
	case SAP_IP:
	case SAP_NETBEUI:
		b0 = cmp_gt(c, OR_LINKTYPE, 0, BPF_H, ETHERMTU);
		fcc_not(b0);
		b1 = cmp(c, OR_LLC, 0, BPF_H, proto << 8 | proto);
		fcc_and(b0, b1);
		return b1;
	case SAP_IPX:
		b0 = cmp(c, OR_LLC, 0, BPF_B, SAP_IPX);
		b1 = cmp(c, OR_LLC, 0, BPF_H, 0xffff);
		fcc_or(b0, b1);
		b0 = snap(c, 0x000000, ET_IPX);
		fcc_or(b0, b1);
		b0 = cmp_gt(c, OR_LINKTYPE, 0, BPF_H, ETHERMTU);
		fcc_not(b0);
		fcc_and(b0, b1);
		b0 = cmp(c, OR_LINKTYPE, 0, BPF_H, ET_IPX);
		fcc_or(b0, b1);
		return b1;
	case ET_ATALK:
	case ET_AARP:
		b0 = cmp_gt(c, OR_LINKTYPE, 0, BPF_H, ETHERMTU);
		fcc_not(b0);
		if (proto == ET_ATALK)
			b1 = snap(c, 0x080007, ET_ATALK);
		else
			b1 = snap(c, 0x000000, ET_AARP);
		fcc_and(b0, b1);
		b0 = cmp(c, OR_LINKTYPE, 0, BPF_H, proto);
		fcc_or(b0, b1);
		return b1;
	default:
		if (proto <= ETHERMTU) {
			b0 = cmp_gt(c, OR_LINKTYPE, 0, BPF_H, ETHERMTU);
			fcc_not(b0);
			b1 = cmp(c, OR_LINKTYPE, 2, BPF_B, proto);
			fcc_and(b0, b1);
			return b1;
		}
		return cmp(c, OR_LINKTYPE, 0, BPF_H, proto);
	}
}

static __u32 ethertype_to_ppptype(__u32 proto)
{
	switch (proto) {
	case ET_IP: return PPP_IP;
	case ET_IPV6: return PPP_IPV6;
	case ET_DN: return PPP_DECNET;
	case ET_ATALK: return PPP_APPLE;
	case ET_NS: return PPP_NS;
	case SAP_ISONS: return PPP_OSI;
	case SAP_8021D: return PPP_BRPDU;
	case SAP_IPX: return PPP_IPX;
	default: return proto;
	}
}

/* Geneve: is there an inner link-layer header at all? */
static struct fblock *geneve_ll_check(struct fcc *c)
{
	struct fslist *s = fcc_stmt(c, BPF_LD | BPF_MEM, c->off_linkhdr.reg);
	struct fblock *b;

	fcc_sappend(s, fcc_stmt(c, BPF_LDX | BPF_MEM, c->off_linkpl.reg));
	b = fcc_block(c, BPF_JMP | BPF_JEQ | BPF_X, 0);
	b->stmts = s;
	fcc_not(b);
	return b;
}

static struct fblock *prevlinkhdr_check(struct fcc *c)
{
	return c->is_geneve ? geneve_ll_check(c) : NULL;
}

static struct fblock *mpls_linktype(struct fcc *c, __u32 proto)
{
	struct fblock *b0, *b1;

	if (proto != ET_IP && proto != ET_IPV6)
		fcc_fail(c, -EINVAL, "unsupported protocol over mpls");
	b0 = mcmp(c, OR_LINKPL, (__u32)-2, BPF_B, 0x01, 0x01);
	b1 = mcmp(c, OR_LINKPL, 0, BPF_B, proto == ET_IP ? 0x40 : 0x60, 0xf0);
	fcc_and(b0, b1);
	return b1;
}

static struct fblock *linktype(struct fcc *c, __u32 proto)
{
	struct fblock *b0, *b1;

	if (c->label_stack_depth > 0)
		return mpls_linktype(c, proto);
	if (c->linktype == LT_PPP)
		return cmp(c, OR_LINKTYPE, 0, BPF_H, ethertype_to_ppptype(proto));
	b0 = c->is_geneve ? NULL : prevlinkhdr_check(c);
	b1 = ether_linktype(c, proto);
	if (b0)
		fcc_and(b0, b1);
	return b1;
}

/* ---- LLC ---------------------------------------------------------------- */

static struct fblock *llc_internal(struct fcc *c)
{
	struct fblock *b0, *b1;

	if (c->linktype != LT_EN10MB)
		fcc_fail(c, -EINVAL, "'llc' not supported for %s",
			 linktype_name(c->linktype));
	b0 = cmp_gt(c, OR_LINKTYPE, 0, BPF_H, ETHERMTU);
	fcc_not(b0);
	b1 = cmp(c, OR_LLC, 0, BPF_H, 0xffff);
	fcc_not(b1);
	fcc_and(b0, b1);
	return b1;
}

static int name_is(const char *s, __u32 len, const char *w)
{
	size_t i;

	if (strlen(w) != len)
		return 0;
	for (i = 0; i < len; i++)
		if ((s[i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* llc, llc NAME ("i", "s", "u" or an S or U PDU subtype) */
struct fblock *fcc_llc(struct fcc *c, const char *s, __u32 len, int pf_rnr)
{
	static const struct {
		const char *name;
		__u32 v, mask;
	} sub[] = {
		{ "rr", 0x01, 0x0f }, { "rnr", 0x05, 0x0f }, { "rej", 0x09, 0x0f },
		{ "ui", 0x03, 0xef }, { "ua", 0x63, 0xef }, { "disc", 0x43, 0xef },
		{ "dm", 0x0f, 0xef }, { "sabme", 0x6f, 0xef }, { "test", 0xe3, 0xef },
		{ "xid", 0xaf, 0xef }, { "frmr", 0x87, 0xef },
	};
	struct fblock *b0, *b1;
	size_t i;

	if (!s && !pf_rnr)
		return llc_internal(c);
	if (pf_rnr) {
		s = "rnr";
		len = 3;
	}
	if (name_is(s, len, "i")) {
		b0 = llc_internal(c);
		b1 = fcc_block(c, JMP(BPF_JSET), 0x01);
		b1->stmts = load_a(c, OR_LLC, 2, BPF_B);
		fcc_not(b1);
		fcc_and(b0, b1);
		return b1;
	}
	if (name_is(s, len, "s") || name_is(s, len, "u")) {
		b0 = llc_internal(c);
		b1 = mcmp(c, OR_LLC, 2, BPF_B, (s[0] | 0x20) == 's' ? 1 : 3, 0x03);
		fcc_and(b0, b1);
		return b1;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (name_is(s, len, sub[i].name)) {
			b0 = llc_internal(c);
			b1 = mcmp(c, OR_LLC, 2, BPF_B, sub[i].v, sub[i].mask);
			fcc_and(b0, b1);
			return b1;
		}
	}
	fcc_fail(c, -EINVAL, "unknown LLC type name \"%.*s\"", (int)len, s);
}

/* ---- hosts -------------------------------------------------------------- */

static void not_80211(struct fcc *c, int dir, const char *what)
{
	static const char *const q[] = {
		[Q_ADDR1] = "'addr1' and 'address1' are", [Q_ADDR2] = "'addr2' and 'address2' are",
		[Q_ADDR3] = "'addr3' and 'address3' are", [Q_ADDR4] = "'addr4' and 'address4' are",
		[Q_RA] = "'ra' is", [Q_TA] = "'ta' is",
	};

	if (dir >= Q_ADDR1 && dir <= Q_TA)
		fcc_fail(c, -EINVAL, "%s %s", q[dir], what);
}

static struct fblock *hostop(struct fcc *c, __u32 addr, __u32 mask, int dir,
			     __u32 proto, __u32 src_off, __u32 dst_off)
{
	struct fblock *b0, *b1;
	__u32 offset;

	not_80211(c, dir, "not valid qualifiers for addresses other than 802.11 MAC addresses");
	switch (dir) {
	case Q_SRC:
		offset = src_off;
		break;
	case Q_DST:
		offset = dst_off;
		break;
	case Q_AND:
		b0 = hostop(c, addr, mask, Q_SRC, proto, src_off, dst_off);
		b1 = hostop(c, addr, mask, Q_DST, proto, src_off, dst_off);
		fcc_and(b0, b1);
		return b1;
	default:
		b0 = hostop(c, addr, mask, Q_SRC, proto, src_off, dst_off);
		b1 = hostop(c, addr, mask, Q_DST, proto, src_off, dst_off);
		fcc_or(b0, b1);
		return b1;
	}
	b0 = linktype(c, proto);
	b1 = mcmp(c, OR_LINKPL, offset, BPF_W, addr, mask);
	fcc_and(b0, b1);
	return b1;
}

static struct fblock *hostop6(struct fcc *c, const __u8 *a, const __u8 *m,
			      int dir, __u32 src_off, __u32 dst_off)
{
	struct fblock *b0, *b1;
	__u32 offset;

	not_80211(c, dir, "not valid qualifiers for addresses other than 802.11 MAC addresses");
	switch (dir) {
	case Q_SRC:
		offset = src_off;
		break;
	case Q_DST:
		offset = dst_off;
		break;
	case Q_AND:
		b0 = hostop6(c, a, m, Q_SRC, src_off, dst_off);
		b1 = hostop6(c, a, m, Q_DST, src_off, dst_off);
		fcc_and(b0, b1);
		return b1;
	default:
		b0 = hostop6(c, a, m, Q_SRC, src_off, dst_off);
		b1 = hostop6(c, a, m, Q_DST, src_off, dst_off);
		fcc_or(b0, b1);
		return b1;
	}
	b1 = mcmp(c, OR_LINKPL, offset + 12, BPF_W, be32(a + 12), be32(m + 12));
	b0 = mcmp(c, OR_LINKPL, offset + 8, BPF_W, be32(a + 8), be32(m + 8));
	fcc_and(b0, b1);
	b0 = mcmp(c, OR_LINKPL, offset + 4, BPF_W, be32(a + 4), be32(m + 4));
	fcc_and(b0, b1);
	b0 = mcmp(c, OR_LINKPL, offset, BPF_W, be32(a), be32(m));
	fcc_and(b0, b1);
	b0 = linktype(c, ET_IPV6);
	fcc_and(b0, b1);
	return b1;
}

static struct fblock *ehostop(struct fcc *c, const __u8 *e, int dir)
{
	struct fblock *b0, *b1;

	not_80211(c, dir, "only supported on 802.11 with 802.11 headers");
	switch (dir) {
	case Q_SRC:
		return bcmp_(c, OR_LINKHDR, 6, 6, e);
	case Q_DST:
		return bcmp_(c, OR_LINKHDR, 0, 6, e);
	case Q_AND:
		b0 = ehostop(c, e, Q_SRC);
		b1 = ehostop(c, e, Q_DST);
		fcc_and(b0, b1);
		return b1;
	default:
		b0 = ehostop(c, e, Q_SRC);
		b1 = ehostop(c, e, Q_DST);
		fcc_or(b0, b1);
		return b1;
	}
}

static struct fblock *dnhostop(struct fcc *c, __u32 addr, int dir)
{
	struct fblock *b0, *b1, *b2, *tmp;
	__u32 off_lh, off_sh, a = (addr & 0xff) << 8 | (addr >> 8 & 0xff);

	not_80211(c, dir, "not valid qualifiers for addresses other than 802.11 MAC addresses");
	switch (dir) {
	case Q_DST:
		off_sh = 1;
		off_lh = 7;
		break;
	case Q_SRC:
		off_sh = 3;
		off_lh = 15;
		break;
	case Q_AND:
		b0 = dnhostop(c, addr, Q_SRC);
		b1 = dnhostop(c, addr, Q_DST);
		fcc_and(b0, b1);
		return b1;
	default:
		b0 = dnhostop(c, addr, Q_SRC);
		b1 = dnhostop(c, addr, Q_DST);
		fcc_or(b0, b1);
		return b1;
	}
	/* the byte-swapped constants of libpcap's ntohs() on a little-endian
	 * host: those are what tcpdump compares with */
	b0 = linktype(c, ET_DN);
	tmp = mcmp(c, OR_LINKPL, 2, BPF_H, 0x8106, 0xff07);
	b1 = cmp(c, OR_LINKPL, 2 + 1 + off_lh, BPF_H, a);
	fcc_and(tmp, b1);
	tmp = mcmp(c, OR_LINKPL, 2, BPF_B, 0x06, 0x7);
	b2 = cmp(c, OR_LINKPL, 2 + off_lh, BPF_H, a);
	fcc_and(tmp, b2);
	fcc_or(b2, b1);
	tmp = mcmp(c, OR_LINKPL, 2, BPF_H, 0x8102, 0xff07);
	b2 = cmp(c, OR_LINKPL, 2 + 1 + off_sh, BPF_H, a);
	fcc_and(tmp, b2);
	fcc_or(b2, b1);
	tmp = mcmp(c, OR_LINKPL, 2, BPF_B, 0x02, 0x7);
	b2 = cmp(c, OR_LINKPL, 2 + off_sh, BPF_H, a);
	fcc_and(tmp, b2);
	fcc_or(b2, b1);
	fcc_and(b0, b1);
	return b1;
}

static void modifier(struct fcc *c, int proto, const char *fmt, const char *typestr)
{
	char what[32];

	snprintf(what, sizeof(what), "'%s'", fcc_proto_name(proto));
	fcc_fail(c, -EINVAL, fmt, what, typestr);
}

static struct fblock *host(struct fcc *c, __u32 addr, __u32 mask, int proto,
			   int dir, int type)
{
	const char *typestr = type == Q_NET ? "net" : "host";
	struct fblock *b0, *b1;

	switch (proto) {
	case QP_DEFAULT:
		b0 = host(c, addr, mask, Q_IP, dir, type);
		if (c->label_stack_depth == 0) {
			b1 = host(c, addr, mask, Q_ARP, dir, type);
			fcc_or(b0, b1);
			b0 = host(c, addr, mask, Q_RARP, dir, type);
			fcc_or(b1, b0);
		}
		return b0;
	case Q_LINK:
		fcc_fail(c, -EINVAL, "link-layer modifier applied to %s", typestr);
	case Q_IP:
		return hostop(c, addr, mask, dir, ET_IP, 12, 16);
	case Q_RARP:
		return hostop(c, addr, mask, dir, ET_REVARP, 14, 24);
	case Q_ARP:
		return hostop(c, addr, mask, dir, ET_ARP, 14, 24);
	case Q_DECNET:
		return dnhostop(c, addr, dir);
	case Q_ATALK:
		fcc_fail(c, -EINVAL, "AppleTalk host filtering not implemented");
	case Q_LAT:
		fcc_fail(c, -EINVAL, "LAT host filtering not implemented");
	case Q_SCA:
		fcc_fail(c, -EINVAL, "SCA host filtering not implemented");
	case Q_MOPRC:
		fcc_fail(c, -EINVAL, "MOPRC host filtering not implemented");
	case Q_MOPDL:
		fcc_fail(c, -EINVAL, "MOPDL host filtering not implemented");
	case Q_AARP:
		fcc_fail(c, -EINVAL, "AARP host filtering not implemented");
	case Q_ISO:
		fcc_fail(c, -EINVAL, "ISO host filtering not implemented");
	case Q_IPX:
		fcc_fail(c, -EINVAL, "IPX host filtering not implemented");
	case Q_IPV6:
		fcc_fail(c, -EINVAL, "'ip6' modifier applied to ip host");
	default:
		modifier(c, proto, "%s modifier applied to %s", typestr);
	}
	return NULL;
}

static struct fblock *host6(struct fcc *c, const __u8 *a, const __u8 *m,
			    int proto, int dir, int type)
{
	const char *typestr = type == Q_NET ? "net" : "host";

	switch (proto) {
	case QP_DEFAULT:
	case Q_IPV6:
		return hostop6(c, a, m, dir, 8, 24);
	case Q_LINK:
		fcc_fail(c, -EINVAL, "link-layer modifier applied to ip6 %s", typestr);
	case Q_ATALK:
		fcc_fail(c, -EINVAL, "AppleTalk modifier applied to ip6 %s", typestr);
	default:
		modifier(c, proto, "%s modifier applied to ip6 %s", typestr);
	}
	return NULL;
}

/* ---- protocols ---------------------------------------------------------- */

static struct fblock *proto_(struct fcc *c, __u32 v, int proto, int dir);

struct fblock *fcc_proto_abbrev(struct fcc *c, int proto)
{
	static const __u8 l1[] = { ISIS_L1_LAN_IIH, ISIS_PTP_IIH, ISIS_L1_LSP,
				   ISIS_L1_CSNP, ISIS_L1_PSNP, 0 };
	static const __u8 l2[] = { ISIS_L2_LAN_IIH, ISIS_PTP_IIH, ISIS_L2_LSP,
				   ISIS_L2_CSNP, ISIS_L2_PSNP, 0 };
	static const __u8 iih[] = { ISIS_L1_LAN_IIH, ISIS_L2_LAN_IIH,
				    ISIS_PTP_IIH, 0 };
	static const __u8 lsp[] = { ISIS_L1_LSP, ISIS_L2_LSP, 0 };
	static const __u8 snp[] = { ISIS_L1_CSNP, ISIS_L2_CSNP, ISIS_L1_PSNP,
				    ISIS_L2_PSNP, 0 };
	static const __u8 csnp[] = { ISIS_L1_CSNP, ISIS_L2_CSNP, 0 };
	static const __u8 psnp[] = { ISIS_L1_PSNP, ISIS_L2_PSNP, 0 };
	const __u8 *list = NULL;
	struct fblock *b0, *b1 = NULL;
	int i;

	switch (proto) {
	case Q_SCTP: return proto_(c, IPP_SCTP, QP_DEFAULT, QD_DEFAULT);
	case Q_TCP: return proto_(c, IPP_TCP, QP_DEFAULT, QD_DEFAULT);
	case Q_UDP: return proto_(c, IPP_UDP, QP_DEFAULT, QD_DEFAULT);
	case Q_ICMP: return proto_(c, IPP_ICMP, Q_IP, QD_DEFAULT);
	case Q_IGMP: return proto_(c, IPP_IGMP, Q_IP, QD_DEFAULT);
	case Q_IGRP: return proto_(c, IPP_IGRP, Q_IP, QD_DEFAULT);
	case Q_PIM: return proto_(c, IPP_PIM, QP_DEFAULT, QD_DEFAULT);
	case Q_VRRP: return proto_(c, IPP_VRRP, Q_IP, QD_DEFAULT);
	case Q_CARP: return proto_(c, IPP_VRRP, Q_IP, QD_DEFAULT);
	case Q_IP: return linktype(c, ET_IP);
	case Q_ARP: return linktype(c, ET_ARP);
	case Q_RARP: return linktype(c, ET_REVARP);
	case Q_LINK:
		fcc_fail(c, -EINVAL, "link layer applied in wrong context");
	case Q_ATALK: return linktype(c, ET_ATALK);
	case Q_AARP: return linktype(c, ET_AARP);
	case Q_DECNET: return linktype(c, ET_DN);
	case Q_SCA: return linktype(c, ET_SCA);
	case Q_LAT: return linktype(c, ET_LAT);
	case Q_MOPDL: return linktype(c, ET_MOPDL);
	case Q_MOPRC: return linktype(c, ET_MOPRC);
	case Q_IPV6: return linktype(c, ET_IPV6);
	case Q_ICMPV6: return proto_(c, IPP_ICMPV6, Q_IPV6, QD_DEFAULT);
	case Q_AH: return proto_(c, IPP_AH, QP_DEFAULT, QD_DEFAULT);
	case Q_ESP: return proto_(c, IPP_ESP, QP_DEFAULT, QD_DEFAULT);
	case Q_ISO: return linktype(c, SAP_ISONS);
	case Q_ESIS: return proto_(c, ISO9542_ESIS, Q_ISO, QD_DEFAULT);
	case Q_ISIS: return proto_(c, ISO10589_ISIS, Q_ISO, QD_DEFAULT);
	case Q_ISIS_L1: list = l1; break;
	case Q_ISIS_L2: list = l2; break;
	case Q_ISIS_IIH: list = iih; break;
	case Q_ISIS_LSP: list = lsp; break;
	case Q_ISIS_SNP: list = snp; break;
	case Q_ISIS_CSNP: list = csnp; break;
	case Q_ISIS_PSNP: list = psnp; break;
	case Q_CLNP: return proto_(c, ISO8473_CLNP, Q_ISO, QD_DEFAULT);
	case Q_STP: return linktype(c, SAP_8021D);
	case Q_IPX: return linktype(c, SAP_IPX);
	case Q_NETBEUI: return linktype(c, SAP_NETBEUI);
	case Q_RADIO:
		fcc_fail(c, -EINVAL, "'radio' is not a valid protocol type");
	default:
		fcc_fail(c, -EINVAL, "syntax error");
	}
	/* IS-IS PDU types: b0 or b1, then or'ed into b1 one by one */
	b0 = proto_(c, list[0], Q_ISIS, QD_DEFAULT);
	b1 = proto_(c, list[1], Q_ISIS, QD_DEFAULT);
	fcc_or(b0, b1);
	for (i = 2; list[i]; i++) {
		b0 = proto_(c, list[i], Q_ISIS, QD_DEFAULT);
		fcc_or(b0, b1);
	}
	return b1;
}

static struct fblock *ipfrag(struct fcc *c)
{
	struct fblock *b = fcc_block(c, JMP(BPF_JSET), 0x1fff);

	b->stmts = load_a(c, OR_LINKPL, 6, BPF_H);
	fcc_not(b);
	return b;
}

/* ---- ports ------------------------------------------------------------- */

static struct fblock *portatom(struct fcc *c, int v6, __u32 off, __u32 v)
{
	return cmp(c, v6 ? OR_TRAN_IPV6 : OR_TRAN_IPV4, off, BPF_H, v);
}

static struct fblock *rangeatom(struct fcc *c, int v6, __u32 off, __u32 v1,
				__u32 v2)
{
	enum offrel rel = v6 ? OR_TRAN_IPV6 : OR_TRAN_IPV4;
	struct fblock *b1, *b2;

	if (v1 > v2) {
		__u32 t = v1;

		v1 = v2;
		v2 = t;
	}
	b1 = cmp_ge(c, rel, off, BPF_H, v1);
	b2 = cmp_le(c, rel, off, BPF_H, v2);
	fcc_and(b1, b2);
	return b2;
}

/* one transport protocol's port (or range) test, IPv4 or IPv6 */
static struct fblock *portop(struct fcc *c, int v6, int range, __u32 p1,
			     __u32 p2, __u32 proto, int dir)
{
	struct fblock *b0, *b1, *tmp;
	const char *what = range ? "port ranges" : "ports";

	if (v6) {
		b0 = cmp(c, OR_LINKPL, 6, BPF_B, proto);
	} else {
		tmp = cmp(c, OR_LINKPL, 9, BPF_B, proto);
		b0 = ipfrag(c);
		fcc_and(tmp, b0);
	}
	if (dir >= Q_ADDR1 && dir <= Q_TA) {
		char m[64];

		snprintf(m, sizeof(m), "not valid qualifiers for %s", what);
		if (dir == Q_RA || dir == Q_TA)
			snprintf(m, sizeof(m), "not a valid qualifier for %s", what);
		not_80211(c, dir, m);
	}
	switch (dir) {
	case Q_SRC:
		b1 = range ? rangeatom(c, v6, 0, p1, p2) : portatom(c, v6, 0, p1);
		break;
	case Q_DST:
		b1 = range ? rangeatom(c, v6, 2, p1, p2) : portatom(c, v6, 2, p1);
		break;
	case Q_AND:
		tmp = range ? rangeatom(c, v6, 0, p1, p2) : portatom(c, v6, 0, p1);
		b1 = range ? rangeatom(c, v6, 2, p1, p2) : portatom(c, v6, 2, p1);
		fcc_and(tmp, b1);
		break;
	default:
		tmp = range ? rangeatom(c, v6, 0, p1, p2) : portatom(c, v6, 0, p1);
		b1 = range ? rangeatom(c, v6, 2, p1, p2) : portatom(c, v6, 2, p1);
		fcc_or(tmp, b1);
		break;
	}
	fcc_and(b0, b1);
	return b1;
}

static struct fblock *port_(struct fcc *c, int v6, int range, __u32 p1,
			    __u32 p2, int ip_proto, int dir)
{
	struct fblock *b0, *b1, *tmp;

	b0 = linktype(c, v6 ? ET_IPV6 : ET_IP);
	if (ip_proto == PROTO_UNDEF) {
		tmp = portop(c, v6, range, p1, p2, IPP_TCP, dir);
		b1 = portop(c, v6, range, p1, p2, IPP_UDP, dir);
		fcc_or(tmp, b1);
		tmp = portop(c, v6, range, p1, p2, IPP_SCTP, dir);
		fcc_or(tmp, b1);
	} else {
		b1 = portop(c, v6, range, p1, p2, ip_proto, dir);
	}
	fcc_and(b0, b1);
	return b1;
}

/* port or portrange, IPv4 then IPv6 or'ed in front */
static struct fblock *ports(struct fcc *c, int range, __u32 p1, __u32 p2,
			    int ip_proto, int dir)
{
	struct fblock *b = port_(c, 0, range, p1, p2, ip_proto, dir);

	fcc_or(port_(c, 1, range, p1, p2, ip_proto, dir), b);
	return b;
}

/* ---- proto, protochain -------------------------------------------------- */

static int lookup_proto(struct fcc *c, const char *name, __u32 len, int proto)
{
	int v;

	switch (proto) {
	case QP_DEFAULT:
	case Q_IP:
	case Q_IPV6:
		v = fcc_name_proto(c->names, name, len);
		if (v < 0)
			fcc_fail(c, -EINVAL, "unknown ip proto '%.*s'", (int)len, name);
		return v;
	case Q_LINK: {
		static const struct {
			const char *s;
			__u32 v;
		} ep[] = {
			{ "aarp", ET_AARP }, { "arp", ET_ARP }, { "atalk", ET_ATALK },
			{ "decnet", ET_DN }, { "ip", ET_IP }, { "ip6", ET_IPV6 },
			{ "lat", ET_LAT }, { "loopback", 0x9000 }, { "mopdl", ET_MOPDL },
			{ "moprc", ET_MOPRC }, { "rarp", ET_REVARP }, { "sca", ET_SCA },
			{ "iso", SAP_ISONS }, { "stp", SAP_8021D }, { "ipx", SAP_IPX },
			{ "netbeui", SAP_NETBEUI },
		};
		size_t i;

		for (i = 0; i < sizeof(ep) / sizeof(ep[0]); i++)
			if (strlen(ep[i].s) == len && !memcmp(ep[i].s, name, len))
				return ep[i].v;
		fcc_fail(c, -EINVAL, "unknown ether proto '%.*s'", (int)len, name);
	}
	case Q_ISO:
		if (len == 4 && !memcmp(name, "esis", 4))
			return ISO9542_ESIS;
		if (len == 4 && !memcmp(name, "isis", 4))
			return ISO10589_ISIS;
		if (len == 4 && !memcmp(name, "clnp", 4))
			return ISO8473_CLNP;
		fcc_fail(c, -EINVAL, "unknown osi proto '%.*s'", (int)len, name);
	default:
		return PROTO_UNDEF;
	}
}

/*
 * protochain: one pseudo statement (FLT_PCHAIN) stands for libpcap's
 * loop over the header chain; fltopt.c lays it out as libpcap's
 * instructions, fltebpf.c runs it.  libpcap turns its optimiser off.
 */
static struct fblock *protochain(struct fcc *c, __u32 v, int proto)
{
	struct fblock *b0, *b;
	struct fslist *s;
	/* allocated first, and never freed on the "protochain" path that
	 * recurses: libpcap's order, which later register numbers follow */
	int reg2 = alloc_reg(c);

	switch (proto) {
	case Q_IP:
	case Q_IPV6:
		break;
	case QP_DEFAULT:
		b0 = protochain(c, v, Q_IP);
		b = protochain(c, v, Q_IPV6);
		fcc_or(b0, b);
		return b;
	default:
		fcc_fail(c, -EINVAL, "bad protocol applied for 'protochain'");
	}
	if (c->off_linkpl.var)
		fcc_fail(c, -EINVAL, "'protochain' not supported with variable "
			 "length headers");
	c->no_optimize = 1;
	b0 = linktype(c, proto == Q_IP ? ET_IP : ET_IPV6);
	s = fcc_stmt(c, FLT_PCHAIN, v);
	s->s.p1 = proto == Q_IPV6;
	s->s.p2 = c->off_linkpl.k + c->off_nl;
	s->s.p3 = reg2;
	b = fcc_block(c, JMP(BPF_JEQ), v);
	b->stmts = s;
	free_reg(c, reg2);
	fcc_and(b0, b);
	return b;
}

static struct fblock *proto_(struct fcc *c, __u32 v, int proto, int dir)
{
	struct fblock *b0, *b1, *b2;

	if (dir != QD_DEFAULT)
		fcc_fail(c, -EINVAL, "direction applied to 'proto'");
	switch (proto) {
	case QP_DEFAULT:
		b0 = proto_(c, v, Q_IP, dir);
		b1 = proto_(c, v, Q_IPV6, dir);
		fcc_or(b0, b1);
		return b1;
	case Q_LINK:
		return linktype(c, v);
	case Q_IP:
		b0 = linktype(c, ET_IP);
		b1 = cmp(c, OR_LINKPL, 9, BPF_B, v);
		fcc_and(b0, b1);
		return b1;
	case Q_ARP:
		fcc_fail(c, -EINVAL, "arp does not encapsulate another protocol");
	case Q_RARP:
		fcc_fail(c, -EINVAL, "rarp does not encapsulate another protocol");
	case Q_ATALK:
		fcc_fail(c, -EINVAL, "AppleTalk encapsulation is not specifiable");
	case Q_DECNET:
		fcc_fail(c, -EINVAL, "DECNET encapsulation is not specifiable");
	case Q_LAT:
		fcc_fail(c, -EINVAL, "LAT does not encapsulate another protocol");
	case Q_SCA:
		fcc_fail(c, -EINVAL, "SCA does not encapsulate another protocol");
	case Q_MOPRC:
		fcc_fail(c, -EINVAL, "MOPRC does not encapsulate another protocol");
	case Q_MOPDL:
		fcc_fail(c, -EINVAL, "MOPDL does not encapsulate another protocol");
	case Q_IPV6:
		b0 = linktype(c, ET_IPV6);
		b2 = cmp(c, OR_LINKPL, 6, BPF_B, IPP_FRAGMENT);
		b1 = cmp(c, OR_LINKPL, 40, BPF_B, v);
		fcc_and(b2, b1);
		b2 = cmp(c, OR_LINKPL, 6, BPF_B, v);
		fcc_or(b2, b1);
		fcc_and(b0, b1);
		return b1;
	case Q_ISO:
		b0 = linktype(c, SAP_ISONS);
		b1 = cmp(c, OR_LINKPL_NOSNAP, 0, BPF_B, v);
		fcc_and(b0, b1);
		return b1;
	case Q_ISIS:
		b0 = proto_(c, ISO10589_ISIS, Q_ISO, QD_DEFAULT);
		b1 = cmp(c, OR_LINKPL_NOSNAP, 4, BPF_B, v);
		fcc_and(b0, b1);
		return b1;
	case Q_CLNP:
		fcc_fail(c, -EINVAL, "'clnp proto' is not supported");
	default:
		fcc_fail(c, -EINVAL, "'%s proto' is bogus", fcc_proto_name(proto));
	}
}

/* ---- ids with qualifiers ---------------------------------------------- */

static void syntax(struct fcc *c)
{
	fcc_fail(c, -EINVAL, "syntax error in filter expression");
}

static int port_proto(struct fcc *c, int proto, const char *what)
{
	switch (proto) {
	case Q_UDP: return IPP_UDP;
	case Q_TCP: return IPP_TCP;
	case Q_SCTP: return IPP_SCTP;
	case QP_DEFAULT: return PROTO_UNDEF;
	default:
		fcc_fail(c, -EINVAL, "illegal qualifier of '%s'", what);
	}
}

/* the named port's protocol against the qualifier's, as libpcap */
static int real_port_proto(struct fcc *c, int proto, int real, const char *what,
			   const char *name, __u32 len)
{
	static const char *const pn[] = { "tcp", "udp", "sctp" };
	int want = proto == Q_UDP ? IPP_UDP : proto == Q_TCP ? IPP_TCP :
		   proto == Q_SCTP ? IPP_SCTP : PROTO_UNDEF;

	if (want == PROTO_UNDEF)
		return real;
	if (real != PROTO_UNDEF && real != want)
		fcc_fail(c, -EINVAL, "%s '%.*s' is %s", what, (int)len, name,
			 pn[real == IPP_TCP ? 0 : real == IPP_UDP ? 1 : 2]);
	return want;
}

static void check_port(struct fcc *c, int port)
{
	if (port < 0)
		fcc_fail(c, -EINVAL, "illegal port number %d < 0", port);
	if (port > 65535)
		fcc_fail(c, -EINVAL, "illegal port number %d > 65535", port);
}

/* sscanf(name, "%d-%d") as libpcap calls it: 1 with both numbers */
static int scan_range(const char *s, __u32 len, int *p1, int *p2)
{
	__u32 i = 0;
	long v[2];
	int k;

	for (k = 0; k < 2; k++) {
		int neg = 0, digits = 0;

		if (k) {
			if (i >= len || s[i] != '-')
				return 0;
			i++;
		}
		if (i < len && (s[i] == '-' || s[i] == '+'))
			neg = s[i++] == '-';
		v[k] = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (v[k] < 100000000)
				v[k] = v[k] * 10 + s[i] - '0';
			i++;
			digits++;
		}
		if (!digits)
			return 0;
		if (neg)
			v[k] = -v[k];
	}
	*p1 = v[0];
	*p2 = v[1];
	return 1;
}

struct fblock *fcc_scode(struct fcc *c, const char *name, __u32 len,
			 struct fqual q)
{
	int proto = q.proto, dir = q.dir, port, port2, real, real2;
	struct fcc_addr addrs[64];
	struct fblock *b = NULL, *tmp;
	__u32 addr, mask;
	__u8 mac[6], m6[16];
	int n, i;

	switch (q.addr) {
	case Q_NET:
		if (fcc_name_net(c->names, name, len, &addr) || !addr)
			fcc_fail(c, -EINVAL, "unknown network '%.*s'", (int)len, name);
		mask = 0xffffffff;
		while (addr && !(addr & 0xff000000)) {
			addr <<= 8;
			mask <<= 8;
		}
		return host(c, addr, mask, proto, dir, q.addr);
	case Q_DEFAULT:
	case Q_HOST:
		if (proto == Q_LINK) {
			if (c->linktype != LT_EN10MB)
				fcc_fail(c, -EINVAL, "only ethernet/FDDI/token ring/802.11/"
					 "ATM LANE/Fibre Channel supports link-level "
					 "host name");
			if (fcc_name_ether(c->names, name, len, mac))
				fcc_fail(c, -EINVAL, "unknown ether host '%.*s'",
					 (int)len, name);
			tmp = prevlinkhdr_check(c);
			b = ehostop(c, mac, dir);
			if (tmp)
				fcc_and(tmp, b);
			return b;
		}
		if (proto == Q_DECNET)
			fcc_fail(c, -EINVAL, "decnet name support not included, "
				 "'%.*s' cannot be translated\n", (int)len, name);
		n = fcc_name_host(c->names, name, len, addrs, 64);
		if (n <= 0)
			fcc_fail(c, -EINVAL, "unknown host '%.*s'", (int)len, name);
		memset(m6, 0xff, sizeof(m6));
		for (i = 0; i < n; i++) {
			if (addrs[i].family == 4) {
				if (proto == Q_IPV6)
					continue;
				tmp = host(c, be32(addrs[i].a), 0xffffffff, proto,
					   dir, q.addr);
			} else {
				if (proto == Q_IP)
					continue;
				tmp = host6(c, addrs[i].a, m6, proto, dir, q.addr);
			}
			if (b)
				fcc_or(b, tmp);
			b = tmp;
		}
		if (!b)
			fcc_fail(c, -EINVAL, "unknown host '%.*s'%s", (int)len, name,
				 proto == QP_DEFAULT ? "" :
				 " for specified address family");
		return b;
	case Q_PORT:
		if (proto != QP_DEFAULT && proto != Q_UDP && proto != Q_TCP &&
		    proto != Q_SCTP)
			fcc_fail(c, -EINVAL, "illegal qualifier of 'port'");
		if (fcc_name_port(c->names, name, len, &port, &real))
			fcc_fail(c, -EINVAL, "unknown port '%.*s'", (int)len, name);
		real = real_port_proto(c, proto, real, "port", name, len);
		check_port(c, port);
		return ports(c, 0, port, port, real, dir);
	case Q_PORTRANGE:
		if (proto != QP_DEFAULT && proto != Q_UDP && proto != Q_TCP &&
		    proto != Q_SCTP)
			fcc_fail(c, -EINVAL, "illegal qualifier of 'portrange'");
		if (scan_range(name, len, &port, &port2)) {
			real = PROTO_UNDEF;
		} else {
			const char *dash = memchr(name, '-', len);

			if (!dash ||
			    fcc_name_port(c->names, name, dash - name, &port, &real) ||
			    fcc_name_port(c->names, dash + 1, name + len - dash - 1,
					  &port2, &real2))
				fcc_fail(c, -EINVAL, "unknown port in range '%.*s'",
					 (int)len, name);
			if (real != real2)
				real = PROTO_UNDEF;
		}
		real = real_port_proto(c, proto, real, "port in range", name, len);
		check_port(c, port);
		check_port(c, port2);
		return ports(c, 1, port, port2, real, dir);
	case Q_GATEWAY:
		fcc_fail(c, -EINVAL, "'gateway' not supported in this configuration");
	case Q_PROTO:
		real = lookup_proto(c, name, len, proto);
		if (real < 0)
			fcc_fail(c, -EINVAL, "unknown protocol: %.*s", (int)len, name);
		return proto_(c, real, proto, dir);
	case Q_PROTOCHAIN:
		real = lookup_proto(c, name, len, proto);
		if (real < 0)
			fcc_fail(c, -EINVAL, "unknown protocol: %.*s", (int)len, name);
		return protochain(c, real, proto);
	default:
		syntax(c);
	}
	return NULL;
}

/* a.b.c.d as libpcap's __pcap_atoin reads it: bits, or -1 */
static int atoin(const char *s, __u32 len, __u32 *addr)
{
	__u32 i = 0, n;
	int bits = 0;

	*addr = 0;
	for (;;) {
		n = 0;
		while (i < len && s[i] != '.') {
			if (n > 25)
				return -1;
			n = n * 10 + (__u8)s[i++] - '0';
		}
		if (n > 255)
			return -1;
		*addr = *addr << 8 | (n & 0xff);
		bits += 8;
		if (i >= len)
			return bits;
		i++;
	}
}

struct fblock *fcc_mcode(struct fcc *c, const char *s1, __u32 l1,
			 const char *s2, __u32 l2, __u32 masklen,
			 struct fqual q)
{
	int nlen, mlen;
	__u32 n, m;

	nlen = atoin(s1, l1, &n);
	if (nlen < 0)
		fcc_fail(c, -EINVAL, "invalid IPv4 address '%.*s'", (int)l1, s1);
	n = nlen == 32 ? n : n << (32 - nlen);
	if (s2) {
		mlen = atoin(s2, l2, &m);
		if (mlen < 0)
			fcc_fail(c, -EINVAL, "invalid IPv4 address '%.*s'", (int)l2, s2);
		m = mlen == 32 ? m : m << (32 - mlen);
		if (n & ~m)
			fcc_fail(c, -EINVAL, "non-network bits set in \"%.*s mask %.*s\"",
				 (int)l1, s1, (int)l2, s2);
	} else {
		if (masklen > 32)
			fcc_fail(c, -EINVAL, "mask length must be <= 32");
		m = masklen ? 0xffffffffu << (32 - masklen) : 0;
		if (n & ~m)
			fcc_fail(c, -EINVAL, "non-network bits set in \"%.*s/%d\"",
				 (int)l1, s1, (int)masklen);
	}
	if (q.addr != Q_NET)
		fcc_fail(c, -EINVAL, "Mask syntax for networks only");
	return host(c, n, m, q.proto, q.dir, q.addr);
}

struct fblock *fcc_mcode6(struct fcc *c, const char *s, __u32 len,
			  __u32 masklen, struct fqual q)
{
	__u8 a[16], m[16] = { 0 };
	__u32 i;

	if (fcc_inet6(s, len, a))
		fcc_fail(c, -EINVAL, "invalid ip6 address %.*s", (int)len, s);
	if (masklen > 128)
		fcc_fail(c, -EINVAL, "mask length must be <= 128");
	for (i = 0; i < masklen; i++)
		m[i / 8] |= 0x80 >> (i % 8);
	for (i = 0; i < 16; i++)
		if (a[i] & ~m[i])
			fcc_fail(c, -EINVAL, "non-network bits set in \"%.*s/%d\"",
				 (int)len, s, (int)masklen);
	switch (q.addr) {
	case Q_DEFAULT:
	case Q_HOST:
		if (masklen != 128)
			fcc_fail(c, -EINVAL, "Mask syntax for networks only");
		/* fall through */
	case Q_NET:
		return host6(c, a, m, q.proto, q.dir, q.addr);
	default:
		fcc_fail(c, -EINVAL, "invalid qualifier against IPv6 address");
	}
}

/*
 * The digits at s[*i] as the C library's sscanf("%d") stores them:
 * strtol's long, LONG_MAX past it, converted to int (its low bits).
 */
static __u32 scan_d(const char *s, __u32 len, __u32 *i)
{
	unsigned long v = 0;

	for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		unsigned d = s[*i] - '0';

		v = v > (unsigned long)(LONG_MAX - d) / 10 ? LONG_MAX : v * 10 + d;
	}
	return (__u32)v;
}

struct fblock *fcc_ncode(struct fcc *c, const char *s, __u32 len, __u32 v,
			 struct fqual q)
{
	int proto = q.proto, dir = q.dir, vlen;
	__u32 mask;

	if (!s) {
		vlen = 32;
	} else if (proto == Q_DECNET) {
		/* sscanf("%d.%d"): area and node */
		__u32 i = 0, area = scan_d(s, len, &i), node;

		if (i < len && s[i] == '.')
			i++;
		node = scan_d(s, len, &i);
		v = (area << 10 & 0176000) | (node & 01777);
		vlen = 32;
	} else {
		vlen = atoin(s, len, &v);
		if (vlen < 0)
			fcc_fail(c, -EINVAL, "invalid IPv4 address '%.*s'", (int)len, s);
	}
	switch (q.addr) {
	case Q_DEFAULT:
	case Q_HOST:
	case Q_NET:
		if (proto == Q_DECNET)
			return host(c, v, 0, proto, dir, q.addr);
		if (proto == Q_LINK)
			fcc_fail(c, -EINVAL, "illegal link layer address");
		mask = 0xffffffff;
		if (!s && q.addr == Q_NET) {
			while (v && !(v & 0xff000000)) {
				v <<= 8;
				mask <<= 8;
			}
		} else if (vlen < 32) {
			v <<= 32 - vlen;
			mask <<= 32 - vlen;
		}
		return host(c, v, mask, proto, dir, q.addr);
	case Q_PORT:
		proto = port_proto(c, proto, "port");
		if (v > 65535)
			fcc_fail(c, -EINVAL, "illegal port number %u > 65535", v);
		return ports(c, 0, v, v, proto, dir);
	case Q_PORTRANGE:
		proto = port_proto(c, proto, "portrange");
		if (v > 65535)
			fcc_fail(c, -EINVAL, "illegal port number %u > 65535", v);
		return ports(c, 1, v, v, proto, dir);
	case Q_GATEWAY:
		fcc_fail(c, -EINVAL, "'gateway' requires a name");
	case Q_PROTO:
		return proto_(c, v, proto, dir);
	case Q_PROTOCHAIN:
		return protochain(c, v, proto);
	default:
		syntax(c);
	}
	return NULL;
}

/* pcap_ether_aton: hex pairs between any ':', '.', '-' */
static void ether_aton(const char *s, __u32 len, __u8 *e)
{
	__u32 i = 0, n = 0;

	memset(e, 0, 6);
	while (i < len && n < 6) {
		__u8 d;

		if (s[i] == ':' || s[i] == '.' || s[i] == '-')
			i++;
		if (i >= len)
			break;
		d = (s[i] | 0x20) >= 'a' ? (s[i] | 0x20) - 'a' + 10 : s[i] - '0';
		i++;
		if (i < len && ((s[i] >= '0' && s[i] <= '9') ||
				((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))) {
			d = d << 4 | ((s[i] | 0x20) >= 'a' ? (s[i] | 0x20) - 'a' + 10 :
				      s[i] - '0');
			i++;
		}
		e[n++] = d;
	}
}

struct fblock *fcc_ecode(struct fcc *c, const char *s, __u32 len,
			 struct fqual q)
{
	struct fblock *b, *tmp;
	__u8 e[6];

	if ((q.addr == Q_HOST || q.addr == Q_DEFAULT) && q.proto == Q_LINK) {
		if (c->linktype != LT_EN10MB)
			fcc_fail(c, -EINVAL, "ethernet addresses supported only on "
				 "ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel");
		ether_aton(s, len, e);
		tmp = prevlinkhdr_check(c);
		b = ehostop(c, e, q.dir);
		if (tmp)
			fcc_and(tmp, b);
		return b;
	}
	fcc_fail(c, -EINVAL, "ethernet address used in non-ether expression");
}

struct fblock *fcc_acode(struct fcc *c, struct fqual q)
{
	fcc_fail(c, -EINVAL, "aid supported only on ARCnet");
}

/* ---- arithmetic --------------------------------------------------------- */

static struct fslist *xfer_to_x(struct fcc *c, struct farth *a)
{
	return fcc_stmt(c, BPF_LDX | BPF_MEM, a->regno);
}

static struct fslist *xfer_to_a(struct fcc *c, struct farth *a)
{
	return fcc_stmt(c, BPF_LD | BPF_MEM, a->regno);
}

struct farth *fcc_load(struct fcc *c, int proto, struct farth *inst,
		       __u32 size)
{
	int regno = alloc_reg(c), code;
	struct fslist *s, *tmp;
	struct fblock *b;

	free_reg(c, inst->regno);
	switch (size) {
	case 1: code = BPF_B; break;
	case 2: code = BPF_H; break;
	case 4: code = BPF_W; break;
	default:
		fcc_fail(c, -EINVAL, "data size must be 1, 2, or 4");
	}
	switch (proto) {
	case Q_RADIO:
		fcc_fail(c, -EINVAL, "radio information not present in capture");
	case Q_LINK:
		s = abs_offset_varpart(c, &c->off_linkhdr);
		if (s) {
			fcc_sappend(s, xfer_to_a(c, inst));
			fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
			fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
		} else {
			s = xfer_to_x(c, inst);
		}
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | code, c->off_linkhdr.k));
		fcc_sappend(inst->s, s);
		break;
	case Q_IP: case Q_ARP: case Q_RARP: case Q_ATALK: case Q_DECNET:
	case Q_SCA: case Q_LAT: case Q_MOPRC: case Q_MOPDL: case Q_IPV6:
		s = abs_offset_varpart(c, &c->off_linkpl);
		if (s) {
			fcc_sappend(s, xfer_to_a(c, inst));
			fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
			fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
		} else {
			s = xfer_to_x(c, inst);
		}
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | code,
					c->off_linkpl.k + c->off_nl));
		fcc_sappend(inst->s, s);
		b = fcc_proto_abbrev(c, proto);
		if (inst->b)
			fcc_and(inst->b, b);
		inst->b = b;
		break;
	case Q_SCTP: case Q_TCP: case Q_UDP: case Q_ICMP: case Q_IGMP:
	case Q_IGRP: case Q_PIM: case Q_VRRP: case Q_CARP:
		s = loadx_iphdrlen(c);
		fcc_sappend(s, xfer_to_a(c, inst));
		fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
		fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
		fcc_sappend(s, tmp = fcc_stmt(c, BPF_LD | BPF_IND | code,
					      c->off_linkpl.k + c->off_nl));
		fcc_sappend(inst->s, s);
		b = ipfrag(c);
		fcc_and(fcc_proto_abbrev(c, proto), b);
		if (inst->b)
			fcc_and(inst->b, b);
		fcc_and(fcc_proto_abbrev(c, Q_IP), b);
		inst->b = b;
		break;
	case Q_ICMPV6:
		b = fcc_proto_abbrev(c, Q_IPV6);
		if (inst->b)
			fcc_and(inst->b, b);
		inst->b = b;
		b = cmp(c, OR_LINKPL, 6, BPF_B, IPP_ICMPV6);
		if (inst->b)
			fcc_and(inst->b, b);
		inst->b = b;
		s = abs_offset_varpart(c, &c->off_linkpl);
		if (s) {
			fcc_sappend(s, xfer_to_a(c, inst));
			fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
			fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
		} else {
			s = xfer_to_x(c, inst);
		}
		fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IND | code,
					c->off_linkpl.k + c->off_nl + 40));
		fcc_sappend(inst->s, s);
		break;
	default:
		fcc_fail(c, -EINVAL, "unsupported index operation");
	}
	inst->regno = regno;
	fcc_sappend(inst->s, fcc_stmt(c, BPF_ST, regno));
	return inst;
}

struct fblock *fcc_relation(struct fcc *c, int code, struct farth *a0,
			    struct farth *a1, int reversed)
{
	struct fslist *s0, *s1;
	struct fblock *b, *tmp;

	s0 = xfer_to_x(c, a1);
	s1 = xfer_to_a(c, a0);
	if (code == BPF_JEQ) {
		fcc_sappend(s1, fcc_stmt(c, BPF_ALU | BPF_SUB | BPF_X, 0));
		b = fcc_block(c, JMP(code), 0);
	} else {
		b = fcc_block(c, BPF_JMP | code | BPF_X, 0);
	}
	if (reversed)
		fcc_not(b);
	fcc_sappend(s0, s1);
	fcc_sappend(a1->s, s0);
	fcc_sappend(a0->s, a1->s);
	b->stmts = a0->s;
	free_reg(c, a0->regno);
	free_reg(c, a1->regno);
	if (a0->b) {
		if (a1->b) {
			fcc_and(a0->b, a1->b);
			tmp = a1->b;
		} else {
			tmp = a0->b;
		}
	} else {
		tmp = a1->b;
	}
	if (tmp)
		fcc_and(tmp, b);
	return b;
}

struct farth *fcc_loadlen(struct fcc *c)
{
	struct farth *a = fcc_alloc(c, sizeof(*a));
	int regno = alloc_reg(c);

	a->s = fcc_stmt(c, BPF_LD | BPF_LEN, 0);
	a->s->next = fcc_stmt(c, BPF_ST, regno);
	a->regno = regno;
	return a;
}

struct farth *fcc_loadi(struct fcc *c, __u32 v)
{
	struct farth *a = fcc_alloc(c, sizeof(*a));
	int reg = alloc_reg(c);

	a->s = fcc_stmt(c, BPF_LD | BPF_IMM, v);
	a->s->next = fcc_stmt(c, BPF_ST, reg);
	a->regno = reg;
	return a;
}

/* Is a's first statement "ld #k" (libpcap's test for a literal)? */
int fcc_is_imm(const struct farth *a, __u32 *k)
{
	if (a->s->s.code != (BPF_LD | BPF_IMM))
		return 0;
	*k = a->s->s.k;
	return 1;
}

struct farth *fcc_neg(struct fcc *c, struct farth *a)
{
	fcc_sappend(a->s, xfer_to_a(c, a));
	fcc_sappend(a->s, fcc_stmt(c, BPF_ALU | BPF_NEG, 0));
	fcc_sappend(a->s, fcc_stmt(c, BPF_ST, a->regno));
	return a;
}

struct farth *fcc_arth(struct fcc *c, int code, struct farth *a0,
		       struct farth *a1)
{
	struct fslist *s0, *s1;
	__u32 k;

	if (code == BPF_DIV && fcc_is_imm(a1, &k) && !k)
		fcc_fail(c, -EINVAL, "division by zero");
	if (code == BPF_MOD && fcc_is_imm(a1, &k) && !k)
		fcc_fail(c, -EINVAL, "modulus by zero");
	if ((code == BPF_LSH || code == BPF_RSH) && fcc_is_imm(a1, &k) && k > 31)
		fcc_fail(c, -EINVAL, "shift by more than 31 bits");
	s0 = xfer_to_x(c, a1);
	s1 = xfer_to_a(c, a0);
	fcc_sappend(s1, fcc_stmt(c, BPF_ALU | BPF_X | code, 0));
	fcc_sappend(s0, s1);
	fcc_sappend(a1->s, s0);
	fcc_sappend(a0->s, a1->s);
	free_reg(c, a0->regno);
	free_reg(c, a1->regno);
	a0->regno = alloc_reg(c);
	fcc_sappend(a0->s, fcc_stmt(c, BPF_ST, a0->regno));
	return a0;
}

/* ---- other primitives -------------------------------------------------- */

static struct fblock *len_(struct fcc *c, int jmp, __u32 n)
{
	struct fblock *b = fcc_block(c, JMP(jmp), n);

	b->stmts = fcc_stmt(c, BPF_LD | BPF_LEN, 0);
	return b;
}

struct fblock *fcc_greater(struct fcc *c, __u32 n)
{
	return len_(c, BPF_JGE, n);
}

struct fblock *fcc_less(struct fcc *c, __u32 n)
{
	struct fblock *b = len_(c, BPF_JGT, n);

	fcc_not(b);
	return b;
}

struct fblock *fcc_byteop(struct fcc *c, int op, __u32 idx, __u32 val)
{
	struct fblock *b;

	switch (op) {
	case '=':
		return cmp(c, OR_LINKHDR, idx, BPF_B, val);
	case '<':
		return cmp_lt(c, OR_LINKHDR, idx, BPF_B, val);
	case '>':
		return cmp_gt(c, OR_LINKHDR, idx, BPF_B, val);
	}
	/* '&' and '|': libpcap tests the accumulator as it finds it */
	b = fcc_block(c, JMP(BPF_JEQ), 0);
	b->stmts = fcc_stmt(c, BPF_ALU | (op == '|' ? BPF_OR : BPF_AND) | BPF_K,
			    val);
	fcc_not(b);
	return b;
}

struct fblock *fcc_broadcast(struct fcc *c, int proto)
{
	static const __u8 eb[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct fblock *b0, *b1, *b2;
	__u32 hostmask;

	switch (proto) {
	case QP_DEFAULT:
	case Q_LINK:
		if (c->linktype != LT_EN10MB)
			fcc_fail(c, -EINVAL, "not a broadcast link");
		b1 = prevlinkhdr_check(c);
		b0 = ehostop(c, eb, Q_DST);
		if (b1)
			fcc_and(b1, b0);
		return b0;
	case Q_IP:
		/* tcpdump passes the netmask 0 for a capture file */
		b0 = linktype(c, ET_IP);
		hostmask = ~c->netmask;
		b1 = mcmp(c, OR_LINKPL, 16, BPF_W, 0, hostmask);
		b2 = mcmp(c, OR_LINKPL, 16, BPF_W, ~0u & hostmask, hostmask);
		fcc_or(b1, b2);
		fcc_and(b0, b2);
		return b2;
	}
	fcc_fail(c, -EINVAL, "only link-layer/IP broadcast filters supported");
}

struct fblock *fcc_multicast(struct fcc *c, int proto)
{
	struct fblock *b0, *b1;

	switch (proto) {
	case QP_DEFAULT:
	case Q_LINK:
		if (c->linktype != LT_EN10MB)
			break;
		b1 = prevlinkhdr_check(c);
		b0 = fcc_block(c, JMP(BPF_JSET), 1);
		b0->stmts = load_a(c, OR_LINKHDR, 0, BPF_B);
		if (b1)
			fcc_and(b1, b0);
		return b0;
	case Q_IP:
		b0 = linktype(c, ET_IP);
		b1 = cmp_ge(c, OR_LINKPL, 16, BPF_B, 224);
		fcc_and(b0, b1);
		return b1;
	case Q_IPV6:
		b0 = linktype(c, ET_IPV6);
		b1 = cmp(c, OR_LINKPL, 24, BPF_B, 255);
		fcc_and(b0, b1);
		return b1;
	}
	fcc_fail(c, -EINVAL, "link-layer multicast filters supported only on "
		 "ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel");
}

/*
 * Live, libpcap reads the packet's direction and interface from the
 * socket filter's ancillary data (SKF_AD_*, which the eBPF translation
 * takes from ti_pkt); a capture file has neither.
 */
struct fblock *fcc_inbound(struct fcc *c, int dir)
{
	struct fblock *b;

	if (!c->names || !c->names->live)
		fcc_fail(c, -EINVAL, "inbound/outbound not supported on %s when "
			 "reading savefiles", linktype_name(c->linktype));
	b = cmp(c, OR_LINKHDR, SKF_AD_OFF + SKF_AD_PKTTYPE, BPF_H,
		PACKET_OUTGOING);
	if (!dir)
		fcc_not(b);
	return b;
}

struct fblock *fcc_ifindex(struct fcc *c, __u32 ifindex)
{
	if (!c->names || !c->names->live)
		fcc_fail(c, -EINVAL, "ifindex not supported on %s when reading "
			 "savefiles", linktype_name(c->linktype));
	return cmp(c, OR_LINKHDR, SKF_AD_OFF + SKF_AD_IFINDEX, BPF_W, ifindex);
}

struct fblock *fcc_vlan(struct fcc *c, __u32 num, int has)
{
	struct fblock *b0, *b1;

	if (c->label_stack_depth > 0)
		fcc_fail(c, -EINVAL, "no VLAN match after MPLS");
	if (c->linktype != LT_EN10MB)
		fcc_fail(c, -EINVAL, "no VLAN support for %s",
			 linktype_name(c->linktype));
	b0 = linktype(c, ET_8021Q);
	b1 = linktype(c, ET_8021AD);
	fcc_or(b0, b1);
	b0 = b1;
	b1 = linktype(c, ET_8021QINQ);
	fcc_or(b0, b1);
	b0 = b1;
	if (has) {
		if (num > 0x0fff)
			fcc_fail(c, -EINVAL, "VLAN tag %u greater than maximum %u",
				 num, 0x0fff);
		b1 = mcmp(c, OR_LINKPL, 0, BPF_H, num, 0x0fff);
		fcc_and(b0, b1);
		b0 = b1;
	}
	c->off_linkpl.k += 4;
	c->off_linktype.k += 4;
	c->vlan_stack_depth++;
	return b0;
}

struct fblock *fcc_mpls(struct fcc *c, __u32 num, int has)
{
	struct fblock *b0, *b1;

	if (c->label_stack_depth > 0)
		b0 = mcmp(c, OR_PREVMPLSHDR, 2, BPF_B, 0, 0x01);
	else
		b0 = linktype(c, c->linktype == LT_PPP ? PPP_MPLS_UCAST : ET_MPLS);
	if (has) {
		if (num > 0xfffff)
			fcc_fail(c, -EINVAL, "MPLS label %u greater than maximum %u",
				 num, 0xfffff);
		b1 = mcmp(c, OR_LINKPL, 0, BPF_W, num << 12, 0xfffff000);
		fcc_and(b0, b1);
		b0 = b1;
	}
	c->off_nl_nosnap += 4;
	c->off_nl += 4;
	c->label_stack_depth++;
	return b0;
}

struct fblock *fcc_pppoed(struct fcc *c)
{
	return linktype(c, ET_PPPOED);
}

struct fblock *fcc_pppoes(struct fcc *c, __u32 num, int has)
{
	struct fblock *b0, *b1;

	b0 = linktype(c, ET_PPPOES);
	if (has) {
		if (num > 0xffff)
			fcc_fail(c, -EINVAL, "PPPoE session number %u greater than "
				 "maximum %u", num, 0xffff);
		b1 = mcmp(c, OR_LINKPL, 0, BPF_W, num, 0xffff);
		fcc_and(b0, b1);
		b0 = b1;
	}
	/* PUSH_LINKHDR: PPP, 6 bytes past the PPPoE header */
	c->prevlinktype = c->linktype;
	c->off_prevlinkhdr = c->off_linkhdr;
	c->linktype = LT_PPP;
	c->off_linkhdr.var = c->off_linkpl.var;
	c->off_linkhdr.k = c->off_linkpl.k + c->off_nl + 6;
	c->off_linkhdr.reg = c->off_linkpl.reg;
	c->is_geneve = 0;
	c->off_linktype = c->off_linkhdr;
	c->off_linkpl.k = c->off_linkhdr.k + 2;
	c->off_nl = 0;
	c->off_nl_nosnap = 0;
	return b0;
}

static struct fblock *geneve_check(struct fcc *c, int v6, __u32 vni, int has)
{
	enum offrel rel = v6 ? OR_TRAN_IPV6 : OR_TRAN_IPV4;
	struct fblock *b0, *b1;

	b0 = port_(c, v6, 0, GENEVE_PORT, GENEVE_PORT, IPP_UDP, Q_DST);
	b1 = mcmp(c, rel, 8, BPF_B, 0, 0xc0);
	fcc_and(b0, b1);
	b0 = b1;
	if (has) {
		if (vni > 0xffffff)
			fcc_fail(c, -EINVAL, "Geneve VNI %u greater than maximum %u",
				 vni, 0xffffff);
		b1 = mcmp(c, rel, 12, BPF_W, vni << 8, 0xffffff00);
		fcc_and(b0, b1);
		b0 = b1;
	}
	return b0;
}

/* the check, and A = the IP header length for the offsets after it */
static struct fblock *geneve_ip(struct fcc *c, int v6, __u32 vni, int has)
{
	struct fblock *b0 = geneve_check(c, v6, vni, has), *b1;
	struct fslist *s;

	if (!v6) {
		s = loadx_iphdrlen(c);
		fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TXA, 0));
	} else {
		s = abs_offset_varpart(c, &c->off_linkpl);
		if (s) {
			fcc_sappend(s, fcc_stmt(c, BPF_LD | BPF_IMM, 40));
			fcc_sappend(s, fcc_stmt(c, BPF_ALU | BPF_ADD | BPF_X, 0));
		} else {
			s = fcc_stmt(c, BPF_LD | BPF_IMM, 40);
		}
		fcc_sappend(s, fcc_stmt(c, BPF_MISC | BPF_TAX, 0));
	}
	b1 = fcc_block(c, BPF_JMP | BPF_JEQ | BPF_X, 0);
	b1->stmts = s;
	fcc_and(b0, b1);
	return b1;
}

/*
 * Geneve: the offsets of what follows become variable, computed when
 * the test succeeds into three scratch registers (FLT_GENEVE: libpcap's
 * statements, with a branch of their own, as one pseudo statement).
 */
struct fblock *fcc_geneve(struct fcc *c, __u32 vni, int has)
{
	struct fblock *b0, *b1;
	struct fslist *s;
	int r_lt, r_lh, r_lp;
	__u32 base;

	b0 = geneve_ip(c, 0, vni, has);
	b1 = geneve_ip(c, 1, vni, has);
	fcc_or(b0, b1);
	b0 = b1;
	base = c->off_linkpl.k + c->off_nl + 8;
	r_lt = alloc_reg(c);
	c->off_linktype.reg = r_lt;
	c->off_linktype.var = 1;
	c->off_linktype.k = 0;
	r_lh = alloc_reg(c);
	c->prevlinktype = c->linktype;
	c->off_prevlinkhdr = c->off_linkhdr;
	c->linktype = LT_EN10MB;
	c->off_linkhdr = (struct foff){ 0, 1, r_lh };
	c->no_optimize = 1;
	r_lp = alloc_reg(c);
	c->off_linkpl = (struct foff){ 0, 1, r_lp };
	c->off_nl = 0;
	s = fcc_stmt(c, FLT_GENEVE, base);
	s->s.p1 = r_lt;
	s->s.p2 = r_lh;
	s->s.p3 = r_lp;
	b1 = gen_true(c);
	fcc_sappend(s, b1->stmts);
	b1->stmts = s;
	fcc_and(b0, b1);
	c->is_geneve = 1;
	return b1;
}
