/*
 * clocksource_watchdog: Linux 6.12's clocksource_watchdog() and
 * cs_watchdog_read() against a simulated HPET (or ACPI PM timer) and TSC.
 *
 * The numbers every expectation comes from (kernel/time/clocksource.c):
 *   WATCHDOG_MAX_SKEW = CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US (125) us.
 *   margin = max(10^9 / Hz ns, 2 * WATCHDOG_MAX_SKEW):
 *     tsc 3 GHz: 10^9 / (1000 * 3000000) = 0 ns -> 250 us;
 *     hpet 14318180 Hz: 69 ns -> 250 us;  acpi_pm 3579545 Hz: 279 ns -> 250 us.
 *   skew limit md = tsc margin + hpet margin = 500 us per interval (0.5 s):
 *     a TSC 1000 ppm off shows exactly the limit.
 *   read-back limits: wd-tsc-wd <= 2 * 250 + 250 = 750 us; wd-wd <= 500 us.
 *   attempts = ilog2(CPUs) / 2 + 2: 2 CPUs: 2, 4 CPUs: 3, 16 CPUs: 4.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/simtime.h"
#include "sim/linux/clocksource_watchdog.h"

#define US(x) ((sim_ps)(x) * SIM_PS_PER_US)
#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)
#define NO_INDEX UINT64_MAX
#define TSC_BASE UINT64_C(5000000000000)

struct stall_rule {
	enum cs_wd_read_kind kind;
	uint64_t every;           /* reads of `kind` with index % every == phase ... */
	uint64_t phase;
	uint64_t only;            /* ... or exactly this index */
	bool after;               /* stall after the sample instead of before */
	sim_ps ps;
};

struct box {
	struct sim_freq wd_freq;  /* true watchdog rate */
	struct sim_freq tsc_freq[4];
	int64_t tsc_offset[4];    /* cycles */
	sim_ps step_ps;           /* from here on, every TSC is step_cycles off */
	int64_t step_cycles;
	struct stall_rule rule;
};

static uint64_t wd_read_cb(void *ctx, sim_ps t)
{
	struct box *b = ctx;

	return sim_ticks_in(t, b->wd_freq);
}

static uint64_t tsc_read_cb(void *ctx, unsigned cpu, sim_ps t)
{
	struct box *b = ctx;
	uint64_t v = TSC_BASE + sim_ticks_in(t, b->tsc_freq[cpu]) + (uint64_t)b->tsc_offset[cpu];

	if (t >= b->step_ps)
		v += (uint64_t)b->step_cycles;
	return v;
}

static struct cs_wd_stall stall_cb(void *ctx, enum cs_wd_read_kind kind, uint64_t index,
				   enum cs_wd_slot slot, sim_ps t)
{
	const struct stall_rule *r = &((struct box *)ctx)->rule;
	struct cs_wd_stall s = { 0, 0 };

	if (r->ps == 0 || kind != r->kind)
		return s;
	if ((r->every && index % r->every == r->phase) || index == r->only) {
		if (r->after)
			s.after_ps = r->ps;
		else
			s.before_ps = r->ps;
	}
	return s;
}

/* A 4-CPU box: HPET at 14318180 Hz, every TSC exactly 3 GHz, no stalls. */
static void box_init(struct box *b)
{
	memset(b, 0, sizeof(*b));
	b->wd_freq = sim_freq_hz(14318180);
	for (int c = 0; c < 4; c++)
		b->tsc_freq[c] = sim_freq_hz(3000000000);
	b->step_ps = SIM_NEVER;
	b->rule.only = NO_INDEX;
}

static struct cs_watchdog_params hpet_params(struct box *b)
{
	return (struct cs_watchdog_params){
		.wd_read = wd_read_cb,
		.tsc_read = tsc_read_cb,
		.stall = stall_cb,
		.ctx = b,
		.wd_mask = UINT32_MAX,
		.wd_freq_hz = 14318180,
		.tsc_khz = 3000000,
		.ncpus = 4,
		.wd_access_ps = US(1),
		.tsc_access_ps = 20 * SIM_PS_PER_NS,
		.tsc_watched = true,
	};
}

static void start(struct cs_watchdog *w, const struct cs_watchdog_params *p)
{
	struct sim_diag d;

	cr_assert(cs_watchdog_init(w, p, 0, &d), "%s", d.msg);
}

Test(clocksource_watchdog, margins_derived_by_hand)
{
	static const struct {
		const char *what;
		uint32_t scale, freq;
		uint64_t preset_ns;
		unsigned max_skew_us;
		uint64_t margin_ns;
	} cases[] = {
		{ "tsc 3 GHz (khz)", 1000, 3000000, 0, 0, 250000 },
		{ "hpet 14.318 MHz", 1, 14318180, 0, 0, 250000 },
		{ "acpi_pm", 1, 3579545, 0, 0, 250000 },
		{ "1 kHz: period above the floor", 1, 1000, 0, 0, 1000000 },
		{ "no rate: WATCHDOG_THRESHOLD", 0, 0, 0, 0, 31250000 },
		{ "tsc-early preset", 1000, 3000000, 32000000, 0, 32000000 },
		{ "MAX_SKEW_US=50", 1, 14318180, 0, 50, 100000 },
		{ "4.4 GHz: the u32 product wraps", 1000, 4400000, 0, 0, 250000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(cs_watchdog_uncertainty_margin_ns(cases[i].scale, cases[i].freq,
							       cases[i].preset_ns,
							       cases[i].max_skew_us),
			     cases[i].margin_ns, "%s", cases[i].what);
	cr_expect_eq(cs_watchdog_max_skew_ns(0), 125000);
}

Test(clocksource_watchdog, tsc_vs_hpet_thresholds)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;

	box_init(&b);
	p = hpet_params(&b);
	start(&w, &p);
	cr_expect_eq(w.tsc_margin_ns, 250000);
	cr_expect_eq(w.wd_margin_ns, 250000);
	cr_expect_eq(w.md_ns, 500000, "skew limit: 250 + 250 us");
	cr_expect_eq(w.read_limit_ns, 750000, "wd-tsc-wd: 2 * 250 + 250 us");
	cr_expect_eq(w.seq_limit_ns, 500000, "wd-wd: 2 * 250 us");
	cr_expect_eq(w.max_retries, 2, "4 CPUs: ilog2(4) / 2 + 1");
	cr_expect_eq(w.interval_ps, MS(500));
	cr_expect_eq(w.interval_max_ns, 1000000000);
	cr_expect_eq(cs_watchdog_next_tick_ps(&w), MS(500));
}

Test(clocksource_watchdog, retries_and_intervals_follow_cpus_and_hz)
{
	static const unsigned cpus[][2] = {
		{ 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 8, 2 }, { 16, 3 }, { 64, 4 }, { 1024, 6 },
	};
	static const struct {
		unsigned hz;
		int64_t max_ns;
	} hzs[] = { { 1000, 1000000000 }, { 250, 1000000000 }, { 100, 1000000000 },
		    { 300, 999999900 } };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		cr_expect_eq(cs_watchdog_max_retries(cpus[i][0]), cpus[i][1], "%u CPUs", cpus[i][0]);
	for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		p = hpet_params(&b);
		p.hz = hzs[i].hz;
		start(&w, &p);
		cr_expect_eq(w.interval_ps, MS(500), "HZ=%u", hzs[i].hz);
		cr_expect_eq(w.interval_max_ns, hzs[i].max_ns, "HZ=%u", hzs[i].hz);
	}
}

Test(clocksource_watchdog, perfect_tsc_is_never_demoted)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;

	box_init(&b);
	p = hpet_params(&b);
	start(&w, &p);
	cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
	cr_expect(!w.res.marked_unstable);
	cr_expect_eq(w.res.ticks, 120);
	cr_expect_eq(w.res.compared, 119);
	cr_expect_eq(w.res.read_retries, 0);
	cr_expect_lt(w.res.max_abs_skew_ns, 1000, "%" PRId64, w.res.max_abs_skew_ns);
	cr_expect_eq(w.res.verdict, CS_WD_NO_VERDICT);
	cr_expect_eq(cs_watchdog_next_tick_ps(&w), 60 * SIM_PS_PER_S + MS(500));
}

Test(clocksource_watchdog, timer_visits_each_cpu_in_turn)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct cs_watchdog_tick tk;
	static const unsigned expect[] = { 0, 1, 2, 3, 0, 1 };

	box_init(&b);
	p = hpet_params(&b);
	start(&w, &p);
	for (size_t i = 0; i < 6; i++) {
		cs_watchdog_tick(&w, cs_watchdog_next_tick_ps(&w), &tk);
		cr_expect_eq(tk.cpu, expect[i]);
		cr_expect_eq(tk.outcome, i == 0 ? CS_WD_PRIMED : CS_WD_OK);
		cr_expect_eq(tk.attempts, 1);
	}
}

Test(clocksource_watchdog, tsc_rate_error_beyond_the_margin_is_a_true_positive)
{
	/* 0.5 s at +1100 ppm is 550 us of skew > 500 us: demoted at the first compared tick. */
	static const struct {
		int64_t ppb;
		bool demoted;
	} cases[] = { { 1100000, true }, { -1100000, true }, { 900000, false }, { -900000, false } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		for (int c = 0; c < 4; c++)
			cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), cases[i].ppb,
						     &b.tsc_freq[c]));
		p = hpet_params(&b);
		start(&w, &p);
		cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
		cr_expect_eq(w.res.marked_unstable, cases[i].demoted, "%" PRId64 " ppb", cases[i].ppb);
		if (!cases[i].demoted) {
			cr_expect_eq(w.res.missed, 0);
			continue;
		}
		cr_expect_eq(w.res.reason, CS_WD_UNSTABLE_SKEW);
		cr_expect_eq(w.res.verdict, CS_WD_TRUE_POSITIVE);
		cr_expect_geq(w.res.unstable_ps, MS(1000));
		cr_expect_lt(w.res.unstable_ps, MS(1000) + US(10));
		cr_expect_eq(w.res.ticks, 2);
		cr_expect_lt(llabs(llabs(w.res.skew_ns) - 550000), 1000, "skew %" PRId64,
			     w.res.skew_ns);
		cr_expect_lt(llabs(w.res.tsc_true_error_ns - w.res.skew_ns), 1000);
		cr_expect_eq(cs_watchdog_next_tick_ps(&w), SIM_NEVER, "the timer stops");
	}
}

Test(clocksource_watchdog, tsc_step_is_caught_at_the_next_tick)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;

	box_init(&b);
	b.step_ps = MS(10200);
	b.step_cycles = 3000000;          /* +1 ms */
	p = hpet_params(&b);
	start(&w, &p);
	cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
	cr_expect(w.res.marked_unstable);
	cr_expect_eq(w.res.reason, CS_WD_UNSTABLE_SKEW);
	cr_expect_eq(w.res.verdict, CS_WD_TRUE_POSITIVE);
	cr_expect_geq(w.res.unstable_ps, MS(10500));
	cr_expect_lt(w.res.unstable_ps, MS(10501));
	cr_expect_lt(llabs(w.res.skew_ns - 1000000), 1000);
}

Test(clocksource_watchdog, cross_cpu_tsc_offset_shows_when_the_timer_moves)
{
	static const int64_t offsets[] = { 3000000, -3000000, -3000000000 };

	for (size_t i = 0; i < 3; i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		b.tsc_offset[1] = offsets[i];
		p = hpet_params(&b);
		p.ncpus = 2;
		start(&w, &p);
		cs_watchdog_run(&w, 10 * SIM_PS_PER_S);
		cr_expect(w.res.marked_unstable, "offset %" PRId64, offsets[i]);
		/* Primed on CPU 0 at 0.5 s, compared on CPU 1 at 1.0 s. */
		cr_expect_eq(w.res.ticks, 2);
		cr_expect_eq(w.res.verdict, CS_WD_TRUE_POSITIVE);
	}
}

Test(clocksource_watchdog, every_third_watchdog_read_stalled_1ms)
{
	/*
	 * Each attempt reads the watchdog 3 times, so "every third read" always
	 * lands on the same slot.  What Linux 6.12 does depends on the slot and
	 * on whether the stall comes before the counter is sampled or after.
	 */
	static const struct {
		const char *what;
		uint64_t phase;
		bool after;
		bool demoted;
	} cases[] = {
		{ "wdnow sampled late: the sandwich stays tight", 0, false, false },
		{ "wdnow returns late: wd-tsc-wd 1 ms, every retry", 0, true, true },
		{ "wd_end sampled late: wd-tsc-wd 1 ms, every retry", 1, false, true },
		{ "wd_end returns late: only wd-wd grows, unused", 1, true, false },
		{ "wd_end2 (the 3rd, 6th, ... read) sampled late: unused", 2, false, false },
		{ "wd_end2 returns late: unused", 2, true, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		b.rule = (struct stall_rule){ CS_WD_READ_WATCHDOG, 3, cases[i].phase, NO_INDEX,
					      cases[i].after, MS(1) };
		p = hpet_params(&b);
		start(&w, &p);
		cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
		cr_expect_eq(w.res.marked_unstable, cases[i].demoted, "%s", cases[i].what);
		if (!cases[i].demoted) {
			cr_expect_eq(w.res.read_retries, 0, "%s", cases[i].what);
			continue;
		}
		/* At the very first tick: 3 attempts of ~1 ms each, no interval compared. */
		cr_expect_eq(w.res.reason, CS_WD_UNSTABLE_READ, "%s", cases[i].what);
		cr_expect_eq(w.res.verdict, CS_WD_FALSE_POSITIVE);
		cr_expect_eq(w.res.ticks, 1);
		cr_expect_eq(w.res.read_retries, 2);
		cr_expect_gt(w.res.wd_delay_ns, 1000000);
		cr_expect_lt(w.res.wd_delay_ns, 1010000);
		cr_expect_gt(w.res.unstable_ps, MS(503));
		cr_expect_lt(w.res.unstable_ps, MS(504));
	}
}

Test(clocksource_watchdog, stall_inside_the_read_window)
{
	/*
	 * One TSC read (the 10th: the tick at 5.0 s) sampled late.  Up to
	 * 750 us the sandwich is accepted and the whole stall is skew: above
	 * 500 us a perfect TSC is demoted.  Beyond 750 us the attempt is
	 * retried and the clean retry passes.
	 */
	static const struct {
		sim_ps stall_ps;
		bool demoted;
		unsigned retries;
	} cases[] = {
		{ US(400), false, 0 }, { US(600), true, 0 }, { US(740), true, 0 },
		{ US(800), false, 1 }, { MS(5), false, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		b.rule = (struct stall_rule){ CS_WD_READ_TSC, 0, 0, 9, false, cases[i].stall_ps };
		p = hpet_params(&b);
		start(&w, &p);
		cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
		cr_expect_eq(w.res.marked_unstable, cases[i].demoted, "stall %" PRIu64 " ps",
			     cases[i].stall_ps);
		cr_expect_eq(w.res.read_retries, cases[i].retries);
		if (!cases[i].demoted) {
			/* 400 us shows as +400 then -400: never above md. */
			cr_expect_leq(w.res.max_abs_skew_ns, 500000);
			continue;
		}
		cr_expect_eq(w.res.reason, CS_WD_UNSTABLE_SKEW);
		cr_expect_eq(w.res.verdict, CS_WD_FALSE_POSITIVE);
		cr_expect_lt(llabs(w.res.skew_ns - (int64_t)(cases[i].stall_ps / 1000)), 2000);
		cr_expect_lt(llabs(w.res.tsc_true_error_ns), 100);
		cr_expect_geq(w.res.unstable_ps, MS(5000));
		cr_expect_lt(w.res.unstable_ps, MS(5002));
	}
}

/*
 * The same stalls under T. Gleixner's Dec 2025 readout limit (readout_limit_md):
 * the wd-tsc-wd window may be at most md = 250 + 250 = 500 us.  A stall of
 * 400 us is still accepted (and cancels out over two intervals); 600 and 740 us,
 * which 6.12 accepted and then saw as skew, now exceed the window and are
 * retried: the clean retry passes, nothing is demoted.
 */
Test(clocksource_watchdog, readout_limit_fix_retries_stalls_above_the_skew_limit)
{
	static const struct {
		sim_ps stall_ps;
		unsigned retries;
	} cases[] = {
		{ US(400), 0 }, { US(600), 1 }, { US(740), 1 }, { US(800), 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		b.rule = (struct stall_rule){ CS_WD_READ_TSC, 0, 0, 9, false, cases[i].stall_ps };
		p = hpet_params(&b);
		p.readout_limit_md = true;
		start(&w, &p);
		cr_expect_eq(w.read_limit_ns, 500000);
		cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
		cr_expect_not(w.res.marked_unstable, "stall %" PRIu64 " ps", cases[i].stall_ps);
		cr_expect_eq(w.res.read_retries, cases[i].retries, "stall %" PRIu64 " ps",
			     cases[i].stall_ps);
		cr_expect_leq(w.res.max_abs_skew_ns, 500000);
	}
}

Test(clocksource_watchdog, slow_watchdog_skips_and_waits_five_minutes)
{
	/* 800 us per HPET read: wd-tsc-wd ~820 us and wd-wd 800 us, both too wide. */
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct cs_watchdog_tick tk;

	box_init(&b);
	for (int c = 0; c < 4; c++)
		cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), 2000000, &b.tsc_freq[c]));
	p = hpet_params(&b);
	p.wd_access_ps = US(800);
	start(&w, &p);
	cs_watchdog_tick(&w, cs_watchdog_next_tick_ps(&w), &tk);
	cr_expect_eq(tk.outcome, CS_WD_SKIP_READ);
	cr_expect_eq(tk.attempts, 1);
	cr_expect_eq(cs_watchdog_next_tick_ps(&w), MS(500) + MS(500) + CS_WD_SKIP_WAIT_PS);
	cs_watchdog_run(&w, 1000 * SIM_PS_PER_S);
	/* Ticks at 0.5, 301, 601.5 and 902 s, all skipped: a 2000 ppm TSC goes unchecked. */
	cr_expect_eq(w.res.ticks, 4);
	cr_expect_eq(w.res.read_skips, 4);
	cr_expect_eq(w.res.compared, 0);
	cr_expect(!w.res.marked_unstable);
}

Test(clocksource_watchdog, slow_but_consistent_watchdog_still_checks)
{
	/* 700 us per read: wd-tsc-wd ~720 us is accepted; the lateness cancels out. */
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;

	box_init(&b);
	p = hpet_params(&b);
	p.wd_access_ps = US(700);
	start(&w, &p);
	cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
	cr_expect(!w.res.marked_unstable);
	cr_expect_eq(w.res.compared, 119);
	cr_expect_lt(w.res.max_abs_skew_ns, 1000);
}

Test(clocksource_watchdog, wrong_watchdog_rate_is_a_false_positive)
{
	/* An emulated HPET 1100 ppm slow against a perfect TSC. */
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;

	box_init(&b);
	cr_assert(sim_freq_scale_ppb(sim_freq_hz(14318180), -1100000, &b.wd_freq));
	p = hpet_params(&b);
	start(&w, &p);
	cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
	cr_expect(w.res.marked_unstable);
	cr_expect_eq(w.res.reason, CS_WD_UNSTABLE_SKEW);
	cr_expect_eq(w.res.verdict, CS_WD_FALSE_POSITIVE);
	cr_expect_gt(w.res.skew_ns, 540000);
}

Test(clocksource_watchdog, acpi_pm_timer_wraps_harmlessly)
{
	static const int64_t ppbs[] = { 0, 1100000 };

	for (size_t i = 0; i < 2; i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		b.wd_freq = sim_freq_hz(3579545);
		for (int c = 0; c < 4; c++)
			cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), ppbs[i], &b.tsc_freq[c]));
		p = hpet_params(&b);
		p.wd_mask = 0xffffff;
		p.wd_freq_hz = 3579545;
		start(&w, &p);
		cs_watchdog_run(&w, 30 * SIM_PS_PER_S);
		cr_expect_eq(w.res.marked_unstable, ppbs[i] != 0);
		if (ppbs[i])
			cr_expect_eq(w.res.ticks, 2);
		else
			cr_expect_eq(w.res.compared, 59);
	}
}

Test(clocksource_watchdog, tsc_early_margin_hides_spread_spectrum_error)
{
	/* 2500 ppm (F11's SSC): 1.25 ms per interval, under tsc-early's 32.25 ms, over tsc's 500 us. */
	static const struct {
		uint64_t tsc_margin_ns;
		bool demoted;
	} cases[] = { { CS_WD_TSC_EARLY_MARGIN_NS, false }, { 0, true } };

	for (size_t i = 0; i < 2; i++) {
		struct box b;
		struct cs_watchdog_params p;
		struct cs_watchdog w;

		box_init(&b);
		for (int c = 0; c < 4; c++)
			cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), -2500000, &b.tsc_freq[c]));
		p = hpet_params(&b);
		p.tsc_margin_ns = cases[i].tsc_margin_ns;
		start(&w, &p);
		cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
		cr_expect_eq(w.res.marked_unstable, cases[i].demoted);
		if (!cases[i].demoted)
			cr_expect_eq(w.md_ns, 32250000);
	}
}

Test(clocksource_watchdog, modern_platforms_do_not_watch_the_tsc)
{
	static const struct {
		bool constant, nonstop, adjust;
		unsigned packages;
		bool reliable, nowatchdog, watched;
	} cases[] = {
		{ true, true, true, 1, false, false, false },
		{ true, true, true, 4, false, false, false },
		{ true, true, true, 8, false, false, true },
		{ true, true, false, 1, false, false, true },
		{ false, true, true, 1, false, false, true },
		{ true, false, true, 2, false, false, true },
		{ false, false, false, 1, true, false, false },
		{ false, false, false, 1, false, true, false },
	};
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct cs_watchdog_tick tk;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(cs_watchdog_tsc_watched(cases[i].constant, cases[i].nonstop,
						     cases[i].adjust, cases[i].packages,
						     cases[i].reliable, cases[i].nowatchdog),
			     cases[i].watched, "case %zu", i);

	/* Not watched: a 2000 ppm TSC is never looked at. */
	box_init(&b);
	for (int c = 0; c < 4; c++)
		cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), 2000000, &b.tsc_freq[c]));
	p = hpet_params(&b);
	p.tsc_watched = false;
	start(&w, &p);
	cr_expect_eq(cs_watchdog_next_tick_ps(&w), SIM_NEVER);
	cs_watchdog_run(&w, 60 * SIM_PS_PER_S);
	cs_watchdog_tick(&w, MS(500), &tk);
	cr_expect_eq(tk.outcome, CS_WD_NOT_WATCHED);
	cr_expect(!w.res.marked_unstable);
	cr_expect_eq(w.res.ticks, 0);
}

Test(clocksource_watchdog, long_interval_is_skipped_and_the_timer_restarts)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct cs_watchdog_tick tk;

	box_init(&b);
	for (int c = 0; c < 4; c++)
		cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000), 1100000, &b.tsc_freq[c]));
	p = hpet_params(&b);
	start(&w, &p);
	cs_watchdog_tick(&w, MS(500), &tk);
	cr_expect_eq(tk.outcome, CS_WD_PRIMED);
	/* The softirq ran 1.5 s late: 2 s since the last samples, over 1 s. */
	cs_watchdog_tick(&w, MS(2500), &tk);
	cr_expect_eq(tk.outcome, CS_WD_SKIP_LONG);
	cr_expect(tk.compared);
	cr_expect_lt(llabs(tk.skew_ns - 2200000), 1000, "%" PRId64, tk.skew_ns);
	cr_expect_eq(w.res.long_skips, 1);
	cr_expect_eq(w.res.missed, 1, "2.2 ms of TSC error went unchecked");
	cr_expect_eq(cs_watchdog_next_tick_ps(&w), MS(3000));
	cs_watchdog_tick(&w, MS(3000), &tk);
	cr_expect_eq(tk.outcome, CS_WD_UNSTABLE_SKEW);
}

Test(clocksource_watchdog, touch_makes_the_next_tick_resample)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct cs_watchdog_tick tk;

	box_init(&b);
	p = hpet_params(&b);
	start(&w, &p);
	cs_watchdog_run(&w, 5 * SIM_PS_PER_S);
	/* A kgdb stop or a resume: the TSC jumps, but the watchdog was told. */
	b.step_ps = MS(5100);
	b.step_cycles = 30000000;
	cs_watchdog_touch(&w);
	cs_watchdog_tick(&w, cs_watchdog_next_tick_ps(&w), &tk);
	cr_expect_eq(tk.outcome, CS_WD_PRIMED);
	cs_watchdog_run(&w, 20 * SIM_PS_PER_S);
	cr_expect(!w.res.marked_unstable);
}

Test(clocksource_watchdog, init_rejects_bad_parameters)
{
	struct box b;
	struct cs_watchdog_params p;
	struct cs_watchdog w;
	struct sim_diag d;

	box_init(&b);
	p = hpet_params(&b);
	p.wd_freq_hz = 0;
	cr_expect(!cs_watchdog_init(&w, &p, 0, &d));
	p = hpet_params(&b);
	p.tsc_read = NULL;
	cr_expect(!cs_watchdog_init(&w, &p, 0, &d));
	p = hpet_params(&b);
	p.first_cpu = 4;
	cr_expect(!cs_watchdog_init(&w, &p, 0, &d));
	p = hpet_params(&b);
	p.wd_mask = 0;
	cr_expect(!cs_watchdog_init(&w, &p, 0, &d));
	cr_expect(strstr(d.msg, "mask") != NULL, "%s", d.msg);
}
