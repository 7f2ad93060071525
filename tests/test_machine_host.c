/*
 * The machine with a VM on a host that changes under it: the VM stops while
 * its host sleeps and KVM compensates the TSC reset on resume; a clocksource
 * switch of the host (an event, or the watchdog acting on a demotion) turns
 * the VM's master clock off (sim/kvm/host_notify.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "sim/core/trace.h"
#include "tests/machine_rig.h"

#define MS_PS ((sim_ps)SIM_PS_PER_MS)

static const char *const host_json =
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
	"    \"tsc_features\": { \"tsc_adjust\": false }, \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"1h\" },\n"
	"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"1ms\",\n"
	"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ]";

static struct scenario *scenario_with(const char *duration, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text), "{ \"name\": \"hv\", \"duration\": \"%s\",\n%s%s }\n", duration,
		 host_json, extra);
	return parse(text);
}

/*
 * A 1 ms reader on a VM whose host sleeps from 1 s to 2 s of a 3 s run reads
 * for 2 s only (about 2000 reads, not 3000).  The TSC came back from RESET:
 * KVM saw it go backwards, so the master clock is off at the end.
 */
Test(machine_host, vm_stops_while_its_host_sleeps)
{
	struct scenario *s = scenario_with("3s", ",\n  \"events\": [ { \"type\": \"suspend\", \"at\": \"1s\", "
					   "\"kind\": \"S3\", \"duration\": \"1s\" } ]");
	struct machine *m = run(s);
	uint64_t reads = machine_group_stats(m, 0).reads;

	cr_expect(reads >= 1995 && reads <= 2005, "VM reader: %" PRIu64 " reads", reads);
	cr_expect_not(machine_master_clock(m, 0));
	machine_destroy(m);
	scenario_destroy(s);
}

/* Without the suspend the same reader reads for the whole run and the master clock stays. */
Test(machine_host, vm_runs_on_without_host_events)
{
	struct scenario *s = scenario_with("3s", "");
	struct machine *m = run(s);
	uint64_t reads = machine_group_stats(m, 0).reads;

	cr_expect(reads >= 2995 && reads <= 3005, "VM reader: %" PRIu64 " reads", reads);
	cr_expect(machine_master_clock(m, 0));
	machine_destroy(m);
	scenario_destroy(s);
}

struct pages_after {
	sim_ps after_ps;
	unsigned stable, unstable;
	bool mc_off_seen;
};

static void count_pages(void *ctx, const struct sim_trace_record *rec)
{
	struct pages_after *p = ctx;

	if (rec->t_ps < p->after_ps)
		return;
	if (rec->kind == SIM_TRACE_MASTER_CLOCK && !rec->u.master.use_master_clock)
		p->mc_off_seen = true;
	if (rec->kind != SIM_TRACE_PVCLOCK_WRITE)
		return;
	if (rec->u.pvclock.flags & PVCLOCK_TSC_STABLE_BIT)
		p->stable++;
	else
		p->unstable++;
}

static struct pages_after run_counting(const struct scenario *s, sim_ps after, bool *mc)
{
	struct pages_after p = { .after_ps = after };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) |
				      SIM_TRACE_BIT(SIM_TRACE_MASTER_CLOCK), count_pages, &p));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	*mc = machine_master_clock(m, 0);
	machine_destroy(m);
	return p;
}

/*
 * {"type": "clocksource", "to": "hpet"} at 1 s: KVM hears of it, the master
 * clock goes off and both vCPUs' pages are rewritten without the stable bit.
 */
Test(machine_host, clocksource_event_turns_the_master_clock_off)
{
	struct scenario *s = scenario_with("2s", ",\n  \"events\": [ { \"type\": \"clocksource\", \"at\": \"1s\", "
					   "\"to\": \"hpet\" } ]");
	bool mc = true;
	struct pages_after p = run_counting(s, 1000 * MS_PS, &mc);

	cr_expect_not(mc);
	cr_expect(p.mc_off_seen);
	cr_expect_geq(p.unstable, 2, "both pages rewritten without the stable bit");
	cr_expect_eq(p.stable, 0);
	scenario_destroy(s);
}

/*
 * The watchdog with "demote": every 4th HPET read 600 us late demotes the TSC
 * at 1.0006 s (docs/clocks.md); the host switches to the HPET and marks the
 * TSC unstable, and the VM loses its master clock.  Without "demote" the
 * check only judges: the master clock stays.
 */
Test(machine_host, watchdog_demotion_reaches_the_vm_only_with_demote)
{
/* a macro: -Wformat-nonliteral sees the literal at -O0 too */
#define WATCHDOG_FMT \
		",\n  \"host_checks\": [ { \"check\": \"watchdog\", \"expect\": \"fail\", \"delay_every\": 4,\n" \
		"    \"delay\": \"600us\"%s } ]"
	const bool demote[] = { false, true };

	for (unsigned i = 0; i < 2; i++) {
		char extra[256];
		struct scenario *s;
		struct machine *m;

		snprintf(extra, sizeof(extra), WATCHDOG_FMT, demote[i] ? ", \"demote\": true" : "");
		s = scenario_with("2s", extra);
		m = run(s);
		cr_expect_eq(machine_master_clock(m, 0), !demote[i], "demote %d", demote[i]);
		cr_expect_eq(machine_host(m, 0)->clocksource, demote[i] ? HOST_CS_HPET : HOST_CS_TSC);
		cr_expect_eq(machine_host(m, 0)->tsc_unstable, demote[i]);
		machine_destroy(m);
		scenario_destroy(s);
	}
}

/*
 * The guest's watchdog (kvm-clock against the guest TSC).  The host switches
 * to an HPET 50 ppm slow at 1 s; KVM anchors each page on it, and the 300 s
 * periodic rewrite steps each page back by 50 ppm x ~299 s = 14.95 ms.  The
 * guest's next check, at 300.5 s, sees cs_nsec - wd_nsec = +14.95 ms, beyond
 * md = 250 + 250 us: it would demote its TSC, a false positive.  Without the
 * switch it never does.
 */
Test(machine_host, guest_watchdog_sees_the_page_step_as_skew)
{
/* a macro: -Wformat-nonliteral sees the literal at -O0 too */
#define SWITCH_FMT \
		"{ \"name\": \"gw\", \"duration\": \"302s\",\n" \
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"hpet_crystal\": \"-50ppm\",\n" \
		"    \"tsc_features\": { \"tsc_adjust\": false }, \"sockets\": [ { \"cpus\": 2 } ] } ],\n" \
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"1h\" },\n" \
		"  %s\"host_checks\": [ { \"check\": \"watchdog\", \"clocksource\": \"kvm-clock\",\n" \
		"    \"expect\": \"%s\" } ] }\n"
	const bool switched[] = { false, true };

	for (unsigned i = 0; i < 2; i++) {
		char text[1024];
		const struct host_check_result *r;
		struct scenario *s;
		struct machine *m;

		snprintf(text, sizeof(text), SWITCH_FMT, switched[i] ?
			 "\"events\": [ { \"type\": \"clocksource\", \"at\": \"1s\", \"to\": \"hpet\" } ],\n  " : "",
			 switched[i] ? "fail" : "pass");
		s = parse(text);
		m = run(s);
		r = machine_host_check_result(m, 0);
		cr_assert(r);
		cr_expect_eq(r->passed, !switched[i]);
		if (switched[i]) {
			cr_expect(r->false_positive);
			cr_expect(r->worst > 14940 * (int64_t)SIM_PS_PER_US &&
				  r->worst < 14960 * (int64_t)SIM_PS_PER_US, "skew %" PRId64 " ps", r->worst);
			cr_expect(r->first_ps >= 300500 * MS_PS && r->first_ps < 300501 * MS_PS,
				  "demoted at %" PRIu64 " ps", r->first_ps);
		}
		machine_destroy(m);
		scenario_destroy(s);
	}
}
