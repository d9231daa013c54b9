// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpinspect's command line: load the embedded XDP object,
 * attach it to one interface, print the events it sends, detach.
 *
 * Only this file prints and exits.  Exit codes: 0 done, 1 runtime
 * failure (privilege, kernel, attach), 2 bad command line or interface.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include "bpf.h"
#include "loader.h"
#include "netlink.h"
#include "output.h"
#include "ringbuf.h"

#ifndef VERSION
#define VERSION "dev"
#endif

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The BPF object, embedded by embed.S. */
extern const char ti_obj[], ti_obj_end[];

enum attach_kind { ATTACH_NONE, ATTACH_LINK, ATTACH_NETLINK };

struct opts {
	const char *iface;
	unsigned long count;
	int json;
	__u32 mode;		/* XDP_FLAGS_{DRV,SKB}_MODE, 0 = auto */
	int replace;
};

struct attach {
	int ifindex;
	enum attach_kind kind;
	__u32 mode;		/* the mode obtained */
	int link_fd;
	int prog_fd;		/* ours, for the netlink detach check */
	int old_fd;		/* program we replaced, restored on exit */
};

struct capture {
	struct out *out;
	unsigned long count;
	unsigned long captured;
};

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("tcpinspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("usage: tcpinspect [-i IFACE] [-c COUNT] [--json] [--mode auto|native|generic]\n"
	      "                  [--replace] [-n] [-h] [--version]\n"
	      "Print the TCP segments arriving on IFACE, seen by an XDP program.\n"
	      "  -i IFACE      interface (default: that of the default route,\n"
	      "                else the first up non-loopback interface)\n"
	      "  -c COUNT      exit after COUNT packets\n"
	      "  --json        one JSON object per packet (NDJSON)\n"
	      "  --mode MODE   XDP mode: native, generic, or auto (native, else generic)\n"
	      "  --replace     replace an XDP program already on IFACE (restored at exit)\n"
	      "  -n            numeric output (always on; accepted for tcpdump habits)\n"
	      "Exit status: 0 done, 1 runtime failure, 2 bad usage or interface.\n", f);
}

/* "-c" or "--mode", for the option whose getopt value is val. */
static const char *opt_name(const struct option *lo, int val)
{
	static char s[32];

	if (strchr("ic", val)) {
		snprintf(s, sizeof(s), "-%c", val);
		return s;
	}
	for (; lo->name; lo++)
		if (lo->val == val)
			break;
	snprintf(s, sizeof(s), "--%s", lo->name ? lo->name : "?");
	return s;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "mode", required_argument, NULL, 'M' },
		{ "replace", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'c':
			errno = 0;
			o->count = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' || !o->count) {
				msg("bad count '%s': want a positive number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'J':
			o->json = 1;
			break;
		case 'M':
			if (!strcmp(optarg, "native"))
				o->mode = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "generic"))
				o->mode = XDP_FLAGS_SKB_MODE;
			else if (!strcmp(optarg, "auto"))
				o->mode = 0;
			else {
				msg("bad mode '%s': want auto, native or generic", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'R':
			o->replace = 1;
			break;
		case 'n':
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("tcpinspect %s\n", VERSION);
			exit(0);
		case ':':
			msg("option %s needs a value", opt_name(longopts, optopt));
			return EXIT_USAGE;
		default:
			msg("unknown option '%s' (see tcpinspect -h)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		msg("unexpected argument '%s' (see tcpinspect -h)", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

/* Test hook: TCPINSPECT_DISABLE=link makes us behave as on a kernel
 * without XDP bpf_link (netlink attach only). */
static int disabled(const char *feature)
{
	const char *s = getenv("TCPINSPECT_DISABLE");
	size_t n = strlen(feature);

	while (s && *s) {
		if (!strncmp(s, feature, n) && (s[n] == ',' || !s[n]))
			return 1;
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
	return 0;
}

static const char *mode_name(__u32 mode)
{
	return mode == XDP_FLAGS_DRV_MODE ? "native" : "generic";
}

static __u32 attached_mode(const struct nl_xdp_info *x)
{
	return x->attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
	       x->attached == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE : 0;
}

static void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, len, "?");
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/*
 * Attach in one mode: link if we may, else netlink.  0 or -errno; the
 * kernel's own explanation (netlink extack only) goes to err.
 */
static int attach_mode(struct attach *a, int prog_fd, __u32 mode, char *err,
		       size_t err_len)
{
	__u32 flags = mode;
	int fd;

	err[0] = 0;
	if (a->old_fd < 0 && !disabled("link")) {
		fd = bpf_link_create(prog_fd, a->ifindex, BPF_XDP, mode);
		if (fd >= 0) {
			a->link_fd = fd;
			a->kind = ATTACH_LINK;
			a->mode = mode;
			return 0;
		}
		/* EINVAL: a kernel without XDP links (< 5.9); try netlink. */
		if (fd != -EINVAL)
			return fd;
	}
	flags |= a->old_fd >= 0 ? XDP_FLAGS_REPLACE : XDP_FLAGS_UPDATE_IF_NOEXIST;
	fd = nl_xdp_set(a->ifindex, prog_fd, a->old_fd, flags, err, err_len);
	if (fd)
		return fd;
	a->kind = ATTACH_NETLINK;
	a->mode = mode;
	a->prog_fd = prog_fd;
	return 0;
}

/* What to say when the kernel (a bpf_link refusal) says nothing itself. */
static const char *attach_hint(int err, __u32 mode)
{
	if ((err == -EOPNOTSUPP || err == -ENOTSUP) && mode == XDP_FLAGS_DRV_MODE)
		return "the driver has no native XDP; try --mode generic";
	if (err == -EBUSY || err == -EEXIST)
		return "another XDP program is attached";
	if (err == -EPERM)
		return "needs root, or CAP_BPF and CAP_NET_ADMIN";
	return NULL;
}

static int attach(struct attach *a, const struct opts *o, int prog_fd)
{
	char kerr[256];
	const char *why;
	__u32 mode = o->mode ? o->mode : XDP_FLAGS_DRV_MODE;
	int ret;

	ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	/* auto: native, else generic (which every interface has). */
	if (ret && !o->mode && ret != -EPERM && ret != -EBUSY && ret != -EEXIST) {
		mode = XDP_FLAGS_SKB_MODE;
		ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	}
	if (ret) {
		why = attach_hint(ret, mode);
		msg("cannot attach to %s in %s mode: %s%s%s%s", o->iface,
		    mode_name(mode), strerror(-ret),
		    *kerr ? " (kernel: " : why ? " (" : "",
		    *kerr ? kerr : why ? why : "", *kerr || why ? ")" : "");
	}
	return ret;
}

static void detach(struct attach *a)
{
	char kerr[256];
	int ret = 0;

	if (a->kind == ATTACH_LINK) {
		close(a->link_fd);
	} else if (a->kind == ATTACH_NETLINK) {
		/* Only if ours is still the one attached; put back what we replaced. */
		ret = nl_xdp_set(a->ifindex, a->old_fd, a->prog_fd,
				 a->mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
		if (ret)
			msg("cannot detach from ifindex %d: %s (kernel: %s)",
			    a->ifindex, strerror(-ret), *kerr ? kerr : "-");
	}
	if (a->old_fd >= 0)
		close(a->old_fd);
	a->old_fd = -1;
	a->kind = ATTACH_NONE;
}

/*
 * Number of possible CPUs, as the kernel sizes per-CPU map values: read
 * one fresh (all-zero) entry into a buffer of 0xff and count the 8-byte
 * slots the kernel overwrote.  Needs no /sys, which an initramfs may lack.
 */
static int possible_cpus(int percpu_fd)
{
	enum { MAX_CPUS = 8192 };
	static __u64 v[MAX_CPUS];
	__u32 key = 0;
	int n;

	memset(v, 0xff, sizeof(v));
	if (bpf_map_lookup_elem(percpu_fd, &key, v))
		return -1;
	for (n = 0; n < MAX_CPUS && v[n] == 0; n++)
		;
	return n;
}

static void read_counters(int fd, int ncpu, __u64 *sum)
{
	__u64 v[ncpu > 0 ? ncpu : 1];
	__u32 key;
	int cpu;

	for (key = 0; key < TI_CNT_MAX; key++) {
		sum[key] = 0;
		if (ncpu <= 0 || bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (cpu = 0; cpu < ncpu; cpu++)
			sum[key] += v[cpu];
	}
}

static int on_event(void *arg, const void *rec, __u32 len)
{
	struct capture *c = arg;

	if (len < sizeof(struct ti_event))
		return 0;
	out_event(c->out, rec);
	c->captured++;
	return c->out->err || (c->count && c->captured >= c->count);
}

/* Refuse to replace a program unless told; with --replace keep its fd. */
static int check_existing(struct attach *a, struct opts *o)
{
	struct nl_xdp_info x;
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int ret;

	ret = nl_xdp_query(a->ifindex, &x);
	if (ret) {
		msg("cannot query XDP state of %s: %s", o->iface, strerror(-ret));
		return EXIT_RUNTIME;
	}
	id = x.prog_id ? x.prog_id : x.drv_prog_id ? x.drv_prog_id : x.skb_prog_id;
	if (x.attached == XDP_ATTACHED_NONE || !id)
		return 0;
	prog_name_by_id(id, name, sizeof(name));
	if (!o->replace) {
		msg("%s already has XDP program %u (%s) attached; not replacing it without --replace",
		    o->iface, id, name);
		return EXIT_RUNTIME;
	}
	if (x.attached == XDP_ATTACHED_MULTI || x.attached == XDP_ATTACHED_HW) {
		msg("%s has XDP programs in several modes or offloaded; --replace handles one",
		    o->iface);
		return EXIT_RUNTIME;
	}
	if (o->mode && o->mode != attached_mode(&x)) {
		msg("program %u on %s is in %s mode; replace it in that mode",
		    id, o->iface, mode_name(attached_mode(&x)));
		return EXIT_RUNTIME;
	}
	a->old_fd = bpf_prog_get_fd_by_id(id);
	if (a->old_fd < 0) {
		msg("cannot take hold of program %u on %s: %s", id, o->iface,
		    strerror(-a->old_fd));
		return EXIT_RUNTIME;
	}
	o->mode = attached_mode(&x);
	msg("replacing XDP program %u (%s) on %s; it is put back at exit",
	    id, name, o->iface);
	return 0;
}

static void setup_signals(sigset_t *run_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	/* Blocked except while waiting in epoll_pwait: no lost wake-up. */
	sigprocmask(SIG_BLOCK, &block, run_mask);
	sigdelset(run_mask, SIGINT);
	sigdelset(run_mask, SIGTERM);
	sigdelset(run_mask, SIGHUP);
	/* SIGPIPE stays blocked: a gone reader shows as EPIPE from write. */
	sigaddset(run_mask, SIGPIPE);
}

int main(int argc, char **argv)
{
	static struct ld_obj obj;
	static struct out out;
	struct opts o = { 0 };
	struct attach a = { .link_fd = -1, .prog_fd = -1, .old_fd = -1 };
	struct capture cap = { .out = &out };
	char err[4096], ifname[IF_NAMESIZE];
	__u64 cnt[TI_CNT_MAX];
	sigset_t run_mask;
	struct rb rb = { .epfd = -1 };
	int ret, stopped = 0, ncpu, status = EXIT_RUNTIME;
	long n;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (o.iface) {
		a.ifindex = if_nametoindex(o.iface);
		if (!a.ifindex) {
			msg("unknown interface '%s'", o.iface);
			return EXIT_USAGE;
		}
	} else {
		a.ifindex = nl_default_ifindex();
		if (a.ifindex < 0 || !if_indextoname(a.ifindex, ifname)) {
			msg("no interface given and none found (no default route, no up interface); use -i");
			return EXIT_USAGE;
		}
		o.iface = ifname;
	}
	setup_signals(&run_mask);
	if (check_existing(&a, &o))
		goto out;

	ret = ld_open(&obj, ti_obj, ti_obj_end - ti_obj, TI_PROG_SEC, err,
		      sizeof(err));
	if (ret) {
		msg("%s", err);
		goto out;
	}
	ncpu = possible_cpus(ld_map_fd(&obj, TI_MAP_COUNTERS));
	ret = rb_open(&rb, ld_map_fd(&obj, TI_MAP_EVENTS),
		      obj.elf.maps[elf_find_map(&obj.elf, TI_MAP_EVENTS)].max_entries);
	if (ret) {
		msg("cannot map the ring buffer: %s", strerror(-ret));
		goto out_obj;
	}
	out_init(&out, STDOUT_FILENO, o.json ? OUT_JSON : OUT_TEXT);
	cap.count = o.count;

	if (attach(&a, &o, obj.prog_fd))
		goto out_rb;
	fprintf(stderr, "listening on %s (%s mode, %s, prog id %u)\n", o.iface,
		mode_name(a.mode), a.kind == ATTACH_LINK ? "bpf_link" : "netlink",
		prog_id(obj.prog_fd));
	status = 0;
	while (!stop_sig && !stopped) {
		n = rb_poll(&rb, 1000, &run_mask, on_event, &cap, &stopped);
		if (n < 0) {
			msg("ring buffer wait failed: %s", strerror(-n));
			status = EXIT_RUNTIME;
			break;
		}
		if (out_flush(&out))
			break;
	}
	detach(&a);
	/* Whatever the program submitted before detach still gets printed. */
	if (!stopped && !out.err)
		rb_consume(&rb, on_event, &cap, &stopped);
	out_flush(&out);
	if (out.err && out.err != -EPIPE) {
		msg("cannot write output: %s", strerror(-out.err));
		status = EXIT_RUNTIME;
	}
	read_counters(ld_map_fd(&obj, TI_MAP_COUNTERS), ncpu, cnt);
	fprintf(stderr, "%lu packets captured, %llu TCP packets seen, %llu lost\n",
		cap.captured, (unsigned long long)cnt[TI_CNT_TCP],
		(unsigned long long)cnt[TI_CNT_LOST]);
out_rb:
	rb_close(&rb);
out_obj:
	ld_close(&obj);
out:
	if (a.kind != ATTACH_NONE || a.old_fd >= 0)
		detach(&a);
	return status;
}
