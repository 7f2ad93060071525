/*
 * Linux 6.12's TSC sync check (arch/x86/kernel/tsc_sync.c), rewritten from
 * its documented behaviour:
 *
 *   check_tsc_warp(timeout): end = start + tsc_khz * timeout; loop { take the
 *     lock, prev = last_tsc, now = RDTSC, last_tsc = now, drop the lock; every
 *     8th iteration (i & 7 == 0) leave when now > end or i > 10^7, before the
 *     warp test; if prev > now: max_warp = max(max_warp, prev - now), this
 *     CPU's result = max_warp, and if another warp was counted since this
 *     CPU's last one (cur_warps != nr_warps) the warps are "random" }.
 *   check_tsc_sync_source(): test_runs = 3 with TSC_ADJUST, else 1.  After
 *     both CPUs finish: no warps: pass, stop.  Warps: decrement test_runs;
 *     at 0, or on random warps, stop and mark_tsc_unstable().  Otherwise
 *     rerun.
 *   check_tsc_sync_target(): tsc_store_and_check_tsc_adjust() first (a CPU
 *     whose package already has an online CPU copies that CPU's ADJUST and
 *     skips the test).  After a failed pass with runs left: warp = own
 *     result, or -(global max) when this CPU saw none (it was ahead);
 *     adjusted += warp; write IA32_TSC_ADJUST; rerun.
 *
 * Since 6.5 the target starts the source through an SMP function call and
 * since 6.8 the unstable marking is deferred to a worker; neither changes
 * what is decided, only when the message appears.
 */
#include "sim/linux/tsc_sync.h"

#include <string.h>

struct warp_cpu {
	unsigned cpu;
	sim_ps enter_ps;          /* reads its start TSC here */
	bool entered;
	bool done;
	uint64_t i;               /* loop counter */
	uint64_t end_tsc;
	uint64_t cur_max_warp;
	uint64_t cur_warps;
	uint64_t gbl_max_warp;    /* max_warp as this CPU left the loop */
	sim_ps exit_ps;
};

struct warp_shared {
	uint64_t last_tsc;
	uint64_t max_warp;
	uint64_t nr_warps;
	uint64_t random_warps;
};

static sim_ps draw_ps(struct sim_rng *rng, sim_ps base, sim_ps jitter)
{
	if (!rng || jitter == 0)
		return base;
	return base + sim_rng_below(rng, jitter + 1);
}

unsigned tsc_sync_timeout_ms(bool package_has_online_cpu)
{
	return package_has_online_cpu ? TSC_SYNC_TIMEOUT_SIBLING_MS : TSC_SYNC_TIMEOUT_FIRST_MS;
}

static void enter_loop(const struct tsc_sync_params *p, struct warp_cpu *c, uint64_t timeout_ms)
{
	/* start = rdtsc_ordered(); end = start + tsc_khz * timeout */
	uint64_t start_tsc = p->rdtsc(p->ctx, c->cpu, c->enter_ps);

	c->end_tsc = start_tsc + p->tsc_khz * timeout_ms;
	c->entered = true;
}

/* One locked iteration of check_tsc_warp() by c at t. */
static void warp_step(const struct tsc_sync_params *p, struct warp_shared *s, struct warp_cpu *c,
		      struct tsc_sync_run *run, sim_ps t)
{
	uint64_t prev, now;

	/* Under the lock: the previous reading by anyone, then ours. */
	prev = s->last_tsc;
	now = p->rdtsc(p->ctx, c->cpu, t);
	s->last_tsc = now;

	/* Every 8th iteration: done?  (Checked before the warp test.) */
	if ((c->i & 7) == 0 && (now > c->end_tsc || c->i > TSC_SYNC_MAX_LOOPS)) {
		c->done = true;
		c->exit_ps = t;
		c->gbl_max_warp = s->max_warp;
		c->i++;
		return;
	}
	/* Outside the lock: did time go backwards? */
	if (prev > now) {
		if (prev - now > s->max_warp)
			s->max_warp = prev - now;
		c->cur_max_warp = s->max_warp;
		/* Only one CPU should ever see a warp; both seeing them is random. */
		if (c->cur_warps != s->nr_warps)
			s->random_warps++;
		s->nr_warps++;
		c->cur_warps = s->nr_warps;
		if (run->first_warp_ps == SIM_NEVER)
			run->first_warp_ps = t;
	}
	c->i++;
}

/* Both CPUs through check_tsc_warp() once, from `start`. */
static void warp_run(const struct tsc_sync_params *p, uint64_t timeout_ms, sim_ps start,
		     struct tsc_sync_run *run, struct warp_cpu cpu[2], struct warp_shared *s)
{
	sim_ps solo_ps = p->solo_iter_ps ? p->solo_iter_ps : p->handoff_ps;
	unsigned cur, other;
	sim_ps t;

	memset(run, 0, sizeof(*run));
	memset(s, 0, sizeof(*s));
	run->start_ps = start;
	run->first_warp_ps = SIM_NEVER;
	for (unsigned k = 0; k < 2; k++) {
		unsigned id = cpu[k].cpu;

		memset(&cpu[k], 0, sizeof(cpu[k]));
		cpu[k].cpu = id;
		cpu[k].enter_ps = draw_ps(p->rng, start, p->start_skew_max_ps);
	}
	/* The first CPU in takes the lock first; a tie goes to a coin (or the source). */
	if (cpu[0].enter_ps != cpu[1].enter_ps)
		cur = cpu[0].enter_ps < cpu[1].enter_ps ? 0 : 1;
	else
		cur = p->rng ? (unsigned)sim_rng_below(p->rng, 2) : TSC_SYNC_SOURCE;
	t = cpu[cur].enter_ps;
	for (;;) {
		other = 1 - cur;
		/* Keep the callback in time order: the other CPU's start reading first. */
		if (!cpu[other].entered && cpu[other].enter_ps <= t)
			enter_loop(p, &cpu[other], timeout_ms);
		if (!cpu[cur].entered)
			enter_loop(p, &cpu[cur], timeout_ms);
		warp_step(p, s, &cpu[cur], run, t);

		/* Who takes the lock next, and when. */
		if (!cpu[other].done && cpu[other].enter_ps <= t + (cpu[cur].done ? 0 : solo_ps)) {
			/* The other CPU is spinning on the lock: hand-off. */
			sim_ps from = t > cpu[other].enter_ps ? t : cpu[other].enter_ps;

			t = from + draw_ps(p->rng, p->handoff_ps, p->handoff_jitter_ps);
			cur = other;
		} else if (!cpu[cur].done) {
			t += draw_ps(p->rng, solo_ps, p->handoff_jitter_ps);
		} else if (!cpu[other].done) {
			/* cur left before the other arrived. */
			t = cpu[other].enter_ps;
			cur = other;
		} else {
			break;
		}
	}
	for (unsigned k = 0; k < 2; k++) {
		run->loops[k] = cpu[k].i;
		run->cur_max_warp[k] = cpu[k].cur_max_warp;
	}
	run->end_ps = cpu[0].exit_ps > cpu[1].exit_ps ? cpu[0].exit_ps : cpu[1].exit_ps;
	run->nr_warps = s->nr_warps;
	run->random_warps = s->random_warps;
	run->max_warp_cycles = s->max_warp;
}

static bool check_params(const struct tsc_sync_params *p, struct sim_diag *diag)
{
	if (!p->rdtsc)
		return sim_diag_fail(diag, "tsc_sync: no rdtsc callback");
	if (p->have_tsc_adjust && !p->adjust)
		return sim_diag_fail(diag, "tsc_sync: TSC_ADJUST without an adjust callback");
	if (p->tsc_khz == 0)
		return sim_diag_fail(diag, "tsc_sync: tsc_khz is 0");
	if (p->source_cpu == p->target_cpu)
		return sim_diag_fail(diag, "tsc_sync: source and target are both CPU %u",
				     p->source_cpu);
	if (p->handoff_ps == 0 && p->handoff_jitter_ps == 0)
		return sim_diag_fail(diag, "tsc_sync: lock hand-off takes no time");
	return true;
}

bool tsc_sync_check(const struct tsc_sync_params *p, sim_ps start, struct tsc_sync_result *out,
		    struct sim_diag *diag)
{
	struct warp_cpu cpu[2];
	struct warp_shared s;
	unsigned test_runs;
	uint64_t timeout_ms;
	int64_t adjusted;
	sim_ps t = start;

	if (!check_params(p, diag))
		return false;
	memset(out, 0, sizeof(*out));
	out->first_warp_ps = SIM_NEVER;
	out->unstable_ps = SIM_NEVER;
	out->end_ps = start;
	/* tsc_sanitize_first_cpu(): a non-boot CPU keeps its boot value. */
	adjusted = p->target_boot_adjust;
	out->adjust_written = adjusted;

	/* check_tsc_sync_target(): "Also aborts if there is no TSC." */
	if (p->tsc_unstable) {
		out->skip = TSC_SYNC_SKIP_UNSTABLE;
		return true;
	}
	/*
	 * tsc_store_and_check_tsc_adjust(): with TSC_ADJUST, a CPU joining a
	 * package that has an online CPU takes that CPU's adjusted value and
	 * reports "in sync" without measuring.
	 */
	if (p->have_tsc_adjust && p->package_has_online_cpu) {
		if (p->target_boot_adjust != p->package_ref_adjust) {
			p->adjust(p->ctx, p->target_cpu, p->package_ref_adjust - p->target_boot_adjust, t);
			out->adjust_writes = 1;
			out->adjust_written = p->package_ref_adjust;
		}
		out->skip = TSC_SYNC_SKIP_PACKAGE;
		return true;
	}
	if (p->tsc_reliable) {
		out->skip = TSC_SYNC_SKIP_RELIABLE;
		return true;
	}

	timeout_ms = tsc_sync_timeout_ms(p->package_has_online_cpu);
	test_runs = p->have_tsc_adjust ? TSC_SYNC_RUNS_ADJUST : TSC_SYNC_RUNS_PLAIN;
	cpu[TSC_SYNC_SOURCE].cpu = p->source_cpu;
	cpu[TSC_SYNC_TARGET].cpu = p->target_cpu;
	for (;;) {
		struct tsc_sync_run *run = &out->run[out->runs++];
		struct warp_cpu *tgt = &cpu[TSC_SYNC_TARGET];
		int64_t warp;

		warp_run(p, timeout_ms, t, run, cpu, &s);
		t = run->end_ps;
		if (run->nr_warps) {
			out->warp = true;
			if (run->max_warp_cycles > out->max_warp_cycles)
				out->max_warp_cycles = run->max_warp_cycles;
			if (out->first_warp_ps == SIM_NEVER)
				out->first_warp_ps = run->first_warp_ps;
		}
		if (run->random_warps)
			out->random_warps = true;

		/* check_tsc_sync_source(): the verdict on this pass. */
		if (run->nr_warps == 0) {
			test_runs = 0;
		} else if (--test_runs == 0 || run->random_warps) {
			test_runs = 0;
			out->marks_unstable = true;
			out->unstable_ps = t;
			out->reported_warp_cycles = run->max_warp_cycles;
		}
		if (test_runs == 0)
			break;

		/*
		 * check_tsc_sync_target(): a target that saw no warp was ahead,
		 * so it moves back by the global maximum it read on leaving.
		 */
		warp = tgt->cur_max_warp ? (int64_t)tgt->cur_max_warp : -(int64_t)tgt->gbl_max_warp;
		adjusted += warp;
		p->adjust(p->ctx, p->target_cpu, warp, t);
		run->adjust_delta = warp;
		out->adjust_writes++;
		out->adjust_written = adjusted;
		t += p->rerun_gap_ps;
	}
	out->compensated = out->adjust_writes > 0 && !out->marks_unstable;
	out->end_ps = t;
	return true;
}
