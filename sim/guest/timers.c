/*
 * Guest timers on KVM's APIC timer: arm, take the interrupt, re-arm
 * (timers.h).  Linux: lapic_next_deadline() writes IA32_TSC_DEADLINE as
 * rdtsc() + delta cycles (arch/x86/kernel/apic/apic.c); the soft-lockup
 * watchdog's check of the stopped flag is kvm_check_and_clear_guest_paused()
 * (arch/x86/kernel/kvmclock.c).
 */
#include "sim/guest/timers.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/kvm/pvclock.h"
#include "sim/kvm/vcpu_state.h"

#define PPM 1000000ULL

struct guest_timer {
	struct guest_timers *g;
	struct kvm_vcpu *v;
	struct guest_timer_params p;
	bool used;
	struct sim_event start;
	char start_name[32];
	uint64_t tsc_khz;         /* the TSC rate the guest calibrated at boot (t = 0) */
	sim_ps armed_ps;          /* when the guest last armed it */
	uint64_t deadline;        /* deadline mode: what the guest last wrote */
	uint64_t fires;
};

struct guest_timers {
	struct kvm_vm *vm;
	struct sim_trace *trace;
	struct guest_timer *t;    /* one per vCPU */
};

static const char *const mode_names[] = { "oneshot", "periodic", "deadline" };
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == GUEST_TIMER_MODE_COUNT,
	       "one name per guest timer mode");

const char *guest_timer_mode_name(enum guest_timer_mode m)
{
	return (unsigned)m < GUEST_TIMER_MODE_COUNT ? mode_names[m] : "?";
}

static void publish(const struct guest_timer *t, bool fire, sim_ps now)
{
	const struct kvm_vcpu *v = t->v;
	struct sim_trace_record rec;
	uint64_t tsc;

	if (!sim_trace_wants(t->g->trace, SIM_TRACE_GUEST_TIMER))
		return;
	tsc = kvm_vcpu_guest_tsc(v, now);
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_TIMER, .t_ps = now };
	rec.u.timer = (struct sim_trace_guest_timer){
		.vm = v->vm->index,
		.vcpu = v->id,
		.mode = mode_names[t->p.mode],
		.fire = fire,
		.armed_ps = t->armed_ps,
		.period_ps = t->p.period_ps,
		.deadline_tsc = t->p.mode == GUEST_TIMER_DEADLINE ? t->deadline : 0,
		.guest_tsc = tsc,
		.tsc_khz = t->tsc_khz,
		.deadline_skew = fire && t->p.mode == GUEST_TIMER_DEADLINE ?
				 kvm_lapic_deadline_skew(v, now) : 0,
		.kvmclock_ns = pvclock_read_cycles(&v->pvti, tsc),
		.page_flags = v->pvti.flags,
	};
	sim_trace_publish(t->g->trace, &rec);
}

/* The guest programs the next expiry. */
static void arm(struct guest_timer *t, sim_ps now)
{
	struct kvm_vcpu *v = t->v;
	uint64_t delay_ns = sim_to_ns(t->p.period_ps);

	t->armed_ps = now;
	switch (t->p.mode) {
	case GUEST_TIMER_DEADLINE:
		t->deadline = kvm_vcpu_guest_tsc(v, now) + sim_mul_div(delay_ns, t->tsc_khz, PPM);
		kvm_lapic_write_tscdeadline(v, t->deadline, now);
		break;
	case GUEST_TIMER_ONESHOT:
	case GUEST_TIMER_PERIODIC:
		kvm_lapic_start_count(v, delay_ns, now);
		break;
	case GUEST_TIMER_MODE_COUNT:
		break;
	}
	publish(t, false, now);
}

static void on_irq(void *ctx, struct kvm_vcpu *v, sim_ps now)
{
	struct guest_timer *t = ctx;

	t->fires++;
	publish(t, true, now);
	/* kvm_check_and_clear_guest_paused(): the watchdog sees the excuse and clears it */
	v->pvti.flags = (uint8_t)(v->pvti.flags & ~PVCLOCK_GUEST_STOPPED);
	if (t->p.mode != GUEST_TIMER_PERIODIC)
		arm(t, now);
}

static void start_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct guest_timer *t = sim_container_of(ev, struct guest_timer, start);
	static const enum kvm_lapic_timer_mode lvt[] = {
		[GUEST_TIMER_ONESHOT] = KVM_LAPIC_ONESHOT,
		[GUEST_TIMER_PERIODIC] = KVM_LAPIC_PERIODIC,
		[GUEST_TIMER_DEADLINE] = KVM_LAPIC_TSC_DEADLINE,
	};

	(void)q;
	kvm_lapic_set_mode(t->v, lvt[t->p.mode], now);
	arm(t, now);
}

struct guest_timers *guest_timers_create(struct kvm_vm *vm, const struct guest_timer_params *p,
					 unsigned n, struct sim_trace *trace, struct sim_diag *err)
{
	struct guest_timers *g = calloc(1, sizeof(*g));

	if (g)
		g->t = calloc(vm->nvcpus, sizeof(*g->t));
	if (!g || !g->t) {
		free(g);
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	g->vm = vm;
	g->trace = trace;
	for (unsigned i = 0; i < n; i++) {
		struct guest_timer *t;

		if (p[i].vcpu >= vm->nvcpus || (unsigned)p[i].mode >= GUEST_TIMER_MODE_COUNT ||
		    p[i].period_ps < SIM_PS_PER_NS || g->t[p[i].vcpu].used) {
			sim_diag_fail(err, "guest timer %u: bad vCPU, mode or period, or a second "
				      "timer on vCPU %u", i, p[i].vcpu);
			guest_timers_destroy(g);
			return NULL;
		}
		t = &g->t[p[i].vcpu];
		*t = (struct guest_timer){ .g = g, .v = &vm->vcpus[p[i].vcpu], .p = p[i], .used = true,
					   .tsc_khz = vm->vcpus[p[i].vcpu].virtual_tsc_khz };
		snprintf(t->start_name, sizeof(t->start_name), "guest.vcpu%u.timer", p[i].vcpu);
		sim_event_init(&t->start, t->start_name, SIM_PRIO_GUEST, start_fn);
		kvm_lapic_set_irq(t->v, on_irq, t);
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (g->t[i].used)
			sim_schedule(vm->q, &g->t[i].start, g->t[i].p.start_ps);
	return g;
}

void guest_timers_destroy(struct guest_timers *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < g->vm->nvcpus; i++) {
		if (!g->t[i].used)
			continue;
		sim_cancel(g->vm->q, &g->t[i].start);
		kvm_lapic_set_irq(g->t[i].v, NULL, NULL);
	}
	free(g->t);
	free(g);
}

uint64_t guest_timers_fires(const struct guest_timers *g, unsigned vcpu)
{
	return g && vcpu < g->vm->nvcpus ? g->t[vcpu].fires : 0;
}
