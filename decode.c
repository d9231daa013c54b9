// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - the headers of an event's bytes into a ti_view (decode.h).
 * The program has checked them whole before it sent them; every read
 * here is checked again against the bytes there are.
 */
#include <errno.h>
#include <string.h>
#include "decode.h"

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* IPv4 at b[l3]: 0 or -EINVAL. */
static int ipv4(struct ti_view *v, const __u8 *b, __u32 n)
{
	const __u8 *ip = b + v->l3_off;
	__u16 frag;

	if ((__u32)v->l3_off + 20 > n)
		return -EINVAL;
	v->tos = ip[1];
	v->ip_len = be16(ip + 2);
	v->ip_id = be16(ip + 4);
	frag = be16(ip + 6);
	v->ttl = ip[8];
	memcpy(v->saddr, ip + 12, 4);
	memcpy(v->daddr, ip + 16, 4);
	v->ev_flags = (frag & 0x4000 ? TI_EV_DF : 0) | (frag & 0x2000 ? TI_EV_MF : 0) |
		      (frag & 0x1fff ? TI_EV_FRAG : 0);
	v->frag_off = (frag & 0x1fff) * 8;
	return 0;
}

/*
 * IPv6 at b[l3] and its extension headers: those the program followed,
 * up to l4_off (0 or -EINVAL), or, with walk (a malformed packet), as
 * far as the chain and the bytes go: l4_off is then where TCP starts,
 * or 0.
 */
static int ipv6(struct ti_view *v, const __u8 *b, __u32 n, int walk)
{
	const __u8 *ip = b + v->l3_off;
	__u32 off = v->l3_off + 40, hlen;
	__u8 nh;
	__u16 frag;

	if (off > n || (!walk && off > v->l4_off))
		return -EINVAL;
	v->tos = (ip[0] & 0x0f) << 4 | ip[1] >> 4;
	v->flow_label = (ip[1] & 0x0f) << 16 | ip[2] << 8 | ip[3];
	v->ip_len = 40 + be16(ip + 4);
	nh = ip[6];
	v->ttl = ip[7];
	memcpy(v->saddr, ip + 8, 16);
	memcpy(v->daddr, ip + 24, 16);
	v->ev_flags = 0;
	/* The headers the program followed: each before l4_off. */
	while (walk ? nh == 0 || nh == 43 || nh == 44 || nh == 60 : off < v->l4_off) {
		if (off + 8 > n || v->ext_cnt == 255)
			return walk ? 0 : -EINVAL;
		if (nh == 44) {		/* fragment */
			frag = be16(b + off + 2);
			v->ev_flags |= TI_EV_V6FRAG | (frag & 1 ? TI_EV_MF : 0) |
				       (frag & 0xfff8 ? TI_EV_FRAG : 0);
			v->frag_off = frag & 0xfff8;
			v->frag_id = be32(b + off + 4);
			hlen = 8;
		} else {		/* hop-by-hop, routing, destination */
			hlen = (b[off + 1] + 1) * 8;
		}
		nh = b[off];
		off += hlen;
		v->ext_cnt++;
		if (walk && (v->ev_flags & TI_EV_FRAG))
			return 0;	/* the rest is data */
	}
	if (walk) {
		v->l4_off = nh == 6 && off <= 0xffff ? off : 0;
		return 0;
	}
	return off == v->l4_off ? 0 : -EINVAL;
}

/* The TCP header at l4_off, whole in the n bytes: its fields. */
static void tcp(struct ti_view *v, const __u8 *b)
{
	const __u8 *th = b + v->l4_off;
	__u32 l3_len = v->l4_off - v->l3_off;

	v->sport = be16(th);
	v->dport = be16(th + 2);
	v->seq = be32(th + 4);
	v->ack = be32(th + 8);
	v->tcp_hlen = (th[12] >> 4) * 4;
	v->tcp_flags = th[13];
	v->window = be16(th + 14);
	v->urg_ptr = be16(th + 18);
	v->payload_len = v->ip_len >= l3_len + v->tcp_hlen ?
			 v->ip_len - l3_len - v->tcp_hlen : 0;
	v->have |= TI_HAVE_TCP;
}

/* A malformed packet: what of its headers the bytes hold. */
static int malformed(struct ti_view *v, const __u8 *b, __u32 n)
{
	__u32 l3 = v->l3_off, hl;

	v->l4_off = 0;
	if (l3 >= n || b[l3] >> 4 != v->family)
		return 0;
	if (v->family == 4) {
		if (ipv4(v, b, n))
			return 0;
		hl = (b[l3] & 0x0f) * 4;
		if (hl >= 20 && b[l3 + 9] == 6 && !(v->ev_flags & TI_EV_FRAG))
			v->l4_off = l3 + hl;
	} else if (v->family == 6) {
		if (l3 + 40 > n)
			return 0;
		ipv6(v, b, n, 1);
	} else {
		return 0;
	}
	v->have = TI_HAVE_IP;
	if (v->l4_off && (__u32)v->l4_off + 20 <= n)
		tcp(v, b);
	else
		v->l4_off = 0;
	return 0;
}

const char *ev_reason_name(__u8 reason)
{
	switch (reason) {
	case TI_CNT_BAD_IHL: return "bad_ihl";
	case TI_CNT_BAD_DOFF: return "bad_doff";
	case TI_CNT_BAD_LEN: return "bad_len";
	case TI_CNT_TRUNCATED: return "truncated";
	case TI_CNT_BAD_EXT: return "bad_ext";
	case TI_CNT_BAD_VER: return "bad_version";
	}
	return "unknown";
}

int ev_decode(const void *rec, __u32 len, struct ti_view *v)
{
	const struct ti_event *e = rec;
	const __u8 *b = (const __u8 *)rec + sizeof(*e);
	__u32 n, i, l3_len;

	memset(v, 0, sizeof(*v));
	if (len < sizeof(*e) || e->snap_len > len - sizeof(*e) ||
	    e->cap_len > e->snap_len)
		return -EINVAL;
	n = e->snap_len;
	v->ts_ns = e->ts_ns;
	v->ifindex = e->ifindex;
	v->rx_queue = e->rx_queue;
	v->pkt_len = e->pkt_len;
	v->snap_len = e->cap_len;
	v->bytes = b;
	v->bytes_len = n;
	v->l3_off = e->l3_off;
	v->l4_off = e->l4_off;
	v->family = e->family;
	v->reason = e->reason;
	v->verdict = e->verdict;
	v->out = !!(e->ev_flags & TI_EV_OUT);
	/* VLAN tags: 4 bytes each between the MAC addresses and l3_off. */
	for (i = 0; i < TI_VLAN_MAX && 14 + 4 * (i + 1) <= v->l3_off &&
		    14 + 4 * (i + 1) <= n; i++) {
		v->vlan[i] = be16(b + 14 + 4 * i) & 0x0fff;
		v->vlan_cnt++;
	}
	if (v->reason)
		return malformed(v, b, n);
	if ((v->family == 4 ? ipv4(v, b, n) : v->family == 6 ? ipv6(v, b, n, 0) : -EINVAL))
		return -EINVAL;
	v->have = TI_HAVE_IP;
	l3_len = v->l4_off - v->l3_off;
	if (v->ev_flags & TI_EV_FRAG) {
		v->payload_len = v->ip_len > l3_len ? v->ip_len - l3_len : 0;
		return 0;
	}
	if ((__u32)v->l4_off + 20 > n)
		return -EINVAL;
	/* checked by the program: the headers fit in the IP length */
	tcp(v, b);
	return 0;
}
