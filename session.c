// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - the steps capture, flows, replay and serve share (see
 * session.h): interfaces, probe, filter, the embedded program, attach,
 * the counters at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include "netlink.h"
#include "session.h"
#include "sig.h"

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

int ses_open(struct inspector *in, const struct opts *o,
	     const struct probe *kp, __u64 deadline_ns)
{
	struct insp_config cfg = {
		.deadline_ns = deadline_ns,
		.budget = o->count,	/* -c also holds in the kernel */
		/* a file wants whole frames, as with tcpdump -w */
		.snaplen = o->snaplen ? o->snaplen :
			   o->write_path ? TI_SNAP_MAX : TI_SNAP_DEFAULT,
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
	const struct ld_vstats *vs;
	char err[4096], lim[32];
	int ret;

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
	vs = &in->obj.vstats[in->obj.prog - in->obj.elf.progs];
	if (o->verbose && vs->insns)
		msg("program %s: the verifier processed %u instructions (%u states, at most %u at once) in %u us",
		    in->obj.prog->name, vs->insns, vs->states, vs->peak_states, vs->usec);
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

int ses_hold(const struct opts *o, const struct probe *kp, struct attach *at,
	     int n)
{
	char note[256], err[512];
	int i;

	for (i = 0; i < n; i++) {
		/* No XDP bpf_link: netlink, detached by us on every exit path. */
		if (!kp->has[PROBE_LINK])
			at[i].how = HOW_NETLINK;
		if (attach_check(&at[i], o->replace, note, sizeof(note), err, sizeof(err))) {
			msg("%s", err);
			ses_detach(at, i);
			return EXIT_RUNTIME;
		}
		if (*note)
			msg("%s; it is put back at exit", note);
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
	*deadline = o->duration_ns ? mono_ns() + o->duration_ns : 0;
	status = ses_open(in, o, kp, *deadline);
	if (status) {
		ses_detach(at, n_if);
		return -status;
	}
	return n_if;
}

int ses_attach(struct attach *at, int n, int prog_fd)
{
	char err[512];
	int i;

	for (i = 0; i < n; i++)
		if (attach_prog(&at[i], prog_fd, err, sizeof(err))) {
			msg("%s", err);
			return EXIT_RUNTIME;
		}
	fputs("listening on ", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s (%s mode, %s%s", i ? ", " : "", at[i].name,
			attach_mode_name(at[i].mode),
			at[i].kind == ATTACH_LINK ? "bpf_link" : "netlink",
			n > 1 ? ")" : "");
	fprintf(stderr, ", prog id %u%s\n", prog_id(prog_fd), n > 1 ? "" : ")");
	return 0;
}

void ses_detach(struct attach *at, int n)
{
	char err[512];
	int i;

	for (i = 0; i < n; i++)
		if ((at[i].kind != ATTACH_NONE || at[i].old_fd >= 0) &&
		    attach_undo(&at[i], err, sizeof(err)))
			msg("%s", err);
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
	fprintf(stderr, "%llu malformed: %llu bad IP header length, %llu bad TCP data offset, %llu bad IP length, %llu truncated, %llu too many IPv6 extension headers\n",
		(unsigned long long)c[TI_CNT_MALFORMED],
		(unsigned long long)c[TI_CNT_BAD_IHL],
		(unsigned long long)c[TI_CNT_BAD_DOFF],
		(unsigned long long)c[TI_CNT_BAD_LEN],
		(unsigned long long)c[TI_CNT_TRUNCATED],
		(unsigned long long)c[TI_CNT_BAD_EXT]);
}

/*
 * Every matched packet is written, lost, sampled out, over the -c
 * budget or after --duration; at exit nothing is in flight, so the sum
 * is exact.
 */
void ses_summary(unsigned long written, const __u64 *c, int json)
{
	if (json) {
		fprintf(stderr, "{\"written\":%lu", written);
		ses_counters_json(c);
		return;
	}
	fprintf(stderr, "%lu packets captured, %llu TCP packets seen, %llu lost\n",
		written, (unsigned long long)c[TI_CNT_TCP],
		(unsigned long long)c[TI_CNT_LOST]);
	ses_seen_line(c);
	fprintf(stderr, "%llu matched = %lu written + %llu lost + %llu sampled out + %llu over the -c budget + %llu after --duration\n",
		(unsigned long long)c[TI_CNT_MATCHED], written,
		(unsigned long long)c[TI_CNT_LOST],
		(unsigned long long)c[TI_CNT_SAMPLED],
		(unsigned long long)c[TI_CNT_BUDGET],
		(unsigned long long)c[TI_CNT_EXPIRED]);
	ses_malformed_line(c);
}
