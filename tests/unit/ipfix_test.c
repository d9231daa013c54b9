// SPDX-License-Identifier: GPL-2.0
/*
 * ipfix_test - ipfix.c's messages read back by a reader written here
 * from RFC 7011 and RFC 3954 (not from ipfix.c): header fields, the
 * templates (ids, field counts, element ids and lengths, the enterprise
 * bit and number), set lengths adding up to the message length (v9: the
 * count of records and templates, flowsets padded to four bytes), every
 * field of every record; a message never exceeds its room; a record
 * that does not fit is refused and fits an empty message.  And export.c
 * on a UDP socket of loopback (no privilege): a connection becomes a
 * record per end that sent something, from that end, with its own
 * counts, flags and SYNs or SYN-ACKs; later parts carry deltas; a FIN
 * of either end ends a part.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "export.h"
#include "ipfix.h"
#include "../result.h"

static unsigned g16(const __u8 *p) { return p[0] << 8 | p[1]; }
static unsigned long g32(const __u8 *p) { return (unsigned long)g16(p) << 16 | g16(p + 2); }
static unsigned long long g64(const __u8 *p) { return (unsigned long long)g32(p) << 32 | g32(p + 4); }

/* A template as read: element ids (with 0x8000 for enterprise), lengths. */
struct tpl {
	unsigned id, cnt, ie[32], len[32];
	unsigned long pen[32];
};

struct parsed {
	unsigned version, len_or_count;
	unsigned long t, seq, domain, uptime;
	struct tpl tpl[4];
	int tpl_cnt;
	int records;
	unsigned char rec[64][128];	/* each record's bytes */
	unsigned rec_tpl[64];
	int rec_len[64];
};

/* Templates of an earlier message, as a collector keeps them. */
static struct parsed known;

static const struct tpl *find(const struct parsed *p, unsigned id)
{
	int i;

	for (i = 0; i < p->tpl_cnt; i++)
		if (p->tpl[i].id == id)
			return &p->tpl[i];
	for (i = 0; i < known.tpl_cnt; i++)
		if (known.tpl[i].id == id)
			return &known.tpl[i];
	return NULL;
}

/* Read a message; 0 or a reason. */
static const char *parse(const __u8 *b, size_t n, struct parsed *p)
{
	size_t off, end, hdr;
	unsigned id, slen, i, rl;
	const struct tpl *t;

	memset(p, 0, sizeof(*p));
	p->version = g16(b);
	p->len_or_count = g16(b + 2);
	if (p->version == 10) {
		hdr = 16;
		p->t = g32(b + 4);
		p->seq = g32(b + 8);
		p->domain = g32(b + 12);
		if (p->len_or_count != n)
			return "IPFIX length field is not the message's length";
	} else if (p->version == 9) {
		hdr = 20;
		p->uptime = g32(b + 4);
		p->t = g32(b + 8);
		p->seq = g32(b + 12);
		p->domain = g32(b + 16);
	} else {
		return "bad version";
	}
	for (off = hdr; off < n; off += slen) {
		if (off + 4 > n)
			return "set header past the end";
		id = g16(b + off);
		slen = g16(b + off + 2);
		if (slen < 4 || off + slen > n)
			return "set length out of bounds";
		if (p->version == 9 && slen % 4)
			return "v9 flowset not padded to 4 bytes";
		end = off + slen;
		if (id == (p->version == 10 ? 2u : 0u)) {
			size_t q = off + 4;

			while (q + 4 <= end) {
				struct tpl *tp = &p->tpl[p->tpl_cnt++];

				tp->id = g16(b + q);
				tp->cnt = g16(b + q + 2);
				q += 4;
				for (i = 0; i < tp->cnt && i < 32; i++) {
					tp->ie[i] = g16(b + q);
					tp->len[i] = g16(b + q + 2);
					q += 4;
					if (tp->ie[i] & 0x8000) {
						tp->pen[i] = g32(b + q);
						q += 4;
					}
				}
				if (p->version == 9)
					p->len_or_count--;	/* templates count too */
			}
		} else if (id >= 256) {
			size_t q = off + 4;

			t = find(p, id);
			if (!t)
				return "data set before its template";
			for (rl = 0, i = 0; i < t->cnt; i++)
				rl += t->len[i];
			while (q + rl <= end) {
				memcpy(p->rec[p->records], b + q, rl);
				p->rec_len[p->records] = rl;
				p->rec_tpl[p->records++] = id;
				q += rl;
				if (p->version == 9)
					p->len_or_count--;
			}
			if (end - q >= 4 || (p->version == 10 && q != end))
				return "data set has bytes left over";
		}
	}
	if (off != n)
		return "sets do not end at the message's end";
	if (p->version == 9 && p->len_or_count)
		return "v9 count differs from records and templates";
	return NULL;
}

/* The value of element ie in record r of p; ~0 if absent. */
static unsigned long long field(const struct parsed *p, int r, unsigned ie, const __u8 **at)
{
	const struct tpl *t = find(p, p->rec_tpl[r]);
	unsigned i, off = 0;

	for (i = 0; t && i < t->cnt; off += t->len[i], i++) {
		if (t->ie[i] != ie)
			continue;
		*at = p->rec[r] + off;
		switch (t->len[i]) {
		case 1: return p->rec[r][off];
		case 2: return g16(p->rec[r] + off);
		case 4: return g32(p->rec[r] + off);
		case 8: return g64(p->rec[r] + off);
		default: return 0;
		}
	}
	return ~0ull;
}

static struct ipfix_rec rec4(int i)
{
	struct ipfix_rec r = {
		.family = 4, .saddr = { 10, 0, 0, 1 }, .daddr = { 192, 0, 2, 7 },
		.sport = 40000 + i, .dport = 443, .tcp_flags = 0x1b, .end_reason = 2,
		.packets = 1000000000000ull + i, .bytes = 5000000000000ull + i,
		.start_ms = 1796560000000ull + i, .end_ms = 1796560009999ull + i,
		.ifindex = 7, .syn = 1, .synack = 2, .fin = 3, .rst = 4,
		.retrans = 5, .hs_rtt_us = 20406, .rtt_us = 21407,
	};
	return r;
}

static struct ipfix_rec rec6(int i)
{
	struct ipfix_rec r = rec4(i);

	r.family = 6;
	memset(r.saddr, 0, 16);
	memset(r.daddr, 0, 16);
	r.saddr[0] = r.daddr[0] = 0x20;
	r.saddr[1] = r.daddr[1] = 0x01;
	r.saddr[15] = 1;
	r.daddr[15] = 2;
	return r;
}

/* --- export.c ---------------------------------------------------------------- */

/* A UDP socket on 127.0.0.1 for export.c to send to; its "ADDR:PORT". */
static int collector(char *dest, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 2 };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(dest, len, "127.0.0.1:%u", ntohs(a.sin_port));
	return fd;
}

/* The next message into p (templates kept for the next ones); 0 or -1. */
static int receive(int fd, struct parsed *p)
{
	static __u8 buf[1500];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n <= 0 || parse(buf, n, p))
		return -1;
	if (p->tpl_cnt)
		known = *p;
	return 0;
}

/* Whether no message is waiting. */
static int quiet(int fd)
{
	__u8 b[16];

	return recv(fd, b, sizeof(b), MSG_DONTWAIT) < 0;
}

/* Record r of p: from a:ap to b:bp, these counts and flags (IPv4). */
static int rec_is(const struct parsed *p, int r, const char *a, unsigned ap,
		  const char *b, unsigned bp, unsigned long long pk,
		  unsigned long long by, unsigned flags, int syn, int synack,
		  int fin, int rst, int why)
{
	const __u8 *at = NULL;
	__u8 sa[4], da[4];

	inet_pton(AF_INET, a, sa);
	inet_pton(AF_INET, b, da);
	if (r >= p->records || field(p, r, 7, &at) != ap || field(p, r, 11, &at) != bp ||
	    field(p, r, 2, &at) != pk || field(p, r, 1, &at) != by ||
	    field(p, r, 6, &at) != flags || field(p, r, 136, &at) != (unsigned)why ||
	    field(p, r, 0x8001, &at) != (unsigned)syn ||
	    field(p, r, 0x8002, &at) != (unsigned)synack ||
	    field(p, r, 0x8003, &at) != (unsigned)fin ||
	    field(p, r, 0x8004, &at) != (unsigned)rst)
		return 0;
	field(p, r, 8, &at);
	if (memcmp(at, sa, 4))
		return 0;
	field(p, r, 12, &at);
	return !memcmp(at, da, 4);
}

#define S	1000000000ull
#define F_SYN	0x02
#define F_ACK	0x10
#define F_FIN	0x01

static void test_export(void)
{
	static struct export x;
	static struct parsed p;
	struct flow_entry e[2];
	struct ti_side *c, *sv;
	struct export_cfg cfg = {
		.version = IPFIX_V10, .active_ns = 60 * S, .idle_ns = 15 * S,
		.ifindex = 3, .domain = 3, .flows_max = 16,
	};
	char dest[32], err[128];
	const __u8 *at = NULL;
	int fd = collector(dest, sizeof(dest)), ok;

	if (fd < 0) {
		printf("skip export: no UDP socket on 127.0.0.1\n");
		return;
	}
	cfg.dest = dest;
	if (export_open(&x, &cfg, err, sizeof(err))) {
		result("export: open", 0, "%s", err);
		close(fd);
		return;
	}
	/*
	 * 10.0.0.1:40000 (the key's first end, the client) to 10.0.0.2:80:
	 * both ends seen; and an IPv4 connection seen one way only (the
	 * server, the key's first end, sends; nothing comes back).
	 */
	memset(e, 0, sizeof(e));
	e[0].key.family = 4;
	memcpy(e[0].key.saddr, "\x0a\0\0\x01", 4);
	memcpy(e[0].key.daddr, "\x0a\0\0\x02", 4);
	e[0].key.sport = 40000;
	e[0].key.dport = 80;
	e[0].val.first_ns = 100 * S;
	e[0].val.last_ns = 101 * S;
	e[0].val.syn_ns = 100 * S;
	c = &e[0].val.s[0];
	sv = &e[0].val.s[1];
	c->packets = 3, c->bytes = 200, c->syn = 1, c->tcp_flags = F_SYN | F_ACK;
	sv->packets = 2, sv->bytes = 3000, sv->syn = 1, sv->tcp_flags = F_SYN | F_ACK;
	sv->st = TI_SIDE_SYNACK;
	e[1] = e[0];
	memset(&e[1].val, 0, sizeof(e[1].val));
	memcpy(e[1].key.daddr, "\x0a\0\0\x03", 4);
	e[1].key.sport = 443;
	e[1].key.dport = 50000;
	e[1].val.first_ns = 100 * S;
	e[1].val.last_ns = 100 * S;
	e[1].val.s[0].packets = 4;
	e[1].val.s[0].bytes = 6000;
	e[1].val.s[0].tcp_flags = F_ACK;

	/* Idle for 15 s: out, with the templates. */
	export_tick(&x, e, 2, 116 * S, 0, 0);
	ok = !receive(fd, &p) && p.tpl_cnt == 2 && p.records == 3;
	result("export: one record per end that sent, templates first", ok,
	       "%d templates, %d records", p.tpl_cnt, p.records);
	result("export: the client's record: its counts, flags, SYN",
	       ok && rec_is(&p, 0, "10.0.0.1", 40000, "10.0.0.2", 80, 3, 200,
			    F_SYN | F_ACK, 1, 0, 0, 0, IPFIX_END_IDLE), "record 0");
	result("export: the server's record: from it, its counts, its SYN-ACK",
	       ok && rec_is(&p, 1, "10.0.0.2", 80, "10.0.0.1", 40000, 2, 3000,
			    F_SYN | F_ACK, 0, 1, 0, 0, IPFIX_END_IDLE), "record 1");
	result("export: seen one way: one record, from the end that sent",
	       ok && rec_is(&p, 2, "10.0.0.1", 443, "10.0.0.3", 50000, 4, 6000,
			    F_ACK, 0, 0, 0, 0, IPFIX_END_IDLE), "record 2");
	result("export: the connection's times, the interface",
	       ok && field(&p, 0, 152, &at) == 100000 && field(&p, 1, 152, &at) == 100000 &&
	       field(&p, 1, 153, &at) == 101000 && field(&p, 1, 10, &at) == 3,
	       "start %llu end %llu", field(&p, 0, 152, &at), field(&p, 1, 153, &at));

	/* Nothing new: nothing goes out (templates are not due yet). */
	export_tick(&x, e, 2, 117 * S, 0, 0);
	result("export: nothing new, nothing sent", quiet(fd), "a message");

	/* The server sends more and its FIN: a part of its own, a delta. */
	sv->packets = 5, sv->bytes = 7000, sv->fin = 1, sv->tcp_flags |= F_FIN;
	sv->st |= TI_SIDE_FIN;
	e[0].val.last_ns = 118 * S;
	export_tick(&x, e, 2, 119 * S, 0, 0);
	result("export: a FIN waits for the quiet time", quiet(fd), "a message");
	export_tick(&x, e, 2, 120 * S, 0, 0);
	ok = !receive(fd, &p) && p.records == 1;
	result("export: after a FIN of one end: its delta alone, end of flow",
	       ok && rec_is(&p, 0, "10.0.0.2", 80, "10.0.0.1", 40000, 3, 4000,
			    F_SYN | F_ACK | F_FIN, 0, 0, 1, 0, IPFIX_END_FLOW),
	       "%d records", p.records);

	/* Evicted and made again with fewer packets: counted from 0. */
	c->packets = 1, c->bytes = 60, c->syn = 0, c->tcp_flags = F_ACK;
	sv->packets = 0, sv->bytes = 0, sv->syn = 0, sv->fin = 0;
	e[0].val.first_ns = 130 * S;
	e[0].val.last_ns = 130 * S;
	export_tick(&x, e, 1, 131 * S, 0, 1);
	ok = !receive(fd, &p) && p.records == 1;
	result("export: made again: its counts whole; at the end, forced",
	       ok && rec_is(&p, 0, "10.0.0.1", 40000, "10.0.0.2", 80, 1, 60, F_ACK,
			    0, 0, 0, 0, IPFIX_END_FORCED), "%d records", p.records);
	result("export: the counts", x.records == 5 && x.messages == 3 && !x.errors &&
	       x.evicted == 0, "%llu records, %llu messages, %llu errors, %llu evicted",
	       (unsigned long long)x.records, (unsigned long long)x.messages,
	       (unsigned long long)x.errors, (unsigned long long)x.evicted);
	export_close(&x);
	close(fd);
}

int main(void)
{
	static __u8 buf[1500];
	struct ipfix_msg m;
	static struct parsed p;
	struct ipfix_rec r;
	const char *why;
	const __u8 *at = NULL;
	char note[256] = "";
	size_t len;
	int i, n, ok;
	unsigned long long boot = 1796559990000ull, now = 1796560010123ull;

	/* IPFIX: templates, two IPv4 records, one IPv6 record. */
	ipfix_begin(&m, IPFIX_V10, buf, 1472, now, boot, 77, 3, 1);
	r = rec4(0);
	ipfix_add(&m, &r);
	r = rec4(1);
	ipfix_add(&m, &r);
	r = rec6(2);
	ipfix_add(&m, &r);
	len = ipfix_end(&m);
	why = parse(buf, len, &p);
	result("ipfix: a message that reads back", !why, "%s", why);
	result("ipfix: header: version 10, time, sequence, domain",
	       p.version == 10 && p.t == now / 1000 && p.seq == 77 && p.domain == 3,
	       "v%u t %lu seq %lu domain %lu", p.version, p.t, p.seq, p.domain);
	ok = p.tpl_cnt == 2 && find(&p, 256) && find(&p, 257) &&
	     find(&p, 256)->cnt == 19 && find(&p, 256)->ie[0] == 8 &&
	     find(&p, 257)->ie[0] == 27 && find(&p, 257)->len[0] == 16 &&
	     find(&p, 256)->ie[12] == (0x8000 | 1) && find(&p, 256)->pen[12] == IPFIX_PEN;
	result("ipfix: templates 256 and 257, addresses first, enterprise elements", ok,
	       "%d templates", p.tpl_cnt);
	ok = p.records == 3;
	for (i = 0; ok && i < 3; i++) {
		struct ipfix_rec w = i < 2 ? rec4(i) : rec6(i);

		ok = field(&p, i, 7, &at) == w.sport && field(&p, i, 11, &at) == 443 &&
		     field(&p, i, 4, &at) == 6 && field(&p, i, 6, &at) == 0x1b &&
		     field(&p, i, 2, &at) == w.packets && field(&p, i, 1, &at) == w.bytes &&
		     field(&p, i, 152, &at) == w.start_ms && field(&p, i, 153, &at) == w.end_ms &&
		     field(&p, i, 136, &at) == 2 && field(&p, i, 10, &at) == 7 &&
		     field(&p, i, 0x8001, &at) == 1 && field(&p, i, 0x8002, &at) == 2 &&
		     field(&p, i, 0x8003, &at) == 3 && field(&p, i, 0x8004, &at) == 4 &&
		     field(&p, i, 0x8005, &at) == 5 && field(&p, i, 0x8006, &at) == 20406 &&
		     field(&p, i, 0x8007, &at) == 21407;
		if (ok && i < 2) {
			field(&p, i, 8, &at);
			ok = !memcmp(at, w.saddr, 4);
			field(&p, i, 12, &at);
			ok = ok && !memcmp(at, w.daddr, 4);
		} else if (ok) {
			field(&p, i, 27, &at);
			ok = !memcmp(at, w.saddr, 16);
			field(&p, i, 28, &at);
			ok = ok && !memcmp(at, w.daddr, 16);
		}
		if (!ok)
			snprintf(note, sizeof(note), "record %d", i);
	}
	result("ipfix: every field of every record", ok, "%d records; %s", p.records, note);
	known = p;	/* its templates, for the next messages */

	/* Without templates, and full: records until the room is used. */
	ipfix_begin(&m, IPFIX_V10, buf, 1472, now, boot, 0, 0, 0);
	for (n = 0; n < 100; n++) {
		r = n % 3 ? rec4(n) : rec6(n);
		if (ipfix_add(&m, &r) == -ENOSPC)
			break;
	}
	len = ipfix_end(&m);
	why = parse(buf, len, &p);
	result("ipfix: filled up: within the room, every record there, refusal said",
	       !why && len <= 1472 && p.records == n && n < 100 && p.tpl_cnt == 0,
	       "%s; %zu bytes, %d of %d records", why ? why : "", len, p.records, n);
	ipfix_begin(&m, IPFIX_V10, buf, 1472, now, boot, 0, 0, 1);
	result("ipfix: a refused record fits an empty message with templates",
	       ipfix_add(&m, &r) == 0, "refused again");
	result("ipfix: a room under IPFIX_MIN_ROOM refused",
	       ipfix_begin(&m, IPFIX_V10, buf, IPFIX_MIN_ROOM - 1, now, boot, 0, 0, 1) == -EINVAL,
	       "accepted");

	/* NetFlow v9: uptime-relative times, one-byte flags, padding. */
	ipfix_begin(&m, IPFIX_NF9, buf, 1472, now, boot, 5, 9, 1);
	r = rec4(0);
	ipfix_add(&m, &r);
	r = rec6(1);
	ipfix_add(&m, &r);
	len = ipfix_end(&m);
	why = parse(buf, len, &p);
	result("netflow v9: a message that reads back", !why, "%s", why);
	result("netflow v9: header: uptime, time, sequence, source id",
	       p.version == 9 && p.uptime == now - boot && p.t == now / 1000 &&
	       p.seq == 5 && p.domain == 9, "uptime %lu seq %lu", p.uptime, p.seq);
	r = rec4(0);
	result("netflow v9: first/last switched as uptimes, flags in a byte, no own elements",
	       p.records == 2 && field(&p, 0, 22, &at) == r.start_ms - boot &&
	       field(&p, 0, 21, &at) == r.end_ms - boot && field(&p, 0, 6, &at) == 0x1b &&
	       find(&p, 256)->len[5] == 1 && field(&p, 0, 0x8001, &at) == ~0ull &&
	       field(&p, 1, 2, &at) == rec6(1).packets,
	       "%d records", p.records);

	test_export();
	return failed;
}
