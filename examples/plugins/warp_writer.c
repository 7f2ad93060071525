/*
 * Example 2: a writer with a real historical bug, the kvmclock backwards
 * warp that Zachary Amsden's commit 1d5f066e ("KVM: x86: Fix a possible
 * backwards warp of kvmclock", Linux 2.6.37) fixed.
 *
 * Before the fix, KVM anchored each new page to the host's kernel time read
 * at the update, and that time may be much coarser than the TSC: as the
 * commit explains, down to the timer tick (HZ).  The guest, meanwhile,
 * extrapolates the old page with the TSC at nanosecond resolution, so it
 * may already have seen a time later than the new page's system_time at
 * the same TSC: the clock goes back by up to one tick.  The fix computed
 * the time the guest could have observed from the old page and never
 * anchored the new page below it.
 *
 * This writer is the faithful one (faithful_writer.c) with the pre-fix
 * behaviour: kernel time read at the granularity of a HZ = 250 tick (4 ms),
 * and no clamp against what the old page gives.
 */
#include <sim/plugin.h>

__extension__ typedef unsigned __int128 u128;

#define TICK_NS 4000000u      /* HZ = 250 */

static uint64_t scale_tsc(uint64_t tsc, uint64_t ratio, uint32_t frac_bits)
{
	if (ratio == (uint64_t)1 << frac_bits)
		return tsc;
	return (uint64_t)(((u128)tsc * ratio) >> frac_bits);
}

/* kvm_get_time_scale(), as in faithful_writer.c. */
static void time_scale(uint64_t scaled_hz, uint64_t base_hz, int8_t *shift, uint32_t *mul)
{
	uint64_t base = base_hz, scaled = scaled_hz;
	uint32_t base32;
	int s = 0;

	if (base_hz == 0) {
		*shift = 0;
		*mul = 0;
		return;
	}
	while (base > scaled * 2 || base >> 32) {
		base >>= 1;
		s--;
	}
	base32 = (uint32_t)base;
	while (base32 <= scaled || scaled >> 32) {
		if (scaled >> 32 || base32 & 0x80000000u)
			scaled >>= 1;
		else
			base32 <<= 1;
		s++;
	}
	*shift = (int8_t)s;
	*mul = (uint32_t)((scaled << 32) / base32);
}

static int write_page(void *state, const struct sim_pvclock_writer_in *in,
		      struct sim_pvclock_page *page)
{
	uint64_t host_tsc = in->use_master_clock ? in->master_cycle_now : in->host_tsc;
	uint64_t kernel_ns = in->use_master_clock ? in->master_kernel_ns : in->host_clock_ns;
	uint64_t tgt_khz = scale_tsc(in->host_tsc_khz, in->tsc_scaling_ratio,
				     in->tsc_scaling_frac_bits);

	(void)state;
	/* the bug: kernel time as a tick-granular clock gives it (the TSC was read exactly) */
	kernel_ns -= kernel_ns % TICK_NS;
	page->version = (in->prev.version + 1) | 1;
	time_scale(1000000000u, tgt_khz * 1000u, &page->tsc_shift, &page->tsc_to_system_mul);
	page->tsc_timestamp = scale_tsc(host_tsc, in->tsc_scaling_ratio, in->tsc_scaling_frac_bits) +
			      (uint64_t)in->tsc_offset;
	page->system_time = kernel_ns + (uint64_t)in->kvmclock_offset;
	page->flags = (uint8_t)((in->use_master_clock ? SIM_PVCLOCK_TSC_STABLE_BIT : 0) |
				(in->prev.flags & SIM_PVCLOCK_GUEST_STOPPED));
	page->version++;
	return SIM_PLUGIN_OK;
}

static const struct sim_plugin_pvclock_writer writer = { .write = write_page };

static const struct sim_plugin_descriptor descriptor = {
	.abi_version = SIM_PLUGIN_ABI_VERSION,
	.min_abi_version = 1,
	.name = "pre-1d5f066e-writer",
	.pvclock_writer = &writer,
};

const struct sim_plugin_descriptor *sim_plugin_entry(void);

const struct sim_plugin_descriptor *sim_plugin_entry(void)
{
	return &descriptor;
}
