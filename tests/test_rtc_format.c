/*
 * rtc_format: the MC146818A's time and alarm bytes (data sheet, "Address
 * map", register B's DM and 24/12), byte patterns written out by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/devices/rtc_calendar.h"
#include "sim/devices/rtc_format.h"

#define BCD24 RTC_REG_B_24H
#define BIN24 (RTC_REG_B_24H | RTC_REG_B_DM)
#define BCD12 0x00
#define BIN12 RTC_REG_B_DM

/* Slots: seconds, minutes, hours, day of week, date, month, year, century. */
static const uint8_t eve_bcd[RTC_NTIME] = { 0x58, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19 };

static void assert_bytes(const uint8_t *got, const uint8_t *want)
{
	for (int i = 0; i < RTC_NTIME; i++)
		cr_assert_eq(got[i], want[i], "slot %d: 0x%02x, expected 0x%02x", i, got[i], want[i]);
}

Test(rtc_format, the_time_bytes_and_their_slots)
{
	static const uint8_t idx[RTC_NTIME] = { 0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32 };

	for (int i = 0; i < RTC_NTIME; i++)
		cr_assert_eq(rtc_format_slot(idx[i]), i);
	cr_assert_eq(rtc_format_slot(0x01), -1);     /* alarm bytes */
	cr_assert_eq(rtc_format_slot(0x05), -1);
	cr_assert_eq(rtc_format_slot(0x0a), -1);
	cr_assert_eq(rtc_format_slot(0x37), -1);
}

Test(rtc_format, one_time_in_every_format)
{
	static const uint8_t bin24[RTC_NTIME] = { 58, 59, 23, 6, 31, 12, 99, 19 };
	static const uint8_t bcd12[RTC_NTIME] = { 0x58, 0x59, 0x91, 0x06, 0x31, 0x12, 0x99, 0x19 };
	static const uint8_t bin12[RTC_NTIME] = { 58, 59, 0x8b, 6, 31, 12, 99, 19 };
	uint8_t out[RTC_NTIME];
	int64_t cs;
	unsigned off;

	rtc_format_decode(BCD24, eve_bcd, &cs, &off);
	cr_assert_eq(cs, rtc_calendar_days(1999, 12, 31) * RTC_SEC_PER_DAY + 23 * 3600 + 59 * 60 + 58);
	rtc_format_encode(BCD24, cs, off, out);
	assert_bytes(out, eve_bcd);
	rtc_format_encode(BIN24, cs, off, out);
	assert_bytes(out, bin24);
	rtc_format_encode(BCD12, cs, off, out);      /* 11 PM: 0x11 | PM */
	assert_bytes(out, bcd12);
	rtc_format_encode(BIN12, cs, off, out);
	assert_bytes(out, bin12);
}

Test(rtc_format, the_century_byte_rolls_with_the_year_and_the_weekday_wraps)
{
	static const uint8_t y2k[RTC_NTIME] = { 0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20 };
	static const uint8_t next[RTC_NTIME] = { 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x20 };
	uint8_t out[RTC_NTIME];
	int64_t cs;
	unsigned off;

	rtc_format_decode(BCD24, eve_bcd, &cs, &off);
	rtc_format_encode(BCD24, cs + 2, off, out);
	assert_bytes(out, y2k);
	rtc_format_encode(BCD24, cs + 2 + RTC_SEC_PER_DAY, off, out);
	assert_bytes(out, next);
}

Test(rtc_format, twelve_hour_midnight_and_noon)
{
	uint8_t t[RTC_NTIME];
	uint8_t out[RTC_NTIME];
	int64_t cs, day;
	unsigned off;

	memcpy(t, eve_bcd, sizeof(t));
	day = rtc_calendar_days(1999, 12, 31) * RTC_SEC_PER_DAY;
	t[RTC_T_HOUR] = 0x12;                         /* 12 AM */
	rtc_format_decode(BCD12, t, &cs, &off);
	cr_assert_eq(cs - day, 59 * 60 + 58);
	t[RTC_T_HOUR] = 0x92;                         /* 12 PM */
	rtc_format_decode(BCD12, t, &cs, &off);
	cr_assert_eq(cs - day, 12 * 3600 + 59 * 60 + 58);
	rtc_format_encode(BCD12, day, off, out);
	cr_assert_eq(out[RTC_T_HOUR], 0x12);
	rtc_format_encode(BCD12, day + 12 * 3600, off, out);
	cr_assert_eq(out[RTC_T_HOUR], 0x92);
}

Test(rtc_format, out_of_range_values_carry)
{
	uint8_t a[RTC_NTIME], b[RTC_NTIME];
	int64_t ca, cb;
	unsigned oa, ob;

	memcpy(a, eve_bcd, sizeof(a));
	memcpy(b, eve_bcd, sizeof(b));
	a[RTC_T_SEC] = 0x75;                          /* 75 s */
	a[RTC_T_MIN] = 0x10;
	b[RTC_T_SEC] = 0x15;                          /* = 11 min 15 s */
	b[RTC_T_MIN] = 0x11;
	rtc_format_decode(BCD24, a, &ca, &oa);
	rtc_format_decode(BCD24, b, &cb, &ob);
	cr_assert_eq(ca, cb);
	a[RTC_T_MON] = 0x02;                          /* 1999-02-30 = 1999-03-02 */
	a[RTC_T_MDAY] = 0x30;
	b[RTC_T_MON] = 0x03;
	b[RTC_T_MDAY] = 0x02;
	rtc_format_decode(BCD24, a, &ca, &oa);
	rtc_format_decode(BCD24, b, &cb, &ob);
	cr_assert_eq(ca, cb);
}

Test(rtc_format, alarm_bytes)
{
	struct rtc_alarm a;

	a = rtc_format_alarm(BCD24, 0xc0, 0x30, 0x23);
	cr_assert(a.s == RTC_ALARM_ANY && a.m == 30 && a.h == 23);
	a = rtc_format_alarm(BCD24, 0x5a, 0xff, 0x24);    /* bad BCD; hour 24 */
	cr_assert(a.s == RTC_ALARM_NONE && a.m == RTC_ALARM_ANY && a.h == RTC_ALARM_NONE);
	a = rtc_format_alarm(BIN24, 0x3b, 0x3c, 0x17);    /* 59 s; 60 min; 23 h */
	cr_assert(a.s == 59 && a.m == RTC_ALARM_NONE && a.h == 23);
	a = rtc_format_alarm(BCD12, 0x00, 0x00, 0x12);    /* 12 AM */
	cr_assert_eq(a.h, 0);
	a = rtc_format_alarm(BCD12, 0x00, 0x00, 0x92);    /* 12 PM */
	cr_assert_eq(a.h, 12);
	a = rtc_format_alarm(BCD12, 0x00, 0x00, 0x81);    /* 1 PM */
	cr_assert_eq(a.h, 13);
	a = rtc_format_alarm(BCD12, 0x00, 0x00, 0x00);    /* no hour 0 in 12-hour mode */
	cr_assert_eq(a.h, RTC_ALARM_NONE);
}
