// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_flows.c - tcpinspect flows: attach as a capture does, with the
 * program counting connections in its flow table instead of sending
 * events; print the table every --interval and at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>
#include "cmd.h"
#include "export.h"
#include "flows.h"
#include "session.h"
#include "sig.h"

#define FLOWS_TOP	20	/* rows of a text table by default */

/* What flows read from the table, and how it shows it. */
struct flow_report {
	struct flow_entry *e;	/* room for the whole table, taken once */
	size_t room;
	size_t cnt;		/* entries read */
	__u64 seq;		/* reports printed */
	int refresh;		/* a terminal and --interval: redraw in place */
};

/* Entries created and no longer in the table (live: an estimate). */
static __u64 flows_evicted(const struct flow_report *r, const __u64 *cnt)
{
	return cnt[TI_CNT_FLOW_NEW] > r->cnt ? cnt[TI_CNT_FLOW_NEW] - r->cnt : 0;
}

/*
 * One report on stdout: the top rows as a table (after a blank line, or
 * redrawn in place) or as NDJSON.  0, or -errno of the write.
 */
static int flows_print(const struct opts *o, struct flow_report *r,
		       const struct inspector *in, const __u64 *cnt)
{
	char line[FLOW_LINE_LEN];
	struct flow_layout l;
	__s64 off = insp_mono_to_real();
	size_t i, rows = r->cnt, len;
	time_t now = time(NULL);
	struct tm tm;

	errno = 0;
	flow_sort(r->e, r->cnt, o->sort);
	if (o->top && o->top < rows)
		rows = o->top;
	else if (!o->top && !o->json && rows > FLOWS_TOP)
		rows = FLOWS_TOP;
	r->seq++;
	if (o->json) {
		for (i = 0; i < rows; i++) {
			len = flow_json(line, &r->e[i], off, r->seq);
			fwrite(line, 1, len, stdout);
		}
	} else {
		if (r->refresh) {
			localtime_r(&now, &tm);
			/* Cursor home, clear the screen; one write per report. */
			printf("\033[H\033[J%02d:%02d:%02d  %zu flows (table of %u), %llu evicted, %llu packets not counted\n\n",
			       tm.tm_hour, tm.tm_min, tm.tm_sec, r->cnt,
			       in->flows_max,
			       (unsigned long long)flows_evicted(r, cnt),
			       (unsigned long long)cnt[TI_CNT_FLOW_FAIL]);
		} else if (r->seq > 1) {
			putchar('\n');
		}
		flow_layout(&l, r->e, rows, off);
		len = flow_header(line, &l);
		fwrite(line, 1, len, stdout);
		for (i = 0; i < rows; i++) {
			len = flow_row(line, &l, &r->e[i]);
			fwrite(line, 1, len, stdout);
		}
	}
	if (fflush(stdout) || ferror(stdout))
		return errno ? -errno : -EIO;
	return 0;
}

int cmd_flows(struct opts *o)
{
	static struct inspector in;
	static struct attach at[OPTS_IF_MAX];
	static struct probe kp;
	static struct export ex = { .fd = -1 };
	struct flow_report r = { 0 };
	__u64 cnt[TI_CNT_MAX], deadline = 0, next = 0, next_exp = 0, now, until;
	int exporting = o->ipfix || o->netflow9;
	char err[512];
	struct timespec ts;
	sigset_t run_mask;
	fd_set watch;
	int n_if, ret = 0, status, wfd;

	n_if = ses_begin(&in, o, &kp, at, &run_mask, &deadline);
	if (n_if < 0)
		return -n_if;
	status = EXIT_RUNTIME;
	if (in.flows_fd < 0 || !in.flows_max) {
		msg("the embedded object has no flow table (%s)", TI_MAP_FLOWS);
		goto out_insp;
	}
	/* The one allocation: room to read the whole table, every report. */
	r.room = in.flows_max;
	r.e = calloc(r.room, sizeof(*r.e));
	if (!r.e) {
		msg("out of memory for a table of %zu flows", r.room);
		goto out_insp;
	}
	if (exporting) {	/* before attaching: a bad collector leaves nothing */
		struct export_cfg ec = {
			.version = o->ipfix ? IPFIX_V10 : IPFIX_NF9,
			.dest = o->ipfix ? o->ipfix : o->netflow9,
			.active_ns = o->active_ns ? o->active_ns : 60 * NS_PER_S,
			.idle_ns = o->idle_ns ? o->idle_ns : 15 * NS_PER_S,
			/* the interface observed: its index, the domain's too */
			.ifindex = n_if == 1 ? at[0].ifindex : 0,
			.domain = n_if == 1 ? at[0].ifindex : 0,
			.flows_max = in.flows_max,
		};

		ret = export_open(&ex, &ec, err, sizeof(err));
		if (ret) {
			msg("%s", err);
			status = ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
			ret = 0;
			goto out_mem;
		}
	}
	r.refresh = o->interval_ns && !o->json && isatty(STDOUT_FILENO);
	/* Whole reports at a time, also to a terminal. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (ses_attach(at, n_if, &in))
		goto out_mem;
	status = 0;
	if (o->interval_ns)
		next = mono_ns() + o->interval_ns;
	if (exporting)
		next_exp = mono_ns() + NS_PER_S;
	while (!sig_stop) {
		now = mono_ns();
		if (deadline && now >= deadline)
			break;
		if (next_exp && now >= next_exp) {	/* once a second */
			r.cnt = insp_flows_read(&in, r.e, r.room);
			export_tick(&ex, r.e, r.cnt, now, insp_mono_to_real(), 0);
			while (next_exp <= now)
				next_exp += NS_PER_S;
			continue;
		}
		if (next && now >= next) {
			r.cnt = insp_flows_read(&in, r.e, r.room);
			insp_counters(&in, cnt);
			ret = flows_print(o, &r, &in, cnt);
			if (ret)
				break;
			while (next <= now)	/* a slow report skips, not bunches */
				next += o->interval_ns;
			continue;
		}
		until = deadline && (!next || deadline < next) ? deadline : next;
		if (next_exp && (!until || next_exp < until))
			until = next_exp;
		ts.tv_sec = (until - now) / NS_PER_S;
		ts.tv_nsec = (until - now) % NS_PER_S;
		wfd = ses_watch_fd();
		FD_ZERO(&watch);
		FD_SET(wfd, &watch);
		/* Signals arrive only here (run_mask), so none is missed. */
		pselect(wfd + 1, &watch, NULL, NULL, until ? &ts : NULL, &run_mask);
		if (ses_gone(at, n_if)) {
			status = EXIT_RUNTIME;
			break;
		}
	}
	ses_detach(at, n_if);
	/* Detached: nothing changes the table now, the reading is exact. */
	r.cnt = insp_flows_read(&in, r.e, r.room);
	insp_counters(&in, cnt);
	if (exporting)	/* what has not gone out yet goes now */
		export_tick(&ex, r.e, r.cnt, mono_ns(), insp_mono_to_real(), 1);
	if (!ret)
		ret = flows_print(o, &r, &in, cnt);
	if (ret && ret != -EPIPE) {
		msg("cannot write output: %s", strerror(-ret));
		status = EXIT_RUNTIME;
	}
	fprintf(stderr, "%zu flows in the table (of %u entries): %llu created, %llu evicted, %llu packets not counted, %llu after --duration\n",
		r.cnt, in.flows_max,
		(unsigned long long)cnt[TI_CNT_FLOW_NEW],
		(unsigned long long)flows_evicted(&r, cnt),
		(unsigned long long)cnt[TI_CNT_FLOW_FAIL],
		(unsigned long long)cnt[TI_CNT_EXPIRED]);
	if (exporting)
		fprintf(stderr, "%s to %s: %llu records in %llu messages, %llu send errors%s%s%s, %llu flows evicted before their counts went out\n",
			o->ipfix ? "IPFIX" : "NetFlow v9", ex.cfg.dest,
			(unsigned long long)ex.records, (unsigned long long)ex.messages,
			(unsigned long long)ex.errors, ex.errors ? " (last: " : "",
			ex.errors ? strerror(-ex.last_err) : "", ex.errors ? ")" : "",
			(unsigned long long)ex.evicted);
	ses_seen_line(cnt);
	ses_malformed_line(cnt);
	if (o->json) {
		fprintf(stderr, "{\"flows\":%zu,\"flows_max\":%u,\"evicted\":%llu",
			r.cnt, in.flows_max,
			(unsigned long long)flows_evicted(&r, cnt));
		if (exporting)
			fprintf(stderr, ",\"export_records\":%llu,\"export_messages\":%llu,\"export_errors\":%llu,\"export_lost\":%llu",
				(unsigned long long)ex.records, (unsigned long long)ex.messages,
				(unsigned long long)ex.errors, (unsigned long long)ex.evicted);
		ses_counters_json(cnt);
	}
out_mem:
	export_close(&ex);
	free(r.e);
out_insp:
	insp_close(&in);
	ses_detach(at, n_if);
	return status;
}
