// SPDX-License-Identifier: GPL-2.0
/*
 * mkpcap.c - write a deterministic capture file of varied traffic for the
 * filter and decoding comparisons (tests/system/filter_cmp.sh,
 * decode_cmp.sh), and list the frames of a capture file.
 *
 *   mkpcap [-n] [-g] [-S] [-e | -f] [-t] [-m MANIFEST] [-o FILE]  write (default stdout)
 *   mkpcap -l FILE                                            list frame numbers
 *
 * -n nanosecond pcap magic, -g pcapng, -S the other byte order; -t only
 * the frames tcpinspect reports (EXPECT T, F or M below); -e
 * writes three frames replay must handle specially instead (a 9000-byte
 * frame, a 13-byte frame, a SYN); -f adds, after the usual frames, those
 * the filter comparison wants too (cut records, frames over 4 KB,
 * broadcast and multicast, see gen_filter_extras).  Frame i
 * (0-based, in file order) has the timestamp T0 + i seconds + a few
 * microseconds (whole microseconds, so that every format and tcpdump -tt
 * show the same time), which identifies it in any tool's output: -l
 * prints i for each record of FILE (- for stdin).  The manifest says,
 * per frame, "IDX EXPECT CLASS" where EXPECT is what tcpinspect's XDP
 * program should make of it: T a TCP event, F a later-fragment event,
 * M:REASON an event of a malformed packet, counted by reason (ihl, doff,
 * len, trunc, ext, ver), - ignored,
 * X:WHY TCP to libpcap but ignored by design (vlan3: a third tag; tpid:
 * a 0x9100 tag, which libpcap takes for VLAN and the program does not).
 *
 * Frames: every TCP flag byte (0..255); IPv4 and IPv6; untagged, one
 * 802.1Q tag, QinQ (802.1ad + 802.1Q), two 802.1Q tags, three tags; IPv4
 * options; IPv4 first, middle and last fragments; IPv6 hop-by-hop,
 * routing, destination options and fragment headers; TCP options (mss,
 * wscale, sackOK, SACK blocks, timestamps, nop, eol, unknown kinds); many
 * hosts in 10/8, 172.16/12, 192.168/16, 2001:db8::/32 and outside; low,
 * high and ranged ports; payloads of many lengths; Ethernet padding;
 * UDP, ICMP and ARP; malformed headers.  And what tcpdump's text shows:
 * every TCP option it names (MPTCP subtypes, Fast Open, the experimental
 * option's magic numbers, TCP-AO, md5, user timeout, ...) and options
 * that lie about their length; conversations for relative sequence
 * numbers (SACK blocks, a second SYN, a wrapping number, equal ports);
 * HTTP/1.x requests and responses and TLS hellos; IPv4 options and
 * header fields for -v, IPv6 routing headers, VLAN priority and DEI;
 * the malformed packets tcpdump names (bad-len 0, another IP version,
 * headers cut inside options and extension headers).  Checksums are
 * valid (IPv4 header, TCP and UDP over the whole segment before
 * fragmentation) but where a frame says otherwise.  The random choices
 * come from a fixed-seed generator: the same file every time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include "pcap.h"
#include "../hello.h"
#include "../wire.h"

#define T0		1000000ull	/* seconds; keeps ts_ns below 2^53 for jq */
#define FRAME_MAX	9100
#define FILE_MAX	(4u << 20)

/* --- output ------------------------------------------------------------ */

struct out {
	__u8 *buf;
	size_t len;
	int nsec, ng;
	int reported;		/* -t: only the frames tcpinspect reports */
	FILE *manifest;
	unsigned idx;		/* next frame */
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > FILE_MAX) {
		fprintf(stderr, "mkpcap: file over %u bytes\n", FILE_MAX);
		exit(1);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out_start(struct out *o)
{
	__u8 h[PCAPNG_IDB_MAX];

	if (o->ng) {
		put(o, h, pcapng_put_shb(h));
		put(o, h, pcapng_put_idb(h, PCAP_LINKTYPE_ETHERNET, 262144, "mkpcap0"));
	} else {
		put(o, h, pcap_put_file_hdr(h, 262144, PCAP_LINKTYPE_ETHERNET, o->nsec));
	}
}

/* A record of the frame's first caplen bytes (a cut record if < len). */
static void out_frame_cut(struct out *o, const __u8 *f, size_t len,
			  size_t caplen, const char *expect, const char *cls)
{
	static const __u8 zero[4];
	__u8 h[PCAPNG_EPB_HDR_LEN];
	__u64 ts = (T0 + o->idx) * 1000000000ull +
		   (o->idx * 7919ull % 999983 + 1) * 1000;

	if (o->reported && !strchr("TFM", expect[0])) {
		o->idx++;
		return;
	}
	if (o->ng) {
		put(o, h, pcapng_put_epb_hdr(h, 0, ts, caplen, len));
		put(o, f, caplen);
		put(o, zero, pcapng_pad(caplen));
		put(o, h, pcapng_put_epb_end(h, caplen));
	} else {
		put(o, h, pcap_put_rec_hdr(h, ts, caplen, len, o->nsec));
		put(o, f, caplen);
	}
	if (o->manifest)
		fprintf(o->manifest, "%u %s %s\n", o->idx, expect, cls);
	o->idx++;
}

static void out_frame(struct out *o, const __u8 *f, size_t len,
		      const char *expect, const char *cls)
{
	out_frame_cut(o, f, len, len, expect, cls);
}

/* Rewrite the file in the other byte order, block by block. */
static void swap32(__u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static void swap16(__u8 *p)
{
	__u8 t = p[0];

	p[0] = p[1];
	p[1] = t;
}

static void swap_file(struct out *o)
{
	__u8 *b = o->buf;
	size_t off, i;
	__u32 type, total, caplen, end, opt;

	if (!o->ng) {
		swap32(b);
		swap16(b + 4);
		swap16(b + 6);
		for (i = 8; i < 24; i += 4)
			swap32(b + i);
		for (off = 24; off < o->len; off += 16 + caplen) {
			memcpy(&caplen, b + off + 8, 4);
			for (i = 0; i < 16; i += 4)
				swap32(b + off + i);
		}
		return;
	}
	for (off = 0; off < o->len; off += total) {
		memcpy(&type, b + off, 4);
		memcpy(&total, b + off + 4, 4);
		swap32(b + off);
		swap32(b + off + 4);
		swap32(b + off + total - 4);
		if (type == PCAPNG_SHB) {
			swap32(b + off + 8);
			swap16(b + off + 12);
			swap16(b + off + 14);
		} else if (type == 1) {		/* IDB: options follow */
			swap16(b + off + 8);
			swap16(b + off + 10);
			swap32(b + off + 12);
			end = off + total - 4;
			for (opt = off + 16; opt + 4 <= end;) {
				__u16 code, olen;

				memcpy(&code, b + opt, 2);
				memcpy(&olen, b + opt + 2, 2);
				swap16(b + opt);
				swap16(b + opt + 2);
				if (!code)
					break;
				opt += 4 + ((olen + 3) & ~3u);
			}
		} else if (type == 6) {
			for (i = 8; i < 28; i += 4)
				swap32(b + off + i);
		}
	}
}

/* --- randomness -------------------------------------------------------- */

static __u32 rnd_state = 0x7c15a3e1;

static __u32 rnd(void)
{
	__u32 x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rnd_state = x;
}

static __u32 rnd_n(__u32 n)
{
	return rnd() % n;
}

/* --- frames ------------------------------------------------------------ */

struct l2 {
	int tags;
	__u16 tpid[3];
	__u16 tci[3];
};

struct tcp {
	__u16 sport, dport;
	__u32 seq, ack;
	__u8 flags;
	__u16 win, urg;
	__u8 opt[40];
	__u8 opt_len;		/* padded with EOL to 4 */
	__u8 doff;		/* written as is if doff_raw, else from opt_len */
	int doff_raw;
	__u16 payload;
	__u8 poke[4];		/* written over the payload at poke_at */
	__u8 poke_len;
	__u16 poke_at;
	const void *data;	/* the payload's bytes (payload of them), if set */
	int bad_csum;		/* a wrong checksum */
};

struct ip {
	int v6;
	__u8 src[16], dst[16];
	__u8 tos, ttl;
	__u16 id;		/* IPv4 */
	__u16 frag;		/* IPv4 flags and offset field */
	__u8 opt[40];		/* IPv4 options, padded with EOL to 4 */
	__u8 opt_len;
	__u8 ihl;		/* 0: from opt_len */
	__u32 flow;		/* IPv6 */
	__u8 ext[12];		/* IPv6 extension headers, in order */
	int ext_cnt;
	__u16 frag6_off;	/* bytes, multiple of 8 */
	int frag6_m;
	__u32 frag6_id;
	int len_adj;		/* added to the IP length field */
	int bad_csum;		/* IPv4: a wrong header checksum */
	__u8 version;		/* 0: 4 or 6 as the family */
	__u16 len_set;		/* if set, the IP length field as is (IPv4),
				 * or the payload length + 1 (IPv6) */
	__u8 rt_type;		/* IPv6 routing header: its type (0, 2, 4) */
	__u8 rt_addrs;		/* and its addresses, 1 by default */
};

/* Checksum of a transport segment with the pseudo header; at csum_off. */
static void l4_csum(const struct ip *ip, __u8 proto, __u8 *seg, size_t len,
		    size_t csum_off)
{
	__u32 sum = 0;
	__u8 ph[8];
	__u16 c;

	put16(seg + csum_off, 0);
	if (ip->v6) {
		sum = csum_add(ip->src, 16, sum);
		sum = csum_add(ip->dst, 16, sum);
		put32(ph, len);
		put32(ph + 4, proto);
		sum = csum_add(ph, 8, sum);
	} else {
		sum = csum_add(ip->src, 4, sum);
		sum = csum_add(ip->dst, 4, sum);
		put16(ph, proto);
		put16(ph + 2, len);
		sum = csum_add(ph, 4, sum);
	}
	sum = csum_add(seg, len, sum);
	c = csum_fold(sum);
	if (proto == 17 && !c)
		c = 0xffff;
	put16(seg + csum_off, c);
}

static void fill_payload(__u8 *p, size_t n, __u32 seed)
{
	static const char http[] = "GET /index.html HTTP/1.1\r\nHost: example.test\r\n\r\n";
	size_t i;

	if (seed % 3 == 0) {
		for (i = 0; i < n; i++)
			p[i] = http[i % (sizeof(http) - 1)];
	} else {
		for (i = 0; i < n; i++)
			p[i] = (seed + i * 131) >> 3;
	}
}

/* TCP header, options and payload; checksum over the whole segment. */
static size_t mk_tcp(const struct ip *ip, const struct tcp *t, __u8 *seg)
{
	size_t olen = (t->opt_len + 3) & ~3u, hlen = 20 + olen;

	memset(seg, 0, hlen);
	put16(seg, t->sport);
	put16(seg + 2, t->dport);
	put32(seg + 4, t->seq);
	put32(seg + 8, t->ack);
	seg[12] = (t->doff_raw ? t->doff : hlen / 4) << 4;
	seg[13] = t->flags;
	put16(seg + 14, t->win);
	put16(seg + 18, t->urg);
	memcpy(seg + 20, t->opt, t->opt_len);
	if (t->data)
		memcpy(seg + hlen, t->data, t->payload);
	else
		fill_payload(seg + hlen, t->payload, t->seq);
	memcpy(seg + hlen + t->poke_at, t->poke, t->poke_len);
	l4_csum(ip, 6, seg, hlen + t->payload, 16);
	if (t->bad_csum)
		seg[17] ^= 0x5a;
	return hlen + t->payload;
}

static size_t mk_udp(const struct ip *ip, __u16 sport, __u16 dport,
		     size_t payload, __u8 *seg)
{
	put16(seg, sport);
	put16(seg + 2, dport);
	put16(seg + 4, 8 + payload);
	fill_payload(seg + 8, payload, sport);
	l4_csum(ip, 17, seg, 8 + payload, 6);
	return 8 + payload;
}

static size_t put_l2(const struct l2 *l, __u16 ethertype, __u8 *b, __u32 mac)
{
	size_t len = 12;
	int i;

	/* Locally administered MACs, derived from the frame. */
	b[0] = 0x02;
	put32(b + 1, mac);
	b[5] = 0x01;
	b[6] = 0x02;
	put32(b + 7, mac * 2654435761u);
	b[11] = 0x02;
	for (i = 0; i < l->tags; i++) {
		put16(b + len, l->tpid[i]);
		put16(b + len + 2, l->tci[i]);
		len += 4;
	}
	put16(b + len, ethertype);
	return len + 2;
}

/* IPv4 header around l4[0, l4_len) (a slice of the segment). */
static size_t put_ip4(const struct ip *ip, __u8 proto, const __u8 *l4,
		      size_t l4_len, __u8 *b)
{
	size_t olen = (ip->opt_len + 3) & ~3u, hlen = 20 + olen;

	memset(b, 0, hlen);
	b[0] = (ip->version ? ip->version : 4) << 4 | (ip->ihl ? ip->ihl : hlen / 4);
	b[1] = ip->tos;
	put16(b + 2, ip->len_set ? ip->len_set : hlen + l4_len + ip->len_adj);
	put16(b + 4, ip->id);
	put16(b + 6, ip->frag);
	b[8] = ip->ttl;
	b[9] = proto;
	memcpy(b + 12, ip->src, 4);
	memcpy(b + 16, ip->dst, 4);
	memcpy(b + 20, ip->opt, ip->opt_len);
	put16(b + 10, csum_fold(csum_add(b, hlen, 0)) ^ (ip->bad_csum ? 0x1111 : 0));
	memcpy(b + hlen, l4, l4_len);
	return hlen + l4_len;
}

/*
 * Extension headers ip->ext[0, ext_cnt) at b, the last one naming proto;
 * the number of the first (proto if there is none) goes to *first.
 * Returns their length.
 */
static size_t put_ext(const struct ip *ip, __u8 proto, __u8 *b, __u8 *first)
{
	size_t len = 0;
	__u8 *nh = first;
	int i;

	for (i = 0; i < ip->ext_cnt; i++) {
		*nh = ip->ext[i];
		nh = b + len;
		switch (ip->ext[i]) {
		case 0:		/* hop-by-hop: router alert, PadN */
		case 60:	/* destination options: PadN */
			memset(b + len, 0, 8);
			if (ip->ext[i] == 0) {
				b[len + 2] = 5;		/* router alert */
				b[len + 3] = 2;
				put16(b + len + 4, 0);
				b[len + 6] = 1;		/* PadN, 0 bytes */
				b[len + 7] = 0;
			} else {
				b[len + 2] = 1;		/* PadN, 4 bytes */
				b[len + 3] = 4;
			}
			len += 8;
			break;
		case 43:	/* routing, segments left 0: dst is final */
		{
			int k, n = ip->rt_addrs ? ip->rt_addrs : 1;

			memset(b + len, 0, 8 + 16 * n);
			b[len + 1] = 2 * n;
			b[len + 2] = ip->rt_type;
			if (ip->rt_type == 4)
				b[len + 4] = n - 1;	/* last entry */
			for (k = 0; k < n; k++) {
				memcpy(b + len + 8 + 16 * k, ip->dst, 16);
				b[len + 8 + 16 * k + 15] += k;
			}
			len += 8 + 16 * n;
			break;
		}
		case 44:	/* fragment */
			memset(b + len, 0, 8);
			put16(b + len + 2, ip->frag6_off | (ip->frag6_m ? 1 : 0));
			put32(b + len + 4, ip->frag6_id);
			len += 8;
			break;
		}
	}
	*nh = proto;
	return len;
}

/* IPv6 header and extension headers around l4[0, l4_len). */
static size_t put_ip6(const struct ip *ip, __u8 proto, const __u8 *l4,
		      size_t l4_len, __u8 *b)
{
	size_t len;

	put32(b, (__u32)(ip->version ? ip->version : 6) << 28 | ip->tos << 20 |
		 (ip->flow & 0xfffff));
	b[7] = ip->ttl;
	memcpy(b + 8, ip->src, 16);
	memcpy(b + 24, ip->dst, 16);
	len = 40 + put_ext(ip, proto, b + 40, b + 6);
	memcpy(b + len, l4, l4_len);
	put16(b + 4, ip->len_set ? (size_t)ip->len_set - 1 : len - 40 + l4_len + ip->len_adj);
	return len + l4_len;
}

/* --- the traffic ------------------------------------------------------- */

static const char *const hosts4[] = {
	"10.0.0.1", "10.0.0.2", "10.1.2.3", "10.1.2.4", "10.1.3.250",
	"10.200.3.7", "10.255.255.254", "192.168.1.10", "192.168.1.20",
	"192.168.1.255", "192.168.2.1", "192.168.100.200", "172.16.0.5",
	"172.16.5.9", "172.20.1.1", "172.31.255.1", "172.32.0.1",
	"198.51.100.7", "203.0.113.9", "8.8.8.8",
};

static const char *const hosts6[] = {
	"2001:db8::1", "2001:db8::2", "2001:db8:1::10", "2001:db8:1:2::3",
	"2001:db8:ffff::1", "2001:db8:0:0:8000::1", "2001:db9::1",
	"fd00::5", "fe80::1", "2001:db8:1::20", "2a00:1450::200e",
};

static const __u16 ports[] = {
	1, 7, 22, 25, 53, 79, 80, 81, 443, 1023, 1024, 1025, 3306, 4999,
	5000, 5003, 5010, 5011, 6000, 8080, 8443, 32768, 49152, 50000,
	60999, 65534, 65535,
};

/* TCP option lists (unpadded): what SYNs, data and odd stacks send. */
static const struct {
	const char *name;
	__u8 len;
	__u8 b[40];
} tcp_opts[] = {
	{ "none", 0, { 0 } },
	{ "mss", 4, { 2, 4, 0x05, 0xb4 } },
	{ "linux-syn", 20, { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34,
			     0, 0, 0, 0, 1, 3, 3, 7 } },
	{ "bsd-syn", 24, { 2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0xde,
			   0xad, 0xbe, 0xef, 0, 0, 0, 0, 4, 2, 0, 0 } },
	{ "nop-nop-ts", 12, { 1, 1, 8, 10, 0, 1, 0xe2, 0x40, 0x7f, 0xff,
			      0xff, 0xff } },
	{ "sack1", 12, { 1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0 } },
	{ "ts-sack3", 40, { 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 1, 1, 5, 26,
			    0, 0, 0x10, 0, 0, 0, 0x14, 0, 0, 0, 0x20, 0, 0, 0,
			    0x24, 0, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10 } },
	{ "sack2", 20, { 1, 1, 5, 18, 0x80, 0, 0, 0, 0x80, 0, 1, 0, 0x90, 0,
			 0, 0, 0x90, 0, 0x10, 0 } },
	{ "wscale14", 4, { 1, 3, 3, 14 } },
	{ "eol-mid", 8, { 2, 4, 0x02, 0x18, 0, 0, 0, 0 } },
	{ "unknown-kinds", 12, { 253, 4, 0xbe, 0xef, 99, 6, 1, 2, 3, 4, 1, 0 } },
	{ "md5", 20, { 19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
		       15, 16, 1, 0 } },
	{ "sackok-only", 4, { 4, 2, 1, 1 } },
	{ "mss-wscale0", 8, { 2, 4, 0x22, 0x38, 1, 3, 3, 0 } },
};
#define N_OPTS	(sizeof(tcp_opts) / sizeof(tcp_opts[0]))

struct gen {
	struct out *o;
	__u8 seg[FRAME_MAX];
	__u8 frame[FRAME_MAX];
};

static void addr(struct ip *ip, const char *s, __u8 *a);

static void pick_hosts(struct ip *ip)
{
	if (ip->v6) {
		addr(ip, hosts6[rnd_n(sizeof(hosts6) / sizeof(hosts6[0]))], ip->src);
		addr(ip, hosts6[rnd_n(sizeof(hosts6) / sizeof(hosts6[0]))], ip->dst);
	} else {
		addr(ip, hosts4[rnd_n(sizeof(hosts4) / sizeof(hosts4[0]))], ip->src);
		addr(ip, hosts4[rnd_n(sizeof(hosts4) / sizeof(hosts4[0]))], ip->dst);
	}
}

/* Parse a literal address; the tables hold only valid ones. */
static void addr(struct ip *ip, const char *s, __u8 *a)
{
	unsigned v[8] = { 0 }, n = 0, i, before = 0, gap = 0;
	const char *p = s;

	memset(a, 0, 16);
	if (!ip->v6) {
		sscanf(s, "%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3]);
		for (i = 0; i < 4; i++)
			a[i] = v[i];
		return;
	}
	/* hex groups with at most one "::" */
	while (*p) {
		if (p[0] == ':' && p[1] == ':') {
			gap = 1;
			before = n;
			p += 2;
			continue;
		}
		if (*p == ':') {
			p++;
			continue;
		}
		v[n++] = strtoul(p, (char **)&p, 16);
	}
	if (gap) {
		for (i = 0; i < n - before; i++)
			v[7 - i] = v[n - 1 - i];
		for (i = before; i < 8 - (n - before); i++)
			v[i] = 0;
	}
	for (i = 0; i < 8; i++)
		put16(a + 2 * i, v[i]);
}

static void set_addrs(struct ip *ip, const char *src, const char *dst)
{
	addr(ip, src, ip->src);
	addr(ip, dst, ip->dst);
}

static __u16 pick_port(void)
{
	if (rnd_n(4) == 0)
		return 1 + rnd_n(65535);
	return ports[rnd_n(sizeof(ports) / sizeof(ports[0]))];
}

/* encaps: 0 none, 1 802.1Q, 2 QinQ (802.1ad outer), 3 two 802.1Q,
 * 4 three tags, 5 one 0x9100 tag. */
static void set_l2(struct l2 *l, int encaps, __u16 vid1, __u16 vid2)
{
	memset(l, 0, sizeof(*l));
	switch (encaps) {
	case 1:
		l->tags = 1;
		l->tpid[0] = 0x8100;
		l->tci[0] = (rnd_n(8) << 13) | vid1;
		break;
	case 2:
		l->tags = 2;
		l->tpid[0] = 0x88a8;
		l->tpid[1] = 0x8100;
		l->tci[0] = vid1;
		l->tci[1] = (rnd_n(8) << 13) | vid2;
		break;
	case 3:
		l->tags = 2;
		l->tpid[0] = 0x8100;
		l->tpid[1] = 0x8100;
		l->tci[0] = vid1;
		l->tci[1] = vid2;
		break;
	case 4:
		l->tags = 3;
		l->tpid[0] = 0x88a8;
		l->tpid[1] = 0x8100;
		l->tpid[2] = 0x8100;
		l->tci[0] = vid1;
		l->tci[1] = vid2;
		l->tci[2] = 7;
		break;
	case 5:
		l->tags = 1;
		l->tpid[0] = 0x9100;
		l->tci[0] = vid1;
		break;
	}
}

static const __u16 vids[] = { 0, 1, 10, 100, 200, 300, 1000, 4094, 4095 };

static __u16 pick_vid(void)
{
	return vids[rnd_n(sizeof(vids) / sizeof(vids[0]))];
}

/*
 * Emit one frame: the segment seg[0, seg_len) (TCP or UDP as proto) cut
 * to [frag_from, frag_from + frag_len) inside IP (ip->frag / frag6_off
 * describe that), under l2.  pad: to the 60-byte Ethernet minimum; cut:
 * the frame ends after that many bytes (0: whole).
 */
static void emit(struct gen *g, const struct l2 *l, const struct ip *ip,
		 __u8 proto, size_t frag_from, size_t frag_len, int pad,
		 size_t cut, const char *expect, const char *cls)
{
	size_t len;

	memset(g->frame, 0, sizeof(g->frame));
	len = put_l2(l, ip->v6 ? 0x86dd : 0x0800, g->frame, g->o->idx);
	len += ip->v6 ? put_ip6(ip, proto, g->seg + frag_from, frag_len, g->frame + len) :
			put_ip4(ip, proto, g->seg + frag_from, frag_len, g->frame + len);
	if (pad && len < 60)
		len = 60;
	if (cut)
		len = cut;
	out_frame(g->o, g->frame, len, expect, cls);
}

static void emit_tcp(struct gen *g, const struct l2 *l, const struct ip *ip,
		     const struct tcp *t, int pad, size_t cut,
		     const char *expect, const char *cls)
{
	size_t n = mk_tcp(ip, t, g->seg);

	emit(g, l, ip, 6, 0, n, pad, cut, expect, cls);
}

static void random_ip(struct ip *ip, int v6)
{
	memset(ip, 0, sizeof(*ip));
	ip->v6 = v6;
	pick_hosts(ip);
	ip->ttl = rnd_n(4) ? 64 : 1 + rnd_n(255);
	ip->tos = rnd_n(3) ? 0 : rnd_n(256);
	ip->id = rnd();
	ip->frag = rnd_n(2) ? 0x4000 : 0;	/* DF */
	ip->flow = rnd_n(2) ? rnd() & 0xfffff : 0;
}

static void random_tcp(struct tcp *t, __u8 flags)
{
	int o;

	memset(t, 0, sizeof(*t));
	t->sport = pick_port();
	t->dport = pick_port();
	t->seq = rnd();
	t->ack = rnd_n(8) ? rnd() : 0;
	t->flags = flags;
	t->win = rnd_n(4) ? rnd() : rnd_n(3) * 32767;
	t->urg = flags & 0x20 ? 1 + rnd_n(100) : 0;
	o = rnd_n(3) ? 0 : rnd_n(N_OPTS);
	memcpy(t->opt, tcp_opts[o].b, tcp_opts[o].len);
	t->opt_len = tcp_opts[o].len;
	switch (rnd_n(6)) {
	case 0:
	case 1:
		t->payload = 0;
		break;
	case 2:
		t->payload = 1 + rnd_n(16);
		break;
	case 3:
		t->payload = rnd_n(600);
		break;
	case 4:
		t->payload = 1000 + rnd_n(461);
		break;
	default:
		t->payload = rnd_n(200);
	}
	/* Room for up to three tags and 40 bytes of IP options. */
	if (t->payload > 1460 - t->opt_len)
		t->payload = 1460 - t->opt_len;
}

/* Every flag byte, across encapsulations, families, hosts, ports. */
static void gen_flags(struct gen *g)
{
	static const int encaps[] = { 0, 0, 1, 2, 3, 0, 1, 2 };
	struct l2 l;
	struct ip ip;
	struct tcp t;
	int f, e;

	for (f = 0; f < 256; f++) {
		e = encaps[f % 8];
		set_l2(&l, e, pick_vid(), pick_vid());
		random_ip(&ip, (f / 3) % 2);
		random_tcp(&t, f);
		emit_tcp(g, &l, &ip, &t, rnd_n(2), 0, "T",
			 e == 0 ? "flags" : e == 1 ? "flags-vlan" : "flags-qinq");
	}
}

static void gen_opts(struct gen *g)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t i;
	int v6;

	for (i = 0; i < N_OPTS; i++) {
		for (v6 = 0; v6 < 2; v6++) {
			set_l2(&l, rnd_n(3) == 0 ? 1 : 0, pick_vid(), 0);
			random_ip(&ip, v6);
			random_tcp(&t, i % 3 == 0 ? 0x02 : i % 3 == 1 ? 0x12 : 0x18);
			memcpy(t.opt, tcp_opts[i].b, tcp_opts[i].len);
			t.opt_len = tcp_opts[i].len;
			t.payload = i % 3 == 2 ? 10 + i * 7 : 0;
			emit_tcp(g, &l, &ip, &t, 1, 0, "T", "tcp-options");
		}
	}
}

/* IPv4 options: NOP, EOL, record route, timestamp, router alert. */
static void gen_ip4_opts(struct gen *g)
{
	static const struct {
		__u8 len;
		__u8 b[40];
	} o[] = {
		{ 4, { 1, 1, 1, 0 } },
		{ 4, { 148, 4, 0, 0 } },
		{ 11, { 7, 11, 4, 10, 0, 0, 1, 0, 0, 0, 0 } },
		{ 39, { 7, 39, 4 } },	/* record route, 9 empty slots */
		{ 12, { 68, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 2 } },
		{ 8, { 1, 148, 4, 0, 0, 1, 0, 0 } },
	};
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t i;

	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++) {
		set_l2(&l, i % 3 == 2 ? 2 : i % 3, 100 + i, 200 + i);
		random_ip(&ip, 0);
		memcpy(ip.opt, o[i].b, o[i].len);
		ip.opt_len = o[i].len;
		random_tcp(&t, 0x18);
		emit_tcp(g, &l, &ip, &t, 1, 0, "T", "ip-options");
	}
}

/* A segment cut into IPv4 fragments of frag bytes (multiple of 8). */
static void gen_frag4_one(struct gen *g, const struct l2 *l, struct ip *ip,
			  struct tcp *t, size_t frag, const char *cls)
{
	size_t n = mk_tcp(ip, t, g->seg), off;
	__u16 df = ip->frag & 0x4000;

	for (off = 0; off < n; off += frag) {
		size_t len = n - off < frag ? n - off : frag;
		int last = off + len >= n;
		/* The first fragment holds the TCP header only if it fits. */
		const char *expect = off ? "F" : (len >= 20 + ((t->opt_len + 3) & ~3u)) ? "T" : "M:len";

		ip->frag = df | (last ? 0 : 0x2000) | (off / 8);
		emit(g, l, ip, 6, off, len, 1, 0, expect, cls);
	}
}

static void gen_frag4(struct gen *g)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;
	int i;

	for (i = 0; i < 4; i++) {
		set_l2(&l, i == 1 ? 1 : i == 3 ? 2 : 0, 100, 300);
		random_ip(&ip, 0);
		ip.frag = 0;
		random_tcp(&t, 0x18);
		t.payload = 300 + i * 50;
		if (i == 2) {	/* with IP options: each fragment repeats them */
			ip.opt[0] = 148;
			ip.opt[1] = 4;
			ip.opt_len = 4;
		}
		gen_frag4_one(g, &l, &ip, &t, 104 + 8 * i, "frag4");
	}
	/* A first fragment too short for the TCP header, then the rest. */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 0);
	ip.frag = 0;
	random_tcp(&t, 0x02);
	t.opt_len = 0;
	t.payload = 40;
	gen_frag4_one(g, &l, &ip, &t, 16, "frag4-tiny");
	/* A later fragment of UDP: ignored. */
	random_ip(&ip, 0);
	mk_udp(&ip, 5353, 5353, 400, g->seg);
	ip.frag = 0x2000 | 50;
	emit(g, &l, &ip, 17, 400, 8, 1, 0, "-", "frag4-udp");
}

/*
 * A segment behind ip's extension headers (one of them a fragment
 * header), cut into fragments of frag bytes.  The headers after the
 * fragment header belong to the fragmentable part (RFC 8200 4.5): they
 * travel in the first fragment only, in front of the segment, and the
 * fragment header names the first of them.  A later fragment is TCP to
 * anyone only if its fragment header says so.
 */
static void gen_frag6(struct gen *g, struct l2 *l, struct ip *ip,
		      struct tcp *t, size_t frag, const char *cls)
{
	struct ip pre = *ip, post = *ip;
	__u8 tcp[FRAME_MAX], first;
	size_t n, off;
	int k;

	for (k = 0; k < ip->ext_cnt && ip->ext[k] != 44; k++)
		;
	pre.ext_cnt = k + 1;
	post.ext_cnt = ip->ext_cnt - k - 1;
	memmove(post.ext, ip->ext + k + 1, post.ext_cnt);
	n = mk_tcp(ip, t, tcp);
	off = put_ext(&post, 6, g->seg, &first);
	memcpy(g->seg + off, tcp, n);
	n += off;
	pre.frag6_id = rnd();
	for (off = 0; off < n; off += frag) {
		size_t len = n - off < frag ? n - off : frag;

		pre.frag6_off = off;
		pre.frag6_m = off + len < n;
		emit(g, l, &pre, first, off, len, 0, 0,
		     !off ? "T" : first == 6 ? "F" : "-", cls);
	}
}

static void set_ext(struct ip *ip, const char *chain)
{
	static const struct {
		char c;
		__u8 nh;
	} map[] = { { 'h', 0 }, { 'r', 43 }, { 'd', 60 }, { 'f', 44 } };
	size_t i;

	ip->ext_cnt = 0;
	for (; *chain; chain++)
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (map[i].c == *chain)
				ip->ext[ip->ext_cnt++] = map[i].nh;
}

static void gen_ext6(struct gen *g)
{
	/* h hop-by-hop, r routing, d destination options, f fragment */
	static const char *const chains[] = { "h", "d", "r", "hd", "hrd",
					      "hdrd", "dddddddd" };
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t i;

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		set_l2(&l, i % 3 == 1 ? 1 : 0, 200, 0);
		random_ip(&ip, 1);
		set_ext(&ip, chains[i]);
		random_tcp(&t, i % 2 ? 0x12 : 0x18);
		emit_tcp(g, &l, &ip, &t, 0, 0, "T", "ext6");
	}
	/* One more header than the program follows. */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 1);
	set_ext(&ip, "ddddddddd");
	random_tcp(&t, 0x10);
	emit_tcp(g, &l, &ip, &t, 0, 0, "M:ext", "ext6-too-many");
	/* Fragments: alone, behind other headers, under tags. */
	for (i = 0; i < 4; i++) {
		set_l2(&l, i % 3, 100, 300);
		random_ip(&ip, 1);
		/* "fd": the fragment header does not name TCP (libpcap's tcp) */
		set_ext(&ip, i == 0 ? "f" : i == 1 ? "hf" : i == 2 ? "hdrfd" : "fd");
		random_tcp(&t, 0x18);
		t.payload = 200 + 100 * i;
		gen_frag6(g, &l, &ip, &t, 200, "frag6");
	}
	/*
	 * A later fragment whose data happens to start like a destination
	 * options header (next header 60, length 255) where the fragment
	 * header names one: it is payload, not a header.  Nothing to
	 * decode, nothing malformed.
	 */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 1);
	set_ext(&ip, "fd");
	random_tcp(&t, 0x18);
	t.opt_len = 0;
	t.payload = 300;
	t.poke_at = 200 - 8 - 20;	/* offset 200 of the fragmentable part */
	t.poke[0] = 60;
	t.poke[1] = 255;
	t.poke_len = 2;
	gen_frag6(g, &l, &ip, &t, 200, "frag6-data-like-header");
	/* An atomic fragment: offset 0, no more fragments. */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 1);
	set_ext(&ip, "f");
	random_tcp(&t, 0x11);
	ip.frag6_id = 0xabcdef01;
	emit_tcp(g, &l, &ip, &t, 0, 0, "T", "frag6-atomic");
	/* UDP behind hop-by-hop, and no next header at all. */
	random_ip(&ip, 1);
	set_ext(&ip, "h");
	emit(g, &l, &ip, 17, 0, mk_udp(&ip, 546, 547, 30, g->seg), 0, 0, "-", "udp6-hbh");
	random_ip(&ip, 1);
	emit(g, &l, &ip, 59, 0, 0, 1, 0, "-", "ip6-no-next");
}

static void gen_other(struct gen *g)
{
	static const __u8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1,
				      10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 10, 1, 2, 4 };
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t len;
	int i;

	for (i = 0; i < 5; i++) {
		set_l2(&l, i == 4 ? 1 : 0, 100, 0);
		random_ip(&ip, i % 2);
		emit(g, &l, &ip, 17, 0, mk_udp(&ip, i ? pick_port() : 53, 80, 20 + i * 30, g->seg),
		     1, 0, "-", "udp");
	}
	for (i = 0; i < 3; i++) {
		set_l2(&l, i == 2 ? 1 : 0, 100, 0);
		memset(g->frame, 0, sizeof(g->frame));
		len = put_l2(&l, 0x0806, g->frame, g->o->idx);
		memcpy(g->frame + len, arp, sizeof(arp));
		g->frame[len + 27] += i;
		out_frame(g->o, g->frame, 60, "-", "arp");
	}
	/* ICMP echo: the IPv4 checksum covers the ICMP message. */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 0);
	memset(g->seg, 0, 16);
	g->seg[0] = 8;
	put16(g->seg + 4, 0x1234);
	put16(g->seg + 2, csum_fold(csum_add(g->seg, 16, 0)));
	emit(g, &l, &ip, 1, 0, 16, 1, 0, "-", "icmp");
	/* Three tags: more than the program looks through. */
	set_l2(&l, 4, 100, 200);
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	emit_tcp(g, &l, &ip, &t, 1, 0, "X:vlan3", "vlan3");
	/* A 0x9100 tag: tcpdump's vlan, not ours. */
	set_l2(&l, 5, 100, 0);
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	emit_tcp(g, &l, &ip, &t, 1, 0, "X:tpid", "vlan-9100");
}

static void gen_malformed(struct gen *g)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t hdr;

	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	ip.ihl = 4;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ihl", "bad-ihl-4");
	random_ip(&ip, 0);
	ip.ihl = 0;
	ip.opt_len = 0;
	ip.ihl = 1;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ihl", "bad-ihl-1");
	random_ip(&ip, 0);
	random_tcp(&t, 0x10);
	t.doff = 4;
	t.doff_raw = 1;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:doff", "bad-doff-4");
	set_l2(&l, 1, 100, 0);
	random_ip(&ip, 1);
	random_tcp(&t, 0x10);
	t.doff = 0;
	t.doff_raw = 1;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:doff", "bad-doff-0-v6-vlan");
	set_l2(&l, 0, 0, 0);
	/* Frame ends inside the IPv4 header, after the protocol byte. */
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	emit_tcp(g, &l, &ip, &t, 0, 14 + 12, "M:trunc", "trunc-ip4");
	/* Frame ends inside the TCP header. */
	random_ip(&ip, 0);
	random_tcp(&t, 0x18);
	emit_tcp(g, &l, &ip, &t, 0, 14 + 20 + 12, "M:trunc", "trunc-tcp4");
	random_ip(&ip, 1);
	emit_tcp(g, &l, &ip, &t, 0, 14 + 40 + 19, "M:trunc", "trunc-tcp6");
	/* Options announced, frame ends after the fixed header. */
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	memcpy(t.opt, tcp_opts[2].b, tcp_opts[2].len);
	t.opt_len = tcp_opts[2].len;
	t.payload = 0;
	emit_tcp(g, &l, &ip, &t, 0, 14 + 20 + 24, "M:trunc", "trunc-tcp-options");
	/* IP lengths shorter than the headers they hold. */
	random_ip(&ip, 0);
	random_tcp(&t, 0x10);
	t.payload = 0;
	ip.len_adj = -25;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:len", "ip4-len-below-ihl");
	random_ip(&ip, 0);
	ip.len_adj = -1;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:len", "ip4-len-below-tcp");
	random_ip(&ip, 1);
	ip.len_adj = -4;
	emit_tcp(g, &l, &ip, &t, 0, 0, "M:len", "ip6-len-below-tcp");
	/* Only an Ethernet header, and a cut 802.1Q tag. */
	hdr = put_l2(&l, 0x0800, g->frame, g->o->idx);
	out_frame(g->o, g->frame, hdr, "M:trunc", "eth-only");
	set_l2(&l, 1, 100, 0);
	hdr = put_l2(&l, 0x0800, g->frame, g->o->idx);
	out_frame(g->o, g->frame, hdr - 2, "-", "vlan-cut");
}

/* Conversations over port ranges: SYN, SYN-ACK, ACK, data, FIN, RST. */
static void gen_conversations(struct gen *g)
{
	static const __u8 seq_flags[] = { 0x02, 0x12, 0x10, 0x18, 0x10, 0x11, 0x14 };
	struct l2 l;
	struct ip a, b;
	struct tcp t;
	__u32 sa, sb;
	int c, i, v6;

	for (c = 0; c < 8; c++) {
		v6 = c % 2;
		set_l2(&l, c % 4 == 3 ? 1 : 0, 10 * c, 0);
		random_ip(&a, v6);
		b = a;
		memcpy(b.src, a.dst, 16);
		memcpy(b.dst, a.src, 16);
		if (c == 0)
			set_addrs(&a, "10.1.2.3", "192.168.1.10");
		if (c == 1)
			set_addrs(&a, "2001:db8::1", "2001:db8:1::10");
		if (c < 2) {
			memcpy(b.src, a.dst, 16);
			memcpy(b.dst, a.src, 16);
		}
		sa = rnd();
		sb = rnd();
		for (i = 0; i < (int)sizeof(seq_flags); i++) {
			int fwd = i % 2 == 0;

			memset(&t, 0, sizeof(t));
			t.sport = fwd ? 5000 + c : c < 4 ? 80 : 443;
			t.dport = fwd ? (c < 4 ? 80 : 443) : 5000 + c;
			t.flags = seq_flags[i];
			t.seq = fwd ? sa : sb;
			t.ack = t.flags & 0x10 ? (fwd ? sb : sa) : 0;
			t.win = 65535 - c * 1000;
			t.payload = t.flags == 0x18 ? 100 + c * 20 : 0;
			if (i < 2) {
				memcpy(t.opt, tcp_opts[2].b, tcp_opts[2].len);
				t.opt_len = tcp_opts[2].len;
			}
			emit_tcp(g, &l, fwd ? &a : &b, &t, 1, 0, "T", "conversation");
			if (fwd)
				sa += t.payload + !!(t.flags & 3);
			else
				sb += t.payload + !!(t.flags & 3);
		}
	}
}

/* --- what tcpdump's text shows (print.c) -------------------------------- */

/* One segment: v6 or not, under encaps, with flags, options and a payload
 * (data, or generated bytes if NULL). */
static void seg(struct gen *g, int v6, int encaps, __u8 flags, const __u8 *opt,
		__u8 opt_len, const void *data, __u16 len, const char *cls)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;

	set_l2(&l, encaps, pick_vid(), pick_vid());
	random_ip(&ip, v6);
	random_tcp(&t, flags);
	memcpy(t.opt, opt, opt_len);
	t.opt_len = opt_len;
	t.payload = len;
	t.data = data;
	emit_tcp(g, &l, &ip, &t, 1, 0, "T", cls);
}

/* TCP options by the names tcpdump gives them, and malformed ones. */
static void gen_opt_names(struct gen *g)
{
	static const struct {
		__u8 flags;
		__u8 len;
		__u8 b[40];
	} o[] = {
		/* MPTCP: capable (SYN v1, SYN v0 with a key and csum, ACK
		 * with both keys, with a data length), join (SYN, SYN-ACK,
		 * ACK), dss (ack 4, ack 8 and seq 8 with csum, fin), add-addr
		 * (v4, port, hmac, v6, v6 port hmac), rem-addr, prio, fail,
		 * fast-close, subtype 9; then bad ones */
		{ 0x02, 4, { 30, 4, 0x01, 0x01 } },
		{ 0x02, 12, { 30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ 0x10, 20, { 30, 20, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 9, 0xa, 0xb, 0xc,
			      0xd, 0xe, 0xf, 0x10, 0x11 } },
		{ 0x18, 24, { 30, 22, 0x01, 0x01, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
			      4, 4, 4, 4, 0, 100, 1, 1 } },
		{ 0x02, 12, { 30, 12, 0x11, 5, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7 } },
		{ 0x12, 16, { 30, 16, 0x10, 6, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, 0 } },
		{ 0x10, 24, { 30, 24, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
			      14, 15, 16, 17, 18, 19, 20 } },
		{ 0x10, 8, { 30, 8, 0x20, 0x01, 0, 0, 1, 0 } },
		{ 0x18, 28, { 30, 28, 0x20, 0x0f, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0,
			      0x20, 0, 0, 0, 0x30, 0, 0x05, 0xdc, 0xab, 0xcd, 1, 1 } },
		{ 0x11, 4, { 30, 4, 0x20, 0x10 } },
		{ 0x10, 8, { 30, 8, 0x30, 3, 10, 0, 0, 1 } },
		{ 0x10, 12, { 30, 10, 0x30, 4, 10, 0, 0, 2, 0x1f, 0x90, 1, 1 } },
		{ 0x10, 20, { 30, 18, 0x30, 5, 10, 0, 0, 3, 0x1f, 0x90, 1, 2, 3, 4, 5,
			      6, 7, 8, 1, 1 } },
		{ 0x10, 20, { 30, 20, 0x31, 6, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0,
			      0, 0, 0, 0, 1 } },
		{ 0x10, 32, { 30, 30, 0x31, 7, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0,
			      0, 0, 0, 0, 2, 0x01, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1 } },
		{ 0x10, 8, { 30, 6, 0x40, 1, 2, 3, 1, 1 } },
		{ 0x10, 4, { 30, 3, 0x51, 1 } },
		{ 0x10, 4, { 30, 4, 0x50, 9 } },
		{ 0x10, 12, { 30, 12, 0x60, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 } },
		{ 0x14, 12, { 30, 12, 0x70, 0, 0xfe, 0xed, 0xfa, 0xce, 0, 0, 0, 1 } },
		{ 0x10, 4, { 30, 4, 0x90, 0 } },
		{ 0x10, 8, { 30, 8, 0x00, 0x01, 1, 2, 1, 1 } },		/* capable: bad length */
		{ 0x12, 4, { 30, 4, 0x20, 0x01 } },			/* dss on a SYN */
		/* Fast Open: a request, a cookie, an odd one; the experimental
		 * option with the TFO and AccECN magic numbers and another */
		{ 0x02, 4, { 34, 2, 1, 1 } },
		{ 0x02, 12, { 34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1 } },
		{ 0x02, 8, { 34, 5, 1, 2, 3, 1, 1, 1 } },
		{ 0x02, 4, { 254, 4, 0xf9, 0x89 } },
		{ 0x02, 12, { 254, 12, 0xf9, 0x89, 9, 8, 7, 6, 5, 4, 3, 2 } },
		{ 0x12, 12, { 254, 11, 0xac, 0xc0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 1 } },
		{ 0x10, 12, { 254, 11, 0xac, 0xc1, 0, 0, 3, 0, 0, 2, 0, 0, 1, 1 } },
		{ 0x10, 8, { 254, 6, 0x12, 0x34, 0x56, 0x78, 1, 1 } },
		{ 0x10, 4, { 254, 3, 0xac, 1 } },			/* too short: bad */
		/* AccECN's own kinds, unknown to tcpdump 4.99 */
		{ 0x10, 12, { 172, 11, 0, 0, 1, 0, 0, 2, 0, 0, 3, 1 } },
		{ 0x10, 8, { 174, 8, 0, 0, 1, 0, 0, 2 } },
		/* TCP-AO: a MAC, none, too short */
		{ 0x18, 16, { 29, 16, 7, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } },
		{ 0x10, 4, { 29, 4, 1, 2 } },
		{ 0x10, 4, { 29, 3, 1, 1 } },
		/* md5, user timeout (minutes, seconds), scps, cc, echo, sackOK
		 * with data, an option of no data, several unknown ones */
		{ 0x18, 20, { 19, 18, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80,
			      0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0, 1, 1 } },
		{ 0x10, 4, { 28, 4, 0x80, 0x0b } },
		{ 0x10, 4, { 28, 4, 0x00, 0x3c } },
		{ 0x10, 4, { 20, 4, 0xa5, 7 } },
		{ 0x10, 8, { 11, 6, 0, 0, 1, 0, 1, 1 } },
		{ 0x10, 12, { 6, 6, 0, 0, 0, 9, 7, 6, 0, 0, 0, 10 } },
		{ 0x10, 4, { 161, 2, 1, 1 } },
		{ 0x10, 8, { 99, 2, 200, 4, 0xab, 0xcd, 0, 0 } },
		/* data after the end of the list */
		{ 0x10, 8, { 2, 4, 5, 0xb4, 0, 77, 88, 99 } },
	};
	/* lengths that lie: an MPTCP option shorter than 3, an option
	 * past the header, mss of 3 bytes, wscale of 4, SACK of 9, a
	 * length of 1, a length past the header, a timestamp of 10 */
	static const struct {
		__u8 flags;
		__u8 len;
		__u8 b[40];
	} lie[] = {
		{ 0x10, 4, { 30, 2, 1, 1 } },			/* shorter than 3 */
		{ 0x10, 4, { 13, 6, 0, 0 } },			/* past the header */
		{ 0x12, 8, { 2, 3, 5, 1, 1, 1, 1, 1 } },
		{ 0x12, 8, { 3, 4, 7, 0, 1, 1, 1, 1 } },
		{ 0x10, 12, { 5, 11, 0, 0, 1, 0, 0, 0, 2, 0, 9, 1 } },
		{ 0x10, 4, { 1, 77, 1, 1 } },
		{ 0x10, 4, { 1, 8, 30, 1 } },
		{ 0x10, 8, { 8, 10, 0, 0, 0, 1, 0, 0 } },
	};
	size_t i;

	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		seg(g, i % 2, i % 5 == 4 ? 1 : 0, o[i].flags, o[i].b, o[i].len, NULL,
		    o[i].flags & 0x08 ? 20 + i : 0, "opt-names");
	for (i = 0; i < sizeof(lie) / sizeof(lie[0]); i++)
		seg(g, i % 2, 0, lie[i].flags, lie[i].b, lie[i].len, NULL, 0, "opt-lies");
}

/*
 * Conversations for relative sequence numbers: a handshake and data in
 * both directions, SACK blocks, a SYN seen again mid-way (a new
 * start), the same port on both sides, a conversation met mid-way (no
 * SYN), IPv4 and IPv6.
 */
static void gen_seq(struct gen *g)
{
	static const struct {
		__u8 flags;
		int back;	/* from the server */
		__u16 len;
		int sack;	/* SACK blocks, of the other side's numbers */
	} steps[] = {
		{ 0x02, 0, 0, 0 }, { 0x12, 1, 0, 0 }, { 0x10, 0, 0, 0 },
		{ 0x18, 0, 120, 0 }, { 0x10, 1, 0, 0 }, { 0x18, 1, 1448, 0 },
		{ 0x18, 1, 1448, 0 }, { 0x10, 0, 0, 2 }, { 0x18, 1, 700, 0 },
		{ 0x10, 0, 0, 1 }, { 0x11, 0, 0, 0 }, { 0x11, 1, 0, 0 },
		{ 0x10, 0, 0, 0 }, { 0x02, 0, 0, 0 }, { 0x12, 1, 0, 0 },
		{ 0x10, 0, 0, 0 }, { 0x18, 1, 33, 0 }, { 0x14, 0, 0, 0 },
	};
	struct l2 l;
	struct ip a, b;
	struct tcp t;
	__u32 seq[2];
	__u16 pa, pb;
	int c, i, d, k;

	for (c = 0; c < 6; c++) {
		set_l2(&l, c == 3 ? 1 : 0, 42, 0);
		random_ip(&a, c % 2);
		b = a;
		memcpy(b.src, a.dst, 16);
		memcpy(b.dst, a.src, 16);
		/* the client's port above, below, equal to the server's */
		pa = c < 2 ? 40000 + c : c < 4 ? 22 : 7000;
		pb = c < 2 ? 443 : c < 4 ? 8000 + c : 7000;
		seq[0] = rnd();
		seq[1] = c == 2 ? 0xfffffff0 : rnd();	/* wraps */
		for (i = c == 4 ? 3 : 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
			d = steps[i].back;
			if (steps[i].flags == 0x02 && i) {	/* a new start */
				seq[0] += 100000;
				seq[1] += 200000;
			}
			memset(&t, 0, sizeof(t));
			t.sport = d ? pb : pa;
			t.dport = d ? pa : pb;
			t.flags = steps[i].flags;
			t.seq = seq[d];
			t.ack = t.flags & 0x10 ? seq[!d] : 0;
			t.win = 502;
			t.payload = steps[i].len;
			if (i < 2) {
				memcpy(t.opt, tcp_opts[2].b, tcp_opts[2].len);
				t.opt_len = tcp_opts[2].len;
			}
			if (steps[i].sack) {
				t.opt[0] = t.opt[1] = 1;
				t.opt[2] = 5;
				t.opt[3] = 2 + 8 * steps[i].sack;
				for (k = 0; k < steps[i].sack; k++) {
					put32(t.opt + 4 + 8 * k, seq[!d] + 1000 + 2000 * k);
					put32(t.opt + 8 + 8 * k, seq[!d] + 1500 + 2000 * k);
				}
				t.opt_len = 4 + 8 * steps[i].sack;
			}
			emit_tcp(g, &l, d ? &b : &a, &t, 1, 0, "T", "rel-seq");
			seq[d] += t.payload + !!(t.flags & 3);
		}
	}
}

/* An HTTP/1.x message, or a TLS hello, as a segment's payload. */
static void l7(struct gen *g, int v6, __u16 sport, __u16 dport, __u8 flags,
	       const void *data, __u16 len, const char *cls)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;

	set_l2(&l, 0, 0, 0);
	random_ip(&ip, v6);
	random_tcp(&t, flags);
	t.opt_len = 0;
	t.sport = sport;
	t.dport = dport;
	t.data = data;
	t.payload = len;
	emit_tcp(g, &l, &ip, &t, 1, 0, "T", cls);
}

static void gen_l7(struct gen *g)
{
	static const char *const http[] = {
		"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: mkpcap\r\n\r\n",
		"POST /api/v1/items?id=7&x=%20 HTTP/1.1\r\nContent-Type: text/plain\r\nhost:   api.example.org:8080  \r\nContent-Length: 2\r\n\r\nhi",
		"HEAD / HTTP/1.0\r\n\r\n",
		"GET /no-host HTTP/1.1\r\nAccept: */*\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n",
		"HTTP/1.0 301 Moved Permanently\r\nLocation: /new\r\n\r\n",
		"HTTP/1.1 204\r\n\r\n",
		"DELETE /x HTTP/2.0\r\nHost: not-http1\r\n\r\n",	/* not HTTP/1.x */
		"GET /cut HTTP/1.1\r\nHost: cut.exam",		/* Host cut */
		"\x16\x03\x01 not TLS but binary \x00\x01",
	};
	static const __u16 v13[] = { 0x7a7a, 0x0304, 0x0303 }, v12[] = { 0x7a7a, 0x0303 },
			   s13[] = { 0x0304 };
	static const __u16 ports[] = { 80, 8080, 80, 80, 8080, 80, 8080, 80, 80, 80, 80, 80 };
	static __u8 b[1024];
	size_t i, n;

	for (i = 0; i < sizeof(http) / sizeof(http[0]); i++)
		l7(g, i % 2, strncmp(http[i], "HTTP/", 5) ? 40000 + i : ports[i],
		   strncmp(http[i], "HTTP/", 5) ? ports[i] : 40000 + i, 0x18, http[i],
		   strlen(http[i]), strstr(http[i], "HTTP/2") ? "http-not1" :
		   strstr(http[i], "cut.exam") ? "http-cut" : "http");
	n = tls_hello(b, 1, "example.com", "h2,http/1.1", v13, 3, 1);
	l7(g, 0, 50000, 443, 0x18, b, n, "tls");
	n = tls_hello(b, 1, "www.example.net", NULL, v12, 2, 1);
	l7(g, 1, 50001, 443, 0x18, b, n, "tls");
	n = tls_hello(b, 1, NULL, "h3", NULL, 0, 1);
	l7(g, 0, 50002, 443, 0x18, b, n, "tls");
	n = tls_hello(b, 0, NULL, "h2", s13, 1, 1);
	l7(g, 1, 443, 50000, 0x18, b, n, "tls");
	n = tls_hello(b, 0, NULL, "http/1.1", NULL, 0, 1);
	l7(g, 0, 443, 50001, 0x18, b, n, "tls");
	/* A ClientHello cut by the segment's end: the name, not the rest. */
	n = tls_hello(b, 1, "cut.example.com", "h2,http/1.1", v13, 3, 1);
	l7(g, 0, 50003, 443, 0x18, b, 140, "tls-cut");
}

/* Checksums, the IP header's fields and options, IPv6's extension
 * headers, VLAN priority and DEI: what -v and -e show. */
static void gen_headers(struct gen *g)
{
	static const struct {
		__u8 len;
		__u8 b[40];
	} o4[] = {
		/* loose source route (the checksum's destination is its last
		 * hop), strict, timestamps with addresses, prespecified,
		 * overflow count, a bad length, a bad pointer, security,
		 * router alert with a value, an unknown option */
		{ 11, { 131, 11, 4, 10, 0, 0, 1, 192, 0, 2, 99 } },
		{ 7, { 137, 7, 8, 10, 0, 0, 2 } },
		{ 20, { 68, 20, 13, 0x21, 10, 0, 0, 1, 0, 0, 0, 5, 10, 0, 0, 2, 0, 0, 0, 6 } },
		{ 12, { 68, 12, 5, 0x03, 10, 0, 0, 9, 0, 0, 0, 0 } },
		{ 8, { 68, 8, 9, 0xf0, 0, 0, 0, 1 } },
		{ 8, { 7, 6, 4, 10, 1, 1, 1, 0 } },
		{ 8, { 7, 7, 9, 10, 1, 1, 1, 0 } },
		{ 11, { 130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
		{ 4, { 148, 4, 0, 5 } },
		{ 4, { 222, 4, 1, 2 } },
		{ 4, { 68, 3, 0, 0 } },
	};
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t i;

	for (i = 0; i < sizeof(o4) / sizeof(o4[0]); i++) {
		set_l2(&l, 0, 0, 0);
		random_ip(&ip, 0);
		memcpy(ip.opt, o4[i].b, o4[i].len);
		ip.opt_len = o4[i].len;
		random_tcp(&t, 0x18);
		/* tshark reads nothing past an option with a length below 4 */
		emit_tcp(g, &l, &ip, &t, 1, 0, "T", o4[i].b[1] < 4 ? "ip4-opts-lie" : "ip4-opts-v");
	}
	/* TOS with each ECN codepoint, TTL 0, the reserved flag, a wrong
	 * IP checksum, wrong TCP checksums (IPv4, IPv6), a first fragment
	 * (no checksum verified) */
	for (i = 0; i < 9; i++) {
		set_l2(&l, 0, 0, 0);
		random_ip(&ip, i >= 6 && i != 7);
		random_tcp(&t, 0x18);
		t.opt_len = 0;
		switch (i) {
		case 0: ip.tos = 0x01; break;
		case 1: ip.tos = 0x02; break;
		case 2: ip.tos = 0xbb; ip.ttl = 0; break;
		case 3: ip.frag = 0x8000 | 0x4000; break;
		case 4: ip.bad_csum = 1; break;
		case 5: t.bad_csum = 1; break;
		case 6: t.bad_csum = 1; ip.tos = 0xfe; ip.flow = 0x12345; break;
		case 7: ip.frag = 0x2000; break;
		case 8: set_ext(&ip, "f"); ip.frag6_m = 0; t.bad_csum = 1; break;
		}
		emit_tcp(g, &l, &ip, &t, 1, 0, "T", "ip-fields");
	}
	/* IPv6 routing headers: type 0 with three hops (the checksum's
	 * destination is the last), 2, 4 (segment routing) */
	for (i = 0; i < 3; i++) {
		set_l2(&l, i == 1 ? 2 : 0, 7, 8);
		random_ip(&ip, 1);
		set_ext(&ip, i == 2 ? "hr" : "r");
		ip.rt_type = i == 0 ? 0 : i == 1 ? 2 : 4;
		ip.rt_addrs = i == 0 ? 3 : 1;
		random_tcp(&t, 0x12);
		emit_tcp(g, &l, &ip, &t, 1, 0, "T", "ip6-routing");
	}
	/* VLAN tags with every priority, DEI set */
	for (i = 0; i < 8; i++) {
		set_l2(&l, i % 3 ? 1 : 2, 100 + i, 200 + i);
		l.tci[0] = (i << 13) | (i & 1 ? 0x1000 : 0) | (100 + i);
		random_ip(&ip, i % 2);
		random_tcp(&t, 0x10);
		emit_tcp(g, &l, &ip, &t, 1, 0, "T", "vlan-pcp-dei");
	}
	/* RSTs with data (tcpdump -v prints it), short and long */
	seg(g, 0, 0, 0x14, NULL, 0, "connection reset\r\n\x01\x7f\xff", 21, "rst-data");
	seg(g, 1, 0, 0x04, NULL, 0, NULL, 45, "rst-data");
}

/* Malformed in the ways tcpdump names: a zero IP length, another IP
 * version, an IPv4 header cut inside its options, an IPv6 extension
 * header cut, a hop-by-hop header that is not first, a TCP header of 40
 * bytes in a segment of 24. */
static void gen_malformed2(struct gen *g)
{
	struct l2 l;
	struct ip ip;
	struct tcp t;
	int i;

	set_l2(&l, 0, 0, 0);
	for (i = 0; i < 2; i++) {	/* IP length 0, then 3 */
		random_ip(&ip, 0);
		random_tcp(&t, 0x10);
		ip.len_adj = -(int)(20 + 20 + t.payload) + (i ? 3 : 0);
		emit_tcp(g, &l, &ip, &t, 1, 0, "M:len", "ip4-len-tiny");
	}
	/* IPv6 in an IPv4 frame (twice: a header length of 0 and of 11),
	 * version 5, IPv4 in an IPv6 frame */
	random_ip(&ip, 0);
	random_tcp(&t, 0x02);
	ip.version = 6;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ver", "ip6-in-ip4");
	random_ip(&ip, 0);
	ip.version = 6;
	ip.ihl = 11;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ver", "ip6-in-ip4-ihl");
	random_ip(&ip, 0);
	ip.version = 5;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ver", "ip5");
	random_ip(&ip, 1);
	ip.version = 4;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:ver", "ip4-in-ip6");
	/* an IPv4 header cut inside its options */
	random_ip(&ip, 0);
	memcpy(ip.opt, "\x07\x0b\x04\x0a\x00\x00\x01\x00\x00\x00\x00", 11);
	ip.opt_len = 11;
	emit_tcp(g, &l, &ip, &t, 0, 14 + 20 + 6, "M:trunc", "trunc-ip4-opts");
	/* IPv6: a destination options header cut, a routing header cut
	 * inside its address, hop-by-hop after another header */
	random_ip(&ip, 1);
	set_ext(&ip, "d");
	emit_tcp(g, &l, &ip, &t, 0, 14 + 40 + 5, "M:trunc", "trunc-ip6-dstopt");
	random_ip(&ip, 1);
	set_ext(&ip, "r");
	emit_tcp(g, &l, &ip, &t, 0, 14 + 40 + 8 + 10, "M:trunc", "trunc-ip6-rt");
	random_ip(&ip, 1);
	set_ext(&ip, "dh");
	random_tcp(&t, 0x18);
	emit_tcp(g, &l, &ip, &t, 1, 0, "T", "ip6-hbh-second");
	/* the TCP header's options past the IP length */
	random_ip(&ip, 0);
	random_tcp(&t, 0x12);
	memcpy(t.opt, tcp_opts[2].b, tcp_opts[2].len);
	t.opt_len = tcp_opts[2].len;
	t.payload = 0;
	ip.len_adj = -16;
	emit_tcp(g, &l, &ip, &t, 1, 0, "M:len", "ip4-len-in-tcp-options");
	/* an IPv6 packet cut before its payload length says */
	random_ip(&ip, 1);
	random_tcp(&t, 0x18);
	t.opt_len = 0;
	t.payload = 100;
	emit_tcp(g, &l, &ip, &t, 0, 14 + 40 + 20 + 30, "T", "cut-payload");
}

static void generate(struct out *o)
{
	static struct gen g;

	g.o = o;
	out_start(o);
	gen_conversations(&g);
	gen_flags(&g);
	gen_opts(&g);
	gen_ip4_opts(&g);
	gen_frag4(&g);
	gen_ext6(&g);
	gen_other(&g);
	gen_malformed(&g);
	gen_opt_names(&g);
	gen_seq(&g);
	gen_l7(&g);
	gen_headers(&g);
	gen_malformed2(&g);
}

/*
 * -f: more frames for the filter comparison (tests/system/filter_cmp.sh):
 * records cut by a snap length, frames over 4 KB, broadcast and
 * multicast addresses, a fragment header with a reserved byte set,
 * and frames where an expression whose vlan keywords disagree with the
 * tags reads bytes that happen to look like the headers it wants.
 */
static void gen_filter_extras(struct gen *g)
{
	static const size_t cuts[] = { 64, 68, 80, 96, 128, 200, 256 };
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	struct l2 l;
	struct ip ip;
	struct tcp t;
	size_t n, len, hdr, i;

	/* cut records: the headers whole (a TCP event), or not */
	for (i = 0; i < 28; i++) {
		set_l2(&l, i % 4 == 3 ? 2 : i % 4 == 2 ? 1 : 0, pick_vid(), pick_vid());
		random_ip(&ip, i % 2);
		random_tcp(&t, i % 3 ? 0x18 : 0x10);
		t.payload = 300 + 37 * i;
		n = mk_tcp(&ip, &t, g->seg);
		memset(g->frame, 0, sizeof(g->frame));
		len = put_l2(&l, ip.v6 ? 0x86dd : 0x0800, g->frame, g->o->idx);
		hdr = len + (ip.v6 ? 40 : 20) + 20 + ((t.opt_len + 3) & ~3u);
		len += ip.v6 ? put_ip6(&ip, 6, g->seg, n, g->frame + len) :
			       put_ip4(&ip, 6, g->seg, n, g->frame + len);
		out_frame_cut(g->o, g->frame, len, cuts[i % 7],
			      cuts[i % 7] >= hdr ? "T" : "M:trunc", "cut");
	}
	/* frames over 4 KB (jumbo), some cut to 4 KB by the snap length */
	for (i = 0; i < 8; i++) {
		set_l2(&l, i % 3, 100, 200);
		random_ip(&ip, i % 2);
		random_tcp(&t, 0x18);
		t.seq = 3 * i;	/* fill_payload: an HTTP request */
		t.opt_len = 0;
		t.payload = 4000 + 600 * i;
		if (t.payload > FRAME_MAX - 100)
			t.payload = FRAME_MAX - 100;
		n = mk_tcp(&ip, &t, g->seg);
		memset(g->frame, 0, sizeof(g->frame));
		len = put_l2(&l, ip.v6 ? 0x86dd : 0x0800, g->frame, g->o->idx);
		len += ip.v6 ? put_ip6(&ip, 6, g->seg, n, g->frame + len) :
			       put_ip4(&ip, 6, g->seg, n, g->frame + len);
		out_frame_cut(g->o, g->frame, len, i >= 6 ? 4096 : len, "T", "jumbo");
	}
	/* broadcast and multicast: MAC, IPv4, IPv6 */
	for (i = 0; i < 6; i++) {
		set_l2(&l, i == 5 ? 1 : 0, 100, 0);
		random_ip(&ip, i >= 3);
		if (i == 0)
			set_addrs(&ip, "10.1.2.3", "255.255.255.255");
		if (i == 1)
			set_addrs(&ip, "10.1.2.3", "224.0.0.251");
		if (i == 2)
			set_addrs(&ip, "0.0.0.0", "239.1.2.3");
		if (i == 3)
			set_addrs(&ip, "fe80::1", "ff02::fb");
		random_tcp(&t, 0x02);
		n = mk_tcp(&ip, &t, g->seg);
		memset(g->frame, 0, sizeof(g->frame));
		len = put_l2(&l, ip.v6 ? 0x86dd : 0x0800, g->frame, g->o->idx);
		memcpy(g->frame, i % 2 ? bcast : mcast, 6);
		len += ip.v6 ? put_ip6(&ip, 6, g->seg, n, g->frame + len) :
			       put_ip4(&ip, 6, g->seg, n, g->frame + len);
		if (len < 60)
			len = 60;
		out_frame(g->o, g->frame, len, "T", "bcast-mcast");
	}
	/* an IPv6 fragment header with its reserved byte set: the program
	 * reads it as a fragment header, libpcap's protochain as a length */
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 1);
	set_ext(&ip, "f");
	random_tcp(&t, 0x18);
	t.payload = 100;
	n = mk_tcp(&ip, &t, g->seg);
	memset(g->frame, 0, sizeof(g->frame));
	len = put_l2(&l, 0x86dd, g->frame, g->o->idx);
	hdr = len;
	len += put_ip6(&ip, 6, g->seg, n, g->frame + len);
	g->frame[hdr + 41] = 1;
	out_frame(g->o, g->frame, len, "T", "frag6-reserved");
	/*
	 * Untagged frames whose bytes behind the EtherType read, one tag
	 * deeper, like a tag or an IP EtherType: an IPv4 total length of
	 * 0x0800 or 0x86dd bytes, an IPv6 payload length of 0x0800.
	 */
	for (i = 0; i < 4; i++) {
		set_l2(&l, i == 3 ? 1 : 0, 100, 0);
		random_ip(&ip, i == 2);
		random_tcp(&t, 0x18);
		t.opt_len = 0;
		t.payload = i == 1 ? 0x86dd - 40 : 0x0800 - (ip.v6 ? 20 : 40);
		if (i == 3)
			t.payload = 0x0800 - 40;
		if (t.payload > FRAME_MAX - 100) {
			/* 0x86dd: more than a frame here; keep its header, cut */
			t.payload = FRAME_MAX - 100;
			ip.len_adj = 0x86dd - 40 - t.payload;
		}
		n = mk_tcp(&ip, &t, g->seg);
		memset(g->frame, 0, sizeof(g->frame));
		len = put_l2(&l, ip.v6 ? 0x86dd : 0x0800, g->frame, g->o->idx);
		len += ip.v6 ? put_ip6(&ip, 6, g->seg, n, g->frame + len) :
			       put_ip4(&ip, 6, g->seg, n, g->frame + len);
		out_frame(g->o, g->frame, len, "T",
			  "looks-deeper");
	}
}

/* -e: frames replay cannot run as they are: a 9000-byte jumbo frame
 * (over a page: the program sees its first part), 13 bytes (no room for
 * an Ethernet header), then an ordinary SYN. */
static void generate_edges(struct out *o)
{
	static struct gen g;
	struct l2 l;
	struct ip ip;
	struct tcp t;

	g.o = o;
	out_start(o);
	set_l2(&l, 0, 0, 0);
	random_ip(&ip, 0);
	set_addrs(&ip, "10.0.0.1", "10.0.0.2");
	random_tcp(&t, 0x18);
	t.opt_len = 0;
	t.payload = 9000 - 14 - 40;
	emit_tcp(&g, &l, &ip, &t, 0, 0, "T", "jumbo");
	memset(g.frame, 0, 13);
	out_frame(o, g.frame, 13, "-", "13-bytes");
	random_tcp(&t, 0x02);
	emit_tcp(&g, &l, &ip, &t, 1, 0, "T", "syn");
}

/* --- listing ----------------------------------------------------------- */

static int list(const char *path)
{
	static __u8 buf[64 << 20];
	struct pcap_reader r;
	struct pcap_rec rec;
	char err[256];
	size_t len = 0;
	ssize_t n;
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	int ret;

	if (!f) {
		fprintf(stderr, "mkpcap: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while ((n = fread(buf + len, 1, sizeof(buf) - len, f)) > 0)
		len += n;
	if (f != stdin)
		fclose(f);
	ret = pcap_open(&r, buf, len, PCAP_LINKTYPE_ANY, err, sizeof(err));
	while (!ret && (ret = pcap_next(&r, &rec, err, sizeof(err))) > 0) {
		if (rec.ts_ns / 1000000000ull >= T0)
			printf("%llu\n", rec.ts_ns / 1000000000ull - T0);
		else
			printf("? %llu\n", (unsigned long long)rec.ts_ns);
		ret = 0;
	}
	if (ret < 0) {
		fprintf(stderr, "mkpcap: %s: %s\n", path, err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct out o = { 0 };
	const char *path = NULL, *manifest = NULL;
	int c, swap = 0, edges = 0, extras = 0;
	FILE *f = stdout;

	while ((c = getopt(argc, argv, "ngSeftm:o:l:")) != -1) {
		switch (c) {
		case 'n':
			o.nsec = 1;
			break;
		case 'g':
			o.ng = 1;
			break;
		case 'S':
			swap = 1;
			break;
		case 'e':
			edges = 1;
			break;
		case 'f':
			extras = 1;
			break;
		case 't':
			o.reported = 1;
			break;
		case 'm':
			manifest = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'l':
			return list(optarg);
		default:
			fprintf(stderr, "usage: mkpcap [-n] [-g] [-S] [-e | -f] [-t] [-m MANIFEST] [-o FILE] | -l FILE\n");
			return 2;
		}
	}
	o.buf = malloc(FILE_MAX);
	if (!o.buf)
		return 1;
	if (manifest && !(o.manifest = fopen(manifest, "w"))) {
		fprintf(stderr, "mkpcap: %s: %s\n", manifest, strerror(errno));
		return 1;
	}
	if (edges) {
		generate_edges(&o);
	} else {
		generate(&o);
		if (extras) {
			static struct gen g;

			g.o = &o;
			gen_filter_extras(&g);
		}
	}
	if (swap)
		swap_file(&o);
	if (path && !(f = fopen(path, "wb"))) {
		fprintf(stderr, "mkpcap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fwrite(o.buf, 1, o.len, f) != o.len || fflush(f)) {
		fprintf(stderr, "mkpcap: write failed: %s\n", strerror(errno));
		return 1;
	}
	if (o.manifest && fclose(o.manifest))
		return 1;
	if (f != stdout)
		fclose(f);
	free(o.buf);
	return 0;
}
