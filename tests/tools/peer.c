// SPDX-License-Identifier: GPL-2.0
/*
 * peer - both ends of one real TCP connection for the tests.
 *
 *   peer listen ADDR PORT [PAUSE_MS [RCVBUF]]
 *        accept one connection, read to EOF; with PAUSE_MS, read nothing
 *        for that long first (with a small RCVBUF the window closes)
 *   peer connect ADDR PORT BYTES [IDLE_MS]
 *        connect, send BYTES bytes, close; with IDLE_MS, send the first
 *        byte, then nothing for that long with keep-alives every second
 *
 * ADDR is IPv4 or IPv6.  Everything is bounded by a 10 s alarm, so a test
 * can never hang on us.  "listen" prints "ready" once it listens.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

static int addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		return sizeof(*a6);
	}
	fprintf(stderr, "peer: bad address %s\n", host);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char buf[4096];
	long left;
	int fd, c, one = 1;
	socklen_t len;
	ssize_t n;

	alarm(10);
	if (argc < 4 || (strcmp(argv[1], "listen") && strcmp(argv[1], "connect"))) {
		fprintf(stderr, "usage: peer listen ADDR PORT [PAUSE_MS [RCVBUF]] | "
			"peer connect ADDR PORT BYTES [IDLE_MS]\n");
		return 2;
	}
	len = addr(argv[2], argv[3], &ss);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return perror("socket"), 1;
	if (!strcmp(argv[1], "listen")) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (argc > 5) {
			int rb = atoi(argv[5]);

			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
		}
		if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1))
			return perror("bind/listen"), 1;
		printf("ready\n");
		fflush(stdout);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return perror("accept"), 1;
		if (argc > 4)
			sleep_ms(atol(argv[4]));
		while ((n = read(c, buf, sizeof(buf))) > 0)
			;
		close(c);
		return n < 0;
	}
	if (argc < 5)
		return 2;
	if (connect(fd, (struct sockaddr *)&ss, len))
		return perror("connect"), 1;
	memset(buf, 'x', sizeof(buf));
	left = atol(argv[4]);
	if (argc > 5 && left > 0) {
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &one, sizeof(one));
		if (write(fd, buf, 1) != 1)
			return perror("write"), 1;
		left--;
		sleep_ms(atol(argv[5]));
	}
	for (; left > 0; left -= n) {
		n = write(fd, buf, left < (long)sizeof(buf) ? left : (long)sizeof(buf));
		if (n <= 0)
			return perror("write"), 1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return 0;
}
