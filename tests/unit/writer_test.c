// SPDX-License-Identifier: GPL-2.0
/*
 * writer_test.c - unit tests of writer.c, built with AddressSanitizer and
 * UBSan, and the file generator of tests/system/writer.sh.
 *
 *   writer_test                     run the tests: "ok NAME" or "not ok NAME: why"
 *   writer_test gen [-g] [-f] [-s SNAPLEN] [-C SIZE] [-W N] [-n COUNT]
 *                   [-m MANIFEST] FILE
 *
 * The tests write synthetic Ethernet/IPv4/TCP frames and read them back
 * with pcap.c: timestamps, lengths and bytes; pcapng interfaces and EPB
 * options; buffering; the file safety rules (existing files, symbolic
 * links, mode 0600, unwritable directories); write errors (/dev/full, a
 * file size limit hit part-way through a record: the file must end at a
 * whole record); rotation and rings.
 *
 * gen writes COUNT frames (default 100) to FILE ("-" for standard
 * output) as tcpinspect would with -w, -g (--pcapng), -f (--force), -s,
 * -C, -W; pcapng frames alternate between interfaces "tiA" and "tiB".
 * MANIFEST gets one line per frame: "IDX SEC.NSEC CAPLEN LEN IFACE QUEUE
 * DROPS".  On stderr: "N written, F files", or the writer's error first
 * (exit status 1).  Frame i: timestamp T0 + i * 1000003 ns + i % 7 ns,
 * TCP sequence number SEQ0 + i, 54 + i * 97 % 1200 bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "prog/tcpinspect.h"
#include "writer.h"
#include "../result.h"
#include "../wire.h"

/* Messages cut short in a test's output are fine. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define T0_NS		1700000000000000000ull
#define SEQ0		1000000u
#define FRAME_MAX	(54 + 1200)
#define IF_A		1001
#define IF_B		1002

static char dir[64];
static struct writer w;		/* large: not on the stack */


/* --- frames ------------------------------------------------------------- */

static __u64 frame_ts(__u32 i)
{
	return T0_NS + i * 1000003ull + i % 7;
}

static __u32 frame_len(__u32 i)
{
	return 54 + i * 97 % 1200;
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Ethernet, IPv4 10.0.0.1 > 10.0.0.2, TCP ACK with seq SEQ0 + i. */
static __u32 frame(__u8 *f, __u32 i)
{
	__u32 len = frame_len(i), sum = 0, j;

	memset(f, 0, len);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	f[14] = 0x45;
	put16(f + 16, len - 14);
	put16(f + 18, i);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	for (j = 14; j < 34; j += 2)
		sum += f[j] << 8 | f[j + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(f + 24, ~sum);
	put16(f + 34, 10000 + i % 1000);
	put16(f + 36, 8080);
	put32(f + 38, SEQ0 + i);
	put32(f + 42, 1);
	f[46] = 5 << 4;
	f[47] = TI_TCP_ACK;
	put16(f + 48, 512);
	for (j = 54; j < len; j++)
		f[j] = i + j;
	return len;
}

static int write_frames(struct writer *wr, __u32 first, __u32 cnt, int ng)
{
	__u8 f[FRAME_MAX];
	struct wr_pkt p;
	__u32 i;
	int ret;

	memset(&p, 0, sizeof(p));
	for (i = first; i < first + cnt; i++) {
		p.len = frame(f, i);
		p.frame = f;
		p.caplen = p.len;
		p.ts_ns = frame_ts(i);
		p.ifindex = ng && i % 2 ? IF_B : IF_A;
		p.queue = ng ? i % 4 : WR_NO_QUEUE;
		p.drops = ng && i % 5 == 0 ? i + 1 : 0;
		ret = wr_packet(wr, &p);
		if (ret)
			return ret;
	}
	return 0;
}

/* --- reading back --------------------------------------------------------- */

struct file {
	__u8 *buf;
	size_t len;
};

static int load(const char *path, struct file *f)
{
	struct stat st;
	int fd, ret = 0;

	f->buf = NULL;
	f->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	f->len = st.st_size;
	f->buf = malloc(f->len + 1);
	if (!f->buf || read(fd, f->buf, f->len) != (ssize_t)f->len)
		ret = -EIO;
out:
	close(fd);
	return ret;
}

/*
 * Every record of path must be a frame of ours, whole unless cut to
 * snaplen, in order: the first index into *first, the count returned
 * (or -1 with why).
 */
static int check_file(const char *path, __u32 snaplen, int ng, __u32 *first,
		      char *why, size_t why_len)
{
	static struct pcap_reader r;
	__u8 f[FRAME_MAX];
	struct pcap_rec rec;
	struct file file;
	char err[256];
	int n = 0, ret;
	__u32 i = 0, len;

	ret = load(path, &file);
	if (ret) {
		snprintf(why, why_len, "%s: %s", path, strerror(-ret));
		return -1;
	}
	ret = pcap_open(&r, file.buf, file.len, PCAP_LINKTYPE_ETHERNET, err, sizeof(err));
	if (ret) {
		snprintf(why, why_len, "%s: %s", path, err);
		goto bad;
	}
	if (ng != (r.fmt == PCAP_FMT_PCAPNG) || (!ng && !r.nsec) ||
	    r.snaplen != snaplen || r.linktype != PCAP_LINKTYPE_ETHERNET) {
		snprintf(why, why_len, "%s: format %d nsec %d snaplen %u linktype %u",
			 path, r.fmt, r.nsec, r.snaplen, r.linktype);
		goto bad;
	}
	while ((ret = pcap_next(&r, &rec, err, sizeof(err))) > 0) {
		if (rec.caplen < 54) {
			snprintf(why, why_len, "%s: record %llu of %u bytes", path,
				 (unsigned long long)rec.nr, rec.caplen);
			goto bad;
		}
		i = get32(rec.data + 38) - SEQ0;
		if (!n)
			*first = i;
		len = frame(f, i);
		if (i != *first + n || rec.ts_ns != frame_ts(i) || rec.len != len ||
		    rec.caplen != (len < snaplen ? len : snaplen) ||
		    memcmp(rec.data, f, rec.caplen) ||
		    (ng && rec.if_idx != i % 2)) {
			snprintf(why, why_len, "%s: record %llu (frame %u, %d expected): ts %llu caplen %u len %u if %u",
				 path, (unsigned long long)rec.nr, i, *first + n,
				 (unsigned long long)rec.ts_ns, rec.caplen, rec.len,
				 rec.if_idx);
			goto bad;
		}
		n++;
	}
	if (ret < 0) {
		snprintf(why, why_len, "%s: %s", path, err);
		goto bad;
	}
	free(file.buf);
	return n;
bad:
	free(file.buf);
	return -1;
}

static void path_of(char *p, const char *name)
{
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static struct wr_config cfg(const char *path, int ng)
{
	struct wr_config c = { .path = path, .pcapng = ng, .snaplen = 0 };

	return c;
}

/* --- tests ---------------------------------------------------------------- */

static void test_parse_size(void)
{
	static const struct {
		const char *s;
		int ret;
		__u64 bytes;
	} cases[] = {
		{ "1", 0, 1000000 }, { "250", 0, 250000000 }, { "1k", 0, 1024 },
		{ "4K", 0, 4096 }, { "3m", 0, 3 << 20 }, { "2M", 0, 2 << 20 },
		{ "5G", 0, 5ull << 30 }, { "0", -EINVAL, 0 }, { "0k", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "k", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 }, { "1kb", -EINVAL, 0 }, { "1.5", -EINVAL, 0 },
		{ "1x", -EINVAL, 0 }, { "99999999999999999999", -ERANGE, 0 },
		{ "18446744073709551615", -ERANGE, 0 }, { "17179869184G", -ERANGE, 0 },
	};
	__u64 b;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = 0;
		ret = wr_parse_size(cases[i].s, &b);
		if (ret != cases[i].ret || (!ret && b != cases[i].bytes)) {
			result("parse_size", 0, "\"%s\": %d, %llu bytes", cases[i].s,
			       ret, (unsigned long long)b);
			return;
		}
	}
	result("parse_size", 1, " ");
}

static void test_roundtrip(int ng, __u32 snaplen)
{
	char path[PATH_MAX], name[64], why[512], err[512];
	struct wr_config c;
	__u32 first = 0;
	int ret, n;

	snprintf(name, sizeof(name), "roundtrip_%s_snap%u", ng ? "pcapng" : "pcap",
		 snaplen);
	path_of(path, name);
	c = cfg(path, ng);
	c.snaplen = snaplen;
	ret = wr_open(&w, &c, err, sizeof(err));
	if (ret) {
		result(name, 0, "wr_open: %s", err);
		return;
	}
	if (ng && (wr_iface(&w, IF_A, "tiA") != 0 || wr_iface(&w, IF_B, "tiB") != 1 ||
		   wr_iface(&w, IF_A, "other") != 0)) {
		result(name, 0, "interface ids");
		return;
	}
	ret = write_frames(&w, 0, 300, ng);
	if (!ret)
		ret = wr_close(&w, err, sizeof(err));
	if (ret) {
		result(name, 0, "%s", err);
		return;
	}
	n = check_file(path, snaplen ? snaplen : WR_SNAP_MAX, ng, &first, why, sizeof(why));
	if (n != 300 || first != 0 || w.rec_cnt != 300 || w.pkt_cnt != 300)
		result(name, 0, "%d records from %u, rec_cnt %llu: %s", n, first,
		       (unsigned long long)w.rec_cnt, n < 0 ? why : "");
	else
		result(name, 1, " ");
}

/* Find the option code in the EPB at p; its 4- or 8-byte value. */
static int epb_opt(const __u8 *p, __u16 want, __u64 *val)
{
	__u32 total, caplen, off;
	__u16 code, olen;

	memcpy(&total, p + 4, 4);
	memcpy(&caplen, p + 20, 4);
	for (off = 28 + ((caplen + 3) & ~3u); off + 4 <= total - 4;
	     off += 4 + ((olen + 3) & ~3u)) {
		memcpy(&code, p + off, 2);
		memcpy(&olen, p + off + 2, 2);
		if (!code)
			break;
		if (code == want) {
			*val = 0;
			memcpy(val, p + off + 4, olen == 8 ? 8 : 4);
			return 1;
		}
	}
	return 0;
}

/* pcapng blocks: interface names, EPB options, trailer lengths. */
static void test_pcapng_blocks(void)
{
	char path[PATH_MAX], err[512], why[256] = "";
	struct file f;
	__u32 type, total, trail, ifid, epb = 0, idb = 0;
	__u64 v;
	size_t off;
	int ret;

	path_of(path, "blocks.pcapng");
	struct wr_config c = cfg(path, 1);
	ret = wr_open(&w, &c, err, sizeof(err));
	if (!ret) {
		wr_iface(&w, IF_A, "tiA");
		wr_iface(&w, IF_B, "tiB");
		ret = write_frames(&w, 0, 20, 1);
		/* Interfaces first seen after packets: blocks mid-section;
		 * the kernel's name; a name cut to 15 characters. */
		if (wr_iface(&w, 1, NULL) != 2 ||
		    wr_iface(&w, 77, "late-interface-long-name") != 3)
			snprintf(why, sizeof(why), "late interface ids");
		ret = ret ?: wr_close(&w, err, sizeof(err));
	}
	if (ret || load(path, &f)) {
		result("pcapng_blocks", 0, "%s", ret ? err : "cannot read back");
		return;
	}
	for (off = 0; off + 12 <= f.len && !why[0]; off += total) {
		memcpy(&type, f.buf + off, 4);
		memcpy(&total, f.buf + off + 4, 4);
		if (total < 12 || total % 4 || off + total > f.len) {
			snprintf(why, sizeof(why), "block at %zu: length %u", off, total);
			break;
		}
		memcpy(&trail, f.buf + off + total - 4, 4);
		if (trail != total)
			snprintf(why, sizeof(why), "block at %zu: trailer %u, not %u",
				 off, trail, total);
		if (type == 1) {
			static const char *const names[] = { "tiA", "tiB", "lo",
							      "late-interface-" };
			const char *want = names[idb < 4 ? idb : 3];

			if (memcmp(f.buf + off + 20, want, strlen(want)) ||
			    f.buf[off + 20 + strlen(want)])
				snprintf(why, sizeof(why), "interface %u: name not %s", idb, want);
			idb++;
		} else if (type == 6) {
			memcpy(&ifid, f.buf + off + 8, 4);
			if (ifid != epb % 2)
				snprintf(why, sizeof(why), "packet %u: interface %u", epb, ifid);
			else if (!epb_opt(f.buf + off, 2, &v) || v != 1)
				snprintf(why, sizeof(why), "packet %u: flags not inbound", epb);
			else if (!epb_opt(f.buf + off, 6, &v) || v != epb % 4)
				snprintf(why, sizeof(why), "packet %u: queue", epb);
			else if (epb_opt(f.buf + off, 4, &v) != (epb % 5 == 0) ||
				 (epb % 5 == 0 && v != epb + 1))
				snprintf(why, sizeof(why), "packet %u: drop count", epb);
			epb++;
		}
	}
	if (!why[0] && (off != f.len || epb != 20 || idb != 4))
		snprintf(why, sizeof(why), "%u packets, %u interfaces, %zu of %zu bytes",
			 epb, idb, off, f.len);
	result("pcapng_blocks", !why[0], "%s", why);
	free(f.buf);
}

/* A ring buffer record as the XDP program submits it. */
static void test_event(void)
{
	struct {
		struct ti_event e;
		__u8 snap[128];
	} rec;
	char path[PATH_MAX], err[512], why[256] = "";
	struct pcap_reader r;
	struct pcap_rec pr;
	struct timespec now;
	struct file f;
	__u64 real;
	int ret;

	path_of(path, "event.pcap");
	memset(&rec, 0, sizeof(rec));
	rec.e.pkt_len = frame(rec.snap, 0) + 500;	/* a longer frame, snapped */
	rec.e.snap_len = rec.e.cap_len = 54;
	rec.e.ifindex = 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	rec.e.ts_ns = now.tv_sec * 1000000000ull + now.tv_nsec;
	clock_gettime(CLOCK_REALTIME, &now);
	real = now.tv_sec * 1000000000ull + now.tv_nsec;
	struct wr_config c = cfg(path, 0);
	c.snaplen = 256;
	ret = wr_open(&w, &c, err, sizeof(err));
	if (!ret) {
		wr_event(&w, &rec, sizeof(rec.e) + 54, 0);
		wr_event(&w, &rec, sizeof(rec.e) + 54, 1234567890123456789ull);
		wr_event(&w, &rec, sizeof(rec.e) + 53, 0);	/* short: skipped */
		wr_event(&w, &rec, 16, 0);			/* short: skipped */
		ret = wr_close(&w, err, sizeof(err));
	}
	if (ret || load(path, &f)) {
		result("event", 0, "%s", ret ? err : "cannot read back");
		return;
	}
	if (pcap_open(&r, f.buf, f.len, 1, err, sizeof(err)) ||
	    pcap_next(&r, &pr, err, sizeof(err)) != 1)
		snprintf(why, sizeof(why), "first record: %s", err);
	else if (pr.caplen != 54 || pr.len != rec.e.pkt_len ||
		 memcmp(pr.data, rec.snap, 54))
		snprintf(why, sizeof(why), "caplen %u len %u", pr.caplen, pr.len);
	else if (pr.ts_ns < real - 1000000000ull || pr.ts_ns > real + 1000000000ull)
		snprintf(why, sizeof(why), "kernel time %llu not near the wall clock %llu",
			 (unsigned long long)pr.ts_ns, (unsigned long long)real);
	else if (pcap_next(&r, &pr, err, sizeof(err)) != 1 ||
		 pr.ts_ns != 1234567890123456789ull)
		snprintf(why, sizeof(why), "second record's time");
	else if (pcap_next(&r, &pr, err, sizeof(err)) != 0)
		snprintf(why, sizeof(why), "short records written");
	result("event", !why[0], "%s", why);
	free(f.buf);
}

/* Records stay in the buffer until it fills or is flushed. */
static void test_buffered(void)
{
	char path[PATH_MAX], err[512], why[256] = "";
	off_t hdr, before;
	__u32 i;
	int ret;

	path_of(path, "buffered.pcap");
	struct wr_config c = cfg(path, 0);
	ret = wr_open(&w, &c, err, sizeof(err));
	if (ret) {
		result("buffered", 0, "%s", err);
		return;
	}
	hdr = file_size(path);
	if (hdr != PCAP_FILE_HDR_LEN)
		snprintf(why, sizeof(why), "%lld bytes after open", (long long)hdr);
	write_frames(&w, 0, 50, 0);
	if (!why[0] && file_size(path) != hdr)
		snprintf(why, sizeof(why), "written before the buffer filled");
	/* Fill it: then it goes out in whole records. */
	for (i = 50; !why[0] && file_size(path) == hdr; i++) {
		before = w.len;
		write_frames(&w, i, 1, 0);
		if (file_size(path) != hdr &&
		    file_size(path) != (off_t)(hdr + before))
			snprintf(why, sizeof(why), "flushed %lld bytes, buffer held %lld",
				 (long long)(file_size(path) - hdr), (long long)before);
	}
	if (!why[0] && w.len > WR_BUF_LEN)
		snprintf(why, sizeof(why), "buffer overflow");
	wr_flush(&w);
	if (!why[0] && file_size(path) != (off_t)w.file_len)
		snprintf(why, sizeof(why), "flush left %lld of %llu bytes",
			 (long long)file_size(path), (unsigned long long)w.file_len);
	wr_close(&w, err, sizeof(err));
	result("buffered", !why[0], "%s", why);
}

static void test_exists(void)
{
	char path[PATH_MAX], hard[PATH_MAX], err[512], why[256] = "";
	struct stat st;
	int fd, ret;

	path_of(path, "exists.pcap");
	path_of(hard, "exists.link");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "precious", 8) != 8 || close(fd) || link(path, hard)) {
		result("exists_refused", 0, "setup: %s", strerror(errno));
		return;
	}
	struct wr_config c = cfg(path, 0);
	ret = wr_open(&w, &c, err, sizeof(err));
	if (ret != -EEXIST || !strstr(err, path) || !strstr(err, "exists"))
		snprintf(why, sizeof(why), "%d: %s", ret, err);
	else if (stat(path, &st) || st.st_size != 8)
		snprintf(why, sizeof(why), "the file was touched");
	result("exists_refused", !why[0], "%s", why);

	/* Replaced, not rewritten in place: a hard link keeps the old bytes. */
	why[0] = 0;
	c.force = 1;
	ret = wr_open(&w, &c, err, sizeof(err));
	ret = ret ?: write_frames(&w, 0, 3, 0) ?: wr_close(&w, err, sizeof(err));
	if (ret)
		snprintf(why, sizeof(why), "%s", err);
	else if (stat(path, &st) || (st.st_mode & 07777) != 0600 || st.st_nlink != 1)
		snprintf(why, sizeof(why), "mode %o, %d links", st.st_mode & 07777,
			 (int)st.st_nlink);
	else if (file_size(path) <= 8 || file_size(hard) != 8)
		snprintf(why, sizeof(why), "%lld bytes, link %lld bytes",
			 (long long)file_size(path), (long long)file_size(hard));
	result("exists_force_replaces", !why[0], "%s", why);
}

static void test_symlink(void)
{
	char path[PATH_MAX], target[PATH_MAX], dangling[PATH_MAX], err[512];
	char why[256] = "";
	struct stat st;
	int fd, ret, force;

	path_of(target, "symlink_target");
	path_of(path, "symlink.pcap");
	path_of(dangling, "dangling.pcap");
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "precious", 8) != 8 || close(fd) ||
	    symlink(target, path) || symlink("dangling_target", dangling)) {
		result("symlink_refused", 0, "setup: %s", strerror(errno));
		return;
	}
	for (force = 0; force < 2 && !why[0]; force++) {
		struct wr_config c = cfg(path, force);

		c.force = force;
		ret = wr_open(&w, &c, err, sizeof(err));
		if (ret != -ELOOP || !strstr(err, "symbolic link"))
			snprintf(why, sizeof(why), "force %d: %d: %s", force, ret, err);
		else if (file_size(target) != 8 || lstat(path, &st) || !S_ISLNK(st.st_mode))
			snprintf(why, sizeof(why), "force %d: link or target touched", force);
		c.path = dangling;
		ret = wr_open(&w, &c, err, sizeof(err));
		path_of(target, "dangling_target");
		if (!why[0] && (ret != -ELOOP || !access(target, F_OK)))
			snprintf(why, sizeof(why), "dangling, force %d: %d: %s", force, ret, err);
		path_of(target, "symlink_target");
	}
	result("symlink_refused", !why[0], "%s", why);
}

static void test_mode(void)
{
	char path[PATH_MAX], err[512];
	struct stat st;
	mode_t old = umask(0);
	int ret;

	path_of(path, "mode.pcap");
	struct wr_config c = cfg(path, 1);
	ret = wr_open(&w, &c, err, sizeof(err));
	ret = ret ?: wr_close(&w, err, sizeof(err));
	umask(old);
	if (ret)
		result("mode_0600", 0, "%s", err);
	else if (stat(path, &st) || (st.st_mode & 07777) != 0600 || !S_ISREG(st.st_mode))
		result("mode_0600", 0, "mode %o", st.st_mode);
	else
		result("mode_0600", 1, " ");
}

/* In a child without the privilege to write into a root-owned 0755
 * directory (as root: nobody; else a 0555 directory of ours). */
static void test_unwritable(void)
{
	char sub[PATH_MAX], path[PATH_MAX], err[512];
	int status, ret;
	pid_t pid;

	path_of(sub, "ro");
	snprintf(path, sizeof(path), "%s/x.pcap", sub);
	if (mkdir(sub, 0755) || chmod(sub, geteuid() ? 0555 : 0755) ||
	    (!geteuid() && chmod(dir, 0755))) {
		result("unwritable_dir", 0, "setup: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (!geteuid() && (setgid(65534) || setuid(65534)))
			_exit(3);
		struct wr_config c = cfg(path, 0);
		ret = wr_open(&w, &c, err, sizeof(err));
		_exit(ret == -EACCES && strstr(err, path) ? 0 : access(path, F_OK) ? 1 : 2);
	}
	waitpid(pid, &status, 0);
	result("unwritable_dir", WIFEXITED(status) && !WEXITSTATUS(status),
	       "status %d", status);
	chmod(sub, 0755);

	/* A directory, even with force. */
	for (int force = 0; force < 2; force++) {
		struct wr_config d = cfg(sub, 0);

		d.force = force;
		ret = wr_open(&w, &d, err, sizeof(err));
		if (ret != -EISDIR || !strstr(err, "directory"))
			break;
	}
	result("directory_refused", ret == -EISDIR, "%d: %s", ret, err);

	path_of(path, "no/such/dir.pcap");
	struct wr_config c = cfg(path, 0);
	ret = wr_open(&w, &c, err, sizeof(err));
	result("missing_dir", ret == -ENOENT && strstr(err, path), "%d: %s", ret, err);
}

static void test_dev_full(void)
{
	char err[512];
	struct wr_config c = cfg("/dev/full", 0);
	int ret;

	if (access("/dev/full", W_OK)) {
		printf("skip dev_full: no /dev/full\n");
		return;
	}
	ret = wr_open(&w, &c, err, sizeof(err));
	result("dev_full_needs_force", ret == -EEXIST, "%d: %s", ret, err);
	c.force = 1;
	ret = wr_open(&w, &c, err, sizeof(err));
	result("dev_full_error", ret == -ENOSPC && strstr(err, "/dev/full") &&
	       strstr(err, strerror(ENOSPC)) && w.fd < 0, "%d: %s", ret, err);
	/* Calls after a failure are harmless and keep the error. */
	ret = write_frames(&w, 0, 1, 0);
	ret = ret == -ENOSPC ? wr_close(&w, err, sizeof(err)) : 0;
	result("dev_full_sticky", ret == -ENOSPC && wr_flush(&w) == -ENOSPC,
	       "%d: %s", ret, err);
}

/*
 * A file size limit reached part-way through a record (write(2) writes
 * some bytes, then fails with EFBIG): the error comes back, and the file
 * ends at its last whole record, as many as rec_cnt says.
 */
static void test_fsize(int ng)
{
	char path[PATH_MAX], name[64], err[512], why[512] = "";
	struct rlimit rl = { 70000, 70000 };
	__u32 first = 0;
	int status, n, fds[2];
	pid_t pid;
	off_t size;
	__u64 cnt = 0;

	snprintf(name, sizeof(name), "file_size_limit_%s", ng ? "pcapng" : "pcap");
	path_of(path, ng ? "fsize.pcapng" : "fsize.pcap");
	if (pipe(fds)) {
		result(name, 0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		struct wr_config c = cfg(path, ng);
		int ret;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		ret = wr_open(&w, &c, err, sizeof(err));
		ret = ret ?: write_frames(&w, 0, 1000, ng);
		wr_close(&w, err, sizeof(err));
		cnt = w.rec_cnt;
		if (write(fds[1], &cnt, sizeof(cnt)) != sizeof(cnt))
			_exit(3);
		_exit(ret == -EFBIG && strstr(err, path) && strstr(err, strerror(EFBIG)) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &cnt, sizeof(cnt)) != sizeof(cnt))
		cnt = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	size = file_size(path);
	n = check_file(path, WR_SNAP_MAX, ng, &first, why, sizeof(why));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		result(name, 0, "status %d", status);
	else if (n < 0)
		result(name, 0, "%s", why);
	/* Cut back by less than one record (at most 1320 bytes here). */
	else if (!n || (__u64)n != cnt || first || size > (off_t)rl.rlim_cur ||
		 size + 1320 < (off_t)rl.rlim_cur)
		result(name, 0, "%d records, %llu counted, %lld bytes",
		       n, (unsigned long long)cnt, (long long)size);
	else
		result(name, 1, " ");
}

/* -C with -W: exactly the ring's files, each whole, the newest last. */
static void test_ring(int ng)
{
	char path[PATH_MAX], name[PATH_MAX], tname[64], err[512], why[512] = "";
	__u32 first[3], total = 0, i, newest;
	int n[3], ret;
	off_t size;

	snprintf(tname, sizeof(tname), "ring_%s", ng ? "pcapng" : "pcap");
	path_of(path, ng ? "ring.pcapng" : "ring.pcap");
	struct wr_config c = cfg(path, ng);
	c.rotate_size = 5000;
	c.rotate_cnt = 3;
	ret = wr_open(&w, &c, err, sizeof(err));
	if (!ret && ng) {
		wr_iface(&w, IF_A, "tiA");
		wr_iface(&w, IF_B, "tiB");
	}
	ret = ret ?: write_frames(&w, 0, 200, ng) ?: wr_close(&w, err, sizeof(err));
	if (ret) {
		result(tname, 0, "%s", err);
		return;
	}
	if (!access(path, F_OK) || (snprintf(name, sizeof(name), "%s3", path),
				     !access(name, F_OK))) {
		result(tname, 0, "%s or %s3 exists", path, path);
		return;
	}
	newest = (w.file_cnt - 1) % 3;
	for (i = 0; i < 3 && !why[0]; i++) {
		snprintf(name, sizeof(name), "%s%u", path, i);
		n[i] = check_file(name, WR_SNAP_MAX, ng, &first[i], why, sizeof(why));
		size = file_size(name);
		if (n[i] <= 0) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s: no packets", name);
			break;
		}
		total += n[i];
		/* Over the size only by the packet that crossed it. */
		if (i != newest && (size <= 5000 || size > 5000 + 1400))
			snprintf(why, sizeof(why), "%s: %lld bytes", name, (long long)size);
	}
	if (!why[0]) {
		/* Oldest, middle, newest: contiguous, ending at the last frame. */
		__u32 a = (newest + 1) % 3, b = (newest + 2) % 3;

		if (w.file_cnt <= 3 || first[b] != first[a] + n[a] ||
		    first[newest] != first[b] + n[b] || first[newest] + n[newest] != 200)
			snprintf(why, sizeof(why), "%llu files; frames %u+%d, %u+%d, %u+%d",
				 (unsigned long long)w.file_cnt, first[a], n[a],
				 first[b], n[b], first[newest], n[newest]);
	}
	result(tname, !why[0], "%s", why);
}

/* -C alone: FILE, FILE1, FILE2, ... every packet once, in order. */
static void test_rotate_names(void)
{
	char path[PATH_MAX], name[PATH_MAX], err[512], why[512] = "";
	__u32 first = 0, next = 0, i;
	int n, ret;

	path_of(path, "rot.pcap");
	struct wr_config c = cfg(path, 0);
	c.rotate_size = 3000;
	ret = wr_open(&w, &c, err, sizeof(err));
	ret = ret ?: write_frames(&w, 0, 100, 0) ?: wr_close(&w, err, sizeof(err));
	if (ret) {
		result("rotate_names", 0, "%s", err);
		return;
	}
	for (i = 0; i < w.file_cnt && !why[0]; i++) {
		if (i)
			snprintf(name, sizeof(name), "%s%u", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		n = check_file(name, WR_SNAP_MAX, 0, &first, why, sizeof(why));
		if (n > 0 && first != next)
			snprintf(why, sizeof(why), "%s starts at frame %u, not %u", name,
				 first, next);
		next += n > 0 ? n : 0;
	}
	snprintf(name, sizeof(name), "%s0", path);
	if (!why[0] && (next != 100 || w.file_cnt < 3 || !access(name, F_OK)))
		snprintf(why, sizeof(why), "%u frames in %llu files", next,
			 (unsigned long long)w.file_cnt);
	result("rotate_names", !why[0], "%s", why);

	/* The ring's numbers are as wide as the largest: FILE00 .. FILE10. */
	path_of(path, "wide.pcap");
	c = cfg(path, 0);
	c.rotate_size = 1000;
	c.rotate_cnt = 11;
	ret = wr_open(&w, &c, err, sizeof(err));
	ret = ret ?: write_frames(&w, 0, 100, 0) ?: wr_close(&w, err, sizeof(err));
	snprintf(name, sizeof(name), "%s10", path);
	n = !ret && !access(name, F_OK);
	snprintf(name, sizeof(name), "%s00", path);
	n = n && !access(name, F_OK);
	snprintf(name, sizeof(name), "%s0", path);
	result("ring_names_padded", n && access(name, F_OK), "%d: %s", ret, err);
}

/* A ring's later file exists: refused before anything is created. */
static void test_ring_exists(void)
{
	char path[PATH_MAX], name[PATH_MAX], err[512];
	int fd, ret;

	path_of(path, "ringx.pcap");
	snprintf(name, sizeof(name), "%s2", path);
	fd = open(name, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	struct wr_config c = cfg(path, 0);
	c.rotate_size = 1000;
	c.rotate_cnt = 3;
	ret = wr_open(&w, &c, err, sizeof(err));
	snprintf(name, sizeof(name), "%s0", path);
	result("ring_exists_refused", ret == -EEXIST && strstr(err, "ringx.pcap2") &&
	       access(name, F_OK), "%d: %s", ret, err);
	/* A symbolic link in the ring is refused even with force. */
	snprintf(name, sizeof(name), "%s1", path);
	if (symlink("/nonexistent", name))
		fd = -1;
	c.force = 1;
	ret = wr_open(&w, &c, err, sizeof(err));
	result("ring_symlink_refused", ret == -ELOOP && strstr(err, "ringx.pcap1"),
	       "%d: %s", ret, err);
}

static void test_bad_config(void)
{
	char err[512];
	struct wr_config c = cfg("-", 0);
	int ok = 1;

	c.rotate_size = 1000;
	ok &= wr_open(&w, &c, err, sizeof(err)) == -EINVAL && strstr(err, "standard output");
	c = cfg("x", 0);
	c.rotate_cnt = 3;
	ok &= wr_open(&w, &c, err, sizeof(err)) == -EINVAL && strstr(err, "size");
	c = cfg("x", 0);
	c.snaplen = WR_SNAP_MAX + 1;
	ok &= wr_open(&w, &c, err, sizeof(err)) == -EINVAL && strstr(err, "snap length");
	c = cfg("", 0);
	ok &= wr_open(&w, &c, err, sizeof(err)) == -EINVAL;
	result("bad_config", ok, "last: %s", err);
}

static int run_tests(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/writer_test.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("not ok writer_test: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_parse_size();
	test_roundtrip(0, 0);
	test_roundtrip(0, 64);
	test_roundtrip(1, 0);
	test_roundtrip(1, 100);
	test_pcapng_blocks();
	test_event();
	test_buffered();
	test_exists();
	test_symlink();
	test_mode();
	test_unwritable();
	test_dev_full();
	test_fsize(0);
	test_fsize(1);
	test_ring(0);
	test_ring(1);
	test_rotate_names();
	test_ring_exists();
	test_bad_config();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return failed;
}

/* --- gen: files for tests/system/writer.sh -------------------------------- */

static int gen(int argc, char **argv)
{
	struct wr_config c = { 0 };
	unsigned long cnt = 100, i;
	const char *manifest = NULL;
	char err[PATH_MAX + 256];
	FILE *m = NULL;
	__u8 f[FRAME_MAX];
	int opt, ret;

	while ((opt = getopt(argc, argv, "gfs:C:W:n:m:")) != -1) {
		switch (opt) {
		case 'g': c.pcapng = 1; break;
		case 'f': c.force = 1; break;
		case 's': c.snaplen = strtoul(optarg, NULL, 0); break;
		case 'C':
			if (wr_parse_size(optarg, &c.rotate_size)) {
				fprintf(stderr, "gen: bad size %s\n", optarg);
				return 2;
			}
			break;
		case 'W': c.rotate_cnt = strtoul(optarg, NULL, 0); break;
		case 'n': cnt = strtoul(optarg, NULL, 0); break;
		case 'm': manifest = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: writer_test gen [-g] [-f] [-s SNAPLEN] [-C SIZE] [-W N] [-n COUNT] [-m MANIFEST] FILE\n");
		return 2;
	}
	c.path = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	if (manifest && !(m = fopen(manifest, "w"))) {
		perror(manifest);
		return 2;
	}
	ret = wr_open(&w, &c, err, sizeof(err));
	if (!ret && c.pcapng) {
		wr_iface(&w, IF_A, "tiA");
		wr_iface(&w, IF_B, "tiB");
	}
	for (i = 0; !ret && i < cnt; i++) {
		ret = write_frames(&w, i, 1, c.pcapng);
		if (!ret && m) {
			__u32 len = frame(f, i), snap = w.cfg.snaplen;

			fprintf(m, "%lu %llu.%09llu %u %u %s %lu %lu\n", i,
				(unsigned long long)(frame_ts(i) / 1000000000),
				(unsigned long long)(frame_ts(i) % 1000000000),
				len < snap ? len : snap, len,
				!c.pcapng ? "-" : i % 2 ? "tiB" : "tiA",
				c.pcapng ? i % 4 : 0, c.pcapng && i % 5 == 0 ? i + 1 : 0);
		}
	}
	if (m)
		fclose(m);
	ret = wr_close(&w, err, sizeof(err));
	if (ret)
		fprintf(stderr, "gen: %s\n", err);
	fprintf(stderr, "%llu written, %llu files\n", (unsigned long long)w.rec_cnt,
		(unsigned long long)w.file_cnt);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "gen"))
		return gen(argc - 1, argv + 1);
	return run_tests();
}
