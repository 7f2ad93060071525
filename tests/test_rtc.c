/*
 * rtc: the MC146818A as a PC wires it, against the data sheet: the update
 * cycle (UIP 8/32768 s = 244.140625 us before it, 1984 us long), register C and IRQ8, periodic
 * rates (Table 5), alarms with don't-care bytes, 12-hour and BCD/binary
 * formats, the calendar, SET, the divider reset, DSE, port 0x70 and CMOS RAM.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/core/simtime.h"
#include "sim/devices/rtc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define S SIM_PS_PER_S
#define MS SIM_PS_PER_MS
#define US SIM_PS_PER_US
/* t_BUC: 8 cycles of the 32.768 kHz time base, 8 / 32768 s = 244.140625 us. */
#define TBUC ((sim_ps)244140625)
#define BASE_2026 INT64_C(1767225600)      /* 2026-01-01 00:00:00 UTC, a Thursday */
#define MAX_LOG 64

struct sink {
	unsigned raises, lowers;
	bool level;
	unsigned nlog;
	sim_ps raise_ps[MAX_LOG];
};

struct fixture {
	struct sim_eventq q;
	struct sink sink;
	struct irq_line line;
	struct rtc rtc;
};

static void sink_set(void *p, unsigned pin, bool level, sim_ps now)
{
	struct sink *s = p;

	cr_assert_eq(pin, 8);
	cr_assert_neq(level, s->level, "IRQ8 driven to the level it already has");
	s->level = level;
	if (level) {
		if (s->nlog < MAX_LOG)
			s->raise_ps[s->nlog++] = now;
		s->raises++;
	} else {
		s->lowers++;
	}
}

static void setup(struct fixture *f, int64_t base)
{
	memset(f, 0, sizeof(*f));
	sim_eventq_init(&f->q);
	f->line.set = sink_set;
	f->line.sink = &f->sink;
	f->line.pin = 8;
	rtc_init(&f->rtc, "rtc0", &f->q, &f->line, base);
}

static void teardown(struct fixture *f)
{
	rtc_finish(&f->rtc);
	sim_eventq_finish(&f->q);
}

/* outb 0x70, index; inb 0x71. */
static uint8_t rd(struct fixture *f, uint8_t index, sim_ps now)
{
	struct device *dev = rtc_device(&f->rtc);

	dev->ops->write(dev, 0, index, 1, now);
	return (uint8_t)dev->ops->read(dev, 1, 1, now);
}

static void wr(struct fixture *f, uint8_t index, uint8_t val, sim_ps now)
{
	struct device *dev = rtc_device(&f->rtc);

	dev->ops->write(dev, 0, index, 1, now);
	dev->ops->write(dev, 1, val, 1, now);
}

static bool uip(struct fixture *f, sim_ps now)
{
	return rd(f, RTC_REG_A, now) & RTC_REG_A_UIP;
}

/* Runs the queue to `end`, reading register C after each rise of IRQ8 as a handler would. */
static void run_isr(struct fixture *f, sim_ps end)
{
	struct sim_diag err;

	for (;;) {
		sim_ps t = sim_eventq_next(&f->q);

		if (t > end)
			break;
		cr_assert(sim_eventq_run_until(&f->q, t, &err), "%s", err.msg);
		if (f->sink.level)
			(void)rd(f, RTC_REG_C, t);
	}
	cr_assert(sim_eventq_run_until(&f->q, end, &err), "%s", err.msg);
}

static void run(struct fixture *f, sim_ps end)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(&f->q, end, &err), "%s", err.msg);
}

Test(rtc, init_state_is_what_a_pc_bios_leaves)
{
	struct fixture f;

	setup(&f, BASE_2026);
	cr_expect_eq(rd(&f, RTC_REG_A, 0), 0x26);
	cr_expect_eq(rd(&f, RTC_REG_B, 0), 0x02);
	cr_expect_eq(rd(&f, RTC_REG_C, 0), 0x00);
	cr_expect_eq(rd(&f, RTC_REG_D, 0), RTC_REG_D_VRT);
	cr_expect_eq(rd(&f, RTC_SECONDS, 0), 0x00);
	cr_expect_eq(rd(&f, RTC_MINUTES, 0), 0x00);
	cr_expect_eq(rd(&f, RTC_HOURS, 0), 0x00);
	cr_expect_eq(rd(&f, RTC_DAY_OF_WEEK, 0), 5);        /* Thursday, Sunday = 1 */
	cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 0), 0x01);
	cr_expect_eq(rd(&f, RTC_MONTH, 0), 0x01);
	cr_expect_eq(rd(&f, RTC_YEAR, 0), 0x26);
	cr_expect_eq(rd(&f, RTC_CENTURY, 0), 0x20);
	cr_expect_eq(rd(&f, 0x0e, 0), 0x00);
	cr_expect_eq(rd(&f, 0x7f, 0), 0x00);
	cr_expect_not(rtc_nmi_masked(&f.rtc));
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 0), BASE_2026);
	cr_expect_str_eq(rtc_device(&f.rtc)->ops->kind, "rtc");
	/* Nothing enabled: nothing scheduled. */
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER);
	teardown(&f);
}

Test(rtc, uip_rises_8_cycles_before_the_update_and_falls_1984us_after)
{
	struct fixture f;

	setup(&f, BASE_2026);
	cr_expect_not(uip(&f, 0), "no update cycle at t = 0");
	for (uint64_t k = 1; k <= 3; k++) {
		sim_ps t = k * S;            /* update cycle k starts here */

		cr_expect_not(uip(&f, t - TBUC - 1), "k=%" PRIu64, k);
		cr_expect(uip(&f, t - TBUC), "k=%" PRIu64, k);
		cr_expect_eq(rd(&f, RTC_SECONDS, t - 1), k - 1, "seconds before update %" PRIu64, k);
		cr_expect(uip(&f, t - 1));
		cr_expect_eq(rd(&f, RTC_SECONDS, t), k, "seconds at update %" PRIu64, k);
		cr_expect(uip(&f, t));
		cr_expect(uip(&f, t + 1984 * US - 1), "k=%" PRIu64, k);
		cr_expect_not(uip(&f, t + 1984 * US), "k=%" PRIu64, k);
		cr_expect_eq(rtc_time_utc_s(&f.rtc, t), BASE_2026 + (int64_t)k);
	}
	teardown(&f);
}

Test(rtc, reading_register_c_clears_it_and_lowers_irq8)
{
	struct fixture f;
	const sim_ps end1 = 1 * S + 1984 * US;       /* update cycle 1 ends: UF */

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_B, RTC_REG_B_UIE | RTC_REG_B_24H, 0);
	cr_expect_eq(sim_eventq_next(&f.q), end1);
	run(&f, end1 - 1);
	cr_expect_eq(f.sink.raises, 0);
	run(&f, end1);
	cr_expect_eq(f.sink.raises, 1);
	cr_expect(f.sink.level);
	/* PF is set too: the 1024 Hz tap runs whether or not PIE is. */
	cr_expect_eq(rd(&f, RTC_REG_C, end1), RTC_REG_C_IRQF | RTC_REG_C_PF | RTC_REG_C_UF);
	cr_expect_not(f.sink.level);
	cr_expect_eq(f.sink.lowers, 1);
	cr_expect_eq(rd(&f, RTC_REG_C, end1), 0x00);
	/* Armed again for the next update cycle. */
	cr_expect_eq(sim_eventq_next(&f.q), 2 * S + 1984 * US);
	teardown(&f);
}

Test(rtc, flags_are_set_without_their_interrupt_enables)
{
	struct fixture f;
	/* RS = 6: 1024 Hz, the tap's rising edges at 16 + 32 k cycles past t = 0. */
	const sim_ps pf = sim_tick_time(336, sim_freq_hz(32768));   /* the edge after 10 ms */

	setup(&f, BASE_2026);
	cr_expect_eq(rd(&f, RTC_REG_C, 10 * MS), RTC_REG_C_PF);
	cr_expect_eq(rd(&f, RTC_REG_C, pf - 1), 0x00);
	cr_expect_eq(rd(&f, RTC_REG_C, pf), RTC_REG_C_PF);
	/* Update cycle 1 ends at 1.001984 s: UF, no IRQF. */
	cr_expect_eq(rd(&f, RTC_REG_C, 1 * S + 1984 * US - 1) & RTC_REG_C_UF, 0);
	cr_expect_eq(rd(&f, RTC_REG_C, 1 * S + 1984 * US), RTC_REG_C_UF);
	cr_expect_eq(f.sink.raises, 0);
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER);
	teardown(&f);
}

Test(rtc, enabling_an_interrupt_whose_flag_is_set_raises_irq8_at_once)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_B, RTC_REG_B_PIE | RTC_REG_B_24H, 5 * MS);
	cr_expect_eq(f.sink.raises, 1);
	cr_expect_eq(f.sink.raise_ps[0], 5 * MS);
	/* Disabling it drops IRQF: IRQF = PF.PIE + AF.AIE + UF.UIE. */
	wr(&f, RTC_REG_B, RTC_REG_B_24H, 6 * MS);
	cr_expect_not(f.sink.level);
	cr_expect_eq(rd(&f, RTC_REG_C, 6 * MS), RTC_REG_C_PF);
	teardown(&f);
}

Test(rtc, periodic_interrupt_rates_follow_table_5)
{
	static const struct {
		uint8_t rs;
		unsigned per_s;
	} cases[] = {
		{ 1, 256 }, { 2, 128 }, { 3, 8192 }, { 4, 4096 }, { 6, 1024 },
		{ 8, 256 }, { 9, 128 }, { 13, 8 }, { 15, 2 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fixture f;
		uint64_t p = 32768 / cases[i].per_s;     /* period in crystal cycles */

		setup(&f, BASE_2026);
		wr(&f, RTC_REG_A, (uint8_t)(RTC_DV_32KHZ | cases[i].rs), 0);
		wr(&f, RTC_REG_B, RTC_REG_B_PIE | RTC_REG_B_24H, 0);
		run_isr(&f, 1 * S);
		cr_expect_eq(f.sink.raises, cases[i].per_s, "RS=%u: %u raises in 1 s", cases[i].rs,
			     f.sink.raises);
		/* One period apart. */
		/* The tap's rising edges: half a period, then one period, after a 1 Hz edge. */
		cr_expect_eq(f.sink.raise_ps[0], sim_tick_time(p / 2, sim_freq_hz(32768)), "RS=%u",
			     cases[i].rs);
		cr_expect_eq(f.sink.raise_ps[1], sim_tick_time(p / 2 + p, sim_freq_hz(32768)), "RS=%u",
			     cases[i].rs);
		teardown(&f);
	}
}

Test(rtc, rate_select_0_stops_periodic_flags)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_A, RTC_DV_32KHZ, 0);
	wr(&f, RTC_REG_B, RTC_REG_B_PIE | RTC_REG_B_24H, 0);
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER);
	cr_expect_eq(rd(&f, RTC_REG_C, 500 * MS), 0x00);
	teardown(&f);
}

Test(rtc, alarm_with_dont_care_hours_and_minutes_fires_every_minute)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_SECONDS_ALARM, 0x30, 0);
	wr(&f, RTC_MINUTES_ALARM, 0xff, 0);
	wr(&f, RTC_HOURS_ALARM, 0xc0, 0);
	wr(&f, RTC_REG_B, RTC_REG_B_AIE | RTC_REG_B_24H, 0);
	run_isr(&f, 215 * S);
	cr_assert_eq(f.sink.raises, 4);
	for (unsigned i = 0; i < 4; i++)
		cr_expect_eq(f.sink.raise_ps[i], (30 + 60 * (uint64_t)i) * S + 1984 * US,
			     "alarm %u at %" PRIu64 " ps", i, f.sink.raise_ps[i]);
	teardown(&f);
}

Test(rtc, alarm_matches_all_three_bytes)
{
	static const struct {
		uint8_t h, m, s;
		unsigned raises;        /* in the first 3700 s after 00:00:00 */
		uint64_t first_s;
	} cases[] = {
		{ 0x00, 0x01, 0x05, 1, 65 },        /* 00:01:05 once */
		{ 0xff, 0xff, 0xff, 3700, 1 },      /* every second */
		{ 0xc0, 0x00, 0x00, 1, 3600 },      /* every hour at mm:ss = 00:00 */
		{ 0x01, 0xc0, 0x10, 2, 3610 },      /* 01:xx:10 */
		{ 0x00, 0x5a, 0x00, 0, 0 },         /* bad BCD never matches */
		{ 0x24, 0x00, 0x00, 0, 0 },         /* hour 24 never matches */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fixture f;

		setup(&f, BASE_2026);
		wr(&f, RTC_HOURS_ALARM, cases[i].h, 0);
		wr(&f, RTC_MINUTES_ALARM, cases[i].m, 0);
		wr(&f, RTC_SECONDS_ALARM, cases[i].s, 0);
		wr(&f, RTC_REG_B, RTC_REG_B_AIE | RTC_REG_B_24H, 0);
		run_isr(&f, 3700 * S + 2 * MS);
		cr_expect_eq(f.sink.raises, cases[i].raises, "case %zu: %u raises", i, f.sink.raises);
		if (cases[i].raises)
			cr_expect_eq(f.sink.raise_ps[0], cases[i].first_s * S + 1984 * US, "case %zu", i);
		teardown(&f);
	}
}

Test(rtc, alarm_flag_reads_without_aie)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_SECONDS_ALARM, 0x03, 0);
	wr(&f, RTC_MINUTES_ALARM, 0xc0, 0);
	wr(&f, RTC_HOURS_ALARM, 0xc0, 0);
	cr_expect_eq(rd(&f, RTC_REG_C, 2 * S + 500 * MS) & RTC_REG_C_AF, 0);
	cr_expect_eq(rd(&f, RTC_REG_C, 3 * S + 1984 * US - 1) & RTC_REG_C_AF, 0);
	cr_expect_eq(rd(&f, RTC_REG_C, 3 * S + 1984 * US) & RTC_REG_C_AF, RTC_REG_C_AF);
	/* Long after, with no read in between: the flag is latched. */
	cr_expect_eq(rd(&f, RTC_REG_C, 500 * S) & RTC_REG_C_AF, RTC_REG_C_AF);
	cr_expect_eq(f.sink.raises, 0);
	teardown(&f);
}

Test(rtc, twelve_hour_mode_rolls_11_59_59_pm_to_12_am_of_the_next_day)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_B, RTC_REG_B_SET, 250 * MS);            /* 12-hour, BCD, stopped */
	wr(&f, RTC_SECONDS, 0x59, 260 * MS);
	wr(&f, RTC_MINUTES, 0x59, 260 * MS);
	wr(&f, RTC_HOURS, RTC_HOURS_PM | 0x11, 260 * MS);     /* 11 PM */
	wr(&f, RTC_DAY_OF_WEEK, 2, 260 * MS);                 /* Monday */
	wr(&f, RTC_DAY_OF_MONTH, 0x15, 260 * MS);
	wr(&f, RTC_MONTH, 0x06, 260 * MS);
	wr(&f, RTC_YEAR, 0x26, 260 * MS);
	wr(&f, RTC_REG_B, 0x00, 500 * MS);
	cr_expect_eq(rd(&f, RTC_HOURS, 1 * S - 1), RTC_HOURS_PM | 0x11);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 1 * S - 1), INT64_C(1781567999));
	cr_expect_eq(rd(&f, RTC_SECONDS, 1 * S), 0x00);
	cr_expect_eq(rd(&f, RTC_MINUTES, 1 * S), 0x00);
	cr_expect_eq(rd(&f, RTC_HOURS, 1 * S), 0x12);          /* 12 AM: PM clear */
	cr_expect_eq(rd(&f, RTC_DAY_OF_WEEK, 1 * S), 3);
	cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 1 * S), 0x16);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 1 * S), INT64_C(1781568000));
	/* 12:59:59 AM at 3600 s, 1:00:00 AM at 3601 s. */
	cr_expect_eq(rd(&f, RTC_HOURS, 3600 * S), 0x12);
	cr_expect_eq(rd(&f, RTC_HOURS, 3601 * S), 0x01);
	teardown(&f);
}

Test(rtc, twelve_hour_mode_sets_pm_at_noon)
{
	struct fixture f;

	setup(&f, INT64_C(1781524799));                        /* 2026-06-15 11:59:59 */
	wr(&f, RTC_REG_B, RTC_REG_B_SET, 100 * MS);
	wr(&f, RTC_HOURS, 0x11, 100 * MS);                      /* 11 AM in 12-hour mode */
	wr(&f, RTC_REG_B, 0x00, 100 * MS);
	cr_expect_eq(rd(&f, RTC_HOURS, 1 * S - 1), 0x11);
	cr_expect_eq(rd(&f, RTC_HOURS, 1 * S), RTC_HOURS_PM | 0x12);
	cr_expect_eq(rd(&f, RTC_HOURS, 3601 * S), RTC_HOURS_PM | 0x01);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 3601 * S), INT64_C(1781524799) + 3601);
	teardown(&f);
}

Test(rtc, bcd_and_binary_hold_the_same_time)
{
	static const uint8_t idx[] = {
		RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK, RTC_DAY_OF_MONTH,
		RTC_MONTH, RTC_YEAR, RTC_CENTURY,
	};
	/* 2026-03-14 15:09:26, a Saturday. */
	static const uint8_t bcd[] = { 0x26, 0x09, 0x15, 7, 0x14, 0x03, 0x26, 0x20 };
	static const uint8_t bin[] = { 26, 9, 15, 7, 14, 3, 26, 20 };
	const int64_t base = INT64_C(1773500966);
	struct fixture f, g;

	setup(&f, base);
	setup(&g, base);
	for (size_t i = 0; i < ARRAY_LEN(idx); i++)
		cr_expect_eq(rd(&f, idx[i], 0), bcd[i], "BCD register 0x%02x", idx[i]);

	/* Software switches g to binary the data sheet's way: SET, DM, write, clear SET. */
	wr(&g, RTC_REG_B, RTC_REG_B_SET | RTC_REG_B_DM | RTC_REG_B_24H, 100 * MS);
	for (size_t i = 0; i < ARRAY_LEN(idx); i++)
		wr(&g, idx[i], bin[i], 100 * MS);
	wr(&g, RTC_REG_B, RTC_REG_B_DM | RTC_REG_B_24H, 100 * MS);
	for (size_t i = 0; i < ARRAY_LEN(idx); i++)
		cr_expect_eq(rd(&g, idx[i], 200 * MS), bin[i], "binary register 0x%02x", idx[i]);
	cr_expect_eq(rtc_time_utc_s(&g.rtc, 200 * MS), rtc_time_utc_s(&f.rtc, 200 * MS));
	cr_expect_eq(rtc_time_utc_s(&g.rtc, 1 * S), base + 1);
	cr_expect_eq(rd(&g, RTC_SECONDS, 1 * S), 27);
	cr_expect_eq(rd(&f, RTC_SECONDS, 1 * S), 0x27);

	/* 12-hour binary: 3 PM is 0x83. */
	wr(&g, RTC_REG_B, RTC_REG_B_SET | RTC_REG_B_DM, 1100 * MS);
	wr(&g, RTC_HOURS, RTC_HOURS_PM | 3, 1100 * MS);
	wr(&g, RTC_REG_B, RTC_REG_B_DM, 1100 * MS);
	cr_expect_eq(rd(&g, RTC_HOURS, 1200 * MS), RTC_HOURS_PM | 3);
	cr_expect_eq(rtc_time_utc_s(&g.rtc, 1200 * MS), base + 1);
	teardown(&f);
	teardown(&g);
}

Test(rtc, calendar_rolls_over_month_ends_leap_years_and_centuries)
{
	static const struct {
		int64_t base;            /* 23:59:59 on the day before */
		uint8_t mday, mon, year, cent;
	} cases[] = {
		{ INT64_C(1709164799), 0x29, 0x02, 0x24, 0x20 },   /* 2024-02-28: leap year */
		{ INT64_C(1677628799), 0x01, 0x03, 0x23, 0x20 },   /* 2023-02-28: not */
		{ INT64_C(1709251199), 0x01, 0x03, 0x24, 0x20 },   /* 2024-02-29 */
		{ INT64_C(951782399), 0x29, 0x02, 0x00, 0x20 },    /* 2000-02-28: 2000 is leap */
		{ INT64_C(1777593599), 0x01, 0x05, 0x26, 0x20 },   /* 2026-04-30: 30-day month */
		{ INT64_C(946684799), 0x01, 0x01, 0x00, 0x20 },    /* 1999-12-31: new century */
		{ INT64_C(1767225599), 0x01, 0x01, 0x26, 0x20 },   /* 2025-12-31 */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fixture f;

		setup(&f, cases[i].base);
		cr_expect_eq(rd(&f, RTC_HOURS, 1 * S - 1), 0x23, "case %zu", i);
		cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 1 * S), cases[i].mday, "case %zu", i);
		cr_expect_eq(rd(&f, RTC_MONTH, 1 * S), cases[i].mon, "case %zu", i);
		cr_expect_eq(rd(&f, RTC_YEAR, 1 * S), cases[i].year, "case %zu", i);
		cr_expect_eq(rd(&f, RTC_CENTURY, 1 * S), cases[i].cent, "case %zu", i);
		cr_expect_eq(rd(&f, RTC_HOURS, 1 * S), 0x00, "case %zu", i);
		cr_expect_eq(rtc_time_utc_s(&f.rtc, 1 * S), cases[i].base + 1, "case %zu", i);
		teardown(&f);
	}
}

Test(rtc, the_chip_calls_2100_a_leap_year)
{
	struct fixture f;

	/* 2100-02-28 23:59:59: the two-digit year 00 is divisible by 4. */
	setup(&f, INT64_C(4107542399));
	cr_expect_eq(rd(&f, RTC_CENTURY, 0), 0x21);
	cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 1 * S), 0x29);
	cr_expect_eq(rd(&f, RTC_MONTH, 1 * S), 0x02);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 1 * S), INT64_C(4107542399) + 1);
	/* From here the chip's date lags the Gregorian date by a day. */
	cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 86401 * S), 0x01);
	cr_expect_eq(rd(&f, RTC_MONTH, 86401 * S), 0x03);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 86401 * S), INT64_C(4107542399) + 86401 - 86400);
	teardown(&f);
}

Test(rtc, set_halts_the_clock_and_resumes_from_the_written_time)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_B, RTC_REG_B_UIE | RTC_REG_B_24H, 0);
	wr(&f, RTC_REG_B, RTC_REG_B_SET | RTC_REG_B_UIE | RTC_REG_B_24H, 300 * MS);
	cr_expect_eq(rd(&f, RTC_REG_B, 300 * MS), RTC_REG_B_SET | RTC_REG_B_24H,
		     "SET going high clears UIE");
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER);
	cr_expect_not(uip(&f, 1 * S - 100 * US), "no update cycle while SET");
	cr_expect_eq(rd(&f, RTC_SECONDS, 5 * S), 0x00);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 5 * S), BASE_2026);
	cr_expect_eq(rd(&f, RTC_REG_C, 5 * S) & RTC_REG_C_UF, 0);

	wr(&f, RTC_SECONDS, 0x30, 5100 * MS);
	wr(&f, RTC_MINUTES, 0x45, 5100 * MS);
	wr(&f, RTC_HOURS, 0x12, 5100 * MS);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 5200 * MS), BASE_2026 + 12 * 3600 + 45 * 60 + 30);
	wr(&f, RTC_REG_B, RTC_REG_B_24H, 5300 * MS);
	/* The divider kept counting: the next update still starts on a whole second. */
	cr_expect_not(uip(&f, 6 * S - TBUC - 1));
	cr_expect(uip(&f, 6 * S - TBUC));
	cr_expect_eq(rd(&f, RTC_SECONDS, 6 * S - 1), 0x30);
	cr_expect_eq(rd(&f, RTC_SECONDS, 6 * S), 0x31);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 6 * S), BASE_2026 + 12 * 3600 + 45 * 60 + 31);
	cr_expect_eq(rd(&f, RTC_SECONDS, 100 * S), 0x05);
	cr_expect_eq(rd(&f, RTC_MINUTES, 100 * S), 0x47);
	teardown(&f);
}

Test(rtc, set_aborts_an_update_cycle_in_progress)
{
	struct fixture f;

	setup(&f, BASE_2026);
	cr_expect_eq(rd(&f, RTC_REG_C, 1 * S), 0x40);           /* PF only so far */
	wr(&f, RTC_REG_B, RTC_REG_B_SET | RTC_REG_B_24H, 1 * S + 1 * MS);
	cr_expect_not(uip(&f, 1 * S + 1 * MS));
	cr_expect_eq(rd(&f, RTC_REG_C, 2 * S) & RTC_REG_C_UF, 0);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 2 * S), BASE_2026 + 1);
	teardown(&f);
}

Test(rtc, divider_reset_holds_time_and_the_first_update_comes_500ms_after_release)
{
	struct fixture f;
	const sim_ps release = 3200 * MS;
	const sim_ps first = release + 500 * MS;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_B, RTC_REG_B_PIE | RTC_REG_B_UIE | RTC_REG_B_24H, 0);
	run_isr(&f, 200 * MS);
	wr(&f, RTC_REG_A, RTC_DV_RESET | 0x06, 200 * MS);
	(void)rd(&f, RTC_REG_C, 200 * MS);
	f.sink.raises = 0;
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER, "no periodic or update events in reset");
	cr_expect_not(uip(&f, 1 * S));
	cr_expect_eq(rd(&f, RTC_SECONDS, 3 * S), 0x00);
	cr_expect_eq(rd(&f, RTC_REG_C, 3 * S), 0x00);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 3 * S), BASE_2026);

	wr(&f, RTC_REG_B, RTC_REG_B_24H, release);
	wr(&f, RTC_REG_A, 0x26, release);
	/* The 1024 Hz tap's first rising edge: 16 cycles after release. */
	cr_expect_eq(rd(&f, RTC_REG_C, release + sim_tick_time(16, sim_freq_hz(32768)) - 1), 0x00);
	cr_expect_eq(rd(&f, RTC_REG_C, release + sim_tick_time(16, sim_freq_hz(32768))),
		     RTC_REG_C_PF);
	cr_expect_not(uip(&f, first - TBUC - 1));
	cr_expect(uip(&f, first - TBUC));
	cr_expect_eq(rd(&f, RTC_SECONDS, first - 1), 0x00);
	cr_expect_eq(rd(&f, RTC_SECONDS, first), 0x01);
	cr_expect_not(uip(&f, first + 1984 * US));
	cr_expect_eq(rd(&f, RTC_SECONDS, first + 1 * S - 1), 0x01);
	cr_expect_eq(rd(&f, RTC_SECONDS, first + 1 * S), 0x02);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, first + 1 * S), BASE_2026 + 2);
	teardown(&f);
}

Test(rtc, the_4mhz_time_base_on_a_32khz_crystal_runs_128_times_slow)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_A, RTC_DV_4MHZ | 0x06, 0);
	/* The 22-stage chain's next 1 Hz (nominal) edge: count 2^21, from 2^14 at t = 0. */
	cr_expect_eq(rd(&f, RTC_SECONDS, 63500 * MS - 1), 0x00);
	cr_expect_eq(rd(&f, RTC_SECONDS, 63500 * MS), 0x01);
	cr_expect_eq(rd(&f, RTC_SECONDS, 191500 * MS - 1), 0x01);
	cr_expect_eq(rd(&f, RTC_SECONDS, 191500 * MS), 0x02);
	teardown(&f);
}

Test(rtc, daylight_saving_skips_and_repeats_an_hour)
{
	struct fixture f;

	/* 2026-04-26 01:59:58, the last Sunday in April. */
	setup(&f, INT64_C(1777168798));
	wr(&f, RTC_REG_B, RTC_REG_B_24H | RTC_REG_B_DSE, 0);
	cr_expect_eq(rd(&f, RTC_DAY_OF_WEEK, 0), 1);
	cr_expect_eq(rd(&f, RTC_HOURS, 1 * S), 0x01);
	cr_expect_eq(rd(&f, RTC_SECONDS, 1 * S), 0x59);
	cr_expect_eq(rd(&f, RTC_HOURS, 2 * S), 0x03);
	cr_expect_eq(rd(&f, RTC_MINUTES, 2 * S), 0x00);
	cr_expect_eq(rd(&f, RTC_SECONDS, 2 * S), 0x00);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 2 * S), INT64_C(1777168798) + 2 + 3600);
	teardown(&f);

	/* 2026-10-25 01:59:58, the last Sunday in October. */
	setup(&f, INT64_C(1792893598));
	wr(&f, RTC_REG_B, RTC_REG_B_24H | RTC_REG_B_DSE, 0);
	cr_expect_eq(rd(&f, RTC_HOURS, 2 * S), 0x01);
	cr_expect_eq(rd(&f, RTC_MINUTES, 2 * S), 0x00);
	cr_expect_eq(rd(&f, RTC_SECONDS, 2 * S), 0x00);
	/* The second 1:59:59 goes on to 2:00:00. */
	cr_expect_eq(rd(&f, RTC_MINUTES, 3601 * S), 0x59);
	cr_expect_eq(rd(&f, RTC_SECONDS, 3601 * S), 0x59);
	cr_expect_eq(rd(&f, RTC_HOURS, 3602 * S), 0x02);
	cr_expect_eq(rd(&f, RTC_MINUTES, 3602 * S), 0x00);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 3602 * S), INT64_C(1792893598) + 2);
	teardown(&f);

	/* Without DSE the spring day is an ordinary day. */
	setup(&f, INT64_C(1777168798));
	cr_expect_eq(rd(&f, RTC_HOURS, 2 * S), 0x02);
	teardown(&f);
}

Test(rtc, alarm_in_the_repeated_fall_hour_fires_twice)
{
	struct fixture f;

	setup(&f, INT64_C(1792893598));                       /* 2026-10-25 01:59:58 */
	wr(&f, RTC_HOURS_ALARM, 0x01, 0);
	wr(&f, RTC_MINUTES_ALARM, 0x30, 0);
	wr(&f, RTC_SECONDS_ALARM, 0x00, 0);
	wr(&f, RTC_REG_B, RTC_REG_B_AIE | RTC_REG_B_24H | RTC_REG_B_DSE, 0);
	run_isr(&f, 2 * 3600 * S);
	/* 1:59:59 (1 s) -> 1:00:00 (2 s); 1:30:00 at 1802 s; no more on this day. */
	cr_expect_eq(f.sink.raises, 1);
	cr_expect_eq(f.sink.raise_ps[0], 1802 * S + 1984 * US);
	teardown(&f);

	setup(&f, INT64_C(1792893598) - 3600);                /* 00:59:58, before the first pass */
	wr(&f, RTC_HOURS_ALARM, 0x01, 0);
	wr(&f, RTC_MINUTES_ALARM, 0x30, 0);
	wr(&f, RTC_SECONDS_ALARM, 0x00, 0);
	wr(&f, RTC_REG_B, RTC_REG_B_AIE | RTC_REG_B_24H | RTC_REG_B_DSE, 0);
	run_isr(&f, 3 * 3600 * S);
	cr_expect_eq(f.sink.raises, 2);
	cr_expect_eq(f.sink.raise_ps[0], 1802 * S + 1984 * US);
	cr_expect_eq(f.sink.raise_ps[1], (1802 + 3600) * S + 1984 * US);
	teardown(&f);
}

Test(rtc, port_0x70_bit_7_masks_nmi)
{
	struct fixture f;
	struct device *dev;

	setup(&f, BASE_2026);
	dev = rtc_device(&f.rtc);
	dev->ops->write(dev, 0, 0x80 | 0x0f, 1, 0);
	cr_expect(rtc_nmi_masked(&f.rtc));
	dev->ops->write(dev, 1, 0x5a, 1, 0);              /* index 0x0f, not 0x8f */
	dev->ops->write(dev, 0, 0x0f, 1, 0);
	cr_expect_not(rtc_nmi_masked(&f.rtc));
	cr_expect_eq(dev->ops->read(dev, 1, 1, 0), 0x5a);
	cr_expect_eq(dev->ops->read(dev, 0, 1, 0), 0xff, "port 0x70 is write-only");
	dev->ops->write(dev, 0, 0x80 | RTC_SECONDS, 1, 0);
	cr_expect(rtc_nmi_masked(&f.rtc));
	cr_expect_eq(dev->ops->read(dev, 1, 1, 0), 0x00, "the mask bit does not reach the index");
	teardown(&f);
}

Test(rtc, cmos_ram_bytes_round_trip)
{
	struct fixture f;

	setup(&f, BASE_2026);
	for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY)
			wr(&f, (uint8_t)i, (uint8_t)(i * 37 + 11), 0);
	for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY)
			cr_expect_eq(rd(&f, (uint8_t)i, 1 * MS), (uint8_t)(i * 37 + 11), "byte 0x%02x", i);
	/* The alarm bytes are plain storage too; C and D ignore writes. */
	wr(&f, RTC_SECONDS_ALARM, 0xa5, 2 * MS);
	wr(&f, RTC_REG_C, 0xff, 2 * MS);
	wr(&f, RTC_REG_D, 0x00, 2 * MS);
	cr_expect_eq(rd(&f, RTC_SECONDS_ALARM, 3 * MS), 0xa5);
	cr_expect_eq(rd(&f, RTC_REG_C, 3 * MS), RTC_REG_C_PF);
	cr_expect_eq(rd(&f, RTC_REG_D, 3 * MS), RTC_REG_D_VRT);
	/* The century byte is a time register: it holds any valid value. */
	wr(&f, RTC_CENTURY, 0x19, 4 * MS);
	cr_expect_eq(rd(&f, RTC_CENTURY, 5 * MS), 0x19);
	cr_expect_eq(rtc_time_utc_s(&f.rtc, 5 * MS), BASE_2026 - INT64_C(3155760000));
	teardown(&f);
}

Test(rtc, time_tracks_elapsed_time_over_a_simulated_day)
{
	static const sim_ps at[] = {
		0, 1 * S - 1, 1 * S, 59 * S + 500 * MS, 3600 * S, 43200 * S + 700 * MS,
		86399 * S, 86400 * S - 1, 86400 * S, 86400 * S + 1,
	};
	struct fixture f;

	setup(&f, BASE_2026);
	for (size_t i = 0; i < ARRAY_LEN(at); i++)
		cr_expect_eq(rtc_time_utc_s(&f.rtc, at[i]), BASE_2026 + (int64_t)(at[i] / S),
			     "at %" PRIu64 " ps", at[i]);
	cr_expect_eq(rd(&f, RTC_DAY_OF_MONTH, 86400 * S), 0x02);
	cr_expect_eq(rd(&f, RTC_DAY_OF_WEEK, 86400 * S), 6);
	cr_expect_eq(rd(&f, RTC_HOURS, 86400 * S), 0x00);
	cr_expect_eq(sim_eventq_next(&f.q), SIM_NEVER, "no events without interrupts");
	teardown(&f);
}

Test(rtc, init_at_a_subsecond_phase_moves_the_first_update)
{
	struct rtc rtc;

	rtc_init_at(&rtc, "rtc0", NULL, NULL, BASE_2026, 250 * MS);
	cr_expect_eq(rtc_time_utc_s(&rtc, 750 * MS - 1), BASE_2026);
	cr_expect_eq(rtc_time_utc_s(&rtc, 750 * MS), BASE_2026 + 1);
	cr_expect_not(rtc_update_in_progress(&rtc, 750 * MS - TBUC - 1));
	cr_expect(rtc_update_in_progress(&rtc, 750 * MS - TBUC));
	cr_expect_eq(rtc_time_utc_s(&rtc, 86400 * S), BASE_2026 + 86400);
	rtc_finish(&rtc);
}

Test(rtc, finish_accepts_a_zeroed_rtc)
{
	struct rtc rtc;

	memset(&rtc, 0, sizeof(rtc));
	rtc_finish(&rtc);
	rtc_finish(NULL);
}

/*
 * A guest running ahead of the queue with interrupts off (sim/guest/pio.h,
 * Linux's CMOS read) reads a time byte past the next periodic edge while PF
 * is already set: no flag changes, yet the queued event must move past the
 * read, or it would fire before the chip's time (an assertion, before).
 * RS = 3 (4 cycles): the first edge at 2 cycles; 1 ms is 32.768 cycles, so
 * the next edge after it is at 34 cycles.
 */
Test(rtc, a_read_ahead_of_the_queue_moves_the_event)
{
	struct fixture f;

	setup(&f, BASE_2026);
	wr(&f, RTC_REG_A, 0x23, 0);
	wr(&f, RTC_REG_B, 0x42, 0);
	run(&f, sim_tick_time(2, sim_freq_hz(32768)));
	cr_assert_eq(f.sink.raises, 1);
	cr_expect_eq(rd(&f, RTC_SECONDS, MS), 0x00);
	cr_expect_eq(sim_eventq_next(&f.q), sim_tick_time(34, sim_freq_hz(32768)));
	run(&f, 2 * MS);
	cr_expect_eq(f.sink.raises, 1);
	cr_expect_eq(rd(&f, RTC_REG_C, 2 * MS), 0xc0);
	teardown(&f);
}
