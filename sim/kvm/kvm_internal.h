/*
 * What kvm.c and tsc_sync.c share (private to sim/kvm): the per-version
 * behaviour table and the small helpers both halves of KVM's TSC code use.
 */
#ifndef SIM_KVM_KVM_INTERNAL_H
#define SIM_KVM_KVM_INTERNAL_H

#include "sim/kvm/kvm.h"

#define KVM_PPM 1000000ULL
#define KVM_HZ_PER_KHZ 1000ULL

/* What differs between the modelled KVM versions: one row per version (kvm.c). */
struct kvm_behaviour {
	/*
	 * kvm_track_tsc_matching() asks for a master clock update on every TSC
	 * write while the master clock is on or could be, even one that joins
	 * the current generation; 6.7 stopped that (c52ffadc65e2, "KVM: x86:
	 * Don't unnecessarily force masterclock update on vCPU hotplug").
	 */
	bool matched_write_updates_masterclock;
	/*
	 * kvm_synchronize_tsc() applies its one-second slop to a non-zero
	 * host-initiated write only once user space has written a TSC before
	 * (kvm->arch.user_set_tsc); before 6.7 (bf328e22e472, "KVM: x86: Don't
	 * sync user-written TSC against startup values") the first write was
	 * matched against the value KVM wrote when it created the vCPUs.
	 */
	bool slop_needs_user_set_tsc;
};

const struct kvm_behaviour *kvm_behaviour_of(const struct kvm_vm *vm);

/* kvm_compute_l1_tsc_offset(): the offset that makes the guest TSC read `target` now. */
int64_t kvm_l1_tsc_offset_for(const struct kvm_vcpu *v, sim_ps now, uint64_t target);

/* nsec_to_cycles() at the vCPU's rate (KVM uses a mult/shift pair for the same). */
uint64_t kvm_ns_to_guest_cycles(const struct kvm_vcpu *v, uint64_t ns);

/* A SIM_TRACE_TSC_WRITE record of v's offset and ratio, if anyone listens. */
void kvm_trace_tsc_write(const struct kvm_vcpu *v, sim_ps now);

/* kvm_check_tsc_unstable(): the host's TSCs are not synchronised. */
bool kvm_host_tsc_unstable(const struct kvm_vm *vm);

/* All online vCPUs are in the current TSC generation (nr_vcpus_matched_tsc + 1 == online). */
bool kvm_vcpus_matched(const struct kvm_vm *vm);

/* kvm_track_tsc_matching(): ask v for a master clock update when KVM would. */
void kvm_track_tsc_matching(struct kvm_vcpu *v, bool new_generation, sim_ps now);

/*
 * kvm_synchronize_tsc(): a write of `value` to v's TSC, by user space
 * (KVM_SET_MSRS, host_initiated; `user`) or by KVM itself when it creates the
 * vCPU (kvm_arch_vcpu_postcreate).
 */
void kvm_synchronize_tsc(struct kvm_vcpu *v, sim_ps now, uint64_t value, bool user);

/* The exit event of a vCPU that catches up: asks for a clock update, comes back. */
void kvm_catchup_exit(struct sim_eventq *q, struct sim_event *ev, sim_ps now);

/* Arm v's exits while it catches up (idempotent; nothing without catch-up). */
void kvm_catchup_start(struct kvm_vcpu *v, sim_ps now);

/*
 * The catch-up step of kvm_guest_time_update(): with tsc_always_catchup, if
 * the guest TSC (tsc_timestamp, read at kernel_ns) is behind what the
 * requested rate gives since the generation's write, advance the offset to
 * it.  Returns the page's tsc_timestamp.
 */
uint64_t kvm_catchup(struct kvm_vcpu *v, uint64_t kernel_ns, uint64_t tsc_timestamp, sim_ps now);

#endif
