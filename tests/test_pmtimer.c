/*
 * pmtimer: the ACPI PM timer counts floor(t * 3579545 Hz) from t = 0 and
 * wraps at 2^24 or 2^32; reads of 1..4 bytes return the register's bytes;
 * TMR_STS would be set each time the most significant bit changes.
 * Expected times are closed-form: count n appears at sim_tick_time(n, f) =
 * ceil(n * 1e12 / 3579545) ps.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/devices/pmtimer.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t port_read(struct pmtimer *pm, uint64_t off, unsigned size, sim_ps now)
{
	struct device *d = pmtimer_device(pm);

	return d->ops->read(d, off, size, now);
}

Test(pmtimer, counter_24bit_wraps_after_2_pow_24_ticks)
{
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	/* ceil(2^24 * 1e12 / 3579545) ps, about 4.687 s. */
	const sim_ps wrap = UINT64_C(4686968874536);
	struct pmtimer pm;

	pmtimer_init(&pm, "pmtmr", f, 24);
	cr_assert_eq(sim_tick_time(UINT64_C(1) << 24, f), wrap);
	cr_expect_eq(pmtimer_read(&pm, 0), 0);
	cr_expect_eq(pmtimer_read(&pm, wrap - 1), 0xffffff);
	cr_expect_eq(pmtimer_read(&pm, wrap), 0);
	cr_expect_eq(pmtimer_read(&pm, wrap + sim_tick_time(5, f)), 5);
	/* Bits 31:24 (E_TMR_VAL) read as zeros on a 24-bit timer. */
	cr_expect_eq(port_read(&pm, 3, 1, wrap - 1), 0);
	cr_expect_eq(port_read(&pm, 0, 4, wrap - 1), 0xffffff);
}

Test(pmtimer, counter_32bit_extends_past_2_pow_24)
{
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	const sim_ps wrap24 = UINT64_C(4686968874536);
	/* ceil(2^32 * 1e12 / 3579545) ps, about 1199.86 s. */
	const sim_ps wrap32 = UINT64_C(1199864031881147);
	struct pmtimer pm;

	pmtimer_init(&pm, "pmtmr", f, 32);
	cr_assert_eq(sim_tick_time(UINT64_C(1) << 32, f), wrap32);
	cr_expect_eq(pmtimer_read(&pm, wrap24), 0x1000000);
	cr_expect_eq(port_read(&pm, 3, 1, wrap24), 0x01);
	cr_expect_eq(pmtimer_read(&pm, wrap32 - 1), 0xffffffff);
	cr_expect_eq(pmtimer_read(&pm, wrap32), 0);
}

Test(pmtimer, rate_is_3579545_ticks_per_second)
{
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	struct pmtimer pm;

	pmtimer_init(&pm, "pmtmr", f, 24);
	cr_expect_eq(pmtimer_read(&pm, SIM_PS_PER_S) - pmtimer_read(&pm, 0), 3579545);
	/* Across a wrap, the difference mod 2^24 still counts one second. */
	cr_expect_eq((pmtimer_read(&pm, 5 * SIM_PS_PER_S) - pmtimer_read(&pm, 4 * SIM_PS_PER_S)) &
		     0xffffff, 3579545);
	/* Count n appears exactly at sim_tick_time(n). */
	cr_expect_eq(pmtimer_read(&pm, sim_tick_time(1000, f)), 1000);
	cr_expect_eq(pmtimer_read(&pm, sim_tick_time(1000, f) - 1), 999);
}

Test(pmtimer, narrow_reads_return_the_register_bytes)
{
	static const struct {
		uint64_t off;
		unsigned size;
	} cases[] = {
		{ 0, 1 }, { 1, 1 }, { 2, 1 }, { 3, 1 },
		{ 0, 2 }, { 1, 2 }, { 2, 2 },
		{ 0, 4 },
	};
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	sim_ps t = sim_tick_time(UINT64_C(0x9abcdef1), f);
	struct pmtimer pm;
	uint32_t reg;

	pmtimer_init(&pm, "pmtmr", f, 32);
	reg = pmtimer_read(&pm, t);
	cr_assert_eq(reg, 0x9abcdef1);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		unsigned size = cases[i].size;
		uint64_t mask = size == 4 ? 0xffffffff : (UINT64_C(1) << (8 * size)) - 1;
		uint64_t want = ((uint64_t)reg >> (8 * cases[i].off)) & mask;

		cr_expect_eq(port_read(&pm, cases[i].off, size, t), want,
			     "offset %" PRIu64 " size %u", cases[i].off, size);
	}
	/* Bytes past the 4-byte register read as 0xff. */
	cr_expect_eq(port_read(&pm, 2, 4, t), UINT64_C(0xffff9abc));
}

Test(pmtimer, writes_are_ignored)
{
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	struct pmtimer pm;
	struct device *d;

	pmtimer_init(&pm, "pmtmr", f, 24);
	d = pmtimer_device(&pm);
	d->ops->write(d, 0, 0, 4, SIM_PS_PER_S);
	cr_expect_eq(pmtimer_read(&pm, SIM_PS_PER_S), 3579545);
	cr_expect_str_eq(d->ops->kind, "pmtimer");
	cr_expect_eq(d->ops->min_size, 1);
	cr_expect_eq(d->ops->max_size, 4);
	cr_expect_str_eq(d->name, "pmtmr");
}

Test(pmtimer, tmr_sts_time_is_each_msb_change)
{
	struct sim_freq f = sim_freq_hz(PMTIMER_FREQ_HZ);
	/* ceil(2^23 * 1e12 / 3579545) ps: bit 23 first turns on. */
	const sim_ps half24 = UINT64_C(2343484437268);
	struct pmtimer pm;

	pmtimer_init(&pm, "pmtmr", f, 24);
	cr_expect_eq(pmtimer_next_tmr_sts(&pm, 0), half24);
	cr_expect_eq(pmtimer_next_tmr_sts(&pm, half24 - 1), half24);
	/* Strictly after now: at the toggle the next one is 2^23 ticks on. */
	cr_expect_eq(pmtimer_next_tmr_sts(&pm, half24), sim_tick_time(UINT64_C(1) << 24, f));
	pmtimer_init(&pm, "pmtmr", f, 32);
	cr_expect_eq(pmtimer_next_tmr_sts(&pm, half24), sim_tick_time(UINT64_C(1) << 31, f));
}
