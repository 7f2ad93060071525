/*
 * Motorola MC146818A RTC (rtc.h has the reference and the shape of the model).
 *
 * The clock is one integer, "chip seconds" (cs): day * 86400 + second of the
 * day, where day counts from 0000-03-01 in the chip's own calendar.  The chip
 * keeps a two-digit year and calls every year divisible by 4 a leap year (data
 * sheet, features: "automatic leap year compensation"); since 100 is divisible
 * by 4, the full year century * 100 + year follows the Julian rule.  That
 * agrees with the Gregorian calendar from 1901 through 2099 (2000 is a leap
 * year either way) and, like the chip, not in 1900 or 2100.
 *
 * Update cycles start on the rising edges of the divider's last stage (bit
 * stages - 1 of the cycle count; first one half a second after the chain
 * leaves reset, data sheet, register A, DV2-0) and end tUC later.  The time
 * registers show the new second from the start of the cycle; UF and AF are
 * set at its end (register C, "UF ... set after each update cycle").
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/devices/rtc.h"

#include "sim/core/civil.h"
#include "sim/devices/platform.h"
#include "sim/devices/rtc_alarm.h"

#define SEC_PER_DAY 86400
#define DST_SWITCH_TOD (1 * 3600 + 59 * 60 + 59)   /* 1:59:59 AM */
#define DST_SPRING_JUMP (3600 + 1)                  /* 1:59:59 -> 3:00:00 */
#define DST_FALL_JUMP (3600 - 1)                    /* 1:59:59 -> 1:00:00 */
#define ENABLE_MASK (RTC_REG_B_PIE | RTC_REG_B_AIE | RTC_REG_B_UIE) /* = PF|AF|UF bits */
#define NO_UPDATES UINT64_MAX
#define TUC_PS(rtc) ((rtc)->compat->rtc_update_cycle_ps)   /* Table 6 t_UC, or the profile's */

/* Slots of rtc->tregs. */
enum { T_SEC, T_MIN, T_HOUR, T_WDAY, T_MDAY, T_MON, T_YEAR, T_CENT };


static const struct sim_freq crystal = { RTC_CRYSTAL_HZ, 1 };

/* The clock as it runs: chip seconds, and the DSE fall-back already taken. */
struct clock {
	int64_t cs;
	int64_t dst_done;
};

/* ---- integer helpers ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* Day of a March-based year (March = month 0) at which month m (1..12) starts. */
static int64_t month_start(int m)
{
	int mp = m > 2 ? m - 3 : m + 9;

	return (153 * mp + 2) / 5;
}

/* ---- calendars ---- */

/* Days from 0000-03-01 to y-m-d in the chip's calendar (every 4th year leap); m in 1..12. */
static int64_t chip_days(int64_t y, int m, int64_t d)
{
	int64_t yy = y - (m <= 2);

	return 365 * yy + floor_div(yy, 4) + month_start(m) + d - 1;
}

static void chip_civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t yy = floor_div(4 * days + 3, 1461);
	int64_t doy = days - (365 * yy + floor_div(yy, 4));   /* 0..365, from March 1 */
	int mp = (int)((5 * doy + 2) / 153);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* ---- register formats (register B: DM, 24/12) ---- */

static bool binary(const struct rtc *rtc)
{
	return rtc->reg_b & RTC_REG_B_DM;
}

static bool hours24(const struct rtc *rtc)
{
	return rtc->reg_b & RTC_REG_B_24H;
}

static uint8_t to_reg(const struct rtc *rtc, int64_t v)       /* 0 <= v <= 99 */
{
	return binary(rtc) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* A byte's value, arithmetically: BCD nibbles above 9 carry (0x5a reads as 60). */
static int64_t from_reg(const struct rtc *rtc, uint8_t b)
{
	return binary(rtc) ? b : (b >> 4) * 10 + (b & 0x0f);
}

/* A byte's value when it is a valid encoding below max, else -1. */
static int strict_from_reg(const struct rtc *rtc, uint8_t b, int max)
{
	int v = b;

	if (!binary(rtc)) {
		if ((b >> 4) > 9 || (b & 0x0f) > 9)
			return -1;
		v = (b >> 4) * 10 + (b & 0x0f);
	}
	return v < max ? v : -1;
}

static unsigned wday_of(int64_t day, unsigned wday_off)
{
	return (unsigned)floor_mod(day + wday_off, 7) + 1;
}

/*
 * The time bytes of chip second cs in the current format.  The century byte
 * rolls over with the year: on the MC146818A 0x32 is plain RAM, which PC
 * firmware keeps; we keep it so that the full year is known (a deviation).
 */
static void encode(const struct rtc *rtc, int64_t cs, unsigned wday_off, uint8_t out[RTC_NTIME])
{
	int64_t day = floor_div(cs, SEC_PER_DAY);
	int64_t tod = cs - day * SEC_PER_DAY;
	int64_t hour = tod / 3600, y;
	int m, d;

	chip_civil(day, &y, &m, &d);
	out[T_SEC] = to_reg(rtc, tod % 60);
	out[T_MIN] = to_reg(rtc, tod / 60 % 60);
	if (hours24(rtc))
		out[T_HOUR] = to_reg(rtc, hour);
	else
		out[T_HOUR] = (uint8_t)(to_reg(rtc, hour % 12 ? hour % 12 : 12) |
					(hour >= 12 ? RTC_HOURS_PM : 0));
	out[T_WDAY] = to_reg(rtc, wday_of(day, wday_off));
	out[T_MDAY] = to_reg(rtc, d);
	out[T_MON] = to_reg(rtc, m);
	out[T_YEAR] = to_reg(rtc, floor_mod(y, 100));
	out[T_CENT] = to_reg(rtc, floor_mod(floor_div(y, 100), 100));
}

/*
 * The chip second the time bytes name in the current format.  Values out of
 * range carry into the next field, as mktime() does (seconds 75 = 1 min 15 s,
 * February 30 = March 1 or 2, month 13 = January of the next year); the day
 * of week keeps its written value modulo 7 (0 reads back as 7).
 */
static void decode(const struct rtc *rtc, const uint8_t in[RTC_NTIME], int64_t *cs,
		   unsigned *wday_off)
{
	int64_t hour, mon0, y, day;

	if (hours24(rtc))
		hour = from_reg(rtc, in[T_HOUR]);
	else
		hour = from_reg(rtc, in[T_HOUR] & 0x7f) % 12 + (in[T_HOUR] & RTC_HOURS_PM ? 12 : 0);
	mon0 = from_reg(rtc, in[T_MON]) - 1;
	y = from_reg(rtc, in[T_CENT]) * 100 + from_reg(rtc, in[T_YEAR]) + floor_div(mon0, 12);
	day = chip_days(y, (int)floor_mod(mon0, 12) + 1, 1) + from_reg(rtc, in[T_MDAY]) - 1;
	*cs = day * SEC_PER_DAY + hour * 3600 + from_reg(rtc, in[T_MIN]) * 60 +
	      from_reg(rtc, in[T_SEC]);
	*wday_off = (unsigned)floor_mod(from_reg(rtc, in[T_WDAY]) - 1 - day, 7);
}

static int time_slot(uint8_t index)
{
	switch (index) {
	case RTC_SECONDS: return T_SEC;
	case RTC_MINUTES: return T_MIN;
	case RTC_HOURS: return T_HOUR;
	case RTC_DAY_OF_WEEK: return T_WDAY;
	case RTC_DAY_OF_MONTH: return T_MDAY;
	case RTC_MONTH: return T_MON;
	case RTC_YEAR: return T_YEAR;
	case RTC_CENTURY: return T_CENT;
	default: return -1;
	}
}

/* ---- the divider chain (data sheet, register A: DV2-0, RS3-0; Tables 4 and 5) ---- */

/* Stages by DV2-0, from the profile: 000 22, 001 20, 010 15; test modes and 11x: held. */
static unsigned stages_of(const struct rtc *rtc, uint8_t reg_a)
{
	return rtc->compat->rtc_dv_stages[(reg_a & RTC_REG_A_DV) >> 4];
}

static bool running(const struct rtc *rtc)
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
	if (!running(rtc) || b <= a)
		return 0;
	return edges_upto(div_count(rtc, b), update_period(rtc)) -
	       edges_upto(div_count(rtc, a), update_period(rtc));
}

/* ---- daylight saving (register B, DSE) ---- */

/*
 * The next DSE switch at or after chip second cs, skipping `done`: the 1:59:59
 * AM whose update jumps.  Data sheet, DSE: "On the last Sunday in April the
 * time increments from 1:59:59 AM to 3:00:00 AM.  On the last Sunday in
 * October when the time first reaches 1:59:59 AM it changes to 1:00:00 AM."
 * The chip's Sunday is its day-of-week register (1); the last Sunday is the
 * one among the month's last seven days.
 */
static int64_t next_dst_switch(const struct rtc *rtc, int64_t cs, int64_t done, bool *spring)
{
	int64_t y;
	int m, d;

	chip_civil(floor_div(cs, SEC_PER_DAY), &y, &m, &d);
	for (int64_t yy = y; yy <= y + 1; yy++) {
		for (int fall = 0; fall <= 1; fall++) {
			int64_t day0 = fall ? chip_days(yy, 10, 25) : chip_days(yy, 4, 24);
			int64_t sw = 0;

			for (int i = 0; i < 7; i++)
				if (wday_of(day0 + i, rtc->wday_off) == 1)
					sw = (day0 + i) * SEC_PER_DAY + DST_SWITCH_TOD;
			if (sw >= cs && sw != done) {
				*spring = !fall;
				return sw;
			}
		}
	}
	assert(0 && "a switch within two years");
	return INT64_MAX;
}

/* The clock after n more update cycles. */
static struct clock advance(const struct rtc *rtc, struct clock c, uint64_t n)
{
	while (n > 0) {
		bool spring = false;
		int64_t sw;

		if (!(rtc->reg_b & RTC_REG_B_DSE)) {
			c.cs += (int64_t)n;
			break;
		}
		sw = next_dst_switch(rtc, c.cs, c.dst_done, &spring);
		if ((uint64_t)(sw - c.cs) >= n) {
			c.cs += (int64_t)n;
			break;
		}
		n -= (uint64_t)(sw - c.cs) + 1;
		if (spring) {
			c.cs = sw + DST_SPRING_JUMP;
		} else {
			c.cs = sw - DST_FALL_JUMP;
			c.dst_done = sw;
		}
	}
	return c;
}

/* ---- alarm (data sheet, "Interrupts": alarm; bytes 0xc0-0xff match anything) ---- */

static int alarm_field(const struct rtc *rtc, uint8_t b, int max)
{
	int v;

	if (b >= RTC_ALARM_DONT_CARE)
		return RTC_ALARM_ANY;
	v = strict_from_reg(rtc, b, max);
	return v < 0 ? RTC_ALARM_NONE : v;
}

/*
 * The alarm bytes as sets of hour (0..23), minute and second.  The chip
 * compares bytes; a byte no time byte can equal (bad BCD, hour 0 in 12-hour
 * mode, ...) never matches.
 */
static struct rtc_alarm alarm_of(const struct rtc *rtc)
{
	struct rtc_alarm a;
	uint8_t hb = rtc->cmos[RTC_HOURS_ALARM];

	a.s = alarm_field(rtc, rtc->cmos[RTC_SECONDS_ALARM], 60);
	a.m = alarm_field(rtc, rtc->cmos[RTC_MINUTES_ALARM], 60);
	if (hb >= RTC_ALARM_DONT_CARE) {
		a.h = RTC_ALARM_ANY;
	} else if (hours24(rtc)) {
		a.h = alarm_field(rtc, hb, 24);
	} else {
		int h = strict_from_reg(rtc, hb & 0x7f, 13);

		a.h = h < 1 ? RTC_ALARM_NONE : h % 12 + (hb & RTC_HOURS_PM ? 12 : 0);
	}
	return a;
}

/*
 * The least n >= 1 such that the clock matches the alarm after n more
 * updates, or NO_UPDATES.  Walks the clock's linear pieces between DSE
 * switches: a skipped spring hour never matches, a repeated fall hour
 * matches twice, as on the chip.
 */
static uint64_t updates_to_alarm(const struct rtc *rtc, const struct rtc_alarm *a, struct clock c)
{
	uint64_t total = 0;

	if (rtc_alarm_empty(a))
		return NO_UPDATES;
	for (int piece = 0; piece < 4; piece++) {
		bool spring = false;
		int64_t sw = INT64_MAX, v;

		if (rtc->reg_b & RTC_REG_B_DSE)
			sw = next_dst_switch(rtc, c.cs, c.dst_done, &spring);
		v = rtc_alarm_first_match(a, c.cs + 1);
		if (v <= sw)
			return total + (uint64_t)(v - c.cs);
		total += (uint64_t)(sw - c.cs) + 1;
		if (spring) {
			c.cs = sw + DST_SPRING_JUMP;
		} else {
			c.cs = sw - DST_FALL_JUMP;
			c.dst_done = sw;
		}
		if (rtc_alarm_matches(a, c.cs))
			return total;
	}
	return NO_UPDATES;
}

/* ---- flags, derived from the settled state ---- */

static struct clock settled_clock(const struct rtc *rtc)
{
	struct clock c = { rtc->cs, rtc->dst_done_cs };

	return c;
}

/* The clock at now >= settled_ps (running). */
static struct clock clock_at(const struct rtc *rtc, sim_ps now)
{
	assert(now >= rtc->settled_ps);
	return advance(rtc, settled_clock(rtc), updates_in(rtc, rtc->settled_ps, now));
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

/* When UF is next set after settled_ps. */
static sim_ps next_uf_ps(const struct rtc *rtc)
{
	if (!running(rtc))
		return SIM_NEVER;
	return sim_add_sat(div_time(rtc, first_open_update(rtc)), TUC_PS(rtc));
}

/* When AF is next set after settled_ps: the end of a cycle whose result matches. */
static sim_ps next_af_ps(const struct rtc *rtc)
{
	struct rtc_alarm a = alarm_of(rtc);
	uint64_t c0, n;
	sim_ps e0;
	struct clock c;

	if (!running(rtc) || rtc_alarm_empty(&a))
		return SIM_NEVER;
	c0 = first_open_update(rtc);
	e0 = sim_add_sat(div_time(rtc, c0), TUC_PS(rtc));
	if (e0 == SIM_NEVER)
		return SIM_NEVER;
	c = clock_at(rtc, e0);
	if (rtc_alarm_matches(&a, c.cs))
		return e0;
	n = updates_to_alarm(rtc, &a, c);
	if (n == NO_UPDATES)
		return SIM_NEVER;
	return sim_add_sat(div_time(rtc, c0 + n * update_period(rtc)), TUC_PS(rtc));
}

/* When PF is next set after settled_ps: the tap's next rising edge, or the profile's timer. */
static sim_ps next_pf_ps(const struct rtc *rtc)
{
	uint64_t p = periodic_cycles(rtc);

	if (rtc->compat->rtc_periodic == COMPAT_PERIODIC_FROM_PROGRAMMING)
		return rtc_periodic_next(&rtc->periodic);
	if (p == 0)
		return SIM_NEVER;
	return div_time(rtc, nth_edge(edges_upto(div_count(rtc, rtc->settled_ps), p) + 1, p));
}

/*
 * Moves the anchor to `now`: latches the flags whose events happened in
 * (settled_ps, now] and advances the clock.  Returns whether a flag changed.
 */
static bool settle(struct rtc *rtc, sim_ps now)
{
	uint8_t old = rtc->flags;

	assert(now >= rtc->settled_ps);
	if (now == rtc->settled_ps)
		return false;
	if (running(rtc)) {
		struct clock c;

		if (!(rtc->flags & RTC_REG_C_UF) && next_uf_ps(rtc) <= now)
			rtc->flags |= RTC_REG_C_UF;
		if (!(rtc->flags & RTC_REG_C_AF) && next_af_ps(rtc) <= now)
			rtc->flags |= RTC_REG_C_AF;
		c = clock_at(rtc, now);
		rtc->cs = c.cs;
		rtc->dst_done_cs = c.dst_done;
	}
	if (!(rtc->flags & RTC_REG_C_PF) && next_pf_ps(rtc) <= now)
		rtc->flags |= RTC_REG_C_PF;
	rtc_periodic_pass(&rtc->periodic, now);
	rtc->settled_ps = now;
	return rtc->flags != old;
}

/* While running: the time bytes at settled_ps into tregs. */
static void materialize(struct rtc *rtc)
{
	if (running(rtc))
		encode(rtc, rtc->cs, rtc->wday_off, rtc->tregs);
}

/*
 * Starts the clock from the time bytes, at settled_ps.  It also forgets the
 * DSE fall-back already taken; the data sheet does not say how the chip
 * remembers it across writes.
 */
static void load_clock(struct rtc *rtc)
{
	decode(rtc, rtc->tregs, &rtc->cs, &rtc->wday_off);
	rtc->dst_done_cs = -1;
}

/* ---- IRQ8 and the one event ---- */

static bool irqf(const struct rtc *rtc)
{
	return (rtc->flags & rtc->reg_b & ENABLE_MASK) != 0;
}

static sim_ps min_ps(sim_ps a, sim_ps b)
{
	return a < b ? a : b;
}

/*
 * Arms the event at the next time an enabled source sets its flag, whether
 * or not IRQ8 is already high: the chip's periodic, update and alarm events
 * go on while an interrupt is pending (the flag is set again, IRQ8 stays
 * high), and they are the board's deadlines for a bare qtest clock_step, as
 * QEMU's RTC timers stay armed.  An event that changes nothing re-arms.
 */
static void reschedule(struct rtc *rtc)
{
	sim_ps t = SIM_NEVER;

	if (!rtc->q)
		return;
	if (rtc->reg_b & RTC_REG_B_PIE)
		t = min_ps(t, next_pf_ps(rtc));
	if (rtc->reg_b & RTC_REG_B_UIE)
		t = min_ps(t, next_uf_ps(rtc));
	if (rtc->reg_b & RTC_REG_B_AIE)
		t = min_ps(t, next_af_ps(rtc));
	if (t == SIM_NEVER)
		sim_cancel(rtc->q, &rtc->irq_ev);
	else
		sim_schedule(rtc->q, &rtc->irq_ev, t);
}

/*
 * Ends every state change: drives IRQ8 = IRQF if it changed and re-arms the
 * event.  irq_set() comes last, so a sink may read register C at once.
 */
static void commit(struct rtc *rtc, sim_ps now)
{
	bool level = irqf(rtc);
	bool changed = level != rtc->irq_level;

	rtc->irq_level = level;
	reschedule(rtc);
	if (changed)
		irq_set(rtc->irq8, level, now);
}

static void irq_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct rtc *rtc = sim_container_of(ev, struct rtc, irq_ev);

	(void)q;
	settle(rtc, now);
	commit(rtc, now);
}

/* ---- registers ---- */

bool rtc_update_in_progress(const struct rtc *rtc, sim_ps now)
{
	uint64_t p, n;
	sim_ps next;

	assert(now >= rtc->settled_ps);
	if (!running(rtc))
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

/*
 * DV2-0 and RS3-0.  Leaving reset (or a test mode) restarts the chain from
 * 0 exactly at the write (the crystal's own phase is not modelled), so the
 * first update begins half a second later; switching between time bases
 * keeps the count.  The clock restarts from its bytes either way.
 */
static void write_reg_a(struct rtc *rtc, uint8_t val, sim_ps now)
{
	bool was = running(rtc);
	unsigned stages = stages_of(rtc, val);
	bool changed = stages != rtc->div_stages;
	int pie = rtc->reg_b & RTC_REG_B_PIE;

	materialize(rtc);
	if (changed) {
		if (rtc->div_stages == 0) {
			rtc->div_ps = now;
			rtc->div_cyc = 0;
			rtc->div_lead_ps = 0;
		}
		rtc->div_stages = stages;
	}
	if ((rtc->reg_a ^ val) & RTC_REG_A_RS)
		rtc_periodic_program(&rtc->periodic, rtc_periodic_cycles(rtc->reg_a, pie),
				     rtc_periodic_cycles(val, pie), now);
	rtc->reg_a = val & (uint8_t)~RTC_REG_A_UIP;
	if (running(rtc) && (!was || changed)) {
		load_clock(rtc);
		rtc->run_ps = now;
	}
}

/*
 * SET = 1 aborts an update cycle in progress and freezes the bytes; SET
 * going high clears UIE (data sheet, register B, UIE).  SET = 0 resumes from
 * the bytes; the next update starts at the chain's next 1 Hz edge.  A change
 * of DM or 24/12 while running reinterprets the bytes in the new format
 * (a profile may keep the time instead and render it in the new format).
 */
static void write_reg_b(struct rtc *rtc, uint8_t val, sim_ps now)
{
	bool was = running(rtc);
	uint8_t old = rtc->reg_b;

	materialize(rtc);
	if ((val & RTC_REG_B_SET) && !(old & RTC_REG_B_SET))
		val &= (uint8_t)~RTC_REG_B_UIE;
	if ((old ^ val) & RTC_REG_B_PIE)
		rtc_periodic_program(&rtc->periodic, rtc_periodic_cycles(rtc->reg_a, old & RTC_REG_B_PIE),
				     rtc_periodic_cycles(rtc->reg_a, val & RTC_REG_B_PIE), now);
	rtc->reg_b = val;
	if (!running(rtc))
		return;
	if (!was) {
		load_clock(rtc);
		rtc->run_ps = now;
	} else if (((old ^ val) & (RTC_REG_B_DM | RTC_REG_B_24H)) &&
		   !rtc->compat->rtc_format_change_keeps_time) {
		load_clock(rtc);
	}
}

void rtc_write_reg(struct rtc *rtc, uint8_t index, uint8_t val, sim_ps now)
{
	int slot;

	index &= RTC_CMOS_SIZE - 1;
	settle(rtc, now);
	slot = time_slot(index);
	if (slot >= 0) {
		bool run = running(rtc);

		materialize(rtc);
		/* "The high-order bit of the seconds byte is read only." */
		rtc->tregs[slot] = slot == T_SEC ? val & 0x7f : val;
		if (run)
			load_clock(rtc);
	} else if (index == RTC_REG_A) {
		write_reg_a(rtc, val, now);
	} else if (index == RTC_REG_B) {
		write_reg_b(rtc, val, now);
	} else if (index != RTC_REG_C && index != RTC_REG_D) {
		rtc->cmos[index] = val;          /* alarm bytes and RAM */
	}
	commit(rtc, now);
}

uint8_t rtc_read_reg(struct rtc *rtc, uint8_t index, sim_ps now)
{
	uint8_t val;
	int slot;

	index &= RTC_CMOS_SIZE - 1;
	slot = time_slot(index);
	if (slot >= 0) {
		if (settle(rtc, now))
			commit(rtc, now);
		if (running(rtc)) {
			uint8_t bytes[RTC_NTIME];

			encode(rtc, rtc->cs, rtc->wday_off, bytes);
			return bytes[slot];
		}
		return rtc->tregs[slot];
	}
	switch (index) {
	case RTC_REG_A:
		return (uint8_t)(rtc->reg_a | (rtc_update_in_progress(rtc, now) ? RTC_REG_A_UIP : 0));
	case RTC_REG_B:
		return rtc->reg_b;       /* SQWE is stored only: there is no SQW pin */
	case RTC_REG_C:
		/* Reading C returns the flags and IRQF, then clears them all. */
		settle(rtc, now);
		val = (uint8_t)(rtc->flags | (irqf(rtc) ? RTC_REG_C_IRQF : 0));
		rtc->flags = 0;
		commit(rtc, now);
		return val;
	case RTC_REG_D:
		return RTC_REG_D_VRT;    /* the PS pin and power loss are not modelled */
	default:
		return rtc->cmos[index];
	}
}

/* ---- the device ---- */

static uint64_t port_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now);
static void port_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
		       sim_ps now);

static sim_ps rtc_dev_next_deadline(const struct device *dev)
{
	const struct rtc *rtc = sim_container_of(dev, const struct rtc, base);

	return sim_event_pending(&rtc->irq_ev) ? rtc->irq_ev.when : SIM_NEVER;
}

static void rtc_dev_finish(struct device *dev)
{
	rtc_finish(sim_container_of(dev, struct rtc, base));
}

static const struct device_ops rtc_ops = {
	.kind = "rtc",
	.min_size = 1,
	.max_size = 1,
	.read = port_read,
	.write = port_write,
	.next_deadline = rtc_dev_next_deadline,
	.finish = rtc_dev_finish,
};

static struct rtc *rtc_from_device(struct device *dev)
{
	assert(dev->ops == &rtc_ops);
	return sim_container_of(dev, struct rtc, base);
}

static uint64_t port_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	struct rtc *rtc = rtc_from_device(dev);

	(void)size;
	if (offset == 0)
		return 0xff;             /* the index port is write-only */
	return rtc_read_reg(rtc, rtc->index, now);
}

static void port_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
		       sim_ps now)
{
	struct rtc *rtc = rtc_from_device(dev);

	(void)size;
	if (offset == 0) {
		rtc->index = (uint8_t)(val & (RTC_CMOS_SIZE - 1));
		rtc->nmi_masked = val & 0x80;
		return;
	}
	rtc_write_reg(rtc, rtc->index, (uint8_t)val, now);
}

struct device *rtc_device(struct rtc *rtc)
{
	return &rtc->base;
}

bool rtc_nmi_masked(const struct rtc *rtc)
{
	return rtc->nmi_masked;
}

void rtc_init_at(struct rtc *rtc, const char *name, struct sim_eventq *q,
		 const struct irq_line *irq8, int64_t base_utc_s, sim_ps subsec_ps)
{
	int64_t days = floor_div(base_utc_s, SEC_PER_DAY);
	int64_t tod = base_utc_s - days * SEC_PER_DAY;
	int64_t y, cday;
	unsigned m, d;

	assert(subsec_ps < SIM_PS_PER_S);
	memset(rtc, 0, sizeof(*rtc));
	rtc->base.ops = &rtc_ops;
	rtc->base.name = name;
	rtc->q = q;
	rtc->irq8 = irq8;
	snprintf(rtc->ev_name, sizeof(rtc->ev_name), "%s.irq", name ? name : "rtc");
	sim_event_init(&rtc->irq_ev, rtc->ev_name, SIM_PRIO_DEVICE, irq_fire);
	rtc->compat = compat_default();
	rtc->reg_a = RTC_DV_32KHZ | 0x06;
	rtc->reg_b = RTC_REG_B_24H;

	/* The chain is subsec_ps past a 1 Hz edge (count 2^14) at now = 0. */
	rtc->div_stages = 15;
	rtc->div_ps = 0;
	rtc->div_cyc = UINT64_C(1) << 14;
	rtc->div_lead_ps = subsec_ps;
	rtc->run_ps = 0;
	rtc->settled_ps = 0;

	sim_civil_from_days(days, &y, &m, &d);
	cday = chip_days(y, (int)m, d);
	rtc->cs = cday * SEC_PER_DAY + tod;
	rtc->dst_done_cs = -1;
	/* 1970-01-01 was a Thursday: day of week 5 with Sunday = 1. */
	rtc->wday_off = (unsigned)floor_mod(floor_mod(days + 4, 7) - cday, 7);
	encode(rtc, rtc->cs, rtc->wday_off, rtc->tregs);
}

void rtc_set_compat(struct rtc *rtc, const struct compat_profile *c)
{
	rtc->compat = c ? c : compat_default();
	rtc->div_stages = stages_of(rtc, rtc->reg_a);
}

void rtc_init(struct rtc *rtc, const char *name, struct sim_eventq *q,
	      const struct irq_line *irq8, int64_t base_utc_s)
{
	rtc_init_at(rtc, name, q, irq8, base_utc_s, 0);
}

void rtc_finish(struct rtc *rtc)
{
	if (rtc && rtc->q)
		sim_cancel(rtc->q, &rtc->irq_ev);
}

int64_t rtc_time_utc_s(const struct rtc *rtc, sim_ps now)
{
	int64_t cs, day, y;
	unsigned wday_off;
	int m, d;

	if (running(rtc))
		cs = clock_at(rtc, now).cs;
	else
		decode(rtc, rtc->tregs, &cs, &wday_off);
	day = floor_div(cs, SEC_PER_DAY);
	chip_civil(day, &y, &m, &d);
	return sim_days_from_civil(y, (unsigned)m, d) * SEC_PER_DAY + (cs - day * SEC_PER_DAY);
}

static void board_defaults(struct platform_params *p)
{
	p->rtc_base_utc_s = PLATFORM_RTC_BASE_UTC_S_DEFAULT;
}

/* The board's RTC: IRQ8, ports 0x70-0x71. */
static bool board_attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	rtc_init(s->chip, "rtc0", pf->q, irq_router_rtc_line(&pf->irq), pf->params.rtc_base_utc_s);
	rtc_set_compat(s->chip, pf->params.compat);
	s->dev = rtc_device(s->chip);
	return bus_map(&pf->io, PLATFORM_RTC_PORT, 2, s->dev, pf->params.cost_ps[BOARD_DEV_RTC],
		       "rtc", err);
}

const struct board_chip rtc_chip = {
	.size = sizeof(struct rtc),
	.cost_ps = PLATFORM_PIO_COST_PS_DEFAULT,
	.defaults = board_defaults,
	.attach = board_attach,
};
