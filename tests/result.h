/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/result.h - one result line per case in tests/run's protocol:
 * "ok NAME" or "not ok NAME: why"; a failure sets failed, which the test
 * returns as its exit status.  Header-only: each test is one file.
 */
#ifndef TCPINSPECT_TEST_RESULT_H
#define TCPINSPECT_TEST_RESULT_H

#include <stdarg.h>
#include <stdio.h>

static int failed;

__attribute__((format(printf, 3, 4), unused))
static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	printf("not ok %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = 1;
}

#endif
