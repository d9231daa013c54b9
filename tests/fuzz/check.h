/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/fuzz/check.h - what every libFuzzer harness here shares: check()
 * prints what broke ("fuzz_NAME: file:line: what (not condition)") and
 * aborts, so that libFuzzer saves the input as a crash; and a small ASan
 * quarantine, since every run makes fresh copies of its input.  Define
 * FUZZ_NAME before including it.
 */
#ifndef TCPINSPECT_FUZZ_CHECK_H
#define TCPINSPECT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define check(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, FUZZ_NAME ": %s:%d: ", __FILE__,	\
				__LINE__);				\
			fprintf(stderr, __VA_ARGS__);			\
			fprintf(stderr, " (not %s)\n", #cond);		\
			abort();					\
		}							\
	} while (0)

const char *__asan_default_options(void)
{
	/* A small quarantine still finds use after free without faulting
	 * in 256 MB. */
	return "quarantine_size_mb=16";
}

#endif
