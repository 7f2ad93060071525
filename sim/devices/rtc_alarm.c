/* The RTC's alarm compare: see rtc_alarm.h. */
#include "sim/devices/rtc_alarm.h"

#include <assert.h>

#define SEC_PER_DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

bool rtc_alarm_empty(const struct rtc_alarm *a)
{
	return a->h == RTC_ALARM_NONE || a->m == RTC_ALARM_NONE || a->s == RTC_ALARM_NONE;
}

static bool in_field(int f, int v)
{
	return f == RTC_ALARM_ANY || f == v;
}

/* The first second of the day at or after tod that matches, or -1. */
static int64_t first_tod(const struct rtc_alarm *a, int64_t tod)
{
	int h0 = (int)(tod / 3600), m0 = (int)(tod / 60 % 60), s0 = (int)(tod % 60);

	for (int h = h0; h < 24; h++) {
		if (!in_field(a->h, h))
			continue;
		for (int m = h == h0 ? m0 : 0; m < 60; m++) {
			int lo = h == h0 && m == m0 ? s0 : 0;

			if (!in_field(a->m, m))
				continue;
			if (a->s == RTC_ALARM_ANY)
				return h * 3600 + m * 60 + lo;
			if (a->s >= lo)
				return h * 3600 + m * 60 + a->s;
		}
	}
	return -1;
}

bool rtc_alarm_matches(const struct rtc_alarm *a, int64_t cs)
{
	int64_t tod = cs - floor_div(cs, SEC_PER_DAY) * SEC_PER_DAY;

	return first_tod(a, tod) == tod;
}

int64_t rtc_alarm_first_match(const struct rtc_alarm *a, int64_t cs)
{
	int64_t day = floor_div(cs, SEC_PER_DAY);
	int64_t t = first_tod(a, cs - day * SEC_PER_DAY);

	if (t >= 0)
		return day * SEC_PER_DAY + t;
	t = first_tod(a, 0);
	assert(t >= 0);
	return (day + 1) * SEC_PER_DAY + t;
}
