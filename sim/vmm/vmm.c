/*
 * The VMM: the action table, one block of instances per action kind, and
 * what actions share (pausing the guest, phases on the trace stream, errors
 * that stop the run).
 */
#include "sim/vmm/vmm.h"

#include <stdlib.h>

#include "sim/kvm/pvclock.h"
#include "sim/vmm/action.h"

static const struct vmm_action_ops *const actions[] = {
#define VMM_ACTION_ROW(id, ops) [id] = &vmm_action_##ops,
	VMM_ACTIONS(VMM_ACTION_ROW)
#undef VMM_ACTION_ROW
};

_Static_assert(sizeof(actions) / sizeof(actions[0]) == VMM_ACTION_COUNT, "one ops row per VMM action");

struct vmm {
	struct vmm_env env;
	struct {
		unsigned n;
		unsigned char *states;   /* n instances of the kind's state_size bytes */
	} kinds[VMM_ACTION_COUNT];
	/* the kinds with instances and a page_written hook, in VMM_ACTIONS order */
	unsigned npage_kinds;
	unsigned char page_kinds[VMM_ACTION_COUNT];
};

_Static_assert(VMM_ACTION_COUNT <= 256, "an action kind fits in page_kinds' bytes");

const struct vmm_env *vmm_env(const struct vmm *v)
{
	return &v->env;
}

struct vmm_action *vmm_instance(const struct vmm *v, enum vmm_action_kind k, unsigned i)
{
	if (!v || (unsigned)k >= VMM_ACTION_COUNT || i >= v->kinds[k].n)
		return NULL;
	return (struct vmm_action *)(void *)(v->kinds[k].states + (size_t)i * actions[k]->state_size);
}

bool vmm_wants_pages(const struct vmm *v)
{
	return v && v->npage_kinds;
}

struct vmm *vmm_create(const struct vmm_env *env, struct sim_diag *err)
{
	struct vmm *v;

	v = calloc(1, sizeof(*v));
	if (!v) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	v->env = *env;
	for (unsigned k = 0; k < VMM_ACTION_COUNT; k++) {
		unsigned n = env->spec ? actions[k]->count(env->spec) : 0;

		if (n && !env->vm) {
			sim_diag_fail(err, "%s needs a VM", actions[k]->name);
			goto fail;
		}
		/* none for a kind the VM does not use: some states hold per-vCPU arrays */
		v->kinds[k].states = n ? calloc(n, actions[k]->state_size) : NULL;
		if (n && !v->kinds[k].states) {
			sim_diag_fail(err, "out of memory");
			goto fail;
		}
		v->kinds[k].n = n;
		if (n && actions[k]->page_written)
			v->page_kinds[v->npage_kinds++] = (unsigned char)k;
	}
	/* Nothing fails from here on: once an event is queued, its state must stay. */
	for (unsigned k = 0; k < VMM_ACTION_COUNT; k++) {
		for (unsigned i = 0; i < v->kinds[k].n; i++) {
			struct vmm_action *a = vmm_instance(v, (enum vmm_action_kind)k, i);

			*a = (struct vmm_action){ .vmm = v, .kind = (enum vmm_action_kind)k, .index = i };
			actions[k]->schedule(a);
		}
	}
	return v;
fail:
	vmm_destroy(v);
	return NULL;
}

void vmm_destroy(struct vmm *v)
{
	if (!v)
		return;
	for (unsigned k = 0; k < VMM_ACTION_COUNT; k++)
		free(v->kinds[k].states);
	free(v);
}

void vmm_page_written(struct vmm *v, const struct kvm_vcpu *vcpu, sim_ps now)
{
	if (!v)
		return;
	for (unsigned j = 0; j < v->npage_kinds; j++) {
		unsigned k = v->page_kinds[j];

		for (unsigned i = 0; i < v->kinds[k].n; i++)
			actions[k]->page_written(vmm_instance(v, (enum vmm_action_kind)k, i), vcpu, now);
	}
}

const char *vmm_action_name(enum vmm_action_kind k)
{
	return (unsigned)k < VMM_ACTION_COUNT ? actions[k]->name : "?";
}

const char *const *vmm_action_phases(enum vmm_action_kind k)
{
	static const char *const none[] = { NULL };

	return (unsigned)k < VMM_ACTION_COUNT ? actions[k]->phases : none;
}

enum vmm_board_owner vmm_board_owner(const struct vmm *v)
{
	return v->env.board_owner;
}

void vmm_phase(const struct vmm_action *a, const char *phase, sim_ps now)
{
	struct sim_trace_record rec;

	if (!sim_trace_wants(a->vmm->env.trace, SIM_TRACE_VMM_PHASE))
		return;
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_VMM_PHASE, .t_ps = now };
	rec.u.vmm = (struct sim_trace_vmm_phase){
		.action = actions[a->kind]->name, .phase = phase, .vm = a->vmm->env.vm_index,
		.index = a->index,
	};
	sim_trace_publish(a->vmm->env.trace, &rec);
}

void vmm_fail(const struct vmm_action *a, const char *path, const char *what, const char *detail)
{
	struct sim_diag d;

	sim_diag_clear(&d);
	sim_diag_set_file(&d, a->vmm->env.s->file);
	sim_diag_set_path(&d, path);
	sim_diag_fail(&d, "%s%s", what, detail);
	sim_eventq_fail(a->vmm->env.q, &d);
}

/*
 * The guest stops or runs again (SIM_TRACE_GUEST_RUN).  Every action but a
 * stall stops the VM the way QEMU's vm_stop() does, and with it the VM's
 * time base (QEMU_CLOCK_VIRTUAL stands still while the VM is stopped:
 * do_vm_stop() calls cpu_disable_ticks(), system/cpus.c); a stall stops the
 * VMM process and leaves the run state, and so that clock, alone.
 */
static void publish_run(const struct vmm_action *a, bool running, sim_ps now)
{
	struct sim_trace_record rec;

	if (!sim_trace_wants(a->vmm->env.trace, SIM_TRACE_GUEST_RUN))
		return;
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_RUN, .t_ps = now };
	rec.u.run = (struct sim_trace_guest_run){
		.action = actions[a->kind]->name, .vm = a->vmm->env.vm_index, .index = a->index,
		.running = running, .vm_clock = vmm_action_stops_vm_clock(a->kind),
	};
	sim_trace_publish(a->vmm->env.trace, &rec);
}

bool vmm_action_stops_vm_clock(enum vmm_action_kind k)
{
	return k != VMM_STALL;
}

void vmm_pause_guest(const struct vmm_action *a, sim_ps now)
{
	const struct vmm_env *e = &a->vmm->env;

	/* before the vCPUs stop: a subscriber sees each page as the guest last used it */
	publish_run(a, false, now);
	kvm_vm_pause(e->vm, now);
	if (e->guest_running)
		e->guest_running(e->ctx, false, now);
	if (e->vm_clock_running && vmm_action_stops_vm_clock(a->kind))
		e->vm_clock_running(e->ctx, false, now);
}

void vmm_resume_guest(const struct vmm_action *a, sim_ps now)
{
	const struct vmm_env *e = &a->vmm->env;

	kvm_vm_resume(e->vm, now);
	if (e->guest_running)
		e->guest_running(e->ctx, true, now);
	if (e->vm_clock_running && vmm_action_stops_vm_clock(a->kind))
		e->vm_clock_running(e->ctx, true, now);
	publish_run(a, true, now);
}

uint64_t vmm_vcpu_kvmclock_ns(const struct kvm_vcpu *v, sim_ps now)
{
	return pvclock_read_cycles(&v->pvti, kvm_vcpu_guest_tsc(v, now));
}
