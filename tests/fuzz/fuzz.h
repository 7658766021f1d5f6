/*
 * fuzz.h — what every fuzz target shares.
 *
 * A target is one LLVMFuzzerTestOneInput: it feeds the bytes to one decoder
 * of untrusted input and checks what must hold whatever the bytes (what
 * decodes re-encodes to something that decodes to the same; output is
 * valid UTF-8...). The same file builds two ways (tests/fuzz/local.mk):
 * with clang's libFuzzer for `make fuzz`, and with replay.c's main, which
 * feeds it every file of its seed corpus, for `make check`.
 */
#ifndef HANDOFF_TEST_FUZZ_H
#define HANDOFF_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that failed is a crash: abort, so libFuzzer keeps the input
 * and the replay fails. */
#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #cond); \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* The input as a NUL-terminated string (a NUL inside ends it early, as it
 * would for the C code that reads it). Caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

#endif
