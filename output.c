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
#include "output.h"

/* The longest event line is well under this; flush before it could not fit. */
#define LINE_MAX_LEN	512

void out_init(struct out *o, int fd, enum out_format fmt)
{
	struct timespec mono, real;

	o->fd = fd;
	o->fmt = fmt;
	o->err = 0;
	o->len = 0;
	o->hms_sec = -1;
	o->ifindex = -1;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	o->mono_to_real = (real.tv_sec - mono.tv_sec) * 1000000000LL +
			  (real.tv_nsec - mono.tv_nsec);
}

int out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	while (!o->err && off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->err = n < 0 ? -errno : -EIO;
		else
			off += n;
	}
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

static char *put_addr(char *p, const struct ti_event *e, const __u8 *a)
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
	if (ifindex != o->ifindex) {
		if (!if_indextoname(ifindex, o->ifname))
			o->ifname[0] = 0;
		o->ifindex = ifindex;
	}
	return o->ifname;
}

static char *put_text(struct out *o, char *p, const struct ti_event *e,
		      __u64 real_ns)
{
	time_t sec = real_ns / 1000000000ULL;
	struct tm tm;

	if (sec != o->hms_sec) {
		localtime_r(&sec, &tm);
		put_fixed(o->hms, tm.tm_hour, 2);
		o->hms[2] = ':';
		put_fixed(o->hms + 3, tm.tm_min, 2);
		o->hms[5] = ':';
		put_fixed(o->hms + 6, tm.tm_sec, 2);
		o->hms_sec = sec;
	}
	p = put_str(p, o->hms);
	*p++ = '.';
	p = put_fixed(p, real_ns % 1000000000ULL / 1000, 6);
	if (e->ev_flags & TI_EV_VLAN) {
		p = put_str(p, " vlan ");
		p = put_u64(p, e->vlan);
		*p++ = ',';
	}
	p = put_str(p, e->family == 6 ? " IP6 " : " IP ");
	p = put_addr(p, e, e->saddr);
	*p++ = '.';
	p = put_u64(p, e->sport);
	p = put_str(p, " > ");
	p = put_addr(p, e, e->daddr);
	*p++ = '.';
	p = put_u64(p, e->dport);
	p = put_str(p, ": Flags [");
	p = put_flags(p, e->tcp_flags);
	p = put_str(p, "], seq ");
	p = put_u64(p, e->seq);
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

static char *put_json(struct out *o, char *p, const struct ti_event *e,
		      __u64 real_ns)
{
	time_t sec = real_ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	p = put_str(p, "{\"ts\":\"");
	p = put_fixed(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = put_fixed(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_fixed(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put_fixed(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_fixed(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_fixed(p, tm.tm_sec, 2);
	*p++ = '.';
	p = put_fixed(p, real_ns % 1000000000ULL, 9);
	p = put_str(p, "Z\"");
	p = put_num(p, "ts_ns", real_ns);
	p = put_key(p, "iface");
	p = put_jstr(p, ifname(o, e->ifindex));
	p = put_num(p, "ifindex", e->ifindex);
	p = put_num(p, "rx_queue", e->rx_queue);
	if (e->ev_flags & TI_EV_VLAN)
		p = put_num(p, "vlan", e->vlan);
	p = put_key(p, "proto");
	p = put_str(p, e->family == 6 ? "\"IP6\"" : "\"IP\"");
	p = put_key(p, "src");
	*p++ = '"';
	p = put_addr(p, e, e->saddr);
	*p++ = '"';
	p = put_num(p, "sport", e->sport);
	p = put_key(p, "dst");
	*p++ = '"';
	p = put_addr(p, e, e->daddr);
	*p++ = '"';
	p = put_num(p, "dport", e->dport);
	p = put_key(p, "flags");
	*p++ = '"';
	p = put_flags(p, e->tcp_flags);
	*p++ = '"';
	p = put_num(p, "tcp_flags", e->tcp_flags);
	p = put_num(p, "seq", e->seq);
	p = put_num(p, "ack", e->ack);
	p = put_num(p, "win", e->window);
	p = put_num(p, "tcp_hlen", e->tcp_hlen);
	p = put_num(p, "length", e->payload_len);
	p = put_num(p, "frame_len", e->pkt_len);
	*p++ = '}';
	return p;
}

int out_event(struct out *o, const struct ti_event *e)
{
	__u64 real_ns = e->ts_ns + o->mono_to_real;
	char *p;

	if (o->len + LINE_MAX_LEN > sizeof(o->buf) && out_flush(o))
		return o->err;
	p = o->buf + o->len;
	p = o->fmt == OUT_JSON ? put_json(o, p, e, real_ns) :
				 put_text(o, p, e, real_ns);
	*p++ = '\n';
	o->len = p - o->buf;
	return o->err;
}
