/*
 * Text files in fresh temporary directories, for a test program: slot s
 * holds one file at a time, its path static storage.  temp_files_remove() is
 * the suite's .fini (each Criterion test runs in its own process, so each
 * removes what it wrote).
 */
#ifndef SIM_TESTS_TEMP_FILES_H
#define SIM_TESTS_TEMP_FILES_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TEMP_FILES_SLOTS 4

static char temp_dirs[TEMP_FILES_SLOTS][64], temp_paths[TEMP_FILES_SLOTS][128];

static inline void temp_files_remove(void)
{
	for (unsigned i = 0; i < TEMP_FILES_SLOTS; i++) {
		if (temp_paths[i][0])
			remove(temp_paths[i]);
		if (temp_dirs[i][0])
			rmdir(temp_dirs[i]);
	}
}

/* text as `name` in slot's directory (made on first use); returns its path. */
static inline const char *temp_file_write(unsigned slot, const char *name, const char *text)
{
	FILE *f;

	cr_assert_lt(slot, TEMP_FILES_SLOTS);
	if (!temp_dirs[slot][0]) {
		snprintf(temp_dirs[slot], sizeof(temp_dirs[slot]), "/tmp/sim-test-XXXXXX");
		cr_assert(mkdtemp(temp_dirs[slot]));
	}
	if (temp_paths[slot][0])
		remove(temp_paths[slot]);
	snprintf(temp_paths[slot], sizeof(temp_paths[slot]), "%s/%s", temp_dirs[slot], name);
	f = fopen(temp_paths[slot], "w");
	cr_assert(f, "cannot write %s", temp_paths[slot]);
	fputs(text, f);
	fclose(f);
	return temp_paths[slot];
}

#endif
