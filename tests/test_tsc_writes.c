/*
 * The VMM's TSC writes (sim/vmm/tsc_write.c) and the host checks that judge
 * them (oracle/hw/tsc_write.c, oracle/hw/stable_bit.c), run as scenarios.
 * Hosts run at exactly 3 GHz with a VM created at t = 0, so a vCPU's TSC
 * reads 3e9 * t until a write lands.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tests/machine_rig.h"

#define HEAD(ncpus, extra_host, extra_vm) \
	"{ \"name\": \"t\", \"duration\": \"5s\",\n" \
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1d\"" extra_host ",\n" \
	"               \"sockets\": [ { \"cpus\": " #ncpus " } ] } ],\n" \
	"  \"vm\": { \"host\": \"h\", \"vcpus\": " #ncpus extra_vm " },\n"

struct phases {
	unsigned n;
	char what[8][16];
	sim_ps at[8];
	unsigned tsc_writes[2];
};

static void on_record(void *ctx, const struct sim_trace_record *rec)
{
	struct phases *p = ctx;

	if (rec->kind == SIM_TRACE_TSC_WRITE && rec->u.tsc.vcpu < 2) {
		p->tsc_writes[rec->u.tsc.vcpu]++;
		return;
	}
	if (rec->kind != SIM_TRACE_VMM_PHASE || p->n >= 8 ||
	    strcmp(rec->u.vmm.action, "tsc_write") != 0)
		return;
	snprintf(p->what[p->n], sizeof(p->what[0]), "%s", rec->u.vmm.phase);
	p->at[p->n++] = rec->t_ps;
}

/*
 * Three writes.  vCPU 0 at 2 s, through KVM_VCPU_TSC_OFFSET, of what it read
 * at 1 s (3e9): a new generation whose offset makes it read 3e9 at 2 s.
 * vCPU 1 at 3 s, IA32_TSC = 0: KVM synchronises it to the current
 * generation, so it takes vCPU 0's offset and reads 6e9 right after (not
 * its own 9e9, and not 0): the check's worst, exactly.  vCPU 0 at 4 s, its
 * TSC (9e9) minus 1 ms (3e6 cycles): far from what the write of 0 predicts
 * (3e9), so it lands.
 */
Test(tsc_writes, values_phases_and_the_tsc_write_check)
{
	struct scenario *s = parse(HEAD(2, "", "") "  \"tsc_writes\": [\n"
		"    { \"at\": \"2s\", \"vcpu\": 0, \"saved_at\": \"1s\", \"via\": \"offset\" },\n"
		"    { \"at\": \"3s\", \"vcpu\": 1, \"value\": 0 },\n"
		"    { \"at\": \"4s\", \"vcpu\": 0, \"delta\": \"-1ms\" } ],\n"
		"  \"host_checks\": [ { \"check\": \"tsc_write\", \"expect\": \"fail\" } ] }\n");
	struct phases p = { 0 };
	const struct host_check_result *r;
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) |
				      SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE), on_record, &p));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(p.n, 4);
	cr_expect_str_eq(p.what[0], "save");
	cr_expect_eq(p.at[0], 1 * SIM_PS_PER_S);
	cr_expect_str_eq(p.what[1], "write");
	cr_expect_eq(p.at[1], 2 * SIM_PS_PER_S);
	cr_expect_str_eq(p.what[3], "write");
	cr_expect_eq(p.at[3], 4 * SIM_PS_PER_S);
	cr_expect_eq(p.tsc_writes[0], 2u);
	cr_expect_eq(p.tsc_writes[1], 1u);
	r = machine_host_check_result(m, 0);
	cr_assert(r && r->evaluated);
	cr_expect_not(r->passed);
	cr_expect_eq(r->samples, 3u);
	cr_expect_eq(r->violations, 1u);
	cr_expect_eq(r->worst, 6000000000LL);
	cr_expect_eq(r->first_ps, 3 * SIM_PS_PER_S);
	cr_expect(strstr(r->first, "write of 0"), "%s", r->first);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * stable_bit on an HPET host (no master clock): vCPU 1's page 5 us behind.
 * The VM booted an hour ago, so no page is rewritten during the run (no
 * first-load update): with the bit forced on, the kvmclock spread is the 5 us
 * lag to within a ns (both pages scale the same TSC with one mul/shift);
 * with KVM's rule the bit is never set and the check has nothing to judge.
 */
Test(tsc_writes, stable_bit_sees_a_stale_page_only_with_the_bit)
{
	static const char *const rules[] = { "always", "master_clock" };

	for (unsigned k = 0; k < 2; k++) {
		char text[1024];
		struct scenario *s;
		struct machine *m;
		const struct host_check_result *r;

		snprintf(text, sizeof(text), HEAD(2, ", \"clocksource\": \"hpet\"",
			 ", \"uptime\": \"1h\", \"stable_bit\": \"%s\", \"stale_page_vcpu\": 1, "
			 "\"stale_page_behind\": \"5us\"")
			 "  \"host_checks\": [ { \"check\": \"stable_bit\", \"expect\": \"%s\" } ] }\n",
			 rules[k], k ? "pass" : "fail");
		s = parse(text);
		m = run(s);
		r = machine_host_check_result(m, 0);
		cr_assert(r && r->evaluated);
		cr_expect_eq(r->passed, k == 1, "%s", rules[k]);
		if (k == 0) {
			cr_expect_geq(r->worst, 4999000, "%" PRId64, r->worst);
			cr_expect_leq(r->worst, 5001000, "%" PRId64, r->worst);
			cr_expect(strstr(r->first, "vCPU 1's kvmclock reads"), "%s", r->first);
		} else {
			cr_expect_eq(r->samples, 0u);
		}
		machine_destroy(m);
		scenario_destroy(s);
	}
}

/*
 * TSC offsets 1.2 ms apart (3.6e6 cycles at 3 GHz) with the bit forced on:
 * the TSC spread is exactly 1.2 ms, and KVM's master clock is off.
 */
Test(tsc_writes, stable_bit_sees_unsynchronised_offsets)
{
	struct scenario *s = parse(HEAD(2, "", ", \"stable_bit\": \"always\"") "  \"tsc_writes\": [\n"
		"    { \"at\": \"1s\", \"vcpu\": 1, \"via\": \"offset\", \"delta\": \"-1.2ms\" } ],\n"
		"  \"host_checks\": [ { \"check\": \"stable_bit\", \"expect\": \"fail\" } ] }\n");
	struct machine *m = run(s);
	const struct host_check_result *r = machine_host_check_result(m, 0);

	cr_assert(r && r->evaluated);
	cr_expect_not(r->passed);
	cr_expect_eq(r->worst, 1200 * (int64_t)SIM_PS_PER_US);
	cr_expect(strstr(r->first, "master clock is off"), "%s", r->first);
	cr_expect_not(machine_master_clock(m, 0));
	machine_destroy(m);
	scenario_destroy(s);
}

/* The loader: value and saved_at exclude each other; saved_at not after at. */
Test(tsc_writes, loader_rejects_value_with_saved_at)
{
	static const char *const bad[] = {
		"{ \"at\": \"2s\", \"vcpu\": 0, \"value\": 5, \"saved_at\": \"1s\" }",
		"{ \"at\": \"2s\", \"vcpu\": 0, \"saved_at\": \"3s\" }",
		"{ \"at\": \"2s\", \"vcpu\": 2 }",
	};

	for (unsigned i = 0; i < 3; i++) {
		char text[1024];
		struct sim_diag err;

		snprintf(text, sizeof(text), HEAD(2, "", "") "  \"tsc_writes\": [ %s ],\n"
			 "  \"host_checks\": [ { \"check\": \"tsc_write\", \"expect\": \"pass\" } ] }\n",
			 bad[i]);
		sim_diag_clear(&err);
		cr_expect_null(scenario_parse("inline.json", text, strlen(text), &err), "%s", bad[i]);
		cr_expect(strstr(err.path, "/tsc_writes/0"), "%s: %s", bad[i], err.path);
	}
}
