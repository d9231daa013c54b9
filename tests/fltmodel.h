/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/fltmodel.h - what the filter tests run compiled filters on,
 * without a kernel:
 *
 *   model_parse()  prog/xdp.c's ti_parse over a frame in a buffer: is it
 *                  a frame the program hands to the filter, and the
 *                  struct ti_pkt it fills
 *   cbpf_run()     a classic BPF program as libpcap's bpf_filter() runs
 *                  it (A, X, M[] start at 0; a load past the captured
 *                  bytes or a division by zero returns 0)
 *   ebpf_check()   what the verifier insists on in a compiled filter:
 *                  jumps inside, no cycle, every path ends in exit,
 *                  registers and stack slots written before they are
 *                  read, only r1 (ti_pkt), r2 (ti_bytes) and r10 read
 *                  through
 *   ebpf_run()     the compiled filter on a ti_pkt and the frame's
 *                  first bytes, every memory access checked
 *   model_frame()  a random frame of any shape the program hands over
 *   model_verdict() a compiled filter on a frame, as the program runs it
 *                  (raw: as it runs it on a malformed packet)
 *   model_compare() that, and libpcap's classic program, on a frame
 *
 * Header-only: included by one test file each.
 */
#ifndef TCPINSPECT_FLTMODEL_H
#define TCPINSPECT_FLTMODEL_H

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include "filter.h"
#include "prog/tcpinspect.h"
#include "randexpr.h"
#include "wire.h"

/* ---- the XDP program's parse ------------------------------------------ */

static unsigned model_be16(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

/*
 * 0: the program calls the filter for this frame (a TCP segment with
 * checked headers, or a later fragment), and *m is what it passes;
 * -1 otherwise.  len: the wire length; caplen bytes at f.
 */
static int model_parse(const unsigned char *f, unsigned caplen, unsigned len,
		       struct ti_pkt *m)
{
	unsigned proto, l3, i, ihl, ip_len, off, nh, frag, hlen, cnt = 0;
	int later = 0;

	memset(m, 0, sizeof(*m));
	m->len = len;
	if (caplen < 14)
		return -1;
	proto = model_be16(f + 12);
	l3 = 14;
	for (i = 0; i < TI_VLAN_MAX; i++) {
		if (proto != 0x8100 && proto != 0x88a8)
			break;
		if (l3 + 4 > caplen)
			return -1;
		memcpy(m->tag[i], f + l3 - 2, 4);
		m->vlan_cnt++;
		proto = model_be16(f + l3 + 2);
		l3 += 4;
	}
	if (proto == 0x0800) {
		if (l3 + 20 > caplen)
			return -1;
		ihl = (f[l3] & 0xf) * 4;
		ip_len = model_be16(f + l3 + 2);
		if (ihl < 20 || ip_len < ihl || l3 + ihl > caplen)
			return -1;
		m->family = 4;
		m->proto = f[l3 + 9];
		memcpy(m->l3, f + l3, 12);
		memcpy(m->saddr, f + l3 + 12, 4);
		memcpy(m->daddr, f + l3 + 16, 4);
		if (m->proto != 6)
			return -1;
		frag = model_be16(f + l3 + 6) & 0x1fff;
		m->has_ports = !frag;
		off = l3 + ihl;
		later = frag != 0;
		hlen = ihl;
	} else if (proto == 0x86dd) {
		if (l3 + 40 > caplen)
			return -1;
		m->family = 6;
		m->proto = nh = f[l3 + 6];
		memcpy(m->l3, f + l3, 8);
		memcpy(m->saddr, f + l3 + 8, 16);
		memcpy(m->daddr, f + l3 + 24, 16);
		ip_len = 40 + model_be16(f + l3 + 4);
		if (l3 + 48 <= caplen)
			memcpy(m->l4, f + l3 + 40, 8);
		off = l3 + 40;
		for (i = 0; i < TI_EXT_MAX; i++) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (off + 2 > caplen)
					return -1;
				m->chain |= nh == 0 ? TI_CHAIN_HOP : nh == 43 ?
					    TI_CHAIN_ROUTING : TI_CHAIN_DST;
				nh = f[off];
				off += (f[off + 1] + 1) * 8;
				if (off > 0x7fff || off > caplen)
					return -1;
			} else if (nh == 44) {
				if (off + 8 > caplen)
					return -1;
				nh = f[off];
				m->chain |= f[off + 1] ? TI_CHAIN_FRAG | TI_CHAIN_ODD :
					    TI_CHAIN_FRAG;
				if (model_be16(f + off + 2) & 0xfff8)
					later = 1;
				off += 8;
				if (off > 0x7fff)
					return -1;
			} else {
				break;
			}
			cnt++;
			if (later)
				break;
		}
		if (nh != 6)
			return -1;
		m->has_ports = m->proto == 6;
		hlen = off - l3;
	} else {
		return -1;
	}
	if (later)
		return 0;
	if (off + 20 > caplen)
		return -1;
	if ((f[off + 12] >> 4) * 4 < 20 || hlen + (f[off + 12] >> 4) * 4 > ip_len ||
	    off + (f[off + 12] >> 4) * 4 > caplen)
		return -1;
	if (m->has_ports)
		memcpy(m->l4, f + off, 16);
	(void)cnt;
	return 0;
}

/* ---- classic BPF, as bpf_filter() ------------------------------------ */

static unsigned cbpf_run(const struct sock_filter *pc, unsigned n,
			 const unsigned char *p, unsigned wirelen, unsigned buflen)
{
	unsigned A = 0, X = 0, mem[BPF_MEMWORDS] = { 0 }, k, steps = 0, i = 0;

	while (i < n && steps++ < 1000000) {
		const struct sock_filter *f = &pc[i++];

		switch (f->code) {
		case BPF_RET | BPF_K: return f->k;
		case BPF_RET | BPF_A: return A;
		case BPF_LD | BPF_W | BPF_ABS:
			k = f->k;
			if (k > buflen || 4 > buflen - k)
				return 0;
			A = (unsigned)p[k] << 24 | p[k + 1] << 16 | p[k + 2] << 8 | p[k + 3];
			break;
		case BPF_LD | BPF_H | BPF_ABS:
			k = f->k;
			if (k > buflen || 2 > buflen - k)
				return 0;
			A = p[k] << 8 | p[k + 1];
			break;
		case BPF_LD | BPF_B | BPF_ABS:
			k = f->k;
			if (k >= buflen)
				return 0;
			A = p[k];
			break;
		case BPF_LD | BPF_W | BPF_LEN: A = wirelen; break;
		case BPF_LDX | BPF_W | BPF_LEN: X = wirelen; break;
		case BPF_LD | BPF_W | BPF_IND:
			k = X + f->k;
			if (f->k > buflen || X > buflen - f->k || 4 > buflen - k)
				return 0;
			A = (unsigned)p[k] << 24 | p[k + 1] << 16 | p[k + 2] << 8 | p[k + 3];
			break;
		case BPF_LD | BPF_H | BPF_IND:
			k = X + f->k;
			if (X > buflen || f->k > buflen - X || 2 > buflen - k)
				return 0;
			A = p[k] << 8 | p[k + 1];
			break;
		case BPF_LD | BPF_B | BPF_IND:
			k = X + f->k;
			if (f->k >= buflen || X >= buflen - f->k)
				return 0;
			A = p[k];
			break;
		case BPF_LDX | BPF_MSH | BPF_B:
			if (f->k >= buflen)
				return 0;
			X = (p[f->k] & 0xf) << 2;
			break;
		case BPF_LD | BPF_IMM: A = f->k; break;
		case BPF_LDX | BPF_IMM: X = f->k; break;
		case BPF_LD | BPF_MEM: A = mem[f->k]; break;
		case BPF_LDX | BPF_MEM: X = mem[f->k]; break;
		case BPF_ST: mem[f->k] = A; break;
		case BPF_STX: mem[f->k] = X; break;
		case BPF_JMP | BPF_JA: i += (int)f->k; break;
		case BPF_JMP | BPF_JGT | BPF_K: i += A > f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: i += A >= f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_K: i += A == f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: i += A & f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGT | BPF_X: i += A > X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_X: i += A >= X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_X: i += A == X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_X: i += A & X ? f->jt : f->jf; break;
		case BPF_ALU | BPF_ADD | BPF_X: A += X; break;
		case BPF_ALU | BPF_SUB | BPF_X: A -= X; break;
		case BPF_ALU | BPF_MUL | BPF_X: A *= X; break;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (!X)
				return 0;
			A /= X;
			break;
		case BPF_ALU | BPF_MOD | BPF_X:
			if (!X)
				return 0;
			A %= X;
			break;
		case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
		case BPF_ALU | BPF_OR | BPF_X: A |= X; break;
		case BPF_ALU | BPF_XOR | BPF_X: A ^= X; break;
		case BPF_ALU | BPF_LSH | BPF_X: A = X < 32 ? A << X : 0; break;
		case BPF_ALU | BPF_RSH | BPF_X: A = X < 32 ? A >> X : 0; break;
		case BPF_ALU | BPF_ADD | BPF_K: A += f->k; break;
		case BPF_ALU | BPF_SUB | BPF_K: A -= f->k; break;
		case BPF_ALU | BPF_MUL | BPF_K: A *= f->k; break;
		case BPF_ALU | BPF_DIV | BPF_K: A /= f->k; break;
		case BPF_ALU | BPF_MOD | BPF_K: A %= f->k; break;
		case BPF_ALU | BPF_AND | BPF_K: A &= f->k; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= f->k; break;
		case BPF_ALU | BPF_XOR | BPF_K: A ^= f->k; break;
		case BPF_ALU | BPF_LSH | BPF_K: A <<= f->k; break;
		case BPF_ALU | BPF_RSH | BPF_K: A >>= f->k; break;
		case BPF_ALU | BPF_NEG: A = 0u - A; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		default:
			return 0xdeadbeef;	/* an instruction we do not know */
		}
	}
	return 0xdeadbeef;
}

/* ---- eBPF: what the verifier checks ----------------------------------- */

#define EBPF_MAX	40000

static int ebpf_sz(__u8 code)
{
	return BPF_SIZE(code) == BPF_B ? 1 : BPF_SIZE(code) == BPF_H ? 2 :
	       BPF_SIZE(code) == BPF_W ? 4 : 8;
}

/*
 * 0, or -1 with why: jumps inside and acyclic, every path ends in an
 * exit, r0-r9 written before they are read (r1, r2, r10 are given),
 * stack slots (4-byte) stored before loaded, on every path.
 */
static int ebpf_check(const struct bpf_insn *p, unsigned n, char *why,
		      size_t why_len)
{
	static unsigned char color[EBPF_MAX];
	static unsigned short regs[EBPF_MAX];	/* written: bit r */
	static unsigned long long stk[EBPF_MAX];	/* 4-byte slots, bit i: fp-4(i+1) */
	static unsigned char seen[EBPF_MAX];
	static unsigned stack[EBPF_MAX * 2];
	unsigned sp = 0, i;

	if (!n || n > EBPF_MAX)
		return snprintf(why, why_len, "%u instructions", n), -1;
	/* cycles: iterative DFS, colour 1 on the stack, 2 done */
	memset(color, 0, n);
	stack[sp++] = 0;
	while (sp) {
		unsigned at = stack[sp - 1], succ[2], ns = 0, s;
		const struct bpf_insn *in = &p[at];
		int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (color[at] == 0) {
			color[at] = 1;
		} else {
			color[at] = 2;
			sp--;
			continue;
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_EXIT)
			continue;
		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL) {
			long t = (long)at + 1 + in->off;

			if (t < 0 || t >= (long)n)
				return snprintf(why, why_len, "insn %u jumps out", at), -1;
			succ[ns++] = t;
			if (op != BPF_JA)
				succ[ns++] = at + 1;
		} else {
			succ[ns++] = at + 1;
		}
		for (s = 0; s < ns; s++) {
			if (succ[s] >= n)
				return snprintf(why, why_len, "insn %u falls off the end", at), -1;
			if (color[succ[s]] == 1)
				return snprintf(why, why_len, "a cycle through insn %u", succ[s]), -1;
			if (color[succ[s]] == 0)
				stack[sp++] = succ[s];
		}
	}
	/* written registers and slots: forward, intersection at joins;
	 * the code is acyclic, so a topological order exists: use a
	 * worklist to a fixed point */
	memset(seen, 0, n);
	regs[0] = 1 << 1 | 1 << 2 | 1 << 10;
	stk[0] = 0;
	seen[0] = 1;
	for (;;) {
		int changed = 0;

		for (i = 0; i < n; i++) {
			const struct bpf_insn *in = &p[i];
			int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
			unsigned short r;
			unsigned long long sk;
			unsigned succ[2], ns = 0, s;
			int x = BPF_SRC(in->code) == BPF_X;

			if (!seen[i])
				continue;
			r = regs[i];
			sk = stk[i];
			switch (cls) {
			case BPF_ALU:
			case BPF_ALU64:
				if (op != BPF_MOV && op != BPF_END && !(r & 1 << in->dst_reg))
					return snprintf(why, why_len, "insn %u reads r%d unwritten", i, in->dst_reg), -1;
				if (op == BPF_END && !(r & 1 << in->dst_reg))
					return snprintf(why, why_len, "insn %u reads r%d unwritten", i, in->dst_reg), -1;
				if (x && op != BPF_END && !(r & 1 << in->src_reg))
					return snprintf(why, why_len, "insn %u reads r%d unwritten", i, in->src_reg), -1;
				if (in->dst_reg > 9)
					return snprintf(why, why_len, "insn %u writes r%d", i, in->dst_reg), -1;
				r |= 1 << in->dst_reg;
				succ[ns++] = i + 1;
				break;
			case BPF_LDX:
				if (!(r & 1 << in->src_reg))
					return snprintf(why, why_len, "insn %u reads r%d unwritten", i, in->src_reg), -1;
				if (in->src_reg == 10) {
					int slot = -in->off / 4 - 1;

					if (in->off >= 0 || in->off < -256 || in->off % 4 ||
					    !(sk & 1ull << slot))
						return snprintf(why, why_len, "insn %u reads stack %d unwritten", i, in->off), -1;
				}
				r |= 1 << in->dst_reg;
				succ[ns++] = i + 1;
				break;
			case BPF_ST:
			case BPF_STX:
				if (cls == BPF_STX && !(r & 1 << in->src_reg))
					return snprintf(why, why_len, "insn %u reads r%d unwritten", i, in->src_reg), -1;
				if (in->dst_reg != 10 || in->off >= 0 || in->off < -256 ||
				    in->off % 4 || BPF_SIZE(in->code) != BPF_W)
					return snprintf(why, why_len, "insn %u stores other than a stack slot", i), -1;
				sk |= 1ull << (-in->off / 4 - 1);
				succ[ns++] = i + 1;
				break;
			case BPF_JMP:
			case BPF_JMP32:
				if (op == BPF_EXIT) {
					if (!(r & 1))
						return snprintf(why, why_len, "insn %u: exit, r0 unset", i), -1;
					break;
				}
				if (op != BPF_JA) {
					if (!(r & 1 << in->dst_reg) ||
					    (x && !(r & 1 << in->src_reg)))
						return snprintf(why, why_len, "insn %u compares unwritten", i), -1;
					succ[ns++] = i + 1;
				}
				succ[ns++] = i + 1 + in->off;
				break;
			default:
				return snprintf(why, why_len, "insn %u: class %#x", i, cls), -1;
			}
			for (s = 0; s < ns; s++) {
				unsigned t = succ[s];

				if (!seen[t]) {
					seen[t] = 1;
					regs[t] = r;
					stk[t] = sk;
					changed = 1;
				} else if ((regs[t] & r) != regs[t] || (stk[t] & sk) != stk[t]) {
					regs[t] &= r;
					stk[t] &= sk;
					changed = 1;
				}
			}
		}
		if (!changed)
			break;
	}
	for (i = 0; i < n; i++)
		if (!seen[i])
			return snprintf(why, why_len, "insn %u unreachable", i), -1;
	return 0;
}

/* ---- eBPF: running it --------------------------------------------------- */

enum { RG_NONE, RG_PKT, RG_BYTES, RG_STACK };

struct ebpf_reg {
	int region;
	unsigned long long v;	/* region offset, or the scalar */
};

/* 0 with *res = r0, or -1 with why (a fault: a bug in the code) */
static int ebpf_run(const struct bpf_insn *p, unsigned n,
		    const struct ti_pkt *pkt, const unsigned char *bytes,
		    unsigned long long *res, char *why, size_t why_len)
{
	struct ebpf_reg r[11];
	unsigned char stack[256];
	unsigned pc = 0, steps = 0;

	memset(r, 0, sizeof(r));
	memset(stack, 0, sizeof(stack));
	r[1].region = RG_PKT;
	r[2].region = RG_BYTES;
	r[10].region = RG_STACK;
	r[10].v = sizeof(stack);
	while (pc < n && steps++ < 1000000) {
		const struct bpf_insn *in = &p[pc++];
		int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		int x = BPF_SRC(in->code) == BPF_X;
		unsigned long long a, b;

		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64: {
			struct ebpf_reg *d = &r[in->dst_reg];

			b = x ? r[in->src_reg].v : (unsigned long long)(long long)in->imm;
			if (op == BPF_END) {
				a = d->v;
				if (in->imm == 16)
					d->v = (a & 0xff) << 8 | (a >> 8 & 0xff);
				else if (in->imm == 32)
					d->v = __builtin_bswap32((unsigned)a);
				else
					d->v = __builtin_bswap64(a);
				d->region = RG_NONE;
				break;
			}
			if (op == BPF_MOV) {
				*d = x ? r[in->src_reg] : (struct ebpf_reg){ RG_NONE, b };
				if (cls == BPF_ALU) {
					d->v = (unsigned)d->v;
					d->region = RG_NONE;
				}
				break;
			}
			if (cls == BPF_ALU64 && op == BPF_ADD && x &&
			    r[in->src_reg].region != RG_NONE) {
				/* scalar + pointer */
				struct ebpf_reg ptr = r[in->src_reg];

				ptr.v += d->v;
				*d = ptr;
				break;
			}
			if (d->region != RG_NONE && !(cls == BPF_ALU64 && op == BPF_ADD))
				return snprintf(why, why_len, "insn %u: ALU on a pointer", pc - 1), -1;
			a = d->v;
			if (cls == BPF_ALU) {
				a = (unsigned)a;
				b = (unsigned)b;
			}
			switch (op) {
			case BPF_ADD: a += b; break;
			case BPF_SUB: a -= b; break;
			case BPF_MUL: a *= b; break;
			case BPF_DIV: a = b ? a / b : 0; break;
			case BPF_MOD: a = b ? a % b : a; break;
			case BPF_OR: a |= b; break;
			case BPF_AND: a &= b; break;
			case BPF_XOR: a ^= b; break;
			case BPF_LSH: a <<= b & (cls == BPF_ALU ? 31 : 63); break;
			case BPF_RSH: a >>= b & (cls == BPF_ALU ? 31 : 63); break;
			case BPF_NEG: a = -a; break;
			default:
				return snprintf(why, why_len, "insn %u: ALU op %#x", pc - 1, op), -1;
			}
			d->v = cls == BPF_ALU ? (unsigned)a : a;
			break;
		}
		case BPF_LDX:
		case BPF_STX:
		case BPF_ST: {
			struct ebpf_reg *base = &r[cls == BPF_LDX ? in->src_reg : in->dst_reg];
			long long off = (long long)base->v + in->off;
			int sz = ebpf_sz(in->code);
			unsigned char *mem;
			long long lim;

			switch (base->region) {
			case RG_PKT:
				mem = (unsigned char *)pkt;
				lim = sizeof(*pkt);
				break;
			case RG_BYTES:
				mem = (unsigned char *)bytes;
				lim = TI_SNAP_MAX;
				break;
			case RG_STACK:
				mem = stack;
				lim = sizeof(stack);
				break;
			default:
				return snprintf(why, why_len, "insn %u: access through a scalar", pc - 1), -1;
			}
			if (off < 0 || off + sz > lim)
				return snprintf(why, why_len, "insn %u: access at %lld outside", pc - 1, off), -1;
			if (cls == BPF_LDX) {
				unsigned long long v = 0;

				memcpy(&v, mem + off, sz);
				r[in->dst_reg] = (struct ebpf_reg){ RG_NONE, v };
			} else {
				unsigned long long v = cls == BPF_STX ? r[in->src_reg].v :
						       (unsigned long long)(long long)in->imm;

				if (base->region != RG_STACK)
					return snprintf(why, why_len, "insn %u: store outside the stack", pc - 1), -1;
				memcpy(mem + off, &v, sz);
			}
			break;
		}
		case BPF_JMP:
		case BPF_JMP32: {
			int take;

			if (op == BPF_EXIT) {
				*res = r[0].v;
				return 0;
			}
			if (op == BPF_JA) {
				pc += in->off;
				break;
			}
			a = r[in->dst_reg].v;
			b = x ? r[in->src_reg].v : (unsigned long long)(long long)in->imm;
			if (r[in->dst_reg].region != RG_NONE) {
				/* only pointer against 0 (NULL checks) */
				if (x || in->imm)
					return snprintf(why, why_len, "insn %u compares a pointer", pc - 1), -1;
				a = 1;
			}
			if (cls == BPF_JMP32) {
				a = (unsigned)a;
				b = (unsigned)b;
			}
			switch (op) {
			case BPF_JEQ: take = a == b; break;
			case BPF_JNE: take = a != b; break;
			case BPF_JGT: take = a > b; break;
			case BPF_JGE: take = a >= b; break;
			case BPF_JLT: take = a < b; break;
			case BPF_JLE: take = a <= b; break;
			case BPF_JSET: take = (a & b) != 0; break;
			default:
				return snprintf(why, why_len, "insn %u: jump op %#x", pc - 1, op), -1;
			}
			if (take)
				pc += in->off;
			break;
		}
		default:
			return snprintf(why, why_len, "insn %u: class %#x", pc - 1, cls), -1;
		}
	}
	return snprintf(why, why_len, "no exit"), -1;
}

/* ---- frames ------------------------------------------------------------ */

#define MODEL_FRAME_MAX	1600

/*
 * A random frame (from *st) into f (MODEL_FRAME_MAX bytes), of every
 * shape the program hands to the filter and some it does not: 0-2 VLAN
 * tags, IPv4 with options, later fragments, IPv6 with chains of
 * extension headers, TCP ports, flags and options, payloads ("GET /"),
 * broadcast and multicast addresses; one in five cut (*caplen < *len).
 */
static void model_frame(unsigned long long *st, unsigned char *f,
			unsigned *len_out, unsigned *caplen)
{
	static const char *const a4[] = { "10.0.0.1", "192.168.1.10", "172.16.5.9",
					  "10.1.2.3", "224.0.0.251", "255.255.255.255" };
	static const char *const a6[] = { "2001:db8::1", "fe80::1", "::1",
					  "2001:db8:1::10", "ff02::fb" };
	static const __u16 ports[] = { 80, 443, 22, 0, 65535, 53, 5000, 1023 };
	static const char *const ext[] = { "", "", "h", "d", "r", "f", "hf", "fd",
					   "hdr", "F" };
	int j, tags = rx_rnd(st, 5) < 3 ? 0 : 1 + rx_rnd(st, 2), v6 = rx_rnd(st, 2);
	size_t l3, off, hl, len, plen = rx_rnd(st, 4) ? rx_rnd(st, 200) :
						       1000 + rx_rnd(st, 300);
	const char *e = v6 ? ext[rx_rnd(st, 10)] : "";
	int later = !v6 && rx_rnd(st, 8) == 0, opts = !v6 && rx_rnd(st, 5) == 0;
	__u8 *nh;

	memset(f, 0, MODEL_FRAME_MAX);
	for (j = 0; j < 12; j++)
		f[j] = rx_rnd(st, 4) ? 0x02 + j : 0xff;
	if (rx_rnd(st, 8) == 0)
		memcpy(f, "\x01\x00\x5e\0\0\xfb", 6);
	for (j = 0; j < tags; j++) {
		put16(f + 12 + 4 * j, tags == 2 && !j ? 0x88a8 : 0x8100);
		put16(f + 14 + 4 * j, rx_rnd(st, 0x10000));
	}
	put16(f + 12 + 4 * tags, v6 ? 0x86dd : 0x0800);
	l3 = 14 + 4 * tags;
	if (!v6) {
		hl = opts ? 20 + 4 * (1 + rx_rnd(st, 10)) : 20;
		f[l3] = 0x40 | hl / 4;
		f[l3 + 1] = rx_rnd(st, 256);
		put16(f + l3 + 4, rx_rnd(st, 0x10000));
		put16(f + l3 + 6, (rx_rnd(st, 2) ? 0x4000 : 0) |
				  (later ? 1 + rx_rnd(st, 200) : 0));
		f[l3 + 8] = rx_rnd(st, 256);
		f[l3 + 9] = 6;
		inet_pton(AF_INET, a4[rx_rnd(st, 6)], f + l3 + 12);
		inet_pton(AF_INET, a4[rx_rnd(st, 6)], f + l3 + 16);
		for (j = 20; j < (int)hl; j++)
			f[l3 + j] = 1;
		off = l3 + hl;
	} else {
		put32(f + l3, 0x60000000 | rx_rnd(st, 0x10000000));
		f[l3 + 7] = rx_rnd(st, 256);
		inet_pton(AF_INET6, a6[rx_rnd(st, 5)], f + l3 + 8);
		inet_pton(AF_INET6, a6[rx_rnd(st, 5)], f + l3 + 24);
		nh = f + l3 + 6;
		off = l3 + 40;
		for (; *e; e++) {
			*nh = *e == 'h' ? 0 : *e == 'd' ? 60 : *e == 'r' ? 43 : 44;
			nh = f + off;
			if (*e == 'f' || *e == 'F') {
				put16(f + off + 2, *e == 'F' ? 8 * (1 + rx_rnd(st, 100)) :
							       rx_rnd(st, 2));
				later = *e == 'F';
				off += 8;
			} else {
				f[off + 1] = rx_rnd(st, 3) ? 0 : 1;
				off += (f[off + 1] + 1) * 8;
			}
		}
		*nh = 6;
	}
	if (!later) {
		put16(f + off, ports[rx_rnd(st, 8)]);
		put16(f + off + 2, ports[rx_rnd(st, 8)]);
		put32(f + off + 4, rx_rnd(st, 0x7fffffff));
		f[off + 12] = (5 + rx_rnd(st, 3)) << 4;
		f[off + 13] = rx_rnd(st, 256);
		put16(f + off + 14, rx_rnd(st, 0x10000));
		hl = (f[off + 12] >> 4) * 4;
		if (rx_rnd(st, 3) == 0)
			memcpy(f + off + hl, "GET / HTTP/1.1\r\n", 16);
		else
			for (j = 0; j < (int)plen; j++)
				f[off + hl + j] = rx_rnd(st, 256);
		len = off + hl + plen;
	} else {
		len = off + plen;
	}
	if (len > MODEL_FRAME_MAX)
		len = MODEL_FRAME_MAX;
	if (len < 60)
		len = 60;
	if (v6)
		put16(f + l3 + 4, len - l3 - 40);
	else
		put16(f + l3 + 2, len - l3);
	*len_out = len;
	*caplen = rx_rnd(st, 5) ? len : 40 + rx_rnd(st, len - 40);	/* cut */
}

/*
 * The compiled filter (code, and flt_compile's info on it) on a frame
 * as the program runs it: ti_pkt as model_parse fills it but for the
 * windows the code did not ask for (stale: poisoned), and the frame's
 * first min(caplen, info->bytes) bytes in the copy.  raw: as the
 * program runs it on a malformed packet, which may be any frame: raw
 * set, only len, caplen, pkttype and ifindex in ti_pkt (the rest
 * poisoned), min(caplen, info->raw_bytes) bytes.  0 with *res, or -1
 * with why (the frame does not reach the filter, or the code faulted).
 */
static int model_verdict(const struct bpf_insn *code,
			 const struct flt_info *info, const unsigned char *f,
			 unsigned caplen, unsigned len, int raw, int *res,
			 char *why, size_t why_len)
{
	static unsigned char bytes[TI_SNAP_MAX];
	unsigned long long r;
	struct ti_pkt m;
	unsigned n;

	if (raw) {
		memset(&m, 0x5a, sizeof(m));
		m.raw = 1;
		m.pkttype = 0;
		m.ifindex = 0;
		m.len = info->flags & FLT_LEN ? len : 0x5a5a5a5a;
		n = caplen < info->raw_bytes ? caplen : info->raw_bytes;
		memset(bytes, 0xa5, sizeof(bytes));
		memcpy(bytes, f, n);
		m.caplen = n;
		if (ebpf_run(code, info->cnt, &m, bytes, &r, why, why_len))
			return -1;
		*res = r != 0;
		return 0;
	}
	if (model_parse(f, caplen, len, &m))
		return snprintf(why, why_len, "the frame does not reach the filter"), -1;
	if (!(info->flags & FLT_L3))
		memset(m.l3, 0x5a, sizeof(m.l3));
	if (!(info->flags & FLT_L4))
		memset(m.l4, 0x5a, sizeof(m.l4));
	if (!(info->flags & FLT_TAGS))
		memset(m.tag, 0x5a, sizeof(m.tag));
	if (!(info->flags & FLT_LEN))
		m.len = 0x5a5a5a5a;
	n = caplen < info->bytes ? caplen : info->bytes;
	memset(bytes, 0xa5, sizeof(bytes));
	memcpy(bytes, f, n);
	m.caplen = n;
	if (ebpf_run(code, info->cnt, &m, bytes, &r, why, why_len))
		return -1;
	*res = r != 0;
	return 0;
}

/*
 * The eBPF (code, info) and libpcap's classic program for expr (cprog,
 * n instructions) on one frame: 1 if the frame does not reach the
 * filter, or is the exception the man page lists (libpcap's protochain
 * reads a fragment header's reserved byte as a length; tcpinspect
 * rejects such a frame); else 0 with both answers, or -1 with why.
 * raw: the frame as a malformed packet (model_verdict), which any
 * frame may be: no exception.
 */
static int model_compare(const struct bpf_insn *code,
			 const struct flt_info *info,
			 const struct sock_filter *cprog, unsigned n,
			 const char *expr, const unsigned char *f,
			 unsigned caplen, unsigned len, int raw, int *got,
			 int *want, char *why, size_t why_len)
{
	struct ti_pkt m;

	if (!raw && model_parse(f, caplen, len, &m))
		return 1;
	if (!raw && strstr(expr, "protochain") && (m.chain & TI_CHAIN_ODD))
		return 1;
	*want = cbpf_run(cprog, n, f, len, caplen) != 0;
	return model_verdict(code, info, f, caplen, len, raw, got, why, why_len);
}

#endif
