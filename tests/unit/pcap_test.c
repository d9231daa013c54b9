// SPDX-License-Identifier: GPL-2.0
/*
 * pcap_test.c - unit tests of pcap.c, built with AddressSanitizer and
 * UBSan: files in every format and byte order (written with pcap.c's
 * writers, swapped by hand) read back record by record; every
 * truncation of each, which must end cleanly at a record boundary or
 * fail naming the record being read, never crash; targeted corruptions
 * with the error they must give; random corruption that must never read
 * outside the buffer.
 *
 * Output: one line per case, "ok NAME" or "not ok NAME: why".  Exit
 * status 1 if a case failed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcap.h"
#include "../result.h"

#define FILE_LEN	4096
#define NREC		4



/* The frames every file holds: lengths 14, 60, 61 (odd: pcapng pads), 1514. */
static const __u32 rec_len[NREC] = { 14, 60, 61, 1514 };
static const __u64 rec_ts[NREC] = {
	0, 1700000000123456000ull, 1700000000999999000ull, 4102444800000001000ull,
};

static void frame_bytes(__u8 *p, int i, __u32 len)
{
	__u32 j;

	for (j = 0; j < len; j++)
		p[j] = i * 37 + j;
}

struct file {
	__u8 b[FILE_LEN + 2048];
	size_t len;
	size_t rec_off[NREC];	/* where each record (pcapng: block) starts */
	int ng, nsec, swap;
};

static void swap_at(__u8 *p, int n)
{
	int i;

	for (i = 0; i < n / 2; i++) {
		__u8 t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Build f in host order with the writers, then swap it if asked. */
static void build(struct file *f, int ng, int nsec, int swap)
{
	static const __u8 zero[4];
	__u8 *p = f->b;
	size_t off = 0, idb;
	int i;

	memset(f, 0, sizeof(*f));
	f->ng = ng;
	f->nsec = nsec;
	f->swap = swap;
	if (ng) {
		off += pcapng_put_shb(p + off);
		idb = off;
		off += pcapng_put_idb(p + off, PCAP_LINKTYPE_ETHERNET, 65535, "eth0");
	} else {
		off += pcap_put_file_hdr(p, 65535, PCAP_LINKTYPE_ETHERNET, nsec);
	}
	for (i = 0; i < NREC; i++) {
		f->rec_off[i] = off;
		if (ng) {
			off += pcapng_put_epb_hdr(p + off, 0, rec_ts[i], rec_len[i],
						  rec_len[i] + 4);
			frame_bytes(p + off, i, rec_len[i]);
			off += rec_len[i];
			memcpy(p + off, zero, pcapng_pad(rec_len[i]));
			off += pcapng_pad(rec_len[i]);
			off += pcapng_put_epb_end(p + off, rec_len[i]);
		} else {
			off += pcap_put_rec_hdr(p + off, rec_ts[i], rec_len[i],
						rec_len[i] + 4, nsec);
			frame_bytes(p + off, i, rec_len[i]);
			off += rec_len[i];
		}
	}
	f->len = off;
	if (!swap)
		return;
	if (!ng) {
		swap_at(p, 4);
		swap_at(p + 4, 2);
		swap_at(p + 6, 2);
		for (i = 8; i < 24; i += 4)
			swap_at(p + i, 4);
		for (i = 0; i < NREC; i++) {
			int j;

			for (j = 0; j < 16; j += 4)
				swap_at(p + f->rec_off[i] + j, 4);
		}
		return;
	}
	/* SHB */
	swap_at(p + 4, 4);
	swap_at(p + 8, 4);
	swap_at(p + 12, 2);
	swap_at(p + 14, 2);
	swap_at(p + 16, 8);
	swap_at(p + 24, 4);
	/* IDB: header, options (name, tsresol, end), trailer */
	{
		__u32 total;
		size_t o;

		memcpy(&total, p + idb + 4, 4);
		for (o = 0; o < 8; o += 4)
			swap_at(p + idb + o, 4);
		swap_at(p + idb + 8, 2);
		swap_at(p + idb + 10, 2);
		swap_at(p + idb + 12, 4);
		for (o = idb + 16; o < idb + total - 4;) {
			__u16 code, olen;

			memcpy(&code, p + o, 2);
			memcpy(&olen, p + o + 2, 2);
			swap_at(p + o, 2);
			swap_at(p + o + 2, 2);
			o += 4 + ((olen + 3) & ~3u);
			if (!code)
				break;
		}
		swap_at(p + idb + total - 4, 4);
	}
	for (i = 0; i < NREC; i++) {
		size_t o = f->rec_off[i], j;
		__u32 total;

		memcpy(&total, p + o + 4, 4);
		for (j = 0; j < 28; j += 4)
			swap_at(p + o + j, 4);
		swap_at(p + o + total - 4, 4);
	}
}

static const char *fname(const struct file *f)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s%s%s", f->ng ? "pcapng" : "pcap",
		 f->ng ? "" : f->nsec ? "_ns" : "_us", f->swap ? "_swapped" : "");
	return s;
}

/* Read every record of buf; the count, or -errno with err. */
static int read_all(const void *buf, size_t len, struct pcap_rec *recs,
		    int max, char *err, size_t err_len)
{
	struct pcap_reader r;
	struct pcap_rec rec;
	int n = 0, ret;

	ret = pcap_open(&r, buf, len, PCAP_LINKTYPE_ETHERNET, err, err_len);
	if (ret)
		return ret;
	while ((ret = pcap_next(&r, &rec, err, err_len)) > 0) {
		/* Never a record outside the buffer. */
		if (rec.data < (const __u8 *)buf ||
		    rec.data + rec.caplen > (const __u8 *)buf + len) {
			snprintf(err, err_len, "record %d outside the buffer", n + 1);
			return -EFAULT;
		}
		if (n < max)
			recs[n] = rec;
		n++;
	}
	return ret < 0 ? ret : n;
}

static void test_roundtrip(const struct file *f)
{
	struct pcap_rec recs[NREC + 1];
	char name[96], err[256];
	__u8 want[1514];
	int n, i;
	__u64 ts;

	snprintf(name, sizeof(name), "read_%s", fname(f));
	n = read_all(f->b, f->len, recs, NREC + 1, err, sizeof(err));
	if (n != NREC) {
		result(name, 0, "%d records (want %d): %s", n, NREC, n < 0 ? err : "");
		return;
	}
	for (i = 0; i < NREC; i++) {
		/* Microsecond files keep whole microseconds. */
		ts = f->ng || f->nsec ? rec_ts[i] : rec_ts[i] / 1000 * 1000;
		/* A 32-bit pcap second cannot hold 2100-01-01. */
		if (!f->ng && rec_ts[i] / 1000000000ull > 0xffffffffull)
			continue;
		frame_bytes(want, i, rec_len[i]);
		if (recs[i].ts_ns != ts || recs[i].caplen != rec_len[i] ||
		    recs[i].len != rec_len[i] + 4 || recs[i].nr != (__u64)i + 1 ||
		    recs[i].off != f->rec_off[i] ||
		    recs[i].linktype != PCAP_LINKTYPE_ETHERNET ||
		    memcmp(recs[i].data, want, rec_len[i])) {
			result(name, 0, "record %d: ts %llu caplen %u len %u nr %llu off %llu",
			       i + 1, (unsigned long long)recs[i].ts_ns,
			       recs[i].caplen, recs[i].len,
			       (unsigned long long)recs[i].nr,
			       (unsigned long long)recs[i].off);
			return;
		}
	}
	result(name, 1, " ");
}

/*
 * Every prefix of the file: records wholly inside it are read, then the
 * end (at a record boundary) or an error naming the next record.
 */
static void test_truncation(const struct file *f)
{
	char name[96], err[256], want[64];
	struct pcap_rec recs[NREC];
	size_t cut, hdr = f->rec_off[0];
	int n, whole, bad = 0;

	snprintf(name, sizeof(name), "truncated_%s", fname(f));
	for (cut = 0; cut < f->len && !bad; cut++) {
		__u8 *copy = malloc(cut ? cut : 1);	/* exact size: ASan sees overreads */

		memcpy(copy, f->b, cut);
		err[0] = 0;
		n = read_all(copy, cut, recs, NREC, err, sizeof(err));
		for (whole = 0; whole < NREC && (whole + 1 < NREC ?
			f->rec_off[whole + 1] : f->len) <= cut; whole++)
			;
		if (cut < hdr) {
			/* Inside the file header: an error, unless the cut
			 * falls between pcapng's section and interface blocks. */
			if (f->ng && cut == PCAPNG_SHB_LEN ? n != 0 : n >= 0)
				bad = 1;
		} else if (cut == (whole < NREC ? f->rec_off[whole] : f->len)) {
			if (n != whole)
				bad = 1;
		} else {
			snprintf(want, sizeof(want), "record %d ", whole + 1);
			if (n >= 0 || (!strstr(err, want) &&
				       !(f->ng && strstr(err, "block at offset"))))
				bad = 1;
			/* The offset of the record being read is named. */
			snprintf(want, sizeof(want), "offset %zu", f->rec_off[whole]);
			if (!strstr(err, want))
				bad = 1;
		}
		if (bad)
			result(name, 0, "cut at %zu of %zu: %d records, \"%s\"", cut,
			       f->len, n, err);
		free(copy);
	}
	if (!bad)
		result(name, 1, " ");
}

/* Random byte changes: any result, but never outside the buffer. */
static void test_random(const struct file *f)
{
	struct pcap_rec recs[NREC];
	char name[96], err[256];
	__u32 seed = 12345;
	int iter, k, n;

	snprintf(name, sizeof(name), "random_corruption_%s", fname(f));
	for (iter = 0; iter < 20000; iter++) {
		__u8 *copy = malloc(f->len);

		memcpy(copy, f->b, f->len);
		for (k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % f->len] = seed >> 24;
		}
		n = read_all(copy, f->len, recs, NREC, err, sizeof(err));
		free(copy);
		if (n == -EFAULT) {
			result(name, 0, "iteration %d: %s", iter, err);
			return;
		}
	}
	result(name, 1, " ");
}

static __u32 get32(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

/* Expect reading buf to fail with ret and an error containing want. */
static void expect_err(const char *name, const __u8 *buf, size_t len,
		       int want_ret, const char *want)
{
	struct pcap_rec recs[NREC];
	char err[256] = "";
	int n = read_all(buf, len, recs, NREC, err, sizeof(err));

	result(name, n == want_ret && strstr(err, want),
	       "got %d \"%s\", want %d \"%s\"", n, err, want_ret, want);
}

static void test_targeted(void)
{
	static struct file f, g;
	struct pcap_reader r;
	struct pcap_rec rec;
	char err[256];
	int n;

	expect_err("empty_file", (const __u8 *)"", 0, -EINVAL, "not a capture file");
	expect_err("bad_magic", (const __u8 *)"ELF\x7f........................", 28,
		   -EINVAL, "not a pcap or pcapng file");
	expect_err("gzip", (const __u8 *)"\x1f\x8b\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24,
		   -EINVAL, "gzip");

	build(&f, 0, 0, 0);
	put32(f.b + 20, 113);
	expect_err("pcap_linktype_sll", f.b, f.len, -ENOTSUP,
		   "link type 113 (LINUX_SLL), not 1 (EN10MB)");
	/* The FCS bits above the link type are not part of it. */
	build(&f, 0, 0, 0);
	put32(f.b + 20, 1 | 0x10000000);
	n = read_all(f.b, f.len, &rec, 1, err, sizeof(err));
	result("pcap_linktype_fcs_bits", n == NREC, "%d: %s", n, err);
	build(&f, 0, 0, 0);
	f.b[4] = 3;
	expect_err("pcap_version_3", f.b, f.len, -ENOTSUP, "version 3.4");
	build(&f, 0, 0, 0);
	put32(f.b + f.rec_off[1] + 8, PCAP_CAPLEN_MAX + 1);
	expect_err("pcap_caplen_over_limit", f.b, f.len, -EINVAL,
		   "record 2 at offset");
	build(&f, 0, 0, 0);
	put32(f.b + f.rec_off[3] + 8, 0xffffffff);
	expect_err("pcap_caplen_huge", f.b, f.len, -EINVAL, "record 4 at offset");
	build(&f, 0, 0, 0);
	put32(f.b + f.rec_off[3] + 8, 1515);
	expect_err("pcap_caplen_past_end", f.b, f.len, -EINVAL,
		   "cut short (1514 of 1515 frame bytes)");

	build(&f, 1, 0, 0);
	f.b[PCAPNG_SHB_LEN + 8 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 113;
	expect_err("pcapng_linktype_sll", f.b, f.len, -ENOTSUP,
		   "interface 0 (block at offset 28) has link type 113");
	build(&f, 1, 0, 0);
	f.b[12] = 2;
	expect_err("pcapng_version_2", f.b, f.len, -ENOTSUP, "version 2.0");
	build(&f, 1, 0, 0);
	put32(f.b + f.rec_off[2] + 8, 1);	/* interface 1: not described */
	expect_err("pcapng_unknown_interface", f.b, f.len, -EINVAL,
		   "record 3 (block at offset");
	build(&f, 1, 0, 0);
	put32(f.b + f.rec_off[1] + get32(f.b + f.rec_off[1] + 4) - 4, 999);
	expect_err("pcapng_trailer_mismatch", f.b, f.len, -EINVAL,
		   "trailing length 999");
	build(&f, 1, 0, 0);
	put32(f.b + f.rec_off[1] + 4, 13);
	expect_err("pcapng_length_not_aligned", f.b, f.len, -EINVAL, "bad length 13");
	build(&f, 1, 0, 0);
	put32(f.b + f.rec_off[1] + 20, 200);	/* caplen past the block */
	expect_err("pcapng_caplen_past_block", f.b, f.len, -EINVAL,
		   "captured length 200 runs past the block");
	build(&f, 1, 0, 0);
	put32(f.b + 8, 0x12345678);
	expect_err("pcapng_bad_byte_order", f.b, f.len, -EINVAL, "byte-order magic");

	/*
	 * Hand-made pcapng: an IDB with if_tsresol 2^-10 and if_tsoffset
	 * 100 s, a statistics block to skip, an SPB (no timestamp), an
	 * obsolete PB, then a second section in the other byte order.
	 */
	{
		static __u8 h[FILE_LEN + 2048];
		struct pcap_rec recs[8];
		__u64 sec = 100;
		size_t off = 0, sec2;
		int i, ok;

		off += pcapng_put_shb(h);
		put32(h + off, 1);			/* IDB */
		put32(h + off + 4, 40);
		memset(h + off + 8, 0, 4);
		h[off + 8 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 1;
		put32(h + off + 12, 30);		/* snaplen */
		memset(h + off + 16, 0, 12);
		h[off + 16 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 9;	/* if_tsresol */
		h[off + 18 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 1;
		h[off + 20] = 0x80 | 10;		/* 2^-10 s */
		h[off + 24 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 14;	/* if_tsoffset */
		h[off + 26 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 8;
		memcpy(h + off + 28, &sec, 8);
		put32(h + off + 36, 40);
		off += 40;
		put32(h + off, 5);			/* ISB: skipped */
		put32(h + off + 4, 24);
		memset(h + off + 8, 0, 12);
		put32(h + off + 20, 24);
		off += 24;
		put32(h + off, 3);			/* SPB: 50 on the wire, room for 32 */
		put32(h + off + 4, 48);
		put32(h + off + 8, 50);
		memset(h + off + 12, 0xaa, 32);
		put32(h + off + 44, 48);
		off += 48;
		put32(h + off, 2);			/* PB: 1536 units = 1.5 s */
		put32(h + off + 4, 48);
		put32(h + off + 8, 0);
		put32(h + off + 12, 0);
		put32(h + off + 16, 1536);
		put32(h + off + 20, 14);
		put32(h + off + 24, 14);
		memset(h + off + 28, 0xbb, 16);
		put32(h + off + 44, 48);
		off += 48;
		sec2 = off;
		build(&g, 1, 0, 1);
		memcpy(h + off, g.b, g.len);
		off += g.len;
		n = read_all(h, off, recs, 8, err, sizeof(err));
		ok = n == 2 + NREC && recs[0].caplen == 30 && recs[0].len == 50 &&
		     recs[0].ts_ns == 0 && recs[0].data[0] == 0xaa &&
		     recs[1].caplen == 14 && recs[1].ts_ns == 101500000000ull &&
		     recs[1].data[13] == 0xbb && recs[1].nr == 2;
		for (i = 0; ok && i < NREC; i++)
			ok = recs[2 + i].ts_ns == rec_ts[i] &&
			     recs[2 + i].caplen == rec_len[i] &&
			     recs[2 + i].nr == (__u64)i + 3 &&
			     recs[2 + i].off == sec2 + g.rec_off[i];
		result("pcapng_spb_pb_tsresol_tsoffset_two_sections", ok,
		       "%d records: %s", n, n < 0 ? err : "fields differ");
		/* The 2^-10 interface seen by pcap_open, before any record. */
		n = pcap_open(&r, h, off, PCAP_LINKTYPE_ETHERNET, err, sizeof(err));
		result("pcapng_open_reads_interfaces", !n && r.if_cnt == 1 &&
		       r.linktype == 1 && r.snaplen == 30 && r.ifs[0].ts_units == 1024,
		       "%d if_cnt %u snaplen %u", n, r.if_cnt, r.snaplen);
		(void)rec;
	}
}

/*
 * pcapng timestamps at the edges of 64 bits: one IDB with if_tsresol
 * RESOL and if_tsoffset OFF, one EPB at TS; the record's ns or a
 * refusal ("timestamp out of range").  The reader does this in 64-bit
 * arithmetic (32-bit targets have no __int128): every case is the exact
 * floor(TS * 10^9 / units) + OFF * 10^9, checked here against numbers
 * worked out by hand.
 */
static void test_ng_ts(void)
{
	static const struct {
		const char *name;
		__u8 resol;
		__s64 off;
		__u64 ts;
		int fails;
		__u64 ns;
	} t[] = {
		{ "2^-63_max", 0x80 | 63, 0, ~0ull, 0, 1999999999ull },
		{ "2^-1", 0x80 | 1, 0, 3, 0, 1500000000ull },
		{ "10^-19_max", 19, 0, ~0ull, 0, 1844674407ull },
		{ "10^-19_below_1s", 19, 0, 9999999999999999999ull, 0, 999999999ull },
		{ "10^-9_max", 9, 0, ~0ull, 0, ~0ull },
		{ "10^-9_max_plus_1s", 9, 1, ~0ull, 1, 0 },
		{ "10^-9_offset_to_0", 9, -5, 5000000000ull, 0, 0 },
		{ "10^-9_offset_below_0", 9, -6, 5000000000ull, 1, 0 },
		{ "1s_last", 0, 0, 18446744073ull, 0, 18446744073000000000ull },
		{ "1s_past", 0, 0, 18446744074ull, 1, 0 },
		{ "1s_past_offset_back", 0, -1, 18446744074ull, 0, 18446744073000000000ull },
		{ "10^-6", 6, 0, 1234567, 0, 1234567000ull },
		{ "offset_min", 9, -0x7fffffffffffffffll - 1, ~0ull, 1, 0 },
	};
	static __u8 h[256];
	struct pcap_rec rec;
	char err[256], name[80];
	size_t off, i;
	int n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		off = pcapng_put_shb(h);
		put32(h + off, 1);			/* IDB */
		put32(h + off + 4, 40);
		memset(h + off + 8, 0, 28);
		h[off + 8 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 1;
		put32(h + off + 12, 64);
		h[off + 16 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 9;	/* if_tsresol */
		h[off + 18 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 1;
		h[off + 20] = t[i].resol;
		h[off + 24 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 14;	/* if_tsoffset */
		h[off + 26 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)] = 8;
		memcpy(h + off + 28, &t[i].off, 8);
		put32(h + off + 36, 40);
		off += 40;
		put32(h + off, 6);			/* EPB, 14 bytes */
		put32(h + off + 4, 48);
		put32(h + off + 8, 0);
		put32(h + off + 12, t[i].ts >> 32);
		put32(h + off + 16, (__u32)t[i].ts);
		put32(h + off + 20, 14);
		put32(h + off + 24, 14);
		memset(h + off + 28, 0xcc, 16);
		put32(h + off + 44, 48);
		off += 48;
		snprintf(name, sizeof(name), "pcapng_ts_%s", t[i].name);
		err[0] = 0;
		n = read_all(h, off, &rec, 1, err, sizeof(err));
		if (t[i].fails)
			result(name, n < 0 && strstr(err, "timestamp out of range"),
			       "%d records, want 'timestamp out of range': %s", n, err);
		else
			result(name, n == 1 && rec.ts_ns == t[i].ns,
			       "%d records (%s), ns %llu, want %llu", n, n < 0 ? err : "",
			       n == 1 ? (unsigned long long)rec.ts_ns : 0ull,
			       (unsigned long long)t[i].ns);
	}
}

int main(void)
{
	static struct file f;
	int ng, nsec, swap;

	for (ng = 0; ng < 2; ng++)
		for (nsec = 0; nsec < 2 - ng; nsec++)
			for (swap = 0; swap < 2; swap++) {
				build(&f, ng, nsec, swap);
				test_roundtrip(&f);
				test_truncation(&f);
				test_random(&f);
			}
	test_targeted();
	test_ng_ts();
	return failed;
}
