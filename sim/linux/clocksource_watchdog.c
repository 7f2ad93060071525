/*
 * Linux 6.12's clocksource watchdog (kernel/time/clocksource.c), rewritten
 * from its documented behaviour.  The rules, by function:
 *
 *   __clocksource_update_freq_scale(): uncertainty_margin = 10^9 / (scale *
 *     freq) ns, raised to 2 * WATCHDOG_MAX_SKEW; WATCHDOG_THRESHOLD
 *     (31.25 ms) without a rate; a preset margin (tsc-early: 32 ms) is kept.
 *     WATCHDOG_MAX_SKEW = CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US (125) us.
 *   cs_watchdog_read(): up to max_retries + 1 attempts of
 *     wdnow = wd; csnow = cs; wd_end = wd; wd_end2 = wd;
 *     success if wd_end - wdnow <= 2 * wd margin + cs margin;
 *     else skip ("clock-skew test skipped") if wd_end2 - wd_end > 2 * wd margin;
 *     else retry.  Out of attempts: WD_READ_UNSTABLE.
 *     max_retries = ilog2(num_online_cpus()) / 2 + 1 (since 6.8).
 *   clocksource_watchdog(): UNSTABLE: __clocksource_unstable().  SKIP: reset
 *     every watched clocksource, wait 300 s more.  First sample (or a pending
 *     reset): store cs_last / wd_last.  Else convert both intervals
 *     (cycles_to_nsec_safe(), with x86's CLOCKSOURCE_VALIDATE_LAST_CYCLE:
 *     a delta with the mask's top bit set counts as 0), store the new
 *     samples; skip when max(cs_nsec, wd_nsec) > WATCHDOG_INTERVAL_MAX_NS
 *     (1 s) and restart the timer from now; mark unstable when
 *     |cs_nsec - wd_nsec| > cs margin + wd margin.  The timer moves to the
 *     next online CPU and expires WATCHDOG_INTERVAL after the last expiry.
 *   __clocksource_watchdog_kthread(): takes the unstable TSC off the
 *     watchdog list, so the timer stops (clocksource_stop_watchdog()).
 */
#include "sim/linux/clocksource_watchdog.h"

#include <string.h>

uint64_t cs_watchdog_max_skew_ns(unsigned max_skew_us)
{
	return (uint64_t)(max_skew_us ? max_skew_us : CS_WD_MAX_SKEW_US_DEFAULT) * 1000u;
}

uint64_t cs_watchdog_uncertainty_margin_ns(uint32_t scale, uint32_t freq, uint64_t preset_ns,
					   unsigned max_skew_us)
{
	uint64_t floor_ns = 2 * cs_watchdog_max_skew_ns(max_skew_us);
	uint32_t hz;
	uint64_t m;

	if (preset_ns)
		return preset_ns;
	if (!scale || !freq)
		return CS_WD_THRESHOLD_NS;
	/* Linux multiplies two u32s: a wrapped product only lowers the period to the floor. */
	hz = scale * freq;
	m = hz ? SIM_NS_PER_S / hz : floor_ns;
	return m < floor_ns ? floor_ns : m;
}

unsigned cs_watchdog_max_retries(unsigned ncpus)
{
	unsigned log2 = 0;

	while (ncpus > 1) {
		ncpus >>= 1;
		log2++;
	}
	return log2 / 2 + 1;
}

bool cs_watchdog_tsc_watched(bool constant_tsc, bool nonstop_tsc, bool tsc_adjust,
			     unsigned packages, bool tsc_reliable, bool tsc_nowatchdog)
{
	if (tsc_reliable || tsc_nowatchdog)
		return false;
	return !(constant_tsc && nonstop_tsc && tsc_adjust && packages <= 4);
}

const char *cs_watchdog_outcome_name(enum cs_wd_outcome o)
{
	switch (o) {
	case CS_WD_NOT_WATCHED: return "not-watched";
	case CS_WD_ALREADY_UNSTABLE: return "already-unstable";
	case CS_WD_PRIMED: return "primed";
	case CS_WD_OK: return "ok";
	case CS_WD_SKIP_READ: return "skip-read";
	case CS_WD_SKIP_LONG: return "skip-long-interval";
	case CS_WD_UNSTABLE_READ: return "unstable-read-back-delay";
	case CS_WD_UNSTABLE_SKEW: return "unstable-skew";
	}
	return "?";
}

const char *cs_watchdog_verdict_name(enum cs_wd_verdict v)
{
	switch (v) {
	case CS_WD_NO_VERDICT: return "none";
	case CS_WD_TRUE_POSITIVE: return "true-positive";
	case CS_WD_FALSE_POSITIVE: return "false-positive";
	}
	return "?";
}

bool cs_watchdog_init(struct cs_watchdog *w, const struct cs_watchdog_params *p, sim_ps start,
		      struct sim_diag *diag)
{
	unsigned hz;

	if (!p->wd_read || !p->tsc_read)
		return sim_diag_fail(diag, "clocksource watchdog: missing read callback");
	if (!p->wd_freq_hz || !p->tsc_khz)
		return sim_diag_fail(diag, "clocksource watchdog: zero rate");
	if (!p->wd_mask)
		return sim_diag_fail(diag, "clocksource watchdog: empty watchdog mask");
	if (!p->ncpus || p->first_cpu >= p->ncpus)
		return sim_diag_fail(diag, "clocksource watchdog: first CPU %u of %u", p->first_cpu,
				     p->ncpus);
	memset(w, 0, sizeof(*w));
	w->p = *p;
	hz = p->hz ? p->hz : 1000u;
	clocksource_init_freq(&w->wd, p->wd_mask, 1, p->wd_freq_hz);
	clocksource_init_freq(&w->tsc, UINT64_MAX, 1000, p->tsc_khz);
	w->wd_margin_ns = cs_watchdog_uncertainty_margin_ns(1, p->wd_freq_hz, p->wd_margin_ns,
							    p->max_skew_us);
	w->tsc_margin_ns = cs_watchdog_uncertainty_margin_ns(1000, p->tsc_khz, p->tsc_margin_ns,
							     p->max_skew_us);
	w->md_ns = (int64_t)(w->tsc_margin_ns + w->wd_margin_ns);
	w->read_limit_ns = p->readout_limit_md ? w->md_ns :
			   (int64_t)(2 * w->wd_margin_ns + w->tsc_margin_ns);
	w->seq_limit_ns = (int64_t)(2 * w->wd_margin_ns);
	w->max_retries = cs_watchdog_max_retries(p->ncpus);
	/* WATCHDOG_INTERVAL = HZ >> 1 jiffies; the max is twice that in ns. */
	w->interval_ps = sim_mul_div(hz >> 1, SIM_PS_PER_S, hz);
	w->interval_max_ns = cs_watchdog_interval_max_ns(hz);
	w->cpu = p->first_cpu;
	/* clocksource_start_watchdog() needs a watched clocksource. */
	w->next_ps = p->tsc_watched ? start + w->interval_ps : SIM_NEVER;
	w->res.unstable_ps = SIM_NEVER;
	return true;
}

int64_t cs_watchdog_interval_max_ns(unsigned hz)
{
	if (!hz)
		hz = 1000u;
	/* WATCHDOG_INTERVAL = HZ >> 1 jiffies; the max is twice that in ns. */
	return (int64_t)(2 * (hz >> 1) * (SIM_NS_PER_S / hz));
}

enum cs_wd_outcome cs_watchdog_decide(int64_t cs_nsec, int64_t wd_nsec, int64_t md_ns,
				      int64_t interval_max_ns)
{
	int64_t skew = cs_nsec - wd_nsec;

	if (cs_nsec > interval_max_ns || wd_nsec > interval_max_ns)
		return CS_WD_SKIP_LONG;
	if ((skew < 0 ? -skew : skew) > md_ns)
		return CS_WD_UNSTABLE_SKEW;
	return CS_WD_OK;
}

sim_ps cs_watchdog_next_tick_ps(const struct cs_watchdog *w)
{
	return w->next_ps;
}

void cs_watchdog_touch(struct cs_watchdog *w)
{
	w->primed = false;
}

/* cycles_to_nsec_safe() with CLOCKSOURCE_VALIDATE_LAST_CYCLE. */
static int64_t cyc_to_ns(const struct linux_clocksource *cs, uint64_t start, uint64_t end)
{
	uint64_t delta = (end - start) & cs->mask;

	/* A "negative" delta (top bit of the mask set) counts as no time. */
	if (delta & ~(cs->mask >> 1))
		delta = 0;
	return (int64_t)clocksource_cyc2ns(cs, delta);
}

/* ns error of a clock that measured `measured_ns` over true [from, to]. */
static int64_t true_error_ns(int64_t measured_ns, sim_ps from, sim_ps to)
{
	return (int64_t)(((sim_i128)measured_ns * 1000 - (sim_i128)(to - from)) / 1000);
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* One read: stalls, then the access, sampled halfway through it. */
static uint64_t read_one(struct cs_watchdog *w, enum cs_wd_read_kind kind, enum cs_wd_slot slot,
			 unsigned cpu, sim_ps *t, sim_ps *sample_ps)
{
	struct cs_wd_stall st = { 0, 0 };
	sim_ps access_ps = kind == CS_WD_READ_WATCHDOG ? w->p.wd_access_ps : w->p.tsc_access_ps;
	uint64_t *count = kind == CS_WD_READ_WATCHDOG ? &w->wd_reads : &w->tsc_reads;
	uint64_t v;

	if (w->p.stall)
		st = w->p.stall(w->p.ctx, kind, *count, slot, *t);
	(*count)++;
	*sample_ps = *t + st.before_ps + access_ps / 2;
	if (kind == CS_WD_READ_WATCHDOG)
		v = w->p.wd_read(w->p.ctx, *sample_ps) & w->p.wd_mask;
	else
		v = w->p.tsc_read(w->p.ctx, cpu, *sample_ps);
	*t += st.before_ps + access_ps + st.after_ps;
	return v;
}

struct wd_sample {
	uint64_t tsc, wd;
	sim_ps tsc_ps, wd_ps;
};

/* cs_watchdog_read(): the wd-cs-wd sandwich with its retry rules. */
static enum cs_wd_read_status watchdog_read(struct cs_watchdog *w, unsigned cpu, sim_ps *t,
					    struct wd_sample *s, struct cs_watchdog_tick *tk)
{
	for (unsigned n = 0; n <= w->max_retries; n++) {
		uint64_t wd_end, wd_end2;
		sim_ps end_ps, end2_ps;

		/* local_irq_disable(): four reads back to back. */
		s->wd = read_one(w, CS_WD_READ_WATCHDOG, CS_WD_SLOT_WDNOW, cpu, t, &s->wd_ps);
		s->tsc = read_one(w, CS_WD_READ_TSC, CS_WD_SLOT_CSNOW, cpu, t, &s->tsc_ps);
		wd_end = read_one(w, CS_WD_READ_WATCHDOG, CS_WD_SLOT_WD_END, cpu, t, &end_ps);
		wd_end2 = read_one(w, CS_WD_READ_WATCHDOG, CS_WD_SLOT_WD_END2, cpu, t, &end2_ps);
		tk->attempts = n + 1;
		if (n > 0)
			w->res.read_retries++;

		/* Was the TSC read bracketed tightly enough? */
		tk->wd_delay_ns = cyc_to_ns(&w->wd, s->wd, wd_end);
		tk->wd_seq_delay_ns = cyc_to_ns(&w->wd, wd_end, wd_end2);
		if (tk->wd_delay_ns <= w->read_limit_ns)
			return CS_WD_READ_SUCCESS;
		/* Even two watchdog reads in a row are slow: the system is busy. */
		if (tk->wd_seq_delay_ns > w->seq_limit_ns)
			return CS_WD_READ_SKIP;
	}
	return CS_WD_READ_UNSTABLE;
}

static void demote(struct cs_watchdog *w, enum cs_wd_outcome why, sim_ps t,
		   const struct cs_watchdog_tick *tk)
{
	struct cs_watchdog_result *r = &w->res;

	r->marked_unstable = true;
	r->unstable_ps = t;
	r->reason = why;
	r->skew_ns = why == CS_WD_UNSTABLE_SKEW ? tk->skew_ns : 0;
	r->wd_delay_ns = tk->wd_delay_ns;
	r->tsc_true_error_ns = tk->compared ? tk->tsc_true_error_ns : 0;
	r->verdict = tk->compared && abs64(tk->tsc_true_error_ns) > w->md_ns ?
		CS_WD_TRUE_POSITIVE : CS_WD_FALSE_POSITIVE;
	/* The kthread drops the TSC from the watchdog list: the timer stops. */
	w->next_ps = SIM_NEVER;
}

/* What the oracle knows about the interval since the last stored samples. */
static void measure(const struct cs_watchdog *w, const struct wd_sample *s,
		    struct cs_watchdog_tick *tk)
{
	tk->cs_nsec = cyc_to_ns(&w->tsc, w->tsc_last, s->tsc);
	tk->wd_nsec = cyc_to_ns(&w->wd, w->wd_last, s->wd);
	tk->skew_ns = tk->cs_nsec - tk->wd_nsec;
	tk->tsc_true_error_ns = true_error_ns(tk->cs_nsec, w->tsc_last_ps, s->tsc_ps);
	tk->wd_true_error_ns = true_error_ns(tk->wd_nsec, w->wd_last_ps, s->wd_ps);
	tk->compared = true;
}

void cs_watchdog_tick(struct cs_watchdog *w, sim_ps now, struct cs_watchdog_tick *out)
{
	struct cs_watchdog_tick tk;
	enum cs_wd_read_status st;
	struct wd_sample s;
	sim_ps t = now;
	sim_ps extra_ps = 0;

	memset(&tk, 0, sizeof(tk));
	tk.cpu = w->cpu;
	tk.end_ps = now;
	if (!w->p.tsc_watched) {
		tk.outcome = CS_WD_NOT_WATCHED;
		goto done;
	}
	if (w->res.marked_unstable) {
		tk.outcome = CS_WD_ALREADY_UNSTABLE;
		goto done;
	}
	w->res.ticks++;

	st = watchdog_read(w, w->cpu, &t, &s, &tk);
	tk.end_ps = t;
	if (st == CS_WD_READ_UNSTABLE) {
		/* "wd-tsc-wd excessive read-back delay ... marking tsc unstable" */
		if (w->primed)
			measure(w, &s, &tk);
		tk.outcome = CS_WD_UNSTABLE_READ;
		demote(w, tk.outcome, t, &tk);
		goto done;
	}
	if (st == CS_WD_READ_SKIP) {
		/* clocksource_reset_watchdog(); extra_wait = HZ * 300 */
		w->res.read_skips++;
		w->primed = false;
		extra_ps = CS_WD_SKIP_WAIT_PS;
		tk.outcome = CS_WD_SKIP_READ;
		goto rearm;
	}
	if (!w->primed) {
		w->primed = true;
		tk.outcome = CS_WD_PRIMED;
		goto store;
	}

	measure(w, &s, &tk);
	if (cs_watchdog_decide(tk.cs_nsec, tk.wd_nsec, w->md_ns, w->interval_max_ns) ==
	    CS_WD_SKIP_LONG) {
		/* "Long readout interval, skipping watchdog check"; expires = jiffies */
		w->res.long_skips++;
		if (abs64(tk.tsc_true_error_ns) > w->md_ns)
			w->res.missed++;
		tk.outcome = CS_WD_SKIP_LONG;
		w->next_ps = now;
		goto store;
	}
	w->res.compared++;
	if (abs64(tk.skew_ns) > w->res.max_abs_skew_ns)
		w->res.max_abs_skew_ns = abs64(tk.skew_ns);
	if (cs_watchdog_decide(tk.cs_nsec, tk.wd_nsec, w->md_ns, w->interval_max_ns) ==
	    CS_WD_UNSTABLE_SKEW) {
		/* "Marking clocksource 'tsc' as unstable because the skew is too large" */
		tk.outcome = CS_WD_UNSTABLE_SKEW;
		demote(w, tk.outcome, t, &tk);
		goto done;
	}
	if (abs64(tk.tsc_true_error_ns) > w->md_ns)
		w->res.missed++;
	tk.outcome = CS_WD_OK;
store:
	w->tsc_last = s.tsc;
	w->wd_last = s.wd;
	w->tsc_last_ps = s.tsc_ps;
	w->wd_last_ps = s.wd_ps;
rearm:
	/* The timer moves to the next online CPU, WATCHDOG_INTERVAL after its last expiry. */
	w->cpu = (w->cpu + 1) % w->p.ncpus;
	w->next_ps += w->interval_ps + extra_ps;
	if (w->next_ps < t)
		w->next_ps = t;
done:
	if (out)
		*out = tk;
}

void cs_watchdog_run(struct cs_watchdog *w, sim_ps end)
{
	while (w->next_ps != SIM_NEVER && w->next_ps <= end)
		cs_watchdog_tick(w, w->next_ps, NULL);
}
