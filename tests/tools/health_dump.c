// SPDX-License-Identifier: GPL-2.0
/*
 * health_dump - prog/health.h run in user space over a capture file
 * (Ethernet, IPv4/IPv6, TCP), for comparison with tshark's analysis:
 *
 *   health_dump FILE          one line per TCP frame:
 *                             NUMBER retrans fast spurious ooo dupack
 *                             zero_win win_probe keepalive lost
 *                             (0 or 1 each), then the handshake RTT in
 *                             microseconds on the frame that completes it
 *   health_dump -s FILE       the totals per connection instead
 *
 * Connections are keyed as the kernel keys them (the smaller end first);
 * at most 256 of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "pcap.h"
#include "prog/health.h"

#define CONN_MAX 256

struct conn {
	struct ti_flow_key k;
	struct ti_flow f;
};

static struct conn conns[CONN_MAX];
static int nconn;

static __u16 get16(const __u8 *p) { return p[0] << 8 | p[1]; }
static __u32 get32(const __u8 *p) { return (__u32)get16(p) << 16 | get16(p + 2); }

/* The segment in the frame, and its connection; NULL if not TCP. */
static struct conn *segment(const struct pcap_rec *r, struct ti_seg *g)
{
	const __u8 *d = r->data, *ip, *th;
	__u32 n = r->caplen, l3 = 14, ip_len, hl, alen;
	__u8 a[2][16];
	__u16 port[2], proto;
	struct ti_flow_key k;
	int i, swap;

	if (n < 14)
		return NULL;
	proto = get16(d + 12);
	while ((proto == 0x8100 || proto == 0x88a8) && n >= l3 + 4) {
		proto = get16(d + l3 + 2);
		l3 += 4;
	}
	ip = d + l3;
	memset(a, 0, sizeof(a));
	if (proto == 0x0800 && n >= l3 + 20 && ip[9] == 6 &&
	    !(get16(ip + 6) & 0x1fff)) {
		hl = (ip[0] & 15) * 4;
		ip_len = get16(ip + 2);
		memcpy(a[0], ip + 12, 4);
		memcpy(a[1], ip + 16, 4);
		alen = 4;
	} else if (proto == 0x86dd && n >= l3 + 40 && ip[6] == 6) {
		hl = 40;
		ip_len = 40 + get16(ip + 4);
		memcpy(a[0], ip + 8, 16);
		memcpy(a[1], ip + 24, 16);
		alen = 16;
	} else {
		return NULL;
	}
	th = ip + hl;
	if (n < l3 + hl + 20)
		return NULL;
	port[0] = get16(th);
	port[1] = get16(th + 2);
	memset(g, 0, sizeof(*g));
	g->now = r->ts_ns;
	g->seq = get32(th + 4);
	g->ack = get32(th + 8);
	g->len = ip_len - hl - (th[12] >> 4) * 4;
	g->win = get16(th + 14);
	g->flags = th[13];
	g->frame_len = r->len;
	/* the smaller end first, as prog/xdp.c keys it */
	i = memcmp(a[0], a[1], alen);
	swap = i > 0 || (i == 0 && port[0] > port[1]);
	g->side = swap;
	memset(&k, 0, sizeof(k));
	memcpy(k.saddr, a[swap], 16);
	memcpy(k.daddr, a[!swap], 16);
	k.sport = port[swap];
	k.dport = port[!swap];
	k.family = alen == 4 ? 4 : 6;
	for (i = 0; i < nconn; i++)
		if (!memcmp(&conns[i].k, &k, sizeof(k)))
			return &conns[i];
	if (nconn == CONN_MAX)
		return NULL;
	conns[nconn].k = k;
	conns[nconn].f.first_ns = g->now;
	return &conns[nconn++];
}

static void totals(const struct conn *c)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = c->k.family == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, c->k.saddr, a, sizeof(a));
	inet_ntop(af, c->k.daddr, b, sizeof(b));
	printf("%s.%u %s.%u hs_us=%llu\n", a, c->k.sport, b, c->k.dport,
	       (unsigned long long)c->f.hs_ns / 1000);
	for (int s = 0; s < 2; s++) {
		const struct ti_side *d = &c->f.s[s];

		printf(" side%d packets=%llu retrans=%u fast=%u spurious=%u "
		       "ooo=%u dupack=%u zero_win=%u win_probe=%u keepalive=%u "
		       "lost=%u syn=%u fin=%u rst=%u srtt_us=%u rtt_cnt=%u\n",
		       s, (unsigned long long)d->packets, d->retrans,
		       d->fast_retrans, d->spurious, d->ooo, d->dupack,
		       d->zero_win, d->win_probe, d->keepalive, d->lost, d->syn,
		       d->fin, d->rst, d->srtt_us, d->rtt_cnt);
	}
}

int main(int argc, char **argv)
{
	static __u8 buf[64 << 20];
	struct pcap_reader r;
	FILE *fp;
	size_t len;
	struct pcap_rec rec;
	char err[256];
	int sum = 0, ret;

	if (argc == 3 && !strcmp(argv[1], "-s"))
		sum = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: health_dump [-s] FILE\n");
		return 2;
	}
	fp = fopen(argv[argc - 1], "rb");
	len = fp ? fread(buf, 1, sizeof(buf), fp) : 0;
	if (!fp || pcap_open(&r, buf, len, 1, err, sizeof(err))) {
		fprintf(stderr, "health_dump: %s: cannot read\n", argv[argc - 1]);
		return 1;
	}
	while ((ret = pcap_next(&r, &rec, err, sizeof(err))) > 0) {
		struct ti_seg g;
		struct conn *c = segment(&rec, &g);
		__u64 hs;
		__u32 a;

		if (!c)
			continue;
		hs = c->f.hs_ns;
		a = ti_health(&c->f, &g);
		if (sum)
			continue;
		printf("%llu %d %d %d %d %d %d %d %d %d",
		       (unsigned long long)rec.nr, !!(a & TI_A_RETRANS),
		       !!(a & TI_A_FAST_RETRANS), !!(a & TI_A_SPURIOUS),
		       !!(a & TI_A_OOO), !!(a & TI_A_DUPACK),
		       !!(a & TI_A_ZERO_WIN), !!(a & TI_A_WIN_PROBE),
		       !!(a & TI_A_KEEPALIVE), !!(a & TI_A_LOST));
		if (!hs && c->f.hs_ns)
			printf(" %llu", (unsigned long long)c->f.hs_ns / 1000);
		printf("\n");
	}
	if (ret < 0) {
		fprintf(stderr, "health_dump: %s\n", err);
		return 1;
	}
	for (int i = 0; sum && i < nconn; i++)
		totals(&conns[i]);
	return 0;
}
