/*
 * tsc_sync: Linux's boot-time TSC sync check between two CPUs of the host
 * (sim/linux/tsc_sync.h; docs/clocks.md "tsc_sync").  One event at `at`
 * runs Linux's check synchronously; its reads of the future TSCs see its own
 * IA32_TSC_ADJUST writes, which are then applied to the hardware by events
 * at their instants (and reported to every check of the host as TSC changes).
 *
 * Assumptions of the model (not Linux's): a lock hand-off between CPUs of
 * 20 ns plus up to 5 ns (a cross-CPU cache-line transfer).
 */
#include <inttypes.h>

#include "oracle/hw/host_check.h"
#include "sim/core/rng.h"
#include "sim/linux/tsc_sync.h"

/* Timing (an assumption: the lock's cache line moving between CPUs). */
#define SYNC_HANDOFF_PS (20 * SIM_PS_PER_NS)
#define SYNC_HANDOFF_JITTER_PS (5 * SIM_PS_PER_NS)
#define SYNC_SOLO_ITER_PS (10 * SIM_PS_PER_NS)  /* the lock retaken by the same CPU */
#define SYNC_START_SKEW_PS SIM_PS_PER_US        /* the SMP function call reaching the source */
#define SYNC_RERUN_GAP_PS (2 * SIM_PS_PER_US)   /* rendezvous and WRMSR between runs */
#define SYNC_MAX_WRITES (TSC_SYNC_MAX_RUNS + 1)

struct sync_write {
	unsigned cpu;
	int64_t delta;
	sim_ps at_ps;
};

struct tsc_sync {
	struct host_check *k;
	struct sim_event ev;      /* the check */
	char ev_name[HOST_CHECK_NAME_MAX + 24];
	struct sim_rng rng;
	struct tsc_sync_result sync;
	struct sync_write writes[SYNC_MAX_WRITES];
	unsigned nwrites;
	unsigned applied;
	struct sim_event write_ev;
	char write_name[HOST_CHECK_NAME_MAX + 24];
};

/* rdtsc_ordered() on `cpu` at t, with the check's own ADJUST writes up to t. */
static uint64_t sync_rdtsc(void *ctx, unsigned cpu, sim_ps t)
{
	const struct tsc_sync *ts = ctx;
	uint64_t v = tsc_rdtsc(&ts->k->h->cpus[cpu].tsc, t, TSC_LFENCE_RDTSC, NULL, NULL);

	for (unsigned i = 0; i < ts->nwrites; i++)
		if (ts->writes[i].cpu == cpu && ts->writes[i].at_ps <= t)
			v += (uint64_t)ts->writes[i].delta;
	return v;
}

/* The target's WRMSR to IA32_TSC_ADJUST: applied to the hardware by write_fire at t. */
static void sync_adjust(void *ctx, unsigned cpu, int64_t delta, sim_ps t)
{
	struct tsc_sync *ts = ctx;

	if (ts->nwrites < SYNC_MAX_WRITES)
		ts->writes[ts->nwrites++] = (struct sync_write){ cpu, delta, t };
}

static void write_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct tsc_sync *ts = sim_container_of(ev, struct tsc_sync, write_ev);
	struct host_check *k = ts->k;

	while (ts->applied < ts->nwrites && ts->writes[ts->applied].at_ps <= now) {
		const struct sync_write *w = &ts->writes[ts->applied++];
		struct cpu_tsc *tsc = &k->h->cpus[w->cpu].tsc;
		uint64_t adj = 0;

		if (tsc_rdmsr(tsc, now, IA32_TSC_ADJUST, &adj) &&
		    tsc_wrmsr(tsc, now, IA32_TSC_ADJUST, adj + (uint64_t)w->delta))
			host_checks_tsc_changed(k->set, k->cfg.host, w->cpu, now);
	}
	if (ts->applied < ts->nwrites)
		sim_schedule(q, ev, ts->writes[ts->applied].at_ps);
}

/* Another online CPU of the target's package (the lowest), if any. */
static bool package_online_cpu(const struct host *h, unsigned target, unsigned *ref)
{
	for (unsigned c = 0; c < h->ncpus; c++) {
		if (c != target && h->cpus[c].online && h->cpus[c].socket == h->cpus[target].socket) {
			*ref = c;
			return true;
		}
	}
	return false;
}

/*
 * unsynchronized_tsc(): not with CONSTANT_TSC or a reliable TSC; otherwise a
 * non-Intel system with more than one possible CPU is taken to be unsynchronised.
 */
static bool linux_tsc_unsynchronized(const struct host_check *k, const struct tsc_features *boot)
{
	if (boot->constant_tsc || boot->tsc_reliable)
		return false;
	return k->cfg.tsc_sync.amd && k->h->ncpus > 1;
}

static void sync_texts(struct host_check *k, const struct tsc_sync_params *p)
{
	const struct tsc_sync *ts = k->state;
	const struct tsc_sync_result *res = &ts->sync;
	struct host_check_result *r = &k->r;
	unsigned warp_run = 0;
	char a[32], b[32];

	switch (res->skip) {
	case TSC_SYNC_SKIP_UNSTABLE:
		hc_put(r->note, sizeof(r->note), "Linux skipped the check: the TSC is already "
		       "unsynchronized (no CONSTANT_TSC on a non-Intel system with several CPUs)");
		return;
	case TSC_SYNC_SKIP_RELIABLE:
		hc_put(r->note, sizeof(r->note), "Linux skipped the check: tsc_reliable is advertised");
		return;
	case TSC_SYNC_SKIP_PACKAGE:
		hc_put(r->note, sizeof(r->note), "Linux skipped the check: with TSC_ADJUST a CPU "
		       "of the target's package is online; %s",
		       res->adjust_writes ? "it copied that CPU's IA32_TSC_ADJUST" :
		       "both IA32_TSC_ADJUST values agreed");
		return;
	case TSC_SYNC_RAN:
		break;
	}
	if (!res->warp) {
		hc_put(r->note, sizeof(r->note), "no warp in %u run of %u ms; offsets below the "
		       "%" PRIu64 "-cycle lock hand-off are invisible to it", res->runs,
		       tsc_sync_timeout_ms(p->package_has_online_cpu),
		       sim_mul_div(SYNC_HANDOFF_PS, p->tsc_khz, SIM_PS_PER_MS));
		return;
	}
	for (unsigned i = 0; i < res->runs; i++) {
		if (res->run[i].nr_warps) {
			warp_run = i + 1;
			break;
		}
	}
	hc_put(r->first, sizeof(r->first), "Linux's boot-time sync check measured a warp of "
	       "%" PRIu64 " cycles between CPU %u and CPU %u (run %u of %u); TSC_ADJUST "
	       "compensation: ", res->run[warp_run - 1].max_warp_cycles, p->source_cpu,
	       p->target_cpu, warp_run, res->runs);
	if (!p->have_tsc_adjust)
		hc_append(r->first, sizeof(r->first), "none (no IA32_TSC_ADJUST)");
	else if (!res->adjust_writes)
		hc_append(r->first, sizeof(r->first), "none");
	else
		hc_append(r->first, sizeof(r->first), "CPU %u's IA32_TSC_ADJUST moved by %+" PRId64
			  " cycles in %u write%s, %s", p->target_cpu,
			  res->adjust_written - p->target_boot_adjust, res->adjust_writes,
			  res->adjust_writes == 1 ? "" : "s",
			  res->compensated ? "then a clean run" : "warps remained");
	if (res->marks_unstable)
		hc_append(r->first, sizeof(r->first), "; marked unstable: yes, at %s s (\"Measured %"
			  PRIu64 " cycles TSC warp between CPUs\")",
			  sim_format_seconds(a, res->unstable_ps), res->reported_warp_cycles);
	else
		hc_append(r->first, sizeof(r->first), "; marked unstable: no");
	if (res->random_warps)
		hc_append(r->first, sizeof(r->first), "; random warps (both CPUs saw time go back)");
	hc_put(r->note, sizeof(r->note), "%u run%s from %s to %s s; lock hand-off 20 ns plus up "
	       "to 5 ns (assumed)", res->runs, res->runs == 1 ? "" : "s",
	       sim_format_seconds(a, k->cfg.tsc_sync.at_ps), sim_format_seconds(b, res->end_ps));
}

static void sync_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct tsc_sync *ts = sim_container_of(ev, struct tsc_sync, ev);
	struct host_check *k = ts->k;
	const struct host_check_tsc_sync_config *c = &k->cfg.tsc_sync;
	struct host *h = k->h;
	struct tsc_features boot = hc_linux_features(h);
	struct tsc_features tf = tsc_advertised_features(&h->cpus[c->target].tsc);
	struct host_check_result *r = &k->r;
	struct tsc_sync_params p = {
		.rdtsc = sync_rdtsc,
		.adjust = sync_adjust,
		.ctx = ts,
		.source_cpu = c->source,
		.target_cpu = c->target,
		.tsc_khz = h->tsc_khz,
		.have_tsc_adjust = tf.tsc_adjust,
		.tsc_reliable = boot.tsc_reliable,
		.tsc_unstable = linux_tsc_unsynchronized(k, &boot),
		.handoff_ps = SYNC_HANDOFF_PS,
		.handoff_jitter_ps = SYNC_HANDOFF_JITTER_PS,
		.solo_iter_ps = SYNC_SOLO_ITER_PS,
		.start_skew_max_ps = SYNC_START_SKEW_PS,
		.rerun_gap_ps = SYNC_RERUN_GAP_PS,
		.rng = &ts->rng,
	};
	struct sim_diag d;
	unsigned ref = 0;
	uint64_t v;

	p.package_has_online_cpu = package_online_cpu(h, p.target_cpu, &ref);
	if (p.have_tsc_adjust) {
		if (tsc_rdmsr(&h->cpus[p.target_cpu].tsc, now, IA32_TSC_ADJUST, &v))
			p.target_boot_adjust = (int64_t)v;
		if (p.package_has_online_cpu && tsc_rdmsr(&h->cpus[ref].tsc, now, IA32_TSC_ADJUST, &v))
			p.package_ref_adjust = (int64_t)v;
	}
	ts->nwrites = 0;
	ts->applied = 0;
	sim_diag_clear(&d);
	if (!tsc_sync_check(&p, now, &ts->sync, &d)) {
		hc_put(r->note, sizeof(r->note), "the check could not run: %s", d.msg);
		return;
	}
	r->evaluated = true;
	r->passed = !ts->sync.warp;
	r->worst = (int64_t)ts->sync.max_warp_cycles;
	r->samples = ts->sync.runs;
	for (unsigned i = 0; i < ts->sync.runs; i++)
		if (ts->sync.run[i].nr_warps)
			r->violations++;
	r->first_ps = ts->sync.warp ? ts->sync.first_warp_ps : 0;
	sync_texts(k, &p);
	if (ts->sync.warp)
		host_check_violation(k, now, c->target, r->worst);
	if (ts->nwrites)
		sim_schedule(q, &ts->write_ev, ts->writes[0].at_ps);
}

static bool tsc_sync_setup(struct host_check *k, struct sim_diag *err)
{
	struct tsc_sync *ts = k->state;
	const struct host_check_tsc_sync_config *c = &k->cfg.tsc_sync;
	const struct host *h = k->h;
	char stream[HOST_CHECK_NAME_MAX + 16];

	ts->k = k;
	hc_put(ts->ev_name, sizeof(ts->ev_name), "host_check.%s", k->cfg.name);
	hc_put(ts->write_name, sizeof(ts->write_name), "%s.tsc_adjust", k->cfg.name);
	sim_event_init(&ts->ev, ts->ev_name, SIM_PRIO_OBSERVE, sync_fire);
	sim_event_init(&ts->write_ev, ts->write_name, SIM_PRIO_DEVICE, write_fire);
	if (c->source >= h->ncpus || c->target >= h->ncpus)
		return sim_diag_fail(err, "tsc_sync: CPU out of range (host %s has %u CPUs)",
				     h->name, h->ncpus);
	if (h->tsc_khz == 0)
		return sim_diag_fail(err, "tsc_sync: host %s has no tsc_khz", h->name);
	/* the hand-off jitter's own stream: other checks do not shift it */
	hc_put(stream, sizeof(stream), "host_check/%s", k->cfg.name);
	sim_rng_init(&ts->rng, k->seed, stream);
	return sim_schedule(k->q, &ts->ev, c->at_ps) ||
	       sim_diag_fail(err, "tsc_sync: cannot schedule the check at %" PRIu64 " ps", c->at_ps);
}

static void tsc_sync_finish(struct host_check *k, sim_ps end)
{
	(void)end;
	if (!k->r.evaluated && !k->r.note[0])
		hc_put(k->r.note, sizeof(k->r.note), "the run ended before the check");
}

static void tsc_sync_destroy(struct host_check *k)
{
	struct tsc_sync *ts = k->state;

	sim_cancel(k->q, &ts->ev);
	sim_cancel(k->q, &ts->write_ev);
}

const struct host_check_ops host_check_tsc_sync_ops = {
	.kind = HOST_CHECK_TSC_SYNC,
	.state_size = sizeof(struct tsc_sync),
	.setup = tsc_sync_setup,
	.finish = tsc_sync_finish,
	.destroy = tsc_sync_destroy,
};
