/*
 * The MC146818A's alarm compare as sets of times of day (data sheet,
 * "Interrupts": alarm; a byte 0xc0-0xff matches every value).  Pure
 * functions of chip seconds (rtc_calendar.h: day * 86400 + second of the
 * day); rtc_format.c turns the alarm bytes into a struct rtc_alarm.
 */
#ifndef SIM_DEVICES_RTC_ALARM_H
#define SIM_DEVICES_RTC_ALARM_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_ALARM_ANY (-1)            /* a don't-care byte */
#define RTC_ALARM_NONE (-2)           /* a byte no time byte can equal: never matches */

struct rtc_alarm {
	int h, m, s;                  /* 0..23, 0..59, 0..59, RTC_ALARM_ANY or RTC_ALARM_NONE */
};

/* True when some field can never match: the alarm never fires. */
bool rtc_alarm_empty(const struct rtc_alarm *a);

/* Whether chip second cs (any day) matches. */
bool rtc_alarm_matches(const struct rtc_alarm *a, int64_t cs);

/* The first matching chip second >= cs; a must not be empty. */
int64_t rtc_alarm_first_match(const struct rtc_alarm *a, int64_t cs);

#endif
