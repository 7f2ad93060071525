/*
 * A stall: the VMM process is stopped (SIGSTOP) or all its vCPU threads are
 * descheduled from `at` for `duration`, or only some vCPU threads are.
 * Nothing else stops: true time, the board's devices (on host time,
 * VMM_BOARD_HOST: the PIT and the RTC keep raising ticks nobody takes), the
 * host's TSC and so kvmclock.  KVM enters no stalled vCPU meanwhile, so its
 * pending requests wait for the end of the stall, and the guest's readers
 * stop with their vCPUs.  What becomes of the ticks due meanwhile is the
 * lost-tick policy's (sim/kvm/tick_delivery.h).
 *
 * Model: in a stall of some vCPUs, a request raised for a stalled vCPU
 * during the stall (a kvmclock update) is still serviced when raised, not
 * at the vCPU's next entry after the stall.
 *
 * Phases: "stop", "resume".
 */
#include "sim/vmm/action.h"

#include <stdio.h>

struct stall {
	struct vmm_action a;
	struct sim_event ev;
	char name[32];
	bool stopped;
};

static const char *const phases[] = { "stop", "resume", NULL };

/* The listed vCPUs stop (no entry) or run again (pending requests first), the others run on. */
static void some_vcpus(struct stall *st, const struct scn_stall *ss, bool running, sim_ps now)
{
	const struct vmm_env *e = vmm_env(st->a.vmm);

	for (unsigned i = 0; i < ss->nvcpus; i++) {
		struct kvm_vcpu *v = &e->vm->vcpus[ss->vcpus[i]];

		if (!running)
			sim_cancel(e->q, &v->entry);
		else if (v->requests && e->vm->running)
			sim_schedule(e->q, &v->entry, now);
		if (e->vcpu_running)
			e->vcpu_running(e->ctx, ss->vcpus[i], running, now);
	}
}

static void stall_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct stall *st = sim_container_of(ev, struct stall, ev);
	const struct scn_stall *ss = &vmm_env(st->a.vmm)->spec->stalls[st->a.index];

	if (!st->stopped) {
		st->stopped = true;
		vmm_phase(&st->a, "stop", now);
		if (ss->all)
			vmm_pause_guest(&st->a, now);
		else
			some_vcpus(st, ss, false, now);
		sim_schedule(q, &st->ev, sim_add_sat(now, ss->duration_ps));
		return;
	}
	vmm_phase(&st->a, "resume", now);
	if (ss->all)
		vmm_resume_guest(&st->a, now);
	else
		some_vcpus(st, ss, true, now);
}

static void stall_schedule(struct vmm_action *a)
{
	struct stall *st = (struct stall *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	sim_event_setup(&st->ev, st->name, sizeof(st->name), SIM_PRIO_SCENARIO, stall_fire,
			"stall%u", a->index);
	sim_schedule(e->q, &st->ev, e->spec->stalls[a->index].at_ps);
}

static unsigned stall_count(const struct scn_vm *vm)
{
	return vm->nstalls;
}

const struct vmm_action_ops vmm_action_stall = {
	.name = "stall",
	.phases = phases,
	.state_size = sizeof(struct stall),
	.count = stall_count,
	.schedule = stall_schedule,
};
