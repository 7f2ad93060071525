/*
 * timer_live and disc_signal from C configs and hand-made trace records
 * (oracle/hw/timer_live.c, disc_signal.c): the verdicts and worst values
 * below are worked out by hand from the records, on the exact 2 GHz rig
 * host of kvm_rig.h (2 cycles per ns).
 */
#include "tests/kvm_rig.h"

#include <string.h>

#include "oracle/hw/host_checks.h"

#define CYC_PER_MS 2000000ULL

struct hc_rig {
	struct rig r;
	struct sim_trace trace;
	struct host_checks *hc;
};

static void hc_up(struct hc_rig *h, const struct host_check_config *cfg)
{
	struct kvm_params p = default_params();
	struct host_checks_env env;
	struct sim_diag err;

	p.entry_latency_max_ps = 0;
	rig_init(&h->r, HOST_TSC, &p);
	run(&h->r, MS(1));
	sim_trace_init(&h->trace);
	env = (struct host_checks_env){
		.hosts = &h->r.host, .nhosts = 1, .q = &h->r.q, .vm = &h->r.vm, .trace = &h->trace,
	};
	sim_diag_clear(&err);
	h->hc = host_checks_create(&env, cfg, 1, &err);
	cr_assert(h->hc, "%s", err.msg);
}

static void hc_down(struct hc_rig *h)
{
	sim_eventq_finish(&h->r.q);
	host_checks_destroy(h->hc);
	rig_finish(&h->r);
}

static void phase(struct hc_rig *h, const char *name, sim_ps t)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_VMM_PHASE, .t_ps = t };

	rec.u.vmm = (struct sim_trace_vmm_phase){ .action = "snapshot", .phase = name };
	sim_trace_publish(&h->trace, &rec);
	/* as the VMM does: the guest stops after its "pause" phase, runs after "resume" */
	if (strcmp(name, "pause") == 0 || strcmp(name, "resume") == 0) {
		rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_RUN, .t_ps = t };
		rec.u.run = (struct sim_trace_guest_run){
			.action = "snapshot", .running = name[0] == 'r', .vm_clock = true,
		};
		sim_trace_publish(&h->trace, &rec);
	}
}

static void timer(struct hc_rig *h, unsigned vcpu, bool fire, sim_ps t, sim_ps armed,
		  uint64_t deadline, uint64_t tsc, uint64_t kvmclock, uint8_t flags)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_GUEST_TIMER, .t_ps = t };

	rec.u.timer = (struct sim_trace_guest_timer){
		.vcpu = vcpu, .mode = "deadline", .fire = fire, .armed_ps = armed,
		.period_ps = MS(100), .deadline_tsc = deadline, .guest_tsc = tsc,
		.tsc_khz = 2000000, .kvmclock_ns = kvmclock, .page_flags = flags,
	};
	sim_trace_publish(&h->trace, &rec);
}

static struct host_check_config live_config(void)
{
	struct host_check_config c = { .kind = HOST_CHECK_TIMER_LIVE, .expect = ORACLE_EXPECT_PASS };

	strcpy(c.name, "live");
	c.timer_live.slack_ps = MS(10);
	c.timer_live.silent_max_ps = S(1);
	return c;
}

/* 10 ms late is within a 10 ms slack; one cycle more (0.5 ns, printed in whole ns) is not. */
Test(lifecycle_checks, timer_live_lateness_against_the_slack)
{
	struct host_check_config c = live_config();
	const uint64_t d = 1000 * CYC_PER_MS;
	struct hc_rig h;
	const struct host_check_result *r;

	hc_up(&h, &c);
	timer(&h, 0, false, MS(400), MS(400), d, 0, 0, 0);
	timer(&h, 0, true, MS(500), MS(400), d, d + 10 * CYC_PER_MS, 0, 0);
	timer(&h, 0, false, MS(500), MS(500), d + 200 * CYC_PER_MS, 0, 0, 0);
	host_checks_finish_run(h.hc, MS(600));
	r = host_checks_result(h.hc, 0);
	cr_expect(r->passed, "%s", r->first);
	cr_expect_eq(r->worst, (int64_t)MS(100), "the silence 0.4 s to 0.5 s, then 0.5 to 0.6");
	hc_down(&h);

	hc_up(&h, &c);
	timer(&h, 0, false, MS(400), MS(400), d, 0, 0, 0);
	timer(&h, 0, true, MS(500), MS(400), d, d + 10 * CYC_PER_MS + 1, 0, 0);
	host_checks_finish_run(h.hc, MS(500));
	r = host_checks_result(h.hc, 0);
	cr_expect(!r->passed);
	cr_expect_eq(r->violations, 1);
	cr_expect(strstr(r->first, "vCPU 0: deadline timer fired 10.000000 ms late"), "%s", r->first);
	hc_down(&h);
}

/*
 * Armed at 1 s for a deadline then; the VM stops at 1.05 s and resumes at
 * 6.05 s; the interrupt at 6.07 s finds the TSC 5.07 s of cycles past the
 * deadline.  Lateness counts from the resume: 20 ms (> 10 ms slack); the
 * silence is 0.9 s to the stop (150 ms), then the resume to the interrupt
 * (20 ms).  Worst: 150 ms.
 */
Test(lifecycle_checks, timer_live_counts_from_the_resume)
{
	struct host_check_config c = live_config();
	const uint64_t d = 1000 * CYC_PER_MS;
	struct hc_rig h;
	const struct host_check_result *r;

	hc_up(&h, &c);
	timer(&h, 1, false, MS(900), MS(900), d, 0, 0, 0);
	phase(&h, "pause", MS(1050));
	phase(&h, "restore", MS(6050));
	phase(&h, "tsc_deadline", MS(6050));
	phase(&h, "tsc", MS(6050));
	phase(&h, "resume", MS(6050));
	timer(&h, 1, true, MS(6070), MS(900), d, d + 5070 * CYC_PER_MS, 0, 0);
	host_checks_finish_run(h.hc, MS(6080));
	r = host_checks_result(h.hc, 0);
	cr_expect_eq(r->worst, (int64_t)MS(150));
	cr_expect_eq(r->violations, 1);
	cr_expect(strstr(r->first, "fired 20.000000 ms late"), "%s", r->first);
	hc_down(&h);
}

/* A vCPU armed at 1 s that never takes an interrupt: silent 9 s at the end of a 10 s run. */
Test(lifecycle_checks, timer_live_silent_vcpu)
{
	struct host_check_config c = live_config();
	struct hc_rig h;
	const struct host_check_result *r;

	hc_up(&h, &c);
	timer(&h, 3, false, S(1), S(1), 1234, 0, 0, 0);
	host_checks_finish_run(h.hc, S(10));
	r = host_checks_result(h.hc, 0);
	cr_expect(!r->passed);
	cr_expect_eq(r->worst, (int64_t)S(9));
	cr_expect(strstr(r->first, "vCPU 3: silent 9.000000 s"), "%s", r->first);
	hc_down(&h);
}

/*
 * disc_signal: the stop at 1 s reads each page (the rig's kvmclock there,
 * K); the first tick after the resume at 31 s comes at 31.5 s with kvmclock
 * K + 30.5 s: a jump of 30.5 - 0.5 = 30 s.  Unflagged on vCPU 0 (violation,
 * soft-lockup risk), flagged on vCPU 1; vCPUs 2 and 3 have no tick.
 */
Test(lifecycle_checks, disc_signal_jump_by_hand)
{
	struct host_check_config c = { .kind = HOST_CHECK_DISC_SIGNAL, .expect = ORACLE_EXPECT_FAIL };
	struct hc_rig h;
	const struct host_check_result *r;
	uint64_t k0, k1;

	strcpy(c.name, "disc");
	c.disc_signal.threshold_ps = S(1);
	c.disc_signal.soft_lockup_ps = S(20);
	hc_up(&h, &c);
	run(&h.r, S(1));
	k0 = page_clock(&h.r.vm.vcpus[0], S(1));
	k1 = page_clock(&h.r.vm.vcpus[1], S(1));
	phase(&h, "pause", S(1));
	phase(&h, "resume", S(31));
	timer(&h, 0, true, MS(31500), 0, 1, 2, k0 + 30500 * 1000000ULL, 0);
	timer(&h, 1, true, MS(31500), 0, 1, 2, k1 + 30500 * 1000000ULL, PVCLOCK_GUEST_STOPPED);
	/* a later tick on vCPU 0 is not the first one: not judged again */
	timer(&h, 0, true, MS(31600), 0, 1, 2, k0 + 90000 * 1000000ULL, 0);
	host_checks_finish_run(h.hc, S(40));
	r = host_checks_result(h.hc, 0);
	cr_expect(!r->passed);
	cr_expect_eq(r->samples, 2);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, (int64_t)S(30));
	cr_expect(strstr(r->first, "vCPU 0: kvmclock jumped +30.000000 s"), "%s", r->first);
	cr_expect(strstr(r->first, "soft-lockup risk"), "%s", r->first);
	cr_expect(strstr(r->note, "1 signalled, 1 unsignalled"), "%s", r->note);
	hc_down(&h);
}

/*
 * The same jump as above, but the stop and the resume come only as phase
 * names ("stop", "resume": a stall of one vCPU says that too), with no
 * guest_run record: nothing stopped the guest, so no first tick is judged.
 * Then a stall of every vCPU (guest_run with vm_clock false) is a stop:
 * the jump on vCPU 0 counts.
 */
Test(lifecycle_checks, disc_signal_takes_stops_from_guest_run_records)
{
	struct host_check_config c = { .kind = HOST_CHECK_DISC_SIGNAL, .expect = ORACLE_EXPECT_FAIL };
	struct sim_trace_record rec = { .kind = SIM_TRACE_VMM_PHASE };
	struct hc_rig h;
	const struct host_check_result *r;
	uint64_t k0;

	strcpy(c.name, "disc");
	c.disc_signal.threshold_ps = S(1);
	c.disc_signal.soft_lockup_ps = S(20);
	hc_up(&h, &c);
	run(&h.r, S(1));
	k0 = page_clock(&h.r.vm.vcpus[0], S(1));
	rec.u.vmm = (struct sim_trace_vmm_phase){ .action = "stall", .phase = "stop" };
	rec.t_ps = S(1);
	sim_trace_publish(&h.trace, &rec);
	rec.u.vmm.phase = "resume";
	rec.t_ps = S(31);
	sim_trace_publish(&h.trace, &rec);
	timer(&h, 0, true, MS(31500), 0, 1, 2, k0 + 30500 * 1000000ULL, 0);
	cr_expect_eq(host_checks_result(h.hc, 0)->samples, 0);

	rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_RUN, .t_ps = MS(31500) };
	rec.u.run = (struct sim_trace_guest_run){ .action = "stall", .running = false };
	sim_trace_publish(&h.trace, &rec);
	rec.t_ps = MS(61500);
	rec.u.run.running = true;
	sim_trace_publish(&h.trace, &rec);
	/* kvmclock ran on through the stall: 30 s more, ticked 0.5 s after the resume */
	timer(&h, 0, true, S(62), 0, 1, 2, k0 + 61000 * 1000000ULL, 0);
	host_checks_finish_run(h.hc, S(70));
	r = host_checks_result(h.hc, 0);
	cr_expect_eq(r->samples, 1);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, (int64_t)S(30));
	cr_expect(strstr(r->first, "across stall 0"), "%s", r->first);
	hc_down(&h);
}

/* A silence that ends at a stop is judged there: armed at 1 s, no interrupt, paused at 3 s. */
Test(lifecycle_checks, timer_live_silence_up_to_a_stop)
{
	struct host_check_config c = live_config();
	struct hc_rig h;
	const struct host_check_result *r;

	hc_up(&h, &c);
	timer(&h, 2, false, S(1), S(1), 1234, 0, 0, 0);
	phase(&h, "pause", S(3));
	phase(&h, "resume", S(10));
	timer(&h, 2, true, MS(10050), S(1), 1234, 1234, 0, 0);
	host_checks_finish_run(h.hc, MS(10100));
	r = host_checks_result(h.hc, 0);
	cr_expect(!r->passed);
	cr_expect_eq(r->first_ps, S(3));
	cr_expect_eq(r->worst, (int64_t)S(2), "1 s to 3 s; after the resume only 50 ms");
	cr_expect(strstr(r->first, "vCPU 2: silent 2.000000 s"), "%s", r->first);
	hc_down(&h);
}
