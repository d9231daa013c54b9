// SPDX-License-Identifier: GPL-2.0
/*
 * decode_test - ev_decode() on records as the XDP program sends them:
 * the event (where the IP and TCP headers start) and the frame's bytes,
 * built here byte by byte: IPv4 with options behind two VLAN tags, a
 * later IPv4 fragment, IPv6 behind a hop-by-hop and a fragment header,
 * a later IPv6 fragment; every field checked.  Then every record cut
 * short, and records whose offsets lie: an error, never a read past the
 * bytes (AddressSanitizer watches).  And malformed packets' records:
 * what of their headers the bytes hold, for every length of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "../result.h"
#include "../wire.h"

struct rec {
	struct ti_event e;
	__u8 b[256];
};

static const __u8 mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
static const __u8 a4[4] = { 10, 1, 2, 3 }, b4[4] = { 192, 0, 2, 9 };
static const __u8 a6[16] = { 0xfd, 0, 0x74, 0x69, [15] = 1 };
static const __u8 b6[16] = { 0xfd, 0, 0x74, 0x69, [15] = 2 };

/* A TCP header at p: ports, seq, ack, hlen (with options), flags, win, urg. */
static __u32 tcp(__u8 *p, __u32 hlen, __u8 flags)
{
	memset(p, 0, hlen);
	put16(p, 40000);
	put16(p + 2, 8080);
	put32(p + 4, 0x11223344);
	put32(p + 8, 0x55667788);
	p[12] = hlen / 4 << 4;
	p[13] = flags;
	put16(p + 14, 502);
	put16(p + 18, 7);
	if (hlen >= 24) {		/* mss 1460, then nops */
		p[20] = 2;
		p[21] = 4;
		put16(p + 22, 1460);
		memset(p + 24, 1, hlen - 24);
	}
	return hlen;
}

/* Ethernet and VLAN tags (vlans of them) to type; the offset after. */
static __u32 l2(__u8 *b, int vlans, __u16 type)
{
	__u32 o = 12;
	int i;

	memcpy(b, mac, 12);
	for (i = 0; i < vlans; i++, o += 4) {
		put16(b + o, i ? 0x8100 : 0x88a8);
		put16(b + o + 2, 0x2000 | (100 + i));	/* PCP 1, id 100 + i */
	}
	put16(b + o, type);
	return o + 2;
}

static void event(struct rec *r, __u32 len, __u32 l3, __u32 l4, __u8 family,
		  __u8 flags)
{
	memset(&r->e, 0, sizeof(r->e));
	r->e.ts_ns = 123456789;
	r->e.ifindex = 7;
	r->e.rx_queue = 3;
	r->e.pkt_len = len + 1000;	/* as if longer than the bytes sent */
	r->e.snap_len = len;
	r->e.cap_len = len - 4;
	r->e.l3_off = l3;
	r->e.l4_off = l4;
	r->e.family = family;
	r->e.ev_flags = flags;
}

/* IPv4 (ihl 24: one option word), two VLAN tags, a SYN with mss. */
static __u32 v4_syn(struct rec *r)
{
	__u32 l3 = l2(r->b, 2, 0x0800), l4 = l3 + 24, n;

	memset(r->b + l3, 0, 24);
	r->b[l3] = 0x46;
	r->b[l3 + 1] = 0x10;			/* tos */
	put16(r->b + l3 + 4, 0xbeef);		/* id */
	put16(r->b + l3 + 6, 0x4000);		/* DF */
	r->b[l3 + 8] = 63;
	r->b[l3 + 9] = 6;
	memcpy(r->b + l3 + 12, a4, 4);
	memcpy(r->b + l3 + 16, b4, 4);
	n = l4 + tcp(r->b + l4, 28, TI_TCP_SYN);
	put16(r->b + l3 + 2, n - l3 + 10);	/* 10 bytes of payload */
	event(r, n, l3, l4, 4, 0);
	return n;
}

/* A later IPv4 fragment: offset 1480, MF, no TCP header. */
static __u32 v4_frag(struct rec *r)
{
	__u32 l3 = l2(r->b, 0, 0x0800), l4 = l3 + 20;

	memset(r->b + l3, 0, 20);
	r->b[l3] = 0x45;
	put16(r->b + l3 + 2, 20 + 100);
	put16(r->b + l3 + 6, 0x2000 | 185);	/* MF, 185 * 8 = 1480 */
	r->b[l3 + 8] = 64;
	r->b[l3 + 9] = 6;
	memcpy(r->b + l3 + 12, a4, 4);
	memcpy(r->b + l3 + 16, b4, 4);
	memset(r->b + l4, 0xab, 40);
	event(r, l4 + 40, l3, l4, 4, TI_EV_FRAG);
	return l4 + 40;
}

/* IPv6, hop-by-hop (8 bytes), a first fragment header (M, id), ACK. */
static __u32 v6_ext(struct rec *r, int later)
{
	__u32 l3 = l2(r->b, 1, 0x86dd), o = l3 + 40, l4, n;
	__u8 *ip = r->b + l3;

	memset(ip, 0, 40);
	ip[0] = 0x6a;				/* version 6, class 0xa5 */
	ip[1] = 0x5b;				/* flow label 0xbcdef */
	ip[2] = 0xcd;
	ip[3] = 0xef;
	ip[6] = 0;				/* hop-by-hop */
	ip[7] = 5;
	memcpy(ip + 8, a6, 16);
	memcpy(ip + 24, b6, 16);
	memset(r->b + o, 0, 8);
	r->b[o] = 44;				/* then a fragment header */
	o += 8;
	r->b[o] = 6;
	put16(r->b + o + 2, later ? (1232 | 1) : 1);	/* offset, M */
	put32(r->b + o + 4, 0xcafe0001);
	l4 = o + 8;
	if (later) {
		memset(r->b + l4, 0x5a, 24);
		n = l4 + 24;
	} else {
		n = l4 + tcp(r->b + l4, 20, TI_TCP_ACK | TI_TCP_PSH);
	}
	put16(ip + 4, n - l3 - 40 + 100);	/* and 100 bytes more */
	event(r, n, l3, l4, 6, later ? TI_EV_FRAG : 0);
	return n;
}

static int check_v4_syn(const struct ti_view *v, char *why, size_t len)
{
	if (v->family != 4 || v->vlan_cnt != 2 || v->vlan[0] != 100 || v->vlan[1] != 101)
		snprintf(why, len, "family %u, %u tags %u %u", v->family, v->vlan_cnt,
			 v->vlan[0], v->vlan[1]);
	else if (memcmp(v->saddr, a4, 4) || memcmp(v->daddr, b4, 4) || v->ttl != 63 ||
		 v->tos != 0x10 || v->ip_id != 0xbeef || v->ev_flags != TI_EV_DF ||
		 v->frag_off)
		snprintf(why, len, "IP: ttl %u tos %u id %u flags %u", v->ttl, v->tos,
			 v->ip_id, v->ev_flags);
	else if (v->sport != 40000 || v->dport != 8080 || v->seq != 0x11223344 ||
		 v->ack != 0x55667788 || v->tcp_hlen != 28 || v->tcp_flags != TI_TCP_SYN ||
		 v->window != 502 || v->urg_ptr != 7 || v->payload_len != 10 ||
		 v->ip_len != 24 + 28 + 10)
		snprintf(why, len, "TCP: %u > %u seq %u hlen %u payload %u", v->sport,
			 v->dport, v->seq, v->tcp_hlen, v->payload_len);
	else if (v->ts_ns != 123456789 || v->ifindex != 7 || v->rx_queue != 3 ||
		 v->pkt_len != v->bytes_len + 1000 || v->snap_len != v->bytes_len - 4)
		snprintf(why, len, "event fields");
	else
		return 1;
	return 0;
}

/* Every prefix of the record as a shorter record: no crash; an error or,
 * if the headers fit, the same fields. */
static void prefixes(const char *name, struct rec *r, __u32 n, int want_ok_from)
{
	struct ti_view v;
	char why[128] = "";
	__u8 *copy;
	__u32 k;
	int ret;

	for (k = 0; k <= n && !*why; k++) {
		/* a heap copy of exactly the record's length, for ASan */
		copy = malloc(sizeof(r->e) + k);
		memcpy(copy, &r->e, sizeof(r->e));
		((struct ti_event *)copy)->snap_len = k;
		((struct ti_event *)copy)->cap_len = 0;
		memcpy(copy + sizeof(r->e), r->b, k);
		ret = ev_decode(copy, sizeof(r->e) + k, &v);
		if (k < (__u32)want_ok_from && ret != -EINVAL)
			snprintf(why, sizeof(why), "%u bytes: %d, want -EINVAL", k, ret);
		if (k >= (__u32)want_ok_from && ret)
			snprintf(why, sizeof(why), "%u bytes: %d, want 0", k, ret);
		free(copy);
	}
	result(name, !*why, "%s", why);
}

/*
 * The record of a malformed packet (reason), its bytes cut to every
 * length: always decoded, to no more than the bytes hold; with all of
 * them, have and the fields as given.
 */
static void malformed(const char *name, struct rec *r, __u32 n, __u8 reason,
		      __u8 want_have, __u16 want_sport)
{
	struct ti_view v;
	char why[160] = "";
	__u8 *copy;
	__u32 k;
	int ret;

	r->e.reason = reason;
	r->e.l4_off = 0;
	for (k = 0; k <= n && !*why; k++) {
		copy = malloc(sizeof(r->e) + k);
		memcpy(copy, &r->e, sizeof(r->e));
		((struct ti_event *)copy)->snap_len = k;
		((struct ti_event *)copy)->cap_len = 0;
		memcpy(copy + sizeof(r->e), r->b, k);
		ret = ev_decode(copy, sizeof(r->e) + k, &v);
		if (ret || v.reason != reason)
			snprintf(why, sizeof(why), "%u bytes: %d, reason %u", k, ret, v.reason);
		else if ((v.have & TI_HAVE_TCP) && v.l4_off + 20u > k)
			snprintf(why, sizeof(why), "%u bytes: TCP fields past them", k);
		else if (k == n && (v.have != want_have || v.sport != want_sport))
			snprintf(why, sizeof(why), "have %#x sport %u, want %#x %u", v.have,
				 v.sport, want_have, want_sport);
		free(copy);
	}
	result(name, !*why, "%s", why);
}

int main(void)
{
	struct rec r;
	struct ti_view v;
	char why[256] = "";
	__u32 n;

	n = v4_syn(&r);
	result("ipv4 syn behind two VLAN tags",
	       !ev_decode(&r, sizeof(r.e) + n, &v) && check_v4_syn(&v, why, sizeof(why)),
	       "%s", why);
	prefixes("ipv4 syn: every shorter record", &r, n, r.e.l4_off + 20);

	n = v4_frag(&r);
	result("ipv4 later fragment",
	       !ev_decode(&r, sizeof(r.e) + n, &v) && v.ev_flags == (TI_EV_FRAG | TI_EV_MF) &&
	       v.frag_off == 1480 && v.payload_len == 100 && !v.sport && !v.tcp_hlen,
	       "flags %u off %u payload %u", v.ev_flags, v.frag_off, v.payload_len);
	prefixes("ipv4 later fragment: every shorter record", &r, n, r.e.l3_off + 20);

	n = v6_ext(&r, 0);
	result("ipv6 hop-by-hop, first fragment, TCP",
	       !ev_decode(&r, sizeof(r.e) + n, &v) && v.family == 6 && v.vlan_cnt == 1 &&
	       v.ext_cnt == 2 && v.ev_flags == (TI_EV_V6FRAG | TI_EV_MF) &&
	       v.frag_id == 0xcafe0001 && !v.frag_off && v.tos == 0xa5 &&
	       v.flow_label == 0xbcdef && v.ttl == 5 && !memcmp(v.saddr, a6, 16) &&
	       !memcmp(v.daddr, b6, 16) && v.sport == 40000 &&
	       v.tcp_flags == (TI_TCP_ACK | TI_TCP_PSH) && v.payload_len == 100,
	       "ext %u flags %u id %x tos %x flow %x payload %u", v.ext_cnt, v.ev_flags,
	       v.frag_id, v.tos, v.flow_label, v.payload_len);
	prefixes("ipv6 with extension headers: every shorter record", &r, n,
		 r.e.l4_off + 20);

	n = v6_ext(&r, 1);
	result("ipv6 later fragment",
	       !ev_decode(&r, sizeof(r.e) + n, &v) &&
	       v.ev_flags == (TI_EV_V6FRAG | TI_EV_MF | TI_EV_FRAG) && v.frag_off == 1232 &&
	       v.payload_len == 24 + 100 && !v.sport,
	       "flags %u off %u payload %u", v.ev_flags, v.frag_off, v.payload_len);

	/* Offsets that lie: past the bytes, or an extension chain that
	 * does not end at l4_off. */
	n = v6_ext(&r, 0);
	r.e.l4_off += 8;
	result("ipv6 chain not ending at l4_off: -EINVAL",
	       ev_decode(&r, sizeof(r.e) + n, &v) == -EINVAL, "accepted");
	n = v4_syn(&r);
	r.e.l4_off = n - 10;
	result("TCP header past the bytes: -EINVAL",
	       ev_decode(&r, sizeof(r.e) + n, &v) == -EINVAL, "accepted");
	n = v4_syn(&r);
	r.e.family = 5;
	result("unknown family: -EINVAL", ev_decode(&r, sizeof(r.e) + n, &v) == -EINVAL,
	       "accepted");
	n = v4_syn(&r);
	result("snap_len past the record: -EINVAL",
	       ev_decode(&r, sizeof(r.e) + n - 1, &v) == -EINVAL, "accepted");
	r.e.cap_len = r.e.snap_len + 1;
	result("cap_len over snap_len: -EINVAL",
	       ev_decode(&r, sizeof(r.e) + n, &v) == -EINVAL, "accepted");
	result("shorter than an event: -EINVAL",
	       ev_decode(&r, sizeof(r.e) - 1, &v) == -EINVAL, "accepted");

	/* Malformed: data offset 4 behind IPv4 with options. */
	n = v4_syn(&r);
	r.b[r.e.l4_off + 12] = 4 << 4;
	malformed("malformed: bad data offset, IP and TCP fields", &r, n,
		  TI_CNT_BAD_DOFF, TI_HAVE_IP | TI_HAVE_TCP, 40000);
	/* An IPv6 chain cut inside its fragment header. */
	n = v6_ext(&r, 0);
	malformed("malformed: IPv6 chain cut, IP fields only", &r, r.e.l3_off + 40 + 8 + 4,
		  TI_CNT_TRUNCATED, TI_HAVE_IP, 0);
	/* IPv4 header length 16: no TCP header to be found. */
	n = v4_syn(&r);
	r.b[r.e.l3_off] = 0x44;
	malformed("malformed: bad IP header length, IP fields only", &r, n,
		  TI_CNT_BAD_IHL, TI_HAVE_IP, 0);
	/* Version 6 where the ethertype says IPv4: nothing decoded. */
	n = v4_syn(&r);
	r.b[r.e.l3_off] = 0x65;
	malformed("malformed: another IP version, no field", &r, n, TI_CNT_BAD_VER, 0, 0);
	result("the reasons' names are the counters'",
	       !strcmp(ev_reason_name(TI_CNT_TRUNCATED), "truncated") &&
	       !strcmp(ev_reason_name(TI_CNT_BAD_VER), "bad_version") &&
	       !strcmp(ev_reason_name(0), "unknown"), "%s", ev_reason_name(TI_CNT_BAD_VER));
	return failed;
}
