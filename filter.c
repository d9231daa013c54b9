// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - tcpdump filter expressions (pcap-filter(7)) read as
 * libpcap 1.10 reads them for an Ethernet capture file (see filter.h,
 * fltcc.h): the scanner and the parser, which calls fltgen.c for each
 * primitive as libpcap's grammar calls gencode.c.
 *
 * The scanner is libpcap's: longest match, then the order of its
 * rules (keywords, "$xx", MAC addresses, numbers, dotted addresses,
 * IPv6 addresses, the number names such as tcp-syn and icmp-echo,
 * names, "\name"); a name may contain '-', so "len-4" is a name.
 * Numbers are decimal, 0x hex or 0 octal, at most 32 bits.
 *
 * The grammar is libpcap's (grammar.y), with its yacc-made quirks:
 *
 *   expr  := term { (and|&&|or||) (term | id) }   equal precedence,
 *                                                  left to right
 *   term  := (not|!) term | "(" expr ")" | head id | pname | arth relop arth
 *          | other
 *   head  := [pname] [dir] [host|net|port|portrange] | [pname] proto
 *          | [pname] protochain | [pname] gateway
 *   dir   := src | dst | src or dst | src and dst | dst or src | dst and src
 *          | addr1..addr4 | ra | ta
 *   id    := name | num | a.b.c.d[/len | mask m.m.m.m] | ipv6[/len] | mac
 *          | $xx | not id | "(" id {(and|or) id} ")"
 *   other := [pname] broadcast | [pname] multicast | less N | greater N
 *          | byte N op N | vlan [num] | mpls [num] | pppoed
 *          | pppoes [num] | geneve [num] | llc [type] | inbound | outbound
 *          | ifindex N | the 802.11, PF, ATM and SS7 words (errors on
 *            Ethernet, as in libpcap)
 *   arth  := num | len | pname "[" arth [":" 1|2|4] "]" | arth op arth
 *          | - arth | "(" arth ")"
 *            op: | & << >> + - * / in C's precedence; % and ^ have none
 *            (yacc shifts): they take all that follows them
 *   relop := > >= = == < <= !=
 *   num   := N | "(" num ")"
 *
 * A bare id after and/or repeats the qualifiers of what came before it
 * ("host a or b", "tcp port 80 or 443"; after a term in parentheses,
 * the qualifiers in force before the parenthesis: "(host a) or b" is a
 * syntax error, as in libpcap).  Every vlan, mpls, pppoes and geneve
 * moves the primitives parsed after it, whatever and/or/not stand
 * between, as libpcap's offsets do.
 *
 * Differences from libpcap: none in what is accepted, refused (with
 * libpcap's message) or compiled (flt_cbpf's program is libpcap's,
 * instruction for instruction), but for the limits: nesting deeper
 * than FLT_MAX_NEST ("(", "[", not, unary minus, and % and ^, which
 * nest to their right), FLT_MAX_BLOCKS, the memory, and names, which
 * come only from the caller's text of the /etc files and the built-in
 * tables (fltnames.c).  What the eBPF translation does otherwise is in
 * fltebpf.c and the man page's "Differences from tcpdump".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "fltcc.h"

enum tt {
	T_END, T_ERR,
	T_LP, T_RP, T_LB, T_RB, T_COLON, T_NOT, T_AND, T_OR,
	T_GT, T_GE, T_EQ, T_LT, T_LE, T_NE,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_AMP, T_BAR, T_CARET,
	T_LSH, T_RSH,
	T_NUM, T_HID, T_HID6, T_ID, T_EID, T_AID,
	T_PNAME,	/* v: Q_* protocol */
	T_SRC, T_DST, T_DQ,	/* T_DQ v: Q_ADDR1.. Q_TA */
	T_HOST, T_NET, T_MASK, T_PORT, T_PORTRANGE, T_PROTO, T_PROTOCHAIN,
	T_GATEWAY, T_LESS, T_GREATER, T_BYTE, T_BROADCAST, T_MULTICAST,
	T_LEN, T_INBOUND, T_OUTBOUND, T_IFINDEX, T_VLAN, T_MPLS, T_PPPOED,
	T_PPPOES, T_GENEVE, T_LLC, T_TYPE, T_SUBTYPE, T_DIR,
	T_PF,		/* v: PF_* below */
	T_ATM,		/* ATM and SS7 words: v indexes errwords */
};

enum { PF_IFNAME, PF_RSET, PF_RNR, PF_SRNR, PF_REASON, PF_ACTION };

struct tok {
	enum tt t;
	__u32 v;
	const char *s;
	__u32 len;
	__u32 pos;		/* 1-based */
	const char *why;	/* T_ERR */
};

struct pv {
	struct fblock *b;
	struct fqual q;
};

struct ps {
	struct fcc *c;
	const char *expr;
	const char *p;		/* after tok */
	struct tok tok;
};

static const struct fqual qerr = { Q_UNDEF, Q_UNDEF, Q_UNDEF, Q_UNDEF };

/* ---- errors ---------------------------------------------------------- */

static void at(struct ps *s, const struct tok *t)
{
	s->c->err_pos = t->pos;
	s->c->err_tok = t->t == T_END ? "end of expression" : t->s;
	s->c->err_tok_len = t->t == T_END ? 17 : t->len;
	if (t->t == T_ID && t->s > s->expr && t->s[-1] == '\\') {
		s->c->err_tok--;	/* show the backslash */
		s->c->err_tok_len++;
	}
}

static void __attribute__((noreturn)) perr(struct ps *s, const struct tok *t,
					   const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	at(s, t);
	fcc_fail(s->c, -EINVAL, "%s", msg);
}

/* ---- scanner ----------------------------------------------------------- */

static const struct kw {
	const char *name;
	enum tt t;
	__u32 v;
} kws[] = {
	{ "dst", T_DST, 0 }, { "src", T_SRC, 0 },
	{ "link", T_PNAME, Q_LINK }, { "ether", T_PNAME, Q_LINK },
	{ "ppp", T_PNAME, Q_LINK }, { "slip", T_PNAME, Q_LINK },
	{ "fddi", T_PNAME, Q_LINK }, { "tr", T_PNAME, Q_LINK },
	{ "wlan", T_PNAME, Q_LINK }, { "arp", T_PNAME, Q_ARP },
	{ "rarp", T_PNAME, Q_RARP }, { "ip", T_PNAME, Q_IP },
	{ "sctp", T_PNAME, Q_SCTP }, { "tcp", T_PNAME, Q_TCP },
	{ "udp", T_PNAME, Q_UDP }, { "icmp", T_PNAME, Q_ICMP },
	{ "igmp", T_PNAME, Q_IGMP }, { "igrp", T_PNAME, Q_IGRP },
	{ "pim", T_PNAME, Q_PIM }, { "vrrp", T_PNAME, Q_VRRP },
	{ "carp", T_PNAME, Q_CARP }, { "radio", T_PNAME, Q_RADIO },
	{ "ip6", T_PNAME, Q_IPV6 }, { "icmp6", T_PNAME, Q_ICMPV6 },
	{ "ah", T_PNAME, Q_AH }, { "esp", T_PNAME, Q_ESP },
	{ "atalk", T_PNAME, Q_ATALK }, { "aarp", T_PNAME, Q_AARP },
	{ "decnet", T_PNAME, Q_DECNET }, { "lat", T_PNAME, Q_LAT },
	{ "sca", T_PNAME, Q_SCA }, { "moprc", T_PNAME, Q_MOPRC },
	{ "mopdl", T_PNAME, Q_MOPDL }, { "iso", T_PNAME, Q_ISO },
	{ "esis", T_PNAME, Q_ESIS }, { "es-is", T_PNAME, Q_ESIS },
	{ "isis", T_PNAME, Q_ISIS }, { "is-is", T_PNAME, Q_ISIS },
	{ "l1", T_PNAME, Q_ISIS_L1 }, { "l2", T_PNAME, Q_ISIS_L2 },
	{ "iih", T_PNAME, Q_ISIS_IIH }, { "lsp", T_PNAME, Q_ISIS_LSP },
	{ "snp", T_PNAME, Q_ISIS_SNP }, { "csnp", T_PNAME, Q_ISIS_CSNP },
	{ "psnp", T_PNAME, Q_ISIS_PSNP }, { "clnp", T_PNAME, Q_CLNP },
	{ "stp", T_PNAME, Q_STP }, { "ipx", T_PNAME, Q_IPX },
	{ "netbeui", T_PNAME, Q_NETBEUI },
	{ "host", T_HOST, 0 }, { "net", T_NET, 0 }, { "mask", T_MASK, 0 },
	{ "port", T_PORT, 0 }, { "portrange", T_PORTRANGE, 0 },
	{ "proto", T_PROTO, 0 }, { "protochain", T_PROTOCHAIN, 0 },
	{ "gateway", T_GATEWAY, 0 }, { "type", T_TYPE, 0 },
	{ "subtype", T_SUBTYPE, 0 }, { "direction", T_DIR, 0 },
	{ "dir", T_DIR, 0 }, { "address1", T_DQ, Q_ADDR1 },
	{ "addr1", T_DQ, Q_ADDR1 }, { "address2", T_DQ, Q_ADDR2 },
	{ "addr2", T_DQ, Q_ADDR2 }, { "address3", T_DQ, Q_ADDR3 },
	{ "addr3", T_DQ, Q_ADDR3 }, { "address4", T_DQ, Q_ADDR4 },
	{ "addr4", T_DQ, Q_ADDR4 }, { "ra", T_DQ, Q_RA }, { "ta", T_DQ, Q_TA },
	{ "less", T_LESS, 0 }, { "greater", T_GREATER, 0 },
	{ "byte", T_BYTE, 0 }, { "broadcast", T_BROADCAST, 0 },
	{ "multicast", T_MULTICAST, 0 }, { "and", T_AND, 0 },
	{ "or", T_OR, 0 }, { "not", T_NOT, 0 }, { "len", T_LEN, 0 },
	{ "length", T_LEN, 0 }, { "inbound", T_INBOUND, 0 },
	{ "outbound", T_OUTBOUND, 0 }, { "ifindex", T_IFINDEX, 0 },
	{ "vlan", T_VLAN, 0 }, { "mpls", T_MPLS, 0 },
	{ "pppoed", T_PPPOED, 0 }, { "pppoes", T_PPPOES, 0 },
	{ "geneve", T_GENEVE, 0 }, { "llc", T_LLC, 0 },
	{ "on", T_PF, PF_IFNAME }, { "ifname", T_PF, PF_IFNAME },
	{ "rset", T_PF, PF_RSET }, { "ruleset", T_PF, PF_RSET },
	{ "rnr", T_PF, PF_RNR }, { "rulenum", T_PF, PF_RNR },
	{ "srnr", T_PF, PF_SRNR }, { "subrulenum", T_PF, PF_SRNR },
	{ "reason", T_PF, PF_REASON }, { "action", T_PF, PF_ACTION },
};

/* ATM and SS7 words: errors on Ethernet, with libpcap's message */
static const struct {
	const char *name, *msg;
} errwords[] = {
	{ "lane", "'lane' supported only on raw ATM" },
	{ "metac", "'metac' supported only on raw ATM" },
	{ "bcc", "'bcc' supported only on raw ATM" },
	{ "oam", "'oam' supported only on raw ATM" },
	{ "oamf4", "'oamf4' supported only on raw ATM" },
	{ "oamf4ec", "'oam4ec' supported only on raw ATM" },
	{ "oamf4sc", "'oam4sc' supported only on raw ATM" },
	{ "sc", "'sc' supported only on raw ATM" },
	{ "ilmic", "'ilmic' supported only on raw ATM" },
	{ "vpi", "'vpi' supported only on raw ATM" },
	{ "vci", "'vci' supported only on raw ATM" },
	{ "connectmsg", "'connectmsg' supported only on raw ATM" },
	{ "metaconnect", "'metaconnect' supported only on raw ATM" },
	{ "fisu", "'fisu' supported only on MTP2" },
	{ "lssu", "'lssu' supported only on MTP2" },
	{ "lsu", "'lssu' supported only on MTP2" },
	{ "msu", "'msu' supported only on MTP2" },
	{ "hfisu", "'hfisu' supported only on MTP2_HSL" },
	{ "hlssu", "'hlssu' supported only on MTP2_HSL" },
	{ "hmsu", "'hmsu' supported only on MTP2_HSL" },
	{ "sio", "'sio' supported only on SS7" },
	{ "opc", "'opc' supported only on SS7" },
	{ "dpc", "'dpc' supported only on SS7" },
	{ "sls", "'sls' supported only on SS7" },
	{ "hsio", "'hsio' supported only on SS7" },
	{ "hopc", "'hopc' supported only on SS7" },
	{ "hdpc", "'hdpc' supported only on SS7" },
	{ "hsls", "'hsls' supported only on SS7" },
};

/* The words libpcap's scanner turns into numbers. */
static const struct {
	const char *name;
	__u32 v;
} numwords[] = {
	{ "icmptype", 0 }, { "icmpcode", 1 }, { "icmp-echoreply", 0 },
	{ "icmp-unreach", 3 }, { "icmp-sourcequench", 4 },
	{ "icmp-redirect", 5 }, { "icmp-echo", 8 }, { "icmp-routeradvert", 9 },
	{ "icmp-routersolicit", 10 }, { "icmp-timxceed", 11 },
	{ "icmp-paramprob", 12 }, { "icmp-tstamp", 13 },
	{ "icmp-tstampreply", 14 }, { "icmp-ireq", 15 },
	{ "icmp-ireqreply", 16 }, { "icmp-maskreq", 17 },
	{ "icmp-maskreply", 18 }, { "icmp6type", 0 }, { "icmp6code", 1 },
	{ "icmp6-destinationunreach", 1 }, { "icmp6-packettoobig", 2 },
	{ "icmp6-timeexceeded", 3 }, { "icmp6-parameterproblem", 4 },
	{ "icmp6-echo", 128 }, { "icmp6-echoreply", 129 },
	{ "icmp6-multicastlistenerquery", 130 },
	{ "icmp6-multicastlistenerreportv1", 131 },
	{ "icmp6-multicastlistenerdone", 132 },
	{ "icmp6-routersolicit", 133 }, { "icmp6-routeradvert", 134 },
	{ "icmp6-neighborsolicit", 135 }, { "icmp6-neighboradvert", 136 },
	{ "icmp6-redirect", 137 }, { "icmp6-routerrenum", 138 },
	{ "icmp6-nodeinformationquery", 139 },
	{ "icmp6-nodeinformationresponse", 140 },
	{ "icmp6-ineighbordiscoverysolicit", 141 },
	{ "icmp6-ineighbordiscoveryadvert", 142 },
	{ "icmp6-multicastlistenerreportv2", 143 },
	{ "icmp6-homeagentdiscoveryrequest", 144 },
	{ "icmp6-homeagentdiscoveryreply", 145 },
	{ "icmp6-mobileprefixsolicit", 146 },
	{ "icmp6-mobileprefixadvert", 147 }, { "icmp6-certpathsolicit", 148 },
	{ "icmp6-certpathadvert", 149 },
	{ "icmp6-multicastrouteradvert", 151 },
	{ "icmp6-multicastroutersolicit", 152 },
	{ "icmp6-multicastrouterterm", 153 }, { "tcpflags", 13 },
	{ "tcp-fin", 0x01 }, { "tcp-syn", 0x02 }, { "tcp-rst", 0x04 },
	{ "tcp-push", 0x08 }, { "tcp-ack", 0x10 }, { "tcp-urg", 0x20 },
	{ "tcp-ece", 0x40 }, { "tcp-cwr", 0x80 },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

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

/* {N}: [0-9]+ | 0[xX][0-9A-Fa-f]+ */
static __u32 span_num(const char *p)
{
	__u32 n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_hex(p[2])) {
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

/* 1 to 4 hex digits */
static __u32 span_w(const char *p)
{
	__u32 n = 0;

	while (n < 4 && is_hex(p[n]))
		n++;
	return n;
}

/*
 * Does s[0, len) match one of libpcap's IPv6 patterns?  W:W:W:W:W:W:W:W,
 * the forms with one "::" and at most 7 groups, and those with a
 * dotted IPv4 tail instead of the last two groups.
 */
static int is_v6(const char *s, __u32 len)
{
	__u32 i = 0, groups = 0, n;
	int dbl = 0, v4 = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = 1;
		i = 2;
	}
	while (i < len) {
		n = span_hid(s + i);
		if (n && i + n == len && (n = span_hid(s + i)) &&
		    memchr(s + i, '.', n)) {
			/* N.N.N.N exactly */
			__u32 j, dots = 0;

			for (j = i; j < len; j++)
				dots += s[j] == '.';
			if (dots != 3)
				return 0;
			v4 = 1;
			i = len;
			break;
		}
		n = span_w(s + i);
		if (!n)
			return 0;
		i += n;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return 0;
		if (i + 1 < len && s[i + 1] == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			i += 2;
			if (i == len)
				break;
		} else {
			i++;
			if (i == len)
				return 0;
		}
	}
	if (v4)
		return dbl ? groups <= 5 : groups == 6;
	return dbl ? groups <= 7 : groups == 8;
}

static __u32 span_v6(const char *p)
{
	__u32 n = 0;

	while (is_hex(p[n]) || p[n] == ':' || p[n] == '.' || p[n] == 'x' ||
	       p[n] == 'X')
		n++;
	for (; n >= 2; n--)
		if (memchr(p, ':', n) && is_v6(p, n))
			return n;
	return 0;
}

int fcc_inet6(const char *s, __u32 len, __u8 *a)
{
	char buf[64];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

/* hex groups of min..max digits separated by sep, exactly cnt of them */
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

/* libpcap's MAC address forms */
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
	return best;
}

/* {B}:+({B}:+)+ : "bogus ethernet address" */
static __u32 span_bogus_mac(const char *p)
{
	__u32 n = 0, i;

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
	return i >= 2 ? n : 0;
}

/* libpcap's stou(): decimal, 0x hex, 0 octal; 32 bits */
static void lex_num(struct tok *t)
{
	const char *s = t->s;
	__u32 i = 0, base = 10, d;
	__u64 n = 0;

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
			t->why = "number contains non-octal digit";
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

/* The token at p: the longest match, then libpcap's rule order. */
static const char *lex_at(const struct ps *s, const char *p, struct tok *t)
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
	__u32 lid, lnum, lhid, lv6, lmac, lbog, best;
	size_t i;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	memset(t, 0, sizeof(*t));
	t->s = p;
	t->pos = p - s->expr + 1;
	if (!*p) {
		t->t = T_END;
		return p;
	}
	lv6 = span_v6(p);
	lbog = span_bogus_mac(p);
	if (*p == ':' && (lv6 || lbog)) {
		t->len = lv6 >= lbog ? lv6 : lbog;
		t->t = lv6 >= lbog ? T_HID6 : T_ERR;
		t->why = "bogus ethernet address";
		return p + t->len;
	}
	for (i = 0; i < ARRAY_LEN(ops); i++) {
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
	if (lbog > best)
		best = lbog;
	t->len = best;
	/* equal lengths: keywords, MAC, number, address, IPv6, bogus MAC,
	 * number words, name */
	if (lid == best) {
		for (i = 0; i < ARRAY_LEN(kws); i++) {
			if (word_is(p, best, kws[i].name)) {
				t->t = kws[i].t;
				t->v = kws[i].v;
				return p + best;
			}
		}
		for (i = 0; i < ARRAY_LEN(errwords); i++) {
			if (word_is(p, best, errwords[i].name)) {
				t->t = T_ATM;
				t->v = i;
				return p + best;
			}
		}
	}
	if (lmac == best) {
		t->t = T_EID;
	} else if (lnum == best) {
		lex_num(t);
	} else if (lhid == best) {
		t->t = T_HID;
	} else if (lv6 == best) {
		__u8 a[16];

		t->t = T_HID6;
		if (fcc_inet6(p, best, a)) {
			t->t = T_ERR;
			t->why = "bogus IPv6 address";
		}
	} else if (lbog == best) {
		t->t = T_ERR;
		t->why = "bogus ethernet address";
	} else {
		t->t = T_ID;
		for (i = 0; i < ARRAY_LEN(numwords); i++) {
			if (word_is(p, best, numwords[i].name)) {
				t->t = T_NUM;
				t->v = numwords[i].v;
				break;
			}
		}
	}
	return p + best;
bad:
	t->t = T_ERR;
	t->len = 1;
	t->why = "syntax error";
	return p + 1;
}

static void next(struct ps *s)
{
	s->p = lex_at(s, s->p, &s->tok);
	if (s->tok.t == T_ERR)
		perr(s, &s->tok, "%s", s->tok.why);
}

/* The token after the current one (k = 1) or further. */
static struct tok peek(const struct ps *s, int k)
{
	const char *p = s->p;
	struct tok t = s->tok;

	while (k-- > 0 && t.t != T_END)
		p = lex_at(s, p, &t);
	return t;
}

static void enter(struct ps *s)
{
	if (++s->c->nest > FLT_MAX_NEST) {
		at(s, &s->tok);
		fcc_fail(s->c, -E2BIG, "nested more than %d deep", FLT_MAX_NEST);
	}
}

static void leave(struct ps *s)
{
	s->c->nest--;
}

static void expect(struct ps *s, enum tt t, const char *what)
{
	if (s->tok.t != t)
		perr(s, &s->tok, "syntax error: expected %s", what);
	next(s);
}

/* ---- classification -------------------------------------------------- */

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
static int paren_is_arith(const struct ps *s)
{
	const char *p = s->p;
	struct tok t = s->tok;
	int depth = 1;

	while (depth) {
		p = lex_at(s, p, &t);
		if (t.t == T_END || t.t == T_ERR)
			return 0;
		depth += (t.t == T_LP) - (t.t == T_RP);
	}
	lex_at(s, p, &t);
	return is_relop(t.t) || is_arith_op(t.t);
}

/* After and/or: does an id (inheriting qualifiers) follow, or a term? */
static int id_follows(const struct ps *s)
{
	const char *p = s->p;
	struct tok t = s->tok;

	while (t.t == T_NOT || t.t == T_LP)
		p = lex_at(s, p, &t);
	switch (t.t) {
	case T_HID:
	case T_HID6:
	case T_ID:
	case T_EID:
	case T_AID:
		return 1;
	case T_NUM:
		do
			p = lex_at(s, p, &t);
		while (t.t == T_RP);
		return !is_relop(t.t) && !is_arith_op(t.t);
	default:
		return 0;
	}
}

/* ---- ids ------------------------------------------------------------- */

static struct pv parse_id(struct ps *s, struct fqual q);

/* pnum: NUM | "(" pnum ")" */
static __u32 parse_pnum(struct ps *s)
{
	struct tok t = s->tok;
	__u32 v;

	if (t.t == T_NUM) {
		next(s);
		return t.v;
	}
	if (t.t != T_LP)
		perr(s, &t, "syntax error: expected a number");
	enter(s);
	next(s);
	v = parse_pnum(s);
	expect(s, T_RP, "')'");
	leave(s);
	return v;
}

/* a and/or b (as libpcap's gen_and, gen_or: b's block then stands for
 * both), with b's qualifiers */
static struct pv join(enum tt op, struct pv a, struct pv b)
{
	if (op == T_AND)
		fcc_and(a.b, b.b);
	else
		fcc_or(a.b, b.b);
	return b;
}

/* ids joined by and/or inside parentheses, all with the same qualifiers */
static struct pv parse_pid(struct ps *s, struct fqual q)
{
	struct pv a = parse_id(s, q);
	enum tt op;

	while (s->tok.t == T_AND || s->tok.t == T_OR) {
		op = s->tok.t;
		next(s);
		a = join(op, a, parse_id(s, q));
	}
	return a;
}

static struct pv parse_id1(struct ps *s, struct fqual q)
{
	struct tok t = s->tok, m;
	struct pv r = { NULL, q };
	__u32 len;

	switch (t.t) {
	case T_NOT:
		enter(s);
		next(s);
		r = parse_id(s, q);
		leave(s);
		fcc_not(r.b);
		return r;
	case T_LP:
		enter(s);
		next(s);
		r = parse_pid(s, q);
		expect(s, T_RP, "')'");
		leave(s);
		return r;
	case T_NUM:
		next(s);
		at(s, &t);
		r.b = fcc_ncode(s->c, NULL, 0, t.v, q);
		return r;
	case T_HID:
		next(s);
		if (s->tok.t == T_SLASH) {
			m = peek(s, 1);
			if (m.t != T_NUM)
				perr(s, &m, "syntax error: expected a mask length");
			next(s);
			next(s);
			at(s, &t);
			r.b = fcc_mcode(s->c, t.s, t.len, NULL, 0, m.v, q);
			return r;
		}
		if (s->tok.t == T_MASK) {
			m = peek(s, 1);
			if (m.t != T_HID)
				perr(s, &m, "syntax error: expected a netmask a.b.c.d");
			next(s);
			next(s);
			at(s, &t);
			r.b = fcc_mcode(s->c, t.s, t.len, m.s, m.len, 0, q);
			return r;
		}
		at(s, &t);
		if (q.addr == Q_PORT)
			fcc_fail(s->c, -EINVAL, "'port' modifier applied to ip host");
		if (q.addr == Q_PORTRANGE)
			fcc_fail(s->c, -EINVAL, "'portrange' modifier applied to ip host");
		if (q.addr == Q_PROTO)
			fcc_fail(s->c, -EINVAL, "'proto' modifier applied to ip host");
		if (q.addr == Q_PROTOCHAIN)
			fcc_fail(s->c, -EINVAL, "'protochain' modifier applied to ip host");
		r.b = fcc_ncode(s->c, t.s, t.len, 0, q);
		return r;
	case T_HID6:
		next(s);
		len = 128;
		if (s->tok.t == T_SLASH) {
			m = peek(s, 1);
			if (m.t != T_NUM)
				perr(s, &m, "syntax error: expected a prefix length");
			next(s);
			next(s);
			len = m.v;
		}
		at(s, &t);
		r.b = fcc_mcode6(s->c, t.s, t.len, len, q);
		return r;
	case T_ID:
		next(s);
		at(s, &t);
		r.b = fcc_scode(s->c, t.s, t.len, q);
		return r;
	case T_EID:
		next(s);
		at(s, &t);
		r.b = fcc_ecode(s->c, t.s, t.len, q);
		return r;
	case T_AID:
		next(s);
		at(s, &t);
		r.b = fcc_acode(s->c, q);
		return r;
	default:
		perr(s, &t, "syntax error: expected an address, a number or a name");
	}
}

static struct pv parse_id(struct ps *s, struct fqual q)
{
	struct pv r;

	r = parse_id1(s, q);
	r.q = q;	/* an id passes on the qualifiers it was given */
	return r;
}

/* ---- arithmetic -------------------------------------------------------- */

static struct farth *parse_arth(struct ps *s);

/*
 * libpcap gives '%' and '^' no precedence, so yacc shifts: they take
 * everything to their right ("len % 10 + 1" is len % 11), which nests
 * like a parenthesis.
 */
static struct farth *parse_primary(struct ps *s)
{
	struct tok t = s->tok, o, sz;
	struct farth *v, *r;
	__u32 size;

	switch (t.t) {
	case T_NUM:
		next(s);
		v = fcc_loadi(s->c, t.v);
		break;
	case T_LEN:
		next(s);
		v = fcc_loadlen(s->c);
		break;
	case T_LP:
		enter(s);
		next(s);
		v = parse_arth(s);
		expect(s, T_RP, "')'");
		leave(s);
		break;
	case T_PNAME:
		next(s);
		enter(s);
		expect(s, T_LB, "'['");
		r = parse_arth(s);
		leave(s);
		size = 1;
		sz = t;
		if (s->tok.t == T_COLON) {
			sz = peek(s, 1);
			if (sz.t != T_NUM)
				perr(s, &sz, "syntax error: expected a size");
			next(s);
			next(s);
			size = sz.v;
		}
		expect(s, T_RB, "']'");
		at(s, &sz);
		v = fcc_load(s->c, t.v, r, size);
		break;
	default:
		perr(s, &t, "syntax error: expected a number, len or proto[...]");
	}
	while (s->tok.t == T_PCT || s->tok.t == T_CARET) {
		o = s->tok;
		enter(s);
		next(s);
		r = parse_arth(s);
		leave(s);
		at(s, &o);
		v = fcc_arth(s->c, o.t == T_PCT ? BPF_MOD : BPF_XOR, v, r);
	}
	return v;
}

static struct farth *parse_unary(struct ps *s)
{
	struct farth *v;

	if (s->tok.t != T_MINUS)
		return parse_primary(s);
	enter(s);
	next(s);
	v = parse_unary(s);
	leave(s);
	return fcc_neg(s->c, v);
}

/* levels, loosest first: | & << >> + - * / */
static struct farth *parse_level(struct ps *s, int level)
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
	struct farth *v, *r;
	size_t i;

	if (level > 4)
		return parse_unary(s);
	v = parse_level(s, level + 1);
	for (;;) {
		struct tok o = s->tok;

		for (i = 0; i < ARRAY_LEN(ops); i++)
			if (ops[i].t == o.t && ops[i].level == level)
				break;
		if (i == ARRAY_LEN(ops))
			return v;
		next(s);
		r = parse_level(s, level + 1);
		at(s, &o);
		v = fcc_arth(s->c, ops[i].op, v, r);
	}
}

static struct farth *parse_arth(struct ps *s)
{
	return parse_level(s, 0);
}

/* arth relop arth */
static struct pv parse_relation(struct ps *s)
{
	static const struct {
		enum tt t;
		int code, reversed;
	} rel[] = {
		{ T_GT, BPF_JGT, 0 }, { T_GE, BPF_JGE, 0 }, { T_EQ, BPF_JEQ, 0 },
		{ T_LE, BPF_JGT, 1 }, { T_LT, BPF_JGE, 1 }, { T_NE, BPF_JEQ, 1 },
	};
	struct pv r = { NULL, qerr };
	struct farth *a0, *a1;
	struct tok o;
	size_t i;

	a0 = parse_arth(s);
	o = s->tok;
	for (i = 0; i < ARRAY_LEN(rel); i++)
		if (rel[i].t == o.t)
			break;
	if (i == ARRAY_LEN(rel))
		perr(s, &o, "syntax error: expected a comparison "
		     "(> >= = == < <= !=)");
	next(s);
	a1 = parse_arth(s);
	at(s, &o);
	r.b = fcc_relation(s->c, rel[i].code, a0, a1, rel[i].reversed);
	return r;
}

/* ---- terms and expressions --------------------------------------------- */

static int is_head_kw(enum tt t)
{
	return t == T_SRC || t == T_DST || t == T_DQ || t == T_HOST ||
	       t == T_NET || t == T_PORT || t == T_PORTRANGE || t == T_PROTO ||
	       t == T_PROTOCHAIN || t == T_GATEWAY;
}

/* head id: [pname] [dir] [host|net|port|portrange] id, [pname] proto id,
 * [pname] protochain id, [pname] gateway id */
static struct pv parse_head(struct ps *s, int pq)
{
	struct fqual q = { Q_DEFAULT, pq, QD_DEFAULT, 0 };
	struct tok u;

	if (s->tok.t == T_SRC || s->tok.t == T_DST) {
		enum tt d = s->tok.t, other = d == T_SRC ? T_DST : T_SRC;

		q.dir = d == T_SRC ? Q_SRC : Q_DST;
		u = peek(s, 1);
		if (u.t == T_OR || u.t == T_AND) {
			if (peek(s, 2).t != other)
				perr(s, &u, "syntax error");
			q.dir = u.t == T_OR ? Q_OR : Q_AND;
			next(s);
			next(s);
		}
		next(s);
	} else if (s->tok.t == T_DQ) {
		q.dir = s->tok.v;
		next(s);
	}
	switch (s->tok.t) {
	case T_HOST:
		q.addr = Q_HOST;
		break;
	case T_NET:
		q.addr = Q_NET;
		break;
	case T_PORT:
		q.addr = Q_PORT;
		break;
	case T_PORTRANGE:
		q.addr = Q_PORTRANGE;
		break;
	case T_PROTO:
	case T_PROTOCHAIN:
	case T_GATEWAY:
		if (q.dir != QD_DEFAULT)
			perr(s, &s->tok, "syntax error");
		q.addr = s->tok.t == T_PROTO ? Q_PROTO :
			 s->tok.t == T_PROTOCHAIN ? Q_PROTOCHAIN : Q_GATEWAY;
		break;
	default:
		break;
	}
	if (q.addr != Q_DEFAULT)
		next(s);
	return parse_id(s, q);
}

static struct pv parse_expr(struct ps *s, struct fqual inh);

static void __attribute__((noreturn)) pf_error(struct ps *s, const struct tok *t)
{
	static const char *const w[] = { "ifname", "ruleset", "rnr", "srnr",
					 "reason", "action" };

	at(s, t);
	fcc_fail(s->c, -EINVAL, "%s supported only on PF linktype", w[t->v]);
}

static struct pv parse_other(struct ps *s, struct tok t)
{
	struct pv r = { NULL, qerr };
	struct tok u, w;
	__u32 v;

	switch (t.t) {
	case T_LESS:
	case T_GREATER:
		next(s);
		u = s->tok;
		if (u.t != T_NUM)
			perr(s, &u, "syntax error: expected a number");
		next(s);
		r.b = t.t == T_LESS ? fcc_less(s->c, u.v) : fcc_greater(s->c, u.v);
		return r;
	case T_BYTE:
		next(s);
		u = s->tok;
		if (u.t != T_NUM)
			perr(s, &u, "syntax error: expected a number");
		next(s);
		w = s->tok;
		if (w.t != T_AMP && w.t != T_BAR && w.t != T_LT && w.t != T_GT &&
		    w.t != T_EQ)
			perr(s, &w, "syntax error: expected & | < > or =");
		next(s);
		if (s->tok.t != T_NUM)
			perr(s, &s->tok, "syntax error: expected a number");
		v = s->tok.v;
		next(s);
		r.b = fcc_byteop(s->c, w.t == T_AMP ? '&' : w.t == T_BAR ? '|' :
				 w.t == T_LT ? '<' : w.t == T_GT ? '>' : '=',
				 u.v, v);
		return r;
	case T_INBOUND:
	case T_OUTBOUND:
		next(s);
		at(s, &t);
		r.b = fcc_inbound(s->c, t.t == T_OUTBOUND);
		return r;
	case T_IFINDEX:
		next(s);
		u = s->tok;
		if (u.t != T_NUM)
			perr(s, &u, "syntax error: expected a number");
		next(s);
		at(s, &t);
		r.b = fcc_ifindex(s->c, u.v);
		return r;
	case T_VLAN:
	case T_MPLS:
	case T_PPPOES:
	case T_GENEVE:
		next(s);
		u = s->tok;
		v = 0;
		if (u.t == T_NUM || u.t == T_LP)
			v = parse_pnum(s);
		at(s, u.t == T_NUM || u.t == T_LP ? &u : &t);
		switch (t.t) {
		case T_VLAN:
			r.b = fcc_vlan(s->c, v, u.t == T_NUM || u.t == T_LP);
			break;
		case T_MPLS:
			r.b = fcc_mpls(s->c, v, u.t == T_NUM || u.t == T_LP);
			break;
		case T_PPPOES:
			r.b = fcc_pppoes(s->c, v, u.t == T_NUM || u.t == T_LP);
			break;
		default:
			r.b = fcc_geneve(s->c, v, u.t == T_NUM || u.t == T_LP);
			break;
		}
		return r;
	case T_PPPOED:
		next(s);
		r.b = fcc_pppoed(s->c);
		return r;
	case T_LLC:
		next(s);
		u = s->tok;
		if (u.t == T_ID || (u.t == T_PF && u.v == PF_RNR)) {
			next(s);
			at(s, &u);
			r.b = fcc_llc(s->c, u.s, u.len, u.t == T_PF);
		} else {
			at(s, &t);
			r.b = fcc_llc(s->c, NULL, 0, 0);
		}
		return r;
	case T_PF:
		next(s);
		u = s->tok;
		if (((t.v == PF_IFNAME || t.v == PF_RSET || t.v == PF_ACTION) &&
		     u.t != T_ID) ||
		    ((t.v == PF_RNR || t.v == PF_SRNR) && u.t != T_NUM) ||
		    (t.v == PF_REASON && u.t != T_NUM && u.t != T_ID))
			perr(s, &u, "syntax error");
		pf_error(s, &t);
	case T_TYPE:
	case T_SUBTYPE:
	case T_DIR:
		next(s);
		if (s->tok.t != T_NUM && s->tok.t != T_ID)
			perr(s, &s->tok, "syntax error");
		at(s, &t);
		fcc_fail(s->c, -EINVAL, t.t == T_DIR ?
			 "frame direction supported only with 802.11 headers" :
			 "802.11 link-layer types supported only on 802.11");
	case T_ATM:
		at(s, &t);
		fcc_fail(s->c, -EINVAL, "%s", errwords[t.v].msg);
	default:
		perr(s, &t, "syntax error");
	}
}

static struct pv parse_rterm(struct ps *s, struct fqual inh)
{
	struct tok t = s->tok, u;
	struct pv r = { NULL, qerr };

	switch (t.t) {
	case T_LP:
		if (paren_is_arith(s))
			return parse_relation(s);
		enter(s);
		next(s);
		r = parse_expr(s, inh);
		r.q = inh;	/* libpcap: the qualifiers before the '(' */
		expect(s, T_RP, "')'");
		leave(s);
		return r;
	case T_PNAME:
		u = peek(s, 1);
		if (u.t == T_LB)
			return parse_relation(s);
		if (is_head_kw(u.t)) {
			next(s);
			return parse_head(s, t.v);
		}
		if (u.t == T_BROADCAST || u.t == T_MULTICAST) {
			next(s);
			next(s);
			at(s, &t);
			r.b = u.t == T_BROADCAST ? fcc_broadcast(s->c, t.v) :
						   fcc_multicast(s->c, t.v);
			return r;
		}
		if (u.t == T_TYPE || u.t == T_SUBTYPE || u.t == T_DIR) {
			next(s);
			return parse_other(s, s->tok);
		}
		next(s);
		at(s, &t);
		r.b = fcc_proto_abbrev(s->c, t.v);
		return r;
	case T_SRC:
	case T_DST:
	case T_DQ:
	case T_HOST:
	case T_NET:
	case T_PORT:
	case T_PORTRANGE:
	case T_PROTO:
	case T_PROTOCHAIN:
	case T_GATEWAY:
		return parse_head(s, QP_DEFAULT);
	case T_BROADCAST:
	case T_MULTICAST:
		next(s);
		at(s, &t);
		r.b = t.t == T_BROADCAST ? fcc_broadcast(s->c, QP_DEFAULT) :
					   fcc_multicast(s->c, QP_DEFAULT);
		return r;
	case T_NUM:
	case T_LEN:
	case T_MINUS:
		return parse_relation(s);
	case T_HID:
	case T_HID6:
	case T_ID:
	case T_EID:
	case T_AID:
		perr(s, &t, "syntax error: an address or name needs a qualifier "
		     "here (host, net, port...)");
	case T_END:
		perr(s, &t, "syntax error: expression expected");
	default:
		return parse_other(s, t);
	}
}

static struct pv parse_term(struct ps *s, struct fqual inh)
{
	struct pv r;

	if (s->tok.t != T_NOT)
		return parse_rterm(s, inh);
	enter(s);
	next(s);
	r = parse_term(s, inh);
	leave(s);
	fcc_not(r.b);
	return r;
}

/* term { and|or term-or-id }: equal precedence, left to right */
static struct pv parse_expr(struct ps *s, struct fqual inh)
{
	struct pv a, b;
	enum tt op;

	a = parse_term(s, inh);
	while (s->tok.t == T_AND || s->tok.t == T_OR) {
		op = s->tok.t;
		next(s);
		b = id_follows(s) ? parse_id(s, a.q) : parse_term(s, a.q);
		a = join(op, a, b);
	}
	return a;
}

/* ---- entry points ------------------------------------------------------- */

static int parse(struct fcc *c, const char *expr)
{
	struct ps s = { .c = c, .expr = expr ? expr : "" };
	struct pv r;

	s.p = s.expr;
	next(&s);
	if (s.tok.t == T_END) {
		c->root = NULL;
		return 0;
	}
	r = parse_expr(&s, qerr);
	if (s.tok.t != T_END)
		perr(&s, &s.tok, s.tok.t == T_RP ? "syntax error: unbalanced ')'" :
		     "syntax error: expected and, or or the end");
	c->err_pos = 0;
	c->err_tok = NULL;
	fcc_finish(c, r.b);
	return 0;
}

/* A compiler in mem; -ENOMEM if mem is too small for one. */
static int setup(struct fcc *c, const struct flt_names *names, void *mem,
		 size_t mem_len, char *err, size_t err_len)
{
	memset(c, 0, sizeof(*c));
	if (err && err_len)
		err[0] = 0;
	if (!mem || mem_len < FLT_MEM_MIN) {
		if (err && err_len)
			snprintf(err, err_len, "filter: no compiler memory");
		return -ENOMEM;
	}
	c->mem = mem;
	c->mem_len = mem_len;
	c->err = err;
	c->err_len = err_len;
	c->names = names;
	fcc_init(c);
	return 0;
}

int flt_cbpf(const char *expr, const struct flt_names *names, int optimize,
	     void *mem, size_t mem_len, struct sock_filter *out, __u32 max,
	     __u32 *cnt, char *err, size_t err_len)
{
	struct fcc c;

	if (setup(&c, names, mem, mem_len, err, err_len))
		return -ENOMEM;
	if (setjmp(c.jb))
		return c.rc;
	parse(&c, expr);
	if (!c.root) {
		if (max < 1)
			fcc_fail(&c, -E2BIG, "no room for the program");
		out[0] = (struct sock_filter){ BPF_RET | BPF_K, 0, 0, FLT_SNAPLEN };
		*cnt = 1;
		return 0;
	}
	if (optimize && !c.no_optimize) {
		fcc_optimize(&c);
		if (c.root->s.code == (BPF_RET | BPF_K) && c.root->s.k == 0)
			fcc_fail(&c, -EINVAL, "expression rejects all packets");
	}
	return fcc_layout(&c, out, max, cnt);
}

int flt_compile(const char *expr, const struct flt_names *names,
		void *mem, size_t mem_len, struct bpf_insn *out, __u32 max,
		struct flt_info *info, char *err, size_t err_len)
{
	struct fcc c;

	memset(info, 0, sizeof(*info));
	if (setup(&c, names, mem, mem_len, err, err_len))
		return -ENOMEM;
	if (setjmp(c.jb))
		return c.rc;
	parse(&c, expr);
	if (c.root && !c.no_optimize)
		fcc_optimize(&c);
	if (c.no_optimize)
		info->flags |= FLT_UNOPT;
	return fcc_ebpf(&c, out, max < FLT_MAX_INSNS ? max : FLT_MAX_INSNS, info);
}
