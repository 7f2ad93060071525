/*
 * The host clock behind kvmclock, and what a master clock update does to it
 * (arch/x86/kvm/x86.c).
 *
 * Every master clock update (pvclock_update_vm_gtod_copy(), from
 * KVM_REQ_MASTERCLOCK_UPDATE) takes a new pair (host TSC, host clock ns) and
 * every page is rewritten from it, so kvmclock is re-anchored to the host
 * clock.  Between updates a page runs at the guest TSC's rate through the
 * page's mul/shift, which is the host's tsc_khz passed through the TSC
 * scaling ratio and truncated twice (the ratio, then kvm_scale_tsc() of the
 * kHz), while the host clock runs at the host TSC through the clocksource's
 * own mult/shift: the two slopes differ, and each re-anchor steps kvmclock by
 * the difference accumulated since the last one (F06: -3509 ns after 5 s on a
 * 2999999 kHz host with the guest scaled to 1499999 kHz).  Under NTP the host
 * CLOCK_MONOTONIC differs by the NTP frequency as well, which KVM before 5.5
 * anchored to.
 *
 * KVM_ANCHOR_GUEST_TSC models the correction of David Woodhouse's series
 * ("KVM_[GS]ET_CLOCK_GUEST for accurate KVM clock migration", 2024): the
 * kvmclock the guest saw at a guest TSC is carried into the new page, so
 * kvmclock stays a function of the guest TSC.  It is not in 6.1 or 6.12.
 */
#include "sim/kvm/kvm.h"

uint64_t kvm_host_clock_ns(const struct kvm_vm *vm, sim_ps now)
{
	if (vm->clock_base == KVM_CLOCK_BASE_MONO)
		return host_ntp_mono_ns(vm->host, now);
	return host_mono_ns(vm->host, now);
}

bool kvm_host_clock_and_tsc(const struct kvm_vm *vm, unsigned cpu, sim_ps now, uint64_t *ns,
			    uint64_t *tsc)
{
	if (!host_mono_and_tsc(vm->host, cpu, now, ns, tsc))
		return false;
	/* the NTP-adjusted clock at the same instant as that TSC read */
	if (vm->clock_base == KVM_CLOCK_BASE_MONO)
		*ns = host_ntp_mono_ns(vm->host, now);
	return true;
}

void kvm_masterclock_reanchor(struct kvm_vm *vm, bool was_master, sim_ps now)
{
	const struct kvm_vcpu *v = &vm->vcpus[0];
	uint64_t guest_tsc, seen_ns;

	(void)now;
	vm->last_reanchor_ns = 0;
	if (vm->anchor != KVM_ANCHOR_GUEST_TSC || !was_master || !vm->use_master_clock ||
	    v->clock_updates == 0)
		return;
	/*
	 * vCPU 0's next page will say tsc_timestamp = guest TSC of the pair,
	 * system_time = master_kernel_ns + kvmclock_offset: make that system
	 * time what the current page gives at the same guest TSC.
	 */
	guest_tsc = kvm_read_l1_tsc(v, vm->master_cycle_now);
	seen_ns = pvclock_read_cycles(&v->pvti, guest_tsc);
	vm->last_reanchor_ns = (int64_t)(seen_ns - vm->master_kernel_ns -
					 (uint64_t)vm->kvmclock_offset);
	vm->kvmclock_offset = (int64_t)(seen_ns - vm->master_kernel_ns);
}
