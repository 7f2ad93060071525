/*
 * Plugins that misbehave, one per -DBAD_<NAME> (tests/meson.build builds
 * each), for tests/plugins.sh: sim must stop with a clear error naming the
 * plugin, the part and the event, never crash or report silently.  Also
 * one that behaves: FAITHFUL_READER, Linux's seqlock read.
 */
#include <sim/plugin.h>

#include <stddef.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((u128)delta * mul) >> 32);
}

/* A page that is plausible but whose version or shift the variant may spoil. */
static int write_page(void *state, const struct sim_pvclock_writer_in *in,
		      struct sim_pvclock_page *page)
{
	(void)state;
	page->version = in->prev.version + 2;
	page->tsc_timestamp = in->host_tsc + (uint64_t)in->tsc_offset;
	page->system_time = in->host_clock_ns + (uint64_t)in->kvmclock_offset;
	page->tsc_to_system_mul = 0xaaaaaaabu;      /* 3 GHz: (cycles >> 1) * 2/3 ns */
	page->tsc_shift = -1;
#if defined(BAD_CRASH_WRITER)
	if (in->sim_time_ps > 0)
		*(volatile int *)(uintptr_t)in->pad0 = 1;    /* a NULL store, after t = 0 */
#elif defined(BAD_ODD_VERSION)
	page->version |= 1;
#elif defined(BAD_SHIFT)
	page->tsc_shift = 40;
#elif defined(BAD_FUTURE_TIMESTAMP)
	page->tsc_timestamp += 3000000000u;         /* a second ahead of the guest's TSC */
#endif
	return SIM_PLUGIN_OK;
}

static int read_clock(void *state, const struct sim_plugin_guest_env *env, uint64_t *ns)
{
	const struct sim_pvclock_page *p = env->page;
	uint32_t v = p->version;
	uint64_t tsc = env->rdtsc(env->cb);

	(void)state;
#if defined(BAD_RETRY_READER)
	(void)ns;
	return SIM_PLUGIN_RETRY;
#elif defined(BAD_FPE_READER)
	{
		volatile uint32_t zero = p->pad0;

		*ns = tsc / zero;
		return SIM_PLUGIN_OK;
	}
#else
	/* Linux's read: retry while the version is odd or changed, and the guard */
	if ((v & 1) || env->version_now(env->cb) != v)
		return SIM_PLUGIN_RETRY;
	*ns = p->system_time + scale_delta(tsc - p->tsc_timestamp, p->tsc_to_system_mul,
					   p->tsc_shift);
	if ((env->cpuid & SIM_CPUID_KVM_CLOCKSOURCE_STABLE_BIT) &&
	    (p->flags & SIM_PVCLOCK_TSC_STABLE_BIT))
		return SIM_PLUGIN_OK;
	if (*ns <= *env->last_value) {
		if (*ns < *env->last_value)
			++*env->guard_raises;
		*ns = *env->last_value;
		return SIM_PLUGIN_OK;
	}
	*env->last_value = *ns;
	return SIM_PLUGIN_OK;
#endif
}

static uint64_t dev_read(void *state, uint64_t offset, unsigned size, uint64_t now_ps)
{
	(void)state;
	(void)offset;
	(void)now_ps;
	return size == 4 ? UINT64_C(0x100000000) : 0;      /* wider than the access */
}

static void dev_write(void *state, uint64_t offset, uint64_t value, unsigned size, uint64_t now_ps)
{
	(void)state;
	(void)offset;
	(void)value;
	(void)size;
	(void)now_ps;
}

static const struct sim_plugin_pvclock_writer writer = {
#if defined(BAD_NULL_CALLBACK)
	.write = NULL,
#else
	.write = write_page,
#endif
};
static const struct sim_plugin_guest_reader reader = { .read = read_clock };
static const struct sim_plugin_device device = {
	.replaces = "pmtimer", .read = dev_read, .write = dev_write,
};

static const struct sim_plugin_descriptor descriptor = {
#if defined(BAD_ABI_FUTURE)
	.abi_version = 7,
	.min_abi_version = 5,
#else
	.abi_version = SIM_PLUGIN_ABI_VERSION,
	.min_abi_version = 1,
#endif
	.name = PLUGIN_NAME,
#if defined(BAD_RETRY_READER) || defined(BAD_FPE_READER) || defined(FAITHFUL_READER)
	.guest_reader = &reader,
#elif defined(BAD_WIDE_DEVICE)
	.device = &device,
#else
	.pvclock_writer = &writer,
#endif
};

#if defined(BAD_NO_ENTRY)
const struct sim_plugin_descriptor *sim_plugin_entry_misspelt(void);

const struct sim_plugin_descriptor *sim_plugin_entry_misspelt(void)
#else
const struct sim_plugin_descriptor *sim_plugin_entry(void);

const struct sim_plugin_descriptor *sim_plugin_entry(void)
#endif
{
#if defined(BAD_NULL_ENTRY)
	return NULL;
#else
	return &descriptor;
#endif
}
