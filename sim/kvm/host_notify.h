/*
 * What KVM does when its host changes under a VM (arch/x86/kvm/x86.c, Linux
 * 6.12; 6.1 does the same under older names):
 *
 * - the host's timekeeping switches clocksource: pvclock_gtod_notify()
 *   queues pvclock_gtod_update_fn(), which asks every vCPU of every VM for a
 *   master clock update when the new clocksource is not TSC-based and a
 *   guest has the master clock; each update finds no TSC clocksource, turns
 *   the master clock off and rewrites the pages without
 *   PVCLOCK_TSC_STABLE_BIT, each anchored on the host clock at its own entry;
 * - the host suspends (the freezer puts every vCPU thread: last_host_tsc)
 *   and resumes: kvm_arch_enable_virtualization_cpu() (6.1:
 *   kvm_arch_hardware_enable()) finds a host TSC below a vCPU's
 *   last_host_tsc on a TSC it trusts, marks the VM backwards_tsc_observed
 *   (no master clock for it again), adds the difference to every vCPU's TSC
 *   offset (applied at the vCPU's next kvm_arch_vcpu_load()) and asks for
 *   master clock updates.  On a TSC Linux does not trust, vcpu_load instead
 *   restarts each guest TSC from its last value.
 *
 * Either way the guest TSC does not count the sleep: it continues from its
 * value at the suspend, while kvmclock (the host's boot-based clock) jumps
 * over it.
 */
#ifndef SIM_KVM_HOST_NOTIFY_H
#define SIM_KVM_HOST_NOTIFY_H

#include <stdbool.h>

#include "sim/kvm/kvm.h"

/* The host's clocksource changed (pvclock_gtod_notify()). */
void kvm_pvclock_gtod_notify(struct kvm_vm *vm, sim_ps now);

/*
 * The host suspends at `now`: every vCPU is put (last_host_tsc, last_guest_tsc)
 * and the VM stops.  Returns whether it was running.
 */
bool kvm_host_suspend(struct kvm_vm *vm, sim_ps now);

/*
 * The host resumed at `now` (call after its TSCs are what resume left):
 * kvm_arch_enable_virtualization_cpu() on the boot CPU, then every vCPU
 * thread is loaded again; with `run` the VM runs on (its requests are
 * serviced at `now`).  A host TSC that wrapped past 2^64 since a vCPU was
 * put (KVM would take it for ahead) stops the run instead (sim_eventq_fail
 * on vm->q, no path: the caller adds the suspend's).
 */
void kvm_host_resume(struct kvm_vm *vm, sim_ps now, bool run);

/* kvm_check_tsc_unstable(): the host's TSCs disagree or Linux marked the TSC unstable. */
bool kvm_host_tsc_unstable(const struct kvm_vm *vm);

#endif
