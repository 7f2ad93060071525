/*
 * KVM and host-side events: the host's clocksource changes, host suspend
 * and resume.  See host_notify.h; arch/x86/kvm/x86.c (6.12):
 * pvclock_gtod_notify(), pvclock_gtod_update_fn(),
 * kvm_arch_enable_virtualization_cpu(), kvm_arch_vcpu_load(),
 * adjust_tsc_offset_host(), pvclock_update_vm_gtod_copy().
 *
 * Simplifications: kvm_guest_has_master_clock is per VM here (one VM); the
 * irq_work and work item run at the notification's instant; only the boot
 * CPU's kvm_arch_enable_virtualization_cpu() is played (the others run
 * after it has reset every last_host_tsc, and on a host whose TSCs agree
 * they find nothing more); every vCPU thread is loaded at the resume
 * instant, on the pCPU it ran on.
 */
#include "sim/kvm/host_notify.h"

#include <inttypes.h>

#include "sim/core/diag.h"
#include "sim/kvm/vcpu_state.h"

bool kvm_host_tsc_unstable(const struct kvm_vm *vm)
{
	return !vm->host->tsc_synchronized || vm->host->tsc_unstable;
}

void kvm_pvclock_gtod_notify(struct kvm_vm *vm, sim_ps now)
{
	/* only a clocksource the master clock cannot follow, and only if a guest uses it */
	if (vm->host->clocksource == HOST_CS_TSC || !vm->use_master_clock)
		return;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_vcpu_request(&vm->vcpus[i], KVM_REQ_MASTERCLOCK_UPDATE, now);
}

bool kvm_host_suspend(struct kvm_vm *vm, sim_ps now)
{
	bool running = vm->running;

	/*
	 * KVM's PM notifier runs first (PM_SUSPEND_PREPARE, before the freezer):
	 * kvm_arch_suspend_notifier() (x86.c, since 5.14; the same in 6.1 and
	 * 6.12) calls kvm_set_guest_paused() on every vCPU, so
	 * PVCLOCK_GUEST_STOPPED reaches each page at its first entry after the
	 * resume and the guest's watchdog forgives the sleep.  Then the freezer
	 * stops every vCPU thread: kvm_arch_vcpu_put().
	 */
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		kvm_set_guest_paused(v, now);

		v->last_host_tsc = host_rdtsc(vm->host, v->pcpu, now);
		v->last_guest_tsc = kvm_read_l1_tsc(v, v->last_host_tsc);
	}
	if (running)
		kvm_vm_pause(vm, now);
	return running;
}

/*
 * kvm_arch_enable_virtualization_cpu() on `cpu`: the host cycles to add to
 * every vCPU's offset (its tsc_offset_adjustment), 0 when the TSC did not go
 * backwards.
 */
static uint64_t enable_virtualization_cpu(struct kvm_vm *vm, unsigned cpu, sim_ps now)
{
	uint64_t local_tsc = host_rdtsc(vm->host, cpu, now);
	uint64_t max_tsc = 0;
	bool stable = !kvm_host_tsc_unstable(vm);
	bool backwards = false;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		if (!stable && v->pcpu == cpu)
			kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, now);
		if (stable && v->last_host_tsc > local_tsc) {
			backwards = true;
			if (v->last_host_tsc > max_tsc)
				max_tsc = v->last_host_tsc;
		}
	}
	if (!backwards)
		return 0;
	/* "Sometimes, even reliable TSCs go backwards": every vCPU gets the same delta */
	vm->backwards_tsc_observed = true;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		v->last_host_tsc = local_tsc;
		kvm_vcpu_request(v, KVM_REQ_MASTERCLOCK_UPDATE, now);
	}
	/* TSC write matching is disabled: the next write starts a new generation */
	vm->last_tsc_nsec = 0;
	vm->last_tsc_write = 0;
	return max_tsc - local_tsc;
}

/* kvm_arch_vcpu_load() after the thaw: the pending adjustment, or the unstable-TSC restart. */
static void vcpu_load(struct kvm_vcpu *v, sim_ps now, uint64_t adjust)
{
	struct kvm_vm *vm = v->vm;

	if (adjust) {
		/* adjust_tsc_offset_host(): the host cycles through the vCPU's ratio */
		uint64_t guest_cycles = kvm_scale_tsc(vm, adjust, v->tsc_scaling_ratio);

		/* KVM's offset is a u64: the sum wraps modulo 2^64, never a signed overflow */
		kvm_vcpu_write_tsc_offset(v, now, (int64_t)((uint64_t)v->tsc_offset + guest_cycles));
		kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, now);
	}
	if (kvm_host_tsc_unstable(vm)) {
		/* the guest TSC continues from where it was put (kvm_compute_l1_tsc_offset()) */
		uint64_t scaled = kvm_scale_tsc(vm, host_rdtsc(vm->host, v->pcpu, now),
						v->tsc_scaling_ratio);

		kvm_vcpu_write_tsc_offset(v, now, (int64_t)(v->last_guest_tsc - scaled));
		kvm_vcpu_request(v, vm->use_master_clock ? KVM_REQ_CLOCK_UPDATE :
				 KVM_REQ_CLOCK_UPDATE | KVM_REQ_GLOBAL_CLOCK_UPDATE, now);
	}
}

/*
 * KVM compares last_host_tsc > local_tsc as u64 (x86.c, the same in 6.1's
 * kvm_arch_hardware_enable()): a host TSC that came back above 2^63 of
 * cycles ahead of a vCPU's last_host_tsc has in truth wrapped past 2^64
 * (firmware wrote a negative TSC_ADJUST over a reset TSC), yet KVM sees it
 * ahead, compensates nothing, and the guest TSC steps back by the
 * difference: kvmclock then scales a negative delta into a leap of about
 * 2^64 cycles (195 years at 3 GHz).  The model has no meaning for that:
 * stop the run, naming the cause.
 */
static bool check_resume_wrap(struct kvm_vm *vm, sim_ps now, struct sim_diag *err)
{
	uint64_t local_tsc = host_rdtsc(vm->host, 0, now);
	char t[32];

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct kvm_vcpu *v = &vm->vcpus[i];
		uint64_t back = v->last_host_tsc - local_tsc;

		if (local_tsc <= v->last_host_tsc || (int64_t)back <= 0)
			continue;
		return sim_diag_fail(err, "host \"%s\" resumed at %s s with CPU 0's TSC at %" PRIu64
				     ", which is %" PRIu64 " cycles below vCPU %u's last_host_tsc %"
				     PRIu64 " once wrapped past 2^64: KVM's unsigned comparison "
				     "(kvm_arch_enable_virtualization_cpu()) would not compensate "
				     "and the guest's kvmclock would wrap", vm->host->name,
				     sim_format_seconds(t, now), local_tsc, back, i, v->last_host_tsc);
	}
	return true;
}

void kvm_host_resume(struct kvm_vm *vm, sim_ps now, bool run)
{
	struct sim_diag err;
	uint64_t adjust;

	sim_diag_clear(&err);
	if (!check_resume_wrap(vm, now, &err)) {
		sim_eventq_fail(vm->q, &err);
		return;
	}
	/* the boot CPU comes up first */
	adjust = enable_virtualization_cpu(vm, 0, now);

	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_load(&vm->vcpus[i], now, adjust);
	if (run)
		kvm_vm_resume(vm, now);
}
