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

/* The guest TSC a vCPU of rate tsc_khz counts in ns (negative ns: negative cycles). */
int64_t vmm_cycles_of_ns(int64_t ns, uint64_t tsc_khz);

#endif
