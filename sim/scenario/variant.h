/*
 * Scenario variants for sweeps (docs/sweeps.md): a scenario's JSON text with
 * some values replaced, and the canonical form of a JSON document that a
 * variant's job id is hashed from.  JSON is edited here because only
 * sim/scenario includes cJSON.
 */
#ifndef SIM_SCENARIO_VARIANT_H
#define SIM_SCENARIO_VARIANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"

/* One edit: the value at pointer (RFC 6901) becomes the compact JSON text json. */
struct scn_override {
	const char *pointer;
	const char *json;
};

/*
 * Reads file whole (at most the loader's size limit), NUL-terminated;
 * NULL with err naming the file.  Free with free().
 */
char *scenario_read_text(const char *file, size_t *len, struct sim_diag *err);

/*
 * buf[0..len) with the edits applied in order, spliced into the text so that
 * every line of the file keeps its number (the loader's errors then point
 * into the base file): a value that exists is replaced; a missing key of an
 * existing object is added at the object's start.  NULL with err (file and
 * pointer) when a pointer's parent does not exist, is not an object, or names
 * an array element past the end.  Free with free().
 */
char *scenario_variant_text(const char *file, const char *buf, size_t len,
			    const struct scn_override *ov, unsigned n, size_t *out_len,
			    struct sim_diag *err);

/*
 * The canonical form of the JSON text buf[0..len): no whitespace, every
 * object's keys in byte order, numbers and strings as cJSON prints them.
 * Two texts that differ only in layout or key order give the same bytes.
 * NULL when buf is not JSON or memory is short.  Free with free().
 */
char *scenario_canonical_json(const char *buf, size_t len);

/*
 * Whether text is one JSON value (for values given on a command line); when
 * it is, *compact gets its compact form (free with free()).
 */
bool scenario_json_value(const char *text, char **compact);

/*
 * The non-negative integer at pointer in the JSON text buf[0..len), when
 * there is one (up to 2^53); false otherwise.
 */
bool scenario_text_u64(const char *buf, size_t len, const char *pointer, uint64_t *out);

/* A string as a JSON string literal ("1ms" -> "\"1ms\""); NULL when out of memory. */
char *scenario_json_string(const char *text);

#endif
