/*
 * Snapshot and restore, as Firecracker does it: at `at` the vCPUs pause;
 * after `capture_after` the VMM saves each vCPU's state (IA32_TSC,
 * IA32_TSC_DEADLINE, the LVT timer mode and initial count through
 * KVM_GET_LAPIC), KVM_GET_CLOCK and the guest's memory, which holds every
 * vCPU's pvclock page as it is then; the process ends.  After `gap` a new VM is made (on `to`, or the same host):
 * fresh vCPUs (TSC written 0 at creation, or the saved TSC moved by
 * `tsc_shift`; APIC in its reset state; no request pending: a
 * KVM_KVMCLOCK_CTRL of the old process is gone), the memory image with its
 * pages, then the restore steps in `order`, and the vCPUs run.
 *
 * What goes wrong, as reported:
 * - F02 (Firecracker #5322, PR #5494): KVM_KVMCLOCK_CTRL after the pause
 *   only sets a request; the page in the memory image lacks
 *   PVCLOCK_GUEST_STOPPED, and the request dies with the process.
 * - F03 (#4099, PR #4666): "tsc_deadline" before "tsc": KVM arms the
 *   deadline against the new vCPU's TSC, not the restored one.
 * - F03 (PR #4618): a deadline that expired between the pause and the
 *   capture reads 0 and its pending interrupt is not saved: the guest never
 *   re-arms.  "zero_deadline": "tsc" saves the vCPU's TSC instead, so the
 *   restored deadline fires at once.
 *
 * Phases: "pause", "capture", "restore", one per restore step in the order
 * done (the step's name), "resume".
 */
#include "sim/vmm/action.h"

#include "sim/kvm/vcpu_state.h"
#include "sim/vmm/carry.h"

struct snapshot {
	struct vmm_action a;
	struct sim_event pause_ev, capture_ev, restore_ev;
	struct kvm_clock_data clock;
	uint64_t saved_realtime_ns;
	uint64_t saved_tsc[SCN_MAX_VCPUS];
	struct vmm_timer_image timers[SCN_MAX_VCPUS];
	struct pvclock_vcpu_time_info pages[SCN_MAX_VCPUS];   /* in the memory image */
	char pause_name[32], capture_name[32], restore_name[32];
};

static const char *const phases[] = {
	"pause", "capture", "restore",
#define STEP_PHASE(id, name, what) name,
	SCN_RESTORE_STEPS(STEP_PHASE)
#undef STEP_PHASE
	"resume", NULL,
};

static const char *const step_phase[] = {
#define STEP_NAME(id, name, what) name,
	SCN_RESTORE_STEPS(STEP_NAME)
#undef STEP_NAME
};
_Static_assert(sizeof(step_phase) / sizeof(step_phase[0]) == SCN_RESTORE_STEP_COUNT,
	       "one phase per restore step");

static const struct scn_snapshot *params(const struct snapshot *sn)
{
	return &vmm_env(sn->a.vmm)->spec->snapshots[sn->a.index];
}

static void pause_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct snapshot *sn = sim_container_of(ev, struct snapshot, pause_ev);
	const struct scn_snapshot *ss = params(sn);
	struct kvm_vm *vm = vmm_env(sn->a.vmm)->vm;

	vmm_phase(&sn->a, "pause", now);
	vmm_pause_guest(&sn->a, now);
	if (ss->kvmclock_ctrl == SCN_KVMCLOCK_CTRL_AFTER_PAUSE)
		for (unsigned i = 0; i < vm->nvcpus; i++)
			kvm_set_guest_paused(&vm->vcpus[i], now);
	sim_schedule(q, &sn->capture_ev, now + ss->capture_ps);
}

/* KVM_GET_CLOCK, every vCPU's registers, and the memory with the pages. */
static void capture_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct snapshot *sn = sim_container_of(ev, struct snapshot, capture_ev);
	const struct scn_snapshot *ss = params(sn);
	struct kvm_vm *vm = vmm_env(sn->a.vmm)->vm;

	vmm_phase(&sn->a, "capture", now);
	kvm_get_clock(vm, now, &sn->clock);
	sn->saved_realtime_ns = host_realtime_ns(vm->host, now);
	vmm_save_tscs(vm, now, sn->saved_tsc);
	vmm_save_timers(vm, sn->timers);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vmm_timer_image *im = &sn->timers[i];

		/* Firecracker PR #4618: a zero deadline is saved as the vCPU's TSC */
		if (im->mode == KVM_LAPIC_TSC_DEADLINE && im->tsc_deadline == 0 &&
		    ss->zero_deadline == SCN_ZERO_DEADLINE_TSC)
			im->tsc_deadline = sn->saved_tsc[i];
		sn->pages[i] = vm->vcpus[i].pvti;
	}
	sim_schedule(q, &sn->restore_ev, now + ss->gap_ps);
}

static bool restore_step(struct snapshot *sn, enum scn_restore_step step, uint64_t elapsed_ns,
			 sim_ps now)
{
	const struct scn_snapshot *ss = params(sn);
	struct kvm_vm *vm = vmm_env(sn->a.vmm)->vm;
	struct sim_diag err;

	vmm_phase(&sn->a, step_phase[step], now);
	switch (step) {
	case SCN_RESTORE_CLOCK: {
		struct kvm_clock_data data = sn->clock;

		if (ss->clock == SCN_SET_CLOCK_NONE)
			break;
		data.flags = ss->clock == SCN_SET_CLOCK_REALTIME ?
			     (sn->clock.flags & KVM_CLOCK_REALTIME) : 0;
		sim_diag_clear(&err);
		if (!kvm_set_clock(vm, now, &data, &err)) {
			vmm_fail(&sn->a, ss->path, "KVM_SET_CLOCK at the restore: ", err.msg);
			return false;
		}
		break;
	}
	case SCN_RESTORE_TSC:
		vmm_restore_tscs(vm, now, sn->saved_tsc, elapsed_ns, NULL);
		break;
	case SCN_RESTORE_LAPIC:
		vmm_restore_lapics(vm, sn->timers, now);
		break;
	case SCN_RESTORE_TSC_DEADLINE:
		vmm_restore_deadlines(vm, sn->timers, now);
		break;
	case SCN_RESTORE_STEP_COUNT:
		break;
	}
	return true;
}

/* The new VM: fresh vCPUs on the restore's host, the memory image, then the steps. */
static void restore_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct snapshot *sn = sim_container_of(ev, struct snapshot, restore_ev);
	const struct scn_snapshot *ss = params(sn);
	const struct vmm_env *e = vmm_env(sn->a.vmm);
	struct kvm_vm *vm = e->vm;
	struct host *dst = ss->has_to ? &e->hosts[ss->to_host] : vm->host;
	uint64_t elapsed_ns = 0;

	(void)q;
	vmm_phase(&sn->a, "restore", now);
	kvm_vm_attach_host(vm, dst, ss->pins);
	if (ss->tsc == SCN_TSC_ADVANCE)
		elapsed_ns = vmm_realtime_elapsed_ns(dst, now, sn->saved_realtime_ns);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];
		/* kvm_arch_vcpu_postcreate() writes 0; a scenario may place it near the saved TSC */
		uint64_t first = 0;

		if (ss->has_tsc_shift)
			first = sn->saved_tsc[i] + sim_mul_div(elapsed_ns, v->virtual_tsc_khz, 1000000) +
				(uint64_t)vmm_cycles_of_ns(ss->tsc_shift_ps / (int64_t)SIM_PS_PER_NS,
							    v->virtual_tsc_khz);
		v->pvclock_set_guest_stopped_request = false;
		kvm_lapic_reset(v);
		kvm_vcpu_write_tsc(v, now, first);
		v->pvti = sn->pages[i];
	}
	for (unsigned k = 0; k < ss->norder; k++)
		if (!restore_step(sn, ss->order[k], elapsed_ns, now))
			return;
	if (ss->kvmclock_ctrl == SCN_KVMCLOCK_CTRL_BEFORE_RESUME)
		for (unsigned i = 0; i < vm->nvcpus; i++)
			kvm_set_guest_paused(&vm->vcpus[i], now);
	vmm_phase(&sn->a, "resume", now);
	vmm_resume_guest(&sn->a, now);
}

static void snapshot_schedule(struct vmm_action *a)
{
	struct snapshot *sn = (struct snapshot *)(void *)a;

	sim_event_setup(&sn->pause_ev, sn->pause_name, sizeof(sn->pause_name), SIM_PRIO_SCENARIO,
			pause_fn, "snapshot%u.pause", a->index);
	sim_event_setup(&sn->capture_ev, sn->capture_name, sizeof(sn->capture_name),
			SIM_PRIO_SCENARIO, capture_fn, "snapshot%u.capture", a->index);
	sim_event_setup(&sn->restore_ev, sn->restore_name, sizeof(sn->restore_name),
			SIM_PRIO_SCENARIO, restore_fn, "snapshot%u.restore", a->index);
	sim_schedule(vmm_env(a->vmm)->q, &sn->pause_ev, params(sn)->at_ps);
}

static unsigned snapshot_count(const struct scn_vm *vm)
{
	return vm->nsnapshots;
}

const struct vmm_action_ops vmm_action_snapshot = {
	.name = "snapshot",
	.phases = phases,
	.state_size = sizeof(struct snapshot),
	.count = snapshot_count,
	.schedule = snapshot_schedule,
};
