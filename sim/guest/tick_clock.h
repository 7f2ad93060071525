/*
 * A tick-counting guest clock: time as the number of timer interrupts the
 * guest has taken times the tick's length, the way Linux kept time from
 * jiffies before clocksources (and still counts jiffies), and the way
 * Windows' system time advances by one clock interrupt (the RTC at 64 Hz).
 * The ticks taken come from sim/kvm/tick_delivery.h (the device, the
 * outages, the lost-tick policy).
 *
 * A tick counts as the device's true period: Linux's refined-jiffies
 * clocksource (register_refined_jiffies(CLOCK_TICK_RATE),
 * kernel/time/jiffies.c) counts LATCH / CLOCK_TICK_RATE per PIT tick, so
 * HZ = 1000 through count 1193 is 999.847620 us a tick, not 1 ms; so a
 * clock that takes every tick keeps true time to within one tick.
 *
 * With compensate, the guest does what i386 Linux did before 2.6.18's
 * generic timekeeping (arch/i386/kernel/timers/timer_tsc.c,
 * mark_offset_tsc()): at each interrupt it measures the time since the last
 * one against a counter and, when that holds lost >= 2 ticks, adds lost - 1
 * to jiffies.  After a stall the first interrupt so brings the count level;
 * ticks a VMM reinjects afterwards come closer together than a tick and each
 * counts one more, so the backlog is counted twice.  Model: the last
 * interrupt before a stall is taken to be the last tick due before it (exact
 * when the guest was level then).
 *
 * A guest agent's time sync (QEMU guest agent guest-set-time) at time R sets
 * the clock to true time; ticks taken later count on from there.
 */
#ifndef SIM_GUEST_TICK_CLOCK_H
#define SIM_GUEST_TICK_CLOCK_H

#include "sim/kvm/tick_delivery.h"

#define TICK_MAX_SYNCS 8

struct tick_clock_config {
	struct tick_delivery delivery;
	bool compensate;                  /* Linux 2.6's lost-tick compensation (below) */
	unsigned nsyncs;                  /* sorted */
	sim_ps sync_ps[TICK_MAX_SYNCS];
};

/* The clock at t in ns: 0 at t = 0, true time while every tick is taken and no sync stepped it. */
uint64_t tick_clock_ns(const struct tick_clock_config *c, sim_ps t);

#endif
