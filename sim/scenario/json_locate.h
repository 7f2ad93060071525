/*
 * Where a JSON value sits in its source text.  cJSON nodes carry no
 * positions, so the loader names a value by its JSON pointer (RFC 6901:
 * "/hosts/1/tsc", "~1" for '/', "~0" for '~') and this small scanner finds
 * it again in the text.  It understands strings, nesting and commas only; on
 * malformed text it may fail to find a value but never reads past len.
 */
#ifndef SIM_SCENARIO_JSON_LOCATE_H
#define SIM_SCENARIO_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
