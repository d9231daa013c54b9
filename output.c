// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - event formatting (see output.h).
 *
 * Text follows tcpdump -n -S: "HH:MM:SS.uuuuuu IP a.b.c.d.p > ...: Flags
 * [S.], seq A[:B], ack N, win W, length L".  JSON has the same fields,
 * numbers as numbers, one object per line.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "decode.h"
#include "output.h"

/* The longest event line is well under this; flush before it could not fit. */
#define LINE_MAX_LEN	2048

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

static char *put_u64(char *p, __u64 v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = '0' + v % 10;
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* v as exactly width digits, zero-padded. */
static char *put_fixed(char *p, __u64 v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--, v /= 10)
		p[i] = '0' + v % 10;
	return p + width;
}

static char *put_addr(char *p, const struct ti_view *e, const __u8 *a)
{
	char s[INET6_ADDRSTRLEN];
	int i;

	if (e->family == 6) {
		inet_ntop(AF_INET6, a, s, sizeof(s));
		return put_str(p, s);
	}
	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_u64(p, a[i]);
	}
	return p;
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

/* tcpdump's option list: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". */
static char *put_opts_text(char *p, const __u8 *b, __u32 n)
{
	struct tcp_opt t;
	__u32 pos = 0, i;
	int r, first = 1;

	p = put_str(p, ", options [");
	while ((r = opt_next(b, n, &pos, &t)) > 0) {
		if (!first)
			*p++ = ',';
		first = 0;
		switch (t.kind) {
		case TCPOPT_EOL:
			p = put_str(p, "eol");
			break;
		case TCPOPT_NOP:
			p = put_str(p, "nop");
			break;
		case TCPOPT_MSS:
			p = put_str(p, "mss ");
			p = put_u64(p, t.len == 2 ? t.val[0] << 8 | t.val[1] : 0);
			break;
		case TCPOPT_WINDOW:
			p = put_str(p, "wscale ");
			p = put_u64(p, t.len == 1 ? t.val[0] : 0);
			break;
		case TCPOPT_SACK_PERM:
			p = put_str(p, "sackOK");
			break;
		case TCPOPT_SACK:
			p = put_str(p, "sack ");
			p = put_u64(p, t.len / 8);
			*p++ = ' ';
			for (i = 0; i + 8 <= t.len; i += 8) {
				*p++ = '{';
				p = put_u64(p, be32(t.val + i));
				*p++ = ':';
				p = put_u64(p, be32(t.val + i + 4));
				*p++ = '}';
			}
			break;
		case TCPOPT_TIMESTAMP:
			p = put_str(p, "TS val ");
			p = put_u64(p, t.len == 8 ? be32(t.val) : 0);
			p = put_str(p, " ecr ");
			p = put_u64(p, t.len == 8 ? be32(t.val + 4) : 0);
			break;
		case TCPOPT_MD5:
			p = put_str(p, "md5 ");
			for (i = 0; i < t.len; i++)
				p = put_hex8(p, t.val[i]);
			break;
		default:
			p = put_str(p, "unknown-");
			p = put_u64(p, t.kind);
			p = put_str(p, " 0x");
			for (i = 0; i < t.len; i++)
				p = put_hex8(p, t.val[i]);
		}
	}
	if (r < 0)
		p = put_str(p, first ? "bad opt" : ",bad opt");
	*p++ = ']';
	return p;
}

/* The text of second sec (see struct out), from the cache if it can. */
static char *put_second(struct out *o, char *p, time_t sec)
{
	struct tm tm;
	char *t = o->sec_txt;

	if (sec != o->sec) {
		if (o->fmt == OUT_JSON) {
			gmtime_r(&sec, &tm);
			t = put_fixed(t, tm.tm_year + 1900, 4);
			*t++ = '-';
			t = put_fixed(t, tm.tm_mon + 1, 2);
			*t++ = '-';
			t = put_fixed(t, tm.tm_mday, 2);
			*t++ = 'T';
		} else {
			localtime_r(&sec, &tm);
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

static char *put_text(struct out *o, char *p, const struct ti_view *e,
		      __u64 real_ns)
{
	const __u8 *opts;
	__u32 i, n;

	p = put_second(o, p, real_ns / 1000000000ULL);
	*p++ = '.';
	p = put_fixed(p, real_ns % 1000000000ULL / 1000, 6);
	if (o->show_iface) {	/* as tcpdump -i any: "eth0  In  IP ..." */
		*p++ = ' ';
		p = put_str(p, ifname(o, e->ifindex));
		p = put_str(p, "  In ");
	}
	for (i = 0; i < e->vlan_cnt && i < TI_VLAN_MAX; i++) {
		p = put_str(p, " vlan ");
		p = put_u64(p, e->vlan[i]);
		*p++ = ',';
	}
	p = put_str(p, e->family == 6 ? " IP6 " : " IP ");
	p = put_addr(p, e, e->saddr);
	if (e->ev_flags & TI_EV_FRAG) {
		/* tcpdump -n on a later fragment: no ports, the protocol. */
		p = put_str(p, " > ");
		p = put_addr(p, e, e->daddr);
		return put_str(p, ": ip-proto-6");
	}
	*p++ = '.';
	p = put_u64(p, e->sport);
	p = put_str(p, " > ");
	p = put_addr(p, e, e->daddr);
	*p++ = '.';
	p = put_u64(p, e->dport);
	p = put_str(p, ": Flags [");
	p = put_flags(p, e->tcp_flags);
	p = put_str(p, "]");
	/* As tcpdump: a bare ACK shows no sequence number. */
	if (e->payload_len || (e->tcp_flags & (TI_TCP_SYN | TI_TCP_FIN | TI_TCP_RST))) {
		p = put_str(p, ", seq ");
		p = put_u64(p, e->seq);
	}
	if (e->payload_len) {
		*p++ = ':';
		p = put_u64(p, (__u32)(e->seq + e->payload_len));
	}
	if (e->tcp_flags & TI_TCP_ACK) {
		p = put_str(p, ", ack ");
		p = put_u64(p, e->ack);
	}
	p = put_str(p, ", win ");
	p = put_u64(p, e->window);
	if (e->tcp_flags & TI_TCP_URG) {
		p = put_str(p, ", urg ");
		p = put_u64(p, e->urg_ptr);
	}
	opts = tcp_opts(e, &n);
	if (opts)
		p = put_opts_text(p, opts, n);
	p = put_str(p, ", length ");
	p = put_u64(p, e->payload_len);
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

static char *put_json(struct out *o, char *p, const struct ti_view *e,
		      __u64 real_ns)
{
	const __u8 *opts;
	__u32 i, n;

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
	p = put_str(put_key(p, "vlan"), "[");
	for (i = 0; i < e->vlan_cnt && i < TI_VLAN_MAX; i++) {
		if (i)
			*p++ = ',';
		p = put_u64(p, e->vlan[i]);
	}
	*p++ = ']';
	p = put_key(p, "proto");
	p = put_str(p, e->family == 6 ? "\"IP6\"" : "\"IP\"");
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
	if (!(e->ev_flags & TI_EV_FRAG)) {
		p = put_num(p, "sport", e->sport);
		p = put_num(p, "dport", e->dport);
		p = put_key(p, "flags");
		*p++ = '"';
		p = put_flags(p, e->tcp_flags);
		*p++ = '"';
		p = put_num(p, "tcp_flags", e->tcp_flags);
		p = put_num(p, "seq", e->seq);
		p = put_num(p, "ack", e->ack);
		p = put_num(p, "win", e->window);
		p = put_num(p, "urg_ptr", e->urg_ptr);
		p = put_num(p, "tcp_hlen", e->tcp_hlen);
		opts = tcp_opts(e, &n);
		if (opts)
			p = put_opts_json(p, opts, n);
	}
	p = put_num(p, "length", e->payload_len);
	p = put_num(p, "frame_len", e->pkt_len);
	p = put_num(p, "snap_len", e->snap_len);
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

/* tcpdump -x / -X: the frame from the IP header, 16 bytes a line. */
static void put_hexdump(struct out *o, const __u8 *b, __u32 n)
{
	__u32 off, i;
	char *p;

	for (off = 0; off < n; off += 16) {
		if (room(o, 96))
			return;
		p = o->buf + o->len;
		p = put_str(p, "\t0x");
		p = put_hex8(p, off >> 8);
		p = put_hex8(p, off);
		*p++ = ':';
		*p++ = ' ';
		for (i = 0; i < 16; i++) {
			if (!(i & 1))
				*p++ = ' ';
			if (off + i < n) {
				p = put_hex8(p, b[off + i]);
			} else if (o->hex > 1) {
				*p++ = ' ';
				*p++ = ' ';
			}
		}
		if (o->hex > 1) {
			*p++ = ' ';
			*p++ = ' ';
			for (i = 0; i < 16 && off + i < n; i++)
				*p++ = b[off + i] >= 0x20 && b[off + i] < 0x7f ?
				       b[off + i] : '.';
		}
		*p++ = '\n';
		o->len = p - o->buf;
	}
}

int out_event(struct out *o, const void *rec, __u32 len, __u64 ts_ns)
{
	struct ti_view v;
	__u64 real_ns;
	char *p;

	if (ev_decode(rec, len, &v))
		return o->err;	/* not a record of ours */
	real_ns = ts_ns ? ts_ns : v.ts_ns + o->mono_to_real;
	if (room(o, o->ev_cnt < OUT_EV_MAX ? LINE_MAX_LEN : sizeof(o->buf)))
		return o->err;
	p = o->buf + o->len;
	p = o->fmt == OUT_JSON ? put_json(o, p, &v, real_ns) : put_text(o, p, &v, real_ns);
	*p++ = '\n';
	o->len = p - o->buf;
	if (o->hex && o->fmt == OUT_TEXT && v.snap_len > v.l3_off)
		put_hexdump(o, v.bytes + v.l3_off, v.snap_len - v.l3_off);
	/* Its end (a hex dump may have flushed its start already). */
	if (!o->err)
		o->ev_end[o->ev_cnt++] = o->len;
	return o->err;
}
