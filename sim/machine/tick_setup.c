/* A "ticks" reader's clock from the scenario (tick_setup.h). */
#include "sim/machine/tick_setup.h"

#include "sim/core/platform_clocks.h"

_Static_assert((int)SCN_TICK_DISCARD == (int)TICK_POLICY_DISCARD &&
	       (int)SCN_TICK_DELAY == (int)TICK_POLICY_DELAY &&
	       (int)SCN_TICK_MERGE == (int)TICK_POLICY_MERGE &&
	       (int)SCN_TICK_SLEW == (int)TICK_POLICY_SLEW &&
	       (int)SCN_TICK_POLICY_COUNT == (int)TICK_POLICY_COUNT, "one list of lost-tick policies");
_Static_assert(SCN_MAX_STALLS <= TICK_MAX_OUTAGES, "every stall is an outage");
_Static_assert(SCN_MAX_TIME_SYNCS <= TICK_MAX_SYNCS, "every sync steps the clock");

static struct sim_freq tick_rate(const struct scn_reader *sr)
{
	struct sim_freq f = { sr->tick_hz, 1 };

	/*
	 * Linux programs channel 0 in mode 2 with LATCH = (PIT_TICK_RATE + HZ/2)
	 * / HZ (include/linux/i8253.h, PIT_LATCH); the board's PIT counts at
	 * 105/88 MHz (sim/devices/pit.c), so a tick is LATCH of those cycles.
	 */
	if (sr->tick_source == SCN_TICK_PIT)
		sim_freq_make(SIM_PIT_FREQ_NUM,
			      (uint64_t)SIM_PIT_FREQ_DEN * ((SIM_PIT_FREQ_HZ + sr->tick_hz / 2) / sr->tick_hz),
			      &f);
	return f;
}

struct tick_clock_config machine_tick_config(const struct scenario *s, const struct scn_reader *sr)
{
	struct tick_clock_config c = { 0 };
	struct tick_delivery *d = &c.delivery;

	if (sr->kind != READER_TICKS)
		return c;
	d->rate = tick_rate(sr);
	d->policy = (enum tick_policy)sr->tick_policy;
	d->nohz = sr->nohz;
	c.compensate = sr->compensate;
	d->inject_interval_ps = sr->inject_interval_ps;
	d->slew_rate = sr->slew_rate;
	/* the ticks go to vCPU 0 (the IOAPIC's destination, the BSP): its stalls are outages */
	for (unsigned i = 0; i < s->nstalls; i++) {
		const struct scn_stall *st = &s->stalls[i];
		bool vcpu0 = st->all;

		for (unsigned k = 0; k < st->nvcpus && !vcpu0; k++)
			vcpu0 = st->vcpus[k] == 0;
		if (vcpu0)
			d->outages[d->noutages++] = (struct tick_outage){
				st->at_ps, st->at_ps + st->duration_ps,
			};
	}
	c.nsyncs = s->ntime_syncs;
	for (unsigned i = 0; i < s->ntime_syncs; i++)
		c.sync_ps[i] = s->time_syncs[i].at_ps;
	return c;
}
