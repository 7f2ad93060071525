/*
 * Pause and resume on the same host, as a VMM's pause/continue does it: at
 * `at` the vCPUs stop; after `duration` they run again.  "clock" says what
 * kvmclock does meanwhile: "run" (Firecracker: nothing is called, the guest
 * sees the pause as a forward jump) or "freeze" (QEMU's kvmclock device:
 * KVM_GET_CLOCK at the stop, KVM_SET_CLOCK with it at the continue).
 * "kvmclock_ctrl" says when KVM_KVMCLOCK_CTRL is called on every vCPU: after
 * the pause (Firecracker PR #4460), just before the resume (Firecracker PR
 * #5494; QEMU, right after its KVM_SET_CLOCK in kvmclock_vm_state_change(),
 * hw/i386/kvm/clock.c), or never.  Either way the flag reaches each page at
 * the vCPU's first entry after the resume (sim/kvm/vcpu_state.h), before the
 * guest runs: a plain pause keeps the request, a snapshot does not.
 *
 * Phases: "pause", "resume".
 */
#include "sim/vmm/action.h"

#include "sim/kvm/vcpu_state.h"

struct pause {
	struct vmm_action a;
	struct sim_event pause_ev;
	struct sim_event resume_ev;
	struct kvm_clock_data saved;      /* "freeze": KVM_GET_CLOCK at the stop */
	char pause_name[32];
	char resume_name[32];
};

static const char *const phases[] = { "pause", "resume", NULL };

static const struct scn_pause *params(const struct pause *p)
{
	return &vmm_env(p->a.vmm)->spec->pauses[p->a.index];
}

static void guest_paused_all(struct kvm_vm *vm, sim_ps now)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_set_guest_paused(&vm->vcpus[i], now);
}

static void pause_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct pause *p = sim_container_of(ev, struct pause, pause_ev);
	const struct scn_pause *sp = params(p);
	struct kvm_vm *vm = vmm_env(p->a.vmm)->vm;

	vmm_phase(&p->a, "pause", now);
	vmm_pause_guest(&p->a, now);
	if (sp->clock == SCN_PAUSE_CLOCK_FREEZE)
		kvm_get_clock(vm, now, &p->saved);
	if (sp->kvmclock_ctrl == SCN_KVMCLOCK_CTRL_AFTER_PAUSE)
		guest_paused_all(vm, now);
	sim_schedule(q, &p->resume_ev, now + sp->duration_ps);
}

static void resume_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct pause *p = sim_container_of(ev, struct pause, resume_ev);
	const struct scn_pause *sp = params(p);
	struct kvm_vm *vm = vmm_env(p->a.vmm)->vm;
	struct sim_diag err;

	(void)q;
	vmm_phase(&p->a, "resume", now);
	if (sp->clock == SCN_PAUSE_CLOCK_FREEZE) {
		struct kvm_clock_data data = p->saved;

		data.flags = 0;
		sim_diag_clear(&err);
		if (!kvm_set_clock(vm, now, &data, &err)) {
			vmm_fail(&p->a, sp->path, "KVM_SET_CLOCK at the resume: ", err.msg);
			return;
		}
	}
	if (sp->kvmclock_ctrl == SCN_KVMCLOCK_CTRL_BEFORE_RESUME)
		guest_paused_all(vm, now);
	vmm_resume_guest(&p->a, now);
}

static void pause_schedule(struct vmm_action *a)
{
	struct pause *p = (struct pause *)(void *)a;

	sim_event_setup(&p->pause_ev, p->pause_name, sizeof(p->pause_name), SIM_PRIO_SCENARIO,
			pause_fn, "pause%u.pause", a->index);
	sim_event_setup(&p->resume_ev, p->resume_name, sizeof(p->resume_name), SIM_PRIO_SCENARIO,
			resume_fn, "pause%u.resume", a->index);
	sim_schedule(vmm_env(a->vmm)->q, &p->pause_ev, params(p)->at_ps);
}

static unsigned pause_count(const struct scn_vm *vm)
{
	return vm->npauses;
}

const struct vmm_action_ops vmm_action_pause = {
	.name = "pause",
	.phases = phases,
	.state_size = sizeof(struct pause),
	.count = pause_count,
	.schedule = pause_schedule,
};
