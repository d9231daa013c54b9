// SPDX-License-Identifier: GPL-2.0
/*
 * pcap.c - capture file reader and header writers (see pcap.h).
 *
 * Formats: classic pcap as libpcap writes it (24-byte file header, 16-byte
 * record headers), and pcapng (draft-ietf-opsawg-pcapng): blocks of
 * type, total length, body, total length again, 4-byte aligned, in the
 * byte order its section header announces.  Every read goes through
 * have(), which checks an extent against the buffer without overflow.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pcap.h"

#define NSEC_PER_SEC	1000000000ull

#define NG_PB		0x00000002u	/* obsolete packet block */
#define NG_IDB		0x00000001u
#define NG_SPB		0x00000003u
#define NG_EPB		0x00000006u

#define NG_OPT_END	0
#define NG_OPT_TSRESOL	9
#define NG_OPT_TSOFFSET	14
#define NG_OPT_NAME	2

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err && err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Is [off, off + n) inside the buffer? */
static int have(const struct pcap_reader *r, size_t off, size_t n)
{
	return off <= r->len && n <= r->len - off;
}

static __u16 rd16(const struct pcap_reader *r, size_t off)
{
	__u16 v;

	memcpy(&v, r->buf + off, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static __u32 rd32(const struct pcap_reader *r, size_t off)
{
	__u32 v;

	memcpy(&v, r->buf + off, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static __u64 rd64(const struct pcap_reader *r, size_t off)
{
	__u64 v;

	memcpy(&v, r->buf + off, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

const char *pcap_linktype_name(__u32 linktype)
{
	static const struct {
		__u32 type;
		const char *name;
	} names[] = {
		{ 0, "NULL" }, { 1, "EN10MB" }, { 101, "RAW" },
		{ 105, "IEEE802_11" }, { 108, "LOOP" }, { 113, "LINUX_SLL" },
		{ 127, "IEEE802_11_RADIO" }, { 228, "IPV4" }, { 229, "IPV6" },
		{ 276, "LINUX_SLL2" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == linktype)
			return names[i].name;
	return "?";
}

static int check_linktype(const struct pcap_reader *r, __u32 linktype,
			  const char *where, char *err, size_t err_len)
{
	if (r->want_linktype == PCAP_LINKTYPE_ANY || linktype == r->want_linktype)
		return 0;
	fail(err, err_len, "%slink type %u (%s), not %u (%s)", where, linktype,
	     pcap_linktype_name(linktype), r->want_linktype,
	     pcap_linktype_name(r->want_linktype));
	return -ENOTSUP;
}

/* --- classic pcap ------------------------------------------------------ */

static int pcap_open_classic(struct pcap_reader *r, char *err, size_t err_len)
{
	__u32 lt;

	if (!have(r, 0, PCAP_FILE_HDR_LEN))
		return fail(err, err_len, "pcap file header cut short (%zu of %d bytes)",
			    r->len, PCAP_FILE_HDR_LEN);
	r->ver_major = rd16(r, 4);
	r->ver_minor = rd16(r, 6);
	r->snaplen = rd32(r, 16);
	/* The top 6 bits tell about FCS bytes at the end of each frame. */
	lt = rd32(r, 20) & 0x03ffffff;
	r->linktype = lt;
	if (r->ver_major != 2) {
		fail(err, err_len, "pcap version %u.%u: only 2.x is known",
		     r->ver_major, r->ver_minor);
		return -ENOTSUP;
	}
	r->off = PCAP_FILE_HDR_LEN;
	return check_linktype(r, lt, "", err, err_len);
}

static int pcap_next_classic(struct pcap_reader *r, struct pcap_rec *rec,
			     char *err, size_t err_len)
{
	__u64 nr = r->rec_cnt + 1;
	size_t off = r->off;
	__u32 sec, frac, caplen, len;

	if (off == r->len)
		return 0;
	if (!have(r, off, PCAP_REC_HDR_LEN))
		return fail(err, err_len, "record %llu at offset %zu: header cut short (%zu of %d bytes)",
			    (unsigned long long)nr, off, r->len - off, PCAP_REC_HDR_LEN);
	sec = rd32(r, off);
	frac = rd32(r, off + 4);
	caplen = rd32(r, off + 8);
	len = rd32(r, off + 12);
	if (caplen > PCAP_CAPLEN_MAX)
		return fail(err, err_len, "record %llu at offset %zu: captured length %u over the limit of %u",
			    (unsigned long long)nr, off, caplen, PCAP_CAPLEN_MAX);
	if (!have(r, off + PCAP_REC_HDR_LEN, caplen))
		return fail(err, err_len, "record %llu at offset %zu: cut short (%zu of %u frame bytes)",
			    (unsigned long long)nr, off,
			    r->len - off - PCAP_REC_HDR_LEN, caplen);
	rec->ts_ns = sec * NSEC_PER_SEC + (__u64)frac * (r->nsec ? 1 : 1000);
	rec->data = r->buf + off + PCAP_REC_HDR_LEN;
	rec->caplen = caplen;
	rec->len = len;
	rec->if_idx = 0;
	rec->linktype = r->linktype;
	rec->nr = nr;
	rec->off = off;
	r->off = off + PCAP_REC_HDR_LEN + caplen;
	r->rec_cnt = nr;
	return 1;
}

/* --- pcapng ------------------------------------------------------------ */

static __u32 pad4(__u32 n)
{
	return (n + 3) & ~3u;
}

/* A section header at r->off: byte order, version, forget interfaces. */
static int ng_shb(struct pcap_reader *r, size_t off, char *err, size_t err_len)
{
	__u32 magic;

	if (!have(r, off, 12))
		return fail(err, err_len, "section header at offset %zu cut short (%zu of 12 bytes)",
			    off, r->len - off);
	memcpy(&magic, r->buf + off + 8, 4);
	if (magic == PCAPNG_BYTE_ORDER)
		r->swap = 0;
	else if (magic == __builtin_bswap32(PCAPNG_BYTE_ORDER))
		r->swap = 1;
	else
		return fail(err, err_len, "section header at offset %zu: bad byte-order magic 0x%08x",
			    off, magic);
	return 0;
}

static int ng_options_idb(struct pcap_reader *r, size_t off, size_t end,
			  struct pcap_if *ifc, size_t blk, char *err,
			  size_t err_len)
{
	__u16 code, olen;
	__u8 v;
	int i;

	while (off < end) {
		if (end - off < 4)
			return fail(err, err_len, "interface block at offset %zu: option header cut short",
				    blk);
		code = rd16(r, off);
		olen = rd16(r, off + 2);
		if (code == NG_OPT_END)
			break;
		if (pad4(olen) > end - off - 4)
			return fail(err, err_len, "interface block at offset %zu: option %u of %u bytes runs past the block",
				    blk, code, olen);
		if (code == NG_OPT_TSRESOL && olen >= 1) {
			v = r->buf[off + 4];
			/* 10^-n or, with the top bit, 2^-n seconds. */
			if ((v & 0x80 && (v & 0x7f) > 63) || (!(v & 0x80) && v > 19)) {
				fail(err, err_len, "interface block at offset %zu: timestamp resolution 0x%02x not supported",
				     blk, v);
				return -ENOTSUP;
			}
			if (v & 0x80) {
				ifc->ts_units = 1ull << (v & 0x7f);
			} else {
				ifc->ts_units = 1;
				for (i = 0; i < v; i++)
					ifc->ts_units *= 10;
			}
		} else if (code == NG_OPT_TSOFFSET && olen >= 8) {
			ifc->ts_offset = (__s64)rd64(r, off + 4);
		}
		off += 4 + pad4(olen);
	}
	return 0;
}

static int ng_idb(struct pcap_reader *r, size_t off, __u32 total, char *err,
		  size_t err_len)
{
	struct pcap_if ifc = { .ts_units = 1000000 };
	char where[96];
	int ret;

	if (total < 12 + 8)
		return fail(err, err_len, "interface block at offset %zu: %u bytes, too short",
			    off, total);
	if (r->if_cnt >= PCAP_IF_MAX) {
		fail(err, err_len, "interface block at offset %zu: more than %d interfaces in a section",
		     off, PCAP_IF_MAX);
		return -ENOTSUP;
	}
	ifc.linktype = rd16(r, off + 8);
	ifc.snaplen = rd32(r, off + 12);
	ret = ng_options_idb(r, off + 16, off + total - 4, &ifc, off, err, err_len);
	if (ret)
		return ret;
	snprintf(where, sizeof(where), "interface %u (block at offset %zu) has ",
		 r->if_cnt, off);
	ret = check_linktype(r, ifc.linktype, where, err, err_len);
	if (ret)
		return ret;
	if (!r->if_cnt && r->section_cnt == 1) {
		r->linktype = ifc.linktype;
		r->snaplen = ifc.snaplen;
	}
	r->ifs[r->if_cnt++] = ifc;
	return 0;
}

/*
 * a * b / c rounded down, for a < c and b < 2^32, in 64-bit arithmetic:
 * 32-bit targets have no __int128.  The product is formed as hi:lo and
 * divided bit by bit; a < c makes hi < c, so the quotient fits.
 */
static __u64 mul_div(__u64 a, __u32 b, __u64 c)
{
	__u64 lo, mid, hi, r, q = 0;
	int i, top;

	if (a <= ~0ull / b)
		return a * b / c;
	lo = (a & 0xffffffff) * b;
	mid = (a >> 32) * b;
	hi = mid >> 32;
	mid <<= 32;
	lo += mid;
	hi += lo < mid;
	r = hi;
	for (i = 63; i >= 0; i--) {
		top = r >> 63;
		r = r << 1 | (lo >> i & 1);
		q <<= 1;
		if (top || r >= c) {
			r -= c;
			q |= 1;
		}
	}
	return q;
}

/*
 * Timestamp in units of interface ifc, on the wall clock, in ns:
 * ts / units seconds (whole seconds and the fraction apart, so that
 * nothing overflows before the result would) plus the interface's
 * offset.  -1 if the result is below 0 or past 2^64 - 1 ns.
 */
static int ng_ts(const struct pcap_if *ifc, __u64 ts, __u64 *ns)
{
	__u64 sec = ts / ifc->ts_units, off = (__u64)ifc->ts_offset;
	__u64 frac = mul_div(ts % ifc->ts_units, NSEC_PER_SEC, ifc->ts_units);

	if (ifc->ts_offset < 0 ? sec < -off : sec > ~0ull - off)
		return -1;
	sec += off;
	if (sec > (~0ull - frac) / NSEC_PER_SEC)
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

/* A packet block (EPB, SPB or PB) at off into *rec. */
static int ng_packet(struct pcap_reader *r, size_t off, __u32 type,
		     __u32 total, struct pcap_rec *rec, char *err,
		     size_t err_len)
{
	unsigned long long nr = r->rec_cnt + 1;
	__u32 body = total - 12, if_idx, caplen, len, fixed;
	__u64 ts = 0;
	const struct pcap_if *ifc;

	fixed = type == NG_SPB ? 4 : 20;
	if (body < fixed)
		return fail(err, err_len, "record %llu (block at offset %zu): %u bytes, too short for its type",
			    nr, off, total);
	if (type == NG_SPB) {
		if_idx = 0;
		len = rd32(r, off + 8);
		caplen = len;
	} else {
		if_idx = type == NG_PB ? rd16(r, off + 8) : rd32(r, off + 8);
		ts = (__u64)rd32(r, off + 12) << 32 | rd32(r, off + 16);
		caplen = rd32(r, off + 20);
		len = rd32(r, off + 24);
	}
	if (if_idx >= r->if_cnt)
		return fail(err, err_len, "record %llu (block at offset %zu): interface %u, but the section describes %u",
			    nr, off, if_idx, r->if_cnt);
	ifc = &r->ifs[if_idx];
	if (type == NG_SPB) {
		/* The length on the wire, cut to the snap length and the block. */
		if (ifc->snaplen && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
		if (caplen > body - fixed)
			caplen = body - fixed;
	}
	if (caplen > PCAP_CAPLEN_MAX)
		return fail(err, err_len, "record %llu (block at offset %zu): captured length %u over the limit of %u",
			    nr, off, caplen, PCAP_CAPLEN_MAX);
	if (pad4(caplen) > body - fixed)
		return fail(err, err_len, "record %llu (block at offset %zu): captured length %u runs past the block (%u bytes)",
			    nr, off, caplen, body - fixed);
	/* A simple packet block has no timestamp: 0, not the interface offset. */
	rec->ts_ns = 0;
	if (type != NG_SPB && ng_ts(ifc, ts, &rec->ts_ns))
		return fail(err, err_len, "record %llu (block at offset %zu): timestamp out of range",
			    nr, off);
	rec->data = r->buf + off + 8 + fixed;
	rec->caplen = caplen;
	rec->len = len;
	rec->if_idx = if_idx;
	rec->linktype = ifc->linktype;
	rec->nr = nr;
	rec->off = off;
	r->rec_cnt = nr;
	return 1;
}

/*
 * The block at r->off: a packet into *rec (1), or other blocks taken in
 * (0, and r->off moves on; with stop_at_packet, a packet block is left
 * unread and 2 returned).  At the end -ENODATA.  Else -errno.
 */
static int ng_block(struct pcap_reader *r, struct pcap_rec *rec,
		    int stop_at_packet, char *err, size_t err_len)
{
	size_t off = r->off;
	__u32 type, total, trail;
	int ret;

	if (off == r->len)
		return -ENODATA;
	if (!have(r, off, 12))
		return fail(err, err_len, "block at offset %zu (after record %llu): header cut short (%zu of 12 bytes)",
			    off, (unsigned long long)r->rec_cnt, r->len - off);
	memcpy(&type, r->buf + off, 4);	/* SHB's type reads the same both ways */
	if (type == PCAPNG_SHB) {
		ret = ng_shb(r, off, err, err_len);
		if (ret)
			return ret;
	}
	type = rd32(r, off);
	total = rd32(r, off + 4);
	if (total < 12 || total % 4)
		return fail(err, err_len, "block at offset %zu (after record %llu): bad length %u",
			    off, (unsigned long long)r->rec_cnt, total);
	if (!have(r, off, total))
		return fail(err, err_len, "block at offset %zu (after record %llu): cut short (%zu of %u bytes)",
			    off, (unsigned long long)r->rec_cnt, r->len - off, total);
	trail = rd32(r, off + total - 4);
	if (trail != total)
		return fail(err, err_len, "block at offset %zu (after record %llu): trailing length %u differs from %u",
			    off, (unsigned long long)r->rec_cnt, trail, total);

	switch (type) {
	case PCAPNG_SHB:
		if (total < PCAPNG_SHB_LEN)
			return fail(err, err_len, "section header at offset %zu: %u bytes, too short",
				    off, total);
		r->ver_major = rd16(r, off + 12);
		r->ver_minor = rd16(r, off + 14);
		if (r->ver_major != 1) {
			fail(err, err_len, "section header at offset %zu: pcapng version %u.%u, only 1.x is known",
			     off, r->ver_major, r->ver_minor);
			return -ENOTSUP;
		}
		r->if_cnt = 0;
		r->section_cnt++;
		break;
	case NG_IDB:
		ret = ng_idb(r, off, total, err, err_len);
		if (ret)
			return ret;
		break;
	case NG_EPB:
	case NG_SPB:
	case NG_PB:
		if (stop_at_packet)
			return 2;
		ret = ng_packet(r, off, type, total, rec, err, err_len);
		if (ret < 0)
			return ret;
		r->off = off + total;
		return 1;
	default:
		break;	/* statistics, name resolution, custom: not needed */
	}
	r->off = off + total;
	return 0;
}

/* --- both -------------------------------------------------------------- */

int pcap_open(struct pcap_reader *r, const void *buf, size_t len,
	      __u32 want_linktype, char *err, size_t err_len)
{
	__u32 magic;
	int ret;

	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->want_linktype = want_linktype;
	if (len < 4)
		return fail(err, err_len, "not a capture file: %zu bytes", len);
	memcpy(&magic, buf, 4);
	if (magic == PCAPNG_SHB) {
		r->fmt = PCAP_FMT_PCAPNG;
		/* Take in the blocks before the first packet: interfaces. */
		do
			ret = ng_block(r, NULL, 1, err, err_len);
		while (!ret);
		return ret == -ENODATA || ret == 2 ? 0 : ret;
	}
	r->fmt = PCAP_FMT_PCAP;
	if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC)
		r->swap = 0;
	else if (magic == __builtin_bswap32(PCAP_MAGIC_USEC) ||
		 magic == __builtin_bswap32(PCAP_MAGIC_NSEC))
		r->swap = 1;
	else if (!memcmp(buf, "\x1f\x8b", 2))
		return fail(err, err_len, "gzip-compressed: decompress it first");
	else
		return fail(err, err_len, "not a pcap or pcapng file (magic 0x%08x)",
			    __builtin_bswap32(magic));
	r->nsec = (r->swap ? __builtin_bswap32(magic) : magic) == PCAP_MAGIC_NSEC;
	return pcap_open_classic(r, err, err_len);
}

int pcap_next(struct pcap_reader *r, struct pcap_rec *rec, char *err,
	      size_t err_len)
{
	int ret;

	if (r->fmt == PCAP_FMT_PCAP)
		return pcap_next_classic(r, rec, err, err_len);
	do
		ret = ng_block(r, rec, 0, err, err_len);
	while (!ret);
	return ret == -ENODATA ? 0 : ret;
}

/* --- writers ----------------------------------------------------------- */

static void wr16(__u8 *p, __u16 v)
{
	memcpy(p, &v, 2);
}

static void wr32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

size_t pcap_put_file_hdr(void *buf, __u32 snaplen, __u32 linktype, int nsec)
{
	__u8 *p = buf;

	wr32(p, nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
	wr16(p + 4, 2);
	wr16(p + 6, 4);
	wr32(p + 8, 0);		/* thiszone */
	wr32(p + 12, 0);	/* sigfigs */
	wr32(p + 16, snaplen);
	wr32(p + 20, linktype);
	return PCAP_FILE_HDR_LEN;
}

size_t pcap_put_rec_hdr(void *buf, __u64 ts_ns, __u32 caplen, __u32 len,
			int nsec)
{
	__u8 *p = buf;
	__u32 frac = ts_ns % NSEC_PER_SEC;

	wr32(p, ts_ns / NSEC_PER_SEC);
	wr32(p + 4, nsec ? frac : frac / 1000);
	wr32(p + 8, caplen);
	wr32(p + 12, len);
	return PCAP_REC_HDR_LEN;
}

size_t pcapng_put_shb(void *buf)
{
	__u8 *p = buf;

	wr32(p, PCAPNG_SHB);
	wr32(p + 4, PCAPNG_SHB_LEN);
	wr32(p + 8, PCAPNG_BYTE_ORDER);
	wr16(p + 12, 1);
	wr16(p + 14, 0);
	memset(p + 16, 0xff, 8);	/* section length: not given */
	wr32(p + 24, PCAPNG_SHB_LEN);
	return PCAPNG_SHB_LEN;
}

size_t pcapng_put_idb(void *buf, __u32 linktype, __u32 snaplen,
		      const char *name)
{
	__u8 *p = buf;
	size_t n = name ? strnlen(name, 15) : 0, off = 16;

	wr32(p, NG_IDB);
	wr16(p + 8, linktype);
	wr16(p + 10, 0);
	wr32(p + 12, snaplen);
	if (n) {
		wr16(p + off, NG_OPT_NAME);
		wr16(p + off + 2, n);
		memset(p + off + 4, 0, pad4(n));
		memcpy(p + off + 4, name, n);
		off += 4 + pad4(n);
	}
	wr16(p + off, NG_OPT_TSRESOL);
	wr16(p + off + 2, 1);
	wr32(p + off + 4, 0);
	p[off + 4] = 9;		/* nanoseconds */
	off += 8;
	wr32(p + off, NG_OPT_END);	/* code 0, length 0 */
	off += 4;
	wr32(p + 4, off + 4);
	wr32(p + off, off + 4);
	return off + 4;
}

size_t pcapng_put_epb_hdr(void *buf, __u32 if_idx, __u64 ts_ns,
			  __u32 caplen, __u32 len)
{
	__u8 *p = buf;

	wr32(p, NG_EPB);
	wr32(p + 4, PCAPNG_EPB_HDR_LEN + pad4(caplen) + 4);
	wr32(p + 8, if_idx);
	wr32(p + 12, ts_ns >> 32);
	wr32(p + 16, ts_ns);
	wr32(p + 20, caplen);
	wr32(p + 24, len);
	return PCAPNG_EPB_HDR_LEN;
}

size_t pcapng_pad(__u32 caplen)
{
	return pad4(caplen) - caplen;
}

size_t pcapng_put_epb_end(void *buf, __u32 caplen)
{
	wr32(buf, PCAPNG_EPB_HDR_LEN + pad4(caplen) + 4);
	return 4;
}
