/*
 * A time sync: at `at` the management layer asks the guest agent to set the
 * guest's clock to the host's (qemu-ga guest-set-time, as libvirt's
 * `virsh domtime --sync` does after a resume).  The step itself is the
 * guest clock's (sim/guest/tick_clock.h: a tick-counting clock is set to
 * true time); the VMM's part is the moment, published as the phase "set".
 *
 * Phase: "set".
 */
#include "sim/vmm/action.h"

struct time_sync {
	struct vmm_action a;
	struct sim_event ev;
	char name[32];
};

static const char *const phases[] = { "set", NULL };

static void sync_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct time_sync *ts = sim_container_of(ev, struct time_sync, ev);

	(void)q;
	vmm_phase(&ts->a, "set", now);
}

static void sync_schedule(struct vmm_action *a)
{
	struct time_sync *ts = (struct time_sync *)(void *)a;
	const struct vmm_env *e = vmm_env(a->vmm);

	sim_event_setup(&ts->ev, ts->name, sizeof(ts->name), SIM_PRIO_SCENARIO, sync_fire,
			"time_sync%u", a->index);
	sim_schedule(e->q, &ts->ev, e->spec->time_syncs[a->index].at_ps);
}

static unsigned sync_count(const struct scn_vm *vm)
{
	return vm->ntime_syncs;
}

const struct vmm_action_ops vmm_action_time_sync = {
	.name = "time_sync",
	.phases = phases,
	.state_size = sizeof(struct time_sync),
	.count = sync_count,
	.schedule = sync_schedule,
};
