/* The RTC's register formats (register B: DM, 24/12): see rtc_format.h. */
#include "sim/devices/rtc_format.h"

#include <stdbool.h>

#include "sim/devices/rtc_calendar.h"

static bool binary(uint8_t reg_b)
{
	return reg_b & RTC_REG_B_DM;
}

static bool hours24(uint8_t reg_b)
{
	return reg_b & RTC_REG_B_24H;
}

static uint8_t to_reg(uint8_t reg_b, int64_t v)       /* 0 <= v <= 99 */
{
	return binary(reg_b) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* A byte's value, arithmetically: BCD nibbles above 9 carry (0x5a reads as 60). */
static int64_t from_reg(uint8_t reg_b, uint8_t b)
{
	return binary(reg_b) ? b : (b >> 4) * 10 + (b & 0x0f);
}

/* A byte's value when it is a valid encoding below max, else -1. */
static int strict_from_reg(uint8_t reg_b, uint8_t b, int max)
{
	int v = b;

	if (!binary(reg_b)) {
		if ((b >> 4) > 9 || (b & 0x0f) > 9)
			return -1;
		v = (b >> 4) * 10 + (b & 0x0f);
	}
	return v < max ? v : -1;
}

int rtc_format_slot(uint8_t index)
{
	switch (index) {
#define RTC_TIME_SLOT_CASE(slot, reg) case reg: return slot;
	RTC_TIME_BYTES(RTC_TIME_SLOT_CASE)
#undef RTC_TIME_SLOT_CASE
	default: return -1;
	}
}

/*
 * The century byte rolls over with the year: on the MC146818A 0x32 is plain
 * RAM, which PC firmware keeps; we keep it so that the full year is known (a
 * deviation).
 */
void rtc_format_encode(uint8_t reg_b, int64_t cs, unsigned wday_off, uint8_t out[RTC_NTIME])
{
	int64_t day = rtc_floor_div(cs, RTC_SEC_PER_DAY);
	int64_t tod = cs - day * RTC_SEC_PER_DAY;
	int64_t hour = tod / 3600, y;
	int m, d;

	rtc_calendar_date(day, &y, &m, &d);
	out[RTC_T_SEC] = to_reg(reg_b, tod % 60);
	out[RTC_T_MIN] = to_reg(reg_b, tod / 60 % 60);
	if (hours24(reg_b))
		out[RTC_T_HOUR] = to_reg(reg_b, hour);
	else
		out[RTC_T_HOUR] = (uint8_t)(to_reg(reg_b, hour % 12 ? hour % 12 : 12) |
					    (hour >= 12 ? RTC_HOURS_PM : 0));
	out[RTC_T_WDAY] = to_reg(reg_b, rtc_calendar_wday(day, wday_off));
	out[RTC_T_MDAY] = to_reg(reg_b, d);
	out[RTC_T_MON] = to_reg(reg_b, m);
	out[RTC_T_YEAR] = to_reg(reg_b, rtc_floor_mod(y, 100));
	out[RTC_T_CENT] = to_reg(reg_b, rtc_floor_mod(rtc_floor_div(y, 100), 100));
}

/*
 * Values out of range carry into the next field, as mktime() does (seconds
 * 75 = 1 min 15 s, February 30 = March 1 or 2, month 13 = January of the
 * next year); the day of week keeps its written value modulo 7 (0 reads
 * back as 7).
 */
void rtc_format_decode(uint8_t reg_b, const uint8_t in[RTC_NTIME], int64_t *cs,
		       unsigned *wday_off)
{
	int64_t hour, mon0, y, day;

	if (hours24(reg_b))
		hour = from_reg(reg_b, in[RTC_T_HOUR]);
	else
		hour = from_reg(reg_b, in[RTC_T_HOUR] & 0x7f) % 12 +
		       (in[RTC_T_HOUR] & RTC_HOURS_PM ? 12 : 0);
	mon0 = from_reg(reg_b, in[RTC_T_MON]) - 1;
	y = from_reg(reg_b, in[RTC_T_CENT]) * 100 + from_reg(reg_b, in[RTC_T_YEAR]) +
	    rtc_floor_div(mon0, 12);
	day = rtc_calendar_days(y, (int)rtc_floor_mod(mon0, 12) + 1, 1) +
	      from_reg(reg_b, in[RTC_T_MDAY]) - 1;
	*cs = day * RTC_SEC_PER_DAY + hour * 3600 + from_reg(reg_b, in[RTC_T_MIN]) * 60 +
	      from_reg(reg_b, in[RTC_T_SEC]);
	*wday_off = (unsigned)rtc_floor_mod(from_reg(reg_b, in[RTC_T_WDAY]) - 1 - day, 7);
}

/* Data sheet, "Interrupts": alarm; a byte 0xc0-0xff matches anything. */
static int alarm_field(uint8_t reg_b, uint8_t b, int max)
{
	int v;

	if (b >= RTC_ALARM_DONT_CARE)
		return RTC_ALARM_ANY;
	v = strict_from_reg(reg_b, b, max);
	return v < 0 ? RTC_ALARM_NONE : v;
}

/*
 * The chip compares bytes; a byte no time byte can equal (bad BCD, hour 0
 * in 12-hour mode, ...) never matches.
 */
struct rtc_alarm rtc_format_alarm(uint8_t reg_b, uint8_t sec, uint8_t min, uint8_t hour)
{
	struct rtc_alarm a;

	a.s = alarm_field(reg_b, sec, 60);
	a.m = alarm_field(reg_b, min, 60);
	if (hour >= RTC_ALARM_DONT_CARE) {
		a.h = RTC_ALARM_ANY;
	} else if (hours24(reg_b)) {
		a.h = alarm_field(reg_b, hour, 24);
	} else {
		int h = strict_from_reg(reg_b, hour & 0x7f, 13);

		a.h = h < 1 ? RTC_ALARM_NONE : h % 12 + (hour & RTC_HOURS_PM ? 12 : 0);
	}
	return a;
}
