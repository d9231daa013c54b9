// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - tcpdump filter expressions compiled to eBPF (see filter.h).
 *
 * The grammar is libpcap's (grammar.y, libpcap 1.10), restricted to what
 * struct ti_pkt can answer:
 *
 *   expr  := term { ("and"|"&&"|"or"|"||") (term | id) }  equal precedence,
 *                                                          left to right
 *   term  := ("not"|"!") term | "(" expr ")" | head id | "ip" | "ip6" | "tcp"
 *          | arth relop arth | "less" NUM | "greater" NUM | "vlan" [NUM]
 *   head  := [ip|ip6|tcp] [src|dst|src or dst|src and dst] [host|net|port|portrange]
 *          | [ip|ip6] proto
 *   id    := NUM | a.b.c.d | a.b.c.d/len | a.b.c.d mask m.m.m.m | ipv6[/len]
 *          | A-B (portrange) | \name (proto) | "not" id | "(" id {and|or id} ")"
 *   arth  := NUM | len | tcp[OFF[:SIZE]] | arth op arth | -arth | (arth)
 *            op: | & << >> + - * / % ^ (libpcap's precedence, quirks included)
 *   relop := > >= = == < <= !=
 *
 * A bare id after and/or repeats the qualifiers of the term before it,
 * as in libpcap ("host a or b", "tcp port 80 or 443"; after a term in
 * parentheses, the qualifiers in force before it: "(host a) or b" is a
 * syntax error there too).  Numbers are decimal, 0x hex or 0 octal;
 * tcpflags and tcp-fin..tcp-cwr are numbers.
 *
 * Semantics are libpcap's on the frames tcpinspect's XDP program hands
 * to the filter (TCP over IPv4 or IPv6, first fragments and later ones):
 *
 * - Every "vlan" moves the primitives parsed after it one tag deeper,
 *   whatever the and/or/not around them (libpcap's offset shift).  An IP
 *   primitive at depth d requires vlan_cnt == d; "vlan [ID]" at depth d
 *   requires vlan_cnt > d (and vlan[d] == ID).  "len" is not shifted.
 * - host/net: the address family of the address; port/portrange: TCP
 *   directly behind the IP header, and for IPv4 fragment offset 0
 *   (has_ports); "tcp" and "proto N": the first header's protocol.
 * - tcp[...]: libpcap checks IPv4, protocol 6 and fragment offset 0
 *   before it loads (gen_load + gen_ipfrag), so IPv6 never matches and
 *   neither does a later fragment.  Byte 13 missing from the frame
 *   (has_flags 0) makes the whole filter reject, as libpcap's load out
 *   of bounds does; so does a division by a runtime 0.
 *
 * Where tcpdump's answer cannot be reproduced from struct ti_pkt:
 *
 * 1. libpcap reads whatever lies at the shifted offsets: a frame whose
 *    tag count differs from a primitive's depth can match by accident
 *    there (e.g. "vlan or host X" on an untagged frame reads IP bytes
 *    as an EtherType).  Here it never matches.  libpcap also counts the
 *    0x9100 TPID as a tag; the XDP program does not parse such frames.
 * 2. (Exact now: "tcp", "proto 6" and "ip6 proto 6" also match an IPv6
 *    packet whose first header is a fragment header followed by TCP,
 *    as libpcap does; ti_pkt.frag_nh carries that next header.)
 * 3. tcp[] offers bytes 0-3 (ports) and 13 (flags) only; others are an
 *    error.  An operand holding tcp[] on the right of an arithmetic
 *    operator ("2 & tcp[13]") is refused: libpcap drops the protocol
 *    check there and reads arbitrary packet bytes.  So is a shift by a
 *    non-constant amount.
 * 4. Frames cut inside the TCP header never reach the filter (the XDP
 *    program counts them as malformed); libpcap would reject the whole
 *    filter on the port load.
 * 5. Names are not resolved: host, net and port names are errors,
 *    protocol names are tcp, udp, icmp, ipv6-icmp, sctp.  udp, icmp,
 *    arp, ether etc. are errors: tcpinspect sees only TCP.
 * 6. libpcap's optimizer goes further than folding constants: it
 *    refuses an expression it proves false for every packet ("ip and
 *    ip6": "expression rejects all packets"; here it compiles and
 *    accepts nothing), and it drops a load or a division whose result
 *    cannot change the outcome ("not tcp[13] / tcp[13] = 1 or tcp"), so
 *    where that load or division would fail, tcpdump still decides.
 *    Here the whole filter rejects then, as libpcap's code does before
 *    optimization.
 * 7. tcpdump on a live Linux interface tests VLAN tags in the kernel's
 *    metadata; this is its behaviour on a capture file (tags in-line),
 *    which is what XDP sees.
 *
 * Code generation: the parser emits code as it goes, in fragments of
 * "jumping code".  A fragment ends in a conditional jump; falling off
 * its end means one truth value (ft), and its jumps to true and to false
 * wait in two lists threaded through the jumps' off fields until the
 * target is known.  The last jump always heads the list of the value
 * that does not fall through, so inverting it flips ft: "a and b" flips
 * a to fall through on true and sends a's true jumps to b's first
 * instruction.  No unconditional jump is ever needed, so every jump
 * goes forward and nothing is unreachable.  Constants fold away, as
 * libpcap's optimizer folds them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "filter.h"
#include "prog/tcpinspect.h"

/* One word at vlan_cnt holds depth, family, protocol, has_ports. */
#define OFF(f)		((__s16)offsetof(struct ti_pkt, f))
_Static_assert(offsetof(struct ti_pkt, family) ==
	       offsetof(struct ti_pkt, vlan_cnt) + 1, "family follows vlan_cnt");
_Static_assert(offsetof(struct ti_pkt, proto) ==
	       offsetof(struct ti_pkt, vlan_cnt) + 2, "proto follows family");

#define ARITH_MAX	64	/* instructions of one comparison's arithmetic */
#define NEST_MAX	200	/* parentheses, not and minus signs, nested */
#define REG_FIRST	2	/* r2..r9 hold arithmetic values */
#define REG_LAST	9
#define R_SCRATCH	2	/* atoms load into r2 */
#define IPPROTO_TCP_	6
#define IPPROTO_FRAG_	44

enum tt {
	T_END, T_ERR,
	T_LP, T_RP, T_LB, T_RB, T_COLON, T_NOT, T_AND, T_OR,
	T_GT, T_GE, T_EQ, T_LT, T_LE, T_NE,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_AMP, T_BAR, T_CARET,
	T_LSH, T_RSH,
	T_NUM, T_HID, T_HID6, T_ID, T_EID, T_AID,
	T_SRC, T_DST, T_HOST, T_NET, T_MASK, T_PORT, T_PORTRANGE, T_PROTO,
	T_LESS, T_GREATER, T_LEN, T_VLAN,
	T_PNAME,	/* v: enum proto */
	T_QUAL,		/* gateway, protochain: qualifiers we lack */
	T_KW,		/* any other libpcap keyword */
};

enum proto { P_UNDEF, P_DEF, P_IP, P_IP6, P_TCP, P_UDP, P_SCTP, P_OTHER };
enum dir { D_UNDEF, D_DEF, D_SRC, D_DST, D_OR, D_AND };
enum addr { A_UNDEF, A_DEF, A_HOST, A_NET, A_PORT, A_PORTRANGE, A_PROTO };

struct qual {
	__u8 proto, dir, addr;
};

static const struct qual qerr = { P_UNDEF, D_UNDEF, A_UNDEF };

struct tok {
	enum tt t;
	__u32 v;		/* T_NUM value, T_PNAME proto */
	const char *s;		/* text in the expression */
	__u32 len;
	__u32 pos;		/* 1-based */
	const char *why;	/* T_ERR */
};

/* Code with jumps to true/false pending; k >= 0: a constant, no code. */
struct frag {
	int k;
	int t, f;		/* list heads: index + 1, 0 = empty */
	int ft;			/* value when falling off the end */
	__u32 start;
};

/* A value in the arithmetic of a comparison. */
struct arv {
	int reg;		/* -1: the constant k */
	__u32 k;
	__u8 guard;		/* libpcap keeps the tcp[] protocol check */
	__u8 tcp;		/* a tcp[] load is in it */
	__u8 flags;		/* tcp[13] is loaded */
	__u32 tcp_pos;		/* where the first tcp[] is, for errors */
};

struct cc {
	const char *expr;
	const char *p;		/* lexer position, after tok */
	struct tok tok;
	struct bpf_insn *out;
	__u32 cap, n;
	int aborts;		/* jumps to "reject the whole filter" */
	__u32 depth;		/* vlan keywords seen */
	__u32 nest;		/* parser recursion */
	char *err;
	size_t err_len;
	struct bpf_insn ab[ARITH_MAX];	/* arithmetic, before its guard */
	__u32 an;
	__u32 regs;		/* bit r: register r in use */
	int a_aborts;		/* list in ab */
};

/* ---- errors ---------------------------------------------------------- */

#define SUPPORTED "supported: host, net, port, portrange, ip, ip6, tcp, " \
	"proto, vlan, tcp[...], len, less, greater, and, or, not"

static int vfail(struct cc *c, const struct tok *t, int rc, const char *fmt,
		 va_list ap)
{
	char what[64];
	size_t w = 0, i;
	int len;

	if (!c->err || !c->err_len)
		return rc;
	if (t->t == T_END) {
		snprintf(what, sizeof(what), "end of expression");
	} else {
		what[w++] = '\'';
		for (i = 0; i < t->len && w < 40; i++) {
			unsigned char ch = t->s[i];

			if (ch >= 0x20 && ch < 0x7f) {
				what[w++] = ch;
			} else {
				snprintf(what + w, 5, "\\x%02x", ch);
				w += 4;
			}
		}
		if (i < t->len)
			w += snprintf(what + w, 4, "...");
		what[w++] = '\'';
		what[w] = 0;
	}
	len = snprintf(c->err, c->err_len, "filter: %s at %u: ", what, t->pos);
	if (len >= 0 && (size_t)len < c->err_len)
		vsnprintf(c->err + len, c->err_len - len, fmt, ap);
	return rc;
}

static int fail(struct cc *c, const struct tok *t, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, t, -EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

static int too_big(struct cc *c)
{
	if (c->err && c->err_len)
		snprintf(c->err, c->err_len,
			 "filter: the expression needs more than %u instructions",
			 c->cap);
	return -E2BIG;
}

static int unsupported(struct cc *c, const struct tok *t)
{
	if (t->t == T_PNAME || (t->len >= 4 && !strncmp(t->s, "icmp", 4)))
		return fail(c, t, "tcpinspect sees only TCP over IPv4 and IPv6; "
			    SUPPORTED);
	return fail(c, t, "not supported by tcpinspect; " SUPPORTED);
}

/* ---- lexer ----------------------------------------------------------- */

static const struct kw {
	const char *name;
	enum tt t;
	__u32 v;
} kws[] = {
	{ "src", T_SRC, 0 }, { "dst", T_DST, 0 }, { "host", T_HOST, 0 },
	{ "net", T_NET, 0 }, { "mask", T_MASK, 0 }, { "port", T_PORT, 0 },
	{ "portrange", T_PORTRANGE, 0 }, { "proto", T_PROTO, 0 },
	{ "less", T_LESS, 0 }, { "greater", T_GREATER, 0 },
	{ "len", T_LEN, 0 }, { "length", T_LEN, 0 }, { "vlan", T_VLAN, 0 },
	{ "and", T_AND, 0 }, { "or", T_OR, 0 }, { "not", T_NOT, 0 },
	{ "ip", T_PNAME, P_IP }, { "ip6", T_PNAME, P_IP6 },
	{ "tcp", T_PNAME, P_TCP }, { "udp", T_PNAME, P_UDP },
	{ "sctp", T_PNAME, P_SCTP },
	{ "tcpflags", T_NUM, 13 }, { "tcp-fin", T_NUM, TI_TCP_FIN },
	{ "tcp-syn", T_NUM, TI_TCP_SYN }, { "tcp-rst", T_NUM, TI_TCP_RST },
	{ "tcp-push", T_NUM, TI_TCP_PSH }, { "tcp-ack", T_NUM, TI_TCP_ACK },
	{ "tcp-urg", T_NUM, TI_TCP_URG }, { "tcp-ece", T_NUM, TI_TCP_ECE },
	{ "tcp-cwr", T_NUM, TI_TCP_CWR },
	{ "gateway", T_QUAL, 0 }, { "protochain", T_QUAL, 0 },
};

/* libpcap's other protocol names and keywords: known, not supported. */
static const char *const pnames_other[] = {
	"link", "ether", "ppp", "slip", "fddi", "tr", "wlan", "arp", "rarp",
	"icmp", "igmp", "igrp", "pim", "vrrp", "carp", "radio", "icmp6", "ah",
	"esp", "atalk", "aarp", "decnet", "lat", "sca", "moprc", "mopdl",
	"iso", "esis", "es-is", "isis", "is-is", "l1", "l2", "iih", "lsp",
	"snp", "csnp", "psnp", "clnp", "stp", "ipx", "netbeui",
};

static const char *const kws_other[] = {
	"type", "subtype", "direction", "dir", "address1", "addr1",
	"address2", "addr2", "address3", "addr3", "address4", "addr4", "ra",
	"ta", "byte", "broadcast", "multicast", "inbound", "outbound",
	"ifindex", "mpls", "pppoed", "pppoes", "geneve", "batadv", "lane",
	"llc", "metac", "bcc", "oam", "oamf4", "oamf4ec", "oamf4sc", "sc",
	"ilmic", "vpi", "vci", "connectmsg", "metaconnect", "on", "ifname",
	"rset", "ruleset", "rnr", "rulenum", "srnr", "subrulenum", "reason",
	"action", "fisu", "lssu", "lsu", "msu", "hfisu", "hlssu", "hmsu",
	"sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls",
	"icmptype", "icmpcode", "icmp6type", "icmp6code",
};

static int is_dig(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_hex(char ch)
{
	return is_dig(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int is_alnum(char ch)
{
	return is_dig(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int word_is(const char *s, __u32 len, const char *w)
{
	return strlen(w) == len && !memcmp(s, w, len);
}

/* [A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])? */
static __u32 span_id(const char *p)
{
	__u32 n = 0, last = 0;

	if (!is_alnum(p[0]))
		return 0;
	while (is_alnum(p[n]) || p[n] == '-' || p[n] == '_' || p[n] == '.') {
		if (p[n] != '-' && p[n] != '_')
			last = n + 1;
		n++;
	}
	return last;
}

/* [0-9]+ | 0[xX][0-9A-Fa-f]+ */
static __u32 span_num(const char *p)
{
	__u32 n = 0;

	if ((p[0] == '0') && (p[1] == 'x' || p[1] == 'X') && is_hex(p[2])) {
		for (n = 2; is_hex(p[n]); n++)
			;
		return n;
	}
	while (is_dig(p[n]))
		n++;
	return n;
}

/* N.N | N.N.N | N.N.N.N */
static __u32 span_hid(const char *p)
{
	__u32 n = span_num(p), dots = 0, m;

	if (!n)
		return 0;
	while (dots < 3 && p[n] == '.' && (m = span_num(p + n + 1))) {
		n += 1 + m;
		dots++;
	}
	return dots ? n : 0;
}

/* The longest run of IPv6 address characters, if it is one. */
static __u32 span_v6(const char *p, __u8 *addr)
{
	char buf[64];
	__u32 n = 0, colons = 0;

	while (is_hex(p[n]) || p[n] == ':' || p[n] == '.') {
		colons += p[n] == ':';
		n++;
	}
	if (!colons || n >= sizeof(buf))
		return 0;
	memcpy(buf, p, n);
	buf[n] = 0;
	return inet_pton(AF_INET6, buf, addr) == 1 ? n : 0;
}

/* hex groups of 1..max digits separated by sep, exactly cnt of them */
static __u32 span_groups(const char *p, char sep, int cnt, int min, int max)
{
	__u32 n = 0;
	int g, d;

	for (g = 0; g < cnt; g++) {
		if (g && p[n++] != sep)
			return 0;
		for (d = 0; d < max && is_hex(p[n]); d++)
			n++;
		if (d < min)
			return 0;
	}
	return n;
}

/* libpcap's MAC address forms, and its "bogus ethernet address" */
static __u32 span_mac(const char *p)
{
	__u32 n, best = 0, i;

	if ((n = span_groups(p, ':', 6, 1, 2)) > best)
		best = n;
	if ((n = span_groups(p, '-', 6, 1, 2)) > best)
		best = n;
	if ((n = span_groups(p, '.', 6, 1, 2)) > best)
		best = n;
	if ((n = span_groups(p, '.', 3, 4, 4)) > best)
		best = n;
	for (i = 0; i < 12 && is_hex(p[i]); i++)
		;
	if (i == 12 && best < 12)
		best = 12;
	/* {B}:+({B}:+)+ */
	n = 0;
	for (i = 0;; i++) {
		__u32 m = n, d = 0, c = 0;

		while (d < 2 && is_hex(p[m]))
			m++, d++;
		if (!d)
			break;
		while (p[m] == ':')
			m++, c++;
		if (!c)
			break;
		n = m;
	}
	if (i >= 2 && n > best)
		best = n;
	return best;
}

static void lex_kw(struct tok *t)
{
	size_t i;

	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		if (word_is(t->s, t->len, kws[i].name)) {
			t->t = kws[i].t;
			t->v = kws[i].v;
			return;
		}
	}
	for (i = 0; i < sizeof(pnames_other) / sizeof(pnames_other[0]); i++) {
		if (word_is(t->s, t->len, pnames_other[i])) {
			t->t = T_PNAME;
			t->v = P_OTHER;
			return;
		}
	}
	for (i = 0; i < sizeof(kws_other) / sizeof(kws_other[0]); i++) {
		if (word_is(t->s, t->len, kws_other[i])) {
			t->t = T_KW;
			return;
		}
	}
	if ((t->len > 5 && !strncmp(t->s, "icmp-", 5)) ||
	    (t->len > 6 && !strncmp(t->s, "icmp6-", 6)))
		t->t = T_KW;
}

/* A number as libpcap's scanner reads it: decimal, 0x hex, 0 octal. */
static void lex_num(struct tok *t)
{
	const char *s = t->s;
	__u32 i, base = 10, d;
	__u64 n = 0;

	i = 0;
	if (t->len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; i < t->len; i++) {
		d = is_dig(s[i]) ? (__u32)(s[i] - '0') :
		    (__u32)((s[i] | 0x20) - 'a' + 10);
		if (d >= base) {
			t->t = T_ERR;
			t->why = "number contains a non-octal digit";
			return;
		}
		n = n * base + d;
		if (n > 0xffffffffu) {
			t->t = T_ERR;
			t->why = "number overflows 32 bits";
			return;
		}
	}
	t->t = T_NUM;
	t->v = n;
}

/* The token at p (libpcap's rules: longest match, then rule order). */
static const char *lex_at(const struct cc *c, const char *p, struct tok *t)
{
	static const struct {
		char s[3];
		enum tt t;
	} ops[] = {
		{ ">=", T_GE }, { "<=", T_LE }, { "!=", T_NE }, { "==", T_EQ },
		{ "<<", T_LSH }, { ">>", T_RSH }, { "&&", T_AND }, { "||", T_OR },
		{ "(", T_LP }, { ")", T_RP }, { "[", T_LB }, { "]", T_RB },
		{ ":", T_COLON }, { "!", T_NOT }, { ">", T_GT }, { "<", T_LT },
		{ "=", T_EQ }, { "+", T_PLUS }, { "-", T_MINUS }, { "*", T_STAR },
		{ "/", T_SLASH }, { "%", T_PCT }, { "&", T_AMP }, { "|", T_BAR },
		{ "^", T_CARET },
	};
	__u32 lid, lnum, lhid, lv6, lmac, best;
	__u8 a6[16];
	size_t i;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	memset(t, 0, sizeof(*t));
	t->s = p;
	t->pos = p - c->expr + 1;
	if (!*p) {
		t->t = T_END;
		return p;
	}
	lv6 = span_v6(p, a6);
	if (*p == ':' && lv6) {
		t->t = T_HID6;
		t->len = lv6;
		return p + lv6;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);

		if (!strncmp(p, ops[i].s, l)) {
			t->t = ops[i].t;
			t->len = l;
			return p + l;
		}
	}
	if (*p == '\\') {
		for (t->len = 1; p[t->len] && !strchr(" !()\n\t", p[t->len]);)
			t->len++;
		if (t->len == 1)
			goto bad;
		t->t = T_ID;
		t->s++;		/* the name without the backslash */
		t->len--;
		return p + t->len + 1;
	}
	if (*p == '$' && is_hex(p[1])) {
		t->t = T_AID;
		t->len = 2 + is_hex(p[2]);
		return p + t->len;
	}
	if (!is_alnum(*p))
		goto bad;
	lid = span_id(p);
	lnum = span_num(p);
	lhid = span_hid(p);
	lmac = span_mac(p);
	best = lid;
	if (lnum > best)
		best = lnum;
	if (lhid > best)
		best = lhid;
	if (lv6 > best)
		best = lv6;
	if (lmac > best)
		best = lmac;
	t->len = best;
	/* equal lengths: keywords, then MAC, number, address, name */
	if (lid == best) {
		lex_kw(t);
		if (t->t != T_END)
			return p + best;
	}
	if (lmac == best)
		t->t = T_EID;
	else if (lnum == best)
		lex_num(t);
	else if (lhid == best)
		t->t = T_HID;
	else if (lv6 == best)
		t->t = T_HID6;
	else
		t->t = T_ID;
	return p + best;
bad:
	t->t = T_ERR;
	t->len = 1;
	t->why = "unexpected character";
	return p + 1;
}

static int next(struct cc *c)
{
	c->p = lex_at(c, c->p, &c->tok);
	if (c->tok.t == T_ERR)
		return fail(c, &c->tok, "%s", c->tok.why);
	return 0;
}

/* The token after the current one (k = 1) or further. */
static struct tok peek(const struct cc *c, int k)
{
	const char *p = c->p;
	struct tok t = c->tok;

	while (k-- > 0 && t.t != T_END)
		p = lex_at(c, p, &t);
	return t;
}

/* Bound the parser's recursion (the stack) on deeply nested input. */
static int enter(struct cc *c)
{
	if (++c->nest > NEST_MAX)
		return fail(c, &c->tok, "nested more than %d deep", NEST_MAX);
	return 0;
}

static int expect(struct cc *c, enum tt t, const char *what)
{
	if (c->tok.t != t)
		return fail(c, &c->tok, "syntax error: expected %s", what);
	return next(c);
}

/* ---- code and jump lists --------------------------------------------- */

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src,
			      .off = off, .imm = imm };
	return i;
}

static int emit(struct cc *c, struct bpf_insn i)
{
	if (c->n >= c->cap)
		return too_big(c);
	c->out[c->n++] = i;
	return 0;
}

static void push(struct cc *c, int *list, __u32 idx)
{
	c->out[idx].off = *list;
	*list = idx + 1;
}

/* Both lists in one, a's first: a's head stays the head. */
static int merge(struct cc *c, int a, int b)
{
	int i;

	if (!a)
		return b;
	for (i = a; c->out[i - 1].off; i = c->out[i - 1].off)
		;
	c->out[i - 1].off = b;
	return a;
}

static void resolve(struct cc *c, int list, __u32 target)
{
	while (list) {
		__u32 i = list - 1;

		list = c->out[i].off;
		c->out[i].off = target - i - 1;
	}
}

/* Drop the code from start on (it can never run), and its aborts. */
static void truncate_to(struct cc *c, __u32 start)
{
	int keep = 0, i = c->aborts;

	while (i) {
		__u32 at = i - 1;

		i = c->out[at].off;
		if (at < start)
			push(c, &keep, at);
	}
	c->aborts = keep;
	c->n = start;
}

/* A conditional jump to the list of its own outcome. */
static int jump(struct cc *c, int *list, __u8 op, __u8 reg, __s32 imm)
{
	int rc = emit(c, insn(BPF_JMP32 | op | BPF_K, reg, 0, 0, imm));

	if (!rc)
		push(c, list, c->n - 1);
	return rc;
}

static __u8 invert(__u8 op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	default: return BPF_JGE;	/* BPF_JLT */
	}
}

static __u8 mirror(__u8 op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	default: return op;		/* JEQ, JNE */
	}
}

/* ---- fragments -------------------------------------------------------- */

static void konst(struct cc *c, struct frag *f, int k)
{
	memset(f, 0, sizeof(*f));
	f->k = k;
	f->start = c->n;
}

static void code(struct cc *c, struct frag *f)
{
	memset(f, 0, sizeof(*f));
	f->k = -1;
	f->start = c->n;
}

/* Invert the last jump: the other value falls through. */
static void flip(struct cc *c, struct frag *f)
{
	int *from = f->ft ? &f->f : &f->t, *to = f->ft ? &f->t : &f->f;
	__u32 i = *from - 1;
	__u8 op = BPF_OP(c->out[i].code);

	*from = c->out[i].off;
	c->out[i].code = (c->out[i].code & ~BPF_OP(0xff)) | invert(op);
	push(c, to, i);
	f->ft = !f->ft;
}

/*
 * a = a and b; b's code follows a's.  A constant decides even where
 * the other side could reject the whole filter: libpcap's optimizer
 * drops such a load too ("tcp[13] = 0 or 1 = 1" accepts all).
 */
static int f_and(struct cc *c, struct frag *a, struct frag *b)
{
	if (a->k == 0 || b->k == 0) {
		truncate_to(c, a->k == 0 ? b->start : a->start);
		konst(c, a, 0);
	} else if (a->k == 1) {
		*a = *b;
	} else if (b->k != 1) {
		if (!a->ft)
			flip(c, a);
		resolve(c, a->t, b->start);
		a->t = b->t;
		a->f = merge(c, b->f, a->f);
		a->ft = b->ft;
	}
	return 0;
}

static int f_or(struct cc *c, struct frag *a, struct frag *b)
{
	if (a->k == 1 || b->k == 1) {
		truncate_to(c, a->k == 1 ? b->start : a->start);
		konst(c, a, 1);
	} else if (a->k == 0) {
		*a = *b;
	} else if (b->k != 0) {
		if (a->ft)
			flip(c, a);
		resolve(c, a->f, b->start);
		a->t = merge(c, b->t, a->t);
		a->f = b->f;
		a->ft = b->ft;
	}
	return 0;
}

static void f_not(struct frag *a)
{
	int t = a->t;

	if (a->k >= 0) {
		a->k = !a->k;
		return;
	}
	a->t = a->f;
	a->f = t;
	a->ft = !a->ft;
}

/* ---- atoms: one field, loaded into r2 ---------------------------------- */

static int load(struct cc *c, __u8 reg, __s16 off, __u32 size)
{
	__u8 sz = size == 1 ? BPF_B : size == 2 ? BPF_H : BPF_W;

	return emit(c, insn(BPF_LDX | BPF_MEM | sz, reg, BPF_REG_1, off, 0));
}

/* field (& mask) == one of vals[] */
static int atom_in(struct cc *c, struct frag *f, __s16 off, __u32 size,
		   __u32 mask, const __u32 *vals, int cnt)
{
	int rc, i;

	code(c, f);
	rc = load(c, R_SCRATCH, off, size);
	if (!rc && mask)
		rc = emit(c, insn(BPF_ALU | BPF_AND | BPF_K, R_SCRATCH, 0, 0, mask));
	for (i = 0; !rc && i < cnt; i++)
		rc = jump(c, &f->t, BPF_JEQ, R_SCRATCH, vals[i]);
	return rc;
}

/* field op k */
static int atom_cmp(struct cc *c, struct frag *f, __s16 off, __u32 size,
		    __u8 op, __u32 k)
{
	int rc;

	code(c, f);
	rc = load(c, R_SCRATCH, off, size);
	return rc ?: jump(c, &f->t, op, R_SCRATCH, k);
}

/* lo <= field <= hi */
static int atom_range(struct cc *c, struct frag *f, __s16 off, __u32 lo,
		      __u32 hi)
{
	int rc;

	code(c, f);
	f->ft = 1;
	rc = load(c, R_SCRATCH, off, 2);
	rc = rc ?: jump(c, &f->f, BPF_JLT, R_SCRATCH, lo);
	return rc ?: jump(c, &f->f, BPF_JGT, R_SCRATCH, hi);
}

/* addr bytes at off, under mask, equal a (4 or 16 bytes) */
static int atom_addr(struct cc *c, struct frag *f, __s16 off,
		     const __u8 *a, const __u8 *m, __u32 len)
{
	__u32 i, w, mw;
	int rc = 0;

	code(c, f);
	f->ft = 1;
	for (i = 0; !rc && i < len; i += 4) {
		memcpy(&w, a + i, 4);	/* as a little-endian load sees them */
		memcpy(&mw, m + i, 4);
		if (!mw)
			continue;
		rc = load(c, R_SCRATCH, off + i, 4);
		if (!rc && mw != 0xffffffffu)
			rc = emit(c, insn(BPF_ALU | BPF_AND | BPF_K, R_SCRATCH,
					  0, 0, mw));
		rc = rc ?: jump(c, &f->f, BPF_JNE, R_SCRATCH, w & mw);
	}
	if (!rc && c->n == f->start)
		konst(c, f, 1);		/* /0: every address */
	return rc;
}

/* The bytes {depth, family[, proto]} as a load from vlan_cnt sees them. */
static __u32 l3_word(__u32 depth, __u8 family, __u8 proto)
{
	__u8 b[4] = { depth, family, proto, 0 };
	__u32 w = 0;

	memcpy(&w, b, 4);
	return w;
}

static __u32 l3_half(__u32 depth, __u8 family)
{
	__u8 b[2] = { depth, family };
	__u16 h;

	memcpy(&h, b, 2);
	return h;
}

/* ---- primitives --------------------------------------------------------- */

/* "ip" / "ip6" at the current depth */
static int gen_l3(struct cc *c, struct frag *f, __u8 family)
{
	__u32 v = l3_half(c->depth, family);

	if (c->depth > TI_VLAN_MAX) {
		konst(c, f, 0);
		return 0;
	}
	return atom_in(c, f, OFF(vlan_cnt), 2, 0, &v, 1);
}

/* "ip proto v", "ip6 proto v", "proto v", "tcp" */
static int gen_proto(struct cc *c, struct frag *f, __u32 v, int proto)
{
	__u8 m[4] = { 0xff, 0xff, 0xff, 0 };
	__u32 vals[2], mask;
	int n = 0, rc;

	if (v > 255 || c->depth > TI_VLAN_MAX) {
		konst(c, f, 0);
		return 0;
	}
	if (proto != P_IP6)
		vals[n++] = l3_word(c->depth, 4, v);
	if (proto != P_IP)
		vals[n++] = l3_word(c->depth, 6, v);
	memcpy(&mask, m, 4);
	rc = atom_in(c, f, OFF(vlan_cnt), 4, mask, vals, n);
	if (rc || proto == P_IP || v != IPPROTO_TCP_)
		return rc;
	/* libpcap: or a first fragment header whose next header is TCP */
	f->ft = 1;	/* from here on, falling through means a match */
	rc = jump(c, &f->f, BPF_JNE, R_SCRATCH, l3_word(c->depth, 6, IPPROTO_FRAG_));
	rc = rc ?: load(c, R_SCRATCH, OFF(frag_nh), 1);
	return rc ?: jump(c, &f->f, BPF_JNE, R_SCRATCH, IPPROTO_TCP_);
}

/* src, dst, either or both: s and d were emitted in that order */
static int by_dir(struct cc *c, struct frag *s, struct frag *d, int dir)
{
	if (dir == D_AND)
		return f_and(c, s, d);
	return f_or(c, s, d);
}

static int gen_host(struct cc *c, struct frag *f, const __u8 *a,
		    const __u8 *m, __u32 len, int dir)
{
	struct frag s, d;
	int rc;

	rc = gen_l3(c, f, len == 4 ? 4 : 6);
	if (!rc && dir != D_DST)
		rc = atom_addr(c, &s, OFF(saddr), a, m, len);
	if (!rc && dir != D_SRC)
		rc = atom_addr(c, &d, OFF(daddr), a, m, len);
	if (rc)
		return rc;
	if (dir == D_SRC) {
		d = s;
	} else if (dir != D_DST) {
		rc = by_dir(c, &s, &d, dir);
		d = s;
	}
	return rc ?: f_and(c, f, &d);
}

/* port lo, or portrange lo-hi */
static int gen_port(struct cc *c, struct frag *f, __u32 lo, __u32 hi, int dir)
{
	struct frag g, s, d;
	int rc;

	if (c->depth > TI_VLAN_MAX) {
		konst(c, f, 0);
		return 0;
	}
	rc = atom_cmp(c, f, OFF(vlan_cnt), 1, BPF_JEQ, c->depth);
	rc = rc ?: atom_cmp(c, &g, OFF(has_ports), 1, BPF_JNE, 0);
	rc = rc ?: f_and(c, f, &g);
	if (!rc && dir != D_DST)
		rc = lo == hi ? atom_cmp(c, &s, OFF(sport), 2, BPF_JEQ, lo) :
				atom_range(c, &s, OFF(sport), lo, hi);
	if (!rc && dir != D_SRC)
		rc = lo == hi ? atom_cmp(c, &d, OFF(dport), 2, BPF_JEQ, lo) :
				atom_range(c, &d, OFF(dport), lo, hi);
	if (rc)
		return rc;
	if (dir == D_SRC) {
		d = s;
	} else if (dir != D_DST) {
		rc = by_dir(c, &s, &d, dir);
		d = s;
	}
	return rc ?: f_and(c, f, &d);
}

static int gen_vlan(struct cc *c, struct frag *f, int has_id, __u32 id)
{
	struct frag v;
	int rc = 0;

	if (c->depth >= TI_VLAN_MAX) {
		konst(c, f, 0);	/* vlan_cnt <= TI_VLAN_MAX */
	} else {
		rc = atom_cmp(c, f, OFF(vlan_cnt), 1, BPF_JGT, c->depth);
		if (!rc && has_id)
			rc = atom_cmp(c, &v, OFF(vlan) + 2 * c->depth, 2,
				      BPF_JEQ, id);
		if (!rc && has_id)
			rc = f_and(c, f, &v);
	}
	c->depth++;
	return rc;
}

/* ---- qualified ids ------------------------------------------------------ */

static const char *addr_name(int addr)
{
	return addr == A_NET ? "net" : "host";
}

/* IPv4 address (net/host) with the qualifiers' protocol */
static int id_host4(struct cc *c, const struct tok *t, struct qual q,
		    __u32 v, __u32 mask, struct frag *f)
{
	__u8 a[4] = { v >> 24, v >> 16, v >> 8, v }, m[4] = {
		mask >> 24, mask >> 16, mask >> 8, mask };

	if (q.proto == P_IP6)
		return fail(c, t, "'ip6' qualifier applied to an IPv4 %s",
			    addr_name(q.addr));
	if (q.proto == P_TCP)
		return fail(c, t, "'tcp' qualifier applied to a %s",
			    addr_name(q.addr));
	return gen_host(c, f, a, m, 4, q.dir);
}

/* a.b.c.d as libpcap's __pcap_atoin reads it: bits parsed, or -1 */
static int atoin(const char *s, __u32 len, __u32 *v)
{
	__u32 i = 0, n, bits = 0;

	*v = 0;
	for (;;) {
		n = 0;
		if (i >= len || !is_dig(s[i]))
			return -1;
		while (i < len && is_dig(s[i])) {
			n = n * 10 + (s[i++] - '0');
			if (n > 255)
				return -1;
		}
		*v = *v << 8 | n;
		bits += 8;
		if (i == len)
			return bits;
		if (s[i++] != '.' || bits == 32)
			return -1;
	}
}

static int id_num(struct cc *c, const struct tok *t, struct qual q, __u32 v,
		  struct frag *f)
{
	__u32 mask = 0xffffffffu;

	switch (q.addr) {
	case A_DEF:
	case A_HOST:
	case A_NET:
		if (q.addr == A_NET) {
			/* a short net number is promoted: net 10 = 10/8 */
			while (v && !(v & 0xff000000u)) {
				v <<= 8;
				mask <<= 8;
			}
		}
		return id_host4(c, t, q, v, mask, f);
	case A_PORT:
	case A_PORTRANGE:
		if (q.proto != P_DEF && q.proto != P_TCP)
			return fail(c, t, "illegal qualifier of '%s'",
				    q.addr == A_PORT ? "port" : "portrange");
		if (v > 65535)
			return fail(c, t, "illegal port number %u > 65535", v);
		return gen_port(c, f, v, v, q.dir);
	case A_PROTO:
		if (q.proto == P_TCP)
			return fail(c, t, "'tcp proto' is bogus");
		return gen_proto(c, f, v, q.proto);
	default:
		return fail(c, t, "syntax error: a number needs a qualifier "
			    "here (host, net, port, portrange, proto)");
	}
}

/* a.b.c.d, a.b.c.d/len, a.b.c.d mask m.m.m.m */
static int id_hid(struct cc *c, const struct tok *t, struct qual q,
		  const struct tok *mt, int masklen, struct frag *f)
{
	__u32 v, m;
	int bits = atoin(t->s, t->len, &v);

	if (q.addr == A_UNDEF)
		return fail(c, t, "syntax error: an address needs a qualifier "
			    "here (host, net)");
	if (q.addr == A_PORT || q.addr == A_PORTRANGE || q.addr == A_PROTO)
		return fail(c, t, "'%s' qualifier applied to an IPv4 address",
			    q.addr == A_PORT ? "port" :
			    q.addr == A_PORTRANGE ? "portrange" : "proto");
	if (bits < 0)
		return fail(c, t, "invalid IPv4 address");
	v <<= 32 - bits;
	if (!mt && masklen < 0) {
		/* host 10.1 = 10.1.0.0 mask 255.255.0.0, as in libpcap */
		return id_host4(c, t, q, v, 0xffffffffu << (32 - bits), f);
	}
	if (mt) {
		int mbits = atoin(mt->s, mt->len, &m);

		if (mbits < 0)
			return fail(c, mt, "invalid IPv4 netmask");
		m <<= 32 - mbits;
		if (v & ~m)
			return fail(c, t, "non-network bits set in \"%.*s mask %.*s\"",
				    (int)t->len, t->s, (int)mt->len, mt->s);
	} else {
		if (masklen > 32)
			return fail(c, t, "mask length must be <= 32");
		m = masklen ? 0xffffffffu << (32 - masklen) : 0;
		if (v & ~m)
			return fail(c, t, "non-network bits set in \"%.*s/%d\"",
				    (int)t->len, t->s, masklen);
	}
	if (q.addr != A_NET)
		return fail(c, t, "mask syntax for networks only: use 'net'");
	return id_host4(c, t, q, v, m, f);
}

static int id_hid6(struct cc *c, const struct tok *t, struct qual q,
		   __u32 masklen, struct frag *f)
{
	char buf[64];
	__u8 a[16], m[16] = { 0 };
	__u32 i;

	memcpy(buf, t->s, t->len);	/* the lexer checked: < 64 */
	buf[t->len] = 0;
	if (inet_pton(AF_INET6, buf, a) != 1)
		return fail(c, t, "bogus IPv6 address");
	if (masklen > 128)
		return fail(c, t, "mask length must be <= 128");
	for (i = 0; i < masklen; i++)
		m[i / 8] |= 0x80 >> (i % 8);
	for (i = 0; i < 16; i++)
		if (a[i] & ~m[i])
			return fail(c, t, "non-network bits set in \"%.*s/%u\"",
				    (int)t->len, t->s, masklen);
	if (q.addr == A_UNDEF)
		return fail(c, t, "syntax error: an address needs a qualifier "
			    "here (host, net)");
	if ((q.addr == A_DEF || q.addr == A_HOST) && masklen != 128)
		return fail(c, t, "mask syntax for networks only: use 'net'");
	if (q.addr != A_DEF && q.addr != A_HOST && q.addr != A_NET)
		return fail(c, t, "invalid qualifier against IPv6 address");
	if (q.proto == P_IP || q.proto == P_TCP)
		return fail(c, t, "'%s' qualifier applied to an IPv6 %s",
			    q.proto == P_IP ? "ip" : "tcp", addr_name(q.addr));
	return gen_host(c, f, a, m, 16, q.dir);
}

/* digits only, as sscanf("%d-%d") would take them; -1 if not */
static long dec(const char *s, __u32 len)
{
	long v = 0;
	__u32 i;

	if (!len || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_dig(s[i]))
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

static int id_name(struct cc *c, const struct tok *t, struct qual q,
		   struct frag *f)
{
	static const struct {
		const char *name;
		__u32 v;
	} protos[] = {
		{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
		{ "ipv6-icmp", 58 }, { "sctp", 132 },
	};
	const char *dash;
	long lo, hi;
	size_t i;

	switch (q.addr) {
	case A_DEF:
	case A_HOST:
	case A_NET:
		return fail(c, t, "%s names are not resolved: use an IPv4 or "
			    "IPv6 address", addr_name(q.addr));
	case A_PORTRANGE:
		if (q.proto != P_DEF && q.proto != P_TCP)
			return fail(c, t, "illegal qualifier of 'portrange'");
		dash = memchr(t->s, '-', t->len);
		lo = dash ? dec(t->s, dash - t->s) : -1;
		hi = dash ? dec(dash + 1, t->s + t->len - dash - 1) : -1;
		if (lo < 0 || hi < 0)
			return fail(c, t, "port ranges are two numbers, A-B "
				    "(port names are not supported)");
		if (lo > 65535 || hi > 65535)
			return fail(c, t, "illegal port number %ld > 65535",
				    lo > 65535 ? lo : hi);
		if (lo > hi) {
			long x = lo;

			lo = hi;
			hi = x;
		}
		return gen_port(c, f, lo, hi, q.dir);
	case A_PORT:
		if (q.proto != P_DEF && q.proto != P_TCP)
			return fail(c, t, "illegal qualifier of 'port'");
		return fail(c, t, "port names are not supported (no services "
			    "database): use a number");
	case A_PROTO:
		if (q.proto == P_TCP)
			return fail(c, t, "'tcp proto' is bogus");
		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (word_is(t->s, t->len, protos[i].name))
				return gen_proto(c, f, protos[i].v, q.proto);
		return fail(c, t, "unknown ip proto (known: icmp, tcp, udp, "
			    "ipv6-icmp, sctp; or use a number)");
	default:
		return fail(c, t, "syntax error: a name needs a qualifier here");
	}
}

static int parse_id(struct cc *c, struct qual q, struct frag *f);

/* ids joined by and/or inside parentheses, all with the same qualifiers */
static int parse_pid(struct cc *c, struct qual q, struct frag *f)
{
	struct frag b;
	enum tt op;
	int rc;

	rc = parse_id(c, q, f);
	while (!rc && (c->tok.t == T_AND || c->tok.t == T_OR)) {
		op = c->tok.t;
		rc = next(c) ?: parse_id(c, q, &b);
		if (!rc)
			rc = op == T_AND ? f_and(c, f, &b) : f_or(c, f, &b);
	}
	return rc;
}

static int parse_id1(struct cc *c, struct qual q, struct frag *f);

static int parse_id(struct cc *c, struct qual q, struct frag *f)
{
	int rc = enter(c) ?: parse_id1(c, q, f);

	c->nest--;
	return rc;
}

static int parse_id1(struct cc *c, struct qual q, struct frag *f)
{
	struct tok t = c->tok, m;
	int rc;

	switch (t.t) {
	case T_NOT:
		rc = next(c) ?: parse_id(c, q, f);
		if (!rc)
			f_not(f);
		return rc;
	case T_LP:
		rc = next(c) ?: parse_pid(c, q, f);
		return rc ?: expect(c, T_RP, "')'");
	case T_NUM:
		return next(c) ?: id_num(c, &t, q, t.v, f);
	case T_HID:
		rc = next(c);
		if (rc)
			return rc;
		if (c->tok.t == T_SLASH) {
			m = peek(c, 1);
			if (m.t != T_NUM)
				return fail(c, &m, "syntax error: expected a "
					    "mask length");
			rc = next(c) ?: next(c);
			return rc ?: id_hid(c, &t, q, NULL, m.v > 32 ? 33 : (int)m.v, f);
		}
		if (c->tok.t == T_MASK) {
			m = peek(c, 1);
			if (m.t != T_HID)
				return fail(c, &m, "syntax error: expected a "
					    "netmask a.b.c.d");
			rc = next(c) ?: next(c);
			return rc ?: id_hid(c, &t, q, &m, -1, f);
		}
		return id_hid(c, &t, q, NULL, -1, f);
	case T_HID6:
		rc = next(c);
		if (rc)
			return rc;
		if (c->tok.t == T_SLASH) {
			m = peek(c, 1);
			if (m.t != T_NUM)
				return fail(c, &m, "syntax error: expected a "
					    "prefix length");
			rc = next(c) ?: next(c);
			return rc ?: id_hid6(c, &t, q, m.v > 128 ? 129 : m.v, f);
		}
		return id_hid6(c, &t, q, 128, f);
	case T_ID:
		return next(c) ?: id_name(c, &t, q, f);
	case T_EID:
	case T_AID:
		return fail(c, &t, "link-layer (MAC, ARCnet) addresses are not "
			    "supported");
	default:
		return fail(c, &t, "syntax error: expected an address, a "
			    "number or a name");
	}
}

/* ---- arithmetic (compiled into c->ab, emitted after its guard) --------- */

static int areg(struct cc *c, const struct tok *t)
{
	int r;

	for (r = REG_FIRST; r <= REG_LAST; r++) {
		if (!(c->regs & 1u << r)) {
			c->regs |= 1u << r;
			return r;
		}
	}
	return fail(c, t, "arithmetic too complex (more than %d values at once)",
		    REG_LAST - REG_FIRST + 1);
}

static int aemit(struct cc *c, const struct tok *t, struct bpf_insn i)
{
	if (c->an >= ARITH_MAX)
		return fail(c, t, "arithmetic too long (more than %d instructions)",
			    ARITH_MAX);
	c->ab[c->an++] = i;
	return 0;
}

static int aload(struct cc *c, const struct tok *t, struct arv *v, __s16 off,
		 __u32 size)
{
	int r = areg(c, t);
	__u8 sz = size == 1 ? BPF_B : size == 2 ? BPF_H : BPF_W;

	if (r < 0)
		return r;
	memset(v, 0, sizeof(*v));
	v->reg = r;
	return aemit(c, t, insn(BPF_LDX | BPF_MEM | sz, r, BPF_REG_1, off, 0));
}

static int aalu(struct cc *c, const struct tok *t, __u8 op, int dst, __u32 k)
{
	return aemit(c, t, insn(BPF_ALU | op | BPF_K, dst, 0, 0, k));
}

/* tcp[off:size]: the bytes struct ti_pkt has (ports and flags) */
static int tcp_load(struct cc *c, const struct tok *t, __u32 off, __u32 size,
		    struct arv *v)
{
	struct arv lo;
	int rc;

	if (off == 13 && size == 1) {
		rc = aload(c, t, v, OFF(tcp_flags), 1);
		v->flags = 1;
	} else if (off >= 4 || size > 4 - off) {
		return fail(c, t, "tcp[%u:%u] is not available: tcpinspect "
			    "filters on bytes 0-3 (ports) and 13 (flags)",
			    off, size);
	} else if (size == 2 && !(off & 1)) {
		rc = aload(c, t, v, off ? OFF(dport) : OFF(sport), 2);
	} else if (size == 1) {
		rc = aload(c, t, v, off < 2 ? OFF(sport) : OFF(dport), 2);
		if (!rc)
			rc = off & 1 ? aalu(c, t, BPF_AND, v->reg, 0xff) :
				       aalu(c, t, BPF_RSH, v->reg, 8);
	} else {
		/* tcp[0:4], tcp[1:2]: sport and dport side by side, big-endian */
		rc = aload(c, t, v, OFF(sport), 2) ?:
		     aload(c, t, &lo, OFF(dport), 2);
		if (rc)
			return rc;
		if (off == 1)
			rc = aalu(c, t, BPF_AND, v->reg, 0xff) ?:
			     aalu(c, t, BPF_LSH, v->reg, 8) ?:
			     aalu(c, t, BPF_RSH, lo.reg, 8);
		else
			rc = aalu(c, t, BPF_LSH, v->reg, 16);
		rc = rc ?: aemit(c, t, insn(BPF_ALU | BPF_OR | BPF_X, v->reg,
					    lo.reg, 0, 0));
		c->regs &= ~(1u << lo.reg);
	}
	v->guard = v->tcp = 1;
	v->tcp_pos = t->pos;
	return rc;
}

static int parse_arth(struct cc *c, struct arv *v);

/* l = l op r, libpcap's gen_arth: the result keeps only l's guard */
static int abin(struct cc *c, const struct tok *t, __u8 op, struct arv *l,
		struct arv *r)
{
	int rc = 0;

	if ((op == BPF_DIV || op == BPF_MOD) && r->reg < 0 && !r->k)
		return fail(c, t, op == BPF_DIV ? "division by zero" :
			    "modulus by zero");
	if ((op == BPF_LSH || op == BPF_RSH) && r->reg < 0 && r->k > 31)
		return fail(c, t, "shift by more than 31 bits");
	if ((op == BPF_LSH || op == BPF_RSH) && r->reg >= 0)
		return fail(c, t, "shift by a value from the packet is not "
			    "supported");
	if (l->reg < 0 && r->reg < 0) {
		__u32 a = l->k, b = r->k;

		switch (op) {
		case BPF_ADD: l->k = a + b; break;
		case BPF_SUB: l->k = a - b; break;
		case BPF_MUL: l->k = a * b; break;
		case BPF_DIV: l->k = a / b; break;
		case BPF_MOD: l->k = a % b; break;
		case BPF_AND: l->k = a & b; break;
		case BPF_OR: l->k = a | b; break;
		case BPF_XOR: l->k = a ^ b; break;
		case BPF_LSH: l->k = a << b; break;
		default: l->k = a >> b; break;
		}
		return 0;
	}
	if (l->reg < 0) {
		int reg = areg(c, t);

		if (reg < 0)
			return reg;
		rc = aemit(c, t, insn(BPF_ALU | BPF_MOV | BPF_K, reg, 0, 0, l->k));
		l->reg = reg;
	}
	if (!rc && r->reg < 0) {
		rc = aalu(c, t, op, l->reg, r->k);
	} else if (!rc) {
		if (op == BPF_DIV || op == BPF_MOD) {
			/* libpcap's filter returns 0 on a division by 0 */
			rc = aemit(c, t, insn(BPF_JMP32 | BPF_JEQ | BPF_K, r->reg,
					      0, c->a_aborts, 0));
			if (!rc)
				c->a_aborts = c->an;
		}
		rc = rc ?: aemit(c, t, insn(BPF_ALU | op | BPF_X, l->reg, r->reg,
					    0, 0));
		c->regs &= ~(1u << r->reg);
	}
	if (!l->tcp && r->tcp)
		l->tcp_pos = r->tcp_pos;
	l->tcp |= r->tcp;
	l->flags |= r->flags;
	return rc;
}

/*
 * libpcap gives '%' and '^' no precedence, so yacc shifts: they take
 * everything to their right ("len % 10 + 1" is len % 11).
 */
static int parse_primary(struct cc *c, struct arv *v)
{
	struct tok t = c->tok, s;
	struct arv idx;
	__u32 size = 1;
	int rc;

	memset(v, 0, sizeof(*v));
	v->reg = -1;
	switch (t.t) {
	case T_NUM:
		v->k = t.v;
		rc = next(c);
		break;
	case T_LEN:
		rc = next(c) ?: aload(c, &t, v, OFF(len), 4);
		break;
	case T_LP:
		rc = next(c) ?: parse_arth(c, v);
		rc = rc ?: expect(c, T_RP, "')'");
		break;
	case T_PNAME:
		if (t.v != P_TCP)
			return fail(c, &t, "only tcp[...] can be read: tcpinspect "
				    "has no other header bytes");
		rc = next(c) ?: expect(c, T_LB, "'['");
		s = c->tok;
		rc = rc ?: parse_arth(c, &idx);
		if (!rc && idx.reg >= 0)
			return fail(c, &s, "tcp[] needs a constant offset");
		if (!rc && c->tok.t == T_COLON) {
			s = peek(c, 1);
			if (s.t != T_NUM)
				return fail(c, &s, "syntax error: expected a size");
			if (s.v != 1 && s.v != 2 && s.v != 4)
				return fail(c, &s, "data size must be 1, 2, or 4");
			size = s.v;
			rc = next(c) ?: next(c);
		}
		rc = rc ?: expect(c, T_RB, "']'");
		rc = rc ?: tcp_load(c, &t, idx.k, size, v);
		break;
	default:
		return fail(c, &t, "syntax error: expected a number, len or "
			    "tcp[...]");
	}
	while (!rc && (c->tok.t == T_PCT || c->tok.t == T_CARET)) {
		struct tok o = c->tok;
		struct arv r;

		rc = next(c) ?: parse_arth(c, &r);
		rc = rc ?: abin(c, &o, o.t == T_PCT ? BPF_MOD : BPF_XOR, v, &r);
	}
	return rc;
}

static int parse_unary(struct cc *c, struct arv *v)
{
	struct tok t = c->tok;
	int rc;

	if (t.t != T_MINUS)
		return parse_primary(c, v);
	rc = enter(c) ?: next(c) ?: parse_unary(c, v);
	c->nest--;
	if (rc)
		return rc;
	if (v->reg < 0)
		v->k = -v->k;
	else
		rc = aemit(c, &t, insn(BPF_ALU | BPF_NEG, v->reg, 0, 0, 0));
	return rc;
}

/* levels, loosest first: | & << >> + - * / */
static int parse_level(struct cc *c, int level, struct arv *v)
{
	static const struct {
		enum tt t;
		__u8 op;
		int level;
	} ops[] = {
		{ T_BAR, BPF_OR, 0 }, { T_AMP, BPF_AND, 1 },
		{ T_LSH, BPF_LSH, 2 }, { T_RSH, BPF_RSH, 2 },
		{ T_PLUS, BPF_ADD, 3 }, { T_MINUS, BPF_SUB, 3 },
		{ T_STAR, BPF_MUL, 4 }, { T_SLASH, BPF_DIV, 4 },
	};
	int rc;
	size_t i;

	if (level > 4)
		return parse_unary(c, v);
	rc = parse_level(c, level + 1, v);
	while (!rc) {
		struct tok o = c->tok;
		struct arv r;

		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (ops[i].t == o.t && ops[i].level == level)
				break;
		if (i == sizeof(ops) / sizeof(ops[0]))
			break;
		rc = next(c) ?: parse_level(c, level + 1, &r);
		rc = rc ?: abin(c, &o, ops[i].op, v, &r);
	}
	return rc;
}

static int parse_arth(struct cc *c, struct arv *v)
{
	int rc = enter(c) ?: parse_level(c, 0, v);

	c->nest--;
	return rc;
}

/* IPv4, protocol 6, first fragment, at the current depth */
static int tcp_guard(struct cc *c, struct frag *f)
{
	struct frag p;
	__u32 v = l3_half(c->depth, 4);
	int rc;

	if (c->depth > TI_VLAN_MAX) {
		konst(c, f, 0);
		return 0;
	}
	rc = atom_in(c, f, OFF(vlan_cnt), 2, 0, &v, 1);
	rc = rc ?: atom_cmp(c, &p, OFF(has_ports), 1, BPF_JNE, 0);
	return rc ?: f_and(c, f, &p);
}

/* arth relop arth */
static int parse_relation(struct cc *c, struct frag *f)
{
	static const struct {
		enum tt t;
		__u8 op;
	} rel[] = {
		{ T_GT, BPF_JGT }, { T_GE, BPF_JGE }, { T_EQ, BPF_JEQ },
		{ T_LT, BPF_JLT }, { T_LE, BPF_JLE }, { T_NE, BPF_JNE },
	};
	struct arv l, r;
	struct frag g, b;
	struct tok o;
	__u32 i, base;
	__u8 op;
	int rc;

	c->an = 0;
	c->regs = 0;
	c->a_aborts = 0;
	rc = parse_arth(c, &l);
	if (rc)
		return rc;
	o = c->tok;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if (rel[i].t == o.t)
			break;
	if (i == sizeof(rel) / sizeof(rel[0]))
		return fail(c, &o, "syntax error: expected a comparison "
			    "(> >= = == < <= !=)");
	op = rel[i].op;
	rc = next(c) ?: parse_arth(c, &r);
	if (rc)
		return rc;
	if ((l.tcp || r.tcp) && !l.guard && !r.guard) {
		struct tok at = { .t = T_PNAME, .s = c->expr +
				  (l.tcp ? l.tcp_pos : r.tcp_pos) - 1, .len = 3,
				  .pos = l.tcp ? l.tcp_pos : r.tcp_pos };

		return fail(c, &at, "put tcp[...] first in its arithmetic: "
			    "libpcap does not check that the packet is TCP "
			    "when it stands right of an operator");
	}
	if (l.reg < 0 && r.reg < 0) {
		__u32 a = l.k, k = r.k;
		int v = op == BPF_JGT ? a > k : op == BPF_JGE ? a >= k :
			op == BPF_JEQ ? a == k : op == BPF_JLT ? a < k :
			op == BPF_JLE ? a <= k : a != k;

		konst(c, f, v);
		return 0;
	}
	if (l.reg < 0) {
		struct arv x = l;

		l = r;
		r = x;
		op = mirror(op);
	}
	if (l.tcp || r.tcp) {
		rc = tcp_guard(c, &g);
		if (rc || g.k == 0) {
			if (!rc)
				*f = g;
			return rc;
		}
	}
	code(c, &b);
	if (l.flags || r.flags) {
		/* byte 13 not in the frame: libpcap's load fails, filter returns 0 */
		rc = load(c, R_SCRATCH, OFF(has_flags), 1);
		rc = rc ?: jump(c, &c->aborts, BPF_JEQ, R_SCRATCH, 0);
	}
	base = c->n;
	for (i = 0; !rc && i < c->an; i++)
		rc = emit(c, c->ab[i]);
	for (i = c->a_aborts; !rc && i; ) {
		__u32 at = base + i - 1;

		i = c->out[at].off;
		push(c, &c->aborts, at);
	}
	if (rc)
		return rc;
	if (r.reg < 0)
		rc = jump(c, &b.t, op, l.reg, r.k);
	else if (!(rc = emit(c, insn(BPF_JMP32 | op | BPF_X, l.reg, r.reg, 0, 0))))
		push(c, &b.t, c->n - 1);
	if (rc)
		return rc;
	if (l.tcp || r.tcp) {
		*f = g;
		return f_and(c, f, &b);
	}
	*f = b;
	return 0;
}

/* ---- terms and expressions --------------------------------------------- */

static int is_relop(enum tt t)
{
	return t == T_GT || t == T_GE || t == T_EQ || t == T_LT || t == T_LE ||
	       t == T_NE;
}

static int is_arith_op(enum tt t)
{
	return t == T_PLUS || t == T_MINUS || t == T_STAR || t == T_SLASH ||
	       t == T_PCT || t == T_AMP || t == T_BAR || t == T_CARET ||
	       t == T_LSH || t == T_RSH;
}

/* Does the '(' here open arithmetic ("(len - 4) > 0") or an expression? */
static int paren_is_arith(const struct cc *c)
{
	const char *p = c->p;
	struct tok t = c->tok;
	int depth = 1;

	while (depth) {
		p = lex_at(c, p, &t);
		if (t.t == T_END || t.t == T_ERR)
			return 0;
		depth += (t.t == T_LP) - (t.t == T_RP);
	}
	lex_at(c, p, &t);
	return is_relop(t.t) || is_arith_op(t.t);
}

/* After and/or: does an id (inheriting qualifiers) follow, or a term? */
static int id_follows(const struct cc *c)
{
	const char *p = c->p;
	struct tok t = c->tok;

	while (t.t == T_NOT || t.t == T_LP)
		p = lex_at(c, p, &t);
	switch (t.t) {
	case T_HID:
	case T_HID6:
	case T_ID:
	case T_EID:
	case T_AID:
		return 1;
	case T_NUM:
		do
			p = lex_at(c, p, &t);
		while (t.t == T_RP);
		return !is_relop(t.t) && !is_arith_op(t.t);
	default:
		return 0;
	}
}

static int is_qual_kw(enum tt t)
{
	return t == T_SRC || t == T_DST || t == T_HOST || t == T_NET ||
	       t == T_PORT || t == T_PORTRANGE || t == T_PROTO || t == T_QUAL;
}

/* head id: [proto] [dir] [host|net|port|portrange] id, or [proto] proto id */
static int parse_head(struct cc *c, struct frag *f, struct qual *q)
{
	struct tok t = c->tok, u;
	int rc = 0;

	q->proto = P_DEF;
	q->dir = D_DEF;
	q->addr = A_DEF;
	if (t.t == T_PNAME) {
		if (t.v != P_IP && t.v != P_IP6 && t.v != P_TCP)
			return unsupported(c, &t);
		q->proto = t.v;
		rc = next(c);
	}
	if (!rc && (c->tok.t == T_SRC || c->tok.t == T_DST)) {
		enum tt d = c->tok.t, other = d == T_SRC ? T_DST : T_SRC;

		q->dir = d == T_SRC ? D_SRC : D_DST;
		u = peek(c, 1);
		if ((u.t == T_OR || u.t == T_AND) && peek(c, 2).t == other) {
			q->dir = u.t == T_OR ? D_OR : D_AND;
			rc = next(c) ?: next(c);
		}
		rc = rc ?: next(c);
	}
	if (rc)
		return rc;
	switch (c->tok.t) {
	case T_HOST:
		q->addr = A_HOST;
		break;
	case T_NET:
		q->addr = A_NET;
		break;
	case T_PORT:
		q->addr = A_PORT;
		break;
	case T_PORTRANGE:
		q->addr = A_PORTRANGE;
		break;
	case T_PROTO:
		if (q->dir != D_DEF)
			return fail(c, &c->tok, "syntax error: no direction "
				    "applies to 'proto'");
		q->addr = A_PROTO;
		break;
	case T_QUAL:
		return unsupported(c, &c->tok);
	default:
		break;
	}
	if (q->addr != A_DEF)
		rc = next(c);
	return rc ?: parse_id(c, *q, f);
}

static int parse_expr(struct cc *c, struct qual inh, struct frag *f,
		      struct qual *q);

static int parse_rterm(struct cc *c, struct qual inh, struct frag *f,
		       struct qual *q)
{
	struct tok t = c->tok, u;
	struct qual dummy;
	int rc;

	*q = qerr;
	switch (t.t) {
	case T_LP:
		if (paren_is_arith(c))
			return parse_relation(c, f);
		rc = next(c) ?: parse_expr(c, inh, f, &dummy);
		*q = inh;	/* libpcap: the qualifiers before the '(' */
		return rc ?: expect(c, T_RP, "')'");
	case T_PNAME:
		u = peek(c, 1);
		if (u.t == T_LB)
			return parse_relation(c, f);
		if (is_qual_kw(u.t))
			return parse_head(c, f, q);
		if (t.v == P_IP || t.v == P_IP6)
			return next(c) ?: gen_l3(c, f, t.v == P_IP ? 4 : 6);
		if (t.v == P_TCP)
			return next(c) ?: gen_proto(c, f, IPPROTO_TCP_, P_DEF);
		return unsupported(c, &t);
	case T_SRC:
	case T_DST:
	case T_HOST:
	case T_NET:
	case T_PORT:
	case T_PORTRANGE:
	case T_PROTO:
	case T_QUAL:
		return parse_head(c, f, q);
	case T_LESS:
	case T_GREATER:
		rc = next(c);
		u = c->tok;
		if (!rc && u.t != T_NUM)
			return fail(c, &u, "syntax error: expected a number");
		rc = rc ?: next(c);
		return rc ?: atom_cmp(c, f, OFF(len), 4, t.t == T_LESS ?
				      BPF_JLE : BPF_JGE, u.v);
	case T_VLAN:
		rc = next(c);
		if (rc)
			return rc;
		u = c->tok;
		if (u.t == T_LP && peek(c, 1).t == T_NUM && peek(c, 2).t == T_RP) {
			u = peek(c, 1);
			rc = next(c) ?: next(c);
		} else if (u.t != T_NUM) {
			return gen_vlan(c, f, 0, 0);
		}
		if (u.v > 4095)
			return fail(c, &u, "VLAN tag %u greater than maximum 4095",
				    u.v);
		rc = rc ?: next(c);
		return rc ?: gen_vlan(c, f, 1, u.v);
	case T_NUM:
	case T_LEN:
	case T_MINUS:
		return parse_relation(c, f);
	case T_KW:
		return unsupported(c, &t);
	case T_HID:
	case T_HID6:
	case T_ID:
		return fail(c, &t, "syntax error: an address or name needs a "
			    "qualifier here (host, net, port...)");
	case T_EID:
	case T_AID:
		return fail(c, &t, "link-layer (MAC, ARCnet) addresses are not "
			    "supported");
	case T_END:
		return fail(c, &t, "syntax error: expression expected");
	default:
		return fail(c, &t, "syntax error");
	}
}

static int parse_term(struct cc *c, struct qual inh, struct frag *f,
		      struct qual *q)
{
	int rc;

	if (c->tok.t != T_NOT)
		return parse_rterm(c, inh, f, q);
	rc = enter(c) ?: next(c) ?: parse_term(c, inh, f, q);
	c->nest--;
	if (!rc)
		f_not(f);
	return rc;
}

/* term { and|or term-or-id }: equal precedence, left to right */
static int parse_expr(struct cc *c, struct qual inh, struct frag *f,
		      struct qual *q)
{
	struct frag b;
	enum tt op;
	int rc;

	rc = enter(c) ?: parse_term(c, inh, f, q);
	while (!rc && (c->tok.t == T_AND || c->tok.t == T_OR)) {
		op = c->tok.t;
		rc = next(c);
		if (rc)
			break;
		if (id_follows(c))
			rc = parse_id(c, *q, &b);
		else
			rc = parse_term(c, *q, &b, q);
		if (!rc)
			rc = op == T_AND ? f_and(c, f, &b) : f_or(c, f, &b);
	}
	c->nest--;
	return rc;
}

int flt_compile(const char *expr, struct bpf_insn *out, __u32 max,
		__u32 *cnt, char *err, size_t err_len)
{
	struct cc c = {
		.expr = expr ? expr : "",
		.out = out,
		.cap = max < FLT_MAX_INSNS ? max : FLT_MAX_INSNS,
		.err = err,
		.err_len = err_len,
	};
	struct qual q;
	struct frag f;
	int rc, acc_first;
	__u32 acc, rej;

	if (err && err_len)
		err[0] = 0;
	c.p = c.expr;
	rc = next(&c);
	if (!rc && c.tok.t == T_END) {
		konst(&c, &f, 1);
	} else if (!rc) {
		rc = parse_expr(&c, qerr, &f, &q);
		if (!rc && c.tok.t != T_END)
			rc = fail(&c, &c.tok, c.tok.t == T_RP ?
				  "syntax error: unbalanced ')'" :
				  "syntax error: expected and, or or the end");
	}
	if (rc)
		return rc;
	if (f.k >= 0) {
		c.n = 0;
		rc = emit(&c, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
				   f.k));
		rc = rc ?: emit(&c, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		if (rc)
			return rc;
		*cnt = c.n;
		return 0;
	}
	/* whichever block the code falls into comes first */
	acc_first = f.ft;
	acc = c.n + (acc_first ? 0 : 2);
	rej = c.n + (acc_first ? 2 : 0);
	rc = emit(&c, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
			   acc_first));
	rc = rc ?: emit(&c, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	rc = rc ?: emit(&c, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
				 !acc_first));
	rc = rc ?: emit(&c, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	if (rc)
		return rc;
	resolve(&c, f.t, acc);
	resolve(&c, f.f, rej);
	resolve(&c, c.aborts, rej);
	*cnt = c.n;
	return 0;
}
