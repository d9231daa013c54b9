// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_probe.c - tcpinspect probe [-i IFACE]: each kernel feature, found
 * by trying it, and what is used instead where one is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include "attach.h"
#include "cmd.h"
#include "probe.h"
#include "session.h"

/* One line of `tcpinspect probe`: "ring buffer            yes". */
static void probe_line(const char *name, int has, const char *instead,
		       const char *note)
{
	if (has)
		printf("%-23syes\n", name);
	else
		printf("%-23sno  -> %s%s\n", name, instead, note);
}

/*
 * The XDP modes of -i IFACE: tried with a pass program, attached and
 * removed at once (never over someone's program).  Only when asked for:
 * some drivers reset their rings when a native program comes or goes.
 * 0 or an exit status.
 */
static int probe_iface(const struct opts *o)
{
	struct probe_xdp x;
	char name[IF_NAMESIZE], row[64], why[192];
	int ifindex, ret, i;

	if (!o->iface) {
		printf("%-23s%s\n", "xdp modes", "not tried: -i IFACE tries native and generic there");
		return 0;
	}
	ret = ses_iface_index(o, &ifindex);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "%s", o->iface);
	ret = probe_xdp_modes(ifindex, &x);
	if (ret) {
		msg("cannot try XDP on %s: %s", name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	for (i = 0; i < 2; i++) {
		/* native, else generic; generic, else none */
		snprintf(row, sizeof(row), "%s xdp on %s", i ? "generic" : "native", name);
		if ((i ? x.generic : x.native) < 0) {
			printf("%-23s?   -> not tried: program %u is attached in %s mode\n",
			       row, x.busy_id, attach_mode_name(x.busy_mode));
			continue;
		}
		snprintf(why, sizeof(why), "%s (%s%s%s)", i ? "none" : "generic xdp",
			 strerror(-(i ? x.generic_err : x.native_err)),
			 *(i ? x.generic_why : x.native_why) ? "; kernel: " : "",
			 i ? x.generic_why : x.native_why);
		probe_line(row, i ? x.generic : x.native, why, "");
	}
	return 0;
}

/*
 * tcpinspect probe [-i IFACE]: each feature, yes or what is used instead.
 * Exit 0 if a capture can run here, else 1 with the reason.
 */
int cmd_probe(struct opts *o)
{
	static const struct {
		enum probe_feat f;
		const char *name;
	} rows[] = {
		{ PROBE_RINGBUF, "ring buffer" },
		{ PROBE_PERF, "perf event output" },
		{ PROBE_LINK, "xdp bpf_link" },
		{ PROBE_BTF, "btf upload" },
		{ PROBE_GLOBAL, "global data" },
		{ PROBE_ALU32, "jmp32/alu32 (v3)" },
		{ PROBE_FETCH, "atomic fetch-add" },
		{ PROBE_LOAD_BYTES, "bpf_xdp_load_bytes" },
		{ PROBE_PERCPU, "per-cpu arrays" },
		{ PROBE_LRU, "lru hash" },
		{ PROBE_TCX, "tcx bpf_link" },
		{ PROBE_FENTRY, "fentry/fexit on xdp" },
	};
	static struct probe kp;
	const char *off = " (TCPINSPECT_DISABLE)";
	char err[512], instead[256], was[32], now[32];
	size_t i;
	int ret;

	ret = ses_probe(o, &kp);
	if (ret)
		return ret;
	probe_fentry(&kp);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(instead, sizeof(instead), "%s", probe_instead(&kp, rows[i].f));
		if (rows[i].f == PROBE_FENTRY && !kp.off[PROBE_FENTRY])
			snprintf(instead + strlen(instead), sizeof(instead) - strlen(instead),
				 " (kernel: %s)", kp.fentry_why);
		probe_line(rows[i].name, kp.has[rows[i].f], instead,
			   kp.off[rows[i].f] ? off : "");
	}
	ret = probe_iface(o);
	if (ret)
		return ret;
	snprintf(instead, sizeof(instead), "RLIMIT_MEMLOCK raised from %s to %s%s",
		 ses_lim_str(kp.memlock_was, was, sizeof(was)),
		 ses_lim_str(kp.memlock_now, now, sizeof(now)),
		 kp.memlock_err ? " (its hard limit)" : "");
	probe_line("memcg accounting", kp.has[PROBE_MEMCG], instead,
		   kp.off[PROBE_MEMCG] ? off : "");
	printf("%-23s%d\n", "possible cpus", kp.ncpu);
	if (fflush(stdout) || ferror(stdout)) {
		msg("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	ret = probe_require(&kp, 0, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

