// SPDX-License-Identifier: GPL-2.0
/*
 * api.c - the endpoints of `tcpinspect serve` (see api.h).
 *
 * Connections come from the flow table as flows.c formats them for
 * `tcpinspect flows --json`, so that both say the same; /inspect puts
 * the busiest connection's fields at the top level (the API's original
 * contract: { "source", "destination", ... }) and all of them, busiest
 * first, in "connections".  Metric names follow Prometheus' conventions
 * (counters end in _total) and pass `promtool check metrics`.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "api.h"
#include "export.h"
#include "blob.h"

#ifndef VERSION
#define VERSION "dev"
#endif

/* openapi.json, embedded by embed.S */

static __u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

int api_init(struct api *a, const struct inspector *in, const struct srv *srv,
	     const char *filter)
{
	memset(a, 0, sizeof(*a));
	a->in = in;
	a->srv = srv;
	a->filter = filter && *filter ? filter : NULL;
	a->room = in->flows_max ? in->flows_max : 1;
	a->cur = a->building = -1;
	/* One snapshot's room now: a table too large shows at the start. */
	a->snap[0].e = calloc(a->room, sizeof(*a->snap[0].e));
	if (!a->snap[0].e)
		return -ENOMEM;
	a->start_ns = a->tick_ns = mono_ns();
	a->mono_to_real = insp_mono_to_real();
	return 0;
}

void api_add_iface(struct api *a, const char *name, int ifindex)
{
	struct api_iface *f;

	if (a->if_cnt >= API_IF_MAX)
		return;
	f = &a->ifs[a->if_cnt++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->ifindex = ifindex;
}

void api_iface_gone(struct api *a, int ifindex)
{
	int i;

	for (i = 0; i < a->if_cnt; i++)
		if (a->ifs[i].ifindex == ifindex)
			a->ifs[i].gone = 1;
}

void api_free(struct api *a)
{
	int i, c;

	for (i = 0; i < API_SNAP_CNT; i++) {
		free(a->snap[i].e);
		for (c = 0; c < FLOW_COL_CNT; c++)
			free(a->snap[i].order[c]);
		free(a->snap[i].ix_head);
		free(a->snap[i].ix_ent);
		free(a->snap[i].ix_next);
	}
	memset(a->snap, 0, sizeof(a->snap));
}

int api_event(void *arg, const void *rec, __u32 len)
{
	const struct ti_event *e = rec;
	struct api *a = arg;
	int i;

	if (len < sizeof(*e))
		return 0;
	for (i = 0; i < a->if_cnt; i++)
		if (a->ifs[i].ifindex == (int)e->ifindex) {
			a->ifs[i].packets++;
			a->ifs[i].bytes += e->pkt_len;
			break;
		}
	return 0;
}

void api_tick(struct api *a, __u64 now)
{
	double dt = (now - a->tick_ns) / 1e9;
	int i;

	if (dt <= 0)
		return;
	for (i = 0; i < a->if_cnt; i++) {
		struct api_iface *f = &a->ifs[i];

		f->pps = (f->packets - f->last_packets) / dt;
		f->bps = (f->bytes - f->last_bytes) / dt;
		f->last_packets = f->packets;
		f->last_bytes = f->bytes;
	}
	a->tick_ns = now;
}

/* --- helpers ------------------------------------------------------------ */

static int path_is(const struct http_req *r, const char *p)
{
	return r->path.len == strlen(p) && !memcmp(r->path.p, p, r->path.len);
}

/* s as a JSON string's content (quotes and controls escaped). */
static void put_jstr(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			sb_printf(b, "\\u%04x", *s);
		else
			sb_put(b, s, 1);
	}
}

/* --- snapshots of the flow table --------------------------------------- */

/* A snapshot read whole now (the first one: nothing older to answer from). */
static void snap_read(struct api *a, int i)
{
	struct api_snap *s = &a->snap[i];

	s->mono_to_real = insp_mono_to_real();	/* the clock may have been set */
	s->cnt = insp_flows_read(a->in, s->e, a->room);
	s->taken_ns = mono_ns();
	s->ordered = 0;
	s->indexed = 0;
	a->cur = i;
	a->table_reads++;
}

/*
 * The newest snapshot.  Once it is API_SNAP_NS old, a new one is read
 * into a slot no answer is being streamed from: in steps (api_step),
 * the older one answering meanwhile, if that is younger than twice
 * API_SNAP_NS (answers keep coming); else at once (the first request
 * after a quiet time gets a fresh table).  NULL only if none could ever
 * be read (no memory).
 */
static struct api_snap *snap_get(struct api *a)
{
	struct api_snap *s = a->cur >= 0 ? &a->snap[a->cur] : NULL;
	__u64 age = s ? mono_ns() - s->taken_ns : 0;
	int k, i, now = !s || age >= 2 * API_SNAP_NS;

	if (s && (a->building >= 0 || age < API_SNAP_NS))
		return s;
	/* The others first; the newest itself only to be read at once. */
	for (k = 1; k <= API_SNAP_CNT; k++) {
		i = (a->cur + k + API_SNAP_CNT) % API_SNAP_CNT;
		if (a->snap[i].refs || (i == a->cur && !now))
			continue;
		if (!a->snap[i].e && !(a->snap[i].e = calloc(a->room, sizeof(*s->e))))
			continue;
		if (now) {
			snap_read(a, i);
			return &a->snap[i];
		}
		memset(&a->walk, 0, sizeof(a->walk));
		a->snap[i].mono_to_real = insp_mono_to_real();
		a->building = i;
		break;
	}
	return s;
}

int api_step(struct api *a)
{
	struct api_snap *s;

	if (a->building < 0)
		return 0;
	s = &a->snap[a->building];
	if (insp_flows_step(a->in, &a->walk, s->e, a->room, API_STEP) > 0)
		return 1;
	s->cnt = a->walk.n;
	s->taken_ns = mono_ns();
	s->ordered = 0;
	s->indexed = 0;
	a->cur = a->building;
	a->building = -1;
	a->table_reads++;
	return 0;
}

/* The snapshot's entries in col's order, sorted once per snapshot;
 * NULL without memory for it. */
static const __u32 *snap_order(struct api *a, struct api_snap *s, int col)
{
	__u32 *tmp, i;

	if (!s->order[col] && !(s->order[col] = malloc(a->room * sizeof(__u32))))
		return NULL;
	if (!(s->ordered & 1u << col)) {
		tmp = malloc(a->room * sizeof(__u32));
		if (!tmp)
			return NULL;
		for (i = 0; i < s->cnt; i++)
			s->order[col][i] = i;
		flow_order(s->e, s->order[col], s->cnt, col, tmp);
		free(tmp);
		s->ordered |= 1u << col;
	}
	return s->order[col];
}

/* A bucket of the address index: FNV-1a of the family and the address. */
static __u32 addr_hash(int family, const __u8 *addr, __u32 mask)
{
	__u32 h = 2166136261u ^ family;
	int i;

	for (i = 0; i < (family == 4 ? 4 : 16); i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & mask;
}

static void index_add(struct api_snap *s, __u32 *used, __u32 ent, int family,
		      const __u8 *addr)
{
	__u32 b = addr_hash(family, addr, s->ix_mask);

	s->ix_ent[*used] = ent;
	s->ix_next[*used] = s->ix_head[b];
	s->ix_head[b] = ++*used;
}

/*
 * Each address of the snapshot to its entries: a chain per hash bucket
 * of (entry, next) slots, numbered from 1.  Made once a snapshot is
 * asked for an address; 0, or -ENOMEM.
 */
static int snap_index(struct api *a, struct api_snap *s)
{
	const struct ti_flow_key *k;
	__u32 used = 0, buckets, i;

	if (s->indexed)
		return 0;
	for (buckets = 1024; buckets < 2 * a->room; buckets *= 2)
		;
	if (!s->ix_head) {
		s->ix_head = malloc(buckets * sizeof(__u32));
		s->ix_ent = malloc(2 * a->room * sizeof(__u32));
		s->ix_next = malloc(2 * a->room * sizeof(__u32));
		if (!s->ix_head || !s->ix_ent || !s->ix_next) {
			free(s->ix_head);
			free(s->ix_ent);
			free(s->ix_next);
			s->ix_head = s->ix_ent = s->ix_next = NULL;
			return -ENOMEM;
		}
	}
	s->ix_mask = buckets - 1;
	memset(s->ix_head, 0, buckets * sizeof(__u32));
	for (i = 0; i < s->cnt; i++) {
		k = &s->e[i].key;
		index_add(s, &used, i, k->family, k->saddr);
		if (memcmp(k->saddr, k->daddr, k->family == 4 ? 4 : 16))
			index_add(s, &used, i, k->family, k->daddr);
	}
	s->indexed = 1;
	return 0;
}

/*
 * Rows streamed from a snapshot: those of order[pos..end), each a flow
 * object, comma-separated, then the tail.  own: an order of the
 * stream's own (/inspect's matches), counted in the api's stream_mem.
 */
struct api_stream {
	struct api *a;
	struct api_snap *s;
	const __u32 *order;
	__u32 *own;
	size_t pos, end;
	size_t rows;			/* written so far */
	const char *tail;
};

/* The next entry of the stream, or NULL at its end. */
static const struct flow_entry *stream_next(struct api_stream *st)
{
	return st->pos < st->end ? &st->s->e[st->order[st->pos++]] : NULL;
}

static int stream_more(void *arg, struct sbuf *b)
{
	struct api_stream *st = arg;
	const struct flow_entry *e = NULL;
	char line[FLOW_LINE_LEN];
	size_t n, start = b->len;

	while (b->len - start < SRV_CHUNK && !b->err && (e = stream_next(st))) {
		if (st->rows++)
			sb_put(b, ",", 1);
		n = flow_json(line, e, st->s->mono_to_real, 0);
		sb_put(b, line, n && line[n - 1] == '\n' ? n - 1 : n);
	}
	if (e)
		return 1;
	sb_str(b, st->tail);
	return 0;
}

static void stream_done(void *arg)
{
	struct api_stream *st = arg;

	st->s->refs--;
	if (st->own) {
		st->a->stream_mem -= st->end * sizeof(__u32);
		free(st->own);
	}
	free(st);
}

/*
 * Answer with st's rows after what resp->body holds: whole, if they
 * come to less than a few parts, else streamed.  st is taken.
 */
static void stream(struct srv_resp *resp, struct api_stream *st)
{
	st->s->refs++;
	while (resp->body.len < 4 * SRV_CHUNK && !resp->body.err)
		if (!stream_more(st, &resp->body)) {
			stream_done(st);
			return;
		}
	resp->more = stream_more;
	resp->done = stream_done;
	resp->more_arg = st;
}

/* --- the endpoints ------------------------------------------------------ */

static int has_addr(const struct ti_flow_key *k, int family, const __u8 *addr)
{
	size_t n = family == 4 ? 4 : 16;

	return k->family == family &&
	       (!memcmp(k->saddr, addr, n) || !memcmp(k->daddr, addr, n));
}

static void get_inspect(struct api *a, const struct http_req *r,
			struct srv_resp *resp)
{
	char ip[INET6_ADDRSTRLEN + 1], line[FLOW_LINE_LEN];
	struct api_stream *st = NULL;
	struct api_snap *s;
	__u8 addr[16] = { 0 };
	__u32 slot, m = 0, *tmp = NULL;
	int ret, family;
	size_t n;

	ret = http_query(&r->query, "ip", ip, sizeof(ip));
	if (ret == -ENOENT || ret == 0) {
		srv_error(resp, 400, "the query parameter ip is missing: /inspect?ip=ADDRESS");
		return;
	}
	if (ret > 0 && inet_pton(AF_INET, ip, addr) == 1) {
		family = 4;
	} else if (ret > 0 && inet_pton(AF_INET6, ip, addr) == 1) {
		family = 6;
	} else {
		srv_error(resp, 400, "the query parameter ip is not an IPv4 or IPv6 address");
		return;
	}
	s = snap_get(a);
	if (!s || snap_index(a, s))
		goto nomem;
	/* The address's entries (its hash bucket's, that is), busiest first. */
	for (slot = s->ix_head[addr_hash(family, addr, s->ix_mask)]; slot;
	     slot = s->ix_next[slot - 1])
		m += has_addr(&s->e[s->ix_ent[slot - 1]].key, family, addr);
	if (!m) {
		resp->status = 404;
		sb_printf(&resp->body,
			  "{\"error\":\"no connection of %s in the flow table\",\"status\":404,\"ip\":\"%s\",\"count\":0,\"connections\":[]}\n",
			  ip, ip);
		return;
	}
	if (a->stream_mem + m * sizeof(__u32) > API_STREAM_MEM)
		goto busy;
	st = calloc(1, sizeof(*st));
	tmp = malloc(m * sizeof(__u32));
	if (!st || !tmp || !(st->own = malloc(m * sizeof(__u32))))
		goto nomem;
	for (m = 0, slot = s->ix_head[addr_hash(family, addr, s->ix_mask)]; slot;
	     slot = s->ix_next[slot - 1])
		if (has_addr(&s->e[s->ix_ent[slot - 1]].key, family, addr))
			st->own[m++] = s->ix_ent[slot - 1];
	flow_order(s->e, st->own, m, FLOW_PACKETS, tmp);
	free(tmp);
	a->stream_mem += m * sizeof(__u32);
	st->a = a;
	st->s = s;
	st->order = st->own;
	st->end = m;
	st->tail = "]}\n";
	resp->status = 200;
	sb_printf(&resp->body, "{\"ip\":\"%s\",\"count\":%u,", ip, m);
	n = flow_json(line, &s->e[st->own[0]], s->mono_to_real, 0);
	if (n >= 3)	/* the busiest one's fields, without braces and newline */
		sb_put(&resp->body, line + 1, n - 3);
	sb_str(&resp->body, ",\"connections\":[");
	stream(resp, st);
	return;
busy:
	srv_error(resp, 503, "too many large answers under way, try again");
	return;
nomem:
	if (st)
		free(st->own);
	free(st);
	free(tmp);
	srv_error(resp, 503, "out of memory, try again");
}

static void get_flows(struct api *a, const struct http_req *r,
		      struct srv_resp *resp)
{
	char val[32], *end;
	unsigned long top = API_FLOWS_TOP;
	__u64 cnt[TI_CNT_MAX];
	struct api_stream *st;
	struct api_snap *s;
	const __u32 *order;
	int col = FLOW_PACKETS, ret;
	size_t shown;

	ret = http_query(&r->query, "top", val, sizeof(val));
	if (ret != -ENOENT) {
		top = ret > 0 ? strtoul(val, &end, 10) : 0;
		if (ret <= 0 || *end || !top || top > 100000000) {
			srv_error(resp, 400, "top: want a number of flows, more than 0");
			return;
		}
	}
	ret = http_query(&r->query, "sort", val, sizeof(val));
	if (ret != -ENOENT) {
		col = ret > 0 ? flow_col_parse(val) : -1;
		if (col < 0) {
			char why[128];

			snprintf(why, sizeof(why), "sort: want %s", flow_col_names);
			srv_error(resp, 400, why);
			return;
		}
	}
	s = snap_get(a);
	order = s ? snap_order(a, s, col) : NULL;
	st = order ? calloc(1, sizeof(*st)) : NULL;
	if (!st) {
		srv_error(resp, 503, "out of memory, try again");
		return;
	}
	insp_counters(a->in, cnt);
	shown = s->cnt < top ? s->cnt : top;
	resp->status = 200;
	sb_printf(&resp->body,
		  "{\"sort\":\"%s\",\"count\":%zu,\"total\":%zu,\"table_size\":%u,\"evicted\":%llu,\"flows\":[",
		  flow_col_name[col], shown, s->cnt, a->in->flows_max,
		  (unsigned long long)(cnt[TI_CNT_FLOW_NEW] > s->cnt ?
				       cnt[TI_CNT_FLOW_NEW] - s->cnt : 0));
	st->a = a;
	st->s = s;
	st->order = order;
	st->end = shown;
	st->tail = "]}\n";
	stream(resp, st);
}

/* Entries in the flow table, as of the newest snapshot. */
static size_t flows_now(struct api *a)
{
	struct api_snap *s = snap_get(a);

	return s ? s->cnt : 0;
}

static void get_stats(struct api *a, struct srv_resp *resp)
{
	__u64 cnt[TI_CNT_MAX];
	size_t n = flows_now(a);
	struct sbuf *b = &resp->body;
	int i, attached = 0;

	insp_counters(a->in, cnt);
	resp->status = 200;
	sb_put(b, "{", 1);
	for (i = 0; i < TI_CNT_MAX; i++)
		sb_printf(b, "\"%s\":%llu,", insp_counter_names[i],
			  (unsigned long long)cnt[i]);
	for (i = 0; i < a->if_cnt; i++)
		attached += !a->ifs[i].gone;
	if (a->ex)
		sb_printf(b, "\"export_records\":%llu,\"export_messages\":%llu,\"export_errors\":%llu,\"export_lost\":%llu,",
			  (unsigned long long)a->ex->records,
			  (unsigned long long)a->ex->messages,
			  (unsigned long long)a->ex->errors,
			  (unsigned long long)a->ex->evicted);
	sb_printf(b, "\"flows\":%zu,\"table_size\":%u,\"flow_table_reads\":%llu,\"uptime_seconds\":%.3f,\"http_requests\":%llu,\"interfaces_attached\":%d,\"filter\":\"",
		  n, a->in->flows_max, (unsigned long long)a->table_reads,
		  (mono_ns() - a->start_ns) / 1e9,
		  (unsigned long long)a->srv->requests, attached);
	if (a->filter)
		put_jstr(b, a->filter);
	sb_str(b, "\",\"interfaces\":[");
	for (i = 0; i < a->if_cnt; i++) {
		const struct api_iface *f = &a->ifs[i];

		sb_printf(b, "%s{\"name\":\"", i ? "," : "");
		put_jstr(b, f->name);
		sb_printf(b, "\",\"ifindex\":%d,\"gone\":%s,\"packets\":%llu,\"bytes\":%llu,\"packets_per_second\":%.1f,\"bytes_per_second\":%.1f}",
			  f->ifindex, f->gone ? "true" : "false",
			  (unsigned long long)f->packets,
			  (unsigned long long)f->bytes, f->pps, f->bps);
	}
	sb_str(b, "]}\n");
}

/* Prometheus label values: backslash, quote and newline escaped. */
static void put_label(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sb_str(b, "\\n");
		else
			sb_put(b, s, 1);
	}
}

static void metric_head(struct sbuf *b, const char *name, const char *type,
			const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void get_metrics(struct api *a, struct srv_resp *resp)
{
	static const struct {
		int idx;
		const char *name, *help;
	} counters[] = {
		{ TI_CNT_SEEN, "tcpinspect_packets_seen_total", "Packets the XDP program ran on." },
		{ TI_CNT_TCP, "tcpinspect_tcp_packets_total", "TCP segments with a complete header." },
		{ TI_CNT_MATCHED, "tcpinspect_packets_matched_total", "Packets that passed the filter (all of them without one)." },
		{ TI_CNT_FILTERED, "tcpinspect_packets_filtered_total", "Packets the filter rejected." },
		{ TI_CNT_FRAGMENT, "tcpinspect_fragments_total", "Later IP fragments of TCP, without a TCP header." },
		{ TI_CNT_EMITTED, "tcpinspect_events_total", "Events the program sent to tcpinspect." },
		{ TI_CNT_LOST, "tcpinspect_events_lost_total", "Events dropped because the ring buffer was full." },
		{ TI_CNT_FLOW_NEW, "tcpinspect_flows_created_total", "Entries created in the flow table." },
		{ TI_CNT_FLOW_FAIL, "tcpinspect_flow_update_failures_total", "Packets the flow table could not count." },
	};
	static const struct {
		int idx;
		const char *reason;
	} malformed[] = {
		{ TI_CNT_BAD_IHL, "bad_ip_header_length" },
		{ TI_CNT_BAD_DOFF, "bad_tcp_data_offset" },
		{ TI_CNT_BAD_LEN, "bad_ip_length" },
		{ TI_CNT_TRUNCATED, "truncated" },
		{ TI_CNT_BAD_EXT, "too_many_ipv6_extension_headers" },
		{ TI_CNT_BAD_VER, "bad_ip_version" },
	};
	static const struct {
		const char *name, *type, *help;
		size_t off;
		int is_rate;
	} per_if[] = {
		{ "tcpinspect_interface_packets_total", "counter", "TCP packets matched on the interface.", offsetof(struct api_iface, packets), 0 },
		{ "tcpinspect_interface_bytes_total", "counter", "Frame bytes of those packets.", offsetof(struct api_iface, bytes), 0 },
		{ "tcpinspect_interface_packets_per_second", "gauge", "Matched TCP packets per second over the last second.", offsetof(struct api_iface, pps), 1 },
		{ "tcpinspect_interface_bytes_per_second", "gauge", "Frame bytes per second over the last second.", offsetof(struct api_iface, bps), 1 },
	};
	const struct srv *s = a->srv;
	struct sbuf *b = &resp->body;
	static const __u32 le[TI_HS_BUCKETS] = TI_HS_LE_US;
	__u64 cnt[TI_CNT_MAX], h[TI_H_MAX], cum;
	size_t i, n = flows_now(a);
	int j;

	insp_counters(a->in, cnt);
	resp->status = 200;
	resp->type = "text/plain; version=0.0.4; charset=utf-8";
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		metric_head(b, counters[i].name, "counter", counters[i].help);
		sb_printf(b, "%s %llu\n", counters[i].name,
			  (unsigned long long)cnt[counters[i].idx]);
	}
	metric_head(b, "tcpinspect_packets_malformed_total", "counter",
		    "Packets with bad IP or TCP headers, by reason.");
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		sb_printf(b, "tcpinspect_packets_malformed_total{reason=\"%s\"} %llu\n",
			  malformed[i].reason,
			  (unsigned long long)cnt[malformed[i].idx]);
	/* TCP health in all, from the program's own counters (kept when
	 * the flow table forgets connections) */
	insp_health(a->in, h);
	metric_head(b, "tcpinspect_tcp_retransmissions_total", "counter",
		    "TCP retransmissions seen (fast and spurious included), both ways.");
	sb_printf(b, "tcpinspect_tcp_retransmissions_total %llu\n",
		  (unsigned long long)h[TI_H_RETRANS]);
	metric_head(b, "tcpinspect_tcp_handshake_rtt_seconds", "histogram",
		    "Handshake RTT of the connections seen: the first SYN to the ACK of the SYN-ACK.");
	for (j = 0, cum = 0; j < TI_HS_BUCKETS; j++) {
		cum += h[TI_H_HS_B0 + j];
		sb_printf(b, "tcpinspect_tcp_handshake_rtt_seconds_bucket{le=\"%g\"} %llu\n",
			  le[j] / 1e6, (unsigned long long)cum);
	}
	sb_printf(b, "tcpinspect_tcp_handshake_rtt_seconds_bucket{le=\"+Inf\"} %llu\n"
		  "tcpinspect_tcp_handshake_rtt_seconds_sum %.6f\n"
		  "tcpinspect_tcp_handshake_rtt_seconds_count %llu\n",
		  (unsigned long long)h[TI_H_HS], h[TI_H_HS_US] / 1e6,
		  (unsigned long long)h[TI_H_HS]);
	if (a->ex) {
		metric_head(b, "tcpinspect_export_records_total", "counter",
			    "Flow records sent to the collector (--ipfix, --netflow9).");
		sb_printf(b, "tcpinspect_export_records_total %llu\n",
			  (unsigned long long)a->ex->records);
		metric_head(b, "tcpinspect_export_messages_total", "counter",
			    "Messages sent to the collector.");
		sb_printf(b, "tcpinspect_export_messages_total %llu\n",
			  (unsigned long long)a->ex->messages);
		metric_head(b, "tcpinspect_export_errors_total", "counter",
			    "Messages the collector could not be sent (none is resent).");
		sb_printf(b, "tcpinspect_export_errors_total %llu\n",
			  (unsigned long long)a->ex->errors);
		metric_head(b, "tcpinspect_export_lost_total", "counter",
			    "Connections evicted from the table before their counts went out.");
		sb_printf(b, "tcpinspect_export_lost_total %llu\n",
			  (unsigned long long)a->ex->evicted);
	}
	metric_head(b, "tcpinspect_flows", "gauge", "Entries in the flow table.");
	sb_printf(b, "tcpinspect_flows %zu\n", n);
	metric_head(b, "tcpinspect_flow_table_size", "gauge", "Entries the flow table holds at most.");
	sb_printf(b, "tcpinspect_flow_table_size %u\n", a->in->flows_max);
	for (i = 0; i < sizeof(per_if) / sizeof(per_if[0]); i++) {
		metric_head(b, per_if[i].name, per_if[i].type, per_if[i].help);
		for (j = 0; j < a->if_cnt; j++) {
			const char *f = (const char *)&a->ifs[j] + per_if[i].off;

			sb_printf(b, "%s{interface=\"", per_if[i].name);
			put_label(b, a->ifs[j].name);
			if (per_if[i].is_rate)
				sb_printf(b, "\"} %.3f\n", *(const double *)f);
			else
				sb_printf(b, "\"} %llu\n",
					  (unsigned long long)*(const __u64 *)f);
		}
	}
	metric_head(b, "tcpinspect_interface_attached", "gauge",
		    "1 while the program is attached to the interface, 0 once it went away.");
	for (j = 0; j < a->if_cnt; j++) {
		sb_str(b, "tcpinspect_interface_attached{interface=\"");
		put_label(b, a->ifs[j].name);
		sb_printf(b, "\"} %d\n", !a->ifs[j].gone);
	}
	metric_head(b, "tcpinspect_http_requests_total", "counter",
		    "HTTP requests answered, by status class.");
	for (j = 1; j <= 5; j++)
		sb_printf(b, "tcpinspect_http_requests_total{code=\"%dxx\"} %llu\n",
			  j, (unsigned long long)s->status_cnt[j]);
	metric_head(b, "tcpinspect_http_connections_refused_total", "counter",
		    "HTTP connections refused for being too many.");
	sb_printf(b, "tcpinspect_http_connections_refused_total %llu\n",
		  (unsigned long long)s->refused);
	metric_head(b, "tcpinspect_http_connections", "gauge", "Open HTTP connections.");
	sb_printf(b, "tcpinspect_http_connections %d\n", s->conn_cnt);
	metric_head(b, "tcpinspect_start_time_seconds", "gauge",
		    "When serve started, in seconds since the epoch.");
	sb_printf(b, "tcpinspect_start_time_seconds %.3f\n",
		  ((__s64)a->start_ns + a->mono_to_real) / 1e9);
	metric_head(b, "tcpinspect_build_info", "gauge", "Always 1; the version in a label.");
	sb_printf(b, "tcpinspect_build_info{version=\"%s\"} 1\n", VERSION);
}

void api_route(void *arg, const struct http_req *r, struct srv_resp *resp)
{
	struct api *a = arg;
	const void *doc;
	size_t len;

	if (path_is(r, "/inspect")) {
		get_inspect(a, r, resp);
	} else if (path_is(r, "/flows")) {
		get_flows(a, r, resp);
	} else if (path_is(r, "/stats")) {
		get_stats(a, resp);
	} else if (path_is(r, "/metrics")) {
		get_metrics(a, resp);
	} else if (path_is(r, "/openapi.json")) {
		doc = blob_get(BLOB_OPENAPI, &len);
		if (!doc) {
			srv_error(resp, 500, "the OpenAPI document does not unpack");
		} else {
			resp->status = 200;
			sb_put(&resp->body, doc, len);
		}
	} else {
		srv_error(resp, 404, "no such endpoint: see /openapi.json");
	}
}
