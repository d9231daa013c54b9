// SPDX-License-Identifier: GPL-2.0
/*
 * btfstrip.c - a build tool, not part of the binary: drop the source
 * text that clang puts in a BPF object's line info.  The loader uploads
 * the line info so that a verifier error names its file and line; the
 * text of each line (about 5 KB of the embedded object) says nothing
 * the line number does not, and nothing reads it.  Every line_info
 * record keeps its file and line, its text becomes "", and the BTF
 * string table keeps only the strings something still names.
 *
 *	btfstrip IN.o BTF.out EXT.out
 *
 * writes the new .BTF and .BTF.ext section contents; the Makefile puts
 * them in place with llvm-objcopy --update-section.  Little-endian
 * ELF64 objects only (BPF objects are bpfel).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *buf;
static size_t len;

static void die(const char *why)
{
	fprintf(stderr, "btfstrip: %s\n", why);
	exit(1);
}

static uint32_t u32(size_t off)
{
	uint32_t v;

	if (off + 4 > len)
		die("read past the end of the object");
	memcpy(&v, buf + off, 4);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint64_t u64(size_t off)
{
	uint64_t v;

	if (off + 8 > len)
		die("read past the end of the object");
	memcpy(&v, buf + off, 8);
	return v;
}

/* Offset and size of the section called name; exits if there is none. */
static void section(const char *name, size_t *off, size_t *size)
{
	size_t shoff = u64(0x28), i;
	unsigned shentsize = buf[0x3a] | buf[0x3b] << 8;
	unsigned shnum = buf[0x3c] | buf[0x3d] << 8;
	unsigned shstrndx = buf[0x3e] | buf[0x3f] << 8;
	size_t strs = u64(shoff + (size_t)shstrndx * shentsize + 0x18);

	for (i = 0; i < shnum; i++) {
		size_t sh = shoff + i * shentsize;
		size_t n = strs + u32(sh);

		if (n + strlen(name) + 1 <= len && !strcmp((char *)buf + n, name)) {
			*off = u64(sh + 0x18);
			*size = u64(sh + 0x20);
			if (*off > len || *size > len - *off)
				die("section out of bounds");
			return;
		}
	}
	fprintf(stderr, "btfstrip: no section %s\n", name);
	exit(1);
}

/* String offsets still named, as a bitmap over the old string table. */
static uint8_t *keep;
static uint32_t str_len;

static void mark(uint32_t off)
{
	if (off >= str_len)
		die("a string offset past the string table");
	keep[off] = 1;
}

int main(int argc, char **argv)
{
	size_t btf, btf_size, ext, ext_size, t, tend, strs, i, p, end;
	uint32_t hdr_len, type_off, type_len, *map, n, kind, vlen, rec, cnt, j;
	uint32_t ehdr, sub[3][2];	/* func, line, core: offset, length */
	uint8_t *nbtf, *next;
	FILE *f;

	if (argc != 4)
		die("usage: btfstrip IN.o BTF.out EXT.out");
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(len = ftell(f)) < 0x40 ||
	    fseek(f, 0, SEEK_SET) || !(buf = malloc(len)) || fread(buf, 1, len, f) != len)
		die("cannot read the object");
	fclose(f);
	if (memcmp(buf, "\177ELF\2\1", 6))
		die("not a little-endian ELF64 object");
	section(".BTF", &btf, &btf_size);
	section(".BTF.ext", &ext, &ext_size);

	hdr_len = u32(btf + 4);
	type_off = u32(btf + 8);
	type_len = u32(btf + 12);
	strs = btf + hdr_len + u32(btf + 16);
	str_len = u32(btf + 20);
	if ((buf[btf] | buf[btf + 1] << 8) != 0xeb9f ||
	    strs + str_len > btf + btf_size || str_len < 1)
		die("bad .BTF header");
	keep = calloc(str_len, 1);
	map = calloc(str_len, sizeof(*map));
	if (!keep || !map)
		die("out of memory");
	mark(0);

	/* Every name a type, member, enumerator or parameter has. */
	t = btf + hdr_len + type_off;
	tend = t + type_len;
	while (t < tend) {
		mark(u32(t));
		kind = u32(t + 4) >> 24 & 0x1f;
		vlen = u32(t + 4) & 0xffff;
		t += 12;
		switch (kind) {
		case 1: t += 4; break;			/* INT */
		case 3: t += 12; break;			/* ARRAY */
		case 4: case 5:				/* STRUCT, UNION */
			for (j = 0; j < vlen; j++, t += 12)
				mark(u32(t));
			break;
		case 6:					/* ENUM */
			for (j = 0; j < vlen; j++, t += 8)
				mark(u32(t));
			break;
		case 13:				/* FUNC_PROTO */
			for (j = 0; j < vlen; j++, t += 8)
				mark(u32(t));
			break;
		case 14: t += 4; break;			/* VAR */
		case 15: t += 12 * (size_t)vlen; break;	/* DATASEC */
		case 17: t += 4; break;			/* DECL_TAG */
		case 19:				/* ENUM64 */
			for (j = 0; j < vlen; j++, t += 12)
				mark(u32(t));
			break;
		case 2: case 7: case 8: case 9: case 10:
		case 11: case 12: case 16: case 18:
			break;				/* nothing more */
		default:
			die("a BTF kind this tool does not know");
		}
	}
	if (t != tend)
		die("the BTF types do not end where the header says");

	/* .BTF.ext: section names and file names stay, line text goes. */
	ehdr = u32(ext + 4);
	memset(sub, 0, sizeof(sub));
	for (i = 0; i < 3 && 8 + 8 * i + 8 <= ehdr; i++) {
		sub[i][0] = u32(ext + 8 + 8 * i);
		sub[i][1] = u32(ext + 12 + 8 * i);
	}
	next = malloc(ext_size);
	if (!next)
		die("out of memory");
	memcpy(next, buf + ext, ext_size);
	for (i = 0; i < 3; i++) {
		if (!sub[i][1])
			continue;
		p = ext + ehdr + sub[i][0];
		end = p + sub[i][1];
		if (end > ext + ext_size)
			die("a .BTF.ext part out of bounds");
		rec = u32(p);
		for (p += 4; p < end; ) {
			mark(u32(p));		/* the section's name */
			cnt = u32(p + 4);
			p += 8;
			for (j = 0; j < cnt; j++, p += rec) {
				if (i == 1) {	/* line: insn, file, line text, line/col */
					mark(u32(p + 4));
					put32(next + (p + 8 - ext), 0);
				} else if (i == 2) {	/* CO-RE: insn, type, access string, kind */
					mark(u32(p + 8));
				}
			}
		}
		if (p != end)
			die("a .BTF.ext part does not end where its header says");
	}

	/* The new string table: the kept strings in their old order. */
	nbtf = malloc(btf_size);
	if (!nbtf)
		die("out of memory");
	memcpy(nbtf, buf + btf, hdr_len + type_off + type_len);
	n = 0;
	for (i = 0; i < str_len; ) {
		size_t sl = strnlen((char *)buf + strs + i, str_len - i) + 1;

		if (keep[i]) {
			map[i] = n;
			memcpy(nbtf + hdr_len + type_off + type_len + n, buf + strs + i, sl);
			n += sl;
		}
		i += sl;
	}
	put32(nbtf + 16, type_off + type_len);
	put32(nbtf + 20, n);

	/* Every reference to its string's new place. */
#define REMAP(base, off) put32((base) + (off), map[u32((size_t)((base) == nbtf ? btf : ext) + (off))])
	for (t = type_off; t < type_off + type_len; ) {
		size_t at = hdr_len + t;

		REMAP(nbtf, at);
		kind = u32(btf + at + 4) >> 24 & 0x1f;
		vlen = u32(btf + at + 4) & 0xffff;
		t += 12;
		switch (kind) {
		case 1: case 14: case 17: t += 4; break;
		case 3: t += 12; break;
		case 4: case 5: case 19:
			for (j = 0; j < vlen; j++, t += 12)
				REMAP(nbtf, hdr_len + t);
			break;
		case 6: case 13:
			for (j = 0; j < vlen; j++, t += 8)
				REMAP(nbtf, hdr_len + t);
			break;
		case 15: t += 12 * (size_t)vlen; break;
		}
	}
	for (i = 0; i < 3; i++) {
		if (!sub[i][1])
			continue;
		p = ehdr + sub[i][0];
		end = p + sub[i][1];
		rec = u32(ext + p);
		for (p += 4; p < end; ) {
			REMAP(next, p);
			cnt = u32(ext + p + 4);
			p += 8;
			for (j = 0; j < cnt; j++, p += rec) {
				if (i == 1)
					REMAP(next, p + 4);
				else if (i == 2)
					REMAP(next, p + 8);
			}
		}
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(nbtf, 1, hdr_len + type_off + type_len + n, f) != hdr_len + type_off + type_len + n ||
	    fclose(f))
		die("cannot write the .BTF section");
	f = fopen(argv[3], "wb");
	if (!f || fwrite(next, 1, ext_size, f) != ext_size || fclose(f))
		die("cannot write the .BTF.ext section");
	return 0;
}
