/*
 * What every fuzz target shares.  Each tests/fuzz/fuzz_<target>.c defines
 * LLVMFuzzerTestOneInput() and nothing else that a driver needs: linked with
 * -fsanitize=fuzzer it is a libFuzzer target, linked with replay.c it replays
 * files (the regression inputs) in a normal build, compiler-independent.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant of the code under test.  A broken one aborts: libFuzzer saves
 * the input as a crash, the replay driver exits non-zero naming the file.
 */
#define FUZZ_ASSERT(cond)                                                             \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,    \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

#endif
