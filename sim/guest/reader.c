/*
 * Guest clock readers: scheduling, pause, period and retries (see reader.h).
 * Nothing here depends on the kind: its ops row (sim/guest/kinds/) does.
 */
#include "sim/guest/reader.h"

#include <stdio.h>

#include "sim/guest/kinds/kind.h"

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

/*
 * Moves on to the period that contains `now` (it began at or before `now`):
 * the periods in between are not read.  Only after a pause or a stall.
 */
static void skip_periods(struct guest_reader *r, sim_ps now)
{
	r->next_base_ps = now - (now - r->phase_ps) % r->p.period_ps;
}

/*
 * Schedules the first period that starts at or after `now`: each period
 * draws its jitter, in order, skipped ones included.  next_base_ps, phase +
 * k * period for the next period k (SIM_NEVER beyond 2^64 ps), moves on by
 * one period per draw, so a read costs no multiplication or division.
 */
static inline void schedule_next_read(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	sim_ps t;

	/* a whole period or more since the next one began: now's period is the next one */
	if (now > r->next_base_ps && now - r->next_base_ps >= r->p.period_ps)
		skip_periods(r, now);
	do {
		sim_ps jitter = r->p.jitter_ps ? sim_rng_below_bound(&r->rng, &r->jitter) : 0;

		t = sim_add_sat(r->next_base_ps, jitter);
		r->next_base_ps = sim_add_sat(r->next_base_ps, r->p.period_ps);
	} while (t < now);
	if (t != SIM_NEVER)
		sim_schedule_firing(q, &r->ev, t);
}

/*
 * Starts an attempt at `now`.  True when its end is done at once, as of the
 * end's instant (sim_eventq_take_inline): a kind whose read depends only on
 * the state at its edges (ops->one_event) reads the same when no event fires
 * in between, and that saves queueing the end.  False: the end is queued.
 */
static inline bool begin_attempt(struct guest_reader *r, const struct reader_kind_ops *ops,
				 struct sim_eventq *q, sim_ps now)
{
	sim_ps end = sim_add_sat(now, r->p.cost_ps);

	r->in_read = true;
	r->rec.start_ps = now;
	/*
	 * The scheduler places the process when the read begins; it stays for
	 * the read.  A VM reader's vCPU is set once, at init.
	 */
	if (r->p.host)
		r->rec.vcpu = r->cur_cpu = guest_reader_cpu(r, now, &r->rec.index);
	if (r->one_event && sim_eventq_take_inline(q, &r->ev, end)) {
		if (!ops->read_at_once && ops->begin)
			ops->begin(r, now);
		return true;
	}
	if (ops->begin)
		ops->begin(r, now);
	sim_schedule_firing(q, &r->ev, end);
	return false;
}

/* The attempt's end at `now`: taken inline (at_once) or by its own event. */
static inline bool finish_attempt(struct guest_reader *r, const struct reader_kind_ops *ops,
				  bool at_once, sim_ps now, uint64_t *value_ns)
{
	if (at_once && ops->read_at_once)
		return ops->read_at_once(r, now, value_ns);
	return ops->finish(r, now, value_ns);
}

/* Inline in each kind's callback below (always: the call it saves is on every read). */
static inline __attribute__((always_inline)) void reader_fire(const struct reader_kind_ops *ops,
							       struct sim_eventq *q,
							       struct sim_event *ev, sim_ps now)
{
	struct guest_reader *r = sim_container_of(ev, struct guest_reader, ev);
	bool at_once = false;

	if (!r->in_read) {
		if (!begin_attempt(r, ops, q, now))
			return;
		now = q->now;   /* the attempt's end, taken inline */
		at_once = true;
	}
	while (!finish_attempt(r, ops, at_once, now, &r->rec.value_ns)) {
		r->retries++;
		r->attempt_retries++;
		if (!begin_attempt(r, ops, q, now))
			return;
		now = q->now;
		at_once = true;
	}
	/* the record's CPU and start were set when the attempt began */
	r->rec.end_ps = now;
	r->rec.retries = r->attempt_retries;
	r->in_read = false;
	r->attempt_retries = 0;
	r->reads++;
	if (r->sink)
		r->sink(r->sink_ctx, r, &r->rec);
	schedule_next_read(r, q, now + 1);
}

/*
 * One event callback per kind, each with its own calls into its kind's ops:
 * a call site that always reaches the same kind is one the CPU predicts,
 * where a shared one alternating between kinds is not.
 */
#define READER_KIND_FIRE(id, name, ops, cost_ns)                                    \
	static void fire_##ops(struct sim_eventq *q, struct sim_event *ev, sim_ps now) \
	{                                                                             \
		reader_fire(&reader_kind_##ops, q, ev, now);                          \
	}
READER_KINDS(READER_KIND_FIRE)
#undef READER_KIND_FIRE

static sim_event_fn *const fires[] = {
#define READER_KIND_FIRE_ROW(id, name, ops, cost_ns) [id] = fire_##ops,
	READER_KINDS(READER_KIND_FIRE_ROW)
#undef READER_KIND_FIRE_ROW
};

_Static_assert(sizeof(fires) / sizeof(fires[0]) == READER_KIND_COUNT, "one callback per reader kind");

bool guest_reader_init(struct guest_reader *r, const struct guest_reader_params *p,
		       struct kvm_vm *vm, struct guest_kernel *kernel, struct sim_eventq *q,
		       sim_ps now, guest_read_sink *sink, void *sink_ctx, struct sim_diag *err)
{
	const struct reader_kind_ops *ops;
	sim_ps phase;

	*r = (struct guest_reader){ .p = *p, .vm = vm, .kernel = kernel, .sink = sink,
				    .sink_ctx = sink_ctx };
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
	sim_event_init(&r->ev, r->name, SIM_PRIO_GUEST, fires[p->kind]);
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
	schedule_next_read(r, q, now);
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
		schedule_next_read(r, q, now);
}

void guest_reader_move(struct guest_reader *r, unsigned cpu)
{
	r->moved = true;
	r->moved_cpu = cpu;
}
