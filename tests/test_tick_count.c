/*
 * The tick_count host check from a C config: reads published on a trace
 * stream of our own as the machine publishes a "ticks" reader's, values
 * chosen by hand.  The delivery model behind the notes is a 1000 Hz tick,
 * one stall from 10 s to 15 s (tests/test_tick_delivery.c derives its
 * numbers).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "oracle/hw/host_checks.h"

#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)
#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)

struct rig {
	struct host host;
	struct sim_eventq q;
	struct sim_trace trace;
	struct host_checks *hc;
};

static struct host_check_config config(enum tick_policy p, enum oracle_expect expect)
{
	struct host_check_config c;

	memset(&c, 0, sizeof(c));
	c.kind = HOST_CHECK_TICK_COUNT;
	strcpy(c.name, "ticks");
	c.expect = expect;
	c.tick_count.group = 3;
	c.tick_count.delivery = (struct tick_delivery){
		.rate = { 1000, 1 }, .policy = p, .inject_interval_ps = 10 * SIM_PS_PER_US,
		.slew_rate = 2, .noutages = 1,
	};
	c.tick_count.delivery.outages[0] = (struct tick_outage){ S(10), S(15) };
	return c;
}

static void rig_init(struct rig *r, const struct host_check_config *c)
{
	struct host_socket_params sock = { .ncpus = 1 };
	struct host_params hp = {
		.name = "h", .tsc_nominal = sim_freq_hz(3000000000u), .uptime_ns = 1000000000,
		.clocksource_auto = true, .platform_nominal = sim_freq_hz(14318180u),
		.nsockets = 1, .sockets = &sock, .seed = 1,
	};
	struct host_checks_env env;
	struct sim_diag err;

	memset(r, 0, sizeof(*r));
	sim_diag_clear(&err);
	cr_assert(host_init(&r->host, &hp, &err), "host_init: %s", err.msg);
	sim_eventq_init(&r->q);
	sim_trace_init(&r->trace);
	env = (struct host_checks_env){ .hosts = &r->host, .nhosts = 1, .q = &r->q, .seed = 1,
					.trace = &r->trace };
	r->hc = host_checks_create(&env, c, 1, &err);
	cr_assert(r->hc, "host_checks_create: %s", err.msg);
}

static void read_at(struct rig *r, unsigned group, sim_ps t, uint64_t value_ns)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = t };

	rec.u.read = (struct sim_trace_read){ .reader = "r", .group = group, .start_ps = t,
					      .value_ns = value_ns };
	sim_trace_publish(&r->trace, &rec);
}

static void rig_free(struct rig *r)
{
	sim_eventq_finish(&r->q);
	host_checks_destroy(r->hc);
	host_finish(&r->host);
}

/*
 * discard: a read at 1 s reads 1 s (the reference: error 0), one at 20 s
 * reads 15.001 s: 4.999 s behind.  Reads of another group do not count.
 */
Test(tick_count, discard_ends_behind_by_the_dropped_ticks)
{
	struct host_check_config c = config(TICK_POLICY_DISCARD, ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig r;

	rig_init(&r, &c);
	read_at(&r, 3, S(1), 1000000000);
	read_at(&r, 2, S(5), 0);
	read_at(&r, 3, S(20), 15001000000);
	host_checks_finish_run(r.hc, S(30));
	res = host_checks_result(r.hc, 0);
	cr_assert(res->evaluated);
	cr_expect(!res->passed);
	cr_expect_eq(res->samples, 2);
	cr_expect_eq(res->worst, -(int64_t)MS(4999));
	cr_expect_eq(res->first_ps, S(20));
	cr_expect_str_eq(res->first, "the clock ends 4.999000 s behind true time: 4999 of the "
			 "5000 ticks missed in stalls were dropped (discard)");
	cr_expect_str_eq(res->note, "1000.000 Hz (1.000000 ms a tick), discard; stall at 10 s for "
			 "5 s: 5000 ticks missed, 1 taken at the resume, 4999 dropped; error at "
			 "the end -4.999000 s");
	cr_expect(res->expectation_met);
	rig_free(&r);
}

/*
 * delay: level 50.49 ms after the resume (k = 5049 reinjections at 10 us);
 * a read at 20 s reading 19.9995 s is 0.5 ms behind: within a tick.
 */
Test(tick_count, delay_catches_up_within_a_tick)
{
	struct host_check_config c = config(TICK_POLICY_DELAY, ORACLE_EXPECT_PASS);
	const struct host_check_result *res;
	struct rig r;

	rig_init(&r, &c);
	read_at(&r, 3, S(1), 1000000000);
	read_at(&r, 3, S(20), 19999500000);
	host_checks_finish_run(r.hc, S(30));
	res = host_checks_result(r.hc, 0);
	cr_expect(res->passed);
	cr_expect_eq(res->worst, -(int64_t)(MS(1) / 2));
	cr_expect_str_eq(res->note, "1000.000 Hz (1.000000 ms a tick), delay; stall at 10 s for "
			 "5 s: 5000 ticks missed, 4999 reinjected at up to 100000.000 ticks/s, "
			 "level 50.490000 ms after the resume; error at the end -500.000 us");
	rig_free(&r);
}

/*
 * slew 2x with a time sync at 16 s: the guest then has 10001 + 1000 + 1000
 * = 12001 of 16000 ticks, 3999 owed, which come after the sync.  A read at
 * 20 s reading 25 s is 5 s ahead: worst +5 s, more than it ends (+4 s at
 * 25 s reading 29 s).
 */
Test(tick_count, a_sync_during_slew_counts_the_backlog_twice)
{
	struct host_check_config c = config(TICK_POLICY_SLEW, ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig r;

	c.tick_count.nsyncs = 1;
	c.tick_count.sync_ps[0] = S(16);
	rig_init(&r, &c);
	read_at(&r, 3, S(1), 1000000000);
	read_at(&r, 3, S(20), 25000000000);
	read_at(&r, 3, S(25), 29000000000);
	host_checks_finish_run(r.hc, S(30));
	res = host_checks_result(r.hc, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, (int64_t)S(5));
	cr_expect_eq(res->first_ps, S(20));
	cr_expect_str_eq(res->first, "the clock ran 5 s ahead of true time: the time sync at 16 s "
			 "set it while 3999 ticks were still owed (slew), and they came after it: "
			 "counted twice");
	rig_free(&r);
}

/* A tolerance wider than the error passes what one tick would fail. */
Test(tick_count, tolerance_widens_the_bound)
{
	struct host_check_config c = config(TICK_POLICY_DISCARD, ORACLE_EXPECT_PASS);
	struct rig r;

	c.tick_count.tolerance_ps = S(6);
	rig_init(&r, &c);
	read_at(&r, 3, S(1), 1000000000);
	read_at(&r, 3, S(20), 15001000000);
	host_checks_finish_run(r.hc, S(30));
	cr_expect(host_checks_result(r.hc, 0)->passed);
	rig_free(&r);
}

/*
 * slew 2x, the run ending at 17 s in the middle of the catch-up: the guest
 * has 14001 of 17000 ticks (2999 owed), so a read at 17 s reads 14.001 s:
 * 2.999 s behind, and the first text says what is still owed then.
 */
Test(tick_count, a_catch_up_cut_short_ends_behind_with_ticks_owed)
{
	struct host_check_config c = config(TICK_POLICY_SLEW, ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig r;

	rig_init(&r, &c);
	read_at(&r, 3, S(1), 1000000000);
	read_at(&r, 3, S(17), 14001000000);
	host_checks_finish_run(r.hc, S(17));
	res = host_checks_result(r.hc, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, -(int64_t)MS(2999));
	cr_expect_str_eq(res->first, "the clock ends 2.999000 s behind true time: 2999 ticks were "
			 "still owed at 17.000000000 s (slew)");
	rig_free(&r);
}
