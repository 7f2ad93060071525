/*
 * Short scenario runs: load a scenario from the buffer, cap it so that one
 * input runs in milliseconds, then build the machine and run it with the
 * oracle as `sim run` does (sim/cli/main.c run_file), read every reader
 * group's results, free everything.
 *
 * The cap is applied to the loaded struct, here in the harness (docs/fuzzing.md):
 *   - the run lasts at most RUN_CAP_DURATION_PS;
 *   - an action, event or script that starts at or after the new end, or
 *     that would still be under way at it (a migration's downtime, a pause,
 *     a stall, a snapshot's gap, a C-state's stay), is dropped; a C-state
 *     pattern ends at the new end;
 *   - every period (readers, reinjection, wall clock, reader hops, kvmclock
 *     sync, periodic clock updates, guest timers, C-state pattern means,
 *     crystal wander steps) is at least RUN_MIN_PERIOD_PS.
 * Dropping keeps the order of what stays, so sorted lists stay sorted.
 */
#include <string.h>

#include "fuzz.h"
#include "sim/core/diag.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

#define RUN_CAP_DURATION_PS (10 * SIM_PS_PER_MS)
#define RUN_MIN_PERIOD_PS (100 * SIM_PS_PER_US)

/* Keeps the entries of arr[0..*n) for which keep(&arr[i], end) holds, in order. */
#define KEEP_IF(arr, n, keep, end)                                 \
	do {                                                       \
		unsigned kept_ = 0;                                \
		for (unsigned i_ = 0; i_ < (n); i_++)              \
			if (keep(&(arr)[i_], (end)))               \
				(arr)[kept_++] = (arr)[i_];        \
		(n) = kept_;                                       \
	} while (0)

static sim_ps floor_period(sim_ps p)
{
	return p && p < RUN_MIN_PERIOD_PS ? RUN_MIN_PERIOD_PS : p;
}

/* Whether [at, at + len] ends before end (saturating: a huge len never does). */
static bool ends_before(sim_ps at, sim_ps len, sim_ps end)
{
	return at < end && len < end - at;
}

static bool keep_migration(const struct scn_migration *m, sim_ps end)
{
	return ends_before(m->at_ps, m->downtime_ps, end);
}

static bool keep_move(const struct scn_vcpu_move *m, sim_ps end)
{
	return m->at_ps < end;
}

static bool keep_tsc_write(const struct scn_tsc_write *w, sim_ps end)
{
	return w->at_ps < end;
}

static bool keep_stall(const struct scn_stall *st, sim_ps end)
{
	return ends_before(st->at_ps, st->duration_ps, end);
}

static bool keep_time_sync(const struct scn_time_sync *t, sim_ps end)
{
	return t->at_ps < end;
}

static bool keep_clock_update(const struct scn_clock_update *c, sim_ps end)
{
	return c->at_ps < end;
}

static bool keep_pause(const struct scn_pause *p, sim_ps end)
{
	return ends_before(p->at_ps, p->duration_ps, end);
}

static bool keep_snapshot(const struct scn_snapshot *sn, sim_ps end)
{
	return ends_before(sn->at_ps, sim_add_sat(sn->capture_ps, sn->gap_ps), end);
}

static bool keep_event(const struct scn_event *e, sim_ps end)
{
	return ends_before(e->at_ps, e->duration_ps, end);
}

static void cap_scenario(struct scenario *s)
{
	sim_ps end;

	if (s->duration_ps > RUN_CAP_DURATION_PS)
		s->duration_ps = RUN_CAP_DURATION_PS;
	end = s->duration_ps;
	for (unsigned v = 0; v < s->nvms; v++) {
		struct scn_vm *vm = &s->vms[v];

		KEEP_IF(vm->migrations, vm->nmigrations, keep_migration, end);
		KEEP_IF(vm->moves, vm->nmoves, keep_move, end);
		KEEP_IF(vm->tsc_writes, vm->ntsc_writes, keep_tsc_write, end);
		KEEP_IF(vm->stalls, vm->nstalls, keep_stall, end);
		KEEP_IF(vm->time_syncs, vm->ntime_syncs, keep_time_sync, end);
		KEEP_IF(vm->clock_updates, vm->nclock_updates, keep_clock_update, end);
		KEEP_IF(vm->pauses, vm->npauses, keep_pause, end);
		KEEP_IF(vm->snapshots, vm->nsnapshots, keep_snapshot, end);
	}
	KEEP_IF(s->events, s->nevents, keep_event, end);

	/* scripts own their commands: free a dropped one's here */
	unsigned kept = 0;

	for (unsigned i = 0; i < s->nscripts; i++) {
		if (s->scripts[i].at_ps < end) {
			s->scripts[kept++] = s->scripts[i];
		} else {
			free(s->scripts[i].commands);
			s->scripts[i].commands = NULL;
		}
	}
	s->nscripts = kept;

	for (unsigned i = 0; i < s->nevents; i++) {
		struct scn_event *e = &s->events[i];

		if (e->type == SCN_EV_CSTATE_PATTERN) {
			if (e->until_ps > end)
				e->until_ps = end;
			e->residency_ps = floor_period(e->residency_ps);
			e->busy_ps = floor_period(e->busy_ps);
		}
	}
	for (unsigned i = 0; i < s->nreaders; i++) {
		struct scn_reader *r = &s->readers[i];

		r->period_ps = floor_period(r->period_ps);
		r->inject_interval_ps = floor_period(r->inject_interval_ps);
		r->wall_clock_every_ps = floor_period(r->wall_clock_every_ps);
		r->migrate_every_ps = floor_period(r->migrate_every_ps);
	}
	for (unsigned v = 0; v < s->nvms; v++) {
		struct scn_vm *vm = &s->vms[v];

		for (unsigned i = 0; i < vm->nclock_updates; i++)
			vm->clock_updates[i].every_ps = floor_period(vm->clock_updates[i].every_ps);
		for (unsigned i = 0; i < vm->nguest_timers; i++)
			vm->guest_timers[i].period_ps = floor_period(vm->guest_timers[i].period_ps);
		vm->sync_period_ps = floor_period(vm->sync_period_ps);
	}
	for (unsigned h = 0; h < s->nhosts; h++)
		for (unsigned k = 0; k < s->hosts[h].nsockets; k++) {
			struct scn_socket *so = &s->hosts[h].sockets[k];

			so->wander_step_ps = floor_period(so->wander_step_ps);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct scenario *s;
	struct machine *m;

	sim_diag_clear(&err);
	sim_diag_list_clear(&errs);
	s = scenario_parse_all("fuzz.json", (const char *)data, size, &err, &errs);
	if (!s)
		return 0;
	cap_scenario(s);
	s->nplugins = 0;          /* never dlopen a path the fuzzer wrote (docs/plugins.md) */
	m = machine_create(s, &err);
	if (m && machine_run(m, &err)) {
		for (unsigned g = 0; g < s->nreaders; g++)
			(void)machine_group_stats(m, g);
	} else {
		FUZZ_ASSERT(err.msg[0] != '\0');
	}
	machine_destroy(m);
	scenario_destroy(s);
	return 0;
}
