/*
 * page_step: what a rewrite of a vCPU's pvclock page does to the kvmclock the
 * guest reads (issue 8, PAGE_STEP; F06).
 *
 * measure "step": at every write of vCPU v's page, the old and the new page
 * are evaluated at v's guest TSC of that instant with the guest's own
 * arithmetic (__pvclock_read_cycles(), sim/kvm/pvclock.h); the step is
 * new - old in ns.  A violation is a step below 0 (kvmclock goes back) or of
 * more than the threshold either way.  worst: the step of largest magnitude,
 * signed, in ps (the earliest of equals).
 *
 * measure "spread": between page writes every vCPU's page is fixed, so the
 * vCPUs' views at one instant differ by a constant (up to the slope of their
 * mul/shift): at the first write after a quiet span, every page is evaluated
 * at its own vCPU's guest TSC of that instant and max - min is the spread
 * the guest could see by moving a process between vCPUs during the span.
 * Writes at one instant (a global update) count as one change.  A violation
 * is a spread above the threshold; worst: the largest, in ps (>= 0).
 *
 * Memory: one page copy per vCPU.  Cost: O(1) per write for "step", O(vCPUs)
 * per distinct write instant for "spread".
 */
#include "oracle/hw/page_step.h"

#include "oracle/hw/host_check.h"

#include <inttypes.h>
#include <stdlib.h>

#include "sim/kvm/kvm.h"
#include "sim/kvm/pvclock.h"

struct page_step {
	struct kvm_vm *vm;
	unsigned n;
	struct pvclock_vcpu_time_info *pages;  /* each vCPU's current page */
	sim_ps *written_ps;                    /* when; SIM_NEVER before the first */
	uint64_t writes;
	/* step */
	uint64_t backs;                        /* steps below 0 */
	bool any;
	unsigned worst_vcpu;
	sim_ps worst_at_ps;
	uint64_t worst_old_ns, worst_new_ns, worst_tsc;
	/* spread */
	sim_ps quiet_from_ps;                  /* the last write instant; SIM_NEVER: none yet */
	unsigned ahead, behind;                /* the worst spread's vCPUs */
	sim_ps worst_from_ps, worst_to_ps;
};

void page_step_describe(char *buf, size_t len, unsigned vcpu, int64_t step_ps, uint64_t tsc,
			uint64_t old_ns, uint64_t new_ns)
{
	char a[40];

	hc_put(buf, len, "a rewrite of vCPU %u's page steps kvmclock %s by %s: at guest TSC %"
	       PRIu64 " the old page gives %" PRIu64 " ns, the new one %" PRIu64 " ns", vcpu,
	       step_ps < 0 ? "back" : "forward", hc_dur(a, hc_abs64(step_ps)), tsc, old_ns, new_ns);
}

/* ns to ps, saturating (a page 107 days off another would overflow). */
static int64_t ps_of_ns(int64_t ns)
{
	if (ns > INT64_MAX / (int64_t)SIM_PS_PER_NS)
		return INT64_MAX;
	if (ns < -(INT64_MAX / (int64_t)SIM_PS_PER_NS))
		return -INT64_MAX;
	return ns * (int64_t)SIM_PS_PER_NS;
}

/* Why the pages step: the rates the page and the host clock convert with. */
static void note_rates(struct host_check *k)
{
	struct page_step *ps = k->state;
	const struct kvm_vcpu *v = &ps->vm->vcpus[ps->any ? ps->worst_vcpu : 0];
	struct host_check_result *r = &k->r;

	hc_append(r->note, sizeof(r->note), "; the page converts the guest TSC (%" PRIu64 " kHz) "
		  "at %" PRIu64 " kHz, KVM re-anchors to host %s (tsc_khz %" PRIu64 ")%s",
		  v->virtual_tsc_khz, pvclock_tsc_khz(&v->pvti),
		  ps->vm->clock_base == KVM_CLOCK_BASE_MONO ? "CLOCK_MONOTONIC (NTP-adjusted)" :
		  "CLOCK_MONOTONIC_RAW", ps->vm->host->tsc_khz,
		  ps->vm->anchor == KVM_ANCHOR_GUEST_TSC ?
		  "; master clock updates keep kvmclock on the guest TSC" : "");
}

static void record_step(struct host_check *k, unsigned vcpu, const struct pvclock_vcpu_time_info *new,
			sim_ps now)
{
	struct page_step *ps = k->state;
	struct host_check_result *r = &k->r;
	int64_t thr = (int64_t)k->cfg.page_step.threshold_ps;
	uint64_t tsc = kvm_vcpu_guest_tsc(&ps->vm->vcpus[vcpu], now);
	uint64_t old_ns, new_ns;
	int64_t step_ps = ps_of_ns(pvclock_page_step_ns(&ps->pages[vcpu], new, tsc, &old_ns,
							&new_ns));

	r->samples++;
	if (!ps->any || hc_abs64(step_ps) > hc_abs64(r->worst)) {
		ps->any = true;
		r->worst = step_ps;
		ps->worst_vcpu = vcpu;
		ps->worst_at_ps = now;
		ps->worst_old_ns = old_ns;
		ps->worst_new_ns = new_ns;
		ps->worst_tsc = tsc;
	}
	if (step_ps < 0)
		ps->backs++;
	if (step_ps >= 0 && step_ps <= thr)
		return;
	if (r->violations++ == 0) {
		r->first_ps = now;
		page_step_describe(r->first, sizeof(r->first), vcpu, step_ps, tsc, old_ns, new_ns);
		host_check_violation(k, now, vcpu, step_ps);
	}
}

/* The spread of the pages as they stood from quiet_from_ps until now. */
static void measure_spread(struct host_check *k, sim_ps now)
{
	struct page_step *ps = k->state;
	struct host_check_result *r = &k->r;
	uint64_t lo = 0, hi = 0;
	unsigned ilo = 0, ihi = 0;
	bool seen = false;
	int64_t spread_ps;
	char a[40], t0[32], t1[32], t2[32], t3[32];

	for (unsigned i = 0; i < ps->n; i++) {
		uint64_t ns;

		if (ps->written_ps[i] == SIM_NEVER)
			continue;
		ns = pvclock_read_cycles(&ps->pages[i], kvm_vcpu_guest_tsc(&ps->vm->vcpus[i], now));
		if (!seen || ns < lo) {
			lo = ns;
			ilo = i;
		}
		if (!seen || ns > hi) {
			hi = ns;
			ihi = i;
		}
		seen = true;
	}
	if (!seen)
		return;
	spread_ps = hi - lo > INT64_MAX ? INT64_MAX : ps_of_ns((int64_t)(hi - lo));
	r->samples++;
	if (!ps->any || spread_ps > r->worst) {
		ps->any = true;
		r->worst = spread_ps;
		ps->ahead = ihi;
		ps->behind = ilo;
		ps->worst_from_ps = ps->quiet_from_ps;
		ps->worst_to_ps = now;
	}
	if (spread_ps <= (int64_t)k->cfg.page_step.threshold_ps)
		return;
	if (r->violations++ == 0) {
		r->first_ps = ps->quiet_from_ps;
		hc_put(r->first, sizeof(r->first), "from %s s to %s s vCPU %u's kvmclock was %s "
		       "ahead of vCPU %u's at the same instant (pages last written at %s s and %s s)",
		       sim_format_seconds(t0, ps->quiet_from_ps), sim_format_seconds(t1, now), ihi,
		       hc_dur(a, spread_ps), ilo, sim_format_seconds(t2, ps->written_ps[ihi]),
		       sim_format_seconds(t3, ps->written_ps[ilo]));
		host_check_violation(k, now, ihi, spread_ps);   /* found now: records never go back */
	}
}

static void page_step_record(struct host_check *k, const struct sim_trace_record *rec)
{
	struct page_step *ps = k->state;
	const struct sim_trace_pvclock_write *w = &rec->u.pvclock;
	struct pvclock_vcpu_time_info page = {
		.version = w->version,
		.tsc_timestamp = w->tsc_timestamp,
		.system_time = w->system_time_ns,
		.tsc_to_system_mul = w->tsc_to_system_mul,
		.tsc_shift = w->tsc_shift,
		.flags = w->flags,
	};

	if (w->vcpu >= ps->n)
		return;
	k->r.evaluated = true;
	ps->writes++;
	if (k->cfg.page_step.measure == HOST_CHECK_PAGE_STEP_SPREAD) {
		if (ps->quiet_from_ps != SIM_NEVER && rec->t_ps > ps->quiet_from_ps)
			measure_spread(k, rec->t_ps);
		ps->quiet_from_ps = rec->t_ps;
	} else if (ps->written_ps[w->vcpu] != SIM_NEVER) {
		record_step(k, w->vcpu, &page, rec->t_ps);
	}
	ps->pages[w->vcpu] = page;
	ps->written_ps[w->vcpu] = rec->t_ps;
}

static void page_step_finish(struct host_check *k, sim_ps end)
{
	struct page_step *ps = k->state;
	struct host_check_result *r = &k->r;
	char a[40], b[40], t0[32], t1[32];

	if (k->cfg.page_step.measure == HOST_CHECK_PAGE_STEP_SPREAD && ps->quiet_from_ps != SIM_NEVER &&
	    end > ps->quiet_from_ps)
		measure_spread(k, end);
	r->passed = r->violations == 0;
	if (!r->evaluated) {
		hc_put(r->note, sizeof(r->note), "KVM wrote no page during the run");
		return;
	}
	if (k->cfg.page_step.measure == HOST_CHECK_PAGE_STEP_SPREAD) {
		hc_put(r->note, sizeof(r->note), "%" PRIu64 " page writes after boot, %" PRIu64 " spans "
		       "compared on %u vCPUs; largest spread %s (vCPU %u ahead of vCPU %u) from %s s "
		       "to %s s; threshold %s", ps->writes, r->samples, ps->n, hc_dur(a, r->worst),
		       ps->ahead, ps->behind, sim_format_seconds(t0, ps->worst_from_ps),
		       sim_format_seconds(t1, ps->worst_to_ps),
		       hc_dur(b, (int64_t)k->cfg.page_step.threshold_ps));
	} else if (!ps->any) {
		hc_put(r->note, sizeof(r->note), "%" PRIu64 " page writes, none a rewrite",
		       ps->writes);
	} else {
		hc_put(r->note, sizeof(r->note), "%" PRIu64 " rewrites compared, %" PRIu64 " step%s "
		       "back; largest %s on vCPU %u at %s s (before=%" PRIu64 " after=%" PRIu64
		       " ns at guest TSC %" PRIu64 ")", r->samples, ps->backs,
		       ps->backs == 1 ? "" : "s", hc_dur(a, r->worst), ps->worst_vcpu,
		       sim_format_seconds(t0, ps->worst_at_ps), ps->worst_old_ns, ps->worst_new_ns,
		       ps->worst_tsc);
	}
	note_rates(k);
}

static bool page_step_setup(struct host_check *k, struct sim_diag *err)
{
	struct page_step *ps = k->state;
	const struct host_checks_env *env = host_check_env(k);

	ps->quiet_from_ps = SIM_NEVER;
	ps->vm = env->vm;
	ps->n = env->vm->nvcpus;
	ps->pages = calloc(ps->n, sizeof(*ps->pages));
	ps->written_ps = calloc(ps->n, sizeof(*ps->written_ps));
	if (!ps->pages || !ps->written_ps)
		return sim_diag_fail(err, "out of memory");
	/* pages KVM wrote before the checks were set up (the VM's boot) */
	for (unsigned i = 0; i < ps->n; i++) {
		const struct kvm_vcpu *v = &env->vm->vcpus[i];

		ps->written_ps[i] = v->clock_updates ? v->last_update_ps : SIM_NEVER;
		ps->pages[i] = v->pvti;
		if (v->clock_updates && (ps->quiet_from_ps == SIM_NEVER ||
					 v->last_update_ps > ps->quiet_from_ps))
			ps->quiet_from_ps = v->last_update_ps;
	}
	return true;
}

static void page_step_destroy(struct host_check *k)
{
	struct page_step *ps = k->state;

	free(ps->pages);
	free(ps->written_ps);
}

const struct host_check_ops host_check_page_step_ops = {
	.kind = HOST_CHECK_PAGE_STEP,
	.state_size = sizeof(struct page_step),
	.setup = page_step_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE),
	.record = page_step_record,
	.finish = page_step_finish,
	.destroy = page_step_destroy,
};
