/* The RTC's date and time counting: see rtc_calendar.h. */
#include "sim/devices/rtc_calendar.h"

#include <assert.h>

#define DST_SWITCH_TOD (1 * 3600 + 59 * 60 + 59)   /* 1:59:59 AM */
#define DST_SPRING_JUMP (3600 + 1)                  /* 1:59:59 -> 3:00:00 */
#define DST_FALL_JUMP (3600 - 1)                    /* 1:59:59 -> 1:00:00 */

/* Day of a March-based year (March = month 0) at which month m (1..12) starts. */
static int64_t month_start(int m)
{
	int mp = m > 2 ? m - 3 : m + 9;

	return (153 * mp + 2) / 5;
}

int64_t rtc_calendar_days(int64_t y, int m, int64_t d)
{
	int64_t yy = y - (m <= 2);

	return 365 * yy + rtc_floor_div(yy, 4) + month_start(m) + d - 1;
}

void rtc_calendar_date(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t yy = rtc_floor_div(4 * days + 3, 1461);
	int64_t doy = days - (365 * yy + rtc_floor_div(yy, 4));   /* 0..365, from March 1 */
	int mp = (int)((5 * doy + 2) / 153);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

unsigned rtc_calendar_wday(int64_t day, unsigned wday_off)
{
	return (unsigned)rtc_floor_mod(day + wday_off, 7) + 1;
}

/*
 * The next DSE switch at or after chip second cs, skipping `done`: the 1:59:59
 * AM whose update jumps.  Data sheet, DSE: "On the last Sunday in April the
 * time increments from 1:59:59 AM to 3:00:00 AM.  On the last Sunday in
 * October when the time first reaches 1:59:59 AM it changes to 1:00:00 AM."
 * The chip's Sunday is its day-of-week register (1); the last Sunday is the
 * one among the month's last seven days.
 */
static int64_t next_dst_switch(int64_t cs, int64_t done, unsigned wday_off, bool *spring)
{
	int64_t y;
	int m, d;

	rtc_calendar_date(rtc_floor_div(cs, RTC_SEC_PER_DAY), &y, &m, &d);
	for (int64_t yy = y; yy <= y + 1; yy++) {
		for (int fall = 0; fall <= 1; fall++) {
			int64_t day0 = fall ? rtc_calendar_days(yy, 10, 25) : rtc_calendar_days(yy, 4, 24);
			int64_t sw = 0;

			for (int i = 0; i < 7; i++)
				if (rtc_calendar_wday(day0 + i, wday_off) == 1)
					sw = (day0 + i) * RTC_SEC_PER_DAY + DST_SWITCH_TOD;
			if (sw >= cs && sw != done) {
				*spring = !fall;
				return sw;
			}
		}
	}
	assert(0 && "a switch within two years");
	return INT64_MAX;
}

struct rtc_clock rtc_calendar_advance(struct rtc_clock c, uint64_t n, bool dse,
				      unsigned wday_off)
{
	while (n > 0) {
		bool spring = false;
		int64_t sw;

		if (!dse) {
			c.cs += (int64_t)n;
			break;
		}
		sw = next_dst_switch(c.cs, c.dst_done, wday_off, &spring);
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

/*
 * Walks the clock's linear pieces between DSE switches: a skipped spring
 * hour never matches, a repeated fall hour matches twice, as on the chip.
 */
uint64_t rtc_calendar_updates_to_alarm(struct rtc_clock c, const struct rtc_alarm *a, bool dse,
				       unsigned wday_off)
{
	uint64_t total = 0;

	if (rtc_alarm_empty(a))
		return RTC_NO_UPDATES;
	for (int piece = 0; piece < 4; piece++) {
		bool spring = false;
		int64_t sw = INT64_MAX, v;

		if (dse)
			sw = next_dst_switch(c.cs, c.dst_done, wday_off, &spring);
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
	return RTC_NO_UPDATES;
}
