/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/fuzz/fuzz.h - what the harnesses of tls.c, httpsum.c and
 * print.c share: check(), which prints what broke and aborts (libFuzzer
 * then saves the input as a crash), and copy(), an allocation of exactly
 * the bytes given (AddressSanitizer reports any access past it).  Define
 * FUZZ_NAME, the harness's name, before including it.
 */
#ifndef TCPINSPECT_TESTS_FUZZ_H
#define TCPINSPECT_TESTS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define check(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, FUZZ_NAME ": %s:%d: ",		\
				__FILE__, __LINE__);			\
			fprintf(stderr, __VA_ARGS__);			\
			fprintf(stderr, " (not %s)\n", #cond);		\
			abort();					\
		}							\
	} while (0)

static inline void *copy(const void *s, size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

#endif
