/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcap.h - capture files held in memory.
 *
 * Reading: classic pcap (microsecond and nanosecond magic, either byte
 * order) and pcapng (section header, interface description, enhanced,
 * simple and obsolete packet blocks, either byte order; other blocks are
 * skipped).  Writing: the headers of both formats, built into a caller's
 * buffer, in our own byte order (pcap with either magic, pcapng with
 * nanosecond interfaces); the caller writes them and the frame bytes.
 *
 * Everything here is pure: no syscalls, no output, no allocation, no
 * globals.  A record's data points into the caller's buffer, which must
 * outlive the reader.  Every length is checked before use: a file cut
 * short or lying about a length gives -EINVAL and one line in err naming
 * the record (or block) and its file offset; a valid file we do not
 * handle (another link type, a newer major version) gives -ENOTSUP.
 */
#ifndef TCPINSPECT_PCAP_H
#define TCPINSPECT_PCAP_H

#include <stddef.h>
#include <linux/types.h>

#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_LINKTYPE_ANY	0xffffffffu	/* pcap_open: accept every link type */

#define PCAP_MAGIC_USEC		0xa1b2c3d4u
#define PCAP_MAGIC_NSEC		0xa1b23c4du
#define PCAPNG_SHB		0x0a0d0d0au
#define PCAPNG_BYTE_ORDER	0x1a2b3c4du

#define PCAP_FILE_HDR_LEN	24
#define PCAP_REC_HDR_LEN	16
#define PCAP_CAPLEN_MAX		262144u	/* libpcap's largest snap length */
#define PCAP_IF_MAX		64	/* pcapng interfaces per section */

enum pcap_format { PCAP_FMT_PCAP, PCAP_FMT_PCAPNG };

/* One packet record. */
struct pcap_rec {
	__u64 ts_ns;		/* since the epoch, UTC */
	const __u8 *data;	/* caplen bytes, in the reader's buffer */
	__u32 caplen;
	__u32 len;		/* length on the wire (may exceed caplen) */
	__u32 if_idx;		/* pcapng interface in its section; pcap: 0 */
	__u32 linktype;
	__u64 nr;		/* 1-based record number in the file */
	__u64 off;		/* file offset of the record (pcapng: its block) */
};

/* A pcapng interface: what its packets need. */
struct pcap_if {
	__u32 linktype;
	__u32 snaplen;		/* 0: no limit */
	__u64 ts_units;		/* timestamp units per second (if_tsresol) */
	__s64 ts_offset;	/* seconds added to every timestamp (if_tsoffset) */
};

struct pcap_reader {
	const __u8 *buf;
	size_t len;
	size_t off;		/* next record or block */
	enum pcap_format fmt;
	__u32 want_linktype;	/* PCAP_LINKTYPE_ANY or the only one accepted */
	int swap;		/* the file's byte order is not ours */
	int nsec;		/* pcap: nanosecond magic */
	__u16 ver_major, ver_minor;	/* pcap: file; pcapng: current section */
	__u32 snaplen;		/* pcap: file header; pcapng: first interface */
	__u32 linktype;		/* pcap: file header; pcapng: first interface */
	__u64 rec_cnt;		/* records returned so far */
	__u64 section_cnt;	/* pcapng sections seen */
	__u32 if_cnt;		/* interfaces in the current pcapng section */
	struct pcap_if ifs[PCAP_IF_MAX];
};

/*
 * Start reading the capture file in buf[0, len).  Records on an interface
 * whose link type is not want_linktype (unless PCAP_LINKTYPE_ANY) are
 * refused with -ENOTSUP: for pcap here, for pcapng when its interface is
 * described.  0 or -errno (err says why).
 */
int pcap_open(struct pcap_reader *r, const void *buf, size_t len,
	      __u32 want_linktype, char *err, size_t err_len);

/* The next record into *rec: 1, or 0 at the end of the file, or -errno
 * (err says which record or block, at which offset, and why). */
int pcap_next(struct pcap_reader *r, struct pcap_rec *rec, char *err,
	      size_t err_len);

/* "EN10MB" for 1, and so on; "?" for link types we have no name for. */
const char *pcap_linktype_name(__u32 linktype);

/*
 * Writers.  Each builds one header into buf (room for the length named)
 * in host byte order and returns its length; the caller writes it and,
 * for a record, the caplen frame bytes (pcapng: then pcapng_pad() zero
 * bytes and the block's trailing length, pcapng_put_epb_end()).
 */
size_t pcap_put_file_hdr(void *buf, __u32 snaplen, __u32 linktype, int nsec);
size_t pcap_put_rec_hdr(void *buf, __u64 ts_ns, __u32 caplen, __u32 len,
			int nsec);

#define PCAPNG_SHB_LEN		28
#define PCAPNG_IDB_MAX		52	/* with a name of up to 15 characters */
#define PCAPNG_EPB_HDR_LEN	28

size_t pcapng_put_shb(void *buf);
/* Nanosecond timestamps (if_tsresol 9); name may be NULL (else up to 15
 * characters are kept). */
size_t pcapng_put_idb(void *buf, __u32 linktype, __u32 snaplen,
		      const char *name);
size_t pcapng_put_epb_hdr(void *buf, __u32 if_idx, __u64 ts_ns,
			  __u32 caplen, __u32 len);
/* Zero bytes that follow caplen frame bytes to the next 4-byte boundary. */
size_t pcapng_pad(__u32 caplen);
/* The EPB's trailing copy of its total length. */
size_t pcapng_put_epb_end(void *buf, __u32 caplen);

#endif
