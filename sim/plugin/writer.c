/*
 * A plugin's pvclock writer behind KVM's page writer hook (kvm_vm.page_writer):
 * it gets what kvm_guest_time_update() reads, fills the page, and sim checks
 * what came back before the guest may see it.
 */
#include "sim/plugin/internal.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(struct sim_pvclock_page) == sizeof(struct pvclock_vcpu_time_info),
	       "the ABI page is sim's page");
_Static_assert(offsetof(struct sim_pvclock_page, tsc_shift) ==
	       offsetof(struct pvclock_vcpu_time_info, tsc_shift) &&
	       offsetof(struct sim_pvclock_page, system_time) ==
	       offsetof(struct pvclock_vcpu_time_info, system_time), "same field order");

/* Fraction bits of the vendor's TSC ratio: 1.0 is 1 << bits. */
static uint32_t frac_bits(const struct kvm_vm *vm)
{
	uint64_t one = kvm_default_tsc_scaling_ratio(vm);
	uint32_t bits = 0;

	while (one > 1) {
		one >>= 1;
		bits++;
	}
	return bits;
}

static void to_abi(struct sim_pvclock_page *dst, const struct pvclock_vcpu_time_info *src)
{
	memcpy(dst, src, sizeof(*dst));
}

/*
 * Garbage a guest must never be shown: a page still odd (being written)
 * after the update, or a shift outside what pvclock_scale_delta() can do.
 */
static bool page_sane(struct plugin_set *ps, const struct plugin *pl,
		      const struct sim_pvclock_page *pg, const struct kvm_vcpu *v, sim_ps now)
{
	if (pg->version & 1) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_WRITER, now, (int)v->id,
			    "the page's version %" PRIu32 " is odd after the update (a page being "
			    "written; the guest would retry forever)", pg->version);
		return false;
	}
	if (pg->tsc_shift < -32 || pg->tsc_shift > 32) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_WRITER, now, (int)v->id,
			    "tsc_shift %d is outside [-32, 32]", pg->tsc_shift);
		return false;
	}
	return true;
}

bool plugin_writer_hook(void *ctx, struct kvm_vcpu *v, uint64_t host_tsc, uint64_t kernel_ns,
			sim_ps now)
{
	struct plugin_set *ps = ctx;
	const struct plugin *pl = ps->part[PLUGIN_PART_PVCLOCK_WRITER];
	const struct kvm_vm *vm = v->vm;
	struct sim_pvclock_writer_in in = {
		.size = sizeof(in),
		.vcpu = v->id,
		.sim_time_ps = now,
		.host_tsc = host_rdtsc(vm->host, v->pcpu, now),
		.host_clock_ns = kvm_host_clock_ns(vm, now),
		.host_tsc_khz = vm->host->tsc_khz,
		.kvmclock_offset = vm->kvmclock_offset,
		.tsc_offset = v->tsc_offset,
		.tsc_scaling_ratio = v->tsc_scaling_ratio,
		.tsc_scaling_frac_bits = frac_bits(vm),
		.use_master_clock = vm->use_master_clock,
		.master_cycle_now = vm->master_cycle_now,
		.master_kernel_ns = vm->master_kernel_ns,
		.virtual_tsc_khz = v->virtual_tsc_khz,
		.set_guest_stopped = v->pvclock_set_guest_stopped_request,
		.knob_stable_bit_always = vm->stable_bit_always,
		.knob_system_time_lag_ns = vm->stale_page_behind_ns && v->id == vm->stale_page_vcpu ?
					   vm->stale_page_behind_ns : 0,
	};
	struct sim_pvclock_page page;
	int rc = SIM_PLUGIN_ERROR;
	bool ok;

	/*
	 * KVM has chosen host_tsc and kernel_ns (the master pair, or now); the
	 * plugin chooses for itself from the same facts, so that a writer that
	 * ignores the master clock is observably wrong.
	 */
	(void)host_tsc;
	(void)kernel_ns;
	to_abi(&in.prev, &v->pvti);
	page = in.prev;
	GUARDED(rc = pl->d->pvclock_writer->write(pl->state, &in, &page), ok);
	if (!ok) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_WRITER, now, (int)v->id,
			    "write() crashed: %s", plugin_signal_name(plugin_guard_sig));
		return false;
	}
	if (rc != SIM_PLUGIN_OK) {
		plugin_fail(ps, pl, PLUGIN_PART_PVCLOCK_WRITER, now, (int)v->id,
			    "write() returned %d (%s)", rc,
			    rc == SIM_PLUGIN_ERROR ? "SIM_PLUGIN_ERROR" : "not a status it may return");
		return false;
	}
	if (!page_sane(ps, pl, &page, v, now))
		return false;
	memcpy(&v->pvti, &page, sizeof(page));
	return true;
}
