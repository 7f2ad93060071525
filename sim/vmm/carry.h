/*
 * What a VMM carries across a stop of the VM (private to sim/vmm): the
 * guest TSCs it reads at the stop and writes back before the VM runs again,
 * frozen or advanced by the realtime that passed.  Shared by migration and
 * snapshot/restore.
 */
#ifndef SIM_VMM_CARRY_H
#define SIM_VMM_CARRY_H

#include <stdint.h>

#include "sim/kvm/kvm.h"

/* KVM_GET_MSRS IA32_TSC on every vCPU at now. */
void vmm_save_tscs(const struct kvm_vm *vm, sim_ps now, uint64_t saved[]);

/* The destination's realtime since saved_realtime_ns (0 when it is behind). */
uint64_t vmm_realtime_elapsed_ns(const struct host *dst, sim_ps now, uint64_t saved_realtime_ns);

/*
 * KVM_SET_MSRS IA32_TSC on every vCPU: saved[i] advanced by elapsed_ns at the
 * vCPU's own rate (0: frozen), plus shift_cycles[i] when shift_cycles is not NULL.
 */
void vmm_restore_tscs(struct kvm_vm *vm, sim_ps now, const uint64_t saved[], uint64_t elapsed_ns,
		      const int64_t *shift_cycles);

/* A vCPU's APIC timer as a VMM saves it: KVM_GET_LAPIC (mode, count) and IA32_TSC_DEADLINE. */
struct vmm_timer_image {
	enum kvm_lapic_timer_mode mode;
	uint64_t period_ns;               /* one-shot / periodic: the initial count's delay */
	uint64_t tsc_deadline;            /* KVM_GET_MSRS: 0 once expired, even if undelivered */
};

/* Every vCPU's timer at the stop.  An expired, undelivered interrupt is not in it. */
void vmm_save_timers(const struct kvm_vm *vm, struct vmm_timer_image img[]);

/*
 * KVM_SET_LAPIC on every vCPU of the destination: the APIC starts from reset
 * (reset_apics) or as it is; then the saved mode, and a count-down timer
 * restarts from its initial count (KVM restarts TMICT, not the remaining count).
 */
void vmm_restore_lapics(struct kvm_vm *vm, const struct vmm_timer_image img[], sim_ps now);

/* KVM_SET_MSRS IA32_TSC_DEADLINE on every vCPU: armed against each guest TSC of now. */
void vmm_restore_deadlines(struct kvm_vm *vm, const struct vmm_timer_image img[], sim_ps now);

/* The guest TSC a vCPU of rate tsc_khz counts in ns (negative ns: negative cycles). */
int64_t vmm_cycles_of_ns(int64_t ns, uint64_t tsc_khz);

#endif
