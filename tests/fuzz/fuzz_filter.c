// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_filter.c - libFuzzer harness for the filter compiler (filter.c,
 * fltgen.c, fltopt.c, fltebpf.c, fltnames.c): the input's bytes, up to
 * the first NUL, as an expression, compiled with a small fixed world of
 * names.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined (make
 * build/fuzz_filter).  The expression is copied into an allocation of
 * exactly its size.  Beyond memory errors, what filter.h promises is
 * checked here and a broken promise abort()s, which libFuzzer reports
 * as a crash with the input saved:
 *
 * - flt_compile() answers 0, -EINVAL, -E2BIG or -ENOMEM, and an error
 *   comes with a "filter: " line within err;
 * - flt_cbpf() (the classic program) refuses what flt_compile refuses
 *   with -EINVAL (the translation may pass a size limit the classic
 *   program keeps), and otherwise only what libpcap's optimiser proves
 *   matches nothing ("expression rejects all packets"), which
 *   flt_compile marks FLT_NEVER;
 * - the eBPF is at most max instructions and keeps the verifier's rules
 *   (tests/fltmodel.h's ebpf_check);
 * - on 64 random frames (tests/fltmodel.h's model_frame, a fixed seed),
 *   the eBPF's answer, as the program runs it, is the classic program's
 *   as libpcap's bpf_filter runs it, on every frame that reaches the
 *   filter (but protochain on a fragment header libpcap misreads, as
 *   the man page says), and on every frame run as a malformed packet
 *   (the generic code).
 *
 * Replaying a file (build/fuzz_filter FILE...) runs it once, which is
 * how fuzz.sh replays fuzz-regress-filter/; the seeds are in
 * filter-seeds/ (both here, in tests/fuzz/).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "../fltmodel.h"

#define FRAMES		64

/* Unless ok, say what broke and abort: libFuzzer saves the input. */
__attribute__((format(printf, 4, 5)))
static void must(int ok, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	fprintf(stderr, "fuzz_filter: line %d: ", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (not %s)\n", cond);
	abort();
}

#define check(cond, ...)	must(!!(cond), __LINE__, #cond, __VA_ARGS__)

static const char names_hosts[] = "10.0.0.1 alpha alpha.test\n2001:db8::1 beta\n";
static const char names_nets[] = "loopback 127\nlinknet 169.254.0.0\n";
static const struct flt_names names = {
	.hosts = names_hosts, .hosts_len = sizeof(names_hosts) - 1,
	.networks = names_nets, .networks_len = sizeof(names_nets) - 1,
};

static void *mem;
static struct bpf_insn prog[FLT_MAX_INSNS];
static struct sock_filter cprog[FLT_MAX_CBPF];
static unsigned char frames[FRAMES][MODEL_FRAME_MAX];
static unsigned frame_len[FRAMES], frame_caplen[FRAMES];

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned long long st = 16;
	int i;

	mem = malloc(FLT_MEM);
	if (!mem)
		abort();
	for (i = 0; i < FRAMES; i++)
		model_frame(&st, frames[i], &frame_len[i], &frame_caplen[i]);
	return 0;
}

static void check_err(const char *what, int rc, const char *err, size_t len)
{
	check(rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM, "%s: rc %d", what, rc);
	check(memchr(err, 0, len) && !strncmp(err, "filter: ", 8),
	      "%s: rc %d, message '%.*s'", what, rc, (int)len, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], cerr[512], why[256];
	size_t len = strnlen((const char *)data, size);
	struct flt_info info;
	char *expr = malloc(len + 1);
	__u32 n = 0;
	int rc, crc, i;

	if (!expr)
		return 0;
	memcpy(expr, data, len);
	expr[len] = 0;
	rc = flt_compile(expr, &names, mem, FLT_MEM, prog, FLT_MAX_INSNS, &info,
			 err, sizeof(err));
	crc = flt_cbpf(expr, &names, 1, mem, FLT_MEM, cprog, FLT_MAX_CBPF, &n,
		       cerr, sizeof(cerr));
	if (rc) {
		check_err("flt_compile", rc, err, sizeof(err));
		/* the eBPF may pass a limit the classic program keeps */
		check(crc || rc != -EINVAL, "flt_cbpf takes what flt_compile "
		      "refuses (%s)", err);
		goto out;
	}
	if (crc) {
		check_err("flt_cbpf", crc, cerr, sizeof(cerr));
		check(strstr(cerr, "rejects all packets") && (info.flags & FLT_NEVER),
		      "flt_cbpf refuses what flt_compile takes: %s", cerr);
		goto out;
	}
	check(info.cnt && info.cnt <= FLT_MAX_INSNS, "%u instructions", info.cnt);
	check(!ebpf_check(prog, info.cnt, why, sizeof(why)), "%s", why);
	/* each frame as a checked one, then as a malformed packet (raw) */
	for (i = 0; i < 2 * FRAMES; i++) {
		int got, want, raw = i >= FRAMES, f = i % FRAMES;
		int r = model_compare(prog, &info, cprog, n, expr, frames[f],
				      frame_caplen[f], frame_len[f], raw, &got,
				      &want, why, sizeof(why));

		check(r >= 0, "frame %d%s: %s", f, raw ? " (raw)" : "", why);
		check(r || got == want, "frame %d%s: eBPF %d, classic program %d",
		      f, raw ? " (raw)" : "", got, want);
	}
out:
	free(expr);
	return 0;
}
