// SPDX-License-Identifier: GPL-2.0
/*
 * opts.c - the command line: every command and option in one table
 * each, and the parser, checks and help built from them (opts.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include "flows.h"
#include "opts.h"
#include "writer.h"
#include "prog/tcpinspect.h"

#define NS_PER_S	1000000000ull
#define FLOWS_MAX	4194304u	/* --flows: most entries (1 << 22) */
#define STR_(x)		#x
#define STR(x)		STR_(x)

#define C_CAPTURE	(1u << CMD_CAPTURE)
#define C_FLOWS		(1u << CMD_FLOWS)
#define C_REPLAY	(1u << CMD_REPLAY)
#define C_LOAD		(1u << CMD_LOAD)
#define C_UNLOAD	(1u << CMD_UNLOAD)
#define C_SHOW		(1u << CMD_SHOW)
#define C_PROBE		(1u << CMD_PROBE)
#define C_SERVE		(1u << CMD_SERVE)
#define C_TRACE		(1u << CMD_TRACE)
#define C_ALL		((1u << CMD_CNT) - 1)
#define C_ATTACH	(C_CAPTURE | C_FLOWS | C_SERVE)	/* attach the embedded program */

const struct cmd_info cmd_info[CMD_CNT] = {
	[CMD_CAPTURE] = {
		"capture", "", "", 1, 0,
		"print the TCP segments arriving on interfaces (the default command)",
		"Attach the embedded XDP program to each interface, print one line (or\n"
		"JSON object) per TCP segment that matches EXPRESSION, or write them to\n"
		"a pcap or pcapng file with -w; detach on exit (-c, --duration, SIGINT,\n"
		"SIGTERM, SIGHUP, a gone reader) and print the counters on stderr.\n",
	},
	[CMD_FLOWS] = {
		"flows", "", "", 1, 0,
		"count packets, bytes, flags and TCP health per connection",
		"Count packets, bytes, SYN, SYN-ACK, FIN, RST, retransmissions and RTT\n"
		"per connection in the kernel's flow table, and print the table at exit\n"
		"(SIGINT, SIGTERM, --duration) and every --interval seconds: the top N\n"
		"rows (default 20; all with --json) by COLUMN: packets (default),\n"
		"bytes, syn, synack, fin, rst, first, last, rtt, retrans.  The oldest\n"
		"entries are evicted when full.\n",
	},
	[CMD_REPLAY] = {
		"replay", "FILE", "", 1, 0,
		"run a capture file's frames through the program",
		"Run the frames of FILE (pcap or pcapng, Ethernet; - for stdin) through\n"
		"the embedded program with BPF_PROG_TEST_RUN and print what it reports,\n"
		"as a capture would, with the file's timestamps.  Nothing is attached.\n",
	},
	[CMD_LOAD] = {
		"load", "OBJ.o -i IFACE", "i", 0, 1,
		"load a user's XDP object and leave it attached",
		"Load the XDP program of OBJ.o (the first one, the one in section SEC,\n"
		"or the function NAME) and leave it attached to IFACE, over netlink.\n"
		"With --pin DIR (a mounted bpffs) attach with a bpf_link pinned at\n"
		"DIR/xdp-link-IFACE, and pin maps marked LIBBPF_PIN_BY_NAME under DIR.\n"
		"--replace replaces a program already there, for good.\n",
	},
	[CMD_UNLOAD] = {
		"unload", "-i IFACE", "i", 0, 1,
		"detach the XDP programs of an interface",
		"Detach the XDP programs of IFACE, in every mode, netlink or bpf_link;\n"
		"with --pin DIR also remove the detached link's pin from DIR.  Nothing\n"
		"attached is success, as with `ip link set dev IFACE xdp off`.\n",
	},
	[CMD_SHOW] = {
		"show", "", "", 0, 0,
		"list the XDP programs attached to interfaces",
		"One line per XDP program attached to an interface of this network\n"
		"namespace: interface, ifindex, mode, program id, name, tag, link id.\n",
	},
	[CMD_PROBE] = {
		"probe", "", "", 0, 1,
		"say what the kernel offers and what is used instead",
		"Each kernel feature tcpinspect can use, found by trying it, and what\n"
		"it uses instead where one is missing; with -i, native and generic XDP\n"
		"on IFACE (a pass program attached for a moment, only if none is).\n"
		"Exit status 0 if a capture can run here.\n",
	},
	[CMD_SERVE] = {
		"serve", "", "", 1, 0,
		"answer an HTTP API about the connections seen",
		"Count connections as flows does and serve an HTTP API on ADDR:PORT\n"
		"(default 127.0.0.1:9400): GET /inspect?ip=A, /flows?top=N&sort=COLUMN,\n"
		"/stats, /metrics (Prometheus), /openapi.json.  A non-loopback address\n"
		"needs --token-file (requests then carry Authorization: Bearer TOKEN).\n",
	},
	[CMD_TRACE] = {
		"trace", "", "", 0, 0,
		"print what BPF programs write with bpf_printk",
		"Print the lines BPF programs write with bpf_printk (bpf_trace_printk),\n"
		"as the kernel's trace_pipe shows them, from a tracing instance of its\n"
		"own, until SIGINT, SIGTERM, -c lines or --duration; tracefs is mounted\n"
		"at /sys/kernel/tracing for the run if it is not.  --prog and --comm\n"
		"keep the lines of one program or one process name.\n",
	},
};

#define O(f)	offsetof(struct opts, f)
/* Longer text for the man page only: not in the binary. */
#ifdef OPTS_MAN
#define MAN(s)	.man = s
#else
#define MAN(s)	.man = NULL
#endif

const struct opt opt_table[] = {
	{ 'i', "interface", "IFACE", C_ATTACH | C_LOAD | C_UNLOAD | C_PROBE, 1, OPT_SPECIAL,
	  .help = "interface; repeat for several, 'any' for every one that is up",
	  MAN("The interface to attach to.  capture, flows and serve take several\n"
	      "(repeat -i, up to " STR(OPTS_IF_MAX) "), or \\fBany\\fR for every interface that is up.\n"
	      "Without -i they use the interface of the default route, else the first\n"
	      "interface that is up and not loopback.") },
	{ 'c', "count", "COUNT", C_CAPTURE | C_REPLAY | C_TRACE, 0, OPT_NUM, O(count),
	  .unit = 1, .min = 1, .max = ~0ul, .what = "count", .want = "a positive number",
	  .help = "exit after COUNT packets (trace: lines)",
	  MAN("Exit after COUNT packets (trace: COUNT lines).  For a capture the limit\n"
	      "holds in the kernel too: the program sends no more than COUNT events.") },
	{ 's', "snaplen", "SNAPLEN", C_CAPTURE | C_REPLAY, 0, OPT_NUM0, O(snaplen),
	  .unit = 1, .max = TI_SNAP_MAX, .what = "snap length",
	  .want = "0 (all, up to " STR(TI_SNAP_MAX) ") to " STR(TI_SNAP_MAX),
	  .help = "bytes of each frame to keep (default " STR(TI_SNAP_DEFAULT) "; the whole frame with -w, --json, -v, -x, -X, -A)",
	  MAN("Bytes of each frame an event carries: " STR(TI_SNAP_DEFAULT) " by default (every\n"
	      "header decoded), the whole frame up to " STR(TI_SNAP_MAX) " with -w, --json, -v,\n"
	      "-x, -X and -A (what they show needs it: the payload's summary, the TCP\n"
	      "checksum, the dump), and 0 for that maximum.  Every header is sent\n"
	      "whatever the snap length, and a malformed packet whole.") },
	{ 'w', NULL, "FILE", C_CAPTURE, 0, OPT_STR, O(write_path),
	  .help = "write the packets to FILE (pcap; - for stdout) instead of printing",
	  MAN("Write the packets to FILE as a pcap file (nanosecond timestamps), or to\n"
	      "standard output if FILE is a dash, instead of printing them.  The file is\n"
	      "created with mode 0600 and never follows a symbolic link; an existing\n"
	      "file is not overwritten without --force.") },
	{ 0, "pcapng", NULL, C_CAPTURE, 0, OPT_FLAG, O(pcapng),
	  .help = "with -w: write pcapng (one interface block per interface)" },
	{ 0, "force", NULL, C_CAPTURE, 0, OPT_FLAG, O(force),
	  .help = "with -w: replace an existing FILE" },
	{ 'C', NULL, "SIZE", C_CAPTURE, 0, OPT_SPECIAL, O(rotate_size),
	  .what = "file size", .want = "millions of bytes, or N with k, M or G",
	  .help = "with -w: a new file every SIZE millions of bytes (k, M, G: bytes)",
	  MAN("With -w: when a file would grow past SIZE, close it and go on in\n"
	      "FILE1, FILE2, ... as tcpdump -C does.  SIZE is in millions of bytes,\n"
	      "or in bytes with a k, M or G suffix.") },
	{ 'W', NULL, "N", C_CAPTURE, 0, OPT_NUM, O(rotate_cnt),
	  .unit = 1, .min = 1, .max = 1000000, .what = "file count", .want = "1 to 1000000",
	  .help = "with -C: keep at most N files, reusing the oldest" },
	{ 'x', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_SPECIAL, O(hex),
	  .help = "print each packet's bytes from the IP header in hex" },
	{ 'X', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_SPECIAL, O(hex),
	  .help = "print each packet's bytes from the IP header in hex and ASCII" },
	{ 'A', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(ascii),
	  .help = "print each packet's bytes from the IP header as text",
	  MAN("Print each packet's bytes from the IP header as text, as tcpdump -A:\n"
	      "a byte that is not a graphic character, a space, a tab or a newline\n"
	      "is a dot; a carriage return before a newline is left out.") },
	{ 'e', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(link),
	  .help = "print the link layer: MAC addresses, ethertypes, VLAN tags",
	  MAN("Print the link layer as tcpdump -e does: the MAC addresses, each\n"
	      "ethertype with its VLAN tag (id, priority, DEI), and the frame length.\n"
	      "VLAN tags are shown only with -e.") },
	{ 'S', "absolute-tcp-sequence-numbers", NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(absolute),
	  .help = "absolute TCP sequence numbers, not relative ones",
	  MAN("Print absolute TCP sequence and acknowledgement numbers.  By default,\n"
	      "as tcpdump, they are relative to each connection's first ones seen, on\n"
	      "segments with ACK set: the first segment of a connection (and a SYN)\n"
	      "records them and shows them as they are.  Connections are told apart\n"
	      "by addresses and ports in either direction; the last 16384 are\n"
	      "remembered, the oldest forgotten first.  JSON always has the absolute\n"
	      "numbers, and the relative ones as \\fBseq_rel\\fR and \\fBack_rel\\fR.") },
	{ 'q', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(quiet),
	  .help = "quiet: only addresses, ports and the TCP payload length",
	  MAN("Print less of each segment, as tcpdump -q: addresses, ports and\n"
	      "\\fBtcp\\fR followed by the payload length.") },
	{ 't', NULL, NULL, C_CAPTURE | C_REPLAY, 1, OPT_SPECIAL, O(tflag),
	  .help = "-t no time stamp, -tt seconds since the epoch, -ttt since the previous packet, -tttt with the date, -ttttt since the first",
	  MAN("The time stamp, as tcpdump: -t none; -tt seconds since the epoch;\n"
	      "-ttt the time since the previous packet; -tttt the date and the time\n"
	      "of day; -ttttt the time since the first packet.  Without -t, the time\n"
	      "of day (local time, as every time of text output).") },
	{ '#', "number", NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(number),
	  .help = "begin each line with the packet's number" },
	{ 'K', "dont-verify-checksums", NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(no_cksum),
	  .help = "with -v: do not verify IP and TCP checksums" },
	{ 'l', NULL, NULL, C_CAPTURE | C_REPLAY, 0, OPT_FLAG, O(line_buf),
	  .help = "write out each line at once (line-buffered output)" },
	{ 'U', "packet-buffered", NULL, C_CAPTURE, 0, OPT_FLAG, O(packet_buf),
	  .help = "write out each packet at once, to the output or the -w file" },
	{ 0, "json", NULL, C_CAPTURE | C_REPLAY | C_FLOWS, 0, OPT_FLAG, O(json),
	  .help = "one JSON object per packet (flows: per connection), NDJSON" },
	{ 'n', NULL, NULL, C_CAPTURE | C_REPLAY | C_FLOWS, 0, OPT_FLAG, O(numeric),
	  .help = "numeric output (always on; accepted for tcpdump habits)" },
	{ 'v', "verbose", NULL, C_ATTACH | C_REPLAY | C_LOAD, 1, OPT_SPECIAL, O(verbose),
	  .help = "say what the loader does; -v, -vv: print more of each packet",
	  MAN("Say on the standard error what the loader does (the kernel's\n"
	      "verifier statistics among it), and, with capture and replay, print\n"
	      "more of each packet as tcpdump -v does: the IP header's fields\n"
	      "(type of service, TTL, id, fragment offset and flags, protocol,\n"
	      "length, options; an IPv6 header's class, flow label, hop limit, next\n"
	      "header, payload length), the TCP checksum, verified where the event\n"
	      "holds the whole segment, and, after the TCP header, the summary of an\n"
	      "HTTP/1.x request or response or a TLS ClientHello or ServerHello that\n"
	      "the segment begins.  -vv also prints the sequence number of a bare\n"
	      "ACK.") },
	{ 0, "duration", "SECONDS", C_CAPTURE | C_FLOWS | C_TRACE, 0, OPT_NUM, O(duration_ns),
	  .unit = NS_PER_S, .min = 1, .max = 365 * 86400 * NS_PER_S, .what = "duration",
	  .want = "seconds (decimals allowed), more than 0",
	  .help = "stop after SECONDS (decimals allowed); capture, flows: a deadline in the kernel too" },
	{ 0, "sample", "N", C_CAPTURE | C_REPLAY, 0, OPT_NUM, O(sample),
	  .unit = 1, .min = 1, .max = 0xffffffffu, .what = "sample rate",
	  .want = "N, to emit one in N matching packets",
	  .help = "emit one in N matching packets (counted in the kernel)" },
	{ 0, "buffer", "SIZE", C_CAPTURE, 0, OPT_SPECIAL, O(buffer),
	  .what = "buffer size", .want = "a power of two from 4k to 1G (suffix k, M, G)",
	  .help = "ring buffer size, a power of two from 4k to 1G (default 1M)",
	  MAN("The ring buffer's size, a power of two from 4k to 1G (suffix k, M or\n"
	      "G), 1M by default; with perf buffers, their total, shared among the CPUs.\n"
	      "The kernel holds it, and tcpinspect maps it twice (a record that wraps\n"
	      "reads whole), so the resident size shows it twice.") },
	{ 0, "stats", "SECONDS", C_CAPTURE, 0, OPT_NUM, O(stats_ns),
	  .unit = NS_PER_S, .min = 1, .max = 86400 * NS_PER_S, .what = "stats interval",
	  .want = "seconds, more than 0",
	  .help = "print the counters on stderr every SECONDS" },
	{ 0, "mode", "MODE", C_ATTACH | C_LOAD, 0, OPT_SPECIAL, O(mode),
	  .what = "mode", .want = "auto, native or generic",
	  .help = "XDP mode: native, generic, or auto (native, else generic)" },
	{ 0, "direction", "DIR", C_ATTACH, 0, OPT_SPECIAL, O(direction),
	  .what = "direction", .want = "in, out or both",
	  .help = "the segments arriving (in, the default), leaving (out), or both",
	  MAN("Which segments to capture: those arriving on the interfaces (in, the\n"
	      "default: XDP, or beside an XDP program already there), those leaving\n"
	      "them (out: a TC egress program, tcx where the kernel has it, else a\n"
	      "cls_bpf filter in a clsact qdisc), or both, in one stream.  On a\n"
	      "loopback interface every packet arrives: both is in there, and out\n"
	      "alone is refused.") },
	{ 0, "tc", "HOOK", C_LOAD | C_UNLOAD, 0, OPT_SPECIAL, O(tc),
	  .what = "TC hook", .want = "ingress or egress",
	  .help = "load: attach a TC program at HOOK (ingress or egress); unload: remove them there",
	  MAN("load: attach a TC program (sections tc, classifier, tcx/ingress,\n"
	      "tcx/egress) at HOOK, ingress or egress: a direct-action cls_bpf filter\n"
	      "over netlink (a clsact qdisc made if there is none), or with --pin DIR\n"
	      "a tcx bpf_link pinned at DIR/tcx-HOOK-IFACE (Linux 6.6).  A tcx/\n"
	      "section names its hook itself.  unload: remove the cls_bpf filters at\n"
	      "HOOK (not those of running captures), and with --pin DIR the pinned\n"
	      "tcx link; the clsact qdisc too if a tcpinspect made it and it is\n"
	      "empty.") },
	{ 0, "to-xdp", "IFACE", C_LOAD, 0, OPT_SPECIAL, O(to_xdp),
	  .help = "attach an fentry/fexit program to IFACE's XDP program (with --pin)",
	  MAN("Attach the object's fentry or fexit program (sections fentry/...,\n"
	      "fexit/...) to the XDP program attached to IFACE, by the BTF of that\n"
	      "program's function, as xdpdump does; the link is pinned at\n"
	      "DIR/trace-IFACE (--pin DIR is needed: a tracing link lives as long\n"
	      "as its holder).  IFACE stands for -i.") },
	{ 0, "replace", NULL, C_ATTACH | C_LOAD, 0, OPT_FLAG, O(replace),
	  .help = "replace an attached XDP program (put back at exit; load: for good)" },
	{ 0, "section", "SEC", C_LOAD, 0, OPT_STR, O(section),
	  .help = "load the program in ELF section SEC" },
	{ 0, "prog", "NAME", C_LOAD | C_TRACE, 0, OPT_STR, O(prog),
	  .help = "load: the program (function) NAME; trace: only the lines of program NAME (or id)",
	  MAN("load: load and attach the program whose function is NAME.  trace: only\n"
	      "the lines that BPF program NAME printed (its function's name, or the\n"
	      "kernel's 15 characters of it), or the program with id NAME, known by its\n"
	      "symbol in the kernel stack of each line.") },
	{ 0, "comm", "NAME", C_TRACE, 0, OPT_STR, O(comm),
	  .help = "only the lines printed while process NAME was running (its name, 15 characters)",
	  MAN("Only the lines printed while a process called NAME was running, as the\n"
	      "kernel names it (15 characters; see /proc/PID/comm).  An XDP program runs\n"
	      "on receive, in whatever process the packet found the CPU: the sender,\n"
	      "for traffic between two namespaces of one host.") },
	{ 0, "pin", "DIR", C_LOAD | C_UNLOAD, 0, OPT_STR, O(pin_dir),
	  .help = "load: attach with a bpf_link pinned in DIR (a bpffs); unload: unpin it" },
	{ 0, "top", "N", C_FLOWS, 0, OPT_NUM, O(top),
	  .unit = 1, .min = 1, .max = 0xffffffffu, .what = "--top",
	  .want = "a number of flows, more than 0",
	  .help = "print the top N flows (default 20; with --json all)" },
	{ 0, "sort", "COLUMN", C_FLOWS, 0, OPT_SPECIAL, O(sort),
	  .what = "sort column", .want = flow_col_names,
	  .help = "sort by packets (default), bytes, syn, synack, fin, rst, first, last, rtt, retrans" },
	{ 0, "interval", "SECONDS", C_FLOWS, 0, OPT_NUM, O(interval_ns),
	  .unit = NS_PER_S, .min = 1, .max = 86400 * NS_PER_S, .what = "interval",
	  .want = "seconds, more than 0",
	  .help = "print the table every SECONDS (redrawn in place on a terminal)" },
	{ 0, "flows", "N", C_FLOWS | C_SERVE, 0, OPT_NUM, O(flows_max),
	  .unit = 1, .min = 1, .max = FLOWS_MAX, .what = "flow table size",
	  .want = "1 to 4194304 entries",
	  .help = "entries of the kernel's flow table (default 65536)" },
	{ 0, "ipfix", "ADDR:PORT", C_FLOWS | C_SERVE, 0, OPT_STR, O(ipfix),
	  .help = "export the flows as IPFIX over UDP to a collector at ADDR:PORT",
	  MAN("Export the flow table as IPFIX (RFC 7011) over UDP to the collector\n"
	      "at ADDR:PORT ([ADDR]:PORT for IPv6; numeric).  A connection's counts\n"
	      "go out in parts that add up: after --idle-timeout without packets,\n"
	      "when a part has lasted --active-timeout, two seconds after a FIN or\n"
	      "RST, and at exit; see FLOW EXPORT.") },
	{ 0, "netflow9", "ADDR:PORT", C_FLOWS | C_SERVE, 0, OPT_STR, O(netflow9),
	  .help = "export the flows as NetFlow v9 instead, for collectors without IPFIX" },
	{ 0, "active-timeout", "SECONDS", C_FLOWS | C_SERVE, 0, OPT_NUM, O(active_ns),
	  .unit = NS_PER_S, .min = 1, .max = 86400 * NS_PER_S, .what = "active timeout",
	  .want = "seconds, more than 0",
	  .help = "with --ipfix: a long connection's counts go out every SECONDS (60)" },
	{ 0, "idle-timeout", "SECONDS", C_FLOWS | C_SERVE, 0, OPT_NUM, O(idle_ns),
	  .unit = NS_PER_S, .min = 1, .max = 86400 * NS_PER_S, .what = "idle timeout",
	  .want = "seconds, more than 0",
	  .help = "with --ipfix: counts go out after SECONDS without packets (15)" },
	{ 0, "listen", "[ADDR:]PORT", C_SERVE, 0, OPT_STR, O(listen),
	  .help = "listen on ADDR:PORT (default 127.0.0.1:9400; PORT alone: on 127.0.0.1)" },
	{ 0, "token-file", "FILE", C_SERVE, 0, OPT_STR, O(token_file),
	  .help = "require Authorization: Bearer and the token in FILE (mode 0600)" },
	{ 0, "access-log", "FILE", C_SERVE, 0, OPT_STR, O(access_log),
	  .help = "append one line per request to FILE (default: stderr)" },
	{ 0, "user", "NAME", C_SERVE, 0, OPT_STR, O(user),
	  .help = "run as user NAME once attached (needs XDP bpf_link)" },
	{ 0, "http-timeout", "SECONDS", C_SERVE, 0, OPT_NUM, O(http_timeout_ns),
	  .unit = NS_PER_S, .min = 1, .max = 3600 * NS_PER_S, .what = "HTTP timeout",
	  .want = "seconds (decimals allowed), more than 0",
	  .help = "close an HTTP connection idle for SECONDS (default 10)" },
	{ 'h', "help", NULL, C_ALL, 1, OPT_SPECIAL,
	  .help = "print this help (COMMAND --help: that command's) and exit" },
	{ 0, "version", NULL, C_ALL, 1, OPT_SPECIAL,
	  .help = "print the version and exit" },
};

const size_t opt_cnt = sizeof(opt_table) / sizeof(opt_table[0]);

/* Options that exclude each other, and options that need another. */
static const struct {
	const char *a, *b;	/* a short name is one character; b may be
				 * alternatives: "x|y" (needs either) */
	int needs;		/* 1: a needs b; 0: a and b exclude each other */
	const char *say;	/* NULL: "A and B exclude each other: give one" */
} rules[] = {
	{ "x", "X", 0, NULL },
	{ "A", "x", 0, NULL },
	{ "A", "X", 0, NULL },
	{ "json", "w", 0, "--json and -w exclude each other: -w writes the packets to FILE" },
	{ "section", "prog", 0, NULL },
	{ "C", "w", 1, "-C, -W, --pcapng and --force go with -w FILE" },
	{ "W", "w", 1, "-C, -W, --pcapng and --force go with -w FILE" },
	{ "pcapng", "w", 1, "-C, -W, --pcapng and --force go with -w FILE" },
	{ "force", "w", 1, "-C, -W, --pcapng and --force go with -w FILE" },
	{ "W", "C", 1, "-W N needs -C SIZE: the files of the ring rotate by size" },
	{ "ipfix", "netflow9", 0, NULL },
	{ "tc", "to-xdp", 0, NULL },
	{ "to-xdp", "replace", 0, "--to-xdp and --replace exclude each other: a traced program stays where it is" },
	{ "to-xdp", "mode", 0, NULL },
	{ "tc", "replace", 0, "--tc and --replace exclude each other: TC programs are added beside the others" },
	{ "tc", "mode", 0, NULL },
	{ "active-timeout", "ipfix|netflow9", 1, "--active-timeout and --idle-timeout go with --ipfix or --netflow9" },
	{ "idle-timeout", "ipfix|netflow9", 1, "--active-timeout and --idle-timeout go with --ipfix or --netflow9" },
};

/* A usage error: the line into err; -EINVAL. */
static int bad(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *opt_name(const struct opt *op, char *buf, size_t len)
{
	if (op->short_name)
		snprintf(buf, len, "-%c", op->short_name);
	else
		snprintf(buf, len, "--%s", op->long_name);
	return buf;
}

/* The table's entry for a name ("x" or "json"); NULL if none. */
static const struct opt *opt_find(const char *name)
{
	size_t i;

	for (i = 0; i < opt_cnt; i++)
		if (name[1] ? opt_table[i].long_name && !strcmp(opt_table[i].long_name, name) :
			      opt_table[i].short_name == name[0])
			return &opt_table[i];
	return NULL;
}

/* getopt_long's value for option i: its short name, else 256 + i. */
static int opt_val(size_t i)
{
	return opt_table[i].short_name ? opt_table[i].short_name : 256 + (int)i;
}

/* The index of the option whose getopt_long value is val. */
static size_t opt_idx(int val)
{
	size_t i;

	for (i = 0; i < opt_cnt - 1 && opt_val(i) != val; i++)
		;
	return i;
}

/*
 * "12" or "1.5" (decimals only if unit > 1) times unit into *v; 0 if
 * min <= *v <= max, else -1.
 */
static int parse_num(const char *s, unsigned long long unit,
		     unsigned long long min, unsigned long long max,
		     unsigned long long *v)
{
	unsigned long long whole, frac = 0, div = 1;
	char *end;

	if (*s < '0' || *s > '9')
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
	return *v >= min && *v <= max ? 0 : -1;
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
	return parse_num(num, unit, 1, 1ull << 40, v);
}

/* argv[0..argc) joined by spaces, malloc'd; NULL if out of memory. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1, n;
	char *s, *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	p = s = malloc(len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		memcpy(p, argv[i], n);
		p += n;
		*p++ = ' ';
	}
	p[argc ? -1 : 0] = 0;
	return s;
}

/* The value of option op into o; 0, or -1 after saying why. */
static int set_value(struct opts *o, const struct opt *op, const char *arg,
		     char *err, size_t err_len)
{
	void *at = (char *)o + op->off;
	unsigned long long v;
	int i;

	switch (op->kind) {
	case OPT_FLAG:
		*(int *)at = 1;
		return 0;
	case OPT_STR:
		*(const char **)at = arg;
		return 0;
	case OPT_NUM:
	case OPT_NUM0:
		if (parse_num(arg, op->unit, op->min, op->max, &v))
			break;
		/* 0 stands for the most, as with tcpdump -s 0 */
		*(__u64 *)at = v ? v : op->max;
		return 0;
	case OPT_SPECIAL:
		break;
	}
	switch (op->short_name) {
	case 'C':
		if (!wr_parse_size(arg, (__u64 *)at))
			return 0;
		break;
	case 'x':
	case 'X':
		o->hex = op->short_name == 'X' ? 2 : 1;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 't':
		if (++o->tflag <= 5)
			return 0;
		return bad(err, err_len, "only -t, -tt, -ttt, -tttt and -ttttt are supported");
	}
	if (!op->long_name || op->kind != OPT_SPECIAL)
		goto bad;
	if (!strcmp(op->long_name, "buffer")) {
		if (!parse_size(arg, &v) && v >= 4096 && v <= (1u << 30) && !(v & (v - 1))) {
			o->buffer = v;
			return 0;
		}
	} else if (!strcmp(op->long_name, "sort")) {
		i = flow_col_parse(arg);
		if (i >= 0) {
			o->sort = i;
			return 0;
		}
	} else if (!strcmp(op->long_name, "tc")) {
		o->tc = !strcmp(arg, "ingress") ? 1 : !strcmp(arg, "egress") ? 2 : 0;
		if (o->tc)
			return 0;
	} else if (!strcmp(op->long_name, "to-xdp")) {
		o->to_xdp = arg;
		if (!o->iface_cnt) {	/* it names the interface */
			o->ifaces[o->iface_cnt++] = arg;
			o->iface = arg;
		}
		return 0;
	} else if (!strcmp(op->long_name, "direction")) {
		o->direction = !strcmp(arg, "in") ? OPTS_DIR_IN :
			       !strcmp(arg, "out") ? OPTS_DIR_OUT :
			       !strcmp(arg, "both") ? OPTS_DIR_IN | OPTS_DIR_OUT : 0;
		if (o->direction)
			return 0;
	} else if (!strcmp(op->long_name, "mode")) {
		if (!strcmp(arg, "native") || !strcmp(arg, "generic") || !strcmp(arg, "auto")) {
			o->mode = arg[0] == 'n' ? XDP_FLAGS_DRV_MODE :
				  arg[0] == 'g' ? XDP_FLAGS_SKB_MODE : 0;
			return 0;
		}
	}
bad:
	return bad(err, err_len, "bad %s '%s': want %s", op->what, arg, op->want);
}

/*
 * How the user wrote the option getopt_long just returned: "--snaplen"
 * if it matched a long name (li >= 0), else "-s".
 */
static const char *typed(const struct opt *op, int li, char *buf, size_t len)
{
	if (li >= 0 || !op->short_name)
		snprintf(buf, len, "--%s", op->long_name);
	else
		snprintf(buf, len, "-%c", op->short_name);
	return buf;
}

/* The checks no single option can make; 0 or -1 (said why). */
static int check_combined(const struct opts *o, const int *given, char *err,
			  size_t err_len)
{
	const struct opt *a, *b;
	char an[32], bn[32], one[32];
	const char *p;
	size_t i, n;
	int j, gb;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		a = opt_find(rules[i].a);
		b = NULL;
		gb = 0;
		for (p = rules[i].b; *p; p += n + (p[n] == '|')) {
			n = strcspn(p, "|");
			snprintf(one, sizeof(one), "%.*s", (int)n, p);
			b = opt_find(one);
			gb |= given[b - opt_table] != 0;
		}
		if (!given[a - opt_table] || gb == rules[i].needs)
			continue;
		if (rules[i].say)
			return bad(err, err_len, "%s", rules[i].say);
		return bad(err, err_len, "%s and %s exclude each other: give one",
			   opt_name(a, an, sizeof(an)), opt_name(b, bn, sizeof(bn)));
	}
	if (cmd_info[o->cmd].one_if && o->iface_cnt > 1)
		return bad(err, err_len, "%s takes one interface: -i given %d times",
			   cmd_info[o->cmd].name, o->iface_cnt);
	for (i = 0; i < (size_t)o->iface_cnt; i++)
		for (j = 0; j < (int)i; j++)
			if (!strcmp(o->ifaces[i], o->ifaces[j]))
				return bad(err, err_len, "interface %s named twice",
					   o->ifaces[i]);
	return 0;
}

int opts_parse(int argc, char **argv, struct opts *o, char *err, size_t err_len)
{
	struct option longopts[sizeof(opt_table) / sizeof(opt_table[0]) + 1];
	char shortopts[3 * sizeof(opt_table) / sizeof(opt_table[0]) + 2];
	int given[sizeof(opt_table) / sizeof(opt_table[0])] = { 0 };
	const char *cmd = "a capture", *a;
	const struct opt *op;
	char name[64];
	size_t i, nl = 0, ns = 0;
	int c, li, lng, ret, named = 0;

	shortopts[ns++] = ':';	/* ':' for a missing value, '?' unknown */
	for (i = 0; i < opt_cnt; i++) {
		op = &opt_table[i];
		if (op->short_name) {
			shortopts[ns++] = op->short_name;
			if (op->arg)
				shortopts[ns++] = ':';
		}
		if (op->long_name)
			longopts[nl++] = (struct option){ op->long_name,
				op->arg ? required_argument : no_argument, NULL, opt_val(i) };
	}
	shortopts[ns] = 0;
	longopts[nl] = (struct option){ 0 };

	/* A first argument that is not an option names the command. */
	if (argc > 1 && argv[1][0] != '-') {
		for (c = 0; c < CMD_CNT; c++)
			if (!strcmp(argv[1], cmd_info[c].name))
				break;
		if (c == CMD_CNT)
			return bad(err, err_len, "unknown command '%s': want capture, flows, replay, load, unload, show, probe, serve or trace (see tcpinspect --help)",
				   argv[1]);
		o->cmd = c;
		cmd = argv[1];
		named = 1;
		argc--;
		argv++;
	}
	opterr = 0;
	optind = 1;
	while (li = -1, (c = getopt_long(argc, argv, shortopts, longopts, &li)) != -1) {
		/* An error names the option as typed: a long one from argv
		 * (getopt_long has passed it), a short one from optopt. */
		if (c == ':' || c == '?') {
			a = optind - 1 < argc ? argv[optind - 1] : NULL;
			lng = a && a[0] == '-' && a[1] == '-' &&
			      (c == ':' || !optopt || optopt >= 256 ||
			       !strncmp(a + 2, opt_table[opt_idx(optopt)].long_name ?: "",
					strcspn(a + 2, "=")));
			if (lng)
				snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "="), a);
			else
				snprintf(name, sizeof(name), "-%c", optopt);
			if (c == ':')
				return bad(err, err_len, "option %s needs a value", name);
			if (lng && optopt)
				return bad(err, err_len, "option %s takes no value", name);
			return bad(err, err_len, "unknown option '%s' (see tcpinspect --help)",
				   name);
		}
		i = opt_idx(c);
		op = &opt_table[i];
		if (!(op->cmds & (1u << o->cmd)))
			return bad(err, err_len, "option %s does not apply to %s (see tcpinspect %s%s--help)",
				   typed(op, li, name, sizeof(name)), cmd,
				   named ? cmd : "", named ? " " : "");
		if (given[i]++ && !op->repeat)
			return bad(err, err_len, "option %s given twice",
				   typed(op, li, name, sizeof(name)));
		/* Answered at once, whatever follows. */
		if (op->short_name == 'h') {
			o->help = 1 + (named ? o->cmd : CMD_CNT);
			return 0;
		}
		if (op->long_name && !strcmp(op->long_name, "version")) {
			o->version = 1;
			return 0;
		}
		if (op->short_name == 'i') {
			if (o->iface_cnt >= OPTS_IF_MAX)
				return bad(err, err_len, "too many -i (limit %d)", OPTS_IF_MAX);
			o->ifaces[o->iface_cnt++] = optarg;
			if (!o->iface)
				o->iface = optarg;
			continue;
		}
		ret = set_value(o, op, optarg, err, err_len);
		if (ret)
			return ret;
	}
	if (o->cmd == CMD_LOAD && optind < argc)
		o->obj_path = argv[optind++];
	if (o->cmd == CMD_REPLAY && optind < argc)
		o->pcap_path = argv[optind++];
	/* A command's remaining arguments are its filter, as with tcpdump. */
	if (cmd_info[o->cmd].expr && optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter) {
			snprintf(err, err_len, "out of memory");
			return -ENOMEM;
		}
		optind = argc;
	}
	if (optind < argc)
		return bad(err, err_len, "unexpected argument '%s' (see tcpinspect %s%s--help)",
			   argv[optind], named ? cmd : "", named ? " " : "");
	if (o->cmd == CMD_LOAD && !o->obj_path)
		return bad(err, err_len, "load needs an object file: tcpinspect load OBJ.o -i IFACE");
	if (o->cmd == CMD_REPLAY && !o->pcap_path)
		return bad(err, err_len, "replay needs a capture file: tcpinspect replay FILE [EXPRESSION]");
	if ((o->cmd == CMD_LOAD || o->cmd == CMD_UNLOAD) && !o->iface)
		return bad(err, err_len, "%s needs an interface: -i IFACE", cmd);
	return check_combined(o, given, err, err_len);
}

/* "-c, --count COUNT", "-w FILE" or "    --json": an option's left column. */
static void help_left(const struct opt *op, char *buf, size_t len)
{
	if (op->short_name && op->long_name)
		snprintf(buf, len, "-%c, --%s", op->short_name, op->long_name);
	else if (op->short_name)
		snprintf(buf, len, "-%c", op->short_name);
	else
		snprintf(buf, len, "    --%s", op->long_name);
	if (op->arg)
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", op->arg);
}

/* One option's lines of --help, wrapped at 79 columns under the text;
 * with all, the commands it applies to in brackets. */
static void help_opt(FILE *f, const struct opt *op, int all)
{
	char left[64], text[256];
	size_t used;
	const char *w, *end;
	int c, n, col;

	help_left(op, left, sizeof(left));
	used = snprintf(text, sizeof(text), "%s", op->help);
	if (all && op->cmds != C_ALL && op->cmds != C_CAPTURE) {
		for (n = 0, c = 0; c < CMD_CNT; c++)
			if (op->cmds & (1u << c))
				used += snprintf(text + used, sizeof(text) - used, "%s%s",
						 n++ ? " " : " [", cmd_info[c].name);
		snprintf(text + used, sizeof(text) - used, "]");
	}
	col = fprintf(f, "  %-26s", left);
	if (col > 28)
		col = fprintf(f, "\n%28s", "") - 1;
	for (w = text; *w; w = end + (*end == ' ')) {
		end = w + strcspn(w, " ");
		if (col > 28 && col + 1 + (end - w) > 79)
			col = fprintf(f, "\n%28s", "") - 1;
		col += fprintf(f, "%s%.*s", col > 28 ? " " : "", (int)(end - w), w);
	}
	fputc('\n', f);
}

/* "usage: tcpinspect load OBJ.o -i IFACE [--section SEC] ..." at most
 * 78 columns wide, continued under the first option. */
static void synopsis(FILE *f, enum cmd cmd, const char *lead)
{
	const struct cmd_info *ci = &cmd_info[cmd];
	const struct opt *op;
	char word[64], name[32];
	int col, indent;
	size_t k;

	col = fprintf(f, "%stcpinspect %s", lead,
		      cmd == CMD_CAPTURE ? "[capture]" : ci->name);
	indent = col;
	if (*ci->args)
		col += fprintf(f, " %s", ci->args);
	for (k = 0; k <= opt_cnt; k++) {
		op = &opt_table[k];
		if (k == opt_cnt && !ci->expr)
			break;
		if (k == opt_cnt)
			snprintf(word, sizeof(word), "[EXPRESSION]");
		else if (!(op->cmds & (1u << cmd)) || op->cmds == C_ALL ||
			 (op->short_name && strchr(ci->req, op->short_name)))
			continue;
		else
			snprintf(word, sizeof(word), "[%s%s%s]%s",
				 opt_name(op, name, sizeof(name)), op->arg ? " " : "",
				 op->arg ? op->arg : "",
				 op->repeat && op->arg && !ci->one_if ? "..." : "");
		if (col + 1 + (int)strlen(word) > 78)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		col += fprintf(f, " %s", word);
	}
	fputc('\n', f);
}

void opts_help(FILE *f, enum cmd cmd)
{
	size_t i;
	int c;

	if (cmd != CMD_CNT) {
		synopsis(f, cmd, "usage: ");
		fprintf(f, "%s", cmd_info[cmd].help);
		fputs("Options:\n", f);
		for (i = 0; i < opt_cnt; i++)
			if (opt_table[i].cmds & (1u << cmd))
				help_opt(f, &opt_table[i], 0);
	} else {
		for (c = 0; c < CMD_CNT; c++)
			synopsis(f, c, c ? "       " : "usage: ");
		fputs("       tcpinspect -h | --help | --version | COMMAND --help\n"
		      "Print the TCP segments arriving on interfaces, seen by an XDP program.\n"
		      "Commands:\n", f);
		for (c = 0; c < CMD_CNT; c++)
			fprintf(f, "  %-9s%s\n", cmd_info[c].name, cmd_info[c].summary);
		fputs("Options (the commands that take them in brackets; else capture's):\n", f);
		for (i = 0; i < opt_cnt; i++)
			help_opt(f, &opt_table[i], 1);
	}
	if (cmd == CMD_CNT || cmd_info[cmd].expr)
		fputs("EXPRESSION: a pcap-filter expression, as tcpdump takes (see\n"
		      "  tcpinspect(8)): e.g. 'port 443', 'host 10.0.0.1 and tcp[13] & 2 != 0'.\n", f);
	fputs("Exit status: 0 done, 1 runtime failure, 2 bad usage, interface or file.\n", f);
}
