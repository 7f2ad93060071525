/*
 * An event at the current instant fired at once by the handler that would
 * queue it, when the queue would fire it next anyway: a vCPU's entry kicked
 * at zero latency by a clock update (sim/kvm, sim/vmm), which would
 * otherwise go through the "now" lane and one more turn of the run loop.
 */
#ifndef SIM_CORE_EVENT_NOW_H
#define SIM_CORE_EVENT_NOW_H

#include "sim/core/event.h"

/*
 * For the last step of a handler, with ev idle: the effect of
 * sim_schedule(q, ev, q->now) and of the run loop firing ev next.  True
 * when ev would be the next to fire (nothing queued at or before q->now,
 * the run not failed, and firing it would neither exceed the storm limit
 * nor the event budget): the queue counts it as fired, ev takes the
 * sequence number sim_schedule() would have given it, and the caller runs
 * ev's handler at once.  False: ev is queued at q->now (sim_schedule) and
 * fires in turn, or the run stops first as it would have.  Events queued at
 * q->now earlier sort before ev, later ones after it, so the order of firing
 * is the same either way.  O(1).
 */
static inline bool sim_eventq_fire_now(struct sim_eventq *q, struct sim_event *ev)
{
	sim_ps now = q->now;
	const struct sim_heap_slot *h = q->heap;

	if (q->failed || q->lane_len || q->storm_count >= q->storm_limit ||
	    q->fired == q->fire_stop || q->next_seq == SIM_EVENT_SEQ_LIMIT)
		goto queue;
	/* the earliest queued event: the root, or with the root held one of its children */
	if (q->held) {
		if (h[1].when <= now || h[2].when <= now || h[3].when <= now || h[4].when <= now)
			goto queue;
	} else if (q->len && h[0].when <= now) {
		goto queue;
	}
	ev->when = now;
	ev->seq = q->next_seq++;
	q->storm_count++;
	q->fired++;
	return true;
queue:
	sim_schedule(q, ev, now);
	return false;
}

#endif
