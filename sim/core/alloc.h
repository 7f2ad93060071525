/*
 * Allocation helpers.  A zeroed array whose elements each start a cache
 * line: calloc() with an alignment, for the per-CPU and per-vCPU arrays a
 * read walks at random (sim/cpu-tsc/host.c, sim/kvm/kvm.c), so that an
 * element's hot fields are in the lines its layout puts them in.  And room
 * for one more element in an array that grows by doubling.
 */
#ifndef SIM_CORE_ALLOC_H
#define SIM_CORE_ALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * n elements of `size` bytes, zeroed, the first at a multiple of `align` (a
 * power of two that divides size, as _Alignas gives a struct), so every
 * element is.  NULL when out of memory or when n * size overflows.
 */
static inline void *sim_calloc_aligned(size_t n, size_t size, size_t align)
{
	void *p;

	if (n && size > SIZE_MAX / n)
		return NULL;
	p = aligned_alloc(align, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/*
 * Room for element n of array v (*cap elements of `size` bytes): v itself
 * when it has room, else v moved to twice the capacity (`first` when it was
 * empty) and *cap updated, or NULL when out of memory (v and *cap as they
 * were, v still the caller's to free).
 */
static inline void *sim_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want;
	void *p;

	if (n < *cap)
		return v;
	want = *cap ? *cap * 2 : first;
	if (want < *cap || want > SIZE_MAX / size)
		return NULL;
	p = realloc(v, want * size);
	if (p)
		*cap = want;
	return p;
}

#endif
