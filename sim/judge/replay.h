/*
 * Host-side replay (issue 9 §1): the pvclock pages, TSC offset writes and
 * master-clock changes a host trace recorded (kvm:kvm_pvclock_update,
 * kvm:kvm_write_tsc_offset, kvm:kvm_update_master_clock, kvm:kvm_track_tsc),
 * and a guest's clocksource watchdog lines, replayed into the models sim
 * already has: Linux's pvclock reader (sim/kvm/pvclock.h) and the watchdog's
 * decision (sim/linux/clocksource_watchdog.h).  Memory: one page and one
 * offset per (VM, vCPU), one master-clock state per VM.
 */
#ifndef SIM_JUDGE_REPLAY_H
#define SIM_JUDGE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"
#include "sim/judge/policy.h"
#include "sim/judge/trace_line.h"

#define JUDGE_FIRST_MAX 320
#define JUDGE_VM_NAME_MAX 64

struct judge_host_result {
	bool evaluated;           /* at least one comparison */
	bool passed;
	bool expectation_met;
	int64_t worst;            /* ps; watchdog: the largest |skew| replayed, in ps */
	uint64_t samples, violations;
	bool has_first;
	sim_ps first_ps;          /* the line's ref (ps), or 0 without one */
	unsigned first_line;
	char first[JUDGE_FIRST_MAX];
	char note[JUDGE_FIRST_MAX];
};

struct judge_replay;

/*
 * ncpus: vCPU numbers are below it; nvms: VMs (each its own pages, offsets
 * and master clock; cross_vcpu compares a VM's vCPUs only).  vm_names: the
 * header's "vms" (nvms of them, kept by the caller until destroy), or NULL;
 * with several VMs a violation names "VM x vCPU i", as `sim run` does.
 * tsc_khz: the header's, 0 when it has none.
 */
struct judge_replay *judge_replay_create(const struct judge_policy *p, unsigned ncpus,
					 unsigned nvms, const char (*vm_names)[JUDGE_VM_NAME_MAX],
					 uint64_t tsc_khz);
void judge_replay_destroy(struct judge_replay *r);

/*
 * One replayed line (a JT_REPLAYED type) of VM vm (< nvms) at ref_ps (0 without "ref").
 * False with d's message set on a line it cannot replay (a vCPU out of
 * range); the caller adds the position.
 */
bool judge_replay_line(struct judge_replay *r, const struct jt_line *l, unsigned vm,
		       sim_ps ref_ps, unsigned lineno, struct sim_diag *d);

/* Notes and verdicts after the last line. */
void judge_replay_finish(struct judge_replay *r);

/* Results, indexed by enum judge_host_check; lines of each kind seen. */
const struct judge_host_result *judge_replay_results(const struct judge_replay *r);
uint64_t judge_replay_lines(const struct judge_replay *r, enum jt_type t);

#endif
