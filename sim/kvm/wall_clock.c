/* MSR_KVM_WALL_CLOCK_NEW: see wall_clock.h. */
#include "sim/kvm/wall_clock.h"

void kvm_write_wall_clock(struct kvm_vm *vm, sim_ps now, struct pvclock_wall_clock *wc)
{
	struct kvm_clock_data clock;
	uint64_t real_ns = host_realtime_ns(vm->host, now);
	uint64_t wall_ns;

	/* KVM: an odd version is a first write over junk; make it even, then odd while writing. */
	if (wc->version & 1)
		wc->version++;
	wc->version++;
	kvm_get_clock(vm, now, &clock);
	/* unsigned, as KVM's u64: a kvmclock ahead of the host's realtime wraps */
	wall_ns = real_ns - clock.clock;
	wc->nsec = (uint32_t)(wall_ns % SIM_NS_PER_S);
	wc->sec = (uint32_t)(wall_ns / SIM_NS_PER_S);   /* overflows in 2106, as KVM's does */
	wc->version++;
}

uint64_t pvclock_wall_clock_ns(const struct pvclock_wall_clock *wc)
{
	return (uint64_t)wc->sec * SIM_NS_PER_S + wc->nsec;
}
