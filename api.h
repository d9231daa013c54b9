/* SPDX-License-Identifier: GPL-2.0 */
/*
 * api.h - the endpoints of `tcpinspect serve` (the server is srv.c):
 * /inspect, /flows, /stats, /metrics (Prometheus text) and
 * /openapi.json, answered from the program's counters and flow table
 * and from the events the serve loop hands to api_event (per-interface
 * packets, bytes and rates).  Reads maps; never prints.
 *
 * The flow table is read at most once per API_SNAP_NS into a snapshot
 * that every answer within that time shares: the first one at once,
 * later ones in steps of API_STEP entries between the server's rounds
 * (api_step), the older one answering meanwhile.  /inspect and /flows
 * stream their rows from one (srv_resp's more()), which it keeps while
 * they do; /inspect looks the address up in an index of the snapshot
 * and sorts its matches alone.
 * At most API_SNAP_CNT snapshots exist: when every one is being
 * streamed from, answers use the newest, older than API_SNAP_NS (by as
 * much as the server gives a slow client, its timeout).
 */
#ifndef TCPINSPECT_API_H
#define TCPINSPECT_API_H

#include <net/if.h>
#include "flows.h"
#include "inspector.h"
#include "srv.h"

#define API_IF_MAX	64	/* every interface a run attaches to (OPTS_IF_MAX) */
#define API_FLOWS_TOP	20	/* /flows without top= */
#define API_SNAP_CNT	2	/* flow table snapshots at most */
#define API_SNAP_NS	1000000000ull	/* a snapshot's life: 1 s */
#define API_STEP	4096		/* entries read per api_step */
#define API_STREAM_MEM	(32u << 20)	/* /inspect's own orders, in all */

struct api_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	int gone;			/* went away: no longer attached */
	__u64 packets, bytes;		/* events on it */
	__u64 last_packets, last_bytes;	/* at the last tick */
	double pps, bps;		/* over the last tick */
};

/* The flow table as read at one moment. */
struct api_snap {
	struct flow_entry *e;		/* room entries; NULL until first used */
	size_t cnt;
	__u32 *order[FLOW_COL_CNT];	/* e's indexes by a column, made when asked */
	__u32 ordered;			/* bit col: order[col] is e's */
	__u32 *ix_head, *ix_ent, *ix_next;	/* the address index */
	__u32 ix_mask;
	int indexed;			/* ix_* are e's */
	__u64 taken_ns;			/* CLOCK_MONOTONIC; 0: never read */
	__s64 mono_to_real;
	int refs;			/* answers being streamed from it */
};

struct export;

struct api {
	const struct inspector *in;
	const struct srv *srv;
	const char *filter;		/* the expression, or NULL */
	struct api_iface ifs[API_IF_MAX];
	int if_cnt;
	size_t room;			/* the whole table */
	struct api_snap snap[API_SNAP_CNT];
	int cur;			/* the newest; -1: none read yet */
	int building;			/* the one being read; -1: none */
	struct insp_walk walk;		/* how far */
	__u64 table_reads;		/* snapshots taken */
	size_t stream_mem;		/* bytes of streams' own orders */
	__u64 start_ns, tick_ns;	/* CLOCK_MONOTONIC */
	const struct export *ex;	/* --ipfix, --netflow9: its counts; or NULL */
	__s64 mono_to_real;		/* CLOCK_MONOTONIC + this = wall clock */
};

/* 0, or -ENOMEM (room for the flow table).  api_free undoes it. */
int api_init(struct api *a, const struct inspector *in, const struct srv *srv,
	     const char *filter);
void api_add_iface(struct api *a, const char *name, int ifindex);
/* The interface went away: said in /stats and /metrics. */
void api_iface_gone(struct api *a, int ifindex);
void api_free(struct api *a);

/* Count an event (an rb_fn: always 0, never stops the reading). */
int api_event(void *arg, const void *rec, __u32 len);

/* Read the next API_STEP entries of a snapshot being made: 1 while
 * there is more (call again soon), 0 when none is being made. */
int api_step(struct api *a);

/* Per-interface rates since the last tick; call about once a second. */
void api_tick(struct api *a, __u64 now_ns);

/* The srv_route_fn: every endpoint. */
void api_route(void *arg, const struct http_req *r, struct srv_resp *resp);

#endif
