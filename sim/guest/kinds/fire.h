/*
 * The reader's event callback, as an inline template over a kind's ops row
 * (private to sim/guest).  reader.c instantiates it once per kind; a kind
 * whose read runs on every event may instantiate it in its own file and
 * name the result in its row's `fire` (kind.h), so that its functions are
 * known there and its read inlines into the callback (pvclock.c does).
 * Nothing here depends on the kind: only the row it is given.
 */
#ifndef SIM_GUEST_KINDS_FIRE_H
#define SIM_GUEST_KINDS_FIRE_H

#include "sim/guest/kinds/kind.h"

/*
 * Moves on to the period that contains `now` (it began at or before `now`):
 * the periods in between are not read.  Only after a pause or a stall.
 */
void guest_reader_skip_periods(struct guest_reader *r, sim_ps now);

/* The jitter of the next period: the next draw of the reader's stream. */
static inline sim_ps guest_reader_draw_jitter(struct guest_reader *r)
{
	return r->p.jitter_ps ? sim_rng_below_bound(&r->rng, &r->jitter) : 0;
}

/*
 * Schedules the first period that starts at or after `now`: each period
 * draws its jitter, in order, skipped ones included, the first one
 * (`jitter`) already drawn by the caller as the stream's next draw.
 * next_base_ps, phase + k * period for the next period k (SIM_NEVER beyond
 * 2^64 ps), moves on by one period per draw, so a read costs no
 * multiplication or division.
 */
static inline void guest_reader_schedule_drawn(struct guest_reader *r, struct sim_eventq *q,
					       sim_ps now, sim_ps jitter)
{
	sim_ps t;

	/* a whole period or more since the next one began: now's period is the next one */
	if (now > r->next_base_ps && now - r->next_base_ps >= r->p.period_ps)
		guest_reader_skip_periods(r, now);
	for (;;) {
		t = sim_add_sat(r->next_base_ps, jitter);
		r->next_base_ps = sim_add_sat(r->next_base_ps, r->p.period_ps);
		if (t >= now)
			break;
		jitter = guest_reader_draw_jitter(r);
	}
	if (t != SIM_NEVER)
		sim_schedule_firing(q, &r->ev, t);
}

/* guest_reader_schedule_drawn() with the first period's jitter drawn here. */
static inline void guest_reader_schedule_next(struct guest_reader *r, struct sim_eventq *q,
					      sim_ps now)
{
	guest_reader_schedule_drawn(r, q, now, guest_reader_draw_jitter(r));
}

/*
 * Starts an attempt at `now`, after `tries` retries of the read.  True when
 * its end is done at once, as of the end's instant (sim_eventq_take_inline):
 * a kind whose read depends only on the state at its edges (ops->one_event)
 * reads the same when no event fires in between, and that saves queueing the
 * end.  False: the end is queued, and in_read and attempt_retries say so
 * until it fires (a pause reads them, and a plugin's read the latter).
 */
static inline __attribute__((always_inline)) bool guest_reader_begin_attempt(struct guest_reader *r,
					      const struct reader_kind_ops *ops,
					      struct sim_eventq *q, sim_ps now, unsigned tries)
{
	sim_ps end = sim_add_sat(now, r->p.cost_ps);

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
	r->in_read = true;
	r->attempt_retries = tries;
	if (ops->begin)
		ops->begin(r, now);
	sim_schedule_firing(q, &r->ev, end);
	return false;
}

/* The attempt's end at `now`: taken inline (at_once) or by its own event. */
static inline bool guest_reader_finish_attempt(struct guest_reader *r,
					       const struct reader_kind_ops *ops,
					       bool at_once, sim_ps now, uint64_t *value_ns)
{
	if (at_once && ops->read_at_once)
		return ops->read_at_once(r, now, value_ns);
	return ops->finish(r, now, value_ns);
}

/*
 * The reader's event (a read's start, or an attempt's end) for a reader of
 * the kind whose row is `ops`, `self` the callback that instantiates this.
 * Always inline: the call it saves is on every read.  When the queue's next
 * event is another reader's of the same callback, it runs here too
 * (sim_eventq_take_next), in the same order and with the same counts as if
 * the run loop had called it.
 */
static inline __attribute__((always_inline)) void guest_reader_fire(const struct reader_kind_ops *ops,
								    sim_event_fn *self,
								    struct sim_eventq *q,
								    struct sim_event *ev, sim_ps now)
{
	do {
		struct guest_reader *r = sim_container_of(ev, struct guest_reader, ev);
		bool at_once = false;
		unsigned tries = 0;       /* retries of this read so far */

		if (r->in_read) {
			tries = r->attempt_retries;   /* an attempt's end, queued */
		} else {
			if (!guest_reader_begin_attempt(r, ops, q, now, tries))
				return;
			now = q->now;   /* the attempt's end, taken inline */
			at_once = true;
		}
		while (!guest_reader_finish_attempt(r, ops, at_once, now, &r->rec.value_ns)) {
			r->retries++;
			tries++;
			if (!guest_reader_begin_attempt(r, ops, q, now, tries))
				return;
			now = q->now;
			at_once = true;
		}
		/*
		 * The next period's jitter is drawn before the read goes to the
		 * sink, which draws nothing: the same draw of the stream as after
		 * it (a host reader's RDTSC draws from it too, all before this),
		 * but its division is done by the time the next start is queued
		 * (docs/performance-rounds.md, "Eighth round").
		 */
		sim_ps jitter = guest_reader_draw_jitter(r);

		/* the record's CPU and start were set when the attempt began */
		r->rec.end_ps = now;
		r->rec.retries = tries;
		r->in_read = false;
		r->reads++;
		r->sink(r->sink_ctx, r, &r->rec);
		guest_reader_schedule_drawn(r, q, now + 1, jitter);
		ev = sim_eventq_take_next(q, self);
		now = q->now;
	} while (ev);
}

#endif
