/*
 * The discrete-event queue: intrusive, allocation-free per event, totally
 * ordered by (when, priority, sequence of scheduling).
 *
 * Owners embed a struct sim_event and recover themselves with container_of.
 * The heap array grows geometrically (amortised; never per schedule).  Ties at
 * one instant fire by priority, then FIFO in the order sim_schedule() was
 * called (libuv's start_id; gem5 uses LIFO, we do not).  Scheduling into the
 * past is an error, and so is an endless storm of events at one instant.
 */
#ifndef SIM_CORE_EVENT_H
#define SIM_CORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/simtime.h"

#define sim_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct sim_eventq;
struct sim_event;

typedef void sim_event_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now);

/* Tie-breakers at one instant; lower fires first. */
enum sim_prio {
	SIM_PRIO_SCENARIO = 0,    /* scripted actions: pause, migrate, resume */
	SIM_PRIO_HYPERVISOR = 10, /* KVM work: clock updates, vCPU entries */
	SIM_PRIO_DEVICE = 20,     /* device state changes */
	SIM_PRIO_IRQ = 30,        /* interrupt delivery, after state changes at t */
	SIM_PRIO_SCRIPT = 35,     /* device scripts: see every device event at t, as qtest does */
	SIM_PRIO_GUEST = 40,      /* guest code: readers */
	SIM_PRIO_OBSERVE = 100,   /* probes that must see the settled state at t */
};

#define SIM_EVENT_IDLE UINT32_MAX
/* slot of an event in the queue's "now" lane (below): this bit and its index there */
#define SIM_EVENT_LANE UINT32_C(0x80000000)

struct sim_event {
	sim_ps when;              /* valid while queued */
	uint64_t seq;             /* FIFO tie-break: order of sim_schedule() calls */
	enum sim_prio prio;
	uint32_t slot;            /* heap index, SIM_EVENT_LANE | lane index, or SIM_EVENT_IDLE */
	sim_event_fn *fire;
	const char *name;         /* stable name for errors and traces */
};

/*
 * One heap slot, 16 bytes, four to a cache line: the event's time inline, so
 * that sifting compares without touching the owners unless two times tie;
 * then the owners' priority and sequence number decide.
 */
struct sim_heap_slot {
	sim_ps when;
	struct sim_event *ev;
};

/* Children per node of the heap. */
#define SIM_EVENTQ_ARITY 4u
/*
 * A queue of at most SIM_EVENTQ_SORTED_MAX events is kept in key order:
 * a sorted array is a valid heap (every parent sorts before its
 * children), and there a re-arm shifts the few slots it passes instead of
 * sifting, with one loop exit to predict rather than a compare per level.
 * Past it the queue is a plain heap until it shrinks to
 * SIM_EVENTQ_SORTED_AGAIN, when it is sorted once (docs/performance-rounds.md,
 * "Eighth round").
 */
#define SIM_EVENTQ_SORTED_MAX 16u
#define SIM_EVENTQ_SORTED_AGAIN 8u
/* The heap's first capacity (it doubles from there). */
#define SIM_EVENTQ_MIN_CAP 64u

/* Sequence numbers fit below the priority in key2: 2^56 schedule calls per queue. */
#define SIM_EVENT_SEQ_BITS 56
#define SIM_EVENT_SEQ_LIMIT (UINT64_C(1) << SIM_EVENT_SEQ_BITS)

/* An armed event's slot: its time inline. */
static inline struct sim_heap_slot sim_heap_slot_of(struct sim_event *ev)
{
	return (struct sim_heap_slot){ .when = ev->when, .ev = ev };
}

/* The tie-break of a key: priority above the sequence number. */
static inline uint64_t sim_event_key2(const struct sim_event *ev)
{
	return (uint64_t)ev->prio << SIM_EVENT_SEQ_BITS | ev->seq;
}

struct sim_eventq {
	/*
	 * A 4-ary min-heap in heap[0] to heap[len - 1]; heap[len] to
	 * heap[cap + 2] are sentinels (`when` SIM_NEVER), so that a node's four
	 * children are always in the array (sim/core/event.c).  heap[1] starts
	 * a cache line, and so does every node's first child; heap_mem is the
	 * allocation.
	 */
	struct sim_heap_slot *heap;
	void *heap_mem;
	uint32_t len;
	uint32_t cap;
	bool sorted;              /* heap[0] to heap[len - 1] are in key order too (above) */
	/*
	 * The "now" lane: events queued for the current instant, sorted by key,
	 * in lane[lane_head] to lane[lane_len - 1] (both 0 when it is empty).  A vCPU kick at zero latency, say, costs no
	 * sift there; the next event is the lane's head or the heap's root,
	 * whichever sorts first, so the order is the heap's alone.
	 */
	struct sim_heap_slot *lane;
	uint32_t lane_head;
	uint32_t lane_len;
	uint32_t lane_cap;
	/* the event firing now, still at heap[0] but no longer queued (slot idle), or NULL */
	struct sim_event *held;
	uint64_t next_seq;
	sim_ps now;
	sim_ps until;             /* the bound of the sim_eventq_run_until() running now */
	uint64_t fired;           /* events fired so far */
	uint64_t storm_limit;     /* max events fired at one instant */
	uint64_t storm_count;     /* events fired at `now` so far */
	uint64_t fire_limit;      /* max events fired in all (the event budget); 0: none */
	/*
	 * Set by sim_eventq_run_until() from the fields above, for the checks
	 * of each event: fire_limit, or UINT64_MAX for none; and the latest
	 * instant a step may be taken inline at (sim_eventq_take_inline): the
	 * run's bound below SIM_NEVER, or 0 for none (a storm limit of 0, a
	 * failed queue).
	 */
	uint64_t fire_stop;
	sim_ps inline_until;
	bool failed;              /* the run must stop: a schedule error or sim_eventq_fail() */
	struct sim_diag error;    /* the first such error */
};

#define SIM_STORM_LIMIT_DEFAULT 1000000u

void sim_eventq_init(struct sim_eventq *q);

/*
 * Empties the queue, marking every queued event idle, and frees the heap
 * and the lane.
 * Call it before any event's owner is freed: the owners' own sim_cancel()s
 * in their finish functions then touch nothing (the queue's heap would
 * otherwise hold pointers into freed owners).  Accepts NULL.
 */
void sim_eventq_finish(struct sim_eventq *q);

/*
 * Stops the run at once: the event that calls it finishes, no later event
 * fires, `now` stays at the failing instant and sim_eventq_run_until()
 * returns false with d.  The first error wins (a later call, or a schedule
 * error, does not replace it).  For errors raised inside an event.
 */
void sim_eventq_fail(struct sim_eventq *q, const struct sim_diag *d);

void sim_event_init(struct sim_event *ev, const char *name, enum sim_prio prio,
		    sim_event_fn *fire);

/*
 * sim_event_init() with a formatted name kept in the owner's buffer `name`
 * (`len` bytes; the name is truncated to fit): "migration0.stop".
 */
void sim_event_setup(struct sim_event *ev, char *name, size_t len, enum sim_prio prio,
		     sim_event_fn *fire, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * Queues ev at `when`, or moves it there if it is already queued (re-arm; the
 * event takes a fresh sequence number).  Fails, marking the queue failed, when
 * `when` is before the queue's current time or is SIM_NEVER.  O(log n).
 */
bool sim_schedule(struct sim_eventq *q, struct sim_event *ev, sim_ps when);

/* Removes ev if queued; a no-op otherwise.  O(log n). */
void sim_cancel(struct sim_eventq *q, struct sim_event *ev);

static inline bool sim_event_pending(const struct sim_event *ev)
{
	return ev->slot != SIM_EVENT_IDLE;
}

/*
 * For the handler of the firing event ev, before it queues ev again for
 * `when` (> now): true when that event would be the next to fire, at `when`
 * (nothing else is queued at or before it, `when` is within the running
 * sim_eventq_run_until()'s bound, and firing it would not stop the run), so
 * that the handler may do that event's work at once, as of `when`.  The queue
 * then counts it as fired at `when` (`now` and `fired` are as if it had
 * been queued and fired), so runs, reports and budgets stay the same; only
 * the sequence numbers skip one, which keeps their order.  O(1).
 */
static inline bool sim_eventq_take_inline(struct sim_eventq *q, const struct sim_event *ev,
					  sim_ps when)
{
	/*
	 * the checks sim_eventq_run_until() makes when an event fires at `when`;
	 * inline_until holds the run's bound, the storm limit and the queue's failure
	 */
	if (q->held != ev || q->lane_len || when <= q->now ||
	    when > q->inline_until || q->fired == q->fire_stop)
		return false;
	/*
	 * ev is the held root: the earliest queued event is one of its children
	 * (or sentinels), in a sorted queue the first
	 */
	if (q->heap[1].when <= when ||
	    (!q->sorted && (q->heap[2].when <= when || q->heap[3].when <= when ||
			    q->heap[4].when <= when)))
		return false;
	q->now = when;
	q->storm_count = 1;
	q->fired++;
	return true;
}

/*
 * For the handler of the event that fired, done with it (nothing held: it
 * re-armed itself, or scheduled something else, which settles it) and about
 * to return to sim_eventq_run_until(): the event the loop would fire next,
 * when that one calls `fire` and the loop would fire it at once (due at a
 * later instant within the run's bound, nothing at the current one, and
 * firing it would not stop the run).  It is then taken and counted exactly
 * as the loop does (held, `now`, the storm count, `fired`), and the handler
 * runs it itself: periodic readers among others of their kind save the
 * return, the loop's checks and the call (docs/performance-rounds.md,
 * "Eleventh round").  NULL: return, and the loop fires it or stops.  O(1).
 */
static inline struct sim_event *sim_eventq_take_next(struct sim_eventq *q, sim_event_fn *fire)
{
	sim_ps when = q->heap[0].when;
	struct sim_event *ev;

	/*
	 * the loop's checks: inline_until holds its bound, the storm limit and
	 * the failure; a held root is still heap[0], at or before now
	 */
	if (q->lane_len || when <= q->now || when > q->inline_until || q->fired == q->fire_stop)
		return NULL;
	ev = q->heap[0].ev;
	if (ev->fire != fire)
		return NULL;
	ev->slot = SIM_EVENT_IDLE;
	q->held = ev;
	q->now = when;
	q->storm_count = 1;
	q->fired++;
	return ev;
}

/* Slot a sorts before slot b: (when, prio, seq) in order. */
static inline bool sim_heap_slot_before(const struct sim_heap_slot *a,
					const struct sim_heap_slot *b)
{
	return a->when != b->when ? a->when < b->when
				  : sim_event_key2(a->ev) < sim_event_key2(b->ev);
}

static inline void sim_eventq_place(struct sim_eventq *q, uint32_t slot, struct sim_heap_slot hs)
{
	q->heap[slot] = hs;
	hs.ev->slot = slot;
}

/*
 * Moves hs down from heap slot `slot`, a hole, to where its key belongs: the
 * queue's sift down (sim/core/event.c), inline in sim_schedule_firing().
 * Every child of a node is in the array, sentinels included.  In a sorted
 * queue, the slots between the hole and hs's place move up by one.
 */
static inline __attribute__((always_inline)) void sim_eventq_sift_down(struct sim_eventq *q,
								       uint32_t slot,
								       struct sim_heap_slot hs)
{
	struct sim_heap_slot *heap = q->heap;
	uint32_t len = q->len;

	if (q->sorted) {
		/*
		 * the slots after the hole that sort before hs move up one;
		 * heap[len] is a sentinel.  By time, and by the owners' keys
		 * only when the times tie: one compare a step, where the full
		 * key's test took two (docs/performance-rounds.md, "Eleventh
		 * round").
		 */
		struct sim_heap_slot *hole = &heap[slot];

		/*
		 * The root's re-arm, in a queue of five or more: when hs goes
		 * to slot 0 to 3 (a periodic reader among a few others), it
		 * takes the place the three times after the root give it, by
		 * stores at computed slots and no branch.  The walk's exit
		 * there is a coin toss on the readers' jitter, mispredicted
		 * about once a read; this costs more instructions but no
		 * misprediction (docs/performance-rounds.md, "Twelfth
		 * round").  A tie, or a place past slot 3, takes the walk.
		 * gcc turns a count compared in branches into a switch:
		 * each old slot's own compare gives its new index.
		 */
		if (slot == 0 && len >= 5) {
			const sim_ps t = hs.when;
			const sim_ps w1 = heap[1].when, w2 = heap[2].when, w3 = heap[3].when;

			if (((w1 == t) | (w2 == t) | (w3 == t) | (heap[4].when <= t)) == 0) {
				/* old slot i (1 to 3) moves up one when it sorts before hs */
				const uint32_t up1 = w1 < t, up2 = w2 < t, up3 = w3 < t;
				const uint32_t i1 = 1 - up1, i2 = 2 - up2, i3 = 3 - up3;
				const uint32_t at = up1 + up2 + up3;
				struct sim_event *e1 = heap[1].ev, *e2 = heap[2].ev, *e3 = heap[3].ev;

				heap[i1] = (struct sim_heap_slot){ .when = w1, .ev = e1 };
				e1->slot = i1;
				heap[i2] = (struct sim_heap_slot){ .when = w2, .ev = e2 };
				e2->slot = i2;
				heap[i3] = (struct sim_heap_slot){ .when = w3, .ev = e3 };
				e3->slot = i3;
				heap[at] = hs;
				hs.ev->slot = at;
				return;
			}
		}
		for (;;) {
			struct sim_event *moved;

			if (hole[1].when >= hs.when &&
			    (hole[1].when != hs.when || !sim_heap_slot_before(&hole[1], &hs)))
				break;
			/* the owner read from the slot that moves, not back from the one just written */
			moved = hole[1].ev;
			hole->when = hole[1].when;
			hole->ev = moved;
			moved->slot = slot;
			hole++;
			slot++;
		}
		*hole = hs;
		hs.ev->slot = slot;
		return;
	}
	for (;;) {
		uint32_t first = SIM_EVENTQ_ARITY * slot + 1, b01, b23, best;
		const struct sim_heap_slot *c;

		if (first >= len)
			break;
		/* all four children, sentinels included, one cache line */
		c = &heap[first];
		/*
		 * By the four times alone, with conditional moves: which child
		 * wins follows the readers' jitter, so a branch on it is a coin
		 * toss, and times that differ decide the order by themselves.
		 * Only when two times the choice rests on tie (rare among
		 * events, common among sentinels) do the owners' keys decide, on
		 * the exact path: a branch almost never taken, where comparing
		 * full keys at every step cost a test for a tie at each compare
		 * and indexed loads for the final (about 55 instructions a level
		 * against 40; docs/performance-rounds.md, "Eleventh round").
		 * gcc keeps this shape branch-free; a helper returning the
		 * choice got a branch on a pair's compare.
		 */
		{
			const sim_ps w0 = c[0].when, w1 = c[1].when, w2 = c[2].when, w3 = c[3].when;
			sim_ps m01, m23, m;

			if (w0 == w1 || w2 == w3)
				goto exact;
			b01 = w1 < w0;
			m01 = w1 < w0 ? w1 : w0;
			b23 = 2 + (w3 < w2);
			m23 = w3 < w2 ? w3 : w2;
			if (m01 == m23)
				goto exact;
			best = m23 < m01 ? b23 : b01;
			m = m23 < m01 ? m23 : m01;
			if (m == hs.when)
				goto exact;
			if (m > hs.when)
				break;
			goto move;
		}
exact:
		b01 = sim_heap_slot_before(&c[1], &c[0]);
		b23 = 2 + sim_heap_slot_before(&c[3], &c[2]);
		best = sim_heap_slot_before(&c[b23], &c[b01]) ? b23 : b01;
		if (!sim_heap_slot_before(&c[best], &hs))
			break;
move:
		sim_eventq_place(q, slot, c[best]);
		slot = first + best;
	}
	sim_eventq_place(q, slot, hs);
}

/*
 * sim_schedule() for the event firing now, called by its own handler (a
 * periodic event's re-arm): the same effect, with the common case (the
 * event still held at the root) inline, one sift down from the root.
 * Always inline: it is on every read, and gcc would make it a call.
 */
static inline __attribute__((always_inline)) bool sim_schedule_firing(struct sim_eventq *q,
								      struct sim_event *ev,
								      sim_ps when)
{
	struct sim_heap_slot hs;

	if (q->held != ev || when < q->now || when == SIM_NEVER ||
	    q->next_seq == SIM_EVENT_SEQ_LIMIT)
		return sim_schedule(q, ev, when);
	ev->when = when;
	ev->seq = q->next_seq++;
	hs = sim_heap_slot_of(ev);
	q->held = NULL;
	sim_eventq_sift_down(q, 0, hs);
	return true;
}

/* Time of the earliest queued event, or SIM_NEVER. */
sim_ps sim_eventq_next(const struct sim_eventq *q);

/*
 * Fires, in order, every event with when <= end, then sets now = end.  Returns
 * false (with err filled) at once on a schedule error, an event storm (more
 * than storm_limit events at one instant), more than fire_limit events in all
 * or sim_eventq_fail(); `now` is then the instant of the failing event.
 */
bool sim_eventq_run_until(struct sim_eventq *q, sim_ps end, struct sim_diag *err);

#endif
