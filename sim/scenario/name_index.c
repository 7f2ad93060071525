#include "sim/scenario/name_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool name_index_init(struct name_index *ix, unsigned n)
{
	unsigned cap = 16;

	while (cap < 2u * n)
		cap *= 2;
	ix->names = calloc(cap, sizeof(*ix->names));
	ix->index = calloc(cap, sizeof(*ix->index));
	ix->cap = cap;
	if (ix->names && ix->index)
		return true;
	name_index_free(ix);
	return false;
}

void name_index_free(struct name_index *ix)
{
	free(ix->names);
	free(ix->index);
	*ix = (struct name_index){ 0 };
}

/* FNV-1a: names are short, and any spread will do. */
static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

long name_index_add(struct name_index *ix, const char *name, unsigned idx)
{
	unsigned mask = ix->cap - 1, i = hash(name) & mask;

	for (; ix->names[i]; i = (i + 1) & mask)
		if (strcmp(ix->names[i], name) == 0)
			return (long)ix->index[i];
	ix->names[i] = name;
	ix->index[i] = idx;
	return -1;
}
