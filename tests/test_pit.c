/*
 * pit: the Intel 8254 model against the datasheet's timing (Intel 231164,
 * "Mode Definitions", "Read Operations", "Write Operations").
 *
 * Conventions used by every expectation: CLK edge n is at edge(n) =
 * sim_tick_time(n, clk); an input at after(n) (strictly between edges n and
 * n + 1) is loaded on the next CLK pulse, edge n + 1, which does not
 * decrement; a value "at edge n" is read at edge(n) and includes that edge.
 * Values are read only at or after a channel's last input (the model answers
 * for the present and future, as hardware does).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/devices/irq_router.h"
#include "sim/devices/pit.h"
#include "sim/devices/platform.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Control words: SC << 6 | RW << 4 | M << 1 | BCD. */
#define CW(ch, rw, mode, bcd) ((uint8_t)((ch) << 6 | (rw) << 4 | (mode) << 1 | (bcd)))
#define LSB PIT_RW_LSB
#define MSB PIT_RW_MSB
#define WORD PIT_RW_LSB_MSB

static struct sim_freq pit_clk(void)
{
	struct sim_freq f;

	cr_assert(sim_freq_make(PIT_CLOCK_NUM, PIT_CLOCK_DEN, &f));
	return f;
}

/* Time of CLK edge n. */
static sim_ps edge(uint64_t n)
{
	return sim_tick_time(n, pit_clk());
}

/* An instant after edge n and before edge n + 1 (edges are ~838 ns apart). */
static sim_ps after(uint64_t n)
{
	return edge(n) + 1000;
}

struct rig {
	struct sim_eventq q;
	struct pit pit;
};

static void rig_init(struct rig *r, const struct irq_line *out0)
{
	sim_eventq_init(&r->q);
	pit_init(&r->pit, "pit0", &r->q, pit_clk(), out0);
}

static void rig_finish(struct rig *r)
{
	pit_finish(&r->pit);
	sim_eventq_finish(&r->q);
}

static void cw(struct rig *r, uint8_t val, sim_ps t)
{
	pit_io_write(&r->pit, PIT_PORT_CONTROL, val, t);
}

static void wr(struct rig *r, unsigned ch, uint8_t val, sim_ps t)
{
	pit_io_write(&r->pit, ch, val, t);
}

static uint8_t rd(struct rig *r, unsigned ch, sim_ps t)
{
	return pit_io_read(&r->pit, ch, t);
}

/* Writes a two-byte count (RW = LSB then MSB) at t. */
static void wr16(struct rig *r, unsigned ch, uint16_t count, sim_ps t)
{
	wr(r, ch, (uint8_t)count, t);
	wr(r, ch, (uint8_t)(count >> 8), t);
}

/* Status byte of ch through the read-back command at t. */
static uint8_t status_rb(struct rig *r, unsigned ch, sim_ps t)
{
	cw(r, (uint8_t)(0xc0 | PIT_RB_NOT_COUNT | PIT_RB_CNT(ch)), t);
	return rd(r, ch, t);
}

struct step {
	uint64_t edge;            /* read at edge(edge) */
	uint16_t ce;
	bool out;
};

static void expect_steps(const struct rig *r, unsigned ch, const struct step *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sim_ps t = edge(s[i].edge);

		cr_expect_eq(pit_count(&r->pit, ch, t), s[i].ce, "ch%u CE at edge %" PRIu64 ": %u, want %u",
			     ch, s[i].edge, pit_count(&r->pit, ch, t), s[i].ce);
		cr_expect_eq(pit_out(&r->pit, ch, t), s[i].out, "ch%u OUT at edge %" PRIu64 ": want %d", ch,
			     s[i].edge, s[i].out);
	}
}

/* ---- modes ------------------------------------------------------------- */

Test(pit, mode3_count5_high_3_clocks_low_2)
{
	/* Odd count: N - 1 = 4 is loaded at edge 101 and drops by 2; one CLK after
	 * it reaches 0 OUT falls and 4 reloads; low for (N - 1) / 2 = 2. */
	static const uint16_t ce[5] = { 4, 2, 0, 4, 2 };
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, LSB, 3, 0), after(99));
	cr_expect(pit_out(&r.pit, 0, after(99)), "mode 3 control word sets OUT high");
	wr(&r, 0, 5, after(100));
	cr_expect(pit_out(&r.pit, 0, edge(101) - 1), "OUT high before the load");
	for (unsigned j = 0; j < 40; j++) {
		sim_ps t = edge(101 + j);

		cr_expect_eq(pit_out(&r.pit, 0, t), j % 5 < 3, "OUT at clock %u after the load", j);
		cr_expect_eq(pit_count(&r.pit, 0, t), ce[j % 5], "CE at clock %u: %u", j,
			     pit_count(&r.pit, 0, t));
		/* The level holds until the edge itself. */
		if (j > 0)
			cr_expect_eq(pit_out(&r.pit, 0, t - 1), (j - 1) % 5 < 3, "OUT just before clock %u", j);
	}
	rig_finish(&r);
}

Test(pit, mode3_half_cycles_for_even_and_odd_counts)
{
	/* Edges of OUT from pit_next_out_edge: fall H clocks after the load edge,
	 * rise N after it; H = (N + 1) / 2.  Count 0 is 65536. */
	static const struct {
		uint16_t written;
		uint32_t n;
	} cases[] = { { 2, 2 }, { 3, 3 }, { 4, 4 }, { 5, 5 }, { 6, 6 }, { 7, 7 }, { 1193, 1193 },
		      { 0, 65536 } };

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint32_t n = cases[i].n, high = (n + 1) / 2;
		uint64_t load = 101;
		struct rig r;

		rig_init(&r, NULL);
		cw(&r, CW(0, WORD, 3, 0), after(50));
		wr16(&r, 0, cases[i].written, after(100));
		for (unsigned period = 0; period < 3; period++) {
			uint64_t fall = load + period * n + high, rise = load + (period + 1) * n;

			cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(fall - 1)), edge(fall),
				     "N=%u period %u: fall at load + %" PRIu64, n, period, fall - load);
			cr_expect(!pit_out(&r.pit, 0, edge(fall)));
			cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(fall)), edge(rise),
				     "N=%u period %u: rise at load + %" PRIu64, n, period, rise - load);
			cr_expect(pit_out(&r.pit, 0, edge(rise)));
		}
		rig_finish(&r);
	}
}

Test(pit, mode2_out_low_exactly_one_clock_per_period)
{
	/* Load 4 at edge 101; OUT falls when the CE reaches 1 (edge 104, N CLKs
	 * after the write) and rises with the reload on the next edge. */
	static const uint16_t ce[4] = { 4, 3, 2, 1 };
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(10));
	wr16(&r, 0, 4, after(100));
	for (unsigned j = 0; j < 64; j++) {
		sim_ps t = edge(101 + j);

		cr_expect_eq(pit_count(&r.pit, 0, t), ce[j % 4], "CE at clock %u", j);
		cr_expect_eq(pit_out(&r.pit, 0, t), j % 4 != 3, "OUT at clock %u", j);
	}
	rig_finish(&r);
}

Test(pit, mode0_out_rises_at_terminal_count_and_count_wraps)
{
	static const struct step steps[] = {
		{ 100, 0, false },  /* written, not loaded yet */
		{ 101, 3, false },  /* loaded; this CLK does not decrement */
		{ 102, 2, false }, { 103, 1, false },
		{ 104, 0, true },   /* N + 1 = 4 CLKs after the write */
		{ 105, 65535, true }, { 106, 65534, true },
		{ 104 + 65536, 0, true }, /* wraps on, OUT stays high */
	};
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 1, 0), after(20));      /* OUT high in mode 1 ... */
	cw(&r, CW(0, WORD, 0, 0), after(30));      /* ... a mode 0 control word drops it */
	cr_expect(!pit_out(&r.pit, 0, after(30)));
	wr16(&r, 0, 3, after(100));
	expect_steps(&r, 0, steps, ARRAY_LEN(steps));
	rig_finish(&r);
}

Test(pit, mode0_first_byte_stops_counting_second_byte_reloads)
{
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 0, 0), after(20));
	wr16(&r, 0, 3, after(100));               /* TC at 104, then the CE wraps */
	cr_expect_eq(pit_count(&r.pit, 0, edge(205)), 65536 - (205 - 104));
	cr_expect(pit_out(&r.pit, 0, edge(205)));
	wr(&r, 0, 2, after(205));
	cr_expect(!pit_out(&r.pit, 0, after(205)), "first byte drives OUT low at once");
	cr_expect_eq(pit_count(&r.pit, 0, edge(230)), 65536 - (205 - 104), "counting disabled: CE held");
	cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(230)), SIM_NEVER);
	wr(&r, 0, 0, after(230));                 /* second byte: count 2, loaded at 231 */
	cr_expect_eq(pit_count(&r.pit, 0, edge(231)), 2);
	cr_expect(!pit_out(&r.pit, 0, edge(232)));
	cr_expect(pit_out(&r.pit, 0, edge(233)));
	rig_finish(&r);
}

Test(pit, mode1_gate_rising_edge_triggers_and_retriggers)
{
	struct rig r;
	static const struct step once[] = {
		{ 150, 0, true },   /* count written, no trigger: nothing happens */
		{ 200, 0, true },
		{ 201, 3, false },  /* trigger at after(200): load, OUT low */
		{ 202, 2, false }, { 203, 1, false },
		{ 204, 0, true },   /* one-shot of N = 3 CLKs */
		{ 205, 65535, true },
	};
	static const struct step trig[] = { { 301, 3, false }, { 302, 2, false } };
	static const struct step again[] = {
		{ 303, 3, false },  /* retriggered at after(302) */
		{ 304, 2, false }, { 305, 1, false },
		{ 306, 0, true },   /* low for N CLKs after the last trigger */
	};

	rig_init(&r, NULL);
	cw(&r, CW(2, LSB, 1, 0), after(90));
	cr_expect(pit_out(&r.pit, 2, after(90)), "mode 1 control word sets OUT high");
	wr(&r, 2, 3, after(100));
	cr_expect(pit_status(&r.pit, 2, edge(200)) & PIT_STATUS_NULL_COUNT, "not loaded until a trigger");
	pit_set_gate(&r.pit, 2, true, after(200));
	expect_steps(&r, 2, once, ARRAY_LEN(once));
	cr_expect(!(pit_status(&r.pit, 2, edge(201)) & PIT_STATUS_NULL_COUNT));
	/* GATE level does not matter in mode 1, only rising edges. */
	pit_set_gate(&r.pit, 2, false, after(250));
	pit_set_gate(&r.pit, 2, true, after(300));
	pit_set_gate(&r.pit, 2, false, after(301));
	expect_steps(&r, 2, trig, ARRAY_LEN(trig));
	pit_set_gate(&r.pit, 2, true, after(302));
	expect_steps(&r, 2, again, ARRAY_LEN(again));
	rig_finish(&r);
}

Test(pit, mode5_gate_triggers_one_clock_strobe_and_retriggers)
{
	struct rig r;
	static const struct step once[] = {
		{ 200, 0, true },
		{ 201, 3, true },   /* trigger at after(200): load */
		{ 202, 2, true }, { 203, 1, true },
		{ 204, 0, false },  /* N + 1 CLKs after the trigger, for one CLK */
		{ 205, 65535, true },
		{ 204 + 65536, 0, true }, /* one strobe per trigger, not per wrap */
	};
	static const struct step trig[] = { { 70001, 3, true }, { 70002, 2, true } };
	static const struct step again[] = {
		{ 70003, 3, true }, /* retriggered at after(70002) */
		{ 70004, 2, true }, { 70005, 1, true },
		{ 70006, 0, false }, { 70007, 65535, true },
	};

	rig_init(&r, NULL);
	cw(&r, CW(2, LSB, 5, 0), after(90));
	wr(&r, 2, 3, after(100));
	pit_set_gate(&r.pit, 2, true, after(200));
	expect_steps(&r, 2, once, ARRAY_LEN(once));
	pit_set_gate(&r.pit, 2, false, after(69990));
	pit_set_gate(&r.pit, 2, true, after(70000));
	pit_set_gate(&r.pit, 2, false, after(70001));
	expect_steps(&r, 2, trig, ARRAY_LEN(trig));
	pit_set_gate(&r.pit, 2, true, after(70002));
	expect_steps(&r, 2, again, ARRAY_LEN(again));
	rig_finish(&r);
}

Test(pit, mode4_software_strobe_lasts_one_clock)
{
	static const struct step steps[] = {
		{ 100, 0, true },
		{ 101, 3, true }, { 102, 2, true }, { 103, 1, true },
		{ 104, 0, false },  /* N + 1 CLKs after the write */
		{ 105, 65535, true },
		{ 104 + 65536, 0, true }, /* no second strobe on the wrap */
	};
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, LSB, 4, 0), after(50));
	cr_expect(pit_out(&r.pit, 0, after(50)));
	wr(&r, 0, 3, after(100));
	expect_steps(&r, 0, steps, ARRAY_LEN(steps));
	cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(103)), edge(104));
	cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(104)), edge(105));
	cr_expect_eq(pit_next_out_edge(&r.pit, 0, edge(105)), SIM_NEVER);
	rig_finish(&r);
}

Test(pit, mode4_gate_low_holds_count)
{
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(2, LSB, 4, 0), after(50));
	wr(&r, 2, 5, after(100));                 /* loaded at 101 although GATE is low */
	cr_expect_eq(pit_count(&r.pit, 2, edge(150)), 5);
	pit_set_gate(&r.pit, 2, true, after(150)); /* counts from 151 */
	cr_expect_eq(pit_count(&r.pit, 2, edge(152)), 3);
	cr_expect(pit_out(&r.pit, 2, edge(154)));
	cr_expect(!pit_out(&r.pit, 2, edge(155)));
	cr_expect(pit_out(&r.pit, 2, edge(156)));
	rig_finish(&r);
}

/* ---- reloads ----------------------------------------------------------- */

Test(pit, mode2_new_count_applies_at_next_reload)
{
	static const struct step before[] = { { 101, 4, true }, { 102, 3, true } };
	static const struct step steps[] = {
		{ 103, 2, true }, { 104, 1, false },   /* the current period finishes with 4 */
		{ 105, 6, true },                      /* reload with the new count */
		{ 106, 5, true }, { 109, 2, true }, { 110, 1, false }, { 111, 6, true },
	};
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(50));
	wr16(&r, 0, 4, after(100));
	expect_steps(&r, 0, before, ARRAY_LEN(before));
	wr16(&r, 0, 6, after(102));
	expect_steps(&r, 0, steps, ARRAY_LEN(steps));
	cr_expect(pit_status(&r.pit, 0, edge(104)) & PIT_STATUS_NULL_COUNT, "not yet transferred");
	cr_expect(!(pit_status(&r.pit, 0, edge(105)) & PIT_STATUS_NULL_COUNT), "transferred at reload");
	rig_finish(&r);
}

Test(pit, mode3_new_count_applies_at_end_of_half_cycle)
{
	static const struct step before[] = {
		{ 101, 4, true }, { 102, 2, true },
		{ 103, 4, false },                     /* half-cycles of 2 */
	};
	static const struct step steps[] = {
		{ 104, 2, false },                     /* new count written at after(103) */
		{ 105, 6, true },                      /* next half-cycle uses 6 */
		{ 106, 4, true }, { 107, 2, true },
		{ 108, 6, false }, { 110, 2, false }, { 111, 6, true },
	};
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 3, 0), after(50));
	wr16(&r, 0, 4, after(100));
	expect_steps(&r, 0, before, ARRAY_LEN(before));
	wr16(&r, 0, 6, after(103));
	expect_steps(&r, 0, steps, ARRAY_LEN(steps));
	cr_expect(pit_status(&r.pit, 0, edge(104)) & PIT_STATUS_NULL_COUNT);
	cr_expect(!(pit_status(&r.pit, 0, edge(105)) & PIT_STATUS_NULL_COUNT));
	rig_finish(&r);
}

Test(pit, modes2_3_gate_low_forces_out_high_and_rising_edge_reloads)
{
	struct rig r;

	for (unsigned mode = 2; mode <= 3; mode++) {
		rig_init(&r, NULL);
		cw(&r, CW(2, LSB, mode, 0), after(50));
		wr(&r, 2, 4, after(100));             /* GATE 2 is low at reset */
		cr_expect_eq(pit_count(&r.pit, 2, edge(140)), 4, "mode %u: loaded, not counting", mode);
		cr_expect(pit_out(&r.pit, 2, edge(140)));
		pit_set_gate(&r.pit, 2, true, after(150));
		cr_expect_eq(pit_count(&r.pit, 2, edge(151)), 4, "mode %u: trigger reloads", mode);
		/* Mode 2 is low at 154; mode 3 is low at 153, 154. */
		cr_expect(!pit_out(&r.pit, 2, edge(154)), "mode %u", mode);
		pit_set_gate(&r.pit, 2, false, after(154));
		cr_expect(pit_out(&r.pit, 2, after(154)), "mode %u: GATE low forces OUT high at once", mode);
		cr_expect_eq(pit_count(&r.pit, 2, edge(170)), pit_count(&r.pit, 2, after(154)),
			     "mode %u: counting stopped", mode);
		pit_set_gate(&r.pit, 2, true, after(170));
		cr_expect_eq(pit_count(&r.pit, 2, edge(171)), 4, "mode %u: reloaded", mode);
		cr_expect(pit_out(&r.pit, 2, edge(171)));
		cr_expect_eq(pit_next_out_edge(&r.pit, 2, edge(171)), edge(mode == 2 ? 174 : 173), "mode %u",
			     mode);
		rig_finish(&r);
	}
}

Test(pit, mode3_trigger_after_new_count_loads_it_at_once)
{
	/* "If a trigger is received after writing a new count but before the end
	 * of the current half-cycle, the counter is loaded with the new count on
	 * the next CLK pulse." */
	struct rig r;

	rig_init(&r, NULL);
	pit_set_gate(&r.pit, 2, true, 0);
	cw(&r, CW(2, LSB, 3, 0), after(50));
	wr(&r, 2, 10, after(100));
	cr_expect_eq(pit_count(&r.pit, 2, edge(103)), 6);
	wr(&r, 2, 20, after(103));
	pit_set_gate(&r.pit, 2, false, after(103));
	pit_set_gate(&r.pit, 2, true, after(103) + 1);
	cr_expect_eq(pit_count(&r.pit, 2, edge(104)), 20);
	cr_expect_eq(pit_next_out_edge(&r.pit, 2, edge(104)), edge(114));
	rig_finish(&r);
}

/* ---- status, latches, flip-flops --------------------------------------- */

Test(pit, readback_status_after_each_kind_of_command)
{
	static const struct {
		const char *what;
		uint64_t at;            /* read at after(at) */
		uint8_t want;
	} cases[] = {
		/* CW 0x34 ch0 LSB/MSB mode 2: OUT high, NULL COUNT set. */
		{ "control word", 10, 0x80 | 0x40 | 0x34 },
		{ "LSB written", 20, 0x80 | 0x40 | 0x34 },
		{ "MSB written, not loaded", 30, 0x80 | 0x40 | 0x34 },
		{ "loaded on the next CLK", 31, 0x80 | 0x34 },
		{ "OUT low at CE = 1", 30 + 100, 0x34 },
		{ "reloaded", 30 + 101, 0x80 | 0x34 },
	};
	struct rig r;

	rig_init(&r, NULL);
	cr_expect_eq(pit_status(&r.pit, 0, 0), 0x70, "reset: OUT low, NULL COUNT, LSB/MSB, mode 0");
	cw(&r, 0x34, after(10));
	wr(&r, 0, 100, after(20));
	wr(&r, 0, 0, after(30));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint8_t got = status_rb(&r, 0, after(cases[i].at));

		cr_expect_eq(got, cases[i].want, "%s: status %#x, want %#x", cases[i].what, got,
			     cases[i].want);
	}
	/* Mode 0: OUT is the terminal-count flag. */
	cw(&r, CW(1, LSB, 0, 0), after(300));
	cr_expect_eq(status_rb(&r, 1, after(300)), 0x40 | 0x10);
	wr(&r, 1, 2, after(310));
	cr_expect_eq(status_rb(&r, 1, after(311)), 0x10);
	cr_expect_eq(status_rb(&r, 1, after(313)), 0x80 | 0x10);
	/* RW, M and BCD echo exactly as written; M = 110 behaves as mode 2. */
	cw(&r, 0xbd, after(400));                 /* ch2, LSB/MSB, M = 110, BCD */
	cr_expect_eq(status_rb(&r, 2, after(400)), 0x80 | 0x40 | 0x3d);
	pit_set_gate(&r.pit, 2, true, after(400));
	wr16(&r, 2, 0x0010, after(410));          /* BCD 10 */
	cr_expect(!pit_out(&r.pit, 2, edge(420)), "rate generator: low at CE = 1, 10 CLKs after the write");
	cr_expect(pit_out(&r.pit, 2, edge(421)));
	rig_finish(&r);
}

Test(pit, readback_latches_several_channels_at_once)
{
	struct rig r;
	uint16_t want[3];

	rig_init(&r, NULL);
	pit_set_gate(&r.pit, 2, true, 0);
	cw(&r, CW(0, WORD, 2, 0), after(1));
	wr16(&r, 0, 1000, after(1));
	cw(&r, CW(1, WORD, 3, 0), after(1));
	wr16(&r, 1, 2000, after(1));
	cw(&r, CW(2, WORD, 0, 1), after(1));
	wr16(&r, 2, 0x3000, after(1));            /* BCD 3000 */
	for (unsigned ch = 0; ch < 3; ch++)
		want[ch] = pit_count(&r.pit, ch, after(500));
	/* All three loaded at edge 2; at edge 500 each has counted 498 CLKs. */
	cr_expect_eq(want[0], 1000 - 498);
	cr_expect_eq(want[1], 2000 - 2 * 498);
	cr_expect_eq(want[2], 3000 - 498);
	cw(&r, 0xc0 | PIT_RB_NOT_STATUS | PIT_RB_CNT(0) | PIT_RB_CNT(1) | PIT_RB_CNT(2), after(500));
	for (unsigned ch = 0; ch < 3; ch++) {
		uint16_t got = rd(&r, ch, after(900));

		got |= (uint16_t)(rd(&r, ch, after(950)) << 8);
		if (ch == 2)
			want[ch] = 0x2502;             /* BCD of 2502 */
		cr_expect_eq(got, want[ch], "ch%u: %#x, want %#x", ch, got, want[ch]);
	}
	/* Released: the next read is live again. */
	cr_expect_eq(rd(&r, 0, edge(1002)), (uint8_t)1000, "reloaded at edge 1002");
	rig_finish(&r);
}

Test(pit, status_is_read_before_count_when_both_latched)
{
	struct rig r;
	uint16_t want;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(1));
	wr16(&r, 0, 0x1234, after(1));
	want = pit_count(&r.pit, 0, after(100));
	cw(&r, 0xc0 | PIT_RB_CNT(0), after(100));                 /* count and status */
	cw(&r, 0xc0 | PIT_RB_NOT_COUNT | PIT_RB_CNT(0), after(150)); /* status again: ignored */
	cr_expect_eq(rd(&r, 0, after(200)), 0x80 | 0x34, "status first");
	cr_expect_eq(rd(&r, 0, after(201)), (uint8_t)want);
	cr_expect_eq(rd(&r, 0, after(202)), (uint8_t)(want >> 8));
	rig_finish(&r);
}

Test(pit, counter_latch_holds_value_and_second_latch_is_ignored)
{
	struct rig r;
	uint16_t first, second;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(1));
	wr16(&r, 0, 50000, after(1));
	first = pit_count(&r.pit, 0, after(150));
	cw(&r, CW(0, PIT_RW_LATCH, 0, 0), after(150));
	cw(&r, CW(0, PIT_RW_LATCH, 0, 0), after(200)); /* ignored until read */
	cr_expect_eq(rd(&r, 0, after(1000)), (uint8_t)first);
	cr_expect_eq(rd(&r, 0, after(2000)), (uint8_t)(first >> 8));
	/* Read out: a new latch takes a new value. */
	second = pit_count(&r.pit, 0, after(3000));
	cw(&r, CW(0, PIT_RW_LATCH, 0, 0), after(3000));
	cr_expect_eq(rd(&r, 0, after(4000)), (uint8_t)second);
	cr_expect_eq(rd(&r, 0, after(4000)), (uint8_t)(second >> 8));
	cr_expect_neq(first, second);
	/* The latch command does not disturb counting or the mode. */
	cr_expect_eq(pit_count(&r.pit, 0, after(5000)), 50000 - 4998);
	rig_finish(&r);
}

Test(pit, flip_flops_are_separate_for_read_and_write)
{
	/* The datasheet's interleaving: read LSB, write LSB, read MSB, write MSB. */
	struct rig r;
	uint16_t v;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(1));
	wr16(&r, 0, 0x1234, after(1));
	v = pit_count(&r.pit, 0, after(10));
	cw(&r, CW(0, PIT_RW_LATCH, 0, 0), after(10));
	cr_expect_eq(rd(&r, 0, after(11)), (uint8_t)v);
	wr(&r, 0, 0x78, after(12));
	cr_expect_eq(rd(&r, 0, after(13)), (uint8_t)(v >> 8));
	wr(&r, 0, 0x56, after(14));
	/* The new count 0x5678 applies at the next reload, at edge 2 + 0x1234. */
	cr_expect_eq(pit_count(&r.pit, 0, edge(2 + 0x1234)), 0x5678);
	/* Unlatched two-byte read: LSB then MSB, each sampled when read. */
	cr_expect_eq(rd(&r, 0, edge(2 + 0x1234)), 0x78);
	cr_expect_eq(rd(&r, 0, edge(2 + 0x1234 + 0x100)), 0x55, "MSB of 0x5678 - 0x100");

	/* One-byte modes: no flip-flop; the other byte is 0. */
	cw(&r, CW(1, LSB, 0, 0), after(100000));
	wr(&r, 1, 0x80, after(100000));
	cr_expect_eq(pit_count(&r.pit, 1, edge(100001)), 0x80);
	cr_expect_eq(rd(&r, 1, edge(100001)), 0x80);
	cr_expect_eq(rd(&r, 1, edge(100002)), 0x7f);
	cw(&r, CW(1, MSB, 0, 0), after(100010));
	wr(&r, 1, 0x02, after(100010));
	cr_expect_eq(pit_count(&r.pit, 1, edge(100011)), 0x200);
	cr_expect_eq(rd(&r, 1, edge(100012)), 0x01, "MSB of 0x1ff");
	cr_expect_eq(rd(&r, 1, edge(100012)), 0x01);
	rig_finish(&r);
}

Test(pit, control_word_resets_latches_and_flip_flops)
{
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), after(1));
	wr16(&r, 0, 0x1234, after(1));
	cw(&r, CW(0, PIT_RW_LATCH, 0, 0), after(5));
	cr_expect_eq(rd(&r, 0, after(6)), 0x31);  /* 0x1234 - 3, LSB; MSB still pending */
	wr(&r, 0, 0xaa, after(6));                /* write flip-flop now at MSB */
	cw(&r, CW(0, WORD, 0, 0), after(7));
	wr16(&r, 0, 0x0102, after(8));            /* LSB first again */
	cr_expect_eq(pit_count(&r.pit, 0, edge(9)), 0x0102);
	cr_expect_eq(rd(&r, 0, edge(9)), 0x02, "latch dropped, read flip-flop at LSB");
	cr_expect_eq(pit_io_read(&r.pit, PIT_PORT_CONTROL, edge(9)), 0xff, "port 0x43 is write-only");
	rig_finish(&r);
}

/* ---- counting range ---------------------------------------------------- */

Test(pit, bcd_counts_in_decimal_and_wraps_from_0000_to_9999)
{
	static const struct step steps[] = {
		{ 101, 12, false }, { 102, 11, false }, { 110, 3, false },
		{ 113, 0, true }, { 114, 9999, true }, { 115, 9998, true },
		{ 113 + 10000, 0, true },
	};
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 0, 1), after(50));
	wr16(&r, 0, 0x0012, after(100));          /* BCD 12 */
	expect_steps(&r, 0, steps, ARRAY_LEN(steps));
	cr_expect_eq(rd(&r, 0, edge(114)), 0x99);
	cr_expect_eq(rd(&r, 0, edge(114)), 0x99);
	cr_expect_eq(rd(&r, 0, edge(110)), 0x03);
	cr_expect_eq(rd(&r, 0, edge(110)), 0x00);
	rig_finish(&r);
}

Test(pit, count_zero_is_65536_binary_and_10000_bcd)
{
	static const struct {
		bool bcd;
		uint32_t n;
	} cases[] = { { false, 65536 }, { true, 10000 } };

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct rig r;
		uint32_t n = cases[i].n;

		rig_init(&r, NULL);
		/* Mode 2: low at the N-th CLK after the write, then every N. */
		cw(&r, CW(0, WORD, 2, cases[i].bcd), after(50));
		wr16(&r, 0, 0, after(100));
		cr_expect_eq(pit_count(&r.pit, 0, edge(101)), 0, "full count reads 0");
		cr_expect_eq(pit_count(&r.pit, 0, edge(102)), n - 1);
		cr_expect(pit_out(&r.pit, 0, edge(99 + n)));
		cr_expect(!pit_out(&r.pit, 0, edge(100 + n)));
		cr_expect(pit_out(&r.pit, 0, edge(101 + n)));
		cr_expect(!pit_out(&r.pit, 0, edge(100 + 2 * n)));
		/* Mode 0: terminal count after N decrements. */
		cw(&r, CW(1, WORD, 0, cases[i].bcd), after(50));
		wr16(&r, 1, 0, after(100));
		cr_expect(!pit_out(&r.pit, 1, edge(100 + n)));
		cr_expect(pit_out(&r.pit, 1, edge(101 + n)));
		rig_finish(&r);
	}
}

/* ---- port 0x61 --------------------------------------------------------- */

Test(pit, port61_gate2_stops_and_restarts_counting_out2_on_bit5)
{
	struct rig r;
	struct device *p61;

	rig_init(&r, NULL);
	p61 = pit_port61_device(&r.pit);
	cr_expect_eq(p61->ops->min_size, 1);
	cr_expect_eq(p61->ops->max_size, 1);
	cr_expect_eq(p61->ops->read(p61, 0, 1, 0) & 0xef, 0, "reset: gate low, speaker off, OUT2 low");
	cw(&r, CW(2, LSB, 0, 0), after(50));
	wr(&r, 2, 10, after(100));                /* loaded at 101, GATE low: held */
	cr_expect_eq(pit_count(&r.pit, 2, edge(110)), 10);
	p61->ops->write(p61, 0, 0x01, 1, after(110));
	cr_expect(pit_gate(&r.pit, 2));
	cr_expect_eq(pit_count(&r.pit, 2, edge(115)), 5);
	p61->ops->write(p61, 0, 0x00, 1, after(115));
	cr_expect_eq(pit_count(&r.pit, 2, edge(130)), 5, "stopped");
	cr_expect_eq(p61->ops->read(p61, 0, 1, edge(130)) & (PIT_P61_OUT2 | PIT_P61_GATE2), 0);
	p61->ops->write(p61, 0, 0x03, 1, after(130));
	cr_expect_eq(pit_count(&r.pit, 2, edge(134)), 1);
	cr_expect_eq(p61->ops->read(p61, 0, 1, edge(134)) & PIT_P61_OUT2, 0);
	cr_expect_eq(p61->ops->read(p61, 0, 1, edge(135)) & (PIT_P61_OUT2 | 0x03), PIT_P61_OUT2 | 0x03,
		     "terminal count: OUT2 on bit 5");
	/* Square wave on OUT2 follows bit 5 clock by clock. */
	cw(&r, CW(2, LSB, 3, 0), after(200));
	wr(&r, 2, 6, after(200));
	for (uint64_t n = 201; n < 240; n++) {
		uint8_t v = (uint8_t)p61->ops->read(p61, 0, 1, edge(n));

		cr_expect_eq((v & PIT_P61_OUT2) != 0, (n - 201) % 6 < 3, "edge %" PRIu64, n);
	}
	rig_finish(&r);
}

Test(pit, port61_refresh_toggles_every_18_clocks_other_bits)
{
	struct rig r;

	rig_init(&r, NULL);
	for (uint64_t n = 0; n < 200; n++) {
		uint8_t v = pit_port61_read(&r.pit, edge(n));

		cr_expect_eq((v & PIT_P61_REFRESH) != 0, (n / 18) % 2 == 1, "edge %" PRIu64, n);
	}
	/* 18 CLKs = 216 / 14.31818 MHz = 15.0857 us. */
	cr_expect_eq(edge(18) / SIM_PS_PER_NS, 15085);
	pit_port61_write(&r.pit, 0xff, after(1));
	cr_expect_eq(pit_port61_read(&r.pit, edge(18)) & 0xcf, 0x0f, "bits 0-3 as written, 6-7 read 0");
	cr_expect(pit_gate(&r.pit, 2));
	pit_port61_write(&r.pit, 0x00, after(2));
	cr_expect_eq(pit_port61_read(&r.pit, edge(18)) & 0xcf, 0);
	rig_finish(&r);
}

/* ---- IRQ0 and events --------------------------------------------------- */

struct irq_rec {
	sim_ps *t;
	bool *level;
	size_t n, cap;
	uint64_t calls;
};

static void rec_set(void *sink, unsigned pin, bool level, sim_ps now)
{
	struct irq_rec *rec = sink;

	rec->calls++;
	if (rec->n < rec->cap) {
		rec->t[rec->n] = now;
		rec->level[rec->n] = level;
		rec->n++;
	}
}

static void rec_init(struct irq_rec *rec, size_t cap)
{
	rec->t = calloc(cap ? cap : 1, sizeof(*rec->t));
	rec->level = calloc(cap ? cap : 1, sizeof(*rec->level));
	cr_assert(rec->t && rec->level);
	rec->n = 0;
	rec->cap = cap;
	rec->calls = 0;
}

static void rec_free(struct irq_rec *rec)
{
	free(rec->t);
	free(rec->level);
}

Test(pit, irq0_edges_at_exact_times_for_1khz_rate_generator)
{
	/* Count 1193 (1000.15 Hz): programmed at t = 0, loaded at edge 1, OUT0
	 * low at edges 1193 + 1193 j, high again one CLK later. */
	enum { PERIODS = 50 };
	struct irq_rec rec;
	struct irq_line line = { .set = rec_set, .sink = &rec, .pin = 0 };
	struct sim_diag err;
	struct rig r;

	rec_init(&rec, 4 + 2 * PERIODS);
	rig_init(&r, &line);
	cw(&r, CW(0, WORD, 2, 0), 0);
	wr16(&r, 0, 1193, 0);
	cr_assert(sim_eventq_run_until(&r.q, edge(1194 + (PERIODS - 1) * 1193), &err));
	cr_assert_eq(rec.n, 1 + 2 * PERIODS);
	cr_expect_eq(rec.t[0], 0, "mode 2 control word raises OUT0 at once");
	cr_expect(rec.level[0]);
	for (unsigned j = 0; j < PERIODS; j++) {
		sim_ps fall = sim_tick_time(1193 + 1193 * (uint64_t)j, pit_clk());
		sim_ps rise = sim_tick_time(1194 + 1193 * (uint64_t)j, pit_clk());

		cr_expect_eq(rec.t[1 + 2 * j], fall, "fall %u at %" PRIu64 ", want %" PRIu64, j,
			     rec.t[1 + 2 * j], fall);
		cr_expect(!rec.level[1 + 2 * j]);
		cr_expect_eq(rec.t[2 + 2 * j], rise, "rise %u", j);
		cr_expect(rec.level[2 + 2 * j]);
		/* Low for one CLK: 838095.238 ps, rounded up at each end. */
		cr_expect(rise - fall == 838095 || rise - fall == 838096, "low for %" PRIu64 " ps",
			  rise - fall);
		if (j > 0) {
			/* Period 1193 * 11 / 13125000 s = 999847619.05 ps. */
			sim_ps period = rise - rec.t[2 * j];

			cr_expect(period == 999847619 || period == 999847620, "period %" PRIu64 " ps", period);
		}
	}
	{
		/* 49 periods = 49 * 1193 * 11e12 / 13125000 ps exactly, to within the
		 * rounding of the two ends. */
		uint64_t span = rec.t[2 * PERIODS] - rec.t[2];
		uint64_t exact_x = UINT64_C(49) * 1193 * 11 * SIM_PS_PER_S;   /* span * 13125000 */
		uint64_t got_x = span * 13125000u;

		cr_expect(got_x + 13125000u > exact_x && got_x < exact_x + 13125000u,
			  "49 periods: %" PRIu64 " ps", span);
	}
	cr_expect_eq(r.q.len, 1, "one pending event");
	rig_finish(&r);
	rec_free(&rec);
}

Test(pit, no_event_without_a_connected_output)
{
	struct irq_line unset = { 0 };
	struct irq_rec rec;
	struct irq_line line = { .set = rec_set, .sink = &rec, .pin = 0 };
	struct rig r;

	rig_init(&r, NULL);
	cw(&r, CW(0, WORD, 2, 0), 0);
	wr16(&r, 0, 100, 0);
	cr_expect(!sim_event_pending(&r.pit.out0_edge));
	cr_expect_eq(sim_eventq_next(&r.q), SIM_NEVER);
	rig_finish(&r);

	rig_init(&r, &unset);
	cw(&r, CW(0, WORD, 3, 0), 0);
	wr16(&r, 0, 100, 0);
	cr_expect_eq(sim_eventq_next(&r.q), SIM_NEVER, "a line without a sink is not connected");
	rig_finish(&r);

	/* OUT0 wired: channels 1 and 2 never schedule anything. */
	rec_init(&rec, 8);
	rig_init(&r, &line);
	pit_set_gate(&r.pit, 2, true, 0);
	cw(&r, CW(1, WORD, 2, 0), 0);
	wr16(&r, 1, 100, 0);
	cw(&r, CW(2, WORD, 3, 0), 0);
	wr16(&r, 2, 100, 0);
	cr_expect_eq(sim_eventq_next(&r.q), SIM_NEVER);
	cr_expect_eq(rec.calls, 0);
	/* Channel 0 stopped at terminal count: nothing left to schedule. */
	cw(&r, CW(0, LSB, 0, 0), after(10));
	wr(&r, 0, 5, after(10));
	cr_expect_eq(sim_eventq_next(&r.q), edge(16));
	cr_assert(sim_eventq_run_until(&r.q, edge(100), NULL));
	cr_expect_eq(rec.calls, 1);
	cr_expect_eq(rec.t[0], edge(16));
	cr_expect_eq(sim_eventq_next(&r.q), SIM_NEVER);
	rig_finish(&r);
	rec_free(&rec);
}

Test(pit, mode3_keeps_a_single_pending_event)
{
	struct irq_rec rec;
	struct irq_line line = { .set = rec_set, .sink = &rec, .pin = 0 };
	struct rig r;

	rec_init(&rec, 0);
	rig_init(&r, &line);
	cw(&r, CW(0, LSB, 3, 0), 0);
	wr(&r, 0, 7, 0);
	for (uint64_t n = 1; n < 300; n++) {
		cr_assert(sim_eventq_run_until(&r.q, edge(n), NULL));
		cr_assert_leq(r.q.len, 1, "at edge %" PRIu64, n);
		if (n % 37 == 0)
			wr(&r, 0, (uint8_t)(3 + n % 5), after(n)); /* reloads change the period */
	}
	/* 1 (control word) + two edges per period of 7 from edge 1 up to the first rewrite. */
	cr_expect_geq(rec.calls, 1 + 2 * (36 / 7));
	rig_finish(&r);
	rec_free(&rec);
}

Test(pit, ten_seconds_of_rate_generator_fire_the_predicted_edges)
{
	struct irq_rec rec;
	struct irq_line line = { .set = rec_set, .sink = &rec, .pin = 0 };
	struct sim_diag err;
	struct rig r;
	sim_ps end = 10 * SIM_PS_PER_S;
	uint64_t last = sim_ticks_in(end, pit_clk());   /* CLK edges in (0, 10 s] */
	uint64_t falls = (last - 1193) / 1193 + 1;      /* at 1193 + 1193 j <= last */
	uint64_t rises = (last - 1194) / 1193 + 1;      /* at 1194 + 1193 j <= last */

	cr_assert_eq(last, 11931818, "10 s * 1193181.8 Hz");
	rec_init(&rec, 0);
	rig_init(&r, &line);
	cw(&r, CW(0, WORD, 2, 0), 0);
	wr16(&r, 0, 1193, 0);
	cr_assert(sim_eventq_run_until(&r.q, end, &err));
	cr_expect_eq(rec.calls, 1 + falls + rises, "%" PRIu64 " IRQ0 edges, want %" PRIu64, rec.calls,
		     1 + falls + rises);
	cr_expect_eq(r.q.fired, falls + rises, "one event per OUT0 edge");
	cr_expect_eq(rises, 10001);
	rig_finish(&r);
	rec_free(&rec);
}

/* ---- against a clock-by-clock reference -------------------------------- */

/*
 * The datasheet's rules applied one CLK at a time, written independently of
 * the closed forms in pit.c: inputs share the write rules, time does not.
 */
struct ref {
	unsigned mode;
	bool bcd, gate, cr_valid;
	uint32_t n;               /* the CR as a count, 1..M */
	uint32_t ce;
	bool out, counting, load, armed, odd, null_count;
};

static uint32_t ref_mod(const struct ref *r)
{
	return r->bcd ? 10000u : 65536u;
}

static void ref_reload(struct ref *r)
{
	r->null_count = false;
	r->odd = r->n & 1u;
	if (r->n == 1) {
		r->ce = 1;
		r->out = true;
		r->counting = false;
		return;
	}
	r->ce = r->mode == 3 ? r->n - r->odd : r->n;
}

static void ref_edge(struct ref *r)
{
	if (r->load) {
		r->load = false;
		r->null_count = false;
		r->counting = true;
		r->ce = r->n;
		r->out = r->mode != 0 && r->mode != 1;
		r->armed = true;
		if (r->mode == 2 || r->mode == 3)
			ref_reload(r);
		return;
	}
	if (!r->counting)
		return;
	switch (r->mode) {
	case 0:
	case 1:
		if (r->mode == 0 && !r->gate)
			return;
		r->ce = r->ce == 0 ? ref_mod(r) - 1 : r->ce - 1;
		if (r->ce == 0)
			r->out = true;
		return;
	case 4:
	case 5:
		r->out = true;
		if (r->mode == 4 && !r->gate)
			return;
		r->ce = r->ce == 0 ? ref_mod(r) - 1 : r->ce - 1;
		if (r->ce == 0 && r->armed) {
			r->out = false;
			r->armed = false;
		}
		return;
	case 2:
		if (!r->gate)
			return;
		if (r->ce == 1) {
			r->out = true;
			ref_reload(r);
		} else if (--r->ce == 1) {
			r->out = false;
		}
		return;
	default:
		if (!r->gate)
			return;
		if ((r->out && r->odd && r->ce == 0) || (r->ce == 2 && !(r->out && r->odd))) {
			r->out = !r->out;
			ref_reload(r);
			if (!r->counting)
				r->out = true;
		} else {
			r->ce -= 2;
		}
		return;
	}
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 33;
}

Test(pit, closed_forms_match_a_clock_by_clock_reference)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		uint64_t s = seed;
		struct ref ref = { .gate = true, .null_count = true };
		struct rig r;
		uint64_t horizon = 3000;
		uint64_t n;

		rig_init(&r, NULL);
		for (n = 1; n <= horizon; n++) {
			sim_ps t = edge(n);
			uint64_t op = lcg(&s) % 40;

			ref_edge(&ref);
			cr_assert_eq(pit_out(&r.pit, 1, t), ref.out, "seed %" PRIu64 " edge %" PRIu64
				     " mode %u: OUT %d, want %d", seed, n, ref.mode, pit_out(&r.pit, 1, t), ref.out);
			cr_assert_eq(pit_count(&r.pit, 1, t), ref.ce % ref_mod(&ref),
				     "seed %" PRIu64 " edge %" PRIu64 " mode %u: CE %u, want %u", seed, n,
				     ref.mode, pit_count(&r.pit, 1, t), ref.ce % ref_mod(&ref));
			cr_assert_eq((pit_status(&r.pit, 1, t) & PIT_STATUS_NULL_COUNT) != 0, ref.null_count,
				     "seed %" PRIu64 " edge %" PRIu64 ": NULL COUNT", seed, n);
			if (op == 0) {
				/* New control word. */
				ref.mode = (unsigned)(lcg(&s) % 6);
				ref.bcd = lcg(&s) % 4 == 0;
				ref.cr_valid = false;
				ref.counting = ref.load = ref.armed = false;
				ref.null_count = true;
				ref.out = ref.mode != 0;
				cw(&r, CW(1, WORD, ref.mode, ref.bcd), after(n));
			} else if (op < 6) {
				uint32_t count = 1 + (uint32_t)(lcg(&s) % 9);
				uint16_t raw = (uint16_t)count;

				ref.n = count;
				ref.cr_valid = true;
				ref.null_count = true;
				if (ref.mode == 0) {
					ref.out = false;
					ref.load = true;
				} else if (ref.mode == 4 || ((ref.mode == 2 || ref.mode == 3) && !ref.counting)) {
					ref.load = true;
				}
				wr16(&r, 1, raw, after(n));
			} else if (op < 10) {
				bool level = !ref.gate;

				ref.gate = level;
				if (level && ref.mode != 0 && ref.mode != 4 && ref.cr_valid)
					ref.load = true;
				if (!level && (ref.mode == 2 || ref.mode == 3))
					ref.out = true;
				pit_set_gate(&r.pit, 1, level, after(n));
			}
			/* The predicted next OUT edge matches the reference within 40 CLKs. */
			if (op == 39) {
				struct ref probe = ref;
				sim_ps next = pit_next_out_edge(&r.pit, 1, after(n));
				uint64_t k;

				for (k = 1; k <= 40; k++) {
					ref_edge(&probe);
					if (probe.out != ref.out)
						break;
				}
				if (k <= 40)
					cr_assert_eq(next, edge(n + k), "seed %" PRIu64 " edge %" PRIu64
						     ": next OUT edge", seed, n);
				else
					cr_assert(next > edge(n + 40), "seed %" PRIu64 " edge %" PRIu64, seed, n);
			}
		}
		rig_finish(&r);
	}
}

Test(pit, finish_accepts_a_zeroed_struct)
{
	struct pit pit;

	memset(&pit, 0, sizeof(pit));
	pit_finish(&pit);
	pit_finish(NULL);
}

/* ---- the board's PIT: OUT0 edges are events only while someone observes IRQ0 ---- */

struct board {
	struct sim_eventq q;
	struct platform pf;
	unsigned line[64];
	bool level[64];
	sim_ps t[64];
	size_t n;
};

static void board_listen(void *ctx, unsigned line, bool level, sim_ps now)
{
	struct board *b = ctx;

	cr_assert_lt(b->n, ARRAY_LEN(b->t), "more IRQ edges than expected");
	b->line[b->n] = line;
	b->level[b->n] = level;
	b->t[b->n++] = now;
}

/* A fresh pc board with channel 0 in mode 2, count 2, written at t = 0. */
static void board_init(struct board *b, bool listen)
{
	struct platform_params p;
	struct sim_diag err;

	memset(b, 0, sizeof(*b));
	sim_eventq_init(&b->q);
	platform_params_default(&p);
	sim_diag_clear(&err);
	cr_assert(platform_init(&b->pf, &b->q, &p, &err), "%s", err.msg);
	if (listen)
		irq_router_set_listener(&b->pf.irq, board_listen, b);
	platform_io_write(&b->pf, 0x43, CW(0, WORD, 2, 0), 1, NULL);
	platform_io_write(&b->pf, 0x40, 2, 1, NULL);
	platform_io_write(&b->pf, 0x40, 0, 1, NULL);
}

static void board_run(struct board *b, sim_ps t)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(&b->q, t, &err), "%s", err.msg);
}

static void board_finish(struct board *b)
{
	platform_finish(&b->pf);
	sim_eventq_finish(&b->q);
}

/* Read-back status of channel 0 through port 0x43 at the queue's time. */
static uint8_t board_status0(struct board *b)
{
	platform_io_write(&b->pf, 0x43, 0xe2, 1, NULL);
	return (uint8_t)platform_io_read(&b->pf, 0x40, 1, NULL);
}

/*
 * Count 2, mode 2: loaded at edge 1, OUT0 low at every even edge and high
 * again at the next (datasheet "Mode 2"): an OUT0 edge every 838 ns, 2.4
 * million per simulated second.  Nobody observes IRQ0 (no listener, no
 * trace), so none of them is an event, yet OUT0 reads exactly.
 */
Test(pit, unobserved_out0_edges_are_not_events)
{
	static const sim_ps at[] = {
		SIM_PS_PER_S, 1000 * SIM_PS_PER_S, 1000 * SIM_PS_PER_S + 838096,
		1000 * SIM_PS_PER_S + 2 * 838096,
	};
	struct board b;

	board_init(&b, false);
	for (size_t i = 0; i < ARRAY_LEN(at); i++) {
		uint64_t n = sim_ticks_in(at[i], pit_clk());
		uint8_t want = (uint8_t)(CW(0, WORD, 2, 0) & 0x3f) | (n % 2 ? PIT_STATUS_OUT : 0);

		board_run(&b, at[i]);
		cr_assert_eq(b.q.fired, 0, "%" PRIu64 " events by %" PRIu64 " ps", b.q.fired, at[i]);
		cr_expect_eq(board_status0(&b), want, "status at edge %" PRIu64, n);
	}
	cr_expect_eq(b.n, 0);
	board_finish(&b);
}

/* Observed from the start: every edge is an event, at its exact time. */
Test(pit, observed_out0_edges_fire_at_their_times)
{
	struct board b;

	board_init(&b, true);
	cr_assert_eq(b.n, 1, "OUT0 rises at the mode 2 control word");
	cr_expect(b.level[0]);
	b.n = 0;
	board_run(&b, 10 * SIM_PS_PER_US);   /* edges 2..11; edge 12 is at 10057 ns */
	cr_assert_eq(b.n, 10);
	for (size_t i = 0; i < b.n; i++) {
		uint64_t k = i + 2;

		cr_expect_eq(b.line[i], 0);
		cr_expect_eq(b.level[i], k % 2 == 1, "edge %" PRIu64, k);
		cr_expect_eq(b.t[i], edge(k), "edge %" PRIu64, k);
	}
	cr_expect_eq(b.q.fired, 10);
	board_finish(&b);
}

/*
 * A listener installed mid-run: the resync drives OUT0's exact level at
 * once (low after edge 4), then every later edge is an event.
 */
Test(pit, a_listener_installed_late_sees_the_exact_level_then_every_edge)
{
	struct board b;

	board_init(&b, false);
	board_run(&b, after(4));
	irq_router_set_listener(&b.pf.irq, board_listen, &b);
	irq_router_observers_changed(&b.pf.irq, after(4));
	cr_assert_eq(b.n, 1);
	cr_expect_not(b.level[0]);
	cr_expect_eq(b.t[0], after(4));
	board_run(&b, 10 * SIM_PS_PER_US);
	cr_assert_eq(b.n, 8, "edges 5..11");
	for (size_t i = 1; i < b.n; i++) {
		cr_expect_eq(b.level[i], (i + 4) % 2 == 1);
		cr_expect_eq(b.t[i], edge(i + 4));
	}
	board_finish(&b);
}

/*
 * HPET legacy replacement takes IRQ0 from the PIT: its edges stop being
 * events; when the route is cleared IRQ0 follows OUT0's exact level again.
 */
Test(pit, legacy_replacement_stops_the_edges_and_clearing_it_resyncs)
{
	struct board b;
	uint64_t fired;

	board_init(&b, true);
	board_run(&b, after(3));
	irq_router_set(&b.pf.irq, IRQ_ROUTER_SRC_HPET_ROUTE, true, after(3));
	cr_assert_eq(b.n, 4, "raise at the control word, edges 2 and 3, lower at the switch");
	cr_expect_not(b.level[3]);
	fired = b.q.fired;
	board_run(&b, SIM_PS_PER_S);
	cr_expect_eq(b.q.fired, fired, "no PIT events while detached");
	/* 1 s = edge 1193181 (odd: OUT0 high); the next edge, 1193182, lowers it. */
	irq_router_set(&b.pf.irq, IRQ_ROUTER_SRC_HPET_ROUTE, false, SIM_PS_PER_S);
	cr_assert_eq(sim_ticks_in(SIM_PS_PER_S, pit_clk()), 1193181);
	cr_assert_eq(b.n, 5);
	cr_expect(b.level[4]);
	cr_expect_eq(b.t[4], SIM_PS_PER_S);
	board_run(&b, edge(1193182));
	cr_assert_eq(b.n, 6);
	cr_expect_not(b.level[5]);
	cr_expect_eq(b.t[5], edge(1193182));
	board_finish(&b);
}
