/*
 * event_now: sim_eventq_fire_now() against the plain queue.  Two worlds run
 * the same random work from inside the handlers (re-arms at the current
 * instant and later, cancels, events of every priority, small storm limits
 * and event budgets); as its last step a handler may kick another event for
 * the current instant.  The reference world queues that event with
 * sim_schedule(); the other calls sim_eventq_fire_now() and, when it says
 * so, runs the handler at once.  Both must fire the same events at the same
 * instants with the same counts, make the same random draws and stop the
 * same way.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/core/event_now.h"
#include "sim/core/rng.h"

#define NEV_MAX 64u
#define LOG_MAX 200000u

struct fire_rec {
	unsigned id;
	sim_ps now;
	uint64_t fired;
};

struct nworld;

struct nprobe {
	struct sim_event ev;
	unsigned id;
	struct nworld *w;
};

struct nworld {
	struct sim_eventq q;
	struct sim_rng rng;
	bool fire_now;            /* kicks through sim_eventq_fire_now() */
	unsigned n;
	sim_ps span;
	struct nprobe ev[NEV_MAX];
	struct fire_rec *log;
	size_t nlog;
	uint64_t at_once;         /* kicks fired at once */
	uint64_t queued;          /* kicks queued */
};

static const enum sim_prio prios[] = {
	SIM_PRIO_SCENARIO, SIM_PRIO_HYPERVISOR, SIM_PRIO_DEVICE, SIM_PRIO_GUEST, SIM_PRIO_OBSERVE,
};

static void nprobe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now);

static void kick(struct nworld *w, struct nprobe *p)
{
	if (!w->fire_now) {
		sim_schedule(&w->q, &p->ev, w->q.now);
		return;
	}
	if (sim_eventq_fire_now(&w->q, &p->ev)) {
		w->at_once++;
		cr_assert(!sim_event_pending(&p->ev), "an event fired at once is not queued");
		nprobe_fire(&w->q, &p->ev, w->q.now);
	} else {
		w->queued++;
	}
}

static void nprobe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct nprobe *p = sim_container_of(ev, struct nprobe, ev);
	struct nworld *w = p->w;
	unsigned ops = (unsigned)sim_rng_below(&w->rng, 4);
	unsigned target;

	cr_assert_lt(w->nlog, LOG_MAX);
	w->log[w->nlog++] = (struct fire_rec){ .id = p->id, .now = now, .fired = q->fired };
	for (unsigned k = 0; k < ops; k++) {
		unsigned id = (unsigned)sim_rng_below(&w->rng, w->n);
		/* 0: the current instant (the lane); else up to span later */
		sim_ps d = sim_rng_below(&w->rng, 3) == 0 ? 0 : 1 + sim_rng_below(&w->rng, w->span);

		switch (sim_rng_below(&w->rng, 6)) {
		case 0:
			sim_cancel(q, &w->ev[id].ev);
			break;
		case 1:
			sim_schedule_firing(q, ev, now + d);
			break;
		default:
			sim_schedule(q, &w->ev[id].ev, now + d);
			break;
		}
	}
	/* periodic: re-arm later (the kick's owners re-arm before they kick) */
	if (!sim_event_pending(ev) && sim_rng_below(&w->rng, 8))
		sim_schedule_firing(q, ev, now + 1 + sim_rng_below(&w->rng, w->span));
	/* last: kick an idle event (not this one) for now, half of the time */
	target = (unsigned)sim_rng_below(&w->rng, w->n);
	if (sim_rng_below(&w->rng, 2) && target != p->id && !sim_event_pending(&w->ev[target].ev))
		kick(w, &w->ev[target]);
}

struct outcome {
	bool ok;
	struct sim_diag err;
	sim_ps now;
	uint64_t fired;
	uint64_t draws_left;      /* the next draw: the streams are in step */
};

static struct outcome run_world(struct nworld *w, uint64_t seed, unsigned n, sim_ps span,
				sim_ps end, uint64_t storm_limit, uint64_t fire_limit, bool fire_now)
{
	struct outcome o;

	memset(w, 0, sizeof(*w));
	w->fire_now = fire_now;
	w->n = n;
	w->span = span;
	w->log = calloc(LOG_MAX, sizeof(*w->log));
	cr_assert(w->log);
	sim_eventq_init(&w->q);
	w->q.storm_limit = storm_limit;
	w->q.fire_limit = fire_limit;
	sim_rng_init(&w->rng, seed, "test/event_now");
	for (unsigned i = 0; i < n; i++) {
		w->ev[i] = (struct nprobe){ .id = i, .w = w };
		sim_event_init(&w->ev[i].ev, "probe", prios[i % (sizeof(prios) / sizeof(prios[0]))],
			       nprobe_fire);
		sim_schedule(&w->q, &w->ev[i].ev, 4 * i + sim_rng_below(&w->rng, span));
	}
	sim_diag_clear(&o.err);
	o.ok = sim_eventq_run_until(&w->q, end, &o.err);
	o.now = w->q.now;
	o.fired = w->q.fired;
	o.draws_left = sim_rng_next(&w->rng);
	sim_eventq_finish(&w->q);
	return o;
}

static void compare(uint64_t seed, unsigned n, sim_ps span, sim_ps end, uint64_t storm_limit,
		    uint64_t fire_limit, uint64_t *at_once, uint64_t *queued)
{
	static struct nworld a, b;
	struct outcome oa = run_world(&a, seed, n, span, end, storm_limit, fire_limit, false);
	struct outcome ob = run_world(&b, seed, n, span, end, storm_limit, fire_limit, true);

	cr_assert_eq(a.nlog, b.nlog, "seed %" PRIu64 ": %zu events fired, %zu with fire_now", seed,
		     a.nlog, b.nlog);
	for (size_t i = 0; i < a.nlog; i++) {
		cr_assert(a.log[i].id == b.log[i].id && a.log[i].now == b.log[i].now &&
			  a.log[i].fired == b.log[i].fired,
			  "seed %" PRIu64 ", firing %zu: event %u at %" PRIu64 " (count %" PRIu64
			  "), with fire_now event %u at %" PRIu64 " (count %" PRIu64 ")", seed, i,
			  a.log[i].id, a.log[i].now, a.log[i].fired, b.log[i].id, b.log[i].now,
			  b.log[i].fired);
	}
	cr_assert_eq(oa.ok, ob.ok, "seed %" PRIu64, seed);
	cr_assert_eq(oa.now, ob.now, "seed %" PRIu64, seed);
	cr_assert_eq(oa.fired, ob.fired, "seed %" PRIu64, seed);
	cr_assert_eq(oa.draws_left, ob.draws_left, "seed %" PRIu64 ": the streams drifted", seed);
	cr_assert_str_eq(oa.err.msg, ob.err.msg, "seed %" PRIu64, seed);
	if (getenv("EVENT_NOW_VERBOSE"))
		fprintf(stderr, "seed %" PRIu64 ": %zu fired, %s, %" PRIu64 " at once, %" PRIu64
			" queued\n", seed, a.nlog, oa.ok ? "ok" : oa.err.msg, b.at_once, b.queued);
	*at_once += b.at_once;
	*queued += b.queued;
	free(a.log);
	free(b.log);
}

Test(event_now, same_firings_as_the_queue)
{
	uint64_t at_once = 0, queued = 0;

	for (uint64_t seed = 1; seed <= 60; seed++)
		compare(seed, 3 + (unsigned)(seed % 40), 20 + seed % 7 * 50, 3000, 1000000, 0,
			&at_once, &queued);
	/* both ways were taken, often */
	cr_assert_gt(at_once, 2000, "%" PRIu64 " kicks fired at once", at_once);
	cr_assert_gt(queued, 1000, "%" PRIu64 " kicks queued", queued);
}

Test(event_now, storms_and_budgets_stop_alike)
{
	uint64_t at_once = 0, queued = 0;

	/* tiny spans pile events on one instant: storm limits of 2 to 9, budgets */
	for (uint64_t seed = 1; seed <= 80; seed++)
		compare(seed, 3 + (unsigned)(seed % 12), 1 + seed % 4, 400, 2 + seed % 8,
			seed % 2 ? 0 : 50 + seed * 7, &at_once, &queued);
	cr_assert_gt(at_once, 100);
	cr_assert_gt(queued, 100);
}

Test(event_now, budgets_stop_alike)
{
	uint64_t at_once = 0, queued = 0;

	/* the budget runs out at every point of a run, kicks included */
	for (uint64_t seed = 1; seed <= 120; seed++)
		compare(seed, 3 + (unsigned)(seed % 20), 20 + seed % 3 * 40, 3000, 1000000,
			1 + seed * 5, &at_once, &queued);
	cr_assert_gt(at_once, 300);
	cr_assert_gt(queued, 300);
}
