/*
 * The machine: builds hosts, the board, the VM, the VMM's actions
 * (sim/vmm: live migrations, vCPU moves), the guest's readers and the oracle
 * from a scenario, runs the event queue to the end and keeps the oracle's
 * verdicts.  It never sees JSON (the loader made the scenario) and never
 * prints (cli/report does).
 */
#ifndef SIM_MACHINE_MACHINE_H
#define SIM_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle/oracle.h"
#include "sim/core/diag.h"
#include "sim/core/trace.h"
#include "sim/kvm/kvm.h"
#include "oracle/hw/host_checks.h"
#include "sim/machine/script.h"
#include "sim/plugin/plugin_set.h"
#include "sim/scenario/scenario.h"
#include "sim/vmm/vmm.h"

/* Longest physical-cause text kept per check (machine_violation_cause). */
#define MACHINE_CAUSE_MAX 400

struct machine_group_stats {
	uint64_t reads;
	uint64_t retries;                 /* pvclock version retries */
	uint64_t guarded;                 /* reads raised by the last_value guard */
};

struct machine;

/*
 * Builds everything at t = 0; NULL with err (file and JSON path when known).
 * The machine keeps pointers into s (parameters, names, paths): s must
 * outlive it.
 */
struct machine *machine_create(const struct scenario *s, struct sim_diag *err);
void machine_destroy(struct machine *m);

/*
 * The run's trace stream (sim/core/trace.h): subscribe before machine_run.
 * The machine publishes reads and pvclock page writes, the VMM its action
 * phases, KVM its TSC writes and master clock changes, the board its bus
 * accesses and interrupt edges, the host checks their violations; nothing is
 * built for a kind nobody subscribed to.  What
 * machine_create did at t = 0 (KVM's first write of each page) comes before
 * any subscriber.
 */
struct sim_trace *machine_trace(struct machine *m);

/*
 * The runtime guard behind the event budget (sim/machine/budget.h): the run
 * stops with an error once more than max_events fired; 0 (the default): no
 * guard.
 */
void machine_set_max_events(struct machine *m, uint64_t max_events);

/*
 * A progress callback (sim run's progress line, sim/cli/progress.h): with
 * one set, the run goes in MACHINE_PROGRESS_SLICES slices of simulated time
 * and calls fn(ctx, now, end) after each, a few hundred times per run however
 * long; what the run computes is the same.  The callback must not touch m.
 */
#define MACHINE_PROGRESS_SLICES 1024
typedef void machine_progress_fn(void *ctx, sim_ps now, sim_ps end);
void machine_set_progress(struct machine *m, machine_progress_fn *fn, void *ctx);

/* Runs to the scenario's duration; false on a simulation error (err filled). */
bool machine_run(struct machine *m, struct sim_diag *err);

/*
 * Runs every event up to t (at most the duration) and stops there, so that
 * an observer (the visualizer) can sample state at t; machine_run (or
 * another call) goes on from there.  The run's outcome is the same as one
 * machine_run.  False on a simulation error (err filled).
 */
bool machine_run_until(struct machine *m, sim_ps t, struct sim_diag *err);

/*
 * Call after subscribing to machine_trace() for SIM_TRACE_IRQ_EDGE: the
 * board's lazy interrupt sources (PIT, RTC, HPET) only queue their edges
 * while someone observes them (irq_router_observers_changed()).
 */
void machine_trace_subscribed(struct machine *m);

/* VM i (the scenario's "vms" order) as it stands now (read-only; NULL past the last). */
const struct kvm_vm *machine_vm(const struct machine *m, unsigned i);

const struct oracle_check_result *machine_check_results(const struct machine *m,
							  unsigned reader_group);
struct machine_group_stats machine_group_stats(const struct machine *m, unsigned reader_group);
/* VM vm's migration i, as its VMM logged it; NULL past the last VM. */
const struct vmm_migration_log *machine_migration_log(const struct machine *m, unsigned vm,
							unsigned i);
uint64_t machine_events(const struct machine *m);
bool machine_master_clock(const struct machine *m, unsigned vm);
/* pvclock page writes by KVM's clock updates, over every vCPU of every VM. */
uint64_t machine_page_updates(const struct machine *m);

/* Who replaces part p (a plugin: sim/plugin), or NULL when it is sim's own. */
const struct plugin_foreign *machine_foreign_part(const struct machine *m, enum plugin_part p);

/* Host i as it stands now (after machine_run: at the end of the run); NULL past the last. */
const struct host *machine_host(const struct machine *m, unsigned i);

/* The board (after machine_run: as it stands at the end of the run). */
const struct platform *machine_board(const struct machine *m);

/* Device script i's outcome, and whether its "expect" holds. */
const struct script_result *machine_script_result(const struct machine *m, unsigned i);
bool machine_script_expectation_met(const struct machine *m, unsigned i);

/* Host check i's outcome (NULL when the scenario has none). */
const struct host_check_result *machine_host_check_result(const struct machine *m, unsigned i);

/*
 * The physical causes recorded when a bare-metal reader group's check saw its
 * first violation: what last happened to the CPUs involved; NULL if none.
 */
const char *machine_violation_cause(const struct machine *m, unsigned group,
				    enum oracle_check_id check);

#endif
