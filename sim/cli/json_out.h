/*
 * A small streaming JSON writer for machine-readable reports: indented,
 * deterministic, integers printed exactly (64-bit values may exceed 2^53;
 * consumers should parse them as 64-bit integers).
 */
#ifndef SIM_CLI_JSON_OUT_H
#define SIM_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_MAX_DEPTH 16

struct json_out {
	FILE *f;
	unsigned depth;
	bool need_comma[JSON_OUT_MAX_DEPTH];
	bool after_key;
};

void json_out_init(struct json_out *j, FILE *f);
void json_out_begin_object(struct json_out *j);
void json_out_end_object(struct json_out *j);
void json_out_begin_array(struct json_out *j);
void json_out_end_array(struct json_out *j);
void json_out_key(struct json_out *j, const char *key);
void json_out_str(struct json_out *j, const char *s);
void json_out_u64(struct json_out *j, uint64_t v);
void json_out_i64(struct json_out *j, int64_t v);
void json_out_bool(struct json_out *j, bool v);
void json_out_null(struct json_out *j);
/* v / 10^decimals printed exactly as a JSON number, e.g. (-333333333, 3) -> -333333.333. */
void json_out_fixed(struct json_out *j, int64_t v, unsigned decimals);
/* The same for an unsigned value (times and durations in ps reach 2^64 - 1). */
void json_out_ufixed(struct json_out *j, uint64_t v, unsigned decimals);

#endif
