/*
 * One CPU's time-stamp counter as a chain of linear pieces of true time (the
 * pvclock idea): a piece is (t0, tsc0, rate) and the counter reads
 * tsc0 + floor((now - t0) * rate).  Every rate change closes the current piece
 * at `now`, so reads stay continuous by construction.  In this issue TSCs are
 * invariant (constant and nonstop, Intel SDM vol. 3, 18.17.1): one piece per
 * CPU unless software writes the counter.
 */
#ifndef SIM_CPU_TSC_TSC_H
#define SIM_CPU_TSC_TSC_H

#include <stdint.h>

#include "sim/core/simtime.h"

struct tsc_segment {
	sim_ps t0;                /* start of this piece */
	uint64_t tsc0;            /* counter value at t0 */
	struct sim_freq rate;     /* effective TSC Hz on this piece, crystal error included */
};

struct cpu_tsc {
	struct tsc_segment seg;
};

void tsc_init(struct cpu_tsc *tsc, sim_ps t0, uint64_t tsc0, struct sim_freq rate);

/* The counter at `now` (now >= seg.t0); wraps modulo 2^64 as the hardware does. */
uint64_t tsc_read(const struct cpu_tsc *tsc, sim_ps now);

/* Closes the current piece at `now` and continues at `rate`. */
void tsc_set_rate(struct cpu_tsc *tsc, sim_ps now, struct sim_freq rate);

/* A WRMSR to IA32_TSC: the counter holds `value` at `now` and keeps its rate. */
void tsc_write(struct cpu_tsc *tsc, sim_ps now, uint64_t value);

/*
 * Earliest true time >= seg.t0 at which the counter reads at least `value`
 * (seg.t0 if it already does); SIM_NEVER if that is beyond 2^64 ps.
 */
sim_ps tsc_time_of(const struct cpu_tsc *tsc, uint64_t value);

#endif
