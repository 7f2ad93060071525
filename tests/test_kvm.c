/*
 * KVM's clock side: TSC offset/scaling, the master clock, the pvclock pages,
 * requests and entries, periodic sync, KVM_GET_CLOCK / KVM_SET_CLOCK.
 *
 * Most tests run on an exact 2 GHz host (0 ppb crystal, tsc_khz 2000000):
 * there the host TSC is tsc0 + floor(t_ps / 500), Linux's mult/shift for the
 * TSC is exactly 1/2 ns per cycle, so host mono = uptime + floor(t_ps / 1000)
 * exactly, and kvm_get_time_scale() gives mul 2^31, shift 0 (exact).  The
 * expectations below are derived from those closed forms.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/kvm/kvm.h"
#include "tests/kvm_rig.h"

/* The ideal kvmclock on the exact host: guest uptime at t = 0 plus true ns. */
static uint64_t truth_ns(sim_ps t)
{
	return GUEST_UPTIME_NS + t / SIM_PS_PER_NS;
}

Test(kvm, init_writes_every_page_at_its_entry)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	for (unsigned i = 0; i < NVCPUS; i++) {
		char name[32];

		/* each vCPU starts a cache line, so its hot fields are in its first three (kvm.h) */
		cr_expect_eq((uintptr_t)&r.vm.vcpus[i] % 64, 0, "vCPU %u straddles cache lines", i);
		cr_expect_eq(r.vm.vcpus[i].clock_updates, 0u, "vCPU %u written before entering", i);
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_CLOCK_UPDATE);
		cr_expect(sim_event_pending(&r.vm.vcpus[i].entry));
		cr_expect_leq(r.vm.vcpus[i].entry.when, MS(1));
		snprintf(name, sizeof(name), "kvm.vcpu%u.entry", i);
		cr_expect_str_eq(r.vm.vcpus[i].entry.name, name);
	}
	cr_expect(r.vm.running);
	cr_expect(r.vm.use_master_clock, "synchronised TSC host, one offset: master clock");

	/*
	 * Every first entry happens within [0, 1 ms].  The last vCPU's TSC write
	 * also asked for a master clock update; servicing it kicks the others
	 * once more, so all is settled within 2 ms.
	 */
	run(&r, MS(1));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_geq(r.vm.vcpus[i].clock_updates, 1u, "vCPU %u", i);
	run(&r, MS(3));
	for (unsigned i = 0; i < NVCPUS; i++) {
		const struct kvm_vcpu *v = &r.vm.vcpus[i];

		cr_expect_leq(v->last_update_ps, MS(2));
		cr_expect_eq(v->requests, 0u, "vCPU %u requests 0x%x left", i, v->requests);
		cr_expect_eq(v->pvti.version % 2, 0u);
		cr_expect_eq(v->pvti.version, 2 * v->clock_updates);
		cr_expect_eq(v->pvti.flags, PVCLOCK_TSC_STABLE_BIT);
		cr_expect_eq(v->tsc_offset, r.vm.vcpus[0].tsc_offset);
		/* 2 GHz: mul 1/2, shift 0 (see test_pvclock) */
		cr_expect_eq(v->pvti.tsc_to_system_mul, 0x80000000u);
		cr_expect_eq(v->pvti.tsc_shift, 0);
		cr_expect_eq(pvclock_tsc_khz(&v->pvti), 2000000u);
	}
	rig_finish(&r);
}

/*
 * Guest TSC at t: 50 s * 2 GHz = 10^11 at t = 0, plus floor(t_ps / 500).
 * kvmclock through the page, with the master pair taken at some T_s:
 *   system_time = uptime_g + floor(T_s / 1000)
 *   read(t)     = system_time + floor((floor(t/500) - floor(T_s/500)) / 2)
 * and floor((floor(a) - floor(b)) / 2) is floor(a/2) - floor(b/2) or one less
 * (a = t/500, b = T_s/500), so read(t) is truth(t) or truth(t) - 1, never above.
 */
Test(kvm, kvmclock_through_page_tracks_guest_uptime)
{
	static const sim_ps ts[] = {
		MS(1), MS(1) + 123, S(1), S(1) + 999, S(10) + 500, S(299) + 777777,
	};
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], 0), 100000000000ULL);
	for (size_t k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
		run(&r, ts[k]);
		for (unsigned i = 0; i < NVCPUS; i++) {
			const struct kvm_vcpu *v = &r.vm.vcpus[i];
			uint64_t got = page_clock(v, ts[k]);

			cr_expect_eq(kvm_vcpu_guest_tsc(v, ts[k]), 100000000000ULL + ts[k] / 500);
			cr_expect(got == truth_ns(ts[k]) || got == truth_ns(ts[k]) - 1,
				  "vCPU %u at %" PRIu64 " ps: %" PRIu64 ", truth %" PRIu64,
				  i, ts[k], got, truth_ns(ts[k]));
		}
	}
	rig_finish(&r);
}

/* Created at t = 5 s, the guest is 55 s old: TSC 1.1e11, kvmclock 55e9. */
Test(kvm, init_later_counts_guest_age_from_t0)
{
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct rig r;

	p.entry_latency_max_ps = 0;
	rig_init_at(&r, HOST_TSC, &p, S(5));
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[3], S(5)), 110000000000ULL);
	kvm_get_clock(&r.vm, S(5), &d);
	cr_expect_eq(d.clock, 55000000000ULL);
	run(&r, S(5));
	cr_expect_eq(page_clock(&r.vm.vcpus[1], S(5)), 55000000000ULL);
	rig_finish(&r);
}

/*
 * thresh_lo = floor(2000000 * 999750 / 10^6) = 1999500,
 * thresh_hi = floor(2000000 * 1000250 / 10^6) = 2000500.  Outside, VMX ratio
 * = floor(2^48 * user / 2000000):
 *   2000502 (251 ppm): 2^48 + floor(2^48 * 251e-6) = 281474976710656 + 70650219154
 *   1999499 (250.5 ppm low): 2^48 - ceil(2^48 * 250.5e-6) = 281474976710656 - 70509481667
 *   3000000: 1.5 * 2^48 = 3 * 2^47
 */
Test(kvm, tsc_khz_250_ppm_rule)
{
	const uint64_t one = 1ULL << 48;
	static const struct {
		uint64_t user_khz;
		uint64_t want_khz;
		uint64_t want_ratio;      /* 0: the default ratio */
	} cases[] = {
		{ 0, 2000000, 0 },
		{ 2000000, 2000000, 0 },
		{ 2000498, 2000498, 0 },   /* 249 ppm: runs at the host rate, believes 2000498 */
		{ 2000500, 2000500, 0 },   /* exactly thresh_hi */
		{ 1999500, 1999500, 0 },   /* exactly thresh_lo */
		{ 2000502, 2000502, 281545626929810ULL },
		{ 1999499, 1999499, 281404467228989ULL },
		{ 3000000, 3000000, 3ULL << 47 },
	};
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct kvm_vcpu *v = &r.vm.vcpus[1];
		struct sim_diag err;

		sim_diag_clear(&err);
		cr_assert(kvm_vcpu_set_tsc_khz(v, cases[k].user_khz, &err), "%s", err.msg);
		cr_expect_eq(v->virtual_tsc_khz, cases[k].want_khz, "user %" PRIu64, cases[k].user_khz);
		cr_expect_eq(v->tsc_scaling_ratio, cases[k].want_ratio ? cases[k].want_ratio : one,
			     "user %" PRIu64 ": ratio %" PRIu64, cases[k].user_khz,
			     v->tsc_scaling_ratio);
	}
	rig_finish(&r);
}

Test(kvm, vmx_and_svm_fraction_bits)
{
	struct kvm_params p = default_params();
	struct rig vmx, svm;
	struct sim_diag err;

	rig_init(&vmx, HOST_TSC, &p);
	p.vendor = KVM_VENDOR_SVM;
	rig_init(&svm, HOST_TSC, &p);

	cr_expect_eq(kvm_default_tsc_scaling_ratio(&vmx.vm), 1ULL << 48);
	cr_expect_eq(kvm_default_tsc_scaling_ratio(&svm.vm), 1ULL << 32);
	cr_expect_eq(vmx.vm.vcpus[0].tsc_scaling_ratio, 1ULL << 48);
	cr_expect_eq(svm.vm.vcpus[0].tsc_scaling_ratio, 1ULL << 32);
	/* 1.5 in each format */
	cr_expect_eq(kvm_scale_tsc(&vmx.vm, 1000, 3ULL << 47), 1500u);
	cr_expect_eq(kvm_scale_tsc(&svm.vm, 1000, 3ULL << 31), 1500u);
	/* the default ratio is the identity, with no 128-bit product to truncate */
	cr_expect_eq(kvm_scale_tsc(&vmx.vm, UINT64_MAX, 1ULL << 48), UINT64_MAX);
	/* 2^48 read as SVM's 8.32 is 65536.0 */
	cr_expect_eq(kvm_scale_tsc(&svm.vm, 3, 1ULL << 48), 3ULL << 16);

	/* 3 GHz on 2 GHz: 1.5 * 2^32 on SVM */
	cr_assert(kvm_vcpu_set_tsc_khz(&svm.vm.vcpus[0], 3000000, &err), "%s", err.msg);
	cr_expect_eq(svm.vm.vcpus[0].tsc_scaling_ratio, 6442450944ULL);

	/*
	 * 256x the host: VMX ratio 2^56 is fine; SVM's ratio must stay below
	 * 2^40 - 1, so its largest guest rate is floor(2000000 * (2^40 - 1) / 2^32)
	 * = 511999999 kHz and 512000000 kHz is refused, leaving the vCPU as it was.
	 */
	cr_assert(kvm_vcpu_set_tsc_khz(&vmx.vm.vcpus[0], 512000000, &err), "%s", err.msg);
	cr_expect_eq(vmx.vm.vcpus[0].tsc_scaling_ratio, 1ULL << 56);
	sim_diag_clear(&err);
	cr_expect_not(kvm_vcpu_set_tsc_khz(&svm.vm.vcpus[1], 512000000, &err));
	cr_expect_neq(err.msg[0], '\0');
	cr_expect_eq(svm.vm.vcpus[1].tsc_scaling_ratio, 1ULL << 32);
	cr_expect_eq(svm.vm.vcpus[1].virtual_tsc_khz, 2000000u);
	cr_expect(kvm_vcpu_set_tsc_khz(&svm.vm.vcpus[1], 511998000, &err), "%s", err.msg);

	rig_finish(&vmx);
	rig_finish(&svm);
}

/*
 * 3 GHz guest on the 2 GHz host: written to V at t = 0 (host TSC 2e12), one
 * second later the host TSC has advanced 2e9 and the guest's by
 * floor(3 * (2e12 + 2e9) / 2) - floor(3 * 2e12 / 2) = 3e9 exactly; the page is
 * computed for floor(2000000 * 1.5) = 3000000 kHz (mul 2/3, shift -1).
 */
Test(kvm, scaled_guest_tsc_and_page_rate)
{
	struct kvm_params p = default_params();
	const uint64_t v0 = 123456789000ULL;
	struct sim_diag err;
	struct rig r;

	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_TSC, &p);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_assert(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[i], 3000000, &err), "%s", err.msg);
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], 0, v0);
	}
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], 0), v0);
		cr_expect_eq(r.vm.vcpus[i].tsc_offset, r.vm.vcpus[0].tsc_offset);
	}
	run(&r, S(1));
	for (unsigned i = 0; i < NVCPUS; i++) {
		const struct kvm_vcpu *v = &r.vm.vcpus[i];

		cr_expect_eq(kvm_vcpu_guest_tsc(v, S(1)), v0 + 3000000000ULL);
		cr_expect_eq(v->hw_tsc_khz, 3000000u);
		cr_expect_eq(v->pvti.tsc_to_system_mul, 0xaaaaaaaau);
		cr_expect_eq(v->pvti.tsc_shift, -1);
		cr_expect_eq(v->pvti.flags, PVCLOCK_TSC_STABLE_BIT);
	}
	rig_finish(&r);
}

/*
 * KVM_GET_CLOCK with the master clock extrapolates the master pair with the
 * host rate: at t the clock is uptime_g + floor(T_s/1000) + floor((floor(t/500)
 * - floor(T_s/500)) / 2), truth or truth - 1 (as for the page).
 */
Test(kvm, get_clock_with_master_clock)
{
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct rig r;
	const sim_ps t = S(7) + 1234567;

	rig_init(&r, HOST_TSC, &p);
	run(&r, t);
	kvm_get_clock(&r.vm, t, &d);
	cr_expect_eq(d.flags, KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC);
	cr_expect_eq(d.realtime, UTC_T0_NS + t / SIM_PS_PER_NS);
	cr_expect_eq(d.host_tsc, 2000000000000ULL + t / 500);
	cr_expect(d.clock == truth_ns(t) || d.clock == truth_ns(t) - 1,
		  "clock %" PRIu64 ", truth %" PRIu64, d.clock, truth_ns(t));
	rig_finish(&r);
}

/*
 * A host whose kernel runs on the HPET (24 MHz, mult 2796202667 >> 26, i.e.
 * 41.666666672 ns per tick): no master clock, no STABLE bit anywhere, and
 * GET_CLOCK is host mono + offset with flags 0.  The offset is
 * uptime_g - uptime_host (mono(0) = uptime), so the clock is
 * uptime_g + cyc2ns(floor(t * 24 MHz)): up to one tick (41.67 ns) behind true
 * time, and at most 1.2e-10 * t (+1 floor) ahead from the rounded mult.
 */
Test(kvm, get_clock_and_pages_without_master_clock)
{
	static const sim_ps ts[] = { MS(1), S(1), S(3) + 17 };
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_HPET, &p);
	cr_expect_eq(r.host.clocksource, HOST_CS_HPET);
	cr_expect_not(r.vm.use_master_clock);
	for (size_t k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
		struct kvm_clock_data d;

		run(&r, ts[k]);
		kvm_get_clock(&r.vm, ts[k], &d);
		cr_expect_eq(d.flags, 0u);
		cr_expect_eq(d.clock, GUEST_UPTIME_NS + host_mono_ns(&r.host, ts[k]) - HOST_UPTIME_NS);
		cr_expect_leq(d.clock, truth_ns(ts[k]) + 2);
		cr_expect_geq(d.clock, truth_ns(ts[k]) - 42);
		for (unsigned i = 0; i < NVCPUS; i++) {
			cr_expect_geq(r.vm.vcpus[i].clock_updates, 1u);
			cr_expect_eq(r.vm.vcpus[i].pvti.flags & PVCLOCK_TSC_STABLE_BIT, 0);
		}
	}
	rig_finish(&r);
}

/*
 * KVM_SET_CLOCK at t = 10 s.  Right after it, GET_CLOCK at the same instant
 * reads the clock exactly: with the master clock the pair was just taken at t
 * (zero TSC delta), without it mono(t) + (clock - mono(t)).
 */
static void check_set_clock_realtime_rule(enum host_kind kind)
{
	const sim_ps t = S(10);
	const uint64_t now_real = UTC_T0_NS + 10 * SIM_NS_PER_S;
	struct kvm_params p = default_params();
	struct kvm_clock_data in, out;
	struct sim_diag err;
	struct rig r;

	rig_init(&r, kind, &p);
	run(&r, t);
	cr_assert_eq(host_realtime_ns(&r.host, t), now_real);

	/* the source read it 5 s of realtime ago: the clock advances by exactly 5 s */
	in = (struct kvm_clock_data){ .clock = 123000000000ULL, .flags = KVM_CLOCK_REALTIME,
				      .realtime = now_real - 5 * SIM_NS_PER_S };
	cr_assert(kvm_set_clock(&r.vm, t, &in, &err), "%s", err.msg);
	kvm_get_clock(&r.vm, t, &out);
	cr_expect_eq(out.clock, 128000000000ULL);

	/* the destination's realtime is behind the source's: never move back */
	in.realtime = now_real + 5 * SIM_NS_PER_S;
	cr_assert(kvm_set_clock(&r.vm, t, &in, &err), "%s", err.msg);
	kvm_get_clock(&r.vm, t, &out);
	cr_expect_eq(out.clock, 123000000000ULL);

	/* without KVM_CLOCK_REALTIME the realtime field is ignored */
	in.flags = KVM_CLOCK_TSC_STABLE | KVM_CLOCK_HOST_TSC;
	in.realtime = now_real - 5 * SIM_NS_PER_S;
	cr_assert(kvm_set_clock(&r.vm, t, &in, &err), "%s", err.msg);
	kvm_get_clock(&r.vm, t, &out);
	cr_expect_eq(out.clock, 123000000000ULL);

	/* every vCPU was asked to rewrite its page; after the entries it reads the same */
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_CLOCK_UPDATE);
	run(&r, t + MS(1));
	for (unsigned i = 0; i < NVCPUS; i++) {
		uint64_t got = page_clock(&r.vm.vcpus[i], t);

		cr_expect_geq(r.vm.vcpus[i].last_update_ps, t);
		if (kind == HOST_TSC)
			cr_expect(got == 123000000000ULL || got == 123000000000ULL - 1,
				  "vCPU %u page reads %" PRIu64, i, got);
	}
	rig_finish(&r);
}

Test(kvm, set_clock_realtime_rule_master_clock)
{
	check_set_clock_realtime_rule(HOST_TSC);
}

Test(kvm, set_clock_realtime_rule_hpet_host)
{
	check_set_clock_realtime_rule(HOST_HPET);
}

Test(kvm, set_clock_rejects_unknown_flags)
{
	struct kvm_params p = default_params();
	struct kvm_clock_data in = { .clock = 1, .flags = 1u };
	struct sim_diag err;
	struct rig r;
	int64_t before;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(1));
	before = r.vm.kvmclock_offset;
	sim_diag_clear(&err);
	cr_expect_not(kvm_set_clock(&r.vm, S(1), &in, &err));
	cr_expect_str_eq(err.msg, "KVM_SET_CLOCK: unsupported flags 0x1");
	cr_expect_eq(r.vm.kvmclock_offset, before);
	in.flags = KVM_CLOCK_REALTIME | (1u << 7);
	cr_expect_not(kvm_set_clock(&r.vm, S(1), &in, &err));
	cr_expect_str_eq(err.msg, "KVM_SET_CLOCK: unsupported flags 0x80");
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].requests, 0u);
	rig_finish(&r);
}

/*
 * kvmclock_sync_fn every 300 s queues kvmclock_update_fn at once, which asks
 * every vCPU for a clock update: with entry latency 0 each page is rewritten
 * at exactly 300 s and 600 s, and not in between.
 */
Test(kvm, periodic_sync_rewrites_pages)
{
	struct kvm_params p = default_params();
	uint64_t n0[NVCPUS];
	struct rig r;

	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_TSC, &p);
	run(&r, MS(1));
	for (unsigned i = 0; i < NVCPUS; i++)
		n0[i] = r.vm.vcpus[i].clock_updates;
	run(&r, S(300) - 1);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i], "vCPU %u updated early", i);
	run(&r, S(300));
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i] + 1, "vCPU %u", i);
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(300));
	}
	run(&r, S(600));
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i] + 2, "vCPU %u", i);
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(600));
	}
	rig_finish(&r);
}

Test(kvm, sync_period_parameter)
{
	struct kvm_params p = default_params();
	struct rig r;
	uint64_t n0;

	p.entry_latency_max_ps = 0;
	p.sync_period_ps = S(10);
	rig_init(&r, HOST_TSC, &p);
	run(&r, MS(1));
	n0 = r.vm.vcpus[0].clock_updates;
	run(&r, S(30));
	cr_expect_eq(r.vm.vcpus[0].clock_updates, n0 + 3);
	rig_finish(&r);
}

struct probe {
	struct sim_event ev;
	const struct kvm_vm *vm;
	bool fired;
	bool all_updated;
	uint32_t requests;
};

static void probe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct probe *pr = sim_container_of(ev, struct probe, ev);

	pr->fired = true;
	pr->all_updated = true;
	pr->requests = 0;
	for (unsigned i = 0; i < pr->vm->nvcpus; i++) {
		pr->all_updated &= pr->vm->vcpus[i].last_update_ps == now;
		pr->requests |= pr->vm->vcpus[i].requests;
	}
}

/*
 * Paused at 1 s: a SET_CLOCK and the 300 s sync post requests, but nothing
 * enters.  Resumed at 400 s, every vCPU services them at exactly 400 s, before
 * guest code scheduled for the same instant (even if queued earlier).
 */
Test(kvm, paused_vm_keeps_requests_until_resume)
{
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct probe pr = { 0 };
	uint64_t n0[NVCPUS];
	struct sim_diag err;
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(1));
	kvm_vm_pause(&r.vm, S(1));
	cr_expect_not(r.vm.running);
	kvm_get_clock(&r.vm, S(1), &d);
	cr_assert(kvm_set_clock(&r.vm, S(1), &d, &err), "%s", err.msg);
	for (unsigned i = 0; i < NVCPUS; i++) {
		n0[i] = r.vm.vcpus[i].clock_updates;
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_CLOCK_UPDATE);
		cr_expect_not(sim_event_pending(&r.vm.vcpus[i].entry));
	}
	run(&r, S(400));
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i], "vCPU %u ran while paused", i);
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_CLOCK_UPDATE);
	}

	sim_event_init(&pr.ev, "test.guest_probe", SIM_PRIO_GUEST, probe_fire);
	pr.vm = &r.vm;
	cr_assert(sim_schedule(&r.q, &pr.ev, S(400)));
	kvm_vm_resume(&r.vm, S(400));
	run(&r, S(400));
	cr_expect(pr.fired);
	cr_expect(pr.all_updated, "guest code ran before a pending clock update");
	cr_expect_eq(pr.requests, 0u);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i] + 1, "vCPU %u", i);
	rig_finish(&r);
}

/* Pausing cancels pending entries but keeps their request bits. */
Test(kvm, pause_cancels_pending_entries)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	kvm_vm_pause(&r.vm, 0);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_not(sim_event_pending(&r.vm.vcpus[i].entry));
		cr_expect(r.vm.vcpus[i].requests & KVM_REQ_CLOCK_UPDATE);
	}
	run(&r, S(1));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].clock_updates, 0u);
	kvm_vm_resume(&r.vm, S(1));
	run(&r, S(1));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(1));
	rig_finish(&r);
}

/*
 * kvm_synchronize_tsc() matching at 1 s (host TSC H1 = 2e12 + 2e9):
 *  - V on every vCPU in the same instant: one new offset, V - H1, shared;
 *    the first write (a new generation with the master clock on) and the
 *    next two (vCPUs no longer all matched: the master clock must go off)
 *    ask for a master clock update, the last (all matched again) does not.
 * At 1.5 s, where the last write predicts V + 1e9 (0.5 s at 2 GHz):
 *  - w1 = V + 1e9 + 12345 matches (within 1 s = 2e9 cycles): the offset stays
 *    V - H1 and the guest reads V + 1e9, not w1 (KVM's "UAPI baggage");
 *  - w2 = w1 + 2e9 - 1 (now predicted: w1) still matches;
 *  - w3 = w2 + 2e9 is exactly 1 s off: a new generation, offset
 *    w3 - (H1 + 1e9) = (V - H1) + 4e9 + 12344.
 * At 3.5 s, 2 s after w3: w3 + 4e9 + 1000 is only 1000 cycles off the
 * prediction: matched, however long ago the last write was (KVM bounds the
 * distance to the prediction, not the time since the write).
 * A vCPU at another rate never matches.
 */
Test(kvm, write_tsc_matching)
{
	const uint64_t v0 = 7000000000000ULL, h1 = 2000000000000ULL + 2000000000ULL;
	const uint64_t w1 = v0 + 1000000000ULL + 12345, w2 = w1 + 2000000000ULL - 1;
	const uint64_t w3 = w2 + 2000000000ULL, w4 = w3 + 4000000000ULL + 1000;
	struct kvm_params p = default_params();
	struct sim_diag err;
	struct rig r;
	int64_t off;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(1));
	cr_assert(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++)
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(1), v0);
	off = (int64_t)(v0 - h1);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].tsc_offset, off, "vCPU %u", i);
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(1)), v0);
		cr_expect_eq((r.vm.vcpus[i].requests & KVM_REQ_MASTERCLOCK_UPDATE) != 0, i < 3,
			     "vCPU %u", i);
	}
	run(&r, S(1) + MS(3));
	cr_expect(r.vm.use_master_clock);

	kvm_vcpu_write_tsc(&r.vm.vcpus[1], S(1) + MS(500), w1);
	cr_expect_eq(r.vm.vcpus[1].tsc_offset, off);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[1], S(1) + MS(500)), v0 + 1000000000ULL);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1) + MS(500), w2);
	cr_expect_eq(r.vm.vcpus[0].tsc_offset, off);
	cr_expect_eq(r.vm.vcpus[0].requests & KVM_REQ_MASTERCLOCK_UPDATE, 0u);

	kvm_vcpu_write_tsc(&r.vm.vcpus[2], S(1) + MS(500), w3);
	cr_expect_eq(r.vm.vcpus[2].tsc_offset, off + 4000000000LL + 12344);
	cr_expect_eq(r.vm.cur_tsc_offset, off + 4000000000LL + 12344);
	cr_expect(r.vm.vcpus[2].requests & KVM_REQ_MASTERCLOCK_UPDATE);

	kvm_vcpu_write_tsc(&r.vm.vcpus[3], S(3) + MS(500), w4);
	cr_expect_eq(r.vm.vcpus[3].tsc_offset, off + 4000000000LL + 12344);

	cr_assert(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[0], 2100000, &err), "%s", err.msg);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(3) + MS(500), w4);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(3) + MS(500)), w4);
	cr_expect_eq(r.vm.cur_tsc_offset, r.vm.vcpus[0].tsc_offset);
	rig_finish(&r);
}

/*
 * On a host whose TSCs disagree (socket 1 is 1 us = 2000 cycles ahead) a
 * matched write adds the elapsed time instead of reusing the offset (KVM's
 * unstable-TSC path): every guest TSC reads V at the write, so the offsets
 * differ by the skew and the master clock stays off.
 */
Test(kvm, write_tsc_on_unsynchronised_host)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_SKEWED, &p);
	cr_expect_not(r.host.tsc_synchronized);
	cr_expect_eq(r.vm.vcpus[2].tsc_offset, r.vm.vcpus[0].tsc_offset - 2000);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], 0), 100000000000ULL, "vCPU %u", i);
	run(&r, S(1));
	cr_expect_not(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++)
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(1), 5000000000000ULL);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(1)), 5000000000000ULL);
	cr_expect_eq(r.vm.vcpus[3].tsc_offset, r.vm.vcpus[1].tsc_offset - 2000);
	rig_finish(&r);
}

/* With the master clock a vCPU changes pCPU without any clock request. */
Test(kvm, move_with_master_clock_requests_nothing)
{
	struct kvm_params p = default_params();
	struct rig r;
	int64_t off;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(1));
	off = r.vm.vcpus[1].tsc_offset;
	kvm_vcpu_move(&r.vm.vcpus[1], S(1), 3);
	cr_expect_eq(r.vm.vcpus[1].pcpu, 3u);
	cr_expect_eq(r.vm.vcpus[1].requests, 0u);
	cr_expect_not(sim_event_pending(&r.vm.vcpus[1].entry));
	cr_expect_eq(r.vm.vcpus[1].tsc_offset, off);
	cr_expect_eq(r.vm.vcpus[1].last_guest_tsc, 100000000000ULL + 2000000000ULL);
	rig_finish(&r);
}

/*
 * Without the master clock a move asks for KVM_REQ_GLOBAL_CLOCK_UPDATE: the
 * moved vCPU rewrites its page at its entry, and every vCPU rewrites its page
 * when kvmclock_update_fn runs update_delay (100 ms) later.
 */
Test(kvm, move_without_master_clock_updates_all_after_delay)
{
	struct kvm_params p = default_params();
	uint64_t n0[NVCPUS];
	struct rig r;

	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_HPET, &p);
	run(&r, S(1));
	for (unsigned i = 0; i < NVCPUS; i++)
		n0[i] = r.vm.vcpus[i].clock_updates;
	kvm_vcpu_move(&r.vm.vcpus[1], S(1), 2);
	cr_expect(r.vm.vcpus[1].requests & KVM_REQ_GLOBAL_CLOCK_UPDATE);
	run(&r, S(1));
	cr_expect_eq(r.vm.vcpus[1].clock_updates, n0[1] + 1);
	cr_expect_eq(r.vm.vcpus[0].clock_updates, n0[0]);
	cr_expect(sim_event_pending(&r.vm.update_work));
	cr_expect_eq(r.vm.update_work.when, S(1) + MS(100));
	run(&r, S(1) + MS(100));
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i] + 1 + (i == 1), "vCPU %u", i);
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(1) + MS(100));
	}
	rig_finish(&r);
}

/*
 * Unsynchronised host: moving vCPU 0 from socket 0 to socket 1 (2000 cycles
 * ahead) re-offsets it so its TSC continues from where it was, and asks for a
 * clock update.
 */
Test(kvm, move_on_unsynchronised_host_keeps_guest_tsc_continuous)
{
	struct kvm_params p = default_params();
	struct rig r;
	uint64_t before;
	int64_t off;

	rig_init(&r, HOST_SKEWED, &p);
	run(&r, S(2));
	before = kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(2));
	off = r.vm.vcpus[0].tsc_offset;
	kvm_vcpu_move(&r.vm.vcpus[0], S(2), 3);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(2)), before);
	cr_expect_eq(r.vm.vcpus[0].last_guest_tsc, before);
	cr_expect_eq(r.vm.vcpus[0].tsc_offset, off - 2000);
	cr_expect(r.vm.vcpus[0].requests & KVM_REQ_CLOCK_UPDATE);
	cr_expect(r.vm.vcpus[0].requests & KVM_REQ_GLOBAL_CLOCK_UPDATE);
	rig_finish(&r);
}

struct page_log {
	uint64_t writes;
	uint64_t odd_seen;
	uint32_t last_version[NVCPUS];
	uint64_t non_increasing;
};

static void log_page(void *ctx, const struct kvm_vcpu *v, sim_ps now)
{
	struct page_log *log = ctx;

	log->writes++;
	if (v->pvti.version & 1)
		log->odd_seen++;
	if (v->pvti.version != log->last_version[v->id] + 2)
		log->non_increasing++;
	log->last_version[v->id] = v->pvti.version;
}

/* Every completed page write leaves an even version, two above the previous one. */
Test(kvm, version_is_even_after_every_update)
{
	struct kvm_params p = default_params();
	struct page_log log = { 0 };
	struct kvm_clock_data d;
	struct sim_diag err;
	struct rig r;
	uint64_t total = 0;

	rig_init(&r, HOST_TSC, &p);
	r.vm.page_hook = log_page;
	r.vm.page_hook_ctx = &log;
	run(&r, S(1));
	kvm_get_clock(&r.vm, S(1), &d);
	cr_assert(kvm_set_clock(&r.vm, S(1), &d, &err), "%s", err.msg);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1), 1);
	run(&r, S(700));
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].pvti.version % 2, 0u);
		cr_expect_eq(r.vm.vcpus[i].pvti.version, 2 * r.vm.vcpus[i].clock_updates);
		total += r.vm.vcpus[i].clock_updates;
	}
	cr_expect_gt(log.writes, 3u * NVCPUS);
	cr_expect_eq(log.writes, total, "the hook missed writes");
	cr_expect_eq(log.odd_seen, 0u);
	cr_expect_eq(log.non_increasing, 0u);
	rig_finish(&r);
}

/*
 * Migration, as the machine does it: pause the source at 10 s, GET_CLOCK and
 * the guest TSC, attach to a 3 GHz destination, KVM_SET_TSC_KHZ 2000000
 * (ratio floor(2^49 / 3) = (2^49 - 2) / 3), write the TSC, SET_CLOCK, resume.
 *  - The page's rate is kvm_scale_tsc(3000000, ratio)
 *    = floor(10^6 (2^49 - 2) / 2^48) = floor(2e6 - 2e6 / 2^48) = 1999999 kHz.
 *  - At 10 s the page reads the source's clock (pair taken at 10 s: 0 delta).
 *  - At 20 s the host TSC has advanced 3e10 and the guest's by
 *    floor(3e10 (2^49 - 2) / (3 * 2^48)) +- 1 = 2e10 - 1 or 2e10; the page
 *    (mul floor(2^32 * 1e9 / 1999999000) = 2147484721, shift 0) turns either into
 *    floor(2e10 * 2147484721 / 2^32) = 10000004996 ns: the guest clock runs
 *    0.5 ppm fast because KVM truncates the scaled kHz.
 */
Test(kvm, migration_to_faster_host)
{
	static const unsigned dst_pins[NVCPUS] = { 3, 2, 1, 0 };
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct host dst;
	struct sim_diag err;
	struct rig r;
	uint64_t tsc;

	rig_init(&r, HOST_TSC, &p);
	make_host(&dst, 3000000000ULL, 5000 * SIM_NS_PER_S, HOST_TSC);
	run(&r, S(10));
	kvm_vm_pause(&r.vm, S(10));
	kvm_get_clock(&r.vm, S(10), &d);
	tsc = kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(10));
	cr_expect_eq(tsc, 120000000000ULL);

	kvm_vm_attach_host(&r.vm, &dst, dst_pins);
	cr_expect_eq(r.vm.vcpus[1].pcpu, 2u);
	cr_expect_eq(r.vm.vcpus[1].virtual_tsc_khz, 3000000u);
	cr_expect_eq(r.vm.vcpus[1].tsc_scaling_ratio, 1ULL << 48);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_assert(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[i], 2000000, &err), "%s", err.msg);
		cr_expect_eq(r.vm.vcpus[i].tsc_scaling_ratio, ((1ULL << 49) - 2) / 3);
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(10), tsc);
	}
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].tsc_offset, r.vm.vcpus[0].tsc_offset);
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(10)), tsc);
	}
	cr_assert(kvm_set_clock(&r.vm, S(10), &d, &err), "%s", err.msg);
	cr_expect(r.vm.use_master_clock);
	kvm_vm_resume(&r.vm, S(10));
	run(&r, S(10));
	for (unsigned i = 0; i < NVCPUS; i++) {
		const struct kvm_vcpu *v = &r.vm.vcpus[i];

		cr_expect_eq(v->last_update_ps, S(10));
		cr_expect_eq(v->hw_tsc_khz, 1999999u);
		cr_expect_eq(v->pvti.flags, PVCLOCK_TSC_STABLE_BIT);
		cr_expect_eq(page_clock(v, S(10)), d.clock, "vCPU %u", i);
	}
	run(&r, S(20));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(page_clock(&r.vm.vcpus[i], S(20)), d.clock + 10000004996ULL,
			     "vCPU %u", i);
	rig_finish(&r);
	host_finish(&dst);
}

/*
 * One vCPU's TSC written far off its siblings: a new generation of one, so its
 * entry re-decides the master clock (off) and kicks every vCPU, whose pages
 * lose the STABLE bit.  Writing it back onto the siblings' offset 1 s later is
 * again a new generation (999 + 2e9 predicted, far from the value): the offsets
 * are equal but the other vCPUs are not in that generation, so the master
 * clock stays off (KVM counts generations, nr_vcpus_matched_tsc, not offsets).
 * Writing the same instant's TSC on the other three joins them to it: the
 * last write finds all four matched and switches the master clock on again.
 */
Test(kvm, mismatched_offsets_switch_master_clock_off_and_on)
{
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct rig r;
	uint64_t back;

	rig_init(&r, HOST_TSC, &p);
	run(&r, S(1));
	cr_assert(r.vm.use_master_clock);
	kvm_vcpu_write_tsc(&r.vm.vcpus[2], S(1), 999);
	cr_expect(r.vm.vcpus[2].requests & KVM_REQ_MASTERCLOCK_UPDATE);
	run(&r, S(1) + MS(3));
	cr_expect_not(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_geq(r.vm.vcpus[i].last_update_ps, S(1), "vCPU %u not kicked", i);
		cr_expect_eq(r.vm.vcpus[i].pvti.flags, 0, "vCPU %u", i);
	}
	kvm_get_clock(&r.vm, S(1) + MS(3), &d);
	cr_expect_eq(d.flags, 0u);

	back = kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(2));
	kvm_vcpu_write_tsc(&r.vm.vcpus[2], S(2), back);
	cr_expect_eq(r.vm.vcpus[2].tsc_offset, r.vm.vcpus[0].tsc_offset);
	cr_expect_eq(r.vm.vcpus[2].requests & KVM_REQ_MASTERCLOCK_UPDATE, 0u);
	run(&r, S(2) + MS(3));
	cr_expect_not(r.vm.use_master_clock);
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 0u);
	for (unsigned i = 0; i < NVCPUS; i++)
		if (i != 2)
			kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(2) + MS(3),
					   kvm_vcpu_guest_tsc(&r.vm.vcpus[i], S(2) + MS(3)));
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 3u);
	cr_expect(r.vm.vcpus[3].requests & KVM_REQ_MASTERCLOCK_UPDATE);
	run(&r, S(2) + MS(6));
	cr_expect(r.vm.use_master_clock);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_geq(r.vm.vcpus[i].last_update_ps, S(2) + MS(3), "vCPU %u not kicked", i);
		cr_expect_eq(r.vm.vcpus[i].pvti.flags, PVCLOCK_TSC_STABLE_BIT, "vCPU %u", i);
	}
	rig_finish(&r);
}

/*
 * Attached to another host and resumed without any TSC write or SET_CLOCK,
 * the VM still re-decides its master clock there: the pair comes from the
 * destination (vCPU 0 now on its CPU 3), so each page reads the destination's
 * mono + kvmclock_offset at the resume instant, and the rate is the
 * destination's unscaled 3000000 kHz.
 */
Test(kvm, attach_host_takes_master_pair_from_destination)
{
	static const unsigned dst_pins[NVCPUS] = { 3, 2, 1, 0 };
	struct kvm_params p = default_params();
	struct kvm_clock_data d;
	struct host dst;
	struct rig r;
	uint64_t want;

	rig_init(&r, HOST_TSC, &p);
	make_host(&dst, 3000000000ULL, 5000 * SIM_NS_PER_S, HOST_TSC);
	run(&r, S(10));
	kvm_vm_pause(&r.vm, S(10));
	kvm_vm_attach_host(&r.vm, &dst, dst_pins);
	kvm_vm_resume(&r.vm, S(10));
	run(&r, S(10));
	cr_expect(r.vm.use_master_clock);
	cr_expect_eq(r.vm.master_cycle_now, host_rdtsc(&dst, 3, S(10)));
	want = host_mono_ns(&dst, S(10)) + (uint64_t)r.vm.kvmclock_offset;
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(10), "vCPU %u", i);
		cr_expect_eq(page_clock(&r.vm.vcpus[i], S(10)), want, "vCPU %u", i);
		cr_expect_eq(r.vm.vcpus[i].hw_tsc_khz, 3000000u);
	}
	kvm_get_clock(&r.vm, S(10), &d);
	cr_expect_eq(d.clock, want);
	rig_finish(&r);
	host_finish(&dst);
}

Test(kvm, init_rejects_bad_params)
{
	static const unsigned bad_pins[NVCPUS] = { 0, 1, 4, 0 };
	struct kvm_params p = default_params();
	struct sim_eventq q;
	struct kvm_vm vm;
	struct host h;
	struct sim_diag err;

	make_host(&h, 2000000000ULL, HOST_UPTIME_NS, HOST_TSC);
	sim_eventq_init(&q);
	p.pins = bad_pins;
	sim_diag_clear(&err);
	cr_expect_not(kvm_vm_init(&vm, &p, &h, &q, 0, &err));
	cr_expect_neq(err.msg[0], '\0');
	kvm_vm_finish(&vm);
	p = default_params();
	p.nvcpus = 0;
	cr_expect_not(kvm_vm_init(&vm, &p, &h, &q, 0, &err));
	kvm_vm_finish(&vm);
	cr_expect_eq(q.len, 0u);
	sim_eventq_finish(&q);
	host_finish(&h);
}

Test(kvm, finish_accepts_zeroed_and_null)
{
	struct kvm_vm vm;

	memset(&vm, 0, sizeof(vm));
	kvm_vm_finish(&vm);
	kvm_vm_finish(NULL);
}

Test(kvm, finish_removes_events_from_queue)
{
	struct kvm_params p = default_params();
	struct rig r;

	rig_init(&r, HOST_TSC, &p);
	cr_expect_gt(r.q.len, 0u);
	kvm_vm_finish(&r.vm);
	cr_expect_eq(r.q.len, 0u);
	sim_eventq_finish(&r.q);
	host_finish(&r.host);
}

/*
 * A kick at entry latency 0 makes its draw from the vCPU's latency stream
 * later, before the next latency that is not 0: that latency is the one
 * drawing at every kick gives, sim_rng_below(stream, 1) per zero-latency
 * kick and then sim_rng_below(stream, max + 1), from the stream
 * (seed, "kvm/vcpu<i>").
 */
Test(kvm, zero_latency_kicks_keep_the_latency_stream)
{
	struct kvm_params p = default_params();
	struct sim_rng ref;
	struct kvm_vcpu *v;
	struct rig r;
	sim_ps want;

	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_TSC, &p);
	run(&r, MS(1));
	v = &r.vm.vcpus[1];
	/* the kicks of the VM's start (its first load and what followed), each at latency 0 */
	sim_rng_init(&ref, p.seed, "kvm/vcpu1");
	cr_assert_gt(v->owed_zero_draws, 0);
	for (uint64_t k = 0; k < v->owed_zero_draws; k++)
		cr_assert_eq(sim_rng_below(&ref, 1), 0);
	for (unsigned k = 0; k < 3; k++) {
		uint64_t updates = v->clock_updates;

		kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, MS(2 + k));
		run(&r, MS(2 + k));
		/* latency 0: the page is written at the kick's own instant */
		cr_assert_eq(v->clock_updates, updates + 1);
		cr_assert_eq(v->last_update_ps, MS(2 + k));
		cr_assert_eq(sim_rng_below(&ref, 1), 0);
	}
	r.vm.entry_latency_max_ps = MS(1);
	kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, MS(10));
	want = MS(10) + sim_rng_below(&ref, MS(1) + 1);
	cr_assert(sim_event_pending(&v->entry));
	cr_assert_eq(v->entry.when, want, "entry at %" PRIu64 " ps, want %" PRIu64, v->entry.when,
		     want);
	run(&r, MS(12));
	cr_assert_eq(v->last_update_ps, want);
	rig_finish(&r);
}
