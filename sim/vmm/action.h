/*
 * What one VMM action kind implements (private to sim/vmm).  An action's
 * instance state starts with a struct vmm_action; the VMM allocates one
 * zeroed instance per occurrence in the scenario and calls `schedule` on
 * each at creation.  From then on the action's own events drive it; it
 * reports each phase with vmm_phase() and errors with vmm_fail().
 */
#ifndef SIM_VMM_ACTION_H
#define SIM_VMM_ACTION_H

#include <stddef.h>

#include "sim/vmm/vmm.h"

struct vmm_action {
	struct vmm *vmm;
	enum vmm_action_kind kind;
	unsigned index;           /* in the scenario's list of this kind */
};

struct vmm_action_ops {
	const char *name;         /* trace and report name */
	const char *const *phases;/* in order, NULL-terminated: what vmm_phase() may say */
	size_t state_size;        /* one instance, starting with struct vmm_action */
	unsigned (*count)(const struct scn_vm *vm);
	/*
	 * Sets the instance up and queues its first phase.  It cannot fail: a
	 * schedule error marks the queue failed, which its owner checks.
	 */
	void (*schedule)(struct vmm_action *a);
	/* KVM wrote a vCPU's page.  NULL: not interested. */
	void (*page_written)(struct vmm_action *a, const struct kvm_vcpu *vcpu, sim_ps now);
};

#define VMM_ACTION_DECLARE(id, ops) extern const struct vmm_action_ops vmm_action_##ops;
VMM_ACTIONS(VMM_ACTION_DECLARE)
#undef VMM_ACTION_DECLARE

const struct vmm_env *vmm_env(const struct vmm *v);

/* Instance i of kind k (i below the scenario's count), or NULL. */
struct vmm_action *vmm_instance(const struct vmm *v, enum vmm_action_kind k, unsigned i);

/* The action entered `phase` (one of its ops' phases) at `now`: the trace record. */
void vmm_phase(const struct vmm_action *a, const char *phase, sim_ps now);

/* Stops the run at once with "<what><detail>" at the scenario path `path`. */
void vmm_fail(const struct vmm_action *a, const char *path, const char *what, const char *detail);

/* The guest stops (KVM pauses the vCPUs, the machine its readers) / runs again. */
void vmm_pause_guest(const struct vmm_action *a, sim_ps now);
void vmm_resume_guest(const struct vmm_action *a, sim_ps now);

/* vCPU v's kvmclock at `now`, as its current page gives it. */
uint64_t vmm_vcpu_kvmclock_ns(const struct kvm_vcpu *v, sim_ps now);

#endif
