/*
 * The RTC's periodic interrupt as a timer programmed by register writes,
 * for the profiles whose rtc_periodic is COMPAT_PERIODIC_FROM_PROGRAMMING
 * (sim/devices/compat.h).  The facts, from QEMU 7.2's hw/rtc/mc146818rtc.c
 * (periodic_timer_update(), rtc_periodic_clock_ticks()), measured in
 * /work/shared/docs/qemu-7.2-deviations.md R3 and R4:
 *
 *  - the period is 2^(RS-1) cycles of a 32768 Hz count (RS 1 and 2 as 8
 *    and 9), whatever DV says, and 0 (no timer) while PIE = 0 or RS = 0;
 *  - cycles are counted from time 0: cur = floor(now_ns * 32768 / 1e9);
 *  - programming (PIE set, or RS changed while PIE = 1) puts the next PF at
 *    cur + period, less the cycles since the last PF when a period was
 *    running (at most one period back);
 *  - so a rate change a whole new period or more after the last PF puts
 *    the next PF at count cur itself, whose time (below) is usually before
 *    now: QEMU arms its timer in the past and it fires at once, and the RTC
 *    sets PF at now (rtc_next_pf_ps() may then be before now);
 *  - a PF at count c happens at floor(c * 1e9 / 32768) + 1 ns, and the next
 *    one is a period later in the count.
 *
 * The MC146818A itself sets PF on the tap's edges (rtc_update.c); this is not it.
 */
#ifndef SIM_DEVICES_RTC_PERIODIC_H
#define SIM_DEVICES_RTC_PERIODIC_H

#include <stdint.h>

#include "sim/core/simtime.h"

struct rtc_periodic {
	uint64_t period;       /* in 32768 Hz cycles; 0: not running */
	uint64_t next_cyc;     /* the count of the next PF */
};

/* The period register A's RS gives while PIE is set (pie false: 0). */
uint64_t rtc_periodic_cycles(uint8_t rs, int pie);

/* Programs a new period (0 stops it) at `now`; old_period is the one running until now. */
void rtc_periodic_program(struct rtc_periodic *p, uint64_t old_period, uint64_t period,
			  sim_ps now);

/* The time of the next PF; SIM_NEVER when not running. */
sim_ps rtc_periodic_next(const struct rtc_periodic *p);

/* Moves the next PF past `now` (the PFs up to now have been taken). */
void rtc_periodic_pass(struct rtc_periodic *p, sim_ps now);

#endif
