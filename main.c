// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcpinspect's entry: descriptors 0-2 made safe, the command
 * line parsed (opts.c), the command run (one file each, cmd.h), and
 * the message helpers every command uses.
 *
 * Exit status: 0 done, 1 runtime failure (privilege, kernel, attach,
 * output), 2 bad command line, interface or file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cmd.h"
#include "session.h"

#ifndef VERSION
#define VERSION "dev"
#endif

static int (*const commands[CMD_CNT])(struct opts *o) = {
	[CMD_CAPTURE] = cmd_capture,
	[CMD_FLOWS] = cmd_flows,
	[CMD_REPLAY] = cmd_replay,
	[CMD_LOAD] = cmd_load,
	[CMD_UNLOAD] = cmd_unload,
	[CMD_SHOW] = cmd_show,
	[CMD_PROBE] = cmd_probe,
	[CMD_SERVE] = cmd_serve,
	[CMD_TRACE] = cmd_trace,
};

void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("tcpinspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void log_line(void *arg, const char *line)
{
	msg("%s", line);
}

/*
 * Started with 0, 1 or 2 closed (an init script's `>&-`), the first BPF
 * map or socket would take that number, and the output meant for stdout
 * would go into it.  /dev/null in their place, before anything else.
 * 0, or -1 if that is impossible.
 */
static int stdio_safe(void)
{
	int fd;

	for (;;) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return fcntl(2, F_GETFD) < 0 ? -1 : 0;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	char err[512];
	int ret;

	if (stdio_safe())
		return EXIT_RUNTIME;
	ret = opts_parse(argc, argv, &o, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		ret = ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	} else if (o.version) {
		printf("tcpinspect %s\n", VERSION);
	} else if (o.help) {
		opts_help(stdout, o.help - 1);
	} else {
		ret = commands[o.cmd](&o);
	}
	free(o.filter);
	return ret;
}
