/*
 * The MC146818A's register formats: the time and alarm bytes as register B
 * says to write them, BCD or binary (DM) and 24-hour or 12-hour with PM in
 * bit 7 of the hours (24/12), to and from chip seconds (rtc_calendar.h).
 * Pure functions of register B's value.
 */
#ifndef SIM_DEVICES_RTC_FORMAT_H
#define SIM_DEVICES_RTC_FORMAT_H

#include <stdint.h>

#include "sim/devices/rtc.h"
#include "sim/devices/rtc_alarm.h"

/* The time bytes the update cycle maintains: X(slot of rtc->tregs, register index). */
#define RTC_TIME_BYTES(X)               \
	X(RTC_T_SEC, RTC_SECONDS)       \
	X(RTC_T_MIN, RTC_MINUTES)       \
	X(RTC_T_HOUR, RTC_HOURS)        \
	X(RTC_T_WDAY, RTC_DAY_OF_WEEK)  \
	X(RTC_T_MDAY, RTC_DAY_OF_MONTH) \
	X(RTC_T_MON, RTC_MONTH)         \
	X(RTC_T_YEAR, RTC_YEAR)         \
	X(RTC_T_CENT, RTC_CENTURY)

enum rtc_time_slot {
#define RTC_TIME_SLOT_ENUM(slot, index) slot,
	RTC_TIME_BYTES(RTC_TIME_SLOT_ENUM)
#undef RTC_TIME_SLOT_ENUM
	RTC_T_COUNT
};

_Static_assert(RTC_T_COUNT == RTC_NTIME, "one slot of rtc->tregs per time byte");

/* The slot of register `index` in rtc->tregs, or -1 when it is not a time byte. */
int rtc_format_slot(uint8_t index);

/* The time bytes of chip second cs, day of week (day + wday_off) % 7 + 1. */
void rtc_format_encode(uint8_t reg_b, int64_t cs, unsigned wday_off, uint8_t out[RTC_NTIME]);

/* The chip second the time bytes name, and the day-of-week offset they carry. */
void rtc_format_decode(uint8_t reg_b, const uint8_t in[RTC_NTIME], int64_t *cs,
		       unsigned *wday_off);

/* The alarm bytes (0x01, 0x03, 0x05) as sets of hour, minute and second. */
struct rtc_alarm rtc_format_alarm(uint8_t reg_b, uint8_t sec, uint8_t min, uint8_t hour);

#endif
