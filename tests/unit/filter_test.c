// SPDX-License-Identifier: GPL-2.0
/*
 * filter_test.c - unit tests of filter.c, no privileges needed.
 *
 * The compiled code runs in a small interpreter of exactly the
 * instructions filter.c may emit, after a check of what the kernel
 * verifier will insist on: loads from r1 only and inside struct ti_pkt,
 * forward jumps inside the program, no unreachable instruction, no path
 * falling off the end, no register read before it is written, r0 set at
 * every exit, no comparison of the pointer.
 *
 * Cases: a table of expressions, each run on named packets with the
 * expected verdict (what tcpdump -r says of the same frame: see
 * --pcap); error cases with the message and the position; and random
 * expressions built from single primitives, whose compiled verdict must
 * equal the verdict computed from the primitives' own, with libpcap's
 * rule that a failed load rejects the whole filter.
 *
 * Output: "ok NAME" or "not ok NAME: why" per case; exit 1 on failure.
 *   filter_test -d EXPR      print the instructions EXPR compiles to
 *   filter_test --pcap DIR   write DIR/<packet>.pcap and DIR/cases.tsv
 *                            (expression, packet, verdict) for a check
 *                            against tcpdump -r
 *   filter_test --images     print "expression TAB struct ti_pkt in hex TAB
 *                            verdict" lines (the table, then random
 *                            expressions) to feed a BPF_PROG_TEST_RUN check
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include "filter.h"
#include "prog/tcpinspect.h"
#include "../wire.h"

#define MAXI		4096
#define WHY_LEN		8192

static int failed;

static void result(const char *name, const char *why)
{
	if (why && *why) {
		printf("not ok %s: %s\n", name, why);
		failed = 1;
	} else {
		printf("ok %s\n", name);
	}
}

static int bad(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- what the verifier will check ------------------------------------ */

static int is_val_reg(int r)
{
	return r == 0 || (r >= 2 && r <= 9);
}

static int cond_op(int op)
{
	return op == BPF_JEQ || op == BPF_JNE || op == BPF_JGT ||
	       op == BPF_JGE || op == BPF_JLT || op == BPF_JLE;
}

static int check(const struct bpf_insn *p, __u32 n, char *why)
{
	static __u16 init[MAXI];
	static __u8 reached[MAXI];
	__u32 i;

	if (n == 0 || n > MAXI)
		return bad(why, "%u instructions", n);
	memset(reached, 0, n);
	init[0] = 1 << BPF_REG_1;
	reached[0] = 1;
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &p[i];
		int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		int x = BPF_SRC(in->code) == BPF_X, edges[2], ne = 0, e;
		__u16 have = init[i], out;

		if (!reached[i])
			return bad(why, "insn %u unreachable", i);
		out = have;
		switch (cls) {
		case BPF_LDX: {
			int sz = BPF_SIZE(in->code) == BPF_B ? 1 :
				 BPF_SIZE(in->code) == BPF_H ? 2 :
				 BPF_SIZE(in->code) == BPF_W ? 4 : 0;

			if (BPF_MODE(in->code) != BPF_MEM || !sz || in->imm)
				return bad(why, "insn %u: bad load", i);
			if (in->src_reg != BPF_REG_1 || !is_val_reg(in->dst_reg))
				return bad(why, "insn %u: load r%d <- r%d", i,
					   in->dst_reg, in->src_reg);
			if (in->off < 0 || in->off + sz > (int)sizeof(struct ti_pkt))
				return bad(why, "insn %u: load at %d size %d "
					   "outside struct ti_pkt", i, in->off, sz);
			out |= 1 << in->dst_reg;
			edges[ne++] = i + 1;
			break;
		}
		case BPF_ALU:
			if (!is_val_reg(in->dst_reg) || in->off ||
			    (x && (!is_val_reg(in->src_reg) || in->imm)) ||
			    (!x && in->src_reg))
				return bad(why, "insn %u: bad ALU operands", i);
			if (op != BPF_MOV && !(have & 1 << in->dst_reg))
				return bad(why, "insn %u: r%d read uninitialised",
					   i, in->dst_reg);
			if (x && !(have & 1 << in->src_reg))
				return bad(why, "insn %u: r%d read uninitialised",
					   i, in->src_reg);
			switch (op) {
			case BPF_MOV: case BPF_ADD: case BPF_SUB: case BPF_MUL:
			case BPF_OR: case BPF_AND: case BPF_XOR:
				break;
			case BPF_NEG:
				if (x || in->imm)
					return bad(why, "insn %u: bad neg", i);
				break;
			case BPF_DIV: case BPF_MOD:
				if (!x && !in->imm)
					return bad(why, "insn %u: divides by 0", i);
				break;
			case BPF_LSH: case BPF_RSH:
				if (x || in->imm < 0 || in->imm > 31)
					return bad(why, "insn %u: bad shift", i);
				break;
			default:
				return bad(why, "insn %u: ALU op %#x", i, op);
			}
			out |= 1 << in->dst_reg;
			edges[ne++] = i + 1;
			break;
		case BPF_ALU64:
			if (op != BPF_MOV || x || in->dst_reg != BPF_REG_0 ||
			    in->src_reg || in->off)
				return bad(why, "insn %u: ALU64 %#x", i, in->code);
			out |= 1;
			edges[ne++] = i + 1;
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (cls == BPF_JMP && op == BPF_EXIT) {
				if (x || in->dst_reg || in->src_reg || in->off || in->imm)
					return bad(why, "insn %u: bad exit", i);
				if (!(have & 1))
					return bad(why, "insn %u: exit, r0 unset", i);
				break;
			}
			if (!cond_op(op))
				return bad(why, "insn %u: jump op %#x", i, op);
			if (!is_val_reg(in->dst_reg) || !(have & 1 << in->dst_reg))
				return bad(why, "insn %u: compares r%d", i,
					   in->dst_reg);
			if (x && (!is_val_reg(in->src_reg) || in->imm ||
				  !(have & 1 << in->src_reg)))
				return bad(why, "insn %u: compares with r%d", i,
					   in->src_reg);
			if (!x && in->src_reg)
				return bad(why, "insn %u: bad jump", i);
			if (in->off < 0)
				return bad(why, "insn %u: backward jump", i);
			if (i + 1 + in->off >= n)
				return bad(why, "insn %u: jumps out", i);
			edges[ne++] = i + 1 + in->off;
			edges[ne++] = i + 1;
			break;
		default:
			return bad(why, "insn %u: class %#x", i, cls);
		}
		for (e = 0; e < ne; e++) {
			if ((__u32)edges[e] >= n)
				return bad(why, "insn %u falls off the end", i);
			if (!reached[edges[e]]) {
				reached[edges[e]] = 1;
				init[edges[e]] = out;
			} else {
				init[edges[e]] &= out;
			}
		}
	}
	return 0;
}

/* Run on pkt: 0 with *res = r0 != 0, or -1 (only if check() passed) */
static int run(const struct bpf_insn *p, __u32 n, const struct ti_pkt *pkt,
	       int *res, char *why)
{
	const __u8 *mem = (const void *)pkt;
	__u64 r[11] = { 0 };
	__u32 pc = 0, steps;

	for (steps = 0; steps <= n && pc < n; steps++) {
		const struct bpf_insn *in = &p[pc++];
		int op = BPF_OP(in->code), x = BPF_SRC(in->code) == BPF_X;
		__u32 a, b, v8;
		__u16 v16;
		__u64 a64, b64;
		int take;

		switch (BPF_CLASS(in->code)) {
		case BPF_LDX:
			if (BPF_SIZE(in->code) == BPF_B) {
				r[in->dst_reg] = mem[in->off];
			} else if (BPF_SIZE(in->code) == BPF_H) {
				memcpy(&v16, mem + in->off, 2);
				r[in->dst_reg] = v16;
			} else {
				memcpy(&v8, mem + in->off, 4);
				r[in->dst_reg] = v8;
			}
			break;
		case BPF_ALU64:
			r[in->dst_reg] = (__s64)in->imm;
			break;
		case BPF_ALU:
			a = r[in->dst_reg];
			b = x ? (__u32)r[in->src_reg] : (__u32)in->imm;
			switch (op) {
			case BPF_MOV: a = b; break;
			case BPF_ADD: a += b; break;
			case BPF_SUB: a -= b; break;
			case BPF_MUL: a *= b; break;
			case BPF_OR: a |= b; break;
			case BPF_AND: a &= b; break;
			case BPF_XOR: a ^= b; break;
			case BPF_NEG: a = -a; break;
			case BPF_LSH: a <<= b; break;
			case BPF_RSH: a >>= b; break;
			case BPF_DIV:
			case BPF_MOD:
				if (!b)
					return bad(why, "insn %u: division by 0 "
						   "at run time", pc - 1);
				a = op == BPF_DIV ? a / b : a % b;
				break;
			}
			r[in->dst_reg] = a;
			break;
		default:	/* JMP, JMP32 */
			if (op == BPF_EXIT) {
				*res = r[0] != 0;
				return 0;
			}
			if (BPF_CLASS(in->code) == BPF_JMP32) {
				a64 = (__u32)r[in->dst_reg];
				b64 = x ? (__u32)r[in->src_reg] : (__u32)in->imm;
			} else {
				a64 = r[in->dst_reg];
				b64 = x ? r[in->src_reg] : (__u64)(__s64)in->imm;
			}
			take = op == BPF_JEQ ? a64 == b64 : op == BPF_JNE ? a64 != b64 :
			       op == BPF_JGT ? a64 > b64 : op == BPF_JGE ? a64 >= b64 :
			       op == BPF_JLT ? a64 < b64 : a64 <= b64;
			if (take)
				pc += in->off;
		}
	}
	return bad(why, "no exit after %u steps", steps);
}

/* ---- packets ----------------------------------------------------------- */

/*
 * As the XDP program describes them.  proto: the first header's protocol
 * (IPv6: 0 hop-by-hop, 44 fragment, then TCP); frag: a later fragment;
 * cut: the frame ends inside the TCP header, after the ports.
 */
struct pk {
	const char *name, *src, *dst;
	__u16 sport, dport;
	__u8 flags, proto, frag, cut, vcnt;
	__u16 vlan[2];
	__u32 len;
	__u8 fnh;		/* next header after a first fragment header */
};

static const struct pk pks[] = {
	{ "A", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 0, 0, { 0 }, 60, 0 },
	{ "B", "192.168.1.2", "10.0.0.1", 80, 1234, TI_TCP_SYN | TI_TCP_ACK, 6, 0, 0, 0, { 0 }, 60, 0 },
	{ "C", "172.16.5.4", "172.16.5.4", 443, 443, TI_TCP_ACK | TI_TCP_PSH, 6, 0, 0, 0, { 0 }, 1514, 0 },
	{ "Z", "10.0.0.1", "10.0.0.3", 0, 8080, 0, 6, 0, 0, 0, { 0 }, 54, 0 },
	{ "F", "10.0.0.1", "192.168.1.2", 0, 0, 0, 6, 1, 0, 0, { 0 }, 100, 0 },
	{ "N", "10.0.0.1", "192.168.1.2", 1234, 80, 0, 6, 0, 1, 0, { 0 }, 60, 0 },
	{ "S", "2001:db8::1", "2001:db8:1::2", 1234, 80, TI_TCP_SYN, 6, 0, 0, 0, { 0 }, 74, 0 },
	{ "T", "2001:db8:1::2", "2001:db8::1", 80, 1234, TI_TCP_SYN | TI_TCP_ACK, 6, 0, 0, 0, { 0 }, 74, 0 },
	{ "G", "2001:db8::1", "2001:db8:1::2", 0, 0, 0, 44, 0, 0, 0, { 0 }, 1294, 6 },
	{ "D", "2001:db8::1", "2001:db8:1::2", 0, 0, 0, 44, 0, 0, 0, { 0 }, 1294, 60 },
	{ "H", "fe80::1", "ff02::1", 1234, 80, TI_TCP_SYN, 0, 0, 0, 0, { 0 }, 90, 0 },
	{ "V", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 0, 1, { 100 }, 64, 0 },
	{ "Q", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 0, 2, { 100, 200 }, 68, 0 },
	{ "W", "2001:db8::1", "2001:db8:1::2", 1234, 80, TI_TCP_SYN, 6, 0, 0, 1, { 200 }, 78, 0 },
};
#define PK_CNT	(sizeof(pks) / sizeof(pks[0]))

static void to_pkt(const struct pk *k, struct ti_pkt *p)
{
	int v6 = strchr(k->src, ':') != NULL;

	memset(p, 0, sizeof(*p));
	inet_pton(v6 ? AF_INET6 : AF_INET, k->src, p->saddr);
	inet_pton(v6 ? AF_INET6 : AF_INET, k->dst, p->daddr);
	p->len = k->len;
	p->vlan_cnt = k->vcnt;
	p->vlan[0] = k->vlan[0];
	p->vlan[1] = k->vlan[1];
	p->family = v6 ? 6 : 4;
	p->proto = k->proto;
	/* as prog/xdp.c fills them */
	p->has_ports = !k->frag && k->proto == 6;
	if (p->has_ports) {
		p->sport = k->sport;
		p->dport = k->dport;
	}
	p->has_flags = !k->cut && (v6 ? k->proto == 6 : 1);
	p->tcp_flags = p->has_flags ? k->flags : 0;
	/* G: a fragment header first, TCP behind it; D: dest-opts behind */
	p->frag_nh = v6 && k->proto == 44 ? k->fnh : 0;
}

static const struct pk *pk_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < PK_CNT; i++)
		if (strlen(pks[i].name) == len && !memcmp(pks[i].name, name, len))
			return &pks[i];
	return NULL;
}

/* ---- cases ----------------------------------------------------------- */

/* expr, and "PACKET=VERDICT ..." */
static const struct tcase {
	const char *expr, *want;
} cases[] = {
	{ "", "A=1 S=1 F=1 V=1" },
	{ " \t ", "A=1 G=1" },
	/* host */
	{ "host 10.0.0.1", "A=1 B=1 C=0 F=1 N=1 S=0 V=0 Q=0" },
	{ "src host 10.0.0.1", "A=1 B=0" },
	{ "dst host 10.0.0.1", "A=0 B=1" },
	{ "src or dst host 10.0.0.1", "A=1 B=1 C=0" },
	{ "dst or src host 10.0.0.1", "A=1 B=1 C=0" },
	{ "src and dst host 172.16.5.4", "C=1 A=0" },
	{ "src and dst host 10.0.0.1", "A=0 B=0" },
	{ "ip host 10.0.0.1", "A=1 S=0" },
	{ "ip src 10.0.0.1", "A=1 B=0" },
	{ "host 192.168", "A=1 B=1 C=0" },
	{ "host 0x0a000001", "A=1 B=1 C=0" },
	{ "host 10", "A=0" },
	{ "host 2001:db8::1", "S=1 T=1 G=1 A=0 W=0" },
	{ "src host 2001:db8::1", "S=1 T=0" },
	{ "ip6 dst host 2001:db8::1", "S=0 T=1" },
	{ "host 2001:db8::1/128", "S=1" },
	{ "host ::ffff:10.0.0.1", "A=0 S=0" },
	/* net */
	{ "net 10.0.0.0/8", "A=1 B=1 C=0 S=0" },
	{ "net 10", "A=1 C=0" },
	{ "net 10.0.0.0 mask 255.0.0.0", "A=1 C=0" },
	{ "net 10.0 mask 255.0", "A=1 C=0" },
	{ "src net 192.168.0.0/16", "A=0 B=1" },
	{ "dst net 192.168.1.0/24", "A=1 B=0" },
	{ "net 172.16", "C=1 A=0" },
	{ "net 172.16.0.0/12", "C=1 A=0" },
	{ "net 172.32.0.0/12", "C=0" },
	{ "net 0.0.0.0/0", "A=1 C=1 F=1 S=0" },
	{ "net 10.0.0.1", "A=1 Z=1 C=0" },
	{ "net 2001:db8::/32", "S=1 T=1 H=0 A=0" },
	{ "src net 2001:db8:1::/48", "S=0 T=1" },
	{ "ip6 net 2001:db8::/48", "S=1 T=1" },
	{ "dst net 2001:db8::/48", "S=0 T=1" },
	{ "net 2001:db8:1::/49", "S=1" },
	{ "net ::/0", "S=1 H=1 A=0" },
	{ "net fe80::/10", "H=1 S=0" },
	{ "net ff00::/8", "H=1 S=0" },
	{ "net 2001:db8::", "S=0" },
	/* port, portrange */
	{ "port 80", "A=1 B=1 C=0 F=0 N=1 S=1 T=1 G=0 H=0 V=0" },
	{ "src port 80", "A=0 B=1" },
	{ "dst port 80", "A=1 B=0" },
	{ "tcp port 80", "A=1 S=1 F=0" },
	{ "tcp dst port 80", "A=1 B=0 S=1" },
	{ "tcp src or dst port 443", "C=1 A=0" },
	{ "src and dst port 443", "C=1 A=0" },
	{ "src and dst port 80", "A=0 B=0" },
	{ "port 80 or 443", "A=1 C=1 Z=0" },
	{ "port 80 or 443 or 8080", "A=1 C=1 Z=1" },
	{ "tcp port 0", "Z=1 A=0 F=0" },
	{ "portrange 80-90", "A=1 B=1 C=0 S=1 F=0" },
	{ "portrange 90-80", "A=1 C=0" },
	{ "portrange 81-90", "A=0" },
	{ "portrange 80", "A=1 C=0" },
	{ "src portrange 1000-2000", "A=1 B=0" },
	{ "dst portrange 1000-2000", "A=0 B=1" },
	{ "tcp portrange 443-443", "C=1" },
	{ "src and dst portrange 400-500", "C=1 A=0" },
	{ "portrange 1-100 or 8000-9000", "A=1 Z=1 C=0" },
	{ "port 010", "A=0" },
	{ "port 0x50", "A=1" },
	/* ip, ip6, tcp, proto */
	{ "ip", "A=1 F=1 S=0 V=0" },
	{ "ip6", "S=1 G=1 H=1 A=0 W=0" },
	{ "tcp", "A=1 F=1 N=1 S=1 G=1 H=0 V=0 W=0" },
	{ "ip proto 6", "A=1 F=1 S=0" },
	{ "ip proto \\tcp", "A=1 S=0" },
	{ "ip6 proto 6", "S=1 G=1 H=0 A=0" },
	{ "ip6 proto 44", "G=1 D=1 S=0" },
	{ "tcp", "G=1 D=0 S=1" },
	{ "ip6 proto 6", "G=1 D=0" },
	{ "not tcp", "G=0 D=1" },
	{ "tcp or ip6 proto 44", "D=1" },
	{ "ip6 proto 0", "H=1 S=0" },
	{ "proto 6", "A=1 S=1 G=1 H=0" },
	{ "ip proto 17", "A=0" },
	{ "ip proto 300", "A=0" },
	{ "proto 6 or 0", "H=1 A=1" },
	/* vlan */
	{ "vlan", "A=0 V=1 Q=1 W=1" },
	{ "vlan 100", "A=0 V=1 Q=1 W=0" },
	{ "vlan 200", "V=0 Q=0 W=1" },
	{ "vlan (100)", "V=1" },
	{ "vlan 0x64", "V=1" },
	{ "vlan 100 and host 10.0.0.1", "V=1 Q=0 A=0" },
	{ "vlan 100 and vlan 200", "Q=1 V=0" },
	{ "vlan and vlan 200 and tcp", "Q=1 V=0 W=0" },
	{ "vlan and vlan", "Q=1 V=0" },
	{ "vlan and vlan and port 80", "Q=1 V=0 A=0" },
	{ "vlan 200 and ip6", "W=1 S=0" },
	{ "vlan and ip6 host 2001:db8::1", "W=1 S=0" },
	{ "vlan 100 and port 80", "V=1 A=0 Q=0" },
	{ "vlan 100 and tcp[tcpflags] & tcp-syn != 0", "V=1 A=0" },
	{ "vlan and len >= 64", "V=1 Q=1 A=0" },
	{ "vlan or host 10.0.0.1", "A=0 V=1" },
	{ "vlan 300 or host 10.0.0.1", "A=0 V=1 Q=0" },
	{ "host 10.0.0.1 or vlan", "A=1 V=1 Q=1 S=0" },
	{ "(vlan 100 and ip) or ip", "A=0 V=1 Q=0" },
	{ "not vlan and host 10.0.0.1", "A=0 V=0" },
	{ "vlan and vlan and vlan", "Q=0 V=0" },
	{ "vlan and vlan and vlan 100", "Q=0" },
	{ "vlan and vlan and vlan and ip", "Q=0 A=0" },
	{ "not (vlan and vlan and vlan)", "Q=1 A=1" },
	/* tcp[] */
	{ "tcp[tcpflags] & tcp-syn != 0", "A=1 B=1 C=0 Z=0 F=0 S=0 V=0" },
	{ "tcp[13] & 2 != 0", "A=1 B=1 C=0" },
	{ "tcp[13] & 2 = 0", "A=0 C=1 F=0 S=0" },
	{ "tcp[tcpflags] == tcp-syn", "A=1 B=0" },
	{ "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack", "A=0 B=1" },
	{ "tcp[tcpflags] & tcp-syn|tcp-ack != 0", "A=1 C=1 Z=1 F=0 S=0" },
	{ "tcp[tcpflags] & (tcp-rst|tcp-fin) != 0", "A=0 B=0" },
	{ "tcp[13] & tcp-push != 0 and tcp[13] & tcp-ack != 0", "C=1 A=0" },
	{ "tcp[13] > 1", "A=1 Z=0" },
	{ "tcp[13] >= 2", "A=1 Z=0" },
	{ "tcp[13] < 2", "A=0 Z=1" },
	{ "tcp[13] <= 2", "A=1 Z=1 B=0" },
	{ "tcp[13] != 2", "A=0 B=1 S=0 F=0" },
	{ "tcp[13:1] = 18", "B=1 A=0" },
	{ "tcp[13] = tcp[13]", "A=1 Z=1 S=0" },
	{ "18 = tcp[13]", "B=1 A=0" },
	{ "not tcp[13] & 2 != 0", "A=0 C=1 F=1 S=1" },
	{ "tcp[0:2] = 1234", "A=1 B=0 S=0" },
	{ "tcp[2:2] = 80", "A=1 B=0" },
	{ "tcp[0] = 4", "A=1 B=0" },
	{ "tcp[1] = 210", "A=1" },
	{ "tcp[2] = 0", "A=1 Z=0" },
	{ "tcp[3] = 80", "A=1" },
	{ "tcp[0:4] = 0x04d20050", "A=1 B=0" },
	{ "tcp[1:2] = 0xd200", "A=1" },
	{ "tcp[0:2] + tcp[2:2] = 1314", "A=1 B=1 C=0" },
	{ "tcp[13] / tcp[13] = 1", "A=1 C=1 Z=0" },
	{ "not tcp[13] / tcp[13] = 1", "A=0 Z=0 F=1" },
	{ "tcp[13] % 2 = 0", "A=1 C=1" },
	{ "tcp[13] * 2 + 1 = 5", "A=1" },
	{ "-tcp[13] = 0xfffffffe", "A=1" },
	{ "tcp[13] ^ 3 = 1", "A=1 B=0" },
	/* a missing byte 13 rejects the whole filter, as in libpcap */
	{ "tcp[13] = 0", "N=0" },
	{ "not tcp[13] = 0", "N=0" },
	{ "host 10.0.0.1 or tcp[13] = 0", "N=1" },
	{ "tcp[13] = 0 or host 10.0.0.1", "N=0" },
	{ "port 80 and not tcp[13] & 2 != 0", "N=0 Z=0" },
	/* ... unless a constant decides: libpcap's optimizer drops the load */
	{ "tcp[13] = 0 or 1 = 1", "N=1 A=1" },
	{ "tcp[13] = 0 and 1 = 2", "N=0 A=0" },
	{ "not (tcp[13] = 0 and 1 = 2)", "N=1 A=1 S=1" },
	{ "1 = 1 or tcp[13] = 0", "N=1" },
	{ "not tcp[13] / tcp[13] = 1 and 1 = 1", "Z=0 A=0 F=1" },
	{ "tcp[0:2] = 1234", "N=1" },
	/* len, less, greater, arithmetic */
	{ "len >= 60", "A=1 Z=0 C=1" },
	{ "len > 60", "A=0 C=1" },
	{ "len == 60", "A=1 C=0" },
	{ "len = 60", "A=1" },
	{ "len != 60", "A=0 C=1" },
	{ "len < 61", "A=1 C=0" },
	{ "len <= 59", "A=0 Z=1" },
	{ "length >= 1514", "C=1 A=0" },
	{ "greater 60", "A=1 Z=0" },
	{ "greater 61", "A=0" },
	{ "less 60", "A=1 C=0" },
	{ "less 59", "A=0 Z=1" },
	{ "len - 14 = 46", "A=1" },
	{ "len % 7 + 1 = 4", "A=1" },
	{ "len * 2 = 120", "A=1" },
	{ "len / 7 = 8", "A=1" },
	{ "len & 0xf0 = 48", "A=1" },
	{ "len | 1 = 61", "A=1" },
	{ "len ^ 1 & 3 = 61", "A=1" },
	{ "len << 1 = 120", "A=1" },
	{ "len >> 2 = 15", "A=1" },
	{ "- len = 4294967236", "A=1" },
	{ "len - 4 - 4 = 52", "A=1" },
	{ "(len) > 59", "A=1" },
	{ "(len - 4) * 2 = 112", "A=1" },
	{ "len > 1 + 2 * 29", "A=1 Z=0 C=1" },
	{ "2 * 30 = len", "A=1" },
	{ "0 < len", "A=1" },
	{ "1 = 1", "A=1 S=1" },
	{ "1 = 2", "A=0 S=0" },
	{ "not 1 = 2", "A=1" },
	/* precedence: and and or are equal, left to right */
	{ "host 10.0.0.1 or host 172.16.5.4 and port 443", "A=0 B=0 C=1" },
	{ "port 443 and host 172.16.5.4 or host 10.0.0.1", "A=1 C=1 S=0" },
	{ "not host 10.0.0.1 and port 80", "A=0 S=1" },
	{ "not (host 10.0.0.1 and port 80)", "A=0 B=0 C=1" },
	{ "! host 10.0.0.1 || port 443", "A=0 C=1" },
	{ "host 10.0.0.1 && port 80", "A=1 B=1 Z=0 C=0" },
	{ "host 10.0.0.1 and port 80 or port 443", "A=1 B=1 C=1 Z=0" },
	{ "port 80 and (host 10.0.0.1 or port 443)", "A=1 B=1 C=0" },
	{ "not not host 10.0.0.1", "A=1 C=0" },
	{ "host 10.0.0.1 or 172.16.5.4", "A=1 C=1 S=0" },
	{ "host 10.0.0.1 and not 192.168.1.2", "A=0 Z=1" },
	{ "host 10.0.0.1 and (192.168.1.2 or 172.16.5.4)", "A=1 Z=0" },
	{ "src host 10.0.0.1 or 192.168.1.2", "A=1 B=1 C=0" },
	{ "host 10.0.0.1 or 2001:db8::1", "A=1 S=1 C=0" },
	{ "net 10 or 172.16", "A=1 C=1" },
	{ "port 80 or (host 10.0.0.1) or 443", "C=1 Z=1" },
	{ "(port 80 or port 443) and not src host 10.0.0.1", "A=0 B=1 C=1" },
	{ "((host 10.0.0.1))", "A=1 C=0" },
	{ "ip and not tcp", "A=0" },
	{ "ip or ip6", "A=1 S=1" },
	{ "tcp and (port 80 or 443) and len > 0", "A=1 C=1 Z=0" },
};

struct ecase {
	const char *expr;
	int rc;
	__u32 pos;		/* in "at N:" */
	const char *msg;	/* a substring of err */
	int tcpdump_ok;		/* tcpdump accepts it (we do not filter that) */
};

static const struct ecase errs[] = {
	{ "udp", -EINVAL, 1, "sees only TCP", 1 },
	{ "host 10.0.0.1 and icmp", -EINVAL, 19, "sees only TCP", 1 },
	{ "udp port 53", -EINVAL, 1, "sees only TCP", 1 },
	{ "arp", -EINVAL, 1, "sees only TCP", 1 },
	{ "ether host 1:2:3:4:5:6", -EINVAL, 1, "sees only TCP", 1 },
	{ "broadcast", -EINVAL, 1, "not supported", 1 },
	{ "port 80 and gateway 1.2.3.4", -EINVAL, 13, "not supported", 0 },
	{ "port http", -EINVAL, 6, "port names", 1 },
	{ "host example.com", -EINVAL, 6, "not resolved", 0 },
	{ "net loopback", -EINVAL, 5, "not resolved", 1 },
	{ "host", -EINVAL, 5, "end of expression", 0 },
	{ "host 10.0.0.1 and", -EINVAL, 18, "end of expression", 0 },
	{ "(host 10.0.0.1", -EINVAL, 15, "expected ')'", 0 },
	{ "host 10.0.0.1)", -EINVAL, 14, "unbalanced", 0 },
	{ "host 10.0.0.1 10.0.0.2", -EINVAL, 15, "syntax error", 0 },
	{ "host 1.2.3.400", -EINVAL, 6, "invalid IPv4", 0 },
	{ "host aa:bb:cc:dd:ee:ff", -EINVAL, 6, "link-layer", 0 },
	{ "port 99999", -EINVAL, 6, "65535", 0 },
	{ "portrange 1-70000", -EINVAL, 11, "65535", 0 },
	{ "portrange http-https", -EINVAL, 11, "port names", 1 },
	{ "host 10.0.0.1 @", -EINVAL, 15, "unexpected character", 0 },
	{ "port 08", -EINVAL, 6, "non-octal", 0 },
	{ "port 4294967296", -EINVAL, 6, "overflows", 0 },
	{ "vlan 4096", -EINVAL, 6, "4095", 0 },
	{ "src proto 6", -EINVAL, 5, "syntax error", 0 },
	{ "ip6 host 10.0.0.1", -EINVAL, 10, "'ip6'", 0 },
	{ "ip host ::1", -EINVAL, 9, "'ip'", 0 },
	{ "tcp host 10.0.0.1", -EINVAL, 10, "'tcp'", 0 },
	{ "tcp proto 6", -EINVAL, 11, "bogus", 0 },
	{ "ip port 80", -EINVAL, 9, "illegal qualifier", 0 },
	{ "ip6 portrange 1-2", -EINVAL, 15, "illegal qualifier", 0 },
	{ "port 1.2.3.4", -EINVAL, 6, "'port'", 0 },
	{ "10.0.0.1", -EINVAL, 1, "qualifier", 0 },
	{ "tcp or 80", -EINVAL, 8, "syntax error", 0 },
	{ "vlan 100 or 200", -EINVAL, 13, "syntax error", 0 },
	{ "(host 10.0.0.1) or 10.0.0.2", -EINVAL, 20, "syntax error", 0 },
	{ "less (60)", -EINVAL, 6, "expected a number", 0 },
	{ "net 10.0.0.1/8", -EINVAL, 5, "non-network bits", 0 },
	{ "net 10.0.0.0/33", -EINVAL, 5, "<= 32", 0 },
	{ "net 10.1.0.0 mask 255.0.0.0", -EINVAL, 5, "non-network bits", 0 },
	{ "host 10.0.0.0/8", -EINVAL, 6, "networks only", 0 },
	{ "net 2001:db8::1/32", -EINVAL, 5, "non-network bits", 0 },
	{ "net 2001:db8::/129", -EINVAL, 5, "<= 128", 0 },
	{ "host 2001:db8::/64", -EINVAL, 6, "networks only", 0 },
	{ "port 2001:db8::1", -EINVAL, 6, "invalid qualifier", 0 },
	{ "len >> tcp[13] = 3", -EINVAL, 5, "shift by a value", 1 },
	{ "len + tcp[13] = 3", -EINVAL, 7, "tcp[...] first", 1 },
	{ "2 & tcp[13] != 0", -EINVAL, 5, "tcp[...] first", 1 },
	{ "len / 0 = 1", -EINVAL, 5, "division by zero", 0 },
	{ "len % (2 - 2) = 1", -EINVAL, 5, "modulus by zero", 0 },
	{ "len << 32 = 0", -EINVAL, 5, "31 bits", 0 },
	{ "ip[0] = 0x45", -EINVAL, 1, "only tcp[...]", 1 },
	{ "tcp[12] = 0x50", -EINVAL, 1, "not available", 1 },
	{ "tcp[13:2] = 0", -EINVAL, 1, "not available", 1 },
	{ "tcp[13:3] = 0", -EINVAL, 8, "1, 2, or 4", 0 },
	{ "net 10 mask 255", -EINVAL, 8, "syntax error", 0 },
	{ "tcp[len] = 0", -EINVAL, 5, "constant offset", 1 },
	{ "len", -EINVAL, 4, "comparison", 0 },
	{ "len-4 > 0", -EINVAL, 1, "qualifier", 0 },
	{ "host 10.0.0.1 and not", -EINVAL, 22, "end of expression", 0 },
};

/* ---- running cases ---------------------------------------------------- */

static struct bpf_insn prog[FLT_MAX_INSNS];

static int compile(const char *expr, __u32 *n, char *why)
{
	char err[256];
	int rc = flt_compile(expr, prog, MAXI, n, err, sizeof(err));

	if (rc)
		return bad(why, "rc %d: %s", rc, err);
	return check(prog, *n, why);
}

static int verdict(__u32 n, const struct pk *k, int *res, char *why)
{
	struct ti_pkt p;

	to_pkt(k, &p);
	return run(prog, n, &p, res, why);
}

static void table_case(const struct tcase *t)
{
	char why[WHY_LEN] = "", name[256];
	const char *w = t->want;
	__u32 n;

	snprintf(name, sizeof(name), "'%s' %s", t->expr, t->want);
	if (compile(t->expr, &n, why))
		goto out;
	while (*w) {
		size_t l = strcspn(w, "=");
		const struct pk *k = pk_find(w, l);
		int want = w[l + 1] - '0', got;

		if (!k) {
			bad(why, "no packet %.*s", (int)l, w);
			break;
		}
		if (verdict(n, k, &got, why))
			break;
		if (got != want) {
			bad(why, "packet %s: %d, want %d", k->name, got, want);
			break;
		}
		w += l + 2;
		while (*w == ' ')
			w++;
	}
out:
	result(name, why);
}

static void error_case(const struct ecase *e)
{
	char err[256], why[WHY_LEN] = "", name[256], at[32];
	__u32 n = 12345;
	int rc;

	snprintf(name, sizeof(name), "error '%s'", e->expr);
	memset(err, 'x', sizeof(err));
	rc = flt_compile(e->expr, prog, MAXI, &n, err, sizeof(err));
	snprintf(at, sizeof(at), " at %u: ", e->pos);
	if (rc != e->rc)
		bad(why, "rc %d, want %d (%s)", rc, e->rc, rc ? err : "");
	else if (strncmp(err, "filter: ", 8) || !strstr(err, at) ||
		 !strstr(err, e->msg))
		bad(why, "message \"%s\", want \"%s\" and \"%s\"", err, at, e->msg);
	else if (strchr(err, '\n'))
		bad(why, "message has a newline");
	else if (n != 12345)
		bad(why, "*cnt written on failure");
	result(name, why);
}

/* Limits: -E2BIG, a short error buffer, NULL expression. */
static void limit_cases(void)
{
	char err[256], why[WHY_LEN] = "", tiny[8];
	static char big[64 * 1024];
	__u32 n, i, len = 0;
	int rc;

	rc = flt_compile("host 10.0.0.1", prog, 5, &n, err, sizeof(err));
	if (rc != -E2BIG || !strstr(err, "more than 5 instructions"))
		bad(why, "rc %d err %s", rc, err);
	result("E2BIG: host with room for 5", why);

	why[0] = 0;
	rc = flt_compile("", prog, 1, &n, err, sizeof(err));
	if (rc != -E2BIG)
		bad(why, "rc %d", rc);
	result("E2BIG: empty with room for 1", why);

	why[0] = 0;
	rc = flt_compile("", prog, 2, &n, err, sizeof(err));
	if (rc || n != 2 || check(prog, n, why))
		bad(why, "rc %d n %u", rc, n);
	result("empty with room for 2", why);

	why[0] = 0;
	rc = flt_compile(NULL, prog, MAXI, &n, err, sizeof(err));
	if (rc || n != 2)
		bad(why, "rc %d n %u", rc, n);
	result("NULL expression accepts all", why);

	why[0] = 0;
	rc = flt_compile("udp", prog, MAXI, &n, tiny, sizeof(tiny));
	if (rc != -EINVAL || strlen(tiny) != sizeof(tiny) - 1)
		bad(why, "rc %d '%s'", rc, tiny);
	rc = flt_compile("udp", prog, MAXI, &n, NULL, 0);
	if (rc != -EINVAL)
		bad(why, "NULL err: rc %d", rc);
	result("short and missing error buffers", why);

	/* many hosts: past MAXI, then fine with room */
	why[0] = 0;
	len = snprintf(big, sizeof(big), "host 10.0.0.1");
	for (i = 0; i < 1000; i++)
		len += snprintf(big + len, sizeof(big) - len, " or 10.%u.%u.1",
				i / 256, i % 256);
	rc = flt_compile(big, prog, MAXI, &n, err, sizeof(err));
	if (rc != -E2BIG)
		bad(why, "rc %d n %u", rc, n);
	result("E2BIG: 1001 hosts in 4096", why);

	why[0] = 0;
	len = snprintf(big, sizeof(big), "port 1");
	for (i = 2; i < 300; i++)
		len += snprintf(big + len, sizeof(big) - len, " or %u", i);
	if (compile(big, &n, why) == 0) {
		struct ti_pkt p;
		int got;

		to_pkt(&pks[0], &p);
		p.dport = 299;
		if (run(prog, n, &p, &got, why) == 0 && !got)
			bad(why, "port 299 not matched");
		p.dport = 300;
		p.sport = 300;
		if (!why[0] && run(prog, n, &p, &got, why) == 0 && got)
			bad(why, "port 300 matched");
	}
	result("port 1 or 2 or ... 299", why);

	/* nesting: bounded, not a stack overflow */
	why[0] = 0;
	for (len = 0, i = 0; i < 5000; i++)
		big[len++] = '(';
	len += snprintf(big + len, sizeof(big) - len, "port 80");
	for (i = 0; i < 5000; i++)
		big[len++] = ')';
	big[len] = 0;
	rc = flt_compile(big, prog, MAXI, &n, err, sizeof(err));
	if (rc != -EINVAL || !strstr(err, "nested"))
		bad(why, "rc %d %s", rc, err);
	for (len = 0, i = 0; i < 5000; i++)
		len += snprintf(big + len, sizeof(big) - len, "not ");
	snprintf(big + len, sizeof(big) - len, "tcp");
	rc = flt_compile(big, prog, MAXI, &n, err, sizeof(err));
	if (rc != -EINVAL || !strstr(err, "nested"))
		bad(why, "not: rc %d %s", rc, err);
	memset(big, '-', 5000);
	snprintf(big + 5000, sizeof(big) - 5000, "len = 1");
	rc = flt_compile(big, prog, MAXI, &n, err, sizeof(err));
	if (rc != -EINVAL || !strstr(err, "nested"))
		bad(why, "minus: rc %d %s", rc, err);
	for (len = 0, i = 0; i < 150; i++)
		big[len++] = '(';
	len += snprintf(big + len, sizeof(big) - len, "port 80");
	for (i = 0; i < 150; i++)
		big[len++] = ')';
	big[len] = 0;
	if (!why[0] && compile(big, &n, why) == 0 && n != 12)
		bad(why, "150 parentheses: %u instructions", n);
	result("deep nesting: an error past 200, fine at 150", why);

	/* a long expression inside one pair of parentheses: linear time */
	why[0] = 0;
	len = snprintf(big, sizeof(big), "(port 1");
	for (i = 2; i < 6000; i++)
		len += snprintf(big + len, sizeof(big) - len, " or %u", i);
	snprintf(big + len, sizeof(big) - len, ")");
	rc = flt_compile(big, prog, FLT_MAX_INSNS, &n, err, sizeof(err));
	if (rc != -E2BIG)
		bad(why, "rc %d", rc);
	result("6000 ports in parentheses: E2BIG past 32767 instructions", why);
}

/* ---- random expressions against the model ------------------------------ */

/* Primitives the random expressions are made of; no vlan (depth). */
static const char *const atoms[] = {
	"host 10.0.0.1", "src host 192.168.1.2", "dst net 192.168.0.0/16",
	"net 172.16", "host 2001:db8::1", "src net 2001:db8:1::/48", "port 80",
	"src port 1234", "dst portrange 400-500", "portrange 0-100", "ip",
	"ip6", "tcp", "ip6 proto 0", "tcp[13] & 2 != 0", "tcp[13] = 0",
	"tcp[13] & tcp-ack = 0", "len > 60", "less 60", "greater 1000",
	"1 = 1", "1 = 2", "tcp[13] / tcp[13] = 1", "net 0.0.0.0/0",
	"len - 60 = 0", "tcp[0:2] > 1000",
};
#define ATOM_CNT	(sizeof(atoms) / sizeof(atoms[0]))

enum { V0, V1, ABORT };		/* a verdict, or the filter rejects all */
static int atom_v[ATOM_CNT][PK_CNT];

/*
 * A model value: verdicts per packet, or a constant.  Constants fold
 * as in filter.c and in libpcap's optimizer, even next to an ABORT.
 */
struct mv {
	int k;			/* -1, or the constant */
	int v[PK_CNT];
};

static int is_const_atom(unsigned a)
{
	return !strcmp(atoms[a], "1 = 1") || !strcmp(atoms[a], "1 = 2");
}

static void m_atom(struct mv *m, unsigned a, int neg)
{
	size_t i;

	for (i = 0; i < PK_CNT; i++)
		m->v[i] = neg ? (atom_v[a][i] == ABORT ? ABORT : !atom_v[a][i]) :
			  atom_v[a][i];
	m->k = is_const_atom(a) ? m->v[0] : -1;
}

static void m_not(struct mv *m)
{
	size_t i;

	for (i = 0; i < PK_CNT; i++)
		m->v[i] = m->v[i] == ABORT ? ABORT : !m->v[i];
	if (m->k >= 0)
		m->k = !m->k;
}

/* a = a and b (and = 1) or a or b */
static void m_bin(struct mv *a, const struct mv *b, int and)
{
	size_t i;
	int k = -1;

	if (a->k == !and || b->k == !and)
		k = !and;
	else if (a->k == and)
		k = b->k;
	else if (b->k == and)
		k = a->k;
	for (i = 0; i < PK_CNT; i++) {
		if (k >= 0)
			a->v[i] = k;
		else if (a->k == and)
			a->v[i] = b->v[i];
		else if (b->k != and && a->v[i] != ABORT && a->v[i] == and)
			a->v[i] = b->v[i];
	}
	a->k = k;
}

static unsigned long rnd_state = 1;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (rnd_state >> 33) % n;
}

/* A single primitive's verdict: the compiled "not X" tells an abort. */
static int model_atoms(char *why)
{
	char expr[128];
	__u32 a, i, n;
	int yes, no;

	for (a = 0; a < ATOM_CNT; a++) {
		for (i = 0; i < PK_CNT; i++) {
			if (compile(atoms[a], &n, why) || verdict(n, &pks[i], &yes, why))
				return -1;
			snprintf(expr, sizeof(expr), "not %s", atoms[a]);
			if (compile(expr, &n, why) || verdict(n, &pks[i], &no, why))
				return -1;
			if (yes && no)
				return bad(why, "%s and its negation on %s",
					   atoms[a], pks[i].name);
			atom_v[a][i] = yes ? V1 : no ? V0 : ABORT;
		}
	}
	return 0;
}

/* a random expression in buf, and its model */
static void gen_tree(char *buf, size_t len, int depth, struct mv *m)
{
	size_t l;

	if (depth == 0 || rnd(4) == 0) {
		unsigned a = rnd(ATOM_CNT);

		snprintf(buf, len, "%s", atoms[a]);
		m_atom(m, a, 0);
	} else if (rnd(5) == 0) {
		snprintf(buf, len, "not (");
		l = strlen(buf);
		gen_tree(buf + l, len - l, depth - 1, m);
		strncat(buf, ")", len - strlen(buf) - 1);
		m_not(m);
	} else {
		struct mv w;
		int and = rnd(2);

		snprintf(buf, len, "(");
		l = strlen(buf);
		gen_tree(buf + l, len - l, depth - 1, m);
		strncat(buf, and ? ") and (" : ") or (", len - strlen(buf) - 1);
		l = strlen(buf);
		gen_tree(buf + l, len - l, depth - 1, &w);
		strncat(buf, ")", len - strlen(buf) - 1);
		m_bin(m, &w, and);
	}
}

/* a flat chain "[not] a and|or [not] b ...": left to right */
static void gen_chain(char *buf, size_t len, struct mv *m)
{
	int cnt = 2 + rnd(5), k;
	struct mv w;

	buf[0] = 0;
	for (k = 0; k < cnt; k++) {
		unsigned a = rnd(ATOM_CNT), neg = rnd(3) == 0, and = rnd(2);
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "%s%s%s", k ? (and ? " and " : " or ") : "",
			 neg ? "not " : "", atoms[a]);
		m_atom(k ? &w : m, a, neg);
		if (k)
			m_bin(m, &w, and);
	}
}

static void random_cases(void)
{
	char why[WHY_LEN] = "", expr[4096];
	int got, trees, chains;
	struct mv m;
	__u32 n, i;

	if (model_atoms(why)) {
		result("random: primitives alone", why);
		return;
	}
	result("random: primitives alone", why);
	for (trees = 0; trees < 3000 && !why[0]; trees++) {
		gen_tree(expr, sizeof(expr), 1 + rnd(5), &m);
		if (compile(expr, &n, why))
			break;
		for (i = 0; i < PK_CNT && !why[0]; i++) {
			if (verdict(n, &pks[i], &got, why))
				break;
			if (got != (m.v[i] == V1))
				bad(why, "packet %s: %d, model %d", pks[i].name,
				    got, m.v[i]);
		}
	}
	if (why[0]) {
		size_t l = strlen(why);

		snprintf(why + l, WHY_LEN - l, " in '%s'", expr);
	}
	result("random: 3000 nested and/or/not expressions", why);

	for (chains = 0; chains < 3000 && !why[0]; chains++) {
		gen_chain(expr, sizeof(expr), &m);
		if (compile(expr, &n, why))
			break;
		for (i = 0; i < PK_CNT && !why[0]; i++) {
			if (verdict(n, &pks[i], &got, why))
				break;
			if (got != (m.v[i] == V1))
				bad(why, "packet %s: %d, model %d", pks[i].name,
				    got, m.v[i]);
		}
	}
	if (why[0]) {
		size_t l = strlen(why);

		snprintf(why + l, WHY_LEN - l, " in '%s'", expr);
	}
	result("random: 3000 and/or chains, left to right", why);
}

/* Garbage and truncated expressions: an error or code that checks. */
static void garbage_cases(void)
{
	static const char alphabet[] = "0123456789abcdefx.:/-()[]!&|<>=%^*+ \\"
		"hostnetportrangevlanlenipip6tcpsrcdstandornotmask";
	static const char *const words[] = {
		"host ", "net ", "port ", "portrange ", "src ", "dst ", "and ",
		"or ", "not ", "( ", ") ", "vlan ", "tcp ", "ip ", "ip6 ", "proto ",
		"10.0.0.1 ", "2001:db8::1 ", "80 ", "1-2 ", "/8 ", "mask ",
		"255.0.0.0 ", "tcp[13] ", "& ", "!= ", "= ", "len ", "less ",
		"greater ", "tcpflags ", "tcp-syn ", "| ", "- ", "0 ", "[ ", "] ",
	};
	char why[WHY_LEN] = "", expr[256], err[256];
	__u32 n, it, k;
	int rc, ok = 0;

	for (it = 0; it < 20000 && !why[0]; it++) {
		size_t l = 0;
		unsigned cnt = rnd(12);

		expr[0] = 0;
		for (k = 0; k < cnt && l < 200; k++) {
			if (rnd(3)) {
				l += snprintf(expr + l, sizeof(expr) - l, "%s",
					      words[rnd(sizeof(words) / sizeof(words[0]))]);
			} else {
				expr[l++] = alphabet[rnd(sizeof(alphabet) - 1)];
				expr[l] = 0;
			}
		}
		rc = flt_compile(expr, prog, MAXI, &n, err, sizeof(err));
		if (rc == 0) {
			ok++;
			check(prog, n, why);
		} else if (rc != -EINVAL && rc != -E2BIG) {
			bad(why, "rc %d", rc);
		} else if (strncmp(err, "filter: ", 8) || !strstr(err, " at ")) {
			bad(why, "message '%s'", err);
		}
	}
	if (why[0]) {
		size_t l = strlen(why);

		snprintf(why + l, WHY_LEN - l, " in '%s'", expr);
	}
	result("garbage: 20000 random expressions", why);
	if (ok < 100)
		printf("# garbage: only %d compiled\n", ok);
}

/* ---- tools ------------------------------------------------------------- */

static void disasm(const char *expr)
{
	static const char *const alu[] = { "add", "sub", "mul", "div", "or",
		"and", "lsh", "rsh", "neg", "mod", "xor", "mov" };
	static const char *const jmp[] = { "ja", "jeq", "jgt", "jge", "jset",
		"jne", "jsgt", "jsge", "call", "exit", "jlt", "jle" };
	char err[256];
	__u32 n, i;
	int rc = flt_compile(expr, prog, MAXI, &n, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	printf("# %u instructions\n", n);
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &prog[i];
		int op = BPF_OP(in->code) >> 4, x = BPF_SRC(in->code) == BPF_X;

		printf("%4u: ", i);
		switch (BPF_CLASS(in->code)) {
		case BPF_LDX:
			printf("r%d = *(u%d *)(r1 + %d)\n", in->dst_reg,
			       BPF_SIZE(in->code) == BPF_B ? 8 :
			       BPF_SIZE(in->code) == BPF_H ? 16 : 32, in->off);
			break;
		case BPF_ALU:
		case BPF_ALU64:
			if (x)
				printf("%s%s r%d, r%d\n", alu[op],
				       BPF_CLASS(in->code) == BPF_ALU ? "32" : "",
				       in->dst_reg, in->src_reg);
			else
				printf("%s%s r%d, %#x\n", alu[op],
				       BPF_CLASS(in->code) == BPF_ALU ? "32" : "",
				       in->dst_reg, (__u32)in->imm);
			break;
		default:
			if (op == BPF_EXIT >> 4)
				printf("exit\n");
			else if (x)
				printf("%s%s r%d, r%d, +%d -> %u\n", jmp[op],
				       BPF_CLASS(in->code) == BPF_JMP32 ? "32" : "",
				       in->dst_reg, in->src_reg, in->off,
				       i + 1 + in->off);
			else
				printf("%s%s r%d, %#x, +%d -> %u\n", jmp[op],
				       BPF_CLASS(in->code) == BPF_JMP32 ? "32" : "",
				       in->dst_reg, (__u32)in->imm, in->off,
				       i + 1 + in->off);
		}
	}
}

/* The frame a packet stands for; returns its captured length. */
static size_t frame(const struct pk *k, __u8 *f, __u32 *orig)
{
	int v6 = strchr(k->src, ':') != NULL, i;
	size_t l2 = 12, l3, l4, end;

	memset(f, 0, 2048);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (i = 0; i < k->vcnt; i++, l2 += 4) {
		put16(f + l2, i ? 0x8100 : (k->vcnt == 2 ? 0x88a8 : 0x8100));
		put16(f + l2 + 2, k->vlan[i]);
	}
	put16(f + l2, v6 ? 0x86dd : 0x0800);
	l3 = l2 + 2;
	if (!v6) {
		f[l3] = 0x45;
		put16(f + l3 + 2, k->len - l3);
		put16(f + l3 + 4, 0x1234);
		put16(f + l3 + 6, k->frag ? 185 : 0);	/* offset 1480 */
		f[l3 + 8] = 64;
		f[l3 + 9] = k->proto;
		inet_pton(AF_INET, k->src, f + l3 + 12);
		inet_pton(AF_INET, k->dst, f + l3 + 16);
		l4 = l3 + 20;
	} else {
		f[l3] = 0x60;
		put16(f + l3 + 4, k->len - l3 - 40);
		f[l3 + 6] = k->proto;
		f[l3 + 7] = 64;
		inet_pton(AF_INET6, k->src, f + l3 + 8);
		inet_pton(AF_INET6, k->dst, f + l3 + 24);
		l4 = l3 + 40;
		if (k->proto == 44) {		/* fragment header, then TCP */
			f[l4] = 6;
			f[l4 + 3] = 1;		/* offset 0, more fragments */
			l4 += 8;
		} else if (k->proto == 0) {	/* hop-by-hop with a PadN */
			f[l4] = 6;
			f[l4 + 2] = 1;
			f[l4 + 3] = 4;
			l4 += 8;
		}
	}
	put16(f + l4, k->sport);
	put16(f + l4 + 2, k->dport);
	f[l4 + 12] = 0x50;
	f[l4 + 13] = k->flags;
	put16(f + l4 + 14, 512);
	*orig = k->len;
	end = k->cut ? l4 + 13 : k->len;
	return end;
}

static int write_pcaps(const char *dir)
{
	static const __u32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	__u8 f[2048];
	char path[512];
	size_t i, j;
	FILE *fp;

	for (i = 0; i < PK_CNT; i++) {
		__u32 rec[4] = { 1, 0, 0, 0 };

		rec[2] = frame(&pks[i], f, &rec[3]);
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, pks[i].name);
		fp = fopen(path, "wb");
		if (!fp)
			return perror(path), 1;
		fwrite(hdr, sizeof(hdr), 1, fp);
		fwrite(rec, sizeof(rec), 1, fp);
		fwrite(f, rec[2], 1, fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/cases.tsv", dir);
	fp = fopen(path, "w");
	if (!fp)
		return perror(path), 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].want;

		while (*w) {
			size_t l = strcspn(w, "=");

			fprintf(fp, "%s\t%.*s\t%c\n", cases[i].expr, (int)l, w,
				w[l + 1]);
			w += l + 2;
			while (*w == ' ')
				w++;
		}
	}
	for (j = 0; j < sizeof(errs) / sizeof(errs[0]); j++)
		fprintf(fp, "%s\t-\t%s\n", errs[j].expr,
			errs[j].tcpdump_ok ? "accepted" : "error");
	fclose(fp);
	return 0;
}

static void image(const char *expr, const struct pk *k, int want)
{
	struct ti_pkt p;
	size_t i;

	to_pkt(k, &p);
	printf("%s\t", expr);
	for (i = 0; i < sizeof(p); i++)
		printf("%02x", ((__u8 *)&p)[i]);
	printf("\t%d\n", want);
}

static void images(void)
{
	char why[WHY_LEN] = "", expr[4096];
	struct mv m;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].want;

		while (*w) {
			size_t l = strcspn(w, "=");

			image(cases[i].expr, pk_find(w, l), w[l + 1] - '0');
			w += l + 2;
			while (*w == ' ')
				w++;
		}
	}
	if (model_atoms(why))
		return;
	for (i = 0; i < 500; i++) {
		gen_tree(expr, sizeof(expr), 1 + rnd(5), &m);
		for (j = 0; j < PK_CNT; j++)
			image(expr, &pks[j], m.v[j] == V1);
	}
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "--images")) {
		images();
		return 0;
	}

	if (argc == 3 && !strcmp(argv[1], "-d")) {
		disasm(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--pcap"))
		return write_pcaps(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		table_case(&cases[i]);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		error_case(&errs[i]);
	limit_cases();
	random_cases();
	garbage_cases();
	return failed;
}
