// SPDX-License-Identifier: GPL-2.0
/*
 * writer.c - capture file writing (see writer.h).
 *
 * The headers come from pcap.c's builders.  Our EPBs carry options
 * (epb_flags: inbound; epb_queue; epb_dropcount), which those builders
 * do not know: the block's total length is set here, in the header they
 * built and in the trailer.
 *
 * The buffer holds whole records only, and wr_packet() makes room before
 * it starts one, so a flush ends on a record boundary.  When a write
 * fails part-way, walk the buffer to the last record that went out whole
 * and cut the file back to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "decode.h"
#include "prog/tcpinspect.h"
#include "writer.h"

#define NG_EPB			6
#define NG_OPT_END		0
#define NG_OPT_FLAGS		2
#define NG_OPT_DROPCOUNT	4
#define NG_OPT_QUEUE		6
#define NG_OPT_COMMENT		1
#define NG_FLAG_INBOUND		1	/* epb_flags bits 0-1: direction */
#define NG_FLAG_OUTBOUND	2
#define NG_OPTS_MAX		(8 + 8 + 12 + 4 + 4 + 16)

__attribute__((format(printf, 3, 4)))
static int fail(struct writer *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return w->err;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	w->err = err;
	return err;
}

static const char *fd_name(const struct writer *w)
{
	return w->own_fd ? w->name : "standard output";
}

static __u32 pad4(__u32 n)
{
	return (n + 3) & ~3u;
}

/* FILE, FILE1, ... or, in a ring, FILE0, FILE1, ... padded as tcpdump. */
static int make_name(const struct writer *w, __u32 idx, char *name)
{
	__u32 x;
	int width = 0, n;

	if (w->cfg.rotate_cnt)
		for (x = w->cfg.rotate_cnt - 1; x; x /= 10)
			width++;
	if (!idx && !width)
		n = snprintf(name, PATH_MAX, "%s", w->cfg.path);
	else
		n = snprintf(name, PATH_MAX, "%s%0*u", w->cfg.path, width, idx);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/*
 * Why the existing st at name cannot be taken, or 0 if it may: with
 * force (or ours: a file of our ring, made earlier in this run) a
 * regular file, and with force a FIFO or character device.
 */
static int refuse(struct writer *w, const char *name, const struct stat *st,
		  int ours)
{
	if (S_ISLNK(st->st_mode))
		return fail(w, -ELOOP, "cannot create %s: it is a symbolic link (never followed)",
			    name);
	if (S_ISDIR(st->st_mode))
		return fail(w, -EISDIR, "cannot create %s: %s", name, strerror(EISDIR));
	if (!ours && !w->cfg.force)
		return fail(w, -EEXIST, "cannot create %s: it exists (--force replaces it)",
			    name);
	if (!S_ISREG(st->st_mode) &&
	    (ours || !(S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode))))
		return fail(w, -EEXIST, "cannot create %s: it exists and is not a regular file",
			    name);
	return 0;
}

/* May name be created?  Only says why not early: create() decides. */
static int check_name(struct writer *w, const char *name)
{
	struct stat st;

	if (!lstat(name, &st))
		return refuse(w, name, &st, 0);
	if (errno != ENOENT)
		return fail(w, -errno, "cannot create %s: %s", name, strerror(errno));
	return 0;
}

/*
 * A descriptor to write a new capture file at name: a file created
 * here (O_EXCL: whatever appears meanwhile is refused), or with force an
 * existing FIFO or character device.  fd or -errno.
 */
static int create(struct writer *w, const char *name, int ours)
{
	struct stat st, fst;
	int fd, ret;

	if (!lstat(name, &st)) {
		ret = refuse(w, name, &st, ours);
		if (ret)
			return ret;
		if (!S_ISREG(st.st_mode)) {
			fd = open(name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return fail(w, -errno, "cannot open %s: %s", name,
					    strerror(errno));
			if (fstat(fd, &fst) || fst.st_ino != st.st_ino ||
			    fst.st_dev != st.st_dev) {
				close(fd);
				return fail(w, -EAGAIN, "cannot open %s: it changed while being opened",
					    name);
			}
			return fd;
		}
		/* Replace, not truncate: a new inode, mode 0600, ours. */
		if (unlink(name) && errno != ENOENT)
			return fail(w, -errno, "cannot replace %s: %s", name,
				    strerror(errno));
	} else if (errno != ENOENT) {
		return fail(w, -errno, "cannot create %s: %s", name, strerror(errno));
	}
	fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return check_name(w, name) ?: fail(w, -EEXIST, "cannot create %s: %s",
						   name, strerror(EEXIST));
	if (fd < 0)
		return fail(w, -errno, "cannot create %s: %s", name, strerror(errno));
	return fd;
}

/* File headers into the (empty) buffer: pcap's, or SHB and every IDB. */
static void put_headers(struct writer *w)
{
	__u32 i;
	size_t n;

	if (!w->cfg.pcapng) {
		n = pcap_put_file_hdr(w->buf + w->len, w->cfg.snaplen,
				      PCAP_LINKTYPE_ETHERNET, 1);
		w->buf_hdr = n;
	} else {
		n = pcapng_put_shb(w->buf + w->len);
		for (i = 0; i < w->if_cnt; i++)
			n += pcapng_put_idb(w->buf + w->len + n, PCAP_LINKTYPE_ETHERNET,
					    w->cfg.snaplen, w->ifs[i].name);
	}
	w->len += n;
	w->file_len += n;
}

/* Open the file numbered w->file_idx and buffer its headers. */
static int open_file(struct writer *w)
{
	int fd, ours, ret;
	struct stat st;

	ret = make_name(w, w->file_idx, w->name);
	if (ret)
		return fail(w, ret, "cannot create %s%u: name too long",
			    w->cfg.path, w->file_idx);
	/* A ring visits its names in order: we made those below file_cnt. */
	ours = w->cfg.rotate_cnt && w->file_cnt > w->file_idx;
	fd = create(w, w->name, ours);
	if (fd < 0)
		return fd;
	w->fd = fd;
	w->own_fd = 1;
	w->is_reg = !fstat(fd, &st) && S_ISREG(st.st_mode);
	w->file_cnt++;
	w->file_len = 0;
	w->file_flushed = 0;
	put_headers(w);
	return 0;
}

/* Flush (and for the last file, sync) and close the current file. */
static int close_file(struct writer *w, int sync)
{
	int ret = 0;

	if (w->fd < 0)
		return 0;
	wr_flush(w);
	if (!w->own_fd) {
		w->fd = -1;
		return w->err;
	}
	if (sync && w->is_reg && fsync(w->fd))
		ret = -errno;
	/* Linux releases the descriptor even when close() fails. */
	if (close(w->fd) && !ret && errno != EINTR)
		ret = -errno;
	w->fd = -1;
	if (ret)
		fail(w, ret, "cannot write %s: %s", w->name, strerror(-ret));
	return w->err;
}

static int rotate(struct writer *w)
{
	int ret;

	ret = close_file(w, 0);
	if (ret)
		return ret;
	w->file_idx = w->cfg.rotate_cnt ? (w->file_idx + 1) % w->cfg.rotate_cnt :
					  w->file_idx + 1;
	return open_file(w);
}

/*
 * The buffer's first n bytes went out: how many of them are whole
 * records (headers included), and how many packets those hold.
 */
static size_t whole(const struct writer *w, size_t n, __u64 *pkts)
{
	size_t off = 0, unit;
	__u32 v, type;
	int pkt;

	*pkts = 0;
	while (off < w->len) {
		if (w->cfg.pcapng) {
			memcpy(&type, w->buf + off, 4);
			memcpy(&v, w->buf + off + 4, 4);
			unit = v;
			pkt = type == NG_EPB;
		} else if (off < w->buf_hdr) {
			unit = w->buf_hdr;
			pkt = 0;
		} else {
			memcpy(&v, w->buf + off + 8, 4);
			unit = PCAP_REC_HDR_LEN + v;
			pkt = 1;
		}
		if (unit > n - off)
			break;
		off += unit;
		*pkts += pkt;
	}
	return off;
}

int wr_flush(struct writer *w)
{
	size_t off = 0, good;
	__u64 pkts;
	ssize_t n;
	int ret = 0;

	if (w->err)
		return w->err;
	if (w->fd < 0)
		return w->len ? fail(w, -EBADF, "capture file already closed") : 0;
	while (off < w->len) {
		n = write(w->fd, w->buf + off, w->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
	good = whole(w, off, &pkts);
	w->rec_cnt += pkts;
	w->len = 0;
	w->buf_hdr = 0;
	if (!ret) {
		w->file_flushed += off;
		return 0;
	}
	/* Keep what went out whole; a pipe cannot take the rest back. */
	if (good < off && w->own_fd && w->is_reg &&
	    ftruncate(w->fd, w->file_flushed + good))
		return fail(w, ret, "cannot write %s: %s (and cannot cut it back to its last whole packet: %s)",
			    fd_name(w), strerror(-ret), strerror(errno));
	w->file_flushed += good;
	return fail(w, ret, "cannot write %s: %s", fd_name(w), strerror(-ret));
}

/* Room for n more bytes in the buffer, flushing it if needed. */
static __u8 *room(struct writer *w, size_t n)
{
	if (w->fd < 0) {
		fail(w, -EBADF, "capture file already closed");
		return NULL;
	}
	if (n > sizeof(w->buf) - w->len && wr_flush(w))
		return NULL;
	return w->buf + w->len;
}

int wr_iface(struct writer *w, int ifindex, const char *name)
{
	char buf[IF_NAMESIZE];
	struct wr_if *ifc;
	__u8 *p;
	size_t n;
	__u32 i;

	if (!w->cfg.pcapng)
		return 0;
	for (i = 0; i < w->if_cnt; i++)
		if (w->ifs[i].ifindex == ifindex)
			return i;
	if (w->err)
		return w->err;
	if (w->if_cnt >= WR_IF_MAX)
		return fail(w, -E2BIG, "cannot write %s: more than %d interfaces",
			    fd_name(w), WR_IF_MAX);
	if (!name)
		name = if_indextoname(ifindex, buf);
	p = room(w, PCAPNG_IDB_MAX);
	if (!p)
		return w->err;
	ifc = &w->ifs[w->if_cnt];
	ifc->ifindex = ifindex;
	if (name)
		snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	else
		snprintf(ifc->name, sizeof(ifc->name), "if%d", ifindex);
	n = pcapng_put_idb(p, PCAP_LINKTYPE_ETHERNET, w->cfg.snaplen, ifc->name);
	w->len += n;
	w->file_len += n;
	return w->if_cnt++;
}

static size_t put_opt(__u8 *p, __u16 code, const void *val, __u16 len)
{
	memcpy(p, &code, 2);
	memcpy(p + 2, &len, 2);
	memcpy(p + 4, val, len);
	memset(p + 4 + len, 0, pad4(len) - len);
	return 4 + pad4(len);
}

int wr_packet(struct writer *w, const struct wr_pkt *pkt)
{
	__u32 caplen = pkt->caplen, total;
	__u32 flags = pkt->out ? NG_FLAG_OUTBOUND : NG_FLAG_INBOUND;
	char comment[32];
	size_t off;
	__u8 *p;
	int id;

	if (w->err)
		return w->err;
	if (caplen > w->cfg.snaplen)
		caplen = w->cfg.snaplen;
	if (caplen > pkt->len)
		caplen = pkt->len;
	if (w->cfg.rotate_size && w->file_len > w->cfg.rotate_size &&
	    rotate(w))
		return w->err;
	if (!w->cfg.pcapng) {
		p = room(w, PCAP_REC_HDR_LEN + caplen);
		if (!p)
			return w->err;
		off = pcap_put_rec_hdr(p, pkt->ts_ns, caplen, pkt->len, 1);
		memcpy(p + off, pkt->frame, caplen);
		off += caplen;
	} else {
		id = wr_iface(w, pkt->ifindex, NULL);
		if (id < 0)
			return id;
		p = room(w, PCAPNG_EPB_HDR_LEN + pad4(caplen) + NG_OPTS_MAX + 4);
		if (!p)
			return w->err;
		off = pcapng_put_epb_hdr(p, id, pkt->ts_ns, caplen, pkt->len);
		memcpy(p + off, pkt->frame, caplen);
		memset(p + off + caplen, 0, pcapng_pad(caplen));
		off += pad4(caplen);
		off += put_opt(p + off, NG_OPT_FLAGS, &flags, 4);
		if (pkt->queue != WR_NO_QUEUE)
			off += put_opt(p + off, NG_OPT_QUEUE, &pkt->queue, 4);
		if (pkt->drops)
			off += put_opt(p + off, NG_OPT_DROPCOUNT, &pkt->drops, 8);
		if (pkt->verdict) {	/* "xdp: drop", as the text says it */
			snprintf(comment, sizeof(comment), "xdp: %s", pkt->verdict);
			off += put_opt(p + off, NG_OPT_COMMENT, comment, strlen(comment));
		}
		memset(p + off, 0, 4);	/* opt_endofopt */
		off += 4;
		total = off + 4;
		memcpy(p + 4, &total, 4);
		memcpy(p + off, &total, 4);
		off += 4;
	}
	w->len += off;
	w->file_len += off;
	w->pkt_cnt++;
	return 0;
}

int wr_event(struct writer *w, const void *rec, __u32 len, __u64 ts_ns)
{
	const struct ti_event *e = rec;
	struct wr_pkt p;

	if (len < sizeof(*e) || e->snap_len > len - sizeof(*e))
		return w->err;
	p.ts_ns = ts_ns ? ts_ns : e->ts_ns + w->mono_to_real;
	p.frame = (const __u8 *)rec + sizeof(*e);
	p.caplen = e->cap_len < e->snap_len ? e->cap_len : e->snap_len;
	p.len = e->pkt_len;
	p.ifindex = e->ifindex;
	p.queue = e->rx_queue;
	p.drops = 0;
	p.out = !!(e->ev_flags & TI_EV_OUT);
	p.verdict = ev_verdict_name(e->verdict);
	return wr_packet(w, &p);
}

int wr_open(struct writer *w, const struct wr_config *c, char *err,
	    size_t err_len)
{
	struct timespec mono, real;
	struct stat st;
	char name[PATH_MAX];
	__u32 i;
	int j, ret;

	memset(w, 0, offsetof(struct writer, buf));
	w->fd = -1;
	w->cfg = *c;
	if (!w->cfg.snaplen)
		w->cfg.snaplen = WR_SNAP_MAX;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	w->mono_to_real = (real.tv_sec - mono.tv_sec) * 1000000000LL +
			  (real.tv_nsec - mono.tv_nsec);

	if (!c->path || !c->path[0])
		ret = fail(w, -EINVAL, "no capture file name");
	else if (w->cfg.snaplen > WR_SNAP_MAX)
		ret = fail(w, -EINVAL, "snap length %u over the most a capture file takes here, %u",
			   w->cfg.snaplen, WR_SNAP_MAX);
	else if (c->rotate_cnt && !c->rotate_size)
		ret = fail(w, -EINVAL, "a ring of %u capture files needs a file size",
			   c->rotate_cnt);
	else if (c->rotate_size && !strcmp(c->path, "-"))
		ret = fail(w, -EINVAL, "standard output cannot be rotated into several files");
	else
		ret = 0;
	if (ret)
		goto out;

	if (!strcmp(c->path, "-")) {
		w->fd = STDOUT_FILENO;
		w->is_reg = !fstat(w->fd, &st) && S_ISREG(st.st_mode);
		w->file_cnt = 1;
		put_headers(w);
	} else {
		/* The ring's later names too, before anything is created. */
		for (i = 1; i < c->rotate_cnt; i++) {
			if (make_name(w, i, name)) {
				ret = fail(w, -ENAMETOOLONG, "cannot create %s%u: name too long",
					   c->path, i);
				goto out;
			}
			ret = check_name(w, name);
			if (ret)
				goto out;
		}
		ret = open_file(w);
		if (ret)
			goto out;
	}
	for (j = 0; j < c->if_cnt; j++) {
		ret = wr_iface(w, c->ifindex[j], NULL);
		if (ret < 0)
			goto out;
	}
	ret = wr_flush(w);
out:
	if (ret < 0) {
		if (w->fd >= 0 && w->own_fd) {
			close(w->fd);
			/* Nothing of use was written: leave no file behind. */
			if (w->is_reg)
				unlink(w->name);
		}
		w->fd = -1;
		if (err && err_len)
			snprintf(err, err_len, "%s", w->msg);
		return ret;
	}
	return 0;
}

int wr_close(struct writer *w, char *err, size_t err_len)
{
	close_file(w, 1);
	if (w->err && err && err_len)
		snprintf(err, err_len, "%s", w->msg);
	return w->err;
}

int wr_parse_size(const char *s, __u64 *bytes)
{
	unsigned long long v, unit = 1000000;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'k': case 'K':
		unit = 1ull << 10;
		end++;
		break;
	case 'm': case 'M':
		unit = 1ull << 20;
		end++;
		break;
	case 'g': case 'G':
		unit = 1ull << 30;
		end++;
		break;
	}
	if (*end || !v)
		return -EINVAL;
	if (v > ~0ull / unit)
		return -ERANGE;
	*bytes = v * unit;
	return 0;
}
