/*
 * The scenario format's keys, as the loader's field tables hold them: one
 * visit per (table, key) row, in table order.  Tests use it to check that
 * docs/scenario-format.md documents exactly these keys with these defaults.
 */
#ifndef SIM_SCENARIO_SCHEMA_H
#define SIM_SCENARIO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct scn_schema_key {
	const char *table;        /* the docs section: "vm", "sockets", "checks", ... */
	const char *key;          /* "entry_latency" */
	const char *type;         /* "duration", "boolean", ... (for docs) */
	const char *dflt;         /* the default in the file's syntax ("20us"), or NULL */
	bool required;
	bool is_string;           /* the default is written as a JSON string */
};

void scenario_schema_visit(void (*visit)(const struct scn_schema_key *k, void *ctx), void *ctx);

/*
 * The scenario format as a JSON Schema (draft 2020-12), written from the same
 * tables (schema_json.c): docs/scenario.schema.json.  Returns malloc'd text,
 * or NULL with the reason in err (a table row it cannot describe).
 */
char *scenario_schema_json(char *err, size_t errlen);

#endif
