// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpinspect's command line.  By default: load the embedded XDP
 * object, attach it to one interface, print the events it sends, detach.
 * `load` attaches a user's object and leaves it attached, `unload`
 * detaches whatever is on an interface, `show` lists what is attached,
 * `replay` runs a capture file's frames through the embedded program
 * with BPF_PROG_TEST_RUN and prints them as a capture would.  `flows`
 * attaches it as a capture does, but only to count connections in its
 * in-kernel flow table, which it reads and prints as a table.  `probe`
 * says what the kernel offers and what is used where it is missing.
 * All of them share one attach policy: never replace a program without
 * --replace, never remove a program we did not see.
 *
 * Only this file prints and exits.  Exit codes: 0 done, 1 runtime
 * failure (privilege, kernel, attach), 2 bad command line, interface
 * or file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <pwd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include "api.h"
#include "bpf.h"
#include "evbuf.h"
#include "flows.h"
#include "inspector.h"
#include "loader.h"
#include "netlink.h"
#include "output.h"
#include "writer.h"
#include "pcap.h"
#include "probe.h"
#include "replay.h"
#include "srv.h"

#ifndef VERSION
#define VERSION "dev"
#endif

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define NS_PER_S	1000000000ull
#define MAX_IFACES	64	/* -i given, or up with -i any */
#define FLOWS_TOP	20	/* flows: rows of a text table by default */
#define FLOWS_MAX	(1u << 22)	/* flows --flows: most entries */

enum cmd { CMD_CAPTURE, CMD_LOAD, CMD_UNLOAD, CMD_SHOW, CMD_REPLAY, CMD_FLOWS,
	   CMD_PROBE, CMD_SERVE };

static const char *const cmd_names[] = { "capture", "load", "unload", "show",
					  "replay", "flows", "probe", "serve" };

/* getopt values each command accepts (see longopts in parse_opts). */
static const char *const cmd_opts[] = {
	[CMD_CAPTURE] = "icJMRnvhVsxXDABTwCWgf",
	[CMD_LOAD] = "iMRSPpvhV",
	[CMD_UNLOAD] = "iphV",
	[CMD_SHOW] = "hV",
	[CMD_REPLAY] = "cJnvhVsxXA",
	[CMD_FLOWS] = "iJMRnvhVDNOLF",
	[CMD_PROBE] = "ihV",
	[CMD_SERVE] = "iMRvhVFlKGUQ",
};

struct opts {
	enum cmd cmd;
	const char *iface;
	unsigned long count;
	const char *ifaces[MAX_IFACES];	/* capture: every -i */
	int iface_cnt;
	__u64 duration_ns;	/* --duration */
	__u32 sample;		/* --sample */
	__u32 buffer;		/* --buffer */
	__u64 stats_ns;		/* --stats interval */
	const char *write_path;	/* -w */
	int pcapng;		/* --pcapng */
	int force;		/* --force */
	__u64 rotate_size;	/* -C */
	__u32 rotate_cnt;	/* -W */
	__u32 snaplen;		/* -s */
	int hex;		/* -x 1, -X 2 */
	char *filter;		/* the remaining arguments, joined */
	int json;
	__u32 mode;		/* XDP_FLAGS_{DRV,SKB}_MODE, 0 = auto */
	int replace;
	int verbose;
	const char *obj_path;	/* load */
	const char *pcap_path;	/* replay */
	const char *section;	/* load --section */
	const char *prog;	/* load --prog */
	const char *pin_dir;	/* load, unload --pin */
	__u32 top;		/* flows --top; 0: FLOWS_TOP rows, all in JSON */
	enum flow_col sort;	/* flows --sort */
	__u64 interval_ns;	/* flows --interval */
	__u32 flows_max;	/* flows --flows; 0: TI_FLOWS_DEFAULT */
	const char *listen;	/* serve --listen */
	const char *token_file;	/* serve --token-file */
	const char *access_log;	/* serve --access-log */
	const char *user;	/* serve --user */
	__u32 http_timeout_ms;	/* serve --http-timeout */
};

enum attach_kind { ATTACH_NONE, ATTACH_LINK, ATTACH_NETLINK };

/* How we may attach: capture prefers a link, load uses netlink or, with
 * --pin, only a link (a netlink attachment cannot be pinned). */
enum attach_how { HOW_LINK_ELSE_NETLINK, HOW_NETLINK, HOW_LINK };

struct attach {
	const char *name;	/* the interface */
	int ifindex;
	__u32 want;		/* mode asked for: XDP_FLAGS_*_MODE, 0 auto */
	enum attach_how how;
	enum attach_kind kind;
	__u32 mode;		/* the mode obtained */
	int link_fd;
	int prog_fd;		/* ours, for the netlink detach check */
	int old_fd;		/* program we replace; detach() puts it back */
};

struct capture {
	struct out *out;
	struct writer *wr;	/* -w: records go to the file instead */
	unsigned long count;
	unsigned long captured;
	unsigned long over;	/* emitted past -c, left unread: over the budget */
};

/* One program of an interface, in one mode. */
struct xdp_prog {
	__u32 mode;		/* XDP_FLAGS_{DRV,SKB,HW}_MODE */
	__u32 id;
};

static volatile sig_atomic_t stop_sig;

/* What the kernel offers (probe_kernel), for the commands that load. */
static struct probe kp;

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

/* The loader's -v lines. */
static void log_line(void *arg, const char *line)
{
	msg("%s", line);
}

static void usage(FILE *f)
{
	fputs("usage: tcpinspect [-i IFACE] [-c COUNT] [--json] [--mode MODE] [--replace] [-v] [-n]\n"
	      "       tcpinspect load OBJ.o -i IFACE [--section SEC | --prog NAME] [--mode MODE]\n"
	      "                       [--pin DIR] [--replace] [-v]\n"
	      "       tcpinspect unload -i IFACE [--pin DIR]\n"
	      "       tcpinspect show\n"
	      "       tcpinspect probe [-i IFACE]\n"
	      "       tcpinspect replay FILE [-c COUNT] [--json] [-s SNAPLEN] [-x | -X] [-v] [EXPR]\n"
	      "       tcpinspect flows [-i IFACE ...] [--top N] [--sort COLUMN] [--interval S]\n"
	      "                        [--duration S] [--flows N] [--json] [--mode MODE] [EXPR]\n"
	      "       tcpinspect serve [-i IFACE ...] [--listen ADDR:PORT] [--token-file F]\n"
	      "                        [--access-log F] [--user NAME] [--http-timeout S]\n"
	      "                        [--flows N] [--mode MODE] [EXPR]\n"
	      "       tcpinspect -h | --version\n"
	      "Print the TCP segments arriving on IFACE, seen by an XDP program.\n"
	      "  -i IFACE      interface (default: that of the default route,\n"
	      "                else the first up non-loopback interface)\n"
	      "  -c COUNT      exit after COUNT packets\n"
	      "  --json        one JSON object per packet (NDJSON)\n"
	      "  --mode MODE   XDP mode: native, generic, or auto (native, else generic)\n"
	      "  --replace     replace an XDP program already on IFACE (restored at exit)\n"
	      "  -v            say what the loader does\n"
	      "  -n            numeric output (always on; accepted for tcpdump habits)\n"
	      "load: load the XDP program of OBJ.o (the first one, or the one in section\n"
	      "  SEC, or the function NAME) and leave it attached to IFACE, over netlink;\n"
	      "  --replace replaces a program already there (for good).  With --pin DIR\n"
	      "  (a mounted bpffs), attach with a bpf_link pinned at DIR/xdp-link-IFACE,\n"
	      "  and pin maps marked LIBBPF_PIN_BY_NAME under DIR.\n"
	      "unload: detach the XDP programs of IFACE, in every mode, netlink or\n"
	      "  bpf_link; --pin DIR also removes the detached link's pin from DIR.\n"
	      "show: every interface with an XDP program: mode, id, name, tag, link.\n"
	      "replay: run the frames of FILE (pcap or pcapng, Ethernet; - for stdin)\n"
	      "  through the program with BPF_PROG_TEST_RUN and print what it reports,\n"
	      "  as a capture would, with the file's timestamps.\n"
	      "flows: count packets, bytes, SYN, SYN-ACK, FIN and RST per connection\n"
	      "  in the kernel, and print the table at exit (SIGINT, SIGTERM, --duration)\n"
	      "  and every --interval seconds: the top N (default 20; all with --json)\n"
	      "  by COLUMN: packets (default), bytes, syn, synack, fin, rst, first, last.\n"
	      "  --flows N sizes the table (default 65536); the oldest entries are evicted.\n"
	      "probe: each kernel feature tcpinspect can use, found by trying it, and\n"
	      "  what it uses instead where one is missing; with -i, native and generic\n"
	      "  XDP on IFACE (a pass program attached for a moment, only if nothing is).\n"
	      "serve: an HTTP API on ADDR:PORT (default 127.0.0.1:9400): GET /inspect?ip=A,\n"
	      "  /flows?top=N&sort=COLUMN, /stats, /metrics (Prometheus), /openapi.json.\n"
	      "  A non-loopback address needs --token-file (Authorization: Bearer TOKEN).\n"
	      "  --user drops to that user after attaching; one access log line per\n"
	      "  request on stderr or --access-log F.\n"
	      "Exit status: 0 done, 1 runtime failure, 2 bad usage, interface or file.\n", f);
}

/* "-c" or "--mode", for the option whose getopt value is val. */
static const char *opt_name(const struct option *lo, int val)
{
	static char s[32];

	if (strchr("icnvh", val)) {
		snprintf(s, sizeof(s), "-%c", val);
		return s;
	}
	for (; lo->name; lo++)
		if (lo->val == val)
			break;
	snprintf(s, sizeof(s), "--%s", lo->name ? lo->name : "?");
	return s;
}

/*
 * "12" or "1.5" (decimals only if unit > 1) times unit into *v; 0 if
 * 0 < *v <= max, else -1.
 */
static int parse_num(const char *s, unsigned long long unit,
		     unsigned long long max, unsigned long long *v)
{
	unsigned long long whole, frac = 0, div = 1;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	whole = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == '.' && unit > 1) {
		for (end++; *end >= '0' && *end <= '9' && div < unit; end++) {
			frac = frac * 10 + (*end - '0');
			div *= 10;
		}
	}
	if (*end || whole > max / unit)
		return -1;
	*v = whole * unit + frac * (unit / div);
	return *v && *v <= max ? 0 : -1;
}

/* parse_num for an option's value; says what it wants if it is bad. */
static int num_arg(const char *arg, unsigned long long unit,
		   unsigned long long max, const char *what, const char *want,
		   unsigned long long *v)
{
	if (!parse_num(arg, unit, max, v))
		return 0;
	msg("bad %s '%s': want %s", what, arg, want);
	return -1;
}

/* A byte size with an optional k, M or G suffix (powers of 1024). */
static int parse_size(const char *s, unsigned long long *v)
{
	char num[32], *end;
	size_t n = strlen(s);
	unsigned long long unit = 1;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	end = num + n - 1;
	if (*end == 'k' || *end == 'K')
		unit = 1ull << 10;
	else if (*end == 'M')
		unit = 1ull << 20;
	else if (*end == 'G')
		unit = 1ull << 30;
	if (unit > 1)
		*end = 0;
	return parse_num(num, unit, 1ull << 40, v);
}

/* argv[0..argc) joined by spaces, malloc'd; NULL if out of memory. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	*s = 0;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'D' },
		{ "sample", required_argument, NULL, 'A' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "stats", required_argument, NULL, 'T' },
		{ "mode", required_argument, NULL, 'M' },
		{ "replace", no_argument, NULL, 'R' },
		{ "section", required_argument, NULL, 'S' },
		{ "prog", required_argument, NULL, 'P' },
		{ "pin", required_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 'N' },
		{ "sort", required_argument, NULL, 'O' },
		{ "interval", required_argument, NULL, 'L' },
		{ "flows", required_argument, NULL, 'F' },
		{ "pcapng", no_argument, NULL, 'g' },
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 'K' },
		{ "access-log", required_argument, NULL, 'G' },
		{ "user", required_argument, NULL, 'U' },
		{ "http-timeout", required_argument, NULL, 'Q' },
		{ "force", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *cmd = "a capture";
	unsigned long long u;
	unsigned long n;
	char *end;
	int c, i, npos;

	/* A first argument that is not an option names the command. */
	if (argc > 1 && argv[1][0] != '-') {
		for (i = CMD_LOAD; i <= CMD_SERVE; i++)
			if (!strcmp(argv[1], cmd_names[i]))
				break;
		if (i > CMD_SERVE) {
			msg("unknown command '%s': want load, unload, show, replay, flows, probe or serve (see tcpinspect -h)",
			    argv[1]);
			return EXIT_USAGE;
		}
		o->cmd = i;
		cmd = argv[1];
		argc--;
		argv++;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:s:w:C:W:nvhxX", longopts, NULL)) != -1) {
		if (c != ':' && c != '?' && !strchr(cmd_opts[o->cmd], c)) {
			msg("option %s does not apply to %s (see tcpinspect -h)",
			    opt_name(longopts, c), cmd);
			return EXIT_USAGE;
		}
		switch (c) {
		case 'i':
			if (!o->iface)
				o->iface = optarg;
			if (o->iface_cnt >= MAX_IFACES) {
				msg("too many -i (limit %d)", MAX_IFACES);
				return EXIT_USAGE;
			}
			o->ifaces[o->iface_cnt++] = optarg;
			break;
		case 'D':
			if (num_arg(optarg, NS_PER_S, 365 * 86400 * NS_PER_S,
				    "duration",
				    "seconds (decimals allowed), more than 0", &u))
				return EXIT_USAGE;
			o->duration_ns = u;
			break;
		case 'A':
			if (num_arg(optarg, 1, 0xffffffffu,
				    "sample rate",
				    "N, to emit one in N matching packets", &u))
				return EXIT_USAGE;
			o->sample = u;
			break;
		case 'B':
			if (parse_size(optarg, &u) || u < 4096 || u > (1u << 30) || (u & (u - 1))) {
				msg("bad buffer size '%s': want a power of two from 4k to 1G (suffix k, M, G)", optarg);
				return EXIT_USAGE;
			}
			o->buffer = u;
			break;
		case 'T':
			if (num_arg(optarg, NS_PER_S, 86400 * NS_PER_S,
				    "stats interval",
				    "seconds, more than 0", &u))
				return EXIT_USAGE;
			o->stats_ns = u;
			break;
		case 'N':
			if (num_arg(optarg, 1, 0xffffffffu,
				    "--top",
				    "a number of flows, more than 0", &u))
				return EXIT_USAGE;
			o->top = u;
			break;
		case 'O':
			i = flow_col_parse(optarg);
			if (i < 0) {
				msg("bad sort column '%s': want %s", optarg, flow_col_names);
				return EXIT_USAGE;
			}
			o->sort = i;
			break;
		case 'L':
			if (num_arg(optarg, NS_PER_S, 86400 * NS_PER_S,
				    "interval",
				    "seconds, more than 0", &u))
				return EXIT_USAGE;
			o->interval_ns = u;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'K':
			o->token_file = optarg;
			break;
		case 'G':
			o->access_log = optarg;
			break;
		case 'U':
			o->user = optarg;
			break;
		case 'Q':
			if (num_arg(optarg, NS_PER_S, 3600 * NS_PER_S,
				    "HTTP timeout",
				    "seconds (decimals allowed), more than 0", &u))
				return EXIT_USAGE;
			o->http_timeout_ms = u / 1000000 ? u / 1000000 : 1;
			break;
		case 'F':
			if (parse_num(optarg, 1, FLOWS_MAX, &u)) {
				msg("bad flow table size '%s': want 1 to %u entries", optarg, FLOWS_MAX);
				return EXIT_USAGE;
			}
			o->flows_max = u;
			break;
		case 'c':
			errno = 0;
			o->count = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' || !o->count) {
				msg("bad count '%s': want a positive number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' ||
			    n > TI_SNAP_MAX) {
				msg("bad snap length '%s': want 0 (all, up to %u) to %u",
				    optarg, TI_SNAP_MAX, TI_SNAP_MAX);
				return EXIT_USAGE;
			}
			o->snaplen = n ? n : TI_SNAP_MAX;
			break;
		case 'x':
			o->hex = o->hex > 1 ? 2 : 1;
			break;
		case 'w':
			o->write_path = optarg;
			break;
		case 'C':
			if (wr_parse_size(optarg, &o->rotate_size)) {
				msg("bad file size '%s': want millions of bytes, or N with k, M or G", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'W':
			if (num_arg(optarg, 1, 1000000,
				    "file count",
				    "1 to 1000000", &u))
				return EXIT_USAGE;
			o->rotate_cnt = u;
			break;
		case 'g':
			o->pcapng = 1;
			break;
		case 'f':
			o->force = 1;
			break;
		case 'X':
			o->hex = 2;
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
		case 'S':
			o->section = optarg;
			break;
		case 'P':
			o->prog = optarg;
			break;
		case 'p':
			o->pin_dir = optarg;
			break;
		case 'v':
			o->verbose = 1;
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
	npos = argc - optind;
	if (o->cmd == CMD_LOAD && npos >= 1)
		o->obj_path = argv[optind++];
	if (o->cmd == CMD_REPLAY && npos >= 1)
		o->pcap_path = argv[optind++];
	/* A capture's remaining arguments are its filter, as with tcpdump. */
	if ((o->cmd == CMD_CAPTURE || o->cmd == CMD_REPLAY || o->cmd == CMD_FLOWS) &&
	    optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter) {
			msg("out of memory");
			return EXIT_RUNTIME;
		}
		optind = argc;
	}
	if (optind < argc) {
		msg("unexpected argument '%s' (see tcpinspect -h)", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->cmd == CMD_LOAD && !o->obj_path) {
		msg("load needs an object file: tcpinspect load OBJ.o -i IFACE");
		return EXIT_USAGE;
	}
	if (o->cmd == CMD_REPLAY && !o->pcap_path) {
		msg("replay needs a capture file: tcpinspect replay FILE [EXPR]");
		return EXIT_USAGE;
	}
	if ((o->cmd == CMD_LOAD || o->cmd == CMD_UNLOAD) && !o->iface) {
		msg("%s needs an interface: -i IFACE", cmd);
		return EXIT_USAGE;
	}
	if (!o->write_path && (o->rotate_size || o->rotate_cnt || o->pcapng || o->force)) {
		msg("-C, -W, --pcapng and --force go with -w FILE");
		return EXIT_USAGE;
	}
	if (o->rotate_cnt && !o->rotate_size) {
		msg("-W N needs -C SIZE: the files of the ring rotate by size");
		return EXIT_USAGE;
	}
	if (o->section && o->prog) {
		msg("--section and --prog exclude each other: give one");
		return EXIT_USAGE;
	}
	return 0;
}

static const char *lim_str(unsigned long long v, char *buf, size_t len)
{
	if (v == ~0ull)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu KiB", v >> 10);
	return buf;
}

/*
 * Probe the kernel into kp (TCPINSPECT_DISABLE may hide features) and,
 * but for load, refuse early, naming the missing feature, where
 * tcpinspect cannot run; flows needs its table, not events.  0 or an
 * exit status.
 */
static int kernel_probe(const struct opts *o)
{
	char err[512], off[256], was[32], now[32];
	size_t used = 0;
	int ret, f;

	ret = probe_kernel(&kp, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return ret == -EINVAL && !strncmp(err, "TCPINSPECT_DISABLE", 18) ?
		       EXIT_USAGE : EXIT_RUNTIME;
	}
	off[0] = 0;
	for (f = 0; f < PROBE_CNT && used < sizeof(off); f++)
		if (kp.off[f])
			used += snprintf(off + used, sizeof(off) - used, "%s%s",
					 used ? ", " : "", probe_names[f]);
	if (o->verbose && *off)
		msg("TCPINSPECT_DISABLE: treating as missing: %s", off);
	if (!kp.has[PROBE_MEMCG] && o->verbose)
		msg("this kernel charges BPF memory to RLIMIT_MEMLOCK: raised it from %s to %s%s%s%s",
		    lim_str(kp.memlock_was, was, sizeof(was)),
		    lim_str(kp.memlock_now, now, sizeof(now)),
		    kp.memlock_err ? " (the hard limit; unlimited: " : "",
		    kp.memlock_err ? strerror(-kp.memlock_err) : "",
		    kp.memlock_err ? ")" : "");
	if (o->cmd == CMD_LOAD)
		return 0;
	ret = probe_require(&kp, o->cmd == CMD_FLOWS, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

static const char *mode_name(__u32 mode)
{
	return mode == XDP_FLAGS_DRV_MODE ? "native" :
	       mode == XDP_FLAGS_HW_MODE ? "offload" : "generic";
}

static __u32 attached_mode(const struct nl_xdp_info *x)
{
	return x->attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
	       x->attached == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE :
	       x->attached == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE : 0;
}

/* The programs on an interface, one per mode (at most 3); their count. */
static int xdp_progs(const struct nl_xdp_info *x, struct xdp_prog *p)
{
	int n = 0;

	if (x->attached == XDP_ATTACHED_NONE)
		return 0;
	if (x->drv_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_DRV_MODE, x->drv_prog_id };
	if (x->skb_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_SKB_MODE, x->skb_prog_id };
	if (x->hw_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_HW_MODE, x->hw_prog_id };
	/* Kernels before 4.19 report only the one program, without a mode id. */
	if (!n && x->prog_id && attached_mode(x))
		p[n++] = (struct xdp_prog){ attached_mode(x), x->prog_id };
	return n;
}

/* Kernel info of program id: 0 or -errno (EPERM: needs CAP_SYS_ADMIN). */
static int prog_info_by_id(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), ret;

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return fd;
	ret = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return ret;
}

static void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;

	snprintf(name, len, "%s", prog_info_by_id(id, &info) ? "?" : info.name);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/*
 * The XDP bpf_link that holds program prog_id on ifindex: its fd (the
 * caller closes it) and id, -ENOENT if there is none, or -errno.  A link
 * reports only the ifindex, which is per network namespace, so the
 * program id must match as well.
 */
static int xdp_link_find(int ifindex, __u32 prog_id, __u32 *link_id)
{
	struct bpf_link_info info;
	__u32 id = 0, len;
	int fd, ret;

	while (!(ret = bpf_link_get_next_id(id, &id))) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd == -ENOENT)
			continue;	/* went away meanwhile */
		if (fd < 0)
			return fd;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_XDP &&
		    info.xdp.ifindex == (__u32)ifindex && info.prog_id == prog_id) {
			*link_id = id;
			return fd;
		}
		close(fd);
	}
	/* EINVAL: a kernel without link ids (< 5.8) has no XDP links either. */
	return ret == -EINVAL ? -ENOENT : ret;
}

/*
 * Attach in one mode, as a->how allows.  0 or -errno; the kernel's own
 * explanation (netlink extack only) goes to err.
 */
static int attach_mode(struct attach *a, int prog_fd, __u32 mode, char *err,
		       size_t err_len)
{
	__u32 flags = mode;
	int fd, ret;

	err[0] = 0;
	if (a->how == HOW_LINK ||
	    (a->how == HOW_LINK_ELSE_NETLINK && a->old_fd < 0)) {
		/* A link cannot take over a netlink attachment: remove the
		 * old program first and put it back if the link fails. */
		if (a->old_fd >= 0) {
			ret = nl_xdp_set(a->ifindex, -1, a->old_fd,
					 mode | XDP_FLAGS_REPLACE, err, err_len);
			if (ret)
				return ret;
		}
		fd = bpf_link_create(prog_fd, a->ifindex, BPF_XDP, mode);
		if (fd >= 0) {
			a->link_fd = fd;
			a->kind = ATTACH_LINK;
			a->mode = mode;
			return 0;
		}
		if (a->old_fd >= 0)
			nl_xdp_set(a->ifindex, a->old_fd, -1,
				   mode | XDP_FLAGS_REPLACE, NULL, 0);
		/* EINVAL: a kernel without XDP links (< 5.9); try netlink. */
		if (fd != -EINVAL || a->how == HOW_LINK)
			return fd;
	}
	flags |= a->old_fd >= 0 ? XDP_FLAGS_REPLACE : XDP_FLAGS_UPDATE_IF_NOEXIST;
	ret = nl_xdp_set(a->ifindex, prog_fd, a->old_fd, flags, err, err_len);
	if (ret)
		return ret;
	a->kind = ATTACH_NETLINK;
	a->mode = mode;
	a->prog_fd = prog_fd;
	return 0;
}

/* What to say when the kernel (a bpf_link refusal) says nothing itself. */
static const char *attach_hint(int err, __u32 mode, enum attach_how how)
{
	if ((err == -EOPNOTSUPP || err == -ENOTSUP) && mode == XDP_FLAGS_DRV_MODE)
		return "the driver has no native XDP; try --mode generic";
	if (err == -EBUSY || err == -EEXIST)
		return "another XDP program is attached";
	if (err == -EPERM)
		return "needs root, or CAP_BPF and CAP_NET_ADMIN";
	if (err == -EINVAL && how == HOW_LINK)
		return "--pin needs XDP bpf_link support, Linux 5.9";
	return NULL;
}

static int attach(struct attach *a, int prog_fd)
{
	char kerr[256];
	const char *why;
	__u32 mode = a->want ? a->want : XDP_FLAGS_DRV_MODE;
	int ret;

	ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	/* auto: native, else generic (which every interface has). */
	if (ret && !a->want && ret != -EPERM && ret != -EBUSY && ret != -EEXIST) {
		mode = XDP_FLAGS_SKB_MODE;
		ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	}
	if (ret) {
		why = attach_hint(ret, mode, a->how);
		msg("cannot attach to %s in %s mode: %s%s%s%s", a->name,
		    mode_name(mode), strerror(-ret),
		    *kerr ? " (kernel: " : why ? " (" : "",
		    *kerr ? kerr : why ? why : "", *kerr || why ? ")" : "");
	}
	return ret;
}

/* Undo attach(): remove our program, put back the one we replaced. */
static void detach(struct attach *a)
{
	char kerr[256];
	int ret = 0;

	if (a->kind == ATTACH_LINK) {
		close(a->link_fd);
		a->link_fd = -1;
		if (a->old_fd >= 0)
			ret = nl_xdp_set(a->ifindex, a->old_fd, -1,
					 a->mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
	} else if (a->kind == ATTACH_NETLINK) {
		/* Only if ours is still the one attached; put back what we replaced. */
		ret = nl_xdp_set(a->ifindex, a->old_fd, a->prog_fd,
				 a->mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
	}
	if (ret)
		msg("cannot detach from ifindex %d: %s (kernel: %s)",
		    a->ifindex, strerror(-ret), *kerr ? kerr : "-");
	if (a->old_fd >= 0)
		close(a->old_fd);
	a->old_fd = -1;
	a->kind = ATTACH_NONE;
}

/* detach() every interface that holds something (ours, or a replaced fd). */
static void detach_all(struct attach *at, int n_if)
{
	int i;

	for (i = 0; i < n_if; i++)
		if (at[i].kind != ATTACH_NONE || at[i].old_fd >= 0)
			detach(&at[i]);
}

/*
 * Refuse to replace a program unless told; with --replace keep its fd in
 * a->old_fd and take over its mode.  capture puts it back at exit, load
 * replaces it for good.  0 or an exit status.
 */
static int check_existing(struct attach *a, const struct opts *o)
{
	struct nl_xdp_info x;
	char name[BPF_OBJ_NAME_LEN];
	__u32 id, link_id;
	int ret, fd;

	ret = nl_xdp_query(a->ifindex, &x);
	if (ret) {
		msg("cannot query XDP state of %s: %s", a->name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	id = x.prog_id ? x.prog_id : x.drv_prog_id ? x.drv_prog_id : x.skb_prog_id;
	if (x.attached == XDP_ATTACHED_NONE || !id)
		return 0;
	prog_name_by_id(id, name, sizeof(name));
	if (!o->replace) {
		msg("%s already has XDP program %u (%s) attached; not replacing it without --replace",
		    a->name, id, name);
		return EXIT_RUNTIME;
	}
	if (x.attached == XDP_ATTACHED_MULTI || x.attached == XDP_ATTACHED_HW) {
		msg("%s has XDP programs in several modes or offloaded; --replace handles one",
		    a->name);
		return EXIT_RUNTIME;
	}
	if (a->want && a->want != attached_mode(&x)) {
		msg("program %u on %s is in %s mode; replace it in that mode",
		    id, a->name, mode_name(attached_mode(&x)));
		return EXIT_RUNTIME;
	}
	/* The kernel lets no one but the link's owner replace its program. */
	fd = xdp_link_find(a->ifindex, id, &link_id);
	if (fd >= 0) {
		close(fd);
		msg("program %u (%s) on %s is held by bpf_link %u; detach it first with 'tcpinspect unload -i %s'",
		    id, name, a->name, link_id, a->name);
		return EXIT_RUNTIME;
	}
	a->old_fd = bpf_prog_get_fd_by_id(id);
	if (a->old_fd < 0) {
		msg("cannot take hold of program %u on %s: %s", id, a->name,
		    strerror(-a->old_fd));
		return EXIT_RUNTIME;
	}
	a->want = attached_mode(&x);
	msg("replacing XDP program %u (%s) on %s%s", id, name, a->name,
	    o->cmd == CMD_LOAD ? "" : "; it is put back at exit");
	return 0;
}

/* ifindex of o->iface into *ifindex; 0 or EXIT_USAGE (said why). */
static int iface_index(const struct opts *o, int *ifindex)
{
	*ifindex = if_nametoindex(o->iface);
	if (!*ifindex) {
		msg("unknown interface '%s'", o->iface);
		return EXIT_USAGE;
	}
	return 0;
}

static int on_event(void *arg, const void *rec, __u32 len)
{
	struct capture *c = arg;

	if (len < sizeof(struct ti_event))
		return 0;
	if (c->wr ? wr_event(c->wr, rec, len, 0) : out_event(c->out, rec, len, 0))
		return 1;
	c->captured++;
	return c->count && c->captured >= c->count;
}

/* A record left after -c was reached: counted, not written. */
static int count_over(void *arg, const void *rec, __u32 len)
{
	(*(unsigned long *)arg)++;
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
	/* A file size limit should end the capture with EFBIG, not kill
	 * us with a netlink-attached program left behind. */
	signal(SIGXFSZ, SIG_IGN);
	/* SIGPIPE stays blocked: a gone reader shows as EPIPE from write. */
	sigaddset(run_mask, SIGPIPE);
}

/* The rest of a JSON summary: ,"seen":N,... for every counter, and "}". */
static void counters_json(const __u64 *c)
{
	int i;

	for (i = 0; i < TI_CNT_MAX; i++)
		fprintf(stderr, ",\"%s\":%llu", insp_counter_names[i],
			(unsigned long long)c[i]);
	fputs("}\n", stderr);
}

/* The summary lines a capture and flows share. */
static void seen_line(const __u64 *c)
{
	fprintf(stderr, "%llu packets seen, %llu matched, %llu filtered out, %llu later fragments\n",
		(unsigned long long)c[TI_CNT_SEEN],
		(unsigned long long)c[TI_CNT_MATCHED],
		(unsigned long long)c[TI_CNT_FILTERED],
		(unsigned long long)c[TI_CNT_FRAGMENT]);
}

static void malformed_line(const __u64 *c)
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
 * The counters: the line scripts parse, then the accounting.  Every
 * matched packet is written, lost, sampled out, over the -c budget or
 * after --duration; at exit nothing is in flight, so the sum is exact.
 */
static void summary(unsigned long written, const __u64 *c, int json)
{
	if (json) {
		fprintf(stderr, "{\"written\":%lu", written);
		counters_json(c);
		return;
	}
	fprintf(stderr, "%lu packets captured, %llu TCP packets seen, %llu lost\n",
		written, (unsigned long long)c[TI_CNT_TCP],
		(unsigned long long)c[TI_CNT_LOST]);
	seen_line(c);
	fprintf(stderr, "%llu matched = %lu written + %llu lost + %llu sampled out + %llu over the -c budget + %llu after --duration\n",
		(unsigned long long)c[TI_CNT_MATCHED], written,
		(unsigned long long)c[TI_CNT_LOST],
		(unsigned long long)c[TI_CNT_SAMPLED],
		(unsigned long long)c[TI_CNT_BUDGET],
		(unsigned long long)c[TI_CNT_EXPIRED]);
	malformed_line(c);
}

/* Open the program's event buffer; 0 or EXIT_RUNTIME (said why). */
static int events_open(const struct inspector *in, struct evbuf *eb)
{
	int ret = insp_events_open(in, eb);

	if (!ret)
		return 0;
	msg("cannot map the %s: %s%s", in->perf ? "perf buffers" : "ring buffer",
	    strerror(-ret), in->perf && (ret == -EACCES || ret == -EPERM) ?
	    " (perf events need root, or CAP_PERFMON)" : "");
	return EXIT_RUNTIME;
}

/* Load the embedded program as o says; 0 or an exit status. */
static int open_inspector(struct inspector *in, const struct opts *o,
			  __u64 deadline_ns)
{
	struct insp_config cfg = {
		.deadline_ns = deadline_ns,
		.budget = o->count,	/* -c also holds in the kernel */
		/* a file wants whole frames, as with tcpdump -w */
		.snaplen = o->snaplen ? o->snaplen :
			   o->write_path ? TI_SNAP_MAX : TI_SNAP_DEFAULT,
		.sample = o->sample,
		.ring_len = o->buffer,
		.filter = o->filter,
		.log_fn = o->verbose ? log_line : NULL,
		/* The table flows reads; the others need none (1 entry). */
		.flows_max = 1,
		.probe = &kp,
	};
	char err[4096];
	int ret;

	if (o->cmd == CMD_FLOWS) {
		/* No events: the smallest buffer the kernel takes. */
		cfg.mode = TI_MODE_FLOWS;
		cfg.ring_len = sysconf(_SC_PAGESIZE);
		cfg.flows_max = o->flows_max;
	} else if (o->cmd == CMD_SERVE) {
		/* Events count packets per interface: no frame bytes. */
		cfg.mode = TI_MODE_FLOWS | TI_MODE_EVENTS;
		cfg.snaplen = 1;
		cfg.flows_max = o->flows_max;
	}
	ret = insp_open(in, &cfg, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		if (ret == -EPERM && !kp.has[PROBE_MEMCG])
			msg("this kernel charges BPF memory to RLIMIT_MEMLOCK, now %s: raise it (ulimit -l unlimited, or CAP_SYS_RESOURCE)",
			    lim_str(kp.memlock_now, err, sizeof(err)));
		return ret == -EINVAL && o->filter && !strncmp(err, "filter", 6) ?
		       EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o->verbose && in->obj.note[0])
		msg("%s", in->obj.note);
	return 0;
}

static __u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

struct up_ifaces {
	struct attach *at;
	int cnt;
};

static int add_up(const struct nl_xdp_info *x, void *arg)
{
	struct up_ifaces *u = arg;
	static char names[MAX_IFACES][IF_NAMESIZE];

	if (!(x->if_flags & IFF_UP) || u->cnt >= MAX_IFACES)
		return 0;
	memcpy(names[u->cnt], x->ifname, IF_NAMESIZE);
	u->at[u->cnt].name = names[u->cnt];
	u->at[u->cnt].ifindex = x->ifindex;
	u->cnt++;
	return 0;
}

/* The interfaces to capture on, into at[]; their number, or -exit status. */
static int capture_ifaces(struct opts *o, struct attach *at)
{
	static char dflt[IF_NAMESIZE];
	struct up_ifaces u = { .at = at };
	int i, ret;

	if (!o->iface_cnt) {
		at[0].ifindex = nl_default_ifindex();
		if (at[0].ifindex < 0 || !if_indextoname(at[0].ifindex, dflt)) {
			msg("no interface given and none found (no default route, no up interface); use -i");
			return -EXIT_USAGE;
		}
		at[0].name = o->iface = dflt;
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
		at[i].name = o->ifaces[i];
		at[i].ifindex = if_nametoindex(o->ifaces[i]);
		if (!at[i].ifindex) {
			msg("unknown interface '%s'", o->ifaces[i]);
			return -EXIT_USAGE;
		}
	}
	return o->iface_cnt;
}

/*
 * Before capture or flows load anything: the interfaces into at[], the
 * kernel probed (kp), each interface checked for a program already
 * there (kept with --replace), and the signal handlers set.  Their
 * number, or -(exit status), nothing held.
 */
static int ifaces_open(struct opts *o, struct attach *at, sigset_t *run_mask)
{
	int i, n_if, status;

	for (i = 0; i < MAX_IFACES; i++)
		at[i] = (struct attach){ .link_fd = -1, .prog_fd = -1,
					 .old_fd = -1, .want = o->mode };
	n_if = capture_ifaces(o, at);
	if (n_if < 0)
		return n_if;
	status = kernel_probe(o);
	if (status)
		return -status;
	/* No XDP bpf_link: netlink, detached by us on every exit path. */
	for (i = 0; i < n_if; i++)
		at[i].how = kp.has[PROBE_LINK] ? HOW_LINK_ELSE_NETLINK : HOW_NETLINK;
	setup_signals(run_mask);
	for (i = 0; i < n_if; i++) {
		status = check_existing(&at[i], o);
		if (status) {
			detach_all(at, n_if);
			return -status;
		}
	}
	return n_if;
}

/*
 * Attach prog_fd to every interface, then print the line scripts wait
 * for: "listening on vb (native mode, bpf_link, prog id 42)".  0, or
 * EXIT_RUNTIME (said why; the caller detaches what was attached).
 */
static int attach_all(struct attach *at, int n_if, int prog_fd)
{
	int i;

	for (i = 0; i < n_if; i++)
		if (attach(&at[i], prog_fd))
			return EXIT_RUNTIME;
	fputs("listening on ", stderr);
	for (i = 0; i < n_if; i++)
		fprintf(stderr, "%s%s (%s mode, %s%s", i ? ", " : "", at[i].name,
			mode_name(at[i].mode),
			at[i].kind == ATTACH_LINK ? "bpf_link" : "netlink",
			n_if > 1 ? ")" : "");
	fprintf(stderr, "%sprog id %u%s\n", n_if > 1 ? ", " : ", ",
		prog_id(prog_fd), n_if > 1 ? "" : ")");
	return 0;
}

/* The default command: attach the embedded program, print, detach. */
/* Write out what is buffered: 0, or the (sticky) output error. */
static int flush(struct capture *c)
{
	return c->wr ? wr_flush(c->wr) : out_flush(c->out);
}

/* Packets that reached the output: lines printed, or records in files. */
static unsigned long written(const struct capture *c)
{
	return c->wr ? c->wr->rec_cnt : c->captured;
}

static int cmd_capture(struct opts *o)
{
	static struct inspector in;
	static struct out out;
	static struct writer wr;
	static struct attach at[MAX_IFACES];
	struct capture cap = { .out = &out };
	struct wr_config wc = {
		.path = o->write_path, .pcapng = o->pcapng, .force = o->force,
		.rotate_size = o->rotate_size, .rotate_cnt = o->rotate_cnt,
		/* the snap length the program takes, as the file's */
		.snaplen = o->snaplen ? o->snaplen :
			   o->write_path ? TI_SNAP_MAX : TI_SNAP_DEFAULT,
	};
	char werr[PATH_MAX + 256];
	int ifx[MAX_IFACES], i;
	__u64 cnt[TI_CNT_MAX], deadline = 0, now, next_stats = 0;
	sigset_t run_mask;
	struct evbuf eb = EVB_INIT;
	int n_if, ret, stopped = 0, over_stop = 0, status = EXIT_RUNTIME, timeout;
	long n = 0;

	n_if = ifaces_open(o, at, &run_mask);
	if (n_if < 0)
		return -n_if;
	if (o->duration_ns)
		deadline = mono_ns() + o->duration_ns;
	status = open_inspector(&in, o, deadline);
	if (status)
		goto out;
	status = EXIT_RUNTIME;
	if (events_open(&in, &eb))
		goto out_insp;
	if (o->verbose && in.perf)
		msg("perf buffers: %u bytes on each of %d CPUs", in.events_len,
		    eb.pb.open_cnt);
	out_init(&out, STDOUT_FILENO, o->json ? OUT_JSON : OUT_TEXT);
	out.hex = o->hex;
	out.show_iface = n_if > 1;
	cap.count = o->count;
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

	if (attach_all(at, n_if, in.prog_fd))
		goto out_eb;
	status = 0;
	if (o->stats_ns)
		next_stats = mono_ns() + o->stats_ns;
	while (!stop_sig && !stopped) {
		now = mono_ns();
		if (deadline && now >= deadline)
			break;
		if (next_stats && now >= next_stats) {
			flush(&cap);
			insp_counters(&in, cnt);
			summary(written(&cap), cnt, o->json);
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
	}
	detach_all(at, n_if);
	/* Whatever the program submitted before detach still gets out.
	 * What it let through past -c (the v2 object counts without atomic
	 * fetch, so CPUs may race past the budget) is over the budget. */
	if (!stopped && !flush(&cap))
		evb_consume(&eb, on_event, &cap, &stopped);
	if (cap.count && cap.captured >= cap.count)
		evb_consume(&eb, count_over, &cap.over, &over_stop);
	ret = flush(&cap);
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
	summary(written(&cap), cnt, 0);
	if (o->json)	/* and once more for scripts */
		summary(written(&cap), cnt, 1);
	if (o->verbose && in.perf)
		msg("perf buffers: the kernel reported %llu samples lost (the program counted its failed outputs: %llu lost)",
		    (unsigned long long)evb_lost(&eb),
		    (unsigned long long)cnt[TI_CNT_LOST]);
out_eb:
	evb_close(&eb);
out_insp:
	insp_close(&in);
out:
	detach_all(at, n_if);
	return status;
}


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

/*
 * tcpinspect flows: attach as a capture does, with the program counting
 * connections in its flow table instead of sending events; print the
 * table every --interval and at the end (signal, --duration).
 */
static int cmd_flows(struct opts *o)
{
	static struct inspector in;
	static struct attach at[MAX_IFACES];
	struct flow_report r = { 0 };
	__u64 cnt[TI_CNT_MAX], deadline = 0, next = 0, now, until;
	struct timespec ts;
	sigset_t run_mask;
	int n_if, ret = 0, status = EXIT_RUNTIME;

	n_if = ifaces_open(o, at, &run_mask);
	if (n_if < 0)
		return -n_if;
	if (o->duration_ns)
		deadline = mono_ns() + o->duration_ns;
	status = open_inspector(&in, o, deadline);
	if (status)
		goto out;
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
	r.refresh = o->interval_ns && !o->json && isatty(STDOUT_FILENO);
	/* Whole reports at a time, also to a terminal. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (attach_all(at, n_if, in.prog_fd))
		goto out_mem;
	status = 0;
	if (o->interval_ns)
		next = mono_ns() + o->interval_ns;
	while (!stop_sig) {
		now = mono_ns();
		if (deadline && now >= deadline)
			break;
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
		ts.tv_sec = (until - now) / 1000000000ull;
		ts.tv_nsec = (until - now) % 1000000000ull;
		/* Signals arrive only here (run_mask), so none is missed. */
		pselect(0, NULL, NULL, NULL, until ? &ts : NULL, &run_mask);
	}
	detach_all(at, n_if);
	/* Detached: nothing changes the table now, the reading is exact. */
	r.cnt = insp_flows_read(&in, r.e, r.room);
	insp_counters(&in, cnt);
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
	seen_line(cnt);
	malformed_line(cnt);
	if (o->json) {
		fprintf(stderr, "{\"flows\":%zu,\"flows_max\":%u,\"evicted\":%llu",
			r.cnt, in.flows_max,
			(unsigned long long)flows_evicted(&r, cnt));
		counters_json(cnt);
	}
out_mem:
	free(r.e);
out_insp:
	insp_close(&in);
out:
	detach_all(at, n_if);
	return status;
}

struct replayed {
	struct capture cap;
	unsigned long partial;	/* events of frames the program saw in part */
	__u32 seen_len;		/* how much of them */
};

static int on_replayed(void *arg, const void *rec, __u32 len,
		       const struct pcap_rec *frame)
{
	struct replayed *r = arg;
	const struct ti_event *e = rec;

	if (len < sizeof(struct ti_event))
		return 0;
	/* A frame over a page goes in as a multi-buffer frame: the
	 * program sees (and reports the length of) its first part. */
	if (e->pkt_len < frame->caplen) {
		r->partial++;
		r->seen_len = e->pkt_len;
	}
	/* The file's time, not the kernel's: the same output every run.
	 * (0 would mean "the event's own"; a pcapng SPB has no time.) */
	out_event(r->cap.out, rec, len, frame->ts_ns ? frame->ts_ns : 1);
	r->cap.captured++;
	return r->cap.out->err || (r->cap.count && r->cap.captured >= r->cap.count);
}

/*
 * tcpinspect replay FILE [EXPR]: the frames of a capture file through
 * the embedded program, loaded as for a capture (-c, -s, filter), and
 * printed as a capture prints them.  Nothing is attached.
 */
static int cmd_replay(struct opts *o)
{
	static struct inspector in;
	static struct out out;
	static struct pcap_reader pr;
	struct replayed r = { .cap = { .out = &out, .count = o->count } };
	struct replay_stats st = { 0 };
	struct replay_file f;
	struct evbuf eb = EVB_INIT;
	__u64 cnt[TI_CNT_MAX];
	sigset_t run_mask;
	char err[512];
	int ret, status;

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
	status = kernel_probe(o) ?: open_inspector(&in, o, 0);
	if (status)
		goto out_file;
	status = EXIT_RUNTIME;
	if (events_open(&in, &eb))
		goto out_insp;
	out_init(&out, STDOUT_FILENO, o->json ? OUT_JSON : OUT_TEXT);
	out.hex = o->hex;
	/* Handlers as for a capture, but nothing waits in epoll_pwait to
	 * unblock them: run with the capture's wait mask throughout. */
	setup_signals(&run_mask);
	sigprocmask(SIG_SETMASK, &run_mask, NULL);
	fprintf(stderr, "reading from %s (%s%s, link-type %s, snapshot length %u)\n",
		o->pcap_path, pr.fmt == PCAP_FMT_PCAPNG ? "pcapng" : "pcap",
		pr.fmt == PCAP_FMT_PCAP && pr.nsec ? " nanosecond" : "",
		pcap_linktype_name(pr.linktype), pr.snaplen);
	ret = replay_run(&pr, in.prog_fd, &eb, on_replayed, &r, &stop_sig,
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
	summary(r.cap.captured, cnt, 0);
	evb_close(&eb);
out_insp:
	insp_close(&in);
out_file:
	replay_file_close(&f);
	return status;
}


/* Index in o->elf.progs of the program load should attach, or -1. */
static int select_prog(const struct ld_obj *obj, const struct opts *o)
{
	__u32 i;

	for (i = 0; i < obj->elf.prog_cnt; i++)
		if ((!o->section && !o->prog) ||
		    (o->section && !strcmp(obj->elf.progs[i].sec_name, o->section)) ||
		    (o->prog && !strcmp(obj->elf.progs[i].name, o->prog)))
			return i;
	return -1;
}

/* "NAME (section SEC), ..." : what the object offers, for an error line. */
static void list_progs(const struct ld_obj *obj, char *s, size_t len)
{
	size_t used = 0;
	__u32 i;

	s[0] = 0;
	for (i = 0; i < obj->elf.prog_cnt && used < len; i++)
		used += snprintf(s + used, len - used, "%s%s (section %s)",
				 i ? ", " : "", obj->elf.progs[i].name,
				 obj->elf.progs[i].sec_name);
}

/* Where load --pin pins the link of ifname: DIR/xdp-link-IFNAME.  The
 * '-' keeps it apart from maps pinned by (C identifier) name. */
static int link_pin_path(char *path, size_t len, const char *dir,
			 const char *ifname)
{
	int n = snprintf(path, len, "%s/xdp-link-%s", dir, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* --pin DIR must be a mounted bpffs; 0 or EXIT_USAGE (said why). */
static int check_pin_dir(const char *dir)
{
	struct statfs st;

	if (statfs(dir, &st)) {
		msg("cannot use pin directory %s: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	if ((__u32)st.f_type != BPF_FS_MAGIC) {
		msg("%s is not a BPF file system (mount one: mount -t bpf bpf %s)",
		    dir, dir);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * What load left behind: the program, its link, and the maps that
 * outlive us (those the program uses, and pinned ones).  A program
 * array nobody holds is emptied by the kernel when we exit: say so.
 */
static void print_loaded(const struct opts *o, const struct attach *a,
			 const struct ld_obj *obj, int prog_fd,
			 const char *pin)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	struct bpf_link_info li;
	__u32 map_ids[ELF_MAX_MAPS], len, i, j;
	int used;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = ELF_MAX_MAPS;
	pi.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		pi.nr_map_ids = 0;
	if (pi.nr_map_ids > ELF_MAX_MAPS)
		pi.nr_map_ids = ELF_MAX_MAPS;
	memset(&li, 0, sizeof(li));
	len = sizeof(li);
	if (a->kind == ATTACH_LINK)
		bpf_obj_get_info_by_fd(a->link_fd, &li, &len);

	printf("loaded prog id %u (%s) on %s (%s mode, ", pi.id, pi.name,
	       o->iface, mode_name(a->mode));
	if (a->kind == ATTACH_LINK)
		printf("bpf_link %u)\nlink id %u pinned at %s\n", li.id, li.id, pin);
	else
		printf("netlink)\n");
	for (i = 0; i < obj->elf.map_cnt; i++) {
		if (obj->map_fds[i] < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(obj->map_fds[i], &mi, &len))
			continue;
		for (used = 0, j = 0; j < pi.nr_map_ids; j++)
			used |= map_ids[j] == mi.id;
		if (!used && !obj->elf.maps[i].pinning)
			continue;
		printf("map id %u name %s type %u\n", mi.id, mi.name, mi.type);
		if (mi.type == BPF_MAP_TYPE_PROG_ARRAY && !obj->elf.maps[i].pinning)
			msg("warning: program array %s is not pinned: the kernel empties it when tcpinspect exits, so tail calls through it will fail (pin it: pinning = LIBBPF_PIN_BY_NAME)",
			    obj->elf.maps[i].name);
	}
}

/* tcpinspect load OBJ.o -i IFACE ...: attach and leave it attached. */
static int cmd_load(struct opts *o)
{
	static struct ld_obj obj;
	struct replay_file file;
	struct attach a = { .link_fd = -1, .prog_fd = -1, .old_fd = -1,
			    .how = o->pin_dir ? HOW_LINK : HOW_NETLINK,
			    .name = o->iface, .want = o->mode };
	char err[4096], pin[PATH_MAX], progs[512];
	void *buf = NULL;
	size_t len = 0;
	int ret, idx, status = EXIT_USAGE;

	if (iface_index(o, &a.ifindex))
		return EXIT_USAGE;
	if (o->pin_dir) {
		if (check_pin_dir(o->pin_dir))
			return EXIT_USAGE;
		if (link_pin_path(pin, sizeof(pin), o->pin_dir, o->iface)) {
			msg("pin directory name too long: %s", o->pin_dir);
			return EXIT_USAGE;
		}
		if (!access(pin, F_OK)) {
			msg("%s already exists: remove it, or run 'tcpinspect unload -i %s --pin %s'",
			    pin, o->iface, o->pin_dir);
			return EXIT_RUNTIME;
		}
	}
	/* The object in memory: mapped, or read (a pipe, "-"). */
	ret = replay_file_open(&file, o->obj_path);
	if (ret) {
		msg("cannot read %s: %s", o->obj_path, strerror(-ret));
		return EXIT_USAGE;
	}
	buf = file.buf;
	len = file.len;
	obj.pin_dir = o->pin_dir;
	if (o->verbose)
		obj.log_fn = log_line;
	status = EXIT_RUNTIME;
	ret = ld_parse(&obj, buf, len, err, sizeof(err));
	if (ret) {
		msg("%s: %s", o->obj_path, err);
		goto out_buf;
	}
	idx = select_prog(&obj, o);
	if (idx < 0 && !o->section && !o->prog) {
		msg("%s: no XDP program in the object", o->obj_path);
		goto out_obj;
	}
	if (idx < 0) {
		list_progs(&obj, progs, sizeof(progs));
		msg("no program %s '%s' in %s; it has: %s",
		    o->section ? "in section" : "named",
		    o->section ? o->section : o->prog, o->obj_path,
		    *progs ? progs : "no XDP program");
		status = EXIT_USAGE;
		goto out_obj;
	}
	if (kernel_probe(o))
		goto out_obj;
	if (o->pin_dir && !kp.has[PROBE_LINK]) {
		msg("--pin needs XDP bpf_link (Linux 5.9), which this kernel lacks; without --pin, load attaches over netlink");
		goto out_obj;
	}
	obj.no_btf = !kp.has[PROBE_BTF];
	if (check_existing(&a, o))
		goto out_obj;
	ret = ld_load(&obj, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		goto out_obj;
	}
	if (obj.note[0])
		msg("%s", obj.note);
	if (attach(&a, obj.prog_fds[idx]))
		goto out_obj;
	if (o->pin_dir) {
		ret = bpf_obj_pin(a.link_fd, pin);
		if (ret) {
			msg("cannot pin the link at %s: %s", pin, strerror(-ret));
			detach(&a);
			goto out_obj;
		}
	}
	print_loaded(o, &a, &obj, obj.prog_fds[idx], pin);
	if (fflush(stdout) || ferror(stdout))
		msg("cannot write output: %s", strerror(errno));
	status = 0;
	/* Stay attached: the netlink attachment or the pinned link holds it. */
	if (a.link_fd >= 0)
		close(a.link_fd);
	if (a.old_fd >= 0)
		close(a.old_fd);
	a.kind = ATTACH_NONE;
	a.old_fd = -1;
out_obj:
	if (a.old_fd >= 0)
		close(a.old_fd);
	ld_close(&obj);
out_buf:
	replay_file_close(&file);
	return status;
}

/*
 * With unload --pin DIR: remove DIR/xdp-link-IFACE if it pins an XDP
 * link that is attached nowhere any more.  0 or an exit status.
 */
static int unpin_link(const struct opts *o)
{
	struct bpf_link_info li;
	char pin[PATH_MAX];
	__u32 len = sizeof(li);
	int fd, ret = 0;

	if (link_pin_path(pin, sizeof(pin), o->pin_dir, o->iface)) {
		msg("pin directory name too long: %s", o->pin_dir);
		return EXIT_USAGE;
	}
	fd = bpf_obj_get(pin);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		msg("cannot open pin %s: %s", pin, strerror(-fd));
		return EXIT_RUNTIME;
	}
	memset(&li, 0, sizeof(li));
	if (bpf_obj_get_info_by_fd(fd, &li, &len) || li.type != BPF_LINK_TYPE_XDP) {
		msg("%s is not an XDP bpf_link; left in place", pin);
		ret = EXIT_RUNTIME;
	} else if (li.xdp.ifindex) {
		msg("%s holds bpf_link %u, still attached to ifindex %u; left in place",
		    pin, li.id, li.xdp.ifindex);
		ret = EXIT_RUNTIME;
	} else if (unlink(pin)) {
		msg("cannot remove %s: %s", pin, strerror(errno));
		ret = EXIT_RUNTIME;
	} else {
		printf("removed pin %s (bpf_link %u)\n", pin, li.id);
	}
	close(fd);
	return ret;
}

/* Detach program p from ifindex: over netlink, or its bpf_link if it has
 * one (netlink then says EBUSY).  0 or an exit status. */
static int unload_one(const struct opts *o, int ifindex, const struct xdp_prog *p)
{
	char name[BPF_OBJ_NAME_LEN], kerr[256];
	__u32 link_id = 0;
	int fd, link_fd = -1, ret;

	fd = bpf_prog_get_fd_by_id(p->id);
	if (fd < 0) {
		msg("cannot take hold of program %u on %s: %s%s", p->id, o->iface,
		    strerror(-fd), fd == -EPERM ? " (needs root, or CAP_SYS_ADMIN)" : "");
		return EXIT_RUNTIME;
	}
	prog_name_by_id(p->id, name, sizeof(name));
	/* Only this program: a newer one attached meanwhile stays. */
	ret = nl_xdp_set(ifindex, -1, fd, p->mode | XDP_FLAGS_REPLACE, kerr,
			 sizeof(kerr));
	if (ret == -EBUSY) {
		link_fd = xdp_link_find(ifindex, p->id, &link_id);
		ret = link_fd < 0 ? link_fd == -ENOENT ? -EBUSY : link_fd :
		      bpf_link_detach(link_fd);
		if (link_fd >= 0)
			kerr[0] = 0;
	}
	if (ret)
		msg("cannot detach program %u (%s) from %s (%s mode): %s%s%s%s",
		    p->id, name, o->iface, mode_name(p->mode), strerror(-ret),
		    *kerr ? " (kernel: " : "", kerr, *kerr ? ")" : "");
	else if (link_fd >= 0)
		printf("detached prog id %u (%s) from %s (%s mode, bpf_link %u)\n",
		       p->id, name, o->iface, mode_name(p->mode), link_id);
	else
		printf("detached prog id %u (%s) from %s (%s mode, netlink)\n",
		       p->id, name, o->iface, mode_name(p->mode));
	if (link_fd >= 0)
		close(link_fd);
	close(fd);
	return ret ? EXIT_RUNTIME : 0;
}

/* tcpinspect unload -i IFACE [--pin DIR]: like `ip link set dev IFACE xdp
 * off`, nothing attached is success; but links are detached too. */
static int cmd_unload(struct opts *o)
{
	struct nl_xdp_info x;
	struct xdp_prog p[3];
	int ifindex, ret, n, i, status = 0;

	if (iface_index(o, &ifindex))
		return EXIT_USAGE;
	if (o->pin_dir && check_pin_dir(o->pin_dir))
		return EXIT_USAGE;
	ret = nl_xdp_query(ifindex, &x);
	if (ret) {
		msg("cannot query XDP state of %s: %s", o->iface, strerror(-ret));
		return EXIT_RUNTIME;
	}
	n = xdp_progs(&x, p);
	if (!n)
		printf("no XDP program on %s\n", o->iface);
	for (i = 0; i < n; i++)
		if (unload_one(o, ifindex, &p[i]))
			status = EXIT_RUNTIME;
	if (o->pin_dir && !status)
		status = unpin_link(o);
	return status;
}

struct show {
	int warned;		/* said once that details need privilege */
};

static int show_one(const struct nl_xdp_info *x, void *arg)
{
	struct show *sh = arg;
	struct bpf_prog_info info;
	struct xdp_prog p[3];
	char tag[2 * BPF_TAG_SIZE + 1] = "?";
	__u32 link_id;
	int n, i, j, ret, fd;

	n = xdp_progs(x, p);
	for (i = 0; i < n; i++) {
		ret = prog_info_by_id(p[i].id, &info);
		if (ret && !sh->warned++)
			msg("cannot read program details: %s%s", strerror(-ret),
			    ret == -EPERM ? " (needs root, or CAP_SYS_ADMIN)" : "");
		for (j = 0; !ret && j < BPF_TAG_SIZE; j++)
			snprintf(tag + 2 * j, 3, "%02x", info.tag[j]);
		printf("%s ifindex %d mode %s id %u name %s tag %s", x->ifname,
		       x->ifindex, mode_name(p[i].mode), p[i].id,
		       ret ? "?" : info.name, tag);
		fd = ret ? -1 : xdp_link_find(x->ifindex, p[i].id, &link_id);
		if (fd >= 0) {
			printf(" link %u", link_id);
			close(fd);
		}
		printf("\n");
	}
	return 0;
}

/* tcpinspect show: one line per XDP program, nothing if there is none. */
static int cmd_show(struct opts *o)
{
	struct show sh = { 0 };
	int ret;

	ret = nl_xdp_dump(show_one, &sh);
	if (ret) {
		msg("cannot list interfaces: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (fflush(stdout) || ferror(stdout)) {
		msg("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* One line of `tcpinspect probe`: "ring buffer            yes". */
static void probe_line(const char *name, int has, const char *instead,
		       const char *note)
{
	if (has)
		printf("%-23syes\n", name);
	else
		printf("%-23sno  -> %s%s\n", name, instead, note);
}

/*
 * The XDP modes of -i IFACE: tried with a pass program, attached and
 * removed at once (never over someone's program).  Only when asked for:
 * some drivers reset their rings when a native program comes or goes.
 * 0 or an exit status.
 */
static int probe_iface(const struct opts *o)
{
	struct probe_xdp x;
	char name[IF_NAMESIZE], row[64], why[192];
	int ifindex, ret;

	if (!o->iface) {
		printf("%-23s%s\n", "xdp modes", "not tried: -i IFACE tries native and generic there");
		return 0;
	}
	ret = iface_index(o, &ifindex);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "%s", o->iface);
	ret = probe_xdp_modes(ifindex, &x);
	if (ret) {
		msg("cannot try XDP on %s: %s", name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	snprintf(row, sizeof(row), "native xdp on %s", name);
	if (x.native < 0) {
		printf("%-23s?   -> not tried: program %u is attached in %s mode\n",
		       row, x.busy_id, mode_name(x.busy_mode));
	} else {
		snprintf(why, sizeof(why), "generic xdp (%s%s%s)", strerror(-x.native_err),
			 *x.native_why ? "; kernel: " : "", x.native_why);
		probe_line(row, x.native, why, "");
	}
	snprintf(row, sizeof(row), "generic xdp on %s", name);
	if (x.generic < 0) {
		printf("%-23s?   -> not tried: program %u is attached in %s mode\n",
		       row, x.busy_id, mode_name(x.busy_mode));
	} else {
		snprintf(why, sizeof(why), "none (%s%s%s)", strerror(-x.generic_err),
			 *x.generic_why ? "; kernel: " : "", x.generic_why);
		probe_line(row, x.generic, why, "");
	}
	return 0;
}

/*
 * tcpinspect probe [-i IFACE]: each feature, yes or what is used instead.
 * Exit 0 if a capture can run here, else 1 with the reason.
 */
static int cmd_probe(struct opts *o)
{
	static const struct {
		enum probe_feat f;
		const char *name;
	} rows[] = {
		{ PROBE_RINGBUF, "ring buffer" },
		{ PROBE_PERF, "perf event output" },
		{ PROBE_LINK, "xdp bpf_link" },
		{ PROBE_BTF, "btf upload" },
		{ PROBE_GLOBAL, "global data" },
		{ PROBE_ALU32, "jmp32/alu32 (v3)" },
		{ PROBE_FETCH, "atomic fetch-add" },
		{ PROBE_LOAD_BYTES, "bpf_xdp_load_bytes" },
		{ PROBE_PERCPU, "per-cpu arrays" },
		{ PROBE_LRU, "lru hash" },
	};
	const char *off = " (TCPINSPECT_DISABLE)";
	char err[512], instead[128], was[32], now[32];
	size_t i;
	int ret;

	ret = probe_kernel(&kp, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return ret == -EINVAL && !strncmp(err, "TCPINSPECT_DISABLE", 18) ?
		       EXIT_USAGE : EXIT_RUNTIME;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		probe_line(rows[i].name, kp.has[rows[i].f],
			   probe_instead(&kp, rows[i].f), kp.off[rows[i].f] ? off : "");
	ret = probe_iface(o);
	if (ret)
		return ret;
	snprintf(instead, sizeof(instead), "RLIMIT_MEMLOCK raised from %s to %s%s",
		 lim_str(kp.memlock_was, was, sizeof(was)),
		 lim_str(kp.memlock_now, now, sizeof(now)),
		 kp.memlock_err ? " (its hard limit)" : "");
	probe_line("memcg accounting", kp.has[PROBE_MEMCG], instead,
		   kp.off[PROBE_MEMCG] ? off : "");
	printf("%-23s%d\n", "possible cpus", kp.ncpu);
	if (fflush(stdout) || ferror(stdout)) {
		msg("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	ret = probe_require(&kp, 0, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * The bearer token of --token-file: the file's first line.  Refused if
 * others may read the file (as ssh refuses such keys) or it is empty.
 */
static int read_token(const char *path, char *tok, size_t room)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st)) {
		msg("cannot read the token file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		msg("token file %s can be read by others (mode %03o): chmod 600 it",
		    path, st.st_mode & 0777);
		close(fd);
		return -1;
	}
	n = read(fd, tok, room - 1);
	close(fd);
	tok[n > 0 ? n : 0] = 0;
	tok[strcspn(tok, "\r\n")] = 0;
	if (strlen(tok) < 16 || strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") != strlen(tok)) {
		msg("token file %s: want one line of at least 16 token characters (letters, digits, -._~+/=)",
		    path);
		return -1;
	}
	return 0;
}

/* Whether the BPF maps stay readable without any privilege: a child
 * gives everything up and tries (kernels before 6.5 with
 * kernel.unprivileged_bpf_disabled refuse every bpf() then). */
static int maps_readable_unprivileged(const struct passwd *pw, int map_fd)
{
	static __u64 val[1024];
	__u32 key = 0;
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
			_exit(2);
		_exit(bpf_map_lookup_elem(map_fd, &key, val) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * --user: become that user (its group, no others), keeping CAP_BPF only
 * where the kernel needs it to read the maps.  The listening socket, the
 * BPF fds and the access log are open already; the program is attached
 * by bpf_link, which goes away with the process.  0 or -1 (said why).
 */
static int drop_privileges(const char *user, const struct attach *at, int n_if,
			   const struct inspector *in)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	const struct passwd *pw = getpwnam(user);
	int i, keep_bpf;

	if (!pw) {
		msg("--user %s: no such user (in /etc/passwd)", user);
		return -1;
	}
	for (i = 0; i < n_if; i++)
		if (at[i].kind != ATTACH_LINK) {
			msg("--user needs the program attached with a bpf_link (kernel 5.9 or later): an unprivileged process could not detach it from %s",
			    at[i].name);
			return -1;
		}
	keep_bpf = !maps_readable_unprivileged(pw, in->counters_fd);
	if (keep_bpf && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		goto fail;
	if (setgroups(1, &pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
		goto fail;
	if (keep_bpf) {
		d[CAP_BPF / 32].effective = d[CAP_BPF / 32].permitted =
			1u << (CAP_BPF % 32);
		if (syscall(SYS_capset, &h, d))
			goto fail;
	}
	if (!setuid(0)) {
		msg("--user %s: could still become root again", user);
		return -1;
	}
	msg("running as %s (uid %u)%s", user, pw->pw_uid,
	    keep_bpf ? ", keeping CAP_BPF: this kernel refuses bpf() to unprivileged processes" : "");
	return 0;
fail:
	msg("--user %s: cannot become that user: %s", user, strerror(errno));
	return -1;
}

/*
 * tcpinspect serve: the program counts connections (flow table) and
 * sends an event per matching packet (per-interface counts and rates);
 * an HTTP API answers from both.  One epoll set holds the listening
 * socket, the connections and the event buffer.
 */
static int cmd_serve(struct opts *o)
{
	static struct inspector in;
	static struct attach at[MAX_IFACES];
	static struct srv srv = { .listen_fd = -1, .log_fd = -1 };
	static struct api api;
	static char token[512];
	struct epoll_event ev[32], rev = { .events = EPOLLIN, .data.u64 = 0 };
	struct evbuf eb = EVB_INIT;
	__u64 cnt[TI_CNT_MAX], next_tick, now;
	const char *listen = o->listen ? o->listen : "127.0.0.1:9400";
	char err[512];
	sigset_t run_mask;
	int n_if, lfd, loopback = 0, epfd = -1, log_fd = STDERR_FILENO;
	int status = EXIT_USAGE, i, n, busy = 0, stopped = 0, timeout;
	long got;

	/* The socket first: a taken port or a bad token leaves nothing behind. */
	lfd = srv_listen(listen, &loopback, err, sizeof(err));
	if (lfd < 0) {
		msg("%s", err);
		return lfd == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o->token_file && read_token(o->token_file, token, sizeof(token)))
		goto out_lfd;
	if (!loopback && !o->token_file) {
		msg("--listen %s is reachable from other hosts: give --token-file FILE (requests then need Authorization: Bearer TOKEN)",
		    listen);
		goto out_lfd;
	}
	if (o->access_log) {
		log_fd = open(o->access_log, O_WRONLY | O_APPEND | O_CREAT |
			      O_CLOEXEC | O_NOFOLLOW, 0600);
		if (log_fd < 0) {
			msg("cannot open the access log %s: %s", o->access_log,
			    strerror(errno));
			goto out_lfd;
		}
	}
	n_if = ifaces_open(o, at, &run_mask);
	if (n_if < 0) {
		status = -n_if;
		goto out_log;
	}
	status = open_inspector(&in, o, 0);
	if (status)
		goto out_at;
	status = EXIT_RUNTIME;
	if (events_open(&in, &eb))
		goto out_insp;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	srv.timeout_ms = o->http_timeout_ms;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, evb_fd(&eb), &rev) ||
	    srv_init(&srv, lfd, epfd)) {
		msg("cannot set up epoll: %s", strerror(errno));
		goto out_eb;
	}
	lfd = -1;	/* srv's now */
	srv.token = o->token_file ? token : NULL;
	srv.log_fd = log_fd;
	srv.route = api_route;
	srv.route_arg = &api;
	if (api_init(&api, &in, &srv, o->filter)) {
		msg("out of memory for a table of %u flows", in.flows_max);
		goto out_srv;
	}
	for (i = 0; i < n_if; i++)
		api_add_iface(&api, at[i].name, at[i].ifindex);
	if (attach_all(at, n_if, in.prog_fd))
		goto out_api;
	if (o->user && drop_privileges(o->user, at, n_if, &in))
		goto out_detach;
	msg("serving http://%s%s (GET /inspect?ip=, /flows, /stats, /metrics, /openapi.json)",
	    listen, strchr(listen, ':') ? "" : ":9400");
	status = 0;
	next_tick = mono_ns() + 1000000000ull;
	while (!stop_sig) {
		now = mono_ns();
		if (now >= next_tick) {
			api_tick(&api, now);
			while (next_tick <= now)
				next_tick += 1000000000ull;
		}
		timeout = (next_tick - now) / 1000000 + 1;
		i = srv_timeout_ms(&srv);
		if (i >= 0 && i < timeout)
			timeout = i;
		/* as in a capture: unannounced events come within TI_WAKE_NS */
		if (busy && timeout > TI_WAKE_NS / 1000000 + 1)
			timeout = TI_WAKE_NS / 1000000 + 1;
		n = epoll_pwait(epfd, ev, sizeof(ev) / sizeof(ev[0]), timeout,
				&run_mask);
		if (n < 0 && errno != EINTR) {
			msg("waiting failed: %s", strerror(errno));
			status = EXIT_RUNTIME;
			break;
		}
		busy = 0;
		for (i = 0; i < n; i++)
			if (srv_owns(&ev[i]))
				srv_event(&srv, &ev[i]);
			else
				busy = 1;
		got = evb_consume(&eb, api_event, &api, &stopped);
		busy |= got > 0;
		srv_expire(&srv);
	}
out_detach:
	detach_all(at, n_if);
	insp_counters(&in, cnt);
	fprintf(stderr, "%llu HTTP requests answered, %llu connections refused\n",
		(unsigned long long)srv.requests, (unsigned long long)srv.refused);
	seen_line(cnt);
	malformed_line(cnt);
out_api:
	api_free(&api);
out_srv:
	srv_close(&srv);
out_eb:
	if (epfd >= 0)
		close(epfd);
	evb_close(&eb);
out_insp:
	insp_close(&in);
out_at:
	detach_all(at, n_if);
out_log:
	if (log_fd != STDERR_FILENO)
		close(log_fd);
out_lfd:
	if (lfd >= 0)
		close(lfd);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	switch (o.cmd) {
	case CMD_LOAD:
		return cmd_load(&o);
	case CMD_UNLOAD:
		return cmd_unload(&o);
	case CMD_SHOW:
		return cmd_show(&o);
	case CMD_REPLAY:
		return cmd_replay(&o);
	case CMD_FLOWS:
		return cmd_flows(&o);
	case CMD_PROBE:
		return cmd_probe(&o);
	case CMD_SERVE:
		return cmd_serve(&o);
	default:
		return cmd_capture(&o);
	}
}
