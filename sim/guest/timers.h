/*
 * Guest timers: what a guest kernel does with its local APIC timer on each
 * vCPU, as an init that loops `sleep 100ms` would make it (Firecracker
 * #4099): arm the timer, take its interrupt, arm it again.  Modes:
 * - deadline: TSC-deadline (Linux's lapic_next_deadline()): the deadline is
 *   the guest TSC at the interrupt plus the delay in cycles at the TSC rate
 *   the guest calibrated at boot (the vCPU's at t = 0, kept across
 *   migrations and restores), re-armed at each interrupt;
 * - oneshot: a one-shot count for the delay, re-armed at each interrupt;
 * - periodic: armed once, KVM re-arms it every period.
 * The timer is KVM's (sim/kvm/vcpu_state.h): its interrupt reaches the
 * guest only while the vCPU runs.  At each interrupt the guest's handler
 * does what Linux's soft-lockup watchdog would do first: it finds the page's
 * PVCLOCK_GUEST_STOPPED and clears it (kvm_check_and_clear_guest_paused()),
 * after the record of the interrupt is published (SIM_TRACE_GUEST_TIMER:
 * the oracle's timer_live and disc_signal checks read those records).
 */
#ifndef SIM_GUEST_TIMERS_H
#define SIM_GUEST_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/trace.h"
#include "sim/kvm/kvm.h"

enum guest_timer_mode {
	GUEST_TIMER_ONESHOT,
	GUEST_TIMER_PERIODIC,
	GUEST_TIMER_DEADLINE,
	GUEST_TIMER_MODE_COUNT
};

struct guest_timer_params {
	unsigned vcpu;
	enum guest_timer_mode mode;
	sim_ps period_ps;         /* the delay (one-shot, deadline) or the period; > 0 */
	sim_ps start_ps;          /* when the guest first arms it */
};

struct guest_timers;

/*
 * One timer per vCPU named in p (at most one each; vCPUs below vm->nvcpus),
 * each first armed at its start_ps (queued on vm->q).  Records go to trace
 * (NULL: none).  NULL with err on bad parameters.
 */
struct guest_timers *guest_timers_create(struct kvm_vm *vm, const struct guest_timer_params *p,
					 unsigned n, struct sim_trace *trace, struct sim_diag *err);
void guest_timers_destroy(struct guest_timers *g);

/* Interrupts the guest took on vCPU v so far. */
uint64_t guest_timers_fires(const struct guest_timers *g, unsigned vcpu);

/* "oneshot", "periodic", "deadline". */
const char *guest_timer_mode_name(enum guest_timer_mode m);

#endif
