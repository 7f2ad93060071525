/*
 * Which names a list already holds, in O(1) per lookup: the loader checks
 * each reader's name against all before it, and a scenario may have 65536.
 * Open addressing over (name, index) pairs; only membership is asked, so
 * the table's order never reaches any output.
 */
#ifndef SIM_SCENARIO_NAME_INDEX_H
#define SIM_SCENARIO_NAME_INDEX_H

#include <stdbool.h>

struct name_index {
	const char **names;               /* borrowed: they must outlive the index */
	unsigned *index;
	unsigned cap;                     /* a power of two, at least twice the names */
};

/* Room for n names; false when out of memory. */
bool name_index_init(struct name_index *ix, unsigned n);
void name_index_free(struct name_index *ix);

/* The index name was added with, or -1 after adding it with idx. */
long name_index_add(struct name_index *ix, const char *name, unsigned idx);

#endif
