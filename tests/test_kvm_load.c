/*
 * KVM's clock updates that depend on the vCPUs' loads and on the modelled
 * KVM version (kvm_arch_vcpu_load(), kvm_gen_kvmclock_update(),
 * kvmclock_update_fn(), kvm_track_tsc_matching()), and the records KVM
 * publishes on the trace stream.  Page-write times are derived from those
 * rules on the exact 2 GHz host of tests/kvm_rig.h.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>

#include "sim/core/trace.h"
#include "sim/kvm/kvm.h"
#include "tests/kvm_rig.h"

/*
 * A VM created at t = 0 (guest_uptime 0): each vCPU's first load
 * (vcpu->cpu == -1 in kvm_arch_vcpu_load) asks for a global clock update,
 * with or without the master clock.  With entry latency 0 the first entries
 * are at t = 0: each writes its own page (on the TSC host the master clock
 * taken there rewrites the others once more, still at 0) and
 * kvm_gen_kvmclock_update() arms kvmclock_update_work for 0 + 100 ms (the
 * later entries find it pending), so every page is written once more at
 * 100 ms, and not again before the sync period.  Without
 * the master clock (HPET host) the second write re-anchors the page on the
 * host's mono at 100 ms: it reads host mono + kvmclock_offset there.
 */
Test(kvm_load, first_load_rewrites_every_page_after_the_update_delay)
{
	static const enum host_kind kinds[] = { HOST_TSC, HOST_HPET };

	for (unsigned k = 0; k < 2; k++) {
		struct kvm_params p = default_params();
		struct rig r;

		uint64_t n0[NVCPUS];

		p.guest_uptime_ns = 0;
		p.entry_latency_max_ps = 0;
		rig_init(&r, kinds[k], &p);
		run(&r, 0);
		cr_expect(sim_event_pending(&r.vm.update_work), "host kind %u", k);
		cr_expect_eq(r.vm.update_work.when, MS(100));
		for (unsigned i = 0; i < NVCPUS; i++) {
			n0[i] = r.vm.vcpus[i].clock_updates;
			cr_expect_geq(n0[i], 1u);
		}
		run(&r, MS(100) - 1);
		for (unsigned i = 0; i < NVCPUS; i++)
			cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i], "kind %u vCPU %u", k, i);
		run(&r, MS(100));
		for (unsigned i = 0; i < NVCPUS; i++) {
			const struct kvm_vcpu *v = &r.vm.vcpus[i];

			cr_expect_eq(v->clock_updates, n0[i] + 1, "kind %u vCPU %u", k, i);
			cr_expect_eq(v->last_update_ps, MS(100), "kind %u vCPU %u", k, i);
			if (kinds[k] == HOST_HPET)
				cr_expect_eq(v->pvti.system_time,
					     host_mono_ns(&r.host, MS(100)) +
					     (uint64_t)r.vm.kvmclock_offset);
		}
		/* the work does not re-arm itself: nothing more until the sync period */
		run(&r, S(1));
		for (unsigned i = 0; i < NVCPUS; i++)
			cr_expect_eq(r.vm.vcpus[i].clock_updates, n0[i] + 1, "kind %u vCPU %u", k, i);
		rig_finish(&r);
	}
}

/*
 * A VM created guest_uptime before `now`: its first loads' update work runs
 * at creation + 100 ms, i.e. at now + 100 ms - uptime while that is ahead
 * (uptime 30 ms: at 70 ms), and not at all for an older VM (50 s).
 */
Test(kvm_load, first_load_work_of_a_young_vm_is_still_pending)
{
	struct kvm_params p = default_params();
	struct rig r;

	p.guest_uptime_ns = 30ULL * 1000 * 1000;
	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_HPET, &p);
	cr_expect(sim_event_pending(&r.vm.update_work));
	cr_expect_eq(r.vm.update_work.when, MS(70));
	run(&r, MS(70));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, MS(70), "vCPU %u", i);
	rig_finish(&r);

	p = default_params();
	rig_init(&r, HOST_HPET, &p);
	run(&r, 0);
	cr_expect_not(sim_event_pending(&r.vm.update_work));
	rig_finish(&r);
}

/*
 * A migration's destination created its vCPUs before the resume: the first
 * entries after kvm_vm_resume at 10 s (latency 0) service the pending global
 * update, so every page is written at 10 s and again at 10.1 s.  The
 * source's pending work (armed by a move 50 ms before the stop) is dropped.
 */
Test(kvm_load, attach_host_rewrites_every_page_after_the_update_delay)
{
	static const unsigned dst_pins[NVCPUS] = { 3, 2, 1, 0 };
	struct kvm_params p = default_params();
	struct host dst;
	struct rig r;

	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_HPET, &p);
	make_host(&dst, 3000000000ULL, 5000 * SIM_NS_PER_S, HOST_HPET);
	run(&r, S(10) - MS(50));
	kvm_vcpu_move(&r.vm.vcpus[0], S(10) - MS(50), 1);
	run(&r, S(10) - MS(50));
	cr_expect_eq(r.vm.update_work.when, S(10) + MS(50));
	kvm_vm_pause(&r.vm, S(10));
	kvm_vm_attach_host(&r.vm, &dst, dst_pins);
	cr_expect_not(sim_event_pending(&r.vm.update_work));
	kvm_vm_resume(&r.vm, S(10));
	run(&r, S(10) + MS(50));
	cr_expect_eq(r.vm.update_work.when, S(10) + MS(100));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(10), "vCPU %u", i);
	run(&r, S(10) + MS(100));
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_expect_eq(r.vm.vcpus[i].last_update_ps, S(10) + MS(100), "vCPU %u", i);
	rig_finish(&r);
	host_finish(&dst);
}

/*
 * kvm_track_tsc_matching() by version, with the master clock on: a write
 * that joins the current generation (V on every vCPU at 1 s, then vCPU 0
 * again with what that generation predicts) asks for a master clock update
 * in 6.1 and not in 6.12 (c52ffadc65e2, 6.7).  A write that starts a new
 * generation asks in both.
 */
Test(kvm_load, matched_write_requests_master_clock_update_only_before_6_7)
{
	static const enum kvm_version versions[] = { KVM_VERSION_6_1, KVM_VERSION_6_12 };
	const uint64_t v0 = 7000000000000ULL;

	for (unsigned k = 0; k < 2; k++) {
		struct kvm_params p = default_params();
		bool old = versions[k] == KVM_VERSION_6_1;
		struct rig r;

		p.version = versions[k];
		rig_init(&r, HOST_TSC, &p);
		run(&r, S(1));
		cr_assert(r.vm.use_master_clock);
		for (unsigned i = 0; i < NVCPUS; i++)
			kvm_vcpu_write_tsc(&r.vm.vcpus[i], S(1), v0);
		/* the last write matched the others and found the master clock on */
		cr_expect_eq((r.vm.vcpus[3].requests & KVM_REQ_MASTERCLOCK_UPDATE) != 0, old,
			     "%s", kvm_version_name(versions[k]));
		run(&r, S(1) + MS(3));
		cr_assert(r.vm.use_master_clock);
		/* 0.5 s later at 2 GHz the generation predicts v0 + 1e9: matched */
		kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(1) + MS(500), v0 + 1000000000ULL);
		cr_expect_eq((r.vm.vcpus[0].requests & KVM_REQ_MASTERCLOCK_UPDATE) != 0, old,
			     "%s", kvm_version_name(versions[k]));
		run(&r, S(1) + MS(503));
		/* 1 s of cycles off the prediction: a new generation, both ask */
		kvm_vcpu_write_tsc(&r.vm.vcpus[0], S(2), v0 + 4000000000ULL);
		cr_expect(r.vm.vcpus[0].requests & KVM_REQ_MASTERCLOCK_UPDATE, "%s",
			  kvm_version_name(versions[k]));
		rig_finish(&r);
	}
}

struct trace_log {
	unsigned tsc_writes, master;
	int64_t last_offset;
	unsigned last_vcpu;
	struct sim_trace_master_clock last_master;
	sim_ps last_master_ps;
};

static void on_trace(void *ctx, const struct sim_trace_record *rec)
{
	struct trace_log *log = ctx;

	if (rec->kind == SIM_TRACE_TSC_WRITE) {
		log->tsc_writes++;
		log->last_offset = rec->u.tsc.offset;
		log->last_vcpu = rec->u.tsc.vcpu;
		cr_expect_eq(rec->u.tsc.ratio_frac_bits, 48u);
	} else if (rec->kind == SIM_TRACE_MASTER_CLOCK) {
		log->master++;
		log->last_master = rec->u.master;
		log->last_master_ps = rec->t_ps;
	}
}

/*
 * With a trace stream KVM publishes every offset/ratio write and every master
 * clock (re)take: at init one write per vCPU and the master clock decided at
 * t = 0 (on, pair = CPU 0's TSC and mono at 0); a later TSC write on vCPU 2
 * is one more record carrying its new offset, and the entry that re-decides
 * the master clock (off: offsets differ) one more.
 */
Test(kvm_load, trace_stream_gets_tsc_writes_and_master_clock)
{
	struct kvm_params p = default_params();
	struct trace_log log = { 0 };
	struct sim_trace t;
	struct rig r;

	sim_trace_init(&t);
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE) |
				      SIM_TRACE_BIT(SIM_TRACE_MASTER_CLOCK), on_trace, &log));
	p.trace = &t;
	p.entry_latency_max_ps = 0;
	rig_init(&r, HOST_TSC, &p);
	cr_expect_eq(log.tsc_writes, NVCPUS);
	cr_expect_geq(log.master, 1u);
	cr_expect(log.last_master.use_master_clock);
	cr_expect_eq(log.last_master.host_tsc, host_rdtsc(&r.host, 0, 0));
	cr_expect_eq(log.last_master.host_ns, host_mono_ns(&r.host, 0));
	run(&r, S(1));
	log.master = 0;
	kvm_vcpu_write_tsc(&r.vm.vcpus[2], S(1), 999);
	cr_expect_eq(log.tsc_writes, NVCPUS + 1);
	cr_expect_eq(log.last_vcpu, 2u);
	cr_expect_eq(log.last_offset, r.vm.vcpus[2].tsc_offset);
	run(&r, S(1));
	cr_expect_eq(log.master, 1u);
	cr_expect_not(log.last_master.use_master_clock);
	cr_expect_eq(log.last_master_ps, S(1));

	/* without a stream (NULL) nothing is published */
	kvm_vm_set_trace(&r.vm, NULL);
	kvm_vcpu_write_tsc(&r.vm.vcpus[1], S(2), 5);
	cr_expect_eq(log.tsc_writes, NVCPUS + 1);
	rig_finish(&r);
}

