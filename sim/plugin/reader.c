/*
 * A plugin's guest clock reader as the "pvclock" reader kind's read: it
 * gets the page as the attempt read it (sim/guest/kinds/pvclock.c: torn
 * when the host rewrote it meanwhile), the guest's RDTSC, the version read
 * again, and the cpuid bits; the seqlock retry is its own decision.
 */
#include "sim/plugin/internal.h"

#include <string.h>

struct read_cb {
	const struct kvm_vcpu *v;
	sim_ps now;
};

static uint64_t cb_rdtsc(void *cb)
{
	const struct read_cb *c = cb;

	return kvm_vcpu_guest_tsc(c->v, c->now);
}

static uint32_t cb_version_now(void *cb)
{
	const struct read_cb *c = cb;

	return c->v->pvti.version;
}

bool plugin_reader_hook(void *ctx, struct guest_reader *r,
			const struct pvclock_vcpu_time_info *seen, sim_ps now, uint64_t *value_ns)
{
	struct plugin_set *ps = ctx;
	const struct plugin *pl = ps->part[PLUGIN_PART_PVCLOCK_READER];
	struct read_cb cb = { .v = &r->vm->vcpus[r->p.vcpu], .now = now };
	struct sim_pvclock_page page;
	struct sim_plugin_guest_env env = {
		.size = sizeof(env),
		.vcpu = r->p.vcpu,
		.cpuid = r->kernel->pvclock_stable_valid ? SIM_CPUID_KVM_CLOCKSOURCE_STABLE_BIT : 0,
		.page = &page,
		.last_value = &ps->guest_last_value,
		.cb = &cb,
		.rdtsc = cb_rdtsc,
		.version_now = cb_version_now,
		.guard_raises = &r->guarded,
	};
	uint64_t ns = 0;
	int rc = SIM_PLUGIN_ERROR;
	bool ok;

	memcpy(&page, seen, sizeof(page));
	*value_ns = 0;
	GUARDED(rc = pl->d->guest_reader->read(pl->state, &env, &ns), ok);
	if (!ok) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_READER, now, (int)r->p.vcpu,
			    "reader \"%s\": read() crashed: %s", r->name,
			    plugin_signal_name(plugin_guard_sig));
		return true;
	}
	if (rc == SIM_PLUGIN_RETRY) {
		if (r->attempt_retries + 1 < PLUGIN_READER_MAX_ATTEMPTS)
			return false;
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_READER, now, (int)r->p.vcpu,
			    "reader \"%s\": read() asked to retry %u times in a row (last page "
			    "version %u): given up", r->name, PLUGIN_READER_MAX_ATTEMPTS,
			    (unsigned)cb.v->pvti.version);
		return true;
	}
	if (rc != SIM_PLUGIN_OK) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_READER, now, (int)r->p.vcpu,
			    "reader \"%s\": read() returned %d (%s)", r->name, rc,
			    rc == SIM_PLUGIN_ERROR ? "SIM_PLUGIN_ERROR" : "not a status it may return");
		return true;
	}
	*value_ns = ns;
	return true;
}
