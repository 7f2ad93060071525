/*
 * stable_bit: PVCLOCK_TSC_STABLE_BIT tells a guest that its vCPUs' TSCs and
 * pvclock pages agree, so that it may drop its global monotonic clamp
 * (pvclock_clocksource_read() in arch/x86/kernel/pvclock.c skips last_value
 * when the bit is set).  Whenever any vCPU's page carries the bit (and the
 * guest was told it may trust it: KVM_FEATURE_CLOCKSOURCE_STABLE_BIT), at one
 * instant every vCPU's guest TSC and every page evaluated at its own vCPU's
 * TSC must agree: the spread of the kvmclock values, and of the TSCs (in
 * time at the guest's rate), within `threshold`.  KVM keeps the promise by
 * setting the bit only with its master clock (kvm_guest_time_update(): every
 * page from one snapshot, every vCPU in one TSC generation).
 *
 * Evaluated after every page write and TSC offset write (trace records) once
 * no clock update is pending, and at the end of the run; between those the
 * pages and offsets do not change.
 * Worst: the largest spread, in ps, while the bit was set.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "oracle/hw/host_check.h"
#include "sim/kvm/kvm.h"

struct stable_bit {
	uint64_t evaluations;     /* instants with the bit set */
	uint64_t clean;           /* instants without it */
};

/* What the spread is made of at `now`: the extreme vCPUs of each measure. */
struct spread {
	int64_t clock_ps, tsc_ps;
	unsigned clock_lo, clock_hi, tsc_lo, tsc_hi;
};

static void measure(const struct kvm_vm *vm, sim_ps now, struct spread *s)
{
	uint64_t cmin = UINT64_MAX, cmax = 0, tmin = UINT64_MAX, tmax = 0;

	*s = (struct spread){ 0 };
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct kvm_vcpu *v = &vm->vcpus[i];
		uint64_t tsc = kvm_vcpu_guest_tsc(v, now);
		uint64_t ns = pvclock_read_cycles(&v->pvti, tsc);

		if (ns < cmin) { cmin = ns; s->clock_lo = i; }
		if (ns > cmax) { cmax = ns; s->clock_hi = i; }
		if (tsc < tmin) { tmin = tsc; s->tsc_lo = i; }
		if (tsc > tmax) { tmax = tsc; s->tsc_hi = i; }
	}
	s->clock_ps = (int64_t)((cmax - cmin) * SIM_PS_PER_NS);
	/* cycles at the guest's rate: kHz cycles per ms */
	s->tsc_ps = vm->vcpus[0].virtual_tsc_khz ?
		    (int64_t)sim_mul_div(tmax - tmin, SIM_PS_PER_MS, vm->vcpus[0].virtual_tsc_khz) : 0;
}

/*
 * A vCPU with a clock update pending cannot run guest code before its entry
 * services it (KVM holds every vCPU out while it retakes the master clock:
 * kvm_start_pvclock_update()), so an instant with one pending is not one a
 * guest can observe: judge when the burst of updates is over.
 */
static bool updates_pending(const struct kvm_vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].requests & (KVM_REQ_MASTERCLOCK_UPDATE | KVM_REQ_CLOCK_UPDATE))
			return true;
	return false;
}

static bool bit_set(const struct kvm_vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pvti.flags & PVCLOCK_TSC_STABLE_BIT)
			return true;
	return false;
}

/* Why KVM's master clock is on or off, in words. */
static void master_clock_why(const struct kvm_vm *vm, char *buf, size_t n)
{
	if (vm->use_master_clock)
		hc_put(buf, n, "the master clock is on (all %u vCPUs in TSC generation %" PRIu64 ")",
		       vm->nvcpus, vm->cur_tsc_generation);
	else if (vm->host->clocksource != HOST_CS_TSC)
		hc_put(buf, n, "the master clock is off (the host's clocksource is not the TSC)");
	else
		hc_put(buf, n, "the master clock is off (%u of %u vCPUs in TSC generation %" PRIu64 ")",
		       vm->nr_vcpus_matched_tsc + 1, vm->nvcpus, vm->cur_tsc_generation);
}

static void evaluate(struct host_check *k, sim_ps now)
{
	struct stable_bit *sb = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	struct spread s;
	int64_t worst;
	char d[40], why[120];

	if (updates_pending(vm))
		return;
	if (!vm->stable_bit_cpuid || !bit_set(vm)) {
		sb->clean++;
		return;
	}
	sb->evaluations++;
	r->samples++;
	measure(vm, now, &s);
	worst = s.clock_ps > s.tsc_ps ? s.clock_ps : s.tsc_ps;
	if (worst > r->worst)
		r->worst = worst;
	if (worst <= k->cfg.stable_bit.threshold_ps)
		return;
	if (r->violations++)
		return;
	r->first_ps = now;
	master_clock_why(vm, why, sizeof(why));
	if (s.clock_ps >= s.tsc_ps)
		hc_put(r->first, sizeof(r->first),
		       "the pages carry PVCLOCK_TSC_STABLE_BIT but vCPU %u's kvmclock reads "
		       "%s behind vCPU %u's at the same instant (TSC offsets %" PRId64 " and %"
		       PRId64 "); %s%s", s.clock_lo,
		       hc_dur(d, s.clock_ps), s.clock_hi, vm->vcpus[s.clock_lo].tsc_offset,
		       vm->vcpus[s.clock_hi].tsc_offset, why,
		       vm->stable_bit_always ? "; the hypervisor sets the bit regardless" : "");
	else
		hc_put(r->first, sizeof(r->first),
		       "the pages carry PVCLOCK_TSC_STABLE_BIT but vCPU %u's TSC is %s "
		       "behind vCPU %u's (offsets %" PRId64 " and %" PRId64 "); %s%s",
		       s.tsc_lo, hc_dur(d, s.tsc_ps), s.tsc_hi,
		       vm->vcpus[s.tsc_lo].tsc_offset, vm->vcpus[s.tsc_hi].tsc_offset, why,
		       vm->stable_bit_always ? "; the hypervisor sets the bit regardless" : "");
	host_check_violation(k, now, s.clock_ps >= s.tsc_ps ? s.clock_lo : s.tsc_lo, worst);
}

static void stable_bit_record(struct host_check *k, const struct sim_trace_record *rec)
{
	evaluate(k, rec->t_ps);
}

static bool stable_bit_setup(struct host_check *k, struct sim_diag *err)
{
	if (!host_check_env(k)->vm)
		return sim_diag_fail(err, "stable_bit: the check needs a VM");
	if (k->cfg.stable_bit.threshold_ps < 0)
		return sim_diag_fail(err, "stable_bit: the threshold must not be negative");
	return true;
}

static void stable_bit_finish(struct host_check *k, sim_ps end)
{
	struct stable_bit *sb = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	struct spread s;
	char why[120], d[40], e[40];

	evaluate(k, end);
	r->evaluated = true;
	r->passed = r->violations == 0;
	measure(vm, end, &s);
	master_clock_why(vm, why, sizeof(why));
	hc_put(r->note, sizeof(r->note),
	       "the bit was set at %" PRIu64 " of %" PRIu64 " instants examined%s; at the end %s, "
	       "kvmclock spread %s, TSC spread %s", sb->evaluations, sb->evaluations + sb->clean,
	       vm->stable_bit_cpuid ? "" : " (the guest was not told to trust it)", why,
	       hc_dur(d, s.clock_ps), hc_dur(e, s.tsc_ps));
}

const struct host_check_ops host_check_stable_bit_ops = {
	.kind = HOST_CHECK_STABLE_BIT,
	.state_size = sizeof(struct stable_bit),
	.setup = stable_bit_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) | SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE),
	.record = stable_bit_record,
	.finish = stable_bit_finish,
};
