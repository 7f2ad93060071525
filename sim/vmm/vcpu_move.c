/*
 * A vCPU move: at `at` the host's scheduler runs vCPU `vcpu` on pCPU `pcpu`
 * of the host the VM is on then (KVM: vcpu_load on the new CPU).  While the
 * VM is stopped the move only changes where the vCPU will run.
 *
 * Phase: "move".
 */
#include "sim/vmm/action.h"

#include <stdio.h>

struct vcpu_move {
	struct vmm_action a;
	struct sim_event ev;
	char name[32];
};

static const char *const phases[] = { "move", NULL };

static void move_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct vcpu_move *mv = sim_container_of(ev, struct vcpu_move, ev);
	const struct vmm_env *e = vmm_env(mv->a.vmm);
	const struct scn_vcpu_move *sm = &e->spec->moves[mv->a.index];
	struct kvm_vm *vm = e->vm;
	char what[64];

	(void)q;
	vmm_phase(&mv->a, "move", now);
	if (sm->pcpu >= vm->host->ncpus) {
		snprintf(what, sizeof(what), "%u CPUs", vm->host->ncpus);
		vmm_fail(&mv->a, sm->path,
			 "pcpu is beyond the host the VM is on at that time, which has ", what);
		return;
	}
	if (vm->running)
		kvm_vcpu_move(&vm->vcpus[sm->vcpu], now, sm->pcpu);
	else
		kvm_vcpu_set_pcpu(&vm->vcpus[sm->vcpu], sm->pcpu);
}

static void move_schedule(struct vmm_action *a)
{
	struct vcpu_move *mv = (struct vcpu_move *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	sim_event_setup(&mv->ev, mv->name, sizeof(mv->name), SIM_PRIO_SCENARIO, move_fire,
			"vcpu_move%u", a->index);
	sim_schedule(e->q, &mv->ev, e->spec->moves[a->index].at_ps);
}

static unsigned move_count(const struct scn_vm *vm)
{
	return vm->nmoves;
}

const struct vmm_action_ops vmm_action_vcpu_move = {
	.name = "vcpu_move",
	.phases = phases,
	.state_size = sizeof(struct vcpu_move),
	.count = move_count,
	.schedule = move_schedule,
};
