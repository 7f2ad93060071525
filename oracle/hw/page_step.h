/*
 * PAGE_STEP's words, shared by the page_step host check (page_step.c) and
 * `sim judge`'s replay of a host trace's pvclock lines (sim/judge/replay.c):
 * both report a rewrite that steps kvmclock the same way.
 */
#ifndef ORACLE_HW_PAGE_STEP_H
#define ORACLE_HW_PAGE_STEP_H

#include <stddef.h>
#include <stdint.h>

/*
 * "a rewrite of vCPU V's page steps kvmclock back by 1.000 us: at guest TSC
 * T the old page gives A ns, the new one B ns" into buf; step_ps is new - old.
 */
void page_step_describe(char *buf, size_t len, unsigned vcpu, int64_t step_ps, uint64_t tsc,
			uint64_t old_ns, uint64_t new_ns);

#endif
