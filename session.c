// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - the steps capture, flows, replay and serve share (see
 * session.h): interfaces, probe, filter, the embedded program, attach,
 * the counters at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "export.h"
#include "guard.h"
#include "netlink.h"
#include "session.h"
#include "sig.h"

/* What this process's run holds besides its interfaces (one run per
 * process): the guardian of its attachments, a socket that hears of
 * interfaces going away, the tracing programs loaded per XDP program
 * traced, and (from ses_begin) the interfaces. */
static struct guard ses_guard = GUARD_INIT;
static int ses_watch = -1;
static struct ses_trace {
	__u32 target_id;
	int entry_fd, exit_fd;
	int owner;		/* the interface whose trace_hook holds the links */
} ses_traces[OPTS_IF_MAX];
static int ses_trace_cnt;
static struct attach *ses_at;
static int ses_n;
static int ses_fentry_known;	/* probe_fentry() ran: it costs a trampoline */
static int ses_lock_fd = -1;	/* ses_lock() */

/*
 * From looking at the interfaces (ses_hold) to attaching (ses_attach)
 * other tcpinspects in this network namespace wait: two captures
 * starting at once would both find no XDP program, and the second one's
 * XDP attach would fail instead of going to TC ingress beside the first.
 * The lock file is removed by its holder when done, so one that was
 * removed while we waited for it is no lock: take the new one.  Best
 * effort: without /run/tcpinspect nothing waits, nor after 5 s of
 * waiting (a holder that was stopped).  The kernel releases
 * the lock if we die (the file stays, harmless, until the next one).
 */
static char ses_lock_path[96];

static void ses_lock(void)
{
	struct stat st, fst;
	int i, fd, waited = 0;

	if (ses_lock_fd >= 0)
		return;
	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	snprintf(ses_lock_path, sizeof(ses_lock_path),
		 "/run/tcpinspect/attach-%lu.lock", (unsigned long)st.st_ino);
	mkdir("/run/tcpinspect", 0700);
	for (i = 0; i < 100; i++) {
		fd = open(ses_lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return;
		/* at most 5 s: a holder that is stopped must not stop us */
		while (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK &&
		       waited++ < 500)
			usleep(10000);
		if (waited > 500) {
			close(fd);
			return;
		}
		if (!fstat(fd, &fst) && !stat(ses_lock_path, &st) &&
		    st.st_ino == fst.st_ino && st.st_dev == fst.st_dev) {
			ses_lock_fd = fd;
			return;
		}
		close(fd);
	}
}

static void ses_unlock(void)
{
	if (ses_lock_fd < 0)
		return;
	unlink(ses_lock_path);
	/* unlocked before closing: the guardian, forked meanwhile, shares
	 * the open file until it closes what it does not keep */
	flock(ses_lock_fd, LOCK_UN);
	close(ses_lock_fd);
	ses_lock_fd = -1;
}

/* The entry points the interfaces' hooks need (INSP_*). */
static unsigned int ses_progs(const struct attach *at, int n)
{
	unsigned int p = 0;
	int i;

	for (i = 0; i < n; i++) {
		p |= at[i].in == HOOK_XDP ? INSP_XDP :
		     at[i].in == HOOK_TRACE ? INSP_TRACE :
		     at[i].in != HOOK_NONE ? INSP_TC_IN : 0;
		p |= at[i].out != HOOK_NONE ? INSP_TC_OUT : 0;
		/* --replace holds the old program even without a hook */
	}
	return p ? p : INSP_XDP;
}

__u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * NS_PER_S + t.tv_nsec;
}

int ses_iface_index(const struct opts *o, int *ifindex)
{
	*ifindex = if_nametoindex(o->iface);
	if (!*ifindex) {
		msg("unknown interface '%s'", o->iface);
		return EXIT_USAGE;
	}
	return 0;
}

const char *ses_lim_str(unsigned long long v, char *buf, size_t len)
{
	if (v == ~0ull)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu KiB", v >> 10);
	return buf;
}

int ses_probe(const struct opts *o, struct probe *kp)
{
	char err[512], off[256], was[32], now[32];
	size_t used = 0;
	int ret, f;

	memset(kp, 0, sizeof(*kp));
	if (probe_disable(kp, err, sizeof(err))) {
		msg("%s", err);
		return EXIT_USAGE;
	}
	ret = probe_kernel(kp, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return EXIT_RUNTIME;
	}
	off[0] = 0;
	for (f = 0; f < PROBE_CNT && used < sizeof(off); f++)
		if (kp->off[f])
			used += snprintf(off + used, sizeof(off) - used, "%s%s",
					 used ? ", " : "", probe_names[f]);
	if (o->verbose && *off)
		msg("TCPINSPECT_DISABLE: treating as missing: %s", off);
	if (!kp->has[PROBE_MEMCG] && o->verbose)
		msg("this kernel charges BPF memory to RLIMIT_MEMLOCK: raised it from %s to %s%s%s%s",
		    ses_lim_str(kp->memlock_was, was, sizeof(was)),
		    ses_lim_str(kp->memlock_now, now, sizeof(now)),
		    kp->memlock_err ? " (the hard limit; unlimited: " : "",
		    kp->memlock_err ? strerror(-kp->memlock_err) : "",
		    kp->memlock_err ? ")" : "");
	if (o->cmd == CMD_LOAD || o->cmd == CMD_PROBE)
		return 0;
	ret = probe_require(kp, o->cmd == CMD_FLOWS || o->cmd == CMD_SERVE, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

int ses_filter(struct inspector *in, const struct opts *o)
{
	char err[512];
	int ret;

	if (!o->filter)
		return 0;
	ret = insp_filter(in, o->filter, o->cmd != CMD_REPLAY, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return ret == -EINVAL || ret == -E2BIG ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (in->filter_flags & FLT_NEVER)
		msg("warning: the expression can match no TCP segment (only other "
		    "packets, or none): nothing will be shown");
	return 0;
}

__u32 ses_snaplen(const struct opts *o)
{
	if (o->snaplen)
		return o->snaplen;
	/* A file wants whole frames, as with tcpdump -w; so does what the
	 * JSON summaries, -v's checksum and the dumps show. */
	if (o->write_path || o->json || o->verbose || o->hex || o->ascii)
		return TI_SNAP_MAX;
	return TI_SNAP_DEFAULT;
}

void ses_out(struct out *out, const struct opts *o)
{
	out->hex = o->hex;
	out->ascii = o->ascii;
	out->tflag = o->tflag;
	out->number = o->number;
	out->line_buffered = o->line_buf || o->packet_buf;
	out->pr.verbose = o->verbose;
	out->pr.eflag = o->link;
	out->pr.qflag = o->quiet;
	out->pr.Kflag = o->no_cksum;
	if (o->absolute)
		out->pr.seq = NULL;
}

/* -v: the verifier's figures for program i, if it was loaded with them. */
static void say_vstats(const struct inspector *in, __u32 i)
{
	const struct ld_vstats *vs = &in->obj.vstats[i];

	if (vs->insns)
		msg("program %s: the verifier processed %u instructions (%u states, at most %u at once) in %u us",
		    in->obj.elf.progs[i].name, vs->insns, vs->states,
		    vs->peak_states, vs->usec);
}

int ses_open(struct inspector *in, const struct opts *o,
	     const struct probe *kp, __u64 deadline_ns)
{
	struct insp_config cfg = {
		.deadline_ns = deadline_ns,
		.budget = o->count,	/* -c also holds in the kernel */
		.snaplen = ses_snaplen(o),
		.sample = o->sample,
		.ring_len = o->buffer,
		.log_fn = o->verbose ? log_line : NULL,
		.stats = o->verbose,
		/* The table flows reads; the others need none (1 entry). */
		.flows_max = 1,
		.probe = kp,
		/* replay passes each record's original length along */
		.replay = o->cmd == CMD_REPLAY,
	};
	char err[4096], lim[32];
	__u32 i;
	int ret;

	cfg.progs = ses_progs(ses_at, ses_n);
	if (o->cmd == CMD_FLOWS) {
		/* No events: the smallest buffer the kernel takes. */
		cfg.mode = TI_MODE_FLOWS;
		cfg.ring_len = sysconf(_SC_PAGESIZE);
		cfg.flows_max = o->flows_max;
	} else if (o->cmd == CMD_SERVE) {
		/* Events count packets per interface: no frame bytes. */
		cfg.mode = TI_MODE_FLOWS | TI_MODE_EVENTS;
		cfg.snaplen = 0;
		cfg.flows_max = o->flows_max;
	}
	ret = insp_open(in, &cfg, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		if (ret == -EPERM && !kp->has[PROBE_MEMCG])
			msg("this kernel charges BPF memory to RLIMIT_MEMLOCK, now %s: raise it (ulimit -l unlimited, or CAP_SYS_RESOURCE)",
			    ses_lim_str(kp->memlock_now, lim, sizeof(lim)));
		return EXIT_RUNTIME;
	}
	if (o->verbose && in->obj.note[0])
		msg("%s", in->obj.note);
	for (i = 0; i < in->obj.elf.prog_cnt; i++)
		if (o->verbose && in->obj.prog_fds[i] >= 0)
			say_vstats(in, i);
	return 0;
}

int ses_events(const struct inspector *in, struct evbuf *eb)
{
	int ret = insp_events_open(in, eb);

	if (!ret)
		return 0;
	msg("cannot map the %s: %s%s", in->perf ? "perf buffers" : "ring buffer",
	    strerror(-ret), in->perf && (ret == -EACCES || ret == -EPERM) ?
	    " (perf events need root, or CAP_PERFMON)" : "");
	return EXIT_RUNTIME;
}

struct up_ifaces {
	struct attach *at;
	int cnt;
	__u32 want;
};

static int add_up(const struct nl_xdp_info *x, void *arg)
{
	struct up_ifaces *u = arg;

	if (!(x->if_flags & IFF_UP) || u->cnt >= OPTS_IF_MAX)
		return 0;
	attach_init(&u->at[u->cnt++], x->ifname, x->ifindex, u->want,
		    HOW_LINK_ELSE_NETLINK);
	return 0;
}

int ses_ifaces(struct opts *o, struct attach *at)
{
	static char dflt[IF_NAMESIZE];
	struct up_ifaces u = { .at = at, .want = o->mode };
	int i, j, ret, ifindex;

	if (!o->iface_cnt) {
		ifindex = nl_default_ifindex();
		if (ifindex < 0 || !if_indextoname(ifindex, dflt)) {
			msg("no interface given and none found (no default route, no up interface); use -i");
			return -EXIT_USAGE;
		}
		o->iface = dflt;
		attach_init(&at[0], dflt, ifindex, o->mode, HOW_LINK_ELSE_NETLINK);
		return 1;
	}
	for (i = 0; i < o->iface_cnt; i++)
		if (!strcmp(o->ifaces[i], "any")) {
			if (o->iface_cnt > 1) {
				msg("-i any stands alone: it means every interface that is up");
				return -EXIT_USAGE;
			}
			ret = nl_xdp_dump(add_up, &u);
			if (ret || !u.cnt) {
				msg("-i any: %s", ret ? strerror(-ret) : "no interface is up");
				return -EXIT_RUNTIME;
			}
			return u.cnt;
		}
	for (i = 0; i < o->iface_cnt; i++) {
		ifindex = if_nametoindex(o->ifaces[i]);
		if (!ifindex) {
			msg("unknown interface '%s'", o->ifaces[i]);
			return -EXIT_USAGE;
		}
		for (j = 0; j < i; j++)
			if (at[j].ifindex == ifindex) {
				msg("interfaces %s and %s are the same one", at[j].name,
				    o->ifaces[i]);
				return -EXIT_USAGE;
			}
		attach_init(&at[i], o->ifaces[i], ifindex, o->mode, HOW_LINK_ELSE_NETLINK);
	}
	return o->iface_cnt;
}

/*
 * How a's incoming segments are captured beside the XDP program there:
 * fentry/fexit on it (its verdicts too) where that works, else at TC
 * ingress, after it (a->why says why, and what is not seen).  Another
 * capture's program is never traced: it goes when that capture stops.
 */
static void beside_hook(struct attach *a, struct probe *kp, int verbose)
{
	char err[sizeof(a->why)];
	const char *tc = kp->has[PROBE_TCX] ? "tcx" : "tc";

	a->in = HOOK_TRACE;
	if (a->beside_ours) {
		snprintf(a->why, sizeof(a->why), "it is another capture's, which may stop first");
	} else if (!(ses_fentry_known++ ? kp->has[PROBE_FENTRY] : probe_fentry(kp))) {
		snprintf(a->why, sizeof(a->why), "no fentry/fexit on XDP programs here (%s)",
			 kp->fentry_why);
	} else if (trace_target(&a->trace, a->beside_id, err, sizeof(err))) {
		snprintf(a->why, sizeof(a->why), "%s", err);
	} else {
		return;
	}
	a->in = kp->has[PROBE_TCX] ? HOOK_TCX : HOOK_TC;
	if (verbose)
		msg("%s: XDP program %u (%s) is attached; capturing at %s ingress, after it: %s",
		    a->name, a->beside_id, a->beside_name, tc, a->why);
}

int ses_hold(const struct opts *o, struct probe *kp, struct attach *at, int n)
{
	char note[256], err[512];
	int i, dir = o->direction ? o->direction : OPTS_DIR_IN, any_if, hooks = 0;
	struct nl_xdp_info x;

	any_if = o->iface_cnt == 1 && !strcmp(o->ifaces[0], "any");
	ses_lock();	/* up to ses_attach */
	for (i = 0; i < n; i++) {
		struct attach *a = &at[i];

		/* No XDP bpf_link: netlink, detached by us on every exit path. */
		if (!kp->has[PROBE_LINK])
			a->how = HOW_NETLINK;
		a->in = dir & OPTS_DIR_IN ? HOOK_XDP : HOOK_NONE;
		a->out = HOOK_NONE;
		if (dir & OPTS_DIR_OUT) {
			/* On loopback every packet arrives as well: tcpdump
			 * shows each once, incoming, and none with -Q out
			 * (-i any -Q out: none of lo's), so neither do we. */
			if (!nl_xdp_query(a->ifindex, &x) && (x.if_flags & IFF_LOOPBACK)) {
				if (!(dir & OPTS_DIR_IN) && !any_if) {
					msg("%s is a loopback interface: every packet on it arrives there too, and is captured as incoming (tcpdump -Q out shows none either); use --direction in or both",
					    a->name);
					ses_detach(at, i);
					return EXIT_USAGE;
				}
			} else {
				a->out = kp->has[PROBE_TCX] ? HOOK_TCX : HOOK_TC;
			}
		}
		hooks |= a->in != HOOK_NONE || a->out != HOOK_NONE;
		if (a->in == HOOK_NONE)
			continue;
		if (attach_check(a, o->replace, 1, note, sizeof(note), err, sizeof(err))) {
			msg("%s", err);
			ses_detach(at, i);
			return EXIT_RUNTIME;
		}
		if (*note)
			msg("%s; it is put back at exit", note);
		if (a->beside_id)
			beside_hook(a, kp, o->verbose);
	}
	if (!hooks) {
		msg("nothing leaves a loopback interface, and -i any found no other that is up: nothing to capture with --direction out");
		ses_detach(at, n);
		return EXIT_USAGE;
	}
	return 0;
}

int ses_begin(struct inspector *in, struct opts *o, struct probe *kp,
	      struct attach *at, sigset_t *run_mask, __u64 *deadline)
{
	int n_if, status;

	status = ses_filter(in, o);
	if (status)
		return -status;
	n_if = ses_ifaces(o, at);
	if (n_if < 0)
		return n_if;
	status = ses_probe(o, kp);
	if (status)
		return -status;
	sig_setup(run_mask);
	status = ses_hold(o, kp, at, n_if);
	if (status)
		return -status;
	ses_at = at;
	ses_n = n_if;
	*deadline = o->duration_ns ? mono_ns() + o->duration_ns : 0;
	status = ses_open(in, o, kp, *deadline);
	if (status) {
		ses_detach(at, n_if);
		return -status;
	}
	return n_if;
}

/* fentry/fexit on a's XDP program: loaded once per program traced (an
 * XDP program on several interfaces is traced once), reporting a. */
static int trace_hook(struct inspector *in, struct attach *a, int i, char *err,
		      size_t err_len)
{
	struct ses_trace *t;
	int k, ret;

	ret = insp_trace_iface(in, a->ifindex);
	if (ret) {
		snprintf(err, err_len, "cannot add %s to the traced interfaces: %s",
			 a->name, strerror(-ret));
		return ret;
	}
	for (k = 0; k < ses_trace_cnt; k++)
		if (ses_traces[k].target_id == a->trace.target_id) {
			trace_detach(&a->trace);	/* the first one holds it */
			a->trace.target_id = ses_traces[k].target_id;
			return 0;
		}
	t = &ses_traces[ses_trace_cnt];
	ret = insp_trace_load(in, a->trace.target_fd, a->trace.btf_id,
			      &t->entry_fd, &t->exit_fd, err, err_len);
	if (ret)
		return ret;
	t->target_id = a->trace.target_id;
	t->owner = i;
	ses_trace_cnt++;
	if (in->obj.stats) {	/* -v */
		const struct elf_prog *p;

		if ((p = elf_find_prog(&in->obj.elf, TI_PROG_ENTRY)))
			say_vstats(in, p - in->obj.elf.progs);
		if ((p = elf_find_prog(&in->obj.elf, TI_PROG_EXIT)))
			say_vstats(in, p - in->obj.elf.progs);
	}
	return trace_attach(&a->trace, t->entry_fd, t->exit_fd, err, err_len);
}

/* "vb (native mode, bpf_link" and the like: how a is captured. */
static void say_hooks(const struct attach *a, int many)
{
	const char *out = a->out == HOOK_TCX ? "tcx egress" :
			  a->out == HOOK_TC ? "tc egress" : NULL;

	fprintf(stderr, "%s (", a->name);
	switch (a->in) {
	case HOOK_XDP:
		fprintf(stderr, "%s mode, %s", attach_mode_name(a->mode),
			a->kind == ATTACH_LINK ? "bpf_link" : "netlink");
		break;
	case HOOK_TRACE:
		fprintf(stderr, "fentry/fexit on XDP program %u (%s): its verdicts shown",
			a->beside_id, a->beside_name);
		break;
	case HOOK_TCX:
	case HOOK_TC:
		fprintf(stderr, "%s ingress", a->in == HOOK_TCX ? "tcx" : "tc");
		if (a->beside_ours)
			fprintf(stderr, " beside another capture (XDP program %u)",
				a->beside_id);
		else if (a->beside_id)
			fprintf(stderr, " after XDP program %u (%s): packets %s's XDP program drops are not seen",
				a->beside_id, a->beside_name, a->name);
		break;
	default:
		break;
	}
	if (out)
		fprintf(stderr, "%s%s", a->in != HOOK_NONE ? ", " : "", out);
	else if (a->in == HOOK_NONE)
		fputs("nothing: its packets all arrive", stderr);
	if (many)
		fputs(")", stderr);
}

int ses_attach(struct attach *at, int n, struct inspector *in)
{
	const int progs[3] = { in->prog_fd, in->tc_in_fd, in->tc_out_fd };
	char err[512];
	int i, ret, tcx, guarded = 0, id_fd;

	/* Listening before attaching: an interface that goes away later
	 * is heard of. */
	ses_watch = nl_link_watch();
	if (ses_watch < 0) {
		msg("cannot watch the interfaces over netlink: %s", strerror(-ses_watch));
		return EXIT_RUNTIME;
	}
	/* Before anything is attached: whatever ends us, a netlink
	 * attachment, a replaced program or a cls_bpf filter is put right
	 * (guard.h). */
	ret = guard_start(&ses_guard, at, n, progs, 3, log_line, NULL);
	for (i = 0; ret && i < n; i++) {
		if (at[i].in == HOOK_TC || at[i].out == HOOK_TC ||
		    (at[i].in == HOOK_XDP &&
		     (at[i].how != HOW_LINK_ELSE_NETLINK || at[i].old_fd >= 0))) {
			msg("cannot start the guardian that would undo a netlink attachment to %s if tcpinspect were killed: %s",
			    at[i].name, strerror(-ret));
			return EXIT_RUNTIME;
		}
		at[i].how = HOW_LINK;	/* a link needs no guardian */
	}
	for (i = 0; i < n; i++) {
		struct attach *a = &at[i];

		guard_arm(&ses_guard, i);
		ret = 0;
		if (a->in == HOOK_XDP)
			ret = attach_prog(a, in->prog_fd, err, sizeof(err));
		else if (a->in == HOOK_TRACE)
			ret = trace_hook(in, a, i, err, sizeof(err));
		else if (a->in == HOOK_TCX || a->in == HOOK_TC)
			ret = tc_hook_attach(&a->tc[0], a->ifindex, 1, in->tc_in_fd,
					     a->in == HOOK_TCX, NULL, err, sizeof(err));
		if (!ret && a->out != HOOK_NONE)
			ret = tc_hook_attach(&a->tc[1], a->ifindex, 0, in->tc_out_fd,
					     a->out == HOOK_TCX, NULL, err, sizeof(err));
		if (ret) {
			msg("%s: %s", a->name, err);
			ses_unlock();
			return EXIT_RUNTIME;
		}
		tcx = (a->in != HOOK_TC && a->out != HOOK_TC);
		guarded |= !tcx || (a->in == HOOK_XDP &&
				    (a->kind != ATTACH_LINK || a->old_fd >= 0));
	}
	ses_unlock();
	/* bpf_links alone go with the process: the guardian has nothing to do. */
	if (!guarded)
		guard_stop(&ses_guard);
	fputs("listening on ", stderr);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", stderr);
		say_hooks(&at[i], n > 1);
	}
	/* the program that captures the first interface's incoming half */
	id_fd = at[0].in == HOOK_XDP ? in->prog_fd :
		at[0].in == HOOK_TRACE && ses_trace_cnt ? ses_traces[0].entry_fd :
		at[0].in != HOOK_NONE ? in->tc_in_fd : in->tc_out_fd;
	fprintf(stderr, ", prog id %u%s\n", prog_id(id_fd), n > 1 ? "" : ")");
	return 0;
}

/* Everything a holds, released. */
static int undo_all(struct attach *a, char *err, size_t err_len)
{
	int ret = 0, k;

	if ((a->kind != ATTACH_NONE || a->old_fd >= 0) &&
	    attach_undo(a, err, err_len))
		ret = -1;
	for (k = 0; k < 2; k++)
		if (a->tc[k].kind != HOOK_NONE &&
		    tc_hook_detach(&a->tc[k], a->ifindex, err, err_len))
			ret = -1;
	trace_detach(&a->trace);
	return ret;
}

void ses_detach(struct attach *at, int n)
{
	char err[512];
	int i;

	ses_unlock();	/* a run refused before ses_attach still holds it */

	for (i = 0; i < n; i++)
		if (undo_all(&at[i], err, sizeof(err)))
			msg("%s", err);
	for (i = 0; i < ses_trace_cnt; i++) {
		close(ses_traces[i].entry_fd);
		close(ses_traces[i].exit_fd);
	}
	ses_trace_cnt = 0;
	guard_stop(&ses_guard);
	if (ses_watch >= 0)
		close(ses_watch);
	ses_watch = -1;
}

/* flows --ipfix/--netflow9 and serve's: the exporter as the options say,
 * opened before attaching (a bad collector leaves nothing). */
int ses_export_open(struct export *ex, const struct opts *o,
		    const struct attach *at, int n_if, size_t flows_max)
{
	struct export_cfg ec = {
		.version = o->ipfix ? IPFIX_V10 : IPFIX_NF9,
		.dest = o->ipfix ? o->ipfix : o->netflow9,
		.active_ns = o->active_ns ? o->active_ns : 60 * NS_PER_S,
		.idle_ns = o->idle_ns ? o->idle_ns : 15 * NS_PER_S,
		/* the interface observed: its index, the domain's too */
		.ifindex = n_if == 1 ? at[0].ifindex : 0,
		.domain = n_if == 1 ? at[0].ifindex : 0,
		.flows_max = flows_max,
	};
	char err[256];
	int ret = export_open(ex, &ec, err, sizeof(err));

	if (!ret)
		return 0;
	msg("%s", err);
	return ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

int ses_watch_fd(void)
{
	return ses_watch;
}

struct gone_arg {
	struct attach *at;
	int n;
};

static void mark_gone(int ifindex, void *arg)
{
	struct gone_arg *g = arg;
	int i;

	for (i = 0; i < g->n; i++)
		if (g->at[i].ifindex == ifindex && !g->at[i].gone)
			g->at[i].gone = -1;	/* heard of, not said yet */
}

int ses_gone(struct attach *at, int n)
{
	struct gone_arg g = { at, n };
	struct nl_xdp_info x;
	char err[512];
	int i, cnt = 0;

	if (ses_watch < 0)
		return 0;
	/* The kernel dropped notices: ask about each interface. */
	if (nl_link_gone(ses_watch, mark_gone, &g) == -ENOBUFS)
		for (i = 0; i < n; i++)
			if (!at[i].gone && nl_xdp_query(at[i].ifindex, &x) == -ENODEV)
				at[i].gone = -1;
	for (i = 0; i < n; i++) {
		if (at[i].gone < 0) {
			msg("interface %s went away", at[i].name);
			if (undo_all(&at[i], err, sizeof(err)))
				msg("%s", err);
			at[i].gone = 1;
		}
		cnt += at[i].gone;
	}
	return cnt;
}

void ses_counters_json(const __u64 *c)
{
	int i;

	for (i = 0; i < TI_CNT_MAX; i++)
		fprintf(stderr, ",\"%s\":%llu", insp_counter_names[i],
			(unsigned long long)c[i]);
	fputs("}\n", stderr);
}

void ses_seen_line(const __u64 *c)
{
	fprintf(stderr, "%llu packets seen, %llu matched, %llu filtered out, %llu later fragments\n",
		(unsigned long long)c[TI_CNT_SEEN],
		(unsigned long long)c[TI_CNT_MATCHED],
		(unsigned long long)c[TI_CNT_FILTERED],
		(unsigned long long)c[TI_CNT_FRAGMENT]);
}

void ses_malformed_line(const __u64 *c)
{
	fprintf(stderr, "%llu malformed: %llu bad IP header length, %llu bad TCP data offset, %llu bad IP length, %llu truncated, %llu too many IPv6 extension headers, %llu bad IP version\n",
		(unsigned long long)c[TI_CNT_MALFORMED],
		(unsigned long long)c[TI_CNT_BAD_IHL],
		(unsigned long long)c[TI_CNT_BAD_DOFF],
		(unsigned long long)c[TI_CNT_BAD_LEN],
		(unsigned long long)c[TI_CNT_TRUNCATED],
		(unsigned long long)c[TI_CNT_BAD_EXT],
		(unsigned long long)c[TI_CNT_BAD_VER]);
}

/*
 * Every matched packet is written, not written (the output failed),
 * lost, sampled out, over the -c budget or after --duration; at exit
 * nothing is in flight, so the sum is exact.
 */
void ses_summary(unsigned long written, unsigned long not_written,
		 const __u64 *c, int json)
{
	if (json) {
		fprintf(stderr, "{\"written\":%lu,\"not_written\":%lu", written,
			not_written);
		ses_counters_json(c);
		return;
	}
	fprintf(stderr, "%lu packets captured, %llu TCP packets seen, %llu lost\n",
		written, (unsigned long long)c[TI_CNT_TCP],
		(unsigned long long)c[TI_CNT_LOST]);
	ses_seen_line(c);
	fprintf(stderr, "%llu matched = %lu written + %lu not written (output failed) + %llu lost + %llu sampled out + %llu over the -c budget + %llu after --duration\n",
		(unsigned long long)c[TI_CNT_MATCHED], written, not_written,
		(unsigned long long)c[TI_CNT_LOST],
		(unsigned long long)c[TI_CNT_SAMPLED],
		(unsigned long long)c[TI_CNT_BUDGET],
		(unsigned long long)c[TI_CNT_EXPIRED]);
	ses_malformed_line(c);
}
