/*
 * event: the discrete-event queue fires in (when, priority, schedule order),
 * supports re-arm and cancel in place, and turns scheduling errors and event
 * storms into values instead of hangs.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/core/rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct fire_rec {
	int id;
	sim_ps now;               /* the `now` the callback was given */
	sim_ps when;
	enum sim_prio prio;
	uint64_t seq;
};

struct fire_log {
	struct fire_rec *rec;
	size_t n, cap;
};

/* A test event: records each firing, and optionally re-arms or cancels. */
struct probe {
	struct sim_event ev;
	int id;
	struct fire_log *log;
	struct probe *victim;     /* cancelled when this probe fires */
	sim_ps rearm_after;       /* re-schedule at now + this ... */
	unsigned rearms_left;     /* ... this many more times */
};

static void log_init(struct fire_log *log, size_t cap)
{
	log->rec = calloc(cap, sizeof(*log->rec));
	cr_assert_not_null(log->rec);
	log->n = 0;
	log->cap = cap;
}

static void probe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct probe *p = sim_container_of(ev, struct probe, ev);

	if (p->log) {
		cr_assert_lt(p->log->n, p->log->cap, "log overflow");
		p->log->rec[p->log->n++] = (struct fire_rec){
			.id = p->id, .now = now, .when = ev->when, .prio = ev->prio, .seq = ev->seq,
		};
	}
	if (p->victim)
		sim_cancel(q, &p->victim->ev);
	if (p->rearms_left) {
		p->rearms_left--;
		sim_schedule(q, ev, now + p->rearm_after);
	}
}

static void probe_init(struct probe *p, int id, const char *name, enum sim_prio prio,
		       struct fire_log *log)
{
	*p = (struct probe){ .id = id, .log = log };
	sim_event_init(&p->ev, name, prio, probe_fire);
}

static void expect_ids(const struct fire_log *log, const int *want, size_t n)
{
	cr_assert_eq(log->n, n, "fired %zu events, want %zu", log->n, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(log->rec[i].id, want[i], "firing %zu: id %d, want %d", i,
			     log->rec[i].id, want[i]);
}

/* (when, prio, seq) of a <= that of b. */
static bool key_le(sim_ps aw, int ap, uint64_t as, sim_ps bw, int bp, uint64_t bs)
{
	if (aw != bw)
		return aw < bw;
	if (ap != bp)
		return ap < bp;
	return as <= bs;
}

/*
 * Heap shape (4-ary): every slot index is right, every inline time is its
 * event's, no child sorts before its parent, and every first child starts a
 * 64-byte line.
 */
static void check_lane(const struct sim_eventq *q);

static void check_heap(const struct sim_eventq *q)
{
	for (uint32_t i = 0; i < q->len; i++) {
		const struct sim_event *e = q->heap[i].ev;

		cr_assert_eq(e->slot, i, "heap[%u] believes it is at slot %u", i, e->slot);
		cr_assert_eq(q->heap[i].when, e->when, "heap[%u]'s inline time is stale", i);
		cr_assert_eq((uintptr_t)&q->heap[4 * i + 1] % 64, 0, "heap[%u]'s children straddle lines",
			     i);
		if (i > 0) {
			const struct sim_event *p = q->heap[(i - 1) / 4].ev;

			cr_assert(key_le(p->when, p->prio, p->seq, e->when, e->prio, e->seq),
				  "heap[%u] sorts before its parent", i);
		}
	}
	check_lane(q);
}

/* The "now" lane: at now, in key order, each event knowing its place. */
static void check_lane(const struct sim_eventq *q)
{
	cr_assert(q->lane_head < q->lane_len || (q->lane_head == 0 && q->lane_len == 0));
	for (uint32_t i = q->lane_head; i < q->lane_len; i++) {
		const struct sim_event *e = q->lane[i].ev;

		cr_assert_eq(e->slot, SIM_EVENT_LANE | i, "lane[%u] believes it is at %#x", i, e->slot);
		cr_assert_eq(e->when, q->now, "lane[%u] is not at now", i);
		cr_assert_eq(q->lane[i].when, e->when);
		if (i > q->lane_head) {
			const struct sim_event *p = q->lane[i - 1].ev;

			cr_assert(key_le(p->when, p->prio, p->seq, e->when, e->prio, e->seq),
				  "lane[%u] sorts before lane[%u]", i, i - 1);
		}
	}
}

Test(event, equal_deadlines_fire_in_schedule_order)
{
	/* libuv's timer_order: same deadline, start order wins; then swap the order. */
	static const int orders[2][2] = { { 1, 2 }, { 2, 1 } };

	for (size_t o = 0; o < 2; o++) {
		struct sim_eventq q;
		struct fire_log log;
		struct probe p[3];

		sim_eventq_init(&q);
		log_init(&log, 4);
		probe_init(&p[1], 1, "one", SIM_PRIO_DEVICE, &log);
		probe_init(&p[2], 2, "two", SIM_PRIO_DEVICE, &log);
		cr_assert(sim_schedule(&q, &p[orders[o][0]].ev, 1000));
		cr_assert(sim_schedule(&q, &p[orders[o][1]].ev, 1000));
		cr_assert(sim_eventq_run_until(&q, 2000, NULL));
		expect_ids(&log, orders[o], 2);
		cr_expect_eq(log.rec[0].now, 1000);
		cr_expect_eq(log.rec[1].now, 1000);
		sim_eventq_finish(&q);
		free(log.rec);
	}
}

Test(event, priority_breaks_ties_before_seq)
{
	static const struct {
		int id;
		enum sim_prio prio;
		sim_ps when;
	} sched[] = {
		/* Scheduled in this order; all at t = 50 but the last. */
		{ 0, SIM_PRIO_OBSERVE, 50 },
		{ 1, SIM_PRIO_GUEST, 50 },
		{ 2, SIM_PRIO_IRQ, 50 },
		{ 3, SIM_PRIO_GUEST, 50 },
		{ 4, SIM_PRIO_DEVICE, 50 },
		{ 5, SIM_PRIO_HYPERVISOR, 50 },
		{ 6, SIM_PRIO_SCENARIO, 50 },
		{ 7, SIM_PRIO_OBSERVE, 49 },     /* earlier time beats any priority */
		{ 8, SIM_PRIO_SCENARIO, 51 },    /* later time loses to any priority */
	};
	/* Time first, then priority, then FIFO among the two GUEST events (1 before 3). */
	static const int want[] = { 7, 6, 5, 4, 2, 1, 3, 0, 8 };
	struct sim_eventq q;
	struct fire_log log;
	struct probe p[ARRAY_LEN(sched)];

	sim_eventq_init(&q);
	log_init(&log, ARRAY_LEN(sched));
	for (size_t i = 0; i < ARRAY_LEN(sched); i++) {
		probe_init(&p[i], sched[i].id, "p", sched[i].prio, &log);
		cr_assert(sim_schedule(&q, &p[i].ev, sched[i].when));
	}
	cr_assert(sim_eventq_run_until(&q, 100, NULL));
	expect_ids(&log, want, ARRAY_LEN(want));
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, rearm_moves_event_and_takes_new_seq)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe a, b;

	sim_eventq_init(&q);
	log_init(&log, 8);
	probe_init(&a, 1, "a", SIM_PRIO_DEVICE, &log);
	probe_init(&b, 2, "b", SIM_PRIO_DEVICE, &log);

	/* Re-arming a at the same instant puts it behind b: it has a newer sequence. */
	cr_assert(sim_schedule(&q, &a.ev, 10));
	cr_assert(sim_schedule(&q, &b.ev, 10));
	cr_assert(sim_schedule(&q, &a.ev, 10));
	cr_expect_gt(a.ev.seq, b.ev.seq);
	cr_expect_eq(q.len, 2, "re-arm must move, not duplicate");
	cr_assert(sim_eventq_run_until(&q, 10, NULL));
	expect_ids(&log, (const int[]){ 2, 1 }, 2);

	/* Moving earlier and later. */
	log.n = 0;
	cr_assert(sim_schedule(&q, &a.ev, 30));
	cr_assert(sim_schedule(&q, &b.ev, 20));
	cr_assert(sim_schedule(&q, &a.ev, 15));
	cr_expect_eq(sim_eventq_next(&q), 15);
	cr_assert(sim_schedule(&q, &a.ev, 25));
	cr_expect_eq(sim_eventq_next(&q), 20);
	cr_assert(sim_eventq_run_until(&q, 100, NULL));
	expect_ids(&log, (const int[]){ 2, 1 }, 2);
	cr_expect_eq(log.rec[0].now, 20);
	cr_expect_eq(log.rec[1].now, 25);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, cancel_removes_and_idle_cancel_is_noop)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe a, b, c, never;

	sim_eventq_init(&q);
	log_init(&log, 8);
	probe_init(&a, 1, "a", SIM_PRIO_DEVICE, &log);
	probe_init(&b, 2, "b", SIM_PRIO_DEVICE, &log);
	probe_init(&c, 3, "c", SIM_PRIO_DEVICE, &log);
	probe_init(&never, 4, "never", SIM_PRIO_DEVICE, &log);
	cr_expect_not(sim_event_pending(&never.ev));

	cr_assert(sim_schedule(&q, &a.ev, 10));
	cr_assert(sim_schedule(&q, &b.ev, 20));
	cr_assert(sim_schedule(&q, &c.ev, 30));
	cr_expect(sim_event_pending(&b.ev));
	sim_cancel(&q, &b.ev);
	cr_expect_not(sim_event_pending(&b.ev));
	cr_expect_eq(q.len, 2);
	sim_cancel(&q, &b.ev);             /* already idle */
	sim_cancel(&q, &never.ev);         /* never scheduled */
	cr_expect_eq(q.len, 2);
	check_heap(&q);
	cr_assert(sim_eventq_run_until(&q, 100, NULL));
	expect_ids(&log, (const int[]){ 1, 3 }, 2);
	cr_expect_not(sim_event_pending(&a.ev));
	cr_expect_not(sim_event_pending(&c.ev));
	cr_expect_eq(q.fired, 2);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, cancel_from_a_callback_at_the_same_instant)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe killer, victim, bystander;

	sim_eventq_init(&q);
	log_init(&log, 8);
	probe_init(&killer, 1, "killer", SIM_PRIO_DEVICE, &log);
	probe_init(&victim, 2, "victim", SIM_PRIO_IRQ, &log);
	probe_init(&bystander, 3, "bystander", SIM_PRIO_GUEST, &log);
	killer.victim = &victim;
	cr_assert(sim_schedule(&q, &victim.ev, 40));
	cr_assert(sim_schedule(&q, &bystander.ev, 40));
	cr_assert(sim_schedule(&q, &killer.ev, 40));
	cr_assert(sim_eventq_run_until(&q, 40, NULL));
	expect_ids(&log, (const int[]){ 1, 3 }, 2);
	cr_expect_not(sim_event_pending(&victim.ev));
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, schedule_in_past_fails_naming_event)
{
	struct sim_eventq q;
	struct probe late, ok;
	struct sim_diag err;

	sim_eventq_init(&q);
	probe_init(&late, 1, "late-tick", SIM_PRIO_DEVICE, NULL);
	probe_init(&ok, 2, "ok", SIM_PRIO_DEVICE, NULL);
	cr_assert(sim_eventq_run_until(&q, 100, NULL));
	cr_assert_eq(q.now, 100);

	cr_expect(sim_schedule(&q, &ok.ev, 100), "scheduling at now is not the past");
	cr_expect_not(q.failed);
	cr_expect_not(sim_schedule(&q, &late.ev, 99));
	cr_expect(q.failed);
	cr_expect_not(sim_event_pending(&late.ev));
	cr_expect_not_null(strstr(q.error.msg, "late-tick"), "message: %s", q.error.msg);

	/* The failure is sticky: the run reports it and fires nothing more. */
	sim_diag_clear(&err);
	cr_expect_not(sim_eventq_run_until(&q, 200, &err));
	cr_expect_not_null(strstr(err.msg, "late-tick"), "message: %s", err.msg);
	cr_expect_eq(q.fired, 0);
	sim_eventq_finish(&q);
}

Test(event, schedule_at_never_fails)
{
	struct sim_eventq q;
	struct probe p;

	sim_eventq_init(&q);
	probe_init(&p, 1, "forever", SIM_PRIO_DEVICE, NULL);
	cr_expect_not(sim_schedule(&q, &p.ev, SIM_NEVER));
	cr_expect(q.failed);
	cr_expect_not_null(strstr(q.error.msg, "forever"), "message: %s", q.error.msg);
	sim_eventq_finish(&q);
}

Test(event, past_schedule_from_a_callback_stops_the_run)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe back, after;
	struct sim_diag err;

	sim_eventq_init(&q);
	log_init(&log, 4);
	/* Re-arms itself at now + (2^64 - 5) = now - 5 (mod 2^64): in the past. */
	probe_init(&back, 1, "time-traveller", SIM_PRIO_DEVICE, &log);
	back.rearm_after = (sim_ps)0 - 5;
	back.rearms_left = 1;
	probe_init(&after, 2, "after", SIM_PRIO_DEVICE, &log);
	cr_assert(sim_schedule(&q, &back.ev, 10));
	cr_assert(sim_schedule(&q, &after.ev, 20));
	sim_diag_clear(&err);
	cr_expect_not(sim_eventq_run_until(&q, 100, &err));
	cr_expect_not_null(strstr(err.msg, "time-traveller"), "message: %s", err.msg);
	expect_ids(&log, (const int[]){ 1 }, 1);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, storm_at_one_instant_is_an_error)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe storm;
	struct sim_diag err;

	sim_eventq_init(&q);
	q.storm_limit = 10;
	log_init(&log, 32);
	probe_init(&storm, 1, "stormy", SIM_PRIO_DEVICE, &log);
	storm.rearm_after = 0;                 /* same instant, forever */
	storm.rearms_left = UINT32_MAX;
	cr_assert(sim_schedule(&q, &storm.ev, 7));
	sim_diag_clear(&err);
	cr_expect_not(sim_eventq_run_until(&q, 1000, &err));
	cr_expect_not_null(strstr(err.msg, "stormy"), "message: %s", err.msg);
	/* Exactly storm_limit firings at t = 7 are allowed; the next one is refused. */
	cr_expect_eq(log.n, 10);
	cr_expect_eq(q.fired, 10);
	cr_expect_eq(q.now, 7);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, storm_limit_counts_per_instant)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe tick;

	/* 100 firings 1 ps apart, never more than one per instant: no storm at limit 2. */
	sim_eventq_init(&q);
	q.storm_limit = 2;
	log_init(&log, 128);
	probe_init(&tick, 1, "tick", SIM_PRIO_DEVICE, &log);
	tick.rearm_after = 1;
	tick.rearms_left = 99;
	cr_assert(sim_schedule(&q, &tick.ev, 0));
	cr_expect(sim_eventq_run_until(&q, 1000, NULL), "error: %s", q.error.msg);
	cr_expect_eq(log.n, 100);
	for (size_t i = 0; i < log.n; i++)
		cr_expect_eq(log.rec[i].now, i);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, random_events_fire_in_total_order)
{
	enum { N = 10000 };
	static const enum sim_prio prios[] = {
		SIM_PRIO_SCENARIO, SIM_PRIO_HYPERVISOR, SIM_PRIO_DEVICE,
		SIM_PRIO_IRQ, SIM_PRIO_GUEST, SIM_PRIO_OBSERVE,
	};
	struct sim_eventq q;
	struct fire_log log;
	struct probe *p = calloc(N, sizeof(*p));
	struct sim_rng rng;
	bool *seen = calloc(N, sizeof(*seen));

	cr_assert_not_null(p);
	cr_assert_not_null(seen);
	sim_eventq_init(&q);
	log_init(&log, N);
	sim_rng_init(&rng, 1, "test/event/random");
	for (int i = 0; i < N; i++) {
		/* A narrow time range (1000 ps) so many events share an instant. */
		probe_init(&p[i], i, "r", prios[sim_rng_below(&rng, ARRAY_LEN(prios))], &log);
		cr_assert(sim_schedule(&q, &p[i].ev, sim_rng_below(&rng, 1000)));
	}
	check_heap(&q);
	cr_assert(sim_eventq_run_until(&q, 1000, NULL));
	cr_assert_eq(log.n, N);
	for (size_t i = 0; i < log.n; i++) {
		const struct fire_rec *r = &log.rec[i];

		cr_assert_not(seen[r->id], "event %d fired twice", r->id);
		seen[r->id] = true;
		cr_assert_eq(r->now, r->when);
		if (i > 0) {
			const struct fire_rec *s = &log.rec[i - 1];

			cr_assert(key_le(s->when, (int)s->prio, s->seq, r->when, (int)r->prio, r->seq),
				  "firing %zu (t=%" PRIu64 " prio %d seq %" PRIu64 ") after "
				  "(t=%" PRIu64 " prio %d seq %" PRIu64 ")", i, r->when, (int)r->prio,
				  r->seq, s->when, (int)s->prio, s->seq);
		}
	}
	sim_eventq_finish(&q);
	free(log.rec);
	free(seen);
	free(p);
}

Test(event, cancel_random_subsets_keeps_heap_consistent)
{
	enum { N = 3000 };
	struct sim_eventq q;
	struct fire_log log;
	struct probe *p = calloc(N, sizeof(*p));
	bool *cancelled = calloc(N, sizeof(*cancelled));
	bool *fired = calloc(N, sizeof(*fired));
	struct sim_rng rng;
	size_t live = N;

	cr_assert(p && cancelled && fired);
	sim_eventq_init(&q);
	log_init(&log, N);
	sim_rng_init(&rng, 2, "test/event/cancel");
	for (int i = 0; i < N; i++) {
		probe_init(&p[i], i, "c", SIM_PRIO_DEVICE, &log);
		cr_assert(sim_schedule(&q, &p[i].ev, sim_rng_below(&rng, 100000)));
	}
	/* Three rounds: cancel about a third, re-arm a few, check the heap each time. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			if (cancelled[i])
				continue;
			switch (sim_rng_below(&rng, 6)) {
			case 0:
			case 1:
				sim_cancel(&q, &p[i].ev);
				cancelled[i] = true;
				live--;
				break;
			case 2:
				cr_assert(sim_schedule(&q, &p[i].ev, sim_rng_below(&rng, 100000)));
				break;
			default:
				break;
			}
		}
		cr_assert_eq(q.len, live);
		check_heap(&q);
	}
	for (int i = 0; i < N; i++)
		cr_assert_eq(sim_event_pending(&p[i].ev), !cancelled[i], "event %d", i);
	cr_assert(sim_eventq_run_until(&q, 100000, NULL));
	cr_assert_eq(log.n, live);
	for (size_t i = 0; i < log.n; i++) {
		int id = log.rec[i].id;

		cr_assert_not(cancelled[id], "cancelled event %d fired", id);
		cr_assert_not(fired[id], "event %d fired twice", id);
		fired[id] = true;
		if (i > 0)
			cr_assert(key_le(log.rec[i - 1].when, 0, log.rec[i - 1].seq,
					 log.rec[i].when, 0, log.rec[i].seq));
	}
	sim_eventq_finish(&q);
	free(log.rec);
	free(fired);
	free(cancelled);
	free(p);
}

Test(event, run_until_fires_up_to_end_and_leaves_now_at_end)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe a, b, c;

	sim_eventq_init(&q);
	log_init(&log, 4);
	probe_init(&a, 1, "a", SIM_PRIO_DEVICE, &log);
	probe_init(&b, 2, "b", SIM_PRIO_DEVICE, &log);
	probe_init(&c, 3, "c", SIM_PRIO_DEVICE, &log);

	/* Empty queue: time still advances to the end. */
	cr_assert(sim_eventq_run_until(&q, 50, NULL));
	cr_expect_eq(q.now, 50);

	cr_assert(sim_schedule(&q, &a.ev, 100));
	cr_assert(sim_schedule(&q, &b.ev, 150));   /* exactly at the end: fires */
	cr_assert(sim_schedule(&q, &c.ev, 151));   /* 1 ps later: stays queued */
	cr_assert(sim_eventq_run_until(&q, 150, NULL));
	expect_ids(&log, (const int[]){ 1, 2 }, 2);
	cr_expect_eq(q.now, 150);
	cr_expect(sim_event_pending(&c.ev));
	cr_expect_eq(sim_eventq_next(&q), 151);
	cr_assert(sim_eventq_run_until(&q, 1000, NULL));
	cr_expect_eq(q.now, 1000);
	expect_ids(&log, (const int[]){ 1, 2, 3 }, 3);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, next_is_never_when_empty)
{
	struct sim_eventq q;
	struct probe a, b;

	sim_eventq_init(&q);
	cr_expect_eq(sim_eventq_next(&q), SIM_NEVER);
	probe_init(&a, 1, "a", SIM_PRIO_DEVICE, NULL);
	probe_init(&b, 2, "b", SIM_PRIO_DEVICE, NULL);
	cr_assert(sim_schedule(&q, &a.ev, 300));
	cr_assert(sim_schedule(&q, &b.ev, 200));
	cr_expect_eq(sim_eventq_next(&q), 200);
	sim_cancel(&q, &b.ev);
	cr_expect_eq(sim_eventq_next(&q), 300);
	sim_cancel(&q, &a.ev);
	cr_expect_eq(sim_eventq_next(&q), SIM_NEVER);
	sim_eventq_finish(&q);
}

Test(event, finish_leaves_events_idle)
{
	struct sim_eventq q;
	struct probe a;

	sim_eventq_init(&q);
	probe_init(&a, 1, "a", SIM_PRIO_DEVICE, NULL);
	cr_assert(sim_schedule(&q, &a.ev, 5));
	sim_eventq_finish(&q);
	cr_expect_not(sim_event_pending(&a.ev));
	sim_eventq_finish(NULL);
}

/* An event that raises an error inside its callback: the run stops there. */
struct failing {
	struct sim_event ev;
	const char *msg;
};

static void failing_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct failing *f = sim_container_of(ev, struct failing, ev);
	struct sim_diag d;

	(void)now;
	sim_diag_clear(&d);
	sim_diag_fail(&d, "%s", f->msg);
	sim_eventq_fail(q, &d);
}

Test(event, fail_inside_an_event_stops_the_run_at_that_instant)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe same_instant_later, later;
	struct failing f = { .msg = "boom" };
	struct sim_diag err;

	sim_eventq_init(&q);
	log_init(&log, 4);
	sim_event_init(&f.ev, "failing", SIM_PRIO_SCENARIO, failing_fire);
	/* same instant, lower priority: would fire right after the failing event */
	probe_init(&same_instant_later, 1, "same", SIM_PRIO_GUEST, &log);
	probe_init(&later, 2, "later", SIM_PRIO_SCENARIO, &log);
	cr_assert(sim_schedule(&q, &f.ev, 1000));
	cr_assert(sim_schedule(&q, &same_instant_later.ev, 1000));
	cr_assert(sim_schedule(&q, &later.ev, 1001));
	sim_diag_clear(&err);
	cr_expect_not(sim_eventq_run_until(&q, 5000, &err));
	cr_expect_str_eq(err.msg, "boom");
	cr_expect_eq(q.now, 1000, "now %" PRIu64 ", want the failing instant", q.now);
	cr_expect_eq(log.n, 0, "%zu events fired after the error", log.n);
	cr_expect_eq(q.fired, 1);
	/* A later run does not go on either: the queue stays failed. */
	cr_expect_not(sim_eventq_run_until(&q, 6000, &err));
	cr_expect_eq(log.n, 0);
	cr_expect_eq(q.now, 1000);
	sim_eventq_finish(&q);
	free(log.rec);
}

Test(event, first_error_wins)
{
	struct sim_eventq q;
	struct failing a = { .msg = "first" }, b = { .msg = "second" };
	struct sim_event past;
	struct sim_diag d, err;

	sim_eventq_init(&q);
	sim_event_init(&a.ev, "a", SIM_PRIO_SCENARIO, failing_fire);
	sim_event_init(&b.ev, "b", SIM_PRIO_SCENARIO, failing_fire);
	cr_assert(sim_schedule(&q, &a.ev, 10));
	cr_assert(sim_schedule(&q, &b.ev, 10));
	sim_diag_clear(&err);
	cr_expect_not(sim_eventq_run_until(&q, 100, &err));
	cr_expect_str_eq(err.msg, "first");
	/* Neither a second sim_eventq_fail nor a schedule error replaces it. */
	sim_diag_clear(&d);
	sim_diag_fail(&d, "third");
	sim_eventq_fail(&q, &d);
	sim_event_init(&past, "past", SIM_PRIO_SCENARIO, NULL);
	cr_expect_not(sim_schedule(&q, &past, 0));
	cr_expect_not(sim_eventq_run_until(&q, 100, &err));
	cr_expect_str_eq(err.msg, "first");
	sim_eventq_finish(&q);
}

Test(event, setup_formats_the_name_into_the_owners_buffer)
{
	struct sim_event ev;
	char name[12];

	sim_event_setup(&ev, name, sizeof(name), SIM_PRIO_HYPERVISOR, NULL, "migration%u.%s", 3u,
			"resume");
	cr_expect_str_eq(ev.name, "migration3.");  /* truncated to the buffer, NUL included */
	cr_expect(ev.name == name);
	cr_expect_eq(ev.prio, SIM_PRIO_HYPERVISOR);
	cr_expect_not(sim_event_pending(&ev));
}

/*
 * The firing event stays at the root until the queue next changes, but it is
 * not queued: its own handler sees it idle, sim_eventq_next() skips it, and
 * an event it schedules at the same instant with a lower priority value
 * fires next, before the periodic ones.  By hand: A (prio guest) at 10 re-arms
 * itself at 20 and, the first time, schedules B (prio device) at 10 and C at
 * 15; order A@10, B@10, C@15, A@20.
 */
struct held_probe {
	struct sim_event ev;
	struct probe *b, *c;
	bool was_pending;
	sim_ps next_seen;
	unsigned fired;
	struct fire_log *log;
};

static void held_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct held_probe *h = sim_container_of(ev, struct held_probe, ev);

	h->log->rec[h->log->n++] = (struct fire_rec){ .id = 0, .now = now };
	if (h->fired++ > 0)
		return;
	h->was_pending = sim_event_pending(ev);
	h->next_seen = sim_eventq_next(q);
	sim_schedule(q, ev, 20);
	sim_schedule(q, &h->b->ev, now);
	sim_schedule(q, &h->c->ev, 15);
	check_heap(q);
}

Test(event, firing_event_is_not_queued_while_it_fires)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe b, c, far;
	struct held_probe h = { 0 };
	static const int want[] = { 0, 2, 3, 0 };

	sim_eventq_init(&q);
	log_init(&log, 8);
	probe_init(&b, 2, "b", SIM_PRIO_DEVICE, &log);
	probe_init(&c, 3, "c", SIM_PRIO_GUEST, &log);
	probe_init(&far, 9, "far", SIM_PRIO_GUEST, NULL);
	h.b = &b;
	h.c = &c;
	h.log = &log;
	sim_event_init(&h.ev, "a", SIM_PRIO_GUEST, held_fire);
	cr_assert(sim_schedule(&q, &h.ev, 10));
	cr_assert(sim_schedule(&q, &far.ev, 1000));
	cr_assert(sim_eventq_run_until(&q, 100, NULL));
	cr_expect(!h.was_pending, "the firing event must look idle to its handler");
	cr_expect_eq(h.next_seen, 1000, "next must skip the firing event");
	expect_ids(&log, want, ARRAY_LEN(want));
	cr_expect_eq(log.rec[1].now, 10);
	cr_expect_eq(log.rec[3].now, 20);
	cr_expect(!sim_event_pending(&h.ev));
	cr_expect(sim_event_pending(&far.ev));
	check_heap(&q);
	sim_eventq_finish(&q);
	free(log.rec);
}

/*
 * A two-step event (a read's start and end): at its first firing it asks to
 * do its second step inline at now + 10, else queues it there.  Each step is
 * logged with the `now` it ran at and the queue's fired count then.
 */
struct two_step {
	struct sim_event ev;
	bool allow_inline;
	bool second;              /* the next firing is the second step */
	unsigned inlined;         /* second steps done inline */
	sim_ps step_now[4];
	uint64_t step_fired[4];
	unsigned nsteps;
};

static void two_step_log(struct two_step *t, const struct sim_eventq *q, sim_ps now)
{
	cr_assert_lt(t->nsteps, 4u);
	t->step_now[t->nsteps] = now;
	t->step_fired[t->nsteps++] = q->fired;
}

static void two_step_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct two_step *t = sim_container_of(ev, struct two_step, ev);

	two_step_log(t, q, now);
	if (t->second) {
		t->second = false;
		return;
	}
	if (t->allow_inline && sim_eventq_take_inline(q, ev, now + 10)) {
		t->inlined++;
		two_step_log(t, q, q->now);
		return;
	}
	t->second = true;
	sim_schedule(q, ev, now + 10);
}

/*
 * Runs the two-step event from 100 with another event at `other` (0: none)
 * until `end`, with a fire limit (0: none); returns whether the run held.
 */
static bool run_two_step(struct two_step *t, bool allow_inline, sim_ps other, sim_ps end,
			 uint64_t fire_limit, uint64_t *fired)
{
	struct sim_eventq q;
	struct probe p;
	bool ok;

	sim_eventq_init(&q);
	q.fire_limit = fire_limit;
	*t = (struct two_step){ .allow_inline = allow_inline };
	sim_event_init(&t->ev, "two", SIM_PRIO_GUEST, two_step_fire);
	probe_init(&p, 1, "other", SIM_PRIO_HYPERVISOR, NULL);
	cr_assert(sim_schedule(&q, &t->ev, 100));
	if (other)
		cr_assert(sim_schedule(&q, &p.ev, other));
	ok = sim_eventq_run_until(&q, end, NULL);
	*fired = q.fired;
	check_heap(&q);
	sim_eventq_finish(&q);
	return ok;
}

Test(event, a_step_taken_inline_counts_as_the_event_it_replaces)
{
	/* (other event, run bound, fire limit, taken inline?) */
	static const struct { sim_ps other, end; uint64_t limit; unsigned inlined; } cases[] = {
		{ 0, 1000, 0, 1 },        /* nothing else queued */
		{ 111, 1000, 0, 1 },      /* the next event is after the step */
		{ 110, 1000, 0, 0 },      /* at the step's instant it fires first (lower priority) */
		{ 105, 1000, 0, 0 },      /* in between */
		{ 0, 109, 0, 0 },         /* the step is beyond the run's bound */
		{ 0, 110, 0, 1 },         /* ... or exactly at it */
		{ 0, 1000, 1, 0 },        /* the budget stops the run before the step */
		{ 0, 1000, 2, 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct two_step a, b;
		uint64_t fa, fb;
		bool oka = run_two_step(&a, true, cases[i].other, cases[i].end, cases[i].limit, &fa);
		bool okb = run_two_step(&b, false, cases[i].other, cases[i].end, cases[i].limit, &fb);

		cr_expect_eq(a.inlined, cases[i].inlined, "case %zu: inlined %u", i, a.inlined);
		/* the same run as queueing the step: outcome, events fired, each step's now and count */
		cr_expect_eq(oka, okb, "case %zu: run outcome differs", i);
		cr_expect_eq(fa, fb, "case %zu: fired %" PRIu64 ", queued %" PRIu64, i, fa, fb);
		cr_expect_eq(a.nsteps, b.nsteps, "case %zu: %u steps, queued %u", i, a.nsteps,
			     b.nsteps);
		for (unsigned s = 0; s < a.nsteps && s < b.nsteps; s++) {
			cr_expect_eq(a.step_now[s], b.step_now[s], "case %zu step %u: now", i, s);
			cr_expect_eq(a.step_fired[s], b.step_fired[s], "case %zu step %u: fired", i, s);
		}
	}
}

Test(event, only_the_firing_event_may_take_a_step_inline)
{
	struct sim_eventq q;
	struct probe p, other;

	sim_eventq_init(&q);
	q.until = 1000;
	probe_init(&p, 1, "p", SIM_PRIO_GUEST, NULL);
	probe_init(&other, 2, "other", SIM_PRIO_GUEST, NULL);
	cr_assert(sim_schedule(&q, &p.ev, 10));
	/* outside a run nothing is firing */
	cr_expect(!sim_eventq_take_inline(&q, &p.ev, 20));
	cr_expect(!sim_eventq_take_inline(&q, &other.ev, 20));
	cr_expect_eq(q.fired, 0u);
	cr_expect_eq(q.now, 0u);
	sim_eventq_finish(&q);
}

/*
 * Events queued for the current instant (the "now" lane) fire in key order
 * with those the heap holds for that instant: a lower priority first, an
 * older sequence number first, a re-armed one as the newest, a cancelled one
 * never.
 */
struct lane_kick {
	struct sim_event ev;
	struct probe *p;          /* p[0..3] */
	struct fire_log *log;
	sim_ps next_seen;
};

static void lane_kick_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct lane_kick *k = sim_container_of(ev, struct lane_kick, ev);

	k->log->rec[k->log->n++] = (struct fire_rec){ .id = 0, .now = now };
	cr_assert(sim_schedule(q, &k->p[0].ev, now));    /* guest */
	cr_assert(sim_schedule(q, &k->p[1].ev, now));    /* device: before p0 */
	cr_assert(sim_schedule(q, &k->p[2].ev, now));    /* guest: after p0 */
	cr_assert(sim_schedule(q, &k->p[3].ev, now));    /* scenario: first of all */
	check_lane(q);
	cr_assert(sim_schedule(q, &k->p[0].ev, now));    /* re-armed: now after p2 */
	sim_cancel(q, &k->p[2].ev);
	cr_assert(!sim_event_pending(&k->p[2].ev));
	check_lane(q);
	k->next_seen = sim_eventq_next(q);
}

Test(event, events_for_the_current_instant_fire_in_key_order)
{
	struct sim_eventq q;
	struct fire_log log;
	struct probe p[4], h, o;
	struct lane_kick k = { .p = p, .log = &log };
	static const int want[] = { 0, 4, 5, 2, 1, 6 };

	sim_eventq_init(&q);
	log_init(&log, 8);
	probe_init(&p[0], 1, "p0", SIM_PRIO_GUEST, &log);
	probe_init(&p[1], 2, "p1", SIM_PRIO_DEVICE, &log);
	probe_init(&p[2], 3, "p2", SIM_PRIO_GUEST, &log);
	probe_init(&p[3], 4, "p3", SIM_PRIO_SCENARIO, &log);
	probe_init(&h, 5, "h", SIM_PRIO_DEVICE, &log);
	probe_init(&o, 6, "o", SIM_PRIO_OBSERVE, &log);
	sim_event_init(&k.ev, "kick", SIM_PRIO_HYPERVISOR, lane_kick_fire);
	cr_assert(sim_schedule(&q, &o.ev, 100));
	cr_assert(sim_schedule(&q, &h.ev, 100));    /* older than p1, same priority */
	cr_assert(sim_schedule(&q, &k.ev, 100));
	cr_assert(sim_eventq_run_until(&q, 200, NULL));
	expect_ids(&log, want, ARRAY_LEN(want));
	for (size_t i = 0; i < log.n; i++)
		cr_expect_eq(log.rec[i].now, 100);
	cr_expect_eq(k.next_seen, 100);
	cr_expect_eq(q.fired, 6);
	check_heap(&q);
	/* queued at now before a run, then left idle by finish */
	cr_assert(sim_schedule(&q, &p[2].ev, 200));
	cr_assert(sim_event_pending(&p[2].ev));
	check_heap(&q);
	sim_eventq_finish(&q);
	cr_expect(!sim_event_pending(&p[2].ev));
	free(log.rec);
}
