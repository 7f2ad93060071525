/*
 * event_model: the queue against a brute-force model of the same queue, over
 * random work done from inside the handlers (re-arms of the firing event,
 * events queued at the current instant, re-arms and cancels of others, steps
 * taken inline).  The model keeps each event's key (when, priority, sequence
 * of scheduling) in a plain array and fires the smallest by a linear scan,
 * so it shares nothing with the heap, its sentinels or its lane.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>

#include "sim/core/event.h"
#include "sim/core/rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct model_ev {
	bool pending;
	bool lane;                /* queued for the instant it was queued at */
	sim_ps when;
	unsigned prio;
	uint64_t seq;
};

struct world {
	struct sim_eventq q;
	struct sim_rng rng;
	unsigned n;
	struct mprobe *ev;        /* the queue's events */
	struct model_ev *m;       /* the model's */
	uint64_t seq;             /* the model's schedule calls */
	uint64_t fired;           /* the model's firings, steps taken inline included */
	sim_ps end;               /* the run's bound */
	sim_ps span;              /* re-arms go up to this far ahead */
	uint64_t inlined;         /* steps taken inline */
	uint64_t taken_next;      /* events a handler took from the queue and ran itself */
	uint64_t refused_next;    /* times it asked while the loop would have fired the next */
	uint64_t at_now;          /* events queued at the current instant */
	bool was_sorted;          /* the queue's mode at the last check */
	uint64_t to_heap;         /* checks that found it turned from sorted to a plain heap */
	uint64_t to_sorted;       /* and back */
	uint64_t sorted_checks;   /* checks that found it sorted with three or more events */
	uint64_t window_rearms;   /* root re-arms that a sorted queue places without its walk */
};

struct mprobe {
	struct sim_event ev;
	unsigned id;
	struct world *w;
};

static const enum sim_prio prios[] = {
	SIM_PRIO_SCENARIO, SIM_PRIO_HYPERVISOR, SIM_PRIO_DEVICE, SIM_PRIO_GUEST, SIM_PRIO_OBSERVE,
};

static bool key_before(const struct model_ev *a, const struct model_ev *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->seq < b->seq;
}

/* The model's next event: the smallest key among the pending ones, or -1. */
static int model_next(const struct world *w)
{
	int best = -1;

	for (unsigned i = 0; i < w->n; i++)
		if (w->m[i].pending && (best < 0 || key_before(&w->m[i], &w->m[best])))
			best = (int)i;
	return best;
}

static void model_schedule(struct world *w, unsigned id, sim_ps when)
{
	w->m[id].pending = true;
	w->m[id].lane = when == w->q.now;
	w->m[id].when = when;
	w->m[id].seq = w->seq++;
}

/*
 * The heap in the queue: each slot's event knows its slot, children sort
 * after their parent, and every slot past the last event, up to the padding
 * past the capacity, is a sentinel.
 */
static void check_queue(struct world *w)
{
	const struct sim_eventq *q = &w->q;

	/* a small queue is kept in key order (a sorted array is a heap too), a large one is not */
	if (q->sorted) {
		cr_assert_leq(q->len, SIM_EVENTQ_SORTED_MAX, "sorted with %u events", q->len);
		for (uint32_t i = 1; i < q->len; i++)
			cr_assert(sim_heap_slot_before(&q->heap[i - 1], &q->heap[i]),
				  "sorted, yet heap[%u] sorts before heap[%u] (%u events)", i, i - 1,
				  q->len);
		w->sorted_checks += q->len >= 3;
	} else {
		cr_assert_gt(q->len, SIM_EVENTQ_SORTED_AGAIN, "a heap of %u events not sorted", q->len);
	}
	w->to_heap += w->was_sorted && !q->sorted;
	w->to_sorted += !w->was_sorted && q->sorted;
	w->was_sorted = q->sorted;

	for (uint32_t i = 0; i < q->len; i++) {
		const struct sim_heap_slot *s = &q->heap[i];

		if (!(i == 0 && q->held))
			cr_assert_eq(s->ev->slot, i, "heap[%u] believes it is at %u", i, s->ev->slot);
		cr_assert_neq(s->when, SIM_NEVER);
		if (i > 0) {
			const struct sim_heap_slot *p = &q->heap[(i - 1) / SIM_EVENTQ_ARITY];

			cr_assert(p->when < s->when ||
					  (p->when == s->when &&
					   (p->ev->prio < s->ev->prio ||
					    (p->ev->prio == s->ev->prio && p->ev->seq < s->ev->seq))),
				  "heap[%u] sorts before its parent (held %d, %" PRIu64 "/%u/%" PRIu64
				  " vs %" PRIu64 "/%u/%" PRIu64 ")",
				  i, q->held != NULL, p->when, p->ev->prio, p->ev->seq, s->when, s->ev->prio,
				  s->ev->seq);
		}
	}
	for (uint32_t i = q->len; q->heap && i < q->cap + SIM_EVENTQ_ARITY - 1; i++) {
		cr_assert_eq(q->heap[i].when, SIM_NEVER, "heap[%u] past the last event (%u) is no sentinel",
			     i, q->len);
		/* no stale owner: sentinels that tie compare their events' keys */
		cr_assert(q->heap[i].ev == q->heap[q->cap].ev && !sim_event_pending(q->heap[i].ev),
			  "heap[%u]'s sentinel points to an event", i);
		cr_assert(q->heap[i].ev < &w->ev[0].ev || q->heap[i].ev > &w->ev[w->n - 1].ev,
			  "heap[%u]'s sentinel points to a queue event", i);
	}
}

/*
 * Counts a re-arm of the firing event at `when` that the sorted queue places
 * by its first slots' times alone (sim_eventq_sift_down): held at the root,
 * five or more events, no tie with slots 1 to 3, and before slot 4.  The
 * model checks where it went; this only proves the runs go that way.
 */
static void count_window_rearm(struct world *w, const struct sim_event *ev, sim_ps when)
{
	const struct sim_eventq *q = &w->q;
	const struct sim_heap_slot *h = q->heap;

	w->window_rearms += q->held == ev && q->sorted && q->len >= 5 && h[1].when != when &&
			    h[2].when != when && h[3].when != when && h[4].when > when;
}

/* One firing of ev at `now`, by the run loop or taken by a handler (mprobe_run). */
static void mprobe_step(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct mprobe *p = sim_container_of(ev, struct mprobe, ev);
	struct world *w = p->w;
	int want = model_next(w);
	/* nothing done to the queue yet in this handler, which fired from the heap */
	bool fresh;
	unsigned ops;

	cr_assert_eq((int)p->id, want, "fired event %u at %" PRIu64 ", the model's next is %d", p->id,
		     now, want);
	cr_assert_eq(w->m[want].when, now);
	cr_assert(!sim_event_pending(ev), "the firing event looks idle");
	w->m[want].pending = false;
	fresh = !w->m[want].lane;
	cr_assert_eq(q->fired, ++w->fired);
	check_queue(w);
	ops = (unsigned)sim_rng_below(&w->rng, 4);
	for (unsigned k = 0; k < ops; k++) {
		unsigned id = (unsigned)sim_rng_below(&w->rng, w->n);
		/* 0: the current instant (the lane); else up to span later */
		sim_ps d = sim_rng_below(&w->rng, 4) == 0 ? 0 : 1 + sim_rng_below(&w->rng, w->span);

		switch (sim_rng_below(&w->rng, 8)) {
		case 0:   /* a short step of the firing event taken inline, as a read's end is */
		case 1:
			if (sim_event_pending(ev))
				break;
			{
				sim_ps at = now + 1 + sim_rng_below(&w->rng, 4);
				int next = model_next(w);
				bool allowed = at <= w->end && (next < 0 || w->m[next].when > at);
				bool took = sim_eventq_take_inline(q, ev, at);

				cr_assert(!took || allowed, "taken inline at %" PRIu64 " past the model's next",
					  at);
				if (fresh)
					cr_assert_eq(took, allowed, "a fresh handler at %" PRIu64, at);
				if (took) {
					now = at;
					w->fired++;
					w->inlined++;
					cr_assert_eq(q->now, at);
					cr_assert_eq(q->fired, w->fired);
				}
			}
			break;
		case 2:   /* cancel any event */
			sim_cancel(q, &w->ev[id].ev);
			w->m[id].pending = false;
			fresh = false;
			break;
		case 3:   /* re-arm the firing event, maybe after other work: it may be held or not */
			count_window_rearm(w, ev, now + d);
			cr_assert(sim_schedule_firing(q, ev, now + d));
			model_schedule(w, p->id, now + d);
			w->at_now += d == 0;
			fresh = false;
			break;
		case 4:
			id = p->id;
			/* fall through */
		default:  /* queue or move any event */
			cr_assert(sim_schedule(q, &w->ev[id].ev, now + d));
			model_schedule(w, id, now + d);
			w->at_now += d == 0;
			fresh = false;
			break;
		}
	}
	/* most events are periodic: they re-arm themselves last (and the last one always) */
	if (!sim_event_pending(ev) && (sim_rng_below(&w->rng, 16) || model_next(w) < 0)) {
		sim_ps d = 1 + sim_rng_below(&w->rng, w->span);

		/* either entry: sim_schedule_firing() is sim_schedule() for the firing event */
		if (sim_rng_below(&w->rng, 2)) {
			count_window_rearm(w, ev, now + d);
			cr_assert(sim_schedule_firing(q, ev, now + d));
		} else {
			cr_assert(sim_schedule(q, ev, now + d));
		}
		model_schedule(w, p->id, now + d);
	}
	check_queue(w);
}

/*
 * A handler's own take of the next event (sim_eventq_take_next), half of
 * the time: it must get it exactly when the run loop would fire it at once,
 * at a later instant, and it is the model's next; an event of the other
 * callback is left to the loop.  NULL: nothing taken.
 */
static struct sim_event *maybe_take_next(struct world *w, sim_event_fn *self)
{
	struct sim_eventq *q = &w->q;
	int next = model_next(w);
	bool due, allowed;
	struct sim_event *ev;

	if (sim_rng_below(&w->rng, 2))
		return NULL;
	/* the loop fires the next event at once: the firing one settled, a later instant, in bound */
	due = !q->held && next >= 0 && w->m[next].when > q->now && w->m[next].when <= w->end;
	allowed = due && w->ev[next].ev.fire == self;
	ev = sim_eventq_take_next(q, self);
	cr_assert_eq(ev != NULL, allowed, "take_next %s at %" PRIu64 " (model's next %d)",
		     ev ? "took" : "refused", q->now, next);
	if (!ev) {
		w->refused_next += due;
		return NULL;
	}
	cr_assert_eq(ev, &w->ev[next].ev, "took an event other than the model's next");
	cr_assert_eq(q->now, w->m[next].when);
	cr_assert(!sim_event_pending(ev));
	w->taken_next++;
	return ev;
}

/* A handler that runs the next event itself when it may, as a reader does. */
static void mprobe_run(struct sim_eventq *q, struct sim_event *ev, sim_ps now, sim_event_fn *self)
{
	struct mprobe *p = sim_container_of(ev, struct mprobe, ev);

	do {
		mprobe_step(q, ev, now);
		ev = maybe_take_next(p->w, self);
		now = q->now;
	} while (ev);
}

/* Two callbacks, so that an event of the other one is not taken. */
static void mprobe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	mprobe_run(q, ev, now, mprobe_fire);
}

static void mprobe_fire_b(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	mprobe_run(q, ev, now, mprobe_fire_b);
}

/* What a run_model() did, beyond firing what the model fired. */
struct model_run {
	uint64_t to_heap, to_sorted, sorted_checks, window_rearms;
};

/*
 * n events, re-armed up to span ahead, run until end; the queue fires what
 * the model fires, and at least min_inline steps were taken inline.
 */
static struct model_run run_model(unsigned n, sim_ps span, sim_ps end, uint64_t seed,
				  uint64_t min_inline)
{
	struct world w = { .n = n, .span = span, .end = end, .was_sorted = true };

	w.ev = calloc(n, sizeof(*w.ev));
	w.m = calloc(n, sizeof(*w.m));
	cr_assert(w.ev && w.m);
	sim_eventq_init(&w.q);
	sim_rng_init(&w.rng, seed, "test/event_model");
	for (unsigned i = 0; i < n; i++) {
		w.ev[i] = (struct mprobe){ .id = i, .w = &w };
		sim_event_init(&w.ev[i].ev, "m", prios[sim_rng_below(&w.rng, ARRAY_LEN(prios))],
			       i % 3 == 2 ? mprobe_fire_b : mprobe_fire);
		w.m[i].prio = w.ev[i].ev.prio;
		if (sim_rng_below(&w.rng, 4)) {
			sim_ps at = sim_rng_below(&w.rng, span);

			cr_assert(sim_schedule(&w.q, &w.ev[i].ev, at));
			model_schedule(&w, i, at);
		}
	}
	check_queue(&w);
	cr_assert(sim_eventq_run_until(&w.q, end, NULL));
	check_queue(&w);
	/* what is left: the model's pending events, all after the bound */
	for (unsigned i = 0; i < n; i++) {
		cr_expect_eq(sim_event_pending(&w.ev[i].ev), w.m[i].pending, "event %u", i);
		if (w.m[i].pending)
			cr_expect_gt(w.m[i].when, end, "event %u at %" PRIu64 " was due", i, w.m[i].when);
	}
	cr_expect_eq(w.q.fired, w.fired);
	/* the run did what it is meant to exercise */
	cr_expect_gt(w.fired, 1000);
	cr_expect_geq(w.inlined, min_inline);
	cr_expect_gt(w.at_now, 10);
	cr_expect_gt(w.taken_next, 100);
	cr_expect_gt(w.refused_next, 10);
	cr_log_info("%u events: %" PRIu64 " fired, %" PRIu64 " inline, %" PRIu64 " at now, %" PRIu64
		    " taken next, %" PRIu64 " refused", n, w.fired, w.inlined, w.at_now, w.taken_next,
		    w.refused_next);
	sim_eventq_finish(&w.q);
	free(w.ev);
	free(w.m);
	return (struct model_run){ w.to_heap, w.to_sorted, w.sorted_checks, w.window_rearms };
}

/* A handful of events: most children of the root are sentinels. */
Test(event_model, few_events)
{
	run_model(3, 50, 100000, 1, 100);
	run_model(6, 20, 100000, 2, 100);
}

/*
 * 12 to 24 events, three levels: the sift there ends at a slot's sentinel
 * children, whose times tie and so take the exact path, without asking
 * whether it has children (a queue of 16 or fewer is sorted instead, a heap
 * again past that).
 */
Test(event_model, small_heaps)
{
	run_model(12, 40, 100000, 6, 100);
	run_model(21, 60, 100000, 7, 100);
	run_model(24, 80, 100000, 8, 100);
}

/*
 * Around the sorted queue's bounds: 20 events, of which about 8 to 20 pending: the
 * queue turns into a plain heap past SIM_EVENTQ_SORTED_MAX and is sorted
 * again at SIM_EVENTQ_SORTED_AGAIN, many times over, and fires in the
 * model's order throughout (check_queue() checks the order of each mode).
 */
Test(event_model, sorted_and_back)
{
	_Static_assert(SIM_EVENTQ_SORTED_MAX == 16 && SIM_EVENTQ_SORTED_AGAIN == 8,
		       "20 events straddle both bounds");
	struct model_run r = run_model(20, 40, 400000, 9, 100);

	cr_log_info("sorted to heap %" PRIu64 ", back %" PRIu64 ", sorted checks %" PRIu64
		    ", re-arms without the walk %" PRIu64, r.to_heap, r.to_sorted, r.sorted_checks,
		    r.window_rearms);
	cr_expect_geq(r.to_heap, 20, "turned into a heap %" PRIu64 " times", r.to_heap);
	cr_expect_geq(r.to_sorted, 20, "sorted again %" PRIu64 " times", r.to_sorted);
	cr_expect_geq(r.sorted_checks, 1000, "sorted with 3+ events at %" PRIu64 " checks",
		      r.sorted_checks);
	cr_expect_geq(r.window_rearms, 1000, "%" PRIu64 " re-arms placed without the walk",
		      r.window_rearms);
}

/* Enough events for four levels, and past the first capacity (64) so the heap grows. */
Test(event_model, many_events)
{
	run_model(150, 1000, 100000, 3, 100);
	run_model(400, 5000, 200000, 4, 100);
}

/* Times bunched into few instants: keys that tie on `when` order by priority, then sequence. */
Test(event_model, bunched_instants)
{
	run_model(40, 3, 8000, 5, 0);
}

/*
 * An event that fails the run (one way or another), then asks to take a
 * step inline, and the next event (due and of its own callback).
 */
struct failer {
	struct sim_event ev;
	struct sim_event other;
	struct sim_event next;
	bool by_schedule;         /* a schedule into the past, else sim_eventq_fail() */
	bool took;
	bool took_next;
};

static void failer_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct failer *f = sim_container_of(ev, struct failer, ev);

	/* due later in the run, and it settles ev: the loop would fire it next */
	cr_assert(sim_schedule(q, &f->next, now + 5));
	if (f->by_schedule) {
		cr_assert(!sim_schedule(q, &f->other, now - 1));
	} else {
		struct sim_diag d;

		sim_diag_clear(&d);
		sim_diag_fail(&d, "stop");
		sim_eventq_fail(q, &d);
	}
	f->took = sim_eventq_take_inline(q, ev, now + 1);
	f->took_next = sim_eventq_take_next(q, failer_fire) != NULL;
}

Test(event_model, a_failed_run_takes_nothing_inline)
{
	for (int by_schedule = 0; by_schedule < 2; by_schedule++) {
		struct sim_eventq q;
		struct failer f = { .by_schedule = by_schedule };
		uint64_t fired;

		sim_eventq_init(&q);
		sim_event_init(&f.ev, "failer", SIM_PRIO_GUEST, failer_fire);
		sim_event_init(&f.other, "other", SIM_PRIO_GUEST, failer_fire);
		sim_event_init(&f.next, "next", SIM_PRIO_GUEST, failer_fire);
		cr_assert(sim_schedule(&q, &f.ev, 10));
		cr_assert(!sim_eventq_run_until(&q, 100, NULL));
		fired = q.fired;
		cr_expect(!f.took, "case %d: a step taken inline after the failure", by_schedule);
		cr_expect(!f.took_next, "case %d: the next event taken after the failure", by_schedule);
		cr_expect_eq(fired, 1);
		cr_expect_eq(q.now, 10);
		sim_eventq_finish(&q);
	}
}
