/*
 * Timer-interrupt delivery to a vCPU that may not run: how many of a
 * periodic device's ticks (PIT channel 0, RTC periodic interrupt, APIC
 * timer) the guest has taken by a given time, under a lost-tick policy, in
 * closed form.  Nothing ticks: the count at t is derived from the tick rate,
 * the outages (spans when the vCPU taking the ticks cannot run) and the
 * policy, in O(outages), so a 16 h outage at 64 Hz costs what a 5 s one does.
 *
 * The device keeps its own time: on a board on host time (VMM_BOARD_HOST)
 * true time, on a board on the VM's time base (VMM_BOARD_VM) true time
 * minus the VM's stops (`stops` below): tick n is due at ceil(n / rate) of
 * device time from t = 0, whether or not the vCPU runs.  Ticks due in an outage (from, to] are missed; at `to`
 * the vCPU takes the one the interrupt controller latched (an edge-triggered
 * IRR holds one), then by policy:
 * - discard: the others are dropped (KVM's PIT with reinject off; QEMU's
 *   mc146818rtc without slew);
 * - merge: the others coalesce into the latched one (QEMU's LostTickPolicy
 *   "merge"): the same count as discard;
 * - delay: every missed tick is reinjected, back to back, one per
 *   inject_interval, the next as soon as the guest acknowledges the last
 *   (KVM's PIT with reinject on: arch/x86/kvm/i8254.c, pit_timer_fn() counts
 *   `pending`, kvm_pit_ack_irq() injects the next on EOI), new ticks joining
 *   the queue, until the guest has every tick due;
 * - slew: the regular ticks go on and the missed ones are added at (slew_rate
 *   - 1) per tick period until paid (QEMU's mc146818rtc driftfix=slew:
 *   rtc_coalesced_timer() reinjects up to 8 per period, hw/rtc/mc146818rtc.c;
 *   the rate here is constant, QEMU's slows for the last 7).
 * A NO_HZ guest (nohz) counts no ticks: each interrupt it takes brings
 * jiffies up to date from its clocksource (tick_do_update_jiffies64(),
 * kernel/time/tick-sched.c), so it has every tick due whenever it runs.
 */
#ifndef SIM_KVM_TICK_DELIVERY_H
#define SIM_KVM_TICK_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/* every stall, pause, snapshot and migration of a scenario (sim/machine/tick_setup.c) */
#define TICK_MAX_OUTAGES 64

enum tick_policy {
	TICK_POLICY_DISCARD,
	TICK_POLICY_DELAY,
	TICK_POLICY_MERGE,
	TICK_POLICY_SLEW,
	TICK_POLICY_COUNT
};

/* "discard", "delay", "merge", "slew" (QEMU's LostTickPolicy names); "?" outside. */
const char *tick_policy_name(enum tick_policy p);

struct tick_outage {
	sim_ps from_ps, to_ps;            /* the vCPU cannot take interrupts in [from, to) */
};

struct tick_delivery {
	struct sim_freq rate;             /* the device's true tick rate */
	enum tick_policy policy;
	bool nohz;                        /* jiffies from a clocksource: no tick is ever owed */
	sim_ps inject_interval_ps;        /* delay: one reinjection per this; <= half a period */
	unsigned slew_rate;               /* slew: the rate while catching up, x the tick rate; >= 2 */
	unsigned noutages;                /* sorted, disjoint; on the device's time (below) */
	struct tick_outage outages[TICK_MAX_OUTAGES];
	const char *outage_what[TICK_MAX_OUTAGES];    /* for reports: "pause", ...; NULL: "stall" */
	/*
	 * Spans of true time the device itself stands still: a board on the
	 * VM's time base while the VM is stopped (QEMU_CLOCK_VIRTUAL).  Sorted,
	 * disjoint; none for a board on host time.  The device's time is true
	 * time minus the stops before it (tick_device_time()); every other
	 * time here (outages, tick_due(), tick_delivered(), ...) is on it.
	 */
	unsigned nstops;
	struct tick_outage stops[TICK_MAX_OUTAGES];
};

/* What one outage did to the count. */
struct tick_outage_summary {
	uint64_t missed;                  /* ticks due in (from, to] */
	uint64_t latched;                 /* taken at `to`: 1 if any was missed */
	uint64_t lost;                    /* dropped for good (discard, merge) */
	uint64_t backlog;                 /* owed after `to` (delay, slew), older debts included */
	sim_ps caught_up_ps;              /* when the guest again has every tick due but the
					     lost ones: `to` without a backlog; may lie past the
					     next outage, which then owes it on */
	uint64_t max_rate_mhz;            /* the highest rate ticks reach the guest after `to` */
};

/* The device's time at true time t: t minus the part of every stop before t. */
sim_ps tick_device_time(const struct tick_delivery *d, sim_ps t);

/* Ticks the device has raised by t: floor(t * rate). */
uint64_t tick_due(const struct tick_delivery *d, sim_ps t);

/* When tick n is due: ceil(n / rate), SIM_NEVER when it does not fit. */
sim_ps tick_due_time(const struct tick_delivery *d, uint64_t n);

/* Ticks the guest has taken by t (at most tick_due(t)). */
uint64_t tick_delivered(const struct tick_delivery *d, sim_ps t);

/*
 * Ticks due by t that the guest has neither taken nor dropped: after an
 * outage the backlog still to come (delay, slew; 0 for discard and merge);
 * inside one, every tick missed so far.
 */
uint64_t tick_owed(const struct tick_delivery *d, sim_ps t);

/* Outage i's effect; false when there is no outage i. */
bool tick_outage_summary(const struct tick_delivery *d, unsigned i, struct tick_outage_summary *out);

#endif
