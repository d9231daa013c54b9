// SPDX-License-Identifier: GPL-2.0
/*
 * ipfix.c - IPFIX and NetFlow v9 messages (ipfix.h).  All fields are
 * big-endian; IPFIX sets are not padded, v9 flowsets are padded to four
 * bytes as RFC 3954 recommends.
 */
#include <errno.h>
#include <string.h>
#include "ipfix.h"

/* An element of a template: IANA id, length; own = under IPFIX_PEN. */
struct ie {
	__u16 id, len;
	__u8 own;
};

/* RFC 7012 ids; NetFlow v9 uses the same numbers for these, but its
 * times are 4-byte uptimes (21, 22) and its TCP flags one byte. */
enum {
	IE_OCTETS = 1, IE_PACKETS = 2, IE_PROTO = 4, IE_TCP_FLAGS = 6,
	IE_SPORT = 7, IE_SRC4 = 8, IE_IN_IF = 10, IE_DPORT = 11, IE_DST4 = 12,
	NF9_LAST = 21, NF9_FIRST = 22, IE_SRC6 = 27, IE_DST6 = 28,
	IE_END_REASON = 136, IE_START_MS = 152, IE_END_MS = 153,
};

#define E(id, len)	{ id, len, 0 }
#define OWN(id)		{ id, 4, 1 }

/* The templates: the addresses of the family, then the rest. */
static const struct ie addr_ie[2][2] = {
	{ E(IE_SRC4, 4), E(IE_DST4, 4) },
	{ E(IE_SRC6, 16), E(IE_DST6, 16) },
};

static const struct ie rest_ipfix[] = {
	E(IE_SPORT, 2), E(IE_DPORT, 2), E(IE_PROTO, 1), E(IE_TCP_FLAGS, 2),
	E(IE_PACKETS, 8), E(IE_OCTETS, 8), E(IE_START_MS, 8), E(IE_END_MS, 8),
	E(IE_END_REASON, 1), E(IE_IN_IF, 4), OWN(IPFIX_OWN_SYN),
	OWN(IPFIX_OWN_SYNACK), OWN(IPFIX_OWN_FIN), OWN(IPFIX_OWN_RST),
	OWN(IPFIX_OWN_RETRANS), OWN(IPFIX_OWN_HS_RTT_US), OWN(IPFIX_OWN_RTT_US),
};

static const struct ie rest_nf9[] = {
	E(IE_SPORT, 2), E(IE_DPORT, 2), E(IE_PROTO, 1), E(IE_TCP_FLAGS, 1),
	E(IE_PACKETS, 8), E(IE_OCTETS, 8), E(NF9_FIRST, 4), E(NF9_LAST, 4),
	E(IE_IN_IF, 4),
};

#define CNT(a)	(sizeof(a) / sizeof((a)[0]))

/* Element i of the template of a family (i counts the addresses too). */
static const struct ie *tpl_ie(const struct ipfix_msg *m, int v6, size_t i)
{
	if (i < 2)
		return &addr_ie[v6][i];
	return m->version == IPFIX_NF9 ? &rest_nf9[i - 2] : &rest_ipfix[i - 2];
}

static size_t tpl_cnt(const struct ipfix_msg *m)
{
	return 2 + (m->version == IPFIX_NF9 ? CNT(rest_nf9) : CNT(rest_ipfix));
}

static __u8 *put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

static __u8 *put32(__u8 *p, __u32 v)
{
	return put16(put16(p, v >> 16), v);
}

static __u8 *put64(__u8 *p, __u64 v)
{
	return put32(put32(p, v >> 32), v);
}

/* A value of an element of the given length, the low bytes of v. */
static __u8 *put_n(__u8 *p, __u64 v, __u16 len)
{
	switch (len) {
	case 1: *p = v; return p + 1;
	case 2: return put16(p, v);
	case 4: return put32(p, v);
	default: return put64(p, v);
	}
}

/* Bytes a data record of a family takes. */
static size_t rec_len(const struct ipfix_msg *m, int v6)
{
	size_t i, n = 0;

	for (i = 0; i < tpl_cnt(m); i++)
		n += tpl_ie(m, v6, i)->len;
	return n;
}

/* Close the open set: its length, and v9's padding to four bytes. */
static void set_close(struct ipfix_msg *m)
{
	if (!m->set_at)
		return;
	if (m->version == IPFIX_NF9)
		while ((m->len - m->set_at) % 4)
			m->buf[m->len++] = 0;
	put16(m->buf + m->set_at + 2, m->len - m->set_at);
	m->set_at = 0;
}

static void set_open(struct ipfix_msg *m, __u16 id)
{
	m->set_at = m->len;
	m->set_id = id;
	put16(m->buf + m->len, id);
	m->len += 4;
}

/* Both templates, in one template set. */
static void templates(struct ipfix_msg *m)
{
	const struct ie *t;
	size_t i;
	__u8 *p;
	int v6;

	set_open(m, m->version == IPFIX_NF9 ? 0 : 2);
	p = m->buf + m->len;
	for (v6 = 0; v6 < 2; v6++) {
		p = put16(p, v6 ? IPFIX_TPL_V6 : IPFIX_TPL_V4);
		p = put16(p, tpl_cnt(m));
		for (i = 0; i < tpl_cnt(m); i++) {
			t = tpl_ie(m, v6, i);
			p = put16(p, t->id | (t->own ? 0x8000 : 0));
			p = put16(p, t->len);
			if (t->own)
				p = put32(p, IPFIX_PEN);
		}
		m->count++;
	}
	m->len = p - m->buf;
	set_close(m);
}

int ipfix_begin(struct ipfix_msg *m, enum ipfix_version v, __u8 *buf,
		size_t room, __u64 now_ms, __u64 boot_ms, __u32 seq,
		__u32 domain, int with_templates)
{
	__u8 *p = buf;

	if (room < IPFIX_MIN_ROOM)
		return -EINVAL;
	*m = (struct ipfix_msg){ .version = v, .buf = buf, .room = room,
				 .boot_ms = boot_ms };
	if (v == IPFIX_NF9) {	/* version, count, uptime, secs, sequence, source */
		p = put16(p, 9);
		p = put16(p, 0);
		p = put32(p, now_ms - boot_ms);
		p = put32(p, now_ms / 1000);
	} else {		/* version, length, export time, sequence, domain */
		p = put16(p, 10);
		p = put16(p, 0);
		p = put32(p, now_ms / 1000);
	}
	p = put32(p, seq);
	p = put32(p, domain);
	m->len = p - buf;
	if (with_templates)
		templates(m);
	return 0;
}

int ipfix_add(struct ipfix_msg *m, const struct ipfix_rec *r)
{
	int v6 = r->family == 6;
	__u16 id = v6 ? IPFIX_TPL_V6 : IPFIX_TPL_V4;
	size_t need = rec_len(m, v6) + (m->set_at && m->set_id == id ? 0 : 4 + 3);
	const struct ie *t;
	size_t i;
	__u8 *p;
	__u64 v;

	if (m->len + need + 3 > m->room)	/* + v9's padding */
		return -ENOSPC;
	if (!m->set_at || m->set_id != id) {
		set_close(m);
		set_open(m, id);
	}
	p = m->buf + m->len;
	for (i = 0; i < tpl_cnt(m); i++) {
		t = tpl_ie(m, v6, i);
		switch (t->own ? 0x8000 | t->id : t->id) {
		case IE_SRC4: case IE_SRC6:
			memcpy(p, r->saddr, t->len);
			p += t->len;
			continue;
		case IE_DST4: case IE_DST6:
			memcpy(p, r->daddr, t->len);
			p += t->len;
			continue;
		case IE_SPORT: v = r->sport; break;
		case IE_DPORT: v = r->dport; break;
		case IE_PROTO: v = 6; break;	/* TCP */
		case IE_TCP_FLAGS: v = r->tcp_flags; break;
		case IE_PACKETS: v = r->packets; break;
		case IE_OCTETS: v = r->bytes; break;
		case IE_START_MS: v = r->start_ms; break;
		case IE_END_MS: v = r->end_ms; break;
		case NF9_FIRST: v = r->start_ms - m->boot_ms; break;
		case NF9_LAST: v = r->end_ms - m->boot_ms; break;
		case IE_END_REASON: v = r->end_reason; break;
		case IE_IN_IF: v = r->ifindex; break;
		case 0x8000 | IPFIX_OWN_SYN: v = r->syn; break;
		case 0x8000 | IPFIX_OWN_SYNACK: v = r->synack; break;
		case 0x8000 | IPFIX_OWN_FIN: v = r->fin; break;
		case 0x8000 | IPFIX_OWN_RST: v = r->rst; break;
		case 0x8000 | IPFIX_OWN_RETRANS: v = r->retrans; break;
		case 0x8000 | IPFIX_OWN_HS_RTT_US: v = r->hs_rtt_us; break;
		case 0x8000 | IPFIX_OWN_RTT_US: v = r->rtt_us; break;
		default: v = 0; break;
		}
		p = put_n(p, v, t->len);
	}
	m->len = p - m->buf;
	m->records++;
	m->count++;
	return 0;
}

size_t ipfix_end(struct ipfix_msg *m)
{
	set_close(m);
	/* IPFIX: the message's length; v9: the count of records */
	put16(m->buf + 2, m->version == IPFIX_NF9 ? m->count : m->len);
	return m->len;
}
