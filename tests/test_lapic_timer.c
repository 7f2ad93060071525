/*
 * lapic_timer: the local APIC timer's registers, rates, one-shot, periodic
 * and TSC-deadline expiries at exact picoseconds, masking, mode switches,
 * C-state stops with and without ARAT, and lateness statistics.  Expected
 * times are closed forms (Intel SDM vol. 3A, 11.5.4): counting from the
 * write instant, the count after k timer-clock cycles is
 * initial - floor(k / divide), so a one-shot loaded at t0 expires at
 * t0 + sim_tick_time(initial * divide, clk).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/cpu-tsc/lapic_timer.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define VEC 0xecu
#define MS SIM_PS_PER_MS
#define US SIM_PS_PER_US

/*
 * A guest TSC as a VM sees it: host = floor(t * 2 GHz) = floor(t_ps / 500),
 * guest = floor(host * 3 / 2) + offset (scaling 1.5, then the offset).
 */
struct guest_tsc {
	uint64_t offset;
	bool halted;               /* time_of answers SIM_NEVER */
};

static uint64_t guest_read(void *ctx, sim_ps now)
{
	const struct guest_tsc *g = ctx;
	uint64_t host = now / 500u;

	return host * 3u / 2u + g->offset;
}

/* floor(3h / 2) >= v  <=>  h >= ceil(2v / 3); the host reaches h at 500 h ps. */
static sim_ps guest_time_of(void *ctx, uint64_t value, sim_ps now)
{
	const struct guest_tsc *g = ctx;
	uint64_t v, h;
	sim_ps t;

	if (g->halted)
		return SIM_NEVER;
	if (value <= g->offset)
		return now;
	v = value - g->offset;
	h = (2u * v + 2u) / 3u;
	t = h * 500u;
	return t < now ? now : t;
}

struct fire_rec {
	uint8_t vector;
	sim_ps now;
};

struct rig {
	struct sim_eventq q;
	struct guest_tsc g;
	struct lapic_tsc_ops ops;
	struct lapic_timer t;
	struct fire_rec rec[64];
	size_t n;
};

static void log_fire(void *ctx, const struct lapic_timer *t, uint8_t vector, sim_ps now)
{
	struct rig *r = ctx;

	cr_assert_eq(t, &r->t);
	cr_assert_lt(r->n, ARRAY_LEN(r->rec), "fire log overflow");
	r->rec[r->n++] = (struct fire_rec){ vector, now };
}

static void rig_init(struct rig *r, struct sim_freq clk, bool arat)
{
	memset(r, 0, sizeof(*r));
	sim_eventq_init(&r->q);
	r->ops = (struct lapic_tsc_ops){ guest_read, guest_time_of, &r->g };
	lapic_timer_init(&r->t, "cpu0.lapic-timer", &r->q, clk, &r->ops, arat, log_fire, r);
}

static void rig_finish(struct rig *r)
{
	lapic_timer_finish(&r->t);
	sim_eventq_finish(&r->q);
}

/* Runs the queue to t; accesses then happen at t. */
static void run_to(struct rig *r, sim_ps t)
{
	struct sim_diag err;

	cr_assert(sim_eventq_run_until(&r->q, t, &err), "run: %s", err.msg);
}

static uint32_t rd(struct rig *r, uint32_t off)
{
	return lapic_timer_read(&r->t, off, r->q.now);
}

static void wr(struct rig *r, uint32_t off, uint32_t val)
{
	lapic_timer_write(&r->t, off, val, r->q.now);
}

static void expect_fire(const struct rig *r, size_t i, sim_ps now)
{
	cr_assert_lt(i, r->n, "only %zu fires, want #%zu", r->n, i);
	cr_expect_eq(r->rec[i].now, now, "fire %zu at %" PRIu64 " ps, want %" PRIu64,
		     i, r->rec[i].now, now);
	cr_expect_eq(r->rec[i].vector, VEC, "fire %zu vector %#x", i, r->rec[i].vector);
}

/* Figure 11-10 encodings: DCR bits 3, 1, 0. */
static const struct {
	uint32_t dcr;
	unsigned divide;
} divides[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

Test(lapic_timer, reset_state)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	cr_expect_eq(rd(&r, LAPIC_TIMER_LVT), 0x00010000u);
	cr_expect_eq(rd(&r, LAPIC_TIMER_ICR), 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_DCR), 0);
	cr_expect_eq(lapic_timer_divide(&r.t), 2);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	/* Only vector, mask and mode are writable; DCR bit 2 is reserved. */
	wr(&r, LAPIC_TIMER_LVT, 0xffffffffu);
	cr_expect_eq(rd(&r, LAPIC_TIMER_LVT), 0x000700ffu);
	wr(&r, LAPIC_TIMER_DCR, 0xffffffffu);
	cr_expect_eq(rd(&r, LAPIC_TIMER_DCR), 0xbu);
	wr(&r, LAPIC_TIMER_CCR, 5);             /* read-only */
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	cr_expect_eq(lapic_timer_read(&r.t, 0x300, 0), 0, "not a timer register");
	rig_finish(&r);
}

Test(lapic_timer, every_divide_encoding_gives_its_rate)
{
	/* 25 MHz core crystal: 40 ns per cycle. */
	struct sim_freq clk = sim_freq_hz(25000000);
	static const uint64_t ks[] = { 0, 1, 2, 3, 127, 128, 129, 1000, 4095, 99999 };
	const uint32_t initial = 1000000;
	const sim_ps t0 = 7 * US + 3;

	for (size_t i = 0; i < ARRAY_LEN(divides); i++) {
		struct rig r;

		rig_init(&r, clk, true);
		run_to(&r, t0);
		wr(&r, LAPIC_TIMER_DCR, divides[i].dcr);
		cr_expect_eq(lapic_timer_divide(&r.t), divides[i].divide);
		wr(&r, LAPIC_TIMER_LVT, VEC);
		wr(&r, LAPIC_TIMER_ICR, initial);
		for (size_t j = 0; j < ARRAY_LEN(ks); j++) {
			sim_ps at = t0 + sim_tick_time(ks[j], clk);
			uint32_t want = initial - (uint32_t)(ks[j] / divides[i].divide);

			cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, at), want,
				     "dcr %#x after %" PRIu64 " cycles: %u, want %u", divides[i].dcr,
				     ks[j], lapic_timer_read(&r.t, LAPIC_TIMER_CCR, at), want);
			/* One picosecond before the k-th cycle, it has not happened. */
			if (ks[j] > 0) {
				uint32_t before = initial -
						  (uint32_t)((ks[j] - 1) / divides[i].divide);

				cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, at - 1), before);
			}
		}
		rig_finish(&r);
	}
}

Test(lapic_timer, oneshot_fires_once_at_initial_times_divide)
{
	/* 24 MHz: a cycle is 41666.67 ps, so the expiry needs the ceiling. */
	struct sim_freq clk = sim_freq_hz(24000000);

	for (size_t i = 0; i < ARRAY_LEN(divides); i++) {
		const sim_ps t0 = 123456789;
		const uint32_t initial = 12345;
		sim_ps due = t0 + sim_tick_time((uint64_t)initial * divides[i].divide, clk);
		struct rig r;

		rig_init(&r, clk, true);
		run_to(&r, t0);
		wr(&r, LAPIC_TIMER_DCR, divides[i].dcr);
		wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_ONESHOT);
		wr(&r, LAPIC_TIMER_ICR, initial);
		cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), initial, "the count loads at the write");
		cr_expect_eq(lapic_timer_next_fire(&r.t), due);
		run_to(&r, due - 1);
		cr_expect_eq(r.n, 0, "dcr %#x: fired early", divides[i].dcr);
		cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 1);
		run_to(&r, due + 10 * MS);
		cr_assert_eq(r.n, 1, "dcr %#x: %zu fires", divides[i].dcr, r.n);
		expect_fire(&r, 0, due);
		cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0, "stays at 0 until reprogrammed");
		cr_expect_eq(rd(&r, LAPIC_TIMER_ICR), initial);
		cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
		cr_expect_eq(r.t.stats.fires, 1);
		cr_expect_eq(r.t.stats.max_late_ps, 0);
		rig_finish(&r);
	}
}

Test(lapic_timer, periodic_fires_at_exact_multiples_and_reloads)
{
	struct sim_freq clk = sim_freq_hz(24000000);
	const sim_ps t0 = 5 * US;
	const uint32_t initial = 1001;
	const unsigned divide = 16;
	struct rig r;

	rig_init(&r, clk, true);
	run_to(&r, t0);
	wr(&r, LAPIC_TIMER_DCR, 0x3);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, initial);
	run_to(&r, t0 + sim_tick_time(10ull * initial * divide, clk) + 1);
	cr_assert_eq(r.n, 10);
	for (uint64_t n = 1; n <= 10; n++) {
		sim_ps want = t0 + sim_tick_time(n * initial * divide, clk);

		expect_fire(&r, n - 1, want);
		/* Reloaded at the expiry; one divided period later it is initial - 1. */
		cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, want), initial);
		cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, want - 1), 1);
	}
	cr_expect_eq(r.t.stats.fires, 10);
	cr_expect_eq(r.t.stats.late_fires, 0);
	rig_finish(&r);
}

Test(lapic_timer, masked_timer_counts_but_delivers_nothing)
{
	struct sim_freq clk = sim_freq_hz(100000000);   /* 10 ns per cycle */
	struct rig r;

	rig_init(&r, clk, true);
	/* One-shot, masked: the count still reaches 0 at 1 ms; nothing is delivered. */
	wr(&r, LAPIC_TIMER_DCR, 0xb);                   /* divide by 1 */
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_MASKED);
	wr(&r, LAPIC_TIMER_ICR, 100000);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, MS / 2);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 50000);
	run_to(&r, 2 * MS);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	/* Unmasking after the count reached 0 delivers nothing late. */
	wr(&r, LAPIC_TIMER_LVT, VEC);
	run_to(&r, 10 * MS);
	cr_expect_eq(r.n, 0);

	/* Periodic, masked then unmasked mid-period: the next expiry is on the original grid. */
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_MASKED | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* period 1 ms from 10 ms */
	run_to(&r, 13 * MS + 300 * US);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 70000);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 14 * MS);
	run_to(&r, 15 * MS);
	cr_assert_eq(r.n, 2);
	expect_fire(&r, 0, 14 * MS);
	expect_fire(&r, 1, 15 * MS);
	rig_finish(&r);
}

Test(lapic_timer, initial_count_zero_stops_and_rewrite_restarts)
{
	struct sim_freq clk = sim_freq_hz(100000000);
	struct rig r;

	rig_init(&r, clk, true);
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, 100000);
	run_to(&r, 2 * MS + 500 * US);
	cr_expect_eq(r.n, 2);
	wr(&r, LAPIC_TIMER_ICR, 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 10 * MS);
	cr_expect_eq(r.n, 2, "a write of 0 stops the timer");

	/* One-shot rewritten mid-count: counting restarts from the new value. */
	wr(&r, LAPIC_TIMER_LVT, VEC);
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* due 11 ms */
	run_to(&r, 10 * MS + 400 * US);
	wr(&r, LAPIC_TIMER_ICR, 50000);                 /* due 10.9 ms */
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 50000);
	run_to(&r, 20 * MS);
	cr_assert_eq(r.n, 3);
	expect_fire(&r, 2, 10 * MS + 900 * US);
	rig_finish(&r);
}

Test(lapic_timer, divide_change_keeps_the_count_and_changes_the_rate)
{
	struct sim_freq clk = sim_freq_hz(100000000);
	struct rig r;

	rig_init(&r, clk, true);
	wr(&r, LAPIC_TIMER_DCR, 0x0);                   /* divide by 2: 20 ns per count */
	wr(&r, LAPIC_TIMER_LVT, VEC);
	wr(&r, LAPIC_TIMER_ICR, 1000);
	/* 300 ns = 30 cycles = 15 counts; 310 ns is 31 cycles: one cycle into the 16th. */
	run_to(&r, 310 * SIM_PS_PER_NS);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 985);
	wr(&r, LAPIC_TIMER_DCR, 0x1);                   /* divide by 4: 40 ns per count */
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 985, "no jump at the write");
	/* The spent cycle carries over: next count after 3 more cycles, then every 4. */
	cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, 339 * SIM_PS_PER_NS), 985);
	cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, 340 * SIM_PS_PER_NS), 984);
	/* 985 counts * 4 cycles - 1 cycle = 3939 cycles after 310 ns. */
	cr_expect_eq(lapic_timer_next_fire(&r.t), 310 * SIM_PS_PER_NS + 3939 * 10 * SIM_PS_PER_NS);
	run_to(&r, MS);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, (310 + 39390) * SIM_PS_PER_NS);

	/*
	 * Divide 128 to 2, 100 cycles into a count: the carried-over cycles are
	 * capped at 1 (one short of the new divide), so the count steps once,
	 * one cycle later, instead of jumping by 50.
	 */
	run_to(&r, 2 * MS);
	wr(&r, LAPIC_TIMER_DCR, 0xa);
	wr(&r, LAPIC_TIMER_ICR, 1000);
	run_to(&r, 2 * MS + 228 * 10 * SIM_PS_PER_NS);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 999);
	wr(&r, LAPIC_TIMER_DCR, 0x0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 999);
	cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, r.q.now + 10 * SIM_PS_PER_NS), 998);
	cr_expect_eq(lapic_timer_read(&r.t, LAPIC_TIMER_CCR, r.q.now + 30 * SIM_PS_PER_NS), 997);
	rig_finish(&r);
}

Test(lapic_timer, divide_change_at_an_undelivered_expiry_keeps_it)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* 1 ms period */
	run_to(&r, MS - 1);
	/* Written at 1 ms, ordered before the expiry's event at 1 ms. */
	lapic_timer_write(&r.t, LAPIC_TIMER_DCR, 0x0, MS);   /* divide by 2: 2 ms period */
	cr_expect_eq(lapic_timer_next_fire(&r.t), MS);
	run_to(&r, 4 * MS);
	cr_assert_eq(r.n, 2);
	expect_fire(&r, 0, MS);
	expect_fire(&r, 1, 3 * MS);
	rig_finish(&r);
}

Test(lapic_timer, deadline_on_a_scaled_offset_guest_tsc)
{
	struct rig r;
	const uint64_t offset = UINT64_C(1) << 40;

	rig_init(&r, sim_freq_hz(100000000), true);
	r.g.offset = offset;
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	/* The guest TSC runs at 3 GHz: 3e6 guest cycles after the offset is 1 ms. */
	lapic_timer_wrmsr_deadline(&r.t, offset + 3000000, 0);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), offset + 3000000, "reads back while armed");
	cr_expect_eq(lapic_timer_next_fire(&r.t), MS);
	run_to(&r, MS - 1);
	cr_expect_eq(r.n, 0);
	run_to(&r, 2 * MS);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, MS);
	cr_expect_geq(guest_read(&r.g, MS), offset + 3000000);
	cr_expect_lt(guest_read(&r.g, MS - 1), offset + 3000000);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0, "cleared after it fired");
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);

	/* An odd target: guest 1000001 cycles on needs host ceil(2000002 / 3) = 666668 ticks. */
	lapic_timer_wrmsr_deadline(&r.t, guest_read(&r.g, 2 * MS) + 1000001, 2 * MS);
	run_to(&r, 3 * MS);
	cr_assert_eq(r.n, 2);
	expect_fire(&r, 1, 2 * MS + 666668 * 500);
	cr_expect_eq(r.t.stats.max_late_ps, 0);
	rig_finish(&r);
}

Test(lapic_timer, deadline_in_the_past_fires_at_once)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	r.g.offset = 777;
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	run_to(&r, 2 * MS);
	lapic_timer_wrmsr_deadline(&r.t, guest_read(&r.g, 2 * MS) - 5, 2 * MS);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 2 * MS);
	run_to(&r, 2 * MS);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, 2 * MS);
	cr_expect_eq(r.t.stats.last_due_ps, 2 * MS);
	cr_expect_eq(r.t.stats.max_late_ps, 0);
	/* A deadline equal to the TSC now is reached too (equals or exceeds). */
	lapic_timer_wrmsr_deadline(&r.t, guest_read(&r.g, 2 * MS), 2 * MS);
	run_to(&r, 2 * MS);
	cr_expect_eq(r.n, 2);
	rig_finish(&r);
}

Test(lapic_timer, deadline_write_zero_disarms_and_rewrite_moves_it)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	lapic_timer_wrmsr_deadline(&r.t, 3000000, 0);            /* 1 ms */
	run_to(&r, 500 * US);
	lapic_timer_wrmsr_deadline(&r.t, 0, r.q.now);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 5 * MS);
	cr_expect_eq(r.n, 0);
	/* Moved back then forward: only the last value counts. */
	lapic_timer_wrmsr_deadline(&r.t, 3000000 * 7, r.q.now);  /* 7 ms */
	lapic_timer_wrmsr_deadline(&r.t, 3000000 * 6, r.q.now);  /* 6 ms */
	lapic_timer_wrmsr_deadline(&r.t, 3000000 * 8, r.q.now);  /* 8 ms */
	run_to(&r, 10 * MS);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, 8 * MS);
	rig_finish(&r);
}

Test(lapic_timer, deadline_msr_and_initial_count_are_mode_gated)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	/* One-shot mode: the MSR reads 0 and ignores writes. */
	wr(&r, LAPIC_TIMER_LVT, VEC);
	lapic_timer_wrmsr_deadline(&r.t, 3000000, 0);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0);
	run_to(&r, 2 * MS);
	cr_expect_eq(r.n, 0);
	/* TSC-deadline mode: initial count writes are ignored, the current count reads 0. */
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	wr(&r, LAPIC_TIMER_ICR, 1000);
	cr_expect_eq(rd(&r, LAPIC_TIMER_ICR), 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	run_to(&r, 5 * MS);
	cr_expect_eq(r.n, 0);
	rig_finish(&r);
}

Test(lapic_timer, mode_switch_disarms)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC);
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* one-shot due 1 ms */
	run_to(&r, 100 * US);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 0);
	cr_expect_eq(rd(&r, LAPIC_TIMER_ICR), 0);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 5 * MS);
	cr_expect_eq(r.n, 0);

	/* A vector or mask change without a mode change keeps counting. */
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* periodic from 5 ms */
	wr(&r, LAPIC_TIMER_LVT, 0x31u | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 6 * MS);

	/* TSC-deadline armed, then back to one-shot: disarmed, MSR cleared. */
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	lapic_timer_wrmsr_deadline(&r.t, 3000000 * 7, r.q.now);
	wr(&r, LAPIC_TIMER_LVT, VEC);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0);
	run_to(&r, 10 * MS);
	cr_expect_eq(r.n, 0);
	rig_finish(&r);
}

/* A 1 ms one-shot armed at t = 0, then C6 from 0 to 5 ms. */
static void oneshot_over_c6(struct rig *r, bool arat)
{
	rig_init(r, sim_freq_hz(100000000), arat);
	wr(r, LAPIC_TIMER_DCR, 0xb);
	wr(r, LAPIC_TIMER_LVT, VEC);
	wr(r, LAPIC_TIMER_ICR, 100000);
	lapic_timer_cstate_enter(&r->t, 6, 0);
	run_to(r, 5 * MS);
	lapic_timer_cstate_exit(&r->t, 5 * MS);
	run_to(r, 20 * MS);
}

Test(lapic_timer, no_arat_c6_delays_a_oneshot_by_the_residency)
{
	struct rig r;

	oneshot_over_c6(&r, false);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, 6 * MS);
	cr_expect_eq(r.t.stats.fires, 1);
	cr_expect_eq(r.t.stats.late_fires, 1);
	cr_expect_eq(r.t.stats.last_due_ps, MS);
	cr_expect_eq(r.t.stats.last_fire_ps, 6 * MS);
	cr_expect_eq(r.t.stats.max_late_ps, 5 * MS);
	rig_finish(&r);
}

Test(lapic_timer, arat_c6_fires_on_time)
{
	struct rig r;

	oneshot_over_c6(&r, true);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, MS);
	cr_expect_eq(r.t.stats.late_fires, 0);
	cr_expect_eq(r.t.stats.max_late_ps, 0);
	rig_finish(&r);
}

Test(lapic_timer, no_arat_count_freezes_in_deep_cstates_only)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), false);
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, 100000);                /* 1 ms period */
	/* C1 does not stop the timer. */
	lapic_timer_cstate_enter(&r.t, 1, 200 * US);
	run_to(&r, 1500 * US);
	lapic_timer_cstate_exit(&r.t, r.q.now);
	cr_expect_eq(r.n, 1);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 50000);
	/* C3 from 1.5 ms to 4 ms freezes the count at 50000. */
	lapic_timer_cstate_enter(&r.t, 3, r.q.now);
	run_to(&r, 3 * MS);
	cr_expect_eq(rd(&r, LAPIC_TIMER_CCR), 50000);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 4 * MS);
	lapic_timer_cstate_exit(&r.t, r.q.now);
	/* The grid moved 2.5 ms later for good: 4.5, 5.5, ... */
	run_to(&r, 6 * MS);
	cr_assert_eq(r.n, 3);
	expect_fire(&r, 0, MS);
	expect_fire(&r, 1, 4500 * US);
	expect_fire(&r, 2, 5500 * US);
	cr_expect_eq(r.t.stats.last_due_ps, 3 * MS);
	cr_expect_eq(r.t.stats.max_late_ps, 2500 * US);
	rig_finish(&r);
}

Test(lapic_timer, stop_at_the_expiry_instant_neither_repeats_nor_loses_it)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), false);
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_PERIODIC);
	wr(&r, LAPIC_TIMER_ICR, 100000);
	/* After the 1 ms expiry is delivered, C6 until 3 ms: no repeat at 3 ms. */
	run_to(&r, MS);
	cr_assert_eq(r.n, 1);
	lapic_timer_cstate_enter(&r.t, 6, MS);
	run_to(&r, 3 * MS);
	lapic_timer_cstate_exit(&r.t, 3 * MS);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 4 * MS);
	/* Before the 4 ms expiry is delivered (entered ahead of the event), C6 until 5 ms. */
	lapic_timer_cstate_enter(&r.t, 6, 4 * MS);
	run_to(&r, 5 * MS);
	cr_expect_eq(r.n, 1);
	lapic_timer_cstate_exit(&r.t, 5 * MS);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 5 * MS, "delivered at exit, not lost");
	run_to(&r, 6 * MS);
	cr_assert_eq(r.n, 3);
	expect_fire(&r, 1, 5 * MS);
	expect_fire(&r, 2, 6 * MS);
	rig_finish(&r);
}

Test(lapic_timer, no_arat_deadline_is_held_until_exit)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), false);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	lapic_timer_wrmsr_deadline(&r.t, 3000000, 0);   /* 1 ms */
	lapic_timer_cstate_enter(&r.t, 6, 0);
	run_to(&r, 5 * MS);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 3000000, "still armed");
	lapic_timer_cstate_exit(&r.t, 5 * MS);
	run_to(&r, 5 * MS);
	cr_assert_eq(r.n, 1);
	expect_fire(&r, 0, 5 * MS);
	cr_expect_eq(r.t.stats.last_due_ps, MS);
	cr_expect_eq(r.t.stats.max_late_ps, 4 * MS);

	/* A deadline not yet reached at exit fires on time. */
	lapic_timer_wrmsr_deadline(&r.t, guest_read(&r.g, 5 * MS) + 3000000 * 3, 5 * MS);
	lapic_timer_cstate_enter(&r.t, 6, 6 * MS);
	run_to(&r, 7 * MS);
	lapic_timer_cstate_exit(&r.t, 7 * MS);
	run_to(&r, 10 * MS);
	cr_assert_eq(r.n, 2);
	expect_fire(&r, 1, 8 * MS);
	rig_finish(&r);
}

Test(lapic_timer, tsc_change_rearms_the_deadline)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_TIMER_TSC_DEADLINE);
	lapic_timer_wrmsr_deadline(&r.t, 3000000 * 4, 0);       /* 4 ms */
	run_to(&r, MS);
	/* The guest TSC jumps 1 ms (3e6 cycles) ahead: the deadline comes 1 ms sooner. */
	r.g.offset += 3000000;
	lapic_timer_tsc_changed(&r.t, MS);
	cr_expect_eq(lapic_timer_next_fire(&r.t), 3 * MS);
	/* A halted TSC never reaches it. */
	r.g.halted = true;
	lapic_timer_tsc_changed(&r.t, 2 * MS);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 10 * MS);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 3000000 * 4);
	rig_finish(&r);
}

Test(lapic_timer, masked_deadline_expires_and_clears_without_delivery)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	wr(&r, LAPIC_TIMER_LVT, VEC | LAPIC_LVT_MASKED | LAPIC_LVT_TIMER_TSC_DEADLINE);
	lapic_timer_wrmsr_deadline(&r.t, 3000000, 0);
	cr_expect_eq(lapic_timer_next_fire(&r.t), SIM_NEVER);
	run_to(&r, 2 * MS);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(lapic_timer_rdmsr_deadline(&r.t), 0);
	cr_expect_eq(r.t.stats.fires, 0);
	rig_finish(&r);
}

static void reprogram(void *ctx, const struct lapic_timer *t, uint8_t vector, sim_ps now)
{
	struct rig *r = ctx;

	(void)t;
	log_fire(ctx, &r->t, vector, now);
	if (r->n < 3)
		lapic_timer_write(&r->t, LAPIC_TIMER_ICR, 100000, now);
}

Test(lapic_timer, fire_callback_may_reprogram)
{
	struct rig r;

	rig_init(&r, sim_freq_hz(100000000), true);
	r.t.fire = reprogram;
	wr(&r, LAPIC_TIMER_DCR, 0xb);
	wr(&r, LAPIC_TIMER_LVT, VEC);
	wr(&r, LAPIC_TIMER_ICR, 100000);
	run_to(&r, 10 * MS);
	cr_assert_eq(r.n, 3);
	expect_fire(&r, 0, MS);
	expect_fire(&r, 1, 2 * MS);
	expect_fire(&r, 2, 3 * MS);
	rig_finish(&r);
}

Test(lapic_timer, finish_accepts_null_and_zeroed)
{
	struct lapic_timer z;

	memset(&z, 0, sizeof(z));
	lapic_timer_finish(NULL);
	lapic_timer_finish(&z);
}
