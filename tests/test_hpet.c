/*
 * hpet: register fields, the main counter as a function of time, comparator
 * matches at exact picoseconds (one-shot, periodic, 32-bit wrap), interrupt
 * status and lines (level, edge, legacy replacement, FSB), and the access
 * widths.  Expected times come from the spec and closed-form tick math:
 * a match on count k after enable fires at enable + sim_tick_time(k, f).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/devices/hpet.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define PINS 24
#define PIN_LEG0 100               /* pin numbers the log records for the legacy lines */
#define PIN_LEG8 108
#define PIN_ROUTE 200

struct irq_rec {
	unsigned pin;
	bool level;
	sim_ps now;
};

struct fsb_rec {
	uint32_t addr, value;
	sim_ps now;
};

struct rig {
	struct sim_eventq q;
	struct hpet h;
	struct irq_line ioapic[PINS];
	struct irq_line leg0, leg8, route;
	struct irq_rec rec[512];
	size_t nrec;
	struct fsb_rec fsb[16];
	size_t nfsb;
};

static void log_irq(void *sink, unsigned pin, bool level, sim_ps now)
{
	struct rig *r = sink;

	cr_assert_lt(r->nrec, ARRAY_LEN(r->rec), "irq log overflow");
	r->rec[r->nrec++] = (struct irq_rec){ pin, level, now };
}

static void log_fsb(void *sink, uint32_t addr, uint32_t value, sim_ps now)
{
	struct rig *r = sink;

	cr_assert_lt(r->nfsb, ARRAY_LEN(r->fsb), "fsb log overflow");
	r->fsb[r->nfsb++] = (struct fsb_rec){ addr, value, now };
}

static void rig_init(struct rig *r, const struct hpet_params *p)
{
	struct sim_diag err;

	memset(r, 0, sizeof(*r));
	sim_eventq_init(&r->q);
	for (unsigned i = 0; i < PINS; i++)
		r->ioapic[i] = (struct irq_line){ log_irq, r, i };
	r->leg0 = (struct irq_line){ log_irq, r, PIN_LEG0 };
	r->leg8 = (struct irq_line){ log_irq, r, PIN_LEG8 };
	r->route = (struct irq_line){ log_irq, r, PIN_ROUTE };
	sim_diag_clear(&err);
	cr_assert(hpet_init(&r->h, "hpet0", &r->q, p, r->ioapic, PINS, &r->leg0, &r->leg8,
			    &r->route, &err), "hpet_init: %s", err.msg);
	hpet_set_fsb_sink(&r->h, &(struct hpet_fsb_sink){ log_fsb, r });
}

static void rig_default(struct rig *r)
{
	struct hpet_params p;

	hpet_params_default(&p);
	rig_init(r, &p);
}

static void rig_finish(struct rig *r)
{
	hpet_finish(&r->h);
	sim_eventq_finish(&r->q);
}

/* Runs the queue to t; accesses then happen at t. */
static void run_to(struct rig *r, sim_ps t)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(&r->q, t, &err), "run: %s", err.msg);
}

static uint64_t rd(struct rig *r, uint64_t off, unsigned size)
{
	struct device *d = hpet_device(&r->h);

	return d->ops->read(d, off, size, r->q.now);
}

static void wr(struct rig *r, uint64_t off, uint64_t val, unsigned size)
{
	struct device *d = hpet_device(&r->h);

	d->ops->write(d, off, val, size, r->q.now);
}

static uint64_t route(unsigned pin)
{
	return (uint64_t)pin << HPET_TN_INT_ROUTE_SHIFT;
}

static void expect_rec(const struct rig *r, size_t i, unsigned pin, bool level, sim_ps now)
{
	cr_assert_lt(i, r->nrec, "only %zu irq changes, want #%zu", r->nrec, i);
	cr_expect_eq(r->rec[i].pin, pin, "change %zu: pin %u, want %u", i, r->rec[i].pin, pin);
	cr_expect_eq(r->rec[i].level, level, "change %zu: level %d, want %d", i,
		     r->rec[i].level, level);
	cr_expect_eq(r->rec[i].now, now, "change %zu: at %" PRIu64 " ps, want %" PRIu64, i,
		     r->rec[i].now, now);
}

/* Expects an edge (raise and lower at one instant) as changes i and i + 1. */
static void expect_pulse(const struct rig *r, size_t i, unsigned pin, sim_ps now)
{
	expect_rec(r, i, pin, true, now);
	expect_rec(r, i + 1, pin, false, now);
}

Test(hpet, capabilities_register_fields)
{
	/*
	 * COUNTER_CLK_PERIOD = round(1e15 / f) fs, half up:
	 *   14318180 Hz      -> 69841279.08 -> 69841279
	 *   24 MHz           -> 41666666.67 -> 41666667
	 *   10 MHz           -> 100000000 exactly (the largest period allowed)
	 *   100 MHz          -> 10000000 exactly
	 *   315/22 MHz       -> 69841269.84 -> 69841270 (the exact NTSC-derived rate)
	 */
	static const struct {
		uint64_t num, den;
		unsigned ntimers;
		uint16_t vendor;
		bool wide, legacy;
		uint64_t period_fs;
	} cases[] = {
		{ 14318180, 1, 3, 0x8086, true, true, 69841279 },
		{ 24000000, 1, 8, 0x1022, true, false, 41666667 },
		{ 10000000, 1, 32, 0x8086, false, true, 100000000 },
		{ 100000000, 1, 3, 0x8086, true, true, 10000000 },
		{ 315000000, 22, 4, 0x8086, true, true, 69841270 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct hpet_params p;
		struct rig r;
		uint64_t want;

		hpet_params_default(&p);
		cr_assert(sim_freq_make(cases[i].num, cases[i].den, &p.freq));
		p.ntimers = cases[i].ntimers;
		p.vendor_id = cases[i].vendor;
		p.counter_64bit = cases[i].wide;
		p.legacy_route_cap = cases[i].legacy;
		rig_init(&r, &p);
		want = cases[i].period_fs << 32 | (uint64_t)cases[i].vendor << 16 |
		       (cases[i].legacy ? UINT64_C(1) << 15 : 0) |
		       (cases[i].wide ? UINT64_C(1) << 13 : 0) |
		       (uint64_t)(cases[i].ntimers - 1) << 8 | 0x01;
		cr_expect_eq(rd(&r, HPET_GCAP_ID, 8), want, "case %zu: GCAP_ID %#" PRIx64
			     ", want %#" PRIx64, i, rd(&r, HPET_GCAP_ID, 8), want);
		cr_expect_eq(rd(&r, HPET_GCAP_ID + 4, 4), cases[i].period_fs, "case %zu", i);
		cr_expect_eq(rd(&r, HPET_GCAP_ID, 4), want & 0xffffffff, "case %zu", i);
		cr_expect_eq(hpet_period_fs(&r.h), cases[i].period_fs, "case %zu", i);
		/* Read-only: writes change nothing. */
		wr(&r, HPET_GCAP_ID, 0, 8);
		cr_expect_eq(rd(&r, HPET_GCAP_ID, 8), want, "case %zu", i);
		rig_finish(&r);
	}
}

Test(hpet, vendor_id_zero_selects_intel)
{
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.vendor_id = 0;
	rig_init(&r, &p);
	cr_expect_eq(rd(&r, HPET_GCAP_ID, 4) >> 16, 0x8086);
	rig_finish(&r);
}

Test(hpet, rejects_invalid_parameters)
{
	static const struct {
		uint64_t hz;
		unsigned ntimers;
	} bad[] = {
		{ 14318180, 2 },       /* fewer than 3 timers */
		{ 14318180, 33 },      /* more than 32 */
		{ 9999999, 3 },        /* 100000010 fs > 100 ns */
	};
	struct sim_eventq q;

	sim_eventq_init(&q);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct hpet_params p;
		struct sim_diag err;
		struct hpet h;

		hpet_params_default(&p);
		p.freq = sim_freq_hz(bad[i].hz);
		p.ntimers = bad[i].ntimers;
		sim_diag_clear(&err);
		cr_expect_not(hpet_init(&h, "hpet0", &q, &p, NULL, 0, NULL, NULL, NULL, &err),
			      "case %zu accepted", i);
		cr_expect_neq(err.msg[0], '\0', "case %zu: no message", i);
		hpet_finish(&h);
	}
	hpet_finish(NULL);
	sim_eventq_finish(&q);
}

Test(hpet, counter_is_halted_until_enabled)
{
	struct sim_freq f = sim_freq_hz(14318180);
	sim_ps t0 = SIM_PS_PER_MS;
	struct rig r;

	rig_default(&r);
	run_to(&r, t0);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 0);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(rd(&r, HPET_GEN_CONF, 8), HPET_ENABLE_CNF);
	/* One second of 14318180 Hz is 14318180 counts. */
	run_to(&r, t0 + SIM_PS_PER_S);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 14318180);
	/* Count k appears exactly at enable + sim_tick_time(k, f). */
	cr_expect_eq(hpet_main_counter(&r.h, t0 + sim_tick_time(1000, f)), 1000);
	cr_expect_eq(hpet_main_counter(&r.h, t0 + sim_tick_time(1000, f) - 1), 999);
	rig_finish(&r);
}

Test(hpet, counter_is_writable_only_while_halted)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;
	uint64_t held;

	rig_default(&r);
	wr(&r, HPET_MAIN_CNT, 0x1234, 8);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 0x1234);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 8);
	run_to(&r, sim_tick_time(500, f));
	wr(&r, HPET_MAIN_CNT, 0, 8);              /* ignored: the counter runs */
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 0x1234 + 500);
	wr(&r, HPET_GEN_CONF, 0, 8);              /* halt: the count is kept */
	held = rd(&r, HPET_MAIN_CNT, 8);
	cr_expect_eq(held, 0x1234 + 500);
	run_to(&r, SIM_PS_PER_S);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), held);
	/* 32-bit halves write their half. */
	wr(&r, HPET_MAIN_CNT + 4, 0x5, 4);
	wr(&r, HPET_MAIN_CNT, 0x10, 4);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), UINT64_C(0x500000010));
	cr_expect_eq(rd(&r, HPET_MAIN_CNT + 4, 4), 0x5);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 4), 0x10);
	/* It runs on from the written value. */
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 8);
	run_to(&r, SIM_PS_PER_S + sim_tick_time(7, f));
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), UINT64_C(0x500000017));
	rig_finish(&r);
}

Test(hpet, oneshot_fires_at_tick_time_after_enable)
{
	struct sim_freq f = sim_freq_hz(14318180);
	sim_ps t0 = 3 * SIM_PS_PER_US;
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_ENB_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(2), 1000, 8);
	run_to(&r, t0);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(hpet_next_match(&r.h, 2), t0 + sim_tick_time(1000, f));
	run_to(&r, t0 + 10 * SIM_PS_PER_S);
	cr_assert_eq(r.nrec, 2, "%zu irq changes, want one pulse", r.nrec);
	expect_pulse(&r, 0, 20, t0 + sim_tick_time(1000, f));
	/* Non-periodic: the comparator keeps its value; the next match is 2^64 counts on. */
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(2), 8), 1000);
	cr_expect_eq(hpet_next_match(&r.h, 2), SIM_NEVER);
	/* Edge-triggered timers leave the status register alone. */
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0);
	rig_finish(&r);
}

Test(hpet, periodic_fires_every_period_and_reads_next_target)
{
	struct sim_freq f = sim_freq_hz(14318180);
	const uint64_t P = 14318;     /* about 1 ms */
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), P, 8);
	/* Tn_VAL_SET_CNF clears itself after the write. */
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_VAL_SET_CNF, 0);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	for (uint64_t k = 1; k <= 5; k++) {
		sim_ps fire = sim_tick_time(k * P, f);

		cr_expect_eq(hpet_next_match(&r.h, 0), fire, "match %" PRIu64, k);
		cr_expect_eq(hpet_comparator(&r.h, 0, fire - 1), k * P, "before match %" PRIu64, k);
		run_to(&r, fire);
		expect_pulse(&r, 2 * (k - 1), 20, fire);
		/* After the match the comparator holds the next target. */
		cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), (k + 1) * P, "after match %" PRIu64, k);
	}
	cr_expect_eq(r.nrec, 10);
	rig_finish(&r);
}

Test(hpet, periodic_rate_change_takes_effect_at_next_match)
{
	struct sim_freq f = sim_freq_hz(24000000);
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.freq = f;
	rig_init(&r, &p);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), 100, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, sim_tick_time(150, f));
	/* Without VAL_SET a write changes only the increment (section 2.3.9.2.2). */
	wr(&r, HPET_TIMN_COMP(0), 30, 8);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), 200);
	run_to(&r, sim_tick_time(300, f));
	cr_assert_eq(r.nrec, 10);
	expect_pulse(&r, 0, 20, sim_tick_time(100, f));
	expect_pulse(&r, 2, 20, sim_tick_time(200, f));
	expect_pulse(&r, 4, 20, sim_tick_time(230, f));
	expect_pulse(&r, 6, 20, sim_tick_time(260, f));
	expect_pulse(&r, 8, 20, sim_tick_time(290, f));
	rig_finish(&r);
}

Test(hpet, val_set_then_plain_write_sets_target_then_period)
{
	/* The two-write sequence some drivers use: target with VAL_SET, then the period. */
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;
	sim_ps t1;
	uint64_t now;

	rig_default(&r);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	t1 = sim_tick_time(12345, f) + 77;
	run_to(&r, t1);
	now = rd(&r, HPET_MAIN_CNT, 8);
	cr_assert_eq(now, 12345);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  HPET_TN_32MODE_CNF | route(20), 4);
	wr(&r, HPET_TIMN_COMP(0), now + 1000, 4);
	wr(&r, HPET_TIMN_COMP(0), 1000, 4);
	run_to(&r, sim_tick_time(now + 3000, f));
	cr_assert_eq(r.nrec, 6);
	for (unsigned k = 1; k <= 3; k++)
		expect_pulse(&r, 2 * (k - 1), 20, sim_tick_time(now + k * 1000, f));
	rig_finish(&r);
}

Test(hpet, comparator_in_32bit_mode_matches_after_the_low_half_wraps)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_MAIN_CNT, UINT64_C(0xffffff00), 8);
	/* Timer 0: 32-bit mode, comparator below the counter's low 32 bits. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_32MODE_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), UINT64_C(0xabcd00000010), 8);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), 0x10, "upper half kept in 32-bit mode");
	/* Timer 1: 64-bit, the same comparator is behind the counter for 2^64 counts. */
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | route(21), 8);
	wr(&r, HPET_TIMN_COMP(1), 0x10, 8);
	/* Timer 2: 32-bit mode, comparator ahead: no wrap needed. */
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_ENB_CNF | HPET_TN_32MODE_CNF | route(22), 8);
	wr(&r, HPET_TIMN_COMP(2), UINT64_C(0xffffff80), 8);
	run_to(&r, SIM_PS_PER_MS);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(hpet_next_match(&r.h, 1), SIM_NEVER);
	/* 0xffffff00 -> 0x1_00000010 is 0x110 counts; -> 0xffffff80 is 0x80. */
	run_to(&r, SIM_PS_PER_S);
	cr_assert_eq(r.nrec, 4);
	expect_pulse(&r, 0, 22, SIM_PS_PER_MS + sim_tick_time(0x80, f));
	expect_pulse(&r, 2, 20, SIM_PS_PER_MS + sim_tick_time(0x110, f));
	cr_expect_eq(rd(&r, HPET_MAIN_CNT + 4, 4), 1, "the 64-bit counter carried");
	rig_finish(&r);
}

Test(hpet, comparator_equal_to_the_counter_matches_after_a_wrap)
{
	/*
	 * A match is the counter stepping onto the comparator: a comparator
	 * written equal to the count (the "too late" write the datasheets warn
	 * about) matches only when the counter comes round again.
	 */
	const sim_ps wrap = UINT64_C(429496729600000);
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.freq = sim_freq_hz(10000000);
	p.counter_64bit = false;
	rig_init(&r, &p);
	wr(&r, HPET_MAIN_CNT, 1000, 4);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(20), 4);
	wr(&r, HPET_TIMN_COMP(0), 1000, 4);
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  route(21), 4);
	wr(&r, HPET_TIMN_COMP(1), 1000, 4);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(1), 4), 1000, "no match at the write");
	cr_expect_eq(hpet_next_match(&r.h, 0), wrap);
	cr_expect_eq(hpet_next_match(&r.h, 1), wrap);
	run_to(&r, wrap);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 4), 1000);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(1), 4), 2000);
	cr_expect_eq(hpet_next_match(&r.h, 1), wrap + sim_tick_time(1000, p.freq));
	cr_expect_eq(r.nrec, 4);
	rig_finish(&r);
}

Test(hpet, counter_32bit_wraps_after_2_pow_32_ticks)
{
	/* 2^32 ticks at 10 MHz (100 ns) = 429.4967296 s. */
	const sim_ps wrap = UINT64_C(429496729600000);
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.freq = sim_freq_hz(10000000);
	p.counter_64bit = false;
	rig_init(&r, &p);
	cr_assert_eq(sim_tick_time(UINT64_C(1) << 32, p.freq), wrap);
	cr_expect_eq(rd(&r, HPET_GCAP_ID, 4) & (1u << 13), 0, "COUNT_SIZE_CAP");
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_SIZE_CAP, 0, "Tn_SIZE_CAP");
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), UINT64_C(0xffffffff), "comparator reset value");
	/* Tn_32MODE_CNF is fixed at 0 on a 32-bit timer; the upper half cannot be written. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_32MODE_CNF | HPET_TN_INT_ENB_CNF | route(20), 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_32MODE_CNF, 0);
	wr(&r, HPET_TIMN_COMP(0), 5, 4);
	wr(&r, HPET_TIMN_COMP(0) + 4, 0x77, 4);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), 5);
	wr(&r, HPET_MAIN_CNT + 4, 0x77, 4);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 0);

	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(hpet_main_counter(&r.h, wrap - 1), UINT64_C(0xffffffff));
	cr_expect_eq(hpet_main_counter(&r.h, wrap), 0);
	cr_expect_eq(hpet_main_counter(&r.h, wrap + sim_tick_time(3, p.freq)), 3);
	run_to(&r, wrap + SIM_PS_PER_S);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 10000000, "one second after the wrap");
	cr_expect_eq(rd(&r, HPET_MAIN_CNT + 4, 4), 0, "upper half of a 32-bit counter");
	/* The one-shot comparator matches count 5 once per wrap. */
	cr_assert_eq(r.nrec, 4);
	expect_pulse(&r, 0, 20, sim_tick_time(5, p.freq));
	expect_pulse(&r, 2, 20, wrap + sim_tick_time(5, p.freq));
	rig_finish(&r);
}

Test(hpet, level_status_is_set_and_cleared_by_writing_one)
{
	struct sim_freq f = sim_freq_hz(14318180);
	sim_ps fire = sim_tick_time(100, f);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(21), 8);
	wr(&r, HPET_TIMN_COMP(1), 100, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, SIM_PS_PER_MS);
	cr_assert_eq(r.nrec, 1);
	expect_rec(&r, 0, 21, true, fire);
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0x2);
	/* Writing 0 has no effect; the line stays asserted. */
	wr(&r, HPET_GINTR_STA, 0, 4);
	run_to(&r, 2 * SIM_PS_PER_MS);
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 4), 0x2);
	cr_expect_eq(r.nrec, 1);
	/* Writing 1 clears the bit and lowers the line. */
	wr(&r, HPET_GINTR_STA, 0xffffffff, 4);
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0);
	cr_assert_eq(r.nrec, 2);
	expect_rec(&r, 1, 21, false, 2 * SIM_PS_PER_MS);
	rig_finish(&r);
}

Test(hpet, level_status_is_set_with_the_interrupt_disabled)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_TYPE_CNF | route(22), 8);
	wr(&r, HPET_TIMN_COMP(2), 50, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(hpet_next_match(&r.h, 2), sim_tick_time(50, f));
	run_to(&r, SIM_PS_PER_MS);
	/* Section 2.3.8: the timer still operates and sets its status bit. */
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0x4);
	cr_expect_eq(r.nrec, 0);
	/* Enabling the interrupt with the bit set asserts the line. */
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(22), 8);
	cr_assert_eq(r.nrec, 1);
	expect_rec(&r, 0, 22, true, SIM_PS_PER_MS);
	rig_finish(&r);
}

Test(hpet, clearing_enable_cnf_lowers_a_level_interrupt)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(23), 8);
	wr(&r, HPET_TIMN_COMP(0), 10, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, SIM_PS_PER_US);
	expect_rec(&r, 0, 23, true, sim_tick_time(10, f));
	wr(&r, HPET_GEN_CONF, 0, 4);
	expect_rec(&r, 1, 23, false, SIM_PS_PER_US);
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0x1, "the status bit stays");
	run_to(&r, 2 * SIM_PS_PER_US);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	expect_rec(&r, 2, 23, true, 2 * SIM_PS_PER_US);
	cr_expect_eq(r.nrec, 3);
	rig_finish(&r);
}

Test(hpet, halting_the_counter_delays_the_match)
{
	struct sim_freq f = sim_freq_hz(14318180);
	sim_ps resume = SIM_PS_PER_S;
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), 1000, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, sim_tick_time(400, f));
	wr(&r, HPET_GEN_CONF, 0, 4);
	cr_expect_eq(hpet_next_match(&r.h, 0), SIM_NEVER);
	run_to(&r, resume);
	cr_expect_eq(r.nrec, 0);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 8), 400);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, 2 * resume);
	cr_assert_eq(r.nrec, 2);
	expect_pulse(&r, 0, 20, resume + sim_tick_time(600, f));
	rig_finish(&r);
}

Test(hpet, edge_timer_pulses_and_leaves_status_clear)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  route(21), 8);
	wr(&r, HPET_TIMN_COMP(1), 7, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, sim_tick_time(21, f));
	cr_assert_eq(r.nrec, 6);
	for (unsigned k = 1; k <= 3; k++)
		expect_pulse(&r, 2 * (k - 1), 21, sim_tick_time(7 * k, f));
	cr_expect_eq(rd(&r, HPET_GINTR_STA, 8), 0);
	rig_finish(&r);
}

Test(hpet, legacy_replacement_routes_timers_0_and_1)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	/* Timers 0 and 1 name pins 20 and 21, which legacy routing overrides. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), 10, 8);
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(21), 8);
	wr(&r, HPET_TIMN_COMP(1), 20, 8);
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_ENB_CNF | route(22), 8);
	wr(&r, HPET_TIMN_COMP(2), 30, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF, 4);
	cr_expect_eq(rd(&r, HPET_GEN_CONF, 8), HPET_ENABLE_CNF | HPET_LEG_RT_CNF);
	run_to(&r, 5 * SIM_PS_PER_US);
	cr_assert_eq(r.nrec, 6);
	expect_rec(&r, 0, PIN_ROUTE, true, 0);
	expect_pulse(&r, 1, PIN_LEG0, sim_tick_time(10, f));
	expect_rec(&r, 3, PIN_LEG8, true, sim_tick_time(20, f));
	expect_pulse(&r, 4, 22, sim_tick_time(30, f));
	/* Leaving legacy mode moves timer 1's asserted level to its own pin. */
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_assert_eq(r.nrec, 9);
	expect_rec(&r, 6, PIN_ROUTE, false, 5 * SIM_PS_PER_US);
	expect_rec(&r, 7, 21, true, 5 * SIM_PS_PER_US);
	expect_rec(&r, 8, PIN_LEG8, false, 5 * SIM_PS_PER_US);
	rig_finish(&r);
}

Test(hpet, legacy_route_needs_the_capability)
{
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.legacy_route_cap = false;
	rig_init(&r, &p);
	wr(&r, HPET_GEN_CONF, HPET_LEG_RT_CNF, 4);
	cr_expect_eq(rd(&r, HPET_GEN_CONF, 8), 0);
	cr_expect_eq(r.nrec, 0);
	rig_finish(&r);
}

Test(hpet, int_route_outside_the_capability_is_not_taken)
{
	struct hpet_params p;
	struct rig r;
	uint64_t conf;

	hpet_params_default(&p);
	p.int_route_cap = (1u << 20) | (1u << 21);
	rig_init(&r, &p);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0) + 4, 4), (1u << 20) | (1u << 21));
	/* Pin 5 is not allowed: the field keeps its value, the other bits are taken. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(5), 4);
	conf = rd(&r, HPET_TIMN_CONF(0), 4);
	cr_expect_eq(conf & HPET_TN_INT_ROUTE_CNF, route(0));
	cr_expect_eq(conf & HPET_TN_INT_ENB_CNF, HPET_TN_INT_ENB_CNF);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(21), 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_INT_ROUTE_CNF, route(21));
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | route(7), 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_INT_ROUTE_CNF, route(21));
	/* The capability half is read-only. */
	wr(&r, HPET_TIMN_CONF(0) + 4, 0xffffffff, 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0) + 4, 4), (1u << 20) | (1u << 21));
	rig_finish(&r);
}

Test(hpet, wide_and_narrow_accesses_agree)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;
	uint64_t offs[3 + 3 * 3 + 1];
	size_t n = 0;

	rig_default(&r);
	/* Timer 0: the comparator by two 32-bit writes, VAL_SET before each. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF | HPET_TN_INT_ENB_CNF |
				  route(20), 4);
	wr(&r, HPET_TIMN_COMP(0), 0x89abcdef, 4);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF | HPET_TN_INT_ENB_CNF |
				  route(20), 4);
	wr(&r, HPET_TIMN_COMP(0) + 4, 0x1, 4);
	/* Timer 1: the same with one 64-bit write. */
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF | HPET_TN_INT_ENB_CNF |
				  route(20), 8);
	wr(&r, HPET_TIMN_COMP(1), UINT64_C(0x189abcdef), 8);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), rd(&r, HPET_TIMN_COMP(1), 8));
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), UINT64_C(0x189abcdef));
	wr(&r, HPET_TIMN_FSB_ROUTE(2) + 4, 0xfee00000, 4);
	wr(&r, HPET_TIMN_FSB_ROUTE(2), 0x41, 4);
	wr(&r, HPET_MAIN_CNT, UINT64_C(0x189abcd00), 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 8);
	run_to(&r, sim_tick_time(0xef, f));
	cr_expect_eq(hpet_next_match(&r.h, 0), hpet_next_match(&r.h, 1));
	cr_expect_eq(r.nrec, 4, "both matched at count 0x189abcdef: two pulses on pin 20");

	offs[n++] = HPET_GCAP_ID;
	offs[n++] = HPET_GEN_CONF;
	offs[n++] = HPET_GINTR_STA;
	offs[n++] = HPET_MAIN_CNT;
	for (unsigned t = 0; t < 3; t++) {
		offs[n++] = HPET_TIMN_CONF(t);
		offs[n++] = HPET_TIMN_COMP(t);
		offs[n++] = HPET_TIMN_FSB_ROUTE(t);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t wide = rd(&r, offs[i], 8);
		uint64_t narrow = rd(&r, offs[i], 4) | rd(&r, offs[i] + 4, 4) << 32;

		cr_expect_eq(wide, narrow, "offset %#" PRIx64 ": %#" PRIx64 " vs %#" PRIx64,
			     offs[i], wide, narrow);
	}
	cr_expect_eq(rd(&r, HPET_TIMN_FSB_ROUTE(2), 8), UINT64_C(0xfee0000000000041));
	/* Misaligned and 1- or 2-byte accesses are not decoded. */
	cr_expect_eq(rd(&r, HPET_MAIN_CNT + 1, 4), 0xffffffff);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT + 4, 8), UINT64_MAX);
	cr_expect_eq(rd(&r, HPET_MAIN_CNT, 2), 0xffff);
	rig_finish(&r);
}

Test(hpet, zero_increment_matches_once_per_wrap)
{
	/* F18: a periodic comparator written with 0 must not livelock. */
	const sim_ps wrap = UINT64_C(429496729600000);
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.freq = sim_freq_hz(10000000);
	p.counter_64bit = false;
	rig_init(&r, &p);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				  route(20), 4);
	wr(&r, HPET_TIMN_COMP(0), 0, 4);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	/* Count 0 is where the counter starts: the first match is after a wrap. */
	run_to(&r, 1000 * SIM_PS_PER_S);
	cr_assert_eq(r.nrec, 4);
	expect_pulse(&r, 0, 20, wrap);
	expect_pulse(&r, 2, 20, 2 * wrap);
	cr_expect_eq(r.q.fired, 2);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 4), 0);
	rig_finish(&r);
}

Test(hpet, periodic_comparator_advances_without_events_when_silent)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	/* Edge-triggered, interrupt disabled: matches have no visible effect but the count. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF, 8);
	wr(&r, HPET_TIMN_COMP(0), 10, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	cr_expect_eq(hpet_next_match(&r.h, 0), SIM_NEVER);
	run_to(&r, sim_tick_time(1005, f));
	cr_expect_eq(r.q.fired, 0);
	/* 100 matches so far (10, 20, ..., 1000): the register holds 1010. */
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(0), 8), 1010);
	/* Enabling the interrupt queues the next match, on the same grid. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_TYPE_CNF | HPET_TN_INT_ENB_CNF | route(20), 8);
	cr_expect_eq(hpet_next_match(&r.h, 0), sim_tick_time(1010, f));
	rig_finish(&r);
}

Test(hpet, periodic_mode_needs_the_capability)
{
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.oneshot_only = 1u << 2;
	rig_init(&r, &p);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(2), 4) & HPET_TN_PER_INT_CAP, 0);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(1), 4) & HPET_TN_PER_INT_CAP, HPET_TN_PER_INT_CAP);
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_TYPE_CNF, 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(2), 4) & HPET_TN_TYPE_CNF, 0);
	rig_finish(&r);
}

Test(hpet, fsb_delivery_sends_the_route_register)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct hpet_params p;
	struct rig r;

	hpet_params_default(&p);
	p.fsb_cap = 1u << 2;
	rig_init(&r, &p);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(2), 4) & HPET_TN_FSB_INT_DEL_CAP,
		     HPET_TN_FSB_INT_DEL_CAP);
	/* Without the capability Tn_FSB_EN_CNF stays 0. */
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_FSB_EN_CNF, 4);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(0), 4) & HPET_TN_FSB_EN_CNF, 0);
	wr(&r, HPET_TIMN_FSB_ROUTE(2), UINT64_C(0xfee0000000000041), 8);
	wr(&r, HPET_TIMN_CONF(2), HPET_TN_INT_ENB_CNF | HPET_TN_FSB_EN_CNF | route(22), 4);
	wr(&r, HPET_TIMN_COMP(2), 10, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, SIM_PS_PER_US);
	cr_expect_eq(r.nrec, 0, "FSB delivery overrides the I/O APIC route");
	cr_assert_eq(r.nfsb, 1);
	cr_expect_eq(r.fsb[0].addr, 0xfee00000);
	cr_expect_eq(r.fsb[0].value, 0x41);
	cr_expect_eq(r.fsb[0].now, sim_tick_time(10, f));
	rig_finish(&r);
}

Test(hpet, routes_are_wired_or_on_a_shared_pin)
{
	struct sim_freq f = sim_freq_hz(14318180);
	struct rig r;

	rig_default(&r);
	wr(&r, HPET_TIMN_CONF(0), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(0), 10, 8);
	wr(&r, HPET_TIMN_CONF(1), HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF | route(20), 8);
	wr(&r, HPET_TIMN_COMP(1), 20, 8);
	wr(&r, HPET_GEN_CONF, HPET_ENABLE_CNF, 4);
	run_to(&r, 5 * SIM_PS_PER_US);
	cr_assert_eq(r.nrec, 1, "the second level source finds the pin already high");
	expect_rec(&r, 0, 20, true, sim_tick_time(10, f));
	wr(&r, HPET_GINTR_STA, 0x1, 4);
	cr_expect_eq(r.nrec, 1, "timer 1 still holds the pin");
	wr(&r, HPET_GINTR_STA, 0x2, 4);
	cr_assert_eq(r.nrec, 2);
	expect_rec(&r, 1, 20, false, 5 * SIM_PS_PER_US);
	rig_finish(&r);
}

Test(hpet, device_ops_and_checked_identity)
{
	struct rig r;
	struct device *d;

	rig_default(&r);
	d = hpet_device(&r.h);
	cr_expect_str_eq(d->ops->kind, "hpet");
	cr_expect_eq(d->ops->min_size, 4);
	cr_expect_eq(d->ops->max_size, 8);
	cr_expect_str_eq(d->name, "hpet0");
	cr_expect_str_eq(r.h.timer[2].match.name, "hpet0.t2");
	/* Registers of timers past NUM_TIM_CAP read 0 and ignore writes. */
	wr(&r, HPET_TIMN_COMP(5), 1, 8);
	cr_expect_eq(rd(&r, HPET_TIMN_COMP(5), 8), 0);
	cr_expect_eq(rd(&r, HPET_TIMN_CONF(5), 8), 0);
	rig_finish(&r);
}
