/*
 * The MC146818A's date and time counting, as pure functions of "chip
 * seconds" (cs): day * 86400 + second of the day, where day counts from
 * 0000-03-01 in the chip's own calendar.  The chip keeps a two-digit year
 * and calls every year divisible by 4 a leap year (data sheet, features:
 * "automatic leap year compensation"); since 100 is divisible by 4, the full
 * year century * 100 + year follows the Julian rule.  That agrees with the
 * Gregorian calendar from 1901 through 2099 (2000 is a leap year either way)
 * and, like the chip, not in 1900 or 2100.  Daylight saving (register B,
 * DSE) makes the count jump at two switches a year; struct rtc_clock carries
 * what a run of updates needs across them.
 */
#ifndef SIM_DEVICES_RTC_CALENDAR_H
#define SIM_DEVICES_RTC_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/rtc_alarm.h"

#define RTC_SEC_PER_DAY 86400
#define RTC_NO_UPDATES UINT64_MAX     /* rtc_calendar_updates_to_alarm(): never */

/* The clock as it runs: chip seconds, and the DSE fall-back already taken (or -1). */
struct rtc_clock {
	int64_t cs;
	int64_t dst_done;
};

static inline int64_t rtc_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static inline int64_t rtc_floor_mod(int64_t a, int64_t b)
{
	return a - rtc_floor_div(a, b) * b;
}

/* Days from 0000-03-01 to y-m-d in the chip's calendar (every 4th year leap); m in 1..12. */
int64_t rtc_calendar_days(int64_t y, int m, int64_t d);

/* The chip's date of day `days`: month 1..12, day 1..31. */
void rtc_calendar_date(int64_t days, int64_t *y, int *m, int *d);

/* The day of week register (1..7, 1 = Sunday) on day `day`: (day + wday_off) % 7 + 1. */
unsigned rtc_calendar_wday(int64_t day, unsigned wday_off);

/* The clock after n more update cycles; dse: register B's DSE. */
struct rtc_clock rtc_calendar_advance(struct rtc_clock c, uint64_t n, bool dse,
				      unsigned wday_off);

/*
 * The least n >= 1 such that the clock matches alarm a after n more
 * updates, or RTC_NO_UPDATES.
 */
uint64_t rtc_calendar_updates_to_alarm(struct rtc_clock c, const struct rtc_alarm *a, bool dse,
				       unsigned wday_off);

#endif
