// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_capture.c - tcpinspect [capture]: attach the embedded program to
 * the interfaces, print (or write to files) the segments it reports,
 * detach, and account for every matched packet in the summary.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "output.h"
#include "session.h"
#include "sig.h"
#include "writer.h"

struct capture {
	struct out *out;
	struct writer *wr;	/* -w: records go to the file instead */
	unsigned long count;
	unsigned long taken;	/* events handed to the output (or refused by it) */
	unsigned long over;	/* emitted past -c, left unread: over the budget */
	unsigned long failed;	/* left unread after the output failed */
	int flush_each;		/* -U with -w: each record written out at once */
};

static int on_event(void *arg, const void *rec, __u32 len)
{
	const struct ti_event *e = rec;
	struct capture *c = arg;

	if (len < sizeof(*e) || e->snap_len > len - sizeof(*e))
		return 0;	/* not a record of ours */
	c->taken++;
	if (c->wr ? wr_event(c->wr, rec, len, 0) : out_event(c->out, rec, len, NULL))
		return 1;
	if (c->wr && c->flush_each && wr_flush(c->wr))
		return 1;
	return c->count && c->taken >= c->count;
}

/* A record left unread at the end (past -c, or after the output
 * failed): counted, not written. */
static int count_left(void *arg, const void *rec, __u32 len)
{
	(*(unsigned long *)arg)++;
	return 0;
}

/* Write out what is buffered: 0, or the (sticky) output error. */
static int flush(struct capture *c)
{
	return c->wr ? wr_flush(c->wr) : out_flush(c->out);
}

/* Packets that reached the output: events whose every byte write(2)
 * took, to standard output or into files. */
static unsigned long written(const struct capture *c)
{
	return c->wr ? c->wr->rec_cnt : c->out->written;
}

/* Packets taken from the buffer that did not: a batch whose write
 * failed, and what came after it. */
static unsigned long not_written(const struct capture *c)
{
	return c->taken - written(c) + c->failed;
}

int cmd_capture(struct opts *o)
{
	static struct inspector in;
	static struct out out;
	static struct writer wr;
	static struct attach at[OPTS_IF_MAX];
	static struct probe kp;
	struct capture cap = { .out = &out, .count = o->count, .flush_each = o->packet_buf };
	struct wr_config wc = {
		.path = o->write_path, .pcapng = o->pcapng, .force = o->force,
		.rotate_size = o->rotate_size, .rotate_cnt = o->rotate_cnt,
		/* the snap length the program takes, as the file's */
		.snaplen = ses_snaplen(o),
	};
	char werr[PATH_MAX + 256];
	int ifx[OPTS_IF_MAX], i;
	__u64 cnt[TI_CNT_MAX], deadline = 0, now, next_stats = 0;
	sigset_t run_mask;
	struct evbuf eb = EVB_INIT;
	int n_if = 0, ret, stopped = 0, over_stop = 0, status, timeout;
	long n = 0;

	n_if = ses_begin(&in, o, &kp, at, &run_mask, &deadline);
	if (n_if < 0)
		return -n_if;
	status = EXIT_RUNTIME;
	if (ses_events(&in, &eb))
		goto out_insp;
	if (o->verbose && in.perf)
		msg("perf buffers: %u bytes on each of %d CPUs", in.events_len,
		    eb.pb.open_cnt);
	out_init(&out, STDOUT_FILENO, o->json ? OUT_JSON : OUT_TEXT);
	ses_out(&out, o);
	/* as tcpdump -i any: which interface, which way */
	out.show_iface = n_if > 1 || o->direction == (OPTS_DIR_IN | OPTS_DIR_OUT);
	if (o->write_path) {
		/* Before attaching: a bad path leaves nothing behind. */
		for (i = 0; i < n_if; i++)
			ifx[i] = at[i].ifindex;
		wc.ifindex = ifx;
		wc.if_cnt = n_if;
		if (wr_open(&wr, &wc, werr, sizeof(werr))) {
			msg("%s", werr);
			status = EXIT_USAGE;
			goto out_eb;
		}
		cap.wr = &wr;
	}

	if (ses_attach(at, n_if, &in))
		goto out_eb;
	if (evb_watch(&eb, ses_watch_fd())) {
		msg("cannot wait for the interfaces' notices: %s", strerror(errno));
		goto out_eb;
	}
	status = 0;
	if (o->stats_ns)
		next_stats = mono_ns() + o->stats_ns;
	while (!sig_stop && !stopped) {
		now = mono_ns();
		if (deadline && now >= deadline)
			break;
		if (next_stats && now >= next_stats) {
			flush(&cap);
			insp_counters(&in, cnt);
			ses_summary(written(&cap), not_written(&cap), cnt, o->json);
			next_stats += o->stats_ns;
		}
		/* The program wakes us at most once per TI_WAKE_NS (perf
		 * buffers: always): after a wake-up, or records, look again
		 * when what came unannounced since is sure to be there. */
		timeout = (n > 0 || evb_woken(&eb)) && !in.perf ?
			  TI_WAKE_NS / 1000000 + 1 : 1000;
		if (deadline && (deadline - now) / 1000000 < (__u64)timeout)
			timeout = (deadline - now) / 1000000 + 1;
		if (next_stats && (next_stats - now) / 1000000 < (__u64)timeout)
			timeout = (next_stats - now) / 1000000 + 1;
		n = evb_poll(&eb, timeout, &run_mask, on_event, &cap, &stopped);
		if (n < 0) {
			msg("waiting for events failed: %s", strerror(-n));
			status = EXIT_RUNTIME;
			break;
		}
		if (flush(&cap))
			break;
		if (ses_gone(at, n_if)) {
			status = EXIT_RUNTIME;
			break;
		}
	}
	ses_detach(at, n_if);
	/* Whatever the program submitted before detach still gets out.
	 * What it let through past -c (the v2 object counts without atomic
	 * fetch, so CPUs may race past the budget) is over the budget; what
	 * the output could not take any more is not written. */
	if (!stopped && !flush(&cap))
		evb_consume(&eb, on_event, &cap, &stopped);
	ret = flush(&cap);
	if (cap.count && cap.taken >= cap.count)
		evb_consume(&eb, count_left, &cap.over, &over_stop);
	else if (ret)
		evb_consume(&eb, count_left, &cap.failed, &over_stop);
	if (cap.wr) {
		ret = wr_close(cap.wr, werr, sizeof(werr));
		if (ret && ret != -EPIPE)
			msg("%s", werr);
	} else if (ret && ret != -EPIPE) {
		msg("cannot write output: %s", strerror(-ret));
	}
	if (ret && ret != -EPIPE)
		status = EXIT_RUNTIME;
	insp_counters(&in, cnt);
	cnt[TI_CNT_BUDGET] += cap.over;
	ses_summary(written(&cap), not_written(&cap), cnt, 0);
	if (o->json)	/* and once more for scripts */
		ses_summary(written(&cap), not_written(&cap), cnt, 1);
	if (o->verbose && in.perf)
		msg("perf buffers: the kernel reported %llu samples lost (the program counted its failed outputs: %llu lost)",
		    (unsigned long long)evb_lost(&eb),
		    (unsigned long long)cnt[TI_CNT_LOST]);
out_eb:
	evb_close(&eb);
out_insp:
	insp_close(&in);
	ses_detach(at, n_if);
	return status;
}
