/*
 * The visualizer's pure parts (viz/): the model's columns against closed-form
 * clock errors, and the layout's draw list read as text: axis ticks and labels
 * at several zooms, the lanes of a scenario in order, violation markers at the
 * x their time gives.  Expected positions are computed here from the
 * documented geometry (viz/layout.h), not taken from earlier output.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "viz/layout.h"
#include "viz/model.h"

#define S_PS 1000000000000ULL
#define US_PS 1000000ULL

static struct viz_draw draw;
static char dump[1 << 21];

/* The frame as text. */
static const char *dump_of(const struct viz_model *m, const struct viz_view *v)
{
	FILE *f = fmemopen(dump, sizeof(dump), "w");

	cr_assert(f);
	viz_layout(m, v, &draw);
	viz_draw_dump(&draw, f);
	fputc('\0', f);
	fclose(f);
	return dump;
}

static struct viz_view view(sim_ps t0, sim_ps t1)
{
	return (struct viz_view){ .t0_ps = t0, .t1_ps = t1, .width = 1280, .height = 720,
				  .lanes = VIZ_LANES_ALL, .cursor_x = -1, .cursor_y = -1,
				  .selected = -1, .title = "t" };
}

/* The plot is 1280 - 180 (gutter) - 12 (margin) = 1088 px wide from x = 180. */
static int x_of(sim_ps t0, sim_ps t1, sim_ps t)
{
	return 180 + (int)((t - t0) * (sim_u128)1088 / (t1 - t0));
}

/* A line "text ink X <y> small '<label>'" exists for the tick at t. */
static bool has_tick(const char *d, int x, const char *label)
{
	char want[96];

	/* right of the tick, or left of it when it would leave the 1280 px frame (7 px a byte) */
	int w = 7 * (int)strlen(label);

	snprintf(want, sizeof(want), "text ink %d ", x + 2 + w > 1280 ? x - 2 - w : x + 2);
	for (const char *p = strstr(d, want); p; p = strstr(p + 1, want)) {
		const char *q = strchr(p, '\'');
		const char *nl = strchr(p, '\n');

		if (q && nl && q < nl && strncmp(q + 1, label, strlen(label)) == 0 &&
		    q[1 + strlen(label)] == '\'')
			return true;
	}
	return false;
}

static struct viz_model empty;

Test(viz_layout, ticks_whole_seconds)
{
	struct viz_view v = view(0, 10 * S_PS);
	const char *d;

	empty.t0_ps = 0;
	empty.t1_ps = empty.duration_ps = 10 * S_PS;
	d = dump_of(&empty, &v);
	/* 1088 px / 110 + 1 = 10 ticks at most: a 1 s step, labelled from 0 */
	for (unsigned k = 0; k <= 10; k++) {
		char label[16];

		snprintf(label, sizeof(label), "%u s", k);
		cr_expect(has_tick(d, x_of(0, 10 * S_PS, k * S_PS), label), "tick %s", label);
	}
	cr_expect(!strstr(d, "'from "));
}

Test(viz_layout, ticks_fraction_of_a_second)
{
	struct viz_view v = view(4900000000000ULL, 5500000000000ULL);
	const char *d;

	empty.t1_ps = empty.duration_ps = 10 * S_PS;
	d = dump_of(&empty, &v);
	/* 600 ms over 10 ticks: 100 ms steps (50 ms would be 12); read in s with one decimal */
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, 5000000000000ULL), "5.0 s"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, 5300000000000ULL), "5.3 s"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, 4900000000000ULL), "4.9 s"));
}

Test(viz_layout, ticks_nanoseconds_from_a_base)
{
	struct viz_view v = view(S_PS, S_PS + 10000);
	const char *d;

	empty.t1_ps = empty.duration_ps = 10 * S_PS;
	d = dump_of(&empty, &v);
	/* 10 ns over 10 ticks: 1 ns steps; "1000000001 ns" is too long, so from 1 s */
	cr_expect(strstr(d, "'from 1.000000000 s'"), "%s", d);
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, S_PS), "+0 ns"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, S_PS + 3000), "+3 ns"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, S_PS + 10000), "+10 ns"));
}

Test(viz_layout, ticks_microseconds_deep_in_a_run)
{
	struct viz_view v = view(5 * S_PS, 5 * S_PS + 2 * US_PS);
	const char *d;

	empty.t1_ps = empty.duration_ps = 10 * S_PS;
	d = dump_of(&empty, &v);
	/* 2 us over 10 ticks: 200 ns steps, read in us; from the 200 us block at 5 s */
	cr_expect(strstr(d, "'from 5.000000000 s'"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, 5 * S_PS + 600000), "+0.6 µs"));
	cr_expect(has_tick(d, x_of(v.t0_ps, v.t1_ps, 5 * S_PS + 2 * US_PS), "+2.0 µs"));
}

/* A violation marker: a vermillion line and a 7 px square centred on its x. */
Test(viz_layout, violation_marker_at_its_time)
{
	static struct viz_model m;
	struct viz_view v = view(0, 10 * S_PS);
	char want[64];
	const char *d;
	int x = x_of(0, 10 * S_PS, 2500000000000ULL);

	m.t1_ps = m.duration_ps = 10 * S_PS;
	m.nviolations = 1;
	m.violations[0] = (struct viz_violation){ .t_ps = 2500000000000ULL, .reader = "r",
						  .check = "mono_vcpu" };
	d = dump_of(&m, &v);
	cr_assert_eq(x, 452);
	snprintf(want, sizeof(want), "rect vermillion %d ", x - 3);
	cr_expect(strstr(d, want), "%s", d);
	snprintf(want, sizeof(want), "text vermillion %d ", x + 5);
	cr_expect(strstr(d, want));
	cr_expect(strstr(d, "'mono_vcpu'"));
	/* zoomed to [2 s, 3 s] it sits in the middle */
	v = view(2 * S_PS, 3 * S_PS);
	d = dump_of(&m, &v);
	snprintf(want, sizeof(want), "rect vermillion %d ", 180 + 544 - 3);
	cr_expect(strstr(d, want));
	/* and outside [3 s, 4 s] it is not drawn */
	v = view(3 * S_PS, 4 * S_PS);
	d = dump_of(&m, &v);
	cr_expect(!strstr(d, "vermillion"));
	/* selected: its explanation panel shows the text it was given */
	snprintf(m.violations[0].explain, sizeof(m.violations[0].explain), "first: at 2.5 s");
	v = view(0, 10 * S_PS);
	v.selected = 0;
	d = dump_of(&m, &v);
	cr_expect(strstr(d, "'first: at 2.5 s'"));
}

static struct scenario *load(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("viz.json", text, strlen(text), &err);
	cr_assert(s, "%s: %s", err.path, err.msg);
	return s;
}

static const char migration[] =
	"{ \"name\": \"m\", \"duration\": \"2s\",\n"
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
	"    { \"name\": \"B\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"1h\" },\n"
	"  \"migrations\": [ { \"at\": \"1s\", \"to\": \"B\", \"downtime\": \"100ms\",\n"
	"    \"set_clock\": \"realtime\", \"tsc_scaling\": false, \"tsc_carry\": \"frozen\" } ],\n"
	"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
	"      \"period\": \"1ms\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } },\n"
	"    { \"name\": \"tsc\", \"kind\": \"tsc\", \"vcpus\": [0], \"period\": \"1ms\",\n"
	"      \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"window\": \"100ms\",\n"
	"                              \"expect\": \"fail\" } } } ] }\n";

/* The y of the first "text <colour> 6 <y> normal '<name>'" line. */
static int label_y(const char *d, const char *name)
{
	char want[64];
	const char *p;
	int y;

	snprintf(want, sizeof(want), " normal '%s'\n", name);
	p = strstr(d, want);
	if (!p)
		return -1;
	while (p > d && p[-1] != '\n')
		p--;
	if (sscanf(p, "text %*s 6 %d", &y) != 1)
		return -1;
	return y;
}

Test(viz_layout, lanes_of_a_migration_in_order)
{
	static struct viz_model m;
	struct scenario *s = load(migration);
	struct sim_diag err;
	static const char *const order[] = {
		"vCPU 0 TSC", "vCPU 1 TSC", "kc", "tsc", "vCPU 0 page", "vCPU 1 page", "host events",
	};
	struct viz_view v = view(0, 2 * S_PS);
	const char *d;
	int last = 0;

	sim_diag_clear(&err);
	cr_assert(viz_model_build(&m, s, 0, s->duration_ps, true, NULL, NULL, &err), "%s", err.msg);
	d = dump_of(&m, &v);
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int y = label_y(d, order[i]);

		cr_expect(y > last, "%s at y %d, after %d", order[i], y, last);
		last = y;
	}
	/* the migration's downtime is a band: the guest stopped at 1 s, for 100 ms */
	cr_assert_eq(m.nbands, 1);
	cr_expect_eq(m.bands[0].t0_ps, S_PS);
	cr_expect(m.bands[0].t1_ps >= S_PS + 100000000000ULL);
	/* lanes of one kind only */
	v.lanes = 1u << VIZ_LANE_READER;
	d = dump_of(&m, &v);
	cr_expect(label_y(d, "kc") > 0 && label_y(d, "tsc") > 0);
	cr_expect(label_y(d, "vCPU 0 TSC") < 0 && label_y(d, "vCPU 0 page") < 0);
	/* the tsc reader's rate violation is drawn where the trace put it */
	cr_assert(m.nviolations >= 1);
	v.lanes = VIZ_LANES_ALL;
	d = dump_of(&m, &v);
	{
		char want[64];

		snprintf(want, sizeof(want), "rect vermillion %d ",
			 x_of(0, 2 * S_PS, m.violations[0].t_ps) - 3);
		cr_expect(strstr(d, want));
		cr_expect(m.violations[0].t_ps > S_PS, "after the migration");
	}
	/* the status line gives the page under the cursor: even version (done), STABLE */
	{
		const char *p;
		unsigned version = 1;

		v.cursor_x = x_of(0, 2 * S_PS, 1500000000000ULL);
		v.cursor_y = label_y(d, "vCPU 1 page") + 4;
		d = dump_of(&m, &v);
		p = strstr(d, "vCPU 1 page: version ");
		cr_assert(p, "%s", d);
		cr_expect(sscanf(p, "vCPU 1 page: version %u", &version) == 1 && version % 2 == 0,
			  "version %u", version);
		cr_expect(strstr(p, "flags STABLE"));
	}
	viz_model_free(&m);
	scenario_destroy(s);
}

/*
 * Two sockets against an ideal 3 GHz clock (tsc_khz given, so no
 * calibration): socket 0's crystal is +20 ppm, so CPU 0's error grows to
 * +20 ppm x 2 s = +40 us.  Socket 1 is -20 ppm: over the host's hour of
 * uptime before t = 0 (crystals at their mean rate, sim/cpu-tsc/host.h) it
 * fell 40 ppm x 3600 s = 144 ms behind CPU 0, its reset came 500 us later,
 * and over the run it loses 20 ppm x 2 s = 40 us more against the ideal:
 * -144.54 ms at 2 s (to well under a microsecond).
 */
Test(viz_model, tsc_error_lanes_in_closed_form)
{
	static struct viz_model m;
	struct scenario *s = load(
		"{ \"name\": \"skew\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"n\", \"tsc\": \"3GHz\", \"tsc_khz\": 3000000, \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2, \"crystal\": \"+20ppm\" },\n"
		"                   { \"cpus\": 2, \"crystal\": \"-20ppm\", \"tsc_offset\": \"-500us\" } ] } ],\n"
		"  \"readers\": [ { \"name\": \"r\", \"kind\": \"tsc\", \"host\": \"n\", \"cpus\": [0],\n"
		"    \"period\": \"10ms\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct sim_diag err;
	const struct viz_bucket *b0, *b2;

	sim_diag_clear(&err);
	cr_assert(viz_model_build(&m, s, 0, s->duration_ps, true, NULL, NULL, &err), "%s", err.msg);
	cr_assert_eq(m.lanes[0].kind, VIZ_LANE_TSC);
	cr_assert_str_eq(m.lanes[2].name, "CPU 2 TSC");
	b0 = &m.lanes[0].u.b[VIZ_COLS - 1];
	b2 = &m.lanes[2].u.b[VIZ_COLS - 1];
	cr_expect(m.lanes[0].u.b[0].first == 0, "CPU 0 is the anchor at t = 0");
	cr_expect(b0->last > 40 * (int64_t)US_PS - 1000000 && b0->last < 40 * (int64_t)US_PS + 1000000,
		  "CPU 0 at 2 s: %lld ps", (long long)b0->last);
	cr_expect(b2->last > -144540 * (int64_t)US_PS - 1000000 &&
		  b2->last < -144540 * (int64_t)US_PS + 1000000, "CPU 2 at 2 s: %lld ps",
		  (long long)b2->last);
	/* a column's envelope brackets its ends: error grows, so min at its start */
	cr_expect(b0->min == b0->first && b0->max == b0->last);
	viz_model_free(&m);
	scenario_destroy(s);
}

/*
 * Several VMs: lanes per VM, labelled "VM name vCPU i".  VM a runs on a 3 GHz
 * host, VM b on a 2 GHz one, each guest TSC at its host's rate, so each TSC
 * lane keeps within a microsecond of its ideal clock (a lane sampling the
 * other VM's vCPU would drift by 1/3 or 1/2 of the elapsed time: over 0.6 s).
 * VM b is paused at 1 s for 100 ms: its pages are rewritten with
 * GUEST_STOPPED at the resume (KVM_KVMCLOCK_CTRL after the pause), VM a's never.
 */
Test(viz_model, lanes_per_vm)
{
	static struct viz_model m;
	struct scenario *s = load(
		"{ \"name\": \"vms\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"B\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vms\": [ { \"name\": \"a\", \"host\": \"A\", \"vcpus\": 2 },\n"
		"    { \"name\": \"b\", \"host\": \"B\", \"vcpus\": 2,\n"
		"      \"pauses\": [ { \"at\": \"1s\", \"duration\": \"100ms\" } ] } ],\n"
		"  \"readers\": [ { \"name\": \"ka\", \"vm\": \"a\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"      \"period\": \"10ms\" },\n"
		"    { \"name\": \"kb\", \"vm\": \"b\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"      \"period\": \"10ms\" } ] }\n");
	static const char *const names[] = {
		"VM a vCPU 0 TSC", "VM a vCPU 1 TSC", "VM b vCPU 0 TSC", "VM b vCPU 1 TSC", "ka", "kb",
		"VM a vCPU 0 page", "VM a vCPU 1 page", "VM b vCPU 0 page", "VM b vCPU 1 page",
	};
	struct sim_diag err;
	unsigned stopped[4] = { 0 };

	sim_diag_clear(&err);
	cr_assert(viz_model_build(&m, s, 0, s->duration_ps, true, NULL, NULL, &err), "%s", err.msg);
	cr_assert(m.nlanes >= 10);
	for (unsigned i = 0; i < 10; i++)
		cr_expect_str_eq(m.lanes[i].name, names[i]);
	for (unsigned i = 0; i < 4; i++) {
		const struct viz_bucket *b = &m.lanes[i].u.b[VIZ_COLS - 1];

		cr_expect(b->last > -(int64_t)US_PS && b->last < (int64_t)US_PS, "%s at 2 s: %lld ps",
			  names[i], (long long)b->last);
	}
	for (unsigned i = 0; i < 4; i++)
		for (unsigned c = 0; c < VIZ_COLS; c++)
			stopped[i] += (m.lanes[6 + i].u.bits[c] & VIZ_PAGE_STOPPED) != 0;
	cr_expect(stopped[0] == 0 && stopped[1] == 0, "VM a's pages: %u, %u columns STOPPED",
		  stopped[0], stopped[1]);
	cr_expect(stopped[2] > 0 && stopped[3] > 0, "VM b's pages: %u, %u columns STOPPED",
		  stopped[2], stopped[3]);
	viz_model_free(&m);
	scenario_destroy(s);
}

/* Memory does not depend on the run: the model is the same size for 2 s or 200 s. */
Test(viz_model, columns_are_fixed)
{
	cr_expect_eq(sizeof(struct viz_model) < 1u << 20, true);
	cr_expect_eq(VIZ_COLS, 1024);
}

Test(viz_layout, lane_names_parse)
{
	unsigned mask;
	char why[160];

	cr_assert(viz_parse_lanes("tsc,irq", &mask, why, sizeof(why)));
	cr_expect_eq(mask, (1u << VIZ_LANE_TSC) | (1u << VIZ_LANE_IRQ));
	cr_expect(!viz_parse_lanes("tsc,bogus", &mask, why, sizeof(why)));
	cr_expect(strstr(why, "unknown lane \"bogus\""), "%s", why);
}

/* The "lesson" key (sim/scenario/load_lesson.c): steps in order, defaults, errors with their place. */
static const char lesson_head[] =
	"{ \"name\": \"l\", \"duration\": \"2s\",\n"
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 1 } ] } ],\n"
	"  \"readers\": [ { \"name\": \"r\", \"kind\": \"tsc\", \"host\": \"A\", \"cpus\": [0],\n"
	"    \"period\": \"10ms\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"
	"  \"lesson\": ";

static struct scenario *lesson(const char *steps, struct sim_diag *err)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s }\n", lesson_head, steps);
	sim_diag_clear(err);
	return scenario_parse("lesson.json", buf, strlen(buf), err);
}

Test(viz_lesson, steps_load_in_order)
{
	struct sim_diag err;
	struct scenario *s = lesson("[ { \"at\": \"0.5s\", \"say\": \"look\", \"ask\": \"why?\",\n"
				    "      \"reveal\": \"because\" },\n"
				    "    { \"at\": \"1.5s\", \"say\": \"again\" } ]", &err);

	cr_assert(s, "%s: %s", err.path, err.msg);
	cr_assert_eq(s->nlesson, 2);
	cr_expect_eq(s->lesson[0].at_ps, 500000000000ULL);
	cr_expect_str_eq(s->lesson[0].say, "look");
	cr_expect_str_eq(s->lesson[0].ask, "why?");
	cr_expect_str_eq(s->lesson[0].reveal, "because");
	cr_expect_str_eq(s->lesson[1].ask, "");
	cr_expect_str_eq(s->lesson[1].path, "/lesson/1");
	scenario_destroy(s);
}

Test(viz_lesson, bad_steps_are_refused_where_they_are)
{
	static const struct {
		const char *steps, *path, *msg;
	} cases[] = {
		{ "[ { \"at\": \"1s\", \"say\": \"a\" }, { \"at\": \"0.5s\", \"say\": \"b\" } ]",
		  "/lesson/1/at", "expected lesson steps sorted by \"at\"" },
		{ "[ { \"at\": \"3s\", \"say\": \"a\" } ]", "/lesson/0/at", "" },
		{ "[ { \"at\": \"1s\", \"say\": \"\" } ]", "/lesson/0/say", "non-empty" },
		{ "[ { \"at\": \"1s\" } ]", "/lesson/0", "\"say\"" },
		{ "[ { \"at\": \"1s\", \"say\": \"a\", \"tell\": \"b\" } ]", "/lesson/0", "tell" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_diag err;
		struct scenario *s = lesson(cases[i].steps, &err);

		cr_expect(!s, "case %u loaded", i);
		scenario_destroy(s);
		cr_expect(strncmp(err.path, cases[i].path, strlen(cases[i].path)) == 0,
			  "case %u: path %s", i, err.path);
		cr_expect(strstr(err.msg, cases[i].msg), "case %u: %s", i, err.msg);
	}
}
