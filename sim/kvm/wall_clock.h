/*
 * KVM's side of the guest's wall clock: MSR_KVM_WALL_CLOCK_NEW
 * (Documentation/virt/kvm/x86/msr.rst) and the page it points at.  A guest
 * writes the MSR; KVM fills the page once, at that write, with the host's
 * realtime minus kvmclock (the wall time at which kvmclock read 0), and
 * never again until the next write.  The guest adds kvmclock to it
 * (pvclock_read_wallclock(), arch/x86/kernel/pvclock.c).
 */
#ifndef SIM_KVM_WALL_CLOCK_H
#define SIM_KVM_WALL_CLOCK_H

#include <stdint.h>

#include "sim/kvm/kvm.h"

/* The ABI's struct pvclock_wall_clock (arch/x86/include/asm/pvclock-abi.h), 12 bytes packed. */
struct pvclock_wall_clock {
	uint32_t version;         /* odd while KVM writes; bumped twice per write */
	uint32_t sec;             /* seconds since the epoch at kvmclock 0, truncated to 32 bits */
	uint32_t nsec;
};

/*
 * kvm_write_wall_clock() (arch/x86/kvm/x86.c) at the guest's MSR write at
 * `now`: wall_nsec = host CLOCK_REALTIME - kvmclock, split into sec and
 * nsec.  KVM 6.1 computes ktime_get_real_ns() - get_kvmclock_ns(kvm); 6.12
 * calls kvm_get_wall_clock_epoch(), which takes both from one host TSC read
 * when the master clock is on.  Both are read at the same `now` here, so the
 * two versions write the same page.  wc->version must hold what the page
 * held (0 for a fresh page).
 */
void kvm_write_wall_clock(struct kvm_vm *vm, sim_ps now, struct pvclock_wall_clock *wc);

/* The page's wall time at kvmclock 0, in ns (sec * 10^9 + nsec). */
uint64_t pvclock_wall_clock_ns(const struct pvclock_wall_clock *wc);

#endif
