/*
 * Guest clock readers: scheduling, pause, period and retries (see reader.h).
 * Nothing here depends on the kind: its ops row (sim/guest/kinds/) does.
 */
#include "sim/guest/reader.h"

#include <stdio.h>

#include "sim/guest/kinds/fire.h"

static const struct reader_kind_ops *const kinds[] = {
#define READER_KIND_ROW(id, name, ops, cost_ns) [id] = &reader_kind_##ops,
	READER_KINDS(READER_KIND_ROW)
#undef READER_KIND_ROW
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == READER_KIND_COUNT, "one ops row per reader kind");

const struct reader_kind_ops *reader_kind_ops(enum reader_kind k)
{
	return kinds[k];
}

void guest_kernel_init(struct guest_kernel *k, bool stable_bit_cpuid)
{
	k->pvclock_last_value = 0;
	k->pvclock_stable_valid = stable_bit_cpuid;
}

unsigned guest_reader_cpu(const struct guest_reader *r, sim_ps now, unsigned *index)
{
	unsigned i = r->p.index;

	if (!r->p.host) {
		if (index)
			*index = i;
		return r->p.vcpu;
	}
	if (r->p.migrate_every_ps)
		i = (unsigned)((now / r->p.migrate_every_ps) % r->p.ncpus);
	if (index)
		*index = i;
	/* moved by the scheduler: still the same process, so the same oracle reader */
	return r->moved ? r->moved_cpu : r->p.cpus[i];
}

/* Out of line: only after a pause or a stall (fire.h). */
void guest_reader_skip_periods(struct guest_reader *r, sim_ps now)
{
	r->next_base_ps = now - (now - r->phase_ps) % r->p.period_ps;
}

/*
 * One event callback per kind, each with its own calls into its kind's ops:
 * a call site that always reaches the same kind is one the CPU predicts,
 * where a shared one alternating between kinds is not.  A kind's row may
 * name its own (ops->fire, the same template in the kind's file).
 */
#define READER_KIND_FIRE(id, name, ops, cost_ns)                                    \
	static void fire_##ops(struct sim_eventq *q, struct sim_event *ev, sim_ps now) \
	{                                                                             \
		guest_reader_fire(&reader_kind_##ops, fire_##ops, q, ev, now);        \
	}
READER_KINDS(READER_KIND_FIRE)
#undef READER_KIND_FIRE

static sim_event_fn *const fires[] = {
#define READER_KIND_FIRE_ROW(id, name, ops, cost_ns) [id] = fire_##ops,
	READER_KINDS(READER_KIND_FIRE_ROW)
#undef READER_KIND_FIRE_ROW
};

_Static_assert(sizeof(fires) / sizeof(fires[0]) == READER_KIND_COUNT, "one callback per reader kind");

/* The sink of a reader given none: a read's end calls its sink unconditionally. */
static void no_sink(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	(void)ctx;
	(void)r;
	(void)rd;
}

void guest_reader_set_sink(struct guest_reader *r, guest_read_sink *sink, void *sink_ctx)
{
	r->sink = sink ? sink : no_sink;
	r->sink_ctx = sink_ctx;
}

bool guest_reader_init(struct guest_reader *r, const struct guest_reader_params *p,
		       struct kvm_vm *vm, struct guest_kernel *kernel, struct sim_eventq *q,
		       sim_ps now, guest_read_sink *sink, void *sink_ctx, struct sim_diag *err)
{
	const struct reader_kind_ops *ops;
	sim_ps phase;

	*r = (struct guest_reader){ .p = *p, .vm = vm, .kernel = kernel,
				    .sink = sink ? sink : no_sink, .sink_ctx = sink_ctx };
	if ((unsigned)p->kind >= READER_KIND_COUNT)
		return sim_diag_fail(err, "reader %s: unknown kind %d", p->stream_id, (int)p->kind);
	ops = kinds[p->kind];
	if (p->host) {
		if (p->ncpus == 0 || !p->cpus || p->index >= p->ncpus)
			return sim_diag_fail(err, "reader %s: no CPU to run on", p->stream_id);
		for (unsigned i = 0; i < p->ncpus; i++)
			if (p->cpus[i] >= p->host->ncpus)
				return sim_diag_fail(err, "reader %s: CPU %u does not exist", p->stream_id,
						     p->cpus[i]);
		r->vm = NULL;
	} else if (!vm || p->vcpu >= vm->nvcpus) {
		return sim_diag_fail(err, "reader %s: vCPU %u does not exist", p->stream_id, p->vcpu);
	} else {
		r->vcpu = &vm->vcpus[p->vcpu];
	}
	if (!r->p.cost_ps)
		r->p.cost_ps = reader_kind_default_cost_ps(p->kind);
	if (!r->p.cost_ps && ops->default_cost_ps)
		r->p.cost_ps = ops->default_cost_ps(p);
	if (p->period_ps == 0 || r->p.cost_ps >= p->period_ps || p->jitter_ps >= p->period_ps ||
	    (p->has_phase && p->phase_ps >= p->period_ps))
		return sim_diag_fail(err, "reader %s: needs 0 < cost < period, jitter < period and "
				     "phase < period", p->stream_id);
	snprintf(r->name, sizeof(r->name), "%s", p->stream_id);
	r->p.stream_id = r->name;
	sim_rng_init(&r->rng, p->seed, r->name);
	sim_event_init(&r->ev, r->name, SIM_PRIO_GUEST, ops->fire ? ops->fire : fires[p->kind]);
	/* Drawn even when pinned, so pinning the phase leaves the jitter stream as it was. */
	phase = sim_rng_below(&r->rng, p->period_ps);
	r->phase_ps = now + (p->has_phase ? p->phase_ps : phase);
	r->next_base_ps = r->phase_ps;
	r->jitter = sim_rng_bound_of(p->jitter_ps + 1);
	/* a plugin's read is not Linux's: it sees the queue as it is, so it keeps its two events */
	r->one_event = ops->one_event && !p->foreign_read;
	r->rec.vcpu = r->cur_cpu = guest_reader_cpu(r, now, &r->rec.index);
	if (ops->init && !ops->init(r, now, err))
		return false;
	guest_reader_schedule_next(r, q, now);
	return true;
}

void guest_reader_pause(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	if (r->paused)
		return;
	r->paused = true;
	r->remaining_ps = 0;
	if (r->in_read && sim_event_pending(&r->ev))
		r->remaining_ps = r->ev.when - now;
	sim_cancel(q, &r->ev);
}

void guest_reader_resume(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	if (!r->paused)
		return;
	r->paused = false;
	if (r->in_read)
		sim_schedule(q, &r->ev, now + r->remaining_ps);
	else
		guest_reader_schedule_next(r, q, now);
}

void guest_reader_move(struct guest_reader *r, unsigned cpu)
{
	r->moved = true;
	r->moved_cpu = cpu;
}
