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
	a->room = in->flows_max;
	a->flows = calloc(a->room ? a->room : 1, sizeof(*a->flows));
	if (!a->flows)
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

void api_free(struct api *a)
{
	free(a->flows);
	a->flows = NULL;
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

/* A flow as flows.c's JSON object, without its braces' newline; or,
 * with inner set, without the braces: its fields to merge elsewhere. */
static void put_flow(struct api *a, struct sbuf *b, const struct flow_entry *e,
		     int inner)
{
	char line[FLOW_LINE_LEN];
	size_t n = flow_json(line, e, a->mono_to_real, 0);

	if (n && line[n - 1] == '\n')
		n--;
	if (inner && n >= 2)
		sb_put(b, line + 1, n - 2);
	else
		sb_put(b, line, n);
}

static size_t read_flows(struct api *a)
{
	a->mono_to_real = insp_mono_to_real();	/* the clock may have been set */
	return insp_flows_read(a->in, a->flows, a->room);
}

/* --- the endpoints ------------------------------------------------------ */

static void get_inspect(struct api *a, const struct http_req *r,
			struct srv_resp *resp)
{
	char ip[INET6_ADDRSTRLEN + 1];
	__u8 addr[16] = { 0 };
	const struct ti_flow_key *k;
	size_t i, n, m = 0;
	int ret, family;

	ret = http_query(&r->query, "ip", ip, sizeof(ip));
	if (ret == -ENOENT || ret == 0) {
		srv_error(resp, 400, "the query parameter ip is missing: /inspect?ip=ADDRESS");
		return;
	}
	if (ret < 0) {
		srv_error(resp, 400, "the query parameter ip is not an IPv4 or IPv6 address");
		return;
	}
	if (inet_pton(AF_INET, ip, addr) == 1) {
		family = 4;
	} else if (inet_pton(AF_INET6, ip, addr) == 1) {
		family = 6;
	} else {
		srv_error(resp, 400, "the query parameter ip is not an IPv4 or IPv6 address");
		return;
	}
	n = read_flows(a);
	for (i = 0; i < n; i++) {
		k = &a->flows[i].key;
		if (k->family != family ||
		    (memcmp(k->saddr, addr, family == 4 ? 4 : 16) &&
		     memcmp(k->daddr, addr, family == 4 ? 4 : 16)))
			continue;
		if (i != m) {
			struct flow_entry t = a->flows[m];

			a->flows[m] = a->flows[i];
			a->flows[i] = t;
		}
		m++;
	}
	if (!m) {
		resp->status = 404;
		sb_printf(&resp->body,
			  "{\"error\":\"no connection of %s in the flow table\",\"status\":404,\"ip\":\"%s\",\"count\":0,\"connections\":[]}\n",
			  ip, ip);
		return;
	}
	flow_sort(a->flows, m, FLOW_PACKETS);
	resp->status = 200;
	sb_printf(&resp->body, "{\"ip\":\"%s\",\"count\":%zu,", ip, m);
	put_flow(a, &resp->body, &a->flows[0], 1);
	sb_str(&resp->body, ",\"connections\":[");
	for (i = 0; i < m; i++) {
		if (i)
			sb_put(&resp->body, ",", 1);
		put_flow(a, &resp->body, &a->flows[i], 0);
	}
	sb_str(&resp->body, "]}\n");
}

static void get_flows(struct api *a, const struct http_req *r,
		      struct srv_resp *resp)
{
	char val[32], *end;
	unsigned long top = API_FLOWS_TOP;
	__u64 cnt[TI_CNT_MAX];
	int col = FLOW_PACKETS, ret;
	size_t i, n, shown;

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
			srv_error(resp, 400, "sort: want packets, bytes, syn, synack, fin, rst, first or last");
			return;
		}
	}
	n = read_flows(a);
	insp_counters(a->in, cnt);
	flow_sort(a->flows, n, col);
	shown = n < top ? n : top;
	resp->status = 200;
	sb_printf(&resp->body,
		  "{\"sort\":\"%s\",\"count\":%zu,\"total\":%zu,\"table_size\":%u,\"evicted\":%llu,\"flows\":[",
		  flow_col_name[col], shown, n, a->in->flows_max,
		  (unsigned long long)(cnt[TI_CNT_FLOW_NEW] > n ?
				       cnt[TI_CNT_FLOW_NEW] - n : 0));
	for (i = 0; i < shown; i++) {
		if (i)
			sb_put(&resp->body, ",", 1);
		put_flow(a, &resp->body, &a->flows[i], 0);
	}
	sb_str(&resp->body, "]}\n");
}

static void get_stats(struct api *a, struct srv_resp *resp)
{
	__u64 cnt[TI_CNT_MAX];
	size_t n = read_flows(a);
	struct sbuf *b = &resp->body;
	int i;

	insp_counters(a->in, cnt);
	resp->status = 200;
	sb_put(b, "{", 1);
	for (i = 0; i < TI_CNT_MAX; i++)
		sb_printf(b, "\"%s\":%llu,", insp_counter_names[i],
			  (unsigned long long)cnt[i]);
	sb_printf(b, "\"flows\":%zu,\"table_size\":%u,\"uptime_seconds\":%.3f,\"http_requests\":%llu,\"filter\":\"",
		  n, a->in->flows_max, (mono_ns() - a->start_ns) / 1e9,
		  (unsigned long long)a->srv->requests);
	if (a->filter)
		put_jstr(b, a->filter);
	sb_str(b, "\",\"interfaces\":[");
	for (i = 0; i < a->if_cnt; i++) {
		const struct api_iface *f = &a->ifs[i];

		sb_printf(b, "%s{\"name\":\"", i ? "," : "");
		put_jstr(b, f->name);
		sb_printf(b, "\",\"ifindex\":%d,\"packets\":%llu,\"bytes\":%llu,\"packets_per_second\":%.1f,\"bytes_per_second\":%.1f}",
			  f->ifindex, (unsigned long long)f->packets,
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
	__u64 cnt[TI_CNT_MAX];
	size_t i, n = read_flows(a);
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
