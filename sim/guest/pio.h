/*
 * A guest program's port I/O with interrupts off: Linux's TSC calibration
 * and CMOS read run this way at boot (local_irq_save), so the vCPU does
 * nothing else meanwhile and the program keeps its own clock, running ahead
 * of the event queue.
 *
 * Model: an access reaches the device at the instant the instruction starts
 * (the exit's handler samples the device at once) and the vCPU continues
 * after the access's cost: the board's cost of that port (one VM exit) plus
 * a uniform draw in [0, jitter] from the program's own PRNG stream.  RDTSC
 * samples the guest TSC at its start and costs rdtsc_ps (no exit).
 */
#ifndef SIM_GUEST_PIO_H
#define SIM_GUEST_PIO_H

#include <stdint.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/devices/platform.h"

/* The guest TSC at true time t (kvm_vcpu_guest_tsc on a vCPU, a fixed rate in tests). */
typedef uint64_t guest_tsc_fn(const void *ctx, sim_ps t);

struct guest_pio {
	struct platform *pf;
	sim_ps t;                     /* the program's clock, true time */
	guest_tsc_fn *tsc;
	const void *tsc_ctx;
	sim_ps rdtsc_ps;              /* one RDTSC */
	sim_ps jitter_ps;             /* extra cost of a port access: uniform in [0, jitter] */
	struct sim_rng rng;           /* the jitter's stream */
	uint64_t accesses;            /* port accesses so far */
};

/* A program starting at t on pf, with its jitter stream from (seed, stream). */
void guest_pio_init(struct guest_pio *g, struct platform *pf, sim_ps t, guest_tsc_fn *tsc,
		    const void *tsc_ctx, sim_ps rdtsc_ps, sim_ps jitter_ps, uint64_t seed,
		    const char *stream);

uint8_t guest_inb(struct guest_pio *g, uint16_t port);
uint32_t guest_inl(struct guest_pio *g, uint16_t port);
uint32_t guest_readl(struct guest_pio *g, uint64_t addr);
void guest_writel(struct guest_pio *g, uint64_t addr, uint32_t val);
void guest_outb(struct guest_pio *g, uint16_t port, uint8_t val);
uint64_t guest_rdtsc(struct guest_pio *g);

/* Spins for d (udelay): the clock moves, nothing is accessed. */
void guest_delay(struct guest_pio *g, sim_ps d);

#endif
