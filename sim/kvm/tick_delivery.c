/*
 * Timer-interrupt delivery under a lost-tick policy, in closed form (see
 * tick_delivery.h).  The run is cut into segments at each outage's end; in a
 * segment the count is one formula of t, so the count at t walks the
 * outages before t and evaluates one formula.
 */
#include "sim/kvm/tick_delivery.h"

#include <stddef.h>

static const char *const policy_names[] = {
	[TICK_POLICY_DISCARD] = "discard",
	[TICK_POLICY_DELAY] = "delay",
	[TICK_POLICY_MERGE] = "merge",
	[TICK_POLICY_SLEW] = "slew",
};

_Static_assert(sizeof(policy_names) / sizeof(policy_names[0]) == TICK_POLICY_COUNT,
	       "one name per lost-tick policy");

const char *tick_policy_name(enum tick_policy p)
{
	return (unsigned)p < TICK_POLICY_COUNT ? policy_names[p] : "?";
}

/* From `start` (t = 0, or an outage's end) to the next outage. */
struct seg {
	sim_ps start;
	uint64_t base;            /* ticks taken at start, the latched one included */
	uint64_t due0;            /* tick_due(start) */
	uint64_t lost;            /* dropped before start */
	sim_ps caught_ps;         /* from then on the guest has due - lost */
};

sim_ps tick_device_time(const struct tick_delivery *d, sim_ps t)
{
	sim_ps stopped = 0;

	for (unsigned i = 0; i < d->nstops && d->stops[i].from_ps < t; i++) {
		const struct tick_outage *o = &d->stops[i];

		stopped += (t < o->to_ps ? t : o->to_ps) - o->from_ps;
	}
	return t - stopped;
}

uint64_t tick_due(const struct tick_delivery *d, sim_ps t)
{
	return sim_ticks_in(t, d->rate);
}

sim_ps tick_due_time(const struct tick_delivery *d, uint64_t n)
{
	return sim_tick_time(n, d->rate);
}

static bool catches_up(const struct tick_delivery *d)
{
	return !d->nohz && (d->policy == TICK_POLICY_DELAY || d->policy == TICK_POLICY_SLEW);
}

/* slew: the rate of the added ticks, (slew_rate - 1) x the tick rate. */
static struct sim_freq extra_rate(const struct tick_delivery *d)
{
	struct sim_freq f = d->rate;

	f.num *= d->slew_rate - 1;
	return f;
}

static uint64_t seg_count(const struct tick_delivery *d, const struct seg *s, sim_ps t)
{
	uint64_t due = tick_due(d, t);
	uint64_t full = due - s->lost;
	uint64_t n;

	if (t >= s->caught_ps)
		return full;
	if (d->policy == TICK_POLICY_DELAY)
		n = s->base + (t - s->start) / d->inject_interval_ps;
	else
		n = s->base + (due - s->due0) + sim_ticks_in(t - s->start, extra_rate(d));
	return n < full ? n : full;
}

/* delay: does the k-th reinjection after start bring the guest level with the device? */
static bool delay_level(const struct tick_delivery *d, const struct seg *s, uint64_t k,
			sim_ps *at)
{
	sim_u128 t = (sim_u128)s->start + (sim_u128)k * d->inject_interval_ps;

	if (t >= SIM_NEVER) {
		*at = SIM_NEVER;
		return true;
	}
	*at = (sim_ps)t;
	return s->base + k >= tick_due(d, (sim_ps)t) - s->lost;
}

/*
 * delay: the first k with base + k >= due(start + k I) - lost.  The
 * shortfall grows by at most one per reinjection (I <= a period) and shrinks
 * by one, so it is monotone in k; k ~ backlog / (1 - I rate) to within 2 when
 * I is at most half a period, and the walks below are a few steps.
 */
static sim_ps delay_caught(const struct tick_delivery *d, const struct seg *s, uint64_t backlog)
{
	const sim_u128 one = (sim_u128)d->rate.den * SIM_PS_PER_S;
	sim_u128 slack = one - (sim_u128)d->inject_interval_ps * d->rate.num;
	uint64_t k;
	sim_ps at;

	k = slack ? (uint64_t)((sim_u128)backlog * one / slack) : backlog;
	k = k > 2 ? k - 2 : 0;
	while (!delay_level(d, s, k, &at))
		k++;
	while (k > 0 && delay_level(d, s, k - 1, &(sim_ps){ 0 }))
		delay_level(d, s, --k, &at);
	return at;
}

/* The segment after outage o, from the one it interrupts. */
static struct seg next_seg(const struct tick_delivery *d, const struct seg *s,
			   const struct tick_outage *o, struct tick_outage_summary *sum)
{
	uint64_t taken = seg_count(d, s, o->from_ps);
	uint64_t due_from = tick_due(d, o->from_ps), due_to = tick_due(d, o->to_ps);
	uint64_t missed = due_to - due_from;
	struct seg n = {
		.start = o->to_ps, .due0 = due_to, .base = taken + (missed ? 1 : 0),
		.lost = s->lost, .caught_ps = o->to_ps,
	};
	uint64_t backlog = 0;

	if (d->nohz) {
		n.base = due_to;
	} else if (!catches_up(d)) {
		n.lost = due_to - n.base;
	} else {
		backlog = due_to - n.lost - n.base;
		if (backlog && d->policy == TICK_POLICY_DELAY)
			n.caught_ps = delay_caught(d, &n, backlog);
		else if (backlog)
			n.caught_ps = sim_add_sat(n.start, sim_tick_time(backlog, extra_rate(d)));
	}
	if (sum) {
		uint64_t rate_mhz = (uint64_t)((sim_u128)d->rate.num * 1000 / d->rate.den);

		*sum = (struct tick_outage_summary){
			.missed = missed, .latched = missed ? 1 : 0, .lost = n.lost - s->lost,
			.backlog = backlog, .caught_up_ps = n.caught_ps, .max_rate_mhz = rate_mhz,
		};
		if (backlog && d->policy == TICK_POLICY_DELAY)
			sum->max_rate_mhz = (uint64_t)(UINT64_C(1000) * SIM_PS_PER_S /
						       d->inject_interval_ps);
		else if (backlog)
			sum->max_rate_mhz = rate_mhz * d->slew_rate;
	}
	return n;
}

/* The ticks taken by t, and the segment t lies in (its lost count). */
static uint64_t walk(const struct tick_delivery *d, sim_ps t, struct seg *s)
{
	*s = (struct seg){ .start = 0, .base = 0, .due0 = 0, .lost = 0, .caught_ps = 0 };
	for (unsigned i = 0; i < d->noutages; i++) {
		const struct tick_outage *o = &d->outages[i];

		if (t < o->to_ps)
			return seg_count(d, s, t < o->from_ps ? t : o->from_ps);
		*s = next_seg(d, s, o, NULL);
	}
	return seg_count(d, s, t);
}

uint64_t tick_delivered(const struct tick_delivery *d, sim_ps t)
{
	struct seg s;

	return walk(d, t, &s);
}

uint64_t tick_owed(const struct tick_delivery *d, sim_ps t)
{
	struct seg s;
	uint64_t n = walk(d, t, &s);

	return tick_due(d, t) - s.lost - n;
}

bool tick_outage_summary(const struct tick_delivery *d, unsigned i, struct tick_outage_summary *out)
{
	struct seg s = { .start = 0, .base = 0, .due0 = 0, .lost = 0, .caught_ps = 0 };

	if (i >= d->noutages)
		return false;
	for (unsigned k = 0; k < i; k++)
		s = next_seg(d, &s, &d->outages[k], NULL);
	next_seg(d, &s, &d->outages[i], out);
	return true;
}
