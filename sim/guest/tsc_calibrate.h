/*
 * Linux's TSC calibration against PIT channel 2, run as the guest runs it:
 * real port accesses through the board (gate and OUT2 at port 0x61, the
 * count at 0x42, the control word at 0x43), each with its cost and jitter,
 * and RDTSC of the guest TSC.  Modelled on Linux 6.12 arch/x86/kernel/tsc.c
 * (unchanged in these parts since 4.x, and the same in 6.1):
 *
 *  - quick_pit_calibrate(): channel 2 in mode 0 from 0xffff; pit_expect_msb()
 *    polls the MSB (two inb per pit_verify_msb(), a TSC read after each
 *    success, at most 50000 times, "success" is more than 5 polls); it
 *    accepts after i MSB steps once the two end-point uncertainties d1 + d2
 *    are below delta / 2048 (500 ppm), fails fast at i = 1 when that bound
 *    can never be met within MAX_QUICK_PIT_ITERATIONS (50 ms / 256 CLKs =
 *    233), checks the MSB once more, and returns delta * PIT_TICK_RATE /
 *    (i * 256 * 1000) kHz, PIT_TICK_RATE being Linux's 1193182 Hz;
 *  - pit_hpet_ptimer_calibrate_cpu(), when the quick path fails:
 *    pit_calibrate_tsc(latch, ms, loopmin) three times (CAL_LATCH 11931,
 *    10 ms, 1000 polls of port 0x61 bit 5; a run fails with fewer polls or a
 *    poll more than 10 times longer than the shortest), keeping the lowest;
 *    around each run tsc_read_refs() reads the HPET (or else the ACPI PM
 *    timer) between two TSC reads, and when the PIT and the reference agree
 *    within 10% the reference result wins; after two failed PIT runs with a
 *    reference the third gets 50 ms (CAL2_*).  With no usable result Linux
 *    gives up (tsc_khz 0, "Unable to calibrate against PIT").
 *
 * pit_calibrate_tsc() polls port 0x61 without a bound: on a board whose
 * port 0x61 floats at 0x00 (no PIT, a VMM that zeroes unhandled reads) it
 * never returns.  The program stops after TSC_CAL_HANG_PS of polling and
 * reports that it would hang.
 *
 * tsc_refine_calibration_work(), when asked (tsc_calibrate_refine): Linux
 * reads the TSC and the reference (tsc_read_refs()) once the clocksource is
 * registered, again HZ (1 s) later, and takes the frequency the reference
 * gives over that second if it is within 1% of the calibrated one.  The
 * program waits the second out without accessing anything.  Not modelled:
 * the MSR and CPUID 0x15 paths (the host check does those).
 */
#ifndef SIM_GUEST_TSC_CALIBRATE_H
#define SIM_GUEST_TSC_CALIBRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/guest/pio.h"

#define TSC_CAL_PIT_TICK_RATE 1193182u      /* Linux's PIT_TICK_RATE, Hz */
#define TSC_CAL_QUICK_ITERATIONS 233u       /* MAX_QUICK_PIT_ITERATIONS: 50 ms of MSB steps */
#define TSC_CAL_LATCH 11931u                /* CAL_LATCH: PIT_TICK_RATE / (1000 / 10) */
#define TSC_CAL_MS 10u                      /* CAL_MS */
#define TSC_CAL_LOOPS 1000u                 /* CAL_PIT_LOOPS */
#define TSC_CAL2_LATCH 59659u              /* CAL2_LATCH: 50 ms */
#define TSC_CAL2_MS 50u
#define TSC_CAL2_LOOPS 5000u
#define TSC_CAL_HANG_PS (1000ULL * SIM_PS_PER_MS) /* a poll loop this long never ends */

enum tsc_cal_ref {
	TSC_CAL_REF_NONE,
	TSC_CAL_REF_HPET,
	TSC_CAL_REF_PMTIMER,
};

struct tsc_cal_result {
	uint64_t khz;                 /* the calibrated tsc_khz; 0: Linux gave up */
	bool hang;                    /* a poll loop that would never end */
	bool quick;                   /* quick_pit_calibrate() succeeded ... */
	unsigned quick_steps;         /* ... after this many MSB steps (i) */
	unsigned slow_runs;           /* pit_calibrate_tsc() runs */
	uint64_t slow_pit_khz;        /* the lowest PIT result; 0: every run failed */
	enum tsc_cal_ref ref;         /* the reference read around the slow runs */
	bool ref_used;                /* the result is the reference's (PIT within 10%) */
	bool refined;                 /* tsc_refine_calibration_work() replaced khz ... */
	uint64_t refine_khz;          /* ... with this (0: no reference, or outside 1%) */
	sim_ps start_ps, end_ps;      /* when the program ran */
};

/* quick_pit_calibrate(); 0 when it fails (r->quick, r->quick_steps). */
uint64_t tsc_cal_quick(struct guest_pio *g, struct tsc_cal_result *r);

/* pit_calibrate_tsc(latch, ms, loopmin): kHz, UINT64_MAX on failure; sets r->hang. */
uint64_t tsc_cal_pit_run(struct guest_pio *g, unsigned latch, unsigned ms, unsigned loopmin,
			 struct tsc_cal_result *r);

/*
 * Linux's flow: quick_pit_calibrate() unless skip_quick, then
 * pit_hpet_ptimer_calibrate_cpu() with `ref` as the reference.
 */
void tsc_calibrate_pit(struct guest_pio *g, bool skip_quick, enum tsc_cal_ref ref,
		       struct tsc_cal_result *r);

/* tsc_refine_calibration_work() on r->khz, from g->t: 1 s against `ref`. */
void tsc_calibrate_refine(struct guest_pio *g, enum tsc_cal_ref ref, struct tsc_cal_result *r);

#endif
