// SPDX-License-Identifier: GPL-2.0
/*
 * filter_test.c - unit tests of the filter compiler (filter.c, fltgen.c,
 * fltopt.c, fltebpf.c, fltnames.c), no privileges needed.
 *
 * The compiled eBPF is checked for what the verifier insists on and run
 * by an interpreter (tests/fltmodel.h) on the struct ti_pkt a model of
 * the XDP program's parse makes of each frame.  Cases:
 *
 *   a table of expressions, each with frames and the verdict tcpdump -r
 *   gives for them (filter_test --pcap DIR writes the frames and the
 *   table for that check);
 *   errors: the message, its position, the return code;
 *   limits: nesting, size, many primitives;
 *   random expressions (tests/randexpr.h, fixed seed): the eBPF against
 *   the classic program the compiler makes for libpcap's semantics
 *   (flt_cbpf, equal to libpcap's: tests/system/filter_pcap.sh), both
 *   run on a corpus of frames of every shape, cut records among them;
 *   garbage: random token strings compile or fail cleanly.
 *
 * Output: "ok NAME" or "not ok NAME: why" per case; exit 1 on failure.
 *   filter_test -d EXPR      the classic program, as tcpdump -d prints it
 *   filter_test -e EXPR      the eBPF instructions
 *   filter_test -r SEED N    N random expressions, one per line
 *   filter_test --pcap DIR   DIR/<frame>.pcap, and DIR/cases.tsv: the table
 *                            as "frame<TAB>answer<TAB>expression" lines
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "filter.h"
#include "prog/tcpinspect.h"
#include "../fltmodel.h"
#include "../randexpr.h"
#include "../wire.h"

#define WHY_LEN		8192
#define NFRAMES		400
#define FRAME_MAX	1600

static int failed;
static void *mem;
static struct bpf_insn prog[FLT_MAX_INSNS];
static struct sock_filter cprog[FLT_MAX_CBPF];

/* A fixed world of names: the tests do not read /etc. */
static const char names_hosts[] = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n"
				   "10.0.0.1 alpha alpha.test\n2001:db8::1 beta\n";
static const char names_nets[] = "loopback 127\nlinknet 169.254.0.0\n";
static const struct flt_names names = {
	.hosts = names_hosts, .hosts_len = sizeof(names_hosts) - 1,
	.networks = names_nets, .networks_len = sizeof(names_nets) - 1,
};

static void result(const char *name, const char *why)
{
	if (why && *why) {
		printf("not ok %s: %s\n", name, why);
		failed = 1;
	} else {
		printf("ok %s\n", name);
	}
}

static int bad(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

static int compile(const char *expr, struct flt_info *info, char *why)
{
	char err[512], w[256];
	int rc = flt_compile(expr, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS,
			     info, err, sizeof(err));

	if (rc)
		return bad(why, "'%s': rc %d: %s", expr, rc, err);
	if (ebpf_check(prog, info->cnt, w, sizeof(w)))
		return bad(why, "'%s': %s", expr, w);
	return 0;
}

/* The compiled filter on one frame, as the program runs it. */
static int verdict(const struct flt_info *info, const __u8 *f, __u32 caplen,
		   __u32 len, int *res, char *why)
{
	return model_verdict(prog, info, f, caplen, len, 0, res, why, WHY_LEN);
}

/* ---- named frames ------------------------------------------------------ */

/*
 * proto: the IPv6 first header (0 hop-by-hop, 44 fragment, then TCP);
 * frag: a later fragment; opts: IPv4 options (12 bytes); mac: the
 * destination MAC is broadcast; payload: TCP payload.
 */
struct pk {
	const char *name, *src, *dst;
	__u16 sport, dport;
	__u8 flags, proto, frag, vcnt;
	__u16 vlan[2];
	__u32 len;
	__u8 fnh;		/* next header after a first fragment header */
	__u8 opts, mac;
	const char *payload;
};

static const struct pk pks[] = {
	{ "A", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 0, { 0 }, 60, 0, 0, 0, NULL },
	{ "B", "192.168.1.2", "10.0.0.1", 80, 1234, TI_TCP_SYN | TI_TCP_ACK, 6, 0, 0, { 0 }, 60, 0, 0, 0, NULL },
	{ "C", "172.16.5.4", "172.16.5.4", 443, 443, TI_TCP_ACK | TI_TCP_PSH, 6, 0, 0, { 0 }, 1514, 0, 0, 0, NULL },
	{ "Z", "10.0.0.1", "10.0.0.3", 0, 8080, 0, 6, 0, 0, { 0 }, 54, 0, 0, 0, NULL },
	{ "F", "10.0.0.1", "192.168.1.2", 0, 0, 0, 6, 1, 0, { 0 }, 100, 0, 0, 0, NULL },
	{ "P", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_ACK | TI_TCP_PSH, 6, 0, 0, { 0 }, 0, 0, 0, 0, "GET / HTTP/1.1\r\n\r\n" },
	{ "O", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_ACK, 6, 0, 0, { 0 }, 70, 0, 1, 0, NULL },
	{ "M", "10.0.0.9", "10.0.0.255", 5000, 5001, TI_TCP_SYN, 6, 0, 0, { 0 }, 60, 0, 0, 1, NULL },
	{ "S", "2001:db8::1", "2001:db8:1::2", 1234, 80, TI_TCP_SYN, 6, 0, 0, { 0 }, 74, 0, 0, 0, NULL },
	{ "T", "2001:db8:1::2", "2001:db8::1", 80, 1234, TI_TCP_SYN | TI_TCP_ACK, 6, 0, 0, { 0 }, 74, 0, 0, 0, NULL },
	{ "G", "2001:db8::1", "2001:db8:1::2", 0, 0, 0, 44, 0, 0, { 0 }, 1294, 6, 0, 0, NULL },
	{ "D", "2001:db8::1", "2001:db8:1::2", 0, 0, 0, 44, 0, 0, { 0 }, 1294, 60, 0, 0, NULL },
	{ "H", "fe80::1", "ff02::1", 1234, 80, TI_TCP_SYN, 0, 0, 0, { 0 }, 90, 0, 0, 0, NULL },
	{ "V", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 1, { 100 }, 64, 0, 0, 0, NULL },
	{ "Q", "10.0.0.1", "192.168.1.2", 1234, 80, TI_TCP_SYN, 6, 0, 2, { 100, 200 }, 68, 0, 0, 0, NULL },
	{ "W", "2001:db8::1", "2001:db8:1::2", 1234, 80, TI_TCP_SYN, 6, 0, 1, { 200 }, 78, 0, 0, 0, NULL },
};
#define PK_CNT	(sizeof(pks) / sizeof(pks[0]))

/* The frame a named packet stands for; its length (caplen = len). */
static size_t frame(const struct pk *k, __u8 *f)
{
	int v6 = strchr(k->src, ':') != NULL, i;
	size_t l2 = 12, l3, l4, hl3, plen = k->payload ? strlen(k->payload) : 0;
	size_t end;

	memset(f, 0, FRAME_MAX);
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	if (k->mac)
		memset(f, 0xff, 6);
	for (i = 0; i < k->vcnt; i++, l2 += 4) {
		put16(f + l2, i ? 0x8100 : (k->vcnt == 2 ? 0x88a8 : 0x8100));
		put16(f + l2 + 2, k->vlan[i]);
	}
	put16(f + l2, v6 ? 0x86dd : 0x0800);
	l3 = l2 + 2;
	if (!v6) {
		hl3 = k->opts ? 32 : 20;
		f[l3] = 0x40 | hl3 / 4;
		f[l3 + 8] = 64;
		f[l3 + 9] = k->proto;
		put16(f + l3 + 4, 0x1234);
		put16(f + l3 + 6, k->frag ? 185 : 0);	/* offset 1480 */
		inet_pton(AF_INET, k->src, f + l3 + 12);
		inet_pton(AF_INET, k->dst, f + l3 + 16);
		if (k->opts)
			memset(f + l3 + 20, 1, 11);	/* NOP ... EOL */
		l4 = l3 + hl3;
	} else {
		f[l3] = 0x60;
		f[l3 + 6] = k->proto;
		f[l3 + 7] = 64;
		inet_pton(AF_INET6, k->src, f + l3 + 8);
		inet_pton(AF_INET6, k->dst, f + l3 + 24);
		l4 = l3 + 40;
		if (k->proto == 44) {		/* fragment header, first */
			f[l4] = k->fnh;
			f[l4 + 3] = 1;		/* offset 0, more fragments */
			l4 += 8;
			if (k->fnh == 60) {	/* destination options, then TCP */
				f[l4] = 6;
				f[l4 + 2] = 1;
				f[l4 + 3] = 4;
				l4 += 8;
			}
		} else if (k->proto == 0) {	/* hop-by-hop with a PadN */
			f[l4] = 6;
			f[l4 + 2] = 1;
			f[l4 + 3] = 4;
			l4 += 8;
		}
	}
	end = k->len ? k->len : l4 + 20 + plen;
	if (!k->frag) {
		put16(f + l4, k->sport);
		put16(f + l4 + 2, k->dport);
		f[l4 + 12] = 0x50;
		f[l4 + 13] = k->flags;
		put16(f + l4 + 14, 512);
		if (plen)
			memcpy(f + l4 + 20, k->payload, plen);
	}
	if (v6)
		put16(f + l3 + 4, end - l3 - 40);
	else
		put16(f + l3 + 2, end - l3);
	return end;
}

static const struct pk *pk_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < PK_CNT; i++)
		if (strlen(pks[i].name) == len && !memcmp(pks[i].name, name, len))
			return &pks[i];
	return NULL;
}

/* ---- the table ---------------------------------------------------------- */

/* expr, and "FRAME=VERDICT ..." as tcpdump -r gives it */
static const struct tcase {
	const char *expr, *want;
} cases[] = {
	{ "", "A=1 S=1 F=1 V=1" },
	{ " \t ", "A=1 G=1" },
	/* host */
	{ "host 10.0.0.1", "A=1 B=1 C=0 F=1 S=0 V=0 Q=0" },
	{ "src host 10.0.0.1", "A=1 B=0" },
	{ "dst host 10.0.0.1", "A=0 B=1" },
	{ "src or dst host 10.0.0.1", "A=1 B=1 C=0" },
	{ "dst or src host 10.0.0.1", "A=1 B=1 C=0" },
	{ "src and dst host 172.16.5.4", "C=1 A=0" },
	{ "src and dst host 10.0.0.1", "A=0 B=0" },
	{ "ip host 10.0.0.1", "A=1 S=0" },
	{ "ip src 10.0.0.1", "A=1 B=0" },
	{ "host 192.168", "A=1 B=1 C=0" },
	{ "host 0x0a000001", "A=1 B=1 C=0" },
	{ "host 10", "A=0" },
	{ "host 2001:db8::1", "S=1 T=1 G=1 A=0 W=0" },
	{ "src host 2001:db8::1", "S=1 T=0" },
	{ "ip6 dst host 2001:db8::1", "S=0 T=1" },
	{ "host 2001:db8::1/128", "S=1" },
	{ "host ::ffff:10.0.0.1", "A=0 S=0" },
	/* net */
	{ "net 10.0.0.0/8", "A=1 B=1 C=0 S=0" },
	{ "net 10", "A=1 C=0" },
	{ "net 10.0.0.0 mask 255.0.0.0", "A=1 C=0" },
	{ "net 10.0 mask 255.0", "A=1 C=0" },
	{ "src net 192.168.0.0/16", "A=0 B=1" },
	{ "dst net 192.168.1.0/24", "A=1 B=0" },
	{ "net 172.16", "C=1 A=0" },
	{ "net 172.16.0.0/12", "C=1 A=0" },
	{ "net 172.32.0.0/12", "C=0" },
	{ "net 0.0.0.0/0", "A=1 C=1 F=1 S=0" },
	{ "net 10.0.0.1", "A=1 Z=1 C=0" },
	{ "net 2001:db8::/32", "S=1 T=1 H=0 A=0" },
	{ "src net 2001:db8:1::/48", "S=0 T=1" },
	{ "ip6 net 2001:db8::/48", "S=1 T=1" },
	{ "dst net 2001:db8::/48", "S=0 T=1" },
	{ "net 2001:db8:1::/49", "S=1" },
	{ "net ::/0", "S=1 H=1 A=0" },
	{ "net fe80::/10", "H=1 S=0" },
	{ "net ff00::/8", "H=1 S=0" },
	{ "net 2001:db8::", "S=0" },
	/* port, portrange */
	{ "port 80", "A=1 B=1 C=0 F=0 S=1 T=1 G=0 H=0 V=0" },
	{ "src port 80", "A=0 B=1" },
	{ "dst port 80", "A=1 B=0" },
	{ "tcp port 80", "A=1 S=1 F=0" },
	{ "tcp dst port 80", "A=1 B=0 S=1" },
	{ "tcp src or dst port 443", "C=1 A=0" },
	{ "src and dst port 443", "C=1 A=0" },
	{ "src and dst port 80", "A=0 B=0" },
	{ "port 80 or 443", "A=1 C=1 Z=0" },
	{ "port 80 or 443 or 8080", "A=1 C=1 Z=1" },
	{ "tcp port 0", "Z=1 A=0 F=0" },
	{ "portrange 80-90", "A=1 B=1 C=0 S=1 F=0" },
	{ "portrange 90-80", "A=1 C=0" },
	{ "portrange 81-90", "A=0" },
	{ "portrange 80", "A=1 C=0" },
	{ "src portrange 1000-2000", "A=1 B=0" },
	{ "dst portrange 1000-2000", "A=0 B=1" },
	{ "tcp portrange 443-443", "C=1" },
	{ "src and dst portrange 400-500", "C=1 A=0" },
	{ "portrange 1-100 or 8000-9000", "A=1 Z=1 C=0" },
	{ "port 010", "A=0" },
	{ "port 0x50", "A=1" },
	/* ip, ip6, tcp, proto */
	{ "ip", "A=1 F=1 S=0 V=0" },
	{ "ip6", "S=1 G=1 H=1 A=0 W=0" },
	{ "tcp", "A=1 F=1 S=1 G=1 H=0 V=0 W=0" },
	{ "ip proto 6", "A=1 F=1 S=0" },
	{ "ip proto \\tcp", "A=1 S=0" },
	{ "ip6 proto 6", "S=1 G=1 H=0 A=0" },
	{ "ip6 proto 44", "G=1 D=1 S=0" },
	{ "tcp", "G=1 D=0 S=1" },
	{ "ip6 proto 6", "G=1 D=0" },
	{ "not tcp", "G=0 D=1" },
	{ "tcp or ip6 proto 44", "D=1" },
	{ "ip6 proto 0", "H=1 S=0" },
	{ "proto 6", "A=1 S=1 G=1 H=0" },
	{ "ip proto 17", "A=0" },
	{ "ip proto 300", "A=0" },
	{ "proto 6 or 0", "H=1 A=1" },
	/* vlan */
	{ "vlan", "A=0 V=1 Q=1 W=1" },
	{ "vlan 100", "A=0 V=1 Q=1 W=0" },
	{ "vlan 200", "V=0 Q=0 W=1" },
	{ "vlan (100)", "V=1" },
	{ "vlan 0x64", "V=1" },
	{ "vlan 100 and host 10.0.0.1", "V=1 Q=0 A=0" },
	{ "vlan 100 and vlan 200", "Q=1 V=0" },
	{ "vlan and vlan 200 and tcp", "Q=1 V=0 W=0" },
	{ "vlan and vlan", "Q=1 V=0" },
	{ "vlan and vlan and port 80", "Q=1 V=0 A=0" },
	{ "vlan 200 and ip6", "W=1 S=0" },
	{ "vlan and ip6 host 2001:db8::1", "W=1 S=0" },
	{ "vlan 100 and port 80", "V=1 A=0 Q=0" },
	{ "vlan 100 and tcp[tcpflags] & tcp-syn != 0", "V=1 A=0" },
	{ "vlan and len >= 64", "V=1 Q=1 A=0" },
	{ "vlan or host 10.0.0.1", "A=0 V=1" },
	{ "vlan 300 or host 10.0.0.1", "A=0 V=1 Q=0" },
	{ "host 10.0.0.1 or vlan", "A=1 V=1 Q=1 S=0" },
	{ "(vlan 100 and ip) or ip", "A=0 V=1 Q=0" },
	{ "not vlan and host 10.0.0.1", "A=0 V=0" },
	{ "vlan and vlan and vlan", "Q=0 V=0" },
	{ "vlan and vlan and vlan 100", "Q=0" },
	{ "vlan and vlan and vlan and ip", "Q=0 A=0" },
	{ "not (vlan and vlan and vlan)", "Q=1 A=1" },
	/* tcp[] */
	{ "tcp[tcpflags] & tcp-syn != 0", "A=1 B=1 C=0 Z=0 F=0 S=0 V=0" },
	{ "tcp[13] & 2 != 0", "A=1 B=1 C=0" },
	{ "tcp[13] & 2 = 0", "A=0 C=1 F=0 S=0" },
	{ "tcp[tcpflags] == tcp-syn", "A=1 B=0" },
	{ "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn|tcp-ack", "A=0 B=1" },
	{ "tcp[tcpflags] & tcp-syn|tcp-ack != 0", "A=1 C=1 Z=1 F=0 S=0" },
	{ "tcp[tcpflags] & (tcp-rst|tcp-fin) != 0", "A=0 B=0" },
	{ "tcp[13] & tcp-push != 0 and tcp[13] & tcp-ack != 0", "C=1 A=0" },
	{ "tcp[13] > 1", "A=1 Z=0" },
	{ "tcp[13] >= 2", "A=1 Z=0" },
	{ "tcp[13] < 2", "A=0 Z=1" },
	{ "tcp[13] <= 2", "A=1 Z=1 B=0" },
	{ "tcp[13] != 2", "A=0 B=1 S=0 F=0" },
	{ "tcp[13:1] = 18", "B=1 A=0" },
	{ "tcp[13] = tcp[13]", "A=1 Z=1 S=0" },
	{ "18 = tcp[13]", "B=1 A=0" },
	{ "not tcp[13] & 2 != 0", "A=0 C=1 F=1 S=1" },
	{ "tcp[0:2] = 1234", "A=1 B=0 S=0" },
	{ "tcp[2:2] = 80", "A=1 B=0" },
	{ "tcp[0] = 4", "A=1 B=0" },
	{ "tcp[1] = 210", "A=1" },
	{ "tcp[2] = 0", "A=1 Z=0" },
	{ "tcp[3] = 80", "A=1" },
	{ "tcp[0:4] = 0x04d20050", "A=1 B=0" },
	{ "tcp[1:2] = 0xd200", "A=1" },
	{ "tcp[0:2] + tcp[2:2] = 1314", "A=1 B=1 C=0" },
	{ "tcp[13] / tcp[13] = 1", "A=1 C=1 Z=0" },
	{ "not tcp[13] / tcp[13] = 1", "A=0 Z=0 F=1" },
	{ "tcp[13] % 2 = 0", "A=1 C=1" },
	{ "tcp[13] * 2 + 1 = 5", "A=1" },
	{ "-tcp[13] = 0xfffffffe", "A=1" },
	{ "tcp[13] ^ 3 = 1", "A=1 B=0" },
	/* a load past the frame rejects the whole filter, as in libpcap */
	{ "tcp[20:4] = 0x47455420", "P=1 A=0 B=0 F=0" },
	{ "tcp[100] = 0 or tcp", "A=1 P=1 S=1 F=1 D=0" },
	{ "tcp or tcp[100] = 0", "A=1 P=1 S=1" },
	{ "port 80 and not tcp[13] & 2 != 0", "Z=0" },
	/* ... unless libpcap's optimizer drops the load or the division */
	{ "tcp[13] / tcp[3] > 0 or tcp", "A=1 Z=1 C=1" },
	{ "ip[100] = 1 or ip", "A=1 C=1 S=0" },
	{ "tcp[13] = 0 or 1 = 1", "A=1" },
	{ "tcp[13] = 0 and 1 = 2", "A=0" },
	{ "not (tcp[13] = 0 and 1 = 2)", "A=1 S=1" },
	{ "not tcp[13] / tcp[13] = 1 and 1 = 1", "Z=0 A=0 F=1" },
	/* len, less, greater, arithmetic */
	{ "len >= 60", "A=1 Z=0 C=1" },
	{ "len > 60", "A=0 C=1" },
	{ "len == 60", "A=1 C=0" },
	{ "len = 60", "A=1" },
	{ "len != 60", "A=0 C=1" },
	{ "len < 61", "A=1 C=0" },
	{ "len <= 59", "A=0 Z=1" },
	{ "length >= 1514", "C=1 A=0" },
	{ "greater 60", "A=1 Z=0" },
	{ "greater 61", "A=0" },
	{ "less 60", "A=1 C=0" },
	{ "less 59", "A=0 Z=1" },
	{ "len - 14 = 46", "A=1" },
	{ "len % 7 + 1 = 4", "A=1" },
	{ "len * 2 = 120", "A=1" },
	{ "len / 7 = 8", "A=1" },
	{ "len & 0xf0 = 48", "A=1" },
	{ "len | 1 = 61", "A=1" },
	{ "len ^ 1 & 3 = 61", "A=1" },
	{ "len << 1 = 120", "A=1" },
	{ "len >> 2 = 15", "A=1" },
	{ "- len = 4294967236", "A=1" },
	{ "len - 4 - 4 = 52", "A=1" },
	{ "(len) > 59", "A=1" },
	{ "(len - 4) * 2 = 112", "A=1" },
	{ "len > 1 + 2 * 29", "A=1 Z=0 C=1" },
	{ "2 * 30 = len", "A=1" },
	{ "0 < len", "A=1" },
	{ "1 = 1", "A=1 S=1" },
	{ "1 = 2", "A=0 S=0" },
	{ "not 1 = 2", "A=1" },
	/* precedence: and and or are equal, left to right */
	{ "host 10.0.0.1 or host 172.16.5.4 and port 443", "A=0 B=0 C=1" },
	{ "port 443 and host 172.16.5.4 or host 10.0.0.1", "A=1 C=1 S=0" },
	{ "not host 10.0.0.1 and port 80", "A=0 S=1" },
	{ "not (host 10.0.0.1 and port 80)", "A=0 B=0 C=1" },
	{ "! host 10.0.0.1 || port 443", "A=0 C=1" },
	{ "host 10.0.0.1 && port 80", "A=1 B=1 Z=0 C=0" },
	{ "host 10.0.0.1 and port 80 or port 443", "A=1 B=1 C=1 Z=0" },
	{ "port 80 and (host 10.0.0.1 or port 443)", "A=1 B=1 C=0" },
	{ "not not host 10.0.0.1", "A=1 C=0" },
	{ "host 10.0.0.1 or 172.16.5.4", "A=1 C=1 S=0" },
	{ "host 10.0.0.1 and not 192.168.1.2", "A=0 Z=1" },
	{ "host 10.0.0.1 and (192.168.1.2 or 172.16.5.4)", "A=1 Z=0" },
	{ "src host 10.0.0.1 or 192.168.1.2", "A=1 B=1 C=0" },
	{ "host 10.0.0.1 or 2001:db8::1", "A=1 S=1 C=0" },
	{ "net 10 or 172.16", "A=1 C=1" },
	{ "port 80 or (host 10.0.0.1) or 443", "C=1 Z=1" },
	{ "(port 80 or port 443) and not src host 10.0.0.1", "A=0 B=1 C=1" },
	{ "((host 10.0.0.1))", "A=1 C=0" },
	{ "ip and not tcp", "A=0" },
	{ "ip or ip6", "A=1 S=1" },
	{ "tcp and (port 80 or 443) and len > 0", "A=1 C=1 Z=0" },
	/* header bytes, as pcap-filter(7)'s examples */
	{ "ip[6:2] & 0x1fff = 0", "A=1 F=0 S=0 O=1" },
	{ "ip[0] & 0xf != 5", "O=1 A=0 S=0" },
	{ "ip[9] = 6", "A=1 F=1 S=0" },
	{ "ip6[6] = 6", "S=1 G=0 H=0 A=0" },
	{ "ip6[6] = 44", "G=1 D=1 S=0" },
	{ "ether[0] & 1 != 0", "M=1 A=0 S=0" },
	{ "ether broadcast", "M=1 A=0" },
	{ "ether multicast", "M=1 A=0" },
	{ "tcp[12] & 0xf0 > 0x50", "A=0 P=0" },
	{ "tcp[12] & 0xf0 = 0x50", "A=1 P=1 F=0" },
	{ "tcp[4:4] = 0", "A=1 Q=0 D=0" },
	{ "tcp[14:2] = 512", "A=1 P=1" },
	{ "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420", "P=1 A=0 C=0" },
	{ "tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)", "P=1 A=1 O=1 C=0" },
	{ "ip[2:2] > 60", "P=0 C=1 F=1 A=0" },
	{ "ip[8] = 64", "A=1 S=0" },
	{ "ip6[7] = 64", "S=1 A=0" },
	{ "ip[12:4] = 0x0a000001", "A=1 B=0" },
	{ "2 & tcp[13] != 0", "A=1 B=1 C=0 S=0" },
	{ "tcp[13] >> tcp[3] = 0", "A=1 Z=1 D=0" },
	{ "len - tcp[13] > 50", "A=1 B=0" },
	/* other protocols: never a TCP segment */
	{ "udp", "A=0 S=0 F=0" },
	{ "udp port 53 or icmp or arp", "A=0 S=0" },
	{ "tcp or udp", "A=1 S=1 H=0" },
	{ "icmp[icmptype] = icmp-echo", "A=0" },
	{ "ip protochain 6", "A=1 F=1 S=0" },
	{ "ip6 protochain 6", "S=1 G=1 H=1 D=1 A=0" },
	{ "ip6 protochain 44", "G=1 D=1 S=0 H=0" },
	{ "ip6 protochain 0", "H=1 S=0" },
	{ "protochain 6", "A=1 S=1 H=1" },
	{ "proto \\tcp", "A=1 S=1" },
	{ "ether proto \\ip", "A=1 S=0 V=0" },
	{ "ether proto 0x8100", "V=1 A=0" },
	{ "ether host 02:00:00:00:00:01", "A=1" },
	{ "ether src 02:00:00:00:00:02", "A=1" },
	{ "ip multicast", "A=0" },
	{ "ip6 multicast", "H=1 S=0" },
	{ "pppoes or mpls", "A=0 S=0" },
	{ "llc or stp or netbeui", "A=0 S=0" },
	{ "port http", "A=1 B=1 C=0" },
	{ "portrange ssh-http", "A=1 Z=0" },
	{ "tcp port http or domain", "A=1" },
	{ "host localhost", "A=0" },
};

static void table_case(const struct tcase *tc)
{
	char why[WHY_LEN] = "", name[600];
	struct flt_info info;
	const char *w = tc->want;
	__u8 f[FRAME_MAX];

	snprintf(name, sizeof(name), "table '%s'", tc->expr);
	if (compile(tc->expr, &info, why)) {
		result(name, why);
		return;
	}
	while (*w && !why[0]) {
		size_t l = strcspn(w, "=");
		const struct pk *k = pk_find(w, l);
		int want = w[l + 1] - '0', got;
		size_t len;

		if (!k) {
			bad(why, "no frame %.*s", (int)l, w);
			break;
		}
		len = frame(k, f);
		if (verdict(&info, f, len, len, &got, why) == 0 && got != want)
			bad(why, "frame %s: %d, tcpdump %d", k->name, got, want);
		w += l + 2;
		while (*w == ' ')
			w++;
	}
	result(name, why);
}

/* ---- errors ------------------------------------------------------------ */

struct ecase {
	const char *expr;
	int rc;
	__u32 pos;		/* in "at N:"; 0: none (the optimizer's) */
	const char *msg;	/* a substring of err */
};

static const struct ecase errs[] = {
	/* what libpcap refuses, in its words where it has them */
	{ "host", -EINVAL, 5, "expected an address" },
	{ "host 10.0.0.1 and", -EINVAL, 18, "expression expected" },
	{ "(host 10.0.0.1", -EINVAL, 15, "expected ')'" },
	{ "host 10.0.0.1)", -EINVAL, 14, "unbalanced" },
	{ "host 10.0.0.1 10.0.0.2", -EINVAL, 15, "syntax error" },
	{ "host 1.2.3.400", -EINVAL, 6, "invalid IPv4 address" },
	{ "port 99999", -EINVAL, 6, "illegal port number 99999 > 65535" },
	{ "portrange 1-70000", -EINVAL, 11, "70000 > 65535" },
	{ "host 10.0.0.1 @", -EINVAL, 15, "syntax error" },
	{ "port 08", -EINVAL, 6, "non-octal" },
	{ "port 4294967296", -EINVAL, 6, "overflows 32 bits" },
	{ "vlan 4096", -EINVAL, 6, "VLAN tag 4096 greater than maximum 4095" },
	{ "src proto 6", -EINVAL, 5, "syntax error" },
	{ "ip6 host 10.0.0.1", -EINVAL, 10, "'ip6' modifier applied to ip host" },
	{ "ip host ::1", -EINVAL, 9, "'ip' modifier applied to ip6 host" },
	{ "tcp host 10.0.0.1", -EINVAL, 10, "'tcp' modifier applied to host" },
	{ "tcp proto 6", -EINVAL, 11, "'tcp proto' is bogus" },
	{ "ip port 80", -EINVAL, 9, "illegal qualifier of 'port'" },
	{ "port 1.2.3.4", -EINVAL, 6, "'port' modifier applied to ip host" },
	{ "10.0.0.1", -EINVAL, 1, "qualifier" },
	{ "tcp or 80", -EINVAL, 8, "syntax error" },
	{ "vlan 100 or 200", -EINVAL, 13, "syntax error" },
	{ "len / 0 = 1", -EINVAL, 5, "division by zero" },
	{ "len % 0 = 1", -EINVAL, 5, "modulus by zero" },
	{ "len << 32 = 1", -EINVAL, 5, "shift by more than 31 bits" },
	{ "len / (1 - 1) = 1", -EINVAL, 0, "division by zero" },	/* the optimizer's */
	{ "host example.invalid", -EINVAL, 6, "unknown host 'example.invalid'" },
	{ "net nosuchnet", -EINVAL, 5, "unknown network 'nosuchnet'" },
	{ "port nosuchport", -EINVAL, 6, "unknown port 'nosuchport'" },
	{ "tcp port bootps", -EINVAL, 10, "port 'bootps' is udp" },
	{ "ether host nosuchhost", -EINVAL, 12, "unknown ether host" },
	{ "gateway alpha", -EINVAL, 9, "'gateway' not supported" },
	{ "inbound", -EINVAL, 1, "not supported on Ethernet when reading savefiles" },
	{ "ifindex 1", -EINVAL, 1, "ifindex not supported" },
	{ "tcp[1:3] = 0", -EINVAL, 7, "data size must be 1, 2, or 4" },
	{ "radio[0] = 1", -EINVAL, 1, "radio information not present" },
	{ "vpi 1", -EINVAL, 1, "supported only on raw ATM" },
	{ "fisu", -EINVAL, 1, "supported only on MTP2" },
	{ "type mgt", -EINVAL, 1, "supported only on 802.11" },
	{ "on eth0", -EINVAL, 1, "supported only on PF linktype" },
	{ "mpls and vlan", -EINVAL, 10, "no VLAN match after MPLS" },
	{ "mpls and arp", -EINVAL, 10, "unsupported protocol over mpls" },
	{ "pppoes and llc", -EINVAL, 12, "'llc' not supported for PPP" },
	{ "ip6 protochain 6 and vlan and geneve and ip protochain 6", -EINVAL, 56,
	  "'protochain' not supported with variable length headers" },
	{ "len-4 > 0", -EINVAL, 1, "syntax error" },
	{ "ether proto \\lldp", -EINVAL, 13, "unknown ether proto 'lldp'" },
	{ "ip proto \\nosuch", -EINVAL, 10, "unknown ip proto 'nosuch'" },
	{ "host 2001:db8::/16", -EINVAL, 6, "non-network bits" },
	{ "host 10.0.0.0/8", -EINVAL, 6, "Mask syntax for networks only" },
	{ "1:2:3:4:5:6:7", -EINVAL, 1, "bogus ethernet address" },
	{ "len = 1 and foo:", -EINVAL, 13, "syntax error" },
};

static void error_case(const struct ecase *ec)
{
	char err[256], why[WHY_LEN] = "", name[300], at[32];
	struct flt_info info;
	int rc = flt_compile(ec->expr, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS,
			     &info, err, sizeof(err));

	snprintf(name, sizeof(name), "error '%s'", ec->expr);
	snprintf(at, sizeof(at), "at %u: ", ec->pos);
	if (rc != ec->rc)
		bad(why, "rc %d, want %d (%s)", rc, ec->rc, err);
	else if (rc && (strncmp(err, "filter: ", 8) ||
			(ec->pos && !strstr(err, at)) ||
			!strstr(err, ec->msg)))
		bad(why, "message '%s'", err);
	result(name, why);
}

/* ---- limits ------------------------------------------------------------ */

/* head, open x depth, mid, close x depth, tail: each open nests once */
static const struct {
	const char *head, *open, *mid, *close, *tail;
} nests[] = {
	{ "", "(", "port 80", ")", "" },
	{ "", "not ", "tcp", "", "" },
	{ "", "-", "len", "", " = 1" },
	{ "", "(", "len", ")", " > 0" },
	{ "", "tcp[", "0", "]", " = 1" },
	{ "host ", "(", "10.0.0.1", ")", "" },
	{ "port ", "(", "1 or 2", ")", "" },
};

static void limit_cases(void)
{
	static char big[1 << 20];
	char why[WHY_LEN] = "", err[256];
	struct flt_info info;
	size_t len, i;
	int rc, got;
	__u8 f[FRAME_MAX];

	/* nesting: bounded, not a stack overflow; 200 deep is fine */
	for (i = 0; i < sizeof(nests) / sizeof(nests[0]) && !why[0]; i++) {
		static const size_t depth[] = { 200, 201, 5000 };
		size_t d, k;

		for (d = 0; d < sizeof(depth) / sizeof(depth[0]) && !why[0]; d++) {
			len = snprintf(big, sizeof(big), "%s", nests[i].head);
			for (k = 0; k < depth[d]; k++)
				len += snprintf(big + len, sizeof(big) - len, "%s", nests[i].open);
			len += snprintf(big + len, sizeof(big) - len, "%s", nests[i].mid);
			for (k = 0; k < depth[d]; k++)
				len += snprintf(big + len, sizeof(big) - len, "%s", nests[i].close);
			snprintf(big + len, sizeof(big) - len, "%s", nests[i].tail);
			rc = flt_compile(big, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS,
					 &info, err, sizeof(err));
			if (depth[d] <= FLT_MAX_NEST ? rc != 0 :
			    rc != -E2BIG || !strstr(err, "nested more than 200 deep"))
				bad(why, "%zu x '%s': rc %d %s", depth[d], nests[i].open, rc, err);
		}
	}
	/* '%' nests to its right: libpcap runs out of registers first */
	len = 0;
	for (i = 0; i < 5000; i++)
		len += snprintf(big + len, sizeof(big) - len, "len %% ");
	snprintf(big + len, sizeof(big) - len, "1 = 0");
	rc = flt_compile(big, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS, &info,
			 err, sizeof(err));
	if (!why[0] && rc != -E2BIG)
		bad(why, "5000 x '%%': rc %d %s", rc, err);
	result("nesting: fine at 200 deep, an error past", why);

	/* many ports: compiles and works */
	why[0] = 0;
	len = snprintf(big, sizeof(big), "port 1");
	for (i = 2; i < 300; i++)
		len += snprintf(big + len, sizeof(big) - len, " or %zu", i);
	if (compile(big, &info, why) == 0) {
		struct pk k = pks[0];

		k.dport = 299;
		len = frame(&k, f);
		if (verdict(&info, f, len, len, &got, why) == 0 && !got)
			bad(why, "port 299 not matched");
		k.dport = k.sport = 300;
		len = frame(&k, f);
		if (!why[0] && verdict(&info, f, len, len, &got, why) == 0 && got)
			bad(why, "port 300 matched");
	}
	result("port 1 or 2 or ... 299", why);

	/* past the limits: E2BIG with its message, not a crash */
	why[0] = 0;
	len = snprintf(big, sizeof(big), "(port 1");
	for (i = 2; i < 6000; i++)
		len += snprintf(big + len, sizeof(big) - len, " or %zu", i);
	snprintf(big + len, sizeof(big) - len, ")");
	rc = flt_compile(big, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS, &info,
			 err, sizeof(err));
	if (rc != -E2BIG || strncmp(err, "filter: ", 8))
		bad(why, "rc %d: %s", rc, err);
	result("6000 ports: E2BIG with a message", why);

	why[0] = 0;
	rc = flt_compile("port 80", &names, mem, FLT_MEM, prog, 10, &info, err,
			 sizeof(err));
	if (rc != -E2BIG || !strstr(err, "more than 10"))
		bad(why, "rc %d: %s", rc, err);
	result("E2BIG: an instruction limit", why);

	why[0] = 0;
	rc = flt_compile("port 80", &names, mem, 4096, prog, FLT_MAX_INSNS, &info,
			 err, sizeof(err));
	if (rc != -ENOMEM)
		bad(why, "rc %d: %s", rc, err);
	result("too little compiler memory", why);

	/* constants: no code beyond the answer (but for malformed packets,
	 * where a UDP or ARP header may be), and the flags */
	why[0] = 0;
	if (!compile("udp or arp", &info, why) &&
	    (info.cnt > 50 || info.bytes || !info.raw_bytes ||
	     !(info.flags & FLT_NEVER)))
		bad(why, "udp or arp: %u insns, %u bytes, %u raw, flags %#x",
		    info.cnt, info.bytes, info.raw_bytes, info.flags);
	if (!why[0] && !compile("ip and ip6", &info, why) &&
	    (info.cnt != 2 || !(info.flags & FLT_NEVER)))
		bad(why, "ip and ip6: %u insns, flags %#x", info.cnt, info.flags);
	if (!why[0] && !compile("", &info, why) && !(info.flags & FLT_ALWAYS))
		bad(why, "'': flags %#x", info.flags);
	if (!why[0] && !compile("tcp or ip6 or ip", &info, why) && info.cnt > 30)
		bad(why, "tcp or ip or ip6: %u insns", info.cnt);
	if (!why[0] && !compile("port 80", &info, why) &&
	    (info.bytes || !info.raw_bytes || info.raw_bytes > 200))
		bad(why, "port 80 copies %u bytes, %u raw", info.bytes,
		    info.raw_bytes);
	if (!why[0] && !compile("tcp[20:4] = 1", &info, why) &&
	    (!info.bytes || info.bytes > 200))
		bad(why, "tcp[20:4] copies %u bytes", info.bytes);
	if (!why[0] && !compile("len > 100", &info, why) && !(info.flags & FLT_LEN))
		bad(why, "len: flags %#x", info.flags);
	result("constant answers, copy sizes, flags", why);
}

/* ---- random expressions, against the classic program ------------------ */

static __u8 corpus[NFRAMES][MODEL_FRAME_MAX];
static __u32 corpus_len[NFRAMES], corpus_caplen[NFRAMES];
static int ncorpus, ncorpus_e;

static unsigned long long frnd_state = 12345;

/* frames of every shape the program hands over, and some it does not */
static void build_corpus(void)
{
	int i;

	for (i = 0; i < NFRAMES; i++)
		model_frame(&frnd_state, corpus[i], &corpus_len[i], &corpus_caplen[i]);
	ncorpus = NFRAMES;
	for (i = 0; i < ncorpus; i++) {
		struct ti_pkt m;

		ncorpus_e += !model_parse(corpus[i], corpus_caplen[i], corpus_len[i], &m);
	}
}

/* eBPF and the classic program agree on every frame that reaches it */
static int agree(const char *expr, char *why)
{
	struct flt_info info;
	char err[512], cerr[512];
	__u32 n;
	int i, rc, crc;

	crc = flt_cbpf(expr, &names, 1, mem, FLT_MEM, cprog, FLT_MAX_CBPF, &n,
		       cerr, sizeof(cerr));
	rc = flt_compile(expr, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS, &info,
			 err, sizeof(err));
	/* tcpdump refuses what its optimizer proves matches nothing;
	 * tcpinspect warns and runs it */
	if (crc && strstr(cerr, "rejects all packets"))
		return rc ? bad(why, "'%s': %s", expr, err) :
		       info.flags & FLT_NEVER ? 0 : bad(why, "'%s': not FLT_NEVER", expr);
	if (crc || rc)
		return crc && rc ? 0 : bad(why, "'%s': cbpf %d (%s), ebpf %d (%s)",
					   expr, crc, cerr, rc, err);
	{
		char w[256];

		if (ebpf_check(prog, info.cnt, w, sizeof(w)))
			return bad(why, "'%s': %s", expr, w);
	}
	/* each frame as a checked one, then as a malformed packet (raw) */
	for (i = 0; i < 2 * ncorpus; i++) {
		int got, want, raw = i >= ncorpus, f = i % ncorpus;
		int r = model_compare(prog, &info, cprog, n, expr, corpus[f],
				      corpus_caplen[f], corpus_len[f], raw,
				      &got, &want, why, WHY_LEN);

		if (r > 0)
			continue;
		if (r < 0)
			return bad(why, "'%s' frame %d%s: %s", expr, f,
				   raw ? " (raw)" : "", why);
		if (got != want)
			return bad(why, "'%s' frame %d%s: %d, libpcap's program %d",
				   expr, f, raw ? " (raw)" : "", got, want);
	}
	return 0;
}

static void random_cases(void)
{
	char why[WHY_LEN] = "", expr[4096], name[128];
	unsigned long long st = 1;
	int i, cnt = 0;

	build_corpus();
	for (i = 0; i < 3000 && !why[0]; i++) {
		rx_expr(expr, sizeof(expr), &st);
		if (!agree(expr, why))
			cnt++;
	}
	snprintf(name, sizeof(name), "random: 3000 expressions, eBPF = libpcap's "
		 "program on %d frames (%d reach the filter as checked frames, "
		 "all as malformed ones)", ncorpus, ncorpus_e);
	result(name, why);
}

/* Garbage and truncated expressions: an error or code that checks. */
/* A live capture: inbound, outbound and ifindex from ti_pkt */
static void live_cases(void)
{
	static const struct {
		const char *expr;
		__u8 pkttype;
		__u32 ifindex;
		int want;
	} lc[] = {
		{ "inbound", 0, 7, 1 }, { "inbound", 4, 7, 0 },
		{ "outbound", 0, 7, 0 }, { "outbound", 4, 7, 1 },
		{ "ifindex 7", 0, 7, 1 }, { "ifindex 7", 0, 8, 0 },
		{ "not inbound and ifindex 8 and port 80", 4, 8, 1 },
		{ "inbound or ifindex 8", 4, 7, 0 },
	};
	struct flt_names live = names;
	char why[WHY_LEN] = "", err[256], w[256];
	struct flt_info info;
	unsigned long long r;
	struct ti_pkt m;
	__u8 f[FRAME_MAX];
	size_t i, len = frame(&pks[0], f);
	int rc;

	live.live = 1;
	for (i = 0; i < sizeof(lc) / sizeof(lc[0]) && !why[0]; i++) {
		rc = flt_compile(lc[i].expr, &live, mem, FLT_MEM, prog, FLT_MAX_INSNS,
				 &info, err, sizeof(err));
		if (rc) {
			bad(why, "'%s': rc %d: %s", lc[i].expr, rc, err);
			break;
		}
		if (!(info.flags & FLT_IF) || ebpf_check(prog, info.cnt, w, sizeof(w))) {
			bad(why, "'%s': flags %#x; %s", lc[i].expr, info.flags, w);
			break;
		}
		if (model_parse(f, len, len, &m)) {
			bad(why, "frame A does not reach the filter");
			break;
		}
		m.pkttype = lc[i].pkttype;
		m.ifindex = lc[i].ifindex;
		if (ebpf_run(prog, info.cnt, &m, NULL, &r, w, sizeof(w)))
			bad(why, "'%s': %s", lc[i].expr, w);
		else if ((r != 0) != lc[i].want)
			bad(why, "'%s' with pkttype %u ifindex %u: %llu", lc[i].expr,
			    lc[i].pkttype, lc[i].ifindex, r);
	}
	/* a capture file has neither, as for tcpdump -r */
	if (!why[0] && flt_compile("inbound", &names, mem, FLT_MEM, prog,
				   FLT_MAX_INSNS, &info, err, sizeof(err)) != -EINVAL)
		bad(why, "inbound on a file: accepted");
	result("live: inbound, outbound, ifindex", why);
}

static void garbage_cases(void)
{
	static const char alphabet[] = "0123456789abcdefx.:/-()[]!&|<>=%^*+ \\$";
	static const char *const words[] = {
		"host ", "net ", "port ", "portrange ", "src ", "dst ", "and ",
		"or ", "not ", "( ", ") ", "vlan ", "tcp ", "ip ", "ip6 ", "proto ",
		"10.0.0.1 ", "2001:db8::1 ", "80 ", "1-2 ", "/8 ", "mask ",
		"255.0.0.0 ", "tcp[13] ", "& ", "!= ", "= ", "len ", "less ",
		"greater ", "tcpflags ", "tcp-syn ", "| ", "- ", "0 ", "[ ", "] ",
		"ether ", "udp ", "mpls ", "protochain ", "geneve ", "llc ",
		"broadcast ", "1:2:3:4:5:6 ", "byte ", "icmp ", "arp ", "pppoes ",
	};
	char why[WHY_LEN] = "", expr[256], err[256], w[256];
	unsigned long long st = 7;
	struct flt_info info;
	__u32 it, k;
	int rc, ok = 0;

	for (it = 0; it < 20000 && !why[0]; it++) {
		size_t l = 0;
		unsigned cnt = rx_rnd(&st, 12);

		expr[0] = 0;
		for (k = 0; k < cnt && l < 200; k++) {
			if (rx_rnd(&st, 3)) {
				l += snprintf(expr + l, sizeof(expr) - l, "%s",
					      words[rx_rnd(&st, sizeof(words) / sizeof(words[0]))]);
			} else {
				expr[l++] = alphabet[rx_rnd(&st, sizeof(alphabet) - 1)];
				expr[l] = 0;
			}
		}
		rc = flt_compile(expr, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS,
				 &info, err, sizeof(err));
		if (rc == 0) {
			ok++;
			if (ebpf_check(prog, info.cnt, w, sizeof(w)))
				bad(why, "%s", w);
		} else if (rc != -EINVAL && rc != -E2BIG) {
			bad(why, "rc %d", rc);
		} else if (strncmp(err, "filter: ", 8) || !strstr(err, "at ")) {
			bad(why, "message '%s'", err);
		}
	}
	if (why[0]) {
		size_t l = strlen(why);

		snprintf(why + l, WHY_LEN - l, " in '%s'", expr);
	}
	result("garbage: 20000 random token strings", why);
	if (ok < 100)
		printf("# garbage: only %d compiled\n", ok);
}

/* ---- tools ------------------------------------------------------------- */

/* The classic program, in libpcap's bpf_image() format (tcpdump -d). */
static void print_cbpf(const struct sock_filter *p, __u32 n)
{
	static const char *const alu[] = { "add", "sub", "mul", "div", "or",
		"and", "lsh", "rsh", "neg", "mod", "xor" };
	static const char *const jmp[] = { "ja", "jeq", "jgt", "jge", "jset" };
	__u32 i;

	for (i = 0; i < n; i++) {
		const struct sock_filter *f = &p[i];
		char op[16], arg[64];
		int c = BPF_CLASS(f->code), x = BPF_SRC(f->code) == BPF_X;
		const char *sz = BPF_SIZE(f->code) == BPF_W ? "ld" :
				 BPF_SIZE(f->code) == BPF_H ? "ldh" : "ldb";

		arg[0] = 0;
		switch (c) {
		case BPF_RET:
			snprintf(op, sizeof(op), "ret");
			if (BPF_RVAL(f->code) == BPF_K)
				snprintf(arg, sizeof(arg), "#%d", f->k);
			break;
		case BPF_LD:
			snprintf(op, sizeof(op), "%s", BPF_MODE(f->code) == BPF_ABS ||
				 BPF_MODE(f->code) == BPF_IND ? sz : "ld");
			switch (BPF_MODE(f->code)) {
			case BPF_ABS: snprintf(arg, sizeof(arg), "[%d]", f->k); break;
			case BPF_IND: snprintf(arg, sizeof(arg), "[x + %d]", f->k); break;
			case BPF_LEN: snprintf(arg, sizeof(arg), "#pktlen"); break;
			case BPF_IMM: snprintf(arg, sizeof(arg), "#0x%x", f->k); break;
			case BPF_MEM: snprintf(arg, sizeof(arg), "M[%d]", f->k); break;
			}
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_MSH) {
				snprintf(op, sizeof(op), "ldxb");
				snprintf(arg, sizeof(arg), "4*([%d]&0xf)", f->k);
			} else {
				snprintf(op, sizeof(op), "ldx");
				snprintf(arg, sizeof(arg), BPF_MODE(f->code) == BPF_IMM ?
					 "#0x%x" : "M[%d]", f->k);
			}
			break;
		case BPF_ST:
		case BPF_STX:
			snprintf(op, sizeof(op), c == BPF_ST ? "st" : "stx");
			snprintf(arg, sizeof(arg), "M[%d]", f->k);
			break;
		case BPF_ALU:
			snprintf(op, sizeof(op), "%s", alu[BPF_OP(f->code) >> 4]);
			if (BPF_OP(f->code) == BPF_NEG)
				break;
			if (x)
				snprintf(arg, sizeof(arg), "x");
			else if (BPF_OP(f->code) == BPF_AND || BPF_OP(f->code) == BPF_OR ||
				 BPF_OP(f->code) == BPF_XOR)
				snprintf(arg, sizeof(arg), "#0x%x", f->k);
			else
				snprintf(arg, sizeof(arg), "#%d", f->k);
			break;
		case BPF_JMP:
			snprintf(op, sizeof(op), "%s", jmp[BPF_OP(f->code) >> 4]);
			if (BPF_OP(f->code) == BPF_JA)
				snprintf(arg, sizeof(arg), "%d", i + 1 + f->k);
			else if (x)
				snprintf(arg, sizeof(arg), "x");
			else
				snprintf(arg, sizeof(arg), "#0x%x", f->k);
			break;
		case BPF_MISC:
			snprintf(op, sizeof(op), BPF_MISCOP(f->code) == BPF_TAX ? "tax" : "txa");
			break;
		}
		if (c == BPF_JMP && BPF_OP(f->code) != BPF_JA)
			printf("(%03u) %-8s %-16s jt %u\tjf %u\n", i, op, arg,
			       i + 1 + f->jt, i + 1 + f->jf);
		else
			printf("(%03u) %-8s %s\n", i, op, arg);
	}
}

static void print_ebpf(const struct bpf_insn *p, __u32 n)
{
	static const char *const alu[] = { "add", "sub", "mul", "div", "or",
		"and", "lsh", "rsh", "neg", "mod", "xor", "mov", "arsh", "be" };
	static const char *const jmp[] = { "ja", "jeq", "jgt", "jge", "jset",
		"jne", "jsgt", "jsge", "call", "exit", "jlt", "jle" };
	__u32 i;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &p[i];
		int cls = BPF_CLASS(in->code), op = BPF_OP(in->code) >> 4;
		int x = BPF_SRC(in->code) == BPF_X, sz = ebpf_sz(in->code) * 8;

		printf("%4u: ", i);
		if (cls == BPF_LDX)
			printf("r%d = *(u%d *)(r%d %+d)\n", in->dst_reg, sz,
			       in->src_reg, in->off);
		else if (cls == BPF_STX)
			printf("*(u%d *)(r%d %+d) = r%d\n", sz, in->dst_reg, in->off,
			       in->src_reg);
		else if (cls == BPF_ST)
			printf("*(u%d *)(r%d %+d) = %d\n", sz, in->dst_reg, in->off,
			       in->imm);
		else if ((cls == BPF_ALU || cls == BPF_ALU64) && op == 13)
			printf("r%d = be%d r%d\n", in->dst_reg, in->imm, in->dst_reg);
		else if (cls == BPF_ALU || cls == BPF_ALU64)
			printf(x ? "%s%s r%d, r%d\n" : "%s%s r%d, %#x\n", alu[op],
			       cls == BPF_ALU ? "32" : "", in->dst_reg,
			       x ? in->src_reg : (unsigned)in->imm);
		else if (op == BPF_EXIT >> 4)
			printf("exit\n");
		else if (op == 0)
			printf("ja %u\n", i + 1 + in->off);
		else
			printf(x ? "%s%s r%d, r%d, %u\n" : "%s%s r%d, %#x, %u\n",
			       jmp[op], cls == BPF_JMP32 ? "32" : "", in->dst_reg,
			       x ? in->src_reg : (unsigned)in->imm, i + 1 + in->off);
	}
}

static int write_pcaps(const char *dir)
{
	static const __u32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	__u8 f[FRAME_MAX];
	char path[512];
	size_t i;
	FILE *fp;

	for (i = 0; i < PK_CNT; i++) {
		__u32 rec[4] = { 1, 0, 0, 0 };

		rec[2] = rec[3] = frame(&pks[i], f);
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, pks[i].name);
		fp = fopen(path, "wb");
		if (!fp)
			return perror(path), 1;
		fwrite(hdr, sizeof(hdr), 1, fp);
		fwrite(rec, sizeof(rec), 1, fp);
		fwrite(f, rec[2], 1, fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/cases.tsv", dir);
	fp = fopen(path, "w");
	if (!fp)
		return perror(path), 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w = cases[i].want;

		while (*w) {
			size_t l = strcspn(w, "=");

			fprintf(fp, "%.*s\t%c\t%s\n", (int)l, w, w[l + 1], cases[i].expr);
			w += l + 2;
			while (*w == ' ')
				w++;
		}
	}
	fclose(fp);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	mem = malloc(FLT_MEM);
	if (!mem)
		return 2;
	if (argc == 3 && (!strcmp(argv[1], "-d") || !strcmp(argv[1], "-e"))) {
		char err[512];
		struct flt_info info;
		__u32 n;
		int rc = argv[1][1] == 'd' ?
			 flt_cbpf(argv[2], &names, 1, mem, FLT_MEM, cprog, FLT_MAX_CBPF,
				  &n, err, sizeof(err)) :
			 flt_compile(argv[2], &names, mem, FLT_MEM, prog, FLT_MAX_INSNS,
				     &info, err, sizeof(err));

		if (rc) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		if (argv[1][1] == 'd') {
			print_cbpf(cprog, n);
		} else {
			printf("# %u instructions, %u frame bytes read, flags %#x\n",
			       info.cnt, info.bytes, info.flags);
			print_ebpf(prog, info.cnt);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "-r")) {
		unsigned long long st = strtoull(argv[2], NULL, 0);
		long n = strtol(argv[3], NULL, 0), k;
		char expr[4096];

		for (k = 0; k < n; k++) {
			rx_expr(expr, sizeof(expr), &st);
			puts(expr);
		}
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--pcap"))
		return write_pcaps(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		table_case(&cases[i]);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		error_case(&errs[i]);
	limit_cases();
	random_cases();
	live_cases();
	garbage_cases();
	free(mem);
	return failed;
}
