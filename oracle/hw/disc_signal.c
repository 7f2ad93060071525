/*
 * disc_signal: a forward jump of kvmclock across a stop of the guest (a
 * pause, a snapshot's restore, a migration, a stall of every vCPU: the VMM's
 * SIM_TRACE_GUEST_RUN records) must reach each vCPU's guest with
 * PVCLOCK_GUEST_STOPPED in that vCPU's page by the guest's first timer tick
 * after the resume, when the jump exceeds `threshold` (docs/clocks.md
 * "disc_signal").  Linux's soft-lockup watchdog checks the flag at that tick
 * (watchdog_timer_fn() -> kvm_check_and_clear_guest_paused()); without it a
 * jump above 2 x watchdog_thresh (`soft_lockup`, 20 s by default) reports
 * "BUG: soft lockup", and RCU its stalls.
 *
 * The jump on vCPU i: its kvmclock at the first tick (from the page then)
 * minus its kvmclock at the stop, minus the running time from the resume to
 * the tick.  Worst: the largest unsignalled jump above the threshold, in ps
 * (0 when every jump was signalled or small).  vCPUs without a guest timer
 * have no tick and are not judged.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "oracle/hw/host_check.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/pvclock.h"

struct vcpu_disc {
	uint64_t stop_kvmclock_ns;
	bool awaiting;            /* resumed; the first tick not yet seen */
};

struct disc_signal {
	unsigned nvcpus;
	struct vcpu_disc *v;
	bool stopped;
	sim_ps resume_ps;
	const char *action;
	unsigned index;
	uint64_t resumes, judged, signalled, unsignalled, lockups;
	int64_t worst_ps;
	int64_t largest_jump_ps;
};

static void on_run(struct host_check *k, struct disc_signal *d,
		   const struct sim_trace_guest_run *p, sim_ps now)
{
	const struct kvm_vm *vm = host_check_env(k)->vm;

	if (!p->running && !d->stopped) {
		/* the record comes before the vCPUs stop: each page is what the guest last used */
		d->stopped = true;
		d->action = p->action;
		d->index = p->index;
		for (unsigned i = 0; i < d->nvcpus; i++) {
			const struct kvm_vcpu *v = &vm->vcpus[i];

			d->v[i].stop_kvmclock_ns = pvclock_read_cycles(&v->pvti,
								       kvm_vcpu_guest_tsc(v, now));
			d->v[i].awaiting = false;
		}
	} else if (p->running && d->stopped) {
		d->stopped = false;
		d->resume_ps = now;
		d->resumes++;
		for (unsigned i = 0; i < d->nvcpus; i++)
			d->v[i].awaiting = true;
	}
}

static void violation(struct host_check *k, struct disc_signal *d, unsigned vcpu, int64_t jump_ps,
		      sim_ps now)
{
	struct host_check_result *r = &k->r;
	bool lockup = jump_ps > (int64_t)k->cfg.disc_signal.soft_lockup_ps;
	char a[32], b[40], c[40];

	if (r->violations++)
		return;
	r->first_ps = now;
	hc_put(r->first, sizeof(r->first), "vCPU %u: kvmclock jumped +%s across %s %u without "
	       "PVCLOCK_GUEST_STOPPED in its page at its first tick (%s s): %s", vcpu,
	       hc_dur_s(b, jump_ps), d->action ? d->action : "a stop", d->index,
	       sim_format_seconds(a, now), lockup ? "soft-lockup risk (the jump exceeds the "
	       "soft-lockup threshold" : "an unsignalled step (below the soft-lockup threshold");
	hc_append(r->first, sizeof(r->first), " %s)", hc_dur_s(c, (int64_t)k->cfg.disc_signal.soft_lockup_ps));
	host_check_violation(k, now, vcpu, jump_ps);
}

static void on_tick(struct host_check *k, struct disc_signal *d,
		    const struct sim_trace_guest_timer *g, sim_ps now)
{
	struct vcpu_disc *vd;
	uint64_t ran_ns;
	int64_t jump_ns, jump_ps;

	if (!g->fire || g->vcpu >= d->nvcpus || !d->v[g->vcpu].awaiting)
		return;
	vd = &d->v[g->vcpu];
	vd->awaiting = false;
	d->judged++;
	k->r.samples++;
	ran_ns = sim_to_ns(now - d->resume_ps);
	jump_ns = (int64_t)(g->kvmclock_ns - vd->stop_kvmclock_ns - ran_ns);
	jump_ps = jump_ns > INT64_MAX / (int64_t)SIM_PS_PER_NS ? INT64_MAX :
		  jump_ns * (int64_t)SIM_PS_PER_NS;
	if (jump_ps > d->largest_jump_ps)
		d->largest_jump_ps = jump_ps;
	if (jump_ps <= (int64_t)k->cfg.disc_signal.threshold_ps)
		return;
	if (g->page_flags & PVCLOCK_GUEST_STOPPED) {
		d->signalled++;
		return;
	}
	d->unsignalled++;
	if (jump_ps > (int64_t)k->cfg.disc_signal.soft_lockup_ps)
		d->lockups++;
	if (jump_ps > d->worst_ps)
		d->worst_ps = jump_ps;
	violation(k, d, g->vcpu, jump_ps, now);
}

static void ds_record(struct host_check *k, const struct sim_trace_record *rec)
{
	struct disc_signal *d = k->state;

	if (rec->kind == SIM_TRACE_GUEST_RUN)
		on_run(k, d, &rec->u.run, rec->t_ps);
	else if (rec->kind == SIM_TRACE_GUEST_TIMER)
		on_tick(k, d, &rec->u.timer, rec->t_ps);
}

static bool ds_setup(struct host_check *k, struct sim_diag *err)
{
	struct disc_signal *d = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;

	if (!vm)
		return sim_diag_fail(err, "disc_signal: judges a VM's guest, and there is no VM");
	d->nvcpus = vm->nvcpus;
	d->v = calloc(d->nvcpus, sizeof(*d->v));
	if (!d->v)
		return sim_diag_fail(err, "out of memory");
	return true;
}

static void ds_finish(struct host_check *k, sim_ps end)
{
	struct disc_signal *d = k->state;
	struct host_check_result *r = &k->r;
	char a[40], b[40];

	(void)end;
	r->evaluated = true;
	r->passed = r->violations == 0;
	r->worst = d->worst_ps;
	hc_put(r->note, sizeof(r->note), "%" PRIu64 " resume%s, %" PRIu64 " first tick%s judged: "
	       "largest jump +%s (threshold %s); %" PRIu64 " signalled, %" PRIu64 " unsignalled "
	       "(%" PRIu64 " above the soft-lockup threshold)", d->resumes,
	       d->resumes == 1 ? "" : "s", d->judged, d->judged == 1 ? "" : "s",
	       hc_dur_s(a, d->largest_jump_ps), hc_dur_s(b, (int64_t)k->cfg.disc_signal.threshold_ps),
	       d->signalled, d->unsignalled, d->lockups);
}

static void ds_destroy(struct host_check *k)
{
	struct disc_signal *d = k->state;

	free(d->v);
	d->v = NULL;
}

const struct host_check_ops host_check_disc_signal_ops = {
	.kind = HOST_CHECK_DISC_SIGNAL,
	.state_size = sizeof(struct disc_signal),
	.setup = ds_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN) | SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER),
	.record = ds_record,
	.finish = ds_finish,
	.destroy = ds_destroy,
};
