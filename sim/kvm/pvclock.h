/*
 * The pvclock ABI shared by KVM and its guests (Documentation/virt/kvm/x86/
 * msr.rst, MSR_KVM_SYSTEM_TIME_NEW; arch/x86/include/asm/pvclock-abi.h), and
 * the arithmetic both sides use.
 */
#ifndef SIM_KVM_PVCLOCK_H
#define SIM_KVM_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

#define PVCLOCK_TSC_STABLE_BIT (1u << 0)
#define PVCLOCK_GUEST_STOPPED (1u << 1)

/* CPUID 0x40000001 EAX bit 24: the guest may trust PVCLOCK_TSC_STABLE_BIT. */
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT 24

/* The 32-byte per-vCPU page KVM writes (packed in the ABI; naturally 32 here). */
struct pvclock_vcpu_time_info {
	uint32_t version;         /* odd while the host is writing */
	uint32_t pad0;
	uint64_t tsc_timestamp;   /* guest TSC at the update */
	uint64_t system_time;     /* guest kvmclock ns at the update */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};

_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock ABI is 32 bytes");

/*
 * KVM's kvm_get_time_scale(): shift and 32.32 multiplier such that
 * ns = scale_delta(cycles) converts base_hz cycles to scaled_hz units.  KVM
 * calls it with scaled_hz = NSEC_PER_SEC and base_hz = tsc_khz * 1000.  The
 * result is mul = floor(2^32 * scaled' / base'), where base' and scaled' are
 * base_hz and scaled_hz after KVM's halvings and doublings (shift counts
 * them, with truncation on each halving) and scaled'/base' lies in [1/2, 1).
 * For scaled_hz = 10^9 and base_hz below 2^32: base' = base_hz * 2^shift.
 * A zero rate (on which KVM's loops never end) gives shift 0, mul 0.
 */
void kvm_get_time_scale(uint64_t scaled_hz, uint64_t base_hz, int8_t *shift, uint32_t *mul);

/*
 * pvclock_scale_delta(): shift delta left (shift > 0, wrapping in 64 bits as
 * the guest's u64 does) or right (shift < 0), then (delta * mul) >> 32.
 * Inline, with pvclock_read_checked(): every guest read makes one.
 */
static inline uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;       /* wraps modulo 2^64, as in the guest */
	return (uint64_t)(((sim_u128)delta * mul) >> 32);
}

/* __pvclock_read_cycles(): system_time + scale_delta(tsc - tsc_timestamp), u64 wrap. */
uint64_t pvclock_read_cycles(const struct pvclock_vcpu_time_info *src, uint64_t tsc);

/*
 * pvclock_read_cycles() into *ns, and whether no wrap took part: false when
 * tsc is below tsc_timestamp (the u64 delta is 2^63 or more: a negative
 * delta that the guest's arithmetic scales into a leap of ~2^64 cycles) or
 * when system_time + the scaled delta passes 2^64 - 1.  The model's own
 * readers stop the run on false; Linux's guest would return *ns.
 */
static inline bool pvclock_read_checked(const struct pvclock_vcpu_time_info *src, uint64_t tsc,
					uint64_t *ns)
{
	uint64_t delta = tsc - src->tsc_timestamp;

	*ns = src->system_time + pvclock_scale_delta(delta, src->tsc_to_system_mul, src->tsc_shift);
	/* a TSC below the timestamp (delta >= 2^63 as u64), or a sum past 2^64 - 1 */
	return (int64_t)delta >= 0 && *ns >= src->system_time;
}

/*
 * What rewriting a page does to the clock a guest reads at guest TSC tsc:
 * new - old in ns (both pages read with __pvclock_read_cycles()), and the
 * two readings.  PAGE_STEP evaluates it at the rewrite's TSC.
 */
int64_t pvclock_page_step_ns(const struct pvclock_vcpu_time_info *old,
			     const struct pvclock_vcpu_time_info *new, uint64_t tsc,
			     uint64_t *old_ns, uint64_t *new_ns);

/*
 * pvclock_tsc_khz(): the TSC kHz a guest infers from the page's mul and shift,
 * ((10^6 << 32) / mul) shifted back; 0 for a page with mul 0 (never written).
 */
uint64_t pvclock_tsc_khz(const struct pvclock_vcpu_time_info *src);

#endif
