// SPDX-License-Identifier: GPL-2.0
/*
 * bench_prog - per-packet cost of tcpinspect's XDP program, measured by
 * the kernel with BPF_PROG_TEST_RUN and `repeat`, against a bare
 * XDP_PASS program (tests/objs/pass.c) in the same run.
 *
 * Cases: no filter (an event per packet), a filter that rejects the
 * packet, one that accepts it, ten primitives, perf buffers; and the
 * floor: the kernel's helpers an event needs, with nothing of ours
 * (tests/objs/floor.c).  Events are drained between runs; a run
 * that would fill the ring buffer is kept short.  Median of ROUNDS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include "bpf.h"
#include "inspector.h"
#include "evbuf.h"
#include "probe.h"

#define ROUNDS	15

/* A filter of ten primitives that accepts the SYN below (port 80). */
#define TEN_PRIMITIVES	"tcp and ip and (host 10.0.0.1 or host 192.0.2.9) and " \
			"not net 172.16.0.0/12 and (port 80 or port 443 or " \
			"portrange 8000-8100) and tcp[tcpflags] & tcp-rst == 0 and less 1500"

static int drop_event(void *arg, const void *rec, __u32 len)
{
	(*(long *)arg)++;
	return 0;
}

/* A 74-byte TCP SYN to port 80 with the usual options. */
static size_t syn_frame(__u8 *f)
{
	static const __u8 frame[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 60, 0, 1, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0xc8, 0x22, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02,
		0xfa, 0xf0, 0, 0, 0, 0,
		2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
	};

	memcpy(f, frame, sizeof(frame));
	return sizeof(frame);
}

static int cmp_u32(const void *a, const void *b)
{
	return *(const __u32 *)a < *(const __u32 *)b ? -1 :
	       *(const __u32 *)a > *(const __u32 *)b;
}

/* Median kernel ns per run of prog_fd over ROUNDS runs of repeat each. */
static double measure(int prog_fd, struct evbuf *eb, __u32 repeat)
{
	__u8 frame[128];
	struct bpf_test_run t = { .data_in = frame, .repeat = repeat };
	__u32 ns[ROUNDS];
	long n = 0;
	int i, stop = 0;

	t.data_len_in = syn_frame(frame);
	for (i = 0; i < ROUNDS; i++) {
		if (bpf_prog_test_run(prog_fd, &t))
			return -1;
		ns[i] = t.duration;
		if (eb)
			evb_consume(eb, drop_event, &n, &stop);
	}
	qsort(ns, ROUNDS, sizeof(ns[0]), cmp_u32);
	return ns[ROUNDS / 2];
}

/* The object at path loaded (kept for the run); NULL, said why, if not. */
static struct ld_obj *load_obj(const char *path)
{
	static struct ld_obj objs[2];
	static char bufs[2][1 << 16];
	static int used;
	struct ld_obj *o = &objs[used];
	char err[256];
	FILE *f = fopen(path, "rb");
	size_t len = f ? fread(bufs[used], 1, sizeof(bufs[used]), f) : 0;

	if (f)
		fclose(f);
	if (!len || ld_parse(o, bufs[used], len, err, sizeof(err)) ||
	    ld_load(o, err, sizeof(err))) {
		fprintf(stderr, "bench: cannot load %s: %s\n", path, len ? err : "unreadable");
		return NULL;
	}
	used++;
	return o;
}

int main(void)
{
	static const struct {
		const char *name, *filter;
		__u32 repeat;
		int perf;
	} cases[] = {
		{ "tcpinspect, no filter (event)", NULL, 5000, 0 },
		{ "tcpinspect, filter rejects", "tcp port 443 or host 192.0.2.1", 1000000, 0 },
		{ "tcpinspect, filter accepts (event)", "tcp port 80 and net 10.0.0.0/8", 5000, 0 },
		{ "tcpinspect, ten-primitive filter", TEN_PRIMITIVES, 5000, 0 },
		{ "tcpinspect, perf buffers (event)", NULL, 2000, 1 },
	};
	static struct probe kp;
	static struct inspector in;
	struct insp_config cfg = { .snaplen = TI_SNAP_DEFAULT, .stats = 1 };
	const struct ld_vstats *vs;
	struct evbuf eb = EVB_INIT;
	struct ld_obj *pass, *floor;
	char err[4096];
	double bare, ns;
	size_t i;
	__u32 k;

	if (probe_kernel(&kp, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	pass = load_obj("build/pass.o");
	floor = load_obj("build/floor.o");
	if (!pass || !floor)
		return 1;
	bare = measure(pass->prog_fds[0], NULL, 1000000);
	printf("%-36s %7s %7s %10s %8s %9s\n", "XDP program (BPF_PROG_TEST_RUN)",
	       "ns/pkt", "x bare", "verified", "states", "verify us");
	printf("%-36s %7.1f %7.2f\n", "bare XDP_PASS", bare, 1.0);
	/* The kernel's helpers alone, for an event: what no program can
	 * go under (tests/objs/floor.c). */
	if (evb_open_ring(&eb, ld_map_fd(floor, "floor_events"), 1 << 20))
		return 1;
	ns = measure(ld_prog_fd(floor, "xdp/clock"), NULL, 1000000);
	printf("%-36s %7.1f %7.2f\n", "floor: the clock read alone", ns, ns / bare);
	ns = measure(ld_prog_fd(floor, "xdp/event"), &eb, 5000);
	printf("%-36s %7.1f %7.2f\n", "floor: clock, copy, ring output", ns, ns / bare);
	evb_close(&eb);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg.filter = cases[i].filter;
		kp.has[PROBE_RINGBUF] = !cases[i].perf;
		cfg.probe = &kp;
		if (insp_open(&in, &cfg, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		if (insp_events_open(&in, &eb))
			return 1;
		ns = measure(in.prog_fd, &eb, cases[i].repeat);
		for (k = 0; k < in.obj.elf.prog_cnt - 1; k++)	/* the XDP program's */
			if (in.obj.prog_fds[k] == in.prog_fd)
				break;
		vs = &in.obj.vstats[k];
		printf("%-36s %7.1f %7.2f %10u %8u %9u\n", cases[i].name, ns, ns / bare,
		       vs->insns, vs->states, vs->usec);
		evb_close(&eb);
		insp_close(&in);
	}
	return 0;
}
