/*
 * Live migration, played as QEMU does it: at `at` the VM stops; the source
 * reads KVM_GET_CLOCK and every vCPU's guest TSC; after `downtime` the
 * destination sets the TSC rate (KVM_SET_TSC_KHZ, when it keeps the guest's
 * rate through TSC scaling), writes every vCPU's TSC (the saved value, or
 * that value advanced by the realtime elapsed) and then its APIC timer (the
 * LVT mode and count, then IA32_TSC_DEADLINE), calls KVM_SET_CLOCK (or not),
 * and resumes the VM.  KVM rewrites each vCPU's pvclock page at its first
 * entry on the destination, before the guest runs.
 *
 * Phases: "stop" (source side), "resume" (destination side).
 */
#include "sim/vmm/action.h"

#include "sim/core/simtime.h"
#include "sim/kvm/vcpu_state.h"
#include "sim/vmm/carry.h"

struct migration {
	struct vmm_action a;
	struct sim_event stop_ev;
	struct sim_event resume_ev;
	uint64_t saved_tsc[SCN_MAX_VCPUS];
	struct vmm_timer_image timers[SCN_MAX_VCPUS];   /* the vCPUs' APIC timers at the stop */
	uint64_t saved_realtime_ns;       /* source host realtime at the stop */
	uint64_t saved_tsc_khz;
	bool awaiting_page;               /* resumed; vCPU 0's first page not yet seen */
	struct vmm_migration_log log;
	char stop_name[32];
	char resume_name[32];
};

static const char *const phases[] = { "stop", "resume", NULL };

static const struct scn_migration *params(const struct migration *mg)
{
	return &vmm_env(mg->a.vmm)->spec->migrations[mg->a.index];
}

static void migration_stop(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct migration *mg = sim_container_of(ev, struct migration, stop_ev);
	const struct vmm_env *e = vmm_env(mg->a.vmm);
	const struct scn_migration *sm = params(mg);
	struct vmm_migration_log *log = &mg->log;
	struct kvm_vm *vm = e->vm;

	vmm_phase(&mg->a, "stop", now);
	log->from_host = (unsigned)(vm->host - e->hosts);
	log->to_host = sm->to_host;
	log->stop_ps = now;
	log->kvmclock_before_ns = vmm_vcpu_kvmclock_ns(&vm->vcpus[0], now);
	log->guest_tsc_before = kvm_vcpu_guest_tsc(&vm->vcpus[0], now);
	log->tsc_khz_before = vm->vcpus[0].virtual_tsc_khz;
	log->master_clock_before = vm->use_master_clock;

	vmm_pause_guest(&mg->a, now);
	/* QEMU: KVM_GET_CLOCK when the VM stops, then the vCPUs' IA32_TSC. */
	kvm_get_clock(vm, now, &log->get);
	vmm_save_tscs(vm, now, mg->saved_tsc);
	vmm_save_timers(vm, mg->timers);
	mg->saved_realtime_ns = host_realtime_ns(vm->host, now);
	mg->saved_tsc_khz = vm->vcpus[0].virtual_tsc_khz;
	sim_schedule(q, &mg->resume_ev, now + sm->downtime_ps);
}

/* The destination writes every vCPU's TSC: saved, or advanced by the realtime elapsed. */
static void restore_tscs(struct migration *mg, const struct host *dst, sim_ps now)
{
	uint64_t elapsed_ns = params(mg)->tsc_carry == SCN_TSC_ADVANCE ?
			      vmm_realtime_elapsed_ns(dst, now, mg->saved_realtime_ns) : 0;

	vmm_restore_tscs(vmm_env(mg->a.vmm)->vm, now, mg->saved_tsc, elapsed_ns, NULL);
}

static void migration_resume(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct migration *mg = sim_container_of(ev, struct migration, resume_ev);
	const struct vmm_env *e = vmm_env(mg->a.vmm);
	const struct scn_migration *sm = params(mg);
	struct vmm_migration_log *log = &mg->log;
	struct kvm_vm *vm = e->vm;
	unsigned pins[SCN_MAX_VCPUS];
	struct sim_diag err;

	(void)q;
	vmm_phase(&mg->a, "resume", now);
	/* the loader fills in the default pins (online CPUs, round robin) */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		pins[i] = sm->pins[i];
	kvm_vm_attach_host(vm, &e->hosts[sm->to_host], pins);
	/* the destination's APICs: from reset to the saved mode (KVM_SET_LAPIC) */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_lapic_reset(&vm->vcpus[i]);
	vmm_restore_lapics(vm, mg->timers, now);

	sim_diag_clear(&err);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (sm->tsc_scaling && !kvm_vcpu_set_tsc_khz(&vm->vcpus[i], mg->saved_tsc_khz, &err)) {
			vmm_fail(&mg->a, sm->path, "KVM_SET_TSC_KHZ at the destination: ", err.msg);
			return;
		}
	}
	restore_tscs(mg, &e->hosts[sm->to_host], now);
	/* IA32_TSC_DEADLINE after IA32_TSC, so KVM arms it against the restored TSC */
	vmm_restore_deadlines(vm, mg->timers, now);

	log->set_clock = sm->set_clock != SCN_SET_CLOCK_NONE;
	if (log->set_clock) {
		struct kvm_clock_data data = log->get;

		data.flags = sm->set_clock == SCN_SET_CLOCK_REALTIME ?
			     (log->get.flags & KVM_CLOCK_REALTIME) : 0;
		log->set_flags = data.flags;
		if (!kvm_set_clock(vm, now, &data, &err)) {
			vmm_fail(&mg->a, sm->path, "KVM_SET_CLOCK at the destination: ", err.msg);
			return;
		}
	}
	vmm_resume_guest(&mg->a, now);
	log->resume_ps = now;
	log->scaled = vm->vcpus[0].tsc_scaling_ratio != kvm_default_tsc_scaling_ratio(vm);
	log->tsc_khz_after = vm->vcpus[0].virtual_tsc_khz;
	log->guest_tsc_after = kvm_vcpu_guest_tsc(&vm->vcpus[0], now);
	log->done = true;
	/* Only the latest migration waits for the destination's first page. */
	for (unsigned i = 0; i < e->spec->nmigrations; i++)
		((struct migration *)(void *)vmm_instance(mg->a.vmm, VMM_MIGRATION, i))->awaiting_page =
			false;
	mg->awaiting_page = true;
}

/* After a resume, vCPU 0's first page shows the destination's clock. */
static void migration_page_written(struct vmm_action *a, const struct kvm_vcpu *v, sim_ps now)
{
	struct migration *mg = (struct migration *)(void *)a;

	if (!mg->awaiting_page || v->id != 0)
		return;
	mg->log.kvmclock_after_ns = vmm_vcpu_kvmclock_ns(v, now);
	mg->log.page_after = true;
	mg->log.master_clock_after = (v->pvti.flags & PVCLOCK_TSC_STABLE_BIT) != 0;
	mg->awaiting_page = false;
}

static void migration_schedule(struct vmm_action *a)
{
	struct migration *mg = (struct migration *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	sim_event_setup(&mg->stop_ev, mg->stop_name, sizeof(mg->stop_name), SIM_PRIO_SCENARIO,
			migration_stop, "migration%u.stop", a->index);
	sim_event_setup(&mg->resume_ev, mg->resume_name, sizeof(mg->resume_name),
			SIM_PRIO_SCENARIO, migration_resume, "migration%u.resume", a->index);
	sim_schedule(e->q, &mg->stop_ev, params(mg)->at_ps);
}

static unsigned migration_count(const struct scn_vm *vm)
{
	return vm->nmigrations;
}

const struct vmm_migration_log *vmm_migration_log(const struct vmm *v, unsigned i)
{
	const struct migration *mg = (const struct migration *)(const void *)vmm_instance(v,
										      VMM_MIGRATION, i);

	return mg ? &mg->log : NULL;
}

const struct vmm_action_ops vmm_action_migration = {
	.name = "migration",
	.phases = phases,
	.state_size = sizeof(struct migration),
	.count = migration_count,
	.schedule = migration_schedule,
	.page_written = migration_page_written,
};
