/*
 * The machine's VMs: each one's KVM on its host, its guest kernel, its
 * guest timers and its VMM, and what a VMM action or a host's sleep does to
 * the rest of the machine (readers, the oracle, the board).  Every VM is
 * built alike; the board (PIT, HPET, RTC, PM timer) is the first VM's.
 */
#include "sim/machine/machine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kvm/host_notify.h"
#include "sim/plugin/plugin_set.h"
#include "sim/vmm/vmm.h"

/* PRNG streams of VM i: VM 0 keeps the run's seed, so one-VM runs are unchanged. */
#define VM_SEED_STRIDE 0x9E3779B97F4A7C15u

static void on_guest_running(void *ctx, bool running, sim_ps now);
static void on_vm_clock_running(void *ctx, bool running, sim_ps now);

/* The JSON pointer of one of the VM's lists: top-level with "vm", in the VM with "vms". */
static void set_list_path(struct sim_diag *err, const struct scn_vm *spec, const char *key)
{
	char path[SCN_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", strcmp(spec->path, "/vm") ? spec->path : "", key);
	sim_diag_set_path(err, path);
}

/* The VM stopped or runs again with its host asleep: the guest_run record a VMM stop has too. */
static void publish_host_sleep(struct machine_vm *vm, unsigned host, bool running, sim_ps now)
{
	struct sim_trace *trace = &vm->m->trace;
	struct sim_trace_record rec = { .kind = SIM_TRACE_GUEST_RUN, .t_ps = now };

	if (!sim_trace_wants(trace, SIM_TRACE_GUEST_RUN))
		return;
	rec.u.run = (struct sim_trace_guest_run){
		.action = "host_sleep", .vm = vm->index, .index = host, .running = running,
		.vm_clock = true,
	};
	sim_trace_publish(trace, &rec);
}

/*
 * S3/S4: the VMs on the host stop with it: KVM puts their vCPUs, and on
 * resume compensates a TSC that went back (sim/kvm/host_notify.h) before
 * the guest runs again.  Then its bare-metal readers stop or run.
 */
void machine_vms_host_sleep(struct machine *m, unsigned host, bool asleep, sim_ps now)
{
	for (unsigned i = 0; i < m->nvms; i++) {
		struct machine_vm *vm = &m->vms[i];

		if (vm->kvm.host != &m->hosts[host])
			continue;
		if (asleep) {
			vm->slept = kvm_host_suspend(&vm->kvm, now);
			if (vm->slept) {
				publish_host_sleep(vm, host, false, now);
				on_guest_running(vm, false, now);
				on_vm_clock_running(vm, false, now);
			}
		} else {
			kvm_host_resume(&vm->kvm, now, vm->slept);
			if (vm->slept) {
				on_guest_running(vm, true, now);
				on_vm_clock_running(vm, true, now);
				publish_host_sleep(vm, host, true, now);
			}
			vm->slept = false;
		}
	}
	machine_readers_running(m, -1, (int)host, -1, !asleep, now);
}

/* A host's timekeeping switched clocksource: KVM's pvclock_gtod notifier, in each VM there. */
void machine_vms_host_clocksource(struct machine *m, struct host *h, sim_ps now)
{
	for (unsigned i = 0; i < m->nvms; i++)
		if (m->vms[i].kvm.host == h)
			kvm_pvclock_gtod_notify(&m->vms[i].kvm, now);
}

/* KVM wrote a page: the trace stream gets its full contents; the VMM's actions may wait for it. */
static void on_page_write(void *ctx, const struct kvm_vcpu *v, sim_ps now)
{
	struct machine_vm *vm = ctx;
	struct sim_trace *trace = &vm->m->trace;

	if (sim_trace_wants(trace, SIM_TRACE_PVCLOCK_WRITE)) {
		struct sim_trace_record rec = { .kind = SIM_TRACE_PVCLOCK_WRITE, .t_ps = now };

		rec.u.pvclock = (struct sim_trace_pvclock_write){
			.vm = vm->index,
			.vcpu = v->id,
			.version = v->pvti.version,
			.tsc_timestamp = v->pvti.tsc_timestamp,
			.system_time_ns = v->pvti.system_time,
			.tsc_to_system_mul = v->pvti.tsc_to_system_mul,
			.tsc_shift = v->pvti.tsc_shift,
			.flags = v->pvti.flags,
		};
		sim_trace_publish(trace, &rec);
	}
	if (vm->vmm_pages)
		vmm_page_written(vm->vmm, v, now);
}

/*
 * Subscribers come before a run (machine_run, machine_run_until): a page
 * write nobody takes skips the hook's call altogether.  At build the hook is
 * on, as nobody can have subscribed yet and the VMM is not there.
 */
void machine_vms_page_hooks(struct machine *m)
{
	bool traced = sim_trace_wants(&m->trace, SIM_TRACE_PVCLOCK_WRITE);

	for (unsigned i = 0; i < m->nvms; i++)
		if (m->vms[i].ready)
			m->vms[i].kvm.page_hook = traced || m->vms[i].vmm_pages ? on_page_write : NULL;
}

/* The VMM stopped the guest or let it run again: only its readers stop with it. */
static void on_guest_running(void *ctx, bool running, sim_ps now)
{
	struct machine_vm *vm = ctx;

	machine_readers_running(vm->m, (int)vm->index, -1, -1, running, now);
}

/* The VM's time base stopped or runs again: a board on it stops with it (no-ops on a host's). */
static void on_vm_clock_running(void *ctx, bool running, sim_ps now)
{
	struct machine_vm *vm = ctx;

	if (vm->index != 0)
		return;                   /* the board is the first VM's */
	if (running)
		platform_resume(&vm->m->platform, now);
	else
		platform_stop(&vm->m->platform, now);
	hpet_timers_running(vm->hpet_timers, -1, running, now);
}

/* A stall of some vCPUs: the readers on vCPU `vcpu` stop with it; the VM and the oracle run on. */
static void on_vcpu_running(void *ctx, unsigned vcpu, bool running, sim_ps now)
{
	struct machine_vm *vm = ctx;

	machine_readers_running(vm->m, (int)vm->index, -1, (int)vcpu, running, now);
	hpet_timers_running(vm->hpet_timers, (int)vcpu, running, now);
}

/*
 * Write every vCPU's page as it stood at t = 0: the guest booted long before
 * the scenario starts, so it never sees an unwritten page.
 */
static bool settle_initial_pages(struct machine_vm *vm, struct sim_diag *err)
{
	if (!sim_eventq_run_until(&vm->m->q, 0, err))
		return false;
	for (unsigned i = 0; i < vm->kvm.nvcpus; i++)
		if (vm->kvm.vcpus[i].pvti.version == 0 || vm->kvm.vcpus[i].requests)
			return sim_diag_fail(err, "vCPU %u's pvclock page was not written at t = 0", i);
	return true;
}

_Static_assert((int)SCN_KVMCLOCK_RAW == (int)KVM_CLOCK_BASE_RAW &&
	       (int)SCN_KVMCLOCK_MONO == (int)KVM_CLOCK_BASE_MONO, "kvmclock bases in one order");
_Static_assert((int)SCN_ANCHOR_HOST == (int)KVM_ANCHOR_HOST &&
	       (int)SCN_ANCHOR_GUEST_TSC == (int)KVM_ANCHOR_GUEST_TSC, "anchors in one order");

/* VM i on its host, its pages current at t = 0. */
static bool build_vm(struct machine *m, unsigned i, struct sim_diag *err)
{
	const struct scn_vm *spec = &m->s->vms[i];
	struct machine_vm *vm = &m->vms[i];
	struct kvm_params kp;

	*vm = (struct machine_vm){ .m = m, .index = i, .spec = spec };
	kp = (struct kvm_params){
		.version = spec->kvm_version,
		.vendor = m->s->hosts[spec->host].svm ? KVM_VENDOR_SVM : KVM_VENDOR_VMX,
		.nvcpus = spec->nvcpus,
		.pins = spec->pins,
		.guest_uptime_ns = spec->uptime_ns,
		.stable_bit_cpuid = spec->stable_bit_cpuid,
		.sync_period_ps = spec->sync_period_ps,
		.no_tsc_scaling = !spec->host_tsc_scaling,
		.stable_bit_always = spec->stable_bit == SCN_STABLE_ALWAYS,
		.stale_page_vcpu = spec->stale_page_vcpu,
		.stale_page_behind_ns = sim_to_ns(spec->stale_page_behind_ps),
		.update_delay_ps = spec->clock_update_delay_ps,
		.entry_latency_max_ps = 0,
		.seed = m->s->seed + (uint64_t)i * VM_SEED_STRIDE,
		.index = i,
		.trace = &m->trace,
		.guest_tsc_khz = spec->tsc_khz,
		.clock_base = (enum kvm_clock_base)spec->kvmclock_base,
		.anchor = (enum kvm_masterclock_anchor)spec->masterclock_anchor,
	};
	if (!kvm_vm_init(&vm->kvm, &kp, &m->hosts[spec->host], &m->q, 0, err)) {
		sim_diag_set_path(err, spec->path);
		return false;
	}
	vm->ready = true;
	vm->kvm.page_hook = on_page_write;
	vm->kvm.page_hook_ctx = vm;
	plugin_set_kvm(m->plugins, &vm->kvm);
	/*
	 * The guest booted vm.uptime before t = 0, so its pages are current when
	 * the scenario starts: kvm_vm_init's entries were asked to happen at once
	 * (latency 0) and run now; later entries get the scenario's latency.
	 */
	if (!settle_initial_pages(vm, err))
		return false;
	vm->kvm.entry_latency_max_ps = spec->entry_latency_ps;
	guest_kernel_init(&vm->kernel, spec->stable_bit_cpuid);
	return true;
}

bool machine_build_vms(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;

	if (!s->nvms)
		return true;
	m->vms = calloc(s->nvms, sizeof(*m->vms));
	m->kvms = calloc(s->nvms, sizeof(*m->kvms));
	if (!m->vms || !m->kvms)
		return sim_diag_fail(err, "out of memory");
	for (unsigned i = 0; i < s->nvms; i++) {
		m->kvms[i] = &m->vms[i].kvm;
		m->nvms = i + 1;
		if (!build_vm(m, i, err))
			return false;
	}
	return true;
}

_Static_assert((int)SCN_TIMER_ONESHOT == (int)GUEST_TIMER_ONESHOT &&
	       (int)SCN_TIMER_PERIODIC == (int)GUEST_TIMER_PERIODIC &&
	       (int)SCN_TIMER_DEADLINE == (int)GUEST_TIMER_DEADLINE, "guest timer modes in one order");

_Static_assert((int)SCN_HPET_ROUTE_IOAPIC == (int)HPET_ROUTE_IOAPIC &&
	       (int)SCN_HPET_ROUTE_LEGACY == (int)HPET_ROUTE_LEGACY &&
	       (int)SCN_HPET_ROUTE_FSB == (int)HPET_ROUTE_FSB &&
	       (int)SCN_HPET_ROUTE_FSB_OR_IOAPIC == (int)HPET_ROUTE_FSB_OR_IOAPIC &&
	       (int)SCN_HPET_ROUTE_COUNT == (int)HPET_ROUTE_COUNT, "HPET routes in one order");

/* The guest's HPET comparator timers: the "guest_timers" entries with "device": "hpet". */
static bool build_hpet_timers(struct machine_vm *vm, struct sim_diag *err)
{
	const struct scn_vm *s = vm->spec;
	struct hpet_timer_params p[HPET_MAX_TIMERS];
	unsigned n = 0;

	for (unsigned i = 0; i < s->nguest_timers && n < HPET_MAX_TIMERS; i++) {
		const struct scn_guest_timer *t = &s->guest_timers[i];

		if (!t->hpet)
			continue;
		p[n++] = (struct hpet_timer_params){
			.vcpu = t->vcpus[0],
			.timer = t->hpet_timer,
			.periodic = t->mode == SCN_TIMER_PERIODIC,
			.period_ps = t->period_ps,
			.start_ps = t->start_ps,
			.route = (enum hpet_timer_route)t->hpet_route,
			.check = t->hpet_check,
			.preempt_ps = t->hpet_preempt_ps,
			.preempt_every = t->hpet_preempt_every,
		};
	}
	if (!n)
		return true;
	vm->hpet_timers = hpet_timers_create(&vm->kvm, &vm->m->platform, p, n, &vm->m->trace, err);
	if (!vm->hpet_timers)
		set_list_path(err, vm->spec, "guest_timers");
	return vm->hpet_timers != NULL;
}

/* The guest's APIC timers (scenario "guest_timers"), one per vCPU named. */
static bool build_guest_timers(struct machine_vm *vm, struct sim_diag *err)
{
	const struct scn_vm *s = vm->spec;
	struct guest_timer_params p[SCN_MAX_VCPUS];
	unsigned n = 0;

	if (!s->nguest_timers)
		return true;
	for (unsigned i = 0; i < s->nguest_timers; i++) {
		const struct scn_guest_timer *t = &s->guest_timers[i];

		if (t->hpet)
			continue;
		for (unsigned k = 0; k < t->nvcpus && n < SCN_MAX_VCPUS; k++)
			p[n++] = (struct guest_timer_params){
				.vcpu = t->vcpus[k],
				.mode = (enum guest_timer_mode)t->mode,
				.period_ps = t->period_ps,
				.start_ps = t->start_ps,
			};
	}
	vm->guest_timers = guest_timers_create(&vm->kvm, p, n, &vm->m->trace, err);
	if (!vm->guest_timers)
		set_list_path(err, vm->spec, "guest_timers");
	return vm->guest_timers != NULL && build_hpet_timers(vm, err);
}

/* The VMM's actions, queued after the readers and scripts (ties at t = 0 keep that order). */
static bool build_vmm(struct machine_vm *vm, struct sim_diag *err)
{
	struct machine *m = vm->m;
	struct vmm_env env = {
		.s = m->s,
		.spec = vm->spec,
		.vm_index = vm->index,
		.q = &m->q,
		.hosts = m->hosts,
		.nhosts = m->nhosts,
		.vm = &vm->kvm,
		.trace = &m->trace,
		.board_owner = vm->index == 0 && m->platform.params.vm_time_base ? VMM_BOARD_VM
										 : VMM_BOARD_HOST,
		.guest_running = on_guest_running,
		.vm_clock_running = on_vm_clock_running,
		.vcpu_running = on_vcpu_running,
		.ctx = vm,
	};

	vm->vmm = vmm_create(&env, err);
	vm->vmm_pages = vmm_wants_pages(vm->vmm);
	return vm->vmm != NULL;
}

bool machine_build_vm_actions(struct machine *m, struct sim_diag *err)
{
	for (unsigned i = 0; i < m->nvms; i++)
		if (!build_guest_timers(&m->vms[i], err))
			return false;
	for (unsigned i = 0; i < m->nvms; i++)
		if (!build_vmm(&m->vms[i], err))
			return false;
	return true;
}

void machine_finish_vms(struct machine *m)
{
	for (unsigned i = 0; i < m->nvms; i++) {
		vmm_destroy(m->vms[i].vmm);
		guest_timers_destroy(m->vms[i].guest_timers);
		hpet_timers_destroy(m->vms[i].hpet_timers);
	}
}


