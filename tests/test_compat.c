/*
 * Compatibility profiles (sim/devices/compat.h): the tables, and the RTC
 * under the qemu-7.2 profile against values derived by hand from QEMU 7.2's
 * rules (sim/devices/rtc_periodic.h, compat.c) and the MC146818A's.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/devices/compat.h"
#include "sim/devices/rtc.h"
#include "sim/devices/rtc_periodic.h"

#define S SIM_PS_PER_S
#define MS SIM_PS_PER_MS
#define NS SIM_PS_PER_NS
#define BASE INT64_C(1150560081)     /* 2006-06-17 16:01:21 UTC */

static struct sim_eventq q;
static struct irq_line line;
static struct rtc rtc;
static unsigned raises;
static sim_ps last_raise;

static void sink(void *p, unsigned pin, bool level, sim_ps now)
{
	(void)p;
	(void)pin;
	if (level) {
		raises++;
		last_raise = now;
	}
}

static void setup(const char *profile)
{
	sim_eventq_finish(&q);          /* a test may set up again: free the last queue */
	sim_eventq_init(&q);
	memset(&line, 0, sizeof(line));
	line.set = sink;
	line.pin = 8;
	raises = 0;
	rtc_init(&rtc, "rtc0", &q, &line, BASE);
	rtc_set_compat(&rtc, compat_find(profile));
}

static void wr(uint8_t index, uint8_t val, sim_ps now)
{
	rtc_write_reg(&rtc, index, val, now);
}

static uint8_t rd(uint8_t index, sim_ps now)
{
	return rtc_read_reg(&rtc, index, now);
}

static void run(sim_ps end)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(&q, end, &err), "%s", err.msg);
}

Test(compat, tables)
{
	cr_assert_eq(compat_default(), compat_find("datasheet"));
	cr_assert_str_eq(compat_find("datasheet")->name, "datasheet");
	cr_assert_str_eq(compat_find("qemu-7.2")->name, "qemu-7.2");
	cr_assert_null(compat_find("qemu"));
	cr_assert_str_eq(compat_names(), "datasheet, qemu-7.2");
	/* MC146818A register A: DV = 000, 001, 010 -> 22, 20, 15 stages; QEMU runs all three at 15. */
	cr_assert_eq(compat_datasheet.rtc_dv_stages[0], 22);
	cr_assert_eq(compat_qemu_7_2.rtc_dv_stages[0], 15);
	cr_assert_eq(compat_datasheet.rtc_update_cycle_ps, 1984 * SIM_PS_PER_US);
	cr_assert_eq(compat_qemu_7_2.rtc_update_cycle_ps, 0);
}

/* RS 1, 2 are 8, 9 (QEMU's periodic_period_to_clock): 128 and 256 cycles; RS 13: 4096. */
Test(compat, periodic_cycles)
{
	cr_assert_eq(rtc_periodic_cycles(1, 1), 128);
	cr_assert_eq(rtc_periodic_cycles(2, 1), 256);
	cr_assert_eq(rtc_periodic_cycles(13, 1), 4096);
	cr_assert_eq(rtc_periodic_cycles(15, 1), 16384);
	cr_assert_eq(rtc_periodic_cycles(0, 1), 0);
	cr_assert_eq(rtc_periodic_cycles(6, 0), 0);
}

/*
 * PIE set at 0 with RS = 1: count 0, next PF at count 128, floor(128e9/32768)
 * = 3906250 ns, + 1 = 3906251 ns (the deviations file's R4 measurement).
 */
Test(compat, periodic_first_period)
{
	struct rtc_periodic p = { 0, 0 };

	rtc_periodic_program(&p, 0, 128, 0);
	cr_assert_eq(rtc_periodic_next(&p), 3906251 * NS);
	rtc_periodic_pass(&p, 3906251 * NS);
	/* count 256: 7812500 ns exactly, + 1 */
	cr_assert_eq(rtc_periodic_next(&p), 7812501 * NS);
	rtc_periodic_pass(&p, 3906251 * NS);     /* nothing new taken */
	cr_assert_eq(rtc_periodic_next(&p), 7812501 * NS);
	rtc_periodic_program(&p, 128, 0, 5 * MS);
	cr_assert_eq(rtc_periodic_next(&p), SIM_NEVER);
}

/*
 * 8 Hz then 2 Hz at the 8 Hz PF (rtc-test's periodic case): programmed at
 * 10 ms, count 327, PF at 4423 -> 134979249 ns; RS = 15 written there counts
 * from that PF (lost = 0): 4423 + 16384 = 20807 -> floor(20807e9/32768) + 1
 * = 634979249 ns.  Written 100 ms later it still counts from the last PF:
 * cur = floor(234979249 * 32768 / 1e9) = 7699, lost = 3276, next 20807.
 */
Test(compat, periodic_rate_change)
{
	struct rtc_periodic p = { 0, 0 };

	rtc_periodic_program(&p, 0, 4096, 10 * MS);
	cr_assert_eq(rtc_periodic_next(&p), 134979249 * NS);
	rtc_periodic_pass(&p, 134979249 * NS);
	{
		struct rtc_periodic a = p, b = p;

		rtc_periodic_program(&a, 4096, 16384, 134979249 * NS);
		cr_assert_eq(rtc_periodic_next(&a), 634979249 * NS);
		rtc_periodic_program(&b, 4096, 16384, 234979249 * NS);
		cr_assert_eq(rtc_periodic_next(&b), 634979249 * NS);
	}
}

/*
 * A rate change a whole new period after the last PF (R4-due): 2 Hz from 0
 * (next count 16384), RS = 3 (4 counts) at 0.4 s: cur = floor(0.4e9 *
 * 32768 / 1e9) = 13107, lost = 13107 - (16384 - 16384) capped at 4, next
 * count 13107 + 4 - 4 = 13107 -> floor(399993896.48) + 1 = 399993897 ns,
 * before now (QEMU's timer fires at once).  Taken at 0.4 s, the next is
 * 13111 -> floor(400115966.80) + 1 = 400115967 ns.
 */
Test(compat, periodic_rate_change_due_at_once)
{
	struct rtc_periodic p = { 0, 0 };

	rtc_periodic_program(&p, 0, 16384, 0);
	cr_assert_eq(rtc_periodic_next(&p), 500000001 * NS);
	rtc_periodic_program(&p, 16384, 4, 400 * MS);
	cr_assert_eq(rtc_periodic_next(&p), 399993897 * NS);
	rtc_periodic_pass(&p, 400 * MS);
	cr_assert_eq(rtc_periodic_next(&p), 400115967 * NS);
}

/*
 * The same through the chip: the write does not fail the queue; PF is set
 * at 0.4 s, readable at that instant before the event runs, and IRQ8 rises
 * at 0.4 s when it does.  The datasheet profile: PF at 0.25 s (the 2 Hz
 * tap, chain count 2^14 + 8192 at 0 + 0.25 s), then the 4-cycle tap's next
 * rising edge after 0.4 s, 13110 cycles = 400085449.2 ns.
 */
Test(compat, periodic_rate_change_chip)
{
	setup("qemu-7.2");
	wr(RTC_REG_A, 0x2f, 0);
	wr(RTC_REG_B, 0x42, 0);
	run(400 * MS);
	cr_assert_eq(raises, 0);
	wr(RTC_REG_A, 0x23, 400 * MS);
	cr_assert_eq(sim_eventq_next(&q), 400 * MS);
	cr_assert_eq(rd(RTC_REG_C, 400 * MS), 0xc0);
	cr_assert_eq(raises, 0);
	cr_assert_eq(sim_eventq_next(&q), 400115967 * NS);
	run(400115967 * NS);
	cr_assert_eq(raises, 1);
	cr_assert_eq(last_raise, 400115967 * NS);

	setup("qemu-7.2");
	wr(RTC_REG_A, 0x2f, 0);
	wr(RTC_REG_B, 0x42, 0);
	run(400 * MS);
	wr(RTC_REG_A, 0x23, 400 * MS);
	run(400 * MS);
	cr_assert_eq(raises, 1);
	cr_assert_eq(last_raise, 400 * MS);
	cr_assert_eq(sim_eventq_next(&q), 400115967 * NS);

	setup("datasheet");
	wr(RTC_REG_A, 0x2f, 0);
	wr(RTC_REG_B, 0x42, 0);
	run(400 * MS);
	cr_assert_eq(raises, 1);
	cr_assert_eq(last_raise, 250 * MS);
	cr_assert_eq(rd(RTC_REG_C, 400 * MS), 0xc0);
	wr(RTC_REG_A, 0x23, 400 * MS);
	cr_assert_eq(rd(RTC_REG_C, 400 * MS), 0x00);
	cr_assert_eq(sim_eventq_next(&q), sim_tick_time(13110, (struct sim_freq){ 32768, 1 }));
}

/* The chip with PIE = 0 still sets PF; QEMU 7.2 never does (R3). */
Test(compat, pf_needs_pie)
{
	setup("datasheet");
	cr_assert_eq(rd(RTC_REG_C, 10 * MS) & RTC_REG_C_PF, RTC_REG_C_PF);
	setup("qemu-7.2");
	cr_assert_eq(rd(RTC_REG_C, 10 * MS) & RTC_REG_C_PF, 0);
}

/* The same through the chip: PIE at 10 ms, 8 Hz; IRQ8 at 134979249 ns. */
Test(compat, periodic_irq)
{
	setup("qemu-7.2");
	wr(RTC_REG_A, 0x2d, 10 * MS);
	wr(RTC_REG_B, 0x42, 10 * MS);
	run(134979248 * NS);
	cr_assert_eq(raises, 0);
	run(134979249 * NS);
	cr_assert_eq(raises, 1);
	cr_assert_eq(last_raise, 134979249 * NS);
}

/*
 * Update cycle (R2): 1 ns after the update at 1 s the chip is inside t_UC
 * (UIP = 1, UF not yet set); QEMU 7.2 has finished (UIP = 0, UF set).  The
 * lead (R1): UIP from 244140 ns before the update in both at whole ns.
 */
Test(compat, update_cycle)
{
	setup("datasheet");
	cr_assert_eq(rd(RTC_REG_A, S + NS), 0xa6);
	cr_assert_eq(rd(RTC_REG_C, S + NS) & RTC_REG_C_UF, 0);
	setup("qemu-7.2");
	cr_assert_eq(rd(RTC_REG_A, S - 244141 * NS), 0x26);
	cr_assert_eq(rd(RTC_REG_A, S - 244140 * NS), 0xa6);
	cr_assert_eq(rd(RTC_REG_A, S), 0x26);
	cr_assert_eq(rd(RTC_REG_C, S) & RTC_REG_C_UF, RTC_REG_C_UF);
}

/* DV = 000: the chip's chain runs 128x slow on 32.768 kHz; QEMU 7.2 keeps time (R5). */
Test(compat, dv_000)
{
	setup("datasheet");
	wr(RTC_REG_A, 0x06, 0);
	cr_assert_eq(rd(RTC_SECONDS, 10 * S), 0x21);
	setup("qemu-7.2");
	wr(RTC_REG_A, 0x06, 0);
	cr_assert_eq(rd(RTC_SECONDS, 10 * S), 0x31);
}

/* Binary mode while running: the chip reads the BCD byte 0x21 as 33 (0x21); QEMU 0x15 (R7). */
Test(compat, dm_change)
{
	setup("datasheet");
	wr(RTC_REG_B, 0x06, MS);
	cr_assert_eq(rd(RTC_SECONDS, MS), 0x21);
	setup("qemu-7.2");
	wr(RTC_REG_B, 0x06, MS);
	cr_assert_eq(rd(RTC_SECONDS, MS), 0x15);
	cr_assert_eq(rd(RTC_MINUTES, MS), 0x01);
	cr_assert_eq(rd(RTC_HOURS, MS), 16);
}
