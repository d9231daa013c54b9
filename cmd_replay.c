// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_replay.c - tcpinspect replay FILE [EXPRESSION]: the frames of a
 * capture file through the embedded program (BPF_PROG_TEST_RUN), loaded
 * as for a capture (-c, -s, filter), printed as a capture prints them.
 * Nothing is attached.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "output.h"
#include "pcap.h"
#include "replay.h"
#include "session.h"
#include "sig.h"

struct replayed {
	struct out *out;
	unsigned long count;
	unsigned long captured;
	unsigned long partial;	/* events of frames the program saw in part */
	__u32 seen_len;		/* how much of them */
};

static int on_replayed(void *arg, const void *rec, __u32 len,
		       const struct pcap_rec *frame)
{
	struct replayed *r = arg;
	const struct ti_event *e = rec;
	/* The file's time (even 0), not the kernel's: the same output
	 * every run; and the frame's length on the wire. */
	struct out_meta m = { .ts_ns = frame->ts_ns, .wire_len = frame->len };

	if (len < sizeof(struct ti_event))
		return 0;
	/* A frame over a page goes in as a multi-buffer frame: the
	 * program sees (and reports the length of) its first part. */
	if (e->pkt_len < frame->caplen) {
		r->partial++;
		r->seen_len = e->pkt_len;
	}
	out_event(r->out, rec, len, &m);
	r->captured++;
	return r->out->err || (r->count && r->captured >= r->count);
}

int cmd_replay(struct opts *o)
{
	static struct inspector in;
	static struct out out;
	static struct pcap_reader pr;
	static struct probe kp;
	struct replayed r = { .out = &out, .count = o->count };
	struct replay_stats st = { 0 };
	struct replay_file f;
	struct evbuf eb = EVB_INIT;
	__u64 cnt[TI_CNT_MAX];
	sigset_t run_mask;
	char err[512];
	int ret, status;

	status = ses_filter(&in, o);
	if (status)
		return status;
	ret = replay_file_open(&f, o->pcap_path);
	if (ret) {
		msg("cannot read %s: %s", o->pcap_path, strerror(-ret));
		return EXIT_USAGE;
	}
	status = EXIT_RUNTIME;
	ret = pcap_open(&pr, f.buf, f.len, PCAP_LINKTYPE_ETHERNET, err, sizeof(err));
	if (ret) {
		msg("%s: %s%s", o->pcap_path, err, ret == -ENOTSUP &&
		    pr.linktype != PCAP_LINKTYPE_ETHERNET ? "; replay takes Ethernet captures" : "");
		goto out_file;
	}
	status = ses_probe(o, &kp) ?: ses_open(&in, o, &kp, 0);
	if (status)
		goto out_file;
	status = EXIT_RUNTIME;
	if (ses_events(&in, &eb))
		goto out_insp;
	out_init(&out, STDOUT_FILENO, o->json ? OUT_JSON : OUT_TEXT);
	ses_out(&out, o);
	/* Handlers as for a capture, but nothing waits in epoll_pwait to
	 * unblock them: run with the capture's wait mask throughout. */
	sig_setup(&run_mask);
	sigprocmask(SIG_SETMASK, &run_mask, NULL);
	fprintf(stderr, "reading from %s (%s%s, link-type %s, snapshot length %u)\n",
		o->pcap_path, pr.fmt == PCAP_FMT_PCAPNG ? "pcapng" : "pcap",
		pr.fmt == PCAP_FMT_PCAP && pr.nsec ? " nanosecond" : "",
		pcap_linktype_name(pr.linktype), pr.snaplen);
	ret = replay_run(&pr, in.prog_fd, &eb, on_replayed, &r, &sig_stop,
			 &st, err, sizeof(err));
	out_flush(&out);
	status = 0;
	if (ret < 0) {
		msg("%s: %s", o->pcap_path, err);
		status = EXIT_RUNTIME;
	}
	if (out.err && out.err != -EPIPE) {
		msg("cannot write output: %s", strerror(-out.err));
		status = EXIT_RUNTIME;
	}
	if (st.too_short)
		msg("%llu frames shorter than %d bytes not run (the kernel needs an Ethernet header)",
		    (unsigned long long)st.too_short, REPLAY_MIN_LEN);
	if (st.cut)
		msg("%llu frames longer than the kernel runs were cut to %u bytes",
		    (unsigned long long)st.cut, st.cut_len);
	if (r.partial)
		msg("%lu reported frames were longer than the program sees in one piece here: it saw their first %u bytes (frame length and len filters too)",
		    r.partial, r.seen_len);
	insp_counters(&in, cnt);
	ses_summary(out.written, r.captured - out.written, cnt, 0);
	if (o->json)	/* and once more for scripts, as a capture */
		ses_summary(out.written, r.captured - out.written, cnt, 1);
	evb_close(&eb);
out_insp:
	insp_close(&in);
out_file:
	replay_file_close(&f);
	return status;
}
