/*
 * ticks: a tick-counting guest clock (sim/guest/tick_clock.h), read as a
 * load of the tick count: no device access, no VM exit.
 */
#include "sim/guest/kinds/kind.h"

/* compensate: the ticks the guest adds at the first interrupt after each stall that ended by t. */
static uint64_t compensated(const struct tick_delivery *d, sim_ps t)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < d->noutages && d->outages[i].to_ps <= t; i++) {
		const struct tick_outage *o = &d->outages[i];
		uint64_t due_from = tick_due(d, o->from_ps);
		sim_ps last = tick_due_time(d, due_from);
		uint64_t lost = tick_due(d, o->to_ps - last);

		/* an interrupt at the resume: the one latched in the stall */
		if (tick_due(d, o->to_ps) > due_from && lost >= 2)
			n += lost - 1;
	}
	return n;
}

/* The clock's value in ps at true time t from the ticks counted by then, before any sync. */
static sim_ps counted_ps(const struct tick_clock_config *c, sim_ps t)
{
	const struct tick_delivery *d = &c->delivery;
	sim_ps dev = tick_device_time(d, t);   /* a board stopped with the VM raised nothing */
	uint64_t n = tick_delivered(d, dev);

	if (c->compensate && !d->nohz)
		n += compensated(d, dev);
	return tick_due_time(d, n);
}

uint64_t tick_clock_ns(const struct tick_clock_config *c, sim_ps t)
{
	sim_i128 v = counted_ps(c, t);

	/* the latest sync at or before t: it set the clock to true time then */
	for (unsigned i = c->nsyncs; i-- > 0;) {
		if (c->sync_ps[i] <= t) {
			v += (sim_i128)c->sync_ps[i] - counted_ps(c, c->sync_ps[i]);
			break;
		}
	}
	return v <= 0 ? 0 : (uint64_t)(v / (sim_i128)SIM_PS_PER_NS);
}

static bool ticks_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	const struct tick_delivery *d;

	(void)now;
	if (!r->p.ticks)
		return sim_diag_fail(err, "reader %s: no tick configuration", r->name);
	d = &r->p.ticks->delivery;
	if (d->rate.num == 0 || d->rate.den == 0)
		return sim_diag_fail(err, "reader %s: no tick rate", r->name);
	if (d->policy == TICK_POLICY_DELAY &&
	    (d->inject_interval_ps == 0 || 2 * d->inject_interval_ps > tick_due_time(d, 1)))
		return sim_diag_fail(err, "reader %s: the reinjection interval must be above 0 and "
				     "at most half a tick", r->name);
	if (d->policy == TICK_POLICY_SLEW && d->slew_rate < 2)
		return sim_diag_fail(err, "reader %s: slew needs a rate of at least 2x", r->name);
	return true;
}

static bool ticks_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	*value_ns = tick_clock_ns(r->p.ticks, now);
	return true;
}

const struct reader_kind_ops reader_kind_ticks = {
	.init = ticks_kind_init,
	.finish = ticks_kind_finish,
};
