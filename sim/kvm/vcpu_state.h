/*
 * The per-vCPU state a VMM pauses, saves and restores around the clock:
 * KVM_KVMCLOCK_CTRL (the guest-stopped request) and the APIC timer KVM
 * emulates in the kernel (arch/x86/kvm/lapic.c: one-shot, periodic and
 * TSC-deadline modes on a host hrtimer), with IA32_TSC_DEADLINE read and
 * written in guest-TSC terms, as KVM_GET_MSRS / KVM_SET_MSRS see it.
 *
 * What KVM does and sim follows (6.1 and 6.12 alike):
 * - A deadline write is compared with the guest TSC at the write
 *   (start_sw_tscdeadline): the hrtimer is armed for (deadline - guest TSC)
 *   / virtual_tsc_khz from now, or expires at once if the deadline passed.
 *   A later TSC write does not re-arm it: a deadline restored before
 *   IA32_TSC is interpreted against the TSC the vCPU had before the restore
 *   (Firecracker #4099, fixed by PR #4666).
 * - A deadline write outside TSC-deadline mode is dropped, and switching
 *   the LVT mode to or from TSC-deadline clears the deadline and the count
 *   (apic_update_lvtt).
 * - The hrtimer runs on host time, paused VM or not.  Its expiry clears the
 *   deadline (a one-shot's count) and leaves the interrupt pending
 *   (kvm_timer.pending) until the vCPU runs; then it is injected.  No
 *   KVM_GET_* ioctl returns that pending interrupt: a snapshot taken in the
 *   window saves a deadline of 0 and no interrupt (Firecracker PR #4618's
 *   diagnosis), and the restored guest never re-arms.
 * Simplified: the APIC bus runs at 1 GHz (KVM's APIC_BUS_CYCLE_NS = 1), so a
 * count-down timer is given as its period in ns; injection is immediate on
 * a running vCPU (posted interrupts), and the interrupt goes to a callback,
 * not through IRR/ISR.
 */
#ifndef SIM_KVM_VCPU_STATE_H
#define SIM_KVM_VCPU_STATE_H

#include "sim/kvm/kvm.h"

/*
 * KVM_KVMCLOCK_CTRL (kvm_set_guest_paused(), x86.c): sets the vCPU's
 * pvclock_set_guest_stopped_request and KVM_REQ_CLOCK_UPDATE.  The flag
 * reaches the page only when that request is serviced, at the vCPU's next
 * entry: a paused vCPU's page does not carry it until the VM runs again.
 */
void kvm_set_guest_paused(struct kvm_vcpu *v, sim_ps now);

/* Reset state (timer disarmed, one-shot mode, nothing pending); events named after v. */
void kvm_lapic_init(struct kvm_vcpu *v);
void kvm_lapic_finish(struct kvm_vcpu *v);

/* Where the guest takes its timer interrupts. */
void kvm_lapic_set_irq(struct kvm_vcpu *v, kvm_timer_irq_fn *fn, void *ctx);

/* The LVT timer mode (a guest write or KVM_SET_LAPIC): apic_update_lvtt(). */
void kvm_lapic_set_mode(struct kvm_vcpu *v, enum kvm_lapic_timer_mode mode, sim_ps now);

/* WRMSR / KVM_SET_MSRS IA32_TSC_DEADLINE (kvm_set_lapic_tscdeadline_msr()). */
void kvm_lapic_write_tscdeadline(struct kvm_vcpu *v, uint64_t deadline, sim_ps now);

/* RDMSR / KVM_GET_MSRS IA32_TSC_DEADLINE: 0 outside TSC-deadline mode, and once expired. */
uint64_t kvm_lapic_read_tscdeadline(const struct kvm_vcpu *v);

/* A TMICT write in one-shot or periodic mode: period_ns from now (0 stops the timer). */
void kvm_lapic_start_count(struct kvm_vcpu *v, uint64_t period_ns, sim_ps now);

/*
 * A fresh vCPU's APIC (what a restore starts from): timer cancelled, reset
 * mode, deadline and count 0, any pending interrupt dropped.
 */
void kvm_lapic_reset(struct kvm_vcpu *v);

/*
 * The guest-TSC cycles between the TSC the current deadline was armed
 * against and the TSC the vCPU reads now for that same instant: 0 unless the
 * TSC was written after the deadline (positive: armed against a TSC behind).
 */
int64_t kvm_lapic_deadline_skew(const struct kvm_vcpu *v, sim_ps now);

/* The VM runs again (kvm_vm_resume): inject what expired while it was stopped. */
void kvm_lapic_vm_resumed(struct kvm_vm *vm, sim_ps now);

#endif
