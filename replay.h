/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay.h - run the frames of a capture file through a loaded XDP
 * program with BPF_PROG_TEST_RUN, as if they arrived on loopback
 * (ingress ifindex 1, rx queue 0), and hand each record the program
 * submitted (to its ring buffer or perf buffers) to a callback together
 * with the capture record it came from.  The buffer is drained after
 * every frame, so records come in file order and a full buffer cannot
 * happen.
 *
 * No printing: failures go to err.  Functions return 0 or -errno.
 */
#ifndef TCPINSPECT_REPLAY_H
#define TCPINSPECT_REPLAY_H

#include <signal.h>
#include <stddef.h>
#include <linux/types.h>
#include "pcap.h"
#include "evbuf.h"

#define REPLAY_IFINDEX	1	/* lo: exists in every network namespace */
#define REPLAY_MIN_LEN	14	/* BPF_PROG_TEST_RUN wants an Ethernet header */

/* A capture file in memory: mapped, or read (pipes, "-" for stdin). */
struct replay_file {
	void *buf;
	size_t len;
	int mapped;
};

/* path "-" is stdin.  -errno as open(2)/read(2) give it; EFBIG past 1 GiB. */
int replay_file_open(struct replay_file *f, const char *path);
void replay_file_close(struct replay_file *f);

struct replay_stats {
	__u64 frames;		/* records read */
	__u64 run;		/* frames the program ran on */
	__u64 too_short;	/* under REPLAY_MIN_LEN bytes: not run */
	__u64 cut;		/* longer than the kernel takes: run cut to cut_len */
	__u32 cut_len;
	__u64 events;		/* records handed to the callback */
	int no_meta;		/* the kernel takes no XDP metadata in a test run */
};

/*
 * Per record rec[0, len) that the program submitted for
 * frame; non-zero stops the replay after it.
 */
typedef int (*replay_fn)(void *arg, const void *rec, __u32 len,
			 const struct pcap_rec *frame);

/*
 * Run every remaining record of r through prog_fd, draining eb (the
 * program's event buffer) into fn after each.  Stops early, before the
 * next frame, when *stop becomes non-zero (stop may be NULL).  Returns
 * 0 at the end of the file, 1 if fn or *stop ended it, or -errno: the
 * capture file is broken (err from pcap_next) or the kernel refused a
 * run (err names the record).  *st counts what was done either way.
 */
int replay_run(struct pcap_reader *r, int prog_fd, struct evbuf *eb,
	       replay_fn fn, void *arg, const volatile sig_atomic_t *stop,
	       struct replay_stats *st, char *err, size_t err_len);

#endif
