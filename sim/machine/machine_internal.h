/*
 * The machine's parts, shared by its three files: machine.c (assembly, the
 * run, what callers read), machine_vm.c (each VM: KVM, the guest kernel, its
 * timers and its VMM) and machine_readers.c (the readers and the oracle).
 */
#ifndef SIM_MACHINE_MACHINE_INTERNAL_H
#define SIM_MACHINE_MACHINE_INTERNAL_H

#include "sim/machine/machine.h"

#include "sim/core/event.h"
#include "sim/cpu-tsc/host.h"
#include "sim/devices/platform.h"
#include "sim/guest/hpet_timers.h"
#include "sim/guest/reader.h"
#include "sim/guest/timers.h"
#include "sim/machine/host_events.h"
#include "sim/machine/tick_setup.h"

/* One VM of the scenario, as the machine runs it. */
struct machine_vm {
	struct machine *m;
	unsigned index;                   /* into s->vms; trace records name it */
	const struct scn_vm *spec;
	struct kvm_vm kvm;
	bool ready;                       /* kvm_vm_init succeeded: finish it */
	struct guest_kernel kernel;
	struct vmm *vmm;
	bool vmm_pages;                   /* vmm_wants_pages(vmm): a page write goes to the VMM */
	bool slept;                       /* it was running when its host suspended */
	struct guest_timers *guest_timers;  /* its APIC timers; NULL: none */
	struct hpet_timers *hpet_timers;    /* its HPET comparator timers (the board's VM); NULL */
};

struct machine {
	const struct scenario *s;
	struct sim_eventq q;
	unsigned nhosts;
	struct host *hosts;               /* s->nhosts entries */
	unsigned nvms;                    /* built so far, in s->vms order */
	struct machine_vm *vms;           /* s->nvms entries */
	struct kvm_vm **kvms;             /* &vms[i].kvm, for the host checks */
	unsigned nreaders;                /* over all groups */
	struct guest_reader *readers;
	struct oracle *oracle;
	struct sim_trace trace;           /* subscribers come before machine_run */
	struct platform platform;         /* the board: the first VM's (docs/scenario-format.md) */
	bool platform_ready;
	unsigned nscripts;
	struct script_runner *scripts;   /* s->nscripts of them: 5 KB each, allocated as used */
	struct host_checks *host_checks;
	struct host_events *host_events;
	/* the physical causes named next to each check's first violation */
	char (*causes)[ORACLE_CHECK_COUNT][MACHINE_CAUSE_MAX];   /* per reader group */
	struct oracle_group **oracle_groups;   /* per group: the handle on_read feeds */
	struct tick_clock_config *ticks;  /* per group: what its tick-counting readers share */
	uint64_t max_events;              /* the runtime guard (budget.h); 0: none */
	struct plugin_set *plugins;       /* the parts plugins replace (sim/plugin) */
	machine_progress_fn *progress;    /* machine_set_progress; NULL: none */
	void *progress_ctx;
};

/* machine_vm.c: every VM on its host, its pages current at t = 0. */
bool machine_build_vms(struct machine *m, struct sim_diag *err);
/* machine_vm.c: each VM's guest timers, then each VM's VMM (after the readers and scripts). */
bool machine_build_vm_actions(struct machine *m, struct sim_diag *err);
void machine_finish_vms(struct machine *m);
/* machine_vm.c: host `host` suspends or resumes: the VMs on it stop and run again. */
void machine_vms_host_sleep(struct machine *m, unsigned host, bool asleep, sim_ps now);
/* machine_vm.c: host h switched clocksource: KVM's notifier in each VM on it. */
void machine_vms_host_clocksource(struct machine *m, struct host *h, sim_ps now);
/*
 * machine_vm.c: before a run, each VM's page hook is set only when someone
 * takes its page writes (a trace subscriber or an action of its VMM).
 */
void machine_vms_page_hooks(struct machine *m);

/*
 * machine_readers.c: each reader's sink for the run, chosen when it starts
 * (the trace's subscribers are known by then): straight to its group's
 * oracle, or through the trace first when someone wants reads.  The direct
 * one saves a call, the trace's test and the group's lookup on every read:
 * 0.95x CPU at small and medium (docs/performance-rounds.md, "Eleventh round").
 */
void machine_readers_sinks(struct machine *m);

/* machine_readers.c: the reader groups, their processes and the oracle. */
bool machine_build_readers(struct machine *m, struct sim_diag *err);
/*
 * Readers stop or run again: those of VM `vm` (vcpu < 0: all its vCPUs), or
 * with vm < 0 the bare-metal ones of host `host`; their groups' oracle too
 * when a whole VM or host stops.
 */
/* machine_readers.c: reader_migrate (host_events.h): the group's process moves to `cpu`. */
void machine_reader_move(void *ctx, unsigned group, unsigned cpu, sim_ps now);
void machine_readers_running(struct machine *m, int vm, int host, int vcpu, bool running,
			     sim_ps now);

#endif
