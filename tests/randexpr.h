/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/randexpr.h - random pcap-filter expressions, deterministic for
 * a seed: every kind of primitive libpcap takes on Ethernet (hosts,
 * nets, ports and port ranges with names, protocols of every layer,
 * vlan/mpls/pppoe/geneve, protochain, broadcast and multicast, ether
 * addresses and protocols, llc, decnet, iso, byte, less/greater), and
 * arithmetic over every protocol's bytes with every operator, joined by
 * and/or/not and parentheses.  Many are refused by libpcap (a shift by
 * more than 31, "rejects all packets", a name of the wrong protocol):
 * the tests compare only what it takes.
 *
 * rx_expr(buf, len, &state) writes one expression.  Header-only.
 */
#ifndef TCPINSPECT_RANDEXPR_H
#define TCPINSPECT_RANDEXPR_H

#include <stdio.h>
#include <string.h>

static unsigned rx_rnd(unsigned long long *st, unsigned n)
{
	*st = *st * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(*st >> 33) % n;
}

#define RX_PICK(st, a)	((a)[rx_rnd(st, sizeof(a) / sizeof((a)[0]))])

struct rx_buf {
	char *p;
	size_t len, used;
};

static void rx_put(struct rx_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->used + n + 1 > b->len)
		return;
	memcpy(b->p + b->used, s, n + 1);
	b->used += n;
}

static void rx_num(struct rx_buf *b, unsigned long long *st)
{
	static const char *const nums[] = {
		"0", "1", "2", "6", "13", "17", "20", "40", "44", "80", "100",
		"255", "0x800", "0x1fff", "0xffffffff", "65535", "1500", "0x47",
	};
	char n[16];

	if (rx_rnd(st, 5)) {
		rx_put(b, RX_PICK(st, nums));
	} else {
		snprintf(n, sizeof(n), "%u", rx_rnd(st, 70000));
		rx_put(b, n);
	}
}

static void rx_arth(struct rx_buf *b, unsigned long long *st, int d)
{
	static const char *const pn[] = {
		"tcp", "ip", "ether", "udp", "ip6", "icmp", "link", "arp", "icmp6",
		"sctp", "tcp", "ip",
	};
	static const char *const ops[] = {
		" + ", " - ", " * ", " / ", " % ", " & ", " | ", " ^ ", " << ",
		" >> ",
	};
	static const char *const sz[] = { "", ":1", ":2", ":4" };
	unsigned c = rx_rnd(st, d < 3 ? 10 : 4);

	if (c <= 1) {
		rx_num(b, st);
	} else if (c == 2) {
		rx_put(b, "len");
	} else if (c == 3) {
		rx_put(b, RX_PICK(st, pn));
		rx_put(b, "[");
		if (rx_rnd(st, 10) < 3)
			rx_arth(b, st, d + 1);
		else
			rx_num(b, st);
		rx_put(b, RX_PICK(st, sz));
		rx_put(b, "]");
	} else if (c == 4) {
		rx_put(b, "-");
		rx_arth(b, st, d + 1);
	} else if (c == 5) {
		rx_put(b, "(");
		rx_arth(b, st, d + 1);
		rx_put(b, ")");
	} else {
		rx_arth(b, st, d + 1);
		rx_put(b, RX_PICK(st, ops));
		rx_arth(b, st, d + 1);
	}
}

static void rx_prim(struct rx_buf *b, unsigned long long *st)
{
	static const char *const protos[] = {
		"ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp", "rarp", "sctp",
		"igmp", "pim", "vrrp", "ah", "esp", "atalk", "aarp", "decnet",
		"lat", "sca", "moprc", "mopdl", "iso", "esis", "isis", "clnp",
		"stp", "ipx", "netbeui", "l1", "l2", "iih", "lsp", "snp", "csnp",
		"psnp", "carp", "igrp",
	};
	static const char *const h4[] = {
		"10.0.0.1", "192.168.1.10", "172.16.5.9", "10.1", "10",
		"10.1.2.3", "2001:db8::1", "fe80::1", "::1", "2001:db8:1::10",
	};
	static const char *const dir[] = { "", "src ", "dst ", "src or dst ",
					   "src and dst " };
	static const char *const ports[] = { "80", "443", "22", "0", "65535",
					     "http", "domain", "ssh", "5000" };
	static const char *const ranges[] = { "1-1023", "80-90", "90-80",
					      "1024-65535", "ftp-http", "5000-5010" };
	static const char *const nets[] = {
		"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "fe80::/10",
		"172.16.0.0 mask 255.240.0.0", "0.0.0.0/0", "2001:db8::/65",
	};
	static const char *const encap[] = {
		"vlan", "vlan 100", "vlan 200", "vlan 300", "mpls", "mpls 10",
		"pppoed", "pppoes", "pppoes 5", "vlan and vlan", "geneve",
		"geneve 5",
	};
	static const char *const pvals[] = {
		"6", "17", "44", "0", "60", "43", "\\tcp", "\\udp", "1", "58",
	};
	static const char *const other[] = {
		"ether broadcast", "broadcast", "ether multicast", "multicast",
		"ip multicast", "ip6 multicast", "ip broadcast", "llc", "llc i",
		"llc s", "llc u", "llc rr", "llc ui", "iso proto 0x81",
		"isis proto 15", "tcp[tcpflags] & tcp-syn != 0",
		"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
		"tcp[13] & 0x12 = 0x10", "tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420",
		"ip[6:2] & 0x1fff = 0", "ip[0] & 0xf != 5",
	};
	static const char *const emac[] = { "1:2:3:4:5:6", "ff:ff:ff:ff:ff:ff",
					    "02:00:00:00:00:01", "01:00:5e:00:00:fb" };
	static const char *const eproto[] = {
		"\\ip", "\\arp", "0x800", "\\ip6", "2048", "\\iso", "\\stp",
		"\\ipx", "\\netbeui", "\\atalk", "\\aarp", "\\decnet", "\\rarp",
		"0x86dd", "0x8100",
	};
	static const char *const rel[] = { " > ", " >= ", " = ", " == ", " < ",
					   " <= ", " != " };
	static const char *const pq[] = { "", "tcp ", "udp ", "sctp " };
	char t[64];

	switch (rx_rnd(st, 20)) {
	case 0:
		rx_put(b, RX_PICK(st, protos));
		break;
	case 1:
		rx_put(b, RX_PICK(st, dir));
		rx_put(b, rx_rnd(st, 2) ? "host " : rx_rnd(st, 2) ? "net " : "");
		rx_put(b, RX_PICK(st, h4));
		break;
	case 2:
		rx_put(b, RX_PICK(st, pq));
		rx_put(b, RX_PICK(st, dir));
		rx_put(b, "port ");
		rx_put(b, RX_PICK(st, ports));
		break;
	case 3:
		rx_put(b, RX_PICK(st, pq));
		rx_put(b, "portrange ");
		rx_put(b, RX_PICK(st, ranges));
		break;
	case 4:
		rx_put(b, RX_PICK(st, dir));
		rx_put(b, "net ");
		rx_put(b, RX_PICK(st, nets));
		break;
	case 5:
		rx_put(b, RX_PICK(st, encap));
		break;
	case 6:
		rx_put(b, rx_rnd(st, 3) == 0 ? "ip " : rx_rnd(st, 2) ? "ip6 " : "");
		rx_put(b, rx_rnd(st, 2) ? "proto " : "protochain ");
		rx_put(b, RX_PICK(st, pvals));
		break;
	case 7:
		rx_put(b, rx_rnd(st, 2) ? "less " : "greater ");
		snprintf(t, sizeof(t), "%u", 40 + rx_rnd(st, 2000));
		rx_put(b, t);
		break;
	case 8:
		rx_put(b, RX_PICK(st, other));
		break;
	case 9:
		rx_put(b, "ether ");
		rx_put(b, rx_rnd(st, 2) ? "host " : rx_rnd(st, 2) ? "src " : "dst ");
		rx_put(b, RX_PICK(st, emac));
		break;
	case 10:
		rx_put(b, "ether proto ");
		rx_put(b, RX_PICK(st, eproto));
		break;
	case 11:
		snprintf(t, sizeof(t), "byte %u %c ", rx_rnd(st, 40),
			 "&|<>="[rx_rnd(st, 5)]);
		rx_put(b, t);
		rx_num(b, st);
		break;
	case 12:
		rx_put(b, "decnet ");
		rx_put(b, rx_rnd(st, 2) ? "host " : "src ");
		rx_put(b, rx_rnd(st, 2) ? "1.2" : "10.1");
		break;
	case 13:
		rx_put(b, rx_rnd(st, 2) ? "arp " : "rarp ");
		rx_put(b, rx_rnd(st, 2) ? "host " : "net ");
		rx_put(b, RX_PICK(st, h4) + 0);
		break;
	default:
		rx_arth(b, st, 0);
		rx_put(b, RX_PICK(st, rel));
		rx_arth(b, st, 0);
		break;
	}
}

static void rx_tree(struct rx_buf *b, unsigned long long *st, int d)
{
	static const char *const join[] = { " and ", " or ", " && ", " || " };
	unsigned c = rx_rnd(st, d < 4 ? 6 : 1);

	if (c == 0) {
		rx_prim(b, st);
	} else if (c == 1) {
		rx_put(b, rx_rnd(st, 2) ? "not " : "! ");
		rx_tree(b, st, d + 1);
	} else if (c == 2) {
		rx_put(b, "(");
		rx_tree(b, st, d + 1);
		rx_put(b, ")");
	} else {
		rx_tree(b, st, d + 1);
		rx_put(b, RX_PICK(st, join));
		rx_tree(b, st, d + 1);
	}
}

/* One expression into buf; *st the generator's state (the seed first). */
static __attribute__((unused)) void rx_expr(char *buf, size_t len, unsigned long long *st)
{
	struct rx_buf b = { buf, len, 0 };

	buf[0] = 0;
	rx_tree(&b, st, 0);
}

#endif
