/*
 * The machine: builds hosts, the VM, the guest's readers and the oracle from
 * a scenario, plays the scenario's actions (live migrations, vCPU moves) as
 * the VMM would, runs the event queue to the end and keeps the oracle's
 * verdicts.  It never sees JSON (the loader made the scenario) and never
 * prints (cli/report does).
 */
#ifndef SIM_MACHINE_MACHINE_H
#define SIM_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle/oracle.h"
#include "sim/core/diag.h"
#include "sim/kvm/kvm.h"
#include "oracle/hw/host_checks.h"
#include "sim/machine/script.h"

#define MACHINE_CAUSE_MAX 400
#include "sim/scenario/scenario.h"

/* What happened at one migration, for the report. */
struct machine_migration_log {
	bool done;
	unsigned from_host, to_host;
	sim_ps stop_ps, resume_ps;
	struct kvm_clock_data get;        /* what KVM_GET_CLOCK returned at the source */
	bool set_clock;                   /* KVM_SET_CLOCK was called at the destination */
	uint32_t set_flags;               /* with these flags */
	uint64_t kvmclock_before_ns;      /* vCPU 0's kvmclock just before the stop ... */
	uint64_t kvmclock_after_ns;       /* ... and as the destination's first page gives it */
	bool page_after;                  /* that page was written before the run ended */
	uint64_t guest_tsc_before;        /* vCPU 0's guest TSC at the stop ... */
	uint64_t guest_tsc_after;         /* ... and at the resume */
	uint64_t tsc_khz_before, tsc_khz_after;   /* vCPU 0's virtual TSC kHz */
	bool scaled;                      /* TSC scaling active at the destination */
	bool master_clock_before, master_clock_after;
};

struct machine_group_stats {
	uint64_t reads;
	uint64_t retries;                 /* pvclock version retries */
	uint64_t guarded;                 /* reads raised by the last_value guard */
};

struct machine;

/* Builds everything at t = 0; NULL with err (file and JSON path when known). */
struct machine *machine_create(const struct scenario *s, struct sim_diag *err);
void machine_destroy(struct machine *m);

/* Runs to the scenario's duration; false on a simulation error (err filled). */
bool machine_run(struct machine *m, struct sim_diag *err);

const struct oracle_check_result *machine_check_results(const struct machine *m,
							  unsigned reader_group);
struct machine_group_stats machine_group_stats(const struct machine *m, unsigned reader_group);
const struct machine_migration_log *machine_migration_log(const struct machine *m, unsigned i);
uint64_t machine_events(const struct machine *m);
bool machine_master_clock(const struct machine *m);
uint64_t machine_page_updates(const struct machine *m);

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
