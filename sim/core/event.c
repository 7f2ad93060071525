/*
 * Binary min-heap of embedded events, ordered by (when, prio, seq).  Each
 * event stores its heap slot, so cancel and re-arm are O(log n) without a
 * search.  The heap array doubles when full: allocation is amortised over
 * schedules, never one per event.
 */
#include "sim/core/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static bool before(const struct sim_event *a, const struct sim_event *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->seq < b->seq;
}

static void place(struct sim_eventq *q, uint32_t slot, struct sim_event *ev)
{
	q->heap[slot] = ev;
	ev->slot = slot;
}

static void sift_up(struct sim_eventq *q, uint32_t slot)
{
	struct sim_event *ev = q->heap[slot];

	while (slot > 0) {
		uint32_t parent = (slot - 1) / 2;

		if (!before(ev, q->heap[parent]))
			break;
		place(q, slot, q->heap[parent]);
		slot = parent;
	}
	place(q, slot, ev);
}

static void sift_down(struct sim_eventq *q, uint32_t slot)
{
	struct sim_event *ev = q->heap[slot];

	for (;;) {
		uint32_t child = 2 * slot + 1;

		if (child >= q->len)
			break;
		if (child + 1 < q->len && before(q->heap[child + 1], q->heap[child]))
			child++;
		if (!before(q->heap[child], ev))
			break;
		place(q, slot, q->heap[child]);
		slot = child;
	}
	place(q, slot, ev);
}

static void remove_at(struct sim_eventq *q, uint32_t slot)
{
	struct sim_event *gone = q->heap[slot];
	struct sim_event *last = q->heap[--q->len];

	gone->slot = SIM_EVENT_IDLE;
	if (slot == q->len)
		return;
	place(q, slot, last);
	if (slot > 0 && before(last, q->heap[(slot - 1) / 2]))
		sift_up(q, slot);
	else
		sift_down(q, slot);
}

void sim_eventq_init(struct sim_eventq *q)
{
	*q = (struct sim_eventq){ .storm_limit = SIM_STORM_LIMIT_DEFAULT };
}

void sim_eventq_finish(struct sim_eventq *q)
{
	if (!q)
		return;
	for (uint32_t i = 0; i < q->len; i++)
		q->heap[i]->slot = SIM_EVENT_IDLE;
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}

void sim_event_init(struct sim_event *ev, const char *name, enum sim_prio prio,
		    sim_event_fn *fire)
{
	*ev = (struct sim_event){
		.when = SIM_NEVER,
		.prio = prio,
		.slot = SIM_EVENT_IDLE,
		.fire = fire,
		.name = name,
	};
}

void sim_eventq_fail(struct sim_eventq *q, const struct sim_diag *d)
{
	if (q->failed)
		return;
	q->failed = true;
	q->error = *d;
}

void sim_event_setup(struct sim_event *ev, char *name, size_t len, enum sim_prio prio,
		     sim_event_fn *fire, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, len, fmt, ap);
	va_end(ap);
	sim_event_init(ev, name, prio, fire);
}

static bool schedule_error(struct sim_eventq *q, const struct sim_event *ev, sim_ps when)
{
	char now_s[32], when_s[32];

	if (!q->failed) {
		q->failed = true;
		if (when == SIM_NEVER)
			sim_diag_fail(&q->error, "event \"%s\" scheduled at a time beyond 2^64 ps",
				      ev->name ? ev->name : "?");
		else
			sim_diag_fail(&q->error,
				      "event \"%s\" scheduled in the past: at %s s, now %s s",
				      ev->name ? ev->name : "?", sim_format_seconds(when_s, when),
				      sim_format_seconds(now_s, q->now));
	}
	return false;
}

bool sim_schedule(struct sim_eventq *q, struct sim_event *ev, sim_ps when)
{
	if (when < q->now || when == SIM_NEVER)
		return schedule_error(q, ev, when);
	if (sim_event_pending(ev))
		remove_at(q, ev->slot);
	if (q->len == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 64;
		struct sim_event **heap = realloc(q->heap, (size_t)cap * sizeof(*heap));

		if (!heap) {
			q->failed = true;
			sim_diag_fail(&q->error, "out of memory growing the event queue");
			return false;
		}
		q->heap = heap;
		q->cap = cap;
	}
	ev->when = when;
	ev->seq = q->next_seq++;
	place(q, q->len++, ev);
	sift_up(q, ev->slot);
	return true;
}

void sim_cancel(struct sim_eventq *q, struct sim_event *ev)
{
	if (sim_event_pending(ev))
		remove_at(q, ev->slot);
}

sim_ps sim_eventq_next(const struct sim_eventq *q)
{
	return q->len ? q->heap[0]->when : SIM_NEVER;
}

bool sim_eventq_run_until(struct sim_eventq *q, sim_ps end, struct sim_diag *err)
{
	while (!q->failed && q->len && q->heap[0]->when <= end) {
		struct sim_event *ev = q->heap[0];

		remove_at(q, 0);
		if (ev->when != q->now) {
			q->now = ev->when;
			q->storm_count = 0;
		}
		if (++q->storm_count > q->storm_limit) {
			char t[32];

			q->failed = true;
			sim_diag_fail(&q->error,
				      "event storm: more than %llu events at t = %s s (last: \"%s\")",
				      (unsigned long long)q->storm_limit,
				      sim_format_seconds(t, q->now), ev->name ? ev->name : "?");
			break;
		}
		if (q->fired == q->fire_limit && q->fire_limit) {
			q->failed = true;
			sim_diag_fail(&q->error, "more than %llu events fired (next: \"%s\")",
				      (unsigned long long)q->fire_limit, ev->name ? ev->name : "?");
			break;
		}
		q->fired++;
		ev->fire(q, ev, q->now);
	}
	if (q->failed) {
		if (err)
			*err = q->error;
		return false;
	}
	if (end > q->now)
		q->now = end;
	return true;
}
