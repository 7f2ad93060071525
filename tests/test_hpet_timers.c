/*
 * Guest timers on HPET comparators (sim/guest/hpet_timers.h) and timer_live
 * over them, on a 10 MHz HPET: COUNTER_CLK_PERIOD = 10^15 / 10^7 = 10^8 fs
 * = 100 ns per tick, so 1 ms is 10000 ticks and a 32-bit wrap 2^32 x 100 ns
 * = 429.4967296 s.  Every MMIO access is a 2 us exit (the board's default).
 * At t = 0 the guest reads GEN_CONF; its write of ENABLE_CNF lands at 2 us
 * (the counter starts there from 0); Tn_CONF's read and write take 4 us
 * more, so the guest's first arming starts at 8 us, count 60.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "machine_rig.h"
#include "oracle/hw/host_check.h"
#include "sim/core/trace.h"
#include "sim/devices/platform.h"

#define US(x) ((sim_ps)(x) * SIM_PS_PER_US)
#define MSEC(x) ((sim_ps)(x) * SIM_PS_PER_MS)
#define WRAP_TICKS (UINT64_C(1) << 32)
#define TICK_PS UINT64_C(100000)     /* 100 ns */

struct watch {
	unsigned n;                      /* fires */
	sim_ps at[16];                   /* the first 16 fire times */
	uint64_t late_ticks[16];         /* count - target at each */
	const char *mode;
	unsigned hpet_timer;
	struct scenario *s;              /* destroyed with the machine */
};

static void on_rec(void *ctx, const struct sim_trace_record *rec)
{
	struct watch *w = ctx;
	const struct sim_trace_guest_timer *g = &rec->u.timer;

	if (rec->kind != SIM_TRACE_GUEST_TIMER || !g->fire)
		return;
	if (w->n < 16) {
		w->at[w->n] = rec->t_ps;
		w->late_ticks[w->n] = g->hpet_count - g->hpet_target;
	}
	w->n++;
	w->mode = g->mode;
	w->hpet_timer = g->hpet_timer;
}

/* One vCPU on a 2 GHz host; the board's HPET at 10 MHz, 32 bits; `timer` is one guest_timers entry. */
static struct machine *run_hpet(const char *duration, const char *timer, const char *extra,
				const char *check, struct watch *w)
{
	char text[2048];
	struct scenario *s;
	struct machine *m;
	struct sim_diag err;

	snprintf(text, sizeof(text),
		 "{\"name\": \"ht\", \"duration\": \"%s\",\n"
		 " \"platform\": {\"hpet\": {\"frequency\": \"10MHz\", \"counter_bits\": 32}},\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 1, \"uptime\": \"1h\"%s},\n"
		 " \"guest_timers\": [%s],\n"
		 " \"host_checks\": [%s]}\n", duration, extra ? extra : "", timer,
		 check ? check : "{\"check\": \"timer_live\", \"expect\": \"pass\", \"slack\": \"0s\"}");
	s = parse(text);
	memset(w, 0, sizeof(*w));
	w->s = s;
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER), on_rec, w));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	return m;
}

/*
 * One-shot 1 ms with Linux's check: the arming at t reads count c (t = 2 us
 * + c x 100 ns), writes c + 10000, re-reads at t + 4 us (c + 40: 9960
 * ahead, no -ETIME); the match is at c + 10000, t + 1 ms exactly, and the
 * handler re-arms there.  The first arming at 8 us: interrupts at 8 us + k
 * ms, k = 1..100 in 100.5 ms; lateness 0.
 */
Test(hpet_timers, oneshot_fires_every_delay_by_hand)
{
	struct watch w;
	struct machine *m = run_hpet("100.5ms", "{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 2, "
				     "\"mode\": \"oneshot\", \"period\": \"1ms\"}", NULL, NULL, &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_expect_eq(w.n, 100);
	for (unsigned i = 0; i < 16; i++) {
		cr_expect_eq(w.at[i], US(8) + MSEC(i + 1), "fire %u at %llu ps", i,
			     (unsigned long long)w.at[i]);
		cr_expect_eq(w.late_ticks[i], 0);
	}
	cr_expect_eq(w.hpet_timer, 3, "comparator 2, + 1");
	cr_expect_str_eq(w.mode, "HPET timer 2 one-shot");
	cr_expect(r->passed, "%s", r->first);
	/* the longest silence: one delay */
	cr_expect_eq(r->worst, (int64_t)MSEC(1));
	machine_destroy(m);
	scenario_destroy(w.s);
}

/*
 * Without the check, the 3rd arming (at 2.008 ms: count 20060, target 30060)
 * is preempted 1.5 ms after its read's 2 us exit: the write lands at 3.510
 * ms, count 35080, behind 30060.  The 32-bit comparator matches when the
 * counter comes round to 30060 again: count 30060 + 2^32, at 2 us + (30060 +
 * 2^32) x 100 ns = 429.499737600 s, 2^32 ticks = 429.4967296 s late.  The
 * vCPU was silent from 2.008 ms to then, the worst.
 */
Test(hpet_timers, write_behind_the_counter_waits_a_wrap)
{
	struct watch w;
	struct machine *m = run_hpet("429.6s", "{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 0, "
				     "\"mode\": \"oneshot\", \"period\": \"1ms\", \"check\": \"none\", "
				     "\"preempt\": \"1.5ms\", \"preempt_every\": 3}", NULL,
				     "{\"check\": \"timer_live\", \"expect\": \"fail\", \"slack\": \"1ms\"}",
				     &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);
	const sim_ps wrap_fire = US(2) + (30060 + WRAP_TICKS) * TICK_PS;

	cr_assert_geq(w.n, 3);
	cr_expect_eq(w.at[0], US(8) + MSEC(1));
	cr_expect_eq(w.at[1], US(8) + MSEC(2));
	cr_expect_eq(w.at[2], wrap_fire, "%llu", (unsigned long long)w.at[2]);
	cr_expect_eq(w.late_ticks[2], WRAP_TICKS);
	cr_expect(!r->passed);
	cr_expect_eq(r->worst, (int64_t)(wrap_fire - US(8) - MSEC(2)));
	cr_expect(strstr(r->first, "HPET timer 0 one-shot fired 429.496729 s late"), "%s", r->first);
	cr_expect(strstr(r->first, "32-bit wrap"), "%s", r->first);
	machine_destroy(m);
	scenario_destroy(w.s);
}

/*
 * With Linux's check the same arming re-reads at 3.512 ms (count 35100:
 * 30060 - 35100 < 128, -ETIME) and re-arms with 192 ticks: read at 3.514 ms
 * (35120, target 35312), write at 3.516 ms, check at 3.518 ms (35160: 152
 * ahead, accepted).  The match at 35312 is 3.5332 ms: 5252 ticks after the
 * 30060 the guest meant, 525.2 us late.
 */
Test(hpet_timers, linux_check_rearms_with_the_minimum_delta)
{
	struct watch w;
	struct machine *m = run_hpet("10ms", "{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 0, "
				     "\"mode\": \"oneshot\", \"period\": \"1ms\", \"preempt\": \"1.5ms\", "
				     "\"preempt_every\": 3}", NULL,
				     "{\"check\": \"timer_live\", \"expect\": \"pass\", \"slack\": \"1ms\", "
				     "\"silent_max\": \"2ms\"}", &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_expect_eq(w.at[2], US(3533) + 200 * SIM_PS_PER_NS, "%llu", (unsigned long long)w.at[2]);
	cr_expect_eq(w.late_ticks[2], 5252);
	/* the next arming from there: 1 ms on */
	cr_expect_eq(w.at[3], US(4533) + 200 * SIM_PS_PER_NS);
	cr_expect(r->passed, "%s", r->first);
	/* the silence from 2.008 ms to 3.5332 ms */
	cr_expect_eq(r->worst, (int64_t)(US(1525) + 200 * SIM_PS_PER_NS));
	machine_destroy(m);
	scenario_destroy(w.s);
}

/*
 * Periodic 1 ms (hpet_clkevt_set_state_periodic): at 8 us the guest reads
 * GEN_CONF, its halt lands at 10 us (count 80), then it reads the counter,
 * reads and writes Tn_CONF, writes 10080 with VAL_SET, waits 1 us, writes
 * the period 10000 (6 exits and 1 us: 23 us), reads GEN_CONF and its
 * ENABLE_CNF lands at 25 us.  Matches at 25 us + k ms.
 */
Test(hpet_timers, periodic_restarts_the_counter_after_the_setup)
{
	struct watch w;
	struct machine *m = run_hpet("5.5ms", "{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 1, "
				     "\"mode\": \"periodic\", \"period\": \"1ms\", \"route\": \"legacy\"}",
				     NULL, NULL, &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_expect_eq(w.n, 5);
	for (unsigned i = 0; i < 5; i++) {
		cr_expect_eq(w.at[i], US(25) + MSEC(i + 1), "fire %u at %llu", i,
			     (unsigned long long)w.at[i]);
		cr_expect_eq(w.late_ticks[i], 0);
	}
	cr_expect_str_eq(w.mode, "HPET timer 1 periodic");
	cr_expect(r->passed, "%s", r->first);
	machine_destroy(m);
	scenario_destroy(w.s);
}

/*
 * F18: a periodic period under one tick (50 ns at 100 ns) is written as 0.
 * The device then adds 0 at each match (IA-PC HPET 1.0a 2.3.9.1): the
 * comparator matches once per 32-bit wrap, at 25 us + k x 2^32 x 100 ns,
 * with a handful of events, not a livelock.
 */
Test(hpet_timers, periodic_zero_matches_once_per_wrap)
{
	struct watch w;
	struct machine *m = run_hpet("900s", "{\"vcpus\": [0], \"device\": \"hpet\", "
				     "\"mode\": \"periodic\", \"period\": \"50ns\"}", NULL,
				     "{\"check\": \"timer_live\", \"expect\": \"pass\", \"slack\": \"0s\", "
				     "\"silent_max\": \"430s\"}", &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_expect_eq(w.n, 2);
	cr_expect_eq(w.at[0], US(25) + WRAP_TICKS * TICK_PS);
	cr_expect_eq(w.at[1], US(25) + 2 * WRAP_TICKS * TICK_PS);
	cr_expect_eq(w.late_ticks[0], 0);
	cr_expect_eq(w.late_ticks[1], 0);
	cr_expect(r->passed, "%s", r->first);
	machine_destroy(m);
	scenario_destroy(w.s);
}

/*
 * A one-shot 100 ms (first armed at 8 us) across a pause from 1.05 s to 3.05
 * s.  Host's board: the HPET runs on, matches at 1.100008 s, and the
 * interrupt waits for the resume (3.05 s); timer_live counts from the
 * resume: on time.  VM's board: the HPET stops for the 2 s, so the match
 * comes at 1.100008 + 2 = 3.100008 s.
 */
static void pause_case(const char *board, sim_ps expect_ps)
{
	char extra[64];
	struct watch w;
	struct machine *m;
	const struct host_check_result *r;
	char text[2048];
	struct scenario *s;
	struct sim_diag err;

	snprintf(extra, sizeof(extra), ", \"board\": \"%s\"", board);
	snprintf(text, sizeof(text),
		 "{\"name\": \"ht\", \"duration\": \"3.5s\",\n"
		 " \"platform\": {\"hpet\": {\"frequency\": \"10MHz\", \"counter_bits\": 32}},\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 1, \"uptime\": \"1h\"%s},\n"
		 " \"guest_timers\": [{\"vcpus\": [0], \"device\": \"hpet\", \"mode\": \"oneshot\", "
		 "\"period\": \"100ms\"}],\n"
		 " \"pauses\": [{\"at\": \"1.05s\", \"duration\": \"2s\"}],\n"
		 " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\", "
		 "\"slack\": \"0s\", \"silent_max\": \"150ms\"}]}\n", extra);
	s = parse(text);
	memset(&w, 0, sizeof(w));
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER), on_rec,
				      &w));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	r = machine_host_check_result(m, 0);
	cr_expect_eq(w.at[9], US(8) + MSEC(1000), "%s: the last before the pause", board);
	cr_expect_eq(w.at[10], expect_ps, "%s: %llu", board, (unsigned long long)w.at[10]);
	cr_expect(r->passed, "%s: %s", board, r->first);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(hpet_timers, interrupt_waits_for_a_paused_vm)
{
	pause_case("host", MSEC(3050));
	pause_case("vm", US(8) + MSEC(3100));
}

/*
 * FSB delivery (nanovms/nanos PR #1224).  Without Tn_FSB_INT_DEL_CAP (the
 * board's default) the device ignores FSB_EN and pulses pin 0: the "fsb"
 * guest hears nothing.  With the capability the message (value 0x40 + n)
 * reaches the guest: 1 ms one-shots at 12 us + k ms (two more exits at init
 * for the FSB route).
 */
Test(hpet_timers, fsb_route_needs_the_capability)
{
	struct watch w;
	struct machine *m = run_hpet("10.5ms", "{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 2, "
				     "\"mode\": \"oneshot\", \"period\": \"1ms\", \"route\": \"fsb\"}", NULL,
				     "{\"check\": \"timer_live\", \"expect\": \"fail\", \"silent_max\": "
				     "\"5ms\"}", &w);
	const struct host_check_result *r = machine_host_check_result(m, 0);
	struct scenario *s;
	struct sim_diag err;
	struct hpet *h;

	cr_expect_eq(w.n, 0);
	cr_expect(strstr(r->first, "Tn_FSB_INT_DEL_CAP is 0"), "%s", r->first);
	machine_destroy(m);
	scenario_destroy(w.s);

	/* the same guest on an HPET whose comparator 2 has FSB delivery */
	s = parse("{\"name\": \"ht\", \"duration\": \"10.5ms\",\n"
		  " \"platform\": {\"hpet\": {\"frequency\": \"10MHz\", \"counter_bits\": 32}},\n"
		  " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		  "\"sockets\": [{\"cpus\": 2}]}],\n"
		  " \"vm\": {\"host\": \"h\", \"vcpus\": 1, \"uptime\": \"1h\"},\n"
		  " \"guest_timers\": [{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 2, "
		  "\"mode\": \"oneshot\", \"period\": \"1ms\", \"route\": \"fsb\"}],\n"
		  " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\", "
		  "\"slack\": \"0s\"}]}\n");
	memset(&w, 0, sizeof(w));
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	h = machine_board(m)->slot[BOARD_DEV_HPET].chip;
	h->timer[2].caps |= HPET_TN_FSB_INT_DEL_CAP;    /* as QEMU's hpet.msi=true */
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER), on_rec,
				      &w));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	r = machine_host_check_result(m, 0);
	cr_expect_eq(w.n, 10);
	cr_expect_eq(w.at[0], US(12) + MSEC(1));
	cr_expect_eq(w.at[9], US(12) + MSEC(10));
	cr_expect_str_eq(w.mode, "HPET timer 2 one-shot (FSB)");
	cr_expect(r->passed, "%s", r->first);
	machine_destroy(m);
	scenario_destroy(s);
}

static void expect_load_error(const char *timer, const char *msg)
{
	char text[1024];
	struct sim_diag err;
	struct scenario *s;

	snprintf(text, sizeof(text),
		 "{\"name\": \"ht\", \"duration\": \"1s\",\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
		 " \"guest_timers\": [%s],\n"
		 " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\"}]}\n", timer);
	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_expect_null(s, "accepted: %s", timer);
	cr_expect(strstr(err.msg, msg), "%s: got \"%s\"", timer, err.msg);
	scenario_destroy(s);
}

Test(hpet_timers, loader_refuses_what_the_hpet_cannot_do)
{
	expect_load_error("{\"vcpus\": [0, 1], \"device\": \"hpet\", \"mode\": \"oneshot\", "
			  "\"period\": \"1ms\"}", "interrupts one vCPU");
	expect_load_error("{\"vcpus\": [0], \"device\": \"hpet\", \"mode\": \"deadline\", "
			  "\"period\": \"1ms\"}", "TSC-deadline");
	expect_load_error("{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 3, \"mode\": "
			  "\"oneshot\", \"period\": \"1ms\"}", "below the HPET's 3 timers");
	expect_load_error("{\"vcpus\": [0], \"device\": \"hpet\", \"timer\": 2, \"route\": "
			  "\"legacy\", \"mode\": \"oneshot\", \"period\": \"1ms\"}", "timers 0 and 1");
	expect_load_error("{\"vcpus\": [0], \"device\": \"hpet\", \"mode\": \"oneshot\", "
			  "\"period\": \"1ms\"}, {\"vcpus\": [1], \"device\": \"hpet\", \"mode\": "
			  "\"periodic\", \"period\": \"1ms\"}", "HPET timer 0 already has");
	/* an APIC timer and an HPET timer may share a vCPU */
	{
		char text[1024];
		struct sim_diag err;
		struct scenario *s;

		snprintf(text, sizeof(text),
			 "{\"name\": \"ht\", \"duration\": \"1s\",\n"
			 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
			 "\"sockets\": [{\"cpus\": 2}]}],\n"
			 " \"vm\": {\"host\": \"h\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
			 " \"guest_timers\": [{\"vcpus\": [0], \"device\": \"hpet\", \"mode\": "
			 "\"oneshot\", \"period\": \"1ms\"}, {\"vcpus\": [0], \"mode\": \"deadline\", "
			 "\"period\": \"1ms\"}],\n"
			 " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\"}]}\n");
		sim_diag_clear(&err);
		s = scenario_parse("inline.json", text, strlen(text), &err);
		cr_expect_not_null(s, "%s", err.msg);
		scenario_destroy(s);
	}
}
