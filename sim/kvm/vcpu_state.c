/*
 * KVM_KVMCLOCK_CTRL and KVM's in-kernel APIC timer, after arch/x86/kvm/x86.c
 * (kvm_set_guest_paused) and arch/x86/kvm/lapic.c (apic_update_lvtt,
 * kvm_set_lapic_tscdeadline_msr, start_sw_tscdeadline, apic_timer_expired,
 * kvm_apic_inject_pending_timer_irqs) as of 6.1 and 6.12; vcpu_state.h
 * says what is modelled.
 */
#include "sim/kvm/vcpu_state.h"

#include <stdio.h>

#define PPM 1000000ULL

void kvm_set_guest_paused(struct kvm_vcpu *v, sim_ps now)
{
	v->pvclock_set_guest_stopped_request = true;
	kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, now);
}

/* The interrupt reaches the guest: kvm_apic_inject_pending_timer_irqs(). */
static void inject_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_lapic_timer *t = sim_container_of(ev, struct kvm_lapic_timer, inject);
	struct kvm_vcpu *v = sim_container_of(t, struct kvm_vcpu, lapic);

	(void)q;
	if (!v->vm->running || !t->pending)
		return;
	t->pending = false;
	t->injected++;
	if (t->irq)
		t->irq(t->irq_ctx, v, now);
}

/*
 * apic_timer_expired(): the interrupt is pending until the vCPU runs; a
 * TSC-deadline or one-shot timer is spent (its deadline reads 0 from now).
 */
static void expire(struct kvm_vcpu *v, sim_ps now)
{
	struct kvm_lapic_timer *t = &v->lapic;

	t->expirations++;
	if (t->mode == KVM_LAPIC_TSC_DEADLINE)
		t->tscdeadline = 0;
	if (t->mode != KVM_LAPIC_PERIODIC)
		t->target_ps = SIM_NEVER;
	if (t->pending)
		return;                  /* one pending interrupt at most */
	t->pending = true;
	if (v->vm->running && !sim_event_pending(&t->inject))
		sim_schedule(v->vm->q, &t->inject, now);
}

static void hrtimer_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_lapic_timer *t = sim_container_of(ev, struct kvm_lapic_timer, hrtimer);
	struct kvm_vcpu *v = sim_container_of(t, struct kvm_vcpu, lapic);

	if (t->mode == KVM_LAPIC_PERIODIC && t->period_ns) {
		/* advance_periodic_target_expiration(): the next period from the last target */
		t->target_ps = sim_add_sat(t->target_ps, t->period_ns * SIM_PS_PER_NS);
		if (t->target_ps != SIM_NEVER)
			sim_schedule(q, &t->hrtimer, t->target_ps);
	}
	expire(v, now);
}

void kvm_lapic_init(struct kvm_vcpu *v)
{
	struct kvm_lapic_timer *t = &v->lapic;

	snprintf(t->hrtimer_name, sizeof(t->hrtimer_name), "kvm.vcpu%u.hrtimer", v->id);
	snprintf(t->inject_name, sizeof(t->inject_name), "kvm.vcpu%u.timer_irq", v->id);
	sim_event_init(&t->hrtimer, t->hrtimer_name, SIM_PRIO_HYPERVISOR, hrtimer_fn);
	/* after the entries of the same instant: the page is current before the guest runs */
	sim_event_init(&t->inject, t->inject_name, SIM_PRIO_IRQ, inject_fn);
	t->mode = KVM_LAPIC_ONESHOT;
	t->target_ps = SIM_NEVER;
}

void kvm_lapic_finish(struct kvm_vcpu *v)
{
	if (!v->vm || !v->vm->q)
		return;
	sim_cancel(v->vm->q, &v->lapic.hrtimer);
	sim_cancel(v->vm->q, &v->lapic.inject);
}

void kvm_lapic_set_irq(struct kvm_vcpu *v, kvm_timer_irq_fn *fn, void *ctx)
{
	v->lapic.irq = fn;
	v->lapic.irq_ctx = ctx;
}

static void cancel_timer(struct kvm_vcpu *v)
{
	sim_cancel(v->vm->q, &v->lapic.hrtimer);
	v->lapic.target_ps = SIM_NEVER;
}

void kvm_lapic_set_mode(struct kvm_vcpu *v, enum kvm_lapic_timer_mode mode, sim_ps now)
{
	struct kvm_lapic_timer *t = &v->lapic;

	(void)now;
	if (mode == t->mode)
		return;
	/* apic_update_lvtt(): into or out of TSC-deadline mode, the timer starts over */
	if ((mode == KVM_LAPIC_TSC_DEADLINE) != (t->mode == KVM_LAPIC_TSC_DEADLINE)) {
		cancel_timer(v);
		t->period_ns = 0;
		t->tscdeadline = 0;
	}
	t->mode = mode;
}

void kvm_lapic_write_tscdeadline(struct kvm_vcpu *v, uint64_t deadline, sim_ps now)
{
	struct kvm_lapic_timer *t = &v->lapic;
	uint64_t guest_tsc, ns;

	/* kvm_set_lapic_tscdeadline_msr(): ignored unless the LVT is in TSC-deadline mode */
	if (t->mode != KVM_LAPIC_TSC_DEADLINE)
		return;
	cancel_timer(v);
	t->tscdeadline = deadline;
	if (deadline == 0)
		return;
	/* start_sw_tscdeadline(): against the guest TSC of this instant, once */
	guest_tsc = kvm_vcpu_guest_tsc(v, now);
	t->armed_guest_tsc = guest_tsc;
	t->armed_ps = now;
	if (deadline <= guest_tsc || v->virtual_tsc_khz == 0) {
		expire(v, now);
		return;
	}
	ns = sim_mul_div(deadline - guest_tsc, PPM, v->virtual_tsc_khz);
	t->target_ps = ns >= SIM_NEVER / SIM_PS_PER_NS ? SIM_NEVER :
		       sim_add_sat(now, ns * SIM_PS_PER_NS);
	if (t->target_ps != SIM_NEVER)
		sim_schedule(v->vm->q, &t->hrtimer, t->target_ps);
}

uint64_t kvm_lapic_read_tscdeadline(const struct kvm_vcpu *v)
{
	return v->lapic.mode == KVM_LAPIC_TSC_DEADLINE ? v->lapic.tscdeadline : 0;
}

void kvm_lapic_start_count(struct kvm_vcpu *v, uint64_t period_ns, sim_ps now)
{
	struct kvm_lapic_timer *t = &v->lapic;

	if (t->mode == KVM_LAPIC_TSC_DEADLINE)
		return;
	cancel_timer(v);
	t->period_ns = period_ns;
	t->armed_ps = now;
	if (period_ns == 0 || period_ns >= SIM_NEVER / SIM_PS_PER_NS)
		return;
	t->target_ps = sim_add_sat(now, period_ns * SIM_PS_PER_NS);
	if (t->target_ps != SIM_NEVER)
		sim_schedule(v->vm->q, &t->hrtimer, t->target_ps);
}

void kvm_lapic_reset(struct kvm_vcpu *v)
{
	struct kvm_lapic_timer *t = &v->lapic;

	cancel_timer(v);
	sim_cancel(v->vm->q, &t->inject);
	t->mode = KVM_LAPIC_ONESHOT;
	t->tscdeadline = 0;
	t->period_ns = 0;
	t->pending = false;
	t->armed_guest_tsc = 0;
	t->armed_ps = 0;
}

int64_t kvm_lapic_deadline_skew(const struct kvm_vcpu *v, sim_ps now)
{
	const struct kvm_lapic_timer *t = &v->lapic;
	uint64_t elapsed_ns, at_arm;

	if (t->armed_ps == 0 && t->armed_guest_tsc == 0)
		return 0;
	elapsed_ns = sim_to_ns(now - t->armed_ps);
	at_arm = kvm_vcpu_guest_tsc(v, now) - sim_mul_div(elapsed_ns, v->virtual_tsc_khz, PPM);
	return (int64_t)(at_arm - t->armed_guest_tsc);
}

void kvm_lapic_vm_resumed(struct kvm_vm *vm, sim_ps now)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_lapic_timer *t = &vm->vcpus[i].lapic;

		if (t->pending && !sim_event_pending(&t->inject))
			sim_schedule(vm->q, &t->inject, now);
	}
}
