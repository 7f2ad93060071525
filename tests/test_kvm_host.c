/*
 * KVM under host-side events (sim/kvm/host_notify.h): host suspend with the
 * TSC reset or kept, and the host's clocksource switching away from the TSC.
 * The rig's exact 2 GHz host (tests/kvm_rig.h): host TSC = 2e12 + 2 t/ns
 * cycles at t, host mono = 1000 s + t, kvmclock = host mono - 950 s (the
 * guest has been up 50 s at t = 0), mul 2^31 shift 0.
 */
#include "tests/kvm_rig.h"

#include <string.h>

#include "sim/kvm/host_notify.h"

#define RTC_SLEEP_S 100u          /* suspend at 10 s, resume at 110 s: whole seconds */

static void suspend_resume(struct rig *r, sim_ps at, sim_ps until)
{
	bool ran = kvm_host_suspend(&r->vm, at);

	cr_expect(ran);
	cr_expect_not(r->vm.running);
	cr_assert(host_suspend(&r->host, at, HOST_S3));
	run(r, until);
	cr_assert(host_resume(&r->host, until, NULL));
	kvm_host_resume(&r->vm, until, ran);
	run(r, until);
}

/*
 * S3 with the TSC reset to 0: at 10 s every vCPU was put with host TSC
 * 2e12 + 2e10 = 2.02e12; on resume at 110 s the boot CPU reads 0, below it,
 * on a TSC Linux trusts.  KVM adds 2.02e12 cycles to every offset, so each
 * guest TSC reads at 110 s what it read at 10 s (it does not count the
 * sleep), marks the VM backwards_tsc_observed and the master clock stays
 * off.  kvmclock is the host's boot-based clock: 1000 + 10 + 100 (the CMOS
 * RTC measured the sleep) - 950 = 160 s at 110 s.
 */
Test(kvm_host, s3_tsc_reset_freezes_the_guest_tsc_and_kvmclock_jumps)
{
	struct kvm_params p = default_params();
	uint64_t before[NVCPUS];
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(10));
	cr_assert(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++)
		before[i] = kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(10));
	suspend_resume(&r, S(10), S(10 + RTC_SLEEP_S));
	cr_expect_eq(host_rdtsc(&r.host, 0, S(110)), 0u, "the TSC came out of RESET");
	cr_expect(r.vm.backwards_tsc_observed);
	cr_expect_not(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++) {
		const struct kvm_vcpu *v = &r.vm.vcpus[i];

		cr_expect_eq(kvm_vcpu_guest_tsc(v, S(110)), before[i], "vCPU %u's TSC", i);
		cr_expect_eq(v->last_update_ps, S(110), "vCPU %u rewrote its page on resume", i);
		cr_expect_eq(v->pvti.flags & PVCLOCK_TSC_STABLE_BIT, 0);
		cr_expect_eq(page_clock(v, S(110)), 160ULL * SIM_NS_PER_S, "vCPU %u", i);
		cr_expect_eq(page_clock(v, S(111)), 161ULL * SIM_NS_PER_S, "vCPU %u", i);
	}
	/* a later master clock update still finds backwards_tsc_observed */
	kvm_update_masterclock(&r.vm, S(120));
	cr_expect_not(r.vm.use_master_clock);
	rig_finish(&r);
}

/*
 * S3 with a nonstop TSC: at 110 s the boot CPU reads 2e12 + 2.2e11, above
 * every last_host_tsc: nothing to compensate, the master clock stays, and the
 * guest TSC counted the 100 s of sleep (2e11 cycles).
 */
Test(kvm_host, s3_nonstop_tsc_needs_no_compensation)
{
	struct kvm_params p = default_params();
	uint64_t before;
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	r.host.s3_tsc = HOST_S3_TSC_NONSTOP;
	run(&r, S(10));
	before = kvm_vcpu_guest_tsc(&r.vm.vcpus[1], S(10));
	suspend_resume(&r, S(10), S(110));
	cr_expect_not(r.vm.backwards_tsc_observed);
	cr_expect(r.vm.use_master_clock);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[1], S(110)) - before, 200000000000ULL);
	rig_finish(&r);
}

/*
 * A paused VM (say, a migration's downtime) stays paused through the
 * host's resume, its requests pending.
 */
Test(kvm_host, vm_paused_before_the_suspend_stays_paused)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(10));
	kvm_vm_pause(&r.vm, S(10));
	cr_expect_not(kvm_host_suspend(&r.vm, S(10)));
	cr_assert(host_suspend(&r.host, S(10), HOST_S3));
	run(&r, S(110));
	cr_assert(host_resume(&r.host, S(110), NULL));
	kvm_host_resume(&r.vm, S(110), false);
	run(&r, S(111));
	cr_expect_not(r.vm.running);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_MASTERCLOCK_UPDATE, "vCPU %u", i);
	rig_finish(&r);
}

static void notify_vm(void *ctx, struct host *h, sim_ps now)
{
	(void)h;
	kvm_pvclock_gtod_notify(ctx, now);
}

/*
 * tsc -> hpet at 1 s: pvclock_gtod_notify() asks every vCPU for a master
 * clock update; each entry (within the rig's 1 ms latency) finds no TSC
 * clocksource: the master clock goes off and every page is rewritten without
 * the stable bit, anchored on the host's HPET-based clock at its own entry.
 * Back to tsc at 2 s: KVM is not told (only a non-TSC clocksource is), the
 * master clock stays off until something asks for an update.
 */
Test(kvm_host, clocksource_demotion_drops_the_master_clock)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	r.host.cs_notify = notify_vm;
	r.host.cs_notify_ctx = &r.vm;
	run(&r, S(1));
	cr_assert(r.vm.use_master_clock);
	host_set_clocksource(&r.host, S(1), HOST_CS_HPET);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_MASTERCLOCK_UPDATE, "vCPU %u", i);
	run(&r, S(1) + MS(2));
	cr_expect_not(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++) {
		const struct kvm_vcpu *v = &r.vm.vcpus[i];

		cr_expect_eq(v->requests, 0u, "vCPU %u", i);
		cr_expect_eq(v->pvti.flags & PVCLOCK_TSC_STABLE_BIT, 0, "vCPU %u", i);
		cr_expect_geq(v->last_update_ps, S(1), "vCPU %u", i);
		cr_expect_eq(v->pvti.system_time,
			     host_mono_ns(&r.host, v->last_update_ps) + (uint64_t)r.vm.kvmclock_offset,
			     "vCPU %u anchors on the host clock at its own entry", i);
	}
	host_set_clocksource(&r.host, S(2), HOST_CS_TSC);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].requests, 0u, "vCPU %u", i);
	run(&r, S(3));
	cr_expect_not(r.vm.use_master_clock);
	rig_finish(&r);
}

/* Linux marking the TSC unstable (the watchdog) switches the host to the HPET: same path. */
Test(kvm_host, marking_the_tsc_unstable_drops_the_master_clock)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	r.host.cs_notify = notify_vm;
	r.host.cs_notify_ctx = &r.vm;
	run(&r, S(1));
	host_mark_tsc_unstable(&r.host, S(1));
	cr_expect(r.host.tsc_unstable);
	cr_expect_eq(r.host.clocksource, HOST_CS_HPET);
	cr_expect(kvm_host_tsc_unstable(&r.vm));
	run(&r, S(2));
	cr_expect_not(r.vm.use_master_clock);
	rig_finish(&r);
}

/*
 * On a host whose TSCs disagree (the rig's HOST_SKEWED: socket 1 runs 1 us
 * ahead, HPET clocksource) KVM does not trust the TSC: no backwards check,
 * but each vCPU's load restarts its guest TSC from the value it was put
 * with, so again the guest TSC does not count the sleep, and the page is
 * rewritten (clock and global update requests).
 */
Test(kvm_host, s3_on_an_unstable_tsc_restarts_each_guest_tsc_where_it_stopped)
{
	struct kvm_params p = default_params();
	uint64_t before[NVCPUS];
	struct rig r;

	rig_init(&r, HOST_SKEWED, &p);
	run(&r, S(10));
	cr_assert(kvm_host_tsc_unstable(&r.vm));
	for (unsigned i = 0; i < NVCPUS; i++)
		before[i] = kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(10));
	suspend_resume(&r, S(10), S(110));
	cr_expect_not(r.vm.backwards_tsc_observed);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(110)), before[i], "vCPU %u", i);
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(110), "vCPU %u", i);
	}
	rig_finish(&r);
}

/*
 * S3 with the TSC reset, then firmware writes TSC_ADJUST = -1e12 on every
 * CPU: the boot CPU reads 0 - 1e12 = 2^64 - 1e12 at 110 s.  As u64 that is
 * above every last_host_tsc (2.02e12), so KVM would compensate nothing and
 * each guest TSC would step back by 2.02e12 + 1e12 cycles: the wrap stops
 * the run instead, naming the host, the instant and the quantities, and
 * KVM leaves the offsets alone.
 */
Test(kvm_host, s3_resume_tsc_wrapped_past_2_64_stops_the_run)
{
	struct kvm_params p = default_params();
	int64_t fw[4] = { -1000000000000LL, -1000000000000LL, -1000000000000LL,
			  -1000000000000LL };
	int64_t offset0;
	struct rig r;
	bool ran;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(10));
	offset0 = r.vm.vcpus[0].tsc_offset;
	ran = kvm_host_suspend(&r.vm, S(10));
	cr_assert(host_suspend(&r.host, S(10), HOST_S3));
	run(&r, S(110));
	cr_assert(host_resume(&r.host, S(110), fw));
	cr_assert_eq(host_rdtsc(&r.host, 0, S(110)), UINT64_MAX - 1000000000000ULL + 1);
	kvm_host_resume(&r.vm, S(110), ran);
	cr_expect(r.q.failed);
	cr_expect(strstr(r.q.error.msg, "host \"") != NULL, "%s", r.q.error.msg);
	cr_expect(strstr(r.q.error.msg, "resumed at 110.000000000 s with CPU 0's TSC at "
			 "18446743073709551616, which is 3020000000000 cycles below vCPU 0's "
			 "last_host_tsc 2020000000000 once wrapped past 2^64") != NULL,
		  "%s", r.q.error.msg);
	cr_expect_eq(r.vm.vcpus[0].tsc_offset, offset0);
	cr_expect_not(r.vm.backwards_tsc_observed);
	rig_finish(&r);
}

/*
 * A guest TSC written at 2^63 + 1e12 when the host TSC reads 2.02e12 makes
 * tsc_offset 2^63 - 1.02e12, just below INT64_MAX; the resume then adds the
 * 2.02e12 backwards cycles, past it.  The offset is a u64 in KVM: the sum
 * wraps modulo 2^64 and each guest TSC still reads at 110 s what it read at
 * 10 s (no signed overflow).
 */
Test(kvm_host, s3_tsc_reset_compensation_wraps_the_offset_modulo_2_64)
{
	struct kvm_params p = default_params();
	const uint64_t high = (1ULL << 63) + 1000000000000ULL;
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(10));
	for (unsigned i = 0; i < NVCPUS; i++)
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(10), high);
	run(&r, S(10));
	cr_assert_gt(r.vm.vcpus[0].tsc_offset, INT64_MAX - 3000000000000LL);
	suspend_resume(&r, S(10), S(10 + RTC_SLEEP_S));
	cr_expect(r.vm.backwards_tsc_observed);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(110)), high, "vCPU %u", i);
	rig_finish(&r);
}
