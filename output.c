// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - event formatting (see output.h).
 *
 * Text is tcpdump -n's line (print.c) after tcpdump's time stamp, then,
 * with -v, the payload's HTTP or TLS summary (httpsum.c, tls.c), and
 * tcpdump's -x, -X or -A dump.  JSON has the same fields, numbers as
 * numbers, one object per line, and the summaries always.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "decode.h"
#include "httpsum.h"
#include "output.h"
#include "tls.h"

void out_init(struct out *o, int fd, enum out_format fmt)
{
	struct timespec mono, real;

	o->fd = fd;
	o->fmt = fmt;
	o->err = 0;
	o->len = 0;
	o->ev_cnt = 0;
	o->written = 0;
	o->sec = -1;
	o->if_cnt = 0;
	o->count = 0;
	o->ref_set = 0;
	o->pr.seq = &o->seq;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	o->mono_to_real = (real.tv_sec - mono.tv_sec) * 1000000000LL +
			  (real.tv_nsec - mono.tv_nsec);
}

int out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	__u32 i;

	while (!o->err && off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->err = n < 0 ? -errno : -EIO;
		else
			off += n;
	}
	for (i = 0; i < o->ev_cnt && o->ev_end[i] <= off; i++)
		;
	o->written += i;
	o->ev_cnt = 0;
	o->len = 0;
	return o->err;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

#define put_u64	pr_u64

#define put_fixed pr_fixed

static char *put_addr(char *p, const struct ti_view *e, const __u8 *a)
{
	return e->family == 6 ? pr_ip6(p, a) : pr_ip4(p, a);
}

/* tcpdump's flag letters, in tcpdump's order. */
static char *put_flags(char *p, __u8 f)
{
	static const char letter[8] = { 'F', 'S', 'R', 'P', '.', 'U', 'E', 'W' };
	int i;

	if (!f)
		return put_str(p, "none");
	for (i = 0; i < 8; i++)
		if (f & (1 << i))
			*p++ = letter[i];
	return p;
}

static const char *ifname(struct out *o, int ifindex)
{
	int i;

	for (i = 0; i < o->if_cnt; i++)
		if (o->ifs[i].ifindex == ifindex)
			return o->ifs[i].name;
	/* Full: reuse the last slot (more interfaces than anyone captures on). */
	i = o->if_cnt < OUT_IF_CACHE ? o->if_cnt++ : OUT_IF_CACHE - 1;
	o->ifs[i].ifindex = ifindex;
	if (!if_indextoname(ifindex, o->ifs[i].name))
		o->ifs[i].name[0] = 0;
	return o->ifs[i].name;
}

/* TCP option kinds (RFC 9293, 7323, 2018). */
enum {
	TCPOPT_EOL, TCPOPT_NOP, TCPOPT_MSS, TCPOPT_WINDOW, TCPOPT_SACK_PERM,
	TCPOPT_SACK, TCPOPT_TIMESTAMP = 8, TCPOPT_MD5 = 19,
};

/* TCP options: kind, length, value; 0 at the end, -1 if malformed. */
struct tcp_opt {
	__u8 kind;
	__u8 len;		/* value bytes */
	const __u8 *val;
};

static int opt_next(const __u8 *p, __u32 n, __u32 *pos, struct tcp_opt *t)
{
	if (*pos >= n)
		return 0;
	t->kind = p[*pos];
	t->val = p + *pos + 1;
	t->len = 0;
	if (t->kind == TCPOPT_EOL || t->kind == TCPOPT_NOP) {
		/* Nothing follows the end of the list (tcpdump stops too). */
		*pos = t->kind == TCPOPT_EOL ? n : *pos + 1;
		return 1;
	}
	if (*pos + 1 >= n || p[*pos + 1] < 2 || *pos + p[*pos + 1] > n)
		return -1;
	t->len = p[*pos + 1] - 2;
	t->val = p + *pos + 2;
	*pos += p[*pos + 1];
	return 1;
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The option bytes of e, if the bytes hold all of them. */
static const __u8 *tcp_opts(const struct ti_view *e, __u32 *n)
{
	*n = e->tcp_hlen > 20 ? e->tcp_hlen - 20 : 0;
	if (!*n || (__u32)e->l4_off + e->tcp_hlen > e->bytes_len)
		return NULL;
	return e->bytes + e->l4_off + 20;
}

static char *put_hex8(char *p, __u8 v)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = hex[v >> 4];
	*p++ = hex[v & 15];
	return p;
}

/* The text of second sec (see struct out), from the cache if it can. */
static char *put_second(struct out *o, char *p, time_t sec)
{
	struct tm tm;
	char *t = o->sec_txt;

	if (sec != o->sec) {
		if (o->fmt == OUT_JSON)
			gmtime_r(&sec, &tm);
		else
			localtime_r(&sec, &tm);
		if (o->fmt == OUT_JSON || o->tflag == 4) {
			t = put_fixed(t, tm.tm_year + 1900, 4);
			*t++ = '-';
			t = put_fixed(t, tm.tm_mon + 1, 2);
			*t++ = '-';
			t = put_fixed(t, tm.tm_mday, 2);
			*t++ = o->fmt == OUT_JSON ? 'T' : ' ';
		}
		t = put_fixed(t, tm.tm_hour, 2);
		*t++ = ':';
		t = put_fixed(t, tm.tm_min, 2);
		*t++ = ':';
		t = put_fixed(t, tm.tm_sec, 2);
		o->sec_len = t - o->sec_txt;
		o->sec = sec;
	}
	memcpy(p, o->sec_txt, o->sec_len);
	return p + o->sec_len;
}

/* HH:MM:SS of a number of seconds (as gmtime() gives them). */
static char *put_hms(char *p, __u64 sec)
{
	p = put_fixed(p, sec / 3600 % 24, 2);
	*p++ = ':';
	p = put_fixed(p, sec / 60 % 60, 2);
	*p++ = ':';
	return put_fixed(p, sec % 60, 2);
}

/* tcpdump's time stamp for -t given tflag times, and its space. */
static char *put_stamp(struct out *o, char *p, __u64 real_ns)
{
	__u64 us = real_ns / 1000, sec = us / 1000000, d;
	int neg;

	switch (o->tflag) {
	case 1:
		return p;
	case 3:
	case 5:
		if (!o->ref_set) {
			o->ref_ns = us;
			o->ref_set = 1;
		}
		neg = us < o->ref_ns;
		d = neg ? o->ref_ns - us : us - o->ref_ns;
		*p++ = neg ? '-' : ' ';
		if (o->tflag == 3)
			o->ref_ns = us;
		sec = d / 1000000;
		us = d;
		if (sec & 0x80000000)
			break;
		p = put_hms(p, sec);
		break;
	default:
		if (sec & 0x80000000)
			break;
		if (o->tflag == 2)
			p = put_u64(p, sec);
		else
			p = put_second(o, p, sec);
		break;
	}
	if (sec & 0x80000000) {
		p = put_str(p, "[Error converting time] ");
		return p;
	}
	*p++ = '.';
	p = put_fixed(p, us % 1000000, 6);
	*p++ = ' ';
	return p;
}

/* A string of the bytes, printable as they are or '.'. */
static char *put_shown(char *p, const char *s, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		*p++ = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '.';
	return p;
}

/* The HTTP or TLS summary of a payload's first n bytes at b, after
 * ": " (text, with -v); p unchanged if there is none. */
static char *put_l7_text(char *p, const __u8 *b, __u32 n)
{
	struct http_sum h;
	struct tls_sum t;
	const char *v;
	__u32 i;

	if (http_sum(b, n, &h)) {
		p = put_str(p, ": HTTP: ");
		if (h.request) {
			p = put_shown(p, h.method, h.method_len);
			*p++ = ' ';
			p = put_shown(p, h.target, h.target_len);
			if (h.version) {
				*p++ = ' ';
				p = put_shown(p, h.version, 8);
			}
			if (h.host) {
				p = put_str(p, " Host: ");
				p = put_shown(p, h.host, h.host_len);
			}
		} else {
			p = put_u64(p, h.status);
			if (h.reason_len) {
				*p++ = ' ';
				memcpy(p, h.reason, h.reason_len);
				p += h.reason_len;
			}
		}
	} else if (tls_sum(b, n, &t)) {
		p = put_str(p, t.type == 1 ? ": TLS ClientHello" : ": TLS ServerHello");
		if (t.sni) {
			p = put_str(p, " SNI ");
			p = put_shown(p, (const char *)t.sni, t.sni_len);
		}
		for (i = 0; i < t.alpn_cnt; i++) {
			p = put_str(p, i ? "," : " ALPN ");
			p = put_shown(p, (const char *)t.alpn[i].p, t.alpn[i].len);
		}
		if (t.version) {
			v = tls_version_name(t.version);
			if (v && v[0] == '1') {
				p = put_str(p, " v");
				p = put_str(p, v);
			} else if (v) {
				*p++ = ' ';
				p = put_str(p, v);
			} else {
				p = put_str(p, " version 0x");
				p = put_hex8(p, t.version >> 8);
				p = put_hex8(p, t.version);
			}
		}
	}
	return p;
}

static char *put_text(struct out *o, char *p, const struct ti_view *e,
		      __u64 real_ns, __u32 wire_len, struct pr_res *res)
{
	if (o->number) {
		/* tcpdump's "%5u  " */
		char num[20];
		int n = put_u64(num, o->count + 1) - num;

		while (n < 5)
			*p++ = ' ', n++;
		p = put_u64(p, o->count + 1);
		*p++ = ' ';
		*p++ = ' ';
	}
	p = put_stamp(o, p, real_ns);
	if (o->show_iface) {
		/* as tcpdump -i any: "%-5s %-3s ", "eth0  In  IP ..." */
		const char *name = ifname(o, e->ifindex), *dir = e->out ? "Out" : "In";
		int n;

		p = put_str(p, name);
		for (n = strlen(name); n < 5; n++)
			*p++ = ' ';
		*p++ = ' ';
		p = put_str(p, dir);
		for (n = strlen(dir); n < 3; n++)
			*p++ = ' ';
		*p++ = ' ';
	}
	p = pr_line(p, o->buf + o->len + OUT_LINE_MAX - 4096, &o->pr, e, wire_len, res);
	if (o->pr.verbose && res->done && res->payload_len)
		p = put_l7_text(p, e->bytes + res->payload_off, res->payload_len);
	/* beside another's XDP program: its verdict, with -v or when it
	 * is not to pass the packet on */
	if (e->verdict && (o->pr.verbose || e->verdict != TI_VERDICT(XDP_PASS))) {
		p = put_str(p, ", xdp: ");
		p = put_str(p, ev_verdict_name(e->verdict));
	}
	return p;
}

static char *put_key(char *p, const char *key)
{
	*p++ = ',';
	*p++ = '"';
	p = put_str(p, key);
	*p++ = '"';
	*p++ = ':';
	return p;
}

static char *put_num(char *p, const char *key, __u64 v)
{
	return put_u64(put_key(p, key), v);
}

/* JSON string of s: interface names may hold any byte but NUL and '/'. */
static char *put_jstr(char *p, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '"';
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			p = put_str(p, "\\u00");
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		} else {
			*p++ = ch;
		}
	}
	*p++ = '"';
	return p;
}

static char *put_bool(char *p, const char *key, int v)
{
	return put_str(put_key(p, key), v ? "true" : "false");
}

/*
 * Options as an object, e.g. {"mss":1460,"sack_perm":true,"ts_val":1,
 * "ts_ecr":0,"nop":1,"wscale":7}; other kinds as "kinds":[N,...];
 * "bad":true if the list does not parse to its end.
 */
static char *put_opts_json(char *p, const __u8 *b, __u32 n)
{
	struct tcp_opt t;
	__u32 pos = 0, i, nop = 0, other = 0;
	__u8 kinds[40];		/* a 40-byte option area holds no more */
	char *eol;
	int r;

	/* "eol" first, so that the keys after it all take a comma. */
	p = put_str(p, ",\"options\":{\"eol\":");
	eol = p;
	p = put_str(p, "false");
	while ((r = opt_next(b, n, &pos, &t)) > 0) {
		switch (t.kind) {
		case TCPOPT_EOL:
			memcpy(eol, "true ", 5);	/* same length: JSON space */
			break;
		case TCPOPT_NOP:
			nop++;
			break;
		case TCPOPT_MSS:
			if (t.len == 2)
				p = put_num(p, "mss", t.val[0] << 8 | t.val[1]);
			break;
		case TCPOPT_WINDOW:
			if (t.len == 1)
				p = put_num(p, "wscale", t.val[0]);
			break;
		case TCPOPT_SACK_PERM:
			p = put_bool(p, "sack_perm", 1);
			break;
		case TCPOPT_SACK:
			p = put_str(put_key(p, "sack"), "[");
			for (i = 0; i + 8 <= t.len; i += 8) {
				p = put_str(p, i ? ",[" : "[");
				p = put_u64(p, be32(t.val + i));
				*p++ = ',';
				p = put_u64(p, be32(t.val + i + 4));
				*p++ = ']';
			}
			*p++ = ']';
			break;
		case TCPOPT_TIMESTAMP:
			if (t.len == 8) {
				p = put_num(p, "ts_val", be32(t.val));
				p = put_num(p, "ts_ecr", be32(t.val + 4));
			}
			break;
		default:
			if (other < sizeof(kinds))
				kinds[other++] = t.kind;
			break;
		}
	}
	p = put_num(p, "nop", nop);
	if (other) {
		p = put_str(put_key(p, "kinds"), "[");
		for (i = 0; i < other; i++) {
			if (i)
				*p++ = ',';
			p = put_u64(p, kinds[i]);
		}
		*p++ = ']';
	}
	p = put_bool(p, "bad", r < 0);
	*p++ = '}';
	return p;
}

/* JSON string of n bytes at s. */
static char *put_jbytes(char *p, const char *s, __u32 n)
{
	static const char hex[] = "0123456789abcdef";
	__u32 i;

	*p++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if (ch == '"' || ch == '\\') {
			*p++ = '\\';
			*p++ = ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			p = put_str(p, "\\u00");
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		} else {
			*p++ = ch;
		}
	}
	*p++ = '"';
	return p;
}

static char *put_jkey_bytes(char *p, const char *key, const char *s, __u32 n)
{
	return put_jbytes(put_key(p, key), s, n);
}

/* "http" or "tls": the summary of a payload's first n bytes at b. */
static char *put_l7_json(char *p, const __u8 *b, __u32 n)
{
	struct http_sum h;
	struct tls_sum t;
	const char *v;
	__u32 i;

	if (http_sum(b, n, &h)) {
		p = put_str(put_key(p, "http"), "{");
		if (h.request) {
			p = put_jbytes(put_str(p, "\"method\":"), h.method, h.method_len);
			p = put_jkey_bytes(p, "target", h.target, h.target_len);
			if (h.version)
				p = put_jkey_bytes(p, "version", h.version, 8);
			if (h.host)
				p = put_jkey_bytes(p, "host", h.host, h.host_len);
		} else {
			p = put_jbytes(put_str(p, "\"version\":"), h.version, 8);
			p = put_num(p, "status", h.status);
			p = put_jkey_bytes(p, "reason", h.reason, h.reason_len);
		}
		*p++ = '}';
	} else if (tls_sum(b, n, &t)) {
		p = put_str(put_key(p, "tls"), t.type == 1 ? "{\"hello\":\"client\"" :
							      "{\"hello\":\"server\"");
		if (t.version) {
			v = tls_version_name(t.version);
			p = put_key(p, "version");
			if (v) {
				*p++ = '"';
				p = put_str(p, v);
				*p++ = '"';
			} else {
				p = put_str(p, "\"0x");
				p = put_hex8(p, t.version >> 8);
				p = put_hex8(p, t.version);
				*p++ = '"';
			}
		}
		if (t.sni)
			p = put_jkey_bytes(p, "sni", (const char *)t.sni, t.sni_len);
		if (t.alpn_cnt) {
			p = put_str(put_key(p, "alpn"), "[");
			for (i = 0; i < t.alpn_cnt; i++) {
				if (i)
					*p++ = ',';
				p = put_jbytes(p, (const char *)t.alpn[i].p, t.alpn[i].len);
			}
			*p++ = ']';
		}
		if (t.type == 2 && t.cipher) {
			p = put_str(put_key(p, "cipher"), "\"0x");
			p = put_hex8(p, t.cipher >> 8);
			p = put_hex8(p, t.cipher);
			*p++ = '"';
		}
		p = put_bool(p, "cut", t.cut);
		*p++ = '}';
	}
	return p;
}

static char *put_json(struct out *o, char *p, const struct ti_view *e,
		      __u64 real_ns, __u32 wire_len)
{
	struct seq_rel rel;
	const __u8 *opts;
	__u32 i, n, off, end;

	p = put_str(p, "{\"ts\":\"");
	p = put_second(o, p, real_ns / 1000000000ULL);
	*p++ = '.';
	p = put_fixed(p, real_ns % 1000000000ULL, 9);
	p = put_str(p, "Z\"");
	p = put_num(p, "ts_ns", real_ns);
	p = put_key(p, "iface");
	p = put_jstr(p, ifname(o, e->ifindex));
	p = put_num(p, "ifindex", e->ifindex);
	p = put_num(p, "rx_queue", e->rx_queue);
	p = put_str(put_key(p, "dir"), e->out ? "\"out\"" : "\"in\"");
	if (e->verdict) {
		p = put_key(p, "xdp_action");
		p = put_jstr(p, ev_verdict_name(e->verdict));
	}
	p = put_str(put_key(p, "vlan"), "[");
	for (i = 0; i < e->vlan_cnt && i < TI_VLAN_MAX; i++) {
		if (i)
			*p++ = ',';
		p = put_u64(p, e->vlan[i]);
	}
	*p++ = ']';
	p = put_key(p, "proto");
	p = put_str(p, e->family == 6 ? "\"IP6\"" : "\"IP\"");
	if (e->reason) {
		p = put_key(p, "malformed");
		p = put_jstr(p, ev_reason_name(e->reason));
	}
	if (!(e->have & TI_HAVE_IP))
		goto frame;
	p = put_key(p, "src");
	*p++ = '"';
	p = put_addr(p, e, e->saddr);
	*p++ = '"';
	p = put_key(p, "dst");
	*p++ = '"';
	p = put_addr(p, e, e->daddr);
	*p++ = '"';
	p = put_num(p, "ttl", e->ttl);
	p = put_num(p, "tos", e->tos);
	p = put_num(p, "ip_len", e->ip_len);
	if (e->family == 4) {
		p = put_num(p, "ip_id", e->ip_id);
		p = put_bool(p, "df", e->ev_flags & TI_EV_DF);
	} else {
		p = put_num(p, "flow_label", e->flow_label);
		p = put_num(p, "ext_hdrs", e->ext_cnt);
	}
	if (e->family == 4 || (e->ev_flags & TI_EV_V6FRAG)) {
		p = put_bool(p, "mf", e->ev_flags & TI_EV_MF);
		p = put_num(p, "frag_off", e->frag_off);
	}
	if (e->ev_flags & TI_EV_V6FRAG)
		p = put_num(p, "frag_id", e->frag_id);
	p = put_bool(p, "fragment", e->ev_flags & TI_EV_FRAG);
	if (e->have & TI_HAVE_TCP) {
		p = put_num(p, "sport", e->sport);
		p = put_num(p, "dport", e->dport);
		p = put_key(p, "flags");
		*p++ = '"';
		p = put_flags(p, e->tcp_flags);
		*p++ = '"';
		p = put_num(p, "tcp_flags", e->tcp_flags);
		p = put_num(p, "seq", e->seq);
		p = put_num(p, "ack", e->ack);
		/* tcpdump's relative numbers, where it would show them */
		if ((e->tcp_flags & TI_TCP_ACK) && e->tcp_hlen >= 20) {
			seq_rel(&o->seq, e->family, e->saddr, e->daddr, e->sport,
				e->dport, e->seq, e->ack, e->tcp_flags, &rel);
			if (rel.known) {
				p = put_num(p, "seq_rel", rel.seq);
				p = put_num(p, "ack_rel", rel.ack);
			}
		}
		p = put_num(p, "win", e->window);
		p = put_num(p, "urg_ptr", e->urg_ptr);
		p = put_num(p, "tcp_hlen", e->tcp_hlen);
		opts = tcp_opts(e, &n);
		if (opts)
			p = put_opts_json(p, opts, n);
	}
	p = put_num(p, "length", e->payload_len);
frame:
	p = put_num(p, "frame_len", wire_len);
	p = put_num(p, "snap_len", e->snap_len);
	if (!e->reason && (e->have & TI_HAVE_TCP) && e->payload_len &&
	    !(e->tcp_flags & TI_TCP_RST)) {
		/* the payload's first bytes, within the IP length (a RST's
		 * data is no stream's: tcpdump -v prints it as such) */
		off = e->l4_off + e->tcp_hlen;
		end = e->l3_off + e->ip_len < e->bytes_len ? e->l3_off + e->ip_len :
		      e->bytes_len;
		if (off < end)
			p = put_l7_json(p, e->bytes + off, end - off);
	}
	*p++ = '}';
	return p;
}

/* Room for n more bytes, flushing if needed; 0 or the write error. */
static int room(struct out *o, size_t n)
{
	if (o->len + n > sizeof(o->buf))
		return out_flush(o);
	return o->err;
}

/*
 * tcpdump -x / -X: n bytes at b, 16 a line: "\t0x0010:  4500 0034 ...",
 * -X with the bytes after, each itself if it is a graphic character,
 * else '.'; -x without anything after the last byte.
 */
static void put_hexdump(struct out *o, const __u8 *b, __u32 n)
{
	__u32 off, i, k;
	char *p, *h;

	for (off = 0; off < n; off += 16) {
		if (room(o, 96))
			return;
		p = o->buf + o->len;
		p = put_str(p, "\t0x");
		p = put_hex8(p, off >> 8);
		p = put_hex8(p, off);
		*p++ = ':';
		*p++ = ' ';
		h = p;
		for (i = 0; i < 16 && off + i < n; i++) {
			if (!(i & 1))
				*p++ = ' ';
			p = put_hex8(p, b[off + i]);
		}
		if (o->hex > 1) {
			for (k = p - h; k < 40; k++)
				*p++ = ' ';
			*p++ = ' ';
			*p++ = ' ';
			for (i = 0; i < 16 && off + i < n; i++)
				*p++ = b[off + i] > 0x20 && b[off + i] < 0x7f ?
				       b[off + i] : '.';
		}
		*p++ = '\n';
		o->len = p - o->buf;
	}
}

/* tcpdump -A: n bytes at b as text, then a newline.  A CR is dropped
 * before a LF (or near the end), else a '.', as is anything that is not
 * graphic, a space, a tab or a LF. */
static void put_asciidump(struct out *o, const __u8 *b, __u32 n)
{
	__u32 i;
	__u8 c;
	char *p;

	for (i = 0; i < n; ) {
		if (room(o, 4096 + 1))
			return;
		p = o->buf + o->len;
		for (; i < n && p < o->buf + o->len + 4096; i++) {
			c = b[i];
			if (c == '\r') {
				if (n - i - 1 > 1 && b[i + 1] != '\n')
					*p++ = '.';
			} else {
				*p++ = (c > 0x20 && c < 0x7f) || c == '\t' || c == ' ' ||
				       c == '\n' ? c : '.';
			}
		}
		o->len = p - o->buf;
	}
	if (!room(o, 1))
		o->buf[o->len++] = '\n';
}

int out_event(struct out *o, const void *rec, __u32 len, const struct out_meta *m)
{
	struct pr_res res;
	struct ti_view v;
	__u64 real_ns;
	__u32 wire;
	char *p;

	if (ev_decode(rec, len, &v))
		return o->err;	/* not a record of ours */
	real_ns = m ? m->ts_ns : v.ts_ns + o->mono_to_real;
	wire = m ? m->wire_len : v.pkt_len;
	/* room for a line, or (events' ends all taken) a flush first */
	if (room(o, o->ev_cnt < OUT_EV_MAX ? OUT_LINE_MAX : sizeof(o->buf)))
		return o->err;
	p = o->buf + o->len;
	if (o->fmt == OUT_JSON) {
		p = put_json(o, p, &v, real_ns, wire);
	} else {
		p = put_text(o, p, &v, real_ns, wire, &res);
	}
	*p++ = '\n';
	o->len = p - o->buf;
	o->count++;
	if (o->fmt == OUT_TEXT && v.bytes_len > res.dump_off) {
		if (o->hex)
			put_hexdump(o, v.bytes + res.dump_off, v.bytes_len - res.dump_off);
		else if (o->ascii)
			put_asciidump(o, v.bytes + res.dump_off, v.bytes_len - res.dump_off);
	}
	/* Its end (a dump may have flushed its start already). */
	if (!o->err)
		o->ev_end[o->ev_cnt++] = o->len;
	if (o->line_buffered)
		out_flush(o);
	return o->err;
}
