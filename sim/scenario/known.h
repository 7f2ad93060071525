/*
 * Known-deviation files (sim/devices/known/<peer>.json, docs/qtest.md
 * "Known-deviation files"): for `sim diff`, the differences between sim's
 * models and a peer's that are already explained, each with a pattern that
 * recognises it and the datasheet citation.  This reader only checks the
 * file's shape and returns plain strings; sim/diff compiles the patterns.
 */
#ifndef SIM_SCENARIO_KNOWN_H
#define SIM_SCENARIO_KNOWN_H

#include <stdbool.h>

#include "sim/core/diag.h"

#define KNOWN_FORMAT_VERSION 1
#define KNOWN_MAX_ENTRIES 256

/* The match keys, in file order: X(field, "key"). */
#define KNOWN_MATCH_KEYS(X) \
	X(command, "command")   \
	X(previous, "previous") \
	X(after, "after")       \
	X(sim, "sim")           \
	X(peer, "peer")

enum known_match_key {
#define KNOWN_KEY_ENUM(f, k) KNOWN_MATCH_##f,
	KNOWN_MATCH_KEYS(KNOWN_KEY_ENUM)
#undef KNOWN_KEY_ENUM
	KNOWN_MATCH_COUNT
};

struct known_entry {
	char *id;                     /* "R7" */
	char *kind;                   /* "deviation", "model-choice", "timing", "protocol" */
	char *summary;
	char *citation;
	char *match[KNOWN_MATCH_COUNT];      /* POSIX extended regexes; NULL: any (command required) */
	unsigned line[KNOWN_MATCH_COUNT];    /* where each pattern is in the file, for errors */
	unsigned col[KNOWN_MATCH_COUNT];
};

struct known_file {
	char *peer;                   /* "qemu-7.2" */
	struct known_entry *entries;
	unsigned n;
	unsigned cap;                 /* entries allocated */
};

/* The key's name ("command", ...). */
const char *known_match_key_name(enum known_match_key k);

/* Reads and checks path; false with err (file, line, col, JSON pointer) on any error. */
bool known_load(const char *path, struct known_file *kf, struct sim_diag *err);

void known_free(struct known_file *kf);

#endif
