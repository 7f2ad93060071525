/*
 * A clock update: at `at` (then every `every`, `count` times or until the
 * end of the run) a KVM request is posted on one vCPU, as the host kernel
 * does it (arch/x86/kvm/x86.c, 6.1 and 6.12):
 * - "masterclock": KVM_REQ_MASTERCLOCK_UPDATE, as pvclock_gtod_update_fn()
 *   posts it when the host clocksource stops being the TSC, and
 *   kvm_write_system_time() when vCPU 0 switches between MSR_KVM_SYSTEM_TIME
 *   and _NEW (the F06 selftest's trigger); kvm_update_masterclock() takes a
 *   new pair and kvm_end_pvclock_update() asks every vCPU to rewrite its page;
 * - "global": KVM_REQ_GLOBAL_CLOCK_UPDATE (kvm_gen_kvmclock_update(), posted
 *   when a vCPU is loaded on another pCPU without the master clock): this
 *   vCPU's page at its entry, every page KVMCLOCK_UPDATE_DELAY later;
 * - "vcpu": KVM_REQ_CLOCK_UPDATE on that vCPU alone (kvm_guest_time_update()).
 * With "stagger", a master clock update reaches the vCPUs' pages at
 * different moments: KVM takes the new pair at `at` and asks every vCPU for
 * KVM_REQ_CLOCK_UPDATE (kvm_end_pvclock_update()), but each vCPU services it
 * at its next entry, and a descheduled or halted vCPU enters late: the k-th
 * vCPU from `vcpu` writes its page k x stagger after the pair.
 * Not a VMM ioctl: the host kernel's own work, listed with the VMM's actions
 * because it is a timeline of things done to the VM.  Phase: "request".
 */
#include "sim/vmm/action.h"
#include "sim/kvm/kvm_kick.h"

struct clock_update {
	struct vmm_action a;
	struct sim_event ev;
	/* set at schedule, so that a page write's step reads them without vmm_env()'s call */
	const struct scn_clock_update *sc;
	struct kvm_vm *vm;
	sim_ps end_ps;            /* the run's duration: no round at or after it */
	uint64_t done;            /* requests posted so far */
	unsigned next;            /* staggered: the next vCPU (counted from `vcpu`) to update */
	unsigned idx;             /* staggered: that vCPU's index, `vcpu` + next wrapped */
	sim_ps round_ps;          /* staggered: when the current round's pair was taken */
	char name[32];
};

static const char *const phases[] = { "request", NULL };

static const uint32_t request_bits[] = {
	[SCN_REQ_MASTERCLOCK] = KVM_REQ_MASTERCLOCK_UPDATE,
	[SCN_REQ_GLOBAL] = KVM_REQ_GLOBAL_CLOCK_UPDATE,
	[SCN_REQ_VCPU] = KVM_REQ_CLOCK_UPDATE,
};
_Static_assert(sizeof(request_bits) / sizeof(request_bits[0]) == SCN_REQ_COUNT,
	       "one KVM request per clock update kind");

/* The next round `every` after `from`, unless the count or the run is over. */
static void next_round(struct clock_update *cu, struct sim_eventq *q, sim_ps from)
{
	const struct scn_clock_update *sc = cu->sc;
	sim_ps next;

	if (!sc->every_ps || (sc->count && cu->done >= sc->count))
		return;
	next = sim_add_sat(from, sc->every_ps);
	if (next < cu->end_ps)
		sim_schedule_firing(q, &cu->ev, next);
}

/*
 * One step of a staggered round: the pair first, then one vCPU's page per
 * step.  When the vCPU's entry is quiet (kvm_vcpu_clock_kick_if_quiet) it
 * is kicked before the re-arm, which it cannot reorder; the next step is
 * then taken inline when it would be the next event anyway
 * (sim_eventq_take_inline), saving the re-arm's sift and a turn of the run.
 */
static void staggered_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct clock_update *cu = sim_container_of(ev, struct clock_update, ev);
	struct kvm_vm *vm = cu->vm;

	for (;;) {
		struct kvm_vcpu *v = &vm->vcpus[cu->idx];
		sim_ps next;

		if (cu->next == 0) {
			vmm_phase(&cu->a, "request", now);
			cu->round_ps = now;
			cu->done++;
			/* pvclock_update_vm_gtod_copy() at the request; the pages follow one by one */
			kvm_update_masterclock(vm, now);
		}
		/* the k-th vCPU from `vcpu`, wrapping */
		if (++cu->idx == vm->nvcpus)
			cu->idx = 0;
		if (++cu->next == vm->nvcpus) {
			cu->next = 0;
			next_round(cu, q, cu->round_ps);
			/* last: a zero-latency kick's entry may then be serviced at once */
			kvm_vcpu_request_last(v, KVM_REQ_CLOCK_UPDATE, now);
			return;
		}
		next = sim_add_sat(now, cu->sc->stagger_ps);
		/* a re-arm to SIM_NEVER fails the run: the kick stays after it, as before */
		if (next == SIM_NEVER || !kvm_vcpu_clock_kick_if_quiet(v, now)) {
			sim_schedule_firing(q, &cu->ev, next);
			kvm_vcpu_request_last(v, KVM_REQ_CLOCK_UPDATE, now);
			return;
		}
		if (!sim_eventq_take_inline(q, &cu->ev, next)) {
			sim_schedule_firing(q, &cu->ev, next);
			return;
		}
		now = next;
	}
}

static void update_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct clock_update *cu = sim_container_of(ev, struct clock_update, ev);
	const struct scn_clock_update *sc = cu->sc;

	vmm_phase(&cu->a, "request", now);
	cu->done++;
	next_round(cu, q, now);
	/* a paused VM keeps the request pending until it runs again */
	kvm_vcpu_request_last(&cu->vm->vcpus[sc->vcpu], request_bits[sc->request], now);
}

static void update_schedule(struct vmm_action *a)
{
	struct clock_update *cu = (struct clock_update *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	cu->sc = &e->spec->clock_updates[a->index];
	cu->vm = e->vm;
	cu->end_ps = e->s->duration_ps;
	cu->idx = cu->sc->vcpu;
	sim_event_setup(&cu->ev, cu->name, sizeof(cu->name), SIM_PRIO_SCENARIO,
			cu->sc->stagger_ps ? staggered_fire : update_fire, "clock_update%u", a->index);
	sim_schedule(e->q, &cu->ev, cu->sc->at_ps);
}

static unsigned update_count(const struct scn_vm *vm)
{
	return vm->nclock_updates;
}

const struct vmm_action_ops vmm_action_clock_update = {
	.name = "clock_update",
	.phases = phases,
	.state_size = sizeof(struct clock_update),
	.count = update_count,
	.schedule = update_schedule,
};
