// SPDX-License-Identifier: GPL-2.0
/*
 * fltebpf.c - libpcap's optimised blocks (fltopt.c) as the eBPF body of
 * ti_filter(const struct ti_pkt *p, const struct ti_bytes *b).
 *
 * The classic program reads the frame by offset; the filter runs on
 * frames the program checked (prog/tcpinspect.h), of fifteen shapes:
 * 0, 1 or 2 VLAN tags; IPv4 with the TCP header behind it or a later
 * fragment; IPv6 with TCP first, a fragment header first, or another
 * extension header first; and on malformed packets (p->raw), which fit
 * none: for those a sixteenth, generic translation knows nothing of
 * the frame and reads every byte from b (info.raw_bytes of them, the
 * program's TI_VAR_FILTER_RAW), as libpcap does.  For each shape the
 * blocks are run
 * symbolically: a load of a byte the shape fixes (an EtherType, the
 * IPv4 protocol) is a constant, a load of bytes the XDP program put in
 * *p (the windows: tags, the first IP header bytes, the addresses, the
 * first TCP header bytes) reads *p, and only other bytes are read from
 * b's copy of the frame, checked against p->caplen: past it the filter
 * rejects, as libpcap's filter returns 0 on a load past the capture.
 * A division by zero rejects too; a shift by 32 or more gives 0.
 * Branches the constants decide disappear, so "port 80" costs a few
 * loads from *p on the shapes where it can match and nothing elsewhere.
 *
 * Each shape's code is emitted once per block and abstract state
 * (what the live registers hold: a constant, 4*(byte & 0xf) + k, or a
 * value at run time in its home: A in w3, X in w4, M[k] on the stack),
 * so a block reached in two states is emitted twice (at most four
 * times, then its live registers are made run-time values).  Shapes
 * with identical code share it; a test of p->raw, then a dispatch on
 * the word at vlan_cnt picks the code.  Jumps may go backwards, never
 * in a cycle (kernels before 5.3 refuse only cycles).
 *
 * What the code reads goes to info, so that the program prepares only
 * that: how many frame bytes (info.bytes, info.raw_bytes: the largest
 * offset it can reach, or TI_SNAP_MAX), and FLT_LEN, FLT_IF (live: libpcap's
 * ancillary loads of the packet type and the interface), FLT_L3,
 * FLT_L4, FLT_TAGS (the windows).
 */
#include <errno.h>
#include <string.h>
#include "fltcc.h"
#include "prog/tcpinspect.h"

#define R_0	0
#define R_P	1	/* struct ti_pkt * */
#define R_B	2	/* struct ti_bytes * */
#define R_A	3
#define R_X	4
#define R_T	5
#define R_FP	10

#define POFF(f)		((__s16)__builtin_offsetof(struct ti_pkt, f))
#define NO_WIN		0xff
#define MAP_LEN		160	/* frame bytes with facts: 2 tags + IPv6 + 64 */
#define SHAPES		15
#define SH_GENERIC	15
#define MAX_INST	4	/* instances of one block before normalising */
#define CHAIN_ITER	16	/* protochain headers chased from raw bytes */
#define MEMO_SIZE	4096

enum { CL_V4, CL_V4FRAG, CL_V6TCP, CL_V6FRAG, CL_V6EXT };

enum { BF_RAW, BF_CONST, BF_WIN };

struct bytefact {
	__u8 src;
	__u8 win;	/* offset in struct ti_pkt, or NO_WIN */
	__u8 val;	/* BF_CONST */
	__u8 kmask, kval;
};

struct shape {
	int generic;
	__u32 n, family, cls;
	__u32 l3;
	__u32 present;		/* frame bytes every frame of the shape has */
	struct bytefact map[MAP_LEN];
};

/*
 * An abstract value of A, X or M[k]: a constant; 4 * (frame[off] & 0xf)
 * + k (libpcap's IPv4 header length); bytes of *p not loaded yet (a
 * window: loaded where the value is used, if ever); a value at run
 * time in its home.
 */
enum { V_CONST, V_MSH, V_WIN, V_RT };

#define VBIT(v)		(1ull << (v))
/* the first next header of an IPv6 shape with another header first */
#define VSET_FIRST	(VBIT(0) | VBIT(43) | VBIT(60))
/* behind an extension header: TCP or one the program walks */
#define VSET_NEXT	(VSET_FIRST | VBIT(6) | VBIT(44))

struct av {
	__u8 kind;
	__u8 size;		/* V_WIN: 1, 2 or 4 bytes */
	__u64 vset;		/* V_WIN, V_RT: if not 0, the values it can
				 * have (all below 64), a bit each */
	__u16 win;		/* V_WIN: offset in struct ti_pkt */
	__u32 k;		/* V_CONST: the value; V_MSH: added */
	__u32 off;		/* V_MSH: 4 * (frame[off] & 0xf) */
	__u32 kmask, kval;	/* V_WIN, V_RT: bits known */
	__u32 nz;		/* V_WIN, V_RT: (v & nz) != 0 known */
};

struct state {
	struct av at[N_ATOMS];
	__u32 checked;		/* caplen >= this is known (within a block) */
	int dead;		/* a load or division failed: rejected */
};

struct inst {
	struct fblock *b;
	__u32 live;
	struct state st;
	__u32 label;
	struct inst *next;
};

struct item {
	struct fblock *b;
	struct state st;
	int fix;		/* jump to patch to this code, -1: it follows */
};

struct em {
	struct fcc *c;
	const struct shape *sh;
	struct bpf_insn *code;
	__u32 n, cap;		/* emitted, room left where code goes */
	__u32 max;		/* the caller's limit, for the message */
	int rej;		/* pending jumps to the reject stub, threaded */
	__u32 bytes;		/* frame bytes read from b */
	int uses_b;
	int uses_len;		/* reads ti_pkt.len */
	int uses_if;		/* reads ti_pkt.pkttype, .ifindex */
	__u32 *live;		/* by block id */
	__u32 *ninst;		/* by block id */
	struct inst **memo;
	struct item *stack;
	__u32 sp, stack_cap;
};

/* ---- shapes -------------------------------------------------------------- */

static void fact_win(struct shape *sh, __u32 off, __u32 len, __u32 win)
{
	__u32 i;

	for (i = 0; i < len && off + i < MAP_LEN; i++) {
		if (sh->map[off + i].src == BF_RAW)
			sh->map[off + i].src = BF_WIN;
		sh->map[off + i].win = win + i;
	}
}

static void fact_const(struct shape *sh, __u32 off, __u8 v)
{
	sh->map[off].src = BF_CONST;
	sh->map[off].val = v;
	sh->map[off].kmask = 0xff;
	sh->map[off].kval = v;
}

static void fact_bits(struct shape *sh, __u32 off, __u8 mask, __u8 val)
{
	sh->map[off].kmask |= mask;
	sh->map[off].kval = (sh->map[off].kval & ~mask) | (val & mask);
}

static void shape_init(struct shape *sh, int idx)
{
	__u32 i, l3;

	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < MAP_LEN; i++)
		sh->map[i].win = NO_WIN;
	if (idx == SH_GENERIC) {
		sh->generic = 1;
		return;
	}
	sh->n = idx / 5;
	sh->cls = idx % 5;
	sh->family = sh->cls <= CL_V4FRAG ? 4 : 6;
	sh->l3 = l3 = 14 + 4 * sh->n;
	for (i = 0; i < sh->n; i++) {
		fact_win(sh, 12 + 4 * i, 4, POFF(tag) + 4 * i);
		/* the bits 0x8100 and 0x88a8, the TPIDs the program takes,
		 * have in common */
		fact_bits(sh, 12 + 4 * i, 0xf6, 0x80);
		fact_bits(sh, 13 + 4 * i, 0x57, 0x00);
	}
	fact_const(sh, 12 + 4 * sh->n, sh->family == 4 ? 0x08 : 0x86);
	fact_const(sh, 13 + 4 * sh->n, sh->family == 4 ? 0x00 : 0xdd);
	if (sh->family == 4) {
		fact_win(sh, l3, 12, POFF(l3));
		fact_win(sh, l3 + 12, 4, POFF(saddr));
		fact_win(sh, l3 + 16, 4, POFF(daddr));
		fact_const(sh, l3 + 9, 6);
		fact_bits(sh, l3, 0xf0, 0x40);
		if (sh->cls == CL_V4) {
			fact_bits(sh, l3 + 6, 0x1f, 0);
			fact_bits(sh, l3 + 7, 0xff, 0);
		}
		sh->present = l3 + 20;
	} else {
		fact_win(sh, l3, 8, POFF(l3));
		fact_win(sh, l3 + 8, 16, POFF(saddr));
		fact_win(sh, l3 + 24, 16, POFF(daddr));
		fact_bits(sh, l3, 0xf0, 0x60);
		if (sh->cls == CL_V6TCP) {
			fact_const(sh, l3 + 6, 6);
			fact_win(sh, l3 + 40, 16, POFF(l4));
			sh->present = l3 + 60;
		} else {
			if (sh->cls == CL_V6FRAG)
				fact_const(sh, l3 + 6, 44);
			fact_win(sh, l3 + 40, 8, POFF(l4));
			sh->present = l3 + 48;
		}
	}
}

/* the word at vlan_cnt: vlan_cnt, family, proto, has_ports */
static __u32 shape_word(const struct shape *sh)
{
	switch (sh->cls) {
	case CL_V4: return sh->n | 4 << 8 | 6 << 16 | 1 << 24;
	case CL_V4FRAG: return sh->n | 4 << 8 | 6 << 16;
	case CL_V6TCP: return sh->n | 6 << 8 | 6 << 16 | 1 << 24;
	case CL_V6FRAG: return sh->n | 6 << 8 | 44 << 16;
	default: return sh->n | 6 << 8;	/* compared as a half word */
	}
}

/* ---- code ---------------------------------------------------------------- */

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src,
			      .off = off, .imm = imm };
	return i;
}

static __u32 emit(struct em *e, struct bpf_insn i)
{
	if (e->n >= e->cap)
		fcc_fail(e->c, -E2BIG, "the filter needs more than %u BPF "
			 "instructions", e->max);
	e->code[e->n] = i;
	return e->n++;
}

static void patch(struct em *e, __u32 at, __u32 target)
{
	e->code[at].off = (__s16)((int)target - (int)at - 1);
}

/* a conditional jump to the reject stub */
static void jrej(struct em *e, __u8 code, __u8 reg, __u8 src, __s32 imm)
{
	__u32 at = emit(e, insn(code, reg, src, 0, imm));

	e->code[at].off = e->rej;
	e->rej = at + 1;
}

static void ret_const(struct em *e, int v)
{
	emit(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, v));
	emit(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

static void mov_k(struct em *e, __u8 reg, __u32 k)
{
	emit(e, insn(BPF_ALU | BPF_MOV | BPF_K, reg, 0, 0, k));
}

static void alu_k(struct em *e, __u8 op, __u8 reg, __u32 k)
{
	emit(e, insn(BPF_ALU | op | BPF_K, reg, 0, 0, k));
}

static void alu_x(struct em *e, __u8 op, __u8 dst, __u8 src)
{
	emit(e, insn(BPF_ALU | op | BPF_X, dst, src, 0, 0));
}

static __s16 mslot(int k)
{
	return -4 * (k + 1);
}

/* dst = bytes at base + off, size 1/2/4, as a big-endian number */
static void load_be(struct em *e, __u8 dst, __u8 base, __s16 off, __u32 size)
{
	__u8 sz = size == 1 ? BPF_B : size == 2 ? BPF_H : BPF_W;

	emit(e, insn(BPF_LDX | BPF_MEM | sz, dst, base, off, 0));
	if (size > 1)
		emit(e, insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, size * 8));
}

/* ---- abstract values ----------------------------------------------------- */

static struct av av_const(__u32 k)
{
	struct av v = { .kind = V_CONST, .k = k, .kmask = ~0u, .kval = k };

	return v;
}

static struct av av_rt(__u32 kmask, __u32 kval, __u32 nz)
{
	struct av v = { .kind = V_RT, .kmask = kmask, .kval = kval & kmask,
			.nz = nz };

	return v;
}

/* bits above a load of size bytes are 0 */
static __u32 hi_zero(__u32 size)
{
	return size >= 4 ? 0 : ~((1u << 8 * size) - 1);
}

static struct av av_win(__u32 win, __u32 size, __u32 kmask, __u32 kval,
			__u32 nz)
{
	struct av v = { .kind = V_WIN, .win = win, .size = size,
			.kmask = kmask | hi_zero(size),
			.kval = kval & (kmask | hi_zero(size)), .nz = nz };

	return v;
}

static int atom_reg(int atom)
{
	return atom == A_ATOM ? R_A : atom == X_ATOM ? R_X : -1;
}

/* Put the value of atom into reg (its home, or a scratch register). */
static void value_to(struct em *e, struct state *st, int atom, __u8 reg);

/* the byte at off, as a value in reg (window, constant or checked raw) */
static void byte_to(struct em *e, struct state *st, __u32 off, __u8 reg);

/* Make atom a run-time value in its home. */
static void materialize(struct em *e, struct state *st, int atom)
{
	struct av *v = &st->at[atom];
	int reg = atom_reg(atom);

	if (v->kind == V_RT)
		return;
	if (reg >= 0) {
		value_to(e, st, atom, reg);
	} else if (v->kind == V_CONST) {
		emit(e, insn(BPF_ST | BPF_MEM | BPF_W, R_FP, 0, mslot(atom), v->k));
	} else {
		value_to(e, st, atom, R_T);
		emit(e, insn(BPF_STX | BPF_MEM | BPF_W, R_FP, R_T, mslot(atom), 0));
	}
	if (st->dead)
		return;
	if (v->kind == V_WIN) {
		struct av w = *v;

		*v = av_rt(w.kmask, w.kval, w.nz);
		v->vset = w.vset;
		return;
	}
	*v = v->kind == V_CONST ? av_rt(~0u, v->k, 0) : av_rt(0, 0, 0);
}

static void value_to(struct em *e, struct state *st, int atom, __u8 reg)
{
	struct av *v = &st->at[atom];
	int home = atom_reg(atom);

	switch (v->kind) {
	case V_CONST:
		mov_k(e, reg, v->k);
		break;
	case V_MSH:
		byte_to(e, st, v->off, reg);
		alu_k(e, BPF_AND, reg, 0xf);
		alu_k(e, BPF_LSH, reg, 2);
		if (v->k)
			alu_k(e, BPF_ADD, reg, v->k);
		break;
	case V_WIN:
		load_be(e, reg, R_P, v->win, v->size);
		break;
	default:
		if (home >= 0) {
			if (home != reg)
				alu_x(e, BPF_MOV, reg, home);
		} else {
			emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, reg, R_FP,
				     mslot(atom), 0));
		}
	}
}

/* ---- frame bytes -------------------------------------------------------- */

/* the shape's facts on bytes [off, off + size): 1 if all are known */
static int facts(const struct shape *sh, __u32 off, __u32 size, __u32 *win,
		 __u32 *kmask, __u32 *kval)
{
	__u32 i, cst = 1, w;

	*kmask = *kval = 0;
	*win = NO_WIN;
	if (sh->generic || off + size > MAP_LEN)
		return 0;
	w = sh->map[off].win;
	for (i = 0; i < size; i++) {
		const struct bytefact *f = &sh->map[off + i];

		*kmask = *kmask << 8 | f->kmask;
		*kval = *kval << 8 | f->kval;
		if (f->src != BF_CONST)
			cst = 0;
		if (w != NO_WIN && f->win != w + i)
			w = NO_WIN;
	}
	*win = w;
	return cst;
}

/* Frame bytes up to end (a constant offset) from b: reject unless
 * the frame has them. */
static void need(struct em *e, struct state *st, __u32 end)
{
	if (end > TI_SNAP_MAX) {
		/* past what the filter can read: libpcap reads it only
		 * from frames over TI_SNAP_MAX bytes (man page) */
		st->dead = 1;
		return;
	}
	if (end > e->bytes)
		e->bytes = end;
	e->uses_b = 1;
	if ((!e->sh->generic && end <= e->sh->present) || st->checked >= end)
		return;
	emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, R_0, R_P, POFF(caplen), 0));
	jrej(e, BPF_JMP32 | BPF_JLT | BPF_K, R_0, 0, end);
	st->checked = end;
}

/* A value loaded from [off, off + size) into reg; its known bits. */
static struct av load_abs(struct em *e, struct state *st, __u32 off,
			  __u32 size, __u8 reg)
{
	__u32 win, kmask, kval, nz = 0;

	/* live: the socket filter's ancillary data libpcap reads */
	if (e->c->names && e->c->names->live &&
	    ((off == (__u32)SKF_AD_OFF + SKF_AD_PKTTYPE && size == 2) ||
	     (off == (__u32)SKF_AD_OFF + SKF_AD_IFINDEX && size == 4))) {
		e->uses_if = 1;
		if (size == 2) {
			emit(e, insn(BPF_LDX | BPF_MEM | BPF_B, reg, R_P,
				     POFF(pkttype), 0));
			return av_rt(0xffffff00, 0, 0);
		}
		emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, reg, R_P, POFF(ifindex), 0));
		return av_rt(0, 0, 0);
	}
	if ((__u64)off + size > TI_SNAP_MAX) {
		/* past the frame, or past what the filter can read */
		st->dead = 1;
		return av_const(0);
	}
	if (facts(e->sh, off, size, &win, &kmask, &kval))
		return av_const(kval);
	/* IPv4 later fragments: the fragment offset is not 0 */
	if (!e->sh->generic && e->sh->cls == CL_V4FRAG && size == 2 &&
	    off == e->sh->l3 + 6)
		nz = 0x1fff;
	if (win != NO_WIN) {
		struct av v = av_win(win, size, kmask, kval, nz);

		/* IPv6 with another extension header first: 0, 43 or 60;
		 * behind it, TCP or another header the program walks */
		if (!e->sh->generic && e->sh->cls == CL_V6EXT && size == 1 &&
		    off == e->sh->l3 + 6)
			v.vset = VSET_FIRST;
		if (!e->sh->generic && (e->sh->cls == CL_V6FRAG ||
		    e->sh->cls == CL_V6EXT) && size == 1 &&
		    off == e->sh->l3 + 40)
			v.vset = VSET_NEXT;
		return v;
	}
	if (!e->sh->generic && off + size <= MAP_LEN) {
		/* bytes from more than one window (or constants): in pieces */
		__u32 i, j;

		for (i = 0; i < size; i++)
			if (e->sh->map[off + i].win == NO_WIN &&
			    e->sh->map[off + i].src != BF_CONST)
				break;
		if (i == size) {
			mov_k(e, reg, 0);
			for (i = 0; i < size; i = j) {
				const struct bytefact *f = &e->sh->map[off + i];
				__u32 piece;

				for (j = i + 1; j < size && f->win != NO_WIN &&
				     e->sh->map[off + j].win == f->win + (j - i) &&
				     j - i < 2; j++)
					;
				piece = j - i;
				if (f->win == NO_WIN) {
					alu_k(e, BPF_OR, reg, (__u32)f->val <<
					      8 * (size - j));
					continue;
				}
				load_be(e, R_T, R_P, f->win, piece);
				if (size - j)
					alu_k(e, BPF_LSH, R_T, 8 * (size - j));
				alu_x(e, BPF_OR, reg, R_T);
			}
			return av_rt(kmask | hi_zero(size), kval, nz);
		}
	}
	need(e, st, off + size);
	if (st->dead)
		return av_const(0);
	load_be(e, reg, R_B, off, size);
	return av_rt(kmask | hi_zero(size), kval, nz);
}

static void byte_to(struct em *e, struct state *st, __u32 off, __u8 reg)
{
	struct av v = load_abs(e, st, off, 1, reg);

	if (st->dead)
		return;
	if (v.kind == V_CONST)
		mov_k(e, reg, v.k);
	else if (v.kind == V_WIN)
		load_be(e, reg, R_P, v.win, 1);
}

/*
 * The bytes at (index in reg idx, a 32-bit value) + k: libpcap's
 * indirect load, never wrapping, checked against the buffer.
 */
static void load_var(struct em *e, struct state *st, __u8 idx, __u32 k,
		     __u32 size, __u8 dst, int present)
{
	if (k > TI_SNAP_MAX) {
		st->dead = 1;
		return;
	}
	e->uses_b = 1;
	emit(e, insn(BPF_ALU | BPF_MOV | BPF_X, R_T, idx, 0, 0));
	emit(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, R_T, 0, 0, k + size));
	if (!present) {
		emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, R_0, R_P, POFF(caplen), 0));
		jrej(e, BPF_JMP | BPF_JGT | BPF_X, R_T, R_0, 0);
	}
	/* for the verifier: within the buffer */
	jrej(e, BPF_JMP | BPF_JGT | BPF_K, R_T, 0, TI_SNAP_MAX);
	emit(e, insn(BPF_ALU64 | BPF_ADD | BPF_X, R_T, R_B, 0, 0));
	load_be(e, dst, R_T, -(__s16)size, size);
}

/* the largest value v can have at run time */
static __u64 x_max(const struct av *v)
{
	int top;

	switch (v->kind) {
	case V_CONST:
		return v->k;
	case V_MSH:
		return v->k <= 0xffff ? v->k + 60ull : 0xffffffffull;
	default:
		if (v->vset) {
			for (top = 63; !(v->vset >> top & 1); top--)
				;
			return top;
		}
		return (v->kval & v->kmask) | ~v->kmask;
	}
}

/* the filter reads frame bytes up to end (or to any, past the buffer) */
static void reads_upto(struct em *e, __u64 end)
{
	if (end > TI_SNAP_MAX)
		end = TI_SNAP_MAX;
	if (end > e->bytes)
		e->bytes = end;
}

/* A = the bytes at X + k (BPF_IND) */
static struct av load_ind(struct em *e, struct state *st, __u32 k, __u32 size)
{
	struct av *x = &st->at[X_ATOM];
	const struct shape *sh = e->sh;

	if (x->kind == V_CONST) {
		__u64 off = (__u64)x->k + k;

		if (off + size > 0xffffffffull) {
			st->dead = 1;
			return av_const(0);
		}
		return load_abs(e, st, off, size, R_A);
	}
	if (x->kind == V_MSH && !sh->generic && sh->family == 4 &&
	    x->off == sh->l3 && x->k <= 0xffff) {
		long rel = (long)x->k + k - sh->l3;
		__u32 present = sh->cls == CL_V4 && rel >= 0 && rel + size <= 20;

		if (sh->cls == CL_V4 && rel >= 0 && rel + size <= 16)
			return av_win(POFF(l4) + rel, size, 0, 0, 0);
		if (rel + size > TI_SNAP_MAX) {
			st->dead = 1;
			return av_const(0);
		}
		if (present) {
			/* inside the TCP header, 4 * (l3[0] & 0xf) + l3 + rel */
			e->uses_b = 1;
			reads_upto(e, sh->l3 + 60 + rel + size);
			byte_to(e, st, x->off, R_T);
			alu_k(e, BPF_AND, R_T, 0xf);
			alu_k(e, BPF_LSH, R_T, 2);
			emit(e, insn(BPF_ALU64 | BPF_ADD | BPF_X, R_T, R_B, 0, 0));
			load_be(e, R_A, R_T, sh->l3 + rel, size);
			return av_rt(0, 0, 0);
		}
	}
	value_to(e, st, X_ATOM, R_0);
	if (st->dead)
		return av_const(0);
	reads_upto(e, x_max(x) + k + size);
	load_var(e, st, R_0, k, size, R_A, 0);
	return av_rt(0, 0, 0);
}

/* ---- statements ---------------------------------------------------------- */

static __u32 fold(int op, __u32 a, __u32 b)
{
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_DIV: return a / b;
	case BPF_MOD: return a % b;
	case BPF_AND: return a & b;
	case BPF_OR: return a | b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return b < 32 ? a << b : 0;
	default: return b < 32 ? a >> b : 0;	/* BPF_RSH */
	}
}

/* known bits after A op= k */
static struct av bits_k(const struct av *a, int op, __u32 k)
{
	__u32 m = a->kmask, v = a->kval, nz = 0;

	switch (op) {
	case BPF_AND:
		if (a->nz && !(a->nz & ~k))
			nz = a->nz;
		return av_rt(m | ~k, v & k, nz);
	case BPF_OR:
		return av_rt(m | k, v | k, 0);
	case BPF_LSH:
		return av_rt(m << k | ((1u << k) - 1), v << k, 0);
	case BPF_RSH:
		return av_rt(m >> k | ~(~0u >> k), v >> k, 0);
	default:
		return av_rt(0, 0, 0);
	}
}

static void alu(struct em *e, struct state *st, int op, int xsrc, __u32 k)
{
	struct av *a = &st->at[A_ATOM], *x = &st->at[X_ATOM];

	if (xsrc && x->kind == V_CONST) {
		xsrc = 0;
		k = x->k;
		if ((op == BPF_DIV || op == BPF_MOD) && !k) {
			st->dead = 1;	/* libpcap's filter returns 0 */
			return;
		}
	}
	if (!xsrc) {
		if (a->kind == V_CONST) {
			*a = av_const(fold(op, a->k, k));
			return;
		}
		if (a->kind == V_MSH && (op == BPF_ADD || op == BPF_SUB)) {
			a->k += op == BPF_ADD ? k : -k;
			return;
		}
		materialize(e, st, A_ATOM);
		if ((op == BPF_LSH || op == BPF_RSH) && k > 31) {
			*a = av_const(0);
			return;
		}
		alu_k(e, op, R_A, k);
		*a = bits_k(a, op, k);
		return;
	}
	/* X at run time */
	materialize(e, st, A_ATOM);
	materialize(e, st, X_ATOM);
	if (st->dead)
		return;
	if (op == BPF_DIV || op == BPF_MOD) {
		jrej(e, BPF_JMP32 | BPF_JEQ | BPF_K, R_X, 0, 0);
		alu_x(e, op, R_A, R_X);
	} else if (op == BPF_LSH || op == BPF_RSH) {
		/* bpf_filter: a shift by 32 or more gives 0 */
		__u32 at = emit(e, insn(BPF_JMP32 | BPF_JLT | BPF_K, R_X, 0, 0, 32));

		mov_k(e, R_A, 0);
		emit(e, insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
		patch(e, at, e->n);
		alu_x(e, op, R_A, R_X);
	} else {
		alu_x(e, op, R_A, R_X);
	}
	*a = av_rt(0, 0, 0);
}

static void tr_pchain(struct em *e, struct state *st, const struct fstmt *s);
static void tr_geneve(struct em *e, struct state *st, const struct fstmt *s);

static void tr_stmt(struct em *e, struct state *st, const struct fstmt *s)
{
	struct av *a = &st->at[A_ATOM], *x = &st->at[X_ATOM];
	int code = s->code;

	switch (code) {
	case FLT_NOP:
		return;
	case FLT_PCHAIN:
		tr_pchain(e, st, s);
		return;
	case FLT_GENEVE:
		tr_geneve(e, st, s);
		return;
	case BPF_LD | BPF_ABS | BPF_W:
	case BPF_LD | BPF_ABS | BPF_H:
	case BPF_LD | BPF_ABS | BPF_B:
		*a = load_abs(e, st, s->k, BPF_SIZE(code) == BPF_W ? 4 :
			      BPF_SIZE(code) == BPF_H ? 2 : 1, R_A);
		return;
	case BPF_LD | BPF_IND | BPF_W:
	case BPF_LD | BPF_IND | BPF_H:
	case BPF_LD | BPF_IND | BPF_B:
		*a = load_ind(e, st, s->k, BPF_SIZE(code) == BPF_W ? 4 :
			      BPF_SIZE(code) == BPF_H ? 2 : 1);
		return;
	case BPF_LD | BPF_LEN:
		e->uses_len = 1;
		emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, R_A, R_P, POFF(len), 0));
		*a = av_rt(0, 0, 0);
		return;
	case BPF_LD | BPF_IMM:
		*a = av_const(s->k);
		return;
	case BPF_LDX | BPF_IMM:
		*x = av_const(s->k);
		return;
	case BPF_LDX | BPF_MSH | BPF_B:
		x->kind = V_MSH;
		x->off = s->k;
		x->k = 0;
		if (s->k >= TI_SNAP_MAX) {
			st->dead = 1;
			return;
		}
		/* the byte must be there, as in libpcap */
		{
			__u32 win, km, kv;

			if (!facts(e->sh, s->k, 1, &win, &km, &kv) && win == NO_WIN)
				need(e, st, s->k + 1);
		}
		return;
	case BPF_LD | BPF_MEM:
		if (st->at[s->k].kind == V_RT)
			value_to(e, st, s->k, R_A);
		*a = st->at[s->k];
		return;
	case BPF_LDX | BPF_MEM:
		if (st->at[s->k].kind == V_RT)
			value_to(e, st, s->k, R_X);
		*x = st->at[s->k];
		return;
	case BPF_ST:
	case BPF_STX: {
		int from = code == BPF_ST ? A_ATOM : X_ATOM;

		if (st->at[from].kind == V_RT)
			emit(e, insn(BPF_STX | BPF_MEM | BPF_W, R_FP, atom_reg(from),
				     mslot(s->k), 0));
		st->at[s->k] = st->at[from];
		return;
	}
	case BPF_MISC | BPF_TAX:
		if (a->kind == V_RT)
			alu_x(e, BPF_MOV, R_X, R_A);
		*x = *a;
		return;
	case BPF_MISC | BPF_TXA:
		if (x->kind == V_RT)
			alu_x(e, BPF_MOV, R_A, R_X);
		*a = *x;
		return;
	case BPF_ALU | BPF_NEG:
		if (a->kind == V_CONST) {
			*a = av_const(0u - a->k);
			return;
		}
		materialize(e, st, A_ATOM);
		emit(e, insn(BPF_ALU | BPF_NEG, R_A, 0, 0, 0));
		*a = av_rt(0, 0, 0);
		return;
	default:
		if (BPF_CLASS(code) == BPF_ALU) {
			alu(e, st, BPF_OP(code), BPF_SRC(code) == BPF_X, s->k);
			return;
		}
		fcc_fail(e->c, -EINVAL, "internal error: statement %#x", code);
	}
}

/*
 * protochain (libpcap's loop over the header chain).  Where the shape
 * says the IP header is where this protochain looks, the answer is in
 * *p: IPv4, the protocol (6); IPv6, ti_pkt.chain.  Elsewhere, the loop
 * runs over the frame's bytes, CHAIN_ITER headers at most.
 */
/* protochain's step over AH: X = (P[X + l3 + 1] + 2) * 4, A = P[X + l3] */
static void pchain_ah(struct em *e, struct state *st, __u32 l3, int slot)
{
	load_var(e, st, R_X, l3, 1, R_0, 0);
	emit(e, insn(BPF_STX | BPF_MEM | BPF_W, R_FP, R_0, mslot(slot), 0));
	load_var(e, st, R_X, l3 + 1, 1, R_A, 0);
	alu_k(e, BPF_ADD, R_A, 2);
	alu_k(e, BPF_MUL, R_A, 4);
	alu_x(e, BPF_MOV, R_X, R_A);
	emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, R_A, R_FP, mslot(slot), 0));
}

static void tr_pchain(struct em *e, struct state *st, const struct fstmt *s)
{
	const struct shape *sh = e->sh;
	__u32 v = s->k, l3 = s->p2, i, bit = 0, j_end[CHAIN_ITER * 8];
	int v6 = s->p1, nend = 0;
	__u32 at;

	if (!sh->generic && sh->l3 == l3 && sh->family == (v6 ? 6u : 4u)) {
		if (!v6) {
			st->at[A_ATOM] = av_const(6);
			st->at[X_ATOM].kind = V_MSH;
			st->at[X_ATOM].off = l3;
			st->at[X_ATOM].k = 0;
			return;
		}
		/* IPv6 headers as the XDP program chased them */
		emit(e, insn(BPF_LDX | BPF_MEM | BPF_B, R_T, R_P, POFF(chain), 0));
		jrej(e, BPF_JMP32 | BPF_JSET | BPF_K, R_T, 0, TI_CHAIN_ODD);
		switch (v) {
		case 0: bit = TI_CHAIN_HOP; break;
		case 43: bit = TI_CHAIN_ROUTING; break;
		case 44: bit = TI_CHAIN_FRAG; break;
		case 60: bit = TI_CHAIN_DST; break;
		}
		if (!bit) {
			st->at[A_ATOM] = av_const(6);
		} else {
			mov_k(e, R_A, 6);
			at = emit(e, insn(BPF_JMP32 | BPF_JSET | BPF_K, R_T, 0, 0, bit));
			emit(e, insn(BPF_JMP | BPF_JA, 0, 0, 1, 0));
			patch(e, at, e->n);
			mov_k(e, R_A, v);
			st->at[A_ATOM] = av_rt(0, 0, 0);
		}
		st->at[X_ATOM] = av_rt(0, 0, 0);	/* dead after it */
		st->at[s->p3] = av_const(0);
		return;
	}
	/* the loop, unrolled: A the header type, X its offset from l3.
	 * It saves A in M[p3] only where it steps over a header: the
	 * register keeps what it held on the other paths, in its home. */
	materialize(e, st, s->p3);
	byte_to(e, st, l3 + (v6 ? 6 : 9), R_A);
	if (st->dead)
		return;
	if (v6) {
		mov_k(e, R_X, 40);
	} else {
		byte_to(e, st, l3, R_X);
		alu_k(e, BPF_AND, R_X, 0xf);
		alu_k(e, BPF_LSH, R_X, 2);
	}
	e->bytes = TI_SNAP_MAX;
	for (i = 0; i < CHAIN_ITER; i++) {
		__u32 j_ext = 0, j_ah;
		static const __u8 ext[] = { 0, 60, 43, 44 };
		__u32 j_adv[4], k;

		j_end[nend++] = emit(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_A, 0, 0, v));
		j_end[nend++] = emit(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_A, 0, 0, 59));
		if (v6) {
			for (k = 0; k < 4; k++)
				j_adv[k] = emit(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K,
							R_A, 0, 0, ext[k]));
			j_ah = emit(e, insn(BPF_JMP32 | BPF_JNE | BPF_K, R_A, 0, 0, 51));
			pchain_ah(e, st, l3, s->p3);
			j_ext = emit(e, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
			for (k = 0; k < 4; k++)
				patch(e, j_adv[k], e->n);
			/* extension header: X += (P[X + l3 + 1] + 1) * 8 */
			load_var(e, st, R_X, l3, 1, R_0, 0);
			emit(e, insn(BPF_STX | BPF_MEM | BPF_W, R_FP, R_0, mslot(s->p3), 0));
			load_var(e, st, R_X, l3 + 1, 1, R_A, 0);
			alu_k(e, BPF_ADD, R_A, 1);
			alu_k(e, BPF_MUL, R_A, 8);
			alu_x(e, BPF_ADD, R_A, R_X);
			alu_x(e, BPF_MOV, R_X, R_A);
			emit(e, insn(BPF_LDX | BPF_MEM | BPF_W, R_A, R_FP, mslot(s->p3), 0));
			patch(e, j_ext, e->n);
			j_end[nend++] = j_ah;
		} else {
			j_ah = emit(e, insn(BPF_JMP32 | BPF_JNE | BPF_K, R_A, 0, 0, 51));
			pchain_ah(e, st, l3, s->p3);
			j_end[nend++] = j_ah;
		}
	}
	/* still in the chain: more headers than this follows */
	jrej(e, BPF_JMP | BPF_JA, 0, 0, 0);
	for (i = 0; i < (__u32)nend; i++)
		patch(e, j_end[i], e->n);
	st->at[A_ATOM] = av_rt(0, 0, 0);
	st->at[X_ATOM] = av_rt(0, 0, 0);
	st->at[s->p3] = av_rt(0, 0, 0);
}

/* geneve's offsets (fltgen.c): libpcap's statements, their branch too */
static void tr_geneve(struct em *e, struct state *st, const struct fstmt *s)
{
	const struct fstmt pre[] = {
		{ BPF_ALU | BPF_ADD | BPF_K, s->k, 0, 0, 0 },
		{ BPF_MISC | BPF_TAX, 0, 0, 0, 0 },
		{ BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, 0 },
		{ BPF_ST, s->p1, 0, 0, 0 },
		{ BPF_LD | BPF_IND | BPF_B, 0, 0, 0, 0 },
		{ BPF_ALU | BPF_AND | BPF_K, 0x3f, 0, 0, 0 },
		{ BPF_ALU | BPF_MUL | BPF_K, 4, 0, 0, 0 },
		{ BPF_ALU | BPF_ADD | BPF_K, 8, 0, 0, 0 },
		{ BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0, 0 },
		{ BPF_ST, s->p2, 0, 0, 0 },
		{ BPF_LD | BPF_IND | BPF_H, 2, 0, 0, 0 },
		{ BPF_LDX | BPF_MEM, s->p2, 0, 0, 0 },
	};
	const struct fstmt teb[] = {
		{ BPF_MISC | BPF_TXA, 0, 0, 0, 0 },
		{ BPF_ALU | BPF_ADD | BPF_K, 12, 0, 0, 0 },
		{ BPF_ST, s->p1, 0, 0, 0 },
		{ BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, 0 },
		{ BPF_MISC | BPF_TAX, 0, 0, 0, 0 },
	};
	const struct fstmt stx = { BPF_STX, s->p3, 0, 0, 0 };
	struct av *a = &st->at[A_ATOM];
	size_t i;
	__u32 at;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]) && !st->dead; i++)
		tr_stmt(e, st, &pre[i]);
	if (st->dead)
		return;
	if (a->kind == V_CONST) {
		if (a->k == 0x6558)
			for (i = 0; i < sizeof(teb) / sizeof(teb[0]); i++)
				tr_stmt(e, st, &teb[i]);
		tr_stmt(e, st, &stx);
		return;
	}
	/* both ways end with A, X and M[lt] at run time in their homes */
	materialize(e, st, A_ATOM);
	materialize(e, st, X_ATOM);
	materialize(e, st, s->p1);
	at = emit(e, insn(BPF_JMP32 | BPF_JNE | BPF_K, R_A, 0, 0, 0x6558));
	for (i = 0; i < sizeof(teb) / sizeof(teb[0]); i++)
		tr_stmt(e, st, &teb[i]);
	materialize(e, st, A_ATOM);
	materialize(e, st, X_ATOM);
	materialize(e, st, s->p1);
	patch(e, at, e->n);
	st->at[A_ATOM] = av_rt(0, 0, 0);
	st->at[X_ATOM] = av_rt(0, 0, 0);
	st->at[s->p1] = av_rt(0, 0, 0);
	tr_stmt(e, st, &stx);
}

/* ---- branches ------------------------------------------------------------ */

/* the same for a value that is one of a set */
static int decide_set(__u64 set, int op, __u32 k)
{
	int yes = 0, no = 0;
	__u32 v;

	for (v = 0; v < 64; v++) {
		int r;

		if (!(set >> v & 1))
			continue;
		r = op == BPF_JEQ ? v == k : op == BPF_JGT ? v > k :
		    op == BPF_JGE ? v >= k : (v & k) != 0;
		yes |= r;
		no |= !r;
	}
	return yes && no ? -1 : yes;
}

/* 1, 0, or -1 if the value decides only at run time */
static int decide(const struct av *a, int op, __u32 k)
{
	__u32 lo, hi;

	if (a->kind == V_CONST) {
		switch (op) {
		case BPF_JEQ: return a->k == k;
		case BPF_JGT: return a->k > k;
		case BPF_JGE: return a->k >= k;
		default: return (a->k & k) != 0;
		}
	}
	if (a->kind != V_RT && a->kind != V_WIN)
		return -1;
	if (a->vset)
		return decide_set(a->vset, op, k);
	lo = a->kval & a->kmask;
	hi = lo | ~a->kmask;
	switch (op) {
	case BPF_JEQ:
		if ((k ^ a->kval) & a->kmask)
			return 0;
		if (a->nz && !(k & a->nz))
			return 0;
		return -1;
	case BPF_JGT:
		return lo > k ? 1 : hi <= k ? 0 : -1;
	case BPF_JGE:
		return lo >= k ? 1 : hi < k ? 0 : -1;
	default:
		if ((a->kmask & k) == k && !(a->kval & k))
			return 0;
		if (a->kval & a->kmask & k)
			return 1;
		if (a->nz && !(a->nz & ~k))
			return 1;
		return -1;
	}
}

/* ---- liveness ------------------------------------------------------------ */

static __u32 stmt_use(const struct fstmt *s, __u32 def)
{
	int c = s->code;
	__u32 use = 0;

	if (c == FLT_NOP)
		return 0;
	if (c == FLT_PCHAIN)
		return 0;
	if (c == FLT_GENEVE)
		return def & 1u << A_ATOM ? 0 : 1u << A_ATOM;
	switch (BPF_CLASS(c)) {
	case BPF_RET:
		break;
	case BPF_LD:
	case BPF_LDX:
		if (BPF_MODE(c) == BPF_IND)
			use = 1u << X_ATOM;
		else if (BPF_MODE(c) == BPF_MEM)
			use = 1u << s->k;
		break;
	case BPF_ST:
		use = 1u << A_ATOM;
		break;
	case BPF_STX:
		use = 1u << X_ATOM;
		break;
	case BPF_JMP:
	case BPF_ALU:
		use = 1u << A_ATOM;
		if (BPF_SRC(c) == BPF_X)
			use |= 1u << X_ATOM;
		break;
	case BPF_MISC:
		use = 1u << (BPF_MISCOP(c) == BPF_TXA ? X_ATOM : A_ATOM);
		break;
	}
	return use & ~def;
}

static __u32 stmt_def(const struct fstmt *s)
{
	int c = s->code;

	if (c == FLT_NOP)
		return 0;
	if (c == FLT_PCHAIN)
		return 1u << A_ATOM | 1u << X_ATOM | 1u << s->p3;
	if (c == FLT_GENEVE)
		return 1u << A_ATOM | 1u << X_ATOM | 1u << s->p1 | 1u << s->p2 |
		       1u << s->p3;
	switch (BPF_CLASS(c)) {
	case BPF_LD:
	case BPF_ALU:
		return 1u << A_ATOM;
	case BPF_LDX:
		return 1u << X_ATOM;
	case BPF_ST:
	case BPF_STX:
		return 1u << s->k;
	case BPF_MISC:
		return 1u << (BPF_MISCOP(c) == BPF_TAX ? X_ATOM : A_ATOM);
	}
	return 0;
}

/* live-in of every block reachable from b, by id (post-order) */
static void liveness(struct em *e, struct fblock *root, __u32 nblocks)
{
	struct fblock **stack = fcc_alloc(e->c, (nblocks + 1) * 2 * sizeof(*stack));
	__u8 *state = fcc_alloc(e->c, nblocks + 1);
	__u32 sp = 0;

	stack[sp++] = root;
	while (sp) {
		struct fblock *b = stack[sp - 1];
		struct fslist *s;
		__u32 use = 0, def = 0, out = 0;

		if (state[b->id] == 2) {
			sp--;
			continue;
		}
		if (state[b->id] == 0 && JT(b)) {
			state[b->id] = 1;
			if (state[JT(b)->id] != 2)
				stack[sp++] = JT(b);
			if (state[JF(b)->id] != 2)
				stack[sp++] = JF(b);
			continue;
		}
		sp--;
		state[b->id] = 2;
		for (s = b->stmts; s; s = s->next) {
			use |= stmt_use(&s->s, def);
			def |= stmt_def(&s->s);
		}
		if (BPF_CLASS(b->s.code) == BPF_JMP)
			use |= stmt_use(&b->s, def);
		if (JT(b))
			out = e->live[JT(b)->id] | e->live[JF(b)->id];
		e->live[b->id] = use | (out & ~def);
	}
}

static __u32 number_blocks(struct fcc *c, struct fblock *root)
{
	struct fblock **stack;
	__u32 n = 0, sp = 0, cap = 1024, mark = ++c->cur_mark;

	stack = fcc_alloc(c, cap * sizeof(*stack));
	stack[sp++] = root;
	while (sp) {
		struct fblock *b = stack[--sp];

		if (b->mark == mark)
			continue;
		b->mark = mark;
		b->id = n++;
		if (JT(b)) {
			if (sp + 2 > cap) {
				struct fblock **bigger = fcc_alloc(c, 2 * cap *
								   sizeof(*stack));

				memcpy(bigger, stack, sp * sizeof(*stack));
				stack = bigger;
				cap *= 2;
			}
			stack[sp++] = JF(b);
			stack[sp++] = JT(b);
		}
	}
	return n;
}

/* ---- one shape's code ---------------------------------------------------- */

static int av_eq(const struct av *x, const struct av *y)
{
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case V_CONST: return x->k == y->k;
	case V_MSH: return x->k == y->k && x->off == y->off;
	case V_WIN:
		if (x->win != y->win || x->size != y->size)
			return 0;
		/* fall through */
	default:
		return x->kmask == y->kmask && x->kval == y->kval &&
		       x->nz == y->nz && x->vset == y->vset;
	}
}

static int same_live(const struct state *a, const struct state *b, __u32 live)
{
	int i;

	for (i = 0; i < N_ATOMS; i++)
		if (live & 1u << i && !av_eq(&a->at[i], &b->at[i]))
			return 0;
	return 1;
}

static struct inst *memo_find(struct em *e, struct fblock *b,
			      const struct state *st)
{
	struct inst *in;

	for (in = e->memo[b->id % MEMO_SIZE]; in; in = in->next)
		if (in->b == b && same_live(&in->st, st, e->live[b->id]))
			return in;
	return NULL;
}

static void push(struct em *e, struct fblock *b, const struct state *st, int fix)
{
	struct item *it;

	if (e->sp >= e->stack_cap) {
		struct item *bigger = fcc_alloc(e->c, 2 * e->stack_cap *
						sizeof(*bigger));

		memcpy(bigger, e->stack, e->sp * sizeof(*bigger));
		e->stack = bigger;
		e->stack_cap *= 2;
	}
	it = &e->stack[e->sp++];
	it->b = b;
	it->st = *st;
	it->fix = fix;
}

static void to_target(struct em *e, int fix, __u32 label)
{
	if (fix >= 0)
		patch(e, fix, label);
	else
		emit(e, insn(BPF_JMP | BPF_JA, 0, 0, (__s16)((int)label -
							     (int)e->n - 1), 0));
}

static void run_item(struct em *e, struct item *it)
{
	struct fblock *b = it->b;
	struct state st = it->st;
	__u32 live = JT(b) ? e->live[b->id] : 0;
	struct inst *in;
	struct fslist *s;
	int i, d, op;
	__u32 k, at;

	st.checked = 0;
	st.dead = 0;
	if (!JT(b) && it->fix < 0) {	/* a return that follows: inline */
		ret_const(e, b->s.k != 0);
		return;
	}
	in = memo_find(e, b, &st);
	if (in) {
		to_target(e, it->fix, in->label);
		return;
	}
	if (it->fix >= 0)
		patch(e, it->fix, e->n);
	it->fix = -1;
	if (e->ninst[b->id] >= MAX_INST) {
		/* normalise: the live registers at run time in their homes */
		for (i = 0; i < N_ATOMS; i++)
			if (live & 1u << i)
				materialize(e, &st, i);
		for (i = 0; i < N_ATOMS; i++)
			if (live & 1u << i)
				st.at[i] = av_rt(0, 0, 0);
		in = memo_find(e, b, &st);
		if (in) {
			to_target(e, -1, in->label);
			return;
		}
	}
	in = fcc_alloc(e->c, sizeof(*in));
	in->b = b;
	in->st = st;
	in->label = e->n;
	in->next = e->memo[b->id % MEMO_SIZE];
	e->memo[b->id % MEMO_SIZE] = in;
	e->ninst[b->id]++;
	for (s = b->stmts; s && !st.dead; s = s->next)
		tr_stmt(e, &st, &s->s);
	if (st.dead) {
		ret_const(e, 0);
		return;
	}
	if (!JT(b)) {
		ret_const(e, b->s.k != 0);
		return;
	}
	op = BPF_OP(b->s.code);
	if (BPF_SRC(b->s.code) == BPF_X) {
		if (st.at[X_ATOM].kind == V_CONST) {
			k = st.at[X_ATOM].k;
			d = decide(&st.at[A_ATOM], op, k);
		} else {
			d = -1;
			k = 0;
		}
	} else {
		k = b->s.k;
		d = decide(&st.at[A_ATOM], op, k);
	}
	if (d >= 0) {
		push(e, d ? JT(b) : JF(b), &st, -1);
		return;
	}
	if (st.at[A_ATOM].kind == V_WIN && (op == BPF_JEQ || op == BPF_JSET) &&
	    (BPF_SRC(b->s.code) == BPF_K || st.at[X_ATOM].kind == V_CONST)) {
		/* the bytes as they are, against the constant's bytes */
		const struct av *a = &st.at[A_ATOM];
		__u8 sz = a->size == 1 ? BPF_B : a->size == 2 ? BPF_H : BPF_W;
		__u32 ks = a->size == 1 ? k : a->size == 2 ?
			   (__u32)__builtin_bswap16(k) : __builtin_bswap32(k);

		emit(e, insn(BPF_LDX | BPF_MEM | sz, R_A, R_P, a->win, 0));
		at = emit(e, insn(BPF_JMP32 | op | BPF_K, R_A, 0, 0, ks));
		push(e, JT(b), &st, at);
		push(e, JF(b), &st, -1);
		return;
	}
	materialize(e, &st, A_ATOM);
	if (BPF_SRC(b->s.code) == BPF_X && st.at[X_ATOM].kind != V_CONST) {
		materialize(e, &st, X_ATOM);
		at = emit(e, insn(BPF_JMP32 | op | BPF_X, R_A, R_X, 0, 0));
	} else {
		at = emit(e, insn(BPF_JMP32 | op | BPF_K, R_A, 0, 0, k));
	}
	if (st.dead) {	/* materialising failed: nothing follows */
		ret_const(e, 0);
		return;
	}
	push(e, JT(b), &st, at);
	push(e, JF(b), &st, -1);
}

/* The code of one shape into e->code[e->n...]; 0, or 1 if it is a
 * constant answer (*v). */
static int shape_code(struct em *e, struct fblock *root, int *v)
{
	struct state st;
	int i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < N_ATOMS; i++)
		st.at[i] = av_const(0);
	e->rej = 0;
	e->sp = 0;
	memset(e->memo, 0, MEMO_SIZE * sizeof(*e->memo));
	push(e, root, &st, -1);
	while (e->sp) {
		struct item it = e->stack[--e->sp];

		run_item(e, &it);
	}
	if (e->rej) {
		int list = e->rej;
		__u32 stub = e->n;

		ret_const(e, 0);
		while (list) {
			__u32 at = list - 1;

			list = e->code[at].off;
			patch(e, at, stub);
		}
	}
	/* mov r0, v; exit and nothing else: a constant */
	if (e->n == 2 && e->code[0].code == (BPF_ALU64 | BPF_MOV | BPF_K)) {
		*v = e->code[0].imm;
		return 1;
	}
	return 0;
}

/* ---- the whole function -------------------------------------------------- */

struct group {
	__u32 start, len;	/* in the scratch code */
	int konst, v;
	__u32 label;
};

/* FLT_L3, FLT_L4, FLT_TAGS: the windows of ti_pkt the code reads (all
 * its reads of *p are loads at constant offsets from r1) */
static __u32 windows_read(const struct bpf_insn *code, __u32 n)
{
	static const struct {
		__u32 off, len, flag;
	} w[] = {
		{ POFF(l3), sizeof(((struct ti_pkt *)0)->l3), FLT_L3 },
		{ POFF(l4), sizeof(((struct ti_pkt *)0)->l4), FLT_L4 },
		{ POFF(tag), sizeof(((struct ti_pkt *)0)->tag), FLT_TAGS },
	};
	__u32 i, j, flags = 0;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &code[i];
		int size = BPF_SIZE(in->code) == BPF_B ? 1 :
			   BPF_SIZE(in->code) == BPF_H ? 2 :
			   BPF_SIZE(in->code) == BPF_W ? 4 : 8;

		if (BPF_CLASS(in->code) != BPF_LDX || in->src_reg != R_P)
			continue;
		for (j = 0; j < sizeof(w) / sizeof(w[0]); j++)
			if (in->off + size > (int)w[j].off &&
			    in->off < (int)(w[j].off + w[j].len))
				flags |= w[j].flag;
	}
	return flags;
}

int fcc_ebpf(struct fcc *c, struct bpf_insn *out, __u32 max,
	     struct flt_info *info)
{
	static const int order[SHAPES] = {
		0, 2, 1, 3, 4, 5, 7, 6, 8, 9, 10, 12, 11, 13, 14,
	};
	struct shape *sh = fcc_alloc(c, sizeof(*sh));
	struct em e = { .c = c };
	struct group g[SHAPES + 1];
	int grp_of[SHAPES + 1], ngrp = 0, i, j, def, uses_b = 0, by_n, gen;
	int sgrp = 0, sh_uses_b = 0, raw_uses_b;
	__u32 nblocks, bytes = 0, raw_bytes = 0, n = 0, lbl_off;
	struct bpf_insn *scratch;

	if (!c->root || (c->root->s.code == (BPF_RET | BPF_K))) {
		int v = !c->root || c->root->s.k != 0;

		if (max < 2)
			fcc_fail(c, -E2BIG, "no room for the filter");
		out[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, v);
		out[1] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		info->cnt = 2;
		info->flags |= v ? FLT_ALWAYS : FLT_NEVER;
		return 0;
	}
	nblocks = number_blocks(c, c->root);
	e.live = fcc_alloc(c, nblocks * sizeof(*e.live));
	e.ninst = fcc_alloc(c, nblocks * sizeof(*e.ninst));
	e.memo = fcc_alloc(c, MEMO_SIZE * sizeof(*e.memo));
	e.stack_cap = 256;
	e.stack = fcc_alloc(c, e.stack_cap * sizeof(*e.stack));
	liveness(&e, c->root, nblocks);
	scratch = fcc_alloc(c, (size_t)max * sizeof(*scratch));
	e.code = scratch;
	e.cap = max;
	e.max = max;
	/* the shapes, then the generic code (SH_GENERIC) for raw frames */
	for (i = 0; i <= SHAPES; i++) {
		__u32 start = e.n;
		int v = 0, konst;

		if (i == SH_GENERIC) {
			bytes = e.bytes;
			sh_uses_b = e.uses_b;
			e.bytes = 0;
			e.uses_b = 0;
		}
		shape_init(sh, i);
		e.sh = sh;
		memset(e.ninst, 0, nblocks * sizeof(*e.ninst));
		/* the code is position independent: emit at start */
		{
			struct bpf_insn *save = e.code;

			e.code = scratch + start;
			e.n = 0;
			e.cap = max - start;
			konst = shape_code(&e, c->root, &v);
			e.code = save;
			e.cap = max;
		}
		for (j = 0; j < ngrp; j++) {
			if (konst ? g[j].konst && g[j].v == v :
			    !g[j].konst && g[j].len == e.n &&
			    !memcmp(scratch + g[j].start, scratch + start,
				    e.n * sizeof(*scratch)))
				break;
		}
		if (j == ngrp) {
			g[j].start = start;
			g[j].len = e.n;
			g[j].konst = konst;
			g[j].v = v;
			ngrp++;
			e.n = start + e.n;
		} else {
			e.n = start;
		}
		grp_of[i] = j;
		uses_b |= e.uses_b;
	}
	raw_bytes = e.bytes;
	raw_uses_b = e.uses_b;
	gen = grp_of[SH_GENERIC];
	for (j = 0; j < ngrp; j++) {
		for (i = 0; i < SHAPES && grp_of[i] != j; i++)
			;
		sgrp += i < SHAPES;
	}
	/* the default: the group of most shapes */
	{
		int cnt[SHAPES + 1] = { 0 }, best = 0;

		for (i = 0; i < SHAPES; i++)
			cnt[grp_of[i]]++;
		for (j = 1; j < ngrp; j++)
			if (cnt[j] > cnt[best])
				best = j;
		def = best;
	}
	/* one answer for every checked TCP segment: the flags; for raw
	 * frames too: nothing else */
	for (i = 1; i < SHAPES && grp_of[i] == grp_of[0]; i++)
		;
	if (i == SHAPES && g[grp_of[0]].konst)
		info->flags |= g[grp_of[0]].v ? FLT_ALWAYS : FLT_NEVER;
	if (ngrp == 1 && g[0].konst) {
		out[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, g[0].v);
		out[1] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		info->cnt = 2;
		return 0;
	}
	/* prologue: the pointers may be NULL to the verifier */
#define OUT(i) do { if (n >= max) goto big; out[n++] = (i); } while (0)
	OUT(insn(BPF_JMP | BPF_JNE | BPF_K, R_P, 0, 2, 0));
	OUT(insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, 0));
	OUT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	if (uses_b) {
		OUT(insn(BPF_JMP | BPF_JNE | BPF_K, R_B, 0, 2, 0));
		OUT(insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, 0));
		OUT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	}
	/* dispatch: jumps with the group in off for now, then the groups */
	{
		__u32 disp = n;
		int tested[SHAPES] = { 0 };

		/* raw frames (malformed packets) first: the generic code,
		 * unless the shapes' code is the same */
		for (i = 0; i < SHAPES && grp_of[i] == gen; i++)
			;
		if (i < SHAPES) {
			OUT(insn(BPF_LDX | BPF_MEM | BPF_B, R_0, R_P, POFF(raw), 0));
			OUT(insn(BPF_JMP32 | BPF_JNE | BPF_K, R_0, 0, gen, 0));
		}
		/* the groups by the tags alone ("ip or ip6"): the vlan_cnt byte */
		for (i = 0, by_n = sgrp > 1; i < SHAPES; i++)
			if (grp_of[i] != grp_of[i - i % 5])
				by_n = 0;
		if (by_n)
			OUT(insn(BPF_LDX | BPF_MEM | BPF_B, R_0, R_P, POFF(vlan_cnt), 0));
		else if (sgrp > 1)
			OUT(insn(BPF_LDX | BPF_MEM | BPF_W, R_0, R_P, POFF(vlan_cnt), 0));
		for (i = 0; i < SHAPES && by_n; i += 5)
			if (grp_of[i] != def)
				OUT(insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_0, 0,
					 grp_of[i], i / 5));
		for (j = 0; j < SHAPES && sgrp > 1 && !by_n; j++) {
			int s = order[j], o;

			if (grp_of[s] == def || tested[s])
				continue;
			shape_init(sh, s);
			if (sh->cls == CL_V6EXT) {
				/* the half word matches the exact words too:
				 * test those first */
				for (o = s - 2; o < s; o++) {
					struct shape t;

					if (tested[o])
						continue;
					shape_init(&t, o);
					OUT(insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_0, 0,
						 grp_of[o], shape_word(&t)));
					tested[o] = 1;
				}
				OUT(insn(BPF_ALU64 | BPF_MOV | BPF_X, R_T, R_0, 0, 0));
				OUT(insn(BPF_ALU | BPF_AND | BPF_K, R_T, 0, 0, 0xffff));
				OUT(insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_T, 0, grp_of[s],
					 shape_word(sh)));
			} else {
				OUT(insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_0, 0, grp_of[s],
					 shape_word(sh)));
			}
			tested[s] = 1;
		}
		lbl_off = n;
		/* the default group falls through; the others follow */
		for (i = 0; i <= ngrp; i++) {
			int gi = i == 0 ? def : i - 1;

			if (i && gi == def)
				continue;
			g[gi].label = n;
			if (g[gi].konst) {
				OUT(insn(BPF_ALU64 | BPF_MOV | BPF_K, R_0, 0, 0, g[gi].v));
				OUT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
			} else {
				if (n + g[gi].len > max)
					goto big;
				memcpy(out + n, scratch + g[gi].start,
				       g[gi].len * sizeof(*out));
				n += g[gi].len;
			}
		}
		for (i = disp; i < (int)lbl_off; i++) {
			if (out[i].code == (BPF_JMP32 | BPF_JEQ | BPF_K) ||
			    out[i].code == (BPF_JMP32 | BPF_JNE | BPF_K))
				out[i].off = g[out[i].off].label - i - 1;
		}
	}
	info->cnt = n;
	info->bytes = sh_uses_b ? bytes : 0;
	info->raw_bytes = raw_uses_b ? raw_bytes : 0;
	info->flags |= windows_read(out, n);
	if (e.uses_len)
		info->flags |= FLT_LEN;
	if (e.uses_if)
		info->flags |= FLT_IF;
	return 0;
big:
	fcc_fail(c, -E2BIG, "the filter needs more than %u BPF instructions", max);
}
