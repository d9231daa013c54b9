/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h - what the commands that run the embedded program share:
 * the interfaces chosen and checked, the kernel probed, the filter
 * compiled, the program loaded as the options say and attached to every
 * interface, its counters reported at the end.  These print their
 * errors (as the commands do) and return 0 or an exit status.
 */
#ifndef TCPINSPECT_SESSION_H
#define TCPINSPECT_SESSION_H

#include <signal.h>
#include "attach.h"
#include "evbuf.h"
#include "inspector.h"
#include "opts.h"
#include "output.h"
#include "probe.h"

/* Exit statuses: 0 done, these, nothing else. */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define NS_PER_S	1000000000ull

/* "tcpinspect: ..." on stderr. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A loader's -v line, as msg() (a ld log_fn). */
void log_line(void *arg, const char *line);

__u64 mono_ns(void);

/* ifindex of o->iface (load, unload, probe) into *ifindex. */
int ses_iface_index(const struct opts *o, int *ifindex);

/* "unlimited" or "N KiB": an RLIMIT_MEMLOCK value. */
const char *ses_lim_str(unsigned long long v, char *buf, size_t len);

/* The kernel probed into kp; for all but load, refused (naming the
 * missing feature) where tcpinspect cannot run. */
int ses_probe(const struct opts *o, struct probe *kp);

/* The filter of o compiled into in, before anything is loaded:
 * EXIT_USAGE for an expression that is bad or too large. */
int ses_filter(struct inspector *in, const struct opts *o);

/* The snap length o asks for: -s, else what the output needs. */
__u32 ses_snaplen(const struct opts *o);

/* The text options of o (-x, -X, -A, -t, -#, -l, -U, -v, -e, -q, -K,
 * -S) into out, after out_init(). */
void ses_out(struct out *out, const struct opts *o);

/* Load the embedded program as o says (after ses_filter). */
int ses_open(struct inspector *in, const struct opts *o,
	     const struct probe *kp, __u64 deadline_ns);

/* Open the program's event buffer. */
int ses_events(const struct inspector *in, struct evbuf *eb);

/*
 * The interfaces of o (every -i, `-i any`, or the default one) into
 * at[OPTS_IF_MAX]: their number, or -(exit status).
 */
int ses_ifaces(struct opts *o, struct attach *at);

/*
 * How each interface is captured, each way --direction asks: our XDP
 * program where there is none, --replace holding the one there, else
 * beside it (fentry/fexit, or TC ingress); TC egress for the way out.
 * Nothing held on failure.
 */
int ses_hold(const struct opts *o, struct probe *kp, struct attach *at, int n);

/*
 * What a command that attaches does before attaching: ses_filter,
 * ses_ifaces, ses_probe, the signal handlers (sig.h), ses_hold, and
 * ses_open with the --duration deadline (*deadline, 0: none).  The
 * number of interfaces in at[], or -(exit status) with nothing held.
 */
int ses_begin(struct inspector *in, struct opts *o, struct probe *kp,
	      struct attach *at, sigset_t *run_mask, __u64 *deadline);

/* Attach in's programs as ses_hold chose, then say "listening on vb
 * (native mode, bpf_link, prog id 42)" (or how else each is captured);
 * on failure the caller detaches. */
int ses_attach(struct attach *at, int n, struct inspector *in);
/* Release what each holds; errors said. */
void ses_detach(struct attach *at, int n);

/* After ses_attach: an fd that is readable when an interface may have
 * gone away (for the command's wait), or -1. */
int ses_watch_fd(void);
/*
 * The interfaces of at[0..n) that went away since the last call: each
 * said ("interface vb went away"), released (its program went with it)
 * and marked gone.  How many of the n are gone in all.
 */
int ses_gone(struct attach *at, int n);

/* The counters at the end (capture, replay): the line scripts parse,
 * then the accounting; or one JSON object.  written: what the output
 * took whole; not_written: what it failed to take. */
void ses_summary(unsigned long written, unsigned long not_written,
		 const __u64 *cnt, int json);
/* The lines a capture, flows and serve share. */
void ses_seen_line(const __u64 *cnt);
void ses_malformed_line(const __u64 *cnt);
/* ,"seen":N,... for every counter, then "}" and a newline. */
void ses_counters_json(const __u64 *cnt);

#endif
