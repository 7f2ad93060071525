/*
 * `sim qtest -rtc`: the RTC's wall time at t = 0.  This is the one place in
 * sim that reads the host's wall clock (base=utc, the default, and
 * base=localtime), once, at start-up.
 */
#ifndef SIM_QTEST_SERVER_RTC_H
#define SIM_QTEST_SERVER_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"

/*
 * QEMU's two -rtc base=DATE forms, "2006-06-17T16:01:21" and "2006-06-17"
 * (a UTC date and time, seconds since 1970 in *out).  Strict: a year of 1
 * to 4 digits, month and day of 1 or 2 digits with the month's real length
 * (Gregorian leap years), hours 0-23, minutes and seconds 0-59, nothing
 * after the last field.
 */
bool qtest_parse_date(const char *v, int64_t *out);

/*
 * The RTC base from an -rtc option list (NULL: base=utc).  base=utc: the
 * host's UTC time; base=localtime: that plus the host's UTC offset;
 * base=DATE: DATE.  clock=host|rt|vm and driftfix= are accepted (the RTC
 * always follows the simulated clock).  QTEST_EXIT_USAGE with err filled on
 * a bad option.
 */
int qtest_rtc_base(const char *rtc, int64_t *base_s, struct sim_diag *err);

#endif
