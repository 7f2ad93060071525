/*
 * The event budget: before a run, an estimate of how many events the
 * scenario will fire, from its periods and duration in closed form, so that
 * a ten-line file asking for 10^13 events is refused at once instead of
 * running for hours (issue 12 section 2, issue 11 section 3 "Budgets").
 *
 * One row per event source (BUDGET_SOURCES): every owner of a struct
 * sim_event in sim/ and oracle/ is named in a row's `covers` column
 * (tests/budget_sources.sh checks it), and each row's estimate function adds
 * what its items will fire.  Integer arithmetic only, saturating: a count
 * beyond 2^64 is UINT64_MAX, never a wrap.  O(input), deterministic.
 *
 * The estimate is an upper bound where the rate is known from the file, and
 * a small constant where an item fires a bounded number of times; what it
 * cannot see (retries, the guest's reactions) the machine's runtime guard
 * stops (machine_set_max_events()).
 */
#ifndef SIM_MACHINE_BUDGET_H
#define SIM_MACHINE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/scenario/scenario.h"

/* Default limit: about 5 to 10 minutes of wall time at 2-3 M events/s. */
#define BUDGET_DEFAULT_MAX_EVENTS UINT64_C(1000000000)

/* X(ID, "name", estimate function, "files whose sim_events the row counts") */
#define BUDGET_SOURCES(X)                                                                   \
	X(READERS, "readers", est_readers, "sim/guest/reader.c")                           \
	X(TICKS, "tick delivery", est_ticks, "sim/kvm/tick_delivery.c")                    \
	X(KVMCLOCK_SYNC, "kvmclock sync", est_kvmclock_sync, "sim/kvm/kvm.c")               \
	X(CATCHUP, "TSC catch-up exits", est_catchup, "sim/kvm/kvm.c sim/kvm/tsc_sync.c")  \
	X(GUEST_TIMERS, "guest APIC timers", est_guest_timers,                             \
	  "sim/guest/timers.c sim/cpu-tsc/lapic_timer.c sim/kvm/vcpu_state.c")              \
	X(HPET_TIMERS, "guest HPET timers", est_hpet_timers,                               \
	  "sim/guest/hpet_timers.c sim/devices/hpet.c")                                     \
	X(CSTATE_PATTERNS, "C-state patterns", est_cstate_patterns, "sim/machine/host_events.c") \
	X(HOST_EVENTS, "host events", est_host_events, "sim/machine/host_events.c")         \
	X(CRYSTAL_STEPS, "crystal wander and aging steps", est_crystal_steps,              \
	  "sim/machine/host_events.c sim/cpu-tsc/crystal.c")                                \
	X(SCRIPTS, "device script commands", est_scripts, "sim/machine/script.c")           \
	X(SCRIPT_DEVICES, "devices programmed by scripts", est_script_devices,             \
	  "sim/devices/pit.c sim/devices/rtc.c sim/devices/hpet.c")                         \
	X(BOARD_RELAY, "VM-owned board relay", est_board_relay, "sim/devices/platform.c")   \
	X(HOST_CHECKS, "host checks", est_host_checks,                                     \
	  "oracle/hw/watchdog.c oracle/hw/timer.c oracle/hw/cmos_date.c oracle/hw/tsc_sync.c " \
	  "oracle/hw/flag_truth.c oracle/hw/tsc_calibration.c")                             \
	X(VMM_ACTIONS, "VMM actions", est_vmm_actions,                                     \
	  "sim/vmm/clock_update.c sim/vmm/tsc_write.c sim/vmm/time_sync.c sim/vmm/vcpu_move.c " \
	  "sim/vmm/migration.c sim/vmm/pause.c sim/vmm/snapshot.c sim/vmm/stall.c")

enum budget_source {
#define BUDGET_SOURCE_ENUM(id, name, fn, covers) BUDGET_##id,
	BUDGET_SOURCES(BUDGET_SOURCE_ENUM)
#undef BUDGET_SOURCE_ENUM
	BUDGET_SOURCE_COUNT
};

struct budget_estimate {
	uint64_t total;                           /* saturating */
	uint64_t by_source[BUDGET_SOURCE_COUNT];  /* saturating */
	/* the single largest item: the cause an error names */
	enum budget_source top_source;
	uint64_t top_events;
	char top_path[SCN_PATH_MAX + 32];         /* JSON pointer, e.g. "/readers/0/period" */
};

const char *budget_source_name(enum budget_source src);

/* Fills e for s (a loaded, valid scenario).  O(input). */
void budget_estimate(const struct scenario *s, struct budget_estimate *e);

/*
 * The estimate of s against max_events: false with err (the top item's JSON
 * path, the estimate, the limit and how to raise it) when it is beyond.  e
 * (may be NULL) receives the estimate.
 */
bool budget_check(const struct scenario *s, uint64_t max_events, struct budget_estimate *e,
		  struct sim_diag *err);

#endif
