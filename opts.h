/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opts.h - tcpinspect's commands and options, declared once.  The
 * option table is the one source of the getopt strings, the check of
 * which command takes which option, the values' parsing and error
 * messages, `--help` and the man page's SYNOPSIS and OPTIONS (mkman.c).
 * No kernel calls, no printing but opts_help().
 */
#ifndef TCPINSPECT_OPTS_H
#define TCPINSPECT_OPTS_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define OPTS_IF_MAX	64	/* interfaces one run attaches to */
#define OPTS_DIR_IN	1	/* --direction */
#define OPTS_DIR_OUT	2

enum cmd { CMD_CAPTURE, CMD_FLOWS, CMD_REPLAY, CMD_LOAD, CMD_UNLOAD,
	   CMD_SHOW, CMD_PROBE, CMD_SERVE, CMD_TRACE, CMD_CNT };

/* A command as its help and the man page describe it. */
struct cmd_info {
	const char *name;
	const char *args;	/* in the synopsis before the options */
	const char *req;	/* short options that args names (not repeated) */
	int expr;		/* takes a filter EXPRESSION */
	int one_if;		/* -i at most once */
	const char *summary;	/* one line */
	const char *help;	/* what `COMMAND --help` adds */
};

extern const struct cmd_info cmd_info[CMD_CNT];

enum opt_kind {
	OPT_FLAG,		/* int = 1 */
	OPT_STR,		/* const char * */
	OPT_NUM,		/* __u64 = number × unit, unit > 1: decimals */
	OPT_NUM0,		/* as OPT_NUM; 0 given stands for max */
	OPT_SPECIAL,		/* opts.c's own code (-i, -x, --mode, ...) */
};

struct opt {
	char short_name;	/* 0: long only */
	const char *long_name;	/* NULL: short only */
	const char *arg;	/* the value's name in help; NULL: a flag */
	__u32 cmds;		/* 1 << CMD_* of the commands that take it */
	int repeat;		/* may be given more than once */
	enum opt_kind kind;
	size_t off;		/* in struct opts */
	unsigned long long unit, min, max;
	const char *what;	/* "bad WHAT 'x': want WANT" */
	const char *want;
	const char *help;	/* one line for --help */
	const char *man;	/* more for the man page; NULL: help alone */
};

extern const struct opt opt_table[];
extern const size_t opt_cnt;

/* What the command line says. */
struct opts {
	enum cmd cmd;
	const char *ifaces[OPTS_IF_MAX];	/* every -i, in order */
	int iface_cnt;
	const char *iface;	/* the first -i, or the default interface */
	__u64 count;		/* -c (trace: lines) */
	__u64 snaplen;		/* -s; 0: as the output needs */
	int hex;		/* -x 1, -X 2 */
	int ascii;		/* -A */
	int json;
	int verbose;		/* -v count */
	int numeric;		/* -n: accepted, always on */
	int absolute;		/* -S: absolute sequence numbers */
	int link;		/* -e: the link layer */
	int quiet;		/* -q */
	int no_cksum;		/* -K */
	int tflag;		/* -t count: tcpdump's time stamp formats */
	int number;		/* -#: number the packets */
	int line_buf;		/* -l */
	int packet_buf;		/* -U */
	__u64 duration_ns;	/* --duration */
	__u64 sample;		/* --sample */
	__u64 buffer;		/* --buffer */
	__u64 stats_ns;		/* --stats */
	const char *write_path;	/* -w */
	int pcapng;
	int force;
	__u64 rotate_size;	/* -C */
	__u64 rotate_cnt;	/* -W */
	__u32 mode;		/* XDP_FLAGS_{DRV,SKB}_MODE, 0 = auto */
	int replace;
	int direction;		/* OPTS_DIR_* bits; 0: in */
	int tc;			/* load, unload --tc: 1 ingress, 2 egress */
	const char *to_xdp;	/* load --to-xdp IFACE */
	const char *obj_path;	/* load OBJ */
	const char *pcap_path;	/* replay FILE */
	const char *section;	/* load --section */
	const char *prog;	/* load --prog, trace --prog */
	const char *comm;	/* trace --comm */
	const char *pin_dir;	/* load, unload --pin */
	__u64 top;		/* flows --top; 0: a screenful, all in JSON */
	int sort;		/* flows --sort: enum flow_col */
	__u64 interval_ns;	/* flows --interval */
	__u64 flows_max;	/* --flows; 0: TI_FLOWS_DEFAULT */
	const char *ipfix;	/* flows --ipfix collector */
	const char *netflow9;	/* flows --netflow9 collector */
	__u64 active_ns;	/* --active-timeout; 0: 60 s */
	__u64 idle_ns;		/* --idle-timeout; 0: 15 s */
	const char *listen;	/* serve --listen */
	const char *token_file;
	const char *access_log;
	const char *user;
	__u64 http_timeout_ns;	/* serve --http-timeout; 0: the server's */
	char *filter;		/* the remaining arguments, joined; NULL: none */
	int help;		/* -h: 1 + the command to help with (CMD_CNT: all) */
	int version;		/* --version */
};

/*
 * Fill o (zeroed by the caller) from argv.  0 (with o->help or
 * o->version set, the rest may be unparsed), -EINVAL for a bad command
 * line or -ENOMEM; err holds the one line that says why.  o->filter is
 * the caller's to free.
 */
int opts_parse(int argc, char **argv, struct opts *o, char *err, size_t err_len);

/* `tcpinspect --help` (cmd CMD_CNT: every command) or `COMMAND --help`. */
void opts_help(FILE *f, enum cmd cmd);

/* "-c" or "--duration": how the help names option op. */
const char *opt_name(const struct opt *op, char *buf, size_t len);

#endif
