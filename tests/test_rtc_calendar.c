/*
 * rtc_calendar: the MC146818A's date and time counting in chip seconds,
 * against the Gregorian calendar of sim/core/civil.c (a separate algorithm)
 * where the two agree, the chip's own leap-year rule where they do not, and
 * the data sheet's DSE switches on dates read off a 2026 calendar.
 */
#include <criterion/criterion.h>

#include "sim/core/civil.h"
#include "sim/devices/rtc_calendar.h"

#define DAY RTC_SEC_PER_DAY

static int64_t chip_s(int64_t y, int m, int64_t d, int hh, int mm, int ss)
{
	return rtc_calendar_days(y, m, d) * DAY + hh * 3600 + mm * 60 + ss;
}

/* The weekday offset that makes `day` a Sunday (register value 1). */
static unsigned sunday_on(int64_t day)
{
	return (unsigned)rtc_floor_mod(-day, 7);
}

Test(rtc_calendar, day_0_is_0000_03_01)
{
	cr_assert_eq(rtc_calendar_days(0, 3, 1), 0);
	cr_assert_eq(rtc_calendar_days(0, 3, 2), 1);
	cr_assert_eq(rtc_calendar_days(1, 3, 1), 365);    /* 0001-02 has no 29th */
	/* 0003-03-01 .. 0004-03-01 holds 0004-02-29. */
	cr_assert_eq(rtc_calendar_days(4, 3, 1) - rtc_calendar_days(3, 3, 1), 366);
}

Test(rtc_calendar, agrees_with_gregorian_from_1901_through_2099)
{
	int64_t first = sim_days_from_civil(1901, 1, 1);
	int64_t last = sim_days_from_civil(2099, 12, 31);
	int64_t k = rtc_calendar_days(1901, 1, 1) - first;

	for (int64_t g = first; g <= last; g++) {
		int64_t y, cy;
		unsigned m, d;
		int cm, cd;

		sim_civil_from_days(g, &y, &m, &d);
		cr_assert_eq(rtc_calendar_days(y, (int)m, d), g + k, "%lld-%u-%u", (long long)y, m, d);
		rtc_calendar_date(g + k, &cy, &cm, &cd);
		cr_assert(cy == y && cm == (int)m && cd == (int)d, "%lld-%u-%u", (long long)y, m, d);
	}
}

Test(rtc_calendar, the_chip_has_a_29th_of_february_in_1900_and_2100)
{
	int64_t y;
	int m, d;

	rtc_calendar_date(rtc_calendar_days(2100, 2, 28) + 1, &y, &m, &d);
	cr_assert(y == 2100 && m == 2 && d == 29);
	rtc_calendar_date(rtc_calendar_days(1900, 2, 28) + 1, &y, &m, &d);
	cr_assert(y == 1900 && m == 2 && d == 29);
	cr_assert_eq(rtc_calendar_days(2100, 3, 1) - rtc_calendar_days(2100, 2, 28), 2);
}

Test(rtc_calendar, weekday_counts_1_to_7_from_the_offset)
{
	int64_t day = rtc_calendar_days(2026, 4, 26);
	unsigned off = sunday_on(day);

	for (int i = 0; i < 14; i++)
		cr_assert_eq(rtc_calendar_wday(day + i, off), (unsigned)(i % 7 + 1));
}

/*
 * 2026: April 1 is a Wednesday, so its last Sunday is the 26th; October 1
 * is a Thursday, so its last Sunday is the 25th.  The offset makes the
 * chip's weekdays the real ones.
 */
Test(rtc_calendar, dse_skips_the_spring_hour_and_repeats_the_fall_hour_once)
{
	unsigned off = sunday_on(rtc_calendar_days(2026, 4, 26));
	struct rtc_clock c = { chip_s(2026, 4, 26, 1, 59, 58), -1 };
	struct rtc_clock r;

	r = rtc_calendar_advance(c, 1, true, off);
	cr_assert_eq(r.cs, chip_s(2026, 4, 26, 1, 59, 59));
	r = rtc_calendar_advance(c, 2, true, off);
	cr_assert_eq(r.cs, chip_s(2026, 4, 26, 3, 0, 0));
	r = rtc_calendar_advance(c, 2, false, off);
	cr_assert_eq(r.cs, chip_s(2026, 4, 26, 2, 0, 0));
	/* The week before, or a Sunday that is not the last one, does not switch. */
	c.cs = chip_s(2026, 4, 19, 1, 59, 59);
	cr_assert_eq(rtc_calendar_advance(c, 1, true, off).cs, chip_s(2026, 4, 19, 2, 0, 0));

	c.cs = chip_s(2026, 10, 25, 1, 59, 59);
	r = rtc_calendar_advance(c, 1, true, off);
	cr_assert_eq(r.cs, chip_s(2026, 10, 25, 1, 0, 0));
	r = rtc_calendar_advance(r, 3600, true, off);       /* the second 1:59:59 goes on */
	cr_assert_eq(r.cs, chip_s(2026, 10, 25, 2, 0, 0));
	cr_assert_eq(rtc_calendar_advance(c, 3601, true, off).cs, r.cs);
}

Test(rtc_calendar, an_alarm_in_the_skipped_hour_waits_a_day)
{
	unsigned off = sunday_on(rtc_calendar_days(2026, 4, 26));
	struct rtc_alarm a = { 2, 30, 0 };
	struct rtc_clock c = { chip_s(2026, 4, 26, 1, 59, 59), -1 };

	/* 1 update to 3:00:00, then 23 h 30 min to 2:30:00 on the 27th. */
	cr_assert_eq(rtc_calendar_updates_to_alarm(c, &a, true, off), 1 + 23 * 3600 + 30 * 60);
	/* Without DSE: 30 min 1 s later, the same night. */
	cr_assert_eq(rtc_calendar_updates_to_alarm(c, &a, false, off), 30 * 60 + 1);
	a.h = RTC_ALARM_NONE;
	cr_assert_eq(rtc_calendar_updates_to_alarm(c, &a, true, off), RTC_NO_UPDATES);
}

Test(rtc_calendar, an_alarm_in_the_repeated_hour_matches_twice)
{
	unsigned off = sunday_on(rtc_calendar_days(2026, 10, 25));
	struct rtc_alarm a = { 1, 30, 0 };
	struct rtc_clock c = { chip_s(2026, 10, 25, 1, 30, 0), -1 };
	uint64_t n = rtc_calendar_updates_to_alarm(c, &a, true, off);

	/* 1:30:00 -> 1:59:59 (1799), the switch to 1:00:00 (1), then 1:30:00 (1800). */
	cr_assert_eq(n, 1799 + 1 + 1800);
	c = rtc_calendar_advance(c, n, true, off);
	cr_assert_eq(c.cs, chip_s(2026, 10, 25, 1, 30, 0));
	/* The next one is the next day's. */
	cr_assert_eq(rtc_calendar_updates_to_alarm(c, &a, true, off), (uint64_t)DAY);
}
