// SPDX-License-Identifier: GPL-2.0
/*
 * fltpcap.c - tcpinspect's classic program (flt_cbpf) against libpcap's
 * (pcap_compile), instruction for instruction, for the expressions on
 * stdin, one a line: each must compile to the very program libpcap
 * makes for an Ethernet capture, or both must refuse it.  As
 * pcap_open_dead compiles: live (inbound, outbound and ifindex are
 * known), names from /etc for both.
 *
 *   fltpcap [-O]	-O: unoptimised (pcap_compile's optimize 0)
 *
 * Prints a line per difference ("differ: EXPR", "only libpcap refuses:
 * EXPR: why", "only tcpinspect refuses: EXPR: why"), then "N same, N
 * differ, N refused by both, N only by libpcap, N only by tcpinspect";
 * exit 1 if anything differs.  Linked with the C library's libpcap
 * (tcpdump's), declared here rather than from its headers: pcap/bpf.h
 * and linux/bpf.h both define struct bpf_insn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"

/* libpcap's API, as much as this needs */
typedef struct pcap pcap_t;
struct bpf_program {
	unsigned int bf_len;
	struct sock_filter *bf_insns;
};
pcap_t *pcap_open_dead(int linktype, int snaplen);
int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str,
		 int optimize, unsigned int netmask);
char *pcap_geterr(pcap_t *p);
void pcap_freecode(struct bpf_program *fp);
#define DLT_EN10MB	1

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n;

	*len = 0;
	if (!f)
		return NULL;
	b = malloc(FLT_NAMES_MAX);
	if (b) {
		n = fread(b, 1, FLT_NAMES_MAX, f);
		*len = n;
	}
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	static struct sock_filter mine[FLT_MAX_CBPF];
	static char line[65536];
	struct flt_names nm = { .live = 1 };
	int opt = !(argc > 1 && !strcmp(argv[1], "-O"));
	void *mem = malloc(FLT_MEM);
	pcap_t *p = pcap_open_dead(DLT_EN10MB, FLT_SNAPLEN);
	long same = 0, differ = 0, both = 0, only_pcap = 0, only_ours = 0;

	if (!mem || !p) {
		fprintf(stderr, "fltpcap: %s\n", strerror(ENOMEM));
		return 2;
	}
	nm.hosts = slurp("/etc/hosts", &nm.hosts_len);
	nm.networks = slurp("/etc/networks", &nm.networks_len);
	nm.services = slurp("/etc/services", &nm.services_len);
	nm.protocols = slurp("/etc/protocols", &nm.protocols_len);
	nm.ethers = slurp("/etc/ethers", &nm.ethers_len);
	while (fgets(line, sizeof(line), stdin)) {
		struct bpf_program bp;
		char err[512];
		__u32 n = 0;
		int rc, prc;

		line[strcspn(line, "\n")] = 0;
		prc = pcap_compile(p, &bp, line, opt, 0);
		rc = flt_cbpf(line, &nm, opt, mem, FLT_MEM, mine, FLT_MAX_CBPF, &n,
			      err, sizeof(err));
		if (prc && rc) {
			both++;
		} else if (prc) {
			only_pcap++;
			printf("only libpcap refuses: %s: %s\n", line, pcap_geterr(p));
		} else if (rc) {
			only_ours++;
			printf("only tcpinspect refuses: %s: %s\n", line, err);
		} else if (bp.bf_len == n &&
			   !memcmp(bp.bf_insns, mine, n * sizeof(*mine))) {
			same++;
		} else {
			differ++;
			printf("differ: %s\n", line);
		}
		if (!prc)
			pcap_freecode(&bp);
	}
	printf("%ld same, %ld differ, %ld refused by both, %ld only by libpcap, %ld only by tcpinspect\n",
	       same, differ, both, only_pcap, only_ours);
	return differ || only_pcap || only_ours;
}
