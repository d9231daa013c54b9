// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - an event's line as tcpdump -n prints it (see print.h).
 *
 * The walk follows tcpdump 4.99's printers step by step (Ethernet and
 * VLAN tags, IPv4 and its options, IPv6 and its extension headers, TCP
 * and its options), so that a bad or cut header stops the line where
 * tcpdump's does and says what tcpdump says.  tcpdump stops a line in
 * two ways, and both are kept apart here: a printer that finds a field
 * missing says so itself (" [|tcp]" and the like) and returns; a read
 * past the captured bytes jumps out of every printer at once, and the
 * end of the line then says which protocol was being read (the hex
 * dump of such a packet starts at its first byte: res->dump_off).
 * Each function returns 0 to go on, -1 when the line is over (jmp set
 * for the second way).
 *
 * Offsets are into the frame.  snapend is tcpdump's end of the bytes a
 * printer may read (the captured frame, cut to the IP length as tcpdump
 * cuts it); have is how many of the frame's bytes the event holds.
 */
#include <stddef.h>
#include <string.h>
#include "print.h"

struct pr {
	char *p, *end;		/* the line; never written past end */
	const __u8 *b;		/* the frame's bytes */
	__u32 have;
	__u32 snapend;
	__u32 l3;		/* the IP header */
	const char *proto;	/* what the line ends with if cut */
	int jmp;
	int family;
	const struct pr_cfg *c;
	struct pr_res *res;
};

/* --- writing ----------------------------------------------------------- */

static void put(struct pr *s, const char *t, size_t n)
{
	if (n > (size_t)(s->end - s->p))
		n = s->end - s->p;
	memcpy(s->p, t, n);
	s->p += n;
}

static void puts_(struct pr *s, const char *t)
{
	put(s, t, strlen(t));
}

/* A string literal: its length known, its copy a few moves. */
#define PUTS(s, lit)	put(s, lit, sizeof(lit) - 1)

static inline __attribute__((always_inline)) void putch(struct pr *s, char ch)
{
	if (s->p < s->end)
		*s->p++ = ch;
}

/* w / 10 for any 32-bit w, by multiplication: no division
 * instruction, which -Os would otherwise pick (and which costs tens of
 * cycles a digit). */
static inline __u32 div10(__u32 w)
{
	return (__u64)w * 0xcccccccdu >> 35;
}

char *pr_u64(char *p, __u64 v)
{
	char tmp[20];
	int n = 0;
	__u32 w, q;

	while (v > 0xffffffffu) {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	}
	w = v;
	do {
		q = div10(w);
		tmp[n++] = '0' + (w - q * 10);
		w = q;
	} while (w);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *pr_fixed(char *p, __u32 v, int width)
{
	__u32 q;
	int i;

	for (i = width - 1; i >= 0; i--, v = q) {
		q = div10(v);
		p[i] = '0' + (v - q * 10);
	}
	return p + width;
}

static void putu(struct pr *s, __u64 v)
{
	char tmp[20];

	if (s->end - s->p >= 20)
		s->p = pr_u64(s->p, v);
	else
		put(s, tmp, pr_u64(tmp, v) - tmp);
}

static const char hexd[] = "0123456789abcdef";

/* v in hex, at least width digits. */
static void putx(struct pr *s, __u64 v, int width)
{
	char tmp[16];
	int n = 0;

	do
		tmp[16 - ++n] = hexd[v & 15];
	while ((v >>= 4) || n < width);
	put(s, tmp + 16 - n, n);
}

char *pr_ip4(char *p, const __u8 *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = pr_u64(p, a[i]);
	}
	return p;
}

/* tcpdump's addrtostr6: the first longest run of two or more zero
 * words is "::"; an IPv4-compatible or -mapped address ends dotted. */
char *pr_ip6(char *p, const __u8 *a)
{
	int i, base = -1, len = 0, cb = -1, cl = 0;
	__u16 w[8];

	for (i = 0; i < 8; i++) {
		w[i] = a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (cb < 0)
				cb = i, cl = 0;
			cl++;
		} else if (cb >= 0) {
			if (base < 0 || cl > len)
				base = cb, len = cl;
			cb = -1;
		}
	}
	if (cb >= 0 && (base < 0 || cl > len))
		base = cb, len = cl;
	if (base >= 0 && len < 2)
		base = -1;
	for (i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && base == 0 && (len == 6 || (len == 5 && w[5] == 0xffff)))
			return pr_ip4(p, a + 12);
		if (w[i] >= 0x1000)
			*p++ = hexd[w[i] >> 12];
		if (w[i] >= 0x100)
			*p++ = hexd[w[i] >> 8 & 15];
		if (w[i] >= 0x10)
			*p++ = hexd[w[i] >> 4 & 15];
		*p++ = hexd[w[i] & 15];
	}
	if (base >= 0 && base + len == 8)
		*p++ = ':';
	return p;
}

static void putaddr(struct pr *s, int family, __u32 off)
{
	char tmp[PR_ADDR_LEN];

	put(s, tmp, (family == 6 ? pr_ip6(tmp, s->b + off) : pr_ip4(tmp, s->b + off)) - tmp);
}

/* --- reading ----------------------------------------------------------- */

static int has(const struct pr *s, __u32 off, __u32 n)
{
	__u64 e = (__u64)off + n;

	return e <= s->snapend && e <= s->have;
}

/* A read past the bytes: the line is over, as by tcpdump's longjmp. */
static int jump(struct pr *s)
{
	s->jmp = 1;
	return -1;
}

/* tcpdump's nd_print_trunc(): " [|proto]". */
static int ptrunc(struct pr *s)
{
	PUTS(s, " [|");
	puts_(s, s->proto);
	putch(s, ']');
	return -1;
}

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Reads that end the line if the byte is not there. */
#define GET1(s, off, v)	do { if (!has(s, off, 1)) return jump(s); (v) = (s)->b[off]; } while (0)
#define GET2(s, off, v)	do { if (!has(s, off, 2)) return jump(s); (v) = be16((s)->b + (off)); } while (0)
#define GET4(s, off, v)	do { if (!has(s, off, 4)) return jump(s); (v) = be32((s)->b + (off)); } while (0)

/* The Internet checksum's running sum of n bytes, as big-endian words. */
static __u32 sum_add(const __u8 *p, __u32 n, __u32 sum)
{
	__u32 i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static __u16 sum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* tcpdump's in_cksum_shouldbe(): what the field should have held. */
static __u16 shouldbe(__u16 field, __u16 computed)
{
	return sum_fold((__u32)field + computed);
}

/* --- TCP --------------------------------------------------------------- */

enum { OPT_EOL, OPT_NOP, OPT_MSS, OPT_WSCALE, OPT_SACKOK, OPT_SACK, OPT_ECHO,
       OPT_ECHOREPLY, OPT_TS, OPT_CC = 11, OPT_CCNEW, OPT_CCECHO, OPT_MD5 = 19,
       OPT_SCPS, OPT_UTO = 28, OPT_AO, OPT_MPTCP, OPT_TFO = 34, OPT_EXP = 254 };

static const char *opt_name(__u8 kind)
{
	switch (kind) {
	case OPT_EOL: return "eol";
	case OPT_NOP: return "nop";
	case OPT_MSS: return "mss";
	case OPT_WSCALE: return "wscale";
	case OPT_SACKOK: return "sackOK";
	case OPT_SACK: return "sack";
	case OPT_ECHO: return "echo";
	case OPT_ECHOREPLY: return "echoreply";
	case OPT_TS: return "TS";
	case OPT_CC: return "cc";
	case OPT_CCNEW: return "ccnew";
	case OPT_CCECHO: return "";
	case OPT_MD5: return "md5";
	case OPT_SCPS: return "scps";
	case OPT_UTO: return "uto";
	case OPT_AO: return "tcp-ao";
	case OPT_MPTCP: return "mptcp";
	case OPT_TFO: return "tfo";
	case OPT_EXP: return "exp";
	}
	return NULL;
}

static void tfo(struct pr *s, __u32 off, __u32 n, int exp)
{
	__u32 i;

	if (exp)
		PUTS(s, "tfo");
	if (!n) {
		PUTS(s, " cookiereq");
	} else if (n % 2 || n < 4 || n > 16) {
		PUTS(s, " (invalid)");
	} else {
		PUTS(s, " cookie ");
		for (i = 0; i < n; i++)
			putx(s, s->b[off + i], 2);
	}
}

/* A DSS option's data ack or sequence number at *a, 8 bytes if wide
 * else 4, printed: 1, 0 if the option is too short, -1 if cut. */
static int dss_num(struct pr *s, __u32 *a, __u32 *n, int wide)
{
	__u32 hi = 0, lo;

	if (*n < (wide ? 8u : 4u))
		return 0;
	if (wide) {
		GET4(s, *a, hi);
		*a += 4, *n -= 4;
	}
	GET4(s, *a, lo);
	*a += 4, *n -= 4;
	putu(s, (__u64)hi << 32 | lo);
	return 1;
}

/* MPTCP (RFC 8684), as tcpdump names the subtypes: 1 to go on, 0 for
 * "[bad opt]", -1 if the line ended.  o is the option's kind byte, n
 * its length; s->snapend is the option's end meanwhile. */
static int mptcp(struct pr *s, __u32 o, __u32 n, __u8 flags)
{
	static const char *const names[] = { "capable", "join", "dss", "add-addr",
		"rem-addr", "prio", "fail", "fast-close", "unknown" };
	__u32 v32, i, a;
	__u64 v64;
	__u8 sub, b;
	int r;

	s->proto = "mptcp";
	if (n < 3)
		return 0;
	GET1(s, o + 2, sub);
	sub >>= 4;
	if (sub > 8)
		sub = 8;
	putch(s, ' ');
	putu(s, n);
	putch(s, ' ');
	puts_(s, names[sub]);
#define GET8(off, v) do { __u32 hi_, lo_; GET4(s, off, hi_); GET4(s, (off) + 4, lo_); \
			  (v) = (__u64)hi_ << 32 | lo_; } while (0)
	switch (sub) {
	case 0:		/* capable */
		if (!((n == 12 || n == 4) && (flags & 0x02)) &&
		    !((n == 20 || n == 22) && (flags & 0x12) == 0x10))
			return 0;
		GET1(s, o + 2, b);
		b &= 15;
		if (b > 1) {
			PUTS(s, " Unknown Version (");
			putu(s, b);
			putch(s, ')');
			return 1;
		}
		PUTS(s, " v");
		putu(s, b);
		GET1(s, o + 3, b);
		if (b & 0x80)
			PUTS(s, " csum");
		if (n == 12 || n >= 20) {
			GET8(o + 4, v64);
			PUTS(s, " {0x");
			putx(s, v64, 1);
			if (n >= 20) {
				GET8(o + 12, v64);
				PUTS(s, ",0x");
				putx(s, v64, 1);
			}
			putch(s, '}');
		}
		return 1;
	case 1:		/* join */
		if (!(n == 12 && (flags & 0x02)) &&
		    !(n == 16 && (flags & 0x12) == 0x12) &&
		    !(n == 24 && (flags & 0x10)))
			return 0;
		if (n != 24) {
			GET1(s, o + 2, b);
			if (b & 1)
				PUTS(s, " backup");
			GET1(s, o + 3, b);
			PUTS(s, " id ");
			putu(s, b);
		}
		if (n == 12) {
			GET4(s, o + 4, v32);
			PUTS(s, " token 0x");
			putx(s, v32, 1);
			GET4(s, o + 8, v32);
			PUTS(s, " nonce 0x");
			putx(s, v32, 1);
		} else if (n == 16) {
			GET8(o + 4, v64);
			PUTS(s, " hmac 0x");
			putx(s, v64, 1);
			GET4(s, o + 12, v32);
			PUTS(s, " nonce 0x");
			putx(s, v32, 1);
		} else {
			PUTS(s, " hmac 0x");
			for (i = 0; i < 20; i++)
				putx(s, s->b[o + 4 + i], 2);
		}
		return 1;
	case 2:		/* dss */
		if (n < 4 || (flags & 0x02))
			return 0;
		GET1(s, o + 3, b);
		if (b & 0x10)
			PUTS(s, " fin");
		a = o + 4;
		n -= 4;
		if (b & 0x01) {
			PUTS(s, " ack ");
			r = dss_num(s, &a, &n, b & 0x02);
			if (r != 1)
				return r;
		}
		if (b & 0x04) {
			PUTS(s, " seq ");
			r = dss_num(s, &a, &n, b & 0x08);
			if (r != 1)
				return r;
			if (n < 4)
				return 0;
			GET4(s, a, v32);
			PUTS(s, " subseq ");
			putu(s, v32);
			a += 4, n -= 4;
			if (n < 2)
				return 0;
			GET2(s, a, v32);
			PUTS(s, " len ");
			putu(s, v32);
			a += 2, n -= 2;
			if (n >= 2) {
				GET2(s, a, v32);
				PUTS(s, " csum 0x");
				putx(s, v32, 1);
				n -= 2;
			}
		}
		return !n;
	case 3:		/* add-addr */
		if (n != 8 && n != 10 && n != 16 && n != 18 && n != 20 && n != 22 &&
		    n != 28 && n != 30)
			return 0;
		GET1(s, o + 2, b);
		switch (b & 15) {
		case 6: PUTS(s, " v0-ip6"); break;
		case 4: PUTS(s, " v0-ip4"); break;
		case 1: PUTS(s, " v1-echo"); break;
		case 0: PUTS(s, " v1"); break;
		default: PUTS(s, " [bad version/echo]");
		}
		GET1(s, o + 3, b);
		PUTS(s, " id ");
		putu(s, b);
		i = n < 20 ? 4 : 16;	/* the address */
		if (!has(s, o + 4, i))
			return jump(s);
		putch(s, ' ');
		putaddr(s, i == 4 ? 4 : 6, o + 4);
		if (n == 10 || n == 18 || n == 22 || n == 30) {
			GET2(s, o + 4 + i, v32);
			putch(s, ':');
			putu(s, v32);
		}
		if (n == 16 || n == 28) {
			GET8(o + 4 + i, v64);
			PUTS(s, " hmac 0x");
			putx(s, v64, 1);
		}
		if (n == 18 || n == 30) {
			GET8(o + 6 + i, v64);
			PUTS(s, " hmac 0x");
			putx(s, v64, 1);
		}
		return 1;
	case 4:		/* rem-addr */
		if (n < 4)
			return 0;
		PUTS(s, " id");
		for (i = 0; i < n - 3; i++) {
			GET1(s, o + 3 + i, b);
			putch(s, ' ');
			putu(s, b);
		}
		return 1;
	case 5:		/* prio */
		if (n != 3 && n != 4)
			return 0;
		GET1(s, o + 2, b);
		puts_(s, b & 1 ? " backup" : " non-backup");
		if (n == 4) {
			GET1(s, o + 3, b);
			PUTS(s, " id ");
			putu(s, b);
		}
		return 1;
	case 6:		/* fail */
	case 7:		/* fast-close */
		if (n != 12)
			return 0;
		GET8(o + 4, v64);
		if (sub == 6) {
			PUTS(s, " seq ");
			putu(s, v64);
		} else {
			PUTS(s, " key 0x");
			putx(s, v64, 1);
		}
		return 1;
	}
#undef GET8
	return 1;
}

/*
 * The option list of the TCP header at l4 (hlen bytes with it; tlen
 * the segment's length by the IP header, for md5): tcpdump's loop.
 */
static int tcp_opts(struct pr *s, __u32 l4, __u32 hlen, __u32 paylen,
		    __u8 flags, const struct seq_rel *rel)
{
	__u32 cp = l4 + 20, left = hlen - 20, datalen, len, i, v, e, save;
	const char *name;
	__u8 opt;
	char ch = 0;
	int r;

	PUTS(s, ", options [");
	while (left > 0) {
		if (ch)
			putch(s, ch);
		GET1(s, cp, opt);
		cp++;
		if (opt == OPT_EOL || opt == OPT_NOP) {
			len = 1;
		} else {
			GET1(s, cp, len);
			cp++;
			if (len < 2 || len > left)
				goto bad;
			--left;
		}
		--left;
		datalen = 0;
/* tcpdump's LENCHECK: the option's data within the header, and read. */
#define LENCHECK(l) do { if ((l) > left) goto bad; if (!has(s, cp, l)) goto cut; } while (0)
		name = opt_name(opt);
		if (name) {
			puts_(s, name);
		} else {
			PUTS(s, "unknown-");
			putu(s, opt);
		}
		switch (opt) {
		case OPT_MSS:
		case OPT_WSCALE:
		case OPT_CC:
		case OPT_CCNEW:
		case OPT_CCECHO:
		case OPT_ECHO:
		case OPT_ECHOREPLY:
			/* one number: 2, 1 or 4 bytes */
			datalen = opt == OPT_MSS ? 2 : opt == OPT_WSCALE ? 1 : 4;
			LENCHECK(datalen);
			putch(s, ' ');
			putu(s, datalen == 1 ? s->b[cp] : datalen == 2 ? be16(s->b + cp) :
				be32(s->b + cp));
			break;
		case OPT_SACK:
			datalen = len - 2;
			if (datalen % 8) {
				PUTS(s, " invalid sack");
				break;
			}
			putch(s, ' ');
			putu(s, datalen / 8);
			putch(s, ' ');
			for (i = 0; i < datalen; i += 8) {
				LENCHECK(i + 4);
				v = be32(s->b + cp + i);
				LENCHECK(i + 8);
				e = be32(s->b + cp + i + 4);
				v -= rel->rev ? rel->thseq : rel->thack;
				e -= rel->rev ? rel->thseq : rel->thack;
				putch(s, '{');
				putu(s, v);
				putch(s, ':');
				putu(s, e);
				putch(s, '}');
			}
			break;
		case OPT_TS:
			datalen = 8;
			LENCHECK(datalen);
			PUTS(s, " val ");
			putu(s, be32(s->b + cp));
			PUTS(s, " ecr ");
			putu(s, be32(s->b + cp + 4));
			break;
		case OPT_MD5:
			/* As tcpdump built with libcrypto, given no secret. */
			datalen = 16;
			LENCHECK(datalen);
			putch(s, ' ');
			if ((__u64)l4 + hlen + paylen > s->snapend)
				PUTS(s, "snaplen too short, ");
			else
				PUTS(s, "shared secret not supplied with -M, ");
			PUTS(s, "can't check - ");
			for (i = 0; i < 16; i++)
				putx(s, s->b[cp + i], 2);
			break;
		case OPT_SCPS:
			datalen = 2;
			LENCHECK(datalen);
			PUTS(s, " cap ");
			putx(s, s->b[cp], 2);
			PUTS(s, " id ");
			putu(s, s->b[cp + 1]);
			break;
		case OPT_AO:
			datalen = len - 2;
			if (datalen < 2) {
				PUTS(s, " (invalid)");
				break;
			}
			LENCHECK(1);
			PUTS(s, " keyid ");
			putu(s, s->b[cp]);
			LENCHECK(2);
			PUTS(s, " rnextkeyid ");
			putu(s, s->b[cp + 1]);
			if (datalen > 2) {
				PUTS(s, " mac 0x");
				for (i = 2; i < datalen; i++) {
					LENCHECK(i + 1);
					putx(s, s->b[cp + i], 2);
				}
			}
			break;
		case OPT_EOL:
		case OPT_NOP:
		case OPT_SACKOK:
			break;
		case OPT_UTO:
			datalen = 2;
			LENCHECK(datalen);
			v = be16(s->b + cp);
			PUTS(s, " 0x");
			putx(s, v, 1);
			putch(s, ' ');
			putu(s, v & 1 ? (v >> 1) * 60 : v >> 1);
			break;
		case OPT_MPTCP:
			datalen = len - 2;
			LENCHECK(datalen);
			save = s->snapend;
			if (cp - 2 + len < save)
				s->snapend = cp - 2 + len;
			r = mptcp(s, cp - 2, len, flags);
			s->snapend = save;
			if (r < 0)
				return r;
			if (!r)
				goto bad;
			break;
		case OPT_TFO:
			datalen = len - 2;
			LENCHECK(datalen);
			putch(s, ' ');
			tfo(s, cp, datalen, 0);
			break;
		case OPT_EXP:
			datalen = len - 2;
			LENCHECK(datalen);
			if (datalen < 2)
				goto bad;
			v = be16(s->b + cp);
			putch(s, '-');
			if (v == 0xf989)
				tfo(s, cp + 2, datalen - 2, 1);
			else
				putx(s, v, 4);
			break;
		default:
			datalen = len - 2;
			if (datalen)
				PUTS(s, " 0x");
			for (i = 0; i < datalen; i++) {
				LENCHECK(i + 1);
				putx(s, s->b[cp + i], 2);
			}
			break;
		}
#undef LENCHECK
		cp += datalen;
		left -= datalen;
		datalen += opt == OPT_EOL || opt == OPT_NOP ? 1 : 2;
		if (datalen != len) {
			PUTS(s, "[len ");
			putu(s, len);
			putch(s, ']');
		}
		ch = ',';
		if (opt == OPT_EOL)
			break;
	}
	putch(s, ']');
	return 0;
bad:
	PUTS(s, "[bad opt]");
	if (ch)
		putch(s, ']');
	return -1;
cut:
	ptrunc(s);
	if (ch)
		putch(s, '>');
	return -1;
}

/* tcpdump's ip_finddst(): a source route's last hop, else dst. */
static __u32 ip4_finddst(const struct pr *s, __u32 ip)
{
	__u32 cp = ip + 20, left = (s->b[ip] & 15) * 4 - 20, len;
	__u8 tt;

	for (; left; cp += len, left -= len) {
		if (!has(s, cp, 1))
			break;
		tt = s->b[cp];
		if (tt == 0)
			break;
		if (tt == 1) {
			len = 1;
		} else {
			if (!has(s, cp + 1, 1))
				break;
			len = s->b[cp + 1];
			if (len < 2)
				break;
		}
		if (left < len || !has(s, cp, len))
			break;
		if ((tt == 131 || tt == 137) && len >= 7)
			return cp + len - 4;
	}
	return ip + 16;
}

/* tcpdump's ip6_finddst(): a routing header's final hop, else dst. */
static __u32 ip6_finddst(const struct pr *s, __u32 ip6)
{
	__u32 cp = ip6, adv = 40, dst = ip6 + 24, len, i;
	__u8 nh = s->b[ip6 + 6];

	while (cp < s->snapend) {
		cp += adv;
		switch (nh) {
		case 0:
		case 60:
		case 135:
		case 62:
			if (!has(s, cp, 2))
				return dst;
			adv = (s->b[cp + 1] + 1) << 3;
			nh = s->b[cp];
			break;
		case 44:
			if (!has(s, cp, 1))
				return dst;
			adv = 8;
			nh = s->b[cp];
			break;
		case 43:
			if (!has(s, cp, 4))
				return dst;
			len = s->b[cp + 1];
			if (s->b[cp + 2] == 0 || s->b[cp + 2] == 2) {
				if (len % 2)
					return dst;
				for (i = 0; i < len / 2; i++) {
					if (!has(s, cp + 8 + 16 * i, 16))
						return dst;
					dst = cp + 8 + 16 * i;
				}
			} else if (s->b[cp + 2] == 4) {
				if (len % 2 || !has(s, cp + 8, 16))
					return dst;
				dst = cp + 8;
			}
			return dst;
		default:
			return dst;
		}
	}
	return dst;
}

/* The TCP checksum's verdict, if the segment (tlen bytes at l4) is
 * all there. */
static void tcp_cksum(struct pr *s, __u32 l4, __u32 tlen)
{
	__u32 sum = 0, ip = s->l3;
	__u8 ph[8];
	__u16 field, computed;

	if (!has(s, l4, tlen))
		return;
	if (s->family == 4) {
		sum = sum_add(s->b + ip + 12, 4, 0);
		sum = sum_add(s->b + ((s->b[ip] & 15) == 5 ? ip + 16 : ip4_finddst(s, ip)), 4, sum);
		ph[0] = 0;
		ph[1] = 6;
		ph[2] = tlen >> 8;
		ph[3] = tlen;
		sum = sum_add(ph, 4, sum);
	} else {
		__u8 nh = s->b[ip + 6];

		sum = sum_add(s->b + ip + 8, 16, 0);
		sum = sum_add(s->b + (nh == 0 || nh == 60 || nh == 135 || nh == 62 ||
				      nh == 44 || nh == 43 ? ip6_finddst(s, ip) : ip + 24),
			      16, sum);
		ph[0] = tlen >> 24;
		ph[1] = tlen >> 16;
		ph[2] = tlen >> 8;
		ph[3] = tlen;
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = 6;
		sum = sum_add(ph, 8, sum);
	}
	sum = sum_add(s->b + l4, tlen, sum);
	computed = ~sum_fold(sum);
	field = be16(s->b + l4 + 16);
	PUTS(s, ", cksum 0x");
	putx(s, field, 4);
	if (computed) {
		PUTS(s, " (incorrect -> 0x");
		putx(s, shouldbe(field, computed), 4);
		putch(s, ')');
	} else {
		PUTS(s, " (correct)");
	}
}

/* A TCP header longer than the segment: the line's end. */
static int too_long(struct pr *s, __u32 hlen, __u32 length)
{
	PUTS(s, " [bad hdr length ");
	putu(s, hlen);
	PUTS(s, " - too long, > ");
	putu(s, length);
	putch(s, ']');
	return -1;
}

/* tcpdump's tcp_print(), to ", length N": the segment at l4, length
 * bytes by the IP header. */
static int tcp(struct pr *s, __u32 l4, __u32 length, int fragmented)
{
	struct seq_rel rel = { 0 };
	__u32 hlen, seq, ack, ip = s->l3;
	__u16 sport, dport, win, urp;
	__u8 flags, nxt;
	int r;

	s->proto = "tcp";
	if (!has(s, l4 + 2, 2)) {
		putaddr(s, s->family, ip + (s->family == 6 ? 8 : 12));
		PUTS(s, " > ");
		putaddr(s, s->family, ip + (s->family == 6 ? 24 : 16));
		putch(s, ':');
		return ptrunc(s);
	}
	sport = be16(s->b + l4);
	dport = be16(s->b + l4 + 2);
	nxt = s->b[ip + (s->family == 6 ? 6 : 9)];
	if (nxt == 6) {
		putaddr(s, s->family, ip + (s->family == 6 ? 8 : 12));
		putch(s, '.');
		putu(s, sport);
		PUTS(s, " > ");
		putaddr(s, s->family, ip + (s->family == 6 ? 24 : 16));
		putch(s, '.');
	} else {
		putu(s, sport);
		PUTS(s, " > ");
	}
	putu(s, dport);
	PUTS(s, ": ");
	if (!has(s, l4, 20))
		return ptrunc(s);
	hlen = (s->b[l4 + 12] >> 4) * 4;
	if (hlen < 20) {
		PUTS(s, " tcp ");
		putu(s, (__u32)(length - hlen));
		PUTS(s, " [bad hdr length ");
		putu(s, hlen);
		PUTS(s, " - too short, < 20]");
		return -1;
	}
	seq = be32(s->b + l4 + 4);
	ack = be32(s->b + l4 + 8);
	win = be16(s->b + l4 + 14);
	urp = be16(s->b + l4 + 18);
	if (s->c->qflag) {
		PUTS(s, "tcp ");
		putu(s, (__u32)(length - hlen));
		if (hlen > length)
			too_long(s, hlen, length);
		return -1;
	}
	flags = s->b[l4 + 13];
	PUTS(s, "Flags [");
	if (!flags) {
		PUTS(s, "none");
	} else {
		static const char letter[8] = { 'F', 'S', 'R', 'P', '.', 'U', 'E', 'W' };
		int i;

		for (i = 0; i < 8; i++)
			if (flags & (1 << i))
				putch(s, letter[i]);
	}
	putch(s, ']');
	if (s->c->seq && (flags & 0x10)) {
		seq_rel(s->c->seq, s->family, s->b + ip + (s->family == 6 ? 8 : 12),
			s->b + ip + (s->family == 6 ? 24 : 16), sport, dport, seq, ack,
			flags, &rel);
		seq = rel.seq;
		ack = rel.ack;
	}
	if (hlen > length)
		return too_long(s, hlen, length);
	if (s->c->verbose && !s->c->Kflag && !fragmented)
		tcp_cksum(s, l4, length);
	length -= hlen;
	if (s->c->verbose > 1 || length || (flags & 0x07)) {
		PUTS(s, ", seq ");
		putu(s, seq);
		if (length) {
			putch(s, ':');
			putu(s, (__u32)(seq + length));
		}
	}
	if (flags & 0x10) {
		PUTS(s, ", ack ");
		putu(s, ack);
	}
	PUTS(s, ", win ");
	putu(s, win);
	if (flags & 0x20) {
		PUTS(s, ", urg ");
		putu(s, urp);
	}
	if (hlen > 20) {
		r = tcp_opts(s, l4, hlen, length, flags, &rel);
		if (r)
			return r;
	}
	PUTS(s, ", length ");
	putu(s, length);
	s->res->done = 1;
	if (length && has(s, l4, hlen)) {
		s->res->payload_off = l4 + hlen;
		s->res->payload_len = (s->snapend < s->have ? s->snapend : s->have) - (l4 + hlen);
		if (s->res->payload_len > length)
			s->res->payload_len = length;
	}
	/* With -v, a RST's data (tcpdump prints it, then nothing more). */
	if (length && (flags & 0x04) && s->c->verbose) {
		__u32 i, n = length > 30 ? 30 : length, at = l4 + hlen;

		puts_(s, has(s, at, length) ? " [RST" : " [!RST");
		if (length > 30)
			putch(s, '+');
		putch(s, ' ');
		for (i = 0; i < n && has(s, at + i, 1); i++) {
			__u8 c = s->b[at + i];

			if (c >= 0x80) {
				c &= 0x7f;
				PUTS(s, "M-");
			}
			if (c < 0x20 || c == 0x7f) {
				c ^= 0x40;
				putch(s, '^');
			}
			putch(s, c);
		}
		putch(s, ']');
		s->res->payload_len = 0;
	}
	return 0;
}

/* --- IPv4 -------------------------------------------------------------- */

static int ip4_route(struct pr *s, __u32 cp, __u32 length)
{
	__u32 ptr, len;

	if (length < 3) {
		PUTS(s, " [bad length ");
		putu(s, length);
		putch(s, ']');
		return 0;
	}
	if ((length + 1) & 3) {
		PUTS(s, " [bad length ");
		putu(s, length);
		putch(s, ']');
	}
	GET1(s, cp + 2, ptr);
	ptr--;
	if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) {
		PUTS(s, " [bad ptr ");
		putu(s, (__u8)(ptr + 1));
		putch(s, ']');
	}
	for (len = 3; len < length; len += 4) {
		if (!has(s, cp + len, 4))
			return -1;
		putch(s, ' ');
		putaddr(s, 4, cp + len);
		if (ptr > len)
			putch(s, ',');
	}
	return 0;
}

static int ip4_ts(struct pr *s, __u32 cp, __u32 length)
{
	__u32 ptr, len = 0, hoplen;
	const char *type;
	__u8 fl;

	if (length < 4) {
		PUTS(s, "[bad length ");
		putu(s, length);
		putch(s, ']');
		return 0;
	}
	PUTS(s, " TS{");
	GET1(s, cp + 3, fl);
	hoplen = (fl & 15) != 0 ? 8 : 4;
	if ((length - 4) & (hoplen - 1)) {
		PUTS(s, "[bad length ");
		putu(s, length);
		putch(s, ']');
	}
	GET1(s, cp + 2, ptr);
	ptr = (__u32)(ptr - 1);
	if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1) {
		PUTS(s, "[bad ptr ");
		putu(s, s->b[cp + 2]);
		putch(s, ']');
	}
	switch (fl & 15) {
	case 0:
		PUTS(s, "TSONLY");
		break;
	case 1:
		PUTS(s, "TS+ADDR");
		break;
	case 3:
		PUTS(s, "PRESPEC");
		break;
	default:
		PUTS(s, "[bad ts type ");
		putu(s, fl & 15);
		putch(s, ']');
		goto done;
	}
	type = " ";
	for (len = 4; len < length; len += hoplen) {
		if (ptr == len)
			type = " ^ ";
		if (!has(s, cp + len, hoplen))
			return -1;
		puts_(s, type);
		putu(s, be32(s->b + cp + len + hoplen - 4));
		putch(s, '@');
		if (hoplen == 8)
			putaddr(s, 4, cp + len);
		type = " ";
	}
done:
	puts_(s, ptr == len ? " ^ " : "");
	if (fl >> 4) {
		PUTS(s, " [");
		putu(s, fl >> 4);
		PUTS(s, " hops not recorded]} ");
	} else {
		putch(s, '}');
	}
	return 0;
}

/* tcpdump's ip_optprint(): 0, -1 if cut (as a return value: the caller
 * says so), or the line's end (s->jmp set). */
static int ip4_opts(struct pr *s, __u32 cp, __u32 length)
{
	const char *sep = "";
	__u32 olen;
	__u8 code, b;
	int r;

	for (; length > 0; cp += olen, length -= olen) {
		puts_(s, sep);
		sep = ",";
		GET1(s, cp, code);
		switch (code) {
		case 0: PUTS(s, "EOL"); break;
		case 1: PUTS(s, "NOP"); break;
		case 68: PUTS(s, "timestamp"); break;
		case 130: PUTS(s, "security"); break;
		case 7: PUTS(s, "RR"); break;
		case 137: PUTS(s, "SSRR"); break;
		case 131: PUTS(s, "LSRR"); break;
		case 148: PUTS(s, "RA"); break;
		case 82: PUTS(s, "traceroute"); break;
		default:
			PUTS(s, "unknown ");
			putu(s, code);
		}
		if (code == 0 || code == 1) {
			olen = 1;
		} else {
			GET1(s, cp + 1, b);
			olen = b;
			if (olen < 2) {
				PUTS(s, " [bad length ");
				putu(s, olen);
				putch(s, ']');
				return 0;
			}
		}
		if (olen > length) {
			PUTS(s, " [bad length ");
			putu(s, olen);
			putch(s, ']');
			return 0;
		}
		if (!has(s, cp, olen))
			return -1;
		switch (code) {
		case 0:
			return 0;
		case 68:
			r = ip4_ts(s, cp, olen);
			if (r)
				return s->jmp ? r : -1;
			break;
		case 7:
		case 137:
		case 131:
			r = ip4_route(s, cp, olen);
			if (r)
				return s->jmp ? r : -1;
			break;
		case 148:
			if (olen < 4) {
				PUTS(s, " [bad length ");
				putu(s, olen);
				putch(s, ']');
				break;
			}
			if (!has(s, cp + 3, 1))
				return -1;
			if (be16(s->b + cp + 2)) {
				PUTS(s, " value ");
				putu(s, be16(s->b + cp + 2));
			}
			break;
		}
	}
	return 0;
}

static const char *ipproto_name(__u8 p)
{
	switch (p) {
	case 0: return "Options";
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 8: return "EGP";
	case 9: return "IGRP";
	case 17: return "UDP";
	case 33: return "DCCP";
	case 41: return "IPv6";
	case 43: return "Routing";
	case 44: return "Fragment";
	case 46: return "RSVP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 55: return "Mobile IP";
	case 58: return "ICMPv6";
	case 62: return "Mobile IP (old)";
	case 88: return "EIGRP";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 108: return "Compressed IP";
	case 112: return "VRRP";
	case 113: return "PGM";
	case 132: return "SCTP";
	case 135: return "Mobility";
	case 143: return "Ethernet";
	}
	return "unknown";
}

/* tcpdump's ip_print(): length is what the frame holds past l3 on the
 * wire. */
static int ip4(struct pr *s, __u32 l3, __u32 length)
{
	__u32 hlen, len, off;
	__u8 v, tos, ttl, proto;
	int optcut = 0, r;

	s->proto = "ip";
	s->l3 = l3;
	s->family = 4;
	GET1(s, l3, v);
	if (v >> 4 != 4) {
		if (v >> 4 == 6) {
			PUTS(s, "IP6, wrong link-layer encapsulation");
		} else {
			PUTS(s, "IP");
			putu(s, v >> 4);
		}
		PUTS(s, " (invalid)");
		return -1;
	}
	if (!s->c->eflag)
		PUTS(s, "IP ");
	if (!has(s, l3, 20))
		return ptrunc(s);
	if (length < 20) {
		PUTS(s, "truncated-ip ");
		putu(s, length);
		return -1;
	}
	hlen = (v & 15) * 4;
	if (hlen < 20) {
		PUTS(s, "bad-hlen ");
		putu(s, hlen);
		return -1;
	}
	len = be16(s->b + l3 + 2);
	if (length < len) {
		PUTS(s, "truncated-ip - ");
		putu(s, len - length);
		PUTS(s, " bytes missing! ");
	}
	if (len < hlen) {
		PUTS(s, "bad-len ");
		putu(s, len);
		return -1;
	}
	if (l3 + len < s->snapend)
		s->snapend = l3 + len;
	len -= hlen;
	off = be16(s->b + l3 + 6);
	proto = s->b[l3 + 9];
	if (s->c->verbose) {
		tos = s->b[l3 + 1];
		PUTS(s, "(tos 0x");
		putx(s, tos, 1);
		puts_(s, (const char *[]){ "", ",ECT(1)", ",ECT(0)", ",CE" }[tos & 3]);
		ttl = s->b[l3 + 8];
		if (ttl) {
			PUTS(s, ", ttl ");
			putu(s, ttl);
		}
		PUTS(s, ", id ");
		putu(s, be16(s->b + l3 + 4));
		PUTS(s, ", offset ");
		putu(s, (off & 0x1fff) * 8);
		PUTS(s, ", flags [");
		if (!(off & 0xe000)) {
			PUTS(s, "none");
		} else {
			const char *sep = "";

			if (off & 0x2000)
				PUTS(s, "+"), sep = ", ";
			if (off & 0x4000)
				puts_(s, sep), PUTS(s, "DF"), sep = ", ";
			if (off & 0x8000)
				puts_(s, sep), PUTS(s, "rsvd");
		}
		PUTS(s, "], proto ");
		puts_(s, ipproto_name(proto));
		PUTS(s, " (");
		putu(s, proto);
		PUTS(s, "), length ");
		putu(s, be16(s->b + l3 + 2));
		if (hlen > 20) {
			PUTS(s, ", options (");
			r = ip4_opts(s, l3 + 20, hlen - 20);
			if (r && s->jmp)
				return r;
			if (r) {
				PUTS(s, " [truncated-option]");
				optcut = 1;
			}
			putch(s, ')');
		}
		if (!s->c->Kflag && l3 + hlen <= s->snapend && has(s, l3, hlen)) {
			__u16 sum = ~sum_fold(sum_add(s->b + l3, hlen, 0));

			if (sum) {
				__u16 field = be16(s->b + l3 + 10);

				PUTS(s, ", bad cksum ");
				putx(s, field, 1);
				PUTS(s, " (->");
				putx(s, shouldbe(field, sum), 1);
				PUTS(s, ")!");
			}
		}
		PUTS(s, ")\n    ");
		if (optcut) {
			putaddr(s, 4, l3 + 12);
			PUTS(s, " > ");
			putaddr(s, 4, l3 + 16);
			PUTS(s, ": ");
			return ptrunc(s);
		}
	}
	if (!(off & 0x1fff)) {
		if (proto != 6 && proto != 17 && proto != 132 && proto != 33) {
			putaddr(s, 4, l3 + 12);
			PUTS(s, " > ");
			putaddr(s, 4, l3 + 16);
			PUTS(s, ": ");
		}
		if (!has(s, l3, hlen)) {
			PUTS(s, " [remaining caplen(");
			putu(s, (s->snapend < s->have ? s->snapend : s->have) - l3);
			PUTS(s, ") < header length(");
			putu(s, hlen);
			PUTS(s, ")]");
			return jump(s);
		}
		if (proto != 6)
			return -1;	/* the program sends TCP only */
		return tcp(s, l3 + hlen, len, off & 0x2000);
	}
	putaddr(s, 4, l3 + 12);
	PUTS(s, " > ");
	putaddr(s, 4, l3 + 16);
	PUTS(s, ": ip-proto-");
	putu(s, proto);
	s->res->done = 1;
	return 0;
}

/* --- IPv6 -------------------------------------------------------------- */

/* An option of want bytes with its type and length, at the start of
 * left: 0, or -2 after "(name: trunc)" or "(name: invalid len N)". */
static int opt_fixed(struct pr *s, const char *name, __u32 left, __u32 at, __u32 want)
{
	if (left >= want && s->b[at + 1] == want - 2)
		return 0;
	putch(s, '(');
	puts_(s, name);
	if (left < want) {
		PUTS(s, ": trunc)");
	} else {
		PUTS(s, ": invalid len ");
		putu(s, s->b[at + 1]);
		putch(s, ')');
	}
	return -2;
}

/* tcpdump's ip6_opt_process(): the options of a hop-by-hop or
 * destination options header; -1 (after saying why) if bad or cut. */
static int ip6_opts(struct pr *s, __u32 bp, __u32 len, int *jumbo, __u32 *plen)
{
	__u32 i, optlen = 0, jl;
	int v = s->c->verbose, seen = 0;
	const char *why;
	__u8 t;

	if (!len)
		return 0;
	for (i = 0; i < len; i += optlen) {
		GET1(s, bp + i, t);
		if (t == 0) {
			optlen = 1;
		} else if (i + 1 < len) {
			GET1(s, bp + i + 1, optlen);
			optlen += 2;
		} else {
			return -2;
		}
		if (i + optlen > len)
			return -2;
		switch (t) {
		case 0:
			if (v)
				PUTS(s, "(pad1)");
			break;
		case 1:
			if (len - i < 2) {
				PUTS(s, "(padn: trunc)");
				return -2;
			}
			if (v)
				PUTS(s, "(padn)");
			break;
		case 5:
			if (opt_fixed(s, "rtalert", len - i, bp + i, 4))
				return -2;
			if (v) {
				PUTS(s, "(rtalert: 0x");
				putx(s, be16(s->b + bp + i + 2), 4);
				PUTS(s, ") ");
			}
			break;
		case 0xc2:
			if (opt_fixed(s, "jumbo", len - i, bp + i, 6))
				return -2;
			jl = be32(s->b + bp + i + 2);
			if (seen) {
				why = " - already seen";
			} else if (!plen) {
				why = " - not a hop-by-hop option";
			} else if (*plen) {
				why = " - payload len != 0";
			} else if (jl < 65536) {
				why = " - < 65536";
			} else {
				*jumbo = 1;	/* found, valid */
				*plen = jl;
				why = "";
			}
			seen = 1;
			if (v) {
				PUTS(s, "(jumbo: ");
				putu(s, jl);
				puts_(s, why);
				PUTS(s, ") ");
			}
			break;
		case 0xc9:
			if (len - i < 18) {
				PUTS(s, "(homeaddr: trunc)");
				return -2;
			}
			if (s->b[bp + i + 1] < 16) {
				PUTS(s, "(homeaddr: invalid len ");
				putu(s, s->b[bp + i + 1]);
				putch(s, ')');
				return -2;
			}
			if (v) {
				__u32 j, sl;

				PUTS(s, "(homeaddr: ");
				putaddr(s, 6, bp + i + 2);
				if (s->b[bp + i + 1] > 16) {
					/* sub-options, tcpdump's ip6_sopt_print() */
					sl = optlen - 18;
					for (j = 0; j < sl; ) {
						__u32 at = bp + i + 18 + j, ol;

						if (s->b[at] == 0) {
							ol = 1;
						} else if (j + 1 < sl) {
							ol = s->b[at + 1] + 2;
						} else {
							return -2;
						}
						if (j + ol > sl)
							return -2;
						if (s->b[at] == 0) {
							PUTS(s, ", pad1");
						} else if (s->b[at] == 1) {
							if (sl - j < 2) {
								PUTS(s, ", padn: trunc");
								return -2;
							}
							PUTS(s, ", padn");
						} else {
							if (sl - j < 2) {
								PUTS(s, ", sopt_type ");
								putu(s, s->b[at]);
								PUTS(s, ": trunc)");
								return -2;
							}
							PUTS(s, ", sopt_type 0x");
							putx(s, s->b[at], 2);
							PUTS(s, ": len=");
							putu(s, s->b[at + 1]);
						}
						j += ol;
					}
				}
				putch(s, ')');
			}
			break;
		default:
			if (len - i < 2) {
				PUTS(s, "(type ");
				putu(s, t);
				PUTS(s, ": trunc)");
				return -2;
			}
			if (v) {
				PUTS(s, "(opt_type 0x");
				putx(s, t, 2);
				PUTS(s, ": len=");
				putu(s, s->b[bp + i + 1]);
				putch(s, ')');
			}
			break;
		}
	}
	if (v)
		putch(s, ' ');
	return 0;
}

/* A hop-by-hop (hbh) or destination options header at cp: its length,
 * or -1 when the line is over. */
static int ip6_optshdr(struct pr *s, __u32 cp, int hbh, int *jumbo, __u32 *plen)
{
	__u32 n;
	__u8 l;
	int r;

	s->proto = hbh ? "hbhopt" : "dstopt";
	GET1(s, cp + 1, l);
	n = (l + 1) << 3;
	if (!has(s, cp, n)) {
		ptrunc(s);
		return -2;
	}
	puts_(s, hbh ? "HBH " : "DSTOPT ");
	if (hbh || s->c->verbose) {
		r = ip6_opts(s, cp + 2, n - 2, hbh ? jumbo : NULL, hbh ? plen : NULL);
		if (r == -1)
			return r;
		if (r) {
			ptrunc(s);
			return -2;
		}
	}
	return n;
}

/* tcpdump's rt6_print(): the header's length, or -1. */
static int ip6_rt(struct pr *s, __u32 cp)
{
	__u32 len, i, a;
	__u8 type, b;
	__u16 tag;
	__u32 rsv;

	s->proto = "rt6";
	PUTS(s, "RT6");
	GET1(s, cp + 1, len);
	PUTS(s, " (len=");
	putu(s, len);
	GET1(s, cp + 2, type);
	PUTS(s, ", type=");
	putu(s, type);
	if (type == 0)
		PUTS(s, " [Deprecated]");
	GET1(s, cp + 3, b);
	PUTS(s, ", segleft=");
	putu(s, b);
	switch (type) {
	case 0:
	case 2:
		GET4(s, cp + 4, rsv);
		if (rsv || s->c->verbose) {
			PUTS(s, ", rsv=0x");
			putx(s, rsv, 1);
		}
		a = cp + 8;
		break;
	case 4:
		GET1(s, cp + 4, b);
		PUTS(s, ", last-entry=");
		putu(s, b);
		GET1(s, cp + 5, b);
		if (b || s->c->verbose) {
			PUTS(s, ", flags=0x");
			putx(s, b, 1);
		}
		GET2(s, cp + 6, tag);
		PUTS(s, ", tag=");
		putx(s, tag, 1);
		a = cp + 8;
		break;
	default:
		PUTS(s, " (unknown type) (invalid)");
		return -2;
	}
	if (len % 2) {
		PUTS(s, " (invalid length ");
		putu(s, len);
		PUTS(s, ") (invalid)");
		return -2;
	}
	for (i = 0; i < len / 2; i++) {
		if (!has(s, a + 16 * i, 16))
			return jump(s);
		if (s->end - s->p < 64)		/* a line has its bounds */
			return -2;
		PUTS(s, ", [");
		putu(s, i);
		putch(s, ']');
		putaddr(s, 6, a + 16 * i);
	}
	PUTS(s, ") ");
	return (len + 1) << 3;
}

/* tcpdump's frag6_print(): 8 to go on, or -1. */
static int ip6_frag(struct pr *s, __u32 cp)
{
	__u32 id;
	__u16 off;
	__u64 n;

	s->proto = "frag6";
	n = 40 + (__u64)be16(s->b + s->l3 + 4) - (cp - s->l3) - 8;
	if (s->c->verbose) {
		GET4(s, cp + 4, id);
		GET2(s, cp + 2, off);
		PUTS(s, "frag (0x");
		putx(s, id, 8);
		putch(s, ':');
		putu(s, off & 0xfff8);
	} else {
		GET2(s, cp + 2, off);
		PUTS(s, "frag (");
		putu(s, off & 0xfff8);
	}
	putch(s, '|');
	putu(s, n);
	putch(s, ')');
	if (off & 0xfff8) {
		s->res->done = 1;
		return -2;
	}
	putch(s, ' ');
	return 8;
}

static int ip6(struct pr *s, __u32 l3, __u32 length)
{
	__u32 plen, len, cp, total = 0, flow;
	int adv, fragmented = 0, found_ext = 0, jumbo = 0, hbh = 0;
	__u8 nh, ph = 255;

	s->proto = "ip6";
	s->l3 = l3;
	s->family = 6;
	if (!has(s, l3, 40))
		return ptrunc(s);
	if (length < 40) {
		PUTS(s, "truncated-ip6 ");
		putu(s, length);
		return -1;
	}
	if (!s->c->eflag)
		PUTS(s, "IP6 ");
	if (s->b[l3] >> 4 != 6) {
		PUTS(s, "version error: ");
		putu(s, s->b[l3] >> 4);
		PUTS(s, " != 6");
		return -1;
	}
	plen = be16(s->b + l3 + 4);
	if (plen) {
		len = plen + 40;
		if (length < len) {
			PUTS(s, "truncated-ip6 - ");
			putu(s, len - length);
			PUTS(s, " bytes missing!");
		}
	} else {
		len = length + 40;
	}
	nh = s->b[l3 + 6];
	if (s->c->verbose) {
		flow = be32(s->b + l3);
		putch(s, '(');
		if (flow & 0x0ff00000) {
			PUTS(s, "class 0x");
			putx(s, (flow & 0x0ff00000) >> 20, 2);
			PUTS(s, ", ");
		}
		if (flow & 0x000fffff) {
			PUTS(s, "flowlabel 0x");
			putx(s, flow & 0x000fffff, 5);
			PUTS(s, ", ");
		}
		PUTS(s, "hlim ");
		putu(s, s->b[l3 + 7]);
		PUTS(s, ", next-header ");
		puts_(s, ipproto_name(nh));
		PUTS(s, " (");
		putu(s, nh);
		PUTS(s, ") payload length: ");
		putu(s, plen);
		PUTS(s, ") ");
	}
	if ((__u64)l3 + len < s->snapend)
		s->snapend = l3 + len;
	cp = l3;
	adv = 40;
	while (cp < s->snapend && adv > 0) {
		if (len < (__u32)adv)
			return ptrunc(s);
		cp += adv;
		len -= adv;
		total += adv;
		if (cp == l3 + 40 && nh != 6 && nh != 17 && nh != 33 && nh != 132) {
			putaddr(s, 6, l3 + 8);
			PUTS(s, " > ");
			putaddr(s, 6, l3 + 24);
			PUTS(s, ": ");
		}
		if (s->end - s->p < 256)	/* a line has its bounds */
			return -1;
		switch (nh) {
		case 0:
			if (hbh) {
				PUTS(s, "[The Hop-by-Hop Options header was already found] (invalid)");
				return -1;
			}
			if (ph != 255) {
				PUTS(s, "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)");
				return -1;
			}
			adv = ip6_optshdr(s, cp, 1, &jumbo, &plen);
			if (adv == -1)
				return -1;
			if (!plen && !jumbo) {
				PUTS(s, "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
				return -1;
			}
			if (adv < 0)
				return -1;
			found_ext = hbh = 1;
			nh = s->b[cp];
			break;
		case 60:
			adv = ip6_optshdr(s, cp, 0, NULL, NULL);
			if (adv < 0)
				return -1;
			found_ext = 1;
			nh = s->b[cp];
			break;
		case 44:
			adv = ip6_frag(s, cp);
			if (adv < 0 || s->snapend <= cp + adv)
				return -1;
			found_ext = fragmented = 1;
			nh = s->b[cp];
			break;
		case 43:
			if (!has(s, cp, 1))
				return ptrunc(s);
			adv = ip6_rt(s, cp);
			if (adv < 0)
				return -1;
			found_ext = 1;
			nh = s->b[cp];
			break;
		default:
			if (jumbo) {
				len = plen + 40;
				if (len < total)
					return ptrunc(s);
				if (length < len) {
					PUTS(s, "truncated-ip6 - ");
					putu(s, len - length);
					PUTS(s, " bytes missing!");
				}
				if (l3 + len < s->snapend)
					s->snapend = l3 + len;
				len -= total;
			} else if (!plen) {
				if (found_ext)
					return ptrunc(s);
				len = 0;
				if (l3 + 40 < s->snapend)
					s->snapend = l3 + 40;
			}
			if (nh != 6)
				return -1;	/* the program sends TCP only */
			return tcp(s, cp, len, fragmented);
		}
		ph = nh;
		s->proto = "ip6";
	}
	return -1;
}

/* --- the link layer ---------------------------------------------------- */

static void ether_type(struct pr *s, __u16 type)
{
	const char *name;

	switch (type) {
	case 0x0800: name = "IPv4"; break;
	case 0x86dd: name = "IPv6"; break;
	case 0x8100: name = "802.1Q"; break;
	case 0x88a8: name = "802.1Q-QinQ"; break;
	case 0x9100: name = "802.1Q-9100"; break;
	case 0x9200: name = "802.1Q-9200"; break;
	default: name = NULL;
	}
	if (s->c->qflag) {
		if (name) {
			puts_(s, name);
		} else {
			PUTS(s, "Unknown Ethertype (0x");
			putx(s, type, 4);
			putch(s, ')');
		}
		return;
	}
	PUTS(s, "ethertype ");
	puts_(s, name ? name : "Unknown");
	PUTS(s, " (0x");
	putx(s, type, 4);
	putch(s, ')');
}

static void mac(struct pr *s, __u32 off)
{
	int i;

	for (i = 0; i < 6; i++) {
		if (i)
			putch(s, ':');
		putx(s, s->b[off + i], 2);
	}
}

char *pr_line(char *p, char *end, const struct pr_cfg *c,
	      const struct ti_view *v, __u32 wire_len, struct pr_res *res)
{
	struct pr s = {
		.p = p, .end = end, .b = v->bytes, .have = v->bytes_len,
		.snapend = v->pkt_len, .c = c, .res = res, .proto = "ether",
	};
	__u32 off = 12, length = wire_len;
	__u16 type;
	int printed = 0;

	memset(res, 0, sizeof(*res));
	res->dump_off = v->l3_off;
	if (s.have < 14)
		return s.p;
	if (c->eflag) {
		mac(&s, 6);
		PUTS(&s, " > ");
		mac(&s, 0);
		PUTS(&s, ", ");
	}
	type = be16(s.b + off);
	off += 2;
	/* The tags the program looked through, up to the IP header. */
	while ((type == 0x8100 || type == 0x88a8) && off + 4 <= v->l3_off &&
	       off + 4 <= s.have) {
		if (c->eflag) {
			ether_type(&s, type);
			if (!printed) {
				PUTS(&s, ", length ");
				putu(&s, length);
				PUTS(&s, ": ");
				printed = 1;
			} else {
				PUTS(&s, ", ");
			}
			PUTS(&s, "vlan ");
			putu(&s, be16(s.b + off) & 0xfff);
			PUTS(&s, ", p ");
			putu(&s, be16(s.b + off) >> 13);
			if (be16(s.b + off) & 0x1000)
				PUTS(&s, ", DEI");
			PUTS(&s, ", ");
		}
		type = be16(s.b + off + 2);
		off += 4;
	}
	if (c->eflag) {
		ether_type(&s, type);
		if (!printed) {
			PUTS(&s, ", length ");
			putu(&s, length);
			PUTS(&s, ": ");
		} else {
			PUTS(&s, ", ");
		}
	}
	length = length > off ? length - off : 0;
	if (type == 0x0800)
		ip4(&s, off, length);
	else if (type == 0x86dd)
		ip6(&s, off, length);
	if (s.jmp) {
		ptrunc(&s);
		res->dump_off = 0;
		res->done = 0;
	}
	return s.p;
}
