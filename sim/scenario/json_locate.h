/*
 * Where a JSON value sits in its source text.  cJSON nodes carry no
 * positions, so the loader names a value by its JSON pointer (RFC 6901:
 * "/hosts/1/tsc", "~1" for '/', "~0" for '~') and this small scanner finds
 * it again in the text.  It understands strings, nesting and commas only; on
 * malformed text it may fail to find a value but never reads past len.
 */
#ifndef SIM_SCENARIO_JSON_LOCATE_H
#define SIM_SCENARIO_JSON_LOCATE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Byte offset in buf of the first character of the value at pointer ("" is
 * the whole document).  With duplicate keys, the first one is found, as
 * cJSON does.  False when there is no such value.
 */
bool json_locate(const char *buf, size_t len, const char *pointer, size_t *off);

/*
 * Byte offset of the opening quote of the key that the last token of pointer
 * names, taking its nth occurrence in that object (0 = first).  False when
 * the pointer's parent is not an object or has no such key.
 */
bool json_locate_key(const char *buf, size_t len, const char *pointer, unsigned nth,
		     size_t *off);

/* 1-based line and byte column of buf[off] (off may equal len). */
void json_line_col(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col);

/*
 * The same, counting on from the last position asked for when off is not
 * before it, so that positions asked in text order cost one pass over the
 * text in all.  A zeroed cache is empty.
 */
struct json_line_cache {
	size_t off;
	unsigned line, col;
};
void json_line_col_cached(const char *buf, size_t len, struct json_line_cache *c, size_t off,
			  unsigned *line, unsigned *col);

/*
 * Limits checked on the raw text before it is parsed, so that neither the
 * parser's memory nor its recursion grows past them: how deep arrays and
 * objects nest, and how many values (each element and member value counts,
 * keys do not) the document holds.  Returns JSON_SCAN_OK, or the first limit
 * passed with *off at the bracket or value that passes it.  Malformed text is
 * left to the parser: the scan only counts.
 */
enum json_scan {
	JSON_SCAN_OK,
	JSON_SCAN_TOO_DEEP,
	JSON_SCAN_TOO_MANY_VALUES,
};
enum json_scan json_scan_limits(const char *buf, size_t len, unsigned max_depth,
				size_t max_values, size_t *off);

/*
 * Positions of every value of a parsed document, found in one pass over its
 * text, so that an error's line:column costs a lookup rather than a rescan of
 * the file.  Keyed by the cJSON node (cJSON keeps no positions).
 */
struct json_slot;
struct json_index {
	struct json_slot *slots;
	size_t mask;                  /* slots - 1; the table is a power of two */
};

/*
 * Indexes root, parsed from buf[0..len).  False when out of memory; the
 * index is then empty (lookups fail) and still safe to free.
 */
bool json_index_build(struct json_index *ix, const char *buf, size_t len, const cJSON *root);
void json_index_free(struct json_index *ix);

/* Offset of node's first character; of its key's opening quote when it is an object member. */
bool json_index_value(const struct json_index *ix, const cJSON *node, size_t *off);
bool json_index_key(const struct json_index *ix, const cJSON *node, size_t *off);

/*
 * The node at pointer under root, or NULL.  With nth > 0 the pointer's last
 * token names the nth occurrence (0 = first) of a key that occurs more than
 * once in its object.
 */
const cJSON *json_pointer_node(const cJSON *root, const char *pointer, unsigned nth);

#endif
