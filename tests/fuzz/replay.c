/*
 * Replays inputs through a fuzz target without libFuzzer: every regular file
 * named on the command line, or found directly inside a directory named there,
 * goes to LLVMFuzzerTestOneInput() once, in name order.  A broken invariant
 * aborts (the file was named first on stderr); sanitizers report as usual.
 * `meson test` runs it on tests/fuzz/regressions/<target>/ and the seed corpus.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* an exact-size copy, so that AddressSanitizer sees a read past the end */
	uint8_t *exact = malloc(len ? len : 1);

	if (!exact) {
		free(buf);
		return 1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, unsigned *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int st = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;             /* ., .., .gitkeep */
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn) {
				st = 1;
				break;
			}
			names = nn;
			cap = cap ? cap * 2 : 64;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;

		names[n] = malloc(len);
		if (!names[n]) {
			st = 1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;

		if (st == 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
			st = replay_file(names[i]);
			++*count;
		}
		free(names[i]);
	}
	free(names);
	return st;
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;
		int st;

		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
			return 1;
		}
		if (S_ISDIR(sb.st_mode)) {
			st = replay_dir(argv[i], &count);
		} else {
			st = replay_file(argv[i]);
			count++;
		}
		if (st)
			return st;
	}
	printf("replay: %u inputs, no finding\n", count);
	return 0;
}
