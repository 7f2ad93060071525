/*
 * Lost-tick policies: the ticks a guest has taken after a known outage,
 * derived by hand next to each case (not read back from the code).
 *
 * The common case: a 1000 Hz tick (tick n due at n ms), the vCPU unable to
 * run from 10 s to 15 s.  Ticks 10001 .. 15000 fall in (10 s, 15 s]: 5000
 * missed.  At 15 s the vCPU takes the one its IRR latched.
 */
#include <criterion/criterion.h>

#include "sim/core/event.h"
#include "sim/core/platform_clocks.h"
#include "sim/devices/pit.h"
#include "sim/guest/tick_clock.h"

#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)
#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)
#define US(x) ((sim_ps)(x) * SIM_PS_PER_US)

static struct tick_delivery khz(enum tick_policy p)
{
	struct tick_delivery d = {
		.rate = { 1000, 1 }, .policy = p, .inject_interval_ps = US(10), .slew_rate = 2,
		.noutages = 1,
	};

	d.outages[0] = (struct tick_outage){ S(10), S(15) };
	return d;
}

Test(tick_delivery, no_outage_counts_every_tick)
{
	struct tick_delivery d = khz(TICK_POLICY_DISCARD);

	d.noutages = 0;
	cr_assert_eq(tick_delivered(&d, MS(1) - 1), 0);
	cr_assert_eq(tick_delivered(&d, MS(1)), 1);
	cr_assert_eq(tick_delivered(&d, S(30)), 30000);
}

/*
 * discard: 1 of the 5000 is taken at 15 s (the latched one), 4999 are
 * dropped: at 30 s the guest has 30000 - 4999 = 25001 ticks, 4.999 s behind.
 */
Test(tick_delivery, discard_keeps_one_of_5000)
{
	struct tick_delivery d = khz(TICK_POLICY_DISCARD);
	struct tick_outage_summary s;

	cr_assert_eq(tick_delivered(&d, S(10)), 10000);
	cr_assert_eq(tick_delivered(&d, S(12)), 10000, "nothing is taken in the outage");
	cr_assert_eq(tick_delivered(&d, S(15)), 10001);
	cr_assert_eq(tick_delivered(&d, S(30)), 25001);
	cr_assert(tick_outage_summary(&d, 0, &s));
	cr_assert_eq(s.missed, 5000);
	cr_assert_eq(s.latched, 1);
	cr_assert_eq(s.lost, 4999);
	cr_assert_eq(s.backlog, 0);
	cr_assert_eq(s.caught_up_ps, S(15));
	cr_assert_eq(s.max_rate_mhz, 1000000);
}

/* merge: the 5000 coalesce into the one taken at 15 s: the same count as discard. */
Test(tick_delivery, merge_coalesces_5000_into_one)
{
	struct tick_delivery d = khz(TICK_POLICY_MERGE);

	cr_assert_eq(tick_delivered(&d, S(15)), 10001);
	cr_assert_eq(tick_delivered(&d, S(30)), 25001);
}

/*
 * delay, one reinjection per 10 us: at 15 s + k * 10 us the guest has
 * 10001 + k ticks and the device 15000 + floor(k / 100).  Level when
 * k - floor(k / 100) >= 4999: k = 5049 (5049 - 50 = 4999; 5048 - 50 = 4998
 * is short), at 15 s + 50.49 ms.  At 15.02 s: k = 2000, 12001 ticks.
 * Every tick is there at 30 s: 30000.
 */
Test(tick_delivery, delay_reinjects_all_5000)
{
	struct tick_delivery d = khz(TICK_POLICY_DELAY);
	struct tick_outage_summary s;

	cr_assert_eq(tick_delivered(&d, S(15)), 10001);
	cr_assert_eq(tick_delivered(&d, MS(15020)), 12001);
	cr_assert_eq(tick_delivered(&d, S(30)), 30000);
	cr_assert(tick_outage_summary(&d, 0, &s));
	cr_assert_eq(s.lost, 0);
	cr_assert_eq(s.backlog, 4999);
	cr_assert_eq(s.caught_up_ps, S(15) + US(50490));
	cr_assert_eq(tick_delivered(&d, S(15) + US(50490)), 15050);
	cr_assert_eq(tick_delivered(&d, S(15) + US(50480)), 15049, "one short before");
	cr_assert_eq(s.max_rate_mhz, 100000000, "100000 ticks/s");
}

/*
 * slew at 2x: the regular ticks go on and 1000 more per second are added.
 * 4999 owed: paid after 4.999 s, at 19.999 s.  At 17 s: 10001 + 2000
 * regular + 2000 added = 14001 (the device has 17000).
 */
Test(tick_delivery, slew_2x_pays_back_in_the_outage_length)
{
	struct tick_delivery d = khz(TICK_POLICY_SLEW);
	struct tick_outage_summary s;

	cr_assert_eq(tick_delivered(&d, S(17)), 14001);
	cr_assert_eq(tick_delivered(&d, MS(19998)), 19997);
	cr_assert_eq(tick_delivered(&d, MS(19999)), 19999);
	cr_assert_eq(tick_delivered(&d, S(30)), 30000);
	cr_assert(tick_outage_summary(&d, 0, &s));
	cr_assert_eq(s.caught_up_ps, MS(19999));
	cr_assert_eq(s.max_rate_mhz, 2000000);
}

/* NO_HZ: jiffies come from the clocksource at the first interrupt after the outage. */
Test(tick_delivery, nohz_owes_nothing)
{
	struct tick_delivery d = khz(TICK_POLICY_DISCARD);

	d.nohz = true;
	cr_assert_eq(tick_delivered(&d, S(12)), 10000);
	cr_assert_eq(tick_delivered(&d, S(15)), 15000);
	cr_assert_eq(tick_delivered(&d, S(30)), 30000);
}

/*
 * A second outage [16 s, 18 s) after a delay catch-up: the first ends at
 * 15.05049 s, so at 16 s the guest has all 16000.  Ticks 16001 .. 18000 are
 * missed (2000); at 18 s it has 16001, owes 1999: k - floor(k / 100) >= 1999
 * gives k = 2019 (2019 - 20 = 1999), level at 18 s + 20.19 ms.
 */
Test(tick_delivery, delay_two_outages)
{
	struct tick_delivery d = khz(TICK_POLICY_DELAY);
	struct tick_outage_summary s;

	d.noutages = 2;
	d.outages[1] = (struct tick_outage){ S(16), S(18) };
	cr_assert_eq(tick_delivered(&d, S(16)), 16000);
	cr_assert_eq(tick_delivered(&d, S(18)), 16001);
	cr_assert(tick_outage_summary(&d, 1, &s));
	cr_assert_eq(s.backlog, 1999);
	cr_assert_eq(s.caught_up_ps, S(18) + US(20190));
}

/*
 * A Windows-like 64 Hz RTC clock, paused 16 h from 10 s, slew at 2x:
 * 64 x 57600 = 3686400 missed, 3686399 owed, paid after 3686399 / 64 s =
 * 57599.984375 s.  Two seconds after the resume the guest has 640 + 1 +
 * 128 regular + 128 added = 897 ticks.
 */
Test(tick_delivery, rtc_64hz_16h_slew)
{
	struct tick_delivery d = {
		.rate = { 64, 1 }, .policy = TICK_POLICY_SLEW, .slew_rate = 2, .noutages = 1,
	};
	sim_ps to = S(10) + S(57600);
	struct tick_outage_summary s;

	d.outages[0] = (struct tick_outage){ S(10), to };
	cr_assert_eq(tick_delivered(&d, to + S(2)), 897);
	cr_assert(tick_outage_summary(&d, 0, &s));
	cr_assert_eq(s.missed, 3686400);
	cr_assert_eq(s.backlog, 3686399);
	cr_assert_eq(s.caught_up_ps, to + S(57599) + MS(984) + US(375));
}

/*
 * The PIT at HZ = 1000: Linux's LATCH = (1193182 + 500) / 1000 = 1193 input
 * cycles of 105/88 MHz (13125000/11 Hz), a period of 1193 x 11 / 13125000 s
 * = 999.847619... us: tick 1 is due at 999847620 ps (rounded up), and 1 s
 * holds floor(13125000 / 13123) = 1000 ticks, 1000 s holds 1000152.
 */
Test(tick_delivery, pit_latch_period)
{
	struct tick_delivery d = {
		.rate = { SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN * 1193 }, .policy = TICK_POLICY_DELAY,
	};

	cr_assert_eq(tick_due_time(&d, 1), 999847620);
	cr_assert_eq(tick_due(&d, S(1)), 1000);
	cr_assert_eq(tick_due(&d, S(1000)), 1000152);
}

/* What is still owed: slew at 17 s owes 17000 - 14001 = 2999; discard owes nothing. */
Test(tick_delivery, owed_after_the_outage)
{
	struct tick_delivery slew = khz(TICK_POLICY_SLEW), discard = khz(TICK_POLICY_DISCARD);

	cr_assert_eq(tick_owed(&slew, S(17)), 2999);
	cr_assert_eq(tick_owed(&slew, S(30)), 0);
	cr_assert_eq(tick_owed(&discard, S(17)), 0);
	cr_assert_eq(tick_owed(&discard, S(12)), 2000, "inside the outage: missed so far");
}

/*
 * The guest's clock (sim/guest/tick_clock.h): ticks x 1 ms, and a guest
 * agent's sync at 16 s sets it to 16 s.  discard: 11001 ticks at 16 s, 15001
 * at 20 s: 16 s + 4 s = 20 s, right from the sync on.  slew 2x: 12001 at
 * 16 s, 20000 at 20 s (level at 19.999 s): 16 s + 7.999 s = 23.999 s, the
 * 3999 ticks owed at the sync counted on top of it.
 */
Test(tick_delivery, tick_clock_sync_during_catch_up_overshoots)
{
	struct tick_clock_config c = { .delivery = khz(TICK_POLICY_DISCARD), .nsyncs = 1,
				       .sync_ps = { S(16) } };

	cr_assert_eq(tick_clock_ns(&c, S(12)), 10000000000);
	cr_assert_eq(tick_clock_ns(&c, S(15)), 10001000000);
	cr_assert_eq(tick_clock_ns(&c, S(16)), 16000000000);
	cr_assert_eq(tick_clock_ns(&c, S(20)), 20000000000);
	c.delivery = khz(TICK_POLICY_SLEW);
	/* just before 16 s: 10001 + 999 regular + 999 added */
	cr_assert_eq(tick_clock_ns(&c, S(16) - 1), 11999000000);
	cr_assert_eq(tick_clock_ns(&c, S(16)), 16000000000);
	cr_assert_eq(tick_clock_ns(&c, S(20)), 23999000000);
}

/*
 * A guest that compensates lost ticks itself (i386 Linux's mark_offset_tsc):
 * its first interrupt after the stall, at 15 s, finds 5 s = 5000 ticks since
 * its last at 10 s and adds 4999.  With discard that makes it level: 10001 +
 * 4999 = 15000 at 15 s, 30000 at 30 s.  With delay the 4999 reinjected ticks
 * count again: 30000 + 4999 at 30 s, 4.999 s ahead.
 */
Test(tick_delivery, compensating_guest_needs_discard)
{
	struct tick_clock_config c = { .delivery = khz(TICK_POLICY_DISCARD), .compensate = true };

	cr_assert_eq(tick_clock_ns(&c, S(12)), 10000000000);
	cr_assert_eq(tick_clock_ns(&c, S(15)), 15000000000);
	cr_assert_eq(tick_clock_ns(&c, S(30)), 30000000000);
	c.delivery = khz(TICK_POLICY_DELAY);
	cr_assert_eq(tick_clock_ns(&c, S(30)), 34999000000);
	c.compensate = false;
	cr_assert_eq(tick_clock_ns(&c, S(30)), 30000000000);
}

/*
 * The PIT tick is the device's: the board's 8254 model, channel 0 programmed
 * as Linux does (control word 0x34: LSB then MSB, mode 2, binary; count
 * LATCH = 1193 = 0x04a9), drops OUT0 once per 1193 CLK cycles.  Its falling
 * edges n and n + 1000 lie 1000 x 1193 cycles apart, which the delivery
 * model's tick times give too (to within their ps rounding).
 */
Test(tick_delivery, pit_tick_is_the_device_period)
{
	struct tick_delivery d = { .rate = { SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN * 1193 } };
	struct sim_freq clk = { PIT_CLOCK_NUM, PIT_CLOCK_DEN };
	struct sim_eventq q;
	struct pit pit;
	sim_ps t = 0, falls[2] = { 0 };
	unsigned nfalls = 0;
	int64_t model, device;

	sim_eventq_init(&q);
	pit_init(&pit, "pit0", &q, clk, NULL);
	pit_io_write(&pit, 3, 0x34, 0);
	pit_io_write(&pit, 0, 0xa9, 0);
	pit_io_write(&pit, 0, 0x04, 0);
	/* the first falling edge, then the 1000th after it */
	while (nfalls < 1001) {
		t = pit_next_out_edge(&pit, 0, t);
		cr_assert_neq(t, SIM_NEVER);
		if (!pit_out(&pit, 0, t)) {
			if (nfalls == 0)
				falls[0] = t;
			nfalls++;
		}
	}
	falls[1] = t;
	device = (int64_t)(falls[1] - falls[0]);
	model = (int64_t)tick_due_time(&d, 1000);
	cr_expect_leq(device > model ? device - model : model - device, 1,
		      "device %lld ps, model %lld ps", (long long)device, (long long)model);
	pit_finish(&pit);
	sim_eventq_finish(&q);
}
