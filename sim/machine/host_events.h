/*
 * The scenario's host events, played on the hosts' hardware model: C-state
 * residencies (explicit, or a seeded pattern), P-state changes, STPCLK
 * throttling, crystal temperature steps, CPU hot-add, writes to IA32_TSC and
 * IA32_TSC_ADJUST, S3/S4 suspend and resume, reader migrations, switches of
 * the host's clocksource; plus the crystals' own wander updates.
 *
 * It keeps, per CPU, the latest physical cause that can explain what a clock
 * reader saw (boot skew, C-state exit, P-state change, hot-add, TSC write,
 * resume), so that the report can name it next to a violation.
 */
#ifndef SIM_MACHINE_HOST_EVENTS_H
#define SIM_MACHINE_HOST_EVENTS_H

#include <stdbool.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/cpu-tsc/host.h"
#include "oracle/hw/host_checks.h"
#include "sim/scenario/scenario.h"

#define HOST_EVENT_CAUSE_MAX 160

struct host_events_env {
	const struct scenario *s;
	struct host *hosts;                       /* s->hosts[i] built */
	struct sim_eventq *q;
	struct host_checks *hc;                   /* APIC timers to tell; may be NULL */
	/* The host went to sleep (S3/S4) or woke up: its readers stop and resume. */
	void (*host_sleep)(void *ctx, unsigned host, bool asleep, sim_ps now);
	/* reader_migrate: the reader group's process now runs on `cpu`. */
	void (*reader_move)(void *ctx, unsigned reader_group, unsigned cpu, sim_ps now);
	void *ctx;
};

struct host_events;

struct host_events *host_events_create(const struct host_events_env *env, struct sim_diag *err);
void host_events_destroy(struct host_events *he);

/* The latest physical cause recorded for a CPU ("" when nothing happened to it). */
const char *host_events_cause(const struct host_events *he, unsigned host, unsigned cpu);

#endif
