/*
 * pvclock arithmetic, as KVM (arch/x86/kvm/x86.c: kvm_get_time_scale()) and
 * the guest (arch/x86/include/asm/pvclock.h, arch/x86/kernel/pvclock.c) do it.
 * All of it is unsigned 64-bit arithmetic with a 128-bit product where the
 * kernel uses mul_u64_u32_shr(); overflow wraps exactly as a guest's u64 does.
 */
#include "sim/kvm/pvclock.h"

#include "sim/core/simtime.h"

#define HIGH32 0xffffffff00000000ULL

/*
 * Finds shift and mul with  scaled = ((base << shift) * mul) >> 32  for one
 * second's worth of counts.  The first loop halves base until it is at most
 * twice scaled and fits in 32 bits; the second doubles it (or halves scaled
 * when doubling would overflow) until it is strictly above scaled.  So the
 * final 32.32 fraction scaled/base' lies in [1/2, 1) and fits in 32 bits.
 */
void kvm_get_time_scale(uint64_t scaled_hz, uint64_t base_hz, int8_t *shift, uint32_t *mul)
{
	uint64_t tps64 = base_hz;
	uint64_t scaled64 = scaled_hz;
	int32_t s = 0;
	uint32_t tps32;

	if (scaled_hz == 0 || base_hz == 0) {
		*shift = 0;
		*mul = 0;
		return;
	}
	while (tps64 > scaled64 * 2 || (tps64 & HIGH32)) {
		tps64 >>= 1;
		s--;
	}

	tps32 = (uint32_t)tps64;
	while (tps32 <= scaled64 || (scaled64 & HIGH32)) {
		if ((scaled64 & HIGH32) || (tps32 & 0x80000000u))
			scaled64 >>= 1;
		else
			tps32 <<= 1;
		s++;
	}

	*shift = (int8_t)s;
	/* div_frac(): (scaled << 32) / tps, a pure fraction since scaled < tps. */
	*mul = (uint32_t)((scaled64 << 32) / tps32);
}

uint64_t pvclock_read_cycles(const struct pvclock_vcpu_time_info *src, uint64_t tsc)
{
	/* A TSC below the timestamp wraps to a huge delta, exactly as in Linux. */
	uint64_t delta = tsc - src->tsc_timestamp;

	return src->system_time + pvclock_scale_delta(delta, src->tsc_to_system_mul,
						      src->tsc_shift);
}

uint64_t pvclock_tsc_khz(const struct pvclock_vcpu_time_info *src)
{
	uint64_t khz;

	if (src->tsc_to_system_mul == 0)
		return 0;
	khz = (1000000ULL << 32) / src->tsc_to_system_mul;

	if (src->tsc_shift < 0)
		khz <<= -src->tsc_shift;
	else
		khz >>= src->tsc_shift;
	return khz;
}

int64_t pvclock_page_step_ns(const struct pvclock_vcpu_time_info *old,
			     const struct pvclock_vcpu_time_info *new, uint64_t tsc,
			     uint64_t *old_ns, uint64_t *new_ns)
{
	*old_ns = pvclock_read_cycles(old, tsc);
	*new_ns = pvclock_read_cycles(new, tsc);
	return (int64_t)(*new_ns - *old_ns);
}
