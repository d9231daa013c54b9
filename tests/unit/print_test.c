// SPDX-License-Identifier: GPL-2.0
/*
 * print_test - pr_line() on frames built here byte by byte, against the
 * lines tcpdump 4.99 prints of the very same frames (`print_test -w F`
 * writes them as a pcap file: `tcpdump -n -r F`, with -v, -e, -S, shows
 * where each expected line below comes from); IPv6 addresses as tcpdump
 * writes them.  Then every frame cut to every length, as a malformed
 * packet's event, with every switch: a line or nothing, never a read
 * past the bytes (AddressSanitizer watches) nor a write past the end
 * given, for every end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "pcap.h"
#include "print.h"
#include "seqtab.h"
#include "../result.h"
#include "../wire.h"

struct rec {
	struct ti_event e;
	__u8 b[512];
};

struct frame {
	const char *name;
	__u8 b[256];
	__u32 len;
	__u16 l3, l4;
	__u8 family;
};

static struct frame frames[8];
static int nframes;
static struct seqtab seq;

static const __u8 mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

static __u32 tcp_hdr(__u8 *p, __u16 sp, __u16 dp, __u32 seq, __u32 ack, __u8 flags,
		     const __u8 *opt, __u32 opt_len, __u32 payload)
{
	__u32 hlen = 20 + opt_len, i;

	memset(p, 0, hlen);
	put16(p, sp);
	put16(p + 2, dp);
	put32(p + 4, seq);
	put32(p + 8, ack);
	p[12] = hlen / 4 << 4;
	p[13] = flags;
	put16(p + 14, 64240);
	memcpy(p + 20, opt, opt_len);
	for (i = 0; i < payload; i++)
		p[hlen + i] = 'a' + i % 26;
	return hlen + payload;
}

/* Ethernet (one 802.1Q tag if vlan), IPv4 or IPv6, TCP with a valid
 * checksum. */
static void add(const char *name, int v6, int vlan, __u16 sp, __u16 dp, __u32 s,
		__u32 a, __u8 flags, const __u8 *opt, __u32 opt_len, __u32 payload)
{
	struct frame *f = &frames[nframes++];
	__u8 *b = f->b, *ip;
	__u32 l3 = 14, n, sum;
	__u8 ph[12];

	memset(f, 0, sizeof(*f));
	f->name = name;
	memcpy(b, mac, 12);
	if (vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 0x3000 | 42);	/* PCP 1, DEI, id 42 */
		l3 += 4;
	}
	put16(b + l3 - 2, v6 ? 0x86dd : 0x0800);
	ip = b + l3;
	f->l3 = l3;
	f->family = v6 ? 6 : 4;
	f->l4 = l3 + (v6 ? 40 : 20);
	n = tcp_hdr(b + f->l4, sp, dp, s, a, flags, opt, opt_len, payload);
	if (v6) {
		put32(ip, 0x60000000);
		put16(ip + 4, n);
		ip[6] = 6;
		ip[7] = 64;
		/* fd00::1 > fd00::2, the other way from port 80 */
		ip[8] = ip[24] = 0xfd;
		ip[23] = dp == 80 ? 2 : 1;
		ip[39] = dp == 80 ? 1 : 2;
		sum = csum_add(ip + 8, 32, 0);
		put32(ph, n);
		put32(ph + 4, 6);
		sum = csum_add(ph, 8, sum);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, 20 + n);
		put16(ip + 4, 0x1234);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, (const __u8[]){ 192, 0, 2, 1, 198, 51, 100, 2 }, 8);
		put16(ip + 10, csum_fold(csum_add(ip, 20, 0)));
		sum = csum_add(ip + 12, 8, 0);
		put16(ph, 6);
		put16(ph + 2, n);
		sum = csum_add(ph, 4, sum);
	}
	put16(b + f->l4 + 16, csum_fold(csum_add(b + f->l4, n, sum)));
	f->len = f->l4 + n;
}

/* The record of frame f, cut to len bytes (a malformed packet's, with
 * reason, if cut). */
static __u32 record(struct rec *r, const struct frame *f, __u32 len, __u8 reason)
{
	memset(&r->e, 0, sizeof(r->e));
	r->e.pkt_len = len;
	r->e.snap_len = r->e.cap_len = len;
	r->e.l3_off = f->l3;
	r->e.l4_off = reason ? 0 : f->l4;
	r->e.family = f->family;
	r->e.reason = reason;
	memcpy(r->b, f->b, len);
	return sizeof(r->e) + len;
}

/* The line of frame i with these switches. */
static const char *line(int i, int v, int e, int S)
{
	static char out[4096];
	struct pr_cfg c = { .verbose = v, .eflag = e, .seq = S ? NULL : &seq };
	struct pr_res res;
	struct ti_view view;
	struct rec r;
	__u32 n = record(&r, &frames[i], frames[i].len, 0);

	if (ev_decode(&r, n, &view))
		return "(does not decode)";
	*pr_line(out, out + sizeof(out) - 1, &c, &view, frames[i].len, &res) = 0;
	return out;
}

static void expect(const char *name, const char *got, const char *want)
{
	result(name, !strcmp(got, want), "\n  got  %s\n  want %s", got, want);
}

static void write_pcap(const char *path)
{
	__u8 h[64];
	FILE *f = fopen(path, "wb");
	int i;

	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(h, 1, pcap_put_file_hdr(h, 65535, PCAP_LINKTYPE_ETHERNET, 0), f);
	for (i = 0; i < nframes; i++) {
		fwrite(h, 1, pcap_put_rec_hdr(h, (i + 1) * 1000000000ull, frames[i].len,
					      frames[i].len, 0), f);
		fwrite(frames[i].b, 1, frames[i].len, f);
	}
	fclose(f);
}

/* Every length of every frame, every switch, every end: no overrun. */
static void every_cut(void)
{
	static const __u8 canary = 0xa5;
	char why[200] = "";
	struct pr_res res;
	struct ti_view view;
	struct rec *r = malloc(sizeof(*r));
	char *out = malloc(4096 + 1), *end;
	__u32 len, n, k, sw, lines = 0;
	int i;

	for (i = 0; i < nframes && !*why; i++)
		for (len = 14; len <= frames[i].len && !*why; len++)
			for (sw = 0; sw < 32 && !*why; sw++) {
				struct pr_cfg c = { .verbose = sw & 3, .eflag = sw & 4,
						    .qflag = sw & 8, .Kflag = sw & 16,
						    .seq = &seq };

				n = record(r, &frames[i], len, len < frames[i].len ?
					   TI_CNT_TRUNCATED : 0);
				if (ev_decode(r, n, &view))
					continue;
				/* the line whole, then cut at every end */
				end = pr_line(out, out + 4096, &c, &view, frames[i].len, &res);
				lines += end > out;
				for (k = 0; k < (__u32)(end - out) && !*why; k += 7) {
					memset(out, 0, 4096);
					out[k] = canary;
					if (pr_line(out, out + k, &c, &view, frames[i].len,
						    &res) > out + k || (__u8)out[k] != canary)
						snprintf(why, sizeof(why), "%s cut to %u: written past an end of %u",
							 frames[i].name, len, k);
				}
			}
	free(r);
	free(out);
	result("every frame cut to every length, every switch, every end", !*why && lines,
	       "%s (%u lines)", why, lines);
}

int main(int argc, char **argv)
{
	static const __u8 syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					 1, 3, 3, 7 };
	static const __u8 mptcp[] = { 30, 12, 0x10, 5, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7 };
	static const __u8 sack[] = { 1, 1, 5, 10, 0, 0, 0x27, 0x10, 0, 0, 0x2e, 0xe0 };
	static const struct {
		__u8 a[16];
		const char *s;
	} v6[] = {
		{ { 0 }, "::" },
		{ { [15] = 1 }, "::1" },
		{ { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "::ffff:192.0.2.1" },
		{ { [12] = 192, 0, 2, 1 }, "::192.0.2.1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [8] = 0x80, [15] = 1 }, "2001:db8::8000:0:0:1" },
		{ { 0, 1, [6] = 0, 1, [15] = 1 }, "1:0:0:1::1" },
		{ { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8 }, "1:2:3:4:5:6:7:8" },
		{ { 0, 1 }, "1::" },
		{ { 0xfe, 0x80, [8] = 0x0a, 0xbc, 0, 0, 0, 0, 0, 1 }, "fe80::abc:0:0:1" },
	};
	char buf[64];
	size_t i;

	add("ipv4 SYN", 0, 0, 40000, 80, 1000, 0, 0x02, syn_opts, sizeof(syn_opts), 0);
	add("ipv6 SYN-ACK", 1, 1, 80, 40000, 5000, 1001, 0x12, syn_opts, sizeof(syn_opts), 0);
	add("ipv6 ACK with data", 1, 1, 40000, 80, 1001, 5001, 0x18, sack, sizeof(sack), 10);
	add("ipv4 MPTCP join", 0, 0, 40001, 443, 7, 0, 0x02, mptcp, sizeof(mptcp), 0);
	if (argc == 3 && !strcmp(argv[1], "-w")) {
		write_pcap(argv[2]);
		return 0;
	}

	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		*pr_ip6(buf, v6[i].a) = 0;
		expect(v6[i].s, buf, v6[i].s);
	}

	expect("IPv4 SYN, options", line(0, 0, 0, 0),
	       "IP 192.0.2.1.40000 > 198.51.100.2.80: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
	expect("IPv6 SYN-ACK: recorded, absolute", line(1, 0, 0, 0),
	       "IP6 fd00::1.80 > fd00::2.40000: Flags [S.], seq 5000, ack 1001, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
	expect("IPv6 ACK: relative, SACK too", line(2, 0, 0, 0),
	       "IP6 fd00::2.40000 > fd00::1.80: Flags [P.], seq 1:11, ack 1, win 64240, options [nop,nop,sack 1 {5000:7000}], length 10");
	expect("-S: absolute", line(2, 0, 0, 1),
	       "IP6 fd00::2.40000 > fd00::1.80: Flags [P.], seq 1001:1011, ack 5001, win 64240, options [nop,nop,sack 1 {10000:12000}], length 10");
	expect("-v: the IP header, the checksum", line(0, 1, 0, 1),
	       "IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0xc05e (correct), seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
	expect("-e: MAC addresses, the tag", line(1, 0, 1, 1),
	       "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 98: vlan 42, p 1, DEI, ethertype IPv6 (0x86dd), fd00::1.80 > fd00::2.40000: Flags [S.], seq 5000, ack 1001, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
	expect("MPTCP join", line(3, 0, 0, 1),
	       "IP 192.0.2.1.40001 > 198.51.100.2.443: Flags [S], seq 7, win 64240, options [mptcp 12 join id 5 token 0xdeadbeef nonce 0x7], length 0");
	every_cut();
	return failed;
}
