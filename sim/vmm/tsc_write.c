/*
 * A TSC write by the VMM: at `at` user space writes one vCPU's TSC, either
 * as QEMU, Firecracker and openvmm do (KVM_SET_MSRS on IA32_TSC, which KVM
 * handles as host-initiated: kvm_synchronize_tsc() may treat it as a sync and
 * keep the generation's offset) or through KVM_VCPU_TSC_OFFSET (5.16+: the
 * offset for the value, computed from the host TSC at that instant).  The
 * value is "value", or what the vCPU's TSC read at "saved_at" (a restore
 * path writing back what it saved), or what it reads at "at"; plus "delta"
 * at the vCPU's TSC rate.  A restore's per-vCPU writes, a vCPU reset's
 * write of 0, a VMM that sets each vCPU's offset separately: each is a list
 * of these.
 *
 * Phases: "save" (at saved_at, when given), "write".
 */
#include "sim/vmm/action.h"

#include "sim/core/simtime.h"

struct tsc_write {
	struct vmm_action a;
	struct sim_event save_ev;
	struct sim_event write_ev;
	uint64_t saved;                   /* the vCPU's TSC at saved_at */
	char save_name[32];
	char write_name[32];
};

static const char *const phases[] = { "save", "write", NULL };

static const struct scn_tsc_write *params(const struct tsc_write *w)
{
	return &vmm_env(w->a.vmm)->spec->tsc_writes[w->a.index];
}

static void save_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct tsc_write *w = sim_container_of(ev, struct tsc_write, save_ev);
	const struct vmm_env *e = vmm_env(w->a.vmm);

	(void)q;
	vmm_phase(&w->a, "save", now);
	w->saved = kvm_vcpu_guest_tsc(&e->vm->vcpus[params(w)->vcpu], now);
}

/* delta ps at the vCPU's rate, in two's complement cycles */
static uint64_t delta_cycles(const struct kvm_vcpu *v, int64_t delta_ps)
{
	uint64_t mag = delta_ps < 0 ? 0 - (uint64_t)delta_ps : (uint64_t)delta_ps;
	uint64_t cycles = sim_mul_div(mag, v->virtual_tsc_khz, SIM_PS_PER_MS);

	return delta_ps < 0 ? 0 - cycles : cycles;
}

static void write_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct tsc_write *w = sim_container_of(ev, struct tsc_write, write_ev);
	const struct vmm_env *e = vmm_env(w->a.vmm);
	const struct scn_tsc_write *sw = params(w);
	struct kvm_vcpu *v = &e->vm->vcpus[sw->vcpu];
	uint64_t value;

	(void)q;
	vmm_phase(&w->a, "write", now);
	if (sw->has_value)
		value = sw->value;
	else if (sw->has_saved_at)
		value = w->saved;
	else
		value = kvm_vcpu_guest_tsc(v, now);
	value += delta_cycles(v, sw->delta_ps);
	if (sw->via == SCN_TSC_VIA_OFFSET) {
		uint64_t scaled = kvm_scale_tsc(e->vm, host_rdtsc(e->vm->host, v->pcpu, now),
						v->tsc_scaling_ratio);

		kvm_vcpu_set_tsc_offset(v, now, (int64_t)(value - scaled));
	} else {
		kvm_vcpu_write_tsc(v, now, value);
	}
}

static void tsc_write_schedule(struct vmm_action *a)
{
	struct tsc_write *w = (struct tsc_write *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);
	const struct scn_tsc_write *sw = params(w);

	sim_event_setup(&w->save_ev, w->save_name, sizeof(w->save_name), SIM_PRIO_SCENARIO,
			save_fire, "tsc_write%u.save", a->index);
	sim_event_setup(&w->write_ev, w->write_name, sizeof(w->write_name), SIM_PRIO_SCENARIO,
			write_fire, "tsc_write%u.write", a->index);
	if (sw->has_saved_at)
		sim_schedule(e->q, &w->save_ev, sw->saved_at_ps);
	sim_schedule(e->q, &w->write_ev, sw->at_ps);
}

static unsigned tsc_write_count(const struct scn_vm *vm)
{
	return vm->ntsc_writes;
}

const struct vmm_action_ops vmm_action_tsc_write = {
	.name = "tsc_write",
	.phases = phases,
	.state_size = sizeof(struct tsc_write),
	.count = tsc_write_count,
	.schedule = tsc_write_schedule,
};
