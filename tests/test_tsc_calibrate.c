/*
 * tsc_calibrate and cmos_date: Linux's PIT calibration of the TSC and its
 * CMOS date read, run on the board with known access costs, against values
 * derived by hand from Linux's algorithms and the 8254's timing.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/event.h"
#include "sim/guest/cmos_date.h"
#include "sim/guest/tsc_calibrate.h"

#define NS(n) ((sim_ps)(n) * SIM_PS_PER_NS)
#define US(n) ((sim_ps)(n) * SIM_PS_PER_US)

/* An exact 3 GHz TSC: 3 cycles per ns. */
static uint64_t tsc_3ghz(const void *ctx, sim_ps t)
{
	(void)ctx;
	return (uint64_t)((sim_u128)t * 3 / 1000);
}

struct rig {
	struct sim_eventq q;
	struct platform pf;
	struct guest_pio g;
};

static void rig_init(struct rig *r, sim_ps pit_cost, sim_ps rdtsc, bool no_pit, bool no_rtc,
		     bool no_counters, uint8_t float_byte)
{
	struct platform_params p;
	struct sim_diag err = { 0 };

	platform_params_default(&p);
	p.cost_ps[BOARD_DEV_PIT] = pit_cost;
	p.cost_ps[BOARD_DEV_RTC] = pit_cost;
	p.io_unmapped_cost_ps = pit_cost;
	p.absent[BOARD_DEV_PIT] = no_pit;
	p.absent[BOARD_DEV_RTC] = no_rtc;
	p.absent[BOARD_DEV_HPET] = no_counters;
	p.absent[BOARD_DEV_PMTIMER] = no_counters;
	p.float_byte = float_byte;
	p.rtc_base_utc_s = 1781526896;                  /* 2026-06-15T12:34:56Z */
	sim_eventq_init(&r->q);
	cr_assert(platform_init(&r->pf, &r->q, &p, &err), "%s", err.msg);
	guest_pio_init(&r->g, &r->pf, 0, tsc_3ghz, NULL, rdtsc, 0, 1, "test");
}

static void rig_finish(struct rig *r)
{
	platform_finish(&r->pf);
	sim_eventq_finish(&r->q);
}

/*
 * pit_calibrate_tsc(11931, 10, 1000) from t = 0 with port accesses of cost
 * c and RDTSC of cost r, in closed form.  Setup: inb 0x61 at 0, outb 0x61
 * at c, outb 0x43 at 2c, the count's LSB at 3c and MSB at 4c; t1 = TSC(5c).
 * The 8254 loads the count at the first CLK edge after 4c, E(4c) + 1, and
 * OUT2 rises 11931 edges later (mode 0: N + 1 CLKs after the write), at
 * T = tick_time(E(4c) + 11932).  Poll k reads port 0x61 at
 * a_k = 5c + r + k (c + r) and, while OUT2 was low, reads the TSC at a_k + c.
 * The last low poll K is the last a_k < T; t2 = TSC(a_K + c) and the
 * result is (t2 - t1) / 10 kHz.
 */
static uint64_t slow_run_closed_form(sim_ps c, sim_ps r)
{
	struct sim_freq pit = { SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN };
	sim_ps t_out = sim_tick_time(sim_ticks_in(4 * c, pit) + 11932, pit);
	sim_ps a0 = 5 * c + r;
	uint64_t k = (t_out - a0 + (c + r) - 1) / (c + r) - 1;    /* last k with a_k < T */
	sim_ps a_k = a0 + k * (c + r);

	return (tsc_3ghz(NULL, a_k + c) - tsc_3ghz(NULL, 5 * c)) / 10;
}

Test(tsc_calibrate, slow_run_with_free_ports_measures_n_plus_1_clks)
{
	struct rig r;
	struct tsc_cal_result res = { 0 };
	uint64_t khz;

	rig_init(&r, 0, NS(1), false, false, false, 0xff);
	khz = tsc_cal_pit_run(&r.g, TSC_CAL_LATCH, TSC_CAL_MS, TSC_CAL_LOOPS, &res);
	/*
	 * By hand: T = ceil(11932 * 88 / 105 us) = 10000152.381 ns; polls every
	 * 1 ns from 1 ns, the last low one at 10000152 ns: 30000456 cycles over
	 * "10 ms", 3000045 kHz.  Linux's 10 ms are 11932 CLKs of 1.1931818 MHz:
	 * +15.2 ppm, the latch's own error.
	 */
	cr_expect_eq(khz, 3000045, "%" PRIu64 " kHz", khz);
	cr_expect_eq(khz, slow_run_closed_form(0, NS(1)));
	rig_finish(&r);
}

Test(tsc_calibrate, slow_run_with_costly_ports_follows_the_closed_form)
{
	static const struct {
		sim_ps c, r;
	} cases[] = {
		{ US(1), NS(10) }, { US(2), NS(10) }, { NS(1500), NS(25) }, { US(7), NS(10) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rig r;
		struct tsc_cal_result res = { 0 };
		uint64_t khz, want = slow_run_closed_form(cases[i].c, cases[i].r);

		rig_init(&r, cases[i].c, cases[i].r, false, false, false, 0xff);
		khz = tsc_cal_pit_run(&r.g, TSC_CAL_LATCH, TSC_CAL_MS, TSC_CAL_LOOPS, &res);
		cr_expect_eq(khz, want, "cost %" PRIu64 " ps: %" PRIu64 " kHz, expected %" PRIu64,
			     cases[i].c, khz, want);
		/*
		 * t2 - t1 = a_K - 4c with a_K in [T - (c + r), T), and T - 4c in
		 * (11931, 11932] CLKs (the write falls between two edges): the
		 * result lies between -(c + r + 1 CLK) / 10 ms and +15 ppm.
		 */
		cr_expect_leq(khz, 3000046);
		cr_expect_geq(khz, 3000045 - (uint64_t)((cases[i].c + cases[i].r + NS(839)) * 3 /
							 1000 / 10) - 1);
		rig_finish(&r);
	}
}

Test(tsc_calibrate, quick_path_accepts_within_500_ppm)
{
	struct rig r;
	struct tsc_cal_result res;

	rig_init(&r, US(2), NS(10), false, false, false, 0xff);
	tsc_calibrate_pit(&r.g, false, TSC_CAL_REF_HPET, &res);
	cr_assert(res.quick, "quick_pit_calibrate succeeds without jitter");
	/* accepted once (d1 + d2) < delta / 2048: about 2 x 4 us of slack against 256/1.19 MHz steps */
	cr_expect_gt(res.quick_steps, 30);
	cr_expect_leq(res.quick_steps, TSC_CAL_QUICK_ITERATIONS);
	cr_expect_lt(res.khz, 3001500, "%" PRIu64, res.khz);
	cr_expect_gt(res.khz, 2998500, "%" PRIu64, res.khz);
	rig_finish(&r);
}

Test(tsc_calibrate, no_pit_floating_low_would_hang)
{
	struct rig r;
	struct tsc_cal_result res;

	rig_init(&r, US(2), NS(10), true, true, true, 0x00);
	tsc_calibrate_pit(&r.g, false, TSC_CAL_REF_NONE, &res);
	cr_expect_not(res.quick, "the MSB reads 0, never 0xff");
	cr_expect(res.hang, "port 0x61 bit 5 never rises");
	cr_expect_eq(res.khz, 0);
	rig_finish(&r);
}

Test(tsc_calibrate, no_pit_floating_high_gives_up)
{
	struct rig r;
	struct tsc_cal_result res;

	rig_init(&r, US(2), NS(10), true, true, true, 0xff);
	tsc_calibrate_pit(&r.g, false, TSC_CAL_REF_NONE, &res);
	cr_expect_not(res.quick, "the MSB stays 0xff");
	cr_expect_not(res.hang, "OUT2 reads high at once: each run fails its 1000-poll minimum");
	cr_expect_eq(res.slow_runs, 3);
	cr_expect_eq(res.khz, 0, "no reference: Linux gives up");
	rig_finish(&r);
}

/*
 * mktime64(2000, 0, 0, 0, 0, 0): month 0 - 2 <= 0 -> month 10 of 1999;
 * days = 1999/4 - 1999/100 + 1999/400 + 367*10/12 + 0 + 1999*365 - 719499
 *      = 499 - 19 + 4 + 305 + 729635 - 719499 = 10925 -> 943920000 s,
 * 1999-11-30T00:00:00Z, Hermit's number.
 */
Test(cmos_date, mktime64_of_zeroed_registers_is_1999_11_30)
{
	cr_expect_eq(cmos_mktime64(2000, 0, 0, 0, 0, 0), 943920000);
	cr_expect_eq(cmos_mktime64(1970, 1, 1, 0, 0, 0), 0);
	cr_expect_eq(cmos_mktime64(2026, 6, 15, 12, 34, 56), 1781526896);
}

Test(cmos_date, reads_the_rtc_and_floating_ports)
{
	static const struct {
		bool no_rtc;
		uint8_t float_byte;
		int64_t unix_s;
		bool gave_up;
	} cases[] = {
		{ false, 0xff, 1781526896, false },         /* the RTC's base date */
		{ true, 0x00, 943920000, false },           /* Firecracker: zeroed reads */
		{ true, 0xff, 0, true },                    /* floating high: UIP never clears */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rig r;
		struct cmos_date d;

		rig_init(&r, US(2), 0, false, cases[i].no_rtc, false, cases[i].float_byte);
		cmos_read_date(&r.g, &d);
		cr_expect_eq(d.unix_s, cases[i].unix_s, "case %zu: %" PRId64, i, d.unix_s);
		cr_expect_eq(d.gave_up, cases[i].gave_up, "case %zu", i);
		if (d.gave_up)                                /* 10000 tries of 100 us: 1 s */
			cr_expect_geq(r.g.t, 1000 * SIM_PS_PER_MS);
		rig_finish(&r);
	}
}

/*
 * tsc_refine_calibration_work() against the PM timer without jitter: each
 * tsc_read_refs() returns the TSC read just after the PM read (cost r, then
 * c, then r), so the TSC interval and the PM sampling interval are both
 * 1 s + 2r + c: the refined frequency is exact up to one PM tick per second
 * (0.28 ppm) and the integer divisions: 3000000 kHz within 1.
 */
Test(tsc_calibrate, refinement_against_the_pm_timer_is_exact)
{
	struct rig r;
	struct tsc_cal_result res;
	int64_t err;

	rig_init(&r, US(2), NS(10), false, false, false, 0xff);
	tsc_calibrate_pit(&r.g, false, TSC_CAL_REF_PMTIMER, &res);
	cr_assert(res.khz);
	res.khz = 2990000;                               /* a PIT result 0.33% off */
	tsc_calibrate_refine(&r.g, TSC_CAL_REF_PMTIMER, &res);
	cr_expect(res.refined);
	err = (int64_t)res.khz - 3000000;
	cr_expect(err >= -1 && err <= 1, "refined %" PRIu64 " kHz", res.khz);

	res.khz = 2900000;                               /* 3.4% off: outside 1%, kept */
	res.refined = false;
	tsc_calibrate_refine(&r.g, TSC_CAL_REF_PMTIMER, &res);
	cr_expect_not(res.refined);
	cr_expect_eq(res.khz, 2900000);
	rig_finish(&r);
}
