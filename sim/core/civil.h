/*
 * Civil dates in the proleptic Gregorian calendar, as days since 1970-01-01
 * (Howard Hinnant's days_from_civil / civil_from_days algorithms: eras of
 * 400 years, March-based years so that leap days fall at the end).  Exact for
 * every int64 day count the callers can produce; negative days are before the
 * epoch.  The RTC's own calendar (no century rule) is the chip's, not this.
 */
#ifndef SIM_CORE_CIVIL_H
#define SIM_CORE_CIVIL_H

#include <stdint.h>

#define SIM_SEC_PER_DAY INT64_C(86400)

/* Days from 1970-01-01 to year-month-day; month 1..12, day may run past the month's end. */
int64_t sim_days_from_civil(int64_t year, unsigned month, int64_t day);

/* The date of a day count: month 1..12, day 1..31. */
void sim_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

/* Seconds since the epoch of a civil date and time of day (no leap seconds, as POSIX). */
int64_t sim_epoch_seconds(int64_t year, unsigned month, unsigned day, unsigned hour,
			  unsigned minute, unsigned second);

#endif
