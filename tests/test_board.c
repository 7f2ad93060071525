/*
 * board: a board on a VM's time base stops and resumes with the VM (its
 * chips see true time minus the time stopped, their events wait), and a
 * board without some of its devices floats where they were.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/event.h"
#include "sim/devices/platform.h"

#define US(n) ((sim_ps)(n) * SIM_PS_PER_US)
#define MS(n) ((sim_ps)(n) * SIM_PS_PER_MS)

static void board(struct platform *pf, struct sim_eventq *q, bool vm, bool no_pit, bool no_rtc,
		  uint8_t float_byte)
{
	struct platform_params p;
	struct sim_diag err = { 0 };

	platform_params_default(&p);
	p.vm_time_base = vm;
	p.absent[BOARD_DEV_PIT] = no_pit;
	p.absent[BOARD_DEV_RTC] = no_rtc;
	p.float_byte = float_byte;
	sim_eventq_init(q);
	cr_assert(platform_init(pf, q, &p, &err), "%s", err.msg);
}

static void run_to(struct sim_eventq *q, sim_ps t)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(q, t, &err), "%s", err.msg);
}

/* Channel 2, mode 0, count 0xffff, gate high: the count Linux's calibration polls. */
static void start_ch2(struct platform *pf)
{
	platform_io_write(pf, 0x61, 0x01, 1, NULL);
	platform_io_write(pf, 0x43, 0xb0, 1, NULL);
	platform_io_write(pf, 0x42, 0xff, 1, NULL);
	platform_io_write(pf, 0x42, 0xff, 1, NULL);
}

static uint16_t ch2_count(struct platform *pf)
{
	unsigned lo, hi;

	platform_io_write(pf, 0x43, 0x80, 1, NULL);        /* latch channel 2 */
	lo = (unsigned)platform_io_read(pf, 0x42, 1, NULL);
	hi = (unsigned)platform_io_read(pf, 0x42, 1, NULL);
	return (uint16_t)(lo | hi << 8);
}

/* Whole PIT CLKs in a duration: floor(d * 105 MHz / 88). */
static uint64_t clks(sim_ps d)
{
	return sim_ticks_in(d, (struct sim_freq){ SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN });
}

Test(board, pit_count_continues_from_where_it_stopped)
{
	struct sim_eventq q;
	struct platform pf;
	uint16_t at_stop, after_resume, later;

	board(&pf, &q, true, false, false, 0xff);
	start_ch2(&pf);                                 /* at t = 0: loaded at CLK edge 1 */
	run_to(&q, MS(10));
	at_stop = ch2_count(&pf);
	/* 10 ms = 11931 whole CLKs; the load takes edge 1: 0xffff - 11930. */
	cr_expect_eq(at_stop, 0xffff - (clks(MS(10)) - 1), "count at the stop: %u", at_stop);
	platform_stop(&pf, MS(10));
	run_to(&q, MS(510));                            /* 500 ms stopped */
	cr_expect_eq(ch2_count(&pf), at_stop, "nothing counts while stopped");
	cr_expect_eq(platform_time(&pf, MS(510)), MS(10));
	platform_resume(&pf, MS(510));
	after_resume = ch2_count(&pf);
	cr_expect_eq(after_resume, at_stop, "the count resumes where it stopped");
	run_to(&q, MS(515));
	later = ch2_count(&pf);
	/* board time 15 ms: as if the 500 ms had not happened */
	cr_expect_eq(later, 0xffff - (clks(MS(15)) - 1), "count 5 ms after the resume: %u", later);
	platform_finish(&pf);
	sim_eventq_finish(&q);
}

Test(board, host_board_runs_through_a_stop)
{
	struct sim_eventq q;
	struct platform pf;

	board(&pf, &q, false, false, false, 0xff);
	start_ch2(&pf);
	platform_stop(&pf, 0);                          /* a host's board ignores it */
	run_to(&q, MS(20));
	cr_expect_eq(ch2_count(&pf), 0xffff - (clks(MS(20)) - 1));
	platform_finish(&pf);
	sim_eventq_finish(&q);
}

static unsigned irq0_raises;
static sim_ps irq0_last_ps;

static void on_irq(void *ctx, unsigned line, bool level, sim_ps now)
{
	(void)ctx;
	if (line == 0 && level) {
		irq0_raises++;
		irq0_last_ps = now;
	}
}

/* Channel 0 in mode 2 with count 1193 (1 kHz ticks), from t = 0. */
static void start_ch0(struct platform *pf)
{
	irq0_raises = 0;
	irq_router_set_listener(&pf->irq, on_irq, NULL);
	platform_io_write(pf, 0x43, 0x34, 1, NULL);     /* ch0, LSB then MSB, mode 2 */
	platform_io_write(pf, 0x40, 1193 & 0xff, 1, NULL);
	platform_io_write(pf, 0x40, 1193 >> 8, 1, NULL);
}

/*
 * While the board is stopped no edge happens; after the resume the edges
 * keep their board-time phase, shifted by the stop, and are stamped in true
 * time: the same edges as on a host's board 1 s earlier.
 */
Test(board, pit_interrupts_wait_for_the_resume)
{
	struct sim_eventq q;
	struct platform pf;
	unsigned before, host_raises;
	sim_ps host_last_ps;

	board(&pf, &q, false, false, false, 0xff);      /* the reference: a host's board */
	start_ch0(&pf);
	run_to(&q, MS(10) + US(1));
	host_raises = irq0_raises;
	host_last_ps = irq0_last_ps;
	platform_finish(&pf);
	sim_eventq_finish(&q);
	/* OUT0 goes high at the control word (mode 2), then once per 1193 CLKs */
	cr_assert_eq(host_raises, 11, "1 + 10 rises in 10 ms: %u", host_raises);

	board(&pf, &q, true, false, false, 0xff);
	start_ch0(&pf);
	run_to(&q, MS(5) + US(1));
	before = irq0_raises;
	platform_stop(&pf, MS(5) + US(1));
	run_to(&q, MS(1005) + US(1));
	cr_expect_eq(irq0_raises, before, "no edge while stopped");
	platform_resume(&pf, MS(1005) + US(1));
	run_to(&q, MS(1010) + US(1));
	cr_expect_eq(irq0_raises, host_raises, "10 ms of board time: %u rises", irq0_raises);
	cr_expect_eq(irq0_last_ps, host_last_ps + MS(1000), "last rise at %" PRIu64 " ps",
		     irq0_last_ps);
	platform_finish(&pf);
	sim_eventq_finish(&q);
}

Test(board, absent_devices_float)
{
	static const struct {
		uint8_t float_byte;
	} cases[] = { { 0xff }, { 0x00 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_eventq q;
		struct platform pf;
		uint8_t f = cases[i].float_byte;

		board(&pf, &q, false, true, true, f);
		cr_expect_null(platform_device(&pf, BOARD_DEV_PIT));
		cr_expect_null(platform_device(&pf, BOARD_DEV_RTC));
		cr_expect_not_null(platform_device(&pf, BOARD_DEV_HPET));
		platform_io_write(&pf, 0x43, 0xb0, 1, NULL);     /* dropped */
		platform_io_write(&pf, 0x61, 0x01, 1, NULL);
		cr_expect_eq(platform_io_read(&pf, 0x42, 1, NULL), f);
		cr_expect_eq(platform_io_read(&pf, 0x61, 1, NULL), f);
		platform_io_write(&pf, 0x70, 0x0a, 1, NULL);
		cr_expect_eq(platform_io_read(&pf, 0x71, 1, NULL), f, "RTC register A floats");
		/* the PM timer is still there: its count is not the floating byte pattern */
		cr_expect_eq(platform_io_read(&pf, PLATFORM_PMTIMER_PORT_DEFAULT, 4, NULL), 0);
		platform_finish(&pf);
		sim_eventq_finish(&q);
	}
}
