/* The RTC's divider chain, update cycles and UIP: see rtc_update.h. */
#include "sim/devices/rtc_update.h"

#include <assert.h>

#include "sim/devices/rtc_format.h"
#include "sim/devices/rtc_periodic.h"

#define TUC_PS(rtc) ((rtc)->compat->rtc_update_cycle_ps)   /* Table 6 t_UC, or the profile's */

static const struct sim_freq crystal = { RTC_CRYSTAL_HZ, 1 };

unsigned rtc_dv_stages(const struct rtc *rtc, uint8_t reg_a)
{
	return rtc->compat->rtc_dv_stages[(reg_a & RTC_REG_A_DV) >> 4];
}

bool rtc_running(const struct rtc *rtc)
{
	return !(rtc->reg_b & RTC_REG_B_SET) && rtc->div_stages != 0;
}

/* Crystal cycles counted by the chain at t (t >= div_ps). */
static uint64_t div_count(const struct rtc *rtc, sim_ps t)
{
	assert(t >= rtc->div_ps);
	return rtc->div_cyc + sim_ticks_in(t - rtc->div_ps + rtc->div_lead_ps, crystal);
}

/* When the chain reaches count c (c > div_count(div_ps)); SIM_NEVER past 2^64 ps. */
static sim_ps div_time(const struct rtc *rtc, uint64_t c)
{
	sim_ps t = sim_tick_time(c - rtc->div_cyc, crystal);

	if (t == SIM_NEVER)
		return SIM_NEVER;
	assert(t > rtc->div_lead_ps);
	return sim_add_sat(rtc->div_ps, t - rtc->div_lead_ps);
}

/*
 * Rising edges of a chain bit whose period is `period` cycles: counts
 * period / 2 + k * period.  edges_upto() counts those at or below c.
 */
static uint64_t edges_upto(uint64_t c, uint64_t period)
{
	uint64_t half = period / 2;

	return c >= half ? (c - half) / period + 1 : 0;
}

static uint64_t nth_edge(uint64_t n, uint64_t period)     /* n >= 1 */
{
	return period / 2 + (n - 1) * period;
}

static uint64_t update_period(const struct rtc *rtc)
{
	return UINT64_C(1) << rtc->div_stages;
}

/*
 * The periodic tap's period in crystal cycles, or 0 for none (RS = 0 or a
 * held chain).  Table 5: with the 32.768 kHz time base RS = 1 and 2 give
 * 256 Hz and 128 Hz (the taps of RS = 8 and 9); otherwise the rate is
 * 65536 Hz >> RS at the time base DV names.  The board's crystal is always
 * 32.768 kHz, so DV = 000 and 001 run every tap 128 and 32 times slower.
 */
static uint64_t periodic_cycles(const struct rtc *rtc)
{
	unsigned rs = rtc->reg_a & RTC_REG_A_RS;

	if (rtc->div_stages == 0 || rs == 0)
		return 0;
	if (rtc->div_stages == 15 && rs <= 2)
		rs += 7;
	return UINT64_C(1) << (rs - 1 + rtc->div_stages - 15);
}

/* Update cycles starting in (a, b], with a >= run_ps. */
static uint64_t updates_in(const struct rtc *rtc, sim_ps a, sim_ps b)
{
	if (!rtc_running(rtc) || b <= a)
		return 0;
	return edges_upto(div_count(rtc, b), update_period(rtc)) -
	       edges_upto(div_count(rtc, a), update_period(rtc));
}

static struct rtc_clock settled_clock(const struct rtc *rtc)
{
	struct rtc_clock c = { rtc->cs, rtc->dst_done_cs };

	return c;
}

struct rtc_clock rtc_clock_at(const struct rtc *rtc, sim_ps now)
{
	assert(now >= rtc->settled_ps);
	return rtc_calendar_advance(settled_clock(rtc), updates_in(rtc, rtc->settled_ps, now),
				    rtc->reg_b & RTC_REG_B_DSE, rtc->wday_off);
}

/*
 * The count of the first update cycle (started after run_ps) that ends after
 * settled_ps: one that began up to tUC before it may still be in progress.
 */
static uint64_t first_open_update(const struct rtc *rtc)
{
	sim_ps a = rtc->settled_ps;
	sim_ps lower = a > TUC_PS(rtc) ? a - TUC_PS(rtc) : 0;

	if (lower < rtc->run_ps)
		lower = rtc->run_ps;
	return nth_edge(edges_upto(div_count(rtc, lower), update_period(rtc)) + 1,
			update_period(rtc));
}

sim_ps rtc_next_uf_ps(const struct rtc *rtc)
{
	if (!rtc_running(rtc))
		return SIM_NEVER;
	return sim_add_sat(div_time(rtc, first_open_update(rtc)), TUC_PS(rtc));
}

/* The alarm bytes as rtc_format_alarm() reads them. */
static struct rtc_alarm alarm_of(const struct rtc *rtc)
{
	return rtc_format_alarm(rtc->reg_b, rtc->cmos[RTC_SECONDS_ALARM],
				rtc->cmos[RTC_MINUTES_ALARM], rtc->cmos[RTC_HOURS_ALARM]);
}

sim_ps rtc_next_af_ps(const struct rtc *rtc)
{
	struct rtc_alarm a = alarm_of(rtc);
	uint64_t c0, n;
	sim_ps e0;
	struct rtc_clock c;

	if (!rtc_running(rtc) || rtc_alarm_empty(&a))
		return SIM_NEVER;
	c0 = first_open_update(rtc);
	e0 = sim_add_sat(div_time(rtc, c0), TUC_PS(rtc));
	if (e0 == SIM_NEVER)
		return SIM_NEVER;
	c = rtc_clock_at(rtc, e0);
	if (rtc_alarm_matches(&a, c.cs))
		return e0;
	n = rtc_calendar_updates_to_alarm(c, &a, rtc->reg_b & RTC_REG_B_DSE, rtc->wday_off);
	if (n == RTC_NO_UPDATES)
		return SIM_NEVER;
	return sim_add_sat(div_time(rtc, c0 + n * update_period(rtc)), TUC_PS(rtc));
}

sim_ps rtc_next_pf_ps(const struct rtc *rtc)
{
	uint64_t p = periodic_cycles(rtc);

	if (rtc->compat->rtc_periodic == COMPAT_PERIODIC_FROM_PROGRAMMING)
		return rtc_periodic_next(&rtc->periodic);
	if (p == 0)
		return SIM_NEVER;
	return div_time(rtc, nth_edge(edges_upto(div_count(rtc, rtc->settled_ps), p) + 1, p));
}

bool rtc_update_in_progress(const struct rtc *rtc, sim_ps now)
{
	uint64_t p, n;
	sim_ps next;

	assert(now >= rtc->settled_ps);
	if (!rtc_running(rtc))
		return false;
	p = update_period(rtc);
	n = edges_upto(div_count(rtc, now), p);
	/* Table 6: UIP rises tBUC before a cycle and falls when it ends. */
	next = div_time(rtc, nth_edge(n + 1, p));
	if (next - now <= rtc->compat->rtc_uip_lead_ps)
		return true;
	if (n > edges_upto(div_count(rtc, rtc->run_ps), p))
		return now < sim_add_sat(div_time(rtc, nth_edge(n, p)), TUC_PS(rtc));
	return false;
}
