/*
 * A stall: the VMM process is stopped (SIGSTOP) or all its vCPU threads are
 * descheduled from `at` for `duration`.  Nothing else stops: true time, the
 * board's devices (on host time, VMM_BOARD_HOST: the PIT and the RTC keep
 * raising ticks nobody takes), the host's TSC and so kvmclock.  KVM enters
 * no vCPU meanwhile, so requests wait for the end of the stall, and the
 * guest's readers stop with their vCPUs.  What becomes of the ticks due
 * meanwhile is the lost-tick policy's (sim/kvm/tick_delivery.h).
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

static void stall_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct stall *st = sim_container_of(ev, struct stall, ev);
	const struct scn_stall *ss = &vmm_env(st->a.vmm)->s->stalls[st->a.index];

	if (!st->stopped) {
		st->stopped = true;
		vmm_phase(&st->a, "stop", now);
		vmm_pause_guest(&st->a, now);
		sim_schedule(q, &st->ev, sim_add_sat(now, ss->duration_ps));
		return;
	}
	vmm_phase(&st->a, "resume", now);
	vmm_resume_guest(&st->a, now);
}

static void stall_schedule(struct vmm_action *a)
{
	struct stall *st = (struct stall *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	sim_event_setup(&st->ev, st->name, sizeof(st->name), SIM_PRIO_SCENARIO, stall_fire,
			"stall%u", a->index);
	sim_schedule(e->q, &st->ev, e->s->stalls[a->index].at_ps);
}

static unsigned stall_count(const struct scenario *s)
{
	return s->nstalls;
}

const struct vmm_action_ops vmm_action_stall = {
	.name = "stall",
	.phases = phases,
	.state_size = sizeof(struct stall),
	.count = stall_count,
	.schedule = stall_schedule,
};
