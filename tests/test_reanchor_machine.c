/*
 * Re-anchoring through whole runs: the clock_update VMM action (its phases,
 * repeats and stagger), the page_step host check on both measures, and the
 * loader's rules for the new keys.  Expected values are derived in the
 * comments; the per-second slope is the F06 one of tests/test_reanchor.c.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"
#include "sim/vmm/vmm.h"

#define MS_PS SIM_PS_PER_MS
#define NS_PS SIM_PS_PER_NS

static struct scenario *parse(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	return s;
}

/* The loader's message for a bad text (the scenario must not load). */
static void expect_error(const char *text, const char *path, const char *msg)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_assert_null(s, "loaded: %s", text);
	cr_expect_str_eq(err.path, path);
	cr_expect(strstr(err.msg, msg), "message '%s' lacks '%s'", err.msg, msg);
}

/* Every record, violations included, arrives in time order. */
static void ordered(void *ctx, const struct sim_trace_record *rec)
{
	sim_ps *last = ctx;

	cr_expect_geq(rec->t_ps, *last, "a %s record went back in time",
		      sim_trace_kind_name(rec->kind));
	*last = rec->t_ps;
}

static struct machine *run(const struct scenario *s, sim_trace_fn *fn, void *ctx)
{
	static sim_ps last;
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	last = 0;
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_ALL, ordered, &last));
	if (fn)
		cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) |
					      SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE), fn, ctx));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	return m;
}

/* The F06 host and a scaled guest; %s: the VM's extra keys, the clock updates, the checks. */
#define F06_HOST "  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"tsc_khz\": 2999999, " \
		 "\"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"

struct tally {
	unsigned nphases;
	sim_ps phase_ps[8];
	unsigned pages[2];           /* after 500 ms */
	sim_ps last_page_ps[2];
};

static void tally(void *ctx, const struct sim_trace_record *rec)
{
	struct tally *t = ctx;

	if (rec->kind == SIM_TRACE_VMM_PHASE) {
		cr_expect_str_eq(rec->u.vmm.action, "clock_update");
		cr_expect_str_eq(rec->u.vmm.phase, "request");
		if (t->nphases < 8)
			t->phase_ps[t->nphases] = rec->t_ps;
		t->nphases++;
	} else if (rec->t_ps >= 500 * MS_PS && rec->u.pvclock.vcpu < 2) {
		t->pages[rec->u.pvclock.vcpu]++;
		t->last_page_ps[rec->u.pvclock.vcpu] = rec->t_ps;
	}
}

Test(reanchor_machine, clock_update_action_is_listed)
{
	const char *const *ph = vmm_action_phases(VMM_CLOCK_UPDATE);

	cr_expect_str_eq(vmm_action_name(VMM_CLOCK_UPDATE), "clock_update");
	cr_expect_str_eq(ph[0], "request");
	cr_expect_null(ph[1]);
}

/*
 * Master clock updates every 1 s from 1 s, 3 of them, on the F06 guest: each
 * re-anchor comes 1 s after the last, so each steps by 1 s x (666.7 +
 * 35.3) ppb = -702 ns (+-1 ns of flooring): 3 violations, worst -702 ns.
 */
Test(reanchor_machine, periodic_master_clock_updates_each_step_back)
{
	struct scenario *s = parse(
		"{ \"name\": \"t\", \"duration\": \"4500ms\",\n" F06_HOST
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"tsc_khz\": 1499999, \"entry_latency\": \"0s\" },\n"
		"  \"clock_updates\": [ { \"at\": \"1s\", \"request\": \"masterclock\", \"every\": \"1s\",\n"
		"    \"count\": 3 } ],\n"
		"  \"host_checks\": [ { \"check\": \"page_step\", \"expect\": \"fail\" } ] }\n");
	struct tally t = { 0 };
	struct machine *m = run(s, tally, &t);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_assert_eq(t.nphases, 3);
	for (unsigned i = 0; i < 3; i++)
		cr_expect_eq(t.phase_ps[i], (sim_ps)(i + 1) * 1000 * MS_PS);
	/* every vCPU's page follows each update at once (entry latency 0) */
	cr_expect_eq(t.pages[0], 3);
	cr_expect_eq(t.pages[1], 3);
	cr_expect_eq(t.last_page_ps[1], 3000 * MS_PS);
	cr_expect_eq(r->violations, 6, "3 updates x 2 vCPUs");
	cr_expect(r->worst >= -703 * (int64_t)NS_PS && r->worst <= -701 * (int64_t)NS_PS,
		  "worst %" PRId64 " ps", r->worst);
	cr_expect(strstr(r->first, "steps kvmclock back"), "%s", r->first);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The same update staggered by 100 ms on the raw base (6.12, no NTP): vCPU 0
 * gets the pair taken at 1 s, vCPU 1 keeps the boot pair until 1.1 s, so for
 * that span the two disagree by the re-anchoring step itself, 702 ns.
 */
Test(reanchor_machine, staggered_update_spreads_by_the_step)
{
	struct scenario *s = parse(
		"{ \"name\": \"t\", \"duration\": \"1500ms\",\n" F06_HOST
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"tsc_khz\": 1499999, \"entry_latency\": \"0s\" },\n"
		"  \"clock_updates\": [ { \"at\": \"1s\", \"request\": \"masterclock\", \"stagger\": \"100ms\" } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"1ms\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"
		"  \"host_checks\": [ { \"check\": \"page_step\", \"measure\": \"spread\", \"expect\": \"fail\" },\n"
		"    { \"check\": \"page_step\", \"expect\": \"fail\" } ] }\n");
	struct tally t = { 0 };
	struct machine *m = run(s, tally, &t);
	const struct host_check_result *spread = machine_host_check_result(m, 0);
	const struct host_check_result *step = machine_host_check_result(m, 1);

	cr_expect_eq(t.nphases, 1);
	cr_expect_eq(t.last_page_ps[0], 1000 * MS_PS);
	cr_expect_eq(t.last_page_ps[1], 1100 * MS_PS);
	cr_expect_eq(spread->violations, 1);
	cr_expect(spread->worst >= 701 * (int64_t)NS_PS && spread->worst <= 703 * (int64_t)NS_PS,
		  "spread %" PRId64 " ps", spread->worst);
	cr_expect(strstr(spread->first, "vCPU 1's kvmclock") || strstr(spread->first, "vCPU 0's kvmclock"),
		  "%s", spread->first);
	/* vCPU 1's page, rewritten at 1.1 s from the 1 s pair, steps by the same amount */
	cr_expect(step->worst >= -703 * (int64_t)NS_PS && step->worst <= -701 * (int64_t)NS_PS,
		  "step %" PRId64 " ps", step->worst);
	cr_expect_eq(step->violations, 2);
	machine_destroy(m);
	scenario_destroy(s);
}

/* With the guest-TSC anchor nothing steps and nothing spreads, however the update is taken. */
Test(reanchor_machine, guest_tsc_anchor_passes_both_measures)
{
	struct scenario *s = parse(
		"{ \"name\": \"t\", \"duration\": \"3500ms\",\n" F06_HOST
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"tsc_khz\": 1499999, \"entry_latency\": \"0s\",\n"
		"    \"masterclock_anchor\": \"guest_tsc\" },\n"
		"  \"clock_updates\": [ { \"at\": \"1s\", \"request\": \"masterclock\", \"every\": \"1s\" } ],\n"
		"  \"host_checks\": [ { \"check\": \"page_step\", \"measure\": \"spread\", \"expect\": \"pass\",\n"
		"    \"threshold\": \"0ns\" },\n"
		"    { \"check\": \"page_step\", \"expect\": \"pass\", \"threshold\": \"0ns\" } ] }\n");
	struct machine *m = run(s, NULL, NULL);

	for (unsigned i = 0; i < 2; i++) {
		const struct host_check_result *r = machine_host_check_result(m, i);

		cr_expect(r->evaluated);
		cr_expect(r->expectation_met, "check %u: %s", i, r->first);
		cr_expect_eq(r->worst, 0);
	}
	machine_destroy(m);
	scenario_destroy(s);
}

#define WITH_VM(updates) "{ \"name\": \"t\", \"duration\": \"1s\",\n" F06_HOST \
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 2 },\n  \"clock_updates\": [ " updates " ],\n" \
	"  \"host_checks\": [ { \"check\": \"page_step\", \"expect\": \"pass\" } ] }\n"

Test(reanchor_machine, loader_rules)
{
	expect_error("{ \"name\": \"t\", \"duration\": \"1s\",\n" F06_HOST
		     "  \"host_checks\": [ { \"check\": \"page_step\", \"expect\": \"pass\" } ] }\n",
		     "/host_checks/0/check", "needs a \"vm\"");
	expect_error("{ \"name\": \"t\", \"duration\": \"1s\",\n" F06_HOST
		     "  \"events\": [ { \"type\": \"ntp_adjust\", \"at\": \"0s\", \"freq\": \"501ppm\" } ],\n"
		     "  \"host_checks\": [ { \"check\": \"flag_truth\", \"expect\": \"pass\" } ] }\n",
		     "/events/0/freq", "expected an offset from -500ppm to +500ppm");
	expect_error("{ \"name\": \"t\", \"duration\": \"1s\",\n" F06_HOST
		     "  \"clock_updates\": [ { \"at\": \"0s\", \"request\": \"vcpu\" } ],\n"
		     "  \"host_checks\": [ { \"check\": \"flag_truth\", \"expect\": \"pass\" } ] }\n",
		     "/clock_updates", "clock updates need a VM");
	expect_error(WITH_VM("{ \"at\": \"1s\", \"request\": \"vcpu\" }"), "/clock_updates/0/at",
		     "expected a time before the end of the run");
	expect_error(WITH_VM("{ \"at\": \"0s\", \"request\": \"vcpu\", \"vcpu\": 2 }"),
		     "/clock_updates/0/vcpu", "expected a vCPU index");
	expect_error(WITH_VM("{ \"at\": \"0s\", \"request\": \"vcpu\", \"count\": 2 }"),
		     "/clock_updates/0/count", "needs \"every\"");
	expect_error(WITH_VM("{ \"at\": \"0s\", \"request\": \"global\", \"stagger\": \"1ms\" }"),
		     "/clock_updates/0/stagger", "needs \"request\": \"masterclock\"");
	expect_error(WITH_VM("{ \"at\": \"0s\", \"request\": \"masterclock\", \"every\": \"100ms\", "
			     "\"stagger\": \"100ms\" }"),
		     "/clock_updates/0/stagger", "not before the next one");
	expect_error(WITH_VM("{ \"at\": \"0s\", \"request\": \"clock\" }"),
		     "/clock_updates/0/request", "expected one of");
}
