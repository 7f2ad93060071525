/*
 * A small streaming JSON writer for machine-readable reports and traces:
 * deterministic, indented or compact (one top-level value per line, for JSON
 * Lines).  Numbers are integers only.  One whose magnitude is above 2^53 is
 * written as a decimal string ("18446744073709551615"), because a JSON reader
 * that keeps numbers as doubles would round it (docs/report-format.md).
 */
#ifndef SIM_CLI_JSON_OUT_H
#define SIM_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_MAX_DEPTH 16

struct json_out {
	FILE *f;
	bool compact;             /* no spaces or line breaks inside a top-level value */
	unsigned depth;
	bool need_comma[JSON_OUT_MAX_DEPTH];
	bool after_key;
};

void json_out_init(struct json_out *j, FILE *f);
void json_out_init_compact(struct json_out *j, FILE *f);
void json_out_begin_object(struct json_out *j);
void json_out_end_object(struct json_out *j);
void json_out_begin_array(struct json_out *j);
void json_out_end_array(struct json_out *j);
void json_out_key(struct json_out *j, const char *key);
void json_out_str(struct json_out *j, const char *s);
/* Integers: a number up to 2^53 in magnitude, a decimal string above. */
void json_out_u64(struct json_out *j, uint64_t v);
void json_out_i64(struct json_out *j, int64_t v);
void json_out_bool(struct json_out *j, bool v);
void json_out_null(struct json_out *j);

/* A key and its value, the pair every object member is. */
static inline void json_out_key_u64(struct json_out *j, const char *key, uint64_t v)
{
	json_out_key(j, key);
	json_out_u64(j, v);
}

static inline void json_out_key_i64(struct json_out *j, const char *key, int64_t v)
{
	json_out_key(j, key);
	json_out_i64(j, v);
}

static inline void json_out_key_str(struct json_out *j, const char *key, const char *v)
{
	json_out_key(j, key);
	json_out_str(j, v);
}

static inline void json_out_key_bool(struct json_out *j, const char *key, bool v)
{
	json_out_key(j, key);
	json_out_bool(j, v);
}

#endif
