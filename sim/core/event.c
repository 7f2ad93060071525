/*
 * A 4-ary min-heap of 16-byte slots, ordered by (when, prio, seq): a slot
 * carries its event's time inline, so a sift compares times in the heap
 * array and touches an owner only to tell it its new slot, or when two times
 * tie (then the owners' priority and sequence number decide, which is the
 * same order).  A 4-ary heap is half as deep as a binary one, and a node's
 * four children fill one 64-byte cache line (the array is aligned so).  Each
 * event stores its slot, so cancel and re-arm are O(log n) without a search.
 *
 * Re-arming an event changes its key in place and sifts it (no remove and
 * insert).  The event that is firing stays at the root, "held": no longer
 * queued (its slot is idle, as before it fired), and removed only when the
 * queue is next changed by something else.  When its own handler re-arms it,
 * which is what periodic owners do, that is one sift down from the root.
 * The order of firing depends only on the keys, which are unique, so it is
 * the same as a binary heap's.  The heap array doubles when full.
 *
 * A queue of at most SIM_EVENTQ_SORTED_MAX (16) events is also kept in key
 * order, which a heap allows (each parent still sorts before its children):
 * a re-arm from the root then moves the slots it passes up by one, and the
 * root's first child is the next event.  A periodic event passes the few
 * that fire before it again (one loop, one exit to predict), where a sift
 * compares four children at every level.  Past the bound the array is sifted
 * as a plain heap; when it has shrunk to SIM_EVENTQ_SORTED_AGAIN (8) it is
 * sorted once, so that a queue hovering at one size does not flip mode.
 *
 * An event queued for the current instant goes to the "now" lane instead, a
 * sorted array (its key is the newest, so it almost always goes at the end):
 * no sift in, none out, and the held root stays where it is.  Such events
 * sort before almost everything in the heap, where each cost a sift up to the
 * root, the held root's removal first and a sift down from the root when it
 * fired.  The next event is the lane's head or the heap's root, whichever has
 * the lower key, so the order of firing is unchanged.  Every lane event is at
 * `now`: time does not move on while one is queued.
 *
 * Every slot of the heap array past the last event, and ARITY - 1 more past
 * its capacity, holds a sentinel: `when` is SIM_NEVER, which no queued event
 * has, so a sentinel sorts after every event.  A node with a child then has
 * all four children in the array, and a sift compares them without asking
 * how many there are (an event never moves into a sentinel: it never sorts
 * after one).  A sentinel's event is a static one, so two sentinels that tie
 * read no stale owner.
 */
#include "sim/core/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARITY SIM_EVENTQ_ARITY
#define SEQ_LIMIT SIM_EVENT_SEQ_LIMIT
/* sentinel slots past the heap's capacity: the last event's siblings */
#define PAD (ARITY - 1)
/* heap[1], and so every first child (at 4 i + 1), starts a line of four slots */
#define LINE_BYTES (ARITY * sizeof(struct sim_heap_slot))
#define HEAP_OFFSET (LINE_BYTES - sizeof(struct sim_heap_slot))

_Static_assert(sizeof(struct sim_heap_slot) == 16, "four slots to a 64-byte cache line");

/*
 * A sentinel's event: never queued, never moved, never written; only its
 * key is read, when two sentinels tie (any key does).
 */
static struct sim_event sentinel_ev = {
	.when = SIM_NEVER,
	.prio = SIM_PRIO_OBSERVE,
	.seq = SIM_EVENT_SEQ_LIMIT - 1,
	.slot = SIM_EVENT_IDLE,
	.name = "sentinel",
};

#define SENTINEL ((struct sim_heap_slot){ .when = SIM_NEVER, .ev = &sentinel_ev })

/* The heap of a queue that has none yet: a root that is a sentinel, never written. */
static struct sim_heap_slot empty_heap[1] = { { .when = SIM_NEVER, .ev = &sentinel_ev } };

_Static_assert(SIM_EVENTQ_MIN_CAP > ARITY, "the root's children are always in the array");

_Static_assert(SIM_PRIO_OBSERVE < (1u << (64 - SIM_EVENT_SEQ_BITS)),
	       "a priority fits above the sequence number in key2");

/* The run must stop: nothing more fires, nothing is taken inline. */
static void mark_failed(struct sim_eventq *q)
{
	q->failed = true;
	q->inline_until = 0;
}

static inline bool before(const struct sim_heap_slot *a, const struct sim_heap_slot *b)
{
	return sim_heap_slot_before(a, b);
}

static inline void place(struct sim_eventq *q, uint32_t slot, struct sim_heap_slot hs)
{
	sim_eventq_place(q, slot, hs);
}

/* The slot hs at `slot` is compared with on its way up: its parent, or in a sorted queue its neighbour. */
static inline uint32_t above(const struct sim_eventq *q, uint32_t slot)
{
	return q->sorted ? slot - 1 : (slot - 1) / ARITY;
}

static void sift_up(struct sim_eventq *q, uint32_t slot, struct sim_heap_slot hs)
{
	while (slot > 0) {
		uint32_t parent = above(q, slot);

		if (!before(&hs, &q->heap[parent]))
			break;
		place(q, slot, q->heap[parent]);
		slot = parent;
	}
	place(q, slot, hs);
}

static void sift_down(struct sim_eventq *q, uint32_t slot, struct sim_heap_slot hs)
{
	sim_eventq_sift_down(q, slot, hs);
}

/* Moves hs, already at slot, to where its key belongs. */
static void sift(struct sim_eventq *q, uint32_t slot, struct sim_heap_slot hs)
{
	if (slot > 0 && before(&hs, &q->heap[above(q, slot)]))
		sift_up(q, slot, hs);
	else
		sift_down(q, slot, hs);
}

/*
 * A heap that has shrunk to SIM_EVENTQ_SORTED_AGAIN events is sorted
 * (insertion sort, at most that many slots), to be kept so.  A held root
 * stays where it is: it sorts before every queued event (they were all
 * queued after it, or at its instant in the lane), and it keeps its idle
 * slot.
 */
static void sort_if_small(struct sim_eventq *q)
{
	uint32_t first = q->held ? 1 : 0;

	if (q->sorted || q->len > SIM_EVENTQ_SORTED_AGAIN)
		return;
	for (uint32_t i = first + 1; i < q->len; i++) {
		struct sim_heap_slot hs = q->heap[i];
		uint32_t j = i;

		for (; j > first && before(&hs, &q->heap[j - 1]); j--)
			place(q, j, q->heap[j - 1]);
		place(q, j, hs);
	}
	q->sorted = true;
}

static void remove_at(struct sim_eventq *q, uint32_t slot)
{
	struct sim_heap_slot last = q->heap[--q->len];

	q->heap[slot].ev->slot = SIM_EVENT_IDLE;
	q->heap[q->len] = SENTINEL;
	if (slot != q->len)
		sift(q, slot, last);
	sort_if_small(q);
}

static bool grow_failed(struct sim_eventq *q)
{
	mark_failed(q);
	sim_diag_fail(&q->error, "out of memory growing the event queue");
	return false;
}

/* Doubles the lane's array. */
static bool grow_lane(struct sim_eventq *q)
{
	/* indices below SIM_EVENT_LANE, and SIM_EVENT_LANE | index never SIM_EVENT_IDLE */
	uint32_t n = q->lane_cap ? q->lane_cap * 2 : SIM_EVENTQ_MIN_CAP;
	struct sim_heap_slot *p = n < SIM_EVENT_LANE ? realloc(q->lane, (size_t)n * sizeof(*p)) : NULL;

	if (!p)
		return grow_failed(q);
	q->lane = p;
	q->lane_cap = n;
	return true;
}

/*
 * Doubles the heap's array, aligned so that heap[1] starts a cache line;
 * every slot past the last event is a sentinel.
 */
static bool grow_heap(struct sim_eventq *q)
{
	uint32_t n = q->cap ? q->cap * 2 : SIM_EVENTQ_MIN_CAP;
	size_t bytes = HEAP_OFFSET + ((size_t)n + PAD) * sizeof(struct sim_heap_slot);
	char *mem = n < SIM_EVENT_LANE
			    ? aligned_alloc(LINE_BYTES, (bytes + LINE_BYTES - 1) / LINE_BYTES * LINE_BYTES)
			    : NULL;
	struct sim_heap_slot *p;

	if (!mem)
		return grow_failed(q);
	p = (struct sim_heap_slot *)(void *)(mem + HEAP_OFFSET);
	if (q->len)
		memcpy(p, q->heap, (size_t)q->len * sizeof(*p));
	for (size_t i = q->len; i < (size_t)n + PAD; i++)
		p[i] = SENTINEL;
	free(q->heap_mem);
	q->heap_mem = mem;
	q->heap = p;
	q->cap = n;
	return true;
}

/* Puts hs, keyed at q->now, in the lane at its place by key. */
static bool lane_insert(struct sim_eventq *q, struct sim_heap_slot hs)
{
	uint32_t i;

	if (q->lane_len == q->lane_cap && !grow_lane(q))
		return false;
	for (i = q->lane_len; i > q->lane_head && before(&hs, &q->lane[i - 1]); i--) {
		q->lane[i] = q->lane[i - 1];
		q->lane[i].ev->slot = SIM_EVENT_LANE | i;
	}
	q->lane[i] = hs;
	hs.ev->slot = SIM_EVENT_LANE | i;
	q->lane_len++;
	return true;
}

static void lane_remove(struct sim_eventq *q, uint32_t i)
{
	q->lane[i].ev->slot = SIM_EVENT_IDLE;
	for (q->lane_len--; i < q->lane_len; i++) {
		q->lane[i] = q->lane[i + 1];
		q->lane[i].ev->slot = SIM_EVENT_LANE | i;
	}
	if (q->lane_head == q->lane_len)
		q->lane_head = q->lane_len = 0;
}

/* Takes the lane's head out, to fire it. */
static struct sim_event *lane_pop(struct sim_eventq *q)
{
	struct sim_event *ev = q->lane[q->lane_head++].ev;

	ev->slot = SIM_EVENT_IDLE;
	if (q->lane_head == q->lane_len)
		q->lane_head = q->lane_len = 0;
	return ev;
}

/* Removes the held event from the root, if one is held. */
static void settle(struct sim_eventq *q)
{
	struct sim_heap_slot last;

	if (!q->held)
		return;
	q->held = NULL;
	last = q->heap[--q->len];
	q->heap[q->len] = SENTINEL;
	if (q->len > 0)
		sift_down(q, 0, last);
	sort_if_small(q);
}

void sim_eventq_init(struct sim_eventq *q)
{
	*q = (struct sim_eventq){
		.sorted = true,
		.storm_limit = SIM_STORM_LIMIT_DEFAULT,
		.fire_stop = UINT64_MAX,
	};
}

void sim_eventq_finish(struct sim_eventq *q)
{
	if (!q)
		return;
	for (uint32_t i = 0; i < q->len; i++)
		q->heap[i].ev->slot = SIM_EVENT_IDLE;
	for (uint32_t i = q->lane_head; i < q->lane_len; i++)
		q->lane[i].ev->slot = SIM_EVENT_IDLE;
	free(q->heap_mem);
	free(q->lane);
	q->heap = q->lane = NULL;
	q->heap_mem = NULL;
	q->len = q->cap = 0;
	q->sorted = true;
	q->lane_head = q->lane_len = q->lane_cap = 0;
	q->held = NULL;
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
	mark_failed(q);
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
		mark_failed(q);
		if (when == SIM_NEVER)
			sim_diag_fail(&q->error, "event \"%s\" scheduled at a time beyond 2^64 ps",
				      ev->name ? ev->name : "?");
		else if (when < q->now)
			sim_diag_fail(&q->error,
				      "event \"%s\" scheduled in the past: at %s s, now %s s",
				      ev->name ? ev->name : "?", sim_format_seconds(when_s, when),
				      sim_format_seconds(now_s, q->now));
		else
			sim_diag_fail(&q->error, "event \"%s\": more than 2^%d events scheduled",
				      ev->name ? ev->name : "?", SIM_EVENT_SEQ_BITS);
	}
	return false;
}

/*
 * A slot's tie-break is read from its event, so a queued event takes its new
 * key only where no sift compares it before it moves: as the root's hole,
 * once out of the heap or the lane, or right before its own sift (settle()'s
 * sift must see its old key).
 */
static inline void set_key(struct sim_event *ev, sim_ps when, uint64_t seq)
{
	ev->when = when;
	ev->seq = seq;
}

bool sim_schedule(struct sim_eventq *q, struct sim_event *ev, sim_ps when)
{
	uint64_t seq;

	if (when < q->now || when == SIM_NEVER || q->next_seq == SEQ_LIMIT)
		return schedule_error(q, ev, when);
	seq = q->next_seq++;
	if (q->held == ev) {
		/* the firing event re-arms itself: it takes the root's place */
		set_key(ev, when, seq);
		q->held = NULL;
		sim_eventq_sift_down(q, 0, sim_heap_slot_of(ev));
		return true;
	}
	if (ev->slot & SIM_EVENT_LANE && sim_event_pending(ev))
		lane_remove(q, ev->slot & ~SIM_EVENT_LANE);
	if (when == q->now) {
		/* the held root, if any, stays: it sorts before ev */
		if (sim_event_pending(ev))
			remove_at(q, ev->slot);
		set_key(ev, when, seq);
		return lane_insert(q, sim_heap_slot_of(ev));
	}
	settle(q);
	set_key(ev, when, seq);
	if (sim_event_pending(ev)) {
		sift(q, ev->slot, sim_heap_slot_of(ev));
		return true;
	}
	if (q->len == q->cap && !grow_heap(q))
		return false;
	/* a sorted array is a heap: past the bound it is sifted as one from here on */
	if (q->len >= SIM_EVENTQ_SORTED_MAX)
		q->sorted = false;
	sift_up(q, q->len++, sim_heap_slot_of(ev));
	return true;
}

void sim_cancel(struct sim_eventq *q, struct sim_event *ev)
{
	/* the held root sorts before every key, so removing another leaves it there */
	if (!sim_event_pending(ev))
		return;
	if (ev->slot & SIM_EVENT_LANE)
		lane_remove(q, ev->slot & ~SIM_EVENT_LANE);
	else
		remove_at(q, ev->slot);
}

sim_ps sim_eventq_next(const struct sim_eventq *q)
{
	sim_ps next = SIM_NEVER;

	if (q->lane_len)
		return q->lane[q->lane_head].when;    /* now: nothing queued is earlier */
	if (!q->held)
		return q->len ? q->heap[0].when : SIM_NEVER;
	/* the earliest queued event is one of the held root's children (or sentinels) */
	for (uint32_t c = 1; c <= ARITY; c++)
		if (q->heap[c].when < next)
			next = q->heap[c].when;
	return next;
}

bool sim_eventq_run_until(struct sim_eventq *q, sim_ps end, struct sim_diag *err)
{
	/* the last instant to fire at: no event is at SIM_NEVER, so a sentinel stops the run */
	sim_ps last = end < SIM_NEVER ? end : SIM_NEVER - 1;

	if (!q->heap)
		q->heap = empty_heap;
	q->until = end;
	q->fire_stop = q->fire_limit ? q->fire_limit : UINT64_MAX;
	q->inline_until = q->failed || q->storm_limit == 0 ? 0 : end < SIM_NEVER ? end : SIM_NEVER - 1;
	settle(q);
	while (!q->failed) {
		struct sim_event *ev;

		/* heap[0] is in the array, a sentinel when the heap is empty */
		if (q->lane_len && before(&q->lane[q->lane_head], &q->heap[0])) {
			if (q->lane[q->lane_head].when > last)
				break;
			ev = lane_pop(q);
		} else {
			if (q->heap[0].when > last)
				break;
			ev = q->heap[0].ev;
			/* no longer queued; it leaves the root when something else changes the queue */
			ev->slot = SIM_EVENT_IDLE;
			q->held = ev;
		}
		if (ev->when != q->now) {
			q->now = ev->when;
			q->storm_count = 0;
		}
		if (++q->storm_count > q->storm_limit) {
			char t[32];

			mark_failed(q);
			sim_diag_fail(&q->error,
				      "event storm: more than %llu events at t = %s s (last: \"%s\")",
				      (unsigned long long)q->storm_limit,
				      sim_format_seconds(t, q->now), ev->name ? ev->name : "?");
			break;
		}
		if (q->fired == q->fire_stop) {
			mark_failed(q);
			sim_diag_fail(&q->error, "more than %llu events fired (next: \"%s\")",
				      (unsigned long long)q->fire_limit, ev->name ? ev->name : "?");
			break;
		}
		q->fired++;
		ev->fire(q, ev, q->now);
		settle(q);
	}
	settle(q);
	if (q->failed) {
		if (err)
			*err = q->error;
		return false;
	}
	if (end > q->now)
		q->now = end;
	return true;
}
