/* The RTC's periodic interrupt as a programmed timer: see rtc_periodic.h. */
#include "sim/devices/rtc_periodic.h"

static const struct sim_freq count_hz = { 32768, 1 };

uint64_t rtc_periodic_cycles(uint8_t rs, int pie)
{
	rs &= 0x0f;
	if (!pie || rs == 0)
		return 0;
	if (rs <= 2)
		rs += 7;
	return UINT64_C(1) << (rs - 1);
}

/* floor(now_ns * 32768 / 1e9): the count at the whole ns `now` lies in. */
static uint64_t count_at(sim_ps now)
{
	return sim_ticks_in(now / SIM_PS_PER_NS * SIM_PS_PER_NS, count_hz);
}

/* When the PF of count c happens: floor(c * 1e9 / 32768) ns, plus 1 ns. */
static sim_ps pf_time(uint64_t c)
{
	sim_ps t = sim_tick_time(c, count_hz);

	if (t == SIM_NEVER)
		return SIM_NEVER;
	return sim_add_sat(t / SIM_PS_PER_NS * SIM_PS_PER_NS, SIM_PS_PER_NS);
}

/*
 * QEMU 7.2 hw/rtc/mc146818rtc.c periodic_timer_update(): on a period change
 * lost_clock = cur_clock - (next_periodic_time's count - old_period) (lines
 * 196-203), capped at the new period (line 238, the default
 * lost_tick_policy=discard); next_irq_clock = cur_clock + period -
 * lost_clock (line 243), so with lost_clock = period the next PF is the
 * current count, up to one count (30.5 us) before now.  timer_mod() takes
 * it as it is, and util/qemu-timer.c timerlist_run_timers() fires a timer
 * whose time is at or before the clock's (lines 546-549): the PF comes at
 * once (rtc.c sets it at now).  The one after it counts from the late PF's
 * own count, not from now (rtc_periodic_timer(), line 252), as
 * rtc_periodic_pass() does.
 */
void rtc_periodic_program(struct rtc_periodic *p, uint64_t old_period, uint64_t period,
			  sim_ps now)
{
	uint64_t cur = count_at(now), lost = 0;

	p->period = period;
	if (period == 0)
		return;
	if (old_period != 0 && p->next_cyc >= old_period && cur >= p->next_cyc - old_period)
		lost = cur - (p->next_cyc - old_period);
	if (lost > period)
		lost = period;
	p->next_cyc = cur + period - lost;
}

sim_ps rtc_periodic_next(const struct rtc_periodic *p)
{
	return p->period ? pf_time(p->next_cyc) : SIM_NEVER;
}

void rtc_periodic_pass(struct rtc_periodic *p, sim_ps now)
{
	uint64_t f, last;

	if (p->period == 0 || pf_time(p->next_cyc) > now)
		return;
	/* The last count whose PF is at or before now: f, or f - 1 when f's PF is later. */
	f = count_at(now);
	last = pf_time(f) <= now ? f : f - 1;
	p->next_cyc += ((last - p->next_cyc) / p->period + 1) * p->period;
}
