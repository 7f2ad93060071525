/*
 * KVM_KVMCLOCK_CTRL and KVM's APIC timer (sim/kvm/vcpu_state.h) on the exact
 * 2 GHz rig host (kvm_rig.h): 2 guest TSC cycles per ns, so a deadline
 * distance of d cycles arms the hrtimer for exactly d / 2 ns.
 */
#include "tests/kvm_rig.h"

#include "sim/kvm/vcpu_state.h"

#define CYCLES_PER_MS 2000000ULL   /* 2 GHz */

struct irq_log {
	unsigned n;
	sim_ps at[8];
	uint8_t flags[8];
};

static void log_irq(void *ctx, struct kvm_vcpu *v, sim_ps now)
{
	struct irq_log *l = ctx;

	if (l->n < 8) {
		l->at[l->n] = now;
		l->flags[l->n] = v->pvti.flags;
	}
	l->n++;
}

static void rig_up(struct rig *r)
{
	struct kvm_params p = default_params();

	p.entry_latency_max_ps = 0;      /* entries at the instant of the request */
	rig_init(r, HOST_TSC, &p);
	run(r, MS(1));                   /* every page written once */
	for (unsigned i = 0; i < NVCPUS; i++)
		cr_assert_gt(r->vm.vcpus[i].pvti.version, 0);
}

/*
 * The ioctl on a paused vCPU: no entry, so the page does not carry the flag
 * however long the pause lasts; the first entry after the resume writes it,
 * before anything else runs at that instant.
 */
Test(vcpu_state, stopped_flag_reaches_the_page_only_at_the_next_entry)
{
	struct rig r;
	struct kvm_vcpu *v;
	uint32_t version;

	rig_up(&r);
	v = &r.vm.vcpus[1];
	kvm_vm_pause(&r.vm, MS(2));
	kvm_set_guest_paused(v, MS(2));
	version = v->pvti.version;
	run(&r, S(100));
	cr_expect(v->pvclock_set_guest_stopped_request);
	cr_expect_eq(v->pvti.flags & PVCLOCK_GUEST_STOPPED, 0, "flag before the entry");
	cr_expect_eq(v->pvti.version, version, "no page write while paused");

	kvm_vm_resume(&r.vm, S(100));
	run(&r, S(100));
	cr_expect_neq(v->pvti.flags & PVCLOCK_GUEST_STOPPED, 0, "flag after the entry");
	cr_expect(!v->pvclock_set_guest_stopped_request, "the request is done");
	cr_expect_eq(v->last_update_ps, S(100));
	/* only the vCPU it was called on */
	cr_expect_eq(r.vm.vcpus[0].pvti.flags & PVCLOCK_GUEST_STOPPED, 0);
	rig_finish(&r);
}

/* KVM keeps the flag in later page writes until the guest clears it, then never re-adds it. */
Test(vcpu_state, stopped_flag_stays_until_the_guest_clears_it)
{
	struct rig r;
	struct kvm_vcpu *v;

	rig_up(&r);
	v = &r.vm.vcpus[0];
	kvm_set_guest_paused(v, MS(2));
	run(&r, MS(3));
	cr_assert_neq(v->pvti.flags & PVCLOCK_GUEST_STOPPED, 0);
	kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, MS(4));
	run(&r, MS(5));
	cr_expect_eq(v->last_update_ps, MS(4));
	cr_expect_neq(v->pvti.flags & PVCLOCK_GUEST_STOPPED, 0, "retained by the next write");
	/* the guest: kvm_check_and_clear_guest_paused() */
	v->pvti.flags &= (uint8_t)~PVCLOCK_GUEST_STOPPED;
	kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, MS(6));
	run(&r, MS(7));
	cr_expect_eq(v->last_update_ps, MS(6));
	cr_expect_eq(v->pvti.flags & PVCLOCK_GUEST_STOPPED, 0, "not re-added");
	cr_expect_neq(v->pvti.flags & PVCLOCK_TSC_STABLE_BIT, 0, "the stable bit is untouched");
	rig_finish(&r);
}

/* A deadline 100 ms of cycles ahead arms the hrtimer exactly 100 ms out; its interrupt comes then. */
Test(vcpu_state, deadline_distance_is_taken_at_the_write)
{
	struct rig r;
	struct irq_log log = { 0 };
	struct kvm_vcpu *v;
	uint64_t d;

	rig_up(&r);
	v = &r.vm.vcpus[2];
	kvm_lapic_set_irq(v, log_irq, &log);
	kvm_lapic_set_mode(v, KVM_LAPIC_TSC_DEADLINE, MS(10));
	d = kvm_vcpu_guest_tsc(v, MS(10)) + 100 * CYCLES_PER_MS;
	kvm_lapic_write_tscdeadline(v, d, MS(10));
	cr_expect_eq(v->lapic.target_ps, MS(110));
	cr_expect_eq(kvm_lapic_read_tscdeadline(v), d);
	/* the TSC moved 5 s back afterwards: KVM does not re-arm (the F03 mechanism) */
	kvm_vcpu_write_tsc(v, MS(20), kvm_vcpu_guest_tsc(v, MS(20)) - 5000 * CYCLES_PER_MS);
	cr_expect_eq(v->lapic.target_ps, MS(110));
	cr_expect_eq(kvm_lapic_deadline_skew(v, MS(20)), -(int64_t)(5000 * CYCLES_PER_MS),
		     "armed against a TSC 5 s ahead of today's");
	run(&r, MS(200));
	cr_expect_eq(log.n, 1);
	cr_expect_eq(log.at[0], MS(110));
	cr_expect_eq(kvm_lapic_read_tscdeadline(v), 0, "spent");
	rig_finish(&r);
}

/*
 * The restore orders, by hand.  Saved: TSC S, deadline D = S + 60 ms of
 * cycles.  The new vCPU's TSC starts at S - 5 s.  Restore at R = 1 s:
 *   IA32_TSC then IA32_TSC_DEADLINE: D - S = 60 ms      -> fires at R + 60 ms;
 *   IA32_TSC_DEADLINE then IA32_TSC: D - (S - 5 s) = 5.06 s -> fires at R + 5.06 s;
 *   the deadline before the LVT mode (KVM_SET_LAPIC): dropped -> never.
 */
static sim_ps restore_fire(int order)
{
	struct rig r;
	struct irq_log log = { 0 };
	struct kvm_vcpu *v;
	const sim_ps at = S(1);
	uint64_t saved, d;

	rig_up(&r);
	v = &r.vm.vcpus[3];
	kvm_lapic_set_irq(v, log_irq, &log);
	saved = kvm_vcpu_guest_tsc(v, at);
	d = saved + 60 * CYCLES_PER_MS;
	kvm_vm_pause(&r.vm, at);
	kvm_lapic_reset(v);
	kvm_vcpu_write_tsc(v, at, saved - 5000 * CYCLES_PER_MS);
	if (order == 0) {
		kvm_lapic_set_mode(v, KVM_LAPIC_TSC_DEADLINE, at);
		kvm_vcpu_write_tsc(v, at, saved);
		kvm_lapic_write_tscdeadline(v, d, at);
	} else if (order == 1) {
		kvm_lapic_set_mode(v, KVM_LAPIC_TSC_DEADLINE, at);
		kvm_lapic_write_tscdeadline(v, d, at);
		kvm_vcpu_write_tsc(v, at, saved);
	} else {
		kvm_lapic_write_tscdeadline(v, d, at);
		kvm_lapic_set_mode(v, KVM_LAPIC_TSC_DEADLINE, at);
		kvm_vcpu_write_tsc(v, at, saved);
	}
	kvm_vm_resume(&r.vm, at);
	run(&r, S(20));
	rig_finish(&r);
	return log.n ? log.at[0] : SIM_NEVER;
}

Test(vcpu_state, restore_orders_give_the_hand_computed_distance)
{
	cr_expect_eq(restore_fire(0), S(1) + MS(60), "TSC first");
	cr_expect_eq(restore_fire(1), S(1) + MS(5060), "deadline first: 5 s late");
	cr_expect_eq(restore_fire(2), SIM_NEVER, "deadline before the LVT mode: dropped");
}

/*
 * An expiry while the VM is paused: the MSR reads 0 at once, the interrupt
 * waits, and is injected when the vCPU runs again.
 */
Test(vcpu_state, expiry_while_paused_is_pending_until_the_resume)
{
	struct rig r;
	struct irq_log log = { 0 };
	struct kvm_vcpu *v;

	rig_up(&r);
	v = &r.vm.vcpus[0];
	kvm_lapic_set_irq(v, log_irq, &log);
	kvm_lapic_set_mode(v, KVM_LAPIC_TSC_DEADLINE, MS(10));
	kvm_lapic_write_tscdeadline(v, kvm_vcpu_guest_tsc(v, MS(10)) + 30 * CYCLES_PER_MS, MS(10));
	kvm_vm_pause(&r.vm, MS(20));
	run(&r, MS(100));
	cr_expect_eq(log.n, 0);
	cr_expect(v->lapic.pending);
	cr_expect_eq(kvm_lapic_read_tscdeadline(v), 0, "the MSR reads 0 once expired");
	kvm_vm_resume(&r.vm, MS(100));
	run(&r, MS(200));
	cr_expect_eq(log.n, 1);
	cr_expect_eq(log.at[0], MS(100));
	cr_expect(!v->lapic.pending);
	rig_finish(&r);
}

/* Count-down modes: a one-shot fires once after its delay; a periodic one every period. */
Test(vcpu_state, countdown_modes)
{
	struct rig r;
	struct irq_log log = { 0 };
	struct kvm_vcpu *v;

	rig_up(&r);
	v = &r.vm.vcpus[1];
	kvm_lapic_set_irq(v, log_irq, &log);
	kvm_lapic_set_mode(v, KVM_LAPIC_PERIODIC, MS(10));
	kvm_lapic_start_count(v, 25000000, MS(10));     /* 25 ms */
	run(&r, MS(90));
	cr_expect_eq(log.n, 3);
	cr_expect_eq(log.at[0], MS(35));
	cr_expect_eq(log.at[2], MS(85));
	kvm_lapic_set_mode(v, KVM_LAPIC_ONESHOT, MS(90));
	kvm_lapic_start_count(v, 5000000, MS(90));
	run(&r, MS(200));
	cr_expect_eq(log.n, 4);
	cr_expect_eq(log.at[3], MS(95));
	/* a deadline write outside TSC-deadline mode is ignored */
	kvm_lapic_write_tscdeadline(v, 1, MS(200));
	cr_expect_eq(kvm_lapic_read_tscdeadline(v), 0);
	cr_expect_eq(v->lapic.target_ps, SIM_NEVER);
	rig_finish(&r);
}
