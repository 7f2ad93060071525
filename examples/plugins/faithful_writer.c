/*
 * Example 1: a faithful pvclock writer.  The arithmetic of Linux/KVM's
 * kvm_guest_time_update() (arch/x86/kvm/x86.c, as of Linux 6.1 to 6.12),
 * written from its documented behaviour:
 *  - the pair (host TSC, host ns) is the master clock's when it is on,
 *    else the host TSC and the host clock read now;
 *  - the guest's TSC rate is the host's tsc_khz through the vCPU's scaling
 *    ratio (kvm_scale_tsc()), and mul/shift come from kvm_get_time_scale()
 *    for 10^9 ns per second over that rate;
 *  - tsc_timestamp is the guest TSC of the pair's host TSC (kvm_read_l1_tsc()),
 *    system_time is the pair's ns plus kvmclock_offset;
 *  - PVCLOCK_TSC_STABLE_BIT only with the master clock, PVCLOCK_GUEST_STOPPED
 *    kept until the guest clears it and added on KVM_KVMCLOCK_CTRL;
 *  - the version is made odd before and even after the update.
 *
 * Build: cc $(pkg-config --cflags sim-plugin) -shared -fPIC -o faithful_writer.so faithful_writer.c
 */
#include <sim/plugin.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t scale_tsc(uint64_t tsc, uint64_t ratio, uint32_t frac_bits)
{
	if (ratio == (uint64_t)1 << frac_bits)
		return tsc;
	return (uint64_t)(((u128)tsc * ratio) >> frac_bits);
}

/*
 * kvm_get_time_scale(scaled_hz, base_hz): find shift and a 32-bit fraction
 * mul with scaled = ((base << shift) * mul) >> 32.  Halve the base until it
 * is at most twice the target and fits in 32 bits, then double it (or halve
 * the target when the base's top bit is set or the target does not fit)
 * until it exceeds the target; mul is target / base as a 32.32 fraction.
 */
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
	uint8_t stopped = (uint8_t)(in->prev.flags & SIM_PVCLOCK_GUEST_STOPPED);

	(void)state;
	page->version = (in->prev.version + 1) | 1;     /* odd: being written */
	time_scale(1000000000u, tgt_khz * 1000u, &page->tsc_shift, &page->tsc_to_system_mul);
	page->tsc_timestamp = scale_tsc(host_tsc, in->tsc_scaling_ratio, in->tsc_scaling_frac_bits) +
			      (uint64_t)in->tsc_offset;
	page->system_time = kernel_ns + (uint64_t)in->kvmclock_offset - in->knob_system_time_lag_ns;
	if (in->set_guest_stopped)
		stopped = SIM_PVCLOCK_GUEST_STOPPED;
	page->flags = (uint8_t)((in->use_master_clock || in->knob_stable_bit_always ?
				 SIM_PVCLOCK_TSC_STABLE_BIT : 0) | stopped);
	page->version++;                                /* even: consistent */
	return SIM_PLUGIN_OK;
}

static const struct sim_plugin_pvclock_writer writer = { .write = write_page };

static const struct sim_plugin_descriptor descriptor = {
	.abi_version = SIM_PLUGIN_ABI_VERSION,
	.min_abi_version = 1,
	.name = "faithful-writer",
	.pvclock_writer = &writer,
};

const struct sim_plugin_descriptor *sim_plugin_entry(void);

const struct sim_plugin_descriptor *sim_plugin_entry(void)
{
	return &descriptor;
}
