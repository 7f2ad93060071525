/* Piecewise-linear TSC: see tsc.h. */
#include "sim/cpu-tsc/tsc.h"

void tsc_init(struct cpu_tsc *tsc, sim_ps t0, uint64_t tsc0, struct sim_freq rate)
{
	tsc->seg = (struct tsc_segment){ .t0 = t0, .tsc0 = tsc0, .rate = rate };
}

uint64_t tsc_read(const struct cpu_tsc *tsc, sim_ps now)
{
	const struct tsc_segment *s = &tsc->seg;
	sim_ps dt = now > s->t0 ? now - s->t0 : 0;
	sim_u128 ticks = (sim_u128)dt * s->rate.num / ((sim_u128)s->rate.den * SIM_PS_PER_S);

	/* The counter is 64 bits wide: it wraps (SDM vol. 3, 18.17). */
	return s->tsc0 + (uint64_t)ticks;
}

void tsc_set_rate(struct cpu_tsc *tsc, sim_ps now, struct sim_freq rate)
{
	tsc->seg.tsc0 = tsc_read(tsc, now);
	tsc->seg.t0 = now;
	tsc->seg.rate = rate;
}

void tsc_write(struct cpu_tsc *tsc, sim_ps now, uint64_t value)
{
	tsc->seg.tsc0 = value;
	tsc->seg.t0 = now;
}

sim_ps tsc_time_of(const struct cpu_tsc *tsc, uint64_t value)
{
	const struct tsc_segment *s = &tsc->seg;
	sim_ps dt;

	if (value <= s->tsc0)
		return s->t0;
	dt = sim_tick_time(value - s->tsc0, s->rate);
	return dt == SIM_NEVER ? SIM_NEVER : sim_add_sat(s->t0, dt);
}
