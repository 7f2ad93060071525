/*
 * Host checks: checks on the hardware model itself, set up from plain
 * configs (no scenario, no JSON: sim/machine/host_check_setup.c translates a
 * scenario's "host_checks" into these):
 *   flag_truth  an advertised TSC property (constant, nonstop, invariant,
 *               known frequency, reliable) must hold while advertised;
 *   tsc_sync    Linux's boot-time TSC sync check between two CPUs;
 *   watchdog    Linux's clocksource watchdog against the HPET or ACPI PM
 *               timer: would Linux demote the TSC, and rightly?
 *   timer       an APIC timer (one-shot, periodic, TSC-deadline) on a CPU
 *               fires no later than its due time plus a slack;
 *   tick_count  a tick-counting guest clock (a "ticks" reader) against true
 *               time after outages: behind (ticks dropped), ahead (a time
 *               sync while a backlog was still reinjected), caught up.
 *   page_step   a rewrite of a vCPU's pvclock page does not step kvmclock
 *               (or: the vCPUs' pages agree at each instant);
 *   timer_live  the guest's APIC timers on the VM's vCPUs fire on time and no
 *               vCPU with one armed stays silent (VM kind);
 *   disc_signal a kvmclock jump across a pause or restore reaches the guest
 *               with PVCLOCK_GUEST_STOPPED before its first tick (VM kind);
 *   tsc_calibration  the tsc_khz a guest derives at boot (Linux's PIT
 *               calibration on the board, CPUID 0x15, kvmclock) is right;
 *   cmos_date   the date a guest boots with (the CMOS RTC, KVM's wall
 *               clock) is right.
 * Each reports pass/fail, its worst value, and an explanation of the first
 * violation that names the physical cause (which CPU, which event).
 * Definitions: docs/clocks.md "Host checks".  Each kind is one file of
 * oracle/hw behind struct host_check_ops (host_check.h).
 */
#ifndef ORACLE_HW_HOST_CHECKS_H
#define ORACLE_HW_HOST_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle/hw/host_check_kind.h"
#include "oracle/hw/tsc_flag.h"
#include "oracle/oracle.h"
#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/trace.h"
#include "sim/cpu-tsc/crystal.h"
#include "sim/cpu-tsc/host.h"
#include "sim/kvm/tick_delivery.h"

#define HOST_CHECK_TEXT_MAX 320
#define HOST_CHECK_NAME_MAX 32
#define HOST_CHECK_MAX_SOCKETS 8      /* crystal descriptions per flag_truth check */

/* ---- per-kind configs ---- */

/* A socket's crystal as configured: only to explain a tsc_known_freq violation. */
struct host_check_crystal_desc {
	int64_t offset_ppb;
	enum crystal_ssc ssc;
	uint32_t ssc_spread_ppm;
	int64_t aging_ppb_per_day;
	bool wander;
	bool temperature_steps;
};

struct host_check_flag_truth_config {
	uint32_t flags;               /* bits 1 << enum host_tsc_flag; HOST_TSC_FLAGS_ALL */
	int64_t threshold_ppb;        /* tsc_known_freq: largest |mean rate error| that holds */
	struct sim_freq known_freq;   /* what tsc_known_freq promises: the nominal TSC rate */
	struct host_check_crystal_desc crystals[HOST_CHECK_MAX_SOCKETS]; /* per socket */
};

struct host_check_tsc_sync_config {
	unsigned source, target;      /* host CPUs: the one online, the one coming up */
	sim_ps at_ps;                 /* when Linux runs the check */
	bool amd;                     /* a non-Intel host: unsynchronized_tsc() may say so */
};

enum host_check_wd_counter {
	HOST_CHECK_WD_HPET,           /* the HPET main counter, 32 bits read */
	HOST_CHECK_WD_ACPI_PM,        /* the ACPI PM timer, 24 bits */
	HOST_CHECK_WD_KVM_CLOCK,      /* the guest's watchdog: kvm-clock against the guest TSC */
};

struct host_check_watchdog_config {
	enum host_check_wd_counter clocksource;
	unsigned delay_every;         /* n: watchdog reads 1, 1 + n, ... come back late; 0: none */
	sim_ps delay_ps;              /* how late */
	int8_t false_positive;        /* a demotion must be: 1 a false positive, 0 a true one; -1 any */
	bool demote;                  /* the host acts on it: host_mark_tsc_unstable() (tsc -> hpet) */
	bool readout_fix;             /* Gleixner's Dec 2025 readout limit instead of 6.12's */
};

enum host_check_timer_mode {
	HOST_CHECK_TIMER_ONESHOT,
	HOST_CHECK_TIMER_PERIODIC,
	HOST_CHECK_TIMER_DEADLINE,    /* TSC-deadline mode */
};

struct host_check_timer_config {
	unsigned cpu;                 /* host CPU whose APIC timer is checked */
	enum host_check_timer_mode mode;
	sim_ps arm_at_ps;
	sim_ps delay_ps;              /* until due; periodic: the period */
	uint64_t count;               /* periodic: fires to check; 0 = all in the run */
	sim_ps slack_ps;              /* lateness that still holds */
	struct sim_freq apic_timer;   /* the APIC timer's clock */
	bool arat;                    /* it runs on in deep C-states */
	struct sim_freq tsc_nominal;  /* deadline mode: the delay in cycles at this rate */
};

struct host_check_stable_bit_config {
	int64_t threshold_ps;         /* largest spread across vCPUs that holds */
};

struct host_check_tsc_write_config {
	uint64_t threshold_cycles;    /* largest |read - written| that counts as taking effect */
};

#define HOST_CHECK_TICK_MAX_SYNCS 8

struct host_check_tick_count_config {
	unsigned group;               /* the tick-counting reader's oracle group: its reads */
	struct tick_delivery delivery;/* its device, policy and outages (the VMM's stalls) */
	unsigned nsyncs;              /* the guest agent's time syncs, sorted */
	sim_ps sync_ps[HOST_CHECK_TICK_MAX_SYNCS];
	sim_ps tolerance_ps;          /* error that still holds; 0: one tick */
	bool compensate;              /* the guest compensates lost ticks itself */
};

/* clock_consistency: what the guest's clocks do across a stop and resume of the VM. */
enum host_check_cc_policy {
	HOST_CHECK_CC_FREEZE,         /* every clock stands still over the outage */
	HOST_CHECK_CC_ADVANCE,        /* every clock jumps by the outage (KVM_CLOCK_REALTIME) */
	HOST_CHECK_CC_REALTIME,       /* REALTIME jumps by the outage, MONOTONIC and BOOTTIME do not */
};

#define HOST_CHECK_NO_GROUP UINT32_MAX

struct host_check_clock_consistency_config {
	unsigned monotonic_group;     /* the oracle groups (readers) of each clock ID; */
	unsigned realtime_group;
	unsigned boottime_group;      /* HOST_CHECK_NO_GROUP: not checked */
	enum host_check_cc_policy policy;
	int64_t tolerance_ps;         /* largest |jump - the policy's jump| that holds */
};

/* "freeze", "advance", "realtime". */
const char *host_check_cc_policy_name(enum host_check_cc_policy p);

enum host_check_page_step_measure {
	HOST_CHECK_PAGE_STEP_STEP,    /* a vCPU's new page against its old one */
	HOST_CHECK_PAGE_STEP_SPREAD,  /* the vCPUs' pages against each other */
};

struct host_check_page_step_config {
	enum host_check_page_step_measure measure;
	sim_ps threshold_ps;          /* largest |step| (or spread) that holds */
};

/* timer_live: the guest's APIC timers on the VM's vCPUs (sim/guest/timers.h). */
struct host_check_timer_live_config {
	sim_ps slack_ps;              /* lateness that still holds */
	sim_ps silent_max_ps;         /* longest running time without an interrupt, armed */
};

/* disc_signal: a kvmclock jump across a stop of the VM is signalled to the guest. */
struct host_check_disc_signal_config {
	sim_ps threshold_ps;          /* a forward jump above this needs PVCLOCK_GUEST_STOPPED */
	sim_ps soft_lockup_ps;        /* Linux's soft-lockup threshold, 2 x watchdog_thresh */
};

/* How a guest learns its TSC frequency (tsc_calibration). */
enum host_check_cal_method {
	HOST_CHECK_CAL_PIT_QUICK,     /* native_calibrate_tsc: quick_pit_calibrate, then the slow path */
	HOST_CHECK_CAL_PIT_SLOW,      /* pit_hpet_ptimer_calibrate_cpu alone */
	HOST_CHECK_CAL_CPUID,         /* CPUID 0x15/0x16: the vCPU's TSC frequency, when filled */
	HOST_CHECK_CAL_PVCLOCK,       /* kvm_get_tsc_khz: pvclock_tsc_khz of the vCPU's page */
	HOST_CHECK_CAL_PIT_REFINED,   /* pit_quick, then tsc_refine_calibration_work 1 s later */
};

struct host_check_tsc_calibration_config {
	enum host_check_cal_method method;
	sim_ps at_ps;                 /* when the guest calibrates (its boot) */
	unsigned vcpu;                /* the VM's vCPU (the host CPU without a VM) */
	sim_ps jitter_ps;             /* each port access costs the board's cost + [0, jitter] */
	int64_t threshold_ppb;        /* largest |error| that holds */
	bool cpuid_freq;              /* CPUID 0x15/0x16 carry the frequency */
};

/* Where a guest takes the date from at boot (cmos_date). */
enum host_check_date_source {
	HOST_CHECK_DATE_CMOS,         /* the CMOS RTC, as mach_get_cmos_time() reads it */
	HOST_CHECK_DATE_KVM_WALL_CLOCK, /* MSR_KVM_WALL_CLOCK_NEW + kvmclock (kvm_get_wallclock) */
};

struct host_check_cmos_date_config {
	enum host_check_date_source source;
	sim_ps at_ps;                 /* when the guest reads it */
	sim_ps threshold_ps;          /* largest |error| that holds */
	uint64_t utc_start_ns;        /* true UTC at t = 0 */
};

/* One check: what every kind has, and its kind's own part. */
struct host_check_config {
	enum host_check_kind kind;
	char name[HOST_CHECK_NAME_MAX];   /* unique in the set; names its events and records */
	unsigned host;                    /* index into the env's hosts */
	unsigned vm;                      /* index into the env's VMs (0 with env.vm alone) */
	enum oracle_expect expect;
	bool has_worst_min, has_worst_max;
	int64_t worst_min, worst_max;     /* in the kind's unit (host_check_kind_unit()) */
	const char *path;                 /* where it came from, for errors only; may be NULL */
	union {
		struct host_check_flag_truth_config flag_truth;
		struct host_check_tsc_sync_config tsc_sync;
		struct host_check_watchdog_config watchdog;
		struct host_check_timer_config timer;
		struct host_check_stable_bit_config stable_bit;
		struct host_check_tsc_write_config tsc_write;
		struct host_check_tick_count_config tick_count;
		struct host_check_clock_consistency_config clock_consistency;
		struct host_check_page_step_config page_step;
		struct host_check_timer_live_config timer_live;
		struct host_check_disc_signal_config disc_signal;
		struct host_check_tsc_calibration_config tsc_calibration;
		struct host_check_cmos_date_config cmos_date;
	};
};

struct kvm_vm;
struct platform;

/*
 * What the checks run on.  Checks on the hypervisor and the guest (the VM
 * kinds) read the VM and the board, and follow the run through the trace
 * stream: page writes, TSC writes, VMM phases, interrupt edges.
 */
struct host_checks_env {
	struct host *hosts;
	unsigned nhosts;
	struct sim_eventq *q;
	uint64_t seed;                    /* the run's seed: tsc_sync's hand-off jitter */
	struct kvm_vm *vm;                /* the VM (one check's, or the set's only one); NULL: none */
	struct kvm_vm *const *vms;        /* the scenario's VMs, a check's "vm" indexes them;
					     NULL: env.vm is VM 0, the only one */
	unsigned nvms;
	unsigned vm_index;                /* a check's: its VM's index (trace records' vm) */
	struct platform *board;           /* the board's devices; NULL in unit tests without one */
	struct sim_trace *trace;          /* the run's stream; NULL: no records reach the kinds */
};

struct host_check_result {
	bool evaluated;           /* the check ran (a check that never ran is a failed expectation) */
	bool passed;              /* no violation: the property held, no warp, no demotion, no late timer */
	int64_t worst;            /* in the kind's unit: ppb, cycles or ps */
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
 * Sets up the n checks of cfgs (copied) on env's hosts and queue at its
 * current time: APIC timers, watchdog ticks, sync checks as events.  NULL
 * with err filled (its path set to the check's path) on a bad config.
 */
struct host_checks *host_checks_create(const struct host_checks_env *env,
				       const struct host_check_config *cfgs, unsigned n,
				       struct sim_diag *err);
void host_checks_destroy(struct host_checks *hc);

/*
 * Publish each check's first violation as a SIM_TRACE_VIOLATION record
 * (reader: the check's name, check: its kind, vcpu: the host CPU concerned,
 * value_ns: 0, amount: in the kind's unit).  NULL: none (the default).  The
 * record's time is when the check found the violation, which for
 * flag_truth is the end of the run (result.first_ps says when it happened).
 */
void host_checks_set_trace(struct host_checks *hc, const struct sim_trace *trace);

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
