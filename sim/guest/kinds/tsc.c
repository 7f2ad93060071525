/*
 * tsc: Linux's tsc clocksource.  In a KVM guest the kernel took its TSC kHz
 * from kvmclock at boot (kvm_get_tsc_khz() -> pvclock_tsc_khz()) and converts
 * guest TSC cycles with its own mult/shift, never learning that the TSC rate
 * changed.  On bare metal it is the host kernel's own tsc clocksource,
 * anchored on the boot CPU's TSC at t = 0.
 */
#include "sim/guest/kinds/kind.h"

/*
 * The host kernel's clocksource converts with the kernel's tsc_khz (taken
 * from CPUID or calibrated, as the host decided it: sim/cpu-tsc/host.h).
 */
static bool host_tsc_khz(struct guest_reader *r, struct sim_diag *err)
{
	r->tsc_khz = r->p.tsc_khz ? r->p.tsc_khz : r->p.host->tsc_khz;
	return guest_reader_check_tsc_khz(r, err);
}

/* The guest's tsc_khz: what pvclock_tsc_khz() derives from the mul/shift KVM writes. */
bool guest_tsc_khz(struct guest_reader *r, struct sim_diag *err)
{
	const struct kvm_vcpu *v = guest_reader_vcpu(r);

	r->tsc_khz = r->p.tsc_khz;
	if (!r->tsc_khz) {
		struct pvclock_vcpu_time_info page = { 0 };

		kvm_get_time_scale(SIM_NS_PER_S, v->virtual_tsc_khz * 1000, &page.tsc_shift,
				   &page.tsc_to_system_mul);
		r->tsc_khz = pvclock_tsc_khz(&page);
	}
	return guest_reader_check_tsc_khz(r, err);
}

static bool tsc_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	if (r->p.host) {
		if (!host_tsc_khz(r, err))
			return false;
		clocksource_init_freq(&r->cs, UINT64_MAX, 1000, (uint32_t)r->tsc_khz);
		r->boot_tsc = host_rdtsc(r->p.host, 0, now);
		r->boot_ns = host_mono_ns(r->p.host, now);
		return true;
	}
	if (!guest_tsc_khz(r, err))
		return false;
	clocksource_init_freq(&r->cs, UINT64_MAX, 1000, (uint32_t)r->tsc_khz);
	r->boot_tsc = kvm_vcpu_guest_tsc(guest_reader_vcpu(r), now);
	/* Anchor the guest's tsc clock to kvmclock's reading at `now`. */
	r->boot_ns = (uint64_t)((int64_t)host_mono_ns(r->vm->host, now) + r->vm->kvmclock_offset);
	return true;
}

static bool tsc_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	uint64_t tsc = guest_reader_rdtsc(r, now);

	/* A TSC below the anchor gives no time, as Linux's clocksource_delta() does for negative deltas. */
	*value_ns = tsc < r->boot_tsc ? r->boot_ns :
		    r->boot_ns + clocksource_cyc2ns(&r->cs, tsc - r->boot_tsc);
	return true;
}

const struct reader_kind_ops reader_kind_tsc = {
	.init = tsc_kind_init,
	.finish = tsc_kind_finish,
};
