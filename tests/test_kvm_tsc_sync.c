/*
 * kvm_synchronize_tsc(), KVM_VCPU_TSC_OFFSET and TSC catch-up (sim/kvm/tsc_sync.c),
 * on the rig's exact 2 GHz host: 1 s is 2e9 cycles and host mono is
 * HOST_UPTIME + t exactly, so every prediction below is a closed form.
 */
#include "tests/kvm_rig.h"

#define V 7000000000000ULL        /* a restored guest TSC */

static void rig_at(struct rig *r, enum host_kind kind, enum kvm_version version)
{
	struct kvm_params p = default_params();

	p.version = version;
	rig_init(r, kind, &p);
}

/*
 * The one-second rule.  V written on vCPU 0 at 1 s starts a generation; V
 * written on vCPU 1 0.999 s later is 1.998e9 cycles off what that write
 * predicts (V + 1.998e9), inside the 2e9 window: vCPU 1 joins with vCPU 0's
 * offset and reads V + 1.998e9.  1.001 s later it is 2.002e9 off: a new
 * generation at exactly V.
 */
Test(kvm_tsc_sync, one_second_rule_at_0_999_and_1_001_s)
{
	struct rig r;
	uint64_t gen;

	rig_at(&r, HOST_TSC, KVM_VERSION_6_12);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1), V);
	gen = r.vm.cur_tsc_generation;
	run(&r, S(1) + MS(999));
	kvm_vcpu_write_tsc(&r.vm.vcpus[1], S(1) + MS(999), V);
	cr_expect(r.vm.vcpus[1].user_tsc_write_matched);
	cr_expect_eq(r.vm.vcpus[1].tsc_offset, r.vm.vcpus[0].tsc_offset);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[1], S(1) + MS(999)), V + 1998000000ULL);
	cr_expect_eq(r.vm.cur_tsc_generation, gen);
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 1u);
	rig_finish(&r);

	rig_at(&r, HOST_TSC, KVM_VERSION_6_12);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1), V);
	gen = r.vm.cur_tsc_generation;
	run(&r, S(2) + MS(1));
	kvm_vcpu_write_tsc(&r.vm.vcpus[1], S(2) + MS(1), V);
	cr_expect_not(r.vm.vcpus[1].user_tsc_write_matched);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[1], S(2) + MS(1)), V);
	cr_expect_eq(r.vm.vcpus[0].tsc_offset - r.vm.vcpus[1].tsc_offset, 2002000000LL);
	cr_expect_eq(r.vm.cur_tsc_generation, gen + 1);
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 0u);
	rig_finish(&r);
}

/*
 * Writes 1.2 s apart (a restore path's per-vCPU writes of one saved value)
 * leave four generations: the master clock goes off and stays off.  0.4 s
 * apart they form one generation of four: it stays on.
 */
Test(kvm_tsc_sync, restore_writes_apart_decide_the_master_clock)
{
	static const sim_ps gaps[] = { MS(1200), MS(400) };

	for (unsigned k = 0; k < 2; k++) {
		struct rig r;
		sim_ps t = S(1);

		rig_at(&r, HOST_TSC, KVM_VERSION_6_12);
		for (unsigned i = 0; i < NVCPUS; i++, t += gaps[k]) {
			run(&r, t);
			kvm_vcpu_write_tsc(&r.vm.vcpus[i], t, V);
		}
		run(&r, t + MS(10));
		cr_expect_eq(r.vm.use_master_clock, k == 1, "gap %d ms", k ? 400 : 1200);
		cr_expect_eq(r.vm.nr_vcpus_matched_tsc, k == 1 ? 3u : 0u);
		for (unsigned i = 0; i < NVCPUS; i++)
			cr_expect_eq((r.vm.vcpus[i].pvti.flags & PVCLOCK_TSC_STABLE_BIT) != 0, k == 1);
		if (k == 0)
			cr_expect_eq(r.vm.vcpus[0].tsc_offset - r.vm.vcpus[3].tsc_offset,
				     3 * 2400000000LL);
		rig_finish(&r);
	}
}

/*
 * A host-initiated write of 0 (a vCPU reset) synchronises unconditionally, in
 * 6.1 as in 6.12: on a stable host the vCPU keeps the generation's offset, so
 * the guest TSC reads on (100e9 + 4e9 at 2 s) instead of 0 (openvmm #4253).
 */
Test(kvm_tsc_sync, write_of_zero_is_dropped_in_every_version)
{
	static const enum kvm_version versions[] = { KVM_VERSION_6_1, KVM_VERSION_6_12 };

	for (unsigned k = 0; k < 2; k++) {
		struct rig r;
		int64_t before;

		rig_at(&r, HOST_TSC, versions[k]);
		run(&r, S(2));
		before = r.vm.vcpus[1].tsc_offset;
		kvm_vcpu_write_tsc(&r.vm.vcpus[1], S(2), 0);
		cr_expect_eq(r.vm.vcpus[1].tsc_offset, before, "%s", kvm_version_name(versions[k]));
		cr_expect(r.vm.vcpus[1].user_tsc_write_matched);
		cr_expect_eq(r.vm.vcpus[1].user_tsc_write_value, 0u);
		cr_expect_eq(r.vm.vcpus[1].user_tsc_write_result, 104000000000ULL);
		cr_expect_eq(r.vm.last_tsc_write, 0u);
		rig_finish(&r);
	}
}

/*
 * The first non-zero write from user space.  At 1 s KVM's creation write
 * (100e9 at 0) predicts 102e9; 102.5e9 is 0.25 s off.  6.1 applies the slop
 * and keeps the offset (the guest reads 102e9); 6.12 (bf328e22e472) does not
 * until user space has written once: the value lands.
 */
Test(kvm_tsc_sync, first_user_write_slop_by_version)
{
	static const enum kvm_version versions[] = { KVM_VERSION_6_1, KVM_VERSION_6_12 };
	static const uint64_t reads[] = { 102000000000ULL, 102500000000ULL };

	for (unsigned k = 0; k < 2; k++) {
		struct rig r;

		rig_at(&r, HOST_TSC, versions[k]);
		run(&r, S(1));
		kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1), 102500000000ULL);
		cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(1)), reads[k], "%s",
			     kvm_version_name(versions[k]));
		cr_expect(r.vm.user_set_tsc);
		rig_finish(&r);
	}
}

/*
 * KVM_VCPU_TSC_OFFSET: the same offset joins the generation, one cycle more
 * starts a new one; 0 is no special value there.
 */
Test(kvm_tsc_sync, offset_attribute_matches_only_the_same_offset)
{
	struct rig r;
	int64_t off;

	rig_at(&r, HOST_TSC, KVM_VERSION_6_12);
	run(&r, S(1));
	off = r.vm.vcpus[0].tsc_offset;
	kvm_vcpu_set_tsc_offset(&r.vm.vcpus[2], S(1), off);
	cr_expect(r.vm.vcpus[2].user_tsc_write_matched);
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 3u);
	kvm_vcpu_set_tsc_offset(&r.vm.vcpus[2], S(1), off + 1);
	cr_expect_not(r.vm.vcpus[2].user_tsc_write_matched);
	cr_expect_eq(r.vm.nr_vcpus_matched_tsc, 0u);
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[2], S(1)), 102000000001ULL);
	rig_finish(&r);
}

/*
 * TSC catch-up: no TSC scaling, 2 002 000 kHz asked of a 2 000 000 kHz host
 * (1000 ppm, out of tolerance) and V written then.  The guest TSC runs at
 * the host's 2 GHz between entries; every exit (1 ms) asks for a clock update
 * whose catch-up step moves it to V + 2.002e9 * elapsed: at each entry k ms
 * after the write it reads exactly V + k * 2 002 000, so the average rate
 * over any whole number of entries is the requested one, and after 1000
 * entries the offset has moved by 1000 * 2000 cycles.  (The host's
 * clocksource is the HPET: no master clock, whose frozen pair would hold
 * catch-up still.)
 */
Test(kvm_tsc_sync, catchup_average_rate_is_the_requested_rate)
{
	struct kvm_params p = default_params();
	struct sim_diag err;
	struct rig r;

	p.no_tsc_scaling = true;
	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_HPET, &p);
	sim_diag_clear(&err);
	cr_assert(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[0], 2002000, &err), "%s", err.msg);
	cr_assert(r.vm.vcpus[0].tsc_always_catchup);
	kvm_vcpu_write_tsc(&r.vm.vcpus[0], 0, V);
	for (uint64_t k = 1; k <= 1000; k++) {
		run(&r, MS(k));
		cr_assert_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], MS(k)), V + k * 2002000ULL,
			     "entry %" PRIu64, k);
	}
	/* half way to the next exit only the host rate has run */
	cr_expect_eq(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], MS(1000) + MS(1) / 2),
		     V + 2002000000ULL + 1000000ULL);
	cr_expect_eq(r.vm.vcpus[0].catchup_cycles, 2000000ULL);
	/* below the host rate there is nothing to catch up with: refused */
	cr_expect_not(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[1], 1990000, &err));
	rig_finish(&r);
}

/*
 * Catch-up under the master clock: kvm_guest_time_update() then reads the
 * master snapshot's host ns, which does not move, so once the first update
 * has caught up to it the offset stays put and the guest TSC runs at the
 * host's 2 GHz: after 1 s it has caught up under 2000 cycles (1 us) of the
 * 2e6 the requested rate asks for (all four vCPUs at the same rate and
 * value form one generation, so the master clock is on).
 */
Test(kvm_tsc_sync, catchup_stalls_under_the_master_clock)
{
	struct kvm_params p = default_params();
	struct sim_diag err;
	struct rig r;

	p.no_tsc_scaling = true;
	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_TSC, &p);
	sim_diag_clear(&err);
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_assert(kvm_vcpu_set_tsc_khz(&r.vm.vcpus[i], 2002000, &err), "%s", err.msg);
	for (unsigned i = 0; i < NVCPUS; i++)
		kvm_vcpu_write_tsc(&r.vm.vcpus[i], 0, V);
	run(&r, S(1));
	cr_assert(r.vm.use_master_clock);
	cr_expect_lt(r.vm.vcpus[0].catchup_cycles, 2000ULL);
	cr_expect_lt(kvm_vcpu_guest_tsc(&r.vm.vcpus[0], S(1)), V + 2000000000ULL + 2000ULL);
	rig_finish(&r);
}
