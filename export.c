// SPDX-License-Identifier: GPL-2.0
/*
 * export.c - flow export to a collector (export.h).  The state of each
 * connection seen is kept in a table of its own, keyed like the kernel's
 * flow table: what has gone out already of each end's counts, and when
 * the part being counted began.  A connection the kernel evicted before
 * its counts went out is counted as lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include "export.h"

static __u64 hash(const struct ti_flow_key *k)
{
	const __u8 *p = (const __u8 *)k;
	__u64 h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* The state of key, made if absent (*fresh set); NULL if full. */
static struct export_state *state(struct export *x, const struct ti_flow_key *k,
				  int *fresh)
{
	size_t i = hash(k) & x->st_mask, n;

	for (n = 0; n <= x->st_mask; n++, i = (i + 1) & x->st_mask) {
		if (!x->st[i].used) {
			memset(&x->st[i], 0, sizeof(x->st[i]));
			x->st[i].key = *k;
			x->st[i].used = 1;
			*fresh = 1;
			return &x->st[i];
		}
		if (!memcmp(&x->st[i].key, k, sizeof(*k))) {
			*fresh = 0;
			return &x->st[i];
		}
	}
	return NULL;
}

/* Remove slot i, moving later entries of its run back (linear probing). */
static void forget(struct export *x, size_t i)
{
	size_t j = i, home;

	x->st[i].used = 0;
	for (;;) {
		j = (j + 1) & x->st_mask;
		if (!x->st[j].used)
			return;
		home = hash(&x->st[j].key) & x->st_mask;
		/* j stays if its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		x->st[i] = x->st[j];
		x->st[j].used = 0;
		i = j;
	}
}

/* Parse "ADDR:PORT" or "[ADDR6]:PORT" into sa; 0 or -EINVAL. */
static int parse_dest(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN];
	unsigned long port;
	size_t n;
	char *end;

	if (!colon || colon == s)
		return -EINVAL;
	n = colon - s;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return -EINVAL;
		s++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || !port || port > 65535)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
	} else {
		return -EINVAL;
	}
	return 0;
}

int export_open(struct export *x, const struct export_cfg *cfg, char *err,
		size_t err_len)
{
	struct sockaddr_storage sa;
	struct timespec now;
	socklen_t sa_len;
	size_t cap = 16;
	int ret;

	memset(x, 0, offsetof(struct export, buf));
	x->fd = -1;
	x->cfg = *cfg;
	if (parse_dest(cfg->dest, &sa, &sa_len)) {
		snprintf(err, err_len, "bad collector '%s': want ADDR:PORT or [ADDR6]:PORT, numeric",
			 cfg->dest);
		return -EINVAL;
	}
	/* A path MTU of 1500, less the IP and UDP headers. */
	x->mtu = sa.ss_family == AF_INET ? 1500 - 20 - 8 : 1500 - 40 - 8;
	while (cap < cfg->flows_max + cfg->flows_max / 2)
		cap *= 2;
	x->st = calloc(cap, sizeof(*x->st));
	if (!x->st) {
		snprintf(err, err_len, "out of memory for the export state of %zu flows",
			 cfg->flows_max);
		return -ENOMEM;
	}
	x->st_mask = cap - 1;
	x->fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0 || connect(x->fd, (struct sockaddr *)&sa, sa_len)) {
		ret = -errno;
		snprintf(err, err_len, "cannot reach the collector %s: %s", cfg->dest,
			 strerror(errno));
		export_close(x);
		return ret;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	x->boot_ms = now.tv_sec * 1000ull + now.tv_nsec / 1000000;
	return 0;
}

/* Send the message being filled, if it holds records. */
static void flush(struct export *x)
{
	size_t len;

	if (!x->open)
		return;
	x->open = 0;
	if (!x->msg.count)	/* neither templates nor records */
		return;
	len = ipfix_end(&x->msg);
	if (send(x->fd, x->buf, len, 0) == (ssize_t)len) {
		x->messages++;
		x->records += x->msg.records;
	} else {
		x->errors++;
		x->last_err = -errno;
	}
	/* IPFIX counts records, v9 messages, sent or not: a collector
	 * sees a gap either way. */
	x->seq += x->cfg.version == IPFIX_NF9 ? 1 : x->msg.records;
}

static void start(struct export *x, __u64 now, __s64 mono_to_real)
{
	int templates = !x->tpl_ns || now - x->tpl_ns >= EXPORT_TEMPLATE_NS;

	ipfix_begin(&x->msg, x->cfg.version, x->buf, x->mtu,
		    (now + mono_to_real) / 1000000, x->boot_ms, x->seq,
		    x->cfg.domain, templates);
	if (templates)
		x->tpl_ns = now;
	x->open = 1;
}

static void emit(struct export *x, const struct ipfix_rec *r, __u64 now,
		 __s64 mono_to_real)
{
	if (!x->open)
		start(x, now, mono_to_real);
	if (ipfix_add(&x->msg, r)) {
		flush(x);
		start(x, now, mono_to_real);
		ipfix_add(&x->msg, r);	/* fits an empty message */
	}
}

/* Why f's counts since the last part go out now, or 0 if not yet. */
static int due(const struct export *x, const struct export_state *s,
	       const struct ti_flow *f, __u64 now, int final)
{
	int i, ended = 0;

	if (final)
		return IPFIX_END_FORCED;
	if (now - f->last_ns >= x->cfg.idle_ns)
		return IPFIX_END_IDLE;
	if (now - s->part_ns >= x->cfg.active_ns)
		return IPFIX_END_ACTIVE;
	for (i = 0; i < 2; i++)
		ended |= f->s[i].fin != s->sent[i].fin ||
			 f->s[i].rst != s->sent[i].rst;
	if (ended && now - f->last_ns >= EXPORT_END_QUIET_NS)
		return IPFIX_END_FLOW;
	return 0;
}

/* The record of what side of e sent since the part began: from it. */
static void side_rec(struct ipfix_rec *r, const struct flow_entry *e,
		     const struct export_state *s, int side)
{
	const struct ti_flow_key *k = &e->key;
	const struct ti_side *d = &e->val.s[side];
	const struct export_sent *was = &s->sent[side];

	r->family = k->family;
	memcpy(r->saddr, side ? k->daddr : k->saddr, 16);
	memcpy(r->daddr, side ? k->saddr : k->daddr, 16);
	r->sport = side ? k->dport : k->sport;
	r->dport = side ? k->sport : k->dport;
	r->tcp_flags = d->tcp_flags;
	r->packets = d->packets - was->packets;
	r->bytes = d->bytes - was->bytes;
	/* ti_side.syn counts SYNs and SYN-ACKs alike: which, flows.c knows */
	if (flow_synacks(&e->val, side))
		r->synack = d->syn - was->syn;
	else
		r->syn = d->syn - was->syn;
	r->fin = d->fin - was->fin;
	r->rst = d->rst - was->rst;
	r->retrans = d->retrans - was->retrans;
	r->hs_rtt_us = e->val.hs_ns / 1000 > 0xffffffffull ? 0xffffffffu :
		       e->val.hs_ns / 1000;
	r->rtt_us = d->rtt_cnt ? d->srtt_us : 0;
}

static void sent_set(struct export_sent *was, const struct ti_side *d)
{
	was->packets = d->packets;
	was->bytes = d->bytes;
	was->syn = d->syn;
	was->fin = d->fin;
	was->rst = d->rst;
	was->retrans = d->retrans;
}

void export_tick(struct export *x, const struct flow_entry *e, size_t cnt,
		 __u64 now, __s64 mono_to_real, int final)
{
	const struct ti_flow *f;
	struct export_state *s;
	struct ipfix_rec r;
	size_t i;
	int fresh, why, side;

	x->gen++;
	for (i = 0; i < cnt; i++) {
		f = &e[i].val;
		s = state(x, &e[i].key, &fresh);
		if (!s)
			continue;	/* cannot happen: room for 1.5 tables */
		s->gen = x->gen;
		/* Counts lower than sent: evicted and made again meanwhile. */
		if (fresh || f->s[0].packets < s->sent[0].packets ||
		    f->s[1].packets < s->sent[1].packets) {
			memset(s->sent, 0, sizeof(s->sent));
			s->part_ns = f->first_ns;
		}
		if (f->s[0].packets == s->sent[0].packets &&
		    f->s[1].packets == s->sent[1].packets)
			continue;
		if (!s->part_ns)	/* the first packet since the last part */
			s->part_ns = x->last_tick > f->first_ns ? x->last_tick : f->first_ns;
		why = due(x, s, f, now, final);
		if (!why)
			continue;
		/* One record per end that sent something in this part; the
		 * times are the connection's. */
		for (side = 0; side < 2; side++) {
			if (f->s[side].packets == s->sent[side].packets)
				continue;
			memset(&r, 0, sizeof(r));
			side_rec(&r, &e[i], s, side);
			r.end_reason = why;
			r.start_ms = (s->part_ns + mono_to_real) / 1000000;
			r.end_ms = (f->last_ns + mono_to_real) / 1000000;
			r.ifindex = x->cfg.ifindex;
			emit(x, &r, now, mono_to_real);
			sent_set(&s->sent[side], &f->s[side]);
		}
		s->part_ns = 0;
	}
	/* What the kernel no longer has: evicted (lost if unsent), or,
	 * at the end, everything. */
	for (i = 0; i <= x->st_mask; ) {
		if (x->st[i].used && (final || x->st[i].gen != x->gen)) {
			if (x->st[i].gen != x->gen && x->st[i].part_ns)
				x->evicted++;
			forget(x, i);	/* moves another entry into i */
			continue;
		}
		i++;
	}
	/* Templates are due even without records (a collector restarted). */
	if (!x->open && (!x->tpl_ns || now - x->tpl_ns >= EXPORT_TEMPLATE_NS))
		start(x, now, mono_to_real);
	flush(x);
	x->last_tick = now;
}

void export_close(struct export *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->st);
	x->st = NULL;
}
