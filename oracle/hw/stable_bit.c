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
 * Judged after every page write and TSC offset write (trace records) once
 * no clock update is pending, and at the end of the run: the state that
 * held until that instant (a spread grows linearly between changes, so its
 * largest value is at an end) and the state that holds from it.
 * Worst: the largest spread, in ps, while the bit was set.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "oracle/hw/host_check.h"
#include "sim/kvm/kvm.h"

/* What a vCPU's clock was made of, as last judged. */
struct vstate {
	struct pvclock_vcpu_time_info pvti;
	int64_t offset;
	uint64_t ratio;
	unsigned pcpu;
};

struct stable_bit {
	uint64_t evaluations;     /* instants with the bit set */
	uint64_t clean;           /* instants without it */
	struct vstate *last;      /* the settled state last judged, one per vCPU */
	bool last_set;            /* it carried the bit: judge it again when it ends */
};

/* What the spread is made of at `now`: the extreme vCPUs of each measure. */
struct spread {
	int64_t clock_ps, tsc_ps;
	unsigned clock_lo, clock_hi, tsc_lo, tsc_hi;
};

static void snapshot(const struct kvm_vm *vm, struct vstate *st)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		st[i] = (struct vstate){ vm->vcpus[i].pvti, vm->vcpus[i].tsc_offset,
					 vm->vcpus[i].tsc_scaling_ratio, vm->vcpus[i].pcpu };
}

static void measure(const struct kvm_vm *vm, const struct vstate *st, sim_ps now,
		    struct spread *s)
{
	uint64_t cmin = UINT64_MAX, cmax = 0, tmin = UINT64_MAX, tmax = 0;

	*s = (struct spread){ 0 };
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		uint64_t tsc = kvm_scale_tsc(vm, host_rdtsc(vm->host, st[i].pcpu, now), st[i].ratio) +
			       (uint64_t)st[i].offset;
		uint64_t ns = pvclock_read_cycles(&st[i].pvti, tsc);

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

/* One instant with the bit set, in state st (the one that held until now, or holds now). */
static void judge(struct host_check *k, const struct vstate *st, sim_ps now)
{
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	struct spread s;
	int64_t worst;
	char d[40], why[120];

	r->samples++;
	measure(vm, st, now, &s);
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
		       hc_dur(d, s.clock_ps), s.clock_hi, st[s.clock_lo].offset,
		       st[s.clock_hi].offset, why,
		       vm->stable_bit_always ? "; the hypervisor sets the bit regardless" : "");
	else
		hc_put(r->first, sizeof(r->first),
		       "the pages carry PVCLOCK_TSC_STABLE_BIT but vCPU %u's TSC is %s "
		       "behind vCPU %u's (offsets %" PRId64 " and %" PRId64 "); %s%s",
		       s.tsc_lo, hc_dur(d, s.tsc_ps), s.tsc_hi,
		       st[s.tsc_lo].offset, st[s.tsc_hi].offset, why,
		       vm->stable_bit_always ? "; the hypervisor sets the bit regardless" : "");
	host_check_violation(k, now, s.clock_ps >= s.tsc_ps ? s.clock_lo : s.tsc_lo, worst);
}

/*
 * Something changed at `now`: the state judged last held until now (its
 * spread may have grown since), then the new one, once settled.
 */
static void evaluate(struct host_check *k, sim_ps now)
{
	struct stable_bit *sb = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;

	if (sb->last_set)
		judge(k, sb->last, now);
	sb->last_set = false;
	if (updates_pending(vm))
		return;
	snapshot(vm, sb->last);
	if (!vm->stable_bit_cpuid || !bit_set(vm)) {
		sb->clean++;
		return;
	}
	sb->evaluations++;
	sb->last_set = true;
	judge(k, sb->last, now);
}

static void stable_bit_record(struct host_check *k, const struct sim_trace_record *rec)
{
	evaluate(k, rec->t_ps);
}

static bool stable_bit_setup(struct host_check *k, struct sim_diag *err)
{
	struct stable_bit *sb = k->state;

	sb->last = calloc(host_check_env(k)->vm->nvcpus, sizeof(*sb->last));
	if (!sb->last)
		return sim_diag_fail(err, "stable_bit: out of memory");
	if (k->cfg.stable_bit.threshold_ps < 0)
		return sim_diag_fail(err, "stable_bit: the threshold must not be negative");
	return true;
}

static void stable_bit_finish(struct host_check *k, sim_ps end)
{
	struct stable_bit *sb = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	struct vstate *now_st = calloc(vm->nvcpus, sizeof(*now_st));
	struct spread s;
	char why[120], d[40], e[40];

	/* the state judged last holds to the end; one never judged is judged now */
	if (sb->last_set)
		judge(k, sb->last, end);
	else
		evaluate(k, end);
	r->evaluated = true;
	r->passed = r->violations == 0;
	if (!now_st)
		return;
	snapshot(vm, now_st);
	measure(vm, now_st, end, &s);
	free(now_st);
	master_clock_why(vm, why, sizeof(why));
	hc_put(r->note, sizeof(r->note),
	       "the bit was set in %" PRIu64 " of %" PRIu64 " settled states%s; at the end %s, "
	       "kvmclock spread %s, TSC spread %s", sb->evaluations, sb->evaluations + sb->clean,
	       vm->stable_bit_cpuid ? "" : " (the guest was not told to trust it)", why,
	       hc_dur(d, s.clock_ps), hc_dur(e, s.tsc_ps));
}

static void stable_bit_destroy(struct host_check *k)
{
	struct stable_bit *sb = k->state;

	free(sb->last);
	sb->last = NULL;
}

const struct host_check_ops host_check_stable_bit_ops = {
	.kind = HOST_CHECK_STABLE_BIT,
	.state_size = sizeof(struct stable_bit),
	.setup = stable_bit_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) | SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE),
	.record = stable_bit_record,
	.finish = stable_bit_finish,
	.destroy = stable_bit_destroy,
};
