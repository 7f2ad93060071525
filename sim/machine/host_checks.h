/*
 * Checks on the hardware model itself, the scenario's "host_checks":
 *   flag_truth  an advertised TSC property (constant, nonstop, invariant,
 *               known frequency, reliable) must hold while advertised;
 *   tsc_sync    Linux's boot-time TSC sync check between two CPUs;
 *   watchdog    Linux's clocksource watchdog against the HPET or ACPI PM
 *               timer: would Linux demote the TSC, and rightly?
 *   timer       an APIC timer (one-shot, periodic, TSC-deadline) on a CPU
 *               fires no later than its due time plus a slack.
 * Each reports pass/fail, its worst value, and an explanation of the first
 * violation that names the physical cause (which CPU, which event).
 */
#ifndef SIM_MACHINE_HOST_CHECKS_H
#define SIM_MACHINE_HOST_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/cpu-tsc/host.h"
#include "sim/scenario/scenario.h"

#define HOST_CHECK_TEXT_MAX 320

struct host_check_result {
	bool evaluated;           /* the check ran (a check that never ran is a failed expectation) */
	bool passed;              /* no violation: the property held, no warp, no demotion, no late timer */
	int64_t worst;            /* ppb (flag_truth), cycles (tsc_sync), ps (watchdog skew, timer lateness) */
	uint64_t samples;         /* what was examined: CPUs x flags, runs, watchdog ticks, timer fires */
	uint64_t violations;
	sim_ps first_ps;          /* when the first violation happened */
	char first[HOST_CHECK_TEXT_MAX];  /* what it was and its cause, "" when none */
	char note[HOST_CHECK_TEXT_MAX];   /* context, also when passing: why Linux skipped the
					     sync check or does not watch the TSC, counters; "" if none */
	bool has_verdict;         /* watchdog: a demotion was classified */
	bool false_positive;      /* watchdog: the TSC was right, the watchdog read was not */
	bool expectation_met;
};

struct host_checks;

/*
 * Sets up every host check of s on the machine's hosts and queue (APIC
 * timers, watchdog ticks, sync checks as events).  hosts[i] is s->hosts[i].
 */
struct host_checks *host_checks_create(const struct scenario *s, struct host *hosts,
				       struct sim_eventq *q, struct sim_diag *err);
void host_checks_destroy(struct host_checks *hc);

/*
 * Hooks the machine calls when a host event changes a CPU, after applying
 * the change to its TSC: the APIC timers follow them, flag_truth records C-state
 * stops and rate changes from them, and a watchdog resets on the first one
 * after a resume.  tsc_changed: any change of the TSC's value, rate or power
 * (P-state, throttling, writes, hot-add, resume, crystal steps).
 */
void host_checks_cstate_enter(struct host_checks *hc, unsigned host, unsigned cpu, unsigned cstate,
			      sim_ps now);
void host_checks_cstate_exit(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now);
void host_checks_tsc_changed(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now);

/* Final evaluation at the end of the run (flag_truth over the whole run, verdicts). */
void host_checks_finish_run(struct host_checks *hc, sim_ps end);

const struct host_check_result *host_checks_result(const struct host_checks *hc, unsigned i);

#endif
