/*
 * Example 3: a guest pvclock reader that ignores the version seqlock.
 *
 * Linux's pvclock_clocksource_read() (arch/x86/kernel/pvclock.c) reads the
 * version, then the page, then RDTSC, then the version again, and starts
 * over while the version is odd or changed.  This one reads the page once
 * and trusts it.  When the host rewrites the page during the read, the
 * fields it read are a mix of the old page and the new one, and it returns
 * the new system_time plus the TSC cycles since the OLD timestamp: the time
 * between the two updates is counted twice, and the next read goes back.
 * It keeps Linux's last_value guard only when the page lacks the stable
 * bit, so with the master clock on nothing hides the error.
 */
#include <sim/plugin.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((u128)delta * mul) >> 32);
}

static int read_clock(void *state, const struct sim_plugin_guest_env *env, uint64_t *ns)
{
	const struct sim_pvclock_page *p = env->page;
	uint64_t tsc = env->rdtsc(env->cb);
	uint64_t t = p->system_time + scale_delta(tsc - p->tsc_timestamp, p->tsc_to_system_mul,
						  p->tsc_shift);

	(void)state;
	/* no look at the version, before or after */
	if ((env->cpuid & SIM_CPUID_KVM_CLOCKSOURCE_STABLE_BIT) &&
	    (p->flags & SIM_PVCLOCK_TSC_STABLE_BIT)) {
		*ns = t;
		return SIM_PLUGIN_OK;
	}
	if (t < *env->last_value) {
		++*env->guard_raises;
		t = *env->last_value;
	}
	*env->last_value = t;
	*ns = t;
	return SIM_PLUGIN_OK;
}

static const struct sim_plugin_guest_reader reader = { .read = read_clock };

static const struct sim_plugin_descriptor descriptor = {
	.abi_version = SIM_PLUGIN_ABI_VERSION,
	.min_abi_version = 1,
	.name = "noseq-reader",
	.guest_reader = &reader,
};

const struct sim_plugin_descriptor *sim_plugin_entry(void);

const struct sim_plugin_descriptor *sim_plugin_entry(void)
{
	return &descriptor;
}
