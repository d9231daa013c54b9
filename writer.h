/* SPDX-License-Identifier: GPL-2.0 */
/*
 * writer.h - capture files: -w FILE (pcap, nanosecond magic, or pcapng),
 * -w - (standard output), -C/-W rotation as tcpdump does it.
 *
 * Files are created mode 0600 (less if the umask says so), O_EXCL and
 * O_NOFOLLOW: an existing path is refused unless force is set, and a
 * symbolic link is refused always.  With force an existing regular file
 * is replaced (unlinked, then created anew), a FIFO or character device
 * is written to as it is.
 *
 * Records are buffered (WR_BUF_LEN bytes) and written whole: a write that
 * fails part-way (disk full, a file size limit, an I/O error) leaves a
 * file of ours cut back to its last complete record, so that what was
 * written stays readable.  Errors are sticky: after the first, every call
 * returns it, and wr_close() gives the message.
 *
 * Rotation (rotate_size): before a packet is written, a file already
 * larger than rotate_size bytes is closed and the next one opened, as
 * tcpdump's -C does.  Names follow tcpdump: without rotate_cnt, FILE,
 * FILE1, FILE2, ...; with a ring of rotate_cnt files (-W), FILE0, FILE1,
 * ... zero-padded to the width of rotate_cnt - 1, the oldest replaced in
 * turn.  Every file is complete on its own (pcap: file header; pcapng:
 * section header and every interface block again).
 *
 * No printing, no exit: functions return 0 (or an id) or -errno.
 */
#ifndef TCPINSPECT_WRITER_H
#define TCPINSPECT_WRITER_H

#include <limits.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>
#include "pcap.h"

#define WR_BUF_LEN	(128u << 10)
#define WR_SNAP_MAX	65535u	/* a record always fits the buffer */
#define WR_IF_MAX	PCAP_IF_MAX
#define WR_NO_QUEUE	0xffffffffu

struct wr_config {
	const char *path;	/* "-": standard output; must outlive the writer */
	int pcapng;
	__u32 snaplen;		/* file header / interface blocks; longer
				 * frames are cut to it.  0: WR_SNAP_MAX */
	int force;		/* replace existing files (never a symlink) */
	__u64 rotate_size;	/* -C, bytes (wr_parse_size); 0: one file */
	__u32 rotate_cnt;	/* -W: ring of this many files; 0: no limit */
	const int *ifindex;	/* pcapng: interfaces described up front, */
	int if_cnt;		/* named by if_indextoname() */
};

/* One packet. */
struct wr_pkt {
	__u64 ts_ns;		/* wall clock, ns since the epoch (UTC) */
	const void *frame;	/* caplen bytes from the Ethernet header on */
	__u32 caplen;
	__u32 len;		/* on the wire */
	int ifindex;
	__u32 queue;		/* pcapng epb_queue, or WR_NO_QUEUE */
	__u64 drops;		/* pcapng epb_dropcount if non-zero: packets
				 * lost on this interface since the last one */
	int out;		/* pcapng epb_flags: outbound, else inbound */
	const char *verdict;	/* pcapng opt_comment "xdp: VERDICT"; NULL: none */
};

struct wr_if {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct writer {
	struct wr_config cfg;
	int fd;			/* -1 when closed */
	int own_fd;		/* we opened fd: close it, may truncate it */
	int is_reg;		/* fd is a regular file */
	int err;		/* first error (-errno), sticky */
	__s64 mono_to_real;	/* CLOCK_MONOTONIC to CLOCK_REALTIME, ns */
	__u32 file_idx;		/* number in the current file's name */
	__u64 file_cnt;		/* files opened */
	__u64 file_len;		/* bytes of the current file, buffered included */
	__u64 file_flushed;	/* of which written out */
	__u64 pkt_cnt;		/* packets taken by wr_packet() */
	__u64 rec_cnt;		/* packets written out to files: "written" */
	__u32 if_cnt;
	struct wr_if ifs[WR_IF_MAX];
	char name[PATH_MAX];	/* the current file */
	char msg[PATH_MAX + 128];	/* what the sticky error was */
	size_t buf_hdr;		/* pcap: file header bytes at the start of buf */
	size_t len;
	__u8 buf[WR_BUF_LEN];
};

/*
 * Create the first file (or take standard output) and write its headers
 * out, so that a path or disk problem shows here.  0 or -errno, err says
 * which file and why: EEXIST (exists, no force), ELOOP (a symbolic
 * link), EINVAL (a bad configuration), or what open(2)/write(2) said.
 */
int wr_open(struct writer *w, const struct wr_config *c, char *err,
	    size_t err_len);

/*
 * The pcapng interface id of ifindex, describing it (an interface block:
 * name, Ethernet, snap length) if it is new; name NULL asks the kernel.
 * pcap: always 0.  -E2BIG past WR_IF_MAX interfaces.
 */
int wr_iface(struct writer *w, int ifindex, const char *name);

/* Buffer one packet (rotating first if due).  0 or the sticky error. */
int wr_packet(struct writer *w, const struct wr_pkt *p);

/*
 * One ring buffer record (a struct ti_event and its snapped bytes, len
 * bytes in all) as a packet: ts_ns if non-zero (replay: the file's
 * time), else the event's kernel time on the wall clock.  Records too
 * short for their event are skipped.  0 or the sticky error.
 */
int wr_event(struct writer *w, const void *rec, __u32 len, __u64 ts_ns);

/* Write out the buffered records.  0 or the sticky error. */
int wr_flush(struct writer *w);

/*
 * Flush, then close (sync first) a file of ours; standard output is left
 * open.  0, or the first error of the writer's life with its message in
 * err.  w->rec_cnt is then final.
 */
int wr_close(struct writer *w, char *err, size_t err_len);

/*
 * tcpdump's -C argument into bytes: a number of millions of bytes, or
 * with a suffix k, m or g (either case) of KiB, MiB or GiB.  0 or
 * -EINVAL (not such a number, or 0), -ERANGE.
 */
int wr_parse_size(const char *s, __u64 *bytes);

#endif
