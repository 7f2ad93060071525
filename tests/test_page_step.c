/*
 * The page_step host check from a C config, fed hand-made pvclock_write
 * records.  The VM runs on an exact 2 GHz host created at t = 0 with guest
 * uptime 0, so vCPU v's guest TSC at t is floor(t_ps / 500) and a page with
 * mul 2^31, shift 0 adds (g - tsc_timestamp) / 2 ns: every expected value
 * below is that arithmetic done by hand.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "oracle/hw/host_checks.h"
#include "sim/kvm/kvm.h"

#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)

static const unsigned pins[2] = { 0, 1 };

struct rig {
	struct host host;
	struct sim_eventq q;
	struct kvm_vm vm;
	struct sim_trace trace;
	struct host_checks *hc;
};

static void make_host(struct host *h)
{
	static const struct host_socket_params one[1] = { { .ncpus = 2 } };
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(2000000000ULL),
		.uptime_ns = 1000ULL * SIM_NS_PER_S,
		.clocksource_auto = true,
		.platform_nominal = sim_freq_hz(24000000),
		.nsockets = 1,
		.sockets = one,
	};
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(host_init(h, &hp, &err), "host_init: %s", err.msg);
}

static void rig_init(struct rig *r, const struct host_check_config *cfgs, unsigned n)
{
	struct kvm_params kp = {
		.version = KVM_VERSION_DEFAULT,
		.vendor = KVM_VENDOR_VMX,
		.nvcpus = 2,
		.pins = pins,
		.stable_bit_cpuid = true,
		.update_delay_ps = KVM_CLOCK_UPDATE_DELAY_PS,
		.seed = 1,
	};
	struct host_checks_env env;
	struct sim_diag err;

	make_host(&r->host);
	sim_diag_clear(&err);
	sim_eventq_init(&r->q);
	cr_assert(kvm_vm_init(&r->vm, &kp, &r->host, &r->q, 0, &err), "kvm_vm_init: %s", err.msg);
	sim_trace_init(&r->trace);
	env = (struct host_checks_env){
		.hosts = &r->host, .nhosts = 1, .q = &r->q, .vm = &r->vm, .trace = &r->trace,
	};
	r->hc = host_checks_create(&env, cfgs, n, &err);
	cr_assert(r->hc, "host_checks_create: %s", err.msg);
}

static void rig_finish(struct rig *r)
{
	host_checks_destroy(r->hc);
	kvm_vm_finish(&r->vm);
	sim_eventq_finish(&r->q);
	host_finish(&r->host);
}

/* KVM wrote vCPU v's page at t: system_time at tsc_timestamp, 1/2 ns per cycle. */
static void page(struct rig *r, sim_ps t, unsigned v, uint64_t tsc_timestamp, uint64_t system_ns)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_PVCLOCK_WRITE, .t_ps = t };

	rec.u.pvclock = (struct sim_trace_pvclock_write){
		.vcpu = v,
		.version = 2,
		.tsc_timestamp = tsc_timestamp,
		.system_time_ns = system_ns,
		.tsc_to_system_mul = 0x80000000u,
		.tsc_shift = 0,
		.flags = PVCLOCK_TSC_STABLE_BIT,
	};
	sim_trace_publish(&r->trace, &rec);
}

static struct host_check_config config(enum host_check_page_step_measure measure,
				       enum oracle_expect expect)
{
	struct host_check_config c;

	memset(&c, 0, sizeof(c));
	c.kind = HOST_CHECK_PAGE_STEP;
	strcpy(c.name, measure == HOST_CHECK_PAGE_STEP_SPREAD ? "spread" : "step");
	c.expect = expect;
	c.page_step.measure = measure;
	c.page_step.threshold_ps = 1000;
	return c;
}

Test(page_step, step_is_new_minus_old_at_the_rewrites_guest_tsc)
{
	struct host_check_config c = config(HOST_CHECK_PAGE_STEP_STEP, ORACLE_EXPECT_FAIL);
	const struct host_check_result *r;
	struct rig rig;

	rig_init(&rig, &c, 1);
	cr_assert_eq(kvm_vcpu_guest_tsc(&rig.vm.vcpus[0], S(2)), 4000000000ULL);
	/* kvmclock = g / 2: exactly t in ns */
	page(&rig, S(1), 0, 0, 0);
	/* at g = 4e9 the old page gives 2e9, the new one 2e9 - 3509: -3509 ns */
	page(&rig, S(2), 0, 4000000000ULL, 2000000000ULL - 3509);
	/* at g = 6e9: old 2e9 - 3509 + 1e9, new 3e9 - 3499: +10 ns, over the 1 ns threshold */
	page(&rig, S(3), 0, 6000000000ULL, 3000000000ULL - 3499);
	/* the same page again: a step of 0 holds */
	page(&rig, S(4), 0, 6000000000ULL, 3000000000ULL - 3499);
	host_checks_finish_run(rig.hc, S(5));
	r = host_checks_result(rig.hc, 0);
	cr_expect(r->evaluated);
	cr_expect_not(r->passed);
	cr_expect_eq(r->samples, 3, "the first page is not a rewrite");
	cr_expect_eq(r->violations, 2);
	cr_expect_eq(r->worst, -3509 * (int64_t)SIM_PS_PER_NS);
	cr_expect_eq(r->first_ps, S(2));
	cr_expect(strstr(r->first, "steps kvmclock back by 3.509 us"), "%s", r->first);
	cr_expect(strstr(r->first, "the old page gives 2000000000 ns, the new one 1999996491 ns"),
		  "%s", r->first);
	cr_expect(r->expectation_met);
	rig_finish(&rig);
}

Test(page_step, spread_is_measured_over_each_quiet_span)
{
	struct host_check_config c = config(HOST_CHECK_PAGE_STEP_SPREAD, ORACLE_EXPECT_FAIL);
	const struct host_check_result *r;
	struct rig rig;

	rig_init(&rig, &c, 1);
	/* from 1 s both pages agree */
	page(&rig, S(1), 0, 0, 0);
	page(&rig, S(1), 1, 0, 0);
	/* at 2 s vCPU 1 moves 40 ns ahead (vCPU 0 keeps its page) */
	page(&rig, S(2), 1, 4000000000ULL, 2000000000ULL + 40);
	/* at 3 s vCPU 0 catches up: one write, then the same instant's second (no span between) */
	page(&rig, S(3), 0, 6000000000ULL, 3000000000ULL + 40);
	page(&rig, S(3), 0, 6000000000ULL, 3000000000ULL + 40);
	host_checks_finish_run(rig.hc, S(4));
	r = host_checks_result(rig.hc, 0);
	/* spans [1, 2): 0; [2, 3): 40 ns; [3, end): 0 */
	cr_expect_eq(r->samples, 3);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, 40 * (int64_t)SIM_PS_PER_NS);
	cr_expect_eq(r->first_ps, S(2));
	cr_expect(strstr(r->first, "vCPU 1's kvmclock was 40000 ps ahead of vCPU 0's"), "%s",
		  r->first);
	cr_expect(strstr(r->first, "from 2.000000000 s to 3.000000000 s"), "%s", r->first);
	cr_expect(strstr(r->first, "(pages last written at 2.000000000 s and 1.000000000 s)"), "%s",
		  r->first);
	cr_expect(r->expectation_met);
	rig_finish(&rig);
}

Test(page_step, needs_a_vm)
{
	struct host_check_config c = config(HOST_CHECK_PAGE_STEP_STEP, ORACLE_EXPECT_PASS);
	struct host_checks_env env;
	struct host_checks *hc;
	struct sim_eventq q;
	struct sim_diag err;
	struct host h;

	make_host(&h);
	sim_eventq_init(&q);
	env = (struct host_checks_env){ .hosts = &h, .nhosts = 1, .q = &q };
	sim_diag_clear(&err);
	hc = host_checks_create(&env, &c, 1, &err);
	cr_expect_null(hc);
	cr_expect(strstr(err.msg, "needs a \"vm\""), "%s", err.msg);
	host_checks_destroy(hc);
	sim_eventq_finish(&q);
	host_finish(&h);
}
