/*
 * The VMM: what QEMU (the user space half of the hypervisor) does to a VM
 * during a run, as a table of actions.  Each action kind is one file
 * (sim/vmm/<action>.c) and one row of VMM_ACTIONS below: live migration,
 * vCPU moves, pause/resume and snapshot/restore; interrupt delivery
 * policies will each be another row.  An action acts through KVM's API
 * (sim/kvm) and tells the machine when the guest stops or runs again; it
 * publishes a SIM_TRACE_VMM_PHASE record as it enters each phase.
 *
 * The board.  The platform devices (PIT, RTC, HPET, PM timer) belong either
 * to a host or to a VM with its own time base:
 * - VMM_BOARD_HOST: the board runs on true time from t = 0, whatever any VM
 *   does.  This is today's machine: its board is not paused with the VM
 *   and its interrupts reach only device scripts.
 * - VMM_BOARD_VM: the board is the VM's and runs on the VM's time base
 *   (QEMU_CLOCK_VIRTUAL): it stops while the VM is stopped (migration
 *   downtime, pause, snapshot) and resumes with it: the machine stops and
 *   resumes it when an action reports the VM's time base stopped or running
 *   (vm_clock_running: every action that stops the guest but a stall, which
 *   stops the VMM process and not the VM's clock; platform_stop,
 *   sim/devices).
 */
#ifndef SIM_VMM_VMM_H
#define SIM_VMM_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/trace.h"
#include "sim/cpu-tsc/host.h"
#include "sim/kvm/kvm.h"
#include "sim/scenario/scenario.h"

/* X(ID, ops): the action kind and its ops row, `reader_kind`-style: vmm_action_<ops>. */
#define VMM_ACTIONS(X)                                                              \
	X(VMM_MIGRATION, migration)   /* live migration: stop, move hosts, resume */ \
	X(VMM_VCPU_MOVE, vcpu_move)   /* the host scheduler moves a vCPU to a pCPU */ \
	X(VMM_TSC_WRITE, tsc_write)   /* the VMM writes a vCPU's TSC (MSR or offset attribute) */ \
	X(VMM_STALL, stall)           /* the VMM process stops: no vCPU runs, time goes on */ \
	X(VMM_TIME_SYNC, time_sync)   /* the guest agent sets the guest's clock (guest-set-time) */ \
	X(VMM_CLOCK_UPDATE, clock_update) /* a KVM clock update request on a vCPU */ \
	X(VMM_PAUSE, pause)           /* pause and resume on the same host */ \
	X(VMM_SNAPSHOT, snapshot)     /* pause, capture, restore into a new VM later */

enum vmm_action_kind {
#define VMM_ACTION_ENUM(id, ops) id,
	VMM_ACTIONS(VMM_ACTION_ENUM)
#undef VMM_ACTION_ENUM
	VMM_ACTION_COUNT
};

enum vmm_board_owner {
	VMM_BOARD_HOST,           /* true time from t = 0 (today) */
	VMM_BOARD_VM,             /* the VM's time base: stops and resumes with the VM */
};

/* What the VMM acts on; all of it belongs to the machine and outlives the VMM. */
struct vmm_env {
	const struct scenario *s; /* the run (its duration); outlives the VMM */
	const struct scn_vm *spec; /* this VM's parameters and lists of actions; NULL without a VM */
	unsigned vm_index;        /* its index in the scenario: trace records name it */
	struct sim_eventq *q;
	struct host *hosts;       /* the scenario's hosts, in order */
	unsigned nhosts;
	struct kvm_vm *vm;        /* NULL without a VM */
	struct sim_trace *trace;  /* NULL: no stream */
	enum vmm_board_owner board_owner;
	/* The guest stops (running = false) or runs again: the machine pauses its observers. */
	void (*guest_running)(void *ctx, bool running, sim_ps now);
	/*
	 * The VM's time base stops or runs again, just after guest_running: every
	 * stop but a stall's (vmm_action_stops_vm_clock).  The machine stops a
	 * VM-owned board.  NULL: none.
	 */
	void (*vm_clock_running)(void *ctx, bool running, sim_ps now);
	/* One vCPU stops or runs again, the others run on: its readers stop with it. NULL: none. */
	void (*vcpu_running)(void *ctx, unsigned vcpu, bool running, sim_ps now);
	void *ctx;
};

/* What happened at one migration, for the report. */
struct vmm_migration_log {
	bool done;
	unsigned from_host, to_host;
	sim_ps stop_ps, resume_ps;
	struct kvm_clock_data get;        /* what KVM_GET_CLOCK returned at the source */
	bool set_clock;                   /* KVM_SET_CLOCK was called at the destination */
	uint32_t set_flags;               /* with these flags */
	uint64_t kvmclock_before_ns;      /* vCPU 0's kvmclock just before the stop ... */
	uint64_t kvmclock_after_ns;       /* ... and as the destination's first page gives it */
	bool page_after;                  /* that page was written before the run ended */
	uint64_t guest_tsc_before;        /* vCPU 0's guest TSC at the stop ... */
	uint64_t guest_tsc_after;         /* ... and at the resume */
	uint64_t tsc_khz_before, tsc_khz_after;   /* vCPU 0's virtual TSC kHz */
	bool scaled;                      /* TSC scaling active at the destination */
	bool master_clock_before, master_clock_after;
};

struct vmm;

/*
 * Sets up every action of the scenario and queues its first phase (in
 * VMM_ACTIONS order, then scenario order).  NULL with err on failure, with
 * nothing queued.  A schedule error (an action in the past) marks the queue
 * failed instead: check q->failed after.  Errors raised later, inside an
 * action's event, stop the queue (sim_eventq_fail) with the action's JSON
 * pointer.
 */
struct vmm *vmm_create(const struct vmm_env *env, struct sim_diag *err);

/* Finish the queue (sim_eventq_finish) first: the actions' events live here. */
void vmm_destroy(struct vmm *v);

/* KVM wrote vCPU `vcpu`'s pvclock page (the machine forwards its page hook). */
void vmm_page_written(struct vmm *v, const struct kvm_vcpu *vcpu, sim_ps now);

/* Whether any action of v waits for page writes: false, and vmm_page_written() does nothing. */
bool vmm_wants_pages(const struct vmm *v);

/* Migration i's log; NULL when the scenario has no migration i. */
const struct vmm_migration_log *vmm_migration_log(const struct vmm *v, unsigned i);

/* The action kind's name ("migration") and its phases in order, NULL-terminated. */
const char *vmm_action_name(enum vmm_action_kind k);
const char *const *vmm_action_phases(enum vmm_action_kind k);

enum vmm_board_owner vmm_board_owner(const struct vmm *v);

/*
 * Whether the guest's stops by action k stop the VM's time base as well
 * (QEMU's vm_stop(): pause, snapshot, migration downtime), so a board on it
 * stops too; false for a stall (the VMM process stopped, the run state
 * untouched).  The trace's SIM_TRACE_GUEST_RUN records carry it.
 */
bool vmm_action_stops_vm_clock(enum vmm_action_kind k);

#endif
