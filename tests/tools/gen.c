// SPDX-License-Identifier: GPL-2.0
/*
 * gen - the benchmark's traffic generator.  Sends COUNT Ethernet/IPv4/TCP
 * frames (valid checksums, FLOWS source ports in turn, SYN or ACK with a
 * payload) out of IFACE, at full speed or at RATE frames per second.
 *
 * Two ways out, the fastest the kernel has:
 *  - live: tests/objs/gen_xdp.c run by BPF_PROG_TEST_RUN with
 *    BPF_F_TEST_XDP_LIVE_FRAMES (kernel >= 5.18), which rewrites the port
 *    and transmits each frame with XDP_TX.  On a veth the peer drops
 *    these silently unless it has an XDP program or GRO on.
 *  - packet: an AF_PACKET socket with PACKET_QDISC_BYPASS and sendmmsg.
 *
 * Prints one line: sent=N secs=T pps=R how=live|packet.  A rate is kept
 * by sending in batches of 5 ms of traffic (see batch_len) and sleeping
 * to the schedule (absolute times, so sleeping late does not slow the average).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include "bpf.h"
#include "loader.h"
#include "../wire.h"

#ifndef ENOTSUPP
#define ENOTSUPP	524	/* the kernel's, not in userspace headers */
#endif

#define FRAME_MAX	1514
#define MMSG_CNT	64

struct gen {
	const char *iface, *obj, *how;
	int ifindex;
	unsigned long long count, rate;
	double max_secs;
	__u32 flows;
	__u16 sport;
	int syn, payload;
	__u8 smac[6], dmac[6], have_smac;
	struct in_addr src, dst;
	__u8 frame[FRAME_MAX];
	size_t frame_len;
};

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static void sleep_until(__u64 ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

/* The frame for the first flow; the others differ in the source port. */
static void build(struct gen *g)
{
	struct ethhdr *eth = (void *)g->frame;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	__u8 *opt = (__u8 *)(th + 1);
	int opt_len = g->syn ? 4 : 0, data_len = g->syn ? 0 : g->payload;
	__u32 s;
	int i;

	memset(g->frame, 0, sizeof(g->frame));
	memcpy(eth->h_dest, g->dmac, 6);
	memcpy(eth->h_source, g->smac, 6);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*th) + opt_len + data_len);
	ip->frag_off = htons(0x4000);	/* DF */
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = g->src.s_addr;
	ip->daddr = g->dst.s_addr;
	ip->check = htons(csum_fold(csum_add(ip, sizeof(*ip), 0)));
	th->source = htons(g->sport);
	th->dest = htons(80);
	th->seq = htonl(1000);
	th->doff = (sizeof(*th) + opt_len) / 4;
	th->window = htons(64240);
	if (g->syn) {
		th->syn = 1;
		opt[0] = 2, opt[1] = 4, opt[2] = 1460 >> 8, opt[3] = 1460 & 0xff;
	} else {
		th->ack = 1;
		th->psh = 1;
		th->ack_seq = htonl(1);
		for (i = 0; i < data_len; i++)
			opt[i] = 'a' + i % 26;
	}
	/* pseudo header, then the segment */
	s = csum_add(&ip->saddr, 8, IPPROTO_TCP + sizeof(*th) + opt_len + data_len);
	th->check = htons(csum_fold(csum_add(th, sizeof(*th) + opt_len + data_len, s)));
	g->frame_len = sizeof(*eth) + sizeof(*ip) + sizeof(*th) + opt_len + data_len;
	if (g->frame_len < 60)
		g->frame_len = 60;	/* Ethernet minimum, zero padded */
}

/*
 * Frames per batch: 5 ms of traffic at the rate, 64 Ki flat out.  Each
 * live-frames run costs about 0.5 ms of set-up (a page pool), so smaller
 * batches could not keep a rate of a few Mpps.
 */
static __u32 batch_len(const struct gen *g)
{
	unsigned long long b = g->rate ? g->rate / 200 : 65536;

	return b < 1 ? 1 : b > 65536 ? 65536 : b;
}

static int obj_read(const char *path, void **buf, size_t *len)
{
	static __u8 data[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	*buf = data;
	*len = n;
	return 0;
}

/* Send through the live-frames test run; frames sent, or -errno. */
static long long send_live(struct gen *g, __u64 *t0)
{
	static struct ld_obj o;
	struct xdp_md ctx = { .ingress_ifindex = g->ifindex };
	struct bpf_test_run t = {
		.data_in = g->frame, .data_len_in = g->frame_len,
		.ctx_in = &ctx, .ctx_len_in = sizeof(ctx),
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	};
	unsigned long long sent = 0;
	__u64 deadline;
	char err[4096];
	size_t len = 0;
	void *buf = NULL;
	int ret;

	ctx.data_end = g->frame_len;
	ret = obj_read(g->obj, &buf, &len);
	if (ret) {
		fprintf(stderr, "gen: %s: %s\n", g->obj, strerror(-ret));
		return -ENOEXEC;	/* our program is broken: no fallback */
	}
	if ((ret = ld_parse(&o, buf, len, err, sizeof(err))) ||
	    (ret = ld_set_var(&o, "gen_flows", &g->flows, 4, err, sizeof(err))) ||
	    (ret = ld_set_var(&o, "gen_sport", &g->sport, 2, err, sizeof(err))) ||
	    (ret = ld_load(&o, err, sizeof(err)))) {
		fprintf(stderr, "gen: %s: %s\n", g->obj, err);
		return -ENOEXEC;
	}
	*t0 = now_ns();
	deadline = *t0 + g->max_secs * 1e9;
	while (sent < g->count) {
		t.repeat = batch_len(g);
		if (t.repeat > g->count - sent)
			t.repeat = g->count - sent;
		if (bpf_prog_test_run(o.prog_fds[0], &t)) {
			ret = -errno;
			if (!sent)
				fprintf(stderr, "gen: live frames on %s: %s\n",
					g->iface, strerror(-ret));
			ld_close(&o);
			return sent ? (long long)sent : ret;
		}
		sent += t.repeat;
		if (g->rate)
			sleep_until(*t0 + sent * 1000000000ull / g->rate);
		if (now_ns() > deadline)
			break;
	}
	ld_close(&o);
	return sent;
}

/* Send with AF_PACKET and sendmmsg; frames sent, or -errno. */
static long long send_packet(struct gen *g, __u64 *t0)
{
	static __u8 frames[MMSG_CNT][FRAME_MAX];
	struct mmsghdr m[MMSG_CNT];
	struct iovec iov[MMSG_CNT];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_ifindex = g->ifindex,
		.sll_protocol = htons(ETH_P_IP),
	};
	struct tcphdr *th0 = (void *)(g->frame + sizeof(struct ethhdr) +
				      sizeof(struct iphdr));
	unsigned long long sent = 0, n;
	__u64 deadline;
	int fd, one = 1, i, k;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "gen: AF_PACKET on %s: %s\n", g->iface, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	memset(m, 0, sizeof(m));
	for (i = 0; i < MMSG_CNT; i++) {
		memcpy(frames[i], g->frame, g->frame_len);
		iov[i].iov_base = frames[i];
		iov[i].iov_len = g->frame_len;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	*t0 = now_ns();
	deadline = *t0 + g->max_secs * 1e9;
	while (sent < g->count && now_ns() < deadline) {
		n = batch_len(g);
		if (n > MMSG_CNT)
			n = MMSG_CNT;
		if (n > g->count - sent)
			n = g->count - sent;
		for (i = 0; i < (int)n; i++) {
			struct tcphdr *th = (void *)(frames[i] + ((__u8 *)th0 - g->frame));
			__u16 port = htons(g->sport + (sent + i) % g->flows);

			th->check = csum_replace(th0->check, th0->source, port);
			th->source = port;
		}
		k = sendmmsg(fd, m, n, 0);
		if (k < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "gen: sendmmsg on %s: %s\n", g->iface, strerror(errno));
			break;
		}
		sent += k;
		if (g->rate)
			sleep_until(*t0 + sent * 1000000000ull / g->rate);
	}
	close(fd);
	return sent;
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

static int iface_mac(const char *name, __u8 *mac)
{
	struct ifreq r;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	ret = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &r);
	if (fd >= 0)
		close(fd);
	if (!ret)
		memcpy(mac, r.ifr_hwaddr.sa_data, 6);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen -i IFACE [-n COUNT] [-r PPS] [-f FLOWS] [--syn | -p BYTES]\n"
		"           [--dmac MAC] [--smac MAC] [--src IP] [--dst IP]\n"
		"           [--how live|packet] [-t MAX_SECONDS] [-o GEN_XDP_OBJ]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "syn", no_argument, NULL, 'S' },
		{ "dmac", required_argument, NULL, 'D' },
		{ "smac", required_argument, NULL, 'M' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "how", required_argument, NULL, 'H' },
		{ 0 }
	};
	static struct gen g = {
		.count = 1000000, .flows = 256, .sport = 10000, .payload = 64,
		.max_secs = 120, .dmac = { 2, 0, 0, 0, 0, 2 },
	};
	static char obj[PATH_MAX];
	long long sent;
	__u64 t0 = 0, t1;
	double secs;
	char *p;
	int c;

	inet_pton(AF_INET, "10.77.0.1", &g.src);
	inet_pton(AF_INET, "10.77.0.200", &g.dst);
	while ((c = getopt_long(argc, argv, "i:n:r:f:p:t:o:", lo, NULL)) != -1) {
		switch (c) {
		case 'i': g.iface = optarg; break;
		case 'n': g.count = strtoull(optarg, NULL, 0); break;
		case 'r': g.rate = strtoull(optarg, NULL, 0); break;
		case 'f': g.flows = strtoul(optarg, NULL, 0); break;
		case 'p': g.payload = atoi(optarg); break;
		case 't': g.max_secs = atof(optarg); break;
		case 'o': g.obj = optarg; break;
		case 'S': g.syn = 1; break;
		case 'H': g.how = optarg; break;
		case 'D': if (parse_mac(optarg, g.dmac)) usage(); break;
		case 'M': if (parse_mac(optarg, g.smac)) usage(); g.have_smac = 1; break;
		case 's': if (inet_pton(AF_INET, optarg, &g.src) != 1) usage(); break;
		case 'd': if (inet_pton(AF_INET, optarg, &g.dst) != 1) usage(); break;
		default: usage();
		}
	}
	if (!g.iface || optind != argc || !g.flows || g.flows > 65536 - g.sport ||
	    g.payload < 0 || g.payload > 1400 || g.max_secs <= 0 ||
	    (g.how && strcmp(g.how, "live") && strcmp(g.how, "packet")))
		usage();
	g.ifindex = if_nametoindex(g.iface);
	if (!g.ifindex) {
		fprintf(stderr, "gen: no interface %s\n", g.iface);
		return 1;
	}
	if (!g.have_smac && iface_mac(g.iface, g.smac)) {
		fprintf(stderr, "gen: cannot read the MAC of %s: %s\n", g.iface, strerror(errno));
		return 1;
	}
	if (!g.obj) {	/* beside the binary */
		ssize_t n = readlink("/proc/self/exe", obj, sizeof(obj) - 16);

		if (n < 0)
			n = 0;
		obj[n] = 0;
		p = strrchr(obj, '/');
		strcpy(p ? p + 1 : obj, "gen_xdp.o");
		g.obj = obj;
	}
	build(&g);
	sent = -EOPNOTSUPP;
	if (!g.how || !strcmp(g.how, "live")) {
		g.how = "live";
		sent = send_live(&g, &t0);
	}
	if (sent < 0 && (sent == -EOPNOTSUPP || sent == -EINVAL || sent == -ENOTSUPP ||
			 !strcmp(g.how, "packet"))) {
		if (strcmp(g.how, "packet"))
			fprintf(stderr, "gen: no live frames here, using AF_PACKET\n");
		g.how = "packet";
		sent = send_packet(&g, &t0);
	}
	t1 = now_ns();
	if (sent < 0)
		return 1;
	secs = (t1 - t0) / 1e9;
	printf("sent=%lld secs=%.3f pps=%.0f how=%s\n", sent, secs,
	       secs > 0 ? sent / secs : 0, g.how);
	return sent == (long long)g.count ? 0 : 1;
}
