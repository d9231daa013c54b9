/* SPDX-License-Identifier: GPL-2.0 */
/*
 * api.h - the endpoints of `tcpinspect serve` (the server is srv.c):
 * /inspect, /flows, /stats, /metrics (Prometheus text) and
 * /openapi.json, answered from the program's counters and flow table
 * and from the events the serve loop hands to api_event (per-interface
 * packets, bytes and rates).  Reads maps; never prints.
 */
#ifndef TCPINSPECT_API_H
#define TCPINSPECT_API_H

#include <net/if.h>
#include "flows.h"
#include "inspector.h"
#include "srv.h"

#define API_IF_MAX	64	/* every interface a run attaches to (OPTS_IF_MAX) */
#define API_FLOWS_TOP	20	/* /flows without top= */

struct api_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	__u64 packets, bytes;		/* events on it */
	__u64 last_packets, last_bytes;	/* at the last tick */
	double pps, bps;		/* over the last tick */
};

struct api {
	const struct inspector *in;
	const struct srv *srv;
	const char *filter;		/* the expression, or NULL */
	struct api_iface ifs[API_IF_MAX];
	int if_cnt;
	struct flow_entry *flows;	/* room for the whole table */
	size_t room;
	__u64 start_ns, tick_ns;	/* CLOCK_MONOTONIC */
	__s64 mono_to_real;		/* CLOCK_MONOTONIC + this = wall clock */
};

/* 0, or -ENOMEM (room for the flow table).  api_free undoes it. */
int api_init(struct api *a, const struct inspector *in, const struct srv *srv,
	     const char *filter);
void api_add_iface(struct api *a, const char *name, int ifindex);
void api_free(struct api *a);

/* Count an event (an rb_fn: always 0, never stops the reading). */
int api_event(void *arg, const void *rec, __u32 len);

/* Per-interface rates since the last tick; call about once a second. */
void api_tick(struct api *a, __u64 now_ns);

/* The srv_route_fn: every endpoint. */
void api_route(void *arg, const struct http_req *r, struct srv_resp *resp);

#endif
