// SPDX-License-Identifier: GPL-2.0
/*
 * relay - a wire with faults, for the TCP health tests on kernels
 * without netem: frames read on one interface (AF_PACKET) are written
 * out of the other, both ways, after a delay, some TCP segments dropped
 * or held back.
 *
 *   relay [OPTIONS] IF_A IF_B
 *     --delay MS       hold every frame MS milliseconds (each way)
 *     --drop N         drop the Nth TCP segment with data from A to B
 *                      (1 = the first; may be repeated)
 *     --drop-back N    the same from B to A
 *     --hold N         send the Nth data segment A->B after the next one
 *                      (reordering)
 *     --drop-ack N     drop the Nth pure ACK from B to A
 *     --timeout S      exit after S seconds (default 20)
 *
 * Runs in a namespace of its own between two veth pairs; the interfaces
 * need no address.  Offloads on the ends must be off (ethtool -K ... tso
 * off gso off tx off): a frame is forwarded as read.  Ends at the
 * timeout or SIGTERM and prints "relayed N dropped N" on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define QMAX	4096
#define FMAX	9216
#define NMAX	16

struct frame {
	long long due;		/* ms */
	int out;		/* socket index */
	int len;
	unsigned char b[FMAX];
};

static struct frame q[QMAX];	/* a ring, in order of due time */
static int qhead, qlen;
static volatile sig_atomic_t stop;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int open_if(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd, one = 1;

	sll.sll_ifindex = if_nametoindex(name);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "relay: no interface %s\n", name);
		exit(2);
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("relay: AF_PACKET");
		exit(2);
	}
	/* PACKET_IGNORE_OUTGOING (4.20): not what we send ourselves */
	setsockopt(fd, SOL_PACKET, 23, &one, sizeof(one));
	return fd;
}

/*
 * What a frame is, for the fault rules: 1 a TCP segment with data,
 * 2 a TCP segment without (an ACK, SYN, FIN, RST), 0 anything else.
 */
static int kind(const unsigned char *b, int len)
{
	int l3 = 14, ihl, ip_len, l4, thl, proto;

	if (len < 14)
		return 0;
	if (b[12] == 0x08 && b[13] == 0x00) {
		if (len < l3 + 20)
			return 0;
		ihl = (b[l3] & 15) * 4;
		ip_len = b[l3 + 2] << 8 | b[l3 + 3];
		proto = b[l3 + 9];
		l4 = l3 + ihl;
	} else if (b[12] == 0x86 && b[13] == 0xdd) {
		if (len < l3 + 40)
			return 0;
		ip_len = 40 + (b[l3 + 4] << 8 | b[l3 + 5]);
		ihl = 40;
		proto = b[l3 + 6];
		l4 = l3 + 40;
	} else {
		return 0;
	}
	if (proto != 6 || len < l4 + 20)
		return 0;
	thl = (b[l4 + 12] >> 4) * 4;
	return ip_len - ihl - thl > 0 ? 1 : 2;
}

static int has(const int *list, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: relay [--delay MS] [--drop N] [--drop-back N] "
		"[--hold N] [--drop-ack N] [--timeout S] IF_A IF_B\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "delay", 1, 0, 'd' }, { "drop", 1, 0, 'x' },
		{ "drop-back", 1, 0, 'b' }, { "hold", 1, 0, 'h' },
		{ "drop-ack", 1, 0, 'a' }, { "timeout", 1, 0, 't' }, { 0 }
	};
	int drop[NMAX], ndrop = 0, back[NMAX], nback = 0, ack[NMAX], nack = 0;
	int delay = 0, hold = 0, timeout = 20, fd[2], c, i;
	long data_ab = 0, data_ba = 0, acks_ba = 0, relayed = 0, dropped = 0;
	struct frame held;
	int have_held = 0;
	long long end;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': delay = atoi(optarg); break;
		case 'x': if (ndrop < NMAX) drop[ndrop++] = atoi(optarg); break;
		case 'b': if (nback < NMAX) back[nback++] = atoi(optarg); break;
		case 'a': if (nack < NMAX) ack[nack++] = atoi(optarg); break;
		case 'h': hold = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || timeout <= 0 || timeout > 600)
		usage();
	fd[0] = open_if(argv[optind]);
	fd[1] = open_if(argv[optind + 1]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");
	fflush(stdout);
	end = now_ms() + timeout * 1000LL;
	while (!stop && now_ms() < end) {
		struct pollfd p[2] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 } };
		long long t = now_ms(), wait = end - t;

		/* out with what is due */
		while (qlen && q[qhead].due <= t) {
			struct frame *f = &q[qhead];

			if (send(fd[f->out], f->b, f->len, 0) == f->len)
				relayed++;
			qhead = (qhead + 1) % QMAX;
			qlen--;
		}
		if (qlen && q[qhead].due - t < wait)
			wait = q[qhead].due - t;
		if (poll(p, 2, wait > 0 ? (int)wait : 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("relay: poll");
			return 1;
		}
		for (i = 0; i < 2; i++) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			struct frame *f;
			int n, k;

			if (!(p[i].revents & POLLIN))
				continue;
			f = &q[(qhead + qlen) % QMAX];
			n = recvfrom(fd[i], f->b, FMAX, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);
			if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
				continue;
			k = kind(f->b, n);
			if (k == 1 && i == 0 && has(drop, ndrop, ++data_ab)) {
				dropped++;
				continue;
			}
			if (k == 1 && i == 1 && has(back, nback, ++data_ba)) {
				dropped++;
				continue;
			}
			if (k == 2 && i == 1 && has(ack, nack, ++acks_ba)) {
				dropped++;
				continue;
			}
			if (qlen == QMAX) {
				dropped++;
				continue;
			}
			f->len = n;
			f->out = !i;
			f->due = now_ms() + delay;
			if (k == 1 && i == 0 && hold && data_ab == hold) {
				held = *f;
				have_held = 1;
				continue;
			}
			qlen++;
			if (have_held && k == 1 && i == 0) {
				/* the held one goes right after this one */
				held.due = f->due;
				if (qlen < QMAX) {
					q[(qhead + qlen) % QMAX] = held;
					qlen++;
				}
				have_held = 0;
			}
		}
	}
	fprintf(stderr, "relayed %ld dropped %ld\n", relayed, dropped);
	return 0;
}
