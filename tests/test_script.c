/*
 * script: a scenario's device script on the board, through the shared qtest
 * executor: each access costs its device's access cost, clock commands wait,
 * and every mismatch is counted and kept (up to SCRIPT_MAX_LISTED) with the
 * times its command started and ended and both values in the radix qtest
 * answers in.  Expectations follow from the costs and the 8254 timing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/devices/platform.h"
#include "sim/machine/script.h"

#define US SIM_PS_PER_US

struct rig {
	struct sim_eventq q;
	struct platform pf;
	struct scn_command cmd[8];
	struct scn_script sc;
	struct script_runner run;
};

static void add(struct rig *r, const char *line, bool has_expect, uint64_t expect)
{
	struct scn_command *c = &r->cmd[r->sc.ncommands];

	cr_assert_lt(r->sc.ncommands, 8);
	memset(c, 0, sizeof(*c));
	snprintf(c->line, sizeof(c->line), "%s", line);
	snprintf(c->path, sizeof(c->path), "/scripts/0/commands/%u", r->sc.ncommands);
	c->has_expect = has_expect;
	c->expect = expect;
	r->sc.ncommands++;
}

static void rig_init(struct rig *r)
{
	struct platform_params p;
	struct sim_diag err;

	memset(r, 0, sizeof(*r));
	sim_eventq_init(&r->q);
	platform_params_default(&p);             /* 1.5 us per port access */
	sim_diag_clear(&err);
	cr_assert(platform_init(&r->pf, &r->q, &p, &err), "%s", err.msg);
	snprintf(r->sc.name, sizeof(r->sc.name), "s");
	r->sc.expect = ORACLE_EXPECT_PASS;
	r->sc.commands = r->cmd;
}

static void rig_run(struct rig *r, sim_ps until)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(script_runner_init(&r->run, &r->sc, &r->pf, &r->q, &err), "%s", err.msg);
	cr_assert(sim_eventq_run_until(&r->q, until, &err), "%s", err.msg);
}

static void rig_finish(struct rig *r)
{
	script_runner_finish(&r->run);
	platform_finish(&r->pf);
	sim_eventq_finish(&r->q);
}

Test(script, every_mismatch_is_kept_with_its_times_and_radix)
{
	struct rig r;
	const struct script_result *res;

	rig_init(&r);
	add(&r, "outb 0x43 0xb6", false, 0);          /* 0 .. 1.5 us */
	add(&r, "clock_step 1000", true, 2499);       /* 1.5 us .. 2.5 us: answers 2500 */
	/* 2.5 us .. 4 us: the mode 3 control word drove OUT2 high (bit 5); gate 2 low;
	 * refresh bit 4 = (CLK edge 2 / 18) & 1 = 0: 0x20. */
	add(&r, "inb 0x61", true, 0x21);
	add(&r, "clock_set 10000", true, 10000);      /* holds */
	rig_run(&r, SIM_PS_PER_MS);
	res = &r.run.res;
	cr_expect(res->completed);
	cr_expect_eq(res->checks, 3);
	cr_expect_eq(res->mismatches, 2);
	cr_assert_eq(res->nlisted, 2);
	cr_expect_eq(res->listed[0].command, 1);
	cr_expect_eq(res->listed[0].t_ps, 1500 * SIM_PS_PER_NS);
	cr_expect_eq(res->listed[0].end_ps, 2500 * SIM_PS_PER_NS);
	cr_expect_str_eq(res->listed[0].expected, "2499");   /* ns, as clock_step answers */
	cr_expect_str_eq(res->listed[0].got, "2500");
	cr_expect_eq(res->listed[1].command, 2);
	cr_expect_eq(res->listed[1].t_ps, 2500 * SIM_PS_PER_NS);
	cr_expect_eq(res->listed[1].end_ps, 4 * US);
	cr_expect_str_eq(res->listed[1].expected, "0x21");
	cr_expect_str_eq(res->listed[1].got, "0x20");
	cr_expect(res->has_first);
	cr_expect_eq(res->first.command, 1);
	cr_expect_not(script_expectation_met(&r.run));
	rig_finish(&r);
}

Test(script, mismatches_beyond_the_list_are_still_counted)
{
	struct rig r;

	rig_init(&r);
	for (unsigned i = 0; i < 8; i++)
		add(&r, "inb 0x80", true, 0);            /* reads 0xff: 8 mismatches */
	r.sc.ncommands = 8;
	rig_run(&r, SIM_PS_PER_MS);
	cr_expect_eq(r.run.res.mismatches, 8);
	cr_expect_eq(r.run.res.nlisted, 8 < SCRIPT_MAX_LISTED ? 8 : SCRIPT_MAX_LISTED);
	for (unsigned i = 0; i < r.run.res.nlisted; i++)
		cr_expect_eq(r.run.res.listed[i].command, i);
	rig_finish(&r);
}

Test(script, a_bare_clock_step_rounds_up_to_the_next_whole_ns)
{
	struct rig r;

	rig_init(&r);
	/*
	 * PIT mode 2, count 2, written at 0, 1.5 and 3 us (1.5 us each): loaded at
	 * the first CLK edge after 3 us, edge 4 (3352.38 ns; one edge every
	 * 838.095238 ns); OUT0 low at edge 5, high at 6, low at 7, ...  The steps
	 * start at 4.5 us: edge 6 = 5028.57 ns answers 5029, edge 7 = 5866.67 ns
	 * answers 5867 (rounded up, not down).
	 */
	add(&r, "outb 0x43 0x34", false, 0);
	add(&r, "outb 0x40 2", false, 0);
	add(&r, "outb 0x40 0", false, 0);
	add(&r, "clock_step", true, 5029);
	add(&r, "clock_step", true, 5867);
	rig_run(&r, SIM_PS_PER_MS);
	cr_expect(r.run.res.completed);
	cr_expect_eq(r.run.res.mismatches, 0, "first: expected %s, got %s",
		     r.run.res.first.expected, r.run.res.first.got);
	rig_finish(&r);
}
