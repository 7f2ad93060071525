/*
 * A zeroed array whose elements each start a cache line: calloc() with an
 * alignment, for the per-CPU and per-vCPU arrays a read walks at random
 * (sim/cpu-tsc/host.c, sim/kvm/kvm.c), so that an element's hot fields are
 * in the lines its layout puts them in.
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

#endif
